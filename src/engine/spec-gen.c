/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Spec generation (libpod's generateSpec): the runtime's default spec, then the image config
 * (already folded into the container config at create: Entrypoint, Cmd, Env, WorkingDir,
 * User, StopSignal), then the container's own options, area by area (internal.h's hooks).
 * The result is a JSON document, written by engine_bundle_write().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "engine/internal.h"
#include "oci/spec.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/parse.h"
#include "util/path.h"
#include "util/strv.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* ------------------------------------------------------------------ the spec */

json_t *engine_spec_bind(const char *dst, const char *src, bool ro)
{
        return json_pack("{s:s, s:s, s:s, s:[s, s, s, s, s]}", "destination", dst, "type", "bind",
                         "source", src, "options", "bind", "rprivate", "nosuid", "nodev",
                         ro ? "ro" : "rw");
}

int engine_spec_env_set(json_t *spec, const char *name, const char *value, bool keep)
{
        json_t *env = json_object_get(json_object_get(spec, "process"), "env");
        size_t nl = strlen(name), i;
        json_t *v;
        json_array_foreach(env, i, v) {
                const char *s = json_string_value(v);
                if (s && strncmp(s, name, nl) == 0 && s[nl] == '=') {
                        if (keep)
                                return 0;
                        _cleanup_free_ char *a = NULL;
                        if (asprintf(&a, "%s=%s", name, value) < 0)
                                return -ENOMEM;
                        return json_array_set_new(env, i, json_string(a)) < 0 ? -ENOMEM : 0;
                }
        }
        _cleanup_free_ char *a = NULL;
        if (asprintf(&a, "%s=%s", name, value) < 0)
                return -ENOMEM;
        return json_array_append_new(env, json_string(a)) < 0 ? -ENOMEM : 0;
}

/* args, env, cwd, terminal: the command and its environment. */
static int process_json(json_t *proc, struct engine_spec_ctx *x, struct cu_error **err)
{
        json_t *c = x->c;
        _cleanup_strv_ char **args = NULL, **env = NULL;
        const char *keys[] = { "Entrypoint", "Cmd" };
        for (size_t k = 0; k < 2; k++) {
                size_t i;
                json_t *v;
                json_array_foreach(json_object_get(c, keys[k]), i, v)
                        if (json_is_string(v) && strv_extend(&args, json_string_value(v)) < 0)
                                return -ENOMEM;
        }
        if (!args)
                return cu_error_setx(err, EINVAL,
                                     "no command or entrypoint provided, and no CMD or ENTRYPOINT from image");

        /* Env: the defaults, the image's and the user's (folded at create), then ours. */
        if (strv_extend(&env, DEFAULT_PATH) < 0 || strv_extend(&env, "TERM=xterm") < 0)
                return -ENOMEM;
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(c, "Env"), i, v)
                if (json_is_string(v) && strv_env_set(&env, json_string_value(v)) < 0)
                        return -ENOMEM;
        if (strv_env_set(&env, "container=podman") < 0)
                return -ENOMEM;
        const char *wd = json_string_value(json_object_get(c, "WorkingDir"));
        json_object_set_new(proc, "terminal", json_boolean(json_is_true(json_object_get(c, "Tty"))));
        json_object_set_new(proc, "args", json_from_strv(args));
        json_object_set_new(proc, "env", json_from_strv(env));
        json_object_set_new(proc, "cwd", json_string(wd && *wd ? wd : "/"));
        return 0;
}

/* --init: our init (the cuttle binary, static; or InitPath: --init-path / containers.conf
 * init_path) at /run/podman-init runs the command. */
static int init_json(json_t *spec, struct engine_spec_ctx *x)
{
        if (!json_is_true(json_object_get(x->c, "Init")))
                return 0;
        const char *ip = json_string_value(json_object_get(x->c, "InitPath"));
        _cleanup_free_ char *self = ip && *ip ? strdup(ip)
                                    : x->e ? engine_self_exe(x->e) : strdup("/proc/self/exe");
        if (!self)
                return -ENOMEM;
        json_t *args = json_object_get(json_object_get(spec, "process"), "args");
        if (json_array_insert_new(args, 0, json_string("--")) < 0 ||
            json_array_insert_new(args, 0, json_string("/run/podman-init")) < 0)
                return -ENOMEM;
        return json_array_append_new(json_object_get(spec, "mounts"),
                                     engine_spec_bind("/run/podman-init", self, true)) < 0 ? -ENOMEM : 0;
}

json_t *engine_spec_generate(struct engine_spec_ctx *x, struct cu_error **err)
{
        _cleanup_free_ char *text = oci_spec_default_json(false);
        _cleanup_json_ json_t *spec = text ? json_loads(text, 0, NULL) : NULL;
        if (!spec) {
                cu_error_set(err, ENOMEM, "generating the default spec");
                return NULL;
        }
        json_t *c = x->c;
        const char *hn = json_string_value(json_object_get(c, "Hostname"));
        char shortid[13];
        snprintf(shortid, sizeof shortid, "%.12s", x->id);
        json_object_set_new(spec, "hostname", json_string(hn && *hn ? hn : shortid));
        json_object_set_new(spec, "root",
                            json_pack("{s:s, s:b}", "path", x->rootfs, "readonly",
                                      json_is_true(json_object_get(c, "ReadOnly"))));
        int r = process_json(json_object_get(spec, "process"), x, err);
        if (r >= 0)
                r = init_json(spec, x);
        if (r >= 0)
                r = engine_spec_env_set(spec, "HOSTNAME", hn && *hn ? hn : shortid, true);
        if (r >= 0)
                r = engine_spec_user(spec, x, err);
        if (r >= 0)
                r = engine_spec_security(spec, x, err);
        if (r >= 0)
                r = engine_spec_volumes(spec, x, err);
        if (r >= 0)
                r = engine_spec_bindmounts(spec, x, err);
        if (r >= 0)
                r = engine_spec_network(spec, x, err);
        if (r >= 0)
                r = engine_spec_mounts_sort(spec, x, err);
        if (r < 0) {
                if (r == -ENOMEM)
                        cu_error_set(err, ENOMEM, "generating the spec");
                return NULL;
        }
        json_t *ann = json_object();
        json_t *ua = json_object_get(c, "Annotations");
        if (json_is_object(ua))
                json_object_update(ann, ua);
        json_object_set_new(spec, "annotations", ann);
        return TAKE_PTR(spec);
}

/* ------------------------------------------------------------------ bundle files */

int engine_bundle_file(const char *bundle, const char *name, const char *text,
                       struct cu_error **err)
{
        _cleanup_free_ char *p = NULL;
        if (asprintf(&p, "%s/%s", bundle, name) < 0)
                return -ENOMEM;
        return write_file_atomic(p, text, strlen(text), 0644, err);
}

int engine_bundle_write(json_t *spec, const char *bundle, struct cu_error **err)
{
        int r = mkdir_p(bundle, 0700);
        if (r < 0)
                return cu_error_set(err, -r, "creating %s", bundle);
        _cleanup_free_ char *cfg = json_dumps(spec, JSON_COMPACT);
        if (!cfg)
                return cu_error_set(err, ENOMEM, "encoding config.json");
        return engine_bundle_file(bundle, "config.json", cfg, err);
}
