/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The attach socket: server (monitor), client helpers, detach keys. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "attach.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/parse.h"

#define MAX_CLIENTS 64
#define SEND_TIMEOUT_MS 1000

struct attach_server {
        int listen_fd;
        char *path;
        int clients[MAX_CLIENTS];
        size_t n_clients;
        dev_t dev; /* the socket file we bound: a later monitor's (restart) is not ours */
        ino_t ino;
};

/* Fills sa for path; a path too long for sun_path goes through /proc/self/fd/DIRFD/NAME
 * (*dirfd is then set and must stay open until bind/connect is done). */
static int sockaddr_for(const char *path, struct sockaddr_un *sa, int *dirfd)
{
        *sa = (struct sockaddr_un){ .sun_family = AF_UNIX };
        *dirfd = -EBADF;
        if (strlen(path) < sizeof sa->sun_path) {
                strcpy(sa->sun_path, path);
                return 0;
        }
        _cleanup_free_ char *d = strdup(path), *b = strdup(path);
        if (!d || !b)
                return -ENOMEM;
        *dirfd = open(dirname(d), O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (*dirfd < 0)
                return -errno;
        int n = snprintf(sa->sun_path, sizeof sa->sun_path, "/proc/self/fd/%d/%s", *dirfd,
                         basename(b));
        if (n < 0 || (size_t) n >= sizeof sa->sun_path) {
                *dirfd = safe_close(*dirfd);
                return -ENAMETOOLONG;
        }
        return 0;
}

int attach_server_new(const char *path, struct attach_server **ret, struct cu_error **err)
{
        _cleanup_(attach_server_freep) struct attach_server *s = calloc(1, sizeof(*s));
        if (!s)
                return cu_error_set(err, ENOMEM, "calloc");
        s->listen_fd = -EBADF;
        struct sockaddr_un sa;
        _cleanup_close_ int dirfd = -EBADF;
        int r = sockaddr_for(path, &sa, &dirfd);
        if (r < 0)
                return cu_error_set(err, -r, "attach socket %s", path);
        s->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (s->listen_fd < 0)
                return cu_error_set(err, errno, "socket");
        if (unlink(path) < 0 && errno != ENOENT)
                return cu_error_set(err, errno, "removing stale %s", path);
        if (bind(s->listen_fd, (struct sockaddr *) &sa, sizeof sa) < 0)
                return cu_error_set(err, errno, "binding attach socket %s", path);
        s->path = strdup(path);
        if (!s->path)
                return cu_error_set(err, ENOMEM, "strdup");
        struct stat st;
        if (chmod(path, 0600) < 0 || listen(s->listen_fd, 16) < 0 || lstat(path, &st) < 0)
                return cu_error_set(err, errno, "attach socket %s", path);
        s->dev = st.st_dev;
        s->ino = st.st_ino;
        *ret = TAKE_PTR(s);
        return 0;
}

static void drop_client(struct attach_server *s, size_t i)
{
        log_debug("monitor: attach client %d gone", s->clients[i]);
        safe_close(s->clients[i]);
        s->clients[i] = -EBADF;
}

static void compact(struct attach_server *s)
{
        size_t k = 0;
        for (size_t i = 0; i < s->n_clients; i++)
                if (s->clients[i] >= 0)
                        s->clients[k++] = s->clients[i];
        s->n_clients = k;
}

struct attach_server *attach_server_free(struct attach_server *s)
{
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n_clients; i++)
                safe_close(s->clients[i]);
        safe_close(s->listen_fd);
        struct stat st;
        if (s->path && lstat(s->path, &st) == 0 && st.st_dev == s->dev && st.st_ino == s->ino)
                (void) unlink(s->path);
        free(s->path);
        free(s);
        return NULL;
}

size_t attach_server_max_pollfds(const struct attach_server *s)
{
        return s ? 1 + MAX_CLIENTS : 0;
}

size_t attach_server_n_clients(const struct attach_server *s)
{
        return s ? s->n_clients : 0;
}

size_t attach_server_fill(struct attach_server *s, struct pollfd *fds, bool want_input)
{
        if (!s)
                return 0;
        fds[0] = (struct pollfd){ .fd = s->listen_fd, .events = POLLIN };
        for (size_t i = 0; i < s->n_clients; i++)
                fds[1 + i] = (struct pollfd){ .fd = s->clients[i],
                                              .events = want_input ? POLLIN : 0 };
        return 1 + s->n_clients;
}

static int send_frame(int fd, int type, const char *buf, size_t len);

static void handle_frame(int fd, const char *buf, size_t n, const struct attach_ops *ops, void *u)
{
        if (n == 0)
                return;
        switch (buf[0]) {
        case ATTACH_FRAME_STDIN:
                if (n > 1 && ops->stdin_data)
                        ops->stdin_data(u, buf + 1, n - 1);
                break;
        case ATTACH_FRAME_STDIN_CLOSE:
                if (ops->stdin_close)
                        ops->stdin_close(u);
                break;
        case ATTACH_FRAME_RESIZE:
                if (n == 5 && ops->resize) {
                        uint16_t rc[2];
                        memcpy(rc, buf + 1, sizeof rc);
                        ops->resize(u, rc[0], rc[1]);
                }
                break;
        case ATTACH_FRAME_START: {
                char reply[ATTACH_BUF_SIZE];
                if (ops->start)
                        ops->start(u, reply, sizeof reply);
                else
                        snprintf(reply, sizeof reply, "error starting is not supported");
                (void) send_frame(fd, ATTACH_FRAME_STARTED, reply, strlen(reply));
                break;
        }
        default:
                log_debug("monitor: unknown attach frame %d, ignoring", buf[0]);
        }
}

void attach_server_dispatch(struct attach_server *s, const struct pollfd *fds, size_t n,
                            const struct attach_ops *ops, void *userdata)
{
        static char buf[ATTACH_BUF_SIZE + 1];
        if (!s || n == 0)
                return;
        for (size_t i = 1; i < n && i - 1 < s->n_clients; i++) {
                if (!fds[i].revents)
                        continue;
                if (fds[i].revents & POLLIN) {
                        ssize_t k = recv(s->clients[i - 1], buf, sizeof buf, MSG_DONTWAIT);
                        if (k > 0) {
                                handle_frame(s->clients[i - 1], buf, (size_t) k, ops, userdata);
                                continue;
                        }
                        if (k < 0 && (errno == EAGAIN || errno == EINTR))
                                continue;
                }
                if (fds[i].revents & (POLLIN | POLLHUP | POLLERR))
                        drop_client(s, i - 1);
        }
        compact(s);
        if (fds[0].revents & POLLIN) {
                for (;;) {
                        int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
                        if (fd < 0)
                                break;
                        if (s->n_clients == MAX_CLIENTS) {
                                safe_close(fd);
                                continue;
                        }
                        int sz = 1 << 20;
                        (void) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
                        s->clients[s->n_clients++] = fd;
                        log_debug("monitor: attach client %d", fd);
                }
        }
}

/* One frame to one client; waits at most SEND_TIMEOUT_MS for room.  -errno. */
static int send_frame(int fd, int type, const char *buf, size_t len)
{
        unsigned char t = (unsigned char) type;
        struct iovec iov[2] = { { .iov_base = &t, .iov_len = 1 },
                                { .iov_base = (void *) buf, .iov_len = len } };
        struct msghdr mh = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };
        for (int tries = 0;; tries++) {
                if (sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) >= 0)
                        return 0;
                if (errno == EINTR)
                        continue;
                if (errno != EAGAIN || tries > 0)
                        return -errno;
                struct pollfd p = { .fd = fd, .events = POLLOUT };
                if (poll(&p, 1, SEND_TIMEOUT_MS) <= 0)
                        return -ETIMEDOUT;
        }
}

void attach_server_broadcast(struct attach_server *s, enum ctr_stream stream, const char *buf,
                             size_t len)
{
        if (!s || s->n_clients == 0)
                return;
        for (size_t i = 0; i < s->n_clients; i++)
                for (size_t off = 0; off < len && s->clients[i] >= 0; off += ATTACH_BUF_SIZE) {
                        size_t n = len - off < ATTACH_BUF_SIZE ? len - off : ATTACH_BUF_SIZE;
                        if (send_frame(s->clients[i], (int) stream, buf + off, n) < 0)
                                drop_client(s, i);
                }
        compact(s);
}

void attach_server_end(struct attach_server *s, int exit_code)
{
        if (!s)
                return;
        char text[16];
        int n = snprintf(text, sizeof text, "%d", exit_code);
        for (size_t i = 0; i < s->n_clients; i++) {
                (void) send_frame(s->clients[i], ATTACH_FRAME_EXIT, text, (size_t) n);
                drop_client(s, i);
        }
        compact(s);
}

/* ------------------------------------------------------------------ detach keys */

static int parse_key(const char *k, unsigned char *ret)
{
        if (strlen(k) == 1) {
                *ret = (unsigned char) k[0];
                return 0;
        }
        if (strncmp(k, "ctrl-", 5) != 0 || strlen(k) != 6)
                return -EINVAL;
        char c = k[5];
        if (c >= 'a' && c <= 'z')
                *ret = (unsigned char) (c - 'a' + 1);
        else if (c == '@')
                *ret = 0;
        else if (c >= '[' && c <= '_') /* [ \ ] ^ _ */
                *ret = (unsigned char) (27 + (c - '['));
        else
                return -EINVAL;
        return 0;
}

int detach_keys_parse(const char *s, struct detach_keys *ret, struct cu_error **err)
{
        struct detach_keys k = {};
        if (!s)
                s = DETACH_KEYS_DEFAULT;
        if (!*s) {
                *ret = k;
                return 0;
        }
        _cleanup_free_ char *copy = strdup(s);
        if (!copy)
                return cu_error_set(err, ENOMEM, "strdup");
        char *save = NULL;
        /* Empty pieces ("a,,b", trailing comma) are invalid, as podman says. */
        if (copy[0] == ',' || copy[strlen(copy) - 1] == ',' || strstr(copy, ",,"))
                return cu_error_setx(err, EINVAL, "invalid detach keys \"%s\"", s);
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                if (k.len == DETACH_KEYS_MAX)
                        return cu_error_setx(err, EINVAL, "too many detach keys in \"%s\"", s);
                if (parse_key(t, &k.keys[k.len]) < 0)
                        return cu_error_setx(err, EINVAL,
                                             "invalid detach keys \"%s\": unknown character '%s'",
                                             s, t);
                k.len++;
        }
        *ret = k;
        return 0;
}

size_t detach_keys_filter(struct detach_keys *k, const unsigned char *in, size_t len,
                          unsigned char *out, bool *detached)
{
        size_t o = 0;
        *detached = false;
        if (k->len == 0) {
                memcpy(out, in, len);
                return len;
        }
        for (size_t i = 0; i < len; i++) {
                if (in[i] == k->keys[k->matched]) {
                        if (++k->matched == k->len) {
                                k->matched = 0;
                                *detached = true;
                                return o;
                        }
                        continue;
                }
                /* The match broke: release what was held, then look at this byte afresh. */
                memcpy(out + o, k->keys, k->matched);
                o += k->matched;
                k->matched = 0;
                if (in[i] == k->keys[0])
                        k->matched = 1;
                else
                        out[o++] = in[i];
        }
        return o;
}

/* ------------------------------------------------------------------ client */

int attach_client_connect(const char *path, struct cu_error **err)
{
        struct sockaddr_un sa;
        _cleanup_close_ int dirfd = -EBADF;
        int r = sockaddr_for(path, &sa, &dirfd);
        if (r < 0)
                return cu_error_set(err, -r, "attach socket %s", path);
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return cu_error_set(err, errno, "socket");
        if (connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0)
                return cu_error_set(err, errno, "connecting to attach socket %s", path);
        return TAKE_FD(fd);
}

static int client_send(int sock, int type, const void *buf, size_t len)
{
        unsigned char t = (unsigned char) type;
        struct iovec iov[2] = { { .iov_base = &t, .iov_len = 1 },
                                { .iov_base = (void *) buf, .iov_len = len } };
        struct msghdr mh = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };
        while (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
                if (errno != EINTR)
                        return -errno;
        return 0;
}

int attach_client_send_stdin(int sock, const void *buf, size_t len)
{
        const char *p = buf;
        for (size_t off = 0; off < len; off += ATTACH_BUF_SIZE) {
                size_t n = len - off < ATTACH_BUF_SIZE ? len - off : ATTACH_BUF_SIZE;
                int r = client_send(sock, ATTACH_FRAME_STDIN, p + off, n);
                if (r < 0)
                        return r;
        }
        return 0;
}

int attach_client_close_stdin(int sock)
{
        return client_send(sock, ATTACH_FRAME_STDIN_CLOSE, NULL, 0);
}

int attach_client_resize(int sock, unsigned rows, unsigned cols)
{
        uint16_t rc[2] = { (uint16_t) rows, (uint16_t) cols };
        return client_send(sock, ATTACH_FRAME_RESIZE, rc, sizeof rc);
}

int attach_client_start(int sock, int *ret_pid, struct cu_error **err)
{
        int r = client_send(sock, ATTACH_FRAME_START, NULL, 0);
        if (r < 0)
                return cu_error_set(err, -r, "asking the monitor to start the container");
        static char buf[ATTACH_BUF_SIZE + 2];
        for (;;) {
                ssize_t n = recv(sock, buf, sizeof buf - 1, 0);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return cu_error_set(err, errno, "waiting for the monitor");
                if (n == 0)
                        return cu_error_setx(err, EPIPE, "the container monitor went away");
                if (buf[0] != ATTACH_FRAME_STARTED)
                        continue;
                buf[n] = '\0';
                int pid = 0;
                if (strncmp(buf + 1, "pid ", 4) == 0 && safe_atoi(buf + 5, &pid) >= 0 && pid > 0) {
                        *ret_pid = pid;
                        return 0;
                }
                return cu_error_setx(err, EIO, "%s",
                                     strncmp(buf + 1, "error ", 6) == 0 ? buf + 7 : buf + 1);
        }
}

static void send_size(int sock, int tty)
{
        struct winsize ws;
        if (tty >= 0 && ioctl(tty, TIOCGWINSZ, &ws) == 0)
                (void) attach_client_resize(sock, ws.ws_row, ws.ws_col);
}

/* User input → socket.  Returns 1 to go on, 0 at EOF (stdin closed), ATTACH_DETACHED. */
static int relay_input(int sock, int in_fd, struct detach_keys *k)
{
        unsigned char in[ATTACH_BUF_SIZE], out[ATTACH_BUF_SIZE + DETACH_KEYS_MAX];
        ssize_t n = read(in_fd, in, sizeof in);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return 1;
        if (n <= 0) {
                (void) attach_client_close_stdin(sock);
                return 0;
        }
        bool detached = false;
        size_t m = detach_keys_filter(k, in, (size_t) n, out, &detached);
        if (m > 0 && attach_client_send_stdin(sock, out, m) < 0)
                return 0;
        return detached ? -ATTACH_DETACHED : 1;
}

int attach_client_relay(int sock, const struct attach_client_opts *o, int *ret_exit_code,
                        struct cu_error **err)
{
        struct detach_keys keys;
        int r = detach_keys_parse(o->detach_keys, &keys, err);
        if (r < 0)
                return r;
        if (o->send_size)
                send_size(sock, o->in_fd);
        bool input = o->in_fd >= 0;
        static char buf[ATTACH_BUF_SIZE + 2]; /* a whole frame, and a NUL */
        for (;;) {
                struct pollfd fds[3] = {
                        { .fd = sock, .events = POLLIN },
                        { .fd = input ? o->in_fd : -1, .events = POLLIN },
                        { .fd = o->winch_fd, .events = POLLIN },
                };
                if (poll(fds, 3, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return cu_error_set(err, errno, "poll");
                }
                if (fds[2].revents & POLLIN) {
                        struct signalfd_siginfo si;
                        while (read(o->winch_fd, &si, sizeof si) == sizeof si)
                                ;
                        send_size(sock, o->in_fd);
                }
                if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
                        r = relay_input(sock, o->in_fd, &keys);
                        if (r == -ATTACH_DETACHED)
                                return ATTACH_DETACHED;
                        if (r == 0)
                                input = false;
                }
                if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
                        continue;
                ssize_t n = recv(sock, buf, sizeof buf - 1, 0);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return ATTACH_HANGUP;
                if (buf[0] == ATTACH_FRAME_EXIT) {
                        buf[n] = '\0';
                        int code = 0;
                        if (ret_exit_code && safe_atoi(buf + 1, &code) >= 0)
                                *ret_exit_code = code;
                        return ATTACH_EXITED;
                }
                int to = buf[0] == ATTACH_FRAME_STDERR && o->err_fd >= 0 ? o->err_fd : o->out_fd;
                if ((buf[0] == ATTACH_FRAME_STDOUT || buf[0] == ATTACH_FRAME_STDERR) && to >= 0 &&
                    write_all(to, buf + 1, (size_t) n - 1) < 0)
                        return cu_error_set(err, errno, "writing output");
        }
}
