/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fnmatch.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "netfiles.h"
#include "networks.h"
#include "util/json.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/strv.h"

/* sha256("podman"): podman's fixed ID of its default network. */
#define DEFAULT_ID "2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9"

static const char *const schema_steps[] = {
        "CREATE TABLE networks ("
        "  name TEXT PRIMARY KEY,"
        "  id TEXT NOT NULL UNIQUE,"
        "  interface TEXT NOT NULL UNIQUE,"
        "  data TEXT NOT NULL);"
        "CREATE TABLE network_leases ("
        "  network TEXT NOT NULL REFERENCES networks(name) ON DELETE CASCADE,"
        "  container TEXT NOT NULL,"
        "  family INTEGER NOT NULL,"
        "  ip TEXT NOT NULL,"
        "  prefix INTEGER NOT NULL,"
        "  gateway TEXT,"
        "  mac TEXT,"
        "  PRIMARY KEY (network, container, family),"
        "  UNIQUE (network, ip));"
        "CREATE INDEX network_leases_container ON network_leases(container);"
        "CREATE TABLE network_attachments ("
        "  container TEXT PRIMARY KEY,"
        "  data TEXT NOT NULL);",
        /* 2: leases name networks that may live in files or be the built-in default (no
         * foreign key); the default network is no longer stored (it follows the
         * configuration), so the record cuttle made on first use goes */
        "CREATE TABLE network_leases_new ("
        "  network TEXT NOT NULL,"
        "  container TEXT NOT NULL,"
        "  family INTEGER NOT NULL,"
        "  ip TEXT NOT NULL,"
        "  prefix INTEGER NOT NULL,"
        "  gateway TEXT,"
        "  mac TEXT,"
        "  PRIMARY KEY (network, container, family),"
        "  UNIQUE (network, ip));"
        "INSERT INTO network_leases_new SELECT network, container, family, ip, prefix, gateway, mac "
        "  FROM network_leases;"
        "DROP TABLE network_leases;"
        "ALTER TABLE network_leases_new RENAME TO network_leases;"
        "CREATE INDEX network_leases_container ON network_leases(container);"
        "DELETE FROM networks WHERE id = '" DEFAULT_ID "';",
};

int networks_migrate(struct db *db, struct cu_error **err)
{
        return db_migrate(db, "networks", schema_steps, ELEMENTSOF(schema_steps), err);
}

struct cu_network *network_free(struct cu_network *n)
{
        if (!n)
                return NULL;
        free(n->name);
        free(n->id);
        free(n->driver);
        free(n->interface);
        free(n->created);
        strv_free(n->labels);
        strv_free(n->options);
        free(n);
        return NULL;
}

void networks_free(struct cu_network **v, size_t n)
{
        for (size_t i = 0; v && i < n; i++)
                network_free(v[i]);
        free(v);
}

int network_name_valid(const char *name, struct cu_error **err)
{
        bool ok = name && ((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z') ||
                           (name[0] >= '0' && name[0] <= '9'));
        for (const char *p = name ? name + 1 : NULL; ok && *p; p++)
                ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                     *p == '_' || *p == '.' || *p == '-';
        if (!ok)
                return cu_error_setx(err, EINVAL, "network name %s invalid: names must match "
                                     "[a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument", strempty(name));
        return 0;
}

/* ---- reading -------------------------------------------------------------- */

static int load_row(sqlite3_stmt *s, struct cu_network **ret, struct cu_error **err)
{
        const char *data = (const char *) sqlite3_column_text(s, 0);
        _cleanup_json_ json_t *o = json_load_data(data ? data : "", data ? strlen(data) : 0, "network record", err);
        if (!o)
                return -EINVAL;
        return network_from_json(o, ret, err);
}

static int network_insert(struct db *db, const struct cu_network *n, struct cu_error **err)
{
        _cleanup_json_ json_t *o = network_to_json(n);
        _cleanup_free_ char *data = json_dumps(o, JSON_COMPACT);
        if (!data)
                return -ENOMEM;
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, "INSERT INTO networks (name, id, interface, data) "
                                                     "VALUES (?, ?, ?, ?)", err);
        if (!s)
                return -EIO;
        db_bind_text(s, 1, n->name);
        db_bind_text(s, 2, n->id);
        db_bind_text(s, 3, n->interface);
        db_bind_text(s, 4, data);
        int r = db_step(db, s, err);
        return r < 0 ? r : 0;
}

static char *now_rfc3339(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        char date[32], frac[16];
        strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
        /* Go's RFC3339Nano drops trailing zeros of the fraction */
        snprintf(frac, sizeof(frac), ".%09ld", ts.tv_nsec);
        size_t l = strlen(frac);
        while (l > 1 && frac[l - 1] == '0')
                frac[--l] = '\0';
        if (l == 1)
                frac[0] = '\0';
        char *out = NULL;
        return asprintf(&out, "%s%sZ", date, frac) < 0 ? NULL : out;
}

static int not_found(const char *what, struct cu_error **err)
{
        return cu_error_setx(err, ENOENT, "unable to find network with name or ID %s: network not found", what);
}

/* ---- the configuration and the built-in default network ------------------------ */

static struct {
        char *default_name;  /* NULL: NETWORK_DEFAULT_NAME */
        char *config_dir;    /* NULL: the database */
        bool have_subnet;
        struct cu_cidr subnet;
} cfg;

int networks_set_config(const struct networks_config *c, struct cu_error **err)
{
        const char *name = c && c->default_network && *c->default_network ? c->default_network : NULL;
        const char *sub = c && c->default_subnet && *c->default_subnet ? c->default_subnet : NULL;
        const char *dir = c && c->config_dir && *c->config_dir ? c->config_dir : NULL;
        struct cu_cidr cidr = { 0 };
        struct cu_ip gw;
        char b[CU_IP_STRLEN];
        _cleanup_error_ struct cu_error *e = NULL;
        if (name && network_name_valid(name, &e) < 0)
                return cu_error_setx(err, EINVAL, "invalid default_network \"%s\" in containers.conf: %s", name,
                                     cu_error_msg(e));
        if (sub && cu_cidr_parse(sub, &cidr, NULL, &e) < 0)
                return cu_error_setx(err, EINVAL, "failed to parse default subnet: %s", cu_error_msg(e));
        /* podman takes a /31 or /32 and makes a network no container can join */
        if (sub && (cu_cidr_default_gateway(&cidr, &gw) < 0 ||
                    (cidr.ip.family == AF_INET && cidr.prefix > 30) || cidr.prefix > 126))
                return cu_error_setx(err, EINVAL, "failed to parse default subnet: subnet %s is too small",
                                     cu_cidr_format(&cidr, b));
        _cleanup_free_ char *n = name ? strdup(name) : NULL, *d = dir ? strdup(dir) : NULL;
        if ((name && !n) || (dir && !d))
                return -ENOMEM;
        free(cfg.default_name);
        free(cfg.config_dir);
        cfg.default_name = TAKE_PTR(n);
        cfg.config_dir = TAKE_PTR(d);
        cfg.have_subnet = sub != NULL;
        cfg.subnet = cidr;
        return 0;
}

const char *network_default_name(void)
{
        return cfg.default_name ? cfg.default_name : NETWORK_DEFAULT_NAME;
}

bool network_is_default(const char *name)
{
        return name && strcmp(name, network_default_name()) == 0;
}

const char *networks_config_dir(void)
{
        return cfg.config_dir;
}

int network_builtin_default(struct cu_network **ret, struct cu_error **err)
{
        _cleanup_network_ struct cu_network *n = calloc(1, sizeof(*n));
        if (!n || !(n->name = strdup(network_default_name())) || !(n->id = strdup(DEFAULT_ID)) ||
            !(n->driver = strdup("bridge")) || !(n->interface = strdup(NETWORK_DEFAULT_IFACE)) ||
            !(n->created = now_rfc3339()))
                return cu_error_set(err, ENOMEM, "building the default network");
        struct net_subnet *s = n->subnets;
        if (cfg.have_subnet)
                s->subnet = cfg.subnet;
        else
                cu_cidr_parse(NETWORK_DEFAULT_SUBNET, &s->subnet, NULL, NULL);
        cu_cidr_default_gateway(&s->subnet, &s->gateway);
        n->n_subnets = 1;
        n->ipv6 = s->subnet.ip.family == AF_INET6;
        *ret = TAKE_PTR(n);
        return 0;
}

/* ---- reading: the store (database or files), then the default ------------------ */

static int db_list(struct db *db, struct cu_network ***ret, size_t *n, struct cu_error **err)
{
        int r = networks_migrate(db, err);
        if (r < 0)
                return r;
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, "SELECT data FROM networks ORDER BY name", err);
        if (!s)
                return -EIO;
        struct cu_network **v = calloc(1, sizeof(*v));
        size_t k = 0;
        if (!v)
                return -ENOMEM;
        while ((r = db_step(db, s, err)) > 0) {
                struct cu_network *net = NULL;
                struct cu_network **nv = realloc(v, (k + 2) * sizeof(*v));
                if (!nv) {
                        r = -ENOMEM;
                        break;
                }
                v = nv;
                if ((r = load_row(s, &net, err)) < 0)
                        break;
                v[k++] = net;
                v[k] = NULL;
        }
        if (r < 0) {
                networks_free(v, k);
                return r;
        }
        *ret = v;
        *n = k;
        return 0;
}

static int cmp_net(const void *a, const void *b)
{
        return strcmp((*(struct cu_network *const *) a)->name, (*(struct cu_network *const *) b)->name);
}

int network_list(struct db *db, struct cu_network ***ret, size_t *n, struct cu_error **err)
{
        struct cu_network **v = NULL;
        size_t k = 0;
        int r = cfg.config_dir ? netfiles_list(cfg.config_dir, &v, &k, err) : db_list(db, &v, &k, err);
        if (r < 0)
                return r;
        bool stored = false;
        for (size_t i = 0; i < k && !stored; i++)
                stored = network_is_default(v[i]->name);
        if (!stored) {
                struct cu_network **nv = realloc(v, (k + 2) * sizeof(*v));
                if (!nv) {
                        networks_free(v, k);
                        return -ENOMEM;
                }
                v = nv;
                if ((r = network_builtin_default(&v[k], err)) < 0) {
                        networks_free(v, k);
                        return r;
                }
                v[++k] = NULL;
                qsort(v, k, sizeof(*v), cmp_net);
        }
        *ret = v;
        *n = k;
        return 0;
}

int network_get(struct db *db, const char *name_or_id, struct cu_network **ret, struct cu_error **err)
{
        if (!name_or_id || !*name_or_id)
                return not_found("", err);
        /* the usual case, a name: one file, no directory walk */
        if (cfg.config_dir) {
                int r = netfiles_get(cfg.config_dir, name_or_id, ret, err);
                if (r != 0)
                        return r < 0 ? r : 0;
                if (network_is_default(name_or_id))
                        return network_builtin_default(ret, err);
        }
        struct cu_network **v = NULL;
        size_t n = 0;
        int r = network_list(db, &v, &n, err);
        if (r < 0)
                return r;
        /* an exact name wins; several ID prefixes are ambiguous */
        size_t hit = n, prefixes = 0;
        for (size_t i = 0; i < n && hit == n; i++)
                if (strcmp(v[i]->name, name_or_id) == 0)
                        hit = i;
        size_t by_id = n;
        for (size_t i = 0; i < n && hit == n; i++)
                if (strncmp(v[i]->id, name_or_id, strlen(name_or_id)) == 0) {
                        by_id = i;
                        prefixes++;
                }
        if (hit == n && prefixes == 1)
                hit = by_id;
        if (hit < n) {
                *ret = v[hit];
                v[hit] = v[--n];
                r = 0;
        } else if (prefixes > 1) {
                r = cu_error_setx(err, ENOTUNIQ, "more than one result for network ID %s", name_or_id);
        } else {
                r = not_found(name_or_id, err);
        }
        networks_free(v, n);
        return r;
}

int network_lease_count(struct db *db, const char *name, struct cu_error **err)
{
        int r = networks_migrate(db, err);
        if (r < 0)
                return r;
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, "SELECT count(DISTINCT container) FROM network_leases "
                                                     "WHERE network = ?", err);
        if (!s)
                return -EIO;
        db_bind_text(s, 1, name);
        r = db_step(db, s, err);
        if (r < 0)
                return r;
        return (int) sqlite3_column_int64(s, 0);
}

static int db_remove_locked(struct db *db, const char *name, bool force, struct cu_error **err)
{
        int used = network_lease_count(db, name, err);
        if (used < 0)
                return used;
        if (used > 0 && !force)
                return cu_error_setx(err, EBUSY, "\"%s\" has associated containers with it. Use -f to "
                                     "forcibly delete containers and pods: network is being used", name);
        int r = 0;
        if (!cfg.config_dir) {
                _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, "DELETE FROM networks WHERE name = ?", err);
                if (!s)
                        return -EIO;
                db_bind_text(s, 1, name);
                r = db_step(db, s, err);
                if (r >= 0 && db_changes(db) == 0)
                        return not_found(name, err);
        } else if ((r = netfiles_remove(cfg.config_dir, name, err)) < 0) {
                return r == -ENOENT ? not_found(name, err) : r;
        }
        if (r >= 0 && used > 0) {
                _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, "DELETE FROM network_leases WHERE network = ?", err);
                if (!s)
                        return -EIO;
                db_bind_text(s, 1, name);
                r = db_step(db, s, err);
        }
        return r < 0 ? r : 0;
}

int network_remove(struct db *db, const char *name, bool force, struct cu_error **err)
{
        if (network_is_default(name))
                return cu_error_setx(err, EPERM, "default network %s cannot be removed", name);
        int r = networks_migrate(db, err);
        if (r < 0)
                return r;
        int lock = -EBADF;
        if (cfg.config_dir && (lock = netfiles_lock(cfg.config_dir, err)) < 0)
                return lock;
        if ((r = db_begin(db, err)) >= 0)
                r = db_end(db, db_remove_locked(db, name, force, err), err);
        safe_close(lock);
        return r;
}

/* ---- create --------------------------------------------------------------- */

static int random_hex_id(char **ret)
{
        uint8_t b[32];
        if (getrandom(b, sizeof(b), 0) != sizeof(b))
                return -errno;
        char *s = malloc(65);
        if (!s)
                return -ENOMEM;
        for (size_t i = 0; i < 32; i++)
                snprintf(s + 2 * i, 3, "%02x", b[i]);
        *ret = s;
        return 0;
}

int network_ifaddr_subnet(const struct ifaddrs *i, struct cu_cidr *ret)
{
        if (!i->ifa_addr || !i->ifa_netmask ||
            (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
                return 0;
        bool v4 = i->ifa_addr->sa_family == AF_INET;
        struct cu_ip a = { .family = i->ifa_addr->sa_family }, m = a;
        size_t len = v4 ? 4 : 16;
        memcpy(a.a, v4 ? (const void *) &((const struct sockaddr_in *) i->ifa_addr)->sin_addr
                       : (const void *) &((const struct sockaddr_in6 *) i->ifa_addr)->sin6_addr, len);
        memcpy(m.a, v4 ? (const void *) &((const struct sockaddr_in *) i->ifa_netmask)->sin_addr
                       : (const void *) &((const struct sockaddr_in6 *) i->ifa_netmask)->sin6_addr, len);
        unsigned prefix = 0;
        while (prefix < len * 8 && (m.a[prefix / 8] & (0x80 >> (prefix % 8))))
                prefix++;
        char text[CU_IP_STRLEN + 8], b[CU_IP_STRLEN];
        snprintf(text, sizeof(text), "%s/%u", cu_ip_format(&a, b), prefix);
        return prefix > 0 && cu_cidr_parse(text, ret, NULL, NULL) == 0 ? 1 : 0;
}

/* Subnets on the host's interfaces, except bridges of our own networks. */
static int host_subnet_used(const struct cu_cidr *c, struct cu_network **nets, size_t nn)
{
        struct ifaddrs *ifa = NULL;
        if (getifaddrs(&ifa) < 0)
                return -errno;
        int used = 0;
        for (struct ifaddrs *i = ifa; i && !used; i = i->ifa_next) {
                bool ours = false;
                for (size_t k = 0; k < nn && !ours; k++)
                        ours = strcmp(nets[k]->interface, i->ifa_name) == 0;
                struct cu_cidr hc;
                used = !ours && network_ifaddr_subnet(i, &hc) > 0 && cu_cidr_overlaps(&hc, c);
        }
        freeifaddrs(ifa);
        return used;
}

static int subnet_used(const struct cu_cidr *c, struct cu_network **nets, size_t nn, bool host_check)
{
        for (size_t k = 0; k < nn; k++)
                for (size_t i = 0; i < nets[k]->n_subnets; i++)
                        if (cu_cidr_overlaps(&nets[k]->subnets[i].subnet, c))
                                return 1;
        return host_check ? host_subnet_used(c, nets, nn) : 0;
}

static bool ipv6_available(void)
{
        return access("/proc/net/if_inet6", F_OK) == 0;
}

static int parse_kv(char *const *in, char ***out, struct cu_error **err)
{
        for (size_t i = 0; in && in[i]; i++) {
                const char *eq = strchr(in[i], '=');
                _cleanup_free_ char *k = eq ? strndup(in[i], (size_t) (eq - in[i])) : strdup(in[i]);
                if (!k)
                        return -ENOMEM;
                if (!*k)
                        return cu_error_setx(err, EINVAL, "invalid label or option \"%s\": empty key", in[i]);
                /* later values replace earlier ones, as a Go map does */
                bool replaced = false;
                for (size_t j = 0; *out && (*out)[j]; j += 2)
                        if (strcmp((*out)[j], k) == 0) {
                                free((*out)[j + 1]);
                                (*out)[j + 1] = strdup(eq ? eq + 1 : "");
                                if (!(*out)[j + 1])
                                        return -ENOMEM;
                                replaced = true;
                        }
                if (!replaced && (strv_extend(out, k) < 0 || strv_extend(out, eq ? eq + 1 : "") < 0))
                        return -ENOMEM;
        }
        return 0;
}

static int pick_interface(struct cu_network **nets, size_t nn, char **ret)
{
        for (unsigned i = 0; i < 10000; i++) {
                char name[IFNAMSIZ];
                snprintf(name, sizeof(name), "cuttle%u", i);
                bool used = false;
                for (size_t k = 0; k < nn && !used; k++)
                        used = strcmp(nets[k]->interface, name) == 0;
                if (!used)
                        return (*ret = strdup(name)) ? 0 : -ENOMEM;
        }
        return -ENOSPC;
}

static int fill_subnet(struct net_subnet *s, const char *sub, const char *gw, const char *range,
                       bool internal, struct cu_error **err)
{
        int r = cu_cidr_parse(sub, &s->subnet, NULL, err);
        if (r < 0)
                return r;
        char b1[CU_IP_STRLEN], b2[CU_IP_STRLEN];
        if (gw && *gw) {
                if ((r = cu_ip_parse(gw, &s->gateway, err)) < 0)
                        return r;
                if (!cu_cidr_contains(&s->subnet, &s->gateway))
                        return cu_error_setx(err, EINVAL, "gateway %s not in subnet %s",
                                             cu_ip_format(&s->gateway, b1), cu_cidr_format(&s->subnet, b2));
        } else if (!internal || true) {
                if (cu_cidr_default_gateway(&s->subnet, &s->gateway) < 0)
                        return cu_error_setx(err, EINVAL, "subnet %s is too small", cu_cidr_format(&s->subnet, b1));
        }
        if (range && *range) {
                struct cu_cidr rc;
                if ((r = cu_cidr_parse(range, &rc, NULL, err)) < 0)
                        return r;
                if (!cu_cidr_contains(&s->subnet, &rc.ip) || rc.prefix < s->subnet.prefix)
                        return cu_error_setx(err, EINVAL, "lease range %s does not match subnet %s",
                                             cu_cidr_format(&rc, b1), cu_cidr_format(&s->subnet, b2));
                s->has_range = true;
                /* podman: the first usable address of the range .. its last address */
                if (cu_ip_add(&rc.ip, rc.ip.family == AF_INET && rc.prefix < 31 ? 1 : 0, &s->range_start) < 0)
                        s->range_start = rc.ip;
                cu_cidr_last(&rc, &s->range_end);
        }
        return 0;
}

static int create_locked(struct db *db, const struct network_create_opts *o, struct cu_network **ret,
                         struct cu_error **err)
{
        struct cu_network **nets = NULL;
        size_t nn = 0;
        int r = network_list(db, &nets, &nn, err);
        if (r < 0)
                return r;
        _cleanup_network_ struct cu_network *n = calloc(1, sizeof(*n));
        if (!n) {
                networks_free(nets, nn);
                return -ENOMEM;
        }
        /* the name */
        if (o->name) {
                n->name = strdup(o->name);
        } else {
                for (unsigned i = 1; !n->name && i < 10000; i++) {
                        char cand[32];
                        snprintf(cand, sizeof(cand), "cuttle%u", i);
                        bool used = false;
                        for (size_t k = 0; k < nn && !used; k++)
                                used = strcmp(nets[k]->name, cand) == 0;
                        if (!used)
                                n->name = strdup(cand);
                }
        }
        if (!n->name) {
                r = -ENOMEM;
                goto out;
        }
        for (size_t k = 0; k < nn; k++)
                if (strcmp(nets[k]->name, n->name) == 0) {
                        if (o->ignore_existing) {
                                *ret = nets[k];
                                nets[k] = nets[--nn];
                                r = 0;
                                goto out;
                        }
                        r = cu_error_setx(err, EEXIST, "network name %s already used: network already exists", n->name);
                        goto out;
                }
        n->driver = strdup("bridge");
        n->created = now_rfc3339();
        if (!n->driver || !n->created || random_hex_id(&n->id) < 0) {
                r = -ENOMEM;
                goto out;
        }
        if (o->interface) {
                if (strlen(o->interface) >= IFNAMSIZ || strchr(o->interface, '/') || !*o->interface) {
                        r = cu_error_setx(err, EINVAL, "interface name %s invalid", o->interface);
                        goto out;
                }
                for (size_t k = 0; k < nn; k++)
                        if (strcmp(nets[k]->interface, o->interface) == 0) {
                                r = cu_error_setx(err, EEXIST, "bridge name %s already in use", o->interface);
                                goto out;
                        }
                n->interface = strdup(o->interface);
        } else if ((r = pick_interface(nets, nn, &n->interface)) < 0) {
                goto out;
        }
        n->internal = o->internal;
        n->dns_enabled = !o->disable_dns;
        if ((r = parse_kv(o->labels, &n->labels, err)) < 0 || (r = parse_kv(o->options, &n->options, err)) < 0 ||
            (r = network_parse_options(n, err)) < 0)
                goto out;
        size_t ns = strv_length(o->subnets);
        if (ns > NETWORK_MAX_SUBNETS) {
                r = cu_error_setx(err, EINVAL, "too many subnets");
                goto out;
        }
        if (strv_length(o->gateways) > ns || strv_length(o->ip_ranges) > ns) {
                r = cu_error_setx(err, EINVAL, ns ? "cannot set more ranges or gateways than subnets"
                                                  : "cannot set gateway or range without subnet");
                goto out;
        }
        bool have_v4 = false, have_v6 = false;
        size_t ngw = strv_length(o->gateways), nrange = strv_length(o->ip_ranges);
        for (size_t i = 0; i < ns; i++) {
                struct net_subnet *s = n->subnets + n->n_subnets;
                r = fill_subnet(s, o->subnets[i], i < ngw ? o->gateways[i] : NULL,
                                i < nrange ? o->ip_ranges[i] : NULL, o->internal, err);
                if (r < 0)
                        goto out;
                char b[CU_IP_STRLEN];
                for (size_t j = 0; j < n->n_subnets; j++)
                        if (cu_cidr_overlaps(&n->subnets[j].subnet, &s->subnet)) {
                                r = cu_error_setx(err, EINVAL, "subnet %s is used twice", cu_cidr_format(&s->subnet, b));
                                goto out;
                        }
                if ((r = subnet_used(&s->subnet, nets, nn, !o->skip_host_check)) != 0) {
                        if (r > 0)
                                r = cu_error_setx(err, EADDRINUSE, "subnet %s is already used on the host or by "
                                                  "another config", cu_cidr_format(&s->subnet, b));
                        goto out;
                }
                have_v4 |= s->subnet.ip.family == AF_INET;
                have_v6 |= s->subnet.ip.family == AF_INET6;
                n->n_subnets++;
        }
        if (have_v6 || o->ipv6) {
                if (!ipv6_available()) {
                        r = cu_error_setx(err, EAFNOSUPPORT, "cannot create an IPv6 network: IPv6 is disabled on this host");
                        goto out;
                }
                n->ipv6 = true;
        }
        /* free subnets from podman's pools when none (or only one family) was given */
        if (!have_v4 && (!o->ipv6 || ns == 0)) {
                for (unsigned k = 0; k < 256 && !have_v4; k++) {
                        char cand[32];
                        snprintf(cand, sizeof(cand), "10.89.%u.0/24", k);
                        struct net_subnet s = { 0 };
                        fill_subnet(&s, cand, NULL, NULL, o->internal, NULL);
                        if ((r = subnet_used(&s.subnet, nets, nn, !o->skip_host_check)) < 0)
                                goto out;
                        if (r == 0) {
                                n->subnets[n->n_subnets++] = s;
                                have_v4 = true;
                        }
                }
                if (!have_v4) {
                        r = cu_error_setx(err, ENOSPC, "could not find free subnet from subnet pools");
                        goto out;
                }
        }
        if (n->ipv6 && !have_v6) {
                if (n->n_subnets >= NETWORK_MAX_SUBNETS) {
                        r = -E2BIG;
                        goto out;
                }
                uint8_t rnd[5];
                if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd)) {
                        r = -errno;
                        goto out;
                }
                char cand[64];
                snprintf(cand, sizeof(cand), "fd%02x:%02x%02x:%02x%02x::/64", rnd[0], rnd[1], rnd[2], rnd[3], rnd[4]);
                struct net_subnet s = { 0 };
                if ((r = fill_subnet(&s, cand, NULL, NULL, o->internal, err)) < 0)
                        goto out;
                n->subnets[n->n_subnets++] = s;
        }
        r = cfg.config_dir ? netfiles_write(cfg.config_dir, n, err) : network_insert(db, n, err);
        if (r < 0)
                goto out;
        *ret = TAKE_PTR(n);
        r = 0;
out:
        networks_free(nets, nn);
        return r;
}

int network_create(struct db *db, const struct network_create_opts *o, struct cu_network **ret,
                   struct cu_error **err)
{
        if (o->name) {
                int r = network_name_valid(o->name, err);
                if (r < 0)
                        return r;
                static const char *const reserved[] = { "bridge", "host", "none", "private", "slirp4netns",
                                                        "pasta", "container", "ns", "default" };
                for (size_t i = 0; i < ELEMENTSOF(reserved); i++)
                        if (strcmp(o->name, reserved[i]) == 0)
                                return cu_error_setx(err, EINVAL, "cannot create network with name \"%s\" because "
                                                     "it conflicts with a valid network mode", o->name);
        }
        if (o->driver && strcmp(o->driver, "bridge") != 0)
                return cu_error_setx(err, EINVAL, "unsupported driver %s: invalid argument", o->driver);
        int r = networks_migrate(db, err);
        if (r < 0)
                return r;
        if (!cfg.config_dir) {
                if ((r = db_begin(db, err)) < 0)
                        return r;
                return db_end(db, create_locked(db, o, ret, err), err);
        }
        int lock = netfiles_lock(cfg.config_dir, err);
        if (lock < 0)
                return lock;
        r = create_locked(db, o, ret, err);
        safe_close(lock);
        return r;
}

/* ---- filters -------------------------------------------------------------- */

int network_filter_match(const struct cu_network *n, char *const *filters, struct cu_error **err)
{
        /* podman: values of one key are ORed, different keys ANDed */
        static const char *const keys[] = { "name", "id", "driver", "label", "label!" };
        for (size_t k = 0; k < ELEMENTSOF(keys); k++) {
                bool seen = false, any = false;
                for (size_t i = 0; filters && filters[i]; i++) {
                        const char *f = filters[i], *eq = strchr(f, '=');
                        if (!eq)
                                return cu_error_setx(err, EINVAL, "invalid filter \"%s\"", f);
                        size_t kl = (size_t) (eq - f);
                        bool known = false;
                        for (size_t j = 0; j < ELEMENTSOF(keys); j++)
                                known |= strlen(keys[j]) == kl && strncmp(keys[j], f, kl) == 0;
                        if (!known)
                                return cu_error_setx(err, EINVAL, "invalid filter \"%.*s\"", (int) kl, f);
                        if (strlen(keys[k]) != kl || strncmp(keys[k], f, kl) != 0)
                                continue;
                        seen = true;
                        const char *v = eq + 1;
                        bool m = false;
                        if (k == 0)
                                m = strstr(n->name, v) != NULL || fnmatch(v, n->name, 0) == 0;
                        else if (k == 1)
                                m = strncmp(n->id, v, strlen(v)) == 0;
                        else if (k == 2)
                                m = strcmp(n->driver, v) == 0;
                        else {
                                const char *veq = strchr(v, '=');
                                _cleanup_free_ char *lk = veq ? strndup(v, (size_t) (veq - v)) : strdup(v);
                                if (!lk)
                                        return -ENOMEM;
                                const char *have = strv_map_get(n->labels, lk);
                                m = have && (!veq || strcmp(have, veq + 1) == 0);
                                if (k == 4)
                                        m = !m;
                        }
                        any |= m;
                }
                if (seen && !any)
                        return 0;
        }
        return 1;
}
