/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the engine's user, passwd, workdir, containerenv, secrets and bindmounts files. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "engine/internal.h"

/* Largest /etc/passwd or /etc/group (or zone file) read. */
#define BIND_FILE_MAX (16u << 20)

/* Reads a regular file inside the root (path resolved in the root; a FIFO, device or
 * directory is refused with -EINVAL, a file over BIND_FILE_MAX with -EFBIG).  -ENOENT when
 * missing. */
int bind_read_in_root(int rootfd, const char *path, char **ret);

/* strerror() as Go prints it (lower case first letter), into buf. */
const char *bind_strerror(int e, char buf[static 128]);

/* Whether spec.mounts has a mount at dst (paths compared cleaned). */
bool bind_spec_has_mount(json_t *spec, const char *dst);
/* The source of the mount at dst, or NULL. */
const char *bind_spec_mount_source(json_t *spec, const char *dst);

/* One of the engine's bind mounts, with the seed's options: bind, rprivate; with a
 * read-only root also ro, nosuid, noexec, nodev. */
json_t *bind_mount_entry(const char *dst, const char *src, bool readonly_root);

/* user.c: a user of the host (by name or uid) from the host's /etc/passwd (no NSS: the
 * binary is static).  -ENOENT. */
struct pw_entry;
int bind_host_user(const char *name, struct pw_entry *ret);

/* user.c: the container's user resolved against passwd / group text (NULL: missing) into
 * the spec's process.user (uid, gid, additionalGids: the primary gid when --user is given,
 * --group-add, the user's groups; umask) and x->uid, x->gid, x->home. */
int user_apply(json_t *spec, struct engine_spec_ctx *x, const char *passwd, const char *group,
               struct cu_error **err);
/* HOME unless the env has one: x->home, else (as runc does) the home of x->uid's entry in
 * the container's final passwd text, else "/". */
int user_set_home(json_t *spec, struct engine_spec_ctx *x, const char *passwd);

/* workdir.c: the seed's resolveWorkDir() over the mounted root; spec.mounts are the mounts
 * the workdir may lie on.  Creates a missing image workdir (CreateWorkingDir) owned by
 * x->uid:x->gid. */
int workdir_resolve(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err);
/* Resolves path inside the root, following symlinks as securejoin does (missing components
 * are kept as they are, ".." stops at the root).  *ret: the resolved container path;
 * *ret_on_mount: a prefix of it reached one of mounts' destinations (the rest lies on that
 * mount and is appended as is).  -ELOOP after 40 links. */
int workdir_walk(int rootfd, json_t *mounts, const char *path, char **ret, bool *ret_on_mount);

/* containerenv.c: /run/.containerenv's text and /etc/localtime. */
char *containerenv_text(json_t *c, const char *id, bool rootless, const char *version);
/* Checks a --tz value: "local" or a zone name under zoneroot (default /usr/share/zoneinfo)
 * that is a regular file (symlinks followed) and not outside zoneroot.  -EINVAL / -ENOENT
 * with podman's messages. */
int tz_validate(const char *tz, const char *zoneroot, struct cu_error **err);
/* Copies the zone (or, for "local", /etc/localtime's target) to <bundle>/localtime. */
int tz_copy(const char *tz, const char *zoneroot, const char *bundle, struct cu_error **err);

/* secrets.c: the secret mounts and env of the spec (files made at create in
 * <bundle>/secrets/). */
int secrets_spec(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err);
