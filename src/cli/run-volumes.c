/* SPDX-License-Identifier: GPL-2.0-or-later */
/* create/run: volumes options. */
#include "run-flags.h"

static size_t add(struct engine_create_opts *o, struct opt *out)
{
        (void) o, (void) out;
        return 0;
}

static int check(struct cli_ctx *c, struct engine_create_opts *o, struct opt *opts)
{
        (void) c, (void) o, (void) opts;
        return 0;
}

static void done(struct engine_create_opts *o)
{
        (void) o;
}

const struct run_flags_area run_flags_volumes = { add, check, done };
