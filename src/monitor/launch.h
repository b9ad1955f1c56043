/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to the monitor (monitor.c, launch.c): the monitor's state, and one run of the
 * container: its stdio (pipes, or the pty received over a console socket), create and start
 * (the built-in runtime in-process, or an external runtime's command line), delete, and
 * reaping.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "attach.h"
#include "health.h"
#include "logs.h"
#include "notify.h"
#include "restart.h"
#include "runtime/runtime.h"
#include "util/error.h"

struct monitor {
        /* options */
        char *cid, *bundle, *runtime_root, *runtime, *log_path, *log_tag;
        char *attach_path, *exit_file, *pid_file, *stop_file;
        char **exit_command;
        enum log_driver log_driver;
        uint64_t log_max_size;
        bool terminal, keep_stdin, daemonize;
        bool no_start;     /* --no-start: the first run waits for an attach client's START */
        char *restore;     /* --restore DIR: the first run restores DIR's CRIU checkpoint */
        bool restore_tcp, restore_locks; /* --restore-opt tcp-established, file-locks */
        int sync_fd;
        struct restart_spec restart;
        struct health_config health; /* --health-*: options, handed to hm */
        struct health_monitor *hm;   /* NULL: no healthcheck */
        unsigned preserve_fds;       /* --preserve-fds: 3..3+N-1 go to the container */
        enum notify_mode notify_mode; /* --sdnotify-mode (ignore without --sdnotify-socket) */
        char *notify_socket, *notify_proxy_path; /* --sdnotify-socket, --sdnotify-proxy */
        struct notify_proxy *notify; /* container mode: the proxy (NULL: none) */

        struct runtime_ctx ctx;
        int sfd; /* signalfd */
        struct ctr_log *log;
        struct attach_server *attach;
        char *tmpdir; /* console socket, external runtime's pid and log files (during launch) */

        /* one run of the container */
        pid_t pid;
        int out_fd, err_fd, in_fd, master; /* read ends / stdin write end, or the pty */
        char *pending; /* stdin bytes not yet taken by the container */
        size_t pending_len, pending_cap;
        bool close_stdin; /* once pending is written */
        unsigned restart_count;
        bool started;      /* this run was started */
        bool start_failed; /* a START failed: the monitor gives up (no exit file) */
};
/* Creates and starts the container (one run): m->pid, and m's stdio fds for the event loop.
 * Without start the container is only created (launch_start() starts it).  On failure
 * nothing of the run is left (the container is deleted, its fds closed). */
int launch_run(struct monitor *m, bool start, struct cu_error **err);
/* Starts a container launch_run() only created. */
int launch_start(struct monitor *m, struct cu_error **err);

/* Removes the container from the runtime (killing what is left of it). */
int launch_destroy(struct monitor *m, struct cu_error **err);

/* Reaps every child that exited; true when the container's init was one of them (its wait
 * status in *ret_status). */
bool launch_reap(struct monitor *m, int *ret_status);

/* --preserve-fds: the caller's fds 3..3+N-1 stay open in the monitor (for every run) and are
 * inherited by the container's init; -EBADF (podman's text) for one that is not open. */
int launch_keep_fds(const struct monitor *m, struct cu_error **err);

/* Closes the run's stdio fds and forgets stdin bytes not yet delivered. */
void launch_close_fds(struct monitor *m);
