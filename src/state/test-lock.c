/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "state/lock.h"
#include "util/fileio.h"

static char tmpdir[256];
static int dfd = -EBADF;

static int setup(void **state)
{
        snprintf(tmpdir, sizeof(tmpdir), "/tmp/cuttle-test-lock-XXXXXX");
        if (!mkdtemp(tmpdir))
                return -1;
        dfd = open(tmpdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        return dfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
        dfd = safe_close(dfd);
        rm_rf(tmpdir);
        return 0;
}

/* What another process gets when it tries name in mode: 0, -EAGAIN or -errno. */
static int try_in_child(const char *name, enum lock_mode mode)
{
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                struct lock *l = NULL;
                int r = lock_try(dfd, name, mode, &l, NULL);
                lock_free(l);
                _exit(r == 0 ? 0 : r == -EAGAIN ? 1 : 2);
        }
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        switch (WEXITSTATUS(status)) {
        case 0:
                return 0;
        case 1:
                return -EAGAIN;
        default:
                return -EIO;
        }
}

static void test_exclusive_shared(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        struct lock *l = NULL;

        assert_int_equal(lock_acquire(dfd, "ctr", LOCK_EXCLUSIVE, true, &l, &err), 0);
        assert_int_equal(lock_get_mode(l), LOCK_EXCLUSIVE);
        assert_int_equal(try_in_child("ctr", LOCK_SHARED), -EAGAIN);
        assert_int_equal(try_in_child("ctr", LOCK_EXCLUSIVE), -EAGAIN);
        assert_int_equal(try_in_child("other", LOCK_EXCLUSIVE), 0); /* names are independent */
        l = lock_free(l);
        assert_int_equal(try_in_child("ctr", LOCK_EXCLUSIVE), 0);

        assert_int_equal(lock_acquire(dfd, "ctr", LOCK_SHARED, true, &l, &err), 0);
        assert_int_equal(try_in_child("ctr", LOCK_SHARED), 0);
        assert_int_equal(try_in_child("ctr", LOCK_EXCLUSIVE), -EAGAIN);

        /* Upgrade and downgrade keep holding it. */
        assert_int_equal(lock_set_mode(l, LOCK_EXCLUSIVE, false, &err), 0);
        assert_int_equal(lock_get_mode(l), LOCK_EXCLUSIVE);
        assert_int_equal(try_in_child("ctr", LOCK_SHARED), -EAGAIN);
        assert_int_equal(lock_set_mode(l, LOCK_SHARED, false, &err), 0);
        assert_int_equal(try_in_child("ctr", LOCK_SHARED), 0);
        assert_int_equal(try_in_child("ctr", LOCK_EXCLUSIVE), -EAGAIN);
        l = lock_free(l);
        assert_null(lock_free(NULL));

        /* The file: <name>.lock, 0600, kept after release. */
        struct stat st;
        char p[PATH_MAX];
        snprintf(p, sizeof(p), "%s/ctr.lock", tmpdir);
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
}

static void test_same_process(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_lock_ struct lock *a = NULL;
        _cleanup_lock_ struct lock *b = NULL;

        /* OFD locks: two acquisitions in one process conflict like two processes. */
        assert_int_equal(lock_try(dfd, "x", LOCK_EXCLUSIVE, &a, &err), 0);
        assert_int_equal(lock_try(dfd, "x", LOCK_SHARED, &b, &err), -EAGAIN);
        assert_null(b);
        assert_string_equal(cu_error_msg(err), "x is locked");
        cu_error_clear(&err);
        a = lock_free(a);
        assert_int_equal(lock_try(dfd, "x", LOCK_SHARED, &a, &err), 0);
        assert_int_equal(lock_try(dfd, "x", LOCK_SHARED, &b, &err), 0);
        /* Upgrading while another holds it shared. */
        assert_int_equal(lock_set_mode(a, LOCK_EXCLUSIVE, false, &err), -EAGAIN);
        cu_error_clear(&err);
        assert_int_equal(lock_get_mode(a), LOCK_SHARED);
        b = lock_free(b);
        assert_int_equal(lock_set_mode(a, LOCK_EXCLUSIVE, false, &err), 0);
}

static void test_wait(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        int p[2];
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);

        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                struct lock *l = NULL;
                if (lock_acquire(dfd, "w", LOCK_EXCLUSIVE, true, &l, NULL) < 0)
                        _exit(1);
                if (write(p[1], "x", 1) != 1)
                        _exit(1);
                usleep(200 * 1000);
                lock_free(l);
                usleep(2000 * 1000); /* still alive: the release was lock_free() */
                _exit(0);
        }
        close(p[1]);
        char c;
        assert_int_equal(read(p[0], &c, 1), 1);
        close(p[0]);

        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        _cleanup_lock_ struct lock *l = NULL;
        assert_int_equal(lock_acquire(dfd, "w", LOCK_SHARED, true, &l, &err), 0);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
        assert_true(ms >= 100);
        assert_true(ms < 1900); /* released before the child exits */
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
}

static void test_release_on_death(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        int p[2];
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);

        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                struct lock *l = NULL;
                if (lock_acquire(dfd, "d", LOCK_EXCLUSIVE, true, &l, NULL) < 0)
                        _exit(1);
                if (write(p[1], "x", 1) != 1)
                        _exit(1);
                pause();
                _exit(0);
        }
        close(p[1]);
        char c;
        assert_int_equal(read(p[0], &c, 1), 1);
        close(p[0]);

        struct lock *l = NULL;
        assert_int_equal(lock_try(dfd, "d", LOCK_SHARED, &l, &err), -EAGAIN);
        cu_error_clear(&err);
        assert_int_equal(kill(pid, SIGKILL), 0);
        assert_int_equal(waitpid(pid, NULL, 0), pid);
        assert_int_equal(lock_try(dfd, "d", LOCK_EXCLUSIVE, &l, &err), 0);
        lock_free(l);
}

static void test_fork_inherits(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_lock_ struct lock *l = NULL;
        assert_int_equal(lock_acquire(dfd, "f", LOCK_EXCLUSIVE, true, &l, &err), 0);

        /* A child that frees its copy must not release the parent's lock. */
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                lock_free(l);
                _exit(0);
        }
        assert_int_equal(waitpid(pid, NULL, 0), pid);
        assert_int_equal(try_in_child("f", LOCK_SHARED), -EAGAIN);

        /* The descriptor is close-on-exec. */
        char p[PATH_MAX];
        snprintf(p, sizeof(p), "%s/f.lock", tmpdir);
        _cleanup_closedir_ DIR *d = opendir("/proc/self/fd");
        assert_non_null(d);
        int found = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                char link[PATH_MAX], target[PATH_MAX];
                snprintf(link, sizeof(link), "/proc/self/fd/%s", de->d_name);
                ssize_t n = readlink(link, target, sizeof(target) - 1);
                if (n <= 0)
                        continue;
                target[n] = '\0';
                if (strcmp(target, p) != 0)
                        continue;
                int flags = fcntl(atoi(de->d_name), F_GETFD);
                assert_true(flags & FD_CLOEXEC);
                found++;
        }
        assert_int_equal(found, 1);
}

static void test_errors(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        struct lock *l = NULL;

        assert_int_equal(lock_acquire(dfd, "a/b", LOCK_SHARED, true, &l, &err), -EINVAL);
        cu_error_clear(&err);
        assert_int_equal(lock_acquire(dfd, "..", LOCK_SHARED, true, &l, &err), -EINVAL);
        cu_error_clear(&err);
        assert_int_equal(lock_acquire(dfd, "", LOCK_SHARED, true, &l, &err), -EINVAL);
        cu_error_clear(&err);
        assert_int_equal(lock_acquire(dfd, "m", (enum lock_mode) 7, true, &l, &err), -EINVAL);
        cu_error_clear(&err);
        assert_null(l);

        char missing[PATH_MAX];
        snprintf(missing, sizeof(missing), "%s/nope", tmpdir);
        assert_int_equal(lock_acquire_path(missing, "n", LOCK_SHARED, true, &l, &err), -ENOENT);
        assert_non_null(strstr(cu_error_msg(err), "opening lock directory"));
        cu_error_clear(&err);

        assert_int_equal(lock_acquire_path(tmpdir, "n", LOCK_EXCLUSIVE, false, &l, &err), 0);
        assert_int_equal(try_in_child("n", LOCK_SHARED), -EAGAIN);
        lock_free(l);

        assert_string_equal(lock_mode_to_string(LOCK_SHARED), "shared");
        assert_string_equal(lock_mode_to_string(LOCK_EXCLUSIVE), "exclusive");
        assert_null(lock_mode_to_string(_LOCK_MODE_MAX));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_exclusive_shared, setup, teardown),
                cmocka_unit_test_setup_teardown(test_same_process, setup, teardown),
                cmocka_unit_test_setup_teardown(test_wait, setup, teardown),
                cmocka_unit_test_setup_teardown(test_release_on_death, setup, teardown),
                cmocka_unit_test_setup_teardown(test_fork_inherits, setup, teardown),
                cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
