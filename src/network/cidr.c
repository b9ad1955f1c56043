/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cidr.h"
#include "util/parse.h"

int cu_ip_parse(const char *s, struct cu_ip *ret, struct cu_error **err)
{
        struct cu_ip ip = { 0 };
        if (s && inet_pton(AF_INET, s, ip.a) == 1)
                ip.family = AF_INET;
        else if (s && strchr(s, ':') && !strchr(s, '%') && inet_pton(AF_INET6, s, ip.a) == 1)
                ip.family = AF_INET6;
        else
                return cu_error_setx(err, EINVAL, "invalid IP address: %s", strempty(s));
        /* an IPv4-mapped IPv6 address is the IPv4 address (Go's To4()) */
        static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
        if (ip.family == AF_INET6 && memcmp(ip.a, mapped, 12) == 0) {
                memmove(ip.a, ip.a + 12, 4);
                memset(ip.a + 4, 0, 12);
                ip.family = AF_INET;
        }
        *ret = ip;
        return 0;
}

const char *cu_ip_format(const struct cu_ip *ip, char buf[static CU_IP_STRLEN])
{
        if (!inet_ntop(ip->family, ip->a, buf, CU_IP_STRLEN))
                snprintf(buf, CU_IP_STRLEN, "<invalid>");
        return buf;
}

bool cu_ip_equal(const struct cu_ip *a, const struct cu_ip *b)
{
        return cu_ip_cmp(a, b) == 0;
}

int cu_ip_cmp(const struct cu_ip *a, const struct cu_ip *b)
{
        if (a->family != b->family)
                return a->family == AF_INET ? -1 : 1;
        return memcmp(a->a, b->a, cu_ip_bits(a) / 8);
}

int cu_ip_add(const struct cu_ip *ip, uint64_t n, struct cu_ip *ret)
{
        struct cu_ip r = *ip;
        int len = (int) cu_ip_bits(ip) / 8;
        uint64_t carry = n;
        for (int i = len - 1; i >= 0 && carry; i--) {
                uint64_t v = r.a[i] + (carry & 0xff);
                r.a[i] = (uint8_t) v;
                carry = (carry >> 8) + (v >> 8);
        }
        if (carry)
                return -ERANGE;
        *ret = r;
        return 0;
}

int cu_ip_diff(const struct cu_ip *a, const struct cu_ip *b, uint64_t *ret)
{
        if (a->family != b->family || cu_ip_cmp(a, b) > 0)
                return -ERANGE;
        int len = (int) cu_ip_bits(a) / 8;
        /* b - a over the bytes, big-endian with borrow */
        uint8_t d[16];
        int borrow = 0;
        for (int i = len - 1; i >= 0; i--) {
                int v = b->a[i] - a->a[i] - borrow;
                borrow = v < 0;
                d[i] = (uint8_t) (v + (borrow ? 256 : 0));
        }
        for (int i = 0; i < len - 8; i++)
                if (d[i])
                        return -ERANGE;
        uint64_t r = 0;
        for (int i = len > 8 ? len - 8 : 0; i < len; i++)
                r = (r << 8) | d[i];
        *ret = r;
        return 0;
}

static void apply_mask(struct cu_ip *ip, unsigned prefix)
{
        unsigned bits = cu_ip_bits(ip);
        for (unsigned i = 0; i < bits / 8; i++) {
                unsigned lo = i * 8;
                if (prefix >= lo + 8)
                        continue;
                if (prefix <= lo)
                        ip->a[i] = 0;
                else
                        ip->a[i] &= (uint8_t) (0xff << (8 - (prefix - lo)));
        }
}

int cu_cidr_parse(const char *s, struct cu_cidr *ret, struct cu_ip *ret_host, struct cu_error **err)
{
        const char *slash = s ? strchr(s, '/') : NULL;
        char addr[CU_IP_STRLEN];
        if (!slash || (size_t) (slash - s) >= sizeof(addr) || !slash[1] || strlen(slash + 1) > 3)
                goto bad;
        memcpy(addr, s, (size_t) (slash - s));
        addr[slash - s] = '\0';
        struct cu_ip ip;
        if (cu_ip_parse(addr, &ip, NULL) < 0)
                goto bad;
        /* Go: an IPv4 literal takes a prefix up to 32 even in mapped form */
        unsigned prefix;
        for (const char *p = slash + 1; *p; p++)
                if (*p < '0' || *p > '9')
                        goto bad;
        if (safe_atou(slash + 1, &prefix) < 0 || prefix > cu_ip_bits(&ip))
                goto bad;
        if (ret_host)
                *ret_host = ip;
        apply_mask(&ip, prefix);
        *ret = (struct cu_cidr) { .ip = ip, .prefix = prefix };
        return 0;
bad:
        return cu_error_setx(err, EINVAL, "invalid CIDR address: %s", strempty(s));
}

const char *cu_cidr_format(const struct cu_cidr *c, char buf[static CU_IP_STRLEN])
{
        char ip[CU_IP_STRLEN];
        snprintf(buf, CU_IP_STRLEN, "%s/%u", cu_ip_format(&c->ip, ip), c->prefix);
        return buf;
}

bool cu_cidr_contains(const struct cu_cidr *c, const struct cu_ip *ip)
{
        if (c->ip.family != ip->family)
                return false;
        struct cu_ip m = *ip;
        apply_mask(&m, c->prefix);
        return cu_ip_equal(&m, &c->ip);
}

bool cu_cidr_overlaps(const struct cu_cidr *a, const struct cu_cidr *b)
{
        return cu_cidr_contains(a, &b->ip) || cu_cidr_contains(b, &a->ip);
}

void cu_cidr_last(const struct cu_cidr *c, struct cu_ip *ret)
{
        struct cu_ip r = c->ip;
        unsigned bits = cu_ip_bits(&r);
        for (unsigned i = c->prefix; i < bits; i++)
                r.a[i / 8] |= (uint8_t) (0x80 >> (i % 8));
        *ret = r;
}

int cu_cidr_nth(const struct cu_cidr *c, uint64_t n, struct cu_ip *ret)
{
        struct cu_ip r;
        if (cu_ip_add(&c->ip, n, &r) < 0 || !cu_cidr_contains(c, &r))
                return -ERANGE;
        *ret = r;
        return 0;
}

int cu_cidr_default_gateway(const struct cu_cidr *c, struct cu_ip *ret)
{
        return cu_cidr_nth(c, 1, ret);
}

void cu_cidr_mask(const struct cu_cidr *c, struct cu_ip *ret)
{
        struct cu_ip m = { .family = c->ip.family };
        memset(m.a, 0xff, sizeof(m.a));
        apply_mask(&m, c->prefix);
        if (m.family == AF_INET)
                memset(m.a + 4, 0, 12);
        *ret = m;
}
