/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Names between containers (aardvark-dns's job in podman): cuttle keeps each container's
 * /etc/hosts peers section in step with the leases of its networks instead of running a
 * DNS responder per network; hosts.h says why.  Every join and leave rewrites the files of
 * the network's other containers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hosts.h"
#include "ipam.h"
#include "setup.h"
#include "setup-internal.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strv.h"

/* Every container sharing a network with id (id included when with_self). */
int net_sync_hosts(struct db *db, char *const *networks, const char *skip_id, struct cu_error **err)
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

char **net_attachment_networks(json_t *att)
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
        _cleanup_strv_ char **nets = net_attachment_networks(att);
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
                        size_t q;
                        json_t *an;
                        json_array_foreach(pa ? json_object_get(pa, "networks") : NULL, q, an) {
                                if (!streq_ptr(json_string_value(json_object_get(an, "network")), nets[ni]))
                                        continue;
                                size_t z;
                                json_t *al;
                                json_array_foreach(json_object_get(an, "aliases"), z, al)
                                        if (json_string_value(al) && !strv_contains(names, json_string_value(al)))
                                                strv_extend(&names, json_string_value(al));
                        }
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
        _cleanup_strv_ char **nets = net_attachment_networks(att);
        return net_sync_hosts(db, nets, NULL, err);
}

