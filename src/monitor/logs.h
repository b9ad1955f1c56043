/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Container log drivers of the monitor.
 *
 *   k8s-file   podman's (conmon's) format, one record per line of output:
 *                2024-01-02T15:04:05.123456789+01:00 stdout F text
 *              local time with its offset; "F" ends a line (the text keeps its newline),
 *              "P" marks a partial one: output that did not end in a newline within one
 *              read (the record gets a newline added).  As conmon, no buffering across reads.
 *   json-file  docker's format, one object per record:
 *                {"log":"text\n","stream":"stdout","time":"2024-01-02T14:04:05.123456789Z"}
 *              (a partial line's "log" has no "\n"; with a tag: "attrs":{"tag":"TAG"});
 *              invalid UTF-8 becomes U+FFFD, <, > and & are escaped as docker does.
 *   none       nothing is written.
 *   passthrough  the container writes to the monitor's own stdio: nothing reaches the logs.
 *
 * Rotation (--log-max-size), as conmon: before a record would take the file over the limit,
 * the file is replaced by an empty one (written as path.tmp and renamed over path); no old
 * file is kept.  Unlike conmon, the size already in the file counts from the start.
 */
#pragma once

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "util/error.h"

enum log_driver {
        LOG_DRIVER_K8S_FILE,
        LOG_DRIVER_JSON_FILE,
        LOG_DRIVER_NONE,
        LOG_DRIVER_PASSTHROUGH,
        _LOG_DRIVER_MAX,
        _LOG_DRIVER_INVALID = -EINVAL,
};

extern const char *const log_driver_names[_LOG_DRIVER_MAX];
enum log_driver log_driver_from_string(const char *s);

/* Streams, numbered as conmon's attach frames (attach.h uses the same numbers). */
enum ctr_stream {
        CTR_STREAM_STDIN = 1,
        CTR_STREAM_STDOUT = 2,
        CTR_STREAM_STDERR = 3,
};

struct ctr_log;

/* Opens (appends to, creating 0600) path for the file drivers; path is ignored for none and
 * passthrough.  max_size 0 = no limit.  tag may be NULL. */
int ctr_log_open(enum log_driver d, const char *path, uint64_t max_size, const char *tag,
                 struct ctr_log **ret, struct cu_error **err);
struct ctr_log *ctr_log_free(struct ctr_log *l);
DEFINE_CLEANUP_FUNC(struct ctr_log *, ctr_log_free)

/* Logs len bytes the container wrote on stream, stamped with ts (NULL = now). -errno. */
int ctr_log_write(struct ctr_log *l, enum ctr_stream stream, const char *buf, size_t len,
                  const struct timespec *ts);

/* The k8s-file timestamp of ts in local time ("2024-01-02T15:04:05.123456789+01:00");
 * buf holds 40 bytes.  Returns the length. */
size_t log_k8s_timestamp(const struct timespec *ts, char *buf);

/* Appends s (n bytes) to out as the inside of a JSON string the way docker's json-file does;
 * out must hold 6 * n bytes.  Returns the bytes written. */
size_t log_json_escape(const char *s, size_t n, char *out);
