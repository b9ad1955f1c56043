/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The per-container monitor: options, daemonizing, the container's lifecycle (launch it,
 * watch, record the exit, delete, restart) and the event loop.  Creating, starting and
 * deleting the container and its stdio are launch.c.  See monitor.h.
 *
 *   engine ──exec──▶ cuttle-monitor ──fork/setsid/fork──▶ monitor (subreaper)
 *                                                          │ runtime_create/start (in-process)
 *                                                          ▼
 *                                                        container init (our child)
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attach.h"
#include "exitfile.h"
#include "health.h"
#include "launch.h"
#include "logs.h"
#include "monitor.h"
#include "notify.h"
#include "restart.h"
#include "runtime/runtime.h"
#include "util/fd.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/proc.h"
#include "util/strv.h"

static const int forwarded_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2,
                                         SIGWINCH };

/* ------------------------------------------------------------------ options */

static int absolutize(char **p)
{
        if (!*p || (*p)[0] == '/')
                return 0;
        char cwd[PATH_MAX];
        char *a = NULL;
        if (!getcwd(cwd, sizeof cwd) || asprintf(&a, "%s/%s", cwd, *p) < 0)
                return -errno;
        free(*p);
        *p = a;
        return 0;
}

static int set_str(char **dst, const char *v)
{
        free(*dst);
        *dst = strdup(v);
        return *dst ? 0 : -ENOMEM;
}

enum { OPT_CID = 256, OPT_BUNDLE, OPT_RROOT, OPT_RUNTIME, OPT_LDRIVER, OPT_LPATH, OPT_LMAX, OPT_LTAG,
       OPT_TERMINAL, OPT_STDIN, OPT_ATTACH, OPT_EXITF, OPT_PIDF, OPT_SYNC, OPT_EXITCMD, OPT_RESTART,
       OPT_STOPF, OPT_NODAEMON, OPT_HCMD, OPT_HINTERVAL, OPT_HTIMEOUT, OPT_HSTART,
       OPT_HRETRIES, OPT_HONFAIL, OPT_HLOG, OPT_STOPSIG, OPT_STOPTIME, OPT_NOSTART,
       OPT_PRESERVE, OPT_SDMODE, OPT_SDSOCKET, OPT_SDPROXY, OPT_RESTORE, OPT_RESTOREOPT };

/* The healthcheck's numeric options (health.h: durations in ns). */
static int health_option(struct monitor *m, int c, const char *v, struct cu_error **err)
{
        struct health_config *h = &m->health;
        int r = 0;
        switch (c) {
        case OPT_HINTERVAL: r = safe_atoi64(v, &h->interval_ns); break;
        case OPT_HTIMEOUT: r = safe_atoi64(v, &h->timeout_ns); break;
        case OPT_HSTART: r = safe_atoi64(v, &h->start_period_ns); break;
        case OPT_HRETRIES: r = safe_atou(v, &h->retries); break;
        case OPT_STOPSIG: r = parse_signal(v, &h->stop_signal); break;
        case OPT_STOPTIME: r = safe_atou(v, &h->stop_timeout); break;
        case OPT_HONFAIL:
                h->on_failure = health_on_failure_from_string(v);
                r = h->on_failure < 0 ? -EINVAL : 0;
                break;
        }
        if (r < 0)
                return cu_error_setx(err, EINVAL, "invalid healthcheck option \"%s\"", v);
        return 0;
}

static int parse_options(struct monitor *m, int argc, char **argv, struct cu_error **err)
{
        static const struct option opts[] = {
                { "cid", required_argument, NULL, OPT_CID },
                { "bundle", required_argument, NULL, OPT_BUNDLE },
                { "runtime-root", required_argument, NULL, OPT_RROOT },
                { "runtime", required_argument, NULL, OPT_RUNTIME },
                { "log-driver", required_argument, NULL, OPT_LDRIVER },
                { "log-path", required_argument, NULL, OPT_LPATH },
                { "log-max-size", required_argument, NULL, OPT_LMAX },
                { "log-tag", required_argument, NULL, OPT_LTAG },
                { "terminal", no_argument, NULL, OPT_TERMINAL },
                { "stdin", no_argument, NULL, OPT_STDIN },
                { "attach-socket", required_argument, NULL, OPT_ATTACH },
                { "exit-file", required_argument, NULL, OPT_EXITF },
                { "pid-file", required_argument, NULL, OPT_PIDF },
                { "sync-fd", required_argument, NULL, OPT_SYNC },
                { "exit-command", required_argument, NULL, OPT_EXITCMD },
                { "restart", required_argument, NULL, OPT_RESTART },
                { "stop-file", required_argument, NULL, OPT_STOPF },
                { "no-daemonize", no_argument, NULL, OPT_NODAEMON },
                { "health-cmd", required_argument, NULL, OPT_HCMD },
                { "health-interval", required_argument, NULL, OPT_HINTERVAL },
                { "health-timeout", required_argument, NULL, OPT_HTIMEOUT },
                { "health-start-period", required_argument, NULL, OPT_HSTART },
                { "health-retries", required_argument, NULL, OPT_HRETRIES },
                { "health-on-failure", required_argument, NULL, OPT_HONFAIL },
                { "health-log", required_argument, NULL, OPT_HLOG },
                { "stop-signal", required_argument, NULL, OPT_STOPSIG },
                { "stop-timeout", required_argument, NULL, OPT_STOPTIME },
                { "no-start", no_argument, NULL, OPT_NOSTART },
                { "preserve-fds", required_argument, NULL, OPT_PRESERVE },
                { "sdnotify-mode", required_argument, NULL, OPT_SDMODE },
                { "sdnotify-socket", required_argument, NULL, OPT_SDSOCKET },
                { "sdnotify-proxy", required_argument, NULL, OPT_SDPROXY },
                { "restore", required_argument, NULL, OPT_RESTORE },
                { "restore-opt", required_argument, NULL, OPT_RESTOREOPT },
                {},
        };
        int c, r = 0;
        optind = 0;
        opterr = 0;
        while (r >= 0 && (c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
                switch (c) {
                case OPT_CID: r = set_str(&m->cid, optarg); break;
                case OPT_BUNDLE: r = set_str(&m->bundle, optarg); break;
                case OPT_RROOT: r = set_str(&m->runtime_root, optarg); break;
                case OPT_RUNTIME: r = set_str(&m->runtime, optarg); break;
                case OPT_LPATH: r = set_str(&m->log_path, optarg); break;
                case OPT_LTAG: r = set_str(&m->log_tag, optarg); break;
                case OPT_ATTACH: r = set_str(&m->attach_path, optarg); break;
                case OPT_EXITF: r = set_str(&m->exit_file, optarg); break;
                case OPT_PIDF: r = set_str(&m->pid_file, optarg); break;
                case OPT_STOPF: r = set_str(&m->stop_file, optarg); break;
                case OPT_EXITCMD: r = strv_extend(&m->exit_command, optarg); break;
                case OPT_TERMINAL: m->terminal = true; break;
                case OPT_STDIN: m->keep_stdin = true; break;
                case OPT_NODAEMON: m->daemonize = false; break;
                case OPT_NOSTART: m->no_start = true; break;
                case OPT_RESTORE: r = set_str(&m->restore, optarg); break;
                case OPT_RESTOREOPT:
                        if (strcmp(optarg, "tcp-established") == 0)
                                m->restore_tcp = true;
                        else if (strcmp(optarg, "file-locks") == 0)
                                m->restore_locks = true;
                        else
                                return cu_error_setx(err, EINVAL, "invalid --restore-opt \"%s\"",
                                                     optarg);
                        break;
                case OPT_LDRIVER:
                        m->log_driver = log_driver_from_string(optarg);
                        if (m->log_driver < 0)
                                return cu_error_setx(err, EINVAL, "invalid log driver \"%s\"",
                                                     optarg);
                        break;
                case OPT_LMAX:
                        if (safe_atou64(optarg, &m->log_max_size) < 0)
                                return cu_error_setx(err, EINVAL, "invalid --log-max-size \"%s\"",
                                                     optarg);
                        break;
                case OPT_SYNC:
                        if (safe_atoi(optarg, &m->sync_fd) < 0 || m->sync_fd < 0 ||
                            fcntl(m->sync_fd, F_SETFD, FD_CLOEXEC) < 0)
                                return cu_error_setx(err, EINVAL, "invalid --sync-fd \"%s\"",
                                                     optarg);
                        break;
                case OPT_RESTART:
                        r = restart_spec_parse(optarg, &m->restart, err);
                        if (r < 0)
                                return r;
                        break;
                case OPT_SDSOCKET: r = set_str(&m->notify_socket, optarg); break;
                case OPT_SDPROXY: r = set_str(&m->notify_proxy_path, optarg); break;
                case OPT_SDMODE:
                        m->notify_mode = notify_mode_from_string(optarg);
                        if (m->notify_mode < 0)
                                return cu_error_setx(err, EINVAL, "invalid --sdnotify-mode \"%s\"",
                                                     optarg);
                        break;
                case OPT_PRESERVE:
                        if (safe_atou(optarg, &m->preserve_fds) < 0 || m->preserve_fds > 65536)
                                return cu_error_setx(err, EINVAL, "invalid --preserve-fds \"%s\"",
                                                     optarg);
                        break;
                case OPT_HCMD: r = strv_extend(&m->health.argv, optarg); break;
                case OPT_HLOG: r = set_str(&m->health.log_path, optarg); break;
                case OPT_HINTERVAL:
                case OPT_HTIMEOUT:
                case OPT_HSTART:
                case OPT_HRETRIES:
                case OPT_HONFAIL:
                case OPT_STOPSIG:
                case OPT_STOPTIME:
                        r = health_option(m, c, optarg, err);
                        if (r < 0)
                                return r;
                        break;
                default:
                        return cu_error_setx(err, EINVAL, "unknown or incomplete option \"%s\"",
                                             argv[optind - 1]);
                }
        }
        if (r < 0)
                return cu_error_set(err, -r, "parsing options");
        if (optind < argc)
                return cu_error_setx(err, EINVAL, "unexpected argument \"%s\"", argv[optind]);
        if (!m->cid || !m->bundle)
                return cu_error_setx(err, EINVAL, "--cid and --bundle are required");
        r = runtime_check_id(m->cid, err);
        if (r < 0)
                return r;
        char **paths[] = { &m->bundle,    &m->runtime_root, &m->log_path,  &m->attach_path,
                           &m->exit_file, &m->pid_file,     &m->stop_file, &m->runtime,
                           &m->notify_proxy_path, &m->restore };
        for (size_t i = 0; i < ELEMENTSOF(paths); i++)
                if (!(paths[i] == &m->runtime && m->runtime && !strchr(m->runtime, '/')) &&
                    absolutize(paths[i]) < 0)
                        return cu_error_set(err, errno, "resolving paths");
        return 0;
}

static void monitor_done(struct monitor *m)
{
        free(m->cid);
        free(m->bundle);
        free(m->runtime_root);
        free(m->runtime);
        free(m->restore);
        free(m->log_path);
        free(m->log_tag);
        free(m->attach_path);
        free(m->exit_file);
        free(m->pid_file);
        free(m->stop_file);
        strv_free(m->exit_command);
        free(m->notify_socket);
        free(m->notify_proxy_path);
        notify_proxy_free(m->notify);
        strv_free(m->health.argv);
        free(m->health.log_path);
        health_monitor_free(m->hm);
        ctr_log_free(m->log);
        attach_server_free(m->attach);
        if (m->tmpdir)
                (void) rm_rf(m->tmpdir);
        free(m->tmpdir);
        free(m->pending);
        safe_close(m->sfd);
        safe_close(m->sync_fd);
}

/* ------------------------------------------------------------------ sync fd */

static void sync_report(struct monitor *m, const char *fmt, ...) _printf_(2, 3);
static void sync_report(struct monitor *m, const char *fmt, ...)
{
        if (m->sync_fd < 0)
                return;
        char line[4096];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(line, sizeof line - 1, fmt, ap);
        va_end(ap);
        if (n < 0)
                n = 0;
        if ((size_t) n > sizeof line - 2)
                n = sizeof line - 2;
        for (int i = 0; i < n; i++)
                if (line[i] == '\n')
                        line[i] = ' ';
        line[n++] = '\n';
        (void) write_all(m->sync_fd, line, (size_t) n);
        m->sync_fd = safe_close(m->sync_fd);
}

/* ------------------------------------------------------------------ process setup */

/* Makes sure 0, 1 and 2 are open, so that no pipe of ours lands there. */
static void ensure_stdio(void)
{
        for (int i = 0; i < 3; i++)
                if (fcntl(i, F_GETFD) < 0) {
                        int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
                        if (fd == i)
                                (void) fcntl(fd, F_SETFD, 0);
                        else if (fd >= 0) {
                                (void) dup2(fd, i);
                                safe_close(fd);
                        }
                }
}

/* Returns 1 in the caller (whose monitor_main then returns), 0 in the detached monitor. */
static int daemonize(bool keep_stdio, struct cu_error **err)
{
        fflush(NULL);
        pid_t p = fork();
        if (p < 0)
                return cu_error_set(err, errno, "fork");
        if (p > 0) {
                int code = wait_for_pid(p);
                if (code != 0)
                        return cu_error_setx(err, EIO, "starting the monitor failed (%d)", code);
                return 1;
        }
        if (setsid() < 0)
                _exit(1);
        p = fork();
        if (p < 0)
                _exit(1);
        if (p > 0)
                _exit(0);
        if (chdir("/") < 0)
                return cu_error_set(err, errno, "chdir /");
        if (!keep_stdio) {
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (null < 0)
                        return cu_error_set(err, errno, "opening /dev/null");
                for (int i = 0; i < 3; i++)
                        (void) dup2(null, i);
                safe_close(null);
        }
        return 0;
}

static int setup_signals(struct monitor *m, struct cu_error **err)
{
        sigset_t mask;
        sigemptyset(&mask);
        for (size_t i = 0; i < ELEMENTSOF(forwarded_signals); i++)
                sigaddset(&mask, forwarded_signals[i]);
        sigaddset(&mask, SIGCHLD);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return cu_error_set(err, errno, "sigprocmask");
        m->sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (m->sfd < 0)
                return cu_error_set(err, errno, "signalfd");
        /* The runtime's init and our exec'd children reset it. */
        (void) signal(SIGPIPE, SIG_IGN);
        if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
                return cu_error_set(err, errno, "prctl(PR_SET_CHILD_SUBREAPER)");
        return 0;
}


/* ------------------------------------------------------------------ event loop */

static void pending_flush(struct monitor *m)
{
        while (m->in_fd >= 0 && m->pending_len > 0) {
                ssize_t k = write(m->in_fd, m->pending, m->pending_len);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0 && errno == EAGAIN)
                        return;
                if (k <= 0) { /* the container closed its stdin: drop what it will not read */
                        m->pending_len = 0;
                        break;
                }
                memmove(m->pending, m->pending + k, m->pending_len - (size_t) k);
                m->pending_len -= (size_t) k;
        }
        if (m->pending_len == 0 && m->close_stdin && m->in_fd >= 0 && m->in_fd != m->master) {
                m->in_fd = safe_close(m->in_fd);
                log_debug("monitor: container stdin closed");
        }
}

static void on_stdin_data(void *u, const char *buf, size_t len)
{
        struct monitor *m = u;
        if (m->in_fd < 0 || m->close_stdin)
                return;
        if (m->pending_len + len > m->pending_cap) {
                size_t cap = m->pending_len + len;
                char *p = realloc(m->pending, cap);
                if (!p)
                        return;
                m->pending = p;
                m->pending_cap = cap;
        }
        memcpy(m->pending + m->pending_len, buf, len);
        m->pending_len += len;
        pending_flush(m);
}

static void on_stdin_close(void *u)
{
        struct monitor *m = u;
        if (m->master >= 0)
                return;
        m->close_stdin = true;
        pending_flush(m);
}

static void on_resize(void *u, unsigned rows, unsigned cols)
{
        struct monitor *m = u;
        struct winsize ws = { .ws_row = (unsigned short) rows, .ws_col = (unsigned short) cols };
        if (m->master >= 0)
                (void) ioctl(m->master, TIOCSWINSZ, &ws);
}

static void start_health(struct monitor *m);

/* START from an attach client (--no-start). */
static void on_start(void *u, char *reply, size_t size)
{
        struct monitor *m = u;
        if (m->pid <= 0 || m->start_failed) {
                snprintf(reply, size, "error the container is not running");
                return;
        }
        if (!m->started) {
                struct cu_error *e = NULL;
                if (launch_start(m, &e) < 0) {
                        snprintf(reply, size, "error %s", cu_error_msg(e));
                        cu_error_free(e);
                        m->start_failed = true;
                        (void) launch_destroy(m, NULL);
                        return;
                }
                log_debug("monitor: container %s started as pid %d", m->cid, (int) m->pid);
                start_health(m);
                if (m->restart_count == 0)
                        notify_started(m->notify_socket, m->notify_mode, m->notify != NULL,
                                       getpid());
        }
        snprintf(reply, size, "pid %d", (int) m->pid);
}

static const struct attach_ops attach_ops = {
        .stdin_data = on_stdin_data,
        .stdin_close = on_stdin_close,
        .resize = on_resize,
        .start = on_start,
};

/* Reads one chunk of output.  Returns false at EOF (or EIO: the pty's last holder left). */
static bool read_output(struct monitor *m, int fd, enum ctr_stream stream)
{
        static char buf[ATTACH_BUF_SIZE];
        ssize_t k = read(fd, buf, sizeof buf);
        if (k < 0)
                return errno == EAGAIN || errno == EINTR;
        if (k == 0)
                return false;
        int r = ctr_log_write(m->log, stream, buf, (size_t) k, NULL);
        if (r < 0)
                log_debug("monitor: writing log: %s, ignoring", strerror(-r));
        attach_server_broadcast(m->attach, stream, buf, (size_t) k);
        return true;
}

static void close_output(struct monitor *m, int *fd)
{
        if (*fd == m->master) {
                m->master = safe_close(m->master);
                if (m->in_fd == *fd)
                        m->in_fd = -EBADF;
                *fd = -EBADF;
        } else {
                *fd = safe_close(*fd);
        }
}

/* Reads whatever output is there without waiting (after the init exited). */
static void drain_output(struct monitor *m)
{
        int *fds[] = { &m->out_fd, &m->err_fd };
        for (int i = 0; i < 2; i++) {
                enum ctr_stream s = i == 0 ? CTR_STREAM_STDOUT : CTR_STREAM_STDERR;
                for (int n = 0; *fds[i] >= 0 && n < 4096; n++) {
                        struct pollfd p = { .fd = *fds[i], .events = POLLIN };
                        if (poll(&p, 1, 0) <= 0)
                                break;
                        if (!read_output(m, *fds[i], s)) {
                                close_output(m, fds[i]);
                                break;
                        }
                }
        }
}


/* Reaps every child that exited (as launch_reap(), but a healthcheck's process goes to
 * health.c); true when the container's init was one of them. */
static bool reap(struct monitor *m, int *ret_status)
{
        bool found = false;
        int status;
        pid_t w;
        while ((w = waitpid(-1, &status, WNOHANG)) > 0) {
                if (w == m->pid) {
                        found = true;
                        *ret_status = status;
                        health_monitor_stopped(m->hm); /* no action on a reaped pid */
                } else {
                        (void) health_monitor_child_exited(m->hm, w, status);
                }
        }
        return found;
}

/* Handles the signals that arrived; returns true once the init was reaped. */
static bool handle_signals(struct monitor *m, int *ret_status)
{
        struct signalfd_siginfo si;
        bool exited = false;
        while (read(m->sfd, &si, sizeof si) == sizeof si) {
                int sig = (int) si.ssi_signo;
                if (sig == SIGCHLD) {
                        exited |= reap(m, ret_status);
                        continue;
                }
                if (sig == SIGWINCH && m->master < 0)
                        continue;
                log_debug("monitor: forwarding signal %d", sig);
                if (m->pid > 0 && kill(m->pid, sig) < 0)
                        log_debug("monitor: kill: %s, ignoring", strerror(errno));
        }
        return exited;
}

enum { PFD_SIGNAL, PFD_OUT, PFD_ERR, PFD_IN, PFD_HTIMER, PFD_HOUT, PFD_NOTIFY, PFD_ATTACH,
       _PFD_FIXED = PFD_ATTACH };

/* Runs until the init exits; returns its wait status. */
static int watch(struct monitor *m)
{
        size_t max = _PFD_FIXED + attach_server_max_pollfds(m->attach);
        _cleanup_free_ struct pollfd *fds = calloc(max, sizeof(*fds));
        int status = 0;
        if (!fds) { /* no memory for a loop: just wait */
                while (waitpid(m->pid, &status, 0) < 0 && errno == EINTR)
                        ;
                return status;
        }
        for (;;) {
                fds[PFD_SIGNAL] = (struct pollfd){ .fd = m->sfd, .events = POLLIN };
                fds[PFD_OUT] = (struct pollfd){ .fd = m->out_fd, .events = POLLIN };
                fds[PFD_ERR] = (struct pollfd){ .fd = m->err_fd, .events = POLLIN };
                fds[PFD_IN] = (struct pollfd){ .fd = m->pending_len ? m->in_fd : -1,
                                               .events = POLLOUT };
                fds[PFD_HTIMER] = (struct pollfd){ .fd = health_monitor_timer_fd(m->hm),
                                                   .events = POLLIN };
                fds[PFD_HOUT] = (struct pollfd){ .fd = health_monitor_output_fd(m->hm),
                                                 .events = POLLIN };
                fds[PFD_NOTIFY] = (struct pollfd){ .fd = notify_proxy_fd(m->notify),
                                                   .events = POLLIN };
                size_t n_attach = attach_server_fill(m->attach, fds + PFD_ATTACH,
                                                     m->pending_len == 0);
                if (poll(fds, _PFD_FIXED + n_attach, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        log_debug("monitor: poll: %s", strerror(errno));
                        (void) waitpid(m->pid, &status, 0);
                        return status;
                }
                if (fds[PFD_OUT].revents && !read_output(m, m->out_fd, CTR_STREAM_STDOUT))
                        close_output(m, &m->out_fd);
                if (fds[PFD_ERR].revents && !read_output(m, m->err_fd, CTR_STREAM_STDERR))
                        close_output(m, &m->err_fd);
                if (fds[PFD_IN].revents)
                        pending_flush(m);
                if (fds[PFD_NOTIFY].revents)
                        (void) notify_proxy_dispatch(m->notify, getpid());
                if (fds[PFD_HTIMER].revents || fds[PFD_HOUT].revents)
                        health_monitor_dispatch(m->hm, fds[PFD_HTIMER].revents,
                                                fds[PFD_HOUT].revents);
                if (n_attach)
                        attach_server_dispatch(m->attach, fds + PFD_ATTACH, n_attach,
                                               &attach_ops, m);
                if (m->start_failed) {
                        (void) launch_reap(m, &status);
                        return status;
                }
                if (fds[PFD_SIGNAL].revents && handle_signals(m, &status))
                        return status;
        }
}


/* Waits ms for a restart; false if a stopping signal came meanwhile. */
static bool restart_wait(struct monitor *m, unsigned ms)
{
        struct timespec start, now;
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (;;) {
                clock_gettime(CLOCK_MONOTONIC, &now);
                long spent = (now.tv_sec - start.tv_sec) * 1000 +
                             (now.tv_nsec - start.tv_nsec) / 1000000;
                if (spent >= (long) ms)
                        return true;
                struct pollfd p = { .fd = m->sfd, .events = POLLIN };
                if (poll(&p, 1, (int) (ms - (unsigned long) spent)) <= 0)
                        continue;
                struct signalfd_siginfo si;
                while (read(m->sfd, &si, sizeof si) == sizeof si) {
                        int sig = (int) si.ssi_signo;
                        if (sig == SIGCHLD) {
                                while (waitpid(-1, NULL, WNOHANG) > 0)
                                        ;
                        } else if (sig != SIGWINCH && sig != SIGUSR1 && sig != SIGUSR2) {
                                return false;
                        }
                }
        }
}

static bool stopped_by_user(const struct monitor *m)
{
        return m->stop_file && access(m->stop_file, F_OK) == 0;
}

/* Each start of the container: the healthcheck's status goes back to "starting" and its
 * timer starts.  The checks run in processes forked from here that exec into the container
 * through the runtime (health.h), not through the engine, which sits above the monitor:
 * the runtime's allocations stay out of the long-lived monitor. */
static void start_health(struct monitor *m)
{
        struct health_target t = {
                .cid = m->cid,
                .ctx = m->ctx,
                .runtime = m->runtime,
                .runtime_root = m->runtime_root,
        };
        health_monitor_started(m->hm, &t, m->pid, m->stop_file);
}

/* The container's whole life, restarts included. */
static int monitor_run(struct monitor *m, struct cu_error **err)
{
        unsigned fast_runs = 0;
        for (;;) {
                struct timespec started, ended;
                clock_gettime(CLOCK_MONOTONIC, &started);
                bool first = m->restart_count == 0;
                int r = launch_run(m, !(first && m->no_start), err);
                if (r < 0) {
                        if (first)
                                sync_report(m, "error %s", cu_error_msg(*err));
                        return r;
                }
                if (m->started) {
                        start_health(m);
                        if (first)
                                notify_started(m->notify_socket, m->notify_mode, m->notify != NULL,
                                               getpid());
                }
                /* as podman 4.3 (conmon): the caller does not wait for the container's READY=1 */
                /* our own pid too: commands wait for the exit file while we live */
                sync_report(m, "%s %d monitor %d", m->started ? "pid" : "created", (int) m->pid,
                            (int) getpid());
                malloc_trim(0);

                int status = watch(m);
                health_monitor_stopped(m->hm);
                (void) notify_proxy_dispatch(m->notify, getpid()); /* sent before it exited */
                if (m->start_failed) {
                        launch_close_fds(m);
                        attach_server_end(m->attach, -1);
                        return cu_error_setx(err, EIO, "starting the container failed");
                }
                struct timespec exited_at;
                clock_gettime(CLOCK_REALTIME, &exited_at);
                clock_gettime(CLOCK_MONOTONIC, &ended);
                int code = exit_code_from_status(status);
                log_debug("monitor: container exited %d", code);
                drain_output(m);
                struct cu_error *e = NULL;
                if (m->exit_file &&
                    exit_file_write(m->exit_file, code, &exited_at, false, m->restart_count, &e) < 0)
                        log_debug("monitor: %s, ignoring", cu_error_msg(e));
                cu_error_clear(&e);
                if (launch_destroy(m, &e) < 0)
                        log_debug("monitor: deleting: %s, ignoring", cu_error_msg(e));
                cu_error_clear(&e);
                drain_output(m);
                launch_close_fds(m);
                attach_server_end(m->attach, code);
                m->pid = 0;

                bool hc_restart = health_monitor_restart_requested(m->hm) && !stopped_by_user(m);
                if (!hc_restart &&
                    !restart_decide(&m->restart, code, m->restart_count, stopped_by_user(m)))
                        return 0;
                long ran_ms = (ended.tv_sec - started.tv_sec) * 1000 +
                              (ended.tv_nsec - started.tv_nsec) / 1000000;
                unsigned delay = restart_delay_ms(fast_runs);
                fast_runs = ran_ms < RESTART_RESET_MS ? fast_runs + 1 : 0;
                if (!restart_wait(m, delay) || stopped_by_user(m))
                        return 0;
                m->restart_count++;
                log_debug("monitor: restart %u", m->restart_count);
        }
}

int monitor_main(int argc, char **argv)
{
        struct monitor m = {
                .daemonize = true,
                .sync_fd = -EBADF,
                .sfd = -EBADF,
                .out_fd = -EBADF,
                .err_fd = -EBADF,
                .in_fd = -EBADF,
                .master = -EBADF,
                .log_driver = LOG_DRIVER_K8S_FILE,
        };
        _cleanup_error_ struct cu_error *err = NULL;
        int r = parse_options(&m, argc, argv, &err);
        if (r >= 0)
                r = launch_keep_fds(&m, &err);
        if (r >= 0) {
                ensure_stdio();
                if (m.daemonize) {
                        r = daemonize(m.log_driver == LOG_DRIVER_PASSTHROUGH, &err);
                        if (r > 0) { /* the caller: the monitor runs on its own */
                                monitor_done(&m);
                                return 0;
                        }
                }
        }
        if (r >= 0)
                r = setup_signals(&m, &err);
        m.ctx = (struct runtime_ctx){ .state_root = m.runtime_root };
        if (r >= 0)
                r = ctr_log_open(m.log_driver, m.log_path, m.log_max_size, m.log_tag, &m.log, &err);
        if (r >= 0 && m.attach_path)
                r = attach_server_new(m.attach_path, &m.attach, &err);
        if (r >= 0 && m.health.argv)
                r = health_monitor_new(&m.health, &m.hm, &err);
        if (r >= 0 && m.notify_mode == NOTIFY_MODE_CONTAINER && m.notify_socket &&
            m.notify_proxy_path)
                r = notify_proxy_new(m.notify_proxy_path, m.notify_socket, &m.notify, &err);
        if (r < 0)
                sync_report(&m, "error %s", cu_error_msg(err));
        if (r >= 0)
                r = monitor_run(&m, &err);
        if (r >= 0 && m.exit_command) {
                struct cu_error *e = NULL;
                if (exit_command_run(m.exit_command, &e) < 0)
                        log_debug("monitor: exit command: %s, ignoring", cu_error_msg(e));
                cu_error_free(e);
        }
        if (r < 0)
                log_error("monitor %s: %s", strempty(m.cid), cu_error_msg(err));
        monitor_done(&m);
        return r < 0 ? 1 : 0;
}
