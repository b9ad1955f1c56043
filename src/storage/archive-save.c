/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `save`: images out as docker-archive or oci-archive tarballs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image-archive.h"
#include "decompress.h"
#include "images.h"
#include "manifest.h"
#include "reference.h"
#include "tar-write.h"
#include "util/json.h"
#include "util/strv.h"

/* Writes the stored blob as NAME (as stored, possibly compressed). */
static int write_blob(struct tar_writer *w, struct store *s, const char *digest, const char *name,
                      struct cu_error **err)
{
        _cleanup_close_ int fd = store_blob_open(s, digest, err);
        if (fd < 0)
                return fd;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return cu_error_set(err, errno, "stat blob %s", digest);
        struct tar_entry e = { .name = name, .type = TAR_REG, .mode = 0644, .size = (uint64_t) st.st_size };
        return tar_write_file(w, &e, fd, err);
}

/* Writes a layer blob decompressed (docker-archive layers are plain tars). */
static int write_layer_plain(struct tar_writer *w, struct store *s, const char *digest, uint64_t size,
                             const char *name, const char *diff_id, struct cu_error **err)
{
        _cleanup_close_ int fd = store_blob_open(s, digest, err);
        if (fd < 0)
                return fd;
        _cleanup_decomp_ struct decomp *d = decomp_new(fd, err);
        if (!d)
                return -EIO;
        if (decomp_compression(d) == COMPRESSION_NONE) {
                struct stat st;
                if (fstat(fd, &st) < 0)
                        return cu_error_set(err, errno, "stat blob %s", digest);
                size = (uint64_t) st.st_size;
        }
        _cleanup_digester_ struct digester *plain = digester_new();
        if (!plain)
                return -ENOMEM;
        decomp_set_digests(d, NULL, plain);
        struct tar_entry e = { .name = name, .type = TAR_REG, .mode = 0644, .size = size };
        int r = tar_write_header(w, &e, err);
        if (r < 0)
                return r;
        /* On the heap: a __thread array is zeroed in every process and thread the
         * static binary starts, whether it copies anything or not. */
        const size_t buf_size = 1 << 20;
        _cleanup_free_ char *buf = malloc(buf_size);
        if (!buf)
                return cu_error_set(err, ENOMEM, "layer buffer");
        uint64_t done = 0;
        for (;;) {
                ssize_t n = decomp_read(d, buf, buf_size, err);
                if (n < 0)
                        return (int) n;
                if (n == 0)
                        break;
                if (done + (uint64_t) n > size)
                        return cu_error_setx(err, EIO, "layer %s is larger than recorded", digest);
                r = tar_write_data(w, buf, (size_t) n, err);
                if (r < 0)
                        return r;
                done += (uint64_t) n;
        }
        if (done != size)
                return cu_error_setx(err, EIO, "layer %s is shorter than recorded", digest);
        char got[DIGEST_STR_LEN + 1];
        digester_final(plain, got);
        if (strcmp(got, diff_id) != 0)
                return cu_error_setx(err, EIO, "layer %s: stored data does not match diff ID %s", digest, diff_id);
        return 0;
}

static int save_docker(struct tar_writer *w, struct store *s, struct image_rec **ims,
                       const struct save_item *items, size_t n, struct cu_error **err)
{
        _cleanup_json_ json_t *manifest = json_array();
        _cleanup_json_ json_t *repos = json_object();
        _cleanup_strv_ char **written = NULL; /* layer files already in the archive */
        if (!manifest || !repos)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                /* One entry per image; several names of one image share it. */
                json_t *entry = NULL;
                for (size_t k = 0; k < i; k++)
                        if (strcmp(items[k].id, items[i].id) == 0) {
                                size_t idx;
                                json_t *x;
                                json_array_foreach(manifest, idx, x) {
                                        char want[DIGEST_HEX_LEN + 6];
                                        snprintf(want, sizeof(want), "%s.json", items[i].id);
                                        if (strcmp(json_string_value(json_object_get(x, "Config")), want) == 0)
                                                entry = x;
                                }
                        }
                struct image_rec *im = ims[i];
                if (!entry) {
                        struct image_config_info ci = { 0 };
                        int r = image_config_parse(im->config, strlen(im->config), &ci, err);
                        if (r < 0)
                                return r;
                        struct manifest m = { 0 };
                        r = manifest_parse(im->manifest, strlen(im->manifest), &m, err);
                        if (r >= 0 && m.n_layers != ci.n_diff_ids)
                                r = cu_error_setx(err, EINVAL, "image %s: manifest and config disagree", im->id);
                        json_t *layers = json_array();
                        for (size_t l = 0; r >= 0 && l < m.n_layers; l++) {
                                char name[DIGEST_HEX_LEN + 8];
                                snprintf(name, sizeof(name), "%s.tar", digest_hex(ci.diff_ids[l]));
                                json_array_append_new(layers, json_string(name));
                                if (strv_contains(written, name))
                                        continue;
                                uint64_t lsize = 0;
                                images_layer_size(s->db, im->layers[l], &lsize);
                                r = write_layer_plain(w, s, m.layers[l].digest, lsize, name, ci.diff_ids[l], err);
                                if (r >= 0)
                                        r = strv_extend(&written, name);
                        }
                        char cfgname[DIGEST_HEX_LEN + 8];
                        snprintf(cfgname, sizeof(cfgname), "%s.json", im->id);
                        if (r >= 0)
                                r = tar_write_buffer(w, cfgname, im->config, strlen(im->config), 0644, 0, err);
                        manifest_done(&m);
                        image_config_info_done(&ci);
                        if (r < 0) {
                                json_decref(layers);
                                return r;
                        }
                        entry = json_pack("{s:s, s:[], s:o}", "Config", cfgname, "RepoTags", "Layers", layers);
                        json_array_append_new(manifest, entry);
                }
                if (items[i].name) {
                        json_array_append_new(json_object_get(entry, "RepoTags"), json_string(items[i].name));
                        struct image_ref ref = { 0 };
                        if (image_ref_parse(items[i].name, &ref, NULL) == 0 && ref.tag) {
                                _cleanup_free_ char *repo = image_ref_repository(&ref);
                                json_t *tags = json_object_get(repos, repo);
                                if (!tags) {
                                        tags = json_object();
                                        json_object_set_new(repos, repo, tags);
                                }
                                json_object_set_new(tags, ref.tag, json_string(im->id));
                        }
                        image_ref_done(&ref);
                }
        }
        /* Images saved by ID have no tags: RepoTags null, as docker writes. */
        size_t idx;
        json_t *x;
        json_array_foreach(manifest, idx, x) if (json_array_size(json_object_get(x, "RepoTags")) == 0)
                json_object_set_new(x, "RepoTags", json_null());
        _cleanup_free_ char *mtext = json_dumps(manifest, JSON_COMPACT | JSON_PRESERVE_ORDER);
        _cleanup_free_ char *rtext = json_dumps(repos, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (!mtext || !rtext)
                return -ENOMEM;
        int r = tar_write_buffer(w, "manifest.json", mtext, strlen(mtext), 0644, 0, err);
        if (r >= 0 && json_object_size(repos) > 0)
                r = tar_write_buffer(w, "repositories", rtext, strlen(rtext), 0644, 0, err);
        return r;
}

static int save_oci(struct tar_writer *w, struct store *s, struct image_rec **ims,
                    const struct save_item *items, size_t n, struct cu_error **err)
{
        static const char layout[] = "{\"imageLayoutVersion\": \"1.0.0\"}";
        _cleanup_json_ json_t *manifests = json_array();
        _cleanup_strv_ char **written = NULL;
        if (!manifests)
                return -ENOMEM;
        int r = tar_write_buffer(w, "oci-layout", layout, sizeof(layout) - 1, 0644, 0, err);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                struct image_rec *im = ims[i];
                struct manifest m = { 0 };
                r = manifest_parse(im->manifest, strlen(im->manifest), &m, err);
                if (r < 0)
                        break;
                _cleanup_strv_ char **digests = NULL;
                r = strv_extend(&digests, im->digest);
                if (r >= 0)
                        r = strv_extend(&digests, m.config.digest);
                for (size_t l = 0; r >= 0 && l < m.n_layers; l++)
                        r = strv_extend(&digests, m.layers[l].digest);
                for (size_t k = 0; r >= 0 && digests[k]; k++) {
                        char name[96];
                        snprintf(name, sizeof(name), "blobs/sha256/%s", digest_hex(digests[k]));
                        if (strv_contains(written, name))
                                continue;
                        r = write_blob(w, s, digests[k], name, err);
                        if (r >= 0)
                                r = strv_extend(&written, name);
                }
                json_t *d = json_pack("{s:s, s:s, s:I}", "mediaType", im->manifest_type, "digest", im->digest,
                                      "size", (json_int_t) strlen(im->manifest));
                if (items[i].name)
                        json_object_set_new(d, "annotations", json_pack("{s:s}", "org.opencontainers.image.ref.name",
                                                                        items[i].name));
                json_array_append_new(manifests, d);
                manifest_done(&m);
        }
        if (r < 0)
                return r;
        _cleanup_json_ json_t *index = json_pack("{s:i, s:O}", "schemaVersion", 2, "manifests", manifests);
        _cleanup_free_ char *text = index ? json_dumps(index, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        if (!text)
                return -ENOMEM;
        return tar_write_buffer(w, "index.json", text, strlen(text), 0644, 0, err);
}

int archive_save(struct store *s, int fd, enum archive_format fmt, const struct save_item *items,
                 size_t n, struct cu_error **err)
{
        struct image_rec **ims = calloc(n + 1, sizeof(*ims));
        if (!ims)
                return -ENOMEM;
        int r = 0;
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = image_get(s->db, items[i].id, &ims[i], err);
        _cleanup_tar_writer_ struct tar_writer *w = NULL;
        if (r >= 0) {
                w = tar_writer_new(fd, COMPRESSION_NONE, err);
                if (!w)
                        r = -EIO;
        }
        if (r >= 0)
                r = fmt == ARCHIVE_OCI ? save_oci(w, s, ims, items, n, err) : save_docker(w, s, ims, items, n, err);
        if (r >= 0)
                r = tar_writer_finish(w, NULL, NULL, NULL, err);
        for (size_t i = 0; i < n; i++)
                image_rec_free(ims[i]);
        free(ims);
        return r;
}
