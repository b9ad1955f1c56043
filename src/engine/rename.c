/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rename: the record's name and the config's "Name" change together, under the lock. */
#include <errno.h>
#include <string.h>

#include "engine/internal.h"
#include "state/lock.h"
#include "util/json.h"

int engine_rename(struct engine *e, const char *id, const char *new_name, struct cu_error **err)
{
        if (!new_name || !ctr_name_valid(new_name))
                return cu_error_setx(err, EINVAL,
                                     "names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument");
        _cleanup_lock_ struct lock *l = NULL;
        _cleanup_ctr_record_ struct ctr_record *r = NULL;
        int ret = engine_get_locked(e, id, &l, &r, err);
        if (ret < 0)
                return ret;
        if (r->state == CTR_STATE_REMOVING)
                return cu_error_setx(err, EBUSY,
                                     "container %s is being removed: container state improper", r->id);
        if (streq_ptr(r->name, new_name))
                return 0;
        _cleanup_json_ json_t *c = engine_config(r);
        if (!c)
                return cu_error_setx(err, EUCLEAN, "container %s: broken config", r->id);
        json_object_set_new(c, "Name", json_string(new_name));
        _cleanup_free_ char *text = json_dumps(c, JSON_COMPACT);
        if (!text)
                return cu_error_set(err, ENOMEM, "renaming container %s", r->id);
        ret = db_begin(e->db, err);
        if (ret < 0)
                return cu_error_prefix(err, ret, "renaming container %s", r->id);
        struct cu_error *x = NULL;
        ret = ctr_rename(e->db, r->id, new_name, &x);
        if (ret >= 0)
                ret = ctr_set_config(e->db, r->id, text, &x);
        ret = db_end(e->db, ret, &x);
        if (ret == -EEXIST) {
                cu_error_free(x);
                return cu_error_setx(err, EEXIST,
                                     "renaming container %s: name %s already in use, cannot rename container %s: container already exists",
                                     r->id, new_name, r->id);
        }
        if (ret < 0) {
                if (err && !*err)
                        *err = x;
                else
                        cu_error_free(x);
                return ret;
        }
        cu_error_free(x);
        return 0;
}
