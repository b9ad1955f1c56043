/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The TOML subset reader (see toml.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/toml.h"
#include "util/strv.h"

int toml_fail(struct toml *t, struct cu_error **err, const char *fmt, ...)
{
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        int k = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (k < 0)
                return cu_error_set(err, ENOMEM, "formatting error");
        return cu_error_setx(err, EINVAL, "%s:%u: %s", t->origin, t->line, msg);
}

void toml_value_clear(struct toml_value *v)
{
        free(v->s);
        strv_free(v->strv);
        *v = (struct toml_value){};
}

static bool at_end(struct toml *t)
{
        return t->p >= t->end;
}

static void skip_ws(struct toml *t)
{
        while (!at_end(t) && (*t->p == ' ' || *t->p == '\t'))
                t->p++;
}

static void skip_comment(struct toml *t)
{
        if (!at_end(t) && *t->p == '#')
                while (!at_end(t) && *t->p != '\n')
                        t->p++;
}

/* Whitespace, comments and newlines (inside arrays, and between statements). */
static int skip_blank(struct toml *t, struct cu_error **err)
{
        for (;;) {
                skip_ws(t);
                skip_comment(t);
                if (at_end(t))
                        return 0;
                if (*t->p == '\n') {
                        t->p++;
                        t->line++;
                } else if (*t->p == '\r' && t->p + 1 < t->end && t->p[1] == '\n') {
                        t->p += 2;
                        t->line++;
                } else
                        return 0;
        }
}

/* After a statement: optional comment, then newline or end of input. */
static int end_of_line(struct toml *t, struct cu_error **err)
{
        skip_ws(t);
        skip_comment(t);
        if (at_end(t))
                return 0;
        if (*t->p == '\n' || (*t->p == '\r' && t->p + 1 < t->end && t->p[1] == '\n'))
                return 0;
        return toml_fail(t, err, "unexpected '%c' at end of line", *t->p);
}

static bool is_bare(char c)
{
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
}

static int utf8_put(char *out, uint32_t cp)
{
        if (cp < 0x80) {
                out[0] = (char) cp;
                return 1;
        }
        if (cp < 0x800) {
                out[0] = (char) (0xc0 | (cp >> 6));
                out[1] = (char) (0x80 | (cp & 0x3f));
                return 2;
        }
        if (cp < 0x10000) {
                out[0] = (char) (0xe0 | (cp >> 12));
                out[1] = (char) (0x80 | ((cp >> 6) & 0x3f));
                out[2] = (char) (0x80 | (cp & 0x3f));
                return 3;
        }
        out[0] = (char) (0xf0 | (cp >> 18));
        out[1] = (char) (0x80 | ((cp >> 12) & 0x3f));
        out[2] = (char) (0x80 | ((cp >> 6) & 0x3f));
        out[3] = (char) (0x80 | (cp & 0x3f));
        return 4;
}

static int parse_escape(struct toml *t, char *out, size_t *n, struct cu_error **err)
{
        if (at_end(t))
                return toml_fail(t, err, "unterminated string");
        char c = *t->p++;
        const char *simple = strchr("btnfr\"\\", c);
        if (simple && c) {
                static const char map[] = "\b\t\n\f\r\"\\";
                out[(*n)++] = map[simple - "btnfr\"\\"];
                return 0;
        }
        if (c != 'u' && c != 'U')
                return toml_fail(t, err, "invalid escape sequence '\\%c'", c);
        unsigned digits = c == 'u' ? 4 : 8;
        uint32_t cp = 0;
        for (unsigned i = 0; i < digits; i++, t->p++) {
                if (at_end(t))
                        return toml_fail(t, err, "unterminated string");
                char h = *t->p;
                unsigned v = h >= '0' && h <= '9'   ? (unsigned) (h - '0')
                             : h >= 'a' && h <= 'f' ? (unsigned) (h - 'a' + 10)
                             : h >= 'A' && h <= 'F' ? (unsigned) (h - 'A' + 10)
                                                    : 16;
                if (v == 16)
                        return toml_fail(t, err, "invalid unicode escape");
                cp = cp << 4 | v;
        }
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp == 0)
                return toml_fail(t, err, "invalid unicode code point U+%04X", (unsigned) cp);
        *n += (size_t) utf8_put(out + *n, cp);
        return 0;
}

/* A basic ("…") or literal ('…') single-line string; t->p is at the quote. */
static int parse_string(struct toml *t, char **ret, struct cu_error **err)
{
        char q = *t->p;
        if (t->end - t->p >= 3 && t->p[1] == q && t->p[2] == q)
                return toml_fail(t, err, "multi-line strings are not supported");
        t->p++;
        /* The output is never longer than the input (an escape of n chars gives ≤ n bytes). */
        _cleanup_free_ char *s = malloc((size_t) (t->end - t->p) + 1);
        if (!s)
                return cu_error_set(err, ENOMEM, "parsing string");
        size_t n = 0;
        for (;;) {
                if (at_end(t) || *t->p == '\n' || *t->p == '\r')
                        return toml_fail(t, err, "unterminated string");
                unsigned char c = (unsigned char) *t->p++;
                if (c == (unsigned char) q)
                        break;
                if ((c < 0x20 && c != '\t') || c == 0x7f)
                        return toml_fail(t, err, "control character 0x%02x in string", c);
                if (c == '\\' && q == '"') {
                        int r = parse_escape(t, s, &n, err);
                        if (r < 0)
                                return r;
                        continue;
                }
                s[n++] = (char) c;
        }
        s[n] = 0;
        *ret = TAKE_PTR(s);
        return 0;
}

static int parse_key(struct toml *t, char **ret, struct cu_error **err)
{
        if (at_end(t))
                return toml_fail(t, err, "expected a key");
        if (*t->p == '"' || *t->p == '\'')
                return parse_string(t, ret, err);
        const char *b = t->p;
        while (!at_end(t) && is_bare(*t->p))
                t->p++;
        if (t->p == b)
                return toml_fail(t, err, "invalid character '%c' in key", *t->p);
        *ret = strndup(b, (size_t) (t->p - b));
        return *ret ? 0 : cu_error_set(err, ENOMEM, "parsing key");
}

static int parse_int(struct toml *t, int64_t *ret, struct cu_error **err)
{
        const char *b = t->p, *e = t->p + 1;
        while (e < t->end && (is_bare(*e) || *e == '.' || *e == ':' || *e == '+'))
                e++;
        int wl = (int) (e - b);
        const char *d = b + (*b == '+' || *b == '-');
        if (d < e && *d == '0' && e - d > 1)
                return toml_fail(t, err, "unsupported value (leading zero, float or date)");
        uint64_t v = 0;
        bool prev_digit = false;
        for (const char *c = d; c < e; c++) {
                if (*c == '_' && prev_digit) {
                        prev_digit = false;
                        continue;
                }
                if (*c < '0' || *c > '9')
                        return toml_fail(t, err, "unsupported value \"%.*s\" (only decimal integers)",
                                         wl, b);
                if (v > (uint64_t) INT64_MAX / 10 + 1)
                        return toml_fail(t, err, "integer out of range");
                v = v * 10 + (uint64_t) (*c - '0');
                prev_digit = true;
        }
        if (!prev_digit)
                return toml_fail(t, err, "invalid integer \"%.*s\"", wl, b);
        if (v > (uint64_t) INT64_MAX + (*b == '-'))
                return toml_fail(t, err, "integer out of range");
        *ret = *b == '-' ? (int64_t) (0 - v) : (int64_t) v;
        t->p = e;
        return 0;
}

static int parse_array(struct toml *t, char ***ret, struct cu_error **err)
{
        _cleanup_strv_ char **v = calloc(1, sizeof(char *));
        if (!v)
                return cu_error_set(err, ENOMEM, "parsing array");
        t->p++; /* '[' */
        for (;;) {
                int r = skip_blank(t, err);
                if (r < 0)
                        return r;
                if (at_end(t))
                        return toml_fail(t, err, "unterminated array");
                if (*t->p == ']') {
                        t->p++;
                        break;
                }
                if (*t->p != '"' && *t->p != '\'')
                        return toml_fail(t, err, "only arrays of strings are supported");
                char *s = NULL;
                r = parse_string(t, &s, err);
                if (r < 0)
                        return r;
                if (strv_push(&v, s) < 0)
                        return cu_error_set(err, ENOMEM, "parsing array");
                r = skip_blank(t, err);
                if (r < 0)
                        return r;
                if (!at_end(t) && *t->p == ',') {
                        t->p++;
                        continue;
                }
                if (!at_end(t) && *t->p == ']') {
                        t->p++;
                        break;
                }
                return toml_fail(t, err, "expected ',' or ']' in array");
        }
        *ret = TAKE_PTR(v);
        return 0;
}

static int parse_value(struct toml *t, struct toml_value *v, struct cu_error **err)
{
        if (at_end(t) || *t->p == '\n' || *t->p == '\r' || *t->p == '#')
                return toml_fail(t, err, "missing value");
        char c = *t->p;
        if (c == '"' || c == '\'') {
                v->type = TOML_STRING;
                return parse_string(t, &v->s, err);
        }
        if (c == '[') {
                v->type = TOML_ARRAY;
                return parse_array(t, &v->strv, err);
        }
        if (c == '{')
                return toml_fail(t, err, "inline tables are not supported");
        size_t left = (size_t) (t->end - t->p);
        bool word_end4 = left == 4 || (left > 4 && !is_bare(t->p[4]));
        bool word_end5 = left == 5 || (left > 5 && !is_bare(t->p[5]));
        if (left >= 4 && memcmp(t->p, "true", 4) == 0 && word_end4) {
                t->p += 4;
                v->type = TOML_BOOL;
                v->b = true;
                return 0;
        }
        if (left >= 5 && memcmp(t->p, "false", 5) == 0 && word_end5) {
                t->p += 5;
                v->type = TOML_BOOL;
                v->b = false;
                return 0;
        }
        if ((c >= '0' && c <= '9') || c == '+' || c == '-') {
                v->type = TOML_INT;
                return parse_int(t, &v->i, err);
        }
        return toml_fail(t, err, "invalid value starting with '%c'", c);
}

static int parse_header(struct toml *t, struct cu_error **err)
{
        bool array = t->end - t->p >= 2 && t->p[1] == '[';
        t->p += array ? 2 : 1;
        _cleanup_strv_ char **path = calloc(1, sizeof(char *));
        if (!path)
                return cu_error_set(err, ENOMEM, "parsing table");
        for (;;) {
                skip_ws(t);
                char *k = NULL;
                int r = parse_key(t, &k, err);
                if (r < 0)
                        return r;
                if (strv_push(&path, k) < 0)
                        return cu_error_set(err, ENOMEM, "parsing table");
                skip_ws(t);
                if (!at_end(t) && *t->p == '.') {
                        t->p++;
                        continue;
                }
                break;
        }
        if (at_end(t) || *t->p != ']' || (array && (t->end - t->p < 2 || t->p[1] != ']')))
                return toml_fail(t, err, "expected '%s' to close the table header",
                                 array ? "]]" : "]");
        t->p += array ? 2 : 1;
        int r = end_of_line(t, err);
        if (r < 0)
                return r;

        /* "\x1f"-joined path identifies a table, whatever quoting spelled it */
        size_t total = 1;
        for (char **i = path; *i; i++)
                total += strlen(*i) + 1;
        _cleanup_free_ char *joined = calloc(1, total);
        if (!joined)
                return cu_error_set(err, ENOMEM, "parsing table");
        for (char **i = path; *i; i++) {
                if (i != path)
                        strcat(joined, "\x1f");
                strcat(joined, *i);
        }
        if (!array) {
                if (strv_contains(t->tables_seen, joined))
                        return toml_fail(t, err, "table [%s] defined twice", path[0]);
                if (strv_push(&t->tables_seen, TAKE_PTR(joined)) < 0)
                        return cu_error_set(err, ENOMEM, "parsing table");
        }
        t->keys_seen = strv_free(t->keys_seen);
        return t->on_table(t->ud, path, array, t, err);
}

static int parse_keyval(struct toml *t, struct cu_error **err)
{
        _cleanup_free_ char *key = NULL;
        int r = parse_key(t, &key, err);
        if (r < 0)
                return r;
        skip_ws(t);
        if (!at_end(t) && *t->p == '.')
                return toml_fail(t, err, "dotted keys are not supported (\"%s.…\")", key);
        if (at_end(t) || *t->p != '=')
                return toml_fail(t, err, "expected '=' after key \"%s\"", key);
        t->p++;
        skip_ws(t);
        if (strv_contains(t->keys_seen, key))
                return toml_fail(t, err, "duplicate key \"%s\"", key);
        if (strv_extend(&t->keys_seen, key) < 0)
                return cu_error_set(err, ENOMEM, "parsing key");
        struct toml_value v = {};
        r = parse_value(t, &v, err);
        if (r >= 0)
                r = end_of_line(t, err);
        if (r >= 0)
                r = t->on_key(t->ud, key, &v, t, err);
        toml_value_clear(&v);
        return r;
}

int toml_parse(struct toml *t, struct cu_error **err)
{
        int r = 0;
        t->line = 1;
        if (memchr(t->p, 0, (size_t) (t->end - t->p)))
                return cu_error_setx(err, EINVAL, "%s: NUL byte in file", t->origin);
        while (r >= 0) {
                r = skip_blank(t, err);
                if (r < 0 || at_end(t))
                        break;
                if (*t->p == '[')
                        r = parse_header(t, err);
                else
                        r = parse_keyval(t, err);
        }
        t->keys_seen = strv_free(t->keys_seen);
        t->tables_seen = strv_free(t->tables_seen);
        return r;
}
