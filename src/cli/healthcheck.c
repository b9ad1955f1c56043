/* SPDX-License-Identifier: GPL-2.0-or-later */
/* healthcheck run: one check now, recorded as the monitor records its own. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "containers.h"

/* Exit 0 and no output when healthy; "unhealthy" and exit 1 when the check failed (podman
 * prints the check's own result, also during the start period); 125 with podman's message
 * for a container that is missing, not running, has no healthcheck, or whose check timed
 * out. */
int cmd_healthcheck_run(struct cli_ctx *c, int argc, char **argv)
{
        struct opt opts[] = { { 0 } };
        struct opts_cmd cmd = { .use = "cuttle healthcheck run CONTAINER",
                                .short_desc = "run the health check of a container",
                                .example = "cuttle healthcheck run mywebapp",
                                .opts = opts };
        struct opts_args args = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_free_ char *status = NULL;
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
        if (engine_healthcheck_run(&e, args.args[0], &status, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        if (strcmp(status, "healthy") != 0) {
                printf("%s\n", status);
                rc = 1;
        }
out:
        opts_args_done(&args);
        return rc == CLI_DONE_OK ? 0 : rc;
}

const struct cli_command healthcheck_commands[] = {
        { "run", cmd_healthcheck_run },
        { NULL, NULL },
};
