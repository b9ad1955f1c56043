/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Detach keys, and the attach server and client talking over a real socket. */
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
#include <unistd.h>

#include <cmocka.h>

#include "monitor/attach.h"
#include "util/fileio.h"

static void test_parse(void **s)
{
        struct detach_keys k;
        assert_int_equal(detach_keys_parse(NULL, &k, NULL), 0);
        assert_int_equal(k.len, 2);
        assert_int_equal(k.keys[0], 16);
        assert_int_equal(k.keys[1], 17);
        assert_int_equal(detach_keys_parse("", &k, NULL), 0);
        assert_int_equal(k.len, 0);
        assert_int_equal(detach_keys_parse("ctrl-a", &k, NULL), 0);
        assert_int_equal(k.len, 1);
        assert_int_equal(k.keys[0], 1);
        assert_int_equal(detach_keys_parse("a,b", &k, NULL), 0);
        assert_memory_equal(k.keys, "ab", 2);
        assert_int_equal(detach_keys_parse("ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_,ctrl-z", &k,
                                           NULL),
                         0);
        assert_memory_equal(k.keys, "\0\x1b\x1c\x1d\x1e\x1f\x1a", 7);
        assert_int_equal(detach_keys_parse("ctrl-", &k, NULL), -EINVAL);
        assert_int_equal(detach_keys_parse("ctrl-A", &k, NULL), -EINVAL);
        assert_int_equal(detach_keys_parse("ctrl-ab", &k, NULL), -EINVAL);
        assert_int_equal(detach_keys_parse("ab", &k, NULL), -EINVAL);
        assert_int_equal(detach_keys_parse("a,,b", &k, NULL), -EINVAL);
        assert_int_equal(detach_keys_parse("a,", &k, NULL), -EINVAL);
}

static void filter(struct detach_keys *k, const char *in, const char *want, bool want_detached)
{
        unsigned char out[64];
        bool d = false;
        size_t n = detach_keys_filter(k, (const unsigned char *) in, strlen(in), out, &d);
        assert_int_equal(n, strlen(want));
        assert_memory_equal(out, want, n);
        assert_int_equal(d, want_detached);
}

static void test_filter(void **s)
{
        struct detach_keys k;
        assert_int_equal(detach_keys_parse("ctrl-p,ctrl-q", &k, NULL), 0);
        filter(&k, "abc", "abc", false);
        filter(&k, "a\x10", "a", false);   /* ^P held back */
        filter(&k, "b", "\x10" "b", false); /* released when the match breaks */
        filter(&k, "x\x10\x10q", "x\x10\x10q", false);
        filter(&k, "\x10", "", false);
        filter(&k, "\x11" "after", "", true); /* split across reads; the rest is dropped */
        filter(&k, "\x10\x11", "", true);
        assert_int_equal(detach_keys_parse("", &k, NULL), 0);
        filter(&k, "\x10\x11", "\x10\x11", false);
}

struct seen {
        char in[64];
        size_t in_len;
        int closed;
        unsigned rows, cols;
};

static void on_data(void *u, const char *b, size_t n)
{
        struct seen *s = u;
        memcpy(s->in + s->in_len, b, n);
        s->in_len += n;
}
static void on_close(void *u)
{
        ((struct seen *) u)->closed++;
}
static void on_resize(void *u, unsigned r, unsigned c)
{
        ((struct seen *) u)->rows = r;
        ((struct seen *) u)->cols = c;
}

static void pump(struct attach_server *srv, struct seen *seen)
{
        static const struct attach_ops ops = { on_data, on_close, on_resize };
        struct pollfd fds[80];
        size_t n = attach_server_fill(srv, fds, true);
        assert_true(n <= attach_server_max_pollfds(srv));
        if (poll(fds, n, 1000) > 0)
                attach_server_dispatch(srv, fds, n, &ops, seen);
}

static void test_server_client(void **s)
{
        char dir[] = "/tmp/cuttle-test-attach-XXXXXX";
        assert_non_null(mkdtemp(dir));
        /* a path longer than sun_path goes through /proc/self/fd */
        char sub[200], path[300];
        snprintf(sub, sizeof sub, "%s/%0120d", dir, 0);
        assert_int_equal(mkdir(sub, 0700), 0);
        snprintf(path, sizeof path, "%s/attach.sock", sub);
        struct attach_server *srv = NULL;
        assert_int_equal(attach_server_new(path, &srv, NULL), 0);
        int c = attach_client_connect(path, NULL);
        assert_true(c >= 0);
        struct seen seen = {};
        pump(srv, &seen); /* accept */
        assert_int_equal(attach_server_n_clients(srv), 1);

        assert_int_equal(attach_client_send_stdin(c, "hi", 2), 0);
        pump(srv, &seen);
        assert_int_equal(attach_client_resize(c, 24, 80), 0);
        pump(srv, &seen);
        assert_int_equal(attach_client_close_stdin(c), 0);
        pump(srv, &seen);
        assert_int_equal(seen.in_len, 2);
        assert_memory_equal(seen.in, "hi", 2);
        assert_int_equal(seen.rows, 24);
        assert_int_equal(seen.cols, 80);
        assert_int_equal(seen.closed, 1);

        /* output: big writes are split into frames; the relay sorts streams, then EXIT */
        static char big[ATTACH_BUF_SIZE + 100];
        memset(big, 'x', sizeof big);
        attach_server_broadcast(srv, CTR_STREAM_STDOUT, big, sizeof big);
        attach_server_broadcast(srv, CTR_STREAM_STDERR, "err", 3);
        attach_server_end(srv, 42);
        assert_int_equal(attach_server_n_clients(srv), 0);
        int out[2], err[2];
        assert_int_equal(pipe2(out, O_CLOEXEC | O_NONBLOCK), 0);
        assert_int_equal(pipe2(err, O_CLOEXEC | O_NONBLOCK), 0);
        int size = 1 << 20;
        fcntl(out[1], F_SETPIPE_SZ, size);
        struct attach_client_opts o = { .in_fd = -1, .out_fd = out[1], .err_fd = err[1],
                                        .winch_fd = -1, .detach_keys = "" };
        int code = -1;
        assert_int_equal(attach_client_relay(c, &o, &code, NULL), ATTACH_EXITED);
        assert_int_equal(code, 42);
        static char got[sizeof big + 10];
        assert_int_equal(read(out[0], got, sizeof got), sizeof big);
        assert_memory_equal(got, big, sizeof big);
        assert_int_equal(read(err[0], got, sizeof got), 3);
        assert_memory_equal(got, "err", 3);
        close(c);

        /* a client after the end; the socket goes away with the server */
        c = attach_client_connect(path, NULL);
        assert_true(c >= 0);
        pump(srv, &seen);
        attach_server_free(srv);
        struct attach_client_opts o2 = { .in_fd = -1, .out_fd = -1, .err_fd = -1, .winch_fd = -1 };
        assert_int_equal(attach_client_relay(c, &o2, NULL, NULL), ATTACH_HANGUP);
        close(c);
        assert_int_equal(access(path, F_OK), -1);
        assert_true(attach_client_connect(path, NULL) < 0);
        for (int i = 0; i < 2; i++) {
                close(out[i]);
                close(err[i]);
        }
        assert_int_equal(rm_rf(dir), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_filter),
                cmocka_unit_test(test_server_client),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
