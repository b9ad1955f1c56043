/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The container's filesystem (runtime-spec config.md "root", "mounts";
 * config-linux.md devices, rootfsPropagation, maskedPaths, readonlyPaths).
 * Runs in the container init, inside its new mount namespace, as root of
 * its user namespace.  The order is runc's:
 *
 *   rootfs_setup()     "/" rslave (or rootfsPropagation), the rootfs' parent
 *                      mount private if it was shared, rootfs bound onto
 *                      itself, every spec mount in order, then (unless /dev
 *                      is a bind) the device nodes and /dev symlinks
 *   (createRuntime / createContainer hooks run here, by the caller)
 *   rootfs_pivot()     pivot_root(".", ".") + detach the old root; or
 *                      MS_MOVE + chroot with no_pivot
 *   (sysctls, by the caller)
 *   rootfs_finalize()  readonlyPaths, maskedPaths, /dev read-only if asked,
 *                      root.readonly, rootfsPropagation on the new "/"
 *
 * Every destination is resolved inside the rootfs (openat2 RESOLVE_IN_ROOT)
 * and mounted through "/proc/self/fd/N" of an O_PATH fd, then reopened and
 * checked to be a new mount before flags are changed.
 */
#pragma once

#include <stdbool.h>

#include "oci/spec.h"
#include "util/error.h"

/* rootfs: absolute host path of root.path (already resolved against the
 * bundle).  cgroup_path: the container's cgroup relative to each hierarchy
 * root ("/cuttle/ID"), or NULL to use the init's own from /proc/self/cgroup.
 * in_userns: the container has a user namespace (mknod is not possible;
 * devices are bind-mounted from the host, sysfs may need an rbind).
 * A mount error names the mount:
 *   mounts[2] ("/data"): mounting "tmpfs" on "/data": Invalid argument */
int rootfs_setup(const struct oci_spec *s, const char *rootfs, const char *cgroup_path,
                 bool in_userns, struct cu_error **err);

/* rootfs_setup() when the rootfs cannot be reached by its path (a user namespace whose root
 * may not enter the bundle): rootfs_fd is an O_PATH fd on it (opened by stage 1 in this
 * mount namespace), the self-bind is made with open_tree/move_mount, and *ret_rootfd (may be
 * NULL) gets that mount's root, for rootfs_pivot_fd().  src_fds (may be NULL): per spec
 * mount, its bind source opened by stage 1 likewise (-1: open it by its path here). */
int rootfs_setup_fd(const struct oci_spec *s, const char *rootfs, int rootfs_fd,
                    const int *src_fds, const char *cgroup_path, bool in_userns,
                    int *ret_rootfd, struct cu_error **err);

/* Makes rootfs the root of the mount namespace and chdir("/"). */
int rootfs_pivot(const char *rootfs, bool no_pivot, struct cu_error **err);
/* The same with the rootfs given by rootfd (from rootfs_setup_fd; -1: by its path). */
int rootfs_pivot_fd(const char *rootfs, int rootfd, bool no_pivot, struct cu_error **err);

/* After pivot (and sysctls).  Missing masked/readonly paths are ignored. */
int rootfs_finalize(const struct oci_spec *s, struct cu_error **err);
