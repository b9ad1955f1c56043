/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "util/log.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif
#ifndef CAP_CHECKPOINT_RESTORE
#define CAP_CHECKPOINT_RESTORE 40
#endif

/* Capability numbers are kernel ABI; the names are what specs carry. */
static const char *const cap_names[] = {
        [CAP_CHOWN] = "CAP_CHOWN",
        [CAP_DAC_OVERRIDE] = "CAP_DAC_OVERRIDE",
        [CAP_DAC_READ_SEARCH] = "CAP_DAC_READ_SEARCH",
        [CAP_FOWNER] = "CAP_FOWNER",
        [CAP_FSETID] = "CAP_FSETID",
        [CAP_KILL] = "CAP_KILL",
        [CAP_SETGID] = "CAP_SETGID",
        [CAP_SETUID] = "CAP_SETUID",
        [CAP_SETPCAP] = "CAP_SETPCAP",
        [CAP_LINUX_IMMUTABLE] = "CAP_LINUX_IMMUTABLE",
        [CAP_NET_BIND_SERVICE] = "CAP_NET_BIND_SERVICE",
        [CAP_NET_BROADCAST] = "CAP_NET_BROADCAST",
        [CAP_NET_ADMIN] = "CAP_NET_ADMIN",
        [CAP_NET_RAW] = "CAP_NET_RAW",
        [CAP_IPC_LOCK] = "CAP_IPC_LOCK",
        [CAP_IPC_OWNER] = "CAP_IPC_OWNER",
        [CAP_SYS_MODULE] = "CAP_SYS_MODULE",
        [CAP_SYS_RAWIO] = "CAP_SYS_RAWIO",
        [CAP_SYS_CHROOT] = "CAP_SYS_CHROOT",
        [CAP_SYS_PTRACE] = "CAP_SYS_PTRACE",
        [CAP_SYS_PACCT] = "CAP_SYS_PACCT",
        [CAP_SYS_ADMIN] = "CAP_SYS_ADMIN",
        [CAP_SYS_BOOT] = "CAP_SYS_BOOT",
        [CAP_SYS_NICE] = "CAP_SYS_NICE",
        [CAP_SYS_RESOURCE] = "CAP_SYS_RESOURCE",
        [CAP_SYS_TIME] = "CAP_SYS_TIME",
        [CAP_SYS_TTY_CONFIG] = "CAP_SYS_TTY_CONFIG",
        [CAP_MKNOD] = "CAP_MKNOD",
        [CAP_LEASE] = "CAP_LEASE",
        [CAP_AUDIT_WRITE] = "CAP_AUDIT_WRITE",
        [CAP_AUDIT_CONTROL] = "CAP_AUDIT_CONTROL",
        [CAP_SETFCAP] = "CAP_SETFCAP",
        [CAP_MAC_OVERRIDE] = "CAP_MAC_OVERRIDE",
        [CAP_MAC_ADMIN] = "CAP_MAC_ADMIN",
        [CAP_SYSLOG] = "CAP_SYSLOG",
        [CAP_WAKE_ALARM] = "CAP_WAKE_ALARM",
        [CAP_BLOCK_SUSPEND] = "CAP_BLOCK_SUSPEND",
        [CAP_AUDIT_READ] = "CAP_AUDIT_READ",
        [CAP_PERFMON] = "CAP_PERFMON",
        [CAP_BPF] = "CAP_BPF",
        [CAP_CHECKPOINT_RESTORE] = "CAP_CHECKPOINT_RESTORE",
};

int caps_from_name(const char *name)
{
        if (!name)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(cap_names); i++)
                if (cap_names[i] && strcmp(cap_names[i], name) == 0)
                        return (int) i;
        return -EINVAL;
}

const char *caps_to_name(unsigned cap)
{
        return cap < ELEMENTSOF(cap_names) ? cap_names[cap] : NULL;
}

unsigned caps_kernel_count(void)
{
        cap_value_t n = cap_max_bits();
        if (n <= 0)
                return ELEMENTSOF(cap_names);
        return n > 64 ? 64 : (unsigned) n;
}

char *caps_mask_to_string(uint64_t mask)
{
        /* 64 names of at most 22 characters plus a comma each. */
        size_t size = 64 * 24 + 1, len = 0;
        char *s = malloc(size);
        if (!s)
                return NULL;
        s[0] = '\0';
        for (unsigned i = 0; i < 64; i++) {
                if (!(mask & (UINT64_C(1) << i)))
                        continue;
                const char *name = caps_to_name(i);
                int k = name ? snprintf(s + len, size - len, "%s%s", len ? "," : "", name)
                             : snprintf(s + len, size - len, "%scap_%u", len ? "," : "", i);
                if (k > 0)
                        len += (size_t) k;
        }
        return s;
}

static int parse_set(char *const *names, const char *field, unsigned kernel_count,
                     uint64_t *ret, struct cu_error **err)
{
        uint64_t mask = 0;

        for (size_t i = 0; names && names[i]; i++) {
                int cap = caps_from_name(names[i]);
                if (cap < 0)
                        return cu_error_setx(err, EINVAL,
                                             "process.capabilities.%s[%zu]: unknown capability "
                                             "\"%s\"",
                                             field, i, names[i]);
                if ((unsigned) cap >= kernel_count) {
                        log_debug("process.capabilities.%s: %s is not supported by the running "
                                  "kernel, ignoring",
                                  field, names[i]);
                        continue;
                }
                mask |= UINT64_C(1) << cap;
        }
        *ret = mask;
        return 0;
}

int caps_plan_from_spec(const struct oci_capabilities *c, struct caps_plan *ret,
                        struct cu_error **err)
{
        struct caps_plan p = { 0 };
        unsigned n = caps_kernel_count();
        int r;

        r = parse_set(c->bounding, "bounding", n, &p.bounding, err);
        if (r < 0)
                return r;
        r = parse_set(c->effective, "effective", n, &p.effective, err);
        if (r < 0)
                return r;
        r = parse_set(c->permitted, "permitted", n, &p.permitted, err);
        if (r < 0)
                return r;
        r = parse_set(c->inheritable, "inheritable", n, &p.inheritable, err);
        if (r < 0)
                return r;
        r = parse_set(c->ambient, "ambient", n, &p.ambient, err);
        if (r < 0)
                return r;

        p.has_bounding = c->bounding != NULL;
        p.has_effective = c->effective != NULL;
        p.has_permitted = c->permitted != NULL;
        p.has_inheritable = c->inheritable != NULL;
        p.has_ambient = c->ambient != NULL;
        *ret = p;
        return 0;
}

static const char *cap_label(unsigned cap, char buf[static 16])
{
        const char *name = caps_to_name(cap);
        if (name)
                return name;
        snprintf(buf, 16, "cap_%u", cap);
        return buf;
}

int caps_drop_bounding(const struct caps_plan *p, struct cu_error **err)
{
        unsigned n = caps_kernel_count();

        for (unsigned cap = 0; cap < n; cap++) {
                char buf[16];
                if (p->bounding & (UINT64_C(1) << cap))
                        continue;
                int r = prctl(PR_CAPBSET_READ, (unsigned long) cap, 0, 0, 0);
                if (r == 0 || (r < 0 && errno == EINVAL))
                        continue; /* already gone, or not a capability of this kernel */
                if (prctl(PR_CAPBSET_DROP, (unsigned long) cap, 0, 0, 0) < 0)
                        return cu_error_set(err, errno, "dropping %s from the bounding set",
                                            cap_label(cap, buf));
        }
        return 0;
}

static int apply_ambient(uint64_t ambient, struct cu_error **err)
{
        unsigned n = caps_kernel_count();

        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
                if (errno != EINVAL)
                        return cu_error_set(err, errno, "clearing the ambient capability set");
                /* Kernel before 4.3: no ambient set at all. */
                if (ambient)
                        log_debug("ambient capabilities are not supported by the running "
                                  "kernel, ignoring");
                return 0;
        }

        for (unsigned cap = 0; cap < n; cap++) {
                char buf[16];
                if (!(ambient & (UINT64_C(1) << cap)))
                        continue;
                if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long) cap, 0, 0) == 0)
                        continue;
                if (errno != EPERM && errno != EINVAL)
                        return cu_error_set(err, errno, "raising ambient capability %s",
                                            cap_label(cap, buf));
                /* The kernel wants it in both permitted and inheritable. */
                log_debug("cannot raise ambient capability %s: %s, ignoring",
                          cap_label(cap, buf), strerror(errno));
        }
        return 0;
}

int caps_apply(const struct caps_plan *p, struct cu_error **err)
{
        struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
        struct __user_cap_data_struct data[2];

        for (int i = 0; i < 2; i++) {
                data[i].effective = (uint32_t) (p->effective >> (32 * i));
                data[i].permitted = (uint32_t) (p->permitted >> (32 * i));
                data[i].inheritable = (uint32_t) (p->inheritable >> (32 * i));
        }
        if (syscall(SYS_capset, &hdr, data) < 0) {
                int saved = errno;
                _cleanup_free_ char *eff = caps_mask_to_string(p->effective);
                _cleanup_free_ char *perm = caps_mask_to_string(p->permitted);
                _cleanup_free_ char *inh = caps_mask_to_string(p->inheritable);
                return cu_error_set(err, saved,
                                    "setting capabilities (effective \"%s\", permitted \"%s\", "
                                    "inheritable \"%s\")",
                                    strempty(eff), strempty(perm), strempty(inh));
        }

        return apply_ambient(p->ambient, err);
}
