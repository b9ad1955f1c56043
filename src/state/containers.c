/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "state/containers.h"

static const char *const state_names[_CTR_STATE_MAX] = {
        [CTR_STATE_CONFIGURED] = "configured",
        [CTR_STATE_CREATED] = "created",
        [CTR_STATE_RUNNING] = "running",
        [CTR_STATE_PAUSED] = "paused",
        [CTR_STATE_STOPPING] = "stopping",
        [CTR_STATE_STOPPED] = "stopped",
        [CTR_STATE_EXITED] = "exited",
        [CTR_STATE_REMOVING] = "removing",
        [CTR_STATE_INITIALIZED] = "initialized",
};

const char *ctr_state_to_string(enum ctr_state s)
{
        if (s < 0 || s >= _CTR_STATE_MAX)
                return NULL;
        return state_names[s];
}

enum ctr_state ctr_state_from_string(const char *s)
{
        if (!s)
                return _CTR_STATE_INVALID;
        for (int i = 0; i < _CTR_STATE_MAX; i++)
                if (strcmp(s, state_names[i]) == 0)
                        return (enum ctr_state) i;
        return _CTR_STATE_INVALID;
}

/* ---- schema ------------------------------------------------------------- */

static const char *const schema_steps[] = {
        /* 1 */
        "CREATE TABLE containers ("
        " id TEXT PRIMARY KEY NOT NULL,"
        " name TEXT UNIQUE NOT NULL," /* UNIQUE: the index on name */
        " image_id TEXT,"
        " image_name TEXT,"
        " pod_id TEXT,"
        " created INTEGER NOT NULL,"
        " state TEXT NOT NULL,"
        " pid INTEGER,"
        " exit_code INTEGER,"
        " started_at INTEGER,"
        " finished_at INTEGER,"
        " config TEXT NOT NULL,"
        " extra TEXT"
        ");"
        "CREATE INDEX containers_state ON containers(state);"
        "CREATE INDEX containers_pod ON containers(pod_id);",
};

int ctr_db_init(struct db *db, struct cu_error **err)
{
        return db_migrate(db, "containers", schema_steps, ELEMENTSOF(schema_steps), err);
}

/* ---- ids and names ------------------------------------------------------ */

static bool is_lower_hex(char c)
{
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool all_lower_hex(const char *s)
{
        for (; *s; s++)
                if (!is_lower_hex(*s))
                        return false;
        return true;
}

bool ctr_id_valid(const char *id)
{
        return id && strlen(id) == CTR_ID_LEN && all_lower_hex(id);
}

static bool name_char(char c, bool first)
{
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
                return true;
        return !first && (c == '_' || c == '.' || c == '-');
}

bool ctr_name_valid(const char *name)
{
        if (!name || !*name)
                return false;
        for (const char *p = name; *p; p++)
                if (!name_char(*p, p == name))
                        return false;
        return true;
}

int ctr_id_generate(char out[CTR_ID_LEN + 1])
{
        static const char hex[] = "0123456789abcdef";
        unsigned char buf[CTR_ID_LEN / 2];

        for (;;) {
                size_t got = 0;
                while (got < sizeof(buf)) {
                        ssize_t n = getrandom(buf + got, sizeof(buf) - got, 0);
                        if (n < 0) {
                                if (errno == EINTR)
                                        continue;
                                return -errno;
                        }
                        got += (size_t) n;
                }
                for (size_t i = 0; i < sizeof(buf); i++) {
                        out[2 * i] = hex[buf[i] >> 4];
                        out[2 * i + 1] = hex[buf[i] & 0xf];
                }
                out[CTR_ID_LEN] = '\0';

                /* A short ID of only digits reads as a number (podman's
                 * stringid rule): draw again. */
                bool digits = true;
                for (int i = 0; i < 12 && digits; i++)
                        digits = out[i] >= '0' && out[i] <= '9';
                if (!digits)
                        return 0;
        }
}

/* ---- records ------------------------------------------------------------ */

struct ctr_record *ctr_record_free(struct ctr_record *r)
{
        if (!r)
                return NULL;
        free(r->name);
        free(r->image_id);
        free(r->image_name);
        free(r->pod_id);
        free(r->config);
        free(r->extra);
        free(r);
        return NULL;
}

void ctr_record_list_free(struct ctr_record **v)
{
        if (!v)
                return;
        for (struct ctr_record **i = v; *i; i++)
                ctr_record_free(*i);
        free(v);
}

#define COLUMNS                                                                                    \
        "id, name, image_id, image_name, pod_id, created, state, pid, exit_code, started_at, "     \
        "finished_at, config, extra"

static const char SQL_INSERT[] =
        "INSERT INTO containers (" COLUMNS ") "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?8, ?9, ?10, ?11, ?12, ?7, ?13)";
static const char SQL_BY_ID[] = "SELECT " COLUMNS " FROM containers WHERE id = ?1";
static const char SQL_BY_ID_OR_NAME[] = "SELECT id FROM containers WHERE id = ?1 OR name = ?1 "
                                        "ORDER BY id = ?1 DESC LIMIT 1";
static const char SQL_BY_PREFIX[] =
        "SELECT id FROM containers WHERE id >= ?1 AND id < ?1 || 'g' LIMIT 2";
static const char SQL_ID_BY_NAME[] = "SELECT id FROM containers WHERE name = ?1";
static const char SQL_LIST[] = "SELECT " COLUMNS " FROM containers ORDER BY created, id";
static const char SQL_UPDATE_STATE[] =
        "UPDATE containers SET state = ?2, pid = ?3, exit_code = ?4, started_at = ?5, "
        "finished_at = ?6, extra = ?7 WHERE id = ?1";
static const char SQL_SET_CONFIG[] = "UPDATE containers SET config = ?2 WHERE id = ?1";
static const char SQL_RENAME[] = "UPDATE containers SET name = ?2 WHERE id = ?1";
static const char SQL_DELETE[] = "DELETE FROM containers WHERE id = ?1";

/* The errno that db_stmt() recorded (it returns NULL). */
static int stmt_error(struct cu_error **err)
{
        return err && *err && (*err)->errnum ? -(*err)->errnum : -EIO;
}

/* Reads the current row (in COLUMNS order). */
static int record_from_row(sqlite3_stmt *s, struct ctr_record **ret, struct cu_error **err)
{
        _cleanup_ctr_record_ struct ctr_record *r = calloc(1, sizeof(*r));
        if (!r)
                return cu_error_set(err, ENOMEM, "reading container record");

        const char *id = (const char *) sqlite3_column_text(s, 0);
        const char *state = (const char *) sqlite3_column_text(s, 6);
        if (!id || strlen(id) != CTR_ID_LEN)
                return cu_error_setx(err, EUCLEAN, "container record with a bad ID \"%s\"",
                                     strempty(id));
        memcpy(r->id, id, CTR_ID_LEN + 1);
        r->state = ctr_state_from_string(state);
        if (r->state < 0)
                return cu_error_setx(err, EUCLEAN, "container %s has an unknown state \"%s\"",
                                     r->id, strempty(state));

        if (db_column_strdup(s, 1, &r->name) < 0 || db_column_strdup(s, 2, &r->image_id) < 0 ||
            db_column_strdup(s, 3, &r->image_name) < 0 || db_column_strdup(s, 4, &r->pod_id) < 0 ||
            db_column_strdup(s, 11, &r->config) < 0 || db_column_strdup(s, 12, &r->extra) < 0)
                return cu_error_set(err, ENOMEM, "reading container %s", r->id);

        r->created = sqlite3_column_int64(s, 5);
        r->pid = db_column_int64_or(s, 7, 0);
        r->has_exit_code = !db_column_is_null(s, 8);
        r->exit_code = (int) sqlite3_column_int64(s, 8);
        r->started_at = db_column_int64_or(s, 9, 0);
        r->finished_at = db_column_int64_or(s, 10, 0);
        *ret = TAKE_PTR(r);
        return 0;
}

static int not_found_by_id(const char *id, struct cu_error **err)
{
        return cu_error_setx(err, ENOENT,
                             "no container with ID %s found in database: no such container", id);
}

static int name_in_use(struct db *db, const char *name, struct cu_error **err)
{
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, SQL_ID_BY_NAME, err);
        if (!s)
                return stmt_error(err);
        int r = db_bind_text(s, 1, name);
        if (r < 0)
                return cu_error_set(err, -r, "binding");
        r = db_step(db, s, err);
        if (r < 0)
                return r;
        const char *holder = r > 0 ? (const char *) sqlite3_column_text(s, 0) : NULL;
        return cu_error_setx(err, EEXIST,
                             "the container name \"%s\" is already in use by %s. You have to "
                             "remove that container to be able to reuse that name: that name is "
                             "already in use",
                             name, holder ? holder : "another container");
}

/* Binds the lifecycle fields to ?first … ?first+5 (state, pid, exit code,
 * started_at, finished_at, extra): the same block in INSERT and UPDATE. */
static int bind_state(sqlite3_stmt *s, const struct ctr_record *rec, int first)
{
        int r;
        if ((r = db_bind_text(s, first, ctr_state_to_string(rec->state))) < 0 ||
            (r = db_bind_int64_or_null(s, first + 1, rec->pid, 0)) < 0 ||
            (r = rec->has_exit_code ? db_bind_int64(s, first + 2, rec->exit_code)
                                    : db_bind_null(s, first + 2)) < 0 ||
            (r = db_bind_int64_or_null(s, first + 3, rec->started_at, 0)) < 0 ||
            (r = db_bind_int64_or_null(s, first + 4, rec->finished_at, 0)) < 0 ||
            (r = db_bind_text(s, first + 5, rec->extra)) < 0)
                return r;
        return 0;
}

static int insert(struct db *db, const struct ctr_record *rec, struct cu_error **err)
{
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, SQL_INSERT, err);
        if (!s)
                return stmt_error(err);
        int r;
        if ((r = db_bind_text(s, 1, rec->id)) < 0 || (r = db_bind_text(s, 2, rec->name)) < 0 ||
            (r = db_bind_text(s, 3, rec->image_id)) < 0 ||
            (r = db_bind_text(s, 4, rec->image_name)) < 0 ||
            (r = db_bind_text(s, 5, rec->pod_id)) < 0 ||
            (r = db_bind_int64(s, 6, rec->created)) < 0 ||
            (r = db_bind_text(s, 7, rec->config)) < 0 || (r = bind_state(s, rec, 8)) < 0)
                return cu_error_set(err, -r, "binding");

        r = db_step(db, s, err);
        if (r != -EEXIST)
                return r;
        int ext = sqlite3_extended_errcode(db_handle(db));
        sqlite3_reset(s);
        if (ext == SQLITE_CONSTRAINT_PRIMARYKEY)
                return cu_error_setx(err, EEXIST, "container ID %s already exists", rec->id);
        return name_in_use(db, rec->name, err);
}

int ctr_add(struct db *db, const struct ctr_record *rec, struct cu_error **err)
{
        if (!ctr_id_valid(rec->id))
                return cu_error_setx(err, EINVAL, "invalid container ID \"%s\"", rec->id);
        if (!ctr_name_valid(rec->name))
                return cu_error_setx(err, EINVAL,
                                     "container name \"%s\": names must match "
                                     "[a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument",
                                     strempty(rec->name));
        if (!ctr_state_to_string(rec->state))
                return cu_error_setx(err, EINVAL, "container %s: invalid state %d", rec->id,
                                     (int) rec->state);
        if (!rec->config)
                return cu_error_setx(err, EINVAL, "container %s: no config", rec->id);

        /* One transaction, so that a name conflict names the holder that
         * made the insert fail. */
        int r = db_begin(db, err);
        if (r < 0)
                return cu_error_prefix(err, r, "adding container %s", rec->name);
        r = insert(db, rec, err);
        r = db_end(db, r, err);
        if (r < 0 && r != -EEXIST)
                return cu_error_prefix(err, r, "adding container %s", rec->name);
        return r;
}

/* The full ID of the row that sql (one parameter, selecting id) finds
 * first; 1 found, 0 not found, 2 more than one. */
static int find_id(struct db *db, const char *sql, const char *arg, char ret_id[CTR_ID_LEN + 1],
                   struct cu_error **err)
{
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, sql, err);
        if (!s)
                return stmt_error(err);
        int r = db_bind_text(s, 1, arg);
        if (r < 0)
                return cu_error_set(err, -r, "binding");
        r = db_step(db, s, err);
        if (r <= 0)
                return r;
        const char *id = (const char *) sqlite3_column_text(s, 0);
        if (!id || strlen(id) != CTR_ID_LEN)
                return cu_error_setx(err, EUCLEAN, "container record with a bad ID \"%s\"",
                                     strempty(id));
        memcpy(ret_id, id, CTR_ID_LEN + 1);
        r = db_step(db, s, err);
        if (r < 0)
                return r;
        return r > 0 ? 2 : 1;
}

int ctr_lookup_id(struct db *db, const char *id_or_name, char ret_id[CTR_ID_LEN + 1],
                  struct cu_error **err)
{
        char id[CTR_ID_LEN + 1];

        if (!id_or_name || !*id_or_name)
                return cu_error_setx(err, EINVAL, "no container name or ID given");

        int r = find_id(db, SQL_BY_ID_OR_NAME, id_or_name, id, err);
        if (r == 0 && strlen(id_or_name) < CTR_ID_LEN && all_lower_hex(id_or_name)) {
                r = find_id(db, SQL_BY_PREFIX, id_or_name, id, err);
                if (r == 2)
                        return cu_error_setx(err, ENOTUNIQ,
                                             "more than one result for container ID %s: container "
                                             "already exists",
                                             id_or_name);
        }
        if (r < 0)
                return cu_error_prefix(err, r, "looking up container \"%s\"", id_or_name);
        if (r == 0)
                return cu_error_setx(err, ENOENT,
                                     "no container with name or ID \"%s\" found: no such container",
                                     id_or_name);
        memcpy(ret_id, id, sizeof(id));
        return 0;
}

int ctr_get_by_id(struct db *db, const char *id, struct ctr_record **ret, struct cu_error **err)
{
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, SQL_BY_ID, err);
        if (!s)
                return cu_error_prefix(err, stmt_error(err), "reading container %s", id);
        int r = db_bind_text(s, 1, id);
        if (r < 0)
                return cu_error_set(err, -r, "reading container %s", id);
        r = db_step(db, s, err);
        if (r < 0)
                return cu_error_prefix(err, r, "reading container %s", id);
        if (r == 0)
                return not_found_by_id(id, err);
        return record_from_row(s, ret, err);
}

int ctr_get(struct db *db, const char *id_or_name, struct ctr_record **ret,
            struct cu_error **err)
{
        char id[CTR_ID_LEN + 1];
        int r = ctr_lookup_id(db, id_or_name, id, err);
        if (r < 0)
                return r;
        r = ctr_get_by_id(db, id, ret, err);
        if (r == -ENOENT) /* removed between the two reads */
                return cu_error_setx(err, ENOENT,
                                     "no container with name or ID \"%s\" found: no such container",
                                     id_or_name);
        return r;
}

int ctr_list(struct db *db, struct ctr_record ***ret, size_t *ret_n, struct cu_error **err)
{
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, SQL_LIST, err);
        if (!s)
                return cu_error_prefix(err, stmt_error(err), "listing containers");

        _cleanup_ctr_record_list_ struct ctr_record **v = calloc(1, sizeof(*v));
        size_t n = 0, allocated = 1;
        if (!v)
                return cu_error_set(err, ENOMEM, "listing containers");
        for (;;) {
                int r = db_step(db, s, err);
                if (r < 0)
                        return cu_error_prefix(err, r, "listing containers");
                if (r == 0)
                        break;
                if (n + 1 >= allocated) {
                        size_t a = allocated * 2;
                        struct ctr_record **nv = reallocarray(v, a, sizeof(*v));
                        if (!nv)
                                return cu_error_set(err, ENOMEM, "listing containers");
                        v = nv;
                        allocated = a;
                }
                r = record_from_row(s, &v[n], err);
                if (r < 0)
                        return cu_error_prefix(err, r, "listing containers");
                v[++n] = NULL;
        }
        if (ret_n)
                *ret_n = n;
        *ret = TAKE_PTR(v);
        return 0;
}

/* Runs an UPDATE/DELETE keyed by id (?1); -ENOENT when no row changed. */
static int run_by_id(struct db *db, sqlite3_stmt *s, const char *id, struct cu_error **err)
{
        int r = db_step(db, s, err);
        if (r < 0)
                return r;
        if (db_changes(db) == 0)
                return not_found_by_id(id, err);
        return 0;
}

int ctr_update_state(struct db *db, const struct ctr_record *rec, struct cu_error **err)
{
        if (!ctr_state_to_string(rec->state))
                return cu_error_setx(err, EINVAL, "updating container %s: invalid state %d",
                                     rec->id, (int) rec->state);
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, SQL_UPDATE_STATE, err);
        if (!s)
                return cu_error_prefix(err, stmt_error(err), "updating container %s", rec->id);
        int r = db_bind_text(s, 1, rec->id);
        if (r >= 0)
                r = bind_state(s, rec, 2);
        if (r < 0)
                return cu_error_set(err, -r, "updating container %s", rec->id);
        r = run_by_id(db, s, rec->id, err);
        if (r < 0 && r != -ENOENT)
                return cu_error_prefix(err, r, "updating container %s", rec->id);
        return r;
}

int ctr_set_config(struct db *db, const char *id, const char *config, struct cu_error **err)
{
        if (!config)
                return cu_error_setx(err, EINVAL, "updating container %s: no config", id);
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, SQL_SET_CONFIG, err);
        if (!s)
                return cu_error_prefix(err, stmt_error(err), "updating container %s", id);
        int r = db_bind_text(s, 1, id);
        if (r >= 0)
                r = db_bind_text(s, 2, config);
        if (r < 0)
                return cu_error_set(err, -r, "updating container %s", id);
        r = run_by_id(db, s, id, err);
        if (r < 0 && r != -ENOENT)
                return cu_error_prefix(err, r, "updating container %s", id);
        return r;
}

static int rename_locked(struct db *db, const char *id, const char *new_name,
                         struct cu_error **err)
{
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, SQL_RENAME, err);
        if (!s)
                return stmt_error(err);
        int r = db_bind_text(s, 1, id);
        if (r >= 0)
                r = db_bind_text(s, 2, new_name);
        if (r < 0)
                return cu_error_set(err, -r, "binding");
        r = run_by_id(db, s, id, err);
        if (r != -EEXIST)
                return r;
        sqlite3_reset(s);
        return name_in_use(db, new_name, err);
}

int ctr_rename(struct db *db, const char *id, const char *new_name, struct cu_error **err)
{
        if (!ctr_name_valid(new_name))
                return cu_error_setx(err, EINVAL,
                                     "container name \"%s\": names must match "
                                     "[a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument",
                                     strempty(new_name));
        int r = db_begin(db, err);
        if (r < 0)
                return cu_error_prefix(err, r, "renaming container %s", id);
        r = rename_locked(db, id, new_name, err);
        r = db_end(db, r, err);
        if (r < 0 && r != -EEXIST && r != -ENOENT)
                return cu_error_prefix(err, r, "renaming container %s", id);
        return r;
}

int ctr_remove(struct db *db, const char *id, struct cu_error **err)
{
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, SQL_DELETE, err);
        if (!s)
                return cu_error_prefix(err, stmt_error(err), "removing container %s", id);
        int r = db_bind_text(s, 1, id);
        if (r < 0)
                return cu_error_set(err, -r, "removing container %s", id);
        r = run_by_id(db, s, id, err);
        if (r < 0 && r != -ENOENT)
                return cu_error_prefix(err, r, "removing container %s", id);
        return r;
}
