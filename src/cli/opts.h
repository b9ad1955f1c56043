/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Option parsing as podman's (cobra + pflag): a command describes its options in a table of
 * `struct opt` (terminated by an entry whose name is NULL); opts_parse() fills the values,
 * marks what was given (`changed`, pflag's Changed) and returns the positionals.  Error
 * texts are pflag's ("unknown flag: --foo", "flag needs an argument: 'n' in -n",
 * "invalid argument \"abc\" for \"-t, --time\" flag: strconv.ParseUint: parsing \"abc\":
 * invalid syntax"); printing them ("Error: …", exit 125) is the caller's job.
 *
 * Forms: --name=value, --name value, -n value, -nvalue, -n=value, grouped booleans -dit and
 * -p8080:80 (the last letter of a group may take the rest or the next argument), bools take
 * only the "=" form (--rm=false; "--rm false" leaves "false" as a positional), "--" ends
 * options, a lone "-" is a positional.  Flags after positionals are parsed too unless the
 * command sets OPTS_STOP_AT_FIRST_ARG (run, exec, create: "run IMG ls -l").
 *
 * Values: strings are borrowed pointers into argv (no copy); string arrays are heap vectors
 * of copies (the pointed-to vector must be NULL or heap-allocated: the first use replaces it,
 * later uses append) that the caller frees with strv_free().
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

enum opt_type {
        OPT_BOOL,         /* bool *            help type word: (none) */
        OPT_STRING,       /* const char **     "string" */
        OPT_STRING_ARRAY, /* char ***          "stringArray": one value per use */
        OPT_STRING_SLICE, /* char ***          "strings": each use is split as CSV ("a,b") */
        OPT_INT,          /* int *             "int" */
        OPT_UINT,         /* unsigned *        "uint" */
        OPT_INT64,        /* int64_t *         "int" */
        OPT_UINT64,       /* uint64_t *        "uint" */
        OPT_FLOAT,        /* double *          "float" */
};

enum {
        OPT_HIDDEN = 1 << 0, /* not shown in help */
};

struct opt {
        const char *name;       /* long name without "--"; NULL ends the table */
        char shorthand;         /* 0: none */
        enum opt_type type;
        void *value;            /* where the value goes (see enum opt_type) */
        const char *help;       /* usage text; a `quoted` word in it names the argument */
        const char *def;        /* default shown in help ("(default …)"); NULL: none */
        const char *argname;    /* argument word in help; NULL: from the type */
        const char *noopt;      /* value when given without "=value" (pflag NoOptDefVal) */
        const char *deprecated; /* hidden; using it warns "Flag --NAME has been deprecated, …" */
        const char *alias_of;   /* another option's name: sets that one (hidden) */
        unsigned flags;         /* OPT_HIDDEN */
        bool changed;           /* written by opts_parse(): given on the command line */
};

enum {
        OPTS_STOP_AT_FIRST_ARG = 1 << 0, /* pflag SetInterspersed(false) */
};

struct opts_cmd {
        const char *use;        /* "cuttle ps [options]" */
        const char *aliases;    /* "ps, ls" (name and aliases); NULL: none */
        const char *short_desc; /* first help line */
        const char *long_desc;  /* "Description:"; NULL: short_desc */
        const char *example;    /* "Examples:" lines; NULL: none */
        unsigned flags;         /* OPTS_STOP_AT_FIRST_ARG */
        struct opt *opts;
};

struct opts_args {
        char **args;     /* positionals (pointers into argv), NULL-terminated */
        size_t n;
        ssize_t dash;    /* positionals before "--" (cobra ArgsLenAtDash), -1 without "--" */
        bool help;       /* -h / --help was given (parsing stopped there) */
        char **warnings; /* deprecation notices for stderr, NULL-terminated or NULL */
};

/* Parses argv[0..argc) (the arguments after the command name).  Returns 0 (check
 * args->help) or -EINVAL with pflag's message; *args is filled either way and must be
 * released with opts_args_done(). */
int opts_parse(struct opts_cmd *cmd, int argc, char **argv, struct opts_args *args,
               struct cu_error **err);
void opts_args_done(struct opts_args *args);

/* The option of that long name, or NULL. */
struct opt *opts_find(struct opt *opts, const char *name);
/* pflag's Changed(name): false for unknown names. */
bool opts_changed(struct opt *opts, const char *name);

/* Cobra/podman help text ("Usage:", "Aliases:", "Examples:", "Options:"), malloc'd. */
char *opts_help(const struct opts_cmd *cmd);
/* pflag FlagUsages: the aligned "  -n, --name string   help (default "x")" lines. */
char *opts_flag_usages(const struct opt *opts);

/* Go's strconv.Quote (used by Go-style error texts), malloc'd. */
char *go_quote(const char *s);

/* Go's strconv.ParseBool / ParseInt(s, 0, 64) / ParseUint(s, 0, 64): -EINVAL or -ERANGE, and
 * *ret_msg (malloc'd, may be NULL) gets "strconv.ParseInt: parsing \"x\": invalid syntax". */
int go_parse_bool(const char *s, bool *ret, char **ret_msg);
int go_parse_int(const char *s, int64_t *ret, char **ret_msg);
int go_parse_uint(const char *s, uint64_t *ret, char **ret_msg);

/* Sizes as docker/go-units: "1024", "10m", "1.5g", "10mb", "1 KiB".  binary: RAMInBytes
 * (k = 1024, as --memory), else FromHumanSize (k = 1000).  Error "invalid size: 'x'". */
int opts_parse_size(const char *s, bool binary, int64_t *ret, struct cu_error **err);
/* Go's time.ParseDuration ("1m30s", "500ms", "1.5h", "-2us") in nanoseconds; with
 * bare_seconds a plain number ("10", "2.5") means seconds.  Errors as Go:
 * `time: invalid duration "x"`, `time: missing unit in duration "1"`, `time: unknown unit
 * "x" in duration "1x"`. */
int opts_parse_duration(const char *s, bool bare_seconds, int64_t *ret_ns, struct cu_error **err);
