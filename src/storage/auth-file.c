/* SPDX-License-Identifier: GPL-2.0-or-later */
/* podman's auth.json: read chain, lookup by repo/namespace/host, atomic rewrites. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "storage/auth-file.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strv.h"

#define AUTH_MAX_FIELD (64u << 10)

char *auth_encode(const char *user, const char *pass)
{
        _cleanup_free_ char *plain = NULL;
        int n = asprintf(&plain, "%s:%s", user, pass);
        if (n < 0)
                return NULL;
        char *out = malloc(4 * (((size_t) n + 2) / 3) + 1);
        if (!out)
                return NULL;
        EVP_EncodeBlock((unsigned char *) out, (const unsigned char *) plain, n);
        return out;
}

int auth_decode(const char *b64, char **ret_user, char **ret_pass)
{
        size_t len = strlen(b64);
        if (len == 0 || len % 4 != 0 || len > AUTH_MAX_FIELD)
                return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                char c = b64[i];
                bool pad = c == '=' && i >= len - 2 && (i == len - 1 || b64[len - 1] == '=');
                if (!pad && !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                              (c >= '0' && c <= '9') || c == '+' || c == '/'))
                        return -EINVAL;
        }
        _cleanup_free_ unsigned char *out = malloc(len / 4 * 3 + 1);
        if (!out)
                return -ENOMEM;
        int n = EVP_DecodeBlock(out, (const unsigned char *) b64, (int) len);
        if (n < 0)
                return -EINVAL;
        n -= (b64[len - 1] == '=') + (b64[len - 2] == '=');
        out[n] = 0;
        if (memchr(out, 0, (size_t) n))
                return -EINVAL;
        char *colon = strchr((char *) out, ':');
        if (!colon)
                return -EINVAL;
        _cleanup_free_ char *user = strndup((char *) out, (size_t) (colon - (char *) out));
        char *pass = strdup(colon + 1);
        if (!user || !pass) {
                free(pass);
                return -ENOMEM;
        }
        *ret_user = TAKE_PTR(user);
        *ret_pass = pass;
        return 0;
}

char *auth_file_path(void)
{
        const char *env = getenv("REGISTRY_AUTH_FILE");
        if (env && env[0])
                return strdup(env);
        const char *rt = getenv("XDG_RUNTIME_DIR");
        char *s = NULL;
        int r = rt && rt[0] ? asprintf(&s, "%s/containers/auth.json", rt)
                            : asprintf(&s, "/run/containers/%u/auth.json", (unsigned) getuid());
        return r < 0 ? NULL : s;
}

struct auth_path {
        char *path;
        bool legacy; /* ~/.dockercfg: the top level is the "auths" map */
};

static void auth_paths_free(struct auth_path *p)
{
        for (size_t i = 0; p && p[i].path; i++)
                free(p[i].path);
        free(p);
}

/* The read chain (see the header), NULL-path terminated. */
static struct auth_path *read_chain(void)
{
        struct auth_path *p = calloc(5, sizeof(*p));
        if (!p)
                return NULL;
        size_t n = 0;
        p[n++].path = auth_file_path();
        const char *env = getenv("REGISTRY_AUTH_FILE");
        const char *home = getenv("HOME");
        if (!(env && env[0]) && home && home[0]) {
                const char *xdg = getenv("XDG_CONFIG_HOME");
                const char *docker = getenv("DOCKER_CONFIG");
                int r = xdg && xdg[0] ? asprintf(&p[n].path, "%s/containers/auth.json", xdg)
                                      : asprintf(&p[n].path, "%s/.config/containers/auth.json", home);
                n += r >= 0;
                r = docker && docker[0] ? asprintf(&p[n].path, "%s/config.json", docker)
                                        : asprintf(&p[n].path, "%s/.docker/config.json", home);
                n += r >= 0;
                r = asprintf(&p[n].path, "%s/.dockercfg", home);
                if (r >= 0)
                        p[n++].legacy = true;
        }
        if (!p[0].path) {
                auth_paths_free(p);
                return NULL;
        }
        return p;
}

/* Loads a file: NULL *ret for a missing or empty one. */
static int load(const char *path, json_t **ret, struct cu_error **err)
{
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        _cleanup_error_ struct cu_error *e = NULL;
        int r = read_full_file(path, &text, &len, &e);
        if (r == -ENOENT) {
                *ret = NULL;
                return 0;
        }
        if (r < 0) {
                if (err)
                        *err = TAKE_PTR(e);
                return r;
        }
        if (strspn(text, " \t\r\n") == len) {
                *ret = NULL;
                return 0;
        }
        json_t *j = json_load_data(text, len, path, err);
        if (!j)
                return -EINVAL;
        if (!json_is_object(j)) {
                json_decref(j);
                return cu_error_setx(err, EINVAL, "%s: not a JSON object", path);
        }
        *ret = j;
        return 0;
}

/* "https://host/v1/" → "host"; docker.io's names → "index.docker.io". */
static char *normalize_key(const char *key, bool legacy)
{
        const char *s = key;
        if (strncmp(s, "http://", 7) == 0)
                s += 7;
        else if (strncmp(s, "https://", 8) == 0)
                s += 8;
        size_t n = legacy || s != key ? strcspn(s, "/") : strlen(s);
        if ((n == 20 && strncmp(s, "registry-1.docker.io", n) == 0) ||
            (n == 9 && strncmp(s, "docker.io", n) == 0))
                return strdup("index.docker.io");
        return strndup(s, n);
}

/* The entry's credentials: 1 found, 0 not (or empty), -errno. */
static int decode_entry(const char *path, const char *k, json_t *entry, char **ret_user,
                        char **ret_pass, struct cu_error **err)
{
        json_t *a = json_is_object(entry) ? json_object_get(entry, "auth") : NULL;
        if (!json_is_string(a) || json_string_length(a) == 0)
                return 0;
        int r = auth_decode(json_string_value(a), ret_user, ret_pass);
        if (r == -ENOMEM)
                return cu_error_set(err, ENOMEM, "decoding credentials");
        if (r < 0)
                return cu_error_setx(err, EINVAL, "%s: invalid credentials for \"%s\"", path, k);
        return 1;
}

static int find_in(json_t *auths, const char *path, bool legacy, const char *key,
                   char **ret_user, char **ret_pass, struct cu_error **err)
{
        if (!json_is_object(auths))
                return 0;
        /* exact: repo, its namespaces, then the host */
        _cleanup_free_ char *k = strdup(key);
        if (!k)
                return cu_error_set(err, ENOMEM, "looking up credentials");
        for (;;) {
                json_t *e = json_object_get(auths, k);
                if (e) {
                        int r = decode_entry(path, k, e, ret_user, ret_pass, err);
                        if (r != 0)
                                return r;
                }
                char *slash = strrchr(k, '/');
                if (!slash)
                        break;
                *slash = 0;
        }
        /* k is the host now: match normalised keys (URLs, docker.io's aliases) */
        _cleanup_free_ char *want = normalize_key(k, true);
        if (!want)
                return cu_error_set(err, ENOMEM, "looking up credentials");
        const char *name;
        json_t *e;
        json_object_foreach(auths, name, e) {
                _cleanup_free_ char *norm = normalize_key(name, legacy);
                if (!norm)
                        return cu_error_set(err, ENOMEM, "looking up credentials");
                if (strcmp(norm, want) != 0)
                        continue;
                int r = decode_entry(path, name, e, ret_user, ret_pass, err);
                if (r != 0)
                        return r;
        }
        return 0;
}

int auth_file_get(const char *path, const char *key, char **ret_user, char **ret_pass,
                  struct cu_error **err)
{
        struct auth_path one[2] = { { .path = (char *) path } };
        struct auth_path *chain = path ? one : read_chain();
        if (!chain)
                return cu_error_set(err, ENOMEM, "looking up credentials");
        int r = 0;
        for (size_t i = 0; chain[i].path && r == 0; i++) {
                _cleanup_json_ json_t *j = NULL;
                r = load(chain[i].path, &j, err);
                if (r < 0 || !j)
                        continue;
                json_t *auths = chain[i].legacy ? j : json_object_get(j, "auths");
                r = find_in(auths, chain[i].path, chain[i].legacy, key, ret_user, ret_pass, err);
                if (r > 0)
                        log_debug("found credentials for \"%s\" in \"%s\"", key, chain[i].path);
        }
        if (chain != one)
                auth_paths_free(chain);
        return r;
}

/* Loads the file to rewrite and its "auths" object (created when missing). */
static int load_for_write(const char *path, bool create, json_t **ret, json_t **ret_auths,
                          struct cu_error **err)
{
        json_t *j = NULL;
        int r = load(path, &j, err);
        if (r < 0)
                return r;
        if (!j && !create) {
                *ret = NULL;
                return 0;
        }
        if (!j && !(j = json_object()))
                return cu_error_set(err, ENOMEM, "writing %s", path);
        json_t *auths = json_object_get(j, "auths");
        if (!auths) {
                auths = json_object();
                if (!auths || json_object_set_new(j, "auths", auths) < 0) {
                        json_decref(j);
                        return cu_error_set(err, ENOMEM, "writing %s", path);
                }
        } else if (!json_is_object(auths)) {
                json_decref(j);
                return cu_error_setx(err, EINVAL, "%s: \"auths\" is not an object", path);
        }
        *ret = j;
        *ret_auths = auths;
        return 0;
}

static int store(const char *path, json_t *j, struct cu_error **err)
{
        _cleanup_free_ char *dir = strdup(path);
        if (!dir)
                return cu_error_set(err, ENOMEM, "writing %s", path);
        char *slash = strrchr(dir, '/');
        if (slash && slash != dir) {
                *slash = 0;
                int r = mkdir_p(dir, 0700);
                if (r < 0)
                        return cu_error_set(err, -r, "creating %s", dir);
        }
        _cleanup_free_ char *text = json_dumps(j, JSON_INDENT(8));
        if (!text)
                return cu_error_set(err, ENOMEM, "writing %s", path);
        _cleanup_free_ char *withnl = NULL;
        int n = asprintf(&withnl, "%s\n", text);
        if (n < 0)
                return cu_error_set(err, ENOMEM, "writing %s", path);
        return write_file_atomic(path, withnl, (size_t) n, 0600, err);
}

typedef int (*edit_fn)(json_t *auths, const char *key, const char *user, const char *pass);

static int do_set(json_t *auths, const char *key, const char *user, const char *pass);

static int edit(const char *path, const char *key, const char *user, const char *pass, edit_fn fn,
                struct cu_error **err)
{
        _cleanup_free_ char *def = path ? NULL : auth_file_path();
        if (!path && !def)
                return cu_error_set(err, ENOMEM, "finding the auth file");
        const char *p = path ? path : def;
        _cleanup_json_ json_t *j = NULL;
        json_t *auths = NULL;
        int r = load_for_write(p, fn == do_set, &j, &auths, err);
        if (r < 0 || !j)
                return r;
        r = fn(auths, key, user, pass);
        if (r == -ENOMEM)
                return cu_error_set(err, ENOMEM, "updating %s", p);
        if (r == 0) /* nothing changed */
                return 0;
        int w = store(p, j, err);
        return w < 0 ? w : r;
}

static int do_set(json_t *auths, const char *key, const char *user, const char *pass)
{
        _cleanup_free_ char *b64 = auth_encode(user, pass);
        if (!b64)
                return -ENOMEM;
        json_t *entry = json_object_get(auths, key);
        if (!json_is_object(entry)) {
                entry = json_object();
                if (!entry || json_object_set_new(auths, key, entry) < 0)
                        return -ENOMEM;
        }
        json_object_del(entry, "identitytoken");
        if (json_object_set_new(entry, "auth", json_string(b64)) < 0)
                return -ENOMEM;
        return 1;
}

static int do_remove(json_t *auths, const char *key, const char *user, const char *pass)
{
        return json_object_del(auths, key) == 0 ? 1 : 0;
}

static int do_remove_all(json_t *auths, const char *key, const char *user, const char *pass)
{
        json_object_clear(auths);
        return 1;
}

int auth_file_set(const char *path, const char *key, const char *user, const char *pass,
                  struct cu_error **err)
{
        if (!key || !key[0] || !user || !pass)
                return cu_error_setx(err, EINVAL, "storing credentials: empty registry or user");
        int r = edit(path, key, user, pass, do_set, err);
        return r < 0 ? r : 0;
}

int auth_file_remove(const char *path, const char *key, struct cu_error **err)
{
        return edit(path, key, NULL, NULL, do_remove, err);
}

int auth_file_remove_all(const char *path, struct cu_error **err)
{
        int r = edit(path, NULL, NULL, NULL, do_remove_all, err);
        return r < 0 ? r : 0;
}
