/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tag, untag, rmi, image prune. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "commands.h"
#include "image-json.h"
#include "storage/rootfs.h"
#include "state/db.h"
#include "storage/images.h"
#include "storage/reference.h"
#include "storage/store.h"
#include "util/fileio.h"
#include "util/strv.h"

int cmd_tag(struct cli_ctx *c, int argc, char **argv)
{
        struct arg_opt opts[] = { { NULL } };
        _cleanup_free_ char **pos = NULL;
        int rc = args_run(c, opts, argc, argv, "cuttle tag IMAGE TARGET_NAME [TARGET_NAME...]",
                              "Add an additional name to a local image", &pos);
        if (rc >= 0)
                return rc;
        if (strv_length(pos) < 2)
                return cli_failf(125, "at least two arguments are required");
        _cleanup_error_ struct cu_error *err = NULL;
        struct store *s = NULL;
        if (cli_ctx_store(c, &s, &err) < 0)
                return cli_fail(125, err);
        _cleanup_image_rec_ struct image_rec *im = NULL;
        if (image_lookup(s->db, pos[0], &im, &err) < 0)
                return cli_fail(125, err);
        for (size_t i = 1; pos[i]; i++) {
                _cleanup_free_ char *name = image_ref_normalize_string(pos[i], "localhost", &err);
                if (!name)
                        return cli_fail(125, err);
                if (image_tag(s->db, im->id, name, &err) < 0)
                        return cli_fail(125, err);
                cli_event_image(c, "tag", im->id, name);
        }
        return 0;
}

int cmd_untag(struct cli_ctx *c, int argc, char **argv)
{
        struct arg_opt opts[] = { { NULL } };
        _cleanup_free_ char **pos = NULL;
        int rc = args_run(c, opts, argc, argv, "cuttle untag IMAGE [IMAGE...]",
                              "Remove a name from a local image", &pos);
        if (rc >= 0)
                return rc;
        if (!pos[0])
                return cli_failf(125, "at least one argument is required");
        _cleanup_error_ struct cu_error *err = NULL;
        struct store *s = NULL;
        if (cli_ctx_store(c, &s, &err) < 0)
                return cli_fail(125, err);
        _cleanup_image_rec_ struct image_rec *im = NULL;
        if (image_lookup(s->db, pos[0], &im, &err) < 0)
                return cli_fail(125, err);
        if (!pos[1]) {
                for (size_t i = 0; im->names && im->names[i]; i++)
                        if (image_untag(s->db, im->id, im->names[i], &err) < 0 && err)
                                return cli_fail(125, err);
                return 0;
        }
        for (size_t i = 1; pos[i]; i++) {
                _cleanup_free_ char *name = image_ref_normalize_string(pos[i], "localhost", &err);
                if (!name)
                        return cli_fail(125, err);
                int r = image_untag(s->db, im->id, name, &err);
                if (r == -ENOENT)
                        return cli_failf(125, "%s: tag not known", name);
                if (r < 0)
                        return cli_fail(125, err);
                cli_event_image(c, "untag", im->id, name);
        }
        return 0;
}

/* Deletes what image_delete() said nobody needs any more. */
static void remove_garbage(struct store *s, char **layers, char **blobs)
{
        for (size_t i = 0; layers && layers[i]; i++) {
                _cleanup_free_ char *rel = store_layer_relpath(s, layers[i]);
                _cleanup_free_ char *p = NULL;
                if (rel && asprintf(&p, "%s/%s", s->root, rel) >= 0)
                        rm_rf(p);
        }
        for (size_t i = 0; blobs && blobs[i]; i++) {
                _cleanup_free_ char *rel = store_blob_relpath(blobs[i]);
                if (rel)
                        unlinkat(s->root_fd, rel, 0);
        }
}

/* Removes the image record and its garbage, under the store lock. */
int cli_image_delete(struct store *s, const char *id, struct cu_error **err)
{
        struct store_lock *lk = NULL;
        int r = store_lock(s, &lk, err);
        if (r < 0)
                return r;
        _cleanup_strv_ char **layers = NULL, **blobs = NULL;
        r = db_begin(s->db, err);
        if (r >= 0) {
                r = image_delete(s->db, id, &layers, &blobs, err);
                r = db_end(s->db, r, err);
        }
        if (r >= 0)
                remove_garbage(s, layers, blobs);
        store_unlock(lk);
        return r;
}

static int remove_one(struct store *s, const struct image_rec *im, const char *by_name, bool *deleted)
{
        _cleanup_error_ struct cu_error *err = NULL;
        int users = image_container_count(s->db, im->id);
        if (users > 0 && !(by_name && strv_length(im->names) > 1)) {
                fprintf(stderr, "Error: image used by %d container(s): image is in use by a container: "
                                "consider listing external containers and force-removing image\n", users);
                return 2;
        }
        /* A name of an image that has others only loses that name. */
        if (by_name && strv_length(im->names) > 1) {
                if (image_untag(s->db, im->id, by_name, &err) < 0)
                        return cli_fail(125, err);
                printf("Untagged: %s\n", by_name);
                return 0;
        }
        if (image_is_mounted(s, im->id, NULL))
                image_unmount(s, im->id, NULL);
        for (size_t i = 0; im->names && im->names[i]; i++)
                printf("Untagged: %s\n", im->names[i]);
        if (cli_image_delete(s, im->id, &err) < 0)
                return cli_fail(125, err);
        printf("Deleted: %s\n", im->id);
        *deleted = true;
        return 0;
}

int cmd_rmi(struct cli_ctx *c, int argc, char **argv)
{
        bool all = false, force = false, ignore = false;
        struct arg_opt opts[] = {
                { "all", 'a', ARG_BOOL, &all, "Remove all images" },
                { "force", 'f', ARG_BOOL, &force, "Force Removal of the image" },
                { "ignore", 'i', ARG_BOOL, &ignore, "Ignore errors if a specified image does not exist" },
                { NULL },
        };
        _cleanup_free_ char **pos = NULL;
        int rc = args_run(c, opts, argc, argv, "cuttle rmi [options] IMAGE [IMAGE...]",
                              "Removes one or more images from local storage", &pos);
        if (rc >= 0)
                return rc;
        if (!all && !pos[0])
                return cli_failf(125, "image name or ID must be specified");
        if (all && pos[0])
                return cli_failf(125, "when using the --all switch, you may not pass any images names or IDs");
        _cleanup_error_ struct cu_error *err = NULL;
        struct store *s = NULL;
        if (cli_ctx_store(c, &s, &err) < 0)
                return cli_fail(125, err);
        rc = 0;
        if (all) {
                struct image_rec **v = NULL;
                size_t n = 0;
                if (images_list(s->db, &v, &n, &err) < 0)
                        return cli_fail(125, err);
                for (size_t i = 0; i < n; i++) {
                        bool deleted = false;
                        int r = remove_one(s, v[i], NULL, &deleted);
                        if (r == 0 && deleted)
                                cli_event_image(c, "remove", v[i]->id, v[i]->names ? v[i]->names[0] : NULL);
                        if (r)
                                rc = r;
                }
                image_recs_free(v, n);
                return rc;
        }
        for (size_t i = 0; pos[i]; i++) {
                _cleanup_image_rec_ struct image_rec *im = NULL;
                _cleanup_error_ struct cu_error *e = NULL;
                int r = image_lookup(s->db, pos[i], &im, &e);
                if (r == -ENOENT) {
                        if (force || ignore)
                                continue;
                        fprintf(stderr, "Error: %s\n", cu_error_msg(e));
                        rc = rc ? rc : 1;
                        continue;
                }
                if (r < 0) {
                        rc = cli_fail(125, e);
                        continue;
                }
                /* by name (not by ID): the name the user meant */
                const char *by_name = image_name_for_arg(im, pos[i]);
                bool deleted = false;
                r = remove_one(s, im, by_name, &deleted);
                if (r == 0)
                        cli_event_image(c, deleted ? "remove" : "untag", im->id, by_name ? by_name : pos[i]);
                if (r)
                        rc = r;
        }
        return rc;
}

int cmd_image_prune(struct cli_ctx *c, int argc, char **argv)
{
        bool all = false, force = false;
        _cleanup_strv_ char **filters = NULL;
        struct arg_opt opts[] = {
                { "all", 'a', ARG_BOOL, &all, "Remove all images not in use by containers, not just dangling ones" },
                { "filter", 0, ARG_STRINGS, &filters, "Provide filter values (e.g. 'label=<key>=<value>')" },
                { "force", 'f', ARG_BOOL, &force, "Do not prompt for confirmation" },
                { NULL },
        };
        _cleanup_free_ char **pos = NULL;
        int rc = args_run(c, opts, argc, argv, "cuttle image prune [options]",
                              "Remove unused images", &pos);
        if (rc >= 0)
                return rc;
        if (!force) {
                if (!isatty(STDIN_FILENO))
                        return cli_failf(125, "refusing to prune without --force when stdin is not a terminal");
                fprintf(stderr, "WARNING! This command removes all %s images.\nAre you sure you want to continue? [y/N] ",
                        all ? "unused" : "dangling");
                char answer[16] = "";
                if (!fgets(answer, sizeof(answer), stdin) || (answer[0] != 'y' && answer[0] != 'Y'))
                        return 0;
        }
        _cleanup_error_ struct cu_error *err = NULL;
        struct store *s = NULL;
        if (cli_ctx_store(c, &s, &err) < 0)
                return cli_fail(125, err);
        struct image_rec **v = NULL;
        size_t n = 0;
        if (images_list(s->db, &v, &n, &err) < 0)
                return cli_fail(125, err);
        for (size_t i = 0; i < n; i++) {
                bool dangling = !v[i]->names || !v[i]->names[0];
                if (!all && !dangling)
                        continue;
                if (image_container_count(s->db, v[i]->id) > 0)
                        continue;
                if (cli_image_delete(s, v[i]->id, &err) < 0) {
                        rc = cli_fail(125, err);
                        cu_error_clear(&err);
                        continue;
                }
                printf("%s\n", v[i]->id);
        }
        image_recs_free(v, n);
        return rc < 0 ? 0 : rc;
}
