/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one way to fail: a function returns -errno (or NULL) and fills
 * `struct cu_error **err` (its last parameter) with a message.  Callers add
 * context going up with cu_error_prefix(); only cli/ prints.
 */
#pragma once

#include "cleanup.h"

struct cu_error {
        int errnum; /* positive errno, 0 if none */
        char *msg;
};

/* Sets *err to "<fmt>: <strerror(errnum)>" (just "<fmt>" when errnum is 0).
 * Returns -errnum, or -EIO when errnum is 0.  err may be NULL. */
int cu_error_set(struct cu_error **err, int errnum, const char *fmt, ...) _printf_(3, 4);

/* Like cu_error_set() but never appends strerror(): for validation errors. */
int cu_error_setx(struct cu_error **err, int errnum, const char *fmt, ...) _printf_(3, 4);

/* Prepends "<fmt>: " to the message in *err (creating one from r when *err
 * is empty).  Returns r so that `return cu_error_prefix(err, r, ...)` works. */
int cu_error_prefix(struct cu_error **err, int r, const char *fmt, ...) _printf_(3, 4);

/* Drops a handled error. */
void cu_error_clear(struct cu_error **err);

struct cu_error *cu_error_free(struct cu_error *e);
DEFINE_CLEANUP_FUNC(struct cu_error *, cu_error_free)
#define _cleanup_error_ _cleanup_(cu_error_freep)

/* Message of an error, or a fallback for a NULL error. */
const char *cu_error_msg(const struct cu_error *e);
