/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Report output: tabwriter alignment and headers, against podman 4.3.1's real output. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/table.h"
#include "util/cleanup.h"

static const struct report_header image_headers[] = {
        { "ID", "IMAGE ID" }, { "ReadOnly", "R/O" }, { "Repository", NULL }, { "Tag", NULL },
        { "Created", NULL }, { "Size", NULL }, { NULL, NULL },
};

static char *render(const char *name, const char *format, enum report_origin origin,
                    const struct report_header *hdr, const char *rows_json, bool noheading)
{
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_report_ struct report *r = report_new(name, format, origin, hdr, &err);
        assert_non_null(r);
        report_set_noheading(r, noheading);
        _cleanup_(json_decrefp) json_t *rows = json_loads(rows_json, 0, NULL);
        assert_non_null(rows);
        for (size_t i = 0; i < json_array_size(rows); i++)
                assert_int_equal(report_row(r, json_array_get(rows, i), &err), 0);
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        assert_non_null(f);
        assert_int_equal(report_finish(r, f, &err), 0);
        fclose(f);
        return out;
}

static const char *images_json =
        "[{\"Repository\":\"localhost/test\",\"Tag\":\"1\",\"ID\":\"cadfa9080d1e\","
        "\"Created\":\"1 second ago\",\"Size\":\"11.3 kB\"},"
        "{\"Repository\":\"localhost/averyveryverylongrepositoryname/x\",\"Tag\":\"latest\","
        "\"ID\":\"cadfa9080d1e\",\"Created\":\"1 second ago\",\"Size\":\"11.3 kB\"}]";

static void test_podman_default(void **s)
{
        /* `podman images` (its own format, OriginPodman) */
        _cleanup_free_ char *o = render("images",
                "{{range . }}{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Created}}\t{{.Size}}\n{{end -}}",
                REPORT_ORIGIN_PODMAN, image_headers, images_json, false);
        assert_string_equal(o,
                "REPOSITORY                                   TAG         IMAGE ID      CREATED       SIZE\n"
                "localhost/test                               1           cadfa9080d1e  1 second ago  11.3 kB\n"
                "localhost/averyveryverylongrepositoryname/x  latest      cadfa9080d1e  1 second ago  11.3 kB\n");
        _cleanup_free_ char *n = render("images",
                "{{range . }}{{.Repository}}\t{{.Tag}}\n{{end -}}", REPORT_ORIGIN_PODMAN,
                image_headers, images_json, true);
        assert_string_equal(n, "localhost/test                               1\n"
                               "localhost/averyveryverylongrepositoryname/x  latest\n");
}

static void test_user_table(void **s)
{
        /* podman images --format 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}' */
        _cleanup_free_ char *o = render("images", "table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}",
                                        REPORT_ORIGIN_USER, image_headers, images_json, false);
        assert_string_equal(o,
                "REPOSITORY                                   TAG         IMAGE ID\n"
                "localhost/test                               1           cadfa9080d1e\n"
                "localhost/averyveryverylongrepositoryname/x  latest      cadfa9080d1e\n");
        /* podman ps -a --format 'table {{.ID}}\t{{.Names}}' with no containers */
        static const struct report_header ps[] = {
                { "ID", "CONTAINER ID" }, { "Names", NULL }, { NULL, NULL } };
        _cleanup_free_ char *e = render("ps", "table {{.ID}}\t{{.Names}}", REPORT_ORIGIN_USER,
                                        ps, "[]", false);
        assert_string_equal(e, "CONTAINER ID  NAMES\n");
        /* a user format without "table": literal tabs, no header */
        _cleanup_free_ char *p = render("images", "{{.ID}}\\t{{.Tag}}", REPORT_ORIGIN_USER,
                                        image_headers, images_json, false);
        assert_string_equal(p, "cadfa9080d1e\t1\ncadfa9080d1e\tlatest\n");
}

static void test_tabwriter(void **s)
{
        /* Go's formatter_test.go ParseTable: minwidth 12, padding 2 */
        const char *in = "Identity\tValue\nc061a0839e\tone\nf10fc2e11057\ttwo\n"
                         "1eb6fab5aa8f4b5cbfd3e66aa35e9b2a\tthree\n";
        _cleanup_free_ char *o = report_tabwriter(in, strlen(in), 12, 2, ' ');
        assert_string_equal(o, "Identity                          Value\n"
                               "c061a0839e                        one\n"
                               "f10fc2e11057                      two\n"
                               "1eb6fab5aa8f4b5cbfd3e66aa35e9b2a  three\n");
        /* Go's formatter_test.go: "Value\tIdent\n" then cells without newlines */
        const char *in2 = "Value\tIdent\nIdentity\tID\nValue\tIdent\n"
                          "c061a0839e\tIDf10fc2e11057\tID1eb6fab5aa8f4b5cbfd3e66aa35e9b2a\tID\n";
        _cleanup_free_ char *o2 = report_tabwriter(in2, strlen(in2), 12, 2, ' ');
        assert_string_equal(o2, "Value       Ident\nIdentity    ID\nValue       Ident\n"
                                "c061a0839e  IDf10fc2e11057  ID1eb6fab5aa8f4b5cbfd3e66aa35e9b2a  ID\n");
        /* a line without tabs ends a column block; text after the last tab is not aligned;
         * UTF-8 counts runes; 0xff escapes are stripped and their text kept whole */
        const char *in3 = "a\tb\tc\nlonger-than-twelve\tx\nsingle\nq\tr\n\xc3\xa9\t\xff\t\xff\tz";
        _cleanup_free_ char *o3 = report_tabwriter(in3, strlen(in3), 4, 1, '.');
        assert_string_equal(o3, "a..................b...c\nlonger-than-twelve.x\nsingle\n"
                                "q...r\n\xc3\xa9...\t...z");
        /* a trailing tab makes a (padded) cell, \f flushes */
        const char *in4 = "ab\tc\t\nx\fyyyyyy\tz\n";
        _cleanup_free_ char *o4 = report_tabwriter(in4, strlen(in4), 0, 1, '-');
        assert_string_equal(o4, "ab-c-\nx\nyyyyyy-z\n");
}

static void test_titles(void **s)
{
        static const struct { const char *in, *out; } t[] = {
                { "ID", "ID" }, { "CreatedAt", "CREATED AT" }, { "ReadOnly", "READ ONLY" },
                { "Names", "NAMES" }, { "PDFLoader", "PDF LOADER" }, { "Fieldb", "FIELDB" },
                { "RunningFor", "RUNNING FOR" }, { "IPv6Address", "I PV 6 ADDRESS" },
                { "", "" },
        };
        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                _cleanup_free_ char *o = report_default_title(t[i].in);
                assert_string_equal(o, t[i].out);
        }
        /* overrides are uppercased too (report.Headers) */
        static const struct report_header h[] = { { "Fieldb", "field b" }, { NULL, NULL } };
        _cleanup_free_ char *o = render("t", "table {{.Fieldb}}", REPORT_ORIGIN_USER, h,
                                        "[{\"Fieldb\":\"v\"}]", false);
        assert_string_equal(o, "FIELD B\nv\n");
}

static void test_json_and_sizes(void **s)
{
        _cleanup_(json_decrefp) json_t *v = json_loads(
                "[{\"Id\":\"x\",\"Names\":[\"a<b\"],\"Labels\":null,\"Size\":11331,\"E\":{}}]", 0, NULL);
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        _cleanup_error_ struct cu_error *err = NULL;
        assert_int_equal(report_print_json(v, "    ", f, &err), 0);
        fclose(f);
        assert_string_equal(out, "[\n    {\n        \"Id\": \"x\",\n        \"Names\": [\n"
                                 "            \"a\\u003cb\"\n        ],\n        \"Labels\": null,\n"
                                 "        \"Size\": 11331,\n        \"E\": {}\n    }\n]\n");
        free(out);
        static const struct { double in; const char *out; } t[] = {
                { 11331, "11.3 kB" }, { 999, "999 B" }, { 1.5e9, "1.5 GB" }, { 0, "0 B" },
                { 7.34e6, "7.34 MB" },
        };
        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                _cleanup_free_ char *o = report_human_size(t[i].in);
                assert_string_equal(o, t[i].out);
        }
}

static void test_errors(void **s)
{
        _cleanup_error_ struct cu_error *err = NULL;
        assert_null(report_new("ps", "{{.ID", REPORT_ORIGIN_USER, NULL, &err));
        assert_string_equal(cu_error_msg(err), "template: ps:1: bad character U+007B '{'");
        cu_error_clear(&err);
        assert_null(report_new("ps", "table {{foo .ID}}", REPORT_ORIGIN_USER, NULL, &err));
        assert_string_equal(cu_error_msg(err), "template: ps:1: function \"foo\" not defined");
        cu_error_clear(&err);
        _cleanup_report_ struct report *r = report_new("ps", "{{.X.Y}}", REPORT_ORIGIN_USER, NULL,
                                                       &err);
        assert_non_null(r);
        assert_false(report_is_table(r));
        assert_false(report_renders_headers(r));
        _cleanup_(json_decrefp) json_t *row = json_pack("{s:s}", "X", "s");
        assert_int_equal(report_row(r, row, &err), 0);
        assert_int_equal(report_finish(r, stdout, &err), -EINVAL);
        assert_string_equal(cu_error_msg(err), "template: ps:1:15: executing \"ps\" at <.X.Y>: "
                                               "can't evaluate field Y in type string");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_podman_default), cmocka_unit_test(test_user_table),
                cmocka_unit_test(test_tabwriter), cmocka_unit_test(test_titles),
                cmocka_unit_test(test_json_and_sizes), cmocka_unit_test(test_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
