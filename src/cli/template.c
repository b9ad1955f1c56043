/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Go text/template for --format (see template.h).  The implementation is split:
 * template-internal.h says which file does what.  This file: podman's report helpers
 * (table, IsJSON, NormalizeFormat, EnforceRange), the lexer (Go's text/template/parse
 * lexer: same tokens, same error texts) and the decoding of literals.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/opts.h"
#include "cli/template-internal.h"
#include "util/cleanup.h"

static const struct {
        const char *word;
        enum tok type;
} keywords[] = {
        { ".", T_DOT }, { "nil", T_NIL }, { "if", T_IF }, { "else", T_ELSE }, { "end", T_END },
        { "range", T_RANGE }, { "with", T_WITH }, { "break", T_BREAK },
        { "continue", T_CONTINUE }, { "define", T_DEFINE }, { "template", T_TEMPLATE },
        { "block", T_BLOCK },
};

struct lexer {
        const char *in;
        size_t len, pos, start;
        int paren;
        struct token *toks;
        size_t n, cap;
        bool failed;
};

static bool is_space(char c)
{
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_alnum(unsigned char c)
{
        return c == '_' || isalnum(c) || c >= 0x80;
}

static int emit_val(struct lexer *l, enum tok type, size_t pos, const char *val, size_t n)
{
        if (l->n == l->cap) {
                size_t cap = l->cap ? l->cap * 2 : 64;
                struct token *t = realloc(l->toks, cap * sizeof(*t));
                if (!t)
                        return -ENOMEM;
                l->toks = t;
                l->cap = cap;
        }
        char *v = strndup(val, n);
        if (!v)
                return -ENOMEM;
        l->toks[l->n++] = (struct token) { .type = type, .pos = pos, .val = v };
        return 0;
}

static int emit(struct lexer *l, enum tok type)
{
        int r = emit_val(l, type, l->start, l->in + l->start, l->pos - l->start);
        l->start = l->pos;
        return r;
}

/* Go's %#U: "U+007B '{'". */
static void fmt_rune(char *buf, size_t size, const char *p)
{
        unsigned char c = (unsigned char) *p;
        if (c >= 0x20 && c < 0x7f) {
                snprintf(buf, size, "U+%04X '%c'", c, c);
                return;
        }
        if (c < 0x80) {
                snprintf(buf, size, "U+%04X", c);
                return;
        }
        int n = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 1;
        uint32_t cp = n == 2 ? c & 0x1f : n == 3 ? c & 0x0f : n == 4 ? c & 0x07 : 0xfffd;
        for (int i = 1; i < n; i++) {
                if (((unsigned char) p[i] & 0xc0) != 0x80) {
                        snprintf(buf, size, "U+FFFD '\xef\xbf\xbd'");
                        return;
                }
                cp = (cp << 6) | ((unsigned char) p[i] & 0x3f);
        }
        if (n == 1) {
                snprintf(buf, size, "U+FFFD '\xef\xbf\xbd'");
                return;
        }
        snprintf(buf, size, "U+%04" PRIX32 " '%.*s'", cp, n, p);
}

_printf_(2, 3) static int lex_error(struct lexer *l, const char *fmt, ...)
{
        char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (n < 0)
                return -ENOMEM;
        int r = emit_val(l, T_ERROR, l->start, msg, strlen(msg));
        free(msg);
        l->failed = true;
        return r;
}

static bool has_left_trim(const char *s)
{
        return s[0] == '-' && is_space(s[1]);
}

static bool has_right_trim(const char *s)
{
        return is_space(s[0]) && s[1] == '-';
}

/* At "}}" or " -}}"?  *trim tells which. */
static bool at_right_delim(struct lexer *l, bool *trim)
{
        const char *s = l->in + l->pos;
        if (has_right_trim(s) && strncmp(s + 2, "}}", 2) == 0) {
                *trim = true;
                return true;
        }
        *trim = false;
        return strncmp(s, "}}", 2) == 0;
}

static bool at_terminator(struct lexer *l)
{
        char c = l->in[l->pos];
        if (is_space(c))
                return true;
        switch (c) {
        case 0: case '.': case ',': case '|': case ':': case ')': case '(':
                return true;
        }
        return strncmp(l->in + l->pos, "}}", 2) == 0;
}

static size_t left_trim_len(const char *s)
{
        size_t n = 0;
        while (is_space(s[n]))
                n++;
        return n;
}

static int lex_right_delim(struct lexer *l)
{
        bool trim;
        at_right_delim(l, &trim);
        if (trim)
                l->pos += 2;
        l->start = l->pos;
        l->pos += 2;
        int r = emit(l, T_RIGHT);
        if (trim)
                l->pos += left_trim_len(l->in + l->pos);
        l->start = l->pos;
        return r;
}

static int lex_number(struct lexer *l)
{
        const char *s = l->in;
        const char *digits = "0123456789_";
        if (s[l->pos] == '+' || s[l->pos] == '-')
                l->pos++;
        if (s[l->pos] == '0' && s[l->pos + 1] && strchr("xXoObB", s[l->pos + 1])) {
                char p = (char) tolower((unsigned char) s[l->pos + 1]);
                l->pos += 2;
                digits = p == 'x' ? "0123456789abcdefABCDEF_" : p == 'o' ? "01234567_" : "01_";
        }
        while (s[l->pos] && strchr(digits, s[l->pos]))
                l->pos++;
        if (s[l->pos] == '.') {
                l->pos++;
                while (s[l->pos] && strchr(digits, s[l->pos]))
                        l->pos++;
        }
        if (strlen(digits) == 11 && s[l->pos] && strchr("eE", s[l->pos])) {
                l->pos++;
                if (s[l->pos] == '+' || s[l->pos] == '-')
                        l->pos++;
                while (isdigit((unsigned char) s[l->pos]) || s[l->pos] == '_')
                        l->pos++;
        }
        if (strlen(digits) == 23 && s[l->pos] && strchr("pP", s[l->pos])) {
                l->pos++;
                if (s[l->pos] == '+' || s[l->pos] == '-')
                        l->pos++;
                while (isdigit((unsigned char) s[l->pos]) || s[l->pos] == '_')
                        l->pos++;
        }
        if (is_alnum((unsigned char) s[l->pos])) {
                l->pos++;
                _cleanup_free_ char *bad = strndup(s + l->start, l->pos - l->start);
                _cleanup_free_ char *q = bad ? go_quote(bad) : NULL;
                return lex_error(l, "bad number syntax: %s", strempty(q));
        }
        return emit(l, T_NUMBER);
}

static int lex_quote(struct lexer *l, char q, enum tok type, const char *what)
{
        for (;;) {
                char c = l->in[l->pos];
                if (c == 0 || (c == '\n' && q != '`'))
                        return lex_error(l, "unterminated %s", what);
                l->pos++;
                if (c == '\\' && q != '`') {
                        char d = l->in[l->pos];
                        if (d == 0 || d == '\n')
                                return lex_error(l, "unterminated %s", what);
                        l->pos++;
                        continue;
                }
                if (c == q)
                        break;
        }
        return emit(l, type);
}

static int lex_field_or_var(struct lexer *l, enum tok type)
{
        if (at_terminator(l))
                return emit(l, type == T_VARIABLE ? T_VARIABLE : T_DOT);
        while (is_alnum((unsigned char) l->in[l->pos]))
                l->pos++;
        if (!at_terminator(l)) {
                char b[32];
                fmt_rune(b, sizeof(b), l->in + l->pos);
                return lex_error(l, "bad character %s", b);
        }
        return emit(l, type);
}

static int lex_identifier(struct lexer *l)
{
        while (is_alnum((unsigned char) l->in[l->pos]))
                l->pos++;
        if (!at_terminator(l)) {
                char b[32];
                fmt_rune(b, sizeof(b), l->in + l->pos);
                return lex_error(l, "bad character %s", b);
        }
        size_t n = l->pos - l->start;
        const char *w = l->in + l->start;
        for (size_t i = 0; i < ELEMENTSOF(keywords); i++)
                if (strlen(keywords[i].word) == n && strncmp(keywords[i].word, w, n) == 0)
                        return emit(l, keywords[i].type);
        if ((n == 4 && strncmp(w, "true", 4) == 0) || (n == 5 && strncmp(w, "false", 5) == 0))
                return emit(l, T_BOOL);
        return emit(l, T_IDENT);
}

/* Inside {{ }}: one token (or the closing delimiter).  Returns 1 when the action ended. */
static int lex_inside(struct lexer *l)
{
        bool trim;
        if (at_right_delim(l, &trim)) {
                if (l->paren == 0) {
                        int r = lex_right_delim(l);
                        return r < 0 ? r : 1;
                }
                return lex_error(l, "unclosed left paren");
        }
        char c = l->in[l->pos];
        if (c == 0)
                return lex_error(l, "unclosed action");
        if (is_space(c)) {
                size_t n = 0;
                while (is_space(l->in[l->pos])) {
                        l->pos++;
                        n++;
                }
                /* " -}}": the last space belongs to the trim marker. */
                if (has_right_trim(l->in + l->pos - 1) && strncmp(l->in + l->pos + 1, "}}", 2) == 0) {
                        l->pos--;
                        if (n == 1)
                                return 0;
                }
                return emit(l, T_SPACE);
        }
        l->pos++;
        switch (c) {
        case '=':
                return emit(l, T_ASSIGN);
        case ':':
                if (l->in[l->pos] != '=')
                        return lex_error(l, "expected :=");
                l->pos++;
                return emit(l, T_DECLARE);
        case '|':
                return emit(l, T_PIPE);
        case '"':
                return lex_quote(l, '"', T_STRING, "quoted string");
        case '`':
                return lex_quote(l, '`', T_RAW, "raw quoted string");
        case '\'':
                return lex_quote(l, '\'', T_CHARCONST, "character constant");
        case '$':
                return lex_field_or_var(l, T_VARIABLE);
        case '(':
                l->paren++;
                return emit(l, T_LPAREN);
        case ')':
                l->paren--;
                if (l->paren < 0)
                        return lex_error(l, "unexpected right paren");
                return emit(l, T_RPAREN);
        case '.':
                if (!isdigit((unsigned char) l->in[l->pos]))
                        return lex_field_or_var(l, T_FIELD);
                l->pos--;
                return lex_number(l);
        default:
                break;
        }
        if (c == '+' || c == '-' || isdigit((unsigned char) c)) {
                l->pos--;
                return lex_number(l);
        }
        if (is_alnum((unsigned char) c)) {
                l->pos--;
                return lex_identifier(l);
        }
        if (c >= 0x20 && c < 0x7f)
                return emit(l, T_CHAR);
        char b[32];
        fmt_rune(b, sizeof(b), l->in + l->pos - 1);
        return lex_error(l, "unrecognized character in action: %s", b);
}

/* Text up to the next "{{", then the delimiter (and any comment). */
static int lex_text(struct lexer *l)
{
        const char *d = strstr(l->in + l->pos, "{{");
        if (!d) {
                l->pos = l->len;
                if (l->pos > l->start)
                        return emit(l, T_TEXT);
                return emit(l, T_EOF);
        }
        size_t at = (size_t) (d - l->in);
        bool trim = has_left_trim(d + 2);
        size_t end = at;
        if (trim)
                while (end > l->start && is_space(l->in[end - 1]))
                        end--;
        if (end > l->start) {
                int r = emit_val(l, T_TEXT, l->start, l->in + l->start, end - l->start);
                if (r < 0)
                        return r;
        }
        l->pos = at + 2;
        size_t after = trim ? 2 : 0;
        if (strncmp(l->in + l->pos + after, "/*", 2) == 0) {
                l->pos += after;
                l->start = l->pos;
                const char *e = strstr(l->in + l->pos + 2, "*/");
                if (!e)
                        return lex_error(l, "unclosed comment");
                l->pos = (size_t) (e - l->in) + 2;
                bool rtrim;
                if (!at_right_delim(l, &rtrim))
                        return lex_error(l, "comment ends before closing delimiter");
                l->pos += (rtrim ? 2 : 0) + 2;
                if (rtrim)
                        l->pos += left_trim_len(l->in + l->pos);
                l->start = l->pos;
                return 0;
        }
        l->start = at;
        int r = emit_val(l, T_LEFT, at, "{{", 2);
        if (r < 0)
                return r;
        l->pos += after;
        l->start = l->pos;
        l->paren = 0;
        for (;;) {
                r = lex_inside(l);
                if (r < 0 || l->failed)
                        return r;
                if (r == 1)
                        return 0;
        }
}

void tmpl_tokens_free(struct token *t, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(t[i].val);
        free(t);
}

int tmpl_lex(const char *text, struct token **ret, size_t *ret_n)
{
        struct lexer l = { .in = text, .len = strlen(text) };
        int r = 0;
        while (r >= 0 && !l.failed && (l.n == 0 || l.toks[l.n - 1].type != T_EOF))
                r = lex_text(&l);
        if (r >= 0 && l.failed)
                r = emit_val(&l, T_EOF, l.len, "", 0);
        if (r < 0) {
                tmpl_tokens_free(l.toks, l.n);
                return r;
        }
        *ret = l.toks;
        *ret_n = l.n;
        return 0;
}

/* ---- literals ---- */

void tmpl_put_utf8(char **o, uint32_t cp)
{
        char *p = *o;
        if (cp < 0x80) {
                *p++ = (char) cp;
        } else if (cp < 0x800) {
                *p++ = (char) (0xc0 | (cp >> 6));
                *p++ = (char) (0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
                *p++ = (char) (0xe0 | (cp >> 12));
                *p++ = (char) (0x80 | ((cp >> 6) & 0x3f));
                *p++ = (char) (0x80 | (cp & 0x3f));
        } else {
                *p++ = (char) (0xf0 | (cp >> 18));
                *p++ = (char) (0x80 | ((cp >> 12) & 0x3f));
                *p++ = (char) (0x80 | ((cp >> 6) & 0x3f));
                *p++ = (char) (0x80 | (cp & 0x3f));
        }
        *o = p;
}

/* strconv.Unquote of "…", `…` or '…' (a char constant gives its UTF-8 text). */
int tmpl_unquote(const char *in, char **ret)
{
        size_t n = strlen(in);
        if (n < 2 || in[n - 1] != in[0])
                return -EINVAL;
        _cleanup_free_ char *out = malloc(n + 4);
        if (!out)
                return -ENOMEM;
        char *o = out;
        char q = in[0];
        if (q == '`') {
                for (size_t i = 1; i < n - 1; i++)
                        if (in[i] != '\r')
                                *o++ = in[i];
                *o = 0;
                *ret = TAKE_PTR(out);
                return 0;
        }
        for (size_t i = 1; i < n - 1;) {
                char c = in[i++];
                if (c == q || (c == '\n'))
                        return -EINVAL;
                if (c != '\\') {
                        *o++ = c;
                        continue;
                }
                char e = in[i++];
                const char *simple = "a\ab\bf\fn\nr\rt\tv\v\\\\";
                const char *f = strchr(simple, e);
                if (e && f && (f - simple) % 2 == 0) {
                        *o++ = f[1];
                        continue;
                }
                if (e == q && (q == '"' || q == '\'')) {
                        *o++ = e;
                        continue;
                }
                int digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
                uint32_t v = 0;
                if (digits) {
                        for (int k = 0; k < digits; k++, i++) {
                                if (!isxdigit((unsigned char) in[i]))
                                        return -EINVAL;
                                v = v * 16 + (uint32_t) (isdigit((unsigned char) in[i]) ?
                                                         in[i] - '0' : tolower((unsigned char) in[i]) - 'a' + 10);
                        }
                        if (e == 'x')
                                *o++ = (char) v;
                        else if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000))
                                return -EINVAL;
                        else
                                tmpl_put_utf8(&o, v);
                        continue;
                }
                if (e >= '0' && e <= '7') {
                        v = (uint32_t) (e - '0');
                        for (int k = 0; k < 2; k++, i++) {
                                if (in[i] < '0' || in[i] > '7')
                                        return -EINVAL;
                                v = v * 8 + (uint32_t) (in[i] - '0');
                        }
                        if (v > 255)
                                return -EINVAL;
                        *o++ = (char) v;
                        continue;
                }
                return -EINVAL;
        }
        *o = 0;
        if (q == '\'') {
                /* exactly one character */
                size_t len = strlen(out);
                unsigned char c0 = (unsigned char) out[0];
                size_t want = c0 < 0x80 ? 1 : (c0 & 0xe0) == 0xc0 ? 2 : (c0 & 0xf0) == 0xe0 ? 3 : 4;
                if (len == 0 || len != want)
                        return -EINVAL;
        }
        *ret = TAKE_PTR(out);
        return 0;
}

uint32_t tmpl_utf8_decode(const char *s, size_t *len)
{
        const unsigned char *u = (const unsigned char *) s;
        if (u[0] < 0x80) {
                *len = 1;
                return u[0];
        }
        int n = (u[0] & 0xe0) == 0xc0 ? 2 : (u[0] & 0xf0) == 0xe0 ? 3 : (u[0] & 0xf8) == 0xf0 ? 4 : 0;
        uint32_t cp = n == 2 ? u[0] & 0x1f : n == 3 ? u[0] & 0x0f : u[0] & 0x07;
        for (int i = 1; i < n; i++) {
                if ((u[i] & 0xc0) != 0x80) {
                        n = 0;
                        break;
                }
                cp = (cp << 6) | (u[i] & 0x3f);
        }
        if (n == 0) {
                *len = 1;
                return 0xfffd;
        }
        *len = (size_t) n;
        return cp;
}

json_t *tmpl_parse_number(const char *s, enum tok type)
{
        if (type == T_CHARCONST) {
                _cleanup_free_ char *u = NULL;
                size_t len;
                if (tmpl_unquote(s, &u) < 0)
                        return NULL;
                return json_integer((json_int_t) tmpl_utf8_decode(u, &len));
        }
        int64_t i;
        uint64_t ui;
        if (go_parse_int(s, &i, NULL) == 0)
                return json_integer(i);
        if (go_parse_uint(s, &ui, NULL) == 0)
                return json_real((double) ui);
        if (strchr(s, '_') || strchr(s, 'i'))
                return NULL;
        char *end = NULL;
        errno = 0;
        double d = strtod(s, &end);
        if (*end || end == s || errno == ERANGE)
                return NULL;
        return json_real(d);
}

/* ================================================================ podman's helpers */

bool template_has_table(const char *format)
{
        return strncmp(format, "table ", 6) == 0;
}

bool template_is_json(const char *s)
{
        /* ^\s*(json|{{\s*json *\.?\s*}})\s*$ */
        while (is_space(*s) || *s == '\v' || *s == '\f')
                s++;
        if (strncmp(s, "json", 4) == 0) {
                s += 4;
        } else if (strncmp(s, "{{", 2) == 0) {
                s += 2;
                while (is_space(*s) || *s == '\v' || *s == '\f')
                        s++;
                if (strncmp(s, "json", 4) != 0)
                        return false;
                s += 4;
                while (*s == ' ')
                        s++;
                if (*s == '.')
                        s++;
                while (is_space(*s) || *s == '\v' || *s == '\f')
                        s++;
                if (strncmp(s, "}}", 2) != 0)
                        return false;
                s += 2;
        } else {
                return false;
        }
        while (is_space(*s) || *s == '\v' || *s == '\f')
                s++;
        return *s == 0;
}

char *template_normalize(const char *format)
{
        bool table = template_has_table(format);
        size_t n = strlen(format);
        char *out = malloc(n + 2), *o = out;
        if (!out)
                return NULL;
        /* strings.Replacer: at each position the first matching pattern wins, left to right */
        for (const char *p = format; *p;) {
                if (table && strncmp(p, "table ", 6) == 0) {
                        p += 6;
                } else if (p[0] == '\\' && p[1] == 't') {
                        *o++ = '\t';
                        p += 2;
                } else if (p[0] == '\\' && p[1] == 'n') {
                        *o++ = '\n';
                        p += 2;
                } else if (table && *p == ' ') {
                        *o++ = '\t';
                        p++;
                } else {
                        *o++ = *p++;
                }
        }
        if (o == out || o[-1] != '\n')
                *o++ = '\n';
        *o = 0;
        return out;
}

char *template_enforce_range(const char *format)
{
        /* {{\s*range\s*\.\s*}}.*{{\s*end\s*-?\s*}} ("." does not match a newline) */
        for (const char *p = strstr(format, "{{"); p; p = strstr(p + 1, "{{")) {
                const char *s = p + 2;
                while (is_space(*s) || *s == '\v' || *s == '\f')
                        s++;
                if (strncmp(s, "range", 5) != 0)
                        continue;
                s += 5;
                while (is_space(*s) || *s == '\v' || *s == '\f')
                        s++;
                if (*s != '.')
                        continue;
                s++;
                while (is_space(*s) || *s == '\v' || *s == '\f')
                        s++;
                if (strncmp(s, "}}", 2) != 0)
                        continue;
                s += 2;
                /* an {{end}} later on the same line */
                const char *eol = strchr(s, '\n');
                for (const char *q = strstr(s, "{{"); q && (!eol || q < eol); q = strstr(q + 1, "{{")) {
                        const char *e = q + 2;
                        while (is_space(*e) || *e == '\v' || *e == '\f')
                                e++;
                        if (strncmp(e, "end", 3) != 0)
                                continue;
                        e += 3;
                        while (is_space(*e) || *e == '\v' || *e == '\f')
                                e++;
                        if (*e == '-')
                                e++;
                        while (is_space(*e) || *e == '\v' || *e == '\f')
                                e++;
                        if (strncmp(e, "}}", 2) == 0)
                                return strdup(format);
                }
        }
        char *out = NULL;
        if (asprintf(&out, "{{range .}}%s{{end -}}", format) < 0)
                return NULL;
        return out;
}
