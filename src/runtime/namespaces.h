/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "oci/spec.h"
#include "util/error.h"

/* userns.c: writes /proc/PID/{uid_map,gid_map} (and setgroups when unprivileged). */
int userns_write_maps(pid_t pid, const struct oci_linux *l, struct cu_error **err);

/* userns.c: per spec mount, an O_PATH fd on its bind source (-1: not a bind mount, or it
 * cannot be opened: the init then opens it by path and reports the error).  Malloc'd, one
 * entry per mount; NULL on ENOMEM. */
int *userns_open_bind_sources(const struct oci_spec *s);

/* Stage 1, in a child of the runtime: joins the namespaces that have a
 * path, creates a user namespace (asking the parent for maps over sync_fd),
 * unshares the other new namespaces (cgroup excepted: the init does it once
 * it is in its cgroup), waits for SYNC_CGROUP_ACK (the runtime puts stage 1
 * in the container's cgroup meanwhile) and forks the container init with
 * CLONE_PARENT, so that the init is the runtime's child and in the cgroup.  Returns 0 in the init; stage 1
 * itself sends SYNC_PID (or SYNC_ERROR) and _exit()s.
 * With a new user namespace, the host's uid is kept (runc's order) until the other
 * namespaces exist: then bundle becomes the cwd and rootfs is opened into *ret_rootfs_fd
 * (O_PATH, in the new mount namespace), and each bind mount's source into
 * (*ret_src_fds)[i] (-1 when it cannot be opened: the init reports it), all of which the container's root may not be
 * allowed to reach (a 0700 bundle); only then stage 1 becomes root of the user namespace. */
int ns_stage1(const struct oci_spec *s, const char *bundle, const char *rootfs, int sync_fd,
              int *ret_rootfs_fd, int **ret_src_fds);

/* Joins every namespace of pid that the spec asks for (exec): user first.
 * Opens all fds before the first setns.  Then forks like ns_stage1. */
int ns_stage1_join_pid(const struct oci_spec *s, pid_t pid, int sync_fd);

/* When the spec neither joins a namespace by path nor uses a user or time
 * namespace, the runtime clones the init directly with these flags (else -1):
 * measured faster than stage 1 on the common path. */
int ns_direct_clone_flags(const struct oci_spec *s);

/* clone() without a new stack: returns like fork(). */
pid_t ns_clone(int flags);

/* True when the spec creates or joins a user namespace. */
bool ns_has(const struct oci_spec *s, enum oci_ns_type t, bool *ret_new);
