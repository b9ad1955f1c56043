/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * checkpoint / restore of a container through the criu binary (runc's behaviour).
 *
 * dump:    criu dump --tree INIT --root ROOTFS --images-dir D --work-dir W --manage-cgroups
 *          --ext-mount-map DEST:DEST for every mount whose source lies outside the container
 *          (binds, /dev/null masks, cgroup v1 hierarchies), --external net[INODE]:extNetNs for
 *          a joined network namespace, --shell-job with a terminal.  What the restore needs to
 *          know about the dump is kept beside the images in cuttle-criu.json: the external
 *          mount keys (cgroup or not), the init's stdio (pipe:[N] or a path), the net ns key.
 * restore: the cgroup made (criu is forked into it; the restored tasks are born there), the
 *          state dir written as by create, then criu restore --restore-detached
 *          --restore-sibling (the init becomes the caller's child), the mounts mapped to the
 *          current bundle's sources, the joined network namespace and the new stdio handed
 *          over with --inherit-fd.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "runtime-internal.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/log.h"
#include "util/mountinfo.h"
#include "util/parse.h"
#include "util/path.h"
#include "util/proc.h"
#include "util/strv.h"

#define CRIU_META "cuttle-criu.json"
#define streq(a, b) (strcmp((a), (b)) == 0)
#define NETNS_KEY "extNetNs"

char *runtime_criu_path(void)
{
        const char *env = getenv("CUTTLE_CRIU");
        if (env && *env)
                return access(env, X_OK) == 0 ? strdup(env) : NULL;
        if (access(RUNTIME_CRIU_PREFIX_PATH, X_OK) == 0)
                return strdup(RUNTIME_CRIU_PREFIX_PATH);
        const char *path = getenv("PATH");
        _cleanup_strv_ char **dirs = strv_split(path && *path ? path : "/usr/sbin:/usr/bin:/sbin:/bin", ":");
        for (char **d = dirs; d && *d; d++) {
                char *p = NULL;
                if (asprintf(&p, "%s/criu", **d ? *d : ".") < 0)
                        return NULL;
                if (access(p, X_OK) == 0)
                        return p;
                free(p);
        }
        return NULL;
}

int runtime_criu_version(const char *criu, struct cu_error **err)
{
        char *argv[] = { (char *) criu, (char *) "--version", NULL };
        _cleanup_free_ char *out = NULL;
        int code = proc_run_capture(argv, 1, NULL, &out);
        const char *v = out ? strstr(out, "Version: ") : NULL;
        unsigned major = 0, minor = 0, sub = 0;
        if (code != 0 || !v || sscanf(v + 9, "%u.%u.%u", &major, &minor, &sub) < 2)
                return cu_error_setx(err, ENOENT, "%s --version failed (status %d)", criu, code);
        return (int) (major * 10000 + minor * 100 + sub);
}

/* Paths equal up to repeated and trailing slashes. */
static bool path_equal(const char *a, const char *b)
{
        for (;;) {
                while (a[0] == '/' && (a[1] == '/' || a[1] == '\0'))
                        a++;
                while (b[0] == '/' && (b[1] == '/' || b[1] == '\0'))
                        b++;
                if (*a != *b)
                        return false;
                if (!*a)
                        return true;
                a++;
                b++;
        }
}

/* Whether a mount of the spec takes its source from outside the container's own mounts. */
static bool mount_is_bind(const struct oci_mount *m)
{
        if (streq_ptr(m->type, "bind"))
                return true;
        for (char **o = m->options; o && *o; o++)
                if (streq(*o, "bind") || streq(*o, "rbind"))
                        return true;
        return false;
}

int runtime_criu_mount_source(const struct oci_spec *s, const char *key, const char *cgroup_root,
                              const char *cgroup_path, bool cgroup, char **ret)
{
        *ret = NULL;
        if (cgroup) {
                /* "/sys/fs/cgroup/memory" → "<root>/memory<cgroup_path>" when it exists */
                const char *name = strrchr(key, '/');
                name = name ? name + 1 : key;
                if (!*name || streq(name, "..") || streq(name, "."))
                        return -EINVAL;
                char *p = NULL;
                if (asprintf(&p, "%s/%s%s", cgroup_root ? cgroup_root : "/sys/fs/cgroup", name,
                             cgroup_path ? cgroup_path : "") < 0)
                        return -ENOMEM;
                if (cgroup_path && access(p, F_OK) < 0) {
                        free(p);
                        if (asprintf(&p, "%s/%s", cgroup_root ? cgroup_root : "/sys/fs/cgroup",
                                     name) < 0)
                                return -ENOMEM;
                }
                *ret = p;
                return 0;
        }
        /* the last mount at key wins, as it covers the earlier ones */
        const char *src = NULL;
        for (size_t i = 0; i < s->n_mounts; i++)
                if (mount_is_bind(&s->mounts[i]) && s->mounts[i].source &&
                    path_equal(s->mounts[i].destination, key))
                        src = s->mounts[i].source;
        if (!src)
                for (char **p = s->linux_.masked_paths; p && *p; p++)
                        if (path_equal(*p, key))
                                src = "/dev/null";
        if (!src)
                return -ENOENT;
        *ret = strdup(src);
        return *ret ? 0 : -ENOMEM;
}

struct ext_mounts {
        const struct container_state *st;
        json_t *a;
};

static int ext_mount_cb(const struct mountinfo *mi, void *userdata)
{
        struct ext_mounts *x = userdata;
        const char *mp = mi->mountpoint, *fstype = mi->fstype;
        bool cg = streq(fstype, "cgroup") || streq(fstype, "cgroup2");
        _cleanup_free_ char *src = NULL;
        if (!cg && (streq(fstype, "tmpfs") || streq(fstype, "proc") || streq(fstype, "sysfs") ||
                    runtime_criu_mount_source(x->st->spec, mp, NULL, NULL, false, &src) < 0))
                return 0;
        /* a key once: criu takes the last mount of a mountpoint */
        size_t i;
        json_t *v;
        json_array_foreach(x->a, i, v)
                if (streq_ptr(json_string_value(json_object_get(v, "key")), mp))
                        return 0;
        return json_array_append_new(x->a, json_pack("{s:s, s:b}", "key", mp, "cgroup", cg)) < 0
                       ? -ENOMEM
                       : 0;
}

/* The external mounts of a running container: every bind of the spec, the masked files and
 * the cgroup hierarchies, as they appear in the init's mountinfo.  {"key","cgroup"} array. */
static json_t *external_mounts(const struct container_state *st)
{
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/mountinfo", (int) st->pid);
        struct ext_mounts x = { .st = st, .a = json_array() };
        if (!x.a || mountinfo_foreach(path, ext_mount_cb, &x) < 0) {
                json_decref(x.a);
                return NULL;
        }
        return x.a;
}

/* criu's keys for fds 0..2 of the init: "pipe:[N]" for a pipe, "file[MNT:INO]" (hex) for a
 * file opened outside the container (the monitor's /dev/null), "" for anything else (a tty). */
static json_t *stdio_keys(pid_t pid)
{
        json_t *a = json_array();
        for (int i = 0; a && i < 3; i++) {
                char p[64], buf[PATH_MAX], key[128] = "";
                snprintf(p, sizeof p, "/proc/%d/fd/%d", (int) pid, i);
                ssize_t n = readlink(p, buf, sizeof buf - 1);
                buf[n > 0 ? n : 0] = '\0';
                struct stat sb;
                if (strncmp(buf, "pipe:[", 6) == 0) {
                        snprintf(key, sizeof key, "%.100s", buf);
                } else if (buf[0] == '/' && strncmp(buf, "/dev/pts/", 9) != 0 && stat(p, &sb) == 0) {
                        char info[64];
                        _cleanup_free_ char *text = NULL;
                        snprintf(info, sizeof info, "/proc/%d/fdinfo/%d", (int) pid, i);
                        const char *m = read_full_file_at(AT_FDCWD, info, &text, NULL) >= 0
                                                ? strstr(text, "mnt_id:")
                                                : NULL;
                        unsigned mnt = 0;
                        if (m && sscanf(m + 7, "%u", &mnt) == 1)
                                snprintf(key, sizeof key, "file[%x:%llx]", mnt,
                                         (unsigned long long) sb.st_ino);
                }
                json_array_append_new(a, json_string(key));
        }
        return a;
}

/* Runs criu with argv; stdio on /dev/null unless fds given (0..2 of the child), keep: one
 * more fd kept open at its number (-1: none).  cg: the child joins it before exec.  Returns
 * criu's exit code, or -errno. */
static int run_criu(char **argv, const int stdio[3], int keep, struct cgroup *cg,
                    struct cu_error **err)
{
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0)
                return cu_error_set(err, errno, "fork");
        if (pid == 0) {
                if (cg && cgroup_add_pid(cg, getpid(), NULL) < 0)
                        _exit(126);
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                for (int i = 0; i < 3; i++) {
                        int fd = stdio && stdio[i] >= 0 ? stdio[i] : null;
                        if (fd == i)
                                (void) fcntl(i, F_SETFD, 0);
                        else if (fd >= 0)
                                (void) dup2(fd, i);
                }
                if (keep >= 0)
                        (void) fcntl(keep, F_SETFD, 0);
                sigset_t none;
                sigemptyset(&none);
                (void) sigprocmask(SIG_SETMASK, &none, NULL);
                execv(argv[0], argv);
                _exit(127);
        }
        return wait_for_pid(pid);
}

/* The first "Error" line of criu's log, for the message. */
static char *criu_log_error(const char *path)
{
        _cleanup_free_ char *text = NULL;
        if (read_full_file_at(AT_FDCWD, path, &text, NULL) < 0)
                return NULL;
        char *last = NULL;
        for (char *l = text, *next; l && *l; l = next) {
                next = strchr(l, '\n');
                if (next)
                        *next++ = '\0';
                /* the first error is the cause; criu warns of rlimits it cannot raise */
                if (!last && strstr(l, "Error") && !strstr(l, "rlimit"))
                        last = l;
        }
        return last ? strdup(last) : NULL;
}

static int criu_failed(const char *verb, int code, const char *work, const char *log,
                       struct cu_error **err)
{
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/%s", work, log) < 0)
                return cu_error_set(err, ENOMEM, "asprintf");
        _cleanup_free_ char *line = criu_log_error(path);
        if (code == 127)
                return cu_error_setx(err, ENOENT, "criu could not be executed");
        return cu_error_setx(err, EIO, "criu failed: type %s (exit status %d)%s%s, log file: %s",
                             verb, code, line ? ": " : "", line ? line : "", path);
}

static int push(char ***a, const char *s)
{
        return strv_extend(a, s);
}

/* "X:Y" */
static int pushf(char ***a, const char *x, const char *y)
{
        char *s = NULL;
        if (asprintf(&s, "%s:%s", x, y) < 0)
                return -ENOMEM;
        int r = strv_extend(a, s);
        free(s);
        return r;
}

int runtime_checkpoint(const struct runtime_ctx *ctx, const char *id,
                       const struct runtime_checkpoint_opts *o, struct cu_error **err)
{
        _cleanup_free_ char *criu = o->criu ? strdup(o->criu) : runtime_criu_path();
        if (!criu)
                return cu_error_setx(err, ENOENT, "checkpoint/restore requires at least CRIU 31100");
        _cleanup_(container_state_freep) struct container_state *st = NULL;
        int r = container_state_load(ctx, id, &st, err);
        if (r < 0)
                return r;
        enum container_status status = container_status(st);
        if (status != STATUS_RUNNING)
                return cu_error_setx(err, EINVAL, "container %s is not running", id);
        const char *work = o->work_path ? o->work_path : o->image_path;
        r = mkdir_p(o->image_path, 0700);
        if (r >= 0)
                r = mkdir_p(work, 0700);
        if (r < 0)
                return cu_error_set(err, -r, "creating %s", o->image_path);

        char pid[32];
        snprintf(pid, sizeof pid, "%d", (int) st->pid);
        _cleanup_strv_ char **a = NULL;
        const char *logname = o->pre_dump ? "pre-dump.log" : "dump.log";
        r = 0;
        r |= push(&a, criu);
        r |= push(&a, o->pre_dump ? "pre-dump" : "dump");
        const char *fixed[] = { "--tree", pid, "--root", st->rootfs, "--images-dir", o->image_path,
                                "--work-dir", work, "-o", logname, "-v4", "--manage-cgroups",
                                NULL };
        for (const char **p = fixed; *p; p++)
                r |= push(&a, *p);
        if (o->tcp_established)
                r |= push(&a, "--tcp-established");
        if (o->file_locks)
                r |= push(&a, "--file-locks");
        if (o->leave_running && !o->pre_dump)
                r |= push(&a, "--leave-running");
        if (o->pre_dump || o->parent_path)
                r |= push(&a, "--track-mem");
        if (o->parent_path) {
                r |= push(&a, "--prev-images-dir");
                r |= push(&a, o->parent_path);
        }
        if (st->spec->process && st->spec->process->terminal)
                r |= push(&a, "--shell-job");
        _cleanup_json_ json_t *mounts = external_mounts(st);
        size_t i;
        json_t *v;
        json_array_foreach(mounts, i, v) {
                const char *key = json_string_value(json_object_get(v, "key"));
                r |= push(&a, "--ext-mount-map");
                r |= pushf(&a, key, key);
        }
        bool netns = false;
        const struct oci_namespace *ns = oci_spec_namespace(st->spec, OCI_NS_NETWORK);
        if (ns && ns->path) {
                struct stat sb;
                char nsl[64];
                snprintf(nsl, sizeof nsl, "/proc/%d/ns/net", (int) st->pid);
                if (stat(nsl, &sb) < 0)
                        return cu_error_set(err, errno, "stat %s", nsl);
                char ino[32];
                snprintf(ino, sizeof ino, "%llu", (unsigned long long) sb.st_ino);
                r |= push(&a, "--external");
                char nk[64];
                snprintf(nk, sizeof nk, "net[%s]", ino);
                r |= pushf(&a, nk, NETNS_KEY);
                netns = true;
        }
        _cleanup_json_ json_t *stdio = stdio_keys(st->pid);
        json_array_foreach(stdio, i, v) {
                const char *key = json_string_value(v);
                if (key && strncmp(key, "file[", 5) == 0) {
                        r |= push(&a, "--external");
                        r |= push(&a, key);
                }
        }
        if (r < 0)
                return cu_error_set(err, ENOMEM, "criu command line");
        if (!o->pre_dump) {
                _cleanup_json_ json_t *meta = json_pack("{s:O, s:O, s:b}", "mounts", mounts,
                                                        "stdio", stdio, "netns", netns);
                _cleanup_free_ char *mp = NULL;
                if (!meta || asprintf(&mp, "%s/%s", o->image_path, CRIU_META) < 0)
                        return cu_error_set(err, ENOMEM, "checkpoint metadata");
                r = json_write_file_atomic(meta, mp, 0600, err);
                if (r < 0)
                        return r;
        }
        log_debug("checkpoint: %s", a[0]);
        int code = run_criu(a, NULL, -1, NULL, err);
        if (code < 0)
                return code;
        if (code != 0)
                return criu_failed(o->pre_dump ? "PRE-DUMP" : "DUMP", code, work, logname, err);
        return 0;
}

/* criu's restore command line from the dump's metadata and the current spec. */
static int restore_argv(const char *criu, const struct container_state *st, json_t *meta,
                        const struct runtime_restore_opts *o, const char *pidfile, int netns_fd,
                        const int stdio[3], char ***ret, struct cu_error **err)
{
        const char *work = o->work_path ? o->work_path : o->image_path;
        _cleanup_strv_ char **a = NULL;
        int r = 0;
        const char *fixed[] = { criu, "restore", "--restore-detached", "--restore-sibling",
                                "--root", st->rootfs, "--images-dir", o->image_path, "--work-dir",
                                work, "-o", "restore.log", "-v4", "--pidfile", pidfile,
                                "--manage-cgroups=ignore", NULL };
        for (const char **p = fixed; *p; p++)
                r |= push(&a, *p);
        if (o->tcp_established)
                r |= push(&a, "--tcp-established");
        if (o->file_locks)
                r |= push(&a, "--file-locks");
        if (st->spec->process && st->spec->process->terminal)
                r |= push(&a, "--shell-job");
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(meta, "mounts"), i, v) {
                const char *key = json_string_value(json_object_get(v, "key"));
                bool cg = json_is_true(json_object_get(v, "cgroup"));
                if (!key)
                        continue;
                _cleanup_free_ char *src = NULL;
                int k = runtime_criu_mount_source(st->spec, key, st->cgroup_root, st->cgroup_path,
                                                  cg, &src);
                if (k < 0)
                        return cu_error_setx(err, ENOENT,
                                             "restoring: the checkpoint's mount %s is not in the container's configuration",
                                             key);
                r |= push(&a, "--ext-mount-map");
                r |= pushf(&a, key, src);
        }
        if (json_is_true(json_object_get(meta, "netns"))) {
                if (netns_fd < 0)
                        return cu_error_setx(err, EINVAL,
                                             "restoring: the checkpoint joined a network namespace, the container has none to join");
                char fd[32];
                snprintf(fd, sizeof fd, "%d", netns_fd);
                r |= push(&a, "--inherit-fd");
                char fk[64];
                snprintf(fk, sizeof fk, "fd[%s]", fd);
                r |= pushf(&a, fk, NETNS_KEY);
        }
        json_array_foreach(json_object_get(meta, "stdio"), i, v) {
                const char *link = json_string_value(v);
                if (i > 2 || !link || !*link || !stdio || stdio[i] < 0)
                        continue;
                char fd[32];
                snprintf(fd, sizeof fd, "%zu", i);
                r |= push(&a, "--inherit-fd");
                char fk[64];
                snprintf(fk, sizeof fk, "fd[%s]", fd);
                r |= pushf(&a, fk, link);
        }
        if (r < 0)
                return cu_error_set(err, ENOMEM, "criu command line");
        *ret = TAKE_PTR(a);
        return 0;
}

/* Whether path lies at or below one of the spec's tmpfs mounts (criu restores those whole). */
static bool under_tmpfs(const struct oci_spec *s, const char *path)
{
        for (size_t i = 0; i < s->n_mounts; i++) {
                const char *d = s->mounts[i].destination;
                size_t n = d ? strlen(d) : 0;
                if (!streq_ptr(s->mounts[i].type, "tmpfs") || n == 0)
                        continue;
                while (n > 1 && d[n - 1] == '/')
                        n--;
                if (strncmp(path, d, n) == 0 && (path[n] == '/' || path[n] == '\0'))
                        return true;
        }
        return false;
}

/* The mountpoints criu mounts on, made in the root as runc does: an imported checkpoint's
 * root has only the files of its image and of the archive's diff. */
static void make_mountpoints(const struct container_state *st)
{
        _cleanup_close_ int root = open(st->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return;
        for (size_t i = 0; i < st->spec->n_mounts; i++) {
                const struct oci_mount *m = &st->spec->mounts[i];
                if (!m->destination || under_tmpfs(st->spec, m->destination))
                        continue;
                struct stat sb;
                bool dir = !mount_is_bind(m) || !m->source || stat(m->source, &sb) < 0 ||
                           S_ISDIR(sb.st_mode);
                int r = ensure_path_in_root(root, m->destination, dir, dir ? 0755 : 0644);
                if (r < 0)
                        log_debug("restore: mountpoint %s: %s", m->destination, strerror(-r));
                else
                        safe_close(r);
        }
}

static int restore_in_dir(const struct runtime_ctx *ctx, struct container_state *st,
                          const char *text, const struct runtime_restore_opts *o,
                          struct cgroup **cgp, struct cu_error **err)
{
        _cleanup_free_ char *criu = o->criu ? strdup(o->criu) : runtime_criu_path();
        if (!criu)
                return cu_error_setx(err, ENOENT, "checkpoint/restore requires at least CRIU 31100");
        _cleanup_free_ char *cfg = NULL, *mp = NULL, *pidfile = NULL;
        if (asprintf(&cfg, "%s/%s", st->dir, CONFIG_COPY) < 0 ||
            asprintf(&mp, "%s/%s", o->image_path, CRIU_META) < 0 ||
            asprintf(&pidfile, "%s/restore.pid", st->dir) < 0)
                return cu_error_set(err, ENOMEM, "asprintf");
        int r = write_file_atomic(cfg, text, strlen(text), 0600, err);
        if (r < 0)
                return r;
        _cleanup_json_ json_t *meta = json_load_path(mp, err);
        if (!meta)
                return cu_error_prefix(err, -ENOENT, "restoring");
        r = container_state_cgroup(ctx, st, st->spec, cgp, err);
        if (r < 0)
                return r;
        struct cgroup *cg = *cgp;
        r = cgroup_enter(cg, &st->spec->linux_.resources, 0, err);
        if (r < 0)
                return cu_error_prefix(err, r, "cgroup");
        _cleanup_close_ int netns = -EBADF;
        const struct oci_namespace *ns = oci_spec_namespace(st->spec, OCI_NS_NETWORK);
        if (ns && ns->path) {
                netns = open(ns->path, O_RDONLY | O_CLOEXEC);
                if (netns < 0)
                        return cu_error_set(err, errno, "opening network namespace %s", ns->path);
                /* above the stdio numbers the child dup2()s to */
                if (netns < 3) {
                        int hi = fcntl(netns, F_DUPFD_CLOEXEC, 3);
                        safe_close(netns);
                        netns = hi;
                }
        }
        make_mountpoints(st);
        _cleanup_strv_ char **a = NULL;
        r = restore_argv(criu, st, meta, o, pidfile, netns, o->stdio, &a, err);
        if (r < 0)
                return r;
        log_debug("restore: %s", a[0]);
        int code = run_criu(a, o->stdio, netns, cg, err);
        if (code < 0)
                return code;
        const char *work = o->work_path ? o->work_path : o->image_path;
        if (code != 0)
                return criu_failed("RESTORE", code, work, "restore.log", err);
        _cleanup_free_ char *ptext = NULL;
        r = read_full_file(pidfile, &ptext, NULL, err);
        if (r < 0)
                return r;
        ptext[strcspn(ptext, "\n")] = '\0';
        int pid = 0;
        if (safe_atoi(ptext, &pid) < 0 || pid <= 0)
                return cu_error_setx(err, EINVAL, "bad pid \"%s\" from criu", ptext);
        st->pid = pid;
        r = proc_start_time(pid, &st->pid_start_time);
        if (r < 0)
                return cu_error_set(err, -r, "the restored container exited unexpectedly");
        r = container_state_save(st, err);
        if (r < 0)
                return r;
        if (o->pid_file)
                return write_pid_file(o->pid_file, pid, err);
        return 0;
}

int runtime_restore(const struct runtime_ctx *ctx, const char *id,
                    const struct runtime_restore_opts *o, pid_t *ret_pid, struct cu_error **err)
{
        _cleanup_(container_state_freep) struct container_state *st = calloc(1, sizeof(*st));
        if (!st)
                return cu_error_set(err, ENOMEM, "calloc");
        int r = container_state_dir(ctx, id, &st->dir, err);
        if (r < 0)
                return r;
        st->id = strdup(id);
        char bundle[PATH_MAX];
        if (!realpath(o->bundle ? o->bundle : ".", bundle))
                return cu_error_set(err, errno, "bundle %s", o->bundle ? o->bundle : ".");
        st->bundle = strdup(bundle);
        _cleanup_free_ char *cfg = NULL, *text = NULL;
        if (!st->id || !st->bundle || asprintf(&cfg, "%s/config.json", bundle) < 0)
                return cu_error_set(err, ENOMEM, "strdup");
        size_t len = 0;
        r = read_full_file(cfg, &text, &len, err);
        if (r < 0)
                return r;
        st->spec = oci_spec_parse_data(text, len, cfg, err);
        if (!st->spec)
                return -EINVAL;
        if (!st->spec->has_root || !st->spec->root.path || st->spec->root.path[0] != '/')
                return cu_error_setx(err, EINVAL, "%s: root.path: an absolute path is required to restore",
                                     cfg);
        char rootfs[PATH_MAX];
        if (!realpath(st->spec->root.path, rootfs))
                return cu_error_set(err, errno, "root.path: %s", st->spec->root.path);
        st->rootfs = strdup(rootfs);
        if (!st->rootfs)
                return cu_error_set(err, ENOMEM, "strdup");
        r = container_state_dir_make(ctx, st, id, err);
        if (r < 0)
                return r;
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        r = restore_in_dir(ctx, st, text, o, &cg, err);
        if (r < 0) {
                if (st->pid > 0)
                        (void) kill(st->pid, SIGKILL);
                if (cg) {
                        (void) cgroup_kill_all(cg, SIGKILL, NULL);
                        (void) cgroup_destroy(cg, NULL);
                }
                (void) rm_rf(st->dir);
                return r;
        }
        if (ret_pid)
                *ret_pid = st->pid;
        return 0;
}
