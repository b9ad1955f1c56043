/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "copy.h"
#include "rootfs.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/path.h"
#include "util/strv.h"

static int sys_fsopen(const char *fs, unsigned flags)
{
        return (int) syscall(SYS_fsopen, fs, flags);
}

static int sys_fsconfig(int fd, unsigned cmd, const char *key, const void *val, int aux)
{
        return (int) syscall(SYS_fsconfig, fd, cmd, key, val, aux);
}

static int sys_fsmount(int fd, unsigned flags, unsigned attr)
{
        return (int) syscall(SYS_fsmount, fd, flags, attr);
}

static int sys_move_mount(int from_dfd, const char *from, int to_dfd, const char *to, unsigned flags)
{
        return (int) syscall(SYS_move_mount, from_dfd, from, to_dfd, to, flags);
}

static char *ctr_dir(struct store *s, const char *id, const char *sub)
{
        char *p = NULL;
        if (asprintf(&p, "%s/containers/%s%s%s", s->root, id, sub ? "/" : "", sub ? sub : "") < 0)
                return NULL;
        return p;
}

char *rootfs_path(struct store *s, const char *ctr_id)
{
        return ctr_dir(s, ctr_id, "merged");
}

static bool is_mountpoint(const char *path)
{
        struct stat a, b;
        _cleanup_free_ char *parent = NULL;
        if (stat(path, &a) < 0 || asprintf(&parent, "%s/..", path) < 0 || stat(parent, &b) < 0)
                return false;
        if (a.st_dev != b.st_dev)
                return true;
        /* Same device (e.g. a bind mount): compare mount IDs. */
        struct statx sa, sb;
        if (statx(AT_FDCWD, path, 0, STATX_MNT_ID, &sa) == 0 &&
            statx(AT_FDCWD, parent, 0, STATX_MNT_ID, &sb) == 0 && (sa.stx_mask & STATX_MNT_ID))
                return sa.stx_mnt_id != sb.stx_mnt_id;
        return false;
}

bool rootfs_is_mounted(struct store *s, const char *ctr_id)
{
        _cleanup_free_ char *m = rootfs_path(s, ctr_id);
        return m && is_mountpoint(m);
}

int rootfs_create(struct store *s, const char *ctr_id, char *const *layers, struct cu_error **err)
{
        _cleanup_free_ char *dir = ctr_dir(s, ctr_id, NULL);
        if (!dir)
                return -ENOMEM;
        if (mkdir(dir, 0700) < 0)
                return cu_error_set(err, errno, "creating %s", dir);
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 || mkdirat(dfd, "merged", 0755) < 0)
                return cu_error_set(err, errno, "creating %s/merged", dir);
        /* The layer list, so that mounting needs no database. */
        _cleanup_free_ char *list = strv_join(layers, "\n");
        _cleanup_free_ char *lp = ctr_dir(s, ctr_id, "layers");
        if (!list || !lp)
                return -ENOMEM;
        int r = write_file_atomic(lp, list, strlen(list), 0600, err);
        if (r < 0)
                return r;
        if (s->driver == STORE_DRIVER_OVERLAY) {
                if (mkdirat(dfd, "diff", 0755) < 0 || mkdirat(dfd, "work", 0700) < 0)
                        return cu_error_set(err, errno, "creating %s/diff", dir);
                return 0;
        }
        /* vfs: a private copy of the top layer (each vfs layer is complete). */
        size_t n = strv_length(layers);
        if (n == 0)
                return 0;
        _cleanup_free_ char *top = store_layer_relpath(s, layers[n - 1]);
        _cleanup_close_ int src = top ? openat(s->root_fd, top, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        _cleanup_close_ int dst = openat(dfd, "merged", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (src < 0 || dst < 0)
                return cu_error_set(err, errno, "opening layer %s", layers[n - 1]);
        return copy_tree(src, dst, err);
}

/* The overlay lower dirs of layers (chain IDs, bottom first): topmost first, and the empty
 * dir when there is no layer. */
static int lower_dirs(struct store *s, char **layers, char ***ret)
{
        size_t n = strv_length(layers);
        _cleanup_strv_ char **paths = NULL;
        for (size_t i = n; i-- > 0;) { /* topmost first */
                char *p = NULL;
                if (asprintf(&p, "%s/layers/overlay/%s", s->root, digest_valid(layers[i]) ?
                             digest_hex(layers[i]) : layers[i]) < 0)
                        return -ENOMEM;
                int r = strv_extend(&paths, p);
                free(p);
                if (r < 0)
                        return r;
        }
        if (n == 0) {
                _cleanup_free_ char *empty = NULL;
                if (asprintf(&empty, "%s/layers/empty", s->root) < 0)
                        return -ENOMEM;
                mkdir(empty, 0755);
                if (strv_extend(&paths, empty) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(paths);
        return 0;
}

int overlay_mount(char *const *lowers, const char *upper, const char *work, const char *target,
                  bool ro, bool volatile_, struct cu_error **err)
{
        /* overlay needs two lower layers when it has no upper one: a single
         * read-only layer is a read-only bind mount. */
        if (!upper && strv_length((char **) lowers) == 1) {
                if (mount(lowers[0], target, NULL, MS_BIND, NULL) < 0 ||
                    mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0) {
                        int e = errno;
                        umount2(target, MNT_DETACH);
                        return cu_error_set(err, e, "mounting %s on %s", lowers[0], target);
                }
                return 0;
        }
        /* The new mount API takes the layers one by one (no page-size limit). */
        int fd = sys_fsopen("overlay", FSOPEN_CLOEXEC);
        if (fd >= 0) {
                _cleanup_close_ int fsfd = fd;
                bool ok = true;
                for (size_t i = 0; ok && lowers[i]; i++)
                        ok = sys_fsconfig(fsfd, FSCONFIG_SET_STRING, "lowerdir+", lowers[i], 0) == 0;
                if (ok && upper)
                        ok = sys_fsconfig(fsfd, FSCONFIG_SET_STRING, "upperdir", upper, 0) == 0 &&
                             sys_fsconfig(fsfd, FSCONFIG_SET_STRING, "workdir", work, 0) == 0;
                if (ok && volatile_)
                        ok = sys_fsconfig(fsfd, FSCONFIG_SET_FLAG, "volatile", NULL, 0) == 0;
                if (ok) {
                        sys_fsconfig(fsfd, FSCONFIG_SET_STRING, "index", "off", 0);
                        if (sys_fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                                return cu_error_set(err, errno, "creating overlay mount on %s", target);
                        _cleanup_close_ int mfd = sys_fsmount(fsfd, FSMOUNT_CLOEXEC, ro ? MOUNT_ATTR_RDONLY : 0);
                        if (mfd < 0)
                                return cu_error_set(err, errno, "mounting overlay on %s", target);
                        if (sys_move_mount(mfd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                                return cu_error_set(err, errno, "mounting overlay on %s", target);
                        return 0;
                }
                if (errno != EINVAL)
                        return cu_error_set(err, errno, "configuring overlay mount on %s", target);
                /* an older kernel without "lowerdir+": classic mount below */
        }
        _cleanup_free_ char *lower = strv_join((char **) lowers, ":");
        _cleanup_free_ char *opts = NULL;
        if (!lower || asprintf(&opts, "lowerdir=%s%s%s%s%s%s", lower, upper ? ",upperdir=" : "",
                               upper ? upper : "", upper ? ",workdir=" : "", upper ? work : "",
                               upper && volatile_ ? ",volatile" : "") < 0)
                return -ENOMEM;
        if (strlen(opts) >= 4096)
                return cu_error_setx(err, E2BIG, "too many layers for an overlay mount on this kernel");
        if (mount("overlay", target, "overlay", ro ? MS_RDONLY : 0, opts) < 0)
                return cu_error_set(err, errno, "mounting overlay on %s", target);
        return 0;
}

static int mount_overlay(struct store *s, char **layers, const char *upper, const char *work,
                         const char *target, bool ro, bool volatile_, struct cu_error **err)
{
        _cleanup_strv_ char **paths = NULL;
        int r = lower_dirs(s, layers, &paths);
        if (r < 0)
                return r;
        return overlay_mount(paths, upper, work, target, ro, volatile_, err);
}

/* Whether dir (a directory of one overlay layer) is marked opaque. */
static bool layer_dir_opaque(int layerfd, const char *dir)
{
        _cleanup_close_ int fd = open_in_root(layerfd, dir, O_RDONLY | O_DIRECTORY, 0);
        char v = 0;
        return fd >= 0 && fgetxattr(fd, "trusted.overlay.opaque", &v, 1) == 1 && v == 'y';
}

int image_open_file(struct store *s, char **layers, const char *path, struct cu_error **err)
{
        /* overlay: the layers top-down, a whiteout or an opaque parent ends the search;
         * vfs: every layer is complete, the top one is the image. */
        _cleanup_strv_ char **dirs = NULL;
        size_t n = strv_length(layers);
        if (s->driver == STORE_DRIVER_OVERLAY) {
                int r = lower_dirs(s, layers, &dirs);
                if (r < 0)
                        return cu_error_set(err, -r, "image layers");
        } else if (n > 0) {
                char *top = store_layer_relpath(s, layers[n - 1]);
                if (!top || strv_push(&dirs, top) < 0)
                        return cu_error_set(err, ENOMEM, "image layers");
        }
        _cleanup_free_ char *parent = strdup(path);
        if (!parent)
                return cu_error_set(err, ENOMEM, "image layers");
        char *slash = strrchr(parent, '/');
        if (slash)
                *slash = '\0';
        const char *rel = path + strspn(path, "/");
        for (char **d = dirs; d && *d; d++) {
                _cleanup_close_ int lfd = openat(s->root_fd, *d, O_PATH | O_DIRECTORY | O_CLOEXEC);
                struct stat st;
                if (lfd < 0)
                        continue;
                int fd = open_in_root(lfd, path, O_RDONLY | O_NOFOLLOW, 0);
                if (fd >= 0) {
                        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
                                return fd;
                        close(fd);
                        break;
                }
                if (fstatat(lfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0)
                        break; /* a whiteout (0:0 device) or a symlink: not a file we read */
                if (s->driver == STORE_DRIVER_OVERLAY && *parent && layer_dir_opaque(lfd, parent))
                        break;
        }
        return cu_error_setx(err, ENOENT, "%s: no such file in the image", path);
}

int rootfs_overlay_dirs(struct store *s, const char *ctr_id, char ***ret_lowers,
                        char **ret_upper, char **ret_work, struct cu_error **err)
{
        if (s->driver != STORE_DRIVER_OVERLAY)
                return cu_error_setx(err, EOPNOTSUPP, "the %s driver has no overlay", "vfs");
        _cleanup_free_ char *lp = ctr_dir(s, ctr_id, "layers");
        _cleanup_free_ char *upper = ctr_dir(s, ctr_id, "diff");
        _cleanup_free_ char *work = ctr_dir(s, ctr_id, "work");
        _cleanup_free_ char *list = NULL;
        if (!lp || !upper || !work)
                return -ENOMEM;
        int r = read_full_file(lp, &list, NULL, err);
        if (r < 0)
                return cu_error_prefix(err, r, "container %s storage", ctr_id);
        _cleanup_strv_ char **layers = strv_split(list, "\n");
        if (!layers)
                return -ENOMEM;
        r = lower_dirs(s, layers, ret_lowers);
        if (r < 0)
                return r;
        *ret_upper = TAKE_PTR(upper);
        *ret_work = TAKE_PTR(work);
        return 0;
}

int rootfs_mount(struct store *s, const char *ctr_id, char **ret_path, struct cu_error **err)
{
        _cleanup_free_ char *merged = ctr_dir(s, ctr_id, "merged");
        _cleanup_free_ char *upper = ctr_dir(s, ctr_id, "diff");
        _cleanup_free_ char *work = ctr_dir(s, ctr_id, "work");
        _cleanup_free_ char *lp = ctr_dir(s, ctr_id, "layers");
        if (!merged || !upper || !work || !lp)
                return -ENOMEM;
        if (s->driver == STORE_DRIVER_OVERLAY && !is_mountpoint(merged)) {
                _cleanup_free_ char *list = NULL;
                int r = read_full_file(lp, &list, NULL, err);
                if (r < 0)
                        return cu_error_prefix(err, r, "container %s storage", ctr_id);
                _cleanup_strv_ char **layers = strv_split(list, "\n");
                if (!layers)
                        return -ENOMEM;
                /* A volatile mount leaves work/work/incompat/volatile behind, and overlay
                 * refuses to mount over it again (it cannot tell a clean unmount from a crash). */
                _cleanup_free_ char *vol = ctr_dir(s, ctr_id, "volatile");
                bool volatile_ = vol && access(vol, F_OK) == 0;
                _cleanup_free_ char *incompat = NULL;
                if (volatile_ && asprintf(&incompat, "%s/work/incompat/volatile", work) > 0)
                        (void) rm_rf(incompat);
                r = mount_overlay(s, layers, upper, work, merged, false, volatile_, err);
                if (r < 0)
                        return r;
        }
        if (ret_path)
                *ret_path = TAKE_PTR(merged);
        return 0;
}

int rootfs_set_volatile(struct store *s, const char *ctr_id, struct cu_error **err)
{
        if (s->driver != STORE_DRIVER_OVERLAY)
                return 0;
        _cleanup_free_ char *vol = ctr_dir(s, ctr_id, "volatile");
        if (!vol)
                return -ENOMEM;
        return write_file_atomic(vol, "", 0, 0600, err);
}

static int unmount_path(const char *path, struct cu_error **err)
{
        for (int i = 0; i < 64 && is_mountpoint(path); i++)
                if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
                        return cu_error_set(err, errno, "unmounting %s", path);
        return 0;
}

int rootfs_unmount(struct store *s, const char *ctr_id, struct cu_error **err)
{
        _cleanup_free_ char *merged = ctr_dir(s, ctr_id, "merged");
        if (!merged)
                return -ENOMEM;
        if (s->driver == STORE_DRIVER_VFS)
                return 0;
        return unmount_path(merged, err);
}

int rootfs_delete(struct store *s, const char *ctr_id, struct cu_error **err)
{
        int r = rootfs_unmount(s, ctr_id, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *dir = ctr_dir(s, ctr_id, NULL);
        if (!dir)
                return -ENOMEM;
        r = rm_rf(dir);
        if (r < 0 && r != -ENOENT)
                return cu_error_set(err, -r, "removing %s", dir);
        return 0;
}

static char *image_mount_dir(struct store *s, const char *image_id)
{
        char *p = NULL;
        if (asprintf(&p, "%s/image-mounts/%s", s->root, image_id) < 0)
                return NULL;
        return p;
}

bool image_is_mounted(struct store *s, const char *image_id, char **ret_path)
{
        _cleanup_free_ char *p = image_mount_dir(s, image_id);
        if (!p)
                return false;
        bool m = s->driver == STORE_DRIVER_VFS ? access(p, F_OK) == 0 : is_mountpoint(p);
        if (m && ret_path)
                *ret_path = TAKE_PTR(p);
        return m;
}

int image_mount(struct store *s, const char *image_id, char *const *layers, char **ret_path,
                struct cu_error **err)
{
        _cleanup_free_ char *p = image_mount_dir(s, image_id);
        if (!p)
                return -ENOMEM;
        if (image_is_mounted(s, image_id, NULL)) {
                *ret_path = TAKE_PTR(p);
                return 0;
        }
        int r = mkdir_p(p, 0700);
        if (r < 0)
                return cu_error_set(err, -r, "creating %s", p);
        size_t n = strv_length(layers);
        if (s->driver == STORE_DRIVER_VFS) {
                if (n > 0) {
                        _cleanup_free_ char *top = store_layer_relpath(s, layers[n - 1]);
                        _cleanup_close_ int src = top ? openat(s->root_fd, top, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
                        if (src < 0)
                                return cu_error_set(err, errno, "opening layer");
                        char fdp[64];
                        snprintf(fdp, sizeof(fdp), "/proc/self/fd/%d", src);
                        if (mount(fdp, p, NULL, MS_BIND, NULL) < 0 ||
                            mount(NULL, p, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
                                return cu_error_set(err, errno, "mounting image on %s", p);
                }
        } else {
                r = mount_overlay(s, (char **) layers, NULL, NULL, p, true, false, err);
                if (r < 0) {
                        rmdir(p);
                        return r;
                }
        }
        *ret_path = TAKE_PTR(p);
        return 0;
}

int image_unmount(struct store *s, const char *image_id, struct cu_error **err)
{
        _cleanup_free_ char *p = image_mount_dir(s, image_id);
        if (!p)
                return -ENOMEM;
        int r = unmount_path(p, err);
        if (r < 0)
                return r;
        rmdir(p);
        return 0;
}
