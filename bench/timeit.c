/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * timeit CMD [ARGS...]: runs CMD (posix_spawn, so the timer's own cost is a
 * vfork, not a fork of a shell) and prints its wall time in microseconds on
 * fd 3 (stdout and stderr are the command's).  Exits with CMD's status.
 */
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

int main(int argc, char **argv)
{
        if (argc < 2) {
                fprintf(stderr, "usage: timeit CMD [ARGS...]\n");
                return 2;
        }
        struct timespec a, b;
        pid_t pid;
        clock_gettime(CLOCK_MONOTONIC, &a);
        if (posix_spawnp(&pid, argv[1], NULL, NULL, argv + 1, environ) != 0) {
                perror("timeit: spawn");
                return 127;
        }
        int status = 0;
        while (waitpid(pid, &status, 0) < 0)
                ;
        clock_gettime(CLOCK_MONOTONIC, &b);
        long long us = (b.tv_sec - a.tv_sec) * 1000000LL + (b.tv_nsec - a.tv_nsec) / 1000;
        dprintf(3, "%lld\n", us);
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        return 128 + WTERMSIG(status);
}
