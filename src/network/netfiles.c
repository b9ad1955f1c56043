/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netfiles.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/strv.h"

/* ---- the JSON of a definition ----------------------------------------------- */

static json_t *kv_object(char *const *kv)
{
        json_t *o = json_object();
        for (size_t i = 0; kv && kv[i] && kv[i + 1]; i += 2)
                json_object_set_new(o, kv[i], json_string(kv[i + 1]));
        return o;
}

json_t *network_to_json(const struct cu_network *n)
{
        json_t *o = json_object();
        char buf[CU_IP_STRLEN];
        json_object_set_new(o, "name", json_string(n->name));
        json_object_set_new(o, "id", json_string(n->id));
        json_object_set_new(o, "driver", json_string(n->driver));
        json_object_set_new(o, "network_interface", json_string(n->interface));
        json_object_set_new(o, "created", json_string(n->created));
        json_t *subs = json_array();
        for (size_t i = 0; i < n->n_subnets; i++) {
                const struct net_subnet *s = n->subnets + i;
                json_t *so = json_object();
                json_object_set_new(so, "subnet", json_string(cu_cidr_format(&s->subnet, buf)));
                if (s->gateway.family)
                        json_object_set_new(so, "gateway", json_string(cu_ip_format(&s->gateway, buf)));
                if (s->has_range) {
                        json_t *lr = json_object();
                        json_object_set_new(lr, "start_ip", json_string(cu_ip_format(&s->range_start, buf)));
                        json_object_set_new(lr, "end_ip", json_string(cu_ip_format(&s->range_end, buf)));
                        json_object_set_new(so, "lease_range", lr);
                }
                json_array_append_new(subs, so);
        }
        json_object_set_new(o, "subnets", subs);
        json_object_set_new(o, "ipv6_enabled", json_boolean(n->ipv6));
        json_object_set_new(o, "internal", json_boolean(n->internal));
        json_object_set_new(o, "dns_enabled", json_boolean(n->dns_enabled));
        if (n->labels && n->labels[0])
                json_object_set_new(o, "labels", kv_object(n->labels));
        if (n->options && n->options[0])
                json_object_set_new(o, "options", kv_object(n->options));
        json_object_set_new(o, "ipam_options", json_pack("{s:s}", "driver", "host-local"));
        return o;
}

int network_parse_options(struct cu_network *n, struct cu_error **err)
{
        for (size_t i = 0; n->options && n->options[i] && n->options[i + 1]; i += 2) {
                const char *k = n->options[i], *v = n->options[i + 1];
                if (strcmp(k, "mtu") == 0) {
                        unsigned mtu;
                        if (safe_atou(v, &mtu) < 0 || (mtu && (mtu < 68 || mtu > 65535)))
                                return cu_error_setx(err, EINVAL, "invalid mtu %s", v);
                        n->mtu = mtu;
                } else if (strcmp(k, "isolate") == 0) {
                        if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
                                n->isolate = true;
                        else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0 || !*v)
                                n->isolate = false;
                        else
                                return cu_error_setx(err, EINVAL, "failed to parse isolate option: "
                                                     "strconv.ParseBool: parsing \"%s\": invalid syntax", v);
                } else {
                        return cu_error_setx(err, EINVAL, "unsupported bridge network option %s", k);
                }
        }
        return 0;
}

static bool hex64(const char *s)
{
        size_t i = 0;
        for (; s && s[i]; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return i == 64;
}

static int subnet_from_json(json_t *s, struct net_subnet *ns, struct cu_error **err)
{
        json_t *lr = NULL;
        _cleanup_free_ char *sub = NULL, *gw = NULL, *start = NULL, *end = NULL;
        int r;
        if (!json_is_object(s))
                return cu_error_setx(err, EINVAL, "network.subnets: expected objects");
        if ((r = json_get_string(s, "subnet", "subnet", &sub, err)) < 0 ||
            (r = json_get_string(s, "gateway", "subnet", &gw, err)) < 0 ||
            (r = json_get_object(s, "lease_range", "subnet", &lr, err)) < 0)
                return r;
        if ((r = cu_cidr_parse(sub, &ns->subnet, NULL, err)) < 0)
                return r;
        char b1[CU_IP_STRLEN], b2[CU_IP_STRLEN];
        if (gw && (r = cu_ip_parse(gw, &ns->gateway, err)) < 0)
                return r;
        if (gw && !cu_cidr_contains(&ns->subnet, &ns->gateway))
                return cu_error_setx(err, EINVAL, "gateway %s not in subnet %s", gw, cu_cidr_format(&ns->subnet, b2));
        if (!lr)
                return 0;
        if ((r = json_get_string(lr, "start_ip", "lease_range", &start, err)) < 0 ||
            (r = json_get_string(lr, "end_ip", "lease_range", &end, err)) < 0 ||
            (r = cu_ip_parse(start, &ns->range_start, err)) < 0 || (r = cu_ip_parse(end, &ns->range_end, err)) < 0)
                return r;
        if (!cu_cidr_contains(&ns->subnet, &ns->range_start) || !cu_cidr_contains(&ns->subnet, &ns->range_end) ||
            cu_ip_cmp(&ns->range_start, &ns->range_end) > 0)
                return cu_error_setx(err, EINVAL, "lease range %s-%s does not match subnet %s",
                                     cu_ip_format(&ns->range_start, b1), end, cu_cidr_format(&ns->subnet, b2));
        ns->has_range = true;
        return 0;
}

int network_from_json(json_t *o, struct cu_network **ret, struct cu_error **err)
{
        if (!json_is_object(o))
                return cu_error_setx(err, EINVAL, "network: expected an object");
        _cleanup_network_ struct cu_network *n = calloc(1, sizeof(*n));
        if (!n)
                return -ENOMEM;
        int r;
        if ((r = json_get_string(o, "name", "network", &n->name, err)) < 0 ||
            (r = json_get_string(o, "id", "network", &n->id, err)) < 0 ||
            (r = json_get_string(o, "driver", "network", &n->driver, err)) < 0 ||
            (r = json_get_string(o, "network_interface", "network", &n->interface, err)) < 0 ||
            (r = json_get_string(o, "created", "network", &n->created, err)) < 0 ||
            (r = json_get_bool(o, "ipv6_enabled", "network", &n->ipv6, NULL, err)) < 0 ||
            (r = json_get_bool(o, "internal", "network", &n->internal, NULL, err)) < 0 ||
            (r = json_get_bool(o, "dns_enabled", "network", &n->dns_enabled, NULL, err)) < 0 ||
            (r = json_get_string_map(o, "labels", "network", &n->labels, err)) < 0 ||
            (r = json_get_string_map(o, "options", "network", &n->options, err)) < 0)
                return r;
        if (!n->name || network_name_valid(n->name, NULL) < 0)
                return cu_error_setx(err, EINVAL, "invalid network name \"%s\"", strempty(n->name));
        if (!hex64(n->id))
                return cu_error_setx(err, EINVAL, "invalid network ID \"%s\"", strempty(n->id));
        if (!n->interface || !*n->interface || strlen(n->interface) >= 16 || strchr(n->interface, '/'))
                return cu_error_setx(err, EINVAL, "invalid network interface \"%s\"", strempty(n->interface));
        if (!n->driver && !(n->driver = strdup("bridge")))
                return -ENOMEM;
        if (!n->created && !(n->created = strdup("")))
                return -ENOMEM;
        json_t *subs = NULL;
        if ((r = json_get_array(o, "subnets", "network", &subs, err)) < 0)
                return r;
        size_t i;
        json_t *s;
        json_array_foreach(subs, i, s) {
                if (i >= NETWORK_MAX_SUBNETS)
                        return cu_error_setx(err, EINVAL, "network: too many subnets");
                if ((r = subnet_from_json(s, n->subnets + i, err)) < 0)
                        return r;
                n->n_subnets++;
        }
        if ((r = network_parse_options(n, err)) < 0)
                return r;
        *ret = TAKE_PTR(n);
        return 0;
}

char *netfiles_format(const struct cu_network *n)
{
        _cleanup_json_ json_t *o = network_to_json(n);
        char *text = o ? json_dumps(o, JSON_INDENT(5)) : NULL;
        if (!text)
                return NULL;
        size_t len = strlen(text);
        char *out = realloc(text, len + 2);
        if (!out) {
                free(text);
                return NULL;
        }
        out[len] = '\n';
        out[len + 1] = '\0';
        return out;
}

/* ---- the directory --------------------------------------------------------------- */

static bool json_name(const char *f)
{
        size_t l = strlen(f);
        return l > 5 && strcmp(f + l - 5, ".json") == 0;
}

/* 1 and *ret: a valid definition; 0: skipped (warned); <0: out of memory. */
static int load_file(int dfd, const char *dir, const char *file, struct cu_network **ret)
{
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r = read_full_file_at(dfd, file, &data, &len);
        if (r == -ENOMEM)
                return r;
        if (r == -ENOENT)
                return 0;
        if (r < 0) {
                log_warn("Error reading network config file \"%s/%s\": %s, skipping", dir, file, strerror(-r));
                return 0;
        }
        _cleanup_error_ struct cu_error *e = NULL;
        _cleanup_json_ json_t *o = json_load_data(data, len, file, &e);
        if (!o) {
                log_warn("Error reading network config file \"%s/%s\": %s, skipping", dir, file, cu_error_msg(e));
                return 0;
        }
        const char *name = json_string_value(json_object_get(o, "name"));
        if (!name || strncmp(name, file, strlen(file) - 5) != 0 || strlen(name) != strlen(file) - 5) {
                log_warn("Network config name \"%s\" does not match file name \"%s\", skipping", strempty(name), file);
                return 0;
        }
        _cleanup_network_ struct cu_network *n = NULL;
        if ((r = network_from_json(o, &n, &e)) == -ENOMEM)
                return r;
        if (r < 0) {
                log_warn("Network config \"%s/%s\" could not be parsed, skipping: %s", dir, file, cu_error_msg(e));
                return 0;
        }
        if (strcmp(n->driver, "bridge") != 0) {
                log_warn("Network config \"%s/%s\" uses the %s driver, which cuttle does not support, skipping",
                         dir, file, n->driver);
                return 0;
        }
        *ret = TAKE_PTR(n);
        return 1;
}

static int cmp_net(const void *a, const void *b)
{
        return strcmp((*(struct cu_network *const *) a)->name, (*(struct cu_network *const *) b)->name);
}

int netfiles_list(const char *dir, struct cu_network ***ret, size_t *n, struct cu_error **err)
{
        struct cu_network **v = calloc(1, sizeof(*v));
        size_t k = 0;
        if (!v)
                return -ENOMEM;
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0) {
                if (errno == ENOENT) {
                        *ret = v;
                        *n = 0;
                        return 0;
                }
                free(v);
                return cu_error_set(err, errno, "reading the network config directory %s", dir);
        }
        DIR *d = fdopendir(dfd);
        if (!d) {
                safe_close(dfd);
                free(v);
                return cu_error_set(err, errno, "reading the network config directory %s", dir);
        }
        int r = 0;
        struct dirent *de;
        while (r >= 0 && (errno = 0, de = readdir(d))) {
                if (de->d_name[0] == '.' || !json_name(de->d_name) ||
                    (de->d_type != DT_REG && de->d_type != DT_LNK && de->d_type != DT_UNKNOWN))
                        continue;
                struct cu_network *net = NULL;
                if ((r = load_file(dirfd(d), dir, de->d_name, &net)) <= 0)
                        continue;
                struct cu_network **nv = realloc(v, (k + 2) * sizeof(*v));
                if (!nv) {
                        network_free(net);
                        r = -ENOMEM;
                        break;
                }
                v = nv;
                v[k++] = net;
                v[k] = NULL;
        }
        if (r >= 0 && errno)
                r = cu_error_set(err, errno, "reading the network config directory %s", dir);
        closedir(d);
        if (r < 0) {
                networks_free(v, k);
                return r;
        }
        if (k > 1)
                qsort(v, k, sizeof(*v), cmp_net);
        *ret = v;
        *n = k;
        return 0;
}

static char *file_name(const char *name)
{
        char *f = NULL;
        return asprintf(&f, "%s.json", name) < 0 ? NULL : f;
}

int netfiles_get(const char *dir, const char *name, struct cu_network **ret, struct cu_error **err)
{
        if (network_name_valid(name, NULL) < 0)
                return 0;
        _cleanup_free_ char *f = file_name(name);
        if (!f)
                return -ENOMEM;
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return errno == ENOENT ? 0 : cu_error_set(err, errno, "reading the network config directory %s", dir);
        struct stat st;
        if (fstatat(dfd, f, &st, 0) < 0 || !S_ISREG(st.st_mode))
                return 0;
        return load_file(dfd, dir, f, ret);
}

int netfiles_write(const char *dir, const struct cu_network *n, struct cu_error **err)
{
        int r = mkdir_p(dir, 0755);
        if (r < 0)
                return cu_error_set(err, -r, "creating the network config directory %s", dir);
        _cleanup_free_ char *text = netfiles_format(n), *path = NULL;
        if (!text || asprintf(&path, "%s/%s.json", dir, n->name) < 0)
                return -ENOMEM;
        return write_file_atomic(path, text, strlen(text), 0644, err);
}

int netfiles_remove(const char *dir, const char *name, struct cu_error **err)
{
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/%s.json", dir, name) < 0)
                return -ENOMEM;
        if (unlink(path) < 0)
                return cu_error_set(err, errno, "removing network config file %s", path);
        return 0;
}

int netfiles_lock(const char *dir, struct cu_error **err)
{
        int r = mkdir_p(dir, 0755);
        if (r < 0)
                return cu_error_set(err, -r, "creating the network config directory %s", dir);
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/netavark.lock", dir) < 0)
                return -ENOMEM;
        _cleanup_close_ int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return cu_error_set(err, errno, "opening %s", path);
        /* an open-file-description lock conflicts with podman's fcntl record lock */
        struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
        while (fcntl(fd, F_OFD_SETLKW, &fl) < 0)
                if (errno != EINTR)
                        return cu_error_set(err, errno, "locking %s", path);
        return TAKE_FD(fd);
}
