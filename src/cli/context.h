/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every engine command shares: global options, and the state database
 * and image store, opened on first use (a command that needs neither opens
 * neither). */
#pragma once

#include <stdbool.h>

#include "util/error.h"

struct db;
struct store;

struct cli_ctx {
        /* global options (podman's names) */
        char *root;           /* --root */
        char *runroot;        /* --runroot */
        char *storage_driver; /* --storage-driver */
        char *registries_conf; /* --registries-conf */
        int argc;             /* the user's argv (for re-exec in cuttle-registry) */
        char **argv;
        /* opened lazily */
        struct db *db;
        struct store *store;
};

/* Parses the global options at the front of argv (and sets the log level);
 * returns the index of the command, or -1 after printing an error. */
int cli_ctx_init(struct cli_ctx *c, int argc, char **argv);
void cli_ctx_done(struct cli_ctx *c);

/* If opt is a global option (at argv[*i], "--root X" or "--root=X"), consumes it. 1: consumed,
 * 0: not global, -1: error printed. */
int cli_ctx_global_option(struct cli_ctx *c, int argc, char **argv, int *i);

struct opts_cmd;
struct opts_args;
/* opts_parse() with the global options (--root, --runroot, --storage-driver,
 * --log-level, --registries-conf) accepted after the command too, as podman's
 * persistent flags are.  argv: the arguments after the command name. */
int cli_opts_parse(struct cli_ctx *c, struct opts_cmd *cmd, int argc, char **argv,
                   struct opts_args *args, struct cu_error **err);

int cli_ctx_db(struct cli_ctx *c, struct db **ret, struct cu_error **err);
int cli_ctx_store(struct cli_ctx *c, struct store **ret, struct cu_error **err);

/* Prints "Error: MSG" to stderr; returns code. */
int cli_fail(int code, const struct cu_error *err);
int cli_failf(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
