/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netns.h"
#include "util/fileio.h"

char *netns_path(const char *runroot, const char *id)
{
        char *p = NULL;
        return asprintf(&p, "%s/netns/%s", runroot, id) < 0 ? NULL : p;
}

static int wait_child(pid_t pid)
{
        int st;
        while (waitpid(pid, &st, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        if (WIFEXITED(st))
                return WEXITSTATUS(st);
        return -ECHILD;
}

static int make_rtnl_socket(void)
{
        int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0 /* NETLINK_ROUTE */);
        return fd < 0 ? -errno : fd;
}

/*
 * Namespace work runs in a short-lived thread rather than a forked child: a thread's network
 * namespace is its own (unshare and setns of CLONE_NEWNET change only the calling thread), the
 * socket it makes lands in our fd table, and a thread costs a fraction of a fork of an engine
 * process in a VM.  The thread never returns to a namespace: it ends.
 */
struct ns_job {
        const char *path; /* create: the pin; NULL: join nsfd */
        int nsfd;
        int code; /* errno, 0 on success */
        int sfd; /* the netlink socket made inside */
};

static void *ns_thread(void *data)
{
        struct ns_job *j = data;
        if (j->path) {
                if (unshare(CLONE_NEWNET) < 0) {
                        j->code = errno;
                        return NULL;
                }
                if (mount("/proc/thread-self/ns/net", j->path, NULL, MS_BIND, NULL) < 0) {
                        j->code = errno;
                        return NULL;
                }
        } else if (setns(j->nsfd, CLONE_NEWNET) < 0) {
                j->code = errno;
                return NULL;
        }
        j->sfd = make_rtnl_socket();
        if (j->sfd < 0)
                j->code = -j->sfd;
        return NULL;
}

static int ns_thread_run(struct ns_job *j)
{
        pthread_t t;
        j->code = 0;
        j->sfd = -EBADF;
        int r = pthread_create(&t, NULL, ns_thread, j);
        if (r != 0)
                return -r;
        (void) pthread_join(t, NULL);
        return 0;
}

int netns_create(const char *path, struct rtnl *ret_rtnl, struct cu_error **err)
{
        _cleanup_free_ char *dir = strdup(path);
        if (!dir)
                return -ENOMEM;
        int r = mkdir_p(dirname(dir), 0700);
        if (r < 0)
                return cu_error_set(err, -r, "creating the directory of %s", path);
        /* the mount point: an empty file, made exclusively so that two setups of one id clash */
        int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
        if (fd < 0)
                return cu_error_set(err, errno, "creating %s", path);
        close(fd);
        struct ns_job j = { .path = path, .nsfd = -EBADF };
        r = ns_thread_run(&j);
        if (r < 0 || j.code != 0) {
                int code = r < 0 ? -r : j.code;
                umount2(path, MNT_DETACH);
                unlink(path);
                safe_close(j.sfd);
                return cu_error_set(err, code, "creating network namespace %s", path);
        }
        struct rtnl rt;
        rtnl_from_fd(&rt, j.sfd);
        /* bind it (rtnl_open does this for sockets made here) */
        struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
        bind(j.sfd, (struct sockaddr *) &sa, sizeof(sa));
        if (ret_rtnl)
                *ret_rtnl = rt;
        else
                rtnl_close(&rt);
        return 0;
}

int netns_remove(const char *path, struct cu_error **err)
{
        if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
                return cu_error_set(err, errno, "unmounting %s", path);
        if (unlink(path) < 0 && errno != ENOENT)
                return cu_error_set(err, errno, "removing %s", path);
        return 0;
}

int netns_open(const char *path, struct cu_error **err)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return cu_error_set(err, errno, "opening network namespace %s", path);
        return fd;
}

int netns_rtnl(int nsfd, struct rtnl *ret, struct cu_error **err)
{
        struct ns_job j = { .nsfd = nsfd };
        int r = ns_thread_run(&j);
        if (r < 0 || j.code != 0) {
                safe_close(j.sfd);
                return cu_error_set(err, r < 0 ? -r : j.code, "joining a network namespace");
        }
        struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
        bind(j.sfd, (struct sockaddr *) &sa, sizeof(sa));
        rtnl_from_fd(ret, j.sfd);
        return 0;
}

int netns_run(int nsfd, int (*fn)(void *data), void *data, struct cu_error **err)
{
        pid_t pid = fork();
        if (pid < 0)
                return cu_error_set(err, errno, "forking");
        if (pid == 0) {
                if (setns(nsfd, CLONE_NEWNET) < 0)
                        _exit(127);
                _exit(fn(data) & 0xff);
        }
        int r = wait_child(pid);
        if (r < 0)
                return cu_error_set(err, -r, "waiting for a child in a network namespace");
        return r;
}

int netns_exec(int nsfd, char *const *argv, int keep_output, struct cu_error **err)
{
        pid_t pid = fork();
        if (pid < 0)
                return cu_error_set(err, errno, "forking");
        if (pid == 0) {
                if (setns(nsfd, CLONE_NEWNET) < 0)
                        _exit(127);
                if (!keep_output) {
                        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                        if (null >= 0) {
                                dup2(null, 1);
                                dup2(null, 2);
                        }
                }
                execvp(argv[0], argv);
                _exit(127);
        }
        int r = wait_child(pid);
        if (r < 0)
                return cu_error_set(err, -r, "running %s", argv[0]);
        return r;
}
