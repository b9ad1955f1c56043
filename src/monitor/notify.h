/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sd_notify for the monitor (conmon's --sdnotify-socket), podman's --sdnotify modes:
 *   conmon     once the container has started, the monitor sends "MAINPID=<its pid>\nREADY=1"
 *              to the caller's NOTIFY_SOCKET; the container gets no socket.
 *   container  the monitor binds a datagram socket (the proxy), which the engine bind-mounts
 *              into the container (/run/notify/notify.sock, NOTIFY_SOCKET in its environment).
 *              When the container has started the monitor sends "MAINPID=<its pid>"; then it
 *              relays what the container sends (notify_rewrite(): MAINPID rewritten to the
 *              monitor's pid, which is what systemd must watch; fd-store fields dropped).
 *   ignore     nothing is sent.
 * The protocol (sd_notify(3)): one datagram of newline-separated VAR=VALUE assignments.
 */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/cleanup.h"
#include "util/error.h"

enum notify_mode {
        NOTIFY_MODE_CONTAINER,
        NOTIFY_MODE_CONMON,
        NOTIFY_MODE_IGNORE,
        _NOTIFY_MODE_MAX,
        _NOTIFY_MODE_INVALID = -EINVAL,
};
const char *notify_mode_to_string(enum notify_mode m);
/* "container", "conmon", "ignore"; else _NOTIFY_MODE_INVALID. */
enum notify_mode notify_mode_from_string(const char *s);

/* The largest datagram relayed (systemd's own limit: bigger ones are dropped). */
#define NOTIFY_MSG_MAX 4096

/* Turns one datagram from the container (msg, len bytes) into the text to forward:
 * assignments kept in order, each line a KEY=VALUE with KEY of [A-Z0-9_] and valid UTF-8
 * (other lines dropped), MAINPID=… replaced by MAINPID=<mainpid> (once), FDSTORE=,
 * FDSTOREREMOVE=, FDNAME=, FDPOLL= and BARRIER= dropped (no fds are relayed).  *ret (malloc'd)
 * is NULL when nothing is left to forward; *ret_ready tells whether READY=1 was in it.
 * -EMSGSIZE (longer than NOTIFY_MSG_MAX), -EBADMSG (a NUL byte), -ENOMEM. */
int notify_rewrite(const char *msg, size_t len, pid_t mainpid, char **ret, bool *ret_ready);

/* Sends one datagram to the unix datagram socket at path ("@name": abstract; a path too long
 * for sun_path is reached through its directory).  -errno. */
int notify_send(const char *path, const char *msg, size_t len, struct cu_error **err);

/* What the monitor tells the caller's socket host (may be NULL: nothing) when the container
 * first started: conmon mode "MAINPID=<pid>\nREADY=1", container mode with a proxy
 * "MAINPID=<pid>" (READY=1 comes from the container); errors logged at debug. */
void notify_started(const char *host, enum notify_mode mode, bool proxy, pid_t pid);

/* The container mode's proxy: a datagram socket bound at proxy_path (mode 0777: any user of
 * the container may send), relaying to host_path. */
struct notify_proxy;
int notify_proxy_new(const char *proxy_path, const char *host_path, struct notify_proxy **ret,
                     struct cu_error **err);
/* Unlinks the socket (if it is still ours), frees; NULL-safe, returns NULL. */
struct notify_proxy *notify_proxy_free(struct notify_proxy *p);
DEFINE_CLEANUP_FUNC(struct notify_proxy *, notify_proxy_free)
/* The fd to poll for input, or -1 for NULL. */
int notify_proxy_fd(const struct notify_proxy *p);
/* Reads every pending datagram and relays it (fds passed along are closed).  Returns 1 when
 * one of them carried READY=1, else 0 (errors are logged at debug: a bad message is dropped
 * as systemd drops it). */
int notify_proxy_dispatch(struct notify_proxy *p, pid_t mainpid);
