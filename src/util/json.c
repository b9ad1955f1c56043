/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "json.h"
#include "strv.h"

/* jansson has no integers above INT64_MAX; such documents (RLIM_INFINITY is
 * 18446744073709551615) are read again with integers as reals, which the getters
 * below accept when integral. */
static bool too_big(const json_error_t *je)
{
        return strstr(je->text, "too big") != NULL;
}

json_t *json_load_path(const char *path, struct cu_error **err)
{
        json_error_t je;
        json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
        if (!j && too_big(&je))
                j = json_load_file(path, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &je);
        if (!j) {
                if (je.line <= 0 && je.position == 0) {
                        /* jansson could not read the file: recover errno. */
                        FILE *f = fopen(path, "re");
                        int e = f ? EINVAL : errno;
                        if (f)
                                fclose(f);
                        if (e != EINVAL) {
                                cu_error_set(err, e, "open %s", path);
                                return NULL;
                        }
                }
                cu_error_setx(err, EINVAL, "%s:%d:%d: invalid JSON: %s", path, je.line, je.column,
                              je.text);
                return NULL;
        }
        return j;
}

json_t *json_load_data(const char *data, size_t len, const char *origin, struct cu_error **err)
{
        json_error_t je;
        json_t *j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
        if (!j && too_big(&je))
                j = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &je);
        if (!j)
                cu_error_setx(err, EINVAL, "%s:%d:%d: invalid JSON: %s", origin, je.line,
                              je.column, je.text);
        return j;
}

static json_t *member(json_t *o, const char *key)
{
        json_t *v = json_object_get(o, key);
        return json_is_null(v) ? NULL : v;
}

static int type_error(struct cu_error **err, const char *ctx, const char *key, const char *what)
{
        return cu_error_setx(err, EINVAL, "%s%s%s: expected %s", ctx ? ctx : "", ctx ? "." : "",
                             key, what);
}

int json_get_string(json_t *o, const char *key, const char *ctx, char **ret, struct cu_error **err)
{
        json_t *v = member(o, key);
        if (!v) {
                *ret = NULL;
                return 0;
        }
        if (!json_is_string(v))
                return type_error(err, ctx, key, "a string");
        *ret = strdup(json_string_value(v));
        return *ret ? 0 : cu_error_set(err, ENOMEM, "strdup");
}

int json_get_bool(json_t *o, const char *key, const char *ctx, bool *ret, bool *present,
                  struct cu_error **err)
{
        json_t *v = member(o, key);
        if (present)
                *present = v != NULL;
        if (!v)
                return 0;
        if (!json_is_boolean(v))
                return type_error(err, ctx, key, "a boolean");
        *ret = json_is_true(v);
        return 0;
}

int json_get_int64(json_t *o, const char *key, const char *ctx, int64_t *ret, bool *present,
                   struct cu_error **err)
{
        json_t *v = member(o, key);
        if (present)
                *present = v != NULL;
        if (!v)
                return 0;
        if (json_is_real(v)) {
                double d = json_real_value(v);
                /* INT64_MAX read as a real (see too_big()) rounds up to 2^63. */
                if (d == 9223372036854775808.0) {
                        *ret = INT64_MAX;
                        return 0;
                }
                if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 &&
                    d == (double) (int64_t) d) {
                        *ret = (int64_t) d;
                        return 0;
                }
                return type_error(err, ctx, key, "an integer");
        }
        if (!json_is_integer(v))
                return type_error(err, ctx, key, "an integer");
        *ret = (int64_t) json_integer_value(v);
        return 0;
}

int json_get_uint64(json_t *o, const char *key, const char *ctx, uint64_t *ret, bool *present,
                    struct cu_error **err)
{
        json_t *v = member(o, key);
        if (present)
                *present = v != NULL;
        if (!v)
                return 0;
        /* Values above INT64_MAX come as reals (see too_big()); 2^64 - 1 rounds to 2^64. */
        if (json_is_real(v)) {
                double d = json_real_value(v);
                if (d >= 18446744073709551616.0 && d < 18446744073709555712.0) {
                        *ret = UINT64_MAX;
                        return 0;
                }
                if (d >= 0 && d < 18446744073709551616.0 && d == (double) (uint64_t) d) {
                        *ret = (uint64_t) d;
                        return 0;
                }
                return type_error(err, ctx, key, "a non-negative integer");
        }
        if (!json_is_integer(v) || json_integer_value(v) < 0)
                return type_error(err, ctx, key, "a non-negative integer");
        *ret = (uint64_t) json_integer_value(v);
        return 0;
}

int json_get_uint32(json_t *o, const char *key, const char *ctx, uint32_t *ret, bool *present,
                    struct cu_error **err)
{
        uint64_t v = 0;
        bool p = false;
        int r = json_get_uint64(o, key, ctx, &v, &p, err);
        if (r < 0)
                return r;
        if (present)
                *present = p;
        if (!p)
                return 0;
        if (v > UINT32_MAX)
                return type_error(err, ctx, key, "a 32-bit unsigned integer");
        *ret = (uint32_t) v;
        return 0;
}

int json_get_strv(json_t *o, const char *key, const char *ctx, char ***ret, struct cu_error **err)
{
        json_t *v = member(o, key);
        *ret = NULL;
        if (!v)
                return 0;
        if (!json_is_array(v))
                return type_error(err, ctx, key, "an array of strings");
        size_t n = json_array_size(v);
        _cleanup_strv_ char **l = calloc(n + 1, sizeof(char *));
        if (!l)
                return cu_error_set(err, ENOMEM, "calloc");
        for (size_t i = 0; i < n; i++) {
                json_t *s = json_array_get(v, i);
                if (!json_is_string(s))
                        return cu_error_setx(err, EINVAL, "%s%s%s[%zu]: expected a string",
                                             ctx ? ctx : "", ctx ? "." : "", key, i);
                l[i] = strdup(json_string_value(s));
                if (!l[i])
                        return cu_error_set(err, ENOMEM, "strdup");
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int json_get_string_map(json_t *o, const char *key, const char *ctx, char ***ret,
                        struct cu_error **err)
{
        json_t *v = member(o, key);
        *ret = NULL;
        if (!v)
                return 0;
        if (!json_is_object(v))
                return type_error(err, ctx, key, "an object of strings");
        size_t n = json_object_size(v), i = 0;
        _cleanup_strv_ char **l = calloc(2 * n + 1, sizeof(char *));
        if (!l)
                return cu_error_set(err, ENOMEM, "calloc");
        const char *k;
        json_t *val;
        json_object_foreach(v, k, val)
        {
                if (!json_is_string(val))
                        return cu_error_setx(err, EINVAL, "%s%s%s.%s: expected a string",
                                             ctx ? ctx : "", ctx ? "." : "", key, k);
                l[i] = strdup(k);
                l[i + 1] = strdup(json_string_value(val));
                if (!l[i] || !l[i + 1])
                        return cu_error_set(err, ENOMEM, "strdup");
                i += 2;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int json_get_object(json_t *o, const char *key, const char *ctx, json_t **ret,
                    struct cu_error **err)
{
        json_t *v = member(o, key);
        *ret = NULL;
        if (!v)
                return 0;
        if (!json_is_object(v))
                return type_error(err, ctx, key, "an object");
        *ret = v;
        return 0;
}

int json_get_array(json_t *o, const char *key, const char *ctx, json_t **ret,
                   struct cu_error **err)
{
        json_t *v = member(o, key);
        *ret = NULL;
        if (!v)
                return 0;
        if (!json_is_array(v))
                return type_error(err, ctx, key, "an array");
        *ret = v;
        return 0;
}

int json_write_file_atomic(json_t *o, const char *path, mode_t mode, struct cu_error **err)
{
        _cleanup_free_ char *s = json_dumps(o, JSON_COMPACT);
        if (!s)
                return cu_error_set(err, ENOMEM, "serializing %s", path);
        return write_file_atomic(path, s, strlen(s), mode, err);
}

json_t *json_from_strv(char *const *v)
{
        json_t *a = json_array();
        for (; a && v && *v; v++)
                if (json_array_append_new(a, json_string(*v)) < 0) {
                        json_decref(a);
                        return NULL;
                }
        return a;
}
