/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * POSIX-platform hooks (runtime-spec config.md "Hooks"): each hook is
 * forked and executed with the container state JSON on its stdin.
 */
#pragma once

#include <stddef.h>

#include "oci/spec.h"
#include "util/error.h"

/* Bytes of a hook's stdout and of its stderr kept for error messages
 * (each); the rest is read and dropped. */
#define HOOKS_OUTPUT_MAX 4096

/*
 * Runs hooks[0..n) in order and stops at the first failure, except for
 * "poststart" and "poststop", whose failures the spec makes warnings: those
 * run to the end and return the first error (later ones are logged).  kind
 * ("prestart", "createRuntime", ...) names the hooks in messages.
 *
 * Each hook: argv = args (or just path when args is empty), env = its env
 * exactly (empty when absent), execve(path) — no $PATH search.  stdin is
 * a pipe carrying state_json (then EOF; NULL is sent as nothing), stdout
 * and stderr are pipes read into bounded buffers: logged at debug on
 * success, quoted in the error on failure.  The hook inherits no other fd,
 * the default disposition of every signal and an empty signal mask.
 *
 * Errors (the first lines of the hook's stderr, or else stdout, follow):
 *   `createRuntime hook "/path" failed: exit status 3: <output>`    -EIO
 *   `prestart hook "/x" failed: killed by signal SEGV: <output>`    -EIO
 *   `prestart hook "/x" timed out after 2 seconds` (SIGKILLed)     -ETIMEDOUT
 *   `prestart hook "/x": cannot execute: No such file or directory` -errno
 *
 * Only the hook process itself is killed on timeout and waited for; its
 * own children are not, and output they write later is not waited for.
 * The caller must not have SIGCHLD set to SIG_IGN (the hook could not be
 * waited for).  SIGPIPE is ignored while hooks run (restored afterwards),
 * so a hook that does not read its stdin is fine.
 */
int hooks_run(const struct oci_hook *hooks, size_t n, const char *kind, const char *state_json,
              struct cu_error **err);
