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
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "state/db.h"
#include "util/fileio.h"

static char tmpdir[256];
static char dbpath[PATH_MAX];

static int setup(void **state)
{
        snprintf(tmpdir, sizeof(tmpdir), "/tmp/cuttle-test-db-XXXXXX");
        if (!mkdtemp(tmpdir))
                return -1;
        snprintf(dbpath, sizeof(dbpath), "%s/sub/dir/state.db", tmpdir);
        return 0;
}

static int teardown(void **state)
{
        rm_rf(tmpdir);
        return 0;
}

static uint64_t now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

static struct db *open_ok(void)
{
        _cleanup_error_ struct cu_error *err = NULL;
        struct db *db = NULL;
        int r = db_open(dbpath, &db, &err);
        if (r < 0)
                fail_msg("db_open: %s", cu_error_msg(err));
        return db;
}

static char *pragma_text(struct db *db, const char *sql)
{
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, sql, &err);
        assert_non_null(s);
        assert_int_equal(db_step(db, s, &err), 1);
        char *v = NULL;
        assert_int_equal(db_column_strdup(s, 0, &v), 0);
        return v;
}

static int64_t count_rows(struct db *db, const char *sql)
{
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, sql, &err);
        if (!s)
                fail_msg("%s: %s", sql, cu_error_msg(err));
        assert_int_equal(db_step(db, s, &err), 1);
        return sqlite3_column_int64(s, 0);
}

static void test_open(void **state)
{
        _cleanup_db_ struct db *db = open_ok();
        struct stat st;

        assert_int_equal(stat(dbpath, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        char dir[PATH_MAX];
        snprintf(dir, sizeof(dir), "%s/sub/dir", tmpdir);
        assert_int_equal(stat(dir, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0700);
        assert_string_equal(db_path(db), dbpath);

        _cleanup_free_ char *mode = pragma_text(db, "PRAGMA journal_mode");
        assert_string_equal(mode, "wal");
        _cleanup_free_ char *sync = pragma_text(db, "PRAGMA synchronous");
        assert_string_equal(sync, "1"); /* NORMAL */
        _cleanup_free_ char *fk = pragma_text(db, "PRAGMA foreign_keys");
        assert_string_equal(fk, "1");
        _cleanup_free_ char *temp = pragma_text(db, "PRAGMA temp_store");
        assert_string_equal(temp, "2"); /* MEMORY */

        /* The WAL file inherits the database's mode once something is written. */
        _cleanup_error_ struct cu_error *err = NULL;
        assert_int_equal(db_exec(db, "CREATE TABLE t(x)", &err), 0);
        char wal[PATH_MAX + 8];
        snprintf(wal, sizeof(wal), "%s-wal", dbpath);
        assert_int_equal(stat(wal, &st), 0);
        assert_int_equal(st.st_mode & 0077, 0);
}

static void test_open_errors(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        struct db *db = NULL;

        assert_int_equal(db_open("", &db, &err), -EINVAL);
        assert_null(db);
        cu_error_clear(&err);

        /* A file that is not a database. */
        char bad[PATH_MAX + 8];
        snprintf(bad, sizeof(bad), "%s/bad.db", tmpdir);
        static const char junk[] = "this is not an SQLite database, not at all, no.";
        assert_int_equal(write_file_atomic(bad, junk, sizeof(junk) - 1, 0600, NULL), 0);
        int r = db_open(bad, &db, &err);
        assert_true(r < 0);
        assert_null(db);
        assert_non_null(strstr(cu_error_msg(err), "opening database"));
        assert_non_null(strstr(cu_error_msg(err), "not a database"));
}

static const char *const steps3[] = {
        "CREATE TABLE a(x INTEGER)",
        /* not idempotent: running it twice fails, which the test would see */
        "CREATE TABLE b(y TEXT); INSERT INTO b VALUES ('one')",
        "ALTER TABLE a ADD COLUMN z TEXT",
};

static void test_migrate(void **state)
{
        _cleanup_db_ struct db *db = open_ok();
        _cleanup_error_ struct cu_error *err = NULL;

        assert_int_equal(db_migrate(db, "test", steps3, 1, &err), 0);
        assert_int_equal(count_rows(db, "SELECT version FROM schema WHERE component = 'test'"), 1);
        assert_int_equal(db_migrate(db, "test", steps3, 3, &err), 0);
        assert_int_equal(count_rows(db, "SELECT version FROM schema WHERE component = 'test'"), 3);
        assert_int_equal(count_rows(db, "SELECT count(*) FROM b"), 1);
        /* Up to date: nothing runs again (step 2 would fail). */
        assert_int_equal(db_migrate(db, "test", steps3, 3, &err), 0);
        assert_null(err);

        /* Another component has its own version. */
        static const char *const other[] = { "CREATE TABLE o(x)" };
        assert_int_equal(db_migrate(db, "other", other, 1, &err), 0);
        assert_int_equal(count_rows(db, "SELECT count(*) FROM schema WHERE component = 'other'"),
                         1);

        /* A database newer than the code. */
        assert_int_equal(db_migrate(db, "test", steps3, 2, &err), -EPROTO);
        assert_string_equal(cu_error_msg(err),
                            "database schema for test is version 3, this cuttle knows up to 2");
        cu_error_clear(&err);

        /* Survives reopening, and the newer-version check costs no transaction. */
        db = db_close(db);
        db = open_ok();
        assert_int_equal(db_migrate(db, "test", steps3, 3, &err), 0);
        assert_int_equal(db_migrate(db, "test", steps3, 1, &err), -EPROTO);
        assert_int_equal(db_in_transaction(db), 0);
}

static void test_migrate_failure_rolls_back(void **state)
{
        _cleanup_db_ struct db *db = open_ok();
        _cleanup_error_ struct cu_error *err = NULL;
        static const char *const steps[] = {
                "CREATE TABLE c(x)",
                "CREATE TABLE d(x); INSERT INTO c VALUES (1); CREATE TABLE broken(",
        };

        assert_int_equal(db_migrate(db, "fail", steps, 1, &err), 0);
        int r = db_migrate(db, "fail", steps, 2, &err);
        assert_true(r < 0);
        assert_non_null(strstr(cu_error_msg(err), "migrating the schema of fail: step 2:"));
        assert_non_null(strstr(cu_error_msg(err), "incomplete input"));
        cu_error_clear(&err);
        assert_int_equal(db_in_transaction(db), 0);
        assert_int_equal(count_rows(db, "SELECT version FROM schema WHERE component = 'fail'"), 1);
        assert_int_equal(count_rows(db, "SELECT count(*) FROM c"), 0);
        assert_int_equal(count_rows(db, "SELECT count(*) FROM sqlite_master WHERE name = 'd'"), 0);
}

static void test_stmt_cache(void **state)
{
        _cleanup_db_ struct db *db = open_ok();
        _cleanup_error_ struct cu_error *err = NULL;
        assert_int_equal(
                db_exec(db, "CREATE TABLE n(v INTEGER); INSERT INTO n VALUES (1), (2), (3)", &err),
                0);
        static const char q[] = "SELECT v FROM n WHERE v >= ?1 ORDER BY v";
        sqlite3_stmt *s1 = db_stmt(db, q, &err);
        assert_non_null(s1);
        assert_int_equal(db_bind_int64(s1, 1, 2), 0);
        assert_int_equal(db_step(db, s1, &err), 1);
        assert_int_equal(sqlite3_column_int64(s1, 0), 2);

        /* Same pointer: same statement, reset, bindings cleared (NULL matches nothing). */
        sqlite3_stmt *s2 = db_stmt(db, q, &err);
        assert_ptr_equal(s1, s2);
        assert_int_equal(db_step(db, s2, &err), 0);
        sqlite3_reset(s2);
        assert_int_equal(db_bind_int64(s2, 1, 1), 0);
        assert_int_equal(db_step(db, s2, &err), 1);
        assert_int_equal(sqlite3_column_int64(s2, 0), 1);
        sqlite3_reset(s2);

        /* The key is the pointer, not the text. */
        char qcopy[sizeof(q)];
        memcpy(qcopy, q, sizeof(q));
        sqlite3_stmt *s3 = db_stmt(db, qcopy, &err);
        assert_non_null(s3);
        assert_ptr_not_equal(s3, s1);

        /* Many statements: the cache grows and keeps every one. */
        static char texts[100][64];
        sqlite3_stmt *stmts[100];
        for (int i = 0; i < 100; i++) {
                snprintf(texts[i], sizeof(texts[i]), "SELECT %d", i);
                stmts[i] = db_stmt(db, texts[i], &err);
                assert_non_null(stmts[i]);
        }
        for (int i = 0; i < 100; i++) {
                _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, texts[i], &err);
                assert_ptr_equal(s, stmts[i]);
                assert_int_equal(db_step(db, s, &err), 1);
                assert_int_equal(sqlite3_column_int64(s, 0), i);
        }

        /* Errors carry SQLite's message. */
        assert_null(db_stmt(db, "SELECT * FROM nosuchtable", &err));
        assert_string_equal(cu_error_msg(err), "no such table: nosuchtable");
        cu_error_clear(&err);
        assert_null(db_stmt(db, "", &err));
        assert_int_equal(err->errnum, EINVAL);
}

static void test_transactions(void **state)
{
        _cleanup_db_ struct db *db = open_ok();
        _cleanup_error_ struct cu_error *err = NULL;

        assert_int_equal(db_exec(db, "CREATE TABLE t(x TEXT UNIQUE)", &err), 0);

        assert_int_equal(db_begin(db, &err), 0);
        assert_int_equal(db_in_transaction(db), 1);
        assert_int_equal(db_exec(db, "INSERT INTO t VALUES ('rolled back')", &err), 0);
        db_rollback(db);
        assert_int_equal(db_in_transaction(db), 0);
        assert_int_equal(count_rows(db, "SELECT count(*) FROM t"), 0);

        assert_int_equal(db_begin(db, &err), 0);
        assert_int_equal(db_exec(db, "INSERT INTO t VALUES ('a')", &err), 0);
        /* nested: a savepoint that is undone alone */
        assert_int_equal(db_begin(db, &err), 0);
        assert_int_equal(db_in_transaction(db), 2);
        assert_int_equal(db_exec(db, "INSERT INTO t VALUES ('b')", &err), 0);
        db_rollback(db);
        assert_int_equal(db_begin(db, &err), 0);
        assert_int_equal(db_exec(db, "INSERT INTO t VALUES ('c')", &err), 0);
        assert_int_equal(db_commit(db, &err), 0);
        assert_int_equal(db_commit(db, &err), 0);
        assert_int_equal(db_in_transaction(db), 0);
        assert_int_equal(count_rows(db, "SELECT count(*) FROM t"), 2);
        assert_int_equal(count_rows(db, "SELECT count(*) FROM t WHERE x = 'b'"), 0);

        /* db_end: commit on success, rollback on failure. */
        assert_int_equal(db_begin(db, &err), 0);
        assert_int_equal(db_exec(db, "INSERT INTO t VALUES ('d')", &err), 0);
        int r = db_exec(db, "INSERT INTO t VALUES ('a')", &err);
        assert_int_equal(r, -EEXIST);
        assert_string_equal(cu_error_msg(err), "UNIQUE constraint failed: t.x");
        assert_int_equal(db_end(db, r, &err), -EEXIST);
        cu_error_clear(&err);
        assert_int_equal(count_rows(db, "SELECT count(*) FROM t WHERE x = 'd'"), 0);
        assert_int_equal(db_begin(db, &err), 0);
        assert_int_equal(db_exec(db, "INSERT INTO t VALUES ('e')", &err), 0);
        assert_int_equal(db_end(db, 7, &err), 7);
        assert_int_equal(count_rows(db, "SELECT count(*) FROM t WHERE x = 'e'"), 1);

        assert_int_equal(db_commit(db, &err), -EINVAL);
        cu_error_clear(&err);
        db_rollback(db); /* nothing open: a no-op */

        /* A transaction left open is rolled back by close. */
        assert_int_equal(db_begin(db, &err), 0);
        assert_int_equal(db_exec(db, "INSERT INTO t VALUES ('lost')", &err), 0);
        db = db_close(db);
        db = open_ok();
        assert_int_equal(count_rows(db, "SELECT count(*) FROM t WHERE x = 'lost'"), 0);
}

static void test_binders(void **state)
{
        _cleanup_db_ struct db *db = open_ok();
        _cleanup_error_ struct cu_error *err = NULL;

        assert_int_equal(db_exec(db, "CREATE TABLE b(s TEXT, i INTEGER, n INTEGER)", &err), 0);
        _cleanup_stmt_ sqlite3_stmt *ins = db_stmt(db, "INSERT INTO b VALUES (?1, ?2, ?3)", &err);
        assert_non_null(ins);
        assert_int_equal(db_bind_text(ins, 1, NULL), 0);
        assert_int_equal(db_bind_int64(ins, 2, INT64_MIN), 0);
        assert_int_equal(db_bind_int64_or_null(ins, 3, 0, 0), 0);
        assert_int_equal(db_bind_text(ins, 4, "x"), -ERANGE);
        assert_int_equal(db_step(db, ins, &err), 0);
        assert_int_equal(db_changes(db), 1);

        ins = db_stmt(db, "INSERT INTO b VALUES (?1, ?2, ?3)", &err);
        char text[] = "héllo";
        assert_int_equal(db_bind_text(ins, 1, text), 0);
        text[0] = 'X'; /* bound values are copies */
        assert_int_equal(db_bind_int64(ins, 2, 42), 0);
        assert_int_equal(db_bind_int64_or_null(ins, 3, 5, 0), 0);
        assert_int_equal(db_step(db, ins, &err), 0);

        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, "SELECT s, i, n FROM b ORDER BY rowid", &err);
        assert_int_equal(db_step(db, s, &err), 1);
        char *v = (char *) 1;
        assert_int_equal(db_column_strdup(s, 0, &v), 0);
        assert_null(v);
        assert_true(db_column_is_null(s, 0));
        assert_true(sqlite3_column_int64(s, 1) == INT64_MIN);
        assert_int_equal(db_column_int64_or(s, 2, -1), -1);
        assert_int_equal(db_step(db, s, &err), 1);
        assert_int_equal(db_column_strdup(s, 0, &v), 0);
        assert_string_equal(v, "héllo");
        free(v);
        assert_false(db_column_is_null(s, 0));
        assert_int_equal(db_column_int64_or(s, 1, -1), 42);
        assert_int_equal(db_column_int64_or(s, 2, -1), 5);
        assert_int_equal(db_step(db, s, &err), 0);
}

/* A child holds the write lock for hold_ms; returns its pid once it does. */
static pid_t hold_write_lock(unsigned hold_ms)
{
        int p[2];
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                struct db *db = NULL;
                if (db_open(dbpath, &db, NULL) < 0 || db_begin(db, NULL) < 0 ||
                    db_exec(db, "INSERT INTO t VALUES ('child')", NULL) < 0)
                        _exit(1);
                if (write(p[1], "x", 1) != 1)
                        _exit(1);
                usleep(hold_ms * 1000);
                if (db_commit(db, NULL) < 0)
                        _exit(1);
                db_close(db);
                _exit(0);
        }
        close(p[1]);
        char c;
        assert_int_equal(read(p[0], &c, 1), 1);
        close(p[0]);
        return pid;
}

static void wait_ok(pid_t pid)
{
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_busy(void **state)
{
        _cleanup_db_ struct db *db = open_ok();
        _cleanup_error_ struct cu_error *err = NULL;
        assert_int_equal(db_exec(db, "CREATE TABLE t(x TEXT)", &err), 0);
        /* SQLite's per-process lock bookkeeping must not be forked. */
        db = db_close(db);

        /* The busy handler waits for the other writer. */
        pid_t pid = hold_write_lock(300);
        db = open_ok();
        uint64_t t0 = now_ns();
        assert_int_equal(db_begin(db, &err), 0);
        uint64_t waited_ms = (now_ns() - t0) / 1000000;
        assert_true(waited_ms >= 100);
        assert_int_equal(db_exec(db, "INSERT INTO t VALUES ('parent')", &err), 0);
        assert_int_equal(db_commit(db, &err), 0);
        wait_ok(pid);
        assert_int_equal(count_rows(db, "SELECT count(*) FROM t"), 2);

        /* With a short limit the error names the cause. */
        db = db_close(db);
        pid = hold_write_lock(1000);
        db = open_ok();
        db_set_busy_timeout(db, 50);
        int r = db_begin(db, &err);
        assert_int_equal(r, -EBUSY);
        r = cu_error_prefix(&err, r, "updating container abc");
        assert_string_equal(cu_error_msg(err),
                            "updating container abc: starting a transaction: database is locked");
        cu_error_clear(&err);
        /* Readers are not blocked by a writer (WAL). */
        assert_int_equal(count_rows(db, "SELECT count(*) FROM t"), 2);
        r = db_exec(db, "INSERT INTO t VALUES ('x')", &err);
        assert_int_equal(r, -EBUSY);
        cu_error_clear(&err);
        wait_ok(pid);
        assert_int_equal(count_rows(db, "SELECT count(*) FROM t"), 3);
}

#define N_PROCS 20
#define N_ROWS 50

static const char *const conc_steps[] = {
        "CREATE TABLE rows(proc INTEGER NOT NULL, i INTEGER NOT NULL, UNIQUE (proc, i))",
        "CREATE INDEX rows_proc ON rows(proc)",
};

static int concurrent_child(int proc, int go)
{
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_db_ struct db *db = NULL;
        char c;

        if (read(go, &c, 1) < 0)
                return 1;
        if (db_open(dbpath, &db, &err) < 0 ||
            db_migrate(db, "conc", conc_steps, ELEMENTSOF(conc_steps), &err) < 0)
                goto fail;
        for (int i = 0; i < N_ROWS; i += 5) {
                if (db_begin(db, &err) < 0)
                        goto fail;
                int r = 0;
                for (int j = i; j < i + 5 && r >= 0; j++) {
                        _cleanup_stmt_ sqlite3_stmt *s =
                                db_stmt(db, "INSERT INTO rows(proc, i) VALUES (?1, ?2)", &err);
                        if (!s) {
                                r = -EIO;
                                break;
                        }
                        db_bind_int64(s, 1, proc);
                        db_bind_int64(s, 2, j);
                        r = db_step(db, s, &err);
                }
                if (db_end(db, r, &err) < 0)
                        goto fail;
        }
        return 0;
fail:
        fprintf(stderr, "child %d: %s\n", proc, cu_error_msg(err));
        return 1;
}

static void test_concurrent(void **state)
{
        int go[2];
        pid_t pids[N_PROCS];

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
        close(go[1]); /* all start at once: read() returns EOF */
        for (int i = 0; i < N_PROCS; i++)
                wait_ok(pids[i]);

        _cleanup_db_ struct db *db = open_ok();
        assert_int_equal(count_rows(db, "SELECT count(*) FROM rows"), N_PROCS * N_ROWS);
        assert_int_equal(count_rows(db, "SELECT count(DISTINCT proc) FROM rows"), N_PROCS);
        assert_int_equal(count_rows(db, "SELECT version FROM schema WHERE component = 'conc'"),
                         ELEMENTSOF(conc_steps));
        assert_int_equal(
                count_rows(db, "SELECT count(*) FROM sqlite_master WHERE name = 'rows_proc'"), 1);
}

/* Not a pass/fail criterion: prints what open and a write cost. */
static void test_measure(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        enum { N = 300 };
        {
                _cleanup_db_ struct db *db = open_ok();
                assert_int_equal(db_migrate(db, "conc", conc_steps, ELEMENTSOF(conc_steps), &err),
                                 0);
        }

        uint64_t t0 = now_ns();
        for (int i = 0; i < N; i++) {
                _cleanup_db_ struct db *db = open_ok();
                assert_int_equal(db_migrate(db, "conc", conc_steps, ELEMENTSOF(conc_steps), &err),
                                 0);
                assert_int_equal(count_rows(db, "SELECT count(*) FROM rows"), i);
                /* keep the loop honest: one row more each time */
                assert_int_equal(
                        db_exec(db, "INSERT INTO rows VALUES (-1, (SELECT count(*) FROM rows))",
                                &err),
                        0);
        }
        uint64_t open_write = (now_ns() - t0) / N;

        t0 = now_ns();
        for (int i = 0; i < N; i++) {
                _cleanup_db_ struct db *db = open_ok();
                assert_int_equal(db_migrate(db, "conc", conc_steps, ELEMENTSOF(conc_steps), &err),
                                 0);
                assert_int_equal(count_rows(db, "SELECT count(*) FROM rows"), N);
        }
        uint64_t open_select = (now_ns() - t0) / N;

        /* The same while another connection stays open (a long-lived
         * process): no WAL index to rebuild, no shared memory to set up. */
        uint64_t open_select_shared;
        {
                _cleanup_db_ struct db *other = open_ok();
                assert_int_equal(count_rows(other, "SELECT count(*) FROM rows"), N);
                t0 = now_ns();
                for (int i = 0; i < N; i++) {
                        _cleanup_db_ struct db *db = open_ok();
                        assert_int_equal(db_migrate(db, "conc", conc_steps,
                                                    ELEMENTSOF(conc_steps), &err),
                                         0);
                        assert_int_equal(count_rows(db, "SELECT count(*) FROM rows"), N);
                }
                open_select_shared = (now_ns() - t0) / N;
        }

        _cleanup_db_ struct db *db = open_ok();
        t0 = now_ns();
        for (int i = 0; i < N; i++) {
                assert_int_equal(db_begin(db, &err), 0);
                _cleanup_stmt_ sqlite3_stmt *s =
                        db_stmt(db, "INSERT INTO rows(proc, i) VALUES (-2, ?1)", &err);
                assert_int_equal(db_bind_int64(s, 1, i), 0);
                assert_int_equal(db_step(db, s, &err), 0);
                assert_int_equal(db_commit(db, &err), 0);
        }
        uint64_t insert_commit = (now_ns() - t0) / N;

        printf("# db_open + migrate check + SELECT + close: %.1f us\n", open_select / 1000.0);
        printf("# the same, another connection open: %.1f us\n", open_select_shared / 1000.0);
        printf("# db_open + migrate check + SELECT + INSERT + close: %.1f us\n",
               open_write / 1000.0);
        printf("# BEGIN IMMEDIATE + INSERT + COMMIT: %.1f us\n", insert_commit / 1000.0);
        assert_int_equal(count_rows(db, "SELECT count(*) FROM rows WHERE proc = -2"), N);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_open, setup, teardown),
                cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
                cmocka_unit_test_setup_teardown(test_migrate, setup, teardown),
                cmocka_unit_test_setup_teardown(test_migrate_failure_rolls_back, setup, teardown),
                cmocka_unit_test_setup_teardown(test_stmt_cache, setup, teardown),
                cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
                cmocka_unit_test_setup_teardown(test_binders, setup, teardown),
                cmocka_unit_test_setup_teardown(test_busy, setup, teardown),
                cmocka_unit_test_setup_teardown(test_concurrent, setup, teardown),
                cmocka_unit_test_setup_teardown(test_measure, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
