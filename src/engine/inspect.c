/* SPDX-License-Identifier: GPL-2.0-or-later */
/* inspect and ps --format json: podman's shapes for the fields we have. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/internal.h"
#include "monitor/exitfile.h"
#include "storage/store.h"
#include "util/json.h"
#include "util/strv.h"

static json_t *time_json(int64_t ns)
{
        if (ns <= 0)
                return json_string("0001-01-01T00:00:00Z");
        struct timespec ts = { .tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000 };
        char buf[RFC3339NANO_MAX];
        return json_string(format_rfc3339nano(&ts, buf));
}

static json_t *copy_or(json_t *v, json_t *def)
{
        if (v) {
                json_decref(def);
                return json_deep_copy(v);
        }
        return def;
}

static json_t *joined(json_t *arr)
{
        _cleanup_strv_ char **v = NULL;
        size_t i;
        json_t *s;
        json_array_foreach(arr, i, s)
                (void) strv_extend(&v, json_string_value(s));
        _cleanup_free_ char *j = strv_join(v, " ");
        return json_string(j ? j : "");
}

/* EffectiveCaps and BoundingCaps: what spec generation gives without a root (numeric users),
 * generated once for both. */
static void caps_json(json_t *c, json_t *out)
{
        struct engine_spec_ctx x = { .id = "0", .c = c, .rootfd = -1, .rootfs = "/", .bundle = "/" };
        _cleanup_json_ json_t *spec = engine_spec_generate(&x, NULL);
        free(x.home);
        json_t *caps = json_object_get(json_object_get(spec, "process"), "capabilities");
        json_t *eff = json_object_get(caps, "effective"), *bnd = json_object_get(caps, "bounding");
        json_object_set_new(out, "EffectiveCaps", eff ? json_deep_copy(eff) : json_array());
        json_object_set_new(out, "BoundingCaps", bnd ? json_deep_copy(bnd) : json_array());
}

json_t *engine_inspect_json(struct engine *e, const struct ctr_record *r)
{
        _cleanup_json_ json_t *c = engine_config(r);
        if (!c)
                c = json_object();
        _cleanup_strv_ char **cmd = engine_command(r);
        json_t *args = json_array();
        for (size_t i = 1; cmd && cmd[i]; i++)
                json_array_append_new(args, json_string(cmd[i]));
        bool running = r->state == CTR_STATE_RUNNING || r->state == CTR_STATE_PAUSED;
        _cleanup_free_ char *ud = engine_path(e, r->id, "userdata");
        _cleanup_free_ char *cfgp = engine_path(e, r->id, "config.json");
        _cleanup_free_ char *pidf = engine_path(e, r->id, "pid");
        _cleanup_free_ char *logp = engine_path(e, r->id, "log");
        char hostname[4096], hosts[4096], resolv[4096], merged[4096], diff[4096], work[4096];
        snprintf(hostname, sizeof hostname, "%s/hostname", ud);
        snprintf(hosts, sizeof hosts, "%s/hosts", ud);
        snprintf(resolv, sizeof resolv, "%s/resolv.conf", ud);
        snprintf(merged, sizeof merged, "%s/containers/%s/merged", e->root, r->id);
        snprintf(diff, sizeof diff, "%s/containers/%s/diff", e->root, r->id);
        snprintf(work, sizeof work, "%s/containers/%s/work", e->root, r->id);
        const char *lp = json_string_value(json_object_get(c, "LogPath"));
        json_t *state = json_pack(
                "{s:s, s:s, s:b, s:b, s:b, s:b, s:b, s:I, s:i, s:i, s:s, s:o, s:o, s:{s:s, s:i, s:n},"
                " s:s, s:s}",
                "OciVersion", "1.1.0", "Status", ctr_state_to_string(r->state), "Running",
                r->state == CTR_STATE_RUNNING, "Paused", r->state == CTR_STATE_PAUSED,
                "Restarting", 0, "OOMKilled", 0, "Dead", 0, "Pid", (json_int_t) (running ? r->pid : 0),
                "ConmonPid", 0, "ExitCode", r->has_exit_code ? r->exit_code : 0, "Error", "",
                "StartedAt", time_json(r->started_at), "FinishedAt", time_json(r->finished_at),
                "Health", "Status", "", "FailingStreak", 0, "Log", "CheckpointedAt",
                "0001-01-01T00:00:00Z", "RestoredAt", "0001-01-01T00:00:00Z");
        json_t *ep = json_object_get(c, "Entrypoint");
        json_t *config = json_pack(
                "{s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:b, s:b, s:o, s:o, s:s, s:n, s:s, s:o, s:n,"
                " s:o, s:o, s:i, s:o, s:s, s:i, s:I, s:b}",
                "Hostname", "", "Domainname", "", "User",
                strempty(json_string_value(json_object_get(c, "User"))), "AttachStdin",
                json_is_true(json_object_get(c, "OpenStdin")), "AttachStdout", 0, "AttachStderr", 0,
                "Tty", json_is_true(json_object_get(c, "Tty")), "OpenStdin",
                json_is_true(json_object_get(c, "OpenStdin")), "StdinOnce", 0, "Env",
                copy_or(json_object_get(c, "Env"), json_array()), "Cmd",
                copy_or(json_object_get(c, "Cmd"), json_array()), "Image", strempty(r->image_name),
                "Volumes", "WorkingDir", strempty(json_string_value(json_object_get(c, "WorkingDir"))),
                "Entrypoint", joined(ep), "OnBuild", "Labels",
                copy_or(json_object_get(c, "Labels"), json_object()), "Annotations",
                copy_or(json_object_get(c, "Annotations"), json_object()), "StopSignal",
                (int) json_integer_value(json_object_get(c, "StopSignal")), "CreateCommand",
                copy_or(json_object_get(c, "CreateCommand"), json_array()), "Umask", "0022",
                "Timeout", 0, "StopTimeout", (json_int_t) json_integer_value(json_object_get(c, "StopTimeout")),
                "Passwd", 1);
        const char *hn = json_string_value(json_object_get(c, "Hostname"));
        char shortid[13];
        snprintf(shortid, sizeof shortid, "%.12s", r->id);
        json_object_set_new(config, "Hostname", json_string(hn && *hn ? hn : shortid));
        const char *rp = json_string_value(json_object_get(c, "RestartPolicy"));
        _cleanup_free_ char *rname = strdup(rp && *rp ? rp : "");
        int retries = 0;
        char *colon = rname ? strchr(rname, ':') : NULL;
        if (colon) {
                *colon = '\0';
                retries = atoi(colon + 1);
        }
        json_t *pl = json_object_get(c, "PidsLimit");
        json_t *host = json_pack(
                "{s:[], s:s, s:{s:s, s:i}, s:b, s:o, s:o, s:b, s:b, s:I, s:I,"
                " s:{s:s, s:n, s:s, s:s, s:s}, s:b, s:s, s:s}",
                "Binds", "NetworkMode", strempty(json_string_value(json_object_get(c, "NetworkMode"))),
                "RestartPolicy", "Name", rname ? rname : "", "MaximumRetryCount", retries,
                "AutoRemove", json_is_true(json_object_get(c, "AutoRemove")), "CapAdd",
                copy_or(json_object_get(c, "CapAdd"), json_array()), "CapDrop",
                copy_or(json_object_get(c, "CapDrop"), json_array()), "Privileged",
                json_is_true(json_object_get(c, "Privileged")), "ReadonlyRootfs",
                json_is_true(json_object_get(c, "ReadOnly")), "Memory",
                (json_int_t) json_integer_value(json_object_get(c, "Memory")), "PidsLimit",
                (json_int_t) (json_is_integer(pl) ? json_integer_value(pl) : 0), "LogConfig", "Type",
                strempty(json_string_value(json_object_get(c, "LogDriver"))), "Config", "Path",
                lp && *lp ? lp : strempty(logp), "Tag",
                strempty(json_string_value(json_object_get(c, "LogTag"))), "Size", "0B", "Init",
                json_is_true(json_object_get(c, "Init")), "CgroupManager", "cgroupfs", "IpcMode",
                "private");
        json_t *o = json_object();
        json_object_set_new(o, "Id", json_string(r->id));
        json_object_set_new(o, "Created", time_json(r->created));
        json_object_set_new(o, "Path", json_string(cmd && cmd[0] ? cmd[0] : ""));
        json_object_set_new(o, "Args", args);
        json_object_set_new(o, "State", state);
        json_object_set_new(o, "Image", json_string(strempty(r->image_id)));
        json_object_set_new(o, "ImageName", json_string(strempty(r->image_name)));
        json_object_set_new(o, "Rootfs", json_string(""));
        json_object_set_new(o, "Pod", json_string(strempty(r->pod_id)));
        json_object_set_new(o, "ResolvConfPath", json_string(running ? resolv : ""));
        json_object_set_new(o, "HostnamePath", json_string(running ? hostname : ""));
        json_object_set_new(o, "HostsPath", json_string(running ? hosts : ""));
        json_object_set_new(o, "StaticDir", json_string(strempty(ud)));
        json_object_set_new(o, "OCIConfigPath", json_string(strempty(cfgp)));
        json_object_set_new(o, "OCIRuntime", json_string(json_string_value(json_object_get(c, "OCIRuntime")) ?: "cuttle"));
        json_object_set_new(o, "ConmonPidFile", json_string(""));
        json_object_set_new(o, "PidFile", json_string(strempty(pidf)));
        json_object_set_new(o, "Name", json_string(strempty(r->name)));
        json_object_set_new(o, "RestartCount", json_integer(0));
        json_object_set_new(o, "Driver", json_string(store_driver_name(e->store->driver)));
        json_object_set_new(o, "MountLabel", json_string(""));
        json_object_set_new(o, "ProcessLabel", json_string(""));
        json_object_set_new(o, "AppArmorProfile", json_string(""));
        caps_json(c, o);
        json_object_set_new(o, "ExecIDs", json_array());
        json_object_set_new(o, "GraphDriver",
                            json_pack("{s:s, s:{s:s, s:s, s:s}}", "Name",
                                      store_driver_name(e->store->driver), "Data", "MergedDir",
                                      merged, "UpperDir", diff, "WorkDir", work));
        json_object_set_new(o, "Dependencies", json_array());
        json_object_set_new(o, "Namespace", json_string(""));
        json_object_set_new(o, "IsInfra", json_false());
        json_object_set_new(o, "IsService", json_false());
        json_object_set_new(o, "Config", config);
        json_object_set_new(o, "HostConfig", host);
        engine_inspect_network(e, r, c, o);
        engine_inspect_volumes(e, r, c, o);
        engine_inspect_security(e, r, c, o);
        engine_inspect_bindmounts(e, r, c, o);
        engine_inspect_health(e, r, c, o);
        engine_inspect_notify(e, r, c, o);
        return o;
}

json_t *engine_ps_json(struct engine *e, const struct ctr_record *r)
{
        _cleanup_json_ json_t *c = engine_config(r);
        _cleanup_strv_ char **cmd = engine_command(r);
        json_t *cmdj = json_array();
        for (size_t i = 0; cmd && cmd[i]; i++)
                json_array_append_new(cmdj, json_string(cmd[i]));
        char since[48], d[32];
        int64_t now = engine_now_ns();
        snprintf(since, sizeof since, "%s ago", engine_human_duration(now - r->created, d));
        _cleanup_free_ char *status = engine_status_text(r, now);
        bool exited = r->state == CTR_STATE_EXITED || r->state == CTR_STATE_STOPPED;
        json_t *labels = json_object_get(c, "Labels");
        json_t *o = json_object();
        json_object_set_new(o, "AutoRemove", json_boolean(json_is_true(json_object_get(c, "AutoRemove"))));
        json_object_set_new(o, "Command", cmdj);
        json_object_set_new(o, "CreatedAt", json_string(since));
        json_object_set_new(o, "Exited", json_boolean(exited));
        json_object_set_new(o, "ExitedAt", json_integer(r->finished_at > 0 ? r->finished_at / 1000000000
                                                                          : -62135596800LL));
        json_object_set_new(o, "ExitCode", json_integer(r->has_exit_code ? r->exit_code : 0));
        json_object_set_new(o, "Id", json_string(r->id));
        json_object_set_new(o, "Image", json_string(strempty(r->image_name)));
        json_object_set_new(o, "ImageID", json_string(strempty(r->image_id)));
        json_object_set_new(o, "IsInfra", json_false());
        json_object_set_new(o, "Labels", json_object_size(labels) ? json_deep_copy(labels) : json_null());
        json_object_set_new(o, "Names", json_pack("[s]", strempty(r->name)));
        json_object_set_new(o, "Namespaces", json_object());
        json_object_set_new(o, "Pid", json_integer(engine_is_running(r) ? r->pid : 0));
        json_object_set_new(o, "Pod", json_string(""));
        json_object_set_new(o, "PodName", json_string(""));
        json_object_set_new(o, "Size", json_null());
        json_object_set_new(o, "StartedAt", json_integer(r->started_at / 1000000000));
        json_object_set_new(o, "State", json_string(ctr_state_to_string(r->state)));
        json_object_set_new(o, "Status", json_string(status ? status : ""));
        json_object_set_new(o, "Created", json_integer(r->created / 1000000000));
        engine_ps_network(e, r, c, o);
        engine_ps_volumes(e, r, c, o);
        engine_ps_health(e, r, c, o);
        return o;
}
