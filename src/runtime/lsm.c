/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lsm.h"
#include "util/fileio.h"
#include "util/log.h"

#define APPARMOR_ENABLED "/sys/module/apparmor/parameters/enabled"
#define APPARMOR_EXEC "/proc/self/attr/apparmor/exec"
#define SELINUX_ENFORCE "/sys/fs/selinux/enforce"
#define ATTR_EXEC "/proc/self/attr/exec"

/* Answers are cached: after pivot_root the files are the container's (its
 * /sys may lack selinuxfs or be absent), so the probe must happen on the
 * host side first; a child forked after that inherits the cache. */
static int apparmor_cached = -1, selinux_cached = -1;

bool lsm_apparmor_enabled(void)
{
        if (apparmor_cached < 0) {
                _cleanup_free_ char *s = NULL;
                apparmor_cached = read_full_file(APPARMOR_ENABLED, &s, NULL, NULL) >= 0 &&
                                  s[0] == 'Y';
        }
        return apparmor_cached;
}

bool lsm_selinux_enabled(void)
{
        if (selinux_cached < 0)
                selinux_cached = access(SELINUX_ENFORCE, F_OK) == 0;
        return selinux_cached;
}

static int apparmor_apply(const char *profile, struct cu_error **err)
{
        /*
         * runc refuses a profile on a host without AppArmor.  We ignore it
         * instead: podman fills in its default profile ("containers-default-…")
         * from its own configuration, which says nothing about whether this
         * host (or this VM, or this CI runner) has AppArmor, and a container
         * that cannot be confined by an LSM that does not exist here is no
         * less confined than every other container on the host.
         */
        if (!lsm_apparmor_enabled()) {
                log_debug("AppArmor profile \"%s\": AppArmor is not enabled on this host, "
                          "ignoring",
                          profile);
                return 0;
        }

        /* Kernels since 5.8 have the per-LSM directory; older ones only the shared file. */
        const char *path = access(APPARMOR_EXEC, F_OK) == 0 ? APPARMOR_EXEC : ATTR_EXEC;
        size_t len = strlen("exec ") + strlen(profile) + 1;
        _cleanup_free_ char *cmd = malloc(len);
        if (!cmd)
                return cu_error_set(err, ENOMEM, "applying AppArmor profile \"%s\"", profile);
        snprintf(cmd, len, "exec %s", profile);

        int r = write_string_file(path, cmd);
        if (r == -ENOENT)
                return cu_error_setx(err, ENOENT,
                                     "applying AppArmor profile \"%s\": %s (is the profile "
                                     "loaded?)",
                                     profile, strerror(ENOENT));
        if (r < 0)
                return cu_error_set(err, -r, "applying AppArmor profile \"%s\"", profile);
        return 0;
}

static int selinux_apply(const char *label, struct cu_error **err)
{
        if (!lsm_selinux_enabled()) {
                log_debug("SELinux label \"%s\": SELinux is not enabled on this host, ignoring",
                          label);
                return 0;
        }
        int r = write_string_file(ATTR_EXEC, label);
        if (r < 0)
                return cu_error_set(err, -r, "setting SELinux exec label \"%s\"", label);
        return 0;
}

int lsm_apply_exec_label(const char *apparmor_profile, const char *selinux_label,
                         struct cu_error **err)
{
        int r;

        if (apparmor_profile && *apparmor_profile) {
                r = apparmor_apply(apparmor_profile, err);
                if (r < 0)
                        return r;
        }
        if (selinux_label && *selinux_label) {
                r = selinux_apply(selinux_label, err);
                if (r < 0)
                        return r;
        }
        return 0;
}
