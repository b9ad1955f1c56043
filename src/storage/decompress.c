/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "storage/decompress.h"
#include "util/fileio.h"

#define BUF_SIZE (1U << 20)

static const char *const compression_names[_COMPRESSION_MAX] = {
        [COMPRESSION_NONE] = "none",
        [COMPRESSION_GZIP] = "gzip",
        [COMPRESSION_ZSTD] = "zstd",
};

const char *compression_to_string(enum compression c)
{
        if (c < 0 || c >= _COMPRESSION_MAX)
                return NULL;
        return compression_names[c];
}

enum compression compression_from_string(const char *s)
{
        for (int i = 0; s && i < _COMPRESSION_MAX; i++)
                if (strcmp(s, compression_names[i]) == 0)
                        return (enum compression) i;
        return _COMPRESSION_INVALID;
}

enum compression compression_detect(const void *buf, size_t len)
{
        const unsigned char *p = buf;
        if (len >= 2 && p[0] == 0x1f && p[1] == 0x8b)
                return COMPRESSION_GZIP;
        if (len >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
                return COMPRESSION_ZSTD;
        /* Skippable frame: 0x184D2A50..0x184D2A5F, little endian. */
        if (len >= 4 && (p[0] & 0xf0) == 0x50 && p[1] == 0x2a && p[2] == 0x4d && p[3] == 0x18)
                return COMPRESSION_ZSTD;
        return COMPRESSION_NONE;
}

const char *compression_detect_unsupported(const void *buf, size_t len)
{
        const unsigned char *p = buf;
        if (len >= 3 && p[0] == 'B' && p[1] == 'Z' && p[2] == 'h')
                return "bzip2";
        if (len >= 6 && memcmp(p, "\xfd" "7zXZ\0", 6) == 0)
                return "xz";
        return NULL;
}

/* ---- reading ---- */

struct decomp {
        int fd;
        enum compression c;
        unsigned char *in;
        size_t in_pos, in_len;
        bool eof;  /* the fd is at EOF */
        bool done; /* the stream has ended */
        z_stream z;
        bool z_init;
        bool member_done; /* gzip: a member has ended, another may follow */
        ZSTD_DCtx *zd;
        bool zstd_frame_done; /* the last frame has ended (more may follow) */
        bool started;         /* decomp_read() was called */
        struct digester *raw, *plain;
        uint64_t raw_bytes, plain_bytes;
};

static void account_raw(struct decomp *d, const void *buf, size_t n)
{
        if (d->raw)
                digester_update(d->raw, buf, n);
        d->raw_bytes += n;
}

static ssize_t read_retry(int fd, void *buf, size_t len)
{
        for (;;) {
                ssize_t n = read(fd, buf, len);
                if (n >= 0 || errno != EINTR)
                        return n < 0 ? -errno : n;
        }
}

/* Refills the (empty) input buffer.  Raw bytes are digested as they are read. */
static int fill(struct decomp *d, struct cu_error **err)
{
        ssize_t n = read_retry(d->fd, d->in, BUF_SIZE);
        if (n < 0)
                return cu_error_set(err, (int) -n, "reading compressed data");
        d->in_pos = 0;
        d->in_len = (size_t) n;
        if (n == 0)
                d->eof = true;
        account_raw(d, d->in, (size_t) n);
        return 0;
}

static int decomp_open(int in_fd, struct decomp **ret, struct cu_error **err)
{
        _cleanup_(decomp_freep) struct decomp *d = calloc(1, sizeof(*d));
        if (!d || !(d->in = malloc(BUF_SIZE)))
                return cu_error_set(err, ENOMEM, "allocating decompressor");
        d->fd = in_fd;

        /* Peek: read until the magic can be told (6 bytes) or EOF.  These bytes are digested
         * only when decomp_set_digests() comes, so keep them aside in the input buffer. */
        while (d->in_len < 6) {
                ssize_t n = read_retry(in_fd, d->in + d->in_len, BUF_SIZE - d->in_len);
                if (n < 0)
                        return cu_error_set(err, (int) -n, "reading compressed data");
                if (n == 0) {
                        d->eof = true;
                        break;
                }
                d->in_len += (size_t) n;
        }
        d->raw_bytes = d->in_len;

        const char *unsupported = compression_detect_unsupported(d->in, d->in_len);
        if (unsupported)
                return cu_error_setx(err, EOPNOTSUPP, "unsupported compression %s", unsupported);
        d->c = compression_detect(d->in, d->in_len);
        if (d->c == COMPRESSION_GZIP) {
                if (inflateInit2(&d->z, 15 + 16) != Z_OK)
                        return cu_error_set(err, ENOMEM, "gzip: initializing");
                d->z_init = true;
        } else if (d->c == COMPRESSION_ZSTD) {
                d->zd = ZSTD_createDCtx();
                if (!d->zd)
                        return cu_error_set(err, ENOMEM, "zstd: initializing");
        }
        *ret = TAKE_PTR(d);
        return 0;
}

struct decomp *decomp_new(int in_fd, struct cu_error **err)
{
        struct decomp *d = NULL;
        if (decomp_open(in_fd, &d, err) < 0)
                return NULL;
        return d;
}

struct decomp *decomp_free(struct decomp *d)
{
        if (!d)
                return NULL;
        if (d->z_init)
                inflateEnd(&d->z);
        ZSTD_freeDCtx(d->zd);
        free(d->in);
        free(d);
        return NULL;
}

enum compression decomp_compression(const struct decomp *d)
{
        return d->c;
}

void decomp_set_digests(struct decomp *d, struct digester *raw, struct digester *plain)
{
        d->raw = raw;
        d->plain = plain;
        /* The bytes peeked by decomp_new() were not digested yet. */
        if (raw && !d->started)
                digester_update(raw, d->in, d->in_len);
}

static ssize_t read_none(struct decomp *d, void *buf, size_t len, struct cu_error **err)
{
        if (d->in_pos < d->in_len) {
                size_t n = d->in_len - d->in_pos;
                if (n > len)
                        n = len;
                memcpy(buf, d->in + d->in_pos, n);
                d->in_pos += n;
                return (ssize_t) n;
        }
        if (d->eof)
                return 0;
        ssize_t n = read_retry(d->fd, buf, len);
        if (n < 0)
                return cu_error_set(err, (int) -n, "reading data");
        if (n == 0)
                d->eof = true;
        account_raw(d, buf, (size_t) n);
        return n;
}

/* After a gzip member: EOF ends the stream, zero padding is skipped, a new member restarts
 * the inflater.  Returns 1 when the stream has ended, 0 to go on, -errno. */
static int gzip_next_member(struct decomp *d, struct cu_error **err)
{
        bool zeros = false;
        for (;;) {
                while (d->in_pos < d->in_len && d->in[d->in_pos] == 0) {
                        d->in_pos++;
                        zeros = true;
                }
                if (d->in_pos < d->in_len)
                        break;
                if (d->eof)
                        return 1;
                int r = fill(d, err);
                if (r < 0)
                        return r;
        }
        if (zeros || d->in[d->in_pos] != 0x1f)
                return cu_error_setx(err, EBADMSG, "gzip: trailing garbage after compressed data");
        if (inflateReset(&d->z) != Z_OK)
                return cu_error_setx(err, EIO, "gzip: resetting inflater");
        d->member_done = false;
        return 0;
}

static ssize_t read_gzip(struct decomp *d, void *buf, size_t len, struct cu_error **err)
{
        if (len > UINT_MAX)
                len = UINT_MAX;
        for (;;) {
                int r;
                if (d->member_done) {
                        r = gzip_next_member(d, err);
                        if (r < 0)
                                return r;
                        if (r > 0) {
                                d->done = true;
                                return 0;
                        }
                }
                if (d->in_pos == d->in_len && !d->eof) {
                        r = fill(d, err);
                        if (r < 0)
                                return r;
                }
                d->z.next_in = d->in + d->in_pos;
                d->z.avail_in = (uInt) (d->in_len - d->in_pos);
                d->z.next_out = buf;
                d->z.avail_out = (uInt) len;
                r = inflate(&d->z, Z_NO_FLUSH);
                d->in_pos = d->in_len - d->z.avail_in;
                size_t produced = len - d->z.avail_out;
                if (r == Z_STREAM_END)
                        d->member_done = true;
                else if (r == Z_DATA_ERROR)
                        return cu_error_setx(err, EBADMSG, "gzip: invalid data: %s",
                                             d->z.msg ? d->z.msg : "corrupt stream");
                else if (r == Z_MEM_ERROR)
                        return cu_error_set(err, ENOMEM, "gzip");
                else if (r == Z_NEED_DICT || r == Z_STREAM_ERROR)
                        return cu_error_setx(err, EBADMSG, "gzip: invalid data");
                else if (produced == 0 && d->eof && d->in_pos == d->in_len)
                        return cu_error_setx(err, EBADMSG, "gzip: unexpected end of data");
                if (produced > 0)
                        return (ssize_t) produced;
        }
}

static ssize_t read_zstd(struct decomp *d, void *buf, size_t len, struct cu_error **err)
{
        for (;;) {
                if (d->in_pos == d->in_len && !d->eof) {
                        int r = fill(d, err);
                        if (r < 0)
                                return r;
                }
                if (d->in_pos == d->in_len && d->eof && d->zstd_frame_done) {
                        d->done = true;
                        return 0;
                }
                /* With no input left this still flushes what the decoder holds. */
                ZSTD_inBuffer ib = { d->in, d->in_len, d->in_pos };
                ZSTD_outBuffer ob = { buf, len, 0 };
                size_t r = ZSTD_decompressStream(d->zd, &ob, &ib);
                if (ZSTD_isError(r))
                        return cu_error_setx(err, EBADMSG, "zstd: %s", ZSTD_getErrorName(r));
                if (ib.pos > d->in_pos || ob.pos > 0)
                        d->zstd_frame_done = r == 0;
                d->in_pos = ib.pos;
                if (ob.pos > 0)
                        return (ssize_t) ob.pos;
                if (d->eof && d->in_pos == d->in_len && !d->zstd_frame_done)
                        return cu_error_setx(err, EBADMSG, "zstd: unexpected end of data");
        }
}

ssize_t decomp_read(struct decomp *d, void *buf, size_t len, struct cu_error **err)
{
        d->started = true;
        if (d->done || len == 0)
                return 0;
        ssize_t n;
        switch (d->c) {
        case COMPRESSION_GZIP:
                n = read_gzip(d, buf, len, err);
                break;
        case COMPRESSION_ZSTD:
                n = read_zstd(d, buf, len, err);
                break;
        default:
                n = read_none(d, buf, len, err);
                if (n == 0)
                        d->done = true;
                break;
        }
        if (n > 0) {
                if (d->plain)
                        digester_update(d->plain, buf, (size_t) n);
                d->plain_bytes += (uint64_t) n;
        }
        return n;
}

int decomp_drain(struct decomp *d, struct cu_error **err)
{
        _cleanup_free_ void *buf = malloc(BUF_SIZE);
        if (!buf)
                return cu_error_set(err, ENOMEM, "allocating buffer");
        for (;;) {
                ssize_t n = decomp_read(d, buf, BUF_SIZE, err);
                if (n <= 0)
                        return (int) n;
        }
}

uint64_t decomp_raw_bytes(const struct decomp *d)
{
        return d->raw_bytes;
}

uint64_t decomp_plain_bytes(const struct decomp *d)
{
        return d->plain_bytes;
}

int copy_decompressed(int in_fd, int out_fd, struct digester *raw, struct digester *plain,
                      uint64_t *ret_size, struct cu_error **err)
{
        _cleanup_decomp_ struct decomp *d = NULL;
        int r = decomp_open(in_fd, &d, err);
        if (r < 0)
                return r;
        decomp_set_digests(d, raw, plain);
        _cleanup_free_ void *buf = malloc(BUF_SIZE);
        if (!buf)
                return cu_error_set(err, ENOMEM, "allocating buffer");
        for (;;) {
                ssize_t n = decomp_read(d, buf, BUF_SIZE, err);
                if (n < 0)
                        return (int) n;
                if (n == 0)
                        break;
                r = write_all(out_fd, buf, (size_t) n);
                if (r < 0)
                        return cu_error_set(err, -r, "writing decompressed data");
        }
        if (ret_size)
                *ret_size = d->plain_bytes;
        return 0;
}

/* ---- writing ---- */

struct comp_writer {
        int fd;
        enum compression c;
        unsigned char *out;
        size_t out_len;
        z_stream z;
        bool z_init;
        ZSTD_CCtx *zc;
        struct digester *compressed, *plain;
        uint64_t plain_bytes, compressed_bytes;
        bool finished, failed;
};

struct comp_writer *comp_writer_new(int out_fd, enum compression c, int level,
                                    struct cu_error **err)
{
        _cleanup_(comp_writer_freep) struct comp_writer *w = calloc(1, sizeof(*w));
        if (!w || !(w->out = malloc(BUF_SIZE))) {
                cu_error_set(err, ENOMEM, "allocating compressor");
                return NULL;
        }
        w->fd = out_fd;
        w->c = c;
        switch (c) {
        case COMPRESSION_NONE:
                break;
        case COMPRESSION_GZIP:
                if (level == COMP_LEVEL_DEFAULT)
                        level = Z_DEFAULT_COMPRESSION;
                if (level != Z_DEFAULT_COMPRESSION && (level < 1 || level > 9)) {
                        cu_error_setx(err, EINVAL, "invalid gzip compression level %d", level);
                        return NULL;
                }
                if (deflateInit2(&w->z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
                    Z_OK) {
                        cu_error_set(err, ENOMEM, "gzip: initializing");
                        return NULL;
                }
                w->z_init = true;
                break;
        case COMPRESSION_ZSTD:
                if (level == COMP_LEVEL_DEFAULT)
                        level = ZSTD_CLEVEL_DEFAULT;
                if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel()) {
                        cu_error_setx(err, EINVAL, "invalid zstd compression level %d", level);
                        return NULL;
                }
                w->zc = ZSTD_createCCtx();
                if (!w->zc ||
                    ZSTD_isError(ZSTD_CCtx_setParameter(w->zc, ZSTD_c_compressionLevel, level)) ||
                    ZSTD_isError(ZSTD_CCtx_setParameter(w->zc, ZSTD_c_checksumFlag, 1))) {
                        cu_error_set(err, ENOMEM, "zstd: initializing");
                        return NULL;
                }
                break;
        default:
                cu_error_setx(err, EINVAL, "invalid compression %d", (int) c);
                return NULL;
        }
        return TAKE_PTR(w);
}

struct comp_writer *comp_writer_free(struct comp_writer *w)
{
        if (!w)
                return NULL;
        if (w->z_init)
                deflateEnd(&w->z);
        ZSTD_freeCCtx(w->zc);
        free(w->out);
        free(w);
        return NULL;
}

void comp_writer_set_digests(struct comp_writer *w, struct digester *compressed,
                             struct digester *plain)
{
        w->compressed = compressed;
        w->plain = plain;
}

static int put_out(struct comp_writer *w, const void *buf, size_t len, struct cu_error **err)
{
        int r = write_all(w->fd, buf, len);
        if (r < 0) {
                w->failed = true;
                return cu_error_set(err, -r, "writing %s stream",
                                    compression_to_string(w->c));
        }
        if (w->compressed)
                digester_update(w->compressed, buf, len);
        w->compressed_bytes += len;
        return 0;
}

static int flush_out(struct comp_writer *w, struct cu_error **err)
{
        if (w->out_len == 0)
                return 0;
        int r = put_out(w, w->out, w->out_len, err);
        w->out_len = 0;
        return r;
}

static int write_none(struct comp_writer *w, const void *buf, size_t len, struct cu_error **err)
{
        if (w->out_len + len <= BUF_SIZE) {
                memcpy(w->out + w->out_len, buf, len);
                w->out_len += len;
                return 0;
        }
        int r = flush_out(w, err);
        if (r < 0)
                return r;
        if (len >= BUF_SIZE)
                return put_out(w, buf, len, err);
        memcpy(w->out, buf, len);
        w->out_len = len;
        return 0;
}

/* Runs deflate over buf (NULL with flush == Z_FINISH to end the stream). */
static int deflate_run(struct comp_writer *w, const void *buf, size_t len, int flush,
                       struct cu_error **err)
{
        const unsigned char *p = buf;
        for (;;) {
                uInt chunk = len > UINT_MAX ? UINT_MAX : (uInt) len;
                w->z.next_in = (unsigned char *) p;
                w->z.avail_in = chunk;
                w->z.next_out = w->out + w->out_len;
                w->z.avail_out = (uInt) (BUF_SIZE - w->out_len);
                int r = deflate(&w->z, len > chunk ? Z_NO_FLUSH : flush);
                if (r == Z_STREAM_ERROR) {
                        w->failed = true;
                        return cu_error_setx(err, EIO, "gzip: compression failed");
                }
                size_t used = chunk - w->z.avail_in;
                p += used;
                len -= used;
                w->out_len = BUF_SIZE - w->z.avail_out;
                if (w->out_len == BUF_SIZE) {
                        int k = flush_out(w, err);
                        if (k < 0)
                                return k;
                }
                if (flush == Z_FINISH ? r == Z_STREAM_END : (len == 0 && w->z.avail_out > 0))
                        return 0;
        }
}

static int zstd_run(struct comp_writer *w, const void *buf, size_t len, ZSTD_EndDirective end,
                    struct cu_error **err)
{
        ZSTD_inBuffer ib = { buf, len, 0 };
        for (;;) {
                ZSTD_outBuffer ob = { w->out, BUF_SIZE, w->out_len };
                size_t r = ZSTD_compressStream2(w->zc, &ob, &ib, end);
                if (ZSTD_isError(r)) {
                        w->failed = true;
                        return cu_error_setx(err, EIO, "zstd: %s", ZSTD_getErrorName(r));
                }
                w->out_len = ob.pos;
                if (w->out_len == BUF_SIZE) {
                        int k = flush_out(w, err);
                        if (k < 0)
                                return k;
                }
                if (end == ZSTD_e_end ? r == 0 : ib.pos == ib.size)
                        return 0;
        }
}

int comp_write(struct comp_writer *w, const void *buf, size_t len, struct cu_error **err)
{
        if (w->finished || w->failed)
                return cu_error_setx(err, EIO, "writing to a %s stream",
                                     w->failed ? "failed" : "finished");
        if (len == 0)
                return 0;
        if (w->plain)
                digester_update(w->plain, buf, len);
        w->plain_bytes += len;
        switch (w->c) {
        case COMPRESSION_GZIP:
                return deflate_run(w, buf, len, Z_NO_FLUSH, err);
        case COMPRESSION_ZSTD:
                return zstd_run(w, buf, len, ZSTD_e_continue, err);
        default:
                return write_none(w, buf, len, err);
        }
}

int comp_writer_finish(struct comp_writer *w, struct cu_error **err)
{
        if (w->finished || w->failed)
                return cu_error_setx(err, EIO, "finishing a %s stream",
                                     w->failed ? "failed" : "finished");
        int r = 0;
        if (w->c == COMPRESSION_GZIP)
                r = deflate_run(w, NULL, 0, Z_FINISH, err);
        else if (w->c == COMPRESSION_ZSTD)
                r = zstd_run(w, NULL, 0, ZSTD_e_end, err);
        if (r >= 0)
                r = flush_out(w, err);
        if (r < 0)
                return r;
        w->finished = true;
        return 0;
}

uint64_t comp_writer_plain_bytes(const struct comp_writer *w)
{
        return w->plain_bytes;
}

uint64_t comp_writer_compressed_bytes(const struct comp_writer *w)
{
        return w->compressed_bytes;
}
