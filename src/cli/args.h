/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Option tables for the engine commands (pflag's forms: --name=v, --name v,
 * -n v, -nv, grouped -abc, --bool=false, "--" ends options). */
#pragma once

#include <stdbool.h>

#include "util/error.h"

enum arg_type {
        ARG_BOOL,
        ARG_STRING,
        ARG_STRINGS, /* repeatable */
};

struct arg_opt {
        const char *name;
        char shortname;
        enum arg_type type;
        void *ptr; /* bool*, const char**, char*** */
        const char *help;
        const char *default_text;
        bool set; /* filled in by args_parse */
};

/* Parses argv[first..] (argv[0] is the command).  Positionals go to *ret_pos
 * (a vector of argv pointers, NULL-terminated, malloc'd).  With
 * stop_at_positional, the first positional ends option parsing (run, exec).
 * Global options (--root …) are handed to global(ud, argc, argv, &i) first.
 * --help / -h sets *ret_help. */
int args_parse(struct arg_opt *opts, int argc, char **argv, bool stop_at_positional,
               int (*global)(void *ud, int argc, char **argv, int *i), void *ud, char ***ret_pos,
               bool *ret_help, struct cu_error **err);

/* Prints cobra-style help: DESCRIPTION, Usage, Options. */
void args_help(const char *usage, const char *desc, const struct arg_opt *opts);

bool args_was_set(const struct arg_opt *opts, const char *name);

struct cli_ctx;
/* args_parse() + --help for a command: -1 to go on with the positionals in
 * *pos, else the exit code (0 after help, 125 after an error printed). */
int args_run(struct cli_ctx *c, struct arg_opt *opts, int argc, char **argv, const char *usage,
             const char *desc, char ***pos);
