/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rlimits_apply() for real, in forked children (limits must not leak into
 * the test process).  Children that test EPERM first drop CAP_SYS_RESOURCE
 * from their effective set, so the result does not depend on how the test
 * runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "oci/spec.h"
#include "runtime/rlimits.h"
#include "util/fileio.h"

/* valgrind keeps RLIMIT_NOFILE's hard limit to itself (setrlimit() of it
 * fails with EPERM there), so under valgrind the RLIMIT_NOFILE checks run
 * on RLIMIT_MSGQUEUE instead. */
static int fd_res = RLIMIT_NOFILE;
static const char *fd_name = "RLIMIT_NOFILE";

static void pick_fd_resource(void)
{
        const char *p = getenv("LD_PRELOAD");
        if (p && strstr(p, "vgpreload")) {
                printf("# under valgrind: RLIMIT_MSGQUEUE stands in for RLIMIT_NOFILE\n");
                fd_res = RLIMIT_MSGQUEUE;
                fd_name = "RLIMIT_MSGQUEUE";
        }
}

static int run_child(void (*fn)(int wfd), char *msg, size_t size)
{
        int p[2];
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(p[0]);
                fn(p[1]);
                _exit(0);
        }
        close(p[1]);
        ssize_t k = read_all(p[0], msg, size - 1);
        close(p[0]);
        msg[k > 0 ? k : 0] = '\0';
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

#define CHILD_OK(fn)                                                                               \
        do {                                                                                       \
                char _msg[1024];                                                                   \
                int _r = run_child(fn, _msg, sizeof _msg);                                         \
                if (_r != 0)                                                                       \
                        fail_msg("child: %s (exit %d)", _msg, _r);                                 \
        } while (0)

_printf_(2, 3) _noreturn_ static void child_fail(int wfd, const char *fmt, ...)
{
        char buf[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        (void) write_all(wfd, buf, strlen(buf));
        _exit(1);
}

static void child_check_limit(int wfd, int res, rlim_t soft, rlim_t hard)
{
        struct rlimit rl;
        if (getrlimit(res, &rl) < 0)
                child_fail(wfd, "getrlimit: %s", strerror(errno));
        if (rl.rlim_cur != soft || rl.rlim_max != hard)
                child_fail(wfd, "resource %d: got %llu:%llu, want %llu:%llu", res,
                           (unsigned long long) rl.rlim_cur, (unsigned long long) rl.rlim_max,
                           (unsigned long long) soft, (unsigned long long) hard);
}

static void child_drop_sys_resource(int wfd)
{
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct d[2];
        if (syscall(SYS_capget, &h, d) < 0)
                child_fail(wfd, "capget: %s", strerror(errno));
        d[CAP_TO_INDEX(CAP_SYS_RESOURCE)].effective &= ~CAP_TO_MASK(CAP_SYS_RESOURCE);
        if (syscall(SYS_capset, &h, d) < 0)
                child_fail(wfd, "capset: %s", strerror(errno));
}

static void child_expect_error(int wfd, const struct oci_rlimit *l, size_t n, int r_want,
                               const char *msg)
{
        struct cu_error *err = NULL;
        int r = rlimits_apply(l, n, &err);
        if (r != r_want)
                child_fail(wfd, "rlimits_apply: %d, want %d (%s)", r, r_want, cu_error_msg(err));
        if (strcmp(cu_error_msg(err), msg) != 0)
                child_fail(wfd, "message: %s", cu_error_msg(err));
        cu_error_free(err);
}

/* want, or the current hard limit when that is lower (so that no privilege is needed). */
static uint64_t at_most_hard(int res, uint64_t want)
{
        struct rlimit rl;
        if (getrlimit(res, &rl) < 0 || rl.rlim_max == RLIM_INFINITY)
                return want;
        return rl.rlim_max < want ? rl.rlim_max : want;
}

/* ---- lowering ---- */

static void child_lower(int wfd)
{
        uint64_t core = at_most_hard(RLIMIT_CORE, 4096), nproc = at_most_hard(RLIMIT_NPROC, 5000);
        struct oci_rlimit l[] = {
                { .type = (char *) fd_name, .resource = fd_res, .soft = 100, .hard = 200 },
                { .type = "RLIMIT_CORE", .resource = RLIMIT_CORE, .soft = 0, .hard = core },
                { .type = "RLIMIT_NPROC", .resource = RLIMIT_NPROC, .soft = nproc, .hard = nproc },
        };
        struct cu_error *err = NULL;
        if (rlimits_apply(l, ELEMENTSOF(l), &err) < 0)
                child_fail(wfd, "rlimits_apply: %s", cu_error_msg(err));
        child_check_limit(wfd, fd_res, 100, 200);
        child_check_limit(wfd, RLIMIT_CORE, 0, core);
        child_check_limit(wfd, RLIMIT_NPROC, nproc, nproc);

        /* Raising the soft limit up to the hard one needs no privilege. */
        child_drop_sys_resource(wfd);
        struct oci_rlimit up = { .type = (char *) fd_name, .resource = fd_res, .soft = 200,
                                 .hard = 200 };
        if (rlimits_apply(&up, 1, &err) < 0)
                child_fail(wfd, "rlimits_apply: %s", cu_error_msg(err));
        child_check_limit(wfd, fd_res, 200, 200);

        /* Nothing to do is fine. */
        if (rlimits_apply(NULL, 0, &err) < 0)
                child_fail(wfd, "rlimits_apply(empty): %s", cu_error_msg(err));
}

static void test_lower(void **state)
{
        struct rlimit before, after;
        assert_int_equal(getrlimit(fd_res, &before), 0);
        CHILD_OK(child_lower);
        /* The parent is untouched. */
        assert_int_equal(getrlimit(fd_res, &after), 0);
        assert_true(before.rlim_cur == after.rlim_cur && before.rlim_max == after.rlim_max);
}

/* ---- raising above the hard limit ---- */

static void child_raise_hard(int wfd)
{
        struct rlimit rl = { .rlim_cur = 256, .rlim_max = 512 };
        if (setrlimit(fd_res, &rl) < 0)
                child_fail(wfd, "setrlimit: %s", strerror(errno));
        rl = (struct rlimit){ .rlim_cur = 0, .rlim_max = 0 };
        if (setrlimit(RLIMIT_CORE, &rl) < 0)
                child_fail(wfd, "setrlimit: %s", strerror(errno));
        child_drop_sys_resource(wfd);

        /* The second entry fails; the first applied, the third never runs. */
        uint64_t nproc = at_most_hard(RLIMIT_NPROC, 777);
        struct oci_rlimit l[] = {
                { .type = "RLIMIT_NPROC", .resource = RLIMIT_NPROC, .soft = nproc, .hard = nproc },
                { .type = (char *) fd_name, .resource = fd_res, .soft = 256, .hard = 1024 },
                { .type = "RLIMIT_STACK", .resource = RLIMIT_STACK, .soft = 65536, .hard = 65536 },
        };
        struct rlimit stack;
        if (getrlimit(RLIMIT_STACK, &stack) < 0)
                child_fail(wfd, "getrlimit: %s", strerror(errno));
        char want[256];
        snprintf(want, sizeof want,
                 "setting %s to 256:1024: Operation not permitted (the current hard limit is "
                 "512; raising it needs CAP_SYS_RESOURCE)",
                 fd_name);
        child_expect_error(wfd, l, ELEMENTSOF(l), -EPERM, want);
        child_check_limit(wfd, RLIMIT_NPROC, nproc, nproc);
        child_check_limit(wfd, fd_res, 256, 512);
        child_check_limit(wfd, RLIMIT_STACK, stack.rlim_cur, stack.rlim_max);

        /* "unlimited" reads better than 18446744073709551615. */
        struct oci_rlimit core = { .type = "RLIMIT_CORE", .resource = RLIMIT_CORE,
                                   .soft = UINT64_MAX, .hard = UINT64_MAX };
        child_expect_error(wfd, &core, 1, -EPERM,
                           "setting RLIMIT_CORE to unlimited:unlimited: Operation not permitted "
                           "(the current hard limit is 0; raising it needs CAP_SYS_RESOURCE)");
}

static void test_raise_hard(void **state)
{
        CHILD_OK(child_raise_hard);
}

static void child_above_nr_open(int wfd)
{
        _cleanup_free_ char *s = NULL;
        if (read_full_file("/proc/sys/fs/nr_open", &s, NULL, NULL) < 0)
                child_fail(wfd, "cannot read fs.nr_open");
        s[strcspn(s, "\n")] = '\0';
        char want[256];
        snprintf(want, sizeof want,
                 "setting RLIMIT_NOFILE to 1024:%llu: Operation not permitted (the kernel "
                 "allows at most fs.nr_open = %s)",
                 1ULL << 40, s);
        /* Even with CAP_SYS_RESOURCE: fs.nr_open is a hard ceiling. */
        struct oci_rlimit l = { .type = "RLIMIT_NOFILE", .resource = RLIMIT_NOFILE,
                                .soft = 1024, .hard = 1ULL << 40 };
        child_expect_error(wfd, &l, 1, -EPERM, want);
}

static void test_above_nr_open(void **state)
{
        CHILD_OK(child_above_nr_open);
}

/* ---- refused before any syscall (safe in the test process) ---- */

static void test_invalid(void **state)
{
        struct cu_error *err = NULL;
        struct rlimit before, after;
        assert_int_equal(getrlimit(RLIMIT_NOFILE, &before), 0);

        struct oci_rlimit inverted = { .type = "RLIMIT_NOFILE", .resource = RLIMIT_NOFILE,
                                       .soft = 4096, .hard = 1024 };
        assert_int_equal(rlimits_apply(&inverted, 1, &err), -EINVAL);
        assert_string_equal(cu_error_msg(err), "setting RLIMIT_NOFILE to 4096:1024: the soft "
                                               "limit is above the hard limit");
        cu_error_free(err);
        err = NULL;

        struct oci_rlimit inverted_inf = { .type = "RLIMIT_CPU", .resource = RLIMIT_CPU,
                                           .soft = UINT64_MAX, .hard = 10 };
        assert_int_equal(rlimits_apply(&inverted_inf, 1, &err), -EINVAL);
        assert_string_equal(cu_error_msg(err), "setting RLIMIT_CPU to unlimited:10: the soft "
                                               "limit is above the hard limit");
        cu_error_free(err);
        err = NULL;

        struct oci_rlimit unknown = { .type = "RLIMIT_FOO", .resource = -EINVAL };
        assert_int_equal(rlimits_apply(&unknown, 1, &err), -EINVAL);
        assert_string_equal(cu_error_msg(err), "unknown rlimit \"RLIMIT_FOO\"");
        cu_error_free(err);
        err = NULL;

        /* No type string: the name comes from the resource number. */
        struct oci_rlimit untyped = { .resource = RLIMIT_AS, .soft = 2, .hard = 1 };
        assert_int_equal(rlimits_apply(&untyped, 1, &err), -EINVAL);
        assert_string_equal(cu_error_msg(err), "setting RLIMIT_AS to 2:1: the soft limit is "
                                               "above the hard limit");
        cu_error_free(err);

        assert_int_equal(rlimits_apply(&unknown, 1, NULL), -EINVAL);

        assert_int_equal(getrlimit(RLIMIT_NOFILE, &after), 0);
        assert_true(before.rlim_cur == after.rlim_cur && before.rlim_max == after.rlim_max);
}

int main(void)
{
        pick_fd_resource();
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_lower),
                cmocka_unit_test(test_raise_hard),
                cmocka_unit_test(test_above_nr_open),
                cmocka_unit_test(test_invalid),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
