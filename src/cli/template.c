/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Go text/template for --format (see template.h): a lexer and parser that follow Go's
 * text/template/parse (same tokens, same error texts), an evaluator over jansson values,
 * Go-style value printing, the builtin and podman functions, and Go's JSON encoding.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/opts.h"
#include "cli/template.h"
#include "util/cleanup.h"

#define OUTPUT_MAX (64u << 20) /* bytes one execution may produce */
#define DEPTH_MAX 200          /* nesting of parenthesised pipelines / controls */

/* ================================================================ lexer */

enum tok {
        T_ERROR, T_EOF, T_TEXT, T_LEFT, T_RIGHT, T_SPACE, T_FIELD, T_VARIABLE, T_STRING,
        T_RAW, T_CHARCONST, T_NUMBER, T_BOOL, T_IDENT, T_PIPE, T_LPAREN, T_RPAREN, T_DECLARE,
        T_ASSIGN, T_CHAR,
        T_KEYWORD, /* keywords follow */
        T_DOT, T_NIL, T_IF, T_ELSE, T_END, T_RANGE, T_WITH, T_BREAK, T_CONTINUE, T_DEFINE,
        T_TEMPLATE, T_BLOCK,
};

static const struct {
        const char *word;
        enum tok type;
} keywords[] = {
        { ".", T_DOT }, { "nil", T_NIL }, { "if", T_IF }, { "else", T_ELSE }, { "end", T_END },
        { "range", T_RANGE }, { "with", T_WITH }, { "break", T_BREAK },
        { "continue", T_CONTINUE }, { "define", T_DEFINE }, { "template", T_TEMPLATE },
        { "block", T_BLOCK },
};

struct token {
        enum tok type;
        size_t pos;
        char *val; /* text of the token (error message for T_ERROR) */
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

static void tokens_free(struct token *t, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(t[i].val);
        free(t);
}

static int lex_all(const char *text, struct token **ret, size_t *ret_n)
{
        struct lexer l = { .in = text, .len = strlen(text) };
        int r = 0;
        while (r >= 0 && !l.failed && (l.n == 0 || l.toks[l.n - 1].type != T_EOF))
                r = lex_text(&l);
        if (r >= 0 && l.failed)
                r = emit_val(&l, T_EOF, l.len, "", 0);
        if (r < 0) {
                tokens_free(l.toks, l.n);
                return r;
        }
        *ret = l.toks;
        *ret_n = l.n;
        return 0;
}

/* ================================================================ parse tree */

enum node_type {
        N_LIST, N_TEXT, N_ACTION, N_IF, N_RANGE, N_WITH, N_BREAK, N_CONTINUE, N_ELSE, N_END,
        N_PIPE, N_COMMAND, N_FIELD, N_VARIABLE, N_CHAIN, N_DOT, N_NIL, N_BOOL, N_NUMBER,
        N_STRING, N_IDENT,
};

struct node {
        enum node_type type;
        size_t pos;
        char *text;           /* TEXT, STRING (unquoted), NUMBER (as written), IDENT */
        char *quoted;         /* STRING as written */
        char **idents;        /* FIELD, VARIABLE ("$x", fields…), CHAIN (fields) */
        size_t n_idents;
        struct node **kids;   /* LIST items, PIPE commands, COMMAND args */
        size_t n_kids;
        struct node *pipe;    /* ACTION/IF/RANGE/WITH; CHAIN: the operand */
        struct node *list, *else_list;
        char **decl;          /* PIPE: declared variables */
        size_t n_decl;
        bool is_assign, bval;
        json_t *num;          /* NUMBER */
};

struct template {
        char *name, *root_type, *text;
        struct node *root;
        struct node **all; /* every node, for freeing */
        size_t n_all;
};

struct parser {
        struct template *t;
        const char *text;
        struct token *toks;
        size_t n, i;
        char **vars;
        size_t n_vars;
        int range_depth, depth;
        char *err; /* first error, formatted */
        bool oom;
};

static const struct func *func_lookup(const char *name);

static void node_free(struct node *n)
{
        free(n->text);
        free(n->quoted);
        for (size_t i = 0; i < n->n_idents; i++)
                free(n->idents[i]);
        free(n->idents);
        free(n->kids);
        for (size_t i = 0; i < n->n_decl; i++)
                free(n->decl[i]);
        free(n->decl);
        json_decref(n->num);
        free(n);
}

struct template *template_free(struct template *t)
{
        if (!t)
                return NULL;
        for (size_t i = 0; i < t->n_all; i++)
                node_free(t->all[i]);
        free(t->all);
        free(t->name);
        free(t->text);
        free(t->root_type);
        free(t);
        return NULL;
}

static size_t line_of(const char *text, size_t pos)
{
        size_t line = 1;
        for (size_t i = 0; i < pos && text[i]; i++)
                line += text[i] == '\n';
        return line;
}

/* Records the first parse error ("template: NAME:LINE: msg") at token index tok. */
_printf_(2, 3) static void perr(struct parser *p, const char *fmt, ...)
{
        if (p->err || p->oom)
                return;
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&msg, fmt, ap);
        va_end(ap);
        size_t ti = p->i > 0 ? p->i - 1 : 0;
        size_t pos = p->n ? p->toks[ti < p->n ? ti : p->n - 1].pos : 0;
        if (n < 0 || asprintf(&p->err, "template: %s:%zu: %s", p->t->name,
                              line_of(p->text, pos), msg) < 0) {
                p->err = NULL;
                p->oom = true;
        }
}

static bool failed(struct parser *p)
{
        return p->err || p->oom;
}

static struct node *new_node(struct parser *p, enum node_type type, size_t pos)
{
        struct node *n = calloc(1, sizeof(*n));
        struct node **all = n ? realloc(p->t->all, (p->t->n_all + 1) * sizeof(*all)) : NULL;
        if (!all) {
                free(n);
                p->oom = true;
                return NULL;
        }
        p->t->all = all;
        all[p->t->n_all++] = n;
        n->type = type;
        n->pos = pos;
        return n;
}

static bool add_kid(struct parser *p, struct node *parent, struct node *kid)
{
        if (!parent || !kid)
                return false;
        struct node **k = realloc(parent->kids, (parent->n_kids + 1) * sizeof(*k));
        if (!k) {
                p->oom = true;
                return false;
        }
        parent->kids = k;
        k[parent->n_kids++] = kid;
        return true;
}

static bool add_str(struct parser *p, char ***v, size_t *n, const char *s, size_t len)
{
        char **nv = realloc(*v, (*n + 1) * sizeof(char *));
        char *c = strndup(s, len);
        if (!nv || !c) {
                free(c);
                if (nv)
                        *v = nv;
                p->oom = true;
                return false;
        }
        *v = nv;
        nv[(*n)++] = c;
        return true;
}

static struct token *tok_next(struct parser *p)
{
        struct token *t = &p->toks[p->i < p->n ? p->i : p->n - 1];
        if (p->i < p->n)
                p->i++;
        return t;
}

static struct token *tok_peek(struct parser *p)
{
        return &p->toks[p->i < p->n ? p->i : p->n - 1];
}

static struct token *tok_next_nonspace(struct parser *p)
{
        struct token *t;
        do
                t = tok_next(p);
        while (t->type == T_SPACE);
        return t;
}

static struct token *tok_peek_nonspace(struct parser *p)
{
        size_t save = p->i;
        struct token *t = tok_next_nonspace(p);
        p->i = save;
        return t;
}

/* Go's item.String() for error texts. */
static void unexpected(struct parser *p, struct token *t, const char *context)
{
        if (t->type == T_ERROR) {
                perr(p, "%s", t->val);
                return;
        }
        if (t->type == T_EOF) {
                perr(p, "unexpected EOF in %s", context);
                return;
        }
        if (t->type > T_KEYWORD) {
                perr(p, "unexpected <%s> in %s", t->val, context);
                return;
        }
        _cleanup_free_ char *q = go_quote(t->val);
        if (q && strlen(t->val) > 10) {
                /* %.10q: the first ten characters, quoted, then "..." */
                _cleanup_free_ char *cut = strndup(t->val, 10);
                _cleanup_free_ char *q10 = cut ? go_quote(cut) : NULL;
                perr(p, "unexpected %s... in %s", strempty(q10), context);
                return;
        }
        perr(p, "unexpected %s in %s", strempty(q), context);
}

static struct node *parse_pipeline(struct parser *p, const char *context, enum tok end);
static struct node *parse_list_until(struct parser *p, struct node **ret_stop);

static bool var_known(struct parser *p, const char *name)
{
        for (size_t i = 0; i < p->n_vars; i++)
                if (strcmp(p->vars[i], name) == 0)
                        return true;
        return false;
}

static void vars_pop(struct parser *p, size_t mark)
{
        while (p->n_vars > mark)
                free(p->vars[--p->n_vars]);
}

/* Splits ".A.B" / "$x.A" into idents. */
static bool split_idents(struct parser *p, struct node *n, const char *s)
{
        const char *start = s;
        if (*s == '.')
                start = ++s;
        for (;; s++) {
                if (*s == '.' || *s == 0) {
                        if (!add_str(p, &n->idents, &n->n_idents, start, (size_t) (s - start)))
                                return false;
                        if (*s == 0)
                                return true;
                        start = s + 1;
                }
        }
}

static int unquote(const char *in, char **ret);
static json_t *parse_number(const char *s, enum tok type);

static struct node *parse_term(struct parser *p)
{
        struct token *t = tok_next_nonspace(p);
        struct node *n = NULL;
        switch (t->type) {
        case T_IDENT:
                if (!func_lookup(t->val)) {
                        perr(p, "function \"%s\" not defined", t->val);
                        return NULL;
                }
                n = new_node(p, N_IDENT, t->pos);
                if (n && !(n->text = strdup(t->val)))
                        p->oom = true;
                return n;
        case T_DOT:
                return new_node(p, N_DOT, t->pos);
        case T_NIL:
                return new_node(p, N_NIL, t->pos);
        case T_VARIABLE:
                if (!var_known(p, t->val)) {
                        perr(p, "undefined variable \"%s\"", t->val);
                        return NULL;
                }
                n = new_node(p, N_VARIABLE, t->pos);
                if (n)
                        add_str(p, &n->idents, &n->n_idents, t->val, strlen(t->val));
                return n;
        case T_FIELD:
                n = new_node(p, N_FIELD, t->pos);
                if (n)
                        split_idents(p, n, t->val);
                return n;
        case T_BOOL:
                n = new_node(p, N_BOOL, t->pos);
                if (n)
                        n->bval = strcmp(t->val, "true") == 0;
                return n;
        case T_CHARCONST:
        case T_NUMBER: {
                json_t *v = parse_number(t->val, t->type);
                if (!v) {
                        _cleanup_free_ char *q = go_quote(t->val);
                        perr(p, "illegal number syntax: %s", strempty(q));
                        return NULL;
                }
                n = new_node(p, N_NUMBER, t->pos);
                if (!n || !(n->text = strdup(t->val))) {
                        json_decref(v);
                        p->oom = true;
                        return NULL;
                }
                n->num = v;
                return n;
        }
        case T_LPAREN:
                if (++p->depth > DEPTH_MAX) {
                        perr(p, "max expression depth exceeded");
                        return NULL;
                }
                n = parse_pipeline(p, "parenthesized pipeline", T_RPAREN);
                p->depth--;
                return n;
        case T_STRING:
        case T_RAW: {
                char *s = NULL;
                if (unquote(t->val, &s) < 0) {
                        perr(p, "invalid syntax");
                        return NULL;
                }
                n = new_node(p, N_STRING, t->pos);
                if (!n || !(n->quoted = strdup(t->val))) {
                        free(s);
                        p->oom = true;
                        return NULL;
                }
                n->text = s;
                return n;
        }
        default:
                p->i = (size_t) (t - p->toks); /* un-read it; the spaces stay read */
                return NULL;
        }
}

static struct node *parse_operand(struct parser *p)
{
        struct node *n = parse_term(p);
        if (!n)
                return NULL;
        if (tok_peek(p)->type != T_FIELD)
                return n;
        size_t chain_pos = tok_peek(p)->pos;
        if (n->type == N_BOOL || n->type == N_STRING || n->type == N_NUMBER || n->type == N_NIL ||
            n->type == N_DOT) {
                const char *s = n->type == N_BOOL ? (n->bval ? "true" : "false") :
                                n->type == N_STRING ? n->quoted :
                                n->type == N_NUMBER ? n->text : n->type == N_NIL ? "nil" : ".";
                _cleanup_free_ char *q = go_quote(s);
                perr(p, "unexpected . after term %s", strempty(q));
                return NULL;
        }
        struct node *target = n;
        if (n->type != N_FIELD && n->type != N_VARIABLE) {
                target = new_node(p, N_CHAIN, chain_pos);
                if (!target)
                        return NULL;
                target->pipe = n;
        } else {
                n->pos = chain_pos;
        }
        while (tok_peek(p)->type == T_FIELD) {
                struct token *f = tok_next(p);
                if (!add_str(p, &target->idents, &target->n_idents, f->val + 1, strlen(f->val) - 1))
                        return NULL;
        }
        return target;
}

static struct node *parse_command(struct parser *p)
{
        struct node *cmd = new_node(p, N_COMMAND, tok_peek_nonspace(p)->pos);
        if (!cmd)
                return NULL;
        for (;;) {
                (void) tok_peek_nonspace(p);
                struct node *op = parse_operand(p);
                if (failed(p))
                        return NULL;
                if (op && !add_kid(p, cmd, op))
                        return NULL;
                struct token *t = tok_next(p);
                if (t->type == T_SPACE)
                        continue;
                if (t->type == T_RIGHT || t->type == T_RPAREN)
                        p->i--;
                else if (t->type != T_PIPE) {
                        unexpected(p, t, "operand");
                        return NULL;
                }
                break;
        }
        if (cmd->n_kids == 0) {
                perr(p, "empty command");
                return NULL;
        }
        return cmd;
}

static bool add_decl(struct parser *p, struct node *pipe, const char *name)
{
        return add_str(p, &pipe->decl, &pipe->n_decl, name, strlen(name)) &&
               add_str(p, &p->vars, &p->n_vars, name, strlen(name));
}

static struct node *parse_pipeline(struct parser *p, const char *context, enum tok end)
{
        struct node *pipe = new_node(p, N_PIPE, tok_peek_nonspace(p)->pos);
        if (!pipe)
                return NULL;
decls:
        if (tok_peek_nonspace(p)->type == T_VARIABLE) {
                size_t save = p->i;
                struct token *v = tok_next_nonspace(p);
                struct token *next = tok_peek_nonspace(p);
                if (next->type == T_ASSIGN || next->type == T_DECLARE) {
                        pipe->is_assign = next->type == T_ASSIGN;
                        tok_next_nonspace(p);
                        if (!add_decl(p, pipe, v->val))
                                return NULL;
                } else if (next->type == T_CHAR && strcmp(next->val, ",") == 0) {
                        tok_next_nonspace(p);
                        if (!add_decl(p, pipe, v->val))
                                return NULL;
                        if (strcmp(context, "range") == 0 && pipe->n_decl < 2) {
                                enum tok k = tok_peek_nonspace(p)->type;
                                if (k == T_VARIABLE || k == T_RIGHT || k == T_RPAREN)
                                        goto decls;
                                perr(p, "range can only initialize variables");
                                return NULL;
                        }
                        perr(p, "too many declarations in %s", context);
                        return NULL;
                } else {
                        p->i = save;
                }
        }
        for (;;) {
                struct token *t = tok_next_nonspace(p);
                if (t->type == end) {
                        if (pipe->n_kids == 0) {
                                perr(p, "missing value for %s", context);
                                return NULL;
                        }
                        for (size_t i = 1; i < pipe->n_kids; i++) {
                                enum node_type k = pipe->kids[i]->kids[0]->type;
                                if (k == N_BOOL || k == N_DOT || k == N_NIL || k == N_NUMBER ||
                                    k == N_STRING) {
                                        perr(p, "non executable command in pipeline stage %zu", i + 1);
                                        return NULL;
                                }
                        }
                        return pipe;
                }
                switch (t->type) {
                case T_BOOL: case T_CHARCONST: case T_DOT: case T_FIELD: case T_IDENT:
                case T_NUMBER: case T_NIL: case T_RAW: case T_STRING: case T_VARIABLE:
                case T_LPAREN:
                        p->i--;
                        if (!add_kid(p, pipe, parse_command(p)))
                                return NULL;
                        break;
                default:
                        unexpected(p, t, context);
                        return NULL;
                }
        }
}

static struct node *parse_control(struct parser *p, enum node_type type, const char *context)
{
        size_t mark = p->n_vars;
        struct node *n = NULL;
        if (++p->depth > DEPTH_MAX) {
                perr(p, "max nesting depth exceeded");
                goto out;
        }
        struct node *pipe = parse_pipeline(p, context, T_RIGHT);
        if (!pipe)
                goto out;
        n = new_node(p, type, pipe->pos);
        if (!n)
                goto out;
        n->pipe = pipe;
        struct node *stop = NULL;
        if (type == N_RANGE)
                p->range_depth++;
        n->list = parse_list_until(p, &stop);
        if (type == N_RANGE)
                p->range_depth--;
        if (!n->list) {
                n = NULL;
                goto out;
        }
        if (stop->type == N_ELSE) {
                if (type == N_IF && tok_peek_nonspace(p)->type == T_IF) {
                        tok_next_nonspace(p);
                        struct node *l = new_node(p, N_LIST, stop->pos);
                        if (!add_kid(p, l, parse_control(p, N_IF, "if"))) {
                                n = NULL;
                                goto out;
                        }
                        n->else_list = l;
                        goto out;
                }
                n->else_list = parse_list_until(p, &stop);
                if (!n->else_list) {
                        n = NULL;
                        goto out;
                }
                if (stop->type != N_END) {
                        perr(p, "expected end; found {{else}}");
                        n = NULL;
                }
        }
out:
        p->depth--;
        vars_pop(p, mark);
        return failed(p) ? NULL : n;
}

static struct node *expect_right(struct parser *p, enum node_type type, const char *context)
{
        struct token *t = tok_next_nonspace(p);
        if (t->type != T_RIGHT) {
                unexpected(p, t, context);
                return NULL;
        }
        return new_node(p, type, t->pos);
}

/* After "{{": a control keyword or a pipeline. */
static struct node *parse_action(struct parser *p)
{
        struct token *t = tok_next_nonspace(p);
        switch (t->type) {
        case T_IF:
                return parse_control(p, N_IF, "if");
        case T_RANGE:
                return parse_control(p, N_RANGE, "range");
        case T_WITH:
                return parse_control(p, N_WITH, "with");
        case T_ELSE:
                if (tok_peek_nonspace(p)->type == T_IF)
                        return new_node(p, N_ELSE, tok_peek_nonspace(p)->pos);
                return expect_right(p, N_ELSE, "else");
        case T_END:
                return expect_right(p, N_END, "end");
        case T_BREAK:
        case T_CONTINUE: {
                bool brk = t->type == T_BREAK;
                struct node *n = expect_right(p, brk ? N_BREAK : N_CONTINUE,
                                              brk ? "{{break}}" : "{{continue}}");
                if (n && p->range_depth == 0) {
                        perr(p, "{{%s}} outside {{range}}", brk ? "break" : "continue");
                        return NULL;
                }
                return n;
        }
        case T_DEFINE:
        case T_TEMPLATE:
        case T_BLOCK:
                perr(p, "{{%s}} is not supported", t->val);
                return NULL;
        default:
                break;
        }
        p->i = (size_t) (t - p->toks);
        struct node *pipe = parse_pipeline(p, "command", T_RIGHT);
        if (!pipe)
                return NULL;
        struct node *n = new_node(p, N_ACTION, pipe->pos);
        if (n)
                n->pipe = pipe;
        return n;
}

static struct node *parse_text_or_action(struct parser *p)
{
        struct token *t = tok_next_nonspace(p);
        if (t->type == T_TEXT) {
                struct node *n = new_node(p, N_TEXT, t->pos);
                if (n && !(n->text = strdup(t->val)))
                        p->oom = true;
                return n;
        }
        if (t->type == T_LEFT)
                return parse_action(p);
        unexpected(p, t, "input");
        return NULL;
}

/* Items until {{else}} / {{end}} (returned in *ret_stop); EOF is an error. */
static struct node *parse_list_until(struct parser *p, struct node **ret_stop)
{
        struct node *list = new_node(p, N_LIST, tok_peek_nonspace(p)->pos);
        if (!list)
                return NULL;
        while (tok_peek_nonspace(p)->type != T_EOF) {
                struct node *n = parse_text_or_action(p);
                if (!n)
                        return NULL;
                if (n->type == N_END || n->type == N_ELSE) {
                        *ret_stop = n;
                        return list;
                }
                if (!add_kid(p, list, n))
                        return NULL;
        }
        tok_next(p);
        perr(p, "unexpected EOF");
        return NULL;
}

struct template *template_parse(const char *name, const char *text, struct cu_error **err)
{
        _cleanup_template_ struct template *t = calloc(1, sizeof(*t));
        if (!t || !(t->name = strdup(name)) || !(t->text = strdup(text))) {
                cu_error_set(err, ENOMEM, "parsing template");
                return NULL;
        }
        struct parser p = { .t = t, .text = text };
        if (lex_all(text, &p.toks, &p.n) < 0) {
                cu_error_set(err, ENOMEM, "parsing template");
                return NULL;
        }
        add_str(&p, &p.vars, &p.n_vars, "$", 1);
        t->root = new_node(&p, N_LIST, 0);
        while (t->root && !failed(&p) && tok_peek(&p)->type != T_EOF) {
                struct node *n = parse_text_or_action(&p);
                if (!n)
                        break;
                if (n->type == N_END || n->type == N_ELSE) {
                        perr(&p, "unexpected {{%s}}", n->type == N_END ? "end" : "else");
                        break;
                }
                add_kid(&p, t->root, n);
        }
        vars_pop(&p, 0);
        free(p.vars);
        tokens_free(p.toks, p.n);
        if (p.oom || !t->root) {
                free(p.err);
                cu_error_set(err, ENOMEM, "parsing template");
                return NULL;
        }
        if (p.err) {
                cu_error_setx(err, EINVAL, "%s", p.err);
                free(p.err);
                return NULL;
        }
        return TAKE_PTR(t);
}

char *template_root_type(const struct template *t)
{
        return t->root_type ? strdup(t->root_type) : NULL;
}

int template_set_root_type(struct template *t, const char *type_name)
{
        char *s = type_name ? strdup(type_name) : NULL;
        if (type_name && !s)
                return -ENOMEM;
        free(t->root_type);
        t->root_type = s;
        return 0;
}

/* ---- literals ---- */

static void put_utf8(char **o, uint32_t cp)
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
static int unquote(const char *in, char **ret)
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
                                put_utf8(&o, v);
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

static uint32_t utf8_decode(const char *s, size_t *len)
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

static json_t *parse_number(const char *s, enum tok type)
{
        if (type == T_CHARCONST) {
                _cleanup_free_ char *u = NULL;
                size_t len;
                if (unquote(s, &u) < 0)
                        return NULL;
                return json_integer((json_int_t) utf8_decode(u, &len));
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

/* ================================================================ values */

/* Go's type name of a value, for error texts. */
static const char *type_name(json_t *v)
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
static const char **sorted_keys(json_t *o, size_t *ret_n)
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

static void print_value(FILE *f, json_t *v)
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
                        print_value(f, e);
                }
                fputc(']', f);
                return;
        }
        case JSON_OBJECT: {
                size_t n;
                _cleanup_free_ const char **keys = sorted_keys(v, &n);
                fputs("map[", f);
                for (size_t i = 0; keys && i < n; i++) {
                        if (i > 0)
                                fputc(' ', f);
                        fprintf(f, "%s:", keys[i]);
                        print_value(f, json_object_get(v, keys[i]));
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
        print_value(f, v);
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

static bool truth(json_t *v)
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
                uint32_t cp = utf8_decode(s + i, &len);
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

/* ================================================================ fmt.Sprintf */

struct fmtspec {
        bool plus, minus, sharp, space, zero;
        int width, prec; /* -1: none */
};

static size_t utf8_count(const char *s, size_t n)
{
        size_t c = 0;
        for (size_t i = 0; i < n; i++)
                c += ((unsigned char) s[i] & 0xc0) != 0x80;
        return c;
}

/* Pads s (n bytes) to the width as Go's fmt.pad does (zero padding only when asked). */
static void pad_out(FILE *f, const struct fmtspec *sp, const char *s, size_t n, bool zero_ok)
{
        size_t w = utf8_count(s, n);
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
                put_utf8(&o, r);
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

static void fmt_arg(FILE *f, const struct fmtspec *sp, json_t *v, char verb);

static void bad_verb(FILE *f, json_t *v, char verb)
{
        fprintf(f, "%%!%c(", verb);
        if (!v || json_is_null(v)) {
                fputs("<nil>", f);
        } else {
                fprintf(f, "%s=", type_name(v));
                print_value(f, v);
        }
        fputc(')', f);
}

static void fmt_arg(FILE *f, const struct fmtspec *sp, json_t *v, char verb)
{
        if (!v || json_is_null(v)) {
                if (verb == 'v' || verb == 'T')
                        pad_out(f, sp, verb == 'T' ? "<nil>" : "<nil>", 5, false);
                else
                        bad_verb(f, v, verb);
                return;
        }
        if (verb == 'T') {
                const char *t = type_name(v);
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
                                put_utf8(&p, r);
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
                                        utf8_decode(s + cut, &l);
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
                        fmt_arg(f, sp, e, verb);
                }
                fputc(']', f);
                return;
        }
        case JSON_OBJECT: {
                size_t n;
                _cleanup_free_ const char **keys = sorted_keys(v, &n);
                fputs("map[", f);
                for (size_t i = 0; keys && i < n; i++) {
                        if (i > 0)
                                fputc(' ', f);
                        _cleanup_(json_decrefp) json_t *k = json_string(keys[i]);
                        fmt_arg(f, sp, k, verb);
                        fputc(':', f);
                        fmt_arg(f, sp, json_object_get(v, keys[i]), verb);
                }
                fputc(']', f);
                return;
        }
        default:
                bad_verb(f, v, verb);
        }
}

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
                        utf8_decode(p - 1, &l);
                        fprintf(f, "%%!%.*s(", (int) l, p - 1);
                        p += l - 1;
                        if (argi < n) {
                                json_t *a = args[argi++];
                                fprintf(f, "%s=", type_name(a));
                                print_value(f, a);
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
                fmt_arg(f, &sp, args[argi++], verb);
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
                        fprintf(f, "%s=", type_name(args[i]));
                        print_value(f, args[i]);
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
                        print_value(f, args[i]);
        }
        if (ln)
                fputc('\n', f);
}

/* ================================================================ functions */

enum ptype { P_ANY, P_STRING, P_INT, P_STRV };

struct func {
        const char *name;
        int nin;          /* fixed parameters */
        bool variadic;    /* then any number of vin */
        enum ptype in[3], vin;
        int (*fn)(json_t **argv, size_t argc, json_t **ret, char **msg);
};

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
        *ret = json_boolean(!truth(a[0]));
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
                return fail(msg, "len of type %s", type_name(v));
        return *ret ? 0 : -ENOMEM;
}

static int index_arg(json_t *i, size_t cap, long long *ret, char **msg)
{
        if (!i || json_is_null(i))
                return fail(msg, "cannot index slice/array with nil");
        if (!json_is_integer(i))
                return fail(msg, "cannot index slice/array with type %s", type_name(i));
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
                                            type_name(a[k]));
                        item = json_incref(json_object_get(cur, json_string_value(a[k])));
                        if (!item)
                                item = strcmp(type_name(cur), "map[string]string") == 0 ?
                                       json_string("") : json_null();
                } else {
                        return fail(msg, "can't index item of type %s", type_name(cur));
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
                return fail(msg, "can't slice item of type %s", type_name(item));
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
        return fail(msg, "non-comparable type %s: %s", strempty(s), type_name(y));
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
                print_value(f, a[i]);
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
                        utf8_decode(s + i, &l);
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

static int fn_and_or(json_t **a, size_t n, json_t **ret, char **msg)
{
        return -EINVAL; /* evaluated lazily by the caller */
}

static const struct func funcs[] = {
        { "and", 1, true, { P_ANY }, P_ANY, fn_and_or },
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
        { "or", 1, true, { P_ANY }, P_ANY, fn_and_or },
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

static const struct func *func_lookup(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(funcs); i++)
                if (strcmp(funcs[i].name, name) == 0)
                        return &funcs[i];
        return NULL;
}

/* ================================================================ execution */

struct var {
        const char *name;
        json_t *v;
};

struct state {
        struct template *t;
        const char *text; /* for error positions */
        FILE *out;
        size_t outlen;
        json_t *root;
        json_t **rows; /* sorted elements of a top-level array (root_type checks) */
        size_t n_rows;
        struct var *vars;
        size_t n_vars, cap_vars;
        struct node *at;
        char *err;
        bool oom;
};

enum { WALK_OK = 0, WALK_BREAK = 1, WALK_CONTINUE = 2 };

static void node_string(FILE *f, struct node *n)
{
        switch (n->type) {
        case N_PIPE:
                for (size_t i = 0; i < n->n_decl; i++)
                        fprintf(f, "%s%s", i ? ", " : "", n->decl[i]);
                if (n->n_decl)
                        fputs(n->is_assign ? " = " : " := ", f);
                for (size_t i = 0; i < n->n_kids; i++) {
                        if (i)
                                fputs(" | ", f);
                        node_string(f, n->kids[i]);
                }
                return;
        case N_COMMAND:
                for (size_t i = 0; i < n->n_kids; i++) {
                        if (i)
                                fputc(' ', f);
                        bool paren = n->kids[i]->type == N_PIPE;
                        if (paren)
                                fputc('(', f);
                        node_string(f, n->kids[i]);
                        if (paren)
                                fputc(')', f);
                }
                return;
        case N_FIELD:
                for (size_t i = 0; i < n->n_idents; i++)
                        fprintf(f, ".%s", n->idents[i]);
                return;
        case N_VARIABLE:
                for (size_t i = 0; i < n->n_idents; i++)
                        fprintf(f, "%s%s", i ? "." : "", n->idents[i]);
                return;
        case N_CHAIN:
                if (n->pipe->type == N_PIPE)
                        fputc('(', f);
                node_string(f, n->pipe);
                if (n->pipe->type == N_PIPE)
                        fputc(')', f);
                for (size_t i = 0; i < n->n_idents; i++)
                        fprintf(f, ".%s", n->idents[i]);
                return;
        case N_ACTION:
                fputs("{{", f);
                node_string(f, n->pipe);
                fputs("}}", f);
                return;
        case N_DOT: fputs(".", f); return;
        case N_NIL: fputs("nil", f); return;
        case N_BOOL: fputs(n->bval ? "true" : "false", f); return;
        case N_NUMBER:
        case N_IDENT: fputs(n->text, f); return;
        case N_STRING: fputs(n->quoted, f); return;
        case N_IF: fputs("{{if ", f); node_string(f, n->pipe); fputs("}}", f); return;
        case N_RANGE: fputs("{{range ", f); node_string(f, n->pipe); fputs("}}", f); return;
        case N_WITH: fputs("{{with ", f); node_string(f, n->pipe); fputs("}}", f); return;
        default: return;
        }
}

static char *node_str(struct node *n)
{
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        if (!f)
                return NULL;
        node_string(f, n);
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

/* "template: NAME:LINE:COL: executing "NAME" at <CTX>: msg" */
_printf_(2, 3) static int xerr(struct state *st, const char *fmt, ...)
{
        if (st->err || st->oom)
                return -EINVAL;
        _cleanup_free_ char *msg = NULL, *ctx = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0) {
                st->oom = true;
                return -ENOMEM;
        }
        if (!st->at) {
                r = asprintf(&st->err, "template: %s: %s", st->t->name, msg);
        } else {
                size_t pos = st->at->pos, line = 1, ls = 0;
                for (size_t i = 0; i < pos; i++)
                        if (st->text[i] == '\n') {
                                line++;
                                ls = i + 1;
                        }
                ctx = node_str(st->at);
                if (ctx && utf8_count(ctx, strlen(ctx)) > 20) {
                        size_t cut = 0;
                        for (int k = 0; k < 20; k++) {
                                size_t l;
                                utf8_decode(ctx + cut, &l);
                                cut += l;
                        }
                        char *c = NULL;
                        if (asprintf(&c, "%.*s...", (int) cut, ctx) < 0)
                                c = NULL;
                        free(ctx);
                        ctx = c;
                }
                r = asprintf(&st->err, "template: %s:%zu:%zu: executing \"%s\" at <%s>: %s",
                             st->t->name, line, pos - ls, st->t->name, strempty(ctx), msg);
        }
        if (r < 0) {
                st->err = NULL;
                st->oom = true;
                return -ENOMEM;
        }
        return -EINVAL;
}

static int out_write(struct state *st, const char *s, size_t n)
{
        if (st->outlen + n > OUTPUT_MAX)
                return xerr(st, "output exceeds %u bytes", OUTPUT_MAX);
        st->outlen += n;
        fwrite(s, 1, n, st->out);
        return 0;
}

static int var_push(struct state *st, const char *name, json_t *v)
{
        if (st->n_vars == st->cap_vars) {
                size_t cap = st->cap_vars ? st->cap_vars * 2 : 16;
                struct var *nv = realloc(st->vars, cap * sizeof(*nv));
                if (!nv) {
                        st->oom = true;
                        return -ENOMEM;
                }
                st->vars = nv;
                st->cap_vars = cap;
        }
        st->vars[st->n_vars++] = (struct var) { name, json_incref(v) };
        return 0;
}

static void var_pop(struct state *st, size_t mark)
{
        while (st->n_vars > mark)
                json_decref(st->vars[--st->n_vars].v);
}

static void var_set(struct state *st, const char *name, json_t *v)
{
        for (size_t i = st->n_vars; i > 0; i--)
                if (strcmp(st->vars[i - 1].name, name) == 0) {
                        json_decref(st->vars[i - 1].v);
                        st->vars[i - 1].v = json_incref(v);
                        return;
                }
}

static void var_set_top(struct state *st, size_t n, json_t *v)
{
        json_decref(st->vars[st->n_vars - n].v);
        st->vars[st->n_vars - n].v = json_incref(v);
}

static int eval_pipeline(struct state *st, json_t *dot, struct node *pipe, json_t **ret);
static int eval_function(struct state *st, json_t *dot, struct node *ident, struct node *cmd,
                         struct node **args, size_t nargs, json_t *final, bool has_final,
                         json_t **ret);

/* One field of receiver (Go's evalField); has_args: arguments were given. */
static int cmp_ptr(const void *a, const void *b)
{
        uintptr_t x = (uintptr_t) *(json_t *const *) a, y = (uintptr_t) *(json_t *const *) b;
        return x < y ? -1 : x > y;
}

/* Is recv one of the items (the data, or an element of the data array)? */
static bool is_row(struct state *st, json_t *recv)
{
        if (recv == st->root)
                return true;
        return st->rows && bsearch(&recv, st->rows, st->n_rows, sizeof(json_t *), cmp_ptr);
}

static int eval_field(struct state *st, const char *name, json_t *recv, bool has_args,
                      json_t **ret)
{
        *ret = NULL;
        if (!recv)
                return 0;
        if (json_is_null(recv))
                return xerr(st, "nil pointer evaluating interface {}.%s", name);
        if (json_is_object(recv)) {
                json_t *v = json_object_get(recv, name);
                if (st->t->root_type && is_row(st, recv)) {
                        if (!v)
                                return xerr(st, "can't evaluate field %s in type %s", name,
                                            st->t->root_type);
                        if (has_args)
                                return xerr(st, "%s has arguments but cannot be invoked as function",
                                            name);
                } else if (has_args) {
                        return xerr(st, "%s is not a method but has arguments", name);
                }
                *ret = json_incref(v);
                return 0;
        }
        return xerr(st, "can't evaluate field %s in type %s", name, type_name(recv));
}

static int eval_field_chain(struct state *st, json_t *recv, char **idents, size_t n,
                            bool has_args, json_t **ret)
{
        _cleanup_(json_decrefp) json_t *cur = json_incref(recv);
        for (size_t i = 0; i < n; i++) {
                json_t *next = NULL;
                if (eval_field(st, idents[i], cur, i == n - 1 && has_args, &next) < 0)
                        return -EINVAL;
                json_decref(cur);
                cur = next;
        }
        *ret = TAKE_PTR(cur);
        return 0;
}

static json_t *var_value(struct state *st, const char *name)
{
        for (size_t i = st->n_vars; i > 0; i--)
                if (strcmp(st->vars[i - 1].name, name) == 0)
                        return st->vars[i - 1].v;
        return NULL;
}

static int not_a_function(struct state *st, struct node **args, size_t nargs, bool has_final)
{
        if (nargs > 1 || has_final) {
                _cleanup_free_ char *s = node_str(args[0]);
                return xerr(st, "can't give argument to non-function %s", strempty(s));
        }
        return 0;
}

/* Evaluates an operand as a value of any type (Go's evalArg with interface{}). */
static int eval_arg_value(struct state *st, json_t *dot, struct node *n, json_t **ret)
{
        st->at = n;
        switch (n->type) {
        case N_DOT: *ret = json_incref(dot); return 0;
        case N_NIL: *ret = json_null(); return 0;
        case N_BOOL: *ret = json_boolean(n->bval); return 0;
        case N_NUMBER: *ret = json_incref(n->num); return 0;
        case N_STRING: *ret = json_string_nocheck(n->text); return *ret ? 0 : -ENOMEM;
        case N_FIELD: return eval_field_chain(st, dot, n->idents, n->n_idents, false, ret);
        case N_VARIABLE:
                return eval_field_chain(st, var_value(st, n->idents[0]), n->idents + 1,
                                        n->n_idents - 1, false, ret);
        case N_PIPE: return eval_pipeline(st, dot, n, ret);
        case N_IDENT: return eval_function(st, dot, n, n, NULL, 0, NULL, false, ret);
        case N_CHAIN: {
                if (n->pipe->type == N_NIL) {
                        _cleanup_free_ char *s = node_str(n);
                        return xerr(st, "indirection through explicit nil in %s", strempty(s));
                }
                _cleanup_(json_decrefp) json_t *base = NULL;
                if (eval_arg_value(st, dot, n->pipe, &base) < 0)
                        return -EINVAL;
                st->at = n;
                return eval_field_chain(st, base, n->idents, n->n_idents, false, ret);
        }
        default:
                return xerr(st, "can't handle node");
        }
}

static const char *ptype_name(enum ptype p)
{
        return p == P_STRING ? "string" : p == P_INT ? "int" : p == P_STRV ? "[]string" : "interface {}";
}

/* Go's validateType for a computed value. */
static int validate(struct state *st, json_t **v, enum ptype p)
{
        if (p == P_ANY)
                return 0;
        if (!*v || json_is_null(*v)) {
                if (p == P_STRV) {
                        json_decref(*v);
                        *v = json_array();
                        return 0;
                }
                return xerr(st, "invalid value; expected %s", ptype_name(p));
        }
        bool ok = p == P_STRING ? json_is_string(*v) : p == P_INT ? json_is_integer(*v) :
                  strcmp(type_name(*v), "[]string") == 0;
        if (!ok)
                return xerr(st, "wrong type for value; expected %s; got %s", ptype_name(p),
                            type_name(*v));
        return 0;
}

/* Go's evalArg: literals must match the parameter type; computed values are validated. */
static int eval_arg(struct state *st, json_t *dot, struct node *n, enum ptype p, json_t **ret)
{
        *ret = NULL;
        st->at = n;
        switch (n->type) {
        case N_DOT: case N_FIELD: case N_VARIABLE: case N_PIPE: case N_IDENT: case N_CHAIN:
                if (eval_arg_value(st, dot, n, ret) < 0)
                        return -EINVAL;
                return validate(st, ret, p);
        case N_NIL:
                if (p == P_ANY || p == P_STRV)
                        return eval_arg_value(st, dot, n, ret);
                return xerr(st, "cannot assign nil to %s", ptype_name(p));
        default:
                break;
        }
        _cleanup_free_ char *s = node_str(n);
        switch (p) {
        case P_ANY:
                return eval_arg_value(st, dot, n, ret);
        case P_STRING:
                if (n->type == N_STRING)
                        return eval_arg_value(st, dot, n, ret);
                return xerr(st, "expected string; found %s", strempty(s));
        case P_INT:
                if (n->type == N_NUMBER && json_is_integer(n->num))
                        return eval_arg_value(st, dot, n, ret);
                return xerr(st, "expected integer; found %s", strempty(s));
        case P_STRV:
                return xerr(st, "can't handle %s for arg of type []string", strempty(s));
        }
        return -EINVAL;
}

static int eval_function(struct state *st, json_t *dot, struct node *ident, struct node *cmd,
                         struct node **args, size_t nargs, json_t *final, bool has_final,
                         json_t **ret)
{
        st->at = ident;
        const struct func *fn = func_lookup(ident->text);
        if (!fn)
                return xerr(st, "\"%s\" is not a defined function", ident->text);
        size_t num_in = nargs + (has_final ? 1 : 0);
        if (fn->variadic && num_in < (size_t) fn->nin)
                return xerr(st, "wrong number of args for %s: want at least %d got %zu", fn->name,
                            fn->nin, nargs);
        if (!fn->variadic && num_in != (size_t) fn->nin)
                return xerr(st, "wrong number of args for %s: want %d got %zu", fn->name, fn->nin,
                            num_in);

        if (fn->fn == fn_and_or) {
                bool is_or = strcmp(fn->name, "or") == 0;
                json_t *v = NULL;
                for (size_t i = 0; i < nargs; i++) {
                        json_decref(v);
                        if (eval_arg(st, dot, args[i], P_ANY, &v) < 0)
                                return -EINVAL;
                        if (truth(v) == is_or) {
                                *ret = v;
                                return 0;
                        }
                }
                if (has_final) {
                        json_decref(v);
                        v = json_incref(final);
                }
                *ret = v;
                return 0;
        }

        json_t **argv = calloc(num_in + 1, sizeof(json_t *));
        if (!argv) {
                st->oom = true;
                return -ENOMEM;
        }
        int r = 0;
        for (size_t i = 0; i < nargs && r >= 0; i++) {
                enum ptype p = i < (size_t) fn->nin ? fn->in[i] : fn->vin;
                r = eval_arg(st, dot, args[i], p, &argv[i]);
        }
        if (r >= 0 && has_final) {
                enum ptype p = fn->variadic ? fn->vin : fn->in[fn->nin - 1];
                if (fn->variadic && nargs < (size_t) fn->nin)
                        p = fn->in[nargs];
                argv[nargs] = json_incref(final);
                r = validate(st, &argv[nargs], p);
        }
        if (r >= 0) {
                _cleanup_free_ char *msg = NULL;
                r = fn->fn(argv, num_in, ret, &msg);
                if (r == -ENOMEM) {
                        st->oom = true;
                } else if (r < 0) {
                        st->at = cmd;
                        r = xerr(st, "error calling %s: %s", fn->name, strempty(msg));
                }
        }
        for (size_t i = 0; i < num_in; i++)
                json_decref(argv[i]);
        free(argv);
        return r;
}

static int eval_command(struct state *st, json_t *dot, struct node *cmd, json_t *final,
                        bool has_final, json_t **ret)
{
        struct node *first = cmd->kids[0];
        struct node **args = cmd->kids;
        size_t nargs = cmd->n_kids;
        bool has_args = nargs > 1 || has_final;
        *ret = NULL;
        switch (first->type) {
        case N_FIELD:
                st->at = first;
                return eval_field_chain(st, dot, first->idents, first->n_idents, has_args, ret);
        case N_CHAIN: {
                st->at = first;
                if (first->pipe->type == N_NIL) {
                        _cleanup_free_ char *s = node_str(first);
                        return xerr(st, "indirection through explicit nil in %s", strempty(s));
                }
                _cleanup_(json_decrefp) json_t *base = NULL;
                if (eval_arg_value(st, dot, first->pipe, &base) < 0)
                        return -EINVAL;
                st->at = first;
                return eval_field_chain(st, base, first->idents, first->n_idents, has_args, ret);
        }
        case N_IDENT:
                return eval_function(st, dot, first, cmd, args + 1, nargs - 1, final, has_final, ret);
        case N_PIPE:
                if (not_a_function(st, args, nargs, has_final) < 0)
                        return -EINVAL;
                return eval_pipeline(st, dot, first, ret);
        case N_VARIABLE: {
                st->at = first;
                json_t *v = var_value(st, first->idents[0]);
                if (first->n_idents == 1) {
                        if (not_a_function(st, args, nargs, has_final) < 0)
                                return -EINVAL;
                        *ret = json_incref(v);
                        return 0;
                }
                return eval_field_chain(st, v, first->idents + 1, first->n_idents - 1, has_args, ret);
        }
        default:
                break;
        }
        st->at = first;
        if (not_a_function(st, args, nargs, has_final) < 0)
                return -EINVAL;
        if (first->type == N_NIL)
                return xerr(st, "nil is not a command");
        return eval_arg_value(st, dot, first, ret);
}

static int eval_pipeline(struct state *st, json_t *dot, struct node *pipe, json_t **ret)
{
        st->at = pipe;
        json_t *v = NULL;
        for (size_t i = 0; i < pipe->n_kids; i++) {
                json_t *next = NULL;
                int r = eval_command(st, dot, pipe->kids[i], v, i > 0, &next);
                json_decref(v);
                if (r < 0)
                        return r;
                v = next;
        }
        for (size_t i = 0; i < pipe->n_decl; i++) {
                if (pipe->is_assign)
                        var_set(st, pipe->decl[i], v);
                else if (var_push(st, pipe->decl[i], v) < 0) {
                        json_decref(v);
                        return -ENOMEM;
                }
        }
        *ret = v;
        return 0;
}

static int walk(struct state *st, json_t *dot, struct node *n);

static int walk_list(struct state *st, json_t *dot, struct node *list)
{
        for (size_t i = 0; list && i < list->n_kids; i++) {
                int r = walk(st, dot, list->kids[i]);
                if (r != WALK_OK)
                        return r;
        }
        return WALK_OK;
}

static int walk_range(struct state *st, json_t *dot, struct node *n)
{
        st->at = n;
        size_t outer = st->n_vars;
        _cleanup_(json_decrefp) json_t *val = NULL;
        _cleanup_free_ const char **keys = NULL;
        int r = eval_pipeline(st, dot, n->pipe, &val);
        if (r < 0)
                goto out;
        size_t mark = st->n_vars;
        size_t count = 0;
        bool is_obj = val && json_is_object(val);
        if (val && json_is_array(val)) {
                count = json_array_size(val);
        } else if (is_obj) {
                keys = sorted_keys(val, &count);
                if (!keys) {
                        st->oom = true;
                        r = -ENOMEM;
                        goto out;
                }
        } else if (val && !json_is_null(val)) {
                _cleanup_free_ char *s = template_format_value(val);
                r = xerr(st, "range can't iterate over %s", strempty(s));
                goto out;
        }
        for (size_t i = 0; i < count; i++) {
                json_t *elem = is_obj ? json_object_get(val, keys[i]) : json_array_get(val, i);
                _cleanup_(json_decrefp) json_t *index = is_obj ? json_string(keys[i]) :
                                                        json_integer((json_int_t) i);
                struct node *p = n->pipe;
                if (p->n_decl > 0) {
                        if (p->is_assign)
                                var_set(st, p->decl[0], p->n_decl > 1 ? index : elem);
                        else
                                var_set_top(st, 1, elem);
                }
                if (p->n_decl > 1) {
                        if (p->is_assign)
                                var_set(st, p->decl[1], elem);
                        else
                                var_set_top(st, 2, index);
                }
                r = walk_list(st, elem, n->list);
                var_pop(st, mark);
                if (r < 0)
                        goto out;
                if (r == WALK_BREAK)
                        break;
        }
        r = WALK_OK;
        if (count == 0 && n->else_list)
                r = walk_list(st, dot, n->else_list);
out:
        var_pop(st, outer);
        return r;
}

static int walk(struct state *st, json_t *dot, struct node *n)
{
        int r;
        switch (n->type) {
        case N_TEXT:
                return out_write(st, n->text, strlen(n->text));
        case N_ACTION: {
                _cleanup_(json_decrefp) json_t *v = NULL;
                r = eval_pipeline(st, dot, n->pipe, &v);
                if (r < 0 || n->pipe->n_decl > 0)
                        return r;
                st->at = n;
                if (v && json_is_string(v))
                        return out_write(st, json_string_value(v), json_string_length(v));
                _cleanup_free_ char *s = template_format_value(v);
                if (!s) {
                        st->oom = true;
                        return -ENOMEM;
                }
                return out_write(st, s, strlen(s));
        }
        case N_IF:
        case N_WITH: {
                size_t mark = st->n_vars;
                _cleanup_(json_decrefp) json_t *v = NULL;
                r = eval_pipeline(st, dot, n->pipe, &v);
                if (r >= 0) {
                        if (truth(v))
                                r = walk_list(st, n->type == N_WITH ? v : dot, n->list);
                        else if (n->else_list)
                                r = walk_list(st, dot, n->else_list);
                }
                var_pop(st, mark);
                return r;
        }
        case N_RANGE:
                return walk_range(st, dot, n);
        case N_BREAK:
                return WALK_BREAK;
        case N_CONTINUE:
                return WALK_CONTINUE;
        case N_LIST:
                return walk_list(st, dot, n);
        default:
                return WALK_OK;
        }
}

int template_execute(struct template *t, json_t *data, char **ret, size_t *ret_len,
                     struct cu_error **err)
{
        char *out = NULL;
        size_t len = 0;
        struct state st = { .t = t, .root = data };
        st.out = open_memstream(&out, &len);
        if (!st.out)
                return cu_error_set(err, errno, "executing template");
        st.text = t->text;
        int r = 0;
        if (t->root_type && json_is_array(data) && json_array_size(data) > 0) {
                st.n_rows = json_array_size(data);
                st.rows = calloc(st.n_rows, sizeof(json_t *));
                if (!st.rows)
                        r = -ENOMEM;
                for (size_t i = 0; st.rows && i < st.n_rows; i++)
                        st.rows[i] = json_array_get(data, i);
                if (st.rows)
                        qsort(st.rows, st.n_rows, sizeof(json_t *), cmp_ptr);
        }
        if (r >= 0)
                r = var_push(&st, "$", data);
        if (r >= 0)
                r = walk_list(&st, data, t->root);
        var_pop(&st, 0);
        free(st.vars);
        free(st.rows);
        if (fclose(st.out) != 0 && r >= 0)
                r = -ENOMEM;
        if (st.oom || r == -ENOMEM) {
                free(out);
                free(st.err);
                return cu_error_set(err, ENOMEM, "executing template");
        }
        if (r < 0) {
                free(out);
                r = cu_error_setx(err, EINVAL, "%s", strempty(st.err));
                free(st.err);
                return r;
        }
        *ret = out;
        if (ret_len)
                *ret_len = len;
        return 0;
}

int template_execute_file(struct template *t, json_t *data, FILE *f, struct cu_error **err)
{
        _cleanup_free_ char *out = NULL;
        size_t len;
        int r = template_execute(t, data, &out, &len, err);
        if (r < 0)
                return r;
        if (fwrite(out, 1, len, f) != len)
                return cu_error_set(err, errno ? errno : EIO, "writing output");
        return 0;
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
