/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tar writer: header bytes checked against Python's tarfile (PAX format) as an independent
 * oracle, every entry type and every pax case read back with libarchive field by field, 8 GiB+
 * sizes, gzip/zstd output with its digests, misuse errors, and tar_add_tree: a tree with every
 * file type, hardlinks, setuid, mtimes, xattrs (security.capability) archived and extracted by
 * GNU tar, then compared with the original; determinism; overlay whiteouts; filter and prefix.
 */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include "storage/decompress.h"
#include "storage/digest.h"
#include "storage/tar-write.h"
#include "util/fileio.h"

static char base[64]; /* /tmp/cuttle-test-tar-XXXXXX */

static char *P(const char *fmt, ...) _printf_(1, 2);
static char *P(const char *fmt, ...)
{
        static char bufs[8][4096];
        static unsigned n;
        char *b = bufs[n++ % 8];
        int k = snprintf(b, 4096, "%s/", base);
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(b + k, 4096 - (size_t) k, fmt, ap);
        va_end(ap);
        return b;
}

static int run(const char *fmt, ...) _printf_(1, 2);
static int run(const char *fmt, ...)
{
        char cmd[8192];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(cmd, sizeof(cmd), fmt, ap);
        va_end(ap);
        int r = system(cmd);
        return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

static int memfd(void)
{
        int fd = memfd_create("tar", MFD_CLOEXEC);
        assert_true(fd >= 0);
        return fd;
}

/* ---- reading archives back with libarchive ---- */

#define MAX_X 8
struct rentry {
        char *path, *symlink, *hardlink, *uname, *gname;
        mode_t type, perm;
        int64_t uid, gid, size, mtime;
        long nsec;
        unsigned major, minor;
        size_t n_x;
        char *xname[MAX_X];
        char *xval[MAX_X];
        size_t xsize[MAX_X];
        char *data; /* first 64 KiB */
        char digest[DIGEST_STR_LEN + 1];
};

static char *dup_or_null(const char *s)
{
        return s ? strdup(s) : NULL;
}

static size_t read_archive_with(struct archive *a, struct rentry *out, size_t max)
{
        size_t n = 0;
        struct archive_entry *ae;
        int r;
        while ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK) {
                assert_true(n < max);
                struct rentry *e = &out[n++];
                *e = (struct rentry) { 0 };
                e->path = strdup(archive_entry_pathname(ae));
                e->symlink = dup_or_null(archive_entry_symlink(ae));
                e->hardlink = dup_or_null(archive_entry_hardlink(ae));
                e->uname = dup_or_null(archive_entry_uname(ae));
                e->gname = dup_or_null(archive_entry_gname(ae));
                e->type = archive_entry_filetype(ae);
                e->perm = archive_entry_mode(ae) & 07777;
                e->uid = archive_entry_uid(ae);
                e->gid = archive_entry_gid(ae);
                e->size = archive_entry_size(ae);
                e->mtime = archive_entry_mtime(ae);
                e->nsec = archive_entry_mtime_nsec(ae);
                e->major = archive_entry_rdevmajor(ae);
                e->minor = archive_entry_rdevminor(ae);
                archive_entry_xattr_reset(ae);
                const char *xn;
                const void *xv;
                size_t xs;
                while (archive_entry_xattr_next(ae, &xn, &xv, &xs) == ARCHIVE_OK) {
                        assert_true(e->n_x < MAX_X);
                        e->xname[e->n_x] = strdup(xn);
                        e->xval[e->n_x] = malloc(xs + 1);
                        memcpy(e->xval[e->n_x], xv, xs);
                        e->xsize[e->n_x++] = xs;
                }
                _cleanup_digester_ struct digester *d = digester_new();
                e->data = calloc(1, 65536 + 1);
                size_t got = 0;
                char buf[65536];
                la_ssize_t k;
                while ((k = archive_read_data(a, buf, sizeof(buf))) > 0) {
                        if (got < 65536)
                                memcpy(e->data + got, buf,
                                       (size_t) k < 65536 - got ? (size_t) k : 65536 - got);
                        got += (size_t) k;
                        digester_update(d, buf, (size_t) k);
                }
                assert_true(k == 0);
                digester_final(d, e->digest);
        }
        if (r != ARCHIVE_EOF)
                fail_msg("libarchive: %s", archive_error_string(a));
        return n;
}

static size_t read_archive(int fd, struct rentry *out, size_t max)
{
        lseek(fd, 0, SEEK_SET);
        struct archive *a = archive_read_new();
        archive_read_support_filter_all(a);
        archive_read_support_format_tar(a);
        assert_int_equal(archive_read_open_fd(a, fd, 65536), ARCHIVE_OK);
        size_t n = read_archive_with(a, out, max);
        archive_read_free(a);
        return n;
}

static void rentries_free(struct rentry *v, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(v[i].path);
                free(v[i].symlink);
                free(v[i].hardlink);
                free(v[i].uname);
                free(v[i].gname);
                free(v[i].data);
                for (size_t j = 0; j < v[i].n_x; j++) {
                        free(v[i].xname[j]);
                        free(v[i].xval[j]);
                }
        }
}

static const struct rentry *find(const struct rentry *v, size_t n, const char *path)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(v[i].path, path) == 0)
                        return &v[i];
        fail_msg("\"%s\" not in the archive", path);
        return NULL;
}

static const char *xget(const struct rentry *e, const char *name, size_t *size)
{
        for (size_t i = 0; i < e->n_x; i++)
                if (strcmp(e->xname[i], name) == 0) {
                        *size = e->xsize[i];
                        return e->xval[i];
                }
        return NULL;
}

/* ---- header bytes ---- */

static const char caps[20] = { 0x01, 0, 0, 0x02, 0, 0x04, 0, 0 }; /* v2, cap_net_bind_service+ep */

static struct tar_entry simple_entries[] = {
        { .name = "hello.txt", .type = TAR_REG, .mode = 0644, .uid = 1000, .gid = 1000,
          .mtime = { 1700000000, 0 }, .size = 5 },
        { .name = "dir", .type = TAR_DIR, .mode = 0755, .uname = "root", .gname = "root",
          .mtime = { 1, 0 } },
        { .name = "dir/link", .type = TAR_SYMLINK, .mode = 0777, .linkname = "../hello.txt" },
        { .name = "dev/null", .type = TAR_CHAR, .mode = 0666, .devmajor = 1, .devminor = 3 },
        { .name = "dev/sda", .type = TAR_BLOCK, .mode = 0660, .devmajor = 8, .devminor = 0 },
        { .name = "p", .type = TAR_FIFO, .mode = 0600, .mtime = { 077777777777, 0 } },
        { .name = "dir/hard", .type = TAR_HARDLINK, .mode = 04755, .linkname = "hello.txt" },
        { .name = "big", .type = TAR_REG, .mode = 0600, .uid = 3000000, .gid = 7 },
};

/* The same entries through Python's tarfile (format=PAX): identical ustar blocks, and for the
 * big uid the same pax record. */
static void test_header_bytes_python(void **state)
{
        if (run("python3 -c 'import tarfile' 2>/dev/null") != 0) {
                print_message("python3 with tarfile is not installed: skipping the oracle\n");
                skip();
        }
        int r = run("python3 - > %s <<'EOF'\n"
                    "import tarfile, sys\n"
                    "def ti(name, t, mode, uid=0, gid=0, size=0, mtime=0, uname='', gname='',\n"
                    "       link='', ma=0, mi=0):\n"
                    "    x = tarfile.TarInfo(name); x.type = t; x.mode = mode; x.uid = uid\n"
                    "    x.gid = gid; x.size = size; x.mtime = mtime; x.uname = uname\n"
                    "    x.gname = gname; x.linkname = link; x.devmajor = ma; x.devminor = mi\n"
                    "    return x.tobuf(tarfile.PAX_FORMAT, 'utf-8', 'surrogateescape')\n"
                    "o = sys.stdout.buffer\n"
                    "o.write(ti('hello.txt', tarfile.REGTYPE, 0o644, 1000, 1000, 5, 1700000000))\n"
                    "o.write(ti('dir/', tarfile.DIRTYPE, 0o755, mtime=1, uname='root', "
                    "gname='root'))\n"
                    "o.write(ti('dir/link', tarfile.SYMTYPE, 0o777, link='../hello.txt'))\n"
                    "o.write(ti('dev/null', tarfile.CHRTYPE, 0o666, ma=1, mi=3))\n"
                    "o.write(ti('dev/sda', tarfile.BLKTYPE, 0o660, ma=8, mi=0))\n"
                    "o.write(ti('p', tarfile.FIFOTYPE, 0o600, mtime=0o77777777777))\n"
                    "o.write(ti('dir/hard', tarfile.LNKTYPE, 0o4755, link='hello.txt'))\n"
                    "o.write(ti('big', tarfile.REGTYPE, 0o600, 3000000, 7))\n"
                    "EOF",
                    P("py.tar"));
        assert_int_equal(r, 0);
        _cleanup_free_ char *py = NULL;
        size_t pylen = 0;
        assert_int_equal(read_full_file(P("py.tar"), &py, &pylen, NULL), 0);
        assert_int_equal(pylen, (ELEMENTSOF(simple_entries) + 2) * 512);
        size_t off = 0;
        for (size_t i = 0; i < ELEMENTSOF(simple_entries); i++) {
                _cleanup_free_ char *h = NULL;
                size_t len = 0;
                assert_int_equal(tar_header_encode(&simple_entries[i], false, (void **) &h, &len,
                                                   NULL), 0);
                if (simple_entries[i].uid == 3000000) {
                        assert_int_equal(len, 3 * 512);
                        assert_string_equal(h + 512, "15 uid=3000000\n");
                        assert_memory_equal(h + 512, py + off + 512, 512);
                        assert_string_equal(h, "PaxHeaders.0/big");
                        assert_int_equal(h[156], 'x');
                        off += 1024;
                        assert_memory_equal(h + 1024 + 329, "0000000\0" "0000000\0", 16);
                        memcpy(h + 1024 + 329, py + off + 329, 16);
                        memcpy(h + 1024 + 148, py + off + 148, 8);
                        assert_memory_equal(h + 1024, py + off, 512);
                } else {
                        assert_int_equal(len, 512);
                        /* Python leaves devmajor/devminor empty on non-devices (so the
                         * checksum differs too); Go and we write zeros. */
                        bool dev = simple_entries[i].type == TAR_CHAR ||
                                   simple_entries[i].type == TAR_BLOCK;
                        if (!dev) {
                                assert_memory_equal(h + 329, "0000000\0" "0000000\0", 16);
                                memcpy(h + 329, py + off + 329, 16);
                                memcpy(h + 148, py + off + 148, 8);
                        }
                        if (memcmp(h, py + off, 512) != 0)
                                fail_msg("header of \"%s\" differs from Python's",
                                         simple_entries[i].name);
                }
                off += 512;
        }
}

/* Field encodings written down, independently of any oracle. */
static void test_header_fields(void **state)
{
        _cleanup_free_ char *h = NULL;
        size_t len = 0;
        assert_int_equal(tar_header_encode(&simple_entries[0], true, (void **) &h, &len, NULL), 0);
        assert_int_equal(len, 512);
        assert_string_equal(h, "hello.txt");
        assert_memory_equal(h + 100, "0000644\0" "0001750\0" "0001750\0", 24);
        assert_memory_equal(h + 124, "00000000005\0" "14524770400\0", 24);
        assert_int_equal(h[156], '0');
        assert_memory_equal(h + 257, "ustar\0" "00", 8);
        assert_memory_equal(h + 329, "0000000\0" "0000000\0", 16);
        unsigned sum = 0;
        for (int i = 0; i < 512; i++)
                sum += (i >= 148 && i < 156) ? ' ' : (unsigned char) h[i];
        char chk[8];
        snprintf(chk, sizeof(chk), "%06o", sum);
        assert_memory_equal(h + 148, chk, 6);
        assert_memory_equal(h + 154, "\0 ", 2);

        /* 8 GiB - 1 fits in octal; 8 GiB goes to a pax "size" record (field 0) */
        struct tar_entry e = { .name = "huge", .type = TAR_REG, .mode = 0644,
                               .size = 077777777777ULL };
        free(h);
        h = NULL;
        assert_int_equal(tar_header_encode(&e, false, (void **) &h, &len, NULL), 0);
        assert_int_equal(len, 512);
        assert_memory_equal(h + 124, "77777777777\0", 12);
        e.size = 10ULL << 30;
        free(h);
        h = NULL;
        assert_int_equal(tar_header_encode(&e, false, (void **) &h, &len, NULL), 0);
        assert_int_equal(len, 3 * 512);
        assert_string_equal(h + 512, "20 size=10737418240\n");
        assert_memory_equal(h + 1024 + 124, "00000000000\0", 12);

        /* libarchive reads the header alone (no data needed to see the size) */
        struct archive *a = archive_read_new();
        archive_read_support_format_tar(a);
        assert_int_equal(archive_read_open_memory(a, h, len), ARCHIVE_OK);
        struct archive_entry *ae;
        assert_int_equal(archive_read_next_header(a, &ae), ARCHIVE_OK);
        assert_string_equal(archive_entry_pathname(ae), "huge");
        assert_int_equal(archive_entry_size(ae), 10LL << 30);
        archive_read_free(a);

        /* sub-second mtimes: only when asked; negative times as Go writes them */
        e = (struct tar_entry) { .name = "t", .type = TAR_FIFO, .mtime = { 5, 500000000 } };
        free(h);
        h = NULL;
        assert_int_equal(tar_header_encode(&e, false, (void **) &h, &len, NULL), 0);
        assert_int_equal(len, 512);
        free(h);
        h = NULL;
        assert_int_equal(tar_header_encode(&e, true, (void **) &h, &len, NULL), 0);
        assert_string_equal(h + 512, "13 mtime=5.5\n");
        e.mtime = (struct timespec) { -2, 250000000 };
        free(h);
        h = NULL;
        assert_int_equal(tar_header_encode(&e, true, (void **) &h, &len, NULL), 0);
        assert_string_equal(h + 512, "15 mtime=-1.75\n");
        e.mtime = (struct timespec) { -2, 0 };
        free(h);
        h = NULL;
        assert_int_equal(tar_header_encode(&e, false, (void **) &h, &len, NULL), 0);
        assert_string_equal(h + 512, "12 mtime=-2\n");

        /* a name of 125 bytes splits into prefix + name: no pax header */
        char name[300];
        memset(name, 'a', 60);
        name[60] = '/';
        memset(name + 61, 'b', 64);
        name[125] = '\0';
        e = (struct tar_entry) { .name = name, .type = TAR_REG, .mode = 0644 };
        free(h);
        h = NULL;
        assert_int_equal(tar_header_encode(&e, false, (void **) &h, &len, NULL), 0);
        assert_int_equal(len, 512);
        assert_memory_equal(h, name + 61, 64);
        assert_memory_equal(h + 345, name, 60);
        assert_int_equal(h[345 + 60], '\0');

        /* pax header names as Go makes them: DIR/PaxHeaders.0/BASE, ASCII only */
        e = (struct tar_entry) { .name = "dir/h\xc3\xa9llo", .type = TAR_REG };
        free(h);
        h = NULL;
        assert_int_equal(tar_header_encode(&e, false, (void **) &h, &len, NULL), 0);
        assert_int_equal(len, 3 * 512);
        assert_string_equal(h, "dir/PaxHeaders.0/hllo");
        assert_string_equal(h + 512, "19 path=dir/h\xc3\xa9llo\n");
        assert_string_equal(h + 1024, "dir/hllo");
        e = (struct tar_entry) { .name = "caf\xc3\xa9", .type = TAR_DIR };
        free(h);
        h = NULL;
        assert_int_equal(tar_header_encode(&e, false, (void **) &h, &len, NULL), 0);
        assert_string_equal(h, "caf/PaxHeaders.0");
        assert_string_equal(h + 512, "15 path=caf\xc3\xa9/\n");
        /* not UTF-8: hdrcharset=BINARY, as GNU tar */
        e = (struct tar_entry) { .name = "bad\xff", .type = TAR_REG };
        free(h);
        h = NULL;
        assert_int_equal(tar_header_encode(&e, false, (void **) &h, &len, NULL), 0);
        assert_string_equal(h + 512, "21 hdrcharset=BINARY\n13 path=bad\xff\n");

        struct cu_error *err = NULL;
        struct tar_xattr bad = { .name = "user.a=b", .value = "x", .size = 1 };
        e.xattrs = &bad;
        e.n_xattrs = 1;
        assert_int_equal(tar_header_encode(&e, false, (void **) &h, &len, &err), -EINVAL);
        assert_non_null(strstr(cu_error_msg(err), "invalid xattr name \"user.a=b\""));
        cu_error_free(err);
        err = NULL;
        e = (struct tar_entry) { .name = "h", .type = TAR_HARDLINK };
        assert_int_equal(tar_header_encode(&e, false, (void **) &h, &len, &err), -EINVAL);
        cu_error_free(err);
        err = NULL;
        e = (struct tar_entry) { .name = "", .type = TAR_REG };
        assert_int_equal(tar_header_encode(&e, false, (void **) &h, &len, &err), -EINVAL);
        cu_error_free(err);
}

/* ---- every entry type and pax case, read back by libarchive ---- */

static void write_all_kinds(int fd, enum compression c, char diff_id[DIGEST_STR_LEN + 1],
                            char comp[DIGEST_STR_LEN + 1], uint64_t *size)
{
        struct cu_error *err = NULL;
        _cleanup_tar_writer_ struct tar_writer *w = tar_writer_new(fd, c, &err);
        assert_non_null(w);
        tar_writer_set_subsecond_mtime(w, true);
        for (size_t i = 0; i < ELEMENTSOF(simple_entries); i++) {
                assert_int_equal(tar_write_header(w, &simple_entries[i], &err), 0);
                if (simple_entries[i].size == 5)
                        assert_int_equal(tar_write_data(w, "hello", 5, &err), 0);
        }
        char long255[400], longlink[300], deep[300];
        memset(long255, 'x', 299);
        long255[299] = '\0';
        memcpy(long255, "d1/", 3);
        memset(longlink, 'L', 150);
        strcpy(longlink + 150, "/target");
        snprintf(deep, sizeof(deep), "d2/%0120d/file", 0);
        struct tar_xattr xs[] = {
                { "user.comment", "hello world", 11 },
                { "security.capability", caps, sizeof(caps) },
        };
        const struct tar_entry more[] = {
                { .name = long255, .type = TAR_REG, .mode = 0640, .size = 3 },
                { .name = deep, .type = TAR_REG, .mode = 0640 },
                { .name = "sym", .type = TAR_SYMLINK, .mode = 0777, .linkname = longlink },
                { .name = "hl-long", .type = TAR_HARDLINK, .linkname = long255 },
                { .name = "caps", .type = TAR_REG, .mode = 0755, .xattrs = xs, .n_xattrs = 2,
                  .uid = 1u << 31, .gid = 4000000, .uname = "a-user-name-longer-than-32-bytes!!",
                  .gname = "grp", .mtime = { 1234567890, 123456789 } },
                { .name = "h\xc3\xa9llo-\xe2\x82\xac", .type = TAR_REG, .mode = 0644,
                  .mtime = { 10000000000LL, 0 } },
                { .name = "sticky", .type = TAR_DIR, .mode = 01777 },
        };
        for (size_t i = 0; i < ELEMENTSOF(more); i++) {
                assert_int_equal(tar_write_header(w, &more[i], &err), 0);
                if (more[i].size)
                        assert_int_equal(tar_write_data(w, "abc", 3, &err), 0);
        }
        _cleanup_close_ int src = memfd();
        assert_int_equal(write_all(src, "file from fd, 32 bytes long.....", 32), 0);
        lseek(src, 0, SEEK_SET);
        struct tar_entry fe = { .name = "fromfd", .type = TAR_REG, .mode = 0600, .size = 32 };
        assert_int_equal(tar_write_file(w, &fe, src, &err), 0);
        assert_int_equal(tar_write_buffer(w, "manifest.json", "[]", 2, 0644, 42, &err), 0);
        assert_int_equal(tar_writer_finish(w, size, diff_id, comp, &err), 0);
        if (err)
                fail_msg("%s", cu_error_msg(err));
}

static void check_all_kinds(int fd)
{
        struct rentry v[32];
        size_t n = read_archive(fd, v, 32);
        assert_int_equal(n, ELEMENTSOF(simple_entries) + 9);
        const char *order[] = { "hello.txt", "dir/", "dir/link", "dev/null", "dev/sda", "p",
                                "dir/hard", "big" };
        for (size_t i = 0; i < ELEMENTSOF(order); i++)
                assert_string_equal(v[i].path, order[i]);
        assert_int_equal(v[0].type, AE_IFREG);
        assert_int_equal(v[0].perm, 0644);
        assert_int_equal(v[0].uid, 1000);
        assert_int_equal(v[0].gid, 1000);
        assert_int_equal(v[0].size, 5);
        assert_int_equal(v[0].mtime, 1700000000);
        assert_string_equal(v[0].data, "hello");
        assert_int_equal(v[1].type, AE_IFDIR);
        assert_string_equal(v[1].uname, "root");
        assert_string_equal(v[1].gname, "root");
        assert_int_equal(v[2].type, AE_IFLNK);
        assert_string_equal(v[2].symlink, "../hello.txt");
        assert_int_equal(v[3].type, AE_IFCHR);
        assert_int_equal(v[3].major, 1);
        assert_int_equal(v[3].minor, 3);
        assert_int_equal(v[4].type, AE_IFBLK);
        assert_int_equal(v[4].major, 8);
        assert_int_equal(v[5].type, AE_IFIFO);
        assert_int_equal(v[5].mtime, 077777777777LL);
        assert_string_equal(v[6].hardlink, "hello.txt");
        assert_int_equal(v[6].perm, 04755);
        assert_int_equal(v[7].uid, 3000000);

        char long255[400];
        memset(long255, 'x', 299);
        long255[299] = '\0';
        memcpy(long255, "d1/", 3);
        const struct rentry *e = find(v, n, long255);
        assert_int_equal(e->size, 3);
        assert_string_equal(e->data, "abc");
        char deep[300];
        snprintf(deep, sizeof(deep), "d2/%0120d/file", 0);
        find(v, n, deep);
        e = find(v, n, "sym");
        assert_int_equal(strlen(e->symlink), 157);
        assert_string_equal(e->symlink + 150, "/target");
        e = find(v, n, "hl-long");
        assert_string_equal(e->hardlink, long255);
        e = find(v, n, "caps");
        assert_int_equal(e->uid, 1LL << 31);
        assert_int_equal(e->gid, 4000000);
        assert_string_equal(e->uname, "a-user-name-longer-than-32-bytes!!");
        assert_int_equal(e->mtime, 1234567890);
        assert_int_equal(e->nsec, 123456789);
        assert_int_equal(e->n_x, 2);
        size_t xs = 0;
        const char *xv = xget(e, "security.capability", &xs);
        assert_non_null(xv);
        assert_int_equal(xs, sizeof(caps));
        assert_memory_equal(xv, caps, sizeof(caps));
        xv = xget(e, "user.comment", &xs);
        assert_non_null(xv);
        assert_int_equal(xs, 11);
        e = find(v, n, "h\xc3\xa9llo-\xe2\x82\xac");
        assert_int_equal(e->mtime, 10000000000LL);
        e = find(v, n, "sticky/");
        assert_int_equal(e->perm, 01777);
        e = find(v, n, "fromfd");
        assert_string_equal(e->data, "file from fd, 32 bytes long.....");
        e = find(v, n, "manifest.json");
        assert_string_equal(e->data, "[]");
        assert_int_equal(e->mtime, 42);
        assert_int_equal(e->uid, 0);
        rentries_free(v, n);
}

static void test_all_kinds(void **state)
{
        const enum compression cs[] = { COMPRESSION_NONE, COMPRESSION_GZIP, COMPRESSION_ZSTD };
        char ids[3][DIGEST_STR_LEN + 1];
        for (int i = 0; i < 3; i++) {
                _cleanup_close_ int fd = memfd();
                char comp[DIGEST_STR_LEN + 1], file[DIGEST_STR_LEN + 1];
                uint64_t size = 0, fsize = 0;
                write_all_kinds(fd, cs[i], ids[i], comp, &size);
                check_all_kinds(fd);
                /* digests: compressed = the file, diff ID = the decompressed stream */
                lseek(fd, 0, SEEK_SET);
                assert_int_equal(digest_fd(fd, file, &fsize), 0);
                assert_string_equal(comp, file);
                lseek(fd, 0, SEEK_SET);
                _cleanup_close_ int plain = memfd();
                _cleanup_digester_ struct digester *d = digester_new();
                uint64_t psize = 0;
                assert_int_equal(copy_decompressed(fd, plain, NULL, d, &psize, NULL), 0);
                digester_final(d, file);
                assert_string_equal(ids[i], file);
                assert_int_equal(size, psize);
                assert_int_equal(size % 512, 0);
                /* ends with exactly two zero blocks */
                char tail[1536];
                assert_int_equal(pread(plain, tail, sizeof(tail), (off_t) size - 1536), 1536);
                static const char z[1024];
                assert_memory_equal(tail + 512, z, 1024);
                assert_memory_not_equal(tail, z, 512);
                if (cs[i] == COMPRESSION_NONE)
                        assert_string_equal(ids[i], comp);
                else
                        assert_true(fsize < size);
        }
        assert_string_equal(ids[0], ids[1]);
        assert_string_equal(ids[0], ids[2]);
}

static void test_misuse(void **state)
{
        _cleanup_close_ int fd = memfd();
        struct cu_error *err = NULL;
        _cleanup_tar_writer_ struct tar_writer *w = tar_writer_new(fd, COMPRESSION_NONE, &err);
        struct tar_entry e = { .name = "f", .type = TAR_REG, .mode = 0644, .size = 10 };
        assert_int_equal(tar_write_header(w, &e, &err), 0);
        assert_int_equal(tar_write_data(w, "0123456789x", 11, &err), -EIO);
        assert_non_null(strstr(cu_error_msg(err), "exceeds its size by 1 bytes"));
        cu_error_free(err);
        err = NULL;
        assert_int_equal(tar_write_data(w, "01234", 5, &err), 0);
        assert_int_equal(tar_write_header(w, &e, &err), -EIO);
        assert_string_equal(cu_error_msg(err), "tar entry is 5 bytes short of its size");
        cu_error_free(err);
        err = NULL;
        assert_int_equal(tar_writer_finish(w, NULL, NULL, NULL, &err), -EIO);
        cu_error_free(err);
        err = NULL;
        assert_int_equal(tar_write_data(w, "56789", 5, &err), 0);

        /* a file shorter than announced */
        _cleanup_close_ int src = memfd();
        assert_int_equal(write_all(src, "abc", 3), 0);
        lseek(src, 0, SEEK_SET);
        e.name = "short";
        assert_int_equal(tar_write_file(w, &e, src, &err), -EIO);
        assert_string_equal(cu_error_msg(err), "\"short\" shrank while being archived");
        cu_error_free(err);
        err = NULL;

        /* writing to a full disk: the error comes back */
        _cleanup_close_ int full = open("/dev/full", O_WRONLY | O_CLOEXEC);
        assert_true(full >= 0);
        _cleanup_tar_writer_ struct tar_writer *w2 = tar_writer_new(full, COMPRESSION_GZIP, &err);
        assert_int_equal(tar_write_buffer(w2, "x", "y", 1, 0644, 0, &err), 0);
        assert_int_equal(tar_writer_finish(w2, NULL, NULL, NULL, &err), -ENOSPC);
        assert_non_null(strstr(cu_error_msg(err), "writing gzip stream"));
        cu_error_free(err);
}

/* ---- tar_add_tree ---- */

static void mkfile(const char *path, const void *data, size_t len, mode_t mode)
{
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        if (fd < 0)
                fail_msg("creating %s: %m", path);
        assert_int_equal(write_all(fd, data, len), 0);
        assert_int_equal(fchmod(fd, mode), 0);
}

static void mkdir_or_fail(const char *path, mode_t mode)
{
        if (mkdir(path, mode) < 0 || chmod(path, mode) < 0)
                fail_msg("mkdir %s: %m", path);
}

static void set_mtime(const char *path, time_t sec, long nsec)
{
        struct timespec ts[2] = { { sec, nsec }, { sec, nsec } };
        if (utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW) < 0)
                fail_msg("utimensat %s: %m", path);
}

static char *tpath(char p[static 4096], const char *root, const char *fmt, ...) _printf_(3, 4);
static char *tpath(char p[static 4096], const char *root, const char *fmt, ...)
{
        int k = snprintf(p, 4096, "%s/", root);
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p + k, 4096 - (size_t) k, fmt, ap);
        va_end(ap);
        return p;
}

static const char *const hardlinks[] = { "hl1", "d/hl2", "d/sub/hl3" };
static char long_a[201], long_b[201];

/* Every kind of file; `reverse` creates the top-level files in the opposite order (another
 * readdir order, other inode numbers) for the determinism check. */
static void build_tree(const char *root, bool reverse)
{
        char p[4096];
#define T(...) tpath(p, root, __VA_ARGS__)
        mkdir_or_fail(root, 0755);
        static const char *const tops[] = { "a.txt", "empty-file", "setuid", "zz-last" };
        for (size_t k = 0; k < ELEMENTSOF(tops); k++) {
                size_t i = reverse ? ELEMENTSOF(tops) - 1 - k : k;
                mkfile(T("%s", tops[i]), tops[i], i == 1 ? 0 : strlen(tops[i]), i == 2 ? 04755 : 0644);
        }
        mkdir_or_fail(T("d"), 0755);
        mkdir_or_fail(T("d/sub"), 0700);
        mkdir_or_fail(T("setgid"), 02775);
        mkdir_or_fail(T("empty"), 0755);
        mkdir_or_fail(T("sticky"), 01777);
        size_t big = (3 << 20) + 123;
        _cleanup_free_ unsigned char *data = malloc(big);
        uint32_t x = 1;
        for (size_t i = 0; i < big; i++)
                data[i] = (unsigned char) ((x = x * 1103515245U + 12345U) >> 16);
        mkfile(T("d/big"), data, big, 0640);
        assert_int_equal(chown(p, 1000, 1000), 0);
        mkfile(T("owned-huge"), "o", 1, 0600);
        assert_int_equal(chown(p, 3000000, 3000001), 0);
        mkfile(T("caps"), "#!/bin/true\n", 12, 0755);
        assert_int_equal(setxattr(p, "security.capability", caps, sizeof(caps), 0), 0);
        assert_int_equal(setxattr(p, "user.note", "v\0bin", 5, 0), 0);
        mkfile(T("d/\xc3\xbcn\xc3\xaf-\xc3\xa7\xc3\xb8" "d\xc3\xa9"), "u", 1, 0644);
        mkdir_or_fail(T("long"), 0755);
        mkdir_or_fail(T("long/%s", long_a), 0755);
        mkfile(T("long/%s/%s", long_a, long_b), "deep", 4, 0644);
        assert_int_equal(symlinkat("../a.txt", AT_FDCWD, T("d/rel")), 0);
        assert_int_equal(symlinkat("/etc/passwd", AT_FDCWD, T("abs")), 0);
        assert_int_equal(symlinkat("nowhere/x", AT_FDCWD, T("dangling")), 0);
        mkfile(T("hl1"), "linked", 6, 0644);
        char first[4096];
        snprintf(first, sizeof(first), "%s", p);
        assert_int_equal(link(first, T("d/hl2")), 0);
        assert_int_equal(link(first, T("d/sub/hl3")), 0);
        assert_int_equal(mkfifo(T("fifo"), 0640), 0);
        assert_int_equal(mknod(T("dev-null"), S_IFCHR | 0666, makedev(1, 3)), 0);
        assert_int_equal(mknod(T("dev-loop"), S_IFBLK | 0660, makedev(7, 0)), 0);
        assert_int_equal(setxattr(T("d"), "user.dirnote", "1", 1, 0), 0);
        /* never archived */
        assert_int_equal(setxattr(T("a.txt"), "trusted.overlay.origin", "zz", 2, 0), 0);
        int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        T("sock");
        assert_true(strlen(p) < sizeof(sa.sun_path));
        memcpy(sa.sun_path, p, strlen(p) + 1);
        assert_int_equal(bind(s, (struct sockaddr *) &sa, sizeof(sa)), 0);
        close(s);

        /* mtimes (with nanoseconds, which layers drop), children before their directories */
        static const char *const all[] = {
                "a.txt", "empty-file", "setuid", "zz-last", "d/big", "owned-huge", "caps",
                "d/rel", "abs", "dangling", "hl1", "fifo", "dev-null", "dev-loop",
                "d/\xc3\xbcn\xc3\xaf-\xc3\xa7\xc3\xb8" "d\xc3\xa9", "d/sub", "setgid", "empty",
                "sticky", "d", "long",
        };
        for (size_t i = 0; i < ELEMENTSOF(all); i++)
                set_mtime(T("%s", all[i]), 1600000000 + (time_t) i * 1000, 123456789);
        set_mtime(T("long/%s/%s", long_a, long_b), 1500000000, 0);
        set_mtime(T("long/%s", long_a), 1500000001, 0);
        set_mtime(T("long"), 1500000002, 0);
        set_mtime(root, 1500000003, 0);
#undef T
}

/* Device nodes, chown, security.capability and trusted.* xattrs need root. */
static void require_root(void)
{
        if (geteuid() != 0) {
                print_message("not root: cannot make device nodes, chown or set trusted.* "
                              "xattrs, skipping\n");
                skip();
        }
}

static int open_dir(const char *path)
{
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                fail_msg("open %s: %m", path);
        return fd;
}

static void archive_tree(const char *root, const char *out, enum compression c,
                         const struct tar_tree_opts *o, char diff_id[DIGEST_STR_LEN + 1],
                         char comp[DIGEST_STR_LEN + 1])
{
        _cleanup_close_ int dfd = open_dir(root);
        _cleanup_close_ int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        struct cu_error *err = NULL;
        _cleanup_tar_writer_ struct tar_writer *w = tar_writer_new(fd, c, &err);
        assert_non_null(w);
        if (tar_add_tree(w, dfd, NULL, o, &err) < 0 ||
            tar_writer_finish(w, NULL, diff_id, comp, &err) < 0)
                fail_msg("archiving %s: %s", root, cu_error_msg(err));
}

static bool keep_xattr(const char *n)
{
        return strncmp(n, "trusted.overlay.", 16) != 0 && strcmp(n, "security.selinux") != 0;
}

/* The xattrs we archive, as "name=hexvalue;" sorted. */
static void xattr_summary(const char *path, char *out, size_t size)
{
        char names[4096];
        ssize_t n = llistxattr(path, names, sizeof(names));
        out[0] = '\0';
        if (n < 0)
                return;
        char *v[64];
        size_t k = 0;
        for (char *q = names; q < names + n; q += strlen(q) + 1)
                if (keep_xattr(q) && k < 64)
                        v[k++] = q;
        for (size_t i = 1; i < k; i++)
                for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
                        char *t = v[j];
                        v[j] = v[j - 1];
                        v[j - 1] = t;
                }
        for (size_t i = 0; i < k; i++) {
                unsigned char val[256];
                ssize_t m = lgetxattr(path, v[i], val, sizeof(val));
                assert_true(m >= 0);
                size_t l = strlen(out);
                l += (size_t) snprintf(out + l, size - l, "%s=", v[i]);
                for (ssize_t j = 0; j < m; j++)
                        l += (size_t) snprintf(out + l, size - l, "%02x", val[j]);
                snprintf(out + l, size - l, ";");
        }
}

static size_t sorted_names(const char *dir, char ***ret)
{
        struct dirent **nl = NULL;
        int n = scandir(dir, &nl, NULL, alphasort);
        assert_true(n >= 0);
        char **v = calloc((size_t) n + 1, sizeof(*v));
        size_t k = 0;
        for (int i = 0; i < n; i++) {
                if (strcmp(nl[i]->d_name, ".") && strcmp(nl[i]->d_name, "..") &&
                    strcmp(nl[i]->d_name, "sock"))
                        v[k++] = strdup(nl[i]->d_name);
                free(nl[i]);
        }
        free(nl);
        *ret = v;
        return k;
}

/* a (original) and b (extracted) hold the same names, types, modes, owners, mtimes (seconds),
 * contents, link targets, device numbers and xattrs. */
static void compare_trees(const char *a, const char *b)
{
        _cleanup_strv_ char **na = NULL, **nb = NULL;
        size_t ka = sorted_names(a, &na), kb = sorted_names(b, &nb);
        for (size_t i = 0; i < ka || i < kb; i++)
                if (i >= ka || i >= kb || strcmp(na[i], nb[i]) != 0)
                        fail_msg("%s and %s differ at \"%s\" / \"%s\"", a, b,
                                 i < ka ? na[i] : "-", i < kb ? nb[i] : "-");
        for (size_t i = 0; i < ka; i++) {
                char pa[4096], pb[4096];
                snprintf(pa, sizeof(pa), "%s/%s", a, na[i]);
                snprintf(pb, sizeof(pb), "%s/%s", b, nb[i]);
                struct stat sa, sb;
                assert_int_equal(lstat(pa, &sa), 0);
                assert_int_equal(lstat(pb, &sb), 0);
                if ((sa.st_mode & S_IFMT) != (sb.st_mode & S_IFMT) ||
                    (!S_ISLNK(sa.st_mode) && (sa.st_mode & 07777) != (sb.st_mode & 07777)) ||
                    sa.st_uid != sb.st_uid || sa.st_gid != sb.st_gid ||
                    sa.st_mtim.tv_sec != sb.st_mtim.tv_sec || sa.st_rdev != sb.st_rdev ||
                    (!S_ISDIR(sa.st_mode) && sa.st_size != sb.st_size))
                        fail_msg("%s: mode %o/%o uid %u/%u gid %u/%u mtime %ld/%ld size %ld/%ld",
                                 pa, sa.st_mode, sb.st_mode, sa.st_uid, sb.st_uid, sa.st_gid,
                                 sb.st_gid, (long) sa.st_mtim.tv_sec, (long) sb.st_mtim.tv_sec,
                                 (long) sa.st_size, (long) sb.st_size);
                char xa[4096], xb[4096];
                xattr_summary(pa, xa, sizeof(xa));
                xattr_summary(pb, xb, sizeof(xb));
                if (strcmp(xa, xb) != 0)
                        fail_msg("%s: xattrs \"%s\" / \"%s\"", pa, xa, xb);
                if (S_ISREG(sa.st_mode)) {
                        char da[DIGEST_STR_LEN + 1], db[DIGEST_STR_LEN + 1];
                        _cleanup_close_ int fa = open(pa, O_RDONLY | O_CLOEXEC);
                        _cleanup_close_ int fb = open(pb, O_RDONLY | O_CLOEXEC);
                        assert_int_equal(digest_fd(fa, da, NULL), 0);
                        assert_int_equal(digest_fd(fb, db, NULL), 0);
                        assert_string_equal(da, db);
                } else if (S_ISLNK(sa.st_mode)) {
                        char la[4096] = "", lb[4096] = "";
                        assert_true(readlink(pa, la, sizeof(la) - 1) > 0);
                        assert_true(readlink(pb, lb, sizeof(lb) - 1) > 0);
                        assert_string_equal(la, lb);
                } else if (S_ISDIR(sa.st_mode))
                        compare_trees(pa, pb);
        }
}

static void test_tree_gnu_tar(void **state)
{
        require_root();
        build_tree(P("tree"), false);
        char id[DIGEST_STR_LEN + 1], comp[DIGEST_STR_LEN + 1];
        archive_tree(P("tree"), P("tree.tar.gz"), COMPRESSION_GZIP, NULL, id, comp);
        mkdir_or_fail(P("out"), 0755);
        assert_int_equal(run("tar --xattrs --xattrs-include='*' --numeric-owner -xpf %s -C %s",
                             P("tree.tar.gz"), P("out")),
                         0);
        compare_trees(P("tree"), P("out"));
        struct stat s0, s;
        assert_int_equal(stat(P("out/%s", hardlinks[0]), &s0), 0);
        assert_int_equal(s0.st_nlink, 3);
        for (size_t i = 1; i < ELEMENTSOF(hardlinks); i++) {
                assert_int_equal(stat(P("out/%s", hardlinks[i]), &s), 0);
                assert_int_equal(s.st_ino, s0.st_ino);
        }

        /* libarchive's view: sorted depth-first names, "/" on directories, one data copy */
        _cleanup_close_ int fd = open(P("tree.tar.gz"), O_RDONLY | O_CLOEXEC);
        struct rentry v[64];
        size_t n = read_archive(fd, v, 64);
        assert_int_equal(n, 25);
        assert_string_equal(v[0].path, "a.txt");
        assert_string_equal(v[1].path, "abs");
        assert_string_equal(v[3].path, "d/");
        assert_string_equal(v[4].path, "d/big");
        assert_string_equal(v[n - 1].path, "zz-last");
        assert_int_equal(find(v, n, "d/big")->mtime, 1600000000 + 4000);
        assert_int_equal(find(v, n, "d/big")->nsec, 0);
        const struct rentry *e = find(v, n, "d/hl2");
        assert_null(e->hardlink);
        assert_int_equal(e->size, 6);
        assert_string_equal(find(v, n, "hl1")->hardlink, "d/hl2");
        assert_string_equal(find(v, n, "d/sub/hl3")->hardlink, "d/hl2");
        assert_int_equal(find(v, n, "hl1")->size, 0);
        e = find(v, n, "caps");
        assert_int_equal(e->n_x, 2);
        assert_string_equal(strempty(find(v, n, "a.txt")->uname), "");
        assert_int_equal(find(v, n, "a.txt")->n_x, 0);
        rentries_free(v, n);
}

static void test_tree_deterministic(void **state)
{
        require_root();
        build_tree(P("t1"), false);
        build_tree(P("t2"), true);
        char id[4][DIGEST_STR_LEN + 1], comp[4][DIGEST_STR_LEN + 1];
        archive_tree(P("t1"), P("t1.tar"), COMPRESSION_NONE, NULL, id[0], comp[0]);
        archive_tree(P("t2"), P("t2.tar"), COMPRESSION_NONE, NULL, id[1], comp[1]);
        assert_string_equal(id[0], id[1]);
        assert_int_equal(run("cmp -s %s %s", P("t1.tar"), P("t2.tar")), 0);
        archive_tree(P("t1"), P("t1.tar.zst"), COMPRESSION_ZSTD, NULL, id[2], comp[2]);
        archive_tree(P("t2"), P("t2.tar.zst"), COMPRESSION_ZSTD, NULL, id[3], comp[3]);
        assert_string_equal(id[2], id[0]);
        assert_string_equal(comp[2], comp[3]);
        assert_string_not_equal(comp[2], id[2]);
        /* and a change shows */
        set_mtime(P("t2/zz-last"), 1, 0);
        archive_tree(P("t2"), P("t2.tar"), COMPRESSION_NONE, NULL, id[1], comp[1]);
        assert_string_not_equal(id[0], id[1]);
}

static void test_whiteouts(void **state)
{
        require_root();
        mkdir_or_fail(P("ov"), 0755);
        mkdir_or_fail(P("ov/w"), 0755);
        assert_int_equal(mknod(P("ov/w/gone"), S_IFCHR | 0, makedev(0, 0)), 0);
        assert_int_equal(chown(P("ov/w/gone"), 5, 6), 0);
        mkfile(P("ov/w/keep"), "k", 1, 0644);
        assert_int_equal(setxattr(P("ov/w/keep"), "trusted.overlay.origin", "o", 1, 0), 0);
        assert_int_equal(setxattr(P("ov/w/keep"), "user.overlay.foo", "f", 1, 0), 0);
        assert_int_equal(setxattr(P("ov/w/keep"), "user.other", "u", 1, 0), 0);
        mkdir_or_fail(P("ov/w/opq"), 0750);
        assert_int_equal(chown(P("ov/w/opq"), 7, 8), 0);
        assert_int_equal(setxattr(P("ov/w/opq"), "trusted.overlay.opaque", "y", 1, 0), 0);
        mkfile(P("ov/w/opq/in"), "i", 1, 0644);
        mkdir_or_fail(P("ov/w/uopq"), 0755);
        assert_int_equal(setxattr(P("ov/w/uopq"), "user.overlay.opaque", "y", 1, 0), 0);
        mkdir_or_fail(P("ov/w/notopq"), 0755);
        assert_int_equal(setxattr(P("ov/w/notopq"), "trusted.overlay.opaque", "x", 1, 0), 0);
        assert_int_equal(mknod(P("ov/w/realdev"), S_IFCHR | 0666, makedev(1, 5)), 0);

        struct tar_tree_opts o = { .overlay_whiteouts = true };
        char id[DIGEST_STR_LEN + 1], comp[DIGEST_STR_LEN + 1];
        archive_tree(P("ov"), P("ov.tar"), COMPRESSION_NONE, &o, id, comp);
        _cleanup_close_ int fd = open(P("ov.tar"), O_RDONLY | O_CLOEXEC);
        struct rentry v[32];
        size_t n = read_archive(fd, v, 32);
        const char *expect[] = { "w/", "w/.wh.gone", "w/keep", "w/notopq/", "w/opq/",
                                 "w/opq/.wh..wh..opq", "w/opq/in", "w/realdev", "w/uopq/",
                                 "w/uopq/.wh..wh..opq" };
        assert_int_equal(n, ELEMENTSOF(expect));
        for (size_t i = 0; i < n; i++)
                assert_string_equal(v[i].path, expect[i]);
        assert_int_equal(v[1].type, AE_IFREG);
        assert_int_equal(v[1].perm, 0600);
        assert_int_equal(v[1].size, 0);
        assert_int_equal(v[1].uid, 5);
        assert_int_equal(v[2].n_x, 1);
        assert_string_equal(v[2].xname[0], "user.other");
        assert_int_equal(v[3].n_x, 0);
        assert_int_equal(v[4].n_x, 0);
        assert_int_equal(v[5].type, AE_IFREG);
        assert_int_equal(v[5].perm, 0750);
        assert_int_equal(v[5].uid, 7);
        assert_int_equal(v[5].gid, 8);
        assert_int_equal(v[5].mtime, 0);
        assert_int_equal(v[7].type, AE_IFCHR);
        assert_int_equal(v[7].minor, 5);
        rentries_free(v, n);

        /* without the option: the device stays, no opaque markers, user.overlay.* kept */
        archive_tree(P("ov"), P("ov2.tar"), COMPRESSION_NONE, NULL, id, comp);
        _cleanup_close_ int fd2 = open(P("ov2.tar"), O_RDONLY | O_CLOEXEC);
        n = read_archive(fd2, v, 32);
        assert_int_equal(n, 8);
        assert_string_equal(v[1].path, "w/gone");
        assert_int_equal(v[1].type, AE_IFCHR);
        assert_int_equal(v[2].n_x, 2);
        assert_string_equal(v[4].path, "w/opq/");
        assert_string_equal(v[5].path, "w/opq/in");
        rentries_free(v, n);
}

static char seen[16][256];
static size_t n_seen;

static bool skip_some(const char *path, const struct stat *st, void *userdata)
{
        if (n_seen < 16)
                snprintf(seen[n_seen++], sizeof(seen[0]), "%s", path);
        return strcmp(path, "d") == 0 || strcmp(path, (const char *) userdata) == 0;
}

static void test_filter_prefix(void **state)
{
        mkdir_or_fail(P("f"), 0755);
        mkdir_or_fail(P("f/d"), 0755);
        mkfile(P("f/d/x"), "x", 1, 0644);
        mkfile(P("f/a"), "a", 1, 0644);
        mkfile(P("f/b"), "b", 1, 0644);
        mkdir_or_fail(P("f/e"), 0755);
        mkfile(P("f/e/y"), "y", 1, 0644);
        const char *prefixes[] = { "rootfs/", "", "./x/y" };
        const char *first[] = { "rootfs/", "./", "x/y/" };
        const char *names[] = { "rootfs/b", "b", "x/y/b" };
        for (int i = 0; i < 3; i++) {
                n_seen = 0;
                struct tar_tree_opts o = { .include_root = true, .filter = skip_some,
                                           .userdata = (void *) "a" };
                _cleanup_close_ int dfd = open_dir(P("f"));
                _cleanup_close_ int fd = memfd();
                struct cu_error *err = NULL;
                _cleanup_tar_writer_ struct tar_writer *w =
                        tar_writer_new(fd, COMPRESSION_NONE, &err);
                assert_int_equal(tar_add_tree(w, dfd, prefixes[i], &o, &err), 0);
                assert_int_equal(tar_writer_finish(w, NULL, NULL, NULL, &err), 0);
                struct rentry v[16];
                size_t n = read_archive(fd, v, 16);
                assert_int_equal(n, 4);
                assert_string_equal(v[0].path, first[i]);
                assert_string_equal(v[1].path, names[i]);
                assert_int_equal(n_seen, 5);
                assert_string_equal(seen[0], "a");
                assert_string_equal(seen[2], "d");
                assert_string_equal(seen[4], "e/y");
                rentries_free(v, n);
        }
}

static int setup(void **state)
{
        snprintf(base, sizeof(base), "/tmp/cuttle-test-tar-XXXXXX");
        assert_non_null(mkdtemp(base));
        memset(long_a, 'a', 200);
        memset(long_b, 'b', 200);
        return 0;
}

static int teardown(void **state)
{
        return run("rm -rf %s", base);
}

int main(void)
{
        setlocale(LC_ALL, "C.UTF-8");
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_header_bytes_python),
                cmocka_unit_test(test_header_fields),
                cmocka_unit_test(test_all_kinds),
                cmocka_unit_test(test_misuse),
                cmocka_unit_test(test_tree_gnu_tar),
                cmocka_unit_test(test_tree_deterministic),
                cmocka_unit_test(test_whiteouts),
                cmocka_unit_test(test_filter_prefix),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
