/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Go-style printing of template values: %v, fmt's verbs, and Go's encoding/json. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/opts.h"
#include "cli/template-internal.h"
#include "util/cleanup.h"

/* Go's type name of a value, for error texts. */
const char *tmpl_type_name(json_t *v)
{
        if (!v)
                return "<nil>";
        switch (json_typeof(v)) {
        case JSON_STRING: return "string";
        case JSON_INTEGER: return "int";
        case JSON_REAL: return "float64";
        case JSON_TRUE:
        case JSON_FALSE: return "bool";
        case JSON_NULL: return "interface {}";
        case JSON_ARRAY: {
                size_t i;
                json_t *e;
                json_array_foreach(v, i, e)
                        if (!json_is_string(e))
                                return "[]interface {}";
                return "[]string";
        }
        case JSON_OBJECT: {
                const char *k;
                json_t *e;
                json_object_foreach(v, k, e)
                        if (!json_is_string(e))
                                return "map[string]interface {}";
                return "map[string]string";
        }
        }
        return "interface {}";
}

/* Shortest digits of d: *exp10 is the decimal exponent of the first digit. */
static int shortest_digits(double d, char *digits, int *exp10)
{
        char buf[64];
        for (int p = 1; p <= 17; p++) {
                snprintf(buf, sizeof(buf), "%.*e", p - 1, d);
                if (strtod(buf, NULL) == d || p == 17)
                        break;
        }
        /* buf: [-]d.ddde±XX */
        const char *s = buf[0] == '-' ? buf + 1 : buf;
        int n = 0;
        for (; *s && *s != 'e'; s++)
                if (isdigit((unsigned char) *s))
                        digits[n++] = *s;
        while (n > 1 && digits[n - 1] == '0')
                n--;
        digits[n] = 0;
        *exp10 = atoi(s + 1);
        return n;
}

/* strconv.FormatFloat(d, 'g' or 'e' or 'f', -1, 64) with Go's %e/%f choice for %v
 * (eprec: 6 for fmt's %v, 21 with json's rule handled by the caller). */
static void format_float(double d, char fmt, char *out, size_t size)
{
        if (isnan(d)) {
                snprintf(out, size, "NaN");
                return;
        }
        if (isinf(d)) {
                snprintf(out, size, d < 0 ? "-Inf" : "+Inf");
                return;
        }
        char digits[32];
        int e10, nd = shortest_digits(d, digits, &e10);
        if (d == 0) {
                nd = 1;
                e10 = 0;
                strcpy(digits, "0");
        }
        bool neg = signbit(d);
        if (fmt == 'g')
                fmt = (e10 < -4 || e10 >= 6) ? 'e' : 'f'; /* shortest %v: eprec 6 */
        char *o = out;
        size_t left = size;
#define PUT(...)                                                                                   \
        do {                                                                                       \
                int _n = snprintf(o, left, __VA_ARGS__);                                           \
                if (_n > 0 && (size_t) _n < left) {                                                \
                        o += _n;                                                                   \
                        left -= (size_t) _n;                                                       \
                }                                                                                  \
        } while (0)
        if (neg)
                PUT("-");
        if (fmt == 'e') {
                PUT("%c", digits[0]);
                if (nd > 1)
                        PUT(".%s", digits + 1);
                PUT("e%c%02d", e10 < 0 ? '-' : '+', abs(e10));
                return;
        }
        /* 'f' */
        if (e10 < 0) {
                PUT("0.");
                for (int i = 0; i < -e10 - 1; i++)
                        PUT("0");
                PUT("%s", digits);
                return;
        }
        for (int i = 0; i <= e10; i++)
                PUT("%c", i < nd ? digits[i] : '0');
        if (nd > e10 + 1)
                PUT(".%s", digits + e10 + 1);
#undef PUT
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* Object keys, sorted (Go prints and ranges over maps in key order). */
const char **tmpl_sorted_keys(json_t *o, size_t *ret_n)
{
        size_t n = json_object_size(o), i = 0;
        const char **keys = calloc(n + 1, sizeof(char *));
        if (!keys)
                return NULL;
        const char *k;
        json_t *v;
        json_object_foreach(o, k, v)
                keys[i++] = k;
        qsort(keys, n, sizeof(char *), cmp_str);
        *ret_n = n;
        return keys;
}

void tmpl_print_value(FILE *f, json_t *v)
{
        if (!v) {
                fputs("<no value>", f);
                return;
        }
        char buf[64];
        switch (json_typeof(v)) {
        case JSON_STRING:
                fwrite(json_string_value(v), 1, json_string_length(v), f);
                return;
        case JSON_INTEGER:
                fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
                return;
        case JSON_REAL:
                format_float(json_real_value(v), 'g', buf, sizeof(buf));
                fputs(buf, f);
                return;
        case JSON_TRUE:
                fputs("true", f);
                return;
        case JSON_FALSE:
                fputs("false", f);
                return;
        case JSON_NULL:
                fputs("<nil>", f);
                return;
        case JSON_ARRAY: {
                size_t i;
                json_t *e;
                fputc('[', f);
                json_array_foreach(v, i, e) {
                        if (i > 0)
                                fputc(' ', f);
                        tmpl_print_value(f, e);
                }
                fputc(']', f);
                return;
        }
        case JSON_OBJECT: {
                size_t n;
                _cleanup_free_ const char **keys = tmpl_sorted_keys(v, &n);
                fputs("map[", f);
                for (size_t i = 0; keys && i < n; i++) {
                        if (i > 0)
                                fputc(' ', f);
                        fprintf(f, "%s:", keys[i]);
                        tmpl_print_value(f, json_object_get(v, keys[i]));
                }
                fputc(']', f);
                return;
        }
        }
}

char *template_format_value(json_t *v)
{
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        if (!f)
                return NULL;
        tmpl_print_value(f, v);
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

bool tmpl_truth(json_t *v)
{
        if (!v)
                return false;
        switch (json_typeof(v)) {
        case JSON_STRING: return json_string_length(v) > 0;
        case JSON_INTEGER: return json_integer_value(v) != 0;
        case JSON_REAL: return json_real_value(v) != 0;
        case JSON_TRUE: return true;
        case JSON_ARRAY: return json_array_size(v) > 0;
        case JSON_OBJECT: return json_object_size(v) > 0;
        default: return false;
        }
}

/* ---- JSON as Go's encoding/json writes it ---- */

static void json_str(FILE *f, const char *s, size_t n, bool escape_html)
{
        static const char hex[] = "0123456789abcdef";
        fputc('"', f);
        for (size_t i = 0; i < n;) {
                unsigned char c = (unsigned char) s[i];
                if (c < 0x80) {
                        i++;
                        if (c == '"' || c == '\\') {
                                fputc('\\', f);
                                fputc(c, f);
                        } else if (c == '\n') {
                                fputs("\\n", f);
                        } else if (c == '\r') {
                                fputs("\\r", f);
                        } else if (c == '\t') {
                                fputs("\\t", f);
                        } else if (c < 0x20 || (escape_html && (c == '<' || c == '>' || c == '&'))) {
                                fprintf(f, "\\u00%c%c", hex[c >> 4], hex[c & 15]);
                        } else {
                                fputc(c, f);
                        }
                        continue;
                }
                size_t len;
                uint32_t cp = tmpl_utf8_decode(s + i, &len);
                if (cp == 0xfffd && len == 1)
                        fputs("\\ufffd", f);
                else if (cp == 0x2028 || cp == 0x2029)
                        fprintf(f, "\\u%04" PRIx32, cp);
                else
                        fwrite(s + i, 1, len, f);
                i += len;
        }
        fputc('"', f);
}

static void json_newline(FILE *f, const char *indent, int depth)
{
        fputc('\n', f);
        for (int i = 0; i < depth; i++)
                fputs(indent, f);
}

static void json_enc(FILE *f, json_t *v, const char *indent, int depth, bool escape_html)
{
        char buf[64];
        if (!v) {
                fputs("null", f);
                return;
        }
        switch (json_typeof(v)) {
        case JSON_STRING:
                json_str(f, json_string_value(v), json_string_length(v), escape_html);
                return;
        case JSON_INTEGER:
                fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
                return;
        case JSON_REAL: {
                double d = json_real_value(v), a = fabs(d);
                format_float(d, a != 0 && (a < 1e-6 || a >= 1e21) ? 'e' : 'f', buf, sizeof(buf));
                /* e-07 → e-7 */
                size_t n = strlen(buf);
                if (n >= 4 && buf[n - 4] == 'e' && buf[n - 3] == '-' && buf[n - 2] == '0') {
                        buf[n - 2] = buf[n - 1];
                        buf[n - 1] = 0;
                }
                fputs(buf, f);
                return;
        }
        case JSON_TRUE:
                fputs("true", f);
                return;
        case JSON_FALSE:
                fputs("false", f);
                return;
        case JSON_NULL:
                fputs("null", f);
                return;
        case JSON_ARRAY: {
                size_t i;
                json_t *e;
                fputc('[', f);
                json_array_foreach(v, i, e) {
                        if (i > 0)
                                fputc(',', f);
                        if (indent)
                                json_newline(f, indent, depth + 1);
                        json_enc(f, e, indent, depth + 1, escape_html);
                }
                if (indent && json_array_size(v) > 0)
                        json_newline(f, indent, depth);
                fputc(']', f);
                return;
        }
        case JSON_OBJECT: {
                const char *k;
                json_t *e;
                bool first = true;
                fputc('{', f);
                json_object_foreach(v, k, e) {
                        if (!first)
                                fputc(',', f);
                        first = false;
                        if (indent)
                                json_newline(f, indent, depth + 1);
                        json_str(f, k, strlen(k), escape_html);
                        fputs(indent ? ": " : ":", f);
                        json_enc(f, e, indent, depth + 1, escape_html);
                }
                if (indent && json_object_size(v) > 0)
                        json_newline(f, indent, depth);
                fputc('}', f);
                return;
        }
        }
}

char *template_json_encode(json_t *v, const char *indent, bool escape_html)
{
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        if (!f)
                return NULL;
        json_enc(f, v, indent, 0, escape_html);
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

size_t tmpl_utf8_count(const char *s, size_t n)
{
        size_t c = 0;
        for (size_t i = 0; i < n; i++)
                c += ((unsigned char) s[i] & 0xc0) != 0x80;
        return c;
}

/* Pads s (n bytes) to the width as Go's fmt.pad does (zero padding only when asked). */
static void pad_out(FILE *f, const struct fmtspec *sp, const char *s, size_t n, bool zero_ok)
{
        size_t w = tmpl_utf8_count(s, n);
        size_t fill = sp->width > 0 && (size_t) sp->width > w ? (size_t) sp->width - w : 0;
        if (sp->minus) {
                fwrite(s, 1, n, f);
                for (size_t i = 0; i < fill; i++)
                        fputc(' ', f);
                return;
        }
        if (sp->zero && zero_ok) {
                /* zeros go after a sign */
                if (n > 0 && (s[0] == '-' || s[0] == '+' || s[0] == ' ')) {
                        fputc(s[0], f);
                        s++;
                        n--;
                }
                for (size_t i = 0; i < fill; i++)
                        fputc('0', f);
        } else {
                for (size_t i = 0; i < fill; i++)
                        fputc(' ', f);
        }
        fwrite(s, 1, n, f);
}

static void quote_rune(FILE *f, uint32_t r)
{
        if (r == '\'' || r == '\\')
                fprintf(f, "'\\%c'", (char) r);
        else if (r >= 0x20 && r < 0x7f)
                fprintf(f, "'%c'", (char) r);
        else if (r == '\n')
                fputs("'\\n'", f);
        else if (r == '\t')
                fputs("'\\t'", f);
        else if (r == '\r')
                fputs("'\\r'", f);
        else if (r < 0x80)
                fprintf(f, "'\\x%02" PRIx32 "'", r);
        else if (r > 0x10ffff || (r >= 0xd800 && r < 0xe000))
                fputs("'\xef\xbf\xbd'", f);
        else {
                char b[8], *o = b;
                tmpl_put_utf8(&o, r);
                fprintf(f, "'%.*s'", (int) (o - b), b);
        }
}

static void fmt_int(FILE *f, const struct fmtspec *sp, long long v, char verb)
{
        char digits[80];
        unsigned long long u = v < 0 ? 0ULL - (unsigned long long) v : (unsigned long long) v;
        unsigned base = verb == 'x' || verb == 'X' ? 16 : verb == 'o' || verb == 'O' ? 8 :
                        verb == 'b' ? 2 : 10;
        const char *set = verb == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
        int n = 0;
        do {
                digits[n++] = set[u % base];
                u /= base;
        } while (u);
        if (sp->prec == 0 && v == 0)
                n = 0;
        _cleanup_free_ char *out = NULL;
        size_t len = 0;
        FILE *o = open_memstream(&out, &len);
        if (!o)
                return;
        if (v < 0)
                fputc('-', o);
        else if (sp->plus)
                fputc('+', o);
        else if (sp->space)
                fputc(' ', o);
        if (verb == 'O')
                fputs("0o", o);
        else if (sp->sharp && base == 16)
                fputs(verb == 'X' ? "0X" : "0x", o);
        else if (sp->sharp && base == 8 && !(n > 0 && digits[n - 1] == '0'))
                fputc('0', o);
        else if (sp->sharp && base == 2)
                fputs("0b", o);
        for (int i = n; i < sp->prec && i < 64; i++)
                fputc('0', o);
        while (n > 0)
                fputc(digits[--n], o);
        if (fclose(o) != 0)
                return;
        pad_out(f, sp, out, len, sp->prec < 0);
}

static void fmt_float_verb(FILE *f, const struct fmtspec *sp, double d, char verb)
{
        char buf[512];
        if (isnan(d) || isinf(d)) {
                const char *s = isnan(d) ? "NaN" : d < 0 ? "-Inf" : sp->plus ? "+Inf" :
                                sp->space ? " Inf" : "+Inf";
                if (!isnan(d) && d > 0 && !sp->plus && !sp->space)
                        s = "+Inf";
                pad_out(f, sp, s, strlen(s), false);
                return;
        }
        if ((verb == 'v' || verb == 'g' || verb == 'G') && sp->prec < 0) {
                format_float(d, 'g', buf + 1, sizeof(buf) - 1);
                char *s = buf + 1;
                if (verb == 'G')
                        for (char *c = s; *c; c++)
                                *c = (char) toupper((unsigned char) *c);
                if (s[0] != '-' && (sp->plus || sp->space))
                        *--s = sp->plus ? '+' : ' ';
                pad_out(f, sp, s, strlen(s), true);
                return;
        }
        char cfmt[16], *c = cfmt;
        *c++ = '%';
        if (sp->plus)
                *c++ = '+';
        if (sp->space)
                *c++ = ' ';
        if (sp->sharp)
                *c++ = '#';
        *c++ = '.';
        *c++ = '*';
        *c++ = verb == 'v' ? 'g' : verb == 'F' ? 'f' : verb;
        *c = 0;
        int prec = sp->prec < 0 ? 6 : sp->prec;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        int n = snprintf(buf, sizeof(buf), cfmt, prec, d);
#pragma GCC diagnostic pop
        if (n < 0 || (size_t) n >= sizeof(buf))
                n = 0;
        pad_out(f, sp, buf, (size_t) n, true);
}

static void bad_verb(FILE *f, json_t *v, char verb)
{
        fprintf(f, "%%!%c(", verb);
        if (!v || json_is_null(v)) {
                fputs("<nil>", f);
        } else {
                fprintf(f, "%s=", tmpl_type_name(v));
                tmpl_print_value(f, v);
        }
        fputc(')', f);
}

void tmpl_fmt_arg(FILE *f, const struct fmtspec *sp, json_t *v, char verb)
{
        if (!v || json_is_null(v)) {
                if (verb == 'v' || verb == 'T')
                        pad_out(f, sp, verb == 'T' ? "<nil>" : "<nil>", 5, false);
                else
                        bad_verb(f, v, verb);
                return;
        }
        if (verb == 'T') {
                const char *t = tmpl_type_name(v);
                pad_out(f, sp, t, strlen(t), false);
                return;
        }
        switch (json_typeof(v)) {
        case JSON_TRUE:
        case JSON_FALSE:
                if (verb == 'v' || verb == 't')
                        pad_out(f, sp, json_is_true(v) ? "true" : "false", json_is_true(v) ? 4 : 5,
                                false);
                else
                        bad_verb(f, v, verb);
                return;
        case JSON_INTEGER: {
                long long i = json_integer_value(v);
                if (strchr("vdbxXoO", verb)) {
                        fmt_int(f, sp, i, verb == 'v' ? 'd' : verb);
                } else if (verb == 'c' || verb == 'q' || verb == 'U') {
                        _cleanup_free_ char *out = NULL;
                        size_t len = 0;
                        FILE *o = open_memstream(&out, &len);
                        if (!o)
                                return;
                        uint32_t r = i < 0 || i > 0x10ffff ? 0xfffd : (uint32_t) i;
                        if (verb == 'c') {
                                char b[8], *p = b;
                                tmpl_put_utf8(&p, r);
                                fwrite(b, 1, (size_t) (p - b), o);
                        } else if (verb == 'q') {
                                quote_rune(o, r);
                        } else {
                                fprintf(o, "U+%04" PRIX32, r);
                        }
                        if (fclose(o) == 0)
                                pad_out(f, sp, out, len, false);
                } else {
                        bad_verb(f, v, verb);
                }
                return;
        }
        case JSON_REAL:
                if (strchr("vbgGeEfF", verb) && verb != 'b')
                        fmt_float_verb(f, sp, json_real_value(v), verb);
                else
                        bad_verb(f, v, verb);
                return;
        case JSON_STRING: {
                const char *s = json_string_value(v);
                size_t n = json_string_length(v);
                if (verb == 'v' || verb == 's') {
                        if (sp->prec >= 0) {
                                size_t cut = 0, runes = 0;
                                while (cut < n && runes < (size_t) sp->prec) {
                                        size_t l;
                                        tmpl_utf8_decode(s + cut, &l);
                                        cut += l;
                                        runes++;
                                }
                                n = cut > n ? n : cut;
                        }
                        pad_out(f, sp, s, n, false);
                } else if (verb == 'q') {
                        _cleanup_free_ char *q = go_quote(s);
                        if (q)
                                pad_out(f, sp, q, strlen(q), false);
                } else if (verb == 'x' || verb == 'X') {
                        _cleanup_free_ char *out = NULL;
                        size_t len = 0;
                        FILE *o = open_memstream(&out, &len);
                        if (!o)
                                return;
                        for (size_t i = 0; i < n; i++) {
                                if (i > 0 && sp->space)
                                        fputc(' ', o);
                                fprintf(o, verb == 'x' ? "%02x" : "%02X", (unsigned char) s[i]);
                        }
                        if (fclose(o) == 0)
                                pad_out(f, sp, out, len, false);
                } else {
                        bad_verb(f, v, verb);
                }
                return;
        }
        case JSON_ARRAY: {
                size_t i;
                json_t *e;
                fputc('[', f);
                json_array_foreach(v, i, e) {
                        if (i > 0)
                                fputc(' ', f);
                        tmpl_fmt_arg(f, sp, e, verb);
                }
                fputc(']', f);
                return;
        }
        case JSON_OBJECT: {
                size_t n;
                _cleanup_free_ const char **keys = tmpl_sorted_keys(v, &n);
                fputs("map[", f);
                for (size_t i = 0; keys && i < n; i++) {
                        if (i > 0)
                                fputc(' ', f);
                        _cleanup_(json_decrefp) json_t *k = json_string(keys[i]);
                        tmpl_fmt_arg(f, sp, k, verb);
                        fputc(':', f);
                        tmpl_fmt_arg(f, sp, json_object_get(v, keys[i]), verb);
                }
                fputc(']', f);
                return;
        }
        default:
                bad_verb(f, v, verb);
        }
}
