/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wait: until the container reaches a state (exited by default). */
#include <errno.h>
#include <poll.h>
#include <time.h>

#include "engine/internal.h"
#include "util/proc.h"

int engine_wait(struct engine *e, const char *id, unsigned states, int *ret_exit_code,
                struct cu_error **err)
{
        if (states == 0)
                states = 1u << CTR_STATE_EXITED | 1u << CTR_STATE_STOPPED;
        char full[CTR_ID_LEN + 1];
        int r = ctr_lookup_id(e->db, id, full, err);
        if (r < 0)
                return r;
        for (;;) {
                _cleanup_ctr_record_ struct ctr_record *rec = NULL;
                r = ctr_get_by_id(e->db, full, &rec, NULL);
                if (r < 0)
                        return cu_error_setx(err, ENOENT,
                                             "no container with name or ID \"%s\" found: no such container",
                                             id);
                (void) engine_refresh(e, rec, false);
                if (states & (1u << rec->state)) {
                        *ret_exit_code = rec->has_exit_code ? rec->exit_code : -1;
                        return 0;
                }
                if (engine_is_running(rec)) {
                        _cleanup_close_ int pidfd = sys_pidfd_open((pid_t) rec->pid, 0);
                        if (pidfd >= 0) {
                                struct pollfd p = { .fd = pidfd, .events = POLLIN };
                                (void) poll(&p, 1, 1000);
                                continue;
                        }
                }
                (void) nanosleep(&(struct timespec){ 0, 50 * 1000 * 1000 }, NULL);
        }
}
