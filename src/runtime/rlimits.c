/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "rlimits.h"
#include "util/fileio.h"
#include "util/parse.h"

static const char *limit_str(uint64_t v, char buf[static 24])
{
        if (v == (uint64_t) RLIM_INFINITY)
                return "unlimited";
        snprintf(buf, 24, "%" PRIu64, v);
        return buf;
}

/* Why setrlimit() said EPERM, as far as we can tell; NULL if unknown. */
static const char *eperm_hint(const struct oci_rlimit *l, char *buf, size_t size)
{
        struct rlimit cur;
        char a[24];

        if (l->resource == RLIMIT_NOFILE) {
                _cleanup_free_ char *s = NULL;
                uint64_t nr_open;
                if (read_full_file("/proc/sys/fs/nr_open", &s, NULL, NULL) >= 0) {
                        s[strcspn(s, "\n")] = '\0';
                        if (safe_atou64(s, &nr_open) >= 0 && l->hard > nr_open) {
                                snprintf(buf, size, "the kernel allows at most fs.nr_open = %s",
                                         limit_str(nr_open, a));
                                return buf;
                        }
                }
        }
        if (getrlimit(l->resource, &cur) == 0 && l->hard > (uint64_t) cur.rlim_max) {
                snprintf(buf, size,
                         "the current hard limit is %s; raising it needs CAP_SYS_RESOURCE",
                         limit_str(cur.rlim_max, a));
                return buf;
        }
        return NULL;
}

static int rlimit_apply_one(const struct oci_rlimit *l, struct cu_error **err)
{
        char soft[24], hard[24], hint[128];
        const char *name = l->type;

        if (l->resource < 0 || l->resource >= OCI_RLIMIT_MAX || !oci_rlimit_names[l->resource])
                return cu_error_setx(err, EINVAL, "unknown rlimit \"%s\"", strempty(name));
        if (!name)
                name = oci_rlimit_names[l->resource];

        if (l->soft > l->hard)
                return cu_error_setx(err, EINVAL,
                                     "setting %s to %s:%s: the soft limit is above the hard "
                                     "limit",
                                     name, limit_str(l->soft, soft), limit_str(l->hard, hard));

        struct rlimit rl = { .rlim_cur = (rlim_t) l->soft, .rlim_max = (rlim_t) l->hard };
        if (setrlimit(l->resource, &rl) == 0)
                return 0;

        int e = errno;
        const char *why = e == EPERM ? eperm_hint(l, hint, sizeof hint) : NULL;
        if (why)
                return cu_error_setx(err, e, "setting %s to %s:%s: %s (%s)", name,
                                     limit_str(l->soft, soft), limit_str(l->hard, hard),
                                     strerror(e), why);
        return cu_error_set(err, e, "setting %s to %s:%s", name, limit_str(l->soft, soft),
                            limit_str(l->hard, hard));
}

int rlimits_apply(const struct oci_rlimit *r, size_t n, struct cu_error **err)
{
        for (size_t i = 0; i < n; i++) {
                int k = rlimit_apply_one(&r[i], err);
                if (k < 0)
                        return k;
        }
        return 0;
}
