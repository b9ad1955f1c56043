/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>

#include "oci/spec-seccomp.h"
#include "oci/spec.h"
#include "util/strv.h"

static const char full_config[] =
        "{\n"
        "  \"ociVersion\": \"1.1.0\",\n"
        "  \"root\": { \"path\": \"rootfs\", \"readonly\": true },\n"
        "  \"process\": {\n"
        "    \"terminal\": true,\n"
        "    \"consoleSize\": { \"height\": 25, \"width\": 80 },\n"
        "    \"user\": { \"uid\": 1000, \"gid\": 100, \"umask\": 18,\n"
        "                \"additionalGids\": [ 5, 10, 4294967295 ] },\n"
        "    \"args\": [ \"/bin/sh\", \"-c\", \"echo hi\" ],\n"
        "    \"env\": [ \"PATH=/usr/bin:/bin\", \"TERM=xterm\", \"EMPTY=\" ],\n"
        "    \"cwd\": \"/work\",\n"
        "    \"capabilities\": {\n"
        "      \"bounding\": [ \"CAP_CHOWN\", \"CAP_KILL\" ],\n"
        "      \"effective\": [ \"CAP_KILL\" ],\n"
        "      \"inheritable\": [],\n"
        "      \"permitted\": [ \"CAP_CHOWN\", \"CAP_KILL\" ],\n"
        "      \"ambient\": [ \"CAP_KILL\" ]\n"
        "    },\n"
        "    \"rlimits\": [\n"
        "      { \"type\": \"RLIMIT_NOFILE\", \"hard\": 4096, \"soft\": 1024 },\n"
        "      { \"type\": \"RLIMIT_CORE\", \"hard\": 9223372036854775807,\n"
        "        \"soft\": 0 }\n"
        "    ],\n"
        "    \"noNewPrivileges\": true,\n"
        "    \"apparmorProfile\": \"cuttle-default\",\n"
        "    \"oomScoreAdj\": -500,\n"
        "    \"selinuxLabel\": \"system_u:system_r:container_t:s0:c1,c2\"\n"
        "  },\n"
        "  \"hostname\": \"box\",\n"
        "  \"domainname\": \"example.org\",\n"
        "  \"mounts\": [\n"
        "    { \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" },\n"
        "    { \"destination\": \"/data\", \"type\": \"bind\", \"source\": \"/srv/data\",\n"
        "      \"options\": [ \"rbind\", \"ro\", \"idmap\" ],\n"
        "      \"uidMappings\": [ { \"containerID\": 0, \"hostID\": 100000, \"size\": 65536 } ],\n"
        "      \"gidMappings\": [ { \"containerID\": 0, \"hostID\": 200000, \"size\": 1000 },\n"
        "                         { \"containerID\": 1000, \"hostID\": 300000, \"size\": 1 } ]\n"
        "    }\n"
        "  ],\n"
        "  \"hooks\": {\n"
        "    \"prestart\": [ { \"path\": \"/usr/bin/legacy\" } ],\n"
        "    \"createRuntime\": [ { \"path\": \"/usr/bin/hook\", \"args\": [ \"hook\", \"cr\" ],\n"
        "                         \"env\": [ \"A=1\" ], \"timeout\": 5 },\n"
        "                       { \"path\": \"/usr/bin/hook2\" } ],\n"
        "    \"createContainer\": [ { \"path\": \"/cc\" } ],\n"
        "    \"startContainer\": [ { \"path\": \"/sc\" } ],\n"
        "    \"poststart\": [ { \"path\": \"/ps\" } ],\n"
        "    \"poststop\": [ { \"path\": \"/pst\", \"timeout\": 30 } ]\n"
        "  },\n"
        "  \"annotations\": { \"org.example.key\": \"value\", \"io.cuttle.x\": \"\" },\n"
        "  \"linux\": {\n"
        "    \"namespaces\": [\n"
        "      { \"type\": \"pid\" }, { \"type\": \"network\", \"path\": \"/run/netns/x\" },\n"
        "      { \"type\": \"mount\" }, { \"type\": \"ipc\" },\n"
        "      { \"type\": \"uts\", \"path\": \"\" },\n"
        "      { \"type\": \"user\" }, { \"type\": \"cgroup\" }, { \"type\": \"time\" }\n"
        "    ],\n"
        "    \"uidMappings\": [ { \"containerID\": 0, \"hostID\": 1000, \"size\": 1 } ],\n"
        "    \"gidMappings\": [ { \"containerID\": 0, \"hostID\": 1001, \"size\": 2 } ],\n"
        "    \"devices\": [\n"
        "      { \"path\": \"/dev/fuse\", \"type\": \"c\", \"major\": 10, \"minor\": 229,\n"
        "        \"fileMode\": 438, \"uid\": 0, \"gid\": 0 },\n"
        "      { \"path\": \"/dev/fifo\", \"type\": \"p\" }\n"
        "    ],\n"
        "    \"cgroupsPath\": \"/machine/box\",\n"
        "    \"resources\": {\n"
        "      \"devices\": [\n"
        "        { \"allow\": false, \"access\": \"rwm\" },\n"
        "        { \"allow\": true, \"type\": \"c\", \"major\": 10, \"minor\": 229,\n"
        "          \"access\": \"rw\" }\n"
        "      ],\n"
        "      \"memory\": { \"limit\": 536870912, \"reservation\": 268435456, \"swap\": -1,\n"
        "                  \"kernel\": 1, \"kernelTCP\": 2, \"swappiness\": 60,\n"
        "                  \"disableOOMKiller\": true, \"useHierarchy\": false },\n"
        "      \"cpu\": { \"shares\": 1024, \"quota\": 50000, \"burst\": 1000,\n"
        "               \"period\": 100000,\n"
        "               \"realtimeRuntime\": 950000, \"realtimePeriod\": 1000000,\n"
        "               \"cpus\": \"0-3\", \"mems\": \"0\", \"idle\": 1 },\n"
        "      \"pids\": { \"limit\": 100 },\n"
        "      \"blockIO\": {\n"
        "        \"weight\": 500, \"leafWeight\": 300,\n"
        "        \"weightDevice\": [ { \"major\": 8, \"minor\": 0, \"weight\": 700 } ],\n"
        "        \"throttleReadBpsDevice\": [ { \"major\": 8, \"minor\": 0,\n"
        "                                    \"rate\": 1048576 } ],\n"
        "        \"throttleWriteBpsDevice\": [ { \"major\": 8, \"minor\": 16, \"rate\": 2 } ],\n"
        "        \"throttleReadIOPSDevice\": [ { \"major\": 8, \"minor\": 32, \"rate\": 3 } ],\n"
        "        \"throttleWriteIOPSDevice\": [ { \"major\": 8, \"minor\": 48, \"rate\": 4 },\n"
        "                                     { \"major\": 8, \"minor\": 64, \"rate\": 5 } ]\n"
        "      },\n"
        "      \"hugepageLimits\": [ { \"pageSize\": \"2MB\", \"limit\": 209715200 } ],\n"
        "      \"unified\": { \"memory.high\": \"1G\", \"io.weight\": \"default 100\" }\n"
        "    },\n"
        "    \"sysctl\": { \"net.ipv4.ip_forward\": \"1\" },\n"
        "    \"rootfsPropagation\": \"rslave\",\n"
        "    \"maskedPaths\": [ \"/proc/kcore\", \"/sys/firmware\" ],\n"
        "    \"readonlyPaths\": [ \"/proc/sys\" ],\n"
        "    \"mountLabel\": \"system_u:object_r:container_file_t:s0\",\n"
        "    \"personality\": { \"domain\": \"LINUX32\" }\n"
        "  }\n"
        "}\n";

static struct oci_spec *parse(const char *json, struct cu_error **err)
{
        return oci_spec_parse_data(json, strlen(json), "t.json", err);
}

/* Writes text to a fresh temporary file; the caller unlinks and frees the path. */
static char *write_temp(const char *text)
{
        char *path = strdup("/tmp/test-spec-parse-XXXXXX");
        assert_non_null(path);
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        size_t len = strlen(text);
        assert_int_equal(write(fd, text, len), (ssize_t) len);
        close(fd);
        return path;
}

static void test_full_top(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_(oci_spec_freep) struct oci_spec *s = parse(full_config, &err);
        assert_non_null(s);
        assert_null(err);

        assert_string_equal(s->oci_version, "1.1.0");
        assert_true(s->has_root);
        assert_string_equal(s->root.path, "rootfs");
        assert_true(s->root.readonly);
        assert_string_equal(s->hostname, "box");
        assert_string_equal(s->domainname, "example.org");
        assert_string_equal(oci_spec_annotation(s, "org.example.key"), "value");
        assert_string_equal(oci_spec_annotation(s, "io.cuttle.x"), "");
        assert_null(oci_spec_annotation(s, "missing"));

        assert_int_equal(s->n_mounts, 2);
        assert_string_equal(s->mounts[0].destination, "/proc");
        assert_string_equal(s->mounts[0].type, "proc");
        assert_null(s->mounts[0].options);
        assert_string_equal(s->mounts[1].source, "/srv/data");
        assert_int_equal(strv_length(s->mounts[1].options), 3);
        assert_string_equal(s->mounts[1].options[2], "idmap");
        assert_int_equal(s->mounts[1].n_uid_mappings, 1);
        assert_int_equal(s->mounts[1].uid_mappings[0].host_id, 100000);
        assert_int_equal(s->mounts[1].uid_mappings[0].size, 65536);
        assert_int_equal(s->mounts[1].n_gid_mappings, 2);
        assert_int_equal(s->mounts[1].gid_mappings[1].container_id, 1000);
        assert_int_equal(s->mounts[1].gid_mappings[1].host_id, 300000);

        const struct oci_hooks *h = &s->hooks;
        assert_int_equal(h->n_hooks[OCI_HOOK_PRESTART], 1);
        assert_string_equal(h->hooks[OCI_HOOK_PRESTART][0].path, "/usr/bin/legacy");
        assert_false(h->hooks[OCI_HOOK_PRESTART][0].has_timeout);
        assert_int_equal(h->n_hooks[OCI_HOOK_CREATE_RUNTIME], 2);
        assert_string_equal(h->hooks[OCI_HOOK_CREATE_RUNTIME][0].args[1], "cr");
        assert_string_equal(h->hooks[OCI_HOOK_CREATE_RUNTIME][0].env[0], "A=1");
        assert_true(h->hooks[OCI_HOOK_CREATE_RUNTIME][0].has_timeout);
        assert_int_equal(h->hooks[OCI_HOOK_CREATE_RUNTIME][0].timeout, 5);
        assert_string_equal(h->hooks[OCI_HOOK_CREATE_RUNTIME][1].path, "/usr/bin/hook2");
        assert_string_equal(h->hooks[OCI_HOOK_CREATE_CONTAINER][0].path, "/cc");
        assert_string_equal(h->hooks[OCI_HOOK_START_CONTAINER][0].path, "/sc");
        assert_string_equal(h->hooks[OCI_HOOK_POSTSTART][0].path, "/ps");
        assert_int_equal(h->hooks[OCI_HOOK_POSTSTOP][0].timeout, 30);
}

static void test_full_process(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_(oci_spec_freep) struct oci_spec *s = parse(full_config, &err);
        assert_non_null(s);
        const struct oci_process *p = s->process;
        assert_non_null(p);

        assert_true(p->terminal);
        assert_true(p->has_console_size);
        assert_int_equal(p->console_size.height, 25);
        assert_int_equal(p->console_size.width, 80);
        assert_int_equal(p->user.uid, 1000);
        assert_int_equal(p->user.gid, 100);
        assert_true(p->user.has_umask);
        assert_int_equal(p->user.umask, 022);
        assert_int_equal(p->user.n_additional_gids, 3);
        assert_int_equal(p->user.additional_gids[1], 10);
        assert_int_equal(p->user.additional_gids[2], 4294967295u);
        assert_int_equal(strv_length(p->args), 3);
        assert_string_equal(p->args[2], "echo hi");
        assert_string_equal(strv_env_get(p->env, "TERM"), "xterm");
        assert_string_equal(strv_env_get(p->env, "EMPTY"), "");
        assert_string_equal(p->cwd, "/work");

        assert_true(p->has_capabilities);
        assert_int_equal(strv_length(p->caps.bounding), 2);
        assert_string_equal(p->caps.effective[0], "CAP_KILL");
        assert_non_null(p->caps.inheritable);
        assert_null(p->caps.inheritable[0]);
        assert_true(strv_contains(p->caps.permitted, "CAP_CHOWN"));
        assert_string_equal(p->caps.ambient[0], "CAP_KILL");

        assert_int_equal(p->n_rlimits, 2);
        assert_string_equal(p->rlimits[0].type, "RLIMIT_NOFILE");
        assert_int_equal(p->rlimits[0].resource, RLIMIT_NOFILE);
        assert_int_equal(p->rlimits[0].hard, 4096);
        assert_int_equal(p->rlimits[0].soft, 1024);
        assert_int_equal(p->rlimits[1].resource, RLIMIT_CORE);
        assert_true(p->rlimits[1].hard == INT64_MAX);

        assert_true(p->no_new_privileges);
        assert_string_equal(p->apparmor_profile, "cuttle-default");
        assert_true(p->has_oom_score_adj);
        assert_int_equal(p->oom_score_adj, -500);
        assert_string_equal(p->selinux_label, "system_u:system_r:container_t:s0:c1,c2");
}

static void test_full_linux(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_(oci_spec_freep) struct oci_spec *s = parse(full_config, &err);
        assert_non_null(s);
        const struct oci_linux *l = &s->linux_;
        assert_true(s->has_linux);

        assert_int_equal(l->n_namespaces, 8);
        for (int t = 0; t < _OCI_NS_MAX; t++)
                assert_non_null(oci_spec_namespace(s, (enum oci_ns_type) t));
        assert_string_equal(oci_spec_namespace(s, OCI_NS_NETWORK)->path, "/run/netns/x");
        assert_null(oci_spec_namespace(s, OCI_NS_UTS)->path);
        assert_null(oci_spec_namespace(s, OCI_NS_PID)->path);

        assert_int_equal(l->n_uid_mappings, 1);
        assert_int_equal(l->uid_mappings[0].host_id, 1000);
        assert_int_equal(l->n_gid_mappings, 1);
        assert_int_equal(l->gid_mappings[0].size, 2);

        assert_int_equal(l->n_devices, 2);
        assert_string_equal(l->devices[0].path, "/dev/fuse");
        assert_int_equal(l->devices[0].type, 'c');
        assert_int_equal(l->devices[0].major, 10);
        assert_int_equal(l->devices[0].minor, 229);
        assert_true(l->devices[0].has_file_mode);
        assert_int_equal(l->devices[0].file_mode, 0666);
        assert_true(l->devices[0].has_uid);
        assert_true(l->devices[0].has_gid);
        assert_int_equal(l->devices[1].type, 'p');
        assert_false(l->devices[1].has_file_mode);
        assert_false(l->devices[1].has_uid);

        assert_string_equal(l->cgroups_path, "/machine/box");
        assert_string_equal(strv_map_get(l->sysctl, "net.ipv4.ip_forward"), "1");
        assert_string_equal(l->rootfs_propagation, "rslave");
        assert_int_equal(strv_length(l->masked_paths), 2);
        assert_string_equal(l->readonly_paths[0], "/proc/sys");
        assert_string_equal(l->mount_label, "system_u:object_r:container_file_t:s0");
        assert_string_equal(l->personality_domain, "LINUX32");
        assert_null(l->seccomp);
}

static void test_full_resources(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_(oci_spec_freep) struct oci_spec *s = parse(full_config, &err);
        assert_non_null(s);
        assert_true(s->linux_.has_resources);
        const struct oci_resources *r = &s->linux_.resources;

        assert_int_equal(r->n_devices, 2);
        assert_false(r->devices[0].allow);
        assert_int_equal(r->devices[0].type, 'a');
        assert_int_equal(r->devices[0].major, -1);
        assert_int_equal(r->devices[0].minor, -1);
        assert_string_equal(r->devices[0].access, "rwm");
        assert_true(r->devices[1].allow);
        assert_int_equal(r->devices[1].type, 'c');
        assert_int_equal(r->devices[1].major, 10);
        assert_int_equal(r->devices[1].minor, 229);

        assert_true(r->has_memory_limit && r->memory_limit == 536870912);
        assert_true(r->has_memory_reservation && r->memory_reservation == 268435456);
        assert_true(r->has_memory_swap && r->memory_swap == -1);
        assert_true(r->has_memory_kernel && r->memory_kernel == 1);
        assert_true(r->has_memory_kernel_tcp && r->memory_kernel_tcp == 2);
        assert_true(r->has_memory_swappiness && r->memory_swappiness == 60);
        assert_true(r->has_disable_oom_killer && r->disable_oom_killer);
        assert_true(r->has_use_hierarchy && !r->use_hierarchy);

        assert_true(r->has_cpu_shares && r->cpu_shares == 1024);
        assert_true(r->has_cpu_quota && r->cpu_quota == 50000);
        assert_true(r->has_cpu_burst && r->cpu_burst == 1000);
        assert_true(r->has_cpu_period && r->cpu_period == 100000);
        assert_true(r->has_cpu_rt_runtime && r->cpu_rt_runtime == 950000);
        assert_true(r->has_cpu_rt_period && r->cpu_rt_period == 1000000);
        assert_true(r->has_cpu_idle && r->cpu_idle == 1);
        assert_string_equal(r->cpu_cpus, "0-3");
        assert_string_equal(r->cpu_mems, "0");

        assert_true(r->has_pids_limit && r->pids_limit == 100);

        assert_true(r->has_blkio_weight && r->blkio_weight == 500);
        assert_true(r->has_blkio_leaf_weight && r->blkio_leaf_weight == 300);
        assert_int_equal(r->n_blkio_weight_device, 1);
        assert_true(r->blkio_weight_device[0].has_weight);
        assert_false(r->blkio_weight_device[0].has_leaf_weight);
        assert_int_equal(r->blkio_weight_device[0].weight, 700);
        assert_int_equal(r->n_blkio_throttle[0], 1);
        assert_int_equal(r->blkio_throttle[0][0].rate, 1048576);
        assert_int_equal(r->blkio_throttle[1][0].minor, 16);
        assert_int_equal(r->blkio_throttle[2][0].rate, 3);
        assert_int_equal(r->n_blkio_throttle[3], 2);
        assert_int_equal(r->blkio_throttle[3][1].minor, 64);
        assert_int_equal(r->blkio_throttle[3][1].rate, 5);

        assert_int_equal(r->n_hugepage_limits, 1);
        assert_string_equal(r->hugepage_limits[0].page_size, "2MB");
        assert_int_equal(r->hugepage_limits[0].limit, 209715200);
        assert_string_equal(strv_map_get(r->unified, "io.weight"), "default 100");
        assert_string_equal(strv_map_get(r->unified, "memory.high"), "1G");
}

static void test_minimal(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_(oci_spec_freep) struct oci_spec *s =
                parse("{\"ociVersion\": \"1.0.0\", \"hostname\": null, \"linux\": {}}", &err);
        assert_non_null(s);
        assert_null(s->process);
        assert_false(s->has_root);
        assert_null(s->hostname);
        assert_int_equal(s->n_mounts, 0);
        assert_true(s->has_linux);
        assert_false(s->linux_.has_resources);
        assert_null(oci_spec_namespace(s, OCI_NS_PID));
        assert_null(oci_spec_annotation(s, "x"));
}

static void test_unknown_keys_ignored(void **state)
{
        static const char json[] =
                "{ \"ociVersion\": \"1.1.0\", \"windows\": { \"layerFolders\": [] },"
                "  \"vm\": 3, \"x-extension\": [1, 2, {\"a\": null}],"
                "  \"root\": { \"path\": \"r\", \"future\": true },"
                "  \"process\": { \"args\": [\"sh\"], \"ioPriority\": { \"class\": \"x\" },"
                "    \"user\": { \"uid\": 1, \"extra\": \"x\" },"
                "    \"rlimits\": [ { \"type\": \"RLIMIT_AS\", \"hard\": 1, \"soft\": 1,"
                "                     \"note\": 7 } ],"
                "    \"capabilities\": { \"bounding\": [], \"sparkles\": 1 } },"
                "  \"mounts\": [ { \"destination\": \"/m\", \"flavor\": \"x\" } ],"
                "  \"hooks\": { \"prestop\": [ 1, 2 ],"
                "    \"poststop\": [ { \"path\": \"/h\", \"x\": 1 } ] },"
                "  \"linux\": { \"intelRdt\": { \"closID\": \"x\" }, \"timeOffsets\": {},"
                "    \"namespaces\": [ { \"type\": \"pid\", \"x\": 1 } ],"
                "    \"resources\": { \"network\": { \"classID\": 1 }, \"rdma\": {},"
                "      \"memory\": { \"limit\": 1, \"checkBeforeUpdate\": true, \"new\": 1 } } } }";
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_(oci_spec_freep) struct oci_spec *s = parse(json, &err);
        if (!s)
                fail_msg("unexpected error: %s", cu_error_msg(err));
        assert_string_equal(s->root.path, "r");
        assert_int_equal(s->process->user.uid, 1);
        assert_int_equal(s->process->rlimits[0].resource, RLIMIT_AS);
        assert_string_equal(s->mounts[0].destination, "/m");
        assert_string_equal(s->hooks.hooks[OCI_HOOK_POSTSTOP][0].path, "/h");
        assert_non_null(oci_spec_namespace(s, OCI_NS_PID));
        assert_true(s->linux_.resources.has_memory_limit);
}

/* Each case: a config (ociVersion is added in front unless it starts with '!')
 * and the exact message expected. */
static const struct {
        const char *json;
        const char *msg;
} error_cases[] = {
        /* required and invalid values */
        { "!{}", "t.json: ociVersion: required" },
        { "![]", "t.json: expected a JSON object" },
        { "\"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"ipc\"}, "
          "{\"type\": \"foo\"}]}",
          "t.json: linux.namespaces[2].type: unknown namespace type \"foo\"" },
        { "\"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"pid\"}]}",
          "t.json: linux.namespaces[1].type: duplicate namespace type \"pid\"" },
        { "\"linux\": {\"namespaces\": [{}]}", "t.json: linux.namespaces[0].type: required" },
        { "\"linux\": {\"namespaces\": [{\"type\": \"net\", \"path\": \"x\"}]}",
          "t.json: linux.namespaces[0].type: unknown namespace type \"net\"" },
        { "\"linux\": {\"namespaces\": [{\"type\": \"network\", \"path\": \"run/ns\"}]}",
          "t.json: linux.namespaces[0].path: must be an absolute path" },
        { "\"process\": {\"args\": [\"sh\"], \"rlimits\": [{\"type\": \"RLIMIT_FOO\", "
          "\"hard\": 1, \"soft\": 1}]}",
          "t.json: process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\"" },
        { "\"process\": {\"args\": [\"sh\"], \"rlimits\": ["
          "{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1, \"soft\": 1},"
          "{\"type\": \"RLIMIT_NOFILE\", \"hard\": 2, \"soft\": 2}]}",
          "t.json: process.rlimits[1].type: duplicate rlimit \"RLIMIT_NOFILE\"" },
        { "\"process\": {\"args\": [\"sh\"], \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", "
          "\"hard\": 1}]}",
          "t.json: process.rlimits[0].soft: required" },
        { "\"mounts\": [{\"destination\": \"/a\"}, {\"destination\": \"/b\"}, "
          "{\"destination\": \"/c\"}, {\"destination\": \"d\"}]",
          "t.json: mounts[3].destination: must be an absolute path" },
        { "\"mounts\": [{\"source\": \"/a\"}]", "t.json: mounts[0].destination: required" },
        { "\"mounts\": [{\"destination\": \"/a\", \"uidMappings\": [{\"containerID\": 0, "
          "\"hostID\": 1}]}]",
          "t.json: mounts[0].uidMappings[0].size: required" },
        { "\"process\": {\"args\": []}", "t.json: process.args: must not be empty" },
        { "\"process\": {\"cwd\": \"/\"}", "t.json: process.args: must not be empty" },
        { "\"process\": {\"args\": [\"sh\"], \"cwd\": \"tmp\"}",
          "t.json: process.cwd: must be an absolute path" },
        { "\"process\": {\"args\": [\"sh\"], \"env\": [\"A=1\", \"NOVALUE\"]}",
          "t.json: process.env[1]: invalid environment variable \"NOVALUE\": missing '='" },
        { "\"process\": {\"args\": [\"sh\"], \"oomScoreAdj\": 1001}",
          "t.json: process.oomScoreAdj: must be between -1000 and 1000" },
        { "\"process\": {\"args\": [\"sh\"], \"user\": {\"umask\": 512}}",
          "t.json: process.user.umask: must be at most 0777, got 01000" },
        { "\"process\": {\"args\": [\"sh\"], \"consoleSize\": {\"height\": 1}}",
          "t.json: process.consoleSize.width: required" },
        { "\"root\": {\"readonly\": true}", "t.json: root.path: required" },
        { "\"hooks\": {\"poststart\": [{\"path\": \"/a\"}, {\"args\": [\"x\"]}]}",
          "t.json: hooks.poststart[1].path: required" },
        { "\"hooks\": {\"createRuntime\": [{\"path\": \"hook\"}]}",
          "t.json: hooks.createRuntime[0].path: must be an absolute path" },
        { "\"hooks\": {\"prestart\": [{\"path\": \"/h\", \"timeout\": 0}]}",
          "t.json: hooks.prestart[0].timeout: must be greater than zero" },
        { "\"hooks\": {\"poststop\": [{\"path\": \"/h\", \"timeout\": -3}]}",
          "t.json: hooks.poststop[0].timeout: must be greater than zero" },
        { "\"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"x\"}]}",
          "t.json: linux.devices[0].type: unknown device type \"x\"" },
        { "\"linux\": {\"devices\": [{\"path\": \"dev/x\", \"type\": \"c\"}]}",
          "t.json: linux.devices[0].path: must be an absolute path" },
        { "\"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"b\", \"minor\": 1}]}",
          "t.json: linux.devices[0].major: required for device type 'b'" },
        { "\"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"u\", \"major\": 1}]}",
          "t.json: linux.devices[0].minor: required for device type 'u'" },
        { "\"linux\": {\"devices\": [{\"path\": \"/dev/x\"}]}",
          "t.json: linux.devices[0].type: required" },
        { "\"linux\": {\"resources\": {\"devices\": [{\"allow\": true, \"type\": \"p\"}]}}",
          "t.json: linux.resources.devices[0].type: unknown device type \"p\"" },
        { "\"linux\": {\"resources\": {\"devices\": [{\"allow\": true, \"access\": \"rwx\"}]}}",
          "t.json: linux.resources.devices[0].access: invalid access \"rwx\": want [rwm]" },
        { "\"linux\": {\"resources\": {\"devices\": [{\"access\": \"r\"}]}}",
          "t.json: linux.resources.devices[0].allow: required" },
        { "\"linux\": {\"resources\": {\"memory\": {\"swappiness\": 101}}}",
          "t.json: linux.resources.memory.swappiness: must be between 0 and 100, got 101" },
        { "\"linux\": {\"resources\": {\"blockIO\": {\"weight\": 70000}}}",
          "t.json: linux.resources.blockIO.weight: expected a 16-bit unsigned integer" },
        { "\"linux\": {\"resources\": {\"blockIO\": {\"throttleReadIOPSDevice\": "
          "[{\"major\": 8, \"minor\": 0}]}}}",
          "t.json: linux.resources.blockIO.throttleReadIOPSDevice[0].rate: required" },
        { "\"linux\": {\"resources\": {\"blockIO\": {\"weightDevice\": [{\"minor\": 0}]}}}",
          "t.json: linux.resources.blockIO.weightDevice[0].major: required" },
        { "\"linux\": {\"resources\": {\"hugepageLimits\": [{\"limit\": 1}]}}",
          "t.json: linux.resources.hugepageLimits[0].pageSize: required" },
        { "\"linux\": {\"rootfsPropagation\": \"bogus\"}",
          "t.json: linux.rootfsPropagation: unknown propagation \"bogus\"" },
        { "\"linux\": {\"personality\": {\"domain\": \"BSD\"}}",
          "t.json: linux.personality.domain: unknown personality domain \"BSD\"" },
        { "\"linux\": {\"personality\": {}}", "t.json: linux.personality.domain: required" },
        { "\"linux\": {\"uidMappings\": [{\"containerID\": 0, \"size\": 1}]}",
          "t.json: linux.uidMappings[0].hostID: required" },
        /* wrong types */
        { "!{\"ociVersion\": 1}", "t.json: ociVersion: expected a string" },
        { "\"process\": {\"args\": [\"sh\"], \"terminal\": \"yes\"}",
          "t.json: process.terminal: expected a boolean" },
        { "\"process\": {\"args\": [\"sh\", 1]}", "t.json: process.args[1]: expected a string" },
        { "\"process\": {\"args\": \"sh\"}", "t.json: process.args: expected an array of strings" },
        { "\"process\": {\"args\": [\"sh\"], \"user\": {\"uid\": -1}}",
          "t.json: process.user.uid: expected a non-negative integer" },
        { "\"process\": {\"args\": [\"sh\"], \"user\": {\"gid\": 4294967296}}",
          "t.json: process.user.gid: expected a 32-bit unsigned integer" },
        { "\"process\": {\"args\": [\"sh\"], \"user\": {\"additionalGids\": [1, \"x\"]}}",
          "t.json: process.user.additionalGids[1]: expected a 32-bit unsigned integer" },
        { "\"process\": {\"args\": [\"sh\"], \"capabilities\": {\"bounding\": \"CAP_KILL\"}}",
          "t.json: process.capabilities.bounding: expected an array of strings" },
        { "\"process\": {\"args\": [\"sh\"], \"rlimits\": {}}",
          "t.json: process.rlimits: expected an array" },
        { "\"process\": [\"sh\"]", "t.json: process: expected an object" },
        { "\"mounts\": {}", "t.json: mounts: expected an array" },
        { "\"mounts\": [\"/proc\"]", "t.json: mounts[0]: expected an object" },
        { "\"mounts\": [{\"destination\": \"/a\", \"options\": \"ro\"}]",
          "t.json: mounts[0].options: expected an array of strings" },
        { "\"annotations\": {\"a\": 1}", "t.json: annotations.a: expected a string" },
        { "\"hooks\": {\"prestart\": {\"path\": \"/h\"}}",
          "t.json: hooks.prestart: expected an array" },
        { "\"hooks\": {\"prestart\": [{\"path\": \"/h\", \"timeout\": 1.5}]}",
          "t.json: hooks.prestart[0].timeout: expected an integer" },
        { "\"linux\": []", "t.json: linux: expected an object" },
        { "\"linux\": {\"resources\": {\"memory\": {\"limit\": \"1G\"}}}",
          "t.json: linux.resources.memory.limit: expected an integer" },
        { "\"linux\": {\"resources\": {\"cpu\": {\"shares\": -2}}}",
          "t.json: linux.resources.cpu.shares: expected a non-negative integer" },
        { "\"linux\": {\"resources\": {\"pids\": {\"limit\": true}}}",
          "t.json: linux.resources.pids.limit: expected an integer" },
        { "\"linux\": {\"resources\": {\"unified\": {\"memory.max\": 5}}}",
          "t.json: linux.resources.unified.memory.max: expected a string" },
        { "\"linux\": {\"sysctl\": []}", "t.json: linux.sysctl: expected an object of strings" },
        { "\"linux\": {\"maskedPaths\": [null]}",
          "t.json: linux.maskedPaths[0]: expected a string" },
        { "\"linux\": {\"seccomp\": \"default\"}", "t.json: linux.seccomp: expected an object" },
};

static void test_errors(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(error_cases); i++) {
                _cleanup_error_ struct cu_error *err = NULL;
                _cleanup_free_ char *json = NULL;
                const char *in = error_cases[i].json;

                if (in[0] == '!')
                        json = strdup(in + 1);
                else
                        assert_true(asprintf(&json, "{\"ociVersion\": \"1.1.0\", %s}", in) > 0);
                assert_non_null(json);

                _cleanup_(oci_spec_freep) struct oci_spec *s = parse(json, &err);
                if (s)
                        fail_msg("case %zu parsed but should fail: %s", i, json);
                assert_non_null(err);
                assert_int_equal(err->errnum, EINVAL);
                if (strcmp(err->msg, error_cases[i].msg) != 0)
                        fail_msg("case %zu: got \"%s\", want \"%s\"", i, err->msg,
                                 error_cases[i].msg);

                /* Without an error sink the parser still fails cleanly. */
                assert_null(parse(json, NULL));
        }
}

static void test_malformed_json(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        static const char bad[] = "{\n  \"ociVersion\": \"1.1.0\",\n  \"hostname\": }\n";

        assert_null(oci_spec_parse_data(bad, strlen(bad), "bad.json", &err));
        assert_non_null(err);
        assert_int_equal(err->errnum, EINVAL);
        assert_non_null(strstr(err->msg, "bad.json:3:"));
        assert_non_null(strstr(err->msg, "invalid JSON"));
        cu_error_clear(&err);

        /* Same through a file: the message carries path:line:col. */
        _cleanup_free_ char *path = write_temp(bad);
        assert_null(oci_spec_parse_file(path, &err));
        assert_non_null(err);
        _cleanup_free_ char *want = NULL;
        assert_true(asprintf(&want, "%s:3:", path) > 0);
        assert_true(strncmp(err->msg, want, strlen(want)) == 0);
        unlink(path);
        cu_error_clear(&err);

        /* Duplicate keys and truncated input are rejected too. */
        static const char dup[] = "{\"ociVersion\": \"1\", \"ociVersion\": \"2\"}";
        assert_null(oci_spec_parse_data(dup, strlen(dup), NULL, &err));
        assert_non_null(strstr(err->msg, "config.json:1:"));
        cu_error_clear(&err);
        assert_null(oci_spec_parse_data(full_config, 100, "trunc.json", &err));
        assert_non_null(strstr(err->msg, "trunc.json:"));
        cu_error_clear(&err);
        assert_null(oci_spec_parse_data("", 0, "empty.json", &err));
        assert_non_null(strstr(err->msg, "empty.json:"));
}

static void test_missing_file(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;

        assert_null(oci_spec_parse_file("/nonexistent-cuttle/config.json", &err));
        assert_non_null(err);
        assert_int_equal(err->errnum, ENOENT);
        assert_non_null(strstr(err->msg, "/nonexistent-cuttle/config.json"));
        assert_non_null(strstr(err->msg, strerror(ENOENT)));
        cu_error_clear(&err);

        assert_null(oci_process_parse_file("/nonexistent-cuttle/process.json", &err));
        assert_int_equal(err->errnum, ENOENT);
        assert_non_null(strstr(err->msg, strerror(ENOENT)));
}

static void test_parse_file(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_free_ char *path = write_temp(full_config);

        _cleanup_(oci_spec_freep) struct oci_spec *s = oci_spec_parse_file(path, &err);
        unlink(path);
        if (!s)
                fail_msg("unexpected error: %s", cu_error_msg(err));
        assert_string_equal(s->process->args[0], "/bin/sh");

        /* Errors name the file. */
        _cleanup_free_ char *bad = write_temp("{\"ociVersion\": \"1\", \"mounts\": [{}]}");
        assert_null(oci_spec_parse_file(bad, &err));
        unlink(bad);
        _cleanup_free_ char *want = NULL;
        assert_true(asprintf(&want, "%s: mounts[0].destination: required", bad) > 0);
        assert_string_equal(err->msg, want);
}

static void test_process_file(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_free_ char *path = write_temp(
                "{\"terminal\": false, \"args\": [\"ls\", \"-l\"], \"cwd\": \"/tmp\","
                " \"env\": [\"X=1\"], \"user\": {\"uid\": 5, \"gid\": 6},"
                " \"rlimits\": [{\"type\": \"RLIMIT_NPROC\", \"hard\": 10, \"soft\": 5}],"
                " \"capabilities\": {\"bounding\": [\"CAP_KILL\"]}, \"unknownKey\": 1}");

        _cleanup_(oci_process_freep) struct oci_process *p = oci_process_parse_file(path, &err);
        unlink(path);
        if (!p)
                fail_msg("unexpected error: %s", cu_error_msg(err));
        assert_false(p->terminal);
        assert_string_equal(p->args[1], "-l");
        assert_string_equal(p->cwd, "/tmp");
        assert_int_equal(p->user.uid, 5);
        assert_int_equal(p->user.gid, 6);
        assert_false(p->user.has_umask);
        assert_int_equal(p->rlimits[0].resource, RLIMIT_NPROC);
        assert_true(p->has_capabilities);
        assert_null(p->caps.effective);

        _cleanup_free_ char *bad = write_temp("{\"args\": [], \"cwd\": \"/\"}");
        assert_null(oci_process_parse_file(bad, &err));
        unlink(bad);
        _cleanup_free_ char *want = NULL;
        assert_true(asprintf(&want, "%s: args: must not be empty", bad) > 0);
        assert_string_equal(err->msg, want);
        cu_error_clear(&err);

        _cleanup_free_ char *arr = write_temp("[\"sh\"]");
        assert_null(oci_process_parse_file(arr, &err));
        unlink(arr);
        assert_non_null(strstr(err->msg, "expected a JSON object"));
}

static void check_default(const struct oci_spec *s, bool rootless)
{
        static const enum oci_ns_type common[] = { OCI_NS_PID, OCI_NS_IPC, OCI_NS_UTS,
                                                   OCI_NS_MOUNT, OCI_NS_CGROUP };

        assert_non_null(s->oci_version);
        assert_string_equal(s->root.path, "rootfs");
        assert_true(s->root.readonly);
        assert_string_equal(s->hostname, "cuttle");
        assert_string_equal(s->process->args[0], "sh");
        assert_true(s->process->terminal);
        assert_true(s->process->no_new_privileges);
        assert_string_equal(s->process->cwd, "/");
        assert_int_equal(s->process->n_rlimits, 1);
        assert_int_equal(s->process->rlimits[0].resource, RLIMIT_NOFILE);
        assert_int_equal(s->process->rlimits[0].hard, 1024);
        assert_true(strv_contains(s->process->caps.bounding, "CAP_NET_BIND_SERVICE"));
        assert_null(s->process->caps.inheritable);

        for (size_t i = 0; i < ELEMENTSOF(common); i++)
                assert_non_null(oci_spec_namespace(s, common[i]));
        assert_null(oci_spec_namespace(s, OCI_NS_TIME));
        assert_int_equal(s->linux_.n_namespaces, 6);
        assert_true(strv_contains(s->linux_.masked_paths, "/proc/kcore"));
        assert_true(strv_contains(s->linux_.readonly_paths, "/proc/sys"));

        static const char *const dests[] = { "/proc",        "/dev",   "/dev/pts",      "/dev/shm",
                                             "/dev/mqueue", "/sys",   "/sys/fs/cgroup" };
        assert_int_equal(s->n_mounts, ELEMENTSOF(dests));
        for (size_t i = 0; i < ELEMENTSOF(dests); i++)
                assert_string_equal(s->mounts[i].destination, dests[i]);
        assert_string_equal(s->mounts[0].type, "proc");
        assert_string_equal(s->mounts[6].type, "cgroup");
        assert_true(strv_contains(s->mounts[2].options, "newinstance"));

        if (!rootless) {
                assert_non_null(oci_spec_namespace(s, OCI_NS_NETWORK));
                assert_null(oci_spec_namespace(s, OCI_NS_USER));
                assert_int_equal(s->linux_.n_uid_mappings, 0);
                assert_true(s->linux_.has_resources);
                assert_int_equal(s->linux_.resources.n_devices, 1);
                assert_false(s->linux_.resources.devices[0].allow);
                assert_int_equal(s->linux_.resources.devices[0].type, 'a');
                assert_string_equal(s->linux_.resources.devices[0].access, "rwm");
                assert_true(strv_contains(s->mounts[2].options, "gid=5"));
                assert_string_equal(s->mounts[5].type, "sysfs");
                return;
        }
        assert_null(oci_spec_namespace(s, OCI_NS_NETWORK));
        assert_non_null(oci_spec_namespace(s, OCI_NS_USER));
        assert_int_equal(s->linux_.n_uid_mappings, 1);
        assert_int_equal(s->linux_.uid_mappings[0].container_id, 0);
        assert_int_equal(s->linux_.uid_mappings[0].host_id, geteuid());
        assert_int_equal(s->linux_.uid_mappings[0].size, 1);
        assert_int_equal(s->linux_.n_gid_mappings, 1);
        assert_int_equal(s->linux_.gid_mappings[0].host_id, getegid());
        assert_false(s->linux_.has_resources);
        assert_false(strv_contains(s->mounts[2].options, "gid=5"));
        assert_true(strv_contains(s->mounts[2].options, "mode=0620"));
        assert_string_equal(s->mounts[5].type, "none");
        assert_string_equal(s->mounts[5].source, "/sys");
        assert_true(strv_contains(s->mounts[5].options, "rbind"));
        assert_true(strv_contains(s->mounts[5].options, "ro"));
}

static void test_default_json(void **state)
{
        for (int rootless = 0; rootless <= 1; rootless++) {
                _cleanup_error_ struct cu_error *err = NULL;
                _cleanup_free_ char *text = oci_spec_default_json(rootless);
                assert_non_null(text);
                /* Indented with tabs like Go's MarshalIndent(..., "", "\t"). */
                assert_non_null(strstr(text, "\n\t\"ociVersion\": "));
                assert_null(strstr(text, "\n "));

                _cleanup_(oci_spec_freep) struct oci_spec *s =
                        oci_spec_parse_data(text, strlen(text), "default", &err);
                if (!s)
                        fail_msg("default spec does not parse: %s", cu_error_msg(err));
                check_default(s, rootless);
        }
}

static void test_name_tables(void **state)
{
        assert_int_equal(oci_ns_type_from_string("network"), OCI_NS_NETWORK);
        assert_int_equal(oci_ns_type_from_string("time"), OCI_NS_TIME);
        assert_int_equal(oci_ns_type_from_string("net"), _OCI_NS_INVALID);
        assert_int_equal(oci_ns_type_from_string(""), _OCI_NS_INVALID);
        assert_int_equal(oci_ns_type_from_string(NULL), _OCI_NS_INVALID);
        for (int t = 0; t < _OCI_NS_MAX; t++) {
                assert_int_equal(oci_ns_type_from_string(oci_ns_type_names[t]), t);
                assert_non_null(oci_ns_proc_names[t]);
                assert_int_not_equal(oci_ns_clone_flags[t], 0);
        }
        assert_int_equal(oci_ns_clone_flags[OCI_NS_MOUNT], CLONE_NEWNS);
        assert_int_equal(oci_ns_clone_flags[OCI_NS_USER], CLONE_NEWUSER);
        assert_string_equal(oci_ns_proc_names[OCI_NS_NETWORK], "net");
        assert_string_equal(oci_ns_proc_names[OCI_NS_MOUNT], "mnt");

        assert_string_equal(oci_hook_kind_names[OCI_HOOK_PRESTART], "prestart");
        assert_string_equal(oci_hook_kind_names[OCI_HOOK_CREATE_RUNTIME], "createRuntime");
        assert_string_equal(oci_hook_kind_names[OCI_HOOK_POSTSTOP], "poststop");

        for (int i = 0; i < OCI_RLIMIT_MAX; i++) {
                assert_non_null(oci_rlimit_names[i]);
                assert_int_equal(oci_rlimit_from_string(oci_rlimit_names[i]), i);
        }
        assert_int_equal(oci_rlimit_from_string("RLIMIT_RTTIME"), RLIMIT_RTTIME);
        assert_int_equal(oci_rlimit_from_string("NOFILE"), -EINVAL);
        assert_int_equal(oci_rlimit_from_string(NULL), -EINVAL);
}

static void test_seccomp(void **state)
{
        static const char json[] =
                "{\"ociVersion\": \"1.1.0\", \"linux\": {\"seccomp\": {"
                "  \"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,"
                "  \"architectures\": [\"SCMP_ARCH_X86_64\"],"
                "  \"syscalls\": [{\"names\": [\"read\", \"write\"],"
                "                  \"action\": \"SCMP_ACT_ALLOW\"}]}}}";
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_(oci_spec_freep) struct oci_spec *s = parse(json, &err);
        if (!s)
                fail_msg("unexpected error: %s", cu_error_msg(err));
        assert_non_null(s->linux_.seccomp);
        assert_true(s->linux_.seccomp->has_default_errno_ret);
        assert_int_equal(s->linux_.seccomp->default_errno_ret, 38);
        assert_int_equal(s->linux_.seccomp->n_syscalls, 1);
        assert_string_equal(s->linux_.seccomp->syscalls[0].names[1], "write");

        /* The seccomp parser's errors get the origin prefix and the linux.seccomp path. */
        static const char bad[] =
                "{\"ociVersion\": \"1.1.0\", \"linux\": {\"seccomp\": {"
                "  \"defaultAction\": \"SCMP_ACT_BOGUS\"}}}";
        assert_null(parse(bad, &err));
        assert_non_null(err);
        assert_true(strncmp(err->msg, "t.json: linux.seccomp.defaultAction: ", 37) == 0);
}

static void test_free_null(void **state)
{
        assert_null(oci_spec_free(NULL));
        assert_null(oci_process_free(NULL));

        /* A half-built spec (zeroed arrays attached) frees cleanly. */
        struct oci_spec *s = calloc(1, sizeof(*s));
        assert_non_null(s);
        s->mounts = calloc(2, sizeof(*s->mounts));
        s->n_mounts = 2;
        s->mounts[0].destination = strdup("/x");
        s->process = calloc(1, sizeof(*s->process));
        s->linux_.namespaces = calloc(1, sizeof(*s->linux_.namespaces));
        s->linux_.n_namespaces = 1;
        assert_null(oci_spec_free(s));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_full_top),
                cmocka_unit_test(test_full_process),
                cmocka_unit_test(test_full_linux),
                cmocka_unit_test(test_full_resources),
                cmocka_unit_test(test_minimal),
                cmocka_unit_test(test_unknown_keys_ignored),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_malformed_json),
                cmocka_unit_test(test_missing_file),
                cmocka_unit_test(test_parse_file),
                cmocka_unit_test(test_process_file),
                cmocka_unit_test(test_default_json),
                cmocka_unit_test(test_name_tables),
                cmocka_unit_test(test_seccomp),
                cmocka_unit_test(test_free_null),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
