/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * recvtty: a console-socket receiver for the system tests (what runc's recvtty does).
 *
 *   recvtty SOCKET [INPUT]
 *
 * Listens on the unix socket SOCKET (made under a temporary name and renamed once it
 * listens, so a runtime never finds it refusing connections), accepts one connection,
 * receives the pty master the runtime sends with SCM_RIGHTS, writes INPUT to it if given,
 * then copies everything the master yields to stdout until the other side is gone (EOF or
 * EIO once every slave fd is closed). Gives up after 30 seconds. Exit status 0, or 1 on
 * an error ("recvtty: …" on stderr).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define TIMEOUT_SECONDS 30

static int fail(const char *what)
{
        fprintf(stderr, "recvtty: %s: %s\n", what, strerror(errno));
        return 1;
}

static int write_all(int fd, const char *buf, size_t len)
{
        while (len > 0) {
                ssize_t w = write(fd, buf, len);

                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        return -1;
                }
                buf += w;
                len -= (size_t) w;
        }
        return 0;
}

static int recv_master(int conn)
{
        char data[64];
        char control[CMSG_SPACE(sizeof(int))];
        struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
        struct msghdr msg = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = control,
                .msg_controllen = sizeof(control),
        };
        ssize_t n;

        do
                n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -1;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
                    c->cmsg_len == CMSG_LEN(sizeof(int))) {
                        int fd;

                        memcpy(&fd, CMSG_DATA(c), sizeof(fd));
                        return fd;
                }
        }
        errno = EBADMSG;
        return -1;
}

int main(int argc, char **argv)
{
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        char tmp[sizeof(addr.sun_path)];
        char buf[8192];
        int sock, conn, master;

        if (argc < 2 || argc > 3) {
                fputs("Usage: recvtty SOCKET [INPUT]\n", stderr);
                return 2;
        }
        if (snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]) >= (int) sizeof(tmp)) {
                fputs("recvtty: socket path too long\n", stderr);
                return 2;
        }
        alarm(TIMEOUT_SECONDS);

        sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (sock < 0)
                return fail("socket");
        memcpy(addr.sun_path, tmp, strlen(tmp) + 1);
        (void) unlink(tmp);
        if (bind(sock, (struct sockaddr *) &addr, sizeof(addr)) < 0)
                return fail("bind");
        if (listen(sock, 1) < 0)
                return fail("listen");
        if (rename(tmp, argv[1]) < 0)
                return fail("rename");

        do
                conn = accept4(sock, NULL, NULL, SOCK_CLOEXEC);
        while (conn < 0 && errno == EINTR);
        if (conn < 0)
                return fail("accept");
        close(sock);
        (void) unlink(argv[1]);

        master = recv_master(conn);
        if (master < 0)
                return fail("receiving the pty master");
        close(conn);

        if (argc > 2 && write_all(master, argv[2], strlen(argv[2])) < 0)
                return fail("writing the input");

        for (;;) {
                ssize_t n = read(master, buf, sizeof(buf));

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EIO)
                        break; /* every slave fd is closed */
                if (n < 0)
                        return fail("reading the pty master");
                if (n == 0)
                        break;
                if (write_all(STDOUT_FILENO, buf, (size_t) n) < 0)
                        return fail("writing stdout");
        }
        close(master);
        return 0;
}
