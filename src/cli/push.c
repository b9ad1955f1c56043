/* SPDX-License-Identifier: GPL-2.0-or-later */
/* push (in cuttle-registry): to a registry (docker://), or to docker-archive:,
 * oci-archive:, oci:, dir: and containers-storage: (storage/transports.h).  A
 * destination without a transport uses containers.conf's image_default_transport. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "context.h"
#include "image-json.h"
#include "storage/containers-conf.h"
#include "storage/images.h"
#include "storage/pull.h"
#include "storage/reference.h"
#include "storage/store.h"
#include "storage/transports.h"
#include "util/strv.h"

/* "foo:/x" is neither a transport nor an image reference: podman's error. */
static int check_transport(const char *dest)
{
        const char *colon = strchr(dest, ':');
        const char *slash = strchr(dest, '/');
        if (!colon || (slash && slash < colon))
                return 0;
        struct image_ref r = { 0 };
        int q = image_ref_parse(dest, &r, NULL);
        image_ref_done(&r);
        if (q >= 0)
                return 0;
        return cli_failf(125, "Invalid image name \"%s\", unknown transport \"%.*s\"", dest, (int) (colon - dest),
                         dest);
}

static int write_digestfile(const char *path, const char *digest)
{
        FILE *f = fopen(path, "we");
        if (!f)
                return cli_failf(125, "writing %s: %s", path, strerror(errno));
        fputs(digest, f);
        if (fclose(f) != 0)
                return cli_failf(125, "writing %s: %s", path, strerror(errno));
        return 0;
}

int cmd_push(struct cli_ctx *c, int argc, char **argv)
{
        bool quiet = false, tls = true, remove_sig = false;
        const char *authfile = NULL, *creds = NULL, *digestfile = NULL, *format = NULL;
        struct arg_opt opts[] = {
                { "authfile", 0, ARG_STRING, &authfile, "Path of the authentication file" },
                { "creds", 0, ARG_STRING, &creds, "Credentials (USERNAME:PASSWORD) to use for authenticating to a registry" },
                { "digestfile", 0, ARG_STRING, &digestfile, "Write the digest of the pushed image to the specified file" },
                { "format", 'f', ARG_STRING, &format, "Manifest type (oci, v2s2) to use in the destination" },
                { "quiet", 'q', ARG_BOOL, &quiet, "Suppress output information when pushing images" },
                { "remove-signatures", 0, ARG_BOOL, &remove_sig, "Discard any pre-existing signatures in the image" },
                { "tls-verify", 0, ARG_BOOL, &tls, "Require HTTPS and verify certificates when contacting registries", "true" },
                { NULL },
        };
        _cleanup_free_ char **pos = NULL;
        int rc = args_run(c, opts, argc, argv, "cuttle push [options] IMAGE [DESTINATION]",
                       "Push an image to a specified destination", &pos);
        if (rc >= 0)
                return rc;
        if (!pos[0] || (pos[1] && pos[2]))
                return cli_failf(125, "accepts between 1 and 2 arg(s), received %zu", strv_length(pos));
        _cleanup_error_ struct cu_error *err = NULL;
        const struct containers_conf *conf = NULL;
        if (cli_ctx_config(c, &conf, &err) < 0)
                return cli_fail(125, err);
        struct transport_ref tr = { .transport = TRANSPORT_DOCKER, .index = -1 };
        if (pos[1] && transport_ref_parse(pos[1], conf->image_default_transport, &tr, &err) < 0)
                return cli_fail(125, err);
        if (pos[1] && tr.transport == TRANSPORT_DOCKER && strcmp(tr.path, pos[1]) == 0 &&
            (rc = check_transport(pos[1])) != 0) {
                transport_ref_done(&tr);
                return rc;
        }
        struct store *s = NULL;
        _cleanup_image_rec_ struct image_rec *im = NULL;
        _cleanup_free_ char *digest = NULL;
        FILE *progress = quiet ? NULL : stderr;
        rc = 0;
        if (cli_ctx_store(c, &s, &err) < 0) {
                rc = cli_fail(125, err);
        } else if (tr.transport == TRANSPORT_DOCKER) {
                struct remote_opts ro = { .tls_verify = args_was_set(opts, "tls-verify") ? (tls ? 1 : 0) : -1,
                                          .authfile = authfile, .creds = creds,
                                          .registries_conf = c->registries_conf, .progress = progress };
                if (image_push(s, pos[0], tr.path, &ro, &digest, &err) < 0)
                        rc = cli_fail(125, err);
        } else if (image_lookup(s->db, pos[0], &im, &err) < 0 ||
                   transport_push(s, im->id, image_name_for_arg(im, pos[0]), &tr, progress, &err) < 0) {
                rc = cli_fail(125, err);
        } else if (!(digest = strdup(im->digest))) {
                rc = cli_failf(125, "out of memory");
        }
        transport_ref_done(&tr);
        if (rc == 0 && digestfile && digest)
                rc = write_digestfile(digestfile, digest);
        return rc;
}
