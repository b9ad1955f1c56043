/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state database: one SQLite file in WAL mode, shared by every cuttle
 * process at once (no daemon).  A `struct db` is one connection, used by
 * one thread.  fork(): SQLite keeps per-process lock bookkeeping, so a
 * forked child must neither use the parent's connections nor open its own
 * while the parent has one open (close them before forking a child that
 * opens the database, or exec in the child first).
 *
 * Concurrency: readers never block writers (WAL); writers take the write
 * lock with db_begin() (BEGIN IMMEDIATE), so a transaction never fails
 * half-way with SQLITE_BUSY.  A busy writer is waited for with a backoff
 * of up to DB_BUSY_TIMEOUT_MS; only then does a call fail with -EBUSY
 * ("database is locked").  Keep transactions short.
 *
 * Checkpoints: commits cost no fsync (synchronous=NORMAL: a power loss may
 * lose the last commits, never corrupts); a connection that saw the WAL
 * grow past a few pages truncates it when it closes (see db.c), so that the
 * next process to open the database has little WAL to re-read.
 *
 * Errors: helpers fail with -errno and the SQLite message ("database is
 * locked", "UNIQUE constraint failed: …"); callers prefix the operation:
 *   return cu_error_prefix(err, r, "updating container %s", id);
 * SQLite result codes map to errno: BUSY/LOCKED → EBUSY, CONSTRAINT →
 * EEXIST, NOMEM → ENOMEM, FULL → ENOSPC, READONLY → EROFS, PERM/AUTH →
 * EPERM, CANTOPEN → EACCES, CORRUPT/NOTADB → EUCLEAN, others → EIO.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "util/error.h"

/* How long a call waits for another process's write lock. */
#define DB_BUSY_TIMEOUT_MS 30000

struct db;

/* Opens (creating it 0600, and its parent directory 0700, when missing)
 * the database at path: WAL, synchronous=NORMAL, foreign_keys=ON,
 * temp_store=MEMORY, the busy handler.  -errno. */
int db_open(const char *path, struct db **ret, struct cu_error **err);
/* Finalizes the cached statements and closes.  Accepts NULL; returns NULL.
 * A transaction still open is rolled back. */
struct db *db_close(struct db *db);
DEFINE_CLEANUP_FUNC(struct db *, db_close)
#define _cleanup_db_ _cleanup_(db_closep)

/* How long this connection waits for a lock held elsewhere (default
 * DB_BUSY_TIMEOUT_MS; 0 fails at once). */
void db_set_busy_timeout(struct db *db, unsigned ms);

sqlite3 *db_handle(struct db *db);
const char *db_path(struct db *db);

/* Brings component's schema to version n: applies steps[v..n-1] (v being
 * the recorded version, 0 for a new component) in one BEGIN IMMEDIATE
 * transaction, each step a string of one or more SQL statements, and
 * records n in the table schema(component, version).  When the versions
 * already match this costs one SELECT.  Concurrent callers: one migrates,
 * the others wait and see the result.  A database newer than the code
 * fails with -EPROTO: "database schema for X is version N, this cuttle
 * knows up to M".  Inside a db_begin() transaction it joins it. */
int db_migrate(struct db *db, const char *component, const char *const *steps, size_t n,
               struct cu_error **err);

/* Runs one or more SQL statements (no parameters, rows ignored). -errno. */
int db_exec(struct db *db, const char *sql, struct cu_error **err);

/* The prepared statement for sql, cached by the POINTER sql (pass string
 * literals or other strings that live as long as db), reset and with its
 * bindings cleared.  NULL on error.  Reset it when done — a stepped SELECT
 * left un-reset keeps a read snapshot open — most simply with
 *   _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, "SELECT …", err);
 * The statement belongs to the cache: never finalize it. */
sqlite3_stmt *db_stmt(struct db *db, const char *sql, struct cu_error **err);
static inline void db_stmt_resetp(sqlite3_stmt **s)
{
        if (*s)
                sqlite3_reset(*s);
}
#define _cleanup_stmt_ _cleanup_(db_stmt_resetp)

/* sqlite3_step(): 1 for a row, 0 when done, -errno with the message. */
int db_step(struct db *db, sqlite3_stmt *s, struct cu_error **err);
/* Rows changed by the last INSERT/UPDATE/DELETE. */
int64_t db_changes(struct db *db);

/* Transactions.  db_begin() takes the write lock (BEGIN IMMEDIATE, waiting
 * and retrying while busy).  Nested calls become savepoints: an inner
 * db_rollback() undoes only the inner part.  Every db_begin() is ended by
 * exactly one db_commit() or db_rollback(). */
int db_begin(struct db *db, struct cu_error **err);
int db_commit(struct db *db, struct cu_error **err);
/* Never fails (a failed rollback leaves SQLite to roll back itself). */
void db_rollback(struct db *db);
/* Ends the transaction: commits when r >= 0, rolls back otherwise.
 * Returns r, or the commit's error.  For `return db_end(db, r, err);`. */
int db_end(struct db *db, int r, struct cu_error **err);
/* Depth of open db_begin() calls (0: autocommit). */
unsigned db_in_transaction(struct db *db);

/* Binders (index from 1).  db_bind_text() binds NULL for a NULL string.
 * The value is copied.  0 or -errno (-ERANGE: no such parameter). */
int db_bind_text(sqlite3_stmt *s, int idx, const char *v);
int db_bind_int64(sqlite3_stmt *s, int idx, int64_t v);
int db_bind_null(sqlite3_stmt *s, int idx);
/* Binds v, or NULL when v == null_value (e.g. 0 for "no pid"). */
int db_bind_int64_or_null(sqlite3_stmt *s, int idx, int64_t v, int64_t null_value);

/* Column getters (index from 0).  db_column_strdup() gives *ret = NULL for
 * an SQL NULL; -ENOMEM. */
int db_column_strdup(sqlite3_stmt *s, int col, char **ret);
bool db_column_is_null(sqlite3_stmt *s, int col);
/* The integer, or null_value for an SQL NULL. */
int64_t db_column_int64_or(sqlite3_stmt *s, int col, int64_t null_value);

/* Sets *err from an SQLite result code and the connection's message;
 * returns the mapped -errno.  For callers that use sqlite3 directly. */
int db_error(struct db *db, int rc, struct cu_error **err);
int db_errno_from_sqlite(int rc);
