/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Multicall entry: `cuttle …`, `cuttle-runtime …` (argv[0]) and `cuttle oci …`. */
#include "cli/cli.h"

int main(int argc, char **argv)
{
        return cli_main(argc, argv);
}
