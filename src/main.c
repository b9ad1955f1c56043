/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Multicall entry: `cuttle …`, `cuttle-runtime …` (argv[0]), `cuttle oci …`
 * the per-container monitor (argv[0] "cuttle-monitor") and the container init of
 * `run --init` (argv[0] "podman-init", bind-mounted at /run/podman-init). */
#include <string.h>

#include "cli/cli.h"
#include "monitor/ctr-init.h"
#include "monitor/monitor.h"

int main(int argc, char **argv)
{
        const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;
        base = base ? base + 1 : (argc > 0 ? argv[0] : "");
        if (strcmp(base, "cuttle-monitor") == 0)
                return monitor_main(argc, argv);
        if (strcmp(base, "podman-init") == 0) /* run --init: the container's pid 1 */
                return container_init_main(argc, argv);
        return cli_main(argc, argv);
}
