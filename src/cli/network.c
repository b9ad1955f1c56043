/* SPDX-License-Identifier: GPL-2.0-or-later */
/* network create|ls|inspect|rm|prune|exists|reload (podman's outputs). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "context.h"
#include "opts.h"
#include "network/networks.h"
#include "network/setup.h"
#include "output.h"
#include "state/db.h"
#include "table.h"
#include "util/json.h"
#include "util/strv.h"

static const char *runroot_of(struct cli_ctx *c)
{
        return c->runroot ? c->runroot : "/run/cuttle";
}

/* Parses; returns -1 on error (printed), 1 for --help (printed), 0 to go on. */
static int parse(struct cli_ctx *c, struct opts_cmd *cmd, int argc, char **argv, struct opts_args *a)
{
        _cleanup_error_ struct cu_error *err = NULL;
        if (cli_opts_parse(c, cmd, argc - 1, argv + 1, a, &err) < 0) {
                cli_fail(125, err);
                return -1;
        }
        if (a->help) {
                char *h = opts_help(cmd);
                if (h)
                        fputs(h, stdout);
                free(h);
                return 1;
        }
        return 0;
}

/* Templates see podman's Go field names (types.Network): .Name, .NetworkInterface,
 * .Subnets (.Subnet, .Gateway, .LeaseRange.StartIP), .Labels …, beside the JSON keys. */
static void template_fields(json_t *row)
{
        static const char *const map[][2] = {
                { "name", "Name" }, { "id", "ID" }, { "driver", "Driver" },
                { "network_interface", "NetworkInterface" }, { "created", "Created" },
                { "ipv6_enabled", "IPv6Enabled" }, { "internal", "Internal" },
                { "dns_enabled", "DNSEnabled" }, { "labels", "Labels" }, { "options", "Options" },
        };
        for (size_t i = 0; i < ELEMENTSOF(map); i++) {
                json_t *v = json_object_get(row, map[i][0]);
                json_object_set_new(row, map[i][1], v ? json_incref(v) : json_object());
        }
        json_t *ipam = json_object_get(row, "ipam_options");
        json_object_set_new(row, "IPAMOptions", ipam ? json_incref(ipam) : json_object());
        json_t *subs = json_array();
        size_t k;
        json_t *s;
        json_array_foreach(json_object_get(row, "subnets"), k, s) {
                json_t *lr = json_object_get(s, "lease_range");
                json_t *g = json_pack("{s:O,s:s}", "Subnet", json_object_get(s, "subnet"), "Gateway",
                                      strempty(json_string_value(json_object_get(s, "gateway"))));
                if (g && lr)
                        json_object_set_new(g, "LeaseRange", json_pack("{s:O,s:O}", "StartIP",
                                                                       json_object_get(lr, "start_ip"), "EndIP",
                                                                       json_object_get(lr, "end_ip")));
                if (g)
                        json_array_append_new(subs, g);
        }
        json_object_set_new(row, "Subnets", subs);
}

static int cmd_create(struct cli_ctx *c, int argc, char **argv)
{
        _cleanup_strv_ char **subnets = NULL, **gateways = NULL, **ranges = NULL, **labels = NULL, **options = NULL;
        const char *driver = "bridge", *iface = NULL;
        bool internal = false, nodns = false, ipv6 = false, ignore = false;
        struct opt o[] = {
                { .name = "subnet", .type = OPT_STRING_ARRAY, .value = &subnets, .help = "subnets in CIDR format" },
                { .name = "gateway", .type = OPT_STRING_ARRAY, .value = &gateways, .help = "IPv4 or IPv6 gateway for the subnet" },
                { .name = "ip-range", .type = OPT_STRING_ARRAY, .value = &ranges, .help = "allocate container IP from range" },
                { .name = "internal", .type = OPT_BOOL, .value = &internal, .help = "restrict external access from this network" },
                { .name = "disable-dns", .type = OPT_BOOL, .value = &nodns, .help = "disable dns plugin" },
                { .name = "ipv6", .type = OPT_BOOL, .value = &ipv6, .help = "enable IPv6 networking" },
                { .name = "ignore", .type = OPT_BOOL, .value = &ignore, .help = "Don't fail if network already exists" },
                { .name = "label", .type = OPT_STRING_ARRAY, .value = &labels, .help = "set metadata on a network" },
                { .name = "opt", .shorthand = 'o', .type = OPT_STRING_ARRAY, .value = &options, .help = "Set driver specific options" },
                { .name = "driver", .shorthand = 'd', .type = OPT_STRING, .value = &driver, .help = "driver to manage the network", .def = "bridge" },
                { .name = "interface-name", .type = OPT_STRING, .value = &iface, .help = "interface name which is used by the driver" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle network create [options] [NAME]", .short_desc = "Create networks for containers and pods", .opts = o };
        struct opts_args a = { 0 };
        int p = parse(c, &cmd, argc, argv, &a);
        if (p != 0) {
                opts_args_done(&a);
                return p < 0 ? 125 : 0;
        }
        if (a.n > 1) {
                opts_args_done(&a);
                return cli_failf(125, "only one network can be created at a time");
        }
        struct network_create_opts co = { .name = a.n ? a.args[0] : NULL, .driver = driver, .interface = iface,
                                          .subnets = subnets, .gateways = gateways, .ip_ranges = ranges,
                                          .internal = internal, .disable_dns = nodns, .ipv6 = ipv6,
                                          .ignore_existing = ignore, .labels = labels, .options = options };
        _cleanup_error_ struct cu_error *err = NULL;
        struct db *db = NULL;
        struct cu_network *n = NULL;
        int r = cli_ctx_db(c, &db, &err);
        if (r >= 0)
                r = network_create(db, &co, &n, &err);
        opts_args_done(&a);
        if (r < 0)
                return cli_fail(125, err);
        printf("%s\n", n->name);
        network_free(n);
        return 0;
}

static int cmd_ls(struct cli_ctx *c, int argc, char **argv)
{
        const char *format = NULL;
        bool quiet = false, noheading = false, notrunc = false;
        _cleanup_strv_ char **filters = NULL;
        struct opt o[] = {
                { .name = "format", .type = OPT_STRING, .value = &format, .help = "Pretty-print networks to JSON or using a Go template" },
                { .name = "quiet", .shorthand = 'q', .type = OPT_BOOL, .value = &quiet, .help = "display only names" },
                { .name = "noheading", .type = OPT_BOOL, .value = &noheading, .help = "Do not print headers" },
                { .name = "no-trunc", .type = OPT_BOOL, .value = &notrunc, .help = "Do not truncate the network ID" },
                { .name = "filter", .shorthand = 'f', .type = OPT_STRING_ARRAY, .value = &filters, .help = "Provide filter values (e.g. 'name=podman')" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle network ls [options]", .aliases = "ls, list", .short_desc = "List networks", .opts = o };
        struct opts_args a = { 0 };
        int p = parse(c, &cmd, argc, argv, &a);
        opts_args_done(&a);
        if (p != 0)
                return p < 0 ? 125 : 0;
        _cleanup_error_ struct cu_error *err = NULL;
        struct db *db = NULL;
        struct cu_network **v = NULL;
        size_t n = 0;
        if (cli_ctx_db(c, &db, &err) < 0 || network_list(db, &v, &n, &err) < 0)
                return cli_fail(125, err);
        _cleanup_json_ json_t *rows = json_array();
        bool json_out = format && strcmp(format, "json") == 0;
        int rc = 0;
        for (size_t i = 0; i < n; i++) {
                int m = network_filter_match(v[i], filters, &err);
                if (m < 0) {
                        rc = cli_fail(125, err);
                        break;
                }
                if (!m)
                        continue;
                if (quiet && !format) {
                        printf("%s\n", v[i]->name);
                        continue;
                }
                json_t *row = network_to_json(v[i]);
                if (!json_out) {
                        char id[13];
                        snprintf(id, sizeof(id), "%.12s", v[i]->id);
                        template_fields(row);
                        json_object_set_new(row, "ID", json_string(notrunc ? v[i]->id : id));
                        /* ls prints labels as podman's report does: k=v,k=v */
                        _cleanup_free_ char *labels = NULL;
                        size_t ll = 0;
                        FILE *lf = open_memstream(&labels, &ll);
                        for (size_t j = 0; lf && v[i]->labels && v[i]->labels[j] && v[i]->labels[j + 1]; j += 2)
                                fprintf(lf, "%s%s=%s", j ? "," : "", v[i]->labels[j], v[i]->labels[j + 1]);
                        if (lf && fclose(lf) == 0)
                                json_object_set_new(row, "Labels", json_string(strempty(labels)));
                }
                json_array_append_new(rows, row);
        }
        networks_free(v, n);
        if (rc || (quiet && !format))
                return rc;
        if (json_out) {
                _cleanup_error_ struct cu_error *e2 = NULL;
                return report_print_json(rows, "  ", stdout, &e2) < 0 ? cli_fail(125, e2) : 0;
        }
        static const struct column cols[] = { { "ID", "NETWORK ID" }, { "Name", "NAME" }, { "Driver", "DRIVER" }, { 0 } };
        static const struct column headers[] = { { "ID", "NETWORK ID" }, { "Name", "NAME" }, { "Driver", "DRIVER" },
                                                  { "NetworkInterface", "NETWORK INTERFACE" }, { 0 } };
        if (noheading && !format)
                format = "{{.ID}}\t{{.Name}}\t{{.Driver}}";
        return cli_output(format, rows, cols, headers, true);
}

static int cmd_inspect(struct cli_ctx *c, int argc, char **argv)
{
        const char *format = NULL;
        struct opt o[] = {
                { .name = "format", .shorthand = 'f', .type = OPT_STRING, .value = &format, .help = "Pretty-print network to JSON or using a Go template" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle network inspect [options] NETWORK [NETWORK...]", .short_desc = "Displays the network configuration for one or more networks", .opts = o };
        struct opts_args a = { 0 };
        int p = parse(c, &cmd, argc, argv, &a);
        if (p != 0) {
                opts_args_done(&a);
                return p < 0 ? 125 : 0;
        }
        if (a.n == 0) {
                opts_args_done(&a);
                return cli_failf(125, "requires at least 1 arg(s), only received 0");
        }
        _cleanup_error_ struct cu_error *err = NULL;
        struct db *db = NULL;
        if (cli_ctx_db(c, &db, &err) < 0) {
                opts_args_done(&a);
                return cli_fail(125, err);
        }
        _cleanup_json_ json_t *out = json_array();
        _cleanup_error_ struct cu_error *first = NULL;
        for (size_t i = 0; i < a.n; i++) {
                struct cu_network *n = NULL;
                if (network_get(db, a.args[i], &n, &err) < 0) {
                        if (!first) {
                                first = TAKE_PTR(err);
                                cu_error_prefix(&first, -ENOENT, "network %s", a.args[i]);
                        }
                        cu_error_clear(&err);
                        continue;
                }
                json_t *nj = network_to_json(n);
                if (format && strcmp(format, "json") != 0)
                        template_fields(nj);
                json_array_append_new(out, nj);
                network_free(n);
        }
        opts_args_done(&a);
        int rc = 0;
        if (!format || strcmp(format, "json") == 0)
                rc = report_print_json(out, "     ", stdout, &err) < 0 ? cli_fail(125, err) : 0;
        else
                rc = cli_output(format, out, NULL, NULL, true);
        if (first) {
                cu_error_prefix(&first, -ENOENT, "inspecting object");
                return cli_fail(125, first);
        }
        return rc;
}

static int remove_one(struct cli_ctx *c, struct db *db, const char *name, bool force, struct cu_error **err)
{
        struct cu_network *n = NULL;
        int r = network_get(db, name, &n, err);
        if (r < 0)
                return r;
        r = network_remove(db, n->name, force, err);
        if (r >= 0) {
                _cleanup_error_ struct cu_error *e = NULL;
                net_network_removed(db, runroot_of(c), n->interface, &e);
                printf("%s\n", n->name);
        }
        network_free(n);
        return r;
}

static int cmd_rm(struct cli_ctx *c, int argc, char **argv)
{
        bool force = false;
        struct opt o[] = {
                { .name = "force", .shorthand = 'f', .type = OPT_BOOL, .value = &force, .help = "remove any containers using network" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle network rm [options] NETWORK [NETWORK...]", .aliases = "rm, remove", .short_desc = "Remove networks", .opts = o };
        struct opts_args a = { 0 };
        int p = parse(c, &cmd, argc, argv, &a);
        if (p != 0) {
                opts_args_done(&a);
                return p < 0 ? 125 : 0;
        }
        _cleanup_error_ struct cu_error *err = NULL;
        struct db *db = NULL;
        int rc = 0;
        if (a.n == 0)
                rc = cli_failf(125, "requires at least 1 arg(s), only received 0");
        else if (cli_ctx_db(c, &db, &err) < 0)
                rc = cli_fail(125, err);
        for (size_t i = 0; rc == 0 && i < a.n; i++)
                if (remove_one(c, db, a.args[i], force, &err) < 0) {
                        rc = cli_fail(err && err->errnum == ENOENT ? 1 : err && err->errnum == EBUSY ? 2 : 125, err);
                        cu_error_clear(&err);
                }
        opts_args_done(&a);
        return rc;
}

static int cmd_prune(struct cli_ctx *c, int argc, char **argv)
{
        bool force = false;
        _cleanup_strv_ char **filters = NULL;
        struct opt o[] = {
                { .name = "force", .shorthand = 'f', .type = OPT_BOOL, .value = &force, .help = "do not prompt for confirmation" },
                { .name = "filter", .type = OPT_STRING_ARRAY, .value = &filters, .help = "Provide filter values (e.g. 'label=<key>=<value>')" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle network prune [options]", .short_desc = "Prune unused networks", .opts = o };
        struct opts_args a = { 0 };
        int p = parse(c, &cmd, argc, argv, &a);
        opts_args_done(&a);
        if (p != 0)
                return p < 0 ? 125 : 0;
        if (!force) {
                printf("WARNING! This will remove all networks not used by at least one container.\nAre you sure you want to continue? [y/N] ");
                fflush(stdout);
                char ans[16] = "";
                if (!fgets(ans, sizeof(ans), stdin) || (ans[0] != 'y' && ans[0] != 'Y'))
                        return 0;
        }
        _cleanup_error_ struct cu_error *err = NULL;
        struct db *db = NULL;
        struct cu_network **v = NULL;
        size_t n = 0;
        if (cli_ctx_db(c, &db, &err) < 0 || network_list(db, &v, &n, &err) < 0)
                return cli_fail(125, err);
        int rc = 0;
        for (size_t i = 0; i < n && rc == 0; i++) {
                if (network_is_default(v[i]->name) || network_lease_count(db, v[i]->name, NULL) != 0)
                        continue;
                int m = network_filter_match(v[i], filters, &err);
                if (m < 0)
                        rc = cli_fail(125, err);
                else if (m && remove_one(c, db, v[i]->name, false, &err) < 0)
                        rc = cli_fail(125, err);
        }
        networks_free(v, n);
        return rc;
}

static int cmd_exists(struct cli_ctx *c, int argc, char **argv)
{
        struct opt o[] = { { 0 } };
        struct opts_cmd cmd = { .use = "cuttle network exists NETWORK", .short_desc = "network exists", .opts = o };
        struct opts_args a = { 0 };
        int p = parse(c, &cmd, argc, argv, &a);
        if (p != 0 || a.n != 1) {
                opts_args_done(&a);
                return p < 0 ? 125 : p > 0 ? 0 : cli_failf(125, "accepts 1 arg(s), received %zu", a.n);
        }
        _cleanup_error_ struct cu_error *err = NULL;
        struct db *db = NULL;
        struct cu_network *n = NULL;
        int rc;
        if (cli_ctx_db(c, &db, &err) < 0)
                rc = cli_fail(125, err);
        else if (network_get(db, a.args[0], &n, &err) < 0)
                rc = err && err->errnum == ENOENT ? 1 : cli_fail(125, err);
        else
                rc = 0;
        network_free(n);
        opts_args_done(&a);
        return rc;
}

static int cmd_reload(struct cli_ctx *c, int argc, char **argv)
{
        bool all = false;
        struct opt o[] = {
                { .name = "all", .shorthand = 'a', .type = OPT_BOOL, .value = &all, .help = "Reload network configuration of all containers" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle network reload [options] [CONTAINER...]", .short_desc = "Reload firewall rules for one or more containers", .opts = o };
        struct opts_args a = { 0 };
        int p = parse(c, &cmd, argc, argv, &a);
        if (p != 0) {
                opts_args_done(&a);
                return p < 0 ? 125 : 0;
        }
        _cleanup_error_ struct cu_error *err = NULL;
        struct db *db = NULL;
        int rc = 0;
        if (!all && a.n == 0)
                rc = cli_failf(125, "when not specifying --all, at least one container must be given");
        else if (cli_ctx_db(c, &db, &err) < 0)
                rc = cli_fail(125, err);
        else if (all) {
                rc = net_reload(db, runroot_of(c), NULL, NULL, &err) < 0 ? cli_fail(125, err) : 0;
        } else {
                for (size_t i = 0; i < a.n && rc == 0; i++)
                        rc = cli_network_reload_container(c, a.args[i]);
        }
        opts_args_done(&a);
        return rc;
}

static const struct {
        const char *name;
        cli_command_fn fn;
} network_commands[] = {
        { "connect", cmd_network_connect }, { "create", cmd_create },
        { "disconnect", cmd_network_disconnect }, { "exists", cmd_exists }, { "inspect", cmd_inspect }, { "list", cmd_ls },
        { "ls", cmd_ls }, { "prune", cmd_prune }, { "reload", cmd_reload }, { "remove", cmd_rm }, { "rm", cmd_rm },
};

int cmd_network(struct cli_ctx *c, int argc, char **argv)
{
        if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                FILE *f = argc < 2 ? stderr : stdout;
                fputs("Manage networks\n\nUsage:\n  cuttle network [command]\n\nAvailable Commands:\n", f);
                for (size_t i = 0; i < ELEMENTSOF(network_commands); i++)
                        fprintf(f, "  %s\n", network_commands[i].name);
                return argc < 2 ? 125 : 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(network_commands); i++)
                if (strcmp(network_commands[i].name, argv[1]) == 0)
                        return network_commands[i].fn(c, argc - 1, argv + 1);
        fprintf(stderr, "Error: unrecognized command `cuttle network %s`\nTry 'cuttle network --help' for more information\n", argv[1]);
        return 125;
}
