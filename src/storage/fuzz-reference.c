/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer: image references as users and archives write them. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "storage/reference.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = strndup((const char *) data, size);
        if (!s)
                return 0;
        struct cu_error *err = NULL;
        char *n = image_ref_normalize_string(s, "docker.io", &err);
        if (n) {
                /* normalizing is idempotent */
                char *again = image_ref_normalize_string(n, "docker.io", NULL);
                if (!again || strcmp(again, n) != 0)
                        abort();
                free(again);
                free(n);
        }
        cu_error_free(err);
        free(s);
        return 0;
}
