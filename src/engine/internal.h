/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared inside the engine only. */
#pragma once

#include "engine/container.h"
#include "engine/events.h"
#include "runtime/runtime.h"

/* The built-in runtime's context (state root <runroot>/runtime); root is caller storage. */
void engine_runtime_ctx(const struct engine *e, struct runtime_ctx *ctx, char root[static 4096]);
/* Whether the runtime still has state for id. */
bool engine_runtime_has(const struct engine *e, const char *id);
/* The container's OCI runtime (container.c): the built-in one in-process, or the external
 * executable recorded at create (config "RuntimePath", `--runtime`), driven through the OCI
 * command line with the same state root.  engine_oci_path(): that executable or NULL. */
int engine_config_runtime(struct engine *e, json_t *c, const struct engine_create_opts *o,
                          json_t *ic, struct cu_error **err);
char *engine_oci_path(const struct ctr_record *r);
int engine_oci_delete(struct engine *e, const struct ctr_record *r, struct cu_error **err);
int engine_oci_pause(struct engine *e, const struct ctr_record *r, bool pause,
                     struct cu_error **err);
int engine_oci_process_defaults(struct engine *e, const struct ctr_record *r,
                                struct oci_process **ret, struct cu_error **err);
int engine_oci_exec(struct engine *e, const struct ctr_record *r, const struct oci_process *p,
                    const struct runtime_exec_opts *o, int *ret_exit_code, struct cu_error **err);
/* The cuttle binary (e->self_exe or /proc/self/exe resolved), malloc'd. */
char *engine_self_exe(const struct engine *e);

/* start.c: starts (init_only: only creates in the runtime, state "initialized") a container
 * whose lock is held; an initialized one is started (engine_start_initialized). */
int engine_start_locked(struct engine *e, struct ctr_record *rec,
                        const struct engine_start_opts *o, bool init_only, struct cu_error **err);
/* The runtime's start error text → podman's error (ENOENT 127, EACCES 126, else EIO). */
int engine_start_error(const char *msg, struct cu_error **err);
/* init.c: starts an initialized container through its monitor's attach socket (START). */
int engine_start_initialized(struct engine *e, struct ctr_record *rec, struct cu_error **err);
/* init.c: a container whose monitor is gone (killed): kills what is left of its process,
 * deletes it from the runtime, undoes prepare and records "exited" (exit code -1 unless one
 * was recorded). */
void engine_orphan_cleanup(struct engine *e, struct ctr_record *rec);

/* With the container's lock held (r re-read under it). */
int engine_stop_locked(struct engine *e, struct ctr_record *r, int timeout, struct cu_error **err);
int engine_remove_locked(struct engine *e, struct ctr_record *r, struct cu_error **err);
/* Re-reads id under its lock: *ret gets the refreshed record.  -ENOENT as ctr_get. */
int engine_get_locked(struct engine *e, const char *id_or_name, struct lock **ret_lock,
                      struct ctr_record **ret, struct cu_error **err);
/* Saves r's state fields. */
int engine_save_state(struct engine *e, const struct ctr_record *r, struct cu_error **err);
/* Merges the keys of kv (stolen) into r->extra (not saved). */
void engine_record_extra_update(struct ctr_record *r, json_t *kv);

/* ------------------------------------------------------------------ per-area hooks
 * Each area of the container's configuration lives in its own file and plugs in here, so
 * that create, start, spec generation, cleanup and inspect stay short:
 *   network.c     --network & co.: NetworkMode, netns, hosts, resolv.conf, ports (prepare.c:
 *                 rootfs mount and network namespace in parallel, as the seed's prepare())
 *   user.c        --user: process.user resolved inside the image, HOME
 *   bindmounts.c  the files the engine makes and bind-mounts (hostname, shm, ...)
 *   security.c    capabilities, rlimits, resources, devices, seccomp, namespaces
 *   volumes.c     -v, --mount, --tmpfs, read-only tmpfs; mount ordering
 *   health.c      healthchecks
 * Create: engine_config_<area>() folds the area's options (and the image config ic, may be
 * NULL) into the container config c.  Start: engine_spec_<area>() adds to the spec, in the
 * order user, security, volumes, bindmounts, network (the user's mounts come first: a file
 * the user mounts, e.g. /etc/hosts, is not made), then engine_spec_mounts_sort(); files are
 * made in the bundle only when x->write_files.  Inspect / ps: engine_inspect_<area>() / engine_ps_<area>() add fields. */
int engine_config_network(struct engine *e, json_t *c, const struct engine_create_opts *o,
                          json_t *ic, struct cu_error **err);
int engine_config_bindmounts(struct engine *e, json_t *c, const struct engine_create_opts *o,
                             json_t *ic, struct cu_error **err);
int engine_config_security(struct engine *e, json_t *c, const struct engine_create_opts *o,
                           json_t *ic, struct cu_error **err);
int engine_config_volumes(struct engine *e, json_t *c, const struct engine_create_opts *o,
                          json_t *ic, struct cu_error **err);
int engine_config_health(struct engine *e, json_t *c, const struct engine_create_opts *o,
                         json_t *ic, struct cu_error **err);

int engine_spec_user(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err);
int engine_spec_security(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err);
int engine_spec_bindmounts(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err);
int engine_spec_network(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err);
int engine_spec_volumes(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err);
/* volumes.c: orders spec.mounts so that no mount covers a later one. */
int engine_spec_mounts_sort(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err);

/* Sets NAME=value in the spec's process.env (keep: leave an existing NAME alone). */
int engine_spec_env_set(json_t *spec, const char *name, const char *value, bool keep);
/* A bind mount entry {destination, type bind, source, options [bind, rprivate, nosuid,
 * nodev, ro|rw]}. */
json_t *engine_spec_bind(const char *dst, const char *src, bool ro);
/* bindmounts.c: a bind mount of one of the engine's files (src) at dst and, for each
 * --chrootdirs directory D, at D/dst (the seed's mountIntoRootDirs(), for hosts and
 * resolv.conf), each unless the user mounts something there. */
int engine_spec_bind_chroot(json_t *spec, struct engine_spec_ctx *x, const char *dst,
                            const char *src);
/* Writes text to <bundle>/<name> (atomically, mode 0644). */
int engine_bundle_file(const char *bundle, const char *name, const char *text,
                       struct cu_error **err);

/* prepare.c: the seed's prepare(): mounts the root filesystem and sets up the network
 * namespace concurrently; on failure of either, rolls back the other.  *ret_rootfs gets the
 * mounted root.  engine_prepare_undo() undoes a prepare whose start failed later. */
int engine_prepare(struct engine *e, struct ctr_record *rec, json_t *c, char **ret_rootfs,
                   struct cu_error **err);
void engine_prepare_undo(struct engine *e, struct ctr_record *rec, json_t *c);

/* namespaces.c: refuses (-EEXIST, podman's "has dependent containers" error) to remove r
 * while a container that joined one of its namespaces runs. */
int engine_namespaces_check_remove(struct engine *e, const struct ctr_record *r,
                                   struct cu_error **err);
/* network.c, port.c: the network mode of a config (arg: the container ID of container:,
 * the path of ns:). */
enum engine_netmode { NETMODE_BRIDGE, NETMODE_NONE, NETMODE_HOST, NETMODE_CONTAINER, NETMODE_NS,
                      NETMODE_SLIRP, NETMODE_PASTA /* user-mode: a helper process (network.c) */ };
/* network.c: slirp4netns and pasta: a namespace of our own plus a helper process. */
static inline bool engine_netmode_usermode(enum engine_netmode m)
{
        return m == NETMODE_SLIRP || m == NETMODE_PASTA;
}
/* network.c: the config's slirp4netns options (NetworkOptions) over podman's defaults. */
struct slirp_opts;
int engine_slirp_opts(json_t *c, struct slirp_opts *ret, struct cu_error **err);
enum engine_netmode engine_netmode(json_t *c, const char **ret_arg);
/* port.c: -p, -P and --expose into the config (PortMappings, PublishAll); host ports are
 * checked to be free when bridge. */
int engine_config_ports(struct engine *e, json_t *c, const struct engine_create_opts *o,
                        json_t *ic, bool bridge, struct cu_error **err);
/* port.c: -EADDRINUSE when another container publishes one of these host ports. */
int engine_ports_check_others(struct engine *e, const char *self_id, const struct port_mapping *v,
                              size_t n, struct cu_error **err);
/* port.c: ps --format json's Ports (podman's [{host_ip, container_port, …}] or null). */
json_t *engine_ps_ports(struct engine *e, const struct ctr_record *r);

/* fs.c: whether the user mounted the container's storage (`container mount`); cleanup
 * leaves it mounted then. */
bool engine_user_mounted(struct engine *e, const char *id);
/* cleanup.c: what an exit leaves to undo, before unmounting or removing the storage: the
 * runtime's container, the network, the volume mounts (each logged, never failing). */
void engine_teardown(struct engine *e, struct ctr_record *r);

/* After the container exited (cleanup) or before it is removed: idempotent. */
int engine_network_cleanup(struct engine *e, struct ctr_record *r, struct cu_error **err);
int engine_volumes_cleanup(struct engine *e, struct ctr_record *r, struct cu_error **err);

void engine_inspect_network(struct engine *e, const struct ctr_record *r, json_t *c, json_t *out);
void engine_inspect_volumes(struct engine *e, const struct ctr_record *r, json_t *c, json_t *out);
void engine_inspect_security(struct engine *e, const struct ctr_record *r, json_t *c, json_t *out);
void engine_inspect_bindmounts(struct engine *e, const struct ctr_record *r, json_t *c,
                               json_t *out);
void engine_inspect_health(struct engine *e, const struct ctr_record *r, json_t *c, json_t *out);
void engine_ps_network(struct engine *e, const struct ctr_record *r, json_t *c, json_t *out);
void engine_ps_volumes(struct engine *e, const struct ctr_record *r, json_t *c, json_t *out);
void engine_ps_health(struct engine *e, const struct ctr_record *r, json_t *c, json_t *out);
/* notify.c: --sdnotify and socket activation.  Create: SdNotifyMode, SdNotifySocket into the
 * config (-EINVAL for a bad mode, podman's text).  Spec: the LISTEN_* environment and, in
 * container mode with a caller's NOTIFY_SOCKET, the proxy's directory at /run/notify (after
 * the other mounts).  Monitor: its --preserve-fds and --sdnotify-* options.  Start: how many
 * fds from 3 on go to the container (engine->preserve_fds, else LISTEN_FDS; each must be
 * open, -EBADF). */
int engine_notify_mode_check(const char *mode, struct cu_error **err);
int engine_config_notify(struct engine *e, json_t *c, const struct engine_create_opts *o,
                         json_t *ic, struct cu_error **err);
int engine_spec_notify(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err);
int engine_notify_monitor_args(struct engine *e, const char *id, json_t *c, unsigned preserve_fds,
                               char ***argv);
int engine_notify_preserve_fds(const struct engine *e, unsigned *ret, struct cu_error **err);
void engine_inspect_notify(struct engine *e, const struct ctr_record *r, json_t *c, json_t *out);
/* health.c: appends the monitor's --health-* options for the container config c (none when
 * it has no healthcheck).  -ENOMEM. */
int engine_health_monitor_args(struct engine *e, const char *id, json_t *c, char ***argv);
