/* SPDX-License-Identifier: GPL-2.0-or-later */
/* image mount / image unmount. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "storage/images.h"
#include "storage/rootfs.h"
#include "storage/store.h"
#include "util/json.h"
#include "util/strv.h"

int cmd_image_mount(struct cli_ctx *c, int argc, char **argv)
{
        bool all = false;
        const char *format = NULL;
        struct arg_opt opts[] = {
                { "all", 'a', ARG_BOOL, &all, "Mount all images" },
                { "format", 0, ARG_STRING, &format, "Print the mounted images in specified format (json)" },
                { NULL },
        };
        _cleanup_free_ char **pos = NULL;
        int rc0 = args_run(c, opts, argc, argv, "cuttle image mount [options] [IMAGE...]", "Mount an image's root filesystem", &pos);
        if (rc0 >= 0)
                return rc0;
        _cleanup_error_ struct cu_error *err = NULL;
        struct store *s = NULL;
        if (cli_ctx_store(c, &s, &err) < 0)
                return cli_fail(125, err);
        struct image_rec **v = NULL;
        size_t n = 0;
        if (images_list(s->db, &v, &n, &err) < 0)
                return cli_fail(125, err);
        int rc = 0;
        if (!pos[0] && !all) {
                /* list what is mounted */
                _cleanup_json_ json_t *j = json_array();
                for (size_t i = 0; i < n; i++) {
                        _cleanup_free_ char *p = NULL;
                        if (!image_is_mounted(s, v[i]->id, &p))
                                continue;
                        json_array_append_new(j, json_pack("{s:s, s:O, s:s}", "id", v[i]->id, "Names",
                                                           json_pack("[s]", v[i]->names && v[i]->names[0] ? v[i]->names[0] : v[i]->id),
                                                           "Repositories", p));
                        if (!format)
                                printf("%s  %s\n", v[i]->names && v[i]->names[0] ? v[i]->names[0] : v[i]->id, p);
                }
                if (format && strcmp(format, "json") == 0) {
                        char *t = json_dumps(j, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
                        puts(t ? t : "[]");
                        free(t);
                }
                image_recs_free(v, n);
                return 0;
        }
        for (size_t i = 0; all ? i < n : pos[i] != NULL; i++) {
                _cleanup_image_rec_ struct image_rec *im = NULL;
                _cleanup_error_ struct cu_error *e = NULL;
                if (!all && image_lookup(s->db, pos[i], &im, &e) < 0) {
                        rc = cli_fail(125, e);
                        continue;
                }
                const struct image_rec *target = all ? v[i] : im;
                _cleanup_free_ char *path = NULL;
                if (image_mount(s, target->id, target->layers, &path, &e) < 0) {
                        rc = cli_fail(125, e);
                        continue;
                }
                puts(path);
        }
        image_recs_free(v, n);
        return rc;
}

int cmd_image_unmount(struct cli_ctx *c, int argc, char **argv)
{
        bool all = false, force = false;
        struct arg_opt opts[] = {
                { "all", 'a', ARG_BOOL, &all, "Unmount all of the currently mounted images" },
                { "force", 'f', ARG_BOOL, &force, "Force the complete unmount of the specified mounted images" },
                { NULL },
        };
        _cleanup_free_ char **pos = NULL;
        int rc0 = args_run(c, opts, argc, argv, "cuttle image unmount [options] IMAGE [IMAGE...]", "Unmount an image's root filesystem", &pos);
        if (rc0 >= 0)
                return rc0;
        _cleanup_error_ struct cu_error *err = NULL;
        if (!all && !pos[0])
                return cli_failf(125, "image name or ID must be specified");
        struct store *s = NULL;
        if (cli_ctx_store(c, &s, &err) < 0)
                return cli_fail(125, err);
        int rc = 0;
        if (all) {
                struct image_rec **v = NULL;
                size_t n = 0;
                if (images_list(s->db, &v, &n, &err) < 0)
                        return cli_fail(125, err);
                for (size_t i = 0; i < n; i++)
                        if (image_is_mounted(s, v[i]->id, NULL)) {
                                if (image_unmount(s, v[i]->id, &err) < 0)
                                        rc = cli_fail(125, err);
                                else
                                        puts(v[i]->id);
                        }
                image_recs_free(v, n);
                return rc;
        }
        for (size_t i = 0; pos[i]; i++) {
                _cleanup_image_rec_ struct image_rec *im = NULL;
                _cleanup_error_ struct cu_error *e = NULL;
                if (image_lookup(s->db, pos[i], &im, &e) < 0 || image_unmount(s, im->id, &e) < 0) {
                        rc = cli_fail(125, e);
                        continue;
                }
                puts(im->id);
        }
        return rc;
}
