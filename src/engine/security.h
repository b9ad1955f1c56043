/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Security and resources of a container (caps, seccomp, ulimits, devices, cgroup limits,
 * sysctls, namespaces, systemd mode) — their create/run options, and the parsers behind them
 * (pure: unit-tested in test-security.c, test-seccomp.c, test-resources.c).
 *
 * The CLI hands the options over as given (strings); the engine validates them at create with
 * podman's error texts, folds them into the container config (podman's inspect names:
 * Ulimits, Devices, SecurityOpt, PidMode, …) and turns the config into the spec at start.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

struct engine_sec_opts {
        char **security_opt;          /* --security-opt seccomp=…, no-new-privileges, mask=, … */
        char **ulimits;               /* --ulimit nofile=1024:2048, host */
        char **devices;               /* --device /dev/x[:/dev/y][:rwm] */
        char **device_cgroup_rules;   /* --device-cgroup-rule "c 1:3 rwm" */
        char **sysctls;               /* --sysctl k=v */
        const char *memory_swap;      /* --memory-swap SIZE or -1 */
        const char *memory_reservation;
        const char *cpus;             /* --cpus 1.5 */
        uint64_t cpu_shares, cpu_period;
        int64_t cpu_quota;
        const char *cpuset_cpus, *cpuset_mems;
        unsigned blkio_weight;        /* 0: unset; 10..1000 */
        int oom_score_adj;
        bool has_oom_score_adj;
        const char *pid, *ipc, *uts, *cgroupns, *userns; /* NULL: containers.conf's default */
        char **uidmap, **gidmap;      /* --uidmap ctr:host:size */
        const char *systemd;          /* true|false|always; NULL: true */
        const char *sdnotify;         /* container|conmon|ignore; NULL: container (notify.c) */
        unsigned preserve_fds;        /* run --preserve-fds (the CLI hands it to struct engine) */
        const char *cgroup_parent;
        /* containers.conf (borrowed; NULL: podman's built-in defaults) */
        char *const *default_ulimits;
        char *const *default_caps;
        bool has_default_caps;
        int64_t default_pids_limit;   /* 0 or -1: none */
        bool has_default_pids_limit;
        const char *default_pidns, *default_ipcns, *default_utsns, *default_cgroupns,
                *default_userns;
        char *const *default_sysctls; /* "k=v"; skipped where the namespace is the host's */
        bool has_default_sysctls;     /* false: "net.ipv4.ping_group_range=0 0" */
};

/* ------------------------------------------------------------------ capabilities */

/* Every capability the kernel knows ("CAP_CHOWN"…), NULL-terminated; and the default set. */
extern const char *const engine_caps_all[];
extern const char *const engine_caps_default[];
/* Every capability this process can give (its bounding set): --privileged's set. */
char **engine_caps_available(void);
/* "net_admin" / "NET_ADMIN" / "CAP_NET_ADMIN" → "CAP_NET_ADMIN" (malloc'd); NULL (errno
 * EINVAL) for a capability the kernel does not know. */
char *engine_cap_normalize(const char *s);

/* ------------------------------------------------------------------ ulimits (security.c) */

/* "nofile=1024:2048", "nproc=100", "core=-1" → {"Name":"RLIMIT_NOFILE","Soft":…,"Hard":…}.
 * Errors as podman: `ulimit option "x" requires name=SOFT:HARD, failed to be parsed: …`. */
json_t *engine_ulimit_parse(const char *s, struct cu_error **err);

/* ------------------------------------------------------------------ seccomp (seccomp.c) */

/* The default profile as a spec's linux.seccomp, for a process with the capabilities caps
 * (the bounding set; rules conditioned on a capability are kept only when it is there), on
 * the machine architecture arch ("x86_64", "aarch64", …; NULL: this machine's). */
json_t *engine_seccomp_default(char *const *caps, const char *arch);
/* A profile file in podman's format (defaultAction, architectures or archMap, syscalls with
 * includes/excludes) turned into a spec's linux.seccomp for caps and arch, as above. */
json_t *engine_seccomp_from_profile(json_t *profile, char *const *caps, const char *arch,
                                    struct cu_error **err);

/* ------------------------------------------------------------------ resources (resources.c) */

/* "1.5" → 1500000000 NanoCpus.  -EINVAL with podman's error. */
int engine_parse_cpus(const char *s, int64_t *ret_nano, struct cu_error **err);
/* A cpuset list "0-3,5".  -EINVAL. */
int engine_parse_cpuset(const char *s, struct cu_error **err);
/* A memory size "512m", "1g", "100000", or -1 (allow_minus_one).  -EINVAL. */
int engine_parse_memory(const char *s, bool allow_minus_one, int64_t *ret, struct cu_error **err);
/* The cgroup path of the spec: "<parent>/libpod-<id>" (cgroupfs; parent default
 * /libpod_parent) or "<slice>:libpod:<id>" for the systemd manager. */
char *engine_cgroup_path(const char *parent, const char *id, bool systemd_manager);

/* ------------------------------------------------------------------ devices (devices.c) */

/* "/dev/fuse", "/dev/sda:/dev/xvda:r" → {"PathOnHost","PathInContainer",
 * "CgroupPermissions"}.  -EINVAL with podman's texts. */
json_t *engine_device_parse(const char *s, struct cu_error **err);
/* "c 1:3 rwm", "a *:* m" → a spec device cgroup rule {allow, type, major, minor, access}. */
json_t *engine_device_cgroup_rule_parse(const char *s, struct cu_error **err);

/* ------------------------------------------------------------------ namespaces (namespaces.c) */

/* A namespace mode: "", "private", "host", "container:NAME", "ns:PATH" (plus "shareable" /
 * "none" for ipc, "auto[:opts]" / "keep-id" / "nomap" for user).  Validates the form only
 * (-EINVAL "invalid namespace mode"). */
int engine_ns_mode_check(const char *kind, const char *mode, struct cu_error **err);
/* "0:100000:65536" → {"ContainerID","HostID","Size"}.  -EINVAL. */
json_t *engine_idmap_parse(const char *s, struct cu_error **err);
/* Podman's sysctl checks: namespaced keys only (kernel.msg*, kernel.sem, kernel.shm*,
 * fs.mqueue.*, net.*, kernel.hostname, kernel.domainname), and not in a namespace shared with
 * the host (net with --network host, ipc keys with --ipc host, uts keys with --uts host). */
int engine_sysctl_check(const char *key, bool net_host, bool ipc_host, bool uts_host,
                        struct cu_error **err);

/* ------------------------------------------------------------------ systemd (systemd.c) */

/* Whether the command runs in systemd mode: "always", or "true" and the command is
 * systemd or init (/sbin/init, /usr/sbin/init, /usr/local/sbin/init, any path ending in
 * "systemd").  -EINVAL for another mode. */
int engine_systemd_mode(const char *mode, const char *command, bool *ret, struct cu_error **err);
