/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Container records: the `containers` table of the state database (schema
 * component "containers").  One row per container: identity, image, pod,
 * lifecycle state and the engine's own JSON (config, extra).  Every call
 * is one statement or one short transaction, safe with any number of
 * processes at once; serialising a container's lifecycle (start vs. stop)
 * is the engine's job, with a per-container lock (state/lock.h).
 *
 * Errors follow podman's wording (scripts match on them):
 *   -ENOENT      no container with name or ID "x" found: no such container
 *   -ENOTUNIQ    more than one result for container ID abc: container already exists
 *   -EEXIST      the container name "web" is already in use by <id>. You have to
 *                remove that container to be able to reuse that name: that name
 *                is already in use
 */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/db.h"
#include "util/error.h"

#define CTR_ID_LEN 64

/* podman's states (libpod/define/containerstate.go), minus "unknown". */
enum ctr_state {
        CTR_STATE_CONFIGURED,
        CTR_STATE_CREATED,
        CTR_STATE_RUNNING,
        CTR_STATE_PAUSED,
        CTR_STATE_STOPPING,
        CTR_STATE_STOPPED,
        CTR_STATE_EXITED,
        CTR_STATE_REMOVING,
        CTR_STATE_INITIALIZED, /* created in the runtime, not started (podman's "initialized") */
        _CTR_STATE_MAX,
        _CTR_STATE_INVALID = -EINVAL,
};

/* "configured", "created", "running", "paused", "stopping", "stopped",
 * "exited", "removing", "initialized". */
const char *ctr_state_to_string(enum ctr_state s);
enum ctr_state ctr_state_from_string(const char *s);

struct ctr_record {
        char id[CTR_ID_LEN + 1]; /* 64 lowercase hex */
        char *name;              /* unique */
        char *image_id;          /* NULL: none (each char * below as well) */
        char *image_name;
        char *pod_id;
        int64_t created;         /* unix ns */
        enum ctr_state state;
        int64_t pid;             /* 0: none */
        bool has_exit_code;      /* exit_code is meaningful (stored NULL otherwise) */
        int exit_code;
        int64_t started_at;      /* unix ns, 0: never */
        int64_t finished_at;     /* unix ns, 0: never */
        char *config;            /* JSON the engine owns; required */
        char *extra;             /* JSON (health, restart count …) */
};

struct ctr_record *ctr_record_free(struct ctr_record *r);
DEFINE_CLEANUP_FUNC(struct ctr_record *, ctr_record_free)
#define _cleanup_ctr_record_ _cleanup_(ctr_record_freep)
/* Frees a NULL-terminated array from ctr_list(). */
void ctr_record_list_free(struct ctr_record **v);
static inline void ctr_record_list_freep(struct ctr_record ***v)
{
        ctr_record_list_free(*v);
        *v = NULL;
}
#define _cleanup_ctr_record_list_ _cleanup_(ctr_record_list_freep)

/* Creates or upgrades the table (schema component "containers").  Call once
 * after db_open() before any other ctr_*() call.  -errno. */
int ctr_db_init(struct db *db, struct cu_error **err);

/* A random ID (getrandom), 64 lowercase hex + NUL; like podman, never one
 * whose 12-character short form is all digits.  0 or -errno. */
int ctr_id_generate(char out[CTR_ID_LEN + 1]);
bool ctr_id_valid(const char *id);
/* podman's rule for names: [a-zA-Z0-9][a-zA-Z0-9_.-]* */
bool ctr_name_valid(const char *name);

/* Inserts rec (id, name, state and config are required).  -EEXIST with
 * podman's message when the name is taken (or "container ID … already
 * exists"), -EINVAL for a bad id/name/state.  Joins an open transaction. */
int ctr_add(struct db *db, const struct ctr_record *rec, struct cu_error **err);

/* Finds a container as podman does: an exact ID or name first, then a
 * unique ID prefix.  -ENOENT (not found), -ENOTUNIQ (ambiguous prefix). */
int ctr_get(struct db *db, const char *id_or_name, struct ctr_record **ret,
            struct cu_error **err);
/* The same lookup, giving only the full ID. */
int ctr_lookup_id(struct db *db, const char *id_or_name, char ret_id[CTR_ID_LEN + 1],
                  struct cu_error **err);
/* By full ID only.  -ENOENT. */
int ctr_get_by_id(struct db *db, const char *id, struct ctr_record **ret, struct cu_error **err);

/* Every container, oldest first (by created, then id), as a NULL-terminated
 * array; *ret_n (may be NULL) gets the count. */
int ctr_list(struct db *db, struct ctr_record ***ret, size_t *ret_n, struct cu_error **err);

/* Writes rec's state, pid, exit code, started_at, finished_at and extra to
 * the container rec->id, in one statement.  -ENOENT. */
int ctr_update_state(struct db *db, const struct ctr_record *rec, struct cu_error **err);
/* Replaces the config JSON.  -ENOENT. */
int ctr_set_config(struct db *db, const char *id, const char *config, struct cu_error **err);
/* Renames the container id.  -EEXIST (podman's message), -ENOENT, -EINVAL. */
int ctr_rename(struct db *db, const char *id, const char *new_name, struct cu_error **err);
/* Deletes the record.  -ENOENT. */
int ctr_remove(struct db *db, const char *id, struct cu_error **err);
