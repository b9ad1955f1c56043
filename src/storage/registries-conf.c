/* SPDX-License-Identifier: GPL-2.0-or-later */
/* containers-registries.conf(5): podman's semantics over the TOML reader (toml.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "storage/registries-conf.h"
#include "storage/toml.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/strv.h"

#define CONF_MAX_SIZE (4u << 20)

static const char *const short_name_mode_table[_SHORT_NAME_MODE_MAX] = {
        [SHORT_NAME_MODE_ENFORCING] = "enforcing",
        [SHORT_NAME_MODE_PERMISSIVE] = "permissive",
        [SHORT_NAME_MODE_DISABLED] = "disabled",
};

const char *short_name_mode_to_string(enum short_name_mode m)
{
        if (m < 0 || m >= _SHORT_NAME_MODE_MAX)
                return NULL;
        return short_name_mode_table[m];
}

enum short_name_mode short_name_mode_from_string(const char *s)
{
        for (int i = 0; s && i < _SHORT_NAME_MODE_MAX; i++)
                if (strcmp(s, short_name_mode_table[i]) == 0)
                        return (enum short_name_mode) i;
        return _SHORT_NAME_MODE_INVALID;
}

/* ------------------------------------------------------------------ registries.conf */

enum section {
        SEC_TOP,
        SEC_REGISTRY,
        SEC_MIRROR,
        SEC_V1_PARENT, /* [registries] */
        SEC_V1_SEARCH,
        SEC_V1_INSECURE,
        SEC_V1_BLOCK,
        SEC_IGNORED, /* [aliases], unknown tables */
};

struct parsed {
        enum section sec;
        struct registry_entry *regs;
        size_t n_regs;
        char **search;
        bool search_set;
        enum short_name_mode mode;
        bool mode_set;
        bool v1, v2;
        char **v1_lists[3]; /* search, insecure, block */
};

static void entry_clear(struct registry_entry *e)
{
        free(e->prefix);
        free(e->location);
        *e = (struct registry_entry){};
}

static void parsed_clear(struct parsed *p)
{
        for (size_t i = 0; i < p->n_regs; i++)
                entry_clear(&p->regs[i]);
        free(p->regs);
        strv_free(p->search);
        for (size_t i = 0; i < ELEMENTSOF(p->v1_lists); i++)
                strv_free(p->v1_lists[i]);
}

static int on_table(void *ud, char **path, bool array, struct toml *t, struct cu_error **err)
{
        struct parsed *p = ud;
        size_t n = strv_length(path);
        if (n == 1 && strcmp(path[0], "registry") == 0) {
                if (!array)
                        return toml_fail(t, err, "\"registry\" must be an array of tables ([[registry]])");
                struct registry_entry *nr = realloc(p->regs, (p->n_regs + 1) * sizeof(*nr));
                if (!nr)
                        return cu_error_set(err, ENOMEM, "parsing registries");
                p->regs = nr;
                p->regs[p->n_regs++] = (struct registry_entry){};
                p->sec = SEC_REGISTRY;
                p->v2 = true;
        } else if (n == 2 && strcmp(path[0], "registry") == 0 && strcmp(path[1], "mirror") == 0) {
                if (!array || p->n_regs == 0)
                        return toml_fail(t, err, "[[registry.mirror]] must follow a [[registry]]");
                p->regs[p->n_regs - 1].n_mirrors++;
                p->sec = SEC_MIRROR;
        } else if (strcmp(path[0], "registries") == 0 && !array && n <= 2) {
                static const char *const v1[] = { "search", "insecure", "block" };
                p->sec = SEC_V1_PARENT;
                for (size_t i = 0; n == 2 && i < ELEMENTSOF(v1); i++)
                        if (strcmp(path[1], v1[i]) == 0)
                                p->sec = (enum section) (SEC_V1_SEARCH + i);
                if (n == 2 && p->sec == SEC_V1_PARENT)
                        p->sec = SEC_IGNORED;
        } else {
                if (strcmp(path[0], "aliases") != 0)
                        log_debug("%s:%u: ignoring unknown table \"%s\"", t->origin, t->line,
                                  path[0]);
                p->sec = SEC_IGNORED;
        }
        return 0;
}

static int want(struct toml *t, const char *key, const struct toml_value *v, enum toml_type type,
                struct cu_error **err)
{
        static const char *const names[] = { "a string", "a boolean", "an integer",
                                             "an array of strings" };
        if (v->type != type)
                return toml_fail(t, err, "\"%s\" must be %s", key, names[type]);
        return 0;
}

static int take_strv(char ***dst, struct toml_value *v)
{
        strv_free(*dst);
        *dst = TAKE_PTR(v->strv);
        return 0;
}

static int on_top_key(struct parsed *p, const char *key, struct toml_value *v, struct toml *t,
                      struct cu_error **err)
{
        int r;
        if (strcmp(key, "unqualified-search-registries") == 0) {
                if ((r = want(t, key, v, TOML_ARRAY, err)) < 0)
                        return r;
                p->search_set = p->v2 = true;
                return take_strv(&p->search, v);
        }
        if (strcmp(key, "short-name-mode") == 0) {
                if ((r = want(t, key, v, TOML_STRING, err)) < 0)
                        return r;
                p->mode = short_name_mode_from_string(v->s);
                if (p->mode < 0)
                        return toml_fail(t, err, "invalid short-name mode \"%s\"", v->s);
                p->mode_set = true;
                return 0;
        }
        if (strcmp(key, "credential-helpers") == 0)
                return want(t, key, v, TOML_ARRAY, err);
        if (strcmp(key, "additional-layer-store-auth-helper") == 0)
                return want(t, key, v, TOML_STRING, err);
        log_debug("%s:%u: ignoring unknown key \"%s\"", t->origin, t->line, key);
        return 0;
}

static int on_registry_key(struct registry_entry *e, const char *key, struct toml_value *v,
                           struct toml *t, struct cu_error **err)
{
        int r;
        if (strcmp(key, "prefix") == 0 || strcmp(key, "location") == 0) {
                if ((r = want(t, key, v, TOML_STRING, err)) < 0)
                        return r;
                char **dst = key[0] == 'p' ? &e->prefix : &e->location;
                free(*dst);
                *dst = TAKE_PTR(v->s);
                return 0;
        }
        bool *flag = strcmp(key, "insecure") == 0               ? &e->insecure
                     : strcmp(key, "blocked") == 0              ? &e->blocked
                     : strcmp(key, "mirror-by-digest-only") == 0 ? &e->mirror_by_digest_only
                                                                 : NULL;
        if (flag) {
                if ((r = want(t, key, v, TOML_BOOL, err)) < 0)
                        return r;
                *flag = v->b;
                return 0;
        }
        if (strcmp(key, "pull-from-mirror") == 0)
                return toml_fail(t, err, "pull-from-mirror must not be set for a non-mirror registry");
        log_debug("%s:%u: ignoring unknown key \"%s\" in [[registry]]", t->origin, t->line, key);
        return 0;
}

static int on_key(void *ud, const char *key, struct toml_value *v, struct toml *t,
                  struct cu_error **err)
{
        struct parsed *p = ud;
        int r;
        switch (p->sec) {
        case SEC_TOP:
                return on_top_key(p, key, v, t, err);
        case SEC_REGISTRY:
                return on_registry_key(&p->regs[p->n_regs - 1], key, v, t, err);
        case SEC_MIRROR:
                if (strcmp(key, "location") == 0) {
                        if ((r = want(t, key, v, TOML_STRING, err)) < 0)
                                return r;
                        if (v->s[0] == 0)
                                return toml_fail(t, err, "mirror location is unset");
                } else if (strcmp(key, "insecure") == 0)
                        return want(t, key, v, TOML_BOOL, err);
                return 0;
        case SEC_V1_SEARCH:
        case SEC_V1_INSECURE:
        case SEC_V1_BLOCK:
                if (strcmp(key, "registries") != 0)
                        return 0;
                if ((r = want(t, key, v, TOML_ARRAY, err)) < 0)
                        return r;
                p->v1 = true;
                return take_strv(&p->v1_lists[p->sec - SEC_V1_SEARCH], v);
        case SEC_V1_PARENT:
        case SEC_IGNORED:
                return 0;
        }
        return 0;
}

/* Drops trailing slashes; rejects URL schemes (containers/image's parseLocation). */
static int clean_location(char *s, const char *origin, struct cu_error **err)
{
        size_t n = strlen(s);
        while (n > 0 && s[n - 1] == '/')
                s[--n] = 0;
        if (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0)
                return cu_error_setx(err, EINVAL, "%s: invalid location \"%s\": URI schemes are not supported",
                                     origin, s);
        return 0;
}

static int v1_to_v2(struct parsed *p, const char *origin, struct cu_error **err)
{
        if (p->v2)
                return cu_error_setx(err, EINVAL, "%s: mixing sysregistry v1/v2 is not supported",
                                     origin);
        if (p->v1_lists[0]) {
                p->search = TAKE_PTR(p->v1_lists[0]);
                p->search_set = true;
        }
        for (int k = 1; k <= 2; k++)
                for (char **h = p->v1_lists[k]; h && *h; h++) {
                        struct registry_entry *e = NULL;
                        for (size_t i = 0; i < p->n_regs; i++)
                                if (strcmp(p->regs[i].location, *h) == 0)
                                        e = &p->regs[i];
                        if (!e) {
                                struct registry_entry *nr =
                                        realloc(p->regs, (p->n_regs + 1) * sizeof(*nr));
                                if (!nr)
                                        return cu_error_set(err, ENOMEM, "parsing registries");
                                p->regs = nr;
                                e = &p->regs[p->n_regs++];
                                *e = (struct registry_entry){ .location = strdup(*h) };
                                if (!e->location)
                                        return cu_error_set(err, ENOMEM, "parsing registries");
                        }
                        if (k == 1)
                                e->insecure = true;
                        else
                                e->blocked = true;
                }
        return 0;
}

static bool wildcard_ok(const char *prefix)
{
        return strncmp(prefix, "*.", 2) == 0 && prefix[2] && !strpbrk(prefix + 1, "/@:*");
}

/* Defaults and checks, as containers/image's postProcessRegistries. */
static int post_process(struct parsed *p, const char *origin, struct cu_error **err)
{
        int r;
        if (p->v1 && (r = v1_to_v2(p, origin, err)) < 0)
                return r;
        for (char **s = p->search; s && *s; s++)
                if ((r = clean_location(*s, origin, err)) < 0)
                        return r;
        for (size_t i = 0; i < p->n_regs; i++) {
                struct registry_entry *e = &p->regs[i];
                if (e->location && (r = clean_location(e->location, origin, err)) < 0)
                        return r;
                if (e->location && !e->location[0])
                        e->location = (free(e->location), NULL);
                if (e->prefix && (r = clean_location(e->prefix, origin, err)) < 0)
                        return r;
                if (e->prefix && !e->prefix[0])
                        e->prefix = (free(e->prefix), NULL);
                if (!e->prefix) {
                        if (!e->location)
                                return cu_error_setx(err, EINVAL,
                                                     "%s: invalid condition: both location and prefix are unset",
                                                     origin);
                        e->prefix = strdup(e->location);
                        if (!e->prefix)
                                return cu_error_set(err, ENOMEM, "parsing registries");
                } else if (strchr(e->prefix, '*')) {
                        if (!wildcard_ok(e->prefix))
                                return cu_error_setx(err, EINVAL,
                                                     "%s: wildcarded prefix should be in the format *.example.com, not \"%s\"",
                                                     origin, e->prefix);
                } else if (!e->location)
                        return cu_error_setx(err, EINVAL,
                                             "%s: invalid condition: location is unset and prefix is not in the format: *.example.com",
                                             origin);
        }
        for (size_t i = 0; i < p->n_regs; i++)
                for (size_t j = 0; j < i; j++) {
                        const struct registry_entry *a = &p->regs[i], *b = &p->regs[j];
                        const char *ka = a->location ? a->location : a->prefix;
                        const char *kb = b->location ? b->location : b->prefix;
                        if (strcmp(ka, kb) != 0)
                                continue;
                        if (a->insecure != b->insecure || a->blocked != b->blocked)
                                return cu_error_setx(err, EINVAL,
                                                     "%s: registry \"%s\" is defined multiple times with conflicting '%s' setting",
                                                     origin, ka,
                                                     a->insecure != b->insecure ? "insecure" : "blocked");
                }
        return 0;
}

static int cmp_entry(const void *a, const void *b)
{
        return strcmp(((const struct registry_entry *) a)->prefix,
                      ((const struct registry_entry *) b)->prefix);
}

/* Moves p's settings into c (p's registries replace c's ones with the same prefix). */
static int merge(struct registries_conf *c, struct parsed *p, struct cu_error **err)
{
        size_t cap = c->n_registries + p->n_regs;
        struct registry_entry *regs = calloc(cap ? cap : 1, sizeof(*regs));
        if (!regs)
                return cu_error_set(err, ENOMEM, "merging registries");
        if (p->search_set && !p->search && !(p->search = calloc(1, sizeof(char *)))) {
                free(regs);
                return cu_error_set(err, ENOMEM, "merging registries");
        }
        size_t n = 0;
        for (size_t i = 0; i < c->n_registries; i++) {
                bool replaced = false;
                for (size_t j = 0; j < p->n_regs && !replaced; j++)
                        replaced = strcmp(c->registries[i].prefix, p->regs[j].prefix) == 0;
                if (replaced)
                        entry_clear(&c->registries[i]);
                else
                        regs[n++] = c->registries[i];
        }
        for (size_t j = 0; j < p->n_regs; j++) {
                /* within one file the last table with a prefix wins */
                size_t k = 0;
                while (k < n && strcmp(regs[k].prefix, p->regs[j].prefix) != 0)
                        k++;
                if (k < n)
                        entry_clear(&regs[k]);
                regs[k] = p->regs[j];
                p->regs[j] = (struct registry_entry){};
                if (k == n)
                        n++;
        }
        free(c->registries);
        c->registries = regs;
        c->n_registries = n;
        qsort(c->registries, n, sizeof(*regs), cmp_entry);
        if (p->search_set) {
                strv_free(c->search);
                c->search = TAKE_PTR(p->search);
        }
        if (p->mode_set)
                c->short_name_mode = p->mode;
        return 0;
}

struct registries_conf *registries_conf_new(void)
{
        struct registries_conf *c = calloc(1, sizeof(*c));
        if (!c)
                return NULL;
        c->search = calloc(1, sizeof(char *));
        if (!c->search)
                return registries_conf_free(c);
        c->short_name_mode = SHORT_NAME_MODE_PERMISSIVE;
        return c;
}

struct registries_conf *registries_conf_free(struct registries_conf *c)
{
        if (!c)
                return NULL;
        strv_free(c->search);
        for (size_t i = 0; i < c->n_registries; i++)
                entry_clear(&c->registries[i]);
        free(c->registries);
        free(c);
        return NULL;
}

int registries_conf_parse(struct registries_conf *c, const char *text, size_t len,
                          const char *origin, struct cu_error **err)
{
        struct parsed p = { .sec = SEC_TOP };
        struct toml t = {
                .p = text, .end = text + len, .origin = origin ? origin : "registries.conf",
                .on_table = on_table, .on_key = on_key, .ud = &p,
        };
        int r = toml_parse(&t, err);
        if (r >= 0)
                r = post_process(&p, t.origin, err);
        if (r >= 0)
                r = merge(c, &p, err);
        parsed_clear(&p);
        return r;
}

/* A missing file is not an error (returns 0 without parsing). */
static int parse_file(struct registries_conf *c, const char *path, struct cu_error **err)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : cu_error_set(err, errno, "opening %s", path);
        struct stat st;
        if (fstat(fd, &st) < 0)
                return cu_error_set(err, errno, "reading %s", path);
        if (st.st_size > CONF_MAX_SIZE)
                return cu_error_setx(err, EFBIG, "%s: file too large", path);
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int r = read_full_fd(fd, &text, &len);
        if (r < 0)
                return cu_error_set(err, -r, "reading %s", path);
        log_debug("loading registries configuration \"%s\"", path);
        return registries_conf_parse(c, text, len, path, err);
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static int parse_dir(struct registries_conf *c, const char *dir, struct cu_error **err)
{
        _cleanup_closedir_ DIR *d = opendir(dir);
        if (!d)
                return errno == ENOENT || errno == ENOTDIR ? 0
                                                           : cu_error_set(err, errno, "opening %s", dir);
        _cleanup_strv_ char **names = calloc(1, sizeof(char *));
        if (!names)
                return cu_error_set(err, ENOMEM, "reading %s", dir);
        struct dirent *de;
        while ((de = readdir(d))) {
                size_t n = strlen(de->d_name);
                if (de->d_name[0] == '.' || n < 6 || strcmp(de->d_name + n - 5, ".conf") != 0)
                        continue;
                if (strv_extend(&names, de->d_name) < 0)
                        return cu_error_set(err, ENOMEM, "reading %s", dir);
        }
        qsort(names, strv_length(names), sizeof(char *), cmp_str);
        for (char **n = names; *n; n++) {
                _cleanup_free_ char *path = NULL;
                if (asprintf(&path, "%s/%s", dir, *n) < 0)
                        return cu_error_set(err, ENOMEM, "reading %s", dir);
                struct stat st;
                if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
                        continue;
                int r = parse_file(c, path, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

struct registries_conf *registries_conf_load(const char *path, struct cu_error **err)
{
        _cleanup_registries_conf_ struct registries_conf *c = registries_conf_new();
        if (!c) {
                cu_error_set(err, ENOMEM, "loading registries configuration");
                return NULL;
        }
        if (path) {
                if (parse_file(c, path, err) < 0)
                        return NULL;
                return TAKE_PTR(c);
        }
        const char *home = getenv("HOME");
        const char *env = getenv("CONTAINERS_REGISTRIES_CONF");
        _cleanup_free_ char *user_file = NULL, *user_dir = NULL;
        if (home && home[0] &&
            (asprintf(&user_file, "%s/.config/containers/registries.conf", home) < 0 ||
             asprintf(&user_dir, "%s/.config/containers/registries.conf.d", home) < 0)) {
                cu_error_set(err, ENOMEM, "loading registries configuration");
                return NULL;
        }
        bool use_user = !(env && env[0]) && user_file && access(user_file, F_OK) == 0;
        const char *main_file = env && env[0] ? env
                                : use_user    ? user_file
                                              : "/etc/containers/registries.conf";
        if (parse_file(c, main_file, err) < 0)
                return NULL;
        if (!use_user && parse_dir(c, "/etc/containers/registries.conf.d", err) < 0)
                return NULL;
        if (user_dir && parse_dir(c, user_dir, err) < 0)
                return NULL;
        return TAKE_PTR(c);
}

/* Length matched, or -1 (containers/image's refMatchingPrefix). */
static ssize_t match_prefix(const char *ref, const char *prefix)
{
        size_t rl = strlen(ref), pl = strlen(prefix);
        if (strncmp(prefix, "*.", 2) == 0) {
                const char *dom = prefix + 1; /* ".example.com" */
                const char *at = strstr(ref, dom);
                if (!at || memchr(ref, '/', (size_t) (at - ref)))
                        return -1;
                size_t end = (size_t) (at - ref) + strlen(dom);
                if (end == rl || strchr(":/@", ref[end]))
                        return (ssize_t) end;
                return -1;
        }
        if (rl < pl || strncmp(ref, prefix, pl) != 0)
                return -1;
        if (rl == pl || strchr(":/@", ref[pl]))
                return (ssize_t) pl;
        return -1;
}

const struct registry_entry *registries_conf_lookup(const struct registries_conf *c,
                                                    const char *ref)
{
        const struct registry_entry *best = NULL;
        size_t best_len = 0;
        for (size_t i = 0; c && ref && i < c->n_registries; i++) {
                const struct registry_entry *e = &c->registries[i];
                if (match_prefix(ref, e->prefix) < 0)
                        continue;
                if (strlen(e->prefix) > best_len) {
                        best = e;
                        best_len = strlen(e->prefix);
                }
        }
        return best;
}

char *registries_conf_rewrite(const struct registry_entry *e, const char *ref)
{
        if (!e || !e->location || strncmp(e->prefix, "*.", 2) == 0)
                return strdup(ref);
        ssize_t n = match_prefix(ref, e->prefix);
        if (n < 0)
                return strdup(ref);
        char *s = NULL;
        if (asprintf(&s, "%s%s", e->location, ref + n) < 0)
                return NULL;
        return s;
}
