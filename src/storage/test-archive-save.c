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

#include "test-store-fixture.h"

static int open_dir(struct two_images *f, const char *name)
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
        struct two_images *f = *state;
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
        if (archive_save_dir(f->t.s, dfd, ARCHIVE_OCI_DIR, items, 2, &err) < 0)
                fail_msg("save: %s", cu_error_msg(err));
        struct save_item again = { f->id2, "v1" }; /* v1 now names the second image */
        if (archive_save_dir(f->t.s, dfd, ARCHIVE_OCI_DIR, &again, 1, &err) < 0)
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
        struct two_images *f = *state;
        int dfd = open_dir(f, "d");
        struct save_item it = { f->id1, NULL };
        struct cu_error *err = NULL;
        if (archive_save_dir(f->t.s, dfd, ARCHIVE_DOCKER_DIR, &it, 1, &err) < 0)
                fail_msg("save: %s", cu_error_msg(err));
        char *v = NULL;
        assert_int_equal(read_full_file_at(dfd, "version", &v, NULL), 0);
        assert_string_equal(v, "Directory Transport Version: 1.1\n");
        free(v);
        char *m = NULL;
        size_t len = 0;
        assert_int_equal(read_full_file_at(dfd, "manifest.json", &m, &len), 0);
        struct image_rec *im = NULL;
        assert_int_equal(image_get(f->t.db, f->id1, &im, NULL), 0);
        assert_string_equal(m, im->manifest); /* as stored: dir: keeps the manifest's digest */
        image_rec_free(im);
        free(m);
        assert_int_equal(faccessat(dfd, f->id1, F_OK, 0), 0);
        close(dfd);
}

static void test_refused(void **state)
{
        struct two_images *f = *state;
        int dfd = open_dir(f, "r");
        struct save_item items[] = { { f->id1, NULL }, { f->id2, NULL } };
        struct cu_error *err = NULL;
        assert_int_equal(archive_save_dir(f->t.s, dfd, ARCHIVE_DOCKER_DIR, items, 2, &err), -EINVAL);
        assert_non_null(strstr(cu_error_msg(err), "exactly one image"));
        cu_error_free(err);
        err = NULL;
        assert_int_equal(archive_save_dir(f->t.s, dfd, ARCHIVE_OCI, items, 1, &err), -EINVAL);
        cu_error_free(err);
        err = NULL;
        assert_int_equal(archive_save(f->t.s, dfd, ARCHIVE_OCI_DIR, items, 1, &err), -EINVAL);
        cu_error_free(err);
        err = NULL;
        struct save_item missing = { "0000000000000000000000000000000000000000000000000000000000000000", NULL };
        assert_true(archive_save_dir(f->t.s, dfd, ARCHIVE_OCI_DIR, &missing, 1, &err) < 0);
        cu_error_free(err);
        /* nothing was written by the refused calls */
        assert_int_equal(faccessat(dfd, "index.json", F_OK, 0), -1);
        assert_int_equal(faccessat(dfd, "manifest.json", F_OK, 0), -1);
        close(dfd);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_oci_dir, two_images_setup, two_images_teardown),
                cmocka_unit_test_setup_teardown(test_dir_layout, two_images_setup, two_images_teardown),
                cmocka_unit_test_setup_teardown(test_refused, two_images_setup, two_images_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
