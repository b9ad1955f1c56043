/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * process.capabilities (runtime-spec config.md "Linux process"): the five
 * sets are computed first (caps_plan_from_spec(), pure), then applied in
 * two steps around the uid switch:
 *
 *     caps_drop_bounding()            still privileged (needs CAP_SETPCAP)
 *     prctl(PR_SET_KEEPCAPS, 1); setresuid(...)
 *     caps_apply()                    capset + ambient raise
 *
 * A set that is absent from the spec is empty, as in runc and crun: a
 * spec with "capabilities": {"bounding": [...]} only drops every
 * effective, permitted, inheritable and ambient capability.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "oci/spec.h"
#include "util/error.h"

/* Bit n stands for capability number n (1ULL << CAP_CHOWN, ...). */
struct caps_plan {
        uint64_t bounding, effective, permitted, inheritable, ambient;
        /* Whether the spec carried the set (an absent set is applied as empty). */
        bool has_bounding, has_effective, has_permitted, has_inheritable, has_ambient;
};

/* Builds the plan.  A name that is not a capability is an error naming the
 * field: `process.capabilities.bounding[3]: unknown capability "CAP_FOO"`
 * (-EINVAL); a capability the running kernel does not have (number at or
 * above cap_max_bits()) is left out with a debug log, as runc does.
 * Names are matched exactly ("CAP_CHOWN", not "chown"). */
int caps_plan_from_spec(const struct oci_capabilities *c, struct caps_plan *ret,
                        struct cu_error **err);

/* PR_CAPBSET_DROP of every capability of the running kernel that is not in
 * p->bounding.  Call while still holding CAP_SETPCAP. */
int caps_drop_bounding(const struct caps_plan *p, struct cu_error **err);

/* capset() of effective/permitted/inheritable, then the ambient set is
 * cleared and each ambient capability raised.  A raise the kernel refuses
 * (the capability is not in both permitted and inheritable) is skipped
 * with a debug log, as crun does.  Call after setresuid() (with
 * PR_SET_KEEPCAPS set before it). */
int caps_apply(const struct caps_plan *p, struct cu_error **err);

/* "CAP_CHOWN" → 0.  -EINVAL for anything else. */
int caps_from_name(const char *name);
/* 0 → "CAP_CHOWN"; NULL for a number without a known name. */
const char *caps_to_name(unsigned cap);
/* Number of capabilities of the running kernel (CAP_LAST_CAP + 1), at most 64. */
unsigned caps_kernel_count(void);

/* "CAP_CHOWN,CAP_KILL" for a mask (bits without a name as "cap_41"; "" for
 * 0), malloc'd; NULL on ENOMEM.  For tests and debug logs. */
char *caps_mask_to_string(uint64_t mask);
