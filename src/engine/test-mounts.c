/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The mount option parsers (-v, --mount, --tmpfs, --volumes-from), OCI entries, ordering. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/volumes.h"
#include "util/json.h"

static const char *s(json_t *m, const char *k)
{
        return json_string_value(json_object_get(m, k));
}

static void check_clean(const char *in, const char *want)
{
        char *c = mount_clean_path(in);
        assert_non_null(c);
        assert_string_equal(c, want);
        free(c);
}

static void test_clean(void **state)
{
        (void) state;
        check_clean("/a//b/../c/", "/a/c");
        check_clean("/x/../../../../y", "/y");
        check_clean("/..", "/");
        check_clean("/", "/");
        check_clean("a/./b", "a/b");
        check_clean("../a", "../a");
        check_clean("", ".");
}

/* The error text of a parse that must fail. */
static void parse_fails(int (*fn)(const char *, json_t **, struct cu_error **), const char *spec,
                        const char *msg)
{
        json_t *m = NULL;
        _cleanup_error_ struct cu_error *err = NULL;
        assert_true(fn(spec, &m, &err) < 0);
        assert_null(m);
        assert_string_equal(cu_error_msg(err), msg);
}

static void test_volume_forms(void **state)
{
        (void) state;
        _cleanup_error_ struct cu_error *err = NULL;
        json_t *m = NULL;
        assert_int_equal(mount_parse_volume("/src:/dst/../d:ro,z,nosuid,rshared", &m, &err), 0);
        assert_string_equal(s(m, "Type"), "bind");
        assert_string_equal(s(m, "Source"), "/src");
        assert_string_equal(s(m, "Destination"), "/d");
        assert_true(json_is_false(json_object_get(m, "RW")));
        assert_string_equal(s(m, "Mode"), "z");
        assert_string_equal(s(m, "Propagation"), "rshared");
        assert_int_equal(json_array_size(json_object_get(m, "Options")), 1);
        json_decref(m);

        assert_int_equal(mount_parse_volume("data:/d:U,nocopy,bind", &m, &err), 0);
        assert_string_equal(s(m, "Type"), "volume");
        assert_string_equal(s(m, "Name"), "data");
        assert_true(json_is_true(json_object_get(m, "Chown")));
        assert_true(json_is_true(json_object_get(m, "NoCopy")));
        assert_true(json_is_false(json_object_get(m, "Recursive")));
        assert_true(json_is_false(json_object_get(m, "Anonymous")));
        json_decref(m);

        assert_int_equal(mount_parse_volume("/anon", &m, &err), 0);
        assert_string_equal(s(m, "Type"), "volume");
        assert_string_equal(s(m, "Name"), "");
        assert_true(json_is_true(json_object_get(m, "Anonymous")));
        json_decref(m);

        assert_int_equal(mount_parse_volume("./rel:/d:O,upperdir=/u,workdir=/w", &m, &err), 0);
        assert_string_equal(s(m, "Type"), "bind");
        assert_true(json_is_true(json_object_get(m, "Overlay")));
        assert_string_equal(s(m, "UpperDir"), "/u");
        assert_string_equal(s(m, "WorkDir"), "/w");
        json_decref(m);
}

static void test_volume_errors(void **state)
{
        (void) state;
        parse_fails(mount_parse_volume, "a:b:c:d",
                    "a:b:c:d: incorrect volume format, should be [host-dir:]ctr-dir[:option]");
        parse_fails(mount_parse_volume, ":/x", "host directory cannot be empty");
        parse_fails(mount_parse_volume, "/s:rel", "invalid container path \"rel\", must be an absolute path");
        parse_fails(mount_parse_volume, "rel", "invalid container path \"rel\", must be an absolute path");
        parse_fails(mount_parse_volume, "/s:/d:foo", "invalid option type \"foo\"");
        parse_fails(mount_parse_volume, "/s:/d:ro,rw",
                    "invalid options \"ro, rw\", can only specify 1 'rw' or 'ro' option");
        parse_fails(mount_parse_volume, "/s:/d:exec,noexec",
                    "invalid options \"exec, noexec\", can only specify 1 'noexec' or 'exec' option");
        parse_fails(mount_parse_volume, "/s:/d:z,O",
                    "invalid options \"z, O\", can only specify 1 'z', 'Z', or 'O' option");
        parse_fails(mount_parse_volume, "/s:/d:shared,rslave",
                    "invalid options \"shared, rslave\", can only specify 1 '[r]shared', '[r]private', '[r]slave' or '[r]unbindable' option");
        parse_fails(mount_parse_volume, "/s:/d:O,upperdir=/u", "must set both `upperdir` and `workdir`");
        parse_fails(mount_parse_volume, "/s:/d:O,workdir=/w", "must set both `upperdir` and `workdir`");
        parse_fails(mount_parse_volume, "/s:/d:O,upperdir=,workdir=/w", "cannot accept empty value for upperdir");
        parse_fails(mount_parse_volume, "/s:/d:upperdir=/u,workdir=/w",
                    "upperdir and workdir can only be used with the O option");
        parse_fails(mount_parse_volume, "/s:/d:copy,nocopy",
                    "invalid options \"copy, nocopy\", can only specify 1 'copy' or 'nocopy' option");
}

static void test_mount_forms(void **state)
{
        (void) state;
        _cleanup_error_ struct cu_error *err = NULL;
        json_t *m = NULL;
        assert_int_equal(mount_parse_mount("type=bind,source=/s,target=/t,readonly,bind-propagation=rslave,bind-nonrecursive,relabel=shared", &m, &err), 0);
        assert_string_equal(s(m, "Source"), "/s");
        assert_string_equal(s(m, "Destination"), "/t");
        assert_true(json_is_false(json_object_get(m, "RW")));
        assert_string_equal(s(m, "Propagation"), "rslave");
        assert_true(json_is_false(json_object_get(m, "Recursive")));
        assert_string_equal(s(m, "Mode"), "z");
        json_decref(m);

        assert_int_equal(mount_parse_mount("type=bind,dst=/t,ro=false", &m, &err), 0);
        assert_string_equal(s(m, "Source"), "/t"); /* podman: the source defaults to the target */
        assert_true(json_is_true(json_object_get(m, "RW")));
        json_decref(m);

        assert_int_equal(mount_parse_mount("type=volume,dst=/v,volume-nocopy", &m, &err), 0);
        assert_true(json_is_true(json_object_get(m, "Anonymous")));
        assert_true(json_is_true(json_object_get(m, "NoCopy")));
        json_decref(m);

        assert_int_equal(mount_parse_mount("type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=700,notmpcopyup", &m, &err), 0);
        json_t *oci = mount_oci_entry(m, NULL);
        _cleanup_free_ char *text = json_dumps(oci, JSON_COMPACT);
        assert_string_equal(text, "{\"destination\":\"/t\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"rprivate\",\"rw\",\"nosuid\",\"nodev\",\"size=1m\",\"mode=700\"]}");
        json_decref(oci);
        json_decref(m);

        assert_int_equal(mount_parse_mount("type=image,src=busy,dst=/i,rw=true", &m, &err), 0);
        assert_string_equal(s(m, "Source"), "busy");
        assert_true(json_is_true(json_object_get(m, "RW")));
        json_decref(m);
        assert_int_equal(mount_parse_mount("type=image,src=busy,dst=/i", &m, &err), 0);
        assert_true(json_is_false(json_object_get(m, "RW")));
        json_decref(m);

        assert_int_equal(mount_parse_mount("type=devpts,dst=/dev/pts2,mode=600", &m, &err), 0);
        oci = mount_oci_entry(m, NULL);
        free(text);
        text = json_dumps(oci, JSON_COMPACT);
        assert_string_equal(text, "{\"destination\":\"/dev/pts2\",\"type\":\"devpts\",\"source\":\"devpts\",\"options\":[\"rw\",\"mode=600\"]}");
        json_decref(oci);
        json_decref(m);
}

static void test_mount_errors(void **state)
{
        (void) state;
        parse_fails(mount_parse_mount, "type=foo,dst=/x", "invalid filesystem type \"foo\"");
        parse_fails(mount_parse_mount, "dst=/x",
                    "incorrect mount format: should be --mount type=<bind|tmpfs|volume>,[src=<host-dir|volume-name>,]target=<ctr-dir>[,options]");
        parse_fails(mount_parse_mount, "type=bind,src=/s", "must set volume destination");
        parse_fails(mount_parse_mount, "type=bind,src=/s,dst=rel", "invalid container path \"rel\", must be an absolute path");
        parse_fails(mount_parse_mount, "type=bind,src=/s,dst=/x,bogus=1", "bogus: invalid mount option");
        parse_fails(mount_parse_mount, "type=bind,src=/s,dst=/x,bind-propagation=bad", "invalid option type \"bad\"");
        parse_fails(mount_parse_mount, "type=tmpfs,src=/s,dst=/x", "src: invalid mount option");
        parse_fails(mount_parse_mount, "type=image,dst=/x", "must set source image");
        parse_fails(mount_parse_mount, "type=image,src=i,dst=/x,tmpfs-size=1", "tmpfs-size: invalid mount option");
        parse_fails(mount_parse_mount, "type=bind,src=/s,dst=/x,ro=maybe",
                    "invalid value for ro: \"maybe\" (true or false)");
}

static void test_tmpfs_and_from(void **state)
{
        (void) state;
        _cleanup_error_ struct cu_error *err = NULL;
        json_t *m = NULL;
        assert_int_equal(mount_parse_tmpfs("/t:size=2m,ro,noexec", &m, &err), 0);
        json_t *oci = mount_oci_entry(m, NULL);
        _cleanup_free_ char *text = json_dumps(oci, JSON_COMPACT);
        assert_string_equal(text, "{\"destination\":\"/t\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"rprivate\",\"ro\",\"nosuid\",\"nodev\",\"size=2m\",\"noexec\",\"tmpcopyup\"]}");
        json_decref(oci);
        json_decref(m);
        parse_fails(mount_parse_tmpfs, "rel:size=1m", "invalid container path \"rel\", must be an absolute path");

        char *ctr = NULL;
        int rw = 5;
        assert_int_equal(mount_parse_volumes_from("web", &ctr, &rw, &err), 0);
        assert_string_equal(ctr, "web");
        assert_int_equal(rw, -1);
        free(ctr);
        assert_int_equal(mount_parse_volumes_from("web:ro,z", &ctr, &rw, &err), 0);
        assert_int_equal(rw, 0);
        free(ctr);
        assert_int_equal(mount_parse_volumes_from("web:ro,rw", &ctr, &rw, &err), -EINVAL);
        cu_error_clear(&err);
        assert_int_equal(mount_parse_volumes_from("web:xx", &ctr, &rw, &err), -EINVAL);
        cu_error_clear(&err);
        assert_int_equal(mount_parse_volumes_from(":rw", &ctr, &rw, &err), -EINVAL);
}

static void test_oci_and_binds(void **state)
{
        (void) state;
        _cleanup_error_ struct cu_error *err = NULL;
        json_t *m = NULL;
        assert_int_equal(mount_parse_volume("data:/d:ro,exec,suid", &m, &err), 0);
        json_t *oci = mount_oci_entry(m, "/r/volumes/data/_data");
        _cleanup_free_ char *text = json_dumps(oci, JSON_COMPACT);
        assert_string_equal(text, "{\"destination\":\"/d\",\"type\":\"bind\",\"source\":\"/r/volumes/data/_data\",\"options\":[\"rbind\",\"rprivate\",\"ro\",\"nodev\",\"exec\",\"suid\"]}");
        _cleanup_free_ char *b = mount_binds_options(m);
        assert_string_equal(b, "ro,rprivate,nodev,exec,suid,rbind");
        json_decref(oci);
        json_decref(m);
        assert_int_equal(mount_parse_volume("/h:/d", &m, &err), 0);
        free(b);
        b = mount_binds_options(m);
        assert_string_equal(b, "rw,rprivate,rbind");
        json_decref(m);
}

static void test_sort_and_propagation(void **state)
{
        (void) state;
        json_t *mounts = json_pack("[{s:s}, {s:s}, {s:s}, {s:s, s:[s]}, {s:s}]", "destination", "/a/b/c",
                                   "destination", "/a", "destination", "/proc", "destination", "/a/b",
                                   "options", "rslave", "destination", "/z");
        assert_int_equal(mounts_sort(mounts), 0);
        const char *want[] = { "/a", "/proc", "/z", "/a/b", "/a/b/c" };
        for (size_t i = 0; i < 5; i++)
                assert_string_equal(s(json_array_get(mounts, i), "destination"), want[i]);
        assert_string_equal(mounts_root_propagation(mounts), "rslave");
        json_array_append_new(mounts, json_pack("{s:s, s:[s]}", "destination", "/s", "options", "shared"));
        assert_string_equal(mounts_root_propagation(mounts), "shared");
        json_decref(mounts);
        json_t *none = json_pack("[{s:s, s:[s]}]", "destination", "/x", "options", "rprivate");
        assert_null(mounts_root_propagation(none));
        json_decref(none);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_clean),         cmocka_unit_test(test_volume_forms),
                cmocka_unit_test(test_volume_errors), cmocka_unit_test(test_mount_forms),
                cmocka_unit_test(test_mount_errors),  cmocka_unit_test(test_tmpfs_and_from),
                cmocka_unit_test(test_oci_and_binds), cmocka_unit_test(test_sort_and_propagation),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
