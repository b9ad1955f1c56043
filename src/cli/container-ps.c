/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ps: podman's columns, --format templates and json, filters. */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "containers.h"
#include "util/json.h"
#include "util/strv.h"

/* The PORTS column: "0.0.0.0:8080->80/tcp, …" from ps --format json's Ports. */
static json_t *ps_ports_text(json_t *ports)
{
        char *out = NULL;
        size_t len = 0, i;
        FILE *f = open_memstream(&out, &len);
        json_t *p;
        json_array_foreach(ports, i, p) {
                if (!f)
                        break;
                const char *ip = json_string_value(json_object_get(p, "host_ip"));
                json_int_t hp = json_integer_value(json_object_get(p, "host_port"));
                json_int_t cp = json_integer_value(json_object_get(p, "container_port"));
                json_int_t n = json_integer_value(json_object_get(p, "range"));
                const char *proto = json_string_value(json_object_get(p, "protocol"));
                fprintf(f, "%s%s:", i ? ", " : "", ip && *ip ? ip : "0.0.0.0");
                if (n > 1)
                        fprintf(f, "%lld-%lld->%lld-%lld/%s", (long long) hp, (long long) (hp + n - 1), (long long) cp,
                                (long long) (cp + n - 1), strempty(proto));
                else
                        fprintf(f, "%lld->%lld/%s", (long long) hp, (long long) cp, strempty(proto));
        }
        if (f)
                fclose(f);
        json_t *s = json_string(out ? out : "");
        free(out);
        return s;
}

/* The NETWORKS column: names joined by ",". */
static json_t *ps_networks_text(json_t *nets)
{
        _cleanup_strv_ char **v = NULL;
        size_t i;
        json_t *n;
        json_array_foreach(nets, i, n)
                (void) strv_extend(&v, json_string_value(n));
        _cleanup_free_ char *j = strv_join(v, ",");
        return json_string(j ? j : "");
}

static bool label_match(json_t *labels, const char *spec)
{
        const char *eq = strchr(spec, '=');
        _cleanup_free_ char *k = eq ? strndup(spec, (size_t) (eq - spec)) : strdup(spec);
        json_t *v = json_object_get(labels, k ? k : "");
        if (!v)
                return false;
        return !eq || streq_ptr(json_string_value(v), eq + 1);
}

static bool filter_one(struct engine *e, const struct ctr_record *r, json_t *cfg, const char *key,
                       const char *val)
{
        if (strcmp(key, "health") == 0) { /* healthy, unhealthy, starting; none: no healthcheck */
                _cleanup_free_ char *h = engine_health_status(e, r);
                return h && strcmp(h, val) == 0;
        }
        if (strcmp(key, "id") == 0)
                return strncmp(r->id, val, strlen(val)) == 0;
        if (strcmp(key, "name") == 0) {
                regex_t re;
                if (regcomp(&re, val, REG_EXTENDED | REG_NOSUB) != 0)
                        return false;
                bool m = regexec(&re, strempty(r->name), 0, NULL, 0) == 0;
                regfree(&re);
                return m;
        }
        if (strcmp(key, "label") == 0)
                return label_match(json_object_get(cfg, "Labels"), val);
        if (strcmp(key, "status") == 0)
                return strcmp(ctr_state_to_string(r->state), val) == 0 ||
                       (strcmp(val, "exited") == 0 && r->state == CTR_STATE_STOPPED);
        if (strcmp(key, "ancestor") == 0)
                return strncmp(strempty(r->image_id), val, strlen(val)) == 0 ||
                       streq_ptr(r->image_name, val) ||
                       (r->image_name && strstr(r->image_name, val) != NULL);
        if (strcmp(key, "exited") == 0) {
                int code = atoi(val);
                return (r->state == CTR_STATE_EXITED || r->state == CTR_STATE_STOPPED) &&
                       r->has_exit_code && r->exit_code == code;
        }
        return false;
}

/* Filters of the same key are ORed, different keys ANDed (podman's rule). */
static bool filters_match(struct engine *e, const struct ctr_record *r, char **filters)
{
        if (!filters)
                return true;
        _cleanup_json_ json_t *cfg = engine_config(r);
        _cleanup_strv_ char **keys = NULL;
        for (char **f = filters; *f; f++) {
                const char *eq = strchr(*f, '=');
                _cleanup_free_ char *k = eq ? strndup(*f, (size_t) (eq - *f)) : strdup(*f);
                if (k && !strv_contains(keys, k))
                        (void) strv_extend(&keys, k);
        }
        for (char **k = keys; k && *k; k++) {
                bool any = false;
                for (char **f = filters; *f && !any; f++) {
                        size_t kl = strlen(*k);
                        if (strncmp(*f, *k, kl) == 0 && (*f)[kl] == '=')
                                any = filter_one(e, r, cfg, *k, *f + kl + 1);
                }
                if (!any)
                        return false;
        }
        return true;
}

static const char *valid_filters[] = { "id", "name", "label", "status", "ancestor", "exited",
                                       "health", NULL };

int cmd_ps(struct cli_ctx *c, int argc, char **argv)
{
        bool all = false, quiet = false, latest = false, no_trunc = false, size = false, noheading = false;
        bool external = false, ns = false, pod = false, sync = false;
        int last = -1;
        const char *format = NULL, *sort = "created";
        char **filters = NULL;
        struct opt opts[] = {
                { .name = "all", .shorthand = 'a', .type = OPT_BOOL, .value = &all, .help = "Show all the containers, default is only running containers" },
                { .name = "external", .type = OPT_BOOL, .value = &external, .help = "Show containers in storage not controlled by Podman" },
                { .name = "filter", .shorthand = 'f', .type = OPT_STRING_SLICE, .value = &filters, .help = "Filter output based on conditions given" },
                { .name = "format", .type = OPT_STRING, .value = &format, .help = "Pretty-print containers to JSON or using a Go template" },
                { .name = "last", .shorthand = 'n', .type = OPT_INT, .value = &last, .help = "Print the n last created containers (all states)", .def = "-1" },
                { .name = "latest", .shorthand = 'l', .type = OPT_BOOL, .value = &latest, .help = "Act on the latest container podman is aware of" },
                { .name = "namespace", .type = OPT_BOOL, .value = &ns, .help = "Display namespace information" },
                { .name = "no-trunc", .type = OPT_BOOL, .value = &no_trunc, .help = "Display the extended information" },
                { .name = "noheading", .type = OPT_BOOL, .value = &noheading, .help = "Do not print headers" },
                { .name = "pod", .shorthand = 'p', .type = OPT_BOOL, .value = &pod, .help = "Print the ID and name of the pod the containers are associated with" },
                { .name = "quiet", .shorthand = 'q', .type = OPT_BOOL, .value = &quiet, .help = "Print the numeric IDs of the containers only" },
                { .name = "size", .shorthand = 's', .type = OPT_BOOL, .value = &size, .help = "Display the total file sizes" },
                { .name = "sort", .type = OPT_STRING, .value = &sort, .help = "Sort output by: command, created, id, image, names, runningfor, size, status", .def = "\"created\"" },
                { .name = "sync", .type = OPT_BOOL, .value = &sync, .help = "Sync container state with OCI runtime" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle ps [options]", .short_desc = "List containers", .opts = opts };
        struct opts_args args = { 0 };
        _cleanup_ctr_record_list_ struct ctr_record **list = NULL;
        _cleanup_json_ json_t *rows = NULL;
        struct engine e;
        _cleanup_error_ struct cu_error *err = NULL;
        int rc = cli_parse(&cmd, argc, argv, &args);
        if (rc != 0)
                goto out;
        if (args.n > 0) {
                rc = cli_failf(125, "too many arguments, ps takes no arguments");
                goto out;
        }
        for (char **f = filters; f && *f; f++) {
                const char *eq = strchr(*f, '=');
                _cleanup_free_ char *k = eq ? strndup(*f, (size_t) (eq - *f)) : strdup(*f);
                if (!eq || !strv_contains((char **) valid_filters, k)) {
                        rc = cli_failf(125, "%s is an invalid filter", k ? k : *f);
                        goto out;
                }
        }
        if (cli_engine(c, &e, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        size_t n = 0;
        if (engine_list(&e, &list, &n, &err) < 0) {
                rc = cli_fail(125, err);
                goto out;
        }
        if (latest)
                last = 1;
        size_t first = last >= 0 && (size_t) last < n ? n - (size_t) last : 0;
        bool show_all = all || last >= 0 || filters;
        rows = json_array();
        bool json_out = format && strcmp(format, "json") == 0;
        for (size_t i = first; i < n; i++) {
                struct ctr_record *r = list[i];
                if (!show_all && r->state != CTR_STATE_RUNNING && r->state != CTR_STATE_PAUSED)
                        continue;
                if (!filters_match(&e, r, filters))
                        continue;
                json_t *j = engine_ps_json(&e, r);
                if (json_out) {
                        json_array_append_new(rows, j);
                        continue;
                }
                if (quiet) {
                        printf("%.*s\n", no_trunc ? CTR_ID_LEN : 12, r->id);
                        json_decref(j);
                        continue;
                }
                /* template fields (podman's psReporter) */
                char id[CTR_ID_LEN + 1];
                snprintf(id, sizeof id, "%.*s", no_trunc ? CTR_ID_LEN : 12, r->id);
                _cleanup_strv_ char **cmdv = engine_command(r);
                _cleanup_free_ char *cmdline = strv_join(cmdv, " ");
                if (cmdline && !no_trunc && strlen(cmdline) > 20) {
                        cmdline[17] = '\0';
                        char *t = NULL;
                        if (asprintf(&t, "%s...", cmdline) >= 0) {
                                free(cmdline);
                                cmdline = t;
                        }
                }
                /* engine_ps_json's: with the health status, "Up 5 seconds ago (healthy)" */
                const char *status = json_string_value(json_object_get(j, "Status"));
                json_t *row = json_object();
                json_object_set_new(row, "ID", json_string(id));
                json_object_set_new(row, "Image", json_incref(json_object_get(j, "Image")));
                json_object_set_new(row, "ImageID", json_incref(json_object_get(j, "ImageID")));
                json_object_set_new(row, "Command", json_string(cmdline ? cmdline : ""));
                json_object_set_new(row, "CreatedHuman", json_incref(json_object_get(j, "CreatedAt")));
                json_object_set_new(row, "Created", json_incref(json_object_get(j, "CreatedAt")));
                json_object_set_new(row, "RunningFor", json_incref(json_object_get(j, "CreatedAt")));
                json_object_set_new(row, "CreatedAt", json_incref(json_object_get(j, "Created")));
                json_object_set_new(row, "Status", json_string(status ? status : ""));
                json_object_set_new(row, "State", json_string(status ? status : ""));
                json_object_set_new(row, "Ports", ps_ports_text(json_object_get(j, "Ports")));
                json_object_set_new(row, "Names", json_string(strempty(r->name)));
                json_t *labels = json_object_get(j, "Labels");
                json_object_set_new(row, "Labels", json_is_object(labels) ? json_incref(labels) : json_object());
                json_object_set_new(row, "ExitCode", json_incref(json_object_get(j, "ExitCode")));
                json_object_set_new(row, "Exited", json_incref(json_object_get(j, "Exited")));
                json_object_set_new(row, "Pid", json_incref(json_object_get(j, "Pid")));
                json_object_set_new(row, "AutoRemove", json_incref(json_object_get(j, "AutoRemove")));
                json_object_set_new(row, "Pod", json_string(""));
                json_object_set_new(row, "PodName", json_string(""));
                json_object_set_new(row, "Mounts", json_incref(json_object_get(j, "Mounts")));
                json_object_set_new(row, "Networks", ps_networks_text(json_object_get(j, "Networks")));
                json_object_set_new(row, "Size", json_string(""));
                json_object_set_new(row, "IsInfra", json_false());
                json_array_append_new(rows, row);
                json_decref(j);
        }
        if (quiet)
                goto out;
        if (json_out) {
                rc = cli_output("json", rows, NULL, NULL, true);
                goto out;
        }
        static const struct column headers[] = {
                { "ID", "CONTAINER ID" }, { "Image", "IMAGE" }, { "Command", "COMMAND" },
                { "CreatedHuman", "CREATED" }, { "Created", "CREATED" }, { "RunningFor", "CREATED" },
                { "CreatedAt", "CREATED AT" }, { "Status", "STATUS" }, { "State", "STATE" },
                { "Ports", "PORTS" }, { "Names", "NAMES" }, { "Labels", "LABELS" },
                { "ExitCode", "EXIT CODE" }, { "Pid", "PID" }, { "ImageID", "IMAGE ID" },
                { "Mounts", "MOUNTS" }, { "Networks", "NETWORKS" }, { "Size", "SIZE" },
                { "Pod", "POD ID" }, { "PodName", "PODNAME" }, { NULL, NULL },
        };
        static const struct column cols[] = {
                { "ID", NULL }, { "Image", NULL }, { "Command", NULL }, { "CreatedHuman", NULL },
                { "Status", NULL }, { "Ports", NULL }, { "Names", NULL }, { NULL, NULL },
        };
        if (noheading && !format)
                format = "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedHuman}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
        rc = cli_output(format, rows, cols, headers, false);
out:
        strv_free(filters);
        opts_args_done(&args);
        return rc == CLI_DONE_OK ? 0 : rc;
}
