/* SPDX-License-Identifier: GPL-2.0-or-later */
/* create/run: health options (podman's --health-*, --no-healthcheck). */
#include "run-flags.h"

static size_t add(struct engine_create_opts *o, struct opt *out)
{
        struct engine_health_opts *h = &o->health;
        const struct opt table[] = {
                RUN_S("health-cmd", 0, &h->cmd,
                      "set a healthcheck command for the container ('none' disables the existing healthcheck)"),
                { .name = "health-interval", .type = OPT_STRING, .value = &h->interval, .def = "30s",
                  .help = "set an interval for the healthchecks (a value of disable results in no automatic timer setup)" },
                { .name = "health-on-failure", .type = OPT_STRING, .value = &h->on_failure, .def = "none",
                  .help = "action to take once the container turns unhealthy" },
                { .name = "health-retries", .type = OPT_UINT, .value = &h->retries, .def = "3",
                  .help = "the number of retries allowed before a healthcheck is considered to be unhealthy" },
                { .name = "health-start-period", .type = OPT_STRING, .value = &h->start_period, .def = "0s",
                  .help = "the initialization time needed for a container to bootstrap" },
                { .name = "health-timeout", .type = OPT_STRING, .value = &h->timeout, .def = "30s",
                  .help = "the maximum time allowed to complete the healthcheck before an interval is considered failed" },
                RUN_B("no-healthcheck", 0, &h->no_healthcheck, "Disable healthchecks on container"),
                { 0 },
        };
        return run_flags_copy(table, out);
}

/* Podman's checks, before anything is made. */
static int check(struct cli_ctx *c, struct engine_create_opts *o, struct opt *opts)
{
        (void) c;
        o->health.has_retries = opts_changed(opts, "health-retries");
        _cleanup_error_ struct cu_error *err = NULL;
        if (engine_health_validate(&o->health, &err) < 0)
                return cli_fail(125, err);
        return 0;
}

static void done(struct engine_create_opts *o)
{
        (void) o;
}

const struct run_flags_area run_flags_health = { add, check, done };
