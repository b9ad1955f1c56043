/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <time.h>

#include "output.h"

static const char *size_text(uint64_t bytes, const char *sep, char buf[static 32])
{
        static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB" };
        double v = (double) bytes;
        size_t i = 0;
        while (v >= 1000.0 && i + 1 < sizeof(units) / sizeof(units[0])) {
                v /= 1000.0;
                i++;
        }
        snprintf(buf, 32, "%.3g%s%s", v, sep, units[i]);
        return buf;
}

const char *human_size(uint64_t bytes, char buf[static 32])
{
        return size_text(bytes, " ", buf);
}

const char *human_size_compact(uint64_t bytes, char buf[static 32])
{
        return size_text(bytes, "", buf);
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

/* ---- --format output: podman's report package (table.c) behind one call. */

#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "context.h"
#include "table.h"
#include "template.h"

int cli_output(const char *format, json_t *rows, const struct column *default_cols,
               const struct column *headers, bool json_array_for_json)
{
        _cleanup_error_ struct cu_error *err = NULL;
        if (format && template_is_json(format) && json_array_for_json)
                return report_print_json(rows, "    ", stdout, &err) < 0 ? cli_fail(125, err) : 0;
        _cleanup_free_ char *built = NULL;
        enum report_origin origin = REPORT_ORIGIN_USER;
        if (!format || !*format) {
                size_t n = 0;
                for (const struct column *c = default_cols; c && c->field; c++)
                        n += strlen(c->field) + 8;
                built = calloc(1, n + 32);
                if (!built)
                        return 125;
                strcpy(built, "{{range . }}");
                for (const struct column *c = default_cols; c && c->field; c++) {
                        if (c != default_cols)
                                strcat(built, "\t");
                        strcat(built, "{{.");
                        strcat(built, c->field);
                        strcat(built, "}}");
                }
                strcat(built, "\n{{end -}}");
                format = built;
                origin = REPORT_ORIGIN_PODMAN;
        }
        size_t nh = 0;
        for (const struct column *c = headers; c && c->field; c++)
                nh++;
        struct report_header *h = calloc(nh + 1, sizeof(*h));
        if (!h)
                return 125;
        for (size_t i = 0; i < nh; i++)
                h[i] = (struct report_header) { headers[i].field, headers[i].header };
        struct report *r = report_new("format", format, origin, h, &err);
        int rc = 0;
        size_t i;
        json_t *row;
        if (!r)
                rc = cli_fail(125, err);
        json_array_foreach(rows, i, row) {
                if (rc || report_row(r, row, &err) < 0) {
                        rc = rc ? rc : cli_fail(125, err);
                        break;
                }
        }
        if (!rc && report_finish(r, stdout, &err) < 0)
                rc = cli_fail(125, err);
        report_free(r);
        free(h);
        return rc;
}
