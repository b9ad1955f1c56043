/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cgroup resources of a container (--memory & co., --cpus & co., --blkio-weight, --pids-limit),
 * --oom-score-adj, and the cgroup path (--cgroup-parent; podman's cgroupfs rule
 * <parent>/libpod-<id>, parent /libpod_parent by default; systemd manager slice:libpod:id).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/security-int.h"
#include "util/json.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/strv.h"

#define DEFAULT_CGROUP_PARENT "/libpod_parent"
#define DEFAULT_SYSTEMD_SLICE "machine.slice"

int engine_parse_cpus(const char *s, int64_t *ret_nano, struct cu_error **err)
{
        char *end = NULL;
        errno = 0;
        double v = strtod(s, &end);
        if (!*s || !end || *end || errno || !isfinite(v))
                return cu_error_setx(err, EINVAL,
                                     "invalid argument \"%s\" for \"--cpus\" flag: strconv.ParseFloat: parsing \"%s\": invalid syntax",
                                     s, s);
        if (v < 0)
                v = 0;
        *ret_nano = (int64_t) (v * 1e9 + 0.5);
        return 0;
}

int engine_parse_cpuset(const char *s, struct cu_error **err)
{
        size_t n = strlen(s);
        if (!n || strstr(s, ",,") || s[0] == ',' || s[n - 1] == ',')
                return cu_error_setx(err, EINVAL, "invalid value %s for cpuset", s);
        _cleanup_strv_ char **parts = strv_split(s, ",");
        if (!parts)
                return -ENOMEM;
        for (char **p = parts; *p; p++) {
                const char *dash = strchr(*p, '-');
                unsigned a = 0, b = 0;
                _cleanup_free_ char *lo = dash ? strndup(*p, (size_t) (dash - *p)) : strdup(*p);
                if (!lo)
                        return -ENOMEM;
                if (safe_atou(lo, &a) < 0 || (dash && safe_atou(dash + 1, &b) < 0) || (dash && b < a))
                        return -EINVAL;
        }
        return 0;
}

int engine_parse_memory(const char *s, bool allow_minus_one, int64_t *ret, struct cu_error **err)
{
        if (allow_minus_one && strcmp(s, "-1") == 0) {
                *ret = -1;
                return 0;
        }
        char *end = NULL;
        errno = 0;
        double v = strtod(s, &end);
        if (end == s || errno || v < 0 || !isfinite(v))
                return cu_error_setx(err, EINVAL, "invalid size: '%s'", s);
        double mul = 1;
        if (*end) {
                switch (*end | 0x20) {
                case 'b': mul = 1; break;
                case 'k': mul = 1024.0; break;
                case 'm': mul = 1024.0 * 1024; break;
                case 'g': mul = 1024.0 * 1024 * 1024; break;
                case 't': mul = 1024.0 * 1024 * 1024 * 1024; break;
                case 'p': mul = 1024.0 * 1024 * 1024 * 1024 * 1024; break;
                default: return cu_error_setx(err, EINVAL, "invalid size: '%s'", s);
                }
                end++;
                if (*end && (*end | 0x20) == 'i')
                        end++;
                if (*end && (*end | 0x20) == 'b' && mul > 1)
                        end++;
                if (*end)
                        return cu_error_setx(err, EINVAL, "invalid size: '%s'", s);
        }
        *ret = (int64_t) (v * mul);
        return 0;
}

char *engine_cgroup_path(const char *parent, const char *id, bool systemd_manager)
{
        char *p = NULL;
        if (systemd_manager) {
                const char *slash = parent ? strrchr(parent, '/') : NULL;
                const char *slice = parent && *parent ? (slash ? slash + 1 : parent) : DEFAULT_SYSTEMD_SLICE;
                if (asprintf(&p, "%s:libpod:%s", slice, id) < 0)
                        return NULL;
                return p;
        }
        if (asprintf(&p, "%s/libpod-%s", parent && *parent ? parent : DEFAULT_CGROUP_PARENT, id) < 0)
                return NULL;
        return p;
}

static bool blkio_weight_supported(void)
{
        return access("/sys/fs/cgroup/blkio/blkio.weight", F_OK) == 0 ||
               access("/sys/fs/cgroup/blkio/blkio.bfq.weight", F_OK) == 0 ||
               access("/sys/fs/cgroup/io.weight", F_OK) == 0 ||
               access("/sys/fs/cgroup/io.bfq.weight", F_OK) == 0;
}

int sec_config_resources(struct engine *e, json_t *c, const struct engine_create_opts *o,
                         struct cu_error **err)
{
        (void) e;
        const struct engine_sec_opts *s = &o->sec;
        int64_t mem = json_integer_value(json_object_get(c, "Memory"));
        int64_t swap = 0, resv = 0;
        if (s->memory_swap && engine_parse_memory(s->memory_swap, true, &swap, err) < 0)
                return cu_error_prefix(err, -EINVAL, "invalid value for memory-swap");
        if (s->memory_reservation && engine_parse_memory(s->memory_reservation, false, &resv, err) < 0)
                return cu_error_prefix(err, -EINVAL, "invalid value for memory");
        if (s->memory_swap && mem <= 0)
                return cu_error_setx(err, EINVAL,
                                     "you should always set a memory limit when using a memoryswap limit, see usage");
        if (swap > 0 && swap < mem)
                return cu_error_setx(err, EINVAL,
                                     "minimum memoryswap limit should be larger than memory limit, see usage");
        if (resv > 0 && mem > 0 && mem < resv)
                return cu_error_setx(err, EINVAL,
                                     "minimum memory limit cannot be less than memory reservation limit, see usage");
        if (mem > 0 && !s->memory_swap)
                swap = 2 * mem; /* podman's default: as much swap as memory */
        json_object_set_new(c, "MemorySwap", json_integer(swap));
        json_object_set_new(c, "MemoryReservation", json_integer(resv));

        int64_t nano = 0;
        if (s->cpus && engine_parse_cpus(s->cpus, &nano, err) < 0)
                return -EINVAL;
        if (nano > 0 && (s->cpu_period || s->cpu_quota))
                return cu_error_setx(err, EINVAL, "--cpus and --cpu-period/--cpu-quota cannot be set together");
        if (s->cpu_period && (s->cpu_period < 1000 || s->cpu_period > 1000000))
                return cu_error_setx(err, EINVAL,
                                     "CPU cfs period cannot be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
        if (s->cpu_quota > 0 && s->cpu_quota < 1000)
                return cu_error_setx(err, EINVAL, "CPU cfs quota cannot be less than 1ms (i.e. 1000)");
        json_object_set_new(c, "NanoCpus", json_integer(nano));
        json_object_set_new(c, "CpuShares", json_integer((json_int_t) s->cpu_shares));
        json_object_set_new(c, "CpuPeriod", json_integer(nano > 0 ? 100000 : (json_int_t) s->cpu_period));
        json_object_set_new(c, "CpuQuota", json_integer(nano > 0 ? nano / 10000 : s->cpu_quota));
        if (s->cpuset_cpus && engine_parse_cpuset(s->cpuset_cpus, NULL) < 0)
                return cu_error_setx(err, EINVAL, "invalid value %s for cpuset cpus", s->cpuset_cpus);
        if (s->cpuset_mems && engine_parse_cpuset(s->cpuset_mems, NULL) < 0)
                return cu_error_setx(err, EINVAL, "invalid value %s for cpuset mems", s->cpuset_mems);
        json_object_set_new(c, "CpusetCpus", json_string(s->cpuset_cpus ? s->cpuset_cpus : ""));
        json_object_set_new(c, "CpusetMems", json_string(s->cpuset_mems ? s->cpuset_mems : ""));
        if (s->blkio_weight && (s->blkio_weight < 10 || s->blkio_weight > 1000))
                return cu_error_setx(err, EINVAL, "invalid Block IO weight %u: must be between 10 and 1000",
                                     s->blkio_weight);
        unsigned bw = s->blkio_weight;
        if (bw && !blkio_weight_supported()) {
                log_info("Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.");
                bw = 0;
        }
        json_object_set_new(c, "BlkioWeight", json_integer(bw));
        if (s->has_oom_score_adj && (s->oom_score_adj < -1000 || s->oom_score_adj > 1000))
                return cu_error_setx(err, EINVAL, "oom_score_adj must be between -1000 and 1000: %d",
                                     s->oom_score_adj);
        if (s->has_oom_score_adj)
                json_object_set_new(c, "OomScoreAdj", json_integer(s->oom_score_adj));
        json_object_set_new(c, "CgroupParent", json_string(s->cgroup_parent ? s->cgroup_parent : ""));
        if (s->cgroup_parent && *s->cgroup_parent != '/' && !strstr(s->cgroup_parent, ".slice"))
                return cu_error_setx(err, EINVAL, "cgroup parent %s must be an absolute path or a systemd slice",
                                     s->cgroup_parent);
        return 0;
}

static json_t *res_object(json_t *res, const char *key)
{
        json_t *o = json_object_get(res, key);
        if (!o) {
                o = json_object();
                json_object_set_new(res, key, o);
        }
        return o;
}

static json_int_t cint(json_t *c, const char *k)
{
        return json_integer_value(json_object_get(c, k));
}

int sec_spec_resources(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err)
{
        (void) err;
        json_t *c = x->c;
        json_t *lnx = json_object_get(spec, "linux");
        json_t *res = json_object_get(lnx, "resources");
        if (!res) {
                res = json_object();
                json_object_set_new(lnx, "resources", res);
        }
        if (cint(c, "Memory") > 0)
                json_object_set_new(res_object(res, "memory"), "limit", json_integer(cint(c, "Memory")));
        if (cint(c, "MemorySwap") != 0 && cint(c, "Memory") > 0)
                json_object_set_new(res_object(res, "memory"), "swap", json_integer(cint(c, "MemorySwap")));
        if (cint(c, "MemoryReservation") > 0)
                json_object_set_new(res_object(res, "memory"), "reservation",
                                    json_integer(cint(c, "MemoryReservation")));
        if (cint(c, "CpuShares") > 0)
                json_object_set_new(res_object(res, "cpu"), "shares", json_integer(cint(c, "CpuShares")));
        if (cint(c, "CpuQuota") != 0)
                json_object_set_new(res_object(res, "cpu"), "quota", json_integer(cint(c, "CpuQuota")));
        if (cint(c, "CpuPeriod") > 0)
                json_object_set_new(res_object(res, "cpu"), "period", json_integer(cint(c, "CpuPeriod")));
        const char *cc = json_string_value(json_object_get(c, "CpusetCpus"));
        const char *cm = json_string_value(json_object_get(c, "CpusetMems"));
        if (cc && *cc)
                json_object_set_new(res_object(res, "cpu"), "cpus", json_string(cc));
        if (cm && *cm)
                json_object_set_new(res_object(res, "cpu"), "mems", json_string(cm));
        if (cint(c, "BlkioWeight") > 0)
                json_object_set_new(res_object(res, "blockIO"), "weight", json_integer(cint(c, "BlkioWeight")));
        json_t *pl = json_object_get(c, "PidsLimit");
        if (json_is_integer(pl) && json_integer_value(pl) != 0)
                json_object_set_new(res, "pids", json_pack("{s:I}", "limit", json_integer_value(pl)));
        json_t *oom = json_object_get(c, "OomScoreAdj");
        if (json_is_integer(oom))
                json_object_set_new(json_object_get(spec, "process"), "oomScoreAdj", json_copy(oom));

        const char *parent = json_string_value(json_object_get(c, "CgroupParent"));
        bool sd = parent && strstr(parent, ".slice") && *parent != '/';
        _cleanup_free_ char *cg = engine_cgroup_path(parent, x->id, sd);
        if (!cg)
                return -ENOMEM;
        json_object_set_new(lnx, "cgroupsPath", json_string(cg));
        return 0;
}

void sec_inspect_resources(json_t *c, json_t *host)
{
        const char *ints[] = { "MemorySwap", "MemoryReservation", "NanoCpus", "CpuShares",
                               "CpuPeriod", "CpuQuota", "BlkioWeight", "OomScoreAdj" };
        for (size_t i = 0; i < ELEMENTSOF(ints); i++)
                json_object_set_new(host, ints[i], json_integer(cint(c, ints[i])));
        const char *strs[] = { "CpusetCpus", "CpusetMems", "CgroupParent" };
        for (size_t i = 0; i < ELEMENTSOF(strs); i++)
                json_object_set_new(host, strs[i],
                                    json_string(strempty(json_string_value(json_object_get(c, strs[i])))));
}
