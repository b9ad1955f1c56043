/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The per-container monitor (what conmon is for podman).  The engine runs the cuttle binary
 * as "cuttle-monitor" with the options below; main.c hands them to monitor_main().
 *
 * The monitor creates and starts the container (in-process through the built-in runtime, or
 * through an external OCI runtime's command line), owns its stdio (pipes, or the pty of a
 * terminal container), writes its logs, serves the attach socket (attach.h), forwards the
 * signals it receives to the container, reaps it (it is a child subreaper, so whatever the
 * container leaves behind is reaped too), writes the exit file (exitfile.h), deletes the
 * container from the runtime, and then restarts it (restart.h) or runs the exit command and
 * exits.  One process, poll + signalfd, no threads.
 *
 * Options:
 *   --cid ID              container id (required)
 *   --bundle DIR          OCI bundle (required)
 *   --runtime-root DIR    the runtime's state root (the built-in runtime's, or the external
 *                         runtime's --root); default: the runtime's own default
 *   --runtime PATH        drive an external OCI runtime (runc, crun) through its command line:
 *                         `PATH [--root R] create --bundle B [--console-socket S] --pid-file P ID`,
 *                         `start`, `delete --force`; default: the built-in runtime, in-process
 *   --log-driver D        k8s-file (default), json-file, none, passthrough (the container
 *                         gets the monitor's own stdio, which then stays open after detaching)
 *   --log-path FILE       the log file of k8s-file and json-file
 *   --log-max-size BYTES  rotate when the log would grow past BYTES (logs.h)
 *   --log-tag TAG         json-file: "attrs":{"tag":TAG}
 *   --terminal            process.terminal is set: the monitor receives the pty master over
 *                         a console socket and relays it (one output stream, "stdout")
 *   --stdin               keep the container's stdin open (a pipe, or the pty) and feed it from
 *                         attach clients; without it the container's stdin is /dev/null
 *   --attach-socket PATH  serve the attach socket at PATH (SOCK_SEQPACKET, attach.h)
 *   --exit-file PATH      write the exit file at every exit (exitfile.h)
 *   --pid-file PATH       the container's pid, rewritten at every start
 *   --sync-fd N           an inherited fd: one line, "pid N\n" once the container runs or
 *                         "error MESSAGE\n" if create/start failed, then closed
 *   --exit-command ARG    (repeatable) argv run after the last exit, once the exit file is
 *                         written and the container deleted, e.g. `cuttle container cleanup ID`
 *   --restart POLICY      no (default), on-failure[:N], always, unless-stopped
 *   --stop-file PATH      if PATH exists when the container exits, the user stopped it: no
 *                         restart, whatever the policy
 *   --health-cmd ARG      (repeatable) the healthcheck's argv, exec'd in the container on a
 *                         timer (health.h); with the following, all numbers:
 *   --health-interval NS, --health-timeout NS, --health-start-period NS  (interval 0: no timer)
 *   --health-retries N    --health-on-failure none|kill|restart|stop
 *   --health-log PATH     the results file (podman's healthcheck.log)
 *   --stop-signal N, --stop-timeout S   how on-failure stop / restart stop the container
 *   --no-start            (podman's init) the first run is only created: the sync fd says
 *                         "created N", and the container starts when an attach client sends
 *                         START (attach.h); restarts are started at once
 *   --preserve-fds N      the caller's fds 3..3+N-1 are kept open and passed to the container
 *                         (every run): socket activation, `run --preserve-fds`
 *   --sdnotify-mode M     container (default), conmon or ignore (notify.h), with
 *   --sdnotify-socket P   the caller's NOTIFY_SOCKET: conmon mode sends MAINPID (ours) and
 *                         READY=1 once the container started; container mode sends MAINPID and
 *   --sdnotify-proxy P    binds the proxy socket at P (the engine bind-mounts its directory
 *                         into the container) and relays what the container sends
 *   --no-daemonize        stay in the foreground (tests); by default the monitor detaches:
 *                         the caller's monitor_main() returns 0 as soon as the monitor runs
 *                         in its own session and process group, with stdio on /dev/null
 *                         (except passthrough) and "/" as its working directory
 *
 * Exit status (in the foreground, or of the detached monitor): 0 once the container's exit
 * is recorded, whatever its exit code (that is in the exit file); 1 if the monitor or the
 * container's create/start failed (the sync fd says why).  Paths may be relative to the
 * caller's working directory.
 */
#pragma once

int monitor_main(int argc, char **argv);

