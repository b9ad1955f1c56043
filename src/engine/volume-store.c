/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Named volumes (podman's local driver): records in the database, data under
 * <root>/volumes/<name>/_data; driver options (type/device/o) mount something on _data while
 * a container (or `volume mount`) holds it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/internal.h"
#include "monitor/exitfile.h"
#include "state/lock.h"
#include "storage/store.h"
#include "storage/tar-write.h"
#include "storage/unpack.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/strv.h"

#define streq(a, b) (strcmp((a), (b)) == 0)

static char *volume_dir(struct engine *e, const char *name, const char *sub)
{
        char *p = NULL;
        _cleanup_free_ char *def = NULL;
        const char *base = e->volume_path;
        if (!base) {
                if (asprintf(&def, "%s/volumes", e->store->root) < 0)
                        return NULL;
                base = def;
        }
        if (asprintf(&p, "%s/%s%s%s", base, name, sub ? "/" : "", sub ? sub : "") < 0)
                return NULL;
        return p;
}

/* The volume's own directory (the parent of _data, wherever --volumepath put it), or a
 * file in it. */
static char *record_dir(const struct vol_record *v, const char *sub)
{
        const char *slash = strrchr(v->mountpoint, '/');
        if (!slash || slash == v->mountpoint || strcmp(slash, "/_data") != 0)
                return NULL; /* never remove what does not look like ours */
        char *p = NULL;
        if (asprintf(&p, "%.*s%s%s", (int) (slash - v->mountpoint), v->mountpoint, sub ? "/" : "",
                     sub ? sub : "") < 0)
                return NULL;
        return p;
}

static int ensure_db(struct engine *e, struct cu_error **err)
{
        return vol_db_init(e->db, err);
}

/* The local driver's options (case-insensitive keys), podman's checks. */
static int check_options(char **options, json_t *out, bool *nocopy, int64_t *uid, int64_t *gid,
                         struct cu_error **err)
{
        static const char *const known[] = { "device", "o", "type", "uid", "gid", "size",
                                             "inodes", "noquota", "copy", "nocopy" };
        for (char **p = options; p && *p; p++) {
                const char *eq = strchr(*p, '=');
                _cleanup_free_ char *key = eq ? strndup(*p, (size_t) (eq - *p)) : strdup(*p);
                if (!key)
                        return -ENOMEM;
                size_t k;
                for (k = 0; k < ELEMENTSOF(known); k++)
                        if (strcasecmp(key, known[k]) == 0)
                                break;
                if (k == ELEMENTSOF(known))
                        return cu_error_setx(err, EINVAL, "invalid mount option %s for driver 'local': invalid argument", key);
                const char *val = eq ? eq + 1 : "";
                if (k == 5 || k == 6)
                        return cu_error_setx(err, EOPNOTSUPP, "volume options size and inodes not supported. Filesystem does not support Project Quota");
                if (k == 3 || k == 4) {
                        int64_t v;
                        if (safe_atoi64(val, &v) < 0 || v < 0)
                                return cu_error_setx(err, EINVAL, "cannot convert %s to integer: invalid argument", key);
                        *(k == 3 ? uid : gid) = v;
                }
                if (k == 9)
                        *nocopy = true;
                json_object_set_new(out, key, json_string(val));
        }
        const char *type = json_string_value(json_object_get(out, "type"));
        const char *dev = json_string_value(json_object_get(out, "device"));
        if (type && streq(type, "bind") && (!dev || dev[0] != '/'))
                return cu_error_setx(err, EINVAL, "must provide an absolute device path for a bind volume");
        if (dev && !type && dev[0] == '/')
                json_object_set_new(out, "type", json_string("bind")); /* podman mounts it with -o bind */
        return 0;
}

int engine_volume_create(struct engine *e, const struct engine_volume_create_opts *o,
                         struct vol_record **ret, struct cu_error **err)
{
        int r = ensure_db(e, err);
        if (r < 0)
                return r;
        char gen[CTR_ID_LEN + 1];
        const char *name = o->name;
        if (!name) {
                r = ctr_id_generate(gen);
                if (r < 0)
                        return cu_error_set(err, -r, "generating a volume name");
                name = gen;
        }
        if (!vol_name_valid(name))
                return cu_error_setx(err, EINVAL, "running volume create option: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument");
        const char *driver = o->driver && *o->driver ? o->driver : "local";
        if (!streq(driver, "local"))
                return cu_error_setx(err, ENOENT, "volume plugin %s not found: no such volume plugin", driver);
        if (o->ignore) {
                r = vol_get(e->db, name, ret, NULL);
                if (r >= 0 && streq((*ret)->name, name))
                        return 0;
                if (r >= 0)
                        *ret = vol_record_free(*ret);
        }
        _cleanup_json_ json_t *opts = json_object(), *labels = json_object();
        bool nocopy = false;
        int64_t uid = -1, gid = -1;
        r = check_options(o->options, opts, &nocopy, &uid, &gid, err);
        if (r < 0)
                return r;
        for (char **l = o->labels; l && *l; l++) {
                const char *eq = strchr(*l, '=');
                _cleanup_free_ char *k = eq ? strndup(*l, (size_t) (eq - *l)) : strdup(*l);
                if (!k)
                        return -ENOMEM;
                json_object_set_new(labels, k, json_string(eq ? eq + 1 : ""));
        }
        _cleanup_free_ char *dir = volume_dir(e, name, NULL);
        _cleanup_free_ char *data = volume_dir(e, name, "_data");
        _cleanup_free_ char *ltext = json_dumps(labels, JSON_COMPACT | JSON_SORT_KEYS);
        _cleanup_free_ char *otext = json_dumps(opts, JSON_COMPACT | JSON_SORT_KEYS);
        if (!dir || !data || !ltext || !otext)
                return -ENOMEM;
        struct vol_record v = { .name = (char *) name, .driver = (char *) driver, .mountpoint = data,
                                .created = engine_now_ns(), .labels = ltext, .options = otext,
                                .anonymous = o->anonymous, .needs_copy_up = !nocopy,
                                .needs_chown = uid < 0 && gid < 0, .mounted_by = (char *) "[]" };
        r = vol_add(e->db, &v, err);
        if (r < 0)
                return r;
        /* the directory after the record: a name taken by another process is never touched */
        r = mkdir_p(dir, 0700);
        if (r >= 0 && mkdir(data, 0755) < 0 && errno != EEXIST)
                r = -errno;
        if (r >= 0 && (uid >= 0 || gid >= 0) && chown(data, (uid_t) uid, (gid_t) gid) < 0)
                r = -errno;
        if (r < 0) {
                (void) vol_remove(e->db, name, NULL);
                (void) rm_rf(dir);
                return cu_error_set(err, -r, "creating volume directory %s", data);
        }
        return ret ? vol_get(e->db, name, ret, err) : 0;
}

int engine_volume_get(struct engine *e, const char *name, struct vol_record **ret,
                      struct cu_error **err)
{
        int r = ensure_db(e, err);
        return r < 0 ? r : vol_get(e->db, name, ret, err);
}

int engine_volume_list(struct engine *e, struct vol_record ***ret, size_t *ret_n,
                       struct cu_error **err)
{
        int r = ensure_db(e, err);
        return r < 0 ? r : vol_list(e->db, ret, ret_n, err);
}

json_t *engine_volume_json(struct engine *e, const struct vol_record *v)
{
        (void) e;
        struct timespec ts = { .tv_sec = v->created / 1000000000, .tv_nsec = v->created % 1000000000 };
        char buf[RFC3339NANO_MAX];
        json_t *labels = json_loads(v->labels ? v->labels : "{}", 0, NULL);
        json_t *opts = json_loads(v->options ? v->options : "{}", 0, NULL);
        json_t *held = json_loads(v->mounted_by ? v->mounted_by : "[]", 0, NULL);
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:I, s:b, s:b}", "Name", v->name,
                              "Driver", v->driver, "Mountpoint", v->mountpoint, "CreatedAt",
                              format_rfc3339nano(&ts, buf), "Labels", labels ? labels : json_object(),
                              "Scope", "local", "Options", opts ? opts : json_object(), "MountCount",
                              (json_int_t) json_array_size(held), "NeedsCopyUp", v->needs_copy_up,
                              "NeedsChown", v->needs_chown);
        if (o && v->anonymous)
                json_object_set_new(o, "Anonymous", json_true());
        json_decref(held);
        return o;
}

/* Whether container config c mounts volume name. */
static bool config_uses(json_t *c, const char *name)
{
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(c, "Mounts"), i, m)
                if (streq_ptr(json_string_value(json_object_get(m, "Type")), "volume") &&
                    streq_ptr(json_string_value(json_object_get(m, "Name")), name))
                        return true;
        return false;
}

int engine_volume_users(struct engine *e, const char *name, char ***ret, struct cu_error **err)
{
        _cleanup_ctr_record_list_ struct ctr_record **list = NULL;
        int r = ctr_list(e->db, &list, NULL, err);
        if (r < 0)
                return r;
        _cleanup_strv_ char **ids = calloc(1, sizeof(char *));
        if (!ids)
                return -ENOMEM;
        for (struct ctr_record **p = list; *p; p++) {
                _cleanup_json_ json_t *c = engine_config(*p);
                if (c && config_uses(c, name) && strv_extend(&ids, (*p)->id) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(ids);
        return 0;
}

static int do_unmount(const char *path, struct cu_error **err)
{
        for (int i = 0; i < 16; i++) {
                if (umount2(path, MNT_DETACH) == 0)
                        continue;
                if (errno == EINVAL || errno == ENOENT)
                        return 0;
                return cu_error_set(err, errno, "unmounting volume at %s", path);
        }
        return 0;
}

int engine_volume_remove(struct engine *e, const char *name, bool force, int timeout,
                         struct cu_error **err)
{
        _cleanup_vol_record_ struct vol_record *v = NULL;
        int r = engine_volume_get(e, name, &v, err);
        if (r < 0)
                return r;
        _cleanup_strv_ char **users = NULL;
        r = engine_volume_users(e, v->name, &users, err);
        if (r < 0)
                return r;
        if (users && users[0] && !force) {
                _cleanup_free_ char *list = strv_join(users, ", ");
                return cu_error_setx(err, EBUSY,
                                     "volume %s is being used by the following container(s): %s: volume is being used",
                                     v->name, strempty(list));
        }
        for (char **u = users; u && *u; u++) {
                r = engine_remove(e, *u, true, timeout, err);
                if (r < 0 && r != -ENOENT)
                        return cu_error_prefix(err, r, "removing container %s that uses volume %s", *u, v->name);
                cu_error_clear(err);
        }
        r = do_unmount(v->mountpoint, err);
        if (r < 0)
                return r;
        r = vol_remove(e->db, v->name, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *dir = record_dir(v, NULL);
        if (dir && (r = rm_rf(dir)) < 0 && r != -ENOENT)
                log_debug("removing %s: %s", dir, strerror(-r));
        char lockp[4096];
        snprintf(lockp, sizeof lockp, "%s/locks/volume-%s.lock", e->runroot, v->name);
        (void) unlink(lockp);
        return 0;
}

/* "label=k", "label=k=v", "label!=…", "name=", "driver=", "dangling=", "opt=", "scope=",
 * "until=" (unix seconds or RFC 3339 date). */
int engine_volume_filter(struct engine *e, const struct vol_record *v, char *const *filters,
                         struct cu_error **err)
{
        for (char *const *f = filters; f && *f; f++) {
                const char *eq = strchr(*f, '=');
                if (!eq)
                        return cu_error_setx(err, EINVAL, "invalid filter \"%s\"", *f);
                size_t kl = (size_t) (eq - *f);
                const char *val = eq + 1;
                bool neg = kl > 0 && (*f)[kl - 1] == '!';
                _cleanup_free_ char *key = strndup(*f, neg ? kl - 1 : kl);
                if (!key)
                        return -ENOMEM;
                bool ok;
                if (streq(key, "name")) {
                        ok = strstr(v->name, val) != NULL;
                } else if (streq(key, "driver")) {
                        ok = streq(v->driver, val);
                } else if (streq(key, "scope")) {
                        ok = streq(val, "local");
                } else if (streq(key, "label") || streq(key, "opt")) {
                        _cleanup_json_ json_t *o = json_loads(streq(key, "label") ? v->labels : v->options, 0, NULL);
                        const char *veq = strchr(val, '=');
                        _cleanup_free_ char *k = veq ? strndup(val, (size_t) (veq - val)) : strdup(val);
                        if (!k)
                                return -ENOMEM;
                        json_t *have = json_object_get(o, k);
                        ok = have && (!veq || streq_ptr(json_string_value(have), veq + 1));
                } else if (streq(key, "dangling")) {
                        bool want = streq(val, "true") || streq(val, "1");
                        if (!want && !streq(val, "false") && !streq(val, "0"))
                                return cu_error_setx(err, EINVAL, "invalid dangling filter value \"%s\"", val);
                        _cleanup_strv_ char **users = NULL;
                        int r = engine_volume_users(e, v->name, &users, err);
                        if (r < 0)
                                return r;
                        ok = (strv_length(users) == 0) == want;
                } else if (streq(key, "until")) {
                        int64_t secs;
                        if (safe_atoi64(val, &secs) < 0)
                                return cu_error_setx(err, EINVAL, "invalid until filter \"%s\": a unix timestamp is expected", val);
                        ok = v->created / 1000000000 < secs;
                } else {
                        return cu_error_setx(err, EINVAL, "invalid filter \"%s\"", *f);
                }
                if (ok == neg)
                        return 0;
        }
        return 1;
}

/* Mounts what the driver options describe on v's _data. */
static int driver_mount(const struct vol_record *v, struct cu_error **err)
{
        _cleanup_json_ json_t *o = json_loads(v->options ? v->options : "{}", 0, NULL);
        const char *type = json_string_value(json_object_get(o, "type"));
        const char *dev = json_string_value(json_object_get(o, "device"));
        const char *opts = json_string_value(json_object_get(o, "o"));
        if (!type && !dev && !opts)
                return 0;
        unsigned long flags = 0;
        _cleanup_strv_ char **data = NULL, **parts = opts ? strv_split(opts, ",") : NULL;
        for (char **p = parts; p && *p; p++) {
                if (streq(*p, "bind"))
                        flags |= MS_BIND;
                else if (streq(*p, "rbind"))
                        flags |= MS_BIND | MS_REC;
                else if (streq(*p, "ro"))
                        flags |= MS_RDONLY;
                else if (streq(*p, "nosuid"))
                        flags |= MS_NOSUID;
                else if (streq(*p, "nodev"))
                        flags |= MS_NODEV;
                else if (streq(*p, "noexec"))
                        flags |= MS_NOEXEC;
                else if (!streq(*p, "rw") && strv_extend(&data, *p) < 0)
                        return -ENOMEM;
        }
        if (streq_ptr(type, "bind"))
                flags |= MS_BIND;
        _cleanup_free_ char *dtext = data ? strv_join(data, ",") : NULL;
        if (mount(dev ? dev : (type ? type : "none"), v->mountpoint, flags & MS_BIND ? "" : type, flags,
                  flags & MS_BIND ? NULL : dtext) < 0)
                return cu_error_set(err, errno, "mounting volume %s: mount -t %s %s %s", v->name,
                                    strempty(type), strempty(dev), v->mountpoint);
        if ((flags & MS_BIND) && (flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)) &&
            mount("none", v->mountpoint, "", MS_BIND | MS_REMOUNT | (flags & ~(MS_REC | MS_BIND)), NULL) < 0) {
                int e = errno;
                (void) umount2(v->mountpoint, MNT_DETACH);
                return cu_error_set(err, e, "remounting volume %s", v->name);
        }
        return 0;
}

static bool has_driver_mount(const struct vol_record *v)
{
        return v->options && !streq(v->options, "{}") &&
               (strstr(v->options, "\"type\"") || strstr(v->options, "\"device\"") ||
                strstr(v->options, "\"o\""));
}

/* Adds (on) or drops holder in v->mounted_by; *ret_n the count after. */
static int holders_change(struct vol_record *v, const char *holder, bool on, size_t *ret_before,
                          size_t *ret_after)
{
        _cleanup_json_ json_t *a = json_loads(v->mounted_by ? v->mounted_by : "[]", 0, NULL);
        if (!json_is_array(a)) {
                json_decref(a);
                a = json_array();
        }
        *ret_before = json_array_size(a);
        size_t i;
        json_t *x;
        bool found = false;
        json_array_foreach(a, i, x)
                if (streq_ptr(json_string_value(x), holder)) {
                        found = true;
                        if (!on) {
                                json_array_remove(a, i);
                                break;
                        }
                }
        if (on && !found)
                json_array_append_new(a, json_string(holder));
        *ret_after = json_array_size(a);
        char *t = json_dumps(a, JSON_COMPACT);
        if (!t)
                return -ENOMEM;
        free(v->mounted_by);
        v->mounted_by = t;
        return 0;
}

static int volume_lock(struct engine *e, const char *name, struct lock **ret, struct cu_error **err)
{
        char id[300];
        snprintf(id, sizeof id, "volume-%s", name);
        return engine_lock(e, id, ret, err);
}

int engine_volume_mount(struct engine *e, const char *name, const char *holder, char **ret_path,
                        struct cu_error **err)
{
        _cleanup_vol_record_ struct vol_record *v = NULL;
        int r = engine_volume_get(e, name, &v, err);
        if (r < 0)
                return r;
        if (has_driver_mount(v)) {
                _cleanup_lock_ struct lock *l = NULL;
                r = volume_lock(e, v->name, &l, err);
                if (r < 0)
                        return r;
                vol_record_free(TAKE_PTR(v));
                r = vol_get(e->db, name, &v, err);
                size_t before = 0, after = 0;
                if (r >= 0)
                        r = holders_change(v, holder, true, &before, &after);
                if (r < 0)
                        return r;
                if (before == 0 && after > 0) {
                        (void) do_unmount(v->mountpoint, NULL); /* a stale mount of a crash */
                        r = driver_mount(v, err);
                        if (r < 0)
                                return r;
                }
                r = vol_update_state(e->db, v, err);
                if (r < 0)
                        return r;
        }
        if (ret_path) {
                *ret_path = strdup(v->mountpoint);
                if (!*ret_path)
                        return -ENOMEM;
        }
        return 0;
}

int engine_volume_unmount(struct engine *e, const char *name, const char *holder,
                          struct cu_error **err)
{
        _cleanup_vol_record_ struct vol_record *v = NULL;
        int r = engine_volume_get(e, name, &v, err);
        if (r < 0 || !has_driver_mount(v))
                return r;
        _cleanup_lock_ struct lock *l = NULL;
        r = volume_lock(e, v->name, &l, err);
        if (r < 0)
                return r;
        vol_record_free(TAKE_PTR(v));
        r = vol_get(e->db, name, &v, err);
        size_t before = 0, after = 0;
        if (r >= 0)
                r = holders_change(v, holder, false, &before, &after);
        if (r < 0)
                return r;
        if (after == 0) {
                r = do_unmount(v->mountpoint, err);
                if (r < 0)
                        return r;
        }
        return before != after ? vol_update_state(e->db, v, err) : 0;
}

int engine_volume_export(struct engine *e, const char *name, int fd, struct cu_error **err)
{
        _cleanup_free_ char *path = NULL;
        int r = engine_volume_mount(e, name, "export", &path, err);
        if (r < 0)
                return r;
        _cleanup_close_ int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct tar_writer *w = dfd >= 0 ? tar_writer_new(fd, COMPRESSION_NONE, err) : NULL;
        if (dfd < 0)
                r = cu_error_set(err, errno, "opening %s", path);
        else if (!w)
                r = -EIO;
        else if ((r = tar_add_tree(w, dfd, NULL, NULL, err)) >= 0)
                r = tar_writer_finish(w, NULL, NULL, NULL, err);
        tar_writer_free(w);
        (void) engine_volume_unmount(e, name, "export", NULL);
        return r < 0 ? cu_error_prefix(err, r, "exporting volume %s", name) : 0;
}

/* Moves every entry of src into dst (replacing what is there). */
static int merge_into(int src, int dst, struct cu_error **err)
{
        _cleanup_close_ int it = fcntl(src, F_DUPFD_CLOEXEC, 3);
        DIR *d = it >= 0 ? fdopendir(it) : NULL;
        if (!d)
                return cu_error_set(err, errno, "reading the imported tree");
        TAKE_FD(it);
        int r = 0;
        for (struct dirent *de; r >= 0 && (de = readdir(d));) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (renameat(src, de->d_name, dst, de->d_name) == 0)
                        continue;
                if (errno == EEXIST || errno == ENOTEMPTY || errno == EISDIR || errno == ENOTDIR) {
                        struct stat a, b;
                        if (fstatat(src, de->d_name, &a, AT_SYMLINK_NOFOLLOW) == 0 &&
                            fstatat(dst, de->d_name, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
                            S_ISDIR(a.st_mode) && S_ISDIR(b.st_mode)) {
                                _cleanup_close_ int s2 = openat(src, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                                _cleanup_close_ int d2 = openat(dst, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                                r = s2 >= 0 && d2 >= 0 ? merge_into(s2, d2, err)
                                                       : cu_error_set(err, errno, "importing %s", de->d_name);
                                continue;
                        }
                }
                r = cu_error_set(err, errno, "importing %s", de->d_name);
        }
        closedir(d);
        return r;
}

int engine_volume_import(struct engine *e, const char *name, int fd, struct cu_error **err)
{
        _cleanup_free_ char *path = NULL;
        int r = engine_volume_mount(e, name, "import", &path, err);
        if (r < 0)
                return r;
        _cleanup_vol_record_ struct vol_record *v = NULL;
        r = vol_get(e->db, name, &v, err);
        /* staged on the same file system as the data, so that the move is a rename */
        _cleanup_free_ char *stage = NULL;
        if (r >= 0 && has_driver_mount(v))
                (void) asprintf(&stage, "%s/.cuttle-import", v->mountpoint);
        else if (r >= 0)
                stage = record_dir(v, "_import");
        if (r >= 0 && !stage)
                r = -ENOMEM;
        if (r >= 0) {
                (void) rm_rf(stage);
                if (mkdir(stage, 0755) < 0)
                        r = cu_error_set(err, errno, "creating %s", stage);
        }
        _cleanup_close_ int sfd = r >= 0 ? open(stage, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        _cleanup_close_ int dfd = r >= 0 ? open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        if (r >= 0 && (sfd < 0 || dfd < 0))
                r = cu_error_set(err, errno, "opening %s", path);
        if (r >= 0)
                r = layer_unpack(fd, sfd, NULL, NULL, err);
        /* the staged tree is moved in only when the whole archive was good */
        if (r >= 0)
                r = merge_into(sfd, dfd, err);
        if (stage)
                (void) rm_rf(stage);
        (void) engine_volume_unmount(e, name, "import", NULL);
        return r < 0 ? cu_error_prefix(err, r, "importing into volume %s", name) : 0;
}
