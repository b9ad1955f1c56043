/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bindmounts.c, containerenv.c: the files made and mounted, --tz, .containerenv, shm, and
 * the create-time checks. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/bind-internal.h"
#include "util/fileio.h"

static char dir[64], root[128], bundle[128], zones[128];
static int rootfd = -1;

static void put(const char *path, const char *text, size_t len)
{
        assert_int_equal(write_file_atomic(path, text, len, 0644, NULL), 0);
}

static char *slurp(const char *path)
{
        char *t = NULL;
        return read_full_file(path, &t, NULL, NULL) < 0 ? NULL : t;
}

static int setup(void **state)
{
        (void) state;
        snprintf(dir, sizeof dir, "/tmp/test-bindmounts-XXXXXX");
        if (!mkdtemp(dir))
                return -1;
        snprintf(root, sizeof root, "%s/root", dir);
        snprintf(bundle, sizeof bundle, "%s/bundle", dir);
        snprintf(zones, sizeof zones, "%s/zoneinfo", dir);
        char p[256];
        snprintf(p, sizeof p, "%s/etc", root);
        mkdir_p(p, 0755);
        mkdir_p(bundle, 0700);
        snprintf(p, sizeof p, "%s/Europe", zones);
        mkdir_p(p, 0755);
        snprintf(p, sizeof p, "%s/Europe/Paris", zones);
        put(p, "TZif2 pretend zone data", 23);
        snprintf(p, sizeof p, "%s/zone.tab", zones);
        put(p, "# not a zone\n", 13);
        rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        return rootfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
        (void) state;
        close(rootfd);
        rm_rf(dir);
        return 0;
}

static void test_tz(void **state)
{
        (void) state;
        struct cu_error *err = NULL;
        assert_int_equal(tz_validate("Europe/Paris", zones, &err), 0);
        assert_int_equal(tz_validate("local", zones, &err), 0);
        assert_int_equal(tz_validate("", zones, &err), 0);
        assert_int_equal(tz_validate("Nowhere/Bad", zones, &err), -ENOENT);
        assert_non_null(strstr(cu_error_msg(err), "running container create option: stat "));
        assert_non_null(strstr(cu_error_msg(err), "/Nowhere/Bad: no such file or directory"));
        cu_error_clear(&err);
        assert_int_equal(tz_validate("Europe", zones, &err), -EISDIR);
        assert_string_equal(cu_error_msg(err), "running container create option: invalid timezone: is a directory");
        cu_error_clear(&err);
        assert_int_equal(tz_validate("zone.tab", zones, &err), -EINVAL);
        assert_string_equal(cu_error_msg(err), "running container create option: unknown time zone zone.tab");
        cu_error_clear(&err);
        const char *bad[] = { "../etc/passwd", "/etc/passwd", "Europe/../Europe/Paris", "Europe/", "./x" };
        for (size_t i = 0; i < 5; i++) {
                assert_int_equal(tz_validate(bad[i], zones, &err), -EINVAL);
                assert_non_null(strstr(cu_error_msg(err), "time: invalid location name"));
                cu_error_clear(&err);
        }
        /* the copy is the zone's content */
        assert_int_equal(tz_copy("Europe/Paris", zones, bundle, &err), 0);
        char p[256];
        snprintf(p, sizeof p, "%s/localtime", bundle);
        char *t = slurp(p);
        assert_string_equal(t, "TZif2 pretend zone data");
        free(t);
}

static void test_containerenv(void **state)
{
        (void) state;
        json_t *c = json_pack("{s:s, s:s, s:s}", "Name", "web", "ImageName", "localhost/busy:latest",
                              "Image", "abc");
        char *t = containerenv_text(c, "id1", false, "1.2");
        assert_string_equal(t, "");
        free(t);
        json_object_set_new(c, "Privileged", json_true());
        json_object_set_new(c, "Name", json_string("we\"ird\\name\n"));
        t = containerenv_text(c, "id1", true, "1.2");
        assert_string_equal(t, "engine=\"cuttle-1.2\"\nname=\"we\\\"ird\\\\name\\n\"\nid=\"id1\"\n"
                               "image=\"localhost/busy:latest\"\nimageid=\"abc\"\nrootless=1\n");
        free(t);
        json_decref(c);
}

static int config(const char *opts_umask, char **group_add, const char *tz, struct cu_error **err,
                  json_t **ret)
{
        struct engine_create_opts o = { .image = "x" };
        o.bind.umask = opts_umask;
        o.bind.group_add = group_add;
        o.bind.tz = tz;
        json_t *c = json_pack("{s:{}}", "Annotations");
        int r = engine_config_bindmounts(NULL, c, &o, NULL, err);
        if (ret)
                *ret = c;
        else
                json_decref(c);
        return r;
}

static void test_config(void **state)
{
        (void) state;
        struct cu_error *err = NULL;
        json_t *c = NULL;
        assert_int_equal(config("77", NULL, NULL, &err, &c), 0);
        assert_string_equal(json_string_value(json_object_get(c, "Umask")), "0077");
        assert_int_equal(json_integer_value(json_object_get(c, "ShmSize")), 65536000);
        assert_true(json_is_true(json_object_get(c, "Passwd")));
        assert_true(json_is_true(json_object_get(c, "CreateWorkingDir")));
        json_decref(c);
        assert_int_equal(config(NULL, NULL, NULL, &err, &c), 0);
        assert_string_equal(json_string_value(json_object_get(c, "Umask")), "0022");
        json_decref(c);
        const char *bad[] = { "999", "0777777", "", "abc", "-1" };
        for (size_t i = 0; i < 5; i++) {
                assert_int_equal(config(bad[i], NULL, NULL, &err, NULL), -EINVAL);
                assert_non_null(strstr(cu_error_msg(err), "invalid umask string"));
                cu_error_clear(&err);
        }
        char *kg[] = { (char *) "keep-groups", NULL }, *kg2[] = { (char *) "keep-groups", (char *) "wheel", NULL };
        assert_int_equal(config(NULL, kg, NULL, &err, &c), 0);
        assert_string_equal(json_string_value(json_object_get(json_object_get(c, "Annotations"),
                                                              "run.oci.keep_original_groups")),
                            "1");
        json_decref(c);
        assert_int_equal(config(NULL, kg2, NULL, &err, NULL), -EINVAL);
        assert_string_equal(cu_error_msg(err),
                            "the '--group-add keep-groups' option is not allowed with any other --group-add options");
        cu_error_clear(&err);
        assert_int_equal(config(NULL, NULL, "Not/AZone", &err, NULL), -ENOENT);
        cu_error_free(err);
}

static json_t *mount_at(json_t *spec, const char *dst)
{
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(spec, "mounts"), i, m)
                if (strcmp(json_string_value(json_object_get(m, "destination")), dst) == 0)
                        return m;
        return NULL;
}

static bool has_opt(json_t *m, const char *o)
{
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(m, "options"), i, v)
                if (strcmp(json_string_value(v), o) == 0)
                        return true;
        return false;
}

static json_t *spec_for(const char *config_json, const char *user_mounts, struct cu_error **err)
{
        json_t *c = json_loads(config_json, 0, NULL);
        assert_non_null(c);
        json_t *spec = json_loads("{\"hostname\":\"h\",\"process\":{\"env\":[]},\"mounts\":["
                                  "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\",\"options\":[]}]}",
                                  0, NULL);
        json_t *um = json_loads(user_mounts, 0, NULL);
        json_array_extend(json_object_get(spec, "mounts"), um);
        json_decref(um);
        struct engine_spec_ctx x = { .id = "cid", .c = c, .rootfd = rootfd, .rootfs = root,
                                     .bundle = bundle, .write_files = true };
        int r = engine_spec_user(spec, &x, err);
        if (r >= 0)
                r = engine_spec_bindmounts(spec, &x, err);
        free(x.home);
        json_decref(c);
        if (r < 0) {
                json_decref(spec);
                return NULL;
        }
        return spec;
}

static void test_passwd_files(void **state)
{
        (void) state;
        char pw[256], gr[256], p[256];
        snprintf(pw, sizeof pw, "%s/etc/passwd", root);
        snprintf(gr, sizeof gr, "%s/etc/group", root);
        put(pw, "root:x:0:0:root:/root:/bin/sh", 29); /* no final newline */
        put(gr, "root:x:0:\n", 10);
        struct cu_error *err = NULL;

        /* read-only: copies in the bundle, mounted read-only; the root is untouched */
        json_t *s = spec_for("{\"User\":\"1234\",\"ReadOnly\":true,\"WorkingDir\":\"/\"}", "[]", &err);
        assert_non_null(s);
        json_t *m = mount_at(s, "/etc/passwd");
        assert_non_null(m);
        assert_true(has_opt(m, "ro"));
        assert_true(has_opt(m, "noexec"));
        snprintf(p, sizeof p, "%s/passwd", bundle);
        char *t = slurp(p);
        assert_string_equal(t, "root:x:0:0:root:/root:/bin/sh\n1234:*:1234:0:container user:/:/bin/sh\n");
        free(t);
        snprintf(p, sizeof p, "%s/group", bundle);
        t = slurp(p);
        assert_string_equal(t, "root:x:0:\n1234:x:1234:1234\n");
        free(t);
        t = slurp(pw);
        assert_string_equal(t, "root:x:0:0:root:/root:/bin/sh");
        free(t);
        assert_true(has_opt(mount_at(s, "/etc/hostname"), "ro"));
        json_decref(s);

        /* writable: appended in place (once), nothing mounted */
        for (int i = 0; i < 2; i++) {
                s = spec_for("{\"User\":\"1234:55\",\"WorkingDir\":\"/w\",\"CreateWorkingDir\":true}", "[]", &err);
                assert_non_null(s);
                assert_null(mount_at(s, "/etc/passwd"));
                assert_null(mount_at(s, "/etc/group"));
                json_decref(s);
        }
        t = slurp(pw);
        assert_string_equal(t, "root:x:0:0:root:/root:/bin/sh\n1234:*:1234:55:container user:/w:/bin/sh\n");
        free(t);
        t = slurp(gr);
        assert_string_equal(t, "root:x:0:\n55:x:55:1234\n");
        free(t);

        /* --passwd=false and a user mount of /etc/passwd: nothing generated */
        put(pw, "root:x:0:0:root:/root:/bin/sh\n", 30);
        s = spec_for("{\"User\":\"4321\",\"Passwd\":false}", "[]", &err);
        assert_non_null(s);
        json_decref(s);
        char own[256];
        snprintf(own, sizeof own, "%s/ownpasswd", dir);
        put(own, "me:x:4321:7::/mine:/bin/sh\n", 27);
        char mounts[512];
        snprintf(mounts, sizeof mounts, "[{\"destination\":\"/etc/passwd\",\"type\":\"bind\",\"source\":\"%s\"}]", own);
        s = spec_for("{\"User\":\"me\"}", mounts, &err);
        if (!s)
                fail_msg("%s", cu_error_msg(err));
        json_t *u = json_object_get(json_object_get(s, "process"), "user");
        assert_int_equal(json_integer_value(json_object_get(u, "uid")), 4321); /* the user's passwd decides */
        assert_string_equal(json_string_value(json_object_get(mount_at(s, "/etc/passwd"), "source")), own);
        json_decref(s);
        t = slurp(pw);
        assert_string_equal(t, "root:x:0:0:root:/root:/bin/sh\n");
        free(t);
        cu_error_free(err);
}

static void test_other_files(void **state)
{
        (void) state;
        struct cu_error *err = NULL;
        json_t *s = spec_for("{\"ShmSize\":1048576,\"Privileged\":true,\"Name\":\"n\"}", "[]", &err);
        assert_non_null(s);
        json_t *shm = mount_at(s, "/dev/shm");
        assert_true(has_opt(shm, "size=1048576"));
        assert_true(has_opt(shm, "noexec"));
        assert_true(has_opt(shm, "nosuid"));
        assert_true(has_opt(shm, "nodev"));
        assert_non_null(mount_at(s, "/run/.containerenv"));
        assert_non_null(mount_at(s, "/etc/hostname"));
        assert_false(has_opt(mount_at(s, "/etc/hostname"), "ro"));
        assert_null(mount_at(s, "/etc/localtime"));
        char p[256];
        snprintf(p, sizeof p, "%s/.containerenv", bundle);
        char *t = slurp(p);
        assert_non_null(strstr(t, "name=\"n\"\nid=\"cid\"\n"));
        free(t);
        snprintf(p, sizeof p, "%s/hostname", bundle);
        t = slurp(p);
        assert_string_equal(t, "h");
        free(t);
        json_decref(s);
        /* another IPC namespace: /dev/shm is not ours; the user's /run and /etc/hostname win */
        s = spec_for("{\"IpcMode\":\"host\"}",
                     "[{\"destination\":\"/run\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
                     "{\"destination\":\"/etc/hostname\",\"type\":\"bind\",\"source\":\"/x\"}]",
                     &err);
        assert_non_null(s);
        assert_int_equal(json_array_size(json_object_get(mount_at(s, "/dev/shm"), "options")), 0);
        assert_null(mount_at(s, "/run/.containerenv"));
        assert_string_equal(json_string_value(json_object_get(mount_at(s, "/etc/hostname"), "source")), "/x");
        json_decref(s);
        cu_error_free(err);
}

static void test_chroot(void **state)
{
        (void) state;
        json_t *c = json_pack("{s:[s, s]}", "ChrootDirs", "/jail", "/");
        json_t *spec = json_pack("{s:[]}", "mounts");
        struct engine_spec_ctx x = { .id = "cid", .c = c };
        assert_int_equal(engine_spec_bind_chroot(spec, &x, "/etc/hosts", "/b/hosts"), 0);
        assert_non_null(mount_at(spec, "/etc/hosts"));
        assert_non_null(mount_at(spec, "/jail/etc/hosts"));
        assert_int_equal(json_array_size(json_object_get(spec, "mounts")), 2); /* "/" is the root */
        json_decref(spec);
        json_decref(c);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_tz),           cmocka_unit_test(test_containerenv),
                cmocka_unit_test(test_config),       cmocka_unit_test(test_passwd_files),
                cmocka_unit_test(test_other_files),  cmocka_unit_test(test_chroot),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
