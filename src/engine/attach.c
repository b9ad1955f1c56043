/* SPDX-License-Identifier: GPL-2.0-or-later */
/* attach: a connection to a running container's attach socket (its monitor's). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/internal.h"
#include "monitor/attach.h"
#include "util/json.h"

int engine_attach(struct engine *e, const char *id, struct engine_attach_info *ret,
                  struct cu_error **err)
{
        _cleanup_ctr_record_ struct ctr_record *r = NULL;
        int rc = engine_get(e, id, &r, err);
        if (rc < 0)
                return rc;
        if (r->state != CTR_STATE_RUNNING && r->state != CTR_STATE_INITIALIZED)
                return cu_error_setx(err, EINVAL, "you can only attach to running containers");
        _cleanup_json_ json_t *c = engine_config(r);
        const char *drv = json_string_value(json_object_get(c, "LogDriver"));
        if (streq_ptr(drv, "passthrough"))
                return cu_error_setx(err, EINVAL,
                                     "passthrough logging mode does not support attaching: invalid argument");
        _cleanup_free_ char *path = engine_path(e, r->id, "attach");
        if (!path)
                return cu_error_set(err, ENOMEM, "attaching to %s", r->id);
        struct cu_error *x = NULL;
        int sock = attach_client_connect(path, &x);
        if (sock < 0) {
                cu_error_free(x);
                return cu_error_setx(err, EIO,
                                     "container %s: its monitor is not running: cannot attach",
                                     r->id);
        }
        *ret = (struct engine_attach_info){
                .sock = sock,
                .tty = json_is_true(json_object_get(c, "Tty")),
                .open_stdin = json_is_true(json_object_get(c, "OpenStdin")),
                .pid = (int) r->pid,
        };
        memcpy(ret->id, r->id, sizeof ret->id);
        const char *dk = json_string_value(json_object_get(c, "DetachKeys"));
        if (dk)
                snprintf(ret->detach_keys, sizeof ret->detach_keys, "%s", dk);
        ret->has_detach_keys = dk != NULL;
        return 0;
}
