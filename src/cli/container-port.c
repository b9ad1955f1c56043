/* SPDX-License-Identifier: GPL-2.0-or-later */
/* port: a container's published ports, as podman prints them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "containers.h"
#include "network/ports.h"
#include "util/parse.h"

/* "80" or "80/tcp" → port and protocol bits (0: any). */
static int parse_filter(const char *s, unsigned *port, unsigned *proto)
{
        char buf[64];
        snprintf(buf, sizeof buf, "%s", s);
        char *slash = strchr(buf, '/');
        *proto = 0;
        if (slash) {
                *slash = '\0';
                const char *p = slash + 1;
                *proto = strcmp(p, "tcp") == 0 ? PORT_TCP : strcmp(p, "udp") == 0 ? PORT_UDP
                         : strcmp(p, "sctp") == 0 ? PORT_SCTP : 0;
                if (!*proto)
                        return -EINVAL;
        }
        char *end = NULL;
        unsigned long v = strtoul(buf, &end, 10);
        if (!*buf || *end || v < 1 || v > 65535)
                return -EINVAL;
        *port = (unsigned) v;
        return 0;
}

static size_t print_ports(const struct port_mapping *v, size_t n, unsigned fport, unsigned fproto)
{
        size_t printed = 0;
        for (size_t i = 0; i < n; i++)
                for (unsigned p = PORT_TCP; p <= PORT_SCTP; p <<= 1) {
                        if (!(v[i].protocols & p) || (fproto && !(fproto & p)))
                                continue;
                        const char *ip = *v[i].host_ip ? v[i].host_ip : "0.0.0.0";
                        for (unsigned k = 0; k < v[i].range; k++) {
                                unsigned cp = v[i].container_port + k, hp = v[i].host_port + k;
                                if (fport && fport != cp)
                                        continue;
                                if (fport)
                                        printf("%s:%u\n", ip, hp);
                                else
                                        printf("%u/%s -> %s:%u\n", cp, ports_proto_name(p), ip, hp);
                                printed++;
                        }
                }
        return printed;
}

int cmd_port(struct cli_ctx *c, int argc, char **argv)
{
        bool all = false, latest = false;
        struct opt opts[] = {
                { .name = "all", .shorthand = 'a', .type = OPT_BOOL, .value = &all, .help = "Display port information for all containers" },
                { .name = "latest", .shorthand = 'l', .type = OPT_BOOL, .value = &latest, .help = "Act on the latest container podman is aware of" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle port [options] CONTAINER [PORT]",
                                .short_desc = "List port mappings or a specific mapping for the container", .opts = opts };
        struct opts_args args = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_ctr_record_list_ struct ctr_record **list = NULL;
        struct engine e;
        int rc = cli_parse(&cmd, argc, argv, &args);
        if (rc != 0)
                goto out;
        size_t want = all || latest ? 0 : 1;
        if (args.n < want || args.n > want + 1 || (all && args.n > 0) || (all && latest)) {
                rc = all && args.n > 0 ? cli_failf(125, "the `--all` option cannot be used with a container name or ID")
                     : args.n < want ? cli_failf(125, "you must supply a running container name or id")
                                     : cli_failf(125, "accepts between %zu and %zu arg(s), received %zu", want,
                                                 want + 1, args.n);
                goto out;
        }
        unsigned fport = 0, fproto = 0;
        const char *filter = args.n > want ? args.args[want] : NULL;
        if (filter && parse_filter(filter, &fport, &fproto) < 0) {
                rc = cli_failf(125, "invalid port: \"%s\"", filter);
                goto out;
        }
        if (cli_engine(c, &e, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        size_t n = 0;
        /* every container (refreshed) only for --all and --latest */
        if ((all || latest) && engine_list(&e, &list, &n, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        struct ctr_record *one = NULL, *owned = NULL;
        if (latest) {
                one = n ? list[n - 1] : NULL;
                if (!one) {
                        rc = cli_failf(125, "no containers to list ports of");
                        goto out;
                }
        } else if (!all) {
                if (engine_get(&e, args.args[0], &owned, &err) < 0) {
                        rc = cli_fail(125, err);
                        goto out;
                }
                one = owned;
        }
        for (size_t i = 0; i < (one ? 1 : n); i++) {
                struct ctr_record *r = one ? one : list[i];
                if (!engine_is_running(r)) {
                        if (one) {
                                rc = cli_failf(125, "container %s is not running", r->name);
                                break;
                        }
                        continue;
                }
                struct port_mapping *v = NULL;
                size_t np = 0;
                if (engine_ports(&e, r, &v, &np, NULL) < 0 || np == 0) {
                        free(v);
                        if (one && fport)
                                rc = cli_failf(125, "failed to find published port \"%s\"", filter);
                        continue;
                }
                if (all)
                        printf("%s\n", r->id);
                size_t printed = print_ports(v, np, fport, fproto);
                free(v);
                if (one && fport && !printed)
                        rc = cli_failf(125, "failed to find published port \"%s\"", filter);
        }
        ctr_record_free(owned);
out:
        opts_args_done(&args);
        return rc == CLI_DONE_OK ? 0 : rc;
}
