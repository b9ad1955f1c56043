/* SPDX-License-Identifier: GPL-2.0-or-later */
/* init: containers to "initialized" (created in the runtime, not started). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "containers.h"
#include "util/strv.h"

int cmd_init(struct cli_ctx *c, int argc, char **argv)
{
        bool all = false, latest = false;
        struct opt opts[] = {
                { .name = "all", .shorthand = 'a', .type = OPT_BOOL, .value = &all, .help = "Initialize all containers" },
                { .name = "latest", .shorthand = 'l', .type = OPT_BOOL, .value = &latest, .help = "Act on the latest container podman is aware of" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle init [options] CONTAINER [CONTAINER...]",
                                .short_desc = "Initialize one or more containers", .opts = opts };
        struct opts_args args = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_strv_ char **list = NULL;
        struct engine e;
        int rc = cli_parse(&cmd, argc, argv, &args);
        if (rc != 0)
                goto out;
        if ((all || latest) && args.n > 0) {
                rc = cli_failf(125, "--all, --latest and containers cannot be used together");
                goto out;
        }
        if (!all && !latest && args.n == 0) {
                rc = cli_failf(125, "you must provide at least one name or id");
                goto out;
        }
        if (cli_engine(c, &e, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        if (all || latest) {
                _cleanup_ctr_record_list_ struct ctr_record **recs = NULL;
                size_t n = 0;
                if (engine_list(&e, &recs, &n, &err) < 0) {
                        rc = cli_fail(125, err);
                        goto out;
                }
                list = calloc(1, sizeof(char *));
                for (size_t i = latest && n ? n - 1 : 0; list && i < n; i++) {
                        enum ctr_state s = recs[i]->state;
                        /* --all initializes those that can be; the others are left alone */
                        if (all && s != CTR_STATE_CREATED && s != CTR_STATE_CONFIGURED &&
                            s != CTR_STATE_EXITED && s != CTR_STATE_STOPPED)
                                continue;
                        (void) strv_extend(&list, recs[i]->id);
                }
        } else {
                list = strv_copy(args.args);
        }
        for (char **t = list; t && *t; t++) {
                cu_error_clear(&err);
                if (engine_init(&e, *t, &err) < 0) {
                        rc = cli_engine_fail(err);
                        continue;
                }
                puts(*t);
        }
out:
        opts_args_done(&args);
        return rc == CLI_DONE_OK ? 0 : rc;
}
