/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The options of create and run come in areas (run-<area>.c), each with its part of
 * struct engine_create_opts (engine/<area>.h):
 *   add    appends the area's struct opt entries to out (at most RUN_FLAGS_AREA_MAX) and
 *          returns how many; values point into o.
 *   check  runs after parsing (opts is the whole table: opts_changed() works); returns 0 or
 *          the exit code (cli_fail/cli_failf).
 *   done   frees what parsing allocated in o.
 */
#pragma once

#include "containers.h"

#define RUN_FLAGS_AREA_MAX 64
#define RUN_FLAGS_AREAS 5 /* entries of run_flags_areas[] (checked in run-flags.c) */

struct run_flags_area {
        size_t (*add)(struct engine_create_opts *o, struct opt *out);
        int (*check)(struct cli_ctx *c, struct engine_create_opts *o, struct opt *opts);
        void (*done)(struct engine_create_opts *o);
};

extern const struct run_flags_area run_flags_net, run_flags_user, run_flags_security,
        run_flags_volumes, run_flags_health;

/* All areas, NULL-terminated (run-flags.c). */
extern const struct run_flags_area *const run_flags_areas[];

/* Entry makers shared by the areas. */
#define RUN_S(n, sh, var, h) { .name = n, .shorthand = sh, .type = OPT_STRING, .value = var, .help = h }
#define RUN_B(n, sh, var, h) { .name = n, .shorthand = sh, .type = OPT_BOOL, .value = var, .help = h }
#define RUN_A(n, sh, var, h) { .name = n, .shorthand = sh, .type = OPT_STRING_ARRAY, .value = var, .help = h }
#define RUN_L(n, sh, var, h) { .name = n, .shorthand = sh, .type = OPT_STRING_SLICE, .value = var, .help = h }

/* Copies a { 0 }-terminated table into out; returns the count. */
size_t run_flags_copy(const struct opt *table, struct opt *out);
