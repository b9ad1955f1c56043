/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Secrets (podman's `secret` commands and `--secret`): records in the state database
 * (state/secrets.h), data kept by the "file" driver under <root>/secrets/filedriver/<id>
 * (0600, directories 0700).  Data is 1..511999 bytes.
 *
 * A container gets a copy of each secret at create (so that removing the secret later does
 * not break it, as with podman): type=mount secrets are mounted at start from
 * <bundle>/secrets/NAME at /run/secrets/NAME, /run/secrets/TARGET or TARGET (absolute);
 * type=env secrets are read at start and set as TARGET (default NAME) in the environment.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/secrets.h"
#include "util/error.h"

struct engine;

#define SECRET_DATA_MAX 512000

struct engine_secret_create_opts {
        const char *name;
        const void *data;
        size_t len;
        const char *driver;  /* NULL: "file" */
        char **driver_opts;  /* KEY=VALUE */
        char **labels;       /* KEY=VALUE */
};
/* Creates a secret; ret_id gets its ID.  -EINVAL (name, size, driver), -EEXIST. */
int engine_secret_create(struct engine *e, const struct engine_secret_create_opts *o,
                         char ret_id[SECRET_ID_LEN + 1], struct cu_error **err);
int engine_secret_get(struct engine *e, const char *name_or_id, struct secret_rec **ret,
                      struct cu_error **err);
int engine_secret_list(struct engine *e, struct secret_rec ***ret, size_t *ret_n,
                       struct cu_error **err);
/* Removes the record and its data.  -ENOENT. */
int engine_secret_remove(struct engine *e, const char *name_or_id, struct cu_error **err);
/* The secret's data (malloc'd, NUL-terminated beyond len). */
int engine_secret_data(struct engine *e, const struct secret_rec *r, char **ret, size_t *ret_len,
                       struct cu_error **err);
/* podman's `secret inspect` object: {ID, CreatedAt, UpdatedAt, Spec: {Name, Driver: {Name,
 * Options}, Labels}}. */
json_t *engine_secret_json(const struct secret_rec *r);

/* One --secret value, parsed as podman does: NAME, or [NAME,]KEY=VALUE,... with source=,
 * type=mount|env, target=, uid=, gid=, mode= (octal; default 0444).  uid/gid/mode only
 * with type=mount.  Errors end in ": parsing secret". */
struct secret_use {
        char *source;
        bool env;
        char *target; /* NULL: none (env: defaults to source) */
        uint32_t uid, gid, mode;
};
void secret_use_done(struct secret_use *u);
int secret_use_parse(const char *spec, struct secret_use *ret, struct cu_error **err);

/* Folds --secret values into the container config (Secrets, SecretsData, EnvSecrets),
 * looking each secret up. */
int secrets_config(struct engine *e, json_t *c, char *const *specs, struct cu_error **err);

/* base64 (RFC 4648, padded), as the container config keeps the copies.  NULL on ENOMEM. */
char *secret_b64_encode(const void *data, size_t len);
/* -EINVAL for bad input. */
int secret_b64_decode(const char *s, char **ret, size_t *ret_len);
