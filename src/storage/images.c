/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "images.h"
#include "reference.h"
#include "state/db.h"
#include "util/strv.h"

static const char *const images_schema[] = {
        /* v1 */
        "CREATE TABLE layers ("
        "  id TEXT PRIMARY KEY,"          /* chain ID */
        "  parent TEXT,"
        "  diff_id TEXT NOT NULL,"
        "  size INTEGER NOT NULL,"
        "  created INTEGER NOT NULL);"
        "CREATE TABLE images ("
        "  id TEXT PRIMARY KEY,"          /* config digest hex */
        "  digest TEXT NOT NULL,"         /* manifest digest */
        "  manifest TEXT NOT NULL,"
        "  manifest_type TEXT NOT NULL,"
        "  config TEXT NOT NULL,"
        "  created INTEGER NOT NULL,"
        "  added INTEGER NOT NULL,"
        "  size INTEGER NOT NULL);"
        "CREATE TABLE image_names ("
        "  name TEXT PRIMARY KEY,"
        "  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,"
        "  added INTEGER NOT NULL);"
        "CREATE INDEX image_names_by_image ON image_names(image_id);"
        "CREATE TABLE image_digests ("
        "  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,"
        "  digest TEXT NOT NULL,"
        "  PRIMARY KEY (image_id, digest));"
        "CREATE TABLE image_layers ("
        "  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,"
        "  idx INTEGER NOT NULL,"
        "  layer_id TEXT NOT NULL REFERENCES layers(id),"
        "  PRIMARY KEY (image_id, idx));"
        "CREATE INDEX image_layers_by_layer ON image_layers(layer_id);"
        "CREATE TABLE image_blobs ("
        "  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,"
        "  digest TEXT NOT NULL,"
        "  PRIMARY KEY (image_id, digest));"
        "CREATE INDEX image_blobs_by_digest ON image_blobs(digest);",
};

int images_db_init(struct db *db, struct cu_error **err)
{
        return db_migrate(db, "images", images_schema,
                          sizeof(images_schema) / sizeof(images_schema[0]), err);
}

static int64_t now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int step_done(struct db *db, sqlite3_stmt *st, const char *what, struct cu_error **err)
{
        int rc = sqlite3_step(st);
        if (rc != SQLITE_DONE && rc != SQLITE_ROW)
                return cu_error_setx(err, EIO, "%s: %s", what, sqlite3_errmsg(db_handle(db)));
        return 0;
}

#define STMT(var, sql)                                   \
        sqlite3_stmt *var = db_stmt(db, sql, err);       \
        if (!var)                                        \
                return -EIO

struct image_rec *image_rec_free(struct image_rec *im)
{
        if (!im)
                return NULL;
        free(im->digest);
        free(im->manifest);
        free(im->manifest_type);
        free(im->config);
        strv_free(im->names);
        strv_free(im->digests);
        strv_free(im->layers);
        free(im);
        return NULL;
}

void image_recs_free(struct image_rec **v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                image_rec_free(v[i]);
        free(v);
}

static char *col_dup(sqlite3_stmt *st, int i)
{
        const unsigned char *t = sqlite3_column_text(st, i);
        return strdup(t ? (const char *) t : "");
}

static int fill_lists(struct db *db, struct image_rec *im, struct cu_error **err)
{
        STMT(names, "SELECT name FROM image_names WHERE image_id = ?1 ORDER BY added DESC, name");
        sqlite3_bind_text(names, 1, im->id, -1, SQLITE_STATIC);
        while (sqlite3_step(names) == SQLITE_ROW)
                if (strv_extend(&im->names, (const char *) sqlite3_column_text(names, 0)) < 0)
                        return -ENOMEM;
        sqlite3_reset(names);
        STMT(digests, "SELECT digest FROM image_digests WHERE image_id = ?1 ORDER BY rowid");
        sqlite3_bind_text(digests, 1, im->id, -1, SQLITE_STATIC);
        while (sqlite3_step(digests) == SQLITE_ROW)
                if (strv_extend(&im->digests, (const char *) sqlite3_column_text(digests, 0)) < 0)
                        return -ENOMEM;
        sqlite3_reset(digests);
        STMT(layers, "SELECT layer_id FROM image_layers WHERE image_id = ?1 ORDER BY idx");
        sqlite3_bind_text(layers, 1, im->id, -1, SQLITE_STATIC);
        while (sqlite3_step(layers) == SQLITE_ROW)
                if (strv_extend(&im->layers, (const char *) sqlite3_column_text(layers, 0)) < 0)
                        return -ENOMEM;
        sqlite3_reset(layers);
        return 0;
}

#define IMAGE_COLS "id, digest, manifest, manifest_type, config, created, added, size"

static struct image_rec *row_to_image(sqlite3_stmt *st)
{
        struct image_rec *im = calloc(1, sizeof(*im));
        if (!im)
                return NULL;
        snprintf(im->id, sizeof(im->id), "%s", (const char *) sqlite3_column_text(st, 0));
        im->digest = col_dup(st, 1);
        im->manifest = col_dup(st, 2);
        im->manifest_type = col_dup(st, 3);
        im->config = col_dup(st, 4);
        im->created = sqlite3_column_int64(st, 5);
        im->added = sqlite3_column_int64(st, 6);
        im->size = (uint64_t) sqlite3_column_int64(st, 7);
        if (!im->digest || !im->manifest || !im->manifest_type || !im->config)
                return image_rec_free(im);
        return im;
}

int image_get(struct db *db, const char *id, struct image_rec **ret, struct cu_error **err)
{
        STMT(st, "SELECT " IMAGE_COLS " FROM images WHERE id = ?1");
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(st);
        if (rc != SQLITE_ROW) {
                sqlite3_reset(st);
                if (rc != SQLITE_DONE)
                        return cu_error_setx(err, EIO, "reading image %s: %s", id,
                                             sqlite3_errmsg(db_handle(db)));
                return cu_error_setx(err, ENOENT, "%s: image not known", id);
        }
        _cleanup_image_rec_ struct image_rec *im = row_to_image(st);
        sqlite3_reset(st);
        if (!im)
                return -ENOMEM;
        int r = fill_lists(db, im, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(im);
        return 0;
}

int images_list(struct db *db, struct image_rec ***ret, size_t *n, struct cu_error **err)
{
        STMT(st, "SELECT " IMAGE_COLS " FROM images ORDER BY created DESC, id");
        struct image_rec **v = NULL;
        size_t cnt = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                struct image_rec **nv = realloc(v, (cnt + 1) * sizeof(*v));
                if (!nv)
                        goto oom;
                v = nv;
                v[cnt] = row_to_image(st);
                if (!v[cnt])
                        goto oom;
                cnt++;
        }
        sqlite3_reset(st);
        if (rc != SQLITE_DONE) {
                image_recs_free(v, cnt);
                return cu_error_setx(err, EIO, "listing images: %s", sqlite3_errmsg(db_handle(db)));
        }
        /* Names, digests and layers of all images in three queries. */
        for (size_t i = 0; i < cnt; i++) {
                int r = fill_lists(db, v[i], err);
                if (r < 0) {
                        image_recs_free(v, cnt);
                        return r;
                }
        }
        *ret = v;
        *n = cnt;
        return 0;
oom:
        sqlite3_reset(st);
        image_recs_free(v, cnt);
        return -ENOMEM;
}

static int find_by_name(struct db *db, const char *name, char id[static DIGEST_HEX_LEN + 1])
{
        struct cu_error *e = NULL;
        sqlite3_stmt *st = db_stmt(db, "SELECT image_id FROM image_names WHERE name = ?1", &e);
        cu_error_free(e);
        if (!st)
                return -EIO;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        int r = -ENOENT;
        if (sqlite3_step(st) == SQLITE_ROW) {
                snprintf(id, DIGEST_HEX_LEN + 1, "%s", (const char *) sqlite3_column_text(st, 0));
                r = 0;
        }
        sqlite3_reset(st);
        return r;
}

static int find_by_id_prefix(struct db *db, const char *prefix, char id[static DIGEST_HEX_LEN + 1],
                             struct cu_error **err)
{
        STMT(st, "SELECT id FROM images WHERE id >= ?1 AND id < ?1 || 'g' ORDER BY id LIMIT 2");
        sqlite3_bind_text(st, 1, prefix, -1, SQLITE_TRANSIENT);
        int n = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
                if (n++ == 0)
                        snprintf(id, DIGEST_HEX_LEN + 1, "%s", (const char *) sqlite3_column_text(st, 0));
        }
        sqlite3_reset(st);
        if (n > 1)
                return cu_error_setx(err, EINVAL, "%s: image not known: more than one image has "
                                     "the ID prefix %s", prefix, prefix);
        return n == 1 ? 0 : -ENOENT;
}

/* Short names: any stored name whose repository path ends with "/path"
 * and whose tag/digest matches; the most recently added wins. */
static int find_by_suffix(struct db *db, const struct image_ref *r, char id[static DIGEST_HEX_LEN + 1])
{
        _cleanup_free_ char *suffix = NULL;
        if (asprintf(&suffix, "/%s%s%s%s%s", r->path, r->tag ? ":" : "", r->tag ? r->tag : "",
                     r->digest ? "@" : "", r->digest ? r->digest : "") < 0)
                return -ENOMEM;
        struct cu_error *e = NULL;
        sqlite3_stmt *st = db_stmt(db, "SELECT image_id, name FROM image_names ORDER BY added DESC", &e);
        cu_error_free(e);
        if (!st)
                return -EIO;
        int res = -ENOENT;
        size_t sl = strlen(suffix);
        while (sqlite3_step(st) == SQLITE_ROW) {
                const char *name = (const char *) sqlite3_column_text(st, 1);
                size_t nl = strlen(name);
                if (nl > sl && strcmp(name + nl - sl, suffix) == 0) {
                        snprintf(id, DIGEST_HEX_LEN + 1, "%s", (const char *) sqlite3_column_text(st, 0));
                        res = 0;
                        break;
                }
        }
        sqlite3_reset(st);
        return res;
}

static int find_by_digest(struct db *db, const struct image_ref *r, char id[static DIGEST_HEX_LEN + 1])
{
        /* name@digest: an image with that manifest digest and a name in that repository
         * (or any image with that digest when the repository is not known locally). */
        struct cu_error *e = NULL;
        sqlite3_stmt *st = db_stmt(db, "SELECT image_id FROM image_digests WHERE digest = ?1", &e);
        cu_error_free(e);
        if (!st)
                return -EIO;
        sqlite3_bind_text(st, 1, r->digest, -1, SQLITE_TRANSIENT);
        int res = -ENOENT;
        if (sqlite3_step(st) == SQLITE_ROW) {
                snprintf(id, DIGEST_HEX_LEN + 1, "%s", (const char *) sqlite3_column_text(st, 0));
                res = 0;
        }
        sqlite3_reset(st);
        return res;
}

int image_lookup(struct db *db, const char *name, struct image_rec **ret, struct cu_error **err)
{
        char id[DIGEST_HEX_LEN + 1];
        int r = -ENOENT;
        const char *s = name;
        if (strncmp(s, "sha256:", 7) == 0 && is_id_prefix(s + 7))
                s += 7;
        /* A full ID (or "sha256:" + prefix) is an ID; anything else is a name
         * first and an ID prefix only when no name matches (as c/storage). */
        if (is_full_id(s) || (s != name && is_id_prefix(s))) {
                r = find_by_id_prefix(db, s, id, err);
                if (r < 0 && r != -ENOENT)
                        return r;
        }
        if (r == -ENOENT && s == name) {
                struct image_ref ref = { 0 };
                if (image_ref_parse(name, &ref, NULL) == 0) {
                        bool had_domain = ref.domain != NULL;
                        if (ref.digest) {
                                r = find_by_digest(db, &ref, id);
                        } else {
                                static const char *const domains[] = { "localhost", "docker.io" };
                                for (size_t i = 0; i < 2 && r == -ENOENT; i++) {
                                        struct image_ref c = { 0 };
                                        c.domain = ref.domain ? ref.domain : (char *) domains[i];
                                        _cleanup_free_ char *path = NULL;
                                        c.path = ref.path;
                                        if (strcmp(c.domain, "docker.io") == 0 && !strchr(ref.path, '/')) {
                                                if (asprintf(&path, "library/%s", ref.path) < 0)
                                                        break;
                                                c.path = path;
                                        }
                                        c.tag = ref.tag ? ref.tag : (char *) "latest";
                                        _cleanup_free_ char *full = image_ref_string(&c);
                                        if (full)
                                                r = find_by_name(db, full, id);
                                        if (had_domain)
                                                break;
                                }
                                if (r == -ENOENT && !had_domain) {
                                        if (!ref.tag)
                                                ref.tag = strdup("latest");
                                        r = find_by_suffix(db, &ref, id);
                                }
                        }
                        image_ref_done(&ref);
                }
        }
        if (r == -ENOENT && s == name && !is_full_id(s) && is_id_prefix(s)) {
                r = find_by_id_prefix(db, s, id, err);
                if (r < 0 && r != -ENOENT)
                        return r;
        }
        if (r == -ENOENT)
                return cu_error_setx(err, ENOENT, "%s: image not known", name);
        if (r < 0)
                return cu_error_setx(err, -r, "looking up image %s", name);
        return image_get(db, id, ret, err);
}

int images_insert(struct db *db, const struct image_new *im, char id[static DIGEST_HEX_LEN + 1],
                  struct cu_error **err)
{
        char cdig[DIGEST_STR_LEN + 1], mdig[DIGEST_STR_LEN + 1];
        digest_buffer(im->config, strlen(im->config), cdig);
        digest_buffer(im->manifest, strlen(im->manifest), mdig);
        memcpy(id, digest_hex(cdig), DIGEST_HEX_LEN + 1);
        int64_t now = now_ns();
        uint64_t size = 0;
        for (size_t i = 0; i < im->n_layers; i++) {
                const char *parent = i ? im->layers[i - 1] : NULL;
                STMT(st, "INSERT OR IGNORE INTO layers (id, parent, diff_id, size, created) "
                         "VALUES (?1, ?2, ?3, ?4, ?5)");
                sqlite3_bind_text(st, 1, im->layers[i], -1, SQLITE_STATIC);
                if (parent)
                        sqlite3_bind_text(st, 2, parent, -1, SQLITE_STATIC);
                else
                        sqlite3_bind_null(st, 2);
                sqlite3_bind_text(st, 3, im->diff_ids[i], -1, SQLITE_STATIC);
                sqlite3_bind_int64(st, 4, (int64_t) im->layer_sizes[i]);
                sqlite3_bind_int64(st, 5, now);
                int r = step_done(db, st, "recording layer", err);
                sqlite3_reset(st);
                if (r < 0)
                        return r;
                size += im->layer_sizes[i];
        }
        {
                STMT(st, "INSERT OR IGNORE INTO images (" IMAGE_COLS ") "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
                sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 2, mdig, -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 3, im->manifest, -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 4, im->manifest_type, -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 5, im->config, -1, SQLITE_STATIC);
                sqlite3_bind_int64(st, 6, im->created);
                sqlite3_bind_int64(st, 7, now);
                sqlite3_bind_int64(st, 8, (int64_t) size);
                int r = step_done(db, st, "recording image", err);
                sqlite3_reset(st);
                if (r < 0)
                        return r;
        }
        {
                STMT(st, "INSERT OR IGNORE INTO image_digests (image_id, digest) VALUES (?1, ?2)");
                sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 2, mdig, -1, SQLITE_STATIC);
                int r = step_done(db, st, "recording image digest", err);
                sqlite3_reset(st);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < im->n_layers; i++) {
                STMT(st, "INSERT OR IGNORE INTO image_layers (image_id, idx, layer_id) VALUES (?1, ?2, ?3)");
                sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
                sqlite3_bind_int64(st, 2, (int64_t) i);
                sqlite3_bind_text(st, 3, im->layers[i], -1, SQLITE_STATIC);
                int r = step_done(db, st, "recording image layers", err);
                sqlite3_reset(st);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < im->n_blobs; i++) {
                STMT(st, "INSERT OR IGNORE INTO image_blobs (image_id, digest) VALUES (?1, ?2)");
                sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 2, im->blobs[i], -1, SQLITE_STATIC);
                int r = step_done(db, st, "recording image blobs", err);
                sqlite3_reset(st);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; im->names && im->names[i]; i++) {
                int r = image_tag(db, id, im->names[i], err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int image_tag(struct db *db, const char *id, const char *name, struct cu_error **err)
{
        STMT(st, "INSERT OR REPLACE INTO image_names (name, image_id, added) VALUES (?1, ?2, ?3)");
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 3, now_ns());
        int r = step_done(db, st, "tagging image", err);
        sqlite3_reset(st);
        return r;
}

int image_untag(struct db *db, const char *id, const char *name, struct cu_error **err)
{
        STMT(st, "DELETE FROM image_names WHERE name = ?1 AND image_id = ?2");
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, id, -1, SQLITE_TRANSIENT);
        int r = step_done(db, st, "untagging image", err);
        sqlite3_reset(st);
        if (r < 0)
                return r;
        return sqlite3_changes(db_handle(db)) > 0 ? 0 : -ENOENT;
}

static int collect(struct db *db, const char *sql, const char *id, char ***ret, struct cu_error **err)
{
        STMT(st, sql);
        if (id)
                sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
                if (strv_extend(ret, (const char *) sqlite3_column_text(st, 0)) < 0) {
                        sqlite3_reset(st);
                        return -ENOMEM;
                }
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
                return cu_error_setx(err, EIO, "%s", sqlite3_errmsg(db_handle(db)));
        return 0;
}

int image_delete(struct db *db, const char *id, char ***ret_layers, char ***ret_blobs,
                 struct cu_error **err)
{
        _cleanup_strv_ char **layers = NULL, **blobs = NULL;
        /* What only this image uses. */
        int r = collect(db, "SELECT DISTINCT layer_id FROM image_layers WHERE image_id = ?1 AND layer_id "
                            "NOT IN (SELECT layer_id FROM image_layers WHERE image_id != ?1)",
                        id, &layers, err);
        if (r < 0)
                return r;
        r = collect(db, "SELECT digest FROM image_blobs WHERE image_id = ?1 AND digest "
                        "NOT IN (SELECT digest FROM image_blobs WHERE image_id != ?1)",
                    id, &blobs, err);
        if (r < 0)
                return r;
        STMT(st, "DELETE FROM images WHERE id = ?1");
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        r = step_done(db, st, "removing image", err);
        sqlite3_reset(st);
        if (r < 0)
                return r;
        for (size_t i = 0; layers && layers[i]; i++) {
                STMT(d, "DELETE FROM layers WHERE id = ?1");
                sqlite3_bind_text(d, 1, layers[i], -1, SQLITE_STATIC);
                r = step_done(db, d, "removing layer", err);
                sqlite3_reset(d);
                if (r < 0)
                        return r;
        }
        *ret_layers = TAKE_PTR(layers);
        *ret_blobs = TAKE_PTR(blobs);
        return 0;
}

int images_unreferenced_layers(struct db *db, char ***ret, struct cu_error **err)
{
        return collect(db, "SELECT id FROM layers WHERE id NOT IN (SELECT layer_id FROM image_layers)",
                       NULL, ret, err);
}

bool images_layer_known(struct db *db, const char *chain_id)
{
        struct cu_error *e = NULL;
        sqlite3_stmt *st = db_stmt(db, "SELECT 1 FROM layers WHERE id = ?1", &e);
        cu_error_free(e);
        if (!st)
                return false;
        sqlite3_bind_text(st, 1, chain_id, -1, SQLITE_TRANSIENT);
        bool known = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_reset(st);
        return known;
}

int images_layer_size(struct db *db, const char *chain_id, uint64_t *ret)
{
        struct cu_error *e = NULL;
        sqlite3_stmt *st = db_stmt(db, "SELECT size FROM layers WHERE id = ?1", &e);
        cu_error_free(e);
        if (!st)
                return -EIO;
        sqlite3_bind_text(st, 1, chain_id, -1, SQLITE_TRANSIENT);
        int r = -ENOENT;
        if (sqlite3_step(st) == SQLITE_ROW) {
                *ret = (uint64_t) sqlite3_column_int64(st, 0);
                r = 0;
        }
        sqlite3_reset(st);
        return r;
}
