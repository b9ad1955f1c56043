/* SPDX-License-Identifier: GPL-2.0-or-later */
/* export: the container's root filesystem (its storage: image layers and changes, no
 * volumes) as a tar stream. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "engine/fs.h"
#include "storage/tar-write.h"

int engine_export(struct engine *e, const char *id_or_name, int out_fd, struct cu_error **err)
{
        struct engine_root root;
        int r = engine_root_open(e, id_or_name, true, &root, err);
        if (r < 0)
                return r;
        _cleanup_close_ int dfd = openat(root.fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_tar_writer_ struct tar_writer *w = NULL;
        if (dfd < 0)
                r = cu_error_set(err, errno, "opening the root of %s", root.id);
        else if (!(w = tar_writer_new(out_fd, COMPRESSION_NONE, err)))
                r = -EIO;
        else
                r = tar_add_tree(w, dfd, NULL, NULL, err);
        if (r >= 0)
                r = tar_writer_finish(w, NULL, NULL, NULL, err);
        if (r < 0)
                r = cu_error_prefix(err, r, "exporting container %s", root.id);
        engine_root_close(e, &root);
        return r;
}
