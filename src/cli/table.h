/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Output of lists as podman's report package: --format templates (one execution per item,
 * the "table" directive with a header row, aligned columns), podman's default table
 * formats, and --format json.
 *
 *   _cleanup_report_ struct report *r = report_new("images", format, REPORT_ORIGIN_USER,
 *                                                  headers, &err);
 *   for each item: report_row(r, item, &err);
 *   report_finish(r, stdout, &err);
 *
 * Like podman's Formatter.Parse: "table …" and REPORT_ORIGIN_PODMAN formats go through a
 * tabwriter (minwidth 12, tabwidth 2, padding 2, ' ', StripEscape) and render a header row
 * (the template executed against the header titles); a user format without "table" is
 * normalised (`\t`, `\n`, trailing newline) and wrapped in {{range .}}…{{end -}}.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "util/error.h"

enum report_origin {
        REPORT_ORIGIN_USER,   /* --format given by the user */
        REPORT_ORIGIN_PODMAN, /* the command's own default format (always aligned, headers) */
};

/* Column titles: field name → title (uppercased); NULL title: the field name split at
 * camel-case humps and uppercased ("CreatedAt" → "CREATED AT").  Ends with { NULL }. */
struct report_header {
        const char *field;
        const char *title;
};

struct report;

/* name: the template's name in errors (podman uses the command name: "images", "ps"). */
struct report *report_new(const char *name, const char *format, enum report_origin origin,
                          const struct report_header *headers, struct cu_error **err);
struct report *report_free(struct report *r);
DEFINE_CLEANUP_FUNC(struct report *, report_free)
#define _cleanup_report_ _cleanup_(report_freep)

/* "table …" was asked for. */
bool report_is_table(const struct report *r);
/* A header row will be printed (table or podman origin) unless noheading is set. */
bool report_renders_headers(const struct report *r);
void report_set_noheading(struct report *r, bool noheading);
/* Go struct name for "can't evaluate field X in type T" on items (see template.h). */
int report_set_row_type(struct report *r, const char *type_name);

/* Adds an item (borrowed; a reference is kept). */
int report_row(struct report *r, json_t *item, struct cu_error **err);
/* Executes the template (header row, then the items) and writes the result. */
int report_finish(struct report *r, FILE *out, struct cu_error **err);

/* --format json: json.MarshalIndent(v, "", indent) and a newline, as podman prints lists
 * (indent "    ") — HTML characters escaped as Go's encoder does. */
int report_print_json(json_t *v, const char *indent, FILE *out, struct cu_error **err);

/* report.Headers' default title: camelcase.Split, joined with spaces, uppercased. */
char *report_default_title(const char *field);

/* Go's text/tabwriter over a complete text (flags: StripEscape), malloc'd. */
char *report_tabwriter(const char *text, size_t len, int minwidth, int padding, char padchar);

/* go-units HumanSizeWithPrecision(size, 3): "11.3 kB", "1.5 GB", "999 B". */
char *report_human_size(double size);
