/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The template functions: Go's builtins, podman's report.DefaultFuncs, fmt.Sprintf/Sprint. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/template-internal.h"
#include "util/cleanup.h"

/* Go's parsenum: digits, at most 1e6. */
static bool parse_num(const char **p, int *ret)
{
        long v = 0;
        bool any = false;
        while (isdigit((unsigned char) **p)) {
                v = v * 10 + (**p - '0');
                if (v > 1000000)
                        return (void) ((*p)++), false;
                (*p)++;
                any = true;
        }
        *ret = (int) v;
        return any;
}

static void go_sprintf(FILE *f, const char *format, json_t **args, size_t n)
{
        size_t argi = 0;
        for (const char *p = format; *p;) {
                if (*p != '%') {
                        fputc(*p++, f);
                        continue;
                }
                p++;
                struct fmtspec sp = { .width = -1, .prec = -1 };
                for (;; p++) {
                        if (*p == '+')
                                sp.plus = true;
                        else if (*p == '-')
                                sp.minus = true, sp.zero = false;
                        else if (*p == '#')
                                sp.sharp = true;
                        else if (*p == ' ')
                                sp.space = true;
                        else if (*p == '0')
                                sp.zero = !sp.minus;
                        else
                                break;
                }
                if (*p == '*') {
                        p++;
                        json_t *a = argi < n ? args[argi++] : NULL;
                        if (a && json_is_integer(a) && llabs(json_integer_value(a)) <= 1000000) {
                                sp.width = (int) json_integer_value(a);
                                if (sp.width < 0) {
                                        sp.minus = true;
                                        sp.zero = false;
                                        sp.width = -sp.width;
                                }
                        } else {
                                fputs("%!(BADWIDTH)", f);
                        }
                } else if (isdigit((unsigned char) *p) && !parse_num(&p, &sp.width)) {
                        fputs("%!(NOVERB)", f);
                        while (isdigit((unsigned char) *p))
                                p++;
                        continue;
                }
                if (*p == '.') {
                        p++;
                        if (*p == '*') {
                                p++;
                                json_t *a = argi < n ? args[argi++] : NULL;
                                if (a && json_is_integer(a) && json_integer_value(a) >= 0 &&
                                    json_integer_value(a) <= 1000000)
                                        sp.prec = (int) json_integer_value(a);
                                else
                                        fputs("%!(BADPREC)", f);
                        } else {
                                sp.prec = 0;
                                if (isdigit((unsigned char) *p) && !parse_num(&p, &sp.prec)) {
                                        fputs("%!(NOVERB)", f);
                                        while (isdigit((unsigned char) *p))
                                                p++;
                                        continue;
                                }
                        }
                }
                if (!*p) {
                        fputs("%!(NOVERB)", f);
                        break;
                }
                char verb = *p++;
                if ((unsigned char) verb >= 0x80) {
                        /* a non-ASCII verb: copy the rune into the message */
                        size_t l;
                        tmpl_utf8_decode(p - 1, &l);
                        fprintf(f, "%%!%.*s(", (int) l, p - 1);
                        p += l - 1;
                        if (argi < n) {
                                json_t *a = args[argi++];
                                fprintf(f, "%s=", tmpl_type_name(a));
                                tmpl_print_value(f, a);
                        } else {
                                fputs("MISSING", f);
                        }
                        fputc(')', f);
                        continue;
                }
                if (verb == '%') {
                        fputc('%', f);
                        continue;
                }
                if (argi >= n) {
                        fprintf(f, "%%!%c(MISSING)", verb);
                        continue;
                }
                tmpl_fmt_arg(f, &sp, args[argi++], verb);
        }
        if (argi < n) {
                fputs("%!(EXTRA ", f);
                for (size_t i = argi; i < n; i++) {
                        if (i > argi)
                                fputs(", ", f);
                        if (!args[i] || json_is_null(args[i])) {
                                fputs("<nil>", f);
                                continue;
                        }
                        fprintf(f, "%s=", tmpl_type_name(args[i]));
                        tmpl_print_value(f, args[i]);
                }
                fputc(')', f);
        }
}

/* fmt.Sprint / Sprintln */
static void go_sprint(FILE *f, json_t **args, size_t n, bool ln)
{
        for (size_t i = 0; i < n; i++) {
                bool str = args[i] && json_is_string(args[i]);
                bool prev_str = i > 0 && args[i - 1] && json_is_string(args[i - 1]);
                if (i > 0 && (ln || (!str && !prev_str)))
                        fputc(' ', f);
                if (!args[i] || json_is_null(args[i]))
                        fputs("<nil>", f);
                else
                        tmpl_print_value(f, args[i]);
        }
        if (ln)
                fputc('\n', f);
}

_printf_(2, 3) static int fail(char **msg, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(msg, fmt, ap) < 0)
                *msg = NULL;
        va_end(ap);
        return -EINVAL;
}

static int ret_string(json_t **ret, char *s)
{
        if (!s)
                return -ENOMEM;
        *ret = json_string_nocheck(s);
        free(s);
        return *ret ? 0 : -ENOMEM;
}

/* Runs a printer into a new string value. */
#define PRINT_TO(ret, stmt)                                                                        \
        ({                                                                                         \
                char *_o = NULL;                                                                   \
                size_t _l = 0;                                                                     \
                FILE *f = open_memstream(&_o, &_l);                                                \
                int _r = -ENOMEM;                                                                  \
                if (f) {                                                                           \
                        stmt;                                                                      \
                        if (fclose(f) == 0) {                                                      \
                                *(ret) = json_stringn_nocheck(_o, _l);                             \
                                _r = *(ret) ? 0 : -ENOMEM;                                         \
                        }                                                                          \
                        free(_o);                                                                  \
                }                                                                                  \
                _r;                                                                                \
        })

static int fn_not(json_t **a, size_t n, json_t **ret, char **msg)
{
        *ret = json_boolean(!tmpl_truth(a[0]));
        return 0;
}

static int fn_len(json_t **a, size_t n, json_t **ret, char **msg)
{
        json_t *v = a[0];
        if (!v || json_is_null(v))
                return fail(msg, "len of nil pointer");
        if (json_is_string(v))
                *ret = json_integer((json_int_t) json_string_length(v));
        else if (json_is_array(v))
                *ret = json_integer((json_int_t) json_array_size(v));
        else if (json_is_object(v))
                *ret = json_integer((json_int_t) json_object_size(v));
        else
                return fail(msg, "len of type %s", tmpl_type_name(v));
        return *ret ? 0 : -ENOMEM;
}

static int index_arg(json_t *i, size_t cap, long long *ret, char **msg)
{
        if (!i || json_is_null(i))
                return fail(msg, "cannot index slice/array with nil");
        if (!json_is_integer(i))
                return fail(msg, "cannot index slice/array with type %s", tmpl_type_name(i));
        long long x = json_integer_value(i);
        if (x < 0 || (unsigned long long) x > cap)
                return fail(msg, "index out of range: %lld", x);
        *ret = x;
        return 0;
}

static int fn_index(json_t **a, size_t n, json_t **ret, char **msg)
{
        json_t *item = json_incref(a[0]);
        if (!item || json_is_null(item)) {
                json_decref(item);
                return fail(msg, "index of untyped nil");
        }
        for (size_t k = 1; k < n; k++) {
                _cleanup_(json_decrefp) json_t *cur = item;
                item = NULL;
                long long x;
                if (json_is_null(cur))
                        return fail(msg, "index of nil pointer");
                if (json_is_array(cur) || json_is_string(cur)) {
                        size_t len = json_is_array(cur) ? json_array_size(cur) : json_string_length(cur);
                        if (index_arg(a[k], len, &x, msg) < 0)
                                return -EINVAL;
                        if ((size_t) x == len)
                                return fail(msg, "reflect: %s index out of range",
                                            json_is_array(cur) ? "slice" : "string");
                        item = json_is_array(cur) ? json_incref(json_array_get(cur, (size_t) x)) :
                               json_integer((unsigned char) json_string_value(cur)[x]);
                } else if (json_is_object(cur)) {
                        if (!a[k] || !json_is_string(a[k]))
                                return fail(msg, "value has type %s; should be string",
                                            tmpl_type_name(a[k]));
                        item = json_incref(json_object_get(cur, json_string_value(a[k])));
                        if (!item)
                                item = strcmp(tmpl_type_name(cur), "map[string]string") == 0 ?
                                       json_string("") : json_null();
                } else {
                        return fail(msg, "can't index item of type %s", tmpl_type_name(cur));
                }
        }
        *ret = item;
        return 0;
}

static int fn_slice(json_t **a, size_t n, json_t **ret, char **msg)
{
        json_t *item = a[0];
        if (!item || json_is_null(item))
                return fail(msg, "slice of untyped nil");
        if (n - 1 > 3)
                return fail(msg, "too many slice indexes: %zu", n - 1);
        size_t cap;
        if (json_is_string(item)) {
                if (n - 1 == 3)
                        return fail(msg, "cannot 3-index slice a string");
                cap = json_string_length(item);
        } else if (json_is_array(item)) {
                cap = json_array_size(item);
        } else {
                return fail(msg, "can't slice item of type %s", tmpl_type_name(item));
        }
        long long idx[3] = { 0, (long long) cap, (long long) cap };
        for (size_t k = 1; k < n; k++)
                if (index_arg(a[k], cap, &idx[k - 1], msg) < 0)
                        return -EINVAL;
        if (idx[0] > idx[1])
                return fail(msg, "invalid slice index: %lld > %lld", idx[0], idx[1]);
        if (n - 1 == 3 && idx[1] > idx[2])
                return fail(msg, "invalid slice index: %lld > %lld", idx[1], idx[2]);
        if (json_is_string(item)) {
                *ret = json_stringn_nocheck(json_string_value(item) + idx[0], (size_t) (idx[1] - idx[0]));
                return *ret ? 0 : -ENOMEM;
        }
        json_t *out = json_array();
        for (long long i = idx[0]; out && i < idx[1]; i++)
                json_array_append(out, json_array_get(item, (size_t) i));
        *ret = out;
        return out ? 0 : -ENOMEM;
}

static int fn_print(json_t **a, size_t n, json_t **ret, char **msg)
{
        return PRINT_TO(ret, go_sprint(f, a, n, false));
}

static int fn_println(json_t **a, size_t n, json_t **ret, char **msg)
{
        return PRINT_TO(ret, go_sprint(f, a, n, true));
}

static int fn_printf(json_t **a, size_t n, json_t **ret, char **msg)
{
        return PRINT_TO(ret, go_sprintf(f, json_string_value(a[0]), a + 1, n - 1));
}

enum kind { K_INVALID, K_BOOL, K_INT, K_FLOAT, K_STRING };

static enum kind basic_kind(json_t *v)
{
        if (!v)
                return K_INVALID;
        switch (json_typeof(v)) {
        case JSON_TRUE:
        case JSON_FALSE: return K_BOOL;
        case JSON_INTEGER: return K_INT;
        case JSON_REAL: return K_FLOAT;
        case JSON_STRING: return K_STRING;
        default: return K_INVALID;
        }
}

static int cmp_strings(json_t *x, json_t *y)
{
        size_t lx = json_string_length(x), ly = json_string_length(y);
        int c = memcmp(json_string_value(x), json_string_value(y), lx < ly ? lx : ly);
        return c ? c : lx < ly ? -1 : lx > ly;
}

static int eq_one(json_t *x, json_t *y, bool *ret, char **msg)
{
        enum kind kx = basic_kind(x), ky = basic_kind(y);
        if (kx != ky) {
                bool vx = x && !json_is_null(x), vy = y && !json_is_null(y);
                if (vx && vy)
                        return fail(msg, "incompatible types for comparison");
                *ret = vx == vy && !vx;
                return 0;
        }
        switch (kx) {
        case K_BOOL: *ret = json_is_true(x) == json_is_true(y); return 0;
        case K_INT: *ret = json_integer_value(x) == json_integer_value(y); return 0;
        case K_FLOAT: *ret = json_real_value(x) == json_real_value(y); return 0;
        case K_STRING: *ret = cmp_strings(x, y) == 0; return 0;
        default: break;
        }
        bool nx = !x || json_is_null(x), ny = !y || json_is_null(y);
        if (nx || ny) {
                *ret = nx == ny;
                return 0;
        }
        _cleanup_free_ char *s = template_format_value(y);
        return fail(msg, "non-comparable type %s: %s", strempty(s), tmpl_type_name(y));
}

static int fn_eq(json_t **a, size_t n, json_t **ret, char **msg)
{
        if (n < 2)
                return fail(msg, "missing argument for comparison");
        for (size_t i = 1; i < n; i++) {
                bool t;
                if (eq_one(a[0], a[i], &t, msg) < 0)
                        return -EINVAL;
                if (t) {
                        *ret = json_true();
                        return 0;
                }
        }
        *ret = json_false();
        return 0;
}

static int fn_ne(json_t **a, size_t n, json_t **ret, char **msg)
{
        bool t;
        if (eq_one(a[0], a[1], &t, msg) < 0)
                return -EINVAL;
        *ret = json_boolean(!t);
        return 0;
}

static int lt(json_t *x, json_t *y, bool *ret, char **msg)
{
        enum kind kx = basic_kind(x), ky = basic_kind(y);
        if (kx == K_INVALID || ky == K_INVALID)
                return fail(msg, "invalid type for comparison");
        if (kx != ky)
                return fail(msg, "incompatible types for comparison");
        switch (kx) {
        case K_INT: *ret = json_integer_value(x) < json_integer_value(y); return 0;
        case K_FLOAT: *ret = json_real_value(x) < json_real_value(y); return 0;
        case K_STRING: *ret = cmp_strings(x, y) < 0; return 0;
        default: return fail(msg, "invalid type for comparison");
        }
}

static int le(json_t *x, json_t *y, bool *ret, char **msg)
{
        if (lt(x, y, ret, msg) < 0)
                return -EINVAL;
        return *ret ? 0 : eq_one(x, y, ret, msg);
}

static int fn_lt(json_t **a, size_t n, json_t **ret, char **msg)
{
        bool t;
        if (lt(a[0], a[1], &t, msg) < 0)
                return -EINVAL;
        *ret = json_boolean(t);
        return 0;
}

static int fn_le(json_t **a, size_t n, json_t **ret, char **msg)
{
        bool t;
        if (le(a[0], a[1], &t, msg) < 0)
                return -EINVAL;
        *ret = json_boolean(t);
        return 0;
}

static int fn_gt(json_t **a, size_t n, json_t **ret, char **msg)
{
        bool t;
        if (le(a[0], a[1], &t, msg) < 0)
                return -EINVAL;
        *ret = json_boolean(!t);
        return 0;
}

static int fn_ge(json_t **a, size_t n, json_t **ret, char **msg)
{
        bool t;
        if (lt(a[0], a[1], &t, msg) < 0)
                return -EINVAL;
        *ret = json_boolean(!t);
        return 0;
}

/* text/template's evalArgs: one string as is, else fmt.Sprint of printable values. */
static char *eval_args(json_t **a, size_t n)
{
        if (n == 1 && a[0] && json_is_string(a[0]))
                return strdup(json_string_value(a[0]));
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        if (!f)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                bool str = !a[i] || json_is_string(a[i]);
                bool prev = i > 0 && (!a[i - 1] || json_is_string(a[i - 1]));
                if (i > 0 && !str && !prev)
                        fputc(' ', f);
                tmpl_print_value(f, a[i]);
        }
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

static int fn_html(json_t **a, size_t n, json_t **ret, char **msg)
{
        _cleanup_free_ char *s = eval_args(a, n);
        if (!s)
                return -ENOMEM;
        return PRINT_TO(ret, ({
                for (const char *p = s; *p; p++) {
                        switch (*p) {
                        case '<': fputs("&lt;", f); break;
                        case '>': fputs("&gt;", f); break;
                        case '&': fputs("&amp;", f); break;
                        case '"': fputs("&#34;", f); break;
                        case '\'': fputs("&#39;", f); break;
                        default: fputc(*p, f);
                        }
                }
        }));
}

static int fn_js(json_t **a, size_t n, json_t **ret, char **msg)
{
        _cleanup_free_ char *s = eval_args(a, n);
        if (!s)
                return -ENOMEM;
        return PRINT_TO(ret, ({
                for (const char *p = s; *p; p++) {
                        unsigned char c = (unsigned char) *p;
                        if (c == '\\' || c == '\'' || c == '"')
                                fprintf(f, "\\%c", c);
                        else if (c == '<' || c == '>' || c == '&' || c == '=' || c < 0x20)
                                fprintf(f, "\\u%04X", c);
                        else
                                fputc(c, f);
                }
        }));
}

static int fn_urlquery(json_t **a, size_t n, json_t **ret, char **msg)
{
        _cleanup_free_ char *s = eval_args(a, n);
        if (!s)
                return -ENOMEM;
        return PRINT_TO(ret, ({
                for (const char *p = s; *p; p++) {
                        unsigned char c = (unsigned char) *p;
                        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
                                fputc(c, f);
                        else if (c == ' ')
                                fputc('+', f);
                        else
                                fprintf(f, "%%%02X", c);
                }
        }));
}

/* ---- podman's report.DefaultFuncs ---- */

static int fn_join(json_t **a, size_t n, json_t **ret, char **msg)
{
        size_t i;
        json_t *e;
        return PRINT_TO(ret, json_array_foreach(a[0], i, e) {
                if (i > 0)
                        fputs(json_string_value(a[1]), f);
                fputs(json_string_value(e), f);
        });
}

static int fn_json(json_t **a, size_t n, json_t **ret, char **msg)
{
        return ret_string(ret, template_json_encode(a[0], NULL, false));
}

static int map_ascii(json_t **a, json_t **ret, int (*conv)(int))
{
        _cleanup_free_ char *s = strndup(json_string_value(a[0]), json_string_length(a[0]));
        if (!s)
                return -ENOMEM;
        for (char *p = s; *p; p++)
                if ((unsigned char) *p < 0x80)
                        *p = (char) conv((unsigned char) *p);
        return ret_string(ret, TAKE_PTR(s));
}

static int fn_lower(json_t **a, size_t n, json_t **ret, char **msg)
{
        return map_ascii(a, ret, tolower);
}

static int fn_upper(json_t **a, size_t n, json_t **ret, char **msg)
{
        return map_ascii(a, ret, toupper);
}

static int fn_title(json_t **a, size_t n, json_t **ret, char **msg)
{
        _cleanup_free_ char *s = strdup(json_string_value(a[0]));
        if (!s)
                return -ENOMEM;
        bool sep = true;
        for (unsigned char *p = (unsigned char *) s; *p; p++) {
                if (sep && *p < 0x80)
                        *p = (unsigned char) toupper(*p);
                /* strings.Title's isSeparator: ASCII non-alnum except '_' */
                sep = *p < 0x80 && !isalnum(*p) && *p != '_';
        }
        return ret_string(ret, TAKE_PTR(s));
}

static int fn_truncate(json_t **a, size_t n, json_t **ret, char **msg)
{
        long long l = json_integer_value(a[1]);
        size_t len = json_string_length(a[0]);
        if ((long long) len < l) {
                *ret = json_incref(a[0]);
                return 0;
        }
        if (l < 0)
                return fail(msg, "runtime error: slice bounds out of range [:%lld]", l);
        *ret = json_stringn_nocheck(json_string_value(a[0]), (size_t) l);
        return *ret ? 0 : -ENOMEM;
}

static int fn_pad(json_t **a, size_t n, json_t **ret, char **msg)
{
        long long pre = json_integer_value(a[1]), suf = json_integer_value(a[2]);
        if (json_string_length(a[0]) == 0) {
                *ret = json_incref(a[0]);
                return 0;
        }
        if (pre < 0 || suf < 0)
                return fail(msg, "strings: negative Repeat count");
        if (pre > OUTPUT_MAX || suf > OUTPUT_MAX)
                return fail(msg, "strings: Repeat output length overflow");
        return PRINT_TO(ret, ({
                for (long long i = 0; i < pre; i++)
                        fputc(' ', f);
                fputs(json_string_value(a[0]), f);
                for (long long i = 0; i < suf; i++)
                        fputc(' ', f);
        }));
}

static int fn_split(json_t **a, size_t n, json_t **ret, char **msg)
{
        const char *s = json_string_value(a[0]), *sep = json_string_value(a[1]);
        size_t sl = strlen(sep);
        json_t *out = json_array();
        if (!out)
                return -ENOMEM;
        if (sl == 0) {
                for (size_t i = 0; s[i];) {
                        size_t l;
                        tmpl_utf8_decode(s + i, &l);
                        json_array_append_new(out, json_stringn_nocheck(s + i, l));
                        i += l;
                }
        } else {
                for (;;) {
                        const char *e = strstr(s, sep);
                        json_array_append_new(out, json_stringn_nocheck(s, e ? (size_t) (e - s) : strlen(s)));
                        if (!e)
                                break;
                        s = e + sl;
                }
        }
        *ret = out;
        return 0;
}

int tmpl_fn_and_or(json_t **a, size_t n, json_t **ret, char **msg)
{
        return -EINVAL; /* evaluated lazily by the caller */
}

static const struct func funcs[] = {
        { "and", 1, true, { P_ANY }, P_ANY, tmpl_fn_and_or },
        { "eq", 1, true, { P_ANY }, P_ANY, fn_eq },
        { "ge", 2, false, { P_ANY, P_ANY }, P_ANY, fn_ge },
        { "gt", 2, false, { P_ANY, P_ANY }, P_ANY, fn_gt },
        { "html", 0, true, { P_ANY }, P_ANY, fn_html },
        { "index", 1, true, { P_ANY }, P_ANY, fn_index },
        { "join", 2, false, { P_STRV, P_STRING }, P_ANY, fn_join },
        { "js", 0, true, { P_ANY }, P_ANY, fn_js },
        { "json", 1, false, { P_ANY }, P_ANY, fn_json },
        { "le", 2, false, { P_ANY, P_ANY }, P_ANY, fn_le },
        { "len", 1, false, { P_ANY }, P_ANY, fn_len },
        { "lower", 1, false, { P_STRING }, P_ANY, fn_lower },
        { "lt", 2, false, { P_ANY, P_ANY }, P_ANY, fn_lt },
        { "ne", 2, false, { P_ANY, P_ANY }, P_ANY, fn_ne },
        { "not", 1, false, { P_ANY }, P_ANY, fn_not },
        { "or", 1, true, { P_ANY }, P_ANY, tmpl_fn_and_or },
        { "pad", 3, false, { P_STRING, P_INT, P_INT }, P_ANY, fn_pad },
        { "print", 0, true, { P_ANY }, P_ANY, fn_print },
        { "printf", 1, true, { P_STRING }, P_ANY, fn_printf },
        { "println", 0, true, { P_ANY }, P_ANY, fn_println },
        { "slice", 1, true, { P_ANY }, P_ANY, fn_slice },
        { "split", 2, false, { P_STRING, P_STRING }, P_ANY, fn_split },
        { "title", 1, false, { P_STRING }, P_ANY, fn_title },
        { "truncate", 2, false, { P_STRING, P_INT }, P_ANY, fn_truncate },
        { "upper", 1, false, { P_STRING }, P_ANY, fn_upper },
        { "urlquery", 0, true, { P_ANY }, P_ANY, fn_urlquery },
};

const struct func *tmpl_func_lookup(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(funcs); i++)
                if (strcmp(funcs[i].name, name) == 0)
                        return &funcs[i];
        return NULL;
}
