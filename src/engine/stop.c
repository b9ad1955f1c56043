/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stop, kill, pause/unpause: signals go to the recorded pid through a pidfd. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/internal.h"
#include "state/lock.h"
#include "util/json.h"
#include "util/proc.h"

static int64_t mono_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits up to ms for the process behind pidfd to end (true if it did). */
static bool pidfd_wait(int pidfd, pid_t pid, int64_t ms)
{
        int64_t end = mono_ms() + ms;
        for (;;) {
                int64_t left = end - mono_ms();
                if (pidfd >= 0) {
                        struct pollfd p = { .fd = pidfd, .events = POLLIN };
                        int n = poll(&p, 1, left < 0 ? 0 : (int) left);
                        if (n > 0)
                                return true;
                        if (n == 0)
                                return false;
                        if (errno != EINTR)
                                return false;
                        continue;
                }
                if (kill(pid, 0) < 0 && errno == ESRCH)
                        return true;
                if (left <= 0)
                        return false;
                (void) nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
        }
}

/* Waits for the monitor's exit file after the process ended, then records the exit. */
static void settle(struct engine *e, struct ctr_record *r)
{
        _cleanup_free_ char *exitf = engine_path(e, r->id, "exit");
        int64_t end = mono_ms() + 2000;
        while (exitf && access(exitf, F_OK) < 0 && mono_ms() < end)
                (void) nanosleep(&(struct timespec){ 0, 2 * 1000 * 1000 }, NULL);
        (void) engine_refresh(e, r, true);
}

static int send_signal(pid_t pid, int pidfd, int sig)
{
        int r = pidfd >= 0 ? sys_pidfd_send_signal(pidfd, sig) : kill(pid, sig);
        return r < 0 ? -errno : 0;
}

int engine_stop_locked(struct engine *e, struct ctr_record *r, int timeout, struct cu_error **err)
{
        bool initialized = r->state == CTR_STATE_INITIALIZED && r->pid > 0;
        if (!engine_is_running(r) && !initialized)
                return 0;
        if (initialized) /* not started: nothing of the user's runs to stop gracefully */
                timeout = 0;
        _cleanup_json_ json_t *c = engine_config(r);
        int sig = (int) json_integer_value(json_object_get(c, "StopSignal"));
        if (sig <= 0)
                sig = SIGTERM;
        if (timeout < 0)
                timeout = json_is_integer(json_object_get(c, "StopTimeout"))
                                  ? (int) json_integer_value(json_object_get(c, "StopTimeout"))
                                  : 10;
        _cleanup_free_ char *stopf = engine_path(e, r->id, "stop");
        if (stopf) {
                int fd = open(stopf, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
                safe_close(fd);
        }
        pid_t pid = (pid_t) r->pid;
        _cleanup_close_ int pidfd = sys_pidfd_open(pid, 0);
        if (r->state == CTR_STATE_PAUSED)
                (void) engine_oci_pause(e, r, false, NULL);
        r->state = CTR_STATE_STOPPING;
        (void) engine_save_state(e, r, NULL);
        bool done = false;
        if (timeout > 0 && send_signal(pid, pidfd, sig) == 0)
                done = pidfd_wait(pidfd, pid, (int64_t) timeout * 1000);
        if (!done) {
                int k = send_signal(pid, pidfd, SIGKILL);
                if (k < 0 && k != -ESRCH)
                        return cu_error_set(err, -k, "sending SIGKILL to container %s", r->id);
                if (!pidfd_wait(pidfd, pid, 10000))
                        return cu_error_setx(err, ETIMEDOUT, "container %s did not die", r->id);
        }
        engine_event_container(e, r, "stop");
        settle(e, r);
        if (r->state == CTR_STATE_STOPPING) {
                /* the process is gone but its exit was not recorded */
                r->state = CTR_STATE_EXITED;
                r->pid = 0;
                r->finished_at = engine_now_ns();
                (void) engine_save_state(e, r, NULL);
        }
        return 0;
}

int engine_stop(struct engine *e, const char *id, int timeout, struct cu_error **err)
{
        _cleanup_lock_ struct lock *l = NULL;
        _cleanup_ctr_record_ struct ctr_record *r = NULL;
        int ret = engine_get_locked(e, id, &l, &r, err);
        if (ret < 0)
                return ret;
        return engine_stop_locked(e, r, timeout, err);
}

int engine_kill(struct engine *e, const char *id, int sig, struct cu_error **err)
{
        _cleanup_ctr_record_ struct ctr_record *r = NULL;
        int ret = engine_get(e, id, &r, err);
        if (ret < 0)
                return ret;
        if (!engine_is_running(r))
                return cu_error_setx(err, EINVAL,
                                     "can only kill running containers. %s is in state %s: container state improper",
                                     r->id, ctr_state_to_string(r->state));
        _cleanup_close_ int pidfd = sys_pidfd_open((pid_t) r->pid, 0);
        ret = send_signal((pid_t) r->pid, pidfd, sig);
        if (ret < 0 && ret != -ESRCH)
                return cu_error_set(err, -ret, "sending signal %d to container %s", sig, r->id);
        engine_event_container(e, r, "kill");
        return 0;
}

int engine_pause(struct engine *e, const char *id, bool pause, struct cu_error **err)
{
        _cleanup_lock_ struct lock *l = NULL;
        _cleanup_ctr_record_ struct ctr_record *r = NULL;
        int ret = engine_get_locked(e, id, &l, &r, err);
        if (ret < 0)
                return ret;
        if (pause && r->state != CTR_STATE_RUNNING)
                return cu_error_setx(err, EINVAL, "\"%s\" is not running, can't pause: container state improper",
                                     ctr_state_to_string(r->state));
        if (!pause && r->state != CTR_STATE_PAUSED)
                return cu_error_setx(err, EINVAL, "\"%s\" is not paused, can't unpause: container state improper",
                                     ctr_state_to_string(r->state));
        ret = engine_oci_pause(e, r, pause, err);
        if (ret < 0)
                return ret;
        r->state = pause ? CTR_STATE_PAUSED : CTR_STATE_RUNNING;
        engine_event_container(e, r, pause ? "pause" : "unpause");
        return engine_save_state(e, r, err);
}
