/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The container side: what the init (and an exec'd process) does before execve. */
#pragma once

#include <stdbool.h>

#include "oci/spec.h"
#include "util/error.h"

struct init_args {
        const struct oci_spec *spec;
        const char *bundle; /* absolute; relative bind sources resolve against it */
        const char *rootfs; /* absolute */
        const char *cgroup_path; /* relative to the hierarchies, may be NULL */
        const char *state_json; /* for hooks: set by container_init from the cgroup ack */
        int sync_fd;
        int fifo_fd; /* O_PATH to exec.fifo; -1: start at once (no create/start split) */
        int console_fd; /* connected console socket, or -1 */
        bool no_pivot;
        unsigned preserve_fds;
        /* With a new user namespace: the rootfs opened (O_PATH) by stage 1 while it still had
         * the host's uid, which also made the bundle its cwd; -1 otherwise. */
        int rootfs_fd;
        int *src_fds; /* likewise, per spec mount: its bind source, or -1 (NULL: none) */
};

/* The container init.  Never returns: execs the process or _exit()s after
 * sending SYNC_ERROR. */
_noreturn_ void container_init(struct init_args *a);

/* An exec'd process, already in the container's namespaces and cgroup. */
_noreturn_ void container_exec_process(const struct oci_spec *s, const struct oci_process *p,
                                       int sync_fd, int console_fd, unsigned preserve_fds);
