/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hooks_run() with real hooks: /bin/sh scripts in a temporary directory
 * (or /bin/sh -c with exact argv) that record what they saw in files the
 * test then reads.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "oci/spec.h"
#include "runtime/hooks.h"
#include "util/fileio.h"

static char dir[] = "/tmp/cuttle-test-hooks-XXXXXX";

static int setup(void **state)
{
        return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
        return rm_rf(dir) < 0 ? -1 : 0;
}

/* dir/name, in the caller's buffer. */
static char *in_dir(const char *name, char buf[static 256])
{
        snprintf(buf, 256, "%s/%s", dir, name);
        return buf;
}

/* Writes an executable script dir/name with the given body after "#!/bin/sh\n". */
_printf_(2, 3) static char *script(char buf[static 256], const char *fmt, ...)
{
        static unsigned n;
        char name[32], body[4096];
        va_list ap;

        snprintf(name, sizeof name, "hook-%u.sh", n++);
        in_dir(name, buf);
        va_start(ap, fmt);
        vsnprintf(body, sizeof body, fmt, ap);
        va_end(ap);

        int fd = open(buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
        assert_true(fd >= 0);
        assert_int_equal(write_all(fd, "#!/bin/sh\n", 10), 0);
        assert_int_equal(write_all(fd, body, strlen(body)), 0);
        close(fd);
        return buf;
}

static char *slurp(const char *path)
{
        char *s = NULL;
        assert_int_equal(read_full_file(path, &s, NULL, NULL), 0);
        return s;
}

/* NUL-separated (cmdline, environ) → one line each. */
static char *slurp_nul(const char *path)
{
        size_t len = 0;
        char *s = NULL;
        assert_int_equal(read_full_file(path, &s, &len, NULL), 0);
        for (size_t i = 0; i < len; i++)
                if (s[i] == '\0')
                        s[i] = '\n';
        return s;
}

static int64_t now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- success ---- */

static void test_state_on_stdin(void **state)
{
        char sb[256], ob[256];
        const char *json = "{\"ociVersion\":\"1.1.0\",\"id\":\"c1\",\"status\":\"creating\","
                           "\"pid\":42,\"bundle\":\"/b\"}";
        char *out = in_dir("state.out", ob);
        struct oci_hook h = { .path = script(sb, "/bin/cat > %s\n", out) };
        struct cu_error *err = NULL;

        assert_int_equal(hooks_run(&h, 1, "prestart", json, &err), 0);
        assert_null(err);
        char *got = slurp(out);
        assert_string_equal(got, json);
        free(got);

        /* NULL state: stdin is empty (EOF at once). */
        unlink(out);
        assert_int_equal(hooks_run(&h, 1, "prestart", NULL, &err), 0);
        got = slurp(out);
        assert_string_equal(got, "");
        free(got);

        /* No hooks, nothing to do. */
        assert_int_equal(hooks_run(NULL, 0, "poststop", json, &err), 0);
}

static void test_args_env_exact(void **state)
{
        char ab[256], eb[256], cmd[1024];
        char *argsf = in_dir("args.out", ab), *envf = in_dir("env.out", eb);
        /* "; exit 0": the shell must not exec the last command in its own place. */
        snprintf(cmd, sizeof cmd,
                 "/bin/cat /proc/$$/cmdline > %s; /bin/cat /proc/$$/environ > %s; exit 0", argsf,
                 envf);
        char *args[] = { "my-hook", "-c", cmd, "zero", "a b", "", "*", NULL };
        char *env[] = { "FOO=bar", "EMPTY=", "X=1=2", NULL };
        struct oci_hook h = { .path = "/bin/sh", .args = args, .env = env };
        struct cu_error *err = NULL;

        assert_int_equal(hooks_run(&h, 1, "createRuntime", "{}", &err), 0);
        char *got = slurp_nul(argsf);
        char want[2048];
        snprintf(want, sizeof want, "my-hook\n-c\n%s\nzero\na b\n\n*\n", cmd);
        assert_string_equal(got, want);
        free(got);
        got = slurp_nul(envf);
        assert_string_equal(got, "FOO=bar\nEMPTY=\nX=1=2\n");
        free(got);

        /* No env: an empty environment, not ours. */
        h.env = NULL;
        setenv("CUTTLE_TEST_LEAK", "1", 1);
        assert_int_equal(hooks_run(&h, 1, "createRuntime", "{}", &err), 0);
        unsetenv("CUTTLE_TEST_LEAK");
        got = slurp_nul(envf);
        assert_string_equal(got, "");
        free(got);
}

static void test_args_empty(void **state)
{
        char sb[256], ob[256];
        char *out = in_dir("argc.out", ob);
        /* A script sees the path execve() got as $0 and no arguments. */
        struct oci_hook h = { .path = script(sb, "echo \"$# $0\" > %s\n", out) };
        char *none[] = { NULL };
        struct cu_error *err = NULL;
        char want[300];
        snprintf(want, sizeof want, "0 %s\n", h.path);

        assert_int_equal(hooks_run(&h, 1, "poststart", "{}", &err), 0);
        char *got = slurp(out);
        assert_string_equal(got, want);
        free(got);

        h.args = none; /* present but empty: the same */
        unlink(out);
        assert_int_equal(hooks_run(&h, 1, "poststart", "{}", &err), 0);
        got = slurp(out);
        assert_string_equal(got, want);
        free(got);
}

static void test_no_fd_leak(void **state)
{
        char ob[256], cmd[512];
        char *out = in_dir("fds.out", ob);
        struct cu_error *err = NULL;

        /* fds without O_CLOEXEC, as a careless caller might have: a low one and a high one. */
        int low = open("/dev/null", O_RDONLY);
        assert_true(low > 2 && low < 10);
        int high = fcntl(low, F_DUPFD, 100);
        assert_true(high >= 100);

        /* dash keeps its own fds at 10 and above; 3-9 and ours must be closed. */
        snprintf(cmd, sizeof cmd,
                 "for f in 0 1 2 3 4 5 6 7 8 9 %d; do [ -e /proc/$$/fd/$f ] && echo $f; done "
                 "> %s; exit 0",
                 high, out);
        char *args[] = { "sh", "-c", cmd, NULL };
        struct oci_hook h = { .path = "/bin/sh", .args = args };
        assert_int_equal(hooks_run(&h, 1, "prestart", "{}", &err), 0);
        close(low);
        close(high);
        char *got = slurp(out);
        assert_string_equal(got, "0\n1\n2\n");
        free(got);
}

static void test_stdin_ignored_big_state(void **state)
{
        char sb[256];
        struct oci_hook h = { .path = script(sb, "exit 0\n") };
        struct cu_error *err = NULL;
        size_t big = 1 << 20;
        char *json = malloc(big + 1);
        assert_non_null(json);
        memset(json, 'x', big);
        json[big] = '\0';

        /* The hook never reads: no hang, no SIGPIPE, and SIGPIPE restored. */
        assert_int_equal(hooks_run(&h, 1, "prestart", json, &err), 0);
        struct sigaction sa;
        assert_int_equal(sigaction(SIGPIPE, NULL, &sa), 0);
        assert_true(sa.sa_handler == SIG_DFL);

        /* A hook that reads it all and prints lots: no deadlock either way. */
        char sb2[256];
        struct oci_hook h2 = { .path = script(sb2, "/bin/cat; /bin/cat /proc/self/status >&2\n") };
        assert_int_equal(hooks_run(&h2, 1, "prestart", json, &err), 0);
        assert_null(err);
        free(json);
}

/* ---- failures ---- */

static void test_exit_status(void **state)
{
        char sb[256], want[512];
        struct oci_hook h = { .path = script(sb, "echo to-stdout\n"
                                                 "echo '  something broke  ' >&2\n"
                                                 "echo >&2\n"
                                                 "printf 'second\\tline\\033[0m\\n' >&2\n"
                                                 "echo third >&2\n"
                                                 "echo fourth >&2\n"
                                                 "exit 3\n") };
        struct cu_error *err = NULL;

        assert_int_equal(hooks_run(&h, 1, "createRuntime", "{}", &err), -EIO);
        snprintf(want, sizeof want,
                 "createRuntime hook \"%s\" failed: exit status 3: something broke; "
                 "second\tline?[0m; third",
                 h.path);
        assert_string_equal(cu_error_msg(err), want);
        cu_error_free(err);
        err = NULL;

        /* Only stdout said something: it is quoted instead. */
        char sb2[256];
        struct oci_hook h2 = { .path = script(sb2, "echo only-out; exit 1\n") };
        assert_int_equal(hooks_run(&h2, 1, "poststop", "{}", &err), -EIO);
        snprintf(want, sizeof want, "poststop hook \"%s\" failed: exit status 1: only-out",
                 h2.path);
        assert_string_equal(cu_error_msg(err), want);
        cu_error_free(err);
        err = NULL;

        /* Silence: just the status. */
        char sb3[256];
        struct oci_hook h3 = { .path = script(sb3, "exit 42\n") };
        assert_int_equal(hooks_run(&h3, 1, "prestart", "{}", &err), -EIO);
        snprintf(want, sizeof want, "prestart hook \"%s\" failed: exit status 42", h3.path);
        assert_string_equal(cu_error_msg(err), want);
        cu_error_free(err);
        err = NULL;

        /* A signal. */
        char sb4[256];
        struct oci_hook h4 = { .path = script(sb4, "echo dying >&2; kill -SEGV $$\n") };
        assert_int_equal(hooks_run(&h4, 1, "prestart", "{}", &err), -EIO);
        snprintf(want, sizeof want, "prestart hook \"%s\" failed: killed by signal SEGV: dying",
                 h4.path);
        assert_string_equal(cu_error_msg(err), want);
        cu_error_free(err);

        assert_int_equal(hooks_run(&h3, 1, "prestart", "{}", NULL), -EIO);
}

static void test_long_output_bounded(void **state)
{
        char sb[256];
        /* 100 KiB on one stderr line, then a failure. */
        struct oci_hook h = { .path = script(sb, "i=0; while [ $i -lt 1600 ]; do "
                                                 "printf 'abcdefghijklmnopqrstuvwxyz0123456789"
                                                 "abcdefghijklmnopqrstuvwxyz0123' >&2; "
                                                 "i=$((i+1)); done; exit 9\n") };
        struct cu_error *err = NULL;

        assert_int_equal(hooks_run(&h, 1, "prestart", "{}", &err), -EIO);
        const char *m = cu_error_msg(err);
        const char *text = strstr(m, "exit status 9: ");
        assert_non_null(text);
        text += strlen("exit status 9: ");
        assert_int_equal(strlen(text), 512 + 3);
        assert_string_equal(text + 512, "...");
        assert_memory_equal(text, "abcdefghijklmnopqrstuvwxyz0123456789", 36);
        cu_error_free(err);
}

static void test_timeout(void **state)
{
        char sb[256], want[512];
        /* Not exec'd: the shell's child sleeps on and keeps the output pipes open. */
        struct oci_hook h = { .path = script(sb, "echo started >&2; /bin/sleep 3; echo done\n"),
                              .has_timeout = true,
                              .timeout = 1 };
        struct cu_error *err = NULL;

        int64_t t0 = now_ms();
        assert_int_equal(hooks_run(&h, 1, "prestart", "{}", &err), -ETIMEDOUT);
        int64_t dt = now_ms() - t0;
        assert_true(dt >= 950);
        assert_true(dt < 2000);
        snprintf(want, sizeof want, "prestart hook \"%s\" timed out after 1 second", h.path);
        assert_string_equal(cu_error_msg(err), want);
        cu_error_free(err);
        err = NULL;

        /* A hook that finishes in time is fine. */
        char sb2[256];
        struct oci_hook h2 = { .path = script(sb2, "/bin/cat >/dev/null\n"),
                               .has_timeout = true,
                               .timeout = 5 };
        assert_int_equal(hooks_run(&h2, 1, "prestart", "{}", &err), 0);

        /* The plural. */
        struct oci_hook h3 = { .path = "/bin/sleep", .args = (char *[]){ "sleep", "5", NULL },
                               .has_timeout = true,
                               .timeout = 2 };
        t0 = now_ms();
        assert_int_equal(hooks_run(&h3, 1, "createContainer", "{}", &err), -ETIMEDOUT);
        dt = now_ms() - t0;
        assert_true(dt >= 1950 && dt < 3000);
        assert_string_equal(cu_error_msg(err),
                            "createContainer hook \"/bin/sleep\" timed out after 2 seconds");
        cu_error_free(err);
}

static void test_cannot_exec(void **state)
{
        struct oci_hook h = { .path = "/nonexistent/hook" };
        struct cu_error *err = NULL;

        assert_int_equal(hooks_run(&h, 1, "prestart", "{}", &err), -ENOENT);
        assert_string_equal(cu_error_msg(err), "prestart hook \"/nonexistent/hook\": cannot "
                                               "execute: No such file or directory");
        cu_error_free(err);
        err = NULL;

        /* Not executable. */
        char pb[256];
        char *path = in_dir("not-exec", pb);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        close(fd);
        h.path = path;
        assert_int_equal(hooks_run(&h, 1, "poststart", "{}", &err), -EACCES);
        char want[512];
        snprintf(want, sizeof want, "poststart hook \"%s\": cannot execute: Permission denied",
                 path);
        assert_string_equal(cu_error_msg(err), want);
        cu_error_free(err);
        err = NULL;

        /* No $PATH lookup: a bare name is relative to the cwd. */
        h.path = "sh";
        assert_int_equal(hooks_run(&h, 1, "prestart", "{}", &err), -ENOENT);
        cu_error_free(err);
}

static void test_stops_at_first_failure(void **state)
{
        char b1[256], b2[256], b3[256], o1[256], o3[256], want[512];
        char *first = in_dir("first.out", o1), *third = in_dir("third.out", o3);
        struct oci_hook hooks[] = {
                { .path = script(b1, "echo 1 > %s\n", first) },
                { .path = script(b2, "echo nope >&2; exit 2\n") },
                { .path = script(b3, "echo 3 > %s\n", third) },
        };
        struct cu_error *err = NULL;

        assert_int_equal(hooks_run(hooks, 3, "createContainer", "{}", &err), -EIO);
        snprintf(want, sizeof want, "createContainer hook \"%s\" failed: exit status 2: nope",
                 hooks[1].path);
        assert_string_equal(cu_error_msg(err), want);
        cu_error_free(err);
        assert_int_equal(access(first, F_OK), 0);
        assert_int_equal(access(third, F_OK), -1);
        assert_int_equal(errno, ENOENT);

        /* All three run, in order, when none fails. */
        char b4[256], o4[256];
        char *order = in_dir("order.out", o4);
        struct oci_hook seq[] = {
                { .path = script(b4, "echo a >> %s\n", order) },
                { .path = "/bin/sh", .args = (char *[]){ "sh", "-c", "echo b >> \"$0\"", order,
                                                         NULL } },
                { .path = b4 },
        };
        assert_int_equal(hooks_run(seq, 3, "poststart", "{}", NULL), 0);
        char *got = slurp(order);
        assert_string_equal(got, "a\nb\na\n");
        free(got);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_state_on_stdin),
                cmocka_unit_test(test_args_env_exact),
                cmocka_unit_test(test_args_empty),
                cmocka_unit_test(test_no_fd_leak),
                cmocka_unit_test(test_stdin_ignored_big_state),
                cmocka_unit_test(test_exit_status),
                cmocka_unit_test(test_long_output_bounded),
                cmocka_unit_test(test_timeout),
                cmocka_unit_test(test_cannot_exec),
                cmocka_unit_test(test_stops_at_first_failure),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
