/* SPDX-License-Identifier: GPL-2.0-or-later */
/* container prune: every container that is not running (created, exited, stopped) goes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/internal.h"
#include "storage/images.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strv.h"

/* "key" or "key=value" against the container's labels. */
bool engine_label_match(json_t *labels, const char *spec)
{
        const char *eq = strchr(spec, '=');
        size_t kl = eq ? (size_t) (eq - spec) : strlen(spec);
        const char *k;
        json_t *v;
        json_object_foreach(labels, k, v) {
                if (strlen(k) != kl || strncmp(k, spec, kl) != 0)
                        continue;
                return !eq || streq_ptr(json_string_value(v), eq + 1);
        }
        return false;
}

static bool prunable(const struct ctr_record *r)
{
        switch (r->state) {
        case CTR_STATE_CONFIGURED:
        case CTR_STATE_CREATED:
        case CTR_STATE_STOPPED:
        case CTR_STATE_EXITED:
                return true;
        default:
                return false;
        }
}

static bool prune_match(const struct ctr_record *r, const struct engine_prune_opts *o)
{
        if (o->until > 0 && r->created >= o->until)
                return false;
        _cleanup_json_ json_t *c = engine_config(r);
        json_t *labels = json_object_get(c, "Labels");
        for (char **l = o->labels; l && *l; l++)
                if (!engine_label_match(labels, *l))
                        return false;
        for (char **l = o->not_labels; l && *l; l++)
                if (engine_label_match(labels, *l))
                        return false;
        return true;
}

int engine_prune(struct engine *e, const struct engine_prune_opts *o, char ***ret_removed,
                 char ***ret_errors, struct cu_error **err)
{
        _cleanup_ctr_record_list_ struct ctr_record **list = NULL;
        int r = engine_list(e, &list, NULL, err);
        if (r < 0)
                return r;
        _cleanup_strv_ char **removed = calloc(1, sizeof(char *));
        _cleanup_strv_ char **errors = calloc(1, sizeof(char *));
        if (!removed || !errors)
                return cu_error_set(err, ENOMEM, "pruning containers");
        for (struct ctr_record **p = list; *p; p++) {
                if (!prunable(*p) || !prune_match(*p, o))
                        continue;
                struct cu_error *x = NULL;
                r = engine_remove(e, (*p)->id, false, -1, &x);
                if (r == -ENOENT) { /* removed meanwhile by someone else */
                        cu_error_free(x);
                        continue;
                }
                if (r < 0) {
                        log_debug("pruning %s: %s", (*p)->id, cu_error_msg(x));
                        (void) strv_extend(&errors, cu_error_msg(x));
                } else {
                        (void) strv_extend(&removed, (*p)->id);
                }
                cu_error_free(x);
        }
        *ret_removed = TAKE_PTR(removed);
        if (ret_errors)
                *ret_errors = TAKE_PTR(errors);
        return 0;
}

int engine_container_size(struct engine *e, const struct ctr_record *r, int64_t *ret_rw,
                          int64_t *ret_rootfs)
{
        char p[4096];
        snprintf(p, sizeof p, "%s/containers/%s/diff", e->root, r->id);
        int missing = access(p, F_OK) < 0 ? -errno : 0;
        int64_t rw = (int64_t) dir_tree_size(AT_FDCWD, p);
        int64_t img = 0;
        _cleanup_image_rec_ struct image_rec *im = NULL;
        if (r->image_id && image_get(e->db, r->image_id, &im, NULL) >= 0)
                img = (int64_t) im->size;
        *ret_rw = rw;
        *ret_rootfs = rw + img;
        return missing;
}
