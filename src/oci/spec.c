/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Name tables, lookups and destructors of the OCI runtime-spec model. */
#include <assert.h>
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "oci/spec-seccomp.h"
#include "oci/spec.h"
#include "util/strv.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static_assert(RLIM_NLIMITS == OCI_RLIMIT_MAX, "RLIMIT table size differs from RLIM_NLIMITS");

const char *const oci_hook_kind_names[_OCI_HOOK_MAX] = {
        [OCI_HOOK_PRESTART] = "prestart",
        [OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
        [OCI_HOOK_CREATE_CONTAINER] = "createContainer",
        [OCI_HOOK_START_CONTAINER] = "startContainer",
        [OCI_HOOK_POSTSTART] = "poststart",
        [OCI_HOOK_POSTSTOP] = "poststop",
};

const char *const oci_ns_type_names[_OCI_NS_MAX] = {
        [OCI_NS_PID] = "pid",     [OCI_NS_NETWORK] = "network", [OCI_NS_MOUNT] = "mount",
        [OCI_NS_IPC] = "ipc",     [OCI_NS_UTS] = "uts",         [OCI_NS_USER] = "user",
        [OCI_NS_CGROUP] = "cgroup", [OCI_NS_TIME] = "time",
};

const int oci_ns_clone_flags[_OCI_NS_MAX] = {
        [OCI_NS_PID] = CLONE_NEWPID,   [OCI_NS_NETWORK] = CLONE_NEWNET,
        [OCI_NS_MOUNT] = CLONE_NEWNS,  [OCI_NS_IPC] = CLONE_NEWIPC,
        [OCI_NS_UTS] = CLONE_NEWUTS,   [OCI_NS_USER] = CLONE_NEWUSER,
        [OCI_NS_CGROUP] = CLONE_NEWCGROUP, [OCI_NS_TIME] = CLONE_NEWTIME,
};

const char *const oci_ns_proc_names[_OCI_NS_MAX] = {
        [OCI_NS_PID] = "pid",     [OCI_NS_NETWORK] = "net", [OCI_NS_MOUNT] = "mnt",
        [OCI_NS_IPC] = "ipc",     [OCI_NS_UTS] = "uts",     [OCI_NS_USER] = "user",
        [OCI_NS_CGROUP] = "cgroup", [OCI_NS_TIME] = "time",
};

const char *const oci_rlimit_names[OCI_RLIMIT_MAX] = {
        [RLIMIT_CPU] = "RLIMIT_CPU",
        [RLIMIT_FSIZE] = "RLIMIT_FSIZE",
        [RLIMIT_DATA] = "RLIMIT_DATA",
        [RLIMIT_STACK] = "RLIMIT_STACK",
        [RLIMIT_CORE] = "RLIMIT_CORE",
        [RLIMIT_RSS] = "RLIMIT_RSS",
        [RLIMIT_NPROC] = "RLIMIT_NPROC",
        [RLIMIT_NOFILE] = "RLIMIT_NOFILE",
        [RLIMIT_MEMLOCK] = "RLIMIT_MEMLOCK",
        [RLIMIT_AS] = "RLIMIT_AS",
        [RLIMIT_LOCKS] = "RLIMIT_LOCKS",
        [RLIMIT_SIGPENDING] = "RLIMIT_SIGPENDING",
        [RLIMIT_MSGQUEUE] = "RLIMIT_MSGQUEUE",
        [RLIMIT_NICE] = "RLIMIT_NICE",
        [RLIMIT_RTPRIO] = "RLIMIT_RTPRIO",
        [RLIMIT_RTTIME] = "RLIMIT_RTTIME",
};

enum oci_ns_type oci_ns_type_from_string(const char *s)
{
        if (s)
                for (int i = 0; i < _OCI_NS_MAX; i++)
                        if (strcmp(oci_ns_type_names[i], s) == 0)
                                return (enum oci_ns_type) i;
        return _OCI_NS_INVALID;
}

int oci_rlimit_from_string(const char *s)
{
        if (s)
                for (int i = 0; i < OCI_RLIMIT_MAX; i++)
                        if (oci_rlimit_names[i] && strcmp(oci_rlimit_names[i], s) == 0)
                                return i;
        return -EINVAL;
}

static void caps_done(struct oci_capabilities *c)
{
        strv_free(c->bounding);
        strv_free(c->effective);
        strv_free(c->inheritable);
        strv_free(c->permitted);
        strv_free(c->ambient);
}

struct oci_process *oci_process_free(struct oci_process *p)
{
        if (!p)
                return NULL;
        free(p->user.additional_gids);
        free(p->user.username);
        strv_free(p->args);
        strv_free(p->env);
        free(p->cwd);
        caps_done(&p->caps);
        for (size_t i = 0; i < p->n_rlimits; i++)
                free(p->rlimits[i].type);
        free(p->rlimits);
        free(p->apparmor_profile);
        free(p->selinux_label);
        free(p);
        return NULL;
}

static void mounts_free(struct oci_mount *m, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(m[i].destination);
                free(m[i].source);
                free(m[i].type);
                strv_free(m[i].options);
                free(m[i].uid_mappings);
                free(m[i].gid_mappings);
        }
        free(m);
}

static void hooks_done(struct oci_hooks *h)
{
        for (int k = 0; k < _OCI_HOOK_MAX; k++) {
                for (size_t i = 0; i < h->n_hooks[k]; i++) {
                        free(h->hooks[k][i].path);
                        strv_free(h->hooks[k][i].args);
                        strv_free(h->hooks[k][i].env);
                }
                free(h->hooks[k]);
        }
}

static void resources_done(struct oci_resources *r)
{
        for (size_t i = 0; i < r->n_devices; i++)
                free(r->devices[i].access);
        free(r->devices);
        free(r->cpu_cpus);
        free(r->cpu_mems);
        free(r->blkio_weight_device);
        for (size_t i = 0; i < ELEMENTSOF(r->blkio_throttle); i++)
                free(r->blkio_throttle[i]);
        for (size_t i = 0; i < r->n_hugepage_limits; i++)
                free(r->hugepage_limits[i].page_size);
        free(r->hugepage_limits);
        strv_free(r->unified);
}

static void linux_done(struct oci_linux *l)
{
        for (size_t i = 0; i < l->n_namespaces; i++)
                free(l->namespaces[i].path);
        free(l->namespaces);
        free(l->uid_mappings);
        free(l->gid_mappings);
        for (size_t i = 0; i < l->n_devices; i++)
                free(l->devices[i].path);
        free(l->devices);
        free(l->cgroups_path);
        resources_done(&l->resources);
        strv_free(l->sysctl);
        oci_seccomp_free(l->seccomp);
        free(l->rootfs_propagation);
        strv_free(l->masked_paths);
        strv_free(l->readonly_paths);
        free(l->mount_label);
        free(l->personality_domain);
}

struct oci_spec *oci_spec_free(struct oci_spec *s)
{
        if (!s)
                return NULL;
        free(s->oci_version);
        free(s->root.path);
        oci_process_free(s->process);
        free(s->hostname);
        free(s->domainname);
        mounts_free(s->mounts, s->n_mounts);
        hooks_done(&s->hooks);
        strv_free(s->annotations);
        linux_done(&s->linux_);
        free(s);
        return NULL;
}

const struct oci_namespace *oci_spec_namespace(const struct oci_spec *s, enum oci_ns_type t)
{
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->linux_.n_namespaces; i++)
                if (s->linux_.namespaces[i].type == t)
                        return &s->linux_.namespaces[i];
        return NULL;
}

const char *oci_spec_annotation(const struct oci_spec *s, const char *key)
{
        return s ? strv_map_get(s->annotations, key) : NULL;
}
