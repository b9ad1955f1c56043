/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * User namespace id maps on the engine side: the arithmetic (checks, container id ⇄
 * host id), a user namespace made only to carry a mapping, and idmapped mounts
 * (mount_setattr MOUNT_ATTR_IDMAP) made in the host's mount namespace, so that any
 * runtime (ours or runc) just bind-mounts them.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

#define IDMAP_MAX 32 /* the kernel's limit of lines in uid_map */

struct idmap_range {
        uint32_t ctr, host, size;
};

struct idmap {
        struct idmap_range uid[IDMAP_MAX], gid[IDMAP_MAX];
        size_t n_uid, n_gid;
};

/* Refuses empty or zero-sized ranges, ranges that wrap past 2^32, and ranges that
 * overlap on the container side or on the host side (what = "UID" / "GID"). */
int idmap_check(const struct idmap_range *v, size_t n, const char *what, struct cu_error **err);

/* The host id of container id (false: not mapped) and back. */
bool idmap_to_host(const struct idmap_range *v, size_t n, uint32_t id, uint32_t *ret);
bool idmap_to_ctr(const struct idmap_range *v, size_t n, uint32_t id, uint32_t *ret);

/* The config's IDMappings {UidMap: [{ContainerID, HostID, Size}], GidMap: […]}, checked.
 * 0 with n_uid == 0 when it has no mappings. */
int idmap_from_config(json_t *idmappings, struct idmap *ret, struct cu_error **err);
/* Whether the container config c has a user namespace of its own (IDMappings.UidMap). */
bool idmap_config_has_userns(json_t *c);

/* "uids=C-H-N[#C-H-N…];gids=…" (the -v …:idmap=… option, podman's syntax) into ret;
 * a part left out keeps what ret had. */
int idmap_parse_option(const char *value, struct idmap *ret, struct cu_error **err);

/* A user namespace carrying m (made by a short-lived child): an O_CLOEXEC fd. */
int idmap_userns_fd(const struct idmap *m, struct cu_error **err);

/* Clones the mount at src (recursively when recursive), idmaps it with the user namespace
 * userns_fd and attaches it at dst (which must exist).  Fails with -EINVAL/-EPERM/…
 * ("cannot idmap mount …") when the filesystem cannot be idmapped: nothing is mounted. */
int idmap_mount(const char *src, const char *dst, int userns_fd, bool recursive,
                struct cu_error **err);

/* Unmounts dst (lazily) when something is mounted there, then removes it.  Idempotent. */
void idmap_unmount(const char *dst);

/* Start (from the engine_spec hooks, x->write_files only), for a container with IDMappings:
 *   engine_idmap_spec_root(): an overlay root (the storage's) gets a second overlay stacked
 *   on the same path whose lower layers are idmapped (overlayfs itself cannot be idmapped;
 *   its layers can): the image's host-root files appear as the container root's, what the
 *   container writes lands in the upper dir with the mapped host ids.  Any other root is
 *   idmapped at <runroot>/idmap/<id>/root, which becomes spec.root.path.  The bundle is
 *   chowned to the container's root and the dirs above it made searchable (podman: its run
 *   directory; its storage dirs are 0711), so runc works too.
 *   engine_idmap_spec_mounts(): each spec mount with option "idmap[=uids=…;gids=…]" gets an
 *   idmapped mount of its source (at <runroot>/idmap/<id>/mN) as source; the engine's own
 *   files (sources in the bundle) and a named volume still owned by host root are chowned
 *   to the container's root; sysfs becomes a read-only rbind of the host's /sys (the
 *   network namespace is the engine's, not the user namespace's: podman does the same). */
struct engine_spec_ctx;
int engine_idmap_spec_root(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err);
int engine_idmap_spec_mounts(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err);
/* After the container exited, before its storage is unmounted: idempotent. */
struct engine;
void engine_idmap_cleanup(struct engine *e, const char *id);

/* cp into a container with IDMappings: the container-side owner (*uid, *gid) becomes the host
 * ids (unmapped ones: the container root's).  False (nothing changed) without mappings. */
bool engine_idmap_owner_to_host(json_t *config, uint32_t *uid, uint32_t *gid);

/* commit of a container with IDMappings: dirfd (a directory written with host ids, the
 * container's upper dir) seen through a detached idmapped mount that shows the container's
 * ids.  *ret_fd: an O_DIRECTORY fd on it, or -1 without mappings. */
int engine_idmap_open_ctr_view(json_t *config, int dirfd, int *ret_fd, struct cu_error **err);

/* The id (host id `id`) as process pid's user namespace sees it (its uid_map, or gid_map
 * when gid): 65534 (the overflow id) when unmapped; id itself when pid's map cannot be read. */
uint32_t idmap_proc_to_ctr(pid_t pid, bool gid, uint32_t id);

/* --userns auto:uidmapping=C:H:N: the automatic range base (container ids from base.ctr)
 * without the container ids the forced ranges take, followed by the forced ranges, into
 * out (at most max).  The count, or -E2BIG. */
int idmap_carve(struct idmap_range base, const struct idmap_range *forced, size_t n_forced,
                struct idmap_range *out, size_t max);
