/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "hooks.h"
#include "init.h"
#include "lsm.h"
#include "namespaces.h"
#include "rlimits.h"
#include "rootfs.h"
#include "seccomp-filter.h"
#include "sync.h"
#include "sysctl.h"
#include "tty.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/strv.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Set once the sync socket is closed (after READY): errors then go to stderr. */
/* Whether the spec gives the container a namespace of type t: a new one, or one joined by
 * path (the engine makes a container's network namespace before the container; by the time
 * this runs the paths are joined already, so they cannot be compared with the host's). */
static bool sysctl_ns_own(const struct oci_spec *s, enum oci_ns_type t)
{
        return oci_spec_namespace(s, t) != NULL;
}

static bool sync_closed;
/* After `start` released us: the write end of exec.fifo, open (O_CLOEXEC) until execve.
 * `start` reads to EOF: plain EOF is success, text is our error. */
static int fifo_w = -1;

_noreturn_ static void init_fail(int sync_fd, int r, struct cu_error *err)
{
        if (sync_fd >= 0 && !sync_closed) {
                sync_send_error(sync_fd, r, err);
        } else if (fifo_w >= 0) {
                const char *msg = cu_error_msg(err);
                (void) write_all(fifo_w, msg, strlen(msg));
        } else {
                fprintf(stderr, "cuttle: %s\n", cu_error_msg(err));
        }
        cu_error_free(err);
        _exit(127);
}

/* The state JSON (compact, as the runtime wrote it) with another status. */
static char *state_with_status(const char *state_json, const char *status)
{
        const char *key = "\"status\":\"creating\"";
        const char *at = state_json ? strstr(state_json, key) : NULL;
        char *ret = NULL;
        if (!at)
                return NULL;
        if (asprintf(&ret, "%.*s\"status\":\"%s\"%s", (int) (at - state_json), state_json,
                     status, at + strlen(key)) < 0)
                return NULL;
        return ret;
}

/* Finds the executable like execvp, but fails before we commit to it. */
static int find_executable(const char *name, char *const *env, char **ret, struct cu_error **err)
{
        if (strchr(name, '/')) {
                struct stat st;
                if (stat(name, &st) < 0)
                        return cu_error_set(err, errno, "exec: \"%s\"", name);
                if (S_ISDIR(st.st_mode))
                        return cu_error_setx(err, EACCES, "exec: \"%s\": is a directory", name);
                if (!S_ISREG(st.st_mode) || access(name, X_OK) < 0)
                        return cu_error_setx(err, EACCES, "exec: \"%s\": permission denied",
                                             name);
                *ret = strdup(name);
                return *ret ? 0 : -ENOMEM;
        }
        const char *path = strv_env_get(env, "PATH");
        if (!path)
                path = DEFAULT_PATH;
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        char *save = NULL;
        for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
                _cleanup_free_ char *full = NULL;
                if (asprintf(&full, "%s/%s", *dir ? dir : ".", name) < 0)
                        return -ENOMEM;
                struct stat st;
                if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && access(full, X_OK) == 0) {
                        *ret = TAKE_PTR(full);
                        return 0;
                }
        }
        return cu_error_setx(err, ENOENT, "exec: \"%s\": executable file not found in $PATH",
                             name);
}

/* Loads the filter; a notify listener fd goes to the runtime over sync_fd. */
static int install_seccomp(const struct oci_seccomp *sc, int sync_fd, struct cu_error **err)
{
        int listener = -EBADF;
        int r = seccomp_install(sc, &listener, err);
        if (r < 0)
                return cu_error_prefix(err, r, "loading seccomp filter");
        if (listener >= 0) {
                r = sync_fd >= 0 ? sync_send_fd(sync_fd, SYNC_SECCOMP_FD, listener) : -EPIPE;
                safe_close(listener);
                if (r < 0)
                        return cu_error_set(err, -r, "passing the seccomp listener to the runtime");
        }
        return 0;
}

static int set_user(const struct oci_user *u, struct cu_error **err)
{
        if (setgroups(u->n_additional_gids, u->additional_gids) < 0 && errno != EPERM)
                return cu_error_set(err, errno, "setgroups");
        if (setresgid(u->gid, u->gid, u->gid) < 0)
                return cu_error_set(err, errno, "setting gid %u", (unsigned) u->gid);
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                return cu_error_set(err, errno, "prctl(PR_SET_KEEPCAPS)");
        if (setresuid(u->uid, u->uid, u->uid) < 0)
                return cu_error_set(err, errno, "setting uid %u", (unsigned) u->uid);
        (void) prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
        return 0;
}

/* The common tail of init and exec: credentials, limits, filters, execve. */
static int finish_process(const struct oci_spec *s, const struct oci_process *p,
                          unsigned preserve_fds, int sync_fd, int fifo_fd, const char *state_json,
                          struct cu_error **err)
{
        int r;
        struct caps_plan caps = { 0 };

        if (p->has_oom_score_adj) {
                char buf[32];
                snprintf(buf, sizeof buf, "%d", p->oom_score_adj);
                r = write_string_file("/proc/self/oom_score_adj", buf);
                if (r < 0)
                        return cu_error_set(err, -r, "setting process.oomScoreAdj to %s", buf);
        }
        r = rlimits_apply(p->rlimits, p->n_rlimits, err);
        if (r < 0)
                return r;
        r = lsm_apply_exec_label(p->apparmor_profile, p->selinux_label, err);
        if (r < 0)
                return r;
        if (p->has_capabilities) {
                r = caps_plan_from_spec(&p->caps, &caps, err);
                if (r < 0)
                        return r;
                r = caps_drop_bounding(&caps, err);
                if (r < 0)
                        return r;
        }

        /* Without no_new_privs the filter must go in while we still have CAP_SYS_ADMIN. */
        const struct oci_seccomp *sc = s->linux_.seccomp;
        bool notify = sc && seccomp_uses_notify(sc);
        if (sc && !p->no_new_privileges) {
                r = install_seccomp(sc, sync_fd, err);
                if (r < 0)
                        return r;
        }

        r = set_user(&p->user, err);
        if (r < 0)
                return r;
        if (p->has_capabilities) {
                r = caps_apply(&caps, err);
                if (r < 0)
                        return r;
        }
        if (p->user.has_umask)
                umask(p->user.umask);
        else
                umask(0022);

        const char *cwd = p->cwd ? p->cwd : "/";
        if (chdir(cwd) < 0)
                return cu_error_set(err, errno, "chdir to cwd (\"%s\") set in config.json failed",
                                    cwd);

        log_debug("init: credentials set");
        _cleanup_free_ char *exe = NULL;
        r = find_executable(p->args[0], p->env, &exe, err);
        if (r < 0)
                return r;

        if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return cu_error_set(err, errno, "prctl(PR_SET_NO_NEW_PRIVS)");
        /* A listener fd must reach the runtime before it lets go of us. */
        if (sc && p->no_new_privileges && notify) {
                r = install_seccomp(sc, sync_fd, err);
                if (r < 0)
                        return r;
        }

        if (fifo_fd >= 0) {
                /* Tell the runtime we are ready, then wait for `start`. */
                sync_send(sync_fd, SYNC_READY, 0);
                sync_fd = safe_close(sync_fd);
                sync_closed = true;
                char path[64];
                snprintf(path, sizeof path, "/proc/self/fd/%d", fifo_fd);
                int w = open(path, O_WRONLY | O_CLOEXEC);
                if (w < 0)
                        return cu_error_set(err, errno, "opening exec fifo");
                if (write(w, "0", 1) != 1)
                        return cu_error_set(err, errno, "writing exec fifo");
                fifo_w = w;
                close(fifo_fd);
                if (s->hooks.n_hooks[OCI_HOOK_START_CONTAINER]) {
                        /* Create is over: these hooks see the container as created. */
                        _cleanup_free_ char *created = state_with_status(state_json, "created");
                        r = hooks_run(s->hooks.hooks[OCI_HOOK_START_CONTAINER],
                                      s->hooks.n_hooks[OCI_HOOK_START_CONTAINER],
                                      "startContainer", created ? created : state_json, err);
                        if (r < 0)
                                return r;
                }
        }
        /* exec: the runtime learns of success from EOF on the (O_CLOEXEC) sync socket. */

        /* Seccomp as late as possible when no_new_privs allows it. */
        if (sc && p->no_new_privileges && !notify) {
                r = install_seccomp(sc, -1, err);
                if (r < 0)
                        return r;
        }

        /* Everything above fd 2 (+ preserved fds) must not leak into the container. */
        if (syscall(SYS_close_range, 3 + preserve_fds, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */) < 0) {
                for (int fd = 3 + (int) preserve_fds; fd < 1024; fd++)
                        (void) fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
        char *empty[] = { NULL };
        execve(exe, p->args, p->env ? p->env : empty);
        return cu_error_set(err, errno, "exec: \"%s\"", exe);
}

static int setup_hostname(const struct oci_spec *s, struct cu_error **err)
{
        bool new_uts = false;
        ns_has(s, OCI_NS_UTS, &new_uts);
        if (s->hostname && *s->hostname) {
                if (!new_uts)
                        return cu_error_setx(err, EINVAL,
                                             "hostname: unable to set hostname without a new "
                                             "UTS namespace");
                if (sethostname(s->hostname, strlen(s->hostname)) < 0)
                        return cu_error_set(err, errno, "sethostname \"%s\"", s->hostname);
        }
        if (s->domainname && *s->domainname) {
                if (!new_uts)
                        return cu_error_setx(err, EINVAL,
                                             "domainname: unable to set domainname without a "
                                             "new UTS namespace");
                if (setdomainname(s->domainname, strlen(s->domainname)) < 0)
                        return cu_error_set(err, errno, "setdomainname \"%s\"", s->domainname);
        }
        return 0;
}

static int join_cgroupns(const struct oci_spec *s, struct cu_error **err)
{
        const char *fdstr = getenv("_CUTTLE_CGROUPNS_FD");
        if (fdstr) {
                int fd;
                if (safe_atoi(fdstr, &fd) < 0)
                        return cu_error_setx(err, EINVAL, "bad cgroupns fd");
                unsetenv("_CUTTLE_CGROUPNS_FD");
                if (setns(fd, CLONE_NEWCGROUP) < 0)
                        return cu_error_set(err, errno, "joining cgroup namespace");
                close(fd);
                return 0;
        }
        bool new_cg = false;
        if (ns_has(s, OCI_NS_CGROUP, &new_cg) && new_cg && unshare(CLONE_NEWCGROUP) < 0)
                return cu_error_set(err, errno, "creating cgroup namespace");
        return 0;
}

/* Waits until the runtime has put us in our cgroup; the message carries the state
 * JSON for hooks. */
static int wait_cgroup_ack(struct init_args *a, struct sync_msg *m, struct cu_error **err)
{
        int r = sync_expect_msg(a->sync_fd, SYNC_CGROUP_ACK, m, "runtime", err);
        if (r < 0)
                return r;
        a->state_json = m->text;
        return join_cgroupns(a->spec, err);
}

static int init_setup(struct init_args *a, struct cu_error **err)
{
        const struct oci_spec *s = a->spec;
        int r;
        struct sync_msg ack;
        /* With a cgroup namespace the cgroup must be final before anything is mounted;
         * otherwise the root filesystem is set up while the runtime adds us to it. */
        bool early_ack = oci_spec_namespace(s, OCI_NS_CGROUP) != NULL;
        if (early_ack) {
                r = wait_cgroup_ack(a, &ack, err);
                if (r < 0)
                        return r;
        }
        if (setsid() < 0)
                return cu_error_set(err, errno, "setsid");

        bool new_user = false, new_mnt = false, new_net = false, new_ipc = false,
             new_uts = false;
        ns_has(s, OCI_NS_USER, &new_user);
        bool in_userns = oci_spec_namespace(s, OCI_NS_USER) != NULL;
        ns_has(s, OCI_NS_MOUNT, &new_mnt);
        ns_has(s, OCI_NS_NETWORK, &new_net);
        ns_has(s, OCI_NS_IPC, &new_ipc);
        ns_has(s, OCI_NS_UTS, &new_uts);
        if (!new_mnt)
                return cu_error_setx(err, EINVAL, "linux.namespaces: a new mount namespace is "
                                                  "required");

        bool own_net = sysctl_ns_own(s, OCI_NS_NETWORK), own_ipc = sysctl_ns_own(s, OCI_NS_IPC),
             own_uts = sysctl_ns_own(s, OCI_NS_UTS);
        (void) new_net, (void) new_ipc, (void) new_uts;
        r = sysctl_validate(s->linux_.sysctl, own_net, own_ipc, own_uts, err);
        if (r < 0)
                return r;

        /* With a new user namespace stage 1 made the bundle our cwd (as the host's root). */
        if (a->rootfs_fd < 0 && a->bundle && chdir(a->bundle) < 0)
                return cu_error_set(err, errno, "chdir to bundle %s", a->bundle);
        log_debug("init: rootfs");
        _cleanup_close_ int rootfd = -EBADF;
        r = rootfs_setup_fd(s, a->rootfs, a->rootfs_fd, a->src_fds, a->cgroup_path, in_userns,
                            a->rootfs_fd >= 0 ? &rootfd : NULL, err);
        a->rootfs_fd = safe_close(a->rootfs_fd);
        for (size_t i = 0; a->src_fds && i < s->n_mounts; i++)
                safe_close(a->src_fds[i]);
        if (r < 0)
                return r;
        if (!early_ack) {
                r = wait_cgroup_ack(a, &ack, err);
                if (r < 0)
                        return r;
        }

        if (s->hooks.n_hooks[OCI_HOOK_PRESTART] || s->hooks.n_hooks[OCI_HOOK_CREATE_RUNTIME]) {
                sync_send(a->sync_fd, SYNC_HOOKS, 0);
                r = sync_expect(a->sync_fd, SYNC_HOOKS_ACK, NULL, "runtime", err);
                if (r < 0)
                        return r;
        }
        r = hooks_run(s->hooks.hooks[OCI_HOOK_CREATE_CONTAINER],
                      s->hooks.n_hooks[OCI_HOOK_CREATE_CONTAINER], "createContainer",
                      a->state_json, err);
        if (r < 0)
                return r;

        /* Learn which LSMs the host has while its /sys is still visible. */
        (void) lsm_apparmor_enabled();
        (void) lsm_selinux_enabled();
        log_debug("init: pivot");
        r = rootfs_pivot_fd(a->rootfs, rootfd, a->no_pivot, err);
        rootfd = safe_close(rootfd);
        if (r < 0)
                return r;

        if (s->process->terminal) {
                if (a->console_fd < 0)
                        return cu_error_setx(err, EINVAL, "process.terminal is set but no "
                                                          "console socket was given");
                r = tty_setup_console(a->console_fd, s->process, true, err);
                if (r < 0)
                        return r;
        }
        safe_close(a->console_fd);

        r = sysctl_apply(s->linux_.sysctl, err);
        if (r < 0)
                return r;
        log_debug("init: finalize");
        r = rootfs_finalize(s, err);
        if (r < 0)
                return r;
        r = setup_hostname(s, err);
        if (r < 0)
                return r;
        if (s->linux_.personality_domain) {
                unsigned long pers = strcmp(s->linux_.personality_domain, "LINUX32") == 0
                                             ? PER_LINUX32
                                             : PER_LINUX;
                if (personality(pers) < 0)
                        return cu_error_set(err, errno, "personality");
        }
        return finish_process(s, s->process, a->preserve_fds, a->sync_fd, a->fifo_fd,
                              a->state_json, err);
}

/* execve() resets caught signals by itself; only ignored ones would leak into the
 * container.  /proc/self/status tells which (one read instead of 64 sigactions). */
static void reset_ignored_signals(void)
{
        _cleanup_free_ char *status = NULL;
        uint64_t ign = UINT64_MAX;
        if (read_full_file_at(AT_FDCWD, "/proc/self/status", &status, NULL) >= 0) {
                const char *p = strstr(status, "\nSigIgn:\t");
                if (p)
                        ign = strtoull(p + 9, NULL, 16);
        }
        for (int sig = 1; sig < NSIG && sig <= 64; sig++)
                if ((ign & (UINT64_C(1) << (sig - 1))) && sig != SIGKILL && sig != SIGSTOP)
                        signal(sig, SIG_DFL);
}

void container_init(struct init_args *a)
{
        struct cu_error *err = NULL;
        /* The runtime may have blocked signals; the container starts clean. */
        sigset_t all;
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        reset_ignored_signals();
        int r = init_setup(a, &err);
        init_fail(a->sync_fd, r, err);
}

void container_exec_process(const struct oci_spec *s, const struct oci_process *p, int sync_fd,
                            int console_fd, unsigned preserve_fds)
{
        struct cu_error *err = NULL;
        int r = 0;
        sigset_t all;
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        if (p->terminal) {
                if (setsid() < 0)
                        r = cu_error_set(&err, errno, "setsid");
                else if (console_fd < 0)
                        r = cu_error_setx(&err, EINVAL, "terminal requested but no console "
                                                        "socket");
                else
                        r = tty_setup_console(console_fd, p, false, &err);
        }
        safe_close(console_fd);
        if (r >= 0)
                r = finish_process(s, p, preserve_fds, sync_fd, -1, NULL, &err);
        init_fail(sync_fd, r, err);
}
