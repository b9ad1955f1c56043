/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
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

static int send_fd(int sock, int fd)
{
        char c = 'F';
        struct iovec iov = { .iov_base = &c, .iov_len = 1 };
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } u = { 0 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                             .msg_controllen = sizeof(u.buf) };
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &fd, sizeof(int));
        return sendmsg(sock, &mh, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

static int recv_fd(int sock)
{
        char c;
        struct iovec iov = { .iov_base = &c, .iov_len = 1 };
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } u;
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                             .msg_controllen = sizeof(u.buf) };
        ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
        if (n < 0)
                return -errno;
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
        if (n == 0 || !cm || cm->cmsg_type != SCM_RIGHTS)
                return -EBADMSG;
        int fd;
        memcpy(&fd, CMSG_DATA(cm), sizeof(int));
        return fd;
}

/* Child side results travel as one int (errno) then the fd. */
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
        int sp[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
                r = cu_error_set(err, errno, "creating a socket pair");
                unlink(path);
                return r;
        }
        pid_t pid = fork();
        if (pid < 0) {
                r = cu_error_set(err, errno, "forking");
                close(sp[0]);
                close(sp[1]);
                unlink(path);
                return r;
        }
        if (pid == 0) {
                close(sp[0]);
                int code = 0;
                if (unshare(CLONE_NEWNET) < 0)
                        code = errno;
                else if (mount("/proc/self/ns/net", path, NULL, MS_BIND, NULL) < 0)
                        code = errno;
                int sfd = code == 0 ? make_rtnl_socket() : -1;
                if (code == 0 && sfd < 0)
                        code = -sfd;
                (void) !write(sp[1], &code, sizeof(code));
                if (code == 0)
                        send_fd(sp[1], sfd);
                _exit(0);
        }
        close(sp[1]);
        int code = EIO;
        ssize_t n = read(sp[0], &code, sizeof(code));
        int sfd = n == sizeof(code) && code == 0 ? recv_fd(sp[0]) : -1;
        close(sp[0]);
        wait_child(pid);
        if (n != sizeof(code) || code != 0 || sfd < 0) {
                if (n == sizeof(code) && code == 0)
                        code = sfd < 0 ? -sfd : EIO;
                umount2(path, MNT_DETACH);
                unlink(path);
                safe_close(sfd);
                return cu_error_set(err, code, "creating network namespace %s", path);
        }
        struct rtnl rt;
        rtnl_from_fd(&rt, sfd);
        /* bind it (rtnl_open does this for sockets made here) */
        struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
        bind(sfd, (struct sockaddr *) &sa, sizeof(sa));
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
        int sp[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
                return cu_error_set(err, errno, "creating a socket pair");
        pid_t pid = fork();
        if (pid < 0) {
                int e = errno;
                close(sp[0]);
                close(sp[1]);
                return cu_error_set(err, e, "forking");
        }
        if (pid == 0) {
                close(sp[0]);
                int code = setns(nsfd, CLONE_NEWNET) < 0 ? errno : 0;
                int sfd = code == 0 ? make_rtnl_socket() : -1;
                if (code == 0 && sfd < 0)
                        code = -sfd;
                (void) !write(sp[1], &code, sizeof(code));
                if (code == 0)
                        send_fd(sp[1], sfd);
                _exit(0);
        }
        close(sp[1]);
        int code = EIO;
        ssize_t n = read(sp[0], &code, sizeof(code));
        int sfd = n == sizeof(code) && code == 0 ? recv_fd(sp[0]) : -1;
        close(sp[0]);
        wait_child(pid);
        if (sfd < 0)
                return cu_error_set(err, code ? code : EIO, "joining a network namespace");
        struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
        bind(sfd, (struct sockaddr *) &sa, sizeof(sa));
        rtnl_from_fd(ret, sfd);
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
