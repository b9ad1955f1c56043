/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exec: a process in a running container, through the built-in runtime in-process. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/internal.h"
#include "oci/spec.h"
#include "storage/rootfs.h"
#include "util/strv.h"

static char **all_caps(void)
{
        return engine_caps_available();
}

int engine_exec(struct engine *e, const char *id, const struct engine_exec_opts *o,
                int *ret_exit_code, struct cu_error **err)
{
        _cleanup_ctr_record_ struct ctr_record *r = NULL;
        int ret = engine_get(e, id, &r, err);
        if (ret < 0)
                return ret;
        if (r->state != CTR_STATE_RUNNING || r->pid <= 0)
                return cu_error_setx(err, EINVAL,
                                     "can only create exec sessions on running containers: container state improper");
        if (!o->args || !o->args[0])
                return cu_error_setx(err, EINVAL, "must provide a non-empty command to start an exec session: invalid argument");
        _cleanup_(oci_process_freep) struct oci_process *p = NULL;
        ret = engine_oci_process_defaults(e, r, &p, err);
        if (ret < 0)
                return ret;
        strv_free(p->args);
        p->args = strv_copy(o->args);
        for (char **v = o->env; v && *v; v++) {
                if (strchr(*v, '=')) {
                        ret = strv_env_set(&p->env, *v);
                } else {
                        const char *hv = getenv(*v);
                        _cleanup_free_ char *a = NULL;
                        if (!hv)
                                continue;
                        if (asprintf(&a, "%s=%s", *v, hv) < 0)
                                return -ENOMEM;
                        ret = strv_env_set(&p->env, a);
                }
                if (ret < 0)
                        return -ENOMEM;
        }
        if (o->workdir) {
                free(p->cwd);
                p->cwd = strdup(o->workdir);
        }
        if (o->user) {
                _cleanup_free_ char *merged = rootfs_path(e->store, r->id);
                _cleanup_close_ int rootfd = merged ? open(merged, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
                uint32_t uid, gid, *groups = NULL;
                size_t n = 0;
                ret = engine_resolve_user(rootfd, o->user, &uid, &gid, &groups, &n, NULL, err);
                if (ret < 0)
                        return ret;
                p->user.uid = uid;
                p->user.gid = gid;
                free(p->user.additional_gids);
                p->user.additional_gids = groups;
                p->user.n_additional_gids = n;
        }
        if (o->privileged) {
                char ***sets[] = { &p->caps.bounding, &p->caps.effective, &p->caps.permitted };
                for (size_t i = 0; i < ELEMENTSOF(sets); i++) {
                        strv_free(*sets[i]);
                        *sets[i] = all_caps();
                }
                p->has_capabilities = true;
        }
        p->terminal = o->tty;
        struct runtime_exec_opts eo = { .detach = o->detach, .console_socket = o->console_socket };
        int code = 0;
        engine_event_container(e, r, "exec");
        ret = engine_oci_exec(e, r, p, &eo, &code, err);
        if (ret >= 0 && !o->detach)
                engine_event_exit(e, r, "exec_died", code);
        if (ret < 0) {
                _cleanup_free_ char *m = strdup(cu_error_msg(*err));
                if (!m)
                        return ret;
                cu_error_clear(err);
                if (strstr(m, "executable file not found") || strstr(m, "No such file or directory"))
                        return cu_error_setx(err, ENOENT, "cuttle: exec failed: %s: OCI runtime attempted to invoke a command that was not found", m);
                if (strstr(m, "ermission denied"))
                        return cu_error_setx(err, EACCES, "cuttle: exec failed: %s: OCI permission denied", m);
                return cu_error_setx(err, -ret, "%s", m);
        }
        *ret_exit_code = o->detach ? 0 : code;
        return 0;
}
