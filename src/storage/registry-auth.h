/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pure parts of talking to a registry, kept apart from libcurl so that
 * they can be unit-tested and fuzzed: WWW-Authenticate challenges (RFC 7235),
 * the bearer-token request URL and response, a per-scope token cache, Basic
 * credentials, and registry error bodies turned into containers/image's
 * messages.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "util/error.h"

struct auth_challenge {
        char *scheme;  /* lowercased: "bearer", "basic", … */
        char **params; /* k,v,k,v… (keys lowercased), never NULL */
};

/* Parses a WWW-Authenticate value (several challenges may be comma-separated).
 * Returns the number of challenges (≥0) in *ret, -EINVAL for a malformed
 * header. */
int auth_challenges_parse(const char *header, struct auth_challenge **ret, size_t *ret_n,
                          struct cu_error **err);
void auth_challenges_free(struct auth_challenge *c, size_t n);
/* Value of a parameter (key lowercase), or NULL. */
const char *auth_challenge_param(const struct auth_challenge *c, const char *key);

/* "<realm>?service=…&scope=…&scope=…" with every value percent-encoded
 * (realm may already carry a query).  service and scopes may be NULL/empty.
 * NULL on ENOMEM. */
char *auth_token_url(const char *realm, const char *service, char *const *scopes);

/* Parses a token endpoint's JSON: "token", else "access_token"; expires_in
 * (seconds, default 60).  -EINVAL with a message when there is no token. */
int auth_token_parse(const char *body, size_t len, char **ret_token, int64_t *ret_expires_in,
                     struct cu_error **err);

/* "repository:<repo>:pull" or ":pull,push" (malloc'd). */
char *auth_scope(const char *repo, bool push);

/* "Basic base64(user:pass)" (malloc'd), NULL on ENOMEM. */
char *auth_basic_value(const char *user, const char *pass);

/* Tokens by scope key (the space-joined scopes), valid until their expiry. */
struct token_cache;
struct token_cache *token_cache_new(void);
struct token_cache *token_cache_free(struct token_cache *c);
/* Borrowed token for key if it is still valid at now, else NULL. */
const char *token_cache_get(struct token_cache *c, const char *key, time_t now);
/* Stores a copy (replacing an older one).  -ENOMEM. */
int token_cache_put(struct token_cache *c, const char *key, const char *token, time_t expires);

/* The message containers/image gives for a failed registry response: the
 * first {"errors":[{"code","message"}]} entry as "message" when message is
 * the code's standard text, else "<code in lower case>: message"; a 401
 * without such a body is "authentication required"; other bodies
 * "StatusCode: N, \"<first 50 bytes>...\"".  www_authenticate (may be NULL)
 * supplies RFC 6750 errors (invalid_token, insufficient_scope).  Never NULL
 * except on ENOMEM. */
char *registry_error_message(long status, const char *body, size_t len,
                             const char *www_authenticate);
