/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Images as podman shows them: list rows, `images --format json`, inspect, history. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "storage/images.h"

struct store;

/* One row of `images` for one of the image's names (name NULL: "<none>"). */
json_t *image_row_json(const struct image_rec *im, const char *name, bool no_trunc, int containers);
/* One element of `images --format json`. */
json_t *image_list_json(const struct image_rec *im, int containers);
/* One element of `image inspect`. */
json_t *image_inspect_json(struct store *s, const struct image_rec *im);
/* `image history` rows, newest first. */
json_t *image_history_json(struct store *s, const struct image_rec *im, bool no_trunc, bool human);

/* Splits "domain/path:tag" into repository and tag ("<none>" when absent). */
void image_name_split(const char *name, char **repo, char **tag);

/* `images --filter` (podman's): returns 1 keep, 0 drop, -errno (err) for a bad filter. */
struct image_filters;
int image_filters_parse(char *const *specs, struct image_filters **ret, struct db *db, struct cu_error **err);
bool image_filters_match(const struct image_filters *f, const struct image_rec *im, int containers);
struct image_filters *image_filters_free(struct image_filters *f);

/* Containers (in the engine's table) made from the image. */
int image_container_count(struct db *db, const char *image_id);

/* The image's name that the user's argument means (NULL when it is an ID). */
const char *image_name_for_arg(const struct image_rec *im, const char *arg);
