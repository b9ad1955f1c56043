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
#include "storage/store.h"
#include "util/log.h"

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

int cli_ctx_global_option(struct cli_ctx *c, int argc, char **argv, int *i)
{
        static const struct {
                const char *name;
                size_t off;
        } opts[] = {
                { "root", offsetof(struct cli_ctx, root) },
                { "runroot", offsetof(struct cli_ctx, runroot) },
                { "storage-driver", offsetof(struct cli_ctx, storage_driver) },
                { "registries-conf", offsetof(struct cli_ctx, registries_conf) },
                { "log-level", SIZE_MAX },
        };
        const char *a = argv[*i];
        if (strncmp(a, "--", 2) != 0)
                return 0;
        for (size_t k = 0; k < sizeof(opts) / sizeof(opts[0]); k++) {
                size_t n = strlen(opts[k].name);
                if (strncmp(a + 2, opts[k].name, n) != 0 || (a[2 + n] != '\0' && a[2 + n] != '='))
                        continue;
                const char *val;
                if (a[2 + n] == '=') {
                        val = a + 3 + n;
                } else {
                        if (*i + 1 >= argc) {
                                fprintf(stderr, "Error: flag needs an argument: --%s\n", opts[k].name);
                                return -1;
                        }
                        val = argv[++*i];
                }
                if (opts[k].off == SIZE_MAX) {
                        enum log_level l = log_level_from_string(val);
                        if ((int) l < 0) {
                                fprintf(stderr, "Error: log level \"%s\" is invalid: use one of trace, "
                                                "debug, info, warn, error, fatal, panic\n", val);
                                return -1;
                        }
                        log_set_level(l);
                        return 1;
                }
                if (set_str((char **) ((char *) c + opts[k].off), val) < 0)
                        return -1;
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
        free(c->registries_conf);
        *c = (struct cli_ctx) { 0 };
}

static void defaults(struct cli_ctx *c)
{
        if (!c->root) {
                const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
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
}

int cli_ctx_db(struct cli_ctx *c, struct db **ret, struct cu_error **err)
{
        if (!c->db) {
                defaults(c);
                if (!c->root || !c->runroot)
                        return -ENOMEM;
                _cleanup_free_ char *path = NULL;
                if (asprintf(&path, "%s/cuttle.db", c->root) < 0)
                        return -ENOMEM;
                int r = db_open(path, &c->db, err);
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
        const char *root = NULL, *runroot = NULL, *driver = NULL, *level = NULL, *regconf = NULL;
        struct opt globals[] = {
                { .name = "root", .type = OPT_STRING, .value = &root, .flags = OPT_HIDDEN },
                { .name = "runroot", .type = OPT_STRING, .value = &runroot, .flags = OPT_HIDDEN },
                { .name = "storage-driver", .type = OPT_STRING, .value = &driver, .flags = OPT_HIDDEN },
                { .name = "log-level", .type = OPT_STRING, .value = &level, .flags = OPT_HIDDEN },
                { .name = "registries-conf", .type = OPT_STRING, .value = &regconf, .flags = OPT_HIDDEN },
        };
        size_t n = 0, ng = sizeof(globals) / sizeof(globals[0]);
        while (cmd->opts && cmd->opts[n].name)
                n++;
        struct opt *all = calloc(n + ng + 1, sizeof(*all));
        if (!all)
                return -ENOMEM;
        memcpy(all, cmd->opts, n * sizeof(*all));
        memcpy(all + n, globals, sizeof(globals));
        struct opt *saved = cmd->opts;
        cmd->opts = all;
        int r = opts_parse(cmd, argc, argv, args, err);
        cmd->opts = saved;
        memcpy(saved, all, n * sizeof(*all)); /* "changed" marks */
        free(all);
        if (r < 0)
                return r;
        for (size_t i = 0; args->warnings && args->warnings[i]; i++)
                fprintf(stderr, "%s\n", args->warnings[i]);
        if ((root && set_str(&c->root, root) < 0) || (runroot && set_str(&c->runroot, runroot) < 0) ||
            (driver && set_str(&c->storage_driver, driver) < 0) ||
            (regconf && set_str(&c->registries_conf, regconf) < 0))
                return -ENOMEM;
        if (level) {
                enum log_level l = log_level_from_string(level);
                if ((int) l < 0)
                        return cu_error_setx(err, EINVAL, "log level \"%s\" is invalid: use one of trace, "
                                             "debug, info, warn, error, fatal, panic", level);
                log_set_level(l);
        }
        return 0;
}
