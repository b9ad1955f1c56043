/* SPDX-License-Identifier: GPL-2.0-or-later */
/* volume create|ls|inspect|rm|prune|exists|mount|unmount|export|import (podman's outputs). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "containers.h"
#include "table.h"
#include "util/json.h"
#include "util/strv.h"

struct vcmd {
        struct cli_ctx *c;
        struct engine e;
        struct opts_args a;
        struct cu_error *err;
};

/* Parses, then opens the engine.  Returns 0 to go on, else the exit code (+ CLI_DONE_OK). */
static int begin(struct vcmd *v, struct opts_cmd *cmd, int argc, char **argv)
{
        int rc = cli_parse(cmd, argc, argv, &v->a);
        if (rc != 0)
                return rc;
        if (cli_engine(v->c, &v->e, &v->err) < 0 || vol_db_init(v->e.db, &v->err) < 0)
                return cli_fail(125, v->err);
        return 0;
}

static int end(struct vcmd *v, int rc)
{
        opts_args_done(&v->a);
        cu_error_free(v->err);
        return rc == CLI_DONE_OK ? 0 : rc;
}

static int args_check(struct vcmd *v, size_t min, size_t max)
{
        if (v->a.n < min && min == max)
                return cli_failf(125, "accepts %zu arg(s), received %zu", min, v->a.n);
        if (v->a.n < min)
                return cli_failf(125, "requires at least %zu arg(s), only received %zu", min, v->a.n);
        if (v->a.n > max)
                return cli_failf(125, max == 1 && min == 0 ? "too many arguments, only one volume may be given"
                                                           : "accepts %zu arg(s), received %zu", max, v->a.n);
        return 0;
}

/* Go templates see every field of podman's struct; JSON omits a false Anonymous. */
static int output_templated(const char *format, json_t *rows, const struct column *cols)
{
        size_t i;
        json_t *r;
        json_array_foreach(rows, i, r)
                if (!json_object_get(r, "Anonymous"))
                        json_object_set_new(r, "Anonymous", json_false());
        return cli_output(format, rows, cols, cols, true);
}

static int cmd_vcreate(struct cli_ctx *c, int argc, char **argv)
{
        _cleanup_strv_ char **labels = NULL, **opts = NULL;
        const char *driver = "local";
        bool ignore = false;
        struct opt o[] = {
                { .name = "driver", .shorthand = 'd', .type = OPT_STRING, .value = &driver, .help = "Specify volume driver name", .def = "local" },
                { .name = "label", .shorthand = 'l', .type = OPT_STRING_ARRAY, .value = &labels, .help = "Set metadata for a volume (e.g. --label mykey=value)" },
                { .name = "opt", .shorthand = 'o', .type = OPT_STRING_ARRAY, .value = &opts, .help = "Set driver specific options" },
                { .name = "ignore", .type = OPT_BOOL, .value = &ignore, .help = "Don't fail if volume already exists" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle volume create [options] [NAME]", .short_desc = "Create a new volume", .opts = o };
        struct vcmd v = { .c = c };
        int rc = begin(&v, &cmd, argc, argv);
        if (rc == 0)
                rc = args_check(&v, 0, 1);
        if (rc != 0)
                return end(&v, rc);
        struct engine_volume_create_opts co = { .name = v.a.n ? v.a.args[0] : NULL, .driver = driver,
                                                .labels = labels, .options = opts, .ignore = ignore };
        _cleanup_vol_record_ struct vol_record *rec = NULL;
        if (engine_volume_create(&v.e, &co, &rec, &v.err) < 0)
                return end(&v, cli_fail(125, v.err));
        printf("%s\n", rec->name);
        return end(&v, 0);
}

static int cmd_vls(struct cli_ctx *c, int argc, char **argv)
{
        const char *format = NULL;
        bool quiet = false, noheading = false;
        _cleanup_strv_ char **filters = NULL;
        struct opt o[] = {
                { .name = "filter", .shorthand = 'f', .type = OPT_STRING_ARRAY, .value = &filters, .help = "Filter volume output" },
                { .name = "format", .type = OPT_STRING, .value = &format, .help = "Format volume output using JSON or a Go template" },
                { .name = "noheading", .shorthand = 'n', .type = OPT_BOOL, .value = &noheading, .help = "Do not print headers" },
                { .name = "quiet", .shorthand = 'q', .type = OPT_BOOL, .value = &quiet, .help = "Print volume output in quiet mode" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle volume ls [options]", .aliases = "ls, list", .short_desc = "List volumes", .opts = o };
        struct vcmd v = { .c = c };
        int rc = begin(&v, &cmd, argc, argv);
        if (rc == 0 && v.a.n > 0)
                rc = cli_failf(125, "`cuttle volume ls` takes no arguments");
        if (rc != 0)
                return end(&v, rc);
        _cleanup_vol_record_list_ struct vol_record **list = NULL;
        if (engine_volume_list(&v.e, &list, NULL, &v.err) < 0)
                return end(&v, cli_fail(125, v.err));
        _cleanup_json_ json_t *rows = json_array();
        for (struct vol_record **p = list; *p; p++) {
                int m = engine_volume_filter(&v.e, *p, filters, &v.err);
                if (m < 0)
                        return end(&v, cli_fail(125, v.err));
                if (!m)
                        continue;
                if (quiet && !format)
                        printf("%s\n", (*p)->name);
                else
                        json_array_append_new(rows, engine_volume_json(&v.e, *p));
        }
        if (quiet && !format)
                return end(&v, 0);
        if (format && strcmp(format, "json") == 0)
                return end(&v, report_print_json(rows, "  ", stdout, &v.err) < 0 ? cli_fail(125, v.err) : 0);
        if (json_array_size(rows) == 0)
                return end(&v, 0); /* podman prints no header for no volumes */
        static const struct column cols[] = { { "Driver", "DRIVER" }, { "Name", "VOLUME NAME" }, { 0 } };
        if (noheading && !format)
                format = "{{.Driver}}\t{{.Name}}";
        return end(&v, output_templated(format, rows, cols));
}

static int cmd_vinspect(struct cli_ctx *c, int argc, char **argv)
{
        const char *format = NULL;
        bool all = false;
        struct opt o[] = {
                { .name = "all", .shorthand = 'a', .type = OPT_BOOL, .value = &all, .help = "Inspect all volumes" },
                { .name = "format", .shorthand = 'f', .type = OPT_STRING, .value = &format, .help = "Format volume output using JSON or a Go template", .def = "json" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle volume inspect [options] VOLUME [VOLUME...]", .short_desc = "Display detailed information on one or more volumes", .opts = o };
        struct vcmd v = { .c = c };
        int rc = begin(&v, &cmd, argc, argv);
        if (rc == 0 && all && v.a.n)
                rc = cli_failf(125, "provide one or more volume names or use --all");
        else if (rc == 0 && !all && !v.a.n)
                rc = cli_failf(125, "provide one or more volume names or use --all");
        if (rc != 0)
                return end(&v, rc);
        _cleanup_json_ json_t *out = json_array();
        _cleanup_strv_ char **missing = NULL;
        if (all) {
                _cleanup_vol_record_list_ struct vol_record **list = NULL;
                if (engine_volume_list(&v.e, &list, NULL, &v.err) < 0)
                        return end(&v, cli_fail(125, v.err));
                for (struct vol_record **p = list; *p; p++)
                        json_array_append_new(out, engine_volume_json(&v.e, *p));
        }
        for (size_t i = 0; i < v.a.n; i++) {
                _cleanup_vol_record_ struct vol_record *rec = NULL;
                if (engine_volume_get(&v.e, v.a.args[i], &rec, &v.err) < 0) {
                        if (v.err->errnum != ENOENT)
                                return end(&v, cli_fail(125, v.err));
                        cu_error_clear(&v.err);
                        (void) strv_extend(&missing, v.a.args[i]);
                        continue;
                }
                json_array_append_new(out, engine_volume_json(&v.e, rec));
        }
        if (!format || strcmp(format, "json") == 0)
                rc = report_print_json(out, "     ", stdout, &v.err) < 0 ? cli_fail(125, v.err) : 0;
        else
                rc = output_templated(format, out, NULL);
        fflush(stdout);
        if (missing)
                rc = cli_failf(125, "inspecting object: no such volume %s", missing[0]);
        return end(&v, rc);
}

static int cmd_vrm(struct cli_ctx *c, int argc, char **argv)
{
        bool all = false, force = false;
        int timeout = -1;
        struct opt o[] = {
                { .name = "all", .shorthand = 'a', .type = OPT_BOOL, .value = &all, .help = "Remove all volumes" },
                { .name = "force", .shorthand = 'f', .type = OPT_BOOL, .value = &force, .help = "Remove a volume by force, even if it is being used by a container" },
                { .name = "time", .shorthand = 't', .type = OPT_INT, .value = &timeout, .help = "Seconds to wait for running containers to stop before killing the container", .def = "10" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle volume rm [options] VOLUME [VOLUME...]", .aliases = "rm, remove", .short_desc = "Remove one or more volumes", .opts = o };
        struct vcmd v = { .c = c };
        int rc = begin(&v, &cmd, argc, argv);
        if (rc == 0 && (all ? v.a.n > 0 : v.a.n == 0))
                rc = cli_failf(125, "choose either one or more volumes or all");
        if (rc != 0)
                return end(&v, rc);
        _cleanup_strv_ char **names = all ? NULL : strv_copy(v.a.args);
        if (all) {
                _cleanup_vol_record_list_ struct vol_record **list = NULL;
                if (engine_volume_list(&v.e, &list, NULL, &v.err) < 0)
                        return end(&v, cli_fail(125, v.err));
                names = calloc(1, sizeof(char *));
                for (struct vol_record **p = list; *p && names; p++)
                        (void) strv_extend(&names, (*p)->name);
        }
        for (char **n = names; n && *n; n++) {
                _cleanup_vol_record_ struct vol_record *rec = NULL;
                int r = engine_volume_get(&v.e, *n, &rec, &v.err);
                if (r >= 0)
                        r = engine_volume_remove(&v.e, rec->name, force, timeout, &v.err);
                if (r < 0) {
                        int code = r == -ENOENT ? 1 : r == -EBUSY ? 2 : 125;
                        if (rc != 0) /* podman prints every error; the last code wins */
                                fprintf(stderr, "Error: %s\n", cu_error_msg(v.err));
                        else
                                (void) cli_fail(code, v.err);
                        rc = code;
                        cu_error_clear(&v.err);
                        continue;
                }
                printf("%s\n", rec->name);
        }
        return end(&v, rc);
}

static int cmd_vprune(struct cli_ctx *c, int argc, char **argv)
{
        bool force = false;
        _cleanup_strv_ char **filters = NULL;
        struct opt o[] = {
                { .name = "filter", .type = OPT_STRING_ARRAY, .value = &filters, .help = "Provide filter values (e.g. 'label=<key>=<value>')" },
                { .name = "force", .shorthand = 'f', .type = OPT_BOOL, .value = &force, .help = "Do not prompt for confirmation" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle volume prune [options]", .short_desc = "Remove all unused volumes", .opts = o };
        struct vcmd v = { .c = c };
        int rc = begin(&v, &cmd, argc, argv);
        if (rc != 0)
                return end(&v, rc);
        if (!force) {
                printf("WARNING! This will remove all volumes not used by at least one container. The following volumes will be removed:\n");
                _cleanup_vol_record_list_ struct vol_record **list = NULL;
                if (engine_volume_list(&v.e, &list, NULL, &v.err) < 0)
                        return end(&v, cli_fail(125, v.err));
                for (struct vol_record **p = list; *p; p++) {
                        _cleanup_strv_ char **users = NULL;
                        if (engine_volume_users(&v.e, (*p)->name, &users, NULL) >= 0 && !users[0] &&
                            engine_volume_filter(&v.e, *p, filters, NULL) > 0)
                                printf("%s\n", (*p)->name);
                }
                printf("Are you sure you want to continue? [y/N] ");
                fflush(stdout);
                char ans[16] = "";
                if (!fgets(ans, sizeof ans, stdin) || (ans[0] != 'y' && ans[0] != 'Y'))
                        return end(&v, 0);
        }
        _cleanup_vol_record_list_ struct vol_record **list = NULL;
        if (engine_volume_list(&v.e, &list, NULL, &v.err) < 0)
                return end(&v, cli_fail(125, v.err));
        for (struct vol_record **p = list; *p; p++) {
                int m = engine_volume_filter(&v.e, *p, filters, &v.err);
                if (m < 0)
                        return end(&v, cli_fail(125, v.err));
                if (!m)
                        continue;
                int r = engine_volume_remove(&v.e, (*p)->name, false, 0, &v.err);
                if (r == -EBUSY) {
                        cu_error_clear(&v.err);
                        continue;
                }
                if (r < 0)
                        return end(&v, cli_fail(125, v.err));
                printf("%s\n", (*p)->name);
        }
        return end(&v, 0);
}

static int cmd_vexists(struct cli_ctx *c, int argc, char **argv)
{
        struct opt o[] = { { 0 } };
        struct opts_cmd cmd = { .use = "cuttle volume exists VOLUME", .short_desc = "Check if volume exists", .opts = o };
        struct vcmd v = { .c = c };
        int rc = begin(&v, &cmd, argc, argv);
        if (rc == 0)
                rc = args_check(&v, 1, 1);
        if (rc != 0)
                return end(&v, rc);
        _cleanup_vol_record_ struct vol_record *rec = NULL;
        int r = vol_get(v.e.db, v.a.args[0], &rec, &v.err);
        if (r == -ENOENT || (r >= 0 && strcmp(rec->name, v.a.args[0]) != 0))
                return end(&v, 1);
        return end(&v, r < 0 ? cli_fail(125, v.err) : 0);
}

static int cmd_vmount(struct cli_ctx *c, int argc, char **argv)
{
        bool unmount = strcmp(argv[0], "mount") != 0;
        bool all = false;
        struct opt o[] = {
                { .name = "all", .shorthand = 'a', .type = OPT_BOOL, .value = &all, .help = "Unmount all volumes" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = unmount ? "cuttle volume unmount [options] VOLUME [...]" : "cuttle volume mount VOLUME [...]",
                                .aliases = unmount ? "unmount, umount" : NULL,
                                .short_desc = unmount ? "Unmount volume" : "Mount volume", .opts = unmount ? o : o + 1 };
        struct vcmd v = { .c = c };
        int rc = begin(&v, &cmd, argc, argv);
        if (rc == 0 && !all)
                rc = args_check(&v, 1, SIZE_MAX);
        if (rc != 0)
                return end(&v, rc);
        _cleanup_strv_ char **names = strv_copy(v.a.args);
        if (all) {
                _cleanup_vol_record_list_ struct vol_record **list = NULL;
                if (engine_volume_list(&v.e, &list, NULL, &v.err) < 0)
                        return end(&v, cli_fail(125, v.err));
                for (struct vol_record **p = list; *p; p++)
                        (void) strv_extend(&names, (*p)->name);
        }
        for (char **n = names; n && *n; n++) {
                _cleanup_free_ char *path = NULL;
                int r = unmount ? engine_volume_unmount(&v.e, *n, "", &v.err)
                                : engine_volume_mount(&v.e, *n, "", &path, &v.err);
                if (r < 0) {
                        rc = cli_fail(125, v.err);
                        cu_error_clear(&v.err);
                        continue;
                }
                printf("%s\n", unmount ? *n : path);
        }
        return end(&v, rc);
}

static int cmd_vexport(struct cli_ctx *c, int argc, char **argv)
{
        const char *output = NULL;
        struct opt o[] = {
                { .name = "output", .shorthand = 'o', .type = OPT_STRING, .value = &output, .help = "Write to a specified file (default: stdout, which must be redirected)" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle volume export [options] VOLUME", .short_desc = "Export volumes", .opts = o };
        struct vcmd v = { .c = c };
        int rc = begin(&v, &cmd, argc, argv);
        if (rc == 0)
                rc = args_check(&v, 1, 1);
        if (rc != 0)
                return end(&v, rc);
        _cleanup_vol_record_ struct vol_record *rec = NULL;
        if (engine_volume_get(&v.e, v.a.args[0], &rec, &v.err) < 0)
                return end(&v, cli_failf(125, "no such volume %s", v.a.args[0]));
        _cleanup_close_ int fd = -EBADF;
        if (output && *output) {
                fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                if (fd < 0)
                        return end(&v, cli_failf(125, "open %s: %s", output, strerror(errno)));
        } else if (isatty(1)) {
                return end(&v, cli_failf(125, "cannot write to terminal, use command-line redirection or the --output flag"));
        }
        if (engine_volume_export(&v.e, rec->name, fd >= 0 ? fd : 1, &v.err) < 0)
                return end(&v, cli_fail(125, v.err));
        return end(&v, 0);
}

static int cmd_vimport(struct cli_ctx *c, int argc, char **argv)
{
        struct opt o[] = { { 0 } };
        struct opts_cmd cmd = { .use = "cuttle volume import VOLUME [SOURCE]", .short_desc = "Import a tarball contents into a volume", .opts = o };
        struct vcmd v = { .c = c };
        int rc = begin(&v, &cmd, argc, argv);
        if (rc == 0)
                rc = args_check(&v, 2, 2);
        if (rc != 0)
                return end(&v, rc);
        _cleanup_vol_record_ struct vol_record *rec = NULL;
        if (engine_volume_get(&v.e, v.a.args[0], &rec, &v.err) < 0)
                return end(&v, cli_failf(125, "no such volume %s", v.a.args[0]));
        const char *src = v.a.args[1];
        _cleanup_close_ int fd = -EBADF;
        if (strcmp(src, "-") != 0) {
                fd = open(src, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        return end(&v, cli_failf(125, "open %s: %s", src, errno == ENOENT ? "no such file or directory" : strerror(errno)));
        }
        if (engine_volume_import(&v.e, rec->name, fd >= 0 ? fd : 0, &v.err) < 0)
                return end(&v, cli_fail(125, v.err));
        return end(&v, 0);
}

static const struct {
        const char *name;
        cli_command_fn fn;
} volume_commands[] = {
        { "create", cmd_vcreate }, { "exists", cmd_vexists }, { "export", cmd_vexport },
        { "import", cmd_vimport }, { "inspect", cmd_vinspect }, { "list", cmd_vls },
        { "ls", cmd_vls }, { "mount", cmd_vmount }, { "prune", cmd_vprune },
        { "remove", cmd_vrm }, { "rm", cmd_vrm }, { "umount", cmd_vmount }, { "unmount", cmd_vmount },
};

int cmd_volume(struct cli_ctx *c, int argc, char **argv)
{
        if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                FILE *f = argc < 2 ? stderr : stdout;
                fputs("Manage volumes\n\nDescription:\n  Volumes are created in and can be shared between containers\n\n"
                      "Usage:\n  cuttle volume [command]\n\nAvailable Commands:\n", f);
                for (size_t i = 0; i < ELEMENTSOF(volume_commands); i++)
                        fprintf(f, "  %s\n", volume_commands[i].name);
                if (argc < 2)
                        fputs("Error: missing command 'cuttle volume COMMAND'\n", stderr);
                return argc < 2 ? 125 : 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(volume_commands); i++)
                if (strcmp(volume_commands[i].name, argv[1]) == 0)
                        return volume_commands[i].fn(c, argc - 1, argv + 1);
        fprintf(stderr, "Error: unrecognized command `cuttle volume %s`\nTry 'cuttle volume --help' for more information\n",
                argv[1]);
        return 125;
}
