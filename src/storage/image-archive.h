/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Image archives: docker-archive (docker/podman save) and oci-archive (an
 * OCI image layout in a tar), in and out; and `import` of a rootfs tarball. */
#pragma once

#include <stdbool.h>

#include <jansson.h>

#include "store.h"

enum archive_format {
        ARCHIVE_DOCKER,
        ARCHIVE_OCI,
};

/* Loads every image in the archive readable from fd (plain, gzip or zstd).
 * Either all images are stored (one transaction) or, on error, none.  *ret_loaded gets the
 * names loaded (or "sha256:<id>" for an image without a name). */
int archive_load(struct store *s, int fd, char ***ret_loaded, struct cu_error **err);

/* Writes the images (IDs; names as given by the user, NULL for none) to fd. */
struct save_item {
        const char *id;
        const char *name; /* normalized reference to record, or NULL */
};
int archive_save(struct store *s, int fd, enum archive_format fmt, const struct save_item *items,
                 size_t n, struct cu_error **err);

/* `import`: a root filesystem tarball (fd) becomes a one-layer image.
 * changes: Dockerfile-style instructions (CMD, ENTRYPOINT, ENV, WORKDIR,
 * USER, EXPOSE, LABEL, VOLUME, STOPSIGNAL, ONBUILD); message: history comment. */
struct import_opts {
        const char *name; /* normalized, or NULL */
        const char *const *changes;
        const char *message;
        const char *os, *arch, *variant;
};
int archive_import(struct store *s, int fd, const struct import_opts *o, char id[static 65],
                   struct cu_error **err);

/* Applies one Dockerfile-style instruction ("CMD [\"sh\"]", "ENV A=b", …) to
 * the "config" object of an image config (import, commit --change). */
int image_config_apply_change(json_t *cfg, const char *change, struct cu_error **err);
