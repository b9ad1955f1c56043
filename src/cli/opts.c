/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Option parsing and help text as podman's cobra/pflag (see opts.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/opts-internal.h"
#include "cli/opts.h"
#include "util/cleanup.h"
#include "util/strv.h"

/* ---- values ---- */

struct opt *opts_find(struct opt *opts, const char *name)
{
        for (struct opt *o = opts; o && o->name; o++)
                if (strcmp(o->name, name) == 0)
                        return o;
        return NULL;
}

bool opts_changed(struct opt *opts, const char *name)
{
        struct opt *o = opts_find(opts, name);
        return o && o->changed;
}

static struct opt *find_short(struct opt *opts, char c)
{
        for (struct opt *o = opts; o && o->name; o++)
                if (o->shorthand == c)
                        return o;
        return NULL;
}

/* pflag's stringSlice reads one CSV record. */
static int csv_split(const char *s, char ***ret, char **ret_msg)
{
        _cleanup_strv_ char **l = calloc(1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        if (!*s) {
                *ret = TAKE_PTR(l);
                return 0;
        }
        const char *p = s;
        for (;;) {
                _cleanup_free_ char *field = NULL;
                size_t flen = 0;
                FILE *f = open_memstream(&field, &flen);
                if (!f)
                        return -ENOMEM;
                if (*p == '"') {
                        p++;
                        for (;;) {
                                if (!*p) {
                                        fclose(f);
                                        opts_set_msg(ret_msg, "parse error on line 1, column %zu: "
                                                "extraneous or missing \" in quoted-field",
                                                (size_t) (p - s) + 1);
                                        return -EINVAL;
                                }
                                if (*p == '"' && p[1] == '"') {
                                        fputc('"', f);
                                        p += 2;
                                } else if (*p == '"') {
                                        p++;
                                        break;
                                } else {
                                        fputc(*p++, f);
                                }
                        }
                        if (*p && *p != ',') {
                                fclose(f);
                                opts_set_msg(ret_msg, "parse error on line 1, column %zu: "
                                        "extraneous or missing \" in quoted-field",
                                        (size_t) (p - s) + 1);
                                return -EINVAL;
                        }
                } else {
                        for (; *p && *p != ','; p++) {
                                if (*p == '"') {
                                        fclose(f);
                                        opts_set_msg(ret_msg, "parse error on line 1, column %zu: "
                                                "bare \" in non-quoted-field",
                                                (size_t) (p - s) + 1);
                                        return -EINVAL;
                                }
                                fputc(*p, f);
                        }
                }
                if (fclose(f) != 0)
                        return -ENOMEM;
                if (strv_push(&l, TAKE_PTR(field)) < 0)
                        return -ENOMEM;
                if (*p != ',')
                        break;
                p++;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static int strv_append_all(char ***dst, char **src)
{
        for (char **i = src; i && *i; i++)
                if (strv_extend(dst, *i) < 0)
                        return -ENOMEM;
        return 0;
}

/* Stores value; on a bad value *ret_msg gets the cause (strconv's text). */
static int opt_set(struct opt *o, const char *value, char **ret_msg)
{
        int r;
        switch (o->type) {
        case OPT_BOOL:
                return go_parse_bool(value, (bool *) o->value, ret_msg);
        case OPT_STRING:
                *(const char **) o->value = value;
                return 0;
        case OPT_STRING_ARRAY:
        case OPT_STRING_SLICE: {
                char ***l = o->value;
                _cleanup_strv_ char **add = NULL;
                if (o->type == OPT_STRING_SLICE) {
                        r = csv_split(value, &add, ret_msg);
                        if (r < 0)
                                return r;
                } else if (strv_extend(&add, value) < 0) {
                        return -ENOMEM;
                }
                if (!o->changed) {
                        /* The first use replaces the default, as pflag's Set. */
                        *l = strv_free(*l);
                        *l = calloc(1, sizeof(char *));
                        if (!*l)
                                return -ENOMEM;
                }
                return strv_append_all(l, add);
        }
        case OPT_INT: {
                int64_t v;
                r = go_parse_int(value, &v, ret_msg);
                if (r == 0 && (v < INT_MIN || v > INT_MAX))
                        r = go_strconv_error(ret_msg, "ParseInt", value, -ERANGE);
                if (r == 0)
                        *(int *) o->value = (int) v;
                return r;
        }
        case OPT_INT64:
                return go_parse_int(value, (int64_t *) o->value, ret_msg);
        case OPT_UINT: {
                uint64_t v;
                r = go_parse_uint(value, &v, ret_msg);
                if (r == 0 && v > UINT_MAX)
                        r = go_strconv_error(ret_msg, "ParseUint", value, -ERANGE);
                if (r == 0)
                        *(unsigned *) o->value = (unsigned) v;
                return r;
        }
        case OPT_UINT64:
                return go_parse_uint(value, (uint64_t *) o->value, ret_msg);
        case OPT_FLOAT:
                return go_parse_float(value, (double *) o->value, ret_msg);
        }
        return -EINVAL;
}

struct parser {
        struct opts_cmd *cmd;
        struct opts_args *out;
};

static int push_arg(struct opts_args *a, char *s)
{
        char **n = realloc(a->args, (a->n + 2) * sizeof(char *));
        if (!n)
                return -ENOMEM;
        a->args = n;
        a->args[a->n++] = s;
        a->args[a->n] = NULL;
        return 0;
}

/* Sets an option (resolving aliases) and marks it changed: pflag's fn(flag, value). */
static int apply(struct parser *p, struct opt *o, const char *value, struct cu_error **err)
{
        struct opt *target = o->alias_of ? opts_find(p->cmd->opts, o->alias_of) : o;
        if (!target)
                return cu_error_setx(err, EINVAL, "option --%s: alias of unknown option --%s",
                                     o->name, o->alias_of);
        _cleanup_free_ char *msg = NULL;
        int r = opt_set(target, value, &msg);
        if (r == -ENOMEM)
                return cu_error_set(err, ENOMEM, "parsing options");
        if (r < 0) {
                _cleanup_free_ char *qv = go_quote(value);
                _cleanup_free_ char *fname = NULL, *qn = NULL;
                if (target->shorthand) {
                        if (asprintf(&fname, "-%c, --%s", target->shorthand, target->name) < 0)
                                fname = NULL;
                } else if (asprintf(&fname, "--%s", target->name) < 0) {
                        fname = NULL;
                }
                qn = fname ? go_quote(fname) : NULL;
                return cu_error_setx(err, EINVAL, "invalid argument %s for %s flag: %s",
                                     strempty(qv), strempty(qn), strempty(msg));
        }
        target->changed = true;
        o->changed = true;
        if (o->deprecated) {
                char *w = NULL;
                if (asprintf(&w, "Flag --%s has been deprecated, %s", o->name, o->deprecated) < 0 ||
                    strv_push(&p->out->warnings, w) < 0)
                        return cu_error_set(err, ENOMEM, "parsing options");
        }
        return 0;
}

static enum opt_type opt_kind(struct parser *p, struct opt *o)
{
        struct opt *t = o->alias_of ? opts_find(p->cmd->opts, o->alias_of) : o;
        return t ? t->type : o->type;
}

static const char *opt_noopt(struct parser *p, struct opt *o)
{
        struct opt *t = o->alias_of ? opts_find(p->cmd->opts, o->alias_of) : o;
        if (!t)
                t = o;
        if (t->noopt)
                return t->noopt;
        return opt_kind(p, o) == OPT_BOOL ? "true" : NULL;
}

/* "--name[=value]"; returns how many following arguments were consumed, 1 for help. */
static int parse_long(struct parser *p, const char *s, int rest, char **next, struct cu_error **err)
{
        const char *name = s + 2;
        if (!*name || *name == '-' || *name == '=')
                return cu_error_setx(err, EINVAL, "bad flag syntax: %s", s);
        const char *eq = strchr(name, '=');
        _cleanup_free_ char *n = eq ? strndup(name, (size_t) (eq - name)) : strdup(name);
        if (!n)
                return cu_error_set(err, ENOMEM, "parsing options");
        struct opt *o = opts_find(p->cmd->opts, n);
        if (!o) {
                if (strcmp(n, "help") == 0) {
                        bool h = true;
                        if (eq && go_parse_bool(eq + 1, &h, NULL) < 0)
                                h = true;
                        p->out->help = h;
                        return h ? -1000 : 0;
                }
                return cu_error_setx(err, EINVAL, "unknown flag: --%s", n);
        }
        const char *noopt = opt_noopt(p, o);
        if (eq)
                return apply(p, o, eq + 1, err);
        if (noopt)
                return apply(p, o, noopt, err);
        if (rest > 0) {
                int r = apply(p, o, next[0], err);
                return r < 0 ? r : 1;
        }
        return cu_error_setx(err, EINVAL, "flag needs an argument: %s", s);
}

/* Go's %q of a byte: 'x', '\x01', 'é'. */
static void quote_char(char c, char out[16])
{
        unsigned char u = (unsigned char) c;
        if (u == '\'' || u == '\\')
                snprintf(out, 16, "'\\%c'", u);
        else if (u >= 0x20 && u < 0x7f)
                snprintf(out, 16, "'%c'", u);
        else if (u < 0x20 || u == 0x7f)
                snprintf(out, 16, "'\\x%02x'", u);
        else if (u < 0xa0 || u == 0xad)
                snprintf(out, 16, "'\\u%04x'", u);
        else
                snprintf(out, 16, "'%c%c'", 0xc0 | (u >> 6), 0x80 | (u & 0x3f));
}

static int parse_short(struct parser *p, const char *s, int rest, char **next, struct cu_error **err)
{
        const char *shorts = s + 1;
        while (*shorts) {
                char c = *shorts;
                struct opt *o = find_short(p->cmd->opts, c);
                if (!o) {
                        if (c == 'h') {
                                p->out->help = true;
                                return -1000;
                        }
                        char q[16];
                        quote_char(c, q);
                        return cu_error_setx(err, EINVAL, "unknown shorthand flag: %s in -%s", q,
                                             shorts);
                }
                const char *noopt = opt_noopt(p, o);
                if (shorts[1] == '=' && shorts[2])
                        return apply(p, o, shorts + 2, err);
                if (noopt) {
                        int r = apply(p, o, noopt, err);
                        if (r < 0)
                                return r;
                        shorts++;
                        continue;
                }
                if (shorts[1])
                        return apply(p, o, shorts + 1, err);
                if (rest > 0) {
                        int r = apply(p, o, next[0], err);
                        return r < 0 ? r : 1;
                }
                char q[16];
                quote_char(c, q);
                return cu_error_setx(err, EINVAL, "flag needs an argument: %s in -%s", q, shorts);
        }
        return 0;
}

void opts_args_done(struct opts_args *a)
{
        free(a->args);
        a->args = NULL;
        a->n = 0;
        a->warnings = strv_free(a->warnings);
}

int opts_parse(struct opts_cmd *cmd, int argc, char **argv, struct opts_args *args,
               struct cu_error **err)
{
        *args = (struct opts_args) { .dash = -1 };
        args->args = calloc(1, sizeof(char *));
        if (!args->args)
                return cu_error_set(err, ENOMEM, "parsing options");
        struct parser p = { .cmd = cmd, .out = args };
        for (struct opt *o = cmd->opts; o && o->name; o++)
                o->changed = false;

        for (int i = 0; i < argc; i++) {
                char *s = argv[i];
                int r;
                if (s[0] != '-' || s[1] == 0) {
                        if (push_arg(args, s) < 0)
                                return cu_error_set(err, ENOMEM, "parsing options");
                        if (cmd->flags & OPTS_STOP_AT_FIRST_ARG) {
                                for (i++; i < argc; i++)
                                        if (push_arg(args, argv[i]) < 0)
                                                return cu_error_set(err, ENOMEM, "parsing options");
                                break;
                        }
                        continue;
                }
                if (s[1] == '-' && s[2] == 0) {
                        args->dash = (ssize_t) args->n;
                        for (i++; i < argc; i++)
                                if (push_arg(args, argv[i]) < 0)
                                        return cu_error_set(err, ENOMEM, "parsing options");
                        break;
                }
                if (s[1] == '-')
                        r = parse_long(&p, s, argc - i - 1, argv + i + 1, err);
                else
                        r = parse_short(&p, s, argc - i - 1, argv + i + 1, err);
                if (r == -1000)
                        return 0; /* help: stop, as pflag's ErrHelp */
                if (r < 0)
                        return r;
                i += r;
        }
        return 0;
}

/* ---- help ---- */

static const char *type_word(enum opt_type t)
{
        switch (t) {
        case OPT_BOOL: return "";
        case OPT_STRING: return "string";
        case OPT_STRING_ARRAY: return "stringArray";
        case OPT_STRING_SLICE: return "strings";
        case OPT_INT:
        case OPT_INT64: return "int";
        case OPT_UINT:
        case OPT_UINT64: return "uint";
        case OPT_FLOAT: return "float";
        }
        return "";
}

static bool default_is_zero(const struct opt *o)
{
        if (!o->def)
                return true;
        switch (o->type) {
        case OPT_BOOL: return strcmp(o->def, "false") == 0;
        case OPT_STRING: return o->def[0] == 0;
        case OPT_STRING_ARRAY:
        case OPT_STRING_SLICE: return false;
        case OPT_FLOAT:
        default: return strcmp(o->def, "0") == 0;
        }
}

static int cmp_opt(const void *a, const void *b)
{
        const struct opt *x = *(const struct opt *const *) a, *y = *(const struct opt *const *) b;
        return strcmp(x->name, y->name);
}

static bool opt_visible(const struct opt *o)
{
        return !(o->flags & OPT_HIDDEN) && !o->deprecated && !o->alias_of;
}

/* One flag's line with a NUL where the usage column starts (pflag's "\x00" marker). */
static char *flag_line(const struct opt *o, size_t *ret_mark)
{
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        if (!f)
                return NULL;
        if (o->shorthand)
                fprintf(f, "  -%c, --%s", o->shorthand, o->name);
        else
                fprintf(f, "      --%s", o->name);
        const char *help = strempty(o->help), *q1 = strchr(help, '`');
        const char *q2 = q1 ? strchr(q1 + 1, '`') : NULL;
        _cleanup_free_ char *varname = NULL;
        if (q2)
                varname = strndup(q1 + 1, (size_t) (q2 - q1 - 1));
        const char *vn = o->argname ? o->argname : varname ? varname : type_word(o->type);
        if (*vn)
                fprintf(f, " %s", vn);
        if (o->noopt) {
                if (o->type == OPT_STRING)
                        fprintf(f, "[=\"%s\"]", o->noopt);
                else if (o->type != OPT_BOOL || strcmp(o->noopt, "true") != 0)
                        fprintf(f, "[=%s]", o->noopt);
        }
        fflush(f);
        *ret_mark = len;
        fputc(0, f);
        if (q2) {
                fwrite(help, 1, (size_t) (q1 - help), f);
                fwrite(q1 + 1, 1, (size_t) (q2 - q1 - 1), f);
                fputs(q2 + 1, f);
        } else {
                fputs(help, f);
        }
        if (!default_is_zero(o)) {
                if (o->type == OPT_STRING) {
                        _cleanup_free_ char *q = go_quote(o->def);
                        fprintf(f, " (default %s)", strempty(q));
                } else {
                        fprintf(f, " (default %s)", o->def);
                }
        }
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

char *opts_flag_usages(const struct opt *opts)
{
        size_t n = 0;
        for (const struct opt *o = opts; o && o->name; o++)
                n++;
        _cleanup_free_ const struct opt **sorted = calloc(n + 1, sizeof(*sorted));
        _cleanup_free_ char **lines = calloc(n + 1, sizeof(char *));
        _cleanup_free_ size_t *marks = calloc(n + 1, sizeof(size_t));
        if (!sorted || !lines || !marks)
                return NULL;
        size_t k = 0, maxlen = 0;
        for (const struct opt *o = opts; o && o->name; o++)
                if (opt_visible(o))
                        sorted[k++] = o;
        qsort(sorted, k, sizeof(*sorted), cmp_opt);

        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        if (!f)
                return NULL;
        bool ok = true;
        for (size_t i = 0; i < k; i++) {
                lines[i] = flag_line(sorted[i], &marks[i]);
                if (!lines[i])
                        ok = false;
                else if (marks[i] + 1 > maxlen)
                        maxlen = marks[i] + 1;
        }
        for (size_t i = 0; ok && i < k; i++) {
                fwrite(lines[i], 1, marks[i], f);
                fprintf(f, " %*s ", (int) (maxlen - marks[i]), "");
                for (const char *u = lines[i] + marks[i] + 1; *u; u++) {
                        fputc(*u, f);
                        if (*u == '\n')
                                fprintf(f, "%*s", (int) (maxlen + 2), "");
                }
                fputc('\n', f);
        }
        for (size_t i = 0; i < k; i++)
                free(lines[i]);
        if (fclose(f) != 0 || !ok) {
                free(out);
                return NULL;
        }
        return out;
}

/* Each line of text indented by two spaces (the first always, empty ones not). */
static void put_indented(FILE *f, const char *text)
{
        bool first = true;
        for (const char *l = text;;) {
                const char *e = strchr(l, '\n');
                size_t n = e ? (size_t) (e - l) : strlen(l);
                if (n > 0 || first)
                        fputs("  ", f);
                fwrite(l, 1, n, f);
                fputc('\n', f);
                first = false;
                if (!e)
                        break;
                l = e + 1;
        }
}

char *opts_help(const struct opts_cmd *cmd)
{
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        if (!f)
                return NULL;
        fprintf(f, "%s\n\nDescription:\n", strempty(cmd->short_desc));
        put_indented(f, cmd->long_desc ? cmd->long_desc : strempty(cmd->short_desc));
        fprintf(f, "\nUsage:\n  %s\n\n", strempty(cmd->use));
        if (cmd->aliases)
                fprintf(f, "Aliases:\n  %s\n\n", cmd->aliases);
        if (cmd->example) {
                fputs("Examples:\n", f);
                put_indented(f, cmd->example);
                fputc('\n', f);
        }
        bool any = false;
        for (const struct opt *o = cmd->opts; o && o->name; o++)
                any = any || opt_visible(o);
        if (any) {
                _cleanup_free_ char *u = opts_flag_usages(cmd->opts);
                fprintf(f, "Options:\n%s\n", strempty(u));
        }
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
}
