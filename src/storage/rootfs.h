/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Container root filesystems: overlay (image layers as lowerdirs, a
 * per-container upper/work) or vfs (a private copy of the top layer);
 * and read-only image mounts (`image mount`). */
#pragma once

#include <stdbool.h>

#include "store.h"

/* Creates <root>/containers/<id>/ for a container of an image with these
 * layers (chain IDs, bottom first; may be empty). */
int rootfs_create(struct store *s, const char *ctr_id, char *const *layers, struct cu_error **err);

/* Marks it volatile (overlay only): its mounts skip every sync of the upper layer, so its
 * changes may not survive a crash of the machine — for containers that do not outlive their
 * run (`run --rm`, as podman and CRI-O do). */
int rootfs_set_volatile(struct store *s, const char *ctr_id, struct cu_error **err);

/* Mounts it (idempotent) and returns the merged path. */
int rootfs_mount(struct store *s, const char *ctr_id, char **ret_path, struct cu_error **err);

/* Unmounts it (ok when not mounted). */
int rootfs_unmount(struct store *s, const char *ctr_id, struct cu_error **err);

/* Unmounts and removes everything of the container's storage. */
int rootfs_delete(struct store *s, const char *ctr_id, struct cu_error **err);

/* The parts of its overlay: the lower dirs (topmost first), the upper and the work dir —
 * for a caller that mounts them differently (the engine's idmapped lower layers).
 * -EOPNOTSUPP for the vfs driver. */
int rootfs_overlay_dirs(struct store *s, const char *ctr_id, char ***ret_lowers,
                        char **ret_upper, char **ret_work, struct cu_error **err);

/* An overlay of lowers (topmost first) with upper and work (upper NULL: read-only) on
 * target; ro: a read-only mount, volatile_: no syncs of the upper dir. */
int overlay_mount(char *const *lowers, const char *upper, const char *work, const char *target,
                  bool ro, bool volatile_, struct cu_error **err);

/* Opens the regular file path (absolute, resolved inside each layer) of the image made of
 * layers (chain IDs, bottom first) without mounting it: the topmost layer that has it, as
 * overlay would show it.  -ENOENT when the image has no such regular file. */
int image_open_file(struct store *s, char **layers, const char *path, struct cu_error **err);

/* The merged path (mounted or not). */
char *rootfs_path(struct store *s, const char *ctr_id);
bool rootfs_is_mounted(struct store *s, const char *ctr_id);

/* Read-only mount of an image at <root>/image-mounts/<id>; returns the path. */
int image_mount(struct store *s, const char *image_id, char *const *layers, char **ret_path,
                struct cu_error **err);
int image_unmount(struct store *s, const char *image_id, struct cu_error **err);
bool image_is_mounted(struct store *s, const char *image_id, char **ret_path);
