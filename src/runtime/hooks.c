/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hooks.h"
#include "util/fd.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/proc.h"

/* Without a pidfd the child is polled for with waitpid(WNOHANG) this often. */
#define POLL_SLICE_MS 20
/* At most this much of the output goes into an error message. */
#define SUMMARY_MAX 512
#define SUMMARY_LINES 3

struct capture {
        int fd;
        size_t len;
        char buf[HOOKS_OUTPUT_MAX + 1];
};

static void capture_done(struct capture *c)
{
        c->fd = safe_close(c->fd);
}

/* Reads what is there without blocking; closes the fd at EOF or on error. */
static void capture_read(struct capture *c)
{
        while (c->fd >= 0) {
                char scratch[1024];
                char *dst = c->len < HOOKS_OUTPUT_MAX ? c->buf + c->len : scratch;
                size_t room = c->len < HOOKS_OUTPUT_MAX ? HOOKS_OUTPUT_MAX - c->len
                                                        : sizeof scratch;
                ssize_t k = read(c->fd, dst, room);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0 && errno == EAGAIN)
                        return;
                if (k <= 0) {
                        capture_done(c);
                        return;
                }
                if (dst != scratch)
                        c->len += (size_t) k;
        }
}

/* The first lines of a capture, trimmed, joined by "; ", control characters
 * replaced: fit for a one-line error message.  "" when there is nothing. */
static void capture_summary(const struct capture *c, char out[static SUMMARY_MAX + 4])
{
        size_t o = 0, i = 0;
        unsigned lines = 0;

        out[0] = '\0';
        while (i < c->len && lines < SUMMARY_LINES) {
                size_t end = i;
                while (end < c->len && c->buf[end] != '\n')
                        end++;
                size_t s = i, e = end;
                while (s < e && (c->buf[s] == ' ' || c->buf[s] == '\t' || c->buf[s] == '\r'))
                        s++;
                while (e > s && (c->buf[e - 1] == ' ' || c->buf[e - 1] == '\t' ||
                                 c->buf[e - 1] == '\r'))
                        e--;
                i = end + 1;
                if (s == e)
                        continue;
                if (lines++ > 0 && o + 2 < SUMMARY_MAX) {
                        out[o++] = ';';
                        out[o++] = ' ';
                }
                for (size_t j = s; j < e; j++) {
                        if (o >= SUMMARY_MAX) {
                                memcpy(out + o, "...", 4);
                                return;
                        }
                        unsigned char ch = (unsigned char) c->buf[j];
                        out[o++] = (ch < 0x20 && ch != '\t') || ch == 0x7f ? '?' : (char) ch;
                }
        }
        out[o] = '\0';
}

/* In the child: fds[0..2] become stdin/stdout/stderr, fds[3] (the exec error
 * pipe) stays, as O_CLOEXEC; everything else is closed.  -errno. */
static int child_setup_fds(int fds[static 4])
{
        /* Lift everything above 2 first, so that no dup2() below clobbers a source. */
        for (int i = 0; i < 4; i++) {
                int fd = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
                if (fd < 0)
                        return -errno;
                fds[i] = fd;
        }
        for (int i = 0; i < 3; i++)
                if (dup2(fds[i], i) < 0)
                        return -errno;
        close_all_fds(3, &fds[3], 1);
        return 0;
}

_noreturn_ static void hook_child(const struct oci_hook *h, int in_fd, int out_fd, int err_fd,
                                  int errpipe)
{
        int fds[4] = { in_fd, out_fd, err_fd, errpipe };
        char *fallback_argv[] = { h->path, NULL };
        char *empty_env[] = { NULL };
        struct sigaction dfl = { .sa_handler = SIG_DFL };
        sigset_t none;

        /* Ignored signals and the mask survive execve(): start the hook clean. */
        for (int sig = 1; sig < _NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void) sigaction(sig, &dfl, NULL);
        sigemptyset(&none);
        (void) sigprocmask(SIG_SETMASK, &none, NULL);

        int e = -child_setup_fds(fds);
        if (e == 0) {
                execve(h->path, h->args && h->args[0] ? h->args : fallback_argv,
                       h->env ? h->env : empty_env);
                e = errno;
        }
        /* fds[3] is errpipe itself or its copy, whichever step failed. */
        (void) !write(fds[3], &e, sizeof e);
        _exit(127);
}

static int64_t now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int set_nonblock(int fd)
{
        int fl = fcntl(fd, F_GETFL);
        if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
                return -errno;
        return 0;
}

/* Feeds the rest of the state; closes *fd when done or when the reader is gone. */
static void feed_state(int *fd, const char *state, size_t len, size_t *written)
{
        while (*fd >= 0 && *written < len) {
                ssize_t k = write(*fd, state + *written, len - *written);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0 && errno == EAGAIN)
                        return;
                if (k < 0) {
                        /* EPIPE: the hook does not want its stdin; that is its business. */
                        *fd = safe_close(*fd);
                        return;
                }
                *written += (size_t) k;
        }
        *fd = safe_close(*fd);
}

struct hook_io {
        pid_t pid;
        int pidfd; /* -EBADF: poll waitpid() instead */
        int in_fd;
        struct capture *out, *err;
};

/* Shuttles the state in and the output out until the hook exits (0, *status
 * set) or the timeout (ms, -1: none) passes (-ETIMEDOUT).  -errno otherwise. */
static int hook_wait(struct hook_io *io, const char *state, size_t state_len,
                     int64_t timeout_ms, int *status)
{
        int64_t deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : -1;
        size_t written = 0;

        feed_state(&io->in_fd, state, state_len, &written);
        for (;;) {
                struct pollfd p[4];
                int np = 0, i_in = -1, i_out = -1, i_err = -1, i_pid = -1, wait_ms = -1;

                if (io->in_fd >= 0)
                        p[i_in = np++] = (struct pollfd){ .fd = io->in_fd, .events = POLLOUT };
                if (io->out->fd >= 0)
                        p[i_out = np++] = (struct pollfd){ .fd = io->out->fd, .events = POLLIN };
                if (io->err->fd >= 0)
                        p[i_err = np++] = (struct pollfd){ .fd = io->err->fd, .events = POLLIN };
                if (io->pidfd >= 0)
                        p[i_pid = np++] = (struct pollfd){ .fd = io->pidfd, .events = POLLIN };

                if (deadline >= 0) {
                        int64_t left = deadline - now_ms();
                        if (left <= 0)
                                return -ETIMEDOUT;
                        wait_ms = left > INT32_MAX ? INT32_MAX : (int) left;
                }
                if (io->pidfd < 0 && (wait_ms < 0 || wait_ms > POLL_SLICE_MS))
                        wait_ms = POLL_SLICE_MS;

                if (poll(p, (nfds_t) np, wait_ms) < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (i_in >= 0 && p[i_in].revents)
                        feed_state(&io->in_fd, state, state_len, &written);
                if (i_out >= 0 && p[i_out].revents)
                        capture_read(io->out);
                if (i_err >= 0 && p[i_err].revents)
                        capture_read(io->err);
                if (i_pid >= 0 && !p[i_pid].revents)
                        continue;

                pid_t w = waitpid(io->pid, status, WNOHANG);
                if (w < 0 && errno != EINTR)
                        return -errno;
                if (w == io->pid) {
                        /* Whatever it wrote before exiting is in the pipes now. */
                        capture_read(io->out);
                        capture_read(io->err);
                        return 0;
                }
        }
}

static int hook_error(const struct oci_hook *h, const char *kind, int status,
                      const struct capture *out, const struct capture *errc,
                      struct cu_error **err)
{
        char why[64], text[SUMMARY_MAX + 4];

        if (WIFEXITED(status))
                snprintf(why, sizeof why, "exit status %d", WEXITSTATUS(status));
        else if (WIFSIGNALED(status) && signal_name(WTERMSIG(status)))
                snprintf(why, sizeof why, "killed by signal %s", signal_name(WTERMSIG(status)));
        else
                snprintf(why, sizeof why, "wait status 0x%x", (unsigned) status);

        capture_summary(errc, text);
        if (!text[0])
                capture_summary(out, text);
        if (text[0])
                return cu_error_setx(err, EIO, "%s hook \"%s\" failed: %s: %s", kind, h->path, why,
                                     text);
        return cu_error_setx(err, EIO, "%s hook \"%s\" failed: %s", kind, h->path, why);
}

static int hook_run_one(const struct oci_hook *h, const char *kind, const char *state,
                        struct cu_error **err)
{
        _cleanup_close_ int in_r = -EBADF, in_w = -EBADF, out_w = -EBADF, err_w = -EBADF,
                            ep_r = -EBADF, ep_w = -EBADF, pidfd = -EBADF;
        _cleanup_(capture_done) struct capture out = { .fd = -EBADF };
        _cleanup_(capture_done) struct capture errc = { .fd = -EBADF };
        _cleanup_kill_pid_ pid_t pid = 0;
        int p[2], status = 0, r;

        if (!h->path || !*h->path)
                return cu_error_setx(err, EINVAL, "%s hook: no path", kind);

        if (pipe2(p, O_CLOEXEC) < 0)
                return cu_error_set(err, errno, "%s hook \"%s\": pipe", kind, h->path);
        in_r = p[0], in_w = p[1];
        if (pipe2(p, O_CLOEXEC) < 0)
                return cu_error_set(err, errno, "%s hook \"%s\": pipe", kind, h->path);
        out.fd = p[0], out_w = p[1];
        if (pipe2(p, O_CLOEXEC) < 0)
                return cu_error_set(err, errno, "%s hook \"%s\": pipe", kind, h->path);
        errc.fd = p[0], err_w = p[1];
        if (pipe2(p, O_CLOEXEC) < 0)
                return cu_error_set(err, errno, "%s hook \"%s\": pipe", kind, h->path);
        ep_r = p[0], ep_w = p[1];

        pid = fork();
        if (pid < 0) {
                pid = 0;
                return cu_error_set(err, errno, "%s hook \"%s\": fork", kind, h->path);
        }
        if (pid == 0)
                hook_child(h, in_r, out_w, err_w, ep_w);

        in_r = safe_close(in_r);
        out_w = safe_close(out_w);
        err_w = safe_close(err_w);
        ep_w = safe_close(ep_w);
        if ((r = set_nonblock(in_w)) < 0 || (r = set_nonblock(out.fd)) < 0 ||
            (r = set_nonblock(errc.fd)) < 0)
                return cu_error_set(err, -r, "%s hook \"%s\": fcntl", kind, h->path);
        pidfd = sys_pidfd_open(pid, 0);

        struct hook_io io = { .pid = pid, .pidfd = pidfd, .in_fd = TAKE_FD(in_w), .out = &out,
                              .err = &errc };
        r = hook_wait(&io, state, strlen(state),
                      h->has_timeout ? (int64_t) h->timeout * 1000 : -1, &status);
        in_w = io.in_fd;
        if (r == -ETIMEDOUT) /* pid_killp() SIGKILLs and reaps it */
                return cu_error_setx(err, ETIMEDOUT, "%s hook \"%s\" timed out after %d second%s",
                                     kind, h->path, h->timeout, h->timeout == 1 ? "" : "s");
        if (r < 0)
                return cu_error_set(err, -r, "%s hook \"%s\": waiting", kind, h->path);
        pid = 0; /* reaped */

        int exec_errno = 0;
        ssize_t k;
        do
                k = read(ep_r, &exec_errno, sizeof exec_errno);
        while (k < 0 && errno == EINTR);
        if (k == (ssize_t) sizeof exec_errno)
                return cu_error_set(err, exec_errno, "%s hook \"%s\": cannot execute", kind,
                                    h->path);

        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return hook_error(h, kind, status, &out, &errc, err);
        if (out.len || errc.len)
                log_debug("%s hook \"%s\": stdout: \"%.*s\" stderr: \"%.*s\"", kind, h->path,
                          (int) out.len, out.buf, (int) errc.len, errc.buf);
        return 0;
}

int hooks_run(const struct oci_hook *hooks, size_t n, const char *kind, const char *state_json,
              struct cu_error **err)
{
        struct sigaction ign = { .sa_handler = SIG_IGN }, old;
        /* runtime.md: a failing poststart/poststop hook is a warning; the remaining hooks
         * still run.  The first failure is returned, later ones are logged here. */
        bool keep_going = strcmp(kind, "poststart") == 0 || strcmp(kind, "poststop") == 0;
        int r = 0;

        if (n == 0)
                return 0;
        if (sigaction(SIGPIPE, &ign, &old) < 0)
                return cu_error_set(err, errno, "ignoring SIGPIPE");
        for (size_t i = 0; i < n; i++) {
                struct cu_error *later = NULL;
                log_debug("running %s hook \"%s\"", kind, strempty(hooks[i].path));
                int k = hook_run_one(&hooks[i], kind, state_json ? state_json : "",
                                     r < 0 ? &later : err);
                if (k < 0 && r < 0)
                        log_warn("%s, ignoring", cu_error_msg(later));
                cu_error_free(later);
                if (k < 0 && r == 0)
                        r = k;
                if (r < 0 && !keep_going)
                        break;
        }
        (void) sigaction(SIGPIPE, &old, NULL);
        return r;
}
