/* SPDX-License-Identifier: GPL-2.0-or-later */
/* create, run, start. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "containers.h"
#include "registry-exec.h"
#include "run-flags.h"
#include "storage/containers-conf.h"
#include "storage/images.h"
#include "util/fileio.h"
#include "util/proc.h"
#include "util/strv.h"

struct create_flags {
        struct engine_create_opts o;
        bool detach;
        const char *cidfile, *pull, *runtime, *memory;
        char *runtime_path; /* --runtime resolved (NULL: the built-in runtime) */
        int64_t pids_limit;
        unsigned stop_timeout;
        char **cmdline;
};

static void create_flags_done(struct create_flags *f)
{
        strv_free(f->o.env);
        strv_free(f->o.env_files);
        strv_free(f->o.labels);
        strv_free(f->o.annotations);
        strv_free(f->o.cap_add);
        strv_free(f->o.cap_drop);
        strv_free(f->o.log_opts);
        free(f->runtime_path);
        for (size_t k = 0; run_flags_areas[k]; k++)
                run_flags_areas[k]->done(&f->o);
}


/* --runtime (else the global --runtime / containers.conf's runtime): the built-in runtime for
 * "", "cuttle" and "cuttle-runtime"; otherwise a name from [engine.runtimes] or $PATH, or a
 * path, driven through the OCI command line. */
static int resolve_runtime(struct cli_ctx *c, struct create_flags *f)
{
        _cleanup_error_ struct cu_error *err = NULL;
        const struct containers_conf *conf = NULL;
        if (cli_ctx_config(c, &conf, &err) < 0)
                return cli_fail(125, err);
        const char *name = f->runtime ? f->runtime : conf->runtime;
        if (!name || !*name || strcmp(name, "cuttle") == 0 || strcmp(name, "cuttle-runtime") == 0)
                return 0;
        if (containers_conf_runtime_path(conf, name, &f->runtime_path, &err) < 0)
                return cli_fail(125, err);
        f->o.runtime = name;
        f->o.runtime_path = f->runtime_path;
        return 0;
}

/* The options of create and run (run adds --detach, --detach-keys, --sig-proxy). */
static int parse_create(struct cli_ctx *c, struct create_flags *f, bool run, const char *use,
                        int argc, char **argv, struct opts_args *args)
{
        f->o.sig_proxy = true;
        f->o.stop_timeout = -1;
        const struct opt core[] = {
                RUN_A("annotation", 0, &f->o.annotations, "Add annotations to container (key=value)"),
                RUN_L("cap-add", 0, &f->o.cap_add, "Add capabilities to the container"),
                RUN_L("cap-drop", 0, &f->o.cap_drop, "Drop capabilities from the container"),
                RUN_S("cidfile", 0, &f->cidfile, "Write the container ID to the file"),
                RUN_B("detach", 'd', &f->detach, "Run container in background and print container ID"),
                RUN_S("detach-keys", 0, &f->o.detach_keys, "Override the key sequence for detaching a container"),
                RUN_S("entrypoint", 0, &f->o.entrypoint, "Overwrite the default ENTRYPOINT of the image"),
                RUN_A("env", 'e', &f->o.env, "Set environment variables in container"),
                RUN_A("env-file", 0, &f->o.env_files, "Read in a file of environment variables"),
                RUN_B("env-host", 0, &f->o.env_host, "Use all current host environment variables in container"),
                RUN_B("init", 0, &f->o.init, "Run an init binary inside the container that forwards signals and reaps processes"),
                RUN_B("interactive", 'i', &f->o.interactive, "Keep STDIN open even if not attached"),
                RUN_A("label", 'l', &f->o.labels, "Set metadata on container"),
                RUN_S("log-driver", 0, &f->o.log_driver, "Logging driver for the container"),
                RUN_A("log-opt", 0, &f->o.log_opts, "Logging driver options"),
                RUN_S("memory", 'm', &f->memory, "Memory limit (format: <number>[<unit>], where unit = b (bytes), k (kibibytes), m (mebibytes), or g (gibibytes))"),
                RUN_S("name", 0, &f->o.name, "Assign a name to the container"),
                { .name = "pids-limit", .type = OPT_INT64, .value = &f->pids_limit, .help = "Tune container pids limit (set -1 for unlimited)" },
                RUN_B("privileged", 0, &f->o.privileged, "Give extended privileges to container"),
                RUN_S("pull", 0, &f->pull, "Pull image policy"),
                RUN_B("read-only", 0, &f->o.read_only, "Make containers root filesystem read-only"),
                RUN_B("replace", 0, &f->o.replace, "If a container with the same name exists, replace it"),
                RUN_S("restart", 0, &f->o.restart, "Restart policy to apply when a container exits (\"always\"|\"no\"|\"on-failure\"|\"unless-stopped\")"),
                RUN_B("rm", 0, &f->o.remove, "Remove container (and pod if created) after exit"),
                RUN_S("runtime", 0, &f->runtime, "Path to the OCI-compatible binary used to run containers"),
                RUN_B("sig-proxy", 0, &f->o.sig_proxy, "Proxy received signals to the process"),
                RUN_S("stop-signal", 0, &f->o.stop_signal, "Signal to stop a container. Default is SIGTERM"),
                { .name = "stop-timeout", .type = OPT_UINT, .value = &f->stop_timeout, .help = "Timeout (in seconds) that containers stopped by user command have to exit. If exceeded, the container will be forcibly stopped via SIGKILL", .def = "10" },
                RUN_B("tty", 't', &f->o.tty, "Allocate a pseudo-TTY for container"),
                { 0 },
        };
        struct opt opts[ELEMENTSOF(core) + RUN_FLAGS_AREAS * RUN_FLAGS_AREA_MAX + 1];
        size_t n = 0;
        for (; core[n].name; n++)
                opts[n] = core[n];
        for (size_t k = 0; run_flags_areas[k]; k++)
                n += run_flags_areas[k]->add(&f->o, opts + n);
        opts[n] = (struct opt){ 0 };
        if (!run) { /* create has no -d, --detach-keys is shared, --sig-proxy is run's */
                for (struct opt *o = opts; o->name; o++)
                        if (strcmp(o->name, "detach") == 0 || strcmp(o->name, "sig-proxy") == 0 ||
                            strcmp(o->name, "preserve-fds") == 0)
                                o->flags |= OPT_HIDDEN;
        }
        struct opts_cmd cmd = { .use = use, .short_desc = run ? "Run a command in a new container"
                                                                  : "Create but do not start a container",
                                .flags = OPTS_STOP_AT_FIRST_ARG, .opts = opts };
        int r = cli_parse(&cmd, argc, argv, args);
        if (r)
                return r;
        if (args->n < 1)
                return cli_failf(125, "%s requires at least one argument", run ? "run" : "create");
        for (size_t k = 0; run_flags_areas[k]; k++) {
                r = run_flags_areas[k]->check(c, &f->o, opts);
                if (r)
                        return r;
        }
        const struct containers_conf *cconf = NULL;
        if (cli_ctx_config(c, &cconf, NULL) >= 0) { /* containers.conf's logging defaults */
                if (!f->o.log_driver && cconf->log_driver && *cconf->log_driver)
                        f->o.log_driver = cconf->log_driver;
                bool has_max = false;
                for (char **p = f->o.log_opts; p && *p; p++)
                        has_max = has_max || strncmp(*p, "max-size=", 9) == 0;
                char opt[64];
                snprintf(opt, sizeof opt, "max-size=%lld", (long long) cconf->log_size_max);
                if (!has_max && cconf->log_size_max > 0 && strv_extend(&f->o.log_opts, opt) < 0)
                        return cli_failf(125, "out of memory");
        }
        if (opts_changed(opts, "stop-timeout"))
                f->o.stop_timeout = (int) f->stop_timeout;
        if (opts_changed(opts, "pids-limit")) {
                f->o.has_pids_limit = true;
                f->o.pids_limit = f->pids_limit;
        }
        if (f->memory) {
                _cleanup_error_ struct cu_error *err = NULL;
                if (opts_parse_size(f->memory, true, &f->o.memory, &err) < 0)
                        return cli_fail(125, err);
        }
        r = resolve_runtime(c, f);
        if (r)
                return r;
        if (f->pull && strcmp(f->pull, "always") != 0 && strcmp(f->pull, "missing") != 0 &&
            strcmp(f->pull, "never") != 0 && strcmp(f->pull, "newer") != 0)
                return cli_failf(125, "unsupported pull policy \"%s\"", f->pull);
        if (f->cidfile && access(f->cidfile, F_OK) == 0)
                return cli_failf(125, "container id file exists. Ensure another container is not using it or delete %s",
                                 f->cidfile);
        f->o.image = args->args[0];
        f->o.command = args->args[1] ? args->args + 1 : NULL;
        f->o.create_command = argv; /* the command's own argv */
        return 0;
}

/* Runs `cuttle-registry … pull IMAGE` (output to stderr, as podman prints pull progress). */
static int pull_image(struct cli_ctx *c, const char *image)
{
        _cleanup_free_ char *helper = registry_helper_path();
        if (!helper)
                return -ENOMEM;
        const char *argv[16];
        size_t n = 0;
        argv[n++] = helper;
        if (c->root) {
                argv[n++] = "--root";
                argv[n++] = c->root;
        }
        if (c->runroot) {
                argv[n++] = "--runroot";
                argv[n++] = c->runroot;
        }
        argv[n++] = "pull";
        argv[n++] = image;
        argv[n] = NULL;
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                (void) dup2(2, 1);
                execv(helper, (char **) argv);
                _exit(127);
        }
        return wait_for_pid(pid) == 0 ? 0 : -EIO;
}

static int do_create(struct cli_ctx *c, struct engine *e, struct create_flags *f,
                     char id[CTR_ID_LEN + 1])
{
        _cleanup_error_ struct cu_error *err = NULL;
        const char *pull = f->pull ? f->pull : "missing";
        if (strcmp(pull, "always") == 0 && pull_image(c, f->o.image) < 0)
                return cli_failf(125, "pulling %s failed", f->o.image);
        /* the cidfile first, so that a bad path leaves no container behind */
        _cleanup_close_ int cidfd = -EBADF;
        if (f->cidfile) {
                cidfd = open(f->cidfile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
                if (cidfd < 0)
                        return errno == EEXIST
                                       ? cli_failf(125, "container id file exists. Ensure another container is not using it or delete %s",
                                                   f->cidfile)
                                       : cli_failf(125, "opening cidfile %s", f->cidfile);
        }
        int r = engine_create(e, &f->o, id, &err);
        if (r == -ENOENT && strcmp(pull, "missing") == 0 && strstr(cu_error_msg(err), "image not known") &&
            strchr(f->o.image, '.') != NULL) {
                /* a registry reference: try to pull it */
                if (pull_image(c, f->o.image) == 0) {
                        cu_error_clear(&err);
                        r = engine_create(e, &f->o, id, &err);
                }
        }
        int w = r >= 0 && cidfd >= 0 ? write_all(cidfd, id, CTR_ID_LEN) : 0;
        if (w < 0) {
                (void) engine_remove(e, id, true, 0, NULL);
                r = cu_error_set(&err, -w, "writing cidfile %s", f->cidfile);
        }
        if (r < 0) {
                if (cidfd >= 0)
                        (void) unlink(f->cidfile);
                return cli_fail(125, err);
        }
        return 0;
}

int cmd_create(struct cli_ctx *c, int argc, char **argv)
{
        struct create_flags f = { 0 };
        struct opts_args args = { 0 };
        int rc = parse_create(c, &f, false, "cuttle create [options] IMAGE [COMMAND [ARG...]]", argc, argv, &args);
        if (rc == 0) {
                struct engine e;
                _cleanup_error_ struct cu_error *err = NULL;
                char id[CTR_ID_LEN + 1];
                if (cli_engine(c, &e, &err) < 0)
                        rc = cli_fail(125, err);
                else if ((rc = do_create(c, &e, &f, id)) == 0)
                        puts(id);
        }
        opts_args_done(&args);
        create_flags_done(&f);
        return rc == CLI_DONE_OK ? 0 : rc;
}

int cmd_run(struct cli_ctx *c, int argc, char **argv)
{
        struct create_flags f = { 0 };
        struct opts_args args = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        struct engine e;
        int rc = parse_create(c, &f, true, "cuttle run [options] IMAGE [COMMAND [ARG...]]", argc, argv, &args);
        if (rc != 0)
                goto out;
        char id[CTR_ID_LEN + 1];
        if (cli_engine(c, &e, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        e.preserve_fds = f.o.sec.preserve_fds;
        if (f.detach && f.o.remove && f.o.restart && strcmp(f.o.restart, "no") != 0) {
                rc = cli_failf(125, "the --rm option conflicts with --restart");
                goto out;
        }
        rc = do_create(c, &e, &f, id);
        if (rc != 0)
                goto out;
        struct engine_start_opts so = { 0 };
        if (f.detach && engine_start(&e, id, &so, &err) < 0) {
                rc = cli_engine_fail(err);
                if (f.o.remove)
                        (void) engine_remove(&e, id, true, 0, NULL);
                goto out;
        }
        if (f.detach) {
                puts(id);
                rc = 0;
                goto out;
        }
        int code = 0;
        rc = cli_start_attached(&e, id, f.o.interactive, f.o.tty, f.o.detach_keys, f.o.sig_proxy, 0, &code);
        if (rc != 0) {
                if (f.o.remove)
                        (void) engine_remove(&e, id, true, 0, NULL);
                goto out;
        }
        if (code == -1) { /* detached */
                rc = 0;
                goto out;
        }
        if (f.o.remove) {
                cu_error_clear(&err);
                if (engine_remove(&e, id, true, 0, &err) < 0 && cu_error_msg(err) &&
                    !strstr(cu_error_msg(err), "no such container"))
                        fprintf(stderr, "Error: %s\n", cu_error_msg(err));
        }
        rc = code;
out:
        opts_args_done(&args);
        create_flags_done(&f);
        return rc == CLI_DONE_OK ? 0 : rc;
}

int cmd_start(struct cli_ctx *c, int argc, char **argv)
{
        bool attach = false, interactive = false, sig_proxy = true;
        const char *detach_keys = NULL;
        struct opt opts[] = {
                RUN_B("attach", 'a', &attach, "Attach container's STDOUT and STDERR"),
                RUN_S("detach-keys", 0, &detach_keys, "Select the key sequence for detaching a container"),
                RUN_B("interactive", 'i', &interactive, "Make STDIN available to the contained process"),
                RUN_B("sig-proxy", 0, &sig_proxy, "Proxy received signals to the process (default true if attaching, false otherwise)"),
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle start [options] CONTAINER [CONTAINER...]",
                                .short_desc = "Start one or more containers", .opts = opts };
        struct opts_args args = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_ctr_record_ struct ctr_record *r = NULL;
        struct engine e;
        int rc = cli_parse(&cmd, argc, argv, &args);
        if (rc != 0)
                goto out;
        if (args.n < 1) {
                rc = cli_failf(125, "start requires at least one argument");
                goto out;
        }
        if ((attach || interactive) && args.n > 1) {
                rc = cli_failf(125, "you cannot start and attach multiple containers at once");
                goto out;
        }
        if (cli_engine(c, &e, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        for (size_t i = 0; i < args.n; i++) {
                char id[CTR_ID_LEN + 1];
                int64_t since = engine_now_ns();
                cu_error_clear(&err);
                if (ctr_lookup_id(e.db, args.args[i], id, &err) < 0 ||
                    (!attach && !interactive &&
                     engine_start(&e, id, &(struct engine_start_opts){ 0 }, &err) < 0)) {
                        rc = cli_engine_fail(err);
                        continue;
                }
                if (!attach && !interactive) {
                        puts(args.args[i]);
                        continue;
                }
                bool tty = false;
                if (ctr_get_by_id(e.db, id, &r, NULL) >= 0) {
                        json_t *cfg = engine_config(r);
                        tty = json_is_true(json_object_get(cfg, "Tty"));
                        json_decref(cfg);
                }
                int code = 0;
                rc = cli_start_attached(&e, id, interactive, tty, detach_keys, sig_proxy, since, &code);
                if (rc == 0)
                        rc = code < 0 ? 0 : code;
        }
out:
        opts_args_done(&args);
        return rc == CLI_DONE_OK ? 0 : rc;
}
