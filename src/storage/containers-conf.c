/* SPDX-License-Identifier: GPL-2.0-or-later */
/* containers.conf(5) and containers-storage.conf(5) (see containers-conf.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "storage/containers-conf.h"
#include "storage/toml.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/strv.h"

#define CONF_MAX_SIZE (4u << 20)
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* ------------------------------------------------------------------ keys */

enum section {
        SEC_OTHER,
        SEC_CONTAINERS,
        SEC_ENGINE,
        SEC_RUNTIMES,
        SEC_NETWORK,
        SEC_STORAGE,
        SEC_STORAGE_OPTIONS,
};

enum kind { K_STR, K_STRV, K_BOOL, K_INT, K_UMASK };

struct key {
        enum section sec;
        const char *name;
        enum kind kind;
        size_t off;
        const char *const *allowed; /* K_STR: the accepted values, NULL-terminated */
};

#define CC(f) offsetof(struct containers_conf, f)
#define SC(f) offsetof(struct storage_conf, f)

static const char *const cgroup_managers[] = { "cgroupfs", "systemd", NULL };
static const char *const events_loggers[] = { "file", "journald", "none", NULL };
static const char *const log_drivers[] = { "k8s-file", "journald", "none", "passthrough",
                                           "json-file", NULL };

static const struct key keys[] = {
        { SEC_CONTAINERS, "default_ulimits", K_STRV, CC(default_ulimits), NULL },
        { SEC_CONTAINERS, "default_capabilities", K_STRV, CC(default_capabilities), NULL },
        { SEC_CONTAINERS, "dns_servers", K_STRV, CC(dns_servers), NULL },
        { SEC_CONTAINERS, "dns_searches", K_STRV, CC(dns_searches), NULL },
        { SEC_CONTAINERS, "dns_options", K_STRV, CC(dns_options), NULL },
        { SEC_CONTAINERS, "env", K_STRV, CC(env), NULL },
        { SEC_CONTAINERS, "default_sysctls", K_STRV, CC(default_sysctls), NULL },
        { SEC_CONTAINERS, "tz", K_STR, CC(tz), NULL },
        { SEC_CONTAINERS, "umask", K_UMASK, CC(umask), NULL },
        { SEC_CONTAINERS, "shm_size", K_STR, CC(shm_size), NULL },
        { SEC_CONTAINERS, "pids_limit", K_INT, CC(pids_limit), NULL },
        { SEC_CONTAINERS, "log_driver", K_STR, CC(log_driver), log_drivers },
        { SEC_CONTAINERS, "log_size_max", K_INT, CC(log_size_max), NULL },
        { SEC_CONTAINERS, "init_path", K_STR, CC(init_path), NULL },
        { SEC_CONTAINERS, "no_hosts", K_BOOL, CC(no_hosts), NULL },
        { SEC_CONTAINERS, "base_hosts_file", K_STR, CC(base_hosts_file), NULL },
        { SEC_CONTAINERS, "cgroupns", K_STR, CC(cgroupns), NULL },
        { SEC_CONTAINERS, "ipcns", K_STR, CC(ipcns), NULL },
        { SEC_CONTAINERS, "netns", K_STR, CC(netns), NULL },
        { SEC_CONTAINERS, "pidns", K_STR, CC(pidns), NULL },
        { SEC_CONTAINERS, "utsns", K_STR, CC(utsns), NULL },
        { SEC_CONTAINERS, "userns", K_STR, CC(userns), NULL },
        { SEC_ENGINE, "runtime", K_STR, CC(runtime), NULL },
        { SEC_ENGINE, "cgroup_manager", K_STR, CC(cgroup_manager), cgroup_managers },
        { SEC_ENGINE, "events_logger", K_STR, CC(events_logger), events_loggers },
        { SEC_ENGINE, "tmp_dir", K_STR, CC(tmp_dir), NULL },
        { SEC_ENGINE, "volume_path", K_STR, CC(volume_path), NULL },
        { SEC_ENGINE, "image_default_transport", K_STR, CC(image_default_transport), NULL },
        { SEC_NETWORK, "default_network", K_STR, CC(default_network), NULL },
        { SEC_NETWORK, "default_subnet", K_STR, CC(default_subnet), NULL },
        { SEC_NETWORK, "network_config_dir", K_STR, CC(network_config_dir), NULL },
        { SEC_STORAGE, "driver", K_STR, SC(driver), NULL },
        { SEC_STORAGE, "graphroot", K_STR, SC(graphroot), NULL },
        { SEC_STORAGE, "runroot", K_STR, SC(runroot), NULL },
        { SEC_STORAGE, "rootless_storage_path", K_STR, SC(rootless_storage_path), NULL },
};

/* Keys podman knows and cuttle deliberately ignores (no debug line for them). */
static const char *const ignored_quietly[] = { "conmon_path", "conmon_env_vars", NULL };

static const char *const kind_names[] = {
        [K_STR] = "a string", [K_STRV] = "an array of strings", [K_BOOL] = "a boolean",
        [K_INT] = "an integer", [K_UMASK] = "an octal string",
};
static const enum toml_type kind_types[] = {
        [K_STR] = TOML_STRING, [K_STRV] = TOML_ARRAY, [K_BOOL] = TOML_BOOL,
        [K_INT] = TOML_INT, [K_UMASK] = TOML_STRING,
};

struct parser {
        void *obj; /* struct containers_conf or struct storage_conf */
        bool storage;
        enum section sec;
        char *subtable; /* [storage.options.X]: "X" */
};

static int set_key(struct parser *p, const struct key *k, struct toml_value *v, struct toml *t,
                   struct cu_error **err)
{
        void *field = (char *) p->obj + k->off;
        if (v->type != kind_types[k->kind])
                return toml_fail(t, err, "%s: expected %s", k->name, kind_names[k->kind]);
        switch (k->kind) {
        case K_STR:
                if (k->allowed && !strv_contains((char *const *) k->allowed, v->s)) {
                        _cleanup_free_ char *list = strv_join((char *const *) k->allowed, ", ");
                        return toml_fail(t, err, "%s: invalid value \"%s\" (expected one of %s)",
                                         k->name, v->s, strempty(list));
                }
                free(*(char **) field);
                *(char **) field = TAKE_PTR(v->s);
                return 0;
        case K_STRV:
                strv_free(*(char ***) field);
                *(char ***) field = TAKE_PTR(v->strv);
                if (!*(char ***) field && !(*(char ***) field = calloc(1, sizeof(char *))))
                        return cu_error_set(err, ENOMEM, "parsing %s", t->origin);
                return 0;
        case K_BOOL:
                *(bool *) field = v->b;
                return 0;
        case K_INT:
                *(int64_t *) field = v->i;
                return 0;
        case K_UMASK: {
                unsigned m;
                if (safe_atou_octal(v->s, &m) < 0 || m > 0777)
                        return toml_fail(t, err, "%s: invalid umask \"%s\"", k->name, v->s);
                *(unsigned *) field = m;
                return 0;
        }
        }
        return 0;
}

static int on_table(void *ud, char **path, bool array, struct toml *t, struct cu_error **err)
{
        struct parser *p = ud;
        size_t n = strv_length(path);
        p->sec = SEC_OTHER;
        p->subtable = (free(p->subtable), NULL);
        if (array) {
                log_debug("%s:%u: ignoring [[%s]]", t->origin, t->line, path[0]);
                return 0;
        }
        if (!p->storage) {
                if (n == 1 && strcmp(path[0], "containers") == 0)
                        p->sec = SEC_CONTAINERS;
                else if (n == 1 && strcmp(path[0], "engine") == 0)
                        p->sec = SEC_ENGINE;
                else if (n == 2 && strcmp(path[0], "engine") == 0 && strcmp(path[1], "runtimes") == 0)
                        p->sec = SEC_RUNTIMES;
                else if (n == 1 && strcmp(path[0], "network") == 0)
                        p->sec = SEC_NETWORK;
        } else if (strcmp(path[0], "storage") == 0) {
                if (n == 1)
                        p->sec = SEC_STORAGE;
                else if (strcmp(path[1], "options") == 0 && n <= 3) {
                        p->sec = SEC_STORAGE_OPTIONS;
                        if (n == 3 && !(p->subtable = strdup(path[2])))
                                return cu_error_set(err, ENOMEM, "parsing %s", t->origin);
                }
        }
        if (p->sec == SEC_OTHER)
                log_debug("%s:%u: ignoring table [%s%s%s]", t->origin, t->line, path[0],
                          n > 1 ? "." : "", n > 1 ? path[1] : "");
        return 0;
}

static int runtime_set(struct containers_conf *c, const char *name, struct toml_value *v,
                       struct toml *t, struct cu_error **err)
{
        if (v->type != TOML_ARRAY)
                return toml_fail(t, err, "%s: expected an array of strings", name);
        for (size_t i = 0; i < c->n_runtimes; i++)
                if (strcmp(c->runtimes[i].name, name) == 0) {
                        strv_free(c->runtimes[i].paths);
                        c->runtimes[i].paths = TAKE_PTR(v->strv);
                        return 0;
                }
        struct conf_runtime *nr = realloc(c->runtimes, (c->n_runtimes + 1) * sizeof(*nr));
        if (!nr)
                return cu_error_set(err, ENOMEM, "parsing %s", t->origin);
        c->runtimes = nr;
        char *dup = strdup(name);
        if (!dup)
                return cu_error_set(err, ENOMEM, "parsing %s", t->origin);
        c->runtimes[c->n_runtimes++] = (struct conf_runtime){ .name = dup,
                                                              .paths = TAKE_PTR(v->strv) };
        return 0;
}

/* [storage.options]: any scalar or array, kept as "key=value" (arrays joined by ","). */
static int storage_option(struct parser *p, const char *key, struct toml_value *v,
                          struct toml *t, struct cu_error **err)
{
        struct storage_conf *s = p->obj;
        _cleanup_free_ char *val = NULL, *opt = NULL;
        switch (v->type) {
        case TOML_STRING:
                val = strdup(v->s);
                break;
        case TOML_BOOL:
                val = strdup(v->b ? "true" : "false");
                break;
        case TOML_INT:
                if (asprintf(&val, "%lld", (long long) v->i) < 0)
                        val = NULL;
                break;
        case TOML_ARRAY:
                val = strv_join(v->strv, ",");
                break;
        }
        if (!val || asprintf(&opt, "%s%s%s=%s", p->subtable ? p->subtable : "",
                             p->subtable ? "." : "", key, val) < 0)
                return cu_error_set(err, ENOMEM, "parsing %s", t->origin);
        if (strv_push(&s->options, TAKE_PTR(opt)) < 0)
                return cu_error_set(err, ENOMEM, "parsing %s", t->origin);
        return 0;
}

static int on_key(void *ud, const char *key, struct toml_value *v, struct toml *t,
                  struct cu_error **err)
{
        struct parser *p = ud;
        if (p->sec == SEC_RUNTIMES)
                return runtime_set(p->obj, key, v, t, err);
        if (p->sec == SEC_STORAGE_OPTIONS)
                return storage_option(p, key, v, t, err);
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (keys[i].sec == p->sec && strcmp(keys[i].name, key) == 0)
                        return set_key(p, &keys[i], v, t, err);
        if (!strv_contains((char *const *) ignored_quietly, key))
                log_debug("%s:%u: ignoring key \"%s\"", t->origin, t->line, key);
        return 0;
}

static int parse_text(struct parser *p, const char *text, size_t len, const char *origin,
                      struct cu_error **err)
{
        struct toml t = {
                .p = text, .end = text + len, .origin = origin,
                .on_table = on_table, .on_key = on_key, .ud = p,
        };
        int r = toml_parse(&t, err);
        free(p->subtable);
        p->subtable = NULL;
        return r;
}

/* ------------------------------------------------------------------ containers.conf */

static int set_strv(char ***dst, const char *const *src)
{
        *dst = strv_copy((char *const *) src);
        return *dst ? 0 : -ENOMEM;
}

static bool cgroup2_unified(void)
{
        struct statfs fs;
        return statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

struct containers_conf *containers_conf_new(void)
{
        static const char *const caps[] = { "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL",
                                            "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP",
                                            "SETUID", "SYS_CHROOT", NULL };
        static const char *const env[] = {
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm",
                NULL };
        static const char *const none[] = { NULL };
        static const char *const sysctls[] = { "net.ipv4.ping_group_range=0 0", NULL };
        static const char *const runc[] = { "/usr/bin/runc", "/usr/sbin/runc",
                                            "/usr/local/bin/runc", "/usr/local/sbin/runc",
                                            "/sbin/runc", "/bin/runc",
                                            "/usr/lib/cri-o-runc/sbin/runc", NULL };
        static const char *const crun[] = { "/usr/bin/crun", "/usr/sbin/crun",
                                            "/usr/local/bin/crun", "/usr/local/sbin/crun",
                                            "/sbin/crun", "/bin/crun", "/run/current-system/sw/bin/crun",
                                            NULL };
        _cleanup_containers_conf_ struct containers_conf *c = calloc(1, sizeof(*c));
        if (!c)
                return NULL;
        c->umask = 0022;
        c->pids_limit = 2048;
        c->log_size_max = -1;
        struct { char **dst; const char *val; } strs[] = {
                { &c->tz, "" }, { &c->shm_size, "65536k" }, { &c->log_driver, "k8s-file" },
                { &c->init_path, "" }, { &c->base_hosts_file, "" },
                { &c->cgroupns, cgroup2_unified() ? "private" : "host" },
                { &c->ipcns, "shareable" }, { &c->netns, geteuid() == 0 ? "bridge" : "private" },
                { &c->pidns, "private" }, { &c->utsns, "private" }, { &c->userns, "host" },
                { &c->runtime, "" }, { &c->cgroup_manager, "cgroupfs" },
                { &c->events_logger, "file" }, { &c->tmp_dir, "" }, { &c->volume_path, "" },
                { &c->image_default_transport, "docker://" }, { &c->default_network, "podman" },
                { &c->default_subnet, "10.88.0.0/16" }, { &c->network_config_dir, "" },
        };
        for (size_t i = 0; i < ELEMENTSOF(strs); i++)
                if (!(*strs[i].dst = strdup(strs[i].val)))
                        return NULL;
        if (set_strv(&c->default_ulimits, none) < 0 || set_strv(&c->default_capabilities, caps) < 0 ||
            set_strv(&c->dns_servers, none) < 0 || set_strv(&c->dns_searches, none) < 0 ||
            set_strv(&c->dns_options, none) < 0 || set_strv(&c->env, env) < 0 ||
            set_strv(&c->default_sysctls, sysctls) < 0 ||
            set_strv(&c->files, none) < 0)
                return NULL;
        c->runtimes = calloc(2, sizeof(*c->runtimes));
        if (!c->runtimes)
                return NULL;
        const char *const *lists[] = { runc, crun };
        const char *names[] = { "runc", "crun" };
        for (size_t i = 0; i < 2; i++) {
                c->runtimes[i].name = strdup(names[i]);
                c->n_runtimes++;
                if (!c->runtimes[i].name || set_strv(&c->runtimes[i].paths, lists[i]) < 0)
                        return NULL;
        }
        return TAKE_PTR(c);
}

struct containers_conf *containers_conf_free(struct containers_conf *c)
{
        if (!c)
                return NULL;
        char ***vs[] = { &c->default_ulimits, &c->default_capabilities, &c->dns_servers,
                         &c->dns_searches, &c->dns_options, &c->env, &c->default_sysctls,
                         &c->files };
        for (size_t i = 0; i < ELEMENTSOF(vs); i++)
                strv_free(*vs[i]);
        char **ss[] = { &c->tz, &c->shm_size, &c->log_driver, &c->init_path, &c->base_hosts_file,
                        &c->cgroupns, &c->ipcns, &c->netns, &c->pidns, &c->utsns, &c->userns,
                        &c->runtime, &c->cgroup_manager, &c->events_logger, &c->tmp_dir,
                        &c->volume_path, &c->image_default_transport, &c->default_network,
                        &c->default_subnet, &c->network_config_dir };
        for (size_t i = 0; i < ELEMENTSOF(ss); i++)
                free(*ss[i]);
        for (size_t i = 0; i < c->n_runtimes; i++) {
                free(c->runtimes[i].name);
                strv_free(c->runtimes[i].paths);
        }
        free(c->runtimes);
        free(c);
        return NULL;
}

int containers_conf_parse(struct containers_conf *c, const char *text, size_t len,
                          const char *origin, struct cu_error **err)
{
        struct parser p = { .obj = c, .sec = SEC_OTHER };
        return parse_text(&p, text, len, origin ? origin : "containers.conf", err);
}

/* Reads a configuration file; *ret NULL (0) when it does not exist. */
static int read_conf(const char *path, char **ret, size_t *ret_len, struct cu_error **err)
{
        *ret = NULL;
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : cu_error_set(err, errno, "opening %s", path);
        struct stat st;
        if (fstat(fd, &st) < 0)
                return cu_error_set(err, errno, "reading %s", path);
        if (S_ISDIR(st.st_mode))
                return cu_error_setx(err, EISDIR, "reading %s: is a directory", path);
        if (st.st_size > CONF_MAX_SIZE)
                return cu_error_setx(err, EFBIG, "%s: file too large", path);
        int r = read_full_fd(fd, ret, ret_len);
        if (r < 0)
                return cu_error_set(err, -r, "reading %s", path);
        return 0;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Appends dir's *.conf regular files, in name order. */
static int add_dropins(char ***l, const char *dir, struct cu_error **err)
{
        _cleanup_closedir_ DIR *d = opendir(dir);
        if (!d)
                return errno == ENOENT || errno == ENOTDIR || errno == EACCES
                               ? 0
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
                char *path = NULL;
                struct stat st;
                if (asprintf(&path, "%s/%s", dir, *n) < 0)
                        return cu_error_set(err, ENOMEM, "reading %s", dir);
                if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
                        free(path);
                        continue;
                }
                if (strv_push(l, path) < 0)
                        return cu_error_set(err, ENOMEM, "reading %s", dir);
        }
        return 0;
}

static int add_if_exists(char ***l, const char *path, struct cu_error **err)
{
        if (access(path, F_OK) < 0)
                return 0;
        return strv_extend(l, path) < 0 ? cu_error_set(err, ENOMEM, "listing configuration") : 0;
}

/* ($XDG_CONFIG_HOME or $HOME/.config)/containers/NAME, or NULL (no home). */
static char *user_conf(const char *name)
{
        const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
        char *p = NULL;
        if (xdg && xdg[0] == '/') {
                if (asprintf(&p, "%s/containers/%s", xdg, name) < 0)
                        return NULL;
        } else if (home && home[0]) {
                if (asprintf(&p, "%s/.config/containers/%s", home, name) < 0)
                        return NULL;
        }
        return p;
}

int containers_conf_paths(char ***ret, struct cu_error **err)
{
        _cleanup_strv_ char **l = calloc(1, sizeof(char *));
        if (!l)
                return cu_error_set(err, ENOMEM, "listing configuration");
        const char *env = getenv("CONTAINERS_CONF"), *over = getenv("CONTAINERS_CONF_OVERRIDE");
        int r;
        if (env && env[0]) {
                /* podman: the named file alone, and it must exist */
                if (strv_extend(&l, env) < 0)
                        return cu_error_set(err, ENOMEM, "listing configuration");
        } else {
                _cleanup_free_ char *user = user_conf("containers.conf");
                _cleanup_free_ char *user_d = NULL;
                if (user && asprintf(&user_d, "%s.d", user) < 0)
                        return cu_error_set(err, ENOMEM, "listing configuration");
                if ((r = add_if_exists(&l, "/usr/share/containers/containers.conf", err)) < 0 ||
                    (r = add_if_exists(&l, "/etc/containers/containers.conf", err)) < 0 ||
                    (r = add_dropins(&l, "/etc/containers/containers.conf.d", err)) < 0)
                        return r;
                if (user && ((r = add_if_exists(&l, user, err)) < 0 ||
                             (r = add_dropins(&l, user_d, err)) < 0))
                        return r;
        }
        if (over && over[0] && strv_extend(&l, over) < 0)
                return cu_error_set(err, ENOMEM, "listing configuration");
        *ret = TAKE_PTR(l);
        return 0;
}

int containers_conf_load(struct containers_conf **ret, struct cu_error **err)
{
        _cleanup_containers_conf_ struct containers_conf *c = containers_conf_new();
        if (!c)
                return cu_error_set(err, ENOMEM, "loading containers.conf");
        _cleanup_strv_ char **paths = NULL;
        int r = containers_conf_paths(&paths, err);
        if (r < 0)
                return r;
        for (char **p = paths; *p; p++) {
                _cleanup_free_ char *text = NULL;
                size_t len = 0;
                if ((r = read_conf(*p, &text, &len, err)) < 0)
                        return r;
                if (!text)
                        return cu_error_set(err, ENOENT, "reading configuration file %s", *p);
                log_debug("reading configuration file \"%s\"", *p);
                if ((r = containers_conf_parse(c, text, len, *p, err)) < 0)
                        return r;
                if (strv_extend(&c->files, *p) < 0)
                        return cu_error_set(err, ENOMEM, "loading containers.conf");
        }
        *ret = TAKE_PTR(c);
        return 0;
}

static bool executable(const char *path)
{
        struct stat st;
        return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int containers_conf_runtime_path(const struct containers_conf *c, const char *name,
                                 char **ret, struct cu_error **err)
{
        if (!name || !name[0])
                return cu_error_setx(err, EINVAL, "no runtime name given");
        if (name[0] == '/') {
                if (!executable(name))
                        return cu_error_setx(err, ENOENT, "could not find a working binary (used %s)",
                                             name);
                *ret = strdup(name);
                return *ret ? 0 : -ENOMEM;
        }
        for (size_t i = 0; c && i < c->n_runtimes; i++) {
                if (strcmp(c->runtimes[i].name, name) != 0)
                        continue;
                for (char **p = c->runtimes[i].paths; p && *p; p++)
                        if (executable(*p)) {
                                *ret = strdup(*p);
                                return *ret ? 0 : -ENOMEM;
                        }
                _cleanup_free_ char *list = strv_join(c->runtimes[i].paths, ", ");
                return cu_error_setx(err, ENOENT,
                                     "could not find a working binary for runtime %s (tried %s)",
                                     name, strempty(list));
        }
        const char *path = getenv("PATH");
        _cleanup_strv_ char **dirs = strv_split(path && path[0] ? path : "/usr/bin:/bin", ":");
        for (char **d = dirs; d && *d; d++) {
                _cleanup_free_ char *cand = NULL;
                if (asprintf(&cand, "%s/%s", *d, name) < 0)
                        return -ENOMEM;
                if (executable(cand)) {
                        *ret = TAKE_PTR(cand);
                        return 0;
                }
        }
        return cu_error_setx(err, ENOENT, "could not find a working binary for runtime %s", name);
}

/* ------------------------------------------------------------------ storage.conf */

struct storage_conf *storage_conf_new(void)
{
        struct storage_conf *s = calloc(1, sizeof(*s));
        if (s && !(s->options = calloc(1, sizeof(char *))))
                s = (free(s), NULL);
        return s;
}

struct storage_conf *storage_conf_free(struct storage_conf *s)
{
        if (!s)
                return NULL;
        free(s->driver);
        free(s->graphroot);
        free(s->runroot);
        free(s->rootless_storage_path);
        strv_free(s->options);
        free(s->file);
        free(s);
        return NULL;
}

int storage_conf_parse(struct storage_conf *s, const char *text, size_t len, const char *origin,
                       struct cu_error **err)
{
        struct parser p = { .obj = s, .storage = true, .sec = SEC_OTHER };
        return parse_text(&p, text, len, origin ? origin : "storage.conf", err);
}

char *storage_conf_path(void)
{
        const char *env = getenv("CONTAINERS_STORAGE_CONF");
        if (env && env[0])
                return strdup(env);
        char *user = user_conf("storage.conf");
        if (user && access(user, F_OK) == 0)
                return user;
        free(user);
        if (access("/etc/containers/storage.conf", F_OK) == 0)
                return strdup("/etc/containers/storage.conf");
        if (access("/usr/share/containers/storage.conf", F_OK) == 0)
                return strdup("/usr/share/containers/storage.conf");
        return NULL;
}

int storage_conf_load(struct storage_conf **ret, struct cu_error **err)
{
        _cleanup_storage_conf_ struct storage_conf *s = storage_conf_new();
        if (!s)
                return cu_error_set(err, ENOMEM, "loading storage.conf");
        _cleanup_free_ char *path = storage_conf_path();
        if (path) {
                _cleanup_free_ char *text = NULL;
                size_t len = 0;
                int r = read_conf(path, &text, &len, err);
                if (r < 0)
                        return r;
                if (text) {
                        log_debug("reading storage configuration \"%s\"", path);
                        if ((r = storage_conf_parse(s, text, len, path, err)) < 0)
                                return r;
                        s->file = TAKE_PTR(path);
                }
        }
        *ret = TAKE_PTR(s);
        return 0;
}
