/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The mount options of create/run as podman parses them (pure: no file system access):
 * -v/--volume, --mount, --tmpfs, --volumes-from → config mount entries (volumes.h); a config
 * entry → its OCI mount; the order of the OCI mounts and the root propagation they need.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/volumes.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"

#define streq(a, b) (strcmp((a), (b)) == 0)

char *mount_clean_path(const char *p)
{
        bool abs = p[0] == '/';
        _cleanup_strv_ char **parts = strv_split(p, "/");
        if (!parts)
                return NULL;
        size_t n = 0;
        for (size_t i = 0; parts[i]; i++) {
                if (streq(parts[i], "."))
                        continue;
                if (streq(parts[i], "..")) {
                        if (n > 0 && !streq(parts[n - 1], "..")) {
                                n--;
                                continue;
                        }
                        if (abs)
                                continue;
                }
                char *t = parts[n];
                parts[n] = parts[i];
                parts[i] = t;
                n++;
        }
        size_t len = 2;
        for (size_t i = 0; i < n; i++)
                len += strlen(parts[i]) + 1;
        char *out = malloc(len);
        if (!out)
                return NULL;
        out[0] = '\0';
        if (abs)
                strcat(out, "/");
        for (size_t i = 0; i < n; i++) {
                if (i)
                        strcat(out, "/");
                strcat(out, parts[i]);
        }
        if (!*out)
                strcpy(out, ".");
        return out;
}

static bool is_propagation(const char *o)
{
        static const char *const names[] = { "private", "rprivate", "shared", "rshared", "slave",
                                             "rslave", "unbindable", "runbindable" };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (streq(o, names[i]))
                        return true;
        return false;
}

static int check_dest(const char *dst, struct cu_error **err)
{
        if (!dst || dst[0] != '/')
                return cu_error_setx(err, EINVAL, "invalid container path \"%s\", must be an absolute path",
                                     strempty(dst));
        return 0;
}

static json_t *entry_new(const char *type, const char *dst)
{
        _cleanup_free_ char *clean = mount_clean_path(dst);
        if (!clean)
                return NULL;
        return json_pack("{s:s, s:s, s:s, s:[], s:b, s:s, s:b, s:s}", "Type", type, "Source", "",
                         "Destination", clean, "Options", "RW", true, "Propagation", "",
                         "Recursive", true, "Mode", "");
}

/* ValidateVolumeOpts: at most one of each group; unknown options are errors. */
static int volume_opts_check(char **opts, const char *joined, struct cu_error **err)
{
        static const struct {
                const char *a, *b, *text;
        } groups[] = {
                { "noexec", "exec", "'noexec' or 'exec'" }, { "nodev", "dev", "'nodev' or 'dev'" },
                { "nosuid", "suid", "'nosuid' or 'suid'" }, { "rw", "ro", "'rw' or 'ro'" },
                { "bind", "rbind", "'[r]bind'" }, { "U", NULL, "'U'" },
                { "copy", "nocopy", "'copy' or 'nocopy'" },
        };
        unsigned count[ELEMENTSOF(groups)] = { 0 };
        unsigned prop = 0, label = 0, upper = 0, work = 0;
        for (char **o = opts; o && *o; o++) {
                if (strstr(*o, "upperdir")) {
                        if (++upper > 1)
                                return cu_error_setx(err, EINVAL, "invalid options \"%s\", can only specify 1 upperdir per overlay", joined);
                        continue;
                }
                if (strstr(*o, "workdir")) {
                        if (++work > 1)
                                return cu_error_setx(err, EINVAL, "invalid options \"%s\", can only specify 1 workdir per overlay", joined);
                        continue;
                }
                if (strncmp(*o, "idmap", 5) == 0)
                        continue;
                if (is_propagation(*o)) {
                        if (++prop > 1)
                                return cu_error_setx(err, EINVAL, "invalid options \"%s\", can only specify 1 '[r]shared', '[r]private', '[r]slave' or '[r]unbindable' option", joined);
                        continue;
                }
                if (streq(*o, "z") || streq(*o, "Z") || streq(*o, "O")) {
                        if (++label > 1)
                                return cu_error_setx(err, EINVAL, "invalid options \"%s\", can only specify 1 'z', 'Z', or 'O' option", joined);
                        continue;
                }
                size_t g;
                for (g = 0; g < ELEMENTSOF(groups); g++)
                        if (streq(*o, groups[g].a) || streq_ptr(*o, groups[g].b))
                                break;
                if (g == ELEMENTSOF(groups))
                        return cu_error_setx(err, EINVAL, "invalid option type \"%s\"", *o);
                if (++count[g] > 1)
                        return cu_error_setx(err, EINVAL, "invalid options \"%s\", can only specify 1 %s option",
                                             joined, groups[g].text);
        }
        return 0;
}

/* upperdir=/workdir= (the seed's getOverlayUpperAndWorkDir). */
static int overlay_dirs(json_t *m, char **opts, struct cu_error **err)
{
        const char *upper = NULL, *work = NULL;
        for (char **o = opts; o && *o; o++) {
                const char *eq = strchr(*o, '=');
                if (strncmp(*o, "upperdir", 8) == 0 && eq) {
                        if (!eq[1])
                                return cu_error_setx(err, EINVAL, "cannot accept empty value for upperdir");
                        upper = eq + 1;
                } else if (strncmp(*o, "workdir", 7) == 0 && eq) {
                        if (!eq[1])
                                return cu_error_setx(err, EINVAL, "cannot accept empty value for workdir");
                        work = eq + 1;
                }
        }
        if (!upper != !work)
                return cu_error_setx(err, EINVAL, "must set both `upperdir` and `workdir`");
        if (upper && (upper[0] != '/' || work[0] != '/'))
                return cu_error_setx(err, EINVAL, "upperdir and workdir must be absolute paths");
        if (upper) {
                json_object_set_new(m, "UpperDir", json_string(upper));
                json_object_set_new(m, "WorkDir", json_string(work));
        }
        return 0;
}

static bool has_overlay_dir(char **opts)
{
        for (char **o = opts; o && *o; o++)
                if (strstr(*o, "upperdir") || strstr(*o, "workdir"))
                        return true;
        return false;
}

/* Applies one checked -v option to the entry. */
static void volume_opt_apply(json_t *m, const char *o)
{
        json_t *list = json_object_get(m, "Options");
        if (streq(o, "ro") || streq(o, "rw"))
                json_object_set_new(m, "RW", json_boolean(streq(o, "rw")));
        else if (streq(o, "z") || streq(o, "Z"))
                json_object_set_new(m, "Mode", json_string(o));
        else if (streq(o, "U"))
                json_object_set_new(m, "Chown", json_true());
        else if (streq(o, "O"))
                json_object_set_new(m, "Overlay", json_true());
        else if (streq(o, "copy") || streq(o, "nocopy"))
                json_object_set_new(m, "NoCopy", json_boolean(streq(o, "nocopy")));
        else if (streq(o, "bind") || streq(o, "rbind"))
                json_object_set_new(m, "Recursive", json_boolean(streq(o, "rbind")));
        else if (strncmp(o, "idmap", 5) == 0)
                json_object_set_new(m, "IdMap", json_string(o));
        else if (is_propagation(o))
                json_object_set_new(m, "Propagation", json_string(o));
        else if (!strstr(o, "upperdir") && !strstr(o, "workdir"))
                json_array_append_new(list, json_string(o));
}

int mount_parse_volume(const char *spec, json_t **ret, struct cu_error **err)
{
        size_t colons = 0;
        for (const char *p = spec; *p; p++)
                colons += *p == ':';
        if (colons > 2)
                return cu_error_setx(err, EINVAL, "%s: incorrect volume format, should be [host-dir:]ctr-dir[:option]", spec);
        const char *c1 = strchr(spec, ':');
        const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        _cleanup_free_ char *src = c1 ? strndup(spec, (size_t) (c1 - spec)) : NULL;
        _cleanup_free_ char *dst = c1 ? (c2 ? strndup(c1 + 1, (size_t) (c2 - c1 - 1)) : strdup(c1 + 1))
                                      : strdup(spec);
        if ((c1 && !src) || !dst)
                return -ENOMEM;
        if (c1 && !*src)
                return cu_error_setx(err, EINVAL, "host directory cannot be empty");
        int r = check_dest(dst, err);
        if (r < 0)
                return r;
        _cleanup_strv_ char **opts = c2 && c2[1] ? strv_split(c2 + 1, ",") : NULL;
        if (c2 && c2[1] && !opts)
                return -ENOMEM;
        _cleanup_free_ char *joined = opts ? strv_join(opts, ", ") : strdup("");
        if (!joined)
                return -ENOMEM;
        r = volume_opts_check(opts, joined, err);
        if (r < 0)
                return r;
        bool host = src && (src[0] == '/' || src[0] == '.');
        _cleanup_json_ json_t *m = entry_new(host ? "bind" : "volume", dst);
        if (!m)
                return -ENOMEM;
        if (host)
                json_object_set_new(m, "Source", json_string(src));
        else {
                json_object_set_new(m, "Name", json_string(src ? src : ""));
                json_object_set_new(m, "Anonymous", json_boolean(!src));
        }
        for (char **o = opts; o && *o; o++)
                volume_opt_apply(m, *o);
        bool overlay = json_is_true(json_object_get(m, "Overlay"));
        if (overlay) {
                r = overlay_dirs(m, opts, err);
                if (r < 0)
                        return r;
        } else if (json_object_get(m, "UpperDir") || has_overlay_dir(opts)) {
                return cu_error_setx(err, EINVAL, "upperdir and workdir can only be used with the O option");
        }
        *ret = TAKE_PTR(m);
        return 0;
}

/* "ro", "ro=true", "readonly=false" …: -1 if key is not a boolean form of name. */
static int bool_value(const char *val, bool *ret, const char *key, struct cu_error **err)
{
        if (!val || streq(val, "true") || streq(val, "1")) {
                *ret = true;
                return 0;
        }
        if (streq(val, "false") || streq(val, "0")) {
                *ret = false;
                return 0;
        }
        return cu_error_setx(err, EINVAL, "invalid value for %s: \"%s\" (true or false)", key, val);
}

static int mount_key(json_t *m, const char *type, const char *key, const char *val,
                     struct cu_error **err)
{
        json_t *list = json_object_get(m, "Options");
        bool b = false, bindlike = streq(type, "bind") || streq(type, "volume");
        int r;
        if (streq(key, "src") || streq(key, "source")) {
                if (streq(type, "tmpfs") || streq(type, "devpts"))
                        return cu_error_setx(err, EINVAL, "%s: invalid mount option", key);
                if (!val || !*val)
                        return cu_error_setx(err, EINVAL, "host directory cannot be empty");
                json_object_set_new(m, streq(type, "volume") ? "Name" : "Source", json_string(val));
                return 0;
        }
        if (streq(key, "dst") || streq(key, "destination") || streq(key, "target")) {
                r = check_dest(val, err);
                if (r < 0)
                        return r;
                _cleanup_free_ char *clean = mount_clean_path(val);
                if (!clean)
                        return -ENOMEM;
                json_object_set_new(m, "Destination", json_string(clean));
                return 0;
        }
        if (streq(key, "ro") || streq(key, "readonly") || streq(key, "rw") || streq(key, "readwrite")) {
                if ((r = bool_value(val, &b, key, err)) < 0)
                        return r;
                bool rw = key[0] == 'r' && key[1] == 'w' ? b : streq(key, "readwrite") ? b : !b;
                json_object_set_new(m, "RW", json_boolean(rw));
                return 0;
        }
        if (streq(type, "image"))
                return cu_error_setx(err, EINVAL, "%s: invalid mount option", key);
        if (!val && (streq(key, "exec") || streq(key, "noexec") || streq(key, "dev") || streq(key, "nodev") ||
                     streq(key, "suid") || streq(key, "nosuid"))) {
                json_array_append_new(list, json_string(key));
                return 0;
        }
        if (bindlike || streq(type, "tmpfs")) {
                if (streq(key, "U") || streq(key, "chown")) {
                        if ((r = bool_value(val, &b, key, err)) < 0)
                                return r;
                        json_object_set_new(m, "Chown", json_boolean(b));
                        return 0;
                }
        }
        if (bindlike) {
                if (streq(key, "bind-propagation")) {
                        if (!val || !is_propagation(val))
                                return cu_error_setx(err, EINVAL, "invalid option type \"%s\"", strempty(val));
                        json_object_set_new(m, "Propagation", json_string(val));
                        return 0;
                }
                if (streq(key, "relabel")) {
                        if (!streq_ptr(val, "shared") && !streq_ptr(val, "private"))
                                return cu_error_setx(err, EINVAL, "%s mount option must be 'private' or 'shared'", key);
                        json_object_set_new(m, "Mode", json_string(streq(val, "shared") ? "z" : "Z"));
                        return 0;
                }
                if (streq(key, "z") || streq(key, "Z")) {
                        json_object_set_new(m, "Mode", json_string(key));
                        return 0;
                }
                if (strncmp(key, "idmap", 5) == 0) {
                        json_object_set_new(m, "IdMap", json_string("idmap"));
                        return 0;
                }
                if (streq(key, "consistency"))
                        return 0;
        }
        if (streq(type, "bind") && streq(key, "bind-nonrecursive")) {
                json_object_set_new(m, "Recursive", json_false());
                return 0;
        }
        if (streq(type, "volume") && (streq(key, "volume-nocopy") || streq(key, "nocopy"))) {
                json_object_set_new(m, "NoCopy", json_true());
                return 0;
        }
        if (streq(type, "volume") && (streq(key, "volume-label") || streq(key, "volume-opt")))
                return 0;
        if (streq(type, "tmpfs")) {
                char buf[256];
                if (streq(key, "tmpfs-size") && val && *val) {
                        snprintf(buf, sizeof buf, "size=%s", val);
                        json_array_append_new(list, json_string(buf));
                        return 0;
                }
                if (streq(key, "tmpfs-mode") && val && *val) {
                        snprintf(buf, sizeof buf, "mode=%s", val);
                        json_array_append_new(list, json_string(buf));
                        return 0;
                }
                if ((streq(key, "tmpcopyup") || streq(key, "notmpcopyup")) && !val) {
                        json_object_set_new(m, "TmpCopyUp", json_boolean(streq(key, "tmpcopyup")));
                        return 0;
                }
        }
        if (streq(type, "devpts") && val &&
            (streq(key, "uid") || streq(key, "gid") || streq(key, "mode") || streq(key, "max") ||
             streq(key, "ptmxmode"))) {
                char buf[256];
                snprintf(buf, sizeof buf, "%s=%s", key, val);
                json_array_append_new(list, json_string(buf));
                return 0;
        }
        return cu_error_setx(err, EINVAL, "%s: invalid mount option", key);
}

int mount_parse_mount(const char *spec, json_t **ret, struct cu_error **err)
{
        _cleanup_strv_ char **kvs = strv_split(spec, ",");
        if (!kvs)
                return -ENOMEM;
        const char *type = NULL;
        for (char **kv = kvs; *kv; kv++)
                if (strncmp(*kv, "type=", 5) == 0)
                        type = *kv + 5;
        if (!type)
                return cu_error_setx(err, EINVAL, "incorrect mount format: should be --mount type=<bind|tmpfs|volume>,[src=<host-dir|volume-name>,]target=<ctr-dir>[,options]");
        if (!streq(type, "bind") && !streq(type, "volume") && !streq(type, "tmpfs") &&
            !streq(type, "image") && !streq(type, "devpts"))
                return cu_error_setx(err, EINVAL, "invalid filesystem type \"%s\"", type);
        _cleanup_json_ json_t *m = entry_new(type, "/");
        if (!m)
                return -ENOMEM;
        json_object_set_new(m, "Destination", json_string(""));
        if (streq(type, "image"))
                json_object_set_new(m, "RW", json_false());
        if (streq(type, "tmpfs"))
                json_object_set_new(m, "TmpCopyUp", json_true());
        for (char **kv = kvs; *kv; kv++) {
                if (strncmp(*kv, "type=", 5) == 0)
                        continue;
                char *eq = strchr(*kv, '=');
                if (eq)
                        *eq = '\0';
                int r = mount_key(m, type, *kv, eq ? eq + 1 : NULL, err);
                if (r < 0)
                        return r;
        }
        const char *dst = json_string_value(json_object_get(m, "Destination"));
        if (!dst || !*dst)
                return cu_error_setx(err, EINVAL, "must set volume destination");
        if (streq(type, "bind") && !*json_string_value(json_object_get(m, "Source")))
                json_object_set_new(m, "Source", json_string(dst)); /* podman's default */
        if (streq(type, "image") && !*json_string_value(json_object_get(m, "Source")))
                return cu_error_setx(err, EINVAL, "must set source image");
        if (streq(type, "volume")) {
                const char *name = json_string_value(json_object_get(m, "Name"));
                json_object_set_new(m, "Anonymous", json_boolean(!name || !*name));
                if (!name)
                        json_object_set_new(m, "Name", json_string(""));
        }
        *ret = TAKE_PTR(m);
        return 0;
}

int mount_parse_tmpfs(const char *spec, json_t **ret, struct cu_error **err)
{
        const char *colon = strchr(spec, ':');
        _cleanup_free_ char *dst = colon ? strndup(spec, (size_t) (colon - spec)) : strdup(spec);
        if (!dst)
                return -ENOMEM;
        int r = check_dest(dst, err);
        if (r < 0)
                return r;
        _cleanup_json_ json_t *m = entry_new("tmpfs", dst);
        if (!m)
                return -ENOMEM;
        json_object_set_new(m, "TmpCopyUp", json_true());
        _cleanup_strv_ char **opts = colon ? strv_split(colon + 1, ",") : NULL;
        for (char **o = opts; o && *o; o++) {
                if (streq(*o, "ro") || streq(*o, "rw"))
                        json_object_set_new(m, "RW", json_boolean(streq(*o, "rw")));
                else if (streq(*o, "tmpcopyup") || streq(*o, "notmpcopyup"))
                        json_object_set_new(m, "TmpCopyUp", json_boolean(streq(*o, "tmpcopyup")));
                else if (streq(*o, "U"))
                        json_object_set_new(m, "Chown", json_true());
                else if (is_propagation(*o))
                        json_object_set_new(m, "Propagation", json_string(*o));
                else
                        json_array_append_new(json_object_get(m, "Options"), json_string(*o));
        }
        *ret = TAKE_PTR(m);
        return 0;
}

int mount_parse_volumes_from(const char *spec, char **ret_ctr, int *ret_rw, struct cu_error **err)
{
        const char *colon = strchr(spec, ':');
        int rw = -1;
        if (colon) {
                _cleanup_strv_ char **opts = strv_split(colon + 1, ",");
                for (char **o = opts; o && *o; o++) {
                        if (streq(*o, "ro") || streq(*o, "rw")) {
                                if (rw != -1)
                                        return cu_error_setx(err, EINVAL, "cannot set ro or rw options more than once");
                                rw = streq(*o, "rw");
                        } else if (!streq(*o, "z")) {
                                return cu_error_setx(err, EINVAL, "invalid options %s, can only specify 'ro', 'rw', and 'z'",
                                                     colon + 1);
                        }
                }
        }
        char *ctr = colon ? strndup(spec, (size_t) (colon - spec)) : strdup(spec);
        if (!ctr)
                return -ENOMEM;
        if (!*ctr) {
                free(ctr);
                return cu_error_setx(err, EINVAL, "invalid --volumes-from \"%s\": no container given", spec);
        }
        *ret_ctr = ctr;
        *ret_rw = rw;
        return 0;
}

/* ------------------------------------------------------------------ OCI mounts */

static bool opt_given(json_t *list, const char *a, const char *b)
{
        size_t i;
        json_t *v;
        json_array_foreach(list, i, v) {
                const char *s = json_string_value(v);
                if (streq_ptr(s, a) || streq_ptr(s, b))
                        return true;
        }
        return false;
}

json_t *mount_oci_entry(json_t *m, const char *source)
{
        const char *type = json_string_value(json_object_get(m, "Type"));
        const char *dst = json_string_value(json_object_get(m, "Destination"));
        json_t *user = json_object_get(m, "Options");
        const char *prop = json_string_value(json_object_get(m, "Propagation"));
        bool rw = json_is_true(json_object_get(m, "RW"));
        json_t *opts = json_array();
        if (!opts)
                return NULL;
        bool tmpfs = streq_ptr(type, "tmpfs"), devpts = streq_ptr(type, "devpts");
        if (!tmpfs && !devpts)
                json_array_append_new(opts, json_string(json_is_false(json_object_get(m, "Recursive"))
                                                                ? "bind" : "rbind"));
        if (!devpts)
                json_array_append_new(opts, json_string(prop && *prop ? prop : "rprivate"));
        json_array_append_new(opts, json_string(rw ? "rw" : "ro"));
        if (streq_ptr(type, "volume") || tmpfs) {
                if (!opt_given(user, "suid", "nosuid"))
                        json_array_append_new(opts, json_string("nosuid"));
                if (!opt_given(user, "dev", "nodev"))
                        json_array_append_new(opts, json_string("nodev"));
        }
        json_array_extend(opts, user);
        if (tmpfs && json_is_true(json_object_get(m, "TmpCopyUp")))
                json_array_append_new(opts, json_string("tmpcopyup"));
        const char *idmap = json_string_value(json_object_get(m, "IdMap"));
        if (idmap) /* "idmap" or "idmap=uids=…;gids=…": made an idmapped mount at start */
                json_array_append_new(opts, json_string(idmap));
        const char *otype = tmpfs ? "tmpfs" : devpts ? "devpts" : "bind";
        const char *osrc = tmpfs ? "tmpfs" : devpts ? "devpts" : source;
        json_t *e = json_pack("{s:s, s:s, s:s, s:o}", "destination", dst ? dst : "", "type", otype,
                              "source", osrc ? osrc : "", "options", opts);
        return e;
}

char *mount_binds_options(json_t *m)
{
        const char *prop = json_string_value(json_object_get(m, "Propagation"));
        _cleanup_strv_ char **v = NULL;
        if (strv_extend(&v, json_is_true(json_object_get(m, "RW")) ? "rw" : "ro") < 0 ||
            strv_extend(&v, prop && *prop ? prop : "rprivate") < 0)
                return NULL;
        if (streq_ptr(json_string_value(json_object_get(m, "Type")), "volume")) {
                json_t *user = json_object_get(m, "Options");
                if (!opt_given(user, "suid", "nosuid") && strv_extend(&v, "nosuid") < 0)
                        return NULL;
                if (!opt_given(user, "dev", "nodev") && strv_extend(&v, "nodev") < 0)
                        return NULL;
        }
        size_t i;
        json_t *o;
        json_array_foreach(json_object_get(m, "Options"), i, o)
                if (json_is_string(o) && strv_extend(&v, json_string_value(o)) < 0)
                        return NULL;
        if (strv_extend(&v, json_is_false(json_object_get(m, "Recursive")) ? "bind" : "rbind") < 0)
                return NULL;
        return strv_join(v, ",");
}

static size_t depth(json_t *mount)
{
        const char *d = json_string_value(json_object_get(mount, "destination"));
        _cleanup_free_ char *c = d ? mount_clean_path(d) : NULL;
        if (!c)
                return 0;
        if (streq(c, "/"))
                return 1;
        size_t n = 1;
        for (const char *p = c; *p; p++)
                n += *p == '/';
        return n;
}

int mounts_sort(json_t *mounts)
{
        size_t n = json_array_size(mounts);
        if (n < 2)
                return 0;
        _cleanup_free_ json_t **v = calloc(n, sizeof(*v));
        _cleanup_free_ size_t *d = calloc(n, sizeof(*d));
        if (!v || !d)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                v[i] = json_incref(json_array_get(mounts, i));
                d[i] = depth(v[i]);
        }
        /* insertion sort: stable, and n is small */
        for (size_t i = 1; i < n; i++) {
                json_t *x = v[i];
                size_t dx = d[i], j = i;
                for (; j > 0 && d[j - 1] > dx; j--) {
                        v[j] = v[j - 1];
                        d[j] = d[j - 1];
                }
                v[j] = x;
                d[j] = dx;
        }
        json_array_clear(mounts);
        for (size_t i = 0; i < n; i++)
                json_array_append_new(mounts, v[i]);
        return 0;
}

const char *mounts_root_propagation(json_t *mounts)
{
        const char *root = NULL;
        size_t i, k;
        json_t *m, *o;
        json_array_foreach(mounts, i, m) {
                json_array_foreach(json_object_get(m, "options"), k, o) {
                        const char *s = json_string_value(o);
                        if (streq_ptr(s, "shared") || streq_ptr(s, "rshared"))
                                root = "shared";
                        else if ((streq_ptr(s, "slave") || streq_ptr(s, "rslave")) &&
                                 !streq_ptr(root, "shared"))
                                root = "rslave";
                }
        }
        return root;
}
