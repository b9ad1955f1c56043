/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Events: the "file" events logger (JSON lines, O_APPEND) and its reader.  See events.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "engine/container.h"
#include "engine/events.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strv.h"

/* ------------------------------------------------------------------ time texts */

/* ".123456789" with Go's trailing-zero trimming ("" for a whole second). */
static void frac_text(int64_t ns, char buf[static 16])
{
        long frac = (long) (ns % 1000000000);
        if (frac < 0)
                frac += 1000000000;
        if (frac == 0) {
                buf[0] = '\0';
                return;
        }
        snprintf(buf, 16, ".%09ld", frac);
        size_t n = strlen(buf);
        while (n > 1 && buf[n - 1] == '0')
                buf[--n] = '\0';
}

static void utc_tm(int64_t ns, struct tm *tm)
{
        time_t s = (time_t) (ns / 1000000000);
        if (ns < 0 && ns % 1000000000)
                s--;
        gmtime_r(&s, tm);
}

/* RFC3339Nano in UTC: "2006-01-02T15:04:05.999999999Z". */
static void rfc3339_text(int64_t ns, char buf[static 64])
{
        struct tm tm;
        char frac[16];
        utc_tm(ns, &tm);
        frac_text(ns, frac);
        snprintf(buf, 64, "%04d-%02d-%02dT%02d:%02d:%02d%sZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

/* Go's time.Time String in UTC: "2006-01-02 15:04:05.999999999 +0000 UTC". */
static void go_time_text(int64_t ns, char buf[static 64])
{
        struct tm tm;
        char frac[16];
        utc_tm(ns, &tm);
        frac_text(ns, frac);
        snprintf(buf, 64, "%04d-%02d-%02d %02d:%02d:%02d%s +0000 UTC", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

/* ------------------------------------------------------------------ encoding */

char *events_path(const char *runroot)
{
        char *p = NULL;
        return asprintf(&p, "%s/events/events.log", runroot) < 0 ? NULL : p;
}

static int64_t now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

json_t *event_new(const char *type, const char *status, const char *id, const char *name,
                  const char *image, json_t *attributes, int64_t time_ns)
{
        if (time_ns == 0)
                time_ns = now_ns();
        char t[64];
        rfc3339_text(time_ns, t);
        _cleanup_json_ json_t *ev = json_object();
        if (!ev)
                return NULL;
        const struct {
                const char *key, *value;
        } strs[] = { { "ID", id }, { "Image", image }, { "Name", name }, { "Status", status } };
        for (size_t i = 0; i < ELEMENTSOF(strs); i++)
                if (strs[i].value && *strs[i].value &&
                    json_object_set_new(ev, strs[i].key, json_string(strs[i].value)) < 0)
                        return NULL;
        if (json_object_set_new(ev, "Time", json_string(t)) < 0 ||
            json_object_set_new(ev, "timeNano", json_integer(time_ns)) < 0 ||
            json_object_set_new(ev, "Type", json_string(type)) < 0)
                return NULL;
        if (attributes && json_object_set_new(ev, "Attributes", json_deep_copy(attributes)) < 0)
                return NULL;
        return TAKE_PTR(ev);
}

int event_append(const char *path, json_t *ev, struct cu_error **err)
{
        _cleanup_free_ char *line = json_dumps(ev, JSON_COMPACT);
        if (!line)
                return cu_error_set(err, ENOMEM, "encoding an event");
        size_t len = strlen(line);
        line[len++] = '\n'; /* json_dumps leaves room: replace the NUL */
        _cleanup_close_ int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0 && errno == ENOENT) {
                _cleanup_free_ char *dir = strdup(path);
                char *slash = dir ? strrchr(dir, '/') : NULL;
                if (slash) {
                        *slash = '\0';
                        (void) mkdir_p(dir, 0700);
                }
                fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        }
        if (fd < 0)
                return cu_error_set(err, errno, "opening %s", path);
        /* one write: O_APPEND keeps concurrent lines whole */
        ssize_t n = write(fd, line, len);
        if (n < 0)
                return cu_error_set(err, errno, "writing %s", path);
        if ((size_t) n != len)
                return cu_error_setx(err, EIO, "short write to %s", path);
        return 0;
}

json_t *event_parse(const char *line, size_t len)
{
        json_t *ev = json_loadb(line, len, 0, NULL);
        if (!json_is_object(ev) || !json_is_string(json_object_get(ev, "Status")) ||
            !json_is_string(json_object_get(ev, "Type"))) {
                json_decref(ev);
                return NULL;
        }
        return ev;
}

/* "2006-01-02T15:04:05[.frac]Z" → ns (UTC only; what we write). */
static int64_t parse_rfc3339_utc(const char *s)
{
        struct tm tm = { 0 };
        const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
        if (!p)
                return 0;
        int64_t frac = 0, scale = 100000000;
        if (*p == '.')
                for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
                        frac += (*p - '0') * scale;
        return (int64_t) timegm(&tm) * 1000000000 + frac;
}

int64_t event_time_ns(json_t *ev)
{
        json_t *n = json_object_get(ev, "timeNano");
        if (json_is_integer(n))
                return json_integer_value(n);
        const char *t = json_string_value(json_object_get(ev, "Time"));
        return t ? parse_rfc3339_utc(t) : 0;
}

/* ------------------------------------------------------------------ emission */

static bool backend_logs(const struct engine *e)
{
        return !e->events_backend || strcmp(e->events_backend, "file") == 0;
}

static void emit(struct engine *e, json_t *ev)
{
        _cleanup_free_ char *path = events_path(e->tmp_dir && *e->tmp_dir ? e->tmp_dir : e->runroot);
        struct cu_error *er = NULL;
        if (!ev || !path)
                log_debug("event: out of memory");
        else if (event_append(path, ev, &er) < 0)
                log_debug("event: %s", cu_error_msg(er));
        cu_error_free(er);
}

static json_t *container_event(const struct ctr_record *r, const char *status)
{
        _cleanup_json_ json_t *c = engine_config(r);
        json_t *labels = json_object_get(c, "Labels");
        const char *image = r->image_name ? r->image_name
                                          : json_string_value(json_object_get(c, "ImageName"));
        _cleanup_json_ json_t *attrs = json_is_object(labels) ? json_incref(labels) : json_object();
        return event_new("container", status, r->id, r->name, image, attrs, 0);
}

void engine_event_container(struct engine *e, const struct ctr_record *r, const char *status)
{
        if (!backend_logs(e))
                return;
        _cleanup_json_ json_t *ev = container_event(r, status);
        emit(e, ev);
}

void engine_event_exit(struct engine *e, const struct ctr_record *r, const char *status,
                       int exit_code)
{
        if (!backend_logs(e))
                return;
        _cleanup_json_ json_t *ev = container_event(r, status);
        if (ev)
                json_object_set_new(ev, "ContainerExitCode", json_integer(exit_code));
        emit(e, ev);
}

void engine_event_image(struct engine *e, const char *status, const char *id, const char *name)
{
        if (!backend_logs(e))
                return;
        _cleanup_json_ json_t *ev = event_new("image", status, id, name, NULL, NULL, 0);
        emit(e, ev);
}

/* ------------------------------------------------------------------ filters */

int event_filters_parse(char *const *specs, struct event_filters *ret, struct cu_error **err)
{
        struct event_filters f = { 0 };
        const struct {
                const char *key;
                char ***dst;
        } keys[] = {
                { "container", &f.container }, { "event", &f.event },   { "status", &f.event },
                { "image", &f.image },         { "label", &f.label },   { "type", &f.type },
                { "pod", &f.pod },             { "volume", &f.volume }, { "network", &f.network },
        };
        for (char *const *s = specs; s && *s; s++) {
                const char *eq = strchr(*s, '=');
                size_t i = 0;
                if (eq)
                        for (; i < ELEMENTSOF(keys); i++)
                                if (strlen(keys[i].key) == (size_t) (eq - *s) &&
                                    strncmp(keys[i].key, *s, (size_t) (eq - *s)) == 0)
                                        break;
                if (!eq || i == ELEMENTSOF(keys)) {
                        event_filters_done(&f);
                        return cu_error_setx(err, EINVAL, "%s is an invalid filter", *s);
                }
                if (strv_extend(keys[i].dst, eq + 1) < 0) {
                        event_filters_done(&f);
                        return cu_error_set(err, ENOMEM, "parsing filters");
                }
        }
        *ret = f;
        return 0;
}

void event_filters_done(struct event_filters *f)
{
        char **all[] = { f->container, f->event, f->image, f->label,
                         f->type,      f->pod,   f->volume, f->network };
        for (size_t i = 0; i < ELEMENTSOF(all); i++)
                strv_free(all[i]);
        *f = (struct event_filters){ 0 };
}

static const char *str(json_t *ev, const char *key)
{
        const char *s = json_string_value(json_object_get(ev, key));
        return s ? s : "";
}

static bool has_prefix(const char *s, const char *p)
{
        return *p && strncmp(s, p, strlen(p)) == 0;
}

static bool match_container(json_t *ev, const char *v)
{
        return strcmp(str(ev, "Type"), "container") == 0 &&
               (strcmp(str(ev, "Name"), v) == 0 || has_prefix(str(ev, "ID"), v));
}

/* img names v: the same, or v a short name of it ("bb" for "localhost/bb:latest"). */
static bool image_name_matches(const char *img, const char *v)
{
        if (strcmp(img, v) == 0)
                return true;
        /* "bb" matches "localhost/bb:latest" as a short name */
        const char *slash = strrchr(img, '/');
        const char *base = slash ? slash + 1 : img;
        size_t n = strlen(v);
        return strncmp(base, v, n) == 0 && (base[n] == '\0' || (base[n] == ':' && !strchr(v, ':') &&
                                                                 strcmp(base + n, ":latest") == 0));
}

static bool match_image(json_t *ev, const char *v)
{
        if (strcmp(str(ev, "Type"), "image") == 0)
                return image_name_matches(str(ev, "Name"), v) || has_prefix(str(ev, "ID"), v);
        return image_name_matches(str(ev, "Image"), v);
}

static bool match_label(json_t *ev, const char *v)
{
        json_t *attrs = json_object_get(ev, "Attributes");
        const char *eq = strchr(v, '=');
        _cleanup_free_ char *key = eq ? strndup(v, (size_t) (eq - v)) : strdup(v);
        if (!key)
                return false;
        const char *have = json_string_value(json_object_get(attrs, key));
        return have && (!eq || strcmp(have, eq + 1) == 0);
}

static bool match_status(json_t *ev, const char *v)
{
        return strcmp(str(ev, "Status"), v) == 0;
}

static bool match_type(json_t *ev, const char *v)
{
        return strcmp(str(ev, "Type"), v) == 0;
}

static bool match_typed_name(json_t *ev, const char *type, const char *v)
{
        return strcmp(str(ev, "Type"), type) == 0 &&
               (strcmp(str(ev, "Name"), v) == 0 || has_prefix(str(ev, "ID"), v));
}

static bool any(char **values, json_t *ev, bool (*m)(json_t *, const char *))
{
        if (!values)
                return true;
        for (char **v = values; *v; v++)
                if (m(ev, *v))
                        return true;
        return false;
}

static bool any_typed(char **values, json_t *ev, const char *type)
{
        if (!values)
                return true;
        for (char **v = values; *v; v++)
                if (match_typed_name(ev, type, *v))
                        return true;
        return false;
}

bool event_filters_match(const struct event_filters *f, json_t *ev)
{
        if (!f)
                return true;
        return any(f->container, ev, match_container) && any(f->event, ev, match_status) &&
               any(f->image, ev, match_image) && any(f->label, ev, match_label) &&
               any(f->type, ev, match_type) && any_typed(f->pod, ev, "pod") &&
               any_typed(f->volume, ev, "volume") && any_typed(f->network, ev, "network");
}

/* ------------------------------------------------------------------ output forms */

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

char *event_human(json_t *ev)
{
        char t[64];
        go_time_text(event_time_ns(ev), t);
        const char *type = str(ev, "Type");
        char *out = NULL;
        if (strcmp(type, "container") != 0 && strcmp(type, "pod") != 0) {
                if (asprintf(&out, "%s %s %s %s %s", t, type, str(ev, "Status"), str(ev, "ID"),
                             str(ev, "Name")) < 0)
                        return NULL;
                /* podman prints "image pull  NAME" (no ID): keep its shape */
                return out;
        }
        json_t *attrs = json_object_get(ev, "Attributes");
        size_t n = json_object_size(attrs), i = 0;
        _cleanup_free_ const char **keys = calloc(n + 1, sizeof(char *));
        const char *k;
        json_t *v;
        if (!keys)
                return NULL;
        json_object_foreach(attrs, k, v)
                keys[i++] = k;
        qsort(keys, i, sizeof(char *), cmp_str);
        size_t cap = 256;
        for (size_t j = 0; j < i; j++)
                cap += strlen(keys[j]) + strlen(str(attrs, keys[j])) + 4;
        cap += strlen(str(ev, "Image")) + strlen(str(ev, "Name")) + strlen(str(ev, "ID")) +
               strlen(str(ev, "Status"));
        out = malloc(cap);
        if (!out)
                return NULL;
        size_t len = (size_t) snprintf(out, cap, "%s %s %s %s (image=%s, name=%s", t, type,
                                       str(ev, "Status"), str(ev, "ID"), str(ev, "Image"),
                                       str(ev, "Name"));
        for (size_t j = 0; j < i && len < cap; j++)
                len += (size_t) snprintf(out + len, cap - len, ", %s=%s", keys[j],
                                         str(attrs, keys[j]));
        if (len < cap)
                snprintf(out + len, cap - len, ")");
        return out;
}

json_t *event_template_data(json_t *ev)
{
        char t[64];
        go_time_text(event_time_ns(ev), t);
        json_t *d = json_object();
        if (!d)
                return NULL;
        const char *keys[] = { "ID", "Image", "Name", "Status", "Type", "Network", "Error" };
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                json_object_set_new(d, keys[i], json_string(str(ev, keys[i])));
        json_object_set_new(d, "Time", json_string(t));
        json_object_set_new(d, "TimeNano", json_integer(event_time_ns(ev)));
        json_t *code = json_object_get(ev, "ContainerExitCode");
        json_object_set_new(d, "ContainerExitCode", json_is_integer(code) ? json_incref(code)
                                                                        : json_integer(0));
        json_t *attrs = json_object_get(ev, "Attributes");
        json_object_set_new(d, "Attributes", json_is_object(attrs) ? json_deep_copy(attrs)
                                                                  : json_object());
        json_object_set_new(d, "PodID", json_string(str(ev, "PodID")));
        json_object_set_new(d, "HealthStatus", json_string(str(ev, "HealthStatus")));
        json_object_set_new(d, "Details", json_object());
        return d;
}

/* ------------------------------------------------------------------ reading */

struct reader {
        const struct events_read_opts *o;
        event_fn fn;
        void *userdata;
        char *buf; /* an incomplete last line */
        size_t len, cap;
};

/* Hands the complete lines of r->buf to fn; keeps the rest.  fn's non-zero value, or 0. */
static int reader_lines(struct reader *r)
{
        size_t start = 0;
        int ret = 0;
        for (size_t i = 0; i < r->len && ret == 0; i++) {
                if (r->buf[i] != '\n')
                        continue;
                _cleanup_json_ json_t *ev = event_parse(r->buf + start, i - start);
                start = i + 1;
                if (!ev)
                        continue;
                int64_t t = event_time_ns(ev);
                if ((r->o->since && t < r->o->since) || (r->o->until && t > r->o->until))
                        continue;
                if (!event_filters_match(r->o->filters, ev))
                        continue;
                ret = r->fn(r->userdata, ev);
        }
        memmove(r->buf, r->buf + start, r->len - start);
        r->len -= start;
        return ret;
}

/* Reads what fd has; fn's value, 0 at EOF, or -errno. */
static int reader_drain(struct reader *r, int fd)
{
        for (;;) {
                if (r->cap - r->len < 65536) {
                        char *nb = realloc(r->buf, r->cap + 65536);
                        if (!nb)
                                return -ENOMEM;
                        r->buf = nb;
                        r->cap += 65536;
                }
                ssize_t n = read(fd, r->buf + r->len, r->cap - r->len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return 0;
                r->len += (size_t) n;
                int ret = reader_lines(r);
                if (ret != 0)
                        return ret;
        }
}

/* Waits for the file to grow (or appear), the stop fd, or `until`.  1: go on reading,
 * 0: stop. */
static int reader_wait(struct reader *r, int ino)
{
        int timeout = -1;
        if (r->o->until) {
                int64_t left = r->o->until - now_ns();
                if (left <= 0)
                        return 0;
                timeout = (int) (left / 1000000) + 1;
        }
        struct pollfd p[2] = { { .fd = ino, .events = POLLIN },
                               { .fd = r->o->stop_fd, .events = POLLIN } };
        int n = poll(p, r->o->stop_fd >= 0 ? 2 : 1, timeout);
        if (n < 0)
                return errno == EINTR ? 1 : -errno;
        if (n == 0 || (p[1].revents & POLLIN))
                return 0;
        char buf[4096];
        while (read(ino, buf, sizeof buf) > 0)
                ;
        return 1;
}

int engine_events_read(struct engine *e, const struct events_read_opts *o, event_fn fn,
                       void *userdata, struct cu_error **err)
{
        if (e->events_backend && strcmp(e->events_backend, "file") != 0) {
                if (strcmp(e->events_backend, "journald") == 0)
                        return cu_error_setx(err, EOPNOTSUPP,
                                             "cannot read events with the \"journald\" backend: cuttle logs events only to a file (events_logger = \"file\")");
                return cu_error_setx(err, EOPNOTSUPP, "cannot read events with the \"%s\" backend",
                                     e->events_backend);
        }
        _cleanup_free_ char *path = events_path(e->tmp_dir && *e->tmp_dir ? e->tmp_dir : e->runroot);
        if (!path)
                return cu_error_set(err, ENOMEM, "events");
        _cleanup_close_ int ino = -EBADF;
        if (o->follow) {
                _cleanup_free_ char *dir = strdup(path);
                if (!dir)
                        return cu_error_set(err, ENOMEM, "events");
                *strrchr(dir, '/') = '\0';
                int q = mkdir_p(dir, 0700);
                if (q < 0)
                        return cu_error_set(err, -q, "creating %s", dir);
                ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
                if (ino < 0 || inotify_add_watch(ino, dir, IN_CREATE | IN_MODIFY | IN_MOVED_TO) < 0)
                        return cu_error_set(err, errno, "watching %s", dir);
        }
        struct reader rd = { .o = o, .fn = fn, .userdata = userdata };
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 && errno != ENOENT)
                return cu_error_set(err, errno, "opening %s", path);
        int ret = 0;
        for (;;) {
                if (fd < 0)
                        fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd >= 0) {
                        ret = reader_drain(&rd, fd);
                        if (ret != 0)
                                break;
                }
                if (!o->follow)
                        break;
                ret = reader_wait(&rd, ino);
                if (ret <= 0)
                        break;
                ret = 0;
        }
        free(rd.buf);
        if (ret < 0)
                return cu_error_set(err, -ret, "reading %s", path);
        return 0;
}
