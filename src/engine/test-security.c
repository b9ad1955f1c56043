/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The security area: options → container config (create) → spec (start). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/internal.h"
#include "util/json.h"
#include "util/strv.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* create's part: a base config plus the area's options. */
static json_t *config(const struct engine_create_opts *o, struct cu_error **err)
{
        json_t *c = json_loads("{\"Cmd\":[\"sh\"],\"Entrypoint\":[],\"Env\":[],\"StopSignal\":15,"
                               "\"CapAdd\":[],\"CapDrop\":[],\"Memory\":0,\"Annotations\":{}}",
                               0, NULL);
        assert_non_null(c);
        json_object_set_new(c, "CapAdd", json_array());
        for (char **p = o->cap_add; p && *p; p++)
                json_array_append_new(json_object_get(c, "CapAdd"), json_string(*p));
        json_object_set_new(c, "Privileged", json_boolean(o->privileged));
        json_object_set_new(c, "Memory", json_integer(o->memory));
        if (engine_config_security(NULL, c, o, NULL, err) < 0) {
                json_decref(c);
                return NULL;
        }
        return c;
}

static json_t *spec_of(json_t *c)
{
        struct cu_error *err = NULL;
        struct engine_spec_ctx x = { .id = ID, .c = c, .rootfd = -1, .rootfs = "/m", .bundle = "/b" };
        json_t *s = engine_spec_generate(&x, &err);
        free(x.home);
        if (!s)
                fail_msg("%s", cu_error_msg(err));
        return s;
}

static json_t *rlimit(json_t *spec, const char *type)
{
        size_t i;
        json_t *r;
        json_array_foreach(json_object_get(json_object_get(spec, "process"), "rlimits"), i, r)
                if (strcmp(json_string_value(json_object_get(r, "type")), type) == 0)
                        return r;
        return NULL;
}

static bool has_ns(json_t *spec, const char *type)
{
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(json_object_get(spec, "linux"), "namespaces"), i, v)
                if (strcmp(json_string_value(json_object_get(v, "type")), type) == 0)
                        return true;
        return false;
}

static bool has_string(json_t *a, const char *s)
{
        size_t i;
        json_t *v;
        json_array_foreach(a, i, v)
                if (strcmp(json_string_value(v), s) == 0)
                        return true;
        return false;
}

static void test_ulimit_parse(void **state)
{
        (void) state;
        struct cu_error *err = NULL;
        json_t *u = engine_ulimit_parse("nofile=1024:2048", &err);
        assert_string_equal(json_string_value(json_object_get(u, "Name")), "RLIMIT_NOFILE");
        assert_int_equal(json_integer_value(json_object_get(u, "Soft")), 1024);
        assert_int_equal(json_integer_value(json_object_get(u, "Hard")), 2048);
        json_decref(u);
        u = engine_ulimit_parse("core=-1", &err);
        assert_int_equal(json_integer_value(json_object_get(u, "Hard")), -1);
        json_decref(u);
        struct {
                const char *in, *msg;
        } bad[] = {
                { "nofile", "ulimit option \"nofile\" requires name=SOFT:HARD, failed to be parsed: invalid ulimit argument: nofile" },
                { "bogus=1", "ulimit option \"bogus=1\" requires name=SOFT:HARD, failed to be parsed: invalid ulimit type: bogus" },
                { "nofile=x", "ulimit option \"nofile=x\" requires name=SOFT:HARD, failed to be parsed: strconv.ParseInt: parsing \"x\": invalid syntax" },
                { "nofile=10:5", "ulimit option \"nofile=10:5\" requires name=SOFT:HARD, failed to be parsed: ulimit soft limit must be less than or equal to hard limit: 10 > 5" },
        };
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
                assert_null(engine_ulimit_parse(bad[i].in, &err));
                assert_string_equal(cu_error_msg(err), bad[i].msg);
                cu_error_free(err);
                err = NULL;
        }
}

static void test_caps(void **state)
{
        (void) state;
        char *c = engine_cap_normalize("net_admin");
        assert_string_equal(c, "CAP_NET_ADMIN");
        free(c);
        c = engine_cap_normalize("CAP_chown");
        assert_string_equal(c, "CAP_CHOWN");
        free(c);
        assert_null(engine_cap_normalize("foo"));
        /* create refuses an unknown capability with podman's text */
        char *add[] = { "foo", NULL };
        struct engine_create_opts o = { .cap_add = add };
        struct cu_error *err = NULL;
        assert_null(config(&o, &err));
        assert_string_equal(cu_error_msg(err), "\"CAP_FOO\": unknown capability");
        cu_error_free(err);
        /* containers.conf's default_capabilities replace the built-in list */
        char *defaults[] = { "CHOWN", "kill", NULL };
        struct engine_create_opts o2 = { .sec = { .default_caps = defaults, .has_default_caps = true } };
        json_t *cfg = config(&o2, NULL);
        json_t *spec = spec_of(cfg);
        json_t *b = json_object_get(json_object_get(json_object_get(spec, "process"), "capabilities"), "bounding");
        assert_int_equal(json_array_size(b), 2);
        assert_true(has_string(b, "CAP_KILL"));
        json_decref(spec);
        json_decref(cfg);
}

static void test_defaults(void **state)
{
        (void) state;
        struct engine_create_opts o = { 0 };
        json_t *c = config(&o, NULL);
        assert_non_null(c);
        json_t *spec = spec_of(c);
        json_t *lnx = json_object_get(spec, "linux");
        json_t *sc = json_object_get(lnx, "seccomp");
        assert_string_equal(json_string_value(json_object_get(sc, "defaultAction")), "SCMP_ACT_ERRNO");
        assert_true(json_array_size(json_object_get(sc, "syscalls")) > 5);
        assert_false(json_is_true(json_object_get(json_object_get(spec, "process"), "noNewPrivileges")));
        assert_non_null(rlimit(spec, "RLIMIT_NOFILE"));
        assert_non_null(rlimit(spec, "RLIMIT_NPROC"));
        assert_string_equal(json_string_value(json_object_get(lnx, "cgroupsPath")), "/libpod_parent/libpod-" ID);
        assert_true(has_string(json_object_get(lnx, "maskedPaths"), "/proc/kcore"));
        assert_true(has_string(json_object_get(lnx, "maskedPaths"), "/sys/dev/block"));
        json_t *ann = json_object_get(spec, "annotations");
        assert_string_equal(json_string_value(json_object_get(ann, "io.container.manager")), "libpod");
        assert_string_equal(json_string_value(json_object_get(ann, "org.opencontainers.image.stopSignal")), "15");
        assert_string_equal(json_string_value(json_object_get(ann, "io.podman.annotations.privileged")), "FALSE");
        assert_non_null(json_object_get(ann, "io.kubernetes.cri-o.Created"));
        assert_true(has_ns(spec, "pid"));
        assert_true(has_ns(spec, "ipc"));
        assert_true(has_ns(spec, "uts"));
        json_decref(spec);
        json_decref(c);
}

static void test_options(void **state)
{
        (void) state;
        char *ul[] = { "nofile=100:200", "core=-1", NULL };
        char *sopt[] = { "no-new-privileges", "mask=/proc/foo:/proc/bar", "unmask=/proc/kcore",
                         "label=disable", "apparmor=unconfined", NULL };
        char *dev[] = { "/dev/null:/dev/mynull:r", NULL };
        char *rules[] = { "c 1:3 rwm", NULL };
        char *sys[] = { "net.ipv4.ip_forward=1", "kernel.shmmax=12345", NULL };
        struct engine_create_opts o = {
                .memory = 20 << 20,
                .sec = { .ulimits = ul, .security_opt = sopt, .devices = dev, .device_cgroup_rules = rules,
                         .sysctls = sys, .cpus = "1.5", .cpu_shares = 512, .cpuset_cpus = "0",
                         .memory_reservation = "10m", .oom_score_adj = 100, .has_oom_score_adj = true,
                         .pid = "host", .uts = "host", .cgroup_parent = "/mine", .systemd = "always" },
        };
        struct cu_error *err = NULL;
        json_t *c = config(&o, &err);
        if (!c)
                fail_msg("%s", cu_error_msg(err));
        json_t *spec = spec_of(c);
        json_t *proc = json_object_get(spec, "process"), *lnx = json_object_get(spec, "linux");
        json_t *r = rlimit(spec, "RLIMIT_NOFILE");
        assert_int_equal(json_integer_value(json_object_get(r, "soft")), 100);
        assert_int_equal(json_integer_value(json_object_get(r, "hard")), 200);
        assert_true(json_is_real(json_object_get(rlimit(spec, "RLIMIT_CORE"), "hard"))); /* unlimited */
        assert_true(json_is_true(json_object_get(proc, "noNewPrivileges")));
        assert_true(has_string(json_object_get(lnx, "maskedPaths"), "/proc/foo"));
        assert_true(has_string(json_object_get(lnx, "maskedPaths"), "/proc/bar"));
        assert_false(has_string(json_object_get(lnx, "maskedPaths"), "/proc/kcore"));
        json_t *res = json_object_get(lnx, "resources");
        assert_int_equal(json_integer_value(json_object_get(json_object_get(res, "memory"), "limit")), 20 << 20);
        assert_int_equal(json_integer_value(json_object_get(json_object_get(res, "memory"), "swap")), 40 << 20);
        assert_int_equal(json_integer_value(json_object_get(json_object_get(res, "memory"), "reservation")), 10 << 20);
        json_t *cpu = json_object_get(res, "cpu");
        assert_int_equal(json_integer_value(json_object_get(cpu, "shares")), 512);
        assert_int_equal(json_integer_value(json_object_get(cpu, "quota")), 150000);
        assert_int_equal(json_integer_value(json_object_get(cpu, "period")), 100000);
        assert_string_equal(json_string_value(json_object_get(cpu, "cpus")), "0");
        assert_int_equal(json_integer_value(json_object_get(proc, "oomScoreAdj")), 100);
        assert_string_equal(json_string_value(json_object_get(lnx, "cgroupsPath")), "/mine/libpod-" ID);
        json_t *d = json_array_get(json_object_get(lnx, "devices"), 0);
        assert_string_equal(json_string_value(json_object_get(d, "path")), "/dev/mynull");
        assert_int_equal(json_integer_value(json_object_get(d, "major")), 1);
        json_t *rl = json_object_get(res, "devices");
        assert_int_equal(json_array_size(rl), 3); /* deny all, the device (r), the rule */
        assert_string_equal(json_string_value(json_object_get(json_array_get(rl, 1), "access")), "r");
        assert_string_equal(json_string_value(json_object_get(json_object_get(lnx, "sysctl"), "kernel.shmmax")), "12345");
        assert_false(has_ns(spec, "pid"));
        assert_false(has_ns(spec, "uts"));
        assert_null(json_object_get(spec, "hostname"));
        /* systemd mode */
        bool run_tmpfs = false;
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(spec, "mounts"), i, m)
                if (strcmp(json_string_value(json_object_get(m, "destination")), "/run/lock") == 0)
                        run_tmpfs = strcmp(json_string_value(json_object_get(m, "type")), "tmpfs") == 0;
        assert_true(run_tmpfs);
        assert_string_equal(json_string_value(json_object_get(json_object_get(spec, "annotations"),
                                                              "org.opencontainers.image.stopSignal")), "37");
        bool uuid = false;
        json_array_foreach(json_object_get(proc, "env"), i, m)
                uuid |= strcmp(json_string_value(m), "container_uuid=0123456789abcdef0123456789abcdef") == 0;
        assert_true(uuid);
        json_decref(spec);
        json_decref(c);

        /* seccomp=unconfined and --privileged: no filter, no masks */
        char *unconf[] = { "seccomp=unconfined", NULL };
        struct engine_create_opts o2 = { .sec = { .security_opt = unconf } };
        c = config(&o2, NULL);
        spec = spec_of(c);
        assert_null(json_object_get(json_object_get(spec, "linux"), "seccomp"));
        json_decref(spec);
        json_decref(c);
        struct engine_create_opts o3 = { .privileged = true };
        c = config(&o3, NULL);
        spec = spec_of(c);
        lnx = json_object_get(spec, "linux");
        assert_null(json_object_get(lnx, "seccomp"));
        assert_int_equal(json_array_size(json_object_get(lnx, "maskedPaths")), 0);
        json_decref(spec);
        json_decref(c);
}

static void test_errors(void **state)
{
        (void) state;
        struct {
                struct engine_sec_opts s;
                int64_t memory;
                const char *msg;
        } cases[] = {
                { { .security_opt = (char *[]){ "foo", NULL } }, 0, "invalid --security-opt 1: \"foo\"" },
                { { .security_opt = (char *[]){ "foo=bar", NULL } }, 0, "invalid --security-opt 2: \"foo=bar\"" },
                { { .security_opt = (char *[]){ "no-new-privileges=maybe", NULL } }, 0, "invalid --security-opt 2: \"no-new-privileges=maybe\"" },
                { { .security_opt = (char *[]){ "seccomp=/nonexistent/x.json", NULL } }, 0, "opening seccomp profile failed: open /nonexistent/x.json: no such file or directory" },
                { { .memory_swap = "10m" }, 0, "you should always set a memory limit when using a memoryswap limit, see usage" },
                { { .memory_swap = "10m" }, 20 << 20, "minimum memoryswap limit should be larger than memory limit, see usage" },
                { { .memory_reservation = "10m" }, 5 << 20, "minimum memory limit cannot be less than memory reservation limit, see usage" },
                { { .cpu_period = 500 }, 0, "CPU cfs period cannot be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)" },
                { { .cpu_quota = 500 }, 0, "CPU cfs quota cannot be less than 1ms (i.e. 1000)" },
                { { .cpuset_cpus = "abc" }, 0, "invalid value abc for cpuset cpus" },
                { { .cpuset_mems = "x" }, 0, "invalid value x for cpuset mems" },
                { { .devices = (char *[]){ "/dev/nonexistent", NULL } }, 0, "stat /dev/nonexistent: no such file or directory" },
                { { .sysctls = (char *[]){ "kernel.shmmax", NULL } }, 0, "kernel.shmmax is invalid, sysctl values must be in the form of KEY=VALUE" },
                { { .sysctls = (char *[]){ "foo=bar", NULL } }, 0, "sysctl 'foo' is not allowed" },
                { { .sysctls = (char *[]){ "kernel.msgmax=1", NULL }, .ipc = "host" }, 0, "sysctl kernel.msgmax=1 can't be set since IPC Namespace set to host: invalid argument" },
                { { .pid = "foo" }, 0, "unrecognized namespace mode foo passed" },
                { { .uts = "ns:/nonexistent" }, 0, "cannot find specified UTS namespace path: stat /nonexistent: no such file or directory" },
                { { .userns = "keep-id" }, 0, "keep-id is only supported in rootless mode" },
                { { .uidmap = (char *[]){ "0:x:1", NULL } }, 0, "initializing ID mappings: UID setting is malformed expected [\"uint32:uint32:uint32\"]: [\"0:x:1\"]" },
                { { .systemd = "maybe" }, 0, "invalid config provided: --systemd values must be one of \"true, false, always\": invalid configuration" },
                { { .ulimits = (char *[]){ "nofile=10:5", NULL } }, 0, "ulimit option \"nofile=10:5\" requires name=SOFT:HARD, failed to be parsed: ulimit soft limit must be less than or equal to hard limit: 10 > 5" },
        };
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
                struct engine_create_opts o = { .sec = cases[i].s, .memory = cases[i].memory };
                struct cu_error *err = NULL;
                json_t *c = config(&o, &err);
                if (c)
                        fail_msg("case %zu: no error", i);
                assert_string_equal(cu_error_msg(err), cases[i].msg);
                cu_error_free(err);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ulimit_parse), cmocka_unit_test(test_caps),
                cmocka_unit_test(test_defaults),     cmocka_unit_test(test_options),
                cmocka_unit_test(test_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
