/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include <cmocka.h>

#include "runtime/mount-opts.h"

/* Parses a literal list; the caller frees with mount_opts_done(). */
#define PARSE(o, ...)                                                                              \
        do {                                                                                       \
                char *_v[] = { __VA_ARGS__, NULL };                                                \
                assert_int_equal(mount_opts_parse(_v, (o)), 0);                                    \
        } while (0)

static void test_empty(void **state)
{
        struct mount_opts o;
        assert_int_equal(mount_opts_parse(NULL, &o), 0);
        assert_int_equal(o.flags, 0);
        assert_int_equal(o.cleared, 0);
        assert_int_equal(o.n_propagation, 0);
        assert_null(o.propagation);
        assert_null(o.data);
        assert_int_equal(o.ext, 0);
        assert_false(mount_opts_has_attr(&o));
        assert_false(mount_opts_is_bind(&o));
        mount_opts_done(&o);

        char *none[] = { NULL };
        assert_int_equal(mount_opts_parse(none, &o), 0);
        assert_int_equal(o.flags, 0);
        assert_null(o.data);
        mount_opts_done(&o);

        /* Empty strings and "defaults" change nothing and are not data. */
        PARSE(&o, "", "defaults", "");
        assert_int_equal(o.flags, 0);
        assert_null(o.data);
        mount_opts_done(&o);
}

struct flag_case {
        const char *opt;
        unsigned long set, cleared;
};

static void test_each_flag(void **state)
{
        static const struct flag_case cases[] = {
                { "ro", MS_RDONLY, 0 },
                { "rw", 0, MS_RDONLY },
                { "nosuid", MS_NOSUID, 0 },
                { "suid", 0, MS_NOSUID },
                { "nodev", MS_NODEV, 0 },
                { "dev", 0, MS_NODEV },
                { "noexec", MS_NOEXEC, 0 },
                { "exec", 0, MS_NOEXEC },
                { "sync", MS_SYNCHRONOUS, 0 },
                { "async", 0, MS_SYNCHRONOUS },
                { "dirsync", MS_DIRSYNC, 0 },
                { "remount", MS_REMOUNT, 0 },
                { "mand", MS_MANDLOCK, 0 },
                { "nomand", 0, MS_MANDLOCK },
                { "noatime", MS_NOATIME, 0 },
                { "atime", 0, MS_NOATIME },
                { "nodiratime", MS_NODIRATIME, 0 },
                { "diratime", 0, MS_NODIRATIME },
                { "relatime", MS_RELATIME, 0 },
                { "norelatime", 0, MS_RELATIME },
                { "strictatime", MS_STRICTATIME, 0 },
                { "nostrictatime", 0, MS_STRICTATIME },
                { "lazytime", MS_LAZYTIME, 0 },
                { "nolazytime", 0, MS_LAZYTIME },
                { "bind", MS_BIND, 0 },
                { "rbind", MS_BIND | MS_REC, 0 },
                { "acl", MS_POSIXACL, 0 },
                { "noacl", 0, MS_POSIXACL },
                { "iversion", MS_I_VERSION, 0 },
                { "noiversion", 0, MS_I_VERSION },
                { "silent", MS_SILENT, 0 },
                { "loud", 0, MS_SILENT },
                { "nosymfollow", MS_NOSYMFOLLOW, 0 },
                { "symfollow", 0, MS_NOSYMFOLLOW },
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                struct mount_opts o;
                char *v[] = { (char *) cases[i].opt, NULL };
                assert_int_equal(mount_opts_parse(v, &o), 0);
                if (o.flags != cases[i].set || o.cleared != cases[i].cleared || o.data)
                        fail_msg("option \"%s\": flags %#lx cleared %#lx data %s", cases[i].opt,
                                 o.flags, o.cleared, o.data ? o.data : "(null)");
                mount_opts_done(&o);
        }
}

static void test_last_wins(void **state)
{
        struct mount_opts o;

        PARSE(&o, "ro", "rw");
        assert_int_equal(o.flags, 0);
        assert_int_equal(o.cleared, MS_RDONLY);
        mount_opts_done(&o);

        PARSE(&o, "rw", "ro");
        assert_int_equal(o.flags, MS_RDONLY);
        assert_int_equal(o.cleared, 0);
        mount_opts_done(&o);

        PARSE(&o, "nosuid", "suid", "nodev", "exec", "noexec");
        assert_int_equal(o.flags, MS_NODEV | MS_NOEXEC);
        assert_int_equal(o.cleared, MS_NOSUID);
        mount_opts_done(&o);
}

static void test_typical_podman(void **state)
{
        struct mount_opts o;

        /* /proc */
        PARSE(&o, "nosuid", "noexec", "nodev");
        assert_int_equal(o.flags, MS_NOSUID | MS_NOEXEC | MS_NODEV);
        assert_null(o.data);
        mount_opts_done(&o);

        /* /dev */
        PARSE(&o, "nosuid", "strictatime", "mode=755", "size=65536k");
        assert_int_equal(o.flags, MS_NOSUID | MS_STRICTATIME);
        assert_string_equal(o.data, "mode=755,size=65536k");
        mount_opts_done(&o);

        /* /dev/pts */
        PARSE(&o, "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5");
        assert_int_equal(o.flags, MS_NOSUID | MS_NOEXEC);
        assert_string_equal(o.data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
        mount_opts_done(&o);

        /* /sys/fs/cgroup */
        PARSE(&o, "nosuid", "noexec", "nodev", "relatime", "ro");
        assert_int_equal(o.flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME | MS_RDONLY);
        mount_opts_done(&o);

        /* a volume */
        PARSE(&o, "rbind", "rprivate", "nosuid", "nodev", "ro");
        assert_true(mount_opts_is_bind(&o));
        assert_int_equal(o.flags, MS_BIND | MS_REC | MS_NOSUID | MS_NODEV | MS_RDONLY);
        assert_int_equal(o.n_propagation, 1);
        assert_int_equal(o.propagation[0], MS_PRIVATE | MS_REC);
        assert_null(o.data);
        mount_opts_done(&o);

        /* /dev/shm */
        PARSE(&o, "nosuid", "noexec", "nodev", "mode=1777", "size=65536000");
        assert_string_equal(o.data, "mode=1777,size=65536000");
        mount_opts_done(&o);
}

static void test_propagation_list(void **state)
{
        struct mount_opts o;

        PARSE(&o, "private", "rshared", "slave", "rslave", "unbindable", "runbindable",
              "shared", "rprivate");
        assert_int_equal(o.n_propagation, 8);
        const unsigned long want[] = {
                MS_PRIVATE,          MS_SHARED | MS_REC, MS_SLAVE,
                MS_SLAVE | MS_REC,   MS_UNBINDABLE,      MS_UNBINDABLE | MS_REC,
                MS_SHARED,           MS_PRIVATE | MS_REC,
        };
        for (size_t i = 0; i < 8; i++)
                assert_int_equal(o.propagation[i], want[i]);
        /* Propagation never leaks into the mount flags or data. */
        assert_int_equal(o.flags, 0);
        assert_null(o.data);
        mount_opts_done(&o);

        /* Repeats are kept, in order. */
        PARSE(&o, "bind", "shared", "shared");
        assert_int_equal(o.flags, MS_BIND);
        assert_int_equal(o.n_propagation, 2);
        mount_opts_done(&o);
}

static void test_propagation_from_string(void **state)
{
        unsigned long f = 0;
        assert_int_equal(mount_propagation_from_string("rslave", &f), 0);
        assert_int_equal(f, MS_SLAVE | MS_REC);
        assert_int_equal(mount_propagation_from_string("private", &f), 0);
        assert_int_equal(f, MS_PRIVATE);
        assert_int_equal(mount_propagation_from_string("runbindable", &f), 0);
        assert_int_equal(f, MS_UNBINDABLE | MS_REC);
        f = 42;
        assert_int_equal(mount_propagation_from_string("", &f), -EINVAL);
        assert_int_equal(mount_propagation_from_string("rro", &f), -EINVAL);
        assert_int_equal(mount_propagation_from_string(NULL, &f), -EINVAL);
        assert_int_equal(f, 42);
}

static void test_data(void **state)
{
        struct mount_opts o;

        /* Unknown options go to data in order, flags and propagation in between skipped. */
        PARSE(&o, "size=10m", "ro", "foo=bar", "rslave", "uid=1000", "tmpcopyup", "x");
        assert_string_equal(o.data, "size=10m,foo=bar,uid=1000,x");
        assert_int_equal(o.flags, MS_RDONLY);
        assert_int_equal(o.n_propagation, 1);
        assert_int_equal(o.ext, MOUNT_EXT_TMPCOPYUP);
        mount_opts_done(&o);

        PARSE(&o, "lowerdir=/a:/b", "upperdir=/u", "workdir=/w");
        assert_string_equal(o.data, "lowerdir=/a:/b,upperdir=/u,workdir=/w");
        mount_opts_done(&o);

        /* Case matters: "RO" is not "ro". */
        PARSE(&o, "RO");
        assert_int_equal(o.flags, 0);
        assert_string_equal(o.data, "RO");
        mount_opts_done(&o);
}

static void test_recursive_attrs(void **state)
{
        struct mount_opts o;

        PARSE(&o, "rbind", "rro", "rnosuid", "rnodev", "rnoexec");
        assert_true(mount_opts_has_attr(&o));
        assert_int_equal(o.attr_set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                             MOUNT_ATTR_NOEXEC);
        assert_int_equal(o.attr_clr, 0);
        assert_int_equal(o.flags, MS_BIND | MS_REC);
        assert_null(o.data);
        mount_opts_done(&o);

        PARSE(&o, "rro", "rrw");
        assert_int_equal(o.attr_set, 0);
        assert_int_equal(o.attr_clr, MOUNT_ATTR_RDONLY);
        mount_opts_done(&o);

        PARSE(&o, "rsuid", "rdev", "rexec", "rdiratime", "rsymfollow");
        assert_int_equal(o.attr_set, 0);
        assert_int_equal(o.attr_clr, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
                                             MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW);
        mount_opts_done(&o);

        /* An atime mode also clears the whole atime field. */
        PARSE(&o, "rnoatime");
        assert_int_equal(o.attr_set, MOUNT_ATTR_NOATIME);
        assert_int_equal(o.attr_clr, MOUNT_ATTR__ATIME);
        mount_opts_done(&o);

        PARSE(&o, "rstrictatime");
        assert_int_equal(o.attr_set, MOUNT_ATTR_STRICTATIME);
        assert_int_equal(o.attr_clr, MOUNT_ATTR__ATIME);
        mount_opts_done(&o);

        /* relatime is 0 in the field: nothing set, the field cleared. */
        PARSE(&o, "rrelatime");
        assert_int_equal(o.attr_set, MOUNT_ATTR_RELATIME);
        assert_int_equal(o.attr_clr, MOUNT_ATTR__ATIME);
        assert_true(mount_opts_has_attr(&o));
        mount_opts_done(&o);

        PARSE(&o, "rnodiratime", "rnosymfollow");
        assert_int_equal(o.attr_set, MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW);
        assert_int_equal(o.attr_clr, 0);
        mount_opts_done(&o);

        /* ro and rro are independent. */
        PARSE(&o, "ro", "rro");
        assert_int_equal(o.flags, MS_RDONLY);
        assert_int_equal(o.attr_set, MOUNT_ATTR_RDONLY);
        mount_opts_done(&o);
}

static void test_extensions(void **state)
{
        struct mount_opts o;

        PARSE(&o, "tmpcopyup");
        assert_int_equal(o.ext, MOUNT_EXT_TMPCOPYUP);
        assert_null(o.data);
        mount_opts_done(&o);

        PARSE(&o, "bind", "idmap");
        assert_int_equal(o.ext, MOUNT_EXT_IDMAP);
        mount_opts_done(&o);

        PARSE(&o, "rbind", "ridmap");
        assert_int_equal(o.ext, MOUNT_EXT_IDMAP | MOUNT_EXT_RIDMAP);
        mount_opts_done(&o);

        PARSE(&o, "bind", "copy-symlink", "src-nofollow");
        assert_int_equal(o.ext, MOUNT_EXT_COPY_SYMLINK | MOUNT_EXT_SRC_NOFOLLOW);
        assert_int_equal(o.flags, MS_BIND);
        assert_null(o.data);
        mount_opts_done(&o);

        /* Options with a value are never extensions. */
        PARSE(&o, "idmap=uids=0-1000-10");
        assert_int_equal(o.ext, 0);
        assert_string_equal(o.data, "idmap=uids=0-1000-10");
        mount_opts_done(&o);
}

static void test_statfs_flags(void **state)
{
        assert_int_equal(mount_flags_from_statfs(ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC |
                                                 ST_RELATIME),
                         MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME);
        assert_int_equal(mount_flags_from_statfs(ST_NOATIME | ST_NODIRATIME),
                         MS_NOATIME | MS_NODIRATIME);
        /* No atime flag at all: strictatime. */
        assert_int_equal(mount_flags_from_statfs(0), MS_STRICTATIME);
        assert_int_equal(mount_flags_from_statfs(ST_SYNCHRONOUS | ST_MANDLOCK | ST_RELATIME),
                         MS_SYNCHRONOUS | MS_MANDLOCK | MS_RELATIME);
        assert_int_equal(mount_flags_from_statfs(0x2000 | ST_RELATIME),
                         MS_NOSYMFOLLOW | MS_RELATIME);
}

static void test_remount_retry(void **state)
{
        unsigned long f = 0;
        const unsigned long base = MS_BIND | MS_REMOUNT;

        /* ro on a nosuid,nodev,relatime source: keep them. */
        assert_int_equal(mount_remount_retry_flags(base | MS_RDONLY, 0,
                                                   MS_NOSUID | MS_NODEV | MS_RELATIME, &f),
                         0);
        assert_int_equal(f, base | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_RELATIME);

        /* A locked ro source with nothing said about rw: stays ro. */
        assert_int_equal(mount_remount_retry_flags(base | MS_NOEXEC, 0, MS_RDONLY | MS_NOATIME,
                                                   &f),
                         0);
        assert_int_equal(f, base | MS_NOEXEC | MS_RDONLY | MS_NOATIME);

        /* "rw" asked explicitly on a read-only source: cannot be honoured. */
        f = 7;
        assert_int_equal(mount_remount_retry_flags(base, MS_RDONLY, MS_RDONLY | MS_RELATIME, &f),
                         -EPERM);
        assert_int_equal(f, 7);
        /* "suid" on a nosuid source. */
        assert_int_equal(mount_remount_retry_flags(base, MS_NOSUID, MS_NOSUID | MS_RELATIME, &f),
                         -EPERM);
        /* "exec" on an exec source is fine. */
        assert_int_equal(mount_remount_retry_flags(base, MS_NOEXEC, MS_NODEV | MS_RELATIME, &f),
                         0);
        assert_int_equal(f, base | MS_NODEV | MS_RELATIME);

        /* Asking for the atime mode the mount already has is fine. */
        assert_int_equal(mount_remount_retry_flags(base | MS_RELATIME, 0, MS_RELATIME | MS_NODEV,
                                                   &f),
                         0);
        assert_int_equal(f, base | MS_RELATIME | MS_NODEV);
        /* A different one is not. */
        assert_int_equal(mount_remount_retry_flags(base | MS_NOATIME, 0, MS_RELATIME, &f),
                         -EPERM);
        assert_int_equal(mount_remount_retry_flags(base | MS_STRICTATIME, 0, MS_NOATIME, &f),
                         -EPERM);
        /* Non-lockable current flags (sync) are not copied. */
        assert_int_equal(mount_remount_retry_flags(base, 0, MS_SYNCHRONOUS | MS_RELATIME, &f),
                         0);
        assert_int_equal(f, base | MS_RELATIME);
}

static void test_names(void **state)
{
        const char *const *names = mount_opts_names();
        size_t n = 0;
        for (const char *const *i = names; *i; i++, n++) {
                /* Every known name is understood: none of them is passed on as data. */
                struct mount_opts o;
                char *v[] = { (char *) *i, NULL };
                assert_int_equal(mount_opts_parse(v, &o), 0);
                if (o.data)
                        fail_msg("\"%s\" became data", *i);
                mount_opts_done(&o);
                for (const char *const *j = names; j < i; j++)
                        if (strcmp(*i, *j) == 0)
                                fail_msg("\"%s\" listed twice", *i);
        }
        assert_int_equal(n, 35 + 8 + 18 + 5);
        assert_ptr_equal(mount_opts_names(), names);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_each_flag),
                cmocka_unit_test(test_last_wins),
                cmocka_unit_test(test_typical_podman),
                cmocka_unit_test(test_propagation_list),
                cmocka_unit_test(test_propagation_from_string),
                cmocka_unit_test(test_data),
                cmocka_unit_test(test_recursive_attrs),
                cmocka_unit_test(test_extensions),
                cmocka_unit_test(test_statfs_flags),
                cmocka_unit_test(test_remount_retry),
                cmocka_unit_test(test_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
