/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Image archives: docker-archive (docker/podman save) and oci-archive (an
 * OCI image layout in a tar), in and out; and `import` of a rootfs tarball. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "store.h"

enum archive_format {
        ARCHIVE_DOCKER,     /* docker-archive tar */
        ARCHIVE_OCI,        /* oci-archive tar */
        ARCHIVE_OCI_DIR,    /* oci: an OCI image layout directory */
        ARCHIVE_DOCKER_DIR, /* dir: manifest.json, version, blobs named by hex digest */
};

/* Loads every image in the archive readable from fd (plain, gzip or zstd).
 * Either all images are stored (one transaction) or, on error, none.  *ret_loaded gets the
 * names loaded (or "sha256:<id>" for an image without a name). */
int archive_load(struct store *s, int fd, char ***ret_loaded, struct cu_error **err);

/* Where pull and load read images from. */
enum image_source {
        IMAGE_SOURCE_ARCHIVE,        /* a tar (plain, gzip, zstd): docker- or oci-archive, found out */
        IMAGE_SOURCE_DOCKER_ARCHIVE, /* a docker-archive tar */
        IMAGE_SOURCE_OCI_ARCHIVE,    /* an oci-archive tar */
        IMAGE_SOURCE_OCI_DIR,        /* an OCI image layout directory (oci:) */
        IMAGE_SOURCE_DIR,            /* a dir: directory */
};

/* What to take from the source and how to name it (NULL: every image, the
 * source's names — what `load` does). */
struct load_opts {
        const char *ref;  /* docker-archive: the image with this tag (stored only under it);
                           * OCI: the index entry with this org.opencontainers.image.ref.name */
        int index;        /* docker-archive "@N": the N-th manifest.json entry; -1: none */
        bool one;         /* exactly one image (pull): several and no ref/index is an error */
        const char *name; /* store under this name instead of the source's; NULL */
        bool no_names;    /* store without a name */
        FILE *progress;   /* podman's "Copying blob …" lines, or NULL */
};

/* Loads from fd: a tar for the archive kinds, an open directory for
 * IMAGE_SOURCE_OCI_DIR / IMAGE_SOURCE_DIR (its files are copied, never
 * moved).  All images or none are stored.  *ret_loaded: the names loaded
 * ("sha256:<id>" for an image without one); *ret_ids: the image ID of each
 * (either may be NULL). */
int archive_load_from(struct store *s, enum image_source kind, int fd, const struct load_opts *o,
                      char ***ret_loaded, char ***ret_ids, struct cu_error **err);

/* Writes the images (IDs; names as given by the user, NULL for none) to fd. */
struct save_item {
        const char *id;
        const char *name; /* normalized reference to record, or NULL */
};
int archive_save(struct store *s, int fd, enum archive_format fmt, const struct save_item *items,
                 size_t n, struct cu_error **err);
/* Writes the images into the directory dir_fd: ARCHIVE_OCI_DIR adds them to the
 * OCI layout there (index.json merged and replaced last; an entry with the same
 * ref name is replaced); ARCHIVE_DOCKER_DIR writes one image as dir: does. */
int archive_save_dir(struct store *s, int dir_fd, enum archive_format fmt, const struct save_item *items,
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
