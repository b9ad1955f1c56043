/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rm: stop when forced, then everything goes (runtime state, mounts, files, record). */
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/internal.h"
#include "state/lock.h"
#include "storage/rootfs.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/strv.h"

/* Exit codes of removed containers live on for EXIT_KEEP_S: an attached `run --rm` reads its
 * container's code after the monitor's cleanup may already have removed it (podman keeps them
 * in its database for the same reason, 5 minutes). */
#define EXIT_KEEP_S 300

static void exit_code_save(struct engine *e, const struct ctr_record *r)
{
        char dir[4096], path[4096 + CTR_ID_LEN + 2], code[16];
        snprintf(dir, sizeof dir, "%s/exits", e->runroot);
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return;
        _cleanup_(closedirp) DIR *d = opendir(dir);
        time_t now = time(NULL);
        for (struct dirent *de; d && (de = readdir(d));) {
                struct stat st;
                if (de->d_name[0] != '.' && fstatat(dirfd(d), de->d_name, &st, 0) == 0 &&
                    st.st_mtime + EXIT_KEEP_S < now)
                        (void) unlinkat(dirfd(d), de->d_name, 0);
        }
        snprintf(path, sizeof path, "%s/%s", dir, r->id);
        snprintf(code, sizeof code, "%d", r->exit_code);
        (void) write_file_atomic(path, code, strlen(code), 0600, NULL);
}

int engine_exit_code_saved(struct engine *e, const char *id, int *ret)
{
        char path[4096 + CTR_ID_LEN + 8];
        _cleanup_free_ char *text = NULL;
        snprintf(path, sizeof path, "%s/exits/%s", e->runroot, id);
        if (read_full_file(path, &text, NULL, NULL) < 0)
                return -ENOENT;
        return safe_atoi(text, ret) < 0 ? -EINVAL : 0;
}

static int remove_locked(struct engine *e, struct ctr_record *r, bool volumes, struct cu_error **err)
{
        r->state = CTR_STATE_REMOVING;
        (void) engine_save_state(e, r, NULL);
        engine_teardown(e, r);
        int ret = rootfs_delete(e->store, r->id, err);
        if (ret < 0 && ret != -ENOENT)
                return cu_error_prefix(err, ret, "removing storage of container %s", r->id);
        cu_error_clear(err);
        _cleanup_free_ char *rundir = engine_path(e, r->id, "rundir");
        if (rundir)
                (void) rm_rf(rundir);
        if (r->has_exit_code)
                exit_code_save(e, r);
        ret = ctr_remove(e->db, r->id, err);
        if (ret < 0 && ret != -ENOENT)
                return ret;
        cu_error_clear(err);
        char lockp[4096];
        snprintf(lockp, sizeof lockp, "%s/locks/%s.lock", e->runroot, r->id);
        (void) unlink(lockp);
        if (volumes)
                (void) engine_volumes_remove_anonymous(e, r->config);
        engine_event_container(e, r, "remove");
        return 0;
}

/* Whether j (a config value) holds the string "container:<id>" somewhere. */
static bool refers_to(json_t *j, const char *ref)
{
        if (json_is_string(j))
                return strcmp(json_string_value(j), ref) == 0;
        const char *k;
        json_t *v;
        size_t i;
        if (json_is_object(j))
                json_object_foreach(j, k, v)
                        if (refers_to(v, ref))
                                return true;
        if (json_is_array(j))
                json_array_foreach(j, i, v)
                        if (refers_to(v, ref))
                                return true;
        return false;
}

int engine_dependents(struct engine *e, const char *id, char ***ret, struct cu_error **err)
{
        _cleanup_ctr_record_list_ struct ctr_record **list = NULL;
        int r = ctr_list(e->db, &list, NULL, err);
        if (r < 0)
                return r;
        char ref[16 + CTR_ID_LEN];
        snprintf(ref, sizeof ref, "container:%s", id);
        _cleanup_strv_ char **v = calloc(1, sizeof(char *));
        if (!v)
                return cu_error_set(err, ENOMEM, "listing dependents");
        for (struct ctr_record **p = list; *p; p++) {
                if (strcmp((*p)->id, id) == 0)
                        continue;
                _cleanup_json_ json_t *c = engine_config(*p);
                if (c && refers_to(c, ref) && strv_extend(&v, (*p)->id) < 0)
                        return cu_error_set(err, ENOMEM, "listing dependents");
        }
        *ret = TAKE_PTR(v);
        return 0;
}

/* run --rm removes the anonymous volumes with the container, as podman does. */
int engine_remove_locked(struct engine *e, struct ctr_record *r, struct cu_error **err)
{
        _cleanup_json_ json_t *c = engine_config(r);
        return remove_locked(e, r, json_is_true(json_object_get(c, "AutoRemove")), err);
}

int engine_remove_volumes(struct engine *e, const char *id, bool force, int timeout, bool volumes,
                          struct cu_error **err)
{
        _cleanup_lock_ struct lock *l = NULL;
        _cleanup_ctr_record_ struct ctr_record *r = NULL;
        int ret = engine_get_locked(e, id, &l, &r, err);
        if (ret < 0)
                return ret;
        _cleanup_strv_ char **deps = NULL;
        ret = engine_dependents(e, r->id, &deps, err);
        if (ret < 0)
                return ret;
        if (deps && deps[0]) {
                _cleanup_free_ char *list = strv_join(deps, ",");
                return cu_error_setx(err, EEXIST,
                                     "container %s has dependent containers which must be removed before it: %s: container already exists",
                                     r->id, strempty(list));
        }
        ret = engine_namespaces_check_remove(e, r, err);
        if (ret < 0)
                return ret;
        if (r->state == CTR_STATE_INITIALIZED) {
                ret = engine_stop_locked(e, r, 0, err);
                if (ret < 0)
                        return ret;
        } else if (engine_is_running(r)) {
                if (!force)
                        return cu_error_setx(err, EBUSY,
                                             "cannot remove container %s as it is %s - running or paused containers cannot be removed without force: container state improper",
                                             r->id, ctr_state_to_string(r->state));
                ret = engine_stop_locked(e, r, timeout, err);
                if (ret < 0)
                        return ret;
        }
        _cleanup_json_ json_t *c = engine_config(r);
        return remove_locked(e, r, volumes || json_is_true(json_object_get(c, "AutoRemove")), err);
}

int engine_remove(struct engine *e, const char *id, bool force, int timeout, struct cu_error **err)
{
        return engine_remove_volumes(e, id, force, timeout, false, err);
}
