/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The built-in OCI runtime: the operations of the OCI runtime command line
 * (runc-compatible), used by cli/oci.c and, in-process, by the engine.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "oci/spec.h"
#include "util/error.h"

struct runtime_ctx {
        const char *state_root; /* --root; NULL = default */
        bool systemd_cgroup;
        const char *cgroup_root; /* NULL = /sys/fs/cgroup (tests may point elsewhere) */
};

struct runtime_create_opts {
        const char *bundle; /* NULL = cwd */
        const char *pid_file;
        const char *console_socket;
        bool no_pivot;
        bool no_new_keyring;
        unsigned preserve_fds;
};

struct runtime_exec_opts {
        const char *pid_file;
        const char *console_socket;
        bool detach;
        unsigned preserve_fds;
};

/* Default state root: /run/cuttle-runtime, or $XDG_RUNTIME_DIR/cuttle-runtime when not root. */
const char *runtime_default_root(void);

/* Validates a container id as runc does ([A-Za-z0-9_.+-], not "." or ".."). */
int runtime_check_id(const char *id, struct cu_error **err);

/* Creates the container: namespaces, cgroup, rootfs; the init waits for start. */
int runtime_create(const struct runtime_ctx *ctx, const char *id,
                   const struct runtime_create_opts *o, pid_t *ret_pid, struct cu_error **err);
int runtime_start(const struct runtime_ctx *ctx, const char *id, struct cu_error **err);
/* create + start; unless detach, waits, forwards signals, deletes, returns the exit code. */
int runtime_run(const struct runtime_ctx *ctx, const char *id, const struct runtime_create_opts *o,
                bool detach, int *ret_exit_code, struct cu_error **err);
int runtime_kill(const struct runtime_ctx *ctx, const char *id, int sig, bool all,
                 struct cu_error **err);
int runtime_delete(const struct runtime_ctx *ctx, const char *id, bool force,
                   struct cu_error **err);
int runtime_pause(const struct runtime_ctx *ctx, const char *id, bool pause,
                  struct cu_error **err);
/* The OCI state object (ociVersion, id, status, pid, bundle, annotations, …). */
int runtime_state(const struct runtime_ctx *ctx, const char *id, json_t **ret,
                  struct cu_error **err);
/* All containers' state objects, as a JSON array. */
int runtime_list(const struct runtime_ctx *ctx, json_t **ret, struct cu_error **err);
int runtime_pids(const struct runtime_ctx *ctx, const char *id, pid_t **ret, size_t *ret_n,
                 struct cu_error **err);
/* Runs process in the container.  Unless detach, waits and returns its exit code. */
int runtime_exec(const struct runtime_ctx *ctx, const char *id, const struct oci_process *p,
                 const struct runtime_exec_opts *o, int *ret_exit_code, struct cu_error **err);
int runtime_update(const struct runtime_ctx *ctx, const char *id, const struct oci_resources *res,
                   struct cu_error **err);
/* The container's own process (from its config) as the base of an exec. */
int runtime_process_defaults(const struct runtime_ctx *ctx, const char *id,
                             struct oci_process **ret, struct cu_error **err);
/* "UID[:GID]" (numbers) into u. */
int runtime_parse_user(const char *s, struct oci_user *u, struct cu_error **err);

/* The features document (runtime-spec features.md). */
json_t *runtime_features(void);
