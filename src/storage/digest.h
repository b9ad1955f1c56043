/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sha256 digests in the OCI form "sha256:<64 hex>", computed as data streams by. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define DIGEST_HEX_LEN 64
#define DIGEST_STR_LEN (7 + DIGEST_HEX_LEN) /* "sha256:" + hex */

struct digester;

struct digester *digester_new(void);
void digester_update(struct digester *d, const void *buf, size_t len);
/* Writes "sha256:<hex>" (DIGEST_STR_LEN + 1 bytes) and resets the state. */
void digester_final(struct digester *d, char out[static DIGEST_STR_LEN + 1]);
uint64_t digester_bytes(const struct digester *d);
struct digester *digester_free(struct digester *d);
DEFINE_CLEANUP_FUNC(struct digester *, digester_free)
#define _cleanup_digester_ _cleanup_(digester_freep)

void digest_buffer(const void *buf, size_t len, char out[static DIGEST_STR_LEN + 1]);

/* Digests everything readable from fd (to EOF). */
int digest_fd(int fd, char out[static DIGEST_STR_LEN + 1], uint64_t *ret_size);

/* True for "sha256:" followed by exactly 64 lowercase hex digits. */
bool digest_valid(const char *s);

/* The hex part of a valid digest ("sha256:abc…" → "abc…"). */
static inline const char *digest_hex(const char *digest)
{
        return digest + 7;
}
