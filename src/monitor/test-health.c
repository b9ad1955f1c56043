/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Healthchecks: durations, the results log (transitions, rotation, truncation), one check
 * through an external runtime (a shell script standing in for `runc exec --detach`), and
 * the monitor's timer with its on-failure action. */
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "monitor/health.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/strv.h"

#define NS 1000000000LL

static void test_on_failure_names(void **s)
{
        assert_int_equal(health_on_failure_from_string("none"), HEALTH_ON_FAILURE_NONE);
        assert_int_equal(health_on_failure_from_string("kill"), HEALTH_ON_FAILURE_KILL);
        assert_int_equal(health_on_failure_from_string("restart"), HEALTH_ON_FAILURE_RESTART);
        assert_int_equal(health_on_failure_from_string("stop"), HEALTH_ON_FAILURE_STOP);
        assert_int_equal(health_on_failure_from_string("Kill"), -EINVAL);
        assert_int_equal(health_on_failure_from_string(""), -EINVAL);
        assert_int_equal(health_on_failure_from_string(NULL), -EINVAL);
}

static struct health_result result(int code, const char *out)
{
        struct health_result r = { .exit_code = code, .output = out,
                                   .output_len = out ? strlen(out) : 0 };
        r.start = (struct timespec){ 1700000000, 5 };
        r.end = (struct timespec){ 1700000001, 0 };
        return r;
}

static json_t *starting(void)
{
        return json_pack("{s:s, s:i, s:n}", "Status", "starting", "FailingStreak", 0, "Log");
}

static void test_transitions(void **s)
{
        json_t *j = starting();
        struct health_result fail = result(1, "no"), ok = result(0, "yes");
        /* retries 3: starting until the third failure in a row */
        assert_string_equal(health_results_apply(j, &fail, false, 3), "starting");
        assert_string_equal(health_results_apply(j, &fail, false, 3), "starting");
        assert_int_equal(json_integer_value(json_object_get(j, "FailingStreak")), 2);
        assert_string_equal(health_results_apply(j, &fail, false, 3), "unhealthy");
        assert_int_equal(json_integer_value(json_object_get(j, "FailingStreak")), 3);
        /* one success: healthy, streak reset */
        assert_string_equal(health_results_apply(j, &ok, false, 3), "healthy");
        assert_int_equal(json_integer_value(json_object_get(j, "FailingStreak")), 0);
        assert_string_equal(health_results_apply(j, &fail, false, 3), "healthy");
        assert_string_equal(health_results_apply(j, &fail, false, 3), "healthy");
        assert_string_equal(health_results_apply(j, &fail, false, 3), "unhealthy");
        json_decref(j);

        /* the start period: failures do not count */
        j = starting();
        for (int i = 0; i < 5; i++)
                assert_string_equal(health_results_apply(j, &fail, true, 1), "starting");
        assert_int_equal(json_integer_value(json_object_get(j, "FailingStreak")), 0);
        assert_string_equal(health_results_apply(j, &fail, false, 1), "unhealthy");
        json_decref(j);
        j = starting();
        assert_string_equal(health_results_apply(j, &ok, true, 1), "healthy");
        json_decref(j);

        /* a timeout is a failure with ExitCode -1 */
        j = starting();
        struct health_result to = result(-1, "x");
        assert_string_equal(health_results_apply(j, &to, false, 1), "unhealthy");
        json_t *e = json_array_get(json_object_get(j, "Log"), 0);
        assert_int_equal(json_integer_value(json_object_get(e, "ExitCode")), -1);
        assert_string_equal(json_string_value(json_object_get(e, "Start")),
                            "2023-11-14T22:13:20.000000005Z");
        assert_string_equal(json_string_value(json_object_get(e, "End")), "2023-11-14T22:13:21Z");
        json_decref(j);
}

static void test_rotation_and_truncation(void **s)
{
        json_t *j = starting();
        char out[16];
        for (int i = 0; i < 7; i++) {
                snprintf(out, sizeof out, "run %d\n", i);
                struct health_result r = result(0, out);
                health_results_apply(j, &r, false, 3);
        }
        json_t *log = json_object_get(j, "Log");
        assert_int_equal(json_array_size(log), HEALTH_LOG_MAX);
        assert_string_equal(json_string_value(json_object_get(json_array_get(log, 0), "Output")),
                            "run 2");
        assert_string_equal(json_string_value(json_object_get(json_array_get(log, 4), "Output")),
                            "run 6");
        json_decref(j);

        j = starting();
        char big[1200];
        memset(big, 'a', sizeof big - 1);
        big[sizeof big - 1] = '\0';
        struct health_result r = result(0, big);
        health_results_apply(j, &r, false, 3);
        const char *o = json_string_value(
                json_object_get(json_array_get(json_object_get(j, "Log"), 0), "Output"));
        assert_int_equal(strlen(o), HEALTH_OUTPUT_MAX);
        json_decref(j);

        /* a multi-byte character cut at the limit and invalid bytes become U+FFFD */
        j = starting();
        memset(big, 'b', HEALTH_OUTPUT_MAX - 1);
        memcpy(big + HEALTH_OUTPUT_MAX - 1, "\xc3\xa9", 3);
        r = result(0, big);
        health_results_apply(j, &r, false, 3);
        o = json_string_value(json_object_get(json_array_get(json_object_get(j, "Log"), 0), "Output"));
        assert_non_null(o);
        assert_string_equal(o + HEALTH_OUTPUT_MAX - 1, "\xef\xbf\xbd");
        r = result(0, "ok\xff\xfe!");
        health_results_apply(j, &r, false, 3);
        o = json_string_value(json_object_get(json_array_get(json_object_get(j, "Log"), 1), "Output"));
        assert_string_equal(o, "ok\xef\xbf\xbd\xef\xbf\xbd!");
        json_decref(j);
}

static char tmp[64];

static int setup_tmp(void **s)
{
        snprintf(tmp, sizeof tmp, "/tmp/test-health-XXXXXX");
        return mkdtemp(tmp) ? 0 : -1;
}

static int teardown_tmp(void **s)
{
        return rm_rf(tmp) < 0 ? -1 : 0;
}

static void test_results_file(void **s)
{
        char path[128];
        snprintf(path, sizeof path, "%s/%s", tmp, HEALTH_LOG_NAME);
        json_t *j = NULL;
        assert_int_equal(health_results_read(path, &j, NULL), 0);
        assert_string_equal(json_string_value(json_object_get(j, "Status")), "");
        assert_true(json_is_null(json_object_get(j, "Log")));
        json_decref(j);

        assert_int_equal(health_results_reset(path, NULL), 0);
        struct health_result fail = result(1, "bad");
        char *st = NULL;
        assert_int_equal(health_results_record(path, &fail, false, 1, &st, NULL), 0);
        assert_string_equal(st, "unhealthy");
        free(st);
        /* a new start: starting again, the log stays */
        assert_int_equal(health_results_reset(path, NULL), 0);
        assert_int_equal(health_results_read(path, &j, NULL), 0);
        assert_string_equal(json_string_value(json_object_get(j, "Status")), "starting");
        assert_int_equal(json_integer_value(json_object_get(j, "FailingStreak")), 0);
        assert_int_equal(json_array_size(json_object_get(j, "Log")), 1);
        json_decref(j);

        assert_int_equal(write_file_atomic(path, "[1]", 3, 0600, NULL), 0);
        struct cu_error *err = NULL;
        assert_int_equal(health_results_read(path, &j, &err), -EINVAL);
        cu_error_free(err);
}

/* An external "runtime": `fake --root R exec --detach --pid-file F ID ARGS…` starts ARGS in
 * the background with its pid in F, as `runc exec --detach` does.  The background process
 * waits until the script is gone before it execs ARGS, so that the script's shell can never
 * reap it (its exit status belongs to H, which adopts it as subreaper). */
static const char fake_runtime[] =
        "#!/bin/sh\n"
        "while [ $# -gt 0 ]; do case $1 in --pid-file) pf=$2; shift 2;; --root) shift 2;;\n"
        "  exec|--detach) shift;; *) shift; break;; esac; done\n"
        "me=$$\n"
        "( while kill -0 $me 2>/dev/null; do sleep 0.01; done; exec \"$@\" ) &\n"
        "echo $! > \"$pf\"\n";

static void target(struct health_target *t, char **argv, char *rt, char *pidf)
{
        snprintf(rt, 128, "%s/fake-runtime", tmp);
        snprintf(pidf, 128, "%s/check.pid", tmp);
        assert_int_equal(write_file_atomic(rt, fake_runtime, sizeof fake_runtime - 1, 0755, NULL), 0);
        *t = (struct health_target){ .cid = "ctr", .runtime = rt, .runtime_root = tmp,
                                     .argv = argv, .pid_file = pidf };
}

static void test_check_run(void **s)
{
        char rt[128], pidf[128];
        struct health_target t;
        char *ok_argv[] = { "/bin/sh", "-c", "echo out; echo err >&2; exit 3", NULL };
        target(&t, ok_argv, rt, pidf);
        struct health_check *c = NULL;
        assert_int_equal(health_check_run(&t, 5 * NS, &c, NULL), 0);
        struct health_result r;
        health_check_result(c, &r);
        assert_int_equal(r.exit_code, 3);
        assert_int_equal(r.output_len, 8);
        assert_memory_equal(r.output, "out\nerr\n", 8);
        health_check_free(c);

        /* a check that hangs is killed at the timeout (H kills it: no process is left) */
        char *hang_argv[] = { "/bin/sleep", "30", NULL };
        t.argv = hang_argv;
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        assert_int_equal(health_check_run(&t, NS / 5, &c, NULL), 0);
        clock_gettime(CLOCK_MONOTONIC, &b);
        health_check_result(c, &r);
        assert_int_equal(r.exit_code, 137);
        assert_true(b.tv_sec - a.tv_sec < 5);
        health_check_free(c);
        assert_int_equal(access(pidf, F_OK), -1);

        /* a runtime that fails: exit code 1 */
        char *argv2[] = { "x", NULL };
        t.argv = argv2;
        t.runtime = "/nonexistent/runtime";
        assert_int_equal(health_check_run(&t, NS, &c, NULL), 0);
        health_check_result(c, &r);
        assert_int_equal(r.exit_code, 1);
        health_check_free(c);
}

static char logp[128];

/* Whether the results file shows status with at least min_log entries. */
static bool log_shows(const char *status, size_t min_log)
{
        json_t *j = NULL;
        if (health_results_read(logp, &j, NULL) < 0)
                return false;
        bool ok = strcmp(json_string_value(json_object_get(j, "Status")), status) == 0 &&
                  json_array_size(json_object_get(j, "Log")) >= min_log;
        json_decref(j);
        return ok;
}

/* Drives the monitor's loop (poll on its fds, reap, dispatch) until done() or 20 s (a loaded
 * machine is slow, the test must not depend on it). */
static void run_loop(struct health_monitor *h, pid_t ctr, int *ctr_status, bool (*done)(int))
{
        struct timespec a, now;
        clock_gettime(CLOCK_MONOTONIC, &a);
        for (;;) {
                clock_gettime(CLOCK_MONOTONIC, &now);
                if (now.tv_sec - a.tv_sec >= 20 || done(*ctr_status))
                        return;
                struct pollfd p[2] = {
                        { .fd = health_monitor_timer_fd(h), .events = POLLIN },
                        { .fd = health_monitor_output_fd(h), .events = POLLIN },
                };
                (void) poll(p, 2, 20);
                int st;
                pid_t w;
                while ((w = waitpid(-1, &st, WNOHANG)) > 0)
                        if (w == ctr)
                                *ctr_status = st;
                        else
                                (void) health_monitor_child_exited(h, w, st);
                health_monitor_dispatch(h, p[0].revents, p[1].revents);
        }
}

static bool healthy_twice(int st)
{
        return log_shows("healthy", 2);
}

static bool ctr_exited(int st)
{
        return st != -1;
}

static void test_monitor_timer(void **s)
{
        char rt[128], pidf[128];
        struct health_target t;
        target(&t, NULL, rt, pidf);
        snprintf(logp, sizeof logp, "%s/%s", tmp, HEALTH_LOG_NAME);
        (void) unlink(logp);
        /* passes while the file exists */
        char flag[128];
        snprintf(flag, sizeof flag, "%s/ok", tmp);
        (void) close(open(flag, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
        struct health_config cfg = { .interval_ns = NS / 10, .timeout_ns = 10 * NS, .retries = 2,
                                     .on_failure = HEALTH_ON_FAILURE_KILL,
                                     .log_path = strdup(logp), .stop_signal = SIGTERM };
        assert_int_equal(strv_extend(&cfg.argv, "test"), 0);
        assert_int_equal(strv_extend(&cfg.argv, "-e"), 0);
        assert_int_equal(strv_extend(&cfg.argv, flag), 0);
        struct health_monitor *h = NULL;
        assert_int_equal(health_monitor_new(&cfg, &h, NULL), 0);
        assert_null(cfg.argv);

        pid_t ctr = fork();
        if (ctr == 0) {
                execl("/bin/sleep", "sleep", "30", NULL);
                _exit(127);
        }
        health_monitor_started(h, &t, ctr, NULL);
        json_t *j = NULL;
        assert_int_equal(health_results_read(logp, &j, NULL), 0);
        assert_string_equal(json_string_value(json_object_get(j, "Status")), "starting");
        json_decref(j);

        int status = -1;
        run_loop(h, ctr, &status, healthy_twice);
        assert_int_equal(health_results_read(logp, &j, NULL), 0);
        assert_string_equal(json_string_value(json_object_get(j, "Status")), "healthy");
        assert_true(json_array_size(json_object_get(j, "Log")) >= 2);
        json_decref(j);
        assert_int_equal(status, -1);

        /* failing twice (retries 2): unhealthy, and on-failure kill kills the container */
        assert_int_equal(unlink(flag), 0);
        run_loop(h, ctr, &status, ctr_exited);
        assert_int_equal(health_results_read(logp, &j, NULL), 0);
        assert_string_equal(json_string_value(json_object_get(j, "Status")), "unhealthy");
        assert_int_equal(json_integer_value(json_object_get(j, "FailingStreak")), 2);
        json_decref(j);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        assert_false(health_monitor_restart_requested(h));
        health_monitor_stopped(h);
        assert_int_equal(health_monitor_timer_fd(h), -1);
        health_monitor_free(h);
}

static void test_monitor_restart(void **s)
{
        char rt[128], pidf[128];
        struct health_target t;
        target(&t, NULL, rt, pidf);
        snprintf(logp, sizeof logp, "%s/%s", tmp, HEALTH_LOG_NAME);
        struct health_config cfg = { .interval_ns = NS / 20, .timeout_ns = 10 * NS, .retries = 1,
                                     .start_period_ns = 0,
                                     .on_failure = HEALTH_ON_FAILURE_RESTART,
                                     .log_path = strdup(logp), .stop_signal = SIGTERM,
                                     .stop_timeout = 0 };
        assert_int_equal(strv_extend(&cfg.argv, "false"), 0);
        struct health_monitor *h = NULL;
        assert_int_equal(health_monitor_new(&cfg, &h, NULL), 0);
        pid_t ctr = fork();
        if (ctr == 0) {
                signal(SIGTERM, SIG_IGN);
                execl("/bin/sleep", "sleep", "30", NULL);
                _exit(127);
        }
        health_monitor_started(h, &t, ctr, NULL);
        int status = -1;
        run_loop(h, ctr, &status, ctr_exited);
        /* SIGTERM ignored: SIGKILL after the stop timeout; a restart is asked for */
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        assert_true(health_monitor_restart_requested(h));
        health_monitor_stopped(h);
        health_monitor_free(h);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_on_failure_names),
                cmocka_unit_test(test_transitions),
                cmocka_unit_test(test_rotation_and_truncation),
                cmocka_unit_test_setup_teardown(test_results_file, setup_tmp, teardown_tmp),
                cmocka_unit_test_setup_teardown(test_check_run, setup_tmp, teardown_tmp),
                cmocka_unit_test_setup_teardown(test_monitor_timer, setup_tmp, teardown_tmp),
                cmocka_unit_test_setup_teardown(test_monitor_restart, setup_tmp, teardown_tmp),
        };
        /* The checks' processes are reparented to us when H is killed. */
        (void) prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        return cmocka_run_group_tests(tests, NULL, NULL);
}
