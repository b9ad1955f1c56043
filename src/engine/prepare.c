/* SPDX-License-Identifier: GPL-2.0-or-later */
/* prepare: the container's root filesystem mount (and, later, its network namespace). */
#include <errno.h>

#include "engine/internal.h"
#include "storage/rootfs.h"

int engine_prepare(struct engine *e, struct ctr_record *rec, json_t *c, char **ret_rootfs,
                   struct cu_error **err)
{
        (void) c;
        int r = rootfs_mount(e->store, rec->id, ret_rootfs, err);
        return r < 0 ? cu_error_prefix(err, r, "mounting storage for container %s", rec->id) : 0;
}

void engine_prepare_undo(struct engine *e, struct ctr_record *rec, json_t *c)
{
        (void) c;
        (void) rootfs_unmount(e->store, rec->id, NULL);
}
