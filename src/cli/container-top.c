/* SPDX-License-Identifier: GPL-2.0-or-later */
/* top: the container's processes (engine/top.h), printed as podman's tabwriter does. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "containers.h"
#include "engine/top.h"
#include "util/strv.h"

/* tabwriter: minwidth 12, padding 2, the last column unpadded. */
static void print_rows(char ***rows)
{
        size_t ncol = strv_length(rows[0]);
        _cleanup_free_ size_t *w = calloc(ncol ? ncol : 1, sizeof *w);
        if (!w)
                return;
        for (char ***r = rows; *r; r++)
                for (size_t k = 0; k < ncol && (*r)[k]; k++) {
                        size_t n = strlen((*r)[k]) + 2;
                        if (n > w[k])
                                w[k] = n;
                }
        for (char ***r = rows; *r; r++) {
                for (size_t k = 0; k < ncol && (*r)[k]; k++) {
                        if (k + 1 == ncol)
                                fputs((*r)[k], stdout);
                        else
                                printf("%-*s", (int) (w[k] < 12 ? 12 : w[k]), (*r)[k]);
                }
                putchar('\n');
        }
}

/* podman falls back to ps(1) in the container for descriptors psgo does not know. */
static int ps_fallback(struct engine *e, const char *id, char **descs, const struct cu_error *why)
{
        _cleanup_strv_ char **args = NULL;
        if (strv_extend(&args, "ps") < 0)
                return cli_failf(125, "out of memory");
        for (char **d = descs; d && *d; d++)
                if (strv_extend(&args, *d) < 0)
                        return cli_failf(125, "out of memory");
        struct engine_exec_opts o = { .args = args };
        _cleanup_error_ struct cu_error *err = NULL;
        int code = 0;
        fflush(stdout);
        if (engine_exec(e, id, &o, &code, &err) < 0 || code != 0)
                return cli_fail(125, why);
        return 0;
}

int cmd_top(struct cli_ctx *c, int argc, char **argv)
{
        bool latest = false;
        struct opt opts[] = {
                { .name = "latest", .shorthand = 'l', .type = OPT_BOOL, .value = &latest, .help = "Act on the latest container podman is aware of" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle top [options] CONTAINER [FORMAT-DESCRIPTORS|ARGS...]",
                                .short_desc = "Display the running processes of a container",
                                .flags = OPTS_STOP_AT_FIRST_ARG, .opts = opts };
        struct opts_args args = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_ctr_record_list_ struct ctr_record **list = NULL;
        struct engine e;
        char ***rows = NULL;
        int rc = cli_parse(&cmd, argc, argv, &args);
        if (rc != 0)
                goto out;
        if (args.n < 1 && !latest) {
                rc = cli_failf(125, "you must provide the name or id of a running container");
                goto out;
        }
        if (cli_engine(c, &e, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        const char *id = latest ? NULL : args.args[0];
        char **descs = latest ? args.args : args.args + 1;
        if (latest) {
                size_t n = 0;
                if (engine_list(&e, &list, &n, &err) < 0 || n == 0) {
                        rc = err ? cli_fail(125, err) : cli_failf(125, "no containers to top");
                        goto out;
                }
                id = list[n - 1]->id;
        }
        int r = engine_top(&e, id, descs, &rows, &err);
        if (r == -ENOTSUP) {
                rc = ps_fallback(&e, id, descs, err);
                goto out;
        }
        if (r < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        print_rows(rows);
out:
        top_rows_free(rows);
        opts_args_done(&args);
        return rc == CLI_DONE_OK ? 0 : rc;
}
