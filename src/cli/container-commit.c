/* SPDX-License-Identifier: GPL-2.0-or-later */
/* commit [options] CONTAINER [IMAGE] */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "containers.h"
#include "engine/fs.h"
#include "storage/images.h"
#include "storage/manifest.h"
#include "storage/reference.h"
#include "util/fileio.h"
#include "util/strv.h"

/* podman's progress lines (stderr), from the stored image. */
static void progress(struct engine *e, const char *id)
{
        _cleanup_image_rec_ struct image_rec *im = NULL;
        struct manifest m = { 0 };
        if (image_get(e->db, id, &im, NULL) < 0 || !im->manifest ||
            manifest_parse(im->manifest, strlen(im->manifest), &m, NULL) < 0)
                return;
        fputs("Getting image source signatures\n", stderr);
        for (size_t i = 0; i < m.n_layers; i++)
                fprintf(stderr, "Copying blob %s\n", m.layers[i].digest);
        fprintf(stderr, "Copying config %s\n", m.config.digest);
        fputs("Writing manifest to image destination\nStoring signatures\n", stderr);
        manifest_done(&m);
}

int cmd_commit(struct cli_ctx *c, int argc, char **argv)
{
        const char *author = NULL, *message = NULL, *format = "oci", *iidfile = NULL;
        char **changes = NULL;
        bool pause = false, quiet = false, squash = false, include_volumes = false;
        struct opt opts[] = {
                { .name = "author", .shorthand = 'a', .type = OPT_STRING, .value = &author, .help = "Set the author for the image committed" },
                { .name = "change", .shorthand = 'c', .type = OPT_STRING_ARRAY, .value = &changes,
                  .help = "Apply the following possible instructions to the created image (default []): CMD | ENTRYPOINT | ENV | EXPOSE | LABEL | ONBUILD | STOPSIGNAL | USER | VOLUME | WORKDIR" },
                { .name = "format", .shorthand = 'f', .type = OPT_STRING, .value = &format, .argname = "Format", .def = "\"oci\"",
                  .help = "Format of the image manifest and metadata" },
                { .name = "iidfile", .type = OPT_STRING, .value = &iidfile, .argname = "file", .help = "`file` to write the image ID to" },
                { .name = "include-volumes", .type = OPT_BOOL, .value = &include_volumes, .help = "Include container volumes as image volumes" },
                { .name = "message", .shorthand = 'm', .type = OPT_STRING, .value = &message, .help = "Set commit message for imported image" },
                { .name = "pause", .shorthand = 'p', .type = OPT_BOOL, .value = &pause, .help = "Pause container during commit" },
                { .name = "quiet", .shorthand = 'q', .type = OPT_BOOL, .value = &quiet, .help = "Suppress output" },
                { .name = "squash", .shorthand = 's', .type = OPT_BOOL, .value = &squash, .help = "squash newly built layers into a single new layer" },
                { 0 },
        };
        struct opts_cmd cmd = {
                .use = "cuttle commit [options] CONTAINER [IMAGE]",
                .short_desc = "Create new image based on the changed container",
                .example = "cuttle commit -q --message \"committing container to image\" reverent_golick image-committed\n"
                           "cuttle commit -q --author \"firstName lastName\" reverent_golick image-committed\n"
                           "cuttle commit -q --pause=false containerID image-committed\n"
                           "cuttle commit containerID",
                .opts = opts,
        };
        struct opts_args args = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_free_ char *name = NULL;
        struct engine e;
        int rc = cli_parse(&cmd, argc, argv, &args);
        if (rc != 0)
                goto out;
        if (args.n < 1 || args.n > 2) {
                rc = cli_failf(125, "requires at least 1 and at most 2 arg(s), only received %zu", args.n);
                goto out;
        }
        bool docker = strcmp(format, "docker") == 0;
        if (!docker && strcmp(format, "oci") != 0) {
                rc = cli_failf(125, "unrecognized image type \"%s\"", format);
                goto out;
        }
        if (args.n == 2 && !(name = image_ref_normalize_string(args.args[1], "localhost", &err))) {
                rc = cli_fail(125, err);
                goto out;
        }
        if (cli_engine(c, &e, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        struct engine_commit_opts o = {
                .name = name, .changes = (const char *const *) changes, .message = message, .author = author,
                .pause = pause, .squash = squash, .docker = docker, .include_volumes = include_volumes,
        };
        char id[65];
        if (engine_commit(&e, args.args[0], &o, id, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        if (!quiet)
                progress(&e, id);
        if (iidfile) {
                char text[80];
                snprintf(text, sizeof(text), "sha256:%s", id);
                if (write_file_atomic(iidfile, text, strlen(text), 0644, &err) < 0) {
                        rc = cli_fail(125, err);
                        goto out;
                }
        }
        printf("%s\n", id);
out:
        strv_free(changes);
        opts_args_done(&args);
        return rc == CLI_DONE_OK ? 0 : rc;
}
