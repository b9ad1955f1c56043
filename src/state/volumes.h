/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Volume records: the `volumes` table of the state database (schema component "volumes").
 * One row per named or anonymous volume: its driver and options, labels, where its data
 * lives, and the state podman keeps per volume (NeedsCopyUp, NeedsChown, the containers that
 * hold its driver mount).  The files (<root>/volumes/<name>/_data) are the engine's job.
 *
 * Errors follow podman's wording:
 *   -ENOENT   no volume with name "x" found: no such volume
 *   -EEXIST   volume with name x already exists: volume already exists
 *   -ENOTUNIQ more than one result for volume name x: volume already exists
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/db.h"
#include "util/error.h"

struct vol_record {
        char *name;
        char *driver;          /* "local" */
        char *mountpoint;      /* <root>/volumes/<name>/_data */
        int64_t created;       /* unix ns */
        char *labels;          /* JSON object text ("{}" when none) */
        char *options;         /* JSON object text: the driver options (type, device, o, …) */
        bool anonymous;
        bool needs_copy_up;    /* the first container to mount it copies the image's files in */
        bool needs_chown;      /* … and gives it the owner and mode of its target directory */
        char *mounted_by;      /* JSON array of the container IDs holding the driver mount */
};

struct vol_record *vol_record_free(struct vol_record *v);
DEFINE_CLEANUP_FUNC(struct vol_record *, vol_record_free)
#define _cleanup_vol_record_ _cleanup_(vol_record_freep)
void vol_record_list_free(struct vol_record **v);
static inline void vol_record_list_freep(struct vol_record ***v)
{
        vol_record_list_free(*v);
        *v = NULL;
}
#define _cleanup_vol_record_list_ _cleanup_(vol_record_list_freep)

/* Creates or upgrades the table.  Call once after db_open().  -errno. */
int vol_db_init(struct db *db, struct cu_error **err);

/* podman's rule for volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]* */
bool vol_name_valid(const char *name);

/* Inserts v (name, driver and mountpoint required).  -EEXIST, -EINVAL. */
int vol_add(struct db *db, const struct vol_record *v, struct cu_error **err);
/* An exact name, else a unique name prefix (podman's LookupVolume).  -ENOENT, -ENOTUNIQ. */
int vol_get(struct db *db, const char *name, struct vol_record **ret, struct cu_error **err);
/* Every volume, by name, NULL-terminated; *ret_n (may be NULL) the count. */
int vol_list(struct db *db, struct vol_record ***ret, size_t *ret_n, struct cu_error **err);
/* Writes needs_copy_up, needs_chown and mounted_by of v->name.  -ENOENT. */
int vol_update_state(struct db *db, const struct vol_record *v, struct cu_error **err);
/* Deletes the record.  -ENOENT. */
int vol_remove(struct db *db, const char *name, struct cu_error **err);
