/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --network pasta[:OPTIONS]: user-mode networking by pasta (Debian's passt package), as
 * podman (4.4, which added it) runs it.  Like slirp4netns it is what a rootless engine uses;
 * cuttle has no rootless mode yet, so it is a mode root chooses.
 *
 * The engine makes the container's namespace (<runroot>/netns/<id>), then pasta_start() runs
 *   pasta --config-net [-t|-u [ADDR/]HOST-RANGE:CTR-RANGE]... OPTIONS...
 *         [-t none] [-u none] [-T none] [-U none] [--no-map-gw] --netns PATH
 * (the "none"s and --no-map-gw unless OPTIONS set them; "--map-gw" is podman's own option:
 * it only drops --no-map-gw).  pasta copies the host's addresses, routes and MTU into the
 * namespace (it needs a host interface with a default route, else it fails: its message
 * is the error), goes to the background once ready and leaves when the namespace goes.
 * Debian 12's pasta drops to "nobody" when run as root and then cannot enter a namespace
 * owned by the host: cuttle adds --runas 0:0 (keeping only the capabilities pasta keeps)
 * unless OPTIONS name --runas; and -P <pid file> so that cleanup can end it
 * (net_helper_stop() in slirp.h, before the namespace is removed).
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "ports.h"
#include "util/error.h"

/* pasta's command line (malloc'd strv; NULL: -ENOMEM or an sctp port: -EINVAL in *ret_err
 * unless NULL).  user_opts: the options after "pasta:", split at ','; pid_file may be NULL;
 * as_root adds --runas 0:0. */
char **pasta_argv(const struct port_mapping *ports, size_t n_ports, char *const *user_opts,
                  const char *netns_path, const char *pid_file, bool as_root, int *ret_err);

struct pasta_start_opts {
        const char *runroot, *container_id, *netns_path;
        char *const *user_opts;
        const struct port_mapping *ports; /* host ports already chosen */
        size_t n_ports;
};
/* Runs pasta for the namespace and waits until it is ready (it forks to the background).
 * Podman's error: "pasta failed with exit code N:\n<its stderr>". */
int pasta_start(const struct pasta_start_opts *o, struct cu_error **err);
