/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The runtime's user namespace helpers: the id maps the runtime writes for stage 1, and what
 * stage 1 opens while it still has the host's uid (the container's root may not reach the
 * bundle or the bind sources by their paths).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "namespaces.h"
#include "util/fileio.h"
#include "util/strv.h"

static int write_map(pid_t pid, const char *file, const struct oci_idmap *m, size_t n,
                     struct cu_error **err)
{
        char buf[4096], path[64];
        size_t len = 0;
        for (size_t i = 0; i < n; i++) {
                int k = snprintf(buf + len, sizeof buf - len, "%u %u %u\n", m[i].container_id,
                                 m[i].host_id, m[i].size);
                if (k < 0 || (size_t) k >= sizeof buf - len)
                        return cu_error_setx(err, E2BIG, "%s: too many mappings", file);
                len += (size_t) k;
        }
        snprintf(path, sizeof path, "/proc/%d/%s", (int) pid, file);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return cu_error_set(err, errno, "opening %s", path);
        if (write(fd, buf, len) != (ssize_t) len)
                return cu_error_set(err, errno, "writing %s", file);
        return 0;
}

int userns_write_maps(pid_t pid, const struct oci_linux *l, struct cu_error **err)
{
        if (geteuid() != 0) {
                char path[64];
                snprintf(path, sizeof path, "/proc/%d/setgroups", (int) pid);
                (void) write_string_file(path, "deny");
        }
        int r = write_map(pid, "uid_map", l->uid_mappings, l->n_uid_mappings, err);
        if (r < 0)
                return cu_error_prefix(err, r, "linux.uidMappings");
        r = write_map(pid, "gid_map", l->gid_mappings, l->n_gid_mappings, err);
        if (r < 0)
                return cu_error_prefix(err, r, "linux.gidMappings");
        return 0;
}

/* Each bind mount's source, opened as the host's root (stage 1 of a user namespace). */
int *userns_open_bind_sources(const struct oci_spec *s)
{
        int *fds = calloc(s->n_mounts ? s->n_mounts : 1, sizeof(int));
        if (!fds)
                return NULL;
        for (size_t i = 0; i < s->n_mounts; i++) {
                const struct oci_mount *m = &s->mounts[i];
                fds[i] = -1;
                bool bind = streq_ptr(m->type, "bind") || strv_contains(m->options, "bind") ||
                            strv_contains(m->options, "rbind");
                if (!bind || !m->source)
                        continue;
                bool nofollow = strv_contains(m->options, "src-nofollow") ||
                                strv_contains(m->options, "copy-symlink");
                fds[i] = open(m->source, O_PATH | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
        }
        return fds;
}

