/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stats: podman's table, templates and JSON over engine/stats.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "containers.h"
#include "engine/stats.h"
#include "engine/top.h"
#include "template.h"
#include "util/json.h"
#include "util/strv.h"

/* go-units HumanSize (SI, 4 significant digits) or BytesSize (binary). */
static const char *size_text(uint64_t v, bool binary, char buf[static 32])
{
        static const char *const si[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB" };
        static const char *const bin[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
        double d = (double) v, base = binary ? 1024.0 : 1000.0;
        size_t i = 0;
        while (d >= base && i < 6) {
                d /= base;
                i++;
        }
        snprintf(buf, 32, "%.4g%s", d, binary ? bin[i] : si[i]);
        return buf;
}

static const char *pair(uint64_t a, uint64_t b, bool binary, char buf[static 80])
{
        char x[32], y[32];
        snprintf(buf, 80, "%s / %s", size_text(a, binary, x), size_text(b, binary, y));
        return buf;
}

static const char *percent(double v, char buf[static 32])
{
        snprintf(buf, 32, "%.2f%%", isfinite(v) ? v : 0.0);
        return buf;
}

/* One row: podman's template fields, and the JSON form (lowercase keys) in *ret_json. */
static json_t *stats_row(const struct ctr_record *r, const struct engine_stats *s,
                         const struct engine_stats *prev, bool no_trunc, json_t **ret_json)
{
        char id[CTR_ID_LEN + 1], mem[80], memb[80], net[80], blk[80], cpu[32], avg[32], memp[32];
        char up[40], pids[32];
        snprintf(id, sizeof id, "%.*s", no_trunc ? CTR_ID_LEN : 12, r->id);
        double cpu_pct = stats_cpu_percent(s, prev), avg_pct = stats_avg_cpu_percent(s);
        go_duration_text((int64_t) s->cpu_ns, up);
        snprintf(pids, sizeof pids, "%llu", (unsigned long long) s->pids);
        pair(s->mem_usage, s->mem_limit, false, mem);
        pair(s->mem_usage, s->mem_limit, true, memb);
        pair(s->net_rx, s->net_tx, false, net);
        pair(s->blk_read, s->blk_write, false, blk);
        percent(cpu_pct, cpu);
        percent(avg_pct, avg);
        percent(stats_mem_percent(s), memp);
        json_t *row = json_pack(
                "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:I, s:I, s:I,"
                " s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
                "ID", id, "Name", r->name, "CPUPerc", cpu, "AVGCPU", avg, "Up", up, "MemUsage", mem,
                "MemUsageBytes", memb, "MemPerc", memp, "NetIO", net, "BlockIO", blk, "PIDS", pids,
                "ContainerID", r->id, "CPU", cpu_pct, "AvgCPU", avg_pct, "CPUNano",
                (json_int_t) s->cpu_ns, "MemLimit", (json_int_t) s->mem_limit, "NetInput",
                (json_int_t) s->net_rx, "NetOutput", (json_int_t) s->net_tx, "BlockInput",
                (json_int_t) s->blk_read, "BlockOutput", (json_int_t) s->blk_write, "PIDs",
                (json_int_t) s->pids, "SystemNano", (json_int_t) s->read_ns, "UpTime",
                (json_int_t) s->cpu_ns, "Duration", (json_int_t) s->cpu_ns);
        *ret_json = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", id,
                              "name", r->name, "cpu_time", up, "cpu_percent", cpu, "avg_cpu", avg,
                              "mem_usage", mem, "mem_percent", memp, "net_io", net, "block_io",
                              blk, "pids", pids);
        return row;
}

struct sample {
        char id[CTR_ID_LEN + 1];
        struct engine_stats s;
};

static const struct engine_stats *find_prev(const struct sample *v, size_t n, const char *id)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(v[i].id, id) == 0)
                        return &v[i].s;
        return NULL;
}

/* The records to show: the arguments (all looked up first), or every (running) one. */
static int pick(struct engine *e, char **names, bool all, bool latest,
                struct ctr_record ***ret, size_t *ret_n, struct cu_error **err)
{
        struct ctr_record **list = NULL;
        size_t n = 0;
        if (names && *names) {
                n = strv_length(names);
                list = calloc(n + 1, sizeof *list);
                if (!list)
                        return cu_error_set(err, ENOMEM, "stats");
                for (size_t i = 0; i < n; i++) {
                        int r = engine_get(e, names[i], &list[i], err);
                        if (r < 0) {
                                ctr_record_list_free(list);
                                return cu_error_prefix(err, r,
                                                       "unable to get list of containers: unable to look up container %s",
                                                       names[i]);
                        }
                }
        } else {
                int r = engine_list(e, &list, &n, err);
                if (r < 0)
                        return r;
                size_t k = 0;
                for (size_t i = 0; i < n; i++) {
                        bool keep = latest ? i + 1 == n : all || engine_is_running(list[i]);
                        if (keep)
                                list[k++] = list[i];
                        else
                                ctr_record_free(list[i]);
                }
                list[k] = NULL;
                n = k;
        }
        *ret = list;
        *ret_n = n;
        return 0;
}

int cmd_stats(struct cli_ctx *c, int argc, char **argv)
{
        bool all = false, latest = false, no_reset = false, no_stream = false, no_trunc = false;
        const char *format = NULL;
        int interval = 5;
        struct opt opts[] = {
                { .name = "all", .shorthand = 'a', .type = OPT_BOOL, .value = &all, .help = "Show all containers. Only running containers are shown by default. The default is false" },
                { .name = "format", .type = OPT_STRING, .value = &format, .help = "Pretty-print container statistics to JSON or using a Go template" },
                { .name = "interval", .shorthand = 'i', .type = OPT_INT, .value = &interval, .help = "Time in seconds between stats reports", .def = "5" },
                { .name = "latest", .shorthand = 'l', .type = OPT_BOOL, .value = &latest, .help = "Act on the latest container podman is aware of" },
                { .name = "no-reset", .type = OPT_BOOL, .value = &no_reset, .help = "Disable resetting the screen between intervals" },
                { .name = "no-stream", .type = OPT_BOOL, .value = &no_stream, .help = "Disable streaming stats and only pull the first result, default setting is false" },
                { .name = "no-trunc", .type = OPT_BOOL, .value = &no_trunc, .help = "Do not truncate output" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle stats [options] [CONTAINER...]",
                                .short_desc = "Display a live stream of container resource usage statistics",
                                .opts = opts };
        struct opts_args args = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        struct engine e;
        struct sample *prev = NULL, *cur = NULL;
        size_t nprev = 0;
        int rc = cli_parse(&cmd, argc, argv, &args);
        if (rc != 0)
                goto out;
        if (interval < 1) {
                rc = cli_failf(125, "invalid interval, must be a positive number greater zero");
                goto out;
        }
        if ((all || latest) && args.n > 0) {
                rc = cli_failf(125, "--all, --latest and containers cannot be used together");
                goto out;
        }
        if (cli_engine(c, &e, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        bool json_out = format && template_is_json(format);
        static const struct column headers[] = {
                { "ID", "ID" }, { "Name", "NAME" }, { "CPUPerc", "CPU %" },
                { "MemUsage", "MEM USAGE / LIMIT" }, { "MemUsageBytes", "MEM USAGE / LIMIT" },
                { "MemPerc", "MEM %" }, { "NetIO", "NET IO" }, { "BlockIO", "BLOCK IO" },
                { "PIDS", "PIDS" }, { "Up", "CPU TIME" }, { "AVGCPU", "AVG CPU %" }, { NULL, NULL },
        };
        static const struct column cols[] = {
                { "ID", NULL }, { "Name", NULL }, { "CPUPerc", NULL }, { "MemUsage", NULL },
                { "MemPerc", NULL }, { "NetIO", NULL }, { "BlockIO", NULL }, { "PIDS", NULL },
                { "Up", NULL }, { "AVGCPU", NULL }, { NULL, NULL },
        };
        for (bool first = true;; first = false) {
                _cleanup_ctr_record_list_ struct ctr_record **list = NULL;
                size_t n = 0;
                if (pick(&e, args.args, all, latest, &list, &n, &err) < 0) {
                        rc = cli_fail(125, err);
                        goto out;
                }
                _cleanup_json_ json_t *rows = json_array(), *jrows = json_array();
                cur = calloc(n + 1, sizeof *cur);
                if (!rows || !jrows || !cur) {
                        rc = cli_failf(125, "out of memory");
                        goto out;
                }
                for (size_t i = 0; i < n; i++) {
                        memcpy(cur[i].id, list[i]->id, sizeof cur[i].id);
                        if (engine_stats_read(&e, list[i], &cur[i].s, &err) < 0) {
                                rc = cli_fail(125, err);
                                goto out;
                        }
                        json_t *j = NULL;
                        json_t *row = stats_row(list[i], &cur[i].s,
                                                find_prev(prev, nprev, list[i]->id), no_trunc, &j);
                        json_array_append_new(rows, row);
                        json_array_append_new(jrows, j);
                }
                if (!no_stream && !no_reset)
                        fputs("\033[2J\033[1;1H", stdout);
                if (json_out) {
                        _cleanup_free_ char *s = template_json_encode(jrows, " ", true);
                        if (s)
                                puts(s);
                } else {
                        rc = cli_output(format, rows, cols, headers, false);
                        if (rc)
                                goto out;
                }
                fflush(stdout);
                free(prev);
                prev = TAKE_PTR(cur);
                nprev = n;
                if (no_stream)
                        break;
                (void) first;
                (void) nanosleep(&(struct timespec){ interval, 0 }, NULL);
        }
out:
        free(prev);
        free(cur);
        opts_args_done(&args);
        return rc == CLI_DONE_OK ? 0 : rc;
}
