/* SPDX-License-Identifier: GPL-2.0-or-later */
/* events: podman's `events` over the engine's events file (engine/events.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "containers.h"
#include "engine/events.h"
#include "storage/containers-conf.h"
#include "template.h"
#include "util/json.h"
#include "util/parse.h"
#include "util/strv.h"

struct printer {
        struct template *tmpl; /* NULL: human or json */
        bool json, trunc;
        int rc; /* a failure already printed */
};

static int print_event(void *userdata, json_t *ev)
{
        struct printer *p = userdata;
        _cleanup_error_ struct cu_error *err = NULL;
        if (p->trunc) {
                const char *id = json_string_value(json_object_get(ev, "ID"));
                if (id && strlen(id) > 12) {
                        char s[13];
                        snprintf(s, sizeof s, "%.12s", id);
                        json_object_set_new(ev, "ID", json_string(s));
                }
        }
        if (p->json) {
                /* podman's field order: ContainerExitCode first */
                _cleanup_json_ json_t *o = json_object();
                json_t *code = json_object_get(ev, "ContainerExitCode");
                if (code)
                        json_object_set(o, "ContainerExitCode", code);
                const char *k;
                json_t *v;
                json_object_foreach(ev, k, v)
                        if (strcmp(k, "ContainerExitCode") != 0)
                                json_object_set(o, k, v);
                if (json_is_string(json_object_get(o, "Status")) &&
                    strcmp(json_string_value(json_object_get(o, "Type")), "container") == 0 &&
                    !json_object_get(o, "Attributes"))
                        json_object_set_new(o, "Attributes", json_object());
                _cleanup_free_ char *s = template_json_encode(o, NULL, true);
                if (s)
                        puts(s);
        } else if (p->tmpl) {
                _cleanup_json_ json_t *d = event_template_data(ev);
                if (!d || template_execute_file(p->tmpl, d, stdout, &err) < 0) {
                        fflush(stdout);
                        p->rc = cli_fail(125, err);
                        return 1;
                }
        } else {
                _cleanup_free_ char *s = event_human(ev);
                if (s)
                        puts(s);
        }
        if (fflush(stdout) == EOF || ferror(stdout))
                return 1; /* the reader went away */
        return 0;
}

void cli_event_image(struct cli_ctx *c, const char *status, const char *id, const char *name)
{
        const struct containers_conf *conf = NULL;
        if (cli_ctx_config(c, &conf, NULL) < 0 || !c->runroot)
                return;
        struct engine e = { .runroot = c->runroot, .events_backend = conf->events_logger,
                            .tmp_dir = conf->tmp_dir };
        engine_event_image(&e, status, id, name);
}

int cmd_events(struct cli_ctx *c, int argc, char **argv)
{
        char **filters = NULL;
        const char *format = NULL, *since = NULL, *until = NULL;
        bool no_trunc = true, stream = true;
        struct opt opts[] = {
                { .name = "filter", .shorthand = 'f', .type = OPT_STRING_ARRAY, .value = &filters, .help = "filter output" },
                { .name = "format", .type = OPT_STRING, .value = &format, .help = "format the output using a Go template" },
                { .name = "no-trunc", .type = OPT_BOOL, .value = &no_trunc, .help = "do not truncate the output", .def = "true" },
                { .name = "since", .type = OPT_STRING, .value = &since, .help = "show all events created since timestamp" },
                { .name = "stream", .type = OPT_BOOL, .value = &stream, .help = "stream new events; for testing only", .def = "true" },
                { .name = "until", .type = OPT_STRING, .value = &until, .help = "show all events until timestamp" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle events [options]",
                                .short_desc = "Show podman system events", .opts = opts };
        struct opts_args args = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_template_ struct template *tmpl = NULL;
        struct event_filters f = { 0 };
        struct engine e;
        int rc = cli_parse(&cmd, argc, argv, &args);
        if (rc != 0)
                goto out;
        if (args.n > 0) {
                rc = cli_failf(125, "`cuttle events` takes no arguments");
                goto out;
        }
        struct events_read_opts ro = { .follow = stream, .filters = &f, .stop_fd = -1 };
        if (since && cli_parse_time(since, false, &ro.since) < 0) {
                rc = cli_failf(125, "failed to parse since time: parsing time \"%s\": invalid time format", since);
                goto out;
        }
        if (until && cli_parse_time(until, true, &ro.until) < 0) {
                rc = cli_failf(125, "failed to parse until time: parsing time \"%s\": invalid time format", until);
                goto out;
        }
        if (ro.until && ro.until <= engine_now_ns())
                ro.follow = false;
        if (event_filters_parse(filters, &f, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        struct printer p = { .trunc = !no_trunc };
        if (format && (strcmp(format, "json") == 0 || template_is_json(format))) {
                p.json = true;
        } else if (format && *format) {
                _cleanup_free_ char *text = template_normalize(format);
                if (!text || !(tmpl = template_parse("events", text, &err)) ||
                    template_set_root_type(tmpl, "*events.Event") < 0) {
                        rc = err ? cli_fail(125, err) : cli_failf(125, "out of memory");
                        goto out;
                }
                p.tmpl = tmpl;
        }
        if (cli_engine(c, &e, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        if (engine_events_read(&e, &ro, print_event, &p, &err) < 0)
                rc = cli_fail(125, err);
        else if (p.rc)
                rc = p.rc;
out:
        strv_free(filters);
        event_filters_done(&f);
        opts_args_done(&args);
        return rc == CLI_DONE_OK ? 0 : rc;
}
