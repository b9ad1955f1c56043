/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A container's network as configured (create), as seen from inside (the namespace in the
 * spec, /etc/hosts, /etc/resolv.conf) and as reported (inspect, ps).  Setting it up and
 * tearing it down is prepare.c's; published ports are port.c's.
 *
 * The config keeps (podman's libpod config, our names):
 *   NetworkMode   "bridge" | "none" | "host" | "container:<id>" | "ns:<path>" | "slirp4netns"
 *                 | "pasta"
 *   NetworkOptions slirp4netns / pasta: {"slirp4netns": [options]} or {"pasta": [options]}
 *   Networks      bridge only: [{Name, StaticIPs[], MAC, Aliases[]}], eth0 first
 *   PortMappings  (port.c), DNS, DNSSearch, DNSOption, AddHost, NoHosts
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/internal.h"
#include "network/hosts.h"
#include "network/ipam.h"
#include "network/networks.h"
#include "network/pasta.h"
#include "network/resolvconf.h"
#include "network/setup.h"
#include "network/slirp.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/log.h"
#include "util/path.h"
#include "util/strv.h"

/* ------------------------------------------------------------------ the mode */

enum engine_netmode engine_netmode(json_t *c, const char **ret_arg)
{
        const char *m = json_string_value(json_object_get(c, "NetworkMode"));
        if (ret_arg)
                *ret_arg = NULL;
        if (!m || streq_ptr(m, "none"))
                return NETMODE_NONE;
        if (strcmp(m, "bridge") == 0)
                return NETMODE_BRIDGE;
        if (strcmp(m, "host") == 0)
                return NETMODE_HOST;
        if (strcmp(m, "slirp4netns") == 0)
                return NETMODE_SLIRP;
        if (strcmp(m, "pasta") == 0)
                return NETMODE_PASTA;
        if (strncmp(m, "container:", 10) == 0) {
                if (ret_arg)
                        *ret_arg = m + 10;
                return NETMODE_CONTAINER;
        }
        if (strncmp(m, "ns:", 3) == 0) {
                if (ret_arg)
                        *ret_arg = m + 3;
                return NETMODE_NS;
        }
        return NETMODE_NONE;
}

/* One bridge network entry of the config. */
static json_t *net_entry(const char *name)
{
        return json_pack("{s:s, s:[], s:s, s:[]}", "Name", name, "StaticIPs", "MAC", "", "Aliases");
}

/* "name:ip=…,ip6=…,mac=…,alias=…,interface_name=…" → entry (the name checked later). */
static int net_entry_options(json_t *ent, const char *opts, struct cu_error **err)
{
        _cleanup_strv_ char **kv = strv_split(opts, ",");
        for (char **p = kv; p && *p; p++) {
                char *eq = strchr(*p, '=');
                if (!eq)
                        return cu_error_setx(err, EINVAL, "invalid option for network %s: %s",
                                             json_string_value(json_object_get(ent, "Name")), *p);
                *eq = '\0';
                const char *v = eq + 1;
                if (strcmp(*p, "ip") == 0 || strcmp(*p, "ip6") == 0)
                        json_array_append_new(json_object_get(ent, "StaticIPs"), json_string(v));
                else if (strcmp(*p, "mac") == 0)
                        json_object_set_new(ent, "MAC", json_string(v));
                else if (strcmp(*p, "alias") == 0)
                        json_array_append_new(json_object_get(ent, "Aliases"), json_string(v));
                else
                        return cu_error_setx(err, EINVAL, "unknown bridge network option: %s", *p);
        }
        return 0;
}

/* "slirp4netns", "slirp4netns:…", "pasta", "pasta:…": the mode's name, else NULL. */
static const char *usermode_name(const char *v)
{
        static const char *const names[] = { "slirp4netns", "pasta" };
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                size_t n = strlen(names[i]);
                if (strncmp(v, names[i], n) == 0 && (v[n] == '\0' || v[n] == ':'))
                        return names[i];
        }
        return NULL;
}

static bool single_mode(const char *v)
{
        return strcmp(v, "none") == 0 || strcmp(v, "host") == 0 || strncmp(v, "container:", 10) == 0 ||
               strncmp(v, "ns:", 3) == 0 || usermode_name(v);
}

/* slirp4netns[:OPTIONS] / pasta[:OPTIONS] → NetworkOptions {name: [options]}; slirp4netns's
 * options are checked now (podman checks them at start: nothing would be half-made here,
 * but an error at create is an error before anything is made). */
static int usermode_options(const char *v, const char *name, json_t *netopts, struct cu_error **err)
{
        const char *o = v[strlen(name)] == ':' ? v + strlen(name) + 1 : NULL;
        _cleanup_strv_ char **opts = o && *o ? strv_split(o, ",") : NULL;
        if (o && *o && !opts)
                return -ENOMEM;
        if (strcmp(name, "slirp4netns") == 0) {
                struct slirp_opts so;
                slirp_opts_default(&so);
                int r = slirp_opts_parse(opts, &so, err);
                if (r < 0)
                        return r;
        }
        json_object_set_new(netopts, name, json_from_strv(opts ? opts : (char *[]){ NULL }));
        return 0;
}

/* --network values → mode + networks. */
static int parse_networks(struct engine *e, char *const *values, char **ret_mode, json_t *nets,
                          json_t *netopts, struct cu_error **err)
{
        _cleanup_free_ char *mode = NULL;
        size_t nv = strv_length(values);
        for (size_t i = 0; i < nv; i++) {
                const char *v = values[i];
                if (!*v)
                        return cu_error_setx(err, EINVAL, "network mode cannot be empty");
                if (single_mode(v)) {
                        if (nv > 1 && usermode_name(v))
                                return cu_error_setx(err, EINVAL,
                                                     "cannot set multiple networks without bridge network mode, selected mode %s: invalid argument",
                                                     usermode_name(v));
                        if (nv > 1)
                                return cu_error_setx(err, EINVAL,
                                                     "can only set extra network names, selected mode %s conflicts with bridge: invalid argument",
                                                     v);
                        if (strncmp(v, "ns:", 3) == 0) {
                                struct stat st;
                                if (v[3] != '/')
                                        return cu_error_setx(err, EINVAL, "invalid network namespace path %s", v + 3);
                                if (stat(v + 3, &st) < 0)
                                        return cu_error_set(err, errno, "network namespace %s", v + 3);
                        }
                        if (strncmp(v, "container:", 10) == 0) {
                                char id[CTR_ID_LEN + 1];
                                int r = ctr_lookup_id(e->db, v + 10, id, err);
                                if (r < 0)
                                        return r;
                                free(mode);
                                if (asprintf(&mode, "container:%s", id) < 0)
                                        return -ENOMEM;
                                break;
                        }
                        const char *um = usermode_name(v);
                        if (um) {
                                int r = usermode_options(v, um, netopts, err);
                                if (r < 0)
                                        return r;
                                v = um;
                        }
                        free(mode);
                        mode = strdup(v);
                        if (!mode)
                                return -ENOMEM;
                        break;
                }
                const char *colon = strchr(v, ':');
                if (colon || !strchr(v, ',')) {
                        _cleanup_free_ char *name = colon ? strndup(v, (size_t) (colon - v)) : strdup(v);
                        if (!name)
                                return -ENOMEM;
                        bool dflt = strcmp(name, "bridge") == 0 || strcmp(name, "private") == 0;
                        json_t *ent = net_entry(dflt ? network_default_name() : name);
                        json_array_append_new(nets, ent);
                        if (colon) {
                                int r = net_entry_options(ent, colon + 1, err);
                                if (r < 0)
                                        return r;
                        }
                        continue;
                }
                _cleanup_strv_ char **names = strv_split(v, ",");
                for (char **n = names; n && *n; n++) {
                        if (single_mode(*n))
                                return cu_error_setx(err, EINVAL,
                                                     "can only set extra network names, selected mode %s conflicts with bridge: invalid argument",
                                                     *n);
                        json_array_append_new(nets, net_entry(strcmp(*n, "bridge") == 0 ? network_default_name() : *n));
                }
        }
        if (!mode && (nv == 0 || json_array_size(nets) > 0)) {
                mode = strdup("bridge");
                if (!mode)
                        return -ENOMEM;
                if (json_array_size(nets) == 0)
                        json_array_append_new(nets, net_entry(network_default_name()));
        }
        *ret_mode = TAKE_PTR(mode);
        return 0;
}

/* Each network exists (names canonical), once; static addresses lie in it. */
static int check_networks(struct engine *e, json_t *nets, struct cu_error **err)
{
        size_t i;
        json_t *ent;
        json_array_foreach(nets, i, ent) {
                _cleanup_network_ struct cu_network *n = NULL;
                int r = network_get(e->db, json_string_value(json_object_get(ent, "Name")), &n, err);
                if (r < 0)
                        return r;
                json_object_set_new(ent, "Name", json_string(n->name));
                for (size_t j = 0; j < i; j++)
                        if (streq_ptr(json_string_value(json_object_get(json_array_get(nets, j), "Name")),
                                      n->name))
                                return cu_error_setx(err, EINVAL, "network %s given twice", n->name);
                size_t k;
                json_t *ipj;
                json_array_foreach(json_object_get(ent, "StaticIPs"), k, ipj) {
                        struct cu_ip ip;
                        const char *s = json_string_value(ipj);
                        if ((r = cu_ip_parse(s, &ip, err)) < 0)
                                return r;
                        bool inside = false;
                        for (size_t q = 0; q < n->n_subnets && !inside; q++)
                                inside = cu_cidr_contains(&n->subnets[q].subnet, &ip);
                        if (!inside)
                                return cu_error_setx(err, EINVAL,
                                                     "requested static ip %s not in any subnet on network %s",
                                                     s, n->name);
                }
                const char *mac = json_string_value(json_object_get(ent, "MAC"));
                unsigned b[6];
                char tail;
                if (mac && *mac && (strlen(mac) != 17 || sscanf(mac, "%2x:%2x:%2x:%2x:%2x:%2x%c", b, b + 1, b + 2,
                                                                b + 3, b + 4, b + 5, &tail) != 6))
                        return cu_error_setx(err, EINVAL, "invalid MAC address %s", mac);
        }
        return 0;
}

/* --dns, --dns-search, --dns-option, --add-host, --no-hosts. */
static int config_names(json_t *c, const struct engine_net_opts *o, enum engine_netmode mode,
                        struct cu_error **err)
{
        bool none = false;
        for (char **p = o->dns; p && *p; p++) {
                struct cu_ip ip;
                if (strcmp(*p, "none") == 0) {
                        none = true;
                        continue;
                }
                if (cu_ip_parse(*p, &ip, NULL) < 0)
                        return cu_error_setx(err, EINVAL, "%s is not an ip address", *p);
        }
        if (none && strv_length(o->dns) > 1)
                return cu_error_setx(err, EINVAL, "--dns=none cannot be used with any other --dns");
        for (char **p = o->add_hosts; p && *p; p++) {
                const char *sep = strchr(*p, ':');
                struct cu_ip ip;
                if (!sep || sep == *p)
                        return cu_error_setx(err, EINVAL, "invalid add-host: \"%s\"", *p);
                if (strcmp(sep + 1, "host-gateway") != 0 && cu_ip_parse(sep + 1, &ip, NULL) < 0)
                        return cu_error_setx(err, EINVAL, "invalid IP address in add-host: \"%s\"", sep + 1);
        }
        if (o->no_hosts && o->add_hosts)
                return cu_error_setx(err, EINVAL, "--no-hosts and --add-host cannot be set together");
        if (mode == NETMODE_CONTAINER && (o->dns || o->dns_search || o->dns_options || o->add_hosts))
                return cu_error_setx(err, EINVAL,
                                     "invalid config provided: conflicting options: dns and the network mode container");
        json_object_set_new(c, "DNS", json_from_strv(o->dns));
        json_object_set_new(c, "DNSSearch", json_from_strv(o->dns_search));
        json_object_set_new(c, "DNSOption", json_from_strv(o->dns_options));
        json_object_set_new(c, "AddHost", json_from_strv(o->add_hosts));
        json_object_set_new(c, "NoHosts", json_boolean(o->no_hosts));
        const char *bh = o->base_hosts_file ? o->base_hosts_file : "";
        if (bh[0] && bh[0] != '/' && strcmp(bh, "image") != 0 && strcmp(bh, "none") != 0)
                return cu_error_setx(err, EINVAL, "base_hosts_file \"%s\": must be \"image\", \"none\" or "
                                     "an absolute path", bh);
        json_object_set_new(c, "BaseHostsFile", json_string(bh));
        return 0;
}

int engine_config_network(struct engine *e, json_t *c, const struct engine_create_opts *o,
                          json_t *ic, struct cu_error **err)
{
        const struct engine_net_opts *no = &o->net;
        _cleanup_json_ json_t *nets = json_array();
        _cleanup_json_ json_t *netopts = json_object();
        _cleanup_free_ char *mode = NULL;
        int r = parse_networks(e, no->networks, &mode, nets, netopts, err);
        if (r < 0)
                return r;
        json_object_set_new(c, "NetworkMode", json_string(mode));
        if (json_object_size(netopts) > 0)
                json_object_set(c, "NetworkOptions", netopts);
        enum engine_netmode m = engine_netmode(c, NULL);
        if (m == NETMODE_BRIDGE) {
                json_t *first = json_array_get(nets, 0);
                if ((no->ip || no->ip6 || no->mac) && json_array_size(nets) > 1)
                        return cu_error_setx(err, EINVAL,
                                             "--ip, --ip6 and --mac-address can only be set for a single network: invalid argument");
                if (no->ip)
                        json_array_append_new(json_object_get(first, "StaticIPs"), json_string(no->ip));
                if (no->ip6)
                        json_array_append_new(json_object_get(first, "StaticIPs"), json_string(no->ip6));
                if (no->mac)
                        json_object_set_new(first, "MAC", json_string(no->mac));
                size_t i;
                json_t *ent;
                json_array_foreach(nets, i, ent)
                        for (char **a = no->aliases; a && *a; a++)
                                json_array_append_new(json_object_get(ent, "Aliases"), json_string(*a));
                if ((r = check_networks(e, nets, err)) < 0)
                        return r;
                json_object_set(c, "Networks", nets);
        } else if (engine_netmode_usermode(m) && (no->ip || no->ip6 || no->mac || no->aliases)) {
                /* podman's wording for these modes */
                const char *flag = no->ip ? "--ip" : no->ip6 ? "--ip6" : no->mac ? "--mac-address" : "--network-alias";
                return cu_error_setx(err, EINVAL, "%s can only be set when the network mode is bridge: invalid argument",
                                     flag);
        } else if (no->ip || no->ip6 || no->mac || no->aliases) {
                return cu_error_setx(err, EINVAL,
                                     "invalid config provided: networks and static ip/mac address can only be used with Bridge mode networking");
        }
        if ((r = config_names(c, no, m, err)) < 0)
                return r;
        if ((r = engine_config_ports(e, c, o, ic, m == NETMODE_BRIDGE || engine_netmode_usermode(m), err)) < 0)
                return r;
        if (m == NETMODE_SLIRP && json_array_size(json_object_get(c, "PortMappings")) > 0) {
                struct slirp_opts so;
                if ((r = engine_slirp_opts(c, &so, err)) < 0)
                        return r;
                /* podman's default handler for a rootless user; cuttle forwards through
                 * slirp4netns's own API only */
                if (so.rootlesskit)
                        return cu_error_setx(err, ENOTSUP,
                                             "port_handler=rootlesskit is not supported by cuttle: use port_handler=slirp4netns");
        }
        return 0;
}

/* ------------------------------------------------------------------ slirp4netns, pasta */

int engine_slirp_opts(json_t *c, struct slirp_opts *ret, struct cu_error **err)
{
        _cleanup_strv_ char **opts = NULL;
        slirp_opts_default(ret);
        json_t *no = json_object_get(c, "NetworkOptions");
        int r = no ? json_get_strv(no, "slirp4netns", "NetworkOptions", &opts, err) : 0;
        return r < 0 ? r : slirp_opts_parse(opts, ret, err);
}

/* ------------------------------------------------------------------ the spec */

/* Whether the user (a volume, a bind mount) already put something at dst. */
static bool user_mounted(json_t *spec, const char *dst)
{
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(spec, "mounts"), i, m) {
                const char *d = json_string_value(json_object_get(m, "destination"));
                if (streq_ptr(d, dst) || streq_ptr(d, "/etc"))
                        return true;
        }
        return false;
}

static int set_netns(json_t *spec, const char *path, bool remove)
{
        json_t *ns = json_object_get(json_object_get(spec, "linux"), "namespaces");
        for (size_t k = json_array_size(ns); k-- > 0;) {
                json_t *n = json_array_get(ns, k);
                if (!streq_ptr(json_string_value(json_object_get(n, "type")), "network"))
                        continue;
                if (remove)
                        return json_array_remove(ns, k);
                if (path)
                        json_object_set_new(n, "path", json_string(path));
                return 0;
        }
        if (!remove && ns)
                json_array_append_new(ns, path ? json_pack("{s:s, s:s}", "type", "network", "path", path)
                                               : json_pack("{s:s}", "type", "network"));
        return 0;
}

/* Without a network namespace of its own, sysfs cannot be mounted: bind the host's. */
static void sys_bind(json_t *spec, bool privileged)
{
        json_t *mounts = json_object_get(spec, "mounts");
        size_t i;
        json_t *m;
        json_array_foreach(mounts, i, m)
                if (streq_ptr(json_string_value(json_object_get(m, "destination")), "/sys")) {
                        json_array_set_new(mounts, i,
                                           json_pack("{s:s, s:s, s:s, s:[s, s, s, s, s]}", "destination", "/sys",
                                                     "type", "bind", "source", "/sys", "options", "rbind",
                                                     "nosuid", "noexec", "nodev", privileged ? "rw" : "ro"));
                        return;
                }
}

/* The container whose namespace container:ID ends at (following container: links), and
 * its mode.  -ELOOP for a cycle. */
static int netns_owner(struct engine *e, const char *id, struct ctr_record **ret, json_t **ret_c,
                       struct cu_error **err)
{
        char cur[CTR_ID_LEN + 1];
        snprintf(cur, sizeof cur, "%s", id);
        for (int depth = 0; depth < 16; depth++) {
                _cleanup_ctr_record_ struct ctr_record *r = NULL;
                int ret_r = ctr_get_by_id(e->db, cur, &r, NULL);
                if (ret_r < 0)
                        return cu_error_setx(err, ENOENT,
                                             "the container %.12s whose network namespace is shared is gone", cur);
                _cleanup_json_ json_t *c = engine_config(r);
                const char *arg = NULL;
                if (engine_netmode(c, &arg) != NETMODE_CONTAINER) {
                        *ret = TAKE_PTR(r);
                        *ret_c = TAKE_PTR(c);
                        return 0;
                }
                snprintf(cur, sizeof cur, "%s", arg);
                if (strcmp(cur, id) == 0)
                        break;
        }
        return cu_error_setx(err, ELOOP, "network namespace dependency loop at container %.12s", id);
}

/* container:ID — the spec joins the owner's namespace; hosts and resolv.conf are its. */
static int spec_container(json_t *spec, struct engine_spec_ctx *x, const char *target,
                          struct cu_error **err)
{
        if (!x->e) { /* no engine: only the shape */
                set_netns(spec, "/proc/0/ns/net", false);
                return 0;
        }
        _cleanup_ctr_record_ struct ctr_record *o = NULL;
        _cleanup_json_ json_t *oc = NULL;
        int r = netns_owner(x->e, target, &o, &oc, err);
        if (r < 0)
                return r;
        if (strcmp(o->id, x->id) == 0)
                return cu_error_setx(err, ELOOP, "network namespace dependency loop at container %.12s", x->id);
        const char *arg = NULL;
        enum engine_netmode m = engine_netmode(oc, &arg);
        if (m == NETMODE_HOST) {
                set_netns(spec, NULL, true);
                sys_bind(spec, json_is_true(json_object_get(x->c, "Privileged")));
        } else if (m == NETMODE_NS) {
                set_netns(spec, arg, false);
        } else {
                engine_refresh(x->e, o, false);
                if (!engine_is_running(o))
                        return cu_error_setx(err, EINVAL,
                                             "cannot join the network namespace of container %s: it is not running: container state improper",
                                             o->name);
                char p[64];
                snprintf(p, sizeof p, "/proc/%lld/ns/net", (long long) o->pid);
                set_netns(spec, p, false);
        }
        if (m == NETMODE_HOST)
                return 0;
        _cleanup_free_ char *ud = engine_path(x->e, o->id, "userdata");
        if (!ud)
                return -ENOMEM;
        const char *files[] = { "hosts", "resolv.conf" };
        for (size_t k = 0; k < ELEMENTSOF(files); k++) {
                char src[4096], dst[64];
                snprintf(src, sizeof src, "%s/%s", ud, files[k]);
                snprintf(dst, sizeof dst, "/etc/%s", files[k]);
                if (access(src, F_OK) == 0 && !user_mounted(spec, dst)) {
                        int b = engine_spec_bind_chroot(spec, x, dst, src);
                        if (b < 0)
                                return b;
                }
        }
        return 0;
}

/* The leases of a bridge container (after setup), for hosts and resolv.conf. */
static int own_leases(struct engine_spec_ctx *x, struct net_lease **ret, size_t *n)
{
        *ret = NULL;
        *n = 0;
        if (!x->e)
                return 0;
        return ipam_leases(x->e->db, NULL, x->id, ret, n, NULL);
}

static int write_hosts(json_t *spec, struct engine_spec_ctx *x, enum engine_netmode m,
                       struct cu_error **err)
{
        const char *hn = json_string_value(json_object_get(spec, "hostname"));
        const char *name = json_string_value(json_object_get(x->c, "Name"));
        /* the base file (containers.conf base_hosts_file, podman 4.3's GetBaseHostFile): ""
         * the host's /etc/hosts, "image" the image's, "none", or a host path; records made
         * before the key existed: the image's */
        _cleanup_free_ char *base = NULL;
        json_t *bhj = json_object_get(x->c, "BaseHostsFile");
        const char *bh = bhj ? strempty(json_string_value(bhj)) : "image";
        if (strcmp(bh, "image") == 0) {
                if (x->rootfd >= 0) {
                        _cleanup_close_ int fd = open_in_root(x->rootfd, "/etc/hosts", O_RDONLY | O_CLOEXEC, 0);
                        if (fd >= 0)
                                (void) read_full_fd(fd, &base, NULL);
                }
        } else if (strcmp(bh, "none") != 0) {
                const char *path = bh[0] ? bh : "/etc/hosts";
                _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0 && errno != ENOENT)
                        return cu_error_set(err, errno, "reading base hosts file %s", path);
                int rr = fd >= 0 ? read_full_fd(fd, &base, NULL) : 0;
                if (rr < 0)
                        return cu_error_set(err, -rr, "reading base hosts file %s", path);
        }
        struct net_lease *l = NULL;
        size_t nl = 0;
        if (m == NETMODE_BRIDGE)
                (void) own_leases(x, &l, &nl);
        char *names[] = { (char *) (hn ? hn : x->id), (char *) strempty(name), NULL };
        struct hosts_entry self[NETWORK_MAX_SUBNETS * 2 + 1];
        char ips[ELEMENTSOF(self)][CU_IP_STRLEN];
        size_t ns = 0;
        const char *gw = NULL;
        char gwb[CU_IP_STRLEN];
        for (size_t i = 0; i < nl && ns < ELEMENTSOF(self); i++) {
                cu_ip_format(&l[i].ip, ips[ns]);
                self[ns] = (struct hosts_entry) { ips[ns], names };
                ns++;
                if (!gw && l[i].ip.family == AF_INET && l[i].gateway.family)
                        gw = cu_ip_format(&l[i].gateway, gwb);
        }
        if (m == NETMODE_NONE || m == NETMODE_NS || m == NETMODE_PASTA)
                self[ns++] = (struct hosts_entry) { (char *) "127.0.0.1", names };
        if (m == NETMODE_SLIRP) {
                struct slirp_opts so;
                struct cu_ip sip;
                int r = engine_slirp_opts(x->c, &so, err);
                if (r < 0 || (r = slirp_addresses(&so, &sip, NULL, NULL, NULL, err)) < 0)
                        return r;
                cu_ip_format(&sip, ips[ns]);
                self[ns] = (struct hosts_entry) { ips[ns], names };
                ns++;
                if (slirp_host_ip(gwb)) /* podman's host.containers.internal for slirp4netns */
                        gw = gwb;
        }
        /* internal networks have no way to the host */
        if (gw && x->e) {
                _cleanup_network_ struct cu_network *n = NULL;
                if (network_get(x->e->db, l[0].network, &n, NULL) >= 0 && n->internal)
                        gw = NULL;
        }
        free(l);
        _cleanup_strv_ char **extra = NULL;
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(x->c, "AddHost"), i, v) {
                const char *s = json_string_value(v);
                const char *sep = s ? strchr(s, ':') : NULL;
                if (sep && strcmp(sep + 1, "host-gateway") == 0) {
                        _cleanup_free_ char *t = NULL;
                        if (!gw)
                                return cu_error_setx(err, EINVAL,
                                                     "host-gateway in --add-host needs a bridge network with a gateway");
                        if (asprintf(&t, "%.*s:%s", (int) (sep - s), s, gw) < 0 || strv_push(&extra, TAKE_PTR(t)) < 0)
                                return -ENOMEM;
                } else if (s && strv_extend(&extra, s) < 0) {
                        return -ENOMEM;
                }
        }
        struct hosts_entry *peers = NULL;
        size_t np = 0;
        if (m == NETMODE_BRIDGE && x->e)
                (void) net_peer_entries(x->e->db, x->id, &peers, &np, NULL);
        struct hosts_params hp = { .base = base, .extra_hosts = extra, .host_internal_ip = gw,
                                   .self = self, .n_self = ns, .peers = peers, .n_peers = np };
        _cleanup_free_ char *text = NULL;
        int r = hosts_build(&hp, &text, err);
        hosts_entries_free(peers, np);
        if (r < 0)
                return r;
        return engine_bundle_file(x->bundle, "hosts", text, err);
}

static int write_resolv(struct engine_spec_ctx *x, enum engine_netmode m, struct cu_error **err)
{
        _cleanup_free_ char *host = NULL;
        int r = resolvconf_read_host(&host, err);
        if (r < 0)
                return r;
        _cleanup_strv_ char **dns = NULL, **search = NULL, **opts = NULL;
        if ((r = json_get_strv(x->c, "DNS", "config", &dns, err)) < 0 ||
            (r = json_get_strv(x->c, "DNSSearch", "config", &search, err)) < 0 ||
            (r = json_get_strv(x->c, "DNSOption", "config", &opts, err)) < 0)
                return r;
        if (m == NETMODE_HOST && !dns && !search && !opts) /* the host's file as it is */
                return engine_bundle_file(x->bundle, "resolv.conf", host, err);
        bool ipv6 = false;
        struct net_lease *l = NULL;
        size_t nl = 0;
        (void) own_leases(x, &l, &nl);
        for (size_t i = 0; i < nl; i++)
                ipv6 |= l[i].ip.family == AF_INET6;
        free(l);
        /* slirp4netns forwards DNS at the CIDR's .3: first, then the host's servers */
        char dnsb[CU_IP_STRLEN];
        char *slirp_dns[] = { dnsb, NULL };
        bool slirp = m == NETMODE_SLIRP;
        if (slirp) {
                struct slirp_opts so;
                struct cu_ip dip;
                if ((r = engine_slirp_opts(x->c, &so, err)) < 0 ||
                    (r = slirp_addresses(&so, NULL, NULL, &dip, NULL, err)) < 0)
                        return r;
                cu_ip_format(&dip, dnsb);
                ipv6 = so.enable_ipv6;
        }
        /* cuttle's networks resolve names through hosts files (network/hosts.h): they have no
         * DNS server of their own to put first */
        struct resolvconf_params p = { .host_text = host, .nameservers = dns, .search = search,
                                       .options = opts, .ipv6 = ipv6,
                                       .network_servers = slirp ? slirp_dns : NULL };
        _cleanup_free_ char *text = NULL;
        if ((r = resolvconf_build(&p, &text, err)) < 0)
                return r;
        return engine_bundle_file(x->bundle, "resolv.conf", text, err);
}

int engine_spec_network(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err)
{
        const char *arg = NULL;
        enum engine_netmode m = engine_netmode(x->c, &arg);
        switch (m) {
        case NETMODE_HOST:
                set_netns(spec, NULL, true);
                sys_bind(spec, json_is_true(json_object_get(x->c, "Privileged")));
                break;
        case NETMODE_CONTAINER:
                return spec_container(spec, x, arg, err);
        case NETMODE_NS:
                set_netns(spec, arg, false);
                break;
        case NETMODE_BRIDGE:
        case NETMODE_NONE:
        case NETMODE_SLIRP:
        case NETMODE_PASTA: {
                _cleanup_free_ char *p = x->e ? net_netns_path(x->e->runroot, x->id) : NULL;
                if (x->e && !p)
                        return -ENOMEM;
                set_netns(spec, p, false);
                break;
        }
        }
        bool hosts = !json_is_true(json_object_get(x->c, "NoHosts")) && !user_mounted(spec, "/etc/hosts");
        json_t *dns = json_object_get(x->c, "DNS");
        bool resolv = !(json_array_size(dns) == 1 && streq_ptr(json_string_value(json_array_get(dns, 0)), "none")) &&
                      !user_mounted(spec, "/etc/resolv.conf");
        int r = 0;
        if (x->write_files && hosts)
                r = write_hosts(spec, x, m, err);
        if (r >= 0 && x->write_files && resolv)
                r = write_resolv(x, m, err);
        if (r < 0)
                return r;
        const char *files[] = { "hosts", "resolv.conf" };
        bool want[] = { hosts, resolv };
        for (size_t k = 0; k < ELEMENTSOF(files); k++) {
                if (!want[k])
                        continue;
                char src[4096], dst[64];
                snprintf(src, sizeof src, "%s/%s", x->bundle, files[k]);
                snprintf(dst, sizeof dst, "/etc/%s", files[k]);
                r = engine_spec_bind_chroot(spec, x, dst, src); /* also into --chrootdirs */
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ------------------------------------------------------------------ inspect, ps */

static json_t *empty_endpoint(json_t *aliases)
{
        return json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:i, s:s, s:s, s:n, s:n, s:n, s:O}", "EndpointID", "",
                         "Gateway", "", "IPAddress", "", "IPPrefixLen", 0, "IPv6Gateway", "",
                         "GlobalIPv6Address", "", "GlobalIPv6PrefixLen", 0, "MacAddress", "", "NetworkID", "",
                         "DriverOpts", "IPAMConfig", "Links", "Aliases", aliases ? aliases : json_null());
}

/* podman's NetworkSettings from the configuration alone (not running). */
static json_t *settings_from_config(json_t *c, struct port_mapping *pm, size_t np)
{
        json_t *st = json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:i, s:s, s:s, s:s, s:b, s:s, s:i, s:o, s:s}",
                               "EndpointID", "", "Gateway", "", "IPAddress", "", "IPPrefixLen", 0,
                               "IPv6Gateway", "", "GlobalIPv6Address", "", "GlobalIPv6PrefixLen", 0,
                               "MacAddress", "", "Bridge", "", "SandboxID", "", "HairpinMode", 0,
                               "LinkLocalIPv6Address", "", "LinkLocalIPv6PrefixLen", 0, "Ports",
                               ports_to_json(pm, np), "SandboxKey", "");
        if (engine_netmode(c, NULL) == NETMODE_BRIDGE) {
                json_t *nets = json_object();
                size_t i;
                json_t *ent;
                json_array_foreach(json_object_get(c, "Networks"), i, ent) {
                        json_t *e = empty_endpoint(json_object_get(ent, "Aliases"));
                        json_object_set_new(e, "NetworkID", json_incref(json_object_get(ent, "Name")));
                        json_object_set(nets, json_string_value(json_object_get(ent, "Name")), e);
                        json_decref(e);
                }
                json_object_set_new(st, "Networks", nets);
        }
        return st;
}

void engine_inspect_network(struct engine *e, const struct ctr_record *r, json_t *c, json_t *out)
{
        struct port_mapping *pm = NULL;
        size_t np = 0;
        (void) engine_ports(e, r, &pm, &np, NULL);
        json_t *st = NULL;
        enum engine_netmode m = engine_netmode(c, NULL);
        if ((m == NETMODE_BRIDGE && engine_is_running(r)) && net_status(e->db, e->runroot, r->id, &st, NULL) >= 0) {
                /* the status's Ports are the assigned ones already */
        } else {
                st = settings_from_config(c, pm, np);
                if ((m == NETMODE_NONE || engine_netmode_usermode(m)) && engine_is_running(r)) {
                        _cleanup_free_ char *p = net_netns_path(e->runroot, r->id);
                        json_object_set_new(st, "SandboxKey", json_string(strempty(p)));
                }
        }
        json_object_set_new(out, "NetworkSettings", st);
        json_t *hc = json_object_get(out, "HostConfig");
        if (hc) {
                json_t *pb = ports_to_json(pm, np);
                /* PortBindings: what was asked for (random ports as "") */
                json_object_set_new(hc, "PortBindings", pb);
                json_object_set_new(hc, "PublishAllPorts", json_boolean(json_is_true(json_object_get(c, "PublishAll"))));
                const char *keys[][2] = { { "Dns", "DNS" }, { "DnsSearch", "DNSSearch" },
                                          { "DnsOptions", "DNSOption" }, { "ExtraHosts", "AddHost" } };
                for (size_t k = 0; k < ELEMENTSOF(keys); k++) {
                        json_t *v = json_object_get(c, keys[k][1]);
                        json_object_set_new(hc, keys[k][0], v ? json_deep_copy(v) : json_array());
                }
        }
        free(pm);
}

void engine_ps_network(struct engine *e, const struct ctr_record *r, json_t *c, json_t *out)
{
        json_t *names = json_array();
        if (engine_netmode(c, NULL) == NETMODE_BRIDGE) {
                size_t i;
                json_t *ent;
                json_array_foreach(json_object_get(c, "Networks"), i, ent)
                        json_array_append(names, json_object_get(ent, "Name"));
        }
        json_object_set_new(out, "Networks", names);
        json_object_set_new(out, "Ports", engine_ps_ports(e, r));
}

/* ------------------------------------------------------------------ cleanup */

int engine_network_cleanup(struct engine *e, struct ctr_record *r, struct cu_error **err)
{
        _cleanup_json_ json_t *c = engine_config(r);
        enum engine_netmode m = engine_netmode(c, NULL);
        if (m != NETMODE_BRIDGE && m != NETMODE_NONE && !engine_netmode_usermode(m))
                return 0;
        /* the helper first: pasta leaves by itself only when the namespace goes, slirp4netns
         * when its exit pipe closes (the monitor's end) — neither may outlive the container */
        if (engine_netmode_usermode(m))
                (void) net_helper_stop(e->runroot, r->id, NULL);
        int ret = net_teardown(e->db, e->runroot, r->id, err);
        return ret < 0 ? cu_error_prefix(err, ret, "cleaning up the network of %.12s", r->id) : 0;
}
