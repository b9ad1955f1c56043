/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Secrets: the store (file driver) and their use by containers (secrets.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/bind-internal.h"
#include "engine/secrets.h"
#include "monitor/exitfile.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/parse.h"
#include "util/strv.h"

/* ------------------------------------------------------------------ base64 */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *secret_b64_encode(const void *data, size_t len)
{
        const unsigned char *d = data;
        char *out = malloc((len + 2) / 3 * 4 + 1), *o = out;
        if (!out)
                return NULL;
        for (size_t i = 0; i < len; i += 3) {
                unsigned v = (unsigned) d[i] << 16 | (i + 1 < len ? (unsigned) d[i + 1] << 8 : 0) |
                             (i + 2 < len ? d[i + 2] : 0);
                *o++ = b64[v >> 18 & 63];
                *o++ = b64[v >> 12 & 63];
                *o++ = i + 1 < len ? b64[v >> 6 & 63] : '=';
                *o++ = i + 2 < len ? b64[v & 63] : '=';
        }
        *o = '\0';
        return out;
}

int secret_b64_decode(const char *s, char **ret, size_t *ret_len)
{
        size_t n = strlen(s);
        if (n % 4)
                return -EINVAL;
        _cleanup_free_ char *out = malloc(n / 4 * 3 + 1);
        if (!out)
                return -ENOMEM;
        size_t k = 0;
        for (size_t i = 0; i < n; i += 4) {
                unsigned v = 0, pad = 0;
                for (size_t j = 0; j < 4; j++) {
                        const char *p = s[i + j] ? strchr(b64, s[i + j]) : NULL;
                        if (s[i + j] == '=' && i + 4 == n && j >= 2) {
                                pad++;
                                v <<= 6;
                                continue;
                        }
                        if (!p || pad)
                                return -EINVAL;
                        v = v << 6 | (unsigned) (p - b64);
                }
                out[k++] = (char) (v >> 16);
                if (pad < 2)
                        out[k++] = (char) (v >> 8 & 0xff);
                if (pad < 1)
                        out[k++] = (char) (v & 0xff);
        }
        out[k] = '\0';
        *ret = TAKE_PTR(out);
        *ret_len = k;
        return 0;
}

/* ------------------------------------------------------------------ the store */

static char *data_dir(const struct engine *e)
{
        char *p = NULL;
        return asprintf(&p, "%s/secrets/filedriver", e->root) < 0 ? NULL : p;
}

static char *data_path(const struct engine *e, const char *id)
{
        char *p = NULL;
        return asprintf(&p, "%s/secrets/filedriver/%s", e->root, id) < 0 ? NULL : p;
}

static int kv_object(char *const *kv, char **ret)
{
        _cleanup_json_ json_t *o = json_object();
        for (; o && kv && *kv; kv++) {
                const char *eq = strchr(*kv, '=');
                _cleanup_free_ char *k = eq ? strndup(*kv, (size_t) (eq - *kv)) : strdup(*kv);
                if (!k || json_object_set_new(o, k, json_string(eq ? eq + 1 : "")) < 0)
                        return -ENOMEM;
        }
        *ret = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        return *ret ? 0 : -ENOMEM;
}

int engine_secret_create(struct engine *e, const struct engine_secret_create_opts *o,
                         char ret_id[SECRET_ID_LEN + 1], struct cu_error **err)
{
        const char *driver = o->driver && *o->driver ? o->driver : "file";
        if (strcmp(driver, "file") != 0)
                return cu_error_setx(err, EINVAL, "%s: secrets driver not supported (only \"file\")",
                                     driver);
        if (!secret_name_valid(o->name))
                return cu_error_setx(err, EINVAL,
                                     "only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]: %s: invalid secret name",
                                     strempty(o->name));
        if (o->len == 0 || o->len >= SECRET_DATA_MAX)
                return cu_error_setx(err, EINVAL,
                                     "secret data must be larger than 0 and less than %d bytes",
                                     SECRET_DATA_MAX);
        int r = secret_db_init(e->db, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *dir = data_dir(e);
        _cleanup_free_ char *path_opts = NULL;
        struct secret_rec rec = { .name = (char *) o->name, .driver = (char *) driver };
        if (!dir)
                return -ENOMEM;
        /* podman records the driver's path as its option */
        _cleanup_strv_ char **opts = strv_copy(o->driver_opts);
        if (!strv_map_get(opts, "path")) {
                if (asprintf(&path_opts, "path=%s", dir) < 0 || strv_extend(&opts, path_opts) < 0)
                        return -ENOMEM;
        }
        if ((r = kv_object(opts, &rec.driver_opts)) < 0 || (r = kv_object(o->labels, &rec.labels)) < 0) {
                free(rec.driver_opts);
                return r;
        }
        _cleanup_free_ char *dopts = rec.driver_opts, *labels = rec.labels;
        r = secret_id_generate(rec.id);
        if (r < 0)
                return cu_error_set(err, -r, "generating a secret ID");
        rec.created = rec.updated = engine_now_ns();
        r = mkdir_p(dir, 0700);
        if (r < 0)
                return cu_error_set(err, -r, "creating %s", dir);
        _cleanup_free_ char *path = data_path(e, rec.id);
        if (!path)
                return -ENOMEM;
        r = write_file_atomic(path, o->data, o->len, 0600, err);
        if (r < 0)
                return r;
        r = secret_add(e->db, &rec, err);
        if (r < 0) {
                (void) unlink(path);
                return r;
        }
        memcpy(ret_id, rec.id, sizeof rec.id);
        return 0;
}

int engine_secret_get(struct engine *e, const char *name_or_id, struct secret_rec **ret,
                      struct cu_error **err)
{
        int r = secret_db_init(e->db, err);
        return r < 0 ? r : secret_get(e->db, name_or_id, ret, err);
}

int engine_secret_list(struct engine *e, struct secret_rec ***ret, size_t *ret_n,
                       struct cu_error **err)
{
        int r = secret_db_init(e->db, err);
        return r < 0 ? r : secret_list(e->db, ret, ret_n, err);
}

int engine_secret_remove(struct engine *e, const char *name_or_id, struct cu_error **err)
{
        _cleanup_secret_rec_ struct secret_rec *r = NULL;
        int k = engine_secret_get(e, name_or_id, &r, err);
        if (k < 0)
                return k;
        k = secret_delete(e->db, r->id, err);
        if (k < 0)
                return k;
        _cleanup_free_ char *path = data_path(e, r->id);
        if (path && unlink(path) < 0 && errno != ENOENT)
                return cu_error_set(err, errno, "removing %s", path);
        return 0;
}

int engine_secret_data(struct engine *e, const struct secret_rec *r, char **ret, size_t *ret_len,
                       struct cu_error **err)
{
        _cleanup_free_ char *path = data_path(e, r->id);
        if (!path)
                return -ENOMEM;
        int k = read_full_file(path, ret, ret_len, NULL);
        if (k < 0)
                return cu_error_set(err, -k, "reading the data of secret %s", r->name);
        return 0;
}

static json_t *time_json(int64_t ns)
{
        struct timespec ts = { .tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000 };
        char buf[RFC3339NANO_MAX];
        return json_string(format_rfc3339nano(&ts, buf));
}

json_t *engine_secret_json(const struct secret_rec *r)
{
        json_t *opts = json_loads(r->driver_opts, 0, NULL);
        json_t *labels = json_loads(r->labels, 0, NULL);
        return json_pack("{s:s, s:o, s:o, s:{s:s, s:{s:s, s:o}, s:o}}", "ID", r->id, "CreatedAt",
                         time_json(r->created), "UpdatedAt", time_json(r->updated), "Spec", "Name",
                         r->name, "Driver", "Name", r->driver, "Options",
                         json_is_object(opts) ? opts : (json_decref(opts), json_object()), "Labels",
                         json_is_object(labels) ? labels : (json_decref(labels), json_object()));
}

/* ------------------------------------------------------------------ --secret */

void secret_use_done(struct secret_use *u)
{
        free(u->source);
        free(u->target);
        *u = (struct secret_use){ 0 };
}

/* "PREFIX ARG SUFFIX: parsing secret" */
static int parse_error(struct cu_error **err, const char *prefix, const char *arg, const char *suffix)
{
        return cu_error_setx(err, EINVAL, "%s%s%s: parsing secret", prefix, arg, suffix);
}

static int parse_u32(const char *s, int base, uint32_t *ret)
{
        unsigned v;
        int r = base == 8 ? safe_atou_octal(s, &v) : safe_atou(s, &v);
        if (r < 0)
                return r;
        *ret = v;
        return 0;
}

int secret_use_parse(const char *spec, struct secret_use *ret, struct cu_error **err)
{
        struct secret_use u = { .mode = 0444 };
        _cleanup_strv_ char **parts = strv_split(spec, ",");
        if (!parts)
                return -ENOMEM;
        if (strv_length(parts) <= 1) {
                u.source = strdup(spec);
                if (!u.source)
                        return -ENOMEM;
                *ret = u;
                return 0;
        }
        char **p = parts;
        if (!strchr(p[0], '=')) {
                u.source = strdup(p[0]);
                if (!u.source)
                        return -ENOMEM;
                p++;
        }
        bool typed = false, mount_only = false;
        int r = 0;
        for (; *p && r >= 0; p++) {
                char *eq = strchr(*p, '=');
                if (!eq) {
                        r = parse_error(err, "option ", *p, " must be in form option=value");
                        break;
                }
                *eq = '\0';
                const char *k = *p, *v = eq + 1;
                if (strcmp(k, "source") == 0) {
                        free(u.source);
                        u.source = strdup(v);
                } else if (strcmp(k, "type") == 0) {
                        if (typed)
                                r = parse_error(err, "cannot set more than one secret type", "", "");
                        else if (strcmp(v, "mount") != 0 && strcmp(v, "env") != 0)
                                r = parse_error(err, "type ", v, " is invalid");
                        typed = true;
                        u.env = strcmp(v, "env") == 0;
                } else if (strcmp(k, "target") == 0) {
                        free(u.target);
                        u.target = strdup(v);
                } else if (strcmp(k, "mode") == 0) {
                        mount_only = true;
                        if (parse_u32(v, 8, &u.mode) < 0)
                                r = parse_error(err, "mode ", v, " invalid");
                } else if (strcmp(k, "uid") == 0 || strcmp(k, "UID") == 0) {
                        mount_only = true;
                        if (parse_u32(v, 10, &u.uid) < 0)
                                r = parse_error(err, "UID ", v, " invalid");
                } else if (strcmp(k, "gid") == 0 || strcmp(k, "GID") == 0) {
                        mount_only = true;
                        if (parse_u32(v, 10, &u.gid) < 0)
                                r = parse_error(err, "GID ", v, " invalid");
                } else {
                        *eq = '=';
                        r = parse_error(err, "option ", *p, " invalid");
                }
        }
        if (r >= 0 && (!u.source || !*u.source))
                r = parse_error(err, "no source found ", spec, "");
        if (r >= 0 && u.env && mount_only)
                r = parse_error(err, "UID, GID, Mode options cannot be set with secret type env", "", "");
        if (r < 0) {
                secret_use_done(&u);
                return r;
        }
        *ret = u;
        return 0;
}

/* One --secret into the config. */
static int secret_config_one(struct engine *e, json_t *c, const char *spec, struct cu_error **err)
{
        struct secret_use u = { 0 };
        int r = secret_use_parse(spec, &u, err);
        if (r < 0)
                return r;
        _cleanup_secret_rec_ struct secret_rec *rec = NULL;
        r = engine_secret_get(e, u.source, &rec, err);
        if (r < 0 || u.env) {
                if (r >= 0) {
                        json_t *envs = json_object_get(c, "EnvSecrets");
                        if (!envs)
                                json_object_set_new(c, "EnvSecrets", envs = json_object());
                        json_object_set_new(envs, u.target && *u.target ? u.target : u.source,
                                            json_string(rec->name));
                }
                secret_use_done(&u);
                return r;
        }
        _cleanup_free_ char *data = NULL, *b = NULL;
        size_t len = 0;
        r = engine_secret_data(e, rec, &data, &len, err);
        if (r >= 0 && !(b = secret_b64_encode(data, len)))
                r = -ENOMEM;
        if (r >= 0) {
                json_t *list = json_object_get(c, "Secrets"), *copies = json_object_get(c, "SecretsData");
                if (!list)
                        json_object_set_new(c, "Secrets", list = json_array());
                if (!copies)
                        json_object_set_new(c, "SecretsData", copies = json_object());
                json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}", "Name", rec->name,
                                                      "ID", rec->id, "Target", u.target ? u.target : "",
                                                      "UID", (json_int_t) u.uid,
                                                      "GID", (json_int_t) u.gid, "Mode",
                                                      (json_int_t) u.mode));
                json_object_set_new(copies, rec->name, json_string(b));
        }
        secret_use_done(&u);
        return r;
}

int secrets_config(struct engine *e, json_t *c, char *const *specs, struct cu_error **err)
{
        for (; specs && *specs; specs++) {
                int r = secret_config_one(e, c, *specs, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ------------------------------------------------------------------ the spec */

/* Writes one secret's copy into <bundle>/secrets/NAME with its owner and mode. */
static int secret_file(struct engine_spec_ctx *x, json_t *s, const char *path, struct cu_error **err)
{
        const char *name = json_string_value(json_object_get(s, "Name"));
        const char *b = json_string_value(json_object_get(json_object_get(x->c, "SecretsData"), name));
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        if (!b || secret_b64_decode(b, &data, &len) < 0)
                return cu_error_setx(err, EUCLEAN, "container %s: no copy of secret %s", x->id, name);
        int r = write_file_atomic(path, data, len, 0644, err);
        if (r < 0)
                return r;
        if (chown(path, (uid_t) json_integer_value(json_object_get(s, "UID")),
                  (gid_t) json_integer_value(json_object_get(s, "GID"))) < 0 ||
            chmod(path, (mode_t) json_integer_value(json_object_get(s, "Mode")) & 07777) < 0)
                return cu_error_set(err, errno, "setting up secret %s", name);
        return 0;
}

int secrets_spec(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err)
{
        bool ro = json_is_true(json_object_get(x->c, "ReadOnly"));
        json_t *list = json_object_get(x->c, "Secrets");
        json_t *mounts = json_object_get(spec, "mounts");
        _cleanup_free_ char *dir = NULL, *runs = NULL;
        if (json_array_size(list) &&
            (asprintf(&dir, "%s/secrets", x->bundle) < 0 || asprintf(&runs, "%s/run-secrets", x->bundle) < 0))
                return -ENOMEM;
        if (json_array_size(list) && x->write_files) {
                int r = mkdir_p(dir, 0700);
                if (r >= 0)
                        r = mkdir_p(runs, 0755);
                if (r < 0)
                        return cu_error_set(err, -r, "creating secrets mount: %s", x->bundle);
        }
        if (json_array_size(list) && !bind_spec_has_mount(spec, "/run/secrets"))
                json_array_append_new(mounts, bind_mount_entry("/run/secrets", runs, ro));
        size_t i;
        json_t *s;
        json_array_foreach(list, i, s) {
                const char *name = json_string_value(json_object_get(s, "Name"));
                const char *target = json_string_value(json_object_get(s, "Target"));
                _cleanup_free_ char *src = NULL, *dst = NULL;
                if (!name || asprintf(&src, "%s/%s", dir, name) < 0 ||
                    asprintf(&dst, "%s%s", target && *target == '/' ? "" : "/run/secrets/",
                             target && *target ? target : name) < 0)
                        return -ENOMEM;
                if (x->write_files) {
                        int r = secret_file(x, s, src, err);
                        if (r < 0)
                                return r;
                        /* the mount point, made in /run/secrets' source, so that a read-only
                         * /run/secrets needs no new file (podman 4.3 fails there) */
                        const char *leaf = dst + strlen("/run/secrets/");
                        if (strncmp(dst, "/run/secrets/", 13) == 0 && *leaf && !strchr(leaf, '/') &&
                            strcmp(leaf, "..") != 0 && strcmp(leaf, ".") != 0) {
                                _cleanup_free_ char *mp = NULL;
                                if (asprintf(&mp, "%s/%s", runs, leaf) < 0)
                                        return -ENOMEM;
                                _cleanup_close_ int fd = open(mp, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0444);
                                if (fd < 0 && errno != EEXIST)
                                        return cu_error_set(err, errno, "creating %s", mp);
                        }
                }
                if (!bind_spec_has_mount(spec, dst))
                        json_array_append_new(mounts, bind_mount_entry(dst, src, ro));
        }
        const char *var;
        json_t *v;
        json_object_foreach(json_object_get(x->c, "EnvSecrets"), var, v) {
                if (!x->e)
                        continue;
                _cleanup_secret_rec_ struct secret_rec *rec = NULL;
                _cleanup_free_ char *data = NULL;
                size_t len = 0;
                int r = engine_secret_get(x->e, json_string_value(v), &rec, err);
                if (r >= 0)
                        r = engine_secret_data(x->e, rec, &data, &len, err);
                if (r >= 0)
                        r = engine_spec_env_set(spec, var, data, false);
                if (r < 0)
                        return r;
        }
        return 0;
}
