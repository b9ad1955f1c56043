/* SPDX-License-Identifier: GPL-2.0-or-later */
/* network connect / disconnect (podman's flags and errors). */
#include <errno.h>
#include <stdio.h>

#include "containers.h"
#include "util/strv.h"

int cmd_network_connect(struct cli_ctx *c, int argc, char **argv)
{
        _cleanup_strv_ char **aliases = NULL;
        const char *ip = NULL, *ip6 = NULL, *mac = NULL;
        struct opt opts[] = {
                { .name = "alias", .type = OPT_STRING_SLICE, .value = &aliases, .help = "network scoped alias for container" },
                { .name = "ip", .type = OPT_STRING, .value = &ip, .help = "set a static ipv4 address for this container network" },
                { .name = "ip6", .type = OPT_STRING, .value = &ip6, .help = "set a static ipv6 address for this container network" },
                { .name = "mac-address", .type = OPT_STRING, .value = &mac, .help = "set a static mac address for this container network" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle network connect [options] NETWORK CONTAINER",
                                .short_desc = "Add container to a network", .opts = opts };
        struct opts_args args = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        struct engine e;
        int rc = cli_parse(&cmd, argc, argv, &args);
        if (rc != 0)
                goto out;
        if (args.n != 2) {
                rc = cli_failf(125, "accepts 2 arg(s), received %zu", args.n);
                goto out;
        }
        if (cli_engine(c, &e, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        struct engine_connect_opts o = { .network = args.args[0], .ip = ip, .ip6 = ip6, .mac = mac,
                                         .aliases = aliases };
        rc = engine_network_connect(&e, args.args[1], &o, &err) < 0 ? cli_fail(125, err) : 0;
out:
        opts_args_done(&args);
        return rc == CLI_DONE_OK ? 0 : rc;
}

int cmd_network_disconnect(struct cli_ctx *c, int argc, char **argv)
{
        bool force = false;
        struct opt opts[] = {
                { .name = "force", .shorthand = 'f', .type = OPT_BOOL, .value = &force, .help = "force removal of container from network" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle network disconnect [options] NETWORK CONTAINER",
                                .short_desc = "Disconnect a container from a network", .opts = opts };
        struct opts_args args = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        struct engine e;
        int rc = cli_parse(&cmd, argc, argv, &args);
        if (rc != 0)
                goto out;
        if (args.n != 2) {
                rc = cli_failf(125, "accepts 2 arg(s), received %zu", args.n);
                goto out;
        }
        if (cli_engine(c, &e, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        rc = engine_network_disconnect(&e, args.args[1], args.args[0], &err) < 0 ? cli_fail(125, err) : 0;
out:
        opts_args_done(&args);
        return rc == CLI_DONE_OK ? 0 : rc;
}

int cli_network_reload_container(struct cli_ctx *c, const char *name)
{
        _cleanup_error_ struct cu_error *err = NULL;
        struct engine e;
        char id[CTR_ID_LEN + 1];
        if (cli_engine(c, &e, &err) < 0 || ctr_lookup_id(e.db, name, id, &err) < 0 ||
            engine_network_reload(&e, id, &err) < 0)
                return cli_fail(125, err);
        printf("%s\n", id);
        return 0;
}
