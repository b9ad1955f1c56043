/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.sysctl: the namespace rules and key forms (pure), and writing for
 * real in a forked child that has its own network namespace.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/sysctl.h"
#include "util/fileio.h"

/* ---- pure ---- */

enum { NET = 1 << 0, IPC = 1 << 1, UTS = 1 << 2 };

static void test_validate_table(void **state)
{
        static const struct {
                const char *key;
                unsigned own; /* namespaces the container has */
                const char *error; /* NULL: allowed */
        } t[] = {
                { "kernel.msgmax", IPC, NULL },
                { "kernel.msgmnb", IPC, NULL },
                { "kernel.msgmni", IPC, NULL },
                { "kernel.sem", IPC, NULL },
                { "kernel.shmall", IPC, NULL },
                { "kernel.shmmax", IPC, NULL },
                { "kernel.shmmni", IPC, NULL },
                { "kernel.shm_rmid_forced", IPC, NULL },
                { "fs.mqueue.msg_max", IPC, NULL },
                { "fs/mqueue/queues_max", IPC, NULL },
                { "kernel.shmmax", NET | UTS,
                  "linux.sysctl: \"kernel.shmmax\" needs a new IPC namespace (it would change "
                  "the host's)" },
                { "fs.mqueue.msg_max", 0,
                  "linux.sysctl: \"fs.mqueue.msg_max\" needs a new IPC namespace (it would "
                  "change the host's)" },
                { "kernel.shm_next_id", IPC,
                  "linux.sysctl: \"kernel.shm_next_id\" is not in a separate kernel namespace" },
                { "fs.mqueue", IPC,
                  "linux.sysctl: \"fs.mqueue\" is not in a separate kernel namespace" },

                { "net.ipv4.ip_forward", NET, NULL },
                { "net.core.somaxconn", NET, NULL },
                { "net.ipv4.conf.all.rp_filter", NET, NULL },
                { "net/ipv4/conf/eth0.100/forwarding", NET, NULL },
                { "net.ipv4.ip_forward", IPC | UTS,
                  "linux.sysctl: \"net.ipv4.ip_forward\" needs a new network namespace (it "
                  "would change the host's)" },
                { "net/ipv4/conf/eth0.100/forwarding", 0,
                  "linux.sysctl: \"net/ipv4/conf/eth0.100/forwarding\" needs a new network "
                  "namespace (it would change the host's)" },
                { "network.foo", NET,
                  "linux.sysctl: \"network.foo\" is not in a separate kernel namespace" },

                { "kernel.hostname", UTS, NULL },
                { "kernel.domainname", UTS, NULL },
                { "kernel/domainname", UTS, NULL },
                { "kernel.hostname", NET | IPC,
                  "linux.sysctl: \"kernel.hostname\" needs a new UTS namespace (it would change "
                  "the host's)" },

                { "vm.swappiness", NET | IPC | UTS,
                  "linux.sysctl: \"vm.swappiness\" is not in a separate kernel namespace" },
                { "kernel.pid_max", NET | IPC | UTS,
                  "linux.sysctl: \"kernel.pid_max\" is not in a separate kernel namespace" },
                { "fs.file-max", NET | IPC | UTS,
                  "linux.sysctl: \"fs.file-max\" is not in a separate kernel namespace" },

                { "", NET | IPC | UTS, "linux.sysctl: invalid key \"\"" },
                { "net..ipv4", NET, "linux.sysctl: invalid key \"net..ipv4\"" },
                { "net.ipv4.", NET, "linux.sysctl: invalid key \"net.ipv4.\"" },
                { ".net.ipv4", NET, "linux.sysctl: invalid key \".net.ipv4\"" },
                { "net/../../etc/passwd", NET,
                  "linux.sysctl: invalid key \"net/../../etc/passwd\"" },
                { "net/./ipv4/ip_forward", NET,
                  "linux.sysctl: invalid key \"net/./ipv4/ip_forward\"" },
                { "/net/ipv4/ip_forward", NET,
                  "linux.sysctl: invalid key \"/net/ipv4/ip_forward\"" },
                { "net/ipv4//ip_forward", NET,
                  "linux.sysctl: invalid key \"net/ipv4//ip_forward\"" },
                { "net/ipv4/", NET, "linux.sysctl: invalid key \"net/ipv4/\"" },
        };

        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                char *kv[] = { (char *) t[i].key, "1", NULL };
                struct cu_error *err = NULL;
                int r = sysctl_validate(kv, t[i].own & NET, t[i].own & IPC, t[i].own & UTS, &err);
                if (!t[i].error) {
                        if (r != 0)
                                fail_msg("%s: %s", t[i].key, cu_error_msg(err));
                        continue;
                }
                if (r != -EINVAL)
                        fail_msg("%s: got %d, want -EINVAL", t[i].key, r);
                assert_string_equal(cu_error_msg(err), t[i].error);
                cu_error_free(err);
        }
}

static void test_validate_vector(void **state)
{
        struct cu_error *err = NULL;

        assert_int_equal(sysctl_validate(NULL, false, false, false, &err), 0);
        char *empty[] = { NULL };
        assert_int_equal(sysctl_validate(empty, false, false, false, &err), 0);

        /* Every key is checked; the first bad one is named. */
        char *kv[] = { "net.ipv4.ip_forward", "1", "kernel.sem", "250 32000 32 128",
                       "vm.overcommit_memory", "1", "kernel.hostname", "x", NULL };
        assert_int_equal(sysctl_validate(kv, true, true, true, &err), -EINVAL);
        assert_string_equal(cu_error_msg(err),
                            "linux.sysctl: \"vm.overcommit_memory\" is not in a separate kernel "
                            "namespace");
        cu_error_free(err);
        err = NULL;

        char *odd[] = { "net.ipv4.ip_forward", NULL };
        assert_int_equal(sysctl_validate(odd, true, true, true, &err), -EINVAL);
        assert_string_equal(cu_error_msg(err),
                            "linux.sysctl: \"net.ipv4.ip_forward\" has no value");
        cu_error_free(err);

        assert_int_equal(sysctl_validate(kv, true, true, true, NULL), -EINVAL);
}

static void test_key_to_path(void **state)
{
        static const struct {
                const char *key, *path;
        } t[] = {
                { "net.ipv4.ip_forward", "net/ipv4/ip_forward" },
                { "kernel.shm_rmid_forced", "kernel/shm_rmid_forced" },
                { "fs.mqueue.msg_max", "fs/mqueue/msg_max" },
                { "net/ipv4/conf/eth0.100/forwarding", "net/ipv4/conf/eth0.100/forwarding" },
                { "net/ipv4/ip_forward", "net/ipv4/ip_forward" },
                { "kernel", "kernel" },
                { "net.ipv4...x", NULL },
                { "net/..", NULL },
                { "..", NULL }, /* dot form: empty components */
                { "", NULL },
        };
        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                char *p = NULL;
                int r = sysctl_key_to_path(t[i].key, &p);
                if (!t[i].path) {
                        if (r != -EINVAL)
                                fail_msg("%s: got %d, want -EINVAL", t[i].key, r);
                        assert_null(p);
                        continue;
                }
                assert_int_equal(r, 0);
                assert_string_equal(p, t[i].path);
                free(p);
        }
}

/* ---- for real ---- */

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

static void child_expect(int wfd, const char *path, const char *want)
{
        _cleanup_free_ char *s = NULL;
        if (read_full_file(path, &s, NULL, NULL) < 0)
                child_fail(wfd, "cannot read %s", path);
        if (strcmp(s, want) != 0)
                child_fail(wfd, "%s: got \"%s\", want \"%s\"", path, s, want);
}

static void child_apply(int wfd)
{
        struct cu_error *err = NULL;

        if (unshare(CLONE_NEWNET) < 0)
                child_fail(wfd, "unshare(CLONE_NEWNET): %s", strerror(errno));

        /* (A new namespace may inherit the host's values: start from known ones.) */
        int r = write_string_file("/proc/sys/net/ipv4/ip_forward", "0");
        if (r >= 0)
                r = write_string_file("/proc/sys/net/ipv4/conf/lo/forwarding", "0");
        if (r < 0)
                child_fail(wfd, "resetting forwarding: %s", strerror(-r));
        child_expect(wfd, "/proc/sys/net/ipv4/ip_forward", "0\n");
        char *kv[] = { "net.ipv4.ip_forward", "1", "net/ipv4/conf/lo/forwarding", "1",
                       "net.core.somaxconn", "1234", NULL };
        if (sysctl_validate(kv, true, false, false, &err) < 0)
                child_fail(wfd, "validate: %s", cu_error_msg(err));
        if (sysctl_apply(kv, &err) < 0)
                child_fail(wfd, "apply: %s", cu_error_msg(err));
        child_expect(wfd, "/proc/sys/net/ipv4/ip_forward", "1\n");
        child_expect(wfd, "/proc/sys/net/ipv4/conf/lo/forwarding", "1\n");
        child_expect(wfd, "/proc/sys/net/core/somaxconn", "1234\n");

        /* Errors name the key and the value; the keys before it were written. */
        char *bad[] = { "net.ipv4.ip_forward", "0", "net.ipv4.no_such_thing", "1",
                        "net.core.somaxconn", "99", NULL };
        if (sysctl_apply(bad, &err) != -ENOENT)
                child_fail(wfd, "apply of a missing key did not fail with ENOENT");
        if (strcmp(cu_error_msg(err), "linux.sysctl: setting \"net.ipv4.no_such_thing\" to "
                                      "\"1\": No such file or directory") != 0)
                child_fail(wfd, "message: %s", cu_error_msg(err));
        cu_error_free(err);
        err = NULL;
        child_expect(wfd, "/proc/sys/net/ipv4/ip_forward", "0\n");
        child_expect(wfd, "/proc/sys/net/core/somaxconn", "1234\n");

        char *invalid[] = { "net.ipv4.ip_forward", "banana", NULL };
        if (sysctl_apply(invalid, &err) != -EINVAL)
                child_fail(wfd, "apply of a bad value did not fail with EINVAL");
        if (strcmp(cu_error_msg(err), "linux.sysctl: setting \"net.ipv4.ip_forward\" to "
                                      "\"banana\": Invalid argument") != 0)
                child_fail(wfd, "message: %s", cu_error_msg(err));
        cu_error_free(err);
        err = NULL;

        char *escape[] = { "net/../../../etc/hostname", "x", NULL };
        if (sysctl_apply(escape, &err) != -EINVAL)
                child_fail(wfd, "apply of an escaping key did not fail with EINVAL");
        if (strcmp(cu_error_msg(err),
                   "linux.sysctl: invalid key \"net/../../../etc/hostname\"") != 0)
                child_fail(wfd, "message: %s", cu_error_msg(err));
        cu_error_free(err);

        if (sysctl_apply(NULL, &err) < 0)
                child_fail(wfd, "apply(NULL) failed");
}

static void test_apply(void **state)
{
        char msg[1024];
        if (getuid() != 0) {
                printf("# skipping: needs root for unshare(CLONE_NEWNET)\n");
                skip();
        }
        _cleanup_free_ char *host = NULL;
        assert_int_equal(read_full_file("/proc/sys/net/ipv4/ip_forward", &host, NULL, NULL), 0);

        int r = run_child(child_apply, msg, sizeof msg);
        if (r != 0)
                fail_msg("child: %s (exit %d)", msg, r);

        /* The host's namespace did not change. */
        _cleanup_free_ char *after = NULL;
        assert_int_equal(read_full_file("/proc/sys/net/ipv4/ip_forward", &after, NULL, NULL), 0);
        assert_string_equal(host, after);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_validate_table),
                cmocka_unit_test(test_validate_vector),
                cmocka_unit_test(test_key_to_path),
                cmocka_unit_test(test_apply),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
