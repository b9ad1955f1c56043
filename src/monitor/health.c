/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Healthchecks: durations, the results file, one check, the monitor's timer.  See health.h. */
#include <ctype.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exitfile.h"
#include "health.h"
#include "util/cleanup.h"
#include "util/fd.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/strv.h"

#define NSEC 1000000000LL

const char *const health_on_failure_names[_HEALTH_ON_FAILURE_MAX] = {
        [HEALTH_ON_FAILURE_NONE] = "none",
        [HEALTH_ON_FAILURE_KILL] = "kill",
        [HEALTH_ON_FAILURE_RESTART] = "restart",
        [HEALTH_ON_FAILURE_STOP] = "stop",
};

enum health_on_failure health_on_failure_from_string(const char *s)
{
        for (int i = 0; s && i < _HEALTH_ON_FAILURE_MAX; i++)
                if (strcmp(s, health_on_failure_names[i]) == 0)
                        return (enum health_on_failure) i;
        return _HEALTH_ON_FAILURE_INVALID;
}

/* ------------------------------------------------------------------ results */

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 (as jansson checks). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
        size_t len;
        uint32_t cp;
        if (s[0] < 0x80)
                return 1;
        if (s[0] >= 0xc2 && s[0] <= 0xdf)
                len = 2, cp = s[0] & 0x1f;
        else if (s[0] >= 0xe0 && s[0] <= 0xef)
                len = 3, cp = s[0] & 0x0f;
        else if (s[0] >= 0xf0 && s[0] <= 0xf4)
                len = 4, cp = s[0] & 0x07;
        else
                return 0;
        if (len > n)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
                return 0;
        return len;
}

/* The check's output as the log keeps it: trailing newlines dropped, the first
 * HEALTH_OUTPUT_MAX bytes, invalid UTF-8 replaced by U+FFFD (as Go's JSON encoder does). */
static json_t *output_json(const char *s, size_t len)
{
        while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
                len--;
        if (len > HEALTH_OUTPUT_MAX)
                len = HEALTH_OUTPUT_MAX;
        _cleanup_free_ char *buf = malloc(len * 3 + 1);
        if (!buf)
                return NULL;
        size_t o = 0;
        for (size_t i = 0; i < len;) {
                size_t k = utf8_seq((const unsigned char *) s + i, len - i);
                if (k == 0) {
                        memcpy(buf + o, "\xef\xbf\xbd", 3);
                        o += 3;
                        i++;
                        continue;
                }
                memcpy(buf + o, s + i, k);
                o += k;
                i += k;
        }
        return json_stringn(buf, o);
}

static json_t *results_empty(void)
{
        return json_pack("{s:s, s:i, s:n}", "Status", "", "FailingStreak", 0, "Log");
}

const char *health_results_apply(json_t *results, const struct health_result *res,
                                 bool in_start_period, unsigned retries)
{
        const char *status = json_string_value(json_object_get(results, "Status"));
        json_int_t streak = json_integer_value(json_object_get(results, "FailingStreak"));
        if (res->exit_code == 0) {
                status = HEALTH_HEALTHY;
                streak = 0;
        } else {
                if (!status || !*status) /* podman's rule for a file with no status yet */
                        status = HEALTH_HEALTHY;
                if (!in_start_period && ++streak >= (json_int_t) retries)
                        status = HEALTH_UNHEALTHY;
        }
        json_object_set_new(results, "Status", json_string(status));
        json_object_set_new(results, "FailingStreak", json_integer(streak));
        json_t *log = json_object_get(results, "Log");
        if (!json_is_array(log)) {
                log = json_array();
                json_object_set_new(results, "Log", log);
        }
        char start[RFC3339NANO_MAX], end[RFC3339NANO_MAX];
        json_t *out = output_json(res->output ? res->output : "", res->output ? res->output_len : 0);
        json_array_append_new(log, json_pack("{s:s, s:s, s:i, s:o}", "Start",
                                             format_rfc3339nano(&res->start, start), "End",
                                             format_rfc3339nano(&res->end, end), "ExitCode",
                                             res->exit_code, "Output", out ? out : json_string("")));
        while (json_array_size(log) > HEALTH_LOG_MAX)
                json_array_remove(log, 0);
        return json_string_value(json_object_get(results, "Status"));
}

int health_results_read(const char *path, json_t **ret, struct cu_error **err)
{
        _cleanup_free_ char *text = NULL;
        int r = read_full_file(path, &text, NULL, NULL);
        if (r == -ENOENT) {
                *ret = results_empty();
                return *ret ? 0 : -ENOMEM;
        }
        if (r < 0)
                return cu_error_set(err, -r, "reading %s", path);
        json_t *j = json_loads(text, 0, NULL);
        if (!json_is_object(j)) {
                json_decref(j);
                return cu_error_setx(err, EINVAL, "%s: not a healthcheck log", path);
        }
        *ret = j;
        return 0;
}

/* flock on the file's directory: the file itself is replaced by rename. */
static int lock_dir_of(const char *path, struct cu_error **err)
{
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return cu_error_set(err, ENOMEM, "strdup");
        const char *dir = dirname(copy);
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return cu_error_set(err, errno, "opening %s", dir);
        while (flock(fd, LOCK_EX) < 0)
                if (errno != EINTR)
                        return cu_error_set(err, errno, "locking %s", dir);
        return TAKE_FD(fd);
}

static int results_write(const char *path, json_t *j, struct cu_error **err)
{
        _cleanup_free_ char *text = json_dumps(j, JSON_COMPACT);
        if (!text)
                return cu_error_set(err, ENOMEM, "json_dumps");
        return write_file_atomic(path, text, strlen(text), 0600, err);
}

int health_results_record(const char *path, const struct health_result *res,
                          bool in_start_period, unsigned retries, char **ret_status,
                          struct cu_error **err)
{
        _cleanup_close_ int lock = lock_dir_of(path, err);
        if (lock < 0)
                return lock;
        _cleanup_json_ json_t *j = NULL;
        int r = health_results_read(path, &j, err);
        if (r < 0)
                return r;
        const char *status = health_results_apply(j, res, in_start_period, retries);
        _cleanup_free_ char *copy = strdup(status);
        if (!copy)
                return cu_error_set(err, ENOMEM, "strdup");
        r = results_write(path, j, err);
        if (r < 0)
                return r;
        if (ret_status)
                *ret_status = TAKE_PTR(copy);
        return 0;
}

int health_results_reset(const char *path, struct cu_error **err)
{
        _cleanup_close_ int lock = lock_dir_of(path, err);
        if (lock < 0)
                return lock;
        _cleanup_json_ json_t *j = NULL;
        int r = health_results_read(path, &j, NULL);
        if (r < 0 && !(j = results_empty()))
                return cu_error_set(err, ENOMEM, "json");
        json_object_set_new(j, "Status", json_string(HEALTH_STARTING));
        json_object_set_new(j, "FailingStreak", json_integer(0));
        return results_write(path, j, err);
}

/* ------------------------------------------------------------------ one check */

struct health_check {
        pid_t pid; /* H; 0 once reaped */
        int fd;    /* the output pipe's read end */
        char out[HEALTH_OUTPUT_MAX + 2]; /* +2: the trailing newline that is dropped */
        size_t len;
        struct timespec start, end, start_mono;
        int status;
        bool exited;
};

/* In H: waits for the check's process p until deadline (CLOCK_MONOTONIC ns, 0: none); at the
 * deadline kills H's process group (H, the check and whatever the check started).  Returns the exit code.  SIGCHLD is blocked.  Other children (orphans
 * adopted as subreaper) are left alone: p may be one of them before its pid is known, and
 * H's zombies go to the monitor, a subreaper too, when H exits. */
static int child_wait(pid_t p, int64_t deadline)
{
        sigset_t chld;
        sigemptyset(&chld);
        sigaddset(&chld, SIGCHLD);
        for (;;) {
                int status;
                pid_t w = waitpid(p, &status, WNOHANG);
                if (w == p)
                        return exit_code_from_status(status);
                if (w < 0 && errno != EINTR)
                        return 255;
                struct timespec now, left = { 1, 0 };
                clock_gettime(CLOCK_MONOTONIC, &now);
                if (deadline > 0) {
                        int64_t l = deadline - ((int64_t) now.tv_sec * NSEC + now.tv_nsec);
                        if (l <= 0) /* the whole group: the check, its children, H */
                                (void) kill(0, SIGKILL);
                        if (l < NSEC)
                                left = (struct timespec){ 0, (long) l };
                }
                (void) sigtimedwait(&chld, NULL, &left);
        }
}

static pid_t read_pid(const char *path)
{
        _cleanup_free_ char *text = NULL;
        int pid = 0;
        if (read_full_file(path, &text, NULL, NULL) < 0)
                return 0;
        text[strcspn(text, "\n")] = '\0';
        return safe_atoi(text, &pid) < 0 || pid <= 0 ? 0 : pid;
}

/* In H: `RUNTIME [--root R] exec --detach --pid-file F ID ARGS…`. */
static int child_exec_external(const struct health_target *t)
{
        _cleanup_strv_ char **argv = NULL;
        const char *head[] = { t->runtime, "--root", t->runtime_root, "exec", "--detach",
                               "--pid-file", t->pid_file, t->cid };
        for (size_t i = 0; i < ELEMENTSOF(head); i++) {
                if ((i == 1 || i == 2) && !t->runtime_root)
                        continue;
                if (strv_extend(&argv, head[i]) < 0)
                        return -ENOMEM;
        }
        for (char **a = t->argv; a && *a; a++)
                if (strv_extend(&argv, *a) < 0)
                        return -ENOMEM;
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                sigset_t none;
                sigemptyset(&none);
                (void) sigprocmask(SIG_SETMASK, &none, NULL);
                execvp(argv[0], argv);
                _exit(127);
        }
        int code = child_wait(pid, 0);
        return code == 0 ? 0 : -EIO;
}

/* H's way of saying "no check: the container is paused" (podman runs no check then). */
#define SKIP_SIGNAL SIGUSR2

static int child_exec_builtin(const struct health_target *t, struct cu_error **err)
{
        _cleanup_json_ json_t *state = NULL;
        if (runtime_state(&t->ctx, t->cid, &state, NULL) >= 0 &&
            streq_ptr(json_string_value(json_object_get(state, "status")), "paused"))
                (void) raise(SKIP_SIGNAL);
        _cleanup_(oci_process_freep) struct oci_process *p = NULL;
        int r = runtime_process_defaults(&t->ctx, t->cid, &p, err);
        if (r < 0)
                return r;
        strv_free(p->args);
        p->args = strv_copy(t->argv);
        if (!p->args)
                return cu_error_set(err, ENOMEM, "strv_copy");
        p->terminal = false;
        struct runtime_exec_opts o = { .detach = true, .pid_file = t->pid_file };
        return runtime_exec(&t->ctx, t->cid, p, &o, NULL, err);
}

/* H: starts the check in the container (detached, so that H is its parent and can kill it
 * at the deadline without racing its reaping), waits for it, exits with its code.  Errors
 * go to the output, as podman logs them, with exit code 1. */
_noreturn_ static void child_main(const struct health_target *t, int out, int64_t deadline)
{
        int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
                _exit(1);
        close_all_fds(3, NULL, 0);
        (void) setpgid(0, 0);
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        (void) prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        (void) signal(SIGPIPE, SIG_DFL);
        sigset_t chld;
        sigemptyset(&chld);
        sigaddset(&chld, SIGCHLD);
        (void) sigprocmask(SIG_SETMASK, &chld, NULL);
        (void) unlink(t->pid_file);
        struct cu_error *err = NULL;
        int r = t->runtime ? child_exec_external(t) : child_exec_builtin(t, &err);
        if (r < 0) {
                const char *m = err ? cu_error_msg(err) : strerror(-r);
                (void) write_all(1, m, strlen(m));
                _exit(1);
        }
        pid_t p = read_pid(t->pid_file);
        (void) unlink(t->pid_file);
        if (p <= 0)
                _exit(1);
        _exit(child_wait(p, deadline));
}

static int64_t mono_ns(const struct timespec *ts)
{
        return (int64_t) ts->tv_sec * NSEC + ts->tv_nsec;
}

static int check_start(const struct health_target *t, int64_t timeout_ns,
                       struct health_check **ret, struct cu_error **err)
{
        if (!t->argv || !t->argv[0] || !t->pid_file)
                return cu_error_setx(err, EINVAL, "no healthcheck command");
        _cleanup_free_ struct health_check *c = calloc(1, sizeof *c);
        if (!c)
                return cu_error_set(err, ENOMEM, "calloc");
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return cu_error_set(err, errno, "pipe");
        clock_gettime(CLOCK_REALTIME, &c->start);
        clock_gettime(CLOCK_MONOTONIC, &c->start_mono);
        int64_t deadline = timeout_ns > 0 ? mono_ns(&c->start_mono) + timeout_ns : 0;
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
                int r = cu_error_set(err, errno, "fork");
                close(p[0]);
                close(p[1]);
                return r;
        }
        if (pid == 0) {
                free(TAKE_PTR(c));
                child_main(t, p[1], deadline);
        }
        c->pid = pid;
        (void) setpgid(c->pid, c->pid); /* as H does: no window where a kill misses it */
        close(p[1]);
        c->fd = p[0];
        int fl = fcntl(c->fd, F_GETFL);
        if (fl >= 0)
                (void) fcntl(c->fd, F_SETFL, fl | O_NONBLOCK);
        *ret = TAKE_PTR(c);
        return 0;
}

static int check_fd(const struct health_check *c)
{
        return c ? c->fd : -1;
}

static bool check_read(struct health_check *c)
{
        char scratch[4096];
        while (c->fd >= 0) {
                size_t room = sizeof c->out - c->len;
                char *dst = room ? c->out + c->len : scratch;
                ssize_t k = read(c->fd, dst, room ? room : sizeof scratch);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0 && errno == EAGAIN)
                        return true;
                if (k <= 0) {
                        c->fd = safe_close(c->fd);
                        return false;
                }
                if (room)
                        c->len += (size_t) k;
        }
        return false;
}

static void check_exited(struct health_check *c, int status)
{
        c->status = status;
        c->exited = true;
        c->pid = 0;
        clock_gettime(CLOCK_REALTIME, &c->end);
        /* What is in the pipe now is all we wait for: a background process of the check may
         * hold it open forever. */
        (void) check_read(c);
        c->fd = safe_close(c->fd);
}

/* Kills H's process group (H, the check and its children). */
static void check_kill(struct health_check *c)
{
        if (c->pid > 0 && kill(-c->pid, SIGKILL) < 0)
                (void) kill(c->pid, SIGKILL);
}

void health_check_result(const struct health_check *c, struct health_result *ret)
{
        *ret = (struct health_result){
                .start = c->start,
                .end = c->end,
                .exit_code = exit_code_from_status(c->status),
                .output = c->out,
                .output_len = c->len,
        };
}

struct health_check *health_check_free(struct health_check *c)
{
        if (!c)
                return NULL;
        if (c->pid > 0) {
                check_kill(c);
                while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        }
        safe_close(c->fd);
        free(c);
        return NULL;
}

int health_check_run(const struct health_target *t, int64_t timeout_ns, struct health_check **ret,
                     struct cu_error **err)
{
        _cleanup_(health_check_freep) struct health_check *c = NULL;
        int r = check_start(t, timeout_ns, &c, err);
        if (r < 0)
                return r;
        for (;;) {
                int status;
                pid_t w = waitpid(c->pid, &status, WNOHANG);
                if (w == c->pid) {
                        check_exited(c, status);
                        break;
                }
                if (w < 0 && errno != EINTR)
                        return cu_error_set(err, errno, "waiting for the healthcheck");
                struct pollfd p = { .fd = c->fd, .events = POLLIN };
                if (poll(&p, 1, c->fd >= 0 ? 50 : 10) > 0)
                        (void) check_read(c);
        }
        *ret = TAKE_PTR(c);
        return 0;
}

/* ------------------------------------------------------------------ in the monitor */

/* Grace after a check's timeout before the monitor kills H itself (H kills the check at the
 * timeout; this covers an H stuck before the check ran). */
#define HEALTH_GRACE_NS (5 * NSEC)

enum phase { PHASE_IDLE, PHASE_WAIT, PHASE_CHECK, PHASE_STOPPING };

struct health_monitor {
        struct health_config cfg;
        struct health_target t;
        char *pid_file;
        int tfd; /* timerfd: the next check, a check's deadline, or the stop's SIGKILL */
        enum phase phase;
        struct health_check *check;
        pid_t ctr_pid;
        const char *stop_file;
        int64_t started; /* CLOCK_MONOTONIC ns of the container's start */
        bool restart_requested;
};

static void config_done(struct health_config *c)
{
        strv_free(c->argv);
        free(c->log_path);
        *c = (struct health_config){ 0 };
}

int health_monitor_new(struct health_config *cfg, struct health_monitor **ret,
                       struct cu_error **err)
{
        if (!cfg->argv || !cfg->argv[0] || !cfg->log_path)
                return cu_error_setx(err, EINVAL, "a healthcheck needs a command and a log path");
        struct health_monitor *h = calloc(1, sizeof *h);
        if (!h)
                return cu_error_set(err, ENOMEM, "calloc");
        h->cfg = *cfg;
        *cfg = (struct health_config){ 0 };
        h->tfd = -EBADF;
        _cleanup_free_ char *copy = strdup(h->cfg.log_path);
        if (!copy || asprintf(&h->pid_file, "%s/healthcheck.pid", dirname(copy)) < 0) {
                h->pid_file = NULL;
                health_monitor_free(h);
                return cu_error_set(err, ENOMEM, "asprintf");
        }
        h->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        if (h->tfd < 0) {
                int r = cu_error_set(err, errno, "timerfd_create");
                health_monitor_free(h);
                return r;
        }
        *ret = h;
        return 0;
}

struct health_monitor *health_monitor_free(struct health_monitor *h)
{
        if (!h)
                return NULL;
        health_check_free(h->check);
        config_done(&h->cfg);
        free(h->pid_file);
        safe_close(h->tfd);
        free(h);
        return NULL;
}

static void arm(struct health_monitor *h, int64_t ns)
{
        struct itimerspec its = { 0 };
        if (ns > 0)
                its.it_value = (struct timespec){ (time_t) (ns / NSEC), (long) (ns % NSEC) };
        if (timerfd_settime(h->tfd, 0, &its, NULL) < 0)
                log_debug("health: timerfd_settime: %s, ignoring", strerror(errno));
}

static void schedule(struct health_monitor *h)
{
        h->phase = h->cfg.interval_ns > 0 ? PHASE_WAIT : PHASE_IDLE;
        arm(h, h->cfg.interval_ns);
}

void health_monitor_started(struct health_monitor *h, const struct health_target *t, pid_t pid,
                            const char *stop_file)
{
        if (!h)
                return;
        struct cu_error *err = NULL;
        h->check = health_check_free(h->check);
        h->t = *t;
        h->t.argv = h->cfg.argv;
        h->t.pid_file = h->pid_file;
        h->ctr_pid = pid;
        h->stop_file = stop_file;
        h->restart_requested = false;
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        h->started = mono_ns(&now);
        if (health_results_reset(h->cfg.log_path, &err) < 0)
                log_debug("health: %s, ignoring", cu_error_msg(err));
        cu_error_free(err);
        schedule(h);
}

void health_monitor_stopped(struct health_monitor *h)
{
        if (!h)
                return;
        h->check = health_check_free(h->check);
        h->phase = PHASE_IDLE;
        h->ctr_pid = 0;
        arm(h, 0);
}

int health_monitor_timer_fd(const struct health_monitor *h)
{
        return h && h->phase != PHASE_IDLE ? h->tfd : -1;
}

int health_monitor_output_fd(const struct health_monitor *h)
{
        return h ? check_fd(h->check) : -1;
}

bool health_monitor_restart_requested(const struct health_monitor *h)
{
        return h && h->restart_requested;
}

/* --health-on-failure, once the container turned unhealthy. */
static void on_failure(struct health_monitor *h)
{
        enum health_on_failure a = h->cfg.on_failure;
        if (a == HEALTH_ON_FAILURE_NONE || h->ctr_pid <= 0) {
                schedule(h);
                return;
        }
        log_debug("health: unhealthy, on-failure %s", health_on_failure_names[a]);
        if (a == HEALTH_ON_FAILURE_KILL) {
                (void) kill(h->ctr_pid, SIGKILL);
                h->phase = PHASE_IDLE;
                arm(h, 0);
                return;
        }
        if (a == HEALTH_ON_FAILURE_STOP && h->stop_file) {
                /* As `stop` does: the restart policy no longer applies. */
                _cleanup_close_ int fd = open(h->stop_file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
                if (fd < 0)
                        log_debug("health: creating %s: %s, ignoring", h->stop_file,
                                  strerror(errno));
        }
        if (a == HEALTH_ON_FAILURE_RESTART)
                h->restart_requested = true;
        (void) kill(h->ctr_pid, h->cfg.stop_signal > 0 ? h->cfg.stop_signal : SIGTERM);
        h->phase = PHASE_STOPPING;
        arm(h, (int64_t) h->cfg.stop_timeout * NSEC + (h->cfg.stop_timeout ? 0 : 1));
}

static void check_finished(struct health_monitor *h)
{
        struct health_result res;
        if (WIFSIGNALED(h->check->status) && WTERMSIG(h->check->status) == SKIP_SIGNAL) {
                h->check = health_check_free(h->check);
                schedule(h);
                return;
        }
        health_check_result(h->check, &res);
        int64_t ran = (int64_t) (res.end.tv_sec - res.start.tv_sec) * NSEC +
                      (res.end.tv_nsec - res.start.tv_nsec);
        if (h->cfg.timeout_ns > 0 && ran > h->cfg.timeout_ns)
                res.exit_code = -1; /* podman's mark of a timeout */
        bool in_start = mono_ns(&h->check->start_mono) < h->started + h->cfg.start_period_ns;
        _cleanup_free_ char *status = NULL;
        struct cu_error *err = NULL;
        if (health_results_record(h->cfg.log_path, &res, in_start, h->cfg.retries, &status,
                                  &err) < 0)
                log_debug("health: %s, ignoring", cu_error_msg(err));
        cu_error_free(err);
        log_debug("health: check exited %d: %s", res.exit_code, status ? status : "");
        h->check = health_check_free(h->check);
        if (res.exit_code != 0 && streq_ptr(status, HEALTH_UNHEALTHY))
                on_failure(h);
        else
                schedule(h);
}

static void start_check(struct health_monitor *h)
{
        struct cu_error *err = NULL;
        if (check_start(&h->t, h->cfg.timeout_ns, &h->check, &err) < 0) {
                log_debug("health: %s, ignoring", cu_error_msg(err));
                cu_error_free(err);
                schedule(h);
                return;
        }
        h->phase = PHASE_CHECK;
        arm(h, h->cfg.timeout_ns > 0 ? h->cfg.timeout_ns + HEALTH_GRACE_NS : 0);
}

void health_monitor_dispatch(struct health_monitor *h, bool timer_ready, bool output_ready)
{
        if (!h)
                return;
        if (output_ready && h->check)
                (void) check_read(h->check);
        if (!timer_ready)
                return;
        uint64_t ticks;
        if (read(h->tfd, &ticks, sizeof ticks) != sizeof ticks)
                return; /* re-armed meanwhile */
        switch (h->phase) {
        case PHASE_WAIT:
                start_check(h);
                break;
        case PHASE_CHECK: /* H overran its own deadline: its reaping finishes the check */
                check_kill(h->check);
                break;
        case PHASE_STOPPING:
                if (h->ctr_pid > 0)
                        (void) kill(h->ctr_pid, SIGKILL);
                h->phase = PHASE_IDLE;
                break;
        case PHASE_IDLE:
                break;
        }
}

bool health_monitor_child_exited(struct health_monitor *h, pid_t pid, int status)
{
        if (!h || !h->check || pid <= 0 || h->check->pid != pid)
                return false;
        check_exited(h->check, status);
        check_finished(h);
        return true;
}
