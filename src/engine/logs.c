/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading container logs: k8s-file records (json-file too), tail, since/until, follow. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/internal.h"
#include "util/json.h"

static int digits(const char *s, size_t n, int *ret)
{
        int v = 0;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                v = v * 10 + (s[i] - '0');
        }
        *ret = v;
        return 0;
}

int log_parse_timestamp(const char *s, size_t len, int64_t *ret)
{
        /* 2024-01-02T15:04:05[.frac](Z|±HH:MM) */
        if (len < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' ||
            s[16] != ':')
                return -EINVAL;
        struct tm tm = { 0 };
        int y, mo, d, h, mi, se;
        if (digits(s, 4, &y) < 0 || digits(s + 5, 2, &mo) < 0 || digits(s + 8, 2, &d) < 0 ||
            digits(s + 11, 2, &h) < 0 || digits(s + 14, 2, &mi) < 0 || digits(s + 17, 2, &se) < 0)
                return -EINVAL;
        tm.tm_year = y - 1900;
        tm.tm_mon = mo - 1;
        tm.tm_mday = d;
        tm.tm_hour = h;
        tm.tm_min = mi;
        tm.tm_sec = se;
        size_t i = 19;
        int64_t frac = 0, scale = 1000000000;
        if (i < len && s[i] == '.') {
                for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
                        if (scale > 1) {
                                scale /= 10;
                                frac += (s[i] - '0') * scale;
                        }
        }
        int64_t off = 0;
        if (i < len && s[i] == 'Z') {
                i++;
        } else if (i + 6 <= len && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
                int oh, om;
                if (digits(s + i + 1, 2, &oh) < 0 || digits(s + i + 4, 2, &om) < 0)
                        return -EINVAL;
                off = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
                i += 6;
        } else {
                return -EINVAL;
        }
        if (i != len)
                return -EINVAL;
        time_t t = timegm(&tm);
        *ret = ((int64_t) t - off) * 1000000000 + frac;
        return 0;
}

int log_k8s_parse_line(const char *line, size_t len, struct log_record *ret)
{
        const char *end = line + len;
        const char *sp1 = memchr(line, ' ', len);
        if (!sp1)
                return -EINVAL;
        const char *sp2 = memchr(sp1 + 1, ' ', (size_t) (end - sp1 - 1));
        if (!sp2)
                return -EINVAL;
        size_t sl = (size_t) (sp2 - sp1 - 1);
        *ret = (struct log_record){ .ts_text = line, .ts_len = (size_t) (sp1 - line) };
        if (sl == 6 && memcmp(sp1 + 1, "stdout", 6) == 0)
                ret->stream = CTR_STREAM_STDOUT;
        else if (sl == 6 && memcmp(sp1 + 1, "stderr", 6) == 0)
                ret->stream = CTR_STREAM_STDERR;
        else
                return -EINVAL;
        const char *tag = sp2 + 1;
        if (tag >= end)
                return -EINVAL;
        const char *tag_end = memchr(tag, ' ', (size_t) (end - tag));
        if (!tag_end)
                tag_end = end;
        ret->partial = tag_end - tag >= 1 && tag[0] == 'P';
        ret->text = tag_end < end ? tag_end + 1 : end;
        ret->len = (size_t) (end - ret->text);
        return log_parse_timestamp(line, ret->ts_len, &ret->ts);
}

/* ------------------------------------------------------------------ tail */

struct log_tail {
        char *path;
        int fd, ino;
        ino_t inode;
        char *buf;
        size_t len, cap;
};

static int tail_reopen(struct log_tail *t)
{
        safe_close(t->fd);
        t->fd = open(t->path, O_RDONLY | O_CLOEXEC);
        if (t->fd < 0)
                return -errno;
        struct stat st;
        if (fstat(t->fd, &st) == 0)
                t->inode = st.st_ino;
        t->len = 0;
        return 0;
}

int log_tail_open(const char *path, struct log_tail **ret, struct cu_error **err)
{
        struct log_tail *t = calloc(1, sizeof *t);
        if (!t)
                return -ENOMEM;
        t->fd = t->ino = -EBADF;
        t->path = strdup(path);
        int r = t->path ? tail_reopen(t) : -ENOMEM;
        if (r < 0) {
                log_tail_free(t);
                return cu_error_set(err, -r, "opening log %s", path);
        }
        t->ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (t->ino >= 0)
                (void) inotify_add_watch(t->ino, path, IN_MODIFY | IN_MOVE_SELF | IN_DELETE_SELF |
                                                          IN_ATTRIB);
        *ret = t;
        return 0;
}

struct log_tail *log_tail_free(struct log_tail *t)
{
        if (t) {
                safe_close(t->fd);
                safe_close(t->ino);
                free(t->path);
                free(t->buf);
                free(t);
        }
        return NULL;
}

int log_tail_watch_dir(struct log_tail *t, const char *dir)
{
        if (t->ino < 0)
                return -EBADF;
        return inotify_add_watch(t->ino, dir, IN_CREATE | IN_MOVED_TO) < 0 ? -errno : 0;
}

int log_tail_fd(struct log_tail *t)
{
        return t->ino;
}

/* json-file: {"log":"…","stream":"stdout","time":"…"} */
static int json_record(const char *line, size_t len, log_record_fn fn, void *ud)
{
        _cleanup_json_ json_t *j = json_loadb(line, len, 0, NULL);
        const char *log = json_string_value(json_object_get(j, "log"));
        const char *stream = json_string_value(json_object_get(j, "stream"));
        const char *ts = json_string_value(json_object_get(j, "time"));
        if (!log || !stream || !ts)
                return 0;
        struct log_record r = { .ts_text = ts, .ts_len = strlen(ts), .text = log,
                                .len = json_string_length(json_object_get(j, "log")),
                                .stream = streq_ptr(stream, "stderr") ? CTR_STREAM_STDERR
                                                                       : CTR_STREAM_STDOUT };
        r.partial = r.len == 0 || log[r.len - 1] != '\n';
        if (!r.partial)
                r.len--;
        if (log_parse_timestamp(ts, r.ts_len, &r.ts) < 0)
                return 0;
        return fn(ud, &r);
}

int log_tail_read(struct log_tail *t, log_record_fn fn, void *userdata)
{
        char ev[4096];
        if (t->ino >= 0)
                while (read(t->ino, ev, sizeof ev) > 0)
                        ;
        struct stat st;
        if (stat(t->path, &st) == 0 && st.st_ino != t->inode) {
                /* rotated: the old file's rest first, then the new one */
                (void) tail_reopen(t);
                if (t->ino >= 0)
                        (void) inotify_add_watch(t->ino, t->path, IN_MODIFY | IN_MOVE_SELF |
                                                                        IN_DELETE_SELF | IN_ATTRIB);
        }
        for (;;) {
                if (t->cap - t->len < 65536) {
                        size_t nc = t->cap ? t->cap * 2 : 131072;
                        char *nb = realloc(t->buf, nc);
                        if (!nb)
                                return -ENOMEM;
                        t->buf = nb;
                        t->cap = nc;
                }
                ssize_t n = read(t->fd, t->buf + t->len, t->cap - t->len);
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                t->len += (size_t) n;
        }
        size_t start = 0;
        int r = 0;
        while (start < t->len && r == 0) {
                char *nl = memchr(t->buf + start, '\n', t->len - start);
                if (!nl)
                        break;
                size_t ll = (size_t) (nl - (t->buf + start));
                const char *line = t->buf + start;
                start += ll + 1;
                if (ll && line[0] == '{') {
                        r = json_record(line, ll, fn, userdata);
                        continue;
                }
                struct log_record rec;
                if (log_k8s_parse_line(line, ll, &rec) == 0)
                        r = fn(userdata, &rec);
        }
        memmove(t->buf, t->buf + start, t->len - start);
        t->len -= start;
        return r;
}

/* ------------------------------------------------------------------ engine_logs */

struct filter {
        const struct engine_logs_opts *o;
        int64_t skip; /* full lines to drop first (--tail) */
        log_record_fn fn;
        void *ud;
        bool past_until;
};

static int count_fn(void *ud, const struct log_record *r)
{
        if (!r->partial)
                (*(int64_t *) ud)++;
        return 0;
}

static int filter_fn(void *ud, const struct log_record *r)
{
        struct filter *f = ud;
        if (f->skip > 0) {
                if (!r->partial)
                        f->skip--;
                return 0;
        }
        if (f->o->since && r->ts < f->o->since)
                return 0;
        if (f->o->until && r->ts > f->o->until) {
                f->past_until = true;
                return 0;
        }
        return f->fn(f->ud, r);
}

/* The container's log file (NULL: its driver writes none, or no memory). */
static char *log_file_path(struct engine *e, const struct ctr_record *rec, json_t *c)
{
        const char *drv = json_string_value(json_object_get(c, "LogDriver"));
        if (streq_ptr(drv, "none") || streq_ptr(drv, "passthrough"))
                return NULL;
        const char *lp = json_string_value(json_object_get(c, "LogPath"));
        return lp && *lp ? strdup(lp) : engine_path(e, rec->id, "log");
}

int engine_log_hold(struct engine *e, const struct ctr_record *r, struct log_tail **ret,
                    struct cu_error **err)
{
        *ret = NULL;
        _cleanup_json_ json_t *c = engine_config(r);
        _cleanup_free_ char *path = log_file_path(e, r, c);
        if (!path)
                return 0;
        /* the monitor opens it O_APPEND | O_CREAT: the same file, whoever comes first */
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return cu_error_set(err, errno, "opening log %s", path);
        close(fd);
        return log_tail_open(path, ret, err);
}

/* Reads t's records through f; with follow, until the container id no longer runs. */
static int read_tail(struct engine *e, const char *id, struct log_tail *t, struct filter *f,
                     struct cu_error **err)
{
        if (f->o->follow) {
                _cleanup_free_ char *rundir = engine_path(e, id, "rundir");
                if (rundir)
                        (void) log_tail_watch_dir(t, rundir); /* the exit file appearing */
        }
        int r = log_tail_read(t, filter_fn, f);
        while (r == 0 && f->o->follow) {
                _cleanup_ctr_record_ struct ctr_record *now = NULL;
                bool running = ctr_get_by_id(e->db, id, &now, NULL) >= 0 &&
                               (engine_refresh(e, now, false), engine_is_running(now));
                if (!running || f->past_until) {
                        r = log_tail_read(t, filter_fn, f);
                        break;
                }
                struct pollfd p = { .fd = log_tail_fd(t), .events = POLLIN };
                (void) poll(&p, p.fd >= 0 ? 1 : 0, 200);
                r = log_tail_read(t, filter_fn, f);
        }
        return r < 0 ? cu_error_set(err, -r, "reading the log of %s", id) : 0;
}

int engine_logs_held(struct engine *e, const char *id, struct log_tail *held,
                     const struct engine_logs_opts *o, log_record_fn fn, void *userdata,
                     struct cu_error **err)
{
        struct filter f = { .o = o, .fn = fn, .ud = userdata };
        return read_tail(e, id, held, &f, err);
}

int engine_logs(struct engine *e, const struct ctr_record *rec, const struct engine_logs_opts *o,
                log_record_fn fn, void *userdata, struct cu_error **err)
{
        _cleanup_json_ json_t *c = engine_config(rec);
        const char *drv = json_string_value(json_object_get(c, "LogDriver"));
        if (streq_ptr(drv, "none") || streq_ptr(drv, "passthrough"))
                return cu_error_setx(err, EINVAL,
                                     "this container is using the '%s' log driver, cannot read logs: this container is not logging output",
                                     drv);
        _cleanup_free_ char *path = log_file_path(e, rec, c);
        if (!path)
                return -ENOMEM;
        struct filter f = { .o = o, .fn = fn, .ud = userdata };
        if (o->tail >= 0) {
                _cleanup_(log_tail_freep) struct log_tail *cnt = NULL;
                int64_t total = 0;
                if (log_tail_open(path, &cnt, NULL) == 0)
                        (void) log_tail_read(cnt, count_fn, &total);
                f.skip = total > o->tail ? total - o->tail : 0;
        }
        _cleanup_(log_tail_freep) struct log_tail *t = NULL;
        int r = log_tail_open(path, &t, NULL);
        if (r == -ENOENT && !o->follow)
                return 0;
        for (int i = 0; r == -ENOENT && i < 100; i++) { /* not started yet */
                (void) nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
                r = log_tail_open(path, &t, NULL);
        }
        if (r < 0)
                return r == -ENOENT ? 0 : cu_error_set(err, -r, "opening log %s", path);
        return read_tail(e, rec->id, t, &f, err);
}
