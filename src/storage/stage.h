/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A stage is one operation's private workspace under <root>/tmp: blobs and
 * layers are written there, then published together under the store lock
 * (stage_commit_image).  Freeing a stage removes whatever was not published.
 */
#pragma once

#include <stdint.h>

#include "images.h"
#include "store.h"

struct stage;

int stage_new(struct store *s, struct stage **ret, struct cu_error **err);
struct stage *stage_free(struct stage *st);
DEFINE_CLEANUP_FUNC(struct stage *, stage_free)
#define _cleanup_stage_ _cleanup_(stage_freep)

int stage_dirfd(struct stage *st);
const char *stage_path(struct stage *st);

/* Copies fd (to EOF) into a staged blob.  expected (digest) and
 * expected_size (-1: unknown) are verified; mismatches are errors. */
int stage_blob_fd(struct stage *st, int fd, const char *expected, int64_t expected_size,
                  char out[static DIGEST_STR_LEN + 1], uint64_t *ret_size, struct cu_error **err);
int stage_blob_buffer(struct stage *st, const void *buf, size_t len,
                      char out[static DIGEST_STR_LEN + 1], struct cu_error **err);
/* Takes a file already inside the stage dir as a blob (hard link, no copy). */
int stage_blob_adopt(struct stage *st, const char *relpath, const char *expected, int64_t expected_size,
                     char out[static DIGEST_STR_LEN + 1], uint64_t *ret_size, struct cu_error **err);
/* Opens a blob staged here or already in the store. */
int stage_blob_open(struct stage *st, const char *digest, struct cu_error **err);
bool stage_has_blob(struct stage *st, const char *digest);

/* Unpacks the layer in blob `digest` (gzip, zstd or plain) on top of
 * parent_chain (NULL for the first layer).  When expected_diff_id is given
 * and the layer is already stored, nothing is read.  The diff ID is checked
 * against expected_diff_id. */
int stage_layer(struct stage *st, const char *digest, const char *parent_chain,
                const char *expected_diff_id, char chain_out[static DIGEST_STR_LEN + 1],
                char diff_out[static DIGEST_STR_LEN + 1], uint64_t *ret_size, struct cu_error **err);

/* Publishes the staged blobs and layers an image needs and records it.
 * id: the image ID (config digest hex). */
int stage_commit_image(struct stage *st, const struct image_new *im,
                       char id[static DIGEST_HEX_LEN + 1], struct cu_error **err);
/* Several images in one critical section and one transaction: all or none. */
int stage_commit_images(struct stage *st, const struct image_new *ims, size_t n,
                        char (*ids)[DIGEST_HEX_LEN + 1], struct cu_error **err);
