/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "cli.h"
#include "util/cleanup.h"

static const char *base_name(const char *p)
{
        const char *s = strrchr(p, '/');
        return s ? s + 1 : p;
}

static void usage(FILE *f)
{
        fputs("Manage pods, containers and images\n"
              "\n"
              "Usage:\n"
              "  cuttle [options] [command]\n"
              "\n"
              "Available Commands:\n"
              "  oci         Run the built-in OCI runtime (runc-compatible command line)\n"
              "  version     Display the cuttle version information\n",
              f);
}

int cli_main(int argc, char **argv)
{
        if (argc > 0 && strcmp(base_name(argv[0]), "cuttle-runtime") == 0)
                return cli_oci_main(argc, argv);
        if (argc < 2) {
                usage(stderr);
                return 125;
        }
        const char *cmd = argv[1];
        if (strcmp(cmd, "oci") == 0)
                return cli_oci_main(argc - 1, argv + 1);
        if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0 ||
            strcmp(cmd, "-v") == 0) {
                printf("cuttle version %s\n", CUTTLE_VERSION);
                return 0;
        }
        if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
                usage(stdout);
                return 0;
        }
        fprintf(stderr, "Error: unrecognized command `cuttle %s`\nTry 'cuttle --help' for more information\n", cmd);
        return 125;
}
