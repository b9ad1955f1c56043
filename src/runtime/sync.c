/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "sync.h"
#include "util/fd.h"

static int send_msg(int fd, const struct sync_msg *m)
{
        size_t len = offsetof(struct sync_msg, text) + strnlen(m->text, sizeof m->text - 1) + 1;
        for (;;) {
                ssize_t k = send(fd, m, len, MSG_NOSIGNAL);
                if (k >= 0)
                        return 0;
                if (errno != EINTR)
                        return -errno;
        }
}

int sync_send(int fd, enum sync_type type, int value)
{
        struct sync_msg m = { .type = type, .value = value };
        return send_msg(fd, &m);
}

int sync_send_error(int fd, int r, const struct cu_error *err)
{
        struct sync_msg m = { .type = SYNC_ERROR };
        m.errnum = err && err->errnum ? err->errnum : (r < 0 ? -r : EIO);
        snprintf(m.text, sizeof m.text, "%s", err ? cu_error_msg(err) : strerror(m.errnum));
        return send_msg(fd, &m);
}

int sync_recv_fd(int fd, struct sync_msg *m, int *ret_fd)
{
        memset(m, 0, sizeof *m);
        *ret_fd = -EBADF;
        int r = recv_fd(fd, ret_fd, m, sizeof *m);
        /* A peer that exits with our last message unread resets the connection; the reset
         * is reported once (and cleared), and what the peer (or another holder of the
         * socket, e.g. the init) wrote is still to be read: look again. */
        for (int i = 0; r == -ECONNRESET && i < 2; i++)
                r = recv_fd(fd, ret_fd, m, sizeof *m);
        if (r == 0)
                return -EPIPE;
        if (r < 0)
                return r;
        m->text[sizeof m->text - 1] = '\0';
        return 0;
}

int sync_recv(int fd, struct sync_msg *m)
{
        int passed = -EBADF;
        int r = sync_recv_fd(fd, m, &passed);
        safe_close(passed);
        return r;
}

int sync_send_fd(int fd, enum sync_type type, int passed_fd)
{
        struct sync_msg m = { .type = type };
        return send_fd(fd, passed_fd, &m, offsetof(struct sync_msg, text) + 1);
}

int sync_expect(int fd, enum sync_type type, int *ret_value, const char *who,
                struct cu_error **err)
{
        struct sync_msg m;
        int r = sync_expect_msg(fd, type, &m, who, err);
        if (r >= 0 && ret_value)
                *ret_value = m.value;
        return r;
}

int sync_expect_msg(int fd, enum sync_type type, struct sync_msg *mp, const char *who,
                    struct cu_error **err)
{
        struct sync_msg m;
        int r = sync_recv(fd, &m);
        if (r == -EPIPE)
                return cu_error_setx(err, EPIPE, "%s exited unexpectedly", who);
        if (r < 0)
                return cu_error_set(err, -r, "reading from %s", who);
        if (m.type == SYNC_ERROR)
                return cu_error_setx(err, m.errnum ? m.errnum : EIO, "%s", m.text);
        if (m.type != (int) type)
                return cu_error_setx(err, EPROTO, "%s: unexpected message %d (wanted %d)", who,
                                     m.type, (int) type);
        *mp = m;
        return 0;
}
