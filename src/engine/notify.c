/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * systemd integration of a container's start (podman's --sdnotify and socket activation):
 *   create   --sdnotify container|conmon|ignore (default container) and the caller's
 *            NOTIFY_SOCKET are recorded in the config (SdNotifyMode, SdNotifySocket; inspect's
 *            Config shows them);
 *   start    the NOTIFY_SOCKET of the starting process (else the recorded one) goes to the
 *            monitor (monitor/notify.h does the sending and, in container mode, the relaying);
 *            container mode bind-mounts <rundir>/notify, where the monitor binds its proxy
 *            socket, at /run/notify and sets NOTIFY_SOCKET=/run/notify/notify.sock (the seed's
 *            mountNotifySocket());
 *   fds      --preserve-fds N (engine->preserve_fds), else LISTEN_FDS=N from the environment
 *            (systemd socket activation): fds 3..3+N-1 go to the container; LISTEN_PID (as 1),
 *            LISTEN_FDS and LISTEN_FDNAMES are passed on into its environment (the seed's
 *            "Pass down the LISTEN_* environment"; as podman, LISTEN_PID is not compared with
 *            our pid).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/internal.h"
#include "monitor/notify.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/strv.h"

#define NOTIFY_DIR_IN_CTR "/run/notify"
#define NOTIFY_SOCKET_IN_CTR "/run/notify/notify.sock"

int engine_notify_mode_check(const char *mode, struct cu_error **err)
{
        if (mode && *mode && notify_mode_from_string(mode) < 0)
                return cu_error_setx(err, EINVAL,
                                     "invalid config provided: invalid argument: invalid sdnotify value \"%s\": must be container, conmon or ignore",
                                     mode);
        return 0;
}

int engine_config_notify(struct engine *e, json_t *c, const struct engine_create_opts *o,
                         json_t *ic, struct cu_error **err)
{
        (void) e;
        (void) ic;
        const char *mode = o->sec.sdnotify && *o->sec.sdnotify ? o->sec.sdnotify : "container";
        int r = engine_notify_mode_check(mode, err);
        if (r < 0)
                return r;
        const char *sock = getenv("NOTIFY_SOCKET");
        bool ignore = notify_mode_from_string(mode) == NOTIFY_MODE_IGNORE;
        json_object_set_new(c, "SdNotifyMode", json_string(mode));
        json_object_set_new(c, "SdNotifySocket", json_string(!ignore && sock ? sock : ""));
        return 0;
}

/* The caller's socket for a start of the container with config c, or NULL (ignore, none). */
static const char *host_socket(json_t *c, enum notify_mode *ret_mode)
{
        const char *ms = json_string_value(json_object_get(c, "SdNotifyMode"));
        enum notify_mode m = notify_mode_from_string(ms && *ms ? ms : "container");
        *ret_mode = m;
        if (m < 0 || m == NOTIFY_MODE_IGNORE)
                return NULL;
        const char *s = getenv("NOTIFY_SOCKET");
        if (!s || !*s)
                s = json_string_value(json_object_get(c, "SdNotifySocket"));
        return s && *s ? s : NULL;
}

/* <rundir>/notify: where the monitor binds the proxy socket. */
static char *notify_dir(struct engine *e, const char *id)
{
        _cleanup_free_ char *rd = engine_path(e, id, "rundir");
        char *p = NULL;
        if (!rd || asprintf(&p, "%s/notify", rd) < 0)
                return NULL;
        return p;
}

int engine_spec_notify(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err)
{
        static const char *const keys[] = { "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES" };
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                const char *v = getenv(keys[i]);
                /* the runtime does not rewrite it: the container's process is pid 1 */
                if (v && engine_spec_env_set(spec, keys[i], i == 0 ? "1" : v, false) < 0)
                        return cu_error_set(err, ENOMEM, "spec environment");
        }
        enum notify_mode m;
        if (!host_socket(x->c, &m) || m != NOTIFY_MODE_CONTAINER || !x->e)
                return 0;
        _cleanup_free_ char *dir = notify_dir(x->e, x->id);
        if (!dir)
                return cu_error_set(err, ENOMEM, "notify directory");
        if (x->write_files) {
                _cleanup_free_ char *rd = engine_path(x->e, x->id, "rundir");
                int r = rd ? mkdir_p(rd, 0700) : -ENOMEM;
                if (r >= 0 && mkdir(dir, 0755) < 0 && errno != EEXIST)
                        r = -errno;
                if (r < 0)
                        return cu_error_set(err, -r, "unable to create notify \"%s\" dir", dir);
        }
        json_t *mounts = json_object_get(spec, "mounts");
        size_t i;
        json_t *v;
        json_array_foreach(mounts, i, v) { /* the user's own mount there wins */
                const char *d = json_string_value(json_object_get(v, "destination"));
                if (streq_ptr(d, NOTIFY_DIR_IN_CTR))
                        return 0;
        }
        if (json_array_append_new(mounts, engine_spec_bind(NOTIFY_DIR_IN_CTR, dir, false)) < 0 ||
            engine_spec_env_set(spec, "NOTIFY_SOCKET", NOTIFY_SOCKET_IN_CTR, false) < 0)
                return cu_error_set(err, ENOMEM, "spec");
        return 0;
}

int engine_notify_monitor_args(struct engine *e, const char *id, json_t *c, unsigned preserve_fds,
                               char ***argv)
{
        if (preserve_fds > 0) {
                char n[16];
                snprintf(n, sizeof n, "%u", preserve_fds);
                if (strv_extend(argv, "--preserve-fds") < 0 || strv_extend(argv, n) < 0)
                        return -ENOMEM;
        }
        enum notify_mode m;
        const char *s = host_socket(c, &m);
        if (!s)
                return 0;
        if (strv_extend(argv, "--sdnotify-mode") < 0 ||
            strv_extend(argv, notify_mode_to_string(m)) < 0 ||
            strv_extend(argv, "--sdnotify-socket") < 0 || strv_extend(argv, s) < 0)
                return -ENOMEM;
        if (m != NOTIFY_MODE_CONTAINER)
                return 0;
        _cleanup_free_ char *dir = notify_dir(e, id);
        _cleanup_free_ char *p = NULL;
        if (!dir || asprintf(&p, "%s/notify.sock", dir) < 0)
                return -ENOMEM;
        if (strv_extend(argv, "--sdnotify-proxy") < 0 || strv_extend(argv, p) < 0)
                return -ENOMEM;
        return 0;
}

int engine_notify_preserve_fds(const struct engine *e, unsigned *ret, struct cu_error **err)
{
        unsigned n = e->preserve_fds;
        const char *lf = getenv("LISTEN_FDS");
        if (lf && n > 0) {
                log_debug("ignoring LISTEN_FDS to preserve custom user-specified FDs");
        } else if (lf) {
                int v = 0;
                if (safe_atoi(lf, &v) < 0)
                        return cu_error_setx(err, EINVAL,
                                             "converting LISTEN_FDS=%s: strconv.Atoi: parsing \"%s\": invalid syntax",
                                             lf, lf);
                if (v < 0 || v > 4096)
                        return cu_error_setx(err, EINVAL, "invalid LISTEN_FDS=%s", lf);
                n = (unsigned) v;
        }
        for (unsigned i = 0; i < n; i++)
                if (fcntl(3 + (int) i, F_GETFD) < 0)
                        return cu_error_setx(err, EBADF,
                                             "file descriptor %u is not available - the preserve-fds option requires that all file descriptors must be passed",
                                             3 + i);
        *ret = n;
        return 0;
}

void engine_inspect_notify(struct engine *e, const struct ctr_record *r, json_t *c, json_t *out)
{
        (void) e;
        (void) r;
        json_t *cfg = json_object_get(out, "Config");
        if (!json_is_object(cfg))
                return;
        const char *m = json_string_value(json_object_get(c, "SdNotifyMode"));
        const char *s = json_string_value(json_object_get(c, "SdNotifySocket"));
        json_object_set_new(cfg, "SdNotifyMode", json_string(m ? m : "container"));
        json_object_set_new(cfg, "SdNotifySocket", json_string(s ? s : ""));
}
