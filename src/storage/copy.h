/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "util/error.h"

/* Copies the tree under src_dirfd into the (existing, empty) dst_dirfd,
 * keeping types, owners, modes, times, xattrs and hardlinks (cp -a).
 * Data is cloned (FICLONE) when the file system can, else copied with
 * copy_file_range.  Does not cross into other mounts. */
int copy_tree(int src_dirfd, int dst_dirfd, struct cu_error **err);
