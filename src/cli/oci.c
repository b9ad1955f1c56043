/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>

#include "cli.h"

int cli_oci_main(int argc, char **argv)
{
        fprintf(stderr, "cuttle-runtime: not implemented yet\n");
        return 1;
}
