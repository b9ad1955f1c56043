/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writing tar archives (layers, docker-archive/oci-archive files) without libarchive, in the
 * PAX format as Go's archive/tar writes it for containers/storage: plain ustar headers (a name
 * longer than 100 bytes is split into prefix/name at a '/' when it can be), and a pax extended
 * header ('x', named "DIR/PaxHeaders.0/BASE") only for what ustar cannot hold: long or
 * non-ASCII names and link names, uid/gid ≥ 2^21, size ≥ 8 GiB, mtimes before 1970 or after
 * 2242, sub-second mtimes (only when asked: layers use whole seconds), long or non-ASCII
 * user/group names, and xattrs (SCHILY.xattr.NAME).  Records are sorted by key; numeric fields
 * are zero-padded octal; the archive ends with two zero blocks.  The same entries therefore
 * always give the same bytes (and the same digests).
 *
 * The output goes through a comp_writer (none, gzip, zstd); tar_writer_finish() returns the
 * uncompressed size, the diff ID (sha256 of the tar) and the digest of the bytes written.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "storage/decompress.h"
#include "storage/digest.h"
#include "util/error.h"

enum tar_type {
        TAR_REG,
        TAR_DIR,
        TAR_SYMLINK,
        TAR_HARDLINK,
        TAR_CHAR,
        TAR_BLOCK,
        TAR_FIFO,
        _TAR_TYPE_MAX,
};

struct tar_xattr {
        const char *name; /* "security.capability"; must not contain '=' */
        const void *value;
        size_t size;
};

struct tar_entry {
        const char *name;     /* relative path; a '/' is appended to directories that lack it */
        enum tar_type type;
        mode_t mode;          /* permission bits and setuid/setgid/sticky (& 07777) */
        uid_t uid;
        gid_t gid;
        const char *uname;    /* NULL or "": numeric only */
        const char *gname;
        struct timespec mtime; /* tv_nsec is written only by a writer with subsecond mtimes */
        uint64_t size;        /* TAR_REG only (ignored otherwise) */
        const char *linkname; /* TAR_SYMLINK target, TAR_HARDLINK earlier name in the archive */
        unsigned devmajor, devminor; /* TAR_CHAR, TAR_BLOCK */
        const struct tar_xattr *xattrs;
        size_t n_xattrs;
};

/* The header block(s) of an entry: [pax header + its data] + ustar block, a multiple of 512
 * bytes, malloc'd in *ret.  Fails (EINVAL) for an empty name, a missing link name, a device
 * number or xattr name that cannot be written. */
int tar_header_encode(const struct tar_entry *e, bool subsecond_mtime, void **ret,
                      size_t *ret_len, struct cu_error **err);

struct tar_writer;

/* out_fd is borrowed.  tar_writer_new() uses the codec's default level. */
struct tar_writer *tar_writer_new(int out_fd, enum compression c, struct cu_error **err);
struct tar_writer *tar_writer_new_level(int out_fd, enum compression c, int level,
                                        struct cu_error **err);
struct tar_writer *tar_writer_free(struct tar_writer *w);
DEFINE_CLEANUP_FUNC(struct tar_writer *, tar_writer_free)
#define _cleanup_tar_writer_ _cleanup_(tar_writer_freep)

/* Write mtimes with their nanoseconds (pax "mtime" records).  Default: whole seconds. */
void tar_writer_set_subsecond_mtime(struct tar_writer *w, bool on);

/* Starts an entry.  The previous regular file must have received all its data (else EIO). */
int tar_write_header(struct tar_writer *w, const struct tar_entry *e, struct cu_error **err);

/* Data of the current regular file; more than its size is an error (EIO).  The padding to
 * 512 bytes is written with the next header or at finish. */
int tar_write_data(struct tar_writer *w, const void *buf, size_t len, struct cu_error **err);

/* Header + e->size bytes read from fd (from its current offset).  A file shorter than
 * e->size is an error; bytes past it are not archived. */
int tar_write_file(struct tar_writer *w, const struct tar_entry *e, int fd,
                   struct cu_error **err);

/* A regular file from memory (manifest.json, …): uid/gid 0, no user/group names. */
int tar_write_buffer(struct tar_writer *w, const char *name, const void *data, size_t len,
                     mode_t mode, time_t mtime, struct cu_error **err);

struct tar_tree_opts {
        /* Committing an overlay upper dir: a 0/0 character device NAME becomes an empty regular
         * file ".wh.NAME" (mode 0600), a directory with trusted.overlay.opaque=y (or
         * user.overlay.opaque=y) gets an extra empty file "DIR/.wh..wh..opq" right after it, and
         * user.overlay.* xattrs are dropped (trusted.overlay.* always are). */
        bool overlay_whiteouts;
        /* Also write the directory itself ("PREFIX/", or "./" without a prefix). */
        bool include_root;
        /* Called for each path (relative to the tree, no leading "./" or trailing '/'); true
         * skips it (a directory with all it holds).  May be NULL. */
        bool (*filter)(const char *path, const struct stat *st, void *userdata);
        void *userdata;
};

/* Archives everything below dirfd (borrowed) as "PREFIX/path" (prefix NULL or "": "path"),
 * in byte order of names, depth first, never following symlinks.  Files with several links
 * are stored once, later names as hardlinks to the first.  xattrs are stored except
 * trusted.overlay.* and security.selinux; uid/gid as stored, no user/group names; sockets are
 * skipped.  opts may be NULL. */
int tar_add_tree(struct tar_writer *w, int dirfd, const char *prefix,
                 const struct tar_tree_opts *opts, struct cu_error **err);

/* Ends the archive (two zero blocks) and the compressed stream.  Every out-parameter may be
 * NULL: ret_size_uncompressed (the tar's size), diff_id (sha256 of the tar), compressed_digest
 * (sha256 of the bytes written; equal to diff_id for COMPRESSION_NONE). */
int tar_writer_finish(struct tar_writer *w, uint64_t *ret_size_uncompressed,
                      char diff_id[DIGEST_STR_LEN + 1],
                      char compressed_digest[DIGEST_STR_LEN + 1], struct cu_error **err);

/* Bytes written to out_fd (complete after tar_writer_finish()). */
uint64_t tar_writer_compressed_size(const struct tar_writer *w);
