/* SPDX-License-Identifier: GPL-2.0-or-later */
/* logs: k8s-file records, -f, -t, --since, --until, -n/--tail, several containers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "containers.h"
#include "util/parse.h"

struct printer {
        const char *prefix; /* 12-char ID with several containers */
        bool timestamps;
};

static int print_rec(void *ud, const struct log_record *r)
{
        struct printer *p = ud;
        FILE *f = r->stream == CTR_STREAM_STDERR ? stderr : stdout;
        if (p->prefix)
                fprintf(f, "%s ", p->prefix);
        if (p->timestamps)
                fprintf(f, "%.*s ", (int) r->ts_len, r->ts_text);
        fwrite(r->text, 1, r->len, f);
        if (!r->partial)
                fputc('\n', f);
        return 0;
}

int cli_parse_time(const char *s, bool future, int64_t *ret)
{
        if (log_parse_timestamp(s, strlen(s), ret) == 0)
                return 0;
        int64_t d = 0;
        if (opts_parse_duration(s, false, &d, NULL) == 0) {
                *ret = future ? engine_now_ns() + d : engine_now_ns() - d;
                return 0;
        }
        int64_t secs;
        if (safe_atoi64(s, &secs) == 0) {
                *ret = secs * 1000000000;
                return 0;
        }
        /* a date alone */
        char buf[64];
        if (strlen(s) == 10 && snprintf(buf, sizeof buf, "%sT00:00:00Z", s) > 0 &&
            log_parse_timestamp(buf, strlen(buf), ret) == 0)
                return 0;
        return -EINVAL;
}

int cmd_logs(struct cli_ctx *c, int argc, char **argv)
{
        bool follow = false, timestamps = false, latest = false, names = false;
        const char *since = NULL, *until = NULL;
        int64_t tail = -1;
        struct opt opts[] = {
                { .name = "follow", .shorthand = 'f', .type = OPT_BOOL, .value = &follow, .help = "Follow log output.  The default is false" },
                { .name = "latest", .shorthand = 'l', .type = OPT_BOOL, .value = &latest, .help = "Act on the latest container podman is aware of" },
                { .name = "names", .type = OPT_BOOL, .value = &names, .help = "Output the container name in the log" },
                { .name = "since", .type = OPT_STRING, .value = &since, .help = "Show logs since TIMESTAMP" },
                { .name = "tail", .shorthand = 'n', .type = OPT_INT64, .value = &tail, .help = "Output the specified number of LINES at the end of the logs.  Defaults to -1, which prints all lines", .def = "-1" },
                { .name = "timestamps", .shorthand = 't', .type = OPT_BOOL, .value = &timestamps, .help = "Output the timestamps in the log" },
                { .name = "until", .type = OPT_STRING, .value = &until, .help = "Show logs until TIMESTAMP" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle logs [options] CONTAINER [CONTAINER...]",
                                .short_desc = "Fetch the logs of one or more containers", .opts = opts };
        struct opts_args args = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_ctr_record_list_ struct ctr_record **list = NULL;
        struct engine e;
        int rc = cli_parse(&cmd, argc, argv, &args);
        if (rc != 0)
                goto out;
        struct engine_logs_opts lo = { .follow = follow, .tail = tail < 0 ? -1 : tail };
        if (since && cli_parse_time(since, false, &lo.since) < 0) {
                rc = cli_failf(125, "parsing time \"%s\": invalid time format", since);
                goto out;
        }
        if (until && cli_parse_time(until, false, &lo.until) < 0) {
                rc = cli_failf(125, "parsing time \"%s\": invalid time format", until);
                goto out;
        }
        if (args.n == 0 && !latest) {
                rc = cli_failf(125, "specify at least one container name or ID to log");
                goto out;
        }
        if (cli_engine(c, &e, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        char *one[2] = { NULL, NULL };
        char **which = args.args;
        if (latest) {
                size_t n = 0;
                if (ctr_list(e.db, &list, &n, &err) < 0 || n == 0) {
                        rc = cli_failf(125, "no containers to log");
                        goto out;
                }
                one[0] = list[n - 1]->id;
                which = one;
        }
        size_t count = 0;
        for (char **w = which; *w; w++)
                count++;
        /* podman resolves every container first */
        struct ctr_record **recs = calloc(count + 1, sizeof *recs);
        if (!recs) {
                rc = 125;
                goto out;
        }
        for (size_t i = 0; i < count; i++)
                if (engine_get(&e, which[i], &recs[i], &err) < 0) {
                        rc = cli_fail(125, err);
                        goto done;
                }
        for (size_t i = 0; i < count; i++) {
                char prefix[CTR_ID_LEN + 1];
                snprintf(prefix, sizeof prefix, "%.12s", recs[i]->id);
                struct printer p = { .prefix = count > 1 ? prefix : names ? recs[i]->name : NULL,
                                     .timestamps = timestamps };
                if (engine_logs(&e, recs[i], &lo, print_rec, &p, &err) < 0) {
                        rc = cli_fail(125, err);
                        goto done;
                }
                fflush(stdout);
        }
done:
        for (size_t i = 0; i < count; i++)
                ctr_record_free(recs[i]);
        free(recs);
out:
        opts_args_done(&args);
        return rc == CLI_DONE_OK ? 0 : rc;
}
