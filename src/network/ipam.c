/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "ipam.h"
#include "util/strv.h"

static int cmp_ip(const void *a, const void *b)
{
        return cu_ip_cmp(a, b);
}

static int random_mac(char out[18])
{
        uint8_t b[6];
        if (getrandom(b, sizeof(b), 0) != sizeof(b))
                return -errno;
        b[0] = (uint8_t) ((b[0] & 0xfe) | 0x02); /* unicast, locally administered */
        snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
        return 0;
}

static int valid_mac(const char *s)
{
        unsigned v[6];
        char tail;
        return s && strlen(s) == 17 &&
               sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", v, v + 1, v + 2, v + 3, v + 4, v + 5, &tail) == 6;
}

static int row_to_lease(sqlite3_stmt *s, struct net_lease *l)
{
        /* network, container, ip, prefix, gateway, mac */
        const char *net = (const char *) sqlite3_column_text(s, 0);
        const char *ctr = (const char *) sqlite3_column_text(s, 1);
        const char *ip = (const char *) sqlite3_column_text(s, 2);
        const char *gw = (const char *) sqlite3_column_text(s, 4);
        const char *mac = (const char *) sqlite3_column_text(s, 5);
        memset(l, 0, sizeof(*l));
        snprintf(l->network, sizeof(l->network), "%s", strempty(net));
        snprintf(l->container, sizeof(l->container), "%s", strempty(ctr));
        snprintf(l->mac, sizeof(l->mac), "%s", strempty(mac));
        l->prefix = (unsigned) sqlite3_column_int(s, 3);
        if (cu_ip_parse(ip, &l->ip, NULL) < 0)
                return -EUCLEAN;
        if (gw && cu_ip_parse(gw, &l->gateway, NULL) < 0)
                return -EUCLEAN;
        return 0;
}

#define LEASE_COLS "network, container, ip, prefix, gateway, mac"

static int query_leases(struct db *db, sqlite3_stmt *s, struct net_lease **ret, size_t *n,
                        struct cu_error **err)
{
        struct net_lease *v = NULL;
        size_t k = 0;
        int r;
        while ((r = db_step(db, s, err)) > 0) {
                struct net_lease *nv = realloc(v, (k + 1) * sizeof(*v));
                if (!nv) {
                        r = -ENOMEM;
                        break;
                }
                v = nv;
                if ((r = row_to_lease(s, v + k)) < 0) {
                        cu_error_setx(err, EUCLEAN, "a lease in the database is not an address");
                        break;
                }
                k++;
        }
        if (r < 0) {
                free(v);
                return r;
        }
        *ret = v;
        *n = k;
        return 0;
}

int ipam_leases(struct db *db, const char *network, const char *container, struct net_lease **ret,
                size_t *n, struct cu_error **err)
{
        int r = networks_migrate(db, err);
        if (r < 0)
                return r;
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, "SELECT " LEASE_COLS " FROM network_leases WHERE container = ?1 "
                                                     "AND (?2 IS NULL OR network = ?2) ORDER BY network, family", err);
        if (!s)
                return -EIO;
        db_bind_text(s, 1, container);
        db_bind_text(s, 2, network);
        return query_leases(db, s, ret, n, err);
}

int ipam_network_leases(struct db *db, const char *network, struct net_lease **ret, size_t *n,
                        struct cu_error **err)
{
        int r = networks_migrate(db, err);
        if (r < 0)
                return r;
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, "SELECT " LEASE_COLS " FROM network_leases WHERE network = ?1 "
                                                     "ORDER BY container, family", err);
        if (!s)
                return -EIO;
        db_bind_text(s, 1, network);
        return query_leases(db, s, ret, n, err);
}

/* Used addresses of a family on a network, sorted. */
static int used_ips(struct db *db, const char *network, int family, struct cu_ip **ret, size_t *n,
                    struct cu_error **err)
{
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, "SELECT ip, container FROM network_leases WHERE network = ? "
                                                     "AND family = ?", err);
        if (!s)
                return -EIO;
        db_bind_text(s, 1, network);
        db_bind_int64(s, 2, family);
        struct cu_ip *v = NULL;
        size_t k = 0, cap = 0;
        int r;
        while ((r = db_step(db, s, err)) > 0) {
                if (k == cap) {
                        cap = cap ? cap * 2 : 64;
                        struct cu_ip *nv = realloc(v, cap * sizeof(*v));
                        if (!nv) {
                                r = -ENOMEM;
                                break;
                        }
                        v = nv;
                }
                if (cu_ip_parse((const char *) sqlite3_column_text(s, 0), v + k, NULL) == 0)
                        k++;
        }
        if (r < 0) {
                free(v);
                return r;
        }
        if (k)
                qsort(v, k, sizeof(*v), cmp_ip);
        *ret = v;
        *n = k;
        return 0;
}

static int lease_owner(struct db *db, const char *network, const struct cu_ip *ip, char **ret,
                       struct cu_error **err)
{
        char b[CU_IP_STRLEN];
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, "SELECT container FROM network_leases WHERE network = ? AND ip = ?", err);
        if (!s)
                return -EIO;
        db_bind_text(s, 1, network);
        db_bind_text(s, 2, cu_ip_format(ip, b));
        int r = db_step(db, s, err);
        if (r <= 0) {
                *ret = NULL;
                return r;
        }
        return db_column_strdup(s, 0, ret) < 0 ? -ENOMEM : 1;
}

static int pick_free(const struct net_subnet *sub, const struct cu_ip *used, size_t nused, struct cu_ip *ret)
{
        struct cu_ip start, end;
        if (sub->has_range) {
                start = sub->range_start;
                end = sub->range_end;
        } else {
                cu_cidr_nth(&sub->subnet, 1, &start);
                cu_cidr_last(&sub->subnet, &end);
        }
        /* never the network address or the IPv4 broadcast */
        struct cu_ip last;
        cu_cidr_last(&sub->subnet, &last);
        if (cu_ip_equal(&start, &sub->subnet.ip) && cu_ip_add(&start, 1, &start) < 0)
                return -ENOSPC;
        if (sub->subnet.ip.family == AF_INET && sub->subnet.prefix < 31 && cu_ip_equal(&end, &last) &&
            cu_ip_cmp(&end, &start) > 0) {
                uint64_t span;
                cu_ip_diff(&start, &end, &span);
                cu_ip_add(&start, span - 1, &end);
        }
        /* walk from start; used is sorted, so one merge pass finds the first gap */
        struct cu_ip cand = start;
        size_t i = 0;
        while (i < nused && cu_ip_cmp(used + i, &cand) < 0)
                i++;
        for (uint64_t guard = 0; guard < ((uint64_t) 1 << 32); guard++) {
                if (cu_ip_cmp(&cand, &end) > 0)
                        return -ENOSPC;
                bool taken = (i < nused && cu_ip_equal(used + i, &cand)) ||
                             (sub->gateway.family && cu_ip_equal(&sub->gateway, &cand));
                if (!taken) {
                        *ret = cand;
                        return 0;
                }
                while (i < nused && cu_ip_cmp(used + i, &cand) <= 0)
                        i++;
                if (cu_ip_add(&cand, 1, &cand) < 0)
                        return -ENOSPC;
        }
        return -ENOSPC;
}

static int insert_lease(struct db *db, const struct net_lease *l, struct cu_error **err)
{
        char ip[CU_IP_STRLEN], gw[CU_IP_STRLEN];
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, "INSERT INTO network_leases (network, container, family, ip, "
                                                     "prefix, gateway, mac) VALUES (?, ?, ?, ?, ?, ?, ?)", err);
        if (!s)
                return -EIO;
        db_bind_text(s, 1, l->network);
        db_bind_text(s, 2, l->container);
        db_bind_int64(s, 3, l->ip.family);
        db_bind_text(s, 4, cu_ip_format(&l->ip, ip));
        db_bind_int64(s, 5, l->prefix);
        db_bind_text(s, 6, l->gateway.family ? cu_ip_format(&l->gateway, gw) : NULL);
        db_bind_text(s, 7, l->mac);
        int r = db_step(db, s, err);
        return r < 0 ? r : 0;
}

static int allocate_locked(struct db *db, const struct cu_network *net, const char *container,
                           char *const *static_ips, const char *mac, struct net_lease **ret, size_t *n,
                           struct cu_error **err)
{
        struct net_lease *have = NULL;
        size_t nhave = 0;
        int r = ipam_leases(db, net->name, container, &have, &nhave, err);
        if (r < 0)
                return r;
        if (nhave > 0) {
                *ret = have;
                *n = nhave;
                return 0;
        }
        free(have);
        char macbuf[18];
        if (mac && *mac) {
                if (!valid_mac(mac))
                        return cu_error_setx(err, EINVAL, "invalid MAC address %s", mac);
                snprintf(macbuf, sizeof(macbuf), "%s", mac);
                for (char *p = macbuf; *p; p++)
                        if (*p >= 'A' && *p <= 'F')
                                *p = (char) (*p - 'A' + 'a');
        } else if ((r = random_mac(macbuf)) < 0) {
                return cu_error_set(err, -r, "generating a MAC address");
        }
        /* static requests must each fall in a subnet */
        struct cu_ip statics[NETWORK_MAX_SUBNETS];
        size_t nstatic = 0;
        for (size_t i = 0; static_ips && static_ips[i]; i++) {
                if (nstatic == NETWORK_MAX_SUBNETS)
                        return cu_error_setx(err, EINVAL, "too many static addresses");
                if ((r = cu_ip_parse(static_ips[i], &statics[nstatic], err)) < 0)
                        return r;
                bool inside = false;
                for (size_t k = 0; k < net->n_subnets && !inside; k++)
                        inside = cu_cidr_contains(&net->subnets[k].subnet, &statics[nstatic]);
                if (!inside)
                        return cu_error_setx(err, EINVAL, "requested static ip %s not in any subnet on network %s",
                                             static_ips[i], net->name);
                nstatic++;
        }
        struct net_lease *out = calloc(net->n_subnets ? net->n_subnets : 1, sizeof(*out));
        if (!out)
                return -ENOMEM;
        size_t k = 0;
        for (size_t i = 0; i < net->n_subnets; i++) {
                const struct net_subnet *sub = net->subnets + i;
                struct net_lease *l = out + k;
                snprintf(l->network, sizeof(l->network), "%s", net->name);
                snprintf(l->container, sizeof(l->container), "%s", container);
                snprintf(l->mac, sizeof(l->mac), "%s", macbuf);
                l->prefix = sub->subnet.prefix;
                l->gateway = sub->gateway;
                /* one address per family: a second subnet of the same family gets none */
                bool dup = false;
                for (size_t j = 0; j < k; j++)
                        dup |= out[j].ip.family == sub->subnet.ip.family;
                if (dup)
                        continue;
                bool fixed = false;
                for (size_t j = 0; j < nstatic && !fixed; j++)
                        if (cu_cidr_contains(&sub->subnet, statics + j)) {
                                l->ip = statics[j];
                                fixed = true;
                        }
                char b[CU_IP_STRLEN];
                if (fixed) {
                        _cleanup_free_ char *owner = NULL;
                        if ((r = lease_owner(db, net->name, &l->ip, &owner, err)) < 0)
                                goto fail;
                        if (r > 0 || (sub->gateway.family && cu_ip_equal(&sub->gateway, &l->ip))) {
                                r = cu_error_setx(err, EADDRINUSE, "requested ip address %s is already allocated to "
                                                  "container ID %s", cu_ip_format(&l->ip, b), owner ? owner : "gateway");
                                goto fail;
                        }
                } else {
                        _cleanup_free_ struct cu_ip *used = NULL;
                        size_t nused = 0;
                        if ((r = used_ips(db, net->name, sub->subnet.ip.family, &used, &nused, err)) < 0)
                                goto fail;
                        if (pick_free(sub, used, nused, &l->ip) < 0) {
                                r = cu_error_setx(err, ENOSPC, "IPAM error: failed to find free IP in range: %s",
                                                  cu_cidr_format(&sub->subnet, b));
                                goto fail;
                        }
                }
                /* no --mac-address: derived from the IPv4 address (as docker does), so that a
                 * reused address keeps its MAC and neighbours' ARP caches stay right */
                if (!(mac && *mac) && k == 0 && l->ip.family == AF_INET) {
                        snprintf(macbuf, sizeof(macbuf), "02:42:%02x:%02x:%02x:%02x", l->ip.a[0], l->ip.a[1],
                                 l->ip.a[2], l->ip.a[3]);
                        snprintf(l->mac, sizeof(l->mac), "%s", macbuf);
                }
                if ((r = insert_lease(db, l, err)) < 0)
                        goto fail;
                k++;
        }
        *ret = out;
        *n = k;
        return 0;
fail:
        free(out);
        return r;
}

int ipam_allocate(struct db *db, const struct cu_network *net, const char *container,
                  char *const *static_ips, const char *mac, struct net_lease **ret, size_t *n,
                  struct cu_error **err)
{
        int r = networks_migrate(db, err);
        if (r < 0 || (r = db_begin(db, err)) < 0)
                return r;
        r = db_end(db, allocate_locked(db, net, container, static_ips, mac, ret, n, err), err);
        if (r < 0)
                return cu_error_prefix(err, r, "allocating an address on network %s", net->name);
        return r;
}

int ipam_release(struct db *db, const char *network, const char *container, struct cu_error **err)
{
        int r = networks_migrate(db, err);
        if (r < 0)
                return r;
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, "DELETE FROM network_leases WHERE container = ?1 "
                                                     "AND (?2 IS NULL OR network = ?2)", err);
        if (!s)
                return -EIO;
        db_bind_text(s, 1, container);
        db_bind_text(s, 2, network);
        r = db_step(db, s, err);
        return r < 0 ? r : 0;
}

int ipam_attachment_put(struct db *db, const char *container, json_t *data, struct cu_error **err)
{
        int r = networks_migrate(db, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *text = json_dumps(data, JSON_COMPACT);
        if (!text)
                return -ENOMEM;
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, "INSERT OR REPLACE INTO network_attachments (container, data) "
                                                     "VALUES (?, ?)", err);
        if (!s)
                return -EIO;
        db_bind_text(s, 1, container);
        db_bind_text(s, 2, text);
        r = db_step(db, s, err);
        return r < 0 ? r : 0;
}

int ipam_attachment_get(struct db *db, const char *container, json_t **ret, struct cu_error **err)
{
        int r = networks_migrate(db, err);
        if (r < 0)
                return r;
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, "SELECT data FROM network_attachments WHERE container = ?", err);
        if (!s)
                return -EIO;
        db_bind_text(s, 1, container);
        r = db_step(db, s, err);
        if (r <= 0) {
                *ret = NULL;
                return r;
        }
        const char *t = (const char *) sqlite3_column_text(s, 0);
        json_error_t je;
        *ret = json_loads(t ? t : "", 0, &je);
        if (!*ret)
                return cu_error_setx(err, EUCLEAN, "attachment record of %s: %s", container, je.text);
        return 0;
}

int ipam_attachment_delete(struct db *db, const char *container, struct cu_error **err)
{
        int r = networks_migrate(db, err);
        if (r < 0)
                return r;
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, "DELETE FROM network_attachments WHERE container = ?", err);
        if (!s)
                return -EIO;
        db_bind_text(s, 1, container);
        r = db_step(db, s, err);
        return r < 0 ? r : 0;
}

int ipam_attachment_list(struct db *db, char ***ret, struct cu_error **err)
{
        int r = networks_migrate(db, err);
        if (r < 0)
                return r;
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, "SELECT container FROM network_attachments ORDER BY container", err);
        if (!s)
                return -EIO;
        _cleanup_strv_ char **v = NULL;
        while ((r = db_step(db, s, err)) > 0)
                if (strv_extend(&v, (const char *) sqlite3_column_text(s, 0)) < 0)
                        return -ENOMEM;
        if (r < 0)
                return r;
        if (!v && !(v = calloc(1, sizeof(char *))))
                return -ENOMEM;
        *ret = TAKE_PTR(v);
        return 0;
}
