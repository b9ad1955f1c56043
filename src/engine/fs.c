/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The root of a container for cp/export (its mount namespace while it runs, else its
 * storage mounted for the operation), and `container mount` / `unmount`. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/fs.h"
#include "engine/internal.h"
#include "state/lock.h"
#include "storage/rootfs.h"
#include "util/fd.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/proc.h"
#include "util/strv.h"

/* <runroot>/containers/<id>/mounted: the user mounted the container (`container mount`);
 * in the run root, so that it goes away with the mounts at a reboot. */
static char *user_mount_marker(struct engine *e, const char *id)
{
        _cleanup_free_ char *dir = engine_path(e, id, "rundir");
        char *p = NULL;
        if (!dir || asprintf(&p, "%s/mounted", dir) < 0)
                return NULL;
        return p;
}

bool engine_user_mounted(struct engine *e, const char *id)
{
        _cleanup_free_ char *m = user_mount_marker(e, id);
        return m && access(m, F_OK) == 0;
}

/* Opens "/" inside the mount namespace of pid: a child joins it and sends the fd back. */
static int open_mntns_root(pid_t pid, struct cu_error **err)
{
        char p[64];
        snprintf(p, sizeof(p), "/proc/%d/ns/mnt", (int) pid);
        _cleanup_close_ int nsfd = open(p, O_RDONLY | O_CLOEXEC);
        if (nsfd < 0)
                return cu_error_set(err, errno, "opening the mount namespace of %d", (int) pid);
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return cu_error_set(err, errno, "socketpair");
        _cleanup_close_ int mine = sv[0];
        _cleanup_close_ int theirs = sv[1];
        _cleanup_kill_pid_ pid_t child = fork();
        if (child < 0)
                return cu_error_set(err, errno, "fork");
        if (child == 0) {
                int code = 1;
                if (setns(nsfd, CLONE_NEWNS) == 0) {
                        int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
                        if (fd >= 0 && send_fd(theirs, fd, "", 1) >= 0)
                                code = 0;
                } else {
                        int e = errno;
                        (void) write(theirs, &e, sizeof(e));
                }
                _exit(code);
        }
        close(TAKE_FD(theirs));
        int fd = -EBADF;
        int payload = 0;
        int r = recv_fd(mine, &fd, &payload, sizeof(payload));
        int rc = wait_for_pid(TAKE_PID(child));
        if (r < 0)
                return cu_error_set(err, -r, "receiving the container's root");
        if (fd < 0) {
                return cu_error_set(err, r == (int) sizeof(payload) && payload > 0 ? payload : EIO,
                                    "joining the mount namespace of %d (exit %d)", (int) pid, rc);
        }
        return fd;
}

int engine_root_open(struct engine *e, const char *id_or_name, bool storage_only,
                     struct engine_root *ret, struct cu_error **err)
{
        *ret = (struct engine_root){ .fd = -1 };
        _cleanup_lock_ struct lock *l = NULL;
        _cleanup_ctr_record_ struct ctr_record *rec = NULL;
        int r = engine_get_locked(e, id_or_name, &l, &rec, err);
        if (r < 0)
                return r;
        if (!storage_only && engine_is_running(rec) && rec->pid > 0) {
                int fd = open_mntns_root((pid_t) rec->pid, err);
                if (fd < 0)
                        return fd;
                ret->fd = fd;
                ret->running = true;
        } else {
                bool was = rootfs_is_mounted(e->store, rec->id);
                _cleanup_free_ char *path = NULL;
                r = rootfs_mount(e->store, rec->id, &path, err);
                if (r < 0)
                        return cu_error_prefix(err, r, "mounting container %s", rec->id);
                ret->unmount = !was;
                ret->fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (ret->fd < 0) {
                        r = cu_error_set(err, errno, "opening %s", path);
                        if (ret->unmount)
                                (void) rootfs_unmount(e->store, rec->id, NULL);
                        return r;
                }
        }
        /* (parsed after the fork above: the child owns nothing of ours) */
        json_t *cfg = engine_config(rec);
        if (!cfg) {
                r = cu_error_setx(err, EINVAL, "container %s: broken record", rec->id);
                close(ret->fd);
                ret->fd = -1;
                if (ret->unmount)
                        (void) rootfs_unmount(e->store, rec->id, NULL);
                ret->unmount = false;
                return r;
        }
        memcpy(ret->id, rec->id, sizeof(ret->id));
        ret->config = cfg;
        ret->lock = TAKE_PTR(l);
        return 0;
}

void engine_root_close(struct engine *e, struct engine_root *r)
{
        if (r->fd >= 0)
                close(r->fd);
        r->fd = -1;
        if (r->unmount && !engine_user_mounted(e, r->id))
                (void) rootfs_unmount(e->store, r->id, NULL);
        r->unmount = false;
        json_decref(r->config);
        r->config = NULL;
        r->lock = lock_free(r->lock);
}

int engine_mount(struct engine *e, const char *id_or_name, char **ret_path, struct cu_error **err)
{
        _cleanup_lock_ struct lock *l = NULL;
        _cleanup_ctr_record_ struct ctr_record *rec = NULL;
        int r = engine_get_locked(e, id_or_name, &l, &rec, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *dir = engine_path(e, rec->id, "rundir");
        _cleanup_free_ char *marker = user_mount_marker(e, rec->id);
        if (!dir || !marker)
                return -ENOMEM;
        r = mkdir_p(dir, 0700);
        if (r < 0)
                return cu_error_set(err, -r, "creating %s", dir);
        r = rootfs_mount(e->store, rec->id, ret_path, err);
        if (r < 0)
                return cu_error_prefix(err, r, "mounting container %s", rec->id);
        r = write_file_atomic(marker, "", 0, 0600, err);
        if (r < 0) {
                if (!engine_is_running(rec))
                        (void) rootfs_unmount(e->store, rec->id, NULL);
                free(*ret_path);
                *ret_path = NULL;
                return r;
        }
        return 0;
}

int engine_unmount(struct engine *e, const char *id_or_name, bool force,
                   char ret_id[CTR_ID_LEN + 1], struct cu_error **err)
{
        (void) force; /* one user mount per container: force changes nothing */
        _cleanup_lock_ struct lock *l = NULL;
        _cleanup_ctr_record_ struct ctr_record *rec = NULL;
        int r = engine_get_locked(e, id_or_name, &l, &rec, err);
        if (r < 0)
                return r;
        if (ret_id)
                memcpy(ret_id, rec->id, CTR_ID_LEN + 1);
        _cleanup_free_ char *marker = user_mount_marker(e, rec->id);
        if (!marker)
                return -ENOMEM;
        if (unlink(marker) < 0 && errno != ENOENT)
                return cu_error_set(err, errno, "removing %s", marker);
        if (engine_is_running(rec))
                return 0;
        r = rootfs_unmount(e->store, rec->id, err);
        return r < 0 ? cu_error_prefix(err, r, "unmounting container %s", rec->id) : 0;
}

int engine_mounted_list(struct engine *e, char ***ret_ids, char ***ret_paths,
                        struct cu_error **err)
{
        _cleanup_ctr_record_list_ struct ctr_record **list = NULL;
        int r = engine_list(e, &list, NULL, err);
        if (r < 0)
                return r;
        _cleanup_strv_ char **ids = calloc(1, sizeof(char *));
        _cleanup_strv_ char **paths = calloc(1, sizeof(char *));
        if (!ids || !paths)
                return -ENOMEM;
        for (struct ctr_record **p = list; *p; p++) {
                bool mounted = e->store->driver == STORE_DRIVER_VFS
                                       ? engine_user_mounted(e, (*p)->id) || engine_is_running(*p)
                                       : rootfs_is_mounted(e->store, (*p)->id);
                if (!mounted)
                        continue;
                _cleanup_free_ char *path = rootfs_path(e->store, (*p)->id);
                if (!path || strv_extend(&ids, (*p)->id) < 0 || strv_extend(&paths, path) < 0)
                        return -ENOMEM;
        }
        *ret_ids = TAKE_PTR(ids);
        *ret_paths = TAKE_PTR(paths);
        return 0;
}
