/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * prepare (the seed's prepare()): the container's root filesystem is mounted in a thread
 * while this thread sets up its network namespace; then, as the seed does:
 *   - the mount failed: its error is the one returned (a network error is logged), and
 *     storage is NOT cleaned up (a failed mount has nothing to undo);
 *   - only the network failed: the mount is undone;
 *   - either failed: the network is cleaned up (always safe: net_teardown is idempotent).
 * The mount thread touches no database and no shared state: it gets its own error.
 *
 * Also here: network connect / disconnect / reload of a container (the seed's
 * reloadNetwork), which work on the same setup.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/internal.h"
#include "network/ipam.h"
#include "network/networks.h"
#include "network/pasta.h"
#include "network/setup.h"
#include "network/slirp.h"
#include "state/lock.h"
#include "storage/rootfs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strv.h"

/* ------------------------------------------------------------------ network setup */

struct attach_set {
        struct net_attach_opts v[8];
        char **ips[8];
        char **aliases[8];
        size_t n;
};

static void attach_set_done(struct attach_set *s)
{
        for (size_t i = 0; i < s->n; i++) {
                strv_free(s->ips[i]);
                strv_free(s->aliases[i]);
        }
        s->n = 0;
}

/* The config's Networks as setup's attach options (strings borrowed from c). */
static int attach_set_from(json_t *c, struct attach_set *s, struct cu_error **err)
{
        size_t i;
        json_t *ent;
        json_array_foreach(json_object_get(c, "Networks"), i, ent) {
                if (s->n == ELEMENTSOF(s->v))
                        return cu_error_setx(err, E2BIG, "too many networks");
                int r = json_get_strv(ent, "StaticIPs", "network", &s->ips[s->n], err);
                if (r >= 0)
                        r = json_get_strv(ent, "Aliases", "network", &s->aliases[s->n], err);
                if (r < 0) {
                        s->n++;
                        return r;
                }
                const char *mac = json_string_value(json_object_get(ent, "MAC"));
                s->v[s->n] = (struct net_attach_opts) { .network = json_string_value(json_object_get(ent, "Name")),
                                                        .static_ips = s->ips[s->n],
                                                        .mac = mac && *mac ? mac : NULL,
                                                        .aliases = s->aliases[s->n] };
                s->n++;
        }
        return 0;
}

static int setup_bridge(struct engine *e, struct ctr_record *rec, json_t *c, struct cu_error **err)
{
        struct port_mapping *pm = NULL;
        size_t np = 0;
        struct attach_set set = { 0 };
        _cleanup_free_ char *ud = engine_path(e, rec->id, "userdata");
        char hosts[4096];
        snprintf(hosts, sizeof hosts, "%s/hosts", strempty(ud));
        int r = attach_set_from(c, &set, err);
        json_t *pj = json_object_get(c, "PortMappings");
        if (r >= 0 && pj)
                r = ports_load_json(pj, &pm, &np, err);
        if (r >= 0 && np > 0) {
                r = engine_ports_check_others(e, rec->id, pm, np, err);
                if (r >= 0)
                        r = ports_assign(pm, np, err);
        }
        if (r >= 0) {
                struct net_setup_opts o = { .runroot = e->runroot, .container_id = rec->id,
                                            .container_name = rec->name, .nets = set.v, .n_nets = set.n,
                                            .ports = pm, .n_ports = np,
                                            .hosts_path = json_is_true(json_object_get(c, "NoHosts")) ? NULL : hosts };
                r = net_setup(e->db, &o, NULL, err);
        }
        attach_set_done(&set);
        free(pm);
        return r;
}

/* slirp4netns's exit pipe, write end (see slirp.h: who owns the process).  The one fd the
 * engine lets a child inherit on purpose: prepare clears its O_CLOEXEC, so that the monitor
 * (start.c forks and execs it right after prepare) holds it for the container's life, as
 * podman leaks it into conmon; the container does not get it (the runtime closes every fd
 * above its preserved ones).  This process's copy is closed by the next prepare or undo
 * (a process that starts several containers must not hand one's pipe to the next one's
 * monitor), or at exit. */
static int slirp_handoff_fd = -1;

static void handoff_close(void)
{
        slirp_handoff_fd = safe_close(slirp_handoff_fd);
}

/* Published ports of a slirp4netns / pasta container: checked and chosen now. */
static int usermode_ports(struct engine *e, struct ctr_record *rec, json_t *c, struct port_mapping **pm,
                          size_t *np, struct cu_error **err)
{
        json_t *pj = json_object_get(c, "PortMappings");
        int r = pj ? ports_load_json(pj, pm, np, err) : 0;
        if (r >= 0 && *np > 0) {
                r = engine_ports_check_others(e, rec->id, *pm, *np, err);
                if (r >= 0)
                        r = ports_assign(*pm, *np, err);
        }
        return r;
}

/* A namespace with lo only, then the helper that connects it (network/slirp.h, pasta.h). */
static int setup_usermode(struct engine *e, struct ctr_record *rec, json_t *c, enum engine_netmode m,
                          struct cu_error **err)
{
        struct port_mapping *pm = NULL;
        size_t np = 0;
        _cleanup_free_ char *ns = net_netns_path(e->runroot, rec->id);
        if (!ns)
                return -ENOMEM;
        int r = usermode_ports(e, rec, c, &pm, &np, err);
        if (r >= 0)
                r = net_setup_none(e->runroot, rec->id, err);
        if (r >= 0 && m == NETMODE_SLIRP) {
                struct slirp_opts so;
                int fd = -1;
                r = engine_slirp_opts(c, &so, err);
                struct slirp_start_opts o = { .runroot = e->runroot, .container_id = rec->id, .netns_path = ns,
                                              .opts = &so, .ports = pm, .n_ports = np };
                if (r >= 0)
                        r = slirp_start(&o, &fd, err);
                if (r >= 0) {
                        handoff_close();
                        slirp_handoff_fd = fd;
                        if (fcntl(fd, F_SETFD, 0) < 0)
                                log_debug("slirp4netns exit pipe: %m");
                }
        } else if (r >= 0) {
                _cleanup_strv_ char **opts = NULL;
                json_t *no = json_object_get(c, "NetworkOptions");
                r = no ? json_get_strv(no, "pasta", "NetworkOptions", &opts, err) : 0;
                struct pasta_start_opts o = { .runroot = e->runroot, .container_id = rec->id, .netns_path = ns,
                                              .user_opts = opts, .ports = pm, .n_ports = np };
                if (r >= 0)
                        r = pasta_start(&o, err);
        }
        free(pm);
        return r;
}

/* What a previous run left behind (a crash, a kill -9 of the engine or of the monitor)
 * goes first: net_setup wants a clean slate. */
static void stale_cleanup(struct engine *e, struct ctr_record *rec)
{
        _cleanup_free_ char *p = net_netns_path(e->runroot, rec->id);
        _cleanup_json_ json_t *att = NULL;
        if (ipam_attachment_get(e->db, rec->id, &att, NULL) < 0 || (!att && p && access(p, F_OK) < 0))
                return;
        _cleanup_error_ struct cu_error *x = NULL;
        if (net_teardown(e->db, e->runroot, rec->id, &x) < 0)
                log_debug("stale network of %.12s: %s", rec->id, cu_error_msg(x));
}

static void stale_helper_cleanup(struct engine *e, struct ctr_record *rec)
{
        if (net_helper_pid(e->runroot, rec->id) > 0) /* its monitor was killed, say */
                (void) net_helper_stop(e->runroot, rec->id, NULL);
}

static int network_prepare(struct engine *e, struct ctr_record *rec, json_t *c, enum engine_netmode m,
                           struct cu_error **err)
{
        stale_helper_cleanup(e, rec);
        stale_cleanup(e, rec);
        handoff_close();
        int r = m == NETMODE_BRIDGE  ? setup_bridge(e, rec, c, err)
                : engine_netmode_usermode(m) ? setup_usermode(e, rec, c, m, err)
                                         : net_setup_none(e->runroot, rec->id, err);
        return r < 0 ? cu_error_prefix(err, r, "setting up the network of container %.12s", rec->id) : 0;
}

/* ------------------------------------------------------------------ prepare */

struct mount_job {
        struct store *store;
        const char *id;
        char *path;
        struct cu_error *err;
        int r;
};

static void *mount_thread(void *p)
{
        struct mount_job *j = p;
        j->r = rootfs_mount(j->store, j->id, &j->path, &j->err);
        return NULL;
}

int engine_prepare(struct engine *e, struct ctr_record *rec, json_t *c, char **ret_rootfs,
                   struct cu_error **err)
{
        enum engine_netmode m = engine_netmode(c, NULL);
        bool net = m == NETMODE_BRIDGE || m == NETMODE_NONE || engine_netmode_usermode(m);
        struct mount_job j = { .store = e->store, .id = rec->id };
        pthread_t t;
        bool threaded = net && pthread_create(&t, NULL, mount_thread, &j) == 0;
        if (!threaded)
                mount_thread(&j);
        _cleanup_error_ struct cu_error *nerr = NULL;
        int rn = net ? network_prepare(e, rec, c, m, &nerr) : 0;
        if (threaded)
                (void) pthread_join(t, NULL);
        if (j.r < 0 && rn < 0)
                log_debug("preparing container %s: %s", rec->id, cu_error_msg(nerr));
        if (rn < 0 && j.r >= 0) /* only a successful mount is undone */
                (void) rootfs_unmount(e->store, rec->id, NULL);
        if ((rn < 0 || j.r < 0) && net) {
                _cleanup_error_ struct cu_error *x = NULL;
                if (engine_network_cleanup(e, rec, &x) < 0)
                        log_debug("cleaning up the network of %s after a failed prepare: %s", rec->id,
                                  cu_error_msg(x));
        }
        if (j.r < 0) {
                free(j.path);
                if (err && !*err)
                        *err = TAKE_PTR(j.err);
                cu_error_free(j.err);
                return cu_error_prefix(err, j.r, "mounting storage for container %s", rec->id);
        }
        if (rn < 0) {
                free(j.path);
                if (err && !*err)
                        *err = TAKE_PTR(nerr);
                return rn;
        }
        *ret_rootfs = j.path;
        return 0;
}

void engine_prepare_undo(struct engine *e, struct ctr_record *rec, json_t *c)
{
        (void) c;
        handoff_close();
        _cleanup_error_ struct cu_error *x = NULL;
        if (engine_network_cleanup(e, rec, &x) < 0)
                log_debug("undoing prepare of %s: %s", rec->id, cu_error_msg(x));
        cu_error_clear(&x);
        /* the volume hook mounts (overlay and image volumes) during spec generation: a start
         * that fails later must not leave them */
        if (engine_volumes_cleanup(e, rec, &x) < 0)
                log_debug("undoing the mounts of %s: %s", rec->id, cu_error_msg(x));
        (void) rootfs_unmount(e->store, rec->id, NULL);
}

/* ------------------------------------------------------------------ connect, disconnect, reload */

static int save_config(struct engine *e, struct ctr_record *r, json_t *c, struct cu_error **err)
{
        _cleanup_free_ char *text = json_dumps(c, JSON_COMPACT);
        if (!text)
                return cu_error_set(err, ENOMEM, "encoding the container config");
        int ret = ctr_set_config(e->db, r->id, text, err);
        if (ret >= 0) {
                free(r->config);
                r->config = TAKE_PTR(text);
        }
        return ret;
}

static int bridge_config(struct ctr_record *r, json_t **ret_c, struct cu_error **err)
{
        json_t *c = engine_config(r);
        if (!c)
                return cu_error_setx(err, EUCLEAN, "container %s: broken config", r->id);
        const char *mode = json_string_value(json_object_get(c, "NetworkMode"));
        if (engine_netmode(c, NULL) != NETMODE_BRIDGE) {
                int ret = cu_error_setx(err, EINVAL, "\"%s\" is not supported: invalid network mode",
                                        strempty(mode));
                json_decref(c);
                return ret;
        }
        *ret_c = c;
        return 0;
}

int engine_network_connect(struct engine *e, const char *ctr, const struct engine_connect_opts *o,
                           struct cu_error **err)
{
        _cleanup_lock_ struct lock *l = NULL;
        _cleanup_ctr_record_ struct ctr_record *r = NULL;
        _cleanup_json_ json_t *c = NULL;
        int ret = engine_get_locked(e, ctr, &l, &r, err);
        if (ret < 0 || (ret = bridge_config(r, &c, err)) < 0)
                return ret;
        _cleanup_network_ struct cu_network *n = NULL;
        if ((ret = network_get(e->db, o->network, &n, err)) < 0)
                return ret;
        json_t *nets = json_object_get(c, "Networks");
        size_t i;
        json_t *ent;
        json_array_foreach(nets, i, ent)
                if (streq_ptr(json_string_value(json_object_get(ent, "Name")), n->name))
                        return cu_error_setx(err, EEXIST,
                                             "container %s is already connected to network \"%s\": network is already connected",
                                             r->id, n->name);
        json_t *add = json_pack("{s:s, s:[], s:s, s:[]}", "Name", n->name, "StaticIPs", "MAC", strempty(o->mac),
                                "Aliases");
        const char *ips[] = { o->ip, o->ip6 };
        for (size_t k = 0; k < 2; k++)
                if (ips[k]) {
                        struct cu_ip ip;
                        bool inside = false;
                        if ((ret = cu_ip_parse(ips[k], &ip, err)) < 0) {
                                json_decref(add);
                                return ret;
                        }
                        for (size_t q = 0; q < n->n_subnets && !inside; q++)
                                inside = cu_cidr_contains(&n->subnets[q].subnet, &ip);
                        if (!inside) {
                                json_decref(add);
                                return cu_error_setx(err, EINVAL, "requested static ip %s not in any subnet on network %s",
                                                     ips[k], n->name);
                        }
                        json_array_append_new(json_object_get(add, "StaticIPs"), json_string(ips[k]));
                }
        for (char **a = o->aliases; a && *a; a++)
                json_array_append_new(json_object_get(add, "Aliases"), json_string(*a));
        json_array_append_new(nets, add);
        if (engine_is_running(r)) {
                struct attach_set set = { 0 };
                _cleanup_json_ json_t *one = json_pack("{s:[O]}", "Networks", add);
                ret = attach_set_from(one, &set, err);
                if (ret >= 0)
                        ret = net_connect(e->db, e->runroot, r->id, &set.v[0], err);
                attach_set_done(&set);
                if (ret < 0)
                        return ret;
        }
        ret = save_config(e, r, c, err);
        if (ret < 0 && engine_is_running(r))
                (void) net_disconnect(e->db, e->runroot, r->id, n->name, NULL);
        return ret;
}

int engine_network_disconnect(struct engine *e, const char *ctr, const char *network,
                              struct cu_error **err)
{
        _cleanup_lock_ struct lock *l = NULL;
        _cleanup_ctr_record_ struct ctr_record *r = NULL;
        _cleanup_json_ json_t *c = NULL;
        int ret = engine_get_locked(e, ctr, &l, &r, err);
        if (ret < 0 || (ret = bridge_config(r, &c, err)) < 0)
                return ret;
        _cleanup_network_ struct cu_network *n = NULL;
        if ((ret = network_get(e->db, network, &n, err)) < 0)
                return ret;
        json_t *nets = json_object_get(c, "Networks");
        size_t i, found = SIZE_MAX;
        json_t *ent;
        json_array_foreach(nets, i, ent)
                if (streq_ptr(json_string_value(json_object_get(ent, "Name")), n->name))
                        found = i;
        if (found == SIZE_MAX)
                return cu_error_setx(err, ENOENT, "container %s is not connected to network %s: network not found",
                                     r->id, n->name);
        if (engine_is_running(r) && (ret = net_disconnect(e->db, e->runroot, r->id, n->name, err)) < 0)
                return ret;
        json_array_remove(nets, found);
        return save_config(e, r, c, err);
}

int engine_network_reload(struct engine *e, const char *ctr, struct cu_error **err)
{
        _cleanup_lock_ struct lock *l = NULL;
        _cleanup_ctr_record_ struct ctr_record *r = NULL;
        int ret = engine_get_locked(e, ctr, &l, &r, err);
        if (ret < 0)
                return ret;
        _cleanup_json_ json_t *c = engine_config(r);
        if (engine_netmode(c, NULL) != NETMODE_BRIDGE || !engine_is_running(r))
                return 0; /* nothing of it is in the firewall */
        json_t *st = NULL;
        ret = net_reload(e->db, e->runroot, r->id, &st, err);
        json_decref(st);
        return ret < 0 ? cu_error_prefix(err, ret, "reloading the network of %s", r->name) : 0;
}
