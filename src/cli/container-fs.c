/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diff, container diff, image diff, export, mount, unmount. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "containers.h"
#include "engine/fs.h"
#include "storage/images.h"
#include "util/json.h"
#include "util/strv.h"

enum diff_what { DIFF_ANY, DIFF_CTR, DIFF_IMAGE };

/* The latest container's ID (malloc'd), or NULL with err. */
static char *latest_id(struct engine *e, struct cu_error **err)
{
        _cleanup_ctr_record_list_ struct ctr_record **list = NULL;
        size_t n = 0;
        if (engine_list(e, &list, &n, err) < 0)
                return NULL;
        if (n == 0) {
                cu_error_setx(err, ENOENT, "no containers to act on: no such container");
                return NULL;
        }
        return strdup(list[n - 1]->id);
}

static int run_diff(struct cli_ctx *c, int argc, char **argv, enum diff_what what)
{
        const char *format = NULL;
        bool latest = false;
        struct opt opts[] = {
                { .name = "format", .type = OPT_STRING, .value = &format, .help = "Change the output format (json)" },
                { .name = "latest", .shorthand = 'l', .type = OPT_BOOL, .value = &latest, .help = "Act on the latest container podman is aware of" },
                { 0 },
        };
        if (what == DIFF_IMAGE)
                opts[1] = (struct opt){ 0 };
        static const char *const uses[] = { "cuttle diff [options] {CONTAINER|IMAGE} [{CONTAINER|IMAGE}]",
                                            "cuttle container diff [options] CONTAINER [CONTAINER]",
                                            "cuttle image diff [options] IMAGE [IMAGE]" };
        static const char *const descs[] = { "Display the changes to the object's file system",
                                             "Inspect changes to the container's file systems",
                                             "Inspect changes to the image's file systems" };
        struct opts_cmd cmd = { .use = uses[what], .short_desc = descs[what], .opts = opts };
        struct opts_args args = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_free_ char *target = NULL;
        struct diff_change *v = NULL;
        size_t n = 0;
        struct engine e;
        _cleanup_json_ json_t *j = NULL;
        int rc = cli_parse(&cmd, argc, argv, &args);
        if (rc != 0)
                goto out;
        if (format && strcmp(format, "json") != 0) {
                rc = cli_failf(125, "only supported value for '--format' is 'json'");
                goto out;
        }
        if ((latest && args.n > 0) || (!latest && args.n == 0) || args.n > 1) {
                rc = cli_failf(125, args.n > 1 ? "comparing against a second container or image is not supported"
                                               : "%s requires a name, id, or the \"--latest\" flag",
                               what == DIFF_IMAGE ? "image diff" : what == DIFF_CTR ? "container diff" : "diff");
                goto out;
        }
        if (cli_engine(c, &e, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        target = latest ? latest_id(&e, &err) : strdup(args.args[0]);
        if (!target) {
                rc = cli_fail(125, err);
                goto out;
        }
        if (what == DIFF_CTR) {
                _cleanup_ctr_record_ struct ctr_record *r = NULL;
                if (engine_get(&e, target, &r, &err) < 0) {
                        rc = cli_fail(125, err);
                        goto out;
                }
        } else if (what == DIFF_IMAGE) {
                _cleanup_image_rec_ struct image_rec *im = NULL;
                if (image_lookup(e.db, target, &im, &err) < 0) {
                        rc = cli_fail(125, err);
                        goto out;
                }
                free(target);
                target = strdup(im->id);
        }
        if (engine_diff(&e, target, &v, &n, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        if (!format) {
                for (size_t i = 0; i < n; i++)
                        printf("%c %s\n", v[i].kind, v[i].path);
                goto out;
        }
        /* podman's ChangesReportJSON: changed, added, deleted (empty ones left out) */
        j = json_object();
        static const struct { const char *key; char kind; } groups[] = {
                { "changed", DIFF_CHANGED }, { "added", DIFF_ADDED }, { "deleted", DIFF_DELETED } };
        for (size_t g = 0; g < 3; g++) {
                json_t *a = json_array();
                for (size_t i = 0; i < n; i++)
                        if (v[i].kind == groups[g].kind)
                                json_array_append_new(a, json_string(v[i].path));
                if (json_array_size(a) > 0)
                        json_object_set_new(j, groups[g].key, a);
                else
                        json_decref(a);
        }
        char *t = json_dumps(j, JSON_INDENT(5) | JSON_PRESERVE_ORDER);
        if (t)
                puts(t);
        free(t);
out:
        diff_changes_free(v, n);
        opts_args_done(&args);
        return rc == CLI_DONE_OK ? 0 : rc;
}

int cmd_diff(struct cli_ctx *c, int argc, char **argv) { return run_diff(c, argc, argv, DIFF_ANY); }
int cmd_container_diff(struct cli_ctx *c, int argc, char **argv) { return run_diff(c, argc, argv, DIFF_CTR); }
int cmd_image_diff(struct cli_ctx *c, int argc, char **argv) { return run_diff(c, argc, argv, DIFF_IMAGE); }

int cmd_export(struct cli_ctx *c, int argc, char **argv)
{
        const char *output = NULL;
        struct opt opts[] = {
                { .name = "output", .shorthand = 'o', .type = OPT_STRING, .value = &output,
                  .help = "Write to a specified file (default: stdout, which must be redirected)" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle export [options] CONTAINER",
                                .short_desc = "Export container's filesystem contents as a tar archive",
                                .example = "cuttle export ctrID > myCtr.tar\ncuttle export --output=\"myCtr.tar\" ctrID",
                                .opts = opts };
        struct opts_args args = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *tmp = NULL;
        struct engine e;
        int rc = cli_parse(&cmd, argc, argv, &args);
        if (rc != 0)
                goto out;
        if (args.n != 1) {
                rc = cli_failf(125, "accepts 1 arg(s), received %zu", args.n);
                goto out;
        }
        if (!output && isatty(STDOUT_FILENO)) {
                rc = cli_failf(125, "refusing to export to terminal. Use -o flag or redirect");
                goto out;
        }
        if (cli_engine(c, &e, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        if (output) {
                /* written beside the target and renamed: a failed export leaves no file */
                if (asprintf(&tmp, "%s.tmp-%d", output, (int) getpid()) < 0) {
                        tmp = NULL;
                        rc = cli_failf(125, "out of memory");
                        goto out;
                }
                fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                if (fd < 0) {
                        rc = cli_failf(125, "open %s: %s", output, strerror(errno));
                        goto out;
                }
        }
        if (engine_export(&e, args.args[0], output ? fd : STDOUT_FILENO, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        if (output && (fsync(fd) < 0 || rename(tmp, output) < 0)) {
                rc = cli_failf(125, "writing %s: %s", output, strerror(errno));
                goto out;
        }
out:
        if (tmp && rc != 0 && rc != CLI_DONE_OK)
                unlink(tmp);
        opts_args_done(&args);
        return rc == CLI_DONE_OK ? 0 : rc;
}

int cmd_mount(struct cli_ctx *c, int argc, char **argv)
{
        bool all = false, latest = false, no_trunc = false;
        const char *format = NULL;
        struct opt opts[] = {
                { .name = "all", .shorthand = 'a', .type = OPT_BOOL, .value = &all, .help = "Mount all containers" },
                { .name = "format", .type = OPT_STRING, .value = &format, .help = "Print the mounted containers in specified format (json)" },
                { .name = "latest", .shorthand = 'l', .type = OPT_BOOL, .value = &latest, .help = "Act on the latest container podman is aware of" },
                { .name = "no-trunc", .type = OPT_BOOL, .value = &no_trunc, .help = "Do not truncate output" },
                { .name = "notruncate", .type = OPT_BOOL, .value = &no_trunc, .flags = OPT_HIDDEN, .help = "Do not truncate output" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle mount [options] [CONTAINER...]",
                                .short_desc = "Mount a working container's root filesystem", .opts = opts };
        struct opts_args args = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_strv_ char **ids = NULL, **paths = NULL, **targets = NULL;
        struct engine e;
        int rc = cli_parse(&cmd, argc, argv, &args);
        if (rc != 0)
                goto out;
        if (format && strcmp(format, "json") != 0) {
                rc = cli_failf(125, "unknown --format argument: %s", format);
                goto out;
        }
        if ((all || latest) && args.n > 0) {
                rc = cli_failf(125, "--all, --latest and containers cannot be used together");
                goto out;
        }
        if (cli_engine(c, &e, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        if (!all && !latest && args.n == 0) {
                if (engine_mounted_list(&e, &ids, &paths, &err) < 0) {
                        rc = cli_fail(125, err);
                        goto out;
                }
                _cleanup_json_ json_t *j = json_array();
                for (size_t i = 0; ids[i]; i++) {
                        _cleanup_ctr_record_ struct ctr_record *r = NULL;
                        if (format) {
                                const char *nm = engine_get(&e, ids[i], &r, NULL) >= 0 ? r->name : ids[i];
                                json_array_append_new(j, json_pack("{s:s, s:[s], s:s}", "id", ids[i], "Names", nm,
                                                                   "mountpoint", paths[i]));
                        } else
                                printf("%.*s  %s\n", no_trunc ? CTR_ID_LEN : 12, ids[i], paths[i]);
                }
                if (format) {
                        char *t = json_dumps(j, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
                        puts(t ? t : "[]");
                        free(t);
                }
                goto out;
        }
        if (all || latest) {
                _cleanup_ctr_record_list_ struct ctr_record **list = NULL;
                size_t n = 0;
                if (engine_list(&e, &list, &n, &err) < 0) {
                        rc = cli_fail(125, err);
                        goto out;
                }
                for (size_t i = latest && n ? n - 1 : 0; i < n; i++)
                        (void) strv_extend(&targets, list[i]->id);
        } else
                targets = strv_copy(args.args);
        for (char **t = targets; t && *t; t++) {
                _cleanup_error_ struct cu_error *e1 = NULL;
                _cleanup_free_ char *path = NULL;
                if (engine_mount(&e, *t, &path, &e1) < 0) {
                        rc = 125;
                        fprintf(stderr, "Error: %s\n", cu_error_msg(e1));
                        continue;
                }
                puts(path);
        }
out:
        opts_args_done(&args);
        return rc == CLI_DONE_OK ? 0 : rc;
}

int cmd_unmount(struct cli_ctx *c, int argc, char **argv)
{
        bool all = false, latest = false, force = false;
        struct opt opts[] = {
                { .name = "all", .shorthand = 'a', .type = OPT_BOOL, .value = &all, .help = "Unmount all of the currently mounted containers" },
                { .name = "force", .shorthand = 'f', .type = OPT_BOOL, .value = &force, .help = "Force the complete unmount of the specified mounted containers" },
                { .name = "latest", .shorthand = 'l', .type = OPT_BOOL, .value = &latest, .help = "Act on the latest container podman is aware of" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle unmount [options] CONTAINER [CONTAINER...]", .aliases = "unmount, umount",
                                .short_desc = "Unmount working container's root filesystem", .opts = opts };
        struct opts_args args = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_strv_ char **targets = NULL, **paths = NULL;
        struct engine e;
        int rc = cli_parse(&cmd, argc, argv, &args);
        if (rc != 0)
                goto out;
        if ((all || latest) && args.n > 0) {
                rc = cli_failf(125, "--all, --latest and containers cannot be used together");
                goto out;
        }
        if (!all && !latest && args.n == 0) {
                rc = cli_failf(125, "when using the \"all\" or \"latest\" flag, no container name or ID may be given: "
                                    "you must provide at least one container name or ID");
                goto out;
        }
        if (cli_engine(c, &e, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        if (all) {
                if (engine_mounted_list(&e, &targets, &paths, &err) < 0) {
                        rc = cli_fail(125, err);
                        goto out;
                }
        } else if (latest) {
                char *id = latest_id(&e, &err);
                if (!id || strv_push(&targets, id) < 0) {
                        rc = cli_fail(125, err);
                        goto out;
                }
        } else
                targets = strv_copy(args.args);
        for (char **t = targets; t && *t; t++) {
                _cleanup_error_ struct cu_error *e1 = NULL;
                if (engine_unmount(&e, *t, force, NULL, &e1) < 0) {
                        rc = 125;
                        fprintf(stderr, "Error: %s\n", cu_error_msg(e1));
                        continue;
                }
                puts(*t);
        }
out:
        opts_args_done(&args);
        return rc == CLI_DONE_OK ? 0 : rc;
}
