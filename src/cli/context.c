/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "context.h"
#include "opts.h"
#include "state/db.h"
#include "network/networks.h"
#include "storage/containers-conf.h"
#include "storage/store.h"
#include "util/log.h"
#include "util/strv.h"

int cli_fail(int code, const struct cu_error *err)
{
        fprintf(stderr, "Error: %s\n", cu_error_msg(err));
        return code;
}

int cli_failf(int code, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        fputs("Error: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
        return code;
}

static int set_str(char **dst, const char *v)
{
        free(*dst);
        *dst = strdup(v);
        return *dst ? 0 : -ENOMEM;
}

enum gkind {
        G_STR,    /* a char * field */
        G_STRV,   /* --storage-opt: a char ** field, repeatable */
        G_CHOICE, /* a char * field, one of choices */
        G_LEVEL,  /* --log-level */
        G_REMOTE, /* --url, --connection, --identity: refused */
        G_REMOTE_BOOL, /* --remote */
};

struct gopt {
        const char *name;
        char shorthand; /* only before the command (after it, it could clash with a command's) */
        enum gkind kind;
        size_t off;
        const char *const *choices;
        const char *help; /* NULL: hidden */
        const char *argname;
};

static const char *const cgroup_managers[] = { "cgroupfs", "systemd", NULL };
static const char *const events_backends[] = { "file", "journald", "none", NULL };

#define F(f) offsetof(struct cli_ctx, f)
static const struct gopt gopts[] = {
        { "root", 0, G_STR, F(root), NULL, "Path to the graph root directory where images, containers, etc. are stored", "string" },
        { "runroot", 0, G_STR, F(runroot), NULL, "Path to the 'run directory' where all state information is stored", "string" },
        { "storage-driver", 0, G_STR, F(storage_driver), NULL, "Select which storage driver is used to manage storage of images and containers", "string" },
        { "storage-opt", 0, G_STRV, F(storage_opts), NULL, "Used to pass an option to the storage driver", "stringArray" },
        { "registries-conf", 0, G_STR, F(registries_conf), NULL, NULL, NULL },
        { "runtime", 0, G_STR, F(runtime), NULL, "Path to the OCI-compatible binary used to run containers, or a name in containers.conf [engine.runtimes]", "string" },
        { "cgroup-manager", 0, G_CHOICE, F(cgroup_manager), cgroup_managers, "Cgroup manager to use (\"cgroupfs\"|\"systemd\")", "string" },
        { "tmpdir", 0, G_STR, F(tmpdir), NULL, "Path to the tmp directory for libpod state content", "string" },
        { "events-backend", 0, G_CHOICE, F(events_backend), events_backends, "Events backend to use (\"file\"|\"journald\"|\"none\")", "string" },
        { "network-config-dir", 0, G_STR, F(network_config_dir), NULL, "Path of the configuration directory for networks", "string" },
        { "volumepath", 0, G_STR, F(volumepath), NULL, "Path to the volume directory in which volume data is stored", "string" },
        { "config", 0, G_STR, F(config), NULL, NULL, NULL },
        { "log-level", 0, G_LEVEL, 0, NULL, "Log messages above specified level (trace, debug, info, warn, warning, error, fatal, panic)", "string" },
        { "url", 0, G_REMOTE, 0, NULL, "URL to access a remote service (not supported)", "string" },
        { "connection", 'c', G_REMOTE, 0, NULL, "Connection to use for remote cuttle service (not supported)", "string" },
        { "identity", 0, G_REMOTE, 0, NULL, "path to SSH identity file (not supported)", "string" },
        { "remote", 'r', G_REMOTE_BOOL, 0, NULL, "Access a remote cuttle service (not supported)", NULL },
};
#undef F

#define REMOTE_MSG "remote connections are not supported"

/* Applies one global option's value; -1 and err set on a bad value. */
static int gopt_apply(struct cli_ctx *c, const struct gopt *g, const char *val, struct cu_error **err)
{
        void *field = (char *) c + g->off;
        switch (g->kind) {
        case G_CHOICE:
                if (!strv_contains((char *const *) g->choices, val)) {
                        _cleanup_free_ char *list = strv_join((char *const *) g->choices, ", ");
                        return cu_error_setx(err, EINVAL, "invalid value \"%s\" for --%s: use one of %s",
                                             val, g->name, strempty(list));
                }
                __attribute__((fallthrough));
        case G_STR:
                return set_str(field, val) < 0 ? cu_error_set(err, ENOMEM, "--%s", g->name) : 0;
        case G_STRV:
                c->storage_opts_set = true;
                if (!c->storage_opts && !(c->storage_opts = calloc(1, sizeof(char *))))
                        return cu_error_set(err, ENOMEM, "--%s", g->name);
                if (val[0] && strv_extend(&c->storage_opts, val) < 0)
                        return cu_error_set(err, ENOMEM, "--%s", g->name);
                return 0;
        case G_LEVEL: {
                enum log_level l = log_level_from_string(val);
                if ((int) l < 0)
                        return cu_error_setx(err, EINVAL, "log level \"%s\" is invalid: use one of trace, "
                                             "debug, info, warn, error, fatal, panic", val);
                log_set_level(l);
                return 0;
        }
        case G_REMOTE:
                return cu_error_setx(err, ENOTSUP, REMOTE_MSG);
        case G_REMOTE_BOOL:
                if (strcmp(val, "true") == 0 || strcmp(val, "1") == 0)
                        return cu_error_setx(err, ENOTSUP, REMOTE_MSG);
                return 0;
        }
        return 0;
}

int cli_ctx_global_option(struct cli_ctx *c, int argc, char **argv, int *i)
{
        const char *a = argv[*i];
        if (a[0] != '-' || !a[1])
                return 0;
        for (size_t k = 0; k < ELEMENTSOF(gopts); k++) {
                const struct gopt *g = &gopts[k];
                size_t n = strlen(g->name);
                const char *val = NULL;
                bool is_bool = g->kind == G_REMOTE_BOOL;
                if (a[1] == '-' && strncmp(a + 2, g->name, n) == 0 && (a[2 + n] == 0 || a[2 + n] == '='))
                        val = a[2 + n] == '=' ? a + 3 + n : NULL;
                else if (g->shorthand && a[1] == g->shorthand && a[2] == 0)
                        val = NULL;
                else
                        continue;
                if (!val && is_bool)
                        val = "true";
                if (!val) {
                        if (*i + 1 >= argc) {
                                fprintf(stderr, "Error: flag needs an argument: --%s\n", g->name);
                                return -1;
                        }
                        val = argv[++*i];
                }
                _cleanup_error_ struct cu_error *err = NULL;
                if (gopt_apply(c, g, val, &err) < 0) {
                        cli_fail(125, err);
                        return -1;
                }
                return 1;
        }
        return 0;
}

int cli_ctx_init(struct cli_ctx *c, int argc, char **argv)
{
        *c = (struct cli_ctx) { .argc = argc, .argv = argv };
        int i = 1;
        for (; i < argc && argv[i][0] == '-'; i++) {
                int r = cli_ctx_global_option(c, argc, argv, &i);
                if (r < 0)
                        return -1;
                if (r == 0)
                        break;
        }
        return i;
}

void cli_ctx_done(struct cli_ctx *c)
{
        store_free(c->store);
        db_close(c->db);
        free(c->root);
        free(c->runroot);
        free(c->storage_driver);
        strv_free(c->storage_opts);
        free(c->registries_conf);
        free(c->runtime);
        free(c->cgroup_manager);
        free(c->tmpdir);
        free(c->events_backend);
        free(c->network_config_dir);
        free(c->volumepath);
        free(c->config);
        containers_conf_free(c->conf);
        storage_conf_free(c->sconf);
        *c = (struct cli_ctx) { 0 };
}

/* cuttle's own defaults (DESIGN "State on disk"). */
static int builtin_defaults(struct cli_ctx *c)
{
        const char *home = getenv("HOME");
        if (!c->root) {
                const char *xdg = getenv("XDG_DATA_HOME");
                if (geteuid() == 0)
                        c->root = strdup("/var/lib/cuttle");
                else if (xdg && *xdg && asprintf(&c->root, "%s/cuttle", xdg) < 0)
                        c->root = NULL;
                else if (!c->root && asprintf(&c->root, "%s/.local/share/cuttle", home ? home : "/tmp") < 0)
                        c->root = NULL;
        }
        if (!c->runroot) {
                const char *xdg = getenv("XDG_RUNTIME_DIR");
                if (geteuid() == 0)
                        c->runroot = strdup("/run/cuttle");
                else if (xdg && *xdg && asprintf(&c->runroot, "%s/cuttle", xdg) < 0)
                        c->runroot = NULL;
                else if (!c->runroot && asprintf(&c->runroot, "/tmp/cuttle-%u", (unsigned) geteuid()) < 0)
                        c->runroot = NULL;
        }
        return c->root && c->runroot ? 0 : -ENOMEM;
}

int cli_ctx_storage_defaults(struct cli_ctx *c, struct cu_error **err)
{
        if (!c->sconf) {
                int r = storage_conf_load(&c->sconf, err);
                if (r < 0)
                        return r;
        }
        const struct storage_conf *s = c->sconf;
        /* rootless with a system-wide file: its graph and run roots are root's (containers/
         * storage ignores them too); rootless_storage_path is the rootless graph root */
        const char *env = getenv("CONTAINERS_STORAGE_CONF");
        bool system_file = s->file && !(env && env[0]) &&
                           (strncmp(s->file, "/etc/", 5) == 0 || strncmp(s->file, "/usr/", 5) == 0);
        bool own = geteuid() == 0 || !system_file;
        const char *graphroot = own ? s->graphroot : s->rootless_storage_path;
        if ((!c->root && graphroot && graphroot[0] && set_str(&c->root, graphroot) < 0) ||
            (!c->runroot && s->runroot && s->runroot[0] && own &&
             set_str(&c->runroot, s->runroot) < 0) ||
            (!c->storage_driver && s->driver && s->driver[0] && set_str(&c->storage_driver, s->driver) < 0))
                return cu_error_set(err, ENOMEM, "reading storage configuration");
        if (!c->storage_opts_set) {
                c->storage_opts_set = true;
                strv_free(c->storage_opts);
                if (!(c->storage_opts = strv_copy(s->options)))
                        return cu_error_set(err, ENOMEM, "reading storage configuration");
        }
        if (builtin_defaults(c) < 0)
                return cu_error_set(err, ENOMEM, "choosing the storage directories");
        return 0;
}

int cli_ctx_config(struct cli_ctx *c, const struct containers_conf **ret, struct cu_error **err)
{
        if (!c->conf) {
                _cleanup_containers_conf_ struct containers_conf *conf = NULL;
                int r = containers_conf_load(&conf, err);
                if (r < 0)
                        return r;
                if ((r = cli_ctx_storage_defaults(c, err)) < 0)
                        return r;
                struct { char **dst; const char *flag; } over[] = {
                        { &conf->runtime, c->runtime }, { &conf->cgroup_manager, c->cgroup_manager },
                        { &conf->tmp_dir, c->tmpdir }, { &conf->events_logger, c->events_backend },
                        { &conf->network_config_dir, c->network_config_dir },
                        { &conf->volume_path, c->volumepath },
                };
                for (size_t i = 0; i < ELEMENTSOF(over); i++)
                        if (over[i].flag && set_str(over[i].dst, over[i].flag) < 0)
                                return cu_error_set(err, ENOMEM, "loading configuration");
                if (!conf->volume_path[0]) {
                        free(conf->volume_path);
                        if (asprintf(&conf->volume_path, "%s/volumes", c->root) < 0) {
                                conf->volume_path = NULL;
                                return cu_error_set(err, ENOMEM, "loading configuration");
                        }
                }
                c->conf = TAKE_PTR(conf);
        }
        *ret = c->conf;
        return 0;
}

int cli_ctx_db(struct cli_ctx *c, struct db **ret, struct cu_error **err)
{
        if (!c->db) {
                /* podman reads containers.conf for every command: a broken file fails early */
                const struct containers_conf *conf = NULL;
                int r = cli_ctx_config(c, &conf, err);
                if (r < 0)
                        return r;
                /* every network call takes the database: the network layer gets its
                 * configuration here, once, before any of them (a bad default_subnet fails
                 * every command, as podman's) */
                struct networks_config nc = { .default_network = conf->default_network,
                                              .default_subnet = conf->default_subnet,
                                              .config_dir = conf->network_config_dir };
                if ((r = networks_set_config(&nc, err)) < 0)
                        return r;
                _cleanup_free_ char *path = NULL;
                if (asprintf(&path, "%s/cuttle.db", c->root) < 0)
                        return -ENOMEM;
                r = db_open(path, &c->db, err);
                if (r < 0)
                        return r;
        }
        *ret = c->db;
        return 0;
}

int cli_ctx_store(struct cli_ctx *c, struct store **ret, struct cu_error **err)
{
        if (!c->store) {
                struct db *db = NULL;
                int r = cli_ctx_db(c, &db, err);
                if (r < 0)
                        return r;
                struct store_opts o = { .root = c->root, .runroot = c->runroot, .driver = c->storage_driver };
                r = store_open(&o, db, &c->store, err);
                if (r < 0)
                        return r;
        }
        *ret = c->store;
        return 0;
}

int cli_opts_parse(struct cli_ctx *c, struct opts_cmd *cmd, int argc, char **argv,
                   struct opts_args *args, struct cu_error **err)
{
        enum { NG = ELEMENTSOF(gopts) };
        const char *vals[NG] = { 0 };
        char **vecs[NG] = { 0 };
        bool bools[NG] = { 0 };
        size_t n = 0;
        while (cmd->opts && cmd->opts[n].name)
                n++;
        struct opt *all = calloc(n + NG + 1, sizeof(*all));
        if (!all)
                return -ENOMEM;
        if (n)
                memcpy(all, cmd->opts, n * sizeof(*all));
        size_t m = n;
        for (size_t k = 0; k < NG; k++) {
                if (opts_find(all, gopts[k].name) && opts_find(all, gopts[k].name) < all + n)
                        continue; /* the command has its own option of that name */
                all[m++] = (struct opt) {
                        .name = gopts[k].name,
                        .type = gopts[k].kind == G_STRV ? OPT_STRING_ARRAY
                                : gopts[k].kind == G_REMOTE_BOOL ? OPT_BOOL : OPT_STRING,
                        .value = gopts[k].kind == G_STRV ? (void *) &vecs[k]
                                 : gopts[k].kind == G_REMOTE_BOOL ? (void *) &bools[k] : (void *) &vals[k],
                        .flags = OPT_HIDDEN,
                };
        }
        struct opt *saved = cmd->opts;
        cmd->opts = all;
        int r = opts_parse(cmd, argc, argv, args, err);
        cmd->opts = saved;
        if (n)
                memcpy(saved, all, n * sizeof(*all)); /* "changed" marks */
        free(all);
        for (size_t i = 0; r >= 0 && args->warnings && args->warnings[i]; i++)
                fprintf(stderr, "%s\n", args->warnings[i]);
        for (size_t k = 0; r >= 0 && k < NG; k++) {
                if (vals[k])
                        r = gopt_apply(c, &gopts[k], vals[k], err);
                else if (bools[k])
                        r = gopt_apply(c, &gopts[k], "true", err);
                for (char **v = vecs[k]; r >= 0 && v && *v; v++)
                        r = gopt_apply(c, &gopts[k], *v, err);
        }
        for (size_t k = 0; k < NG; k++)
                strv_free(vecs[k]);
        return r;
}

char *cli_ctx_global_usages(void)
{
        struct opt o[ELEMENTSOF(gopts) + 1] = { 0 };
        size_t n = 0;
        for (size_t k = 0; k < ELEMENTSOF(gopts); k++) {
                if (!gopts[k].help)
                        continue;
                o[n++] = (struct opt) {
                        .name = gopts[k].name, .shorthand = gopts[k].shorthand,
                        .type = gopts[k].kind == G_REMOTE_BOOL ? OPT_BOOL
                                : gopts[k].kind == G_STRV ? OPT_STRING_ARRAY : OPT_STRING,
                        .help = gopts[k].help,
                        .def = gopts[k].kind == G_LEVEL ? "warn" : NULL,
                };
        }
        return opts_flag_usages(o);
}

char *cli_ctx_global_flags(bool takes_arg)
{
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        if (!f)
                return NULL;
        for (size_t k = 0; k < ELEMENTSOF(gopts); k++) {
                if ((gopts[k].kind != G_REMOTE_BOOL) != takes_arg || !gopts[k].help)
                        continue;
                fprintf(f, " --%s", gopts[k].name);
                if (gopts[k].shorthand)
                        fprintf(f, " -%c", gopts[k].shorthand);
        }
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
}
