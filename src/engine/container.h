/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engine (libpod): containers as state records with podman's lifecycle
 *   configured → created → running ⇄ paused → stopping → exited (stopped) → removing
 * driven by the podman commands.  Every transition of one container happens under its own
 * lock (<runroot>/locks/<id>.lock, state/lock.h); no lock is held across containers.
 *
 * Files of a container:
 *   <root>/containers/<id>/            storage's (rootfs: diff, work, merged)
 *   <root>/containers/<id>/userdata/   the OCI bundle: config.json, hostname, hosts,
 *                                      resolv.conf; ctr.log (k8s-file / json-file log)
 *   <runroot>/containers/<id>/         exit (exit file), attach (socket), pid, stop (stop
 *                                      file for restart policies); short for sun_path
 *   <runroot>/runtime/                 the built-in runtime's state root
 *
 * A running container's liveness comes from the record's pid (pidfd / kill 0) and the
 * monitor's exit file, never from asking the runtime: engine_refresh() turns a container
 * whose exit file appeared (or whose process vanished with its monitor) into "exited".
 *
 * Errors are podman's texts; the CLI maps errno to the exit code:
 *   ENOENT after "executable file not found" → 127, EACCES → 126, anything else → 125.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/bindmounts.h"
#include "engine/health.h"
#include "engine/net.h"
#include "engine/security.h"
#include "engine/volumes.h"
#include "monitor/logs.h"
#include "state/containers.h"
#include "util/error.h"

struct db;
struct store;
struct oci_process;

struct engine {
        struct db *db;            /* borrowed */
        struct store *store;      /* borrowed */
        const char *root;         /* --root */
        const char *runroot;      /* --runroot */
        const char *storage_driver; /* passed on to the exit command (NULL: default) */
        const char *self_exe;     /* the cuttle binary; NULL: /proc/self/exe resolved */
        const char *events_backend; /* events_logger: NULL/"file", "none", "journald" (events.h) */
        const char *volume_path;  /* named volumes (--volumepath); NULL: <root>/volumes */
        unsigned preserve_fds;    /* run --preserve-fds: fds 3..3+N-1 go to containers started
                                   * (0: LISTEN_FDS from the environment, if set) */
        const char *tmp_dir;      /* --tmpdir / tmp_dir: the events log; NULL or "": runroot */
};

/* ------------------------------------------------------------------ names (names.c) */

/* A random "adjective_surname" into buf.  0 or -ENOBUFS. */
int engine_name_generate(char *buf, size_t size);

/* ------------------------------------------------------------------ records (container.c) */

/* Paths of a container's files (malloc'd): what is one of "userdata", "config.json",
 * "log", "rundir", "exit", "attach", "pid", "stop". */
char *engine_path(const struct engine *e, const char *id, const char *what);
/* The container's config JSON (record->config) parsed; NULL on a broken record. */
json_t *engine_config(const struct ctr_record *r);

/* Locks the container (exclusive, waiting).  -errno. */
struct lock;
int engine_lock(struct engine *e, const char *id, struct lock **ret, struct cu_error **err);

/* Looks the container up (podman's lookup and errors) and refreshes its state. */
int engine_get(struct engine *e, const char *id_or_name, struct ctr_record **ret,
               struct cu_error **err);
/* Every container, refreshed. */
int engine_list(struct engine *e, struct ctr_record ***ret, size_t *ret_n, struct cu_error **err);

/* Liveness of a running/paused/stopping container: reads the exit file and checks the pid;
 * when the container is gone, records "exited" (with the exit file's code and time, or
 * 137 / now when the monitor died without one).  Writes the database only on a change (a
 * best-effort write without the lock when `locked` is false).  Returns 1 if the state
 * changed, 0 otherwise. */
int engine_refresh(struct engine *e, struct ctr_record *r, bool locked);

/* The container's command line (entrypoint + cmd) and whether the container is running
 * (running or paused, with a live pid). */
char **engine_command(const struct ctr_record *r);
bool engine_is_running(const struct ctr_record *r);

/* The state as podman's `ps` prints it: "Up 2 seconds", "Exited (0) 3 seconds ago",
 * "Created", "Paused", "Stopping", "Removing". */
char *engine_status_text(const struct ctr_record *r, int64_t now_ns);
int64_t engine_now_ns(void);
/* go-units HumanDuration: "Less than a second", "2 seconds", "About a minute", … */
const char *engine_human_duration(int64_t ns, char buf[static 32]);

/* ------------------------------------------------------------------ create (create.c) */

struct engine_create_opts {
        const char *image;            /* required: name or ID */
        const char *name;             /* NULL: random */
        char **command;               /* NULL: the image's Cmd */
        const char *entrypoint;       /* NULL: the image's; "" clears; a JSON array or a string */
        char **env;                   /* -e NAME=value / NAME (from the host) */
        char **env_files;             /* --env-file */
        bool env_host;
        char **default_env;           /* containers.conf env: below the image's (borrowed) */
        const char *init_path;        /* --init's binary (--init-path, init_path); NULL: ours */
        const char *workdir, *user, *hostname;
        char **labels, **annotations; /* KEY=VALUE */
        bool tty, interactive, read_only, privileged, remove, replace, init;
        bool sig_proxy;
        char **cap_add, **cap_drop;
        int64_t memory;               /* 0: none */
        int64_t pids_limit;           /* 0: default (none) */
        bool has_pids_limit;
        const char *stop_signal;      /* NULL: the image's, else SIGTERM */
        int stop_timeout;             /* -1: 10 */
        const char *restart;          /* NULL: "no" */
        const char *log_driver;       /* NULL: k8s-file */
        char **log_opts;              /* max-size=, tag=, path= */
        const char *detach_keys;      /* NULL: default */
        char **create_command;        /* the CLI's argv, for inspect */
        /* each area's own options (engine/<area>.h) */
        struct engine_net_opts net;
        struct engine_bind_opts bind;
        struct engine_sec_opts sec;
        struct engine_vol_opts vol;
        struct engine_health_opts health;
        const char *runtime;          /* --runtime as given (name or path); NULL: built-in */
        const char *runtime_path;     /* its executable (resolved by the caller); NULL: built-in */
};

/* Creates the container (state "created"): record, storage, bundle directory. */
int engine_create(struct engine *e, const struct engine_create_opts *o, char ret_id[CTR_ID_LEN + 1],
                  struct cu_error **err);

/* ------------------------------------------------------------------ spec (spec-gen.c) */

/* Spec generation: the container config (record->config, the image config folded in at
 * create) gives the OCI spec.  With write_files the bind-mounted files (hostname, hosts,
 * resolv.conf, ...) are made in the bundle as well; without, it only computes (inspect, unit
 * tests). */
struct engine_spec_ctx {
        struct engine *e;       /* NULL: no engine (unit tests, inspect) */
        const char *id;
        json_t *c;              /* the container config */
        int rootfd;             /* the mounted root (user names, symlinks), or -1 */
        const char *rootfs;     /* spec.root.path */
        const char *bundle;     /* the userdata dir: where bind-mounted files live */
        bool write_files;
        /* filled in while generating */
        uint32_t uid, gid;      /* the process user */
        char *home;             /* its home from the image's passwd (owned) */
};
json_t *engine_spec_generate(struct engine_spec_ctx *x, struct cu_error **err);
/* Writes config.json into the bundle. */
int engine_bundle_write(json_t *spec, const char *bundle, struct cu_error **err);
/* "uid[:gid]" or "name[:group]" resolved against rootfd's /etc/passwd and /etc/group
 * (rootfd -1: numbers only).  *ret_home (may be NULL) gets the passwd home or NULL. */
int engine_resolve_user(int rootfd, const char *user, uint32_t *ret_uid, uint32_t *ret_gid,
                        uint32_t **ret_groups, size_t *ret_n_groups, char **ret_home,
                        struct cu_error **err);

/* ------------------------------------------------------------------ lifecycle */

struct engine_start_opts {
        bool passthrough_stdio; /* log driver passthrough: the monitor gets our stdio */
        /* restore.c: the monitor restores this CRIU checkpoint instead of creating */
        const char *restore_dir;
        bool restore_tcp_established, restore_file_locks;
};

/* start.c: mounts the rootfs, writes the bundle, starts the monitor and waits for it to
 * report the container's pid.  A running container is left alone (0). */
int engine_start(struct engine *e, const char *id, const struct engine_start_opts *o,
                 struct cu_error **err);

/* init.c: podman's init: prepares the container and creates it in the runtime without
 * starting it (state "initialized"); engine_start() starts it.  -EBUSY "container ID has
 * already been created in runtime: container state improper" unless the container is
 * created, stopped or exited. */
int engine_init(struct engine *e, const char *id, struct cu_error **err);

/* system migrate --new-runtime: the container (not running: -EBUSY) runs under the runtime
 * name from now on; path is its executable, NULL for the built-in runtime. */
int engine_set_runtime(struct engine *e, const char *id, const char *name, const char *path,
                       struct cu_error **err);

/* stop.c: the stop signal, then SIGKILL after timeout seconds (-1: the container's);
 * waits for the exit.  A container that is not running is fine (0). */
int engine_stop(struct engine *e, const char *id, int timeout, struct cu_error **err);
/* Sends sig to a running container (-EINVAL "can only kill running containers…"). */
int engine_kill(struct engine *e, const char *id, int sig, struct cu_error **err);
/* Freezes / thaws a running / paused container. */
int engine_pause(struct engine *e, const char *id, bool pause, struct cu_error **err);

/* remove.c: removes a container; a running one only with force (stopped first, timeout as
 * engine_stop).  Everything goes: monitor's container, mounts, runtime state, files. */
int engine_remove(struct engine *e, const char *id, bool force, int timeout,
                  struct cu_error **err);

/* remove.c: the exit code of a container removed in the last minutes (by ID), -ENOENT when
 * none was kept. */
int engine_exit_code_saved(struct engine *e, const char *id, int *ret);

/* remove.c: the containers that use id's namespaces ("container:<id>" in their config), as
 * full IDs (an empty list when none).  engine_remove() refuses a container that has any
 * (-EEXIST, podman's "has dependent containers which must be removed before it"). */
int engine_dependents(struct engine *e, const char *id, char ***ret, struct cu_error **err);

/* rename.c: podman's rename (a running container too).  -EINVAL for a bad name, -EEXIST
 * "renaming container ID: name N already in use, …: container already exists". */
int engine_rename(struct engine *e, const char *id, const char *new_name, struct cu_error **err);

/* restart.c: stops a running container (timeout as engine_stop) and starts it again; a
 * created, exited or initialized one is started. */
int engine_restart(struct engine *e, const char *id, int timeout, struct cu_error **err);

/* prune.c: removes every container that is not running or paused (created, stopped,
 * exited) and matches the filters; *ret_removed gets their full IDs, *ret_errors (may be
 * NULL) the messages of those that could not be removed. */
struct engine_prune_opts {
        char **labels;     /* label=KEY[=VALUE]: all must match */
        char **not_labels; /* label!=KEY[=VALUE]: none may match */
        int64_t until;     /* ns since the epoch: only containers created before; 0: any */
};
int engine_prune(struct engine *e, const struct engine_prune_opts *o, char ***ret_removed,
                 char ***ret_errors, struct cu_error **err);
/* ps --size: the bytes in the container's upper (rw) layer, and those plus its image's
 * (podman's "virtual" RootFsSize).  -errno when the layer is gone (sizes then 0 / image). */
int engine_container_size(struct engine *e, const struct ctr_record *r, int64_t *ret_rw,
                          int64_t *ret_rootfs);
/* "KEY" or "KEY=VALUE" against a container's Labels object (ps and prune filters). */
bool engine_label_match(json_t *labels, const char *spec);

/* attach.c: connects to the attach socket of a running (or initialized) container; the
 * caller relays with attach_client_relay() (monitor/attach.h) and closes info.sock.
 * -EINVAL "you can only attach to running containers". */
struct engine_attach_info {
        int sock;
        bool tty, open_stdin;  /* the container's -t, -i */
        int pid;
        char id[CTR_ID_LEN + 1];
        char detach_keys[64];  /* the container's --detach-keys when has_detach_keys */
        bool has_detach_keys;
};
int engine_attach(struct engine *e, const char *id, struct engine_attach_info *ret,
                  struct cu_error **err);

/* cleanup.c: after an exit (the monitor's exit command): records the exit from the exit
 * file, unmounts the rootfs, deletes the runtime's container; with remove also removes it.
 * A container that runs again (restart) is left alone. */
int engine_cleanup(struct engine *e, const char *id, bool remove, struct cu_error **err);

/* wait.c: waits until the container reaches one of the states in `states` (a bit mask of
 * 1 << enum ctr_state; 0 means exited/stopped).  As podman: the exited/stopped bits wait for
 * the exit and give the exit code (0 for a container that never ran); the other states give
 * -1 once reached. */
int engine_wait(struct engine *e, const char *id, unsigned states, int *ret_exit_code,
                struct cu_error **err);

/* exec.c */
struct engine_exec_opts {
        char **args;
        char **env;          /* added to the container's */
        const char *user;    /* NULL: the container's */
        const char *workdir; /* NULL: the container's */
        bool tty, interactive, detach, privileged;
        const char *console_socket; /* with tty: where the pty master is sent */
        unsigned preserve_fds; /* --preserve-fds: the caller's fds 3..3+N-1 go to the process */
};
/* Runs a process in a running container through the built-in runtime; gives its exit
 * code (or 0 with detach).  Errors: 127/126 cases as ENOENT/EACCES. */
int engine_exec(struct engine *e, const char *id, const struct engine_exec_opts *o,
                int *ret_exit_code, struct cu_error **err);

/* ------------------------------------------------------------------ inspect (inspect.c) */

/* `inspect` (podman's InspectContainerData, the fields we have). */
json_t *engine_inspect_json(struct engine *e, const struct ctr_record *r);
/* One `ps --format json` element (podman's ListContainer). */
json_t *engine_ps_json(struct engine *e, const struct ctr_record *r);

/* ------------------------------------------------------------------ logs (logs.c) */

struct log_record {
        int64_t ts;            /* ns since the epoch */
        const char *ts_text;   /* the record's own timestamp text */
        size_t ts_len;
        enum ctr_stream stream;
        bool partial;          /* "P": the text does not end a line */
        const char *text;      /* without the newline the file adds */
        size_t len;
};

/* Parses one k8s-file line (without its '\n').  0 or -EINVAL. */
int log_k8s_parse_line(const char *line, size_t len, struct log_record *ret);
/* "2024-01-02T15:04:05.123456789+01:00" (or Z) → ns.  -EINVAL. */
int log_parse_timestamp(const char *s, size_t len, int64_t *ret);

typedef int (*log_record_fn)(void *userdata, const struct log_record *r);

/* Incremental reading of a k8s-file log: records as they are appended. */
struct log_tail;
int log_tail_open(const char *path, struct log_tail **ret, struct cu_error **err);
struct log_tail *log_tail_free(struct log_tail *t);
DEFINE_CLEANUP_FUNC(struct log_tail *, log_tail_free)
/* An fd that turns readable when the log grows (inotify), or -1. */
int log_tail_fd(struct log_tail *t);
/* Also wakes log_tail_fd() when a file is created or renamed into dir. */
int log_tail_watch_dir(struct log_tail *t, const char *dir);
/* Hands every complete record appended since the last call to fn; a non-zero return of fn
 * stops.  Returns fn's value, 0, or -errno. */
int log_tail_read(struct log_tail *t, log_record_fn fn, void *userdata);

struct engine_logs_opts {
        bool follow;
        int64_t since, until; /* ns since the epoch; 0: none */
        int64_t tail;         /* -1: all */
};
/* Opens the container's log file for reading (creating it, empty, when the monitor has not
 * yet) before the container starts: a reader following it through *ret sees every line even
 * when `run --rm`'s cleanup removes the file before the reader gets to it.  0 with *ret
 * NULL when the log driver writes no file. */
int engine_log_hold(struct engine *e, const struct ctr_record *r, struct log_tail **ret,
                    struct cu_error **err);
/* engine_logs() of the log held open by engine_log_hold(): needs no record of the container
 * (it may be gone when the reader gets there). */
int engine_logs_held(struct engine *e, const char *id, struct log_tail *held,
                     const struct engine_logs_opts *o, log_record_fn fn, void *userdata,
                     struct cu_error **err);
/* Reads the container's log (k8s-file), following it until the container exits with
 * follow. */
int engine_logs(struct engine *e, const struct ctr_record *r, const struct engine_logs_opts *o,
                log_record_fn fn, void *userdata, struct cu_error **err);

/* ------------------------------------------------------------------ checkpoint.c, restore.c */

/* podman's container checkpoint: CRIU dumps a running container into its userdata
 * (checkpoint/); without leave_running it is "exited" afterwards (Checkpointed in inspect).
 * export_file: also one archive in podman's layout (checkpoint/, config.dump, spec.dump,
 * network.status, rootfs-diff.tar, deleted.files, volumes/NAME.tar).  *ret_stats (print_stats):
 * one element of podman's "container_statistics". */
struct engine_checkpoint_opts {
        const char *export_file;
        const char *compress;     /* "zstd" (NULL), "gzip", "none" */
        bool keep, leave_running, tcp_established, file_locks;
        bool ignore_rootfs, ignore_volumes;
        bool pre_checkpoint, with_previous, print_stats;
};
int engine_checkpoint(struct engine *e, const char *id, const struct engine_checkpoint_opts *o,
                      json_t **ret_stats, struct cu_error **err);

/* podman's container restore: a checkpointed (exited or created) container runs again from
 * its checkpoint, with the same IP addresses (unless ignore_static_ip/mac).  import_file: a new
 * container is made from an exported archive first (its name, or name); its image must exist.
 * ret_id gets the restored container's ID. */
struct engine_restore_opts {
        const char *import_file, *import_previous, *name;
        char **publish;           /* -p: replaces the archive's port mappings */
        bool keep, tcp_established, file_locks, ignore_rootfs, ignore_volumes;
        bool ignore_static_ip, ignore_static_mac, print_stats;
};
int engine_restore(struct engine *e, const char *id, const struct engine_restore_opts *o,
                   char ret_id[CTR_ID_LEN + 1], json_t **ret_stats, struct cu_error **err);
