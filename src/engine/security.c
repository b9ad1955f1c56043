/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Security and resources of a container's spec: the area's hooks (create, start, inspect),
 * capabilities (containers.conf's defaults, --cap-add/--cap-drop, --privileged), --ulimit
 * and rlimits, --security-opt (seccomp, no-new-privileges, mask/unmask, label, apparmor) and
 * podman's annotations.  Resources, devices, namespaces and systemd mode have their files.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "engine/security-int.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/parse.h"
#include "util/strv.h"

/* podman 4.3's built-in default_capabilities (containers/common). */
const char *const engine_caps_default[] = {
        "CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID",
        "CAP_KILL", "CAP_MKNOD", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_SETFCAP",
        "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT", NULL,
};

const char *const engine_caps_all[] = {
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

char **engine_caps_available(void)
{
        char **v = NULL;
        for (size_t i = 0; engine_caps_all[i]; i++) {
                int in = prctl(PR_CAPBSET_READ, (unsigned long) i, 0, 0, 0);
                if (in != 0 && strv_extend(&v, engine_caps_all[i]) < 0) /* unknown (-1): keep */
                        return strv_free(v);
        }
        return v ? v : calloc(1, sizeof(char *));
}

/* Drops from caps what this process cannot give (not in its bounding set). */
static void caps_restrict(char **caps)
{
        if (!caps)
                return;
        char **w = caps;
        for (char **r = caps; *r; r++) {
                bool ok = true;
                for (size_t i = 0; engine_caps_all[i]; i++)
                        if (strcmp(engine_caps_all[i], *r) == 0)
                                ok = prctl(PR_CAPBSET_READ, (unsigned long) i, 0, 0, 0) != 0;
                if (ok)
                        *w++ = *r;
                else
                        free(*r);
        }
        *w = NULL;
}

const char *sec_strerror(int e, char buf[static 128])
{
        snprintf(buf, 128, "%s", strerror(e));
        for (char *p = buf; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                        *p = (char) (*p - 'A' + 'a');
        return buf;
}

char **sec_json_strv(json_t *a)
{
        char **v = NULL;
        size_t i;
        json_t *s;
        json_array_foreach(a, i, s)
                if (json_is_string(s) && strv_extend(&v, json_string_value(s)) < 0)
                        return strv_free(v);
        return v;
}

char *engine_cap_normalize(const char *s)
{
        char *c = NULL;
        if (asprintf(&c, "%s%s", strncasecmp(s, "CAP_", 4) == 0 ? "" : "CAP_", s) < 0)
                return NULL;
        for (char *p = c; *p; p++)
                if (*p >= 'a' && *p <= 'z')
                        *p = (char) (*p - 'a' + 'A');
        if (!strv_contains((char *const *) engine_caps_all, c)) {
                free(c);
                errno = EINVAL;
                return NULL;
        }
        return c;
}

/* Validates a --cap-add/--cap-drop list ("all" allowed) with podman's error. */
static int caps_check(json_t *list, struct cu_error **err)
{
        size_t i;
        json_t *v;
        json_array_foreach(list, i, v) {
                const char *s = json_string_value(v);
                if (!s || strcasecmp(s, "all") == 0)
                        continue;
                _cleanup_free_ char *c = engine_cap_normalize(s);
                if (!c && errno == ENOMEM)
                        return -ENOMEM;
                if (!c) {
                        _cleanup_free_ char *up = NULL;
                        if (asprintf(&up, "%s%s", strncasecmp(s, "CAP_", 4) == 0 ? "" : "CAP_", s) < 0)
                                return -ENOMEM;
                        for (char *p = up; *p; p++)
                                if (*p >= 'a' && *p <= 'z')
                                        *p = (char) (*p - 'a' + 'A');
                        return cu_error_setx(err, EINVAL, "\"%s\": unknown capability", up);
                }
        }
        return 0;
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
                        *caps = add ? strv_copy((char *const *) engine_caps_all) : NULL;
                        if (add && !*caps)
                                return -ENOMEM;
                        continue;
                }
                _cleanup_free_ char *c = engine_cap_normalize(s);
                if (!c) /* checked at create; a record written otherwise */
                        return errno == ENOMEM ? -ENOMEM
                                               : cu_error_setx(err, EINVAL, "unknown capability \"%s\"", s);
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

/* The bounding set of the container's process. */
static int caps_bounding(json_t *c, char ***ret, struct cu_error **err)
{
        if (json_is_true(json_object_get(c, "Privileged"))) {
                *ret = engine_caps_available();
                return *ret ? 0 : -ENOMEM;
        }
        json_t *dc = json_object_get(c, "DefaultCapabilities");
        char **caps = NULL;
        if (json_is_array(dc)) {
                size_t i;
                json_t *v;
                json_array_foreach(dc, i, v) {
                        _cleanup_free_ char *n = json_is_string(v) ? engine_cap_normalize(json_string_value(v)) : NULL;
                        if (n && !strv_contains(caps, n) && strv_extend(&caps, n) < 0) {
                                strv_free(caps);
                                return -ENOMEM;
                        }
                }
                if (!caps)
                        caps = calloc(1, sizeof(char *));
        } else {
                caps = strv_copy((char *const *) engine_caps_default);
        }
        /* drops first ("--cap-drop all --cap-add x" keeps x), then additions */
        if (!caps)
                return -ENOMEM;
        int r = apply_cap_list(&caps, json_object_get(c, "CapDrop"), false, err);
        if (r >= 0)
                r = apply_cap_list(&caps, json_object_get(c, "CapAdd"), true, err);
        if (r < 0) {
                strv_free(caps);
                return r;
        }
        caps_restrict(caps);
        *ret = caps;
        return 0;
}

static int caps_json(json_t *proc, json_t *c, uint32_t uid, char ***ret_bounding,
                     struct cu_error **err)
{
        _cleanup_strv_ char **caps = NULL;
        int r = caps_bounding(c, &caps, err);
        if (r < 0)
                return r;
        _cleanup_strv_ char **added = NULL;
        if (uid != 0 && !json_is_true(json_object_get(c, "Privileged")) &&
            apply_cap_list(&added, json_object_get(c, "CapAdd"), true, NULL) < 0)
                return -ENOMEM;
        caps_restrict(added);
        /* a non-root user gets only what was asked for explicitly (privileged: all) */
        bool root = uid == 0 || json_is_true(json_object_get(c, "Privileged"));
        char **eff = root ? caps : added;
        json_t *cj = json_pack("{s:o, s:o, s:o}", "bounding", json_from_strv(caps), "effective",
                               json_from_strv(eff), "permitted", json_from_strv(eff));
        if (!cj)
                return -ENOMEM;
        if (!root) { /* podman: what was added survives the exec of a non-root user */
                json_object_set_new(cj, "inheritable", json_from_strv(added));
                json_object_set_new(cj, "ambient", json_from_strv(added));
        }
        json_object_set_new(proc, "capabilities", cj);
        *ret_bounding = TAKE_PTR(caps);
        return 0;
}

/* ------------------------------------------------------------------ ulimits */

static const struct {
        const char *name;
        int resource;
} ulimit_names[] = {
        { "core", RLIMIT_CORE },       { "cpu", RLIMIT_CPU },         { "data", RLIMIT_DATA },
        { "fsize", RLIMIT_FSIZE },     { "locks", RLIMIT_LOCKS },     { "memlock", RLIMIT_MEMLOCK },
        { "msgqueue", RLIMIT_MSGQUEUE }, { "nice", RLIMIT_NICE },     { "nofile", RLIMIT_NOFILE },
        { "nproc", RLIMIT_NPROC },     { "rss", RLIMIT_RSS },         { "rtprio", RLIMIT_RTPRIO },
        { "rttime", RLIMIT_RTTIME },   { "sigpending", RLIMIT_SIGPENDING },
        { "stack", RLIMIT_STACK },     { "as", RLIMIT_AS },
};

static int ulimit_number(const char *s, int64_t *ret, const char *all, struct cu_error **err)
{
        if (safe_atoi64(s, ret) < 0)
                return cu_error_setx(err, EINVAL,
                                     "ulimit option \"%s\" requires name=SOFT:HARD, failed to be parsed: strconv.ParseInt: parsing \"%s\": invalid syntax",
                                     all, s);
        return 0;
}

json_t *engine_ulimit_parse(const char *s, struct cu_error **err)
{
        const char *eq = strchr(s, '=');
        if (!eq) {
                cu_error_setx(err, EINVAL,
                              "ulimit option \"%s\" requires name=SOFT:HARD, failed to be parsed: invalid ulimit argument: %s",
                              s, s);
                return NULL;
        }
        _cleanup_free_ char *name = strndup(s, (size_t) (eq - s));
        if (!name)
                return NULL;
        size_t k = 0;
        while (k < ELEMENTSOF(ulimit_names) && strcmp(ulimit_names[k].name, name) != 0)
                k++;
        if (k == ELEMENTSOF(ulimit_names)) {
                cu_error_setx(err, EINVAL,
                              "ulimit option \"%s\" requires name=SOFT:HARD, failed to be parsed: invalid ulimit type: %s",
                              s, name);
                return NULL;
        }
        _cleanup_free_ char *vals = strdup(eq + 1);
        if (!vals)
                return NULL;
        char *colon = strchr(vals, ':');
        if (colon)
                *colon++ = '\0';
        int64_t soft = 0, hard = 0;
        if (ulimit_number(vals, &soft, s, err) < 0 ||
            ulimit_number(colon ? colon : vals, &hard, s, err) < 0)
                return NULL;
        if (soft != -1 && (hard == -1 ? false : soft > hard)) {
                cu_error_setx(err, EINVAL,
                              "ulimit option \"%s\" requires name=SOFT:HARD, failed to be parsed: ulimit soft limit must be less than or equal to hard limit: %lld > %lld",
                              s, (long long) soft, (long long) hard);
                return NULL;
        }
        char upper[32];
        snprintf(upper, sizeof upper, "RLIMIT_%s", name);
        for (char *p = upper; *p; p++)
                if (*p >= 'a' && *p <= 'z')
                        *p = (char) (*p - 'a' + 'A');
        return json_pack("{s:s, s:I, s:I}", "Name", upper, "Soft", (json_int_t) soft, "Hard",
                         (json_int_t) hard);
}

/* Sets (replaces) the ulimit u in the array. */
static void ulimit_set(json_t *arr, json_t *u)
{
        const char *n = json_string_value(json_object_get(u, "Name"));
        size_t i;
        json_t *v;
        json_array_foreach(arr, i, v)
                if (streq_ptr(json_string_value(json_object_get(v, "Name")), n)) {
                        json_array_set_new(arr, i, u);
                        return;
                }
        json_array_append_new(arr, u);
}

static int ulimits_config(json_t *c, const struct engine_sec_opts *o, struct cu_error **err)
{
        json_t *arr = json_array();
        json_object_set_new(c, "Ulimits", arr);
        bool host = false;
        for (char *const *p = o->default_ulimits; p && *p; p++) {
                json_t *u = engine_ulimit_parse(*p, err);
                if (!u)
                        return cu_error_prefix(err, -EINVAL, "containers.conf default_ulimits");
                json_object_set_new(u, "Default", json_true()); /* clamped at start */
                ulimit_set(arr, u);
        }
        for (char **p = o->ulimits; p && *p; p++) {
                if (strcmp(*p, "host") == 0) {
                        host = true;
                        continue;
                }
                json_t *u = engine_ulimit_parse(*p, err);
                if (!u)
                        return -EINVAL;
                ulimit_set(arr, u);
        }
        if (host && json_array_size(arr) > 0 && strv_length(o->ulimits) > 1)
                return cu_error_setx(err, EINVAL, "--ulimit host cannot be used with other --ulimit options");
        json_object_set_new(c, "UlimitsHost", json_boolean(host));
        return 0;
}

static json_t *rlimit_value(int64_t v)
{
        return v < 0 ? json_real(18446744073709551615.0) : json_integer(v);
}

static json_t *rlimit_entry(const char *type, int64_t soft, int64_t hard)
{
        return json_pack("{s:s, s:o, s:o}", "type", type, "hard", rlimit_value(hard), "soft",
                         rlimit_value(soft));
}

/* Clamps a default to what this process may set (no CAP_SYS_RESOURCE: the hard limit). */
static void clamp(int resource, int64_t *soft, int64_t *hard)
{
        struct rlimit cur;
        if (getrlimit(resource, &cur) < 0 || cur.rlim_max == RLIM_INFINITY)
                return;
        if (*hard < 0 || (uint64_t) *hard > cur.rlim_max)
                *hard = (int64_t) cur.rlim_max;
        if (*soft < 0 || *soft > *hard)
                *soft = *hard;
}

static int rlimits_json(json_t *proc, json_t *c)
{
        json_t *out = json_array();
        json_object_set_new(proc, "rlimits", out);
        if (json_is_true(json_object_get(c, "UlimitsHost"))) {
                for (size_t k = 0; k < ELEMENTSOF(ulimit_names); k++) {
                        struct rlimit cur;
                        char t[32];
                        if (getrlimit(ulimit_names[k].resource, &cur) < 0)
                                continue;
                        snprintf(t, sizeof t, "RLIMIT_%s", ulimit_names[k].name);
                        for (char *p = t; *p; p++)
                                if (*p >= 'a' && *p <= 'z')
                                        *p = (char) (*p - 'a' + 'A');
                        json_array_append_new(
                                out, rlimit_entry(t, cur.rlim_cur == RLIM_INFINITY ? -1 : (int64_t) cur.rlim_cur,
                                                  cur.rlim_max == RLIM_INFINITY ? -1 : (int64_t) cur.rlim_max));
                }
                return 0;
        }
        bool nofile = false, nproc = false;
        size_t i;
        json_t *u;
        json_array_foreach(json_object_get(c, "Ulimits"), i, u) {
                const char *n = json_string_value(json_object_get(u, "Name"));
                int64_t soft = json_integer_value(json_object_get(u, "Soft"));
                int64_t hard = json_integer_value(json_object_get(u, "Hard"));
                if (!n)
                        continue;
                if (json_is_true(json_object_get(u, "Default"))) {
                        for (size_t k = 0; k < ELEMENTSOF(ulimit_names); k++)
                                if (strcasecmp(n + 7, ulimit_names[k].name) == 0)
                                        clamp(ulimit_names[k].resource, &soft, &hard);
                }
                nofile |= strcmp(n, "RLIMIT_NOFILE") == 0;
                nproc |= strcmp(n, "RLIMIT_NPROC") == 0;
                json_array_append_new(out, rlimit_entry(n, soft, hard));
        }
        /* podman's defaults for root: the maximum, here clamped to our hard limit */
        if (!nofile) {
                int64_t s = 1048576, h = 1048576;
                clamp(RLIMIT_NOFILE, &s, &h);
                json_array_append_new(out, rlimit_entry("RLIMIT_NOFILE", s, h));
        }
        if (!nproc) {
                int64_t s = 4194304, h = 4194304;
                clamp(RLIMIT_NPROC, &s, &h);
                json_array_append_new(out, rlimit_entry("RLIMIT_NPROC", s, h));
        }
        return 0;
}

/* ------------------------------------------------------------------ --security-opt */

static int security_opts_config(json_t *c, const struct engine_sec_opts *o, struct cu_error **err)
{
        bool nnp = false;
        const char *seccomp = "";
        json_t *mask = json_array(), *unmask = json_array();
        json_object_set_new(c, "Mask", mask);
        json_object_set_new(c, "Unmask", unmask);
        json_t *labels = json_array();
        json_object_set_new(c, "LabelOpts", labels);
        for (char **p = o->security_opt; p && *p; p++) {
                if (strcmp(*p, "no-new-privileges") == 0) {
                        nnp = true;
                        continue;
                }
                const char *eq = strchr(*p, '=');
                if (!eq)
                        return cu_error_setx(err, EINVAL, "invalid --security-opt 1: \"%s\"", *p);
                size_t kl = (size_t) (eq - *p);
                const char *v = eq + 1;
                if (kl == 8 && strncmp(*p, "apparmor", kl) == 0) {
                        if (strcmp(v, "unconfined") != 0 && access("/sys/kernel/security/apparmor", F_OK) != 0)
                                return cu_error_setx(err, EINVAL,
                                                     "apparmor profile \"%s\" specified, but Apparmor is not enabled on this system",
                                                     v);
                } else if (kl == 5 && strncmp(*p, "label", kl) == 0) {
                        json_array_append_new(labels, json_string(v));
                } else if (kl == 4 && strncmp(*p, "mask", kl) == 0) {
                        _cleanup_strv_ char **l = strv_split(v, ":");
                        for (char **m = l; m && *m; m++)
                                json_array_append_new(mask, json_string(*m));
                } else if (kl == 6 && strncmp(*p, "unmask", kl) == 0) {
                        _cleanup_strv_ char **l = strv_split(v, ":");
                        for (char **m = l; m && *m; m++)
                                json_array_append_new(unmask, json_string(*m));
                } else if (kl == 9 && strncmp(*p, "proc-opts", kl) == 0) {
                        continue;
                } else if (kl == 7 && strncmp(*p, "seccomp", kl) == 0) {
                        seccomp = v;
                } else if (kl == 17 && strncmp(*p, "no-new-privileges", kl) == 0) {
                        if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcmp(v, "t") == 0 ||
                            strcmp(v, "TRUE") == 0 || strcmp(v, "True") == 0 || strcmp(v, "T") == 0)
                                nnp = true;
                        else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0 || strcmp(v, "f") == 0 ||
                                 strcmp(v, "FALSE") == 0 || strcmp(v, "False") == 0 || strcmp(v, "F") == 0)
                                nnp = false;
                        else
                                return cu_error_setx(err, EINVAL, "invalid --security-opt 2: \"%s\"", *p);
                } else if (kl == 11 && strncmp(*p, "systempaths", kl) == 0 && strcmp(v, "unconfined") == 0) {
                        json_array_append_new(unmask, json_string("ALL"));
                } else {
                        return cu_error_setx(err, EINVAL, "invalid --security-opt 2: \"%s\"", *p);
                }
        }
        json_object_set_new(c, "NoNewPrivileges", json_boolean(nnp));
        json_object_set_new(c, "SeccompProfilePath", json_string(seccomp));
        if (*seccomp && strcmp(seccomp, "unconfined") != 0) {
                _cleanup_free_ char *text = NULL;
                size_t len = 0;
                int r = read_full_file(seccomp, &text, &len, NULL);
                char eb[128];
                if (r < 0)
                        return cu_error_setx(err, -r, "opening seccomp profile failed: open %s: %s", seccomp,
                                             sec_strerror(-r, eb));
                json_error_t je;
                json_t *prof = json_loadb(text, len, 0, &je);
                if (!json_is_object(prof)) {
                        json_decref(prof);
                        return cu_error_setx(err, EINVAL, "loading seccomp profile (%s) failed: decoding seccomp profile failed: %s",
                                             seccomp, je.text);
                }
                json_object_set_new(c, "SeccompProfile", prof);
                /* conversion errors now, not at start */
                _cleanup_json_ json_t *t = engine_seccomp_from_profile(prof, NULL, NULL, err);
                if (!t)
                        return cu_error_prefix(err, -EINVAL, "loading seccomp profile (%s) failed", seccomp);
        }
        json_object_set_new(c, "SecurityOpt", json_from_strv(o->security_opt));
        return 0;
}

/* podman's annotations of a new container (the user's own win). */
static void annotations_config(json_t *c)
{
        json_t *ann = json_object_get(c, "Annotations");
        if (!json_is_object(ann)) {
                ann = json_object();
                json_object_set_new(c, "Annotations", ann);
        }
        char created[64] = "";
        struct timespec ts;
        struct tm tm;
        if (clock_gettime(CLOCK_REALTIME, &ts) == 0 && gmtime_r(&ts.tv_sec, &tm)) {
                size_t n = strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%S", &tm);
                snprintf(created + n, sizeof created - n, ".%09ldZ", ts.tv_nsec);
        }
        char sig[16];
        snprintf(sig, sizeof sig, "%lld", (long long) json_integer_value(json_object_get(c, "StopSignal")));
        struct {
                const char *k, *v;
        } kv[] = {
                { "io.container.manager", "libpod" },
                { "io.kubernetes.cri-o.Created", created },
                { "io.kubernetes.cri-o.TTY", json_is_true(json_object_get(c, "Tty")) ? "true" : "false" },
                { "io.podman.annotations.autoremove", json_is_true(json_object_get(c, "AutoRemove")) ? "TRUE" : "FALSE" },
                { "io.podman.annotations.init", json_is_true(json_object_get(c, "Init")) ? "TRUE" : "FALSE" },
                { "io.podman.annotations.privileged", json_is_true(json_object_get(c, "Privileged")) ? "TRUE" : "FALSE" },
                { "io.podman.annotations.publish-all", "FALSE" },
                { "org.opencontainers.image.stopSignal", sig },
        };
        for (size_t i = 0; i < ELEMENTSOF(kv); i++)
                if (!json_object_get(ann, kv[i].k))
                        json_object_set_new(ann, kv[i].k, json_string(kv[i].v));
}

/* ------------------------------------------------------------------ the hooks */

int engine_config_security(struct engine *e, json_t *c, const struct engine_create_opts *o,
                           json_t *ic, struct cu_error **err)
{
        (void) ic;
        const struct engine_sec_opts *so = &o->sec;
        int r = caps_check(json_object_get(c, "CapAdd"), err);
        if (r >= 0)
                r = caps_check(json_object_get(c, "CapDrop"), err);
        if (r < 0)
                return r;
        if (so->has_default_caps) {
                json_t *dc = json_array();
                json_object_set_new(c, "DefaultCapabilities", dc);
                for (char *const *p = so->default_caps; p && *p; p++) {
                        _cleanup_free_ char *n = engine_cap_normalize(*p);
                        if (!n)
                                return cu_error_setx(err, EINVAL,
                                                     "containers.conf default_capabilities: \"%s\": unknown capability", *p);
                        json_array_append_new(dc, json_string(n));
                }
        }
        if (!json_is_integer(json_object_get(c, "PidsLimit")) && so->has_default_pids_limit &&
            so->default_pids_limit > 0)
                json_object_set_new(c, "PidsLimit", json_integer(so->default_pids_limit));
        if ((r = ulimits_config(c, so, err)) < 0 || (r = security_opts_config(c, so, err)) < 0 ||
            (r = sec_config_resources(e, c, o, err)) < 0 || (r = sec_config_devices(c, o, err)) < 0 ||
            (r = sec_config_namespaces(e, c, o, err)) < 0 || (r = sec_config_systemd(c, o, err)) < 0)
                return r;
        annotations_config(c);
        return 0;
}

static bool json_has(json_t *arr, const char *s)
{
        size_t i;
        json_t *v;
        json_array_foreach(arr, i, v)
                if (streq_ptr(json_string_value(v), s))
                        return true;
        return false;
}

static void strv_json_remove(json_t *arr, const char *s)
{
        for (size_t k = json_array_size(arr); k-- > 0;)
                if (streq_ptr(json_string_value(json_array_get(arr, k)), s))
                        json_array_remove(arr, k);
}

static int masks_json(json_t *lnx, json_t *c)
{
        json_t *masked = json_object_get(lnx, "maskedPaths");
        json_t *ro = json_object_get(lnx, "readonlyPaths");
        if (!masked) {
                masked = json_array();
                json_object_set_new(lnx, "maskedPaths", masked);
        }
        /* podman's list */
        const char *extra[] = { "/sys/fs/selinux", "/sys/dev/block" };
        for (size_t i = 0; i < ELEMENTSOF(extra); i++)
                if (!json_has(masked, extra[i]))
                        json_array_append_new(masked, json_string(extra[i]));
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(c, "Mask"), i, v)
                if (!json_has(masked, json_string_value(v)))
                        json_array_append(masked, v);
        json_array_foreach(json_object_get(c, "Unmask"), i, v) {
                const char *s = json_string_value(v);
                if (streq_ptr(s, "ALL")) {
                        json_array_clear(masked);
                        if (ro)
                                json_array_clear(ro);
                        break;
                }
                strv_json_remove(masked, s);
                strv_json_remove(ro, s);
        }
        return 0;
}

int engine_spec_security(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err)
{
        json_t *c = x->c;
        json_t *proc = json_object_get(spec, "process");
        json_t *lnx = json_object_get(spec, "linux");
        bool privileged = json_is_true(json_object_get(c, "Privileged"));
        json_object_set_new(proc, "noNewPrivileges",
                            json_boolean(json_is_true(json_object_get(c, "NoNewPrivileges"))));
        _cleanup_strv_ char **bounding = NULL;
        int r = caps_json(proc, c, x->uid, &bounding, err);
        if (r < 0)
                return r;
        rlimits_json(proc, c);

        if (privileged) {
                json_object_set_new(lnx, "maskedPaths", json_array());
                json_object_set_new(lnx, "readonlyPaths", json_array());
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
        } else {
                masks_json(lnx, c);
        }

        /* seccomp: privileged containers and seccomp=unconfined run without a filter */
        const char *sp = json_string_value(json_object_get(c, "SeccompProfilePath"));
        json_t *prof = json_object_get(c, "SeccompProfile");
        json_t *sc = NULL;
        if (sp && *sp && strcmp(sp, "unconfined") != 0 && prof)
                sc = engine_seccomp_from_profile(prof, bounding, NULL, err);
        else if (!privileged && !(sp && strcmp(sp, "unconfined") == 0))
                sc = engine_seccomp_default(bounding, NULL);
        else
                sc = json_null();
        if (!sc)
                return err && *err ? -EINVAL : -ENOMEM;
        if (json_is_null(sc))
                json_object_del(lnx, "seccomp");
        else
                json_object_set_new(lnx, "seccomp", sc);

        if ((r = sec_spec_namespaces(spec, x, err)) < 0 || (r = sec_spec_resources(spec, x, err)) < 0 ||
            (r = sec_spec_devices(spec, x, err)) < 0 || (r = sec_spec_systemd(spec, x, err)) < 0)
                return r;
        return 0;
}

void engine_inspect_security(struct engine *e, const struct ctr_record *r, json_t *c, json_t *out)
{
        (void) e, (void) r;
        json_t *host = json_object_get(out, "HostConfig");
        if (!host)
                return;
        json_t *ul = json_array();
        size_t i;
        json_t *u;
        json_array_foreach(json_object_get(c, "Ulimits"), i, u)
                json_array_append_new(ul, json_pack("{s:O, s:O, s:O}", "Name", json_object_get(u, "Name"),
                                                    "Soft", json_object_get(u, "Soft"), "Hard",
                                                    json_object_get(u, "Hard")));
        json_object_set_new(host, "Ulimits", ul);
        json_t *so = json_object_get(c, "SecurityOpt");
        json_object_set_new(host, "SecurityOpt", so ? json_deep_copy(so) : json_array());
        json_t *cfg = json_object_get(out, "Config");
        if (cfg)
                json_object_set_new(cfg, "SystemdMode",
                                    json_boolean(json_is_true(json_object_get(c, "SystemdMode"))));
        sec_inspect_resources(c, host);
        sec_inspect_devices(c, host);
        sec_inspect_namespaces(c, host, out);
}
