/* SPDX-License-Identifier: GPL-2.0-or-later */
/* archive_load_from(): picking images out of a docker-archive (all, one, a tag,
 * @N), naming them, refusing the wrong kind of source, podman's progress lines,
 * and directories (OCI layout, dir:) read without being changed. */
#include <dirent.h>
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

#include "state/db.h"
#include "storage/image-archive.h"
#include "storage/images.h"
#include "storage/store.h"
#include "storage/tar-write.h"
#include "util/fileio.h"
#include "util/strv.h"

#include "test-store-fixture.h"

/* Saves both images (one:1 and two:2) as a two-image docker-archive; returns an open fd. */
static int two_image_archive(struct two_images *f)
{
        char path[PATH_MAX];
        struct cu_error *err = NULL;
        snprintf(path, sizeof(path), "%s/m.tar", f->dir);
        int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        struct save_item items[] = { { f->id1, "localhost/one:1" }, { f->id2, "localhost/two:2" },
                                     { f->id2, "localhost/two:extra" } };
        if (archive_save(f->t.s, fd, ARCHIVE_DOCKER, items, 3, &err) < 0)
                fail_msg("save: %s", cu_error_msg(err));
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        return fd;
}

static size_t n_images(struct db *db)
{
        struct image_rec **v = NULL;
        size_t n = 0;
        assert_int_equal(images_list(db, &v, &n, NULL), 0);
        image_recs_free(v, n);
        return n;
}

static void test_select_docker(void **state)
{
        struct two_images *f = *state;
        struct test_store o = { 0 };
        test_store_open(&o, f->dir, "b");
        int fd = two_image_archive(f);
        struct cu_error *err = NULL;
        char **loaded = NULL, **ids = NULL;

        /* one image wanted, two there, no reference: podman's error, nothing stored */
        struct load_opts lo = { .index = -1, .one = true };
        assert_true(archive_load_from(o.s, IMAGE_SOURCE_DOCKER_ARCHIVE, fd, &lo, &loaded, &ids, &err) < 0);
        assert_string_equal(cu_error_msg(err), "Unexpected tar manifest.json: expected 1 item, got 2");
        cu_error_free(err);
        err = NULL;
        assert_int_equal(n_images(o.db), 0);

        /* @1: the second image with both its tags */
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        lo.index = 1;
        if (archive_load_from(o.s, IMAGE_SOURCE_DOCKER_ARCHIVE, fd, &lo, &loaded, &ids, &err) < 0)
                fail_msg("@1: %s", cu_error_msg(err));
        assert_int_equal(strv_length(loaded), 2);
        assert_string_equal(loaded[0], "localhost/two:2");
        assert_string_equal(loaded[1], "localhost/two:extra");
        assert_string_equal(ids[0], f->id2);
        assert_string_equal(ids[1], f->id2);
        strv_free(loaded);
        strv_free(ids);
        loaded = ids = NULL;

        /* a tag: only that image, only that name (short names are normalized) */
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        lo = (struct load_opts) { .index = -1, .one = true, .ref = "localhost/one:1" };
        if (archive_load_from(o.s, IMAGE_SOURCE_DOCKER_ARCHIVE, fd, &lo, &loaded, &ids, &err) < 0)
                fail_msg("ref: %s", cu_error_msg(err));
        assert_int_equal(strv_length(loaded), 1);
        assert_string_equal(loaded[0], "localhost/one:1");
        assert_string_equal(ids[0], f->id1);
        strv_free(loaded);
        strv_free(ids);
        loaded = ids = NULL;
        assert_int_equal(n_images(o.db), 2);

        /* @5 and an unknown tag */
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        lo = (struct load_opts) { .index = 5, .one = true };
        assert_true(archive_load_from(o.s, IMAGE_SOURCE_DOCKER_ARCHIVE, fd, &lo, &loaded, &ids, &err) < 0);
        assert_string_equal(cu_error_msg(err), "Invalid source index @5, only 2 manifest items available");
        cu_error_free(err);
        err = NULL;
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        lo = (struct load_opts) { .index = -1, .one = true, .ref = "busybox" };
        assert_true(archive_load_from(o.s, IMAGE_SOURCE_DOCKER_ARCHIVE, fd, &lo, &loaded, &ids, &err) < 0);
        assert_string_equal(cu_error_msg(err), "Tag \"docker.io/library/busybox:latest\" not found");
        cu_error_free(err);
        close(fd);
        test_store_close(&o);
}

static void test_names_and_progress(void **state)
{
        struct two_images *f = *state;
        struct test_store o = { 0 };
        test_store_open(&o, f->dir, "b");
        int fd = two_image_archive(f);
        struct cu_error *err = NULL;
        char *text = NULL;
        size_t len = 0;
        FILE *p = open_memstream(&text, &len);
        assert_non_null(p);
        struct load_opts lo = { .index = 0, .name = "localhost/renamed:x", .progress = p };
        char **loaded = NULL;
        if (archive_load_from(o.s, IMAGE_SOURCE_ARCHIVE, fd, &lo, &loaded, NULL, &err) < 0)
                fail_msg("load: %s", cu_error_msg(err));
        fclose(p);
        assert_int_equal(strv_length(loaded), 1);
        assert_string_equal(loaded[0], "localhost/renamed:x");
        strv_free(loaded);
        char want[512];
        snprintf(want, sizeof(want), "Copying config sha256:%s\nWriting manifest to image destination\n"
                 "Storing signatures\n", f->id1);
        assert_true(strncmp(text, "Getting image source signatures\nCopying blob sha256:", 52) == 0);
        assert_non_null(strstr(text, want));
        free(text);

        /* no_names: stored by ID only */
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        lo = (struct load_opts) { .index = 1, .no_names = true };
        if (archive_load_from(o.s, IMAGE_SOURCE_ARCHIVE, fd, &lo, &loaded, NULL, &err) < 0)
                fail_msg("load: %s", cu_error_msg(err));
        char sha[80];
        snprintf(sha, sizeof(sha), "sha256:%s", f->id2);
        assert_string_equal(loaded[0], sha);
        strv_free(loaded);
        struct image_rec *im = NULL;
        assert_int_equal(image_get(o.db, f->id2, &im, NULL), 0);
        assert_null(im->names);
        image_rec_free(im);
        close(fd);
        test_store_close(&o);
}

static void test_wrong_kind(void **state)
{
        struct two_images *f = *state;
        struct test_store o = { 0 };
        test_store_open(&o, f->dir, "b");
        int fd = two_image_archive(f);
        struct cu_error *err = NULL;
        char **loaded = NULL;
        struct load_opts lo = { .index = -1, .one = true };
        assert_true(archive_load_from(o.s, IMAGE_SOURCE_OCI_ARCHIVE, fd, &lo, &loaded, NULL, &err) < 0);
        assert_non_null(strstr(cu_error_msg(err), "index.json"));
        cu_error_free(err);
        close(fd);
        assert_int_equal(n_images(o.db), 0);
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/tmp", o.root);
        DIR *d = opendir(path);
        size_t n = 0;
        for (struct dirent *de; d && (de = readdir(d));)
                n += de->d_name[0] != '.';
        if (d)
                closedir(d);
        assert_int_equal(n, 0);
        test_store_close(&o);
}

/* A layout directory is read, never changed: its blobs are copied, not linked away. */
static void test_directory_untouched(void **state)
{
        struct two_images *f = *state;
        struct test_store o = { 0 };
        test_store_open(&o, f->dir, "b");
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/lay", f->dir);
        assert_int_equal(mkdir(path, 0755), 0);
        int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(dfd >= 0);
        struct save_item it = { f->id1, "v1" };
        struct cu_error *err = NULL;
        if (archive_save_dir(f->t.s, dfd, ARCHIVE_OCI_DIR, &it, 1, &err) < 0)
                fail_msg("save: %s", cu_error_msg(err));
        char **loaded = NULL, **ids = NULL;
        struct load_opts lo = { .index = -1, .one = true, .ref = "v1" };
        if (archive_load_from(o.s, IMAGE_SOURCE_OCI_DIR, dfd, &lo, &loaded, &ids, &err) < 0)
                fail_msg("load: %s", cu_error_msg(err));
        assert_string_equal(loaded[0], "localhost/v1:latest");
        assert_string_equal(ids[0], f->id1);
        strv_free(loaded);
        strv_free(ids);
        /* every blob file still has one link: nothing was linked into the store */
        snprintf(path, sizeof(path), "%s/lay/blobs/sha256", f->dir);
        DIR *d = opendir(path);
        assert_non_null(d);
        size_t n = 0;
        for (struct dirent *de; (de = readdir(d));) {
                if (de->d_name[0] == '.')
                        continue;
                struct stat st;
                assert_int_equal(fstatat(dirfd(d), de->d_name, &st, 0), 0);
                assert_int_equal(st.st_nlink, 1);
                n++;
        }
        closedir(d);
        assert_int_equal(n, 3); /* config, layer, manifest */
        close(dfd);
        test_store_close(&o);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_select_docker, two_images_setup, two_images_teardown),
                cmocka_unit_test_setup_teardown(test_names_and_progress, two_images_setup, two_images_teardown),
                cmocka_unit_test_setup_teardown(test_wrong_kind, two_images_setup, two_images_teardown),
                cmocka_unit_test_setup_teardown(test_directory_untouched, two_images_setup, two_images_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
