/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Container records on disk: <state_root>/<id>/{state.json,config.json,exec.fifo}. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "hooks.h"
#include "runtime-internal.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/log.h"
#include "util/proc.h"

const char *const container_status_names[_STATUS_MAX] = {
        [STATUS_CREATING] = "creating", [STATUS_CREATED] = "created",
        [STATUS_RUNNING] = "running",   [STATUS_PAUSED] = "paused",
        [STATUS_STOPPED] = "stopped",
};

const char *runtime_default_root(void)
{
        static char buf[4096];
        if (geteuid() == 0)
                return "/run/cuttle-runtime";
        const char *xdg = getenv("XDG_RUNTIME_DIR");
        if (xdg && *xdg) {
                snprintf(buf, sizeof buf, "%s/cuttle-runtime", xdg);
                return buf;
        }
        snprintf(buf, sizeof buf, "/tmp/cuttle-runtime-%u", (unsigned) geteuid());
        return buf;
}

int runtime_check_id(const char *id, struct cu_error **err)
{
        if (!id || !*id)
                return cu_error_setx(err, EINVAL, "container id cannot be empty");
        if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0 || strlen(id) > 1024)
                return cu_error_setx(err, EINVAL, "invalid container id format: %s", id);
        for (const char *p = id; *p; p++) {
                char c = *p;
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-' || c == '.' || c == '+'))
                        return cu_error_setx(err, EINVAL, "invalid container id format: %s", id);
        }
        return 0;
}

struct container_state *container_state_free(struct container_state *s)
{
        if (!s)
                return NULL;
        free(s->id);
        free(s->dir);
        free(s->bundle);
        free(s->rootfs);
        free(s->created);
        free(s->cgroup_root);
        free(s->cgroup_path);
        free(s->owner);
        oci_spec_free(s->spec);
        free(s);
        return NULL;
}

int container_state_dir(const struct runtime_ctx *ctx, const char *id, char **ret,
                        struct cu_error **err)
{
        int r = runtime_check_id(id, err);
        if (r < 0)
                return r;
        const char *root = ctx->state_root ? ctx->state_root : runtime_default_root();
        if (asprintf(ret, "%s/%s", root, id) < 0)
                return cu_error_set(err, ENOMEM, "asprintf");
        return 0;
}

int container_state_save(const struct container_state *s, struct cu_error **err)
{
        _cleanup_json_ json_t *o = json_pack(
                "{s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:{s:i, s:s?, s:s?}}", "id", s->id, "pid",
                (json_int_t) s->pid, "pidStartTime", (json_int_t) s->pid_start_time, "bundle",
                s->bundle, "rootfs", s->rootfs, "created", s->created, "owner",
                s->owner ? s->owner : "", "cgroup", "version", s->cgroup_version, "root",
                s->cgroup_root, "path", s->cgroup_path);
        if (!o)
                return cu_error_set(err, ENOMEM, "building state");
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/%s", s->dir, STATE_FILE) < 0)
                return cu_error_set(err, ENOMEM, "asprintf");
        return json_write_file_atomic(o, path, 0600, err);
}

static int dup_member(json_t *o, const char *key, char **ret)
{
        json_t *v = json_object_get(o, key);
        if (!json_is_string(v)) {
                *ret = NULL;
                return 0;
        }
        *ret = strdup(json_string_value(v));
        return *ret ? 0 : -ENOMEM;
}

int container_state_load(const struct runtime_ctx *ctx, const char *id,
                         struct container_state **ret, struct cu_error **err)
{
        _cleanup_free_ char *dir = NULL;
        int r = container_state_dir(ctx, id, &dir, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/%s", dir, STATE_FILE) < 0)
                return cu_error_set(err, ENOMEM, "asprintf");
        if (access(path, F_OK) < 0) {
                if (errno == ENOENT)
                        return cu_error_setx(err, ENOENT, "container \"%s\" does not exist", id);
                return cu_error_set(err, errno, "reading state of %s", id);
        }
        _cleanup_json_ json_t *o = json_load_path(path, err);
        if (!o)
                return cu_error_prefix(err, -EINVAL, "container %s: corrupt state", id);

        _cleanup_(container_state_freep) struct container_state *s = calloc(1, sizeof(*s));
        if (!s)
                return cu_error_set(err, ENOMEM, "calloc");
        s->id = strdup(id);
        s->dir = TAKE_PTR(dir);
        json_t *cg = json_object_get(o, "cgroup");
        if (!s->id || dup_member(o, "bundle", &s->bundle) < 0 ||
            dup_member(o, "rootfs", &s->rootfs) < 0 || dup_member(o, "created", &s->created) < 0 ||
            dup_member(o, "owner", &s->owner) < 0 || dup_member(cg, "root", &s->cgroup_root) < 0 ||
            dup_member(cg, "path", &s->cgroup_path) < 0)
                return cu_error_set(err, ENOMEM, "loading state");
        s->pid = (pid_t) json_integer_value(json_object_get(o, "pid"));
        s->pid_start_time = (uint64_t) json_integer_value(json_object_get(o, "pidStartTime"));
        s->cgroup_version = (int) json_integer_value(json_object_get(cg, "version"));

        _cleanup_free_ char *cfg = NULL;
        if (asprintf(&cfg, "%s/%s", s->dir, CONFIG_COPY) < 0)
                return cu_error_set(err, ENOMEM, "asprintf");
        s->spec = oci_spec_parse_file(cfg, err);
        if (!s->spec)
                return cu_error_prefix(err, -EINVAL, "container %s", id);
        *ret = TAKE_PTR(s);
        return 0;
}

bool container_pid_alive(const struct container_state *s)
{
        if (s->pid <= 0)
                return false;
        uint64_t st = 0;
        char state = 0;
        if (proc_stat(s->pid, &state, &st) < 0 || st != s->pid_start_time)
                return false;
        return state != 'Z' && state != 'X';
}

int container_cgroup(const struct container_state *s, struct cgroup **ret, struct cu_error **err)
{
        return cgroup_new(s->cgroup_root, s->cgroup_version, s->cgroup_path, s->id, false, ret,
                          err);
}

enum container_status container_status(const struct container_state *s)
{
        if (!container_pid_alive(s))
                return STATUS_STOPPED;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", s->dir, CREATING_MARK);
        if (access(path, F_OK) == 0)
                return STATUS_CREATING;
        snprintf(path, sizeof path, "%s/%s", s->dir, EXEC_FIFO);
        if (access(path, F_OK) == 0)
                return STATUS_CREATED;
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        bool frozen = false;
        if (container_cgroup(s, &cg, NULL) >= 0 && cgroup_is_frozen(cg, &frozen, NULL) >= 0 &&
            frozen)
                return STATUS_PAUSED;
        return STATUS_RUNNING;
}

json_t *container_state_json(const struct container_state *s, enum container_status st)
{
        json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s}", "ociVersion", "1.1.0",
                              "id", s->id, "status", container_status_names[st], "pid",
                              (json_int_t) (st == STATUS_STOPPED ? 0 : s->pid), "bundle",
                              s->bundle, "rootfs", s->rootfs, "created", s->created, "owner",
                              s->owner ? s->owner : "");
        if (!o)
                return NULL;
        json_t *ann = json_object();
        if (s->spec && s->spec->annotations)
                for (char **kv = s->spec->annotations; kv[0] && kv[1]; kv += 2)
                        json_object_set_new(ann, kv[0], json_string(kv[1]));
        json_object_set_new(o, "annotations", ann);
        return o;
}

char *container_state_text(const struct container_state *s, enum container_status st)
{
        _cleanup_json_ json_t *j = container_state_json(s, st);
        return j ? json_dumps(j, JSON_COMPACT) : NULL;
}

void container_hooks_warn(const struct container_state *s, enum oci_hook_kind kind,
                          enum container_status st)
{
        const struct oci_hooks *h = &s->spec->hooks;
        if (!h->n_hooks[kind])
                return;
        _cleanup_free_ char *state = container_state_text(s, st);
        struct cu_error *herr = NULL;
        if (hooks_run(h->hooks[kind], h->n_hooks[kind], oci_hook_kind_names[kind],
                      state ? state : "{}", &herr) < 0)
                log_warn("%s, ignoring", cu_error_msg(herr));
        cu_error_free(herr);
}
