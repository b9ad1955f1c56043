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
        _cleanup_free_ char *u = cli_usage_text();
        fputs(strempty(u), f);
}

/* pull, push, login and logout need libcurl: cuttle-registry runs them. */
static int exec_registry(struct cli_ctx *c, int argc, char **argv)
{
        (void) argc;
        (void) argv;
        return registry_exec(c->argc, c->argv);
}

static const struct cli_command image_commands[] = {
        { "diff", cmd_image_diff }, { "exists", cmd_image_exists }, { "history", cmd_image_history }, { "import", cmd_import },
        { "inspect", cmd_image_inspect }, { "list", cmd_images }, { "load", cmd_load }, { "ls", cmd_images },
        { "mount", cmd_image_mount }, { "prune", cmd_image_prune }, { "pull", exec_registry },
        { "push", exec_registry }, { "rm", cmd_rmi }, { "save", cmd_save }, { "tag", cmd_tag },
        { "umount", cmd_image_unmount }, { "unmount", cmd_image_unmount }, { "untag", cmd_untag },
        { NULL, NULL },
};

static const struct cli_command container_commands[] = {
        { "cleanup", cmd_container_cleanup }, { "commit", cmd_commit }, { "cp", cmd_cp },
        { "create", cmd_create }, { "diff", cmd_container_diff }, { "exec", cmd_exec },
        { "export", cmd_export }, { "mount", cmd_mount }, { "umount", cmd_unmount },
        { "unmount", cmd_unmount },
        { "exists", cmd_container_exists }, { "inspect", cmd_container_inspect }, { "kill", cmd_kill },
        { "list", cmd_ps }, { "logs", cmd_logs }, { "ls", cmd_ps }, { "pause", cmd_pause },
        { "port", cmd_port }, { "ps", cmd_ps }, { "rm", cmd_rm }, { "run", cmd_run }, { "start", cmd_start },
        { "stop", cmd_stop }, { "unpause", cmd_unpause }, { "wait", cmd_wait },
        { "stats", cmd_stats }, { "top", cmd_top },
        { "attach", cmd_attach }, { "init", cmd_init }, { "prune", cmd_container_prune },
        { "rename", cmd_rename }, { "restart", cmd_restart },
        { "checkpoint", cmd_container_checkpoint }, { "restore", cmd_container_restore },
        { NULL, NULL },
};

static const struct cli_command system_commands[] = {
        { "df", cmd_system_df },
        { "info", cmd_info },
        { "events", cmd_events },
        { "migrate", cmd_system_migrate },
        { "prune", cmd_system_prune },
        { "reset", cmd_system_reset },
        { NULL, NULL },
};

static int cmd_oci(struct cli_ctx *c, int argc, char **argv)
{
        (void) c;
        return cli_oci_main(argc, argv);
}

static const struct cli_command top_commands[] = {
        { "create", cmd_create }, { "exec", cmd_exec }, { "kill", cmd_kill }, { "logs", cmd_logs },
        { "pause", cmd_pause }, { "port", cmd_port }, { "ps", cmd_ps }, { "rm", cmd_rm }, { "run", cmd_run },
        { "start", cmd_start }, { "stop", cmd_stop }, { "unpause", cmd_unpause }, { "wait", cmd_wait },
        { "network", cmd_network }, { "volume", cmd_volume }, { "container", NULL, container_commands },
        { "commit", cmd_commit }, { "cp", cmd_cp }, { "diff", cmd_diff }, { "export", cmd_export },
        { "mount", cmd_mount }, { "umount", cmd_unmount }, { "unmount", cmd_unmount },
        { "secret", cmd_secret },
        { "history", cmd_image_history }, { "images", cmd_images }, { "import", cmd_import },
        { "inspect", cmd_inspect }, { "load", cmd_load }, { "login", exec_registry },
        { "logout", exec_registry }, { "pull", exec_registry }, { "push", exec_registry }, { "rmi", cmd_rmi },
        { "save", cmd_save }, { "tag", cmd_tag }, { "untag", cmd_untag },
        { "image", NULL, image_commands }, { "system", NULL, system_commands },
        { "healthcheck", NULL, healthcheck_commands },
        { "info", cmd_info }, { "version", cmd_version }, { "help", cmd_help },
        { "completion", cmd_completion }, { "oci", cmd_oci },
        { "events", cmd_events }, { "stats", cmd_stats }, { "top", cmd_top },
        { "attach", cmd_attach }, { "init", cmd_init }, { "rename", cmd_rename },
        { "restart", cmd_restart },
        { NULL, NULL },
};
const struct cli_command *const cli_commands = top_commands;

/* Runs argv[0…] as a command of top_commands. */
static int dispatch(struct cli_ctx *c, int argc, char **argv)
{
        for (const struct cli_command *t = top_commands; t->name; t++) {
                if (strcmp(t->name, argv[0]) != 0)
                        continue;
                if (t->sub)
                        return cli_group_dispatch(c, t, argc, argv);
                return t->fn(c, argc, argv);
        }
        fprintf(stderr, "Error: unrecognized command `cuttle %s`\nTry 'cuttle --help' for more information\n",
                argv[0]);
        return 125;
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
        if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-v") == 0) {
                printf("cuttle version %s\n", CUTTLE_VERSION);
                rc = 0;
        } else if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
                usage(stdout);
                rc = 0;
        } else {
                rc = dispatch(&c, argc - i, argv + i);
        }
        fflush(stdout);
        cli_ctx_done(&c);
        return rc;
}
