/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exec: a new process in a running container's namespaces and cgroup. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cgroup.h"
#include "init.h"
#include "namespaces.h"
#include "seccomp-filter.h"
#include "util/json.h"
#include "runtime-internal.h"
#include "sync.h"
#include "util/fd.h"
#include "util/log.h"
#include "util/proc.h"
#include "wait.h"

static int exec_parent(const struct container_state *st, pid_t stage1, int sync, pid_t *ret_pid,
                       struct cu_error **err)
{
        int pid = 0;
        int r = sync_expect(sync, SYNC_PID, &pid, "exec setup", err);
        (void) wait_for_pid(stage1);
        if (r < 0)
                return r;
        _cleanup_kill_pid_ pid_t child = pid;
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        r = container_cgroup(st, &cg, err);
        if (r < 0)
                return r;
        r = cgroup_enter(cg, NULL, child, err);
        if (r < 0)
                return cu_error_prefix(err, r, "joining the container's cgroup");
        r = sync_send(sync, SYNC_CGROUP_ACK, 0);
        if (r < 0)
                return cu_error_set(err, -r, "exec process exited unexpectedly");
        /* EOF (the socket is O_CLOEXEC) means execve() happened. */
        for (;;) {
                struct sync_msg m;
                _cleanup_close_ int passed = -EBADF;
                r = sync_recv_fd(sync, &m, &passed);
                if (r < 0)
                        break;
                if (m.type == SYNC_ERROR)
                        return cu_error_setx(err, m.errnum ? m.errnum : EIO, "%s", m.text);
                if (m.type == SYNC_SECCOMP_FD && passed >= 0) {
                        _cleanup_free_ char *state = container_state_text(st, STATUS_RUNNING);
                        r = seccomp_send_listener(st->spec->linux_.seccomp, passed, child, state,
                                                  err);
                        if (r < 0)
                                return r;
                }
        }
        *ret_pid = TAKE_PID(child);
        return 0;
}

int runtime_exec(const struct runtime_ctx *ctx, const char *id, const struct oci_process *p,
                 const struct runtime_exec_opts *o, int *ret_exit_code, struct cu_error **err)
{
        _cleanup_(container_state_freep) struct container_state *st = NULL;
        int r = container_state_load(ctx, id, &st, err);
        if (r < 0)
                return r;
        enum container_status status = container_status(st);
        if (status == STATUS_STOPPED)
                return cu_error_setx(err, EINVAL, "cannot exec in a stopped container");
        if (status == STATUS_PAUSED)
                return cu_error_setx(err, EINVAL, "cannot exec in a paused container");
        if (!p->args || !p->args[0])
                return cu_error_setx(err, EINVAL, "process.args: must not be empty");

        _cleanup_close_ int console = -EBADF, mine = -EBADF;
        if (p->terminal) {
                if (o->console_socket) {
                        console = unix_connect(o->console_socket);
                        if (console < 0)
                                return cu_error_set(err, -console,
                                                    "connecting to console socket %s",
                                                    o->console_socket);
                } else if (!o->detach) {
                        int sp[2];
                        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
                                return cu_error_set(err, errno, "socketpair");
                        mine = sp[0];
                        console = sp[1];
                } else {
                        return cu_error_setx(err, EINVAL, "cannot allocate tty if the runtime "
                                                          "will detach without setting console "
                                                          "socket");
                }
        }

        /* The container's compiled profile, from create's cache (see create.c). */
        if (st->spec->linux_.seccomp) {
                const char *root = ctx->state_root ? ctx->state_root : runtime_default_root();
                if (seccomp_prepare(st->spec->linux_.seccomp, root, NULL) < 0)
                        log_debug("exec: seccomp profile not prepared");
        }
        int sp[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
                return cu_error_set(err, errno, "socketpair");
        fflush(NULL);
        pid_t stage1 = fork();
        if (stage1 < 0) {
                close(sp[0]);
                close(sp[1]);
                return cu_error_set(err, errno, "fork");
        }
        if (stage1 == 0) {
                close(sp[0]);
                ns_stage1_join_pid(st->spec, st->pid, sp[1]);
                if (sync_expect(sp[1], SYNC_CGROUP_ACK, NULL, "runtime", NULL) < 0)
                        _exit(1);
                container_exec_process(st->spec, p, sp[1], console, o->preserve_fds);
        }
        close(sp[1]);
        console = safe_close(console);
        _cleanup_close_ int sync = sp[0];
        pid_t pid = 0;
        r = exec_parent(st, stage1, sync, &pid, err);
        if (r < 0)
                return r;
        if (o->pid_file) {
                r = write_pid_file(o->pid_file, pid, err);
                if (r < 0)
                        return r;
        }
        if (o->detach) {
                if (ret_exit_code)
                        *ret_exit_code = 0;
                return 0;
        }
        _cleanup_close_ int master = -EBADF;
        if (mine >= 0) {
                struct pollfd pf = { .fd = mine, .events = POLLIN };
                if (poll(&pf, 1, 5000) > 0) {
                        char buf[16];
                        (void) recv_fd(mine, &master, buf, sizeof buf);
                }
        }
        int code = wait_foreground(pid, master);
        if (code < 0)
                return cu_error_set(err, -code, "waiting for the exec process");
        if (ret_exit_code)
                *ret_exit_code = code;
        return 0;
}
