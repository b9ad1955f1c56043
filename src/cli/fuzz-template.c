/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer: a --format string is parsed (as podman's report does it: normalised, wrapped in
 * {{range .}}, or as a table) and executed against fixed rows; nothing may crash or leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/table.h"
#include "cli/template.h"
#include "util/cleanup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_t *rows;

static const struct report_header headers[] = {
        { "ID", "CONTAINER ID" }, { "Names", NULL }, { "State", NULL }, { "Labels", NULL },
        { NULL, NULL },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size > 4096)
                return 0;
        if (!rows)
                rows = json_loads(
                        "[{\"ID\":\"0123456789abcdef\",\"Names\":[\"web\",\"db\"],"
                        "\"State\":{\"Status\":\"running\",\"Pid\":42,\"Ratio\":0.25},"
                        "\"Labels\":{\"a\":\"1\",\"b\":\"<x>\"},\"Ports\":[],\"Exited\":false,"
                        "\"Nil\":null,\"Size\":-12345678901},"
                        "{\"ID\":\"fedcba\",\"Names\":[],\"State\":{\"Status\":\"exited\"},"
                        "\"Labels\":{},\"Exited\":true,\"Big\":1e300}]",
                        0, NULL);
        _cleanup_free_ char *text = strndup((const char *) data, size);
        if (!text || !rows)
                return 0;

        /* the raw template against one row and the whole list */
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_template_ struct template *t = template_parse("fuzz", text, &err);
        if (t) {
                char *out = NULL;
                if (template_execute(t, json_array_get(rows, 0), &out, NULL, &err) == 0)
                        free(out);
                cu_error_clear(&err);
                template_set_root_type(t, "ps.psReporter");
                if (template_execute(t, rows, &out, NULL, &err) == 0)
                        free(out);
        }
        cu_error_clear(&err);

        /* through the report, as --format */
        _cleanup_report_ struct report *r = report_new("fuzz", text, REPORT_ORIGIN_USER, headers, &err);
        if (r) {
                for (size_t i = 0; i < json_array_size(rows); i++)
                        report_row(r, json_array_get(rows, i), NULL);
                FILE *f = fopen("/dev/null", "we");
                if (f) {
                        report_finish(r, f, NULL);
                        fclose(f);
                }
        }
        return 0;
}
