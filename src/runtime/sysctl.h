/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.sysctl (runtime-spec config-linux.md "Sysctl"): only keys that
 * belong to a namespace the container has of its own may be set, as in
 * runc; they are written under /proc/sys in the container init.
 *
 * Keys: "net.ipv4.ip_forward" (dots: each becomes '/') or, as sysctl(8)
 * accepts, "net/ipv4/conf/eth0.100/forwarding" (a key with a '/' is a
 * path below /proc/sys already, its dots are part of the names).  Empty,
 * "." and ".." components are refused, so a key cannot leave /proc/sys.
 */
#pragma once

#include <stdbool.h>

#include "util/error.h"

/* Checks every key of kv (NULL-terminated k,v,k,v…, may be NULL):
 *  - kernel.msgmax, kernel.msgmnb, kernel.msgmni, kernel.sem, kernel.shmall,
 *    kernel.shmmax, kernel.shmmni, kernel.shm_rmid_forced, fs.mqueue.*:
 *    need own_ipcns;
 *  - net.*: need own_netns;
 *  - kernel.hostname, kernel.domainname: need own_utsns;
 *  - anything else is refused.
 * Errors (-EINVAL): `linux.sysctl: "vm.swappiness" is not in a separate
 * kernel namespace`, `linux.sysctl: "net.ipv4.ip_forward" needs a new
 * network namespace`, `linux.sysctl: invalid key "net..x"`. */
int sysctl_validate(char *const *kv, bool own_netns, bool own_ipcns, bool own_utsns,
                    struct cu_error **err);

/* Writes each value to /proc/sys/<key as a path>, in order.  Keys are
 * checked for form (not for namespaces: that is sysctl_validate()).
 * Error: `linux.sysctl: setting "net.ipv4.ip_forward" to "1": <strerror>`. */
int sysctl_apply(char *const *kv, struct cu_error **err);

/* "net.ipv4.ip_forward" → "net/ipv4/ip_forward" (malloc'd).  -EINVAL for a
 * key of bad form, -ENOMEM. */
int sysctl_key_to_path(const char *key, char **ret);
