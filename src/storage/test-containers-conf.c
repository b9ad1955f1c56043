/* SPDX-License-Identifier: GPL-2.0-or-later */
/* containers.conf / storage.conf: defaults, keys, drop-in order, type errors, env chain. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "storage/containers-conf.h"
#include "util/fileio.h"
#include "util/strv.h"

static int parse(struct containers_conf *c, const char *text, struct cu_error **e)
{
        return containers_conf_parse(c, text, strlen(text), "test.conf", e);
}

static void test_defaults(void **state)
{
        _cleanup_containers_conf_ struct containers_conf *c = containers_conf_new();
        assert_non_null(c);
        assert_int_equal(c->umask, 0022);
        assert_int_equal(c->pids_limit, 2048);
        assert_int_equal(c->log_size_max, -1);
        assert_string_equal(c->shm_size, "65536k");
        assert_string_equal(c->log_driver, "k8s-file");
        assert_string_equal(c->cgroup_manager, "cgroupfs");
        assert_string_equal(c->events_logger, "file");
        assert_string_equal(c->image_default_transport, "docker://");
        assert_string_equal(c->default_network, "podman");
        assert_string_equal(c->default_subnet, "10.88.0.0/16");
        assert_int_equal(strv_length(c->default_capabilities), 11);
        assert_true(strv_contains(c->default_capabilities, "SYS_CHROOT"));
        assert_int_equal(strv_length(c->default_ulimits), 0);
        assert_int_equal(strv_length(c->default_sysctls), 1);
        assert_string_equal(c->default_sysctls[0], "net.ipv4.ping_group_range=0 0");
        assert_string_equal(strv_env_get(c->env, "TERM"), "xterm");
        assert_int_equal(c->n_runtimes, 2);
        assert_string_equal(c->runtimes[0].name, "runc");
        assert_false(c->no_hosts);
}

static void test_keys(void **state)
{
        static const char text[] =
                "# comment\n"
                "top_level_unknown = 1\n"
                "[containers]\n"
                "default_ulimits = [ \"nofile=1024:2048\" ]\n"
                "default_capabilities = [\"CHOWN\", 'KILL']\n"
                "dns_servers = [\"1.1.1.1\"]\n"
                "dns_searches = [\"example.com\"]\n"
                "dns_options = [\"ndots:2\"]\n"
                "env = [\"A=b\"]\n"
                "tz = \"local\"\n"
                "umask = \"0077\"\n"
                "shm_size = \"1g\"\n"
                "pids_limit = 0\n"
                "log_driver = \"journald\"\n"
                "log_size_max = 4096\n"
                "init_path = \"/usr/bin/catatonit\"\n"
                "no_hosts = true\n"
                "base_hosts_file = \"none\"\n"
                "cgroupns = \"host\"\nipcns = \"private\"\nnetns = \"host\"\n"
                "pidns = \"host\"\nutsns = \"host\"\nuserns = \"auto\"\n"
                "default_sysctls = [\"kernel.msgmax=4096\", \"net.ipv4.ip_forward=1\"]\n"
                "[secrets]\n[secrets.opts]\n"
                "[engine]\n"
                "runtime = \"runc\"\n"
                "conmon_path = [\"/usr/bin/conmon\"]\n"
                "cgroup_manager = \"systemd\"\n"
                "events_logger = \"none\"\n"
                "tmp_dir = \"/run/x\"\n"
                "volume_path = \"/srv/vols\"\n"
                "image_default_transport = \"oci:\"\n"
                "[engine.runtimes]\n"
                "runc = [\"/opt/runc\"]\n"
                "mine = [\"/opt/mine\", \"/usr/bin/mine\"]\n"
                "[engine.volume_plugins]\n"
                "[network]\n"
                "default_network = \"net0\"\n"
                "default_subnet = \"10.99.0.0/16\"\n"
                "network_config_dir = \"/etc/cuttle/networks\"\n"
                "[machine]\n";
        _cleanup_containers_conf_ struct containers_conf *c = containers_conf_new();
        _cleanup_error_ struct cu_error *e = NULL;
        if (parse(c, text, &e) < 0)
                fail_msg("%s", cu_error_msg(e));
        assert_string_equal(c->default_ulimits[0], "nofile=1024:2048");
        assert_int_equal(strv_length(c->default_capabilities), 2);
        assert_string_equal(c->dns_servers[0], "1.1.1.1");
        assert_string_equal(c->dns_searches[0], "example.com");
        assert_string_equal(c->dns_options[0], "ndots:2");
        assert_int_equal(strv_length(c->env), 1);
        assert_string_equal(c->tz, "local");
        assert_int_equal(c->umask, 0077);
        assert_string_equal(c->shm_size, "1g");
        assert_int_equal(c->pids_limit, 0);
        assert_string_equal(c->log_driver, "journald");
        assert_int_equal(c->log_size_max, 4096);
        assert_string_equal(c->init_path, "/usr/bin/catatonit");
        assert_true(c->no_hosts);
        assert_string_equal(c->base_hosts_file, "none");
        assert_int_equal(strv_length(c->default_sysctls), 2);
        assert_string_equal(c->default_sysctls[1], "net.ipv4.ip_forward=1");
        assert_string_equal(c->cgroupns, "host");
        assert_string_equal(c->ipcns, "private");
        assert_string_equal(c->netns, "host");
        assert_string_equal(c->pidns, "host");
        assert_string_equal(c->utsns, "host");
        assert_string_equal(c->userns, "auto");
        assert_string_equal(c->runtime, "runc");
        assert_string_equal(c->cgroup_manager, "systemd");
        assert_string_equal(c->events_logger, "none");
        assert_string_equal(c->tmp_dir, "/run/x");
        assert_string_equal(c->volume_path, "/srv/vols");
        assert_string_equal(c->image_default_transport, "oci:");
        assert_int_equal(c->n_runtimes, 3);
        assert_string_equal(c->runtimes[0].paths[0], "/opt/runc");
        assert_null(c->runtimes[0].paths[1]);
        assert_string_equal(c->runtimes[2].name, "mine");
        assert_string_equal(c->runtimes[2].paths[1], "/usr/bin/mine");
        assert_string_equal(c->default_network, "net0");
        assert_string_equal(c->default_subnet, "10.99.0.0/16");
        assert_string_equal(c->network_config_dir, "/etc/cuttle/networks");
}

/* A later file overrides only what it sets; empty arrays replace. */
static void test_dropin_override(void **state)
{
        _cleanup_containers_conf_ struct containers_conf *c = containers_conf_new();
        _cleanup_error_ struct cu_error *e = NULL;
        assert_int_equal(parse(c, "[containers]\npids_limit = 100\ntz = \"UTC\"\n", &e), 0);
        assert_int_equal(parse(c, "[containers]\ntz = \"local\"\ndefault_capabilities = []\n", &e),
                         0);
        assert_int_equal(c->pids_limit, 100);
        assert_string_equal(c->tz, "local");
        assert_non_null(c->default_capabilities);
        assert_int_equal(strv_length(c->default_capabilities), 0);
        /* the same key in different tables is a different key */
        assert_int_equal(parse(c, "[network]\nruntime = \"x\"\n", &e), 0);
        assert_string_equal(c->runtime, "");
}

static void expect_error(const char *text, const char *msg)
{
        _cleanup_containers_conf_ struct containers_conf *c = containers_conf_new();
        _cleanup_error_ struct cu_error *e = NULL;
        assert_int_equal(parse(c, text, &e), -EINVAL);
        assert_non_null(e);
        if (strcmp(cu_error_msg(e), msg) != 0)
                fail_msg("got \"%s\", want \"%s\"", cu_error_msg(e), msg);
}

static void test_type_errors(void **state)
{
        expect_error("[containers]\n\npids_limit = \"many\"\n",
                     "test.conf:3: pids_limit: expected an integer");
        expect_error("[containers]\nno_hosts = 1\n", "test.conf:2: no_hosts: expected a boolean");
        expect_error("[containers]\ndns_servers = \"1.1.1.1\"\n",
                     "test.conf:2: dns_servers: expected an array of strings");
        expect_error("[engine]\nruntime = []\n", "test.conf:2: runtime: expected a string");
        expect_error("[containers]\numask = \"0999\"\n",
                     "test.conf:2: umask: invalid umask \"0999\"");
        expect_error("[engine]\ncgroup_manager = \"foo\"\n",
                     "test.conf:2: cgroup_manager: invalid value \"foo\" (expected one of cgroupfs, systemd)");
        expect_error("[engine.runtimes]\nrunc = \"/usr/bin/runc\"\n",
                     "test.conf:2: runc: expected an array of strings");
        /* syntax errors come from the TOML reader, with the line */
        expect_error("[containers]\nenv = [\"A\"\n", "test.conf:3: expected ',' or ']' in array");
}

static void test_storage(void **state)
{
        static const char text[] =
                "[storage]\n"
                "driver = \"vfs\"\n"
                "graphroot = \"/srv/g\"\n"
                "runroot = \"/run/g\"\n"
                "unknown = 3\n"
                "[storage.options]\n"
                "additionalimagestores = [\"/a\", \"/b\"]\n"
                "size = \"\"\n"
                "[storage.options.overlay]\n"
                "mountopt = \"nodev\"\n"
                "force_mask = 700\n"
                "[storage.options.thinpool]\n";
        _cleanup_storage_conf_ struct storage_conf *s = storage_conf_new();
        _cleanup_error_ struct cu_error *e = NULL;
        if (storage_conf_parse(s, text, strlen(text), "s.conf", &e) < 0)
                fail_msg("%s", cu_error_msg(e));
        assert_string_equal(s->driver, "vfs");
        assert_string_equal(s->graphroot, "/srv/g");
        assert_string_equal(s->runroot, "/run/g");
        assert_int_equal(strv_length(s->options), 4);
        assert_string_equal(s->options[0], "additionalimagestores=/a,/b");
        assert_string_equal(s->options[1], "size=");
        assert_string_equal(s->options[2], "overlay.mountopt=nodev");
        assert_string_equal(s->options[3], "overlay.force_mask=700");

        _cleanup_storage_conf_ struct storage_conf *b = storage_conf_new();
        static const char bad[] = "[storage]\ngraphroot = 1\n";
        assert_int_equal(storage_conf_parse(b, bad, strlen(bad), "s.conf", &e), -EINVAL);
        assert_string_equal(cu_error_msg(e), "s.conf:2: graphroot: expected a string");
}

static char *write_tmp(const char *dir, const char *name, const char *text)
{
        char *p = NULL;
        assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
        assert_int_equal(write_file_atomic(p, text, strlen(text), 0644, NULL), 0);
        return p;
}

/* The environment chain: CONTAINERS_CONF alone, then CONTAINERS_CONF_OVERRIDE; the user's
 * file and drop-ins after the system's; CONTAINERS_STORAGE_CONF. */
static void test_env_chain(void **state)
{
        char dir[] = "/tmp/test-containers-conf-XXXXXX";
        assert_non_null(mkdtemp(dir));
        _cleanup_free_ char *home = NULL, *cdir = NULL, *ddir = NULL;
        assert_true(asprintf(&home, "%s/home", dir) > 0);
        assert_true(asprintf(&cdir, "%s/.config/containers", home) > 0);
        assert_true(asprintf(&ddir, "%s/containers.conf.d", cdir) > 0);
        assert_int_equal(mkdir_p(ddir, 0755), 0);
        _cleanup_free_ char *main = write_tmp(dir, "main.conf", "[containers]\npids_limit = 5\ntz = \"a\"\n");
        _cleanup_free_ char *over = write_tmp(dir, "over.conf", "[containers]\ntz = \"b\"\n");
        _cleanup_free_ char *user = write_tmp(cdir, "containers.conf", "[containers]\npids_limit = 7\n");
        _cleanup_free_ char *d2 = write_tmp(ddir, "20-b.conf", "[containers]\npids_limit = 9\n");
        _cleanup_free_ char *d1 = write_tmp(ddir, "10-a.conf", "[containers]\npids_limit = 8\n");
        _cleanup_free_ char *skip = write_tmp(ddir, "x.txt", "garbage [[[");
        _cleanup_free_ char *bad = write_tmp(dir, "bad.conf", "[engine]\n\nevents_logger = 3\n");
        _cleanup_free_ char *st = write_tmp(dir, "storage.conf", "[storage]\ngraphroot = \"/g\"\n");

        unsetenv("XDG_CONFIG_HOME");
        setenv("HOME", home, 1);
        unsetenv("CONTAINERS_CONF_OVERRIDE");
        setenv("CONTAINERS_CONF", main, 1);
        _cleanup_error_ struct cu_error *e = NULL;
        struct containers_conf *c = NULL;
        assert_int_equal(containers_conf_load(&c, &e), 0);
        assert_int_equal(c->pids_limit, 5);
        assert_string_equal(c->tz, "a");
        assert_int_equal(strv_length(c->files), 1);
        c = containers_conf_free(c);

        setenv("CONTAINERS_CONF_OVERRIDE", over, 1);
        assert_int_equal(containers_conf_load(&c, &e), 0);
        assert_string_equal(c->tz, "b");
        assert_string_equal(c->files[1], over);
        c = containers_conf_free(c);

        unsetenv("CONTAINERS_CONF");
        unsetenv("CONTAINERS_CONF_OVERRIDE");
        _cleanup_strv_ char **paths = NULL;
        assert_int_equal(containers_conf_paths(&paths, &e), 0);
        size_t n = strv_length(paths);
        assert_true(n >= 3);
        assert_string_equal(paths[n - 3], user);
        assert_string_equal(paths[n - 2], d1);
        assert_string_equal(paths[n - 1], d2);
        assert_int_equal(containers_conf_load(&c, &e), 0);
        assert_int_equal(c->pids_limit, 9);
        c = containers_conf_free(c);

        setenv("CONTAINERS_CONF", bad, 1);
        assert_int_equal(containers_conf_load(&c, &e), -EINVAL);
        _cleanup_free_ char *want = NULL;
        assert_true(asprintf(&want, "%s:3: events_logger: expected a string", bad) > 0);
        assert_string_equal(cu_error_msg(e), want);
        cu_error_clear(&e);
        setenv("CONTAINERS_CONF", "/nonexistent/containers.conf", 1);
        assert_int_equal(containers_conf_load(&c, &e), -ENOENT);
        cu_error_clear(&e);
        unsetenv("CONTAINERS_CONF");

        setenv("CONTAINERS_STORAGE_CONF", st, 1);
        struct storage_conf *s = NULL;
        assert_int_equal(storage_conf_load(&s, &e), 0);
        assert_string_equal(s->graphroot, "/g");
        assert_string_equal(s->file, st);
        s = storage_conf_free(s);
        setenv("CONTAINERS_STORAGE_CONF", "/nonexistent/storage.conf", 1);
        assert_int_equal(storage_conf_load(&s, &e), 0);
        assert_null(s->graphroot);
        assert_null(s->file);
        s = storage_conf_free(s);
        unsetenv("CONTAINERS_STORAGE_CONF");
        assert_int_equal(rm_rf(dir), 0);
}

static void test_runtime_path(void **state)
{
        _cleanup_containers_conf_ struct containers_conf *c = containers_conf_new();
        _cleanup_error_ struct cu_error *e = NULL;
        assert_int_equal(parse(c, "[engine.runtimes]\nfake = [\"/nonexistent/a\", \"/bin/sh\"]\n"
                                  "gone = [\"/nonexistent/b\"]\n", &e), 0);
        char *p = NULL;
        assert_int_equal(containers_conf_runtime_path(c, "fake", &p, &e), 0);
        assert_string_equal(p, "/bin/sh");
        free(p);
        assert_int_equal(containers_conf_runtime_path(c, "gone", &p, &e), -ENOENT);
        assert_string_equal(cu_error_msg(e),
                            "could not find a working binary for runtime gone (tried /nonexistent/b)");
        cu_error_clear(&e);
        assert_int_equal(containers_conf_runtime_path(c, "/bin/sh", &p, &e), 0);
        assert_string_equal(p, "/bin/sh");
        free(p);
        assert_int_equal(containers_conf_runtime_path(c, "sh", &p, &e), 0); /* from $PATH */
        free(p);
        assert_int_equal(containers_conf_runtime_path(c, "no-such-runtime-x", &p, &e), -ENOENT);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults),        cmocka_unit_test(test_keys),
                cmocka_unit_test(test_dropin_override), cmocka_unit_test(test_type_errors),
                cmocka_unit_test(test_storage),         cmocka_unit_test(test_env_chain),
                cmocka_unit_test(test_runtime_path),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
