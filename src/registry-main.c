/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cuttle-registry: the commands that talk to registries (libcurl), exec'd by
 * the static cuttle with the user's argv (cuttle [global options] pull …). */
#include "cli/cli.h"

int main(int argc, char **argv)
{
        return cli_registry_main(argc, argv);
}
