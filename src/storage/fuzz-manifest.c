/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer: manifests, indexes and image configs (registry and archive input). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "storage/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *d = (const char *) data;
        struct cu_error *err = NULL;
        char *kind = NULL;
        if (manifest_kind(d, size, NULL, &kind, &err) == 0)
                free(kind);
        cu_error_clear(&err);
        struct manifest m = { 0 };
        if (manifest_parse(d, size, &m, &err) == 0)
                manifest_done(&m);
        cu_error_clear(&err);
        struct image_index x = { 0 };
        if (image_index_parse(d, size, &x, &err) == 0) {
                const struct descriptor *pick = NULL;
                image_index_select(&x, "linux", "amd64", NULL, &pick, &err);
                cu_error_clear(&err);
                image_index_done(&x);
        }
        cu_error_clear(&err);
        struct image_config_info c = { 0 };
        if (image_config_parse(d, size, &c, &err) == 0)
                image_config_info_done(&c);
        cu_error_clear(&err);
        return 0;
}
