/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Secret records: the `secrets` table of the state database (schema component "secrets").
 * One row per secret: ID, unique name, driver, driver options and labels (JSON objects),
 * times.  The data itself belongs to the driver (engine/secrets.c), never to this table.
 *
 * Lookup is podman's: an exact name or ID, then a unique ID prefix.  Errors:
 *   -ENOENT   no secret with name or id "x": no such secret
 *   -ENOTUNIQ more than one result secret with prefix x: secret is ambiguous
 *   -EEXIST   NAME: secret name in use
 *   -EINVAL   only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character
 *             must be [a-zA-Z0-9]: NAME: invalid secret name
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/db.h"
#include "util/error.h"

#define SECRET_ID_LEN 25

struct secret_rec {
        char id[SECRET_ID_LEN + 1]; /* 25 lowercase hex */
        char *name;
        char *driver;               /* "file" */
        char *driver_opts;          /* JSON object text, never NULL in a read record */
        char *labels;               /* JSON object text, never NULL in a read record */
        int64_t created, updated;   /* unix ns */
};

struct secret_rec *secret_rec_free(struct secret_rec *r);
DEFINE_CLEANUP_FUNC(struct secret_rec *, secret_rec_free)
#define _cleanup_secret_rec_ _cleanup_(secret_rec_freep)
void secret_rec_list_free(struct secret_rec **v);

/* Creates or upgrades the table.  -errno. */
int secret_db_init(struct db *db, struct cu_error **err);

/* podman's name rule: 1-64 of [a-zA-Z0-9-_.], first and last [a-zA-Z0-9]. */
bool secret_name_valid(const char *name);
/* A random ID (25 lowercase hex).  0 or -errno. */
int secret_id_generate(char out[SECRET_ID_LEN + 1]);

/* Inserts rec (id, name, driver required; NULL options/labels stored as "{}").  -EEXIST
 * (name in use), -EINVAL (bad name). */
int secret_add(struct db *db, const struct secret_rec *rec, struct cu_error **err);
/* Replaces driver, options, labels and updated of the record rec->id.  -ENOENT. */
int secret_update(struct db *db, const struct secret_rec *rec, struct cu_error **err);
int secret_get(struct db *db, const char *name_or_id, struct secret_rec **ret,
               struct cu_error **err);
/* Every secret, oldest first, NULL-terminated; *ret_n (may be NULL) gets the count. */
int secret_list(struct db *db, struct secret_rec ***ret, size_t *ret_n, struct cu_error **err);
/* Deletes the record with this full ID.  -ENOENT. */
int secret_delete(struct db *db, const char *id, struct cu_error **err);
