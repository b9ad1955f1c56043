/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wait: until the container reaches a state.  As podman's WaitForConditionWithInterval: the
 * conditions "exited" and "stopped" wait for the container to exit and give its exit code (a
 * container that never ran counts as exited, with 0); any other state gives -1 once the
 * container is in it.
 */
#include <errno.h>
#include <poll.h>
#include <time.h>

#include "engine/internal.h"
#include "util/proc.h"

#define EXIT_STATES (1u << CTR_STATE_EXITED | 1u << CTR_STATE_STOPPED)

static bool exited(const struct ctr_record *r)
{
        switch (r->state) {
        case CTR_STATE_CONFIGURED:
        case CTR_STATE_CREATED:
        case CTR_STATE_EXITED:
        case CTR_STATE_STOPPED:
                return true;
        default:
                return false;
        }
}

int engine_wait(struct engine *e, const char *id, unsigned states, int *ret_exit_code,
                struct cu_error **err)
{
        if (states == 0)
                states = EXIT_STATES;
        bool want_exit = (states & EXIT_STATES) != 0;
        unsigned want = states & ~EXIT_STATES;
        char full[CTR_ID_LEN + 1];
        int r = ctr_lookup_id(e->db, id, full, err);
        if (r < 0)
                return r;
        for (;;) {
                _cleanup_ctr_record_ struct ctr_record *rec = NULL;
                r = ctr_get_by_id(e->db, full, &rec, NULL);
                /* removed meanwhile (run --rm's cleanup): the code it left */
                if (r < 0 && want_exit && engine_exit_code_saved(e, full, ret_exit_code) == 0)
                        return 0;
                if (r < 0)
                        return cu_error_setx(err, ENOENT,
                                             "no container with name or ID \"%s\" found: no such container",
                                             id);
                (void) engine_refresh(e, rec, false);
                if (want & (1u << rec->state)) {
                        *ret_exit_code = -1;
                        return 0;
                }
                if (want_exit && exited(rec)) {
                        *ret_exit_code = rec->has_exit_code ? rec->exit_code : 0;
                        return 0;
                }
                if (engine_is_running(rec)) {
                        _cleanup_close_ int pidfd = sys_pidfd_open((pid_t) rec->pid, 0);
                        if (pidfd >= 0) {
                                struct pollfd p = { .fd = pidfd, .events = POLLIN };
                                (void) poll(&p, 1, want ? 100 : 1000);
                                continue;
                        }
                }
                (void) nanosleep(&(struct timespec){ 0, 50 * 1000 * 1000 }, NULL);
        }
}
