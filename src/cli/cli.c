/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "cli.h"
#include "util/cleanup.h"
#include "util/log.h"

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
              "  version     Display the cuttle version information\n"
              "\n"
              "Options:\n"
              "      --log-level string   Log messages above specified level (trace, debug, info,\n"
              "                           warn, error, fatal or panic) (default \"warn\")\n",
              f);
}

int cli_main(int argc, char **argv)
{
        if (argc > 0 && strcmp(base_name(argv[0]), "cuttle-runtime") == 0)
                return cli_oci_main(argc, argv);
        /* Global options before the command (podman's --log-level). */
        int i = 1;
        for (; i < argc && argv[i][0] == '-'; i++) {
                const char *a = argv[i], *val = NULL;
                if (strncmp(a, "--log-level=", 12) == 0)
                        val = a + 12;
                else if (strcmp(a, "--log-level") == 0 && i + 1 < argc)
                        val = argv[++i];
                else
                        break;
                enum log_level l = log_level_from_string(val);
                if (l < 0) {
                        fprintf(stderr, "Error: log level \"%s\" is invalid: use one of trace, "
                                        "debug, info, warn, error, fatal, panic\n", val);
                        return 125;
                }
                log_set_level(l);
        }
        argc -= i - 1;
        argv += i - 1;
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
