/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A container's network (podman's --network and friends) and the engine's network API:
 * connect / disconnect, reload, published ports.
 *
 * Modes (the config's NetworkMode, podman's names):
 *   bridge       the default for root: one or more bridge networks ("podman" unless named),
 *                a namespace of our own pinned at <runroot>/netns/<id> (network/setup.h)
 *   none         a namespace with lo only
 *   host         the host's namespace
 *   container:ID another container's namespace, its hosts and resolv.conf too
 *   ns:PATH      the namespace at PATH
 * "private" means bridge (root); a list of names ("a,b", or "a:ip=…,mac=…,alias=…") means
 * bridge on those networks.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

struct engine_net_opts {
        char **networks;      /* --network (repeatable): a mode or networks; NULL: the default */
        const char *ip, *ip6; /* --ip, --ip6: the first network's address */
        const char *mac;      /* --mac-address */
        char **aliases;       /* --network-alias */
        char **publish;       /* -p/--publish specs */
        bool publish_all;     /* -P: every exposed port (image EXPOSE and --expose) */
        char **expose;        /* --expose */
        char **dns;           /* --dns ("none": no resolv.conf) */
        char **dns_search, **dns_options;
        char **add_hosts;     /* --add-host name:ip */
        bool no_hosts;        /* --no-hosts: no /etc/hosts is made */
        const char *base_hosts_file; /* containers.conf: ""/NULL the host's /etc/hosts,
                                      * "image", "none" or an absolute path */
};

struct engine;
struct ctr_record;
struct port_mapping;

/* network connect: joins a network (running: at once; otherwise at the next start).
 * Podman's errors: unknown network (-ENOENT), already connected (-EEXIST), not a bridge
 * mode container (-EINVAL). */
struct engine_connect_opts {
        const char *network;
        const char *ip, *ip6, *mac;
        char **aliases;
};
int engine_network_connect(struct engine *e, const char *ctr, const struct engine_connect_opts *o,
                           struct cu_error **err);
/* network disconnect: leaves a network (-ENOENT when not connected to it). */
int engine_network_disconnect(struct engine *e, const char *ctr, const char *network,
                              struct cu_error **err);
/* network reload CTR (the seed's reloadNetwork): re-creates the container's firewall rules. */
int engine_network_reload(struct engine *e, const char *ctr, struct cu_error **err);

/* port.c: the container's published ports: the host ports in use while it runs, else the
 * configured ones (a random host port shows as 0).  *ret malloc'd. */
int engine_ports(struct engine *e, const struct ctr_record *r, struct port_mapping **ret,
                 size_t *ret_n, struct cu_error **err);
