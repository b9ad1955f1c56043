/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "firewall.h"
#include "hosts.h"
#include "ipam.h"
#include "netlink.h"
#include "netns.h"
#include "networks.h"
#include "setup.h"
#include "setup-internal.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strv.h"

#define MAX_NETS 8

char *net_netns_path(const char *runroot, const char *container_id)
{
        return netns_path(runroot, container_id);
}

static void veth_name(const char *id, size_t idx, char out[IFNAMSIZ])
{
        snprintf(out, IFNAMSIZ, "cuttle-%.7s%zu", id, idx % 10);
}

/* ---- the firewall state from the database -------------------------------- */

struct fw_plan {
        struct cu_network **nets;
        size_t n_nets;
        struct fw_net *fnets;
        size_t n_fnets;
        struct fw_ctr *ctrs;
        size_t n_ctrs;
        struct port_mapping **ports; /* owned, per ctr */
        char **ids;                  /* owned */
};

static void plan_done(struct fw_plan *p)
{
        networks_free(p->nets, p->n_nets);
        free(p->fnets);
        for (size_t i = 0; i < p->n_ctrs; i++)
                free(p->ports[i]);
        free(p->ports);
        free(p->ctrs);
        strv_free(p->ids);
        memset(p, 0, sizeof(*p));
}

static int plan_load(struct db *db, struct fw_plan *p, struct cu_error **err)
{
        int r = network_list(db, &p->nets, &p->n_nets, err);
        if (r < 0)
                return r;
        p->fnets = calloc(p->n_nets + 1, sizeof(*p->fnets));
        if (!p->fnets)
                return -ENOMEM;
        for (size_t i = 0; i < p->n_nets; i++) {
                /* every network has its chains, used or not: a container joining a network
                 * whose chains are in place needs no firewall change at all */
                struct cu_network *n = p->nets[i];
                struct fw_net *f = p->fnets + p->n_fnets++;
                f->bridge = n->interface;
                f->internal = n->internal;
                f->isolate = n->isolate;
                f->n_subnets = n->n_subnets;
                /* the subnets array lives in the network (struct net_subnet starts with the cidr) */
                f->subnets = NULL;
        }
        if ((r = ipam_attachment_list(db, &p->ids, err)) < 0)
                return r;
        size_t nids = strv_length(p->ids);
        p->ctrs = calloc(nids + 1, sizeof(*p->ctrs));
        p->ports = calloc(nids + 1, sizeof(*p->ports));
        if (!p->ctrs || !p->ports)
                return -ENOMEM;
        for (size_t i = 0; i < nids; i++) {
                _cleanup_json_ json_t *a = NULL;
                if ((r = ipam_attachment_get(db, p->ids[i], &a, err)) < 0)
                        return r;
                json_t *pj = a ? json_object_get(a, "ports") : NULL;
                size_t np = 0;
                struct port_mapping *pm = NULL;
                if (pj && (r = ports_load_json(pj, &pm, &np, err)) < 0)
                        return r;
                if (!np) {
                        free(pm);
                        continue;
                }
                struct fw_ctr *c = p->ctrs + p->n_ctrs;
                p->ports[p->n_ctrs++] = pm;
                c->id = p->ids[i];
                c->ports = pm;
                c->n_ports = np;
                struct net_lease *l = NULL;
                size_t nl = 0;
                if ((r = ipam_leases(db, NULL, p->ids[i], &l, &nl, err)) < 0)
                        return r;
                for (size_t k = 0; k < nl; k++) {
                        struct cu_ip *dst = l[k].ip.family == AF_INET ? &c->ip4 : &c->ip6;
                        if (!dst->family)
                                *dst = l[k].ip;
                }
                free(l);
        }
        return 0;
}

/* The subnets of the addresses on a bridge (global ones), at most max: another root sharing
 * the bridge (podman0 of several engines, each with its own default_subnet), or this
 * root's containers still on a subnet the configuration has since changed. */
static size_t bridge_subnets(struct ifaddrs *ifa, const char *bridge, struct cu_cidr *out, size_t max)
{
        size_t k = 0;
        for (struct ifaddrs *i = ifa; i && k < max; i = i->ifa_next)
                if (strcmp(i->ifa_name, bridge) == 0 && network_ifaddr_subnet(i, out + k) > 0 &&
                    !(out[k].ip.family == AF_INET6 && out[k].ip.a[0] == 0xfe && (out[k].ip.a[1] & 0xc0) == 0x80))
                        k++; /* not IPv6 link-local */
        return k;
}

/* Which subnets the firewall rules of a bridge were last written for, by any root of this
 * host: /run/cuttle-netfw/<bridge>, one cidr a line.  A gateway new on a bridge (podman's
 * netavark deletes podman0 with its last container; we make it again) needs the rules
 * rewritten only when they do not cover its subnet yet. */
#define FW_STAMP_DIR "/run/cuttle-netfw"

static void fw_stamp_write(const char *bridge, const struct cu_cidr *c, size_t n)
{
        char path[PATH_MAX], buf[CU_IP_STRLEN];
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        _cleanup_fclose_ FILE *m = open_memstream(&text, &len);
        if (!m)
                return;
        for (size_t i = 0; i < n; i++)
                fprintf(m, "%s\n", cu_cidr_format(c + i, buf));
        if (fflush(m) != 0)
                return;
        (void) mkdir(FW_STAMP_DIR, 0700);
        snprintf(path, sizeof(path), FW_STAMP_DIR "/%s", bridge);
        (void) write_file_atomic(path, text, len, 0600, NULL);
}

static bool fw_stamp_covers(const struct cu_network *n)
{
        char path[PATH_MAX], buf[CU_IP_STRLEN];
        _cleanup_free_ char *text = NULL;
        snprintf(path, sizeof(path), FW_STAMP_DIR "/%s", n->interface);
        if (read_full_file(path, &text, NULL, NULL) < 0)
                return false;
        for (size_t i = 0; i < n->n_subnets; i++) {
                const char *c = cu_cidr_format(&n->subnets[i].subnet, buf);
                size_t l = strlen(c);
                bool found = false;
                for (const char *p = text; p && *p && !found; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
                        found = strncmp(p, c, l) == 0 && (p[l] == '\n' || p[l] == '\0');
                if (!found)
                        return false;
        }
        return true;
}

/* fw_net wants an array of cidrs: copy them out of the networks, with the other subnets
 * that the bridge carries (so that their containers keep their masquerade). */
static int plan_apply(struct fw_plan *p, const struct fw_change *chg, struct cu_error **err)
{
        enum { MAXC = 2 * NETWORK_MAX_SUBNETS };
        struct cu_cidr cidrs[64][MAXC];
        struct ifaddrs *ifa = NULL;
        if (getifaddrs(&ifa) < 0)
                ifa = NULL;
        size_t k = 0;
        for (size_t i = 0; i < p->n_nets && k < p->n_fnets; i++) {
                if (p->fnets[k].bridge != p->nets[i]->interface)
                        continue;
                if (k >= 64) {
                        freeifaddrs(ifa);
                        return cu_error_setx(err, E2BIG, "too many networks in use");
                }
                size_t nc = 0;
                for (size_t j = 0; j < p->nets[i]->n_subnets; j++)
                        cidrs[k][nc++] = p->nets[i]->subnets[j].subnet;
                struct cu_cidr extra[NETWORK_MAX_SUBNETS];
                size_t ne = bridge_subnets(ifa, p->nets[i]->interface, extra, NETWORK_MAX_SUBNETS);
                for (size_t e = 0; e < ne && nc < MAXC; e++) {
                        bool known = false;
                        for (size_t j = 0; j < nc && !known; j++)
                                known = cu_cidr_overlaps(&cidrs[k][j], extra + e);
                        if (!known && !p->nets[i]->internal)
                                cidrs[k][nc++] = extra[e];
                }
                p->fnets[k].subnets = cidrs[k];
                p->fnets[k].n_subnets = nc;
                k++;
        }
        freeifaddrs(ifa);
        struct fw_state st = { p->fnets, p->n_fnets, p->ctrs, p->n_ctrs };
        _cleanup_free_ char *script = NULL;
        int r = fw_build(&st, chg, &script, err);
        if (r >= 0)
                r = fw_apply(script, err);
        for (size_t i = 0; r >= 0 && i < k; i++)
                fw_stamp_write(p->fnets[i].bridge, p->fnets[i].subnets, p->fnets[i].n_subnets);
        return r;
}

/* ---- status ------------------------------------------------------------------- */

static json_t *status_from(json_t *att, const struct net_lease *l, size_t nl, const char *nspath)
{
        json_t *st = json_object();
        json_t *nets = json_object();
        char b[CU_IP_STRLEN];
        bool top = false;
        json_t *anets = json_object_get(att, "networks");
        size_t i;
        json_t *an;
        json_array_foreach(anets, i, an) {
                const char *name = json_string_value(json_object_get(an, "network"));
                json_t *e = json_object();
                json_object_set_new(e, "EndpointID", json_string(""));
                const char *ip4 = "", *gw4 = "", *ip6 = "", *gw6 = "", *mac = "";
                char s_ip4[CU_IP_STRLEN] = "", s_gw4[CU_IP_STRLEN] = "", s_ip6[CU_IP_STRLEN] = "", s_gw6[CU_IP_STRLEN] = "";
                int p4 = 0, p6 = 0;
                for (size_t k = 0; k < nl; k++) {
                        if (strcmp(l[k].network, name) != 0)
                                continue;
                        mac = l[k].mac;
                        if (l[k].ip.family == AF_INET) {
                                ip4 = cu_ip_format(&l[k].ip, s_ip4);
                                p4 = (int) l[k].prefix;
                                if (l[k].gateway.family)
                                        gw4 = cu_ip_format(&l[k].gateway, s_gw4);
                        } else {
                                ip6 = cu_ip_format(&l[k].ip, s_ip6);
                                p6 = (int) l[k].prefix;
                                if (l[k].gateway.family)
                                        gw6 = cu_ip_format(&l[k].gateway, s_gw6);
                        }
                }
                (void) b;
                json_object_set_new(e, "Gateway", json_string(gw4));
                json_object_set_new(e, "IPAddress", json_string(ip4));
                json_object_set_new(e, "IPPrefixLen", json_integer(p4));
                json_object_set_new(e, "IPv6Gateway", json_string(gw6));
                json_object_set_new(e, "GlobalIPv6Address", json_string(ip6));
                json_object_set_new(e, "GlobalIPv6PrefixLen", json_integer(p6));
                json_object_set_new(e, "MacAddress", json_string(mac));
                json_object_set_new(e, "NetworkID", json_string(name));
                json_object_set_new(e, "DriverOpts", json_null());
                json_object_set_new(e, "IPAMConfig", json_null());
                json_object_set_new(e, "Links", json_null());
                json_t *al = json_object_get(an, "aliases");
                json_object_set_new(e, "Aliases", al ? json_incref(al) : json_array());
                if (!top) {
                        top = true;
                        json_object_set_new(st, "EndpointID", json_string(""));
                        json_object_set_new(st, "Gateway", json_string(gw4));
                        json_object_set_new(st, "IPAddress", json_string(ip4));
                        json_object_set_new(st, "IPPrefixLen", json_integer(p4));
                        json_object_set_new(st, "IPv6Gateway", json_string(gw6));
                        json_object_set_new(st, "GlobalIPv6Address", json_string(ip6));
                        json_object_set_new(st, "GlobalIPv6PrefixLen", json_integer(p6));
                        json_object_set_new(st, "MacAddress", json_string(mac));
                }
                json_object_set_new(nets, name, e);
        }
        if (!top) {
                static const char *const strs[] = { "EndpointID", "Gateway", "IPAddress", "IPv6Gateway",
                                                    "GlobalIPv6Address", "MacAddress" };
                for (size_t k = 0; k < ELEMENTSOF(strs); k++)
                        json_object_set_new(st, strs[k], json_string(""));
                json_object_set_new(st, "IPPrefixLen", json_integer(0));
                json_object_set_new(st, "GlobalIPv6PrefixLen", json_integer(0));
        }
        json_object_set_new(st, "Bridge", json_string(""));
        json_object_set_new(st, "SandboxID", json_string(""));
        json_object_set_new(st, "HairpinMode", json_false());
        json_object_set_new(st, "LinkLocalIPv6Address", json_string(""));
        json_object_set_new(st, "LinkLocalIPv6PrefixLen", json_integer(0));
        struct port_mapping *pm = NULL;
        size_t np = 0;
        json_t *pj = json_object_get(att, "ports");
        if (pj)
                ports_load_json(pj, &pm, &np, NULL);
        json_object_set_new(st, "Ports", ports_to_json(pm, np));
        free(pm);
        json_object_set_new(st, "SandboxKey", json_string(nspath ? nspath : ""));
        json_object_set_new(st, "Networks", nets);
        return st;
}

int net_status(struct db *db, const char *runroot, const char *id, json_t **ret, struct cu_error **err)
{
        _cleanup_json_ json_t *att = NULL;
        int r = ipam_attachment_get(db, id, &att, err);
        if (r < 0)
                return r;
        if (!att)
                return cu_error_setx(err, ENOENT, "container %s has no network attachment", id);
        struct net_lease *l = NULL;
        size_t nl = 0;
        if ((r = ipam_leases(db, NULL, id, &l, &nl, err)) < 0)
                return r;
        *ret = status_from(att, l, nl, json_string_value(json_object_get(att, "netns")));
        free(l);
        return *ret ? 0 : -ENOMEM;
}

/* ---- host side ----------------------------------------------------------------- */

/* The bridge up with the network's gateways; *added: a gateway was new on it (its
 * masquerade rules must then be rewritten).  Returns its index. */
static int ensure_bridge(struct rtnl *rt, const struct cu_network *n, bool ports, bool *added,
                         struct cu_error **err)
{
        int idx = rtnl_link_index(rt, n->interface, NULL);
        if (idx < 0) {
                int r = rtnl_bridge_create(rt, n->interface, n->mtu, err);
                if (r < 0 && r != -EEXIST)
                        return r;
                cu_error_clear(err);
                if ((idx = rtnl_link_index(rt, n->interface, err)) < 0)
                        return idx;
        }
        for (size_t i = 0; i < n->n_subnets; i++) {
                const struct net_subnet *s = n->subnets + i;
                if (!s->gateway.family)
                        continue;
                int r = rtnl_addr_add(rt, idx, &s->gateway, s->subnet.prefix, err);
                if (r < 0 && r != -EEXIST)
                        return r;
                if (r >= 0 && added)
                        *added = true;
                cu_error_clear(err);
        }
        char key[128];
        if (ports) {
                /* DNAT of 127.0.0.1:PORT needs loopback sources routable out of the bridge */
                snprintf(key, sizeof(key), "net/ipv4/conf/%s/route_localnet", n->interface);
                int r = sysctl_write(key, "1", err);
                if (r < 0)
                        return r;
        }
        if (!n->internal) {
                int r = sysctl_write("net/ipv4/ip_forward", "1", err);
                if (r < 0)
                        return r;
                if (n->ipv6 && (r = sysctl_write("net/ipv6/conf/all/forwarding", "1", err)) < 0)
                        return r;
        }
        int r = rtnl_link_set(rt, idx, 1, 0, 0, NULL, err);
        return r < 0 ? r : idx;
}

static int attach_one(struct rtnl *host, struct rtnl *ns, int nsfd, const struct cu_network *n, int bridge_idx,
                      const char *veth, const char *ifname, const struct net_lease *l, size_t nl,
                      struct cu_error **err)
{
        const char *mac = nl ? l[0].mac : NULL;
        int r = 0;
        for (int attempt = 0; attempt < 50; attempt++) {
                /* the same container again (a restart): its previous namespace may still be
                 * on its way out in the kernel's cleanup worker, with the old veth */
                r = rtnl_veth_create(host, veth, ifname, nsfd, mac && *mac ? mac : NULL, n->mtu, err);
                if (r != -EEXIST)
                        break;
                cu_error_clear(err);
                if (rtnl_link_delete(host, veth, NULL) == -ENODEV)
                        usleep(2000);
        }
        if (r < 0)
                return r;
        int hidx = rtnl_link_index(host, veth, err);
        if (hidx < 0)
                return hidx;
        if ((r = rtnl_link_set(host, hidx, 1, 0, bridge_idx, NULL, err)) < 0)
                return r;
        int cidx = rtnl_link_index(ns, ifname, err);
        if (cidx < 0)
                return cidx;
        for (size_t i = 0; i < nl; i++)
                if ((r = rtnl_addr_add(ns, cidx, &l[i].ip, l[i].prefix, err)) < 0)
                        return r;
        if ((r = rtnl_link_set(ns, cidx, 1, 0, 0, NULL, err)) < 0)
                return r;
        if (n->internal)
                return 0;
        for (size_t i = 0; i < nl; i++)
                if (l[i].gateway.family && (r = rtnl_route_add_default(ns, &l[i].gateway, cidx, err)) < 0) {
                        if (r != -EEXIST)
                                return r;
                        cu_error_clear(err);
                }
        return 0;
}

static int lo_up(struct rtnl *ns, struct cu_error **err)
{
        int idx = rtnl_link_index(ns, "lo", err);
        if (idx < 0)
                return idx;
        return rtnl_link_set(ns, idx, 1, 0, 0, NULL, err);
}

int net_setup_none(const char *runroot, const char *id, struct cu_error **err)
{
        _cleanup_free_ char *path = netns_path(runroot, id);
        if (!path)
                return -ENOMEM;
        struct rtnl ns = { .fd = -1 };
        int r = netns_create(path, &ns, err);
        if (r < 0)
                return r;
        r = lo_up(&ns, err);
        rtnl_close(&ns);
        if (r < 0)
                netns_remove(path, NULL);
        return r;
}

static int setup_locked(struct db *db, const struct net_setup_opts *o, struct cu_network **nets, size_t nn,
                        json_t *att, const char *path, struct cu_error **err)
{
        struct rtnl host = { .fd = -1 }, ns = { .fd = -1 };
        int nsfd = -1, r;
        if ((r = netns_create(path, &ns, err)) < 0)
                return r;
        if ((r = lo_up(&ns, err)) < 0 || (nsfd = netns_open(path, err)) < 0 || (r = rtnl_open(&host, err)) < 0)
                goto out;
        bool new_gateway = false;
        for (size_t i = 0; i < nn; i++) {
                struct net_lease *l = NULL;
                size_t nl = 0;
                if ((r = ipam_leases(db, nets[i]->name, o->container_id, &l, &nl, err)) < 0)
                        goto out;
                json_t *an = json_array_get(json_object_get(att, "networks"), i);
                const char *veth = json_string_value(json_object_get(an, "veth"));
                for (int attempt = 0;; attempt++) {
                        int bidx = ensure_bridge(&host, nets[i], o->n_ports > 0, &new_gateway, err);
                        if (bidx < 0) {
                                r = bidx;
                                break;
                        }
                        r = attach_one(&host, &ns, nsfd, nets[i], bidx, veth,
                                       json_string_value(json_object_get(an, "ifname")), l, nl, err);
                        /* the bridge deleted under us (another engine on the same host, e.g.
                         * podman's netavark with the same podman0): once more */
                        if (r >= 0 || attempt == 2 || rtnl_link_index(&host, nets[i]->interface, NULL) >= 0)
                                break;
                        cu_error_clear(err);
                        (void) rtnl_link_delete(&host, veth, NULL);
                }
                free(l);
                if (r < 0) {
                        cu_error_prefix(err, r, "network %s", nets[i]->name);
                        goto out;
                }
        }
        bool need_fw = o->n_ports > 0;
        for (size_t i = 0; i < nn && new_gateway && !need_fw; i++)
                need_fw = !fw_stamp_covers(nets[i]);
        for (size_t i = 0; i < nn && !need_fw; i++)
                need_fw = fw_net_installed(nets[i]->interface) != 1;
        if (!need_fw)
                goto out;
        struct fw_plan plan = { 0 };
        if ((r = plan_load(db, &plan, err)) >= 0) {
                struct fw_ctr self = { .id = o->container_id, .ports = o->ports, .n_ports = o->n_ports };
                for (size_t i = 0; i < plan.n_ctrs; i++)
                        if (strcmp(plan.ctrs[i].id, o->container_id) == 0)
                                self = plan.ctrs[i];
                struct fw_change chg = { .add = self.n_ports ? &self : NULL };
                r = plan_apply(&plan, &chg, err);
        }
        plan_done(&plan);
out:
        safe_close(nsfd);
        rtnl_close(&ns);
        if (host.fd >= 0)
                rtnl_close(&host);
        return r;
}

int net_setup(struct db *db, const struct net_setup_opts *o, json_t **ret_status, struct cu_error **err)
{
        struct net_attach_opts def = { .network = network_default_name() };
        const struct net_attach_opts *want = o->n_nets ? o->nets : &def;
        size_t nn = o->n_nets ? o->n_nets : 1;
        if (nn > MAX_NETS)
                return cu_error_setx(err, E2BIG, "a container can join at most %d networks", MAX_NETS);
        if (!o->container_id || strlen(o->container_id) < 12)
                return cu_error_setx(err, EINVAL, "container ID missing or too short");
        _cleanup_free_ char *path = netns_path(o->runroot, o->container_id);
        if (!path)
                return -ENOMEM;
        struct cu_network *nets[MAX_NETS] = { 0 };
        _cleanup_json_ json_t *att = json_object();
        json_t *anets = json_array();
        json_object_set_new(att, "name", json_string(strempty(o->container_name)));
        json_object_set_new(att, "netns", json_string(path));
        json_object_set_new(att, "hosts_path", o->hosts_path ? json_string(o->hosts_path) : json_null());
        json_object_set_new(att, "networks", anets);
        json_object_set_new(att, "ports", ports_save_json(o->ports, o->n_ports));
        int r = 0;
        size_t got = 0;
        for (; got < nn; got++) {
                if ((r = network_get(db, want[got].network, &nets[got], err)) < 0)
                        goto fail;
                for (size_t j = 0; j < got; j++)
                        if (strcmp(nets[j]->name, nets[got]->name) == 0) {
                                r = cu_error_setx(err, EINVAL, "network %s given twice", nets[got]->name);
                                got++;
                                goto fail;
                        }
                char veth[IFNAMSIZ], ifname[IFNAMSIZ];
                veth_name(o->container_id, got, veth);
                snprintf(ifname, sizeof(ifname), "eth%zu", got);
                json_t *an = json_pack("{s:s,s:s,s:s,s:s}", "network", nets[got]->name, "bridge",
                                       nets[got]->interface, "veth", veth, "ifname", ifname);
                json_t *al = json_array();
                for (size_t k = 0; want[got].aliases && want[got].aliases[k]; k++)
                        json_array_append_new(al, json_string(want[got].aliases[k]));
                json_object_set_new(an, "aliases", al);
                json_array_append_new(anets, an);
        }
        /* record first: whatever happens next, teardown finds it */
        if ((r = ipam_attachment_put(db, o->container_id, att, err)) < 0)
                goto fail;
        for (size_t i = 0; i < nn; i++) {
                struct net_lease *l = NULL;
                size_t nl = 0;
                r = ipam_allocate(db, nets[i], o->container_id, want[i].static_ips, want[i].mac, &l, &nl, err);
                free(l);
                if (r < 0)
                        goto fail;
        }
        int lock = fw_lock(o->runroot, err);
        if (lock < 0) {
                r = lock;
                goto fail;
        }
        r = setup_locked(db, o, nets, nn, att, path, err);
        safe_close(lock);
        if (r < 0)
                goto fail;
        {
                _cleanup_strv_ char **names = net_attachment_networks(att);
                net_sync_hosts(db, names, NULL, NULL);
        }
        if (ret_status && (r = net_status(db, o->runroot, o->container_id, ret_status, err)) < 0)
                goto fail;
        for (size_t i = 0; i < nn; i++)
                network_free(nets[i]);
        return 0;
fail:
        for (size_t i = 0; i < got && i < nn; i++)
                network_free(nets[i]);
        {
                _cleanup_error_ struct cu_error *e2 = NULL;
                if (net_teardown(db, o->runroot, o->container_id, &e2) < 0)
                        log_debug("cleaning up after a failed network setup: %s", cu_error_msg(e2));
        }
        return cu_error_prefix(err, r, "setting up the network of %.12s", o->container_id);
}

int net_teardown(struct db *db, const char *runroot, const char *id, struct cu_error **err)
{
        _cleanup_json_ json_t *att = NULL;
        int r = ipam_attachment_get(db, id, &att, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *path = netns_path(runroot, id);
        if (!path)
                return -ENOMEM;
        /* the record is written before any kernel work: without one there is at most a
         * namespace (--network none) */
        if (!att)
                return netns_remove(path, err);
        _cleanup_strv_ char **veths = NULL, **nets = net_attachment_networks(att);
        size_t i;
        json_t *an;
        json_array_foreach(att ? json_object_get(att, "networks") : NULL, i, an) {
                strv_extend(&veths, json_string_value(json_object_get(an, "veth")));
        }
        char v0[IFNAMSIZ];
        veth_name(id, 0, v0);
        if (!strv_contains(veths, v0))
                strv_extend(&veths, v0);
        int ret = 0;
        int lock = fw_lock(runroot, err);
        if (lock < 0)
                return lock;
        struct rtnl host = { .fd = -1 };
        if ((r = rtnl_open(&host, err)) < 0) {
                safe_close(lock);
                return r;
        }
        /* Dropping the namespace's last reference (our mount: the container's processes
         * are gone) makes the kernel destroy it, its eth<n> and their host peers, in its
         * cleanup worker, off our path; deleting a veth here costs ~20 ms of
         * synchronize_net() each.  Only when the namespace was not pinned any more (a
         * crash between the steps) are the veths deleted one by one. */
        bool pinned = umount2(path, MNT_DETACH) == 0;
        r = netns_remove(path, ret == 0 ? err : NULL);
        if (r < 0 && ret == 0)
                ret = r;
        for (i = 0; !pinned && veths && veths[i]; i++) {
                r = rtnl_link_delete(&host, veths[i], NULL);
                if (r < 0 && r != -ENODEV && ret == 0)
                        ret = cu_error_set(err, -r, "deleting %s", veths[i]);
        }
        if ((r = ipam_release(db, NULL, id, ret == 0 ? err : NULL)) < 0 && ret == 0)
                ret = r;
        if ((r = ipam_attachment_delete(db, id, ret == 0 ? err : NULL)) < 0 && ret == 0)
                ret = r;
        /* bridges and their chains stay when the last container leaves (as docker0 does):
         * deleting a bridge costs the kernel tens of milliseconds, and another run would
         * make it again; they go with `network rm`.  The firewall changes only for a
         * container with published ports (its chain). */
        rtnl_close(&host);
        struct fw_plan plan = { 0 };
        r = 0;
        if (json_array_size(json_object_get(att, "ports")) > 0 &&
            (r = plan_load(db, &plan, ret == 0 ? err : NULL)) >= 0) {
                struct fw_change chg = { .remove_id = id };
                r = plan_apply(&plan, &chg, ret == 0 ? err : NULL);
        }
        plan_done(&plan);
        if (r < 0 && ret == 0)
                ret = r;
        safe_close(lock);
        net_sync_hosts(db, nets, id, NULL);
        return ret;
}

int net_reload(struct db *db, const char *runroot, const char *id, json_t **ret_status, struct cu_error **err)
{
        int lock = fw_lock(runroot, err);
        if (lock < 0)
                return lock;
        struct fw_plan plan = { 0 };
        int r = plan_load(db, &plan, err);
        if (r >= 0) {
                struct fw_change chg = { .reload = id == NULL };
                for (size_t i = 0; id && i < plan.n_ctrs; i++)
                        if (strcmp(plan.ctrs[i].id, id) == 0)
                                chg.add = plan.ctrs + i;
                r = plan_apply(&plan, &chg, err);
        }
        plan_done(&plan);
        safe_close(lock);
        if (r < 0)
                return r;
        if (id && ret_status)
                return net_status(db, runroot, id, ret_status, err);
        return 0;
}

int net_network_removed(struct db *db, const char *runroot, const char *bridge, struct cu_error **err)
{
        int lock = fw_lock(runroot, err);
        if (lock < 0)
                return lock;
        struct rtnl host = { .fd = -1 };
        if (rtnl_open(&host, NULL) >= 0) {
                rtnl_link_delete(&host, bridge, NULL);
                rtnl_close(&host);
        }
        struct fw_plan plan = { 0 };
        int r = plan_load(db, &plan, err);
        if (r >= 0) {
                char *gone[] = { (char *) bridge, NULL };
                struct fw_change chg = { .remove_bridges = gone };
                r = plan_apply(&plan, &chg, err);
        }
        plan_done(&plan);
        safe_close(lock);
        return r;
}

/* ---- connect / disconnect of a running container ------------------------------------ */

static json_t *attachment_find(json_t *att, const char *network, size_t *ret_idx)
{
        size_t i;
        json_t *an;
        json_array_foreach(json_object_get(att, "networks"), i, an)
                if (streq_ptr(json_string_value(json_object_get(an, "network")), network)) {
                        if (ret_idx)
                                *ret_idx = i;
                        return an;
                }
        return NULL;
}

static int connect_locked(struct db *db, const char *path, const char *id, const struct cu_network *n,
                          json_t *an, struct cu_error **err)
{
        struct rtnl host = { .fd = -1 }, ns = { .fd = -1 };
        _cleanup_close_ int nsfd = netns_open(path, err);
        if (nsfd < 0)
                return nsfd;
        int r = rtnl_open(&host, err);
        if (r < 0)
                return r;
        if ((r = netns_rtnl(nsfd, &ns, err)) >= 0) {
                struct fw_plan plan = { 0 };
                _cleanup_json_ json_t *att = NULL;
                bool new_gateway = false;
                int bidx = ensure_bridge(&host, n, false, &new_gateway, err);
                struct net_lease *l = NULL;
                size_t nl = 0;
                r = bidx;
                if (r >= 0)
                        r = ipam_leases(db, n->name, id, &l, &nl, err);
                if (r >= 0)
                        r = attach_one(&host, &ns, nsfd, n, bidx, json_string_value(json_object_get(an, "veth")),
                                       json_string_value(json_object_get(an, "ifname")), l, nl, err);
                free(l);
                /* a container with published ports needs route_localnet on the new bridge too */
                if (r >= 0 && ipam_attachment_get(db, id, &att, err) >= 0 && att &&
                    json_array_size(json_object_get(att, "ports")) > 0) {
                        char key[128];
                        snprintf(key, sizeof(key), "net/ipv4/conf/%s/route_localnet", n->interface);
                        r = sysctl_write(key, "1", err);
                }
                if (r >= 0 && ((new_gateway && !fw_stamp_covers(n)) || fw_net_installed(n->interface) != 1) &&
                    (r = plan_load(db, &plan, err)) >= 0) {
                        struct fw_change chg = { 0 };
                        r = plan_apply(&plan, &chg, err);
                }
                plan_done(&plan);
                rtnl_close(&ns);
        }
        rtnl_close(&host);
        return r;
}

int net_connect(struct db *db, const char *runroot, const char *id, const struct net_attach_opts *a,
                struct cu_error **err)
{
        _cleanup_json_ json_t *att = NULL;
        int r = ipam_attachment_get(db, id, &att, err);
        if (r < 0)
                return r;
        if (!att)
                return cu_error_setx(err, ENOENT, "container %.12s has no network namespace set up", id);
        _cleanup_network_ struct cu_network *n = NULL;
        if ((r = network_get(db, a->network, &n, err)) < 0)
                return r;
        if (attachment_find(att, n->name, NULL))
                return cu_error_setx(err, EEXIST, "container %s is already connected to network %s: network already exists",
                                     id, n->name);
        json_t *anets = json_object_get(att, "networks");
        if (json_array_size(anets) >= MAX_NETS)
                return cu_error_setx(err, E2BIG, "a container can join at most %d networks", MAX_NETS);
        /* the first free interface number */
        size_t idx = 0;
        for (bool used = true; used; idx += used) {
                char want[IFNAMSIZ];
                snprintf(want, sizeof(want), "eth%zu", idx);
                used = false;
                size_t i;
                json_t *an;
                json_array_foreach(anets, i, an)
                        used |= streq_ptr(json_string_value(json_object_get(an, "ifname")), want);
        }
        char veth[IFNAMSIZ], ifname[IFNAMSIZ];
        veth_name(id, idx, veth);
        snprintf(ifname, sizeof(ifname), "eth%zu", idx);
        json_t *an = json_pack("{s:s,s:s,s:s,s:s,s:[]}", "network", n->name, "bridge", n->interface, "veth", veth,
                               "ifname", ifname, "aliases");
        for (size_t k = 0; a->aliases && a->aliases[k]; k++)
                json_array_append_new(json_object_get(an, "aliases"), json_string(a->aliases[k]));
        json_array_append_new(anets, an);
        if ((r = ipam_attachment_put(db, id, att, err)) < 0)
                return r;
        struct net_lease *l = NULL;
        size_t nl = 0;
        r = ipam_allocate(db, n, id, a->static_ips, a->mac, &l, &nl, err);
        free(l);
        _cleanup_free_ char *path = netns_path(runroot, id);
        if (r >= 0 && !path)
                r = -ENOMEM;
        if (r >= 0) {
                int lock = fw_lock(runroot, err);
                if (lock < 0)
                        r = lock;
                else {
                        r = connect_locked(db, path, id, n, an, err);
                        safe_close(lock);
                }
        }
        if (r < 0) {
                _cleanup_error_ struct cu_error *e2 = NULL;
                if (net_disconnect(db, runroot, id, n->name, &e2) < 0)
                        log_debug("undoing a failed connect: %s", cu_error_msg(e2));
                return cu_error_prefix(err, r, "connecting %.12s to network %s", id, n->name);
        }
        _cleanup_strv_ char **names = net_attachment_networks(att);
        net_sync_hosts(db, names, NULL, NULL);
        return 0;
}

int net_disconnect(struct db *db, const char *runroot, const char *id, const char *network,
                   struct cu_error **err)
{
        _cleanup_json_ json_t *att = NULL;
        int r = ipam_attachment_get(db, id, &att, err);
        if (r < 0)
                return r;
        size_t idx = 0;
        json_t *an = att ? attachment_find(att, network, &idx) : NULL;
        if (!an)
                return cu_error_setx(err, ENOENT, "container %s is not connected to network %s", id, network);
        _cleanup_free_ char *veth = strdup(strempty(json_string_value(json_object_get(an, "veth"))));
        if (!veth)
                return -ENOMEM;
        int lock = fw_lock(runroot, err);
        if (lock < 0)
                return lock;
        struct rtnl host = { .fd = -1 };
        if ((r = rtnl_open(&host, err)) >= 0) {
                int d = rtnl_link_delete(&host, veth, NULL);
                if (d < 0 && d != -ENODEV)
                        r = cu_error_set(err, -d, "deleting %s", veth);
        }
        if (r >= 0)
                r = ipam_release(db, network, id, err);
        if (r >= 0) {
                json_array_remove(json_object_get(att, "networks"), idx);
                r = ipam_attachment_put(db, id, att, err);
        }
        /* the bridge and its chains stay (see net_teardown) */
        if (host.fd >= 0)
                rtnl_close(&host);
        safe_close(lock);
        char *nets[] = { (char *) network, NULL };
        net_sync_hosts(db, nets, NULL, NULL);
        return r;
}
