/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPv4/IPv6 addresses and CIDR subnets: parse, format, contain, overlap,
 * and the arithmetic IPAM needs (nth address of a subnet, first/last host).
 * Error texts follow Go's net package as podman prints them
 * ("invalid CIDR address: X", "invalid IP address: X").
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include "util/error.h"

/* Longest text form: an IPv6 address with "/128". */
#define CU_IP_STRLEN 64

struct cu_ip {
        int family;      /* AF_INET or AF_INET6 */
        uint8_t a[16];   /* network byte order; IPv4 uses a[0..3] */
};

struct cu_cidr {
        struct cu_ip ip; /* the network address (host bits cleared) */
        unsigned prefix;
};

static inline unsigned cu_ip_bits(const struct cu_ip *ip)
{
        return ip->family == AF_INET ? 32 : 128;
}

/* "10.88.0.2", "fd00::2".  -EINVAL: "invalid IP address: X". */
int cu_ip_parse(const char *s, struct cu_ip *ret, struct cu_error **err);
/* Writes the text form into buf (CU_IP_STRLEN); returns buf. */
const char *cu_ip_format(const struct cu_ip *ip, char buf[static CU_IP_STRLEN]);
bool cu_ip_equal(const struct cu_ip *a, const struct cu_ip *b);
/* <0, 0, >0 (families compare IPv4 first). */
int cu_ip_cmp(const struct cu_ip *a, const struct cu_ip *b);
/* ip + n within its family; -ERANGE on wrap. */
int cu_ip_add(const struct cu_ip *ip, uint64_t n, struct cu_ip *ret);
/* b - a when it fits in 64 bits and b >= a, else -ERANGE. */
int cu_ip_diff(const struct cu_ip *a, const struct cu_ip *b, uint64_t *ret);

/* "10.88.0.0/16".  Host bits are cleared (Go's net.ParseCIDR keeps the
 * network); when ret_host is non-NULL it gets the address as written.
 * -EINVAL: "invalid CIDR address: X". */
int cu_cidr_parse(const char *s, struct cu_cidr *ret, struct cu_ip *ret_host,
                  struct cu_error **err);
const char *cu_cidr_format(const struct cu_cidr *c, char buf[static CU_IP_STRLEN]);
bool cu_cidr_contains(const struct cu_cidr *c, const struct cu_ip *ip);
bool cu_cidr_overlaps(const struct cu_cidr *a, const struct cu_cidr *b);
/* Last address of the subnet (broadcast for IPv4). */
void cu_cidr_last(const struct cu_cidr *c, struct cu_ip *ret);
/* The network address + n; -ERANGE when outside the subnet. */
int cu_cidr_nth(const struct cu_cidr *c, uint64_t n, struct cu_ip *ret);
/* podman's default gateway: the first address after the network address. */
int cu_cidr_default_gateway(const struct cu_cidr *c, struct cu_ip *ret);
/* Netmask as an address (255.255.0.0). */
void cu_cidr_mask(const struct cu_cidr *c, struct cu_ip *ret);
