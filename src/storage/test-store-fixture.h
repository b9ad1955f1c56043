/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * For the storage unit tests (include after <cmocka.h>): a vfs store of its own in a temp
 * dir, and one-file images imported into it.  Every failure fails the test.
 */
#pragma once
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state/db.h"
#include "storage/image-archive.h"
#include "storage/store.h"
#include "storage/tar-write.h"
#include "util/fileio.h"

struct test_store {
        char *root, *runroot;
        struct db *db;
        struct store *s;
};

/* Opens a vfs store at DIR/NAME-root (run root DIR/NAME-run). */
static inline void test_store_open(struct test_store *t, const char *dir, const char *name)
{
        struct cu_error *err = NULL;
        char path[PATH_MAX];
        assert_true(asprintf(&t->root, "%s/%s-root", dir, name) > 0);
        assert_true(asprintf(&t->runroot, "%s/%s-run", dir, name) > 0);
        assert_int_equal(mkdir_p(t->root, 0700), 0);
        snprintf(path, sizeof(path), "%s/cuttle.db", t->root);
        if (db_open(path, &t->db, &err) < 0)
                fail_msg("db_open: %s", cu_error_msg(err));
        struct store_opts o = { .root = t->root, .runroot = t->runroot, .driver = "vfs" };
        if (store_open(&o, t->db, &t->s, &err) < 0)
                fail_msg("store_open: %s", cu_error_msg(err));
}

static inline void test_store_close(struct test_store *t)
{
        store_free(t->s);
        db_close(t->db);
        free(t->root);
        free(t->runroot);
        *t = (struct test_store){ 0 };
}

/* Imports a rootfs with one file (file, holding content) as the image NAME; tmpdir holds the
 * tar while it is made. */
static inline void test_store_import(struct test_store *t, const char *tmpdir, const char *name,
                                     const char *file, const char *content, char id[65])
{
        char path[PATH_MAX];
        struct cu_error *err = NULL;
        snprintf(path, sizeof(path), "%s/rootfs.tar", tmpdir);
        int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        struct tar_writer *w = tar_writer_new(fd, COMPRESSION_NONE, &err);
        assert_non_null(w);
        assert_int_equal(tar_write_buffer(w, file, content, strlen(content), 0644, 1700000000, &err), 0);
        assert_int_equal(tar_writer_finish(w, NULL, NULL, NULL, &err), 0);
        tar_writer_free(w);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        struct import_opts io = { .name = name };
        if (archive_import(t->s, fd, &io, id, &err) < 0)
                fail_msg("import: %s", cu_error_msg(err));
        close(fd);
        unlink(path);
}

/* The archive tests' fixture: a store in a temp dir with two one-file images,
 * localhost/one:1 (id1) and localhost/two:2 (id2). */
struct two_images {
        char dir[64];
        struct test_store t;
        char id1[65], id2[65];
};

static inline int two_images_setup(void **state)
{
        struct two_images *f = calloc(1, sizeof(*f));
        assert_non_null(f);
        snprintf(f->dir, sizeof(f->dir), "/tmp/cuttle-archive-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        test_store_open(&f->t, f->dir, "a");
        test_store_import(&f->t, f->dir, "localhost/one:1", "etc/file", "one\n", f->id1);
        test_store_import(&f->t, f->dir, "localhost/two:2", "etc/file", "two\n", f->id2);
        *state = f;
        return 0;
}

static inline int two_images_teardown(void **state)
{
        struct two_images *f = *state;
        test_store_close(&f->t);
        rm_rf(f->dir);
        free(f);
        return 0;
}
