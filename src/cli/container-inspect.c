/* SPDX-License-Identifier: GPL-2.0-or-later */
/* inspect (containers first, then images) and container inspect. */
#include <stdio.h>
#include <string.h>

#include "containers.h"
#include "image-json.h"
#include "storage/images.h"
#include "util/json.h"
#include "util/strv.h"

static int inspect(struct cli_ctx *c, int argc, char **argv, bool containers_only)
{
        const char *format = "json", *type = "all";
        bool size = false, latest = false;
        struct opt opts[] = {
                { .name = "format", .shorthand = 'f', .type = OPT_STRING, .value = &format, .help = "Format the output to a Go template or json", .def = "\"json\"" },
                { .name = "latest", .shorthand = 'l', .type = OPT_BOOL, .value = &latest, .help = "Act on the latest container podman is aware of" },
                { .name = "size", .shorthand = 's', .type = OPT_BOOL, .value = &size, .help = "Display total file size" },
                { .name = "type", .shorthand = 't', .type = OPT_STRING, .value = &type, .help = "Specify inspect-object type", .def = "\"all\"" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = containers_only ? "cuttle container inspect [options] CONTAINER [CONTAINER...]"
                                                       : "cuttle inspect [options] {CONTAINER|IMAGE} [...]",
                                .short_desc = "Display the configuration of object denoted by ID", .opts = opts };
        struct opts_args args = { 0 };
        _cleanup_ctr_record_list_ struct ctr_record **list = NULL;
        _cleanup_json_ json_t *out = NULL;
        _cleanup_strv_ char **missing = NULL;
        struct engine e;
        _cleanup_error_ struct cu_error *err = NULL;
        int rc = cli_parse(&cmd, argc, argv, &args);
        if (rc != 0)
                goto done;
        if (containers_only)
                type = "container";
        if (strcmp(type, "all") != 0 && strcmp(type, "container") != 0 && strcmp(type, "image") != 0) {
                rc = cli_failf(125, "invalid type \"%s\": must be 'container', 'image', 'volume', 'network', 'pod', or 'all'", type);
                goto done;
        }
        if (cli_engine(c, &e, &err) < 0) {
                rc = cli_fail(125, err);
                goto done;
        }
        char *latest_arg[2] = { NULL, NULL };
        char **names = args.args;
        if (latest) {
                size_t n = 0;
                if (ctr_list(e.db, &list, &n, &err) < 0 || n == 0) {
                        rc = cli_failf(125, "no containers to inspect");
                        goto done;
                }
                latest_arg[0] = list[n - 1]->id;
                names = latest_arg;
        } else if (args.n == 0) {
                rc = cli_failf(125, "%s requires at least one argument", containers_only ? "container inspect" : "inspect");
                goto done;
        }
        out = json_array();
        for (size_t i = 0; names[i]; i++) {
                _cleanup_ctr_record_ struct ctr_record *r = NULL;
                if (strcmp(type, "image") != 0 && engine_get(&e, names[i], &r, NULL) >= 0) {
                        json_t *o = engine_inspect_json(&e, r);
                        int64_t rw = 0, rootfs = 0;
                        /* --size: the writable layer and the whole root (podman's SizeRw,
                         * SizeRootFs) */
                        if (size && o && engine_container_size(&e, r, &rw, &rootfs) >= 0) {
                                json_object_set_new(o, "SizeRw", json_integer(rw));
                                json_object_set_new(o, "SizeRootFs", json_integer(rootfs));
                        }
                        json_array_append_new(out, o);
                        continue;
                }
                _cleanup_image_rec_ struct image_rec *im = NULL;
                if (strcmp(type, "container") != 0 && image_lookup(e.db, names[i], &im, NULL) >= 0) {
                        json_array_append_new(out, image_inspect_json(e.store, im));
                        continue;
                }
                (void) strv_extend(&missing, names[i]);
        }
        if (json_array_size(out) || strcmp(format, "json") == 0)
                (void) cli_output(format, out, NULL, NULL, true);
        fflush(stdout);
        for (char **m = missing; m && *m; m++) {
                if (containers_only)
                        fprintf(stderr, "Error: no such container %s\n", *m);
                else
                        fprintf(stderr, "Error: inspecting object: no such object: \"%s\"\n", *m);
                rc = 125;
        }
done:
        opts_args_done(&args);
        return rc == CLI_DONE_OK ? 0 : rc;
}

int cmd_inspect(struct cli_ctx *c, int argc, char **argv)
{
        return inspect(c, argc, argv, false);
}

int cmd_container_inspect(struct cli_ctx *c, int argc, char **argv)
{
        return inspect(c, argc, argv, true);
}
