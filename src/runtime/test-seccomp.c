/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tests for the seccomp filter builder and loader.  Filters are checked through libseccomp's PFC
 * export and, for real, by loading them into forked children (which then only _exit()).
 */
#include <dirent.h>
#include <errno.h>
#include <linux/filter.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "oci/spec-seccomp.h"
#include "seccomp-filter.h"
#include "util/fd.h"
#include "util/fileio.h"
#include "util/json.h"

static void seccomp_spec_freep(struct oci_seccomp **s)
{
        *s = oci_seccomp_free(*s);
}

/* ---- helpers ---- */

/* The JSON below uses ' for " to stay readable. */
static json_t *load(const char *text)
{
        _cleanup_free_ char *s = strdup(text);
        assert_non_null(s);
        for (char *p = s; *p; p++)
                if (*p == '\'')
                        *p = '"';
        json_error_t je;
        json_t *o = json_loads(s, 0, &je);
        if (!o)
                fail_msg("bad test JSON: %s: %s", je.text, s);
        return o;
}

static struct oci_seccomp *parse_json(json_t *o)
{
        _cleanup_error_ struct cu_error *err = NULL;
        struct oci_seccomp *s = NULL;

        int r = oci_seccomp_parse(o, "linux.seccomp", &s, &err);
        if (r < 0)
                fail_msg("parse failed (%d): %s", r, cu_error_msg(err));
        return s;
}

static struct oci_seccomp *parse_ok(const char *text)
{
        _cleanup_json_ json_t *o = load(text);
        return parse_json(o);
}

/* Builds s and returns libseccomp's pseudo filter code for it. */
static char *pfc_of(const struct oci_seccomp *s)
{
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_close_ int fd = -EBADF;

        int r = seccomp_filter_build(s, &ctx, &err);
        if (r < 0)
                fail_msg("build failed (%d): %s", r, cu_error_msg(err));
        assert_non_null(ctx);

        fd = memfd_create("pfc", MFD_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(seccomp_export_pfc(ctx, fd), 0);
        off_t size = lseek(fd, 0, SEEK_END);
        assert_true(size > 0);
        char *text = calloc(1, (size_t) size + 1);
        assert_non_null(text);
        assert_int_equal(pread(fd, text, (size_t) size, 0), size);
        return text;
}

static void assert_contains(const char *haystack, const char *needle)
{
        if (!strstr(haystack, needle))
                fail_msg("\"%s\" not found in:\n%s", needle, haystack);
}

static void assert_lacks(const char *haystack, const char *needle)
{
        if (strstr(haystack, needle))
                fail_msg("\"%s\" unexpectedly found in:\n%s", needle, haystack);
}

/* Child exit codes below 64 come from the check functions; these from the harness. */
enum {
        CHILD_NNP_FAILED = 100,
        CHILD_INSTALL_FAILED = 101,
        CHILD_LISTENER_UNEXPECTED = 102,
        CHILD_NOT_PRIVILEGED = 103, /* EACCES without no_new_privs */
};

/* cmocka catches SIGSYS (and others) to report crashes; children must die of them instead. */
static void child_reset_signals(void)
{
        static const int sigs[] = { SIGSYS, SIGSEGV, SIGILL, SIGFPE, SIGBUS, SIGABRT };
        struct rlimit no_core = { 0, 0 };

        for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
                signal(sigs[i], SIG_DFL);
        (void) setrlimit(RLIMIT_CORE, &no_core);
}

/* Forks; the child sets no_new_privs (when asked), loads s and _exit()s with check()'s result.
 * Returns the wait status. */
static int run_filtered(const struct oci_seccomp *s, bool nnp, int (*check)(void))
{
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                child_reset_signals();
                if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        _exit(CHILD_NNP_FAILED);
                int listener = 0;
                int r = seccomp_install(s, &listener, NULL);
                if (r == -EACCES && !nnp)
                        _exit(CHILD_NOT_PRIVILEGED);
                if (r < 0)
                        _exit(CHILD_INSTALL_FAILED);
                if (listener != -EBADF)
                        _exit(CHILD_LISTENER_UNEXPECTED);
                _exit(check());
        }
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        return status;
}

static void assert_exit_ok(int status)
{
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                fail_msg("child: %s %d", WIFEXITED(status) ? "exit code" : "signal",
                         WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

static void assert_killed_by(int status, int sig)
{
        if (!WIFSIGNALED(status) || WTERMSIG(status) != sig)
                fail_msg("child: expected signal %d, got %s %d", sig,
                         WIFEXITED(status) ? "exit code" : "signal",
                         WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

/* seccomp(2) itself: valgrind 3.19 does not implement it, and libseccomp then refuses the actions
 * it cannot check (KILL_PROCESS, LOG, NOTIFY) and filter flags cannot be passed. */
static bool have_seccomp_syscall(void)
{
        uint32_t action = SECCOMP_RET_ALLOW;
        return syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
}

#define REQUIRE_SECCOMP_SYSCALL()                                                                  \
        do {                                                                                       \
                if (!have_seccomp_syscall()) {                                                     \
                        print_message("# seccomp(2) is not available (valgrind?), skipping\n");    \
                        skip();                                                                    \
                }                                                                                  \
        } while (0)

/* A raw syscall's errno (0 on success). */
#define SYSCALL_ERRNO(...) (syscall(__VA_ARGS__) < 0 ? errno : 0)

static const char test_dir[] = "/tmp/cuttle-test-seccomp.d";

/* ---- building ---- */

static void test_build_rules(void **state)
{
        _cleanup_(seccomp_spec_freep) struct oci_seccomp *s = parse_ok(
                "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                " {'names': ['mkdir'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 38},"
                " {'names': ['rmdir', 'unlink'], 'action': 'SCMP_ACT_ERRNO'},"
                " {'names': ['kexec_load'], 'action': 'SCMP_ACT_KILL'},"
                " {'names': ['reboot'], 'action': 'SCMP_ACT_TRAP'},"
                " {'names': ['getpriority'], 'action': 'SCMP_ACT_TRACE', 'errnoRet': 7, 'args': ["
                "   {'index': 0, 'value': 1, 'op': 'SCMP_CMP_EQ'},"
                "   {'index': 1, 'value': 4660, 'op': 'SCMP_CMP_NE'}]}"
                "]}");
        _cleanup_free_ char *pfc = pfc_of(s);

        assert_contains(pfc, "filter for arch x86_64");
        assert_contains(pfc, "syscall \"mkdir\"");
        assert_contains(pfc, "action ERRNO(38);");
        assert_contains(pfc, "syscall \"rmdir\"");
        assert_contains(pfc, "syscall \"unlink\"");
        assert_contains(pfc, "action ERRNO(1);");
        assert_contains(pfc, "syscall \"kexec_load\"");
        assert_contains(pfc, "action KILL;");
        assert_contains(pfc, "syscall \"reboot\"");
        assert_contains(pfc, "action TRAP;");
        assert_contains(pfc, "syscall \"getpriority\"");
        assert_contains(pfc, "action TRACE(7);");
        assert_contains(pfc, "$a0");
        assert_contains(pfc, "4660");
        assert_contains(pfc, "action ALLOW;");
}

static void test_build_kernel_actions(void **state)
{
        REQUIRE_SECCOMP_SYSCALL();
        _cleanup_(seccomp_spec_freep) struct oci_seccomp *s =
                parse_ok("{'defaultAction': 'SCMP_ACT_LOG', 'syscalls': ["
                         " {'names': ['kexec_load'], 'action': 'SCMP_ACT_KILL_PROCESS'},"
                         " {'names': ['mkdir'], 'action': 'SCMP_ACT_NOTIFY'},"
                         " {'names': ['read'], 'action': 'SCMP_ACT_ALLOW'}]}");
        _cleanup_free_ char *pfc = pfc_of(s);

        assert_contains(pfc, "action KILL_PROCESS;");
        assert_contains(pfc, "action 0x7fc00000;"); /* libseccomp 2.5 has no PFC name for it */
        assert_contains(pfc, "action LOG;");
}

static void test_build_default_errno(void **state)
{
        _cleanup_(seccomp_spec_freep) struct oci_seccomp *s =
                parse_ok("{'defaultAction': 'SCMP_ACT_ERRNO', 'syscalls': ["
                         " {'names': ['read'], 'action': 'SCMP_ACT_ALLOW'}]}");
        _cleanup_free_ char *pfc = pfc_of(s);

        assert_contains(pfc, "syscall \"read\"");
        assert_contains(pfc, "action ALLOW;");
        /* The default action: ERRNO(EPERM). */
        assert_contains(pfc, "action ERRNO(1);");
}

static void test_build_same_as_default_skipped(void **state)
{
        /* libseccomp refuses a rule with the default action; it is dropped instead. */
        _cleanup_(seccomp_spec_freep) struct oci_seccomp *s =
                parse_ok("{'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 38, 'syscalls': ["
                         " {'names': ['mkdir'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 38},"
                         " {'names': ['rmdir'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 1}]}");
        _cleanup_free_ char *pfc = pfc_of(s);

        assert_lacks(pfc, "\"mkdir\"");
        assert_contains(pfc, "syscall \"rmdir\"");
        assert_contains(pfc, "action ERRNO(38);");
}

static void test_build_architectures(void **state)
{
        _cleanup_(seccomp_spec_freep) struct oci_seccomp *s =
                parse_ok("{'defaultAction': 'SCMP_ACT_ALLOW',"
                         " 'architectures': ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32',"
                         "                   'SCMP_ARCH_AARCH64'],"
                         " 'syscalls': [{'names': ['mkdir'], 'action': 'SCMP_ACT_ERRNO'}]}");
        _cleanup_free_ char *pfc = pfc_of(s);

        assert_contains(pfc, "filter for arch x86_64 ");
        assert_contains(pfc, "filter for arch x86 ");
        assert_contains(pfc, "filter for arch x32 ");
        assert_contains(pfc, "filter for arch aarch64 ");
        /* mkdir is 83 on x86_64, 39 on x86; aarch64 has no mkdir. */
        assert_contains(pfc, "syscall \"mkdir\" (83)");
        assert_contains(pfc, "syscall \"mkdir\" (39)");
}

static void test_build_non_native_syscall(void **state)
{
        /* socketcall exists on x86, not on x86_64: no rule for a native-only filter... */
        _cleanup_(seccomp_spec_freep) struct oci_seccomp *native =
                parse_ok("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                         " {'names': ['socketcall', 'mkdir'], 'action': 'SCMP_ACT_ERRNO'}]}");
        _cleanup_free_ char *pfc = pfc_of(native);
        assert_lacks(pfc, "socketcall");
        assert_contains(pfc, "syscall \"mkdir\"");

        /* ...but one for x86 when the filter covers it. */
        _cleanup_(seccomp_spec_freep) struct oci_seccomp *multi =
                parse_ok("{'defaultAction': 'SCMP_ACT_ALLOW', 'architectures': ['SCMP_ARCH_X86'],"
                         " 'syscalls': [{'names': ['socketcall'], 'action': 'SCMP_ACT_ERRNO'}]}");
        _cleanup_free_ char *pfc2 = pfc_of(multi);
        assert_contains(pfc2, "syscall \"socketcall\" (102)");
}

static void test_build_repeated_index(void **state)
{
        /* Two conditions on arg 0: two rules (either matches), not one impossible rule. */
        _cleanup_(seccomp_spec_freep) struct oci_seccomp *s =
                parse_ok("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                         " {'names': ['getpriority'], 'action': 'SCMP_ACT_ERRNO', 'args': ["
                         "   {'index': 0, 'value': 1, 'op': 'SCMP_CMP_EQ'},"
                         "   {'index': 0, 'value': 2, 'op': 'SCMP_CMP_EQ'}]}]}");
        _cleanup_free_ char *pfc = pfc_of(s);

        assert_contains(pfc, "syscall \"getpriority\"");
        assert_contains(pfc, "$a0.lo32 == 1");
        assert_contains(pfc, "$a0.lo32 == 2");
}

static void test_build_unknown_syscall(void **state)
{
        /* A struct not made by the parser: the builder names the field too. */
        char *names[] = { (char *) "getpid", (char *) "no_such_syscall", NULL };
        struct oci_seccomp_syscall calls[] = {
                { .names = names, .action = SCMP_ACT_ERRNO(1) },
        };
        char *ok_names[] = { (char *) "getpid", NULL };
        struct oci_seccomp_syscall ok_call = { .names = ok_names, .action = SCMP_ACT_ERRNO(1) };
        struct oci_seccomp s = {
                .default_action = SCMP_ACT_ALLOW,
                .syscalls = &ok_call,
                .n_syscalls = 1,
        };
        struct oci_seccomp bad = s;
        struct oci_seccomp_syscall both[] = { ok_call, ok_call, calls[0] };
        bad.syscalls = both;
        bad.n_syscalls = 3;
        _cleanup_error_ struct cu_error *err = NULL;
        scmp_filter_ctx ctx = NULL;

        assert_int_equal(seccomp_filter_build(&bad, &ctx, &err), -EINVAL);
        assert_null(ctx);
        assert_string_equal(cu_error_msg(err),
                            "linux.seccomp.syscalls[2].names[1]: unknown syscall "
                            "\"no_such_syscall\"");

        /* errno_ret overrides the data bits of the action when set. */
        ok_call.action = SCMP_ACT_ERRNO(0);
        ok_call.has_errno_ret = true;
        ok_call.errno_ret = 77;
        _cleanup_free_ char *pfc = pfc_of(&s);
        assert_contains(pfc, "action ERRNO(77);");
}

static void test_build_bad_arch(void **state)
{
        char *archs[] = { (char *) "SCMP_ARCH_X86", (char *) "SCMP_ARCH_VAX", NULL };
        struct oci_seccomp s = { .default_action = SCMP_ACT_ALLOW, .architectures = archs };
        _cleanup_error_ struct cu_error *err = NULL;
        scmp_filter_ctx ctx = NULL;

        assert_int_equal(seccomp_filter_build(&s, &ctx, &err), -EINVAL);
        assert_null(ctx);
        assert_string_equal(cu_error_msg(err),
                            "linux.seccomp.architectures[1]: unknown architecture "
                            "\"SCMP_ARCH_VAX\"");
}

static void test_install_bad_flag(void **state)
{
        char *flags[] = { (char *) "SECCOMP_FILTER_FLAG_BOGUS", NULL };
        struct oci_seccomp s = { .default_action = SCMP_ACT_ALLOW, .flags = flags };
        _cleanup_error_ struct cu_error *err = NULL;
        int fd = 1234;

        /* Fails before anything is loaded into this process. */
        assert_int_equal(seccomp_install(&s, &fd, &err), -EINVAL);
        assert_int_equal(fd, 1234);
        assert_string_equal(cu_error_msg(err),
                            "linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_BOGUS\"");
}

/* ---- loading into children ---- */

static int check_mkdir_errno38(void)
{
        (void) rmdir(test_dir);
        if (SYSCALL_ERRNO(SYS_mkdir, test_dir, 0700) != 38)
                return 1;
        if (SYSCALL_ERRNO(SYS_mkdirat, AT_FDCWD, test_dir, 0700) == 38)
                return 2; /* only mkdir was named */
        (void) rmdir(test_dir);
        if (syscall(SYS_getpid) != getpid() || getpid() <= 0)
                return 3;
        return 0;
}

static void test_install_errno(void **state)
{
        _cleanup_(seccomp_spec_freep) struct oci_seccomp *s =
                parse_ok("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                         " {'names': ['mkdir'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 38}]}");

        assert_exit_ok(run_filtered(s, true, check_mkdir_errno38));
}

static int check_nnp_untouched(void)
{
        if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 0)
                return 1;
        return check_mkdir_errno38();
}

static void test_install_without_nnp(void **state)
{
        _cleanup_(seccomp_spec_freep) struct oci_seccomp *s =
                parse_ok("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                         " {'names': ['mkdir'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 38}]}");

        /* Loading must not set no_new_privs behind the caller's back. */
        int status = run_filtered(s, false, check_nnp_untouched);
        if (WIFEXITED(status) && WEXITSTATUS(status) == CHILD_NOT_PRIVILEGED) {
                print_message("# needs CAP_SYS_ADMIN, skipping\n");
                skip();
        }
        assert_exit_ok(status);
}

static int call_mkdir(void)
{
        (void) syscall(SYS_mkdir, test_dir, 0700);
        (void) rmdir(test_dir);
        return 0;
}

static void test_install_kill(void **state)
{
        static const char *const actions[] = { "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD",
                                               "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP" };

        for (size_t i = 0; i < ELEMENTSOF(actions); i++) {
                _cleanup_free_ char *json = NULL;
                if (streq_ptr(actions[i], "SCMP_ACT_KILL_PROCESS") && !have_seccomp_syscall()) {
                        print_message("# %s needs seccomp(2), not tried\n", actions[i]);
                        continue;
                }
                assert_true(asprintf(&json,
                                     "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                                     " {'names': ['mkdir'], 'action': '%s'}]}",
                                     actions[i]) > 0);
                _cleanup_(seccomp_spec_freep) struct oci_seccomp *s = parse_ok(json);
                assert_killed_by(run_filtered(s, true, call_mkdir), SIGSYS);
        }
}

static int check_getpriority_either(void)
{
        if (SYSCALL_ERRNO(SYS_getpriority, 1 /* PRIO_PGRP */, 0) != 38)
                return 1;
        if (SYSCALL_ERRNO(SYS_getpriority, 2 /* PRIO_USER */, 0) != 38)
                return 2;
        if (SYSCALL_ERRNO(SYS_getpriority, 0 /* PRIO_PROCESS */, 0) != 0)
                return 3;
        return 0;
}

static void test_install_repeated_index(void **state)
{
        _cleanup_(seccomp_spec_freep) struct oci_seccomp *s = parse_ok(
                "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                " {'names': ['getpriority'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 38, 'args': ["
                "   {'index': 0, 'value': 1, 'op': 'SCMP_CMP_EQ'},"
                "   {'index': 0, 'value': 2, 'op': 'SCMP_CMP_EQ'}]}]}");

        assert_exit_ok(run_filtered(s, true, check_getpriority_either));
}

static int check_getpriority_all(void)
{
        /* Rule: which == PRIO_PROCESS && (who & 0xff00) == 0x1200. */
        if (SYSCALL_ERRNO(SYS_getpriority, 0, 0x12ab) != 38)
                return 1;
        if (SYSCALL_ERRNO(SYS_getpriority, 0, 0) != 0)
                return 2;
        if (SYSCALL_ERRNO(SYS_getpriority, 0, 0x13ab) == 38)
                return 3;
        if (SYSCALL_ERRNO(SYS_getpriority, 1, 0x12ab) == 38)
                return 4;
        return 0;
}

static void test_install_args_all_match(void **state)
{
        _cleanup_(seccomp_spec_freep) struct oci_seccomp *s = parse_ok(
                "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                " {'names': ['getpriority'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 38, 'args': ["
                "   {'index': 0, 'value': 0, 'op': 'SCMP_CMP_EQ'},"
                "   {'index': 1, 'value': 65280, 'valueTwo': 4608, 'op': "
                "'SCMP_CMP_MASKED_EQ'}]}]}");

        assert_exit_ok(run_filtered(s, true, check_getpriority_all));
}

static int check_getppid_denied(void)
{
        if (syscall(SYS_getpid) <= 0)
                return 11;
        if (SYSCALL_ERRNO(SYS_getppid) != 38)
                return 12;
        return 0;
}

static void test_install_flags(void **state)
{
        REQUIRE_SECCOMP_SYSCALL();
        _cleanup_json_ json_t *features = seccomp_features_json();
        json_t *supported = json_object_get(features, "supportedFlags");
        _cleanup_json_ json_t *o =
                load("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                     " {'names': ['getppid'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 38}]}");

        /* Every flag this kernel supports; WAIT_KILLABLE_RECV is dropped without a listener. */
        assert_true(json_is_array(supported));
        assert_int_equal(json_object_set(o, "flags", supported), 0);
        _cleanup_(seccomp_spec_freep) struct oci_seccomp *s = parse_json(o);
        print_message("# loading with %zu flag(s)\n", json_array_size(supported));
        assert_exit_ok(run_filtered(s, true, check_getppid_denied));
}

/* SCMP_ACT_NOTIFY: the child sends its listener fd over a socket, the test answers mkdir. */
static void test_install_notify(void **state)
{
        REQUIRE_SECCOMP_SYSCALL();
        _cleanup_(seccomp_spec_freep) struct oci_seccomp *s =
                parse_ok("{'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '/nonexistent.sock',"
                         " 'flags': ['SECCOMP_FILTER_FLAG_TSYNC'],"
                         " 'syscalls': [{'names': ['mkdir'], 'action': 'SCMP_ACT_NOTIFY'}]}");
        int sv[2];

        assert_true(seccomp_uses_notify(s));
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                int listener = -EBADF;
                child_reset_signals();
                close(sv[0]);
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        _exit(CHILD_NNP_FAILED);
                if (seccomp_install(s, &listener, NULL) < 0)
                        _exit(CHILD_INSTALL_FAILED);
                if (listener < 0 || !(fcntl(listener, F_GETFD) & FD_CLOEXEC))
                        _exit(1);
                if (send_fd(sv[1], listener, "L", 1) < 0)
                        _exit(2);
                close(listener);
                /* The test answers EXDEV. */
                _exit(SYSCALL_ERRNO(SYS_mkdir, test_dir, 0700) == EXDEV ? 0 : 3);
        }
        close(sv[1]);

        _cleanup_close_ int sock = sv[0];
        _cleanup_close_ int listener = -EBADF;
        char tag = 0;
        int received = recv_fd(sock, &listener, &tag, 1);
        struct seccomp_notif req = { 0 };
        int recv_r = listener >= 0 ? ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) : -1;
        struct seccomp_notif_resp resp = { .id = req.id, .error = -EXDEV };
        int send_r = recv_r == 0 ? ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) : -1;
        listener = safe_close(listener); /* unblocks the child if anything went wrong */

        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_int_equal(received, 1);
        assert_int_equal(tag, 'L');
        assert_int_equal(recv_r, 0);
        assert_int_equal(req.data.nr, SYS_mkdir);
        assert_int_equal(req.pid, pid);
        assert_int_equal(send_r, 0);
        assert_exit_ok(status);
}

static void test_install_listener_closed_without_ret(void **state)
{
        REQUIRE_SECCOMP_SYSCALL();
        /* No one to receive the listener: it is closed and notified syscalls get ENOSYS. */
        _cleanup_(seccomp_spec_freep) struct oci_seccomp *s =
                parse_ok("{'defaultAction': 'SCMP_ACT_ALLOW',"
                         " 'flags': ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'],"
                         " 'syscalls': [{'names': ['mkdir'], 'action': 'SCMP_ACT_NOTIFY'}]}");
        _cleanup_json_ json_t *features = seccomp_features_json();
        bool killable = false;
        size_t i;
        json_t *v;

        json_array_foreach(json_object_get(features, "supportedFlags"), i, v)
                killable |=
                        streq_ptr(json_string_value(v), "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
        if (!killable) {
                oci_seccomp_free(s);
                s = parse_ok("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                             " {'names': ['mkdir'], 'action': 'SCMP_ACT_NOTIFY'}]}");
        }

        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                child_reset_signals();
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        _exit(CHILD_NNP_FAILED);
                if (seccomp_install(s, NULL, NULL) < 0)
                        _exit(CHILD_INSTALL_FAILED);
                _exit(SYSCALL_ERRNO(SYS_mkdir, test_dir, 0700) == ENOSYS ? 0 : 1);
        }
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_exit_ok(status);
}

/* ---- profiles ---- */

/*
 * A podman-like profile written for this test: deny by default with ENOSYS, allow a broad list,
 * personality only for a few values, socket with conditions on the same index, and rules that
 * only concern 32-bit x86.
 */
static const char sample_profile[] =
        "{'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 38,"
        " 'architectures': ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],"
        " 'syscalls': ["
        "  {'names': ['accept', 'accept4', 'access', 'alarm', 'bind', 'brk', 'capget', 'capset',"
        "    'chdir', 'chmod', 'chown', 'clock_getres', 'clock_gettime', 'clock_nanosleep',"
        "    'close', 'close_range', 'connect', 'copy_file_range', 'creat', 'dup', 'dup2', 'dup3',"
        "    'epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_pwait', 'epoll_wait', 'eventfd',"
        "    'eventfd2', 'execve', 'execveat', 'exit', 'exit_group', 'faccessat', 'faccessat2',"
        "    'fadvise64', 'fallocate', 'fchdir', 'fchmod', 'fchmodat', 'fchown', 'fchownat',"
        "    'fcntl', 'fdatasync', 'flock', 'fork', 'fstat', 'fstatfs', 'fsync', 'ftruncate',"
        "    'futex', 'getcwd', 'getdents', 'getdents64', 'getegid', 'geteuid', 'getgid',"
        "    'getgroups', 'getitimer', 'getpeername', 'getpgid', 'getpgrp', 'getpid', 'getppid',"
        "    'getpriority', 'getrandom', 'getresgid', 'getresuid', 'getrlimit', 'get_robust_list',"
        "    'getrusage', 'getsid', 'getsockname', 'getsockopt', 'gettid', 'gettimeofday',"
        "    'getuid', 'getxattr', 'inotify_add_watch', 'inotify_init1', 'inotify_rm_watch',"
        "    'ioctl', 'kill', 'lchown', 'link', 'linkat', 'listen', 'lseek', 'lstat', 'madvise',"
        "    'memfd_create', 'mkdir', 'mkdirat', 'mknod', 'mknodat', 'mlock', 'mmap', 'mprotect',"
        "    'mremap', 'munlock', 'munmap', 'nanosleep', 'newfstatat', 'open', 'openat',"
        "    'openat2', 'pause', 'pipe', 'pipe2', 'poll', 'ppoll', 'prctl', 'pread64',"
        "    'preadv', 'prlimit64', 'pselect6', 'pwrite64', 'pwritev', 'read', 'readlink',"
        "    'readlinkat', 'readv', 'recvfrom', 'recvmmsg', 'recvmsg', 'rename', 'renameat',"
        "    'renameat2', 'restart_syscall', 'rmdir', 'rseq', 'rt_sigaction', 'rt_sigpending',"
        "    'rt_sigprocmask', 'rt_sigqueueinfo', 'rt_sigreturn', 'rt_sigsuspend',"
        "    'rt_sigtimedwait', 'sched_getaffinity', 'sched_yield', 'select', 'sendfile',"
        "    'sendmmsg', 'sendmsg', 'sendto', 'set_robust_list', 'set_tid_address', 'setgid',"
        "    'setgroups', 'setitimer', 'setpgid', 'setpriority', 'setresgid', 'setresuid',"
        "    'setsid', 'setsockopt', 'setuid', 'shutdown', 'sigaltstack', 'socketpair',"
        "    'splice', 'stat', 'statfs', 'statx', 'symlink', 'symlinkat', 'sysinfo', 'tgkill',"
        "    'time', 'timer_create', 'timer_delete', 'timer_settime', 'timerfd_create',"
        "    'timerfd_settime', 'tkill', 'truncate', 'umask', 'uname', 'unlink', 'unlinkat',"
        "    'utimensat', 'vfork', 'wait4', 'waitid', 'write', 'writev',"
        "    'socketcall', 'mmap2', 'fstat64', '_llseek', 'sigreturn', 'waitpid'],"
        "   'action': 'SCMP_ACT_ALLOW'},"
        "  {'names': ['personality'], 'action': 'SCMP_ACT_ALLOW',"
        "   'args': [{'index': 0, 'value': 0, 'op': 'SCMP_CMP_EQ'}]},"
        "  {'names': ['personality'], 'action': 'SCMP_ACT_ALLOW',"
        "   'args': [{'index': 0, 'value': 8, 'op': 'SCMP_CMP_EQ'}]},"
        "  {'names': ['personality'], 'action': 'SCMP_ACT_ALLOW',"
        "   'args': [{'index': 0, 'value': 4294967295, 'op': 'SCMP_CMP_EQ'}]},"
        "  {'names': ['socket'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 22,"
        "   'args': [{'index': 0, 'value': 16, 'op': 'SCMP_CMP_EQ'},"
        "            {'index': 2, 'value': 9, 'op': 'SCMP_CMP_EQ'}]},"
        "  {'names': ['socket'], 'action': 'SCMP_ACT_ALLOW',"
        "   'args': [{'index': 2, 'value': 9, 'op': 'SCMP_CMP_NE'},"
        "            {'index': 2, 'value': 9, 'op': 'SCMP_CMP_NE'}]},"
        "  {'names': ['clone'], 'action': 'SCMP_ACT_ALLOW',"
        "   'args': [{'index': 0, 'value': 2114060288, 'op': 'SCMP_CMP_MASKED_EQ'}]},"
        "  {'names': ['kexec_load', 'reboot'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 1}"
        " ]}";

static int check_profile(void)
{
        unsigned long persona = (unsigned long) syscall(SYS_personality, 0xffffffffUL);
        if (persona == (unsigned long) -1)
                return 1; /* query allowed */
        if (SYSCALL_ERRNO(SYS_personality, 0x0040000UL /* ADDR_NO_RANDOMIZE */) != 38)
                return 2; /* other values fall to the default */
        if ((unsigned long) syscall(SYS_personality, 0xffffffffUL) != persona)
                return 3;
        if (syscall(SYS_getpid) <= 0)
                return 4;
        return 0;
}

static void build_and_load_profile(json_t *o)
{
        _cleanup_(seccomp_spec_freep) struct oci_seccomp *s = parse_json(o);
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        _cleanup_error_ struct cu_error *err = NULL;

        int r = seccomp_filter_build(s, &ctx, &err);
        if (r < 0)
                fail_msg("build failed (%d): %s", r, cu_error_msg(err));
        assert_exit_ok(run_filtered(s, true, check_profile));
}

static void test_sample_profile(void **state)
{
        _cleanup_json_ json_t *o = load(sample_profile);
        build_and_load_profile(o);

        _cleanup_(seccomp_spec_freep) struct oci_seccomp *s = parse_json(o);
        _cleanup_free_ char *pfc = pfc_of(s);
        assert_contains(pfc, "syscall \"socketcall\" (102)");
        assert_contains(pfc, "syscall \"personality\"");
        assert_contains(pfc, "action ERRNO(22);");
        assert_contains(pfc, "action ERRNO(38);");
}

static void test_podman_profile(void **state)
{
        static const char path[] = "/usr/share/containers/seccomp.json";
        _cleanup_error_ struct cu_error *err = NULL;

        if (access(path, R_OK) < 0) {
                print_message("# %s not present (containers-common), skipping\n", path);
                skip();
        }
        _cleanup_json_ json_t *o = json_load_path(path, &err);
        if (!o)
                fail_msg("%s", cu_error_msg(err));
        build_and_load_profile(o);
}

/* ---- features ---- */

/* Parses before + name + after for every name. */
static void parse_each(json_t *names, const char *before, const char *after)
{
        size_t i;
        json_t *v;

        assert_true(json_array_size(names) > 0);
        json_array_foreach(names, i, v) {
                _cleanup_free_ char *json = NULL;
                assert_true(json_is_string(v));
                assert_true(asprintf(&json, "%s%s%s", before, json_string_value(v), after) > 0);
                _cleanup_(seccomp_spec_freep) struct oci_seccomp *s = parse_ok(json);
                assert_non_null(s);
        }
}

static bool array_has(json_t *a, const char *s)
{
        size_t i;
        json_t *v;

        json_array_foreach(a, i, v)
                if (streq_ptr(json_string_value(v), s))
                        return true;
        return false;
}

static void test_features(void **state)
{
        _cleanup_json_ json_t *f = seccomp_features_json();
        size_t i;
        json_t *v;

        assert_non_null(f);
        assert_true(json_is_true(json_object_get(f, "enabled")));
        json_t *actions = json_object_get(f, "actions");
        json_t *ops = json_object_get(f, "operators");
        json_t *archs = json_object_get(f, "archs");
        json_t *known = json_object_get(f, "knownFlags");
        json_t *supported = json_object_get(f, "supportedFlags");

        assert_int_equal(json_array_size(actions), 9);
        assert_true(array_has(actions, "SCMP_ACT_NOTIFY"));
        assert_true(array_has(actions, "SCMP_ACT_KILL_PROCESS"));
        assert_int_equal(json_array_size(ops), 7);
        assert_true(array_has(ops, "SCMP_CMP_MASKED_EQ"));
        assert_int_equal(json_array_size(archs), 19);
        assert_true(array_has(archs, "SCMP_ARCH_X86_64"));
        assert_true(array_has(archs, "SCMP_ARCH_RISCV64"));
        assert_int_equal(json_array_size(known), 4);
        assert_true(json_is_array(supported));
        json_array_foreach(supported, i, v)
                assert_true(array_has(known, json_string_value(v)));
        /* TSYNC came with seccomp(2) in 3.17. */
        if (have_seccomp_syscall())
                assert_true(array_has(supported, "SECCOMP_FILTER_FLAG_TSYNC"));

        /* Everything advertised is accepted by the parser (the two keep separate tables). */
        parse_each(actions,
                   "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['getppid'], "
                   "'action': '",
                   "'}]}");
        parse_each(ops,
                   "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['kill'], "
                   "'action': 'SCMP_ACT_ERRNO', 'args': [{'index': 1, 'value': 9, 'op': '",
                   "'}]}]}");
        parse_each(archs, "{'defaultAction': 'SCMP_ACT_ALLOW', 'architectures': ['", "']}");
        parse_each(known, "{'defaultAction': 'SCMP_ACT_ALLOW', 'flags': ['", "']}");

        /* ...and the builder knows every architecture. */
        json_array_foreach(archs, i, v) {
                _cleanup_free_ char *json = NULL;
                assert_true(asprintf(&json,
                                     "{'defaultAction': 'SCMP_ACT_ALLOW', 'architectures': ['%s'],"
                                     " 'syscalls': [{'names': ['read'], 'action': "
                                     "'SCMP_ACT_TRAP'}]}",
                                     json_string_value(v)) > 0);
                _cleanup_(seccomp_spec_freep) struct oci_seccomp *s = parse_ok(json);
                _cleanup_free_ char *pfc = pfc_of(s);
                assert_contains(pfc, "syscall \"read\"");
        }
}

/* ---- the compiled-program cache ---- */

/* The one .bpf file of dir/.seccomp (fails unless there is exactly one). */
static char *only_cache_file(const char *dir)
{
        _cleanup_free_ char *sub = NULL;
        assert_true(asprintf(&sub, "%s/.seccomp", dir) > 0);
        DIR *d = opendir(sub);
        assert_non_null(d);
        char *found = NULL;
        int n = 0;
        for (struct dirent *de; (de = readdir(d));) {
                if (de->d_name[0] == '.')
                        continue;
                n++;
                free(found);
                assert_true(asprintf(&found, "%s/%s", sub, de->d_name) > 0);
        }
        closedir(d);
        assert_int_equal(n, 1);
        assert_non_null(strstr(found, ".bpf"));
        return found;
}

static void test_prepare_cache(void **state)
{
        char dir[] = "/tmp/cuttle-seccomp-cache-XXXXXX";
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_free_ char *path = NULL, *data = NULL;
        size_t len = 0;
        assert_non_null(mkdtemp(dir));
        _cleanup_(seccomp_spec_freep) struct oci_seccomp *s = parse_ok(sample_profile);

        /* A miss compiles, stores, and the init loads what was prepared. */
        if (seccomp_prepare(s, dir, &err) < 0)
                fail_msg("prepare: %s", cu_error_msg(err));
        path = only_cache_file(dir);
        assert_exit_ok(run_filtered(s, true, check_profile));
        assert_int_equal(read_full_file(path, &data, &len, NULL), 0);
        const char *body = memmem(data, len, "\nend\n", 5);
        assert_non_null(body);
        size_t key_len = (size_t) (body + 5 - data);
        assert_true(len > key_len && (len - key_len) % sizeof(struct sock_filter) == 0);

        /* A hit is really used: the same key with an allow-all program lets personality() by. */
        struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        _cleanup_free_ char *forged = malloc(key_len + sizeof allow);
        assert_non_null(forged);
        memcpy(forged, data, key_len);
        memcpy(forged + key_len, &allow, sizeof allow);
        assert_int_equal(write_file_atomic(path, forged, key_len + sizeof allow, 0600, NULL), 0);
        assert_int_equal(seccomp_prepare(s, dir, NULL), 0);
        assert_int_equal(WEXITSTATUS(run_filtered(s, true, check_profile)), 2);

        /* Another key in the file (a collision, another libseccomp): rebuilt and rewritten. */
        forged[key_len - 7] ^= 1;
        assert_int_equal(write_file_atomic(path, forged, key_len + sizeof allow, 0600, NULL), 0);
        assert_int_equal(seccomp_prepare(s, dir, NULL), 0);
        assert_exit_ok(run_filtered(s, true, check_profile));
        _cleanup_free_ char *again = NULL;
        size_t again_len = 0;
        assert_int_equal(read_full_file(path, &again, &again_len, NULL), 0);
        assert_int_equal(again_len, len);
        assert_memory_equal(again, data, len);

        /* A truncated program and an empty file: rebuilt. */
        for (size_t cut = key_len + 3; cut != (size_t) -1; cut = cut ? 0 : (size_t) -1) {
                assert_int_equal(write_file_atomic(path, data, cut, 0600, NULL), 0);
                assert_int_equal(seccomp_prepare(s, dir, NULL), 0);
                assert_exit_ok(run_filtered(s, true, check_profile));
        }

        /* A profile differing in one errno gets a file of its own. */
        _cleanup_(seccomp_spec_freep) struct oci_seccomp *t = parse_ok(
                "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                " {'names': ['mkdir'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 5}]}");
        _cleanup_(seccomp_spec_freep) struct oci_seccomp *u = parse_ok(
                "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                " {'names': ['mkdir'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 6}]}");
        assert_int_equal(seccomp_prepare(t, dir, NULL), 0);
        assert_int_equal(seccomp_prepare(u, dir, NULL), 0);
        assert_int_equal(seccomp_prepare(t, dir, NULL), 0);
        int files = 0;
        _cleanup_free_ char *sub = NULL;
        assert_true(asprintf(&sub, "%s/.seccomp", dir) > 0);
        DIR *d = opendir(sub);
        assert_non_null(d);
        for (struct dirent *de; (de = readdir(d));)
                files += de->d_name[0] != '.';
        closedir(d);
        assert_int_equal(files, 3);
        /* The prepared program follows the profile it was made for: u is built on its own. */
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_install(u, NULL, NULL) < 0)
                        _exit(CHILD_INSTALL_FAILED);
                _exit(SYSCALL_ERRNO(SYS_mkdir, "/nonexistent/x", 0700) == 6 ? 0 : 1);
        }
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_exit_ok(status);

        /* An unwritable cache directory only costs the cache. */
        assert_int_equal(seccomp_prepare(s, "/proc/cuttle-no-such-dir", NULL), 0);
        assert_exit_ok(run_filtered(s, true, check_profile));
        seccomp_prepared_free();

        _cleanup_free_ char *cmd = NULL;
        assert_true(asprintf(&cmd, "rm -rf '%s'", dir) > 0);
        assert_int_equal(system(cmd), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_build_rules),
                cmocka_unit_test(test_build_kernel_actions),
                cmocka_unit_test(test_build_default_errno),
                cmocka_unit_test(test_build_same_as_default_skipped),
                cmocka_unit_test(test_build_architectures),
                cmocka_unit_test(test_build_non_native_syscall),
                cmocka_unit_test(test_build_repeated_index),
                cmocka_unit_test(test_build_unknown_syscall),
                cmocka_unit_test(test_build_bad_arch),
                cmocka_unit_test(test_install_bad_flag),
                cmocka_unit_test(test_install_errno),
                cmocka_unit_test(test_install_without_nnp),
                cmocka_unit_test(test_install_kill),
                cmocka_unit_test(test_install_repeated_index),
                cmocka_unit_test(test_install_args_all_match),
                cmocka_unit_test(test_install_flags),
                cmocka_unit_test(test_install_notify),
                cmocka_unit_test(test_install_listener_closed_without_ret),
                cmocka_unit_test(test_sample_profile),
                cmocka_unit_test(test_podman_profile),
                cmocka_unit_test(test_features),
                cmocka_unit_test(test_prepare_cache),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
