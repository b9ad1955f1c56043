/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The container filesystem commands: cp, diff, export, commit, container mount / unmount.
 *
 * Every path that comes from inside a container is resolved inside the container's root
 * (openat2 RESOLVE_IN_ROOT through util/path.h); below a resolved directory, entries are only
 * ever opened or created relative to their parent's fd with O_NOFOLLOW, so a symlink in the
 * container (even one swapped in while a copy runs) can never take a copy outside the root.
 *
 * The root of a container (engine_root_open):
 *   - running or paused: the container's own view, taken from inside its mount namespace (a
 *     forked child setns()es into /proc/PID/ns/mnt, opens "/" and passes the fd back), so
 *     that volumes and bind mounts are seen as the container sees them (as podman copies
 *     into volumes);
 *   - otherwise: the storage's root filesystem (overlay of the image's layers and the
 *     container's diff), mounted for the operation and unmounted after it unless the user
 *     mounted it (`container mount`).  Volumes of a stopped container are not seen.
 * The container's lock is held from open to close.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "engine/container.h"

/* ------------------------------------------------------------------ the root (fs.c) */

struct engine_root {
        char id[CTR_ID_LEN + 1];
        int fd;             /* O_PATH|O_DIRECTORY: the container's "/" */
        bool running;       /* taken from the container's mount namespace */
        bool unmount;       /* engine_root_close() unmounts the storage */
        struct lock *lock;  /* the container's lock */
        json_t *config;     /* the container config (record->config parsed) */
};

/* Looks the container up, locks it and opens its root (see above); with storage_only the
 * storage's root filesystem even while the container runs (export, commit --squash). */
int engine_root_open(struct engine *e, const char *id_or_name, bool storage_only,
                     struct engine_root *ret, struct cu_error **err);
void engine_root_close(struct engine *e, struct engine_root *r);

/* `container mount`: mounts the container's storage for the user (kept until `unmount`)
 * and gives the merged path. */
int engine_mount(struct engine *e, const char *id_or_name, char **ret_path,
                 struct cu_error **err);
/* `container unmount`: drops the user's mount; the storage is unmounted unless the container
 * runs.  A container that is not mounted is fine unless it was never mounted by the user
 * and force is false (then -EINVAL, podman's "container is not mounted").  *ret_id gets
 * the full ID (may be NULL). */
int engine_unmount(struct engine *e, const char *id_or_name, bool force,
                   char ret_id[CTR_ID_LEN + 1], struct cu_error **err);
/* The containers mounted now (by the user or because they run): IDs and merged paths
 * (NULL-terminated vectors, same length). */
int engine_mounted_list(struct engine *e, char ***ret_ids, char ***ret_paths,
                        struct cu_error **err);

/* ------------------------------------------------------------------ cp (cp.c) */

/* What a copy does, decided from the source and the destination (podman's rules):
 *   source file:  dest missing → written as dest (its parent must exist; a dest ending in
 *                 '/' is an error); dest a file → overwritten; dest a dir → dest/BASENAME.
 *   source dir:   dest missing → created as dest with the source's content; dest a file →
 *                 error; dest a dir → dest/BASENAME, or the content only when the source
 *                 ends in "/.".
 * A directory never replaces a non-directory (nor the reverse) without overwrite. */
enum cp_kind {
        CP_MISSING,
        CP_FILE, /* anything but a directory */
        CP_DIR,
};
struct cp_plan {
        bool into_parent;   /* dest does not exist: create `name` in dest's parent */
        bool contents_only; /* copy the source directory's entries into the target dir */
        char *name;         /* the entry to create in the target dir (malloc'd), NULL: none */
};
void cp_plan_done(struct cp_plan *p);
/* src, dst: the paths as given (for '/' and "/." checks); src_kind: what the source is;
 * dst_kind: what the destination is (CP_MISSING: absent).  Errors are podman's texts. */
int cp_plan_make(const char *src, enum cp_kind src_kind, const char *dst, enum cp_kind dst_kind,
                 struct cp_plan *ret, struct cu_error **err);

struct cp_opts {
        bool overwrite;     /* a dir may replace a non-dir and vice versa */
        bool chown;         /* set owners to uid:gid below (else kept from the source) */
        uid_t uid;
        gid_t gid;
};
/* Copies the entry `name` in src_dirfd (not followed if a symlink) to `dst_name` in
 * dst_dirfd, recursively: types, modes, times, xattrs (not security.selinux,
 * trusted.overlay.*), hard links inside the copy; data cloned when the file system can.
 * Existing directories are merged, existing non-directories replaced. */
int cp_copy_entry(int src_dirfd, const char *name, int dst_dirfd, const char *dst_name,
                  const struct cp_opts *o, struct cu_error **err);
/* Copies the entries of the directory src_dirfd into dst_dirfd (as cp_copy_entry each). */
int cp_copy_contents(int src_dirfd, int dst_dirfd, const struct cp_opts *o,
                     struct cu_error **err);

/* `cp`: a location is a host path (ctr NULL) or a path inside a container; "-" as a host
 * path is a tar stream (src: read from in_fd, dst: written to out_fd). */
struct engine_cp_opts {
        const char *src_ctr, *src_path;
        const char *dst_ctr, *dst_path;
        bool archive;      /* -a: owners become the destination's user (container's user, or
                            * the caller) */
        bool overwrite;
        int in_fd, out_fd; /* for "-" */
};
int engine_cp(struct engine *e, const struct engine_cp_opts *o, struct cu_error **err);

/* ------------------------------------------------------------------ diff (diff.c) */

enum diff_kind {
        DIFF_CHANGED = 'C',
        DIFF_ADDED = 'A',
        DIFF_DELETED = 'D',
};
struct diff_change {
        char kind;  /* enum diff_kind */
        char *path; /* "/etc/passwd" */
};
void diff_changes_free(struct diff_change *v, size_t n);
/* The changes that an overlay upper directory (whiteouts as 0/0 character devices, opaque
 * directories) makes over the lower directories (topmost first, overlay format as well),
 * in podman's order and with its rules: a directory that only holds changes is "C" unless it
 * equals the lower one (mode, size, mtime); the parent of an added or deleted entry is "C". */
int diff_compute(int upper_fd, const int *lower_fds, size_t n_lower, struct diff_change **ret,
                 size_t *ret_n, struct cu_error **err);

/* `diff`: a container against its image, or an image against its parent layer.  The
 * engine's own files (/etc/hosts, /proc, /run/.containerenv, …) are left out as podman does. */
int engine_diff(struct engine *e, const char *name, struct diff_change **ret, size_t *ret_n,
                struct cu_error **err);

/* ------------------------------------------------------------------ export (export.c) */

/* Writes the container's root filesystem as a tar stream to out_fd. */
int engine_export(struct engine *e, const char *id_or_name, int out_fd, struct cu_error **err);

/* ------------------------------------------------------------------ commit (commit.c) */

struct engine_commit_opts {
        const char *name;            /* normalized image name, or NULL */
        const char *const *changes;  /* Dockerfile-style instructions (import --change) */
        const char *message, *author;
        bool pause;                  /* pause a running container while its layer is made */
        bool squash;                 /* one layer with the whole root filesystem */
        bool docker;                 /* docker schema 2 manifest and config; else OCI */
        bool include_volumes;        /* the container's volume destinations become VOLUMEs */
};
/* The new image's config (the "config" document): the image's config with the container's
 * settings (Env, Cmd, Entrypoint, User, WorkingDir, Labels, StopSignal), the changes applied
 * and `diff_id` appended to rootfs.diff_ids (replacing them with squash) and a history entry.
 * Pure: used by engine_commit and the unit tests. */
json_t *commit_config_build(json_t *image_config, json_t *ctr_config,
                            const struct engine_commit_opts *o, const char *diff_id,
                            const char *created, struct cu_error **err);
/* Makes the image.  Either the image is stored whole or nothing is (a full disk leaves
 * nothing behind); the container is never changed (a paused one is resumed). */
int engine_commit(struct engine *e, const char *id_or_name, const struct engine_commit_opts *o,
                  char ret_id[static 65], struct cu_error **err);
