/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jansson helpers: typed getters that name the field in their errors. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"

/* jansson provides json_decrefp(). */
#define _cleanup_json_ _cleanup_(json_decrefp)

/* Loads a JSON document; errors name the file, line and column. */
json_t *json_load_path(const char *path, struct cu_error **err);
/* A JSON array of the strings of v (NULL-terminated; NULL gives []), or NULL without memory. */
json_t *json_from_strv(char *const *v);
json_t *json_load_data(const char *data, size_t len, const char *origin, struct cu_error **err);

/* Getters: key absent (or null) → 0 and *present=false (present may be
 * NULL); wrong type or range → error "<ctx>.<key>: expected …". */
int json_get_string(json_t *o, const char *key, const char *ctx, char **ret, struct cu_error **err);
int json_get_bool(json_t *o, const char *key, const char *ctx, bool *ret, bool *present,
                  struct cu_error **err);
int json_get_int64(json_t *o, const char *key, const char *ctx, int64_t *ret, bool *present,
                   struct cu_error **err);
int json_get_uint64(json_t *o, const char *key, const char *ctx, uint64_t *ret, bool *present,
                    struct cu_error **err);
int json_get_uint32(json_t *o, const char *key, const char *ctx, uint32_t *ret, bool *present,
                    struct cu_error **err);
/* Array of strings → NULL-terminated vector (NULL when absent). */
int json_get_strv(json_t *o, const char *key, const char *ctx, char ***ret, struct cu_error **err);
/* Object of string values → NULL-terminated k,v,k,v… vector. */
int json_get_string_map(json_t *o, const char *key, const char *ctx, char ***ret,
                        struct cu_error **err);
/* Returns the member if it is an object/array, NULL if absent; error if the type differs. */
int json_get_object(json_t *o, const char *key, const char *ctx, json_t **ret,
                    struct cu_error **err);
int json_get_array(json_t *o, const char *key, const char *ctx, json_t **ret,
                   struct cu_error **err);

/* Writes compact JSON to path atomically (tmp + rename). */
int json_write_file_atomic(json_t *o, const char *path, mode_t mode, struct cu_error **err);
