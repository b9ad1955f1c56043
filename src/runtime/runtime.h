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

/* ------------------------------------------------------------------ checkpoint.c (CRIU) */

/* The criu binary: $CUTTLE_CRIU, else /opt/criu4/bin/criu (tools/criu4.sh), else criu on
 * PATH; NULL when there is none (malloc'd). */
#define RUNTIME_CRIU_PREFIX_PATH "/opt/criu4/bin/criu"
char *runtime_criu_path(void);
/* criu's version as MAJOR*10000 + MINOR*100 + SUBLEVEL (podman's 31100 is 3.11), or -errno. */
int runtime_criu_version(const char *criu, struct cu_error **err);

struct runtime_checkpoint_opts {
        const char *criu;         /* NULL: runtime_criu_path() */
        const char *image_path;   /* criu's images (made if missing) */
        const char *work_path;    /* logs (dump.log) and stats-dump; NULL: image_path */
        const char *parent_path;  /* --with-previous: the pre-dump, relative to image_path */
        bool leave_running, tcp_established, file_locks;
        bool pre_dump;            /* memory only, the container keeps running */
};
/* criu dump (or pre-dump) of a running container's process tree.  Without leave_running
 * the container's processes are gone afterwards (its init's parent reaps it as usual). */
int runtime_checkpoint(const struct runtime_ctx *ctx, const char *id,
                       const struct runtime_checkpoint_opts *o, struct cu_error **err);

struct runtime_restore_opts {
        const char *criu;         /* NULL: runtime_criu_path() */
        const char *bundle;       /* its config.json (root.path absolute); NULL = cwd */
        const char *pid_file;
        const char *image_path, *work_path; /* as checkpoint; restore.log goes to work_path */
        bool tcp_established, file_locks;
        const int *stdio;         /* 3 fds: the restored process's new stdio for the pipes it
                                   * had (--inherit-fd); NULL or -1: none */
};
/* Restores a checkpoint made by runtime_checkpoint() as container id (a new state dir and
 * cgroup): the restored init is the caller's child (criu --restore-sibling) and runs. */
int runtime_restore(const struct runtime_ctx *ctx, const char *id,
                    const struct runtime_restore_opts *o, pid_t *ret_pid, struct cu_error **err);
/* The host source of the external mount key (a mountpoint in the container) of spec s: the
 * bind mount's source, /dev/null for a masked file, or for a cgroup hierarchy
 * <cgroup_root>/<name><cgroup_path>.  -ENOENT when s has no such mount. */
int runtime_criu_mount_source(const struct oci_spec *s, const char *key, const char *cgroup_root,
                              const char *cgroup_path, bool cgroup, char **ret);
