/* SPDX-License-Identifier: GPL-2.0-or-later */
/* container prune: removes every container that is not running (--filter label, label!,
 * until; a prompt unless -f). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "containers.h"
#include "util/parse.h"
#include "util/strv.h"

/* RFC3339, a date, unix seconds or a duration before now (podman's until). */
int cmd_container_prune(struct cli_ctx *c, int argc, char **argv)
{
        bool force = false;
        char **filters = NULL;
        struct opt opts[] = {
                { .name = "filter", .type = OPT_STRING_ARRAY, .value = &filters, .help = "Provide filter values (e.g. 'label=<key>=<value>')" },
                { .name = "force", .shorthand = 'f', .type = OPT_BOOL, .value = &force, .help = "Do not prompt for confirmation.  The default is false" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle container prune [options]",
                                .short_desc = "Remove all non running containers", .opts = opts };
        struct opts_args args = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_strv_ char **labels = NULL, **not_labels = NULL, **removed = NULL, **errors = NULL;
        struct engine_prune_opts po = { 0 };
        struct engine e;
        int rc = cli_parse(&cmd, argc, argv, &args);
        if (rc != 0)
                goto out;
        if (args.n > 0) {
                rc = cli_failf(125, "accepts 0 arg(s), received %zu", args.n);
                goto out;
        }
        for (char **f = filters; f && *f; f++) {
                const char *eq = strchr(*f, '=');
                _cleanup_free_ char *k = eq ? strndup(*f, (size_t) (eq - *f)) : strdup(*f);
                if (!k) {
                        rc = cli_failf(125, "out of memory");
                        goto out;
                }
                if (!eq) {
                        rc = cli_failf(125, "invalid filter \"%s\"", *f);
                        goto out;
                }
                if (strcmp(k, "label") == 0) {
                        (void) strv_extend(&labels, eq + 1);
                } else if (strcmp(k, "label!") == 0) {
                        (void) strv_extend(&not_labels, eq + 1);
                } else if (strcmp(k, "until") == 0) {
                        if (cli_parse_time(eq + 1, false, &po.until) < 0) {
                                rc = cli_failf(125, "failed to parse value as time or duration: \"%s\"", eq + 1);
                                goto out;
                        }
                } else {
                        rc = cli_failf(125, "%s is an invalid filter", k);
                        goto out;
                }
        }
        if (!force) {
                printf("WARNING! This will remove all non running containers.\n"
                       "Are you sure you want to continue? [y/N] ");
                fflush(stdout);
                char answer[64] = "";
                if (!fgets(answer, sizeof answer, stdin) ||
                    (answer[0] != 'y' && answer[0] != 'Y'))
                        goto out;
        }
        if (cli_engine(c, &e, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        po.labels = labels;
        po.not_labels = not_labels;
        if (engine_prune(&e, &po, &removed, &errors, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        for (char **r = removed; r && *r; r++)
                puts(*r);
        for (char **m = errors; m && *m; m++) {
                fprintf(stderr, "Error: %s\n", *m);
                rc = 125;
        }
out:
        strv_free(filters);
        opts_args_done(&args);
        return rc == CLI_DONE_OK ? 0 : rc;
}
