/* SPDX-License-Identifier: GPL-2.0-or-later */
/* attach: the user's terminal on a running container's stdio (through its monitor). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "containers.h"
#include "monitor/attach.h"

int cmd_attach(struct cli_ctx *c, int argc, char **argv)
{
        const char *detach_keys = NULL;
        bool latest = false, no_stdin = false, sig_proxy = true;
        struct opt opts[] = {
                { .name = "detach-keys", .type = OPT_STRING, .value = &detach_keys, .help = "Select the key sequence for detaching a container. Format is a single character [a-Z] or a comma separated sequence of `ctrl-<value>`, where `<value>` is one of: `a-z`, `@`, `^`, `[`, `\\`, `]`, `^` or `_`", .def = "\"ctrl-p,ctrl-q\"" },
                { .name = "latest", .shorthand = 'l', .type = OPT_BOOL, .value = &latest, .help = "Act on the latest container podman is aware of" },
                { .name = "no-stdin", .type = OPT_BOOL, .value = &no_stdin, .help = "Do not attach STDIN. The default is false" },
                { .name = "sig-proxy", .type = OPT_BOOL, .value = &sig_proxy, .help = "Proxy received signals to the process", .def = "true" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle attach [options] CONTAINER",
                                .short_desc = "Attach to a running container", .opts = opts };
        struct opts_args args = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        struct engine e;
        int rc = cli_parse(&cmd, argc, argv, &args);
        if (rc != 0)
                goto out;
        if (args.n > 1 || (args.n == 1 && latest)) {
                rc = cli_failf(125, "attach requires the name or id of one running container or the latest flag");
                goto out;
        }
        if (args.n == 0 && !latest) {
                rc = cli_failf(125, "\"cuttle attach\" requires a name, id, or the \"--latest\" flag");
                goto out;
        }
        struct detach_keys dk;
        if (detach_keys && detach_keys_parse(detach_keys, &dk, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        if (cli_engine(c, &e, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        char target[CTR_ID_LEN + 1] = "";
        if (latest) {
                _cleanup_ctr_record_list_ struct ctr_record **list = NULL;
                size_t n = 0;
                if (engine_list(&e, &list, &n, &err) < 0) {
                        rc = cli_fail(125, err);
                        goto out;
                }
                if (n == 0) {
                        rc = cli_failf(125, "no containers to attach to");
                        goto out;
                }
                memcpy(target, list[n - 1]->id, sizeof target);
        } else {
                snprintf(target, sizeof target, "%s", args.args[0]);
        }
        struct engine_attach_info ai;
        if (engine_attach(&e, target, &ai, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        const char *keys = detach_keys ? detach_keys : ai.has_detach_keys ? ai.detach_keys : NULL;
        bool interactive = ai.open_stdin && !no_stdin;
        int code = 0;
        rc = cli_attach_relay(&e, ai.id, ai.sock, interactive, ai.tty, keys, sig_proxy, &code);
        safe_close(ai.sock);
        if (rc == 0)
                rc = code < 0 ? 0 : code;
out:
        opts_args_done(&args);
        return rc == CLI_DONE_OK ? 0 : rc;
}
