/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Address leases (host-local IPAM in the state database) and the record of
 * each container's attachment (what setup made, so that teardown and
 * reload can find it again after a crash).
 *
 * ipam_allocate() takes one address per subnet of a network in ONE write
 * transaction (BEGIN IMMEDIATE): concurrent processes are serialised by
 * SQLite's write lock and UNIQUE(network, ip) backs it up, so an address is
 * never handed out twice.  The first free address of the lease range is
 * taken (the gateway, the network address and the IPv4 broadcast are
 * never handed out).
 */
#pragma once
#include <jansson.h>
#include <stddef.h>
#include "cidr.h"
#include "networks.h"
#include "state/db.h"
#include "util/error.h"

struct net_lease {
        char network[256];
        char container[128];
        struct cu_ip ip;
        unsigned prefix;
        struct cu_ip gateway; /* family 0: none */
        char mac[18];         /* "aa:bb:cc:dd:ee:ff" */
};

/* Allocates the container's addresses on net (one per subnet).  static_ips:
 * --ip/--ip6 requests (NULL-terminated, may be NULL), each must lie in a
 * subnet of the network and be free ("requested ip address X is already
 * allocated to container ID Y").  mac: --mac-address or NULL (a random
 * locally administered one).  Already holding leases on that network: they
 * are returned as they are.  *ret: malloc'd array. */
int ipam_allocate(struct db *db, const struct cu_network *net, const char *container,
                  char *const *static_ips, const char *mac, struct net_lease **ret, size_t *n,
                  struct cu_error **err);
/* Drops the container's leases on network (NULL: on all networks). */
int ipam_release(struct db *db, const char *network, const char *container, struct cu_error **err);
/* The container's leases (network NULL: all), ordered by network, family. */
int ipam_leases(struct db *db, const char *network, const char *container, struct net_lease **ret,
                size_t *n, struct cu_error **err);
/* Every lease on a network. */
int ipam_network_leases(struct db *db, const char *network, struct net_lease **ret, size_t *n,
                        struct cu_error **err);

/* Attachment records: a JSON object per container (setup.c owns its shape). */
int ipam_attachment_put(struct db *db, const char *container, json_t *data, struct cu_error **err);
/* *ret NULL when there is none. */
int ipam_attachment_get(struct db *db, const char *container, json_t **ret, struct cu_error **err);
int ipam_attachment_delete(struct db *db, const char *container, struct cu_error **err);
/* All containers with an attachment record (NULL-terminated, malloc'd). */
int ipam_attachment_list(struct db *db, char ***ret, struct cu_error **err);
