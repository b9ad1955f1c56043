/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `cuttle-runtime …` / `cuttle oci …`: the OCI runtime command line, as runc's. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "oci/spec.h"
#include "runtime/runtime.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/strv.h"

struct oci_cmd {
        const char *name;
        int (*fn)(struct runtime_ctx *ctx, int argc, char **argv);
        const char *usage;
};

static const char *prog = "cuttle-runtime";

static int fail(struct cu_error *err)
{
        if (log_has_file())
                log_msg(LOG_LEVEL_ERROR, "%s", cu_error_msg(err));
        fprintf(stderr, "%s: %s\n", prog, cu_error_msg(err));
        cu_error_free(err);
        return 1;
}

static int usage_error(const char *cmd, const char *msg)
{
        fprintf(stderr, "%s %s: %s\n", prog, cmd, msg);
        return 1;
}

/* One positional container id, and at most `extra` more arguments after it. */
static int want_id_extra(int argc, char **argv, const char *cmd, unsigned extra, const char **ret)
{
        if (optind >= argc || (unsigned) (argc - optind) > 1 + extra)
                return usage_error(cmd, extra ? "requires a container id (and at most one more "
                                                "argument)"
                                              : "requires exactly 1 argument (container id)");
        *ret = argv[optind];
        return 0;
}

static int want_id(int argc, char **argv, const char *cmd, const char **ret)
{
        return want_id_extra(argc, argv, cmd, 0, ret);
}

static int cmd_create_or_run(struct runtime_ctx *ctx, int argc, char **argv, bool run)
{
        static const struct option opts[] = {
                { "bundle", required_argument, NULL, 'b' },
                { "pid-file", required_argument, NULL, 'p' },
                { "console-socket", required_argument, NULL, 'c' },
                { "no-pivot", no_argument, NULL, 'P' },
                { "no-new-keyring", no_argument, NULL, 'K' },
                { "preserve-fds", required_argument, NULL, 'f' },
                { "detach", no_argument, NULL, 'd' },
                { "keep", no_argument, NULL, 'k' },
                { "no-subreaper", no_argument, NULL, 'S' },
                {},
        };
        struct runtime_create_opts o = {};
        bool detach = false;
        int c;
        while ((c = getopt_long(argc, argv, "b:dp:", opts, NULL)) != -1) {
                switch (c) {
                case 'b': o.bundle = optarg; break;
                case 'p': o.pid_file = optarg; break;
                case 'c': o.console_socket = optarg; break;
                case 'P': o.no_pivot = true; break;
                case 'K': o.no_new_keyring = true; break;
                case 'f':
                        if (safe_atou(optarg, &o.preserve_fds) < 0)
                                return usage_error(argv[0], "invalid --preserve-fds");
                        break;
                case 'd': detach = true; break;
                case 'k': case 'S': break;
                default: return 1;
                }
        }
        const char *id;
        if (want_id(argc, argv, argv[0], &id))
                return 1;
        struct cu_error *err = NULL;
        if (!run) {
                if (runtime_create(ctx, id, &o, NULL, &err) < 0)
                        return fail(err);
                return 0;
        }
        int code = 0;
        if (runtime_run(ctx, id, &o, detach, &code, &err) < 0)
                return fail(err);
        return code;
}

static int cmd_create(struct runtime_ctx *ctx, int argc, char **argv)
{
        return cmd_create_or_run(ctx, argc, argv, false);
}

static int cmd_run(struct runtime_ctx *ctx, int argc, char **argv)
{
        return cmd_create_or_run(ctx, argc, argv, true);
}

static int simple_opts(int argc, char **argv, const struct option *opts, bool *flag)
{
        int c;
        while ((c = getopt_long(argc, argv, "f", opts, NULL)) != -1) {
                if (c == 'f' || c == 'a')
                        *flag = true;
                else
                        return -1;
        }
        return 0;
}

static int cmd_start(struct runtime_ctx *ctx, int argc, char **argv)
{
        static const struct option opts[] = { {} };
        bool unused = false;
        const char *id;
        if (simple_opts(argc, argv, opts, &unused) < 0 || want_id(argc, argv, argv[0], &id))
                return 1;
        struct cu_error *err = NULL;
        return runtime_start(ctx, id, &err) < 0 ? fail(err) : 0;
}

static int cmd_delete(struct runtime_ctx *ctx, int argc, char **argv)
{
        static const struct option opts[] = { { "force", no_argument, NULL, 'f' }, {} };
        bool force = false;
        if (simple_opts(argc, argv, opts, &force) < 0)
                return 1;
        if (optind >= argc)
                return usage_error(argv[0], "requires at least 1 argument (container id)");
        int ret = 0;
        for (int i = optind; i < argc; i++) {
                struct cu_error *err = NULL;
                if (runtime_delete(ctx, argv[i], force, &err) < 0)
                        ret = fail(err);
        }
        return ret;
}

static int cmd_kill(struct runtime_ctx *ctx, int argc, char **argv)
{
        static const struct option opts[] = { { "all", no_argument, NULL, 'a' }, {} };
        bool all = false;
        if (simple_opts(argc, argv, opts, &all) < 0)
                return 1;
        const char *id;
        if (want_id_extra(argc, argv, argv[0], 1, &id))
                return 1;
        int sig = SIGTERM;
        if (optind + 1 < argc && parse_signal(argv[optind + 1], &sig) < 0) {
                fprintf(stderr, "%s: invalid signal \"%s\"\n", prog, argv[optind + 1]);
                return 1;
        }
        struct cu_error *err = NULL;
        return runtime_kill(ctx, id, sig, all, &err) < 0 ? fail(err) : 0;
}

static int cmd_pause_resume(struct runtime_ctx *ctx, int argc, char **argv, bool pause)
{
        static const struct option opts[] = { {} };
        bool unused = false;
        const char *id;
        if (simple_opts(argc, argv, opts, &unused) < 0 || want_id(argc, argv, argv[0], &id))
                return 1;
        struct cu_error *err = NULL;
        return runtime_pause(ctx, id, pause, &err) < 0 ? fail(err) : 0;
}

static int cmd_pause(struct runtime_ctx *ctx, int argc, char **argv)
{
        return cmd_pause_resume(ctx, argc, argv, true);
}

static int cmd_resume(struct runtime_ctx *ctx, int argc, char **argv)
{
        return cmd_pause_resume(ctx, argc, argv, false);
}

static int print_json(json_t *j)
{
        char *s = json_dumps(j, JSON_INDENT(2));
        if (!s)
                return 1;
        puts(s);
        free(s);
        return 0;
}

static int cmd_state(struct runtime_ctx *ctx, int argc, char **argv)
{
        static const struct option opts[] = { {} };
        bool unused = false;
        const char *id;
        if (simple_opts(argc, argv, opts, &unused) < 0 || want_id(argc, argv, argv[0], &id))
                return 1;
        struct cu_error *err = NULL;
        _cleanup_json_ json_t *j = NULL;
        if (runtime_state(ctx, id, &j, &err) < 0)
                return fail(err);
        return print_json(j);
}

static int cmd_list(struct runtime_ctx *ctx, int argc, char **argv)
{
        static const struct option opts[] = {
                { "format", required_argument, NULL, 'f' },
                { "quiet", no_argument, NULL, 'q' },
                {},
        };
        bool json = false, quiet = false;
        int c;
        while ((c = getopt_long(argc, argv, "f:q", opts, NULL)) != -1) {
                if (c == 'f') {
                        if (strcmp(optarg, "json") == 0)
                                json = true;
                        else if (strcmp(optarg, "table") != 0)
                                return usage_error("list", "invalid format option");
                } else if (c == 'q') {
                        quiet = true;
                } else {
                        return 1;
                }
        }
        struct cu_error *err = NULL;
        _cleanup_json_ json_t *a = NULL;
        if (runtime_list(ctx, &a, &err) < 0)
                return fail(err);
        if (json)
                return print_json(a);
        size_t i;
        json_t *e;
        if (!quiet)
                printf("%-12s %-8s %-10s %-40s %-30s %s\n", "ID", "PID", "STATUS", "BUNDLE",
                       "CREATED", "OWNER");
        json_array_foreach(a, i, e)
        {
                const char *id = json_string_value(json_object_get(e, "id"));
                if (quiet) {
                        puts(id);
                        continue;
                }
                printf("%-12s %-8lld %-10s %-40s %-30s %s\n", id,
                       (long long) json_integer_value(json_object_get(e, "pid")),
                       json_string_value(json_object_get(e, "status")),
                       json_string_value(json_object_get(e, "bundle")),
                       json_string_value(json_object_get(e, "created")),
                       json_string_value(json_object_get(e, "owner")));
        }
        return 0;
}

static int cmd_ps(struct runtime_ctx *ctx, int argc, char **argv)
{
        static const struct option opts[] = { { "format", required_argument, NULL, 'f' }, {} };
        bool json = false;
        int c;
        while ((c = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
                if (c != 'f')
                        return 1;
                json = strcmp(optarg, "json") == 0;
                if (!json && strcmp(optarg, "table") != 0)
                        return usage_error("ps", "invalid format option");
        }
        const char *id;
        if (want_id(argc, argv, argv[0], &id))
                return 1;
        struct cu_error *err = NULL;
        pid_t *pids = NULL;
        size_t n = 0;
        if (runtime_pids(ctx, id, &pids, &n, &err) < 0)
                return fail(err);
        if (json) {
                putchar('[');
                for (size_t i = 0; i < n; i++)
                        printf("%s%d", i ? "," : "", (int) pids[i]);
                puts("]");
        } else {
                printf("%-8s %s\n", "PID", "CMD");
                for (size_t i = 0; i < n; i++) {
                        char path[64];
                        _cleanup_free_ char *cmd = NULL;
                        snprintf(path, sizeof path, "/proc/%d/comm", (int) pids[i]);
                        if (read_full_file(path, &cmd, NULL, NULL) < 0)
                                continue;
                        cmd[strcspn(cmd, "\n")] = '\0';
                        printf("%-8d %s\n", (int) pids[i], cmd);
                }
        }
        free(pids);
        return 0;
}

static int cmd_exec(struct runtime_ctx *ctx, int argc, char **argv)
{
        static const struct option opts[] = {
                { "process", required_argument, NULL, 'p' },
                { "pid-file", required_argument, NULL, 'P' },
                { "console-socket", required_argument, NULL, 'c' },
                { "tty", no_argument, NULL, 't' },
                { "detach", no_argument, NULL, 'd' },
                { "cwd", required_argument, NULL, 'w' },
                { "env", required_argument, NULL, 'e' },
                { "user", required_argument, NULL, 'u' },
                { "preserve-fds", required_argument, NULL, 'f' },
                { "no-new-privs", no_argument, NULL, 'n' },
                { "cap", required_argument, NULL, 'C' },
                { "apparmor", required_argument, NULL, 'a' },
                { "process-label", required_argument, NULL, 'l' },
                {},
        };
        struct runtime_exec_opts o = {};
        const char *process_file = NULL, *cwd = NULL, *user = NULL;
        bool tty = false, nnp = false;
        _cleanup_strv_ char **env = NULL, **caps = NULL;
        int c;
        /* Stop at the first non-option: the rest is the id and the command. */
        while ((c = getopt_long(argc, argv, "+p:tde:u:", opts, NULL)) != -1) {
                switch (c) {
                case 'p': process_file = optarg; break;
                case 'P': o.pid_file = optarg; break;
                case 'c': o.console_socket = optarg; break;
                case 't': tty = true; break;
                case 'd': o.detach = true; break;
                case 'w': cwd = optarg; break;
                case 'e':
                        if (strv_extend(&env, optarg) < 0)
                                return 1;
                        break;
                case 'u': user = optarg; break;
                case 'n': nnp = true; break;
                case 'C':
                        if (strv_extend(&caps, optarg) < 0)
                                return 1;
                        break;
                case 'f':
                        if (safe_atou(optarg, &o.preserve_fds) < 0)
                                return usage_error("exec", "invalid --preserve-fds");
                        break;
                case 'a': case 'l': break;
                default: return 1;
                }
        }
        const char *id;
        if (optind >= argc)
                return usage_error("exec", "requires a container id");
        id = argv[optind];
        struct cu_error *err = NULL;
        _cleanup_(oci_process_freep) struct oci_process *p = NULL;
        if (process_file) {
                p = oci_process_parse_file(process_file, &err);
                if (!p)
                        return fail(err);
        } else {
                if (optind + 1 >= argc)
                        return usage_error("exec", "requires at least 2 arguments "
                                                   "(container id and command)");
                _cleanup_(oci_process_freep) struct oci_process *d = NULL;
                if (runtime_process_defaults(ctx, id, &d, &err) < 0)
                        return fail(err);
                p = TAKE_PTR(d);
                strv_freep(&p->args);
                p->args = strv_copy(argv + optind + 1);
                p->terminal = tty;
                if (cwd) {
                        free(p->cwd);
                        p->cwd = strdup(cwd);
                }
                for (char **e = env; e && *e; e++)
                        (void) strv_env_set(&p->env, *e);
                if (nnp)
                        p->no_new_privileges = true;
                if (user && runtime_parse_user(user, &p->user, &err) < 0)
                        return fail(err);
                for (char **cp = caps; cp && *cp; cp++) {
                        (void) strv_extend(&p->caps.bounding, *cp);
                        (void) strv_extend(&p->caps.effective, *cp);
                        (void) strv_extend(&p->caps.permitted, *cp);
                }
        }
        int code = 0;
        if (runtime_exec(ctx, id, p, &o, &code, &err) < 0)
                return fail(err);
        return code;
}

static int cmd_features(struct runtime_ctx *ctx, int argc, char **argv)
{
        _cleanup_json_ json_t *j = runtime_features();
        return j ? print_json(j) : 1;
}

static int cmd_spec(struct runtime_ctx *ctx, int argc, char **argv)
{
        static const struct option opts[] = {
                { "bundle", required_argument, NULL, 'b' },
                { "rootless", no_argument, NULL, 'r' },
                {},
        };
        const char *bundle = NULL;
        bool rootless = false;
        int c;
        while ((c = getopt_long(argc, argv, "b:", opts, NULL)) != -1) {
                if (c == 'b')
                        bundle = optarg;
                else if (c == 'r')
                        rootless = true;
                else
                        return 1;
        }
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/config.json", bundle ? bundle : ".") < 0)
                return 1;
        struct stat st;
        if (stat(path, &st) == 0) {
                fprintf(stderr, "%s: File %s exists. Remove it first\n", prog, path);
                return 1;
        }
        _cleanup_free_ char *text = oci_spec_default_json(rootless);
        struct cu_error *err = NULL;
        if (!text || write_file_atomic(path, text, strlen(text), 0644, &err) < 0)
                return fail(err);
        return 0;
}

static int cmd_unsupported(struct runtime_ctx *ctx, int argc, char **argv)
{
        fprintf(stderr, "%s: %s is not supported yet\n", prog, argv[0]);
        return 1;
}

static const struct oci_cmd commands[] = {
        { "create", cmd_create, "create --bundle DIR [--pid-file F] [--console-socket S] ID" },
        { "start", cmd_start, "start ID" },
        { "run", cmd_run, "run --bundle DIR [--detach] [--pid-file F] ID" },
        { "state", cmd_state, "state ID" },
        { "kill", cmd_kill, "kill [--all] ID [SIGNAL]" },
        { "delete", cmd_delete, "delete [--force] ID" },
        { "exec", cmd_exec, "exec [--process F | --tty --cwd --env --user] ID [COMMAND ARGS…]" },
        { "list", cmd_list, "list [--format table|json] [-q]" },
        { "ps", cmd_ps, "ps [--format table|json] ID" },
        { "pause", cmd_pause, "pause ID" },
        { "resume", cmd_resume, "resume ID" },
        { "features", cmd_features, "features" },
        { "spec", cmd_spec, "spec [--bundle DIR] [--rootless]" },
        { "checkpoint", cmd_unsupported, "checkpoint ID (not yet)" },
        { "restore", cmd_unsupported, "restore ID (not yet)" },
        { "update", cmd_unsupported, "update ID (not yet)" },
};

static void oci_usage(FILE *f)
{
        fprintf(f, "Usage: %s [global options] COMMAND [options] ARGS\n\n"
                   "An OCI runtime (runc-compatible command line), part of cuttle.\n\n"
                   "Commands:\n", prog);
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                fprintf(f, "  %s\n", commands[i].usage);
        fputs("\nGlobal options:\n"
              "  --root DIR          state directory (default /run/cuttle-runtime)\n"
              "  --log FILE          log file\n"
              "  --log-format FMT    text or json\n"
              "  --debug             debug logging\n"
              "  --systemd-cgroup    accepted; cgroupfs paths are used\n",
              f);
}

int cli_oci_main(int argc, char **argv)
{
        static const struct option opts[] = {
                { "root", required_argument, NULL, 'r' },
                { "log", required_argument, NULL, 'l' },
                { "log-format", required_argument, NULL, 'F' },
                { "debug", no_argument, NULL, 'd' },
                { "systemd-cgroup", no_argument, NULL, 's' },
                { "rootless", required_argument, NULL, 'R' },
                { "criu", required_argument, NULL, 'c' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'v' },
                {},
        };
        struct runtime_ctx ctx = {};
        const char *log_file = NULL;
        enum log_format fmt = LOG_FORMAT_TEXT;
        int c;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+:hv", opts, NULL)) != -1) {
                switch (c) {
                case 'r': ctx.state_root = optarg; break;
                case 'l': log_file = optarg; break;
                case 'F':
                        if (strcmp(optarg, "json") == 0)
                                fmt = LOG_FORMAT_JSON;
                        else if (strcmp(optarg, "text") != 0) {
                                fprintf(stderr, "%s: unknown log format \"%s\"\n", prog, optarg);
                                return 1;
                        }
                        break;
                case 'd': log_set_level(LOG_LEVEL_DEBUG); break;
                case 's': ctx.systemd_cgroup = true; break;
                case 'R': case 'c': break;
                case 'h': oci_usage(stdout); return 0;
                case 'v':
                        printf("cuttle-runtime version %s\nspec: 1.1.0\n", CUTTLE_VERSION);
                        return 0;
                case ':':
                        fprintf(stderr, "%s: option \"%s\" needs an argument\n", prog,
                                argv[optind - 1]);
                        return 1;
                default:
                        fprintf(stderr, "%s: unknown global option \"%s\" (see %s --help)\n",
                                prog, argv[optind - 1], prog);
                        return 1;
                }
        }
        opterr = 1;
        if (log_file && log_set_file(log_file, fmt) < 0)
                fprintf(stderr, "%s: cannot open log file %s, ignoring\n", prog, log_file);
        if (optind >= argc) {
                oci_usage(stderr);
                return 1;
        }
        const char *name = argv[optind];
        for (size_t i = 0; i < ELEMENTSOF(commands); i++) {
                if (strcmp(commands[i].name, name) != 0)
                        continue;
                int sub_argc = argc - optind;
                char **sub_argv = argv + optind;
                optind = 0; /* 0: glibc re-initialises getopt (drops the "+" mode) */
                return commands[i].fn(&ctx, sub_argc, sub_argv);
        }
        fprintf(stderr, "%s: unknown command \"%s\"\n", prog, name);
        return 1;
}
