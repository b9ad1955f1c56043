/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The store end to end (as root or not): import, names, lookup, delete and
 * garbage, save/load round trips, concurrent loads, hostile archives. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <dirent.h>
#include <limits.h>
#include <cmocka.h>

#include "state/db.h"
#include "storage/image-archive.h"
#include "storage/images.h"
#include "storage/rootfs.h"
#include "storage/store.h"
#include "util/fileio.h"
#include "util/strv.h"

struct fix {
        char dir[64];
        char *root, *runroot;
        struct db *db;
        struct store *s;
};

static int open_store(struct fix *f, const char *driver)
{
        struct cu_error *err = NULL;
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/cuttle.db", f->root);
        mkdir_p(f->root, 0700);
        if (db_open(path, &f->db, &err) < 0)
                fail_msg("db_open: %s", cu_error_msg(err));
        struct store_opts o = { .root = f->root, .runroot = f->runroot, .driver = driver };
        if (store_open(&o, f->db, &f->s, &err) < 0)
                fail_msg("store_open: %s", cu_error_msg(err));
        return 0;
}

static int setup(void **state)
{
        struct fix *f = calloc(1, sizeof(*f));
        snprintf(f->dir, sizeof(f->dir), "/tmp/cuttle-store-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        assert_true(asprintf(&f->root, "%s/root", f->dir) > 0);
        assert_true(asprintf(&f->runroot, "%s/run", f->dir) > 0);
        open_store(f, "vfs");
        *state = f;
        return 0;
}

static int teardown(void **state)
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

/* A tiny tar with one file (ustar, hand-made). */
static int make_tar(const char *path, const char *name, const char *content)
{
        char hdr[512] = { 0 };
        size_t len = strlen(content);
        snprintf(hdr, 100, "%s", name);
        char num[32];
        snprintf(num, sizeof(num), "%07o", 0644);
        memcpy(hdr + 100, num, 8);
        memcpy(hdr + 108, "0000000", 8);
        memcpy(hdr + 116, "0000000", 8);
        snprintf(num, sizeof(num), "%011lo", (unsigned long) len);
        memcpy(hdr + 124, num, 12);
        snprintf(num, sizeof(num), "%011o", 1700000000);
        memcpy(hdr + 136, num, 12);
        hdr[156] = '0';
        memcpy(hdr + 257, "ustar", 6);
        memcpy(hdr + 263, "00", 2);
        memset(hdr + 148, ' ', 8);
        unsigned sum = 0;
        for (int i = 0; i < 512; i++)
                sum += (unsigned char) hdr[i];
        snprintf(num, sizeof(num), "%06o", sum);
        memcpy(hdr + 148, num, 7);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        char pad[512] = { 0 };
        write_all(fd, hdr, 512);
        write_all(fd, content, len);
        write_all(fd, pad, (512 - len % 512) % 512);
        write_all(fd, pad, 512);
        write_all(fd, pad, 512);
        close(fd);
        return 0;
}

static void do_import(struct fix *f, const char *name, const char *file, const char *content, char id[65])
{
        char tar[PATH_MAX];
        snprintf(tar, sizeof(tar), "%s/in.tar", f->dir);
        assert_int_equal(make_tar(tar, file, content), 0);
        int fd = open(tar, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        struct cu_error *err = NULL;
        const char *changes[] = { "CMD [\"/bin/sh\"]", NULL };
        struct import_opts o = { .name = name, .changes = changes, .message = "m" };
        if (archive_import(f->s, fd, &o, id, &err) < 0)
                fail_msg("import: %s", cu_error_msg(err));
        close(fd);
}

static size_t count_entries(struct fix *f, const char *sub)
{
        char p[PATH_MAX];
        snprintf(p, sizeof(p), "%s/%s", f->root, sub);
        DIR *d = opendir(p);
        if (!d)
                return 0;
        size_t n = 0;
        struct dirent *de;
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        n++;
        closedir(d);
        return n;
}

static void test_import_lookup_delete(void **state)
{
        struct fix *f = *state;
        char id[65], id2[65];
        do_import(f, "localhost/a:latest", "hello", "world\n", id);
        do_import(f, "localhost/b:latest", "hello", "world\n", id2);
        struct image_rec *im = NULL;
        struct cu_error *err = NULL;
        assert_int_equal(image_lookup(f->db, "a", &im, &err), 0);
        assert_string_equal(im->id, id);
        assert_string_equal(im->names[0], "localhost/a:latest");
        assert_int_equal(strv_length(im->layers), 1);
        image_rec_free(im);
        char prefix[9];
        snprintf(prefix, sizeof(prefix), "%.8s", id);
        assert_int_equal(image_lookup(f->db, prefix, &im, NULL), 0);
        image_rec_free(im);
        assert_int_equal(image_lookup(f->db, "nope", &im, &err), -ENOENT);
        assert_string_equal(cu_error_msg(err), "nope: image not known");
        cu_error_clear(&err);
        /* two imports of the same content at different times: two images sharing one layer */
        assert_int_equal(count_entries(f, "layers/vfs"), 1);
        /* delete one: the layer stays for the other */
        char **layers = NULL, **blobs = NULL;
        assert_int_equal(db_begin(f->db, NULL), 0);
        assert_int_equal(image_delete(f->db, id, &layers, &blobs, &err), 0);
        assert_int_equal(db_commit(f->db, NULL), 0);
        assert_int_equal(strv_length(layers), 0);
        strv_free(layers);
        strv_free(blobs);
        layers = blobs = NULL;
        assert_int_equal(db_begin(f->db, NULL), 0);
        assert_int_equal(image_delete(f->db, id2, &layers, &blobs, &err), 0);
        assert_int_equal(db_commit(f->db, NULL), 0);
        assert_int_equal(strv_length(layers), 1);
        assert_true(strv_length(blobs) >= 3);
        strv_free(layers);
        strv_free(blobs);
}

static void test_save_load_roundtrip(void **state)
{
        struct fix *f = *state;
        char id[65];
        do_import(f, "localhost/rt:v1", "etc/x", "content\n", id);
        for (int fmt = 0; fmt < 2; fmt++) {
                char out[PATH_MAX];
                snprintf(out, sizeof(out), "%s/save-%d.tar", f->dir, fmt);
                int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
                struct save_item it = { .id = id, .name = "localhost/rt:v1" };
                struct cu_error *err = NULL;
                if (archive_save(f->s, fd, fmt ? ARCHIVE_OCI : ARCHIVE_DOCKER, &it, 1, &err) < 0)
                        fail_msg("save: %s", cu_error_msg(err));
                close(fd);
                /* load into a second store */
                struct fix g = { 0 };
                snprintf(g.dir, sizeof(g.dir), "%s", f->dir);
                assert_true(asprintf(&g.root, "%s/root2-%d", f->dir, fmt) > 0);
                assert_true(asprintf(&g.runroot, "%s/run2-%d", f->dir, fmt) > 0);
                open_store(&g, "vfs");
                fd = open(out, O_RDONLY | O_CLOEXEC);
                char **loaded = NULL;
                if (archive_load(g.s, fd, &loaded, &err) < 0)
                        fail_msg("load: %s", cu_error_msg(err));
                close(fd);
                assert_string_equal(loaded[0], "localhost/rt:v1");
                strv_free(loaded);
                struct image_rec *im = NULL;
                assert_int_equal(image_lookup(g.db, "rt:v1", &im, NULL), 0);
                assert_string_equal(im->id, id);
                image_rec_free(im);
                store_free(g.s);
                db_close(g.db);
                free(g.root);
                free(g.runroot);
        }
}

static void test_load_garbage(void **state)
{
        struct fix *f = *state;
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/garbage", f->dir);
        assert_int_equal(write_file_atomic(path, "not a tar at all, really not", 28, 0600, NULL), 0);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        char **loaded = NULL;
        struct cu_error *err = NULL;
        assert_true(archive_load(f->s, fd, &loaded, &err) < 0);
        assert_non_null(strstr(cu_error_msg(err), "payload does not match"));
        cu_error_free(err);
        close(fd);
        assert_int_equal(count_entries(f, "tmp"), 0);
        assert_int_equal(count_entries(f, "blobs/sha256"), 0);
}

static void test_concurrent_imports(void **state)
{
        struct fix *f = *state;
        char tar[PATH_MAX];
        snprintf(tar, sizeof(tar), "%s/c.tar", f->dir);
        assert_int_equal(make_tar(tar, "same", "same\n"), 0);
        /* SQLite's per-process lock bookkeeping: no connection may cross fork() */
        f->s = store_free(f->s);
        f->db = db_close(f->db);
        pid_t pids[6];
        for (int i = 0; i < 6; i++) {
                pids[i] = fork();
                if (pids[i] == 0) {
                        struct fix c = { 0 };
                        c.root = f->root;
                        c.runroot = f->runroot;
                        open_store(&c, NULL);
                        int fd = open(tar, O_RDONLY | O_CLOEXEC);
                        char id[65];
                        struct import_opts o = { .name = "localhost/c:latest" };
                        struct cu_error *e = NULL;
                        if (archive_import(c.s, fd, &o, id, &e) < 0) {
                                fprintf(stderr, "import: %s\n", cu_error_msg(e));
                                _exit(1);
                        }
                        _exit(0);
                }
        }
        for (int i = 0; i < 6; i++) {
                int st = 0;
                waitpid(pids[i], &st, 0);
                assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        }
        open_store(f, NULL);
        assert_int_equal(count_entries(f, "layers/vfs"), 1);
        assert_int_equal(count_entries(f, "tmp"), 0);
        struct image_rec **v = NULL;
        size_t n = 0;
        assert_int_equal(images_list(f->db, &v, &n, NULL), 0);
        size_t named = 0;
        for (size_t i = 0; i < n; i++)
                named += strv_length(v[i]->names);
        assert_int_equal(named, 1);
        image_recs_free(v, n);
}

static void test_rootfs_vfs(void **state)
{
        struct fix *f = *state;
        char id[65];
        do_import(f, "localhost/r:latest", "etc/hello", "hi\n", id);
        struct image_rec *im = NULL;
        assert_int_equal(image_get(f->db, id, &im, NULL), 0);
        struct cu_error *err = NULL;
        if (rootfs_create(f->s, "ctr1", im->layers, &err) < 0)
                fail_msg("rootfs_create: %s", cu_error_msg(err));
        char *path = NULL;
        assert_int_equal(rootfs_mount(f->s, "ctr1", &path, &err), 0);
        char file[PATH_MAX], *data = NULL;
        snprintf(file, sizeof(file), "%s/etc/hello", path);
        assert_int_equal(read_full_file(file, &data, NULL, NULL), 0);
        assert_string_equal(data, "hi\n");
        free(data);
        free(path);
        assert_int_equal(rootfs_delete(f->s, "ctr1", &err), 0);
        assert_int_equal(count_entries(f, "containers"), 0);
        image_rec_free(im);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_import_lookup_delete, setup, teardown),
                cmocka_unit_test_setup_teardown(test_save_load_roundtrip, setup, teardown),
                cmocka_unit_test_setup_teardown(test_load_garbage, setup, teardown),
                cmocka_unit_test_setup_teardown(test_concurrent_imports, setup, teardown),
                cmocka_unit_test_setup_teardown(test_rootfs_vfs, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
