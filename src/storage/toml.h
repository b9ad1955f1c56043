/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A reader for the subset of TOML that containers' configuration files use:
 * basic and literal strings (single line), arrays of strings, booleans,
 * decimal integers, comments, dotted/quoted keys, [table] and
 * [[array-of-tables]] headers.  Anything else (floats, dates, inline tables,
 * multi-line strings) is rejected with "<origin>:<line>: …".
 *
 * The reader keeps no document: it calls on_table for each header and
 * on_key for each key = value of the current table, in file order; a key
 * defined twice in a table, or a [table] defined twice, is an error.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "util/cleanup.h"
#include "util/error.h"

enum toml_type { TOML_STRING, TOML_BOOL, TOML_INT, TOML_ARRAY };

struct toml_value {
        enum toml_type type;
        char *s;
        bool b;
        int64_t i;
        char **strv; /* TOML_ARRAY: strings only */
};

struct toml {
        /* set by the caller */
        const char *p, *end; /* the text */
        const char *origin;  /* names the file in errors */
        /* the consumer: path is the header's keys (NULL-terminated); a callback may take
         * ownership of v's members (TAKE_PTR) */
        int (*on_table)(void *ud, char **path, bool array, struct toml *t, struct cu_error **err);
        int (*on_key)(void *ud, const char *key, struct toml_value *v, struct toml *t,
                      struct cu_error **err);
        void *ud;
        /* reader state; line is the current line (1-based) for the consumer's messages */
        unsigned line;
        char **keys_seen;   /* keys of the current table */
        char **tables_seen; /* [std] tables already defined */
};

/* Reads the whole text (t->p to t->end), calling the consumer.  Returns 0, the first
 * negative value a callback returned, or -EINVAL for a syntax error. */
int toml_parse(struct toml *t, struct cu_error **err);

/* Sets err to "<origin>:<line>: <message>" (EINVAL) and returns -EINVAL; for callbacks. */
int toml_fail(struct toml *t, struct cu_error **err, const char *fmt, ...) _printf_(3, 4);

void toml_value_clear(struct toml_value *v);
