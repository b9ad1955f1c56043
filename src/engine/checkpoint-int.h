/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by checkpoint.c, restore.c and export of checkpoints (engine only). */
#pragma once

#include <jansson.h>
#include <stdint.h>

#include "engine/container.h"

/* The files of a checkpoint in the container's userdata (podman's names). */
#define CR_DIR "checkpoint"
#define CR_PRE_DIR "pre-checkpoint"
#define CR_CONFIG_DUMP "config.dump"
#define CR_SPEC_DUMP "spec.dump"
#define CR_NETWORK_STATUS "network.status"
#define CR_ROOTFS_DIFF "rootfs-diff.tar"
#define CR_DELETED_FILES "deleted.files"
#define CR_VOLUMES_DIR "volumes"

/* <userdata>/name (malloc'd). */
char *engine_cr_path(struct engine *e, const char *id, const char *name);
/* The seed's checkpointRestoreSupported(): CRIU >= 3.11 found and a runtime that can use it.
 * *ret_criu (may be NULL) gets criu's path. */
int engine_cr_supported(const struct ctr_record *r, char **ret_criu, struct cu_error **err);
/* Runs the container's external OCI runtime (runc) with args, criu's directory first on PATH. */
int engine_cr_run_oci(const struct ctr_record *r, const char *runroot, const char *criu,
                      char **args, struct cu_error **err);
/* CRIU's stats-dump (which 1) / stats-restore (which 2) image: the varint fields of that
 * message by field number (vals[1..15]).  -EINVAL for a malformed image, -ENOENT without it. */
int engine_cr_parse_stats(const unsigned char *b, size_t n, int which, uint64_t vals[16]);
/* podman's criu_statistics object from the image at path. */
json_t *engine_cr_stats(const char *path, bool restore, struct cu_error **err);
/* restore.c: --export: the archive of a checkpointed container (lock held). */
int engine_cr_export(struct engine *e, const struct ctr_record *r,
                     const struct engine_checkpoint_opts *o, struct cu_error **err);
