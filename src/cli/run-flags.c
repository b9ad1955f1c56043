/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The areas of create/run's options, in one list. */
#include "run-flags.h"

const struct run_flags_area *const run_flags_areas[] = {
        &run_flags_net, &run_flags_user, &run_flags_security, &run_flags_volumes, &run_flags_health,
        NULL,
};
_Static_assert(ELEMENTSOF(run_flags_areas) == RUN_FLAGS_AREAS + 1, "RUN_FLAGS_AREAS is stale");

size_t run_flags_copy(const struct opt *table, struct opt *out)
{
        size_t n = 0;
        for (; table[n].name && n < RUN_FLAGS_AREA_MAX; n++)
                out[n] = table[n];
        return n;
}
