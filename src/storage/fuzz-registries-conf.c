/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer: the registries.conf TOML reader and its podman semantics (parse, merge, lookup). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "storage/registries-conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct registries_conf *c = registries_conf_new();
        if (!c)
                return 0;
        struct cu_error *e = NULL;
        /* twice: the second parse exercises the drop-in merge */
        for (int i = 0; i < 2; i++) {
                if (registries_conf_parse(c, (const char *) data, size, "fuzz.conf", &e) < 0) {
                        cu_error_free(e);
                        e = NULL;
                        break;
                }
        }
        static const char *const refs[] = { "example.com/foo/bar:1", "a.b.example.com/x", "localhost:5000",
                                            "docker.io/library/busybox@sha256:00" };
        for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
                const struct registry_entry *r = registries_conf_lookup(c, refs[i]);
                free(registries_conf_rewrite(r, refs[i]));
        }
        for (size_t i = 0; i < c->n_registries; i++) {
                const struct registry_entry *r = registries_conf_lookup(c, c->registries[i].prefix);
                if (!r || strlen(r->prefix) < strlen(c->registries[i].prefix))
                        abort(); /* an entry must match its own prefix at least as well */
        }
        registries_conf_free(c);
        return 0;
}
