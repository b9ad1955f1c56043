/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by cgroup.c (detection, paths, dispatch, the write engine),
 * cgroup-v1.c, cgroup-v2.c and cgroup-bpf.c; exposed to test-cgroup.c.
 *
 * Resources are applied compute-then-apply: a backend turns oci_resources
 * (plus a few live values in struct cg_current) into a cg_plan, an ordered
 * list of (controller, dir, file, value) writes that tests check as data;
 * cg_plan_apply() performs it.  On a fake root (a plain directory tree used by
 * tests) a write creates the file and appends "value\n", so the file is a log.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgroup.h"
#include "util/cleanup.h"

struct bpf_insn;

/* One mounted hierarchy. */
struct cg_hierarchy {
        char *dir; /* absolute mount point, "/sys/fs/cgroup/cpu,cpuacct" */
        char **controllers; /* "cpu", "cpuacct"; "name=systemd"; empty for unified */
        bool unified; /* the cgroup2 mount of a hybrid system (no controllers) */
};

struct cgroup_ops {
        /* Creates the directories and prepares them (v1 cpuset; v2 subtree_control, where
         * the controllers res needs are required).  res may be NULL. */
        int (*create)(struct cgroup *cg, const struct oci_resources *res, struct cu_error **err);
        /* Plans and applies res; creating: a fresh cgroup (device policy always set). */
        int (*apply)(struct cgroup *cg, const struct oci_resources *res, bool creating,
                     struct cu_error **err);
        int (*add_pid)(struct cgroup *cg, pid_t pid, struct cu_error **err);
        /* Directory whose tree lists every process (malloc'd). */
        int (*procs_dir)(const struct cgroup *cg, char **ret, struct cu_error **err);
        /* Fast kill of the whole tree (v2 cgroup.kill); -EOPNOTSUPP (err untouched) when
         * unavailable. */
        int (*kill)(struct cgroup *cg, int sig, struct cu_error **err);
        int (*freeze)(struct cgroup *cg, bool frozen, struct cu_error **err);
        int (*is_frozen)(struct cgroup *cg, bool *ret, struct cu_error **err);
        int (*destroy)(struct cgroup *cg, struct cu_error **err);
        int (*stats)(struct cgroup *cg, struct cgroup_stats *ret, struct cu_error **err);
};

extern const struct cgroup_ops cg_v1_ops;
extern const struct cgroup_ops cg_v2_ops;

/* ---- plans ---- */

enum {
        CG_W_OPTIONAL = 1 << 0, /* skipped when the file (and alt_file) does not exist */
        CG_W_BEST_EFFORT = 1 << 1, /* any failure is logged at debug and ignored */
};

struct cg_write {
        char *controller; /* v1: the hierarchy holding the file; NULL on v2 */
        char *dir; /* NULL: the container's cgroup; else a cgroup path ("" is the root) */
        char *file;
        char *alt_file; /* tried when file does not exist (blkio.bfq.weight), may be NULL */
        char *value;
        unsigned flags;
};

struct cg_plan {
        struct cg_write *writes;
        size_t n_writes;
        /* v2 device policy: a BPF_PROG_TYPE_CGROUP_DEVICE program to attach. */
        bool has_dev_prog;
        struct bpf_insn *dev_prog;
        size_t n_dev_prog;
};

int cg_plan_add(struct cg_plan *p, const char *controller, const char *dir, const char *file,
                const char *alt_file, unsigned flags, const char *fmt, ...) _printf_(7, 8);
void cg_plan_done(struct cg_plan *p);
/* Runs the writes in order; the first failure (not optional/best effort) stops it with
 * "setting <file> to <value>: <strerror>".  Does not attach dev_prog. */
int cg_plan_apply(struct cgroup *cg, const struct cg_plan *p, struct cu_error **err);

/* Live values a planner needs, read by the backend before planning. */
struct cg_current {
        int64_t memory_limit; /* v1 memory.limit_in_bytes; -1 unlimited or unknown */
        int64_t cpu_quota; /* v2 cpu.max; -1 = "max" */
        uint64_t cpu_period; /* v2 cpu.max; 100000 by default */
};
void cg_current_init(struct cg_current *c);

int cg_v1_plan(const struct oci_resources *res, const struct cg_current *cur, bool creating,
               struct cg_plan *ret, struct cu_error **err);
int cg_v2_plan(const struct oci_resources *res, const struct cg_current *cur, bool creating,
               struct cg_plan *ret, struct cu_error **err);

/* v2: controllers a resource set needs (NULL-terminated, possibly empty). */
int cg_v2_needed_controllers(const struct oci_resources *res, char ***ret);
/* v2: "+ctrl" writes into cgroup.subtree_control of every ancestor of path, from the
 * root down.  available: the root's cgroup.controllers; enabled[i]: what level i
 * (the root, then each ancestor; as many as path has components) already has.
 * Controllers in needed are required, the others best effort. */
int cg_v2_plan_controllers(const char *path, char *const *available, char **const *enabled,
                           char *const *needed, struct cg_plan *plan, struct cu_error **err);

/* Default device rules appended after the spec's (see cgroup.h). */
extern const struct oci_device_cgroup cg_default_devices[];
extern const size_t cg_n_default_devices;
/* "c 1:3 rwm", "a", "b *:* m" (malloc'd). */
char *cg_device_rule_string(const struct oci_device_cgroup *d);

/* ---- paths and detection ---- */

/* Applies the rules of cgroup.h.  self_cgroup: the text of /proc/self/cgroup (only read
 * for relative paths; NULL = "/"). */
int cg_resolve_path(const char *cgroups_path, const char *id, bool systemd_cgroup, int version,
                    const char *self_cgroup, char **ret, struct cu_error **err);
/* "slice:prefix:name" → "/x.slice/x-y.slice/prefix-name.scope". */
int cg_systemd_path(const char *spec, const char *id, char **ret, struct cu_error **err);
/* "slice:prefix:name" (no slash, exactly two colons): a systemd cgroupsPath. */
bool cg_looks_like_systemd_path(const char *p);
/* The path of the line for controller in /proc/self/cgroup text ("" = the "0::" line;
 * NULL = name=systemd or else the first line).  -ENOENT when absent. */
int cg_self_path(const char *self_cgroup, const char *controller, char **ret);

/* Hierarchies mounted directly under root, from /proc/self/mountinfo text; known: the
 * controller names of /proc/cgroups.  A cgroup2 mount there is the hybrid unified one. */
int cg_parse_mountinfo(const char *mountinfo, const char *root, char *const *known,
                       struct cg_hierarchy **ret, size_t *ret_n, struct cu_error **err);
void cg_hierarchies_free(struct cg_hierarchy *h, size_t n);

const struct cg_hierarchy *cg_find_hierarchy(const struct cgroup *cg, const char *controller);

/* ---- I/O helpers (fake-aware) ---- */

/* "<a>/<b>" with the slashes between them normalised (malloc'd or NULL). */
char *cg_path_join(const char *a, const char *b);
/* Writes value to dir/file: "setting <file> to <value>: …" on failure. */
int cg_write(const struct cgroup *cg, const char *dir, const char *file, const char *value,
             struct cu_error **err);
/* Reads dir/file with the trailing newline stripped; on a fake tree the last line. */
int cg_read(const struct cgroup *cg, const char *dir, const char *file, char **ret);
int cg_read_u64(const struct cgroup *cg, const char *dir, const char *file, uint64_t *ret);
/* mkdir -p of dir: "creating cgroup <dir>: …" on failure. */
int cg_mkdir_p(const char *dir, struct cu_error **err);
/* Removes dir and sub-cgroups deepest first; ENOENT ok; EBUSY retried. */
int cg_rmdir_tree(const struct cgroup *cg, const char *dir, struct cu_error **err);
/* Appends the pids of cgroup.procs in dir and below. */
int cg_collect_pids(const char *dir, pid_t **pids, size_t *n, struct cu_error **err);
/* Sleeps for a poll loop: 1ms growing to 10ms. */
void cg_poll_sleep(unsigned attempt);
