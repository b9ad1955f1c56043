/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * podman 4's network definitions as JSON: the format (what `network
 * inspect` prints, one object per network; network_to_json() and
 * network_from_json() in networks.h are implemented here) and the file
 * store podman keeps in its network config directory: <dir>/<name>.json,
 * the same object indented by five spaces, written to a temporary file and
 * renamed (0644; the directory is made 0755 when missing).
 *
 * Reading follows podman: only regular files named *.json count; a file
 * that cannot be read or parsed, whose "name" is not its file name, or
 * whose definition is not valid, is skipped with a warning naming it
 * ("Error reading network config file "…": …, skipping"), and the other
 * networks stay usable.  Writers serialise on an fcntl write lock on
 * <dir>/netavark.lock, the lock podman takes there, so that cuttle and
 * podman sharing a directory never pick the same name, bridge or subnet.
 */
#pragma once
#include <stddef.h>
#include "networks.h"
#include "util/error.h"

/* podman's file text of a definition (5-space indents, final newline), malloc'd. */
char *netfiles_format(const struct cu_network *n);
/* Options map → mtu / isolate (-EINVAL for an unknown or bad option). */
int network_parse_options(struct cu_network *n, struct cu_error **err);

/* Every valid <dir>/NAME.json, sorted by name (a missing dir: none).  *ret is
 * NULL-terminated. */
int netfiles_list(const char *dir, struct cu_network ***ret, size_t *n, struct cu_error **err);
/* <dir>/<name>.json when it holds a valid definition of that name: 1 and *ret, 0 when
 * there is none (or it is skipped, with the warning). */
int netfiles_get(const char *dir, const char *name, struct cu_network **ret, struct cu_error **err);
/* Writes <dir>/<n->name>.json atomically. */
int netfiles_write(const char *dir, const struct cu_network *n, struct cu_error **err);
/* Removes <dir>/<name>.json; -ENOENT when there is none. */
int netfiles_remove(const char *dir, const char *name, struct cu_error **err);
/* Takes the directory's write lock (the directory is made when missing); returns the fd
 * whose closing releases it. */
int netfiles_lock(const char *dir, struct cu_error **err);
