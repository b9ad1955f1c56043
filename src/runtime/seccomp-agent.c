/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Hands a seccomp notify listener to the agent at linux.seccomp.listenerPath,
 * as runtime-spec config-linux.md describes: one message on a unix stream
 * socket carrying the container process state JSON and the fd (SCM_RIGHTS).
 */
#include <errno.h>
#include <string.h>

#include "seccomp-filter.h"
#include "util/fd.h"
#include "util/json.h"

int seccomp_send_listener(const struct oci_seccomp *sc, int listener_fd, pid_t pid,
                          const char *state_json, struct cu_error **err)
{
        if (!sc->listener_path)
                return 0; /* nobody to hand it to: the filter still works, notify gets ENOSYS */
        _cleanup_json_ json_t *state = state_json ? json_loads(state_json, 0, NULL) : NULL;
        _cleanup_json_ json_t *msg = json_pack("{s:s, s:[s], s:I, s:s, s:O?}", "ociVersion",
                                               "1.1.0", "fds", "seccompFd", "pid",
                                               (json_int_t) pid, "metadata",
                                               sc->listener_metadata ? sc->listener_metadata : "",
                                               "state", state);
        if (!msg)
                return cu_error_set(err, ENOMEM, "building the seccomp agent message");
        _cleanup_free_ char *text = json_dumps(msg, JSON_COMPACT);
        if (!text)
                return cu_error_set(err, ENOMEM, "serializing the seccomp agent message");
        _cleanup_close_ int sock = unix_connect(sc->listener_path);
        if (sock < 0)
                return cu_error_set(err, -sock, "linux.seccomp.listenerPath: connecting to %s",
                                    sc->listener_path);
        int r = send_fd(sock, listener_fd, text, strlen(text));
        if (r < 0)
                return cu_error_set(err, -r, "linux.seccomp.listenerPath: sending to %s",
                                    sc->listener_path);
        return 0;
}
