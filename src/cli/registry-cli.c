/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cuttle-registry: login, logout, and the dispatch of pull (pull.c) and push (push.c):
 * the commands that need libcurl. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "args.h"
#include "cli.h"
#include "commands.h"
#include "context.h"
#include "storage/auth-file.h"
#include "storage/pull.h"
#include "storage/reference.h"
#include "storage/store.h"
#include "util/strv.h"

static int tls_flag(const struct arg_opt *opts, bool value)
{
        return args_was_set(opts, "tls-verify") ? (value ? 1 : 0) : -1;
}

static char *read_password(bool from_stdin)
{
        char buf[4096];
        if (!from_stdin && isatty(STDIN_FILENO)) {
                struct termios t, old;
                fputs("Password: ", stderr);
                tcgetattr(STDIN_FILENO, &old);
                t = old;
                t.c_lflag &= (tcflag_t) ~ECHO;
                tcsetattr(STDIN_FILENO, TCSANOW, &t);
                char *r = fgets(buf, sizeof(buf), stdin);
                tcsetattr(STDIN_FILENO, TCSANOW, &old);
                fputc('\n', stderr);
                if (!r)
                        return NULL;
        } else if (!fgets(buf, sizeof(buf), stdin)) {
                return strdup("");
        }
        buf[strcspn(buf, "\r\n")] = '\0';
        return strdup(buf);
}

int cmd_login(struct cli_ctx *c, int argc, char **argv)
{
        const char *user = NULL, *pass = NULL, *authfile = NULL;
        bool pass_stdin = false, tls = true, get_login = false;
        struct arg_opt opts[] = {
                { "authfile", 0, ARG_STRING, &authfile, "Path of the authentication file" },
                { "get-login", 0, ARG_BOOL, &get_login, "Return the current login user for the registry" },
                { "password", 'p', ARG_STRING, &pass, "Password for registry" },
                { "password-stdin", 0, ARG_BOOL, &pass_stdin, "Take the password from stdin" },
                { "tls-verify", 0, ARG_BOOL, &tls, "Require HTTPS and verify certificates when contacting registries", "true" },
                { "username", 'u', ARG_STRING, &user, "Username for registry" },
                { NULL },
        };
        _cleanup_free_ char **pos = NULL;
        int rc = args_run(c, opts, argc, argv, "cuttle login [options] [REGISTRY]", "Log in to a container registry", &pos);
        if (rc >= 0)
                return rc;
        if (!pos[0] || pos[1])
                return cli_failf(125, "accepts 1 arg(s), received %zu", strv_length(pos));
        const char *host = pos[0];
        if (strncmp(host, "https://", 8) == 0)
                host += 8;
        else if (strncmp(host, "http://", 7) == 0)
                host += 7;
        _cleanup_error_ struct cu_error *err = NULL;
        if (get_login) {
                _cleanup_free_ char *u = NULL, *p = NULL;
                int r = auth_file_get(authfile, host, &u, &p, &err);
                if (r < 0)
                        return cli_fail(125, err);
                if (r == 0)
                        return cli_failf(125, "not logged into %s", host);
                puts(u);
                return 0;
        }
        if (pass && pass_stdin)
                return cli_failf(125, "--password and --password-stdin are mutually exclusive");
        _cleanup_free_ char *uline = NULL, *pline = NULL;
        if (!user) {
                if (pass_stdin)
                        return cli_failf(125, "must provide --username with --password-stdin");
                char buf[1024];
                fputs("Username: ", stderr);
                if (!fgets(buf, sizeof(buf), stdin))
                        return cli_failf(125, "username is required");
                buf[strcspn(buf, "\r\n")] = '\0';
                user = uline = strdup(buf);
        }
        if (!pass) {
                pline = read_password(pass_stdin);
                pass = pline;
        }
        if (!user || !pass)
                return 125;
        struct remote_opts ro = { .tls_verify = tls_flag(opts, tls), .authfile = authfile,
                                  .registries_conf = c->registries_conf };
        if (registry_login(host, user, pass, &ro, &err) < 0)
                return cli_fail(125, err);
        puts("Login Succeeded!");
        return 0;
}

int cmd_logout(struct cli_ctx *c, int argc, char **argv)
{
        const char *authfile = NULL;
        bool all = false;
        struct arg_opt opts[] = {
                { "all", 'a', ARG_BOOL, &all, "Remove the cached credentials for all registries in the auth file" },
                { "authfile", 0, ARG_STRING, &authfile, "Path of the authentication file" },
                { NULL },
        };
        _cleanup_free_ char **pos = NULL;
        int rc = args_run(c, opts, argc, argv, "cuttle logout [options] [REGISTRY]", "Log out of a container registry", &pos);
        if (rc >= 0)
                return rc;
        _cleanup_error_ struct cu_error *err = NULL;
        if (all) {
                if (auth_file_remove_all(authfile, &err) < 0)
                        return cli_fail(125, err);
                puts("Removed login credentials for all registries");
                return 0;
        }
        if (!pos[0] || pos[1])
                return cli_failf(125, "accepts 1 arg(s), received %zu", strv_length(pos));
        int r = auth_file_remove(authfile, pos[0], &err);
        if (r < 0)
                return cli_fail(125, err);
        if (r == 0)
                return cli_failf(125, "not logged into %s", pos[0]);
        printf("Removed login credentials for %s\n", pos[0]);
        return 0;
}

int cli_registry_main(int argc, char **argv)
{
        struct cli_ctx c;
        int i = cli_ctx_init(&c, argc, argv);
        int rc = 125;
        if (i < 0 || i >= argc) {
                cli_ctx_done(&c);
                return 125;
        }
        /* "image pull" / "image push" too */
        if (strcmp(argv[i], "image") == 0 && i + 1 < argc)
                i++;
        const char *cmd = argv[i];
        if (strcmp(cmd, "pull") == 0)
                rc = cmd_pull(&c, argc - i, argv + i);
        else if (strcmp(cmd, "push") == 0)
                rc = cmd_push(&c, argc - i, argv + i);
        else if (strcmp(cmd, "login") == 0)
                rc = cmd_login(&c, argc - i, argv + i);
        else if (strcmp(cmd, "logout") == 0)
                rc = cmd_logout(&c, argc - i, argv + i);
        else
                fprintf(stderr, "Error: unrecognized command `cuttle %s`\n", cmd);
        fflush(stdout);
        cli_ctx_done(&c);
        return rc;
}
