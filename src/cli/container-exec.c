/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exec: a process in a running container. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "containers.h"
#include "util/strv.h"

int cmd_exec(struct cli_ctx *c, int argc, char **argv)
{
        bool interactive = false, tty = false, detach = false, privileged = false, latest = false;
        unsigned preserve_fds = 0;
        const char *user = NULL, *workdir = NULL, *detach_keys = NULL;
        char **env = NULL, **env_files = NULL;
        struct opt opts[] = {
                { .name = "detach", .shorthand = 'd', .type = OPT_BOOL, .value = &detach, .help = "Run the exec session in detached mode (backgrounded)" },
                { .name = "detach-keys", .type = OPT_STRING, .value = &detach_keys, .help = "Select the key sequence for detaching a container" },
                { .name = "env", .shorthand = 'e', .type = OPT_STRING_ARRAY, .value = &env, .help = "Set environment variables" },
                { .name = "env-file", .type = OPT_STRING_ARRAY, .value = &env_files, .help = "Read in a file of environment variables" },
                { .name = "interactive", .shorthand = 'i', .type = OPT_BOOL, .value = &interactive, .help = "Keep STDIN open even if not attached" },
                { .name = "latest", .shorthand = 'l', .type = OPT_BOOL, .value = &latest, .help = "Act on the latest container podman is aware of" },
                { .name = "preserve-fds", .type = OPT_UINT, .value = &preserve_fds, .help = "Pass N additional file descriptors to the container" },
                { .name = "privileged", .type = OPT_BOOL, .value = &privileged, .help = "Give the process extended Linux capabilities inside the container.  The default is false" },
                { .name = "tty", .shorthand = 't', .type = OPT_BOOL, .value = &tty, .help = "Allocate a pseudo-TTY. The default is false" },
                { .name = "user", .shorthand = 'u', .type = OPT_STRING, .value = &user, .help = "Sets the username or UID used and optionally the groupname or GID for the specified command" },
                { .name = "workdir", .shorthand = 'w', .type = OPT_STRING, .value = &workdir, .help = "Working directory inside the container" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle exec [options] CONTAINER [COMMAND [ARG...]]",
                                .short_desc = "Run a process in a running container",
                                .flags = OPTS_STOP_AT_FIRST_ARG, .opts = opts };
        struct opts_args args = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_ctr_record_list_ struct ctr_record **list = NULL;
        struct engine e;
        int rc = cli_parse(&cmd, argc, argv, &args);
        if (rc != 0)
                goto out;
        if (args.n < (latest ? 1u : 2u)) {
                rc = cli_failf(125, "exec requires the name or ID of a container or the --latest flag");
                goto out;
        }
        for (unsigned i = 0; i < preserve_fds; i++)
                if (fcntl(3 + (int) i, F_GETFD) < 0) {
                        rc = cli_failf(125, "file descriptor %u is not available - the preserve-fds option requires that all file descriptors must be passed",
                                       3 + i);
                        goto out;
                }
        if (cli_engine(c, &e, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        const char *target = args.args[0];
        char **cmdv = args.args + 1;
        if (latest) {
                size_t n = 0;
                if (ctr_list(e.db, &list, &n, &err) < 0 || n == 0) {
                        rc = cli_failf(125, "no containers to exec in");
                        goto out;
                }
                target = list[n - 1]->id;
                cmdv = args.args;
        }
        struct engine_exec_opts eo = { .args = cmdv, .env = env, .user = user, .workdir = workdir,
                                       .tty = tty, .interactive = interactive, .detach = detach,
                                       .privileged = privileged, .preserve_fds = preserve_fds };
        int code = 0;
        fflush(NULL);
        if (engine_exec(&e, target, &eo, &code, &err) < 0) {
                rc = cli_engine_fail(err);
                goto out;
        }
        rc = code;
out:
        strv_free(env);
        strv_free(env_files);
        opts_args_done(&args);
        return rc == CLI_DONE_OK ? 0 : rc;
}
