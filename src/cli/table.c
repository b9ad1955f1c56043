/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Podman's report package: table/template output, tabwriter, JSON lists (see table.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/table.h"
#include "cli/template.h"
#include "util/cleanup.h"

struct report {
        char *name;
        struct template *tmpl;
        bool table, headers, noheading;
        json_t *header_row; /* field → title */
        json_t *rows;       /* array */
};

/* ---- tabwriter ---- */

struct cell {
        size_t start, size, width;
};

struct line {
        struct cell *cells;
        size_t n;
};

struct tw {
        const char *buf; /* text without escape bytes */
        struct line *lines;
        size_t n_lines;
        int widths[256];
        size_t n_widths;
        int minwidth, padding;
        char padchar;
        FILE *out;
};

static void tw_write_lines(struct tw *b, size_t line0, size_t line1)
{
        for (size_t i = line0; i < line1; i++) {
                struct line *l = &b->lines[i];
                for (size_t j = 0; j < l->n; j++) {
                        struct cell *c = &l->cells[j];
                        fwrite(b->buf + c->start, 1, c->size, b->out);
                        if (j < b->n_widths)
                                for (size_t k = c->width; k < (size_t) b->widths[j]; k++)
                                        fputc(b->padchar, b->out);
                }
                if (i + 1 < b->n_lines)
                        fputc('\n', b->out);
        }
}

static void tw_format(struct tw *b, size_t line0, size_t line1)
{
        size_t column = b->n_widths;
        for (size_t this = line0; this < line1; this++) {
                if (column + 1 >= b->lines[this].n)
                        continue;
                tw_write_lines(b, line0, this);
                line0 = this;
                int width = b->minwidth;
                for (; this < line1; this++) {
                        struct line *l = &b->lines[this];
                        if (column + 1 >= l->n)
                                break;
                        int w = (int) l->cells[column].width + b->padding;
                        if (w > width)
                                width = w;
                }
                if (b->n_widths < ELEMENTSOF(b->widths)) {
                        b->widths[b->n_widths++] = width;
                        tw_format(b, line0, this);
                        b->n_widths--;
                } else {
                        tw_write_lines(b, line0, this);
                }
                line0 = this;
        }
        tw_write_lines(b, line0, line1);
}

static size_t rune_count(const char *s, size_t n)
{
        size_t c = 0;
        for (size_t i = 0; i < n; i++)
                c += ((unsigned char) s[i] & 0xc0) != 0x80;
        return c;
}

static int add_cell(struct line *l, size_t start, size_t size, const char *buf)
{
        struct cell *c = realloc(l->cells, (l->n + 1) * sizeof(*c));
        if (!c)
                return -ENOMEM;
        l->cells = c;
        c[l->n++] = (struct cell) { start, size, rune_count(buf + start, size) };
        return 0;
}

char *report_tabwriter(const char *text, size_t len, int minwidth, int padding, char padchar)
{
        _cleanup_free_ char *buf = malloc(len + 1);
        if (!buf)
                return NULL;
        char *out = NULL;
        size_t outlen = 0;
        FILE *f = open_memstream(&out, &outlen);
        if (!f)
                return NULL;
        struct tw b = { .buf = buf, .minwidth = minwidth, .padding = padding, .padchar = padchar,
                        .out = f };
        size_t n = 0, cell_start = 0, seg_start = 0;
        bool escaped = false, ok = true;
        struct line *lines = calloc(1, sizeof(*lines));
        size_t n_lines = 1;
        ok = lines != NULL;
        for (size_t i = 0; ok && i <= len; i++) {
                char c = i < len ? text[i] : 0;
                if (i < len && (unsigned char) c == 0xff) {
                        escaped = !escaped;
                        continue;
                }
                if (i < len && (escaped || (c != '\t' && c != '\v' && c != '\n' && c != '\f'))) {
                        buf[n++] = c;
                        continue;
                }
                struct line *cur = &lines[n_lines - 1];
                if (i == len) {
                        /* Flush: the partial cell only counts when non-empty */
                        if (n > cell_start)
                                ok = add_cell(cur, cell_start, n - cell_start, buf) == 0;
                        break;
                }
                ok = add_cell(cur, cell_start, n - cell_start, buf) == 0;
                cell_start = n;
                if (c != '\n' && c != '\f')
                        continue;
                bool flush = c == '\f' || cur->n == 1;
                struct line *nl = ok ? realloc(lines, (n_lines + 1) * sizeof(*nl)) : NULL;
                if (!nl) {
                        ok = false;
                        break;
                }
                lines = nl;
                lines[n_lines++] = (struct line) { 0 };
                if (flush) {
                        /* format the finished lines; keep the new (empty) one */
                        b.lines = lines + seg_start;
                        b.n_lines = n_lines - seg_start;
                        b.n_widths = 0;
                        tw_format(&b, 0, b.n_lines - 1);
                        seg_start = n_lines - 1;
                }
        }
        if (ok) {
                b.lines = lines + seg_start;
                b.n_lines = n_lines - seg_start;
                b.n_widths = 0;
                tw_format(&b, 0, b.n_lines);
        }
        for (size_t i = 0; lines && i < n_lines; i++)
                free(lines[i].cells);
        free(lines);
        if (fclose(f) != 0 || !ok) {
                free(out);
                return NULL;
        }
        return out;
}

/* ---- titles ---- */

static int char_class(unsigned char c)
{
        return islower(c) ? 1 : isupper(c) ? 2 : isdigit(c) ? 3 : 4;
}

char *report_default_title(const char *field)
{
        /* camelcase.Split: runs of one class; an upper run followed by a lower run gives
         * its last letter to the lower run ("PDFLoader" → "PDF Loader"). */
        size_t n = strlen(field);
        _cleanup_free_ size_t *starts = calloc(n + 2, sizeof(size_t));
        char *out = malloc(2 * n + 1);
        if (!starts || !out) {
                free(out);
                return NULL;
        }
        size_t runs = 0;
        for (size_t i = 0; i < n; i++)
                if (i == 0 || char_class((unsigned char) field[i]) !=
                              char_class((unsigned char) field[i - 1]))
                        starts[runs++] = i;
        starts[runs] = n;
        for (size_t r = 0; r + 1 < runs; r++)
                if (isupper((unsigned char) field[starts[r]]) &&
                    islower((unsigned char) field[starts[r + 1]]))
                        starts[r + 1]--;
        char *o = out;
        for (size_t r = 0; r < runs; r++) {
                if (starts[r] == starts[r + 1])
                        continue;
                if (o != out)
                        *o++ = ' ';
                for (size_t i = starts[r]; i < starts[r + 1]; i++)
                        *o++ = (char) toupper((unsigned char) field[i]);
        }
        *o = 0;
        return out;
}

static char *upper_dup(const char *s)
{
        char *u = strdup(s);
        for (char *p = u; p && *p; p++)
                *p = (char) toupper((unsigned char) *p);
        return u;
}

/* ---- report ---- */

struct report *report_free(struct report *r)
{
        if (!r)
                return NULL;
        template_free(r->tmpl);
        json_decref(r->header_row);
        json_decref(r->rows);
        free(r->name);
        free(r);
        return NULL;
}

static char *wrap_range(const char *body)
{
        char *s = NULL;
        if (asprintf(&s, "{{range .}}%s{{end -}}", body) < 0)
                return NULL;
        return s;
}

struct report *report_new(const char *name, const char *format, enum report_origin origin,
                          const struct report_header *headers, struct cu_error **err)
{
        _cleanup_report_ struct report *r = calloc(1, sizeof(*r));
        if (!r || !(r->name = strdup(name)) || !(r->rows = json_array()) ||
            !(r->header_row = json_object())) {
                cu_error_set(err, ENOMEM, "preparing output");
                return NULL;
        }
        for (const struct report_header *h = headers; h && h->field; h++) {
                char *t = h->title ? upper_dup(h->title) : report_default_title(h->field);
                if (!t || json_object_set_new(r->header_row, h->field, json_string(t)) < 0) {
                        free(t);
                        cu_error_set(err, ENOMEM, "preparing output");
                        return NULL;
                }
                free(t);
        }

        /* Formatter.Parse: the normalised text first, the raw one if that fails to parse. */
        _cleanup_free_ char *norm = NULL, *raw = NULL, *n1 = template_normalize(format);
        if (!n1) {
                cu_error_set(err, ENOMEM, "preparing output");
                return NULL;
        }
        r->table = template_has_table(format);
        if (r->table) {
                norm = wrap_range(n1);
                raw = wrap_range(format + strlen("table "));
        } else if (origin == REPORT_ORIGIN_USER) {
                norm = template_enforce_range(n1);
                raw = template_enforce_range(format);
        } else {
                norm = TAKE_PTR(n1);
        }
        if (!norm || (origin == REPORT_ORIGIN_USER && !raw) || (r->table && !raw)) {
                cu_error_set(err, ENOMEM, "preparing output");
                return NULL;
        }
        r->headers = r->table || origin == REPORT_ORIGIN_PODMAN;
        _cleanup_error_ struct cu_error *e1 = NULL;
        r->tmpl = template_parse(name, norm, &e1);
        if (!r->tmpl && raw) {
                r->tmpl = template_parse(name, raw, err);
                if (!r->tmpl)
                        return NULL;
        } else if (!r->tmpl) {
                *err = TAKE_PTR(e1);
                return NULL;
        }
        return TAKE_PTR(r);
}

bool report_is_table(const struct report *r)
{
        return r->table;
}

bool report_renders_headers(const struct report *r)
{
        return r->headers && !r->noheading;
}

void report_set_noheading(struct report *r, bool noheading)
{
        r->noheading = noheading;
}

int report_set_row_type(struct report *r, const char *type_name)
{
        return template_set_root_type(r->tmpl, type_name);
}

int report_row(struct report *r, json_t *item, struct cu_error **err)
{
        if (json_array_append(r->rows, item) < 0)
                return cu_error_set(err, ENOMEM, "adding output row");
        return 0;
}

int report_finish(struct report *r, FILE *out, struct cu_error **err)
{
        _cleanup_free_ char *hdr = NULL, *body = NULL;
        size_t hlen = 0, blen = 0;
        int k;
        if (report_renders_headers(r)) {
                /* The header row is a map[string]string in podman: missing keys print
                 * "<no value>" even where items are structs. */
                _cleanup_(json_decrefp) json_t *one = json_pack("[O]", r->header_row);
                if (!one)
                        return cu_error_set(err, ENOMEM, "printing headers");
                _cleanup_free_ char *type = template_root_type(r->tmpl);
                if (template_set_root_type(r->tmpl, NULL) < 0)
                        return cu_error_set(err, ENOMEM, "printing headers");
                k = template_execute(r->tmpl, one, &hdr, &hlen, err);
                if (template_set_root_type(r->tmpl, type) < 0 && k >= 0)
                        k = cu_error_set(err, ENOMEM, "printing headers");
                if (k < 0)
                        return k;
        }
        k = template_execute(r->tmpl, r->rows, &body, &blen, err);
        if (k < 0)
                return k;
        _cleanup_free_ char *all = malloc(hlen + blen + 1);
        if (!all)
                return cu_error_set(err, ENOMEM, "printing output");
        if (hlen)
                memcpy(all, hdr, hlen);
        if (blen)
                memcpy(all + hlen, body, blen);
        all[hlen + blen] = 0;
        size_t len = hlen + blen;
        if (r->headers) {
                char *tw = report_tabwriter(all, len, 12, 2, ' ');
                if (!tw)
                        return cu_error_set(err, ENOMEM, "printing output");
                free(all);
                all = tw;
                len = strlen(tw);
        }
        if (fwrite(all, 1, len, out) != len || fflush(out) != 0)
                return cu_error_set(err, errno ? errno : EIO, "writing output");
        return 0;
}

int report_print_json(json_t *v, const char *indent, FILE *out, struct cu_error **err)
{
        _cleanup_free_ char *s = template_json_encode(v, indent, true);
        if (!s)
                return cu_error_set(err, ENOMEM, "encoding JSON");
        if (fprintf(out, "%s\n", s) < 0)
                return cu_error_set(err, errno ? errno : EIO, "writing output");
        return 0;
}

char *report_human_size(double size)
{
        static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB" };
        size_t i = 0;
        while (size >= 1000.0 && i + 1 < ELEMENTSOF(units)) {
                size /= 1000.0;
                i++;
        }
        char *s = NULL;
        if (asprintf(&s, "%.3g %s", size, units[i]) < 0)
                return NULL;
        return s;
}
