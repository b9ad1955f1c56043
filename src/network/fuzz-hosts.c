/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the hosts parser on arbitrary text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "network/hosts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = strndup((const char *) data, size);
        if (!s)
                return 0;
        struct hosts_params p = { .base = s }; char *t = NULL; if (hosts_build(&p, &t, NULL) == 0) free(t);
        free(s);
        return 0;
}
