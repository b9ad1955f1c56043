/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Healthchecks — their create/run options and API.  The container config keeps podman's
 * "Healthcheck" ({Test, StartPeriod, Interval, Timeout, Retries}, durations in ns, zero
 * fields left out) and "HealthcheckOnFailureAction"; the image's HEALTHCHECK is the default.
 * The container's monitor runs the checks (monitor/health.h); `healthcheck run` runs one
 * here.  Results live in <rundir>/healthcheck.log.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

struct engine;
struct ctr_record;

struct engine_health_opts {
        const char *cmd;          /* --health-cmd: a command string (CMD-SHELL) or a JSON array;
                                   * NULL or "": the image's healthcheck */
        const char *interval;     /* Go durations; NULL: not given (30s, or the image's) */
        const char *timeout;      /* NULL: 30s or the image's */
        const char *start_period; /* NULL: 0s or the image's */
        const char *on_failure;   /* none (NULL), kill, restart, stop */
        unsigned retries;         /* with has_retries; else 3 or the image's */
        bool has_retries;
        bool no_healthcheck;      /* --no-healthcheck: Test ["NONE"] */
};

/* Go's time.ParseDuration ("1h2m3.5s", "300ms", "-1s", "0"); -EINVAL with Go's message
 * ("time: invalid duration \"x\"", "time: unknown unit \"x\" in duration \"3x\"") in err. */
int engine_parse_duration(const char *s, int64_t *ret_ns, struct cu_error **err);
/* Go's Duration.String(): "1m30s", "500ms", "1h0m0s", "0s".  Returns buf. */
char *engine_format_duration(int64_t ns, char buf[static 40]);

/* Podman's checks of the options alone (the messages of `podman create`). */
int engine_health_validate(const struct engine_health_opts *o, struct cu_error **err);

/* The container's Healthcheck object from the options and the image config ic (may be NULL):
 * *ret gets it, or NULL when the container has none (no option, no image HEALTHCHECK). */
int engine_health_config(const struct engine_health_opts *o, json_t *ic, json_t **ret,
                         struct cu_error **err);

/* What to exec for a Healthcheck object: CMD-SHELL → /bin/sh -c, CMD → the rest; NULL for
 * none (no object, NONE, empty). */
char **engine_health_argv(json_t *hc);

/* The health status of a container ("starting", "healthy", "unhealthy"; "" when it has not
 * started since it got a healthcheck; "none" when it has no healthcheck), malloc'd. */
char *engine_health_status(struct engine *e, const struct ctr_record *r);

/* `healthcheck run`: runs the check once, records it, applies --health-on-failure when the
 * container turned unhealthy.  *ret_status gets "healthy" or "unhealthy" (the check's own
 * result, as podman prints it).  Errors: podman's (not found, not running, no healthcheck,
 * "healthcheck command exceeded timeout of 1s"). */
int engine_healthcheck_run(struct engine *e, const char *id, char **ret_status,
                           struct cu_error **err);
