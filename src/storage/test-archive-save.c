/* SPDX-License-Identifier: GPL-2.0-or-later */
/* archive_save_dir() and archive_save(): an OCI layout directory (Docker
 * manifests written as OCI ones over the same blobs, index.json merged with
 * what is there), the dir: layout, and the formats each function refuses. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "state/db.h"
#include "storage/digest.h"
#include "storage/image-archive.h"
#include "storage/images.h"
#include "storage/manifest.h"
#include "storage/store.h"
#include "storage/tar-write.h"
#include "util/fileio.h"
#include "util/strv.h"

struct fix {
        char dir[64];
        char *root, *runroot;
        struct db *db;
        struct store *s;
        char id1[65], id2[65];
};

static void fix_open_store(struct fix *f, const char *name, char **root, char **runroot, struct db **db,
                           struct store **s)
{
        struct cu_error *err = NULL;
        char path[PATH_MAX];
        assert_true(asprintf(root, "%s/%s-root", f->dir, name) > 0);
        assert_true(asprintf(runroot, "%s/%s-run", f->dir, name) > 0);
        assert_int_equal(mkdir_p(*root, 0700), 0);
        snprintf(path, sizeof(path), "%s/cuttle.db", *root);
        if (db_open(path, db, &err) < 0)
                fail_msg("db_open: %s", cu_error_msg(err));
        struct store_opts o = { .root = *root, .runroot = *runroot, .driver = "vfs" };
        if (store_open(&o, *db, s, &err) < 0)
                fail_msg("store_open: %s", cu_error_msg(err));
}

/* Imports a rootfs with one file as NAME. */
static void fix_import(struct fix *f, const char *name, const char *content, char id[65])
{
        char path[PATH_MAX];
        struct cu_error *err = NULL;
        snprintf(path, sizeof(path), "%s/rootfs.tar", f->dir);
        int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        struct tar_writer *w = tar_writer_new(fd, COMPRESSION_NONE, &err);
        assert_non_null(w);
        assert_int_equal(tar_write_buffer(w, "etc/file", content, strlen(content), 0644, 1700000000, &err), 0);
        assert_int_equal(tar_writer_finish(w, NULL, NULL, NULL, &err), 0);
        tar_writer_free(w);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        struct import_opts io = { .name = name };
        if (archive_import(f->s, fd, &io, id, &err) < 0)
                fail_msg("import: %s", cu_error_msg(err));
        close(fd);
        unlink(path);
}

static int fix_setup(void **state)
{
        struct fix *f = calloc(1, sizeof(*f));
        snprintf(f->dir, sizeof(f->dir), "/tmp/cuttle-archive-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        fix_open_store(f, "a", &f->root, &f->runroot, &f->db, &f->s);
        fix_import(f, "localhost/one:1", "one\n", f->id1);
        fix_import(f, "localhost/two:2", "two\n", f->id2);
        *state = f;
        return 0;
}

static int fix_teardown(void **state)
{
        struct fix *f = *state;
        store_free(f->s);
        db_close(f->db);
        rm_rf(f->dir);
        free(f->root);
        free(f->runroot);
        free(f);
        return 0;
}

static int open_dir(struct fix *f, const char *name)
{
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/%s", f->dir, name);
        mkdir(path, 0755);
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(fd >= 0);
        return fd;
}

/* Reads blobs/sha256/<digest> and checks that its content has that digest. */
static char *read_blob(int dfd, const char *digest)
{
        char rel[96], got[DIGEST_STR_LEN + 1];
        snprintf(rel, sizeof(rel), "blobs/sha256/%s", digest_hex(digest));
        char *data = NULL;
        size_t len = 0;
        if (read_full_file_at(dfd, rel, &data, &len) < 0)
                fail_msg("no blob %s", digest);
        digest_buffer(data, len, got);
        assert_string_equal(got, digest);
        return data;
}

static void test_oci_dir(void **state)
{
        struct fix *f = *state;
        int dfd = open_dir(f, "lay");
        /* something already in the layout that is not ours stays */
        static const char old[] = "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                                  "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:"
                                  "0000000000000000000000000000000000000000000000000000000000000000\",\"size\":1,"
                                  "\"annotations\":{\"org.opencontainers.image.ref.name\":\"keep\"}}]}";
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/lay/index.json", f->dir);
        assert_int_equal(write_file_atomic(path, old, sizeof(old) - 1, 0644, NULL), 0);
        struct save_item items[] = { { f->id1, "v1" }, { f->id2, "v2" } };
        struct cu_error *err = NULL;
        if (archive_save_dir(f->s, dfd, ARCHIVE_OCI_DIR, items, 2, &err) < 0)
                fail_msg("save: %s", cu_error_msg(err));
        struct save_item again = { f->id2, "v1" }; /* v1 now names the second image */
        if (archive_save_dir(f->s, dfd, ARCHIVE_OCI_DIR, &again, 1, &err) < 0)
                fail_msg("save: %s", cu_error_msg(err));
        char *text = NULL;
        assert_int_equal(read_full_file(path, &text, NULL, NULL), 0);
        struct image_index x = { 0 };
        assert_int_equal(image_index_parse(text, strlen(text), &x, NULL), 0);
        free(text);
        assert_int_equal(x.n, 3);
        assert_string_equal(x.manifests[0].ref_name, "keep");
        assert_string_equal(x.manifests[1].ref_name, "v2");
        assert_string_equal(x.manifests[2].ref_name, "v1");
        for (size_t i = 1; i < 3; i++) {
                assert_string_equal(x.manifests[i].media_type, MT_OCI_MANIFEST);
                char *m = read_blob(dfd, x.manifests[i].digest);
                assert_int_equal(strlen(m), x.manifests[i].size);
                struct manifest mm = { 0 };
                assert_int_equal(manifest_parse(m, strlen(m), &mm, NULL), 0);
                assert_string_equal(mm.media_type, MT_OCI_MANIFEST);
                assert_string_equal(mm.config.media_type, MT_OCI_CONFIG);
                assert_string_equal(digest_hex(mm.config.digest), f->id2); /* the same config blob */
                free(read_blob(dfd, mm.config.digest));
                assert_int_equal(mm.n_layers, 1);
                assert_non_null(strstr(mm.layers[0].media_type, "application/vnd.oci.image.layer.v1.tar"));
                free(read_blob(dfd, mm.layers[0].digest));
                manifest_done(&mm);
                free(m);
        }
        image_index_done(&x);
        assert_int_equal(faccessat(dfd, "oci-layout", F_OK, 0), 0);
        close(dfd);
}

static void test_dir_layout(void **state)
{
        struct fix *f = *state;
        int dfd = open_dir(f, "d");
        struct save_item it = { f->id1, NULL };
        struct cu_error *err = NULL;
        if (archive_save_dir(f->s, dfd, ARCHIVE_DOCKER_DIR, &it, 1, &err) < 0)
                fail_msg("save: %s", cu_error_msg(err));
        char *v = NULL;
        assert_int_equal(read_full_file_at(dfd, "version", &v, NULL), 0);
        assert_string_equal(v, "Directory Transport Version: 1.1\n");
        free(v);
        char *m = NULL;
        size_t len = 0;
        assert_int_equal(read_full_file_at(dfd, "manifest.json", &m, &len), 0);
        struct image_rec *im = NULL;
        assert_int_equal(image_get(f->db, f->id1, &im, NULL), 0);
        assert_string_equal(m, im->manifest); /* as stored: dir: keeps the manifest's digest */
        image_rec_free(im);
        free(m);
        assert_int_equal(faccessat(dfd, f->id1, F_OK, 0), 0);
        close(dfd);
}

static void test_refused(void **state)
{
        struct fix *f = *state;
        int dfd = open_dir(f, "r");
        struct save_item items[] = { { f->id1, NULL }, { f->id2, NULL } };
        struct cu_error *err = NULL;
        assert_int_equal(archive_save_dir(f->s, dfd, ARCHIVE_DOCKER_DIR, items, 2, &err), -EINVAL);
        assert_non_null(strstr(cu_error_msg(err), "exactly one image"));
        cu_error_free(err);
        err = NULL;
        assert_int_equal(archive_save_dir(f->s, dfd, ARCHIVE_OCI, items, 1, &err), -EINVAL);
        cu_error_free(err);
        err = NULL;
        assert_int_equal(archive_save(f->s, dfd, ARCHIVE_OCI_DIR, items, 1, &err), -EINVAL);
        cu_error_free(err);
        err = NULL;
        struct save_item missing = { "0000000000000000000000000000000000000000000000000000000000000000", NULL };
        assert_true(archive_save_dir(f->s, dfd, ARCHIVE_OCI_DIR, &missing, 1, &err) < 0);
        cu_error_free(err);
        /* nothing was written by the refused calls */
        assert_int_equal(faccessat(dfd, "index.json", F_OK, 0), -1);
        assert_int_equal(faccessat(dfd, "manifest.json", F_OK, 0), -1);
        close(dfd);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_oci_dir, fix_setup, fix_teardown),
                cmocka_unit_test_setup_teardown(test_dir_layout, fix_setup, fix_teardown),
                cmocka_unit_test_setup_teardown(test_refused, fix_setup, fix_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
