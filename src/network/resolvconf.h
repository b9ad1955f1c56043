/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * resolv.conf for containers, as podman builds it: the host's file (the
 * systemd-resolved upstream file when the host points at 127.0.0.53),
 * without nameservers on loopback (they are not reachable from a container's
 * namespace), without IPv6 nameservers when the container has no IPv6;
 * Google's servers when nothing is left.  --dns replaces the nameservers,
 * --dns-search the search list, --dns-option adds options.  Networks with a
 * DNS server of their own would add it first; cuttle's networks resolve
 * names through hosts files (see hosts.h), so they add none.
 */
#pragma once
#include <stdbool.h>
#include "util/error.h"

struct resolv_conf {
        char **nameservers;
        char **search;
        char **options;
};

/* Parses resolv.conf text (unknown lines are ignored). */
int resolvconf_parse(const char *text, struct resolv_conf *ret, struct cu_error **err);
void resolvconf_done(struct resolv_conf *rc);

struct resolvconf_params {
        const char *host_text;        /* the host's resolv.conf text (NULL: empty) */
        char *const *network_servers; /* from the networks, first */
        char *const *nameservers;     /* --dns: replaces everything */
        char *const *search;          /* --dns-search ("." clears) */
        char *const *options;         /* --dns-option */
        bool ipv6;
};
int resolvconf_build(const struct resolvconf_params *p, char **ret, struct cu_error **err);
/* The host file podman reads: /etc/resolv.conf, or systemd-resolved's
 * upstream list when /etc/resolv.conf names only 127.0.0.53.  Its text. */
int resolvconf_read_host(char **ret, struct cu_error **err);
