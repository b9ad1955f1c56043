/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging.  Layers below cli/ log only at debug; cli/ prints errors once. */
#pragma once

#include <stdbool.h>

#include "cleanup.h"

enum log_level {
        LOG_LEVEL_TRACE,
        LOG_LEVEL_DEBUG,
        LOG_LEVEL_INFO,
        LOG_LEVEL_WARN,
        LOG_LEVEL_ERROR,
        LOG_LEVEL_FATAL,
        LOG_LEVEL_PANIC,
        _LOG_LEVEL_MAX,
        _LOG_LEVEL_INVALID = -22,
};

enum log_format {
        LOG_FORMAT_TEXT,
        LOG_FORMAT_JSON,
};

/* "trace", "debug", "info", "warn"/"warning", "error", "fatal", "panic" */
enum log_level log_level_from_string(const char *s);
void log_set_level(enum log_level l);
enum log_level log_get_level(void);
/* Log destination: NULL is stderr.  Returns -errno. */
int log_set_file(const char *path, enum log_format fmt);
void log_set_prefix(const char *prefix);
/* True when log_set_file() gave a file (errors then go there as well as to the user). */
bool log_has_file(void);

void log_msg(enum log_level l, const char *fmt, ...) _printf_(2, 3);

#define log_trace(...) log_msg(LOG_LEVEL_TRACE, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
