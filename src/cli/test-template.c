/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Go text/template subset.  Expected texts come from podman 4.3.1 run on two images
 * (`podman images --format '…'`): the rows below mirror its imageReporter fields.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/table.h"
#include "cli/template.h"
#include "util/cleanup.h"

static json_t *rows(void)
{
        json_error_t e;
        json_t *j = json_loads(
                "[{\"Repository\":\"localhost/test\",\"Tag\":\"1\",\"ID\":\"cadfa9080d1e\","
                "\"Names\":[\"localhost/test:1\",\"localhost/x:latest\"],\"Labels\":{},"
                "\"Containers\":0,\"Dangling\":false,\"ReadOnly\":false,\"Size\":\"11.3 kB\","
                "\"VirtualSize\":11331,\"Ratio\":1.5},"
                "{\"Repository\":\"localhost/x\",\"Tag\":\"latest\",\"ID\":\"cadfa9080d1e\","
                "\"Names\":[\"localhost/test:1\",\"localhost/x:latest\"],\"Labels\":{},"
                "\"Containers\":0,\"Dangling\":false,\"ReadOnly\":false,\"Size\":\"11.3 kB\","
                "\"VirtualSize\":11331,\"Ratio\":1.5}]",
                0, &e);
        assert_non_null(j);
        return j;
}

/* Runs format as `podman images --format` would; returns output or "ERR:<message>". */
static char *run(const char *format)
{
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_(json_decrefp) json_t *data = rows();
        static const struct report_header hdr[] = {
                { "ID", "IMAGE ID" }, { "Repository", NULL }, { "Tag", NULL }, { "Size", NULL },
                { "ReadOnly", "R/O" }, { "Names", NULL }, { NULL, NULL },
        };
        _cleanup_report_ struct report *r = report_new("images", format, REPORT_ORIGIN_USER, hdr, &err);
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        assert_non_null(f);
        int k = r ? report_set_row_type(r, "images.imageReporter") : -1;
        for (size_t i = 0; r && i < json_array_size(data); i++)
                assert_int_equal(report_row(r, json_array_get(data, i), &err), 0);
        if (r)
                k = report_finish(r, f, &err);
        fclose(f);
        if (k < 0) {
                free(out);
                if (asprintf(&out, "ERR:%s", cu_error_msg(err)) < 0)
                        out = NULL;
        }
        return out;
}

#define CHECK(format, expected)                                                                    \
        do {                                                                                       \
                _cleanup_free_ char *_o = run(format);                                             \
                assert_string_equal(_o, expected);                                                 \
        } while (0)

static void test_fields_real(void **s)
{
        CHECK("x{{.Tag}}\\t\\\\t", "x1\t\\\t\nxlatest\t\\\t\n");
        CHECK("{{.Names}}|{{.Labels}}|{{.VirtualSize}}|{{.Ratio}}",
              "[localhost/test:1 localhost/x:latest]|map[]|11331|1.5\n"
              "[localhost/test:1 localhost/x:latest]|map[]|11331|1.5\n");
        CHECK("{{.Containers}} {{.Dangling}} {{.ReadOnly}}", "0 false false\n0 false false\n");
        CHECK("{{- .Tag -}}", "1latest");
        CHECK("{{.Tag -}}", "1latest");
        CHECK("{{ .ID -}}   x  {{- .Tag }}", "cadfa9080d1ex1\ncadfa9080d1exlatest\n");
        CHECK("{{ .ID}} {{- /* x */ -}} {{.Tag}}", "cadfa9080d1e1\ncadfa9080d1elatest\n");
        CHECK("{{/* c */}}a", "a\na\n");
        CHECK("{{range .}}{{.Tag}}{{end}}", "1latest\n");
        CHECK("{{ range . }}{{.Tag}},{{end}}", "1,latest,\n");
        CHECK("{{printf \"\\n\"}}", "\n\n");
        CHECK("table", "table\ntable\n");
}

static void test_funcs(void **s)
{
        CHECK("{{len .ID}}", "12\n12\n");
        CHECK("{{printf \"%d-%s-%v-%q\" .Containers .ID .Names .Tag}}",
              "0-cadfa9080d1e-[localhost/test:1 localhost/x:latest]-\"1\"\n"
              "0-cadfa9080d1e-[localhost/test:1 localhost/x:latest]-\"latest\"\n");
        CHECK("{{eq .Tag \"1\"}}", "true\nfalse\n");
        CHECK("{{if eq .Tag \"1\"}}one{{else if eq .Tag \"latest\"}}L{{else}}?{{end}}", "one\nL\n");
        CHECK("{{lt .Containers 1}}", "true\ntrue\n");
        CHECK("{{and .Tag .ID}}|{{or \"\" .ID}}|{{not .Tag}}",
              "cadfa9080d1e|cadfa9080d1e|false\ncadfa9080d1e|cadfa9080d1e|false\n");
        CHECK("{{range $i, $e := .Names}}{{$i}}={{$e}},{{end}}",
              "0=localhost/test:1,1=localhost/x:latest,\n0=localhost/test:1,1=localhost/x:latest,\n");
        CHECK("{{with .Labels}}L{{else}}none{{end}}", "none\nnone\n");
        CHECK("{{with .Names}}{{index . 1}}{{end}}", "localhost/x:latest\nlocalhost/x:latest\n");
        CHECK("{{split .ID \"a\"}}", "[c df 9080d1e]\n[c df 9080d1e]\n");
        CHECK("{{title \"hello world\"}}|{{upper .Tag}}", "Hello World|1\nHello World|LATEST\n");
        CHECK("{{ .ID | json }}", "\"cadfa9080d1e\"\n\"cadfa9080d1e\"\n");
        CHECK("{{json .Names}}", "[\"localhost/test:1\",\"localhost/x:latest\"]\n"
                                 "[\"localhost/test:1\",\"localhost/x:latest\"]\n");
        CHECK("{{\"x\" | printf \"%s-%s\" \"y\"}}", "y-x\ny-x\n");
        CHECK("{{$x := .ID}}{{$x}}", "cadfa9080d1e\ncadfa9080d1e\n");
        CHECK("{{pad .Tag 2 3}}|", "  1   |\n  latest   |\n");
        CHECK("{{println .Tag}}", "1\n\nlatest\n\n");
        CHECK("{{print .Tag 1 2 \"a\" \"b\"}}", "11 2ab\nlatest1 2ab\n");
        CHECK("{{index .Names 1}}", "localhost/x:latest\nlocalhost/x:latest\n");
        CHECK("{{slice .ID 1 3}}", "ad\nad\n");
        CHECK("{{eq .Containers 0}}", "true\ntrue\n");
        CHECK("{{html \"<a>\"}}", "&lt;a&gt;\n&lt;a&gt;\n");
        CHECK("{{js \"a'\"}}", "a\\'\na\\'\n");
        CHECK("{{urlquery \"a b\"}}", "a+b\na+b\n");
        CHECK("{{index .Labels \"a\"}}", "\n\n");
        CHECK("{{.Labels.a}}", "<no value>\n<no value>\n");
        CHECK("{{printf \"%5.2f|%x|%t|%03d\" 3.14159 255 true 7}}", " 3.14|ff|true|007\n 3.14|ff|true|007\n");
        CHECK("{{printf \"%s\" 1}}", "%!s(int=1)\n%!s(int=1)\n");
        CHECK("{{printf \"%d\"}}", "%!d(MISSING)\n%!d(MISSING)\n");
        CHECK("{{ne .Tag \"1\"}}", "false\ntrue\n");
        CHECK("{{ge 2 1}} {{le 1 1}} {{gt \"b\" \"a\"}}", "true true true\ntrue true true\n");
        CHECK("{{eq .Tag \"1\" \"latest\"}}", "true\ntrue\n");
        CHECK("{{len .Names}}{{len .Labels}}", "20\n20\n");
        CHECK("{{range .Names}}{{else}}empty{{end}}", "\n\n");
        CHECK("{{range .Labels}}x{{else}}empty{{end}}", "empty\nempty\n");
        CHECK("{{range .Names}}{{.}}{{break}}{{end}}", "localhost/test:1\nlocalhost/test:1\n");
        CHECK("{{range .Names}}{{continue}}{{.}}{{end}}.", ".\n.\n");
        CHECK("{{truncate .Tag 3}}", "1\nlat\n");
        CHECK("{{ .Tag | printf \"%q\" }}", "\"1\"\n\"latest\"\n");
        CHECK("{{join .Names \",\"}}", "localhost/test:1,localhost/x:latest\n"
                                       "localhost/test:1,localhost/x:latest\n");
        CHECK("{{printf \"%v %.1f %e %g\" 1e6 2.25 1234.5 100000.0}}",
              "1e+06 2.2 1.234500e+03 100000\n1e+06 2.2 1.234500e+03 100000\n");
        CHECK("{{printf \"%-4s|%4s|%x|%X|%c|%U\" \"a\" \"b\" \"hi\" 255 65 65}}",
              "a   |   b|6869|FF|A|U+0041\na   |   b|6869|FF|A|U+0041\n");
        CHECK("{{printf \"%d\" 1 2}}", "1%!(EXTRA int=2)\n1%!(EXTRA int=2)\n");
        CHECK("{{(index .Names 0) | upper}}", "LOCALHOST/TEST:1\nLOCALHOST/TEST:1\n");
        CHECK("{{$.Tag}}{{$}}", "ERR:template: images:1:14: executing \"images\" at <$.Tag>: "
                                "can't evaluate field Tag in type []interface {}");
        CHECK("{{if and .Tag (eq .Tag \"latest\")}}yes{{end}}", "\nyes\n");
        CHECK("{{$n := 0}}{{range .Names}}{{$n = .}}{{end}}{{$n}}", "localhost/x:latest\n"
                                                                    "localhost/x:latest\n");
        CHECK("{{printf \"%08.3f|%+d|%x\" 3.14159 5 -255}}", "0003.142|+5|-ff\n0003.142|+5|-ff\n");
        CHECK("{{'a'}} {{0x10}} {{1_000}} {{`raw\\n`}}", "97 16 1000 raw\n\n97 16 1000 raw\n\n"); /* `\n` is normalised even there */
}

static void test_table_real(void **s)
{
        CHECK("table {{.Repository}}\\t{{.Tag}}x\\t{{.ID}}",
              "REPOSITORY      TAGx        IMAGE ID\n"
              "localhost/test  1x          cadfa9080d1e\n"
              "localhost/x     latestx     cadfa9080d1e\n");
        CHECK("table {{.Repository}}:{{.Tag}}\\t{{.ID}}",
              "REPOSITORY:TAG      IMAGE ID\n"
              "localhost/test:1    cadfa9080d1e\n"
              "localhost/x:latest  cadfa9080d1e\n");
        CHECK("table {{.ReadOnly}}\\t{{.Size}}", "R/O         SIZE\nfalse       11.3 kB\n"
                                                 "false       11.3 kB\n");
        /* a field the header map lacks */
        CHECK("table {{.Containers}}", "<no value>\n0\n0\n");
}

static void test_errors(void **s)
{
        CHECK("{{.ID", "ERR:template: images:1: bad character U+007B '{'");
        CHECK("{{.ID}", "ERR:template: images:1: bad character U+007D '}'");
        CHECK("{{if .ID}}x", "ERR:template: images:1: unexpected EOF");
        CHECK("{{end}}", "ERR:template: images:1: unexpected {{end}}");
        CHECK("{{.ID | foo}}", "ERR:template: images:1: function \"foo\" not defined");
        CHECK("{{if}}x{{end}}", "ERR:template: images:1: missing value for if");
        CHECK("{{range}}{{end}}", "ERR:template: images:1: missing value for range");
        CHECK("{{\"abc}}", "ERR:template: images:1: unterminated quoted string");
        CHECK("{{$x}}", "ERR:template: images:1: undefined variable \"$x\"");
        /* EnforceRange wraps it in {{range .}}: podman prints nothing */
        CHECK("{{break}}", "");
        CHECK("{{truncate .ID}}", "ERR:template: images:1:13: executing \"images\" at <truncate>: "
                                  "wrong number of args for truncate: want 2 got 1");
        CHECK("{{truncate .ID \"a\"}}", "ERR:template: images:1:26: executing \"images\" at <\"a\">: "
                                        "expected integer; found \"a\"");
        CHECK("{{index .Names 5}}", "ERR:template: images:1:13: executing \"images\" at "
                                    "<index .Names 5>: error calling index: index out of range: 5");
        CHECK("{{index .Labels \"aaaaaaaaaaaaaaaaaaaa\" 1}}", "ERR:template: images:1:13: executing "
              "\"images\" at <index .Labels \"aaaaa...>: error calling index: index out of range: 1");
        CHECK("{{index .ID \"x\"}}", "ERR:template: images:1:13: executing \"images\" at "
                                     "<index .ID \"x\">: error calling index: cannot index "
                                     "slice/array with type string");
        CHECK("{{.ID.Foo}}", "ERR:template: images:1:16: executing \"images\" at <.ID.Foo>: "
                             "can't evaluate field Foo in type string");
        CHECK("{{range .ID}}x{{end}}", "ERR:template: images:1:19: executing \"images\" at <.ID>: "
                                       "range can't iterate over cadfa9080d1e");
        CHECK("{{len .Containers}}", "ERR:template: images:1:13: executing \"images\" at "
                                     "<len .Containers>: error calling len: len of type int");
        CHECK("{{lt .Tag 1}}", "ERR:template: images:1:13: executing \"images\" at <lt .Tag 1>: "
                               "error calling lt: incompatible types for comparison");
        CHECK("{{eq 1 1.0}}", "ERR:template: images:1:13: executing \"images\" at <eq 1 1.0>: "
                              "error calling eq: incompatible types for comparison");
        CHECK("{{.Foo.Bar}}", "ERR:template: images:1:17: executing \"images\" at <.Foo.Bar>: "
                              "can't evaluate field Foo in type images.imageReporter");
        CHECK("{{.Foo}}", "ERR:template: images:1:13: executing \"images\" at <.Foo>: "
                          "can't evaluate field Foo in type images.imageReporter");
        CHECK("{{nil}}", "ERR:template: images:1:13: executing \"images\" at <nil>: "
                         "nil is not a command");
        CHECK("{{index .Names -1}}", "ERR:template: images:1:13: executing \"images\" at "
                                     "<index .Names -1>: error calling index: index out of range: -1");
        CHECK("{{join .Names}}", "ERR:template: images:1:13: executing \"images\" at <join>: "
                                 "wrong number of args for join: want 2 got 1");
        CHECK("{{join .ID \",\"}}", "ERR:template: images:1:18: executing \"images\" at <.ID>: "
                                    "wrong type for value; expected []string; got string");
        CHECK("{{split .Names \",\"}}", "ERR:template: images:1:19: executing \"images\" at "
                                        "<.Names>: wrong type for value; expected string; got []string");
        CHECK("{{lower 1}}", "ERR:template: images:1:19: executing \"images\" at <1>: "
                             "expected string; found 1");
        CHECK("{{truncate .ID -1}}", "ERR:template: images:1:13: executing \"images\" at "
                                     "<truncate .ID -1>: error calling truncate: runtime error: "
                                     "slice bounds out of range [:-1]");
        CHECK("{{\"x\" 1}}", "ERR:template: images:1:13: executing \"images\" at <\"x\">: "
                             "can't give argument to non-function \"x\"");
        CHECK("{{printf \"%s\" .ID | .Tag}}", "ERR:template: images:1:31: executing \"images\" at "
                                              "<.Tag>: Tag has arguments but cannot be invoked as function");
}

static void test_api(void **s)
{
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_template_ struct template *t = template_parse("t", "a{{.A.B}}-{{.C}}", &err);
        assert_non_null(t);
        _cleanup_(json_decrefp) json_t *d = json_pack("{s:{s:i},s:n}", "A", "B", 7, "C");
        for (int i = 0; i < 3; i++) { /* compile once, run many */
                _cleanup_free_ char *out = NULL;
                assert_int_equal(template_execute(t, d, &out, NULL, &err), 0);
                assert_string_equal(out, "a7-<nil>");
        }
        assert_null(template_parse("t", "{{template \"x\"}}", &err));
        assert_string_equal(cu_error_msg(err), "template: t:1: {{template}} is not supported");
        assert_null(template_parse("t", "a\n{{.X\n}", &err));
        assert_string_equal(cu_error_msg(err), "template: t:3: unexpected \"}\" in operand");
        assert_null(template_parse("t", "{{break}}", &err));
        assert_string_equal(cu_error_msg(err), "template: t:1: {{break}} outside {{range}}");
        assert_null(template_parse("t", "{{if 1}}{{else}}{{else}}{{end}}", &err));
        assert_string_equal(cu_error_msg(err), "template: t:1: expected end; found {{else}}");
        assert_null(template_parse("t", "{{(1}}", &err));
        assert_string_equal(cu_error_msg(err), "template: t:1: unclosed left paren");
        assert_null(template_parse("t", "{{1.x}}", &err));
        assert_string_equal(cu_error_msg(err), "template: t:1: bad number syntax: \"1.x\"");

        assert_true(template_is_json("json"));
        assert_true(template_is_json(" {{ json . }} "));
        assert_true(template_is_json("{{json .}}"));
        assert_false(template_is_json("{{json .ID}}"));
        assert_false(template_is_json("table json"));
        _cleanup_free_ char *n1 = template_normalize("table {{.ID}} {{.X}}\\n");
        assert_string_equal(n1, "{{.ID}}\t{{.X}}\n");
        _cleanup_free_ char *n2 = template_normalize("{{.ID}} {{.X}}\\t");
        assert_string_equal(n2, "{{.ID}} {{.X}}\t\n");
        _cleanup_free_ char *e1 = template_enforce_range("{{range .}}x{{end -}}");
        assert_string_equal(e1, "{{range .}}x{{end -}}");
        _cleanup_free_ char *e2 = template_enforce_range("x");
        assert_string_equal(e2, "{{range .}}x{{end -}}");

        _cleanup_(json_decrefp) json_t *j = json_loads(
                "{\"b\":\"<&>\",\"a\":[1,2.5,true,null,{}],\"c\":[],\"d\":\"\\u0001\\n\\u2028\"}", 0, NULL);
        _cleanup_free_ char *c1 = template_json_encode(j, NULL, false);
        assert_string_equal(c1, "{\"b\":\"<&>\",\"a\":[1,2.5,true,null,{}],\"c\":[],"
                                "\"d\":\"\\u0001\\n\\u2028\"}");
        _cleanup_free_ char *c2 = template_json_encode(j, "  ", true);
        assert_string_equal(c2, "{\n  \"b\": \"\\u003c\\u0026\\u003e\",\n  \"a\": [\n    1,\n"
                                "    2.5,\n    true,\n    null,\n    {}\n  ],\n  \"c\": [],\n"
                                "  \"d\": \"\\u0001\\n\\u2028\"\n}");
        _cleanup_free_ char *v = template_format_value(j);
        assert_string_equal(v, "map[a:[1 2.5 true <nil> map[]] b:<&> c:[] d:\x01\n\xe2\x80\xa8]");
        _cleanup_(json_decrefp) json_t *f = json_real(1e21);
        _cleanup_free_ char *fj = template_json_encode(f, NULL, false);
        assert_string_equal(fj, "1e+21");
        _cleanup_(json_decrefp) json_t *f2 = json_real(0.0000001);
        _cleanup_free_ char *fj2 = template_json_encode(f2, NULL, false);
        assert_string_equal(fj2, "1e-7");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fields_real), cmocka_unit_test(test_funcs),
                cmocka_unit_test(test_table_real), cmocka_unit_test(test_errors),
                cmocka_unit_test(test_api),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
