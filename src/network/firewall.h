/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The firewall: nftables rules computed as text here (compute, then apply),
 * applied by the cuttle-netfw helper (libnftables is shared-only in Debian
 * while cuttle is static) as ONE transaction per change.
 *
 * Everything lives in one table, `inet cuttle`:
 *   base chains  prerouting/output (dnat: published ports to the host's own
 *                addresses, loopback included), postrouting (masquerade),
 *                forward (filter);
 *   per network  nat-<bridge> (masquerade of its subnets leaving them; none
 *                when --internal), fwd-<bridge>/in-<bridge> (internal: no
 *                forwarding to or from other interfaces; isolate: none to or
 *                from other cuttle bridges);
 *   per container ctr-<id12> with its DNAT rules.
 * The base chains only dispatch (iifname/oifname → network chain, a jump
 * per container with published ports) and are flushed and rewritten from
 * the state in every transaction; network and container chains are added,
 * flushed and deleted by name, so a teardown removes exactly that
 * container's rules, and a missing chain never fails the transaction
 * ("add chain" first).  The caller serialises changes (fw_lock()) and
 * reads the state under that lock.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "cidr.h"
#include "networks.h"
#include "ports.h"
#include "util/error.h"

#define FW_TABLE "cuttle"

struct fw_net {
        const char *bridge;
        const struct cu_cidr *subnets;
        size_t n_subnets;
        bool internal, isolate;
};

struct fw_ctr {
        const char *id;           /* the container ID (its first 12 characters name the chain) */
        struct cu_ip ip4, ip6;    /* family 0: none */
        const struct port_mapping *ports;
        size_t n_ports;
};

struct fw_state {
        const struct fw_net *nets;   /* all networks in use */
        size_t n_nets;
        const struct fw_ctr *ctrs;   /* all containers with published ports */
        size_t n_ctrs;
};

struct fw_change {
        bool reload;                 /* delete the table and re-create all of it */
        const struct fw_ctr *add;    /* (re)install this container's chain */
        const char *remove_id;       /* delete this container's chain */
        char *const *remove_bridges; /* delete these networks' chains */
};

/* The nft script for a change given the state after it. */
int fw_build(const struct fw_state *st, const struct fw_change *chg, char **ret,
             struct cu_error **err);
/* Runs the script through cuttle-netfw (one transaction).  The error
 * carries nft's message. */
int fw_apply(const char *script, struct cu_error **err);
/* Path of the helper: $CUTTLE_NETFW, else beside the running binary, else
 * libexecdir (as cuttle-registry is found). */
char *fw_helper_path(void);
/* Serialises firewall changes across processes: an flock on
 * <runroot>/network.lock.  Returns the fd to close. */
int fw_lock(const char *runroot, struct cu_error **err);
/* Whether the network chains of a bridge are in the kernel (1), not (0), or -errno. */
int fw_net_installed(const char *bridge);
/* The chain name of a container: "ctr-" + 12 characters. */
void fw_ctr_chain(const char *id, char out[32]);
