/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internals shared by the runtime's files. */
#pragma once

#include <stdint.h>

#include "runtime.h"

struct cgroup;

/* A container's record in <state_root>/<id>/. */
struct container_state {
        char *id;
        char *dir; /* <state_root>/<id> */
        char *bundle;
        char *rootfs;
        char *created; /* RFC 3339 */
        pid_t pid;
        uint64_t pid_start_time;
        int cgroup_version;
        char *cgroup_root;
        char *cgroup_path;
        char *owner;
        struct oci_spec *spec; /* the config it was created with (state dir copy) */
};

enum container_status {
        STATUS_CREATING,
        STATUS_CREATED,
        STATUS_RUNNING,
        STATUS_PAUSED,
        STATUS_STOPPED,
        _STATUS_MAX,
};

extern const char *const container_status_names[_STATUS_MAX];

struct container_state *container_state_free(struct container_state *s);
DEFINE_CLEANUP_FUNC(struct container_state *, container_state_free)

/* State file I/O (status.c). */
int container_state_dir(const struct runtime_ctx *ctx, const char *id, char **ret,
                        struct cu_error **err);
int container_state_save(const struct container_state *s, struct cu_error **err);
/* Loads; a missing container gives -ENOENT and "container does not exist". */
int container_state_load(const struct runtime_ctx *ctx, const char *id,
                         struct container_state **ret, struct cu_error **err);
/* Live status from the pid, its start time, the exec fifo and the freezer. */
enum container_status container_status(const struct container_state *s);
bool container_pid_alive(const struct container_state *s);
/* The OCI state JSON for hooks and `state`. */
json_t *container_state_json(const struct container_state *s, enum container_status st);
/* The state JSON as compact text (malloc'd), or NULL. */
char *container_state_text(const struct container_state *s, enum container_status st);
/* Runs the hooks of a kind whose failures are only warnings (poststart, poststop). */
void container_hooks_warn(const struct container_state *s, enum oci_hook_kind kind,
                          enum container_status st);
int container_cgroup(const struct container_state *s, struct cgroup **ret, struct cu_error **err);

/* delete of a loaded container (lifecycle.c). */
int container_delete(struct container_state *st, bool force, struct cu_error **err);

/* Writes a pid file atomically (create.c). */
int write_pid_file(const char *path, pid_t pid, struct cu_error **err);
/* create.c: the container's cgroup (cgroup_new() for spec s) and the state's cgroup fields and
 * creation time. */
int container_state_cgroup(const struct runtime_ctx *ctx, struct container_state *st,
                           const struct oci_spec *s, struct cgroup **cgp, struct cu_error **err);
/* create.c: makes the state root (0711) and st->dir (0700); EEXIST is runc's "container with id
 * … already exists". */
int container_state_dir_make(const struct runtime_ctx *ctx, const struct container_state *st,
                             const char *id, struct cu_error **err);

#define EXEC_FIFO "exec.fifo"
#define CREATING_MARK "creating" /* present until the init is ready */
#define STATE_FILE "state.json"
#define CONFIG_COPY "config.json"
