/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the cidr parser on arbitrary text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "network/cidr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = strndup((const char *) data, size);
        if (!s)
                return 0;
        struct cu_cidr c; struct cu_ip ip; char b[CU_IP_STRLEN]; if (cu_cidr_parse(s, &c, &ip, NULL) == 0) { cu_cidr_format(&c, b); struct cu_ip g; cu_cidr_default_gateway(&c, &g); } if (cu_ip_parse(s, &ip, NULL) == 0) cu_ip_format(&ip, b);
        free(s);
        return 0;
}
