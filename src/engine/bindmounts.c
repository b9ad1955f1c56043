/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The files the engine makes for a container and bind-mounts into it (the seed's
 * makeBindMounts()): /etc/hostname; /dev/shm's options.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/internal.h"
#include "util/json.h"

int engine_config_bindmounts(struct engine *e, json_t *c, const struct engine_create_opts *o,
                             json_t *ic, struct cu_error **err)
{
        (void) e, (void) c, (void) o, (void) ic, (void) err;
        return 0;
}

int engine_spec_bindmounts(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err)
{
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(spec, "mounts"), i, m) {
                const char *dst = json_string_value(json_object_get(m, "destination"));
                json_t *opts = json_object_get(m, "options");
                if (streq_ptr(dst, "/dev/shm")) {
                        json_array_clear(opts);
                        json_t *o = json_pack("[s, s, s, s, s]", "nosuid", "noexec", "nodev",
                                              "mode=1777", "size=65536k");
                        json_array_extend(opts, o);
                        json_decref(o);
                }
        }
        const char *hn = json_string_value(json_object_get(spec, "hostname"));
        if (x->write_files) {
                _cleanup_free_ char *text = NULL;
                if (asprintf(&text, "%s\n", hn ? hn : x->id) < 0)
                        return -ENOMEM;
                int r = engine_bundle_file(x->bundle, "hostname", text, err);
                if (r < 0)
                        return r;
        }
        char src[4096];
        snprintf(src, sizeof src, "%s/hostname", x->bundle);
        json_array_append_new(json_object_get(spec, "mounts"),
                              engine_spec_bind("/etc/hostname", src, false));
        return 0;
}

void engine_inspect_bindmounts(struct engine *e, const struct ctr_record *r, json_t *c,
                               json_t *out)
{
        (void) e, (void) r, (void) c, (void) out;
}
