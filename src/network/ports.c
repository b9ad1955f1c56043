/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cidr.h"
#include "ports.h"
#include "util/parse.h"

const char *ports_proto_name(unsigned p)
{
        return p == PORT_UDP ? "udp" : p == PORT_SCTP ? "sctp" : "tcp";
}

static int parse_port(const char *s, size_t len, uint16_t *ret, struct cu_error **err)
{
        char buf[16];
        unsigned v;
        if (len == 0 || len >= sizeof(buf))
                goto bad;
        memcpy(buf, s, len);
        buf[len] = '\0';
        if (buf[0] < '0' || buf[0] > '9' || safe_atou(buf, &v) < 0 || v > 65535)
                goto bad;
        if (v == 0)
                return cu_error_setx(err, EINVAL, "port numbers must be greater than 0");
        *ret = (uint16_t) v;
        return 0;
bad:
        return cu_error_setx(err, EINVAL, "invalid port number: %.*s", (int) (len > 32 ? 32 : len), s);
}

/* "80" or "80-90": start and count. */
static int parse_range(const char *s, size_t len, uint16_t *start, uint16_t *count,
                       struct cu_error **err)
{
        const char *dash = memchr(s, '-', len);
        uint16_t a, b;
        if (!dash) {
                *count = 1;
                return parse_port(s, len, start, err);
        }
        int r = parse_port(s, (size_t) (dash - s), &a, err);
        if (r < 0)
                return r;
        r = parse_port(dash + 1, len - (size_t) (dash - s) - 1, &b, err);
        if (r < 0)
                return r;
        if (b < a)
                return cu_error_setx(err, EINVAL, "invalid port range %.*s: the end is before the start",
                                     (int) len, s);
        *start = a;
        *count = (uint16_t) (b - a + 1);
        return 0;
}

static int parse_protocols(const char *s, unsigned *ret, struct cu_error **err)
{
        unsigned p = 0;
        _cleanup_free_ char *copy = strdup(s);
        if (!copy)
                return -ENOMEM;
        char *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                if (strcasecmp(t, "tcp") == 0)
                        p |= PORT_TCP;
                else if (strcasecmp(t, "udp") == 0)
                        p |= PORT_UDP;
                else if (strcasecmp(t, "sctp") == 0)
                        p |= PORT_SCTP;
                else
                        return cu_error_setx(err, EINVAL, "invalid protocol \"%s\"", t);
        }
        if (!p)
                return cu_error_setx(err, EINVAL, "invalid protocol \"%s\"", s);
        *ret = p;
        return 0;
}

static int push(struct port_mapping **v, size_t *n, const struct port_mapping *m)
{
        struct port_mapping *nv = realloc(*v, (*n + 1) * sizeof(**v));
        if (!nv)
                return -ENOMEM;
        nv[(*n)++] = *m;
        *v = nv;
        return 0;
}

int ports_parse(const char *spec, struct port_mapping **v, size_t *n, struct cu_error **err)
{
        struct port_mapping m = { .protocols = PORT_TCP };
        if (!spec || !*spec)
                return cu_error_setx(err, EINVAL, "invalid port format: the port specification is empty");
        _cleanup_free_ char *s = strdup(spec);
        if (!s)
                return -ENOMEM;
        char *proto = strrchr(s, '/');
        if (proto) {
                *proto++ = '\0';
                int r = parse_protocols(proto, &m.protocols, err);
                if (r < 0)
                        return r;
        }
        char *rest = s;
        bool have_ip = false;
        if (*rest == '[') {
                char *close = strchr(rest, ']');
                if (!close || close[1] != ':')
                        return cu_error_setx(err, EINVAL, "invalid port format: %s", spec);
                *close = '\0';
                struct cu_ip ip;
                if (cu_ip_parse(rest + 1, &ip, NULL) < 0 || ip.family != AF_INET6)
                        return cu_error_setx(err, EINVAL, "invalid IP address \"%s\" in port mapping", rest + 1);
                cu_ip_format(&ip, m.host_ip);
                rest = close + 2;
                have_ip = true;
        }
        /* split the remaining "a:b:c" */
        char *parts[3];
        size_t np = 0;
        for (char *p = rest;; ) {
                char *c = strchr(p, ':');
                if (np == 3)
                        return cu_error_setx(err, EINVAL, "invalid port format: too many colons in %s", spec);
                parts[np++] = p;
                if (!c)
                        break;
                *c = '\0';
                p = c + 1;
        }
        if (have_ip && np != 2)
                return cu_error_setx(err, EINVAL, "invalid port format: %s", spec);
        const char *ip = NULL, *host = NULL, *ctr;
        if (have_ip) {
                host = parts[0];
                ctr = parts[1];
        } else if (np == 3) {
                ip = parts[0];
                host = parts[1];
                ctr = parts[2];
        } else if (np == 2) {
                host = parts[0];
                ctr = parts[1];
        } else {
                ctr = parts[0];
        }
        if (ip && *ip) {
                struct cu_ip a;
                if (cu_ip_parse(ip, &a, NULL) < 0)
                        return cu_error_setx(err, EINVAL, "invalid IP address \"%s\" in port mapping", ip);
                cu_ip_format(&a, m.host_ip);
        }
        if (!*ctr)
                return cu_error_setx(err, EINVAL, "must provide a non-empty container port to publish");
        uint16_t cstart, ccount, hstart = 0, hcount = 0;
        int r = parse_range(ctr, strlen(ctr), &cstart, &ccount, err);
        if (r < 0)
                return r;
        if (host && *host) {
                r = parse_range(host, strlen(host), &hstart, &hcount, err);
                if (r < 0)
                        return r;
                if (hcount != ccount && !(ccount == 1 && hcount > 1))
                        return cu_error_setx(err, EINVAL,
                                             "host and container port ranges have different lengths: %u vs %u",
                                             hcount, ccount);
        }
        if ((unsigned) cstart + ccount - 1 > 65535 || (unsigned) hstart + ccount - 1 > 65535)
                return cu_error_setx(err, EINVAL, "port range exceeds 65535: %s", spec);
        m.container_port = cstart;
        m.host_port = hstart;
        m.range = ccount;
        /* podman: a host range with one container port means "any one of those host ports";
         * we take the first free one at assign time by narrowing to the range start. */
        return push(v, n, &m) < 0 ? -ENOMEM : 0;
}

int ports_publish_all(char *const *exposed, struct port_mapping **v, size_t *n,
                      struct cu_error **err)
{
        for (size_t i = 0; exposed && exposed[i]; i++) {
                const char *e = exposed[i];
                if (strchr(e, ':'))
                        return cu_error_setx(err, EINVAL, "invalid exposed port \"%s\"", e);
                int r = ports_parse(e, v, n, err);
                if (r < 0)
                        return cu_error_prefix(err, r, "exposed port %s", e);
        }
        return 0;
}

static bool ips_clash(const char *a, const char *b)
{
        return !*a || !*b || strcmp(a, b) == 0;
}

int ports_check_overlap(const struct port_mapping *v, size_t n, struct cu_error **err)
{
        for (size_t i = 0; i < n; i++)
                for (size_t j = i + 1; j < n; j++) {
                        const struct port_mapping *a = v + i, *b = v + j;
                        if (!a->host_port || !b->host_port || !(a->protocols & b->protocols) ||
                            !ips_clash(a->host_ip, b->host_ip))
                                continue;
                        unsigned ae = a->host_port + a->range, be = b->host_port + b->range;
                        if (a->host_port < be && b->host_port < ae) {
                                unsigned p = a->host_port > b->host_port ? a->host_port : b->host_port;
                                return cu_error_setx(err, EADDRINUSE,
                                                     "conflicting port mappings for host port %u", p);
                        }
                }
        return 0;
}

/* Binds one port (0: any) of proto on ip; returns the fd, the port chosen in *port. */
static int try_bind(const char *ip, unsigned proto, uint16_t *port)
{
        struct sockaddr_storage ss = { 0 };
        socklen_t len;
        struct cu_ip a = { .family = AF_INET };
        if (*ip && cu_ip_parse(ip, &a, NULL) < 0)
                return -EINVAL;
        if (a.family == AF_INET) {
                struct sockaddr_in *s4 = (struct sockaddr_in *) &ss;
                s4->sin_family = AF_INET;
                s4->sin_port = htons(*port);
                memcpy(&s4->sin_addr, a.a, 4);
                len = sizeof(*s4);
        } else {
                struct sockaddr_in6 *s6 = (struct sockaddr_in6 *) &ss;
                s6->sin6_family = AF_INET6;
                s6->sin6_port = htons(*port);
                memcpy(&s6->sin6_addr, a.a, 16);
                len = sizeof(*s6);
        }
        int type = proto == PORT_UDP ? SOCK_DGRAM : SOCK_STREAM;
        int ipproto = proto == PORT_SCTP ? IPPROTO_SCTP : 0;
        _cleanup_close_ int fd = socket(a.family, type | SOCK_CLOEXEC, ipproto);
        if (fd < 0)
                return errno == EPROTONOSUPPORT || errno == ESOCKTNOSUPPORT ? 0 : -errno;
        /* as Go's net.Listen (podman's check) and libslirp's listeners: a connection in
         * TIME_WAIT on the port (a user-mode container just removed) does not hold it */
        int one = 1;
        if (type == SOCK_STREAM)
                (void) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, (struct sockaddr *) &ss, len) < 0)
                return -errno;
        if (*port == 0) {
                if (getsockname(fd, (struct sockaddr *) &ss, &len) < 0)
                        return -errno;
                *port = ntohs(a.family == AF_INET ? ((struct sockaddr_in *) &ss)->sin_port
                                                  : ((struct sockaddr_in6 *) &ss)->sin6_port);
        }
        return TAKE_FD(fd);
}

int ports_assign(struct port_mapping *v, size_t n, struct cu_error **err)
{
        for (size_t i = 0; i < n; i++) {
                struct port_mapping *m = v + i;
                for (unsigned p = PORT_TCP; p <= PORT_SCTP; p <<= 1) {
                        if (!(m->protocols & p))
                                continue;
                        if (m->host_port == 0) {
                                /* random port: for a range we need range consecutive free ports */
                                for (int attempt = 0; attempt < 32 && m->host_port == 0; attempt++) {
                                        uint16_t port = 0;
                                        int fd = try_bind(m->host_ip, p, &port);
                                        if (fd < 0)
                                                return cu_error_set(err, -fd, "finding a free host port");
                                        safe_close(fd);
                                        if ((unsigned) port + m->range - 1 <= 65535)
                                                m->host_port = port;
                                }
                                if (!m->host_port)
                                        return cu_error_setx(err, EADDRINUSE, "no free host port range of %u ports", m->range);
                        }
                        for (unsigned k = 0; k < m->range; k++) {
                                uint16_t port = (uint16_t) (m->host_port + k);
                                int fd = try_bind(m->host_ip, p, &port);
                                if (fd < 0) {
                                        /* podman's (Go's) wording: lowercase errno text */
                                        char uproto[8], what[64];
                                        snprintf(uproto, sizeof(uproto), "%s", ports_proto_name(p));
                                        for (char *c = uproto; *c; c++)
                                                *c = (char) (*c - 'a' + 'A');
                                        snprintf(what, sizeof(what), "%s", strerror(-fd));
                                        what[0] = (char) (what[0] >= 'A' && what[0] <= 'Z' ? what[0] - 'A' + 'a' : what[0]);
                                        bool v6 = strchr(m->host_ip, ':') != NULL;
                                        return cu_error_setx(err, -fd, "cannot listen on the %s port: listen %s%s %s%s%s:%u: "
                                                             "bind: %s", uproto, ports_proto_name(p), v6 ? "6" : "4",
                                                             v6 ? "[" : "", m->host_ip, v6 ? "]" : "", port, what);
                                }
                                safe_close(fd);
                        }
                }
        }
        return 0;
}

json_t *ports_to_json(const struct port_mapping *v, size_t n)
{
        json_t *o = json_object();
        for (size_t i = 0; o && i < n; i++)
                for (unsigned p = PORT_TCP; p <= PORT_SCTP; p <<= 1) {
                        if (!(v[i].protocols & p))
                                continue;
                        for (unsigned k = 0; k < v[i].range; k++) {
                                char key[32], hp[8];
                                snprintf(key, sizeof(key), "%u/%s", v[i].container_port + k, ports_proto_name(p));
                                snprintf(hp, sizeof(hp), "%u", v[i].host_port + k);
                                json_t *a = json_object_get(o, key);
                                if (!a) {
                                        a = json_array();
                                        json_object_set_new(o, key, a);
                                }
                                json_array_append_new(a, json_pack("{s:s,s:s}", "HostIp", v[i].host_ip,
                                                                   "HostPort", hp));
                        }
                }
        return o;
}

char *ports_to_string(const struct port_mapping *v, size_t n)
{
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        if (!f)
                return NULL;
        bool first = true;
        for (size_t i = 0; i < n; i++)
                for (unsigned p = PORT_TCP; p <= PORT_SCTP; p <<= 1) {
                        if (!(v[i].protocols & p))
                                continue;
                        const char *ip = *v[i].host_ip ? v[i].host_ip : "0.0.0.0";
                        bool v6 = strchr(ip, ':') != NULL;
                        fprintf(f, "%s%s%s%s:", first ? "" : ", ", v6 ? "[" : "", ip, v6 ? "]" : "");
                        if (v[i].range > 1)
                                fprintf(f, "%u-%u->%u-%u/%s", v[i].host_port, v[i].host_port + v[i].range - 1,
                                        v[i].container_port, v[i].container_port + v[i].range - 1,
                                        ports_proto_name(p));
                        else
                                fprintf(f, "%u->%u/%s", v[i].host_port, v[i].container_port, ports_proto_name(p));
                        first = false;
                }
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

json_t *ports_save_json(const struct port_mapping *v, size_t n)
{
        json_t *a = json_array();
        for (size_t i = 0; a && i < n; i++)
                json_array_append_new(a, json_pack("{s:s,s:i,s:i,s:i,s:i}", "host_ip", v[i].host_ip,
                                                   "host_port", v[i].host_port, "container_port",
                                                   v[i].container_port, "range", v[i].range,
                                                   "protocols", v[i].protocols));
        return a;
}

int ports_load_json(json_t *a, struct port_mapping **v, size_t *n, struct cu_error **err)
{
        size_t i;
        json_t *e;
        if (!json_is_array(a))
                return cu_error_setx(err, EINVAL, "port mappings: expected an array");
        json_array_foreach(a, i, e) {
                const char *ip = NULL;
                json_int_t hp = 0, cp = 0, range = 0, protos = 0;
                if (json_unpack(e, "{s:s,s:I,s:I,s:I,s:I}", "host_ip", &ip, "host_port", &hp,
                                "container_port", &cp, "range", &range, "protocols", &protos) < 0 ||
                    strlen(ip) >= 64 || hp < 0 || hp > 65535 || cp < 1 || cp > 65535 || range < 1 ||
                    range > 65535 || protos < 1 || protos > 7)
                        return cu_error_setx(err, EINVAL, "port mappings: bad entry %zu", i);
                struct port_mapping m = { .host_port = (uint16_t) hp, .container_port = (uint16_t) cp,
                                          .range = (uint16_t) range, .protocols = (unsigned) protos };
                strcpy(m.host_ip, ip);
                if (push(v, n, &m) < 0)
                        return -ENOMEM;
        }
        return 0;
}
