/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rename CONTAINER NAME. */
#include <stdio.h>

#include "containers.h"

int cmd_rename(struct cli_ctx *c, int argc, char **argv)
{
        struct opt opts[] = { { 0 } };
        struct opts_cmd cmd = { .use = "cuttle rename CONTAINER NAME",
                                .short_desc = "Rename an existing container", .opts = opts };
        struct opts_args args = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        struct engine e;
        int rc = cli_parse(&cmd, argc, argv, &args);
        if (rc != 0)
                goto out;
        if (args.n != 2) {
                rc = cli_failf(125, "accepts 2 arg(s), received %zu", args.n);
                goto out;
        }
        if (cli_engine(c, &e, &err) < 0 || engine_rename(&e, args.args[0], args.args[1], &err) < 0)
                rc = cli_fail(125, err);
out:
        opts_args_done(&args);
        return rc == CLI_DONE_OK ? 0 : rc;
}
