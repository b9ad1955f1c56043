/* SPDX-License-Identifier: GPL-2.0-or-later */
/* create: image + options → a container record (state "created") and its storage. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/idmap.h"
#include "engine/internal.h"
#include "monitor/restart.h"
#include "storage/images.h"
#include "storage/rootfs.h"
#include "storage/store.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/strv.h"

extern char **environ;

/* Adds "NAME=value" (or NAME taken from the host) to env. */
static int env_add(json_t *env, const char *item)
{
        _cleanup_free_ char *copy = NULL;
        if (!strchr(item, '=')) {
                const char *v = getenv(item);
                if (!v)
                        return 0;
                if (asprintf(&copy, "%s=%s", item, v) < 0)
                        return -ENOMEM;
                item = copy;
        }
        size_t nl = (size_t) (strchr(item, '=') - item), i;
        json_t *e;
        json_array_foreach(env, i, e) {
                const char *s = json_string_value(e);
                if (s && strncmp(s, item, nl) == 0 && s[nl] == '=')
                        return json_array_set_new(env, i, json_string(item));
        }
        return json_array_append_new(env, json_string(item));
}

static int env_file_add(json_t *env, const char *path, struct cu_error **err)
{
        _cleanup_free_ char *text = NULL;
        int r = read_full_file(path, &text, NULL, NULL);
        if (r < 0)
                return cu_error_set(err, -r, "open %s", path);
        for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                while (*l == ' ' || *l == '\t')
                        l++;
                size_t n = strlen(l);
                if (n && l[n - 1] == '\r')
                        l[--n] = '\0';
                if (!*l || *l == '#')
                        continue;
                if (*l == '=')
                        return cu_error_setx(err, EINVAL, "invalid variable: \"%s\"", l);
                if (env_add(env, l) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int kv_add(json_t *obj, const char *item)
{
        const char *eq = strchr(item, '=');
        _cleanup_free_ char *k = eq ? strndup(item, (size_t) (eq - item)) : strdup(item);
        if (!k)
                return -ENOMEM;
        return json_object_set_new(obj, k, json_string(eq ? eq + 1 : ""));
}

/* --entrypoint: a JSON array, or one string (podman's rule); "" clears it. */
static json_t *entrypoint_json(const char *s)
{
        if (!*s)
                return json_array();
        if (*s == '[') {
                json_t *a = json_loads(s, 0, NULL);
                if (json_is_array(a))
                        return a;
                json_decref(a);
        }
        return json_pack("[s]", s);
}

/* Size with k/m/g suffixes (binary), as --log-opt max-size. */
static int parse_size(const char *s, int64_t *ret)
{
        char *end = NULL;
        double v = strtod(s, &end);
        if (end == s || v < 0)
                return -EINVAL;
        int64_t mul = 1;
        switch (*end ? end[0] | 0x20 : 0) {
        case 0: break;
        case 'b': break;
        case 'k': mul = 1024; break;
        case 'm': mul = 1024 * 1024; break;
        case 'g': mul = 1024 * 1024 * 1024; break;
        default: return -EINVAL;
        }
        *ret = (int64_t) (v * (double) mul);
        return 0;
}

static const char *image_name_for(const struct image_rec *im, const char *given)
{
        for (char **n = im->names; n && *n; n++)
                if (strstr(*n, given))
                        return *n;
        return im->names && im->names[0] ? im->names[0] : NULL;
}

static int build_config(struct engine *e, const struct engine_create_opts *o,
                        const struct image_rec *im, const char *name, json_t **ret,
                        struct cu_error **err)
{
        _cleanup_json_ json_t *icfg_doc = im->config ? json_loads(im->config, 0, NULL) : NULL;
        json_t *ic = json_object_get(icfg_doc, "config");
        _cleanup_json_ json_t *c = json_object();
        if (!c)
                return -ENOMEM;
        json_object_set_new(c, "Name", json_string(name));
        json_object_set_new(c, "Image", json_string(im->id));
        const char *iname = image_name_for(im, o->image);
        json_object_set_new(c, "ImageName", json_string(iname ? iname : im->id));
        json_object_set_new(c, "RawImageName", json_string(o->image));

        json_t *ep = o->entrypoint ? entrypoint_json(o->entrypoint)
                                   : json_deep_copy(json_object_get(ic, "Entrypoint"));
        json_object_set_new(c, "Entrypoint", json_is_array(ep) ? ep : (json_decref(ep), json_array()));
        json_t *cmd = o->command && o->command[0] ? json_from_strv(o->command)
                      : o->entrypoint             ? json_array()
                                                  : json_deep_copy(json_object_get(ic, "Cmd"));
        json_object_set_new(c, "Cmd", json_is_array(cmd) ? cmd : (json_decref(cmd), json_array()));

        json_t *env = json_array();
        json_object_set_new(c, "Env", env);
        size_t i;
        json_t *v;
        for (char **p = o->default_env; p && *p; p++)
                if (env_add(env, *p) < 0)
                        return -ENOMEM;
        json_array_foreach(json_object_get(ic, "Env"), i, v)
                if (json_is_string(v))
                        env_add(env, json_string_value(v));
        if (o->env_host)
                for (char **p = environ; p && *p; p++)
                        if (strchr(*p, '='))
                                env_add(env, *p);
        for (char **f = o->env_files; f && *f; f++) {
                int r = env_file_add(env, *f, err);
                if (r < 0)
                        return r;
        }
        for (char **p = o->env; p && *p; p++)
                if (env_add(env, *p) < 0)
                        return -ENOMEM;

        const char *wd = o->workdir ? o->workdir : json_string_value(json_object_get(ic, "WorkingDir"));
        if (wd && *wd && *wd != '/')
                return cu_error_setx(err, EINVAL, "workdir %s must be an absolute path", wd);
        json_object_set_new(c, "WorkingDir", json_string(wd && *wd ? wd : "/"));
        const char *user = o->user ? o->user : json_string_value(json_object_get(ic, "User"));
        json_object_set_new(c, "User", json_string(user ? user : ""));
        json_object_set_new(c, "Hostname", json_string(o->hostname ? o->hostname : ""));

        json_t *labels = json_object();
        json_t *il = json_object_get(ic, "Labels");
        if (json_is_object(il))
                json_object_update(labels, il);
        for (char **p = o->labels; p && *p; p++)
                kv_add(labels, *p);
        json_object_set_new(c, "Labels", labels);
        json_t *ann = json_object();
        for (char **p = o->annotations; p && *p; p++)
                kv_add(ann, *p);
        json_object_set_new(c, "Annotations", ann);

        const char *ss = o->stop_signal ? o->stop_signal
                                        : json_string_value(json_object_get(ic, "StopSignal"));
        int sig = 15;
        if (ss && *ss && parse_signal(ss, &sig) < 0)
                return cu_error_setx(err, EINVAL, "invalid signal: %s", ss);
        json_object_set_new(c, "StopSignal", json_integer(sig));
        json_object_set_new(c, "StopTimeout", json_integer(o->stop_timeout >= 0 ? o->stop_timeout : 10));

        struct restart_spec rs;
        int r = restart_spec_parse(o->restart ? o->restart : "", &rs, err);
        if (r < 0)
                return r;
        if (o->remove && rs.policy != RESTART_NO)
                return cu_error_setx(err, EINVAL,
                                     "the --rm option conflicts with --restart, when the restartPolicy is not \"\" and \"no\"");
        json_object_set_new(c, "RestartPolicy", json_string(o->restart && *o->restart ? o->restart : ""));

        const char *ld = o->log_driver ? o->log_driver : "k8s-file";
        if (strcmp(ld, "journald") == 0 || log_driver_from_string(ld) < 0)
                return cu_error_setx(err, EINVAL, "invalid log driver: %s", ld);
        json_object_set_new(c, "LogDriver", json_string(ld));
        for (char **p = o->log_opts; p && *p; p++) {
                const char *eq = strchr(*p, '=');
                if (!eq)
                        return cu_error_setx(err, EINVAL, "invalid log option %s", *p);
                if (strncmp(*p, "max-size=", 9) == 0) {
                        int64_t sz = 0;
                        if (parse_size(eq + 1, &sz) < 0)
                                return cu_error_setx(err, EINVAL, "invalid size: '%s'", eq + 1);
                        json_object_set_new(c, "LogMaxSize", json_integer(sz));
                } else if (strncmp(*p, "tag=", 4) == 0) {
                        json_object_set_new(c, "LogTag", json_string(eq + 1));
                } else if (strncmp(*p, "path=", 5) == 0) {
                        json_object_set_new(c, "LogPath", json_string(eq + 1));
                } else {
                        return cu_error_setx(err, EINVAL, "unknown log opt \"%s\"", *p);
                }
        }
        json_object_set_new(c, "Tty", json_boolean(o->tty));
        json_object_set_new(c, "OpenStdin", json_boolean(o->interactive));
        json_object_set_new(c, "ReadOnly", json_boolean(o->read_only));
        json_object_set_new(c, "Privileged", json_boolean(o->privileged));
        json_object_set_new(c, "AutoRemove", json_boolean(o->remove));
        json_object_set_new(c, "Init", json_boolean(o->init));
        if (o->init && o->init_path && o->init_path[0]) {
                struct stat st;
                if (o->init_path[0] != '/')
                        return cu_error_setx(err, EINVAL, "init path %s must be an absolute path", o->init_path);
                if (stat(o->init_path, &st) < 0)
                        return cu_error_set(err, errno, "container-init binary not found on the host: stat %s",
                                            o->init_path);
                json_object_set_new(c, "InitPath", json_string(o->init_path));
        }
        json_object_set_new(c, "SigProxy", json_boolean(o->sig_proxy));
        json_object_set_new(c, "CapAdd", json_from_strv(o->cap_add));
        json_object_set_new(c, "CapDrop", json_from_strv(o->cap_drop));
        json_object_set_new(c, "Memory", json_integer(o->memory));
        if (o->has_pids_limit)
                json_object_set_new(c, "PidsLimit", json_integer(o->pids_limit));
        if (o->detach_keys)
                json_object_set_new(c, "DetachKeys", json_string(o->detach_keys));
        json_object_set_new(c, "CreateCommand", json_from_strv(o->create_command));
        int (*const areas[])(struct engine *, json_t *, const struct engine_create_opts *, json_t *,
                             struct cu_error **) = {
                engine_config_network, engine_config_bindmounts, engine_config_security,
                engine_config_volumes, engine_config_health, engine_config_runtime,
                engine_config_notify,
        };
        for (size_t k = 0; k < ELEMENTSOF(areas); k++) {
                r = areas[k](e, c, o, ic, err);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(c);
        return 0;
}

int engine_create(struct engine *e, const struct engine_create_opts *o, char ret_id[CTR_ID_LEN + 1],
                  struct cu_error **err)
{
        if (o->name && !ctr_name_valid(o->name))
                return cu_error_setx(err, EINVAL,
                                     "names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument");
        _cleanup_image_rec_ struct image_rec *im = NULL;
        int r = image_lookup(e->db, o->image, &im, err);
        if (r < 0)
                return r;
        if (o->name && o->replace) {
                char old[CTR_ID_LEN + 1];
                if (ctr_lookup_id(e->db, o->name, old, NULL) >= 0) {
                        _cleanup_ctr_record_ struct ctr_record *oldr = NULL;
                        if (ctr_get_by_id(e->db, old, &oldr, NULL) >= 0 && streq_ptr(oldr->name, o->name)) {
                                r = engine_remove(e, old, true, -1, err);
                                if (r < 0 && r != -ENOENT)
                                        return cu_error_prefix(err, r, "replacing container %s", o->name);
                                cu_error_clear(err);
                        }
                }
        }
        char name[128];
        if (o->name)
                snprintf(name, sizeof name, "%s", o->name);
        else if (engine_name_generate(name, sizeof name) < 0)
                return -ENOBUFS;
        _cleanup_json_ json_t *c = NULL;
        r = build_config(e, o, im, name, &c, err);
        if (r < 0)
                return r == -ENOMEM ? cu_error_set(err, ENOMEM, "creating container") : r;

        struct ctr_record rec = { .state = CTR_STATE_CREATED, .created = engine_now_ns() };
        r = ctr_id_generate(rec.id);
        if (r < 0)
                return cu_error_set(err, -r, "generating a container ID");
        r = rootfs_create(e->store, rec.id, im->layers, err);
        /* --rm: nothing of it outlives the run, so its writes need not be synced (podman).
         * Not with a user namespace: idmap.c stacks a second overlay on the same work dir,
         * which overlay refuses once a volatile mount has marked it. */
        bool userns = idmap_config_has_userns(c);
        if (r >= 0 && o->remove && !userns)
                r = rootfs_set_volatile(e->store, rec.id, err);
        if (r < 0) {
                (void) rootfs_delete(e->store, rec.id, NULL);
                return cu_error_prefix(err, r, "creating container storage");
        }
        _cleanup_free_ char *ud = engine_path(e, rec.id, "userdata");
        if (!ud || mkdir(ud, 0700) < 0) {
                r = cu_error_set(err, ud ? errno : ENOMEM, "creating %s", strempty(ud));
                goto fail;
        }
        rec.image_id = im->id;
        rec.image_name = (char *) json_string_value(json_object_get(c, "ImageName"));
        for (int attempt = 0;; attempt++) {
                json_object_set_new(c, "Name", json_string(name));
                _cleanup_free_ char *text = json_dumps(c, JSON_COMPACT);
                if (!text) {
                        r = cu_error_set(err, ENOMEM, "encoding the container config");
                        goto fail;
                }
                rec.name = name;
                rec.config = text;
                r = ctr_add(e->db, &rec, err);
                if (r == -EEXIST && !o->name && attempt < 8) {
                        cu_error_clear(err);
                        if (engine_name_generate(name, sizeof name) < 0)
                                goto fail;
                        continue;
                }
                if (r < 0)
                        goto fail;
                engine_event_container(e, &rec, "create");
                break;
        }
        memcpy(ret_id, rec.id, sizeof rec.id);
        return 0;
fail:
        (void) rootfs_delete(e->store, rec.id, NULL);
        return r;
}
