/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * process.rlimits (runtime-spec config.md "POSIX process"): setrlimit() of
 * each entry in order, in the container init before the uid switch.
 */
#pragma once

#include <stddef.h>

#include "oci/spec.h"
#include "util/error.h"

/* Applies r[0..n) in order and stops at the first failure, e.g.
 * `setting RLIMIT_NOFILE to 1024:4096: Operation not permitted (the current
 * hard limit is 2048; raising it needs CAP_SYS_RESOURCE)`.  UINT64_MAX
 * (RLIM_INFINITY) is "unlimited". */
int rlimits_apply(const struct oci_rlimit *r, size_t n, struct cu_error **err);
