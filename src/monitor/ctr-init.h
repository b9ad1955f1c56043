/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The container init for `run --init` (argv[0] "podman-init"): forwards signals, reaps. */
#pragma once

int container_init_main(int argc, char **argv);
