/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Layer extraction.  Every test extracts into <base>/n1/n2/n3/dest, beside a canary file
 * <base>/canary, and checks at the end that nothing outside dest changed (deep enough that
 * ".." escapes of a broken implementation land inside <base>) and that no host canary
 * appeared.  The hostile corpus runs twice: with openat2 and with path.c's fallback.
 * Well-formed layers are written with libarchive (pax), malformed ones header by header.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <linux/openat2.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cmocka.h>

#include "storage/unpack.h"
#include "util/fileio.h"
#include "util/path.h"

static char base[PATH_MAX / 2], destdir[PATH_MAX];
static int destfd = -EBADF;
static bool as_root, have_openat2; /* valgrind 3.19 does not know openat2 (ENOSYS) */
static const char *const host_canaries[] = { "/cuttle-unpack-escape", "/tmp/cuttle-unpack-escape",
                                             "/etc/cuttle-unpack-escape" };
static struct unpack_opts vfs, overlay = { .overlay_whiteouts = true }; /* no_chown unprivileged */

_printf_(1, 2) static const char *D(const char *fmt, ...)
{
        static char bufs[8][PATH_MAX];
        static unsigned n;
        char *b = bufs[n++ % ELEMENTSOF(bufs)];
        int k = snprintf(b, PATH_MAX, "%s/", destdir);
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(b + k, PATH_MAX - (size_t) k, fmt, ap);
        va_end(ap);
        return b;
}

static bool exists(const char *p)
{
        struct stat st;
        return lstat(p, &st) == 0;
}

static void put(const char *p, const char *content)
{
        _cleanup_close_ int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                fail_msg("create %s: %m", p);
        assert_int_equal(write_all(fd, content, strlen(content)), 0);
}

static void mk(const char *p)
{
        if (mkdir(p, 0755) < 0)
                fail_msg("mkdir %s: %m", p);
}

static void assert_content(const char *p, const char *want)
{
        _cleanup_free_ char *got = NULL;
        size_t len;
        if (read_full_file(p, &got, &len, NULL) < 0)
                fail_msg("read %s: %m", p);
        assert_string_equal(got, want);
}

/* ---- building layers ---- */

struct buf {
        uint8_t *p;
        size_t len, cap;
};

static void buf_add(struct buf *b, const void *d, size_t n)
{
        if (n == 0)
                return;
        if (b->len + n > b->cap) {
                b->cap = (b->len + n) * 2;
                b->p = realloc(b->p, b->cap);
                assert_non_null(b->p);
        }
        memcpy(b->p + b->len, d, n);
        b->len += n;
}

static void buf_free(struct buf *b)
{
        free(b->p);
        *b = (struct buf){ 0 };
}

struct xa {
        const char *name;
        const void *val;
        size_t len;
};

struct ent {
        char type; /* f file, d dir, l symlink, h hardlink, p fifo, c/b device */
        const char *name;
        const char *data; /* content or link target */
        mode_t mode;
        uid_t uid;
        gid_t gid;
        time_t mtime;
        long nsec;
        struct xa xattrs[3];
        unsigned maj, min;
};

static la_ssize_t write_cb(struct archive *a, void *data, const void *p, size_t n)
{
        buf_add(data, p, n);
        return (la_ssize_t) n;
}

static void build_pax(struct buf *out, const struct ent *ents, size_t n)
{
        static const struct {
                char c;
                mode_t t;
        } types[] = { { 'f', AE_IFREG }, { 'd', AE_IFDIR }, { 'l', AE_IFLNK }, { 'h', AE_IFREG },
                      { 'p', AE_IFIFO }, { 'c', AE_IFCHR }, { 'b', AE_IFBLK } };
        struct archive *a = archive_write_new();
        assert_int_equal(archive_write_set_format_pax(a), ARCHIVE_OK);
        assert_int_equal(archive_write_open(a, out, NULL, write_cb, NULL), ARCHIVE_OK);
        for (size_t i = 0; i < n; i++) {
                const struct ent *x = &ents[i];
                struct archive_entry *e = archive_entry_new();
                archive_entry_set_pathname(e, x->name);
                for (size_t k = 0; k < ELEMENTSOF(types); k++)
                        if (types[k].c == x->type)
                                archive_entry_set_filetype(e, types[k].t);
                archive_entry_set_perm(e, x->mode ? x->mode : x->type == 'd' ? 0755 : 0644);
                archive_entry_set_uid(e, x->uid);
                archive_entry_set_gid(e, x->gid);
                archive_entry_set_mtime(e, x->mtime ? x->mtime : 1600000000, x->nsec);
                if (x->type == 'l')
                        archive_entry_set_symlink(e, x->data);
                if (x->type == 'h')
                        archive_entry_set_hardlink(e, x->data);
                if (x->type == 'c' || x->type == 'b') {
                        archive_entry_set_rdevmajor(e, x->maj);
                        archive_entry_set_rdevminor(e, x->min);
                }
                size_t len = x->type == 'f' && x->data ? strlen(x->data) : 0;
                archive_entry_set_size(e, (la_int64_t) len);
                for (size_t k = 0; k < ELEMENTSOF(x->xattrs) && x->xattrs[k].name; k++)
                        archive_entry_xattr_add_entry(e, x->xattrs[k].name, x->xattrs[k].val,
                                                      x->xattrs[k].len);
                assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
                if (len)
                        assert_int_equal(archive_write_data(a, x->data, len), (la_ssize_t) len);
                archive_entry_free(e);
        }
        assert_int_equal(archive_write_close(a), ARCHIVE_OK);
        archive_write_free(a);
}

/* A ustar header written by hand: size is what it declares, data what follows (padded). */
static void raw_entry(struct buf *b, const char *name, char type, const char *link,
                      const char *data, uint64_t size)
{
        char h[512] = { 0 };
        strncpy(h, name, 100);
        memcpy(h + 100, type == '5' ? "0000755" : "0000644", 8);
        memcpy(h + 108, "0000000", 8);
        memcpy(h + 116, "0000000", 8);
        snprintf(h + 124, 12, "%011llo", (unsigned long long) (size & 077777777777ull));
        memcpy(h + 136, "14000000000", 12);
        memset(h + 148, ' ', 8);
        h[156] = type;
        if (link)
                strncpy(h + 157, link, 100);
        memcpy(h + 257, "ustar\0" "00", 8);
        unsigned sum = 0;
        for (size_t i = 0; i < 512; i++)
                sum += (uint8_t) h[i];
        snprintf(h + 148, 7, "%06o", sum & 0777777);
        buf_add(b, h, 512);
        size_t n = data ? strlen(data) : 0;
        static const char zero[512];
        buf_add(b, data, n);
        buf_add(b, zero, (512 - n % 512) % 512);
}

static void raw_end(struct buf *b)
{
        static const char zero[1024];
        buf_add(b, zero, sizeof zero);
}

static void gzip_buf(struct buf *out, const uint8_t *p, size_t n)
{
        z_stream z = { 0 };
        assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
        size_t cap = deflateBound(&z, n);
        uint8_t *tmp = malloc(cap);
        z.next_in = (uint8_t *) p;
        z.avail_in = (uInt) n;
        z.next_out = tmp;
        z.avail_out = (uInt) cap;
        assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
        buf_add(out, tmp, cap - z.avail_out);
        deflateEnd(&z);
        free(tmp);
}

static void zstd_buf(struct buf *out, const uint8_t *p, size_t n)
{
        size_t cap = ZSTD_compressBound(n);
        uint8_t *tmp = malloc(cap);
        size_t k = ZSTD_compress(tmp, cap, p, n, 3);
        assert_false(ZSTD_isError(k));
        buf_add(out, tmp, k);
        free(tmp);
}

/* ---- extracting ---- */

static int unpack(const struct buf *b, const struct unpack_opts *o, struct unpack_result *res,
                  char **ret_msg)
{
        _cleanup_close_ int fd = memfd_create("layer", MFD_CLOEXEC);
        assert_true(fd >= 0);
        if (b->len)
                assert_int_equal(write_all(fd, b->p, b->len), 0);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        _cleanup_error_ struct cu_error *err = NULL;
        int r = layer_unpack(fd, destfd, o, res, &err);
        if (r < 0) {
                assert_non_null(err);
                if (ret_msg)
                        *ret_msg = strdup(cu_error_msg(err));
        } else {
                assert_null(err);
                /* it read everything */
                assert_int_equal(lseek(fd, 0, SEEK_CUR), (off_t) b->len);
        }
        return r;
}

static void unpack_ok(const struct buf *b, const struct unpack_opts *o)
{
        _cleanup_free_ char *msg = NULL;
        if (unpack(b, o, NULL, &msg) < 0) /* the end of long messages: cmocka cuts them */
                fail_msg("layer_unpack: %s", msg + (strlen(msg) > 300 ? strlen(msg) - 300 : 0));
}

static void unpack_fails(const struct buf *b, const struct unpack_opts *o, const char *substr)
{
        _cleanup_free_ char *msg = NULL;
        int r = unpack(b, o, NULL, &msg);
        if (r >= 0)
                fail_msg("layer_unpack succeeded, expected \"%s\"", substr);
        if (!strstr(msg, substr))
                fail_msg("error \"%s\" does not contain \"%s\"", msg, substr);
}

/* ---- containment ---- */

static int nftw_rm(const char *p, const struct stat *st, int flag, struct FTW *f)
{
        return remove(p) < 0 ? -1 : 0;
}

static int n_outside;

static int nftw_count(const char *p, const struct stat *st, int flag, struct FTW *f)
{
        if (strcmp(p, destdir) == 0)
                return FTW_SKIP_SUBTREE;
        n_outside++;
        return FTW_CONTINUE;
}

/* <base> holds only base, canary, n1, n2, n3 (and dest); canary is intact; no host canary. */
static void assert_contained(void)
{
        n_outside = 0;
        assert_int_equal(nftw(base, nftw_count, 16, FTW_PHYS | FTW_ACTIONRETVAL), 0);
        assert_int_equal(n_outside, 5);
        struct stat st;
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/canary", base);
        assert_int_equal(lstat(p, &st), 0);
        assert_int_equal(st.st_nlink, 1);
        assert_int_equal(st.st_mode, S_IFREG | 0644);
        assert_content(p, "host");
        for (size_t i = 0; i < ELEMENTSOF(host_canaries); i++)
                if (exists(host_canaries[i])) {
                        (void) nftw(host_canaries[i], nftw_rm, 16, FTW_DEPTH | FTW_PHYS);
                        fail_msg("%s was created on the host", host_canaries[i]);
                }
}

static int setup(void **state)
{
        char tmpl[PATH_MAX / 2];
        snprintf(tmpl, sizeof tmpl, "%s/cuttle-test-unpack-XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        if (!mkdtemp(tmpl) || !realpath(tmpl, base))
                return -1;
        snprintf(destdir, sizeof destdir, "%s/n1/n2/n3/dest", base);
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/canary", base);
        put(p, "host");
        if (mkdir_p(destdir, 0755) < 0)
                return -1;
        destfd = open(destdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        path_force_fallback(state && *state && *(bool *) *state);
        return destfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
        destfd = safe_close(destfd);
        path_force_fallback(false);
        return rm_rf(base) == 0 ? 0 : -1;
}

/* ---- well-formed layers ---- */

static void assert_stat(const char *p, mode_t mode, uid_t uid, gid_t gid, time_t sec, long nsec)
{
        struct stat st;
        if (lstat(p, &st) < 0)
                fail_msg("lstat %s: %m", p);
        if (st.st_mode != mode)
                fail_msg("%s: mode %o, want %o", p, st.st_mode, mode);
        if (as_root) {
                assert_int_equal(st.st_uid, uid);
                assert_int_equal(st.st_gid, gid);
        }
        if (sec && (st.st_mtim.tv_sec != sec || st.st_mtim.tv_nsec != nsec))
                fail_msg("%s: mtime %lld.%09ld, want %lld.%09ld", p, (long long) st.st_mtim.tv_sec,
                         st.st_mtim.tv_nsec, (long long) sec, nsec);
}

/* VFS_CAP_REVISION_2 | EFFECTIVE, permitted = CAP_NET_BIND_SERVICE */
static const uint8_t cap_blob[20] = { 0x01, 0, 0, 0x02, 0x00, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };

static void test_entry_types(void **state)
{
        if (!as_root) {
                print_message("needs root: ownership, devices, security.capability\n");
                skip();
        }
        const struct ent ents[] = {
                { 'd', "./", .mode = 0711, .mtime = 1500000000 },
                { 'd', "d", .mode = 0750, .uid = 1000, .gid = 1001, .mtime = 1000000000, .nsec = 123456789 },
                { 'f', "d/f", "hello", 0640, 1234, 5678, 1100000000, 987654321 },
                { 'f', "d/suid", "#!/bin/true\n", 04755, 1000, 1000, .xattrs = {
                        { "security.capability", cap_blob, sizeof cap_blob },
                        { "user.test", "v", 1 },
                        { "trusted.overlay.opaque", "y", 1 } } },
                { 'd', "d/sg", .mode = 02775, .gid = 50 },
                { 'd', "tmp", .mode = 01777 },
                { 'l', "d/l", "/etc/passwd", .uid = 7, .gid = 8, .mtime = 1200000000 },
                { 'h', "d/h", "d/f" },
                { 'p', "d/p", .mode = 0600 },
                { 'c', "d/null", .mode = 0666, .maj = 1, .min = 3 },
                { 'b', "d/loop", .mode = 0660, .gid = 6, .maj = 7, .min = 0 },
                { 'f', "/abs//./name", "x" },
        };
        struct buf b = { 0 };
        build_pax(&b, ents, ELEMENTSOF(ents));
        unpack_ok(&b, &vfs);
        buf_free(&b);

        assert_stat(destdir, S_IFDIR | 0711, 0, 0, 1500000000, 0);
        assert_stat(D("d"), S_IFDIR | 0750, 1000, 1001, 1000000000, 123456789);
        assert_stat(D("d/f"), S_IFREG | 0640, 1234, 5678, 1100000000, 987654321);
        assert_content(D("d/f"), "hello");
        assert_stat(D("d/suid"), S_IFREG | 04755, 1000, 1000, 1600000000, 0);
        assert_stat(D("d/sg"), S_IFDIR | 02775, 0, 50, 1600000000, 0);
        assert_stat(D("tmp"), S_IFDIR | 01777, 0, 0, 1600000000, 0);
        assert_stat(D("d/l"), S_IFLNK | 0777, 7, 8, 1200000000, 0);
        char t[64] = "";
        assert_int_equal(readlink(D("d/l"), t, sizeof t - 1), strlen("/etc/passwd"));
        assert_string_equal(t, "/etc/passwd");
        struct stat a, h;
        assert_int_equal(stat(D("d/f"), &a), 0);
        assert_int_equal(stat(D("d/h"), &h), 0);
        assert_int_equal(a.st_ino, h.st_ino);
        assert_int_equal(a.st_nlink, 2);
        assert_stat(D("d/p"), S_IFIFO | 0600, 0, 0, 1600000000, 0);
        assert_content(D("abs/name"), "x");
        if (as_root) {
                assert_stat(D("d/null"), S_IFCHR | 0666, 0, 0, 1600000000, 0);
                assert_stat(D("d/loop"), S_IFBLK | 0660, 0, 6, 1600000000, 0);
                assert_int_equal(lstat(D("d/null"), &a), 0);
                assert_int_equal(a.st_rdev, makedev(1, 3));
                uint8_t v[64];
                assert_int_equal(lgetxattr(D("d/suid"), "security.capability", v, sizeof v),
                                 sizeof cap_blob);
                assert_memory_equal(v, cap_blob, sizeof cap_blob);
                assert_int_equal(lgetxattr(D("d/suid"), "trusted.overlay.opaque", v, sizeof v), -1);
                assert_int_equal(errno, ENODATA);
        }
        char v[8] = "";
        assert_int_equal(lgetxattr(D("d/suid"), "user.test", v, sizeof v), 1);
        assert_string_equal(v, "v");
        assert_contained();
}

static void test_no_chown(void **state)
{
        const struct ent ents[] = { { 'f', "f", "x", 04750, 1234, 5678 },
                                    { 'd', "d", .mode = 0500, .uid = 99 },
                                    { 'f', "d/inside", "y" } };
        struct buf b = { 0 };
        build_pax(&b, ents, ELEMENTSOF(ents));
        struct unpack_opts o = { .no_chown = true };
        unpack_ok(&b, &o);
        buf_free(&b);
        struct stat st;
        assert_int_equal(lstat(D("f"), &st), 0);
        assert_int_equal(st.st_uid, geteuid());
        assert_int_equal(st.st_mode, S_IFREG | 04750);
        assert_int_equal(lstat(D("d"), &st), 0);
        assert_int_equal(st.st_mode, S_IFDIR | 0500); /* set at the end */
        assert_content(D("d/inside"), "y");
        assert_int_equal(chmod(D("d"), 0755), 0); /* for the teardown, unprivileged */
        assert_contained();
}

static void check_digests(const struct buf *layer, const uint8_t *tar, size_t tar_len)
{
        struct unpack_result res;
        char want[DIGEST_STR_LEN + 1];
        _cleanup_free_ char *msg = NULL;
        if (unpack(layer, &vfs, &res, &msg) < 0)
                fail_msg("layer_unpack: %s", msg);
        digest_buffer(tar, tar_len, want);
        assert_string_equal(res.diff_id, want);
        assert_int_equal(res.size, tar_len);
        digest_buffer(layer->p, layer->len, want);
        assert_string_equal(res.compressed_digest, want);
        assert_int_equal(res.compressed_size, layer->len);
        assert_content(D("big"), "0123456789");
}

static void test_digests(void **state)
{
        struct ent ents[] = { { 'f', "big", "0123456789" }, { 'f', "a/b", "b" } };
        struct buf tar = { 0 }, z = { 0 }, g = { 0 };
        build_pax(&tar, ents, ELEMENTSOF(ents));
        check_digests(&tar, tar.p, tar.len); /* uncompressed: both digests are the same */

        gzip_buf(&z, tar.p, tar.len);
        check_digests(&z, tar.p, tar.len);
        buf_add(&z, "\0\0\0\0\0\0\0\0", 8); /* zero padding: digested, ignored (as gzip) */
        check_digests(&z, tar.p, tar.len);
        buf_add(&z, "garbage after the gzip stream", 29); /* anything else: decompress.c refuses */
        unpack_fails(&z, &vfs, "trailing garbage");
        buf_free(&z);

        /* two gzip members, and two zstd frames, make one stream */
        gzip_buf(&z, tar.p, 1000);
        gzip_buf(&z, tar.p + 1000, tar.len - 1000);
        check_digests(&z, tar.p, tar.len);
        buf_free(&z);
        zstd_buf(&z, tar.p, 1000);
        zstd_buf(&z, tar.p + 1000, tar.len - 1000);
        check_digests(&z, tar.p, tar.len);
        buf_free(&z);

        /* trailing data after the tar end is part of the uncompressed stream */
        buf_add(&g, tar.p, tar.len);
        buf_add(&g, "trailing garbage", 16);
        check_digests(&g, g.p, g.len);
        zstd_buf(&z, g.p, g.len);
        check_digests(&z, g.p, g.len);
        buf_free(&z);
        buf_free(&g);
        buf_free(&tar);
        assert_contained();
}

static void test_big_file(void **state)
{
        size_t n = 5u << 20; /* spans several 1 MiB reads */
        char *data = malloc(n + 1);
        for (size_t i = 0; i < n; i++)
                data[i] = (char) ('a' + (i * 7 + i / 4096) % 26);
        data[n] = '\0';
        struct ent ents[] = { { 'f', "small", "s" }, { 'f', "big", data }, { 'f', "after", "a" } };
        struct buf tar = { 0 }, z = { 0 };
        build_pax(&tar, ents, ELEMENTSOF(ents));
        gzip_buf(&z, tar.p, tar.len);
        struct unpack_result res;
        assert_int_equal(unpack(&z, &vfs, &res, NULL), 0);
        assert_int_equal(res.size, tar.len);
        assert_content(D("big"), data);
        assert_content(D("after"), "a");
        buf_free(&z);
        buf_free(&tar);
        free(data);
        assert_contained();
}

static void populate_lower(void)
{
        mk(D("a"));
        put(D("a/keep"), "k");
        put(D("a/gone"), "g");
        mk(D("b"));
        mk(D("b/sub"));
        put(D("b/sub/file"), "f");
        mk(D("opq"));
        put(D("opq/x"), "x");
        mk(D("opq/sub"));
        put(D("opq/sub/y"), "y");
}

static void test_whiteouts_vfs(void **state)
{
        populate_lower();
        const struct ent ents[] = {
                { 'f', "a/.wh.gone" }, { 'f', ".wh.b" }, { 'f', ".wh.never-existed" },
                { 'd', "opq" }, { 'f', "opq/new", "n" }, { 'd', "opq/sub" },
                { 'f', "opq/.wh..wh..opq" }, { 'f', "opq/later", "l" },
                { 'f', ".wh..wh.plnk/12345", "aufs" },
        };
        struct buf b = { 0 };
        build_pax(&b, ents, ELEMENTSOF(ents));
        unpack_ok(&b, &vfs);
        buf_free(&b);
        assert_content(D("a/keep"), "k");
        assert_false(exists(D("a/gone")));
        assert_false(exists(D("a/.wh.gone")));
        assert_false(exists(D("b")));
        assert_false(exists(D(".wh.b")));
        assert_false(exists(D("opq/x")));
        assert_true(exists(D("opq/sub"))); /* this layer's */
        assert_false(exists(D("opq/sub/y")));
        assert_content(D("opq/new"), "n");
        assert_content(D("opq/later"), "l");
        assert_false(exists(D("opq/.wh..wh..opq")));
        assert_false(exists(D(".wh..wh.plnk")));
        assert_contained();
}

static void test_whiteouts_overlay(void **state)
{
        if (!as_root) {
                print_message("needs root: trusted.* xattrs need CAP_SYS_ADMIN\n");
                skip();
        }
        const struct ent ents[] = {
                { 'f', ".wh.b", .uid = 5, .gid = 6 }, { 'f', "a/.wh.gone" },
                { 'd', "opq" }, { 'f', "opq/.wh..wh..opq" }, { 'f', "opq/f", "f" },
                { 'f', "x", "x" }, { 'f', ".wh.x" },
        };
        struct buf b = { 0 };
        build_pax(&b, ents, ELEMENTSOF(ents));
        unpack_ok(&b, &overlay);
        buf_free(&b);
        struct stat st;
        const char *wh[] = { "b", "a/gone", "x" };
        for (size_t i = 0; i < ELEMENTSOF(wh); i++) {
                assert_int_equal(lstat(D("%s", wh[i]), &st), 0);
                assert_true(S_ISCHR(st.st_mode));
                assert_int_equal(st.st_rdev, makedev(0, 0));
        }
        assert_int_equal(lstat(D("b"), &st), 0);
        assert_int_equal(st.st_uid, 5);
        char v[8] = "";
        assert_int_equal(getxattr(D("opq"), "trusted.overlay.opaque", v, sizeof v), 1);
        assert_string_equal(v, "y");
        assert_content(D("opq/f"), "f");
        assert_false(exists(D(".wh.b")));
        assert_false(exists(D("opq/.wh..wh..opq")));
        assert_contained();
}

static void test_replace(void **state)
{
        put(D("f"), "file");
        mk(D("d"));
        put(D("d/x"), "x");
        mk(D("keep"));
        put(D("keep/old"), "old");
        assert_int_equal(chmod(D("keep"), 0700), 0);
        char canary[PATH_MAX];
        snprintf(canary, sizeof canary, "%s/canary", base);
        assert_int_equal(symlink(canary, D("l")), 0);
        assert_int_equal(symlink("/tmp", D("l2")), 0);
        const struct ent ents[] = {
                { 'd', "f" }, { 'f', "d", "now a file" }, { 'f', "l", "new" }, { 'd', "l2" },
                { 'd', "keep", .mode = 0755 },
                { 'f', "x", "x" }, { 'd', "x" }, { 'f', "x/in", "in" },
                { 'd', "y" }, { 'f', "y/c", "c" }, { 'l', "y", "x" },
                { 'f', "z", "1" }, { 'f', "z", "2" },
        };
        struct buf b = { 0 };
        build_pax(&b, ents, ELEMENTSOF(ents));
        unpack_ok(&b, &vfs);
        buf_free(&b);
        struct stat st;
        assert_int_equal(lstat(D("f"), &st), 0);
        assert_true(S_ISDIR(st.st_mode));
        assert_content(D("d"), "now a file");
        assert_content(D("l"), "new");
        assert_int_equal(lstat(D("l2"), &st), 0);
        assert_true(S_ISDIR(st.st_mode));
        assert_content(D("keep/old"), "old");
        assert_int_equal(lstat(D("keep"), &st), 0);
        assert_int_equal(st.st_mode, S_IFDIR | 0755);
        assert_content(D("x/in"), "in");
        assert_int_equal(lstat(D("y"), &st), 0);
        assert_true(S_ISLNK(st.st_mode));
        assert_content(D("y/in"), "in"); /* y -> x */
        assert_content(D("z"), "2");
        assert_contained();
}

static void test_empty(void **state)
{
        struct buf b = { 0 };
        unpack_ok(&b, &vfs); /* an empty blob is an empty layer */
        raw_end(&b);
        struct unpack_result res;
        assert_int_equal(unpack(&b, &vfs, &res, NULL), 0);
        assert_int_equal(res.size, 1024);
        buf_free(&b);
        assert_contained();
}

/* ---- the hostile corpus ---- */

static void test_dotdot(void **state)
{
        const char *names[] = { "../x", "a/../../x", "./../x", "..", "a/b/../../../x" };
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                struct buf b = { 0 };
                raw_entry(&b, names[i], '0', NULL, "x", 1);
                raw_end(&b);
                unpack_fails(&b, &vfs, "escapes the layer");
                buf_free(&b);
        }
        /* absolute names are clamped at the root, as podman (filepath.Clean) does */
        struct buf b = { 0 };
        raw_entry(&b, "/../../clamped", '0', NULL, "c", 1);
        raw_entry(&b, "/abs", '0', NULL, "a", 1);
        raw_end(&b);
        unpack_ok(&b, &vfs);
        buf_free(&b);
        assert_content(D("clamped"), "c");
        assert_content(D("abs"), "a");
        assert_contained();
}

static void test_symlink_parents(void **state)
{
        struct buf b = { 0 };
        raw_entry(&b, "root", '2', "/", NULL, 0);
        raw_entry(&b, "root/cuttle-unpack-escape", '0', NULL, "1", 1);
        raw_entry(&b, "root/tmp/cuttle-unpack-escape", '0', NULL, "2", 1);
        raw_entry(&b, "up", '2', "../../../../../../..", NULL, 0);
        raw_entry(&b, "up/canary", '0', NULL, "3", 1);
        raw_entry(&b, "c", '5', NULL, NULL, 0);
        raw_entry(&b, "chain1", '2', "chain2", NULL, 0);
        raw_entry(&b, "chain2", '2', "c/../../../..", NULL, 0);
        raw_entry(&b, "chain1/etc/cuttle-unpack-escape", '0', NULL, "4", 1);
        raw_entry(&b, "abs", '2', "/../../../../..", NULL, 0);
        raw_entry(&b, "abs/n2/x", '0', NULL, "5", 1);
        raw_end(&b);
        unpack_ok(&b, &vfs);
        buf_free(&b);
        assert_content(D("cuttle-unpack-escape"), "1");
        assert_content(D("tmp/cuttle-unpack-escape"), "2");
        assert_content(D("canary"), "3");
        assert_content(D("etc/cuttle-unpack-escape"), "4");
        assert_content(D("n2/x"), "5");
        assert_contained();
}

static void test_final_symlink_not_followed(void **state)
{
        struct buf b = { 0 };
        raw_entry(&b, "l", '2', "../../../../canary", NULL, 0);
        raw_entry(&b, "l", '0', NULL, "overwritten?", 12);
        raw_entry(&b, "m", '2', "/cuttle-unpack-escape", NULL, 0);
        raw_entry(&b, "m", '5', NULL, NULL, 0);
        raw_entry(&b, "m/x", '0', NULL, "x", 1);
        raw_end(&b);
        unpack_ok(&b, &vfs);
        buf_free(&b);
        assert_content(D("l"), "overwritten?");
        assert_content(D("m/x"), "x");
        assert_contained();
}

static void test_hardlinks(void **state)
{
        static const struct {
                const char *setup_name, *setup_link;
                char setup_type;
                const char *target, *err;
        } cases[] = {
                { NULL, NULL, 0, "../../../../canary", "escapes the layer" },
                { NULL, NULL, 0, "a/../../canary", "escapes the layer" },
                { NULL, NULL, 0, "/etc/passwd", "No such file" },
                { "p", "../../../..", '2', "p/canary", "No such file" },
                { "p", "/", '2', "p/n1/n2/n3/dest/x", "No such file" },
                { "d", NULL, '5', "d", "is a directory" },
                { "d", NULL, '5', "/", "invalid hardlink target" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct buf b = { 0 };
                if (cases[i].setup_name)
                        raw_entry(&b, cases[i].setup_name, cases[i].setup_type,
                                  cases[i].setup_link, NULL, 0);
                raw_entry(&b, "h", '1', cases[i].target, NULL, 0);
                raw_end(&b);
                unpack_fails(&b, &vfs, cases[i].err);
                assert_false(exists(D("h")));
                buf_free(&b);
        }
        /* a hard link to a symlink pointing out links the symlink itself */
        struct buf b = { 0 };
        raw_entry(&b, "l", '2', "../../../../canary", NULL, 0);
        raw_entry(&b, "h", '1', "l", NULL, 0);
        raw_entry(&b, "f", '0', NULL, "f", 1);
        raw_entry(&b, "sub/h2", '1', "/f", NULL, 0);
        raw_entry(&b, "h3", '1', "h3", NULL, 0);
        raw_end(&b);
        unpack_fails(&b, &vfs, "No such file"); /* h3 -> h3 does not exist yet */
        buf_free(&b);
        struct stat st;
        assert_int_equal(lstat(D("h"), &st), 0);
        assert_true(S_ISLNK(st.st_mode));
        assert_int_equal(st.st_nlink, 2);
        assert_int_equal(stat(D("sub/h2"), &st), 0);
        assert_int_equal(st.st_nlink, 2);
        assert_contained();
}

static void test_whiteout_names(void **state)
{
        const char *names[] = { "a/.wh...", ".wh..", ".wh.", "a/.wh." };
        for (size_t m = 0; m < 2; m++)
                for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                        struct buf b = { 0 };
                        raw_entry(&b, names[i], '0', NULL, NULL, 0);
                        raw_end(&b);
                        unpack_fails(&b, m ? &overlay : &vfs, "invalid whiteout");
                        buf_free(&b);
                }
        /* through a symlinked parent: stays inside */
        struct buf b = { 0 };
        put(D("keep"), "k");
        raw_entry(&b, "p", '2', "../../../..", NULL, 0);
        raw_entry(&b, "p/.wh.canary", '0', NULL, NULL, 0);
        raw_entry(&b, "q", '2', "/..", NULL, 0);
        raw_entry(&b, "q/.wh..wh..opq", '0', NULL, NULL, 0);
        raw_end(&b);
        unpack_ok(&b, &vfs);
        buf_free(&b);
        assert_false(exists(D("keep"))); /* the opaque marker cleared the layer root */
        assert_true(exists(D("p")));
        assert_contained();
}

static void test_malformed(void **state)
{
        struct buf ok = { 0 };
        raw_entry(&ok, "f", '0', NULL, "0123456789", 10);
        raw_entry(&ok, "g", '0', NULL, "x", 1);
        raw_end(&ok);

        struct buf b = { 0 };
        buf_add(&b, ok.p, 700); /* inside the second header */
        unpack_fails(&b, &vfs, "runcated");
        buf_free(&b);

        raw_entry(&b, "f", '0', NULL, "short", 1000); /* cut inside the data */
        unpack_fails(&b, &vfs, "runcated");
        buf_free(&b);

        raw_entry(&b, "huge", '0', NULL, "some data", 077777777777ull); /* 8 GiB claimed */
        raw_end(&b);
        unpack_fails(&b, &vfs, "runcated");
        buf_free(&b);

        buf_add(&b, ok.p, ok.len);
        b.p[148] ^= 1; /* checksum */
        unpack_fails(&b, &vfs, "reading layer");
        buf_free(&b);

        for (size_t i = 0; i < 4096; i++)
                buf_add(&b, &(uint8_t){ (uint8_t) (i * 131 + 7) }, 1);
        unpack_fails(&b, &vfs, "reading layer");
        buf_free(&b);

        struct buf z = { 0 };
        gzip_buf(&z, ok.p, ok.len);
        buf_add(&b, z.p, z.len / 2);
        unpack_fails(&b, &vfs, "gzip");
        buf_free(&b);
        buf_add(&b, z.p, z.len);
        b.p[z.len / 2] ^= 0x55;
        b.p[z.len / 2 + 1] ^= 0x55;
        unpack_fails(&b, &vfs, "gzip");
        buf_free(&b);
        buf_add(&b, z.p, z.len - 4); /* no length in the trailer */
        unpack_fails(&b, &vfs, "gzip");
        buf_free(&b);
        buf_free(&z);

        zstd_buf(&z, ok.p, ok.len);
        buf_add(&b, z.p, z.len - 3);
        unpack_fails(&b, &vfs, "zstd");
        buf_free(&b);
        buf_add(&b, z.p, z.len);
        b.p[z.len / 2] ^= 0xff;
        b.p[z.len - 2] ^= 0xff;
        unpack_fails(&b, &vfs, "zstd");
        buf_free(&b);
        buf_free(&z);
        buf_free(&ok);
        assert_contained();
}

static void test_names(void **state)
{
        /* a name longer than PATH_MAX, and a nesting deeper than fits in it */
        size_t n = 100000;
        char *name = malloc(n + 1);
        for (size_t i = 0; i < n; i++)
                name[i] = i % 2 ? '/' : 'a';
        name[n] = '\0';
        struct ent ents[] = { { 'f', name, "x" } };
        struct buf b = { 0 };
        build_pax(&b, ents, 1);
        unpack_fails(&b, &vfs, "name too long");
        buf_free(&b);
        name[PATH_MAX + 10] = '\0';
        build_pax(&b, ents, 1);
        unpack_fails(&b, &vfs, "name too long");
        buf_free(&b);
        /* 1000 levels: fine with openat2; path.c's fallback stops at 256 levels, cleanly */
        name[1999] = '\0';
        build_pax(&b, ents, 1);
        if (*(bool *) *state || !have_openat2)
                unpack_fails(&b, &vfs, "File name too long");
        else
                unpack_ok(&b, &vfs);
        buf_free(&b);
        name[399] = '\0';
        build_pax(&b, ents, 1);
        unpack_ok(&b, &vfs);
        buf_free(&b);

        /* a component over NAME_MAX; a file where a directory is needed */
        char longc[300];
        memset(longc, 'c', sizeof longc - 1);
        longc[sizeof longc - 1] = '\0';
        struct ent e2[] = { { 'f', longc, "x" } };
        build_pax(&b, e2, 1);
        unpack_fails(&b, &vfs, "too long");
        buf_free(&b);
        /* a file whose name ends in "/" is read as a directory: its data then breaks the stream */
        name[10] = '\0';
        build_pax(&b, ents, 1);
        unpack_fails(&b, &vfs, "Damaged tar archive");
        buf_free(&b);
        free(name);
        struct ent e3[] = { { 'f', "file", "x" }, { 'f', "file/sub", "y" } };
        build_pax(&b, e3, ELEMENTSOF(e3));
        unpack_fails(&b, &vfs, "Not a directory");
        buf_free(&b);
        assert_contained();
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
#define BOTH(f)                                                                                    \
        cmocka_unit_test_prestate_setup_teardown(f, setup, teardown, &openat2),                   \
                cmocka_unit_test_prestate_setup_teardown(f, setup, teardown, &fallback)

int main(void)
{
        static bool openat2 = false, fallback = true;
        umask(022);
        as_root = geteuid() == 0;
        vfs.no_chown = overlay.no_chown = !as_root;
        struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
        long fd = syscall(SYS_openat2, AT_FDCWD, ".", &how, sizeof how);
        have_openat2 = fd >= 0;
        if (fd >= 0)
                close((int) fd);
        const struct CMUnitTest tests[] = {
                T(test_entry_types),   T(test_no_chown),       T(test_digests),
                T(test_big_file),      T(test_whiteouts_vfs),  T(test_whiteouts_overlay),
                T(test_replace),       T(test_empty),          BOTH(test_dotdot),
                BOTH(test_symlink_parents), BOTH(test_final_symlink_not_followed),
                BOTH(test_hardlinks),  BOTH(test_whiteout_names), BOTH(test_malformed),
                BOTH(test_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
