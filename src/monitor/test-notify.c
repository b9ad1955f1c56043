/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sd_notify: the message rewrite (pure) and the proxy's relaying over real sockets. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "monitor/notify.h"
#include "util/fileio.h"

/* ------------------------------------------------------------------ rewrite */

static char *rw(const char *msg, pid_t pid, bool *ready, int *ret)
{
        char *out = NULL;
        *ret = notify_rewrite(msg, strlen(msg), pid, &out, ready);
        return out;
}

static void test_modes(void **s)
{
        assert_int_equal(notify_mode_from_string("container"), NOTIFY_MODE_CONTAINER);
        assert_int_equal(notify_mode_from_string("conmon"), NOTIFY_MODE_CONMON);
        assert_int_equal(notify_mode_from_string("ignore"), NOTIFY_MODE_IGNORE);
        assert_int_equal(notify_mode_from_string("Container"), _NOTIFY_MODE_INVALID);
        assert_int_equal(notify_mode_from_string(""), _NOTIFY_MODE_INVALID);
        assert_int_equal(notify_mode_from_string(NULL), _NOTIFY_MODE_INVALID);
        assert_string_equal(notify_mode_to_string(NOTIFY_MODE_CONMON), "conmon");
        assert_null(notify_mode_to_string(_NOTIFY_MODE_MAX));
}

static void test_ready_and_status(void **s)
{
        bool ready = true;
        int r;
        _cleanup_free_ char *a = rw("READY=1", 42, &ready, &r);
        assert_int_equal(r, 0);
        assert_true(ready);
        assert_string_equal(a, "READY=1");
        _cleanup_free_ char *b = rw("STATUS=starting up\n", 42, &ready, &r);
        assert_int_equal(r, 0);
        assert_false(ready);
        assert_string_equal(b, "STATUS=starting up");
        /* READY=0 or READY=10 are not readiness */
        _cleanup_free_ char *c = rw("READY=0\nREADY=10", 42, &ready, &r);
        assert_false(ready);
        assert_string_equal(c, "READY=0\nREADY=10");
}

static void test_mainpid_rewrite(void **s)
{
        bool ready = false;
        int r;
        _cleanup_free_ char *a = rw("MAINPID=77\nREADY=1\n", 4242, &ready, &r);
        assert_int_equal(r, 0);
        assert_true(ready);
        assert_string_equal(a, "MAINPID=4242\nREADY=1");
        /* a second MAINPID is dropped; a bogus value is replaced all the same */
        _cleanup_free_ char *b = rw("MAINPID=x\nSTATUS=s\nMAINPID=9", 1234567, &ready, &r);
        assert_string_equal(b, "MAINPID=1234567\nSTATUS=s");
        /* a longer pid than the container's value still fits */
        _cleanup_free_ char *c = rw("MAINPID=", 2147483647, &ready, &r);
        assert_string_equal(c, "MAINPID=2147483647");
}

static void test_partial_and_malformed_lines(void **s)
{
        bool ready = false;
        int r;
        /* empty lines, no '=', lower-case keys, an empty key: dropped; the rest kept */
        _cleanup_free_ char *a = rw("\n\nREADY\nready=1\n=1\nSTATUS=ok\nERRNO=2\n\n", 1, &ready,
                                    &r);
        assert_int_equal(r, 0);
        assert_false(ready);
        assert_string_equal(a, "STATUS=ok\nERRNO=2");
        /* a message without a newline at its end */
        _cleanup_free_ char *b = rw("STATUS=half", 1, &ready, &r);
        assert_string_equal(b, "STATUS=half");
        /* nothing left: NULL */
        _cleanup_free_ char *c = rw("garbage\n", 1, &ready, &r);
        assert_int_equal(r, 0);
        assert_null(c);
        _cleanup_free_ char *d = rw("", 1, &ready, &r);
        assert_int_equal(r, 0);
        assert_null(d);
}

static void test_fd_fields_dropped(void **s)
{
        bool ready = false;
        int r;
        _cleanup_free_ char *a = rw("FDSTORE=1\nFDNAME=x\nFDSTOREREMOVE=1\nFDPOLL=0\nBARRIER=1\n"
                                    "WATCHDOG=1",
                                    1, &ready, &r);
        assert_string_equal(a, "WATCHDOG=1");
}

static void test_non_utf8(void **s)
{
        bool ready = false;
        int r;
        /* a bad line goes, the good ones stay */
        _cleanup_free_ char *a = rw("STATUS=caf\xc3\xa9\nSTATUS=bad\xff\nREADY=1", 1, &ready, &r);
        assert_int_equal(r, 0);
        assert_true(ready);
        assert_string_equal(a, "STATUS=caf\xc3\xa9\nREADY=1");
        /* overlong '/', a surrogate, beyond U+10FFFF, truncated sequences */
        const char *bad[] = { "STATUS=\xc0\xaf", "STATUS=\xed\xa0\x80", "STATUS=\xf4\x90\x80\x80",
                              "STATUS=\xe2\x82", "STATUS=\xf0\x9f\x98" };
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
                _cleanup_free_ char *b = rw(bad[i], 1, &ready, &r);
                assert_int_equal(r, 0);
                assert_null(b);
        }
        _cleanup_free_ char *c = rw("STATUS=\xf0\x9f\x98\x80 \xe2\x82\xac", 1, &ready, &r);
        assert_string_equal(c, "STATUS=\xf0\x9f\x98\x80 \xe2\x82\xac");
}

static void test_nul_and_size(void **s)
{
        char *out = (char *) 1;
        bool ready = false;
        assert_int_equal(notify_rewrite("READY=1\0X=1", 11, 1, &out, &ready), -EBADMSG);
        _cleanup_free_ char *big = malloc(NOTIFY_MSG_MAX + 2);
        assert_non_null(big);
        memcpy(big, "STATUS=", 7);
        memset(big + 7, 'a', NOTIFY_MSG_MAX + 1 - 7);
        assert_int_equal(notify_rewrite(big, NOTIFY_MSG_MAX + 1, 1, &out, &ready), -EMSGSIZE);
        /* exactly the limit passes whole */
        out = NULL;
        assert_int_equal(notify_rewrite(big, NOTIFY_MSG_MAX, 1, &out, &ready), 0);
        assert_non_null(out);
        assert_int_equal(strlen(out), NOTIFY_MSG_MAX);
        free(out);
}

static void test_many_fields(void **s)
{
        char msg[NOTIFY_MSG_MAX], want[NOTIFY_MSG_MAX];
        size_t n = 0, w = 0;
        for (int i = 0; i < 300; i++) {
                n += (size_t) snprintf(msg + n, sizeof msg - n, "X_%d=%d\n", i, i);
                w += (size_t) snprintf(want + w, sizeof want - w, "%sX_%d=%d", i ? "\n" : "", i, i);
        }
        n += (size_t) snprintf(msg + n, sizeof msg - n, "MAINPID=1\nREADY=1\n");
        w += (size_t) snprintf(want + w, sizeof want - w, "\nMAINPID=99\nREADY=1");
        char *out = NULL;
        bool ready = false;
        assert_int_equal(notify_rewrite(msg, n, 99, &out, &ready), 0);
        assert_true(ready);
        assert_string_equal(out, want);
        free(out);
}

/* ------------------------------------------------------------------ sockets */

struct fixture {
        char dir[256];
        char host[300];
        int host_fd;
};

static int bind_dgram(const char *path)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        assert_true(strlen(path) < sizeof sa.sun_path);
        strcpy(sa.sun_path, path);
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        assert_true(fd >= 0);
        assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof sa), 0);
        return fd;
}

static int setup(void **s)
{
        struct fixture *f = calloc(1, sizeof(*f));
        snprintf(f->dir, sizeof f->dir, "/tmp/test-notify-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        snprintf(f->host, sizeof f->host, "%s/host.sock", f->dir);
        f->host_fd = bind_dgram(f->host);
        *s = f;
        return 0;
}

static int teardown(void **s)
{
        struct fixture *f = *s;
        close(f->host_fd);
        (void) rm_rf(f->dir);
        free(f);
        return 0;
}

/* The next datagram on fd (waiting up to 2 s), or "" after 0.2 s with none when quick. */
static char *recv_msg(int fd, bool quick)
{
        static char buf[NOTIFY_MSG_MAX + 64];
        struct timeval tv = { .tv_sec = quick ? 0 : 2, .tv_usec = quick ? 200000 : 0 };
        (void) setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ssize_t k = recv(fd, buf, sizeof buf - 1, 0);
        buf[k > 0 ? k : 0] = '\0';
        return buf;
}

static void send_to(const char *path, const void *msg, size_t len, int pass_fd)
{
        /* through the directory: the proxy's path may be longer than sun_path */
        char dir[4300], name[256];
        snprintf(dir, sizeof dir, "%s", path);
        char *slash = strrchr(dir, '/');
        snprintf(name, sizeof name, "%s", slash + 1);
        *slash = '\0';
        int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        assert_true(dfd >= 0);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        snprintf(sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d/%.60s", dfd, name);
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct iovec iov = { .iov_base = (void *) msg, .iov_len = len };
        union {
                struct cmsghdr h;
                char b[CMSG_SPACE(sizeof(int))];
        } ctl = { 0 };
        struct msghdr mh = { .msg_name = &sa, .msg_namelen = sizeof sa, .msg_iov = &iov,
                             .msg_iovlen = 1 };
        if (pass_fd >= 0) {
                mh.msg_control = &ctl;
                mh.msg_controllen = sizeof ctl;
                struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
        }
        assert_true(sendmsg(fd, &mh, 0) == (ssize_t) len);
        close(fd);
        close(dfd);
}

static void test_send(void **s)
{
        struct fixture *f = *s;
        assert_int_equal(notify_send(f->host, "MAINPID=5\nREADY=1", 17, NULL), 0);
        assert_string_equal(recv_msg(f->host_fd, false), "MAINPID=5\nREADY=1");
        /* abstract socket */
        char abs_name[64];
        snprintf(abs_name, sizeof abs_name, "@cuttle-test-notify-%d", (int) getpid());
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        memcpy(sa.sun_path + 1, abs_name + 1, strlen(abs_name) - 1);
        int afd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        socklen_t sl = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + strlen(abs_name));
        assert_int_equal(bind(afd, (struct sockaddr *) &sa, sl), 0);
        assert_int_equal(notify_send(abs_name, "READY=1", 7, NULL), 0);
        assert_string_equal(recv_msg(afd, false), "READY=1");
        close(afd);
        /* nobody there */
        struct cu_error *e = NULL;
        char none[4200];
        snprintf(none, sizeof none, "%s/none.sock", f->dir);
        assert_int_equal(notify_send(none, "READY=1", 7, &e), -ENOENT);
        assert_non_null(strstr(cu_error_msg(e), "none.sock"));
        cu_error_free(e);
}

static void test_started(void **s)
{
        struct fixture *f = *s;
        notify_started(f->host, NOTIFY_MODE_CONMON, false, 321);
        assert_string_equal(recv_msg(f->host_fd, false), "MAINPID=321\nREADY=1");
        notify_started(f->host, NOTIFY_MODE_CONTAINER, true, 321);
        assert_string_equal(recv_msg(f->host_fd, false), "MAINPID=321");
        /* nothing: ignore, container mode without a proxy, no socket */
        notify_started(f->host, NOTIFY_MODE_IGNORE, true, 321);
        notify_started(f->host, NOTIFY_MODE_CONTAINER, false, 321);
        notify_started(NULL, NOTIFY_MODE_CONMON, false, 321);
        assert_string_equal(recv_msg(f->host_fd, true), "");
}

static void test_proxy_relay(void **s)
{
        struct fixture *f = *s;
        /* a directory whose socket path is longer than sun_path */
        char deep[512];
        snprintf(deep, sizeof deep, "%s/%0100d/notify", f->dir, 0);
        assert_int_equal(mkdir_p(deep, 0755), 0);
        char path[4200];
        snprintf(path, sizeof path, "%s/notify.sock", deep);
        assert_true(strlen(path) >= sizeof(((struct sockaddr_un *) 0)->sun_path));

        struct notify_proxy *p = NULL;
        assert_int_equal(notify_proxy_new(path, f->host, &p, NULL), 0);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_true(S_ISSOCK(st.st_mode));
        assert_int_equal(st.st_mode & 0777, 0777);
        assert_true(notify_proxy_fd(p) >= 0);

        /* nothing pending */
        assert_int_equal(notify_proxy_dispatch(p, 1000), 0);

        send_to(path, "STATUS=one", 10, -1);
        assert_int_equal(notify_proxy_dispatch(p, 1000), 0);
        assert_string_equal(recv_msg(f->host_fd, false), "STATUS=one");

        /* an oversized datagram is dropped whole; a NUL one too; the next passes */
        char big[NOTIFY_MSG_MAX + 100];
        memset(big, 'A', sizeof big);
        memcpy(big, "READY=1\nSTATUS=", 15);
        send_to(path, big, sizeof big, -1);
        send_to(path, "READY=1\0", 8, -1);
        int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
        send_to(path, "MAINPID=3\nREADY=1\nFDSTORE=1", 27, devnull);
        close(devnull);
        assert_int_equal(notify_proxy_dispatch(p, 1000), 1);
        assert_string_equal(recv_msg(f->host_fd, false), "MAINPID=1000\nREADY=1");
        assert_string_equal(recv_msg(f->host_fd, true), "");

        /* the socket goes with the proxy */
        p = notify_proxy_free(p);
        assert_null(p);
        assert_int_equal(access(path, F_OK), -1);
        assert_null(notify_proxy_free(NULL));
        assert_int_equal(notify_proxy_fd(NULL), -1);
}

static void test_proxy_errors(void **s)
{
        struct fixture *f = *s;
        struct notify_proxy *p = NULL;
        struct cu_error *e = NULL;
        char path[4200];
        snprintf(path, sizeof path, "%s/missing/notify.sock", f->dir);
        assert_int_equal(notify_proxy_new(path, f->host, &p, &e), -ENOENT);
        assert_null(p);
        cu_error_free(e);
        assert_int_equal(notify_proxy_new("@abstract", f->host, &p, NULL), -EINVAL);
        /* the host socket gone: messages are dropped, the proxy goes on */
        snprintf(path, sizeof path, "%s/p.sock", f->dir);
        char gone[4200];
        snprintf(gone, sizeof gone, "%s/gone.sock", f->dir);
        assert_int_equal(notify_proxy_new(path, gone, &p, NULL), 0);
        send_to(path, "READY=1", 7, -1);
        assert_int_equal(notify_proxy_dispatch(p, 1), 1);
        notify_proxy_free(p);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_modes),
                cmocka_unit_test(test_ready_and_status),
                cmocka_unit_test(test_mainpid_rewrite),
                cmocka_unit_test(test_partial_and_malformed_lines),
                cmocka_unit_test(test_fd_fields_dropped),
                cmocka_unit_test(test_non_utf8),
                cmocka_unit_test(test_nul_and_size),
                cmocka_unit_test(test_many_fields),
                cmocka_unit_test_setup_teardown(test_send, setup, teardown),
                cmocka_unit_test_setup_teardown(test_started, setup, teardown),
                cmocka_unit_test_setup_teardown(test_proxy_relay, setup, teardown),
                cmocka_unit_test_setup_teardown(test_proxy_errors, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
