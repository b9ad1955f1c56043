/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An OCI distribution (registry v2) client over libcurl: one easy handle per
 * registry, reused (keep-alive), HTTP/1.1.
 *
 * The first request pings GET /v2/ to choose the scheme (https; plain http
 * as well when tls_verify is false or the registry is insecure, if https
 * fails) and to learn the auth scheme: none, Basic (credentials sent with
 * every request) or Bearer (tokens fetched from the realm per repository
 * scope, with Basic credentials when known, cached until they expire; a 401
 * with a new challenge fetches a new token once).  Errors read like
 * containers/image's ("reading manifest latest in 127.0.0.1:5000/foo:
 * manifest unknown").  Only cuttle-registry links this (libcurl).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/digest.h"
#include "util/error.h"

#define REGISTRY_SIZE_UNKNOWN UINT64_MAX

#define MEDIA_TYPE_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MEDIA_TYPE_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MEDIA_TYPE_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MEDIA_TYPE_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"

struct registry_opts {
        bool tls_verify; /* false: accept bad certificates and fall back to plain http */
        bool insecure;   /* from registries.conf: the same, for this registry */
        const char *username, *password; /* NULL: anonymous */
        const char *user_agent;          /* NULL: "cuttle/<version>" */
};

struct registry;

/* host: "127.0.0.1:5000", "quay.io"; "docker.io" talks to registry-1.docker.io.
 * Nothing is sent yet. */
struct registry *registry_new(const char *host, const struct registry_opts *o,
                              struct cu_error **err);
struct registry *registry_free(struct registry *r);
DEFINE_CLEANUP_FUNC(struct registry *, registry_free)
#define _cleanup_registry_ _cleanup_(registry_freep)

/* GET /v2/ with the credentials (a login check): 0, or -EACCES "unable to
 * retrieve auth token: invalid username/password: …" for refused ones. */
int registry_ping(struct registry *r, struct cu_error **err);

/* Fetches a manifest or index (Accept: OCI manifest+index, Docker schema2 +
 * list).  By digest: the body must hash to it.  By tag: its digest is
 * computed (and must equal a sha256 Docker-Content-Digest header).  *body is
 * NUL-terminated, at most 4 MiB; *media_type from Content-Type, else from the
 * body.  -ENOENT for an unknown manifest. */
int registry_get_manifest(struct registry *r, const char *repo, const char *tag_or_digest,
                          char **body, size_t *len, char **media_type,
                          char digest[static DIGEST_STR_LEN + 1], struct cu_error **err);

/* Streams a blob to out_fd (following redirects, without the Authorization
 * header when they leave the registry's host), verifying its sha256 and its
 * size (expected_size, or REGISTRY_SIZE_UNKNOWN).  progress may be NULL. */
int registry_get_blob(struct registry *r, const char *repo, const char *digest, int out_fd,
                      uint64_t expected_size,
                      void (*progress)(void *ud, uint64_t done, uint64_t total), void *ud,
                      struct cu_error **err);

/* HEAD: 1 (and *size if non-NULL) when the blob is there, 0 when not. */
int registry_blob_exists(struct registry *r, const char *repo, const char *digest,
                         uint64_t *size, struct cu_error **err);

/* Cross-repository mount: 1 mounted, 0 not (the upload it opened is cancelled). */
int registry_mount_blob(struct registry *r, const char *repo, const char *digest,
                        const char *from_repo, struct cu_error **err);

/* Monolithic upload (POST then PUT ?digest=) of size bytes read from fd at
 * offset 0 (pread).  The registry checks the digest. */
int registry_put_blob(struct registry *r, const char *repo, const char *digest, int fd,
                      uint64_t size, struct cu_error **err);

int registry_put_manifest(struct registry *r, const char *repo, const char *tag_or_digest,
                          const char *body, size_t len, const char *media_type,
                          struct cu_error **err);
