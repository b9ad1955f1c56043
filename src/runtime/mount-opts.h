/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An OCI mount's "options" list turned into what the syscalls want (pure,
 * no syscalls).  The table is runc's (libcontainer/specconv): flag options
 * set or clear MS_* bits, propagation options are kept as an ordered list,
 * "r*" options become recursive mount_setattr() attributes, a few runtime
 * extensions become MOUNT_EXT_* bits, and everything else is filesystem
 * data, comma-joined in order.  Unlike runc, "defaults" is a no-op instead
 * of being passed on as data.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mount.h>

enum {
        MOUNT_EXT_TMPCOPYUP = 1 << 0, /* tmpfs: copy what was under the mount point into it */
        MOUNT_EXT_IDMAP = 1 << 1, /* id-mapped mount ("idmap") */
        MOUNT_EXT_RIDMAP = 1 << 2, /* id-mapped, recursively ("ridmap") */
        MOUNT_EXT_COPY_SYMLINK = 1 << 3, /* bind: a symlink source is recreated, not followed */
        MOUNT_EXT_SRC_NOFOLLOW = 1 << 4, /* bind: do not follow a symlink source */
};

struct mount_opts {
        unsigned long flags; /* MS_* for mount(2), incl. MS_BIND/MS_REC/MS_REMOUNT */
        unsigned long cleared; /* MS_* an option explicitly turned off (rw, suid, dev…) */
        unsigned long *propagation; /* MS_PRIVATE|MS_REC…, in the order given */
        size_t n_propagation;
        uint64_t attr_set, attr_clr; /* MOUNT_ATTR_* for mount_setattr(AT_RECURSIVE) */
        unsigned ext; /* MOUNT_EXT_* */
        char *data; /* unknown options, comma-joined; NULL when none */
};

/* The type argument of mount(2) for binds, remounts, moves and propagation
 * changes.  The kernel ignores it there; "" rather than NULL because
 * valgrind checks it as a string. */
#define MOUNT_NO_TYPE ""

/* Parses options (NULL-terminated, may be NULL).  Writes *ret only on
 * success; the only failure is -ENOMEM.  Free with mount_opts_done(). */
int mount_opts_parse(char *const *options, struct mount_opts *ret);
void mount_opts_done(struct mount_opts *o);

/* Every option name the parser knows (flags, propagation, recursive
 * attributes, extensions), NULL-terminated: the features document's
 * "mountOptions".  Static storage. */
const char *const *mount_opts_names(void);

/* True for a bind ("bind" or "rbind" given). */
bool mount_opts_is_bind(const struct mount_opts *o);
/* True when there are recursive attributes to apply. */
bool mount_opts_has_attr(const struct mount_opts *o);

/* "rslave" → MS_SLAVE|MS_REC, "private" → MS_PRIVATE, …  -EINVAL when
 * s is not a propagation name. */
int mount_propagation_from_string(const char *s, unsigned long *ret);

/* statfs()'s f_flags (ST_*) as MS_* mount flags; a mount with neither
 * noatime nor relatime reports MS_STRICTATIME. */
unsigned long mount_flags_from_statfs(unsigned long f_flags);

/* The per-mount flags that may be locked when a mount came from a more
 * privileged mount namespace (MNT_LOCK_*): ro, nosuid, nodev, noexec and
 * the atime flags. */
#define MOUNT_LOCKABLE_FLAGS                                                                       \
        (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | \
         MS_STRICTATIME)
#define MOUNT_ATIME_FLAGS (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)

/*
 * A bind remount (MS_BIND|MS_REMOUNT) sets exactly the flags passed.  When
 * that fails with EPERM the mount has locked flags; this computes the
 * retry: `requested` plus the lockable flags the mount has now (`current`,
 * from mount_flags_from_statfs()).  Returns -EPERM when no retry can honour
 * the request: a locked flag was explicitly cleared (e.g. "rw" on a locked
 * read-only mount), or an atime mode was asked for that differs from the
 * current one.
 */
int mount_remount_retry_flags(unsigned long requested, unsigned long cleared,
                              unsigned long current, unsigned long *ret);
