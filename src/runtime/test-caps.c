/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Capability plans (pure) and applying them for real in forked children,
 * which check /proc/self/status and send back a message on mismatch.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "oci/spec.h"
#include "runtime/caps.h"
#include "util/fileio.h"

#define BIT(c) (UINT64_C(1) << (c))

/* ---- pure ---- */

static void test_names(void **state)
{
        assert_int_equal(caps_from_name("CAP_CHOWN"), 0);
        assert_int_equal(caps_from_name("CAP_SYS_ADMIN"), 21);
        assert_int_equal(caps_from_name("CAP_CHECKPOINT_RESTORE"), 40);
        assert_int_equal(caps_from_name("chown"), -EINVAL);
        assert_int_equal(caps_from_name("cap_chown"), -EINVAL);
        assert_int_equal(caps_from_name("CAP_FOO"), -EINVAL);
        assert_int_equal(caps_from_name(""), -EINVAL);
        assert_int_equal(caps_from_name(NULL), -EINVAL);

        assert_string_equal(caps_to_name(0), "CAP_CHOWN");
        assert_string_equal(caps_to_name(24), "CAP_SYS_RESOURCE");
        assert_null(caps_to_name(63));
        assert_null(caps_to_name(1000));

        for (unsigned i = 0; i <= 40; i++) {
                const char *n = caps_to_name(i);
                assert_non_null(n);
                assert_int_equal(caps_from_name(n), (int) i);
        }
        assert_true(caps_kernel_count() >= 38 && caps_kernel_count() <= 64);
}

static void test_mask_string(void **state)
{
        char *s = caps_mask_to_string(0);
        assert_string_equal(s, "");
        free(s);

        s = caps_mask_to_string(BIT(0) | BIT(5) | BIT(40));
        assert_string_equal(s, "CAP_CHOWN,CAP_KILL,CAP_CHECKPOINT_RESTORE");
        free(s);

        s = caps_mask_to_string(BIT(21) | BIT(50) | BIT(63));
        assert_string_equal(s, "CAP_SYS_ADMIN,cap_50,cap_63");
        free(s);

        s = caps_mask_to_string(UINT64_MAX);
        assert_non_null(strstr(s, "CAP_CHOWN,CAP_DAC_OVERRIDE,"));
        assert_non_null(strstr(s, ",cap_63"));
        free(s);
}

static void test_plan(void **state)
{
        char *bounding[] = { "CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };
        char *effective[] = { "CAP_KILL", "CAP_KILL", NULL }; /* duplicates are harmless */
        char *permitted[] = { "CAP_KILL", "CAP_CHOWN", NULL };
        char *empty[] = { NULL };
        struct oci_capabilities c = { .bounding = bounding, .effective = effective,
                                      .permitted = permitted, .ambient = empty };
        struct caps_plan p;
        struct cu_error *err = NULL;

        memset(&p, 0xaa, sizeof p);
        assert_int_equal(caps_plan_from_spec(&c, &p, &err), 0);
        assert_null(err);
        assert_int_equal(p.bounding, BIT(0) | BIT(5) | BIT(10));
        assert_int_equal(p.effective, BIT(5));
        assert_int_equal(p.permitted, BIT(0) | BIT(5));
        assert_int_equal(p.inheritable, 0);
        assert_int_equal(p.ambient, 0);
        assert_true(p.has_bounding);
        assert_true(p.has_effective);
        assert_true(p.has_permitted);
        assert_false(p.has_inheritable); /* absent */
        assert_true(p.has_ambient);      /* present but empty */

        /* Nothing at all: every set empty. */
        struct oci_capabilities none = { 0 };
        assert_int_equal(caps_plan_from_spec(&none, &p, &err), 0);
        assert_int_equal(p.bounding | p.effective | p.permitted | p.inheritable | p.ambient, 0);
        assert_false(p.has_bounding || p.has_effective || p.has_permitted || p.has_inheritable ||
                     p.has_ambient);

        /* Every known name of the running kernel goes in. */
        char *all[42] = { NULL };
        unsigned n = caps_kernel_count() < 41 ? caps_kernel_count() : 41;
        for (unsigned i = 0; i < n; i++)
                all[i] = (char *) caps_to_name(i);
        struct oci_capabilities full = { .bounding = all };
        assert_int_equal(caps_plan_from_spec(&full, &p, &err), 0);
        assert_int_equal(p.bounding, n == 64 ? UINT64_MAX : BIT(n) - 1);
}

static void expect_plan_error(struct oci_capabilities *c, const char *msg)
{
        struct caps_plan p = { .bounding = 42 };
        struct cu_error *err = NULL;

        assert_int_equal(caps_plan_from_spec(c, &p, &err), -EINVAL);
        assert_non_null(err);
        assert_string_equal(cu_error_msg(err), msg);
        assert_int_equal(err->errnum, EINVAL);
        assert_int_equal(p.bounding, 42); /* untouched on failure */
        cu_error_free(err);

        /* No message wanted: same result. */
        assert_int_equal(caps_plan_from_spec(c, &p, NULL), -EINVAL);
}

static void test_plan_errors(void **state)
{
        char *bounding[] = { "CAP_CHOWN", "CAP_KILL", "CAP_SETUID", "CAP_FOO", NULL };
        struct oci_capabilities c1 = { .bounding = bounding };
        expect_plan_error(&c1, "process.capabilities.bounding[3]: unknown capability \"CAP_FOO\"");

        char *lower[] = { "cap_chown", NULL };
        struct oci_capabilities c2 = { .ambient = lower };
        expect_plan_error(&c2, "process.capabilities.ambient[0]: unknown capability "
                               "\"cap_chown\"");

        char *ok[] = { "CAP_CHOWN", NULL };
        char *bare[] = { "CAP_CHOWN", "NET_ADMIN", NULL };
        struct oci_capabilities c3 = { .bounding = ok, .effective = ok, .permitted = ok,
                                       .inheritable = bare };
        expect_plan_error(&c3, "process.capabilities.inheritable[1]: unknown capability "
                               "\"NET_ADMIN\"");

        char *empty_name[] = { "", NULL };
        struct oci_capabilities c4 = { .permitted = empty_name };
        expect_plan_error(&c4, "process.capabilities.permitted[0]: unknown capability \"\"");

        char *numeric[] = { "21", NULL };
        struct oci_capabilities c5 = { .effective = numeric };
        expect_plan_error(&c5, "process.capabilities.effective[0]: unknown capability \"21\"");
}

/* ---- for real, in children ---- */

static int status_mask(const char *field, uint64_t *ret)
{
        _cleanup_free_ char *s = NULL;
        if (read_full_file("/proc/self/status", &s, NULL, NULL) < 0)
                return -EIO;
        char key[32];
        snprintf(key, sizeof key, "\n%s:", field);
        const char *p = strstr(s, key);
        if (!p)
                return -ENOENT;
        return sscanf(p + strlen(key), " %" SCNx64, ret) == 1 ? 0 : -EINVAL;
}

/* Runs fn in a child; returns its exit status and copies what it wrote to msg. */
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

static void child_check(int wfd, const char *field, uint64_t want)
{
        uint64_t got = 0;
        if (status_mask(field, &got) < 0)
                child_fail(wfd, "cannot read %s", field);
        if (got != want) {
                _cleanup_free_ char *g = caps_mask_to_string(got);
                _cleanup_free_ char *w = caps_mask_to_string(want);
                child_fail(wfd, "%s: got %s, want %s", field, g, w);
        }
}

static void require_setpcap(void)
{
        if (prctl(PR_CAPBSET_READ, 8 /* CAP_SETPCAP */, 0, 0, 0) != 1 || getuid() != 0) {
                printf("# skipping: needs root with CAP_SETPCAP\n");
                skip();
        }
}

static void child_apply_nonroot(int wfd)
{
        char *bounding[] = { "CAP_CHOWN", "CAP_KILL", "CAP_SETUID", "CAP_SETGID",
                             "CAP_NET_BIND_SERVICE", NULL };
        char *effective[] = { "CAP_CHOWN", "CAP_KILL", NULL };
        char *permitted[] = { "CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };
        char *inheritable[] = { "CAP_CHOWN", "CAP_NET_BIND_SERVICE", NULL };
        char *ambient[] = { "CAP_NET_BIND_SERVICE", NULL };
        struct oci_capabilities c = { .bounding = bounding, .effective = effective,
                                      .permitted = permitted, .inheritable = inheritable,
                                      .ambient = ambient };
        struct caps_plan p;
        struct cu_error *err = NULL;

        if (caps_plan_from_spec(&c, &p, &err) < 0)
                child_fail(wfd, "plan: %s", cu_error_msg(err));
        if (caps_drop_bounding(&p, &err) < 0)
                child_fail(wfd, "drop: %s", cu_error_msg(err));
        child_check(wfd, "CapBnd", BIT(0) | BIT(5) | BIT(6) | BIT(7) | BIT(10));

        /* What the container init does around the uid switch. */
        if (setresgid(65534, 65534, 65534) < 0 || prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 ||
            setresuid(65534, 65534, 65534) < 0)
                child_fail(wfd, "switching user: %s", strerror(errno));
        child_check(wfd, "CapEff", 0); /* the kernel cleared it */
        if (caps_apply(&p, &err) < 0)
                child_fail(wfd, "apply: %s", cu_error_msg(err));

        child_check(wfd, "CapBnd", BIT(0) | BIT(5) | BIT(6) | BIT(7) | BIT(10));
        child_check(wfd, "CapEff", BIT(0) | BIT(5));
        child_check(wfd, "CapPrm", BIT(0) | BIT(5) | BIT(10));
        child_check(wfd, "CapInh", BIT(0) | BIT(10));
        child_check(wfd, "CapAmb", BIT(10));

        /* The bounding set really is gone: raising a dropped cap fails. */
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, 21, 0, 0) == 0)
                child_fail(wfd, "could raise CAP_SYS_ADMIN");
}

static void test_apply_nonroot(void **state)
{
        char msg[1024];
        require_setpcap();
        int r = run_child(child_apply_nonroot, msg, sizeof msg);
        if (r != 0)
                fail_msg("child: %s (exit %d)", msg, r);
}

static void child_apply_root(int wfd)
{
        /* Bounding absent: everything dropped; ambient not in inheritable: skipped. */
        char *effective[] = { "CAP_SYS_ADMIN", "CAP_DAC_OVERRIDE", NULL };
        char *ambient[] = { "CAP_SYS_ADMIN", NULL };
        struct oci_capabilities c = { .effective = effective, .permitted = effective,
                                      .ambient = ambient };
        struct caps_plan p;
        struct cu_error *err = NULL;

        if (caps_plan_from_spec(&c, &p, &err) < 0)
                child_fail(wfd, "plan: %s", cu_error_msg(err));
        if (caps_drop_bounding(&p, &err) < 0)
                child_fail(wfd, "drop: %s", cu_error_msg(err));
        /* Dropping again (nothing left to drop, no CAP_SETPCAP needed) is fine. */
        if (caps_drop_bounding(&p, &err) < 0)
                child_fail(wfd, "drop again: %s", cu_error_msg(err));
        if (caps_apply(&p, &err) < 0)
                child_fail(wfd, "apply: %s", cu_error_msg(err));
        child_check(wfd, "CapBnd", 0);
        child_check(wfd, "CapEff", BIT(21) | BIT(1));
        child_check(wfd, "CapPrm", BIT(21) | BIT(1));
        child_check(wfd, "CapInh", 0);
        child_check(wfd, "CapAmb", 0);

        /* Effective outside permitted: the kernel says no, and we say what was asked. */
        p.effective |= BIT(0);
        if (caps_apply(&p, &err) != -EPERM)
                child_fail(wfd, "apply of effective outside permitted did not fail with EPERM");
        const char *want = "setting capabilities (effective "
                           "\"CAP_CHOWN,CAP_DAC_OVERRIDE,CAP_SYS_ADMIN\", permitted "
                           "\"CAP_DAC_OVERRIDE,CAP_SYS_ADMIN\", inheritable \"\"): Operation not "
                           "permitted";
        if (strcmp(cu_error_msg(err), want) != 0)
                child_fail(wfd, "message: %s", cu_error_msg(err));
        cu_error_free(err);
}

static void test_apply_root(void **state)
{
        char msg[1024];
        require_setpcap();
        int r = run_child(child_apply_root, msg, sizeof msg);
        if (r != 0)
                fail_msg("child: %s (exit %d)", msg, r);
}

static void child_drop_unprivileged(int wfd)
{
        struct caps_plan p = { .bounding = BIT(0) };
        struct cu_error *err = NULL;

        /* Without CAP_SETPCAP in effective, PR_CAPBSET_DROP is refused. */
        struct caps_plan keep = { .effective = BIT(0), .permitted = BIT(0) };
        if (caps_apply(&keep, &err) < 0)
                child_fail(wfd, "apply: %s", cu_error_msg(err));
        if (caps_drop_bounding(&p, &err) != -EPERM)
                child_fail(wfd, "drop did not fail with EPERM");
        if (strcmp(cu_error_msg(err),
                   "dropping CAP_DAC_OVERRIDE from the bounding set: Operation not permitted") != 0)
                child_fail(wfd, "message: %s", cu_error_msg(err));
        cu_error_free(err);
}

static void test_drop_unprivileged(void **state)
{
        char msg[1024];
        require_setpcap();
        int r = run_child(child_drop_unprivileged, msg, sizeof msg);
        if (r != 0)
                fail_msg("child: %s (exit %d)", msg, r);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_names),
                cmocka_unit_test(test_mask_string),
                cmocka_unit_test(test_plan),
                cmocka_unit_test(test_plan_errors),
                cmocka_unit_test(test_apply_nonroot),
                cmocka_unit_test(test_apply_root),
                cmocka_unit_test(test_drop_unprivileged),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
