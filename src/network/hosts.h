/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /etc/hosts for containers, podman's content: the base file's entries (the
 * image's /etc/hosts, or none), --add-host entries, localhost for IPv4 and
 * IPv6 when the base has none, host.containers.internal, the container's
 * own addresses with its hostname and name, and then the other containers
 * of its networks with their names and aliases.
 *
 * Name resolution between containers: cuttle maintains these hosts files
 * instead of running a DNS responder per network (aardvark-dns's job).
 * Why: cuttle has no daemon, and a responder would be a long-lived process
 * per network that someone must start, restart after a crash and stop when
 * the last container leaves; each container start would also wait for it to
 * answer.  A hosts file costs nothing at run time, works with every libc
 * resolver (musl and busybox included) and without a listener in the
 * container's namespace.  The price: names only (no search domain, no
 * round-robin over aliases), and every join/leave rewrites the files of the
 * network's other containers (hosts_sync_peers(): in place, under flock,
 * because the file is bind-mounted by inode).  The network still reports
 * dns_enabled as podman does, meaning "containers resolve each other".
 *
 * The peers section starts at a marker line so that a rewrite keeps
 * whatever came before it (entries the user or the image put there).
 */
#pragma once
#include <stddef.h>
#include "util/error.h"

#define HOSTS_PEERS_MARKER "# cuttle: containers on the same networks"

struct hosts_entry {
        char *ip;
        char **names; /* NULL-terminated */
};

struct hosts_params {
        const char *base;            /* text of the base hosts file, NULL: none */
        char *const *extra_hosts;    /* --add-host "name:ip" (or "name=ip") */
        const char *host_internal_ip; /* host.containers.internal, NULL: none */
        const struct hosts_entry *self; /* the container's own entries */
        size_t n_self;
        const struct hosts_entry *peers; /* other containers of its networks */
        size_t n_peers;
};

/* Parses hosts text (comments and blank lines dropped). */
int hosts_parse(const char *text, struct hosts_entry **ret, size_t *n, struct cu_error **err);
void hosts_entries_free(struct hosts_entry *v, size_t n);
/* Builds the file's text.  -EINVAL for a bad --add-host ("invalid IP
 * address in add-host: \"x\""). */
int hosts_build(const struct hosts_params *p, char **ret, struct cu_error **err);

/* A container on a network, for the peers sections. */
struct hosts_peer {
        const char *path;  /* its hosts file on the host; NULL: not written */
        const char *ip;
        char **names;      /* name, aliases, short id */
};
/* Rewrites the peers section of every peer's file (each gets all others). */
int hosts_sync_peers(const struct hosts_peer *peers, size_t n, struct cu_error **err);
/* Replaces the peers section of one file in place. */
int hosts_write_peers(const char *path, const struct hosts_entry *peers, size_t n,
                      struct cu_error **err);
