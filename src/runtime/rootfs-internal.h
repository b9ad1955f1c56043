/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What rootfs.c (mounts, pivot, masking) shares with rootfs-cgroup.c (the cgroup mounts). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "mount-opts.h"
#include "oci/spec.h"
#include "util/error.h"

#define CGROUP2_SUPER_MAGIC 0x63677270

enum mount_kind {
        MOUNT_KIND_BIND,
        MOUNT_KIND_PROC,
        MOUNT_KIND_SYSFS,
        MOUNT_KIND_TMPFS,
        MOUNT_KIND_CGROUP,
        MOUNT_KIND_CGROUP2,
        MOUNT_KIND_OTHER,
};

struct mount_ctx {
        const char *rootfs; /* the rootfs' canonical host path */
        size_t rootfs_len;
        const char *cgroup_path;
        int rootfd;
        bool in_userns;
        bool has_netns;
        bool has_cgroupns;
        const char *label; /* SELinux mount label when SELinux is on, else NULL */
        int src_fd; /* the current mount's source, opened by stage 1 (user namespace), or -1 */
};

/* Compares two absolute paths ignoring repeated and trailing slashes. */
bool rootfs_path_equal(const char *a, const char *b);
/* True when path is prefix or below it ("/proc" covers "/proc/x", not "/procx"). */
bool rootfs_path_has_prefix(const char *path, const char *prefix);
int rootfs_mount_error(struct cu_error **err, int e, const char *source, const char *type,
                       const char *dest);
int rootfs_mount_data(const struct mount_ctx *c, bool label, const char *prefix, const char *data,
                     char **ret);
int rootfs_open_dest_dir(const struct mount_ctx *c, const char *dest, bool strict,
                         const char *type, int *ret_fd, struct stat *ret_st,
                         struct cu_error **err);
int rootfs_reopen_mounted(const struct mount_ctx *c, const char *dest, int oldfd, int *ret,
                          struct cu_error **err);
int rootfs_remount_bind(int fd, const char *dest, unsigned long flags, unsigned long cleared,
                        struct cu_error **err);
int rootfs_apply_propagation(int fd, const char *dest, const struct mount_opts *o,
                             struct cu_error **err);
int rootfs_mount_fs(const struct mount_ctx *c, const struct oci_mount *m,
                    const struct mount_opts *o, enum mount_kind kind, const char *type,
                    struct cu_error **err);
int rootfs_mount_bind(const struct mount_ctx *c, const struct oci_mount *m,
                      const struct mount_opts *o, const char *source, struct cu_error **err);

/* The cgroup mount m (rootfs-cgroup.c): cgroup2 on a unified host, else a tmpfs with one
 * directory per v1 hierarchy. */
int rootfs_mount_cgroup(const struct mount_ctx *c, const struct oci_mount *m,
                        const struct mount_opts *o, struct cu_error **err);
/* A cgroup2 mount m: a fresh one, or a bind of the container's own directory when the
 * kernel refuses (a user namespace without a cgroup namespace). */
int rootfs_mount_cgroup2(const struct mount_ctx *c, const struct oci_mount *m,
                         const struct mount_opts *o, struct cu_error **err);
