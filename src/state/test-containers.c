/* SPDX-License-Identifier: GPL-2.0-or-later */
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
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "state/containers.h"
#include "util/fileio.h"

static char tmpdir[256];
static char dbpath[PATH_MAX];
static struct db *db;

static int setup(void **state)
{
        snprintf(tmpdir, sizeof(tmpdir), "/tmp/cuttle-test-ctr-XXXXXX");
        if (!mkdtemp(tmpdir))
                return -1;
        snprintf(dbpath, sizeof(dbpath), "%s/db.sqlite", tmpdir);
        _cleanup_error_ struct cu_error *err = NULL;
        if (db_open(dbpath, &db, &err) < 0 || ctr_db_init(db, &err) < 0) {
                fprintf(stderr, "%s\n", cu_error_msg(err));
                return -1;
        }
        return 0;
}

static int teardown(void **state)
{
        db = db_close(db);
        rm_rf(tmpdir);
        return 0;
}

/* A record with an ID made of prefix followed by a fixed filler. */
static struct ctr_record make(const char *id_prefix, const char *name, int64_t created)
{
        struct ctr_record r = {
                .name = (char *) name,
                .created = created,
                .state = CTR_STATE_CONFIGURED,
                .config = (char *) "{\"image\":\"busybox\"}",
        };
        if (id_prefix) {
                size_t n = strlen(id_prefix);
                memcpy(r.id, id_prefix, n);
                memset(r.id + n, '0', CTR_ID_LEN - n);
                r.id[CTR_ID_LEN] = '\0';
        } else
                assert_int_equal(ctr_id_generate(r.id), 0);
        return r;
}

static void add_ok(const struct ctr_record *r)
{
        _cleanup_error_ struct cu_error *err = NULL;
        if (ctr_add(db, r, &err) < 0)
                fail_msg("ctr_add %s: %s", r->name, cu_error_msg(err));
}

static void test_id_generate(void **state)
{
        char a[CTR_ID_LEN + 1], b[CTR_ID_LEN + 1];
        assert_int_equal(ctr_id_generate(a), 0);
        assert_int_equal(ctr_id_generate(b), 0);
        assert_int_equal(strlen(a), CTR_ID_LEN);
        assert_true(ctr_id_valid(a));
        assert_string_not_equal(a, b);
        for (int i = 0; i < 2000; i++) {
                assert_int_equal(ctr_id_generate(a), 0);
                assert_true(ctr_id_valid(a));
                assert_true(strspn(a, "0123456789") < 12);
        }
        assert_false(ctr_id_valid("abc"));
        assert_false(ctr_id_valid(NULL));
        memset(a, 'A', CTR_ID_LEN);
        assert_false(ctr_id_valid(a));

        assert_true(ctr_name_valid("web"));
        assert_true(ctr_name_valid("a_b.c-1"));
        assert_true(ctr_name_valid("9"));
        assert_false(ctr_name_valid("-web"));
        assert_false(ctr_name_valid("we b"));
        assert_false(ctr_name_valid("a/b"));
        assert_false(ctr_name_valid(""));
        assert_false(ctr_name_valid(NULL));

        for (int s = 0; s < _CTR_STATE_MAX; s++)
                assert_int_equal(ctr_state_from_string(ctr_state_to_string(s)), s);
        assert_string_equal(ctr_state_to_string(CTR_STATE_EXITED), "exited");
        assert_int_equal(ctr_state_from_string("bogus"), _CTR_STATE_INVALID);
        assert_null(ctr_state_to_string(_CTR_STATE_MAX));
}

static void test_add_get(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        struct ctr_record r = make(NULL, "web", 1000);
        r.image_id = (char *) "sha256:1234";
        r.image_name = (char *) "docker.io/library/busybox:latest";
        r.pod_id = NULL;
        r.extra = (char *) "{\"restarts\":0}";
        add_ok(&r);

        _cleanup_ctr_record_ struct ctr_record *g = NULL;
        assert_int_equal(ctr_get_by_id(db, r.id, &g, &err), 0);
        assert_string_equal(g->id, r.id);
        assert_string_equal(g->name, "web");
        assert_string_equal(g->image_id, "sha256:1234");
        assert_string_equal(g->image_name, "docker.io/library/busybox:latest");
        assert_null(g->pod_id);
        assert_int_equal(g->created, 1000);
        assert_int_equal(g->state, CTR_STATE_CONFIGURED);
        assert_int_equal(g->pid, 0);
        assert_false(g->has_exit_code);
        assert_int_equal(g->started_at, 0);
        assert_int_equal(g->finished_at, 0);
        assert_string_equal(g->config, "{\"image\":\"busybox\"}");
        assert_string_equal(g->extra, "{\"restarts\":0}");
        g = ctr_record_free(g);

        /* by name, by full id, by prefix */
        assert_int_equal(ctr_get(db, "web", &g, &err), 0);
        assert_string_equal(g->id, r.id);
        g = ctr_record_free(g);
        assert_int_equal(ctr_get(db, r.id, &g, &err), 0);
        assert_string_equal(g->name, "web");
        g = ctr_record_free(g);
        char prefix[13];
        memcpy(prefix, r.id, 12);
        prefix[12] = '\0';
        assert_int_equal(ctr_get(db, prefix, &g, &err), 0);
        assert_string_equal(g->name, "web");
        g = ctr_record_free(g);
        char id[CTR_ID_LEN + 1];
        prefix[3] = '\0';
        assert_int_equal(ctr_lookup_id(db, prefix, id, &err), 0);
        assert_string_equal(id, r.id);

        /* missing */
        assert_int_equal(ctr_get(db, "nothere", &g, &err), -ENOENT);
        assert_string_equal(cu_error_msg(err),
                            "no container with name or ID \"nothere\" found: no such container");
        cu_error_clear(&err);
        assert_null(g);
        assert_int_equal(ctr_get(db, "WEB", &g, &err), -ENOENT);
        cu_error_clear(&err);
        assert_int_equal(ctr_get(db, "", &g, &err), -EINVAL);
        cu_error_clear(&err);
        struct ctr_record other = make("ffff", "other", 1);
        assert_int_equal(ctr_get_by_id(db, other.id, &g, &err), -ENOENT);
        assert_string_equal(cu_error_msg(err), "no container with ID ffff000000000000000000000000"
                                               "000000000000000000000000000000000000 found in "
                                               "database: no such container");
}

static void test_add_errors(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        struct ctr_record a = make(NULL, "web", 1);
        add_ok(&a);

        /* podman's wording, with the holder's full ID */
        struct ctr_record b = make(NULL, "web", 2);
        assert_int_equal(ctr_add(db, &b, &err), -EEXIST);
        char want[512];
        snprintf(want, sizeof(want),
                 "the container name \"web\" is already in use by %s. You have to remove that "
                 "container to be able to reuse that name: that name is already in use",
                 a.id);
        assert_string_equal(cu_error_msg(err), want);
        cu_error_clear(&err);

        struct ctr_record c = make(NULL, "web2", 3);
        memcpy(c.id, a.id, sizeof(a.id));
        assert_int_equal(ctr_add(db, &c, &err), -EEXIST);
        assert_non_null(strstr(cu_error_msg(err), "already exists"));
        cu_error_clear(&err);

        struct ctr_record d = make(NULL, "bad name", 4);
        assert_int_equal(ctr_add(db, &d, &err), -EINVAL);
        cu_error_clear(&err);
        d = make(NULL, "ok", 4);
        d.id[0] = 'X';
        assert_int_equal(ctr_add(db, &d, &err), -EINVAL);
        cu_error_clear(&err);
        d = make(NULL, "ok", 4);
        d.config = NULL;
        assert_int_equal(ctr_add(db, &d, &err), -EINVAL);
        cu_error_clear(&err);
        d = make(NULL, "ok", 4);
        d.state = _CTR_STATE_MAX;
        assert_int_equal(ctr_add(db, &d, &err), -EINVAL);
        cu_error_clear(&err);

        /* Nothing half-written, no transaction left open. */
        assert_int_equal(db_in_transaction(db), 0);
        _cleanup_ctr_record_list_ struct ctr_record **v = NULL;
        size_t n = 99;
        assert_int_equal(ctr_list(db, &v, &n, &err), 0);
        assert_int_equal(n, 1);

        /* Inside the caller's transaction: joins it, and a conflict does not
         * spoil the rest of it. */
        assert_int_equal(db_begin(db, &err), 0);
        struct ctr_record e = make(NULL, "in-tx", 5);
        add_ok(&e);
        assert_int_equal(ctr_add(db, &b, &err), -EEXIST);
        cu_error_clear(&err);
        assert_int_equal(db_commit(db, &err), 0);
        _cleanup_ctr_record_ struct ctr_record *g = NULL;
        assert_int_equal(ctr_get(db, "in-tx", &g, &err), 0);
}

static void test_lookup_order(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        char id[CTR_ID_LEN + 1];

        struct ctr_record a = make("abc1", "first", 1);
        struct ctr_record b = make("abc2", "second", 2);
        add_ok(&a);
        add_ok(&b);

        assert_int_equal(ctr_lookup_id(db, "abc", id, &err), -ENOTUNIQ);
        assert_string_equal(cu_error_msg(err),
                            "more than one result for container ID abc: container already exists");
        cu_error_clear(&err);
        assert_int_equal(ctr_lookup_id(db, "abc1", id, &err), 0);
        assert_string_equal(id, a.id);
        assert_int_equal(ctr_lookup_id(db, "abc2", id, &err), 0);
        assert_string_equal(id, b.id);
        assert_int_equal(ctr_lookup_id(db, "abc3", id, &err), -ENOENT);
        cu_error_clear(&err);

        /* An exact name beats an ID prefix. */
        struct ctr_record c = make("ddd", "abc", 3);
        add_ok(&c);
        assert_int_equal(ctr_lookup_id(db, "abc", id, &err), 0);
        assert_string_equal(id, c.id);

        /* An exact ID beats a name. */
        struct ctr_record d = make("eee", a.id, 4);
        add_ok(&d);
        assert_int_equal(ctr_lookup_id(db, a.id, id, &err), 0);
        assert_string_equal(id, a.id);

        /* Prefix matching is for hex only: "%" or "_" are not wildcards. */
        assert_int_equal(ctr_lookup_id(db, "ab%", id, &err), -ENOENT);
        cu_error_clear(&err);
        assert_int_equal(ctr_lookup_id(db, "a_c1", id, &err), -ENOENT);
        cu_error_clear(&err);
        assert_int_equal(ctr_lookup_id(db, "ABC1", id, &err), -ENOENT);
        cu_error_clear(&err);
}

static void test_list(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_ctr_record_list_ struct ctr_record **v = NULL;
        size_t n = 99;

        assert_int_equal(ctr_list(db, &v, &n, &err), 0);
        assert_int_equal(n, 0);
        assert_null(v[0]);
        ctr_record_list_free(TAKE_PTR(v));

        static const char *const names[] = { "c", "a", "e", "b", "d" };
        static const int64_t created[] = { 30, 10, 50, 20, 40 };
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                struct ctr_record r = make(NULL, names[i], created[i]);
                add_ok(&r);
        }
        assert_int_equal(ctr_list(db, &v, NULL, &err), 0);
        static const char *const want[] = { "a", "b", "c", "d", "e" };
        size_t i = 0;
        for (; v[i]; i++) {
                assert_true(i < ELEMENTSOF(want));
                assert_string_equal(v[i]->name, want[i]);
        }
        assert_int_equal(i, 5);
}

static void test_update_rename_remove(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        struct ctr_record r = make(NULL, "web", 1);
        struct ctr_record o = make(NULL, "db", 2);
        add_ok(&r);
        add_ok(&o);

        r.state = CTR_STATE_RUNNING;
        r.pid = 4242;
        r.started_at = 1700000000123456789LL;
        r.extra = (char *) "{\"health\":\"starting\"}";
        assert_int_equal(ctr_update_state(db, &r, &err), 0);
        _cleanup_ctr_record_ struct ctr_record *g = NULL;
        assert_int_equal(ctr_get(db, "web", &g, &err), 0);
        assert_int_equal(g->state, CTR_STATE_RUNNING);
        assert_int_equal(g->pid, 4242);
        assert_true(g->started_at == 1700000000123456789LL);
        assert_false(g->has_exit_code);
        assert_string_equal(g->extra, "{\"health\":\"starting\"}");
        g = ctr_record_free(g);

        r.state = CTR_STATE_EXITED;
        r.pid = 0;
        r.has_exit_code = true;
        r.exit_code = 0; /* 0 is a real exit code, not "none" */
        r.finished_at = 1700000001000000000LL;
        r.extra = NULL;
        assert_int_equal(ctr_update_state(db, &r, &err), 0);
        assert_int_equal(ctr_get(db, r.id, &g, &err), 0);
        assert_int_equal(g->state, CTR_STATE_EXITED);
        assert_int_equal(g->pid, 0);
        assert_true(g->has_exit_code);
        assert_int_equal(g->exit_code, 0);
        assert_true(g->finished_at == 1700000001000000000LL);
        assert_null(g->extra);
        assert_string_equal(g->name, "web"); /* untouched */
        g = ctr_record_free(g);

        r.state = _CTR_STATE_INVALID;
        assert_int_equal(ctr_update_state(db, &r, &err), -EINVAL);
        cu_error_clear(&err);

        assert_int_equal(ctr_set_config(db, r.id, "{\"new\":true}", &err), 0);
        assert_int_equal(ctr_get_by_id(db, r.id, &g, &err), 0);
        assert_string_equal(g->config, "{\"new\":true}");
        g = ctr_record_free(g);

        /* rename: conflict with podman's message, then a free name */
        assert_int_equal(ctr_rename(db, r.id, "db", &err), -EEXIST);
        assert_non_null(
                strstr(cu_error_msg(err), "the container name \"db\" is already in use by "));
        assert_non_null(strstr(cu_error_msg(err), o.id));
        cu_error_clear(&err);
        assert_int_equal(ctr_rename(db, r.id, "bad/name", &err), -EINVAL);
        cu_error_clear(&err);
        assert_int_equal(ctr_rename(db, r.id, "web", &err), 0); /* its own name */
        assert_int_equal(ctr_rename(db, r.id, "frontend", &err), 0);
        assert_int_equal(ctr_get(db, "web", &g, &err), -ENOENT);
        cu_error_clear(&err);
        assert_int_equal(ctr_get(db, "frontend", &g, &err), 0);
        assert_string_equal(g->id, r.id);
        g = ctr_record_free(g);
        struct ctr_record web2 = make(NULL, "web", 3); /* the old name is free */
        add_ok(&web2);

        /* remove */
        assert_int_equal(ctr_remove(db, r.id, &err), 0);
        assert_int_equal(ctr_get_by_id(db, r.id, &g, &err), -ENOENT);
        cu_error_clear(&err);
        assert_int_equal(ctr_remove(db, r.id, &err), -ENOENT);
        assert_non_null(strstr(cu_error_msg(err), "no such container"));
        cu_error_clear(&err);

        /* missing targets */
        struct ctr_record ghost = make("dead", "ghost", 9);
        assert_int_equal(ctr_update_state(db, &ghost, &err), -ENOENT);
        cu_error_clear(&err);
        assert_int_equal(ctr_set_config(db, ghost.id, "{}", &err), -ENOENT);
        cu_error_clear(&err);
        assert_int_equal(ctr_rename(db, ghost.id, "ghost2", &err), -ENOENT);
        cu_error_clear(&err);
        assert_int_equal(db_in_transaction(db), 0);

        /* Everything persisted. */
        db = db_close(db);
        assert_int_equal(db_open(dbpath, &db, &err), 0);
        assert_int_equal(ctr_db_init(db, &err), 0);
        _cleanup_ctr_record_list_ struct ctr_record **v = NULL;
        size_t n = 0;
        assert_int_equal(ctr_list(db, &v, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_string_equal(v[0]->name, "db");
        assert_string_equal(v[1]->name, "web");
        assert_string_equal(v[1]->id, web2.id);
}

#define N_PROCS 50

static int concurrent_child(int i, int go)
{
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_db_ struct db *cdb = NULL;
        _cleanup_ctr_record_ struct ctr_record *g = NULL; /* before any goto */
        char c, name[32];

        if (read(go, &c, 1) < 0)
                return 1;
        if (db_open(dbpath, &cdb, &err) < 0 || ctr_db_init(cdb, &err) < 0)
                goto fail;

        struct ctr_record r = { .state = CTR_STATE_CREATED, .config = (char *) "{}", .created = i };
        snprintf(name, sizeof(name), "ctr-%d", i);
        r.name = name;
        if (ctr_id_generate(r.id) < 0 || ctr_add(cdb, &r, &err) < 0)
                goto fail;

        /* Everyone wants the same name: exactly one may have it. */
        if (ctr_id_generate(r.id) < 0)
                return 1;
        r.name = (char *) "shared";
        int k = ctr_add(cdb, &r, &err);
        if (k == -EEXIST && strstr(cu_error_msg(err), "is already in use by"))
                k = 2;
        else if (k < 0)
                goto fail;

        /* and a read and a state change, as a CLI would */
        if (ctr_get(cdb, name, &g, &err) < 0)
                goto fail;
        g->state = CTR_STATE_RUNNING;
        g->pid = getpid();
        if (ctr_update_state(cdb, g, &err) < 0)
                goto fail;
        return k == 2 ? 2 : 0;
fail:
        fprintf(stderr, "child %d: %s\n", i, cu_error_msg(err));
        return 1;
}

static void test_concurrent(void **state)
{
        int go[2];
        pid_t pids[N_PROCS];

        /* The test's own connection must not be open across fork(). */
        db = db_close(db);
        rm_rf(tmpdir);

        assert_int_equal(pipe2(go, O_CLOEXEC), 0);
        for (int i = 0; i < N_PROCS; i++) {
                pids[i] = fork();
                assert_true(pids[i] >= 0);
                if (pids[i] == 0) {
                        close(go[1]);
                        _exit(concurrent_child(i, go[0]));
                }
        }
        close(go[0]);
        close(go[1]);
        int winners = 0;
        for (int i = 0; i < N_PROCS; i++) {
                int status = 0;
                assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
                assert_true(WIFEXITED(status));
                assert_int_not_equal(WEXITSTATUS(status), 1);
                winners += WEXITSTATUS(status) == 0;
        }
        assert_int_equal(winners, 1);

        _cleanup_error_ struct cu_error *err = NULL;
        assert_int_equal(db_open(dbpath, &db, &err), 0);
        _cleanup_ctr_record_list_ struct ctr_record **v = NULL;
        size_t n = 0;
        assert_int_equal(ctr_list(db, &v, &n, &err), 0);
        assert_int_equal(n, N_PROCS + 1);
        int running = 0;
        for (size_t i = 0; i < n; i++)
                running += v[i]->state == CTR_STATE_RUNNING && v[i]->pid > 0;
        assert_int_equal(running, N_PROCS);
        _cleanup_ctr_record_ struct ctr_record *g = NULL;
        assert_int_equal(ctr_get(db, "shared", &g, &err), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_id_generate),
                cmocka_unit_test_setup_teardown(test_add_get, setup, teardown),
                cmocka_unit_test_setup_teardown(test_add_errors, setup, teardown),
                cmocka_unit_test_setup_teardown(test_lookup_order, setup, teardown),
                cmocka_unit_test_setup_teardown(test_list, setup, teardown),
                cmocka_unit_test_setup_teardown(test_update_rename_remove, setup, teardown),
                cmocka_unit_test_setup_teardown(test_concurrent, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
