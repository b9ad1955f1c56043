/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The OCI runtime-spec (1.1) model: written by the engine, read by the
 * runtime.  Plain structs; arrays are pointer + count; strings are owned
 * (free()d by oci_spec_free()).  A field that was absent in the JSON is
 * NULL / 0 with its has_* flag false where 0 is a meaningful value.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

/* "RLIMIT_*" names indexed by resource number (RLIMIT_CPU … RLIMIT_RTTIME). */
#define OCI_RLIMIT_MAX 16
extern const char *const oci_rlimit_names[OCI_RLIMIT_MAX];
/* "RLIMIT_NOFILE" → RLIMIT_NOFILE; -EINVAL when unknown. */
int oci_rlimit_from_string(const char *s);

struct oci_rlimit {
        char *type; /* "RLIMIT_NOFILE" */
        int resource; /* resolved RLIMIT_* number */
        uint64_t hard;
        uint64_t soft;
};

struct oci_capabilities {
        /* NULL-terminated vectors of "CAP_*" names; NULL when absent. */
        char **bounding, **effective, **inheritable, **permitted, **ambient;
};

struct oci_user {
        uid_t uid;
        gid_t gid;
        bool has_umask;
        mode_t umask;
        gid_t *additional_gids;
        size_t n_additional_gids;
        char *username; /* windows only; ignored */
};

struct oci_box {
        unsigned height, width;
};

struct oci_process {
        bool terminal;
        bool has_console_size;
        struct oci_box console_size;
        struct oci_user user;
        char **args; /* NULL-terminated */
        char **env; /* NULL-terminated, may be NULL */
        char *cwd;
        struct oci_capabilities caps;
        bool has_capabilities;
        struct oci_rlimit *rlimits;
        size_t n_rlimits;
        bool no_new_privileges;
        char *apparmor_profile;
        bool has_oom_score_adj;
        int oom_score_adj;
        char *selinux_label;
};

struct oci_root {
        char *path;
        bool readonly;
};

struct oci_mount {
        char *destination;
        char *source;
        char *type;
        char **options; /* NULL-terminated, may be NULL */
        struct oci_idmap *uid_mappings, *gid_mappings;
        size_t n_uid_mappings, n_gid_mappings;
};

struct oci_hook {
        char *path;
        char **args;
        char **env;
        bool has_timeout;
        int timeout; /* seconds, > 0 */
};

enum oci_hook_kind {
        OCI_HOOK_PRESTART,
        OCI_HOOK_CREATE_RUNTIME,
        OCI_HOOK_CREATE_CONTAINER,
        OCI_HOOK_START_CONTAINER,
        OCI_HOOK_POSTSTART,
        OCI_HOOK_POSTSTOP,
        _OCI_HOOK_MAX,
};

extern const char *const oci_hook_kind_names[_OCI_HOOK_MAX]; /* JSON keys */

struct oci_hooks {
        struct oci_hook *hooks[_OCI_HOOK_MAX];
        size_t n_hooks[_OCI_HOOK_MAX];
};

enum oci_ns_type {
        OCI_NS_PID,
        OCI_NS_NETWORK,
        OCI_NS_MOUNT,
        OCI_NS_IPC,
        OCI_NS_UTS,
        OCI_NS_USER,
        OCI_NS_CGROUP,
        OCI_NS_TIME,
        _OCI_NS_MAX,
        _OCI_NS_INVALID = -22,
};

extern const char *const oci_ns_type_names[_OCI_NS_MAX]; /* "pid", "network", ... */
extern const int oci_ns_clone_flags[_OCI_NS_MAX]; /* CLONE_NEWPID, ... */
extern const char *const oci_ns_proc_names[_OCI_NS_MAX]; /* /proc/PID/ns/<name> */
enum oci_ns_type oci_ns_type_from_string(const char *s);

struct oci_namespace {
        enum oci_ns_type type;
        char *path; /* NULL: create a new one */
};

struct oci_idmap {
        uint32_t container_id, host_id, size;
};

struct oci_device {
        char *path;
        char type; /* 'c', 'b', 'u', 'p' */
        int64_t major, minor;
        bool has_file_mode;
        mode_t file_mode;
        bool has_uid, has_gid;
        uid_t uid;
        gid_t gid;
};

struct oci_device_cgroup {
        bool allow;
        char type; /* 'a', 'c', 'b' */
        int64_t major, minor; /* -1: wildcard */
        char *access; /* "rwm" */
};

struct oci_weight_device {
        int64_t major, minor;
        bool has_weight, has_leaf_weight;
        uint16_t weight, leaf_weight;
};

struct oci_throttle_device {
        int64_t major, minor;
        uint64_t rate;
};

struct oci_hugepage_limit {
        char *page_size;
        uint64_t limit;
};

/* Optional 64-bit values: has_* says whether the JSON carried the key. */
struct oci_resources {
        struct oci_device_cgroup *devices;
        size_t n_devices;

        bool has_memory_limit, has_memory_reservation, has_memory_swap, has_memory_kernel,
                has_memory_kernel_tcp, has_memory_swappiness, has_disable_oom_killer,
                has_use_hierarchy;
        int64_t memory_limit, memory_reservation, memory_swap, memory_kernel, memory_kernel_tcp;
        uint64_t memory_swappiness;
        bool disable_oom_killer, use_hierarchy;

        bool has_cpu_shares, has_cpu_quota, has_cpu_period, has_cpu_rt_runtime, has_cpu_rt_period,
                has_cpu_idle, has_cpu_burst;
        uint64_t cpu_shares, cpu_period, cpu_rt_period, cpu_burst;
        int64_t cpu_quota, cpu_rt_runtime, cpu_idle;
        char *cpu_cpus, *cpu_mems;

        bool has_pids_limit;
        int64_t pids_limit;

        bool has_blkio_weight, has_blkio_leaf_weight;
        uint16_t blkio_weight, blkio_leaf_weight;
        struct oci_weight_device *blkio_weight_device;
        size_t n_blkio_weight_device;
        struct oci_throttle_device *blkio_throttle[4]; /* read bps, write bps, read iops, write iops */
        size_t n_blkio_throttle[4];

        struct oci_hugepage_limit *hugepage_limits;
        size_t n_hugepage_limits;

        /* "unified": cgroup v2 key/value pairs (NULL-terminated k,v,k,v…). */
        char **unified;
};

struct oci_seccomp_arg {
        unsigned index;
        uint64_t value, value_two;
        int op; /* enum scmp_compare value (SCMP_CMP_*) */
};

struct oci_seccomp_syscall {
        char **names; /* NULL-terminated */
        uint32_t action; /* SCMP_ACT_* */
        bool has_errno_ret;
        uint32_t errno_ret;
        struct oci_seccomp_arg *args;
        size_t n_args;
};

struct oci_seccomp {
        uint32_t default_action; /* SCMP_ACT_* (errno folded in) */
        bool has_default_errno_ret;
        uint32_t default_errno_ret;
        char **architectures; /* "SCMP_ARCH_X86_64"…, NULL-terminated or NULL */
        char **flags; /* "SECCOMP_FILTER_FLAG_*" */
        char *listener_path;
        char *listener_metadata;
        struct oci_seccomp_syscall *syscalls;
        size_t n_syscalls;
        /* raw action names kept for error messages */
        char *default_action_name;
};

struct oci_intel_rdt;

/* linux.timeOffsets.{monotonic,boottime} for a new time namespace. */
struct oci_time_offset {
        bool set;
        int64_t secs;
        uint32_t nanosecs;
};

struct oci_linux {
        struct oci_namespace *namespaces;
        size_t n_namespaces;
        struct oci_idmap *uid_mappings, *gid_mappings;
        size_t n_uid_mappings, n_gid_mappings;
        struct oci_device *devices;
        size_t n_devices;
        char *cgroups_path;
        bool has_resources;
        struct oci_resources resources;
        char **sysctl; /* NULL-terminated k,v,k,v… */
        struct oci_seccomp *seccomp; /* NULL when absent */
        char *rootfs_propagation; /* "shared", "slave", "private", "unbindable", r* forms */
        char **masked_paths;
        char **readonly_paths;
        char *mount_label;
        char *personality_domain; /* "LINUX" / "LINUX32" */
        struct oci_time_offset time_monotonic, time_boottime;
};

struct oci_spec {
        char *oci_version;
        struct oci_root root;
        bool has_root;
        struct oci_process *process; /* NULL when absent (valid for create? no: required on Linux by runc) */
        char *hostname;
        char *domainname;
        struct oci_mount *mounts;
        size_t n_mounts;
        struct oci_hooks hooks;
        char **annotations; /* NULL-terminated k,v,k,v… */
        struct oci_linux linux_;
        bool has_linux;
};

/* Parsing.  Unknown keys are ignored (runtime-spec: MUST ignore); wrong
 * types and invalid values are errors naming the field, e.g.
 * "config.json: linux.namespaces[2].type: unknown namespace type \"foo\"". */
struct oci_spec *oci_spec_parse_file(const char *path, struct cu_error **err);
struct oci_spec *oci_spec_parse_data(const char *data, size_t len, const char *origin,
                                     struct cu_error **err);
/* Parses a "process" object alone (runtime exec --process FILE). */
struct oci_process *oci_process_parse_file(const char *path, struct cu_error **err);

struct oci_spec *oci_spec_free(struct oci_spec *s);
struct oci_process *oci_process_free(struct oci_process *p);
DEFINE_CLEANUP_FUNC(struct oci_spec *, oci_spec_free)
DEFINE_CLEANUP_FUNC(struct oci_process *, oci_process_free)

/* Lookups. */
const struct oci_namespace *oci_spec_namespace(const struct oci_spec *s, enum oci_ns_type t);
/* Value of annotation key or NULL. */
const char *oci_spec_annotation(const struct oci_spec *s, const char *key);

/* A default spec as runc's `spec` prints it (JSON text, malloc'd). */
char *oci_spec_default_json(bool rootless);
