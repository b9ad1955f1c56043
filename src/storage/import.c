/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `import`: a root filesystem tarball becomes a one-layer image, with
 * Dockerfile-style --change instructions applied to its config. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "image-archive.h"
#include "manifest.h"
#include "stage.h"
#include "util/json.h"
#include "util/strv.h"

static char *trim(char *s)
{
        while (isspace((unsigned char) *s))
                s++;
        size_t n = strlen(s);
        while (n && isspace((unsigned char) s[n - 1]))
                s[--n] = '\0';
        return s;
}

/* JSON array form ["a","b"] or shell form (wrapped in /bin/sh -c). */
static json_t *exec_form(const char *v, bool shell_wrap)
{
        if (v[0] == '[') {
                json_t *j = json_loads(v, 0, NULL);
                if (json_is_array(j)) {
                        size_t i;
                        json_t *x;
                        bool ok = true;
                        json_array_foreach(j, i, x) ok = ok && json_is_string(x);
                        if (ok)
                                return j;
                }
                json_decref(j);
        }
        if (!shell_wrap)
                return json_pack("[s]", v);
        return json_pack("[s,s,s]", "/bin/sh", "-c", v);
}

static json_t *obj(json_t *cfg, const char *key)
{
        json_t *o = json_object_get(cfg, key);
        if (!json_is_object(o)) {
                o = json_object();
                json_object_set_new(cfg, key, o);
        }
        return o;
}

/* KEY=VALUE pairs (also "KEY VALUE" for ENV/LABEL single pairs). */
static int each_pair(char *v, int (*fn)(void *, const char *, const char *), void *ud)
{
        if (!strchr(v, '=')) {
                char *sp = strpbrk(v, " \t");
                if (!sp)
                        return -EINVAL;
                *sp = '\0';
                return fn(ud, v, trim(sp + 1));
        }
        for (char *save = NULL, *tok = strtok_r(v, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
                char *eq = strchr(tok, '=');
                if (!eq || eq == tok)
                        return -EINVAL;
                *eq = '\0';
                char *val = eq + 1;
                size_t n = strlen(val);
                if (n >= 2 && (val[0] == '"' || val[0] == '\'') && val[n - 1] == val[0]) {
                        val[n - 1] = '\0';
                        val++;
                }
                int r = fn(ud, tok, val);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int set_env(void *ud, const char *k, const char *v)
{
        json_t *env = ud;
        size_t kl = strlen(k), i;
        json_t *x;
        char *kv = NULL;
        if (asprintf(&kv, "%s=%s", k, v) < 0)
                return -ENOMEM;
        json_array_foreach(env, i, x) {
                const char *s = json_string_value(x);
                if (s && strncmp(s, k, kl) == 0 && s[kl] == '=') {
                        json_array_set_new(env, i, json_string(kv));
                        free(kv);
                        return 0;
                }
        }
        json_array_append_new(env, json_string(kv));
        free(kv);
        return 0;
}

static int set_label(void *ud, const char *k, const char *v)
{
        return json_object_set_new(ud, k, json_string(v)) == 0 ? 0 : -ENOMEM;
}

int image_config_apply_change(json_t *cfg, const char *change, struct cu_error **err)
{
        _cleanup_free_ char *buf = strdup(change);
        if (!buf)
                return -ENOMEM;
        char *s = trim(buf);
        char *sp = strpbrk(s, " \t=");
        if (!sp)
                return cu_error_setx(err, EINVAL, "invalid change \"%s\" - must be formatted as KEY VALUE", change);
        *sp = '\0';
        char *v = trim(sp + 1);
        for (char *p = s; *p; p++)
                *p = (char) toupper((unsigned char) *p);
        int r = 0;
        if (strcmp(s, "CMD") == 0) {
                json_object_set_new(cfg, "Cmd", exec_form(v, true));
        } else if (strcmp(s, "ENTRYPOINT") == 0) {
                json_object_set_new(cfg, "Entrypoint", exec_form(v, true));
        } else if (strcmp(s, "ENV") == 0) {
                json_t *env = json_object_get(cfg, "Env");
                if (!json_is_array(env)) {
                        env = json_array();
                        json_object_set_new(cfg, "Env", env);
                }
                r = each_pair(v, set_env, env);
        } else if (strcmp(s, "LABEL") == 0) {
                r = each_pair(v, set_label, obj(cfg, "Labels"));
        } else if (strcmp(s, "WORKDIR") == 0) {
                json_object_set_new(cfg, "WorkingDir", json_string(v));
        } else if (strcmp(s, "USER") == 0) {
                json_object_set_new(cfg, "User", json_string(v));
        } else if (strcmp(s, "STOPSIGNAL") == 0) {
                json_object_set_new(cfg, "StopSignal", json_string(v));
        } else if (strcmp(s, "EXPOSE") == 0) {
                json_t *ports = obj(cfg, "ExposedPorts");
                for (char *save = NULL, *t = strtok_r(v, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
                        char *port = NULL;
                        char *end = NULL;
                        long p = strtol(t, &end, 10);
                        if (p <= 0 || p > 65535 || (*end && *end != '/'))
                                return cu_error_setx(err, EINVAL, "invalid change \"%s\": invalid port %s", change, t);
                        if (asprintf(&port, "%s%s", t, *end ? "" : "/tcp") < 0)
                                return -ENOMEM;
                        json_object_set_new(ports, port, json_object());
                        free(port);
                }
        } else if (strcmp(s, "VOLUME") == 0) {
                json_t *vols = obj(cfg, "Volumes");
                _cleanup_json_ json_t *list = exec_form(v, false);
                size_t i;
                json_t *x;
                if (v[0] != '[') {
                        json_decref(list);
                        list = json_array();
                        for (char *save = NULL, *t = strtok_r(v, " \t", &save); t; t = strtok_r(NULL, " \t", &save))
                                json_array_append_new(list, json_string(t));
                }
                json_array_foreach(list, i, x) json_object_set_new(vols, json_string_value(x), json_object());
        } else if (strcmp(s, "ONBUILD") == 0) {
                json_t *ob = json_object_get(cfg, "OnBuild");
                if (!json_is_array(ob)) {
                        ob = json_array();
                        json_object_set_new(cfg, "OnBuild", ob);
                }
                json_array_append_new(ob, json_string(v));
        } else {
                return cu_error_setx(err, EINVAL, "invalid change \"%s\" - invalid instruction %s", change, s);
        }
        if (r < 0)
                return cu_error_setx(err, EINVAL, "invalid change \"%s\" - must be formatted as KEY VALUE", change);
        return 0;
}

int archive_import(struct store *s, int fd, const struct import_opts *o, char id[static 65],
                   struct cu_error **err)
{
        _cleanup_json_ json_t *ccfg = json_object();
        for (size_t i = 0; o->changes && o->changes[i]; i++) {
                int r = image_config_apply_change(ccfg, o->changes[i], err);
                if (r < 0)
                        return r;
        }
        _cleanup_stage_ struct stage *st = NULL;
        int r = stage_new(s, &st, err);
        if (r < 0)
                return r;
        char blob[DIGEST_STR_LEN + 1], chain[DIGEST_STR_LEN + 1], diff[DIGEST_STR_LEN + 1];
        uint64_t blob_size = 0, size = 0;
        r = stage_blob_fd(st, fd, NULL, -1, blob, &blob_size, err);
        if (r < 0)
                return cu_error_prefix(err, r, "reading the tarball");
        r = stage_layer(st, blob, NULL, NULL, chain, diff, &size, err);
        if (r < 0)
                return r;
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        int64_t created = (int64_t) now.tv_sec * 1000000000LL + now.tv_nsec;
        _cleanup_free_ char *ts = format_rfc3339(created);
        _cleanup_free_ char *created_by = NULL;
        if (!ts || asprintf(&created_by, "/bin/sh -c #(nop) ADD file:%s in /", digest_hex(diff)) < 0)
                return -ENOMEM;
        json_t *hist = json_pack("{s:s, s:s}", "created", ts, "created_by", created_by);
        if (o->message && *o->message)
                json_object_set_new(hist, "comment", json_string(o->message));
        _cleanup_json_ json_t *cfg = json_pack("{s:s, s:s, s:s}", "created", ts, "architecture",
                                               o->arch ? o->arch : host_oci_arch(), "os", o->os ? o->os : "linux");
        if (!cfg || !hist)
                return -ENOMEM;
        if (o->variant && *o->variant)
                json_object_set_new(cfg, "variant", json_string(o->variant));
        json_object_set(cfg, "config", ccfg);
        json_object_set_new(cfg, "rootfs", json_pack("{s:s, s:[s]}", "type", "layers", "diff_ids", diff));
        json_object_set_new(cfg, "history", json_pack("[o]", hist));
        _cleanup_free_ char *cfg_text = json_dumps(cfg, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (!cfg_text)
                return -ENOMEM;
        struct descriptor cd = { .media_type = (char *) MT_OCI_CONFIG, .size = strlen(cfg_text) };
        r = stage_blob_buffer(st, cfg_text, strlen(cfg_text), cd.digest, err);
        if (r < 0)
                return r;
        /* The layer is stored as received (maybe compressed): describe it so. */
        _cleanup_close_ int bfd = stage_blob_open(st, blob, err);
        if (bfd < 0)
                return bfd;
        unsigned char m[4] = { 0 };
        ssize_t n = pread(bfd, m, sizeof(m), 0);
        const char *lt = MT_OCI_LAYER;
        if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
                lt = MT_OCI_LAYER_GZIP;
        else if (n >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
                lt = MT_OCI_LAYER_ZSTD;
        struct descriptor ld = { .media_type = (char *) lt, .size = blob_size };
        memcpy(ld.digest, blob, sizeof(blob));
        _cleanup_free_ char *man = manifest_build(MT_OCI_MANIFEST, &cd, &ld, 1);
        if (!man)
                return -ENOMEM;
        char mdig[DIGEST_STR_LEN + 1];
        r = stage_blob_buffer(st, man, strlen(man), mdig, err);
        if (r < 0)
                return r;
        const char *names[] = { o->name, NULL };
        const char *layers[] = { chain }, *diffs[] = { diff };
        const char *blobs[] = { cd.digest, mdig, blob };
        struct image_new im = {
                .config = cfg_text, .manifest = man, .manifest_type = MT_OCI_MANIFEST,
                .names = o->name ? names : NULL, .layers = layers, .diff_ids = diffs,
                .layer_sizes = &size, .n_layers = 1, .blobs = blobs, .n_blobs = 3, .created = created,
        };
        return stage_commit_image(st, &im, id, err);
}
