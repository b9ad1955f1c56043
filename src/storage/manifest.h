/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Image manifests and indexes (OCI and Docker schema 2), and image configs. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "digest.h"
#include "util/error.h"

#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define MT_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define MT_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define MT_DOCKER_LAYER "application/vnd.docker.image.rootfs.diff.tar"
#define MT_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"

struct descriptor {
        char *media_type;
        char digest[DIGEST_STR_LEN + 1];
        uint64_t size;
        char *os, *arch, *variant; /* index entries */
        char *ref_name;            /* org.opencontainers.image.ref.name (OCI layouts) */
};

struct manifest {
        char *media_type;
        struct descriptor config;
        struct descriptor *layers;
        size_t n_layers;
};

struct image_index {
        char *media_type;
        struct descriptor *manifests;
        size_t n;
};

void descriptor_done(struct descriptor *d);
void manifest_done(struct manifest *m);
void image_index_done(struct image_index *x);

/* Media type of a manifest document: its mediaType field, else guessed from
 * its shape.  Schema 1 and unknown types are errors. */
int manifest_kind(const char *data, size_t len, const char *hint, char **ret_type,
                  struct cu_error **err);
bool media_type_is_index(const char *t);
bool media_type_is_manifest(const char *t);
bool media_type_is_layer(const char *t);

int manifest_parse(const char *data, size_t len, struct manifest *ret, struct cu_error **err);
int image_index_parse(const char *data, size_t len, struct image_index *ret, struct cu_error **err);

/* The entry for os/arch/variant (variant may be NULL: any; arch "amd64"…). */
int image_index_select(const struct image_index *x, const char *os, const char *arch,
                       const char *variant, const struct descriptor **ret, struct cu_error **err);

/* Builds a manifest document (compact JSON). */
char *manifest_build(const char *media_type, const struct descriptor *config,
                     const struct descriptor *layers, size_t n);

/* The parts of an image config the store needs. */
struct image_config_info {
        char **diff_ids;
        size_t n_diff_ids;
        int64_t created; /* ns since the epoch, 0 if absent */
        char *os, *arch, *variant;
};
void image_config_info_done(struct image_config_info *c);
int image_config_parse(const char *data, size_t len, struct image_config_info *ret,
                       struct cu_error **err);

/* RFC 3339 (with optional fraction and zone) ↔ ns since the epoch. */
int parse_rfc3339(const char *s, int64_t *ret);
char *format_rfc3339(int64_t ns); /* "2006-01-02T15:04:05.999999999Z" (UTC, trailing zeros cut) */

/* The host's platform in OCI terms ("amd64", "arm64", …). */
const char *host_oci_arch(void);
