/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdint.h>
#include <sys/types.h>

/* Kills (SIGKILL) and reaps a child on scope exit unless TAKE_PID()'d. */
void pid_killp(pid_t *pid);
#define _cleanup_kill_pid_ __attribute__((cleanup(pid_killp)))
#define TAKE_PID(p)                                                                                \
        ({                                                                                         \
                pid_t _tp = (p);                                                                   \
                (p) = 0;                                                                           \
                _tp;                                                                               \
        })

/* waitpid() loop; returns the exit code (128+signal for a signal) or -errno. */
int wait_for_pid(pid_t pid);
/* Runs argv (argv[0] a path, execv) with stdin on /dev/null, the output stream capture_fd
 * (1 or 2) read into *ret_out (NUL-terminated, may be NULL when it printed nothing) and the
 * other stream on /dev/null; env_add ("KEY=VALUE" or NULL) is added to its environment, and
 * it starts with no signal blocked.  Returns its exit code (as wait_for_pid()) or -errno. */
int proc_run_capture(char *const *argv, int capture_fd, const char *env_add, char **ret_out);
/* Raw wait status variant. */
int wait_for_pid_status(pid_t pid, int *status);

/* Start time (field 22 of /proc/PID/stat, clock ticks since boot), or -errno. */
int proc_start_time(pid_t pid, uint64_t *ret);
/* State letter and start time from one read of /proc/PID/stat (either may be NULL). */
int proc_stat(pid_t pid, char *ret_state, uint64_t *ret_start_time);
/* State letter of /proc/PID/stat ('R', 'S', 'Z', …), or -errno. */
int proc_state(pid_t pid, char *ret);

int sys_pidfd_open(pid_t pid, unsigned flags);
int sys_pidfd_send_signal(int pidfd, int sig);

/* Path of a helper program of ours: $ENV_VAR when set, else NAME beside the
 * running binary (a build tree), else libexecdir/cuttle/NAME.  malloc'd. */
char *helper_program_path(const char *name, const char *env_var);
