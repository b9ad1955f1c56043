/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The features document (runtime-spec features.md). */
#include "mount-opts.h"
#include "runtime.h"
#include "seccomp-filter.h"

json_t *runtime_features(void)
{
        json_t *hooks = json_pack("[s,s,s,s,s,s]", "prestart", "createRuntime", "createContainer",
                                  "startContainer", "poststart", "poststop");
        json_t *mount_opts = json_array();
        for (const char *const *n = mount_opts_names(); *n; n++)
                json_array_append_new(mount_opts, json_string(*n));
        json_t *ns = json_pack("[s,s,s,s,s,s,s,s]", "cgroup", "ipc", "mount", "network", "pid",
                               "user", "uts", "time");
        json_t *caps = json_array();
        for (int c = 0; c <= 40; c++) {
                static const char *const names[] = {
                        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
                        "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
                        "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
                        "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
                        "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
                        "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
                        "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
                        "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
                        "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
                        "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
                        "CAP_CHECKPOINT_RESTORE",
                };
                json_array_append_new(caps, json_string(names[c]));
        }
        json_t *linux_ = json_pack("{s:o, s:o, s:{s:b, s:b, s:b}, s:o, s:{s:b}, s:{s:b}, "
                                   "s:{s:b, s:b}, s:{s:{s:b}}}",
                                   "namespaces", ns, "capabilities", caps, "cgroup", "v1", 1, "v2",
                                   1, "systemd", 0, "seccomp", seccomp_features_json(),
                                   "apparmor", "enabled", 1, "selinux", "enabled", 1,
                                   "intelRdt", "enabled", 0, "schemata", 0, "mountExtensions",
                                   "idmap", "enabled", 0);
        return json_pack("{s:s, s:s, s:o, s:o, s:o, s:{s:s}}", "ociVersionMin", "1.0.0",
                         "ociVersionMax", "1.1.0", "hooks", hooks, "mountOptions", mount_opts,
                         "linux", linux_, "annotations", "org.opencontainers.runtime-spec.features",
                         "cuttle");
}
