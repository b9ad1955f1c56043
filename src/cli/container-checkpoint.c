/* SPDX-License-Identifier: GPL-2.0-or-later */
/* container checkpoint / container restore (podman 4.3's flags, output and errors). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "containers.h"
#include "util/json.h"
#include "util/strv.h"

static int64_t mono_us(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The containers named, all of them in the states of mask (-a), or the latest (-l). */
static int targets(struct engine *e, struct opts_args *args, bool all, bool latest,
                   unsigned mask, char ***ret, struct cu_error **err)
{
        _cleanup_strv_ char **l = NULL;
        if (all || latest) {
                _cleanup_ctr_record_list_ struct ctr_record **list = NULL;
                size_t n = 0;
                int r = engine_list(e, &list, &n, err);
                if (r < 0)
                        return r;
                if (latest && n > 0 && strv_extend(&l, list[n - 1]->id) < 0)
                        return -ENOMEM;
                for (size_t i = 0; all && i < n; i++)
                        if ((mask & (1u << list[i]->state)) && strv_extend(&l, list[i]->id) < 0)
                                return -ENOMEM;
        } else {
                for (size_t i = 0; i < args->n; i++)
                        if (strv_extend(&l, args->args[i]) < 0)
                                return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static void print_stats(const char *key, int64_t us, json_t *stats)
{
        _cleanup_json_ json_t *o = json_pack("{s:I, s:O}", key, (json_int_t) us,
                                             "container_statistics", stats);
        _cleanup_free_ char *t = o ? json_dumps(o, JSON_INDENT(4)) : NULL;
        if (t)
                printf("%s\n", t);
}

/* --all, --latest or names: exactly one way (podman's errors).  0, or the exit code. */
static int check_targets(bool all, bool latest, size_t n)
{
        if ((all || latest) && n > 0)
                return cli_failf(125, "--all, --latest and containers cannot be used together");
        if (all && latest)
                return cli_failf(125, "--all and --latest cannot be used together");
        if (!all && !latest && n == 0)
                return cli_failf(125, "you must provide at least one name or id");
        return 0;
}

int cmd_container_checkpoint(struct cli_ctx *c, int argc, char **argv)
{
        struct engine_checkpoint_opts o = { 0 };
        bool all = false, latest = false;
        const char *export_file = NULL, *compress = "zstd", *image = NULL;
        struct opt opts[] = {
                { .name = "all", .shorthand = 'a', .type = OPT_BOOL, .value = &all, .help = "Checkpoint all running containers" },
                { .name = "compress", .shorthand = 'c', .type = OPT_STRING, .value = &compress, .help = "Select compression algorithm (gzip, none, zstd) for checkpoint archive.", .def = "zstd" },
                { .name = "create-image", .type = OPT_STRING, .value = &image, .help = "Create checkpoint image with specified name" },
                { .name = "export", .shorthand = 'e', .type = OPT_STRING, .value = &export_file, .help = "Export the checkpoint image to a tar.gz" },
                { .name = "file-locks", .type = OPT_BOOL, .value = &o.file_locks, .help = "Checkpoint a container with file locks" },
                { .name = "ignore-rootfs", .type = OPT_BOOL, .value = &o.ignore_rootfs, .help = "Do not include root file-system changes when exporting" },
                { .name = "ignore-volumes", .type = OPT_BOOL, .value = &o.ignore_volumes, .help = "Do not export volumes associated with container" },
                { .name = "keep", .shorthand = 'k', .type = OPT_BOOL, .value = &o.keep, .help = "Keep all temporary checkpoint files" },
                { .name = "latest", .shorthand = 'l', .type = OPT_BOOL, .value = &latest, .help = "Act on the latest container podman is aware of" },
                { .name = "leave-running", .shorthand = 'R', .type = OPT_BOOL, .value = &o.leave_running, .help = "Leave the container running after writing checkpoint to disk" },
                { .name = "pre-checkpoint", .shorthand = 'P', .type = OPT_BOOL, .value = &o.pre_checkpoint, .help = "Dump container's memory information only, leave the container running" },
                { .name = "print-stats", .type = OPT_BOOL, .value = &o.print_stats, .help = "Display checkpoint statistics" },
                { .name = "tcp-established", .type = OPT_BOOL, .value = &o.tcp_established, .help = "Checkpoint a container with established TCP connections" },
                { .name = "with-previous", .type = OPT_BOOL, .value = &o.with_previous, .help = "Checkpoint container with pre-checkpoint images" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle container checkpoint [options] CONTAINER [CONTAINER...]",
                                .short_desc = "Checkpoint one or more containers", .opts = opts };
        struct opts_args args = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_strv_ char **list = NULL;
        _cleanup_json_ json_t *stats = json_array();
        struct engine e;
        int rc = cli_parse(&cmd, argc, argv, &args);
        if (rc != 0)
                goto out;
        if ((rc = check_targets(all, latest, args.n)) != 0)
                goto out;
        if (image) {
                rc = cli_failf(125, "--create-image is not supported");
                goto out;
        }
        if (export_file && args.n + (latest ? 1 : 0) > 1) {
                rc = cli_failf(125, "--export can only be used with one container");
                goto out;
        }
        if (!export_file && (o.ignore_rootfs || o.ignore_volumes)) {
                rc = cli_failf(125, "--%s can only be used with --export",
                               o.ignore_rootfs ? "ignore-rootfs" : "ignore-volumes");
                goto out;
        }
        if (opts[1].changed && !export_file) {
                rc = cli_failf(125, "--compress can only be used with --export");
                goto out;
        }
        if (strcmp(compress, "gzip") != 0 && strcmp(compress, "zstd") != 0 &&
            strcmp(compress, "none") != 0) {
                rc = cli_failf(125, "selected compression algorithm (\"%s\") not supported. Please select one from: gzip, none, zstd",
                               compress);
                goto out;
        }
        if (o.pre_checkpoint && o.with_previous) {
                rc = cli_failf(125, "--with-previous can not be used with --pre-checkpoint");
                goto out;
        }
        o.export_file = export_file;
        o.compress = compress;
        if (cli_engine(c, &e, &err) < 0 ||
            targets(&e, &args, all, latest, 1u << CTR_STATE_RUNNING, &list, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        int64_t t0 = mono_us();
        rc = 0;
        for (char **p = list; p && *p; p++) {
                json_t *s = NULL;
                cu_error_clear(&err);
                if (engine_checkpoint(&e, *p, &o, &s, &err) < 0) {
                        rc = cli_fail(125, err);
                        continue;
                }
                if (s)
                        json_array_append_new(stats, s);
                else if (!o.print_stats)
                        printf("%s\n", *p);
        }
        if (o.print_stats && rc == 0)
                print_stats("podman_checkpoint_duration", mono_us() - t0, stats);
out:
        opts_args_done(&args);
        return rc == CLI_DONE_OK ? 0 : rc;
}

int cmd_container_restore(struct cli_ctx *c, int argc, char **argv)
{
        struct engine_restore_opts o = { 0 };
        bool all = false, latest = false;
        const char *pod = NULL;
        char **publish = NULL;
        struct opt opts[] = {
                { .name = "all", .shorthand = 'a', .type = OPT_BOOL, .value = &all, .help = "Restore all checkpointed containers" },
                { .name = "file-locks", .type = OPT_BOOL, .value = &o.file_locks, .help = "Restore a container with file locks" },
                { .name = "ignore-rootfs", .type = OPT_BOOL, .value = &o.ignore_rootfs, .help = "Do not apply root file-system changes when importing from exported checkpoint" },
                { .name = "ignore-static-ip", .type = OPT_BOOL, .value = &o.ignore_static_ip, .help = "Ignore IP address set via --static-ip" },
                { .name = "ignore-static-mac", .type = OPT_BOOL, .value = &o.ignore_static_mac, .help = "Ignore MAC address set via --mac-address" },
                { .name = "ignore-volumes", .type = OPT_BOOL, .value = &o.ignore_volumes, .help = "Do not export volumes associated with container" },
                { .name = "import", .shorthand = 'i', .type = OPT_STRING, .value = &o.import_file, .help = "Restore from exported checkpoint archive (tar.gz)" },
                { .name = "import-previous", .type = OPT_STRING, .value = &o.import_previous, .help = "Restore from exported pre-checkpoint archive (tar.gz)" },
                { .name = "keep", .shorthand = 'k', .type = OPT_BOOL, .value = &o.keep, .help = "Keep all temporary checkpoint files" },
                { .name = "latest", .shorthand = 'l', .type = OPT_BOOL, .value = &latest, .help = "Act on the latest container podman is aware of" },
                { .name = "name", .shorthand = 'n', .type = OPT_STRING, .value = &o.name, .help = "Specify new name for container restored from exported checkpoint (only works with image or --import)" },
                { .name = "pod", .type = OPT_STRING, .value = &pod, .help = "Restore container into existing Pod (only works with image or --import)" },
                { .name = "print-stats", .type = OPT_BOOL, .value = &o.print_stats, .help = "Display restore statistics" },
                { .name = "publish", .shorthand = 'p', .type = OPT_STRING_ARRAY, .value = &publish, .help = "Publish a container's port, or a range of ports, to the host (default [])" },
                { .name = "tcp-established", .type = OPT_BOOL, .value = &o.tcp_established, .help = "Restore a container with established TCP connections" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle container restore [options] CONTAINER|IMAGE [CONTAINER|IMAGE...]",
                                .short_desc = "Restores one or more containers from a checkpoint", .opts = opts };
        struct opts_args args = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_strv_ char **list = NULL;
        _cleanup_json_ json_t *stats = json_array();
        struct engine e;
        int rc = cli_parse(&cmd, argc, argv, &args);
        if (rc != 0)
                goto out;
        o.publish = publish;
        if (pod) {
                rc = cli_failf(125, "--pod is not supported");
                goto out;
        }
        if (o.import_file) {
                if (all || latest || args.n > 0) {
                        rc = cli_failf(125, "--import can only be used with one container");
                        goto out;
                }
        } else {
                if ((rc = check_targets(all, latest, args.n)) != 0)
                        goto out;
                if (o.ignore_rootfs) {
                        rc = cli_failf(125, "--ignore-rootfs can only be used with --import");
                        goto out;
                }
                if (o.ignore_volumes) {
                        rc = cli_failf(125, "--ignore-volumes can only be used with --import");
                        goto out;
                }
                if (o.name) {
                        rc = cli_failf(125, "--name can only be used with --import");
                        goto out;
                }
                if (publish) {
                        rc = cli_failf(125, "--publish can only be used with --import");
                        goto out;
                }
        }
        if (o.name && o.tcp_established) {
                rc = cli_failf(125, "--tcp-established cannot be used with --name");
                goto out;
        }
        if (o.import_previous && o.import_file == NULL && args.n + (latest ? 1 : 0) > 1) {
                rc = cli_failf(125, "--import-previous can only be used with one container");
                goto out;
        }
        if (cli_engine(c, &e, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        if (!o.import_file &&
            targets(&e, &args, all, latest, 1u << CTR_STATE_EXITED | 1u << CTR_STATE_STOPPED, &list,
                    &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        if (o.import_file && strv_extend(&list, "") < 0) {
                rc = cli_failf(125, "out of memory");
                goto out;
        }
        int64_t t0 = mono_us();
        rc = 0;
        for (char **p = list; p && *p; p++) {
                json_t *s = NULL;
                char id[CTR_ID_LEN + 1];
                cu_error_clear(&err);
                if (engine_restore(&e, *p, &o, id, &s, &err) < 0) {
                        rc = cli_fail(125, err);
                        continue;
                }
                if (s)
                        json_array_append_new(stats, s);
                else if (!o.print_stats)
                        printf("%s\n", o.import_file ? id : *p);
        }
        if (o.print_stats && rc == 0)
                print_stats("podman_restore_duration", mono_us() - t0, stats);
out:
        strv_free(publish);
        opts_args_done(&args);
        return rc == CLI_DONE_OK ? 0 : rc;
}
