/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: config.json parsing must never crash, leak or read out of bounds. */
#include <stddef.h>
#include <stdint.h>

#include "oci/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_(oci_spec_freep) struct oci_spec *s =
                oci_spec_parse_data((const char *) data, size, "fuzz.json", &err);

        /* Exactly one of a spec or an error comes back. */
        if (!s == !err)
                __builtin_trap();
        return 0;
}
