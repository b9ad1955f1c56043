/* SPDX-License-Identifier: GPL-2.0-or-later */
/* import, save, load. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "commands.h"
#include "image-json.h"
#include "storage/image-archive.h"
#include "storage/images.h"
#include "storage/reference.h"
#include "storage/store.h"
#include "storage/transports.h"
#include "util/strv.h"

int cmd_import(struct cli_ctx *c, int argc, char **argv)
{
        _cleanup_strv_ char **changes = NULL;
        const char *message = NULL, *os = NULL, *arch = NULL, *variant = NULL;
        bool quiet = false;
        struct arg_opt opts[] = {
                { "arch", 0, ARG_STRING, &arch, "Set the architecture of the imported image" },
                { "change", 'c', ARG_STRINGS, &changes, "Apply the following possible instructions to the created image (default []): CMD | ENTRYPOINT | ENV | EXPOSE | LABEL | ONBUILD | STOPSIGNAL | USER | VOLUME | WORKDIR" },
                { "message", 'm', ARG_STRING, &message, "Set commit message for imported image" },
                { "os", 0, ARG_STRING, &os, "Set the OS of the imported image" },
                { "quiet", 'q', ARG_BOOL, &quiet, "Suppress output" },
                { "variant", 0, ARG_STRING, &variant, "Set the variant of the imported image" },
                { NULL },
        };
        _cleanup_free_ char **pos = NULL;
        int rc = args_run(c, opts, argc, argv, "cuttle import [options] PATH [REFERENCE]",
                       "Import a tarball to create a filesystem image", &pos);
        if (rc >= 0)
                return rc;
        if (!pos[0])
                return cli_failf(125, "you must provide a tarball to import");
        if (pos[1] && pos[2])
                return cli_failf(125, "too many arguments: expected PATH [REFERENCE]");
        if (strncmp(pos[0], "http://", 7) == 0 || strncmp(pos[0], "https://", 8) == 0)
                return cli_failf(125, "importing from a URL is not supported: download it first");
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_free_ char *name = NULL;
        if (pos[1] && !(name = image_ref_normalize_string(pos[1], "localhost", &err)))
                return cli_fail(125, err);
        _cleanup_close_ int fd = strcmp(pos[0], "-") == 0 ? dup(STDIN_FILENO) : open(pos[0], O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return cli_failf(125, "opening %s: %s", pos[0], strerror(errno));
        struct store *s = NULL;
        if (cli_ctx_store(c, &s, &err) < 0)
                return cli_fail(125, err);
        struct import_opts io = { .name = name, .changes = (const char *const *) changes, .message = message,
                                  .os = os, .arch = arch, .variant = variant };
        char id[65];
        if (archive_import(s, fd, &io, id, &err) < 0)
                return cli_fail(125, err);
        printf("sha256:%s\n", id);
        cli_event_image(c, "import", id, name);
        return 0;
}

/* save --format oci-dir|docker-dir -o DIR: the oci: and dir: transports' writers. */
static int save_dir(struct cli_ctx *c, enum archive_format fmt, const char *output, char **pos, bool quiet)
{
        if (!output)
                return cli_failf(125, "failed to save image(s): a directory format needs -o DIRECTORY");
        if (fmt == ARCHIVE_DOCKER_DIR && pos[1])
                return cli_failf(125, "docker-dir holds one image: got %zu", strv_length(pos));
        _cleanup_error_ struct cu_error *err = NULL;
        struct store *s = NULL;
        if (cli_ctx_store(c, &s, &err) < 0)
                return cli_fail(125, err);
        for (size_t i = 0; pos[i]; i++) {
                _cleanup_image_rec_ struct image_rec *im = NULL;
                if (image_lookup(s->db, pos[i], &im, &err) < 0)
                        return cli_fail(125, err);
                const char *name = image_name_for_arg(im, pos[i]);
                struct transport_ref tr = { .transport = fmt == ARCHIVE_OCI_DIR ? TRANSPORT_OCI : TRANSPORT_DIR,
                                            .path = (char *) output, .ref = (char *) name, .index = -1 };
                if (transport_push(s, im->id, name, &tr, quiet ? NULL : stderr, &err) < 0)
                        return cli_fail(125, err);
                cli_event_image(c, "save", im->id, name);
        }
        return 0;
}

int cmd_save(struct cli_ctx *c, int argc, char **argv)
{
        const char *output = NULL, *format = "docker-archive";
        bool quiet = false, multi = false, compress = false, uncompressed = false;
        struct arg_opt opts[] = {
                { "compress", 0, ARG_BOOL, &compress, "Compress tarball image layers when saving to a directory using the 'dir' transport" },
                { "format", 0, ARG_STRING, &format, "Save image to oci-archive, oci-dir (directory with oci manifest type), docker-archive, docker-dir (directory with v2s2 manifest type)", "docker-archive" },
                { "multi-image-archive", 'm', ARG_BOOL, &multi, "Interpret additional arguments as images not tags and create a multi-image-archive (only for docker-archive)" },
                { "output", 'o', ARG_STRING, &output, "Write to a specified file (default: stdout, which must be redirected)" },
                { "quiet", 'q', ARG_BOOL, &quiet, "Suppress the output" },
                { "uncompressed", 0, ARG_BOOL, &uncompressed, "Accept uncompressed layers when copying OCI images" },
                { NULL },
        };
        _cleanup_free_ char **pos = NULL;
        int rc = args_run(c, opts, argc, argv, "cuttle save [options] IMAGE [IMAGE...]",
                       "Save image(s) to an archive", &pos);
        if (rc >= 0)
                return rc;
        if (!pos[0])
                return cli_failf(125, "need at least 1 argument");
        enum archive_format fmt;
        if (strcmp(format, "docker-archive") == 0)
                fmt = ARCHIVE_DOCKER;
        else if (strcmp(format, "oci-archive") == 0)
                fmt = ARCHIVE_OCI;
        else if (strcmp(format, "oci-dir") == 0)
                fmt = ARCHIVE_OCI_DIR;
        else if (strcmp(format, "docker-dir") == 0)
                fmt = ARCHIVE_DOCKER_DIR;
        else
                return cli_failf(125, "format value must be one of oci-dir oci-archive docker-dir docker-archive");
        if (fmt == ARCHIVE_OCI_DIR || fmt == ARCHIVE_DOCKER_DIR)
                return save_dir(c, fmt, output, pos, quiet);
        if (!output && isatty(STDOUT_FILENO))
                return cli_failf(125, "failed to save image(s): refusing to save to terminal. Use -o flag or redirect");
        _cleanup_error_ struct cu_error *err = NULL;
        struct store *s = NULL;
        if (cli_ctx_store(c, &s, &err) < 0)
                return cli_fail(125, err);
        size_t n = strv_length(pos);
        struct save_item *items = calloc(n + 1, sizeof(*items));
        char **names = calloc(n + 1, sizeof(char *));
        struct image_rec **ims = calloc(n + 1, sizeof(*ims));
        if (!items || !names || !ims)
                return 125;
        rc = 0;
        for (size_t i = 0; i < n && rc == 0; i++) {
                if (image_lookup(s->db, pos[i], &ims[i], &err) < 0) {
                        rc = cli_fail(125, err);
                        break;
                }
                items[i].id = ims[i]->id;
                /* a name the user gave (not an ID) is recorded */
                const char *given = image_name_for_arg(ims[i], pos[i]);
                if (given && !(names[i] = strdup(given))) {
                        rc = 125;
                        break;
                }
                items[i].name = names[i];
        }
        _cleanup_free_ char *tmp = NULL;
        int fd = -1;
        if (rc == 0) {
                if (output) {
                        /* written next to the target and renamed: a failed save leaves nothing */
                        _cleanup_free_ char *dir = strdup(output);
                        if (!dir || asprintf(&tmp, "%s/.cuttle-save-XXXXXX", dirname(dir)) < 0)
                                rc = 125;
                        else if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0)
                                rc = cli_failf(125, "creating %s: %s", output, strerror(errno));
                } else {
                        fd = dup(STDOUT_FILENO);
                }
        }
        if (rc == 0 && archive_save(s, fd, fmt, items, n, &err) < 0)
                rc = cli_fail(125, err);
        for (size_t i = 0; rc == 0 && i < n; i++)
                cli_event_image(c, "save", items[i].id, items[i].name);
        if (fd >= 0 && output) {
                if (rc == 0 && (fchmod(fd, 0644) < 0 || rename(tmp, output) < 0))
                        rc = cli_failf(125, "writing %s: %s", output, strerror(errno));
                if (rc != 0)
                        unlink(tmp);
        }
        if (fd >= 0)
                close(fd);
        for (size_t i = 0; i < n; i++) {
                image_rec_free(ims[i]);
                free(names[i]);
        }
        free(ims);
        free(names);
        free(items);
        return rc;
}

int cmd_load(struct cli_ctx *c, int argc, char **argv)
{
        const char *input = NULL;
        bool quiet = false;
        struct arg_opt opts[] = {
                { "input", 'i', ARG_STRING, &input, "Read from specified archive file (default: stdin)" },
                { "quiet", 'q', ARG_BOOL, &quiet, "Suppress the output" },
                { NULL },
        };
        _cleanup_free_ char **pos = NULL;
        int rc = args_run(c, opts, argc, argv, "cuttle load [options]", "Load image(s) from a tar archive", &pos);
        if (rc >= 0)
                return rc;
        if (pos[0])
                return cli_failf(125, "too many arguments: use -i to name the archive");
        if (!input && isatty(STDIN_FILENO))
                return cli_failf(125, "cannot read from terminal, use command-line redirection or the --input flag");
        _cleanup_close_ int fd = input ? open(input, O_RDONLY | O_CLOEXEC) : dup(STDIN_FILENO);
        if (fd < 0)
                return cli_failf(125, "open %s: %s", input, strerror(errno));
        _cleanup_error_ struct cu_error *err = NULL;
        struct store *s = NULL;
        if (cli_ctx_store(c, &s, &err) < 0)
                return cli_fail(125, err);
        _cleanup_strv_ char **loaded = NULL;
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
                /* an OCI layout (named after its path, as podman does) or a dir: directory */
                bool oci = faccessat(fd, "index.json", F_OK, 0) == 0;
                if (!oci && faccessat(fd, "manifest.json", F_OK, 0) < 0)
                        return cli_failf(125, "payload does not match any of the supported image formats:\n"
                                         " * oci: open %s/index.json: no such file or directory\n"
                                         " * dir: open %s/manifest.json: no such file or directory", input, input);
                struct transport_ref tr = { .transport = oci ? TRANSPORT_OCI : TRANSPORT_DIR, .index = -1 };
                if (!(tr.path = strdup(input)))
                        return 125;
                _cleanup_strv_ char **ids = NULL;
                rc = transport_pull(s, &tr, NULL, &ids, &err);
                transport_ref_done(&tr);
                if (rc < 0)
                        return cli_fail(125, err);
                _cleanup_image_rec_ struct image_rec *im = NULL;
                if (image_get(s->db, ids[0], &im, &err) < 0)
                        return cli_fail(125, err);
                /* podman prints the layout's name as made from its path, without ":latest" */
                _cleanup_free_ char *shown = NULL;
                if (oci && im->names) {
                        shown = strdup(im->names[0]);
                        size_t l = shown ? strlen(shown) : 0;
                        if (l > 7 && strcmp(shown + l - 7, ":latest") == 0)
                                shown[l - 7] = '\0';
                } else if (asprintf(&shown, "sha256:%s", im->id) < 0) {
                        shown = NULL;
                }
                if (!shown || strv_extend(&loaded, shown) < 0)
                        return 125;
        } else if (archive_load(s, fd, &loaded, &err) < 0) {
                return cli_fail(125, err);
        }
        for (size_t i = 0; loaded && loaded[i]; i++) {
                printf("Loaded image: %s\n", loaded[i]);
                cli_event_image(c, "load", NULL, loaded[i]);
        }
        return 0;
}
