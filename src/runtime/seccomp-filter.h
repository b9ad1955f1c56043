/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Seccomp filters from the OCI spec, built and loaded with libseccomp. */
#pragma once

#include <seccomp.h>

#include <jansson.h>

#include "oci/spec.h"
#include "util/cleanup.h"
#include "util/error.h"

/* `_cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;` */
DEFINE_CLEANUP_FUNC(scmp_filter_ctx, seccomp_release)

/*
 * Builds (does not load) the filter for s into a new libseccomp context:
 *   - the default action, then every architecture of s->architectures (the native one is always
 *     there; one of the other byte order is skipped, libseccomp cannot mix them), then one rule
 *     per syscall name;
 *   - actions are libseccomp values as oci_seccomp_parse() leaves them (errno folded in); when
 *     has_errno_ret is set the errno replaces the data bits of an ERRNO/TRACE action;
 *   - rules use seccomp_rule_add() (not _exact), so libseccomp rewrites them per architecture
 *     (socketcall multiplexing on x86 and the like), as runc and crun do;
 *   - a rule whose action equals the default action is skipped (libseccomp refuses it);
 *   - args on distinct indexes make one rule (all must match); when an index repeats, each arg
 *     becomes a rule of its own (any may match), as runc does;
 *   - a name libseccomp knows on no architecture is an error naming the field
 *     ("linux.seccomp.syscalls[2].names[0]: unknown syscall \"foo\""); a name that exists only on
 *     architectures outside the filter is skipped.
 * NO_NEW_PRIVS is left alone (SCMP_FLTATR_CTL_NNP is 0).  Flags are not applied here.
 * *ret is written only on success; release it with seccomp_release(). */
int seccomp_filter_build(const struct oci_seccomp *s, scmp_filter_ctx *ret, struct cu_error **err);

/*
 * Builds the filter and loads it into the calling thread with seccomp(2), applying s->flags
 * (SECCOMP_FILTER_FLAG_TSYNC, _LOG, _SPEC_ALLOW, _WAIT_KILLABLE_RECV; the last only matters with
 * a listener and is dropped without one).  The caller must already have set no_new_privs or hold
 * CAP_SYS_ADMIN; no_new_privs is not changed here.
 *
 * When an action is SCMP_ACT_NOTIFY, the filter is loaded with SECCOMP_FILTER_FLAG_NEW_LISTENER and
 * *ret_listener_fd receives the (O_CLOEXEC) listener fd; otherwise *ret_listener_fd = -EBADF.  With
 * ret_listener_fd NULL a listener fd is closed, so notified syscalls then fail with ENOSYS.
 * Sending the fd to s->listener_path is the caller's job.
 */
int seccomp_install(const struct oci_seccomp *s, int *ret_listener_fd, struct cu_error **err);

/*
 * Compiles the filter of s ahead of seccomp_install(s) — by this process or a fork of it, with
 * the same s — so that the container's init only loads it.  With cache_dir (the runtime's state
 * root) the program is read from, or stored in, cache_dir/.seccomp/: a profile is compiled once
 * per libseccomp version and kernel seccomp API level.  An unusable cache only costs a rebuild.
 * Errors are the build's (bad names, actions, flags).  The program lives until the next call or
 * seccomp_prepared_free().
 */
int seccomp_prepare(const struct oci_seccomp *s, const char *cache_dir, struct cu_error **err);
void seccomp_prepared_free(void);

/* True when the filter of s would need a listener (some action is SCMP_ACT_NOTIFY). */
bool seccomp_uses_notify(const struct oci_seccomp *s);

/*
 * linux.seccomp of the runtime features document (runtime-spec features.md):
 * {"enabled":true,"actions":[…],"operators":[…],"archs":[…],"knownFlags":[…],
 *  "supportedFlags":[…]}; supportedFlags are the known flags this kernel accepts.
 * New reference, or NULL on allocation failure.
 */
json_t *seccomp_features_json(void);

/* Sends the listener fd with the container process state to the agent at
 * s->listener_path (seccomp-agent.c).  No path: nothing to do. */
int seccomp_send_listener(const struct oci_seccomp *s, int listener_fd, pid_t pid,
                          const char *state_json, struct cu_error **err);
