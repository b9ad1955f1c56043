/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "cli.h"
#include "commands.h"
#include "containers.h"
#include "context.h"
#include "registry-exec.h"
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
              "  history     Show history of a specified image\n"
              "  image       Manage images\n"
              "  images      List images in local storage\n"
              "  import      Import a tarball to create a filesystem image\n"
              "  load        Load image(s) from a tar archive\n"
              "  login       Log in to a container registry\n"
              "  logout      Log out of a container registry\n"
              "  oci         Run the built-in OCI runtime (runc-compatible command line)\n"
              "  pull        Pull an image from a registry\n"
              "  push        Push an image to a specified destination\n"
              "  rmi         Removes one or more images from local storage\n"
              "  save        Save image(s) to an archive\n"
              "  tag         Add an additional name to a local image\n"
              "  untag       Remove a name from a local image\n"
              "  version     Display the cuttle version information\n"
              "\n"
              "Options:\n"
              "      --root string             Path to the root directory in which data is stored\n"
              "      --runroot string          Path to the 'run directory' where all state information is stored\n"
              "      --storage-driver string   Select which storage driver is used to manage storage of images and containers\n"
              "      --log-level string   Log messages above specified level (trace, debug, info,\n"
              "                           warn, error, fatal or panic) (default \"warn\")\n",
              f);
}

struct command {
        const char *name;
        cli_command_fn fn;
};

/* pull, push, login and logout need libcurl: cuttle-registry runs them. */
static int exec_registry(struct cli_ctx *c, int argc, char **argv)
{
        (void) argc;
        (void) argv;
        return registry_exec(c->argc, c->argv);
}

static const struct command image_commands[] = {
        { "exists", cmd_image_exists }, { "history", cmd_image_history }, { "import", cmd_import },
        { "inspect", cmd_image_inspect }, { "list", cmd_images }, { "load", cmd_load }, { "ls", cmd_images },
        { "mount", cmd_image_mount }, { "prune", cmd_image_prune }, { "pull", exec_registry },
        { "push", exec_registry }, { "rm", cmd_rmi }, { "save", cmd_save }, { "tag", cmd_tag },
        { "umount", cmd_image_unmount }, { "unmount", cmd_image_unmount }, { "untag", cmd_untag },
        { NULL, NULL },
};

static const struct command container_commands[] = {
        { "cleanup", cmd_container_cleanup }, { "create", cmd_create }, { "exec", cmd_exec },
        { "exists", cmd_container_exists }, { "inspect", cmd_container_inspect }, { "kill", cmd_kill },
        { "list", cmd_ps }, { "logs", cmd_logs }, { "ls", cmd_ps }, { "pause", cmd_pause },
        { "ps", cmd_ps }, { "rm", cmd_rm }, { "run", cmd_run }, { "start", cmd_start },
        { "stop", cmd_stop }, { "unpause", cmd_unpause }, { "wait", cmd_wait },
        { NULL, NULL },
};

static const struct command top_commands[] = {
        { "create", cmd_create }, { "exec", cmd_exec }, { "kill", cmd_kill }, { "logs", cmd_logs },
        { "pause", cmd_pause }, { "ps", cmd_ps }, { "rm", cmd_rm }, { "run", cmd_run },
        { "start", cmd_start }, { "stop", cmd_stop }, { "unpause", cmd_unpause }, { "wait", cmd_wait },
        { "network", cmd_network },
        { "history", cmd_image_history }, { "images", cmd_images }, { "import", cmd_import },
        { "inspect", cmd_inspect }, { "load", cmd_load }, { "login", exec_registry },
        { "logout", exec_registry }, { "pull", exec_registry }, { "push", exec_registry }, { "rmi", cmd_rmi },
        { "save", cmd_save }, { "tag", cmd_tag }, { "untag", cmd_untag },
        { NULL, NULL },
};

static cli_command_fn find(const struct command *t, const char *name)
{
        for (; t->name; t++)
                if (strcmp(t->name, name) == 0)
                        return t->fn;
        return NULL;
}

static void image_usage(FILE *f)
{
        fputs("Manage images\n\nUsage:\n  cuttle image [command]\n\nAvailable Commands:\n", f);
        for (const struct command *t = image_commands; t->name; t++)
                fprintf(f, "  %s\n", t->name);
}

/* Runs argv[cmd_index…] as an engine command from `table` ("image …" nests one level). */
static int dispatch(struct cli_ctx *c, int argc, char **argv, const struct command *table,
                    const char *prefix)
{
        const char *cmd = argv[0];
        if (table == top_commands && strcmp(cmd, "image") == 0) {
                if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                        image_usage(argc < 2 ? stderr : stdout);
                        return argc < 2 ? 125 : 0;
                }
                return dispatch(c, argc - 1, argv + 1, image_commands, "image ");
        }
        if (table == top_commands && strcmp(cmd, "container") == 0) {
                if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                        fputs("Manage containers\n\nUsage:\n  cuttle container [command]\n\nAvailable Commands:\n",
                              argc < 2 ? stderr : stdout);
                        for (const struct command *t = container_commands; t->name; t++)
                                fprintf(argc < 2 ? stderr : stdout, "  %s\n", t->name);
                        return argc < 2 ? 125 : 0;
                }
                return dispatch(c, argc - 1, argv + 1, container_commands, "container ");
        }
        cli_command_fn fn = find(table, cmd);
        if (!fn) {
                fprintf(stderr, "Error: unrecognized command `cuttle %s%s`\nTry 'cuttle %s--help' for more information\n",
                        prefix, cmd, prefix);
                return 125;
        }
        return fn(c, argc, argv);
}

int cli_main(int argc, char **argv)
{
        if (argc > 0 && strcmp(base_name(argv[0]), "cuttle-runtime") == 0)
                return cli_oci_main(argc, argv);
        struct cli_ctx c;
        int i = cli_ctx_init(&c, argc, argv);
        if (i < 0) {
                cli_ctx_done(&c);
                return 125;
        }
        if (i >= argc) {
                usage(stderr);
                cli_ctx_done(&c);
                return 125;
        }
        const char *cmd = argv[i];
        int rc;
        if (strcmp(cmd, "oci") == 0) {
                rc = cli_oci_main(argc - i, argv + i);
        } else if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0 || strcmp(cmd, "-v") == 0) {
                printf("cuttle version %s\n", CUTTLE_VERSION);
                rc = 0;
        } else if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
                usage(stdout);
                rc = 0;
        } else {
                rc = dispatch(&c, argc - i, argv + i, top_commands, "");
        }
        fflush(stdout);
        cli_ctx_done(&c);
        return rc;
}
