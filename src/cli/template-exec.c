/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Template execution: walks a parse tree over jansson values (Go's text/template exec). */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/template-internal.h"
#include "util/cleanup.h"

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
                if (ctx && tmpl_utf8_count(ctx, strlen(ctx)) > 20) {
                        size_t cut = 0;
                        for (int k = 0; k < 20; k++) {
                                size_t l;
                                tmpl_utf8_decode(ctx + cut, &l);
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
        return xerr(st, "can't evaluate field %s in type %s", name, tmpl_type_name(recv));
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
                  strcmp(tmpl_type_name(*v), "[]string") == 0;
        if (!ok)
                return xerr(st, "wrong type for value; expected %s; got %s", ptype_name(p),
                            tmpl_type_name(*v));
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
        const struct func *fn = tmpl_func_lookup(ident->text);
        if (!fn)
                return xerr(st, "\"%s\" is not a defined function", ident->text);
        size_t num_in = nargs + (has_final ? 1 : 0);
        if (fn->variadic && num_in < (size_t) fn->nin)
                return xerr(st, "wrong number of args for %s: want at least %d got %zu", fn->name,
                            fn->nin, nargs);
        if (!fn->variadic && num_in != (size_t) fn->nin)
                return xerr(st, "wrong number of args for %s: want %d got %zu", fn->name, fn->nin,
                            num_in);

        if (fn->fn == tmpl_fn_and_or) {
                bool is_or = strcmp(fn->name, "or") == 0;
                json_t *v = NULL;
                for (size_t i = 0; i < nargs; i++) {
                        json_decref(v);
                        if (eval_arg(st, dot, args[i], P_ANY, &v) < 0)
                                return -EINVAL;
                        if (tmpl_truth(v) == is_or) {
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
                keys = tmpl_sorted_keys(val, &count);
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
                        if (tmpl_truth(v))
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
