/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer: containers.conf and storage.conf over the TOML reader (parse twice: drop-ins). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "storage/containers-conf.h"
#include "util/strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct cu_error *e = NULL;
        struct containers_conf *c = containers_conf_new();
        for (int i = 0; c && i < 2; i++)
                if (containers_conf_parse(c, (const char *) data, size, "fuzz.conf", &e) < 0)
                        break;
        if (c && (!c->env || !c->default_capabilities || !c->tz || c->umask > 0777))
                abort(); /* a parse never leaves a required value unset */
        containers_conf_free(c);
        cu_error_free(e);
        e = NULL;

        struct storage_conf *s = storage_conf_new();
        if (s && storage_conf_parse(s, (const char *) data, size, "fuzz.conf", &e) == 0 &&
            !s->options)
                abort();
        storage_conf_free(s);
        cu_error_free(e);
        return 0;
}
