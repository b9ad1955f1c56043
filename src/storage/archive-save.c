/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `save`: images out as docker-archive or oci-archive tarballs. */
#include <errno.h>
#include <fcntl.h>
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
#include "util/fileio.h"
#include "util/json.h"
#include "util/path.h"
#include "util/strv.h"

/* Where save writes: a tar stream, or a directory (oci:, dir:). */
struct sink {
        struct tar_writer *w;
        int dir_fd;
};

/* Creates name's parent directories in the sink directory; returns its fd (or AT dir). */
static int sink_parent(struct sink *k, const char *name, const char **base)
{
        const char *slash = strrchr(name, '/');
        *base = slash ? slash + 1 : name;
        if (!slash)
                return fcntl(k->dir_fd, F_DUPFD_CLOEXEC, 3);
        _cleanup_free_ char *dir = strndup(name, (size_t) (slash - name));
        if (!dir)
                return -ENOMEM;
        return mkdir_p_in_root(k->dir_fd, dir, 0755);
}

/* Copies fd (or data) to a temporary name beside name, then renames it into place. */
static int sink_file(struct sink *k, const char *name, int fd, const void *data, size_t len,
                     struct cu_error **err)
{
        const char *base;
        _cleanup_close_ int pfd = sink_parent(k, name, &base);
        if (pfd < 0)
                return cu_error_set(err, -pfd, "creating the directory of %s", name);
        _cleanup_free_ char *tmp = NULL;
        if (asprintf(&tmp, ".%s.tmp-%d", base, (int) getpid()) < 0)
                return -ENOMEM;
        _cleanup_close_ int out = openat(pfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (out < 0)
                return cu_error_set(err, errno, "creating %s", name);
        int r = 0;
        if (fd < 0) {
                r = write_all(out, data, len);
        } else {
                char buf[1 << 16];
                for (;;) {
                        ssize_t n = read(fd, buf, sizeof(buf));
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n <= 0) {
                                r = n < 0 ? -errno : 0;
                                break;
                        }
                        if ((r = write_all(out, buf, (size_t) n)) < 0)
                                break;
                }
        }
        if (r >= 0 && fsync(out) < 0)
                r = -errno;
        if (r >= 0 && renameat(pfd, tmp, pfd, base) < 0)
                r = -errno;
        if (r < 0) {
                unlinkat(pfd, tmp, 0);
                return cu_error_set(err, -r, "writing %s", name);
        }
        return 0;
}

static int sink_buffer(struct sink *k, const char *name, const void *data, size_t len, struct cu_error **err)
{
        if (k->w)
                return tar_write_buffer(k->w, name, data, len, 0644, 0, err);
        return sink_file(k, name, -1, data, len, err);
}

/* Writes the stored blob as NAME (as stored, possibly compressed); a blob
 * already in a directory is kept (the name is its digest). */
static int write_blob(struct sink *k, struct store *s, const char *digest, const char *name,
                      struct cu_error **err)
{
        if (!k->w && faccessat(k->dir_fd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                return 0;
        _cleanup_close_ int fd = store_blob_open(s, digest, err);
        if (fd < 0)
                return fd;
        if (!k->w)
                return sink_file(k, name, fd, NULL, 0, err);
        struct tar_writer *w = k->w;
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

static int save_docker(struct sink *sk, struct store *s, struct image_rec **ims,
                       const struct save_item *items, size_t n, struct cu_error **err)
{
        _cleanup_json_ json_t *manifest = json_array();
        _cleanup_json_ json_t *repos = json_object();
        _cleanup_strv_ char **written = NULL; /* layer files already in the archive */
        struct tar_writer *w = sk->w;
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

/* A Docker schema 2 manifest as an OCI one: same config and layer blobs. */
static char *manifest_to_oci(const struct manifest *m)
{
        struct descriptor cfg = m->config;
        cfg.media_type = (char *) MT_OCI_CONFIG;
        _cleanup_free_ struct descriptor *ls = calloc(m->n_layers + 1, sizeof(*ls));
        if (!ls)
                return NULL;
        for (size_t l = 0; l < m->n_layers; l++) {
                ls[l] = m->layers[l];
                const char *t = m->layers[l].media_type;
                if (t && strcmp(t, MT_DOCKER_LAYER_GZIP) == 0)
                        ls[l].media_type = (char *) MT_OCI_LAYER_GZIP;
                else if (t && strcmp(t, MT_DOCKER_LAYER) == 0)
                        ls[l].media_type = (char *) MT_OCI_LAYER;
        }
        return manifest_build(MT_OCI_MANIFEST, &cfg, ls, m->n_layers);
}

/* The entries of an existing layout's index.json that the new ones leave in
 * place (oci: adds to a layout; an entry with the same ref name is replaced). */
static int existing_index(struct sink *k, const struct save_item *items, size_t n, json_t *out,
                          struct cu_error **err)
{
        if (k->w)
                return 0;
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r = read_full_file_at(k->dir_fd, "index.json", &data, &len);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return cu_error_set(err, -r, "reading index.json");
        _cleanup_json_ json_t *old = json_load_data(data, len, "index.json", err);
        if (!old)
                return -EINVAL;
        json_t *ms = json_object_get(old, "manifests");
        if (!json_is_array(ms))
                return cu_error_setx(err, EINVAL, "index.json: no manifests array");
        size_t i;
        json_t *d;
        json_array_foreach(ms, i, d) {
                const char *ref = json_string_value(
                        json_object_get(json_object_get(d, "annotations"), "org.opencontainers.image.ref.name"));
                bool replaced = false;
                for (size_t k2 = 0; ref && k2 < n && !replaced; k2++)
                        replaced = items[k2].name && strcmp(items[k2].name, ref) == 0;
                if (!replaced && json_array_append(out, d) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int save_oci(struct sink *k, struct store *s, struct image_rec **ims,
                    const struct save_item *items, size_t n, struct cu_error **err)
{
        static const char layout[] = "{\"imageLayoutVersion\": \"1.0.0\"}";
        _cleanup_json_ json_t *manifests = json_array();
        _cleanup_strv_ char **written = NULL;
        if (!manifests)
                return -ENOMEM;
        int r = existing_index(k, items, n, manifests, err);
        if (r >= 0)
                r = sink_buffer(k, "oci-layout", layout, sizeof(layout) - 1, err);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                struct image_rec *im = ims[i];
                struct manifest m = { 0 };
                r = manifest_parse(im->manifest, strlen(im->manifest), &m, err);
                if (r < 0)
                        break;
                _cleanup_strv_ char **digests = NULL;
                r = strv_extend(&digests, m.config.digest);
                for (size_t l = 0; r >= 0 && l < m.n_layers; l++)
                        r = strv_extend(&digests, m.layers[l].digest);
                for (size_t b = 0; r >= 0 && digests[b]; b++) {
                        char name[96];
                        snprintf(name, sizeof(name), "blobs/sha256/%s", digest_hex(digests[b]));
                        if (strv_contains(written, name))
                                continue;
                        r = write_blob(k, s, digests[b], name, err);
                        if (r >= 0)
                                r = strv_extend(&written, name);
                }
                /* The manifest last (it names the others); a Docker one becomes OCI, as podman writes. */
                _cleanup_free_ char *oci = NULL;
                const char *mtype = im->manifest_type;
                char mdigest[DIGEST_STR_LEN + 1];
                size_t msize = strlen(im->manifest);
                snprintf(mdigest, sizeof(mdigest), "%s", im->digest);
                if (r >= 0 && strcmp(mtype, MT_DOCKER_MANIFEST) == 0) {
                        if (!(oci = manifest_to_oci(&m)))
                                r = -ENOMEM;
                        else {
                                mtype = MT_OCI_MANIFEST;
                                msize = strlen(oci);
                                digest_buffer(oci, msize, mdigest);
                        }
                }
                char mname[96];
                snprintf(mname, sizeof(mname), "blobs/sha256/%s", digest_hex(mdigest));
                if (r >= 0 && !strv_contains(written, mname)) {
                        r = oci ? sink_buffer(k, mname, oci, msize, err) : write_blob(k, s, mdigest, mname, err);
                        if (r >= 0)
                                r = strv_extend(&written, mname);
                }
                json_t *d = json_pack("{s:s, s:s, s:I}", "mediaType", mtype, "digest", mdigest,
                                      "size", (json_int_t) msize);
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
        return sink_buffer(k, "index.json", text, strlen(text), err);
}

/* dir: the manifest as stored, its blobs by hex digest, and a version file. */
static int save_dir(struct sink *k, struct store *s, struct image_rec *im, struct cu_error **err)
{
        static const char version[] = "Directory Transport Version: 1.1\n";
        struct manifest m = { 0 };
        int r = manifest_parse(im->manifest, strlen(im->manifest), &m, err);
        if (r < 0)
                return r;
        for (size_t l = 0; r >= 0 && l < m.n_layers; l++)
                r = write_blob(k, s, m.layers[l].digest, digest_hex(m.layers[l].digest), err);
        if (r >= 0)
                r = write_blob(k, s, m.config.digest, digest_hex(m.config.digest), err);
        if (r >= 0)
                r = sink_buffer(k, "manifest.json", im->manifest, strlen(im->manifest), err);
        if (r >= 0)
                r = sink_buffer(k, "version", version, sizeof(version) - 1, err);
        manifest_done(&m);
        return r;
}

static struct image_rec **get_images(struct store *s, const struct save_item *items, size_t n,
                                     struct cu_error **err)
{
        struct image_rec **ims = calloc(n + 1, sizeof(*ims));
        if (!ims)
                return NULL;
        for (size_t i = 0; i < n; i++)
                if (image_get(s->db, items[i].id, &ims[i], err) < 0) {
                        image_recs_free(ims, n);
                        return NULL;
                }
        return ims;
}

int archive_save(struct store *s, int fd, enum archive_format fmt, const struct save_item *items,
                 size_t n, struct cu_error **err)
{
        if (fmt != ARCHIVE_DOCKER && fmt != ARCHIVE_OCI)
                return cu_error_setx(err, EINVAL, "not an archive format");
        struct image_rec **ims = get_images(s, items, n, err);
        if (!ims)
                return -ENOENT;
        struct sink k = { .w = tar_writer_new(fd, COMPRESSION_NONE, err), .dir_fd = -1 };
        int r = k.w ? 0 : -EIO;
        if (r >= 0)
                r = fmt == ARCHIVE_OCI ? save_oci(&k, s, ims, items, n, err) : save_docker(&k, s, ims, items, n, err);
        if (r >= 0)
                r = tar_writer_finish(k.w, NULL, NULL, NULL, err);
        tar_writer_free(k.w);
        image_recs_free(ims, n);
        return r;
}

int archive_save_dir(struct store *s, int dir_fd, enum archive_format fmt, const struct save_item *items,
                     size_t n, struct cu_error **err)
{
        if (fmt != ARCHIVE_OCI_DIR && fmt != ARCHIVE_DOCKER_DIR)
                return cu_error_setx(err, EINVAL, "not a directory format");
        if (fmt == ARCHIVE_DOCKER_DIR && n != 1)
                return cu_error_setx(err, EINVAL, "a dir: directory holds exactly one image");
        struct image_rec **ims = get_images(s, items, n, err);
        if (!ims)
                return -ENOENT;
        struct sink k = { .w = NULL, .dir_fd = dir_fd };
        int r = fmt == ARCHIVE_OCI_DIR ? save_oci(&k, s, ims, items, n, err) : save_dir(&k, s, ims[0], err);
        image_recs_free(ims, n);
        return r;
}
