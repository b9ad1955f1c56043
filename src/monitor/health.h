/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Healthchecks with no daemon and no systemd (podman needs systemd timers for them:
 * podman#19326).  The container's own monitor runs the checks on a timer in its poll loop;
 * `cuttle healthcheck run` runs one check from the command line.  Both record the result the
 * same way, in podman's healthcheck.log (a JSON file in the container's run directory,
 * written atomically under a flock on that directory):
 *
 *   {"Status":"healthy","FailingStreak":0,"Log":[{"Start":"…","End":"…","ExitCode":0,
 *    "Output":"…"}, …]}
 *
 * Status is "starting" from each start of the container until the first successful check
 * ("healthy") or until FailingStreak reaches the retries ("unhealthy").  Failures during the
 * start period do not count.  Log keeps the last HEALTH_LOG_MAX results, Output the first
 * HEALTH_OUTPUT_MAX bytes of the check's stdout and stderr together.  A check that runs
 * past its timeout is killed and logged with ExitCode -1.
 *
 * One check is one process H forked from the caller: H execs the check's argv in the
 * container through the runtime (the built-in one in-process, or `RUNTIME exec`), with its
 * stdout and stderr on a pipe, and exits with the check's exit code.  The check runs
 * detached (its pid comes in a pid file) as H's child, H leads a process group that the
 * check and its children share, and a timeout kills that group: nothing of a hanging check
 * is left.  Forking keeps the monitor small: the runtime's allocations (the OCI spec, the state)
 * live and die in H, never in the long-lived monitor.
 */
#pragma once

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "runtime/runtime.h"
#include "util/error.h"

#define HEALTH_LOG_MAX 5
#define HEALTH_OUTPUT_MAX 500
#define HEALTH_LOG_NAME "healthcheck.log"

#define HEALTH_STARTING "starting"
#define HEALTH_HEALTHY "healthy"
#define HEALTH_UNHEALTHY "unhealthy"

enum health_on_failure {
        HEALTH_ON_FAILURE_NONE,
        HEALTH_ON_FAILURE_KILL,
        HEALTH_ON_FAILURE_RESTART,
        HEALTH_ON_FAILURE_STOP,
        _HEALTH_ON_FAILURE_MAX,
        _HEALTH_ON_FAILURE_INVALID = -EINVAL,
};
extern const char *const health_on_failure_names[_HEALTH_ON_FAILURE_MAX];
/* "none", "kill", "restart", "stop"; -EINVAL otherwise. */
enum health_on_failure health_on_failure_from_string(const char *s);

/* ------------------------------------------------------------------ results */

struct health_result {
        struct timespec start, end; /* CLOCK_REALTIME */
        int exit_code;              /* -1: timed out */
        const char *output;         /* at most HEALTH_OUTPUT_MAX bytes are kept */
        size_t output_len;
};

/* Pure: folds one result into the results object (podman's rules, above); returns the new
 * Status (borrowed from results). */
const char *health_results_apply(json_t *results, const struct health_result *res,
                                 bool in_start_period, unsigned retries);

/* The results file at path: parsed (an empty {"Status":"","FailingStreak":0,"Log":null}
 * when it does not exist). */
int health_results_read(const char *path, json_t **ret, struct cu_error **err);
/* Records one result in the file at path (read, apply, write atomically, under the lock);
 * *ret_status (may be NULL) gets the new Status (malloc'd). */
int health_results_record(const char *path, const struct health_result *res,
                          bool in_start_period, unsigned retries, char **ret_status,
                          struct cu_error **err);
/* At each start of the container: Status "starting", FailingStreak 0; the Log stays. */
int health_results_reset(const char *path, struct cu_error **err);

/* ------------------------------------------------------------------ one check */

struct health_target {
        const char *cid;
        struct runtime_ctx ctx;   /* the built-in runtime's */
        const char *runtime;      /* an external runtime's command, or NULL: built-in */
        const char *runtime_root; /* its --root, or NULL */
        char **argv;              /* what to run in the container */
        const char *pid_file;     /* where the check's pid goes (unique per caller) */
};

struct health_check; /* a check: H and what it reported */

/* The result of a finished check (pointers into c). */
void health_check_result(const struct health_check *c, struct health_result *ret);
/* Kills what still runs, reaps H (blocking) and frees. */
struct health_check *health_check_free(struct health_check *c);
DEFINE_CLEANUP_FUNC(struct health_check *, health_check_free)

/* Runs one check to the end (timeout_ns > 0 kills it after that long), reaping H itself:
 * for a caller with no event loop (`healthcheck run`). */
int health_check_run(const struct health_target *t, int64_t timeout_ns, struct health_check **ret,
                     struct cu_error **err);

/* ------------------------------------------------------------------ in the monitor */

struct health_config {
        char **argv;              /* the check (CMD-SHELL already made /bin/sh -c CMD) */
        int64_t interval_ns;      /* <= 0: no timer (only `healthcheck run`) */
        int64_t timeout_ns, start_period_ns;
        unsigned retries;
        enum health_on_failure on_failure;
        char *log_path;           /* the results file */
        int stop_signal;          /* on-failure stop / restart: the container's stop signal, */
        unsigned stop_timeout;    /* then SIGKILL after this many seconds */
};

struct health_monitor;

/* Takes cfg's allocations (cfg is zeroed). */
int health_monitor_new(struct health_config *cfg, struct health_monitor **ret,
                       struct cu_error **err);
struct health_monitor *health_monitor_free(struct health_monitor *h);

/* The container (re)started with pid: resets the status, schedules the first check after
 * one interval.  t gives the container (t->argv and t->pid_file are filled in here). */
void health_monitor_started(struct health_monitor *h, const struct health_target *t, pid_t pid,
                            const char *stop_file);
/* The container exited: an ongoing check is killed, nothing more is scheduled. */
void health_monitor_stopped(struct health_monitor *h);

/* The two fds for the poll loop (-1 when there is nothing to wait for). */
int health_monitor_timer_fd(const struct health_monitor *h);
int health_monitor_output_fd(const struct health_monitor *h);
/* After poll: handles the timer (start a check, a timeout, the stop's SIGKILL) and output. */
void health_monitor_dispatch(struct health_monitor *h, bool timer_ready, bool output_ready);
/* A reaped child: true if it was the check's H. */
bool health_monitor_child_exited(struct health_monitor *h, pid_t pid, int status);
/* Whether --health-on-failure=restart asked for a restart since the last start. */
bool health_monitor_restart_requested(const struct health_monitor *h);
