/* SPDX-License-Identifier: GPL-2.0-or-later */
/* secret create|ls|inspect|rm|exists (podman's flags, outputs and exit codes). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "containers.h"
#include "engine/secrets.h"
#include "output.h"
#include "table.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/strv.h"

/* Parses; -1 error (printed), 1 --help (printed), 0 go on. */
static int parse(struct cli_ctx *c, struct opts_cmd *cmd, int argc, char **argv, struct opts_args *a)
{
        _cleanup_error_ struct cu_error *err = NULL;
        if (cli_opts_parse(c, cmd, argc - 1, argv + 1, a, &err) < 0) {
                cli_fail(125, err);
                return -1;
        }
        if (a->help) {
                _cleanup_free_ char *h = opts_help(cmd);
                if (h)
                        fputs(h, stdout);
                return 1;
        }
        return 0;
}

static int engine_of(struct cli_ctx *c, struct engine *e)
{
        _cleanup_error_ struct cu_error *err = NULL;
        return cli_engine(c, e, &err) < 0 ? cli_fail(125, err) : 0;
}

/* Reads all of fd (at most SECRET_DATA_MAX + 1 bytes: more is an error anyway). */
static int read_data(int fd, char **ret, size_t *ret_len)
{
        char *buf = malloc(SECRET_DATA_MAX + 2);
        if (!buf)
                return -ENOMEM;
        ssize_t n = read_all(fd, buf, SECRET_DATA_MAX + 1);
        if (n < 0) {
                free(buf);
                return (int) n;
        }
        buf[n] = '\0';
        *ret = buf;
        *ret_len = (size_t) n;
        return 0;
}

static int secret_create_cmd(struct cli_ctx *c, int argc, char **argv)
{
        const char *driver = "file";
        bool from_env = false;
        _cleanup_strv_ char **labels = NULL, **dopts = NULL;
        struct opt o[] = {
                { .name = "driver", .shorthand = 'd', .type = OPT_STRING, .value = &driver, .help = "Specify secret driver", .def = "file" },
                { .name = "driver-opts", .type = OPT_STRING_SLICE, .value = &dopts, .help = "Specify driver specific options" },
                { .name = "env", .type = OPT_BOOL, .value = &from_env, .help = "Read secret data from environment variable" },
                { .name = "label", .shorthand = 'l', .type = OPT_STRING_ARRAY, .value = &labels, .help = "Specify labels on the secret" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle secret create [options] NAME FILE|-",
                                .short_desc = "Create a new secret", .opts = o };
        struct opts_args a = { 0 };
        int p = parse(c, &cmd, argc, argv, &a);
        if (p != 0) {
                opts_args_done(&a);
                return p < 0 ? 125 : 0;
        }
        int rc = 0;
        _cleanup_free_ char *data = NULL;
        _cleanup_error_ struct cu_error *err = NULL;
        size_t len = 0;
        if (a.n != 2) {
                rc = cli_failf(125, "accepts 2 arg(s), received %zu", a.n);
                goto out;
        }
        const char *name = a.args[0], *src = a.args[1];
        int r = 0;
        if (from_env) {
                const char *v = getenv(src);
                if (!v) {
                        rc = cli_failf(125, "cannot create store secret data: environment variable %s is not set", src);
                        goto out;
                }
                data = strdup(v);
                len = strlen(v);
                r = data ? 0 : -ENOMEM;
        } else if (strcmp(src, "-") == 0) {
                r = read_data(STDIN_FILENO, &data, &len);
        } else {
                _cleanup_close_ int fd = open(src, O_RDONLY | O_CLOEXEC);
                r = fd < 0 ? -errno : read_data(fd, &data, &len);
        }
        if (r < 0) {
                char msg[128];
                snprintf(msg, sizeof msg, "%s", strerror(-r));
                msg[0] = (char) tolower((unsigned char) msg[0]);
                rc = cli_failf(125, "open %s: %s", src, msg);
                goto out;
        }
        if (strcmp(driver, "file") != 0) {
                rc = cli_failf(125, "invalid driver");
                goto out;
        }
        struct engine e;
        if ((rc = engine_of(c, &e)) != 0)
                goto out;
        char id[SECRET_ID_LEN + 1];
        struct engine_secret_create_opts co = { .name = name, .data = data, .len = len, .driver = driver,
                                                .driver_opts = dopts, .labels = labels };
        if (engine_secret_create(&e, &co, id, &err) < 0)
                rc = cli_fail(125, err);
        else
                puts(id);
out:
        opts_args_done(&a);
        return rc;
}

static bool filter_match(const struct secret_rec *s, char *const *filters, int *rc)
{
        for (char *const *f = filters; f && *f; f++) {
                const char *eq = strchr(*f, '=');
                if (!eq) {
                        *rc = cli_failf(125, "filter input must be in the form of filter=value: %s is invalid", *f);
                        return false;
                }
                const char *v = eq + 1;
                if (strncmp(*f, "name=", 5) == 0) {
                        regex_t re;
                        if (regcomp(&re, v, REG_EXTENDED | REG_NOSUB) != 0) {
                                *rc = cli_failf(125, "invalid regular expression %s", v);
                                return false;
                        }
                        int m = regexec(&re, s->name, 0, NULL, 0);
                        regfree(&re);
                        if (m != 0)
                                return false;
                } else if (strncmp(*f, "id=", 3) == 0) {
                        if (strncmp(s->id, v, strlen(v)) != 0)
                                return false;
                } else {
                        *rc = cli_failf(125, "invalid filter \"%.*s\"", (int) (eq - *f), *f);
                        return false;
                }
        }
        return true;
}

static int secret_ls_cmd(struct cli_ctx *c, int argc, char **argv)
{
        const char *format = NULL;
        bool quiet = false, noheading = false;
        _cleanup_strv_ char **filters = NULL;
        struct opt o[] = {
                { .name = "filter", .shorthand = 'f', .type = OPT_STRING_SLICE, .value = &filters, .help = "Filter secret output" },
                { .name = "format", .type = OPT_STRING, .value = &format, .help = "Format volume output using Go template" },
                { .name = "noheading", .type = OPT_BOOL, .value = &noheading, .help = "Do not print headers" },
                { .name = "quiet", .shorthand = 'q', .type = OPT_BOOL, .value = &quiet, .help = "Print secret IDs only" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle secret ls [options]", .aliases = "ls, list",
                                .short_desc = "List secrets", .opts = o };
        struct opts_args a = { 0 };
        int p = parse(c, &cmd, argc, argv, &a);
        size_t nargs = a.n;
        opts_args_done(&a);
        if (p != 0)
                return p < 0 ? 125 : 0;
        if (nargs)
                return cli_failf(125, "accepts 0 arg(s), received %zu", nargs);
        struct engine e;
        int rc = engine_of(c, &e);
        if (rc)
                return rc;
        _cleanup_error_ struct cu_error *err = NULL;
        struct secret_rec **v = NULL;
        if (engine_secret_list(&e, &v, NULL, &err) < 0)
                return cli_fail(125, err);
        _cleanup_json_ json_t *rows = json_array();
        for (size_t i = 0; v[i] && !rc; i++) {
                if (!filter_match(v[i], filters, &rc))
                        continue;
                if (quiet) {
                        printf("%s\n", v[i]->id);
                        continue;
                }
                char cr[48], up[48];
                json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s, s:s}", "ID", v[i]->id, "Name",
                                                      v[i]->name, "Driver", v[i]->driver, "CreatedAt",
                                                      human_since(v[i]->created, cr), "UpdatedAt",
                                                      human_since(v[i]->updated, up)));
        }
        secret_rec_list_free(v);
        if (rc || quiet)
                return rc;
        _cleanup_error_ struct cu_error *e2 = NULL;
        if (format && strcmp(format, "json") == 0)
                return report_print_json(rows, "    ", stdout, &e2) < 0 ? cli_fail(125, e2) : 0;
        static const struct report_header headers[] = { { "ID", "ID" }, { "Name", "NAME" }, { "Driver", "DRIVER" },
                                                        { "CreatedAt", "CREATED" }, { "UpdatedAt", "UPDATED" },
                                                        { NULL, NULL } };
        bool ours = !format || !*format;
        _cleanup_report_ struct report *r = report_new(
                "format",
                ours ? "{{range .}}{{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.CreatedAt}}\t{{.UpdatedAt}}\n{{end -}}" : format,
                ours ? REPORT_ORIGIN_PODMAN : REPORT_ORIGIN_USER, headers, &e2);
        if (!r)
                return cli_fail(125, e2);
        report_set_noheading(r, noheading);
        size_t i;
        json_t *row;
        json_array_foreach(rows, i, row)
                if (report_row(r, row, &e2) < 0)
                        return cli_fail(125, e2);
        return report_finish(r, stdout, &e2) < 0 ? cli_fail(125, e2) : 0;
}

/* Go's time.Time.String() in UTC: "2006-01-02 15:04:05.999999999 +0000 UTC". */
static const char *go_time(int64_t ns, char buf[static 80])
{
        time_t t = (time_t) (ns / 1000000000);
        struct tm tm;
        char frac[16] = "";
        gmtime_r(&t, &tm);
        if (ns % 1000000000) {
                snprintf(frac, sizeof frac, ".%09lld", (long long) (ns % 1000000000));
                for (size_t n = strlen(frac); frac[n - 1] == '0'; n--)
                        frac[n - 1] = '\0';
        }
        snprintf(buf, 80, "%04d-%02d-%02d %02d:%02d:%02d%s +0000 UTC", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
        return buf;
}

static void print_pretty(const struct secret_rec *s)
{
        char cr[80], up[80];
        printf("ID:              %s\nName:              %s\nDriver:            %s\n"
               "Created at:        %s\nUpdated at:        %s\n",
               s->id, s->name, s->driver, go_time(s->created, cr), go_time(s->updated, up));
}

static int secret_inspect_cmd(struct cli_ctx *c, int argc, char **argv)
{
        const char *format = NULL;
        bool pretty = false;
        struct opt o[] = {
                { .name = "format", .shorthand = 'f', .type = OPT_STRING, .value = &format, .help = "Format inspect output using Go template" },
                { .name = "pretty", .type = OPT_BOOL, .value = &pretty, .help = "Print inspect output in human-readable format" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle secret inspect [options] SECRET [SECRET...]",
                                .short_desc = "Inspect a secret", .opts = o };
        struct opts_args a = { 0 };
        int p = parse(c, &cmd, argc, argv, &a);
        if (p != 0) {
                opts_args_done(&a);
                return p < 0 ? 125 : 0;
        }
        int rc = 0;
        _cleanup_json_ json_t *rows = json_array();
        _cleanup_error_ struct cu_error *first = NULL;
        if (a.n < 1) {
                rc = cli_failf(125, "requires at least 1 arg(s), only received 0");
                goto out;
        }
        struct engine e;
        if ((rc = engine_of(c, &e)) != 0)
                goto out;
        for (size_t i = 0; i < a.n; i++) {
                _cleanup_secret_rec_ struct secret_rec *s = NULL;
                struct cu_error *err = NULL;
                if (engine_secret_get(&e, a.args[i], &s, &err) < 0) {
                        if (!first)
                                first = err;
                        else
                                cu_error_free(err);
                        continue;
                }
                if (pretty)
                        print_pretty(s);
                else
                        json_array_append_new(rows, engine_secret_json(s));
        }
        if (!pretty) {
                _cleanup_error_ struct cu_error *err = NULL;
                if (format && *format && strcmp(format, "json") != 0)
                        rc = cli_output(format, rows, NULL, NULL, false);
                else if (report_print_json(rows, "    ", stdout, &err) < 0)
                        rc = cli_fail(125, err);
        }
        if (first) {
                fflush(stdout); /* podman prints what it found, then the error */
                cu_error_prefix(&first, -ENOENT, "inspecting secret");
                rc = cli_fail(125, first);
        }
out:
        opts_args_done(&a);
        return rc;
}

static int secret_rm_cmd(struct cli_ctx *c, int argc, char **argv)
{
        bool all = false;
        struct opt o[] = {
                { .name = "all", .shorthand = 'a', .type = OPT_BOOL, .value = &all, .help = "Remove all secrets" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle secret rm [options] SECRET [SECRET...]",
                                .aliases = "rm, remove", .short_desc = "Remove one or more secrets", .opts = o };
        struct opts_args a = { 0 };
        int p = parse(c, &cmd, argc, argv, &a);
        if (p != 0) {
                opts_args_done(&a);
                return p < 0 ? 125 : 0;
        }
        int rc = 0;
        struct engine e;
        _cleanup_strv_ char **names = NULL;
        if ((a.n == 0) == !all) {
                rc = cli_failf(125, "`cuttle secret rm` requires one argument, or the --all flag");
                goto out;
        }
        if ((rc = engine_of(c, &e)) != 0)
                goto out;
        if (all) {
                _cleanup_error_ struct cu_error *err = NULL;
                struct secret_rec **v = NULL;
                if (engine_secret_list(&e, &v, NULL, &err) < 0) {
                        rc = cli_fail(125, err);
                        goto out;
                }
                for (size_t i = 0; v[i]; i++)
                        (void) strv_extend(&names, v[i]->id);
                secret_rec_list_free(v);
        } else {
                names = strv_copy(a.args);
        }
        for (char **n = names; n && *n; n++) {
                _cleanup_error_ struct cu_error *err = NULL;
                _cleanup_secret_rec_ struct secret_rec *s = NULL;
                if (engine_secret_get(&e, *n, &s, &err) < 0 || engine_secret_remove(&e, s->id, &err) < 0) {
                        rc = cli_fail(125, err);
                        continue;
                }
                puts(s->id);
        }
out:
        opts_args_done(&a);
        return rc;
}

static int secret_exists_cmd(struct cli_ctx *c, int argc, char **argv)
{
        struct opts_cmd cmd = { .use = "cuttle secret exists SECRET",
                                .short_desc = "Check if a secret exists in local storage",
                                .opts = (struct opt[]){ { 0 } } };
        struct opts_args a = { 0 };
        int p = parse(c, &cmd, argc, argv, &a);
        if (p != 0) {
                opts_args_done(&a);
                return p < 0 ? 125 : 0;
        }
        int rc;
        struct engine e;
        if (a.n != 1) {
                rc = cli_failf(125, "accepts 1 arg(s), received %zu", a.n);
        } else if ((rc = engine_of(c, &e)) == 0) {
                _cleanup_error_ struct cu_error *err = NULL;
                _cleanup_secret_rec_ struct secret_rec *s = NULL;
                int r = engine_secret_get(&e, a.args[0], &s, &err);
                rc = r >= 0 ? 0 : r == -ENOENT ? 1 : cli_fail(125, err);
        }
        opts_args_done(&a);
        return rc;
}

static const struct {
        const char *name;
        int (*fn)(struct cli_ctx *, int, char **);
        const char *desc;
} secret_commands[] = {
        { "create", secret_create_cmd, "Create a new secret" },
        { "exists", secret_exists_cmd, "Check if a secret exists in local storage" },
        { "inspect", secret_inspect_cmd, "Inspect a secret" },
        { "list", secret_ls_cmd, NULL },
        { "ls", secret_ls_cmd, "List secrets" },
        { "remove", secret_rm_cmd, NULL },
        { "rm", secret_rm_cmd, "Remove one or more secrets" },
};

int cmd_secret(struct cli_ctx *c, int argc, char **argv)
{
        if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                FILE *f = argc < 2 ? stderr : stdout;
                fputs("Manage secrets\n\nDescription:\n  Manage secrets\n\nUsage:\n  cuttle secret [command]\n\n"
                      "Available Commands:\n", f);
                for (size_t i = 0; i < ELEMENTSOF(secret_commands); i++)
                        if (secret_commands[i].desc)
                                fprintf(f, "  %-11s %s\n", secret_commands[i].name, secret_commands[i].desc);
                if (argc < 2)
                        fputs("Error: missing command 'cuttle secret COMMAND'\n", stderr);
                return argc < 2 ? 125 : 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(secret_commands); i++)
                if (strcmp(secret_commands[i].name, argv[1]) == 0)
                        return secret_commands[i].fn(c, argc - 1, argv + 1);
        fprintf(stderr, "Error: unrecognized command `cuttle secret %s`\nTry 'cuttle secret --help' for more information\n",
                argv[1]);
        return 125;
}
