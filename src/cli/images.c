/* SPDX-License-Identifier: GPL-2.0-or-later */
/* images / image ls, image inspect, image history, image exists. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "image-json.h"
#include "output.h"
#include "state/db.h"
#include "storage/images.h"
#include "storage/store.h"
#include "util/json.h"
#include "util/strv.h"

struct sort_ctx {
        const char *key;
};

static __thread const char *sort_key;

static int row_cmp(const void *a, const void *b)
{
        json_t *x = *(json_t *const *) a, *y = *(json_t *const *) b;
        if (strcmp(sort_key, "created") == 0) {
                /* newest first */
                json_int_t cx = json_integer_value(json_object_get(x, "_created"));
                json_int_t cy = json_integer_value(json_object_get(y, "_created"));
                return cx < cy ? 1 : cx > cy ? -1 : 0;
        }
        if (strcmp(sort_key, "size") == 0) {
                json_int_t cx = json_integer_value(json_object_get(x, "Size"));
                json_int_t cy = json_integer_value(json_object_get(y, "Size"));
                return cx < cy ? -1 : cx > cy ? 1 : 0;
        }
        const char *f = strcmp(sort_key, "id") == 0 ? "ID" : strcmp(sort_key, "tag") == 0 ? "Tag" : "Repository";
        int r = strcmp(json_string_value(json_object_get(x, f)) ?: "", json_string_value(json_object_get(y, f)) ?: "");
        if (r == 0 && strcmp(f, "Repository") == 0)
                r = strcmp(json_string_value(json_object_get(x, "Tag")) ?: "", json_string_value(json_object_get(y, "Tag")) ?: "");
        return r;
}

int cmd_images(struct cli_ctx *c, int argc, char **argv)
{
        bool all = false, quiet = false, digests = false, no_trunc = false, noheading = false;
        const char *format = NULL, *sort = "created";
        _cleanup_strv_ char **filters = NULL;
        struct arg_opt opts[] = {
                { "all", 'a', ARG_BOOL, &all, "Show all images (default hides intermediate images)" },
                { "digests", 0, ARG_BOOL, &digests, "Show digests" },
                { "filter", 'f', ARG_STRINGS, &filters, "Filter output based on conditions provided" },
                { "format", 0, ARG_STRING, &format, "Change the output format to JSON or a Go template" },
                { "noheading", 'n', ARG_BOOL, &noheading, "Do not print column headings" },
                { "no-trunc", 0, ARG_BOOL, &no_trunc, "Do not truncate output" },
                { "quiet", 'q', ARG_BOOL, &quiet, "Display only image IDs" },
                { "sort", 0, ARG_STRING, &sort, "Sort by created, id, repository, size, tag", "created" },
                { NULL },
        };
        _cleanup_free_ char **pos = NULL;
        int rc0 = args_run(c, opts, argc, argv, "cuttle images [options] [IMAGE]", "List images in local storage", &pos);
        if (rc0 >= 0)
                return rc0;
        _cleanup_error_ struct cu_error *err = NULL;
        static const char *const sorts[] = { "created", "id", "repository", "size", "tag" };
        bool ok = false;
        for (size_t i = 0; i < 5; i++)
                ok = ok || strcmp(sort, sorts[i]) == 0;
        if (!ok)
                return cli_failf(125, "\"%s\" is not a valid option for --sort: must be one of created, id, repository, size, tag", sort);
        if (pos[0] && pos[1])
                return cli_failf(125, "too many arguments: only one image name may be given");
        struct store *s = NULL;
        if (cli_ctx_store(c, &s, &err) < 0)
                return cli_fail(125, err);
        struct image_filters *flt = NULL;
        if (pos[0]) {
                char *ref = NULL;
                if (asprintf(&ref, "reference=%s", pos[0]) < 0 || strv_push(&filters, ref) < 0)
                        return 125;
        }
        if (image_filters_parse(filters, &flt, s->db, &err) < 0)
                return cli_fail(125, err);
        struct image_rec **v = NULL;
        size_t n = 0;
        if (images_list(s->db, &v, &n, &err) < 0) {
                image_filters_free(flt);
                return cli_fail(125, err);
        }
        _cleanup_json_ json_t *rows = json_array();
        bool json_out = format && strcmp(format, "json") == 0;
        for (size_t i = 0; i < n; i++) {
                int used = image_container_count(s->db, v[i]->id);
                if (!image_filters_match(flt, v[i], used))
                        continue;
                if (json_out) {
                        json_array_append_new(rows, image_list_json(v[i], used));
                        continue;
                }
                size_t nn = strv_length(v[i]->names);
                for (size_t k = 0; k < (nn ? nn : 1); k++) {
                        const char *name = nn ? v[i]->names[k] : NULL;
                        json_t *row = image_row_json(v[i], name, no_trunc, used);
                        json_object_set_new(row, "_created", json_integer(v[i]->created));
                        json_array_append_new(rows, row);
                        if (quiet)
                                break;
                }
        }
        image_recs_free(v, n);
        image_filters_free(flt);
        if (json_out)
                return cli_output("json", rows, NULL, NULL, true);
        sort_key = sort;
        size_t nr = json_array_size(rows);
        json_t **arr = calloc(nr + 1, sizeof(json_t *));
        for (size_t i = 0; arr && i < nr; i++)
                arr[i] = json_incref(json_array_get(rows, i));
        if (arr)
                qsort(arr, nr, sizeof(json_t *), row_cmp);
        _cleanup_json_ json_t *sorted = json_array();
        for (size_t i = 0; arr && i < nr; i++)
                json_array_append_new(sorted, arr[i]);
        free(arr);
        if (quiet) {
                /* unique IDs, in order */
                _cleanup_strv_ char **seen = NULL;
                size_t i;
                json_t *r;
                json_array_foreach(sorted, i, r) {
                        const char *id = json_string_value(json_object_get(r, "ID"));
                        if (!strv_contains(seen, id)) {
                                strv_extend(&seen, id);
                                puts(id);
                        }
                }
                return 0;
        }
        static const struct column headers[] = {
                { "ID", "IMAGE ID" }, { "Repository", "REPOSITORY" }, { "Tag", "TAG" },
                { "Digest", "DIGEST" }, { "CreatedSince", "CREATED" }, { "CreatedAt", "CREATED AT" },
                { "Created", "CREATED" }, { "Size", "SIZE" }, { "ReadOnly", "R/O" }, { NULL, NULL },
        };
        static const struct column cols[] = {
                { "Repository", NULL }, { "Tag", NULL }, { "ID", NULL }, { "CreatedSince", NULL }, { "Size", NULL },
                { NULL, NULL },
        };
        static const struct column cols_digests[] = {
                { "Repository", NULL }, { "Tag", NULL }, { "Digest", NULL }, { "ID", NULL },
                { "CreatedSince", NULL }, { "Size", NULL }, { NULL, NULL },
        };
        /* Size is printed human-readable in tables and templates. */
        size_t i;
        json_t *r;
        json_array_foreach(sorted, i, r) {
                char buf[32];
                json_object_set_new(r, "Size", json_string(human_size((uint64_t) json_integer_value(json_object_get(r, "Size")), buf)));
                json_object_del(r, "_created");
        }
        if (noheading && !format)
                format = digests ? "{{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
                                 : "{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
        return cli_output(format, sorted, digests ? cols_digests : cols, headers, false);
}

int cmd_image_inspect(struct cli_ctx *c, int argc, char **argv)
{
        const char *format = NULL;
        struct arg_opt opts[] = {
                { "format", 'f', ARG_STRING, &format, "Format the output to a Go template or json", "json" },
                { NULL },
        };
        _cleanup_free_ char **pos = NULL;
        int rc0 = args_run(c, opts, argc, argv, "cuttle image inspect [options] IMAGE [IMAGE...]", "Display the configuration of an image", &pos);
        if (rc0 >= 0)
                return rc0;
        _cleanup_error_ struct cu_error *err = NULL;
        if (!pos[0])
                return cli_failf(125, "inspect requires at least one argument");
        struct store *s = NULL;
        if (cli_ctx_store(c, &s, &err) < 0)
                return cli_fail(125, err);
        _cleanup_json_ json_t *out = json_array();
        int rc = 0;
        for (size_t i = 0; pos[i]; i++) {
                _cleanup_image_rec_ struct image_rec *im = NULL;
                _cleanup_error_ struct cu_error *e = NULL;
                if (image_lookup(s->db, pos[i], &im, &e) < 0) {
                        fprintf(stderr, "Error: %s\n", cu_error_msg(e));
                        rc = 125;
                        continue;
                }
                json_array_append_new(out, image_inspect_json(s, im));
        }
        int r = cli_output(format ? format : "json", out, NULL, NULL, true);
        return rc ? rc : r;
}

int cmd_image_history(struct cli_ctx *c, int argc, char **argv)
{
        const char *format = NULL;
        bool human = true, no_trunc = false, quiet = false;
        struct arg_opt opts[] = {
                { "format", 0, ARG_STRING, &format, "Change the output to JSON or a Go template" },
                { "human", 'H', ARG_BOOL, &human, "Display sizes and dates in human readable format", "true" },
                { "no-trunc", 0, ARG_BOOL, &no_trunc, "Do not truncate the output" },
                { "quiet", 'q', ARG_BOOL, &quiet, "Display the numeric IDs only" },
                { NULL },
        };
        _cleanup_free_ char **pos = NULL;
        int rc0 = args_run(c, opts, argc, argv, "cuttle image history [options] IMAGE", "Show history of a specified image", &pos);
        if (rc0 >= 0)
                return rc0;
        _cleanup_error_ struct cu_error *err = NULL;
        if (!pos[0] || pos[1])
                return cli_failf(125, "accepts 1 arg(s), received %zu", strv_length(pos));
        struct store *s = NULL;
        if (cli_ctx_store(c, &s, &err) < 0)
                return cli_fail(125, err);
        _cleanup_image_rec_ struct image_rec *im = NULL;
        if (image_lookup(s->db, pos[0], &im, &err) < 0)
                return cli_fail(125, err);
        bool json_out = format && strcmp(format, "json") == 0;
        _cleanup_json_ json_t *rows = image_history_json(s, im, no_trunc || json_out, human && !json_out);
        if (quiet) {
                size_t i;
                json_t *r;
                json_array_foreach(rows, i, r) puts(json_string_value(json_object_get(r, "ID")));
                return 0;
        }
        if (json_out) {
                /* podman's JSON: id, created, CreatedBy, size, comment */
                _cleanup_json_ json_t *j = json_array();
                size_t i;
                json_t *r;
                json_array_foreach(rows, i, r) {
                        const char *id = json_string_value(json_object_get(r, "ID"));
                        json_array_append_new(j, json_pack("{s:s, s:O, s:O, s:O, s:O}", "id",
                                              strncmp(id, "sha256:", 7) == 0 ? id + 7 : id,
                                              "created", json_object_get(r, "Created"),
                                              "CreatedBy", json_object_get(r, "CreatedBy"),
                                              "size", json_object_get(r, "size"),
                                              "comment", json_object_get(r, "Comment")));
                }
                return cli_output("json", j, NULL, NULL, true);
        }
        static const struct column cols[] = {
                { "ID", NULL }, { "Created", NULL }, { "CreatedBy", NULL }, { "Size", NULL }, { "Comment", NULL },
                { NULL, NULL },
        };
        static const struct column headers[] = {
                { "ID", "ID" }, { "Created", "CREATED" }, { "CreatedBy", "CREATED BY" }, { "Size", "SIZE" },
                { "Comment", "COMMENT" }, { NULL, NULL },
        };
        return cli_output(format, rows, cols, headers, false);
}

int cmd_image_exists(struct cli_ctx *c, int argc, char **argv)
{
        struct arg_opt opts[] = { { NULL } };
        _cleanup_free_ char **pos = NULL;
        int rc0 = args_run(c, opts, argc, argv, "cuttle image exists IMAGE", "Check if an image exists in local storage", &pos);
        if (rc0 >= 0)
                return rc0;
        _cleanup_error_ struct cu_error *err = NULL;
        if (!pos[0] || pos[1])
                return cli_failf(125, "accepts 1 arg(s), received %zu", strv_length(pos));
        struct store *s = NULL;
        if (cli_ctx_store(c, &s, &err) < 0)
                return cli_fail(125, err);
        _cleanup_image_rec_ struct image_rec *im = NULL;
        int r = image_lookup(s->db, pos[0], &im, &err);
        if (r == -ENOENT)
                return 1;
        if (r < 0)
                return cli_fail(125, err);
        return 0;
}
