/* SPDX-License-Identifier: GPL-2.0-or-later */
/* User namespace id maps: checks, arithmetic, the idmap= option, and (as root on a kernel
 * that has them) a user namespace fd and an idmapped mount of a directory. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/idmap.h"

static void make_file(const char *path)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        close(fd);
}

static void check_ok(const struct idmap_range *v, size_t n)
{
        struct cu_error *err = NULL;
        int r = idmap_check(v, n, "UID", &err);
        if (r < 0)
                fail_msg("%s", cu_error_msg(err));
}

static void check_fails(const struct idmap_range *v, size_t n, const char *msg_part)
{
        struct cu_error *err = NULL;
        assert_int_equal(idmap_check(v, n, "UID", &err), -EINVAL);
        if (!strstr(cu_error_msg(err), msg_part))
                fail_msg("\"%s\" does not contain \"%s\"", cu_error_msg(err), msg_part);
        cu_error_free(err);
}

static void test_check(void **state)
{
        (void) state;
        struct idmap_range one[] = { { 0, 100000, 65536 } };
        check_ok(one, 1);
        struct idmap_range two[] = { { 0, 100000, 10 }, { 10, 200000, 10 } };
        check_ok(two, 2);
        struct idmap_range ctr[] = { { 0, 100000, 10 }, { 5, 200000, 10 } };
        check_fails(ctr, 2, "overlapping container ids");
        struct idmap_range host[] = { { 0, 100000, 10 }, { 20, 100009, 10 } };
        check_fails(host, 2, "overlapping host ids");
        struct idmap_range adjacent[] = { { 0, 100000, 10 }, { 20, 100010, 10 } };
        check_ok(adjacent, 2);
        struct idmap_range wrap[] = { { 0, 4294967295u, 2 } };
        check_fails(wrap, 1, "invalid UID mapping 0:4294967295:2");
        struct idmap_range top[] = { { 0, 4294967295u, 1 } };
        check_ok(top, 1);
        struct idmap_range zero[] = { { 0, 1, 0 } };
        check_fails(zero, 1, "invalid");
        struct cu_error *err = NULL;
        assert_int_equal(idmap_check(one, 0, "GID", &err), -EINVAL);
        assert_string_equal(cu_error_msg(err), "initializing ID mappings: no GID mappings");
        cu_error_free(err);
}

static void test_arith(void **state)
{
        (void) state;
        struct idmap_range v[] = { { 0, 100000, 1000 }, { 1000, 500000, 10 } };
        uint32_t x = 7;
        assert_true(idmap_to_host(v, 2, 0, &x));
        assert_int_equal(x, 100000);
        assert_true(idmap_to_host(v, 2, 999, &x));
        assert_int_equal(x, 100999);
        assert_true(idmap_to_host(v, 2, 1009, &x));
        assert_int_equal(x, 500009);
        x = 7;
        assert_false(idmap_to_host(v, 2, 1010, &x));
        assert_int_equal(x, 7); /* untouched */
        assert_true(idmap_to_ctr(v, 2, 500000, &x));
        assert_int_equal(x, 1000);
        assert_true(idmap_to_ctr(v, 2, 100001, &x));
        assert_int_equal(x, 1);
        assert_false(idmap_to_ctr(v, 2, 0, &x));
        assert_false(idmap_to_ctr(v, 2, 99999, &x));
        /* the last id of the 32-bit space */
        struct idmap_range t[] = { { 4294967294u, 0, 2 } };
        assert_true(idmap_to_ctr(t, 1, 1, &x));
        assert_int_equal(x, 4294967295u);
}

static void test_from_config(void **state)
{
        (void) state;
        struct idmap m;
        struct cu_error *err = NULL;
        json_t *c = json_loads("{\"UidMap\": [{\"ContainerID\": 0, \"HostID\": 100000, \"Size\": 65536}],"
                               " \"GidMap\": [{\"ContainerID\": 0, \"HostID\": 200000, \"Size\": 10},"
                               "              {\"ContainerID\": 10, \"HostID\": 300000, \"Size\": 5}]}",
                               0, NULL);
        assert_int_equal(idmap_from_config(c, &m, &err), 0);
        assert_int_equal(m.n_uid, 1);
        assert_int_equal(m.n_gid, 2);
        assert_int_equal(m.gid[1].host, 300000);
        json_decref(c);
        c = json_loads("{\"UidMap\": [], \"GidMap\": []}", 0, NULL);
        assert_int_equal(idmap_from_config(c, &m, &err), 0);
        assert_int_equal(m.n_uid, 0);
        json_decref(c);
        assert_int_equal(idmap_from_config(NULL, &m, &err), 0);
        assert_int_equal(m.n_uid, 0);
        c = json_loads("{\"UidMap\": [{\"ContainerID\": 0, \"HostID\": 1, \"Size\": 5},"
                       "              {\"ContainerID\": 3, \"HostID\": 100, \"Size\": 5}],"
                       " \"GidMap\": [{\"ContainerID\": 0, \"HostID\": 1, \"Size\": 5}]}", 0, NULL);
        assert_int_equal(idmap_from_config(c, &m, &err), -EINVAL);
        assert_non_null(strstr(cu_error_msg(err), "conflicting UID mappings"));
        cu_error_free(err);
        err = NULL;
        json_decref(c);
        c = json_loads("{\"UidMap\": [{\"ContainerID\": -1, \"HostID\": 1, \"Size\": 5}]}", 0, NULL);
        assert_int_equal(idmap_from_config(c, &m, &err), -EINVAL);
        cu_error_free(err);
        json_decref(c);
}

static void test_option(void **state)
{
        (void) state;
        struct idmap m = { 0 };
        struct cu_error *err = NULL;
        assert_int_equal(idmap_parse_option("uids=0-100000-10#10-200000-5;gids=0-300000-1", &m, &err), 0);
        assert_int_equal(m.n_uid, 2);
        assert_int_equal(m.uid[1].ctr, 10);
        assert_int_equal(m.uid[1].host, 200000);
        assert_int_equal(m.uid[1].size, 5);
        assert_int_equal(m.n_gid, 1);
        assert_int_equal(m.gid[0].host, 300000);
        /* only gids: the uids stay */
        assert_int_equal(idmap_parse_option("gids=0-1-1", &m, &err), 0);
        assert_int_equal(m.n_uid, 2);
        assert_int_equal(m.gid[0].host, 1);
        const char *bad[] = { "uids=0-1", "uids=0-1-0", "uids=a-1-1", "uids=", "foo=0-1-1",
                              "uids=0-1-10#5-100-1" };
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
                err = NULL;
                if (idmap_parse_option(bad[i], &m, &err) >= 0)
                        fail_msg("\"%s\" accepted", bad[i]);
                assert_non_null(cu_error_msg(err));
                cu_error_free(err);
        }
}

static void test_carve(void **state)
{
        (void) state;
        struct idmap_range out[IDMAP_MAX];
        struct idmap_range base = { 0, 1000000, 1024 };
        /* nothing forced: the base */
        assert_int_equal(idmap_carve(base, NULL, 0, out, IDMAP_MAX), 1);
        assert_int_equal(out[0].host, 1000000);
        assert_int_equal(out[0].size, 1024);
        /* a hole in the middle: two pieces, then the forced range */
        struct idmap_range mid[] = { { 100, 5000, 10 } };
        assert_int_equal(idmap_carve(base, mid, 1, out, IDMAP_MAX), 3);
        assert_int_equal(out[0].ctr, 0);
        assert_int_equal(out[0].size, 100);
        assert_int_equal(out[1].ctr, 110);
        assert_int_equal(out[1].host, 1000110);
        assert_int_equal(out[1].size, 914);
        assert_int_equal(out[2].host, 5000);
        assert_int_equal(idmap_check(out, 3, "UID", NULL), 0);
        /* at the start, past the end, and two holes */
        struct idmap_range two[] = { { 0, 7, 1 }, { 1000, 9000, 100 } };
        assert_int_equal(idmap_carve(base, two, 2, out, IDMAP_MAX), 3);
        assert_int_equal(out[0].ctr, 1);
        assert_int_equal(out[0].host, 1000001);
        assert_int_equal(out[0].size, 999);
        assert_int_equal(out[1].ctr, 0);
        assert_int_equal(out[2].ctr, 1000);
        /* the whole base taken */
        struct idmap_range all[] = { { 0, 1, 2000 } };
        assert_int_equal(idmap_carve(base, all, 1, out, IDMAP_MAX), 1);
        assert_int_equal(out[0].host, 1);
        /* no room */
        assert_int_equal(idmap_carve(base, mid, 1, out, 2), -E2BIG);
}

/* The kernel part: needs root and idmapped mounts of the temp dir's filesystem. */
static void test_mount(void **state)
{
        (void) state;
        if (geteuid() != 0) {
                skip(); /* reason: user namespaces with arbitrary maps need root */
                return;
        }
        char dir[] = "/var/tmp/test-idmap.XXXXXX";
        assert_non_null(mkdtemp(dir));
        assert_int_equal(chmod(dir, 0755), 0); /* the mapped root walks into it */
        char src[256], dst[256], file[300], seen[300];
        snprintf(src, sizeof src, "%s/src", dir);
        snprintf(dst, sizeof dst, "%s/dst", dir);
        snprintf(file, sizeof file, "%s/f", src);
        snprintf(seen, sizeof seen, "%s/f", dst);
        assert_int_equal(mkdir(src, 0755), 0);
        assert_int_equal(mkdir(dst, 0755), 0);
        make_file(file);
        assert_int_equal(chown(file, 5, 6), 0);

        struct idmap m = { .uid = { { 0, 100000, 1000 } }, .gid = { { 0, 200000, 1000 } },
                           .n_uid = 1, .n_gid = 1 };
        struct cu_error *err = NULL;
        int ns = idmap_userns_fd(&m, &err);
        if (ns < 0)
                fail_msg("%s", cu_error_msg(err));
        int r = idmap_mount(src, dst, ns, false, &err);
        if (r == -ENOSYS) { /* reason: valgrind does not know open_tree / mount_setattr */
                cu_error_free(err);
                close(ns);
                unlink(file);
                rmdir(src);
                rmdir(dst);
                rmdir(dir);
                skip();
                return;
        }
        if (r < 0)
                fail_msg("%s", cu_error_msg(err));
        struct stat st;
        assert_int_equal(stat(seen, &st), 0);
        assert_int_equal(st.st_uid, 100005);
        assert_int_equal(st.st_gid, 200006);
        /* a file made through the mount by the mapped root lands on disk as 0 */
        char made[300];
        snprintf(made, sizeof made, "%s/g", dst);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                int fd = -1;
                if (setresgid(200000, 200000, 200000) == 0 && setresuid(100000, 100000, 100000) == 0)
                        fd = open(made, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
                _exit(fd >= 0 ? 0 : 1);
        }
        int status = -1;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_int_equal(status, 0);
        snprintf(made, sizeof made, "%s/g", src);
        assert_int_equal(stat(made, &st), 0);
        assert_int_equal(st.st_uid, 0);
        assert_int_equal(st.st_gid, 0);
        /* idmapped twice: refused, nothing mounted */
        assert_true(idmap_mount("/proc", dst, ns, false, &err) < 0);
        assert_non_null(strstr(cu_error_msg(err), "cannot idmap mount \"/proc\""));
        cu_error_free(err);
        err = NULL;
        idmap_unmount(dst);
        assert_int_equal(access(dst, F_OK), -1); /* unmounted and removed */
        close(ns);
        unlink(made);
        unlink(file);
        rmdir(src);
        rmdir(dir);
        assert_int_equal(idmap_proc_to_ctr(getpid(), false, 1234), 1234); /* the identity map */
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_check),  cmocka_unit_test(test_arith),
                cmocka_unit_test(test_from_config), cmocka_unit_test(test_option),
                cmocka_unit_test(test_carve), cmocka_unit_test(test_mount),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
