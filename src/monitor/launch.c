/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One run of the container: stdio, create, start, delete, reaping.  See launch.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launch.h"
#include "util/fd.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/proc.h"

/* Reaps every child that exited; true when the container's init was one of them. */
bool launch_reap(struct monitor *m, int *ret_status)
{
        bool found = false;
        int status;
        pid_t w;
        while ((w = waitpid(-1, &status, WNOHANG)) > 0)
                if (w == m->pid) {
                        found = true;
                        *ret_status = status;
                }
        return found;
}

void launch_close_fds(struct monitor *m)
{
        if (m->in_fd != m->master)
                safe_close(m->in_fd);
        safe_close(m->out_fd);
        safe_close(m->err_fd);
        if (m->master != m->out_fd)
                safe_close(m->master);
        m->in_fd = m->out_fd = m->err_fd = m->master = -EBADF;
        m->pending_len = 0;
        m->close_stdin = false;
}

int launch_keep_fds(const struct monitor *m, struct cu_error **err)
{
        for (unsigned i = 0; i < m->preserve_fds; i++) {
                int fd = 3 + (int) i;
                if (fd == m->sync_fd || fcntl(fd, F_SETFD, 0) < 0)
                        return cu_error_setx(err, EBADF,
                                             "file descriptor %d is not available - the preserve-fds option requires that all file descriptors must be passed",
                                             fd);
        }
        return 0;
}

static int make_tmpdir(struct monitor *m, struct cu_error **err)
{
        if (m->tmpdir)
                return 0;
        const char *t = getenv("TMPDIR");
        if (asprintf(&m->tmpdir, "%s/cuttle-monitor-XXXXXX", t && *t ? t : "/tmp") < 0) {
                m->tmpdir = NULL;
                return cu_error_set(err, ENOMEM, "asprintf");
        }
        if (!mkdtemp(m->tmpdir)) {
                int r = cu_error_set(err, errno, "creating %s", m->tmpdir);
                free(m->tmpdir);
                m->tmpdir = NULL;
                return r;
        }
        return 0;
}

static void drop_tmpdir(struct monitor *m)
{
        if (m->tmpdir)
                (void) rm_rf(m->tmpdir);
        free(m->tmpdir);
        m->tmpdir = NULL;
}

static char *tmp_path(const struct monitor *m, const char *name)
{
        char *p = NULL;
        return asprintf(&p, "%s/%s", m->tmpdir, name) < 0 ? NULL : p;
}

/* The console socket the runtime sends the pty master over. */
static int console_listen(const char *path, struct cu_error **err)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof sa.sun_path)
                return cu_error_setx(err, ENAMETOOLONG, "console socket path %s too long", path);
        strcpy(sa.sun_path, path);
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return cu_error_set(err, errno, "socket");
        if (bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0 || listen(fd, 1) < 0)
                return cu_error_set(err, errno, "console socket %s", path);
        return TAKE_FD(fd);
}

static int console_receive(int lfd, struct cu_error **err)
{
        struct pollfd p = { .fd = lfd, .events = POLLIN };
        if (poll(&p, 1, 5000) <= 0)
                return cu_error_setx(err, ETIMEDOUT, "the runtime sent no terminal");
        _cleanup_close_ int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0)
                return cu_error_set(err, errno, "accepting on the console socket");
        int master = -EBADF;
        char buf[32];
        int r = recv_fd(c, &master, buf, sizeof buf);
        if (r < 0 || master < 0)
                return cu_error_set(err, r < 0 ? -r : EPROTO, "receiving the terminal");
        return master;
}

_noreturn_ static void exec_runtime(char **argv, const int child[3])
{
        for (int i = 0; i < 3; i++)
                if (child[i] >= 0)
                        (void) dup2(child[i], i);
        sigset_t none;
        sigemptyset(&none);
        (void) sigprocmask(SIG_SETMASK, &none, NULL);
        (void) signal(SIGPIPE, SIG_DFL);
        execvp(argv[0], argv);
        _exit(127);
}

/* Runs the external runtime with args (NULL-terminated); its error from its --log. */
static int run_external(struct monitor *m, const char *const *args, const int child[3],
                        struct cu_error **err)
{
        _cleanup_free_ char *logf = tmp_path(m, "runtime.log");
        const char *verb = args[0], *argv[20];
        size_t n = 0;
        argv[n++] = m->runtime;
        if (m->runtime_root) {
                argv[n++] = "--root";
                argv[n++] = m->runtime_root;
        }
        if (logf) {
                argv[n++] = "--log";
                argv[n++] = logf;
                argv[n++] = "--log-format";
                argv[n++] = "json";
        }
        for (; *args && n < ELEMENTSOF(argv) - 1; args++)
                argv[n++] = *args;
        argv[n] = NULL;
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0)
                return cu_error_set(err, errno, "fork");
        if (pid == 0)
                exec_runtime((char **) argv, child);
        int code = wait_for_pid(pid);
        if (code == 0)
                return 0;
        _cleanup_free_ char *text = NULL;
        if (logf && read_full_file(logf, &text, NULL, NULL) >= 0) {
                size_t len = strlen(text);
                while (len > 0 && text[len - 1] == '\n')
                        text[--len] = '\0';
                char *last = strrchr(text, '\n');
                /* {"level":"error","msg":"…","time":"…"}: the message alone */
                _cleanup_json_ json_t *j = len > 0 ? json_loads(last ? last + 1 : text, 0, NULL) : NULL;
                const char *msg = json_string_value(json_object_get(j, "msg"));
                if (msg)
                        return cu_error_setx(err, EIO, "%s: %s", m->runtime, msg);
                if (len > 0)
                        return cu_error_setx(err, EIO, "%s %s: %s", m->runtime, verb,
                                             last ? last + 1 : text);
        }
        return cu_error_setx(err, EIO, "%s %s failed (exit status %d)", m->runtime, verb, code);
}

static int create_builtin(struct monitor *m, const int child[3], const char *console,
                          struct cu_error **err)
{
        struct runtime_create_opts o = {
                .bundle = m->bundle,
                .pid_file = m->pid_file,
                .console_socket = console,
                .preserve_fds = m->preserve_fds,
        };
        /* The init inherits our 0, 1 and 2: lend it the container's ends meanwhile. */
        int saved[3] = { -EBADF, -EBADF, -EBADF };
        for (int i = 0; i < 3; i++)
                if (child[i] >= 0) {
                        saved[i] = fcntl(i, F_DUPFD_CLOEXEC, 3);
                        (void) dup2(child[i], i);
                }
        int r = runtime_create(&m->ctx, m->cid, &o, &m->pid, err);
        for (int i = 0; i < 3; i++)
                if (saved[i] >= 0) {
                        (void) dup2(saved[i], i);
                        safe_close(saved[i]);
                }
        return r;
}

/* run_external(), then the container's pid from the --pid-file it was given. */
static int run_external_pid(struct monitor *m, const char *const *args, const int child[3],
                            const char *pid_file, struct cu_error **err)
{
        int r = run_external(m, args, child, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *text = NULL;
        r = read_full_file(pid_file, &text, NULL, err);
        if (r < 0)
                return r;
        text[strcspn(text, "\n")] = '\0';
        int pid = 0;
        if (safe_atoi(text, &pid) < 0 || pid <= 0)
                return cu_error_setx(err, EINVAL, "bad pid \"%s\" in %s", text, pid_file);
        m->pid = pid;
        return 0;
}

static int create_external(struct monitor *m, const int child[3], const char *console,
                           struct cu_error **err)
{
        _cleanup_free_ char *own_pid_file = m->pid_file ? NULL : tmp_path(m, "pid");
        const char *pid_file = m->pid_file ? m->pid_file : own_pid_file;
        if (!pid_file)
                return cu_error_set(err, ENOMEM, "asprintf");
        char nfds[16];
        snprintf(nfds, sizeof nfds, "%u", m->preserve_fds);
        const char *args[] = { "create",    "--bundle", m->bundle, "--pid-file", pid_file,
                               "--preserve-fds", nfds, console ? "--console-socket" : m->cid,
                               console,     console ? m->cid : NULL, NULL };
        return run_external_pid(m, args, child, pid_file, err);
}

/* Restores the checkpoint in m->restore instead of creating: the restored init is our child
 * and runs already. */
static int restore_builtin(struct monitor *m, const int child[3], struct cu_error **err)
{
        struct runtime_restore_opts o = {
                .bundle = m->bundle,
                .pid_file = m->pid_file,
                .image_path = m->restore,
                .tcp_established = m->restore_tcp,
                .file_locks = m->restore_locks,
                .stdio = child,
        };
        return runtime_restore(&m->ctx, m->cid, &o, &m->pid, err);
}

/* An external runtime's restore (runc restore --detach); runc finds criu on PATH. */
static int restore_external(struct monitor *m, const int child[3], const char *console,
                            struct cu_error **err)
{
        _cleanup_free_ char *own_pid_file = m->pid_file ? NULL : tmp_path(m, "pid");
        const char *pid_file = m->pid_file ? m->pid_file : own_pid_file;
        if (!pid_file)
                return cu_error_set(err, ENOMEM, "asprintf");
        const char *args[20];
        size_t n = 0;
        args[n++] = "restore";
        args[n++] = "--detach";
        args[n++] = "--image-path";
        args[n++] = m->restore;
        args[n++] = "--work-path";
        args[n++] = m->restore;
        args[n++] = "--bundle";
        args[n++] = m->bundle;
        args[n++] = "--pid-file";
        args[n++] = pid_file;
        if (m->restore_tcp)
                args[n++] = "--tcp-established";
        if (m->restore_locks)
                args[n++] = "--file-locks";
        if (console) {
                args[n++] = "--console-socket";
                args[n++] = console;
        }
        args[n++] = m->cid;
        args[n] = NULL;
        char *criu = runtime_criu_path();
        if (criu && strchr(criu, '/')) {
                /* runc runs "criu" from PATH: the one we found first */
                *strrchr(criu, '/') = '\0';
                const char *path = getenv("PATH");
                char *np = NULL;
                if (asprintf(&np, "%s:%s", criu, path ? path : "/usr/sbin:/usr/bin:/sbin:/bin") >= 0)
                        (void) setenv("PATH", np, 1);
                free(np);
        }
        free(criu);
        return run_external_pid(m, args, child, pid_file, err);
}

static int start_container(struct monitor *m, struct cu_error **err)
{
        if (!m->runtime)
                return runtime_start(&m->ctx, m->cid, err);
        const char *args[] = { "start", m->cid, NULL };
        const int none[3] = { -EBADF, -EBADF, -EBADF };
        return run_external(m, args, none, err);
}

/* Removes the container from the runtime (killing what is left of it). */
int launch_destroy(struct monitor *m, struct cu_error **err)
{
        if (!m->runtime)
                return runtime_delete(&m->ctx, m->cid, true, err);
        const char *args[] = { "delete", "--force", m->cid, NULL };
        const int none[3] = { -EBADF, -EBADF, -EBADF };
        int r = make_tmpdir(m, err);
        if (r >= 0)
                r = run_external(m, args, none, err);
        drop_tmpdir(m);
        return r;
}

static int set_nonblock(int fd)
{
        int fl = fcntl(fd, F_GETFL);
        return fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ? -errno : 0;
}

/* The container's stdio: pipes whose far ends go into child[]. */
static int make_pipes(struct monitor *m, int child[3], struct cu_error **err)
{
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return cu_error_set(err, errno, "pipe");
        m->out_fd = p[0];
        child[1] = p[1];
        if (pipe2(p, O_CLOEXEC) < 0)
                return cu_error_set(err, errno, "pipe");
        m->err_fd = p[0];
        child[2] = p[1];
        if (m->keep_stdin) {
                if (pipe2(p, O_CLOEXEC) < 0)
                        return cu_error_set(err, errno, "pipe");
                child[0] = p[0];
                m->in_fd = p[1];
                (void) set_nonblock(m->in_fd);
        } else {
                child[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (child[0] < 0)
                        return cu_error_set(err, errno, "opening /dev/null");
        }
        (void) set_nonblock(m->out_fd);
        (void) set_nonblock(m->err_fd);
        return 0;
}

int launch_start(struct monitor *m, struct cu_error **err)
{
        int r = m->runtime ? make_tmpdir(m, err) : 0;
        if (r >= 0)
                r = start_container(m, err);
        drop_tmpdir(m);
        if (r >= 0)
                m->started = true;
        return r;
}

/* Creates and starts the container (one run). */
int launch_run(struct monitor *m, bool start, struct cu_error **err)
{
        m->started = false;
        int child[3] = { -EBADF, -EBADF, -EBADF };
        _cleanup_close_ int console_fd = -EBADF;
        _cleanup_free_ char *console = NULL;
        int r = 0;
        if (m->runtime || m->terminal)
                r = make_tmpdir(m, err);
        if (r >= 0 && m->terminal) {
                console = tmp_path(m, "console.sock");
                r = console ? console_listen(console, err) : cu_error_set(err, ENOMEM, "asprintf");
                console_fd = r;
        } else if (r >= 0 && m->log_driver != LOG_DRIVER_PASSTHROUGH) {
                r = make_pipes(m, child, err);
        }
        bool restoring = m->restore != NULL;
        if (r >= 0 && restoring)
                r = m->runtime ? restore_external(m, child, console, err)
                               : restore_builtin(m, child, err);
        else if (r >= 0)
                r = m->runtime ? create_external(m, child, console, err)
                               : create_builtin(m, child, console, err);
        if (restoring) {
                /* once: a restart after the restored process exits is a plain create */
                free(m->restore);
                m->restore = NULL;
        }
        for (int i = 0; i < 3; i++)
                safe_close(child[i]);
        if (r < 0)
                goto fail;
        if (m->terminal) {
                r = console_receive(console_fd, err);
                if (r < 0)
                        goto fail_created;
                m->master = m->out_fd = r;
                if (m->keep_stdin)
                        m->in_fd = m->master;
                (void) set_nonblock(m->master);
        }
        drop_tmpdir(m);
        if (restoring) {
                m->started = true;
                log_debug("monitor: container %s restored as pid %d", m->cid, (int) m->pid);
                return 0;
        }
        if (!start) {
                log_debug("monitor: container %s created as pid %d", m->cid, (int) m->pid);
                return 0;
        }
        r = launch_start(m, err);
        if (r < 0)
                goto fail_created;
        log_debug("monitor: container %s runs as pid %d", m->cid, (int) m->pid);
        return 0;
fail_created:
        (void) launch_destroy(m, NULL);
        (void) launch_reap(m, &(int){ 0 });
fail:
        launch_close_fds(m);
        drop_tmpdir(m);
        m->pid = 0;
        return r;
}