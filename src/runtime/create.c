/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * create / start / run: the runtime's side of a new container.
 *
 *   runtime ──fork──▶ stage 1: join/unshare namespaces ──clone(CLONE_PARENT)──▶ init
 *   runtime ◀─ SYNC_USERMAP (write maps) ─ stage 1
 *   runtime ◀─ SYNC_PID ─ stage 1 (exits)
 *   runtime: cgroup, state file ── SYNC_CGROUP_ACK(state) ──▶ init: rootfs
 *   runtime ◀─ SYNC_HOOKS ─ init; prestart/createRuntime hooks ── SYNC_HOOKS_ACK ──▶ init
 *   runtime ◀─ SYNC_READY ─ init: pivot_root, console, … then blocks on exec.fifo
 *
 * `start` opens exec.fifo; the init reads it, and execs the process.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "hooks.h"
#include "init.h"
#include "namespaces.h"
#include "seccomp-filter.h"
#include "runtime-internal.h"
#include "sync.h"
#include "util/fd.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/log.h"
#include "util/proc.h"
#include "wait.h"

static char *now_rfc3339(void)
{
        struct timespec ts;
        struct tm tm;
        char buf[64], *ret = NULL;
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
        if (asprintf(&ret, "%s.%09ldZ", buf, ts.tv_nsec) < 0)
                return NULL;
        return ret;
}

int container_state_cgroup(const struct runtime_ctx *ctx, struct container_state *st,
                           const struct oci_spec *s, struct cgroup **cgp, struct cu_error **err)
{
        int r = cgroup_new(ctx->cgroup_root, 0, s->linux_.cgroups_path, st->id, ctx->systemd_cgroup,
                           cgp, err);
        if (r < 0)
                return r;
        st->cgroup_version = (*cgp)->version;
        st->cgroup_root = strdup((*cgp)->root);
        st->cgroup_path = strdup((*cgp)->path);
        st->created = now_rfc3339();
        if (!st->cgroup_root || !st->cgroup_path || !st->created)
                return cu_error_set(err, ENOMEM, "strdup");
        return 0;
}

int container_state_dir_make(const struct runtime_ctx *ctx, const struct container_state *st,
                             const char *id, struct cu_error **err)
{
        const char *root = ctx->state_root ? ctx->state_root : runtime_default_root();
        int r = mkdir_p(root, 0711);
        if (r < 0)
                return cu_error_set(err, -r, "creating state root %s", root);
        if (mkdir(st->dir, 0700) < 0) {
                if (errno == EEXIST)
                        return cu_error_setx(err, EEXIST, "container with id \"%s\" already exists",
                                             id);
                return cu_error_set(err, errno, "creating %s", st->dir);
        }
        return 0;
}

int write_pid_file(const char *path, pid_t pid, struct cu_error **err)
{
        char buf[32];
        int n = snprintf(buf, sizeof buf, "%d", (int) pid);
        return write_file_atomic(path, buf, (size_t) n, 0644, err);
}

/* Loads and checks config.json; keeps its text for the state dir copy. */
static int load_bundle(const char *bundle_arg, char **ret_bundle, char **ret_rootfs,
                       char **ret_text, struct oci_spec **ret_spec, struct cu_error **err)
{
        char bundle[PATH_MAX];
        if (!realpath(bundle_arg ? bundle_arg : ".", bundle))
                return cu_error_set(err, errno, "bundle %s", bundle_arg ? bundle_arg : ".");
        _cleanup_free_ char *cfg = NULL, *text = NULL;
        size_t len = 0;
        if (asprintf(&cfg, "%s/config.json", bundle) < 0)
                return cu_error_set(err, ENOMEM, "asprintf");
        int r = read_full_file(cfg, &text, &len, err);
        if (r < 0)
                return r;
        _cleanup_(oci_spec_freep) struct oci_spec *s = oci_spec_parse_data(text, len, cfg, err);
        if (!s)
                return -EINVAL;
        if (!s->process)
                return cu_error_setx(err, EINVAL, "%s: process: required", cfg);
        if (!s->process->args || !s->process->args[0])
                return cu_error_setx(err, EINVAL, "%s: process.args: must not be empty", cfg);
        if (!s->has_root || !s->root.path)
                return cu_error_setx(err, EINVAL, "%s: root.path: required", cfg);

        _cleanup_free_ char *root = NULL;
        if (s->root.path[0] == '/')
                root = strdup(s->root.path);
        else if (asprintf(&root, "%s/%s", bundle, s->root.path) < 0)
                root = NULL;
        if (!root)
                return cu_error_set(err, ENOMEM, "asprintf");
        char rootfs[PATH_MAX];
        if (!realpath(root, rootfs))
                return cu_error_set(err, errno, "root.path: %s", root);
        struct stat st;
        if (stat(rootfs, &st) < 0 || !S_ISDIR(st.st_mode))
                return cu_error_setx(err, ENOTDIR, "root.path: %s: not a directory", rootfs);

        *ret_bundle = strdup(bundle);
        *ret_rootfs = strdup(rootfs);
        if (!*ret_bundle || !*ret_rootfs)
                return cu_error_set(err, ENOMEM, "strdup");
        *ret_text = TAKE_PTR(text);
        *ret_spec = TAKE_PTR(s);
        return 0;
}

struct create_result {
        pid_t pid;
        int console_master; /* when the caller asked for an internal console */
};

/* Kills and reaps the init, removes cgroup and state dir: the undo of a failed create. */
static void create_rollback(struct container_state *st, struct cgroup *cg)
{
        if (st->pid > 0) {
                (void) kill(st->pid, SIGKILL);
                (void) wait_for_pid(st->pid);
        }
        if (cg) {
                (void) cgroup_kill_all(cg, SIGKILL, NULL);
                (void) cgroup_destroy(cg, NULL);
        }
        /* runtime.md lifecycle: a failed create still ends with the poststop hooks. */
        if (st->created)
                container_hooks_warn(st, OCI_HOOK_POSTSTOP, STATUS_STOPPED);
        (void) rm_rf(st->dir);
}

/* The runtime's half of the create protocol, once stage 1 runs. */
/* The direct path: the init was cloned straight into its namespaces. */
static int enter_cgroup(const struct oci_spec *s, struct cgroup *cg, pid_t init,
                               struct cu_error **err)
{
        /* Always with resources (zeroed when absent): that installs the device policy. */
        int r = cgroup_enter(cg, &s->linux_.resources, init, err);
        if (r < 0)
                return cu_error_prefix(err, r, "cgroup");
        return 0;
}

/* After a failed send to stage 1: it has most likely sent its reason first. */
static int stage1_failure(int sync, pid_t stage1, int r, struct cu_error **err)
{
        struct sync_msg m;
        if (recv(sync, &m, sizeof m, MSG_DONTWAIT) > 0 && m.type == SYNC_ERROR) {
                (void) wait_for_pid(stage1);
                m.text[sizeof m.text - 1] = '\0';
                return cu_error_setx(err, m.errnum ? m.errnum : EIO, "%s", m.text);
        }
        int code = wait_for_pid(stage1);
        return cu_error_setx(err, -r, "container setup exited unexpectedly (status %d)", code);
}

static int create_parent(struct container_state *st, struct cgroup *cg, pid_t stage1,
                         bool direct, int sync, struct cu_error **err)
{
        const struct oci_spec *s = st->spec;
        int r;
        pid_t init = stage1;
        if (direct) {
                /* The cgroup was made before the clone; the init mounts meanwhile. */
                r = cgroup_add_pid(cg, init, err);
                if (r < 0)
                        return cu_error_prefix(err, r, "cgroup");
                goto in_cgroup;
        }
        bool new_user = false;
        if (ns_has(s, OCI_NS_USER, &new_user) && new_user) {
                r = sync_expect(sync, SYNC_USERMAP, NULL, "container setup", err);
                if (r < 0)
                        return r;
                r = userns_write_maps(stage1, &s->linux_, err);
                if (r < 0)
                        return r;
                r = sync_send(sync, SYNC_USERMAP_ACK, 0);
                if (r < 0)
                        return stage1_failure(sync, stage1, r, err);
        }
        /* While stage 1 creates the namespaces, we make the cgroup and put stage 1 in it:
         * the init it forks next is born there. */
        r = enter_cgroup(s, cg, stage1, err);
        if (r < 0)
                return r;
        log_debug("create: cgroup ready");
        r = sync_send(sync, SYNC_CGROUP_ACK, 0);
        if (r < 0)
                return stage1_failure(sync, stage1, r, err);
        int pid = 0;
        r = sync_expect(sync, SYNC_PID, &pid, "container setup", err);
        (void) wait_for_pid(stage1);
        if (r < 0)
                return r;
        init = pid;
in_cgroup:
        st->pid = init;
        log_debug("create: init is pid %d", (int) init);

        r = proc_start_time(init, &st->pid_start_time);
        if (r < 0)
                return cu_error_set(err, -r, "container init exited unexpectedly");
        _cleanup_free_ char *creating = container_state_text(st, STATUS_CREATING);
        if (!creating)
                return cu_error_set(err, ENOMEM, "state");
        struct sync_msg ack = { .type = SYNC_CGROUP_ACK };
        snprintf(ack.text, sizeof ack.text, "%s", creating);
        if (send(sync, &ack, sizeof ack, MSG_NOSIGNAL) < 0)
                return stage1_failure(sync, init, -errno, err);
        /* The state file is written while the init sets up its root filesystem. */
        r = container_state_save(st, err);
        if (r < 0)
                return r;

        for (;;) {
                struct sync_msg m;
                _cleanup_close_ int passed = -EBADF;
                r = sync_recv_fd(sync, &m, &passed);
                if (r == -EPIPE)
                        return cu_error_setx(err, EIO, "container init exited unexpectedly");
                if (r < 0)
                        return cu_error_set(err, -r, "reading from container init");
                if (m.type == SYNC_ERROR)
                        return cu_error_setx(err, m.errnum ? m.errnum : EIO, "%s", m.text);
                if (m.type == SYNC_READY) {
                        log_debug("create: init ready");
                        _cleanup_free_ char *mark = NULL;
                        if (asprintf(&mark, "%s/%s", st->dir, CREATING_MARK) >= 0)
                                (void) unlink(mark);
                        return 0;
                }
                if (m.type == SYNC_SECCOMP_FD && passed >= 0) {
                        r = seccomp_send_listener(s->linux_.seccomp, passed, init, creating, err);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (m.type != SYNC_HOOKS)
                        return cu_error_setx(err, EPROTO, "unexpected message %d from init",
                                             m.type);
                for (int k = OCI_HOOK_PRESTART; k <= OCI_HOOK_CREATE_RUNTIME; k++) {
                        r = hooks_run(s->hooks.hooks[k], s->hooks.n_hooks[k],
                                      oci_hook_kind_names[k], creating, err);
                        if (r < 0)
                                return r;
                }
                sync_send(sync, SYNC_HOOKS_ACK, 0);
        }
}

/* Everything of create that happens inside the new state dir; the caller rolls back. */
static int create_in_dir(const struct runtime_ctx *ctx, struct container_state *st,
                         const char *text, const struct runtime_create_opts *o, int console_pair,
                         struct cgroup **cgp, struct cu_error **err)
{
        const struct oci_spec *s = st->spec;
        int r;
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/%s", st->dir, CONFIG_COPY) < 0)
                return cu_error_set(err, ENOMEM, "asprintf");
        r = write_file_atomic(path, text, strlen(text), 0600, err);
        if (r < 0)
                return r;
        free(path);
        if (asprintf(&path, "%s/%s", st->dir, CREATING_MARK) < 0)
                return cu_error_set(err, ENOMEM, "asprintf");
        _cleanup_close_ int mark = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
        if (mark < 0)
                return cu_error_set(err, errno, "creating %s", path);
        free(path);
        if (asprintf(&path, "%s/%s", st->dir, EXEC_FIFO) < 0)
                return cu_error_set(err, ENOMEM, "asprintf");
        /* 0622: the init may have dropped to another uid by the time it opens it; with a
         * user namespace it belongs to the container's root. */
        if (mkfifo(path, 0600) < 0 || chmod(path, 0622) < 0)
                return cu_error_set(err, errno, "creating %s", path);
        for (size_t i = 0; i < s->linux_.n_uid_mappings; i++) {
                const struct oci_idmap *u = &s->linux_.uid_mappings[i];
                if (u->container_id != 0)
                        continue;
                gid_t gid = 0;
                for (size_t j = 0; j < s->linux_.n_gid_mappings; j++)
                        if (s->linux_.gid_mappings[j].container_id == 0)
                                gid = s->linux_.gid_mappings[j].host_id;
                if (chown(path, u->host_id, gid) < 0)
                        return cu_error_set(err, errno, "chown %s", path);
        }
        _cleanup_close_ int fifo = open(path, O_PATH | O_CLOEXEC);
        if (fifo < 0)
                return cu_error_set(err, errno, "opening %s", path);

        _cleanup_close_ int console = -EBADF;
        if (s->process->terminal) {
                if (console_pair >= 0) {
                        console = fcntl(console_pair, F_DUPFD_CLOEXEC, 3);
                } else if (o->console_socket) {
                        console = unix_connect(o->console_socket);
                        if (console < 0)
                                return cu_error_set(err, -console,
                                                    "connecting to console socket %s",
                                                    o->console_socket);
                } else {
                        return cu_error_setx(err, EINVAL,
                                             "cannot allocate tty if the runtime will detach "
                                             "without setting console socket");
                }
        }

        r = container_state_cgroup(ctx, st, s, cgp, err);
        if (r < 0)
                return r;
        struct cgroup *cg = *cgp;

        int sp[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
                return cu_error_set(err, errno, "socketpair");
        struct init_args args = {
                .spec = s,
                .bundle = st->bundle,
                .rootfs = st->rootfs,
                .cgroup_path = st->cgroup_path,
                .sync_fd = sp[1],
                .fifo_fd = fifo,
                .console_fd = console,
                .no_pivot = o->no_pivot,
                .preserve_fds = o->preserve_fds,
                .rootfs_fd = -1,
        };
        /* Compiled (or read from the cache) here, so the init only loads it; a profile that
         * cannot be built is left for the init to report, as it always did. */
        if (s->linux_.seccomp) {
                const char *root = ctx->state_root ? ctx->state_root : runtime_default_root();
                if (seccomp_prepare(s->linux_.seccomp, root, NULL) < 0)
                        log_debug("create: seccomp profile not prepared");
        }
        log_debug("create: forking");
        fflush(NULL);
        /* Without user/time namespaces or joined paths the init is cloned straight into
         * its namespaces; otherwise stage 1 prepares them and clones it as our child. */
        int direct_flags = ns_direct_clone_flags(s);
        if (direct_flags >= 0) {
                /* Made (with its limits) before the clone, so the init finds its cgroup
                 * directories when it mounts them and need not wait for us to start. */
                r = enter_cgroup(s, cg, 0, err);
                if (r < 0) {
                        close(sp[0]);
                        close(sp[1]);
                        return r;
                }
        }
        pid_t stage1 = direct_flags >= 0 ? ns_clone(direct_flags) : fork();
        if (stage1 < 0) {
                r = -errno;
                close(sp[0]);
                close(sp[1]);
                return cu_error_set(err, -r, "fork");
        }
        if (stage1 == 0) {
                close(sp[0]);
                if (direct_flags < 0)
                        ns_stage1(s, st->bundle, st->rootfs, sp[1], &args.rootfs_fd,
                                  &args.src_fds);
                /* Now the init; it takes the cgroup ack (with the state JSON for hooks)
                 * once it needs to be in its cgroup. */
                container_init(&args);
        }
        close(sp[1]);
        _cleanup_close_ int sync = sp[0];
        r = create_parent(st, cg, stage1, direct_flags >= 0, sync, err);
        if (r < 0)
                return r;
        if (o->pid_file)
                return write_pid_file(o->pid_file, st->pid, err);
        return 0;
}

/* console_pair: when >= 0, the console socket to hand to the init (run's own). */
static int do_create(const struct runtime_ctx *ctx, const char *id,
                     const struct runtime_create_opts *o, int console_pair,
                     struct container_state **ret_state, struct cu_error **err)
{
        int r;
        _cleanup_(container_state_freep) struct container_state *st = calloc(1, sizeof(*st));
        if (!st)
                return cu_error_set(err, ENOMEM, "calloc");
        r = container_state_dir(ctx, id, &st->dir, err);
        if (r < 0)
                return r;
        st->id = strdup(id);
        if (!st->id)
                return cu_error_set(err, ENOMEM, "strdup");

        _cleanup_free_ char *text = NULL;
        r = load_bundle(o->bundle, &st->bundle, &st->rootfs, &text, &st->spec, err);
        if (r < 0)
                return r;

        r = container_state_dir_make(ctx, st, id, err);
        if (r < 0)
                return r;
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        r = create_in_dir(ctx, st, text, o, console_pair, &cg, err);
        if (r < 0) {
                create_rollback(st, cg);
                return r;
        }
        *ret_state = TAKE_PTR(st);
        return 0;
}

int runtime_create(const struct runtime_ctx *ctx, const char *id,
                   const struct runtime_create_opts *o, pid_t *ret_pid, struct cu_error **err)
{
        _cleanup_(container_state_freep) struct container_state *st = NULL;
        int r = do_create(ctx, id, o, -1, &st, err);
        if (r >= 0 && ret_pid)
                *ret_pid = st->pid;
        return r;
}

/* Opens the exec fifo and waits for the init: its "0" says it is released; then EOF
 * (its write end closes at execve) means the process runs, and text is its error
 * (a startContainer hook, seccomp, execve). */
static int release_init(const struct container_state *st, struct cu_error **err)
{
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/%s", st->dir, EXEC_FIFO) < 0)
                return cu_error_set(err, ENOMEM, "asprintf");
        _cleanup_close_ int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return cu_error_set(err, errno, "opening %s", path);
        char buf[3072];
        size_t len = 0;
        bool released = false;
        for (;;) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                int n = poll(&p, 1, 100);
                if (n < 0 && errno != EINTR)
                        return cu_error_set(err, errno, "waiting for the container");
                if (n > 0) {
                        ssize_t k = read(fd, buf + len, sizeof buf - 1 - len);
                        if (k > 0) {
                                len += (size_t) k;
                                if (!released) {
                                        released = true;
                                        (void) unlink(path); /* from now on: running */
                                }
                                if (len < sizeof buf - 1)
                                        continue;
                        }
                        if (k == 0 && released)
                                break; /* EOF after the release: execve happened or it died */
                        if (k < 0 && errno != EAGAIN && errno != EINTR)
                                return cu_error_set(err, errno, "reading %s", path);
                }
                if (!container_pid_alive(st)) {
                        if (!released)
                                return cu_error_setx(err, ESRCH,
                                                     "container init exited before start");
                        break;
                }
        }
        buf[len] = '\0';
        if (len > 1)
                return cu_error_setx(err, EIO, "%s", buf + 1);
        return 0;
}

static int start_loaded(struct container_state *st, struct cu_error **err)
{
        int r;
        enum container_status status = container_status(st);
        if (status == STATUS_STOPPED)
                return cu_error_setx(err, EINVAL, "cannot start a container that has stopped");
        if (status != STATUS_CREATED)
                return cu_error_setx(err, EINVAL, "cannot start an already running container");
        r = release_init(st, err);
        if (r < 0)
                return r;
        container_hooks_warn(st, OCI_HOOK_POSTSTART, STATUS_RUNNING);
        return 0;
}

int runtime_start(const struct runtime_ctx *ctx, const char *id, struct cu_error **err)
{
        _cleanup_(container_state_freep) struct container_state *st = NULL;
        int r = container_state_load(ctx, id, &st, err);
        if (r < 0)
                return r;
        return start_loaded(st, err);
}

int runtime_run(const struct runtime_ctx *ctx, const char *id, const struct runtime_create_opts *o,
                bool detach, int *ret_exit_code, struct cu_error **err)
{
        /* A foreground terminal without --console-socket: we keep the master ourselves. */
        _cleanup_close_ int mine = -EBADF, theirs = -EBADF;
        if (!detach && !o->console_socket) {
                int sp[2];
                if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
                        return cu_error_set(err, errno, "socketpair");
                mine = sp[0];
                theirs = sp[1];
        }
        _cleanup_(container_state_freep) struct container_state *st = NULL;
        int r = do_create(ctx, id, o, theirs, &st, err);
        if (r < 0)
                return r;
        theirs = safe_close(theirs);
        pid_t pid = st->pid;
        r = start_loaded(st, err);
        if (r < 0) {
                (void) container_delete(st, true, NULL);
                return r;
        }
        if (detach) {
                if (ret_exit_code)
                        *ret_exit_code = 0;
                return 0;
        }
        /* Did the init send us a pty master? (only with process.terminal) */
        _cleanup_close_ int master = -EBADF;
        struct pollfd p = { .fd = mine, .events = POLLIN };
        if (mine >= 0 && poll(&p, 1, 0) > 0) {
                char buf[16];
                (void) recv_fd(mine, &master, buf, sizeof buf);
        }
        log_debug("run: started");
        int code = wait_foreground(pid, master);
        log_debug("run: exited %d", code);
        struct cu_error *derr = NULL;
        if (container_delete(st, true, &derr) < 0)
                log_warn("deleting %s: %s, ignoring", id, cu_error_msg(derr));
        cu_error_free(derr);
        if (code < 0)
                return cu_error_set(err, -code, "waiting for container");
        log_debug("run: deleted");
        if (ret_exit_code)
                *ret_exit_code = code;
        return 0;
}
