/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every engine command shares: global options, and the state database
 * and image store, opened on first use (a command that needs neither opens
 * neither). */
#pragma once

#include <stdbool.h>

#include "util/error.h"

struct db;
struct store;
struct containers_conf;
struct storage_conf;

struct cli_ctx {
        /* global options (podman's names); NULL when not given.  root, runroot and
         * storage_driver are filled from storage.conf (then cuttle's defaults) when the
         * store is opened: flag > $CONTAINERS_STORAGE_CONF's file > the default file. */
        char *root;           /* --root */
        char *runroot;        /* --runroot */
        char *storage_driver; /* --storage-driver */
        char **storage_opts;  /* --storage-opt (repeatable; replaces storage.conf's) */
        bool storage_opts_set;
        char *registries_conf; /* --registries-conf */
        char *runtime;        /* --runtime (name or path) */
        char *cgroup_manager; /* --cgroup-manager */
        char *tmpdir;         /* --tmpdir */
        char *events_backend; /* --events-backend */
        char *network_config_dir; /* --network-config-dir */
        char *volumepath;     /* --volumepath */
        char *config;         /* --config (podman's hidden flag; kept, unused) */
        int argc;             /* the user's argv (for re-exec in cuttle-registry) */
        char **argv;
        /* loaded lazily */
        struct containers_conf *conf; /* effective: containers.conf with the flags applied */
        struct storage_conf *sconf;   /* storage.conf as read */
        struct db *db;
        struct store *store;
};

/* The effective containers.conf (files, then the global flags: --runtime, --cgroup-manager,
 * --tmpdir, --events-backend, --network-config-dir, --volumepath; volume_path defaults to
 * <root>/volumes).  Loaded on first use; borrowed. */
int cli_ctx_config(struct cli_ctx *c, const struct containers_conf **ret, struct cu_error **err);
/* Fills root, runroot, storage_driver and storage_opts from storage.conf and the defaults
 * where the flags left them unset.  Idempotent. */
int cli_ctx_storage_defaults(struct cli_ctx *c, struct cu_error **err);

/* Parses the global options at the front of argv (and sets the log level);
 * returns the index of the command, or -1 after printing an error. */
int cli_ctx_init(struct cli_ctx *c, int argc, char **argv);
void cli_ctx_done(struct cli_ctx *c);

/* If opt is a global option (at argv[*i], "--root X" or "--root=X"), consumes it. 1: consumed,
 * 0: not global, -1: error printed. */
int cli_ctx_global_option(struct cli_ctx *c, int argc, char **argv, int *i);

struct opts_cmd;
struct opts_args;
/* opts_parse() with the global options (all of the above, --log-level and the remote flags)
 * accepted after the command too, as podman's persistent flags are.  argv: the arguments
 * after the command name. */
int cli_opts_parse(struct cli_ctx *c, struct opts_cmd *cmd, int argc, char **argv,
                   struct opts_args *args, struct cu_error **err);

int cli_ctx_db(struct cli_ctx *c, struct db **ret, struct cu_error **err);
int cli_ctx_store(struct cli_ctx *c, struct store **ret, struct cu_error **err);

/* The help lines of the global options (pflag FlagUsages), malloc'd. */
char *cli_ctx_global_usages(void);
/* The visible global options that take a value (takes_arg) or not, as " --root --runroot …"
 * (shorthands included), malloc'd. */
char *cli_ctx_global_flags(bool takes_arg);

/* Prints "Error: MSG" to stderr; returns code. */
int cli_fail(int code, const struct cu_error *err);
int cli_failf(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
