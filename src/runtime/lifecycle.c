/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kill / delete / pause / resume / state / list / ps / update. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "hooks.h"
#include "runtime-internal.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/proc.h"
#include "wait.h"

/* Signals the init through a pidfd, after checking it is still our process. */
static int signal_init(const struct container_state *st, int sig, struct cu_error **err)
{
        _cleanup_close_ int pfd = sys_pidfd_open(st->pid, 0);
        if (pfd < 0 || !container_pid_alive(st))
                return cu_error_setx(err, ESRCH, "container not running");
        int r = sys_pidfd_send_signal(pfd, sig);
        if (r < 0)
                return cu_error_set(err, -r, "sending signal %d to container %s", sig, st->id);
        return 0;
}

int runtime_kill(const struct runtime_ctx *ctx, const char *id, int sig, bool all,
                 struct cu_error **err)
{
        _cleanup_(container_state_freep) struct container_state *st = NULL;
        int r = container_state_load(ctx, id, &st, err);
        if (r < 0)
                return r;
        enum container_status status = container_status(st);
        if (status == STATUS_STOPPED && !all)
                return cu_error_setx(err, ESRCH, "container not running");
        if (all) {
                _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
                r = container_cgroup(st, &cg, err);
                if (r < 0)
                        return r;
                if (status == STATUS_PAUSED && sig == SIGKILL)
                        (void) cgroup_freeze(cg, false, NULL);
                return cgroup_kill_all(cg, sig, err);
        }
        return signal_init(st, sig, err);
}

/* Removes everything of a stopped container: cgroup, state dir; runs poststop. */
static int destroy(struct container_state *st, struct cu_error **err)
{
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        int r = container_cgroup(st, &cg, err);
        if (r < 0)
                return r;
        /* Without a pid namespace, children of the init can outlive it. */
        _cleanup_free_ pid_t *pids = NULL;
        size_t n_pids = 0;
        if (cgroup_get_pids(cg, &pids, &n_pids, NULL) < 0 || n_pids > 0) {
                (void) cgroup_freeze(cg, false, NULL);
                (void) cgroup_kill_all(cg, SIGKILL, NULL);
        }
        log_debug("delete: cgroup emptied");
        r = cgroup_destroy(cg, err);
        log_debug("delete: cgroup removed");
        if (r < 0)
                return r;
        container_hooks_warn(st, OCI_HOOK_POSTSTOP, STATUS_STOPPED);
        r = rm_rf(st->dir);
        if (r < 0)
                return cu_error_set(err, -r, "removing %s", st->dir);
        return 0;
}

int runtime_delete(const struct runtime_ctx *ctx, const char *id, bool force,
                   struct cu_error **err)
{
        _cleanup_(container_state_freep) struct container_state *st = NULL;
        int r = container_state_load(ctx, id, &st, err);
        if (r == -ENOENT && force) {
                cu_error_clear(err);
                /* A create that died half-way may have left only the directory. */
                _cleanup_free_ char *dir = NULL;
                if (container_state_dir(ctx, id, &dir, NULL) >= 0)
                        (void) rm_rf(dir);
                return 0;
        }
        if (r < 0)
                return r;
        return container_delete(st, force, err);
}

int container_delete(struct container_state *st, bool force, struct cu_error **err)
{
        const char *id = st->id;
        enum container_status status = container_status(st);
        if ((status == STATUS_RUNNING || status == STATUS_PAUSED) && !force)
                return cu_error_setx(err, EBUSY,
                                     "cannot delete container %s that is not stopped: %s", id,
                                     container_status_names[status]);
        if (status != STATUS_STOPPED) {
                _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
                if (container_cgroup(st, &cg, NULL) >= 0) {
                        (void) cgroup_freeze(cg, false, NULL);
                        (void) cgroup_kill_all(cg, SIGKILL, NULL);
                }
                (void) signal_init(st, SIGKILL, NULL);
                if (wait_pid_gone(st->pid, 10000) < 0)
                        return cu_error_setx(err, ETIMEDOUT, "container %s did not die", id);
        }
        return destroy(st, err);
}

int runtime_pause(const struct runtime_ctx *ctx, const char *id, bool pause,
                  struct cu_error **err)
{
        _cleanup_(container_state_freep) struct container_state *st = NULL;
        int r = container_state_load(ctx, id, &st, err);
        if (r < 0)
                return r;
        enum container_status status = container_status(st);
        if (pause && status != STATUS_RUNNING)
                return cu_error_setx(err, EINVAL, "container not running");
        if (!pause && status != STATUS_PAUSED)
                return cu_error_setx(err, EINVAL, "container not paused");
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        r = container_cgroup(st, &cg, err);
        if (r < 0)
                return r;
        return cgroup_freeze(cg, pause, err);
}

int runtime_state(const struct runtime_ctx *ctx, const char *id, json_t **ret,
                  struct cu_error **err)
{
        _cleanup_(container_state_freep) struct container_state *st = NULL;
        int r = container_state_load(ctx, id, &st, err);
        if (r < 0)
                return r;
        *ret = container_state_json(st, container_status(st));
        return *ret ? 0 : cu_error_set(err, ENOMEM, "state");
}

int runtime_list(const struct runtime_ctx *ctx, json_t **ret, struct cu_error **err)
{
        const char *root = ctx->state_root ? ctx->state_root : runtime_default_root();
        _cleanup_json_ json_t *a = json_array();
        _cleanup_closedir_ DIR *d = opendir(root);
        if (!d) {
                if (errno != ENOENT)
                        return cu_error_set(err, errno, "opening %s", root);
                *ret = TAKE_PTR(a);
                return 0;
        }
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                json_t *j = NULL;
                if (runtime_state(ctx, de->d_name, &j, NULL) < 0)
                        continue; /* half-created or foreign entry */
                json_array_append_new(a, j);
        }
        *ret = TAKE_PTR(a);
        return 0;
}

int runtime_pids(const struct runtime_ctx *ctx, const char *id, pid_t **ret, size_t *ret_n,
                 struct cu_error **err)
{
        _cleanup_(container_state_freep) struct container_state *st = NULL;
        int r = container_state_load(ctx, id, &st, err);
        if (r < 0)
                return r;
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        r = container_cgroup(st, &cg, err);
        if (r < 0)
                return r;
        return cgroup_get_pids(cg, ret, ret_n, err);
}

int runtime_update(const struct runtime_ctx *ctx, const char *id, const struct oci_resources *res,
                   struct cu_error **err)
{
        _cleanup_(container_state_freep) struct container_state *st = NULL;
        int r = container_state_load(ctx, id, &st, err);
        if (r < 0)
                return r;
        if (container_status(st) == STATUS_STOPPED)
                return cu_error_setx(err, EINVAL, "container not running");
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        r = container_cgroup(st, &cg, err);
        if (r < 0)
                return r;
        return cgroup_update(cg, res, err);
}

int runtime_process_defaults(const struct runtime_ctx *ctx, const char *id,
                             struct oci_process **ret, struct cu_error **err)
{
        _cleanup_(container_state_freep) struct container_state *st = NULL;
        int r = container_state_load(ctx, id, &st, err);
        if (r < 0)
                return r;
        if (!st->spec->process)
                return cu_error_setx(err, EINVAL, "container %s has no process", id);
        *ret = TAKE_PTR(st->spec->process);
        (*ret)->terminal = false;
        return 0;
}

int runtime_parse_user(const char *s, struct oci_user *u, struct cu_error **err)
{
        _cleanup_free_ char *copy = strdup(s);
        if (!copy)
                return cu_error_set(err, ENOMEM, "strdup");
        char *colon = strchr(copy, ':');
        if (colon)
                *colon = '\0';
        unsigned uid = 0, gid = 0;
        if (safe_atou(copy, &uid) < 0 || (colon && safe_atou(colon + 1, &gid) < 0))
                return cu_error_setx(err, EINVAL, "invalid --user \"%s\": want UID[:GID]", s);
        u->uid = uid;
        if (colon) /* without :GID the process keeps its configured group */
                u->gid = gid;
        return 0;
}
