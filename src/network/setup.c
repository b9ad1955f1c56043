/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "firewall.h"
#include "hosts.h"
#include "ipam.h"
#include "netlink.h"
#include "netns.h"
#include "networks.h"
#include "setup.h"
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
                int used = network_lease_count(db, p->nets[i]->name, err);
                if (used < 0)
                        return used;
                if (!used)
                        continue;
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

/* fw_net wants an array of cidrs: copy them out of the networks. */
static int plan_apply(struct fw_plan *p, const struct fw_change *chg, struct cu_error **err)
{
        struct cu_cidr cidrs[64][NETWORK_MAX_SUBNETS];
        size_t k = 0;
        for (size_t i = 0; i < p->n_nets && k < p->n_fnets; i++) {
                if (p->fnets[k].bridge != p->nets[i]->interface)
                        continue;
                if (k >= 64)
                        return cu_error_setx(err, E2BIG, "too many networks in use");
                for (size_t j = 0; j < p->nets[i]->n_subnets; j++)
                        cidrs[k][j] = p->nets[i]->subnets[j].subnet;
                p->fnets[k].subnets = cidrs[k];
                k++;
        }
        struct fw_state st = { p->fnets, p->n_fnets, p->ctrs, p->n_ctrs };
        _cleanup_free_ char *script = NULL;
        int r = fw_build(&st, chg, &script, err);
        if (r < 0)
                return r;
        return fw_apply(script, err);
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

/* ---- hosts files of peers ------------------------------------------------------ */

/* Every container sharing a network with id (id included when with_self). */
static int sync_hosts_of(struct db *db, char *const *networks, const char *skip_id, struct cu_error **err)
{
        _cleanup_strv_ char **ids = NULL;
        int r = ipam_attachment_list(db, &ids, err);
        if (r < 0)
                return r;
        for (size_t ni = 0; networks && networks[ni]; ni++) {
                struct hosts_peer *peers = calloc(strv_length(ids) + 1, sizeof(*peers));
                char **keep = NULL; /* strings to free */
                json_t **atts = calloc(strv_length(ids) + 1, sizeof(json_t *));
                size_t np = 0;
                if (!peers || !atts) {
                        free(peers);
                        free(atts);
                        return -ENOMEM;
                }
                for (size_t i = 0; ids[i]; i++) {
                        if (skip_id && strcmp(ids[i], skip_id) == 0)
                                continue;
                        struct net_lease *l = NULL;
                        size_t nl = 0;
                        if (ipam_leases(db, networks[ni], ids[i], &l, &nl, NULL) < 0 || nl == 0) {
                                free(l);
                                continue;
                        }
                        json_t *att = NULL;
                        if (ipam_attachment_get(db, ids[i], &att, NULL) < 0 || !att) {
                                free(l);
                                continue;
                        }
                        char ipb[CU_IP_STRLEN];
                        char *ip = strdup(cu_ip_format(&l[0].ip, ipb));
                        free(l);
                        char **names = NULL;
                        const char *name = json_string_value(json_object_get(att, "name"));
                        if (name && *name)
                                strv_extend(&names, name);
                        json_t *an;
                        size_t k;
                        json_array_foreach(json_object_get(att, "networks"), k, an) {
                                if (!streq_ptr(json_string_value(json_object_get(an, "network")), networks[ni]))
                                        continue;
                                size_t q;
                                json_t *al;
                                json_array_foreach(json_object_get(an, "aliases"), q, al)
                                        if (json_string_value(al) && !strv_contains(names, json_string_value(al)))
                                                strv_extend(&names, json_string_value(al));
                        }
                        char shortid[13];
                        snprintf(shortid, sizeof(shortid), "%.12s", ids[i]);
                        strv_extend(&names, shortid);
                        strv_push(&keep, ip);
                        atts[np] = att;
                        peers[np++] = (struct hosts_peer) { json_string_value(json_object_get(att, "hosts_path")), ip, names };
                }
                _cleanup_error_ struct cu_error *e = NULL;
                r = hosts_sync_peers(peers, np, &e);
                if (r < 0)
                        log_debug("rewriting hosts files of network %s: %s", networks[ni], cu_error_msg(e));
                for (size_t i = 0; i < np; i++) {
                        strv_free(peers[i].names);
                        json_decref(atts[i]);
                }
                free(peers);
                free(atts);
                strv_free(keep);
        }
        return 0;
}

static char **attachment_networks(json_t *att)
{
        char **v = NULL;
        size_t i;
        json_t *an;
        json_array_foreach(json_object_get(att, "networks"), i, an)
                if (json_string_value(json_object_get(an, "network")))
                        strv_extend(&v, json_string_value(json_object_get(an, "network")));
        return v;
}

int net_peer_entries(struct db *db, const char *id, struct hosts_entry **ret, size_t *n, struct cu_error **err)
{
        _cleanup_json_ json_t *att = NULL;
        int r = ipam_attachment_get(db, id, &att, err);
        *ret = NULL;
        *n = 0;
        if (r < 0 || !att)
                return r;
        _cleanup_strv_ char **nets = attachment_networks(att);
        for (size_t ni = 0; nets && nets[ni]; ni++) {
                struct net_lease *l = NULL;
                size_t nl = 0;
                if ((r = ipam_network_leases(db, nets[ni], &l, &nl, err)) < 0)
                        return r;
                for (size_t k = 0; k < nl; k++) {
                        if (strcmp(l[k].container, id) == 0 || (k > 0 && strcmp(l[k].container, l[k - 1].container) == 0))
                                continue;
                        _cleanup_json_ json_t *pa = NULL;
                        ipam_attachment_get(db, l[k].container, &pa, NULL);
                        char **names = NULL;
                        const char *name = pa ? json_string_value(json_object_get(pa, "name")) : NULL;
                        if (name && *name)
                                strv_extend(&names, name);
                        char shortid[13], b[CU_IP_STRLEN];
                        snprintf(shortid, sizeof(shortid), "%.12s", l[k].container);
                        strv_extend(&names, shortid);
                        struct hosts_entry *nv = realloc(*ret, (*n + 1) * sizeof(**ret));
                        if (!nv) {
                                strv_free(names);
                                free(l);
                                return -ENOMEM;
                        }
                        *ret = nv;
                        nv[(*n)++] = (struct hosts_entry) { strdup(cu_ip_format(&l[k].ip, b)), names };
                }
                free(l);
        }
        return 0;
}

int net_set_hosts_path(struct db *db, const char *id, const char *path, struct cu_error **err)
{
        _cleanup_json_ json_t *att = NULL;
        int r = ipam_attachment_get(db, id, &att, err);
        if (r < 0)
                return r;
        if (!att)
                return cu_error_setx(err, ENOENT, "container %s has no network attachment", id);
        json_object_set_new(att, "hosts_path", json_string(path));
        if ((r = ipam_attachment_put(db, id, att, err)) < 0)
                return r;
        _cleanup_strv_ char **nets = attachment_networks(att);
        return sync_hosts_of(db, nets, NULL, err);
}

/* ---- host side ----------------------------------------------------------------- */

static int ensure_bridge(struct rtnl *rt, const struct cu_network *n, bool ports, struct cu_error **err)
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
        int r = rtnl_veth_create(host, veth, ifname, nsfd, mac && *mac ? mac : NULL, n->mtu, err);
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
        for (size_t i = 0; i < nn; i++) {
                int bidx = ensure_bridge(&host, nets[i], o->n_ports > 0, err);
                if (bidx < 0) {
                        r = bidx;
                        goto out;
                }
                struct net_lease *l = NULL;
                size_t nl = 0;
                if ((r = ipam_leases(db, nets[i]->name, o->container_id, &l, &nl, err)) < 0)
                        goto out;
                json_t *an = json_array_get(json_object_get(att, "networks"), i);
                r = attach_one(&host, &ns, nsfd, nets[i], bidx, json_string_value(json_object_get(an, "veth")),
                               json_string_value(json_object_get(an, "ifname")), l, nl, err);
                free(l);
                if (r < 0) {
                        cu_error_prefix(err, r, "network %s", nets[i]->name);
                        goto out;
                }
        }
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
        struct net_attach_opts def = { .network = NETWORK_DEFAULT_NAME };
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
                _cleanup_strv_ char **names = attachment_networks(att);
                sync_hosts_of(db, names, NULL, NULL);
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
        _cleanup_strv_ char **veths = NULL, **bridges = NULL, **nets = att ? attachment_networks(att) : NULL;
        size_t i;
        json_t *an;
        json_array_foreach(att ? json_object_get(att, "networks") : NULL, i, an) {
                strv_extend(&veths, json_string_value(json_object_get(an, "veth")));
                strv_extend(&bridges, json_string_value(json_object_get(an, "bridge")));
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
        for (i = 0; veths && veths[i]; i++) {
                r = rtnl_link_delete(&host, veths[i], NULL);
                if (r < 0 && r != -ENODEV && ret == 0)
                        ret = cu_error_set(err, -r, "deleting %s", veths[i]);
        }
        r = netns_remove(path, ret == 0 ? err : NULL);
        if (r < 0 && ret == 0)
                ret = r;
        if ((r = ipam_release(db, NULL, id, ret == 0 ? err : NULL)) < 0 && ret == 0)
                ret = r;
        if ((r = ipam_attachment_delete(db, id, ret == 0 ? err : NULL)) < 0 && ret == 0)
                ret = r;
        /* bridges whose last container left go, with their chains */
        _cleanup_strv_ char **gone = NULL;
        for (i = 0; nets && nets[i]; i++) {
                int used = network_lease_count(db, nets[i], NULL);
                if (used == 0 && bridges && bridges[i]) {
                        rtnl_link_delete(&host, bridges[i], NULL);
                        strv_extend(&gone, bridges[i]);
                }
        }
        rtnl_close(&host);
        struct fw_plan plan = { 0 };
        if ((r = plan_load(db, &plan, ret == 0 ? err : NULL)) >= 0) {
                struct fw_change chg = { .remove_id = id, .remove_bridges = gone };
                r = plan_apply(&plan, &chg, ret == 0 ? err : NULL);
        }
        plan_done(&plan);
        if (r < 0 && ret == 0)
                ret = r;
        safe_close(lock);
        sync_hosts_of(db, nets, id, NULL);
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
