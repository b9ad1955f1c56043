/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stats: cgroup v1/v2 and net/dev readings (see stats.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/container.h"
#include "engine/stats.h"
#include "util/fileio.h"

char *stats_cgroup_path(const char *proc_cgroup, const char *controller)
{
        for (const char *l = proc_cgroup; l && *l;) {
                const char *end = strchrnul(l, '\n');
                const char *c1 = memchr(l, ':', (size_t) (end - l));
                const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t) (end - c1 - 1)) : NULL;
                if (c2) {
                        size_t cl = (size_t) (c2 - c1 - 1), n = strlen(controller);
                        bool hit = false;
                        if (n == 0)
                                hit = cl == 0 && strncmp(l, "0:", 2) == 0;
                        else
                                for (const char *p = c1 + 1; p < c2;) {
                                        const char *q = memchr(p, ',', (size_t) (c2 - p));
                                        if (!q)
                                                q = c2;
                                        if ((size_t) (q - p) == n && strncmp(p, controller, n) == 0)
                                                hit = true;
                                        p = q + 1;
                                }
                        if (hit)
                                return strndup(c2 + 1, (size_t) (end - c2 - 1));
                }
                l = *end ? end + 1 : end;
        }
        return NULL;
}

uint64_t stats_kv(const char *text, const char *key)
{
        size_t n = strlen(key);
        for (const char *l = text; l && *l;) {
                if (strncmp(l, key, n) == 0 && l[n] == ' ')
                        return strtoull(l + n + 1, NULL, 10);
                const char *nl = strchr(l, '\n');
                l = nl ? nl + 1 : NULL;
        }
        return 0;
}

void stats_blkio_v1(const char *text, uint64_t *ret_read, uint64_t *ret_write)
{
        uint64_t rd = 0, wr = 0;
        for (const char *l = text; l && *l;) {
                char dev[32], op[16];
                unsigned long long v;
                if (sscanf(l, "%31s %15s %llu", dev, op, &v) == 3) {
                        if (strcmp(op, "Read") == 0)
                                rd += v;
                        else if (strcmp(op, "Write") == 0)
                                wr += v;
                }
                const char *nl = strchr(l, '\n');
                l = nl ? nl + 1 : NULL;
        }
        *ret_read = rd;
        *ret_write = wr;
}

void stats_io_v2(const char *text, uint64_t *ret_read, uint64_t *ret_write)
{
        uint64_t rd = 0, wr = 0;
        for (const char *l = text; l && *l;) {
                const char *end = strchrnul(l, '\n');
                for (const char *p = l; p < end; p++) {
                        if (strncmp(p, "rbytes=", 7) == 0 && (p == l || p[-1] == ' '))
                                rd += strtoull(p + 7, NULL, 10);
                        else if (strncmp(p, "wbytes=", 7) == 0 && (p == l || p[-1] == ' '))
                                wr += strtoull(p + 7, NULL, 10);
                }
                l = *end ? end + 1 : end;
        }
        *ret_read = rd;
        *ret_write = wr;
}

void stats_net_dev(const char *text, uint64_t *ret_rx, uint64_t *ret_tx)
{
        uint64_t rx = 0, tx = 0;
        for (const char *l = text; l && *l;) {
                const char *colon = strchr(l, ':');
                const char *nl = strchr(l, '\n');
                if (colon && (!nl || colon < nl)) {
                        const char *name = l;
                        while (*name == ' ')
                                name++;
                        unsigned long long v[9];
                        if (!(colon - name == 2 && strncmp(name, "lo", 2) == 0) &&
                            sscanf(colon + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
                                   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]) == 9) {
                                rx += v[0];
                                tx += v[8];
                        }
                }
                l = nl ? nl + 1 : NULL;
        }
        *ret_rx = rx;
        *ret_tx = tx;
}

static char *read_in(const char *dir, const char *file)
{
        if (!dir)
                return NULL;
        char *p = NULL, *s = NULL;
        if (asprintf(&p, "%s/%s", dir, file) < 0)
                return NULL;
        int r = read_full_file(p, &s, NULL, NULL);
        free(p);
        return r < 0 ? NULL : s;
}

/* A number file ("max" → UINT64_MAX); 0 when absent. */
static uint64_t read_u64(const char *dir, const char *file)
{
        _cleanup_free_ char *s = read_in(dir, file);
        if (!s)
                return 0;
        if (strncmp(s, "max", 3) == 0)
                return UINT64_MAX;
        return strtoull(s, NULL, 10);
}

void stats_from_cgroup(const struct stats_dirs *d, uint64_t host_mem, struct engine_stats *s)
{
        bool v2 = d->version == 2;
        _cleanup_free_ char *mstat = read_in(d->memory, "memory.stat");
        uint64_t usage = read_u64(d->memory, v2 ? "memory.current" : "memory.usage_in_bytes");
        uint64_t inactive = mstat ? stats_kv(mstat, v2 ? "inactive_file" : "total_inactive_file") : 0;
        s->mem_usage = usage > inactive ? usage - inactive : usage;
        uint64_t limit = read_u64(d->memory, v2 ? "memory.max" : "memory.limit_in_bytes");
        s->mem_limit = limit == 0 || (host_mem && limit > host_mem) ? host_mem : limit;
        if (v2) {
                _cleanup_free_ char *cstat = read_in(d->cpuacct, "cpu.stat");
                s->cpu_ns = cstat ? stats_kv(cstat, "usage_usec") * 1000 : 0;
        } else {
                s->cpu_ns = read_u64(d->cpuacct, "cpuacct.usage");
        }
        s->pids = read_u64(d->pids, "pids.current");
        _cleanup_free_ char *io = read_in(d->blkio, v2 ? "io.stat" : "blkio.throttle.io_service_bytes");
        if (io && v2)
                stats_io_v2(io, &s->blk_read, &s->blk_write);
        else if (io)
                stats_blkio_v1(io, &s->blk_read, &s->blk_write);
}

static uint64_t host_memory(void)
{
        _cleanup_free_ char *m = NULL;
        if (read_full_file("/proc/meminfo", &m, NULL, NULL) < 0)
                return 0;
        const char *l = strstr(m, "MemTotal:");
        return l ? strtoull(l + 9, NULL, 10) * 1024 : 0;
}

static char *join(const char *a, const char *b)
{
        char *p = NULL;
        return asprintf(&p, "%s%s", a, b) < 0 ? NULL : p;
}

int engine_stats_read(struct engine *e, const struct ctr_record *r, struct engine_stats *ret,
                      struct cu_error **err)
{
        (void) e;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        *ret = (struct engine_stats){ .read_ns = (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec,
                                      .started_ns = r->started_at };
        if (!engine_is_running(r))
                return 0;
        char p[64];
        snprintf(p, sizeof p, "/proc/%d/cgroup", (int) r->pid);
        _cleanup_free_ char *cg = NULL;
        int q = read_full_file(p, &cg, NULL, NULL);
        if (q == -ENOENT || q == -ESRCH)
                return 0; /* it exited meanwhile */
        if (q < 0)
                return cu_error_set(err, -q, "reading %s", p);
        ret->running = true;
        bool v2 = access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0;
        _cleanup_free_ char *unified = NULL, *mem = NULL, *cpu = NULL, *pids = NULL, *blk = NULL;
        struct stats_dirs d = { .version = v2 ? 2 : 1 };
        if (v2) {
                _cleanup_free_ char *rel = stats_cgroup_path(cg, "");
                unified = rel ? join("/sys/fs/cgroup", rel) : NULL;
                d.memory = d.cpuacct = d.pids = d.blkio = unified;
        } else {
                const struct {
                        const char *ctrl, *mount;
                        char **dst;
                        const char **slot;
                } m[] = {
                        { "memory", "/sys/fs/cgroup/memory", &mem, &d.memory },
                        { "cpuacct", "/sys/fs/cgroup/cpuacct", &cpu, &d.cpuacct },
                        { "pids", "/sys/fs/cgroup/pids", &pids, &d.pids },
                        { "blkio", "/sys/fs/cgroup/blkio", &blk, &d.blkio },
                };
                for (size_t i = 0; i < ELEMENTSOF(m); i++) {
                        _cleanup_free_ char *rel = stats_cgroup_path(cg, m[i].ctrl);
                        *m[i].dst = rel ? join(m[i].mount, rel) : NULL;
                        *m[i].slot = *m[i].dst;
                }
        }
        stats_from_cgroup(&d, host_memory(), ret);
        snprintf(p, sizeof p, "/proc/%d/net/dev", (int) r->pid);
        _cleanup_free_ char *net = NULL;
        if (read_full_file(p, &net, NULL, NULL) >= 0)
                stats_net_dev(net, &ret->net_rx, &ret->net_tx);
        return 0;
}

double stats_cpu_percent(const struct engine_stats *now, const struct engine_stats *prev)
{
        if (!prev)
                return stats_avg_cpu_percent(now);
        int64_t dt = now->read_ns - prev->read_ns;
        if (dt <= 0 || now->cpu_ns < prev->cpu_ns)
                return 0.0;
        return (double) (now->cpu_ns - prev->cpu_ns) * 100.0 / (double) dt;
}

double stats_avg_cpu_percent(const struct engine_stats *s)
{
        int64_t dt = s->read_ns - s->started_ns;
        if (!s->running || dt <= 0 || s->started_ns == 0)
                return 0.0;
        return (double) s->cpu_ns * 100.0 / (double) dt;
}

double stats_mem_percent(const struct engine_stats *s)
{
        return s->mem_limit ? (double) s->mem_usage * 100.0 / (double) s->mem_limit : 0.0;
}
