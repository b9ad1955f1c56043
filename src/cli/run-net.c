/* SPDX-License-Identifier: GPL-2.0-or-later */
/* create/run: network options (podman's names and help texts). */
#include <string.h>

#include "run-flags.h"
#include "storage/containers-conf.h"
#include "util/strv.h"

static size_t add(struct engine_create_opts *o, struct opt *out)
{
        struct engine_net_opts *n = &o->net;
        const struct opt t[] = {
                RUN_A("network", 0, &n->networks, "Connect a container to a network"),
                { .name = "net", .type = OPT_STRING_ARRAY, .value = &n->networks, .alias_of = "network" },
                RUN_A("network-alias", 0, &n->aliases, "Add network-scoped alias for the container"),
                RUN_S("ip", 0, &n->ip, "Specify a static IPv4 address for the container"),
                RUN_S("ip6", 0, &n->ip6, "Specify a static IPv6 address for the container"),
                RUN_S("mac-address", 0, &n->mac, "Container MAC address (e.g. 92:d0:c6:0a:29:33)"),
                RUN_A("publish", 'p', &n->publish, "Publish a container's port, or a range of ports, to the host (default [])"),
                RUN_B("publish-all", 'P', &n->publish_all, "Publish all exposed ports to random ports on the host interface"),
                RUN_L("expose", 0, &n->expose, "Expose a port or a range of ports"),
                RUN_L("dns", 0, &n->dns, "Set custom DNS servers"),
                RUN_L("dns-search", 0, &n->dns_search, "Set custom DNS search domains"),
                RUN_L("dns-option", 0, &n->dns_options, "Set custom DNS options"),
                { .name = "dns-opt", .type = OPT_STRING_SLICE, .value = &n->dns_options, .alias_of = "dns-option" },
                RUN_L("add-host", 0, &n->add_hosts, "Add a custom host-to-IP mapping (host:ip) (default [])"),
                RUN_B("no-hosts", 0, &n->no_hosts, "Do not create /etc/hosts within the container, instead use the version from the image"),
                { 0 },
        };
        return run_flags_copy(t, out);
}

static int check(struct cli_ctx *c, struct engine_create_opts *o, struct opt *opts)
{
        struct engine_net_opts *n = &o->net;
        /* the engine checks the values (it knows the networks and the image's EXPOSE) */
        if (n->ip && !*n->ip)
                return cli_failf(125, "invalid IP address: \"\"");
        /* containers.conf's defaults for what the command line left unset */
        const struct containers_conf *conf = NULL;
        if (cli_ctx_config(c, &conf, NULL) < 0)
                return 0;
        struct { const char *flag; char ***dst; char **def; } lists[] = {
                { "dns", &n->dns, conf->dns_servers },
                { "dns-search", &n->dns_search, conf->dns_searches },
                { "dns-option", &n->dns_options, conf->dns_options },
        };
        for (size_t i = 0; i < ELEMENTSOF(lists); i++)
                if (!opts_changed(opts, lists[i].flag) && lists[i].def && lists[i].def[0] &&
                    !*lists[i].dst && !(*lists[i].dst = strv_copy(lists[i].def)))
                        return cli_failf(125, "out of memory");
        if (!opts_changed(opts, "no-hosts") && conf->no_hosts)
                n->no_hosts = true;
        if (!n->networks && !opts_changed(opts, "network")) {
                const char *def = NULL;
                /* containers.conf's netns: a mode (slirp4netns and pasta too: what a future
                 * rootless mode will default to; root may choose them) */
                if (conf->netns && (strcmp(conf->netns, "host") == 0 || strcmp(conf->netns, "none") == 0 ||
                                    strcmp(conf->netns, "slirp4netns") == 0 || strcmp(conf->netns, "pasta") == 0))
                        def = conf->netns;
                /* otherwise bridge mode on the default network, whose name (default_network)
                 * the network layer has from the configuration (cli_ctx_db()) */
                if (def && strv_extend(&n->networks, def) < 0)
                        return cli_failf(125, "out of memory");
        }
        return 0;
}

static void done(struct engine_create_opts *o)
{
        struct engine_net_opts *n = &o->net;
        char **v[] = { n->networks, n->aliases, n->publish, n->expose, n->dns, n->dns_search,
                       n->dns_options, n->add_hosts };
        for (size_t i = 0; i < ELEMENTSOF(v); i++)
                strv_free(v[i]);
        *n = (struct engine_net_opts){ 0 };
}

const struct run_flags_area run_flags_net = { add, check, done };
