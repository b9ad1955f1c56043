/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "state/volumes.h"

static const char *const schema_steps[] = {
        /* 1 */
        "CREATE TABLE volumes ("
        " name TEXT PRIMARY KEY NOT NULL,"
        " driver TEXT NOT NULL,"
        " mountpoint TEXT NOT NULL,"
        " created INTEGER NOT NULL,"
        " labels TEXT NOT NULL,"
        " options TEXT NOT NULL,"
        " anonymous INTEGER NOT NULL,"
        " needs_copy_up INTEGER NOT NULL,"
        " needs_chown INTEGER NOT NULL,"
        " mounted_by TEXT NOT NULL"
        ");",
};

int vol_db_init(struct db *db, struct cu_error **err)
{
        return db_migrate(db, "volumes", schema_steps, ELEMENTSOF(schema_steps), err);
}

bool vol_name_valid(const char *name)
{
        if (!name || !*name)
                return false;
        for (const char *p = name; *p; p++) {
                char c = *p;
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                          (p != name && (c == '_' || c == '.' || c == '-'));
                if (!ok)
                        return false;
        }
        return true;
}

struct vol_record *vol_record_free(struct vol_record *v)
{
        if (!v)
                return NULL;
        free(v->name);
        free(v->driver);
        free(v->mountpoint);
        free(v->labels);
        free(v->options);
        free(v->mounted_by);
        free(v);
        return NULL;
}

void vol_record_list_free(struct vol_record **v)
{
        if (!v)
                return;
        for (struct vol_record **i = v; *i; i++)
                vol_record_free(*i);
        free(v);
}

#define COLUMNS                                                                                    \
        "name, driver, mountpoint, created, labels, options, anonymous, needs_copy_up, "          \
        "needs_chown, mounted_by"

static const char SQL_INSERT[] = "INSERT INTO volumes (" COLUMNS ") "
                                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
static const char SQL_BY_NAME[] = "SELECT " COLUMNS " FROM volumes WHERE name = ?1";
static const char SQL_BY_PREFIX[] = "SELECT " COLUMNS " FROM volumes "
                                    "WHERE substr(name, 1, length(?1)) = ?1 LIMIT 2";
static const char SQL_LIST[] = "SELECT " COLUMNS " FROM volumes ORDER BY name";
static const char SQL_UPDATE[] = "UPDATE volumes SET needs_copy_up = ?2, needs_chown = ?3, "
                                 "mounted_by = ?4 WHERE name = ?1";
static const char SQL_DELETE[] = "DELETE FROM volumes WHERE name = ?1";

static int stmt_error(struct cu_error **err)
{
        return err && *err && (*err)->errnum ? -(*err)->errnum : -EIO;
}

static int from_row(sqlite3_stmt *s, struct vol_record **ret, struct cu_error **err)
{
        _cleanup_vol_record_ struct vol_record *v = calloc(1, sizeof(*v));
        if (!v || db_column_strdup(s, 0, &v->name) < 0 || db_column_strdup(s, 1, &v->driver) < 0 ||
            db_column_strdup(s, 2, &v->mountpoint) < 0 || db_column_strdup(s, 4, &v->labels) < 0 ||
            db_column_strdup(s, 5, &v->options) < 0 || db_column_strdup(s, 9, &v->mounted_by) < 0)
                return cu_error_set(err, ENOMEM, "reading volume record");
        if (!v->name || !v->mountpoint)
                return cu_error_setx(err, EUCLEAN, "broken volume record");
        v->created = sqlite3_column_int64(s, 3);
        v->anonymous = sqlite3_column_int64(s, 6) != 0;
        v->needs_copy_up = sqlite3_column_int64(s, 7) != 0;
        v->needs_chown = sqlite3_column_int64(s, 8) != 0;
        *ret = TAKE_PTR(v);
        return 0;
}

int vol_add(struct db *db, const struct vol_record *v, struct cu_error **err)
{
        if (!vol_name_valid(v->name))
                return cu_error_setx(err, EINVAL,
                                     "names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument");
        if (!v->driver || !v->mountpoint)
                return cu_error_setx(err, EINVAL, "volume %s: no driver or mount point", v->name);
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, SQL_INSERT, err);
        if (!s)
                return stmt_error(err);
        int r;
        if ((r = db_bind_text(s, 1, v->name)) < 0 || (r = db_bind_text(s, 2, v->driver)) < 0 ||
            (r = db_bind_text(s, 3, v->mountpoint)) < 0 || (r = db_bind_int64(s, 4, v->created)) < 0 ||
            (r = db_bind_text(s, 5, v->labels ? v->labels : "{}")) < 0 ||
            (r = db_bind_text(s, 6, v->options ? v->options : "{}")) < 0 ||
            (r = db_bind_int64(s, 7, v->anonymous)) < 0 ||
            (r = db_bind_int64(s, 8, v->needs_copy_up)) < 0 ||
            (r = db_bind_int64(s, 9, v->needs_chown)) < 0 ||
            (r = db_bind_text(s, 10, v->mounted_by ? v->mounted_by : "[]")) < 0)
                return cu_error_set(err, -r, "binding");
        r = db_step(db, s, err);
        if (r == -EEXIST) {
                cu_error_clear(err);
                return cu_error_setx(err, EEXIST, "volume with name %s already exists: volume already exists",
                                     v->name);
        }
        return r < 0 ? cu_error_prefix(err, r, "adding volume %s", v->name) : 0;
}

/* 1 with *ret, 0 none, 2 more than one. */
static int find(struct db *db, const char *sql, const char *name, struct vol_record **ret,
                struct cu_error **err)
{
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, sql, err);
        if (!s)
                return stmt_error(err);
        int r = db_bind_text(s, 1, name);
        if (r < 0)
                return cu_error_set(err, -r, "binding");
        r = db_step(db, s, err);
        if (r <= 0)
                return r;
        _cleanup_vol_record_ struct vol_record *v = NULL;
        r = from_row(s, &v, err);
        if (r < 0)
                return r;
        r = db_step(db, s, err);
        if (r < 0)
                return r;
        if (r > 0)
                return 2;
        *ret = TAKE_PTR(v);
        return 1;
}

int vol_get(struct db *db, const char *name, struct vol_record **ret, struct cu_error **err)
{
        if (!name || !*name)
                return cu_error_setx(err, ENOENT, "no volume with name \"\" found: no such volume");
        int r = find(db, SQL_BY_NAME, name, ret, err);
        if (r == 0)
                r = find(db, SQL_BY_PREFIX, name, ret, err);
        if (r < 0)
                return r;
        if (r == 2)
                return cu_error_setx(err, ENOTUNIQ,
                                     "more than one result for volume name %s: volume already exists",
                                     name);
        if (r == 0)
                return cu_error_setx(err, ENOENT, "no volume with name \"%s\" found: no such volume",
                                     name);
        return 0;
}

int vol_list(struct db *db, struct vol_record ***ret, size_t *ret_n, struct cu_error **err)
{
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, SQL_LIST, err);
        if (!s)
                return stmt_error(err);
        struct vol_record **v = calloc(1, sizeof(*v));
        size_t n = 0;
        if (!v)
                return cu_error_set(err, ENOMEM, "listing volumes");
        for (;;) {
                int r = db_step(db, s, err);
                if (r == 0)
                        break;
                struct vol_record *one = NULL;
                if (r > 0)
                        r = from_row(s, &one, err);
                struct vol_record **nv = r >= 0 ? realloc(v, (n + 2) * sizeof(*v)) : NULL;
                if (!nv) {
                        vol_record_free(one);
                        vol_record_list_free(v);
                        return r < 0 ? r : cu_error_set(err, ENOMEM, "listing volumes");
                }
                v = nv;
                v[n++] = one;
                v[n] = NULL;
        }
        *ret = v;
        if (ret_n)
                *ret_n = n;
        return 0;
}

int vol_update_state(struct db *db, const struct vol_record *v, struct cu_error **err)
{
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, SQL_UPDATE, err);
        if (!s)
                return stmt_error(err);
        int r;
        if ((r = db_bind_text(s, 1, v->name)) < 0 || (r = db_bind_int64(s, 2, v->needs_copy_up)) < 0 ||
            (r = db_bind_int64(s, 3, v->needs_chown)) < 0 ||
            (r = db_bind_text(s, 4, v->mounted_by ? v->mounted_by : "[]")) < 0)
                return cu_error_set(err, -r, "binding");
        r = db_step(db, s, err);
        if (r < 0)
                return cu_error_prefix(err, r, "updating volume %s", v->name);
        if (db_changes(db) == 0)
                return cu_error_setx(err, ENOENT, "no volume with name \"%s\" found: no such volume",
                                     v->name);
        return 0;
}

int vol_remove(struct db *db, const char *name, struct cu_error **err)
{
        _cleanup_stmt_ sqlite3_stmt *s = db_stmt(db, SQL_DELETE, err);
        if (!s)
                return stmt_error(err);
        int r = db_bind_text(s, 1, name);
        if (r < 0)
                return cu_error_set(err, -r, "binding");
        r = db_step(db, s, err);
        if (r < 0)
                return cu_error_prefix(err, r, "removing volume %s", name);
        if (db_changes(db) == 0)
                return cu_error_setx(err, ENOENT, "no volume with name \"%s\" found: no such volume",
                                     name);
        return 0;
}
