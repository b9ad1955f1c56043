/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Restart policy parsing and decisions. */
#include <string.h>

#include "restart.h"
#include "util/parse.h"

const char *const restart_policy_names[_RESTART_MAX] = {
        [RESTART_NO] = "no",
        [RESTART_ON_FAILURE] = "on-failure",
        [RESTART_ALWAYS] = "always",
        [RESTART_UNLESS_STOPPED] = "unless-stopped",
};

int restart_spec_parse(const char *s, struct restart_spec *ret, struct cu_error **err)
{
        struct restart_spec r = { .policy = RESTART_NO };
        if (!s || !*s) {
                *ret = r;
                return 0;
        }
        const char *colon = strchr(s, ':');
        size_t n = colon ? (size_t) (colon - s) : strlen(s);
        int found = -1;
        for (int i = 0; i < _RESTART_MAX; i++)
                if (strlen(restart_policy_names[i]) == n &&
                    strncmp(s, restart_policy_names[i], n) == 0)
                        found = i;
        if (found < 0)
                return cu_error_setx(err, EINVAL, "invalid restart policy \"%s\"", s);
        r.policy = (enum restart_policy) found;
        if (colon) {
                if (r.policy != RESTART_ON_FAILURE)
                        return cu_error_setx(err, EINVAL,
                                             "restart policy retries can only be specified with "
                                             "on-failure");
                if (safe_atou(colon + 1, &r.max_retries) < 0)
                        return cu_error_setx(err, EINVAL,
                                             "invalid restart policy retry count \"%s\"",
                                             colon + 1);
        }
        *ret = r;
        return 0;
}

bool restart_decide(const struct restart_spec *r, int exit_code, unsigned restart_count,
                    bool stopped_by_user)
{
        if (stopped_by_user)
                return false;
        switch (r->policy) {
        case RESTART_ON_FAILURE:
                return exit_code != 0 && (r->max_retries == 0 || restart_count < r->max_retries);
        case RESTART_ALWAYS:
        case RESTART_UNLESS_STOPPED:
                return true;
        default:
                return false;
        }
}

unsigned restart_delay_ms(unsigned failures)
{
        if (failures == 0)
                return 0;
        unsigned ms = 100;
        for (unsigned i = 1; i < failures && ms < RESTART_MAX_DELAY_MS; i++)
                ms *= 2;
        return ms < RESTART_MAX_DELAY_MS ? ms : RESTART_MAX_DELAY_MS;
}
