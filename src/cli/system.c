/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * system df, system prune, system reset (podman's texts).
 *
 * Sizes: an image's size is its layers' (each layer counted once however many images share
 * it); a container's is its writable layer (the overlay upper dir); a volume's is its data.
 * Reclaimable: what removing the unused ones would free.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "containers.h"
#include "image-json.h"
#include "network/networks.h"
#include "network/setup.h"
#include "output.h"
#include "state/db.h"
#include "storage/containers-conf.h"
#include "storage/images.h"
#include "storage/rootfs.h"
#include "storage/store.h"
#include "state/volumes.h"
#include "template.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/mountinfo.h"
#include "util/strv.h"

/* The container's writable layer (engine_container_size's rw part). */
static uint64_t container_rw_size(struct engine *e, const struct ctr_record *r)
{
        int64_t rw = 0, rootfs = 0;
        (void) engine_container_size(e, r, &rw, &rootfs);
        return (uint64_t) rw;
}

/* Parses a command that takes only options.  Returns -1 to go on, or the exit code. */
static int parse_no_args(struct opts_cmd *cmd, const char *name, int argc, char **argv)
{
        struct opts_args args = { 0 };
        int rc = cli_parse(cmd, argc, argv, &args);
        size_t npos = args.n;
        opts_args_done(&args);
        if (rc)
                return rc == CLI_DONE_OK ? 0 : rc;
        if (npos)
                return cli_failf(125, "`cuttle %s` takes no arguments", name);
        return -1;
}

struct df_row {
        const char *type;
        size_t total, active;
        uint64_t size, reclaimable;
};

static int df_images(struct store *s, struct df_row *row, struct cu_error **err)
{
        struct image_rec **v = NULL;
        size_t n = 0;
        int r = images_list(s->db, &v, &n, err);
        if (r < 0)
                return r;
        _cleanup_strv_ char **seen = NULL, **used = NULL;
        for (size_t i = 0; i < n; i++) {
                bool active = image_container_count(s->db, v[i]->id) > 0;
                row->total++;
                row->active += active;
                for (char **l = v[i]->layers; l && *l; l++) {
                        uint64_t sz = 0;
                        if (!strv_contains(seen, *l)) {
                                (void) strv_extend(&seen, *l);
                                (void) images_layer_size(s->db, *l, &sz);
                                row->size += sz;
                        }
                        if (active && !strv_contains(used, *l))
                                (void) strv_extend(&used, *l);
                }
        }
        uint64_t in_use = 0;
        for (char **l = used; l && *l; l++) {
                uint64_t sz = 0;
                (void) images_layer_size(s->db, *l, &sz);
                in_use += sz;
        }
        row->reclaimable = row->size > in_use ? row->size - in_use : 0;
        image_recs_free(v, n);
        return 0;
}

static int df_containers(struct engine *e, struct df_row *row, struct cu_error **err)
{
        struct ctr_record **v = NULL;
        size_t n = 0;
        int r = engine_list(e, &v, &n, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                uint64_t sz = container_rw_size(e, v[i]);
                bool running = engine_is_running(v[i]);
                row->total++;
                row->active += running;
                row->size += sz;
                if (!running)
                        row->reclaimable += sz;
                ctr_record_free(v[i]);
        }
        free(v);
        return 0;
}

static int df_volumes(struct engine *e, struct df_row *row, struct cu_error **err)
{
        struct vol_record **v = NULL;
        size_t n = 0;
        int r = engine_volume_list(e, &v, &n, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                _cleanup_strv_ char **users = NULL;
                bool used = engine_volume_users(e, v[i]->name, &users, NULL) >= 0 && users && users[0];
                uint64_t sz = v[i]->mountpoint ? dir_tree_size(AT_FDCWD, v[i]->mountpoint) : 0;
                row->total++;
                row->active += used;
                row->size += sz;
                if (!used)
                        row->reclaimable += sz;
                vol_record_free(v[i]);
        }
        free(v);
        return 0;
}

static json_t *df_json(const struct df_row *row)
{
        char a[32], b[32], rec[64];
        human_size_compact(row->size, a);
        human_size_compact(row->reclaimable, b);
        unsigned pct = row->size ? (unsigned) (row->reclaimable * 100 / row->size) : 0;
        snprintf(rec, sizeof rec, "%s (%u%%)", b, pct);
        return json_pack("{s:s, s:I, s:I, s:I, s:I, s:s, s:s}", "Type", row->type, "Total",
                         (json_int_t) row->total, "Active", (json_int_t) row->active, "RawSize",
                         (json_int_t) row->size, "RawReclaimable", (json_int_t) row->reclaimable,
                         "Size", a, "Reclaimable", rec);
}

int cmd_system_df(struct cli_ctx *c, int argc, char **argv)
{
        const char *format = NULL;
        bool verbose = false;
        struct opt opts[] = {
                { .name = "format", .type = OPT_STRING, .value = &format, .help = "Pretty-print images using a Go template" },
                { .name = "verbose", .shorthand = 'v', .type = OPT_BOOL, .value = &verbose, .help = "Show detailed information on disk usage" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle system df [options]",
                                .short_desc = "Show podman disk usage", .opts = opts };
        int rc = parse_no_args(&cmd, "system df", argc, argv);
        if (rc >= 0)
                return rc;
        if (verbose && format)
                return cli_failf(125, "cannot combine --format and --verbose flags");
        _cleanup_error_ struct cu_error *err = NULL;
        struct engine e;
        if (cli_engine(c, &e, &err) < 0)
                return cli_fail(125, err);
        struct df_row rows[3] = { { .type = "Images" }, { .type = "Containers" },
                                  { .type = "Local Volumes" } };
        if (df_images(e.store, &rows[0], &err) < 0 || df_containers(&e, &rows[1], &err) < 0 ||
            df_volumes(&e, &rows[2], &err) < 0)
                return cli_fail(125, err);
        _cleanup_json_ json_t *out = json_array();
        for (size_t i = 0; i < 3; i++)
                json_array_append_new(out, df_json(&rows[i]));
        if (verbose) {
                /* the summary per kind, one table each (podman prints one line per object) */
                static const char *const titles[] = { "Images space usage:", "Containers space usage:",
                                                      "Local Volumes space usage:" };
                for (size_t i = 0; i < 3; i++) {
                        char a[32];
                        human_size_compact(rows[i].size, a);
                        printf("%s\n\nTOTAL       ACTIVE      SIZE\n%-11zu %-11zu %s\n\n", titles[i],
                               rows[i].total, rows[i].active, a);
                }
                return 0;
        }
        static const struct column headers[] = {
                { "Type", "TYPE" }, { "Total", "TOTAL" }, { "Active", "ACTIVE" },
                { "Size", "SIZE" }, { "Reclaimable", "RECLAIMABLE" }, { NULL, NULL },
        };
        static const struct column cols[] = {
                { "Type", NULL }, { "Total", NULL }, { "Active", NULL }, { "Size", NULL },
                { "Reclaimable", NULL }, { NULL, NULL },
        };
        return cli_output(format, out, cols, headers, true);
}

/* Asks on stderr.  Returns true to go on; otherwise *rc is the exit code (0: the user said
 * no).  Without a terminal it refuses (as image prune does) rather than hang or guess. */
static bool confirm(const char *text, bool force, int *rc)
{
        *rc = 0;
        if (force)
                return true;
        if (!isatty(STDIN_FILENO)) {
                *rc = cli_failf(125, "refusing to remove without --force when stdin is not a terminal");
                return false;
        }
        fprintf(stderr, "%sAre you sure you want to continue? [y/N] ", text);
        char answer[16] = "";
        return fgets(answer, sizeof answer, stdin) && (answer[0] == 'y' || answer[0] == 'Y');
}

static void print_section(const char *title, char **items)
{
        if (!items || !items[0])
                return;
        printf("%s\n", title);
        for (char **p = items; *p; p++)
                printf("%s\n", *p);
}

/* Removes the containers that are not running (all with every).  Their IDs into ids. */
static int remove_containers(struct engine *e, bool every, char ***ids, uint64_t *freed)
{
        struct ctr_record **v = NULL;
        size_t n = 0;
        _cleanup_error_ struct cu_error *err = NULL;
        int rc = 0;
        if (engine_list(e, &v, &n, &err) < 0)
                return cli_fail(125, err);
        for (size_t i = 0; i < n; i++) {
                if (!every && engine_is_running(v[i])) {
                        ctr_record_free(v[i]);
                        continue;
                }
                uint64_t sz = container_rw_size(e, v[i]);
                cu_error_clear(&err);
                if (engine_remove(e, v[i]->id, true, 0, &err) < 0 && err && err->errnum != ENOENT) {
                        fprintf(stderr, "Error: %s\n", cu_error_msg(err));
                        rc = 125;
                } else {
                        *freed += sz;
                        (void) strv_extend(ids, v[i]->id);
                }
                ctr_record_free(v[i]);
        }
        free(v);
        return rc;
}

static int remove_networks(struct engine *e, bool every, char ***names)
{
        _cleanup_error_ struct cu_error *err = NULL;
        struct cu_network **v = NULL;
        size_t n = 0;
        if (network_list(e->db, &v, &n, &err) < 0)
                return cli_fail(125, err);
        int rc = 0;
        for (size_t i = 0; i < n; i++) {
                bool dflt = network_is_default(v[i]->name);
                if ((dflt && !every) || (!every && network_lease_count(e->db, v[i]->name, NULL) != 0))
                        continue;
                cu_error_clear(&err);
                if (dflt) { /* reset: the default network's bridge and rules go, its record stays */
                        (void) net_network_removed(e->db, e->runroot, v[i]->interface, NULL);
                        continue;
                }
                if (network_remove(e->db, v[i]->name, every, &err) < 0) {
                        fprintf(stderr, "Error: %s\n", cu_error_msg(err));
                        rc = 125;
                        continue;
                }
                (void) net_network_removed(e->db, e->runroot, v[i]->interface, NULL);
                (void) strv_extend(names, v[i]->name);
        }
        networks_free(v, n);
        return rc;
}

static int remove_images(struct store *s, bool all, bool every, char ***ids, uint64_t *freed)
{
        _cleanup_error_ struct cu_error *err = NULL;
        int rc = 0;
        /* Removing an image can leave another one dangling: repeat until nothing changes. */
        for (int round = 0; round < 50; round++) {
                struct image_rec **v = NULL;
                size_t n = 0, removed = 0;
                if (images_list(s->db, &v, &n, &err) < 0)
                        return cli_fail(125, err);
                for (size_t i = 0; i < n; i++) {
                        bool dangling = !v[i]->names || !v[i]->names[0];
                        if (!every && ((!all && !dangling) || image_container_count(s->db, v[i]->id) > 0))
                                continue;
                        if (image_is_mounted(s, v[i]->id, NULL))
                                image_unmount(s, v[i]->id, NULL);
                        cu_error_clear(&err);
                        if (cli_image_delete(s, v[i]->id, &err) < 0) {
                                fprintf(stderr, "Error: %s\n", cu_error_msg(err));
                                rc = 125;
                                continue;
                        }
                        *freed += v[i]->size;
                        (void) strv_extend(ids, v[i]->id);
                        removed++;
                }
                image_recs_free(v, n);
                if (!removed || rc)
                        break;
        }
        return rc;
}

/* Volumes not used by any container (every: all of them, with their containers). */
static int remove_volumes(struct engine *e, bool every, char ***names, uint64_t *freed)
{
        _cleanup_error_ struct cu_error *err = NULL;
        struct vol_record **v = NULL;
        size_t n = 0;
        if (engine_volume_list(e, &v, &n, &err) < 0)
                return cli_fail(125, err);
        int rc = 0;
        for (size_t i = 0; i < n; i++) {
                _cleanup_strv_ char **users = NULL;
                if (!every && (engine_volume_users(e, v[i]->name, &users, NULL) < 0 || (users && users[0])))
                        goto next;
                uint64_t sz = v[i]->mountpoint ? dir_tree_size(AT_FDCWD, v[i]->mountpoint) : 0;
                cu_error_clear(&err);
                if (engine_volume_remove(e, v[i]->name, every, 0, &err) < 0) {
                        fprintf(stderr, "Error: %s\n", cu_error_msg(err));
                        rc = 125;
                        goto next;
                }
                *freed += sz;
                (void) strv_extend(names, v[i]->name);
        next:
                vol_record_free(v[i]);
        }
        free(v);
        return rc;
}

int cmd_system_prune(struct cli_ctx *c, int argc, char **argv)
{
        bool all = false, force = false, volumes = false;
        _cleanup_strv_ char **filters = NULL;
        struct opt opts[] = {
                { .name = "all", .shorthand = 'a', .type = OPT_BOOL, .value = &all, .help = "Remove all unused data" },
                { .name = "filter", .type = OPT_STRING_ARRAY, .value = &filters, .help = "Provide filter values (e.g. 'label=<key>=<value>')" },
                { .name = "force", .shorthand = 'f', .type = OPT_BOOL, .value = &force, .help = "Do not prompt for confirmation.  The default is false" },
                { .name = "volumes", .type = OPT_BOOL, .value = &volumes, .help = "Prune volumes" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle system prune [options]",
                                .short_desc = "Remove unused data", .opts = opts };
        int rc = parse_no_args(&cmd, "system prune", argc, argv);
        if (rc >= 0)
                return rc;
        if (filters)
                return cli_failf(125, "--filter is not supported by system prune yet");
        char text[512];
        snprintf(text, sizeof text,
                 "WARNING! This command removes:\n\t- all stopped containers\n"
                 "\t- all networks not used by at least one container\n%s%s"
                 "\t- all dangling build cache\n\n",
                 all ? "\t- all images without at least one container associated with them\n"
                     : "\t- all dangling images\n",
                 volumes ? "\t- all volumes not used by at least one container\n" : "");
        if (!confirm(text, force, &rc))
                return rc;
        _cleanup_error_ struct cu_error *err = NULL;
        struct engine e;
        if (cli_engine(c, &e, &err) < 0)
                return cli_fail(125, err);
        _cleanup_strv_ char **ctrs = NULL, **nets = NULL, **imgs = NULL;
        uint64_t freed = 0;
        rc = remove_containers(&e, false, &ctrs, &freed);
        print_section("Deleted Containers", ctrs);
        int r = remove_networks(&e, false, &nets);
        print_section("Deleted Networks", nets);
        rc = rc ? rc : r;
        _cleanup_strv_ char **vols = NULL;
        if (volumes) {
                r = remove_volumes(&e, false, &vols, &freed);
                print_section("Deleted Volumes", vols);
                rc = rc ? rc : r;
        }
        r = remove_images(e.store, all, false, &imgs, &freed);
        print_section("Deleted Images", imgs);
        rc = rc ? rc : r;
        char b[32];
        human_size_compact(freed, b);
        printf("Total reclaimed space: %s\n", b);
        return rc;
}

struct below {
        const char *path;
        size_t len;
        char **mps;
};

static int below_cb(const struct mountinfo *mi, void *userdata)
{
        struct below *b = userdata;
        const char *mp = mi->mountpoint;
        if (strncmp(mp, b->path, b->len) == 0 && (mp[b->len] == '/' || mp[b->len] == '\0'))
                return strv_extend(&b->mps, mp) < 0 ? -ENOMEM : 0;
        return 0;
}

/* podman's system migrate: stops every running container ("stopped ID"), then, with
 * --new-runtime, moves every container to that runtime (a name of containers.conf's
 * [engine.runtimes], a path, or "cuttle" for the built-in one). */
int cmd_system_migrate(struct cli_ctx *c, int argc, char **argv)
{
        const char *new_runtime = NULL;
        struct opt opts[] = {
                { .name = "new-runtime", .type = OPT_STRING, .value = &new_runtime, .help = "Specify a new runtime for all containers" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle system migrate [options]",
                                .short_desc = "Migrate containers", .opts = opts };
        int rc = parse_no_args(&cmd, "system migrate", argc, argv);
        if (rc >= 0)
                return rc;
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_free_ char *path = NULL;
        if (new_runtime && strcmp(new_runtime, "cuttle") != 0 && strcmp(new_runtime, "cuttle-runtime") != 0) {
                const struct containers_conf *conf = NULL;
                if (cli_ctx_config(c, &conf, &err) < 0)
                        return cli_fail(125, err);
                if (!*new_runtime || containers_conf_runtime_path(conf, new_runtime, &path, NULL) < 0)
                        return cli_failf(125, "change to runtime \"%s\" requested but no such runtime is defined: invalid argument",
                                         new_runtime);
        }
        struct engine e;
        if (cli_engine(c, &e, &err) < 0)
                return cli_fail(125, err);
        struct ctr_record **all = NULL;
        if (engine_list(&e, &all, NULL, &err) < 0)
                return cli_fail(125, err);
        rc = 0;
        for (struct ctr_record **r = all; *r && rc == 0; r++) {
                if ((*r)->state != CTR_STATE_RUNNING && (*r)->state != CTR_STATE_PAUSED &&
                    (*r)->state != CTR_STATE_STOPPING)
                        continue;
                if (engine_stop(&e, (*r)->id, -1, &err) < 0) {
                        (void) cu_error_prefix(&err, -EIO, "cannot stop container %s", (*r)->id);
                        rc = cli_fail(125, err);
                } else {
                        printf("stopped %s\n", (*r)->id);
                }
        }
        for (struct ctr_record **r = all; new_runtime && *r && rc == 0; r++)
                if (engine_set_runtime(&e, (*r)->id, path ? new_runtime : "cuttle", path, &err) < 0)
                        rc = cli_fail(125, err);
        ctr_record_list_free(all);
        return rc;
}

/* Unmounts every mount below path (deepest first).  Returns how many stay. */
static size_t unmount_below(const char *path)
{
        struct below b = { .path = path, .len = strlen(path) };
        (void) mountinfo_foreach(NULL, below_cb, &b);
        _cleanup_strv_ char **mps = b.mps;
        size_t n = strv_length(mps), left = 0;
        for (size_t i = n; i-- > 0;) /* mountinfo lists parents first */
                if (umount2(mps[i], MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
                        left++;
        return left;
}

int cmd_system_reset(struct cli_ctx *c, int argc, char **argv)
{
        bool force = false;
        struct opt opts[] = {
                { .name = "force", .shorthand = 'f', .type = OPT_BOOL, .value = &force, .help = "Do not prompt for confirmation" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle system reset [options]",
                                .short_desc = "Reset storage back to initial state", .opts = opts };
        int rc = parse_no_args(&cmd, "system reset", argc, argv);
        if (rc >= 0)
                return rc;
        if (!confirm("WARNING! This will remove:\n        - all containers\n        - all pods\n"
                     "        - all images\n        - all networks\n        - all build cache\n"
                     "        - all machines\n        - all volumes\n",
                     force, &rc))
                return rc;
        _cleanup_error_ struct cu_error *err = NULL;
        struct engine e;
        if (cli_engine(c, &e, &err) < 0)
                return cli_fail(125, err);
        _cleanup_strv_ char **ctrs = NULL, **nets = NULL, **imgs = NULL;
        uint64_t freed = 0;
        rc = remove_containers(&e, true, &ctrs, &freed);
        int r = remove_networks(&e, true, &nets);
        rc = rc ? rc : r;
        _cleanup_strv_ char **vols = NULL;
        r = remove_volumes(&e, true, &vols, &freed);
        rc = rc ? rc : r;
        r = remove_images(e.store, true, true, &imgs, &freed);
        rc = rc ? rc : r;
        /* What is left on disk goes too, as podman removes its graph root and run root:
         * first anything still mounted below them (image mounts, namespaces). */
        const char *root = e.root, *runroot = e.runroot;
        /* podman removes its tmp dir and volume path too (when set apart from the roots) */
        const char *dirs[4] = { root, runroot };
        size_t nd = 2, rl = strlen(root);
        if (e.tmp_dir && e.tmp_dir[0])
                dirs[nd++] = e.tmp_dir;
        if (e.volume_path && !(strncmp(e.volume_path, root, rl) == 0 && e.volume_path[rl] == '/'))
                dirs[nd++] = e.volume_path;
        size_t left = 0;
        for (size_t i = 0; i < nd; i++)
                left += unmount_below(dirs[i]);
        if (left)
                return cli_failf(125, "%zu mounts under %s or %s could not be unmounted", left, root,
                                 runroot);
        for (size_t i = 0; i < nd; i++) {
                int x = rm_rf(dirs[i]);
                if (x < 0 && x != -ENOENT) {
                        fprintf(stderr, "Error: removing %s: %s\n", dirs[i], strerror(-x));
                        rc = 125;
                }
        }
        return rc;
}
