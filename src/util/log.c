/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "log.h"

static enum log_level current_level = LOG_LEVEL_WARN;
static int log_fd = -1; /* -1: stderr */
static enum log_format log_fmt = LOG_FORMAT_TEXT;
static const char *log_prefix;

static const char *const level_names[_LOG_LEVEL_MAX] = {
        [LOG_LEVEL_TRACE] = "trace", [LOG_LEVEL_DEBUG] = "debug", [LOG_LEVEL_INFO] = "info",
        [LOG_LEVEL_WARN] = "warning", [LOG_LEVEL_ERROR] = "error", [LOG_LEVEL_FATAL] = "fatal",
        [LOG_LEVEL_PANIC] = "panic",
};

enum log_level log_level_from_string(const char *s)
{
        if (!s)
                return _LOG_LEVEL_INVALID;
        if (strcmp(s, "warn") == 0)
                return LOG_LEVEL_WARN;
        for (int i = 0; i < _LOG_LEVEL_MAX; i++)
                if (strcmp(s, level_names[i]) == 0)
                        return (enum log_level) i;
        return _LOG_LEVEL_INVALID;
}

void log_set_level(enum log_level l)
{
        current_level = l;
}

enum log_level log_get_level(void)
{
        return current_level;
}

bool log_has_file(void)
{
        return log_fd >= 0;
}

void log_set_prefix(const char *prefix)
{
        log_prefix = prefix;
}

int log_set_file(const char *path, enum log_format fmt)
{
        log_fmt = fmt;
        if (!path)
                return 0;
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        if (log_fd >= 0)
                close(log_fd);
        log_fd = fd;
        return 0;
}

void log_msg(enum log_level l, const char *fmt, ...)
{
        if (l < current_level)
                return;
        int saved = errno;
        char buf[4096];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);

        int fd = log_fd >= 0 ? log_fd : STDERR_FILENO;
        if (log_fmt == LOG_FORMAT_JSON) {
                char ts[64];
                struct timespec now;
                struct tm tm;
                clock_gettime(CLOCK_REALTIME, &now);
                gmtime_r(&now.tv_sec, &tm);
                strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
                json_t *o = json_pack("{s:s,s:s,s:s}", "level", level_names[l], "msg", buf, "time",
                                      ts);
                char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
                if (s)
                        dprintf(fd, "%s\n", s);
                free(s);
                json_decref(o);
        } else if (log_fd >= 0) {
                dprintf(fd, "%s[%s] %s\n", log_prefix ? log_prefix : "", level_names[l], buf);
        } else if (current_level <= LOG_LEVEL_DEBUG) {
                /* Debug output carries a monotonic timestamp to see where time goes. */
                struct timespec ts;
                clock_gettime(CLOCK_MONOTONIC, &ts);
                dprintf(fd, "%s[%ld.%06ld %d] %s\n", log_prefix ? log_prefix : "", (long) ts.tv_sec,
                        ts.tv_nsec / 1000, (int) getpid(), buf);
        } else {
                const char *tag = l >= LOG_LEVEL_ERROR ? "ERRO" : l == LOG_LEVEL_WARN ? "WARN"
                                  : l == LOG_LEVEL_INFO                                 ? "INFO"
                                                                                        : "DEBU";
                dprintf(fd, "%s[%s] %s\n", log_prefix ? log_prefix : "", tag, buf);
        }
        errno = saved;
}
