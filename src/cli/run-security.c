/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * create/run: security, resources, devices, namespaces, systemd mode and systemd integration
 * (--sdnotify; run's --preserve-fds, which cmd_run hands to struct engine).  Values go to
 * struct engine_sec_opts as given; the engine validates them (podman's texts).  The
 * containers.conf defaults (default_ulimits, default_capabilities, pids_limit, the namespace
 * modes) are passed along from the CLI's configuration.
 */
#include <fcntl.h>
#include <string.h>

#include "run-flags.h"
#include "storage/containers-conf.h"
#include "util/strv.h"

static size_t add(struct engine_create_opts *o, struct opt *out)
{
        struct engine_sec_opts *s = &o->sec;
        const struct opt table[] = {
                { .name = "blkio-weight", .type = OPT_UINT, .value = &s->blkio_weight, .help = "Block IO weight (relative weight) accepts a weight value between 10 and 1000." },
                RUN_S("cgroup-parent", 0, &s->cgroup_parent, "Optional parent cgroup for the container"),
                RUN_S("cgroupns", 0, &s->cgroupns, "cgroup namespace to use"),
                { .name = "cpu-period", .type = OPT_UINT64, .value = &s->cpu_period, .help = "Limit the CPU CFS (Completely Fair Scheduler) period" },
                { .name = "cpu-quota", .type = OPT_INT64, .value = &s->cpu_quota, .help = "Limit the CPU CFS (Completely Fair Scheduler) quota" },
                { .name = "cpu-shares", .shorthand = 'c', .type = OPT_UINT64, .value = &s->cpu_shares, .help = "CPU shares (relative weight)" },
                RUN_S("cpus", 0, &s->cpus, "Number of CPUs. The default is 0.000 which means no limit"),
                RUN_S("cpuset-cpus", 0, &s->cpuset_cpus, "CPUs in which to allow execution (0-3, 0,1)"),
                RUN_S("cpuset-mems", 0, &s->cpuset_mems, "Memory nodes (MEMs) in which to allow execution (0-3, 0,1). Only effective on NUMA systems."),
                RUN_A("device", 0, &s->devices, "Add a host device to the container"),
                RUN_A("device-cgroup-rule", 0, &s->device_cgroup_rules, "Add a rule to the cgroup allowed devices list"),
                RUN_A("gidmap", 0, &s->gidmap, "GID map to use for the user namespace"),
                RUN_S("ipc", 0, &s->ipc, "IPC namespace to use"),
                RUN_S("memory-reservation", 0, &s->memory_reservation, "Memory soft limit (format: <number>[<unit>], where unit = b (bytes), k (kibibytes), m (mebibytes), or g (gibibytes))"),
                RUN_S("memory-swap", 0, &s->memory_swap, "Swap limit equal to memory plus swap: '-1' to enable unlimited swap"),
                { .name = "oom-score-adj", .type = OPT_INT, .value = &s->oom_score_adj, .help = "Tune the host's OOM preferences (-1000 to 1000)" },
                RUN_S("pid", 0, &s->pid, "PID namespace to use"),
                { .name = "preserve-fds", .type = OPT_UINT, .value = &s->preserve_fds, .help = "Pass a number of additional file descriptors into the container" },
                { .name = "sdnotify", .type = OPT_STRING, .value = &s->sdnotify, .help = "control sd-notify behavior (\"container\"|\"conmon\"|\"ignore\")", .def = "container" },
                RUN_A("security-opt", 0, &s->security_opt, "Security Options"),
                RUN_A("sysctl", 0, &s->sysctls, "Sysctl options"),
                { .name = "systemd", .type = OPT_STRING, .value = &s->systemd, .help = "Run container in systemd mode (\"true\"|\"false\"|\"always\")", .def = "true" },
                RUN_A("uidmap", 0, &s->uidmap, "UID map to use for the user namespace"),
                RUN_A("ulimit", 0, &s->ulimits, "Ulimit options"),
                RUN_S("userns", 0, &s->userns, "User namespace to use"),
                RUN_S("uts", 0, &s->uts, "UTS namespace to use"),
                { 0 },
        };
        return run_flags_copy(table, out);
}

static int check(struct cli_ctx *c, struct engine_create_opts *o, struct opt *opts)
{
        struct engine_sec_opts *s = &o->sec;
        s->has_oom_score_adj = opts_changed(opts, "oom-score-adj");
        for (unsigned i = 0; i < s->preserve_fds; i++)
                if (fcntl(3 + (int) i, F_GETFD) < 0)
                        return cli_failf(125, "file descriptor %u is not available - the preserve-fds option requires that all file descriptors must be passed",
                                         3 + i);
        const struct containers_conf *conf = NULL;
        _cleanup_error_ struct cu_error *err = NULL;
        if (cli_ctx_config(c, &conf, &err) < 0)
                return cli_fail(125, err);
        s->default_ulimits = conf->default_ulimits;
        s->default_caps = conf->default_capabilities;
        s->has_default_caps = conf->default_capabilities != NULL;
        s->default_pids_limit = conf->pids_limit;
        s->has_default_pids_limit = true;
        s->default_pidns = conf->pidns;
        s->default_ipcns = conf->ipcns;
        s->default_utsns = conf->utsns;
        s->default_cgroupns = conf->cgroupns;
        s->default_userns = conf->userns;
        s->default_sysctls = conf->default_sysctls;
        s->has_default_sysctls = true;
        return 0;
}

static void done(struct engine_create_opts *o)
{
        struct engine_sec_opts *s = &o->sec;
        char ***lists[] = { &s->security_opt, &s->ulimits, &s->devices, &s->device_cgroup_rules,
                            &s->sysctls, &s->uidmap, &s->gidmap };
        for (size_t i = 0; i < ELEMENTSOF(lists); i++)
                *lists[i] = strv_free(*lists[i]);
}

const struct run_flags_area run_flags_security = { add, check, done };
