/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Container records: paths, config, locks, lookup and liveness (see container.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/container.h"
#include "engine/events.h"
#include "engine/internal.h"
#include "oci/spec.h"
#include "state/lock.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/proc.h"
#include "util/strv.h"

int64_t engine_now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* go-units HumanDuration. */
const char *engine_human_duration(int64_t ns, char buf[static 32])
{
        int64_t s = ns / 1000000000, m = s / 60, h = m / 60;
        if (s < 1)
                snprintf(buf, 32, "Less than a second");
        else if (s == 1)
                snprintf(buf, 32, "1 second");
        else if (s < 60)
                snprintf(buf, 32, "%lld seconds", (long long) s);
        else if (m == 1)
                snprintf(buf, 32, "About a minute");
        else if (m < 60)
                snprintf(buf, 32, "%lld minutes", (long long) m);
        else if (h == 1 || (h < 2 && (ns + 1800000000000LL) / 3600000000000LL == 1))
                snprintf(buf, 32, "About an hour");
        else if (h < 48)
                snprintf(buf, 32, "%lld hours", (long long) h);
        else if (h < 24 * 7 * 2)
                snprintf(buf, 32, "%lld days", (long long) (h / 24));
        else if (h < 24 * 30 * 2)
                snprintf(buf, 32, "%lld weeks", (long long) (h / 24 / 7));
        else if (h < 24 * 365 * 2)
                snprintf(buf, 32, "%lld months", (long long) (h / 24 / 30));
        else
                snprintf(buf, 32, "%lld years", (long long) (h / 24 / 365));
        return buf;
}

static const char *since(int64_t t, int64_t now, char buf[static 48])
{
        char d[32];
        snprintf(buf, 48, "%s ago", engine_human_duration(now > t ? now - t : 0, d));
        return buf;
}

char *engine_path(const struct engine *e, const char *id, const char *what)
{
        static const struct {
                const char *what;
                bool run;
                const char *rel;
        } map[] = {
                { "userdata", false, "userdata" },  { "config.json", false, "userdata/config.json" },
                { "log", false, "userdata/ctr.log" }, { "rundir", true, NULL },
                { "exit", true, "exit" },           { "attach", true, "attach" },
                { "pid", true, "pid" },             { "stop", true, "stop" },
        };
        for (size_t i = 0; i < ELEMENTSOF(map); i++) {
                if (strcmp(map[i].what, what) != 0)
                        continue;
                char *p = NULL;
                if (asprintf(&p, "%s/containers/%s%s%s", map[i].run ? e->runroot : e->root, id,
                             map[i].rel ? "/" : "", map[i].rel ? map[i].rel : "") < 0)
                        return NULL;
                return p;
        }
        return NULL;
}

json_t *engine_config(const struct ctr_record *r)
{
        if (!r || !r->config)
                return NULL;
        return json_loads(r->config, 0, NULL);
}

int engine_lock(struct engine *e, const char *id, struct lock **ret, struct cu_error **err)
{
        _cleanup_free_ char *dir = NULL, *name = NULL;
        if (asprintf(&dir, "%s/locks", e->runroot) < 0 || asprintf(&name, "%s", id) < 0)
                return -ENOMEM;
        int r = lock_acquire_path(dir, name, LOCK_EXCLUSIVE, true, ret, NULL);
        if (r == -ENOENT) {
                r = mkdir_p(dir, 0700);
                if (r < 0)
                        return cu_error_set(err, -r, "creating %s", dir);
                r = lock_acquire_path(dir, name, LOCK_EXCLUSIVE, true, ret, err);
        } else if (r < 0) {
                r = lock_acquire_path(dir, name, LOCK_EXCLUSIVE, true, ret, err);
        }
        return r < 0 ? cu_error_prefix(err, r, "locking container %s", id) : 0;
}

int engine_get(struct engine *e, const char *id_or_name, struct ctr_record **ret,
               struct cu_error **err)
{
        int r = ctr_get(e->db, id_or_name, ret, err);
        if (r < 0)
                return r;
        (void) engine_refresh(e, *ret, false);
        return 0;
}

int engine_list(struct engine *e, struct ctr_record ***ret, size_t *ret_n, struct cu_error **err)
{
        int r = ctr_list(e->db, ret, ret_n, err);
        if (r < 0)
                return r;
        for (struct ctr_record **p = *ret; *p; p++)
                (void) engine_refresh(e, *p, false);
        return 0;
}

/* What start recorded in the record's extra: the process start time (PidStart) and the
 * monitor's pid and start time (MonitorPid, MonitorStart); 0 when absent. */
struct recorded_pids {
        uint64_t pid_start, monitor_start;
        pid_t monitor;
};

static struct recorded_pids recorded_pids(const struct ctr_record *r)
{
        struct recorded_pids p = { 0 };
        _cleanup_json_ json_t *x = r->extra ? json_loads(r->extra, 0, NULL) : NULL;
        json_t *v = json_object_get(x, "PidStart");
        json_t *mp = json_object_get(x, "MonitorPid"), *ms = json_object_get(x, "MonitorStart");
        if (json_is_integer(v))
                p.pid_start = (uint64_t) json_integer_value(v);
        if (json_is_integer(mp) && json_is_integer(ms)) {
                p.monitor = (pid_t) json_integer_value(mp);
                p.monitor_start = (uint64_t) json_integer_value(ms);
        }
        return p;
}

static bool pid_alive(pid_t pid, uint64_t start)
{
        if (pid <= 0)
                return false;
        if (kill(pid, 0) < 0 && errno != EPERM)
                return false;
        char st = 0;
        uint64_t t = 0;
        if (proc_stat(pid, &st, &t) < 0)
                return false;
        if (st == 'Z' || st == 'X')
                return false;
        return start == 0 || t == start;
}

/* Reads the monitor's exit file: 1 with the code and time, 0 when there is none. */
static int read_exit_file(const char *path, int *code, int64_t *at)
{
        _cleanup_free_ char *text = NULL;
        if (read_full_file(path, &text, NULL, NULL) < 0)
                return 0;
        _cleanup_json_ json_t *j = json_loads(text, 0, NULL);
        json_t *c = json_object_get(j, "exitCode");
        if (!json_is_integer(c))
                return 0;
        *code = (int) json_integer_value(c);
        const char *s = json_string_value(json_object_get(j, "exitedAt"));
        if (!s || log_parse_timestamp(s, strlen(s), at) < 0) {
                struct stat st;
                *at = stat(path, &st) == 0 ? (int64_t) st.st_mtim.tv_sec * 1000000000 +
                                                     st.st_mtim.tv_nsec
                                           : engine_now_ns();
        }
        return 1;
}

static pid_t read_pid_file(const char *path)
{
        _cleanup_free_ char *text = NULL;
        int pid = 0;
        if (read_full_file(path, &text, NULL, NULL) < 0)
                return 0;
        text[strcspn(text, "\n")] = '\0';
        return safe_atoi(text, &pid) < 0 ? 0 : pid;
}

/* Whether the monitor may start the container again after an exit: a restart policy
 * (other than "no"), or a healthcheck whose on-failure action is restart.  A cheap look at
 * the config text, which create writes compactly ("RestartPolicy":"..."). */
static bool has_restart_policy(const struct ctr_record *r)
{
        if (r->config && strstr(r->config, "\"HealthcheckOnFailureAction\":\"restart\""))
                return true;
        const char *k = r->config ? strstr(r->config, "\"RestartPolicy\":\"") : NULL;
        if (!k)
                return false;
        k += strlen("\"RestartPolicy\":\"");
        return *k != '"' && strncmp(k, "no\"", 3) != 0;
}

int engine_refresh(struct engine *e, struct ctr_record *r, bool locked)
{
        bool exited_restartable = r->state == CTR_STATE_EXITED && has_restart_policy(r);
        if (r->state != CTR_STATE_RUNNING && r->state != CTR_STATE_PAUSED &&
            r->state != CTR_STATE_STOPPING && r->state != CTR_STATE_INITIALIZED &&
            !exited_restartable)
                return 0;
        struct recorded_pids rp = recorded_pids(r);
        if (!exited_restartable && pid_alive((pid_t) r->pid, rp.pid_start))
                return 0;
        _cleanup_free_ char *exitf = engine_path(e, r->id, "exit");
        _cleanup_free_ char *pidf = engine_path(e, r->id, "pid");
        if (!exitf || !pidf)
                return 0;
        /* A restart policy: the monitor may have started the container again — also after
         * a command recorded the exit in the moment between the exit and the restart (the
         * pid file is rewritten after the exit). */
        pid_t now = read_pid_file(pidf);
        struct stat pst;
        if (exited_restartable &&
            (now <= 0 || stat(pidf, &pst) < 0 ||
             (int64_t) pst.st_mtim.tv_sec * 1000000000 + pst.st_mtim.tv_nsec < r->finished_at))
                return 0;
        if (now > 0 && now != r->pid && pid_alive(now, 0)) {
                r->started_at = engine_now_ns();
                r->pid = now;
                uint64_t t = 0;
                char st;
                if (proc_stat(now, &st, &t) >= 0)
                        engine_record_extra_update(r, json_pack("{s:I}", "PidStart", (json_int_t) t));
                r->state = CTR_STATE_RUNNING;
                (void) ctr_update_state(e->db, r, NULL);
                engine_event_container(e, r, "restart");
                return 1;
        }
        if (exited_restartable)
                return 0;
        int code = -1;
        int64_t at = 0;
        if (!read_exit_file(exitf, &code, &at)) {
                /* The monitor writes the exit file right after reaping (and draining the
                 * output): wait for it while it lives — on a loaded machine that can take
                 * longer than any fixed moment, and giving up early loses the exit code and
                 * the last output of `run` — or 100 ms when it is gone (killed). */
                for (int i = 0; (i < 20 || (i < 2000 && rp.monitor > 0 &&
                                     pid_alive(rp.monitor, rp.monitor_start))) &&
                                !read_exit_file(exitf, &code, &at);
                     i++)
                        (void) nanosleep(&(struct timespec){ 0, 5 * 1000 * 1000 }, NULL);
                if (at == 0) {
                        log_debug("container %s: process gone without an exit file", r->id);
                        code = -1;
                        at = engine_now_ns();
                }
        }
        r->state = CTR_STATE_EXITED;
        r->has_exit_code = true;
        r->exit_code = code;
        r->finished_at = at;
        r->pid = 0;
        engine_event_exit(e, r, "died", code);
        (void) locked;
        struct cu_error *er = NULL;
        if (ctr_update_state(e->db, r, &er) < 0)
                log_debug("recording the exit of %s: %s", r->id, cu_error_msg(er));
        cu_error_free(er);
        return 1;
}

char **engine_command(const struct ctr_record *r)
{
        _cleanup_json_ json_t *c = engine_config(r);
        char **v = NULL;
        const char *keys[] = { "Entrypoint", "Cmd" };
        for (size_t k = 0; k < 2; k++) {
                size_t i;
                json_t *s;
                json_array_foreach(json_object_get(c, keys[k]), i, s)
                        if (json_is_string(s))
                                (void) strv_extend(&v, json_string_value(s));
        }
        return v;
}

bool engine_is_running(const struct ctr_record *r)
{
        return (r->state == CTR_STATE_RUNNING || r->state == CTR_STATE_PAUSED ||
                r->state == CTR_STATE_STOPPING) &&
               r->pid > 0;
}

char *engine_status_text(const struct ctr_record *r, int64_t now_ns)
{
        char buf[48], *s = NULL;
        switch (r->state) {
        case CTR_STATE_RUNNING:
                (void) asprintf(&s, "Up %s", since(r->started_at ? r->started_at : now_ns, now_ns, buf));
                break;
        case CTR_STATE_PAUSED:
                (void) asprintf(&s, "Paused");
                break;
        case CTR_STATE_EXITED:
        case CTR_STATE_STOPPED:
                (void) asprintf(&s, "Exited (%d) %s", r->has_exit_code ? r->exit_code : 0,
                                since(r->finished_at ? r->finished_at : now_ns, now_ns, buf));
                break;
        case CTR_STATE_STOPPING:
                (void) asprintf(&s, "Stopping");
                break;
        case CTR_STATE_REMOVING:
                (void) asprintf(&s, "Removing");
                break;
        case CTR_STATE_INITIALIZED:
                (void) asprintf(&s, "Initialized");
                break;
        default:
                (void) asprintf(&s, "Created");
                break;
        }
        return s;
}

/* ------------------------------------------------------------------ internal helpers */


void engine_runtime_ctx(const struct engine *e, struct runtime_ctx *ctx, char root[static 4096])
{
        snprintf(root, 4096, "%s/runtime", e->runroot);
        *ctx = (struct runtime_ctx){ .state_root = root };
}

bool engine_runtime_has(const struct engine *e, const char *id)
{
        char p[4096];
        snprintf(p, sizeof p, "%s/runtime/%s", e->runroot, id);
        return access(p, F_OK) == 0;
}

char *engine_self_exe(const struct engine *e)
{
        if (e->self_exe)
                return strdup(e->self_exe);
        char buf[4096];
        ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
        if (n <= 0)
                return NULL;
        buf[n] = '\0';
        return strdup(buf);
}

int engine_get_locked(struct engine *e, const char *id_or_name, struct lock **ret_lock,
                      struct ctr_record **ret, struct cu_error **err)
{
        char id[CTR_ID_LEN + 1];
        int r = ctr_lookup_id(e->db, id_or_name, id, err);
        if (r < 0)
                return r;
        struct lock *l = NULL;
        r = engine_lock(e, id, &l, err);
        if (r < 0)
                return r;
        r = ctr_get_by_id(e->db, id, ret, NULL);
        if (r < 0) {
                lock_free(l);
                return cu_error_setx(err, ENOENT, "no container with name or ID \"%s\" found: no such container",
                                     id_or_name);
        }
        (void) engine_refresh(e, *ret, true);
        *ret_lock = l;
        return 0;
}

int engine_save_state(struct engine *e, const struct ctr_record *r, struct cu_error **err)
{
        return ctr_update_state(e->db, r, err);
}

void engine_record_extra_update(struct ctr_record *r, json_t *kv)
{
        _cleanup_json_ json_t *x = r->extra ? json_loads(r->extra, 0, NULL) : NULL;
        if (!x)
                x = json_object();
        char *t = x && json_object_update(x, kv) == 0 ? json_dumps(x, JSON_COMPACT) : NULL;
        json_decref(kv);
        if (t) {
                free(r->extra);
                r->extra = t;
        }
}

/* ------------------------------------------------------------------ the container's OCI runtime
 * Config keys: "OCIRuntime" (the name shown by inspect) and "RuntimePath" (an external runtime's
 * executable; absent: the built-in runtime, in-process).  Every runtime shares the state root
 * <runroot>/runtime (runc keeps <root>/<id> as the built-in one does), so engine_runtime_has()
 * holds for both. */



int engine_config_runtime(struct engine *e, json_t *c, const struct engine_create_opts *o,
                          json_t *ic, struct cu_error **err)
{
        (void) e;
        (void) ic;
        if (json_object_set_new(c, "OCIRuntime", json_string(o->runtime_path && o->runtime
                                                                     ? o->runtime
                                                                     : "cuttle")) < 0 ||
            (o->runtime_path && json_object_set_new(c, "RuntimePath", json_string(o->runtime_path)) < 0))
                return cu_error_set(err, ENOMEM, "creating container");
        return 0;
}

int engine_set_runtime(struct engine *e, const char *id, const char *name, const char *path,
                       struct cu_error **err)
{
        _cleanup_lock_ struct lock *l = NULL;
        _cleanup_ctr_record_ struct ctr_record *r = NULL;
        int ret = engine_get_locked(e, id, &l, &r, err);
        if (ret < 0)
                return ret;
        if (r->state == CTR_STATE_RUNNING || r->state == CTR_STATE_PAUSED ||
            r->state == CTR_STATE_STOPPING)
                return cu_error_setx(err, EBUSY, "container %s is running: container state improper",
                                     r->id);
        _cleanup_json_ json_t *c = engine_config(r);
        if (!c)
                return cu_error_setx(err, EUCLEAN, "container %s: broken config", r->id);
        const char *now = json_string_value(json_object_get(c, "RuntimePath"));
        if (streq_ptr(json_string_value(json_object_get(c, "OCIRuntime")), name) &&
            streq_ptr(now && *now ? now : NULL, path))
                return 0;
        int rc = json_object_set_new(c, "OCIRuntime", json_string(name));
        if (path)
                rc |= json_object_set_new(c, "RuntimePath", json_string(path));
        else
                (void) json_object_del(c, "RuntimePath");
        if (rc < 0)
                return cu_error_set(err, ENOMEM, "container %s", r->id);
        _cleanup_free_ char *text = json_dumps(c, JSON_COMPACT);
        if (!text)
                return cu_error_set(err, ENOMEM, "container %s", r->id);
        log_debug("container %s: runtime %s (%s)", r->id, name, path ? path : "built-in");
        return ctr_set_config(e->db, r->id, text, err);
}

char *engine_oci_path(const struct ctr_record *r)
{
        _cleanup_json_ json_t *c = engine_config(r);
        const char *p = json_string_value(json_object_get(c, "RuntimePath"));
        return p && *p ? strdup(p) : NULL;
}

/* The message of the last error line of a runtime's --log-format json file, or NULL. */
static char *runtime_log_error(const char *path)
{
        _cleanup_free_ char *text = NULL;
        if (read_full_file(path, &text, NULL, NULL) < 0)
                return NULL;
        char *msg = NULL;
        for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                _cleanup_json_ json_t *j = json_loads(l, 0, NULL);
                const char *lvl = json_string_value(json_object_get(j, "level"));
                const char *m = json_string_value(json_object_get(j, "msg"));
                if (m && lvl && (strcmp(lvl, "error") == 0 || strcmp(lvl, "fatal") == 0)) {
                        free(msg);
                        msg = strdup(m);
                }
        }
        return msg;
}

/* Runs `PATH --root R --log L --log-format json ARGS…`; stdio: inherit (exec) or /dev/null.
 * Gives the exit status (*ret_code, may be NULL: non-zero is an error). */
static int run_oci(struct engine *e, const char *path, const char *tmpdir, char *const *args,
                   bool inherit, int *ret_code, struct cu_error **err)
{
        char root[4096], logf[4096];
        snprintf(root, sizeof root, "%s/runtime", e->runroot);
        snprintf(logf, sizeof logf, "%s/runtime.log", tmpdir);
        _cleanup_strv_ char **argv = NULL;
        const char *head[] = { path, "--root", root, "--log", logf, "--log-format", "json" };
        for (size_t i = 0; i < ELEMENTSOF(head); i++)
                if (strv_extend(&argv, head[i]) < 0)
                        return cu_error_set(err, ENOMEM, "runtime command line");
        for (char *const *a = args; *a; a++)
                if (strv_extend(&argv, *a) < 0)
                        return cu_error_set(err, ENOMEM, "runtime command line");
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0)
                return cu_error_set(err, errno, "fork");
        if (pid == 0) {
                if (!inherit) {
                        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                        for (int i = 0; i < 3 && null >= 0; i++)
                                (void) dup2(null, i);
                }
                sigset_t none;
                sigemptyset(&none);
                (void) sigprocmask(SIG_SETMASK, &none, NULL);
                execv(path, argv);
                _exit(127);
        }
        int code = wait_for_pid(pid);
        _cleanup_free_ char *msg = runtime_log_error(logf);
        if (msg && (code == 255 || code == 1 || !ret_code) && code != 0) {
                /* engine_exec() says "exec failed" itself */
                bool dup = strcmp(args[0], "exec") == 0 && strncmp(msg, "exec failed: ", 13) == 0;
                return cu_error_setx(err, EIO, "%s", dup ? msg + 13 : msg);
        }
        if (code == 127 && access(path, X_OK) < 0)
                return cu_error_set(err, errno, "running %s", path);
        if (!ret_code && code != 0)
                return cu_error_setx(err, EIO, "%s %s failed (exit status %d)", path, args[0], code);
        if (ret_code)
                *ret_code = code;
        return 0;
}

/* A private temporary directory in the container's run dir (malloc'd path). */
static char *oci_tmpdir(struct engine *e, const char *id)
{
        _cleanup_free_ char *rundir = engine_path(e, id, "rundir");
        char *t = NULL;
        if (!rundir || mkdir_p(rundir, 0700) < 0 || asprintf(&t, "%s/oci.XXXXXX", rundir) < 0)
                return NULL;
        if (!mkdtemp(t)) {
                free(t);
                return NULL;
        }
        return t;
}

static int oci_simple(struct engine *e, const struct ctr_record *r, const char *path,
                      char *const *args, struct cu_error **err)
{
        _cleanup_free_ char *tmp = oci_tmpdir(e, r->id);
        if (!tmp)
                return cu_error_set(err, errno ? errno : ENOMEM, "creating a temporary directory");
        int ret = run_oci(e, path, tmp, args, false, NULL, err);
        (void) rm_rf(tmp);
        return ret;
}

int engine_oci_delete(struct engine *e, const struct ctr_record *r, struct cu_error **err)
{
        _cleanup_free_ char *path = engine_oci_path(r);
        if (!path) {
                struct runtime_ctx ctx;
                char root[4096];
                engine_runtime_ctx(e, &ctx, root);
                return runtime_delete(&ctx, r->id, true, err);
        }
        char *args[] = { (char *) "delete", (char *) "--force", (char *) r->id, NULL };
        return oci_simple(e, r, path, args, err);
}

int engine_oci_pause(struct engine *e, const struct ctr_record *r, bool pause,
                     struct cu_error **err)
{
        _cleanup_free_ char *path = engine_oci_path(r);
        if (!path) {
                struct runtime_ctx ctx;
                char root[4096];
                engine_runtime_ctx(e, &ctx, root);
                return runtime_pause(&ctx, r->id, pause, err);
        }
        char *args[] = { (char *) (pause ? "pause" : "resume"), (char *) r->id, NULL };
        return oci_simple(e, r, path, args, err);
}

int engine_oci_process_defaults(struct engine *e, const struct ctr_record *r,
                                struct oci_process **ret, struct cu_error **err)
{
        _cleanup_free_ char *path = engine_oci_path(r);
        struct runtime_ctx ctx;
        char root[4096];
        engine_runtime_ctx(e, &ctx, root);
        if (!path)
                return runtime_process_defaults(&ctx, r->id, ret, err);
        _cleanup_free_ char *cfg = engine_path(e, r->id, "config.json");
        if (!cfg)
                return cu_error_set(err, ENOMEM, "config path");
        _cleanup_(oci_spec_freep) struct oci_spec *s = oci_spec_parse_file(cfg, err);
        if (!s)
                return -EINVAL;
        if (!s->process)
                return cu_error_setx(err, EINVAL, "container %s has no process", r->id);
        *ret = TAKE_PTR(s->process);
        (*ret)->terminal = false;
        return 0;
}

static json_t *caps_json(char **v)
{
        json_t *a = json_array();
        for (; a && v && *v; v++)
                json_array_append_new(a, json_string(*v));
        return a;
}

/* The OCI "process" object of p (what `runtime exec --process FILE` reads). */
static json_t *process_json(const struct oci_process *p)
{
        json_t *gids = json_array(), *rl = json_array();
        for (size_t i = 0; gids && i < p->user.n_additional_gids; i++)
                json_array_append_new(gids, json_integer(p->user.additional_gids[i]));
        for (size_t i = 0; rl && i < p->n_rlimits; i++)
                json_array_append_new(rl, json_pack("{s:s, s:I, s:I}", "type", p->rlimits[i].type,
                                                    "hard", (json_int_t) p->rlimits[i].hard, "soft",
                                                    (json_int_t) p->rlimits[i].soft));
        json_t *o = json_pack("{s:b, s:{s:I, s:I, s:o}, s:o, s:o, s:s, s:b, s:o}", "terminal",
                              p->terminal, "user", "uid", (json_int_t) p->user.uid, "gid",
                              (json_int_t) p->user.gid, "additionalGids", gids, "args",
                              caps_json(p->args), "env", caps_json(p->env), "cwd",
                              p->cwd ? p->cwd : "/", "noNewPrivileges", p->no_new_privileges,
                              "rlimits", rl);
        if (o && p->has_capabilities)
                json_object_set_new(o, "capabilities",
                                    json_pack("{s:o, s:o, s:o, s:o, s:o}", "bounding",
                                              caps_json(p->caps.bounding), "effective",
                                              caps_json(p->caps.effective), "inheritable",
                                              caps_json(p->caps.inheritable), "permitted",
                                              caps_json(p->caps.permitted), "ambient",
                                              caps_json(p->caps.ambient)));
        if (o && p->apparmor_profile)
                json_object_set_new(o, "apparmorProfile", json_string(p->apparmor_profile));
        if (o && p->selinux_label)
                json_object_set_new(o, "selinuxLabel", json_string(p->selinux_label));
        if (o && p->has_oom_score_adj)
                json_object_set_new(o, "oomScoreAdj", json_integer(p->oom_score_adj));
        return o;
}

int engine_oci_exec(struct engine *e, const struct ctr_record *r, const struct oci_process *p,
                    const struct runtime_exec_opts *o, int *ret_exit_code, struct cu_error **err)
{
        _cleanup_free_ char *path = engine_oci_path(r);
        if (!path) {
                struct runtime_ctx ctx;
                char root[4096];
                engine_runtime_ctx(e, &ctx, root);
                return runtime_exec(&ctx, r->id, p, o, ret_exit_code, err);
        }
        _cleanup_free_ char *tmp = oci_tmpdir(e, r->id);
        if (!tmp)
                return cu_error_set(err, errno ? errno : ENOMEM, "creating a temporary directory");
        _cleanup_free_ char *pf = NULL;
        _cleanup_json_ json_t *pj = process_json(p);
        int ret = pj && asprintf(&pf, "%s/process.json", tmp) >= 0 ? 0 : -ENOMEM;
        if (ret == 0 && json_dump_file(pj, pf, JSON_COMPACT) < 0)
                ret = -EIO;
        _cleanup_strv_ char **args = NULL;
        const char *a[] = { "exec", "--process", pf };
        for (size_t i = 0; ret == 0 && i < ELEMENTSOF(a); i++)
                ret = strv_extend(&args, a[i]);
        if (ret == 0 && o->console_socket)
                ret = strv_extend(&args, "--console-socket") < 0 ? -ENOMEM
                                                                 : strv_extend(&args, o->console_socket);
        if (ret == 0 && o->detach)
                ret = strv_extend(&args, "--detach");
        char nfds[16];
        snprintf(nfds, sizeof nfds, "%u", o->preserve_fds);
        if (ret == 0 && o->preserve_fds > 0)
                ret = strv_extend(&args, "--preserve-fds") < 0 ? -ENOMEM : strv_extend(&args, nfds);
        if (ret == 0 && o->pid_file)
                ret = strv_extend(&args, "--pid-file") < 0 ? -ENOMEM : strv_extend(&args, o->pid_file);
        if (ret == 0)
                ret = strv_extend(&args, r->id);
        if (ret < 0)
                ret = cu_error_set(err, -ret, "writing the exec process");
        else
                ret = run_oci(e, path, tmp, args, true, ret_exit_code, err);
        (void) rm_rf(tmp);
        return ret;
}
