/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdint.h>

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* Reads a whole file (NUL-terminated; *ret_len excludes the NUL). -errno. */
int read_full_file(const char *path, char **ret, size_t *ret_len, struct cu_error **err);
int read_full_fd(int fd, char **ret, size_t *ret_len);
int read_full_file_at(int dirfd, const char *path, char **ret, size_t *ret_len);

/* write() loop. -errno. */
int write_all(int fd, const void *buf, size_t len);
/* read() loop until len or EOF; returns bytes read or -errno. */
ssize_t read_all(int fd, void *buf, size_t len);

/* Writes `s` to an existing file (procfs, cgroupfs): open O_WRONLY, one write. -errno. */
int write_string_file(const char *path, const char *s);
int write_string_file_at(int dirfd, const char *path, const char *s);

/* Writes data to "<path>.tmp-XXXXXX" then renames over path. */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
                      struct cu_error **err);

/* mkdir -p.  -errno. */
int mkdir_p(const char *path, mode_t mode);
/* rm -rf without crossing mount points. -errno. */
int rm_rf(const char *path);
/* Bytes in the tree at path (relative to dirfd, or absolute): the st_size of every regular
 * file and symlink below it, never following symlinks (a du-like sum, as podman reports
 * sizes).  0 when path is missing or not a directory. */
uint64_t dir_tree_size(int dirfd, const char *path);
