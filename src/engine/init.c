/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * init: podman's "initialized" state.  The container is prepared and created in the runtime
 * by its monitor (--no-start) without being started; start then asks the monitor, over the
 * attach socket, to start it.  Clients that attach in between see everything it prints.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine/internal.h"
#include "monitor/attach.h"
#include "state/lock.h"
#include "storage/rootfs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/proc.h"

int engine_init(struct engine *e, const char *id, struct cu_error **err)
{
        _cleanup_lock_ struct lock *l = NULL;
        _cleanup_ctr_record_ struct ctr_record *rec = NULL;
        int r = engine_get_locked(e, id, &l, &rec, err);
        if (r < 0)
                return r;
        switch (rec->state) {
        case CTR_STATE_CONFIGURED:
        case CTR_STATE_CREATED:
        case CTR_STATE_STOPPED:
        case CTR_STATE_EXITED:
                break;
        default:
                return cu_error_setx(err, EBUSY,
                                     "container %s has already been created in runtime: container state improper",
                                     rec->id);
        }
        return engine_start_locked(e, rec, NULL, true, err);
}

void engine_orphan_cleanup(struct engine *e, struct ctr_record *rec)
{
        if (rec->pid > 0) {
                _cleanup_close_ int pidfd = sys_pidfd_open((pid_t) rec->pid, 0);
                if (pidfd >= 0 && sys_pidfd_send_signal(pidfd, SIGKILL) == 0) {
                        struct pollfd p = { .fd = pidfd, .events = POLLIN };
                        (void) poll(&p, 1, 5000);
                }
        }
        struct runtime_ctx ctx;
        char root[4096];
        engine_runtime_ctx(e, &ctx, root);
        struct cu_error *x = NULL;
        if (engine_runtime_has(e, rec->id) && runtime_delete(&ctx, rec->id, true, &x) < 0)
                log_debug("removing %s from the runtime: %s", rec->id, cu_error_msg(x));
        cu_error_free(x);
        _cleanup_json_ json_t *c = engine_config(rec);
        engine_prepare_undo(e, rec, c);
        rec->state = CTR_STATE_EXITED;
        if (!rec->has_exit_code) {
                rec->has_exit_code = true;
                rec->exit_code = -1;
        }
        rec->finished_at = engine_now_ns();
        rec->pid = 0;
        (void) engine_save_state(e, rec, NULL);
}

int engine_start_initialized(struct engine *e, struct ctr_record *rec, struct cu_error **err)
{
        _cleanup_free_ char *path = engine_path(e, rec->id, "attach");
        if (!path)
                return cu_error_set(err, ENOMEM, "starting %s", rec->id);
        struct cu_error *x = NULL;
        _cleanup_close_ int sock = attach_client_connect(path, &x);
        int pid = 0, r = sock;
        if (sock >= 0)
                r = attach_client_start(sock, &pid, &x);
        if (r >= 0) {
                cu_error_free(x);
                rec->state = CTR_STATE_RUNNING;
                rec->pid = pid;
                rec->started_at = engine_now_ns();
                r = engine_save_state(e, rec, err);
                return r < 0 ? cu_error_prefix(err, r, "recording the start of %s", rec->id) : 0;
        }
        if (r == -EIO) {
                /* The runtime refused to start it: the monitor deleted it and is gone. */
                _cleanup_free_ char *msg = strdup(cu_error_msg(x));
                cu_error_free(x);
                _cleanup_json_ json_t *c = engine_config(rec);
                engine_prepare_undo(e, rec, c);
                rec->state = CTR_STATE_CREATED;
                rec->pid = 0;
                (void) engine_save_state(e, rec, NULL);
                return engine_start_error(msg ? msg : "starting failed", err);
        }
        /* The monitor is gone (killed): clean up what it left and start afresh. */
        log_debug("container %s: monitor gone (%s), starting again", rec->id, cu_error_msg(x));
        cu_error_free(x);
        engine_orphan_cleanup(e, rec);
        return engine_start_locked(e, rec, NULL, false, err);
}
