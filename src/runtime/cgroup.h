/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cgroup manager of the built-in OCI runtime (cgroupfs only; the
 * systemd "slice:prefix:name" syntax is accepted and mapped to a path).
 *
 * Versions: 2 is the unified hierarchy; 1 is legacy *and* hybrid (v1
 * controllers under <root>/<ctrl>, plus an empty cgroup2 at <root>/unified,
 * which we join too so that the container is tracked there as well).
 *
 * cgroupsPath rules (cgroup_new()), giving one path used in every hierarchy:
 *   NULL or ""         "/cuttle/<id>"  (systemd_cgroup: "/system.slice/cuttle-<id>.scope")
 *   "/a/b"             as is (cleaned: "//" and "/./" collapsed, trailing "/" dropped)
 *   "a/b"              relative to the runtime's own cgroup, as runc does: the "0::"
 *                      entry of /proc/self/cgroup on v2; on v1 the name=systemd entry
 *                      (else the first entry), so that one path serves every hierarchy
 *   "slice:prefix:name" (when systemd_cgroup, or when the value has two ':' and no '/')
 *                      "/<slice expanded>/<prefix>-<name>.scope"; "a-b.slice" expands to
 *                      "/a.slice/a-b.slice", "" to "system.slice", "-.slice" to the root;
 *                      a name ending in ".slice" is used as is (prefix ignored); an
 *                      empty prefix gives "<name>.scope"
 * ".." components are rejected everywhere.  The resulting ->path is absolute and
 * can be stored and passed back to cgroup_new() to reopen the same cgroup.
 *
 * Resources: values of 0 mean "unset" for memory limit/reservation/swap, cpu
 * shares/quota/period/burst/realtime and blkio weights (as runc); -1 means
 * unlimited.  cgroup_enter() with resources always installs a device policy:
 * deny all, the spec's rules in order, then the default allow list (mknod of any
 * c/b device, null, zero, full, random, urandom, tty, console, ptmx, pts/N), so
 * that a spec starting with "deny all" still gets working standard devices.
 * cgroup_update() only replaces the device policy when the spec has rules.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "oci/spec.h"
#include "util/error.h"

struct cg_hierarchy;
struct cgroup_ops;

struct cgroup {
        int version; /* 1 or 2 (hybrid = 1) */
        char *root; /* "/sys/fs/cgroup" unless a test passes another */
        char *path; /* relative to each hierarchy root, e.g. "/cuttle/ID" */

        /* Private to cgroup*.c. */
        bool fake; /* root is a plain directory tree (tests): writes create and append */
        struct cg_hierarchy *hier; /* v1: mounted hierarchies (incl. unified in hybrid) */
        size_t n_hier;
        const struct cgroup_ops *ops;
};

/* See the rules above.  root NULL = "/sys/fs/cgroup"; version 0 = detect.  Does not
 * touch the filesystem beyond detection. */
int cgroup_new(const char *root, int version, const char *cgroups_path, const char *id,
               bool systemd_cgroup, struct cgroup **ret, struct cu_error **err);

/* Creates the cgroup in every hierarchy (v1: cpuset.cpus/mems copied from the parent
 * into new dirs; v2: controllers enabled in each ancestor's cgroup.subtree_control),
 * applies res when not NULL and moves pid in when pid > 0.  res NULL = only join. */
int cgroup_enter(struct cgroup *cg, const struct oci_resources *res, pid_t pid,
                 struct cu_error **err);

/* Moves pid into a cgroup that cgroup_enter() made. */
int cgroup_add_pid(struct cgroup *cg, pid_t pid, struct cu_error **err);

/* Applies res to an existing cgroup. */
int cgroup_update(struct cgroup *cg, const struct oci_resources *res, struct cu_error **err);

/* Every pid in the cgroup and its descendants (malloc'd array; *ret NULL when empty). */
int cgroup_get_pids(struct cgroup *cg, pid_t **ret, size_t *ret_n, struct cu_error **err);

/* Signals every process.  v2 SIGKILL uses cgroup.kill when present; otherwise the
 * cgroup is frozen (unless it already is), signalled pid by pid, and thawed. */
int cgroup_kill_all(struct cgroup *cg, int sig, struct cu_error **err);

/* Freezes or thaws and waits until the state settles (v1 freezer.state, v2
 * cgroup.freeze + cgroup.events).  -EOPNOTSUPP without a freezer. */
int cgroup_freeze(struct cgroup *cg, bool frozen, struct cu_error **err);
int cgroup_is_frozen(struct cgroup *cg, bool *ret, struct cu_error **err);

/* Removes the cgroup (and sub-cgroups, deepest first) in every hierarchy.  Missing
 * dirs are fine; EBUSY (processes still exiting) is retried for about a second. */
int cgroup_destroy(struct cgroup *cg, struct cu_error **err);

/* Absolute directory of the cgroup in the hierarchy of controller (v1: e.g.
 * "memory", "name=systemd"; NULL or "" = the unified hierarchy in hybrid mode);
 * v2 ignores controller.  -ENOENT when the controller is not mounted. */
int cgroup_controller_path(const struct cgroup *cg, const char *controller, char **ret,
                           struct cu_error **err);

#define CGROUP_UNLIMITED UINT64_MAX

/* Unavailable values are 0 with has_* false; "max" is CGROUP_UNLIMITED. */
struct cgroup_stats {
        bool has_memory, has_pids, has_cpu;
        uint64_t memory_usage, memory_limit; /* bytes */
        uint64_t pids_current, pids_limit;
        uint64_t cpu_usage_ns;
};

int cgroup_stats(struct cgroup *cg, struct cgroup_stats *ret, struct cu_error **err);

struct cgroup *cgroup_free(struct cgroup *cg);
DEFINE_CLEANUP_FUNC(struct cgroup *, cgroup_free)
