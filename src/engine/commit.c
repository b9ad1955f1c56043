/* SPDX-License-Identifier: GPL-2.0-or-later */
/* commit: a new image from a container: the container's overlay upper directory (its
 * changes) becomes a layer on top of the image's (whiteouts as ".wh." entries), or the whole
 * root filesystem one layer (--squash, and always with vfs, which keeps no changes apart).
 * Everything is made in a private stage and published in one step (stage.h): a failure
 * (a full disk) leaves no image and no layer behind, and the container is only read. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/fs.h"
#include "engine/idmap.h"
#include "engine/internal.h"
#include "storage/image-archive.h"
#include "storage/images.h"
#include "storage/manifest.h"
#include "storage/stage.h"
#include "storage/tar-write.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strv.h"

static char *join_command(json_t *c)
{
        _cleanup_strv_ char **v = NULL;
        const char *keys[] = { "Entrypoint", "Cmd" };
        for (size_t k = 0; k < 2; k++) {
                size_t i;
                json_t *x;
                json_array_foreach(json_object_get(c, keys[k]), i, x)
                        if (json_is_string(x) && strv_extend(&v, json_string_value(x)) < 0)
                                return NULL;
        }
        return v ? strv_join(v, " ") : strdup("");
}

json_t *commit_config_build(json_t *image_config, json_t *ctr_config,
                            const struct engine_commit_opts *o, const char *diff_id,
                            const char *created, struct cu_error **err)
{
        _cleanup_json_ json_t *ic = image_config ? json_deep_copy(image_config) : json_object();
        if (!ic)
                return NULL;
        json_t *cfg = json_object_get(ic, "config");
        if (!json_is_object(cfg)) {
                cfg = json_object();
                json_object_set_new(ic, "config", cfg);
        }
        /* the container's settings (libpod's commit: env, labels, cmd, entrypoint, user,
         * workdir; the stop signal stays the image's) */
        static const char *const keys[] = { "Env", "Cmd", "Entrypoint", "User", "WorkingDir", "Labels" };
        for (size_t i = 0; ctr_config && i < sizeof(keys) / sizeof(keys[0]); i++) {
                json_t *v = json_object_get(ctr_config, keys[i]);
                bool empty = !v || json_is_null(v) || (json_is_array(v) && json_array_size(v) == 0) ||
                             (json_is_object(v) && json_object_size(v) == 0) ||
                             (json_is_string(v) && !*json_string_value(v));
                if (empty)
                        json_object_del(cfg, keys[i]);
                else
                        json_object_set_new(cfg, keys[i], json_deep_copy(v));
        }
        if (o->include_volumes) {
                size_t i;
                json_t *m;
                json_array_foreach(json_object_get(ctr_config, "Mounts"), i, m) {
                        const char *d = json_string_value(json_object_get(m, "Destination"));
                        json_t *vols = json_object_get(cfg, "Volumes");
                        if (!json_is_object(vols)) {
                                vols = json_object();
                                json_object_set_new(cfg, "Volumes", vols);
                        }
                        if (d)
                                json_object_set_new(vols, d, json_object());
                }
        }
        for (size_t i = 0; o->changes && o->changes[i]; i++)
                if (image_config_apply_change(cfg, o->changes[i], err) < 0)
                        return NULL;
        json_object_set_new(ic, "created", json_string(created));
        if (o->author && *o->author)
                json_object_set_new(ic, "author", json_string(o->author));
        if (o->docker && o->message && *o->message)
                json_object_set_new(ic, "comment", json_string(o->message));
        if (!json_is_string(json_object_get(ic, "architecture")))
                json_object_set_new(ic, "architecture", json_string(host_oci_arch()));
        if (!json_is_string(json_object_get(ic, "os")))
                json_object_set_new(ic, "os", json_string("linux"));
        /* rootfs and history */
        json_t *rootfs = json_object_get(ic, "rootfs");
        if (!json_is_object(rootfs)) {
                rootfs = json_object();
                json_object_set_new(ic, "rootfs", rootfs);
        }
        json_object_set_new(rootfs, "type", json_string("layers"));
        json_t *ids = json_object_get(rootfs, "diff_ids");
        if (!json_is_array(ids) || o->squash) {
                ids = json_array();
                json_object_set_new(rootfs, "diff_ids", ids);
        }
        json_array_append_new(ids, json_string(diff_id));
        json_t *hist = json_object_get(ic, "history");
        if (!json_is_array(hist)) {
                hist = json_array();
                json_object_set_new(ic, "history", hist);
        }
        if (o->squash) { /* the earlier entries describe no layer of their own any more */
                size_t i;
                json_t *h;
                json_array_foreach(hist, i, h)
                        if (json_is_object(h))
                                json_object_set_new(h, "empty_layer", json_true());
        }
        _cleanup_free_ char *cmd = join_command(ctr_config);
        json_t *nh = json_pack("{s:s, s:s}", "created", created, "created_by", cmd ? cmd : "");
        if (!nh)
                return NULL;
        if (o->author && *o->author)
                json_object_set_new(nh, "author", json_string(o->author));
        if (o->message && *o->message)
                json_object_set_new(nh, "comment", json_string(o->message));
        json_array_append_new(hist, nh);
        return TAKE_PTR(ic);
}

/* Layer media types in the manifest's flavour. */
static const char *layer_type(const char *t, bool docker)
{
        if (docker) {
                if (strcmp(t, MT_OCI_LAYER) == 0)
                        return MT_DOCKER_LAYER;
                if (strcmp(t, MT_OCI_LAYER_GZIP) == 0)
                        return MT_DOCKER_LAYER_GZIP;
                return t;
        }
        if (strcmp(t, MT_DOCKER_LAYER) == 0)
                return MT_OCI_LAYER;
        if (strcmp(t, MT_DOCKER_LAYER_GZIP) == 0)
                return MT_OCI_LAYER_GZIP;
        return t;
}

/* Writes the layer tar into the stage (stage/layer.tar) and adopts it as a blob. */
static int make_layer(struct engine *e, struct stage *st, const struct engine_root *root,
                      bool whole, char blob[static DIGEST_STR_LEN + 1], uint64_t *ret_size,
                      struct cu_error **err)
{
        _cleanup_close_ int src = -1;
        if (whole)
                src = openat(root->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        else {
                char rel[CTR_ID_LEN + 32];
                snprintf(rel, sizeof(rel), "containers/%s/diff", root->id);
                src = openat(e->store->root_fd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        }
        if (src < 0)
                return cu_error_set(err, errno, "opening the changes of container %s", root->id);
        if (!whole) { /* a user namespace: the layer records the container's owners */
                int view = -1;
                int vr = engine_idmap_open_ctr_view(root->config, src, &view, err);
                if (vr < 0)
                        return vr;
                if (view >= 0) {
                        close(src);
                        src = view;
                }
        }
        _cleanup_close_ int out = openat(stage_dirfd(st), "layer.tar", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (out < 0)
                return cu_error_set(err, errno, "creating the layer");
        _cleanup_tar_writer_ struct tar_writer *w = tar_writer_new(out, COMPRESSION_NONE, err);
        if (!w)
                return -EIO;
        struct tar_tree_opts to = { .overlay_whiteouts = !whole };
        char diff[DIGEST_STR_LEN + 1];
        uint64_t size = 0;
        int r = tar_add_tree(w, src, NULL, &to, err);
        if (r >= 0)
                r = tar_writer_finish(w, &size, diff, NULL, err);
        if (r >= 0 && fsync(out) < 0) /* a full disk shows here at the latest */
                r = cu_error_set(err, errno, "writing the layer");
        if (r < 0)
                return cu_error_prefix(err, r, "writing the layer");
        return stage_blob_adopt(st, "layer.tar", diff, (int64_t) size, blob, ret_size, err);
}

int engine_commit(struct engine *e, const char *id_or_name, const struct engine_commit_opts *o,
                  char ret_id[static 65], struct cu_error **err)
{
        _cleanup_ctr_record_ struct ctr_record *rec = NULL;
        int r = engine_get(e, id_or_name, &rec, err);
        if (r < 0)
                return r;
        bool paused = false;
        if (o->pause && rec->state == CTR_STATE_RUNNING && engine_is_running(rec)) {
                r = engine_pause(e, rec->id, true, err);
                if (r < 0)
                        return cu_error_prefix(err, r, "pausing container %s", rec->id);
                paused = true;
        }
        struct engine_root root = { .fd = -1 };
        _cleanup_stage_ struct stage *st = NULL;
        _cleanup_image_rec_ struct image_rec *base = NULL;
        _cleanup_json_ json_t *base_cfg = NULL;
        _cleanup_json_ json_t *cfg = NULL;
        _cleanup_free_ char *cfg_text = NULL, *man = NULL, *ts = NULL;
        _cleanup_json_ json_t *ctr_cfg = NULL;
        struct manifest bm = { 0 };
        struct descriptor *lds = NULL;
        const char **chains = NULL, **diffs = NULL, **blobs = NULL;
        uint64_t *sizes = NULL;
        r = engine_root_open(e, rec->id, true, &root, err);
        if (r < 0)
                goto out;
        bool whole = o->squash || e->store->driver != STORE_DRIVER_OVERLAY;
        if (rec->image_id && image_get(e->db, rec->image_id, &base, NULL) >= 0) {
                base_cfg = json_loads(base->config, 0, NULL);
                if (!whole && base->manifest && manifest_parse(base->manifest, strlen(base->manifest), &bm, err) < 0) {
                        r = -EINVAL;
                        goto out;
                }
        } else if (!whole) {
                r = cu_error_setx(err, ENOENT, "the image of container %s is gone: commit with --squash", rec->id);
                goto out;
        }
        r = stage_new(e->store, &st, err);
        if (r < 0)
                goto out;
        char blob[DIGEST_STR_LEN + 1], chain[DIGEST_STR_LEN + 1], diff[DIGEST_STR_LEN + 1];
        uint64_t blob_size = 0, lsize = 0;
        r = make_layer(e, st, &root, whole, blob, &blob_size, err);
        /* the container's files are read: it may run on */
        engine_root_close(e, &root);
        if (paused) {
                (void) engine_pause(e, rec->id, false, NULL);
                paused = false;
        }
        if (r < 0)
                goto out;
        size_t nb = whole ? 0 : strv_length(base->layers);
        const char *parent = nb ? base->layers[nb - 1] : NULL;
        r = stage_layer(st, blob, parent, blob /* uncompressed: the digest is the diff ID */, chain, diff, &lsize, err);
        if (r < 0)
                goto out;
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        int64_t created = (int64_t) now.tv_sec * 1000000000LL + now.tv_nsec;
        ts = format_rfc3339(created);
        ctr_cfg = engine_config(rec);
        cfg = commit_config_build(base_cfg, ctr_cfg, o, diff, ts ? ts : "", err);
        if (!cfg) {
                r = err && *err ? -EINVAL : -ENOMEM;
                goto out;
        }
        cfg_text = json_dumps(cfg, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (!cfg_text) {
                r = -ENOMEM;
                goto out;
        }
        struct descriptor cd = { .media_type = (char *) (o->docker ? MT_DOCKER_CONFIG : MT_OCI_CONFIG),
                                 .size = strlen(cfg_text) };
        r = stage_blob_buffer(st, cfg_text, strlen(cfg_text), cd.digest, err);
        if (r < 0)
                goto out;
        size_t nl = whole ? 1 : bm.n_layers + 1;
        if (!whole && bm.n_layers != nb) {
                r = cu_error_setx(err, EINVAL, "image %s: the manifest has %zu layers, the record %zu", base->id,
                                  bm.n_layers, nb);
                goto out;
        }
        lds = calloc(nl, sizeof(*lds));
        chains = calloc(nl, sizeof(*chains));
        diffs = calloc(nl, sizeof(*diffs));
        sizes = calloc(nl, sizeof(*sizes));
        blobs = calloc(nl + 2, sizeof(*blobs));
        if (!lds || !chains || !diffs || !sizes || !blobs) {
                r = -ENOMEM;
                goto out;
        }
        json_t *dids = json_object_get(json_object_get(cfg, "rootfs"), "diff_ids");
        for (size_t i = 0; i + 1 < nl; i++) {
                lds[i] = bm.layers[i];
                lds[i].media_type = (char *) layer_type(bm.layers[i].media_type, o->docker);
                chains[i] = base->layers[i];
                diffs[i] = json_string_value(json_array_get(dids, i));
                (void) images_layer_size(e->db, base->layers[i], &sizes[i]);
                blobs[i + 2] = bm.layers[i].digest;
        }
        lds[nl - 1] = (struct descriptor){ .media_type = (char *) (o->docker ? MT_DOCKER_LAYER : MT_OCI_LAYER),
                                           .size = blob_size };
        memcpy(lds[nl - 1].digest, blob, sizeof(blob));
        chains[nl - 1] = chain;
        diffs[nl - 1] = diff;
        sizes[nl - 1] = lsize;
        blobs[nl + 1] = blob;
        man = manifest_build(o->docker ? MT_DOCKER_MANIFEST : MT_OCI_MANIFEST, &cd, lds, nl);
        if (!man) {
                r = -ENOMEM;
                goto out;
        }
        char mdig[DIGEST_STR_LEN + 1];
        r = stage_blob_buffer(st, man, strlen(man), mdig, err);
        if (r < 0)
                goto out;
        blobs[0] = cd.digest;
        blobs[1] = mdig;
        const char *names[] = { o->name, NULL };
        struct image_new im = {
                .config = cfg_text, .manifest = man,
                .manifest_type = o->docker ? MT_DOCKER_MANIFEST : MT_OCI_MANIFEST,
                .names = o->name ? names : NULL, .layers = chains, .diff_ids = diffs, .layer_sizes = sizes,
                .n_layers = nl, .blobs = blobs, .n_blobs = nl + 2, .created = created,
        };
        r = stage_commit_image(st, &im, ret_id, err);
out:
        if (root.lock || root.fd >= 0)
                engine_root_close(e, &root);
        if (paused)
                (void) engine_pause(e, rec->id, false, NULL);
        free(lds);
        free(chains);
        free(diffs);
        free(sizes);
        free(blobs);
        manifest_done(&bm);
        return r < 0 ? cu_error_prefix(err, r, "committing container %s", rec->name) : r;
}
