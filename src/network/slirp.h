/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --network slirp4netns[:OPTIONS]: user-mode networking by the slirp4netns program
 * (Debian's slirp4netns package), as podman 4.3 runs it.  It is what a rootless engine uses;
 * cuttle has no rootless mode yet, so here it is a mode root chooses (a future rootless mode
 * will make it the default, as podman does).
 *
 * The engine makes the container's namespace (<runroot>/netns/<id>, as for bridge), then
 * slirp_start() runs
 *   slirp4netns --configure --mtu=65520 --disable-host-loopback --enable-sandbox
 *               --enable-seccomp [--enable-ipv6] [--cidr=…] [--outbound-addr=…]
 *               -e 3 -r 4 --api-socket S --netns-type=path <netns> tap0
 * detached (its own session, parent init), waits for the ready fd, and publishes the ports
 * through the API socket (add_hostfwd).  The container sees tap0 10.0.2.100/24 (the CIDR's
 * .100), gateway .2, DNS forwarder .3.
 *
 * Who owns the process: as podman leaks the exit pipe's write end into conmon, the caller
 * hands the write end slirp_start() returns to the container's monitor (the only fd it
 * inherits on purpose): when the monitor dies (also by kill -9), slirp4netns reads EOF and
 * exits.  A pid file (pid and start time) lets the engine's cleanup (exit, rm, a crash, an
 * orphaned container) end it as well: net_helper_stop() is idempotent.
 *
 * Files, per container, under <runroot>/nethelper/: <id>.pid, <id>.log (the helper's
 * stderr), <id>.ports (the published ports as set up), s-<id12>.sock (the API socket,
 * relative to the directory: a unix path is short).
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "cidr.h"
#include "ports.h"
#include "util/error.h"

struct slirp_opts {
        bool allow_host_loopback;   /* allow_host_loopback=true: 10.0.2.2 reaches the host's lo */
        bool enable_ipv6;           /* enable_ipv6=true (podman 4.3's default) */
        bool rootlesskit;           /* port_handler=rootlesskit (not done: refused with ports) */
        int mtu;                    /* mtu=, default 65520 */
        char cidr[CU_IP_STRLEN];    /* cidr=, "" → 10.0.2.0/24 */
        char outbound_addr[64];     /* outbound_addr= (IPv4 or an interface name) */
        char outbound_addr6[64];    /* outbound_addr6= */
};

/* The defaults (podman 4.3: IPv6 on, host loopback off, MTU 65520). */
void slirp_opts_default(struct slirp_opts *o);
/* Folds "key=value" options (the parts after "slirp4netns:", split at ',') into o, with
 * podman's errors ("unknown option for slirp4netns: \"x\"", "invalid cidr \"x\"", "invalid
 * mtu \"x\"", …).  -EINVAL. */
int slirp_opts_parse(char *const *opts, struct slirp_opts *o, struct cu_error **err);
/* The container's address (network + 100), the gateway (+2) and the DNS forwarder (+3) of
 * the CIDR, and its prefix length. */
int slirp_addresses(const struct slirp_opts *o, struct cu_ip *ret_ip, struct cu_ip *ret_gw,
                    struct cu_ip *ret_dns, unsigned *ret_prefix, struct cu_error **err);
/* The host's first IPv4 address that is not loopback, podman's host.containers.internal in
 * this mode (reached through slirp4netns's NAT, unlike the gateway, which is the host's
 * loopback and closed unless allow_host_loopback=true).  false: none. */
bool slirp_host_ip(char buf[static CU_IP_STRLEN]);
/* slirp4netns's command line (malloc'd strv; NULL: -ENOMEM). */
char **slirp_argv(const struct slirp_opts *o, int exit_fd, int ready_fd, const char *api_socket,
                  const char *netns_path);
/* One add_hostfwd request (JSON text, malloc'd) and the check of its reply ({"return":…}
 * or {"error":{"desc":…}}: -EIO with that text). */
char *slirp_hostfwd_request(const char *proto, const char *host_addr, unsigned host_port,
                            const char *guest_addr, unsigned guest_port);
int slirp_hostfwd_reply(const char *text, struct cu_error **err);

struct slirp_start_opts {
        const char *runroot, *container_id, *netns_path;
        const struct slirp_opts *opts;
        const struct port_mapping *ports; /* host ports already chosen */
        size_t n_ports;
};
/* Starts slirp4netns for the namespace, waits until tap0 is configured, adds the port
 * forwards.  *ret_exit_fd gets the exit pipe's write end (O_CLOEXEC; slirp4netns exits when
 * every copy is closed).  On failure nothing of it is left (its stderr is in the error). */
int slirp_start(const struct slirp_start_opts *o, int *ret_exit_fd, struct cu_error **err);

/* <runroot>/nethelper (malloc'd). */
char *net_helper_dir(const char *runroot);
/* Records pid (with its start time) as the container's helper process. */
int net_helper_write_pid(const char *runroot, const char *id, int pid, struct cu_error **err);
/* The published ports as set up (<id>.ports), for `port` and inspect; -ENOENT: none. */
int net_helper_ports(const char *runroot, const char *id, struct port_mapping **ret, size_t *n,
                     struct cu_error **err);
int net_helper_save_ports(const char *runroot, const char *id, const struct port_mapping *v,
                          size_t n, struct cu_error **err);
/* Ends the container's helper process (slirp4netns or pasta; checked to be the one started
 * by its start time), waits for it, removes its files.  Idempotent. */
int net_helper_stop(const char *runroot, const char *id, struct cu_error **err);
/* The pid of the container's helper process while it runs, else 0. */
int net_helper_pid(const char *runroot, const char *id);
