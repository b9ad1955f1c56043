/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * container checkpoint (the seed's checkpoint() and exportCheckpoint()): CRIU dumps the
 * container's processes into <userdata>/checkpoint (pre-checkpoint: <userdata>/pre-checkpoint),
 * the engine keeps beside it what a restore needs (config.dump, spec.dump, network.status),
 * and --export packs it all with the root filesystem changes and the volumes into one tar.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/checkpoint-int.h"
#include "engine/fs.h"
#include "engine/internal.h"
#include "state/lock.h"
#include "storage/rootfs.h"
#include "storage/tar-write.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/log.h"
#include "util/proc.h"
#include "util/strv.h"

#define MIN_CRIU 31100

char *engine_cr_path(struct engine *e, const char *id, const char *name)
{
        _cleanup_free_ char *ud = engine_path(e, id, "userdata");
        char *p = NULL;
        if (!ud || asprintf(&p, "%s/%s", ud, name) < 0)
                return NULL;
        return p;
}

int engine_cr_supported(const struct ctr_record *r, char **ret_criu, struct cu_error **err)
{
        _cleanup_free_ char *criu = runtime_criu_path();
        int v = criu ? runtime_criu_version(criu, NULL) : -ENOENT;
        if (v < MIN_CRIU)
                return cu_error_setx(err, EOPNOTSUPP, "checkpoint/restore requires at least CRIU %d",
                                     MIN_CRIU);
        _cleanup_free_ char *oci = engine_oci_path(r);
        if (oci && access(oci, X_OK) < 0)
                return cu_error_setx(err, EOPNOTSUPP,
                                     "configured runtime does not support checkpoint/restore");
        if (ret_criu)
                *ret_criu = TAKE_PTR(criu);
        return 0;
}

int engine_cr_run_oci(const struct ctr_record *r, const char *runroot, const char *criu,
                      char **args, struct cu_error **err)
{
        _cleanup_free_ char *oci = engine_oci_path(r);
        _cleanup_strv_ char **argv = NULL;
        char root[4096];
        snprintf(root, sizeof root, "%s/runtime", runroot);
        if (strv_extend(&argv, oci) < 0 || strv_extend(&argv, "--root") < 0 ||
            strv_extend(&argv, root) < 0)
                return cu_error_set(err, ENOMEM, "runtime command line");
        for (char **a = args; *a; a++)
                if (strv_extend(&argv, *a) < 0)
                        return cu_error_set(err, ENOMEM, "runtime command line");
        /* runc runs "criu" from PATH: ours first */
        _cleanup_free_ char *path = NULL, *dir = criu ? strdup(criu) : NULL;
        if (dir && strrchr(dir, '/'))
                *strrchr(dir, '/') = '\0';
        const char *old = getenv("PATH");
        if (asprintf(&path, "PATH=%s:%s", dir ? dir : "/usr/sbin",
                     old ? old : "/usr/sbin:/usr/bin:/sbin:/bin") < 0)
                return cu_error_set(err, ENOMEM, "asprintf");
        _cleanup_free_ char *out = NULL;
        int code = proc_run_capture(argv, 2, path, &out);
        if (code < 0)
                return cu_error_set(err, -code, "running %s", argv[0]);
        if (code == 0)
                return 0;
        size_t n = out ? strlen(out) : 0;
        while (n > 0 && out[n - 1] == '\n')
                out[--n] = '\0';
        return cu_error_setx(err, EIO, "%s %s: %s", argv[0], args[0], n ? out : "failed");
}

/* podman's network.status: {"NET": {"interfaces": {"eth0": {"subnets": [{"ipnet": "IP/LEN",
 * "gateway": "GW"}], "mac_address": "MAC"}}}} from the container's inspect data. */
static json_t *network_status(struct engine *e, const struct ctr_record *r)
{
        _cleanup_json_ json_t *in = engine_inspect_json(e, r);
        json_t *nets = json_object_get(json_object_get(in, "NetworkSettings"), "Networks");
        json_t *out = json_object();
        const char *name;
        json_t *n;
        json_object_foreach(nets, name, n) {
                const char *ip = json_string_value(json_object_get(n, "IPAddress"));
                if (!ip || !*ip)
                        continue;
                char cidr[128];
                snprintf(cidr, sizeof cidr, "%s/%lld", ip,
                         (long long) json_integer_value(json_object_get(n, "IPPrefixLen")));
                const char *gw = json_string_value(json_object_get(n, "Gateway"));
                const char *mac = json_string_value(json_object_get(n, "MacAddress"));
                json_object_set_new(out, name,
                                    json_pack("{s:{s:{s:[{s:s, s:s}], s:s}}}", "interfaces", "eth0",
                                              "subnets", "ipnet", cidr, "gateway", gw ? gw : "",
                                              "mac_address", mac ? mac : ""));
        }
        return out;
}

/* dumps: config.dump (the container's configuration), spec.dump (its OCI spec),
 * network.status. */
static int write_dumps(struct engine *e, const struct ctr_record *r, struct cu_error **err)
{
        _cleanup_free_ char *cd = engine_cr_path(e, r->id, CR_CONFIG_DUMP);
        _cleanup_free_ char *sd = engine_cr_path(e, r->id, CR_SPEC_DUMP);
        _cleanup_free_ char *ns = engine_cr_path(e, r->id, CR_NETWORK_STATUS);
        _cleanup_free_ char *cfg = engine_path(e, r->id, "config.json");
        if (!cd || !sd || !ns || !cfg)
                return cu_error_set(err, ENOMEM, "asprintf");
        _cleanup_json_ json_t *c = engine_config(r);
        if (!c)
                return cu_error_setx(err, EUCLEAN, "container %s: broken config", r->id);
        json_object_set_new(c, "ID", json_string(r->id));
        json_object_set_new(c, "Name", json_string(r->name));
        if (r->image_id)
                json_object_set_new(c, "RootfsImageID", json_string(r->image_id));
        if (r->image_name)
                json_object_set_new(c, "RootfsImageName", json_string(r->image_name));
        int ret = json_write_file_atomic(c, cd, 0600, err);
        if (ret < 0)
                return ret;
        _cleanup_json_ json_t *spec = json_load_path(cfg, err);
        if (!spec)
                return -EINVAL;
        ret = json_write_file_atomic(spec, sd, 0600, err);
        if (ret < 0)
                return ret;
        _cleanup_json_ json_t *st = network_status(e, r);
        return json_write_file_atomic(st ? st : json_object(), ns, 0600, err);
}

/* The stats-dump / stats-restore image: CRIU's magic words, a length, and a StatsEntry
 * protobuf (dump = 1, restore = 2, each a message of varint fields).  Field number → value. */
int engine_cr_parse_stats(const unsigned char *b, size_t n, int which, uint64_t vals[16])
{
        memset(vals, 0, 16 * sizeof vals[0]);
        if (n < 12)
                return -EINVAL;
        uint32_t len = (uint32_t) b[8] | (uint32_t) b[9] << 8 | (uint32_t) b[10] << 16 |
                       (uint32_t) b[11] << 24;
        if (len > n - 12)
                return -EINVAL;
        const unsigned char *p = b + 12, *end = p + len;
        while (p < end) {
                uint64_t key = 0;
                for (int s = 0; p < end && s < 64; s += 7) {
                        key |= (uint64_t) (*p & 0x7f) << s;
                        if (!(*p++ & 0x80))
                                break;
                }
                if ((key & 7) != 2)
                        return -EINVAL;
                uint64_t l = 0;
                for (int s = 0; p < end && s < 64; s += 7) {
                        l |= (uint64_t) (*p & 0x7f) << s;
                        if (!(*p++ & 0x80))
                                break;
                }
                if (l > (uint64_t) (end - p))
                        return -EINVAL;
                if ((int) (key >> 3) == which) {
                        const unsigned char *q = p, *qe = p + l;
                        while (q < qe) {
                                uint64_t k = 0, v = 0;
                                for (int s = 0; q < qe && s < 64; s += 7) {
                                        k |= (uint64_t) (*q & 0x7f) << s;
                                        if (!(*q++ & 0x80))
                                                break;
                                }
                                if ((k & 7) != 0)
                                        return -EINVAL;
                                for (int s = 0; q < qe && s < 64; s += 7) {
                                        v |= (uint64_t) (*q & 0x7f) << s;
                                        if (!(*q++ & 0x80))
                                                break;
                                }
                                if ((k >> 3) < 16)
                                        vals[k >> 3] = v;
                        }
                        return 0;
                }
                p += l;
        }
        return -ENOENT;
}

json_t *engine_cr_stats(const char *path, bool restore, struct cu_error **err)
{
        _cleanup_free_ char *text = NULL;
        size_t n = 0;
        int r = read_full_file(path, &text, &n, err);
        if (r < 0) {
                cu_error_prefix(err, r, "displaying %s statistics not possible",
                                restore ? "restore" : "checkpointing");
                return NULL;
        }
        uint64_t v[16];
        if (engine_cr_parse_stats((const unsigned char *) text, n, restore ? 2 : 1, v) < 0) {
                cu_error_setx(err, EINVAL, "displaying %s statistics not possible: bad %s",
                              restore ? "restore" : "checkpointing", path);
                return NULL;
        }
        if (restore)
                return json_pack("{s:I, s:I, s:I, s:I, s:I}", "pages_compared", (json_int_t) v[1],
                                 "pages_skipped_cow", (json_int_t) v[2], "forking_time",
                                 (json_int_t) v[3], "restore_time", (json_int_t) v[4],
                                 "pages_restored", (json_int_t) v[5]);
        return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "freezing_time", (json_int_t) v[1],
                         "frozen_time", (json_int_t) v[2], "memdump_time", (json_int_t) v[3],
                         "memwrite_time", (json_int_t) v[4], "pages_scanned", (json_int_t) v[5],
                         "pages_written", (json_int_t) v[7]);
}

static int64_t mono_us(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* After a dump that ended the container: its monitor's exit, then the seed's cleanup. */
static void checkpoint_stopped(struct engine *e, struct ctr_record *r)
{
        _cleanup_free_ char *exitf = engine_path(e, r->id, "exit");
        for (int i = 0; exitf && i < 1000 && access(exitf, F_OK) < 0; i++)
                (void) nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
        (void) engine_refresh(e, r, true);
        r->state = CTR_STATE_EXITED;
        r->pid = 0;
        r->has_exit_code = true;
        r->exit_code = 0;
        r->finished_at = engine_now_ns();
        engine_teardown(e, r);
        if (!engine_user_mounted(e, r->id))
                (void) rootfs_unmount(e->store, r->id, NULL);
}

int engine_checkpoint(struct engine *e, const char *id, const struct engine_checkpoint_opts *o,
                      json_t **ret_stats, struct cu_error **err)
{
        _cleanup_lock_ struct lock *l = NULL;
        _cleanup_ctr_record_ struct ctr_record *r = NULL;
        int ret = engine_get_locked(e, id, &l, &r, err);
        if (ret < 0)
                return ret;
        _cleanup_free_ char *criu = NULL;
        ret = engine_cr_supported(r, &criu, err);
        if (ret < 0)
                return ret;
        if (r->state != CTR_STATE_RUNNING)
                return cu_error_setx(err, EINVAL, "\"%s\" is not running, cannot checkpoint: container state improper",
                                     ctr_state_to_string(r->state));
        _cleanup_json_ json_t *c = engine_config(r);
        if (json_is_true(json_object_get(c, "AutoRemove")) && !o->export_file)
                return cu_error_setx(err, EINVAL,
                                     "cannot checkpoint containers that have been started with '--rm' unless '--export' is used");
        if (o->with_previous && o->pre_checkpoint)
                return cu_error_setx(err, EINVAL,
                                     "--with-previous can not be used with --pre-checkpoint");
        _cleanup_free_ char *ud = engine_path(e, r->id, "userdata");
        _cleanup_free_ char *dir = engine_cr_path(e, r->id, o->pre_checkpoint ? CR_PRE_DIR : CR_DIR);
        _cleanup_free_ char *prev = engine_cr_path(e, r->id, CR_PRE_DIR);
        _cleanup_free_ char *stopf = engine_path(e, r->id, "stop");
        if (!ud || !dir || !prev || !stopf)
                return cu_error_set(err, ENOMEM, "asprintf");
        if (o->with_previous && access(prev, F_OK) < 0)
                return cu_error_setx(err, ENOENT, "a pre-checkpoint for container %s cannot be found",
                                     r->id);
        (void) rm_rf(dir);
        bool ends = !o->leave_running && !o->pre_checkpoint;
        if (ends) {
                /* the monitor must not restart it */
                int fd = open(stopf, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
                safe_close(fd);
        }
        int64_t t0 = mono_us();
        _cleanup_free_ char *oci = engine_oci_path(r);
        if (!oci) {
                struct runtime_ctx ctx;
                char root[4096];
                engine_runtime_ctx(e, &ctx, root);
                struct runtime_checkpoint_opts co = {
                        .criu = criu,
                        .image_path = dir,
                        .work_path = ud,
                        .parent_path = o->with_previous ? "../" CR_PRE_DIR : NULL,
                        .leave_running = o->leave_running,
                        .tcp_established = o->tcp_established,
                        .file_locks = o->file_locks,
                        .pre_dump = o->pre_checkpoint,
                };
                ret = runtime_checkpoint(&ctx, r->id, &co, err);
        } else {
                _cleanup_strv_ char **a = NULL;
                const char *fixed[] = { "checkpoint", "--image-path", dir, "--work-path", ud, NULL };
                for (const char **p = fixed; *p; p++)
                        (void) strv_extend(&a, *p);
                if (o->leave_running)
                        (void) strv_extend(&a, "--leave-running");
                if (o->tcp_established)
                        (void) strv_extend(&a, "--tcp-established");
                if (o->file_locks)
                        (void) strv_extend(&a, "--file-locks");
                if (o->pre_checkpoint)
                        (void) strv_extend(&a, "--pre-dump");
                if (o->with_previous) {
                        (void) strv_extend(&a, "--parent-path");
                        (void) strv_extend(&a, "../" CR_PRE_DIR);
                }
                if (strv_extend(&a, r->id) < 0)
                        return cu_error_set(err, ENOMEM, "runtime command line");
                ret = engine_cr_run_oci(r, e->runroot, criu, a, err);
        }
        int64_t runtime_us = mono_us() - t0;
        if (ret < 0) {
                if (ends)
                        (void) unlink(stopf);
                return ret;
        }
        if (o->pre_checkpoint)
                return 0;
        ret = write_dumps(e, r, err);
        if (ret >= 0 && o->export_file)
                ret = engine_cr_export(e, r, o, err);
        if (ends) {
                checkpoint_stopped(e, r);
                engine_record_extra_update(r, json_pack("{s:b, s:I, s:b}", "Checkpointed", 1,
                                                        "CheckpointedAt", (json_int_t) engine_now_ns(),
                                                        "Restored", 0));
                (void) engine_save_state(e, r, NULL);
                engine_event_container(e, r, "checkpoint");
        } else {
                engine_event_container(e, r, "checkpoint");
        }
        if (ret < 0)
                return ret;
        if (o->print_stats && ret_stats) {
                _cleanup_free_ char *sp = engine_cr_path(e, r->id, "stats-dump");
                json_t *s = sp ? engine_cr_stats(sp, false, err) : NULL;
                if (!s)
                        return -EINVAL;
                *ret_stats = json_pack("{s:s, s:s, s:I, s:o}", "Id", r->id, "NameOrId", id,
                                       "runtime_checkpoint_duration", (json_int_t) runtime_us,
                                       "criu_statistics", s);
        }
        if (!o->keep) {
                const char *files[] = { "dump.log", "stats-dump", CR_CONFIG_DUMP, CR_SPEC_DUMP };
                for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                        _cleanup_free_ char *p = engine_cr_path(e, r->id, files[i]);
                        if (p)
                                (void) unlink(p);
                }
        }
        return 0;
}
