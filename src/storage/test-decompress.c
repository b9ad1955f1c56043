/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Streaming gzip/zstd: detection, round trips through comp_writer and decomp (byte-exact, with
 * digests equal to sha256 of the raw and plain bytes), concatenated members and frames, short
 * reads from a pipe, interoperability with the gzip and zstd programs, and clear errors for
 * truncated, corrupt and unsupported input.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "storage/decompress.h"
#include "storage/digest.h"
#include "util/fileio.h"

/* Half text-like (compressible), half pseudo-random (incompressible), deterministic. */
static unsigned char *make_data(size_t len, uint32_t seed)
{
        unsigned char *p = malloc(len ? len : 1);
        assert_non_null(p);
        uint32_t x = seed * 2654435761U + 1;
        for (size_t i = 0; i < len; i++) {
                x = x * 1103515245U + 12345U;
                if ((i / 4096) % 2 == 0)
                        p[i] = (unsigned char) "the quick brown fox jumps\n"[(i + (x >> 28)) % 26];
                else
                        p[i] = (unsigned char) (x >> 16);
        }
        return p;
}

static int memfd(void)
{
        int fd = memfd_create("test", MFD_CLOEXEC);
        assert_true(fd >= 0);
        return fd;
}

/* Compresses data into a new memfd (rewound); digests of what was written. */
static int compress_to_fd(enum compression c, int level, const void *data, size_t len,
                          char comp_digest[DIGEST_STR_LEN + 1])
{
        int fd = memfd();
        struct cu_error *err = NULL;
        _cleanup_comp_writer_ struct comp_writer *w = comp_writer_new(fd, c, level, &err);
        assert_non_null(w);
        _cleanup_digester_ struct digester *dc = digester_new(), *dp = digester_new();
        comp_writer_set_digests(w, dc, dp);
        /* uneven pieces, including empty ones and ones bigger than the internal buffer */
        size_t off = 0, step = 1;
        while (off < len) {
                size_t n = step < len - off ? step : len - off;
                assert_int_equal(comp_write(w, (const char *) data + off, n, &err), 0);
                off += n;
                step = step * 7 + 3;
                assert_int_equal(comp_write(w, data, 0, &err), 0);
        }
        assert_int_equal(comp_writer_finish(w, &err), 0);
        assert_int_equal(comp_write(w, "x", 1, &err), -EIO);
        cu_error_free(err);
        err = NULL;
        assert_int_equal(comp_writer_plain_bytes(w), len);
        struct stat st;
        assert_int_equal(fstat(fd, &st), 0);
        assert_int_equal(comp_writer_compressed_bytes(w), (uint64_t) st.st_size);
        assert_int_equal(digester_bytes(dc), (uint64_t) st.st_size);

        char plain[DIGEST_STR_LEN + 1], expect[DIGEST_STR_LEN + 1];
        digester_final(dp, plain);
        digest_buffer(data, len, expect);
        assert_string_equal(plain, expect);
        digester_final(dc, comp_digest);
        lseek(fd, 0, SEEK_SET);
        char file_digest[DIGEST_STR_LEN + 1];
        assert_int_equal(digest_fd(fd, file_digest, NULL), 0);
        assert_string_equal(file_digest, comp_digest);
        lseek(fd, 0, SEEK_SET);
        return fd;
}

/* Reads everything from fd with reads of `chunk` bytes; checks it equals data and that the
 * digests are those of the raw and plain bytes.  Returns 0 or the error (message in *msg). */
static int decompress_check(int fd, enum compression expect_c, const void *data, size_t len,
                            size_t chunk, char **msg)
{
        struct stat st;
        assert_int_equal(fstat(fd, &st), 0);
        struct cu_error *err = NULL;
        _cleanup_decomp_ struct decomp *d = decomp_new(fd, &err);
        assert_non_null(d);
        assert_int_equal(decomp_compression(d), expect_c);
        _cleanup_digester_ struct digester *raw = digester_new(), *plain = digester_new();
        decomp_set_digests(d, raw, plain);
        _cleanup_free_ unsigned char *out = malloc(len + chunk + 1);
        size_t got = 0;
        for (;;) {
                ssize_t n = decomp_read(d, out + got, chunk, &err);
                if (n < 0) {
                        *msg = strdup(cu_error_msg(err));
                        cu_error_free(err);
                        return (int) n;
                }
                if (n == 0)
                        break;
                got += (size_t) n;
                assert_true(got <= len);
        }
        assert_int_equal(decomp_read(d, out, chunk, &err), 0); /* stays at the end */
        assert_int_equal(got, len);
        assert_memory_equal(out, data, len);
        assert_int_equal(decomp_plain_bytes(d), len);
        assert_int_equal(decomp_raw_bytes(d), (uint64_t) st.st_size);

        char a[DIGEST_STR_LEN + 1], b[DIGEST_STR_LEN + 1];
        digester_final(plain, a);
        digest_buffer(data, len, b);
        assert_string_equal(a, b);
        digester_final(raw, a);
        lseek(fd, 0, SEEK_SET);
        assert_int_equal(digest_fd(fd, b, NULL), 0);
        assert_string_equal(a, b);
        return 0;
}

static void roundtrip(enum compression c, size_t len, size_t chunk)
{
        _cleanup_free_ unsigned char *data = make_data(len, (uint32_t) len);
        char digest[DIGEST_STR_LEN + 1];
        _cleanup_close_ int fd = compress_to_fd(c, COMP_LEVEL_DEFAULT, data, len, digest);
        char *msg = NULL;
        int r = decompress_check(fd, len == 0 ? COMPRESSION_NONE : c, data, len, chunk, &msg);
        if (r < 0)
                fail_msg("%s: %s", compression_to_string(c), msg);
        /* deterministic output */
        char again[DIGEST_STR_LEN + 1];
        _cleanup_close_ int fd2 = compress_to_fd(c, COMP_LEVEL_DEFAULT, data, len, again);
        assert_string_equal(digest, again);
}

static void test_detect(void **state)
{
        assert_int_equal(compression_detect("\x1f\x8b\x08\0\0\0", 6), COMPRESSION_GZIP);
        assert_int_equal(compression_detect("\x28\xb5\x2f\xfd\0\0", 6), COMPRESSION_ZSTD);
        assert_int_equal(compression_detect("\x5a\x2a\x4d\x18\0\0", 6), COMPRESSION_ZSTD);
        assert_int_equal(compression_detect("\x1f", 1), COMPRESSION_NONE);
        assert_int_equal(compression_detect("", 0), COMPRESSION_NONE);
        assert_int_equal(compression_detect("etc/\0\0\0\0", 8), COMPRESSION_NONE);
        assert_string_equal(compression_detect_unsupported("\xfd" "7zXZ\0\0", 7), "xz");
        assert_string_equal(compression_detect_unsupported("BZh91AY", 7), "bzip2");
        assert_null(compression_detect_unsupported("\x1f\x8b\x08\0\0\0", 6));
        assert_null(compression_detect_unsupported("\xfd" "7z", 3));
        assert_string_equal(compression_to_string(COMPRESSION_ZSTD), "zstd");
        assert_int_equal(compression_from_string("gzip"), COMPRESSION_GZIP);
        assert_int_equal(compression_from_string("lz4"), _COMPRESSION_INVALID);
        assert_null(compression_to_string(_COMPRESSION_MAX));
}

static void test_unsupported(void **state)
{
        const char *const names[] = { "xz", "bzip2" };
        for (int i = 0; i < 2; i++) {
                _cleanup_close_ int fd = memfd();
                if (i == 0)
                        assert_int_equal(write_all(fd, "\xfd" "7zXZ\0\0\x04", 8), 0);
                else
                        assert_int_equal(write_all(fd, "BZh91AY&SY", 10), 0);
                lseek(fd, 0, SEEK_SET);
                struct cu_error *err = NULL;
                assert_null(decomp_new(fd, &err));
                char expect[64];
                snprintf(expect, sizeof(expect), "unsupported compression %s", names[i]);
                assert_string_equal(cu_error_msg(err), expect);
                cu_error_free(err);
                err = NULL;
                lseek(fd, 0, SEEK_SET);
                _cleanup_close_ int out = memfd();
                assert_int_equal(copy_decompressed(fd, out, NULL, NULL, NULL, &err), -EOPNOTSUPP);
                cu_error_free(err);
        }
}

static void test_roundtrip_none(void **state)
{
        roundtrip(COMPRESSION_NONE, 0, 4096);
        roundtrip(COMPRESSION_NONE, 5, 1);
        roundtrip(COMPRESSION_NONE, 3 << 20, 1 << 20);
        roundtrip(COMPRESSION_NONE, 100000, 7);
}

static void test_roundtrip_gzip(void **state)
{
        roundtrip(COMPRESSION_GZIP, 1, 4096);
        roundtrip(COMPRESSION_GZIP, 3 << 20, 1 << 20);
        roundtrip(COMPRESSION_GZIP, 200000, 1); /* output-limited reads */
        roundtrip(COMPRESSION_GZIP, 100000, 333);
}

static void test_roundtrip_zstd(void **state)
{
        roundtrip(COMPRESSION_ZSTD, 1, 4096);
        roundtrip(COMPRESSION_ZSTD, 3 << 20, 1 << 20);
        roundtrip(COMPRESSION_ZSTD, 200000, 1);
        roundtrip(COMPRESSION_ZSTD, 100000, 333);
}

static void test_levels(void **state)
{
        _cleanup_free_ unsigned char *data = make_data(300000, 9);
        char d1[DIGEST_STR_LEN + 1], d9[DIGEST_STR_LEN + 1];
        _cleanup_close_ int f1 = compress_to_fd(COMPRESSION_GZIP, 1, data, 300000, d1);
        _cleanup_close_ int f9 = compress_to_fd(COMPRESSION_GZIP, 9, data, 300000, d9);
        assert_string_not_equal(d1, d9);
        _cleanup_close_ int z19 = compress_to_fd(COMPRESSION_ZSTD, 19, data, 300000, d9);
        _cleanup_close_ int zf = compress_to_fd(COMPRESSION_ZSTD, -5, data, 300000, d1);
        char *msg = NULL;
        assert_int_equal(decompress_check(z19, COMPRESSION_ZSTD, data, 300000, 65536, &msg), 0);
        assert_int_equal(decompress_check(zf, COMPRESSION_ZSTD, data, 300000, 65536, &msg), 0);

        struct cu_error *err = NULL;
        assert_null(comp_writer_new(1, COMPRESSION_GZIP, 10, &err));
        assert_string_equal(cu_error_msg(err), "invalid gzip compression level 10");
        cu_error_free(err);
        err = NULL;
        assert_null(comp_writer_new(1, COMPRESSION_ZSTD, 1000, &err));
        assert_non_null(strstr(cu_error_msg(err), "invalid zstd compression level"));
        cu_error_free(err);
}

/* Concatenates the compressed forms of parts (as `cat a.gz b.gz`), optionally with a tail. */
static void concat_check(enum compression c, const void *tail, size_t tail_len, const char *error)
{
        size_t lens[] = { 70000, 0, 1, 500000 };
        _cleanup_free_ unsigned char *all = malloc(600000);
        size_t total = 0;
        _cleanup_close_ int fd = memfd();
        for (size_t i = 0; i < ELEMENTSOF(lens); i++) {
                _cleanup_free_ unsigned char *part = make_data(lens[i], (uint32_t) i);
                memcpy(all + total, part, lens[i]);
                total += lens[i];
                char dg[DIGEST_STR_LEN + 1];
                _cleanup_close_ int p = compress_to_fd(c, COMP_LEVEL_DEFAULT, part, lens[i], dg);
                _cleanup_free_ char *buf = NULL;
                size_t n = 0;
                assert_int_equal(read_full_fd(p, &buf, &n), 0);
                assert_int_equal(write_all(fd, buf, n), 0);
        }
        assert_int_equal(write_all(fd, tail, tail_len), 0);
        lseek(fd, 0, SEEK_SET);
        char *msg = NULL;
        int r = decompress_check(fd, c, all, total, 100000, &msg);
        if (error) {
                assert_int_equal(r, -EBADMSG);
                assert_non_null(strstr(msg, error));
                free(msg);
        } else if (r < 0)
                fail_msg("%s", msg);
}

static void test_concatenated(void **state)
{
        concat_check(COMPRESSION_GZIP, NULL, 0, NULL);
        concat_check(COMPRESSION_ZSTD, NULL, 0, NULL);
        /* zero padding after the last member (tape blocks) is ignored, as gzip does */
        static const char pad[1024];
        concat_check(COMPRESSION_GZIP, pad, sizeof(pad), NULL);
        concat_check(COMPRESSION_GZIP, "junk", 4, "gzip: trailing garbage after compressed data");
        concat_check(COMPRESSION_GZIP, "\0\0\x1f\x8b", 4,
                     "gzip: trailing garbage after compressed data");
        /* a zstd skippable frame is part of the format */
        concat_check(COMPRESSION_ZSTD, "\x50\x2a\x4d\x18\x03\0\0\0abc", 11, NULL);
        concat_check(COMPRESSION_ZSTD, "junk", 4, "zstd: ");
}

/* Every error must be an error: the damaged stream never reads back as the original. */
static void damaged_check(enum compression c, size_t cut, long flip, const char *error)
{
        size_t len = 400000;
        _cleanup_free_ unsigned char *data = make_data(len, 77);
        char dg[DIGEST_STR_LEN + 1];
        _cleanup_close_ int src = compress_to_fd(c, COMP_LEVEL_DEFAULT, data, len, dg);
        _cleanup_free_ char *buf = NULL;
        size_t n = 0;
        assert_int_equal(read_full_fd(src, &buf, &n), 0);
        assert_true(cut < n);
        n -= cut;
        if (flip >= 0)
                buf[(size_t) flip < n ? (size_t) flip : n / 2] ^= 0x55;
        _cleanup_close_ int fd = memfd();
        assert_int_equal(write_all(fd, buf, n), 0);
        lseek(fd, 0, SEEK_SET);
        char *msg = NULL;
        assert_int_equal(decompress_check(fd, c, data, len, 65536, &msg), -EBADMSG);
        if (!strstr(msg, error))
                fail_msg("expected \"%s\" in \"%s\"", error, msg);
        free(msg);

        /* copy_decompressed reports the same */
        lseek(fd, 0, SEEK_SET);
        _cleanup_close_ int out = memfd();
        struct cu_error *err = NULL;
        assert_int_equal(copy_decompressed(fd, out, NULL, NULL, NULL, &err), -EBADMSG);
        assert_non_null(strstr(cu_error_msg(err), error));
        cu_error_free(err);
}

static void test_truncated(void **state)
{
        damaged_check(COMPRESSION_GZIP, 1, -1, "gzip: unexpected end of data");  /* in the trailer */
        damaged_check(COMPRESSION_GZIP, 9, -1, "gzip: unexpected end of data");
        damaged_check(COMPRESSION_GZIP, 100000, -1, "gzip: unexpected end of data");
        damaged_check(COMPRESSION_ZSTD, 1, -1, "zstd: unexpected end of data");
        damaged_check(COMPRESSION_ZSTD, 100000, -1, "zstd: unexpected end of data");
}

static void test_corrupt(void **state)
{
        damaged_check(COMPRESSION_GZIP, 0, 200, "gzip: invalid data");
        damaged_check(COMPRESSION_GZIP, 0, 1L << 30, "gzip: invalid data"); /* middle */
        damaged_check(COMPRESSION_GZIP, 0, 2, "gzip: invalid data: unknown compression method");
        damaged_check(COMPRESSION_ZSTD, 0, 1L << 30, "zstd: ");
        damaged_check(COMPRESSION_ZSTD, 0, 5, "zstd: ");
}

/* Short reads: a child writes a gzip stream into a pipe in small pieces. */
static void test_pipe(void **state)
{
        size_t len = 1 << 20;
        _cleanup_free_ unsigned char *data = make_data(len, 5);
        char dg[DIGEST_STR_LEN + 1];
        _cleanup_close_ int src = compress_to_fd(COMPRESSION_GZIP, 1, data, len, dg);
        _cleanup_free_ char *buf = NULL;
        size_t n = 0;
        assert_int_equal(read_full_fd(src, &buf, &n), 0);
        int p[2];
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(p[0]);
                for (size_t off = 0; off < n; off += 777)
                        if (write_all(p[1], buf + off, n - off < 777 ? n - off : 777) < 0)
                                _exit(1);
                free(TAKE_PTR(buf)); /* a clean valgrind log: the child exits without cleanup */
                free(TAKE_PTR(data));
                _exit(0);
        }
        close(p[1]);
        struct cu_error *err = NULL;
        _cleanup_close_ int out = memfd();
        _cleanup_digester_ struct digester *raw = digester_new(), *plain = digester_new();
        uint64_t size = 0;
        assert_int_equal(copy_decompressed(p[0], out, raw, plain, &size, &err), 0);
        close(p[0]);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_int_equal(status, 0);
        assert_int_equal(size, len);
        char a[DIGEST_STR_LEN + 1], b[DIGEST_STR_LEN + 1];
        digester_final(raw, a);
        assert_string_equal(a, dg);
        digester_final(plain, a);
        digest_buffer(data, len, b);
        assert_string_equal(a, b);
        lseek(out, 0, SEEK_SET);
        assert_int_equal(digest_fd(out, a, NULL), 0);
        assert_string_equal(a, b);
}

static int run(const char *cmd)
{
        int r = system(cmd);
        return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

/* Our streams are read by gzip/zstd, theirs by us. */
static char dir[] = "/tmp/cuttle-test-decomp-XXXXXX";
static bool dir_made;

static void test_interop(void **state)
{
        assert_non_null(mkdtemp(dir));
        dir_made = true;
        size_t len = 2 << 20;
        _cleanup_free_ unsigned char *data = make_data(len, 3);
        char path[512], cmd[2048];
        snprintf(path, sizeof(path), "%s/data", dir);
        assert_int_equal(write_file_atomic(path, data, len, 0644, NULL), 0);
        const enum compression cs[] = { COMPRESSION_GZIP, COMPRESSION_ZSTD };
        const char *const progs[] = { "gzip", "zstd -q" };
        for (int i = 0; i < 2; i++) {
                char dg[DIGEST_STR_LEN + 1];
                _cleanup_close_ int fd = compress_to_fd(cs[i], COMP_LEVEL_DEFAULT, data, len, dg);
                snprintf(path, sizeof(path), "%s/ours", dir);
                _cleanup_close_ int o = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                struct cu_error *err = NULL;
                assert_int_equal(copy_decompressed(fd, o, NULL, NULL, NULL, &err), 0);
                lseek(fd, 0, SEEK_SET);
                _cleanup_free_ char *z = NULL;
                size_t zn = 0;
                assert_int_equal(read_full_fd(fd, &z, &zn), 0);
                snprintf(path, sizeof(path), "%s/ours.z", dir);
                assert_int_equal(write_file_atomic(path, z, zn, 0644, NULL), 0);
                snprintf(cmd, sizeof(cmd), "%s -dc %s/ours.z | cmp -s - %s/data", progs[i], dir,
                         dir);
                assert_int_equal(run(cmd), 0);
                /* theirs, two members/frames concatenated */
                snprintf(cmd, sizeof(cmd), "(%s -c %s/data; %s -c %s/data) > %s/theirs.z",
                         progs[i], dir, progs[i], dir, dir);
                assert_int_equal(run(cmd), 0);
                snprintf(path, sizeof(path), "%s/theirs.z", dir);
                _cleanup_close_ int t = open(path, O_RDONLY | O_CLOEXEC);
                _cleanup_free_ unsigned char *twice = malloc(2 * len);
                memcpy(twice, data, len);
                memcpy(twice + len, data, len);
                char *msg = NULL;
                if (decompress_check(t, cs[i], twice, 2 * len, 1 << 20, &msg) < 0)
                        fail_msg("%s", msg);
        }
}

static int teardown(void **state)
{
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        return dir_made ? run(cmd) : 0;
}

static void test_drain(void **state)
{
        size_t len = 3 << 20;
        _cleanup_free_ unsigned char *data = make_data(len, 11);
        char dg[DIGEST_STR_LEN + 1];
        _cleanup_close_ int fd = compress_to_fd(COMPRESSION_ZSTD, 1, data, len, dg);
        struct cu_error *err = NULL;
        _cleanup_decomp_ struct decomp *d = decomp_new(fd, &err);
        _cleanup_digester_ struct digester *raw = digester_new();
        decomp_set_digests(d, raw, NULL);
        char buf[1000];
        assert_int_equal(decomp_read(d, buf, sizeof(buf), &err), sizeof(buf));
        assert_memory_equal(buf, data, sizeof(buf));
        assert_int_equal(decomp_drain(d, &err), 0);
        assert_int_equal(decomp_plain_bytes(d), len);
        char a[DIGEST_STR_LEN + 1];
        digester_final(raw, a);
        assert_string_equal(a, dg);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_detect),
                cmocka_unit_test(test_unsupported),
                cmocka_unit_test(test_roundtrip_none),
                cmocka_unit_test(test_roundtrip_gzip),
                cmocka_unit_test(test_roundtrip_zstd),
                cmocka_unit_test(test_levels),
                cmocka_unit_test(test_concatenated),
                cmocka_unit_test(test_truncated),
                cmocka_unit_test(test_corrupt),
                cmocka_unit_test(test_pipe),
                cmocka_unit_test(test_interop),
                cmocka_unit_test(test_drain),
        };
        return cmocka_run_group_tests(tests, NULL, teardown);
}
