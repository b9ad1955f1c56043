/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The exit file and the exit command. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exitfile.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/proc.h"

int exit_code_from_status(int status)
{
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return 255;
}

char *format_rfc3339nano(const struct timespec *ts, char *buf)
{
        struct tm tm;
        time_t sec = ts->tv_sec;
        gmtime_r(&sec, &tm);
        size_t n = strftime(buf, RFC3339NANO_MAX, "%Y-%m-%dT%H:%M:%S", &tm);
        long ns = ts->tv_nsec;
        if (ns > 0 && ns < 1000000000L) {
                /* Go trims the fraction's trailing zeros (and the dot when nothing is left). */
                int digits = 9;
                while (ns % 10 == 0) {
                        ns /= 10;
                        digits--;
                }
                n += (size_t) snprintf(buf + n, RFC3339NANO_MAX - n, ".%0*ld", digits, ns);
        }
        snprintf(buf + n, RFC3339NANO_MAX - n, "Z");
        return buf;
}

char *exit_file_text(int exit_code, const struct timespec *exited_at, bool oom_killed,
                     unsigned restart_count)
{
        char when[RFC3339NANO_MAX];
        char *s = NULL;
        if (asprintf(&s,
                     "{\"exitCode\":%d,\"exitedAt\":\"%s\",\"oomKilled\":%s,\"restartCount\":%u}",
                     exit_code, format_rfc3339nano(exited_at, when), oom_killed ? "true" : "false",
                     restart_count) < 0)
                return NULL;
        return s;
}

int exit_file_write(const char *path, int exit_code, const struct timespec *exited_at,
                    bool oom_killed, unsigned restart_count, struct cu_error **err)
{
        _cleanup_free_ char *text = exit_file_text(exit_code, exited_at, oom_killed, restart_count);
        if (!text)
                return cu_error_set(err, ENOMEM, "exit file");
        int r = write_file_atomic(path, text, strlen(text), 0644, err);
        if (r < 0)
                return cu_error_prefix(err, r, "writing exit file %s", path);
        return 0;
}

_noreturn_ static void exec_child(char *const *argv)
{
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null >= 0)
                for (int i = 0; i < 3; i++)
                        (void) dup2(null, i);
        sigset_t none;
        sigemptyset(&none);
        (void) sigprocmask(SIG_SETMASK, &none, NULL);
        (void) signal(SIGPIPE, SIG_DFL);
        execvp(argv[0], argv);
        _exit(127);
}

int exit_command_run(char *const *argv, struct cu_error **err)
{
        if (!argv || !argv[0])
                return cu_error_setx(err, EINVAL, "empty exit command");
        pid_t pid = fork();
        if (pid < 0)
                return cu_error_set(err, errno, "fork");
        if (pid == 0)
                exec_child(argv);
        int code = wait_for_pid(pid);
        if (code < 0)
                return cu_error_set(err, -code, "waiting for exit command %s", argv[0]);
        log_debug("monitor: exit command %s exited %d", argv[0], code);
        return code;
}
