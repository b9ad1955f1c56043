/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Volumes and mounts of a container: --read-only's tmpfs mounts. */
#include <errno.h>
#include <stdio.h>

#include "engine/internal.h"
#include "util/json.h"

int engine_config_volumes(struct engine *e, json_t *c, const struct engine_create_opts *o,
                          json_t *ic, struct cu_error **err)
{
        (void) e, (void) c, (void) o, (void) ic, (void) err;
        return 0;
}

int engine_spec_volumes(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err)
{
        (void) err;
        json_t *mounts = json_object_get(spec, "mounts");
        if (json_is_true(json_object_get(x->c, "ReadOnly"))) {
                const char *tmpfs[] = { "/tmp", "/var/tmp", "/run" };
                for (size_t k = 0; k < ELEMENTSOF(tmpfs); k++)
                        json_array_append_new(mounts,
                                              json_pack("{s:s, s:s, s:s, s:[s, s, s, s]}",
                                                        "destination", tmpfs[k], "type", "tmpfs",
                                                        "source", "tmpfs", "options", "rw",
                                                        "rprivate", "nosuid", "nodev"));
        }
        return 0;
}

int engine_spec_mounts_sort(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err)
{
        (void) spec, (void) x, (void) err;
        return 0;
}

int engine_volumes_cleanup(struct engine *e, struct ctr_record *r, struct cu_error **err)
{
        (void) e, (void) r, (void) err;
        return 0;
}

void engine_inspect_volumes(struct engine *e, const struct ctr_record *r, json_t *c, json_t *out)
{
        (void) e, (void) r, (void) c;
        json_object_set_new(out, "Mounts", json_array());
}

void engine_ps_volumes(struct engine *e, const struct ctr_record *r, json_t *c, json_t *out)
{
        (void) e, (void) r, (void) c;
        json_object_set_new(out, "Mounts", json_array());
}
