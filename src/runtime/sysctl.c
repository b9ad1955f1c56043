/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sysctl.h"
#include "util/fileio.h"

static const char *const ipc_keys[] = {
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
        "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
};

static bool startswith(const char *s, const char *prefix)
{
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

int sysctl_key_to_path(const char *key, char **ret)
{
        bool slashes = strchr(key, '/') != NULL;
        char sep = slashes ? '/' : '.';

        if (!*key)
                return -EINVAL;
        /* Every component non-empty and not "." or "..". */
        for (const char *c = key;;) {
                size_t len = strcspn(c, slashes ? "/" : ".");
                if (len == 0 || (slashes && len == 1 && c[0] == '.') ||
                    (slashes && len == 2 && c[0] == '.' && c[1] == '.'))
                        return -EINVAL;
                if (c[len] == '\0')
                        break;
                c += len + 1;
        }

        char *p = strdup(key);
        if (!p)
                return -ENOMEM;
        if (sep == '.')
                for (char *i = p; *i; i++)
                        if (*i == '.')
                                *i = '/';
        *ret = p;
        return 0;
}

/* The key in dot form for matching: "net/ipv4/ip_forward" → "net.ipv4.ip_forward".
 * Only the prefix matters for slash keys with dots inside names. */
static char *key_dotted(const char *key)
{
        char *d = strdup(key);
        if (d && strchr(key, '/'))
                for (char *i = d; *i; i++)
                        if (*i == '/')
                                *i = '.';
        return d;
}

static int validate_one(const char *key, bool own_netns, bool own_ipcns, bool own_utsns,
                        struct cu_error **err)
{
        _cleanup_free_ char *path = NULL;
        int r = sysctl_key_to_path(key, &path);
        if (r == -ENOMEM)
                return cu_error_set(err, ENOMEM, "linux.sysctl");
        if (r < 0)
                return cu_error_setx(err, EINVAL, "linux.sysctl: invalid key \"%s\"", key);

        _cleanup_free_ char *d = key_dotted(key);
        if (!d)
                return cu_error_set(err, ENOMEM, "linux.sysctl");

        bool ipc = startswith(d, "fs.mqueue.");
        for (size_t i = 0; !ipc && i < ELEMENTSOF(ipc_keys); i++)
                ipc = strcmp(d, ipc_keys[i]) == 0;
        if (ipc) {
                if (own_ipcns)
                        return 0;
                return cu_error_setx(err, EINVAL,
                                     "linux.sysctl: \"%s\" needs a new IPC namespace (it would "
                                     "change the host's)",
                                     key);
        }
        if (startswith(d, "net.")) {
                if (own_netns)
                        return 0;
                return cu_error_setx(err, EINVAL,
                                     "linux.sysctl: \"%s\" needs a new network namespace (it "
                                     "would change the host's)",
                                     key);
        }
        if (strcmp(d, "kernel.hostname") == 0 || strcmp(d, "kernel.domainname") == 0) {
                if (own_utsns)
                        return 0;
                return cu_error_setx(err, EINVAL,
                                     "linux.sysctl: \"%s\" needs a new UTS namespace (it would "
                                     "change the host's)",
                                     key);
        }
        return cu_error_setx(err, EINVAL,
                             "linux.sysctl: \"%s\" is not in a separate kernel namespace", key);
}

int sysctl_validate(char *const *kv, bool own_netns, bool own_ipcns, bool own_utsns,
                    struct cu_error **err)
{
        for (size_t i = 0; kv && kv[i]; i += 2) {
                if (!kv[i + 1])
                        return cu_error_setx(err, EINVAL, "linux.sysctl: \"%s\" has no value",
                                             kv[i]);
                int r = validate_one(kv[i], own_netns, own_ipcns, own_utsns, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int sysctl_apply(char *const *kv, struct cu_error **err)
{
        for (size_t i = 0; kv && kv[i]; i += 2) {
                const char *key = kv[i], *value = kv[i + 1];
                if (!value)
                        return cu_error_setx(err, EINVAL, "linux.sysctl: \"%s\" has no value",
                                             key);

                _cleanup_free_ char *rel = NULL, *path = NULL;
                int r = sysctl_key_to_path(key, &rel);
                if (r == -EINVAL)
                        return cu_error_setx(err, EINVAL, "linux.sysctl: invalid key \"%s\"",
                                             key);
                if (r >= 0)
                        path = malloc(strlen("/proc/sys/") + strlen(rel) + 1);
                if (!path)
                        return cu_error_set(err, ENOMEM, "linux.sysctl");
                stpcpy(stpcpy(path, "/proc/sys/"), rel);

                r = write_string_file(path, value);
                if (r < 0)
                        return cu_error_set(err, -r, "linux.sysctl: setting \"%s\" to \"%s\"",
                                            key, value);
        }
        return 0;
}
