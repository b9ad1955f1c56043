/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Go text/template, as podman's --format uses it, evaluated against jansson values whose
 * object keys are podman's Go field names (ID, Names, State.Status …).
 *
 * Supported: text; {{.}} {{.A.B}} {{$x}} {{$x.A}} (pipe).Field; "strings", `raw`, 'c', numbers,
 * true/false/nil; pipelines {{.X | f a}}; {{- / -}} trimming; comments;
 * {{if}}/{{else if}}/{{else}}/{{end}}, {{range}} (with $i, $e :=, {{else}}, {{break}},
 * {{continue}}), {{with}}, variables ($x := …, $x = …); Go's builtins and, or, not, len, index,
 * slice, print, printf, println, eq, ne, lt, le, gt, ge, html, js, urlquery; podman's join,
 * json, lower, pad, split, title, truncate, upper.  Not supported: define/template/block,
 * call, methods.
 *
 * Values print as Go's fmt %v: strings raw, integers plain, floats shortest (%g style),
 * arrays "[a b]", objects "map[k:v]" (keys sorted), JSON null "<nil>", a missing key
 * "<no value>".  Errors read as Go's: "template: NAME:1: function \"foo\" not defined",
 * "template: NAME:1:13: executing \"NAME\" at <.ID.Foo>: can't evaluate field Foo in type
 * string".
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "util/error.h"

struct template;

/* Parses text as is (no podman normalisation); name appears in error messages. */
struct template *template_parse(const char *name, const char *text, struct cu_error **err);
struct template *template_free(struct template *t);
DEFINE_CLEANUP_FUNC(struct template *, template_free)
#define _cleanup_template_ _cleanup_(template_freep)

/* Podman's data are structs: with a type name set, a key missing from an item (the data
 * object, or an element of the data array) is an error ("can't evaluate field Foo in type images.imageReporter") rather than
 * "<no value>" (nested objects stay maps). */
int template_set_root_type(struct template *t, const char *type_name);
/* The type name set (malloc'd copy), or NULL. */
char *template_root_type(const struct template *t);

/* Executes against data (borrowed).  Output goes to *ret (malloc'd, NUL-terminated, written
 * on success only); ret_len may be NULL. */
int template_execute(struct template *t, json_t *data, char **ret, size_t *ret_len,
                     struct cu_error **err);
/* Same, writing to f (nothing is written on error). */
int template_execute_file(struct template *t, json_t *data, FILE *f, struct cu_error **err);

/* Go's fmt %v of a value (NULL: "<no value>"), malloc'd. */
char *template_format_value(json_t *v);

/* Go's json encoding of v: compact when indent is NULL, else MarshalIndent(v, "", indent);
 * escape_html escapes <, >, & as \u003c… (json.Marshal does; podman's {{json}} does not). */
char *template_json_encode(json_t *v, const char *indent, bool escape_html);

/* ---- podman's report/template.go helpers ---- */

/* "table " prefix? */
bool template_has_table(const char *format);
/* report.IsJSON: "json", "{{json .}}", "{{ json }}" … (whole-output JSON requests). */
bool template_is_json(const char *format);
/* NormalizeFormat: `\t`, `\n` typed as two characters become tab/newline; with "table "
 * the prefix goes and spaces become tabs; a newline is appended if missing.  malloc'd. */
char *template_normalize(const char *format);
/* EnforceRange: wraps "{{range .}}…{{end -}}" unless the text already ranges over ".". */
char *template_enforce_range(const char *format);
