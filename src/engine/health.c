/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Healthchecks: --health-* options, the image's HEALTHCHECK, status in inspect and ps. */
#include "engine/internal.h"

int engine_config_health(struct engine *e, json_t *c, const struct engine_create_opts *o,
                         json_t *ic, struct cu_error **err)
{
        (void) e, (void) c, (void) o, (void) ic, (void) err;
        return 0;
}

void engine_inspect_health(struct engine *e, const struct ctr_record *r, json_t *c, json_t *out)
{
        (void) e, (void) r, (void) c, (void) out;
}

void engine_ps_health(struct engine *e, const struct ctr_record *r, json_t *c, json_t *out)
{
        (void) e, (void) r, (void) c, (void) out;
}
