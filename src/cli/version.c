/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cuttle version: podman's shape (Client: Version, API Version, Go Version, Built, OS/Arch). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "commands.h"
#include "opts.h"
#include "storage/manifest.h"
#include "util/json.h"

/* The build time (the compiler's __DATE__ __TIME__, local time) as a unix time. */
static int64_t built_time(void)
{
        struct tm tm = { 0 };
        if (!strptime(__DATE__ " " __TIME__, "%b %d %Y %H:%M:%S", &tm))
                return 0;
        tm.tm_isdst = -1;
        time_t t = mktime(&tm);
        return t < 0 ? 0 : (int64_t) t;
}

json_t *cli_version_json(void)
{
        int64_t built = built_time();
        time_t t = (time_t) built;
        struct tm tm;
        char when[64] = "";
        /* Go's time.ANSIC: "Mon Jan _2 15:04:05 2006" */
        if (localtime_r(&t, &tm))
                strftime(when, sizeof(when), "%a %b %e %H:%M:%S %Y", &tm);
        char osarch[64];
        snprintf(osarch, sizeof(osarch), "linux/%s", host_oci_arch());
        return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s}", "APIVersion", CUTTLE_VERSION,
                         "Version", CUTTLE_VERSION, "GoVersion", "C", "GitCommit", "",
                         "BuiltTime", when, "Built", (json_int_t) built, "OsArch", osarch,
                         "Os", "linux");
}

int cmd_version(struct cli_ctx *c, int argc, char **argv)
{
        const char *format = NULL;
        struct opt opts[] = {
                { .name = "format", .shorthand = 'f', .type = OPT_STRING, .value = &format,
                  .help = "Change the output format to JSON or a Go template" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle version [options]",
                                .short_desc = "Display the cuttle version information",
                                .opts = opts };
        struct opts_args args = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        int r = cli_opts_parse(c, &cmd, argc - 1, argv + 1, &args, &err);
        if (r < 0 || args.help || args.n > 0) {
                int rc = 0;
                if (r < 0)
                        rc = cli_fail(125, err);
                else if (args.help) {
                        _cleanup_free_ char *h = opts_help(&cmd);
                        fputs(strempty(h), stdout);
                } else
                        rc = cli_failf(125, "`cuttle version` takes no arguments");
                opts_args_done(&args);
                return rc;
        }
        opts_args_done(&args);
        _cleanup_json_ json_t *v = cli_version_json();
        if (!v)
                return cli_failf(125, "out of memory");
        if (format && format[0]) {
                _cleanup_json_ json_t *o = json_pack("{s:O}", "Client", v);
                return cli_output_object(format, o, "types.SystemVersionReport", NULL, false);
        }
        printf("Client:       cuttle\n"
               "Version:      %s\n"
               "API Version:  %s\n"
               "Go Version:   %s\n"
               "Built:        %s\n"
               "OS/Arch:      %s\n",
               json_string_value(json_object_get(v, "Version")),
               json_string_value(json_object_get(v, "APIVersion")),
               json_string_value(json_object_get(v, "GoVersion")),
               json_string_value(json_object_get(v, "BuiltTime")),
               json_string_value(json_object_get(v, "OsArch")));
        return 0;
}
