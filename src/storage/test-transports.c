/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Transport names (containers-transports(5), image_default_transport) and
 * push → pull round trips through docker-archive, oci-archive, oci: and dir:
 * between two stores, with the failure cases that must leave nothing behind. */
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
#include "storage/transports.h"
#include "util/fileio.h"
#include "util/strv.h"

#include "test-store-fixture.h"

/* ---- names ---- */

static void parse_ok(const char *name, const char *def, enum transport t, const char *path, const char *ref,
                     int index)
{
        struct transport_ref r = { 0 };
        struct cu_error *err = NULL;
        if (transport_ref_parse(name, def, &r, &err) < 0)
                fail_msg("%s: %s", name, cu_error_msg(err));
        assert_int_equal(r.transport, t);
        assert_string_equal(r.path, path);
        if (ref)
                assert_string_equal(r.ref, ref);
        else
                assert_null(r.ref);
        assert_int_equal(r.index, index);
        transport_ref_done(&r);
}

static void parse_fails(const char *name, const char *def, const char *msg)
{
        struct transport_ref r = { 0 };
        struct cu_error *err = NULL;
        assert_true(transport_ref_parse(name, def, &r, &err) < 0);
        if (!strstr(cu_error_msg(err), msg))
                fail_msg("%s: \"%s\" lacks \"%s\"", name, cu_error_msg(err), msg);
        cu_error_free(err);
}

static void test_parse(void **state)
{
        (void) state;
        parse_ok("docker://quay.io/a/b:1", NULL, TRANSPORT_DOCKER, "quay.io/a/b:1", NULL, -1);
        parse_ok("busybox", NULL, TRANSPORT_DOCKER, "busybox", NULL, -1);
        parse_ok("bb:1", "", TRANSPORT_DOCKER, "bb:1", NULL, -1);
        parse_ok("localhost:5000/x:y", "docker://", TRANSPORT_DOCKER, "localhost:5000/x:y", NULL, -1);
        /* "docker:" without "//" is an image named docker, as in podman */
        parse_ok("docker:latest", NULL, TRANSPORT_DOCKER, "docker:latest", NULL, -1);
        parse_ok("docker-archive:/tmp/x.tar", NULL, TRANSPORT_DOCKER_ARCHIVE, "/tmp/x.tar", NULL, -1);
        parse_ok("docker-archive:/tmp/x.tar:my/name:tag", NULL, TRANSPORT_DOCKER_ARCHIVE, "/tmp/x.tar",
                 "my/name:tag", -1);
        parse_ok("docker-archive:/tmp/x.tar:@2", NULL, TRANSPORT_DOCKER_ARCHIVE, "/tmp/x.tar", NULL, 2);
        parse_ok("oci-archive:/tmp/o.tar:ref1", NULL, TRANSPORT_OCI_ARCHIVE, "/tmp/o.tar", "ref1", -1);
        parse_ok("oci:/tmp/lay", NULL, TRANSPORT_OCI, "/tmp/lay", NULL, -1);
        parse_ok("oci:/tmp/lay:", NULL, TRANSPORT_OCI, "/tmp/lay", NULL, -1);
        parse_ok("oci:/tmp/lay:v1.0", NULL, TRANSPORT_OCI, "/tmp/lay", "v1.0", -1);
        parse_ok("dir:/tmp/d:with:colons", NULL, TRANSPORT_DIR, "/tmp/d:with:colons", NULL, -1);
        parse_ok("containers-storage:bb:1", NULL, TRANSPORT_CONTAINERS_STORAGE, "bb:1", NULL, -1);
        /* image_default_transport applies to names without a transport */
        parse_ok("/tmp/x.tar", "oci-archive:", TRANSPORT_OCI_ARCHIVE, "/tmp/x.tar", NULL, -1);
        parse_ok("/tmp/x.tar:r", "oci-archive:", TRANSPORT_OCI_ARCHIVE, "/tmp/x.tar", "r", -1);
        parse_ok("/tmp/lay", "oci:", TRANSPORT_OCI, "/tmp/lay", NULL, -1);
        parse_ok("/tmp/d.tar", "docker-archive:", TRANSPORT_DOCKER_ARCHIVE, "/tmp/d.tar", NULL, -1);
        parse_ok("dir:/x", "oci-archive:", TRANSPORT_DIR, "/x", NULL, -1);
        parse_ok("busybox", "docker://", TRANSPORT_DOCKER, "busybox", NULL, -1);
        parse_fails("/tmp/x", "bogus", "invalid image_default_transport \"bogus\"");
        parse_fails("/tmp/x", "nope:", "invalid image_default_transport");
        parse_fails("oci-archive:", NULL, "needs a path");
        parse_fails("docker-archive::a:b", NULL, "needs a path");
        parse_fails("docker://", NULL, "needs a reference");
        parse_fails("docker-archive:/x.tar:@x", NULL, "Invalid source index @x");
        parse_fails("docker-archive:/x.tar:@-1", NULL, "Invalid source index");
        parse_fails("docker-archive:/x.tar:a@sha256:0123456789012345678901234567890123456789012345678901234567890123",
                    NULL, "digest references");
        parse_fails("docker-archive:/x.tar:UPPER:x", NULL, "docker-archive reference");
}

static void test_names(void **state)
{
        (void) state;
        for (int i = 0; i < _TRANSPORT_MAX; i++)
                assert_int_equal(transport_from_string(transport_to_string((enum transport) i)), i);
        assert_int_equal(transport_from_string("nope"), _TRANSPORT_INVALID);
        assert_null(transport_to_string(_TRANSPORT_MAX));
        const struct {
                struct transport_ref r;
                const char *s;
        } cases[] = {
                { { TRANSPORT_DOCKER, (char *) "a/b:1", NULL, -1 }, "docker://a/b:1" },
                { { TRANSPORT_OCI, (char *) "/l", (char *) "v1", -1 }, "oci:/l:v1" },
                { { TRANSPORT_DOCKER_ARCHIVE, (char *) "/x.tar", NULL, 3 }, "docker-archive:/x.tar:@3" },
                { { TRANSPORT_DIR, (char *) "/d", NULL, -1 }, "dir:/d" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *s = transport_ref_string(&cases[i].r);
                assert_string_equal(s, cases[i].s);
        }
}

/* ---- round trips ---- */

struct fix {
        char dir[64];
        struct test_store a, b; /* a: images are made here; b: pulled into */
        char id[65];
};

static int setup(void **state)
{
        struct fix *f = calloc(1, sizeof(*f));
        assert_non_null(f);
        snprintf(f->dir, sizeof(f->dir), "/tmp/cuttle-transports-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        test_store_open(&f->a, f->dir, "a");
        test_store_open(&f->b, f->dir, "b");
        test_store_import(&f->a, f->dir, "localhost/bb:1", "etc/hello", "hello\n", f->id);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fix *f = *state;
        test_store_close(&f->a);
        test_store_close(&f->b);
        rm_rf(f->dir);
        free(f);
        return 0;
}

static size_t count_entries(const char *dir)
{
        DIR *d = opendir(dir);
        if (!d)
                return 0;
        size_t n = 0;
        for (struct dirent *de; (de = readdir(d));)
                n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
        closedir(d);
        return n;
}

static void push(struct fix *f, const char *dest, const char *src_name)
{
        struct transport_ref r = { 0 };
        struct cu_error *err = NULL;
        assert_int_equal(transport_ref_parse(dest, NULL, &r, &err), 0);
        if (transport_push(f->a.s, f->id, src_name, &r, NULL, &err) < 0)
                fail_msg("push %s: %s", dest, cu_error_msg(err));
        transport_ref_done(&r);
}

/* Pulls into store b; returns the number of IDs printed (each must be f->id), or -errno. */
static int pull(struct fix *f, const char *src, char **ret_msg)
{
        struct transport_ref r = { 0 };
        struct cu_error *err = NULL;
        int q = transport_ref_parse(src, NULL, &r, &err);
        char **ids = NULL;
        if (q >= 0)
                q = transport_pull(f->b.s, &r, NULL, &ids, &err);
        transport_ref_done(&r);
        if (q < 0) {
                if (ret_msg)
                        *ret_msg = strdup(cu_error_msg(err));
                cu_error_free(err);
                return q;
        }
        int n = (int) strv_length(ids);
        for (int i = 0; i < n; i++)
                assert_string_equal(ids[i], f->id);
        strv_free(ids);
        return n;
}

static void assert_b_has(struct fix *f, const char *name)
{
        struct image_rec *im = NULL;
        struct cu_error *err = NULL;
        if (image_lookup(f->b.db, name, &im, &err) < 0)
                fail_msg("%s: %s", name, cu_error_msg(err));
        assert_string_equal(im->id, f->id);
        image_rec_free(im);
}

static size_t b_images(struct fix *f)
{
        struct image_rec **v = NULL;
        size_t n = 0;
        assert_int_equal(images_list(f->b.db, &v, &n, NULL), 0);
        image_recs_free(v, n);
        return n;
}

static void test_docker_archive(void **state)
{
        struct fix *f = *state;
        char dest[PATH_MAX + 64], *msg = NULL;
        snprintf(dest, sizeof(dest), "docker-archive:%s/d.tar:my/name:t2", f->dir);
        push(f, dest, "localhost/bb:1");
        /* both names recorded: a pull without a reference stores both */
        snprintf(dest, sizeof(dest), "docker-archive:%s/d.tar", f->dir);
        assert_int_equal(pull(f, dest, NULL), 2);
        assert_b_has(f, "docker.io/my/name:t2");
        assert_b_has(f, "localhost/bb:1");
        /* a reference picks one tag; @0 the first image; others fail */
        snprintf(dest, sizeof(dest), "docker-archive:%s/d.tar:my/name:t2", f->dir);
        assert_int_equal(pull(f, dest, NULL), 1);
        snprintf(dest, sizeof(dest), "docker-archive:%s/d.tar:@0", f->dir);
        assert_int_equal(pull(f, dest, NULL), 2);
        snprintf(dest, sizeof(dest), "docker-archive:%s/d.tar:@1", f->dir);
        assert_true(pull(f, dest, &msg) < 0);
        assert_string_equal(msg, "Invalid source index @1, only 1 manifest items available");
        free(msg);
        snprintf(dest, sizeof(dest), "docker-archive:%s/d.tar:other:tag", f->dir);
        assert_true(pull(f, dest, &msg) < 0);
        assert_string_equal(msg, "Tag \"docker.io/library/other:tag\" not found");
        free(msg);
        /* an existing archive is not modified */
        struct transport_ref r = { 0 };
        struct cu_error *err = NULL;
        snprintf(dest, sizeof(dest), "docker-archive:%s/d.tar", f->dir);
        assert_int_equal(transport_ref_parse(dest, NULL, &r, &err), 0);
        assert_true(transport_push(f->a.s, f->id, NULL, &r, NULL, &err) < 0);
        assert_non_null(strstr(cu_error_msg(err), "doesn't support modifying existing images"));
        cu_error_free(err);
        transport_ref_done(&r);
}

static void test_oci_layout(void **state)
{
        struct fix *f = *state;
        char dest[PATH_MAX + 64], *msg = NULL;
        snprintf(dest, sizeof(dest), "oci:%s/lay:v1", f->dir);
        push(f, dest, "localhost/bb:1");
        snprintf(dest, sizeof(dest), "oci:%s/lay:v2", f->dir);
        push(f, dest, "localhost/bb:1");
        snprintf(dest, sizeof(dest), "oci:%s/lay:v1", f->dir); /* replaces the v1 entry */
        push(f, dest, "localhost/bb:1");
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/lay/index.json", f->dir);
        _cleanup_free_ char *index = NULL;
        assert_int_equal(read_full_file(path, &index, NULL, NULL), 0);
        assert_non_null(strstr(index, "\"org.opencontainers.image.ref.name\":\"v1\""));
        assert_non_null(strstr(index, "\"org.opencontainers.image.ref.name\":\"v2\""));
        assert_null(strstr(strstr(index, "\"v1\"") + 1, "\"v1\""));
        assert_non_null(strstr(index, "application/vnd.oci.image.manifest.v1+json"));
        /* two entries: a ref is needed; the image is named after the path */
        snprintf(dest, sizeof(dest), "oci:%s/lay", f->dir);
        assert_true(pull(f, dest, &msg) < 0);
        assert_string_equal(msg, "more than one image in oci, choose an image");
        free(msg);
        snprintf(dest, sizeof(dest), "oci:%s/lay:v3", f->dir);
        assert_true(pull(f, dest, &msg) < 0);
        assert_string_equal(msg, "no descriptor found for reference \"v3\"");
        free(msg);
        assert_int_equal(b_images(f), 0);
        /* mkdtemp's upper-case letters make no valid image name: stored without one */
        snprintf(dest, sizeof(dest), "oci:%s/lay:v2", f->dir);
        assert_int_equal(pull(f, dest, NULL), 1);
        assert_int_equal(b_images(f), 1);
        struct image_rec *im = NULL;
        assert_int_equal(image_get(f->b.db, f->id, &im, NULL), 0);
        assert_null(im->names);
        image_rec_free(im);
        char cwd[PATH_MAX];
        assert_non_null(getcwd(cwd, sizeof(cwd)));
        assert_int_equal(chdir(f->dir), 0);
        int n = pull(f, "oci:lay:v2", NULL);
        assert_int_equal(chdir(cwd), 0);
        assert_int_equal(n, 1);
        assert_b_has(f, "localhost/lay:latest");
        /* a directory without index.json */
        snprintf(dest, sizeof(dest), "oci:%s", f->dir);
        assert_true(pull(f, dest, &msg) < 0);
        char want[PATH_MAX * 2 + 128];
        snprintf(want, sizeof(want), "initializing source oci:%s:: open %s/index.json: no such file or directory",
                 f->dir, f->dir);
        assert_string_equal(msg, want);
        free(msg);
}

static void test_oci_archive_and_dir(void **state)
{
        struct fix *f = *state;
        char dest[PATH_MAX + 64], *msg = NULL;
        snprintf(dest, sizeof(dest), "oci-archive:%s/o.tar:ref1", f->dir);
        push(f, dest, NULL);
        assert_int_equal(pull(f, dest, NULL), 1);
        assert_b_has(f, "localhost/ref1:latest");
        snprintf(dest, sizeof(dest), "oci-archive:%s/o.tar:ref2", f->dir);
        assert_true(pull(f, dest, &msg) < 0);
        assert_string_equal(msg, "no descriptor found for reference \"ref2\"");
        free(msg);
        snprintf(dest, sizeof(dest), "dir:%s/d", f->dir);
        push(f, dest, NULL);
        push(f, dest, NULL); /* replaces the previous dir: image */
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/d", f->dir);
        assert_int_equal(count_entries(path), 4); /* manifest.json, version, config, layer */
        assert_int_equal(pull(f, dest, NULL), 1);
        /* dir: refuses to replace a directory that is not one of its own */
        snprintf(dest, sizeof(dest), "dir:%s/a-root", f->dir);
        struct transport_ref r = { 0 };
        struct cu_error *err = NULL;
        assert_int_equal(transport_ref_parse(dest, NULL, &r, &err), 0);
        assert_true(transport_push(f->a.s, f->id, NULL, &r, NULL, &err) < 0);
        assert_non_null(strstr(cu_error_msg(err), "refusing to overwrite"));
        cu_error_free(err);
        transport_ref_done(&r);
        snprintf(path, sizeof(path), "%s/a-root/cuttle.db", f->dir);
        assert_int_equal(access(path, F_OK), 0);
}

/* A push that fails half way (a blob missing from the store) leaves no archive or
 * directory; a pull of a damaged layout stores nothing. */
static void test_failures_leave_nothing(void **state)
{
        struct fix *f = *state;
        char dest[PATH_MAX + 64], path[PATH_MAX], *msg = NULL;
        snprintf(dest, sizeof(dest), "oci:%s/good", f->dir);
        push(f, dest, NULL);
        /* damage a layer blob of the layout: the pull fails, store b stays empty */
        struct image_rec *im = NULL;
        assert_int_equal(image_get(f->a.db, f->id, &im, NULL), 0);
        char *ld = strstr(im->manifest, "\"layers\"");
        assert_non_null(ld);
        char *dg = strstr(ld, "sha256:");
        assert_non_null(dg);
        snprintf(path, sizeof(path), "%s/good/blobs/sha256/%.64s", f->dir, dg + 7);
        assert_int_equal(write_file_atomic(path, "garbage", 7, 0644, NULL), 0);
        assert_true(pull(f, dest, &msg) < 0);
        assert_non_null(strstr(msg, "digest mismatch"));
        free(msg);
        assert_int_equal(b_images(f), 0);
        snprintf(path, sizeof(path), "%s/tmp", f->b.root);
        assert_int_equal(count_entries(path), 0);
        /* remove that blob from store a: every push fails and leaves nothing */
        snprintf(path, sizeof(path), "%s/blobs/sha256/%.64s", f->a.root, dg + 7);
        image_rec_free(im);
        assert_int_equal(unlink(path), 0);
        const char *kinds[] = { "oci", "dir", "oci-archive", "docker-archive" };
        for (size_t i = 0; i < ELEMENTSOF(kinds); i++) {
                snprintf(dest, sizeof(dest), "%s:%s/new", kinds[i], f->dir);
                struct transport_ref r = { 0 };
                struct cu_error *err = NULL;
                assert_int_equal(transport_ref_parse(dest, NULL, &r, &err), 0);
                assert_true(transport_push(f->a.s, f->id, NULL, &r, NULL, &err) < 0);
                cu_error_free(err);
                transport_ref_done(&r);
                snprintf(path, sizeof(path), "%s/new", f->dir);
                if (access(path, F_OK) == 0)
                        fail_msg("%s left %s behind", kinds[i], path);
        }
        /* only what the test made: good/ and the two store roots */
        assert_int_equal(count_entries(f->dir), 3);
}

static void test_missing_sources(void **state)
{
        struct fix *f = *state;
        char src[PATH_MAX + 64], want[PATH_MAX * 3], *msg = NULL;
        snprintf(src, sizeof(src), "docker-archive:%s/nope.tar", f->dir);
        assert_int_equal(pull(f, src, &msg), -ENOENT);
        snprintf(want, sizeof(want), "opening file \"%s/nope.tar\": open %s/nope.tar: no such file or directory",
                 f->dir, f->dir);
        assert_string_equal(msg, want);
        free(msg);
        snprintf(src, sizeof(src), "dir:%s", f->dir);
        assert_int_equal(pull(f, src, &msg), -ENOENT);
        snprintf(want, sizeof(want), "open %s/manifest.json: no such file or directory", f->dir);
        assert_string_equal(msg, want);
        free(msg);
        assert_true(pull(f, "docker-daemon:bb:1", &msg) < 0);
        assert_non_null(strstr(msg, "not supported"));
        free(msg);
        assert_true(pull(f, "containers-storage:nope", &msg) < 0);
        assert_non_null(strstr(msg, "nope"));
        free(msg);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_names),
                cmocka_unit_test_setup_teardown(test_docker_archive, setup, teardown),
                cmocka_unit_test_setup_teardown(test_oci_layout, setup, teardown),
                cmocka_unit_test_setup_teardown(test_oci_archive_and_dir, setup, teardown),
                cmocka_unit_test_setup_teardown(test_failures_leave_nothing, setup, teardown),
                cmocka_unit_test_setup_teardown(test_missing_sources, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
