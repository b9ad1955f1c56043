/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "namespaces.h"
#include "sync.h"
#include "util/fileio.h"
#include "util/strv.h"

bool ns_has(const struct oci_spec *s, enum oci_ns_type t, bool *ret_new)
{
        const struct oci_namespace *ns = oci_spec_namespace(s, t);
        if (ret_new)
                *ret_new = ns && !ns->path;
        return ns != NULL;
}

pid_t ns_clone(int flags)
{
        return (pid_t) syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

static pid_t clone_parent(void)
{
        return ns_clone(CLONE_PARENT);
}

int ns_direct_clone_flags(const struct oci_spec *s)
{
        int flags = 0;
        for (size_t i = 0; i < s->linux_.n_namespaces; i++) {
                const struct oci_namespace *ns = &s->linux_.namespaces[i];
                /* Time namespaces need their offsets written before the init exists. */
                if (ns->path || ns->type == OCI_NS_USER || ns->type == OCI_NS_TIME)
                        return -1;
                if (ns->type != OCI_NS_CGROUP)
                        flags |= oci_ns_clone_flags[ns->type];
        }
        return flags;
}

/* A new time namespace takes its offsets before its first process (our init) exists. */
static int write_time_offsets(const struct oci_linux *l, struct cu_error **err)
{
        char buf[128];
        size_t len = 0;
        if (l->time_monotonic.set)
                len += (size_t) snprintf(buf + len, sizeof buf - len, "monotonic %lld %u\n",
                                         (long long) l->time_monotonic.secs,
                                         l->time_monotonic.nanosecs);
        if (l->time_boottime.set)
                len += (size_t) snprintf(buf + len, sizeof buf - len, "boottime %lld %u\n",
                                         (long long) l->time_boottime.secs,
                                         l->time_boottime.nanosecs);
        if (len == 0)
                return 0;
        _cleanup_close_ int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, buf, len) != (ssize_t) len)
                return cu_error_set(err, errno, "linux.timeOffsets: writing timens_offsets");
        return 0;
}

_noreturn_ static void stage1_fail(int sync_fd, int r, struct cu_error *err)
{
        sync_send_error(sync_fd, r, err);
        cu_error_free(err);
        _exit(1);
}

static int join_fd(int fd, int nstype, const char *what, struct cu_error **err)
{
        if (setns(fd, nstype) < 0)
                return cu_error_set(err, errno, "joining %s namespace", what);
        return 0;
}

/* Joins a user namespace and becomes its root (failing stage 1 otherwise). */
static void join_user_ns(int fd, int sync_fd)
{
        struct cu_error *err = NULL;
        int r = join_fd(fd, CLONE_NEWUSER, "user", &err);
        if (r < 0)
                stage1_fail(sync_fd, r, err);
        if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
                r = cu_error_set(&err, errno, "becoming root in the user namespace");
                stage1_fail(sync_fd, r, err);
        }
}

/* After the namespaces are set up: fork the init as our sibling. */
static int fork_init(int sync_fd)
{
        pid_t pid = clone_parent();
        if (pid < 0) {
                struct cu_error *err = NULL;
                int r = cu_error_set(&err, errno, "clone");
                stage1_fail(sync_fd, r, err);
        }
        if (pid == 0)
                return 0;
        sync_send(sync_fd, SYNC_PID, (int) pid);
        _exit(0);
}

int ns_stage1(const struct oci_spec *s, const char *bundle, const char *rootfs, int sync_fd,
              int *ret_rootfs_fd, int **ret_src_fds)
{
        struct cu_error *err = NULL;
        int r;
        const struct oci_linux *l = &s->linux_;
        int fds[_OCI_NS_MAX];
        for (int i = 0; i < _OCI_NS_MAX; i++)
                fds[i] = -EBADF;

        /* Open every path first: after joining a mount namespace the paths may not resolve. */
        for (size_t i = 0; i < l->n_namespaces; i++) {
                const struct oci_namespace *ns = &l->namespaces[i];
                if (!ns->path)
                        continue;
                fds[ns->type] = open(ns->path, O_RDONLY | O_CLOEXEC);
                if (fds[ns->type] < 0) {
                        r = cu_error_set(&err, errno, "opening %s namespace path %s",
                                         oci_ns_type_names[ns->type], ns->path);
                        stage1_fail(sync_fd, r, err);
                }
        }
        if (fds[OCI_NS_USER] >= 0)
                join_user_ns(fds[OCI_NS_USER], sync_fd);
        for (int t = 0; t < _OCI_NS_MAX; t++) {
                if (t == OCI_NS_USER || fds[t] < 0 || t == OCI_NS_CGROUP)
                        continue;
                r = join_fd(fds[t], oci_ns_clone_flags[t], oci_ns_type_names[t], &err);
                if (r < 0)
                        stage1_fail(sync_fd, r, err);
        }

        bool new_user = false;
        if (ns_has(s, OCI_NS_USER, &new_user) && new_user) {
                if (unshare(CLONE_NEWUSER) < 0) {
                        r = cu_error_set(&err, errno, "creating user namespace");
                        stage1_fail(sync_fd, r, err);
                }
                sync_send(sync_fd, SYNC_USERMAP, 0);
                r = sync_expect(sync_fd, SYNC_USERMAP_ACK, NULL, "runtime", &err);
                if (r < 0)
                        _exit(1);
        }

        int flags = 0;
        for (size_t i = 0; i < l->n_namespaces; i++) {
                const struct oci_namespace *ns = &l->namespaces[i];
                if (!ns->path && ns->type != OCI_NS_USER && ns->type != OCI_NS_CGROUP)
                        flags |= oci_ns_clone_flags[ns->type];
        }
        /* Full capabilities in the new user namespace already: the namespaces it owns. */
        if (flags && unshare(flags) < 0) {
                r = cu_error_set(&err, errno, "creating namespaces");
                stage1_fail(sync_fd, r, err);
        }
        if (new_user) {
                /* Still the host's uid: what only it may reach, then the container's root. */
                if (bundle && chdir(bundle) < 0) {
                        r = cu_error_set(&err, errno, "chdir to bundle %s", bundle);
                        stage1_fail(sync_fd, r, err);
                }
                if (rootfs && ret_rootfs_fd) {
                        *ret_rootfs_fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
                        if (*ret_rootfs_fd < 0) {
                                r = cu_error_set(&err, errno, "opening the rootfs \"%s\"", rootfs);
                                stage1_fail(sync_fd, r, err);
                        }
                }
                if (ret_src_fds)
                        *ret_src_fds = userns_open_bind_sources(s);
                if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
                        r = cu_error_set(&err, errno,
                                         "becoming root in the user namespace (is 0 mapped?)");
                        stage1_fail(sync_fd, r, err);
                }
        }
        r = write_time_offsets(l, &err);
        if (r < 0)
                stage1_fail(sync_fd, r, err);
        int cgfd = fds[OCI_NS_CGROUP];
        for (int t = 0; t < _OCI_NS_MAX; t++)
                if (t != OCI_NS_CGROUP)
                        safe_close(fds[t]);
        /* The runtime moves us into the container's cgroup meanwhile; the init inherits it. */
        r = sync_expect(sync_fd, SYNC_CGROUP_ACK, NULL, "runtime", &err);
        if (r < 0)
                _exit(1);
        r = fork_init(sync_fd);
        /* In the init: a cgroup namespace path is joined once we are in our cgroup. */
        if (cgfd >= 0) {
                char buf[32];
                snprintf(buf, sizeof buf, "%d", cgfd);
                setenv("_CUTTLE_CGROUPNS_FD", buf, 1);
        }
        return r;
}

int ns_stage1_join_pid(const struct oci_spec *s, pid_t pid, int sync_fd)
{
        struct cu_error *err = NULL;
        int r;
        int fds[_OCI_NS_MAX];
        for (int t = 0; t < _OCI_NS_MAX; t++) {
                fds[t] = -EBADF;
                if (!oci_spec_namespace(s, (enum oci_ns_type) t))
                        continue;
                char path[64];
                snprintf(path, sizeof path, "/proc/%d/ns/%s", (int) pid, oci_ns_proc_names[t]);
                fds[t] = open(path, O_RDONLY | O_CLOEXEC);
                if (fds[t] < 0) {
                        r = cu_error_set(&err, errno, "opening %s", path);
                        stage1_fail(sync_fd, r, err);
                }
        }
        /* Joining our own namespace again is harmless except for user ns (EINVAL). */
        if (fds[OCI_NS_USER] >= 0) {
                char self[64], other[64];
                ssize_t a = readlink("/proc/self/ns/user", self, sizeof self - 1);
                char path[64];
                snprintf(path, sizeof path, "/proc/%d/ns/user", (int) pid);
                ssize_t b = readlink(path, other, sizeof other - 1);
                if (a > 0 && b > 0 && a == b && memcmp(self, other, (size_t) a) == 0)
                        fds[OCI_NS_USER] = safe_close(fds[OCI_NS_USER]);
        }
        /* Namespaces the container's user namespace does not own (a network namespace
         * the engine made) can only be joined before it: try each first, the rest after. */
        if (fds[OCI_NS_USER] >= 0) {
                for (int t = 0; t < _OCI_NS_MAX; t++)
                        if (t != OCI_NS_USER && fds[t] >= 0 &&
                            setns(fds[t], oci_ns_clone_flags[t]) == 0)
                                fds[t] = safe_close(fds[t]);
                join_user_ns(fds[OCI_NS_USER], sync_fd);
        }
        for (int t = 0; t < _OCI_NS_MAX; t++) {
                if (t == OCI_NS_USER || fds[t] < 0)
                        continue;
                r = join_fd(fds[t], oci_ns_clone_flags[t], oci_ns_type_names[t], &err);
                if (r < 0)
                        stage1_fail(sync_fd, r, err);
                fds[t] = safe_close(fds[t]);
        }
        safe_close(fds[OCI_NS_USER]);
        return fork_init(sync_fd);
}
