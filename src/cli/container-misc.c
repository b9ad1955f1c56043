/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stop, kill, rm, wait, pause, unpause, container exists, container cleanup. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "containers.h"
#include "util/parse.h"
#include "util/strv.h"

/* The targets: the arguments, or every container (full IDs) with all, or the latest. */
static char **targets(struct engine *e, struct opts_args *a, bool all, bool latest,
                      bool running_only, struct cu_error **err)
{
        if (!all && !latest)
                return strv_copy(a->args);
        _cleanup_ctr_record_list_ struct ctr_record **list = NULL;
        size_t n = 0;
        if (engine_list(e, &list, &n, err) < 0)
                return NULL;
        char **v = calloc(1, sizeof(char *));
        for (size_t i = latest && n ? n - 1 : 0; v && i < n; i++)
                if (!running_only || engine_is_running(list[i]))
                        (void) strv_extend(&v, list[i]->id);
        return v;
}

enum verb { V_STOP, V_KILL, V_RM, V_PAUSE, V_UNPAUSE, V_CLEANUP, V_RESTART };

/* id's dependents (recursively, deepest first), then id itself, as full IDs into *out. */
static void add_with_dependents(struct engine *e, const char *id, char ***out, unsigned depth)
{
        char full[CTR_ID_LEN + 1];
        if (ctr_lookup_id(e->db, id, full, NULL) < 0) {
                (void) strv_extend(out, id); /* reported when it is removed */
                return;
        }
        _cleanup_strv_ char **deps = NULL;
        if (depth < 32 && engine_dependents(e, full, &deps, NULL) >= 0)
                for (char **d = deps; d && *d; d++)
                        add_with_dependents(e, *d, out, depth + 1);
        if (!strv_contains(*out, full))
                (void) strv_extend(out, full);
}

static int run_verb(struct cli_ctx *c, int argc, char **argv, enum verb verb)
{
        bool all = false, latest = false, force = false, ignore = false, volumes = false, rm = false;
        bool depend = false, running = false;
        char **filters = NULL;
        int timeout = -1;
        const char *signal_s = "KILL";
        char **cidfiles = NULL;
        struct opt opts[14];
        size_t n = 0;
        opts[n++] = (struct opt){ .name = "all", .shorthand = 'a', .type = OPT_BOOL, .value = &all, .help = "Act on all containers" };
        opts[n++] = (struct opt){ .name = "latest", .shorthand = 'l', .type = OPT_BOOL, .value = &latest, .help = "Act on the latest container podman is aware of" };
        if (verb == V_RESTART) {
                opts[0].help = "Restart all non-running containers";
                opts[n++] = (struct opt){ .name = "cidfile", .type = OPT_STRING_ARRAY, .value = &cidfiles, .help = "Read the container ID from the file" };
                opts[n++] = (struct opt){ .name = "filter", .shorthand = 'f', .type = OPT_STRING_SLICE, .value = &filters, .help = "Filter output based on conditions given" };
                opts[n++] = (struct opt){ .name = "running", .type = OPT_BOOL, .value = &running, .help = "Restart only running containers" };
                opts[n++] = (struct opt){ .name = "time", .shorthand = 't', .type = OPT_INT, .value = &timeout, .help = "Seconds to wait for stop before killing the container", .def = "10" };
        }
        if (verb == V_STOP || verb == V_RM) {
                opts[n++] = (struct opt){ .name = "ignore", .shorthand = 'i', .type = OPT_BOOL, .value = &ignore, .help = "Ignore errors when a specified container is missing" };
                opts[n++] = (struct opt){ .name = "time", .shorthand = 't', .type = OPT_INT, .value = &timeout, .help = "Seconds to wait for stop before killing the container", .def = "10" };
                opts[n++] = (struct opt){ .name = "cidfile", .type = OPT_STRING_ARRAY, .value = &cidfiles, .help = "Read the container ID from the file" };
        }
        if (verb == V_RM) {
                opts[n++] = (struct opt){ .name = "force", .shorthand = 'f', .type = OPT_BOOL, .value = &force, .help = "Force removal of a running or unusable container" };
                opts[n++] = (struct opt){ .name = "volumes", .shorthand = 'v', .type = OPT_BOOL, .value = &volumes, .help = "Remove anonymous volumes associated with the container" };
                opts[n++] = (struct opt){ .name = "depend", .type = OPT_BOOL, .value = &depend, .help = "Remove container and all containers that depend on the selected container" };
        }
        if (verb == V_KILL)
                opts[n++] = (struct opt){ .name = "signal", .shorthand = 's', .type = OPT_STRING, .value = &signal_s, .help = "Signal to send to the container", .def = "\"KILL\"" };
        if (verb == V_CLEANUP)
                opts[n++] = (struct opt){ .name = "rm", .type = OPT_BOOL, .value = &rm, .help = "After cleanup, remove the container entirely" };
        opts[n] = (struct opt){ 0 };
        static const char *const uses[] = {
                "cuttle stop [options] CONTAINER [CONTAINER...]", "cuttle kill [options] CONTAINER [CONTAINER...]",
                "cuttle rm [options] CONTAINER [CONTAINER...]", "cuttle pause [options] CONTAINER [CONTAINER...]",
                "cuttle unpause [options] CONTAINER [CONTAINER...]", "cuttle container cleanup [options] CONTAINER [CONTAINER...]",
                "cuttle restart [options] CONTAINER [CONTAINER...]",
        };
        static const char *const descs[] = {
                "Stop one or more containers", "Kill one or more running containers with a specific signal",
                "Remove one or more containers", "Pause all the processes in one or more containers",
                "Unpause the processes in one or more containers", "Clean up network and mountpoints of one or more containers",
                "Restart one or more containers",
        };
        struct opts_cmd cmd = { .use = uses[verb], .short_desc = descs[verb], .opts = opts };
        struct opts_args args = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        struct engine e;
        _cleanup_strv_ char **list = NULL;
        int rc = cli_parse(&cmd, argc, argv, &args);
        if (rc != 0)
                goto out;
        int sig = SIGKILL;
        if (verb == V_KILL && parse_signal(signal_s, &sig) < 0) {
                rc = cli_failf(125, "invalid signal: %s", signal_s);
                goto out;
        }
        if (verb == V_RESTART && all && args.n > 0) {
                rc = cli_failf(125, "no arguments are needed with --all");
                goto out;
        }
        if ((all || latest) && args.n > 0) {
                rc = cli_failf(125, "--all, --latest and containers cannot be used together");
                goto out;
        }
        if (verb == V_RESTART && !all && !latest && args.n == 0 && !cidfiles && !filters) {
                rc = cli_failf(125, "you must provide at least one name or id");
                goto out;
        }
        if (!all && !latest && args.n == 0 && !cidfiles && !filters) {
                rc = cli_failf(125, "you must provide at least one container name or ID");
                goto out;
        }
        if (verb == V_RM && opts_changed(opts, "time") && !force) {
                rc = cli_failf(125, "--force option must be specified to use the --time option");
                goto out;
        }
        if (filters && cli_ps_filters_check(filters) != 0) {
                rc = 125;
                goto out;
        }
        if (cli_engine(c, &e, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        list = targets(&e, &args, all || (filters && args.n == 0), latest,
                       (verb == V_KILL && all) || (verb == V_RESTART && running), &err);
        if (!list) {
                rc = cli_fail(125, err);
                goto out;
        }
        for (char **f = cidfiles; f && *f; f++) {
                FILE *fp = fopen(*f, "re");
                char buf[CTR_ID_LEN + 2] = "";
                if (!fp || !fgets(buf, sizeof buf, fp)) {
                        if (fp)
                                fclose(fp);
                        if (ignore)
                                continue;
                        rc = cli_failf(125, "reading CIDFile: open %s: no such file or directory", *f);
                        goto out;
                }
                fclose(fp);
                buf[strcspn(buf, "\n")] = '\0';
                (void) strv_extend(&list, buf);
        }
        if (filters) { /* keep the targets the filters match */
                _cleanup_strv_ char **kept = calloc(1, sizeof(char *));
                for (char **t = list; kept && *t; t++) {
                        _cleanup_ctr_record_ struct ctr_record *rec = NULL;
                        if (engine_get(&e, *t, &rec, NULL) >= 0 &&
                            cli_ps_filters_match(&e, rec, filters))
                                (void) strv_extend(&kept, *t);
                }
                strv_free(list);
                list = TAKE_PTR(kept);
                if (!list) {
                        rc = cli_failf(125, "out of memory");
                        goto out;
                }
        }
        if (verb == V_RM && (depend || all)) { /* dependents go first */
                _cleanup_strv_ char **ordered = calloc(1, sizeof(char *));
                for (char **t = list; ordered && *t; t++)
                        add_with_dependents(&e, *t, &ordered, 0);
                strv_free(list);
                list = TAKE_PTR(ordered);
                if (!list) {
                        rc = cli_failf(125, "out of memory");
                        goto out;
                }
        }
        for (char **t = list; *t; t++) {
                cu_error_clear(&err);
                int r;
                switch (verb) {
                case V_STOP: r = engine_stop(&e, *t, timeout, &err); break;
                case V_KILL: r = engine_kill(&e, *t, sig, &err); break;
                case V_RM: r = engine_remove_volumes(&e, *t, force, timeout, volumes, &err); break;
                case V_PAUSE: r = engine_pause(&e, *t, true, &err); break;
                case V_UNPAUSE: r = engine_pause(&e, *t, false, &err); break;
                case V_RESTART: r = engine_restart(&e, *t, timeout, &err); break;
                default: r = engine_cleanup(&e, *t, rm, &err); break;
                }
                if (r == -ENOENT && ignore)
                        continue;
                if (r < 0) {
                        /* podman: rm of a missing container exits 1 */
                        if (verb == V_RM && r == -ENOENT && rc == 0)
                                rc = 1;
                        else
                                rc = 125;
                        fprintf(stderr, "Error: %s\n", cu_error_msg(err));
                        continue;
                }
                puts(*t);
        }
out:
        strv_free(cidfiles);
        strv_free(filters);
        opts_args_done(&args);
        return rc == CLI_DONE_OK ? 0 : rc;
}

int cmd_restart(struct cli_ctx *c, int argc, char **argv) { return run_verb(c, argc, argv, V_RESTART); }
int cmd_stop(struct cli_ctx *c, int argc, char **argv) { return run_verb(c, argc, argv, V_STOP); }
int cmd_kill(struct cli_ctx *c, int argc, char **argv) { return run_verb(c, argc, argv, V_KILL); }
int cmd_rm(struct cli_ctx *c, int argc, char **argv) { return run_verb(c, argc, argv, V_RM); }
int cmd_pause(struct cli_ctx *c, int argc, char **argv) { return run_verb(c, argc, argv, V_PAUSE); }
int cmd_unpause(struct cli_ctx *c, int argc, char **argv) { return run_verb(c, argc, argv, V_UNPAUSE); }
int cmd_container_cleanup(struct cli_ctx *c, int argc, char **argv) { return run_verb(c, argc, argv, V_CLEANUP); }

/* podman's condition names (define.StringToContainerStatus): "created" is our created
 * (podman's configured), "initialized" created in the runtime; "stopped" and "exited" wait
 * for the exit. */
static unsigned parse_conditions(char **conds, int *bad)
{
        static const struct {
                const char *name;
                unsigned mask;
        } map[] = {
                { "created", 1u << CTR_STATE_CREATED | 1u << CTR_STATE_CONFIGURED },
                { "initialized", 1u << CTR_STATE_INITIALIZED },
                { "running", 1u << CTR_STATE_RUNNING },
                { "paused", 1u << CTR_STATE_PAUSED },
                { "stopped", 1u << CTR_STATE_STOPPED | 1u << CTR_STATE_EXITED },
                { "exited", 1u << CTR_STATE_STOPPED | 1u << CTR_STATE_EXITED },
                { "removing", 1u << CTR_STATE_REMOVING },
                { "unknown", 0 },
        };
        unsigned m = 0;
        for (char **p = conds; p && *p; p++) {
                size_t i = 0;
                while (i < ELEMENTSOF(map) && strcmp(map[i].name, *p) != 0)
                        i++;
                if (i == ELEMENTSOF(map)) {
                        *bad = (int) (p - conds) + 1;
                        return 0;
                }
                m |= map[i].mask;
        }
        if (conds && conds[0] && m == 0) /* only "unknown": never reached */
                m = 1u << _CTR_STATE_MAX;
        return m;
}

int cmd_wait(struct cli_ctx *c, int argc, char **argv)
{
        char **conds = NULL;
        const char *interval = "250ms";
        bool latest = false, ignore = false;
        struct opt opts[] = {
                { .name = "condition", .type = OPT_STRING_SLICE, .value = &conds, .help = "Condition to wait on", .def = "\"stopped\"" },
                { .name = "ignore", .type = OPT_BOOL, .value = &ignore, .help = "Ignore if a container does not exist" },
                { .name = "interval", .shorthand = 'i', .type = OPT_STRING, .value = &interval, .help = "Time Interval to wait before polling for completion", .def = "\"250ms\"" },
                { .name = "latest", .shorthand = 'l', .type = OPT_BOOL, .value = &latest, .help = "Act on the latest container podman is aware of" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle wait [options] CONTAINER [CONTAINER...]",
                                .short_desc = "Block on one or more containers", .opts = opts };
        struct opts_args args = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        struct engine e;
        _cleanup_strv_ char **list = NULL;
        int rc = cli_parse(&cmd, argc, argv, &args);
        if (rc != 0)
                goto out;
        int bad = 0;
        unsigned mask = parse_conditions(conds, &bad);
        if (bad) {
                rc = cli_failf(125, "unknown container state: %s: invalid argument", conds[bad - 1]);
                goto out;
        }
        if (args.n == 0 && !latest) {
                rc = cli_failf(125, "you must provide at least one container name or ID");
                goto out;
        }
        if (cli_engine(c, &e, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        list = targets(&e, &args, false, latest, false, &err);
        for (char **t = list; t && *t; t++) {
                int code = 0;
                cu_error_clear(&err);
                if (engine_wait(&e, *t, mask, &code, &err) < 0) {
                        if (ignore) {
                                puts("-1");
                                continue;
                        }
                        rc = cli_fail(125, err);
                        continue;
                }
                printf("%d\n", code);
        }
out:
        strv_free(conds);
        opts_args_done(&args);
        return rc == CLI_DONE_OK ? 0 : rc;
}

int cmd_container_exists(struct cli_ctx *c, int argc, char **argv)
{
        struct opt opts[] = { { 0 } };
        struct opts_cmd cmd = { .use = "cuttle container exists [options] CONTAINER",
                                .short_desc = "Check if a container exists in local storage", .opts = opts };
        struct opts_args args = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        struct engine e;
        int rc = cli_parse(&cmd, argc, argv, &args);
        if (rc != 0)
                goto out;
        if (args.n != 1) {
                rc = cli_failf(125, "accepts 1 arg(s), received %zu", args.n);
                goto out;
        }
        if (cli_engine(c, &e, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        char id[CTR_ID_LEN + 1];
        int r = ctr_lookup_id(e.db, args.args[0], id, &err);
        rc = r >= 0 ? 0 : r == -ENOENT ? 1 : cli_fail(125, err);
out:
        opts_args_done(&args);
        return rc == CLI_DONE_OK ? 0 : rc;
}
