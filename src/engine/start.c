/* SPDX-License-Identifier: GPL-2.0-or-later */
/* start: mount, bundle, monitor; the monitor reports the container's pid on the sync fd. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/internal.h"
#include "network/networks.h"
#include "state/lock.h"
#include "storage/images.h"
#include "storage/rootfs.h"
#include "storage/store.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/proc.h"
#include "util/strv.h"

/* The monitor's command line; its sync fd is 3 + preserve_fds (the fds below are the
 * container's). */
static char **monitor_argv(struct engine *e, const char *id, json_t *c, const char *self,
                           unsigned preserve_fds)
{
        _cleanup_strv_ char **a = NULL;
        _cleanup_free_ char *bundle = engine_path(e, id, "userdata");
        _cleanup_free_ char *logp = engine_path(e, id, "log");
        _cleanup_free_ char *exitf = engine_path(e, id, "exit");
        _cleanup_free_ char *att = engine_path(e, id, "attach");
        _cleanup_free_ char *pidf = engine_path(e, id, "pid");
        _cleanup_free_ char *stopf = engine_path(e, id, "stop");
        char rroot[4096];
        snprintf(rroot, sizeof rroot, "%s/runtime", e->runroot);
        if (!bundle || !logp || !exitf || !att || !pidf || !stopf)
                return NULL;
        const char *ld = json_string_value(json_object_get(c, "LogDriver"));
        const char *lp = json_string_value(json_object_get(c, "LogPath"));
        const char *tag = json_string_value(json_object_get(c, "LogTag"));
        const char *restart = json_string_value(json_object_get(c, "RestartPolicy"));
        json_int_t max = json_integer_value(json_object_get(c, "LogMaxSize"));
        char maxs[32], syncfd[16];
        snprintf(maxs, sizeof maxs, "%lld", (long long) max);
        snprintf(syncfd, sizeof syncfd, "%u", 3 + preserve_fds);
        const char *fixed[] = { "cuttle-monitor", "--cid", id, "--bundle", bundle, "--runtime-root",
                                rroot, "--log-driver", ld ? ld : "k8s-file", "--log-path",
                                lp && *lp ? lp : logp, "--attach-socket", att, "--exit-file", exitf,
                                "--pid-file", pidf, "--stop-file", stopf, "--sync-fd", syncfd,
                                "--restart", restart && *restart ? restart : "no", NULL };
        for (const char **p = fixed; *p; p++)
                if (strv_extend(&a, *p) < 0)
                        return NULL;
        if (max > 0 && (strv_extend(&a, "--log-max-size") < 0 || strv_extend(&a, maxs) < 0))
                return NULL;
        if (tag && (strv_extend(&a, "--log-tag") < 0 || strv_extend(&a, tag) < 0))
                return NULL;
        if (json_is_true(json_object_get(c, "Tty")) && strv_extend(&a, "--terminal") < 0)
                return NULL;
        const char *rt = json_string_value(json_object_get(c, "RuntimePath"));
        if (rt && *rt && (strv_extend(&a, "--runtime") < 0 || strv_extend(&a, rt) < 0))
                return NULL;
        if (json_is_true(json_object_get(c, "OpenStdin")) && strv_extend(&a, "--stdin") < 0)
                return NULL;
        if (engine_health_monitor_args(e, id, c, &a) < 0 ||
            engine_notify_monitor_args(e, id, c, preserve_fds, &a) < 0)
                return NULL;
        const char *cmd[20];
        size_t n = 0;
        cmd[n++] = self;
        cmd[n++] = "--root";
        cmd[n++] = e->root;
        cmd[n++] = "--runroot";
        cmd[n++] = e->runroot;
        if (e->storage_driver) {
                cmd[n++] = "--storage-driver";
                cmd[n++] = e->storage_driver;
        }
        if (e->events_backend) {
                cmd[n++] = "--events-backend";
                cmd[n++] = e->events_backend;
        }
        if (e->tmp_dir && *e->tmp_dir) {
                cmd[n++] = "--tmpdir";
                cmd[n++] = e->tmp_dir;
        }
        if (networks_config_dir()) { /* the cleanup must see the same networks */
                cmd[n++] = "--network-config-dir";
                cmd[n++] = networks_config_dir();
        }
        cmd[n++] = "container";
        cmd[n++] = "cleanup";
        if (json_is_true(json_object_get(c, "AutoRemove")))
                cmd[n++] = "--rm";
        cmd[n++] = id;
        for (size_t i = 0; i < n; i++)
                if (strv_extend(&a, "--exit-command") < 0 || strv_extend(&a, cmd[i]) < 0)
                        return NULL;
        return TAKE_PTR(a);
}

/* Maps the runtime's message to podman's error (and errno for the exit code). */
int engine_start_error(const char *msg, struct cu_error **err)
{
        if (strstr(msg, "executable file not found") || strstr(msg, "No such file or directory"))
                return cu_error_setx(err, ENOENT,
                                     "cuttle: %s: OCI runtime attempted to invoke a command that was not found",
                                     msg);
        if (strstr(msg, "Permission denied") || strstr(msg, "permission denied"))
                return cu_error_setx(err, EACCES, "cuttle: %s: OCI permission denied",
                                     msg);
        return cu_error_setx(err, EIO, "cuttle: %s: OCI runtime error", msg);
}

/* In the monitor's child: fds 3..3+n-1 (the container's) stay open across exec, the sync
 * pipe goes above them; the environment that concerns the container only is dropped (an
 * external runtime would act on NOTIFY_SOCKET itself). */
static int child_fds(int sync, unsigned n)
{
        int target = 3 + (int) n;
        for (int fd = 3; fd < target; fd++)
                if (fcntl(fd, F_SETFD, 0) < 0)
                        return -1;
        if (sync == target) {
                if (fcntl(target, F_SETFD, 0) < 0)
                        return -1;
        } else if (dup2(sync, target) < 0) {
                return -1;
        }
        const char *drop[] = { "NOTIFY_SOCKET", "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES" };
        for (size_t i = 0; i < ELEMENTSOF(drop); i++)
                (void) unsetenv(drop[i]);
        return 0;
}

/* Runs the monitor and reads its report: the container's pid. */
static int run_monitor(struct engine *e, const char *id, json_t *c, bool passthrough,
                       bool no_start, unsigned preserve_fds, const struct engine_start_opts *o,
                       pid_t *ret_pid, pid_t *ret_monitor, struct cu_error **err)
{
        _cleanup_free_ char *self = engine_self_exe(e);
        if (!self)
                return cu_error_set(err, errno ? errno : ENOMEM, "finding the cuttle binary");
        _cleanup_strv_ char **argv = monitor_argv(e, id, c, self, preserve_fds);
        if (!argv || (no_start && strv_extend(&argv, "--no-start") < 0))
                return cu_error_set(err, ENOMEM, "monitor command line");
        if (o && o->restore_dir &&
            (strv_extend(&argv, "--restore") < 0 || strv_extend(&argv, o->restore_dir) < 0 ||
             (o->restore_tcp_established && (strv_extend(&argv, "--restore-opt") < 0 ||
                                             strv_extend(&argv, "tcp-established") < 0)) ||
             (o->restore_file_locks && (strv_extend(&argv, "--restore-opt") < 0 ||
                                        strv_extend(&argv, "file-locks") < 0))))
                return cu_error_set(err, ENOMEM, "monitor command line");
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return cu_error_set(err, errno, "pipe");
        _cleanup_close_ int rd = p[0];
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
                safe_close(p[1]);
                return cu_error_set(err, errno, "fork");
        }
        if (pid == 0) {
                if (!passthrough) {
                        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                        for (int i = 0; i < 3 && null >= 0; i++)
                                (void) dup2(null, i);
                }
                if (child_fds(p[1], preserve_fds) < 0)
                        _exit(126);
                sigset_t none;
                sigemptyset(&none);
                (void) sigprocmask(SIG_SETMASK, &none, NULL);
                execv(self, argv);
                _exit(127);
        }
        safe_close(p[1]);
        int code = wait_for_pid(pid);
        char buf[4096];
        /* one line: a created (not started) container still holds the pipe's other end */
        size_t n = 0;
        while (n < sizeof buf - 1) {
                ssize_t k = read(rd, buf + n, sizeof buf - 1 - n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                n += (size_t) k;
                if (memchr(buf + n - (size_t) k, '\n', (size_t) k))
                        break;
        }
        buf[n] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        int cpid = 0, mpid = 0;
        int got = no_start ? sscanf(buf, "created %d monitor %d", &cpid, &mpid)
                           : sscanf(buf, "pid %d monitor %d", &cpid, &mpid);
        if (got == 2 && cpid > 0 && mpid > 0) {
                *ret_pid = cpid;
                *ret_monitor = mpid;
                return 0;
        }
        if (strncmp(buf, "error ", 6) == 0)
                return engine_start_error(buf + 6, err);
        return cu_error_setx(err, EIO, "the container monitor failed to start (status %d)", code);
}

int engine_start_locked(struct engine *e, struct ctr_record *rec,
                        const struct engine_start_opts *o, bool init_only, struct cu_error **err)
{
        if (rec->state == CTR_STATE_RUNNING)
                return 0;
        if (rec->state == CTR_STATE_INITIALIZED)
                return engine_start_initialized(e, rec, err);
        if (rec->state == CTR_STATE_PAUSED)
                return cu_error_setx(err, EBUSY, "cannot start paused container %s: container state improper",
                                     rec->id);
        if (rec->state == CTR_STATE_REMOVING)
                return cu_error_setx(err, EBUSY, "container %s is being removed: container state improper",
                                     rec->id);
        _cleanup_json_ json_t *x = NULL, *spec = NULL;
        _cleanup_json_ json_t *c = engine_config(rec);
        if (!c)
                return cu_error_setx(err, EUCLEAN, "container %s: broken config", rec->id);
        if (engine_runtime_has(e, rec->id))
                (void) engine_oci_delete(e, rec, NULL);
        _cleanup_free_ char *merged = NULL;
        unsigned preserve_fds = 0;
        int r = engine_notify_preserve_fds(e, &preserve_fds, err);
        if (r < 0)
                return r;
        r = engine_prepare(e, rec, c, &merged, err);
        if (r < 0)
                return r;
        _cleanup_close_ int rootfd = open(merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
        _cleanup_free_ char *bundle = engine_path(e, rec->id, "userdata");
        _cleanup_free_ char *rundir = engine_path(e, rec->id, "rundir");
        if (!bundle || !rundir) {
                r = -ENOMEM;
                goto fail;
        }
        struct engine_spec_ctx sx = { .e = e, .id = rec->id, .c = c, .rootfd = rootfd,
                                     .rootfs = merged, .bundle = bundle, .write_files = true };
        spec = engine_spec_generate(&sx, err);
        free(sx.home);
        if (!spec) {
                r = -EINVAL;
                goto fail;
        }
        r = engine_spec_notify(spec, &sx, err);
        if (r < 0)
                goto fail;
        r = engine_bundle_write(spec, bundle, err);
        if (r < 0)
                goto fail;
        r = mkdir_p(rundir, 0700);
        if (r < 0) {
                r = cu_error_set(err, -r, "creating %s", rundir);
                goto fail;
        }
        const char *stale[] = { "exit", "stop", "pid" };
        for (size_t i = 0; i < ELEMENTSOF(stale); i++) {
                _cleanup_free_ char *p = engine_path(e, rec->id, stale[i]);
                if (p)
                        (void) unlink(p);
        }
        pid_t pid = 0, monitor = 0;
        bool passthrough = streq_ptr(json_string_value(json_object_get(c, "LogDriver")), "passthrough");
        r = run_monitor(e, rec->id, c, passthrough || (o && o->passthrough_stdio), init_only,
                        preserve_fds, o, &pid, &monitor, err);
        if (r < 0)
                goto fail;
        uint64_t start = 0;
        char st;
        x = json_object();
        if (x && proc_stat(pid, &st, &start) >= 0)
                json_object_set_new(x, "PidStart", json_integer((json_int_t) start));
        if (x && proc_stat(monitor, &st, &start) >= 0) {
                json_object_set_new(x, "MonitorPid", json_integer(monitor));
                json_object_set_new(x, "MonitorStart", json_integer((json_int_t) start));
        }
        engine_record_extra_update(rec, TAKE_PTR(x));
        rec->state = init_only ? CTR_STATE_INITIALIZED : CTR_STATE_RUNNING;
        rec->pid = pid;
        rec->started_at = init_only ? 0 : engine_now_ns();
        rec->finished_at = 0;
        rec->has_exit_code = false;
        rec->exit_code = 0;
        r = engine_save_state(e, rec, err);
        if (r >= 0)
                engine_event_container(e, rec, "init"), engine_event_container(e, rec, "start");
        return r < 0 ? cu_error_prefix(err, r, "recording the start of %s", rec->id) : 0;
fail:
        /* the monitor died after creating it (killed): nothing of it may stay — deleted by
         * the container's own runtime (runc's state is not the built-in runtime's) */
        if (engine_runtime_has(e, rec->id))
                (void) engine_oci_delete(e, rec, NULL);
        engine_prepare_undo(e, rec, c);
        return r;
}

int engine_start(struct engine *e, const char *id, const struct engine_start_opts *o,
                 struct cu_error **err)
{
        _cleanup_lock_ struct lock *l = NULL;
        _cleanup_ctr_record_ struct ctr_record *rec = NULL;
        int r = engine_get_locked(e, id, &l, &rec, err);
        if (r < 0)
                return r;
        return engine_start_locked(e, rec, o, false, err);
}
