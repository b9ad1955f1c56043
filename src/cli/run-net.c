/* SPDX-License-Identifier: GPL-2.0-or-later */
/* create/run: network options. */
#include "run-flags.h"

static size_t add(struct engine_create_opts *o, struct opt *out)
{
        const struct opt t[] = {
                RUN_S("network", 0, &o->net.network, "Connect a container to a network"),
                { .name = "net", .type = OPT_STRING, .value = &o->net.network, .alias_of = "network" },
                { 0 },
        };
        return run_flags_copy(t, out);
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

const struct run_flags_area run_flags_net = { add, check, done };
