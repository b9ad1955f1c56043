/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private to the option parser (opts.c) and its value parsers (opts-values.c). */
#pragma once

#include "util/cleanup.h"

/* *ret_msg = the formatted message (malloc'd; NULL when out of memory); nothing when ret_msg
 * is NULL. */
void opts_set_msg(char **ret_msg, const char *fmt, ...) _printf_(2, 3);

/* Go's *strconv.NumError text in *ret_msg (as opts_set_msg):
 * "strconv.<fn>: parsing \"<s>\": invalid syntax" (or "value out of range" for -ERANGE).
 * Returns r. */
int go_strconv_error(char **ret_msg, const char *fn, const char *s, int r);

/* Go's strconv.ParseFloat(s, 64); errors as go_parse_int's (opts.h). */
int go_parse_float(const char *s, double *ret, char **ret_msg);
