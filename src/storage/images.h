/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Image records in the state database: names, digests, layers, blobs. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct db;

struct image_rec {
        char id[DIGEST_HEX_LEN + 1]; /* config digest, hex */
        char *digest;                /* manifest digest "sha256:…" */
        char *manifest;              /* manifest JSON as stored */
        char *manifest_type;         /* its media type */
        char *config;                /* config JSON */
        int64_t created;             /* ns since the epoch (from the config) */
        int64_t added;               /* ns since the epoch */
        uint64_t size;               /* uncompressed layers */
        char **names;                /* "domain/path:tag", newest first */
        char **digests;              /* every manifest digest seen for it */
        char **layers;               /* chain IDs, bottom first */
};

struct image_rec *image_rec_free(struct image_rec *im);
DEFINE_CLEANUP_FUNC(struct image_rec *, image_rec_free)
#define _cleanup_image_rec_ _cleanup_(image_rec_freep)
void image_recs_free(struct image_rec **v, size_t n);

int images_db_init(struct db *db, struct cu_error **err);

/* What a publish writes (see stage.h). */
struct image_new {
        const char *config;
        const char *manifest;
        const char *manifest_type;
        const char *const *names;        /* normalized; may be NULL */
        const char *const *layers;       /* chain IDs, bottom first */
        const char *const *diff_ids;     /* per layer */
        const uint64_t *layer_sizes;     /* per layer */
        size_t n_layers;
        const char *const *blobs;        /* digests the image needs (config, manifest layers) */
        size_t n_blobs;
        int64_t created;
};

/* Inserts (or merges into an existing record with the same ID: names are
 * added — moved from any other image — and the manifest digest recorded).
 * Runs inside the caller's transaction. */
int images_insert(struct db *db, const struct image_new *im, char id[static DIGEST_HEX_LEN + 1],
                  struct cu_error **err);

int images_list(struct db *db, struct image_rec ***ret, size_t *n, struct cu_error **err);

/* Full ID, unique ID prefix, name (normalized as podman does: short names
 * try localhost/, docker.io/library/ and then any registry whose repository
 * ends with the name), or name@digest.  -ENOENT: "NAME: image not known". */
int image_lookup(struct db *db, const char *name, struct image_rec **ret, struct cu_error **err);

int image_get(struct db *db, const char *id, struct image_rec **ret, struct cu_error **err);

/* Adds a name (moving it from another image). */
int image_tag(struct db *db, const char *id, const char *name, struct cu_error **err);
/* Removes a name; -ENOENT when the image does not have it. */
int image_untag(struct db *db, const char *id, const char *name, struct cu_error **err);

/* Removes the record; layers and blobs no image needs any more are
 * returned for the caller to delete (after commit). */
int image_delete(struct db *db, const char *id, char ***ret_layers, char ***ret_blobs,
                 struct cu_error **err);

/* Layers and blobs that no image references (garbage after crashes). */
int images_unreferenced_layers(struct db *db, char ***ret, struct cu_error **err);
bool images_layer_known(struct db *db, const char *chain_id);
int images_layer_size(struct db *db, const char *chain_id, uint64_t *ret);
