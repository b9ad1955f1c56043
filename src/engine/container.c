/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Container records: paths, config, locks, lookup and liveness (see container.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/container.h"
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

/* The process start time recorded at start (extra.PidStart), or 0. */
static uint64_t recorded_pid_start(const struct ctr_record *r)
{
        _cleanup_json_ json_t *x = r->extra ? json_loads(r->extra, 0, NULL) : NULL;
        json_t *v = json_object_get(x, "PidStart");
        return json_is_integer(v) ? (uint64_t) json_integer_value(v) : 0;
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

int engine_refresh(struct engine *e, struct ctr_record *r, bool locked)
{
        if (r->state != CTR_STATE_RUNNING && r->state != CTR_STATE_PAUSED &&
            r->state != CTR_STATE_STOPPING && r->state != CTR_STATE_INITIALIZED)
                return 0;
        if (pid_alive((pid_t) r->pid, recorded_pid_start(r)))
                return 0;
        _cleanup_free_ char *exitf = engine_path(e, r->id, "exit");
        _cleanup_free_ char *pidf = engine_path(e, r->id, "pid");
        if (!exitf || !pidf)
                return 0;
        /* A restart policy: the monitor may have started the container again. */
        pid_t now = read_pid_file(pidf);
        if (now > 0 && now != r->pid && pid_alive(now, 0)) {
                r->pid = now;
                uint64_t t = 0;
                char st;
                _cleanup_json_ json_t *x = r->extra ? json_loads(r->extra, 0, NULL) : json_object();
                if (!x)
                        x = json_object();
                if (proc_stat(now, &st, &t) >= 0)
                        json_object_set_new(x, "PidStart", json_integer((json_int_t) t));
                char *ex = json_dumps(x, JSON_COMPACT);
                if (ex) {
                        free(r->extra);
                        r->extra = ex;
                }
                r->state = CTR_STATE_RUNNING;
                (void) ctr_update_state(e->db, r, NULL);
                return 1;
        }
        int code = -1;
        int64_t at = 0;
        if (!read_exit_file(exitf, &code, &at)) {
                /* The monitor writes the exit file right after reaping: give it a moment. */
                for (int i = 0; i < 20 && !read_exit_file(exitf, &code, &at); i++)
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

#include "engine/internal.h"

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
