/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Named file locks shared between processes: `<dir>/<name>.lock` (created
 * 0600, never removed) locked whole with an open-file-description lock
 * (fcntl F_OFD_SETLK/F_OFD_SETLKW).
 *
 * - Crash safety: the kernel drops the lock when the last descriptor of
 *   its open file description is closed, which happens when the process
 *   dies however it dies.  No stale lock survives its holder, and there is
 *   no pid file to clean up.
 * - The descriptor is O_CLOEXEC: an exec()ed program never holds the lock.
 *   A fork()ed child shares the open file description, so the lock stays
 *   held while EITHER process keeps it open; a child calls lock_free() on
 *   its copy (that closes without unlocking, so the parent keeps its lock).
 * - Two lock_acquire() calls in ONE process get two open file descriptions
 *   and conflict like two processes (unlike classic POSIX locks): waiting
 *   for an exclusive lock this process already holds blocks forever.
 * - Shared locks coexist; an exclusive lock excludes every other lock.
 */
#pragma once

#include <stdbool.h>

#include "util/error.h"

enum lock_mode {
        LOCK_SHARED,
        LOCK_EXCLUSIVE,
        _LOCK_MODE_MAX,
        _LOCK_MODE_INVALID = -22,
};

struct lock;

/* Locks "<dir>/<name>.lock" (dirfd may be AT_FDCWD; name is a single file
 * name: no '/', not "." or "..").  With wait, blocks until granted
 * (signals are retried); without, fails with -EAGAIN at once when another
 * holder conflicts (and sets *err to "<name> is locked"). -errno. */
int lock_acquire(int dirfd, const char *name, enum lock_mode mode, bool wait, struct lock **ret,
                 struct cu_error **err);
/* lock_acquire() with the directory given by path. */
int lock_acquire_path(const char *dir, const char *name, enum lock_mode mode, bool wait,
                      struct lock **ret, struct cu_error **err);
/* lock_acquire(…, wait=false, …): 0, -EAGAIN when held elsewhere, or -errno. */
int lock_try(int dirfd, const char *name, enum lock_mode mode, struct lock **ret,
             struct cu_error **err);

/* Converts a held lock to another mode.  Upgrading waits (or fails with
 * -EAGAIN) while others hold it shared; the lock is not released meanwhile.
 * Two processes upgrading the same shared lock at once deadlock (the kernel
 * does not detect it for OFD locks): upgrade only with wait=false, or hold
 * another exclusive lock around it. */
int lock_set_mode(struct lock *l, enum lock_mode mode, bool wait, struct cu_error **err);
enum lock_mode lock_get_mode(const struct lock *l);

/* Releases (closes the descriptor).  Accepts NULL; returns NULL. */
struct lock *lock_free(struct lock *l);
DEFINE_CLEANUP_FUNC(struct lock *, lock_free)
#define _cleanup_lock_ _cleanup_(lock_freep)

const char *lock_mode_to_string(enum lock_mode m);
