/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Volumes and mounts (-v, --mount, --tmpfs, --volumes-from, --read-only-tmpfs): their
 * create/run options, the parsers (mounts.c, pure), and the named-volume API
 * (volume-store.c: `volume create|ls|inspect|rm|prune|exists|mount|unmount|export|import`).
 *
 * A container's mounts live in its config as "Mounts", an array of objects:
 *   Type         "bind" | "volume" | "tmpfs" | "image" | "devpts"
 *   Source       host path (bind), image reference (image; Image: its ID), "" otherwise
 *   Name         the volume's name (volume)
 *   Destination  cleaned absolute path inside the container
 *   Options      what goes to the OCI mount besides the defaults (suid, exec, dev and their
 *                no- forms, size=, mode=, uid=, …)
 *   RW           false for ro
 *   Propagation  "" or [r]shared|[r]slave|[r]private|[r]unbindable
 *   Recursive    rbind (default) or bind
 *   Mode         "z", "Z" or ""      Chown (U)   NoCopy (nocopy)   IdMap (idmap)
 *   Overlay (O)  UpperDir, WorkDir (with O, both or neither)    Anonymous (volume)
 *   TmpCopyUp    tmpfs: copy what the image has under the destination
 * Volumes live under <root>/volumes/<name>/_data, with records in the database
 * (state/volumes.h).
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "state/volumes.h"
#include "util/error.h"

struct engine;

struct engine_vol_opts {
        char **volumes;       /* -v/--volume SRC:DST[:OPTS] | DST */
        char **mounts;        /* --mount type=…,… */
        char **tmpfs;         /* --tmpfs DST[:OPTS] */
        char **volumes_from;  /* --volumes-from CTR[:ro|rw] */
        bool read_only_tmpfs; /* with --read-only: tmpfs on /tmp, /var/tmp, /run (default true) */
};

/* ------------------------------------------------------------------ parsers (mounts.c) */

/* filepath.Clean: "a//b/../c/" → "a/c", "" → ".", "/.." → "/".  malloc'd. */
char *mount_clean_path(const char *p);
/* -v SPEC → a config mount entry (no file system access).  Podman's errors. */
int mount_parse_volume(const char *spec, json_t **ret, struct cu_error **err);
/* --mount SPEC → a config mount entry. */
int mount_parse_mount(const char *spec, json_t **ret, struct cu_error **err);
/* --tmpfs DST[:OPTS] → a config mount entry. */
int mount_parse_tmpfs(const char *spec, json_t **ret, struct cu_error **err);
/* --volumes-from CTR[:OPTS]: *ret_ctr (malloc'd), *ret_rw -1 (as the source), 0 ro, 1 rw. */
int mount_parse_volumes_from(const char *spec, char **ret_ctr, int *ret_rw, struct cu_error **err);
/* The OCI mount {destination, type, source, options} of a config entry whose host side is
 * source (bind, volume, overlay after its mount: a bind of source). */
json_t *mount_oci_entry(json_t *m, const char *source);
/* The comma-joined options as podman's HostConfig.Binds prints them ("rw,rprivate,rbind"). */
char *mount_binds_options(json_t *m);
/* Orders OCI mounts so that none covers a later one (by the depth of the destination,
 * stable).  0 or -ENOMEM. */
int mounts_sort(json_t *mounts);
/* The root propagation the mounts ask for (the seed's rule: shared wins, then rslave), or
 * NULL. */
const char *mounts_root_propagation(json_t *mounts);

/* ------------------------------------------------------------------ named volumes (volume-store.c) */

struct engine_volume_create_opts {
        const char *name;     /* NULL: a random 64-hex name */
        const char *driver;   /* NULL: "local" */
        char **labels;        /* KEY=VALUE */
        char **options;       /* -o KEY=VALUE: type, device, o, UID, GID, copy, nocopy, … */
        bool ignore;          /* an existing volume is fine (returned as is) */
        bool anonymous;
};

/* Makes the volume's record and its <root>/volumes/<name>/_data. */
int engine_volume_create(struct engine *e, const struct engine_volume_create_opts *o,
                         struct vol_record **ret, struct cu_error **err);
int engine_volume_get(struct engine *e, const char *name, struct vol_record **ret,
                      struct cu_error **err);
int engine_volume_list(struct engine *e, struct vol_record ***ret, size_t *ret_n,
                       struct cu_error **err);
/* podman's volume inspect object (Name, Driver, Mountpoint, CreatedAt, Labels, Scope,
 * Options, MountCount, NeedsCopyUp, NeedsChown, Anonymous). */
json_t *engine_volume_json(struct engine *e, const struct vol_record *v);
/* The IDs of the containers whose config uses the volume (NULL-terminated, maybe empty). */
int engine_volume_users(struct engine *e, const char *name, char ***ret, struct cu_error **err);
/* Removes the volume: -EBUSY (podman's "volume is being used") while a container uses it,
 * unless force, which removes those containers first (stopping them, timeout as stop). */
int engine_volume_remove(struct engine *e, const char *name, bool force, int timeout,
                         struct cu_error **err);
/* Whether the volume matches every `volume ls/prune --filter` (name=, label=, driver=,
 * dangling=, until=, opt=, scope=).  1, 0, or -EINVAL for a bad filter. */
int engine_volume_filter(struct engine *e, const struct vol_record *v, char *const *filters,
                         struct cu_error **err);
/* Mounts a volume that has driver options (type/device/o) on its _data for holder (a
 * container ID, or "" for `volume mount`); a volume without options needs nothing.
 * Idempotent per holder.  *ret_path (may be NULL) gets the mount point. */
int engine_volume_mount(struct engine *e, const char *name, const char *holder, char **ret_path,
                        struct cu_error **err);
/* Drops holder's use; the last one unmounts.  Idempotent. */
int engine_volume_unmount(struct engine *e, const char *name, const char *holder,
                          struct cu_error **err);
/* Writes the volume's content as a tar stream to fd / replaces nothing but adds the tar read
 * from fd to it (podman's export / import). */
int engine_volume_export(struct engine *e, const char *name, int fd, struct cu_error **err);
int engine_volume_import(struct engine *e, const char *name, int fd, struct cu_error **err);

/* ------------------------------------------------------------------ containers (volumes.c) */

/* Removes the anonymous volumes that the container config text (a removed container's)
 * created, unless another container uses them.  Errors are only logged. */
int engine_volumes_remove_anonymous(struct engine *e, const char *config);
/* rm [-v]: engine_remove(), and with volumes also the container's anonymous volumes. */
int engine_remove_volumes(struct engine *e, const char *id, bool force, int timeout, bool volumes,
                          struct cu_error **err);
