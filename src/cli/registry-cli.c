/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cuttle-registry's dispatcher: the commands that need libcurl. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cli_registry_main(int argc, char **argv)
{
        (void) argc;
        fprintf(stderr, "Error: %s: no registry commands are built in yet\n", argv[0]);
        return 125;
}
