/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <time.h>

#include "output.h"

const char *human_size(uint64_t bytes, char buf[static 32])
{
        static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB" };
        double v = (double) bytes;
        size_t i = 0;
        while (v >= 1000.0 && i + 1 < sizeof(units) / sizeof(units[0])) {
                v /= 1000.0;
                i++;
        }
        snprintf(buf, 32, "%.3g %s", v, units[i]);
        return buf;
}

const char *human_duration(int64_t ns, char buf[static 32])
{
        int64_t seconds = ns / 1000000000LL;
        int64_t minutes = seconds / 60;
        int64_t hours = (seconds + 1800) / 3600; /* rounded, as d.Round(time.Hour) */
        if (seconds < 1)
                snprintf(buf, 32, "Less than a second");
        else if (seconds == 1)
                snprintf(buf, 32, "1 second");
        else if (seconds < 60)
                snprintf(buf, 32, "%lld seconds", (long long) seconds);
        else if (minutes == 1)
                snprintf(buf, 32, "About a minute");
        else if (minutes < 60)
                snprintf(buf, 32, "%lld minutes", (long long) minutes);
        else if (hours == 1)
                snprintf(buf, 32, "About an hour");
        else if (hours < 48)
                snprintf(buf, 32, "%lld hours", (long long) hours);
        else if (hours < 24 * 7 * 2)
                snprintf(buf, 32, "%lld days", (long long) (hours / 24));
        else if (hours < 24 * 30 * 2)
                snprintf(buf, 32, "%lld weeks", (long long) (hours / 24 / 7));
        else if (hours < 24 * 365 * 2)
                snprintf(buf, 32, "%lld months", (long long) (hours / 24 / 30));
        else
                snprintf(buf, 32, "%lld years", (long long) (seconds / 3600 / 24 / 365));
        return buf;
}

int64_t now_realtime_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

const char *human_since(int64_t ns, char buf[static 48])
{
        char d[32];
        int64_t delta = now_realtime_ns() - ns;
        snprintf(buf, 48, "%s ago", human_duration(delta < 0 ? 0 : delta, d));
        return buf;
}

const char *go_time_string(int64_t ns, char buf[static 64])
{
        time_t t = (time_t) (ns / 1000000000LL);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(buf, 64, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
        return buf;
}

/* ---- --format output: Go templates, json, and tables aligned as Go's
 * tabwriter.NewWriter(out, 12, 2, 2, ' ', 0) does for podman. */

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "context.h"
#include "template.h"
#include "util/json.h"
#include "util/strv.h"

/* Aligns tab-separated cells: every column but the last is padded to
 * max(12, widest cell + 2).  Consecutive lines with the same number of
 * cells form one block, as tabwriter does for a table. */
static void tab_flush(char **lines, size_t n)
{
        size_t maxcols = 0;
        for (size_t i = 0; i < n; i++) {
                size_t c = 1;
                for (const char *p = lines[i]; *p; p++)
                        c += *p == '\t';
                if (c > maxcols)
                        maxcols = c;
        }
        size_t *w = calloc(maxcols + 1, sizeof(size_t));
        if (!w)
                return;
        for (size_t i = 0; i < n; i++) {
                size_t col = 0, len = 0;
                for (const char *p = lines[i];; p++) {
                        if (*p == '\t' || !*p) {
                                if (*p == '\t' && len + 2 > w[col])
                                        w[col] = len + 2;
                                if (!*p)
                                        break;
                                col++;
                                len = 0;
                        } else if (((unsigned char) *p & 0xc0) != 0x80) {
                                len++;
                        }
                }
        }
        for (size_t c = 0; c < maxcols; c++)
                if (w[c] && w[c] < 12)
                        w[c] = 12;
        for (size_t i = 0; i < n; i++) {
                size_t col = 0, len = 0;
                for (const char *p = lines[i];; p++) {
                        if (*p == '\t') {
                                for (; len < w[col]; len++)
                                        putchar(' ');
                                col++;
                                len = 0;
                        } else if (!*p) {
                                break;
                        } else {
                                putchar(*p);
                                if (((unsigned char) *p & 0xc0) != 0x80)
                                        len++;
                        }
                }
                putchar('\n');
        }
        free(w);
}

static void print_aligned(const char *text)
{
        _cleanup_strv_ char **lines = NULL;
        for (const char *p = text; *p;) {
                const char *e = strchrnul(p, '\n');
                char *l = strndup(p, (size_t) (e - p));
                if (!l || strv_push(&lines, l) < 0)
                        return;
                p = *e ? e + 1 : e;
        }
        tab_flush(lines, strv_length(lines));
}

/* The header for a field: the table's name for it, else the field in capitals
 * with words split ("CreatedAt" → "CREATED AT"), as podman's report does. */
static char *header_for(const char *field, const struct column *headers)
{
        for (const struct column *h = headers; h && h->field; h++)
                if (strcmp(h->field, field) == 0)
                        return strdup(h->header);
        size_t n = strlen(field);
        char *out = malloc(2 * n + 1), *o = out;
        if (!out)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                if (i > 0 && isupper((unsigned char) field[i]) && islower((unsigned char) field[i - 1]))
                        *o++ = ' ';
                *o++ = (char) toupper((unsigned char) field[i]);
        }
        *o = '\0';
        return out;
}

int cli_output(const char *format, json_t *rows, const struct column *default_cols,
               const struct column *headers, bool json_array_for_json)
{
        _cleanup_free_ char *built = NULL;
        if (!format || !*format) {
                /* the default table */
                size_t n = 0;
                for (const struct column *c = default_cols; c && c->field; c++)
                        n += strlen(c->field) + 8;
                built = malloc(n + 16);
                if (!built)
                        return 125;
                strcpy(built, "table ");
                for (const struct column *c = default_cols; c && c->field; c++) {
                        if (c != default_cols)
                                strcat(built, "\t");
                        strcat(built, "{{.");
                        strcat(built, c->field);
                        strcat(built, "}}");
                }
                format = built;
        }
        if (template_is_json(format) && json_array_for_json) {
                _cleanup_free_ char *text = template_json_encode(rows, "    ", false);
                if (!text)
                        return 125;
                puts(text);
                return 0;
        }
        bool table = template_has_table(format);
        _cleanup_free_ char *norm = template_normalize(format);
        if (!norm)
                return 125;
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_template_ struct template *t = template_parse("format", norm, &err);
        if (!t)
                return cli_fail(125, err);
        size_t total = 0, cap = 4096;
        _cleanup_free_ char *all = malloc(cap);
        if (!all)
                return 125;
        all[0] = '\0';
        if (table) {
                /* the header line: the template run on a map field → header */
                _cleanup_json_ json_t *h = json_object();
                json_t *first = json_array_get(rows, 0);
                const char *k;
                json_t *v;
                json_object_foreach(first, k, v) {
                        _cleanup_free_ char *name = header_for(k, headers);
                        json_object_set_new(h, k, json_string(name ? name : k));
                }
                for (const struct column *c = headers; c && c->field; c++)
                        if (!json_object_get(h, c->field))
                                json_object_set_new(h, c->field, json_string(c->header));
                for (const struct column *c = default_cols; c && c->field; c++)
                        if (!json_object_get(h, c->field)) {
                                _cleanup_free_ char *name = header_for(c->field, headers);
                                json_object_set_new(h, c->field, json_string(name ? name : c->field));
                        }
                char *line = NULL;
                if (template_execute(t, h, &line, NULL, &err) < 0)
                        return cli_fail(125, err);
                size_t l = strlen(line);
                if (l + 1 > cap) {
                        cap = l + 4096;
                        char *na = realloc(all, cap);
                        if (!na) {
                                free(line);
                                return 125;
                        }
                        all = na;
                }
                memcpy(all, line, l + 1);
                total = l;
                free(line);
        }
        size_t i;
        json_t *row;
        json_array_foreach(rows, i, row) {
                char *line = NULL;
                size_t l = 0;
                if (template_execute(t, row, &line, &l, &err) < 0)
                        return cli_fail(125, err);
                if (total + l + 1 > cap) {
                        cap = (total + l + 1) * 2;
                        char *na = realloc(all, cap);
                        if (!na) {
                                free(line);
                                return 125;
                        }
                        all = na;
                }
                memcpy(all + total, line, l + 1);
                total += l;
                free(line);
        }
        if (total && all[total - 1] == '\n')
                all[total - 1] = '\0';
        if (total)
                print_aligned(all);
        return 0;
}
