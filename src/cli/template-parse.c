/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The template parser: tokens → parse tree, as Go's text/template/parse (same error texts). */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/opts.h"
#include "cli/template-internal.h"
#include "util/cleanup.h"

#define DEPTH_MAX 200 /* nesting of parenthesised pipelines / controls */

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

static struct node *parse_term(struct parser *p)
{
        struct token *t = tok_next_nonspace(p);
        struct node *n = NULL;
        switch (t->type) {
        case T_IDENT:
                if (!tmpl_func_lookup(t->val)) {
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
                json_t *v = tmpl_parse_number(t->val, t->type);
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
                if (tmpl_unquote(t->val, &s) < 0) {
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
        if (tmpl_lex(text, &p.toks, &p.n) < 0) {
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
        tmpl_tokens_free(p.toks, p.n);
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
