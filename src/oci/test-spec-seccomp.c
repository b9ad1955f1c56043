/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tests for oci_seccomp_parse(): values, defaults and errors that name the field. */
#include <errno.h>
#include <seccomp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "oci/spec-seccomp.h"
#include "util/json.h"

static void seccomp_spec_freep(struct oci_seccomp **s)
{
        *s = oci_seccomp_free(*s);
}

/* The JSON below uses ' for " to stay readable. */
static json_t *load(const char *text)
{
        _cleanup_free_ char *s = strdup(text);
        assert_non_null(s);
        for (char *p = s; *p; p++)
                if (*p == '\'')
                        *p = '"';
        json_error_t je;
        json_t *o = json_loads(s, 0, &je);
        if (!o)
                fail_msg("bad test JSON: %s: %s", je.text, s);
        return o;
}

static struct oci_seccomp *parse_ok(const char *text)
{
        _cleanup_json_ json_t *o = load(text);
        _cleanup_error_ struct cu_error *err = NULL;
        struct oci_seccomp *s = NULL;

        int r = oci_seccomp_parse(o, "linux.seccomp", &s, &err);
        if (r < 0)
                fail_msg("parse failed (%d): %s", r, cu_error_msg(err));
        assert_non_null(s);
        return s;
}

static void test_minimal(void **state)
{
        _cleanup_(seccomp_spec_freep) struct oci_seccomp *s =
                parse_ok("{'defaultAction': 'SCMP_ACT_ALLOW'}");

        assert_int_equal(s->default_action, SCMP_ACT_ALLOW);
        assert_string_equal(s->default_action_name, "SCMP_ACT_ALLOW");
        assert_false(s->has_default_errno_ret);
        assert_null(s->architectures);
        assert_null(s->flags);
        assert_null(s->listener_path);
        assert_null(s->listener_metadata);
        assert_int_equal(s->n_syscalls, 0);
        assert_null(s->syscalls);
}

static void test_errno_defaults(void **state)
{
        struct {
                const char *json;
                uint32_t action;
                bool has_errno;
        } cases[] = {
                { "{'defaultAction': 'SCMP_ACT_ERRNO'}", SCMP_ACT_ERRNO(EPERM), false },
                { "{'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 38}", SCMP_ACT_ERRNO(38),
                  true },
                { "{'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 0}", SCMP_ACT_ERRNO(0),
                  true },
                { "{'defaultAction': 'SCMP_ACT_TRACE'}", SCMP_ACT_TRACE(EPERM), false },
                { "{'defaultAction': 'SCMP_ACT_TRACE', 'defaultErrnoRet': 5}", SCMP_ACT_TRACE(5),
                  true },
                { "{'defaultAction': 'SCMP_ACT_KILL'}", SCMP_ACT_KILL, false },
                { "{'defaultAction': 'SCMP_ACT_KILL_PROCESS'}", SCMP_ACT_KILL_PROCESS, false },
                { "{'defaultAction': 'SCMP_ACT_KILL_THREAD'}", SCMP_ACT_KILL_THREAD, false },
                { "{'defaultAction': 'SCMP_ACT_TRAP'}", SCMP_ACT_TRAP, false },
                { "{'defaultAction': 'SCMP_ACT_LOG'}", SCMP_ACT_LOG, false },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(seccomp_spec_freep) struct oci_seccomp *s = parse_ok(cases[i].json);
                assert_int_equal(s->default_action, cases[i].action);
                assert_int_equal(s->has_default_errno_ret, cases[i].has_errno);
        }
}

static void test_full(void **state)
{
        _cleanup_(seccomp_spec_freep) struct oci_seccomp *s = parse_ok(
                "{'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 38,"
                " 'architectures': ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],"
                " 'flags': ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG',"
                "           'SECCOMP_FILTER_FLAG_SPEC_ALLOW',"
                "           'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'],"
                " 'listenerPath': '/run/agent.sock', 'listenerMetadata': 'meta',"
                " 'unknownKey': {'ignored': true},"
                " 'syscalls': ["
                "  {'names': ['read', 'write'], 'action': 'SCMP_ACT_ALLOW', 'comment': 'x'},"
                "  {'names': ['mkdir'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 13},"
                "  {'names': ['rmdir'], 'action': 'SCMP_ACT_ERRNO'},"
                "  {'names': ['personality'], 'action': 'SCMP_ACT_ALLOW', 'args': ["
                "    {'index': 0, 'value': 8, 'op': 'SCMP_CMP_EQ'},"
                "    {'index': 5, 'value': 9223372036854775807, 'valueTwo': 7,"
                "     'op': 'SCMP_CMP_MASKED_EQ'}]},"
                "  {'names': ['ioctl'], 'action': 'SCMP_ACT_NOTIFY', 'args': null},"
                "  {'names': ['socketcall'], 'action': 'SCMP_ACT_LOG'}"
                " ]}");

        assert_int_equal(s->default_action, SCMP_ACT_ERRNO(38));
        assert_true(s->has_default_errno_ret);
        assert_int_equal(s->default_errno_ret, 38);
        assert_string_equal(s->architectures[0], "SCMP_ARCH_X86_64");
        assert_string_equal(s->architectures[2], "SCMP_ARCH_X32");
        assert_null(s->architectures[3]);
        assert_string_equal(s->flags[3], "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
        assert_null(s->flags[4]);
        assert_string_equal(s->listener_path, "/run/agent.sock");
        assert_string_equal(s->listener_metadata, "meta");

        assert_int_equal(s->n_syscalls, 6);
        assert_string_equal(s->syscalls[0].names[0], "read");
        assert_string_equal(s->syscalls[0].names[1], "write");
        assert_null(s->syscalls[0].names[2]);
        assert_int_equal(s->syscalls[0].action, SCMP_ACT_ALLOW);
        assert_int_equal(s->syscalls[0].n_args, 0);

        assert_int_equal(s->syscalls[1].action, SCMP_ACT_ERRNO(13));
        assert_true(s->syscalls[1].has_errno_ret);
        assert_int_equal(s->syscalls[1].errno_ret, 13);
        assert_int_equal(s->syscalls[2].action, SCMP_ACT_ERRNO(EPERM));
        assert_false(s->syscalls[2].has_errno_ret);

        assert_int_equal(s->syscalls[3].n_args, 2);
        assert_int_equal(s->syscalls[3].args[0].index, 0);
        assert_int_equal(s->syscalls[3].args[0].value, 8);
        assert_int_equal(s->syscalls[3].args[0].value_two, 0);
        assert_int_equal(s->syscalls[3].args[0].op, SCMP_CMP_EQ);
        assert_int_equal(s->syscalls[3].args[1].index, 5);
        assert_true(s->syscalls[3].args[1].value == (uint64_t) INT64_MAX);
        assert_int_equal(s->syscalls[3].args[1].value_two, 7);
        assert_int_equal(s->syscalls[3].args[1].op, SCMP_CMP_MASKED_EQ);

        assert_int_equal(s->syscalls[4].action, SCMP_ACT_NOTIFY);
        assert_int_equal(s->syscalls[4].n_args, 0);
        /* Not native on x86_64 but known to libseccomp: accepted. */
        assert_int_equal(s->syscalls[5].action, SCMP_ACT_LOG);
}

static void test_operators(void **state)
{
        static const struct {
                const char *name;
                int op;
        } ops[] = {
                { "SCMP_CMP_NE", SCMP_CMP_NE },
                { "SCMP_CMP_LT", SCMP_CMP_LT },
                { "SCMP_CMP_LE", SCMP_CMP_LE },
                { "SCMP_CMP_EQ", SCMP_CMP_EQ },
                { "SCMP_CMP_GE", SCMP_CMP_GE },
                { "SCMP_CMP_GT", SCMP_CMP_GT },
                { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
        };

        for (size_t i = 0; i < ELEMENTSOF(ops); i++) {
                _cleanup_free_ char *json = NULL;
                assert_true(asprintf(&json,
                                     "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': "
                                     "['kill'], 'action': 'SCMP_ACT_ERRNO', 'args': [{'index': 1,"
                                     " 'value': 9, 'op': '%s'}]}]}",
                                     ops[i].name) > 0);
                _cleanup_(seccomp_spec_freep) struct oci_seccomp *s = parse_ok(json);
                assert_int_equal(s->syscalls[0].args[0].op, ops[i].op);
        }
}

struct bad_case {
        const char *json;
        const char *msg;
};

static const struct bad_case bad_cases[] = {
        { "[]", "linux.seccomp: expected an object" },
        { "{}", "linux.seccomp.defaultAction: required" },
        { "{'defaultAction': 7}", "linux.seccomp.defaultAction: expected a string" },
        { "{'defaultAction': 'SCMP_ACT_FOO'}",
          "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_FOO\"" },
        { "{'defaultAction': 'scmp_act_allow'}",
          "linux.seccomp.defaultAction: unknown action \"scmp_act_allow\"" },
        { "{'defaultAction': 'SCMP_ACT_NOTIFY'}",
          "linux.seccomp.defaultAction: \"SCMP_ACT_NOTIFY\" cannot be the default action" },
        { "{'defaultAction': 'SCMP_ACT_ALLOW', 'defaultErrnoRet': 1}",
          "linux.seccomp.defaultErrnoRet: not supported with action \"SCMP_ACT_ALLOW\"" },
        { "{'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': -1}",
          "linux.seccomp.defaultErrnoRet: expected a non-negative integer" },
        { "{'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 65536}",
          "linux.seccomp.defaultErrnoRet: 65536 is out of range (0-65535)" },
        { "{'defaultAction': 'SCMP_ACT_ALLOW', 'architectures': ['SCMP_ARCH_X86', 'x86_64']}",
          "linux.seccomp.architectures[1]: unknown architecture \"x86_64\"" },
        { "{'defaultAction': 'SCMP_ACT_ALLOW', 'architectures': 'SCMP_ARCH_X86'}",
          "linux.seccomp.architectures: expected an array of strings" },
        { "{'defaultAction': 'SCMP_ACT_ALLOW', 'flags': ['SECCOMP_FILTER_FLAG_NEW_LISTENER']}",
          "linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_NEW_LISTENER\"" },
        { "{'defaultAction': 'SCMP_ACT_ALLOW', 'listenerMetadata': 'x'}",
          "linux.seccomp.listenerMetadata: requires listenerPath" },
        { "{'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': 3}",
          "linux.seccomp.listenerPath: expected a string" },
        { "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': {}}",
          "linux.seccomp.syscalls: expected an array" },
        { "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [7]}",
          "linux.seccomp.syscalls[0]: expected an object" },
        { "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'action': 'SCMP_ACT_KILL'}]}",
          "linux.seccomp.syscalls[0].names: must contain at least one entry" },
        { "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': [], 'action': "
          "'SCMP_ACT_KILL'}]}",
          "linux.seccomp.syscalls[0].names: must contain at least one entry" },
        { "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['read', 1], 'action': "
          "'SCMP_ACT_KILL'}]}",
          "linux.seccomp.syscalls[0].names[1]: expected a string" },
        { "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
          "{'names': ['read'], 'action': 'SCMP_ACT_KILL'},"
          "{'names': ['read'], 'action': 'SCMP_ACT_KILL'},"
          "{'names': ['foo', 'read'], 'action': 'SCMP_ACT_KILL'}]}",
          "linux.seccomp.syscalls[2].names[0]: unknown syscall \"foo\"" },
        { "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['read', ''], 'action': "
          "'SCMP_ACT_KILL'}]}",
          "linux.seccomp.syscalls[0].names[1]: unknown syscall \"\"" },
        { "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
          "{'names': ['read'], 'action': 'SCMP_ACT_KILL'},"
          "{'names': ['read'], 'action': 'SCMP_ACT_KILL'},"
          "{'names': ['read'], 'action': 'SCMP_ACT_KILL'},"
          "{'names': ['read'], 'action': 'SCMP_ACT_FOO'}]}",
          "linux.seccomp.syscalls[3].action: unknown action \"SCMP_ACT_FOO\"" },
        { "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['read']}]}",
          "linux.seccomp.syscalls[0].action: required" },
        { "{'defaultAction': 'SCMP_ACT_ERRNO', 'syscalls': [{'names': ['read'], 'action': "
          "'SCMP_ACT_ALLOW', 'errnoRet': 1}]}",
          "linux.seccomp.syscalls[0].errnoRet: not supported with action \"SCMP_ACT_ALLOW\"" },
        { "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['read'], 'action': "
          "'SCMP_ACT_ERRNO', 'errnoRet': 'EPERM'}]}",
          "linux.seccomp.syscalls[0].errnoRet: expected a non-negative integer" },
        { "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['read'], 'action': "
          "'SCMP_ACT_KILL', 'args': {}}]}",
          "linux.seccomp.syscalls[0].args: expected an array" },
        { "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['read'], 'action': "
          "'SCMP_ACT_KILL', 'args': [{'index': 0, 'value': 1, 'op': 'SCMP_CMP_EQ'}, 5]}]}",
          "linux.seccomp.syscalls[0].args[1]: expected an object" },
        { "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['read'], 'action': "
          "'SCMP_ACT_KILL', 'args': [{'index': 6, 'value': 1, 'op': 'SCMP_CMP_EQ'}]}]}",
          "linux.seccomp.syscalls[0].args[0].index: 6 is out of range (0-5)" },
        { "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['read'], 'action': "
          "'SCMP_ACT_KILL', 'args': [{'value': 1, 'op': 'SCMP_CMP_EQ'}]}]}",
          "linux.seccomp.syscalls[0].args[0].index: required" },
        { "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['read'], 'action': "
          "'SCMP_ACT_KILL', 'args': [{'index': 1, 'op': 'SCMP_CMP_EQ'}]}]}",
          "linux.seccomp.syscalls[0].args[0].value: required" },
        { "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['read'], 'action': "
          "'SCMP_ACT_KILL', 'args': [{'index': 1, 'value': -1, 'op': 'SCMP_CMP_EQ'}]}]}",
          "linux.seccomp.syscalls[0].args[0].value: expected a non-negative integer" },
        { "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['read'], 'action': "
          "'SCMP_ACT_KILL', 'args': [{'index': 1, 'value': 1, 'valueTwo': 'x', "
          "'op': 'SCMP_CMP_EQ'}]}]}",
          "linux.seccomp.syscalls[0].args[0].valueTwo: expected a non-negative integer" },
        { "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['read'], 'action': "
          "'SCMP_ACT_KILL', 'args': [{'index': 1, 'value': 1}]}]}",
          "linux.seccomp.syscalls[0].args[0].op: required" },
        { "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['read'], 'action': "
          "'SCMP_ACT_KILL', 'args': [{'index': 1, 'value': 1, 'op': 'SCMP_CMP_XX'}]}]}",
          "linux.seccomp.syscalls[0].args[0].op: unknown operator \"SCMP_CMP_XX\"" },
};

static void test_errors(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(bad_cases); i++) {
                _cleanup_json_ json_t *o = load(bad_cases[i].json);
                _cleanup_error_ struct cu_error *err = NULL;
                struct oci_seccomp *s = NULL;

                int r = oci_seccomp_parse(o, "linux.seccomp", &s, &err);
                if (r != -EINVAL || !err || strcmp(cu_error_msg(err), bad_cases[i].msg) != 0)
                        fail_msg("case %zu: %s\n  r=%d\n  got:    %s\n  wanted: %s", i,
                                 bad_cases[i].json, r, cu_error_msg(err), bad_cases[i].msg);
                assert_null(s);
        }
}

static void test_errors_no_err(void **state)
{
        /* err == NULL: the caller wants no message, only the code. */
        _cleanup_json_ json_t *o = load("{'defaultAction': 'SCMP_ACT_BAD'}");
        struct oci_seccomp *s = NULL;

        assert_int_equal(oci_seccomp_parse(o, "linux.seccomp", &s, NULL), -EINVAL);
        assert_null(s);
}

static void test_context_prefix(void **state)
{
        _cleanup_json_ json_t *o = load("{'defaultAction': 'SCMP_ACT_BAD'}");
        _cleanup_error_ struct cu_error *err = NULL;
        struct oci_seccomp *s = NULL;

        assert_int_equal(oci_seccomp_parse(o, "config.linux.seccomp", &s, &err), -EINVAL);
        assert_string_equal(cu_error_msg(err),
                            "config.linux.seccomp.defaultAction: unknown action \"SCMP_ACT_BAD\"");
}

static void test_uint64_above_int64(void **state)
{
        /* jansson hands integers above INT64_MAX over as reals. */
        _cleanup_json_ json_t *o = json_pack(
                "{s:s, s:[{s:[s], s:s, s:[{s:i, s:f, s:s}]}]}", "defaultAction", "SCMP_ACT_ALLOW",
                "syscalls", "names", "ioctl", "action", "SCMP_ACT_ERRNO", "args", "index", 1,
                "value", 9223372036854775808.0, "op", "SCMP_CMP_EQ");
        _cleanup_(seccomp_spec_freep) struct oci_seccomp *s = NULL;
        _cleanup_error_ struct cu_error *err = NULL;

        assert_non_null(o);
        assert_int_equal(oci_seccomp_parse(o, "linux.seccomp", &s, &err), 0);
        assert_true(s->syscalls[0].args[0].value == (uint64_t) 1 << 63);
}

static void test_free_null(void **state)
{
        assert_null(oci_seccomp_free(NULL));
}

static void test_podman_profile(void **state)
{
        static const char path[] = "/usr/share/containers/seccomp.json";
        _cleanup_error_ struct cu_error *err = NULL;

        if (access(path, R_OK) < 0) {
                print_message("# %s not present, skipping\n", path);
                skip();
        }

        _cleanup_json_ json_t *o = json_load_path(path, &err);
        assert_non_null(o);
        _cleanup_(seccomp_spec_freep) struct oci_seccomp *s = NULL;
        int r = oci_seccomp_parse(o, "linux.seccomp", &s, &err);
        if (r < 0)
                fail_msg("%s: %s", path, cu_error_msg(err));
        assert_true(s->n_syscalls > 0);
        assert_int_equal(s->default_action & 0xffff0000u, SCMP_ACT_ERRNO(0));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_minimal),        cmocka_unit_test(test_errno_defaults),
                cmocka_unit_test(test_full),           cmocka_unit_test(test_operators),
                cmocka_unit_test(test_errors),         cmocka_unit_test(test_errors_no_err),
                cmocka_unit_test(test_context_prefix), cmocka_unit_test(test_uint64_above_int64),
                cmocka_unit_test(test_free_null),      cmocka_unit_test(test_podman_profile),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
