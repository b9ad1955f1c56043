/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Restart policies, as podman's --restart: no, on-failure[:N], always, unless-stopped.
 * The monitor applies them itself (no daemon, no systemd): after an exit it asks
 * restart_decide() and waits restart_delay_ms() before creating the container again.
 */
#pragma once

#include <errno.h>
#include <stdbool.h>

#include "util/error.h"

enum restart_policy {
        RESTART_NO,
        RESTART_ON_FAILURE,
        RESTART_ALWAYS,
        RESTART_UNLESS_STOPPED,
        _RESTART_MAX,
        _RESTART_INVALID = -EINVAL,
};

extern const char *const restart_policy_names[_RESTART_MAX];

struct restart_spec {
        enum restart_policy policy;
        unsigned max_retries; /* on-failure:N; 0 = unlimited */
};

/* "no", "on-failure", "on-failure:N", "always", "unless-stopped" ("" = "no").  A retry count
 * is only allowed with on-failure (podman's rule). */
int restart_spec_parse(const char *s, struct restart_spec *ret, struct cu_error **err);

/* Whether to restart after an exit with exit_code, given how many restarts were already done
 * and whether the user stopped the container (the stop file exists): a stopped container
 * never restarts; on-failure restarts a non-zero exit while restart_count < N (any count
 * when N is 0); always and unless-stopped restart every exit. */
bool restart_decide(const struct restart_spec *r, int exit_code, unsigned restart_count,
                    bool stopped_by_user);

/* Back-off before restart number `failures` (consecutive runs that lasted less than
 * RESTART_RESET_MS): 0 for the first, then 100 ms doubling up to RESTART_MAX_DELAY_MS, so that
 * a crash loop under --restart always does not spin. */
#define RESTART_RESET_MS 10000
#define RESTART_MAX_DELAY_MS 10000
unsigned restart_delay_ms(unsigned failures);
