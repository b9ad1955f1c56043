/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The small option tables of the image commands, parsed by opts.c (pflag's
 * rules and messages live there only) with the global options added. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "context.h"
#include "opts.h"

static enum opt_type opt_type_of(enum arg_type t)
{
        return t == ARG_BOOL ? OPT_BOOL : t == ARG_STRING ? OPT_STRING : OPT_STRING_ARRAY;
}

static size_t count(const struct arg_opt *opts)
{
        size_t n = 0;
        while (opts && opts[n].name)
                n++;
        return n;
}

static struct opt *convert(const struct arg_opt *opts)
{
        size_t n = count(opts);
        struct opt *o = calloc(n + 1, sizeof(*o));
        for (size_t i = 0; o && i < n; i++)
                o[i] = (struct opt) { .name = opts[i].name, .shorthand = opts[i].shortname,
                                      .type = opt_type_of(opts[i].type), .value = opts[i].ptr,
                                      .help = opts[i].help, .def = opts[i].default_text };
        return o;
}

int args_parse(struct arg_opt *opts, int argc, char **argv, bool stop_at_positional,
               int (*global)(void *ud, int argc, char **argv, int *i), void *ud, char ***ret_pos,
               bool *ret_help, struct cu_error **err)
{
        (void) global;
        struct opt *o = convert(opts);
        if (!o)
                return -ENOMEM;
        struct opts_cmd cmd = { .use = argv[0], .opts = o, .flags = stop_at_positional ? OPTS_STOP_AT_FIRST_ARG : 0 };
        struct opts_args a = { 0 };
        int r = cli_opts_parse(ud, &cmd, argc - 1, argv + 1, &a, err);
        for (size_t i = 0; r >= 0 && opts[i].name; i++)
                opts[i].set = o[i].changed;
        free(o);
        if (r < 0) {
                opts_args_done(&a);
                return r;
        }
        *ret_help = a.help;
        /* the positionals point into argv; the vector itself is the caller's */
        *ret_pos = calloc(a.n + 1, sizeof(char *));
        for (size_t i = 0; *ret_pos && i < a.n; i++)
                (*ret_pos)[i] = a.args[i];
        opts_args_done(&a);
        return *ret_pos ? 0 : -ENOMEM;
}

void args_help(const char *usage, const char *desc, const struct arg_opt *opts)
{
        struct opt *o = convert(opts);
        if (!o)
                return;
        struct opts_cmd cmd = { .use = usage, .short_desc = desc, .opts = o };
        char *text = opts_help(&cmd);
        if (text)
                fputs(text, stdout);
        free(text);
        free(o);
}

bool args_was_set(const struct arg_opt *opts, const char *name)
{
        for (const struct arg_opt *o = opts; o && o->name; o++)
                if (strcmp(o->name, name) == 0)
                        return o->set;
        return false;
}

int args_run(struct cli_ctx *c, struct arg_opt *opts, int argc, char **argv, const char *usage,
             const char *desc, char ***pos)
{
        bool help = false;
        _cleanup_error_ struct cu_error *err = NULL;
        if (args_parse(opts, argc, argv, false, NULL, c, pos, &help, &err) < 0)
                return cli_fail(125, err);
        if (help) {
                args_help(usage, desc, opts);
                return 0;
        }
        return -1;
}
