/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "state/db.h"
#include "util/fileio.h"
#include "util/log.h"

struct stmt_slot {
        const char *sql; /* the key: the caller's pointer */
        sqlite3_stmt *stmt;
};

struct db {
        sqlite3 *sql;
        char *path;
        struct stmt_slot *slots; /* open addressing, size a power of two */
        size_t n_slots, n_used;
        unsigned depth;          /* open db_begin() calls */
        bool aborted;            /* SQLite rolled the transaction back under us */
        uint64_t busy_start_ns;  /* when the current busy wait began */
        uint64_t busy_timeout_ns;
        uint32_t rng;            /* jitter for the backoff */
        int wal_frames;          /* WAL size after our last commit */
        /* components known to be at their schema version on this connection (their steps
         * arrays): db_migrate() answers those without a query */
        struct { const char *const *steps; size_t n; } migrated[16];
        size_t n_migrated;
};

/*
 * Checkpoints.  A CLI process is usually the only connection; the first
 * connection to open a database rebuilds the WAL index by reading the whole
 * WAL (a few µs a frame), and SQLite's own choices are both slow for us:
 * checkpointing and deleting the WAL at the last close costs a writer four
 * fsyncs per command (WAL create + directory, checkpoint WAL + database),
 * while not checkpointing at close lets the WAL grow to the auto-checkpoint
 * (1000 frames: milliseconds for every later opener).  So: no checkpoint at
 * close, except that a connection whose commits saw the WAL reach
 * DB_WAL_TRUNCATE_FRAMES truncates it when closing (waiting at most
 * CLOSE_CHECKPOINT_WAIT_MS for others).  Commits then cost no fsync, the
 * WAL stays small for openers, and the durability is synchronous=NORMAL's
 * (a power loss may drop the last commits, never corrupts).
 */
#define DB_WAL_TRUNCATE_FRAMES 16
#define DB_WAL_AUTOCHECKPOINT_FRAMES 1000
#define CLOSE_CHECKPOINT_WAIT_MS 10

/* Called after each commit with the WAL's size; replaces SQLite's
 * auto-checkpoint, which it does again for a long-lived connection. */
static int wal_hook(void *userdata, sqlite3 *sql, const char *schema, int frames)
{
        struct db *db = userdata;
        db->wal_frames = frames;
        if (frames >= DB_WAL_AUTOCHECKPOINT_FRAMES)
                (void) sqlite3_wal_checkpoint_v2(sql, schema, SQLITE_CHECKPOINT_PASSIVE, NULL,
                                                 NULL);
        return SQLITE_OK;
}

static uint64_t now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

static uint32_t next_rand(struct db *db)
{
        /* xorshift32: jitter only, so that waiting processes spread out. */
        uint32_t x = db->rng;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        db->rng = x;
        return x;
}

/* Backoff: 50 µs doubling up to 8 ms, plus up to 50% jitter. */
static void backoff_sleep(struct db *db, unsigned attempt)
{
        unsigned shift = attempt < 8 ? attempt : 8;
        uint64_t us = 50ULL << shift;
        if (us > 8000)
                us = 8000;
        us += next_rand(db) % (us / 2 + 1);
        struct timespec ts = { .tv_sec = 0, .tv_nsec = (long) (us * 1000) };
        nanosleep(&ts, NULL);
}

/* SQLite calls this while another connection holds a lock we need; returning
 * 0 gives up (the call then fails with SQLITE_BUSY). */
static int busy_handler(void *userdata, int count)
{
        struct db *db = userdata;
        uint64_t now = now_ns();

        if (count == 0)
                db->busy_start_ns = now;
        if (now - db->busy_start_ns >= db->busy_timeout_ns) {
                log_debug("database %s: still locked after %llu ms, giving up", db->path,
                          (unsigned long long) (db->busy_timeout_ns / 1000000ULL));
                return 0;
        }
        backoff_sleep(db, (unsigned) count);
        return 1;
}

int db_errno_from_sqlite(int rc)
{
        switch (rc & 0xff) {
        case SQLITE_OK:
        case SQLITE_ROW:
        case SQLITE_DONE:
                return 0;
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
                return -EBUSY;
        case SQLITE_CONSTRAINT:
                return -EEXIST;
        case SQLITE_NOMEM:
                return -ENOMEM;
        case SQLITE_FULL:
                return -ENOSPC;
        case SQLITE_READONLY:
                return -EROFS;
        case SQLITE_PERM:
        case SQLITE_AUTH:
                return -EPERM;
        case SQLITE_CANTOPEN:
                return -EACCES;
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
                return -EUCLEAN;
        case SQLITE_RANGE:
                return -ERANGE;
        case SQLITE_TOOBIG:
                return -E2BIG;
        default:
                return -EIO;
        }
}

int db_error(struct db *db, int rc, struct cu_error **err)
{
        int r = db_errno_from_sqlite(rc);
        if (r == 0)
                r = -EIO;
        /* The connection's message is about rc only if it recorded rc. */
        const char *msg = db && db->sql && (sqlite3_errcode(db->sql) & 0xff) == (rc & 0xff)
                                  ? sqlite3_errmsg(db->sql)
                                  : sqlite3_errstr(rc);
        return cu_error_setx(err, -r, "%s", msg);
}

void db_set_busy_timeout(struct db *db, unsigned ms)
{
        db->busy_timeout_ns = (uint64_t) ms * 1000000ULL;
}

sqlite3 *db_handle(struct db *db)
{
        return db->sql;
}

const char *db_path(struct db *db)
{
        return db->path;
}

/* ---- statement cache ---------------------------------------------------- */

static size_t slot_hash(const char *p, size_t n_slots)
{
        uint64_t h = (uint64_t) (uintptr_t) p * 0x9E3779B97F4A7C15ULL;
        return (size_t) (h >> 32) & (n_slots - 1);
}

static struct stmt_slot *slot_find(struct db *db, const char *sql)
{
        if (db->n_slots == 0)
                return NULL;
        for (size_t i = slot_hash(sql, db->n_slots);; i = (i + 1) & (db->n_slots - 1)) {
                if (db->slots[i].sql == sql)
                        return &db->slots[i];
                if (!db->slots[i].sql)
                        return NULL;
        }
}

static int slot_insert(struct db *db, const char *sql, sqlite3_stmt *stmt)
{
        if ((db->n_used + 1) * 2 > db->n_slots) {
                size_t n = db->n_slots ? db->n_slots * 2 : 32;
                struct stmt_slot *slots = calloc(n, sizeof(*slots));
                if (!slots)
                        return -ENOMEM;
                for (size_t i = 0; i < db->n_slots; i++) {
                        if (!db->slots[i].sql)
                                continue;
                        size_t j = slot_hash(db->slots[i].sql, n);
                        while (slots[j].sql)
                                j = (j + 1) & (n - 1);
                        slots[j] = db->slots[i];
                }
                free(db->slots);
                db->slots = slots;
                db->n_slots = n;
        }
        size_t i = slot_hash(sql, db->n_slots);
        while (db->slots[i].sql)
                i = (i + 1) & (db->n_slots - 1);
        db->slots[i] = (struct stmt_slot){ .sql = sql, .stmt = stmt };
        db->n_used++;
        return 0;
}

/* The cached statement or a new one; returns an SQLite result code and sets
 * no error (db_migrate() probes a table that may not exist yet). */
static int stmt_get(struct db *db, const char *sql, sqlite3_stmt **ret)
{
        struct stmt_slot *slot = slot_find(db, sql);
        if (slot) {
                sqlite3_reset(slot->stmt);
                sqlite3_clear_bindings(slot->stmt);
                *ret = slot->stmt;
                return SQLITE_OK;
        }

        sqlite3_stmt *s = NULL;
        int rc = sqlite3_prepare_v3(db->sql, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
        if (rc != SQLITE_OK)
                return rc;
        if (!s)
                return SQLITE_MISUSE; /* empty text */
        if (slot_insert(db, sql, s) < 0) {
                sqlite3_finalize(s);
                return SQLITE_NOMEM;
        }
        *ret = s;
        return SQLITE_OK;
}

sqlite3_stmt *db_stmt(struct db *db, const char *sql, struct cu_error **err)
{
        sqlite3_stmt *s = NULL;
        int rc = stmt_get(db, sql, &s);
        if (rc != SQLITE_OK) {
                if (rc == SQLITE_MISUSE)
                        cu_error_setx(err, EINVAL, "empty SQL statement");
                else
                        db_error(db, rc, err);
                return NULL;
        }
        return s;
}

int db_step(struct db *db, sqlite3_stmt *s, struct cu_error **err)
{
        int rc = sqlite3_step(s);
        if (rc == SQLITE_ROW)
                return 1;
        if (rc == SQLITE_DONE)
                return 0;
        return db_error(db, rc, err);
}

int64_t db_changes(struct db *db)
{
        return sqlite3_changes64(db->sql);
}

int db_exec(struct db *db, const char *sql, struct cu_error **err)
{
        char *msg = NULL;
        int rc = sqlite3_exec(db->sql, sql, NULL, NULL, &msg);
        if (rc == SQLITE_OK)
                return 0;
        int r = db_errno_from_sqlite(rc);
        if (r == 0)
                r = -EIO;
        cu_error_setx(err, -r, "%s", msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return r;
}

/* Runs a cached statement without rows (BEGIN, COMMIT, …). */
static int run_stmt(struct db *db, const char *sql, struct cu_error **err)
{
        sqlite3_stmt *s = NULL;
        int rc = stmt_get(db, sql, &s);
        if (rc == SQLITE_OK) {
                rc = sqlite3_step(s);
                sqlite3_reset(s);
                if (rc == SQLITE_DONE || rc == SQLITE_ROW)
                        return 0;
        }
        return db_error(db, rc, err);
}

/* ---- transactions ------------------------------------------------------- */

int db_begin(struct db *db, struct cu_error **err)
{
        if (db->depth > 0) {
                int r = run_stmt(db, "SAVEPOINT cu", err);
                if (r < 0)
                        return cu_error_prefix(err, r, "starting a nested transaction");
                db->depth++;
                return 0;
        }

        /* The busy handler waits for the write lock; SQLite still answers
         * BUSY without asking it in a few cases (a WAL being recovered), so
         * retry those here, within the same time limit. */
        uint64_t deadline = now_ns() + db->busy_timeout_ns;
        for (unsigned attempt = 0;; attempt++) {
                sqlite3_stmt *s = NULL;
                int rc = stmt_get(db, "BEGIN IMMEDIATE", &s);
                if (rc == SQLITE_OK) {
                        rc = sqlite3_step(s);
                        sqlite3_reset(s);
                }
                if (rc == SQLITE_DONE) {
                        db->depth = 1;
                        db->aborted = false;
                        return 0;
                }
                if ((rc & 0xff) != SQLITE_BUSY || now_ns() >= deadline) {
                        int r = db_error(db, rc, err);
                        return cu_error_prefix(err, r, "starting a transaction");
                }
                backoff_sleep(db, attempt);
        }
}

static void transaction_done(struct db *db)
{
        db->depth--;
        if (db->depth == 0)
                db->aborted = false;
}

int db_commit(struct db *db, struct cu_error **err)
{
        int r;

        if (db->depth == 0)
                return cu_error_setx(err, EINVAL, "committing: no transaction is open");

        /* After SQLITE_FULL, IOERR, NOMEM … SQLite may have rolled back the
         * whole transaction already: then nothing here may pretend success. */
        if (db->aborted || sqlite3_get_autocommit(db->sql)) {
                db->aborted = true;
                transaction_done(db);
                return cu_error_setx(err, EIO, "committing: the transaction was rolled back");
        }

        if (db->depth > 1) {
                r = run_stmt(db, "RELEASE cu", err);
                if (r < 0) {
                        db->aborted = true;
                        transaction_done(db);
                        return cu_error_prefix(err, r, "committing a nested transaction");
                }
                transaction_done(db);
                return 0;
        }

        r = run_stmt(db, "COMMIT", err);
        if (r < 0 && !sqlite3_get_autocommit(db->sql))
                (void) run_stmt(db, "ROLLBACK", NULL);
        transaction_done(db);
        if (r < 0)
                return cu_error_prefix(err, r, "committing");
        return 0;
}

void db_rollback(struct db *db)
{
        if (db->depth == 0)
                return;
        if (!sqlite3_get_autocommit(db->sql)) {
                if (db->depth > 1) {
                        if (run_stmt(db, "ROLLBACK TO cu", NULL) < 0 ||
                            run_stmt(db, "RELEASE cu", NULL) < 0)
                                db->aborted = true;
                } else
                        (void) run_stmt(db, "ROLLBACK", NULL);
        }
        transaction_done(db);
}

int db_end(struct db *db, int r, struct cu_error **err)
{
        if (r < 0) {
                db_rollback(db);
                return r;
        }
        int k = db_commit(db, err);
        return k < 0 ? k : r;
}

unsigned db_in_transaction(struct db *db)
{
        return db->depth;
}

/* ---- binders and getters ------------------------------------------------ */

static int bind_result(int rc)
{
        return rc == SQLITE_OK ? 0 : db_errno_from_sqlite(rc);
}

int db_bind_text(sqlite3_stmt *s, int idx, const char *v)
{
        if (!v)
                return bind_result(sqlite3_bind_null(s, idx));
        return bind_result(sqlite3_bind_text(s, idx, v, -1, SQLITE_TRANSIENT));
}

int db_bind_int64(sqlite3_stmt *s, int idx, int64_t v)
{
        return bind_result(sqlite3_bind_int64(s, idx, v));
}

int db_bind_null(sqlite3_stmt *s, int idx)
{
        return bind_result(sqlite3_bind_null(s, idx));
}

int db_bind_int64_or_null(sqlite3_stmt *s, int idx, int64_t v, int64_t null_value)
{
        return v == null_value ? db_bind_null(s, idx) : db_bind_int64(s, idx, v);
}

int db_column_strdup(sqlite3_stmt *s, int col, char **ret)
{
        const unsigned char *t = sqlite3_column_text(s, col);
        if (!t) {
                if (sqlite3_column_type(s, col) != SQLITE_NULL)
                        return -ENOMEM;
                *ret = NULL;
                return 0;
        }
        char *c = strdup((const char *) t);
        if (!c)
                return -ENOMEM;
        *ret = c;
        return 0;
}

bool db_column_is_null(sqlite3_stmt *s, int col)
{
        return sqlite3_column_type(s, col) == SQLITE_NULL;
}

int64_t db_column_int64_or(sqlite3_stmt *s, int col, int64_t null_value)
{
        if (sqlite3_column_type(s, col) == SQLITE_NULL)
                return null_value;
        return sqlite3_column_int64(s, col);
}

/* ---- open / close ------------------------------------------------------- */

/* Creates path (0600) and its parent directory (0700) when missing. */
static int create_db_file(const char *path, struct cu_error **err)
{
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return cu_error_set(err, ENOMEM, "creating %s", path);
        const char *dir = dirname(copy);
        if (access(dir, F_OK) < 0) {
                int r = mkdir_p(dir, 0700);
                if (r < 0)
                        return cu_error_set(err, -r, "creating directory %s", dir);
        }
        _cleanup_close_ int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
        if (fd < 0)
                return cu_error_set(err, errno, "creating %s", path);
        return 0;
}

static int open_connection(struct db *db, struct cu_error **err)
{
        int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
#ifdef SQLITE_OPEN_EXRESCODE
        flags |= SQLITE_OPEN_EXRESCODE;
#endif
        bool created = false;
        for (int attempt = 0;; attempt++) {
                int rc = sqlite3_open_v2(db->path, &db->sql, flags, NULL);
                /* When opening read-write fails, SQLite silently tries
                 * read-only: a file that another process created in between
                 * gives a read-only connection.  Open again. */
                if (rc == SQLITE_OK && sqlite3_db_readonly(db->sql, "main") == 1) {
                        if (attempt < 3) {
                                sqlite3_close(db->sql);
                                db->sql = NULL;
                                continue;
                        }
                        rc = SQLITE_READONLY;
                }
                if (rc == SQLITE_OK)
                        break;
                int r = db_error(db, rc, err);
                sqlite3_close(db->sql);
                db->sql = NULL;
                /* Opening without SQLITE_OPEN_CREATE lets us create the file
                 * ourselves, with our mode, only when it is missing. */
                if (created || rc != SQLITE_CANTOPEN)
                        return r;
                cu_error_clear(err);
                r = create_db_file(db->path, err);
                if (r < 0)
                        return r;
                created = true;
        }
        sqlite3_extended_result_codes(db->sql, 1);
        return 0;
}

/* journal_mode=WAL is stored in the file, so this usually only reads it
 * (reading the mode first would cost the same).  Converting a new database
 * needs it exclusively, and SQLite answers BUSY at once, without its busy
 * handler, when another process has it open: retry here. */
static int set_wal_mode(struct db *db, struct cu_error **err)
{
        uint64_t deadline = now_ns() + db->busy_timeout_ns;
        for (unsigned attempt = 0;; attempt++) {
                sqlite3_stmt *s = NULL;
                int rc = sqlite3_prepare_v2(db->sql, "PRAGMA journal_mode=WAL", -1, &s, NULL);
                if (rc == SQLITE_OK) {
                        rc = sqlite3_step(s);
                        if (rc == SQLITE_ROW) {
                                const char *mode = (const char *) sqlite3_column_text(s, 0);
                                if (!mode || strcmp(mode, "wal") != 0)
                                        log_debug("database %s: journal mode is %s, not wal",
                                                  db->path, strempty(mode));
                                rc = SQLITE_OK;
                        }
                }
                sqlite3_finalize(s);
                if (rc == SQLITE_OK || rc == SQLITE_DONE)
                        return 0;
                int primary = rc & 0xff;
                if ((primary != SQLITE_BUSY && primary != SQLITE_LOCKED) || now_ns() >= deadline) {
                        log_debug("database %s: PRAGMA journal_mode=WAL: %d %s", db->path,
                                  sqlite3_extended_errcode(db->sql), sqlite3_errmsg(db->sql));
                        return db_error(db, rc, err);
                }
                backoff_sleep(db, attempt);
        }
}

static int configure_connection(struct db *db, struct cu_error **err)
{
        sqlite3_busy_handler(db->sql, busy_handler, db);
        sqlite3_db_config(db->sql, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
        sqlite3_wal_hook(db->sql, wal_hook, db);

        int r = set_wal_mode(db, err);
        if (r < 0)
                return cu_error_prefix(err, r, "setting WAL mode");

        return db_exec(db,
                       "PRAGMA synchronous=NORMAL;"
                       "PRAGMA foreign_keys=ON;"
                       "PRAGMA temp_store=MEMORY;",
                       err);
}

int db_open(const char *path, struct db **ret, struct cu_error **err)
{
        if (!path || !*path)
                return cu_error_setx(err, EINVAL, "opening the database: no path");

        _cleanup_db_ struct db *db = calloc(1, sizeof(*db));
        if (!db)
                return cu_error_set(err, ENOMEM, "opening database %s", path);
        db->path = strdup(path);
        if (!db->path)
                return cu_error_set(err, ENOMEM, "opening database %s", path);
        if (getrandom(&db->rng, sizeof(db->rng), GRND_NONBLOCK) != sizeof(db->rng) || !db->rng)
                db->rng = (uint32_t) getpid() * 2654435761U + (uint32_t) now_ns();
        if (!db->rng)
                db->rng = 1;
        db_set_busy_timeout(db, DB_BUSY_TIMEOUT_MS);

        int r = open_connection(db, err);
        if (r >= 0)
                r = configure_connection(db, err);
        if (r < 0)
                return cu_error_prefix(err, r, "opening database %s", path);

        *ret = TAKE_PTR(db);
        return 0;
}

struct db *db_close(struct db *db)
{
        if (!db)
                return NULL;
        if (db->sql && !sqlite3_get_autocommit(db->sql))
                sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
        if (db->sql && db->wal_frames >= DB_WAL_TRUNCATE_FRAMES) {
                /* Best effort: busy others make it give up soon. */
                db_set_busy_timeout(db, CLOSE_CHECKPOINT_WAIT_MS);
                int rc = sqlite3_wal_checkpoint_v2(db->sql, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL,
                                                   NULL);
                if (rc != SQLITE_OK)
                        log_debug("database %s: checkpoint at close: %s", db->path,
                                  sqlite3_errmsg(db->sql));
        }
        for (size_t i = 0; i < db->n_slots; i++)
                if (db->slots[i].stmt)
                        sqlite3_finalize(db->slots[i].stmt);
        free(db->slots);
        if (db->sql)
                sqlite3_close(db->sql);
        free(db->path);
        free(db);
        return NULL;
}

/* ---- migrations --------------------------------------------------------- */

/* The recorded version of component (0 when none): 0 or -errno; *ret_missing
 * when the schema table does not exist yet. */
static int schema_version(struct db *db, const char *component, int64_t *ret, bool *ret_missing,
                          struct cu_error **err)
{
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int rc = stmt_get(db, "SELECT version FROM schema WHERE component = ?1", &s);
        if (rc != SQLITE_OK) {
                if (rc == SQLITE_ERROR && ret_missing) {
                        /* "no such table: schema" */
                        *ret_missing = true;
                        *ret = 0;
                        return 0;
                }
                return db_error(db, rc, err);
        }
        int r = db_bind_text(s, 1, component);
        if (r < 0)
                return cu_error_set(err, -r, "binding");
        r = db_step(db, s, err);
        if (r < 0)
                return r;
        *ret = r > 0 ? sqlite3_column_int64(s, 0) : 0;
        if (ret_missing)
                *ret_missing = false;
        return 0;
}

static int version_too_new(const char *component, int64_t v, size_t n, struct cu_error **err)
{
        return cu_error_setx(err, EPROTO,
                             "database schema for %s is version %lld, this cuttle knows up to %zu",
                             component, (long long) v, n);
}

static int migrate_locked(struct db *db, const char *component, const char *const *steps,
                          size_t n, struct cu_error **err)
{
        int r = db_exec(db,
                        "CREATE TABLE IF NOT EXISTS schema ("
                        "component TEXT PRIMARY KEY, version INTEGER NOT NULL)",
                        err);
        if (r < 0)
                return r;

        int64_t v = 0;
        r = schema_version(db, component, &v, NULL, err);
        if (r < 0)
                return r;
        if (v > (int64_t) n)
                return version_too_new(component, v, n, err);
        if (v == (int64_t) n)
                return 0; /* another process did it while we waited */

        for (size_t i = (size_t) v; i < n; i++) {
                r = db_exec(db, steps[i], err);
                if (r < 0)
                        return cu_error_prefix(err, r, "step %zu", i + 1);
        }

        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db,
                "INSERT INTO schema(component, version) VALUES (?1, ?2) "
                "ON CONFLICT(component) DO UPDATE SET version = excluded.version", err);
        if (!s)
                return err && *err ? -(*err)->errnum : -EIO;
        if ((r = db_bind_text(s, 1, component)) < 0 || (r = db_bind_int64(s, 2, (int64_t) n)) < 0)
                return cu_error_set(err, -r, "binding");
        r = db_step(db, s, err);
        if (r < 0)
                return r;
        log_debug("database %s: schema for %s migrated from version %lld to %zu", db->path,
                  component, (long long) v, n);
        return 0;
}

static void remember_migrated(struct db *db, const char *const *steps, size_t n)
{
        /* inside an open transaction the schema may still be rolled back */
        if (db->depth == 0 && db->n_migrated < ELEMENTSOF(db->migrated)) {
                db->migrated[db->n_migrated].steps = steps;
                db->migrated[db->n_migrated++].n = n;
        }
}

int db_migrate(struct db *db, const char *component, const char *const *steps, size_t n,
               struct cu_error **err)
{
        for (size_t i = 0; i < db->n_migrated; i++)
                if (db->migrated[i].steps == steps && db->migrated[i].n == n)
                        return 0;
        int64_t v = 0;
        bool missing = false;
        int r = schema_version(db, component, &v, &missing, err);
        if (r < 0)
                return cu_error_prefix(err, r, "reading the schema version of %s", component);
        if (!missing && v == (int64_t) n) {
                remember_migrated(db, steps, n);
                return 0;
        }
        if (!missing && v > (int64_t) n)
                return version_too_new(component, v, n, err);

        r = db_begin(db, err);
        if (r < 0)
                return cu_error_prefix(err, r, "migrating the schema of %s", component);
        r = migrate_locked(db, component, steps, n, err);
        r = db_end(db, r, err);
        if (r >= 0)
                remember_migrated(db, steps, n);
        if (r < 0 && r != -EPROTO)
                return cu_error_prefix(err, r, "migrating the schema of %s", component);
        return r;
}
