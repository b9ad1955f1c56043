/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Device nodes and /dev symlinks inside the container root
 * (runtime-spec config-linux.md: "Devices", "Default Devices", "/dev
 * symbolic links").  Runs in the container's mount namespace before
 * pivot_root; every path goes through util/path.h under rootfd.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "oci/spec.h"
#include "util/error.h"

struct dev_node {
        const char *path; /* absolute, inside the container */
        char type; /* 'c', 'b', 'u' (unbuffered char), 'p' (fifo) */
        unsigned major, minor;
        mode_t mode; /* permission bits */
        uid_t uid;
        gid_t gid;
};

/* The default devices every container gets: /dev/null, zero, full, random,
 * urandom and tty, all 0666 and owned by root.  Returns the count. */
size_t devices_default(const struct dev_node **ret);

/* The nodes to create: the defaults, then linux.devices (an entry for a
 * default's path replaces it).  A device without fileMode gets 0666,
 * without uid/gid 0.  Paths are borrowed from the spec.  -ENOMEM. */
int devices_plan(const struct oci_spec *s, struct dev_node **ret, size_t *ret_n);

/* st_mode type bits for a dev_node type (S_IFCHR…), 0 when unknown. */
mode_t dev_node_type_mode(char type);

/* Creates one node under rootfd: mknod + chmod + chown, or, with bind, an
 * empty file with the host's node of the same path bind-mounted on it (the
 * user-namespace way: mknod is not allowed there).  An existing node of the
 * right type and number is left as it is; anything else in the way (but a
 * directory) is replaced. */
int devices_create(int rootfd, const struct dev_node *d, bool bind, struct cu_error **err);

/* The /dev symlinks: fd → /proc/self/fd, stdin/stdout/stderr →
 * /proc/self/fd/0..2, core → /proc/kcore when the host has it, and with
 * ptmx, ptmx → pts/ptmx (replacing whatever was there).  Existing entries
 * other than ptmx are left alone. */
int devices_symlinks(int rootfd, bool ptmx, struct cu_error **err);

/* All of it: devices_plan(), then devices_create() for each node (binding
 * when in_userns, or when mknod is refused with EPERM), then
 * devices_symlinks(). */
int devices_setup(int rootfd, const struct oci_spec *s, bool in_userns, bool ptmx,
                  struct cu_error **err);
