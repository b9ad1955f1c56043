/* SPDX-License-Identifier: GPL-2.0-or-later */
/* user.c: the process user in the spec (groups, --group-add, umask, mappings) and hostile
 * /etc files in the image. */
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

static char dir[64];
static int rootfd = -1;

static void put(const char *path, const char *text)
{
        char p[256];
        snprintf(p, sizeof p, "%s%s", dir, path);
        assert_int_equal(write_file_atomic(p, text, strlen(text), 0644, NULL), 0);
}

static int setup(void **state)
{
        (void) state;
        snprintf(dir, sizeof dir, "/tmp/test-user-XXXXXX");
        if (!mkdtemp(dir))
                return -1;
        char p[256];
        snprintf(p, sizeof p, "%s/etc", dir);
        mkdir(p, 0755);
        put("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\ntester:x:1000:1000::/home/tester:/bin/sh\n");
        put("/etc/group", "root:x:0:\nwheel:x:10:tester\nbig:x:70000:tester\ntester:x:1000:\n");
        rootfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        return rootfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
        (void) state;
        close(rootfd);
        rm_rf(dir);
        return 0;
}

/* user_apply over the image's files, on a spec with optional gid mappings. */
static json_t *apply(const char *config, json_t *gidmaps, int *ret, struct cu_error **err)
{
        json_t *c = json_loads(config, 0, NULL);
        assert_non_null(c);
        json_t *spec = json_pack("{s:{s:[]}, s:{}}", "process", "env", "linux");
        if (gidmaps)
                json_object_set_new(json_object_get(spec, "linux"), "gidMappings", gidmaps);
        struct engine_spec_ctx x = { .id = "abc", .c = c, .rootfd = rootfd };
        char *pw = NULL, *gr = NULL;
        assert_int_equal(bind_read_in_root(rootfd, "/etc/passwd", &pw), 0);
        assert_int_equal(bind_read_in_root(rootfd, "/etc/group", &gr), 0);
        *ret = user_apply(spec, &x, pw, gr, err);
        if (*ret >= 0)
                assert_int_equal(user_set_home(spec, &x, pw), 0);
        free(pw);
        free(gr);
        free(x.home);
        json_decref(c);
        return spec;
}

static json_t *puser(json_t *spec)
{
        return json_object_get(json_object_get(spec, "process"), "user");
}

static json_int_t gid_at(json_t *spec, size_t i)
{
        return json_integer_value(json_array_get(json_object_get(puser(spec), "additionalGids"), i));
}

static const char *env0(json_t *spec)
{
        return json_string_value(json_array_get(json_object_get(json_object_get(spec, "process"), "env"), 0));
}

static void test_groups(void **state)
{
        (void) state;
        struct cu_error *err = NULL;
        int r;
        /* no --user: root, no groups, HOME from passwd */
        json_t *s = apply("{\"User\":\"\"}", NULL, &r, &err);
        assert_int_equal(r, 0);
        assert_null(json_object_get(puser(s), "additionalGids"));
        assert_string_equal(env0(s), "HOME=/root");
        json_decref(s);
        /* a user: primary gid first, then its groups */
        s = apply("{\"User\":\"tester\",\"GroupAdd\":[\"wheel\",\"44\"],\"Umask\":\"0077\"}", NULL, &r, &err);
        assert_int_equal(r, 0);
        assert_int_equal(gid_at(s, 0), 1000);
        assert_int_equal(gid_at(s, 1), 10);
        assert_int_equal(gid_at(s, 2), 44);
        assert_int_equal(gid_at(s, 3), 70000);
        assert_int_equal(json_array_size(json_object_get(puser(s), "additionalGids")), 4);
        assert_int_equal(json_integer_value(json_object_get(puser(s), "umask")), 077);
        assert_string_equal(env0(s), "HOME=/home/tester");
        json_decref(s);
        /* groups outside the gid mappings are dropped; an explicit group drops them all */
        s = apply("{\"User\":\"tester\"}", json_pack("[{s:i, s:i, s:i}]", "containerID", 0, "hostID", 100000,
                                                    "size", 65536),
                  &r, &err);
        assert_int_equal(r, 0);
        assert_int_equal(json_array_size(json_object_get(puser(s), "additionalGids")), 2);
        json_decref(s);
        s = apply("{\"User\":\"tester:wheel\"}", NULL, &r, &err);
        assert_int_equal(json_integer_value(json_object_get(puser(s), "gid")), 10);
        assert_int_equal(json_array_size(json_object_get(puser(s), "additionalGids")), 1);
        json_decref(s);
        /* a numeric user missing from passwd: HOME "/", as runc */
        s = apply("{\"User\":\"4321\"}", NULL, &r, &err);
        assert_int_equal(json_integer_value(json_object_get(puser(s), "uid")), 4321);
        assert_string_equal(env0(s), "HOME=/");
        json_decref(s);
        /* keep-groups adds nothing (the runtime's annotation does the work) */
        s = apply("{\"GroupAdd\":[\"keep-groups\"]}", NULL, &r, &err);
        assert_int_equal(r, 0);
        assert_null(json_object_get(puser(s), "additionalGids"));
        json_decref(s);
        s = apply("{\"GroupAdd\":[\"nosuch\"]}", NULL, &r, &err);
        assert_int_equal(r, -ENOENT);
        assert_string_equal(cu_error_msg(err),
                            "looking up supplemental groups for container abc: Unable to find group nosuch: no matching entries in group file");
        json_decref(s);
        cu_error_free(err);
}

static void test_hostile_etc(void **state)
{
        (void) state;
        char p[256];
        char *text = NULL;
        /* a FIFO would block a reader: refused */
        snprintf(p, sizeof p, "%s/etc/fifo", dir);
        assert_int_equal(mkfifo(p, 0644), 0);
        assert_int_equal(bind_read_in_root(rootfd, "/etc/fifo", &text), -EINVAL);
        /* a directory */
        assert_int_equal(bind_read_in_root(rootfd, "/etc", &text), -EINVAL);
        /* a symlink out of the root resolves inside it */
        snprintf(p, sizeof p, "%s/etc/out", dir);
        assert_int_equal(symlink("../../../../../../etc/passwd", p), 0);
        assert_int_equal(bind_read_in_root(rootfd, "/etc/out", &text), 0);
        assert_non_null(strstr(text, "tester:x:1000"));
        free(text);
        /* a missing file */
        assert_int_equal(bind_read_in_root(rootfd, "/etc/none", &text), -ENOENT);
        /* engine_resolve_user over a hostile /etc/passwd: an error, not a hang */
        char d2[] = "/tmp/test-user2-XXXXXX";
        assert_non_null(mkdtemp(d2));
        snprintf(p, sizeof p, "%s/etc", d2);
        mkdir(p, 0755);
        snprintf(p, sizeof p, "%s/etc/passwd", d2);
        assert_int_equal(mkfifo(p, 0644), 0);
        int fd = open(d2, O_PATH | O_DIRECTORY | O_CLOEXEC);
        uint32_t uid, gid;
        struct cu_error *err = NULL;
        assert_int_equal(engine_resolve_user(fd, "tester", &uid, &gid, NULL, NULL, NULL, &err), -EINVAL);
        assert_non_null(strstr(cu_error_msg(err), "reading the container's /etc/passwd"));
        cu_error_free(err);
        close(fd);
        rm_rf(d2);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_groups),
                cmocka_unit_test(test_hostile_etc),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
