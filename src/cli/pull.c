/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pull (in cuttle-registry): from a registry (docker://), or from docker-archive:,
 * oci-archive:, oci:, dir: and containers-storage: (storage/transports.h).  A name
 * without a transport uses containers.conf's image_default_transport. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "context.h"
#include "storage/containers-conf.h"
#include "storage/pull.h"
#include "storage/store.h"
#include "storage/transports.h"
#include "util/strv.h"

static int parse_platform(const char *platform, char **os, char **arch, char **variant)
{
        _cleanup_strv_ char **parts = strv_split(platform, "/");
        size_t np = strv_length(parts);
        if (np < 2 || np > 3)
                return cli_failf(125, "invalid platform syntax for --platform=\"%s\": OS/ARCH[/VARIANT]", platform);
        *os = strdup(parts[0]);
        *arch = strdup(parts[1]);
        *variant = np == 3 ? strdup(parts[2]) : NULL;
        if (!*os || !*arch || (np == 3 && !*variant))
                return cli_failf(125, "out of memory");
        return 0;
}

/* One image: prints the ID(s) pulled on stdout. */
static int pull_one(struct store *s, const char *name, const char *default_transport,
                    const struct remote_opts *ro, struct cu_error **err)
{
        struct transport_ref tr = { .index = -1 };
        int r = transport_ref_parse(name, default_transport, &tr, err);
        if (r < 0)
                return r;
        if (tr.transport == TRANSPORT_DOCKER) {
                char id[65];
                _cleanup_free_ char *stored = NULL;
                r = image_pull(s, tr.path, ro, id, &stored, err);
                if (r >= 0)
                        printf("%s\n", id);
        } else {
                _cleanup_strv_ char **ids = NULL;
                r = transport_pull(s, &tr, ro->progress, &ids, err);
                for (size_t i = 0; r >= 0 && ids && ids[i]; i++)
                        printf("%s\n", ids[i]);
        }
        transport_ref_done(&tr);
        return r;
}

int cmd_pull(struct cli_ctx *c, int argc, char **argv)
{
        bool quiet = false, tls = true, all_tags = false;
        const char *authfile = NULL, *creds = NULL, *arch = NULL, *os = NULL, *variant = NULL, *platform = NULL;
        struct arg_opt opts[] = {
                { "all-tags", 'a', ARG_BOOL, &all_tags, "All tagged images in the repository will be pulled" },
                { "arch", 0, ARG_STRING, &arch, "Use ARCH instead of the architecture of the machine for choosing images" },
                { "authfile", 0, ARG_STRING, &authfile, "Path of the authentication file" },
                { "creds", 0, ARG_STRING, &creds, "Credentials (USERNAME:PASSWORD) to use for authenticating to a registry" },
                { "os", 0, ARG_STRING, &os, "Use OS instead of the running OS for choosing images" },
                { "platform", 0, ARG_STRING, &platform, "Specify the platform for selecting the image (OS/ARCH[/VARIANT])" },
                { "quiet", 'q', ARG_BOOL, &quiet, "Suppress output information when pulling images" },
                { "tls-verify", 0, ARG_BOOL, &tls, "Require HTTPS and verify certificates when contacting registries", "true" },
                { "variant", 0, ARG_STRING, &variant, "Use VARIANT instead of the running architecture variant for choosing images" },
                { NULL },
        };
        _cleanup_free_ char **pos = NULL;
        int rc = args_run(c, opts, argc, argv, "cuttle pull [options] IMAGE [IMAGE...]",
                       "Pull an image from a registry", &pos);
        if (rc >= 0)
                return rc;
        if (!pos[0])
                return cli_failf(125, "requires at least 1 arg(s), only received 0");
        if (all_tags)
                return cli_failf(125, "--all-tags is not supported yet");
        _cleanup_free_ char *pos_os = NULL, *pos_arch = NULL, *pos_variant = NULL;
        if (platform) {
                if ((rc = parse_platform(platform, &pos_os, &pos_arch, &pos_variant)) != 0)
                        return rc;
                os = pos_os;
                arch = pos_arch;
                variant = pos_variant;
        }
        _cleanup_error_ struct cu_error *err = NULL;
        const struct containers_conf *conf = NULL;
        if (cli_ctx_config(c, &conf, &err) < 0)
                return cli_fail(125, err);
        struct store *s = NULL;
        if (cli_ctx_store(c, &s, &err) < 0)
                return cli_fail(125, err);
        struct remote_opts ro = { .tls_verify = args_was_set(opts, "tls-verify") ? (tls ? 1 : 0) : -1,
                                  .authfile = authfile, .creds = creds,
                                  .registries_conf = c->registries_conf, .os = os, .arch = arch,
                                  .variant = variant, .progress = quiet ? NULL : stderr };
        for (size_t i = 0; pos[i]; i++) {
                if (pull_one(s, pos[i], conf->image_default_transport, &ro, &err) < 0)
                        return cli_fail(125, err);
                fflush(stdout);
        }
        return 0;
}
