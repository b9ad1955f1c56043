/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to the registry client (registry.c, registry-http.c): the client's
 * state, one HTTP exchange (struct xfer), and the libcurl transfer plumbing
 * registry.c builds its API calls on.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "storage/registry-auth.h"
#include "storage/registry.h"

#define MANIFEST_MAX (4u << 20)
#define ERROR_BODY_MAX (64u << 10)
#define TOKEN_BODY_MAX (1u << 20)
#define MAX_REDIRECTS 10

enum auth_kind { AUTH_NONE, AUTH_BASIC, AUTH_BEARER };

struct registry {
        CURL *curl;
        char *host;     /* as named by the user, for messages */
        char *api_host; /* in URLs */
        char *base;     /* "https://host" once pinged */
        bool tls_verify, may_http;
        char *user, *pass, *user_agent;
        enum auth_kind auth;
        char *realm, *service, *ping_scope;
        struct token_cache *tokens;
        char errbuf[CURL_ERROR_SIZE];
};

/* One HTTP exchange (plus its redirects and auth retries). */
struct xfer {
        const char *method;
        char *url;
        char *const *scopes; /* NULL: the ping challenge's scope */
        const char *accept, *content_type;
        bool follow, no_auth;
        /* request body: a buffer, or body_fd >= 0 (pread from 0) */
        const char *body;
        size_t body_len;
        int body_fd;
        uint64_t body_size, body_off;
        /* response */
        long status;
        char *ctype, *docker_digest, *location, *www_auth;
        uint64_t length;
        bool have_length;
        char *resp;
        size_t resp_len, resp_max;
        /* 2xx bodies go to out_fd (digested) when out_fd >= 0 */
        int out_fd;
        struct digester *dg;
        uint64_t written, expect;
        void (*progress)(void *ud, uint64_t done, uint64_t total);
        void *ud;
        int sink_errno;
        char *sink_msg;
};

/* Frees what an exchange holds (not x itself). */
void registry_xfer_done(struct xfer *x);

/* The response's error, as podman words it (never NULL). */
char *registry_error_text(const struct xfer *x);

/* Chooses the scheme with GET /v2/ (https, then http when allowed) and learns the auth;
 * sets r->base.  Does nothing once done. */
int registry_detect(struct registry *r, struct cu_error **err);

/* base + relative or absolute location (+ query when add_query); NULL when invalid. */
char *registry_resolve_url(const char *base, const char *loc, const char *add_query);

/* A registry request: pings first, authenticates, retries once on 401 with a
 * new challenge, follows redirects when x->follow.  0 with x->status, or -errno. */
int registry_request(struct registry *r, struct xfer *x, struct cu_error **err);
