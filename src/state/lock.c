/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state/lock.h"

struct lock {
        int fd;
        enum lock_mode mode;
        char *name;
};

static const char *const mode_names[_LOCK_MODE_MAX] = {
        [LOCK_SHARED] = "shared",
        [LOCK_EXCLUSIVE] = "exclusive",
};

const char *lock_mode_to_string(enum lock_mode m)
{
        if (m < 0 || m >= _LOCK_MODE_MAX)
                return NULL;
        return mode_names[m];
}

static bool name_valid(const char *name)
{
        return name && *name && !strchr(name, '/') && strcmp(name, ".") != 0 &&
               strcmp(name, "..") != 0;
}

/* One F_OFD_SETLK(W) over the whole file. 0 or -errno (-EAGAIN: held). */
static int ofd_lock(int fd, enum lock_mode mode, bool wait)
{
        struct flock fl = {
                .l_type = mode == LOCK_EXCLUSIVE ? F_WRLCK : F_RDLCK,
                .l_whence = SEEK_SET,
                .l_start = 0,
                .l_len = 0, /* to the end, however long */
                .l_pid = 0, /* must be 0 for OFD locks */
        };
        for (;;) {
                if (fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl) == 0)
                        return 0;
                if (errno == EINTR)
                        continue;
                if (errno == EACCES) /* POSIX allows either for a conflict */
                        return -EAGAIN;
                return -errno;
        }
}

static int lock_error(const char *name, enum lock_mode mode, int r, struct cu_error **err)
{
        if (r == -EAGAIN)
                return cu_error_setx(err, EAGAIN, "%s is locked", name);
        return cu_error_set(err, -r, "taking %s lock %s", lock_mode_to_string(mode), name);
}

int lock_acquire(int dirfd, const char *name, enum lock_mode mode, bool wait, struct lock **ret,
                 struct cu_error **err)
{
        if (!name_valid(name))
                return cu_error_setx(err, EINVAL, "invalid lock name \"%s\"", strempty(name));
        if (!lock_mode_to_string(mode))
                return cu_error_setx(err, EINVAL, "invalid lock mode %d", (int) mode);

        _cleanup_free_ char *file = NULL;
        if (asprintf(&file, "%s.lock", name) < 0)
                return cu_error_set(err, ENOMEM, "locking %s", name);

        /* O_RDWR: a write lock needs a descriptor open for writing. */
        _cleanup_close_ int fd = openat(dirfd, file, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY |
                                                     O_NOFOLLOW, 0600);
        if (fd < 0)
                return cu_error_set(err, errno, "opening lock file %s", file);

        int r = ofd_lock(fd, mode, wait);
        if (r < 0)
                return lock_error(name, mode, r, err);

        struct lock *l = calloc(1, sizeof(*l));
        if (!l)
                return cu_error_set(err, ENOMEM, "locking %s", name);
        l->name = strdup(name);
        if (!l->name) {
                free(l);
                return cu_error_set(err, ENOMEM, "locking %s", name);
        }
        l->fd = TAKE_FD(fd);
        l->mode = mode;
        *ret = l;
        return 0;
}

int lock_acquire_path(const char *dir, const char *name, enum lock_mode mode, bool wait,
                      struct lock **ret, struct cu_error **err)
{
        _cleanup_close_ int dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0)
                return cu_error_set(err, errno, "opening lock directory %s", dir);
        return lock_acquire(dirfd, name, mode, wait, ret, err);
}

int lock_try(int dirfd, const char *name, enum lock_mode mode, struct lock **ret,
             struct cu_error **err)
{
        return lock_acquire(dirfd, name, mode, false, ret, err);
}

int lock_set_mode(struct lock *l, enum lock_mode mode, bool wait, struct cu_error **err)
{
        if (!lock_mode_to_string(mode))
                return cu_error_setx(err, EINVAL, "invalid lock mode %d", (int) mode);
        if (mode == l->mode)
                return 0;
        int r = ofd_lock(l->fd, mode, wait);
        if (r < 0)
                return lock_error(l->name, mode, r, err);
        l->mode = mode;
        return 0;
}

enum lock_mode lock_get_mode(const struct lock *l)
{
        return l->mode;
}

struct lock *lock_free(struct lock *l)
{
        if (!l)
                return NULL;
        /* close(), not F_UNLCK: in a forked child the parent shares this open
         * file description, and an unlock would release the parent's lock. */
        safe_close(l->fd);
        free(l->name);
        free(l);
        return NULL;
}
