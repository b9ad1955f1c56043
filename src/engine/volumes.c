/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Volumes and mounts of a container (the seed's generateSpec volume part): create folds -v,
 * --mount, --tmpfs, --volumes-from and the image's VOLUMEs into the config's "Mounts"
 * (making named and anonymous volumes); start turns them into OCI mounts (copy-up and
 * ownership of a new volume, U, overlay and image volumes mounted under the bundle),
 * --read-only's tmpfs, the mount order and the root propagation; cleanup undoes the mounts.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "engine/idmap.h"
#include "engine/internal.h"
#include "storage/copy.h"
#include "storage/images.h"
#include "state/lock.h"
#include "storage/store.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/log.h"
#include "util/path.h"
#include "util/strv.h"

#define streq(a, b) (strcmp((a), (b)) == 0)

static const char *mstr(json_t *m, const char *key)
{
        const char *s = json_string_value(json_object_get(m, key));
        return s ? s : "";
}

static bool dest_taken(json_t *mounts, const char *dst)
{
        size_t i;
        json_t *m;
        json_array_foreach(mounts, i, m)
                if (streq(mstr(m, "Destination"), dst))
                        return true;
        return false;
}

static int add_entry(json_t *mounts, json_t *m, struct cu_error **err)
{
        const char *dst = mstr(m, "Destination");
        if (dest_taken(mounts, dst)) {
                int r = cu_error_setx(err, EINVAL, "%s: duplicate mount destination", dst);
                json_decref(m);
                return r;
        }
        return json_array_append_new(mounts, m) < 0 ? -ENOMEM : 0;
}

/* A host path: absolute (relative to the working directory when it starts with '.'), must
 * exist; symlinks are resolved now, so that what is recorded is what gets mounted. */
static int host_path(json_t *m, const char *key, struct cu_error **err)
{
        const char *p = mstr(m, key);
        char *real = realpath(p, NULL);
        if (!real) {
                int e = errno;
                char msg[128];
                snprintf(msg, sizeof msg, "%s", strerror(e));
                if (msg[0] >= 'A' && msg[0] <= 'Z') /* Go's lower-case texts */
                        msg[0] = (char) (msg[0] - 'A' + 'a');
                return cu_error_setx(err, e, "statfs %s: %s", p, msg);
        }
        json_object_set_new(m, key, json_string(real));
        free(real);
        return 0;
}

static int parse_all(const struct engine_vol_opts *o, json_t *mounts, struct cu_error **err)
{
        struct {
                char **list;
                int (*fn)(const char *, json_t **, struct cu_error **);
        } kinds[] = { { o->volumes, mount_parse_volume }, { o->mounts, mount_parse_mount },
                      { o->tmpfs, mount_parse_tmpfs } };
        for (size_t k = 0; k < ELEMENTSOF(kinds); k++)
                for (char **s = kinds[k].list; s && *s; s++) {
                        json_t *m = NULL;
                        int r = kinds[k].fn(*s, &m, err);
                        if (r < 0)
                                return r;
                        r = add_entry(mounts, m, err);
                        if (r < 0)
                                return r;
                }
        return 0;
}

/* --volumes-from: the named volumes and bind mounts of another container. */
static int volumes_from(struct engine *e, const struct engine_vol_opts *o, json_t *mounts,
                        struct cu_error **err)
{
        for (char **s = o->volumes_from; s && *s; s++) {
                _cleanup_free_ char *ctr = NULL;
                int rw = -1;
                int r = mount_parse_volumes_from(*s, &ctr, &rw, err);
                if (r < 0)
                        return r;
                _cleanup_ctr_record_ struct ctr_record *src = NULL;
                r = ctr_get(e->db, ctr, &src, err);
                if (r < 0)
                        return cu_error_prefix(err, r, "looking up container %s for --volumes-from", ctr);
                _cleanup_json_ json_t *sc = engine_config(src);
                size_t i;
                json_t *m;
                json_array_foreach(json_object_get(sc, "Mounts"), i, m) {
                        const char *t = mstr(m, "Type");
                        if (!streq(t, "volume") && !streq(t, "bind"))
                                continue;
                        if (dest_taken(mounts, mstr(m, "Destination")))
                                continue; /* the container's own mounts win */
                        json_t *copy = json_deep_copy(m);
                        if (!copy)
                                return -ENOMEM;
                        json_object_del(copy, "Anonymous");
                        if (rw >= 0)
                                json_object_set_new(copy, "RW", json_boolean(rw));
                        json_array_append_new(mounts, copy);
                }
        }
        return 0;
}

/* The image's VOLUMEs become anonymous volumes where nothing else is mounted. */
static int image_volumes(json_t *ic, json_t *mounts)
{
        const char *key;
        json_t *v;
        json_object_foreach(json_object_get(ic, "Volumes"), key, v) {
                if (key[0] != '/')
                        continue;
                _cleanup_free_ char *clean = mount_clean_path(key);
                if (!clean)
                        return -ENOMEM;
                if (dest_taken(mounts, clean))
                        continue;
                json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:[], s:b, s:s, s:b, s:s, s:b}", "Type",
                                      "volume", "Source", "", "Name", "", "Destination", clean,
                                      "Options", "RW", true, "Propagation", "", "Recursive", true,
                                      "Mode", "", "Anonymous", true);
                if (!m || json_array_append_new(mounts, m) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static void undo_volumes(struct engine *e, char **made)
{
        for (char **n = made; n && *n; n++)
                (void) engine_volume_remove(e, *n, false, 0, NULL);
}

/* Checks the host side of each mount and makes the volumes it needs. */
static int resolve(struct engine *e, json_t *mounts, char ***made, struct cu_error **err)
{
        size_t i;
        json_t *m;
        json_array_foreach(mounts, i, m) {
                const char *t = mstr(m, "Type");
                int r = 0;
                const char *idm = json_string_value(json_object_get(m, "IdMap"));
                if (idm && strcmp(idm, "idmap") != 0) {
                        struct idmap chk = { 0 };
                        if (strncmp(idm, "idmap=", 6) != 0)
                                return cu_error_setx(err, EINVAL, "%s: invalid mount option %s",
                                                     mstr(m, "Destination"), idm);
                        r = idmap_parse_option(idm + 6, &chk, err);
                        if (r < 0)
                                return cu_error_prefix(err, r, "%s", mstr(m, "Destination"));
                }
                if (idm && !streq(t, "bind") && !streq(t, "volume"))
                        return cu_error_setx(err, EINVAL, "%s: idmap is only supported for bind mounts and volumes",
                                             mstr(m, "Destination"));
                if (streq(t, "bind"))
                        r = host_path(m, "Source", err);
                if (r >= 0 && json_object_get(m, "UpperDir")) {
                        r = host_path(m, "UpperDir", err);
                        if (r >= 0)
                                r = host_path(m, "WorkDir", err);
                }
                if (r >= 0 && streq(t, "image")) {
                        _cleanup_image_rec_ struct image_rec *im = NULL;
                        r = image_lookup(e->db, mstr(m, "Source"), &im, err);
                        if (r >= 0)
                                json_object_set_new(m, "Image", json_string(im->id));
                        else
                                r = cu_error_prefix(err, r, "creating image volume %s:%s", mstr(m, "Source"),
                                                    mstr(m, "Destination"));
                }
                if (r >= 0 && streq(t, "volume")) {
                        const char *name = mstr(m, "Name");
                        _cleanup_vol_record_ struct vol_record *v = NULL;
                        bool anon = !*name;
                        r = anon ? -ENOENT : engine_volume_get(e, name, &v, NULL);
                        if (r >= 0 && !streq(v->name, name)) { /* -v takes exact names only */
                                v = vol_record_free(v);
                                r = -ENOENT;
                        }
                        if (r == -ENOENT) {
                                struct engine_volume_create_opts vo = { .name = anon ? NULL : name,
                                                                        .anonymous = anon };
                                r = engine_volume_create(e, &vo, &v, err);
                                if (r < 0 && !anon)
                                        r = cu_error_prefix(err, r, "creating named volume \"%s\"", name);
                                if (r >= 0 && strv_extend(made, v->name) < 0)
                                        r = -ENOMEM;
                        } else if (r < 0) {
                                r = engine_volume_get(e, name, &v, err);
                        }
                        if (r >= 0)
                                json_object_set_new(m, "Name", json_string(v->name));
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

int engine_config_volumes(struct engine *e, json_t *c, const struct engine_create_opts *o,
                          json_t *ic, struct cu_error **err)
{
        const struct engine_vol_opts *vo = &o->vol;
        _cleanup_json_ json_t *mounts = json_array();
        if (!mounts)
                return -ENOMEM;
        int r = parse_all(vo, mounts, err);
        if (r >= 0 && e)
                r = volumes_from(e, vo, mounts, err);
        if (r >= 0)
                r = image_volumes(ic, mounts);
        if (r < 0)
                return r;
        _cleanup_strv_ char **made = NULL;
        if (e) {
                r = resolve(e, mounts, &made, err);
                if (r < 0) {
                        undo_volumes(e, made);
                        return r;
                }
        }
        json_t *from = json_array();
        for (char **s = vo->volumes_from; s && *s; s++)
                json_array_append_new(from, json_string(*s));
        json_object_set_new(c, "VolumesFrom", from);
        json_object_set_new(c, "ReadOnlyTmpfs", json_boolean(vo->read_only_tmpfs));
        json_object_set_new(c, "Mounts", TAKE_PTR(mounts));
        return 0;
}

/* ------------------------------------------------------------------ start */

static int chown_tree(int dfd, uid_t uid, gid_t gid, int depth)
{
        if (fchown(dfd, uid, gid) < 0)
                return -errno;
        if (depth > 256)
                return -ELOOP;
        _cleanup_close_ int it = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
        DIR *d = it >= 0 ? fdopendir(it) : NULL;
        if (!d)
                return -errno;
        TAKE_FD(it);
        int r = 0;
        for (struct dirent *de; r >= 0 && (de = readdir(d));) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                bool is_dir = de->d_type == DT_DIR;
                struct stat st;
                if (de->d_type == DT_UNKNOWN && fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
                        is_dir = S_ISDIR(st.st_mode);
                if (is_dir) {
                        _cleanup_close_ int sub = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        r = sub < 0 ? -errno : chown_tree(sub, uid, gid, depth + 1);
                } else if (fchownat(dfd, de->d_name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0) {
                        r = -errno;
                }
        }
        closedir(d);
        return r;
}

/* U: the source (recursively) to the container's user. */
static int chown_source(const char *src, struct engine_spec_ctx *x, struct cu_error **err)
{
        _cleanup_close_ int fd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
                fd = open(src, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0 || fchownat(fd, "", x->uid, x->gid, AT_EMPTY_PATH) < 0)
                        return cu_error_set(err, errno, "chown %s", src);
                return 0;
        }
        int r = chown_tree(fd, x->uid, x->gid, 0);
        return r < 0 ? cu_error_set(err, -r, "chown %s", src) : 0;
}

static bool dir_empty(int dfd)
{
        _cleanup_close_ int it = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
        DIR *d = it >= 0 ? fdopendir(it) : NULL;
        if (!d)
                return false;
        TAKE_FD(it);
        bool empty = true;
        for (struct dirent *de; empty && (de = readdir(d));)
                empty = streq(de->d_name, ".") || streq(de->d_name, "..");
        closedir(d);
        return empty;
}

/* First use of a volume: the image's files under the destination are copied in (unless
 * nocopy), and the volume gets the owner and mode of the destination (fixVolumePermissions;
 * the process user's when the image has no such directory). */
static int volume_first_use(struct engine *e, const char *name, json_t *m,
                            struct engine_spec_ctx *x, struct cu_error **err)
{
        /* under the volume's lock: two containers starting at once copy up only once */
        _cleanup_lock_ struct lock *l = NULL;
        char lid[300];
        snprintf(lid, sizeof lid, "volume-%s", name);
        int r = engine_lock(e, lid, &l, err);
        if (r < 0)
                return r;
        _cleanup_vol_record_ struct vol_record *v = NULL;
        r = vol_get(e->db, name, &v, err);
        if (r < 0)
                return r;
        if (!v->needs_copy_up && !v->needs_chown)
                return 0;
        _cleanup_close_ int data = open(v->mountpoint, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (data < 0)
                return cu_error_set(err, errno, "opening volume %s", v->name);
        _cleanup_close_ int target = x->rootfd >= 0 ? open_in_root(x->rootfd, mstr(m, "Destination"),
                                                                  O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)
                                                    : -ENOENT;
        /* a read-only driver mount (o=ro) cannot take a copy or an owner: left as it is */
        struct statvfs sv;
        if (fstatvfs(data, &sv) == 0 && (sv.f_flag & ST_RDONLY))
                return 0;
        if (v->needs_copy_up && !json_is_true(json_object_get(m, "NoCopy")) && target >= 0 &&
            dir_empty(data)) {
                r = copy_tree(target, data, err);
                if (r < 0)
                        return cu_error_prefix(err, r, "copying up into volume %s", v->name);
        }
        if (v->needs_chown) {
                struct stat st;
                if (target >= 0 && fstat(target, &st) == 0) {
                        if (fchown(data, st.st_uid, st.st_gid) < 0 || fchmod(data, st.st_mode & 07777) < 0)
                                return cu_error_set(err, errno, "setting owner and mode of volume %s", v->name);
                } else if (fchown(data, x->uid, x->gid) < 0) {
                        return cu_error_set(err, errno, "setting owner of volume %s", v->name);
                }
        }
        if (!json_is_true(json_object_get(m, "NoCopy")))
                v->needs_copy_up = false;
        v->needs_chown = false;
        return vol_update_state(e->db, v, err);
}

/* <bundle>/<what>/<n>/{merge,upper,work}: the per-container overlay directories. */
static char *overlay_dir(struct engine_spec_ctx *x, const char *what, size_t n, const char *sub)
{
        char *p = NULL;
        if (asprintf(&p, "%s/%s/%zu/%s", x->bundle, what, n, sub) < 0)
                return NULL;
        return p;
}

static int mount_overlay_fs(const char *lower, const char *upper, const char *work,
                            const char *target, bool ro, struct cu_error **err)
{
        (void) umount2(target, MNT_DETACH); /* a stale mount of an earlier run */
        if (!upper && !strchr(lower, ':')) {
                if (mount(lower, target, "", MS_BIND | MS_REC, NULL) < 0 ||
                    mount("none", target, "", MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0) {
                        int e = errno;
                        (void) umount2(target, MNT_DETACH);
                        return cu_error_set(err, e, "mounting %s on %s", lower, target);
                }
                return 0;
        }
        _cleanup_free_ char *opts = NULL;
        if (asprintf(&opts, "lowerdir=%s%s%s%s%s", lower, upper ? ",upperdir=" : "", upper ? upper : "",
                     upper ? ",workdir=" : "", upper ? work : "") < 0)
                return -ENOMEM;
        if (mount("overlay", target, "overlay", ro ? MS_RDONLY : 0, opts) < 0)
                return cu_error_set(err, errno, "mounting overlay failed \"%s\"", lower);
        return 0;
}

/* O: an overlay with source as its lower layer, changes in upperdir (or discarded). */
static int overlay_volume(struct engine_spec_ctx *x, json_t *m, size_t n, const char *src,
                          char **ret, struct cu_error **err)
{
        _cleanup_free_ char *merge = overlay_dir(x, "overlay", n, "merge");
        _cleanup_free_ char *up = overlay_dir(x, "overlay", n, "upper");
        _cleanup_free_ char *wk = overlay_dir(x, "overlay", n, "work");
        if (!merge || !up || !wk)
                return -ENOMEM;
        const char *upper = json_object_get(m, "UpperDir") ? mstr(m, "UpperDir") : up;
        const char *work = json_object_get(m, "WorkDir") ? mstr(m, "WorkDir") : wk;
        int r = mkdir_p(merge, 0700);
        if (r >= 0 && upper == up)
                r = mkdir_p(up, 0755);
        if (r >= 0 && work == wk)
                r = mkdir_p(wk, 0700);
        if (r < 0)
                return cu_error_set(err, -r, "creating overlay directories for %s", mstr(m, "Destination"));
        r = mount_overlay_fs(src, upper, work, merge, false, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(merge);
        return 0;
}

/* --mount type=image: the image's layers, read-only (or with a throw-away upper for rw). */
static int image_volume(struct engine_spec_ctx *x, json_t *m, size_t n, char **ret,
                        struct cu_error **err)
{
        struct store *s = x->e->store;
        _cleanup_image_rec_ struct image_rec *im = NULL;
        int r = image_get(x->e->db, mstr(m, "Image"), &im, err);
        if (r < 0)
                return cu_error_prefix(err, r, "creating image volume %s:%s", mstr(m, "Source"),
                                       mstr(m, "Destination"));
        size_t nl = strv_length(im->layers);
        _cleanup_strv_ char **paths = NULL;
        for (size_t i = nl; i-- > 0;) {
                if (s->driver == STORE_DRIVER_VFS && i != nl - 1)
                        continue; /* vfs: the top layer holds everything */
                _cleanup_free_ char *rel = store_layer_relpath(s, im->layers[i]);
                _cleanup_free_ char *abs = NULL;
                if (!rel || asprintf(&abs, "%s/%s", s->root, rel) < 0 || strv_extend(&paths, abs) < 0)
                        return -ENOMEM;
        }
        _cleanup_free_ char *lower = NULL;
        if (!paths) {
                lower = overlay_dir(x, "image-volumes", n, "empty");
                if (!lower || mkdir_p(lower, 0755) < 0)
                        return cu_error_set(err, ENOMEM, "image volume");
        } else if (!(lower = strv_join(paths, ":"))) {
                return -ENOMEM;
        }
        _cleanup_free_ char *merge = overlay_dir(x, "image-volumes", n, "merge");
        _cleanup_free_ char *up = overlay_dir(x, "image-volumes", n, "upper");
        _cleanup_free_ char *wk = overlay_dir(x, "image-volumes", n, "work");
        if (!merge || !up || !wk)
                return -ENOMEM;
        bool rw = json_is_true(json_object_get(m, "RW"));
        r = mkdir_p(merge, 0700);
        if (r >= 0 && rw) {
                (void) rm_rf(up);
                (void) rm_rf(wk);
                r = mkdir_p(up, 0755);
                if (r >= 0)
                        r = mkdir_p(wk, 0700);
        }
        if (r < 0)
                return cu_error_set(err, -r, "creating image volume directories");
        r = mount_overlay_fs(lower, rw ? up : NULL, rw ? wk : NULL, merge, !rw, err);
        if (r < 0)
                return cu_error_prefix(err, r, "creating overlay mount for image %s failed", mstr(m, "Source"));
        *ret = TAKE_PTR(merge);
        return 0;
}

/* The host side of a bind-like entry at start (or, without files, what inspect shows). */
static int entry_source(json_t *m, size_t n, struct engine_spec_ctx *x, char **ret,
                        struct cu_error **err)
{
        const char *t = mstr(m, "Type");
        bool live = x->write_files && x->e;
        _cleanup_free_ char *src = NULL;
        int r;
        if (streq(t, "image")) {
                if (!live)
                        return (*ret = strdup(mstr(m, "Image"))) ? 0 : -ENOMEM;
                return image_volume(x, m, n, ret, err);
        }
        if (streq(t, "volume")) {
                if (!x->e)
                        return (*ret = strdup(mstr(m, "Name"))) ? 0 : -ENOMEM;
                _cleanup_vol_record_ struct vol_record *v = NULL;
                r = engine_volume_get(x->e, mstr(m, "Name"), &v, err);
                if (r < 0)
                        return cu_error_prefix(err, r, "retrieving named volume %s for container %s",
                                               mstr(m, "Name"), x->id);
                if (live) {
                        r = engine_volume_mount(x->e, v->name, x->id, NULL, err);
                        if (r >= 0)
                                r = volume_first_use(x->e, v->name, m, x, err);
                        if (r < 0)
                                return r;
                }
                src = strdup(v->mountpoint);
        } else {
                src = strdup(mstr(m, "Source"));
        }
        if (!src)
                return -ENOMEM;
        if (live && json_is_true(json_object_get(m, "Chown"))) {
                r = chown_source(src, x, err);
                if (r < 0)
                        return r;
        }
        if (live && json_is_true(json_object_get(m, "Overlay")))
                return overlay_volume(x, m, n, src, ret, err);
        *ret = TAKE_PTR(src);
        return 0;
}

static int read_only_tmpfs(json_t *spec, struct engine_spec_ctx *x)
{
        json_t *c = x->c, *mounts = json_object_get(spec, "mounts");
        if (!json_is_true(json_object_get(c, "ReadOnly")) ||
            json_is_false(json_object_get(c, "ReadOnlyTmpfs")))
                return 0;
        const char *tmpfs[] = { "/tmp", "/var/tmp", "/run" };
        for (size_t k = 0; k < ELEMENTSOF(tmpfs); k++) {
                if (dest_taken(json_object_get(c, "Mounts"), tmpfs[k]))
                        continue;
                if (json_array_append_new(mounts, json_pack("{s:s, s:s, s:s, s:[s, s, s, s]}",
                                                            "destination", tmpfs[k], "type", "tmpfs",
                                                            "source", "tmpfs", "options", "rw",
                                                            "rprivate", "nosuid", "nodev")) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int volumes_undo(struct engine *e, const char *id, json_t *c, const char *ud,
                        struct cu_error **err);
static int spec_volumes(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err);

int engine_spec_volumes(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err)
{
        int r = spec_volumes(spec, x, err);
        if (r < 0 && x->e && x->write_files) /* nothing stays mounted after a failed start */
                (void) volumes_undo(x->e, x->id, x->c, x->bundle, NULL);
        return r;
}

static int spec_volumes(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err)
{
        json_t *mounts = json_object_get(spec, "mounts");
        int r = read_only_tmpfs(spec, x);
        if (r < 0)
                return r;
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(x->c, "Mounts"), i, m) {
                const char *t = mstr(m, "Type");
                const char *dst = mstr(m, "Destination");
                /* a mount of the user's replaces the runtime's default there (/dev/shm, …) */
                size_t k;
                json_t *d;
                json_array_foreach(mounts, k, d)
                        if (streq_ptr(json_string_value(json_object_get(d, "destination")), dst)) {
                                json_array_remove(mounts, k);
                                break;
                        }
                json_t *oci;
                if (streq(t, "tmpfs") || streq(t, "devpts")) {
                        oci = mount_oci_entry(m, NULL);
                        if (oci && json_is_true(json_object_get(m, "Chown"))) {
                                char b[64];
                                snprintf(b, sizeof b, "uid=%u", x->uid);
                                json_array_append_new(json_object_get(oci, "options"), json_string(b));
                                snprintf(b, sizeof b, "gid=%u", x->gid);
                                json_array_append_new(json_object_get(oci, "options"), json_string(b));
                        }
                } else {
                        _cleanup_free_ char *src = NULL;
                        r = entry_source(m, i, x, &src, err);
                        if (r < 0)
                                return r;
                        oci = mount_oci_entry(m, src);
                }
                if (!oci || json_array_append_new(mounts, oci) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int engine_spec_mounts_sort(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err)
{
        json_t *mounts = json_object_get(spec, "mounts");
        int r = engine_idmap_spec_mounts(spec, x, err);
        if (r < 0)
                return r;
        r = mounts_sort(mounts);
        if (r < 0)
                return r;
        const char *prop = mounts_root_propagation(mounts);
        if (prop) {
                json_t *linux_ = json_object_get(spec, "linux");
                if (linux_)
                        json_object_set_new(linux_, "rootfsPropagation", json_string(prop));
        }
        return 0;
}

/* ------------------------------------------------------------------ cleanup, inspect */

static void unmount_tree_mounts(const char *dir)
{
        DIR *d = opendir(dir);
        if (!d)
                return;
        for (struct dirent *de; (de = readdir(d));) {
                if (de->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "%s/%s/merge", dir, de->d_name) < 0)
                        continue;
                for (int k = 0; k < 16 && umount2(p, MNT_DETACH) == 0; k++)
                        ;
        }
        closedir(d);
        (void) rm_rf(dir);
}

static int volumes_undo(struct engine *e, const char *id, json_t *c, const char *ud,
                        struct cu_error **err)
{
        const char *dirs[] = { "overlay", "image-volumes" };
        for (size_t k = 0; k < ELEMENTSOF(dirs); k++) {
                char p[4096];
                snprintf(p, sizeof p, "%s/%s", ud, dirs[k]);
                unmount_tree_mounts(p);
        }
        int ret = 0;
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(c, "Mounts"), i, m) {
                if (!streq(mstr(m, "Type"), "volume"))
                        continue;
                int q = engine_volume_unmount(e, mstr(m, "Name"), id, err);
                if (q < 0 && q != -ENOENT && ret == 0)
                        ret = q;
                if (q == -ENOENT)
                        cu_error_clear(err);
        }
        return ret;
}

int engine_volumes_cleanup(struct engine *e, struct ctr_record *r, struct cu_error **err)
{
        _cleanup_json_ json_t *c = engine_config(r);
        _cleanup_free_ char *ud = engine_path(e, r->id, "userdata");
        if (!ud)
                return -ENOMEM;
        engine_idmap_cleanup(e, r->id);
        return volumes_undo(e, r->id, c, ud, err);
}

int engine_volumes_remove_anonymous(struct engine *e, const char *cfg)
{
        _cleanup_json_ json_t *c = cfg ? json_loads(cfg, 0, NULL) : NULL;
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(c, "Mounts"), i, m) {
                if (!streq(mstr(m, "Type"), "volume") || !json_is_true(json_object_get(m, "Anonymous")))
                        continue;
                struct cu_error *x = NULL;
                if (engine_volume_remove(e, mstr(m, "Name"), false, 0, &x) < 0)
                        log_debug("removing anonymous volume %s: %s", mstr(m, "Name"), cu_error_msg(x));
                cu_error_free(x);
        }
        return 0;
}

static json_t *inspect_mount(struct engine *e, json_t *m)
{
        const char *t = mstr(m, "Type");
        _cleanup_free_ char *src = NULL;
        if (streq(t, "volume")) {
                _cleanup_vol_record_ struct vol_record *v = NULL;
                if (e && engine_volume_get(e, mstr(m, "Name"), &v, NULL) >= 0)
                        src = strdup(v->mountpoint);
        } else {
                src = strdup(streq(t, "image") ? mstr(m, "Image") : mstr(m, "Source"));
        }
        _cleanup_json_ json_t *oci = mount_oci_entry(m, src ? src : "");
        json_t *opts = json_array();
        size_t i;
        json_t *o;
        json_array_foreach(json_object_get(oci, "options"), i, o) {
                const char *s = json_string_value(o);
                if (!streq(s, "rw") && !streq(s, "ro") && !streq(s, mstr(m, "Propagation")) &&
                    !streq(s, "rprivate"))
                        json_array_append_new(opts, json_string(s));
        }
        const char *prop = mstr(m, "Propagation");
        json_t *out = json_pack("{s:s}", "Type", streq(t, "volume") || streq(t, "image") ? t : "bind");
        if (streq(t, "volume"))
                json_object_set_new(out, "Name", json_string(mstr(m, "Name")));
        json_object_set_new(out, "Source", json_string(src ? src : ""));
        json_object_set_new(out, "Destination", json_string(mstr(m, "Destination")));
        json_object_set_new(out, "Driver", json_string(streq(t, "volume") ? "local" : ""));
        json_object_set_new(out, "Mode", json_string(mstr(m, "Mode")));
        json_object_set_new(out, "Options", opts);
        json_object_set_new(out, "RW", json_boolean(json_is_true(json_object_get(m, "RW"))));
        json_object_set_new(out, "Propagation", json_string(*prop ? prop : "rprivate"));
        return out;
}

void engine_inspect_volumes(struct engine *e, const struct ctr_record *r, json_t *c, json_t *out)
{
        (void) r;
        json_t *mounts = json_array(), *binds = json_array(), *tmpfs = json_object();
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(c, "Mounts"), i, m) {
                const char *t = mstr(m, "Type");
                if (streq(t, "tmpfs")) {
                        _cleanup_strv_ char **v = NULL;
                        size_t k;
                        json_t *o;
                        (void) strv_extend(&v, json_is_true(json_object_get(m, "RW")) ? "rw" : "ro");
                        json_array_foreach(json_object_get(m, "Options"), k, o)
                                (void) strv_extend(&v, json_string_value(o));
                        _cleanup_free_ char *j = strv_join(v, ",");
                        json_object_set_new(tmpfs, mstr(m, "Destination"), json_string(j ? j : ""));
                        continue;
                }
                if (streq(t, "devpts"))
                        continue;
                json_array_append_new(mounts, inspect_mount(e, m));
                if (streq(t, "image"))
                        continue;
                _cleanup_free_ char *bo = mount_binds_options(m);
                _cleanup_free_ char *b = NULL;
                if (bo && asprintf(&b, "%s:%s:%s", streq(t, "volume") ? mstr(m, "Name") : mstr(m, "Source"),
                                   mstr(m, "Destination"), bo) >= 0)
                        json_array_append_new(binds, json_string(b));
        }
        json_object_set_new(out, "Mounts", mounts);
        json_t *host = json_object_get(out, "HostConfig");
        if (host) {
                json_object_set_new(host, "Binds", binds);
                json_object_set_new(host, "Tmpfs", tmpfs);
                json_t *vf = json_object_get(c, "VolumesFrom");
                json_object_set_new(host, "VolumesFrom", vf ? json_deep_copy(vf) : json_array());
        } else {
                json_decref(binds);
                json_decref(tmpfs);
        }
}

void engine_ps_volumes(struct engine *e, const struct ctr_record *r, json_t *c, json_t *out)
{
        (void) e, (void) r;
        json_t *a = json_array();
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(c, "Mounts"), i, m) {
                const char *t = mstr(m, "Type");
                if (streq(t, "volume") || streq(t, "bind"))
                        json_array_append_new(a, json_string(mstr(m, "Destination")));
        }
        json_object_set_new(out, "Mounts", a);
}
