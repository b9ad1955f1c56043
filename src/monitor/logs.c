/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Container log drivers: k8s-file, json-file, none, passthrough. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exitfile.h"
#include "logs.h"
#include "util/fileio.h"
#include "util/log.h"

const char *const log_driver_names[_LOG_DRIVER_MAX] = {
        [LOG_DRIVER_K8S_FILE] = "k8s-file",
        [LOG_DRIVER_JSON_FILE] = "json-file",
        [LOG_DRIVER_NONE] = "none",
        [LOG_DRIVER_PASSTHROUGH] = "passthrough",
};

struct ctr_log {
        enum log_driver driver;
        int fd;
        char *path;
        char *tag; /* JSON-escaped */
        uint64_t max_size, size;
        char *out; /* records of one write, flushed with one write() */
        size_t out_len, out_cap;
};

enum log_driver log_driver_from_string(const char *s)
{
        for (int i = 0; s && i < _LOG_DRIVER_MAX; i++)
                if (strcmp(s, log_driver_names[i]) == 0)
                        return (enum log_driver) i;
        return _LOG_DRIVER_INVALID;
}

static const char *stream_name(enum ctr_stream s)
{
        return s == CTR_STREAM_STDERR ? "stderr" : s == CTR_STREAM_STDIN ? "stdin" : "stdout";
}

size_t log_k8s_timestamp(const struct timespec *ts, char *buf)
{
        struct tm tm;
        time_t sec = ts->tv_sec;
        localtime_r(&sec, &tm);
        long off = tm.tm_gmtoff;
        char sign = '+';
        if (off < 0) {
                sign = '-';
                off = -off;
        }
        int n = snprintf(buf, 40, "%04d-%02d-%02dT%02d:%02d:%02d.%09ld%c%02ld:%02ld",
                         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                         tm.tm_sec, ts->tv_nsec, sign, off / 3600, (off % 3600) / 60);
        return n < 0 ? 0 : (size_t) n;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is invalid. */
static size_t utf8_valid_len(const unsigned char *s, size_t n)
{
        unsigned char c = s[0];
        size_t len;
        uint32_t cp;
        if (c >= 0xc2 && c <= 0xdf) {
                len = 2;
                cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
                len = 3;
                cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
                len = 4;
                cp = c & 0x07;
        } else {
                return 0;
        }
        if (n < len)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return len;
}

size_t log_json_escape(const char *str, size_t n, char *out)
{
        static const char hex[] = "0123456789abcdef";
        const unsigned char *s = (const unsigned char *) str;
        size_t o = 0;
        for (size_t i = 0; i < n;) {
                unsigned char c = s[i];
                if (c < 0x80) {
                        if (c == '"' || c == '\\') {
                                out[o++] = '\\';
                                out[o++] = (char) c;
                        } else if (c == '\n' || c == '\r' || c == '\t') {
                                out[o++] = '\\';
                                out[o++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
                        } else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x7f) {
                                memcpy(out + o, "\\u00", 4);
                                out[o + 4] = hex[c >> 4];
                                out[o + 5] = hex[c & 15];
                                o += 6;
                        } else {
                                out[o++] = (char) c;
                        }
                        i++;
                        continue;
                }
                size_t len = utf8_valid_len(s + i, n - i);
                if (len == 0) {
                        memcpy(out + o, "\\ufffd", 6);
                        o += 6;
                        i++;
                } else if (len == 3 && s[i] == 0xe2 && s[i + 1] == 0x80 &&
                           (s[i + 2] == 0xa8 || s[i + 2] == 0xa9)) {
                        memcpy(out + o, s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
                        o += 6;
                        i += 3;
                } else {
                        memcpy(out + o, s + i, len);
                        o += len;
                        i += len;
                }
        }
        return o;
}

static int open_log_file(const char *path, uint64_t *ret_size)
{
        int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        struct stat st;
        *ret_size = fstat(fd, &st) == 0 ? (uint64_t) st.st_size : 0;
        return fd;
}

int ctr_log_open(enum log_driver d, const char *path, uint64_t max_size, const char *tag,
                 struct ctr_log **ret, struct cu_error **err)
{
        if (d < 0 || d >= _LOG_DRIVER_MAX)
                return cu_error_setx(err, EINVAL, "invalid log driver");
        _cleanup_(ctr_log_freep) struct ctr_log *l = calloc(1, sizeof(*l));
        if (!l)
                return cu_error_set(err, ENOMEM, "calloc");
        l->driver = d;
        l->fd = -EBADF;
        l->max_size = max_size;
        if (d == LOG_DRIVER_K8S_FILE || d == LOG_DRIVER_JSON_FILE) {
                if (!path || !*path)
                        return cu_error_setx(err, EINVAL, "log driver %s needs a log path",
                                             log_driver_names[d]);
                l->path = strdup(path);
                if (!l->path)
                        return cu_error_set(err, ENOMEM, "strdup");
                l->fd = open_log_file(path, &l->size);
                if (l->fd < 0)
                        return cu_error_set(err, -l->fd, "opening log file %s", path);
        }
        if (tag && *tag) {
                size_t n = strlen(tag);
                l->tag = malloc(6 * n + 1);
                if (!l->tag)
                        return cu_error_set(err, ENOMEM, "malloc");
                l->tag[log_json_escape(tag, n, l->tag)] = '\0';
        }
        *ret = TAKE_PTR(l);
        return 0;
}

struct ctr_log *ctr_log_free(struct ctr_log *l)
{
        if (!l)
                return NULL;
        safe_close(l->fd);
        free(l->path);
        free(l->tag);
        free(l->out);
        free(l);
        return NULL;
}

static int flush_out(struct ctr_log *l)
{
        int r = l->out_len ? write_all(l->fd, l->out, l->out_len) : 0;
        l->out_len = 0;
        return r;
}

/* conmon's rotation: a fresh file takes the path; the old content is gone. */
static int rotate(struct ctr_log *l)
{
        int r = flush_out(l);
        _cleanup_free_ char *tmp = NULL;
        if (asprintf(&tmp, "%s.tmp", l->path) < 0)
                return -ENOMEM;
        int fd = open(tmp, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        if (rename(tmp, l->path) < 0) {
                r = -errno;
                (void) unlink(tmp);
                safe_close(fd);
                return r;
        }
        safe_close(l->fd);
        l->fd = fd;
        l->size = 0;
        log_debug("monitor: log %s rotated", l->path);
        return r;
}

static int reserve(struct ctr_log *l, size_t more)
{
        if (l->out_len + more <= l->out_cap)
                return 0;
        size_t cap = l->out_cap ? l->out_cap : 4096;
        while (cap < l->out_len + more)
                cap *= 2;
        char *p = realloc(l->out, cap);
        if (!p)
                return -ENOMEM;
        l->out = p;
        l->out_cap = cap;
        return 0;
}

/* Appends one record for line (len bytes; partial when it has no final newline). */
static int add_record(struct ctr_log *l, const char *ts, const char *stream, const char *line,
                      size_t len, bool partial)
{
        size_t bound = len * 6 + 128 + (l->tag ? strlen(l->tag) : 0);
        int r = reserve(l, bound);
        if (r < 0)
                return r;
        char *p = l->out + l->out_len;
        size_t n;
        if (l->driver == LOG_DRIVER_K8S_FILE) {
                n = (size_t) sprintf(p, "%s %s %c ", ts, stream, partial ? 'P' : 'F');
                memcpy(p + n, line, len);
                n += len;
                if (partial)
                        p[n++] = '\n';
        } else {
                memcpy(p, "{\"log\":\"", 8);
                n = 8 + log_json_escape(line, len, p + 8);
                n += (size_t) sprintf(p + n, "\",\"stream\":\"%s\",", stream);
                if (l->tag)
                        n += (size_t) sprintf(p + n, "\"attrs\":{\"tag\":\"%s\"},", l->tag);
                n += (size_t) sprintf(p + n, "\"time\":\"%s\"}\n", ts);
        }
        if (l->max_size && l->size + n > l->max_size && l->size > 0) {
                /* The record stays in place: flush what precedes it, rotate, then keep it. */
                _cleanup_free_ char *rec = malloc(n);
                if (!rec)
                        return -ENOMEM;
                memcpy(rec, p, n);
                r = rotate(l);
                if (r < 0)
                        log_debug("monitor: rotating %s: %s", l->path, strerror(-r));
                memcpy(l->out, rec, n);
        }
        l->out_len += n;
        l->size += n;
        return 0;
}

int ctr_log_write(struct ctr_log *l, enum ctr_stream stream, const char *buf, size_t len,
                  const struct timespec *ts)
{
        if (!l || l->fd < 0 || len == 0)
                return 0;
        struct timespec now;
        if (!ts) {
                clock_gettime(CLOCK_REALTIME, &now);
                ts = &now;
        }
        char stamp[RFC3339NANO_MAX + 8];
        if (l->driver == LOG_DRIVER_K8S_FILE)
                log_k8s_timestamp(ts, stamp);
        else
                format_rfc3339nano(ts, stamp);
        const char *name = stream_name(stream);
        while (len > 0) {
                const char *nl = memchr(buf, '\n', len);
                size_t n = nl ? (size_t) (nl - buf) + 1 : len;
                int r = add_record(l, stamp, name, buf, n, !nl);
                if (r < 0)
                        return r;
                buf += n;
                len -= n;
        }
        return flush_out(l);
}
