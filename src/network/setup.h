/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A container's network, set up and torn down (what the engine calls from
 * prepare / cleanupNetwork / reloadNetwork).
 *
 * net_setup() for bridge networks: leases (one transaction per network),
 * the attachment record (written before any kernel work, so that a crash
 * at any point leaves something net_teardown() can find), a new network
 * namespace pinned at <runroot>/netns/<id>, lo up, per network the bridge
 * (made on first use, with the gateway addresses), a veth pair
 * cuttle-<id7><n> ↔ eth<n> (peer made inside the namespace), addresses, the
 * default route (none on --internal networks), sysctls, then one nftables
 * transaction; the peers' hosts files are rewritten.  On failure everything
 * made so far is torn down.
 *
 * net_teardown() is idempotent and works from the container ID alone
 * (names are derived from it), after a crash or a kill -9 of the engine
 * too: veths, the namespace mount and file, the container's nft chain, its
 * leases and record.  Bridges and their network chains stay when the last
 * container leaves (as docker0 does: making and deleting a bridge costs the
 * kernel tens of milliseconds); they go with the network
 * (net_network_removed()).  The firewall helper runs only when something
 * changes: published ports, or a network whose chains are missing
 * (fw_net_installed() asks the kernel).
 *
 * Other modes are the caller's, with helpers: none → net_setup_none() (a
 * namespace with lo only); host → no namespace; ns:PATH → use PATH as is;
 * container:ID → that container's net_netns_path().
 *
 * Host-side changes (bridges, firewall) are serialised with an flock on
 * <runroot>/network.lock; each takes a few milliseconds.
 */
#pragma once
#include <jansson.h>
#include <stddef.h>
#include "hosts.h"
#include "ports.h"
#include "state/db.h"
#include "util/error.h"

struct net_attach_opts {
        const char *network;       /* name or ID */
        char *const *static_ips;   /* --ip / --ip6 (NULL-terminated, may be NULL) */
        const char *mac;           /* --mac-address, NULL: random */
        char *const *aliases;      /* --network-alias */
};

struct net_setup_opts {
        const char *runroot;
        const char *container_id;    /* 64 hex (12 at least) */
        const char *container_name;
        const struct net_attach_opts *nets; /* none: the default network "podman" */
        size_t n_nets;
        const struct port_mapping *ports;   /* host ports already chosen (ports_assign()) */
        size_t n_ports;
        const char *hosts_path;      /* the container's hosts file (peers sync), may be NULL */
};

/* Sets up; *ret_status gets podman's NetworkSettings JSON (may be NULL). */
int net_setup(struct db *db, const struct net_setup_opts *o, json_t **ret_status,
              struct cu_error **err);
int net_teardown(struct db *db, const char *runroot, const char *container_id,
                 struct cu_error **err);
/* Re-creates the firewall rules (one container: its chain and the dispatch;
 * NULL: the whole table from the state) and returns the status JSON of
 * that container (NULL for all). */
int net_reload(struct db *db, const char *runroot, const char *container_id, json_t **ret_status,
               struct cu_error **err);
/* podman's NetworkSettings of a container from the state (no kernel calls). */
int net_status(struct db *db, const char *runroot, const char *container_id, json_t **ret,
               struct cu_error **err);
/* --network none: a namespace with lo up.  Returns 0; teardown is
 * net_teardown() as well. */
int net_setup_none(const char *runroot, const char *container_id, struct cu_error **err);
/* <runroot>/netns/<id> (malloc'd): the namespace path to put in the spec. */
char *net_netns_path(const char *runroot, const char *container_id);
/* Names and addresses of the other containers on the container's networks,
 * for its hosts file (hosts_params.peers).  *ret: malloc'd entries. */
int net_peer_entries(struct db *db, const char *container_id, struct hosts_entry **ret, size_t *n,
                     struct cu_error **err);
/* Sets the hosts path recorded for a container (when it is known only
 * after setup) and rewrites the peers sections of its networks. */
int net_set_hosts_path(struct db *db, const char *container_id, const char *path,
                       struct cu_error **err);
/* network connect on a set-up container: a lease, the veth into its namespace, the
 * firewall, the peers' hosts files.  -EEXIST when already connected; on failure nothing
 * of it stays. */
int net_connect(struct db *db, const char *runroot, const char *container_id,
                const struct net_attach_opts *a, struct cu_error **err);
/* network disconnect: the veth, the leases on that network, its record entry; the bridge
 * when it was the last.  -ENOENT when not connected. */
int net_disconnect(struct db *db, const char *runroot, const char *container_id,
                   const char *network, struct cu_error **err);
/* Called when a network is removed: its bridge and chains go. */
int net_network_removed(struct db *db, const char *runroot, const char *bridge,
                        struct cu_error **err);
