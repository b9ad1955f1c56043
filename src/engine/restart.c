/* SPDX-License-Identifier: GPL-2.0-or-later */
/* restart: stop (when running) and start again, under one hold of the lock. */
#include <errno.h>

#include "engine/internal.h"
#include "state/lock.h"

int engine_restart(struct engine *e, const char *id, int timeout, struct cu_error **err)
{
        _cleanup_lock_ struct lock *l = NULL;
        _cleanup_ctr_record_ struct ctr_record *r = NULL;
        int ret = engine_get_locked(e, id, &l, &r, err);
        if (ret < 0)
                return ret;
        if (r->state == CTR_STATE_REMOVING)
                return cu_error_setx(err, EBUSY,
                                     "container %s is being removed: container state improper", r->id);
        if (r->state == CTR_STATE_INITIALIZED)
                return engine_start_locked(e, r, NULL, false, err);
        if (r->state == CTR_STATE_PAUSED)
                return cu_error_setx(err, EBUSY,
                                     "cannot restart paused container %s: container state improper",
                                     r->id);
        if (engine_is_running(r)) {
                ret = engine_stop_locked(e, r, timeout, err);
                if (ret < 0)
                        return ret;
        }
        return engine_start_locked(e, r, NULL, false, err);
}
