/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Values as Go writes and reads them: strconv's Quote and Parse*, go-units sizes, durations. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/opts-internal.h"
#include "cli/opts.h"
#include "util/cleanup.h"

/* ---- Go-style quoting and number parsing ---- */

static void buf_putc(FILE *f, char c)
{
        fputc(c, f);
}

char *go_quote(const char *s)
{
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        if (!f)
                return NULL;
        buf_putc(f, '"');
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                unsigned char c = *p;
                switch (c) {
                case '\a': fputs("\\a", f); continue;
                case '\b': fputs("\\b", f); continue;
                case '\f': fputs("\\f", f); continue;
                case '\n': fputs("\\n", f); continue;
                case '\r': fputs("\\r", f); continue;
                case '\t': fputs("\\t", f); continue;
                case '\v': fputs("\\v", f); continue;
                case '\\': fputs("\\\\", f); continue;
                case '"': fputs("\\\"", f); continue;
                default: break;
                }
                if (c < 0x20 || c == 0x7f) {
                        fprintf(f, "\\x%02x", c);
                        continue;
                }
                if (c < 0x80) {
                        buf_putc(f, (char) c);
                        continue;
                }
                /* A valid UTF-8 sequence is copied; a stray byte is \xNN. */
                int n = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
                bool ok = n > 0 && !(c == 0xc0 || c == 0xc1);
                for (int i = 1; ok && i < n; i++)
                        ok = (p[i] & 0xc0) == 0x80;
                if (!ok) {
                        fprintf(f, "\\x%02x", c);
                        continue;
                }
                fwrite(p, 1, (size_t) n, f);
                p += n - 1;
        }
        buf_putc(f, '"');
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

void opts_set_msg(char **ret_msg, const char *fmt, ...)
{
        if (!ret_msg)
                return;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(ret_msg, fmt, ap) < 0)
                *ret_msg = NULL;
        va_end(ap);
}

int go_strconv_error(char **ret_msg, const char *fn, const char *s, int r)
{
        _cleanup_free_ char *q = go_quote(s);
        opts_set_msg(ret_msg, "strconv.%s: parsing %s: %s", fn, strempty(q),
                r == -ERANGE ? "value out of range" : "invalid syntax");
        return r;
}

int go_parse_bool(const char *s, bool *ret, char **ret_msg)
{
        static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
        static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };
        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (strcmp(s, yes[i]) == 0) {
                        *ret = true;
                        return 0;
                }
                if (strcmp(s, no[i]) == 0) {
                        *ret = false;
                        return 0;
                }
        }
        return go_strconv_error(ret_msg, "ParseBool", s, -EINVAL);
}

static int digit_value(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'Z')
                return c - 'A' + 10;
        return 99;
}

/* Go's underscoreOK: "_" only between digits or after a base prefix. */
static bool underscore_ok(const char *s)
{
        char saw = '^';
        bool hex = false;
        if (*s == '-' || *s == '+')
                s++;
        if (s[0] == '0' && s[1] && strchr("bBoOxX", s[1])) {
                hex = s[1] == 'x' || s[1] == 'X';
                s += 2;
                saw = '0';
        }
        for (; *s; s++) {
                if (isdigit((unsigned char) *s) || (hex && isxdigit((unsigned char) *s))) {
                        saw = '0';
                        continue;
                }
                if (*s == '_') {
                        if (saw != '0')
                                return false;
                        saw = '_';
                        continue;
                }
                if (saw == '_')
                        return false;
                saw = '!';
        }
        return saw != '_';
}

/* ParseUint(s, 0, 64) of the digits after any sign (s0: the whole text, for "_" checks). */
static int parse_unsigned(const char *s, const char *s0, uint64_t *ret)
{
        unsigned base = 10;
        if (!*s)
                return -EINVAL;
        if (s[0] == '0') {
                char p = (char) tolower((unsigned char) s[1]);
                if (strlen(s) >= 3 && (p == 'b' || p == 'o' || p == 'x')) {
                        base = p == 'b' ? 2 : p == 'o' ? 8 : 16;
                        s += 2;
                } else {
                        base = 8;
                        s += 1;
                }
        }
        bool underscores = false, range = false;
        uint64_t v = 0;
        for (; *s; s++) {
                if (*s == '_') {
                        underscores = true;
                        continue;
                }
                unsigned d = (unsigned) digit_value(*s);
                if (d >= base)
                        return -EINVAL;
                if (v > (UINT64_MAX - d) / base)
                        range = true;
                else
                        v = v * base + d;
        }
        if (underscores && !underscore_ok(s0))
                return -EINVAL;
        if (range)
                return -ERANGE;
        *ret = v;
        return 0;
}

int go_parse_uint(const char *s, uint64_t *ret, char **ret_msg)
{
        uint64_t v;
        int r = parse_unsigned(s, s, &v);
        if (r < 0)
                return go_strconv_error(ret_msg, "ParseUint", s, r);
        *ret = v;
        return 0;
}

int go_parse_int(const char *s, int64_t *ret, char **ret_msg)
{
        bool neg = s[0] == '-';
        const char *p = (s[0] == '-' || s[0] == '+') ? s + 1 : s;
        uint64_t v;
        int r = parse_unsigned(p, s, &v);
        if (r == 0 && v > (neg ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX))
                r = -ERANGE;
        if (r < 0)
                return go_strconv_error(ret_msg, "ParseInt", s, r);
        *ret = neg ? (int64_t) (0 - v) : (int64_t) v;
        return 0;
}

int go_parse_float(const char *s, double *ret, char **ret_msg)
{
        char *end = NULL;
        if (!*s || isspace((unsigned char) *s) || strchr(s, '_'))
                return go_strconv_error(ret_msg, "ParseFloat", s, -EINVAL);
        errno = 0;
        double v = strtod(s, &end);
        if (*end)
                return go_strconv_error(ret_msg, "ParseFloat", s, -EINVAL);
        if (errno == ERANGE && isinf(v))
                return go_strconv_error(ret_msg, "ParseFloat", s, -ERANGE);
        *ret = v;
        return 0;
}

/* ---- sizes and durations ---- */

int opts_parse_size(const char *s, bool binary, int64_t *ret, struct cu_error **err)
{
        /* go-units: ^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$ */
        _cleanup_free_ char *num = NULL;
        const char *p = s, *num_end;
        if (!isdigit((unsigned char) *p))
                goto bad;
        while (isdigit((unsigned char) *p))
                p++;
        while (*p == '.' && isdigit((unsigned char) p[1])) {
                p++;
                while (isdigit((unsigned char) *p))
                        p++;
        }
        num_end = p;
        if (*p == ' ')
                p++;
        double mul = 1;
        const char *units = "kmgtp";
        const char *u = *p ? strchr(units, tolower((unsigned char) *p)) : NULL;
        if (u) {
                for (const char *i = units; i <= u; i++)
                        mul *= binary ? 1024.0 : 1000.0;
                p++;
        }
        if (*p == 'i' || *p == 'I')
                p++;
        if (*p == 'b' || *p == 'B')
                p++;
        if (*p)
                goto bad;
        num = strndup(s, (size_t) (num_end - s));
        if (!num)
                return cu_error_set(err, ENOMEM, "parsing size");
        char *end = NULL;
        double v = strtod(num, &end);
        if (*end) {
                /* "1.2.3": the pattern allows it, ParseFloat does not. */
                _cleanup_free_ char *q = go_quote(num);
                return cu_error_setx(err, EINVAL, "strconv.ParseFloat: parsing %s: invalid syntax",
                                     strempty(q));
        }
        v *= mul;
        if (v >= 9223372036854775807.0)
                v = 9223372036854775807.0;
        *ret = (int64_t) v;
        return 0;
bad:
        return cu_error_setx(err, EINVAL, "invalid size: '%s'", s);
}

static int duration_error(struct cu_error **err, const char *what, const char *orig)
{
        _cleanup_free_ char *q = go_quote(orig);
        return cu_error_setx(err, EINVAL, "time: %s duration %s", what, strempty(q));
}

int opts_parse_duration(const char *orig, bool bare_seconds, int64_t *ret_ns, struct cu_error **err)
{
        static const struct {
                const char *name;
                uint64_t ns;
        } unit_map[] = {
                { "ns", 1 }, { "us", 1000 }, { "\xc2\xb5s", 1000 }, { "\xce\xbcs", 1000 },
                { "ms", 1000000 }, { "s", 1000000000 }, { "m", 60000000000ULL },
                { "h", 3600000000000ULL },
        };
        if (bare_seconds && *orig) {
                char *end = NULL;
                double v = strtod(orig, &end);
                if (!*end && !isspace((unsigned char) *orig) && isfinite(v) &&
                    fabs(v) < 9.2e9) {
                        *ret_ns = (int64_t) (v * 1e9);
                        return 0;
                }
        }
        const char *s = orig;
        bool neg = false;
        if (*s == '-' || *s == '+') {
                neg = *s == '-';
                s++;
        }
        if (strcmp(s, "0") == 0) {
                *ret_ns = 0;
                return 0;
        }
        if (!*s)
                return duration_error(err, "invalid", orig);
        uint64_t d = 0;
        while (*s) {
                if (!(*s == '.' || isdigit((unsigned char) *s)))
                        return duration_error(err, "invalid", orig);
                uint64_t v = 0;
                const char *start = s;
                for (; isdigit((unsigned char) *s); s++) {
                        if (v > (UINT64_C(1) << 63) / 10)
                                return duration_error(err, "invalid", orig);
                        v = v * 10 + (uint64_t) (*s - '0');
                        if (v > UINT64_C(1) << 63)
                                return duration_error(err, "invalid", orig);
                }
                bool pre = s != start, post = false;
                long double frac = 0, scale = 1;
                if (*s == '.') {
                        s++;
                        const char *fs = s;
                        for (; isdigit((unsigned char) *s); s++) {
                                if (scale < 1e18L) {
                                        frac = frac * 10 + (*s - '0');
                                        scale *= 10;
                                }
                        }
                        post = s != fs;
                }
                if (!pre && !post)
                        return duration_error(err, "invalid", orig);
                size_t ul = 0;
                while (s[ul] && s[ul] != '.' && !isdigit((unsigned char) s[ul]))
                        ul++;
                if (ul == 0)
                        return duration_error(err, "missing unit in", orig);
                uint64_t unit = 0;
                for (size_t i = 0; i < ELEMENTSOF(unit_map); i++)
                        if (strlen(unit_map[i].name) == ul && strncmp(unit_map[i].name, s, ul) == 0)
                                unit = unit_map[i].ns;
                if (!unit) {
                        _cleanup_free_ char *u = strndup(s, ul);
                        _cleanup_free_ char *qu = u ? go_quote(u) : NULL, *qo = go_quote(orig);
                        return cu_error_setx(err, EINVAL, "time: unknown unit %s in duration %s",
                                             strempty(qu), strempty(qo));
                }
                s += ul;
                if (v > (UINT64_C(1) << 63) / unit)
                        return duration_error(err, "invalid", orig);
                v *= unit;
                if (frac > 0) {
                        v += (uint64_t) (frac * ((long double) unit / scale));
                        if (v > UINT64_C(1) << 63)
                                return duration_error(err, "invalid", orig);
                }
                d += v;
                if (d > UINT64_C(1) << 63)
                        return duration_error(err, "invalid", orig);
        }
        if (neg) {
                *ret_ns = (int64_t) (0 - d);
                return 0;
        }
        if (d > (uint64_t) INT64_MAX)
                return duration_error(err, "invalid", orig);
        *ret_ns = (int64_t) d;
        return 0;
}
