/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Device planning (pure) and the whole container filesystem for real:
 * each mount test runs in a forked child with its own mount namespace on
 * a tmpfs in /tmp, so nothing stays mounted on the host.  The child checks
 * what it can see and exits non-zero (after printing why) on the first
 * failed check; the parent asserts on the exit status and on the error
 * message the child sends back over a pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "oci/spec.h"
#include "runtime/devices.h"
#include "runtime/rootfs.h"
#include "util/fileio.h"

#define TMPFS_MAGIC 0x01021994

/* ---- pure ---- */

static void test_default_list(void **state)
{
        const struct dev_node *d = NULL;
        size_t n = devices_default(&d);
        static const struct {
                const char *path;
                unsigned major, minor;
        } want[] = {
                { "/dev/null", 1, 3 },   { "/dev/zero", 1, 5 },    { "/dev/full", 1, 7 },
                { "/dev/random", 1, 8 }, { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 },
        };
        assert_int_equal(n, 6);
        for (size_t i = 0; i < n; i++) {
                assert_string_equal(d[i].path, want[i].path);
                assert_int_equal(d[i].type, 'c');
                assert_int_equal(d[i].major, want[i].major);
                assert_int_equal(d[i].minor, want[i].minor);
                assert_int_equal(d[i].mode, 0666);
                assert_int_equal(d[i].uid, 0);
                assert_int_equal(d[i].gid, 0);
        }
}

static void test_type_mode(void **state)
{
        assert_int_equal(dev_node_type_mode('c'), S_IFCHR);
        assert_int_equal(dev_node_type_mode('u'), S_IFCHR);
        assert_int_equal(dev_node_type_mode('b'), S_IFBLK);
        assert_int_equal(dev_node_type_mode('p'), S_IFIFO);
        assert_int_equal(dev_node_type_mode('x'), 0);
}

static struct oci_spec *parse(const char *json)
{
        struct cu_error *err = NULL;
        struct oci_spec *s = oci_spec_parse_data(json, strlen(json), "test", &err);
        if (!s)
                fail_msg("parsing spec: %s", cu_error_msg(err));
        return s;
}

static void test_plan(void **state)
{
        _cleanup_(oci_spec_freep) struct oci_spec *s = parse(
                "{ \"ociVersion\": \"1.1.0\", \"linux\": { \"devices\": ["
                "  { \"path\": \"/dev/fuse\", \"type\": \"c\", \"major\": 10, \"minor\": 229,"
                "    \"fileMode\": 384, \"uid\": 1, \"gid\": 2 },"
                "  { \"path\": \"/dev/null\", \"type\": \"c\", \"major\": 1, \"minor\": 3,"
                "    \"fileMode\": 8630 },"
                "  { \"path\": \"/dev/sda\", \"type\": \"b\", \"major\": 8, \"minor\": 0 },"
                "  { \"path\": \"/dev/myfifo\", \"type\": \"p\" } ] } }");
        _cleanup_free_ struct dev_node *v = NULL;
        size_t n = 0;
        assert_int_equal(devices_plan(s, &v, &n), 0);
        assert_int_equal(n, 9);
        /* /dev/null replaced in place; type bits of fileMode (020666) dropped. */
        assert_string_equal(v[0].path, "/dev/null");
        assert_int_equal(v[0].mode, 0666);
        assert_string_equal(v[5].path, "/dev/tty");
        assert_string_equal(v[6].path, "/dev/fuse");
        assert_int_equal(v[6].major, 10);
        assert_int_equal(v[6].minor, 229);
        assert_int_equal(v[6].mode, 0600);
        assert_int_equal(v[6].uid, 1);
        assert_int_equal(v[6].gid, 2);
        assert_string_equal(v[7].path, "/dev/sda");
        assert_int_equal(v[7].type, 'b');
        assert_int_equal(v[7].mode, 0666); /* no fileMode: 0666 */
        assert_int_equal(v[7].uid, 0);
        assert_string_equal(v[8].path, "/dev/myfifo");
        assert_int_equal(v[8].type, 'p');
        assert_int_equal(v[8].major, 0);

        /* No linux.devices: just the defaults. */
        _cleanup_(oci_spec_freep) struct oci_spec *e = parse("{ \"ociVersion\": \"1.1.0\" }");
        _cleanup_free_ struct dev_node *w = NULL;
        assert_int_equal(devices_plan(e, &w, &n), 0);
        assert_int_equal(n, 6);
}

/* ---- the real thing, in a child ---- */

static char base[64];

/* rootfs + rel in the caller's buffer p (one use per expression). */
static const char *join(char *buf, size_t n, const char *a, const char *b)
{
        size_t la = strlen(a), lb = strlen(b);
        if (la + lb >= n)
                abort();
        memcpy(buf, a, la);
        memcpy(buf + la, b, lb + 1);
        return buf;
}
#define MP(rel) join(p, sizeof p, rootfs, rel)

#define CHECK(cond, ...)                                                                           \
        do {                                                                                       \
                if (!(cond)) {                                                                     \
                        fprintf(stderr, "# child check failed (line %d): %s: ", __LINE__, #cond);  \
                        fprintf(stderr, __VA_ARGS__);                                              \
                        fprintf(stderr, " (errno: %s)\n", strerror(errno));                        \
                        _exit(1);                                                                  \
                }                                                                                  \
        } while (0)

static void put_file(const char *path, const char *content, mode_t mode)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        CHECK(fd >= 0, "creating %s", path);
        CHECK(write_all(fd, content, strlen(content)) == 0, "writing %s", path);
        CHECK(fchmod(fd, mode) == 0, "chmod %s", path);
        close(fd);
}

static void mkdirs(const char *root, const char *const *dirs)
{
        for (; *dirs; dirs++) {
                char p[PATH_MAX];
                snprintf(p, sizeof p, "%s/%s", root, *dirs);
                CHECK(mkdir_p(p, 0755) == 0, "mkdir %s", p);
        }
}

/* In the child: own mount namespace, a private tmpfs on base, a small rootfs. */
static void child_prepare(char rootfs[static PATH_MAX])
{
        CHECK(unshare(CLONE_NEWNS) == 0, "unshare");
        CHECK(mount(NULL, "/", "", MS_REC | MS_PRIVATE, NULL) == 0, "making / private");
        CHECK(mount("tmpfs", base, "tmpfs", 0, "mode=0755") == 0, "tmpfs on %s", base);
        snprintf(rootfs, PATH_MAX, "%s/rootfs", base);
        static const char *const dirs[] = {
                "rootfs/etc", "rootfs/proc", "rootfs/sys",   "rootfs/dev", "rootfs/ro",
                "rootfs/secret", "rootfs/copyup/sub", "src", NULL,
        };
        mkdirs(base, dirs);
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/src/hello", base);
        put_file(p, "hello\n", 0644);
        snprintf(p, sizeof p, "%s/srcfile", base);
        put_file(p, "file\n", 0644);
        snprintf(p, sizeof p, "%s/ro/file", rootfs);
        put_file(p, "ro\n", 0644);
        snprintf(p, sizeof p, "%s/secret/file", rootfs);
        put_file(p, "secret\n", 0644);
        snprintf(p, sizeof p, "%s/secretfile", rootfs);
        put_file(p, "secret\n", 0644);
        snprintf(p, sizeof p, "%s/copyup/a", rootfs);
        put_file(p, "A", 0640);
        snprintf(p, sizeof p, "%s/copyup/sub/b", rootfs);
        put_file(p, "B", 0600);
        snprintf(p, sizeof p, "%s/copyup/lnk", rootfs);
        CHECK(symlink("a", p) == 0, "symlink %s", p);
        snprintf(p, sizeof p, "%s/copyup", rootfs);
        CHECK(chmod(p, 0711) == 0, "chmod %s", p);
        /* Symlinks that would escape if resolved on the host. */
        snprintf(p, sizeof p, "%s/link", rootfs);
        CHECK(symlink("/etc", p) == 0, "symlink %s", p);
        snprintf(p, sizeof p, "%s/up", rootfs);
        CHECK(symlink("../../../../../../../etc", p) == 0, "symlink %s", p);
}

static struct oci_spec *child_spec(const char *fmt, ...) _printf_(1, 2);
static struct oci_spec *child_spec(const char *fmt, ...)
{
        _cleanup_free_ char *json = NULL;
        va_list ap;
        va_start(ap, fmt);
        int k = vasprintf(&json, fmt, ap);
        va_end(ap);
        CHECK(k >= 0, "vasprintf");
        struct cu_error *err = NULL;
        struct oci_spec *s = oci_spec_parse_data(json, strlen(json), "test", &err);
        CHECK(s, "parsing spec: %s", cu_error_msg(err));
        return s;
}

struct mnt {
        char mountpoint[PATH_MAX];
        char fstype[64];
        char opts[256];
        char root[PATH_MAX];
};

/* The mounts now visible, in /proc/self/mountinfo order. */
static size_t read_mounts(struct mnt *v, size_t max)
{
        FILE *f = fopen("/proc/self/mountinfo", "re");
        CHECK(f, "opening mountinfo");
        char line[4096];
        size_t n = 0;
        while (n < max && fgets(line, sizeof line, f)) {
                char root[PATH_MAX], mp[PATH_MAX], opts[256], fstype[64];
                if (sscanf(line, "%*d %*d %*s %4095s %4095s %255s", root, mp, opts) != 3)
                        continue;
                const char *sep = strstr(line, " - ");
                if (!sep || sscanf(sep + 3, "%63s", fstype) != 1)
                        continue;
                snprintf(v[n].mountpoint, sizeof v[n].mountpoint, "%s", mp);
                snprintf(v[n].root, sizeof v[n].root, "%s", root);
                snprintf(v[n].opts, sizeof v[n].opts, "%s", opts);
                snprintf(v[n].fstype, sizeof v[n].fstype, "%s", fstype);
                n++;
        }
        fclose(f);
        return n;
}

/* The last (topmost) mount at mountpoint, or NULL. */
static const struct mnt *find_mount(const struct mnt *v, size_t n, const char *mp)
{
        const struct mnt *found = NULL;
        for (size_t i = 0; i < n; i++)
                if (strcmp(v[i].mountpoint, mp) == 0)
                        found = &v[i];
        return found;
}

static bool has_opt(const char *opts, const char *opt)
{
        size_t n = strlen(opt);
        for (const char *p = opts; (p = strstr(p, opt)); p += n)
                if ((p == opts || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
                        return true;
        return false;
}

static void check_node(const char *rootfs, const char *path, mode_t type, unsigned major,
                       unsigned minor, mode_t mode, uid_t uid, gid_t gid)
{
        char p[PATH_MAX];
        struct stat st;
        snprintf(p, sizeof p, "%s%s", rootfs, path);
        CHECK(lstat(p, &st) == 0, "lstat %s", p);
        CHECK((st.st_mode & S_IFMT) == type, "%s: type %o", p, st.st_mode & S_IFMT);
        CHECK(major(st.st_rdev) == major && minor(st.st_rdev) == minor, "%s: %u:%u", p,
              major(st.st_rdev), minor(st.st_rdev));
        CHECK((st.st_mode & 07777) == mode, "%s: mode %o", p, st.st_mode & 07777);
        CHECK(st.st_uid == uid && st.st_gid == gid, "%s: owner %u:%u", p, st.st_uid, st.st_gid);
}

static void check_link(const char *rootfs, const char *path, const char *target)
{
        char p[PATH_MAX], t[PATH_MAX];
        snprintf(p, sizeof p, "%s%s", rootfs, path);
        ssize_t k = readlink(p, t, sizeof t - 1);
        CHECK(k >= 0, "readlink %s", p);
        t[k] = '\0';
        CHECK(strcmp(t, target) == 0, "%s -> %s, want %s", p, t, target);
}

static int write_errno(const char *path)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
                return errno;
        close(fd);
        return 0;
}

#define FULL_SPEC \
        "{ \"ociVersion\": \"1.1.0\", \"root\": { \"path\": \"rootfs\", \"readonly\": true }," \
        "  \"mounts\": [" \
        "  { \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" }," \
        "  { \"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"," \
        "    \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"] }," \
        "  { \"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\"," \
        "    \"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\"," \
        "                  \"mode=0620\"] }," \
        "  { \"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\"," \
        "    \"options\": [\"nosuid\", \"noexec\", \"nodev\"] }," \
        "  { \"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\"," \
        "    \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"] }," \
        "  { \"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\"," \
        "    \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"] }," \
        "  { \"destination\": \"/data\", \"type\": \"bind\", \"source\": \"%s/src\"," \
        "    \"options\": [\"rbind\", \"ro\", \"nosuid\", \"nodev\", \"rprivate\"] }," \
        "  { \"destination\": \"/link/bound\", \"type\": \"bind\", \"source\": \"%s/src\"," \
        "    \"options\": [\"bind\"] }," \
        "  { \"destination\": \"/up/tmpfs\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"," \
        "    \"options\": [\"size=1m\", \"noexec\"] }," \
        "  { \"destination\": \"/link/file\", \"source\": \"%s/srcfile\"," \
        "    \"options\": [\"bind\", \"ro\"] }," \
        "  { \"destination\": \"/copyup\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"," \
        "    \"options\": [\"tmpcopyup\"] }," \
        "  { \"destination\": \"/lnk\", \"type\": \"bind\", \"source\": \"%s/srclink\"," \
        "    \"options\": [\"bind\", \"copy-symlink\"] }," \
        "  { \"destination\": \"/rro\", \"type\": \"bind\", \"source\": \"%s\"," \
        "    \"options\": [\"rbind\", \"%s\"] } ]," \
        "  \"linux\": {" \
        "    \"namespaces\": [ { \"type\": \"mount\" } ]," \
        "    \"devices\": [ { \"path\": \"/dev/fuse\", \"type\": \"c\", \"major\": 10," \
        "                     \"minor\": 229, \"fileMode\": 384, \"uid\": 1, \"gid\": 2 }," \
        "                   { \"path\": \"/dev/sub/fifo\", \"type\": \"p\" } ]," \
        "    \"maskedPaths\": [ \"/secret\", \"/secretfile\", \"/does/not/exist\"," \
        "                     \"/proc/kcore\", \"/proc/timer_list\", \"/proc/irq\" ]," \
        "    \"readonlyPaths\": [ \"/ro\", \"/missing\", \"/proc/sys\"," \
        "                       \"/proc/sysrq-trigger\" ] } }"

static bool have_mount_setattr(void)
{
        struct mount_attr a = { 0 };
        return mount_setattr(-1, "", AT_EMPTY_PATH, &a, sizeof a) < 0 && errno != ENOSYS;
}

static void child_full(void)
{
        char rootfs[PATH_MAX], p[PATH_MAX];
        struct cu_error *err = NULL;
        static struct mnt before[512], after[512];

        child_prepare(rootfs);
        /* /rro: a tree with a submount, to check recursive read-only. */
        snprintf(p, sizeof p, "%s/rrosrc/sub", base);
        CHECK(mkdir_p(p, 0755) == 0, "mkdir %s", p);
        CHECK(mount("tmpfs", p, "tmpfs", 0, NULL) == 0, "tmpfs on %s", p);
        char lnk[PATH_MAX];
        snprintf(lnk, sizeof lnk, "%s/srclink", base);
        CHECK(symlink("../somewhere/else", lnk) == 0, "symlink %s", lnk);
        snprintf(p, sizeof p, "%s/rrosrc", base);
        /* valgrind (3.19) does not know mount_setattr(2): leave rro out under it. */
        bool rro = have_mount_setattr();
        struct oci_spec *s =
                child_spec(FULL_SPEC, base, base, base, base, p, rro ? "rro" : "rbind");
        size_t nb = read_mounts(before, 512);

        int r = rootfs_setup(s, rootfs, NULL, false, &err);
        CHECK(r == 0, "rootfs_setup: %s", cu_error_msg(err));

        /* Every new mount landed inside the rootfs. */
        size_t na = read_mounts(after, 512);
        CHECK(na > nb, "no new mounts");
        size_t rl = strlen(rootfs);
        for (size_t i = 0; i < na; i++) {
                bool old = false;
                for (size_t j = 0; j < nb && !old; j++)
                        old = strcmp(after[i].mountpoint, before[j].mountpoint) == 0;
                if (old)
                        continue;
                CHECK(strncmp(after[i].mountpoint, rootfs, rl) == 0 &&
                              (after[i].mountpoint[rl] == '/' || !after[i].mountpoint[rl]),
                      "mount outside the rootfs: %s", after[i].mountpoint);
        }
        /* The symlinks did not escape: nothing on the host's /etc. */
        CHECK(!find_mount(after, na, "/etc/bound") && !find_mount(after, na, "/etc/tmpfs") &&
                      !find_mount(after, na, "/etc/file"),
              "a mount escaped to /etc");
        CHECK(access("/etc/bound", F_OK) < 0 && errno == ENOENT, "/etc/bound on the host");
        CHECK(access("/etc/tmpfs", F_OK) < 0 && errno == ENOENT, "/etc/tmpfs on the host");

        const struct mnt *m;
        CHECK((m = find_mount(after, na, rootfs)), "rootfs not a mount point");
        CHECK((m = find_mount(after, na, MP("/proc"))) && !strcmp(m->fstype, "proc"), "proc");
        CHECK((m = find_mount(after, na, MP("/dev"))) && !strcmp(m->fstype, "tmpfs"), "/dev");
        CHECK(has_opt(m->opts, "nosuid") && has_opt(m->opts, "rw"), "/dev opts %s", m->opts);
        CHECK((m = find_mount(after, na, MP("/dev/pts"))) && !strcmp(m->fstype, "devpts"),
              "devpts");
        CHECK((m = find_mount(after, na, MP("/dev/mqueue"))) && !strcmp(m->fstype, "mqueue"),
              "mqueue");
        CHECK((m = find_mount(after, na, MP("/sys"))) && !strcmp(m->fstype, "sysfs"), "sysfs");
        CHECK(has_opt(m->opts, "ro"), "/sys opts %s", m->opts);
        CHECK((m = find_mount(after, na, MP("/data"))) && has_opt(m->opts, "ro") &&
                      has_opt(m->opts, "nosuid") && has_opt(m->opts, "nodev"),
              "/data opts %s", m ? m->opts : "(none)");
        CHECK((m = find_mount(after, na, MP("/etc/bound"))), "/link/bound not in rootfs/etc");
        CHECK(has_opt(m->opts, "rw"), "/etc/bound opts %s", m->opts);
        CHECK((m = find_mount(after, na, MP("/etc/tmpfs"))) && !strcmp(m->fstype, "tmpfs") &&
                      has_opt(m->opts, "noexec"),
              "/up/tmpfs not a noexec tmpfs in rootfs/etc");
        CHECK((m = find_mount(after, na, MP("/etc/file"))) && has_opt(m->opts, "ro"),
              "/link/file not a ro bind in rootfs/etc");
        CHECK((m = find_mount(after, na, MP("/copyup"))) && !strcmp(m->fstype, "tmpfs"),
              "copyup");
        CHECK((m = find_mount(after, na, MP("/rro"))) && has_opt(m->opts, rro ? "ro" : "rw"),
              "/rro");
        CHECK((m = find_mount(after, na, MP("/rro/sub"))) && has_opt(m->opts, rro ? "ro" : "rw"),
              "/rro/sub: %s", m ? m->opts : "(none)");

        /* cgroup v1 (this host is hybrid): a ro tmpfs with a bind per hierarchy. */
        struct statfs sfs;
        CHECK(statfs("/sys/fs/cgroup", &sfs) == 0, "statfs /sys/fs/cgroup");
        if (sfs.f_type == TMPFS_MAGIC) {
                CHECK((m = find_mount(after, na, MP("/sys/fs/cgroup"))) &&
                              !strcmp(m->fstype, "tmpfs") && has_opt(m->opts, "ro"),
                      "cgroup tmpfs");
                CHECK((m = find_mount(after, na, MP("/sys/fs/cgroup/memory"))) &&
                              !strcmp(m->fstype, "cgroup") && has_opt(m->opts, "ro") &&
                              has_opt(m->opts, "nosuid"),
                      "cgroup memory");
                /* Its root is our own cgroup, not the hierarchy's root. */
                _cleanup_free_ char *cg = NULL;
                CHECK(read_full_file_at(AT_FDCWD, "/proc/self/cgroup", &cg, NULL) == 0, "cgroup");
                const char *mem = strstr(cg, ":memory:");
                CHECK(mem, "no memory line");
                size_t ml = strcspn(mem + 8, "\n");
                CHECK(strlen(m->root) == ml && !strncmp(m->root, mem + 8, ml), "root %s",
                      m->root);
                CHECK(write_errno(MP("/sys/fs/cgroup/x")) == EROFS, "cgroup tmpfs writable");
                /* A hybrid host's unified hierarchy comes along under its own name. */
                if (find_mount(after, na, "/sys/fs/cgroup/unified"))
                        CHECK((m = find_mount(after, na, MP("/sys/fs/cgroup/unified"))) &&
                                      !strcmp(m->fstype, "cgroup2") && has_opt(m->opts, "ro"),
                              "cgroup unified");
        }

        /* Contents. */
        CHECK(access(MP("/data/hello"), R_OK) == 0, "/data/hello");
        CHECK(write_errno(MP("/data/new")) == EROFS, "/data writable");
        CHECK(access(MP("/etc/bound/hello"), R_OK) == 0, "/etc/bound/hello");
        CHECK(write_errno(MP("/rro/sub/new")) == (rro ? EROFS : 0), "/rro/sub writable");
        struct stat st;
        CHECK(lstat(MP("/copyup"), &st) == 0 && (st.st_mode & 07777) == 0711, "copyup mode %o",
              st.st_mode & 07777);
        CHECK(lstat(MP("/copyup/a"), &st) == 0 && (st.st_mode & 07777) == 0640 &&
                      st.st_size == 1,
              "copyup/a");
        CHECK(lstat(MP("/copyup/sub/b"), &st) == 0 && (st.st_mode & 07777) == 0600,
              "copyup/sub/b");
        check_link(rootfs, "/copyup/lnk", "a");
        check_link(rootfs, "/lnk", "../somewhere/else");

        /* Devices and /dev symlinks. */
        check_node(rootfs, "/dev/null", S_IFCHR, 1, 3, 0666, 0, 0);
        check_node(rootfs, "/dev/zero", S_IFCHR, 1, 5, 0666, 0, 0);
        check_node(rootfs, "/dev/full", S_IFCHR, 1, 7, 0666, 0, 0);
        check_node(rootfs, "/dev/random", S_IFCHR, 1, 8, 0666, 0, 0);
        check_node(rootfs, "/dev/urandom", S_IFCHR, 1, 9, 0666, 0, 0);
        check_node(rootfs, "/dev/tty", S_IFCHR, 5, 0, 0666, 0, 0);
        check_node(rootfs, "/dev/fuse", S_IFCHR, 10, 229, 0600, 1, 2);
        check_node(rootfs, "/dev/sub/fifo", S_IFIFO, 0, 0, 0666, 0, 0);
        check_link(rootfs, "/dev/fd", "/proc/self/fd");
        check_link(rootfs, "/dev/stdin", "/proc/self/fd/0");
        check_link(rootfs, "/dev/stdout", "/proc/self/fd/1");
        check_link(rootfs, "/dev/stderr", "/proc/self/fd/2");
        check_link(rootfs, "/dev/ptmx", "pts/ptmx");
        if (access("/proc/kcore", F_OK) == 0)
                check_link(rootfs, "/dev/core", "/proc/kcore");

        /* pivot_root, then the finishing touches. */
        r = rootfs_pivot(rootfs, false, &err);
        CHECK(r == 0, "rootfs_pivot: %s", cu_error_msg(err));
        char cwd[PATH_MAX];
        CHECK(getcwd(cwd, sizeof cwd) && strcmp(cwd, "/") == 0, "cwd %s", cwd);
        CHECK(access("/etc/bound/hello", R_OK) == 0, "not inside the rootfs");
        CHECK(access(base, F_OK) < 0, "the old root is still reachable");
        na = read_mounts(after, 512);
        for (size_t i = 0; i < na; i++)
                CHECK(strncmp(after[i].mountpoint, base, strlen(base)) != 0,
                      "old mount visible: %s", after[i].mountpoint);

        CHECK(write_errno("/ro/new") == 0, "/ro not writable before finalize");
        CHECK(write_errno("/rootfile") == 0, "/ not writable before finalize");
        r = rootfs_finalize(s, &err);
        CHECK(r == 0, "rootfs_finalize: %s", cu_error_msg(err));

        CHECK(write_errno("/ro/file") == EROFS, "/ro/file writable");
        CHECK(write_errno("/proc/sys/kernel/domainname") == EROFS, "/proc/sys writable");
        if (access("/proc/sysrq-trigger", F_OK) == 0)
                CHECK(write_errno("/proc/sysrq-trigger") == EROFS, "sysrq-trigger writable");
        CHECK(stat("/proc/timer_list", &st) == 0 && S_ISCHR(st.st_mode) &&
                      st.st_rdev == makedev(1, 3),
              "/proc/timer_list not masked");
        CHECK(stat("/proc/irq", &st) == 0 && S_ISDIR(st.st_mode) &&
                      access("/proc/irq/default_smp_affinity", F_OK) < 0,
              "/proc/irq not masked");
        CHECK(write_errno("/ro/new2") == EROFS, "/ro writable");
        CHECK(write_errno("/newfile") == EROFS, "/ writable with root.readonly");
        CHECK(write_errno("/dev/shm-test") == 0, "/dev should stay writable");
        CHECK(write_errno("/etc/tmpfs/x") == 0, "a tmpfs submount should stay writable");
        CHECK(access("/secret/file", F_OK) < 0 && errno == ENOENT, "/secret not masked");
        CHECK(write_errno("/secret/x") == EROFS, "/secret mask writable");
        CHECK(stat("/secretfile", &st) == 0 && S_ISCHR(st.st_mode) &&
                      st.st_rdev == makedev(1, 3),
              "/secretfile not masked");
        na = read_mounts(after, 512);
        CHECK((m = find_mount(after, na, "/")) && has_opt(m->opts, "ro"), "/ opts %s",
              m ? m->opts : "(none)");
        CHECK((m = find_mount(after, na, "/ro")) && has_opt(m->opts, "ro"), "/ro");
        CHECK((m = find_mount(after, na, "/secret")) && !strcmp(m->fstype, "tmpfs") &&
                      has_opt(m->opts, "ro"),
              "/secret");
        oci_spec_free(s);
        _exit(0);
}

/* Runs fn in a child; returns its exit status and what it wrote to the pipe. */
static int run_child(void (*fn)(int wfd), char *msg, size_t msg_len)
{
        int p[2];
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(p[0]);
                fn(p[1]);
                _exit(0);
        }
        close(p[1]);
        ssize_t k = read_all(p[0], msg, msg_len - 1);
        close(p[0]);
        msg[k > 0 ? k : 0] = '\0';
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        return WEXITSTATUS(status);
}

static void full_entry(int wfd)
{
        (void) wfd;
        child_full();
}

static int setup_base(void **state)
{
        snprintf(base, sizeof base, "/tmp/cuttle-test-rootfs-XXXXXX");
        return mkdtemp(base) ? 0 : -1;
}

static int teardown_base(void **state)
{
        /* The tmpfs lived in the children's namespaces: only the empty dir is left. */
        return rmdir(base);
}

static void require_root(void)
{
        if (geteuid() != 0)
                skip();
}

static void test_full_setup(void **state)
{
        require_root();
        char msg[16];
        assert_int_equal(run_child(full_entry, msg, sizeof msg), 0);
}

/* A one-mount spec that must fail; the child sends back the error message. */
static const char *fail_json;

static void fail_entry(int wfd)
{
        char rootfs[PATH_MAX];
        struct cu_error *err = NULL;
        child_prepare(rootfs);
        char p[PATH_MAX];
        CHECK(symlink("/etc", MP("/weird")) == 0, "symlink %s", p);
        CHECK(symlink("/proc", MP("/pl")) == 0, "symlink %s", p);
        struct oci_spec *s = child_spec("{ \"ociVersion\": \"1.1.0\", \"mounts\": [ %s ] }",
                                        fail_json);
        int r = rootfs_setup(s, rootfs, NULL, false, &err);
        CHECK(r < 0, "rootfs_setup succeeded");
        const char *m = cu_error_msg(err);
        CHECK(write_all(wfd, m, strlen(m)) == 0, "write");
        cu_error_free(err);
        oci_spec_free(s);
        _exit(0);
}

static void expect_failure(const char *mount_json, const char *want)
{
        char msg[1024];
        fail_json = mount_json;
        assert_int_equal(run_child(fail_entry, msg, sizeof msg), 0);
        assert_string_equal(msg, want);
}

static void test_errors(void **state)
{
        require_root();
        expect_failure("{ \"destination\": \"/tmp\", \"type\": \"tmpfs\", \"source\": \"tmpfs\" },"
                       "{ \"destination\": \"/sys\", \"type\": \"tmpfs\", \"source\": \"tmpfs\" },"
                       "{ \"destination\": \"/data\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
                       "  \"options\": [\"foo=bar\"] }",
                       "mounts[2] (\"/data\"): mounting \"tmpfs\" on \"/data\": Invalid argument");
        expect_failure("{ \"destination\": \"/x\", \"type\": \"nosuchfs\", \"source\": "
                       "\"nosuchfs\" }",
                       "mounts[0] (\"/x\"): mounting \"nosuchfs\" on \"/x\": No such device");
        expect_failure("{ \"destination\": \"/x\", \"type\": \"nosuchfs\", \"source\": \"none\" }",
                       "mounts[0] (\"/x\"): mounting \"none\" (type nosuchfs) on \"/x\": No such "
                       "device");
        expect_failure("{ \"destination\": \"/data\", \"type\": \"bind\", \"source\": "
                       "\"/nonexistent/dir\", \"options\": [\"rbind\"] }",
                       "mounts[0] (\"/data\"): mounting \"/nonexistent/dir\" on \"/data\": No such "
                       "file or directory");
        /* rootfs/weird is a symlink to /etc, rootfs/pl one to /proc. */
        expect_failure("{ \"destination\": \"/weird\", \"type\": \"proc\", \"source\": \"proc\" }",
                       "mounts[0] (\"/weird\"): proc must be mounted on an ordinary directory");
        expect_failure("{ \"destination\": \"/proc/cpuinfo\", \"type\": \"tmpfs\" },"
                       "{ \"destination\": \"/pl/kcore\", \"type\": \"tmpfs\" }",
                       "mounts[1] (\"/pl/kcore\"): \"/pl/kcore\" cannot be mounted because it "
                       "is inside /proc");
        expect_failure("{ \"destination\": \"/proc\", \"type\": \"tmpfs\" }",
                       "mounts[0] (\"/proc\"): \"/proc\" cannot be mounted because it is not of "
                       "type proc");
        expect_failure("{ \"destination\": \"/x\", \"type\": \"bind\", \"source\": \"/tmp\","
                       "  \"options\": [\"bind\", \"idmap\"] }",
                       "mounts[0] (\"/x\"): idmapped mounts are not supported");
}

/* in_userns: host nodes are bound instead of mknod'ed, sysfs becomes an rbind. */
static void userns_entry(int wfd)
{
        char rootfs[PATH_MAX], p[PATH_MAX];
        struct cu_error *err = NULL;
        static struct mnt after[512];
        (void) wfd;
        child_prepare(rootfs);
        struct oci_spec *s = child_spec(
                "{ \"ociVersion\": \"1.1.0\", \"mounts\": ["
                "  { \"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\" },"
                "  { \"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\","
                "    \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"] } ],"
                "  \"linux\": { \"namespaces\": [ { \"type\": \"mount\" }, { \"type\": "
                "\"user\" } ] } }");
        int r = rootfs_setup(s, rootfs, NULL, true, &err);
        CHECK(r == 0, "rootfs_setup: %s", cu_error_msg(err));
        size_t na = read_mounts(after, 512);
        const struct mnt *m;
        CHECK((m = find_mount(after, na, MP("/dev/null"))), "/dev/null not a bind mount");
        check_node(rootfs, "/dev/null", S_IFCHR, 1, 3, 0666, 0, 0);
        CHECK((m = find_mount(after, na, MP("/dev/tty"))), "/dev/tty not a bind mount");
        CHECK((m = find_mount(after, na, MP("/sys"))) && !strcmp(m->fstype, "sysfs") &&
                      has_opt(m->opts, "ro"),
              "/sys");
        /* An rbind brings the host's submounts along. */
        bool host_has = find_mount(after, na, "/sys/fs/cgroup") != NULL;
        CHECK(!host_has || find_mount(after, na, MP("/sys/fs/cgroup")),
              "/sys not an rbind of the host's");
        int fd = open(MP("/dev/null"), O_WRONLY | O_CLOEXEC);
        CHECK(fd >= 0 && write(fd, "x", 1) == 1, "writing /dev/null");
        close(fd);
        oci_spec_free(s);
        _exit(0);
}

static void test_userns_paths(void **state)
{
        require_root();
        char msg[16];
        assert_int_equal(run_child(userns_entry, msg, sizeof msg), 0);
}

/* no_pivot: MS_MOVE + chroot; and rootfsPropagation. */
static void nopivot_entry(int wfd)
{
        char rootfs[PATH_MAX];
        struct cu_error *err = NULL;
        static struct mnt after[512];
        (void) wfd;
        child_prepare(rootfs);
        struct oci_spec *s = child_spec(
                "{ \"ociVersion\": \"1.1.0\", \"mounts\": ["
                "  { \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" } ],"
                "  \"linux\": { \"rootfsPropagation\": \"rprivate\","
                "    \"maskedPaths\": [ \"/secretfile\" ] } }");
        /* Given through a symlink: mounts still land (and are checked) in the real dir. */
        char link[PATH_MAX];
        snprintf(link, sizeof link, "%s/rootlink", base);
        CHECK(symlink("rootfs", link) == 0, "symlink %s", link);
        int r = rootfs_setup(s, link, NULL, false, &err);
        CHECK(r == 0, "rootfs_setup: %s", cu_error_msg(err));
        r = rootfs_pivot(link, true, &err);
        CHECK(r == 0, "rootfs_pivot: %s", cu_error_msg(err));
        CHECK(access("/secret/file", R_OK) == 0, "not in the rootfs");
        r = rootfs_finalize(s, &err);
        CHECK(r == 0, "rootfs_finalize: %s", cu_error_msg(err));
        struct stat st;
        CHECK(stat("/secretfile", &st) == 0 && S_ISCHR(st.st_mode), "/secretfile not masked");
        size_t na = read_mounts(after, 512);
        const struct mnt *m = find_mount(after, na, "/");
        CHECK(m, "no / mount");
        /* Not shared, not a slave: no optional fields in that line. */
        FILE *f = fopen("/proc/self/mountinfo", "re");
        char line[4096];
        bool priv = false;
        while (f && fgets(line, sizeof line, f)) {
                char mp[PATH_MAX];
                if (sscanf(line, "%*d %*d %*s %*s %4095s", mp) == 1 && strcmp(mp, "/") == 0)
                        priv = !strstr(line, "shared:") && !strstr(line, "master:");
        }
        if (f)
                fclose(f);
        CHECK(priv, "/ is not private");
        oci_spec_free(s);
        _exit(0);
}

static void test_no_pivot(void **state)
{
        require_root();
        char msg[16];
        assert_int_equal(run_child(nopivot_entry, msg, sizeof msg), 0);
}

/* With a cgroup namespace, each v1 hierarchy is mounted, not bound. */
static void cgroupns_entry(int wfd)
{
        char rootfs[PATH_MAX], p[PATH_MAX];
        struct cu_error *err = NULL;
        static struct mnt after[512];
        (void) wfd;
        child_prepare(rootfs);
        CHECK(unshare(CLONE_NEWCGROUP) == 0, "unshare(CLONE_NEWCGROUP)");
        struct oci_spec *s = child_spec(
                "{ \"ociVersion\": \"1.1.0\", \"mounts\": ["
                "  { \"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": "
                "\"cgroup\", \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"] } ],"
                "  \"linux\": { \"namespaces\": [ { \"type\": \"mount\" }, { \"type\": "
                "\"cgroup\" } ] } }");
        int r = rootfs_setup(s, rootfs, NULL, false, &err);
        CHECK(r == 0, "rootfs_setup: %s", cu_error_msg(err));
        size_t na = read_mounts(after, 512);
        const struct mnt *m;
        struct statfs sfs;
        CHECK(statfs("/sys/fs/cgroup", &sfs) == 0, "statfs");
        if (sfs.f_type == TMPFS_MAGIC) {
                CHECK((m = find_mount(after, na, MP("/sys/fs/cgroup"))) &&
                              !strcmp(m->fstype, "tmpfs") && has_opt(m->opts, "ro"),
                      "cgroup tmpfs");
                CHECK((m = find_mount(after, na, MP("/sys/fs/cgroup/memory"))) &&
                              !strcmp(m->fstype, "cgroup") && has_opt(m->opts, "ro") &&
                              !strcmp(m->root, "/"),
                      "memory: %s %s", m ? m->fstype : "-", m ? m->root : "-");
                if (find_mount(after, na, "/sys/fs/cgroup/systemd"))
                        CHECK((m = find_mount(after, na, MP("/sys/fs/cgroup/systemd"))) &&
                                      !strcmp(m->fstype, "cgroup"),
                              "named hierarchy");
                if (find_mount(after, na, "/sys/fs/cgroup/unified"))
                        CHECK((m = find_mount(after, na, MP("/sys/fs/cgroup/unified"))) &&
                                      !strcmp(m->fstype, "cgroup2"),
                              "unified");
        } else {
                CHECK((m = find_mount(after, na, MP("/sys/fs/cgroup"))) &&
                              !strcmp(m->fstype, "cgroup2") && has_opt(m->opts, "ro"),
                      "cgroup2");
        }
        oci_spec_free(s);
        _exit(0);
}

static void test_cgroupns(void **state)
{
        require_root();
        char msg[16];
        assert_int_equal(run_child(cgroupns_entry, msg, sizeof msg), 0);
}

/* ---- inside a real user namespace: locked mount flags, no mknod ---- */

/* In the child: runs fn in a grandchild that has its own user namespace
 * (ids 0-65535 mapped to the same host ids) and mount namespace, after
 * a nosuid,nodev,noexec tmpfs was mounted at <base>/locked (locked there). */
static void in_userns(void (*fn)(const char *rootfs))
{
        char rootfs[PATH_MAX], p[PATH_MAX];
        child_prepare(rootfs);
        snprintf(p, sizeof p, "%s/locked", base);
        CHECK(mkdir(p, 0755) == 0, "mkdir %s", p);
        CHECK(mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0, "tmpfs");
        snprintf(p, sizeof p, "%s/locked/f", base);
        put_file(p, "locked\n", 0644);

        int go[2], ready[2];
        CHECK(pipe2(go, O_CLOEXEC) == 0 && pipe2(ready, O_CLOEXEC) == 0, "pipe");
        pid_t pid = fork();
        CHECK(pid >= 0, "fork");
        if (pid == 0) {
                char c;
                CHECK(unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0, "unshare");
                CHECK(write(ready[1], "r", 1) == 1, "write");
                CHECK(read(go[0], &c, 1) == 1, "waiting for the id maps");
                CHECK(setresgid(0, 0, 0) == 0 && setresuid(0, 0, 0) == 0, "setresuid");
                CHECK(mount(NULL, "/", "", MS_REC | MS_PRIVATE, NULL) == 0, "making / private");
                fn(rootfs);
                _exit(0);
        }
        char c;
        CHECK(read(ready[0], &c, 1) == 1, "waiting for the user namespace");
        static const char *const maps[] = { "uid_map", "gid_map" };
        for (size_t i = 0; i < 2; i++) {
                snprintf(p, sizeof p, "/proc/%d/%s", (int) pid, maps[i]);
                CHECK(write_string_file(p, "0 0 65536") == 0, "writing %s", p);
        }
        CHECK(write(go[1], "g", 1) == 1, "write");
        int status = 0;
        CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
        _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 99);
}

#define USERNS_SPEC \
        "{ \"ociVersion\": \"1.1.0\", \"root\": { \"path\": \"rootfs\", \"readonly\": true }," \
        "  \"mounts\": [" \
        "  { \"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"," \
        "    \"options\": [\"nosuid\", \"strictatime\", \"mode=755\"] }," \
        "  { \"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\"," \
        "    \"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\"," \
        "                  \"mode=0620\", \"gid=5\"] }," \
        "  { \"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\"," \
        "    \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"] }," \
        "  { \"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\"," \
        "    \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"] }," \
        "  { \"destination\": \"/data\", \"type\": \"bind\", \"source\": \"%s/locked\"," \
        "    \"options\": [\"rbind\", \"ro\"] } ]," \
        "  \"linux\": {" \
        "    \"namespaces\": [ { \"type\": \"mount\" }, { \"type\": \"user\" } ]," \
        "    \"maskedPaths\": [ \"/secret\", \"/secretfile\" ]," \
        "    \"readonlyPaths\": [ \"/ro\" ] } }"

static void userns_real(const char *rootfs)
{
        char p[PATH_MAX];
        struct cu_error *err = NULL;
        static struct mnt after[512];
        struct oci_spec *s = child_spec(USERNS_SPEC, base);
        int r = rootfs_setup(s, rootfs, NULL, true, &err);
        CHECK(r == 0, "rootfs_setup: %s", cu_error_msg(err));

        size_t na = read_mounts(after, 512);
        const struct mnt *m;
        /* ro asked for; the locked nosuid,nodev,noexec kept. */
        CHECK((m = find_mount(after, na, MP("/data"))) && has_opt(m->opts, "ro") &&
                      has_opt(m->opts, "nosuid") && has_opt(m->opts, "nodev") &&
                      has_opt(m->opts, "noexec"),
              "/data: %s", m ? m->opts : "(none)");
        CHECK(write_errno(MP("/data/new")) == EROFS, "/data writable");
        CHECK((m = find_mount(after, na, MP("/sys"))) && !strcmp(m->fstype, "sysfs") &&
                      has_opt(m->opts, "ro"),
              "/sys");
        CHECK((m = find_mount(after, na, MP("/dev/pts"))) && !strcmp(m->fstype, "devpts"),
              "/dev/pts");
        CHECK(find_mount(after, na, MP("/dev/null")), "/dev/null not bound from the host");
        check_node(rootfs, "/dev/null", S_IFCHR, 1, 3, 0666, 0, 0);
        check_node(rootfs, "/dev/urandom", S_IFCHR, 1, 9, 0666, 0, 0);
        check_link(rootfs, "/dev/ptmx", "pts/ptmx");
        struct statfs sfs;
        if (statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == TMPFS_MAGIC)
                CHECK((m = find_mount(after, na, MP("/sys/fs/cgroup/memory"))) &&
                              has_opt(m->opts, "ro"),
                      "cgroup memory");

        r = rootfs_pivot(rootfs, false, &err);
        CHECK(r == 0, "rootfs_pivot: %s", cu_error_msg(err));
        /* No /proc in this container: finalize works on plain paths. */
        r = rootfs_finalize(s, &err);
        CHECK(r == 0, "rootfs_finalize: %s", cu_error_msg(err));
        CHECK(write_errno("/newfile") == EROFS, "/ writable");
        CHECK(write_errno("/ro/file") == EROFS, "/ro writable");
        CHECK(access("/secret/file", F_OK) < 0, "/secret not masked");
        struct stat st;
        CHECK(stat("/secretfile", &st) == 0 && S_ISCHR(st.st_mode), "/secretfile not masked");
        oci_spec_free(s);
}

static void userns_real_entry(int wfd)
{
        (void) wfd;
        in_userns(userns_real);
}

static void test_real_userns(void **state)
{
        require_root();
        char msg[16];
        assert_int_equal(run_child(userns_real_entry, msg, sizeof msg), 0);
}

/* "exec" on a bind whose source is locked noexec cannot be honoured. */
static int userns_fail_fd = -1;

static void userns_locked(const char *rootfs)
{
        struct cu_error *err = NULL;
        struct oci_spec *s = child_spec(
                "{ \"ociVersion\": \"1.1.0\", \"mounts\": ["
                "  { \"destination\": \"/data\", \"type\": \"bind\", \"source\": \"%s/locked\","
                "    \"options\": [\"bind\", \"exec\"] } ] }",
                base);
        int r = rootfs_setup(s, rootfs, NULL, true, &err);
        CHECK(r == -EPERM, "rootfs_setup: %d", r);
        const char *m = cu_error_msg(err);
        CHECK(write_all(userns_fail_fd, m, strlen(m)) == 0, "write");
        cu_error_free(err);
        oci_spec_free(s);
}

static void userns_locked_entry(int wfd)
{
        userns_fail_fd = wfd;
        in_userns(userns_locked);
}

static void test_userns_locked(void **state)
{
        require_root();
        char msg[1024];
        assert_int_equal(run_child(userns_locked_entry, msg, sizeof msg), 0);
        assert_string_equal(msg, "mounts[0] (\"/data\"): remounting \"/data\": Operation not "
                                 "permitted");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_default_list),
                cmocka_unit_test(test_type_mode),
                cmocka_unit_test(test_plan),
                cmocka_unit_test(test_full_setup),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_userns_paths),
                cmocka_unit_test(test_no_pivot),
                cmocka_unit_test(test_cgroupns),
                cmocka_unit_test(test_real_userns),
                cmocka_unit_test(test_userns_locked),
        };
        return cmocka_run_group_tests(tests, setup_base, teardown_base);
}
