/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Streaming (de)compression of layer blobs with zlib and libzstd directly (no libarchive, no
 * threads, 1 MiB buffers).
 *
 * Reading: decomp_new() peeks at the first bytes of an fd and detects gzip, zstd or plain data
 * (bzip2 and xz are recognized and refused: "unsupported compression xz"); decomp_read() then
 * returns decompressed bytes.  Concatenated gzip members and zstd frames are read as one
 * stream; zero bytes after the last gzip member are ignored (as gzip does), anything else after
 * it is an error.  Corrupt or truncated input gives "gzip: …" / "zstd: …" errors.  Optional
 * digesters see the raw bytes read from the fd and the decompressed bytes returned.
 *
 * Writing: a comp_writer compresses (or copies, COMPRESSION_NONE) what it is given into an fd,
 * with optional digesters of the uncompressed and the written bytes.  The gzip header has no
 * name and mtime 0, so the same input and level always give the same bytes.
 */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "storage/digest.h"
#include "util/error.h"

enum compression {
        COMPRESSION_NONE,
        COMPRESSION_GZIP,
        COMPRESSION_ZSTD,
        _COMPRESSION_MAX,
        _COMPRESSION_INVALID = -EINVAL,
};

/* "none", "gzip", "zstd"; NULL for other values.  from_string() returns _COMPRESSION_INVALID
 * for unknown names. */
const char *compression_to_string(enum compression c);
enum compression compression_from_string(const char *s);

/* Magic bytes: gzip (1f 8b), zstd (28 b5 2f fd, or a skippable frame), else NONE.  Needs the
 * first 6 bytes to recognize every format (fewer bytes give NONE). */
enum compression compression_detect(const void *buf, size_t len);

/* Name of an unsupported compression recognized by its magic ("bzip2", "xz"), or NULL. */
const char *compression_detect_unsupported(const void *buf, size_t len);

/* ---- reading ---- */

struct decomp;

/* Reads the first bytes of in_fd (which stays owned by the caller) and detects the format.
 * Fails for bzip2/xz ("unsupported compression xz"). */
struct decomp *decomp_new(int in_fd, struct cu_error **err);
struct decomp *decomp_free(struct decomp *d);
DEFINE_CLEANUP_FUNC(struct decomp *, decomp_free)
#define _cleanup_decomp_ _cleanup_(decomp_freep)

enum compression decomp_compression(const struct decomp *d);

/* Digesters (borrowed, may be NULL) of the raw bytes read from the fd (including the bytes
 * already peeked by decomp_new()) and of the decompressed bytes.  Call once, before the first
 * decomp_read(). */
void decomp_set_digests(struct decomp *d, struct digester *raw, struct digester *plain);

/* Up to len decompressed bytes into buf; 0 at the end of the stream (the fd has then been read
 * to EOF), -errno on error. */
ssize_t decomp_read(struct decomp *d, void *buf, size_t len, struct cu_error **err);

/* Reads (and digests) the rest of the stream, discarding it; for callers whose parser stops
 * before the end (a tar reader at its end-of-archive marker).  Returns 0 or -errno. */
int decomp_drain(struct decomp *d, struct cu_error **err);

/* Bytes read from the fd / decompressed bytes returned so far. */
uint64_t decomp_raw_bytes(const struct decomp *d);
uint64_t decomp_plain_bytes(const struct decomp *d);

/* Decompresses in_fd (any supported format) into out_fd.  raw/plain digesters may be NULL;
 * ret_size (may be NULL) gets the decompressed size. */
int copy_decompressed(int in_fd, int out_fd, struct digester *raw, struct digester *plain,
                      uint64_t *ret_size, struct cu_error **err);

/* ---- writing ---- */

/* The codec's default level (gzip 6, zstd 3). */
#define COMP_LEVEL_DEFAULT 0

struct comp_writer;

/* Writes to out_fd (borrowed).  level: COMP_LEVEL_DEFAULT, gzip 1..9, zstd 1..19 (negative:
 * zstd's fast levels); ignored for COMPRESSION_NONE. */
struct comp_writer *comp_writer_new(int out_fd, enum compression c, int level,
                                    struct cu_error **err);
struct comp_writer *comp_writer_free(struct comp_writer *w);
DEFINE_CLEANUP_FUNC(struct comp_writer *, comp_writer_free)
#define _cleanup_comp_writer_ _cleanup_(comp_writer_freep)

/* Digesters (borrowed, may be NULL) of the bytes written to the fd and of the uncompressed
 * bytes given to comp_write().  Call before the first comp_write(). */
void comp_writer_set_digests(struct comp_writer *w, struct digester *compressed,
                             struct digester *plain);

int comp_write(struct comp_writer *w, const void *buf, size_t len, struct cu_error **err);

/* Ends the stream and writes everything still buffered.  Nothing may be written after. */
int comp_writer_finish(struct comp_writer *w, struct cu_error **err);

/* Bytes given to comp_write() / bytes written to the fd (complete after finish). */
uint64_t comp_writer_plain_bytes(const struct comp_writer *w);
uint64_t comp_writer_compressed_bytes(const struct comp_writer *w);
