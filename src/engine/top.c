/* SPDX-License-Identifier: GPL-2.0-or-later */
/* top: the container's processes with psgo's descriptors (see top.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/container.h"
#include "engine/idmap.h"
#include "engine/top.h"
#include "util/fileio.h"
#include "util/path.h"
#include "util/strv.h"

static const struct {
        const char *name, *aix, *header;
} descs[_TOP_MAX] = {
        [TOP_ARGS] = { "args", "%a", "COMMAND" },
        [TOP_CAPAMB] = { "capamb", NULL, "AMBIENT CAPS" },
        [TOP_CAPBND] = { "capbnd", NULL, "BOUNDING CAPS" },
        [TOP_CAPEFF] = { "capeff", NULL, "EFFECTIVE CAPS" },
        [TOP_CAPINH] = { "capinh", NULL, "INHERITED CAPS" },
        [TOP_CAPPRM] = { "capprm", NULL, "PERMITTED CAPS" },
        [TOP_COMM] = { "comm", "%c", "COMMAND" },
        [TOP_ETIME] = { "etime", "%t", "ELAPSED" },
        [TOP_GROUP] = { "group", "%G", "GROUP" },
        [TOP_HGROUP] = { "hgroup", NULL, "HGROUP" },
        [TOP_HPID] = { "hpid", NULL, "HPID" },
        [TOP_HUSER] = { "huser", NULL, "HUSER" },
        [TOP_LABEL] = { "label", NULL, "LABEL" },
        [TOP_NICE] = { "nice", "%n", "NI" },
        [TOP_PCPU] = { "pcpu", "%C", "%CPU" },
        [TOP_PGID] = { "pgid", "%r", "PGID" },
        [TOP_PID] = { "pid", "%p", "PID" },
        [TOP_PPID] = { "ppid", "%P", "PPID" },
        [TOP_RGROUP] = { "rgroup", "%g", "RGROUP" },
        [TOP_RUSER] = { "ruser", "%u", "RUSER" },
        [TOP_SECCOMP] = { "seccomp", NULL, "SECCOMP" },
        [TOP_STATE] = { "state", NULL, "STATE" },
        [TOP_STIME] = { "stime", NULL, "STIME" },
        [TOP_TIME] = { "time", "%x", "TIME" },
        [TOP_TTY] = { "tty", "%y", "TTY" },
        [TOP_USER] = { "user", "%U", "USER" },
        [TOP_VSZ] = { "vsz", "%z", "VSZ" },
};

enum top_desc top_desc_from_string(const char *s)
{
        for (int i = 0; i < _TOP_MAX; i++)
                if (strcmp(descs[i].name, s) == 0 || (descs[i].aix && strcmp(descs[i].aix, s) == 0))
                        return (enum top_desc) i;
        return _TOP_INVALID;
}

const char *top_desc_header(enum top_desc d)
{
        return d >= 0 && d < _TOP_MAX ? descs[d].header : NULL;
}

/* ------------------------------------------------------------------ parsing */

void top_proc_done(struct top_proc *p)
{
        free(p->args);
        free(p->label);
        p->args = p->label = NULL;
}

static uint64_t status_hex(const char *status, const char *key)
{
        const char *l = strstr(status, key);
        return l ? strtoull(l + strlen(key), NULL, 16) : 0;
}

static void status_ids(const char *status, const char *key, unsigned *real, unsigned *eff)
{
        const char *l = strstr(status, key);
        unsigned a = 0, b = 0;
        if (l && sscanf(l + strlen(key), "%u %u", &a, &b) == 2) {
                *real = a;
                *eff = b;
        }
}

/* The last number of "NSpid:" (the innermost namespace's pid), or fallback. */
static pid_t status_nspid(const char *status, pid_t fallback)
{
        const char *l = strstr(status, "\nNSpid:");
        if (!l)
                return fallback;
        l += 7;
        long last = fallback;
        char *end;
        for (;;) {
                long v = strtol(l, &end, 10);
                if (end == l)
                        break;
                last = v;
                l = end;
                if (*l == '\n' || !*l)
                        break;
        }
        return (pid_t) last;
}

int top_proc_parse(const char *stat, const char *status, const char *cmdline, size_t cmdline_len,
                   struct top_proc *ret)
{
        struct top_proc p = { .seccomp = -1 };
        const char *open = strchr(stat, '('), *close = strrchr(stat, ')');
        if (!open || !close || close < open)
                return -EINVAL;
        p.hpid = (pid_t) strtol(stat, NULL, 10);
        snprintf(p.comm, sizeof p.comm, "%.*s", (int) (close - open - 1), open + 1);
        /* fields after comm: 3 state, 4 ppid, 5 pgrp, 6 session, 7 tty_nr, … 14 utime,
         * 15 stime, 19 nice, 22 starttime, 23 vsize */
        char st;
        int ppid, pgrp, session, tty;
        long nice;
        unsigned long long utime, stime, start, vsize;
        int n = sscanf(close + 2,
                       "%c %d %d %d %d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %ld %*d %*d %llu %llu",
                       &st, &ppid, &pgrp, &session, &tty, &utime, &stime, &nice, &start, &vsize);
        if (n != 10)
                return -EINVAL;
        p.state = st;
        p.host_ppid = ppid;
        p.pgid = pgrp;
        p.tty_nr = tty;
        p.utime = utime;
        p.stime = stime;
        p.nice = nice;
        p.start = start;
        p.vsize = vsize;
        p.pid = p.hpid;
        p.ppid = ppid;
        if (status) {
                unsigned r = 0, e = 0;
                status_ids(status, "\nUid:", &r, &e);
                p.ruid = r;
                p.euid = e;
                r = e = 0;
                status_ids(status, "\nGid:", &r, &e);
                p.rgid = r;
                p.egid = e;
                p.cap_inh = status_hex(status, "\nCapInh:");
                p.cap_prm = status_hex(status, "\nCapPrm:");
                p.cap_eff = status_hex(status, "\nCapEff:");
                p.cap_bnd = status_hex(status, "\nCapBnd:");
                p.cap_amb = status_hex(status, "\nCapAmb:");
                const char *sc = strstr(status, "\nSeccomp:");
                if (sc)
                        p.seccomp = (int) strtol(sc + 9, NULL, 10);
                p.pid = status_nspid(status, p.hpid);
        }
        if (cmdline && cmdline_len > 0) {
                p.args = malloc(cmdline_len + 1);
                if (!p.args)
                        return -ENOMEM;
                for (size_t i = 0; i < cmdline_len; i++)
                        p.args[i] = cmdline[i] ? cmdline[i] : ' ';
                p.args[cmdline_len] = '\0';
        } else {
                /* a kernel thread or a zombie: psgo shows [comm] */
                if (asprintf(&p.args, "[%s]", p.comm) < 0)
                        return -ENOMEM;
        }
        *ret = p;
        return 0;
}

/* ------------------------------------------------------------------ fields */

void go_duration_text(int64_t ns, char buf[static 40])
{
        bool neg = ns < 0;
        uint64_t u = neg ? (uint64_t) -ns : (uint64_t) ns;
        const char *sign = neg ? "-" : "";
        if (u == 0) {
                snprintf(buf, 40, "0s");
                return;
        }
        if (u < 1000000000ULL) {
                const char *unit = "ns";
                uint64_t whole = u, frac = 0;
                int digits = 0;
                if (u >= 1000000ULL) {
                        unit = "ms";
                        whole = u / 1000000;
                        frac = u % 1000000;
                        digits = 6;
                } else if (u >= 1000ULL) {
                        unit = "\xc2\xb5s";
                        whole = u / 1000;
                        frac = u % 1000;
                        digits = 3;
                }
                char f[16] = "";
                if (frac) {
                        snprintf(f, sizeof f, ".%0*llu", digits, (unsigned long long) frac);
                        size_t n = strlen(f);
                        while (f[n - 1] == '0')
                                f[--n] = '\0';
                }
                snprintf(buf, 40, "%s%llu%s%s", sign, (unsigned long long) whole, f, unit);
                return;
        }
        uint64_t secs = u / 1000000000ULL, frac = u % 1000000000ULL;
        uint64_t h = secs / 3600, m = (secs / 60) % 60, s = secs % 60;
        char f[16] = "";
        if (frac) {
                snprintf(f, sizeof f, ".%09llu", (unsigned long long) frac);
                size_t n = strlen(f);
                while (f[n - 1] == '0')
                        f[--n] = '\0';
        }
        if (h)
                snprintf(buf, 40, "%s%lluh%llum%llu%ss", sign, (unsigned long long) h,
                         (unsigned long long) m, (unsigned long long) s, f);
        else if (m)
                snprintf(buf, 40, "%s%llum%llu%ss", sign, (unsigned long long) m,
                         (unsigned long long) s, f);
        else
                snprintf(buf, 40, "%s%llu%ss", sign, (unsigned long long) s, f);
}

static const char *const cap_names[] = {
        "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID",
        "SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN",
        "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE",
        "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME",
        "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
        "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ",
        "PERFMON", "BPF", "CHECKPOINT_RESTORE",
};

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

char *top_caps_text(uint64_t mask)
{
        const size_t n = ELEMENTSOF(cap_names);
        uint64_t all = (1ULL << n) - 1;
        if ((mask & all) == all)
                return strdup("full");
        if (mask == 0)
                return strdup("none");
        const char *v[64];
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
                if (mask & (1ULL << i))
                        v[k++] = cap_names[i];
        qsort(v, k, sizeof v[0], cmp_str);
        size_t len = 1;
        for (size_t i = 0; i < k; i++)
                len += strlen(v[i]) + 1;
        char *out = malloc(len), *p = out;
        if (!out)
                return NULL;
        *p = '\0';
        for (size_t i = 0; i < k; i++)
                p += sprintf(p, "%s%s", i ? "," : "", v[i]);
        return out;
}

/* The name of id in a passwd / group text (field 3 is the id), or its number. */
static char *id_name(const char *db, unsigned id)
{
        char *s = NULL;
        for (const char *l = db; l && *l;) {
                const char *end = strchrnul(l, '\n');
                const char *c1 = memchr(l, ':', (size_t) (end - l));
                const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t) (end - c1 - 1)) : NULL;
                if (c2) {
                        char *e2;
                        unsigned long v = strtoul(c2 + 1, &e2, 10);
                        if (e2 != c2 + 1 && *e2 == ':' && v == id)
                                return strndup(l, (size_t) (c1 - l));
                }
                l = *end ? end + 1 : end;
        }
        return asprintf(&s, "%u", id) < 0 ? NULL : s;
}

static char *tty_text(int tty_nr)
{
        unsigned major = ((unsigned) tty_nr >> 8) & 0xfff;
        unsigned minor = ((unsigned) tty_nr & 0xff) | (((unsigned) tty_nr >> 12) & 0xfff00);
        char *s = NULL;
        if (tty_nr == 0)
                return strdup("?");
        if (major >= 136 && major <= 143)
                return asprintf(&s, "pts/%u", minor + (major - 136) * 256) < 0 ? NULL : s;
        if (major == 4)
                return asprintf(&s, "tty%u", minor) < 0 ? NULL : s;
        return strdup("?");
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
        va_list ap;
        char *s = NULL;
        va_start(ap, f);
        int r = vasprintf(&s, f, ap);
        va_end(ap);
        return r < 0 ? NULL : s;
}

char *top_field(const struct top_proc *p, enum top_desc d, const struct top_env *env)
{
        long hz = env->hz > 0 ? env->hz : 100;
        int64_t start_ns = env->boot_ns + (int64_t) (p->start * 1000000000ULL / (uint64_t) hz);
        int64_t cpu_ns = (int64_t) ((p->utime + p->stime) * 1000000000ULL / (uint64_t) hz);
        char buf[64];
        switch (d) {
        case TOP_ARGS: return strdup(p->args ? p->args : "");
        case TOP_COMM: return strdup(p->comm);
        case TOP_CAPAMB: return top_caps_text(p->cap_amb);
        case TOP_CAPBND: return top_caps_text(p->cap_bnd);
        case TOP_CAPEFF: return top_caps_text(p->cap_eff);
        case TOP_CAPINH: return top_caps_text(p->cap_inh);
        case TOP_CAPPRM: return top_caps_text(p->cap_prm);
        case TOP_ETIME:
                go_duration_text(env->now_ns - start_ns, buf);
                return strdup(buf);
        case TOP_TIME:
                go_duration_text(cpu_ns / 1000000000 * 1000000000, buf);
                return strdup(buf);
        case TOP_PCPU: {
                int64_t el = env->now_ns - start_ns;
                return fmt("%.3f", el > 0 ? (double) cpu_ns * 100.0 / (double) el : 0.0);
        }
        /* the container's ids (its user namespace may map them) */
        case TOP_USER: return id_name(env->passwd, idmap_proc_to_ctr(p->hpid, false, p->euid));
        case TOP_RUSER: return id_name(env->passwd, idmap_proc_to_ctr(p->hpid, false, p->ruid));
        case TOP_GROUP: return id_name(env->group, idmap_proc_to_ctr(p->hpid, true, p->egid));
        case TOP_RGROUP: return id_name(env->group, idmap_proc_to_ctr(p->hpid, true, p->rgid));
        case TOP_HUSER: return id_name(env->host_passwd, p->euid);
        case TOP_HGROUP: return id_name(env->host_group, p->egid);
        case TOP_HPID: return fmt("%d", (int) p->hpid);
        case TOP_PID: return fmt("%d", (int) p->pid);
        case TOP_PPID: return fmt("%d", (int) p->ppid);
        case TOP_PGID: return fmt("%d", (int) p->pgid);
        case TOP_NICE: return fmt("%ld", p->nice);
        case TOP_VSZ: return fmt("%llu", (unsigned long long) (p->vsize / 1024));
        case TOP_STATE: return fmt("%c", p->state);
        case TOP_TTY: return tty_text(p->tty_nr);
        case TOP_LABEL: return strdup(p->label ? p->label : "?");
        case TOP_SECCOMP:
                return strdup(p->seccomp == 0 ? "disabled" : p->seccomp == 1 ? "strict"
                                                           : p->seccomp == 2 ? "filter" : "?");
        case TOP_STIME: {
                struct tm tm;
                time_t t = (time_t) (start_ns / 1000000000);
                gmtime_r(&t, &tm);
                strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
                return strdup(buf);
        }
        default: return strdup("?");
        }
}

/* ------------------------------------------------------------------ the container's processes */

void top_rows_free(char ***rows)
{
        for (char ***r = rows; r && *r; r++)
                strv_free(*r);
        free(rows);
}

static int64_t clock_ns(clockid_t id)
{
        struct timespec ts;
        clock_gettime(id, &ts);
        return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static char *read_text(pid_t pid, const char *name, size_t *ret_len)
{
        char p[64];
        snprintf(p, sizeof p, "/proc/%d/%s", (int) pid, name);
        char *s = NULL;
        return read_full_file(p, &s, ret_len, NULL) < 0 ? NULL : s;
}

static ino_t pidns_of(pid_t pid)
{
        char p[64];
        struct stat st;
        snprintf(p, sizeof p, "/proc/%d/ns/pid", (int) pid);
        return stat(p, &st) < 0 ? 0 : st.st_ino;
}

static int cmp_proc(const void *a, const void *b)
{
        const struct top_proc *x = a, *y = b;
        return (x->pid > y->pid) - (x->pid < y->pid);
}

/* The processes in pid's namespace, sorted by their pid there. */
static int collect(pid_t init, struct top_proc **ret, size_t *ret_n, struct cu_error **err)
{
        ino_t ns = pidns_of(init);
        if (!ns)
                return cu_error_set(err, errno ? errno : ESRCH, "reading the pid namespace of %d",
                                    (int) init);
        _cleanup_(closedirp) DIR *d = opendir("/proc");
        if (!d)
                return cu_error_set(err, errno, "opening /proc");
        struct top_proc *v = NULL;
        size_t n = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                char *end;
                long pid = strtol(de->d_name, &end, 10);
                if (*end || pid <= 0 || pidns_of((pid_t) pid) != ns)
                        continue;
                size_t cl = 0;
                _cleanup_free_ char *stat = read_text((pid_t) pid, "stat", NULL);
                _cleanup_free_ char *status = read_text((pid_t) pid, "status", NULL);
                _cleanup_free_ char *cmd = read_text((pid_t) pid, "cmdline", &cl);
                struct top_proc p;
                if (!stat || top_proc_parse(stat, status, cmd, cmd ? cl : 0, &p) < 0)
                        continue; /* it went away */
                _cleanup_free_ char *label = read_text((pid_t) pid, "attr/current", NULL);
                if (label && *label) {
                        label[strcspn(label, "\n")] = '\0';
                        p.label = TAKE_PTR(label);
                }
                struct top_proc *nv = realloc(v, (n + 1) * sizeof *v);
                if (!nv) {
                        top_proc_done(&p);
                        break;
                }
                v = nv;
                v[n++] = p;
        }
        /* ppid as the namespace sees it: 0 for a parent outside */
        for (size_t i = 0; i < n; i++) {
                pid_t pp = 0;
                for (size_t j = 0; j < n; j++)
                        if (v[j].hpid == v[i].host_ppid)
                                pp = v[j].pid;
                v[i].ppid = pp;
        }
        qsort(v, n, sizeof *v, cmp_proc);
        *ret = v;
        *ret_n = n;
        return 0;
}

/* The container's /etc file (through its root, resolved inside it), or NULL. */
static char *container_file(pid_t pid, const char *rel)
{
        char p[64];
        snprintf(p, sizeof p, "/proc/%d/root", (int) pid);
        _cleanup_close_ int root = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return NULL;
        _cleanup_close_ int fd = open_in_root(root, rel, O_RDONLY | O_CLOEXEC, 0);
        char *s = NULL;
        if (fd < 0 || read_full_fd(fd, &s, NULL) < 0)
                return NULL;
        return s;
}

/* Descriptors from the arguments (each may be a comma list); -ENOTSUP on an unknown one. */
static int parse_descs(char *const *args, enum top_desc **ret, size_t *ret_n,
                       struct cu_error **err)
{
        static const enum top_desc defaults[] = { TOP_USER, TOP_PID,  TOP_PPID, TOP_PCPU,
                                                  TOP_ETIME, TOP_TTY, TOP_TIME, TOP_ARGS };
        _cleanup_free_ enum top_desc *v = NULL;
        size_t n = 0;
        for (char *const *a = args; a && *a; a++) {
                _cleanup_strv_ char **parts = strv_split(*a, ", ");
                for (char **p = parts; p && *p; p++) {
                        if (!**p)
                                continue;
                        enum top_desc d = top_desc_from_string(*p);
                        if (d < 0)
                                return cu_error_setx(err, ENOTSUP, "unknown descriptor: %s", *p);
                        enum top_desc *nv = realloc(v, (n + 1) * sizeof *v);
                        if (!nv)
                                return cu_error_set(err, ENOMEM, "descriptors");
                        v = nv;
                        v[n++] = d;
                }
        }
        if (n == 0) {
                free(v);
                v = malloc(sizeof defaults);
                if (!v)
                        return cu_error_set(err, ENOMEM, "descriptors");
                memcpy(v, defaults, sizeof defaults);
                n = ELEMENTSOF(defaults);
        }
        *ret = TAKE_PTR(v);
        *ret_n = n;
        return 0;
}

int engine_top(struct engine *e, const char *id, char *const *descriptors, char ****ret_rows,
               struct cu_error **err)
{
        _cleanup_ctr_record_ struct ctr_record *r = NULL;
        int ret = engine_get(e, id, &r, err);
        if (ret < 0)
                return cu_error_prefix(err, ret, "unable to look up requested container");
        if (!engine_is_running(r))
                return cu_error_setx(err, EINVAL, "top can only be used on running containers");
        _cleanup_free_ enum top_desc *d = NULL;
        size_t nd = 0;
        ret = parse_descs(descriptors, &d, &nd, err);
        if (ret < 0)
                return ret;
        struct top_proc *procs = NULL;
        size_t np = 0;
        ret = collect((pid_t) r->pid, &procs, &np, err);
        if (ret < 0)
                return ret;
        _cleanup_free_ char *pw = container_file((pid_t) r->pid, "etc/passwd");
        _cleanup_free_ char *gr = container_file((pid_t) r->pid, "etc/group");
        _cleanup_free_ char *hpw = NULL, *hgr = NULL;
        (void) read_full_file("/etc/passwd", &hpw, NULL, NULL);
        (void) read_full_file("/etc/group", &hgr, NULL, NULL);
        int64_t now = clock_ns(CLOCK_REALTIME);
        struct top_env env = { .now_ns = now, .boot_ns = now - clock_ns(CLOCK_BOOTTIME),
                               .hz = sysconf(_SC_CLK_TCK), .passwd = pw, .group = gr,
                               .host_passwd = hpw, .host_group = hgr };
        char ***rows = calloc(np + 2, sizeof *rows);
        ret = rows ? 0 : -ENOMEM;
        for (size_t i = 0; ret == 0 && i < np + 1; i++) {
                rows[i] = calloc(nd + 1, sizeof(char *));
                if (!rows[i]) {
                        ret = -ENOMEM;
                        break;
                }
                for (size_t k = 0; k < nd; k++) {
                        rows[i][k] = i == 0 ? strdup(top_desc_header(d[k]))
                                            : top_field(&procs[i - 1], d[k], &env);
                        if (!rows[i][k]) {
                                ret = -ENOMEM;
                                break;
                        }
                }
        }
        for (size_t i = 0; i < np; i++)
                top_proc_done(&procs[i]);
        free(procs);
        if (ret < 0) {
                top_rows_free(rows);
                return cu_error_set(err, ENOMEM, "top");
        }
        *ret_rows = rows;
        return 0;
}
