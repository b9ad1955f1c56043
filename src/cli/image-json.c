/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image-json.h"
#include "output.h"
#include "storage/manifest.h"
#include "storage/reference.h"
#include "storage/store.h"
#include "util/json.h"
#include "state/db.h"
#include "util/strv.h"

void image_name_split(const char *name, char **repo, char **tag)
{
        struct image_ref r = { 0 };
        if (name && image_ref_parse(name, &r, NULL) == 0) {
                *repo = image_ref_repository(&r);
                *tag = strdup(r.tag ? r.tag : "<none>");
                image_ref_done(&r);
                return;
        }
        *repo = strdup("<none>");
        *tag = strdup("<none>");
}

static json_t *config_obj(const struct image_rec *im, json_t **root)
{
        *root = json_loads(im->config, 0, NULL);
        json_t *c = json_object_get(*root, "config");
        return json_is_object(c) ? c : NULL;
}

static json_t *repo_digests(const struct image_rec *im)
{
        json_t *a = json_array();
        for (size_t i = 0; im->names && im->names[i]; i++) {
                _cleanup_free_ char *repo = NULL, *tag = NULL;
                image_name_split(im->names[i], &repo, &tag);
                for (size_t d = 0; im->digests && im->digests[d]; d++) {
                        char *s = NULL;
                        if (asprintf(&s, "%s@%s", repo, im->digests[d]) < 0)
                                continue;
                        bool dup = false;
                        size_t k;
                        json_t *x;
                        json_array_foreach(a, k, x) dup = dup || strcmp(json_string_value(x), s) == 0;
                        if (!dup)
                                json_array_append_new(a, json_string(s));
                        free(s);
                }
        }
        return a;
}

/* Names that are tags (not name@digest). */
static json_t *repo_tags(const struct image_rec *im)
{
        json_t *a = json_array();
        for (size_t i = 0; im->names && im->names[i]; i++)
                if (!strchr(im->names[i], '@'))
                        json_array_append_new(a, json_string(im->names[i]));
        return a;
}

json_t *image_row_json(const struct image_rec *im, const char *name, bool no_trunc, int containers)
{
        char idbuf[DIGEST_STR_LEN + 1], since[48], at[64];
        if (no_trunc)
                snprintf(idbuf, sizeof(idbuf), "sha256:%s", im->id);
        else
                snprintf(idbuf, sizeof(idbuf), "%.12s", im->id);
        _cleanup_free_ char *repo = NULL, *tag = NULL;
        image_name_split(name, &repo, &tag);
        _cleanup_json_ json_t *root = NULL;
        json_t *cfg = config_obj(im, &root);
        json_t *labels = json_object_get(cfg, "Labels");
        _cleanup_strv_ char **hist = strv_copy(im->names);
        _cleanup_free_ char *history = NULL;
        {
                /* newest first, joined as podman prints NamesHistory */
                size_t n = strv_length(hist);
                for (size_t i = 0; i < n / 2; i++) {
                        char *t = hist[i];
                        hist[i] = hist[n - 1 - i];
                        hist[n - 1 - i] = t;
                }
                history = strv_join(hist, ", ");
        }
        human_since(im->created, since);
        return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:o, s:o, s:b, s:i, s:b, s:s, s:I, s:I}",
                         "ID", idbuf, "Id", im->id, "Repository", repo, "Tag", tag, "Digest", im->digest,
                         "CreatedSince", since, "CreatedAt", go_time_string(im->created, at),
                         "Size", (json_int_t) im->size, "Created", since,
                         "Names", json_from_strv(im->names),
                         "Labels", json_is_object(labels) ? json_incref(labels) : json_object(),
                         "Dangling", im->names == NULL || im->names[0] == NULL,
                         "Containers", containers, "ReadOnly", false,
                         "History", history ? history : "",
                         "VirtualSize", (json_int_t) im->size,
                         "SharedSize", (json_int_t) 0);
}

json_t *image_list_json(const struct image_rec *im, int containers)
{
        _cleanup_json_ json_t *root = NULL;
        json_t *cfg = config_obj(im, &root);
        json_t *labels = json_object_get(cfg, "Labels");
        json_t *tags = repo_tags(im);
        json_t *names = json_from_strv(im->names);
        json_t *hist = json_array();
        for (size_t n = strv_length(im->names); n-- > 0;)
                json_array_append_new(hist, json_string(im->names[n]));
        _cleanup_free_ char *created_at = NULL;
        {
                char *s = format_rfc3339(im->created - im->created % 1000000000LL);
                created_at = s;
        }
        json_t *o = json_pack("{s:s, s:s, s:o, s:o, s:I, s:I, s:I, s:O, s:i, s:o, s:s, s:o, s:I, s:s}",
                              "Id", im->id, "ParentId", "",
                              "RepoTags", json_array_size(tags) ? tags : (json_decref(tags), json_null()),
                              "RepoDigests", repo_digests(im), "Size", (json_int_t) im->size,
                              "SharedSize", (json_int_t) 0, "VirtualSize", (json_int_t) im->size,
                              "Labels", json_is_object(labels) ? labels : json_null(),
                              "Containers", containers,
                              "Names", json_array_size(names) ? names : (json_decref(names), json_null()),
                              "Digest", im->digest,
                              "History", json_array_size(hist) ? hist : (json_decref(hist), json_null()),
                              "Created", (json_int_t) (im->created / 1000000000LL),
                              "CreatedAt", created_at ? created_at : "");
        return o;
}

json_t *image_inspect_json(struct store *s, const struct image_rec *im)
{
        _cleanup_json_ json_t *root = json_loads(im->config, 0, NULL);
        json_t *cfg = json_object_get(root, "config");
        json_t *history = json_object_get(root, "history");
        const char *comment = "";
        if (json_is_array(history) && json_array_size(history) > 0) {
                const char *c = json_string_value(json_object_get(json_array_get(history, json_array_size(history) - 1),
                                                                  "comment"));
                if (c)
                        comment = c;
        }
        json_t *diff_ids = json_object_get(json_object_get(root, "rootfs"), "diff_ids");
        _cleanup_free_ char *created = format_rfc3339(im->created);
        json_t *tags = repo_tags(im);
        json_t *labels = json_object_get(cfg, "Labels");
        const char *user = json_string_value(json_object_get(cfg, "User"));
        json_t *manifest = json_loads(im->manifest, 0, NULL);
        json_t *ann = json_object_get(manifest, "annotations");
        json_t *o = json_pack("{s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:I, s:I}",
                              "Id", im->id, "Digest", im->digest, "RepoTags", tags,
                              "RepoDigests", repo_digests(im), "Parent", "", "Comment", comment,
                              "Created", created ? created : "",
                              "Config", json_is_object(cfg) ? json_incref(cfg) : json_object(),
                              "Version", json_string_value(json_object_get(root, "docker_version")) ?: "",
                              "Author", json_string_value(json_object_get(root, "author")) ?: "",
                              "Architecture", json_string_value(json_object_get(root, "architecture")) ?: "",
                              "Os", json_string_value(json_object_get(root, "os")) ?: "",
                              "Size", (json_int_t) im->size, "VirtualSize", (json_int_t) im->size);
        if (!o) {
                json_decref(manifest);
                return NULL;
        }
        const char *variant = json_string_value(json_object_get(root, "variant"));
        if (variant)
                json_object_set_new(o, "Variant", json_string(variant));
        json_t *gd = json_object();
        json_object_set_new(gd, "Name", json_string(store_driver_name(s->driver)));
        if (s->driver == STORE_DRIVER_OVERLAY && im->layers && im->layers[0]) {
                _cleanup_strv_ char **lower = NULL;
                size_t n = strv_length(im->layers);
                for (size_t i = n; i-- > 0;) {
                        char *p = NULL;
                        if (asprintf(&p, "%s/layers/overlay/%s", s->root, digest_hex(im->layers[i])) >= 0) {
                                strv_push(&lower, p);
                        }
                }
                json_object_set_new(gd, "Data", json_pack("{s:s}", "LowerDir", "", "UpperDir", ""));
                _cleanup_free_ char *top = strv_length(lower) ? strdup(lower[0]) : NULL;
                _cleanup_free_ char *rest = strv_length(lower) > 1 ? strv_join(lower + 1, ":") : NULL;
                json_object_set_new(gd, "Data", json_pack("{s:s}", "UpperDir", top ? top : ""));
                if (rest)
                        json_object_set_new(json_object_get(gd, "Data"), "LowerDir", json_string(rest));
        } else {
                json_object_set_new(gd, "Data", json_null());
        }
        json_object_set_new(o, "GraphDriver", gd);
        json_object_set_new(o, "RootFS", json_pack("{s:s, s:o}", "Type", "layers", "Layers",
                                                   json_is_array(diff_ids) ? json_incref(diff_ids) : json_array()));
        json_object_set(o, "Labels", json_is_object(labels) ? labels : json_null());
        json_object_set_new(o, "Annotations", json_is_object(ann) ? json_incref(ann) : json_object());
        json_object_set_new(o, "ManifestType", json_string(im->manifest_type));
        json_object_set_new(o, "User", json_string(user ? user : ""));
        json_object_set_new(o, "History", json_is_array(history) ? json_incref(history) : json_array());
        json_t *nh = json_array();
        for (size_t n = strv_length(im->names); n-- > 0;)
                json_array_append_new(nh, json_string(im->names[n]));
        json_object_set_new(o, "NamesHistory", nh);
        json_decref(manifest);
        return o;
}

json_t *image_history_json(struct store *s, const struct image_rec *im, bool no_trunc, bool human)
{
        _cleanup_json_ json_t *root = json_loads(im->config, 0, NULL);
        json_t *history = json_object_get(root, "history");
        json_t *out = json_array();
        size_t nl = strv_length(im->layers);
        /* history entries that made a layer, matched to layers in order */
        size_t layer = 0, n = json_array_size(history);
        json_t **rows = calloc(n + 1, sizeof(json_t *));
        for (size_t i = 0; rows && i < n; i++) {
                json_t *h = json_array_get(history, i);
                bool empty = json_is_true(json_object_get(h, "empty_layer"));
                uint64_t size = 0;
                if (!empty && layer < nl) {
                        images_layer_size(s->db, im->layers[layer], &size);
                        layer++;
                }
                const char *created = json_string_value(json_object_get(h, "created"));
                int64_t ns = 0;
                if (created)
                        parse_rfc3339(created, &ns);
                char since[48], sz[32];
                const char *by = json_string_value(json_object_get(h, "created_by")) ?: "";
                _cleanup_free_ char *by_short = NULL;
                if (!no_trunc && strlen(by) > 45) {
                        if (asprintf(&by_short, "%.42s...", by) < 0)
                                by_short = NULL;
                }
                rows[i] = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}",
                                    "ID", "<missing>",
                                    "Created", human ? human_since(ns, since) : (created ? created : ""),
                                    "CreatedBy", by_short ? by_short : by,
                                    "Comment", json_string_value(json_object_get(h, "comment")) ?: "",
                                    "Size", human ? human_size(size, sz) : "",
                                    "size", (json_int_t) size);
                if (!human)
                        json_object_set_new(rows[i], "Size", json_integer((json_int_t) size));
        }
        for (size_t i = n; rows && i-- > 0;) {
                if (i == n - 1) {
                        char id[DIGEST_STR_LEN + 1];
                        snprintf(id, sizeof(id), no_trunc ? "sha256:%s" : "%.12s", im->id);
                        json_object_set_new(rows[i], "ID", json_string(id));
                }
                json_array_append_new(out, rows[i]);
        }
        free(rows);
        return out;
}

struct image_filters {
        int dangling; /* -1 any */
        char **references;
        char **labels; /* "k" or "k=v" */
        int64_t before, since; /* created ns; 0 none */
        char **ids;
};

struct image_filters *image_filters_free(struct image_filters *f)
{
        if (f) {
                strv_free(f->references);
                strv_free(f->labels);
                strv_free(f->ids);
                free(f);
        }
        return NULL;
}

int image_filters_parse(char *const *specs, struct image_filters **ret, struct db *db, struct cu_error **err)
{
        struct image_filters *f = calloc(1, sizeof(*f));
        if (!f)
                return -ENOMEM;
        f->dangling = -1;
        for (size_t i = 0; specs && specs[i]; i++) {
                const char *eq = strchr(specs[i], '=');
                if (!eq) {
                        image_filters_free(f);
                        return cu_error_setx(err, EINVAL, "invalid image filter \"%s\": filters must be KEY=VALUE", specs[i]);
                }
                _cleanup_free_ char *key = strndup(specs[i], (size_t) (eq - specs[i]));
                const char *val = eq + 1;
                int r = 0;
                if (strcmp(key, "dangling") == 0) {
                        if (strcmp(val, "true") == 0)
                                f->dangling = 1;
                        else if (strcmp(val, "false") == 0)
                                f->dangling = 0;
                        else
                                r = cu_error_setx(err, EINVAL, "invalid dangling filter value \"%s\"", val);
                } else if (strcmp(key, "reference") == 0) {
                        r = strv_extend(&f->references, val);
                } else if (strcmp(key, "label") == 0) {
                        r = strv_extend(&f->labels, val);
                } else if (strcmp(key, "id") == 0) {
                        r = strv_extend(&f->ids, val);
                } else if (strcmp(key, "before") == 0 || strcmp(key, "since") == 0) {
                        _cleanup_image_rec_ struct image_rec *im = NULL;
                        r = image_lookup(db, val, &im, err);
                        if (r >= 0) {
                                if (key[0] == 'b')
                                        f->before = im->created;
                                else
                                        f->since = im->created;
                        }
                } else {
                        r = cu_error_setx(err, EINVAL, "unsupported image filter %s", key);
                }
                if (r < 0) {
                        image_filters_free(f);
                        return r;
                }
        }
        *ret = f;
        return 0;
}

static bool ref_matches(const char *pattern, const struct image_rec *im)
{
        for (size_t i = 0; im->names && im->names[i]; i++) {
                const char *n = im->names[i];
                _cleanup_free_ char *repo = NULL, *tag = NULL;
                image_name_split(n, &repo, &tag);
                const char *short_name = strchr(n, '/') ? strchr(n, '/') + 1 : n;
                const char *short_repo = strchr(repo, '/') ? strchr(repo, '/') + 1 : repo;
                const char *base = strrchr(repo, '/') ? strrchr(repo, '/') + 1 : repo;
                const char *cands[] = { n, repo, short_name, short_repo, base };
                for (size_t k = 0; k < sizeof(cands) / sizeof(cands[0]); k++)
                        if (fnmatch(pattern, cands[k], 0) == 0)
                                return true;
        }
        return false;
}

bool image_filters_match(const struct image_filters *f, const struct image_rec *im, int containers)
{
        (void) containers;
        bool dangling = !im->names || !im->names[0];
        if (f->dangling >= 0 && dangling != (f->dangling == 1))
                return false;
        for (size_t i = 0; f->references && f->references[i]; i++)
                if (!ref_matches(f->references[i], im))
                        return false;
        if (f->labels) {
                _cleanup_json_ json_t *root = json_loads(im->config, 0, NULL);
                json_t *labels = json_object_get(json_object_get(root, "config"), "Labels");
                for (size_t i = 0; f->labels[i]; i++) {
                        const char *eq = strchr(f->labels[i], '=');
                        _cleanup_free_ char *k = eq ? strndup(f->labels[i], (size_t) (eq - f->labels[i])) : strdup(f->labels[i]);
                        const char *v = json_string_value(json_object_get(labels, k));
                        if (!v || (eq && strcmp(v, eq + 1) != 0))
                                return false;
                }
        }
        for (size_t i = 0; f->ids && f->ids[i]; i++)
                if (strncmp(im->id, f->ids[i], strlen(f->ids[i])) != 0)
                        return false;
        if (f->before && im->created >= f->before)
                return false;
        if (f->since && im->created <= f->since)
                return false;
        return true;
}

int image_container_count(struct db *db, const char *image_id)
{
        /* The containers table belongs to the engine; it may not exist yet. */
        struct cu_error *e = NULL;
        sqlite3_stmt *st = db_stmt(db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'containers'", &e);
        cu_error_free(e);
        if (!st)
                return 0;
        bool have = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
        sqlite3_reset(st);
        if (!have)
                return 0;
        st = db_stmt(db, "SELECT COUNT(*) FROM containers WHERE image_id = ?1", NULL);
        if (!st)
                return 0;
        sqlite3_bind_text(st, 1, image_id, -1, SQLITE_TRANSIENT);
        int n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
        sqlite3_reset(st);
        return n;
}


const char *image_name_for_arg(const struct image_rec *im, const char *arg)
{
        if (strncmp(arg, "sha256:", 7) == 0 || is_full_id(arg))
                return NULL;
        _cleanup_free_ char *local = image_ref_normalize_string(arg, "localhost", NULL);
        _cleanup_free_ char *hub = image_ref_normalize_string(arg, "docker.io", NULL);
        _cleanup_free_ char *suffix = NULL;
        struct image_ref r = { 0 };
        if (image_ref_parse(arg, &r, NULL) == 0 &&
            asprintf(&suffix, "/%s%s%s", arg, r.tag || r.digest ? "" : ":", r.tag || r.digest ? "" : "latest") < 0)
                suffix = NULL;
        image_ref_done(&r);
        for (size_t k = 0; im->names && im->names[k]; k++) {
                const char *n = im->names[k];
                if ((local && strcmp(n, local) == 0) || (hub && strcmp(n, hub) == 0))
                        return n;
        }
        for (size_t k = 0; suffix && im->names && im->names[k]; k++) {
                const char *n = im->names[k];
                size_t nl = strlen(n), sl = strlen(suffix);
                if (nl > sl && strcmp(n + nl - sl, suffix) == 0)
                        return n;
        }
        return NULL;
}
