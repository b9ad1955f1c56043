/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <limits.h>
#include <libgen.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "cleanup.h"
#include "fileio.h"
#include "parse.h"
#include "proc.h"

void pid_killp(pid_t *pid)
{
        if (*pid > 0) {
                int saved = errno;
                (void) kill(*pid, SIGKILL);
                (void) wait_for_pid(*pid);
                errno = saved;
                *pid = 0;
        }
}

int wait_for_pid_status(pid_t pid, int *status)
{
        for (;;) {
                pid_t r = waitpid(pid, status, __WALL);
                if (r >= 0)
                        return 0;
                if (errno != EINTR)
                        return -errno;
        }
}

int proc_run_capture(char *const *argv, int capture_fd, const char *env_add, char **ret_out)
{
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
                int e = errno;
                close(p[0]);
                close(p[1]);
                return -e;
        }
        if (pid == 0) {
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                (void) dup2(null, 0);
                (void) dup2(null, capture_fd == 1 ? 2 : 1);
                (void) dup2(p[1], capture_fd);
                sigset_t none;
                sigemptyset(&none);
                (void) sigprocmask(SIG_SETMASK, &none, NULL);
                if (env_add)
                        (void) putenv((char *) env_add);
                execv(argv[0], argv);
                _exit(127);
        }
        close(p[1]);
        _cleanup_close_ int rd = p[0];
        char *out = NULL;
        (void) read_full_fd(rd, &out, NULL);
        *ret_out = out;
        return wait_for_pid(pid);
}

int wait_for_pid(pid_t pid)
{
        int status = 0;
        int r = wait_for_pid_status(pid, &status);
        if (r < 0)
                return r;
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return -EIO;
}

static int read_stat(pid_t pid, char **ret_after_comm)
{
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/stat", (int) pid);
        _cleanup_free_ char *buf = NULL;
        int r = read_full_file_at(AT_FDCWD, path, &buf, NULL);
        if (r < 0)
                return r;
        char *p = strrchr(buf, ')');
        if (!p || p[1] != ' ')
                return -EIO;
        *ret_after_comm = strdup(p + 2);
        return *ret_after_comm ? 0 : -ENOMEM;
}

int proc_stat(pid_t pid, char *ret_state, uint64_t *ret_start_time)
{
        _cleanup_free_ char *s = NULL;
        int r = read_stat(pid, &s);
        if (r < 0)
                return r;
        char state = s[0];
        /* After "comm) " comes field 3 (state); starttime is field 22. */
        char *save = NULL, *tok = strtok_r(s, " ", &save);
        for (int field = 3; tok && field < 22; field++)
                tok = strtok_r(NULL, " ", &save);
        uint64_t start = 0;
        if (!tok || safe_atou64(tok, &start) < 0)
                return -EIO;
        if (ret_state)
                *ret_state = state;
        if (ret_start_time)
                *ret_start_time = start;
        return 0;
}

int proc_state(pid_t pid, char *ret)
{
        return proc_stat(pid, ret, NULL);
}

int proc_start_time(pid_t pid, uint64_t *ret)
{
        return proc_stat(pid, NULL, ret);
}

int sys_pidfd_open(pid_t pid, unsigned flags)
{
        long r = syscall(SYS_pidfd_open, pid, flags);
        return r < 0 ? -errno : (int) r;
}

int sys_pidfd_send_signal(int pidfd, int sig)
{
        long r = syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
        return r < 0 ? -errno : 0;
}

char *helper_program_path(const char *name, const char *env_var)
{
        const char *env = getenv(env_var);
        if (env && *env)
                return strdup(env);
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n > 0) {
                self[n] = '\0';
                char *p = NULL;
                if (asprintf(&p, "%s/%s", dirname(self), name) < 0)
                        return NULL;
                if (access(p, X_OK) == 0)
                        return p;
                free(p);
        }
        char *p = NULL;
        if (asprintf(&p, "%s/%s", CUTTLE_LIBEXECDIR, name) < 0)
                return NULL;
        return p;
}
