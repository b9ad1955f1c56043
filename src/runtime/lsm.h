/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * process.apparmorProfile and process.selinuxLabel: the label the next
 * execve() switches to, set in the container init just before it.
 */
#pragma once

#include <stdbool.h>

#include "util/error.h"

/* /sys/module/apparmor/parameters/enabled starts with 'Y'.  The first
 * answer is cached for the life of the process (and its forked children):
 * call both probes on the host side, before pivot_root, so that the
 * container's own /sys (which may lack selinuxfs) is never asked. */
bool lsm_apparmor_enabled(void);
/* /sys/fs/selinux/enforce exists (selinuxfs is mounted).  Cached likewise. */
bool lsm_selinux_enabled(void);

/* Sets the exec labels; NULL or "" means none.
 *  - AppArmor: "exec <profile>" to /proc/self/attr/apparmor/exec (or, on
 *    kernels without the per-LSM directory, /proc/self/attr/exec).  On a
 *    host without AppArmor the profile is ignored with a debug log (runc
 *    fails instead; see lsm.c).
 *  - SELinux: the label to /proc/self/attr/exec when SELinux is enabled,
 *    else ignored with a debug log.
 * Errors: `applying AppArmor profile "foo": No such file or directory (is
 * the profile loaded?)`, `setting SELinux exec label "…": <strerror>`. */
int lsm_apply_exec_label(const char *apparmor_profile, const char *selinux_label,
                         struct cu_error **err);
