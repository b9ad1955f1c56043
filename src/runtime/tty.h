/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "oci/spec.h"
#include "util/error.h"

/* In the container (after pivot_root): allocates a pty from the container's
 * /dev/ptmx, bind-mounts its slave on /dev/console when asked, sends the
 * master over console_sock (SCM_RIGHTS), and makes the slave our
 * controlling terminal and stdio. */
int tty_setup_console(int console_sock, const struct oci_process *p, bool mount_console,
                      struct cu_error **err);

/* Copies what is readable on `from` to `to`: 1 copied, 0 EOF, -errno. */
int tty_copy_once(int from, int to);

/* Puts stdin in raw mode when it is a terminal (and copies its window size
 * to master).  Returns true when the mode must be restored. */
bool tty_raw_enter(int master, void *saved_termios);
void tty_raw_leave(const void *saved_termios);
