/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The config.json that `spec` writes: the content of runc's `runc spec`,
 * and with --rootless the same turned rootless (user namespace mapping the
 * caller to root, no network namespace, /sys bind-mounted, no uid=/gid=
 * mount options, no cgroup resources).  Tab-indented like Go's
 * json.MarshalIndent output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci/spec.h"
#include "util/json.h"

static const char default_spec[] =
        "{"
        "  \"ociVersion\": \"1.1.0\","
        "  \"process\": {"
        "    \"terminal\": true,"
        "    \"user\": { \"uid\": 0, \"gid\": 0 },"
        "    \"args\": [ \"sh\" ],"
        "    \"env\": ["
        "      \"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\","
        "      \"TERM=xterm\""
        "    ],"
        "    \"cwd\": \"/\","
        "    \"capabilities\": {"
        "      \"bounding\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ],"
        "      \"effective\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ],"
        "      \"permitted\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ],"
        "      \"ambient\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ]"
        "    },"
        "    \"rlimits\": [ { \"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024 } ],"
        "    \"noNewPrivileges\": true"
        "  },"
        "  \"root\": { \"path\": \"rootfs\", \"readonly\": true },"
        "  \"hostname\": \"cuttle\","
        "  \"mounts\": ["
        "    { \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" },"
        "    { \"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
        "      \"options\": [ \"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\" ] },"
        "    { \"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\","
        "      \"options\": [ \"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\","
        "                     \"mode=0620\", \"gid=5\" ] },"
        "    { \"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\","
        "      \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"mode=1777\","
        "                     \"size=65536k\" ] },"
        "    { \"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\","
        "      \"options\": [ \"nosuid\", \"noexec\", \"nodev\" ] },"
        "    { \"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\","
        "      \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"ro\" ] },"
        "    { \"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\","
        "      \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\" ] }"
        "  ],"
        "  \"linux\": {"
        "    \"resources\": { \"devices\": [ { \"allow\": false, \"access\": \"rwm\" } ] },"
        "    \"namespaces\": ["
        "      { \"type\": \"pid\" }, { \"type\": \"network\" }, { \"type\": \"ipc\" },"
        "      { \"type\": \"uts\" }, { \"type\": \"mount\" }, { \"type\": \"cgroup\" }"
        "    ],"
        "    \"maskedPaths\": ["
        "      \"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\","
        "      \"/proc/latency_stats\", \"/proc/timer_list\", \"/proc/timer_stats\","
        "      \"/proc/sched_debug\", \"/sys/firmware\", \"/proc/scsi\","
        "      \"/sys/devices/virtual/powercap\""
        "    ],"
        "    \"readonlyPaths\": ["
        "      \"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", \"/proc/sysrq-trigger\""
        "    ]"
        "  }"
        "}";

/* Keeps every namespace but network and user, then appends a new user namespace. */
static int rootless_namespaces(json_t *lnx)
{
        json_t *old = json_object_get(lnx, "namespaces");
        json_t *ns = json_array();
        size_t i;
        json_t *v;

        if (!ns)
                return -1;
        json_array_foreach(old, i, v) {
                const char *t = json_string_value(json_object_get(v, "type"));
                if (!streq_ptr(t, "network") && !streq_ptr(t, "user"))
                        json_array_append(ns, v);
        }
        json_array_append_new(ns, json_pack("{s:s}", "type", "user"));
        return json_object_set_new(lnx, "namespaces", ns);
}

static int rootless_mappings(json_t *lnx)
{
        json_t *u = json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID",
                              (json_int_t) geteuid(), "size", 1);
        json_t *g = json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID",
                              (json_int_t) getegid(), "size", 1);
        if (json_object_set_new(lnx, "uidMappings", u) < 0 ||
            json_object_set_new(lnx, "gidMappings", g) < 0)
                return -1;
        return 0;
}

/* /sys becomes a read-only rbind of the host's; uid=/gid= options go. */
static int rootless_mounts(json_t *spec)
{
        json_t *mounts = json_object_get(spec, "mounts");
        size_t i;
        json_t *m;

        json_array_foreach(mounts, i, m) {
                if (streq_ptr(json_string_value(json_object_get(m, "destination")), "/sys")) {
                        json_t *sys = json_pack("{s:s, s:s, s:s, s:[s, s, s, s, s]}",
                                                "destination", "/sys", "type", "none", "source",
                                                "/sys", "options", "rbind", "nosuid", "noexec",
                                                "nodev", "ro");
                        if (json_array_set_new(mounts, i, sys) < 0)
                                return -1;
                        continue;
                }

                json_t *opts = json_object_get(m, "options");
                for (size_t j = json_array_size(opts); j > 0; j--) {
                        const char *o = json_string_value(json_array_get(opts, j - 1));
                        if (o && (strncmp(o, "uid=", 4) == 0 || strncmp(o, "gid=", 4) == 0))
                                json_array_remove(opts, j - 1);
                }
        }
        return 0;
}

static int make_rootless(json_t *spec)
{
        json_t *lnx = json_object_get(spec, "linux");

        if (rootless_namespaces(lnx) < 0 || rootless_mappings(lnx) < 0 ||
            rootless_mounts(spec) < 0)
                return -1;
        json_object_del(lnx, "resources");
        return 0;
}

char *oci_spec_default_json(bool rootless)
{
        _cleanup_json_ json_t *spec = json_loads(default_spec, 0, NULL);
        if (!spec)
                return NULL;
        if (rootless && make_rootless(spec) < 0)
                return NULL;

        /* One space per level, then each leading space becomes a tab. */
        char *text = json_dumps(spec, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
        if (!text)
                return NULL;
        for (char *line = text; line; line = strchr(line, '\n')) {
                if (*line == '\n')
                        line++;
                for (; *line == ' '; line++)
                        *line = '\t';
        }
        return text;
}
