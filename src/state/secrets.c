/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The secrets table (secrets.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "state/secrets.h"

static const char *const schema_steps[] = {
        /* 1 */
        "CREATE TABLE secrets ("
        " id TEXT PRIMARY KEY NOT NULL,"
        " name TEXT UNIQUE NOT NULL,"
        " driver TEXT NOT NULL,"
        " driver_opts TEXT NOT NULL,"
        " labels TEXT NOT NULL,"
        " created INTEGER NOT NULL,"
        " updated INTEGER NOT NULL"
        ");",
};

#define COLUMNS "id, name, driver, driver_opts, labels, created, updated"
static const char SQL_INSERT[] = "INSERT INTO secrets (" COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char SQL_UPDATE[] =
        "UPDATE secrets SET driver = ?2, driver_opts = ?3, labels = ?4, updated = ?5 WHERE id = ?1";
static const char SQL_BY_NAME_OR_ID[] =
        "SELECT " COLUMNS " FROM secrets WHERE name = ?1 UNION ALL "
        "SELECT " COLUMNS " FROM secrets WHERE id = ?1 LIMIT 1";
static const char SQL_BY_PREFIX[] =
        "SELECT " COLUMNS " FROM secrets WHERE substr(id, 1, length(?1)) = ?1 LIMIT 2";
static const char SQL_LIST[] = "SELECT " COLUMNS " FROM secrets ORDER BY created, id";
static const char SQL_DELETE[] = "DELETE FROM secrets WHERE id = ?1";

int secret_db_init(struct db *db, struct cu_error **err)
{
        return db_migrate(db, "secrets", schema_steps, ELEMENTSOF(schema_steps), err);
}

struct secret_rec *secret_rec_free(struct secret_rec *r)
{
        if (!r)
                return NULL;
        free(r->name);
        free(r->driver);
        free(r->driver_opts);
        free(r->labels);
        free(r);
        return NULL;
}

void secret_rec_list_free(struct secret_rec **v)
{
        for (struct secret_rec **p = v; p && *p; p++)
                secret_rec_free(*p);
        free(v);
}

static bool alnum(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool secret_name_valid(const char *name)
{
        size_t n = name ? strlen(name) : 0;
        if (n < 1 || n > 64 || !alnum(name[0]) || !alnum(name[n - 1]))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!alnum(name[i]) && name[i] != '-' && name[i] != '_' && name[i] != '.')
                        return false;
        return true;
}

int secret_id_generate(char out[SECRET_ID_LEN + 1])
{
        static const char hex[] = "0123456789abcdef";
        unsigned char buf[(SECRET_ID_LEN + 1) / 2];
        size_t got = 0;
        while (got < sizeof buf) {
                ssize_t n = getrandom(buf + got, sizeof buf - got, 0);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                got += (size_t) n;
        }
        for (size_t i = 0; i < SECRET_ID_LEN; i++)
                out[i] = hex[(i % 2 ? buf[i / 2] : buf[i / 2] >> 4) & 0xf];
        out[SECRET_ID_LEN] = '\0';
        return 0;
}

static int stmt_error(struct cu_error **err)
{
        return err && *err && (*err)->errnum ? -(*err)->errnum : -EIO;
}

static int from_row(sqlite3_stmt *s, struct secret_rec **ret, struct cu_error **err)
{
        _cleanup_secret_rec_ struct secret_rec *r = calloc(1, sizeof *r);
        if (!r)
                return cu_error_set(err, ENOMEM, "reading secret record");
        const char *id = (const char *) sqlite3_column_text(s, 0);
        if (!id || strlen(id) != SECRET_ID_LEN)
                return cu_error_setx(err, EUCLEAN, "secret record with a bad ID \"%s\"", id ? id : "");
        memcpy(r->id, id, SECRET_ID_LEN + 1);
        if (db_column_strdup(s, 1, &r->name) < 0 || db_column_strdup(s, 2, &r->driver) < 0 ||
            db_column_strdup(s, 3, &r->driver_opts) < 0 || db_column_strdup(s, 4, &r->labels) < 0)
                return cu_error_set(err, ENOMEM, "reading secret record");
        if (!r->name || !r->driver || !r->driver_opts || !r->labels)
                return cu_error_setx(err, EUCLEAN, "secret record %s is incomplete", r->id);
        r->created = db_column_int64_or(s, 5, 0);
        r->updated = db_column_int64_or(s, 6, 0);
        *ret = TAKE_PTR(r);
        return 0;
}

int secret_add(struct db *db, const struct secret_rec *rec, struct cu_error **err)
{
        if (!secret_name_valid(rec->name))
                return cu_error_setx(err, EINVAL,
                                     "only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]: %s: invalid secret name",
                                     rec->name ? rec->name : "");
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, SQL_INSERT, err);
        if (!s)
                return stmt_error(err);
        int r;
        if ((r = db_bind_text(s, 1, rec->id)) < 0 || (r = db_bind_text(s, 2, rec->name)) < 0 ||
            (r = db_bind_text(s, 3, rec->driver)) < 0 ||
            (r = db_bind_text(s, 4, rec->driver_opts ? rec->driver_opts : "{}")) < 0 ||
            (r = db_bind_text(s, 5, rec->labels ? rec->labels : "{}")) < 0 ||
            (r = db_bind_int64(s, 6, rec->created)) < 0 || (r = db_bind_int64(s, 7, rec->updated)) < 0)
                return cu_error_set(err, -r, "binding");
        cu_error_clear(err);
        r = db_step(db, s, err);
        if (r == -EEXIST) {
                cu_error_clear(err);
                return cu_error_setx(err, EEXIST, "%s: secret name in use", rec->name);
        }
        return r < 0 ? cu_error_prefix(err, r, "adding secret %s", rec->name) : 0;
}

int secret_update(struct db *db, const struct secret_rec *rec, struct cu_error **err)
{
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, SQL_UPDATE, err);
        if (!s)
                return stmt_error(err);
        int r;
        if ((r = db_bind_text(s, 1, rec->id)) < 0 || (r = db_bind_text(s, 2, rec->driver)) < 0 ||
            (r = db_bind_text(s, 3, rec->driver_opts ? rec->driver_opts : "{}")) < 0 ||
            (r = db_bind_text(s, 4, rec->labels ? rec->labels : "{}")) < 0 ||
            (r = db_bind_int64(s, 5, rec->updated)) < 0)
                return cu_error_set(err, -r, "binding");
        r = db_step(db, s, err);
        if (r < 0)
                return cu_error_prefix(err, r, "updating secret %s", rec->id);
        if (db_changes(db) == 0)
                return cu_error_setx(err, ENOENT, "no secret with name or id \"%s\": no such secret",
                                     rec->id);
        return 0;
}

static bool lower_hex(const char *s)
{
        for (; *s; s++)
                if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
                        return false;
        return true;
}

int secret_get(struct db *db, const char *name_or_id, struct secret_rec **ret,
               struct cu_error **err)
{
        const char *arg = name_or_id ? name_or_id : "";
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, SQL_BY_NAME_OR_ID, err);
        if (!s)
                return stmt_error(err);
        int r = db_bind_text(s, 1, arg);
        if (r < 0)
                return cu_error_set(err, -r, "binding");
        r = db_step(db, s, err);
        if (r < 0)
                return cu_error_prefix(err, r, "looking up secret \"%s\"", arg);
        if (r > 0)
                return from_row(s, ret, err);
        if (*arg && strlen(arg) < SECRET_ID_LEN && lower_hex(arg)) {
                _cleanup_stmt_ sqlite3_stmt *p = db_stmt(db, SQL_BY_PREFIX, err);
                if (!p)
                        return stmt_error(err);
                if ((r = db_bind_text(p, 1, arg)) < 0)
                        return cu_error_set(err, -r, "binding");
                r = db_step(db, p, err);
                if (r < 0)
                        return cu_error_prefix(err, r, "looking up secret \"%s\"", arg);
                if (r > 0) {
                        _cleanup_secret_rec_ struct secret_rec *found = NULL;
                        r = from_row(p, &found, err);
                        if (r < 0)
                                return r;
                        r = db_step(db, p, err);
                        if (r < 0)
                                return r;
                        if (r > 0)
                                return cu_error_setx(err, ENOTUNIQ,
                                                     "more than one result secret with prefix %s: secret is ambiguous",
                                                     arg);
                        *ret = TAKE_PTR(found);
                        return 0;
                }
        }
        return cu_error_setx(err, ENOENT, "no secret with name or id \"%s\": no such secret", arg);
}

int secret_list(struct db *db, struct secret_rec ***ret, size_t *ret_n, struct cu_error **err)
{
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, SQL_LIST, err);
        if (!s)
                return stmt_error(err);
        struct secret_rec **v = calloc(1, sizeof *v);
        size_t n = 0;
        if (!v)
                return -ENOMEM;
        for (;;) {
                int r = db_step(db, s, err);
                if (r == 0)
                        break;
                struct secret_rec **nv = r > 0 ? realloc(v, (n + 2) * sizeof *v) : NULL;
                if (nv)
                        v = nv;
                if (r < 0 || !nv || (r = from_row(s, &v[n], err)) < 0) {
                        v[n] = NULL;
                        secret_rec_list_free(v);
                        return r < 0 ? cu_error_prefix(err, r, "listing secrets") : -ENOMEM;
                }
                v[++n] = NULL;
        }
        *ret = v;
        if (ret_n)
                *ret_n = n;
        return 0;
}

int secret_delete(struct db *db, const char *id, struct cu_error **err)
{
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, SQL_DELETE, err);
        if (!s)
                return stmt_error(err);
        int r = db_bind_text(s, 1, id);
        if (r < 0)
                return cu_error_set(err, -r, "binding");
        r = db_step(db, s, err);
        if (r < 0)
                return cu_error_prefix(err, r, "removing secret %s", id);
        if (db_changes(db) == 0)
                return cu_error_setx(err, ENOENT, "no secret with name or id \"%s\": no such secret", id);
        return 0;
}
