/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Healthchecks: --health-* options, the image's HEALTHCHECK, status in inspect and ps,
 * `healthcheck run`, the monitor's health options. */
#include <ctype.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "engine/internal.h"
#include "monitor/health.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strv.h"

#define NSEC 1000000000LL
#define DEFAULT_INTERVAL (30 * NSEC)
#define DEFAULT_TIMEOUT (30 * NSEC)
#define DEFAULT_RETRIES 3

/* ------------------------------------------------------------------ durations */

static const struct {
        const char *name;
        uint64_t ns;
} units[] = {
        { "ns", 1 },           { "us", 1000 },           { "\xc2\xb5s", 1000 }, /* µs */
        { "\xce\xbcs", 1000 }, /* μs */ { "ms", 1000000 }, { "s", NSEC },
        { "m", 60 * NSEC },    { "h", 3600 * NSEC },
};

int engine_parse_duration(const char *s, int64_t *ret_ns, struct cu_error **err)
{
        const char *orig = s;
        bool neg = false;
        if (*s == '-' || *s == '+')
                neg = *s++ == '-';
        if (strcmp(s, "0") == 0) {
                *ret_ns = 0;
                return 0;
        }
        if (!*s)
                return cu_error_setx(err, EINVAL, "time: invalid duration \"%s\"", orig);
        uint64_t total = 0;
        const uint64_t limit = (uint64_t) INT64_MAX + (neg ? 1 : 0);
        while (*s) {
                if (!isdigit((unsigned char) *s) && *s != '.')
                        return cu_error_setx(err, EINVAL, "time: invalid duration \"%s\"", orig);
                uint64_t v = 0, frac = 0, scale = 1;
                const char *p = s;
                for (; isdigit((unsigned char) *s); s++) {
                        if (v > (UINT64_MAX - 9) / 10)
                                return cu_error_setx(err, EINVAL, "time: invalid duration \"%s\"",
                                                     orig);
                        v = v * 10 + (uint64_t) (*s - '0');
                }
                bool pre = s != p, post = false;
                if (*s == '.') {
                        p = ++s;
                        for (; isdigit((unsigned char) *s); s++)
                                if (scale < 100000000000000000ULL) {
                                        frac = frac * 10 + (uint64_t) (*s - '0');
                                        scale *= 10;
                                }
                        post = s != p;
                }
                if (!pre && !post)
                        return cu_error_setx(err, EINVAL, "time: invalid duration \"%s\"", orig);
                p = s;
                while (*s && *s != '.' && !isdigit((unsigned char) *s))
                        s++;
                if (s == p)
                        return cu_error_setx(err, EINVAL, "time: missing unit in duration \"%s\"",
                                             orig);
                uint64_t unit = 0;
                for (size_t i = 0; i < ELEMENTSOF(units); i++)
                        if (strlen(units[i].name) == (size_t) (s - p) &&
                            strncmp(units[i].name, p, (size_t) (s - p)) == 0)
                                unit = units[i].ns;
                if (unit == 0)
                        return cu_error_setx(err, EINVAL,
                                             "time: unknown unit \"%.*s\" in duration \"%s\"",
                                             (int) (s - p), p, orig);
                if (v > limit / unit)
                        return cu_error_setx(err, EINVAL, "time: invalid duration \"%s\"", orig);
                v = v * unit + (uint64_t) ((long double) frac * (long double) unit /
                                           (long double) scale);
                if (v > limit || total > limit - v)
                        return cu_error_setx(err, EINVAL, "time: invalid duration \"%s\"", orig);
                total += v;
        }
        *ret_ns = neg ? (int64_t) (0 - total) : (int64_t) total;
        return 0;
}

/* "N" or "N.FFF" of u in units of 10^prec, trailing zeros of the fraction trimmed. */
static int fmt_fixed(char *buf, size_t size, uint64_t u, unsigned prec)
{
        uint64_t div = 1;
        for (unsigned i = 0; i < prec; i++)
                div *= 10;
        uint64_t frac = u % div;
        if (frac == 0)
                return snprintf(buf, size, "%llu", (unsigned long long) (u / div));
        unsigned digits = prec;
        while (frac % 10 == 0) {
                frac /= 10;
                digits--;
        }
        return snprintf(buf, size, "%llu.%0*llu", (unsigned long long) (u / div), (int) digits,
                        (unsigned long long) frac);
}

char *engine_format_duration(int64_t ns, char buf[static 40])
{
        uint64_t u = ns < 0 ? (uint64_t) 0 - (uint64_t) ns : (uint64_t) ns;
        char *p = buf;
        size_t left = 40;
        if (ns < 0) {
                *p++ = '-';
                left--;
        }
        if (u == 0) {
                snprintf(buf, 40, "0s");
        } else if (u < 1000) {
                snprintf(p, left, "%lluns", (unsigned long long) u);
        } else if (u < 1000000) {
                int n = fmt_fixed(p, left, u, 3);
                snprintf(p + n, left - (size_t) n, "\xc2\xb5s");
        } else if (u < (uint64_t) NSEC) {
                int n = fmt_fixed(p, left, u, 6);
                snprintf(p + n, left - (size_t) n, "ms");
        } else {
                uint64_t secs = u / NSEC, mins = secs / 60, hours = mins / 60;
                int n = 0;
                if (hours > 0)
                        n += snprintf(p + n, left - (size_t) n, "%lluh", (unsigned long long) hours);
                if (mins > 0)
                        n += snprintf(p + n, left - (size_t) n, "%llum",
                                      (unsigned long long) (mins % 60));
                n += fmt_fixed(p + n, left - (size_t) n, (secs % 60) * NSEC + u % NSEC, 9);
                snprintf(p + n, left - (size_t) n, "s");
        }
        return buf;
}

/* ------------------------------------------------------------------ options */

static int duration_opt(const char *what, const char *v, int64_t *ret, struct cu_error **err)
{
        if (strcmp(what, "interval") == 0 && strcmp(v, "disable") == 0)
                v = "0";
        int r = engine_parse_duration(v, ret, err);
        return r < 0 ? cu_error_prefix(err, r, "invalid healthcheck-%s", what) : 0;
}

static json_t *test_from_cmd(const char *cmd);

int engine_health_validate(const struct engine_health_opts *o, struct cu_error **err)
{
        bool has_cmd = o->cmd && *o->cmd;
        if (o->no_healthcheck && has_cmd)
                return cu_error_setx(err, EINVAL,
                                     "cannot specify both --no-healthcheck and --health-cmd");
        if (has_cmd) {
                _cleanup_json_ json_t *test = test_from_cmd(o->cmd);
                if (!test)
                        return cu_error_set(err, ENOMEM, "health-cmd");
                if (json_array_size(test) == 0)
                        return cu_error_setx(err, EINVAL,
                                             "must define a healthcheck command for all healthchecks");
        }
        if (o->on_failure && health_on_failure_from_string(o->on_failure) < 0)
                return cu_error_setx(err, EINVAL,
                                     "invalid on-failure action \"%s\" for health check: "
                                     "supported actions are none,kill,restart,stop",
                                     o->on_failure);
        int64_t ns;
        if (o->interval && duration_opt("interval", o->interval, &ns, err) < 0)
                return -EINVAL;
        if (o->has_retries && o->retries < 1)
                return cu_error_setx(err, EINVAL, "healthcheck-retries must be greater than 0");
        if (o->timeout) {
                if (duration_opt("timeout", o->timeout, &ns, err) < 0)
                        return -EINVAL;
                if (ns < 1)
                        return cu_error_setx(err, EINVAL,
                                             "healthcheck-timeout must be at least 1 second");
        }
        if (o->start_period) {
                if (duration_opt("start-period", o->start_period, &ns, err) < 0)
                        return -EINVAL;
                if (ns < 0)
                        return cu_error_setx(err, EINVAL,
                                             "healthcheck-start-period must be 0 seconds or greater");
        }
        return 0;
}

static bool keyword(const char *s, const char *k)
{
        return s && strcasecmp(s, k) == 0;
}

/* --health-cmd as podman reads it: a JSON array, or a string.  A string or a one-element
 * array is a CMD-SHELL; "CMD …" / "NONE" split on white space; an array of several words
 * is a CMD; an array starting with a keyword stays as it is. */
static json_t *test_from_cmd(const char *cmd)
{
        _cleanup_json_ json_t *arr = json_loads(cmd, JSON_DECODE_ANY, NULL);
        bool is_arr = json_is_array(arr);
        for (size_t i = 0; is_arr && i < json_array_size(arr); i++)
                is_arr = json_is_string(json_array_get(arr, i));
        _cleanup_strv_ char **words = NULL;
        if (is_arr) {
                size_t i;
                json_t *v;
                json_array_foreach(arr, i, v)
                        if (strv_extend(&words, json_string_value(v)) < 0)
                                return NULL;
        } else {
                const char *sp = strchr(cmd, ' ');
                _cleanup_free_ char *first = sp ? strndup(cmd, (size_t) (sp - cmd)) : strdup(cmd);
                if (!first || strv_extend(&words, first) < 0 || (sp && strv_extend(&words, sp + 1) < 0))
                        return NULL;
        }
        size_t n = strv_length(words);
        json_t *test = json_array();
        if (n == 0)
                return test;
        if (keyword(words[0], "NONE")) {
                json_array_append_new(test, json_string("NONE"));
                return test;
        }
        if (keyword(words[0], "CMD") && !is_arr) {
                json_array_append_new(test, json_string("CMD"));
                _cleanup_free_ char *copy = strdup(cmd);
                char *save = NULL;
                for (char *w = copy ? strtok_r(copy, " \t\n\r\v\f", &save) : NULL; w;
                     w = strtok_r(NULL, " \t\n\r\v\f", &save))
                        if (w != copy)
                                json_array_append_new(test, json_string(w));
                return test;
        }
        if (keyword(words[0], "CMD") || keyword(words[0], "CMD-SHELL")) {
                json_array_append_new(test, json_string(keyword(words[0], "CMD") ? "CMD" : "CMD-SHELL"));
                for (size_t i = 1; i < n; i++)
                        json_array_append_new(test, json_string(words[i]));
                return test;
        }
        if (is_arr && n > 1) {
                json_array_append_new(test, json_string("CMD"));
                for (size_t i = 0; i < n; i++)
                        json_array_append_new(test, json_string(words[i]));
                return test;
        }
        _cleanup_free_ char *joined = strv_join(words, " ");
        json_array_append_new(test, json_string("CMD-SHELL"));
        json_array_append_new(test, json_string(joined ? joined : ""));
        return test;
}

static bool test_is_none(json_t *test)
{
        const char *t0 = json_string_value(json_array_get(test, 0));
        return !t0 || !*t0 || strcmp(t0, "NONE") == 0;
}

static json_int_t ns_field(json_t *o, const char *k)
{
        json_t *v = json_object_get(o, k);
        return json_is_integer(v) ? json_integer_value(v) : 0;
}

/* Podman's Schema2HealthConfig: Test, StartPeriod, Interval, Timeout, Retries; zeros out. */
static json_t *hc_object(json_t *test, int64_t start, int64_t interval, int64_t timeout,
                         json_int_t retries)
{
        json_t *hc = json_object();
        json_object_set(hc, "Test", test);
        const struct {
                const char *k;
                json_int_t v;
        } f[] = { { "StartPeriod", start }, { "Interval", interval }, { "Timeout", timeout },
                  { "Retries", retries } };
        for (size_t i = 0; i < ELEMENTSOF(f); i++)
                if (f[i].v != 0)
                        json_object_set_new(hc, f[i].k, json_integer(f[i].v));
        return hc;
}

int engine_health_config(const struct engine_health_opts *o, json_t *ic, json_t **ret,
                         struct cu_error **err)
{
        int r = engine_health_validate(o, err);
        if (r < 0)
                return r;
        *ret = NULL;
        if (o->no_healthcheck) {
                _cleanup_json_ json_t *none = json_pack("[s]", "NONE");
                *ret = hc_object(none, 0, 0, 0, 0);
                return 0;
        }
        int64_t start = 0, interval = DEFAULT_INTERVAL, timeout = DEFAULT_TIMEOUT;
        json_int_t retries = DEFAULT_RETRIES;
        _cleanup_json_ json_t *test = NULL;
        if (o->cmd && *o->cmd) {
                test = test_from_cmd(o->cmd);
                if (!test)
                        return cu_error_set(err, ENOMEM, "health-cmd");
                if (json_array_size(test) == 0)
                        return cu_error_setx(err, EINVAL,
                                             "must define a healthcheck command for all healthchecks");
        } else {
                /* The image's HEALTHCHECK: zero values take the defaults (docker's rule,
                 * also for Retries), the options given override it. */
                json_t *ihc = json_object_get(ic, "Healthcheck");
                json_t *itest = json_object_get(ihc, "Test");
                if (!json_is_array(itest) || json_array_size(itest) == 0 || test_is_none(itest))
                        return 0;
                test = json_deep_copy(itest);
                start = ns_field(ihc, "StartPeriod");
                if (ns_field(ihc, "Interval") > 0)
                        interval = ns_field(ihc, "Interval");
                if (ns_field(ihc, "Timeout") > 0)
                        timeout = ns_field(ihc, "Timeout");
                if (ns_field(ihc, "Retries") > 0)
                        retries = ns_field(ihc, "Retries");
        }
        if (test_is_none(test)) {
                *ret = hc_object(test, 0, 0, 0, 0);
                return 0;
        }
        if (o->interval)
                (void) duration_opt("interval", o->interval, &interval, NULL);
        if (o->timeout)
                (void) duration_opt("timeout", o->timeout, &timeout, NULL);
        if (o->start_period)
                (void) duration_opt("start-period", o->start_period, &start, NULL);
        if (o->has_retries)
                retries = o->retries;
        *ret = hc_object(test, start, interval, timeout, retries);
        return *ret ? 0 : cu_error_set(err, ENOMEM, "json");
}

char **engine_health_argv(json_t *hc)
{
        json_t *test = json_object_get(hc, "Test");
        if (!json_is_array(test) || test_is_none(test))
                return NULL;
        _cleanup_strv_ char **v = NULL;
        const char *t0 = json_string_value(json_array_get(test, 0));
        size_t i = 0;
        if (strcmp(t0, "CMD-SHELL") == 0) {
                _cleanup_strv_ char **rest = NULL;
                for (i = 1; i < json_array_size(test); i++)
                        if (strv_extend(&rest, strempty(json_string_value(json_array_get(test, i)))) < 0)
                                return NULL;
                _cleanup_free_ char *joined = rest ? strv_join(rest, " ") : strdup("");
                if (!joined || strv_extend(&v, "/bin/sh") < 0 || strv_extend(&v, "-c") < 0 ||
                    strv_extend(&v, joined) < 0)
                        return NULL;
                return TAKE_PTR(v);
        }
        for (i = strcmp(t0, "CMD") == 0 ? 1 : 0; i < json_array_size(test); i++)
                if (strv_extend(&v, strempty(json_string_value(json_array_get(test, i)))) < 0)
                        return NULL;
        return TAKE_PTR(v);
}

int engine_config_health(struct engine *e, json_t *c, const struct engine_create_opts *o,
                         json_t *ic, struct cu_error **err)
{
        (void) e;
        json_t *hc = NULL;
        int r = engine_health_config(&o->health, ic, &hc, err);
        if (r < 0)
                return r;
        if (hc)
                json_object_set_new(c, "Healthcheck", hc);
        json_object_set_new(c, "HealthcheckOnFailureAction",
                            json_string(o->health.on_failure ? o->health.on_failure : "none"));
        return 0;
}

/* ------------------------------------------------------------------ status */

static char *log_path(struct engine *e, const char *id)
{
        _cleanup_free_ char *rundir = engine_path(e, id, "rundir");
        char *p = NULL;
        if (!rundir || asprintf(&p, "%s/%s", rundir, HEALTH_LOG_NAME) < 0)
                return NULL;
        return p;
}

/* The results file's content, or NULL when the container has no healthcheck. */
static json_t *results_of(struct engine *e, const struct ctr_record *r, json_t *c)
{
        if (!json_object_get(c, "Healthcheck"))
                return NULL;
        _cleanup_free_ char *p = log_path(e, r->id);
        json_t *j = NULL;
        struct cu_error *err = NULL;
        if (!p || health_results_read(p, &j, &err) < 0) {
                log_debug("health: %s, ignoring", err ? cu_error_msg(err) : "out of memory");
                cu_error_free(err);
                return NULL;
        }
        return j;
}

char *engine_health_status(struct engine *e, const struct ctr_record *r)
{
        _cleanup_json_ json_t *c = engine_config(r);
        _cleanup_strv_ char **argv = engine_health_argv(json_object_get(c, "Healthcheck"));
        if (!argv)
                return strdup("none");
        _cleanup_json_ json_t *j = results_of(e, r, c);
        return strdup(strempty(json_string_value(json_object_get(j, "Status"))));
}

void engine_inspect_health(struct engine *e, const struct ctr_record *r, json_t *c, json_t *out)
{
        json_t *config = json_object_get(out, "Config");
        json_t *hc = json_object_get(c, "Healthcheck");
        if (json_is_object(config)) {
                if (hc)
                        json_object_set(config, "Healthcheck", hc);
                const char *a = json_string_value(json_object_get(c, "HealthcheckOnFailureAction"));
                json_object_set_new(config, "HealthcheckOnFailureAction",
                                    json_string(a && *a ? a : "none"));
        }
        json_t *j = results_of(e, r, c);
        json_t *state = json_object_get(out, "State");
        if (j && json_is_object(state))
                json_object_set_new(state, "Health", j);
        else
                json_decref(j);
}

/* ps: "Up 5 seconds ago (healthy)", as podman prints it (whatever the state). */
void engine_ps_health(struct engine *e, const struct ctr_record *r, json_t *c, json_t *out)
{
        _cleanup_json_ json_t *j = results_of(e, r, c);
        const char *st = json_string_value(json_object_get(j, "Status"));
        const char *text = json_string_value(json_object_get(out, "Status"));
        char *s = NULL;
        if (!st || !*st || asprintf(&s, "%s (%s)", strempty(text), st) < 0)
                return;
        json_object_set_new(out, "Status", json_string(s));
        free(s);
}

/* ------------------------------------------------------------------ the monitor's options */

int engine_health_monitor_args(struct engine *e, const char *id, json_t *c, char ***argv)
{
        json_t *hc = json_object_get(c, "Healthcheck");
        _cleanup_strv_ char **check = engine_health_argv(hc);
        if (!check)
                return 0;
        _cleanup_free_ char *lp = log_path(e, id);
        if (!lp)
                return -ENOMEM;
        for (char **a = check; *a; a++)
                if (strv_extend(argv, "--health-cmd") < 0 || strv_extend(argv, *a) < 0)
                        return -ENOMEM;
        json_t *sig = json_object_get(c, "StopSignal"), *st = json_object_get(c, "StopTimeout");
        const char *of = json_string_value(json_object_get(c, "HealthcheckOnFailureAction"));
        char v[6][32];
        snprintf(v[0], sizeof v[0], "%lld", (long long) ns_field(hc, "Interval"));
        snprintf(v[1], sizeof v[1], "%lld", (long long) ns_field(hc, "Timeout"));
        snprintf(v[2], sizeof v[2], "%lld", (long long) ns_field(hc, "StartPeriod"));
        snprintf(v[3], sizeof v[3], "%lld", (long long) ns_field(hc, "Retries"));
        snprintf(v[4], sizeof v[4], "%d", json_is_integer(sig) && json_integer_value(sig) > 0
                                                  ? (int) json_integer_value(sig) : SIGTERM);
        snprintf(v[5], sizeof v[5], "%d", json_is_integer(st) && json_integer_value(st) >= 0
                                                  ? (int) json_integer_value(st) : 10);
        const char *pairs[][2] = {
                { "--health-interval", v[0] }, { "--health-timeout", v[1] },
                { "--health-start-period", v[2] }, { "--health-retries", v[3] },
                { "--health-on-failure", of && *of ? of : "none" }, { "--health-log", lp },
                { "--stop-signal", v[4] }, { "--stop-timeout", v[5] },
        };
        for (size_t i = 0; i < ELEMENTSOF(pairs); i++)
                if (strv_extend(argv, pairs[i][0]) < 0 || strv_extend(argv, pairs[i][1]) < 0)
                        return -ENOMEM;
        return 0;
}

/* ------------------------------------------------------------------ healthcheck run */

/* --health-on-failure from the command line: as the monitor does it, through the engine. */
static int on_failure(struct engine *e, const char *id, const char *action, struct cu_error **err)
{
        switch (health_on_failure_from_string(action)) {
        case HEALTH_ON_FAILURE_KILL:
                return engine_kill(e, id, SIGKILL, err);
        case HEALTH_ON_FAILURE_STOP:
                return engine_stop(e, id, -1, err);
        case HEALTH_ON_FAILURE_RESTART: {
                int r = engine_stop(e, id, -1, err);
                return r < 0 ? r : engine_start(e, id, NULL, err);
        }
        default:
                return 0;
        }
}

int engine_healthcheck_run(struct engine *e, const char *id, char **ret_status,
                           struct cu_error **err)
{
        _cleanup_ctr_record_ struct ctr_record *r = NULL;
        int ret = engine_get(e, id, &r, err);
        if (ret < 0)
                return cu_error_prefix(err, ret, "unable to look up %s to perform a health check",
                                       id);
        if (r->state != CTR_STATE_RUNNING || !engine_is_running(r))
                return cu_error_setx(err, EINVAL, "container %s is not running", r->id);
        _cleanup_json_ json_t *c = engine_config(r);
        json_t *hc = json_object_get(c, "Healthcheck");
        _cleanup_strv_ char **argv = engine_health_argv(hc);
        if (!argv)
                return cu_error_setx(err, EINVAL, "container %s has no defined healthcheck", r->id);
        _cleanup_free_ char *lp = log_path(e, r->id);
        _cleanup_free_ char *rundir = engine_path(e, r->id, "rundir");
        _cleanup_free_ char *pidf = NULL;
        if (!lp || !rundir || asprintf(&pidf, "%s/healthcheck-%d.pid", rundir, (int) getpid()) < 0)
                return cu_error_set(err, ENOMEM, "asprintf");
        char root[4096];
        struct health_target t = { .cid = r->id, .argv = argv, .pid_file = pidf };
        engine_runtime_ctx(e, &t.ctx, root);
        int64_t timeout = ns_field(hc, "Timeout");
        _cleanup_(health_check_freep) struct health_check *chk = NULL;
        ret = health_check_run(&t, timeout, &chk, err);
        (void) unlink(pidf);
        if (ret < 0)
                return ret;
        struct health_result res;
        health_check_result(chk, &res);
        int64_t ran = (int64_t) (res.end.tv_sec - res.start.tv_sec) * NSEC +
                      (res.end.tv_nsec - res.start.tv_nsec);
        bool timed_out = timeout > 0 && ran > timeout;
        if (timed_out)
                res.exit_code = -1;
        int64_t start_ns = (int64_t) res.start.tv_sec * NSEC + res.start.tv_nsec;
        bool in_start = start_ns < r->started_at + ns_field(hc, "StartPeriod");
        _cleanup_free_ char *status = NULL;
        ret = health_results_record(lp, &res, in_start, (unsigned) ns_field(hc, "Retries"), &status,
                                    err);
        if (ret < 0)
                return ret;
        if (res.exit_code != 0 && streq_ptr(status, HEALTH_UNHEALTHY)) {
                const char *a = json_string_value(json_object_get(c, "HealthcheckOnFailureAction"));
                ret = on_failure(e, r->id, a, err);
                if (ret < 0)
                        return cu_error_prefix(err, ret, "applying the healthcheck's on-failure action %s", a);
        }
        if (timed_out) {
                char d[40];
                return cu_error_setx(err, ETIMEDOUT, "healthcheck command exceeded timeout of %s",
                                     engine_format_duration(timeout, d));
        }
        char *s = strdup(res.exit_code == 0 ? HEALTH_HEALTHY : HEALTH_UNHEALTHY);
        if (!s)
                return cu_error_set(err, ENOMEM, "strdup");
        *ret_status = s;
        return 0;
}
