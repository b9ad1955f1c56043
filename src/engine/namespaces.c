/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Namespaces of a container: --pid, --ipc, --uts, --cgroupns (private | host |
 * container:NAME | ns:PATH), --userns (host | auto | keep-id | nomap, --uidmap/--gidmap) and
 * --sysctl, which is checked against them.  Joining another container's namespace makes it
 * a dependency: it is started first when it is not running, its namespaces are taken from
 * /proc/<pid>/ns/ files, and it cannot be removed while a container that depends on it exists and
 * runs (podman's "has dependent containers" error).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/idmap.h"
#include "engine/security-int.h"
#include "state/lock.h"
#include "storage/images.h"
#include "storage/rootfs.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/strv.h"

struct ns_kind {
        const char *opt;    /* the flag's word in errors: "pid" */
        const char *key;    /* config key: "PidMode" */
        const char *spec;   /* spec namespace type */
        const char *proc;   /* /proc/<pid>/ns/<proc> */
        const char *label;  /* "PID" in "cannot find specified PID namespace path" */
};

static const struct ns_kind kinds[] = {
        { "pid", "PidMode", "pid", "pid", "PID" },
        { "ipc", "IpcMode", "ipc", "ipc", "IPC" },
        { "uts", "UTSMode", "uts", "uts", "UTS" },
        { "cgroup", "CgroupnsMode", "cgroup", "cgroup", "cgroup" },
        { "user", "UsernsMode", "user", "user", "user" },
};

int engine_ns_mode_check(const char *kind, const char *mode, struct cu_error **err)
{
        if (!*mode || strcmp(mode, "host") == 0 || strcmp(mode, "private") == 0)
                return 0;
        if ((strncmp(mode, "container:", 10) == 0 && mode[10]) || (strncmp(mode, "ns:", 3) == 0 && mode[3]))
                return 0;
        if (strcmp(kind, "ipc") == 0 && (strcmp(mode, "shareable") == 0 || strcmp(mode, "none") == 0))
                return 0;
        if (strcmp(kind, "user") == 0 &&
            (strcmp(mode, "auto") == 0 || strncmp(mode, "auto:", 5) == 0 ||
             strcmp(mode, "keep-id") == 0 || strncmp(mode, "keep-id:", 8) == 0 ||
             strcmp(mode, "nomap") == 0))
                return 0;
        return cu_error_setx(err, EINVAL, "unrecognized namespace mode %s passed", mode);
}

json_t *engine_idmap_parse(const char *s, struct cu_error **err)
{
        _cleanup_strv_ char **f = strv_split(s, ":");
        unsigned a, b, n;
        if (!f || strv_length(f) != 3 || safe_atou(f[0], &a) < 0 || safe_atou(f[1], &b) < 0 ||
            safe_atou(f[2], &n) < 0 || n == 0) {
                cu_error_setx(err, EINVAL, "malformed id mapping \"%s\"", s);
                return NULL;
        }
        return json_pack("{s:I, s:I, s:I}", "ContainerID", (json_int_t) a, "HostID", (json_int_t) b,
                         "Size", (json_int_t) n);
}

int engine_sysctl_check(const char *key, bool net_host, bool ipc_host, bool uts_host,
                        struct cu_error **err)
{
        (void) uts_host; /* kernel.hostname / kernel.domainname are refused outright (4.3) */
        static const char *const ipc_keys[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
                                                "kernel.sem", "kernel.shmall", "kernel.shmmax",
                                                "kernel.shmmni", "kernel.shm_rmid_forced", NULL };
        bool ipc = strv_contains((char *const *) ipc_keys, key) || strncmp(key, "fs.mqueue.", 10) == 0;
        bool net = strncmp(key, "net.", 4) == 0;
        if (!ipc && !net)
                return cu_error_setx(err, EINVAL, "sysctl '%s' is not allowed", key);
        if (net && net_host)
                return cu_error_setx(err, EINVAL, "can't be set since Network Namespace set to host");
        if (ipc && ipc_host)
                return cu_error_setx(err, EINVAL, "can't be set since IPC Namespace set to host");
        return 0;
}

static bool is_dep(json_t *deps, const char *id)
{
        size_t i;
        json_t *v;
        json_array_foreach(deps, i, v)
                if (streq_ptr(json_string_value(v), id))
                        return true;
        return false;
}

/* One namespace option → its normalized mode in c (and dependencies). */
static int ns_config(struct engine *e, json_t *c, json_t *deps, const struct ns_kind *k,
                     const char *mode, struct cu_error **err)
{
        int r = engine_ns_mode_check(k->opt, mode, err);
        if (r < 0)
                return r;
        if (strncmp(mode, "container:", 10) == 0) {
                char id[CTR_ID_LEN + 1];
                if (!e || !e->db)
                        return cu_error_setx(err, EINVAL, "no state to look up %s", mode + 10);
                r = ctr_lookup_id(e->db, mode + 10, id, err);
                if (r < 0)
                        return cu_error_prefix(err, r, "looking up container to share %s namespace with", k->opt);
                char m[16 + CTR_ID_LEN];
                snprintf(m, sizeof m, "container:%s", id);
                json_object_set_new(c, k->key, json_string(m));
                if (!is_dep(deps, id))
                        json_array_append_new(deps, json_string(id));
                return 0;
        }
        if (strncmp(mode, "ns:", 3) == 0) {
                struct stat st;
                char eb[128];
                if (stat(mode + 3, &st) < 0) {
                        int e2 = errno;
                        return cu_error_setx(err, e2, "cannot find specified %s namespace path: stat %s: %s",
                                             k->label, mode + 3, sec_strerror(e2, eb));
                }
        }
        json_object_set_new(c, k->key, json_string(strcmp(mode, "") == 0 ? "private" : mode));
        return 0;
}

static int subid_range(const char *file, const char *user, uint64_t *start, uint64_t *count,
                       struct cu_error **err)
{
        _cleanup_free_ char *text = NULL;
        if (read_full_file(file, &text, NULL, NULL) >= 0)
                for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                        _cleanup_strv_ char **f = strv_split(l, ":");
                        if (strv_length(f) == 3 && strcmp(f[0], user) == 0 &&
                            safe_atou64(f[1], start) >= 0 && safe_atou64(f[2], count) >= 0)
                                return 0;
                }
        return cu_error_setx(err, ENOENT,
                             "creating container storage: could not find enough available IDs: cannot find mappings for user \"%s\": no subuid ranges found for user \"%s\" in %s",
                             user, user, file);
}

/* A reservation of host ids [start, start+size) younger than a minute (by then the
 * container's record holds the range, or its create failed). */
#define RESERVE_SECS 60
static bool reserved(const char *dir, uint64_t start, uint64_t size)
{
        DIR *d = opendir(dir);
        if (!d)
                return false;
        bool hit = false;
        time_t now = time(NULL);
        for (struct dirent *de; !hit && (de = readdir(d));) {
                uint64_t a, b;
                if (sscanf(de->d_name, "%" SCNu64 "-%" SCNu64, &a, &b) != 2)
                        continue;
                struct stat st;
                if (fstatat(dirfd(d), de->d_name, &st, 0) < 0)
                        continue;
                if (now - st.st_mtime > RESERVE_SECS) {
                        (void) unlinkat(dirfd(d), de->d_name, 0);
                        continue;
                }
                hit = a < start + size && start < b;
        }
        closedir(d);
        return hit;
}

static void reserve(const char *dir, uint64_t start, uint64_t size)
{
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%" PRIu64 "-%" PRIu64, dir, start, start + size);
        int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0600);
        if (fd >= 0)
                close(fd);
}

#define AUTO_USERNS_MIN 1024  /* containers/storage's auto_userns_min_size */
#define AUTO_USERNS_MAX 65536 /* and auto_userns_max_size */

/* The largest id in fields f1 and f2 (1-based, f2 may be 0) of a passwd/group text. */
static uint64_t max_id_field(char *text, unsigned f1, unsigned f2)
{
        uint64_t max = 0;
        for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                /* nobody and nogroup (65534) do not count, or most images would need
                 * 65536 ids (containers/storage skips them too) */
                if (*l == '#' || strncmp(l, "nobody:", 7) == 0 || strncmp(l, "nogroup:", 8) == 0)
                        continue;
                unsigned k = 1;
                for (char *p = l; p; p = strchr(p, ':'), p = p ? p + 1 : NULL, k++) {
                        if (k != f1 && k != f2)
                                continue;
                        if (*p < '0' || *p > '9')
                                continue;
                        char *end = NULL;
                        uint64_t v = strtoull(p, &end, 10);
                        if (end != p && (*end == ':' || *end == '\0') && v > max && v != 65534)
                                max = v;
                }
        }
        return max;
}

/* podman's size of an auto user namespace when none is given: one more than the largest uid
 * or gid of the image's /etc/passwd and /etc/group (nobody aside), at least AUTO_USERNS_MIN.
 * (containers/storage also looks at the owners of the layers' files; we do not.) */
static int auto_size_from_image(struct engine *e, json_t *c, uint64_t *ret, struct cu_error **err)
{
        *ret = AUTO_USERNS_MIN;
        const char *img = json_string_value(json_object_get(c, "Image"));
        _cleanup_image_rec_ struct image_rec *im = NULL;
        if (!e || !e->store || !img || image_get(e->db, img, &im, NULL) < 0)
                return 0;
        uint64_t max = 0;
        const char *files[] = { "/etc/passwd", "/etc/group" };
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_close_ int fd = image_open_file(e->store, im->layers, files[i], NULL);
                _cleanup_free_ char *text = NULL;
                if (fd < 0 || read_full_fd(fd, &text, NULL) < 0)
                        continue;
                uint64_t m = i == 0 ? max_id_field(text, 3, 4) : max_id_field(text, 3, 0);
                max = m > max ? m : max;
        }
        if (max + 1 > AUTO_USERNS_MAX)
                return cu_error_setx(err, EINVAL,
                                     "the container needs a user namespace with size %" PRIu64
                                     " that is bigger than the maximum value allowed with userns=auto %d",
                                     max + 1, AUTO_USERNS_MAX);
        if (max + 1 > *ret)
                *ret = max + 1;
        return 0;
}

/* --userns auto[:size=N]: a block of N ids from the "containers" ranges not used by another
 * auto container. */
static int userns_auto(struct engine *e, json_t *c, const char *mode, json_t *uid, json_t *gid,
                       struct cu_error **err)
{
        uint64_t size = 0, us = 0, un = 0, gs = 0, gn = 0;
        struct idmap_range fu[IDMAP_MAX], fg[IDMAP_MAX];
        size_t nfu = 0, nfg = 0;
        if (strncmp(mode, "auto:", 5) == 0) {
                _cleanup_strv_ char **opts = strv_split(mode + 5, ",");
                for (char **o = opts; o && *o; o++) {
                        bool um = strncmp(*o, "uidmapping=", 11) == 0, gm = strncmp(*o, "gidmapping=", 11) == 0;
                        if (um || gm) {
                                _cleanup_json_ json_t *m = engine_idmap_parse(*o + 11, NULL);
                                size_t *n = um ? &nfu : &nfg;
                                if (!m || *n >= IDMAP_MAX)
                                        return cu_error_setx(err, EINVAL, "invalid option to auto userns: %s", *o);
                                (um ? fu : fg)[(*n)++] = (struct idmap_range) {
                                        (uint32_t) json_integer_value(json_object_get(m, "ContainerID")),
                                        (uint32_t) json_integer_value(json_object_get(m, "HostID")),
                                        (uint32_t) json_integer_value(json_object_get(m, "Size")) };
                                continue;
                        }
                        if (strncmp(*o, "size=", 5) != 0 || safe_atou64(*o + 5, &size) < 0 || size == 0 ||
                            size > UINT32_MAX)
                                return cu_error_setx(err, EINVAL, "invalid option to auto userns: %s", *o);
                }
        }
        int r = size == 0 ? auto_size_from_image(e, c, &size, err) : 0;
        if (r >= 0)
                r = subid_range("/etc/subuid", "containers", &us, &un, err);
        if (r >= 0)
                r = subid_range("/etc/subgid", "containers", &gs, &gn, err);
        if (r < 0)
                return r;
        /* Concurrent creates: the choice is made under a lock and reserved in a file until
         * the container's record (which comes later) shows it. */
        _cleanup_lock_ struct lock *lk = NULL;
        _cleanup_free_ char *resdir = NULL, *lockdir = NULL;
        if (e && e->runroot) {
                if (asprintf(&lockdir, "%s/locks", e->runroot) < 0 ||
                    asprintf(&resdir, "%s/userns-auto", e->runroot) < 0)
                        return -ENOMEM;
                (void) mkdir_p(lockdir, 0700);
                (void) mkdir_p(resdir, 0700);
                int lr = lock_acquire_path(lockdir, "userns-auto", LOCK_EXCLUSIVE, true, &lk, err);
                if (lr < 0)
                        return lr;
        }
        _cleanup_(ctr_record_list_freep) struct ctr_record **all = NULL;
        size_t n = 0;
        if (e && e->db && ctr_list(e->db, &all, &n, NULL) < 0)
                n = 0;
        for (uint64_t off = 0; off + size <= un && off + size <= gn; off += size) {
                bool used = false;
                for (size_t i = 0; i < n && !used; i++) {
                        _cleanup_json_ json_t *oc = engine_config(all[i]);
                        json_t *m = json_object_get(json_object_get(oc, "IDMappings"), "UidMap");
                        size_t k;
                        json_t *v;
                        json_array_foreach(m, k, v) {
                                uint64_t h = (uint64_t) json_integer_value(json_object_get(v, "HostID"));
                                uint64_t s = (uint64_t) json_integer_value(json_object_get(v, "Size"));
                                if (h < us + off + size && us + off < h + s)
                                        used = true;
                        }
                }
                if (!used && resdir)
                        used = reserved(resdir, us + off, size);
                if (!used) {
                        struct idmap_range vu[IDMAP_MAX], vg[IDMAP_MAX];
                        int ku = idmap_carve((struct idmap_range) { 0, (uint32_t) (us + off), (uint32_t) size },
                                             fu, nfu, vu, IDMAP_MAX);
                        int kg = idmap_carve((struct idmap_range) { 0, (uint32_t) (gs + off), (uint32_t) size },
                                             fg, nfg, vg, IDMAP_MAX);
                        if (ku < 0 || kg < 0)
                                return cu_error_setx(err, E2BIG, "invalid option to auto userns: too many mappings");
                        r = idmap_check(vu, (size_t) ku, "UID", err);
                        if (r >= 0)
                                r = idmap_check(vg, (size_t) kg, "GID", err);
                        if (r < 0)
                                return r;
                        if (resdir)
                                reserve(resdir, us + off, size);
                        for (int i = 0; i < ku; i++)
                                json_array_append_new(uid, json_pack("{s:I, s:I, s:I}", "ContainerID", (json_int_t) vu[i].ctr,
                                                                     "HostID", (json_int_t) vu[i].host, "Size", (json_int_t) vu[i].size));
                        for (int i = 0; i < kg; i++)
                                json_array_append_new(gid, json_pack("{s:I, s:I, s:I}", "ContainerID", (json_int_t) vg[i].ctr,
                                                                     "HostID", (json_int_t) vg[i].host, "Size", (json_int_t) vg[i].size));
                        return 0;
                }
        }
        return cu_error_setx(err, ENOSPC, "creating container storage: could not find enough available IDs");
}

static int userns_config(struct engine *e, json_t *c, const struct engine_sec_opts *o,
                         const char *mode, struct cu_error **err)
{
        json_t *uid = json_array(), *gid = json_array();
        json_object_set_new(c, "IDMappings", json_pack("{s:o, s:o}", "UidMap", uid, "GidMap", gid));
        const char *what[] = { "UID", "GID" };
        char **lists[] = { o->uidmap, o->gidmap };
        json_t *outs[] = { uid, gid };
        for (size_t k = 0; k < 2; k++)
                for (char **p = lists[k]; p && *p; p++) {
                        json_t *m = engine_idmap_parse(*p, NULL);
                        if (!m)
                                return cu_error_setx(err, EINVAL,
                                                     "initializing ID mappings: %s setting is malformed expected [\"uint32:uint32:uint32\"]: [\"%s\"]",
                                                     what[k], *p);
                        json_array_append_new(outs[k], m);
                }
        if (json_array_size(uid) && !json_array_size(gid))
                json_array_extend(gid, uid);
        if (json_array_size(gid) && !json_array_size(uid))
                json_array_extend(uid, gid);
        if (json_array_size(uid)) {
                struct idmap chk;
                int cr = idmap_from_config(json_object_get(c, "IDMappings"), &chk, err);
                if (cr < 0)
                        return cr;
        }
        bool maps = json_array_size(uid) > 0;
        if (strcmp(mode, "keep-id") == 0 || strncmp(mode, "keep-id:", 8) == 0)
                return cu_error_setx(err, EINVAL, "keep-id is only supported in rootless mode");
        if (strcmp(mode, "nomap") == 0)
                return cu_error_setx(err, EINVAL, "nomap is only supported in rootless mode");
        if (strncmp(mode, "auto", 4) == 0) {
                if (maps)
                        return cu_error_setx(err, EINVAL, "cannot specify both auto userns and --uidmap/--gidmap");
                int r = userns_auto(e, c, mode, uid, gid, err);
                if (r < 0)
                        return r;
                maps = true;
        }
        if (maps && (strcmp(mode, "host") == 0 || strncmp(mode, "container:", 10) == 0 ||
                     strncmp(mode, "ns:", 3) == 0) && (o->uidmap || o->gidmap) && o->userns)
                return cu_error_setx(err, EINVAL, "--userns and --uidmap/--gidmap cannot be used together");
        if (maps && access("/proc/self/ns/user", F_OK) != 0)
                return cu_error_setx(err, EOPNOTSUPP, "user namespaces are not supported on this system");
        json_object_set_new(c, "UsernsMode", json_string(maps ? (strncmp(mode, "auto", 4) == 0 ? mode : "private")
                                                              : strcmp(mode, "host") == 0 ? "" : mode));
        return 0;
}

int sec_config_namespaces(struct engine *e, json_t *c, const struct engine_create_opts *o,
                          struct cu_error **err)
{
        const struct engine_sec_opts *s = &o->sec;
        json_t *deps = json_array();
        json_object_set_new(c, "Dependencies", deps);
        const char *modes[] = {
                s->pid ? s->pid : s->default_pidns ? s->default_pidns : "private",
                s->ipc ? s->ipc : s->default_ipcns ? s->default_ipcns : "shareable",
                s->uts ? s->uts : s->default_utsns ? s->default_utsns : "private",
                s->cgroupns ? s->cgroupns
                : s->default_cgroupns ? s->default_cgroupns
                : access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0 ? "private"
                                                                         : "host",
        };
        for (size_t k = 0; k < ELEMENTSOF(modes); k++) {
                int r = ns_config(e, c, deps, &kinds[k], modes[k], err);
                if (r < 0)
                        return r;
        }
        const char *um = s->userns ? s->userns : s->default_userns && *s->default_userns ? s->default_userns : "host";
        int r = engine_ns_mode_check("user", um, err);
        if (r < 0)
                return r;
        if (strncmp(um, "container:", 10) == 0 || strncmp(um, "ns:", 3) == 0) {
                r = ns_config(e, c, deps, &kinds[4], um, err);
                if (r >= 0)
                        json_object_set_new(c, "IDMappings", json_pack("{s:[], s:[]}", "UidMap", "GidMap"));
        } else {
                r = userns_config(e, c, s, um, err);
        }
        if (r < 0)
                return r;

        /* sysctls: podman's checks, against the namespaces chosen */
        json_t *sys = json_object();
        json_object_set_new(c, "Sysctls", sys);
        const char *nm = json_string_value(json_object_get(c, "NetworkMode"));
        bool net_host = streq_ptr(nm, "host");
        bool ipc_host = streq_ptr(json_string_value(json_object_get(c, "IpcMode")), "host");
        bool uts_host = streq_ptr(json_string_value(json_object_get(c, "UTSMode")), "host");
        /* containers.conf's default_sysctls (containers-common's default: unprivileged ICMP
         * sockets, so that ping works without CAP_NET_RAW); as podman, a key is skipped when
         * its namespace is the host's (net.*: also another container's) */
        bool net_shared = net_host || (nm && (strncmp(nm, "container:", 10) == 0 || strncmp(nm, "ns:", 3) == 0));
        /* With a user namespace the network namespace (made by the engine) is not the
         * container root's to configure: the runtime could not write net.* there. */
        bool userns = idmap_config_has_userns(c);
        static char *const builtin_sysctls[] = { (char *) "net.ipv4.ping_group_range=0 0", NULL };
        char *const *defs = s->has_default_sysctls ? s->default_sysctls : builtin_sysctls;
        for (char *const *p = defs; p && *p; p++) {
                const char *eq = strchr(*p, '=');
                if (!eq || eq == *p)
                        return cu_error_setx(err, EINVAL, "containers.conf default_sysctls: %s is invalid, "
                                             "sysctl values must be in the form of KEY=VALUE", *p);
                _cleanup_free_ char *key = strndup(*p, (size_t) (eq - *p));
                if (!key)
                        return -ENOMEM;
                if (((net_shared || userns) && strncmp(key, "net.", 4) == 0) ||
                    (ipc_host && strncmp(key, "fs.mqueue.", 10) == 0) ||
                    (uts_host && (strcmp(key, "kernel.domainname") == 0 || strcmp(key, "kernel.hostname") == 0))) {
                        log_debug("default sysctl %s ignored: its namespace is shared", *p);
                        continue;
                }
                r = engine_sysctl_check(key, net_host, ipc_host, uts_host, err);
                if (r < 0)
                        return cu_error_prefix(err, r, "containers.conf default_sysctls");
                json_object_set_new(sys, key, json_string(eq + 1));
        }
        for (char **p = s->sysctls; p && *p; p++) {
                const char *eq = strchr(*p, '=');
                if (!eq || eq == *p)
                        return cu_error_setx(err, EINVAL,
                                             "%s is invalid, sysctl values must be in the form of KEY=VALUE", *p);
                _cleanup_free_ char *key = strndup(*p, (size_t) (eq - *p));
                if (!key)
                        return -ENOMEM;
                struct cu_error *e2 = NULL;
                r = engine_sysctl_check(key, net_host, ipc_host, uts_host, &e2);
                if (r < 0) {
                        bool shared = strstr(cu_error_msg(e2), "can't be set") != NULL;
                        if (shared)
                                cu_error_setx(err, EINVAL, "sysctl %s %s: invalid argument", *p, cu_error_msg(e2));
                        else
                                cu_error_setx(err, EINVAL, "%s", cu_error_msg(e2));
                        cu_error_free(e2);
                        return r;
                }
                json_object_set_new(sys, key, json_string(eq + 1));
        }
        return 0;
}

/* The pid of a running dependency (started first when it is not). */
static int dep_pid(struct engine *e, const char *id, bool start, pid_t *ret, char **ret_hostname,
                   struct cu_error **err)
{
        _cleanup_ctr_record_ struct ctr_record *r = NULL;
        int ret_ = engine_get(e, id, &r, err);
        if (ret_ < 0)
                return cu_error_prefix(err, ret_, "retrieving dependency %s", id);
        if (!engine_is_running(r) && start) {
                ret_ = engine_start(e, id, NULL, err);
                if (ret_ < 0)
                        return cu_error_prefix(err, ret_, "starting dependency %s", id);
                ctr_record_free(TAKE_PTR(r));
                ret_ = engine_get(e, id, &r, err);
                if (ret_ < 0)
                        return ret_;
        }
        if (!engine_is_running(r) || r->pid <= 0)
                return cu_error_setx(err, EINVAL, "dependency container %s is not running: container state improper", id);
        *ret = (pid_t) r->pid;
        if (ret_hostname) {
                _cleanup_json_ json_t *dc = engine_config(r);
                const char *hn = json_string_value(json_object_get(dc, "Hostname"));
                char shortid[13];
                snprintf(shortid, sizeof shortid, "%.12s", r->id);
                *ret_hostname = strdup(hn && *hn ? hn : shortid);
        }
        return 0;
}

bool sec_spec_has_ns(json_t *spec, const char *type, const char **ret_path)
{
        json_t *ns = json_object_get(json_object_get(spec, "linux"), "namespaces");
        size_t i;
        json_t *v;
        json_array_foreach(ns, i, v)
                if (streq_ptr(json_string_value(json_object_get(v, "type")), type)) {
                        if (ret_path)
                                *ret_path = json_string_value(json_object_get(v, "path"));
                        return true;
                }
        return false;
}

static void ns_set(json_t *lnx, const char *type, const char *path, bool present)
{
        json_t *ns = json_object_get(lnx, "namespaces");
        for (size_t k = json_array_size(ns); k-- > 0;)
                if (streq_ptr(json_string_value(json_object_get(json_array_get(ns, k), "type")), type))
                        json_array_remove(ns, k);
        if (!present)
                return;
        json_t *n = json_pack("{s:s}", "type", type);
        if (path)
                json_object_set_new(n, "path", json_string(path));
        json_array_append_new(ns, n);
}

/* HOSTNAME as the user gave it wins. */
static bool user_env_has(json_t *c, const char *name)
{
        size_t i, nl = strlen(name);
        json_t *v;
        json_array_foreach(json_object_get(c, "Env"), i, v) {
                const char *s = json_string_value(v);
                if (s && strncmp(s, name, nl) == 0 && s[nl] == '=')
                        return true;
        }
        return false;
}

int sec_spec_namespaces(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err)
{
        json_t *c = x->c;
        json_t *lnx = json_object_get(spec, "linux");
        for (size_t k = 0; k < ELEMENTSOF(kinds); k++) {
                const char *mode = json_string_value(json_object_get(c, kinds[k].key));
                if (!mode) /* a config from before this area: the defaults */
                        mode = k == 3 ? (access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0 ? "private" : "host")
                                      : "";
                bool is_uts = strcmp(kinds[k].spec, "uts") == 0;
                if (strcmp(mode, "host") == 0) {
                        ns_set(lnx, kinds[k].spec, NULL, false);
                        if (is_uts) {
                                char hn[256] = "";
                                (void) gethostname(hn, sizeof hn - 1);
                                json_object_del(spec, "hostname");
                                if (!user_env_has(c, "HOSTNAME"))
                                        engine_spec_env_set(spec, "HOSTNAME", hn, false);
                        }
                } else if (strncmp(mode, "container:", 10) == 0) {
                        pid_t pid = 0;
                        _cleanup_free_ char *hn = NULL;
                        if (!x->e) { /* inspect / unit tests: no state to look at */
                                ns_set(lnx, kinds[k].spec, "/proc/0/ns/x", true);
                                continue;
                        }
                        int r = dep_pid(x->e, mode + 10, x->write_files, &pid, is_uts ? &hn : NULL, err);
                        if (r < 0)
                                return r;
                        char path[64];
                        snprintf(path, sizeof path, "/proc/%d/ns/%s", (int) pid, kinds[k].proc);
                        ns_set(lnx, kinds[k].spec, path, true);
                        if (is_uts) {
                                json_object_del(spec, "hostname");
                                if (hn && !user_env_has(c, "HOSTNAME"))
                                        engine_spec_env_set(spec, "HOSTNAME", hn, false);
                        }
                        if (strcmp(kinds[k].spec, "user") == 0 &&
                            !json_array_size(json_object_get(lnx, "uidMappings"))) {
                                /* runtimes want a mapping even when joining */
                                json_object_set_new(lnx, "uidMappings", json_pack("[{s:i, s:i, s:i}]", "containerID", 0, "hostID", 0, "size", 1));
                                json_object_set_new(lnx, "gidMappings", json_pack("[{s:i, s:i, s:i}]", "containerID", 0, "hostID", 0, "size", 1));
                        }
                } else if (strncmp(mode, "ns:", 3) == 0) {
                        ns_set(lnx, kinds[k].spec, mode + 3, true);
                        if (is_uts)
                                json_object_del(spec, "hostname");
                } else if (strcmp(kinds[k].spec, "user") != 0) {
                        ns_set(lnx, kinds[k].spec, NULL, true);
                }
        }
        /* user namespace with mappings */
        json_t *idm = json_object_get(c, "IDMappings");
        json_t *um = json_object_get(idm, "UidMap"), *gm = json_object_get(idm, "GidMap");
        if (json_array_size(um) > 0) {
                ns_set(lnx, "user", NULL, true);
                const char *keys[] = { "uidMappings", "gidMappings" };
                json_t *src[] = { um, gm };
                for (size_t k = 0; k < 2; k++) {
                        json_t *a = json_array();
                        size_t i;
                        json_t *m;
                        json_array_foreach(src[k], i, m)
                                json_array_append_new(a, json_pack("{s:O, s:O, s:O}", "containerID",
                                                                   json_object_get(m, "ContainerID"), "hostID",
                                                                   json_object_get(m, "HostID"), "size",
                                                                   json_object_get(m, "Size")));
                        json_object_set_new(lnx, keys[k], a);
                }
        }
        json_t *sys = json_object_get(c, "Sysctls");
        if (json_object_size(sys) > 0)
                json_object_set_new(lnx, "sysctl", json_deep_copy(sys));
        return engine_idmap_spec_root(spec, x, err);
}

void sec_inspect_namespaces(json_t *c, json_t *host, json_t *out)
{
        const char *keys[] = { "PidMode", "IpcMode", "UTSMode", "CgroupnsMode", "UsernsMode" };
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                const char *m = json_string_value(json_object_get(c, keys[i]));
                json_object_set_new(host, keys[i], json_string(m ? m : i == 4 ? "" : "private"));
        }
        const char *cg = json_string_value(json_object_get(c, "CgroupnsMode"));
        json_object_set_new(host, "CgroupMode", json_string(cg ? cg : "host"));
        json_t *sys = json_object_get(c, "Sysctls");
        json_object_set_new(host, "Sysctls", json_object_size(sys) ? json_deep_copy(sys) : json_null());
        json_t *idm = json_object_get(c, "IDMappings");
        if (idmap_config_has_userns(c)) {
                /* podman: {"UidMap": ["0:100000:65536"], "GidMap": [...]} */
                json_t *v = json_object();
                const char *mk[] = { "UidMap", "GidMap" };
                for (size_t k = 0; k < 2; k++) {
                        json_t *a = json_array(), *m;
                        size_t i;
                        json_array_foreach(json_object_get(idm, mk[k]), i, m) {
                                char buf[64];
                                snprintf(buf, sizeof buf, "%lld:%lld:%lld",
                                         (long long) json_integer_value(json_object_get(m, "ContainerID")),
                                         (long long) json_integer_value(json_object_get(m, "HostID")),
                                         (long long) json_integer_value(json_object_get(m, "Size")));
                                json_array_append_new(a, json_string(buf));
                        }
                        json_object_set_new(v, mk[k], a);
                }
                json_object_set_new(host, "IDMappings", v);
        }
        json_t *deps = json_object_get(c, "Dependencies");
        json_object_set_new(out, "Dependencies", deps ? json_deep_copy(deps) : json_array());
}

int engine_namespaces_check_remove(struct engine *e, const struct ctr_record *r,
                                   struct cu_error **err)
{
        _cleanup_(ctr_record_list_freep) struct ctr_record **all = NULL;
        size_t n = 0;
        if (ctr_list(e->db, &all, &n, NULL) < 0)
                return 0;
        _cleanup_strv_ char **users = NULL;
        for (size_t i = 0; i < n; i++) {
                if (strcmp(all[i]->id, r->id) == 0)
                        continue;
                _cleanup_json_ json_t *oc = engine_config(all[i]);
                if (!is_dep(json_object_get(oc, "Dependencies"), r->id))
                        continue;
                (void) engine_refresh(e, all[i], false);
                if (engine_is_running(all[i]) && strv_extend(&users, all[i]->id) < 0)
                        return -ENOMEM;
        }
        if (!users)
                return 0;
        _cleanup_free_ char *list = strv_join(users, ", ");
        return cu_error_setx(err, EEXIST,
                             "container %s has dependent containers which must be removed before it: %s: container already exists",
                             r->id, strempty(list));
}
