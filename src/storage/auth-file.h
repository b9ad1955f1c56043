/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Registry credentials in podman's auth.json (containers-auth.json(5)):
 *   {"auths": {"host[:port][/repo…]": {"auth": "base64(user:password)"}}}
 *
 * Written to (auth_file_path()): $REGISTRY_AUTH_FILE, else
 * $XDG_RUNTIME_DIR/containers/auth.json, else /run/containers/<uid>/auth.json.
 * Read from that file and, unless $REGISTRY_AUTH_FILE is set, then from
 * $XDG_CONFIG_HOME/containers/auth.json ($HOME/.config/…),
 * $DOCKER_CONFIG/config.json ($HOME/.docker/config.json) and the legacy
 * $HOME/.dockercfg, as containers/image does.  Rewrites are atomic, mode
 * 0600, parent directories created 0700, and keep keys this module does
 * not know.  No libcurl here (the static cuttle links it).
 */
#pragma once

#include <stddef.h>

#include "util/error.h"

/* The file that login/logout write (malloc'd), or NULL on ENOMEM. */
char *auth_file_path(void);

/* Credentials for key ("host[:port]" or "host[:port]/namespace/repo": the
 * most specific entry wins — repo, then each parent namespace, then the
 * host; entries written as URLs ("https://host/v1/") match their host).
 * path NULL: the read chain above.  Returns 1 and sets *ret_user and *ret_pass
 * when found, 0 when not, -errno on a broken file. */
int auth_file_get(const char *path, const char *key, char **ret_user, char **ret_pass,
                  struct cu_error **err);

/* Stores user:password under key (path NULL: auth_file_path()). */
int auth_file_set(const char *path, const char *key, const char *user, const char *pass,
                  struct cu_error **err);

/* Removes key's entry.  Returns 1 if it was there, 0 if not. */
int auth_file_remove(const char *path, const char *key, struct cu_error **err);

/* Removes every entry (keeps the file's other keys).  Returns 0. */
int auth_file_remove_all(const char *path, struct cu_error **err);

/* base64("user:pass") (malloc'd), or NULL on ENOMEM. */
char *auth_encode(const char *user, const char *pass);
/* Inverse of auth_encode(); -EINVAL for bad base64 or no ':' in the text. */
int auth_decode(const char *b64, char **ret_user, char **ret_pass);
