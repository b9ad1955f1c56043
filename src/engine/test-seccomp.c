/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The default seccomp profile and the conversion of podman-format profiles. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <seccomp.h>

#include "engine/security.h"
#include "oci/spec-seccomp.h"
#include "util/json.h"
#include "util/strv.h"

static const char *const no_caps[] = { NULL };
static const char *const admin[] = { "CAP_SYS_ADMIN", NULL };

/* The rule of the spec that names sc (NULL: none); fails on a name in two rules. */
static json_t *rule_for(json_t *spec, const char *sc)
{
        json_t *found = NULL;
        size_t i;
        json_t *r;
        json_array_foreach(json_object_get(spec, "syscalls"), i, r) {
                size_t k;
                json_t *n;
                json_array_foreach(json_object_get(r, "names"), k, n)
                        if (strcmp(json_string_value(n), sc) == 0) {
                                if (found)
                                        fail_msg("%s is in two rules", sc);
                                found = r;
                        }
        }
        return found;
}

static void test_default_shape(void **state)
{
        (void) state;
        json_t *s = engine_seccomp_default((char *const *) engine_caps_default, "x86_64");
        assert_non_null(s);
        assert_string_equal(json_string_value(json_object_get(s, "defaultAction")), "SCMP_ACT_ERRNO");
        assert_int_equal(json_integer_value(json_object_get(s, "defaultErrnoRet")), ENOSYS);
        json_t *a = json_object_get(s, "architectures");
        assert_int_equal(json_array_size(a), 3);
        assert_string_equal(json_string_value(json_array_get(a, 0)), "SCMP_ARCH_X86_64");
        assert_string_equal(json_string_value(json_array_get(a, 1)), "SCMP_ARCH_X86");
        /* ordinary calls allowed, privileged ones EPERM, x86 only calls present */
        const char *allowed[] = { "read", "openat", "clone", "execve", "socket", "getcwd", "modify_ldt" };
        for (size_t i = 0; i < sizeof allowed / sizeof *allowed; i++) {
                json_t *r = rule_for(s, allowed[i]);
                assert_non_null(r);
                assert_string_equal(json_string_value(json_object_get(r, "action")), "SCMP_ACT_ALLOW");
        }
        const char *denied[] = { "mount", "reboot", "init_module", "kexec_load", "swapon", "bpf" };
        for (size_t i = 0; i < sizeof denied / sizeof *denied; i++) {
                json_t *r = rule_for(s, denied[i]);
                assert_non_null(r);
                assert_string_equal(json_string_value(json_object_get(r, "action")), "SCMP_ACT_ERRNO");
                assert_int_equal(json_integer_value(json_object_get(r, "errnoRet")), EPERM);
        }
        /* clone3 without CAP_SYS_ADMIN: the default (ENOSYS), so libc falls back to clone */
        assert_null(rule_for(s, "clone3"));
        assert_null(rule_for(s, "some_future_call"));

        /* the whole thing parses as a spec's linux.seccomp */
        struct oci_seccomp *p = NULL;
        struct cu_error *err = NULL;
        if (oci_seccomp_parse(s, "linux.seccomp", &p, &err) < 0)
                fail_msg("%s", cu_error_msg(err));
        oci_seccomp_free(p);
        json_decref(s);
}

/* Every name is one libseccomp knows on some architecture (the runtime refuses others). */
static void test_names_known(void **state)
{
        (void) state;
        const char *caps_sets[][3] = { { NULL }, { "CAP_SYS_ADMIN", NULL }, { "CAP_SYS_PTRACE", "CAP_BPF", NULL } };
        const char *arches[] = { "x86_64", "aarch64", "s390x", "riscv64", "ppc64le" };
        for (size_t c = 0; c < 3; c++)
                for (size_t a = 0; a < 5; a++) {
                        json_t *s = engine_seccomp_default((char *const *) caps_sets[c], arches[a]);
                        assert_non_null(s);
                        size_t i;
                        json_t *r;
                        json_array_foreach(json_object_get(s, "syscalls"), i, r) {
                                size_t k;
                                json_t *n;
                                json_array_foreach(json_object_get(r, "names"), k, n) {
                                        const char *name = json_string_value(n);
                                        bool known = false;
                                        for (size_t x = 0; x < oci_seccomp_n_archs && !known; x++)
                                                known = seccomp_syscall_resolve_name_arch(oci_seccomp_archs[x].value, name) != __NR_SCMP_ERROR;
                                        if (!known)
                                                fail_msg("unknown syscall %s", name);
                                        (void) rule_for(s, name); /* in one rule only */
                                }
                        }
                        assert_true(json_array_size(json_object_get(s, "architectures")) >= 1);
                        json_decref(s);
                }
}

static void test_caps_change_rules(void **state)
{
        (void) state;
        json_t *none = engine_seccomp_default((char *const *) no_caps, "x86_64");
        json_t *adm = engine_seccomp_default((char *const *) admin, "x86_64");
        json_t *r = rule_for(none, "mount");
        assert_string_equal(json_string_value(json_object_get(r, "action")), "SCMP_ACT_ERRNO");
        r = rule_for(adm, "mount");
        assert_string_equal(json_string_value(json_object_get(r, "action")), "SCMP_ACT_ALLOW");
        r = rule_for(adm, "clone3");
        assert_string_equal(json_string_value(json_object_get(r, "action")), "SCMP_ACT_ALLOW");
        /* aarch64: arm's own calls, not x86's */
        json_t *arm = engine_seccomp_default((char *const *) no_caps, "aarch64");
        assert_null(rule_for(arm, "modify_ldt"));
        assert_non_null(rule_for(arm, "cacheflush"));
        assert_string_equal(json_string_value(json_array_get(json_object_get(arm, "architectures"), 0)),
                            "SCMP_ARCH_AARCH64");
        json_decref(none);
        json_decref(adm);
        json_decref(arm);
}

static void test_profile_file(void **state)
{
        (void) state;
        json_t *p = json_loads(
                "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
                "\"syscalls\":[{\"names\":[\"getcwd\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":18},"
                "{\"name\":\"keyctl\",\"action\":\"SCMP_ACT_ERRNO\"},"
                "{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}},"
                "{\"names\":[\"ptrace\"],\"action\":\"SCMP_ACT_ERRNO\",\"excludes\":{\"arches\":[\"amd64\"]}},"
                "{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"minKernel\":\"99.0\"}}]}",
                0, NULL);
        assert_non_null(p);
        json_t *s = engine_seccomp_from_profile(p, (char *const *) no_caps, "x86_64", NULL);
        assert_non_null(s);
        assert_string_equal(json_string_value(json_object_get(s, "defaultAction")), "SCMP_ACT_ALLOW");
        assert_int_equal(json_integer_value(json_object_get(rule_for(s, "getcwd"), "errnoRet")), 18);
        assert_non_null(rule_for(s, "keyctl")); /* "name" of the old format */
        assert_null(rule_for(s, "mount"));      /* needs CAP_SYS_ADMIN */
        assert_null(rule_for(s, "ptrace"));     /* excluded on amd64 */
        assert_null(rule_for(s, "personality")); /* kernel too old */
        json_decref(s);
        s = engine_seccomp_from_profile(p, (char *const *) admin, "aarch64", NULL);
        assert_non_null(rule_for(s, "mount"));
        assert_non_null(rule_for(s, "ptrace"));
        json_decref(s);
        json_decref(p);

        /* errors */
        struct cu_error *err = NULL;
        p = json_loads("{\"syscalls\":[]}", 0, NULL);
        assert_null(engine_seccomp_from_profile(p, NULL, "x86_64", &err));
        assert_string_equal(cu_error_msg(err), "decoding seccomp profile failed: no defaultAction");
        cu_error_free(err);
        err = NULL;
        json_decref(p);
        p = json_loads("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"action\":\"SCMP_ACT_ALLOW\"}]}", 0, NULL);
        assert_null(engine_seccomp_from_profile(p, NULL, "x86_64", &err));
        assert_non_null(strstr(cu_error_msg(err), "names and action are required"));
        cu_error_free(err);
        json_decref(p);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_default_shape),
                cmocka_unit_test(test_names_known),
                cmocka_unit_test(test_caps_change_rules),
                cmocka_unit_test(test_profile_file),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
