/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <sys/types.h>

/* Foreground wait for a child of ours: forwards the usual signals to it,
 * proxies a pty master to our stdio when master >= 0, and returns its exit
 * code (128+N for a signal) or -errno. */
int wait_foreground(pid_t pid, int master);

/* Waits (up to timeout_ms; -1 forever) for pid, which need not be our
 * child, to exit.  0 when gone, -ETIMEDOUT otherwise. */
int wait_pid_gone(pid_t pid, int timeout_ms);
