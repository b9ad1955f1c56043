/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Top-level help generated from the command tables (cli.c), `cuttle help [COMMAND…]`, and
 * podman's one-line descriptions of its commands (so a command added to a table is listed
 * with its description without touching this file). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "util/cleanup.h"

/* "group name" or "name" → podman's short description. */
static const char *const descs[][2] = {
        { "attach", "Attach to a running container" },
        { "auto-update", "Auto update containers according to their auto-update policy" },
        { "build", "Build an image using instructions from Containerfiles" },
        { "commit", "Create new image based on the changed container" },
        { "completion", "Generate shell autocompletions" },
        { "container", "Manage containers" },
        { "cp", "Copy files/folders between a container and the local filesystem" },
        { "create", "Create but do not start a container" },
        { "diff", "Display the changes to the object's file system" },
        { "events", "Show podman system events" },
        { "exec", "Run a process in a running container" },
        { "export", "Export container's filesystem contents as a tar archive" },
        { "generate", "Generate structured data based on containers, pods or volumes" },
        { "healthcheck", "Manage health checks on containers" },
        { "help", "Help about any command" },
        { "history", "Show history of a specified image" },
        { "image", "Manage images" },
        { "images", "List images in local storage" },
        { "import", "Import a tarball to create a filesystem image" },
        { "info", "Display cuttle system information" },
        { "init", "Initialize one or more containers" },
        { "inspect", "Display the configuration of object denoted by ID" },
        { "kill", "Kill one or more running containers with a specific signal" },
        { "kube", "Play containers, pods or volumes from a structured file" },
        { "load", "Load image(s) from a tar archive" },
        { "login", "Log in to a container registry" },
        { "logout", "Log out of a container registry" },
        { "logs", "Fetch the logs of one or more containers" },
        { "mount", "Mount a working container's root filesystem" },
        { "network", "Manage networks" },
        { "oci", "Run the built-in OCI runtime (runc-compatible command line)" },
        { "pause", "Pause all the processes in one or more containers" },
        { "pod", "Manage pods" },
        { "port", "List port mappings or a specific mapping for the container" },
        { "ps", "List containers" },
        { "pull", "Pull an image from a registry" },
        { "push", "Push an image to a specified destination" },
        { "rename", "Rename an existing container" },
        { "restart", "Restart one or more containers" },
        { "rm", "Remove one or more containers" },
        { "rmi", "Removes one or more images from local storage" },
        { "run", "Run a command in a new container" },
        { "save", "Save image(s) to an archive" },
        { "search", "Search registry for image" },
        { "secret", "Manage secrets" },
        { "start", "Start one or more containers" },
        { "stats", "Display a live stream of container resource usage statistics" },
        { "stop", "Stop one or more containers" },
        { "system", "Manage cuttle" },
        { "tag", "Add an additional name to a local image" },
        { "top", "Display the running processes of a container" },
        { "umount", "Unmount working container's root filesystem" },
        { "unmount", "Unmount working container's root filesystem" },
        { "unpause", "Unpause the processes in one or more containers" },
        { "untag", "Remove a name from a local image" },
        { "update", "Update an existing container" },
        { "version", "Display the cuttle version information" },
        { "volume", "Manage volumes" },
        { "wait", "Block on one or more containers" },
        { "healthcheck run", "run the health check of a container" },
        { "image diff", "Inspect changes to the image's file systems" },
        { "image exists", "Check if an image exists in local storage" },
        { "image inspect", "Display the configuration of an image" },
        { "image list", "List images in local storage" },
        { "image ls", "List images in local storage" },
        { "image mount", "Mount an image's root filesystem" },
        { "image prune", "Remove unused images" },
        { "image rm", "Remove one or more images from local storage" },
        { "image umount", "Unmount an image's root filesystem" },
        { "image unmount", "Unmount an image's root filesystem" },
        { "system df", "Show podman disk usage" },
        { "system info", "Display cuttle system information" },
        { "system prune", "Remove unused data" },
        { "system reset", "Reset cuttle storage" },
        { "container diff", "Inspect changes to the container's file systems" },
        { "container inspect", "Display the configuration of a container" },
        { "container list", "List containers" },
        { "container ls", "List containers" },
        { "container prune", "Remove all non running containers" },
        { "network create", "Create networks for containers and pods" },
        { "network ls", "List networks" },
        { "network rm", "Remove networks" },
        { "network inspect", "Display the network configuration for one or more networks" },
        { "volume create", "Create a new volume" },
        { "volume ls", "List volumes" },
        { "volume rm", "Remove one or more volumes" },
        { "volume inspect", "Display detailed information on one or more volumes" },
        { "volume prune", "Remove all unused volumes" },
};

const char *cli_command_desc(const char *group, const char *name)
{
        char full[128];
        if (group) {
                snprintf(full, sizeof(full), "%s %s", group, name);
                for (size_t i = 0; i < ELEMENTSOF(descs); i++)
                        if (strcmp(descs[i][0], full) == 0)
                                return descs[i][1];
        }
        for (size_t i = 0; i < ELEMENTSOF(descs); i++)
                if (strcmp(descs[i][0], name) == 0)
                        return descs[i][1];
        return NULL;
}

static int cmp_cmd(const void *a, const void *b)
{
        return strcmp((*(const struct cli_command *const *) a)->name,
                      (*(const struct cli_command *const *) b)->name);
}

/* The table's commands in name order, as cobra lists them. */
static void list_commands(FILE *f, const struct cli_command *t, const char *group)
{
        size_t n = 0;
        while (t[n].name)
                n++;
        _cleanup_free_ const struct cli_command **v = calloc(n + 1, sizeof(*v));
        if (!v)
                return;
        for (size_t i = 0; i < n; i++)
                v[i] = &t[i];
        qsort(v, n, sizeof(*v), cmp_cmd);
        for (size_t i = 0; i < n; i++) {
                const char *d = cli_command_desc(group, v[i]->name);
                fprintf(f, "  %-11s %s\n", v[i]->name, strempty(d));
        }
}

char *cli_usage_text(void)
{
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        if (!f)
                return NULL;
        fputs("Manage pods, containers and images\n\n"
              "Usage:\n  cuttle [options] [command]\n\n"
              "Available Commands:\n", f);
        list_commands(f, cli_commands, NULL);
        _cleanup_free_ char *globals = cli_ctx_global_usages();
        fprintf(f, "\nOptions:\n%s", strempty(globals));
        fputs("  -h, --help                        help for cuttle\n"
              "  -v, --version                     version for cuttle\n", f);
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

/* The help of a group: its subcommands. */
static void group_usage(FILE *f, const struct cli_command *g)
{
        const char *d = cli_command_desc(NULL, g->name);
        fprintf(f, "%s\n\nUsage:\n  cuttle %s [command]\n\nAvailable Commands:\n", strempty(d), g->name);
        list_commands(f, g->sub, g->name);
}

static const struct cli_command *lookup(const struct cli_command *t, const char *name)
{
        for (; t && t->name; t++)
                if (strcmp(t->name, name) == 0)
                        return t;
        return NULL;
}

/* cuttle help [COMMAND [SUBCOMMAND]]: the command's own --help. */
int cmd_help(struct cli_ctx *c, int argc, char **argv)
{
        if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                _cleanup_free_ char *u = cli_usage_text();
                fputs(strempty(u), stdout);
                return 0;
        }
        const struct cli_command *cmd = lookup(cli_commands, argv[1]);
        if (!cmd)
                return cli_failf(125, "unknown help topic \"%s\": try 'cuttle --help'", argv[1]);
        const struct cli_command *sub = cmd->sub && argc > 2 ? lookup(cmd->sub, argv[2]) : NULL;
        if (cmd->sub && !sub) {
                if (argc > 2)
                        return cli_failf(125, "unknown help topic \"%s %s\"", argv[1], argv[2]);
                group_usage(stdout, cmd);
                return 0;
        }
        const struct cli_command *run = sub ? sub : cmd;
        char help[] = "--help";
        char *av[] = { (char *) run->name, help, NULL };
        return run->fn(c, 2, av);
}

/* Runs "GROUP SUB args…" (argv[0] is the group's name). */
int cli_group_dispatch(struct cli_ctx *c, const struct cli_command *g, int argc, char **argv)
{
        if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                group_usage(argc < 2 ? stderr : stdout, g);
                if (argc < 2)
                        fprintf(stderr, "Error: missing command 'cuttle %s COMMAND'\n", g->name);
                return argc < 2 ? 125 : 0;
        }
        const struct cli_command *sub = lookup(g->sub, argv[1]);
        if (!sub) {
                fprintf(stderr, "Error: unrecognized command `cuttle %s %s`\n"
                                "Try 'cuttle %s --help' for more information\n",
                        g->name, argv[1], g->name);
                return 125;
        }
        if (sub->sub)
                return cli_group_dispatch(c, sub, argc - 1, argv + 1);
        return sub->fn(c, argc - 1, argv + 1);
}
