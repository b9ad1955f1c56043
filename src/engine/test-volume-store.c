/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Named volumes over a real store in a temporary root: create (options, labels, names),
 * lookup, users, filters, remove (in use / forced), export → import round trip. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/internal.h"
#include "storage/images.h"
#include "storage/store.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/strv.h"

static char tmpdir[256];
static struct db *db;
static struct store *st;
static struct engine eng;

static int setup(void **state)
{
        (void) state;
        char p[PATH_MAX], root[PATH_MAX], run[PATH_MAX];
        snprintf(tmpdir, sizeof tmpdir, "/tmp/cuttle-test-vstore-XXXXXX");
        if (!mkdtemp(tmpdir))
                return -1;
        snprintf(p, sizeof p, "%s/db.sqlite", tmpdir);
        snprintf(root, sizeof root, "%s/root", tmpdir);
        snprintf(run, sizeof run, "%s/run", tmpdir);
        _cleanup_error_ struct cu_error *err = NULL;
        struct store_opts so = { .root = root, .runroot = run, .driver = "vfs" };
        if (db_open(p, &db, &err) < 0 || images_db_init(db, &err) < 0 || ctr_db_init(db, &err) < 0 ||
            store_open(&so, db, &st, &err) < 0) {
                fprintf(stderr, "%s\n", cu_error_msg(err));
                return -1;
        }
        eng = (struct engine){ .db = db, .store = st, .root = st->root, .runroot = st->runroot };
        return 0;
}

static int teardown(void **state)
{
        (void) state;
        st = store_free(st);
        db = db_close(db);
        return rm_rf(tmpdir) < 0 ? -1 : 0;
}

static void test_create(void **state)
{
        (void) state;
        _cleanup_error_ struct cu_error *err = NULL;
        char *labels[] = { (char *) "a=b", (char *) "c", NULL };
        char *opts[] = { (char *) "UID=1234", (char *) "gid=5678", (char *) "nocopy", NULL };
        struct engine_volume_create_opts o = { .name = "v1", .labels = labels, .options = opts };
        _cleanup_vol_record_ struct vol_record *v = NULL;
        assert_int_equal(engine_volume_create(&eng, &o, &v, &err), 0);
        assert_string_equal(v->name, "v1");
        char want[PATH_MAX];
        snprintf(want, sizeof want, "%s/root/volumes/v1/_data", tmpdir);
        assert_string_equal(v->mountpoint, want);
        struct stat sb;
        assert_int_equal(stat(want, &sb), 0);
        assert_int_equal(sb.st_uid, 1234);
        assert_int_equal(sb.st_gid, 5678);
        assert_false(v->needs_copy_up);
        assert_false(v->needs_chown);
        json_t *j = engine_volume_json(&eng, v);
        assert_string_equal(json_string_value(json_object_get(json_object_get(j, "Labels"), "a")), "b");
        assert_string_equal(json_string_value(json_object_get(json_object_get(j, "Options"), "UID")), "1234");
        assert_string_equal(json_string_value(json_object_get(j, "Scope")), "local");
        json_decref(j);

        struct vol_record *w = NULL;
        assert_int_equal(engine_volume_create(&eng, &o, &w, &err), -EEXIST);
        cu_error_clear(&err);
        o.ignore = true;
        assert_int_equal(engine_volume_create(&eng, &o, &w, &err), 0);
        vol_record_free(w);

        char *bad[] = { (char *) "foo=bar", NULL };
        struct engine_volume_create_opts b = { .name = "v2", .options = bad };
        assert_int_equal(engine_volume_create(&eng, &b, &w, &err), -EINVAL);
        assert_string_equal(cu_error_msg(err), "invalid mount option foo for driver 'local': invalid argument");
        cu_error_clear(&err);
        struct engine_volume_create_opts bn = { .name = "b@d" };
        assert_int_equal(engine_volume_create(&eng, &bn, &w, &err), -EINVAL);
        cu_error_clear(&err);
        struct engine_volume_create_opts bd = { .name = "v3", .driver = "nfs" };
        assert_true(engine_volume_create(&eng, &bd, &w, &err) < 0);
        cu_error_clear(&err);
        /* nothing of the failed ones was made */
        snprintf(want, sizeof want, "%s/root/volumes/v2", tmpdir);
        assert_int_equal(access(want, F_OK), -1);

        struct engine_volume_create_opts anon = { .anonymous = true };
        assert_int_equal(engine_volume_create(&eng, &anon, &w, &err), 0);
        assert_int_equal(strlen(w->name), 64);
        assert_true(w->anonymous);
        assert_true(w->needs_copy_up);
        vol_record_free(w);
}

static void test_filters(void **state)
{
        (void) state;
        _cleanup_error_ struct cu_error *err = NULL;
        char *labels[] = { (char *) "env=prod", NULL };
        struct engine_volume_create_opts o = { .name = "web-data", .labels = labels };
        _cleanup_vol_record_ struct vol_record *v = NULL;
        assert_int_equal(engine_volume_create(&eng, &o, &v, &err), 0);
        char *f1[] = { (char *) "name=web", (char *) "label=env=prod", (char *) "driver=local", NULL };
        assert_int_equal(engine_volume_filter(&eng, v, f1, &err), 1);
        char *f2[] = { (char *) "label=env=dev", NULL };
        assert_int_equal(engine_volume_filter(&eng, v, f2, &err), 0);
        char *f3[] = { (char *) "label!=env", NULL };
        assert_int_equal(engine_volume_filter(&eng, v, f3, &err), 0);
        char *f4[] = { (char *) "dangling=true", NULL };
        assert_int_equal(engine_volume_filter(&eng, v, f4, &err), 1);
        char *f5[] = { (char *) "bogus=1", NULL };
        assert_int_equal(engine_volume_filter(&eng, v, f5, &err), -EINVAL);
        assert_string_equal(cu_error_msg(err), "invalid filter \"bogus=1\"");
}

/* A container record whose config mounts volume name. */
static void add_user(const char *name, char id_out[CTR_ID_LEN + 1])
{
        _cleanup_error_ struct cu_error *err = NULL;
        assert_int_equal(ctr_id_generate(id_out), 0);
        _cleanup_json_ json_t *c = json_pack("{s:[{s:s, s:s, s:s}]}", "Mounts", "Type", "volume", "Name",
                                             name, "Destination", "/d");
        _cleanup_free_ char *text = json_dumps(c, JSON_COMPACT);
        struct ctr_record r = { .name = (char *) "holder", .state = CTR_STATE_CREATED, .config = text };
        memcpy(r.id, id_out, sizeof r.id);
        assert_int_equal(ctr_add(db, &r, &err), 0);
}

static void test_remove_in_use(void **state)
{
        (void) state;
        _cleanup_error_ struct cu_error *err = NULL;
        struct engine_volume_create_opts o = { .name = "used" };
        assert_int_equal(engine_volume_create(&eng, &o, NULL, &err), 0);
        char id[CTR_ID_LEN + 1];
        add_user("used", id);
        _cleanup_strv_ char **users = NULL;
        assert_int_equal(engine_volume_users(&eng, "used", &users, &err), 0);
        assert_int_equal(strv_length(users), 1);
        assert_string_equal(users[0], id);
        assert_int_equal(engine_volume_remove(&eng, "used", false, 0, &err), -EBUSY);
        char msg[512];
        snprintf(msg, sizeof msg, "volume used is being used by the following container(s): %s: volume is being used", id);
        assert_string_equal(cu_error_msg(err), msg);
        cu_error_clear(&err);
        assert_int_equal(engine_volume_remove(&eng, "nosuch", false, 0, &err), -ENOENT);
        cu_error_clear(&err);
        /* removed by prefix as well */
        struct engine_volume_create_opts o2 = { .name = "free-one" };
        assert_int_equal(engine_volume_create(&eng, &o2, NULL, &err), 0);
        assert_int_equal(engine_volume_remove(&eng, "free", false, 0, &err), 0);
        struct vol_record *v = NULL;
        assert_int_equal(engine_volume_get(&eng, "free-one", &v, &err), -ENOENT);
}

static void test_export_import(void **state)
{
        (void) state;
        _cleanup_error_ struct cu_error *err = NULL;
        struct engine_volume_create_opts a = { .name = "src" }, b = { .name = "dst" };
        _cleanup_vol_record_ struct vol_record *va = NULL, *vb = NULL;
        assert_int_equal(engine_volume_create(&eng, &a, &va, &err), 0);
        assert_int_equal(engine_volume_create(&eng, &b, &vb, &err), 0);
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/sub", va->mountpoint);
        assert_int_equal(mkdir(p, 0750), 0);
        snprintf(p, sizeof p, "%s/sub/file", va->mountpoint);
        assert_int_equal(write_file_atomic(p, "hello", 5, 0644, &err), 0);
        snprintf(p, sizeof p, "%s/ex.tar", tmpdir);
        int fd = open(p, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(engine_volume_export(&eng, "src", fd, &err), 0);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        assert_int_equal(engine_volume_import(&eng, "dst", fd, &err), 0);
        close(fd);
        _cleanup_free_ char *text = NULL;
        snprintf(p, sizeof p, "%s/sub/file", vb->mountpoint);
        assert_int_equal(read_full_file(p, &text, NULL, NULL), 0);
        assert_string_equal(text, "hello");
        /* a bad archive: error, and the volume keeps what it had */
        snprintf(p, sizeof p, "%s/bad.tar", tmpdir);
        char junk[2048];
        memset(junk, 'x', sizeof junk);
        fd = open(p, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_int_equal(write(fd, junk, sizeof junk), (ssize_t) sizeof junk);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        assert_true(engine_volume_import(&eng, "dst", fd, &err) < 0);
        cu_error_clear(&err);
        close(fd);
        snprintf(p, sizeof p, "%s/sub/file", vb->mountpoint);
        assert_int_equal(access(p, F_OK), 0);
        snprintf(p, sizeof p, "%s/root/volumes/dst/_import", tmpdir);
        assert_int_equal(access(p, F_OK), -1);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_create, setup, teardown),
                cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
                cmocka_unit_test_setup_teardown(test_remove_in_use, setup, teardown),
                cmocka_unit_test_setup_teardown(test_export_import, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
