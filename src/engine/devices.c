/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Devices of a container: --device HOST[:CONTAINER][:PERMS] (a directory adds every device
 * below it), --device-cgroup-rule, and --privileged (every device of the host's /dev).
 * Host paths are checked at create; the devices are looked at again at start (a device node
 * may have changed since), giving linux.devices and the cgroup's allow rules.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "engine/security-int.h"
#include "util/json.h"
#include "util/strv.h"

static bool device_mode_valid(const char *m)
{
        if (!*m || strlen(m) > 3)
                return false;
        bool seen[3] = { false, false, false };
        for (const char *p = m; *p; p++) {
                const char *k = strchr("rwm", *p);
                if (!*p || !k || seen[k - "rwm"])
                        return false;
                seen[k - "rwm"] = true;
        }
        return true;
}

json_t *engine_device_parse(const char *s, struct cu_error **err)
{
        _cleanup_strv_ char **parts = strv_split(s, ":");
        if (!parts)
                return NULL;
        size_t n = strv_length(parts);
        const char *src = n > 0 ? parts[0] : "", *dst = NULL, *perms = "rwm";
        if (n == 0 || n > 3 || !*src) {
                cu_error_setx(err, EINVAL, "invalid device specification: %s", s);
                return NULL;
        }
        if (n == 2) {
                if (device_mode_valid(parts[1]))
                        perms = parts[1];
                else if (parts[1][0] == '/')
                        dst = parts[1];
                else {
                        cu_error_setx(err, EINVAL, "invalid device mode: %s", parts[1]);
                        return NULL;
                }
        } else if (n == 3) {
                if (!device_mode_valid(parts[2])) {
                        cu_error_setx(err, EINVAL, "invalid device mode: %s", parts[2]);
                        return NULL;
                }
                dst = parts[1];
                perms = parts[2];
                if (dst[0] != '/') {
                        cu_error_setx(err, EINVAL, "invalid device specification: %s", s);
                        return NULL;
                }
        }
        return json_pack("{s:s, s:s, s:s}", "PathOnHost", src, "PathInContainer", dst ? dst : src,
                         "CgroupPermissions", perms);
}

json_t *engine_device_cgroup_rule_parse(const char *s, struct cu_error **err)
{
        char type = 0;
        char maj[24], min[24], acc[8];
        int used = 0;
        bool ok = sscanf(s, "%c %23[0-9*]:%23[0-9*] %7[rwm]%n", &type, maj, min, acc, &used) == 4 &&
                  (size_t) used == strlen(s) && strchr("abc", type) && device_mode_valid(acc) &&
                  (strcmp(maj, "*") == 0 || !strchr(maj, '*')) &&
                  (strcmp(min, "*") == 0 || !strchr(min, '*'));
        if (!ok) {
                cu_error_setx(err, EINVAL,
                              "invalid device cgroup rule requires type, major:Minor, and access rules: \"%s\"", s);
                return NULL;
        }
        char t[2] = { type, 0 };
        json_t *r = json_pack("{s:b, s:s, s:s}", "allow", 1, "type", t, "access", acc);
        if (r && strcmp(maj, "*") != 0)
                json_object_set_new(r, "major", json_integer(strtoll(maj, NULL, 10)));
        if (r && strcmp(min, "*") != 0)
                json_object_set_new(r, "minor", json_integer(strtoll(min, NULL, 10)));
        return r;
}

int sec_config_devices(json_t *c, const struct engine_create_opts *o, struct cu_error **err)
{
        json_t *devs = json_array(), *rules = json_array();
        json_object_set_new(c, "Devices", devs);
        json_object_set_new(c, "DeviceCgroupRules", rules);
        for (char **p = o->sec.devices; p && *p; p++) {
                json_t *d = engine_device_parse(*p, err);
                if (!d)
                        return -EINVAL;
                json_array_append_new(devs, d);
                const char *src = json_string_value(json_object_get(d, "PathOnHost"));
                struct stat st;
                char eb[128];
                if (stat(src, &st) < 0) {
                        int e = errno;
                        return cu_error_setx(err, e, "stat %s: %s", src, sec_strerror(e, eb));
                }
                if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode) && !S_ISDIR(st.st_mode))
                        return cu_error_setx(err, EINVAL, "%s is not a valid device", src);
        }
        for (char **p = o->sec.device_cgroup_rules; p && *p; p++) {
                json_t *r = engine_device_cgroup_rule_parse(*p, err);
                if (!r)
                        return -EINVAL;
                json_decref(r);
                json_array_append_new(rules, json_string(*p));
        }
        return 0;
}

static bool spec_has_device(json_t *list, const char *path)
{
        size_t i;
        json_t *d;
        json_array_foreach(list, i, d)
                if (streq_ptr(json_string_value(json_object_get(d, "path")), path))
                        return true;
        return false;
}

/* Adds the device node host (stat'ed) as ctr with cgroup access perms (NULL: no rule). */
static int add_device(json_t *devices, json_t *rules, const char *host, const char *ctr,
                      const char *perms, struct cu_error **err)
{
        struct stat st;
        if (stat(host, &st) < 0)
                return cu_error_set(err, errno, "stat %s", host);
        if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
                return 0;
        char t[2] = { S_ISCHR(st.st_mode) ? 'c' : 'b', 0 };
        if (!spec_has_device(devices, ctr))
                json_array_append_new(
                        devices, json_pack("{s:s, s:s, s:I, s:I, s:i, s:i, s:i}", "path", ctr, "type", t,
                                           "major", (json_int_t) major(st.st_rdev), "minor",
                                           (json_int_t) minor(st.st_rdev), "fileMode",
                                           (int) (st.st_mode & 07777), "uid", (int) st.st_uid, "gid",
                                           (int) st.st_gid));
        if (perms && rules)
                json_array_append_new(rules, json_pack("{s:b, s:s, s:I, s:I, s:s}", "allow", 1, "type", t,
                                                       "major", (json_int_t) major(st.st_rdev), "minor",
                                                       (json_int_t) minor(st.st_rdev), "access", perms));
        return 0;
}

/* Every device below host (a directory), as the same path below ctr. */
static int add_device_dir(json_t *devices, json_t *rules, const char *host, const char *ctr,
                          const char *perms, bool privileged, int depth, struct cu_error **err)
{
        static const char *const skip[] = { "pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts",
                                            ".udev", NULL };
        /* the runtime makes these itself (and the console is the container's terminal) */
        static const char *const own[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random",
                                           "/dev/urandom", "/dev/tty", "/dev/console", "/dev/ptmx",
                                           NULL };
        if (depth > 8)
                return 0;
        _cleanup_closedir_ DIR *d = opendir(host);
        if (!d)
                return cu_error_set(err, errno, "open %s", host);
        struct dirent *de;
        while ((de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (privileged && depth == 0 && strv_contains((char *const *) skip, de->d_name))
                        continue;
                _cleanup_free_ char *hp = NULL, *cp = NULL;
                if (asprintf(&hp, "%s/%s", host, de->d_name) < 0 ||
                    asprintf(&cp, "%s/%s", ctr, de->d_name) < 0)
                        return -ENOMEM;
                if (privileged && strv_contains((char *const *) own, cp))
                        continue;
                struct stat st;
                if (lstat(hp, &st) < 0)
                        continue;
                int r = 0;
                if (S_ISDIR(st.st_mode))
                        r = add_device_dir(devices, rules, hp, cp, perms, privileged, depth + 1, err);
                else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
                        r = add_device(devices, rules, hp, cp, perms, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int sec_spec_devices(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err)
{
        json_t *c = x->c;
        json_t *lnx = json_object_get(spec, "linux");
        json_t *devices = json_object_get(lnx, "devices");
        if (!devices) {
                devices = json_array();
                json_object_set_new(lnx, "devices", devices);
        }
        json_t *res = json_object_get(lnx, "resources");
        json_t *rules = json_object_get(res, "devices");
        if (!rules) {
                rules = json_array();
                json_object_set_new(res, "devices", rules);
        }
        bool privileged = json_is_true(json_object_get(c, "Privileged"));
        if (privileged) {
                json_array_clear(rules);
                json_array_append_new(rules, json_pack("{s:b, s:s}", "allow", 1, "access", "rwm"));
                int r = add_device_dir(devices, NULL, "/dev", "/dev", NULL, true, 0, err);
                if (r < 0)
                        return r;
        }
        size_t i;
        json_t *d;
        json_array_foreach(json_object_get(c, "Devices"), i, d) {
                const char *host = json_string_value(json_object_get(d, "PathOnHost"));
                const char *ctr = json_string_value(json_object_get(d, "PathInContainer"));
                const char *perms = json_string_value(json_object_get(d, "CgroupPermissions"));
                if (!host || !ctr)
                        continue;
                struct stat st;
                if (stat(host, &st) < 0)
                        return cu_error_set(err, errno, "stat %s", host);
                int r = S_ISDIR(st.st_mode)
                                ? add_device_dir(devices, privileged ? NULL : rules, host, ctr, perms, false, 0, err)
                                : add_device(devices, privileged ? NULL : rules, host, ctr, perms, err);
                if (r < 0)
                        return r;
        }
        if (!privileged)
                json_array_foreach(json_object_get(c, "DeviceCgroupRules"), i, d) {
                        json_t *rule = engine_device_cgroup_rule_parse(json_string_value(d), err);
                        if (!rule)
                                return -EINVAL;
                        json_array_append_new(rules, rule);
                }
        return 0;
}

void sec_inspect_devices(json_t *c, json_t *host)
{
        json_t *devs = json_array();
        size_t i;
        json_t *d;
        json_array_foreach(json_object_get(c, "Devices"), i, d)
                json_array_append_new(devs, json_pack("{s:O, s:O, s:s}", "PathOnHost",
                                                      json_object_get(d, "PathOnHost"), "PathInContainer",
                                                      json_object_get(d, "PathInContainer"),
                                                      "CgroupPermissions", ""));
        json_object_set_new(host, "Devices", devs);
        json_t *r = json_object_get(c, "DeviceCgroupRules");
        json_object_set_new(host, "DeviceCgroupRules", json_array_size(r) ? json_deep_copy(r) : json_null());
}
