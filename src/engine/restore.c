/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * container restore (the seed's restore(), importCheckpointTar()) and the export archive of a
 * checkpoint (exportCheckpoint()).
 *
 * Restore: the container's monitor is started as for `start`, but restores the CRIU images in
 * <userdata>/checkpoint instead of creating the container (monitor --restore), so the restored
 * init is the monitor's child.  The network namespace is prepared first with the addresses of
 * network.status as static reservations (unless --ignore-static-ip/--ignore-static-mac or a new
 * --name), so that the restored processes find their addresses again.
 *
 * Import: the archive is unpacked (every path resolved inside the target, storage/unpack.h)
 * into a fresh directory; only when it holds a config.dump and a checkpoint does a new
 * container come to be: its record (config.dump, the new name), its storage from the image
 * (which must exist), rootfs-diff.tar applied and deleted.files removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/checkpoint-int.h"
#include "engine/fs.h"
#include "engine/internal.h"
#include "engine/volumes.h"
#include "state/volumes.h"
#include "state/lock.h"
#include "storage/decompress.h"
#include "storage/images.h"
#include "storage/rootfs.h"
#include "storage/tar-write.h"
#include "storage/unpack.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/log.h"
#include "util/path.h"
#include "util/strv.h"

/* ------------------------------------------------------------------ export */

struct export_filter {
        char **top;     /* top-level names of userdata to archive */
        char **changes; /* for the rootfs: changed paths (without the leading '/') */
};

static bool keep_top(const char *path, const struct stat *st, void *userdata)
{
        (void) st;
        const struct export_filter *f = userdata;
        size_t n = strcspn(path, "/");
        for (char **t = f->top; t && *t; t++)
                if (strlen(*t) == n && strncmp(*t, path, n) == 0)
                        return false;
        return true;
}

/* Keeps a changed path, what is below a changed directory and the parents of changed paths. */
static bool keep_changed(const char *path, const struct stat *st, void *userdata)
{
        (void) st;
        const struct export_filter *f = userdata;
        size_t n = strlen(path);
        for (char **c = f->changes; c && *c; c++) {
                size_t m = strlen(*c);
                if (strcmp(*c, path) == 0)
                        return false;
                if (m > n && strncmp(*c, path, n) == 0 && (*c)[n] == '/')
                        return false; /* a parent */
                if (n > m && strncmp(path, *c, m) == 0 && path[m] == '/')
                        return false; /* inside an added directory */
        }
        return true;
}

/* rootfs-diff.tar and deleted.files of a container whose rootfs is mounted. */
static int rootfs_diff(struct engine *e, const struct ctr_record *r, const char *ud,
                       struct cu_error **err)
{
        struct diff_change *v = NULL;
        size_t n = 0;
        int ret = engine_diff(e, r->id, &v, &n, err);
        if (ret < 0)
                return cu_error_prefix(err, ret, "exporting root file-system diff for \"%s\"", r->id);
        _cleanup_strv_ char **changed = NULL;
        _cleanup_json_ json_t *deleted = json_array();
        for (size_t i = 0; i < n; i++) {
                const char *p = v[i].path + (v[i].path[0] == '/');
                if (v[i].kind == DIFF_DELETED)
                        json_array_append_new(deleted, json_string(v[i].path));
                else if (v[i].kind == DIFF_ADDED || v[i].kind == DIFF_CHANGED)
                        (void) strv_extend(&changed, p);
        }
        diff_changes_free(v, n);
        _cleanup_free_ char *dp = NULL, *tp = NULL, *merged = NULL;
        if (asprintf(&dp, "%s/%s", ud, CR_DELETED_FILES) < 0 ||
            asprintf(&tp, "%s/%s", ud, CR_ROOTFS_DIFF) < 0)
                return cu_error_set(err, ENOMEM, "asprintf");
        ret = json_write_file_atomic(deleted, dp, 0600, err);
        if (ret < 0)
                return ret;
        ret = rootfs_mount(e->store, r->id, &merged, err);
        if (ret < 0)
                return ret;
        _cleanup_close_ int root = open(merged, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int out = open(tp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (root < 0 || out < 0)
                return cu_error_set(err, errno, "creating %s", tp);
        _cleanup_tar_writer_ struct tar_writer *w = tar_writer_new(out, COMPRESSION_NONE, err);
        if (!w)
                return -EIO;
        struct export_filter f = { .changes = changed };
        struct tar_tree_opts to = { .filter = keep_changed, .userdata = &f };
        if (changed)
                ret = tar_add_tree(w, root, NULL, &to, err);
        if (ret >= 0)
                ret = tar_writer_finish(w, NULL, NULL, NULL, err);
        return ret;
}

/* The names of the container's volumes (config Mounts of type volume). */
static char **volume_names(const char *config)
{
        _cleanup_json_ json_t *c = json_loads(config, 0, NULL);
        char **l = NULL;
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(c, "Mounts"), i, m) {
                const char *t = json_string_value(json_object_get(m, "Type"));
                const char *n = json_string_value(json_object_get(m, "Name"));
                if (t && strcmp(t, "volume") == 0 && n && *n && !strchr(n, '/') &&
                    !strv_contains(l, n))
                        (void) strv_extend(&l, n);
        }
        return l;
}

/* volumes/NAME.tar for each volume of the container. */
static int export_volumes(struct engine *e, const struct ctr_record *r, const char *dir,
                          struct cu_error **err)
{
        _cleanup_strv_ char **names = volume_names(r->config);
        if (!names)
                return 0;
        int ret = mkdir_p(dir, 0700);
        if (ret < 0)
                return cu_error_set(err, -ret, "creating volumes export directory \"%s\"", dir);
        for (char **n = names; *n; n++) {
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "%s/%s.tar", dir, *n) < 0)
                        return cu_error_set(err, ENOMEM, "asprintf");
                _cleanup_close_ int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
                if (fd < 0)
                        return cu_error_set(err, errno, "creating \"%s\"", p);
                ret = engine_volume_export(e, *n, fd, err);
                if (ret < 0)
                        return ret;
        }
        return 0;
}

/* The volumes of an imported container from volumes/NAME.tar, made when missing. */
static int import_volumes(struct engine *e, const struct ctr_record *r, struct cu_error **err)
{
        _cleanup_strv_ char **names = volume_names(r->config);
        for (char **n = names; n && *n; n++) {
                _cleanup_free_ char *p = NULL;
                _cleanup_free_ char *rel = NULL;
                if (asprintf(&rel, "%s/%s.tar", CR_VOLUMES_DIR, *n) < 0 ||
                    !(p = engine_cr_path(e, r->id, rel)))
                        return cu_error_set(err, ENOMEM, "asprintf");
                _cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        return cu_error_set(err, errno, "failed to open volume file %s", p);
                struct engine_volume_create_opts vo = { .name = *n, .ignore = true };
                struct vol_record *v = NULL;
                int ret = engine_volume_create(e, &vo, &v, err);
                if (ret < 0)
                        return cu_error_prefix(err, ret, "failed to retrieve volume %s", *n);
                vol_record_free(v);
                ret = engine_volume_import(e, *n, fd, err);
                if (ret < 0)
                        return cu_error_prefix(err, ret, "failed to extract volume %s", p);
        }
        return 0;
}

int engine_cr_export(struct engine *e, const struct ctr_record *r,
                     const struct engine_checkpoint_opts *o, struct cu_error **err)
{
        _cleanup_free_ char *ud = engine_path(e, r->id, "userdata");
        if (!ud)
                return cu_error_set(err, ENOMEM, "asprintf");
        enum compression comp = compression_from_string(o->compress ? o->compress : "zstd");
        if (comp < 0)
                return cu_error_setx(err, EINVAL, "selected compression algorithm (\"%s\") not supported. Please select one from: gzip, none, zstd",
                                     o->compress);
        struct export_filter f = { 0 };
        const char *always[] = { CR_DIR, CR_CONFIG_DUMP, CR_SPEC_DUMP, CR_NETWORK_STATUS,
                                 "stats-dump", "ctr.log" };
        for (size_t i = 0; i < ELEMENTSOF(always); i++)
                if (strv_extend(&f.top, always[i]) < 0)
                        return cu_error_set(err, ENOMEM, "strv");
        int ret = 0;
        if (!o->ignore_rootfs) {
                ret = rootfs_diff(e, r, ud, err);
                if (ret < 0)
                        return ret;
                (void) strv_extend(&f.top, CR_ROOTFS_DIFF);
                (void) strv_extend(&f.top, CR_DELETED_FILES);
        }
        _cleanup_free_ char *voldir = NULL;
        if (!o->ignore_volumes) {
                if (asprintf(&voldir, "%s/%s", ud, CR_VOLUMES_DIR) < 0)
                        return cu_error_set(err, ENOMEM, "asprintf");
                ret = export_volumes(e, r, voldir, err);
                if (ret < 0) {
                        (void) rm_rf(voldir);
                        return ret;
                }
                (void) strv_extend(&f.top, CR_VOLUMES_DIR);
        }
        _cleanup_close_ int dirfd = open(ud, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int out = open(o->export_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (out < 0)
                ret = cu_error_set(err, errno, "creating checkpoint export file \"%s\"", o->export_file);
        else if (dirfd < 0)
                ret = cu_error_set(err, errno, "reading checkpoint directory \"%s\"", r->id);
        if (ret >= 0) {
                (void) fchmod(out, 0600);
                _cleanup_tar_writer_ struct tar_writer *w = tar_writer_new(out, comp, err);
                struct tar_tree_opts to = { .filter = keep_top, .userdata = &f };
                ret = w ? tar_add_tree(w, dirfd, NULL, &to, err) : -EIO;
                if (ret >= 0)
                        ret = tar_writer_finish(w, NULL, NULL, NULL, err);
        }
        const char *tmp[] = { CR_ROOTFS_DIFF, CR_DELETED_FILES };
        for (size_t i = 0; i < ELEMENTSOF(tmp) && dirfd >= 0; i++)
                (void) unlinkat(dirfd, tmp[i], 0);
        strv_free(f.top);
        if (voldir)
                (void) rm_rf(voldir);
        if (ret < 0 && out >= 0)
                (void) unlink(o->export_file);
        return ret;
}

/* ------------------------------------------------------------------ import */

/* rootfs-diff.tar into the container's root, deleted.files removed from it. */
static int apply_rootfs_diff(struct engine *e, const char *id, const char *ud,
                             struct cu_error **err)
{
        _cleanup_free_ char *tp = NULL, *dp = NULL, *merged = NULL;
        if (asprintf(&tp, "%s/%s", ud, CR_ROOTFS_DIFF) < 0 ||
            asprintf(&dp, "%s/%s", ud, CR_DELETED_FILES) < 0)
                return cu_error_set(err, ENOMEM, "asprintf");
        _cleanup_close_ int tar = open(tp, O_RDONLY | O_CLOEXEC);
        if (tar < 0 && access(dp, F_OK) < 0)
                return 0; /* exported with --ignore-rootfs */
        int ret = rootfs_mount(e->store, id, &merged, err);
        if (ret < 0)
                return ret;
        _cleanup_close_ int root = open(merged, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                ret = cu_error_set(err, errno, "opening %s", merged);
        if (ret >= 0 && tar >= 0) {
                ret = layer_unpack(tar, root, NULL, NULL, err);
                if (ret < 0)
                        cu_error_prefix(err, ret, "unpacking of checkpoint archive failed: %s",
                                        CR_ROOTFS_DIFF);
        }
        _cleanup_json_ json_t *del = ret >= 0 && access(dp, F_OK) == 0 ? json_load_path(dp, err) : NULL;
        size_t i;
        json_t *v;
        json_array_foreach(del, i, v) {
                const char *p = json_string_value(v);
                if (!p)
                        continue;
                /* the parent resolved inside the root; the name removed there */
                _cleanup_free_ char *copy = strdup(p);
                char *slash = copy ? strrchr(copy, '/') : NULL;
                const char *base = slash ? slash + 1 : copy;
                if (!copy || !*base || strcmp(base, "..") == 0 || strcmp(base, ".") == 0)
                        continue;
                if (slash)
                        *slash = '\0';
                _cleanup_close_ int dir = open_in_root(root, slash && *copy ? copy : ".",
                                                       O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
                if (dir >= 0 && unlinkat(dir, base, 0) < 0 && errno == EISDIR)
                        (void) unlinkat(dir, base, AT_REMOVEDIR);
        }
        (void) rootfs_unmount(e->store, id, NULL);
        return ret;
}

static int unpack_archive(const char *file, const char *dir, struct cu_error **err)
{
        _cleanup_close_ int fd = open(file, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return cu_error_set(err, errno, "failed to open checkpoint archive %s for import", file);
        _cleanup_close_ int d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (d < 0)
                return cu_error_set(err, errno, "opening %s", dir);
        struct unpack_opts uo = { 0 };
        int ret = layer_unpack(fd, d, &uo, NULL, err);
        if (ret < 0)
                return cu_error_prefix(err, ret, "unpacking of checkpoint archive %s failed", file);
        return 0;
}

/* A new container from an exported checkpoint; *ret_id its ID. */
static int import_checkpoint(struct engine *e, const struct engine_restore_opts *o,
                             char ret_id[CTR_ID_LEN + 1], struct cu_error **err)
{
        if (o->name && !ctr_name_valid(o->name))
                return cu_error_setx(err, EINVAL,
                                     "names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument");
        _cleanup_free_ char *tmp = NULL, *parent = NULL;
        if (asprintf(&parent, "%s/containers", e->root) < 0 ||
            asprintf(&tmp, "%s/import-XXXXXX", parent) < 0)
                return cu_error_set(err, ENOMEM, "asprintf");
        int ret = mkdir_p(parent, 0700);
        if (ret < 0)
                return cu_error_set(err, -ret, "creating %s", parent);
        if (!mkdtemp(tmp))
                return cu_error_set(err, errno, "creating %s", tmp);
        struct ctr_record rec = { .state = CTR_STATE_EXITED, .created = engine_now_ns() };
        _cleanup_image_rec_ struct image_rec *im = NULL;
        _cleanup_json_ json_t *c = NULL;
        bool storage = false;
        _cleanup_free_ char *cd = NULL, *inv = NULL, *ud = NULL, *text = NULL, *name = NULL;
        ret = unpack_archive(o->import_file, tmp, err);
        if (ret < 0)
                goto fail;
        if (asprintf(&cd, "%s/%s", tmp, CR_CONFIG_DUMP) < 0 ||
            asprintf(&inv, "%s/%s/inventory.img", tmp, CR_DIR) < 0) {
                ret = cu_error_set(err, ENOMEM, "asprintf");
                goto fail;
        }
        c = access(cd, F_OK) == 0 ? json_load_path(cd, err) : NULL;
        if (!c || !json_is_object(c)) {
                cu_error_clear(err);
                ret = cu_error_setx(err, EINVAL, "failed to read \"%s\" from checkpoint archive %s",
                                    CR_CONFIG_DUMP, o->import_file);
                goto fail;
        }
        if (access(inv, F_OK) < 0) {
                ret = cu_error_setx(err, EINVAL, "checkpoint archive %s holds no complete checkpoint",
                                    o->import_file);
                goto fail;
        }
        const char *given = o->name ? o->name : json_string_value(json_object_get(c, "Name"));
        name = given ? strdup(given) : NULL;
        if (!name || !ctr_name_valid(name)) {
                ret = cu_error_setx(err, EINVAL, "%s: the checkpoint has no valid container name",
                                    o->import_file);
                goto fail;
        }
        const char *img = json_string_value(json_object_get(c, "RootfsImageID"));
        ret = image_lookup(e->db, img ? img : "", &im, err);
        if (ret < 0) {
                cu_error_clear(err);
                const char *in = json_string_value(json_object_get(c, "RootfsImageName"));
                ret = cu_error_setx(err, ENOENT, "image %s of the checkpoint not found: image not known",
                                    in ? in : strempty(img));
                goto fail;
        }
        if (o->publish) {
                struct engine_create_opts po = { .net.publish = o->publish };
                json_object_del(c, "PortMappings");
                ret = engine_config_ports(e, c, &po, NULL, engine_netmode(c, NULL) == NETMODE_BRIDGE,
                                          err);
                if (ret < 0)
                        goto fail;
        }
        json_object_set_new(c, "Name", json_string(name));
        json_object_del(c, "ID");
        ret = ctr_id_generate(rec.id);
        if (ret < 0) {
                ret = cu_error_set(err, -ret, "generating a container ID");
                goto fail;
        }
        ret = rootfs_create(e->store, rec.id, im->layers, err);
        storage = true;
        if (ret < 0)
                goto fail;
        ud = engine_path(e, rec.id, "userdata");
        if (!ud || rename(tmp, ud) < 0) {
                ret = cu_error_set(err, ud ? errno : ENOMEM, "moving the checkpoint to %s", strempty(ud));
                goto fail;
        }
        free(tmp);
        tmp = NULL;
        if (!o->ignore_rootfs) {
                ret = apply_rootfs_diff(e, rec.id, ud, err);
                if (ret < 0)
                        goto fail;
        }
        text = json_dumps(c, JSON_COMPACT);
        rec.name = name;
        rec.config = text;
        rec.image_id = im->id;
        rec.image_name = (char *) json_string_value(json_object_get(c, "ImageName"));
        ret = text ? ctr_add(e->db, &rec, err) : cu_error_set(err, ENOMEM, "config");
        if (ret < 0)
                goto fail;
        engine_event_container(e, &rec, "create");
        memcpy(ret_id, rec.id, sizeof rec.id);
        return 0;
fail:
        if (tmp)
                (void) rm_rf(tmp);
        if (storage)
                (void) rootfs_delete(e->store, rec.id, NULL);
        if (ud)
                (void) rm_rf(ud);
        return ret;
}

/* ------------------------------------------------------------------ restore */

/* The addresses of network.status as static reservations in the config's Networks. */
static void static_addresses(json_t *c, json_t *status, bool ip, bool mac)
{
        size_t i;
        json_t *ent;
        json_array_foreach(json_object_get(c, "Networks"), i, ent) {
                const char *net = json_string_value(json_object_get(ent, "Name"));
                json_t *ifs = json_object_get(json_object_get(status, net ? net : ""), "interfaces");
                const char *ifname;
                json_t *itf;
                json_object_foreach(ifs, ifname, itf) {
                        if (mac) {
                                const char *m = json_string_value(json_object_get(itf, "mac_address"));
                                if (m && *m)
                                        json_object_set_new(ent, "MAC", json_string(m));
                        }
                        if (ip) {
                                json_t *ips = json_array();
                                size_t k;
                                json_t *sn;
                                json_array_foreach(json_object_get(itf, "subnets"), k, sn) {
                                        const char *cidr = json_string_value(json_object_get(sn, "ipnet"));
                                        if (!cidr)
                                                continue;
                                        char a[128];
                                        snprintf(a, sizeof a, "%.*s", (int) strcspn(cidr, "/"), cidr);
                                        json_array_append_new(ips, json_string(a));
                                }
                                json_object_set_new(ent, "StaticIPs", ips);
                        }
                        break; /* the first interface, as podman */
                }
        }
}

static int64_t mono_us(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int restore_locked(struct engine *e, struct ctr_record *r, const char *as_given,
                          const struct engine_restore_opts *o, json_t **ret_stats,
                          struct cu_error **err)
{
        int ret = engine_cr_supported(r, NULL, err);
        if (ret < 0)
                return ret;
        if (r->state != CTR_STATE_CONFIGURED && r->state != CTR_STATE_CREATED &&
            r->state != CTR_STATE_EXITED && r->state != CTR_STATE_STOPPED)
                return cu_error_setx(err, EBUSY,
                                     "container %s is running or paused, cannot restore: container state improper",
                                     r->id);
        _cleanup_free_ char *dir = engine_cr_path(e, r->id, CR_DIR);
        _cleanup_free_ char *inv = engine_cr_path(e, r->id, CR_DIR "/inventory.img");
        _cleanup_free_ char *ns = engine_cr_path(e, r->id, CR_NETWORK_STATUS);
        if (!dir || !inv || !ns)
                return cu_error_set(err, ENOMEM, "asprintf");
        if (o->import_previous) {
                _cleanup_free_ char *ud = engine_path(e, r->id, "userdata");
                ret = ud ? unpack_archive(o->import_previous, ud, err) : -ENOMEM;
                if (ret < 0)
                        return ret;
        }
        if (access(inv, F_OK) < 0)
                return cu_error_setx(err, ENOENT,
                                     "a complete checkpoint for this container cannot be found, cannot restore: stat %s: no such file or directory",
                                     inv);
        if (o->import_file && !o->ignore_volumes) {
                ret = import_volumes(e, r, err);
                if (ret < 0)
                        return ret;
        }
        _cleanup_free_ char *orig = strdup(r->config);
        if (!orig)
                return cu_error_set(err, ENOMEM, "strdup");
        bool changed = false;
        if (!o->name && (!o->ignore_static_ip || !o->ignore_static_mac)) {
                _cleanup_json_ json_t *status = json_load_path(ns, NULL);
                _cleanup_json_ json_t *c = engine_config(r);
                if (status && c) {
                        static_addresses(c, status, !o->ignore_static_ip, !o->ignore_static_mac);
                        char *t = json_dumps(c, JSON_COMPACT);
                        if (t && ctr_set_config(e->db, r->id, t, NULL) >= 0) {
                                free(r->config);
                                r->config = t;
                                changed = true;
                        } else {
                                free(t);
                        }
                }
        }
        struct engine_start_opts so = {
                .restore_dir = dir,
                .restore_tcp_established = o->tcp_established,
                .restore_file_locks = o->file_locks,
        };
        int64_t t0 = mono_us();
        ret = engine_start_locked(e, r, &so, false, err);
        int64_t runtime_us = mono_us() - t0;
        if (changed) {
                (void) ctr_set_config(e->db, r->id, orig, NULL);
                free(r->config);
                r->config = TAKE_PTR(orig);
        }
        if (ret < 0)
                return ret;
        engine_record_extra_update(r, json_pack("{s:b, s:b, s:I}", "Checkpointed", 0, "Restored", 1,
                                                "RestoredAt", (json_int_t) engine_now_ns()));
        (void) engine_save_state(e, r, NULL);
        engine_event_container(e, r, "restore");
        if (o->print_stats && ret_stats) {
                _cleanup_free_ char *sp = engine_cr_path(e, r->id, CR_DIR "/stats-restore");
                json_t *s = sp ? engine_cr_stats(sp, true, err) : NULL;
                if (!s)
                        return -EINVAL;
                *ret_stats = json_pack("{s:s, s:s, s:I, s:o}", "Id", r->id, "NameOrId", as_given,
                                       "runtime_restore_duration", (json_int_t) runtime_us,
                                       "criu_statistics", s);
        }
        if (!o->keep) {
                (void) rm_rf(dir);
                const char *files[] = { CR_PRE_DIR, CR_VOLUMES_DIR, "restore.log", "dump.log",
                                        "stats-dump", "stats-restore", CR_NETWORK_STATUS,
                                        CR_ROOTFS_DIFF, CR_DELETED_FILES, CR_CONFIG_DUMP,
                                        CR_SPEC_DUMP };
                for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                        _cleanup_free_ char *p = engine_cr_path(e, r->id, files[i]);
                        if (p)
                                (void) rm_rf(p);
                }
        }
        return 0;
}

int engine_restore(struct engine *e, const char *id, const struct engine_restore_opts *o,
                   char ret_id[CTR_ID_LEN + 1], json_t **ret_stats, struct cu_error **err)
{
        char newid[CTR_ID_LEN + 1] = "";
        if (o->import_file) {
                int ret = import_checkpoint(e, o, newid, err);
                if (ret < 0)
                        return ret;
                id = newid;
        }
        _cleanup_lock_ struct lock *l = NULL;
        _cleanup_ctr_record_ struct ctr_record *r = NULL;
        int ret = engine_get_locked(e, id, &l, &r, err);
        if (ret >= 0)
                ret = restore_locked(e, r, o->import_file ? r->name : id, o, ret_stats, err);
        if (ret < 0 && newid[0]) {
                /* nothing of a failed import stays */
                if (r)
                        (void) engine_remove_locked(e, r, NULL);
                return ret;
        }
        if (ret >= 0)
                memcpy(ret_id, r->id, CTR_ID_LEN + 1);
        return ret;
}
