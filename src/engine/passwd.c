/* SPDX-License-Identifier: GPL-2.0-or-later */
/* /etc/passwd and /etc/group: lookups (runc's rules) and generated entries (passwd.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/passwd.h"
#include "util/parse.h"
#include "util/strv.h"

void pw_entry_done(struct pw_entry *e)
{
        free(e->name);
        free(e->passwd);
        free(e->gecos);
        free(e->home);
        free(e->shell);
        *e = (struct pw_entry){ 0 };
}

void gr_entry_done(struct gr_entry *e)
{
        free(e->name);
        strv_free(e->members);
        *e = (struct gr_entry){ 0 };
}

void exec_user_done(struct exec_user *u)
{
        free(u->sgids);
        free(u->name);
        free(u->home);
        *u = (struct exec_user){ 0 };
}

int passwd_parse_id(const char *s, uint32_t *ret)
{
        uint64_t v;
        int r = safe_atou64(s, &v);
        if (r < 0)
                return r;
        if (v > PASSWD_ID_MAX)
                return -ERANGE;
        *ret = (uint32_t) v;
        return 0;
}

/* Splits one line (NUL-terminated, modified in place) into up to n fields; missing fields
 * are "".  Returns the number of fields present. */
static size_t split_fields(char *line, char **f, size_t n)
{
        size_t k = 0;
        char *p = line;
        for (; k < n && p; k++) {
                f[k] = p;
                p = strchr(p, ':');
                if (p)
                        *p++ = '\0';
        }
        size_t present = k;
        for (; k < n; k++)
                f[k] = (char *) "";
        return present;
}

/* Calls fn for every usable line (a copy, split into nf fields) of text until fn returns
 * non-zero; returns that value (0 at the end). */
typedef int (*line_fn)(char **f, size_t nf, void *ud);
static int for_each_line(const char *text, size_t nf, line_fn fn, void *ud)
{
        for (const char *p = text; p && *p;) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t) (nl - p) : strlen(p);
                const char *next = nl ? nl + 1 : p + len;
                while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == ' ' || p[len - 1] == '\t'))
                        len--;
                while (len > 0 && (*p == ' ' || *p == '\t')) {
                        p++;
                        len--;
                }
                if (len == 0 || *p == '#') {
                        p = next;
                        continue;
                }
                _cleanup_free_ char *line = strndup(p, len);
                if (!line)
                        return -ENOMEM;
                char *f[7];
                uint32_t id;
                if (split_fields(line, f, nf) >= 3 && passwd_parse_id(f[2], &id) == 0) {
                        int r = fn(f, nf, ud);
                        if (r != 0)
                                return r;
                }
                p = next;
        }
        return 0;
}

struct find_ctx {
        const char *spec;
        bool numeric;
        uint32_t id;
        void *ret;
};

static bool matches(char **f, const struct find_ctx *x)
{
        uint32_t id;
        if (x->numeric)
                return passwd_parse_id(f[2], &id) == 0 && id == x->id;
        return strcmp(f[0], x->spec) == 0;
}

static int pw_match(char **f, size_t nf, void *ud)
{
        (void) nf;
        struct find_ctx *x = ud;
        if (!matches(f, x))
                return 0;
        struct pw_entry *e = x->ret;
        *e = (struct pw_entry){ .name = strdup(f[0]), .passwd = strdup(f[1]), .gecos = strdup(f[4]),
                                .home = strdup(f[5]), .shell = strdup(f[6]) };
        (void) passwd_parse_id(f[2], &e->uid);
        if (passwd_parse_id(f[3], &e->gid) < 0)
                e->gid = 0;
        if (!e->name || !e->passwd || !e->gecos || !e->home || !e->shell) {
                pw_entry_done(e);
                return -ENOMEM;
        }
        return 1;
}

static int gr_match(char **f, size_t nf, void *ud)
{
        (void) nf;
        struct find_ctx *x = ud;
        if (!matches(f, x))
                return 0;
        struct gr_entry *e = x->ret;
        *e = (struct gr_entry){ .name = strdup(f[0]) };
        (void) passwd_parse_id(f[2], &e->gid);
        e->members = *f[3] ? strv_split(f[3], ",") : calloc(1, sizeof(char *));
        if (!e->name || !e->members) {
                gr_entry_done(e);
                return -ENOMEM;
        }
        return 1;
}

static void find_init(struct find_ctx *x, const char *spec, void *ret)
{
        *x = (struct find_ctx){ .spec = spec, .ret = ret };
        x->numeric = passwd_parse_id(spec, &x->id) == 0;
}

int passwd_find(const char *text, const char *spec, struct pw_entry *ret)
{
        struct find_ctx x;
        find_init(&x, spec, ret);
        return for_each_line(text, 7, pw_match, &x);
}

int group_find(const char *text, const char *spec, struct gr_entry *ret)
{
        struct find_ctx x;
        find_init(&x, spec, ret);
        return for_each_line(text, 4, gr_match, &x);
}

/* ------------------------------------------------------------------ exec user */

struct sgid_ctx {
        const char *user;
        struct exec_user *u;
};

static int sgid_add(char **f, size_t nf, void *ud)
{
        (void) nf;
        struct sgid_ctx *x = ud;
        _cleanup_strv_ char **members = strv_split(f[3], ",");
        if (!members)
                return -ENOMEM;
        if (!strv_contains(members, x->user))
                return 0;
        uint32_t *n = realloc(x->u->sgids, (x->u->n_sgids + 1) * sizeof *n);
        if (!n)
                return -ENOMEM;
        x->u->sgids = n;
        (void) passwd_parse_id(f[2], &n[x->u->n_sgids++]);
        return 0;
}

/* A numeric spec in range, a name (-EINVAL), or out of range (-ERANGE). */
static int numeric_id(const char *s, uint32_t *ret)
{
        uint64_t v;
        if (safe_atou64(s, &v) < 0)
                return -EINVAL;
        if (v > PASSWD_ID_MAX)
                return -ERANGE;
        *ret = (uint32_t) v;
        return 0;
}

int exec_user_resolve(const char *passwd, const char *group, const char *spec,
                      struct exec_user *ret, struct cu_error **err)
{
        _cleanup_free_ char *u = strdup(spec ? spec : "");
        if (!u)
                return -ENOMEM;
        char *g = strchr(u, ':');
        if (g)
                *g++ = '\0';
        struct exec_user r = { 0 };
        uint32_t id = 0;
        int k = *u ? numeric_id(u, &id) : 0;
        if (k == -ERANGE)
                return cu_error_setx(err, ERANGE, "uids and gids must be in range 0-%u",
                                     PASSWD_ID_MAX);
        struct pw_entry pw = { 0 };
        int found = passwd_find(passwd, *u ? u : "0", &pw);
        if (found < 0)
                return found;
        if (found) {
                r.uid = pw.uid;
                r.gid = pw.gid;
                r.name = TAKE_PTR(pw.name);
                r.home = TAKE_PTR(pw.home);
                pw_entry_done(&pw);
        } else if (*u && k < 0) {
                return cu_error_setx(err, ENOENT,
                                     "unable to find user %s: no matching entries in passwd file", u);
        } else {
                r.uid = *u ? id : 0;
        }
        int ret_r = 0;
        if (g && *g) {
                struct gr_entry gr = { 0 };
                int gk = numeric_id(g, &id);
                found = group_find(group, g, &gr);
                if (found < 0) {
                        ret_r = found;
                } else if (found) {
                        r.gid = gr.gid;
                        gr_entry_done(&gr);
                } else if (gk == -ERANGE) {
                        ret_r = cu_error_setx(err, ERANGE, "uids and gids must be in range 0-%u",
                                              PASSWD_ID_MAX);
                } else if (gk < 0) {
                        ret_r = cu_error_setx(err, ENOENT,
                                              "unable to find group %s: no matching entries in group file",
                                              g);
                } else {
                        r.gid = id;
                }
        } else if (r.name) {
                struct sgid_ctx x = { .user = r.name, .u = &r };
                ret_r = for_each_line(group, 4, sgid_add, &x);
        }
        if (ret_r < 0) {
                exec_user_done(&r);
                return ret_r;
        }
        *ret = r;
        return 0;
}

int group_add_resolve(const char *group, const char *spec, uint32_t *ret, struct cu_error **err)
{
        uint32_t id;
        if (numeric_id(spec, &id) == 0) {
                *ret = id;
                return 0;
        }
        struct gr_entry gr = { 0 };
        int found = group_find(group, spec, &gr);
        if (found < 0)
                return found;
        if (!found)
                return cu_error_setx(err, ENOENT,
                                     "Unable to find group %s: no matching entries in group file", spec);
        *ret = gr.gid;
        gr_entry_done(&gr);
        return 0;
}

/* ------------------------------------------------------------------ generated entries */

/* s with every key replaced by val (Go's strings.ReplaceAll). */
static char *replace_all(const char *s, const char *key, const char *val)
{
        size_t kl = strlen(key), vl = strlen(val), count = 0;
        for (const char *p = strstr(s, key); p; p = strstr(p + kl, key))
                count++;
        char *out = malloc(strlen(s) - count * kl + count * vl + 1), *o = out;
        if (!out)
                return NULL;
        const char *p = s, *q;
        while ((q = strstr(p, key))) {
                memcpy(o, p, (size_t) (q - p));
                o += q - p;
                memcpy(o, val, vl);
                o += vl;
                p = q + kl;
        }
        strcpy(o, p);
        return out;
}

/* tmpl with each vars[i][0] replaced by vars[i][1], in order, plus "\n". */
static char *expand(const char *tmpl, const char *const (*vars)[2], size_t n)
{
        _cleanup_free_ char *s = strdup(tmpl);
        for (size_t i = 0; s && i < n; i++) {
                char *t = replace_all(s, vars[i][0], vars[i][1] ? vars[i][1] : "");
                free(s);
                s = t;
        }
        char *r = NULL;
        if (!s || asprintf(&r, "%s\n", s) < 0)
                return NULL;
        return r;
}

char *passwd_template(const char *tmpl, const char *username, const char *uid, const char *gid,
                      const char *name, const char *home)
{
        const char *const vars[][2] = { { "$USERNAME", username }, { "$UID", uid }, { "$GID", gid },
                                         { "$NAME", name }, { "$HOME", home } };
        return expand(tmpl, vars, ELEMENTSOF(vars));
}

char *group_template(const char *tmpl, const char *groupname, const char *gid,
                     const char *userlist)
{
        const char *const vars[][2] = { { "$GROUPNAME", groupname }, { "$GID", gid },
                                         { "$USERLIST", userlist } };
        return expand(tmpl, vars, ELEMENTSOF(vars));
}

int passwd_user_entry(const struct passwd_gen *g, const char *passwd, const char *group,
                      uint32_t added_uid, char **ret, struct cu_error **err)
{
        *ret = NULL;
        if (!g->user || !*g->user)
                return 0;
        _cleanup_free_ char *u = strdup(g->user);
        if (!u)
                return -ENOMEM;
        char *gs = strchr(u, ':');
        if (gs)
                *gs++ = '\0';
        uint32_t uid, gid = 0;
        if (numeric_id(u, &uid) < 0)
                return 0; /* a name: nothing to generate */
        if (added_uid != 0 && uid == added_uid)
                return 0;
        struct pw_entry pw = { 0 };
        int r = passwd_find(passwd, u, &pw);
        if (r != 0) {
                pw_entry_done(&pw);
                return r < 0 ? r : 0;
        }
        if (gs && *gs && numeric_id(gs, &gid) < 0) {
                struct gr_entry gr = { 0 };
                r = group_find(group, gs, &gr);
                if (r < 0)
                        return r;
                if (!r)
                        return cu_error_setx(err, ENOENT,
                                             "unable to get gid %s from group file: no matching entries in group file",
                                             gs);
                gid = gr.gid;
                gr_entry_done(&gr);
        }
        const char *home = g->workdir && *g->workdir ? g->workdir : "/";
        char us[16], gsb[16];
        snprintf(us, sizeof us, "%u", uid);
        snprintf(gsb, sizeof gsb, "%u", gid);
        if (g->passwd_entry && *g->passwd_entry)
                *ret = passwd_template(g->passwd_entry, us, us, gsb, "container user", home);
        else if (asprintf(ret, "%u:*:%u:%u:container user:%s:/bin/sh\n", uid, uid, gid, home) < 0)
                *ret = NULL;
        return *ret ? 0 : -ENOMEM;
}

int group_user_entry(const struct passwd_gen *g, const char *group, uint32_t added_gid,
                     char **ret, struct cu_error **err)
{
        (void) err;
        *ret = NULL;
        if (!g->user || !*g->user)
                return 0;
        _cleanup_free_ char *u = strdup(g->user);
        if (!u)
                return -ENOMEM;
        char *gs = strchr(u, ':');
        if (gs)
                *gs++ = '\0';
        const char *grp = gs ? gs : u;
        uint32_t gid;
        if (numeric_id(grp, &gid) < 0)
                return 0;
        if (added_gid != 0 && gid == added_gid)
                return 0;
        struct gr_entry gr = { 0 };
        int r = group_find(group, grp, &gr);
        if (r != 0) {
                gr_entry_done(&gr);
                return r < 0 ? r : 0;
        }
        char gsb[16];
        snprintf(gsb, sizeof gsb, "%u", gid);
        if (g->group_entry && *g->group_entry)
                *ret = group_template(g->group_entry, gsb, gsb, u);
        else if (asprintf(ret, "%u:x:%u:%s\n", gid, gid, u) < 0)
                *ret = NULL;
        return *ret ? 0 : -ENOMEM;
}

int passwd_host_entry(const struct passwd_gen *g, const char *passwd,
                      const struct pw_entry *host, bool home_mounted, char **ret,
                      char **ret_home)
{
        *ret = NULL;
        char us[16], gsb[16];
        snprintf(us, sizeof us, "%u", host->uid);
        snprintf(gsb, sizeof gsb, "%u", host->gid);
        struct pw_entry pw = { 0 };
        int r = passwd_find(passwd, host->name, &pw);
        if (r == 0)
                r = passwd_find(passwd, us, &pw);
        pw_entry_done(&pw);
        if (r != 0)
                return r < 0 ? r : 0;
        const char *home = home_mounted ? host->home : g->workdir && *g->workdir ? g->workdir : "/";
        if (g->passwd_entry && *g->passwd_entry)
                *ret = passwd_template(g->passwd_entry, host->name, us, gsb, host->gecos, home);
        else if (asprintf(ret, "%s:*:%s:%s:%s:%s:/bin/sh\n", host->name, us, gsb,
                          strempty(host->gecos), home) < 0)
                *ret = NULL;
        if (!*ret)
                return -ENOMEM;
        if (ret_home && !(*ret_home = strdup(home))) {
                free(TAKE_PTR(*ret));
                return -ENOMEM;
        }
        return 0;
}
