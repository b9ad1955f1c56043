/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The image store: content-addressed blobs, unpacked layers shared by chain
 * ID, image records in the state database, and container root filesystems.
 *
 *   <root>/blobs/sha256/<hex>        blobs (layers as received, configs, manifests)
 *   <root>/layers/<driver>/<chain>/  one directory per layer (chain ID hex)
 *   <root>/containers/<id>/          a container's diff/, work/, merged/
 *   <root>/tmp/<random>/             private staging of one operation
 *   <root>/storage.lock              held while publishing or removing
 *
 * Everything new is staged in a private directory and published (renamed
 * into place, rows inserted) in one short critical section under the store
 * lock, so concurrent pulls/loads of the same image end with one good copy
 * and a crash leaves nothing half-published (stale staging dirs are removed
 * by the next store_open).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "digest.h"
#include "util/error.h"

struct db;
struct store_lock;

enum store_driver {
        STORE_DRIVER_OVERLAY,
        STORE_DRIVER_VFS,
};

struct store_opts {
        const char *root;    /* graph root */
        const char *runroot; /* run root */
        const char *driver;  /* "overlay", "vfs" or NULL (the store's, else overlay if usable) */
};

struct store {
        char *root;
        char *runroot;
        int root_fd;
        enum store_driver driver;
        struct db *db; /* borrowed */
};

int store_open(const struct store_opts *o, struct db *db, struct store **ret, struct cu_error **err);
struct store *store_free(struct store *s);
DEFINE_CLEANUP_FUNC(struct store *, store_free)
#define _cleanup_store_ _cleanup_(store_freep)

const char *store_driver_name(enum store_driver d);

/* The exclusive store lock (publishing, removal, garbage collection). */
int store_lock(struct store *s, struct store_lock **ret, struct cu_error **err);
void store_unlock(struct store_lock *l);

/* Blobs. */
bool store_blob_exists(struct store *s, const char *digest);
int store_blob_open(struct store *s, const char *digest, struct cu_error **err);
int store_blob_read(struct store *s, const char *digest, char **ret, size_t *len, struct cu_error **err);
char *store_blob_relpath(const char *digest); /* "blobs/sha256/<hex>" */

/* Layers: "layers/<driver>/<chain hex>" relative to root_fd. */
char *store_layer_relpath(struct store *s, const char *chain_id);
bool store_layer_exists(struct store *s, const char *chain_id);
/* chain(parent, diff) = sha256(parent + " " + diff); chain of the first layer = its diff ID. */
void layer_chain_id(const char *parent_chain, const char *diff_id, char out[static DIGEST_STR_LEN + 1]);
