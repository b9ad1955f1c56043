/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Spec generation (a first version of libpod's generateSpec): the runtime's default spec,
 * then the image config (already folded into the container config at create: Entrypoint,
 * Cmd, Env, WorkingDir, User, StopSignal), then the container's own options.  Computing
 * only: the result is a JSON document, written by engine_bundle_write().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "engine/container.h"
#include "oci/spec.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/parse.h"
#include "util/path.h"
#include "util/strv.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

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

/* ------------------------------------------------------------------ users */

static char *read_in_root(int rootfd, const char *path)
{
        if (rootfd < 0)
                return NULL;
        _cleanup_close_ int fd = open_in_root(rootfd, path, O_RDONLY | O_CLOEXEC, 0);
        char *text = NULL;
        if (fd < 0 || read_full_fd(fd, &text, NULL) < 0)
                return NULL;
        return text;
}

/* Finds the line of /etc/passwd or /etc/group whose first field is name (or, when by_id,
 * whose third field is id).  Fields into f (up to 7). */
static bool find_entry(char *text, const char *name, bool by_id, uint32_t id, char **f)
{
        for (char *save = NULL, *line = text ? strtok_r(text, "\n", &save) : NULL; line;
             line = strtok_r(NULL, "\n", &save)) {
                if (*line == '#')
                        continue;
                size_t n = 0;
                char *p = line;
                for (; n < 7; n++) {
                        f[n] = p;
                        p = p ? strchr(p, ':') : NULL;
                        if (p)
                                *p++ = '\0';
                }
                if (!f[2])
                        continue;
                unsigned v;
                if (by_id ? (safe_atou(f[2], &v) == 0 && v == id) : strcmp(f[0], name) == 0)
                        return true;
        }
        return false;
}

int engine_resolve_user(int rootfd, const char *user, uint32_t *ret_uid, uint32_t *ret_gid,
                        uint32_t **ret_groups, size_t *ret_n_groups, char **ret_home,
                        struct cu_error **err)
{
        _cleanup_free_ char *u = strdup(user ? user : "");
        if (!u)
                return -ENOMEM;
        char *g = strchr(u, ':');
        if (g)
                *g++ = '\0';
        unsigned uid = 0, gid = 0;
        bool have_gid = false;
        _cleanup_free_ char *passwd = read_in_root(rootfd, "/etc/passwd");
        _cleanup_free_ char *username = NULL, *home = NULL;
        char *f[7] = { 0 };
        if (!*u || safe_atou(u, &uid) == 0) {
                if (passwd && find_entry(passwd, NULL, true, uid, f)) {
                        username = strdup(f[0]);
                        home = f[5] ? strdup(f[5]) : NULL;
                        have_gid = f[3] && safe_atou(f[3], &gid) == 0;
                }
        } else {
                if (!passwd || !find_entry(passwd, u, false, 0, f) || safe_atou(f[2], &uid) < 0)
                        return cu_error_setx(err, ENOENT,
                                             "unable to find user %s: no matching entries in passwd file",
                                             u);
                username = strdup(f[0]);
                home = f[5] ? strdup(f[5]) : NULL;
                have_gid = f[3] && safe_atou(f[3], &gid) == 0;
        }
        if (g && *g) {
                if (safe_atou(g, &gid) < 0) {
                        _cleanup_free_ char *group = read_in_root(rootfd, "/etc/group");
                        if (!group || !find_entry(group, g, false, 0, f) || safe_atou(f[2], &gid) < 0)
                                return cu_error_setx(err, ENOENT,
                                                     "unable to find group %s: no matching entries in group file",
                                                     g);
                }
                have_gid = true;
        }
        if (!have_gid)
                gid = 0;
        /* Supplementary groups: every group listing the user. */
        uint32_t *groups = NULL;
        size_t n = 0;
        _cleanup_free_ char *group = username && !(g && *g) ? read_in_root(rootfd, "/etc/group") : NULL;
        for (char *save = NULL, *line = group ? strtok_r(group, "\n", &save) : NULL; line;
             line = strtok_r(NULL, "\n", &save)) {
                char *fs[4] = { 0 };
                char *p = line;
                for (size_t k = 0; k < 4 && p; k++) {
                        fs[k] = p;
                        p = strchr(p, ':');
                        if (p)
                                *p++ = '\0';
                }
                unsigned gg;
                if (!fs[3] || !fs[2] || safe_atou(fs[2], &gg) < 0 || gg == gid)
                        continue;
                _cleanup_strv_ char **members = strv_split(fs[3], ",");
                if (!strv_contains(members, username))
                        continue;
                uint32_t *ng = realloc(groups, (n + 1) * sizeof *groups);
                if (!ng) {
                        free(groups);
                        return -ENOMEM;
                }
                groups = ng;
                groups[n++] = gg;
        }
        *ret_uid = uid;
        *ret_gid = gid;
        if (ret_groups) {
                *ret_groups = groups;
                *ret_n_groups = n;
        } else {
                free(groups);
        }
        if (ret_home)
                *ret_home = TAKE_PTR(home);
        return 0;
}

/* ------------------------------------------------------------------ the spec */

static json_t *bind_mount(const char *dst, const char *src, bool ro)
{
        return json_pack("{s:s, s:s, s:s, s:[s, s, s, s, s]}", "destination", dst, "type", "bind",
                         "source", src, "options", "bind", "rprivate", "nosuid", "nodev",
                         ro ? "ro" : "rw");
}

static int set_env(char ***env, const char *name, const char *value, bool keep)
{
        if (keep && strv_env_get(*env, name))
                return 0;
        _cleanup_free_ char *a = NULL;
        if (asprintf(&a, "%s=%s", name, value) < 0)
                return -ENOMEM;
        return strv_env_set(env, a);
}

static int process_json(json_t *proc, json_t *c, const char *id, int rootfd,
                        struct cu_error **err)
{
        _cleanup_strv_ char **args = NULL, **env = NULL, **caps = NULL;
        const char *keys[] = { "Entrypoint", "Cmd" };
        for (size_t k = 0; k < 2; k++) {
                size_t i;
                json_t *v;
                json_array_foreach(json_object_get(c, keys[k]), i, v)
                        if (json_is_string(v) && strv_extend(&args, json_string_value(v)) < 0)
                                return -ENOMEM;
        }
        if (!args)
                return cu_error_setx(err, EINVAL,
                                     "no command or entrypoint provided, and no CMD or ENTRYPOINT from image");

        uint32_t uid = 0, gid = 0, *groups = NULL;
        size_t n_groups = 0;
        _cleanup_free_ char *home = NULL;
        int r = engine_resolve_user(rootfd, json_string_value(json_object_get(c, "User")), &uid,
                                    &gid, &groups, &n_groups, &home, err);
        if (r < 0)
                return r;
        json_t *ag = json_array();
        for (size_t i = 0; i < n_groups; i++)
                json_array_append_new(ag, json_integer(groups[i]));
        free(groups);
        json_t *user = json_pack("{s:I, s:I}", "uid", (json_int_t) uid, "gid", (json_int_t) gid);
        if (json_array_size(ag))
                json_object_set_new(user, "additionalGids", ag);
        else
                json_decref(ag);
        json_object_set_new(proc, "user", user);

        /* Env: the defaults, the image's and the user's (folded at create), then ours. */
        if (strv_extend(&env, DEFAULT_PATH) < 0 || strv_extend(&env, "TERM=xterm") < 0)
                return -ENOMEM;
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(c, "Env"), i, v)
                if (json_is_string(v) && strv_env_set(&env, json_string_value(v)) < 0)
                        return -ENOMEM;
        const char *hostname = json_string_value(json_object_get(c, "Hostname"));
        char shortid[13];
        snprintf(shortid, sizeof shortid, "%.12s", id);
        if (set_env(&env, "container", "podman", false) < 0 ||
            set_env(&env, "HOSTNAME", hostname && *hostname ? hostname : shortid, true) < 0 ||
            set_env(&env, "HOME", home && *home ? home : "/", true) < 0)
                return -ENOMEM;

        const char *wd = json_string_value(json_object_get(c, "WorkingDir"));
        bool tty = json_is_true(json_object_get(c, "Tty"));
        json_object_set_new(proc, "terminal", json_boolean(tty));
        json_object_set_new(proc, "args", strv_json(args));
        json_object_set_new(proc, "env", strv_json(env));
        json_object_set_new(proc, "cwd", json_string(wd && *wd ? wd : "/"));
        json_object_set_new(proc, "noNewPrivileges", json_false());

        bool privileged = json_is_true(json_object_get(c, "Privileged"));
        caps = strv_copy((char *const *) (privileged ? all_caps : default_caps));
        if (!caps)
                return -ENOMEM;
        if (!privileged) {
                /* drops first ("--cap-drop all --cap-add x" keeps x), then additions */
                r = apply_cap_list(&caps, json_object_get(c, "CapDrop"), false, err);
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
        return 0;
}

static void mounts_json(json_t *spec, json_t *c, const char *bundle)
{
        json_t *mounts = json_object_get(spec, "mounts");
        bool privileged = json_is_true(json_object_get(c, "Privileged"));
        bool host_net = streq_ptr(json_string_value(json_object_get(c, "NetworkMode")), "host");
        size_t i;
        json_t *m;
        json_array_foreach(mounts, i, m) {
                const char *dst = json_string_value(json_object_get(m, "destination"));
                json_t *opts = json_object_get(m, "options");
                if (streq_ptr(dst, "/dev/shm")) {
                        json_array_clear(opts);
                        json_t *o = json_pack("[s, s, s, s, s]", "nosuid", "noexec", "nodev",
                                              "mode=1777", "size=65536k");
                        json_array_extend(opts, o);
                        json_decref(o);
                }
                if (privileged && (streq_ptr(dst, "/sys") || streq_ptr(dst, "/sys/fs/cgroup")))
                        for (size_t k = json_array_size(opts); k-- > 0;)
                                if (streq_ptr(json_string_value(json_array_get(opts, k)), "ro"))
                                        json_array_set_new(opts, k, json_string("rw"));
        }
        if (host_net) /* sysfs cannot be mounted outside a network namespace of our own */
                json_array_foreach(mounts, i, m)
                        if (streq_ptr(json_string_value(json_object_get(m, "destination")), "/sys")) {
                                json_array_set_new(mounts, i,
                                                   json_pack("{s:s, s:s, s:s, s:[s, s, s, s, s]}",
                                                             "destination", "/sys", "type", "bind",
                                                             "source", "/sys", "options", "rbind",
                                                             "nosuid", "noexec", "nodev",
                                                             privileged ? "rw" : "ro"));
                                break;
                        }
        if (json_is_true(json_object_get(c, "ReadOnly"))) {
                const char *tmpfs[] = { "/tmp", "/var/tmp", "/run" };
                for (size_t k = 0; k < ELEMENTSOF(tmpfs); k++)
                        json_array_append_new(mounts,
                                              json_pack("{s:s, s:s, s:s, s:[s, s, s, s]}",
                                                        "destination", tmpfs[k], "type", "tmpfs",
                                                        "source", "tmpfs", "options", "rw",
                                                        "rprivate", "nosuid", "nodev"));
        }
        const char *files[] = { "hostname", "hosts", "resolv.conf" };
        for (size_t k = 0; k < ELEMENTSOF(files); k++) {
                char src[4096], dst[64];
                snprintf(src, sizeof src, "%s/%s", bundle, files[k]);
                snprintf(dst, sizeof dst, "/etc/%s", files[k]);
                json_array_append_new(mounts, bind_mount(dst, src, false));
        }
}

static void linux_json(json_t *spec, json_t *c)
{
        json_t *lnx = json_object_get(spec, "linux");
        bool privileged = json_is_true(json_object_get(c, "Privileged"));
        if (streq_ptr(json_string_value(json_object_get(c, "NetworkMode")), "host")) {
                json_t *ns = json_object_get(lnx, "namespaces");
                for (size_t k = json_array_size(ns); k-- > 0;)
                        if (streq_ptr(json_string_value(json_object_get(json_array_get(ns, k), "type")),
                                      "network"))
                                json_array_remove(ns, k);
        }
        /* cgroup v1 hosts: podman keeps the host's cgroup namespace. */
        if (access("/sys/fs/cgroup/cgroup.controllers", F_OK) != 0) {
                json_t *ns = json_object_get(lnx, "namespaces");
                for (size_t k = json_array_size(ns); k-- > 0;)
                        if (streq_ptr(json_string_value(json_object_get(json_array_get(ns, k), "type")),
                                      "cgroup"))
                                json_array_remove(ns, k);
        }
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
        }
}

json_t *engine_spec_generate(const char *id, json_t *c, int rootfd, const char *rootfs,
                             const char *bundle, struct cu_error **err)
{
        _cleanup_free_ char *text = oci_spec_default_json(false);
        _cleanup_json_ json_t *spec = text ? json_loads(text, 0, NULL) : NULL;
        if (!spec) {
                cu_error_set(err, ENOMEM, "generating the default spec");
                return NULL;
        }
        int r = process_json(json_object_get(spec, "process"), c, id, rootfd, err);
        if (r < 0) {
                if (r == -ENOMEM)
                        cu_error_set(err, ENOMEM, "generating the spec");
                return NULL;
        }
        json_object_set_new(spec, "root",
                            json_pack("{s:s, s:b}", "path", rootfs, "readonly",
                                      json_is_true(json_object_get(c, "ReadOnly"))));
        const char *hn = json_string_value(json_object_get(c, "Hostname"));
        char shortid[13];
        snprintf(shortid, sizeof shortid, "%.12s", id);
        json_object_set_new(spec, "hostname", json_string(hn && *hn ? hn : shortid));
        mounts_json(spec, c, bundle);
        linux_json(spec, c);
        json_t *ann = json_object();
        json_t *ua = json_object_get(c, "Annotations");
        if (json_is_object(ua))
                json_object_update(ann, ua);
        json_object_set_new(spec, "annotations", ann);
        return TAKE_PTR(spec);
}

/* ------------------------------------------------------------------ bundle files */

static char *resolv_conf_text(void)
{
        _cleanup_free_ char *host = NULL;
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        if (!f)
                return NULL;
        if (read_full_file("/etc/resolv.conf", &host, NULL, NULL) >= 0) {
                for (char *save = NULL, *l = strtok_r(host, "\n", &save); l;
                     l = strtok_r(NULL, "\n", &save)) {
                        /* a loopback resolver of the host is unreachable from the container */
                        if (strncmp(l, "nameserver", 10) == 0 &&
                            (strstr(l, " 127.") || strstr(l, " ::1")))
                                continue;
                        fprintf(f, "%s\n", l);
                }
        }
        fclose(f);
        return out;
}

static int write_text(const char *dir, const char *name, const char *text, struct cu_error **err)
{
        _cleanup_free_ char *p = NULL;
        if (asprintf(&p, "%s/%s", dir, name) < 0)
                return -ENOMEM;
        return write_file_atomic(p, text, strlen(text), 0644, err);
}

int engine_bundle_write(const char *id, json_t *c, json_t *spec, const char *bundle,
                        struct cu_error **err)
{
        int r = mkdir_p(bundle, 0700);
        if (r < 0)
                return cu_error_set(err, -r, "creating %s", bundle);
        _cleanup_free_ char *cfg = json_dumps(spec, JSON_COMPACT);
        if (!cfg)
                return cu_error_set(err, ENOMEM, "encoding config.json");
        r = write_text(bundle, "config.json", cfg, err);
        if (r < 0)
                return r;
        const char *hn = json_string_value(json_object_get(spec, "hostname"));
        const char *name = json_string_value(json_object_get(c, "Name"));
        _cleanup_free_ char *hostname = NULL, *hosts = NULL;
        if (asprintf(&hostname, "%s\n", hn ? hn : id) < 0 ||
            asprintf(&hosts,
                     "127.0.0.1   localhost localhost.localdomain localhost4 localhost4.localdomain4\n"
                     "::1         localhost localhost.localdomain localhost6 localhost6.localdomain6\n"
                     "127.0.1.1   %s %s\n",
                     hn ? hn : id, name ? name : "") < 0)
                return -ENOMEM;
        _cleanup_free_ char *resolv = resolv_conf_text();
        r = write_text(bundle, "hostname", hostname, err);
        if (r >= 0)
                r = write_text(bundle, "hosts", hosts, err);
        if (r >= 0)
                r = write_text(bundle, "resolv.conf", resolv ? resolv : "", err);
        return r;
}
