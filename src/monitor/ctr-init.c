/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The container's init for `run --init` (catatonit's job): the static cuttle binary,
 * bind-mounted at /run/podman-init and run as pid 1 with the command after "--".  It starts
 * the command, passes every signal it gets on to it, reaps whatever is reparented to it, and
 * exits with the command's status (128+N when a signal N killed it).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "monitor/ctr-init.h"

static int status_code(int status)
{
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return 255;
}

int container_init_main(int argc, char **argv)
{
        int first = 1;
        if (first < argc && strcmp(argv[first], "--") == 0)
                first++;
        if (first >= argc) {
                fprintf(stderr, "podman-init: usage: %s -- COMMAND [ARG...]\n", argv[0]);
                return 1;
        }
        /* Not pid 1 (e.g. --pid host): be the subreaper of what we start. */
        if (getpid() != 1)
                (void) prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        sigset_t all, old;
        sigfillset(&all);
        sigprocmask(SIG_SETMASK, &all, &old);
        pid_t child = fork();
        if (child < 0) {
                fprintf(stderr, "podman-init: fork: %s\n", strerror(errno));
                return 1;
        }
        if (child == 0) {
                sigprocmask(SIG_SETMASK, &old, NULL);
                execvp(argv[first], argv + first);
                fprintf(stderr, "podman-init: exec %s: %s\n", argv[first], strerror(errno));
                _exit(errno == ENOENT ? 127 : 126);
        }
        for (;;) {
                siginfo_t si;
                int sig = sigwaitinfo(&all, &si);
                if (sig < 0)
                        continue;
                if (sig != SIGCHLD) {
                        /* a stop request for the container is a request for the command */
                        (void) kill(child, sig);
                        continue;
                }
                int status;
                pid_t p;
                while ((p = waitpid(-1, &status, WNOHANG)) > 0)
                        if (p == child)
                                return status_code(status);
        }
}
