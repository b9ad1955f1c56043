/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sd_notify: modes, the message rewrite, sending, the container mode's proxy.  See notify.h. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "notify.h"
#include "util/log.h"

static const char *const mode_names[_NOTIFY_MODE_MAX] = {
        [NOTIFY_MODE_CONTAINER] = "container",
        [NOTIFY_MODE_CONMON] = "conmon",
        [NOTIFY_MODE_IGNORE] = "ignore",
};

const char *notify_mode_to_string(enum notify_mode m)
{
        return m >= 0 && m < _NOTIFY_MODE_MAX ? mode_names[m] : NULL;
}

enum notify_mode notify_mode_from_string(const char *s)
{
        for (int i = 0; s && i < _NOTIFY_MODE_MAX; i++)
                if (strcmp(s, mode_names[i]) == 0)
                        return (enum notify_mode) i;
        return _NOTIFY_MODE_INVALID;
}

/* ------------------------------------------------------------------ the rewrite */

/* Whether s[0..len) is well-formed UTF-8 (no overlong forms, surrogates or > U+10FFFF). */
static bool utf8_valid(const unsigned char *s, size_t len)
{
        size_t i = 0;
        while (i < len) {
                unsigned char c = s[i];
                size_t n;
                uint32_t cp;
                if (c < 0x80) {
                        i++;
                        continue;
                } else if ((c & 0xe0) == 0xc0) {
                        n = 1;
                        cp = c & 0x1f;
                } else if ((c & 0xf0) == 0xe0) {
                        n = 2;
                        cp = c & 0x0f;
                } else if ((c & 0xf8) == 0xf0) {
                        n = 3;
                        cp = c & 0x07;
                } else {
                        return false;
                }
                if (len - i <= n)
                        return false;
                for (size_t k = 1; k <= n; k++) {
                        if ((s[i + k] & 0xc0) != 0x80)
                                return false;
                        cp = (cp << 6) | (s[i + k] & 0x3f);
                }
                static const uint32_t min[] = { 0, 0x80, 0x800, 0x10000 };
                if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                        return false;
                i += n + 1;
        }
        return true;
}

/* KEY=… with KEY of [A-Z0-9_]+; *ret_klen gets KEY's length. */
static bool is_assignment(const char *l, size_t len, size_t *ret_klen)
{
        size_t k = 0;
        while (k < len && (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", l[k]) && l[k] != '\0'))
                k++;
        if (k == 0 || k >= len || l[k] != '=')
                return false;
        *ret_klen = k;
        return true;
}

static bool key_is(const char *l, size_t klen, const char *key)
{
        return strlen(key) == klen && memcmp(l, key, klen) == 0;
}

int notify_rewrite(const char *msg, size_t len, pid_t mainpid, char **ret, bool *ret_ready)
{
        static const char *const dropped[] = { "FDSTORE", "FDSTOREREMOVE", "FDNAME", "FDPOLL",
                                               "BARRIER" };
        if (len > NOTIFY_MSG_MAX)
                return -EMSGSIZE;
        if (memchr(msg, '\0', len))
                return -EBADMSG;
        /* the output grows only by the MAINPID value: at most 20 digits more */
        _cleanup_free_ char *out = malloc(len + 32);
        if (!out)
                return -ENOMEM;
        size_t n = 0;
        bool ready = false, mainpid_done = false;
        for (const char *l = msg, *end = msg + len; l < end;) {
                const char *nl = memchr(l, '\n', (size_t) (end - l));
                size_t ll = nl ? (size_t) (nl - l) : (size_t) (end - l);
                const char *line = l;
                l += ll + (nl ? 1 : 0);
                size_t klen = 0;
                if (!is_assignment(line, ll, &klen) ||
                    !utf8_valid((const unsigned char *) line, ll))
                        continue;
                bool drop = false;
                for (size_t i = 0; i < ELEMENTSOF(dropped); i++)
                        drop |= key_is(line, klen, dropped[i]);
                if (drop)
                        continue;
                if (n > 0)
                        out[n++] = '\n';
                if (key_is(line, klen, "MAINPID")) {
                        if (mainpid_done) {
                                n--; /* the separator just written */
                                continue;
                        }
                        mainpid_done = true;
                        n += (size_t) snprintf(out + n, 32, "MAINPID=%d", (int) mainpid);
                        continue;
                }
                if (ll == 7 && memcmp(line, "READY=1", 7) == 0)
                        ready = true;
                memcpy(out + n, line, ll);
                n += ll;
        }
        out[n] = '\0';
        *ret_ready = ready;
        *ret = n > 0 ? TAKE_PTR(out) : NULL;
        return 0;
}

/* ------------------------------------------------------------------ sockets */

/* sa for path: "@x" abstract; a path too long for sun_path goes through /proc/self/fd/DIRFD
 * (*dirfd then set, to be closed after the call). */
static int addr_for(const char *path, struct sockaddr_un *sa, socklen_t *ret_len, int *dirfd)
{
        *sa = (struct sockaddr_un){ .sun_family = AF_UNIX };
        *dirfd = -EBADF;
        size_t pl = strlen(path);
        if (pl == 0)
                return -EINVAL;
        if (pl < sizeof sa->sun_path) {
                memcpy(sa->sun_path, path, pl);
                if (path[0] == '@')
                        sa->sun_path[0] = '\0';
                *ret_len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + pl +
                                        (path[0] == '@' ? 0 : 1));
                return 0;
        }
        if (path[0] == '@')
                return -ENAMETOOLONG;
        _cleanup_free_ char *d = strdup(path), *b = strdup(path);
        if (!d || !b)
                return -ENOMEM;
        *dirfd = open(dirname(d), O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (*dirfd < 0)
                return -errno;
        int k = snprintf(sa->sun_path, sizeof sa->sun_path, "/proc/self/fd/%d/%s", *dirfd,
                         basename(b));
        if (k < 0 || (size_t) k >= sizeof sa->sun_path) {
                *dirfd = safe_close(*dirfd);
                return -ENAMETOOLONG;
        }
        *ret_len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + (size_t) k + 1);
        return 0;
}

int notify_send(const char *path, const char *msg, size_t len, struct cu_error **err)
{
        struct sockaddr_un sa;
        socklen_t sl = 0;
        _cleanup_close_ int dirfd = -EBADF;
        int r = addr_for(path, &sa, &sl, &dirfd);
        if (r < 0)
                return cu_error_set(err, -r, "notify socket \"%s\"", path);
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return cu_error_set(err, errno, "socket");
        if (sendto(fd, msg, len, MSG_NOSIGNAL, (struct sockaddr *) &sa, sl) < 0)
                return cu_error_set(err, errno, "sending to notify socket \"%s\"", path);
        return 0;
}

void notify_started(const char *host, enum notify_mode mode, bool proxy, pid_t pid)
{
        if (!host || mode == NOTIFY_MODE_IGNORE || (mode == NOTIFY_MODE_CONTAINER && !proxy))
                return;
        char msg[64];
        int n = snprintf(msg, sizeof msg, "MAINPID=%d%s", (int) pid,
                         mode == NOTIFY_MODE_CONMON ? "\nREADY=1" : "");
        struct cu_error *e = NULL;
        if (notify_send(host, msg, (size_t) n, &e) < 0)
                log_debug("monitor: %s, ignoring", cu_error_msg(e));
        cu_error_free(e);
}

struct notify_proxy {
        int fd;
        char *path, *host;
        dev_t dev; /* the socket file we bound */
        ino_t ino;
};

int notify_proxy_new(const char *proxy_path, const char *host_path, struct notify_proxy **ret,
                     struct cu_error **err)
{
        _cleanup_(notify_proxy_freep) struct notify_proxy *p = calloc(1, sizeof(*p));
        if (!p)
                return cu_error_set(err, ENOMEM, "calloc");
        p->fd = -EBADF;
        p->path = strdup(proxy_path);
        p->host = strdup(host_path);
        if (!p->path || !p->host)
                return cu_error_set(err, ENOMEM, "strdup");
        struct sockaddr_un sa;
        socklen_t sl = 0;
        _cleanup_close_ int dirfd = -EBADF;
        int r = addr_for(proxy_path, &sa, &sl, &dirfd);
        if (r < 0 || proxy_path[0] == '@')
                return cu_error_set(err, r < 0 ? -r : EINVAL, "notify proxy socket \"%s\"",
                                    proxy_path);
        p->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (p->fd < 0)
                return cu_error_set(err, errno, "socket");
        (void) unlink(sa.sun_path); /* a stale one of an earlier monitor */
        if (bind(p->fd, (struct sockaddr *) &sa, sl) < 0)
                return cu_error_set(err, errno, "binding notify proxy socket \"%s\"", proxy_path);
        struct stat st;
        if (chmod(sa.sun_path, 0777) < 0 || stat(sa.sun_path, &st) < 0)
                return cu_error_set(err, errno, "notify proxy socket \"%s\"", proxy_path);
        p->dev = st.st_dev;
        p->ino = st.st_ino;
        *ret = TAKE_PTR(p);
        return 0;
}

struct notify_proxy *notify_proxy_free(struct notify_proxy *p)
{
        if (!p)
                return NULL;
        struct stat st;
        if (p->ino && stat(p->path, &st) == 0 && st.st_dev == p->dev && st.st_ino == p->ino)
                (void) unlink(p->path);
        safe_close(p->fd);
        free(p->path);
        free(p->host);
        free(p);
        return NULL;
}

int notify_proxy_fd(const struct notify_proxy *p)
{
        return p ? p->fd : -1;
}

/* Closes the fds of SCM_RIGHTS messages. */
static void close_passed_fds(struct msghdr *mh)
{
        for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                int fds[64];
                if (n > ELEMENTSOF(fds))
                        n = ELEMENTSOF(fds);
                memcpy(fds, CMSG_DATA(c), n * sizeof(int));
                for (size_t i = 0; i < n; i++)
                        safe_close(fds[i]);
        }
}

int notify_proxy_dispatch(struct notify_proxy *p, pid_t mainpid)
{
        bool ready = false;
        static char buf[NOTIFY_MSG_MAX + 1];
        union {
                struct cmsghdr h;
                char b[CMSG_SPACE(sizeof(int) * 16)];
        } ctl;
        for (int i = 0; p && i < 256; i++) {
                struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf };
                struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &ctl,
                                     .msg_controllen = sizeof ctl };
                ssize_t k = recvmsg(p->fd, &mh, MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_CLOEXEC);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        break; /* EAGAIN: all read */
                }
                close_passed_fds(&mh);
                _cleanup_free_ char *out = NULL;
                bool r1 = false;
                int r = (mh.msg_flags & MSG_TRUNC) || (size_t) k > NOTIFY_MSG_MAX
                                ? -EMSGSIZE
                                : notify_rewrite(buf, (size_t) k, mainpid, &out, &r1);
                if (r < 0) {
                        log_debug("monitor: notify message dropped: %s", strerror(-r));
                        continue;
                }
                if (!out)
                        continue;
                struct cu_error *e = NULL;
                if (notify_send(p->host, out, strlen(out), &e) < 0)
                        log_debug("monitor: %s, ignoring", cu_error_msg(e));
                cu_error_free(e);
                ready |= r1;
        }
        return ready ? 1 : 0;
}
