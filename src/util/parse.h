/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Strict number and name parsers (no atoi/strtol at call sites). */
#pragma once

#include <stdint.h>

/* Whole string must be a decimal number in range.  -EINVAL / -ERANGE. */
int safe_atoi(const char *s, int *ret);
int safe_atou(const char *s, unsigned *ret);
int safe_atoi64(const char *s, int64_t *ret);
int safe_atou64(const char *s, uint64_t *ret);
/* Octal (e.g. umask "0022"). */
int safe_atou_octal(const char *s, unsigned *ret);

/* "SIGKILL", "KILL", "kill", "9", "SIGRTMIN+3" → signal number. -EINVAL. */
int parse_signal(const char *s, int *ret);
/* Name of a signal without the SIG prefix, or NULL. */
const char *signal_name(int sig);
