/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Seccomp for containers: cuttle's own default profile and the conversion of a profile in
 * podman's format (containers/common's seccomp.json: defaultAction, archMap, syscalls with
 * includes/excludes on capabilities, architectures and kernel versions) into the spec's
 * linux.seccomp for one process on one machine.
 *
 * The default profile is an allow-list: what is not listed fails with ENOSYS (so that new
 * syscalls make programs fall back, as they do on an old kernel), what is listed as
 * privileged fails with EPERM unless the process has the capability that makes it safe.
 * It is kept here as C data and turned into the profile JSON on use.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "engine/internal.h"
#include "util/json.h"
#include "util/strv.h"

/* ------------------------------------------------------------------ the default profile */

/* Everything an ordinary program may call, on every architecture that has it. */
static const char *const allow_common[] = {
        /* files and directories */
        "access", "chdir", "chmod", "chown", "chown32", "close", "close_range", "copy_file_range",
        "creat", "dup", "dup2", "dup3", "faccessat", "faccessat2", "fadvise64", "fadvise64_64",
        "fallocate", "fchdir", "fchmod", "fchmodat", "fchown", "fchown32", "fchownat", "fcntl",
        "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fremovexattr", "fsetxattr",
        "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate",
        "ftruncate64", "getcwd", "getdents", "getdents64", "getxattr", "inotify_add_watch",
        "inotify_init", "inotify_init1", "inotify_rm_watch", "lchown", "lchown32", "lgetxattr",
        "link", "linkat", "listxattr", "llistxattr", "_llseek", "lremovexattr", "lseek",
        "lsetxattr", "lstat", "lstat64", "mkdir", "mkdirat", "mknod", "mknodat", "newfstatat",
        "open", "openat", "openat2", "pread64", "preadv", "preadv2", "pwrite64", "pwritev",
        "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv", "removexattr",
        "rename", "renameat", "renameat2", "rmdir", "sendfile", "sendfile64", "setxattr",
        "splice", "stat", "stat64", "statfs", "statfs64", "statx", "symlink", "symlinkat", "sync",
        "sync_file_range", "syncfs", "tee", "truncate", "truncate64", "umask", "unlink",
        "unlinkat", "utime", "utimensat", "utimensat_time64", "utimes", "futimesat", "vmsplice",
        "write", "writev", "fanotify_mark", "memfd_create", "memfd_secret", "name_to_handle_at",
        "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self",
        /* memory */
        "brk", "madvise", "membarrier", "mincore", "mlock", "mlock2", "mlockall", "mmap", "mmap2",
        "mprotect", "mremap", "msync", "munlock", "munlockall", "munmap", "pkey_alloc",
        "pkey_free", "pkey_mprotect", "remap_file_pages", "process_madvise", "process_mrelease",
        "get_mempolicy", "set_mempolicy", "mbind",
        /* processes, threads, signals */
        "capget", "capset", "clone", "execve", "execveat", "exit", "exit_group", "fork",
        "futex", "futex_time64", "futex_waitv", "get_robust_list", "get_thread_area", "getegid",
        "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32",
        "getitimer", "getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getresgid",
        "getresgid32", "getresuid", "getresuid32", "getrlimit", "getrusage", "getsid", "gettid",
        "getuid", "getuid32", "ioprio_get", "ioprio_set", "kill", "pause", "pidfd_getfd",
        "pidfd_open", "pidfd_send_signal", "prctl", "prlimit64", "restart_syscall",
        "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo",
        "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64",
        "rt_tgsigqueueinfo", "sched_get_priority_max", "sched_get_priority_min",
        "sched_getaffinity", "sched_getattr", "sched_getparam", "sched_getscheduler",
        "sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_setaffinity",
        "sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp",
        "set_robust_list", "set_thread_area", "set_tid_address", "setfsgid", "setfsgid32",
        "setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32", "setitimer",
        "setpgid", "setpriority", "setregid", "setregid32", "setresgid", "setresgid32",
        "setresuid", "setresuid32", "setreuid", "setreuid32", "setrlimit", "setsid", "setuid",
        "setuid32", "sigaltstack", "signal", "sigaction", "signalfd", "signalfd4", "sigpending",
        "sigprocmask", "sigreturn", "sigsuspend", "tgkill", "tkill", "ugetrlimit", "vfork",
        "wait4", "waitid", "waitpid", "ptrace", "uname", "olduname", "sysinfo",
        "times", "arch_prctl", "personality",
        /* time */
        "alarm", "clock_getres", "clock_getres_time64", "clock_gettime", "clock_gettime64",
        "clock_nanosleep", "clock_nanosleep_time64", "gettimeofday", "nanosleep", "time",
        "timer_create", "timer_delete", "timer_getoverrun", "timer_gettime",
        "timer_gettime64", "timer_settime", "timer_settime64", "timerfd_create",
        "timerfd_gettime", "timerfd_gettime64", "timerfd_settime", "timerfd_settime64",
        /* polling, events, aio, io_uring */
        "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait",
        "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "io_cancel",
        "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "io_setup",
        "io_submit", "io_uring_enter", "io_uring_register", "io_uring_setup", "ioctl", "poll",
        "ppoll", "ppoll_time64", "pselect6", "pselect6_time64", "select", "_newselect",
        "pipe", "pipe2",
        /* sockets */
        "accept", "accept4", "bind", "connect", "getpeername", "getsockname", "getsockopt",
        "listen", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "send",
        "sendmmsg", "sendmsg", "sendto", "setsockopt", "shutdown", "socket", "socketcall",
        "socketpair",
        /* System V IPC and POSIX message queues (namespaced) */
        "ipc", "msgctl", "msgget", "msgrcv", "msgsnd", "semctl", "semget", "semop",
        "semtimedop", "semtimedop_time64", "shmat", "shmctl", "shmdt", "shmget", "mq_getsetattr",
        "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend",
        "mq_timedsend_time64", "mq_unlink",
        /* keys (the kernel namespaces them per user) and misc */
        "add_key", "keyctl", "request_key", "getrandom", "getcpu",
        "set_mempolicy_home_node", "cachestat",
        NULL,
};

/* Architecture-only calls (Go's GOARCH names, as podman's includes.arches). */
static const char *const allow_x86[] = { "modify_ldt", NULL };
static const char *const allow_arm[] = { "arm_fadvise64_64", "arm_sync_file_range",
                                         "sync_file_range2", "breakpoint", "cacheflush",
                                         "set_tls", NULL };
static const char *const allow_s390[] = { "s390_pci_mmio_read", "s390_pci_mmio_write",
                                          "s390_runtime_instr", "sync_file_range2", NULL };
static const char *const allow_riscv[] = { "riscv_flush_icache", NULL };

/* Privileged calls: EPERM unless the capability is there (then allowed). */
static const char *const cap_sys_admin[] = {
        "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick", "lookup_dcookie", "mount",
        "mount_setattr", "move_mount", "open_tree", "pivot_root", "quotactl", "quotactl_fd",
        "setdomainname", "sethostname", "setns", "umount", "umount2", "unshare", NULL,
};
/* clone3 cannot be filtered on its flags (they are in memory): without CAP_SYS_ADMIN it
 * fails with ENOSYS, the default, and the C library falls back to clone. */
static const char *const cap_sys_admin_enosys[] = { "clone3", NULL };
static const char *const cap_sys_boot[] = { "reboot", "kexec_load", "kexec_file_load", NULL };
static const char *const cap_sys_module[] = { "init_module", "finit_module", "delete_module",
                                              NULL };
static const char *const cap_sys_ptrace[] = { "kcmp", "process_vm_readv", "process_vm_writev",
                                              NULL };
static const char *const cap_sys_time[] = { "settimeofday", "stime", "clock_settime",
                                            "clock_settime64", "adjtimex", "clock_adjtime",
                                            "clock_adjtime64", NULL };
static const char *const cap_sys_pacct[] = { "acct", NULL };
static const char *const cap_sys_rawio[] = { "iopl", "ioperm", NULL };
static const char *const cap_sys_tty[] = { "vhangup", NULL };
static const char *const cap_syslog[] = { "syslog", NULL };
static const char *const cap_dac_rs[] = { "open_by_handle_at", NULL };
static const char *const cap_sys_nice[] = { "move_pages", "migrate_pages", NULL };
static const char *const cap_bpf[] = { "bpf", NULL };
static const char *const cap_perfmon[] = { "perf_event_open", NULL };
/* Never allowed (EPERM even with capabilities the profile does not look at). */
static const char *const deny_always[] = { "nfsservctl", "uselib", "userfaultfd", "swapon",
                                           "swapoff", "create_module", "get_kernel_syms",
                                           "query_module", "_sysctl", "vm86", "vm86old",
                                           "ustat", "sysfs", NULL };

struct cap_rule {
        const char *cap;
        const char *const *names;
        int deny_errno; /* without the capability; ENOSYS: the default action */
};
static const struct cap_rule cap_rules[] = {
        { "CAP_SYS_ADMIN", cap_sys_admin, EPERM },
        { "CAP_SYS_ADMIN", cap_sys_admin_enosys, ENOSYS },
        { "CAP_SYS_BOOT", cap_sys_boot, EPERM },
        { "CAP_SYS_MODULE", cap_sys_module, EPERM },
        { "CAP_SYS_PTRACE", cap_sys_ptrace, EPERM },
        { "CAP_SYS_TIME", cap_sys_time, EPERM },
        { "CAP_SYS_PACCT", cap_sys_pacct, EPERM },
        { "CAP_SYS_RAWIO", cap_sys_rawio, EPERM },
        { "CAP_SYS_TTY_CONFIG", cap_sys_tty, EPERM },
        { "CAP_SYSLOG", cap_syslog, EPERM },
        { "CAP_DAC_READ_SEARCH", cap_dac_rs, EPERM },
        { "CAP_SYS_NICE", cap_sys_nice, EPERM },
        { "CAP_BPF", cap_bpf, EPERM },
        { "CAP_PERFMON", cap_perfmon, EPERM },
};

/* The default profile in podman's format. */
static json_t *default_profile(void)
{
        json_t *p = json_pack(
                "{s:s, s:i, s:[{s:s, s:[s, s]}, {s:s, s:[s]}, {s:s, s:[]}, {s:s, s:[]},"
                " {s:s, s:[]}], s:[]}",
                "defaultAction", "SCMP_ACT_ERRNO", "defaultErrnoRet", ENOSYS, "archMap",
                "architecture", "SCMP_ARCH_X86_64", "subArchitectures", "SCMP_ARCH_X86",
                "SCMP_ARCH_X32", "architecture", "SCMP_ARCH_AARCH64", "subArchitectures",
                "SCMP_ARCH_ARM", "architecture", "SCMP_ARCH_PPC64LE", "subArchitectures",
                "architecture", "SCMP_ARCH_S390X", "subArchitectures", "architecture",
                "SCMP_ARCH_RISCV64", "subArchitectures", "syscalls");
        if (!p)
                return NULL;
        json_t *sc = json_object_get(p, "syscalls");
        json_t *s390 = json_object_get(json_array_get(json_object_get(p, "archMap"), 3),
                                       "subArchitectures");
        json_array_append_new(s390, json_string("SCMP_ARCH_S390"));
        /* A name is in one rule only for any set of capabilities: the EPERM rules of the
         * privileged calls carry excludes, their allow rules includes. */
        json_array_append_new(sc, json_pack("{s:o, s:s, s:i}", "names", json_from_strv((char *const *) deny_always),
                                            "action", "SCMP_ACT_ERRNO", "errnoRet", EPERM));
        json_array_append_new(sc, json_pack("{s:o, s:s}", "names", json_from_strv((char *const *) allow_common),
                                            "action", "SCMP_ACT_ALLOW"));
        struct {
                const char *const *names;
                const char *arches[3];
        } arch_rules[] = {
                { allow_x86, { "amd64", "386", NULL } },
                { allow_arm, { "arm", "arm64", NULL } },
                { allow_s390, { "s390", "s390x", NULL } },
                { allow_riscv, { "riscv64", NULL, NULL } },
        };
        for (size_t i = 0; i < ELEMENTSOF(arch_rules); i++) {
                json_t *ar = json_array();
                for (size_t k = 0; k < 3 && arch_rules[i].arches[k]; k++)
                        json_array_append_new(ar, json_string(arch_rules[i].arches[k]));
                json_array_append_new(sc, json_pack("{s:o, s:s, s:{s:o}}", "names",
                                                    json_from_strv((char *const *) arch_rules[i].names), "action",
                                                    "SCMP_ACT_ALLOW", "includes", "arches", ar));
        }
        for (size_t i = 0; i < ELEMENTSOF(cap_rules); i++) {
                json_array_append_new(sc, json_pack("{s:o, s:s, s:{s:[s]}}", "names",
                                                    json_from_strv((char *const *) cap_rules[i].names), "action",
                                                    "SCMP_ACT_ALLOW", "includes", "caps",
                                                    cap_rules[i].cap));
                if (cap_rules[i].deny_errno != ENOSYS)
                        json_array_append_new(
                                sc, json_pack("{s:o, s:s, s:i, s:{s:[s]}}", "names",
                                              json_from_strv((char *const *) cap_rules[i].names), "action",
                                              "SCMP_ACT_ERRNO", "errnoRet", cap_rules[i].deny_errno,
                                              "excludes", "caps", cap_rules[i].cap));
        }
        return p;
}

/* ------------------------------------------------------------------ profile → spec */

static const char *go_arch(const char *machine)
{
        static const struct {
                const char *m, *go;
        } map[] = {
                { "x86_64", "amd64" },  { "i386", "386" },     { "i686", "386" },
                { "aarch64", "arm64" }, { "armv7l", "arm" },   { "armv6l", "arm" },
                { "ppc64le", "ppc64le" }, { "s390x", "s390x" }, { "riscv64", "riscv64" },
        };
        for (size_t i = 0; i < ELEMENTSOF(map); i++)
                if (strcmp(machine, map[i].m) == 0)
                        return map[i].go;
        return machine;
}

static const char *scmp_arch(const char *go)
{
        static const struct {
                const char *go, *scmp;
        } map[] = {
                { "amd64", "SCMP_ARCH_X86_64" }, { "386", "SCMP_ARCH_X86" },
                { "arm64", "SCMP_ARCH_AARCH64" }, { "arm", "SCMP_ARCH_ARM" },
                { "ppc64le", "SCMP_ARCH_PPC64LE" }, { "s390x", "SCMP_ARCH_S390X" },
                { "riscv64", "SCMP_ARCH_RISCV64" },
        };
        for (size_t i = 0; i < ELEMENTSOF(map); i++)
                if (strcmp(go, map[i].go) == 0)
                        return map[i].scmp;
        return NULL;
}

static bool json_strv_has(json_t *a, const char *s)
{
        size_t i;
        json_t *v;
        json_array_foreach(a, i, v)
                if (streq_ptr(json_string_value(v), s))
                        return true;
        return false;
}

/* "5.10" ≤ the running kernel? */
static bool kernel_at_least(const char *min)
{
        struct utsname u;
        unsigned a = 0, b = 0, x = 0, y = 0;
        if (!min || !*min || uname(&u) < 0)
                return true;
        if (sscanf(min, "%u.%u", &a, &b) < 1 || sscanf(u.release, "%u.%u", &x, &y) < 1)
                return true;
        return x > a || (x == a && y >= b);
}

/* Whether the rule applies to a process with caps on goarch. */
static bool rule_applies(json_t *rule, char *const *caps, const char *goarch)
{
        json_t *inc = json_object_get(rule, "includes"), *exc = json_object_get(rule, "excludes");
        size_t i;
        json_t *v;
        json_t *ia = json_object_get(inc, "arches");
        if (json_array_size(ia) > 0 && !json_strv_has(ia, goarch))
                return false;
        json_array_foreach(json_object_get(inc, "caps"), i, v)
                if (!strv_contains(caps, json_string_value(v)))
                        return false;
        if (!kernel_at_least(json_string_value(json_object_get(inc, "minKernel"))))
                return false;
        if (json_strv_has(json_object_get(exc, "arches"), goarch))
                return false;
        json_array_foreach(json_object_get(exc, "caps"), i, v)
                if (strv_contains(caps, json_string_value(v)))
                        return false;
        const char *mk = json_string_value(json_object_get(exc, "minKernel"));
        if (mk && *mk && kernel_at_least(mk))
                return false;
        return true;
}

json_t *engine_seccomp_from_profile(json_t *profile, char *const *caps, const char *arch,
                                    struct cu_error **err)
{
        struct utsname u;
        if (!arch) {
                if (uname(&u) < 0) {
                        cu_error_set(err, errno, "uname");
                        return NULL;
                }
                arch = u.machine;
        }
        const char *goarch = go_arch(arch);
        if (!json_is_object(profile)) {
                cu_error_setx(err, EINVAL, "decoding seccomp profile failed: not a JSON object");
                return NULL;
        }
        const char *def = json_string_value(json_object_get(profile, "defaultAction"));
        if (!def || !*def) {
                cu_error_setx(err, EINVAL, "decoding seccomp profile failed: no defaultAction");
                return NULL;
        }
        _cleanup_json_ json_t *out = json_pack("{s:s}", "defaultAction", def);
        json_t *der = json_object_get(profile, "defaultErrnoRet");
        if (json_is_integer(der))
                json_object_set(out, "defaultErrnoRet", der);
        json_t *archs = json_array();
        json_object_set_new(out, "architectures", archs);
        json_t *am = json_object_get(profile, "archMap");
        const char *native = scmp_arch(goarch);
        size_t i;
        json_t *v;
        if (json_array_size(am) > 0) {
                json_array_foreach(am, i, v) {
                        if (!native || !streq_ptr(json_string_value(json_object_get(v, "architecture")),
                                                  native))
                                continue;
                        json_array_append_new(archs, json_string(native));
                        size_t k;
                        json_t *sa;
                        json_array_foreach(json_object_get(v, "subArchitectures"), k, sa)
                                if (json_is_string(sa))
                                        json_array_append(archs, sa);
                }
        } else {
                json_array_foreach(json_object_get(profile, "architectures"), i, v)
                        if (json_is_string(v))
                                json_array_append(archs, v);
        }
        json_t *flags = json_object_get(profile, "flags");
        if (json_array_size(flags) > 0)
                json_object_set(out, "flags", flags);
        json_t *sc = json_array();
        json_object_set_new(out, "syscalls", sc);
        json_array_foreach(json_object_get(profile, "syscalls"), i, v) {
                if (!json_is_object(v)) {
                        cu_error_setx(err, EINVAL, "decoding seccomp profile failed: syscalls[%zu]: not an object", i);
                        return NULL;
                }
                if (!rule_applies(v, caps, goarch))
                        continue;
                json_t *names = json_object_get(v, "names");
                const char *name = json_string_value(json_object_get(v, "name"));
                const char *act = json_string_value(json_object_get(v, "action"));
                if ((!json_array_size(names) && !name) || !act) {
                        cu_error_setx(err, EINVAL,
                                      "decoding seccomp profile failed: syscalls[%zu]: names and action are required", i);
                        return NULL;
                }
                json_t *r = json_pack("{s:o, s:s}", "names",
                                      name ? json_pack("[s]", name) : json_deep_copy(names),
                                      "action", act);
                json_t *er = json_object_get(v, "errnoRet");
                if (json_is_integer(er))
                        json_object_set(r, "errnoRet", er);
                json_t *args = json_object_get(v, "args");
                if (json_array_size(args) > 0)
                        json_object_set(r, "args", args);
                json_array_append_new(sc, r);
        }
        return TAKE_PTR(out);
}

json_t *engine_seccomp_default(char *const *caps, const char *arch)
{
        _cleanup_json_ json_t *p = default_profile();
        return p ? engine_seccomp_from_profile(p, caps, arch, NULL) : NULL;
}
