/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Parent <-> container init messages over a SOCK_SEQPACKET pair: each
 * message is one datagram, so a child that dies mid-way leaves EOF, never
 * half a message.  Errors travel as {errnum, text} and become a cu_error
 * on the parent's side.
 */
#pragma once

#include <sys/types.h>

#include "util/error.h"

enum sync_type {
        SYNC_PID = 1,        /* stage-1 → parent: pid of the container init (value) */
        SYNC_USERMAP,        /* stage-1 → parent: write my uid/gid maps */
        SYNC_USERMAP_ACK,    /* parent → stage-1 */
        SYNC_CGROUP_ACK,     /* parent → init: you are in your cgroup; go on */
        SYNC_HOOKS,          /* init → parent: run prestart/createRuntime hooks now */
        SYNC_HOOKS_ACK,      /* parent → init */
        SYNC_READY,          /* init → parent: waiting for start */
        SYNC_SECCOMP_FD,     /* init → parent: the seccomp listener fd (SCM_RIGHTS) */
        SYNC_ERROR,          /* any → parent: failed (errnum, text) */
};

struct sync_msg {
        int type;
        int errnum;
        int value;
        char text[3072];
};

int sync_send(int fd, enum sync_type type, int value);
/* Sends err as SYNC_ERROR (msg from *err or strerror). */
int sync_send_error(int fd, int r, const struct cu_error *err);
/* Receives one message; -EPIPE on EOF.  An fd that came with it is closed. */
int sync_recv(int fd, struct sync_msg *m);
/* Same, handing back an fd that came with the message (or -EBADF). */
int sync_recv_fd(int fd, struct sync_msg *m, int *ret_fd);
/* Sends a message with an fd attached. */
int sync_send_fd(int fd, enum sync_type type, int passed_fd);
/* Like sync_expect() but hands back the whole message. */
int sync_expect_msg(int fd, enum sync_type type, struct sync_msg *m, const char *who,
                    struct cu_error **err);
/* Receives and checks the type: a SYNC_ERROR becomes *err (returns -errnum);
 * EOF becomes "<who> exited unexpectedly". */
int sync_expect(int fd, enum sync_type type, int *ret_value, const char *who,
                struct cu_error **err);
