/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Network definitions: podman's bridge networks with their subnets,
 * gateways, lease ranges, labels and options, kept as podman 4's JSON
 * (what `network inspect` prints) either in the state database (schema
 * component "networks") or, when a network config directory is configured
 * (--network-config-dir / containers.conf network_config_dir), as podman
 * keeps them: one file <dir>/<name>.json each (netfiles.h).  Leases and
 * attachments are always in the database.
 *
 * The default network is built from the configuration on every call, as
 * podman 4 (netavark) does, and never stored: name default_network
 * ("podman"), bridge podman0, the fixed ID sha256("podman"), one subnet
 * default_subnet (10.88.0.0/16) with its first address as the gateway.  A
 * stored definition of that name wins over the built-in one.
 *
 * The configuration is process-wide (networks_set_config(), called by the
 * CLI context before any network call): every function below takes the
 * database only, as the engine, the setup code and the cleanup command do.
 *
 * Errors are podman's wording:
 *   -EINVAL  failed to parse default subnet: invalid CIDR address: X
 *   -ENOENT  unable to find network with name or ID X: network not found
 *   -EEXIST  network name X already used: network already exists
 *   -EBUSY   "X" has associated containers with it. Use -f to forcibly …
 *   -EINVAL  invalid CIDR address: X / gateway G not in subnet S / …
 *   -EADDRINUSE subnet S is already used on the host or by another config
 */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include "cidr.h"
#include "state/db.h"
#include "util/error.h"

#define NETWORK_DEFAULT_NAME "podman"
#define NETWORK_DEFAULT_IFACE "podman0"
#define NETWORK_DEFAULT_SUBNET "10.88.0.0/16"
#define NETWORK_MAX_SUBNETS 8

struct net_subnet {
        struct cu_cidr subnet;
        struct cu_ip gateway;  /* family 0: none (internal networks may have none) */
        bool has_range;
        struct cu_ip range_start, range_end;
};

struct cu_network {
        char *name;
        char *id;              /* 64 hex */
        char *driver;          /* "bridge" */
        char *interface;       /* bridge name: podman0, cuttle1, … */
        char *created;         /* RFC 3339 with ns, UTC */
        struct net_subnet subnets[NETWORK_MAX_SUBNETS];
        size_t n_subnets;
        bool ipv6, internal, dns_enabled;
        char **labels;         /* k,v,k,v… */
        char **options;        /* k,v,k,v… (mtu, isolate) */
        unsigned mtu;          /* 0: kernel default */
        bool isolate;
};

struct networks_config {
        const char *default_network;  /* NULL or "": "podman" */
        const char *default_subnet;   /* NULL or "": 10.88.0.0/16 (host bits are cleared) */
        const char *config_dir;       /* NULL or "": definitions in the database */
};
/* Validates and installs the configuration (copied); on error the previous one stays.
 * NULL: back to the defaults. */
int networks_set_config(const struct networks_config *c, struct cu_error **err);
/* The default network's name (borrowed, "podman" unless configured). */
const char *network_default_name(void);
bool network_is_default(const char *name);
/* The network config directory, NULL when definitions live in the database. */
const char *networks_config_dir(void);
/* The built-in default network as the configuration makes it (not looked up). */
int network_builtin_default(struct cu_network **ret, struct cu_error **err);

struct cu_network *network_free(struct cu_network *n);
DEFINE_CLEANUP_FUNC(struct cu_network *, network_free)
#define _cleanup_network_ _cleanup_(network_freep)
void networks_free(struct cu_network **v, size_t n);

/* Creates or upgrades the schema (networks, leases, attachments). */
int networks_migrate(struct db *db, struct cu_error **err);

struct network_create_opts {
        const char *name;         /* NULL: the first free "cuttleN" name (podman's podmanN) */
        const char *driver;       /* NULL or "bridge" */
        const char *interface;    /* --interface-name; NULL: the first free cuttleN */
        char *const *subnets;     /* --subnet (NULL: one free 10.89.N.0/24) */
        char *const *gateways;    /* --gateway, i-th for the i-th subnet */
        char *const *ip_ranges;   /* --ip-range, i-th for the i-th subnet */
        bool internal, disable_dns, ipv6, ignore_existing;
        char *const *labels;      /* "k=v" */
        char *const *options;     /* "mtu=1400", "isolate=true" */
        bool skip_host_check;     /* tests: do not look at the host's addresses */
};
int network_create(struct db *db, const struct network_create_opts *o, struct cu_network **ret,
                   struct cu_error **err);
/* By name, full ID or unique ID prefix (the default network included). */
int network_get(struct db *db, const char *name_or_id, struct cu_network **ret,
                struct cu_error **err);
/* All networks, by name (the default network included). */
int network_list(struct db *db, struct cu_network ***ret, size_t *n, struct cu_error **err);
/* Removes the definition; with leases it fails (-EBUSY) unless force, which
 * drops the leases too.  The default network cannot be removed (-EPERM). */
int network_remove(struct db *db, const char *name, bool force, struct cu_error **err);
/* Number of containers with a lease on it. */
int network_lease_count(struct db *db, const char *name, struct cu_error **err);

/* podman's inspect JSON for a network (new reference); netfiles.c. */
json_t *network_to_json(const struct cu_network *n);
/* Reads it back, checked (name, 64-hex id, interface, subnets, gateways in their subnets,
 * options); netfiles.c. */
int network_from_json(json_t *o, struct cu_network **ret, struct cu_error **err);
struct ifaddrs;
/* The subnet of an interface address (getifaddrs()): 1 and *ret, 0 when it has none. */
int network_ifaddr_subnet(const struct ifaddrs *i, struct cu_cidr *ret);
/* Names a network may have: [a-zA-Z0-9][a-zA-Z0-9_.-]*. */
int network_name_valid(const char *name, struct cu_error **err);
/* "key=value" filters of ls/prune: name, id, driver, label, label!.  Returns 1 on
 * match; -EINVAL for an unknown key ("invalid filter \"x\""). */
int network_filter_match(const struct cu_network *n, char *const *filters, struct cu_error **err);
