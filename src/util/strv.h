/* SPDX-License-Identifier: GPL-2.0-or-later */
/* NULL-terminated string vectors. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "cleanup.h"

size_t strv_length(char *const *l);
bool strv_contains(char *const *l, const char *s);
char **strv_copy(char *const *l);
/* Appends (takes ownership of s). -ENOMEM (s freed) on failure. */
int strv_push(char ***l, char *s);
/* Appends a copy. */
int strv_extend(char ***l, const char *s);
char **strv_free(char **l);
/* Joins with sep ("" for an empty or NULL vector); NULL on ENOMEM. */
char *strv_join(char *const *l, const char *sep);
/* Splits at any of the characters in seps, dropping empty pieces. */
char **strv_split(const char *s, const char *seps);
/* Value of NAME in an environment vector ("NAME=value"), or NULL. */
const char *strv_env_get(char *const *env, const char *name);
/* Sets "NAME=value" in an environment vector, replacing an existing NAME. */
int strv_env_set(char ***env, const char *assignment);
/* Value for key in a k,v,k,v… vector, or NULL. */
const char *strv_map_get(char *const *kv, const char *key);
