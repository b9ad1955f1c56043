/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the ports parser on arbitrary text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "network/ports.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = strndup((const char *) data, size);
        if (!s)
                return 0;
        struct port_mapping *v = NULL; size_t n = 0; ports_parse(s, &v, &n, NULL); ports_check_overlap(v, n, NULL); char *t = ports_to_string(v, n); free(t); free(v);
        free(s);
        return 0;
}
