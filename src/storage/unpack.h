/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Extracting an OCI/docker image layer (a tar stream, gzip, zstd or plain) into a directory,
 * "chrooted" as containers/storage does: every path is resolved inside the destination, so
 * hostile archives fail with a clear error and never write outside it.
 *
 * Names are cleaned lexically ("./a//b/" → "a/b"); a relative name whose ".." climbs above the
 * root is an error ("escapes the layer"), while an absolute name is clamped at the root, as Go's
 * filepath.Clean does for podman ("/../x" → "x").  Parents are resolved with openat2
 * RESOLVE_IN_ROOT (symlinked parents stay inside); missing parents are created 0755.  Symlink
 * targets are stored verbatim.  Hardlink targets are resolved inside the root and must be an
 * existing non-directory.  An existing entry is replaced unless both are directories (then only
 * the metadata changes).  Ownership, modes (setuid/setgid/sticky), nanosecond mtimes and pax
 * xattrs (SCHILY.xattr, incl. security.capability) are applied; trusted.overlay.* and
 * user.overlay.* from the archive are dropped.  Hardlink entries keep their target's metadata
 * (as GNU tar).  Sockets are skipped, as are the AUFS metadata entries ".wh..wh.*" at the top.
 * Data after the tar end-of-archive marker is digested and ignored.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "storage/digest.h"
#include "util/error.h"

struct unpack_opts {
        /* true: dest is an overlay lowerdir: ".wh.NAME" becomes a 0/0 character device NAME and
         * ".wh..wh..opq" sets trusted.overlay.opaque="y" on its directory.  false ("vfs"): dest
         * holds the lower layers' files: ".wh.NAME" removes NAME (rm -rf) and an opaque marker
         * removes from its directory whatever this layer did not put there (so far). */
        bool overlay_whiteouts;
        /* Keep files owned by the caller (unprivileged use, tests); device nodes that cannot be
         * created (EPERM) are then skipped.  Default: apply the archive's uid/gid. */
        bool no_chown;
};

struct unpack_result {
        char diff_id[DIGEST_STR_LEN + 1];           /* sha256 of the uncompressed stream */
        char compressed_digest[DIGEST_STR_LEN + 1]; /* sha256 of the bytes read from the fd */
        uint64_t size;                              /* uncompressed bytes */
        uint64_t compressed_size;                   /* bytes read from the fd */
};

/* Extracts the tar stream readable from tar_fd (gzip, zstd or uncompressed: detected by magic)
 * into dest_dirfd.  Reads tar_fd to EOF so that both digests cover everything.  opts may be NULL
 * (vfs whiteouts, chown); res may be NULL.  Returns 0 or -errno.  On failure dest holds a partial
 * tree: the caller extracts into a fresh directory and removes it (renames it on success). */
int layer_unpack(int tar_fd, int dest_dirfd, const struct unpack_opts *opts,
                 struct unpack_result *res, struct cu_error **err);
