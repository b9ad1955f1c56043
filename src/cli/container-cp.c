/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cp [options] [CONTAINER:]SRC_PATH [CONTAINER:]DEST_PATH */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "containers.h"
#include "engine/fs.h"

/* podman's parseUserInput: a path that starts with '.' or '/' is the host's; otherwise
 * "NAME:PATH" names a container. */
static void split_location(char *arg, const char **ctr, const char **path)
{
        *ctr = NULL;
        *path = arg;
        if (arg[0] == '\0' || arg[0] == '.' || arg[0] == '/')
                return;
        char *colon = strchr(arg, ':');
        if (!colon)
                return;
        *colon = '\0';
        *ctr = arg;
        *path = colon + 1;
}

int cmd_cp(struct cli_ctx *c, int argc, char **argv)
{
        bool archive = true, overwrite = false;
        struct opt opts[] = {
                { .name = "archive", .shorthand = 'a', .type = OPT_BOOL, .value = &archive, .def = "true",
                  .help = "Chown copied files to the primary uid/gid of the destination container." },
                { .name = "overwrite", .type = OPT_BOOL, .value = &overwrite,
                  .help = "Allow to overwrite directories with non-directories and vice versa" },
                { 0 },
        };
        struct opts_cmd cmd = {
                .use = "cuttle cp [options] [CONTAINER:]SRC_PATH [CONTAINER:]DEST_PATH",
                .short_desc = "Copy files/folders between a container and the local filesystem",
                .example = "cuttle cp [options] [CONTAINER:]SRC_PATH [CONTAINER:]DEST_PATH\n"
                           "cuttle cp /myapp/app.conf containerID:/myapp/app.conf\n"
                           "cuttle cp containerID:/myapp/ /myapp/\n"
                           "cuttle cp containerID:/tmp/logs - > logs.tar",
                .opts = opts,
        };
        struct opts_args args = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        struct engine e;
        int rc = cli_parse(&cmd, argc, argv, &args);
        if (rc != 0)
                goto out;
        if (args.n != 2) {
                rc = cli_failf(125, "accepts 2 arg(s), received %zu", args.n);
                goto out;
        }
        struct engine_cp_opts o = { .archive = archive, .overwrite = overwrite, .in_fd = STDIN_FILENO,
                                    .out_fd = STDOUT_FILENO };
        split_location(args.args[0], &o.src_ctr, &o.src_path);
        split_location(args.args[1], &o.dst_ctr, &o.dst_path);
        if ((o.src_ctr && !*o.src_ctr) || (o.dst_ctr && !*o.dst_ctr) || (!o.src_ctr && !o.dst_ctr)) {
                rc = cli_failf(125, "name or ID cannot be empty");
                goto out;
        }
        if (!*o.src_path || !*o.dst_path) {
                rc = cli_failf(125, "empty path");
                goto out;
        }
        if (cli_engine(c, &e, &err) < 0 || engine_cp(&e, &o, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
out:
        opts_args_done(&args);
        return rc == CLI_DONE_OK ? 0 : rc;
}
