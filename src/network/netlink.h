/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rtnetlink over an AF_NETLINK socket, written here because the cuttle
 * binary is linked statically and Debian ships no static libmnl: this is
 * what libmnl does for us (build a message with nested attributes, send it
 * with NLM_F_ACK, read the ack or the answer, map the kernel's error to
 * -errno), limited to the requests the network layer makes:
 * links (bridge, veth pair with the peer created in another namespace by
 * fd; up/down, mtu, mac, master; delete), IPv4/IPv6 addresses, the default
 * route, and sysctls through /proc/sys.
 *
 * A socket acts on the network namespace it was created in; netns.h gets
 * one for a container's namespace.  Every call is synchronous.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "cidr.h"
#include "util/error.h"

struct rtnl {
        int fd;
        uint32_t seq;
};

/* Opens a NETLINK_ROUTE socket in the caller's namespace. */
int rtnl_open(struct rtnl *rt, struct cu_error **err);
/* Adopts a socket (made in another namespace). */
void rtnl_from_fd(struct rtnl *rt, int fd);
void rtnl_close(struct rtnl *rt);

/* ifindex of name; -ENODEV when there is none. */
int rtnl_link_index(struct rtnl *rt, const char *name, struct cu_error **err);
/* Creates a bridge (mtu 0: default).  -EEXIST when it exists. */
int rtnl_bridge_create(struct rtnl *rt, const char *name, unsigned mtu, struct cu_error **err);
/* Creates a veth pair: name here, peer_name in the namespace peer_netns_fd
 * (-1: here), with peer_mac ("aa:…", NULL: random) and mtu (0: default). */
int rtnl_veth_create(struct rtnl *rt, const char *name, const char *peer_name, int peer_netns_fd,
                     const char *peer_mac, unsigned mtu, struct cu_error **err);
/* Link changes; a 0/NULL argument leaves that property alone.
 * up: 1 up, -1 down, 0 unchanged; master: ifindex of a bridge. */
int rtnl_link_set(struct rtnl *rt, int ifindex, int up, unsigned mtu, int master, const char *mac,
                  struct cu_error **err);
/* Deletes by name; -ENODEV when there is none. */
int rtnl_link_delete(struct rtnl *rt, const char *name, struct cu_error **err);
/* Reads a link's MAC address as text. */
int rtnl_link_mac(struct rtnl *rt, int ifindex, char out[18], struct cu_error **err);
/* Adds ip/prefix on ifindex (IPv6 without duplicate address detection).
 * -EEXIST when present. */
int rtnl_addr_add(struct rtnl *rt, int ifindex, const struct cu_ip *ip, unsigned prefix,
                  struct cu_error **err);
/* Adds the default route of gw's family via gw on ifindex.  -EEXIST. */
int rtnl_route_add_default(struct rtnl *rt, const struct cu_ip *gw, int ifindex,
                           struct cu_error **err);

/* Writes value to /proc/sys/<key with dots as slashes> (names of
 * interfaces keep their dots: pass them with '/' already).  -errno. */
int sysctl_write(const char *path_under_proc_sys, const char *value, struct cu_error **err);
