/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Security and resources of a container's spec: capabilities (containers.conf's defaults,
 * --cap-add/--cap-drop, --privileged), rlimits, cgroup resources, devices, namespaces.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "engine/internal.h"
#include "util/json.h"
#include "util/strv.h"

/* containers.conf's default_capabilities (Debian's podman 4.3). */
static const char *const default_caps[] = {
        "CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID",
        "CAP_KILL", "CAP_MKNOD", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_SETFCAP",
        "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT", NULL,
};

static const char *const all_caps[] = {
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
        "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
        "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
        "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
        "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
        "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
        "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
        "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
        "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE", NULL,
};

static bool cap_known(const char *c)
{
        return strv_contains((char *const *) all_caps, c);
}

/* "net_admin", "NET_ADMIN", "CAP_NET_ADMIN" → "CAP_NET_ADMIN" (malloc'd). */
static char *cap_normalize(const char *s)
{
        char *c = NULL;
        if (asprintf(&c, "%s%s", strncasecmp(s, "CAP_", 4) == 0 ? "" : "CAP_", s) < 0)
                return NULL;
        for (char *p = c; *p; p++)
                if (*p >= 'a' && *p <= 'z')
                        *p = (char) (*p - 'a' + 'A');
        return c;
}

static int apply_cap_list(char ***caps, json_t *list, bool add, struct cu_error **err)
{
        size_t i;
        json_t *v;
        json_array_foreach(list, i, v) {
                const char *s = json_string_value(v);
                if (!s)
                        continue;
                if (strcasecmp(s, "all") == 0) {
                        strv_free(*caps);
                        *caps = add ? strv_copy((char *const *) all_caps) : NULL;
                        continue;
                }
                _cleanup_free_ char *c = cap_normalize(s);
                if (!c)
                        return -ENOMEM;
                if (!cap_known(c))
                        return cu_error_setx(err, EINVAL, "unknown capability \"%s\"", s);
                if (add) {
                        if (!strv_contains(*caps, c) && strv_extend(caps, c) < 0)
                                return -ENOMEM;
                } else {
                        char **w = *caps;
                        for (char **r = *caps; r && *r; r++) {
                                if (strcmp(*r, c) == 0)
                                        free(*r);
                                else
                                        *w++ = *r;
                        }
                        if (w)
                                *w = NULL;
                }
        }
        return 0;
}

static json_t *strv_json(char *const *v)
{
        json_t *a = json_array();
        for (; a && v && *v; v++)
                json_array_append_new(a, json_string(*v));
        return a;
}


int engine_config_security(struct engine *e, json_t *c, const struct engine_create_opts *o,
                           json_t *ic, struct cu_error **err)
{
        (void) e, (void) c, (void) o, (void) ic, (void) err;
        return 0;
}

static int caps_json(json_t *proc, json_t *c, uint32_t uid, struct cu_error **err)
{
        _cleanup_strv_ char **caps = NULL;
        bool privileged = json_is_true(json_object_get(c, "Privileged"));
        caps = strv_copy((char *const *) (privileged ? all_caps : default_caps));
        if (!caps)
                return -ENOMEM;
        if (!privileged) {
                /* drops first ("--cap-drop all --cap-add x" keeps x), then additions */
                int r = apply_cap_list(&caps, json_object_get(c, "CapDrop"), false, err);
                if (r >= 0)
                        r = apply_cap_list(&caps, json_object_get(c, "CapAdd"), true, err);
                if (r < 0)
                        return r;
        }
        _cleanup_strv_ char **added = NULL;
        if (uid != 0) /* a non-root user gets only what was asked for explicitly */
                (void) apply_cap_list(&added, json_object_get(c, "CapAdd"), true, NULL);
        char **eff = uid == 0 ? caps : added;
        json_object_set_new(proc, "capabilities",
                            json_pack("{s:o, s:o, s:o}", "bounding", strv_json(caps), "effective",
                                      strv_json(eff), "permitted", strv_json(eff)));
        return 0;
}

static void rlimits_json(json_t *proc)
{
        struct rlimit nofile = { 1048576, 1048576 }, nproc = { 4194304, 4194304 };
        struct rlimit cur;
        if (getrlimit(RLIMIT_NOFILE, &cur) == 0 && cur.rlim_max < nofile.rlim_max)
                nofile.rlim_cur = nofile.rlim_max = cur.rlim_max;
        if (getrlimit(RLIMIT_NPROC, &cur) == 0 && cur.rlim_max < nproc.rlim_max)
                nproc.rlim_cur = nproc.rlim_max = cur.rlim_max;
        json_object_set_new(proc, "rlimits",
                            json_pack("[{s:s, s:I, s:I}, {s:s, s:I, s:I}]", "type", "RLIMIT_NOFILE",
                                      "hard", (json_int_t) nofile.rlim_max, "soft",
                                      (json_int_t) nofile.rlim_cur, "type", "RLIMIT_NPROC", "hard",
                                      (json_int_t) nproc.rlim_max, "soft",
                                      (json_int_t) nproc.rlim_cur));
}

static void remove_namespace(json_t *lnx, const char *type)
{
        json_t *ns = json_object_get(lnx, "namespaces");
        for (size_t k = json_array_size(ns); k-- > 0;)
                if (streq_ptr(json_string_value(json_object_get(json_array_get(ns, k), "type")), type))
                        json_array_remove(ns, k);
}

int engine_spec_security(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err)
{
        json_t *c = x->c;
        json_t *proc = json_object_get(spec, "process");
        json_object_set_new(proc, "noNewPrivileges", json_false());
        int r = caps_json(proc, c, x->uid, err);
        if (r < 0)
                return r;
        rlimits_json(proc);

        json_t *lnx = json_object_get(spec, "linux");
        bool privileged = json_is_true(json_object_get(c, "Privileged"));
        /* cgroup v1 hosts: podman keeps the host's cgroup namespace. */
        if (access("/sys/fs/cgroup/cgroup.controllers", F_OK) != 0)
                remove_namespace(lnx, "cgroup");
        json_t *res = json_object_get(lnx, "resources");
        json_int_t mem = json_integer_value(json_object_get(c, "Memory"));
        if (mem > 0)
                json_object_set_new(res, "memory", json_pack("{s:I}", "limit", mem));
        json_t *pl = json_object_get(c, "PidsLimit");
        if (json_is_integer(pl) && json_integer_value(pl) != 0)
                json_object_set_new(res, "pids", json_pack("{s:I}", "limit", json_integer_value(pl)));
        if (privileged) {
                json_object_set_new(lnx, "maskedPaths", json_array());
                json_object_set_new(lnx, "readonlyPaths", json_array());
                json_object_set_new(res, "devices",
                                    json_pack("[{s:b, s:s}]", "allow", 1, "access", "rwm"));
                size_t i;
                json_t *m;
                json_array_foreach(json_object_get(spec, "mounts"), i, m) {
                        const char *dst = json_string_value(json_object_get(m, "destination"));
                        json_t *opts = json_object_get(m, "options");
                        if (streq_ptr(dst, "/sys") || streq_ptr(dst, "/sys/fs/cgroup"))
                                for (size_t k = json_array_size(opts); k-- > 0;)
                                        if (streq_ptr(json_string_value(json_array_get(opts, k)), "ro"))
                                                json_array_set_new(opts, k, json_string("rw"));
                }
        }
        return 0;
}

void engine_inspect_security(struct engine *e, const struct ctr_record *r, json_t *c, json_t *out)
{
        (void) e, (void) r, (void) c, (void) out;
}
