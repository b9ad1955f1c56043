/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/fileio.h"

/* Per-test scratch directory (removed with nftw, not with the rm_rf() under test). */
static char tmpdir[PATH_MAX];

_printf_(1, 2) static char *P(const char *fmt, ...)
{
        static char bufs[8][PATH_MAX];
        static unsigned n;
        char *b = bufs[n++ % ELEMENTSOF(bufs)];
        int k = snprintf(b, PATH_MAX, "%s/", tmpdir);
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(b + k, PATH_MAX - (size_t) k, fmt, ap);
        va_end(ap);
        return b;
}

static void put(const char *path, const char *content)
{
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, content, strlen(content)), (ssize_t) strlen(content));
}

static bool exists(const char *path)
{
        struct stat st;
        return lstat(path, &st) == 0;
}

/* Number of entries in dir whose name contains needle. */
static int count_matching(const char *dir, const char *needle)
{
        _cleanup_closedir_ DIR *d = opendir(dir);
        assert_non_null(d);
        int n = 0;
        struct dirent *de;
        while ((de = readdir(d)))
                if (strstr(de->d_name, needle))
                        n++;
        return n;
}

static int nftw_rm(const char *p, const struct stat *st, int flag, struct FTW *f)
{
        if (flag == FTW_DP)
                (void) chmod(p, 0755);
        return remove(p) < 0 ? -1 : 0;
}

static int setup(void **state)
{
        snprintf(tmpdir, sizeof tmpdir, "%s/cuttle-test-fileio-XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
        return nftw(tmpdir, nftw_rm, 16, FTW_DEPTH | FTW_PHYS);
}

static void test_read_full_file(void **state)
{
        _cleanup_free_ char *s = NULL;
        size_t len = 99;

        put(P("f"), "hello\nworld");
        assert_int_equal(read_full_file(P("f"), &s, &len, NULL), 0);
        assert_int_equal(len, 11);
        assert_string_equal(s, "hello\nworld");
        free(s);
        s = NULL;

        /* ret_len may be NULL. */
        assert_int_equal(read_full_file(P("f"), &s, NULL, NULL), 0);
        assert_string_equal(s, "hello\nworld");
        free(s);
        s = NULL;

        put(P("empty"), "");
        assert_int_equal(read_full_file(P("empty"), &s, &len, NULL), 0);
        assert_int_equal(len, 0);
        assert_string_equal(s, "");
}

static void test_read_full_file_large_binary(void **state)
{
        /* Bigger than the initial buffer, with NULs: length is exact and the buffer NUL-ended. */
        size_t n = 300000;
        _cleanup_free_ char *data = malloc(n);
        assert_non_null(data);
        for (size_t i = 0; i < n; i++)
                data[i] = (char) (i * 7 % 251);
        {
                _cleanup_close_ int fd = open(P("big"), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
                assert_true(fd >= 0);
                assert_int_equal(write_all(fd, data, n), 0);
        }
        _cleanup_free_ char *s = NULL;
        size_t len = 0;
        assert_int_equal(read_full_file(P("big"), &s, &len, NULL), 0);
        assert_int_equal(len, n);
        assert_memory_equal(s, data, n);
        assert_int_equal(s[n], '\0');

        /* Exactly 4095 / 4096 bytes: the buffer-growth boundary. */
        for (size_t sz = 4094; sz <= 4097; sz++) {
                _cleanup_close_ int fd =
                        open(P("edge"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                assert_int_equal(write_all(fd, data, sz), 0);
                _cleanup_free_ char *e = NULL;
                assert_int_equal(read_full_file(P("edge"), &e, &len, NULL), 0);
                assert_int_equal(len, sz);
                assert_memory_equal(e, data, sz);
                assert_int_equal(e[sz], '\0');
        }
}

static void test_read_full_file_missing(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        char *s = (char *) 0x1;
        size_t len = 77;
        char want[PATH_MAX + 100];

        assert_int_equal(read_full_file(P("nope"), &s, &len, &err), -ENOENT);
        assert_ptr_equal(s, (char *) 0x1); /* untouched on failure */
        assert_int_equal(len, 77);
        assert_non_null(err);
        assert_int_equal(err->errnum, ENOENT);
        snprintf(want, sizeof want, "reading %s: %s", P("nope"), strerror(ENOENT));
        assert_string_equal(err->msg, want);

        assert_int_equal(read_full_file(P("nope"), &s, &len, NULL), -ENOENT);

        /* A directory cannot be read. */
        cu_error_clear(&err);
        assert_int_equal(read_full_file(tmpdir, &s, &len, &err), -EISDIR);
        assert_non_null(err);
        assert_ptr_equal(s, (char *) 0x1);
}

static void test_read_full_fd_and_at(void **state)
{
        int p[2];
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        assert_int_equal(write_all(p[1], "abc", 3), 0);
        assert_int_equal(write_all(p[1], "def", 3), 0);
        close(p[1]);
        _cleanup_free_ char *s = NULL;
        size_t len = 0;
        assert_int_equal(read_full_fd(p[0], &s, &len), 0);
        close(p[0]);
        assert_int_equal(len, 6);
        assert_string_equal(s, "abcdef");

        put(P("rel"), "x=1");
        _cleanup_close_ int dfd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(dfd >= 0);
        _cleanup_free_ char *t = NULL;
        assert_int_equal(read_full_file_at(dfd, "rel", &t, NULL), 0);
        assert_string_equal(t, "x=1");
        assert_int_equal(read_full_file_at(dfd, "missing", &t, NULL), -ENOENT);
        assert_int_equal(read_full_fd(-1, &t, NULL), -EBADF);
}

static void test_write_all_read_all(void **state)
{
        size_t n = 1 << 20;
        _cleanup_free_ char *data = malloc(n), *back = malloc(n + 10);
        assert_non_null(data);
        assert_non_null(back);
        for (size_t i = 0; i < n; i++)
                data[i] = (char) (i % 253);

        _cleanup_close_ int fd = open(P("wa"), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write_all(fd, data, n), 0);
        assert_int_equal(write_all(fd, data, 0), 0);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        /* Asking for more than there is: short count at EOF. */
        assert_int_equal(read_all(fd, back, n + 10), (ssize_t) n);
        assert_memory_equal(back, data, n);
        assert_int_equal(read_all(fd, back, 10), 0);

        /* read_all keeps reading across short reads of a pipe. */
        int p[2];
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        assert_int_equal(write_all(p[1], "hello", 5), 0);
        assert_int_equal(write_all(p[1], "world", 5), 0);
        char buf[32] = { 0 };
        assert_int_equal(read_all(p[0], buf, 3), 3);
        assert_memory_equal(buf, "hel", 3);
        close(p[1]);
        assert_int_equal(read_all(p[0], buf, sizeof buf), 7);
        assert_memory_equal(buf, "loworld", 7);
        close(p[0]);

        /* Errors. */
        assert_int_equal(write_all(-1, "x", 1), -EBADF);
        assert_int_equal(read_all(-1, buf, 1), -EBADF);
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        close(p[0]);
        void (*old)(int) = signal(SIGPIPE, SIG_IGN);
        assert_int_equal(write_all(p[1], "x", 1), -EPIPE);
        signal(SIGPIPE, old);
        close(p[1]);
}

static void test_write_string_file(void **state)
{
        _cleanup_free_ char *s = NULL;

        put(P("ws"), "");
        assert_int_equal(write_string_file(P("ws"), "max\n"), 0);
        assert_int_equal(read_full_file(P("ws"), &s, NULL, NULL), 0);
        assert_string_equal(s, "max\n");

        /* Never creates the file. */
        assert_int_equal(write_string_file(P("absent"), "1"), -ENOENT);
        assert_false(exists(P("absent")));
        assert_int_equal(write_string_file(tmpdir, "1"), -EISDIR);

        _cleanup_close_ int dfd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        put(P("ws2"), "");
        assert_int_equal(write_string_file_at(dfd, "ws2", "v"), 0);
        free(s);
        s = NULL;
        assert_int_equal(read_full_file(P("ws2"), &s, NULL, NULL), 0);
        assert_string_equal(s, "v");
        assert_int_equal(write_string_file_at(dfd, "nope", "v"), -ENOENT);

        /* The intended use: a procfs knob. */
        _cleanup_free_ char *comm = NULL;
        assert_int_equal(read_full_file("/proc/self/comm", &comm, NULL, NULL), 0);
        assert_int_equal(write_string_file("/proc/self/comm", "cu-fileio-t"), 0);
        free(s);
        s = NULL;
        assert_int_equal(read_full_file("/proc/self/comm", &s, NULL, NULL), 0);
        assert_string_equal(s, "cu-fileio-t\n");
        comm[strcspn(comm, "\n")] = '\0';
        assert_int_equal(write_string_file("/proc/self/comm", comm), 0);
}

static void assert_file(const char *path, const char *content, mode_t mode)
{
        _cleanup_free_ char *s = NULL;
        size_t len = 0;
        struct stat st;

        assert_int_equal(lstat(path, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_int_equal(st.st_mode & 07777, mode);
        assert_int_equal(read_full_file(path, &s, &len, NULL), 0);
        assert_int_equal(len, strlen(content));
        assert_string_equal(s, content);
}

static void test_write_file_atomic(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;

        assert_int_equal(write_file_atomic(P("state.json"), "{\"a\":1}", 7, 0640, &err), 0);
        assert_null(err);
        assert_file(P("state.json"), "{\"a\":1}", 0640);
        assert_int_equal(count_matching(tmpdir, ".tmp-"), 0);

        /* Replace: new content and new mode (not subject to umask). */
        assert_int_equal(write_file_atomic(P("state.json"), "{}", 2, 0666, &err), 0);
        assert_file(P("state.json"), "{}", 0666);
        assert_int_equal(write_file_atomic(P("state.json"), "x", 1, 0400, &err), 0);
        assert_file(P("state.json"), "x", 0400);
        assert_int_equal(count_matching(tmpdir, ".tmp-"), 0);

        /* Empty content and binary content. */
        assert_int_equal(write_file_atomic(P("empty"), "", 0, 0600, NULL), 0);
        assert_file(P("empty"), "", 0600);
        static const char bin[] = { 'a', '\0', 'b', '\n', '\0' };
        assert_int_equal(write_file_atomic(P("bin"), bin, sizeof bin, 0644, NULL), 0);
        _cleanup_free_ char *s = NULL;
        size_t len = 0;
        assert_int_equal(read_full_file(P("bin"), &s, &len, NULL), 0);
        assert_int_equal(len, sizeof bin);
        assert_memory_equal(s, bin, sizeof bin);
        assert_int_equal(count_matching(tmpdir, ".tmp-"), 0);
}

static void test_write_file_atomic_replaces_symlink(void **state)
{
        /* A symlink at path is replaced, its target is not written through. */
        assert_int_equal(mkdir(P("outside"), 0755), 0);
        put(P("outside/target"), "precious");
        assert_int_equal(symlink(P("outside/target"), P("link")), 0);
        assert_int_equal(write_file_atomic(P("link"), "new", 3, 0644, NULL), 0);
        assert_file(P("link"), "new", 0644);
        assert_file(P("outside/target"), "precious", 0644);
}

static void test_write_file_atomic_onto_directory(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        char want[PATH_MAX + 100];

        assert_int_equal(mkdir(P("d"), 0755), 0);
        put(P("d/inner"), "keep");
        int r = write_file_atomic(P("d"), "data", 4, 0644, &err);
        assert_true(r == -EISDIR || r == -ENOTEMPTY || r == -EEXIST);
        assert_non_null(err);
        snprintf(want, sizeof want, "writing %s: %s", P("d"), strerror(-r));
        assert_string_equal(err->msg, want);
        struct stat st;
        assert_int_equal(stat(P("d"), &st), 0);
        assert_true(S_ISDIR(st.st_mode));
        assert_file(P("d/inner"), "keep", 0644);
        assert_int_equal(count_matching(tmpdir, ".tmp-"), 0);

        /* Parent missing: the temporary file cannot be created. */
        cu_error_clear(&err);
        assert_int_equal(write_file_atomic(P("no/such/f"), "x", 1, 0644, &err), -ENOENT);
        assert_non_null(err);
        assert_non_null(strstr(err->msg, P("no/such/f.tmp-")));
        assert_false(exists(P("no")));
}

static void test_write_file_atomic_short_write(void **state)
{
        /* A write that fails midway (RLIMIT_FSIZE → EFBIG) leaves the old file intact and
         * no temporary behind. */
        _cleanup_error_ struct cu_error *err = NULL;
        assert_int_equal(write_file_atomic(P("cfg"), "old content", 11, 0644, NULL), 0);

        size_t n = 64 * 1024;
        _cleanup_free_ char *big = malloc(n);
        assert_non_null(big);
        memset(big, 'N', n);

        struct rlimit saved, lim;
        assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
        lim = saved;
        lim.rlim_cur = 4096;
        void (*old)(int) = signal(SIGXFSZ, SIG_IGN);
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
        int r = write_file_atomic(P("cfg"), big, n, 0600, &err);
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
        signal(SIGXFSZ, old);

        assert_int_equal(r, -EFBIG);
        assert_non_null(err);
        assert_int_equal(err->errnum, EFBIG);
        assert_file(P("cfg"), "old content", 0644);
        assert_int_equal(count_matching(tmpdir, ".tmp-"), 0);
}

/* Runs write_file_atomic into a read-only directory; as root, drops to nobody in a child. */
static void test_write_file_atomic_readonly_dir(void **state)
{
        assert_int_equal(mkdir(P("ro"), 0755), 0);
        assert_int_equal(write_file_atomic(P("ro/f"), "old", 3, 0644, NULL), 0);
        assert_int_equal(chmod(P("ro"), 0555), 0);

        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                if (geteuid() == 0) {
                        if (chmod(tmpdir, 0711) < 0 || chown(P("ro"), 65534, 65534) < 0 ||
                            setgroups(0, NULL) < 0 ||
                            setgid(65534) < 0 || setuid(65534) < 0)
                                _exit(10);
                }
                struct cu_error *err = NULL;
                int r = write_file_atomic(P("ro/f"), "new", 3, 0644, &err);
                if (r != -EACCES)
                        _exit(11);
                if (!err || !strstr(err->msg, "creating "))
                        _exit(12);
                cu_error_free(err);
                _exit(0);
        }
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
        assert_int_equal(chmod(P("ro"), 0755), 0);
        assert_file(P("ro/f"), "old", 0644);
        assert_int_equal(count_matching(P("ro"), ".tmp-"), 0);
}

static void test_mkdir_p(void **state)
{
        struct stat st;

        assert_int_equal(mkdir_p(P("a/b/c/d"), 0755), 0);
        assert_int_equal(stat(P("a/b/c/d"), &st), 0);
        assert_true(S_ISDIR(st.st_mode));
        assert_int_equal(st.st_mode & 07777, 0755);
        assert_int_equal(stat(P("a/b"), &st), 0);
        assert_true(S_ISDIR(st.st_mode));

        /* Existing: fine, also with trailing and doubled slashes. */
        assert_int_equal(mkdir_p(P("a/b/c/d"), 0755), 0);
        assert_int_equal(mkdir_p(P("a/b/c/d/"), 0755), 0);
        assert_int_equal(mkdir_p(P("a//b/c//e/"), 0700), 0);
        assert_int_equal(stat(P("a/b/c/e"), &st), 0);
        assert_int_equal(st.st_mode & 07777, 0700);
        assert_int_equal(mkdir_p(tmpdir, 0755), 0);
        assert_int_equal(mkdir_p("/", 0755), 0);

        /* Through a symlink to a directory. */
        assert_int_equal(symlink(P("a/b"), P("lnk")), 0);
        assert_int_equal(mkdir_p(P("lnk/x/y"), 0755), 0);
        assert_int_equal(stat(P("a/b/x/y"), &st), 0);
        assert_true(S_ISDIR(st.st_mode));

        /* A file in the way. */
        put(P("file"), "");
        assert_int_equal(mkdir_p(P("file/sub"), 0755), -ENOTDIR);
        assert_int_equal(mkdir_p(P("file"), 0755), -ENOTDIR);
        assert_int_equal(mkdir_p(P("a/b/c/d/../../file2/z"), 0755), 0);
        assert_int_equal(stat(P("a/b/file2/z"), &st), 0);

        assert_int_equal(mkdir_p("", 0755), -EINVAL);
        char longp[PATH_MAX + 10];
        memset(longp, 'a', sizeof longp - 1);
        longp[sizeof longp - 1] = '\0';
        longp[0] = '/';
        assert_true(mkdir_p(longp, 0755) < 0);
}

static void test_mkdir_p_relative(void **state)
{
        char cwd[PATH_MAX];
        struct stat st;

        assert_non_null(getcwd(cwd, sizeof cwd));
        assert_int_equal(chdir(tmpdir), 0);
        int r1 = mkdir_p("rel/one/two", 0755);
        int r2 = mkdir_p("single", 0755);
        assert_int_equal(chdir(cwd), 0);
        assert_int_equal(r1, 0);
        assert_int_equal(r2, 0);
        assert_int_equal(stat(P("rel/one/two"), &st), 0);
        assert_int_equal(stat(P("single"), &st), 0);
}

static void build_outside(void)
{
        assert_int_equal(mkdir(P("outside"), 0755), 0);
        assert_int_equal(mkdir(P("outside/sub"), 0755), 0);
        put(P("outside/keep"), "k");
        put(P("outside/sub/keep2"), "k2");
}

static void assert_outside_intact(void)
{
        assert_file(P("outside/keep"), "k", 0644);
        assert_file(P("outside/sub/keep2"), "k2", 0644);
}

static void test_rm_rf(void **state)
{
        build_outside();
        assert_int_equal(mkdir_p(P("t/a/b/c"), 0755), 0);
        put(P("t/f"), "1");
        put(P("t/a/b/c/deep"), "2");
        assert_int_equal(symlink(P("outside"), P("t/abs_dir_link")), 0);
        assert_int_equal(symlink("../../outside", P("t/a/rel_dir_link")), 0);
        assert_int_equal(symlink(P("outside/keep"), P("t/a/b/file_link")), 0);
        assert_int_equal(symlink("/nonexistent/x", P("t/dangling")), 0);
        assert_int_equal(mkfifo(P("t/a/fifo"), 0600), 0);
        assert_int_equal(mkdir(P("t/a/locked"), 0755), 0);
        put(P("t/a/locked/x"), "3");
        assert_int_equal(chmod(P("t/a/locked"), 0), 0);
        assert_int_equal(mkdir(P("t/emptydir"), 0755), 0);

        int r = rm_rf(P("t"));
        (void) chmod(P("t/a/locked"), 0755); /* for the non-root case */
        if (geteuid() == 0) {
                assert_int_equal(r, 0);
                assert_false(exists(P("t")));
        }
        assert_outside_intact();
        assert_true(exists(P("outside/sub")));

        /* Missing: success. A file: removed. */
        assert_int_equal(rm_rf(P("t")), 0);
        assert_int_equal(rm_rf(P("does/not/exist")), 0);
        put(P("lone"), "x");
        assert_int_equal(rm_rf(P("lone")), 0);
        assert_false(exists(P("lone")));

        /* A symlink to a directory: the link goes, the target stays. */
        assert_int_equal(symlink(P("outside"), P("dirlink")), 0);
        assert_int_equal(rm_rf(P("dirlink")), 0);
        assert_false(exists(P("dirlink")));
        assert_outside_intact();

        /* Empty dir. */
        assert_int_equal(mkdir(P("e"), 0755), 0);
        assert_int_equal(rm_rf(P("e")), 0);
        assert_false(exists(P("e")));
}

/* Child: 0 ok, 77 skip, else the failing step. */
static int rm_rf_mounts_child(void)
{
        if (unshare(CLONE_NEWNS) < 0)
                return 77;
        if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
                return 77;

        /* Another filesystem inside the tree. */
        if (mkdir_p(P("t/a/mnt"), 0755) < 0 || mkdir_p(P("t/b"), 0755) < 0)
                return 2;
        if (mount("tmpfs", P("t/a/mnt"), "tmpfs", 0, NULL) < 0)
                return 77;
        put(P("t/a/mnt/keep"), "m");
        /* A bind mount of a directory of the same filesystem (same st_dev). */
        if (mkdir_p(P("vol/data"), 0755) < 0)
                return 3;
        put(P("vol/data/keep"), "v");
        if (mount(P("vol"), P("t/b"), "none", MS_BIND, NULL) < 0)
                return 4;
        put(P("t/gone"), "g");

        int r = rm_rf(P("t"));
        if (r != -EBUSY)
                return 5;
        if (!exists(P("t/a/mnt/keep")))
                return 6;
        if (!exists(P("vol/data/keep")))
                return 7;
        if (exists(P("t/gone")))
                return 8;
        if (umount(P("t/a/mnt")) < 0 || umount(P("t/b")) < 0)
                return 9;
        if (rm_rf(P("t")) != 0 || exists(P("t")))
                return 10;
        return 0;
}

static void test_rm_rf_mount_points(void **state)
{
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
                _exit(rm_rf_mounts_child());
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        if (WEXITSTATUS(status) == 77)
                skip();
        assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
        umask(022);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_read_full_file, setup, teardown),
                cmocka_unit_test_setup_teardown(test_read_full_file_large_binary, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_read_full_file_missing, setup, teardown),
                cmocka_unit_test_setup_teardown(test_read_full_fd_and_at, setup, teardown),
                cmocka_unit_test_setup_teardown(test_write_all_read_all, setup, teardown),
                cmocka_unit_test_setup_teardown(test_write_string_file, setup, teardown),
                cmocka_unit_test_setup_teardown(test_write_file_atomic, setup, teardown),
                cmocka_unit_test_setup_teardown(test_write_file_atomic_replaces_symlink, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_write_file_atomic_onto_directory, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_write_file_atomic_short_write, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_write_file_atomic_readonly_dir, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_mkdir_p, setup, teardown),
                cmocka_unit_test_setup_teardown(test_mkdir_p_relative, setup, teardown),
                cmocka_unit_test_setup_teardown(test_rm_rf, setup, teardown),
                cmocka_unit_test_setup_teardown(test_rm_rf_mount_points, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
