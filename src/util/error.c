/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

__attribute__((format(printf, 4, 0))) static int error_setv(struct cu_error **err, int errnum, int with_strerror, const char *fmt,
                      va_list ap)
{
        if (errnum < 0)
                errnum = -errnum;
        if (!err)
                return errnum ? -errnum : -EIO;

        char *text = NULL;
        if (vasprintf(&text, fmt, ap) < 0)
                text = NULL;

        char *msg = text;
        if (text && with_strerror && errnum > 0) {
                if (asprintf(&msg, "%s: %s", text, strerror(errnum)) < 0)
                        msg = NULL;
                free(text);
        }

        cu_error_free(*err);
        *err = calloc(1, sizeof(**err));
        if (*err) {
                (*err)->errnum = errnum;
                (*err)->msg = msg ? msg : strdup("out of memory");
        } else {
                free(msg);
        }
        return errnum ? -errnum : -EIO;
}

int cu_error_set(struct cu_error **err, int errnum, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = error_setv(err, errnum, 1, fmt, ap);
        va_end(ap);
        return r;
}

int cu_error_setx(struct cu_error **err, int errnum, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = error_setv(err, errnum, 0, fmt, ap);
        va_end(ap);
        return r;
}

int cu_error_prefix(struct cu_error **err, int r, const char *fmt, ...)
{
        if (!err)
                return r;
        if (!*err) {
                /* The cause is just strerror(r): "ctx: No such file or directory". */
                int e = r < 0 ? -r : EIO;
                cu_error_setx(err, e, "%s", strerror(e));
        }

        char *ctx = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&ctx, fmt, ap);
        va_end(ap);
        if (n < 0)
                return r;

        char *msg = NULL;
        if (asprintf(&msg, "%s: %s", ctx, (*err)->msg ? (*err)->msg : "") >= 0) {
                free((*err)->msg);
                (*err)->msg = msg;
        }
        free(ctx);
        return r;
}

void cu_error_clear(struct cu_error **err)
{
        if (err) {
                cu_error_free(*err);
                *err = NULL;
        }
}

struct cu_error *cu_error_free(struct cu_error *e)
{
        if (e) {
                free(e->msg);
                free(e);
        }
        return NULL;
}

const char *cu_error_msg(const struct cu_error *e)
{
        return e && e->msg ? e->msg : "unknown error";
}
