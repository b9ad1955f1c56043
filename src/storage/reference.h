/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Image references as docker/podman write them:
 *   [domain[:port]/]path[:tag][@sha256:hex]
 * Parsing checks the grammar of distribution/reference; normalization adds
 * what podman adds: a domain ("localhost" for local names, "docker.io" with
 * "library/" for pulls) and the "latest" tag when neither tag nor digest is
 * given.
 */
#pragma once

#include <stdbool.h>

#include "util/error.h"

struct image_ref {
        char *domain; /* NULL when the reference has none */
        char *path;   /* "library/busybox" */
        char *tag;    /* NULL when absent */
        char *digest; /* "sha256:…" or NULL */
};

void image_ref_done(struct image_ref *r);

/* Parses s without normalizing.  Errors: "invalid reference format",
 * "repository name must be lowercase", … (podman's wording). */
int image_ref_parse(const char *s, struct image_ref *ret, struct cu_error **err);

/* Adds default_domain when there is none ("docker.io" also adds "library/"
 * to one-component paths) and ":latest" when there is neither tag nor
 * digest. */
int image_ref_normalize(struct image_ref *r, const char *default_domain, struct cu_error **err);

/* "domain/path[:tag][@digest]" (domain omitted when NULL). */
char *image_ref_string(const struct image_ref *r);

/* "domain/path" only. */
char *image_ref_repository(const struct image_ref *r);

/* Parses and normalizes in one go: returns the full string. */
char *image_ref_normalize_string(const char *s, const char *default_domain, struct cu_error **err);

/* True for 64 lowercase hex characters (an image or container ID). */
bool is_full_id(const char *s);

/* True when s is a prefix of an ID (1..64 lowercase hex characters). */
bool is_id_prefix(const char *s);
