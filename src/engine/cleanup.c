/* SPDX-License-Identifier: GPL-2.0-or-later */
/* container cleanup: what follows an exit (the monitor's exit command runs it). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "engine/internal.h"
#include "state/lock.h"
#include "storage/rootfs.h"
#include "util/log.h"

void engine_teardown(struct engine *e, struct ctr_record *r)
{
        if (engine_runtime_has(e, r->id)) {
                struct cu_error *x = NULL;
                if (engine_oci_delete(e, r, &x) < 0)
                        log_debug("removing %s from the runtime: %s", r->id, cu_error_msg(x));
                cu_error_free(x);
        }
        struct cu_error *x = NULL;
        if (engine_network_cleanup(e, r, &x) < 0)
                log_debug("network cleanup of %s: %s", r->id, cu_error_msg(x));
        cu_error_clear(&x);
        if (engine_volumes_cleanup(e, r, &x) < 0)
                log_debug("volume cleanup of %s: %s", r->id, cu_error_msg(x));
        cu_error_free(x);
}

int engine_cleanup(struct engine *e, const char *id, bool remove, struct cu_error **err)
{
        _cleanup_lock_ struct lock *l = NULL;
        _cleanup_ctr_record_ struct ctr_record *r = NULL;
        int ret = engine_get_locked(e, id, &l, &r, err);
        if (ret < 0)
                return ret;
        if (engine_is_running(r))
                return 0; /* restarted meanwhile, or never stopped */
        if (remove)
                return engine_remove_locked(e, r, err);
        engine_teardown(e, r);
        /* `container mount` keeps the storage mounted past the container's exit */
        if (engine_user_mounted(e, r->id))
                return 0;
        ret = rootfs_unmount(e->store, r->id, err);
        engine_event_container(e, r, "cleanup");
        return ret < 0 ? cu_error_prefix(err, ret, "unmounting container %s storage", r->id) : 0;
}
