/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "images.h"
#include "store.h"
#include "util/fileio.h"
#include "util/log.h"

#define OVERLAY_SUPER_MAGIC 0x794c7630

const char *store_driver_name(enum store_driver d)
{
        return d == STORE_DRIVER_VFS ? "vfs" : "overlay";
}

static int parse_driver(const char *name, enum store_driver *ret, struct cu_error **err)
{
        if (strcmp(name, "overlay") == 0 || strcmp(name, "overlay2") == 0)
                *ret = STORE_DRIVER_OVERLAY;
        else if (strcmp(name, "vfs") == 0)
                *ret = STORE_DRIVER_VFS;
        else
                return cu_error_setx(err, EINVAL, "failed to GetDriver graph %s: driver not supported",
                                     name);
        return 0;
}

/* overlay cannot stack on overlay (or on some network file systems). */
static bool overlay_usable(int root_fd)
{
        struct statfs sfs;
        if (fstatfs(root_fd, &sfs) < 0)
                return false;
        if ((unsigned long) sfs.f_type == OVERLAY_SUPER_MAGIC)
                return false;
        return access("/sys/module/overlay", F_OK) == 0 ||
               access("/proc/filesystems", F_OK) == 0;
}

/* Removes staging dirs left by crashed processes: a live stage holds a
 * flock on its directory. */
static void clean_stale_tmp(int root_fd)
{
        int tfd = openat(root_fd, "tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (tfd < 0)
                return;
        DIR *d = fdopendir(tfd);
        if (!d) {
                close(tfd);
                return;
        }
        struct dirent *de;
        while ((de = readdir(d))) {
                if (strncmp(de->d_name, ".new-", 5) == 0) {
                        /* a stage that died between mkdir and rename: old ones only */
                        struct stat st;
                        if (fstatat(tfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                            st.st_mtime + 600 < time(NULL))
                                unlinkat(tfd, de->d_name, AT_REMOVEDIR);
                        continue;
                }
                if (de->d_name[0] == '.')
                        continue;
                int fd = openat(tfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (fd < 0)
                        continue;
                if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
                        char path[PATH_MAX];
                        char fdp[64];
                        snprintf(fdp, sizeof(fdp), "/proc/self/fd/%d", fd);
                        ssize_t n = readlink(fdp, path, sizeof(path) - 1);
                        if (n > 0) {
                                path[n] = '\0';
                                log_debug("removing stale staging dir %s", path);
                                rm_rf(path);
                        }
                }
                close(fd);
        }
        closedir(d);
}

int store_open(const struct store_opts *o, struct db *db, struct store **ret, struct cu_error **err)
{
        _cleanup_store_ struct store *s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->root_fd = -1;
        s->db = db;
        s->root = strdup(o->root);
        s->runroot = strdup(o->runroot);
        if (!s->root || !s->runroot)
                return -ENOMEM;
        int r = mkdir_p(s->root, 0700);
        if (r < 0)
                return cu_error_set(err, -r, "creating %s", s->root);
        s->root_fd = open(s->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (s->root_fd < 0)
                return cu_error_set(err, errno, "opening %s", s->root);

        /* The driver is chosen once per store and recorded. */
        _cleanup_free_ char *recorded = NULL;
        if (read_full_file_at(s->root_fd, "storage-driver", &recorded, NULL) == 0) {
                recorded[strcspn(recorded, "\n")] = '\0';
                r = parse_driver(recorded, &s->driver, err);
                if (r < 0)
                        return r;
                if (o->driver) {
                        enum store_driver want;
                        r = parse_driver(o->driver, &want, err);
                        if (r < 0)
                                return r;
                        if (want != s->driver)
                                return cu_error_setx(err, EINVAL,
                                        "database storage graph driver \"%s\" does not match our "
                                        "storage graph driver \"%s\": database configuration mismatch",
                                        store_driver_name(s->driver), store_driver_name(want));
                }
        } else {
                if (o->driver) {
                        r = parse_driver(o->driver, &s->driver, err);
                        if (r < 0)
                                return r;
                } else {
                        s->driver = overlay_usable(s->root_fd) ? STORE_DRIVER_OVERLAY : STORE_DRIVER_VFS;
                }
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "%s/storage-driver", s->root) < 0)
                        return -ENOMEM;
                const char *name = store_driver_name(s->driver);
                r = write_file_atomic(p, name, strlen(name), 0600, err);
                if (r < 0)
                        return r;
        }
        static const char *const dirs[] = { "blobs/sha256", "layers/overlay", "layers/vfs",
                                            "containers", "tmp" };
        for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "%s/%s", s->root, dirs[i]) < 0)
                        return -ENOMEM;
                r = mkdir_p(p, 0700);
                if (r < 0)
                        return cu_error_set(err, -r, "creating %s", p);
        }
        r = images_db_init(db, err);
        if (r < 0)
                return r;
        clean_stale_tmp(s->root_fd);
        *ret = TAKE_PTR(s);
        return 0;
}

struct store *store_free(struct store *s)
{
        if (!s)
                return NULL;
        if (s->root_fd >= 0)
                close(s->root_fd);
        free(s->root);
        free(s->runroot);
        free(s);
        return NULL;
}

struct store_lock {
        int fd;
};

int store_lock(struct store *s, struct store_lock **ret, struct cu_error **err)
{
        int fd = openat(s->root_fd, "storage.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
                return cu_error_set(err, errno, "opening the storage lock");
        while (flock(fd, LOCK_EX) < 0) {
                if (errno != EINTR) {
                        int e = errno;
                        close(fd);
                        return cu_error_set(err, e, "locking the storage");
                }
        }
        /* The lock is the fd; struct store_lock is opaque to callers. */
        struct store_lock *l = malloc(sizeof(*l));
        if (!l) {
                close(fd);
                return -ENOMEM;
        }
        l->fd = fd;
        *ret = l;
        return 0;
}

void store_unlock(struct store_lock *l)
{
        if (l) {
                close(l->fd);
                free(l);
        }
}

char *store_blob_relpath(const char *digest)
{
        char *p = NULL;
        if (!digest_valid(digest) || asprintf(&p, "blobs/sha256/%s", digest_hex(digest)) < 0)
                return NULL;
        return p;
}

bool store_blob_exists(struct store *s, const char *digest)
{
        _cleanup_free_ char *p = store_blob_relpath(digest);
        return p && faccessat(s->root_fd, p, F_OK, 0) == 0;
}

int store_blob_open(struct store *s, const char *digest, struct cu_error **err)
{
        _cleanup_free_ char *p = store_blob_relpath(digest);
        if (!p)
                return cu_error_setx(err, EINVAL, "invalid digest \"%s\"", digest);
        int fd = openat(s->root_fd, p, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return cu_error_set(err, errno, "opening blob %s", digest);
        return fd;
}

int store_blob_read(struct store *s, const char *digest, char **ret, size_t *len, struct cu_error **err)
{
        _cleanup_free_ char *p = store_blob_relpath(digest);
        if (!p)
                return cu_error_setx(err, EINVAL, "invalid digest \"%s\"", digest);
        int r = read_full_file_at(s->root_fd, p, ret, len);
        if (r < 0)
                return cu_error_set(err, -r, "reading blob %s", digest);
        return 0;
}

char *store_layer_relpath(struct store *s, const char *chain_id)
{
        char *p = NULL;
        if (!digest_valid(chain_id) ||
            asprintf(&p, "layers/%s/%s", store_driver_name(s->driver), digest_hex(chain_id)) < 0)
                return NULL;
        return p;
}

bool store_layer_exists(struct store *s, const char *chain_id)
{
        _cleanup_free_ char *p = store_layer_relpath(s, chain_id);
        return p && faccessat(s->root_fd, p, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

void layer_chain_id(const char *parent_chain, const char *diff_id, char out[static DIGEST_STR_LEN + 1])
{
        if (!parent_chain || !*parent_chain) {
                memcpy(out, diff_id, DIGEST_STR_LEN + 1);
                return;
        }
        char buf[2 * DIGEST_STR_LEN + 2];
        int n = snprintf(buf, sizeof(buf), "%s %s", parent_chain, diff_id);
        digest_buffer(buf, (size_t) n, out);
}
