/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.json → struct oci_spec.  Unknown keys are ignored (the runtime-spec
 * says runtimes MUST ignore unknown properties); wrong types and invalid
 * values fail with the JSON path of the field, e.g.
 * "linux.namespaces[2].type: unknown namespace type \"foo\"".
 *
 * Arrays are allocated zeroed and attached to the model before their items
 * are parsed, so that oci_spec_free() releases a half-built spec.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci/spec-seccomp.h"
#include "oci/spec.h"
#include "util/json.h"
#include "util/strv.h"

/* Longest JSON path we build: "linux.resources.blockIO.throttleWriteIOPSDevice[N]" and such. */
#define CTX_MAX 256

/* Appends s to the CTX_MAX-byte buffer buf holding *len bytes, truncating. */
static void ctx_append(char *buf, size_t *len, const char *s)
{
        size_t n = strnlen(s, CTX_MAX - 1 - *len);

        memcpy(buf + *len, s, n);
        *len += n;
        buf[*len] = '\0';
}

/* "ctx.key" (or "key" at the top level). */
static const char *ctx_key(char *buf, const char *ctx, const char *key)
{
        size_t len = 0;

        buf[0] = '\0';
        if (ctx) {
                ctx_append(buf, &len, ctx);
                ctx_append(buf, &len, ".");
        }
        ctx_append(buf, &len, key);
        return buf;
}

/* "ctx.key[i]". */
static const char *ctx_index(char *buf, const char *ctx, const char *key, size_t i)
{
        char idx[sizeof("[]") + 20];
        size_t len;

        snprintf(idx, sizeof(idx), "[%zu]", i);
        len = strlen(ctx_key(buf, ctx, key));
        ctx_append(buf, &len, idx);
        return buf;
}

/* "<ctx>.<key>: <message>" as an EINVAL validation error. */
_printf_(4, 5) static int field_error(struct cu_error **err, const char *ctx, const char *key,
                                      const char *fmt, ...)
{
        _cleanup_free_ char *msg = NULL;
        va_list ap;

        va_start(ap, fmt);
        int n = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (n < 0)
                return cu_error_set(err, ENOMEM, "formatting error message");

        return cu_error_setx(err, EINVAL, "%s%s%s: %s", strempty(ctx), ctx && key ? "." : "",
                             strempty(key), msg);
}

static int get_required_string(json_t *o, const char *key, const char *ctx, char **ret,
                               struct cu_error **err)
{
        int r = json_get_string(o, key, ctx, ret, err);
        if (r < 0)
                return r;
        if (!*ret)
                return field_error(err, ctx, key, "required");
        return 0;
}

static int get_absolute_path(json_t *o, const char *key, const char *ctx, bool required,
                             char **ret, struct cu_error **err)
{
        int r = required ? get_required_string(o, key, ctx, ret, err)
                         : json_get_string(o, key, ctx, ret, err);
        if (r < 0)
                return r;
        if (*ret && (*ret)[0] != '/')
                return field_error(err, ctx, key, "must be an absolute path");
        return 0;
}

static int get_required_int64(json_t *o, const char *key, const char *ctx, int64_t *ret,
                              struct cu_error **err)
{
        bool present = false;
        int r = json_get_int64(o, key, ctx, ret, &present, err);
        if (r < 0)
                return r;
        return present ? 0 : field_error(err, ctx, key, "required");
}

static int get_required_uint64(json_t *o, const char *key, const char *ctx, uint64_t *ret,
                               struct cu_error **err)
{
        bool present = false;
        int r = json_get_uint64(o, key, ctx, ret, &present, err);
        if (r < 0)
                return r;
        return present ? 0 : field_error(err, ctx, key, "required");
}

static int get_required_uint32(json_t *o, const char *key, const char *ctx, uint32_t *ret,
                               struct cu_error **err)
{
        bool present = false;
        int r = json_get_uint32(o, key, ctx, ret, &present, err);
        if (r < 0)
                return r;
        return present ? 0 : field_error(err, ctx, key, "required");
}

static int get_uint16(json_t *o, const char *key, const char *ctx, uint16_t *ret, bool *present,
                      struct cu_error **err)
{
        uint64_t v = 0;
        int r = json_get_uint64(o, key, ctx, &v, present, err);
        if (r < 0)
                return r;
        if (!*present)
                return 0;
        if (v > UINT16_MAX)
                return field_error(err, ctx, key, "expected a 16-bit unsigned integer");
        *ret = (uint16_t) v;
        return 0;
}

typedef int (*parse_item_fn)(json_t *o, const char *ctx, void *item, struct cu_error **err);

/* Parses the array of objects o[key] with fn into a zeroed array attached
 * to *items / *n_items before the first item is parsed. */
static int parse_object_array(json_t *o, const char *key, const char *ctx, size_t item_size,
                              parse_item_fn fn, void **items, size_t *n_items,
                              struct cu_error **err)
{
        json_t *a = NULL;
        int r = json_get_array(o, key, ctx, &a, err);
        if (r < 0)
                return r;
        if (!a || json_array_size(a) == 0)
                return 0;

        size_t n = json_array_size(a);
        char *v = calloc(n, item_size);
        if (!v)
                return cu_error_set(err, ENOMEM, "allocating %s", key);
        *items = v;
        *n_items = n;

        for (size_t i = 0; i < n; i++) {
                char c[CTX_MAX];
                json_t *e = json_array_get(a, i);

                ctx_index(c, ctx, key, i);
                if (!json_is_object(e))
                        return field_error(err, c, NULL, "expected an object");
                r = fn(e, c, v + i * item_size, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

#define PARSE_ARRAY(o, key, ctx, field, n_field, fn, err)                                          \
        parse_object_array(o, key, ctx, sizeof(*(field)), fn, (void **) &(field), &(n_field), err)

static int parse_idmap(json_t *o, const char *ctx, void *item, struct cu_error **err)
{
        struct oci_idmap *m = item;
        int r;

        r = get_required_uint32(o, "containerID", ctx, &m->container_id, err);
        if (r < 0)
                return r;
        r = get_required_uint32(o, "hostID", ctx, &m->host_id, err);
        if (r < 0)
                return r;
        return get_required_uint32(o, "size", ctx, &m->size, err);
}

/* ---- process ---- */

static int parse_gids(json_t *o, const char *key, const char *ctx, gid_t **ret, size_t *ret_n,
                      struct cu_error **err)
{
        json_t *a = NULL;
        int r = json_get_array(o, key, ctx, &a, err);
        if (r < 0)
                return r;
        if (!a || json_array_size(a) == 0)
                return 0;

        size_t n = json_array_size(a);
        _cleanup_free_ gid_t *gids = calloc(n, sizeof(gid_t));
        if (!gids)
                return cu_error_set(err, ENOMEM, "allocating %s", key);
        for (size_t i = 0; i < n; i++) {
                json_t *e = json_array_get(a, i);
                if (!json_is_integer(e) || json_integer_value(e) < 0 ||
                    json_integer_value(e) > UINT32_MAX) {
                        char c[CTX_MAX];
                        return field_error(err, ctx_index(c, ctx, key, i), NULL,
                                           "expected a 32-bit unsigned integer");
                }
                gids[i] = (gid_t) json_integer_value(e);
        }
        *ret = TAKE_PTR(gids);
        *ret_n = n;
        return 0;
}

static int parse_user(json_t *o, const char *ctx, struct oci_user *u, struct cu_error **err)
{
        uint32_t v = 0;
        int r;

        r = json_get_uint32(o, "uid", ctx, &v, NULL, err);
        if (r < 0)
                return r;
        u->uid = v;

        v = 0;
        r = json_get_uint32(o, "gid", ctx, &v, NULL, err);
        if (r < 0)
                return r;
        u->gid = v;

        v = 0;
        r = json_get_uint32(o, "umask", ctx, &v, &u->has_umask, err);
        if (r < 0)
                return r;
        if (u->has_umask && v > 0777)
                return field_error(err, ctx, "umask", "must be at most 0777, got %#o", v);
        u->umask = v;

        r = parse_gids(o, "additionalGids", ctx, &u->additional_gids, &u->n_additional_gids, err);
        if (r < 0)
                return r;
        return json_get_string(o, "username", ctx, &u->username, err);
}

static int parse_console_size(json_t *o, const char *ctx, struct oci_box *b,
                              struct cu_error **err)
{
        uint32_t h = 0, w = 0;
        int r;

        r = get_required_uint32(o, "height", ctx, &h, err);
        if (r < 0)
                return r;
        r = get_required_uint32(o, "width", ctx, &w, err);
        if (r < 0)
                return r;
        b->height = h;
        b->width = w;
        return 0;
}

static int parse_capabilities(json_t *o, const char *ctx, struct oci_capabilities *c,
                              struct cu_error **err)
{
        int r;

        r = json_get_strv(o, "bounding", ctx, &c->bounding, err);
        if (r < 0)
                return r;
        r = json_get_strv(o, "effective", ctx, &c->effective, err);
        if (r < 0)
                return r;
        r = json_get_strv(o, "inheritable", ctx, &c->inheritable, err);
        if (r < 0)
                return r;
        r = json_get_strv(o, "permitted", ctx, &c->permitted, err);
        if (r < 0)
                return r;
        return json_get_strv(o, "ambient", ctx, &c->ambient, err);
}

static int parse_rlimit(json_t *o, const char *ctx, void *item, struct cu_error **err)
{
        struct oci_rlimit *l = item;
        int r;

        r = get_required_string(o, "type", ctx, &l->type, err);
        if (r < 0)
                return r;
        l->resource = oci_rlimit_from_string(l->type);
        if (l->resource < 0)
                return field_error(err, ctx, "type", "unknown rlimit \"%s\"", l->type);

        r = get_required_uint64(o, "hard", ctx, &l->hard, err);
        if (r < 0)
                return r;
        return get_required_uint64(o, "soft", ctx, &l->soft, err);
}

static int check_env(char **env, const char *ctx, struct cu_error **err)
{
        for (size_t i = 0; env && env[i]; i++) {
                const char *eq = strchr(env[i], '=');
                char c[CTX_MAX];

                if (!eq)
                        return field_error(err, ctx_index(c, ctx, "env", i), NULL,
                                           "invalid environment variable \"%s\": missing '='",
                                           env[i]);
                if (eq == env[i])
                        return field_error(err, ctx_index(c, ctx, "env", i), NULL,
                                           "invalid environment variable \"%s\": empty name",
                                           env[i]);
        }
        return 0;
}

static int parse_process_cmd(json_t *o, const char *ctx, struct oci_process *p,
                             struct cu_error **err)
{
        int r;

        r = json_get_strv(o, "args", ctx, &p->args, err);
        if (r < 0)
                return r;
        if (!p->args || !p->args[0])
                return field_error(err, ctx, "args", "must not be empty");

        r = json_get_strv(o, "env", ctx, &p->env, err);
        if (r < 0)
                return r;
        r = check_env(p->env, ctx, err);
        if (r < 0)
                return r;

        return get_absolute_path(o, "cwd", ctx, false, &p->cwd, err);
}

static int parse_rlimits(json_t *o, const char *ctx, struct oci_process *p, struct cu_error **err)
{
        int r = PARSE_ARRAY(o, "rlimits", ctx, p->rlimits, p->n_rlimits, parse_rlimit, err);
        if (r < 0)
                return r;

        for (size_t i = 1; i < p->n_rlimits; i++)
                for (size_t j = 0; j < i; j++)
                        if (p->rlimits[i].resource == p->rlimits[j].resource) {
                                char c[CTX_MAX];
                                return field_error(err, ctx_index(c, ctx, "rlimits", i), "type",
                                                   "duplicate rlimit \"%s\"",
                                                   p->rlimits[i].type);
                        }
        return 0;
}

static int parse_process(json_t *o, const char *ctx, struct oci_process *p,
                         struct cu_error **err)
{
        char c[CTX_MAX];
        json_t *sub = NULL;
        int r;

        r = json_get_bool(o, "terminal", ctx, &p->terminal, NULL, err);
        if (r < 0)
                return r;

        r = json_get_object(o, "consoleSize", ctx, &sub, err);
        if (r < 0)
                return r;
        if (sub) {
                p->has_console_size = true;
                r = parse_console_size(sub, ctx_key(c, ctx, "consoleSize"), &p->console_size,
                                       err);
                if (r < 0)
                        return r;
        }

        r = json_get_object(o, "user", ctx, &sub, err);
        if (r < 0)
                return r;
        if (sub) {
                r = parse_user(sub, ctx_key(c, ctx, "user"), &p->user, err);
                if (r < 0)
                        return r;
        }

        r = parse_process_cmd(o, ctx, p, err);
        if (r < 0)
                return r;

        r = json_get_object(o, "capabilities", ctx, &sub, err);
        if (r < 0)
                return r;
        if (sub) {
                p->has_capabilities = true;
                r = parse_capabilities(sub, ctx_key(c, ctx, "capabilities"), &p->caps, err);
                if (r < 0)
                        return r;
        }

        r = parse_rlimits(o, ctx, p, err);
        if (r < 0)
                return r;

        r = json_get_bool(o, "noNewPrivileges", ctx, &p->no_new_privileges, NULL, err);
        if (r < 0)
                return r;
        r = json_get_string(o, "apparmorProfile", ctx, &p->apparmor_profile, err);
        if (r < 0)
                return r;
        r = json_get_string(o, "selinuxLabel", ctx, &p->selinux_label, err);
        if (r < 0)
                return r;

        int64_t adj = 0;
        r = json_get_int64(o, "oomScoreAdj", ctx, &adj, &p->has_oom_score_adj, err);
        if (r < 0)
                return r;
        if (p->has_oom_score_adj && (adj < -1000 || adj > 1000))
                return field_error(err, ctx, "oomScoreAdj", "must be between -1000 and 1000");
        p->oom_score_adj = (int) adj;
        return 0;
}

/* ---- mounts, hooks ---- */

static int parse_mount(json_t *o, const char *ctx, void *item, struct cu_error **err)
{
        struct oci_mount *m = item;
        int r;

        r = get_absolute_path(o, "destination", ctx, true, &m->destination, err);
        if (r < 0)
                return r;
        r = json_get_string(o, "source", ctx, &m->source, err);
        if (r < 0)
                return r;
        r = json_get_string(o, "type", ctx, &m->type, err);
        if (r < 0)
                return r;
        r = json_get_strv(o, "options", ctx, &m->options, err);
        if (r < 0)
                return r;
        r = PARSE_ARRAY(o, "uidMappings", ctx, m->uid_mappings, m->n_uid_mappings, parse_idmap,
                        err);
        if (r < 0)
                return r;
        return PARSE_ARRAY(o, "gidMappings", ctx, m->gid_mappings, m->n_gid_mappings, parse_idmap,
                           err);
}

static int parse_hook(json_t *o, const char *ctx, void *item, struct cu_error **err)
{
        struct oci_hook *h = item;
        int64_t timeout = 0;
        int r;

        r = get_absolute_path(o, "path", ctx, true, &h->path, err);
        if (r < 0)
                return r;
        r = json_get_strv(o, "args", ctx, &h->args, err);
        if (r < 0)
                return r;
        r = json_get_strv(o, "env", ctx, &h->env, err);
        if (r < 0)
                return r;
        r = json_get_int64(o, "timeout", ctx, &timeout, &h->has_timeout, err);
        if (r < 0)
                return r;
        if (h->has_timeout && timeout <= 0)
                return field_error(err, ctx, "timeout", "must be greater than zero");
        if (h->has_timeout && timeout > INT_MAX)
                return field_error(err, ctx, "timeout", "too large");
        h->timeout = (int) timeout;
        return 0;
}

static int parse_hooks(json_t *o, struct oci_hooks *h, struct cu_error **err)
{
        for (int k = 0; k < _OCI_HOOK_MAX; k++) {
                int r = PARSE_ARRAY(o, oci_hook_kind_names[k], "hooks", h->hooks[k], h->n_hooks[k],
                                    parse_hook, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- linux.resources ---- */

static int parse_device_cgroup(json_t *o, const char *ctx, void *item, struct cu_error **err)
{
        struct oci_device_cgroup *d = item;
        _cleanup_free_ char *type = NULL;
        bool present = false;
        int r;

        d->type = 'a';
        d->major = d->minor = -1;

        r = json_get_bool(o, "allow", ctx, &d->allow, &present, err);
        if (r < 0)
                return r;
        if (!present)
                return field_error(err, ctx, "allow", "required");

        r = json_get_string(o, "type", ctx, &type, err);
        if (r < 0)
                return r;
        if (type && (strlen(type) != 1 || !strchr("acb", type[0])))
                return field_error(err, ctx, "type", "unknown device type \"%s\"", type);
        if (type)
                d->type = type[0];

        r = json_get_int64(o, "major", ctx, &d->major, NULL, err);
        if (r < 0)
                return r;
        r = json_get_int64(o, "minor", ctx, &d->minor, NULL, err);
        if (r < 0)
                return r;

        r = json_get_string(o, "access", ctx, &d->access, err);
        if (r < 0)
                return r;
        if (d->access && strspn(d->access, "rwm") != strlen(d->access))
                return field_error(err, ctx, "access", "invalid access \"%s\": want [rwm]",
                                   d->access);
        return 0;
}

static int parse_memory(json_t *o, const char *ctx, struct oci_resources *res,
                        struct cu_error **err)
{
        int r;

        r = json_get_int64(o, "limit", ctx, &res->memory_limit, &res->has_memory_limit, err);
        if (r < 0)
                return r;
        r = json_get_int64(o, "reservation", ctx, &res->memory_reservation,
                           &res->has_memory_reservation, err);
        if (r < 0)
                return r;
        r = json_get_int64(o, "swap", ctx, &res->memory_swap, &res->has_memory_swap, err);
        if (r < 0)
                return r;
        r = json_get_int64(o, "kernel", ctx, &res->memory_kernel, &res->has_memory_kernel, err);
        if (r < 0)
                return r;
        r = json_get_int64(o, "kernelTCP", ctx, &res->memory_kernel_tcp,
                           &res->has_memory_kernel_tcp, err);
        if (r < 0)
                return r;
        r = json_get_uint64(o, "swappiness", ctx, &res->memory_swappiness,
                            &res->has_memory_swappiness, err);
        if (r < 0)
                return r;
        if (res->has_memory_swappiness && res->memory_swappiness > 100)
                return field_error(err, ctx, "swappiness", "must be between 0 and 100, got %llu",
                                   (unsigned long long) res->memory_swappiness);
        r = json_get_bool(o, "disableOOMKiller", ctx, &res->disable_oom_killer,
                          &res->has_disable_oom_killer, err);
        if (r < 0)
                return r;
        return json_get_bool(o, "useHierarchy", ctx, &res->use_hierarchy, &res->has_use_hierarchy,
                             err);
}

static int parse_cpu(json_t *o, const char *ctx, struct oci_resources *res, struct cu_error **err)
{
        int r;

        r = json_get_uint64(o, "shares", ctx, &res->cpu_shares, &res->has_cpu_shares, err);
        if (r < 0)
                return r;
        r = json_get_int64(o, "quota", ctx, &res->cpu_quota, &res->has_cpu_quota, err);
        if (r < 0)
                return r;
        r = json_get_uint64(o, "burst", ctx, &res->cpu_burst, &res->has_cpu_burst, err);
        if (r < 0)
                return r;
        r = json_get_uint64(o, "period", ctx, &res->cpu_period, &res->has_cpu_period, err);
        if (r < 0)
                return r;
        r = json_get_int64(o, "realtimeRuntime", ctx, &res->cpu_rt_runtime,
                           &res->has_cpu_rt_runtime, err);
        if (r < 0)
                return r;
        r = json_get_uint64(o, "realtimePeriod", ctx, &res->cpu_rt_period,
                            &res->has_cpu_rt_period, err);
        if (r < 0)
                return r;
        r = json_get_string(o, "cpus", ctx, &res->cpu_cpus, err);
        if (r < 0)
                return r;
        r = json_get_string(o, "mems", ctx, &res->cpu_mems, err);
        if (r < 0)
                return r;
        return json_get_int64(o, "idle", ctx, &res->cpu_idle, &res->has_cpu_idle, err);
}

static int parse_weight_device(json_t *o, const char *ctx, void *item, struct cu_error **err)
{
        struct oci_weight_device *d = item;
        int r;

        r = get_required_int64(o, "major", ctx, &d->major, err);
        if (r < 0)
                return r;
        r = get_required_int64(o, "minor", ctx, &d->minor, err);
        if (r < 0)
                return r;
        r = get_uint16(o, "weight", ctx, &d->weight, &d->has_weight, err);
        if (r < 0)
                return r;
        return get_uint16(o, "leafWeight", ctx, &d->leaf_weight, &d->has_leaf_weight, err);
}

static int parse_throttle_device(json_t *o, const char *ctx, void *item, struct cu_error **err)
{
        struct oci_throttle_device *d = item;
        int r;

        r = get_required_int64(o, "major", ctx, &d->major, err);
        if (r < 0)
                return r;
        r = get_required_int64(o, "minor", ctx, &d->minor, err);
        if (r < 0)
                return r;
        return get_required_uint64(o, "rate", ctx, &d->rate, err);
}

static int parse_block_io(json_t *o, const char *ctx, struct oci_resources *res,
                          struct cu_error **err)
{
        static const char *const throttle_keys[4] = {
                "throttleReadBpsDevice",
                "throttleWriteBpsDevice",
                "throttleReadIOPSDevice",
                "throttleWriteIOPSDevice",
        };
        int r;

        r = get_uint16(o, "weight", ctx, &res->blkio_weight, &res->has_blkio_weight, err);
        if (r < 0)
                return r;
        r = get_uint16(o, "leafWeight", ctx, &res->blkio_leaf_weight, &res->has_blkio_leaf_weight,
                       err);
        if (r < 0)
                return r;
        r = PARSE_ARRAY(o, "weightDevice", ctx, res->blkio_weight_device,
                        res->n_blkio_weight_device, parse_weight_device, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(throttle_keys); i++) {
                r = PARSE_ARRAY(o, throttle_keys[i], ctx, res->blkio_throttle[i],
                                res->n_blkio_throttle[i], parse_throttle_device, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_hugepage_limit(json_t *o, const char *ctx, void *item, struct cu_error **err)
{
        struct oci_hugepage_limit *h = item;
        int r;

        r = get_required_string(o, "pageSize", ctx, &h->page_size, err);
        if (r < 0)
                return r;
        return get_required_uint64(o, "limit", ctx, &h->limit, err);
}

static int parse_resources(json_t *o, const char *ctx, struct oci_resources *res,
                           struct cu_error **err)
{
        static const struct {
                const char *key;
                int (*fn)(json_t *o, const char *ctx, struct oci_resources *res,
                          struct cu_error **err);
        } groups[] = {
                { "memory", parse_memory },
                { "cpu", parse_cpu },
                { "blockIO", parse_block_io },
        };
        char c[CTX_MAX];
        json_t *sub = NULL;
        int r;

        r = PARSE_ARRAY(o, "devices", ctx, res->devices, res->n_devices, parse_device_cgroup, err);
        if (r < 0)
                return r;

        for (size_t i = 0; i < ELEMENTSOF(groups); i++) {
                r = json_get_object(o, groups[i].key, ctx, &sub, err);
                if (r < 0)
                        return r;
                if (sub) {
                        r = groups[i].fn(sub, ctx_key(c, ctx, groups[i].key), res, err);
                        if (r < 0)
                                return r;
                }
        }

        r = json_get_object(o, "pids", ctx, &sub, err);
        if (r < 0)
                return r;
        if (sub) {
                r = json_get_int64(sub, "limit", ctx_key(c, ctx, "pids"), &res->pids_limit,
                                   &res->has_pids_limit, err);
                if (r < 0)
                        return r;
        }

        r = PARSE_ARRAY(o, "hugepageLimits", ctx, res->hugepage_limits, res->n_hugepage_limits,
                        parse_hugepage_limit, err);
        if (r < 0)
                return r;
        return json_get_string_map(o, "unified", ctx, &res->unified, err);
}

/* ---- linux ---- */

static int parse_namespace(json_t *o, const char *ctx, void *item, struct cu_error **err)
{
        struct oci_namespace *ns = item;
        _cleanup_free_ char *type = NULL;
        int r;

        r = get_required_string(o, "type", ctx, &type, err);
        if (r < 0)
                return r;
        ns->type = oci_ns_type_from_string(type);
        if (ns->type < 0)
                return field_error(err, ctx, "type", "unknown namespace type \"%s\"", type);

        r = json_get_string(o, "path", ctx, &ns->path, err);
        if (r < 0 || !ns->path)
                return r;
        if (ns->path[0] == '\0') {
                /* Go's omitempty: "" means "create a new one", as if absent. */
                free(ns->path);
                ns->path = NULL;
                return 0;
        }
        if (ns->path[0] != '/')
                return field_error(err, ctx, "path", "must be an absolute path");
        return 0;
}

static int parse_namespaces(json_t *o, const char *ctx, struct oci_linux *l,
                            struct cu_error **err)
{
        int r = PARSE_ARRAY(o, "namespaces", ctx, l->namespaces, l->n_namespaces, parse_namespace,
                            err);
        if (r < 0)
                return r;

        for (size_t i = 1; i < l->n_namespaces; i++)
                for (size_t j = 0; j < i; j++)
                        if (l->namespaces[i].type == l->namespaces[j].type) {
                                char c[CTX_MAX];
                                return field_error(err, ctx_index(c, ctx, "namespaces", i),
                                                   "type", "duplicate namespace type \"%s\"",
                                                   oci_ns_type_names[l->namespaces[i].type]);
                        }
        return 0;
}

static int parse_device(json_t *o, const char *ctx, void *item, struct cu_error **err)
{
        struct oci_device *d = item;
        _cleanup_free_ char *type = NULL;
        bool has_major = false, has_minor = false;
        uint32_t v = 0;
        int r;

        r = get_absolute_path(o, "path", ctx, true, &d->path, err);
        if (r < 0)
                return r;

        r = get_required_string(o, "type", ctx, &type, err);
        if (r < 0)
                return r;
        if (strlen(type) != 1 || !strchr("cbup", type[0]))
                return field_error(err, ctx, "type", "unknown device type \"%s\"", type);
        d->type = type[0];

        r = json_get_int64(o, "major", ctx, &d->major, &has_major, err);
        if (r < 0)
                return r;
        r = json_get_int64(o, "minor", ctx, &d->minor, &has_minor, err);
        if (r < 0)
                return r;
        if (d->type != 'p' && !has_major)
                return field_error(err, ctx, "major", "required for device type '%c'", d->type);
        if (d->type != 'p' && !has_minor)
                return field_error(err, ctx, "minor", "required for device type '%c'", d->type);

        r = json_get_uint32(o, "fileMode", ctx, &v, &d->has_file_mode, err);
        if (r < 0)
                return r;
        d->file_mode = v;

        r = json_get_uint32(o, "uid", ctx, &v, &d->has_uid, err);
        if (r < 0)
                return r;
        d->uid = v;

        r = json_get_uint32(o, "gid", ctx, &v, &d->has_gid, err);
        if (r < 0)
                return r;
        d->gid = v;
        return 0;
}

static int parse_rootfs_propagation(json_t *o, const char *ctx, struct oci_linux *l,
                                    struct cu_error **err)
{
        static const char *const valid[] = {
                "shared",  "slave",  "private",  "unbindable",
                "rshared", "rslave", "rprivate", "runbindable",
        };
        int r = json_get_string(o, "rootfsPropagation", ctx, &l->rootfs_propagation, err);
        if (r < 0 || !l->rootfs_propagation)
                return r;

        if (l->rootfs_propagation[0] == '\0') {
                /* Go's omitempty: "" is the same as absent. */
                free(l->rootfs_propagation);
                l->rootfs_propagation = NULL;
                return 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(valid); i++)
                if (strcmp(valid[i], l->rootfs_propagation) == 0)
                        return 0;
        return field_error(err, ctx, "rootfsPropagation", "unknown propagation \"%s\"",
                           l->rootfs_propagation);
}

static int parse_personality(json_t *o, const char *ctx, struct oci_linux *l,
                             struct cu_error **err)
{
        char c[CTX_MAX];
        json_t *p = NULL;
        int r = json_get_object(o, "personality", ctx, &p, err);
        if (r < 0 || !p)
                return r;

        ctx_key(c, ctx, "personality");
        r = get_required_string(p, "domain", c, &l->personality_domain, err);
        if (r < 0)
                return r;
        if (!streq_ptr(l->personality_domain, "LINUX") &&
            !streq_ptr(l->personality_domain, "LINUX32"))
                return field_error(err, c, "domain", "unknown personality domain \"%s\"",
                                   l->personality_domain);
        return 0;
}

static int parse_time_offsets(json_t *o, const char *ctx, struct oci_linux *l,
                              struct cu_error **err)
{
        char c[CTX_MAX], c2[CTX_MAX];
        json_t *t = NULL;
        int r = json_get_object(o, "timeOffsets", ctx, &t, err);
        if (r < 0 || !t)
                return r;
        ctx_key(c, ctx, "timeOffsets");
        static const char *const clocks[] = { "monotonic", "boottime" };
        struct oci_time_offset *dst[] = { &l->time_monotonic, &l->time_boottime };
        for (size_t i = 0; i < ELEMENTSOF(clocks); i++) {
                json_t *v = NULL;
                r = json_get_object(t, clocks[i], c, &v, err);
                if (r < 0)
                        return r;
                if (!v)
                        continue;
                ctx_key(c2, c, clocks[i]);
                r = json_get_int64(v, "secs", c2, &dst[i]->secs, NULL, err);
                if (r >= 0)
                        r = json_get_uint32(v, "nanosecs", c2, &dst[i]->nanosecs, NULL, err);
                if (r < 0)
                        return r;
                if (dst[i]->nanosecs >= 1000000000u)
                        return field_error(err, c2, "nanosecs", "must be below 1000000000");
                dst[i]->set = true;
        }
        return 0;
}

static int parse_linux_objects(json_t *o, const char *ctx, struct oci_linux *l,
                               struct cu_error **err)
{
        char c[CTX_MAX];
        json_t *sub = NULL;
        int r;

        r = json_get_object(o, "resources", ctx, &sub, err);
        if (r < 0)
                return r;
        if (sub) {
                l->has_resources = true;
                r = parse_resources(sub, ctx_key(c, ctx, "resources"), &l->resources, err);
                if (r < 0)
                        return r;
        }

        r = json_get_object(o, "seccomp", ctx, &sub, err);
        if (r < 0)
                return r;
        if (sub) {
                r = oci_seccomp_parse(sub, ctx_key(c, ctx, "seccomp"), &l->seccomp, err);
                if (r < 0)
                        return r;
        }

        r = parse_time_offsets(o, ctx, l, err);
        if (r < 0)
                return r;
        return parse_personality(o, ctx, l, err);
}

static int parse_linux(json_t *o, const char *ctx, struct oci_linux *l, struct cu_error **err)
{
        int r;

        r = parse_namespaces(o, ctx, l, err);
        if (r < 0)
                return r;
        r = PARSE_ARRAY(o, "uidMappings", ctx, l->uid_mappings, l->n_uid_mappings, parse_idmap,
                        err);
        if (r < 0)
                return r;
        r = PARSE_ARRAY(o, "gidMappings", ctx, l->gid_mappings, l->n_gid_mappings, parse_idmap,
                        err);
        if (r < 0)
                return r;
        r = PARSE_ARRAY(o, "devices", ctx, l->devices, l->n_devices, parse_device, err);
        if (r < 0)
                return r;
        r = json_get_string(o, "cgroupsPath", ctx, &l->cgroups_path, err);
        if (r < 0)
                return r;
        r = json_get_string_map(o, "sysctl", ctx, &l->sysctl, err);
        if (r < 0)
                return r;
        r = parse_rootfs_propagation(o, ctx, l, err);
        if (r < 0)
                return r;
        r = json_get_strv(o, "maskedPaths", ctx, &l->masked_paths, err);
        if (r < 0)
                return r;
        r = json_get_strv(o, "readonlyPaths", ctx, &l->readonly_paths, err);
        if (r < 0)
                return r;
        r = json_get_string(o, "mountLabel", ctx, &l->mount_label, err);
        if (r < 0)
                return r;
        return parse_linux_objects(o, ctx, l, err);
}

/* ---- top level ---- */

static int parse_root(json_t *o, struct oci_spec *s, struct cu_error **err)
{
        json_t *root = NULL;
        int r = json_get_object(o, "root", NULL, &root, err);
        if (r < 0 || !root)
                return r;

        s->has_root = true;
        r = get_required_string(root, "path", "root", &s->root.path, err);
        if (r < 0)
                return r;
        return json_get_bool(root, "readonly", "root", &s->root.readonly, NULL, err);
}

static int parse_spec(json_t *o, struct oci_spec *s, struct cu_error **err)
{
        json_t *sub = NULL;
        int r;

        r = get_required_string(o, "ociVersion", NULL, &s->oci_version, err);
        if (r < 0)
                return r;
        r = parse_root(o, s, err);
        if (r < 0)
                return r;

        r = json_get_object(o, "process", NULL, &sub, err);
        if (r < 0)
                return r;
        if (sub) {
                s->process = calloc(1, sizeof(*s->process));
                if (!s->process)
                        return cu_error_set(err, ENOMEM, "allocating process");
                r = parse_process(sub, "process", s->process, err);
                if (r < 0)
                        return r;
        }

        r = json_get_string(o, "hostname", NULL, &s->hostname, err);
        if (r < 0)
                return r;
        r = json_get_string(o, "domainname", NULL, &s->domainname, err);
        if (r < 0)
                return r;
        r = PARSE_ARRAY(o, "mounts", NULL, s->mounts, s->n_mounts, parse_mount, err);
        if (r < 0)
                return r;

        r = json_get_object(o, "hooks", NULL, &sub, err);
        if (r < 0)
                return r;
        if (sub) {
                r = parse_hooks(sub, &s->hooks, err);
                if (r < 0)
                        return r;
        }

        r = json_get_string_map(o, "annotations", NULL, &s->annotations, err);
        if (r < 0)
                return r;

        r = json_get_object(o, "linux", NULL, &sub, err);
        if (r < 0)
                return r;
        if (sub) {
                s->has_linux = true;
                r = parse_linux(sub, "linux", &s->linux_, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static struct oci_spec *spec_from_json(json_t *j, const char *origin, struct cu_error **err)
{
        if (!json_is_object(j)) {
                cu_error_setx(err, EINVAL, "%s: expected a JSON object", origin);
                return NULL;
        }

        _cleanup_(oci_spec_freep) struct oci_spec *s = calloc(1, sizeof(*s));
        if (!s) {
                cu_error_set(err, ENOMEM, "%s", origin);
                return NULL;
        }

        int r = parse_spec(j, s, err);
        if (r < 0) {
                cu_error_prefix(err, r, "%s", origin);
                return NULL;
        }
        return TAKE_PTR(s);
}

struct oci_spec *oci_spec_parse_file(const char *path, struct cu_error **err)
{
        _cleanup_json_ json_t *j = json_load_path(path, err);
        if (!j)
                return NULL;
        return spec_from_json(j, path, err);
}

struct oci_spec *oci_spec_parse_data(const char *data, size_t len, const char *origin,
                                     struct cu_error **err)
{
        if (!origin)
                origin = "config.json";

        _cleanup_json_ json_t *j = json_load_data(data, len, origin, err);
        if (!j)
                return NULL;
        return spec_from_json(j, origin, err);
}

struct oci_process *oci_process_parse_file(const char *path, struct cu_error **err)
{
        _cleanup_json_ json_t *j = json_load_path(path, err);
        if (!j)
                return NULL;
        if (!json_is_object(j)) {
                cu_error_setx(err, EINVAL, "%s: expected a JSON object", path);
                return NULL;
        }

        _cleanup_(oci_process_freep) struct oci_process *p = calloc(1, sizeof(*p));
        if (!p) {
                cu_error_set(err, ENOMEM, "%s", path);
                return NULL;
        }

        int r = parse_process(j, NULL, p, err);
        if (r < 0) {
                cu_error_prefix(err, r, "%s", path);
                return NULL;
        }
        return TAKE_PTR(p);
}
