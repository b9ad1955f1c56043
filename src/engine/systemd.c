/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * systemd mode (--systemd true|false|always; "true" turns it on when the command is systemd
 * or init): systemd expects tmpfs on /run, /run/lock, /tmp and /var/log/journal, a writable
 * cgroup of its own (cgroup v2: /sys/fs/cgroup; v1: the name=systemd hierarchy), the
 * container_uuid variable, and SIGRTMIN+3 to stop.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "engine/security-int.h"
#include "util/json.h"
#include "util/strv.h"

/* SIGRTMIN+3 as the kernel numbers it (glibc's SIGRTMIN is 34). */
#define SYSTEMD_STOP_SIGNAL 37

int engine_systemd_mode(const char *mode, const char *command, bool *ret, struct cu_error **err)
{
        if (!mode)
                mode = "true";
        if (strcmp(mode, "always") == 0) {
                *ret = true;
                return 0;
        }
        if (strcmp(mode, "false") == 0) {
                *ret = false;
                return 0;
        }
        if (strcmp(mode, "true") != 0)
                return cu_error_setx(err, EINVAL,
                                     "invalid config provided: --systemd values must be one of \"true, false, always\": invalid configuration");
        *ret = false;
        if (command) {
                const char *base = strrchr(command, '/');
                base = base ? base + 1 : command;
                *ret = strcmp(command, "/sbin/init") == 0 || strcmp(command, "/usr/sbin/init") == 0 ||
                       strcmp(command, "/usr/local/sbin/init") == 0 || strcmp(base, "systemd") == 0;
        }
        return 0;
}

int sec_config_systemd(json_t *c, const struct engine_create_opts *o, struct cu_error **err)
{
        const char *cmd = json_string_value(json_array_get(json_object_get(c, "Entrypoint"), 0));
        if (!cmd)
                cmd = json_string_value(json_array_get(json_object_get(c, "Cmd"), 0));
        bool on = false;
        int r = engine_systemd_mode(o->sec.systemd, cmd, &on, err);
        if (r < 0)
                return r;
        json_object_set_new(c, "Systemd", json_string(o->sec.systemd ? o->sec.systemd : "true"));
        json_object_set_new(c, "SystemdMode", json_boolean(on));
        if (on && !o->stop_signal)
                json_object_set_new(c, "StopSignal", json_integer(SYSTEMD_STOP_SIGNAL));
        return 0;
}

static bool has_mount(json_t *spec, const char *dst)
{
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(spec, "mounts"), i, m)
                if (streq_ptr(json_string_value(json_object_get(m, "destination")), dst))
                        return true;
        return false;
}

static void remove_mount(json_t *spec, const char *dst)
{
        json_t *ms = json_object_get(spec, "mounts");
        for (size_t k = json_array_size(ms); k-- > 0;)
                if (streq_ptr(json_string_value(json_object_get(json_array_get(ms, k), "destination")), dst))
                        json_array_remove(ms, k);
}

int sec_spec_systemd(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err)
{
        (void) err;
        json_t *c = x->c;
        if (!json_is_true(json_object_get(c, "SystemdMode")))
                return 0;
        bool uuid_set = false;
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(c, "Env"), i, v)
                if (strncmp(strempty(json_string_value(v)), "container_uuid=", 15) == 0)
                        uuid_set = true;
        if (!uuid_set) {
                char uuid[33];
                snprintf(uuid, sizeof uuid, "%.32s", x->id);
                if (engine_spec_env_set(spec, "container_uuid", uuid, false) < 0)
                        return -ENOMEM;
        }
        json_t *mounts = json_object_get(spec, "mounts");
        const char *tmpfs[] = { "/run", "/run/lock", "/tmp", "/var/log/journal" };
        for (size_t k = 0; k < ELEMENTSOF(tmpfs); k++)
                if (!has_mount(spec, tmpfs[k]))
                        json_array_append_new(mounts, json_pack("{s:s, s:s, s:s, s:[s, s, s, s, s]}",
                                                                "destination", tmpfs[k], "type", "tmpfs",
                                                                "source", "tmpfs", "options", "rw", "rprivate",
                                                                "nosuid", "nodev", "tmpcopyup"));
        if (access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0) {
                remove_mount(spec, "/sys/fs/cgroup");
                if (sec_spec_has_ns(spec, "cgroup", NULL))
                        json_array_append_new(mounts, json_pack("{s:s, s:s, s:s, s:[s, s]}", "destination",
                                                                "/sys/fs/cgroup", "type", "cgroup", "source",
                                                                "cgroup", "options", "private", "rw"));
                else
                        json_array_append_new(mounts, json_pack("{s:s, s:s, s:s, s:[s, s, s]}", "destination",
                                                                "/sys/fs/cgroup", "type", "bind", "source",
                                                                "/sys/fs/cgroup", "options", "bind", "private",
                                                                "rw"));
                return 0;
        }
        /* cgroup v1: the name=systemd hierarchy, with the host mount's flags */
        json_t *opts = json_pack("[s, s]", "bind", "rprivate");
        struct statvfs sv;
        if (statvfs("/sys/fs/cgroup/systemd", &sv) < 0) {
                json_array_append_new(opts, json_string("nodev"));
                json_array_append_new(opts, json_string("noexec"));
                json_array_append_new(opts, json_string("nosuid"));
        } else {
                if (sv.f_flag & ST_NODEV)
                        json_array_append_new(opts, json_string("nodev"));
                if (sv.f_flag & ST_NOEXEC)
                        json_array_append_new(opts, json_string("noexec"));
                if (sv.f_flag & ST_NOSUID)
                        json_array_append_new(opts, json_string("nosuid"));
                if (sv.f_flag & ST_RDONLY)
                        json_array_append_new(opts, json_string("ro"));
        }
        json_array_append_new(mounts, json_pack("{s:s, s:s, s:s, s:o}", "destination",
                                                "/sys/fs/cgroup/systemd", "type", "bind", "source",
                                                "/sys/fs/cgroup/systemd", "options", opts));
        json_t *lnx = json_object_get(spec, "linux");
        json_t *masked = json_object_get(lnx, "maskedPaths");
        if (!masked) {
                masked = json_array();
                json_object_set_new(lnx, "maskedPaths", masked);
        }
        json_array_append_new(masked, json_string("/sys/fs/cgroup/systemd/release_agent"));
        return 0;
}
