/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Published ports: -p/--publish, -P/--publish-all over the image's EXPOSE and --expose
 * (config PortMappings, host port 0 = a random one picked at start), and what `port`,
 * inspect and ps show.  A host port is checked to be free at create (so that `run` fails
 * before anything is made) and again at start, when random ports are chosen: against the
 * host's sockets (a bind) and the ports other containers publish (DNAT rules hold no
 * socket).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/internal.h"
#include "network/ipam.h"
#include "network/ports.h"
#include "network/slirp.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strv.h"

static bool covered(const struct port_mapping *v, size_t n, const struct port_mapping *m)
{
        for (size_t i = 0; i < n; i++)
                if ((v[i].protocols & m->protocols) && m->container_port >= v[i].container_port &&
                    m->container_port < v[i].container_port + v[i].range)
                        return true;
        return false;
}

/* The image's ExposedPorts keys and --expose, as a vector. */
static char **exposed_ports(json_t *ic, char *const *expose)
{
        char **v = NULL;
        const char *k;
        json_t *val;
        json_object_foreach(json_object_get(ic, "ExposedPorts"), k, val)
                (void) strv_extend(&v, k);
        for (; expose && *expose; expose++)
                (void) strv_extend(&v, *expose);
        return v;
}

int engine_ports_check_others(struct engine *e, const char *self_id, const struct port_mapping *v,
                              size_t n, struct cu_error **err)
{
        _cleanup_strv_ char **ids = NULL;
        int r = ipam_attachment_list(e->db, &ids, err);
        if (r < 0)
                return r;
        for (char **id = ids; id && *id; id++) {
                if (self_id && strcmp(*id, self_id) == 0)
                        continue;
                _cleanup_json_ json_t *att = NULL;
                if (ipam_attachment_get(e->db, *id, &att, NULL) < 0 || !att)
                        continue;
                struct port_mapping *o = NULL;
                size_t no = 0;
                if (ports_load_json(json_object_get(att, "ports"), &o, &no, NULL) < 0 || !no) {
                        free(o);
                        continue;
                }
                struct port_mapping *all = realloc(o, (no + n) * sizeof(*all));
                if (!all) {
                        free(o);
                        return -ENOMEM;
                }
                memcpy(all + no, v, n * sizeof(*v));
                _cleanup_error_ struct cu_error *e2 = NULL;
                r = ports_check_overlap(all, no + n, &e2);
                free(all);
                if (r < 0)
                        return cu_error_setx(err, EADDRINUSE, "%s: it is published by container %.12s",
                                             cu_error_msg(e2), *id);
        }
        return 0;
}

int engine_config_ports(struct engine *e, json_t *c, const struct engine_create_opts *o,
                        json_t *ic, bool bridge, struct cu_error **err)
{
        const struct engine_net_opts *no = &o->net;
        struct port_mapping *v = NULL, *ex = NULL;
        size_t n = 0, nex = 0;
        _cleanup_strv_ char **exposed = exposed_ports(ic, no->expose);
        int r = 0;
        for (char **p = no->publish; p && *p && r >= 0; p++)
                r = ports_parse(*p, &v, &n, err);
        if (r >= 0)
                r = ports_publish_all(exposed, &ex, &nex, err); /* validates --expose too */
        if (r >= 0 && no->publish_all)
                for (size_t i = 0; i < nex && r >= 0; i++) {
                        if (covered(v, n, ex + i))
                                continue;
                        struct port_mapping *nv = realloc(v, (n + 1) * sizeof(*v));
                        if (!nv) {
                                r = -ENOMEM;
                                break;
                        }
                        v = nv;
                        v[n++] = ex[i];
                }
        free(ex);
        if (r >= 0 && !bridge && n > 0) {
                /* podman: "Port mappings have been discarded as one of the Host, Container, Pod,
                 * and None network modes are in use" */
                log_debug("port mappings discarded: the container has no bridge network");
                n = 0;
        }
        if (r >= 0)
                r = ports_check_overlap(v, n, err);
        if (r >= 0 && n > 0) {
                /* fixed host ports must be free now; random ones are picked at start */
                struct port_mapping *fixed = calloc(n, sizeof(*fixed));
                size_t nf = 0;
                if (!fixed)
                        r = -ENOMEM;
                for (size_t i = 0; fixed && i < n; i++)
                        if (v[i].host_port)
                                fixed[nf++] = v[i];
                if (r >= 0)
                        r = engine_ports_check_others(e, NULL, fixed, nf, err);
                if (r >= 0)
                        r = ports_assign(fixed, nf, err);
                free(fixed);
        }
        if (r >= 0) {
                json_object_set_new(c, "PortMappings", ports_save_json(v, n));
                json_object_set_new(c, "PublishAll", json_boolean(no->publish_all));
                json_t *ep = json_object();
                for (char **p = exposed; p && *p; p++)
                        json_object_set_new(ep, *p, json_object());
                json_object_set_new(c, "ExposedPorts", ep);
        }
        free(v);
        if (r == -ENOMEM)
                return cu_error_set(err, ENOMEM, "port mappings");
        return r;
}

int engine_ports(struct engine *e, const struct ctr_record *r, struct port_mapping **ret,
                 size_t *ret_n, struct cu_error **err)
{
        *ret = NULL;
        *ret_n = 0;
        _cleanup_json_ json_t *att = NULL;
        if (engine_is_running(r) && ipam_attachment_get(e->db, r->id, &att, NULL) >= 0 && att &&
            json_object_get(att, "ports"))
                return ports_load_json(json_object_get(att, "ports"), ret, ret_n, err);
        _cleanup_json_ json_t *c = engine_config(r);
        /* slirp4netns / pasta: the ports as their helper forwards them */
        if (engine_is_running(r) && engine_netmode_usermode(engine_netmode(c, NULL)) &&
            net_helper_ports(e->runroot, r->id, ret, ret_n, NULL) >= 0)
                return 0;
        json_t *pm = json_object_get(c, "PortMappings");
        if (!pm)
                return 0;
        return ports_load_json(pm, ret, ret_n, err);
}

json_t *engine_ps_ports(struct engine *e, const struct ctr_record *r)
{
        struct port_mapping *v = NULL;
        size_t n = 0;
        if (engine_ports(e, r, &v, &n, NULL) < 0 || n == 0) {
                free(v);
                return json_null();
        }
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
                for (unsigned p = PORT_TCP; p <= PORT_SCTP; p <<= 1)
                        if (v[i].protocols & p)
                                json_array_append_new(a, json_pack("{s:s, s:i, s:i, s:i, s:s}", "host_ip",
                                                                   v[i].host_ip, "container_port",
                                                                   v[i].container_port, "host_port",
                                                                   v[i].host_port, "range", v[i].range,
                                                                   "protocol", ports_proto_name(p)));
        free(v);
        return a;
}
