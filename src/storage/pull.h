/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pull and push over the OCI distribution API (cuttle-registry only). */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "store.h"

struct remote_opts {
        int tls_verify;          /* -1: not given (registries.conf decides), 0, 1 */
        const char *authfile;    /* NULL: the default chain */
        const char *creds;       /* "user[:password]" or NULL */
        const char *registries_conf; /* NULL: the default chain */
        const char *os, *arch, *variant; /* NULL: the host's */
        FILE *progress;          /* "Copying blob …" lines, or NULL (--quiet) */
        bool remove_signatures;
};

/* Pulls ref (short names resolved through registries.conf) and returns the
 * image ID; *ret_name gets the name it was stored under. */
int image_pull(struct store *s, const char *ref, const struct remote_opts *o,
               char id[static DIGEST_HEX_LEN + 1], char **ret_name, struct cu_error **err);

/* Pushes the local image src to dest (NULL: src's own name). */
int image_push(struct store *s, const char *src, const char *dest, const struct remote_opts *o,
               char **ret_digest, struct cu_error **err);

/* Checks credentials against host and stores them (login), or removes them. */
int registry_login(const char *host, const char *user, const char *pass, const struct remote_opts *o,
                   struct cu_error **err);
