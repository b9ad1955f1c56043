/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the monitor leaves behind when its container exits: the exit file (JSON, written
 * atomically), and the exit command it runs afterwards.
 *
 *   {"exitCode":137,"exitedAt":"2024-01-02T15:04:05.123456789Z","oomKilled":false,
 *    "restartCount":0}
 *
 * exitedAt is Go's RFC3339Nano in UTC (trailing zeros of the fraction trimmed, as podman
 * prints times); restartCount is how many times the monitor had restarted the container
 * before this exit.
 */
#pragma once

#include <stdbool.h>
#include <time.h>

#include "util/error.h"

#define RFC3339NANO_MAX 40

/* The exit code of a wait status: the exit status, or 128 + the signal number. */
int exit_code_from_status(int status);

/* Go's time.RFC3339Nano of ts in UTC ("2024-01-02T15:04:05.1234Z"); buf holds
 * RFC3339NANO_MAX bytes. Returns buf. */
char *format_rfc3339nano(const struct timespec *ts, char *buf);

/* The exit file's text (malloc'd, no trailing newline), or NULL on ENOMEM. */
char *exit_file_text(int exit_code, const struct timespec *exited_at, bool oom_killed,
                     unsigned restart_count);

/* Writes the exit file at path atomically (temp file + rename), mode 0644. */
int exit_file_write(const char *path, int exit_code, const struct timespec *exited_at,
                    bool oom_killed, unsigned restart_count, struct cu_error **err);

/* Runs argv (argv[0] an absolute path or a name looked up in PATH) with stdio on /dev/null
 * and a clean signal mask, and waits for it.  Returns its exit code (128+signal when killed),
 * or -errno if it could not be started. */
int exit_command_run(char *const *argv, struct cu_error **err);
