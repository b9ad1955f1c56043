/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `load`: docker-archive and oci-archive tarballs into the store. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image-archive.h"
#include "manifest.h"
#include "reference.h"
#include "stage.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/log.h"
#include "util/path.h"
#include "util/strv.h"

#define JSON_MAX (64u << 20)

DEFINE_CLEANUP_FUNC(struct archive *, archive_read_free)
#define _cleanup_archive_ _cleanup_(archive_read_freep)

/* Cleans an archive member name; NULL if it climbs out or is empty. */
static char *clean_member(const char *name)
{
        _cleanup_free_ char *out = malloc(strlen(name) + 1);
        if (!out)
                return NULL;
        size_t o = 0;
        for (const char *p = name; *p;) {
                while (*p == '/')
                        p++;
                const char *e = strchrnul(p, '/');
                size_t n = (size_t) (e - p);
                if (n == 0 || (n == 1 && p[0] == '.')) {
                        /* skip */
                } else if (n == 2 && p[0] == '.' && p[1] == '.') {
                        /* pop one component; climbing above the top is an escape */
                        if (o == 0)
                                return NULL;
                        while (o > 0 && out[o - 1] != '/')
                                o--;
                        if (o > 0)
                                o--;
                } else {
                        if (o)
                                out[o++] = '/';
                        memcpy(out + o, p, n);
                        o += n;
                }
                p = e;
        }
        out[o] = '\0';
        return o ? TAKE_PTR(out) : NULL;
}

struct link_fix {
        char *name, *target;
};

/* Unpacks the outer archive's members (regular files, and symlinks between
 * members as old `docker save` writes for shared layers) under stage/in. */
static int extract_members(int fd, int in_fd, struct cu_error **err)
{
        _cleanup_archive_ struct archive *a = archive_read_new();
        if (!a)
                return -ENOMEM;
        archive_read_support_filter_gzip(a);
        archive_read_support_filter_zstd(a);
        archive_read_support_format_tar(a);
        if (archive_read_open_fd(a, fd, 1 << 20) != ARCHIVE_OK)
                return cu_error_setx(err, EINVAL, "reading archive: %s", archive_error_string(a));
        struct link_fix *links = NULL;
        size_t n_links = 0;
        int r = 0, n_entries = 0;
        struct archive_entry *e;
        for (;;) {
                int k = archive_read_next_header(a, &e);
                if (k == ARCHIVE_EOF)
                        break;
                if (k != ARCHIVE_OK && k != ARCHIVE_WARN) {
                        r = cu_error_setx(err, EINVAL, "reading archive: %s", archive_error_string(a));
                        break;
                }
                n_entries++;
                _cleanup_free_ char *name = clean_member(archive_entry_pathname(e) ?: "");
                mode_t type = archive_entry_filetype(e);
                if (!name) {
                        if (type == AE_IFDIR)
                                continue;
                        r = cu_error_setx(err, EINVAL, "invalid archive member name \"%s\"",
                                          archive_entry_pathname(e) ?: "");
                        break;
                }
                if (type == AE_IFDIR)
                        continue;
                char *slash = strrchr(name, '/');
                _cleanup_close_ int dfd = -1;
                const char *base = name;
                if (slash) {
                        *slash = '\0';
                        dfd = mkdir_p_in_root(in_fd, name, 0700);
                        *slash = '/';
                        if (dfd < 0) {
                                r = cu_error_set(err, -dfd, "creating %s", name);
                                break;
                        }
                        base = slash + 1;
                }
                int parent = dfd >= 0 ? dfd : in_fd;
                if (type == AE_IFLNK) {
                        const char *t = archive_entry_symlink(e);
                        _cleanup_free_ char *joined = NULL;
                        if (!t || t[0] == '/' ||
                            asprintf(&joined, "%.*s%s", slash ? (int) (slash - name + 1) : 0, name, t) < 0) {
                                r = cu_error_setx(err, EINVAL, "invalid symlink member %s", name);
                                break;
                        }
                        struct link_fix *nl = realloc(links, (n_links + 1) * sizeof(*nl));
                        if (!nl) {
                                r = -ENOMEM;
                                break;
                        }
                        links = nl;
                        links[n_links].name = TAKE_PTR(name);
                        links[n_links].target = clean_member(joined);
                        if (!links[n_links++].target) {
                                r = cu_error_setx(err, EINVAL, "symlink member escapes the archive");
                                break;
                        }
                        continue;
                }
                if (type != AE_IFREG)
                        continue; /* nothing else belongs in an image archive */
                if (unlinkat(parent, base, 0) < 0 && errno != ENOENT) {
                        r = cu_error_set(err, errno, "replacing %s", name);
                        break;
                }
                _cleanup_close_ int out = openat(parent, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (out < 0) {
                        r = cu_error_set(err, errno, "creating %s", name);
                        break;
                }
                const void *buf;
                size_t len;
                la_int64_t off;
                uint64_t written = 0;
                for (;;) {
                        k = archive_read_data_block(a, &buf, &len, &off);
                        if (k == ARCHIVE_EOF)
                                break;
                        if (k != ARCHIVE_OK) {
                                r = cu_error_setx(err, EINVAL, "reading archive member %s: %s", name,
                                                  archive_error_string(a));
                                break;
                        }
                        if ((uint64_t) off != written && pwrite(out, "", 0, off) < 0)
                                break;
                        if (lseek(out, off, SEEK_SET) < 0 || (r = write_all(out, buf, len)) < 0) {
                                r = cu_error_set(err, r < 0 ? -r : errno, "writing %s", name);
                                break;
                        }
                        written = (uint64_t) off + len;
                }
                if (r < 0)
                        break;
                if (ftruncate(out, archive_entry_size(e)) < 0) {
                        r = cu_error_set(err, errno, "writing %s", name);
                        break;
                }
        }
        if (r >= 0 && n_entries == 0)
                r = cu_error_setx(err, EINVAL, "the archive is empty");
        /* Symlinked members become hard links to their targets. */
        for (size_t i = 0; r >= 0 && i < n_links; i++) {
                char *slash = strrchr(links[i].name, '/');
                if (slash) {
                        *slash = '\0';
                        int dfd = mkdir_p_in_root(in_fd, links[i].name, 0700);
                        *slash = '/';
                        if (dfd < 0) {
                                r = cu_error_set(err, -dfd, "creating %s", links[i].name);
                                break;
                        }
                        close(dfd);
                }
                if (linkat(in_fd, links[i].target, in_fd, links[i].name, 0) < 0 && errno != EEXIST)
                        r = cu_error_set(err, errno, "archive member %s links to missing %s",
                                         links[i].name, links[i].target);
        }
        for (size_t i = 0; i < n_links; i++) {
                free(links[i].name);
                free(links[i].target);
        }
        free(links);
        return r;
}

static int read_member(int in_fd, const char *name, char **ret, size_t *len, struct cu_error **err)
{
        _cleanup_free_ char *clean = clean_member(name);
        if (!clean)
                return cu_error_setx(err, EINVAL, "invalid archive member name \"%s\"", name);
        _cleanup_close_ int fd = openat(in_fd, clean, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return cu_error_set(err, errno, "archive member %s", clean);
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t) st.st_size > JSON_MAX)
                return cu_error_setx(err, EINVAL, "archive member %s: not a regular file of sane size", clean);
        int r = read_full_fd(fd, ret, len);
        if (r < 0)
                return cu_error_set(err, -r, "reading %s", clean);
        return 0;
}

/* Where the members are: the staging dir's "in" (an unpacked tar; blobs are
 * hard-linked from there) or a directory of the user's (blobs are copied). */
struct load_src {
        int fd;
        bool staged;
        const char *blob_dir; /* "blobs/sha256/" (OCI layout) or "" (dir:) */
        const struct load_opts *o;
};

/* Stages the member as a blob, verifying expected/size when given. */
static int take_blob(struct stage *st, const struct load_src *src, const char *member, const char *expected,
                     int64_t size, char out[static DIGEST_STR_LEN + 1], uint64_t *ret_size,
                     struct cu_error **err)
{
        _cleanup_free_ char *clean = clean_member(member);
        if (!clean)
                return cu_error_setx(err, EINVAL, "invalid archive member name \"%s\"", member);
        if (src->staged) {
                _cleanup_free_ char *rel = NULL;
                if (asprintf(&rel, "in/%s", clean) < 0)
                        return -ENOMEM;
                return stage_blob_adopt(st, rel, expected, size, out, ret_size, err);
        }
        _cleanup_close_ int fd = openat(src->fd, clean, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return cu_error_set(err, errno, "opening %s", clean);
        return stage_blob_fd(st, fd, expected, size, out, ret_size, err);
}

/* One image ready to be published. */
struct pending {
        char *config, *manifest, *manifest_type;
        char **names;
        char **layers, **diffs, **blobs;
        uint64_t *sizes;
        size_t n_layers;
        int64_t created;
};

static void pending_done(struct pending *p)
{
        free(p->config);
        free(p->manifest);
        free(p->manifest_type);
        strv_free(p->names);
        strv_free(p->layers);
        strv_free(p->diffs);
        strv_free(p->blobs);
        free(p->sizes);
}

static const char *layer_media_type(int fd, bool docker)
{
        unsigned char m[4] = { 0 };
        ssize_t n = pread(fd, m, sizeof(m), 0);
        if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
                return docker ? MT_DOCKER_LAYER_GZIP : MT_OCI_LAYER_GZIP;
        if (n >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
                return MT_OCI_LAYER_ZSTD;
        return docker ? MT_DOCKER_LAYER : MT_OCI_LAYER;
}

/* Stages the layers of one image; blobs are already staged. */
static int stage_layers(struct stage *st, struct pending *p, const char *const *blob_digests,
                        char *const *diff_ids, size_t n, struct cu_error **err)
{
        p->layers = calloc(n + 1, sizeof(char *));
        p->diffs = calloc(n + 1, sizeof(char *));
        p->sizes = calloc(n + 1, sizeof(uint64_t));
        if (!p->layers || !p->diffs || !p->sizes)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                char chain[DIGEST_STR_LEN + 1], diff[DIGEST_STR_LEN + 1];
                int r = stage_layer(st, blob_digests[i], i ? p->layers[i - 1] : NULL, diff_ids[i],
                                    chain, diff, &p->sizes[i], err);
                if (r < 0)
                        return r;
                p->layers[i] = strdup(chain);
                p->diffs[i] = strdup(diff);
                p->n_layers = i + 1;
                if (!p->layers[i] || !p->diffs[i])
                        return -ENOMEM;
        }
        return 0;
}

static int add_name(char ***names, const char *raw, const char *default_domain)
{
        struct cu_error *e = NULL;
        char *n = image_ref_normalize_string(raw, default_domain, &e);
        if (!n) {
                log_warn("ignoring invalid image name \"%s\": %s", raw, cu_error_msg(e));
                cu_error_free(e);
                return 0;
        }
        int r = strv_extend(names, n);
        free(n);
        return r;
}

/* The names an image gets: the override of the caller (pull), else the archive's. */
static int set_names(struct pending *p, const struct load_opts *o, char *const *raw, const char *domain)
{
        if (o && o->no_names)
                return 0;
        if (o && o->name)
                return add_name(&p->names, o->name, "localhost");
        int r = 0;
        for (size_t t = 0; r >= 0 && raw && raw[t]; t++)
                r = add_name(&p->names, raw[t], domain);
        return r;
}

/* Which manifest.json entries a docker-archive load takes, and the tags they get:
 * all (load), the one holding o->ref (only that tag), or entry o->index. */
static int docker_select(json_t *j, const struct load_opts *o, bool *want, char ***ret_ref_tag,
                         struct cu_error **err)
{
        size_t n = json_array_size(j);
        for (size_t i = 0; i < n; i++)
                want[i] = !o || (!o->ref && o->index < 0);
        if (!o)
                return 0;
        if (o->index >= 0) {
                if ((size_t) o->index >= n)
                        return cu_error_setx(err, EINVAL, "Invalid source index @%d, only %zu manifest items available",
                                             o->index, n);
                want[o->index] = true;
                return 0;
        }
        if (!o->ref) {
                if (o->one && n != 1)
                        return cu_error_setx(err, EINVAL, "Unexpected tar manifest.json: expected 1 item, got %zu",
                                             n);
                return 0;
        }
        _cleanup_free_ char *want_name = image_ref_normalize_string(o->ref, "docker.io", err);
        if (!want_name)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                json_t *tags = json_object_get(json_array_get(j, i), "RepoTags");
                size_t k;
                json_t *t;
                json_array_foreach(tags, k, t) {
                        _cleanup_free_ char *got = json_is_string(t) ?
                                image_ref_normalize_string(json_string_value(t), "docker.io", NULL) : NULL;
                        if (got && strcmp(got, want_name) == 0) {
                                want[i] = true;
                                return strv_extend(ret_ref_tag, want_name);
                        }
                }
        }
        return cu_error_setx(err, ENOENT, "Tag \"%s\" not found", want_name);
}

/* docker-archive: manifest.json = [{Config, RepoTags, Layers}]. */
static int load_docker(struct stage *st, const struct load_src *src, struct pending **ret, size_t *n_ret,
                       struct cu_error **err)
{
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r = read_member(src->fd, "manifest.json", &data, &len, err);
        if (r < 0)
                return r;
        _cleanup_json_ json_t *j = json_load_data(data, len, "manifest.json", err);
        if (!j)
                return -EINVAL;
        if (!json_is_array(j) || json_array_size(j) == 0 || json_array_size(j) > 1024)
                return cu_error_setx(err, EINVAL, "manifest.json: expected a non-empty array");
        _cleanup_free_ bool *want = calloc(json_array_size(j), sizeof(bool));
        _cleanup_strv_ char **ref_tag = NULL;
        if (!want)
                return -ENOMEM;
        if ((r = docker_select(j, src->o, want, &ref_tag, err)) < 0)
                return r;
        struct pending *v = calloc(json_array_size(j), sizeof(*v));
        if (!v)
                return -ENOMEM;
        size_t n = 0;
        for (size_t i = 0; r >= 0 && i < json_array_size(j); i++) {
                if (!want[i])
                        continue;
                json_t *item = json_array_get(j, i);
                struct pending *p = &v[n++];
                char ctx[48];
                snprintf(ctx, sizeof(ctx), "manifest.json[%zu]", i);
                _cleanup_free_ char *config_name = NULL, *cfg = NULL;
                _cleanup_strv_ char **tags = NULL, **layer_files = NULL;
                if ((r = json_get_string(item, "Config", ctx, &config_name, err)) < 0 ||
                    (r = json_get_strv(item, "RepoTags", ctx, &tags, err)) < 0 ||
                    (r = json_get_strv(item, "Layers", ctx, &layer_files, err)) < 0)
                        break;
                if (!config_name) {
                        r = cu_error_setx(err, EINVAL, "%s: no Config", ctx);
                        break;
                }
                size_t cfg_len = 0;
                if ((r = read_member(src->fd, config_name, &cfg, &cfg_len, err)) < 0)
                        break;
                struct image_config_info ci = { 0 };
                if ((r = image_config_parse(cfg, cfg_len, &ci, err)) < 0)
                        break;
                size_t nl = strv_length(layer_files);
                if (nl != ci.n_diff_ids) {
                        r = cu_error_setx(err, EINVAL, "%s: %zu layers but the config lists %zu diff IDs",
                                          ctx, nl, ci.n_diff_ids);
                        image_config_info_done(&ci);
                        break;
                }
                p->created = ci.created;
                struct descriptor cd = { .media_type = (char *) MT_DOCKER_CONFIG, .size = cfg_len };
                r = stage_blob_buffer(st, cfg, cfg_len, cd.digest, err);
                struct descriptor *lds = calloc(nl + 1, sizeof(*lds));
                _cleanup_strv_ char **digests = calloc(nl + 1, sizeof(char *));
                if (!lds || !digests)
                        r = -ENOMEM;
                bool docker_types = true;
                for (size_t l = 0; r >= 0 && l < nl; l++) {
                        _cleanup_free_ char *clean = clean_member(layer_files[l]);
                        _cleanup_close_ int lfd = clean ? openat(src->fd, clean, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
                        if (lfd < 0) {
                                r = cu_error_setx(err, EINVAL, "%s: layer %s is not in the archive", ctx,
                                                  layer_files[l]);
                                break;
                        }
                        lds[l].media_type = (char *) layer_media_type(lfd, true);
                        if (strcmp(lds[l].media_type, MT_OCI_LAYER_ZSTD) == 0)
                                docker_types = false;
                        r = take_blob(st, src, clean, NULL, -1, lds[l].digest, &lds[l].size, err);
                        if (r >= 0 && !(digests[l] = strdup(lds[l].digest)))
                                r = -ENOMEM;
                }
                if (r >= 0 && !docker_types)
                        for (size_t l = 0; l < nl; l++)
                                lds[l].media_type = (char *) layer_media_type(-1, false);
                if (r >= 0) {
                        const char *mt = docker_types ? MT_DOCKER_MANIFEST : MT_OCI_MANIFEST;
                        if (!docker_types)
                                cd.media_type = (char *) MT_OCI_CONFIG;
                        p->manifest = manifest_build(mt, &cd, lds, nl);
                        p->manifest_type = strdup(mt);
                        p->config = TAKE_PTR(cfg);
                        if (!p->manifest || !p->manifest_type)
                                r = -ENOMEM;
                }
                char mdig[DIGEST_STR_LEN + 1];
                if (r >= 0)
                        r = stage_blob_buffer(st, p->manifest, strlen(p->manifest), mdig, err);
                if (r >= 0)
                        r = stage_layers(st, p, (const char *const *) digests, ci.diff_ids, nl, err);
                if (r >= 0) {
                        r = strv_extend(&p->blobs, cd.digest);
                        if (r >= 0)
                                r = strv_extend(&p->blobs, mdig);
                        for (size_t l = 0; r >= 0 && l < nl; l++)
                                r = strv_extend(&p->blobs, digests[l]);
                }
                if (r >= 0)
                        r = set_names(p, src->o, ref_tag ? ref_tag : tags, "docker.io");
                image_config_info_done(&ci);
                free(lds);
        }
        if (r < 0) {
                for (size_t i = 0; i < n; i++)
                        pending_done(&v[i]);
                free(v);
                return r;
        }
        *ret = v;
        *n_ret = n;
        return 0;
}

static int load_oci_manifest(struct stage *st, const struct load_src *src, const struct descriptor *d,
                             struct pending *p, struct cu_error **err);

/* oci-archive and oci: oci-layout, index.json, blobs/sha256/…; every blob is verified.
 * o->ref picks the entry with that org.opencontainers.image.ref.name. */
static int load_oci(struct stage *st, const struct load_src *src, struct pending **ret, size_t *n_ret,
                    struct cu_error **err)
{
        const struct load_opts *o = src->o;
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r = read_member(src->fd, "index.json", &data, &len, err);
        if (r < 0)
                return r;
        struct image_index x = { 0 };
        r = image_index_parse(data, len, &x, err);
        if (r < 0)
                return cu_error_prefix(err, r, "index.json");
        size_t n_want = 0;
        for (size_t i = 0; i < x.n; i++)
                if (!o || !o->ref || (x.manifests[i].ref_name && strcmp(x.manifests[i].ref_name, o->ref) == 0))
                        n_want++;
        if (x.n == 0)
                r = cu_error_setx(err, EINVAL, "index.json lists no images");
        else if (o && o->ref && n_want == 0)
                r = cu_error_setx(err, ENOENT, "no descriptor found for reference \"%s\"", o->ref);
        else if (o && o->one && n_want > 1)
                r = cu_error_setx(err, EINVAL, "more than one image in oci, choose an image");
        struct pending *v = r >= 0 ? calloc(x.n, sizeof(*v)) : NULL;
        if (r >= 0 && !v)
                r = -ENOMEM;
        size_t n = 0;
        for (size_t i = 0; r >= 0 && i < x.n; i++) {
                const char *ref = x.manifests[i].ref_name;
                if (o && o->ref && (!ref || strcmp(ref, o->ref) != 0))
                        continue;
                struct pending *p = &v[n++];
                r = load_oci_manifest(st, src, &x.manifests[i], p, err);
                /* podman reads the ref name as an image name ("latest" → localhost/latest:latest). */
                char *refs[] = { (char *) ref, NULL };
                if (r >= 0)
                        r = set_names(p, o, ref ? refs : NULL, "localhost");
        }
        image_index_done(&x);
        if (r < 0) {
                for (size_t i = 0; i < n; i++)
                        pending_done(&v[i]);
                free(v);
                return r;
        }
        *ret = v;
        *n_ret = n;
        return 0;
}

static int stage_oci_blob(struct stage *st, const struct load_src *src, const struct descriptor *d,
                          struct cu_error **err)
{
        if (stage_has_blob(st, d->digest))
                return 0;
        char path[96], got[DIGEST_STR_LEN + 1];
        snprintf(path, sizeof(path), "%s%s", src->blob_dir, digest_hex(d->digest));
        if (faccessat(src->fd, path, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
                return cu_error_setx(err, EINVAL, "blob %s is not in the %s", d->digest,
                                     src->staged ? "archive" : "directory");
        uint64_t size = 0;
        int r = take_blob(st, src, path, d->digest, (int64_t) d->size, got, &size, err);
        if (r < 0)
                return cu_error_prefix(err, r, "blob %s", d->digest);
        return 0;
}

static int load_oci_manifest(struct stage *st, const struct load_src *src, const struct descriptor *d,
                             struct pending *p, struct cu_error **err)

{
        int r = stage_oci_blob(st, src, d, err);
        if (r < 0)
                return r;
        _cleanup_close_ int mfd = stage_blob_open(st, d->digest, err);
        if (mfd < 0)
                return mfd;
        _cleanup_free_ char *mdata = NULL;
        size_t mlen = 0;
        if ((r = read_full_fd(mfd, &mdata, &mlen)) < 0)
                return cu_error_set(err, -r, "reading manifest %s", d->digest);
        _cleanup_free_ char *kind = NULL;
        if ((r = manifest_kind(mdata, mlen, d->media_type, &kind, err)) < 0)
                return r;
        if (media_type_is_index(kind)) {
                struct image_index x = { 0 };
                if ((r = image_index_parse(mdata, mlen, &x, err)) < 0)
                        return r;
                const struct descriptor *pick = NULL;
                r = image_index_select(&x, "linux", host_oci_arch(), NULL, &pick, err);
                if (r >= 0)
                        r = load_oci_manifest(st, src, pick, p, err);
                image_index_done(&x);
                return r;
        }
        struct manifest m = { 0 };
        if ((r = manifest_parse(mdata, mlen, &m, err)) < 0)
                return r;
        r = stage_oci_blob(st, src, &m.config, err);
        _cleanup_close_ int cfd = r >= 0 ? stage_blob_open(st, m.config.digest, err) : -1;
        if (r >= 0 && cfd < 0)
                r = cfd;
        size_t clen = 0;
        if (r >= 0 && (r = read_full_fd(cfd, &p->config, &clen)) < 0)
                cu_error_set(err, -r, "reading config %s", m.config.digest);
        struct image_config_info ci = { 0 };
        if (r >= 0)
                r = image_config_parse(p->config, clen, &ci, err);
        if (r >= 0 && ci.n_diff_ids != m.n_layers)
                r = cu_error_setx(err, EINVAL, "manifest %s has %zu layers but its config lists %zu diff IDs",
                                  d->digest, m.n_layers, ci.n_diff_ids);
        _cleanup_strv_ char **digests = calloc(m.n_layers + 1, sizeof(char *));
        if (!digests)
                r = -ENOMEM;
        for (size_t l = 0; r >= 0 && l < m.n_layers; l++) {
                r = stage_oci_blob(st, src, &m.layers[l], err);
                if (r >= 0 && !(digests[l] = strdup(m.layers[l].digest)))
                        r = -ENOMEM;
        }
        if (r >= 0)
                r = stage_layers(st, p, (const char *const *) digests, ci.diff_ids, m.n_layers, err);
        if (r >= 0) {
                p->created = ci.created;
                p->manifest = TAKE_PTR(mdata);
                p->manifest_type = TAKE_PTR(kind);
                r = strv_extend(&p->blobs, m.config.digest);
                if (r >= 0)
                        r = strv_extend(&p->blobs, d->digest);
                for (size_t l = 0; r >= 0 && l < m.n_layers; l++)
                        r = strv_extend(&p->blobs, digests[l]);
        }
        image_config_info_done(&ci);
        manifest_done(&m);
        return r;
}

/* dir: manifest.json is the manifest; blobs are files named by their hex digest. */
static int load_dir(struct stage *st, const struct load_src *src, struct pending **ret, size_t *n_ret,
                    struct cu_error **err)
{
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r = read_member(src->fd, "manifest.json", &data, &len, err);
        if (r < 0)
                return r;
        struct descriptor d = { .size = len };
        if ((r = stage_blob_buffer(st, data, len, d.digest, err)) < 0)
                return r;
        struct pending *v = calloc(1, sizeof(*v));
        if (!v)
                return -ENOMEM;
        r = load_oci_manifest(st, src, &d, v, err);
        if (r >= 0)
                r = set_names(v, src->o, NULL, "localhost");
        if (r < 0) {
                pending_done(v);
                free(v);
                return r;
        }
        *ret = v;
        *n_ret = 1;
        return 0;
}

/* podman's copy lines for one image (blobs: config, manifest, layers…). */
static void print_progress(FILE *f, const struct pending *p)
{
        if (!f)
                return;
        for (size_t i = 2; p->blobs && p->blobs[0] && p->blobs[1] && p->blobs[i]; i++)
                fprintf(f, "Copying blob %s\n", p->blobs[i]);
        if (p->blobs && p->blobs[0])
                fprintf(f, "Copying config %s\n", p->blobs[0]);
        fputs("Writing manifest to image destination\nStoring signatures\n", f);
}

static int read_source(struct stage *st, enum image_source kind, struct load_src *src, struct pending **v,
                       size_t *n, struct cu_error **err)
{
        bool oci = faccessat(src->fd, "oci-layout", F_OK, AT_SYMLINK_NOFOLLOW) == 0 &&
                   faccessat(src->fd, "index.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0;
        switch (kind) {
        case IMAGE_SOURCE_ARCHIVE:
                if (oci)
                        return load_oci(st, src, v, n, err);
                if (faccessat(src->fd, "manifest.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                        return load_docker(st, src, v, n, err);
                return cu_error_setx(err, EINVAL, "payload does not match any of the supported image "
                                     "formats (oci-archive, docker-archive)");
        case IMAGE_SOURCE_DOCKER_ARCHIVE:
                return load_docker(st, src, v, n, err);
        case IMAGE_SOURCE_OCI_ARCHIVE:
        case IMAGE_SOURCE_OCI_DIR:
                return load_oci(st, src, v, n, err);
        case IMAGE_SOURCE_DIR:
                src->blob_dir = "";
                return load_dir(st, src, v, n, err);
        }
        return -EINVAL;
}

int archive_load_from(struct store *s, enum image_source kind, int fd, const struct load_opts *o,
                      char ***ret_loaded, char ***ret_ids, struct cu_error **err)
{
        _cleanup_stage_ struct stage *st = NULL;
        int r = stage_new(s, &st, err);
        if (r < 0)
                return r;
        struct load_src src = { .fd = fd, .blob_dir = "blobs/sha256/", .o = o };
        _cleanup_close_ int in_fd = -1;
        if (kind != IMAGE_SOURCE_OCI_DIR && kind != IMAGE_SOURCE_DIR) {
                if (mkdirat(stage_dirfd(st), "in", 0700) < 0)
                        return cu_error_set(err, errno, "creating staging directory");
                in_fd = openat(stage_dirfd(st), "in", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (in_fd < 0)
                        return cu_error_set(err, errno, "opening staging directory");
                r = extract_members(fd, in_fd, err);
                if (r < 0)
                        return cu_error_prefix(err, r, "payload does not match any of the supported image formats");
                src.fd = in_fd;
                src.staged = true;
        }
        FILE *progress = o ? o->progress : NULL;
        struct pending *v = NULL;
        size_t n = 0;
        r = read_source(st, kind, &src, &v, &n, err);
        if (r < 0)
                return r;
        _cleanup_strv_ char **loaded = NULL, **idv = NULL;
        struct image_new *ims = calloc(n + 1, sizeof(*ims));
        char (*ids)[DIGEST_HEX_LEN + 1] = calloc(n + 1, sizeof(*ids));
        if (!ims || !ids)
                r = -ENOMEM;
        for (size_t i = 0; r >= 0 && i < n; i++) {
                struct pending *p = &v[i];
                ims[i] = (struct image_new) {
                        .config = p->config, .manifest = p->manifest, .manifest_type = p->manifest_type,
                        .names = (const char *const *) p->names,
                        .layers = (const char *const *) p->layers,
                        .diff_ids = (const char *const *) p->diffs,
                        .layer_sizes = p->sizes, .n_layers = p->n_layers,
                        .blobs = (const char *const *) p->blobs, .n_blobs = strv_length(p->blobs),
                        .created = p->created,
                };
                if (progress)
                        fputs("Getting image source signatures\n", progress);
                print_progress(progress, p);
        }
        if (r >= 0)
                r = stage_commit_images(st, ims, n, ids, err);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                struct pending *p = &v[i];
                for (size_t k = 0; r >= 0 && p->names && p->names[k]; k++) {
                        r = strv_extend(&loaded, p->names[k]);
                        if (r >= 0)
                                r = strv_extend(&idv, ids[i]);
                }
                if (r >= 0 && !p->names) {
                        char buf[DIGEST_STR_LEN + 1];
                        snprintf(buf, sizeof(buf), "sha256:%s", ids[i]);
                        r = strv_extend(&loaded, buf);
                        if (r >= 0)
                                r = strv_extend(&idv, ids[i]);
                }
        }
        free(ims);
        free(ids);
        for (size_t i = 0; i < n; i++)
                pending_done(&v[i]);
        free(v);
        if (r < 0)
                return r;
        if (ret_loaded)
                *ret_loaded = TAKE_PTR(loaded);
        if (ret_ids)
                *ret_ids = TAKE_PTR(idv);
        return 0;
}

int archive_load(struct store *s, int fd, char ***ret_loaded, struct cu_error **err)
{
        return archive_load_from(s, IMAGE_SOURCE_ARCHIVE, fd, NULL, ret_loaded, NULL, err);
}
