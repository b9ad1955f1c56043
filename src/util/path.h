/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Paths inside a container root.  Every lookup is done relative to a root
 * fd with openat2(RESOLVE_IN_ROOT), so ".." and absolute symlinks cannot
 * escape; kernels without openat2 get a component-by-component fallback
 * that resolves symlinks itself, clamped to the root.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* Opens path (relative or absolute, interpreted inside root) with flags.
 * Returns fd or -errno. */
int open_in_root(int rootfd, const char *path, int flags, mode_t mode);

/* Creates every missing directory of path inside root (mode for new ones)
 * and returns an O_PATH|O_DIRECTORY fd to it, or -errno. */
int mkdir_p_in_root(int rootfd, const char *path, mode_t mode);

/* Makes sure path exists inside root: a directory when is_dir, otherwise an
 * empty regular file (parents are created as directories).  Returns an
 * O_PATH fd to it, or -errno. */
int ensure_path_in_root(int rootfd, const char *path, bool is_dir, mode_t mode);

/* Resolves path inside root and returns the resolved path relative to
 * the root, beginning with '/', in *ret (malloc'd).  -errno. */
int resolve_in_root(int rootfd, const char *path, char **ret);

/* "/proc/self/fd/N" into buf (at least 32 bytes). */
const char *fd_path(int fd, char buf[static 32]);

/* Test hook: forbid openat2 so the fallback is exercised. */
void path_force_fallback(bool on);
