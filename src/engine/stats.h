/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `stats`: a container's resource usage from its cgroup (v1: memory, cpuacct, pids, blkio
 * hierarchies; v2: the unified one) and its network namespace (/proc/PID/net/dev).  The
 * cgroup is the one the container's init is in (/proc/PID/cgroup), whichever runtime placed
 * it.  A container that is not running has all-zero stats (as podman).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

struct engine;
struct ctr_record;

struct engine_stats {
        uint64_t cpu_ns;        /* total CPU time used */
        uint64_t mem_usage;     /* bytes, without inactive file pages (as docker/podman) */
        uint64_t mem_limit;     /* bytes: the cgroup's limit, else the host's memory */
        uint64_t net_rx, net_tx;
        uint64_t blk_read, blk_write;
        uint64_t pids;
        int64_t read_ns;        /* when read (wall clock) */
        int64_t started_ns;     /* the container's start (for the average CPU) */
        bool running;
};

/* Reads the stats of a (refreshed) record; a stopped container gives zeros (0). */
int engine_stats_read(struct engine *e, const struct ctr_record *r, struct engine_stats *ret,
                      struct cu_error **err);

/* ---- the pure parts (unit tests) ---- */

/* The path of controller's line in /proc/PID/cgroup text ("" = the v2 "0::" line). */
char *stats_cgroup_path(const char *proc_cgroup, const char *controller);
/* "KEY VALUE" lines (memory.stat, cpu.stat): VALUE of key, or 0. */
uint64_t stats_kv(const char *text, const char *key);
/* v1 blkio.throttle.io_service_bytes ("8:0 Read 4096" lines) or v2 io.stat ("8:0 rbytes=… 
 * wbytes=…") sums. */
void stats_blkio_v1(const char *text, uint64_t *ret_read, uint64_t *ret_write);
void stats_io_v2(const char *text, uint64_t *ret_read, uint64_t *ret_write);
/* /proc/PID/net/dev: received and sent bytes of every interface but lo. */
void stats_net_dev(const char *text, uint64_t *ret_rx, uint64_t *ret_tx);
/* Reads the cgroup files under dirs (v1: one dir per controller, NULL when absent; v2: the
 * same dir in each) into s (cpu, memory, pids, blkio).  host_mem: the limit when unlimited. */
struct stats_dirs {
        int version;
        const char *memory, *cpuacct, *pids, *blkio; /* v2: all the unified dir */
};
void stats_from_cgroup(const struct stats_dirs *d, uint64_t host_mem, struct engine_stats *s);

/* Podman's percentages: CPU over an interval (previous sample, or the start), memory. */
double stats_cpu_percent(const struct engine_stats *now, const struct engine_stats *prev);
double stats_avg_cpu_percent(const struct engine_stats *s);
double stats_mem_percent(const struct engine_stats *s);
