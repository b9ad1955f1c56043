/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.seccomp (runtime-spec 1.1 config-linux.md#seccomp).  Names are resolved here to libseccomp
 * values so that the runtime only has numbers to deal with:
 *
 *   - defaultAction and syscalls[].action become complete libseccomp actions with the errno folded
 *     in: "SCMP_ACT_ERRNO" without errnoRet is SCMP_ACT_ERRNO(EPERM), as runc and crun do; likewise
 *     SCMP_ACT_TRACE.  The has_*errno_ret and *errno_ret fields keep what the JSON said.
 *   - architectures and flags stay names (validated); the runtime maps them.
 *   - a syscall name that libseccomp knows on no architecture is an error; one that exists only on
 *     other architectures is accepted (the runtime decides whether a rule is needed).
 */
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "oci/spec-seccomp.h"
#include "util/json.h"
#include "util/strv.h"

#define ARG_INDEX_MAX 5u
#define ACTION_DATA_MAX 0xffffu

#define name_value oci_seccomp_name

static const struct name_value seccomp_actions[] = {
        { "SCMP_ACT_KILL", SCMP_ACT_KILL },
        { "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS },
        { "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD },
        { "SCMP_ACT_TRAP", SCMP_ACT_TRAP },
        { "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0) },
        { "SCMP_ACT_TRACE", SCMP_ACT_TRACE(0) },
        { "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW },
        { "SCMP_ACT_LOG", SCMP_ACT_LOG },
        { "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY },
};

static const struct name_value seccomp_operators[] = {
        { "SCMP_CMP_NE", SCMP_CMP_NE },
        { "SCMP_CMP_LT", SCMP_CMP_LT },
        { "SCMP_CMP_LE", SCMP_CMP_LE },
        { "SCMP_CMP_EQ", SCMP_CMP_EQ },
        { "SCMP_CMP_GE", SCMP_CMP_GE },
        { "SCMP_CMP_GT", SCMP_CMP_GT },
        { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

/* The architectures of runtime-spec 1.1 (all known to libseccomp 2.5). */
const struct oci_seccomp_name oci_seccomp_archs[] = {
        { "SCMP_ARCH_X86", SCMP_ARCH_X86 },
        { "SCMP_ARCH_X86_64", SCMP_ARCH_X86_64 },
        { "SCMP_ARCH_X32", SCMP_ARCH_X32 },
        { "SCMP_ARCH_ARM", SCMP_ARCH_ARM },
        { "SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64 },
        { "SCMP_ARCH_MIPS", SCMP_ARCH_MIPS },
        { "SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64 },
        { "SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32 },
        { "SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL },
        { "SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64 },
        { "SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32 },
        { "SCMP_ARCH_PPC", SCMP_ARCH_PPC },
        { "SCMP_ARCH_PPC64", SCMP_ARCH_PPC64 },
        { "SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE },
        { "SCMP_ARCH_S390", SCMP_ARCH_S390 },
        { "SCMP_ARCH_S390X", SCMP_ARCH_S390X },
        { "SCMP_ARCH_PARISC", SCMP_ARCH_PARISC },
        { "SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64 },
        { "SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64 },
};
const size_t oci_seccomp_n_archs = sizeof(oci_seccomp_archs) / sizeof(oci_seccomp_archs[0]);

static const char *const seccomp_flags[] = {
        "SECCOMP_FILTER_FLAG_TSYNC",
        "SECCOMP_FILTER_FLAG_LOG",
        "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
        "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
};

static const struct name_value *lookup(const struct name_value *t, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(t[i].name, name) == 0)
                        return &t[i];
        return NULL;
}

#define LOOKUP(table, name) lookup(table, ELEMENTSOF(table), name)

static bool syscall_known_somewhere(const char *name)
{
        if (seccomp_syscall_resolve_name(name) != __NR_SCMP_ERROR)
                return true;
        for (size_t i = 0; i < ELEMENTSOF(oci_seccomp_archs); i++)
                if (seccomp_syscall_resolve_name_arch(oci_seccomp_archs[i].value, name) !=
                    __NR_SCMP_ERROR)
                        return true;
        return false;
}

static void seccomp_syscall_done(struct oci_seccomp_syscall *sc)
{
        sc->names = strv_free(sc->names);
        free(sc->args);
        sc->args = NULL;
        sc->n_args = 0;
}

struct oci_seccomp *oci_seccomp_free(struct oci_seccomp *s)
{
        if (!s)
                return NULL;
        strv_free(s->architectures);
        strv_free(s->flags);
        free(s->listener_path);
        free(s->listener_metadata);
        for (size_t i = 0; i < s->n_syscalls; i++)
                seccomp_syscall_done(&s->syscalls[i]);
        free(s->syscalls);
        free(s->default_action_name);
        free(s);
        return NULL;
}

static void seccomp_spec_freep(struct oci_seccomp **s)
{
        *s = oci_seccomp_free(*s);
}

/* Reads the action `key` and its errno `errno_key` of object o; returns the folded action. */
static int parse_action(json_t *o, const char *ctx, const char *key, const char *errno_key,
                        char **ret_name, uint32_t *ret_action, bool *ret_has_errno,
                        uint32_t *ret_errno, struct cu_error **err)
{
        _cleanup_free_ char *name = NULL;
        uint32_t errno_ret = 0;
        bool has_errno = false;
        int r;

        r = json_get_string(o, key, ctx, &name, err);
        if (r < 0)
                return r;
        if (!name)
                return cu_error_setx(err, EINVAL, "%s.%s: required", ctx, key);

        const struct name_value *a = LOOKUP(seccomp_actions, name);
        if (!a)
                return cu_error_setx(err, EINVAL, "%s.%s: unknown action \"%s\"", ctx, key, name);

        r = json_get_uint32(o, errno_key, ctx, &errno_ret, &has_errno, err);
        if (r < 0)
                return r;

        uint32_t action = a->value;
        bool takes_errno = action == SCMP_ACT_ERRNO(0) || action == SCMP_ACT_TRACE(0);
        if (has_errno && !takes_errno)
                return cu_error_setx(err, EINVAL, "%s.%s: not supported with action \"%s\"", ctx,
                                     errno_key, name);
        if (has_errno && errno_ret > ACTION_DATA_MAX)
                return cu_error_setx(err, EINVAL, "%s.%s: %u is out of range (0-%u)", ctx,
                                     errno_key, errno_ret, ACTION_DATA_MAX);
        if (takes_errno)
                action |= has_errno ? errno_ret : (uint32_t) EPERM;

        if (ret_name)
                *ret_name = TAKE_PTR(name);
        *ret_action = action;
        *ret_has_errno = has_errno;
        *ret_errno = errno_ret;
        return 0;
}

static int parse_arg(json_t *o, const char *ctx, struct oci_seccomp_arg *ret, struct cu_error **err)
{
        struct oci_seccomp_arg a = { 0 };
        _cleanup_free_ char *op = NULL;
        uint32_t index = 0;
        bool present = false;
        int r;

        if (!json_is_object(o))
                return cu_error_setx(err, EINVAL, "%s: expected an object", ctx);

        r = json_get_uint32(o, "index", ctx, &index, &present, err);
        if (r < 0)
                return r;
        if (!present)
                return cu_error_setx(err, EINVAL, "%s.index: required", ctx);
        if (index > ARG_INDEX_MAX)
                return cu_error_setx(err, EINVAL, "%s.index: %u is out of range (0-%u)", ctx, index,
                                     ARG_INDEX_MAX);
        a.index = index;

        r = json_get_uint64(o, "value", ctx, &a.value, &present, err);
        if (r < 0)
                return r;
        if (!present)
                return cu_error_setx(err, EINVAL, "%s.value: required", ctx);

        r = json_get_uint64(o, "valueTwo", ctx, &a.value_two, NULL, err);
        if (r < 0)
                return r;

        r = json_get_string(o, "op", ctx, &op, err);
        if (r < 0)
                return r;
        if (!op)
                return cu_error_setx(err, EINVAL, "%s.op: required", ctx);
        const struct name_value *v = LOOKUP(seccomp_operators, op);
        if (!v)
                return cu_error_setx(err, EINVAL, "%s.op: unknown operator \"%s\"", ctx, op);
        a.op = (int) v->value;

        *ret = a;
        return 0;
}

static int parse_syscall_names(json_t *o, const char *ctx, char ***ret, struct cu_error **err)
{
        _cleanup_strv_ char **names = NULL;
        int r;

        r = json_get_strv(o, "names", ctx, &names, err);
        if (r < 0)
                return r;
        if (strv_length(names) == 0)
                return cu_error_setx(err, EINVAL, "%s.names: must contain at least one entry", ctx);

        for (size_t j = 0; names[j]; j++)
                if (!syscall_known_somewhere(names[j]))
                        return cu_error_setx(err, EINVAL, "%s.names[%zu]: unknown syscall \"%s\"",
                                             ctx, j, names[j]);

        *ret = TAKE_PTR(names);
        return 0;
}

static int parse_syscall(json_t *o, const char *ctx, struct oci_seccomp_syscall *sc,
                         struct cu_error **err)
{
        json_t *args = NULL;
        int r;

        if (!json_is_object(o))
                return cu_error_setx(err, EINVAL, "%s: expected an object", ctx);

        r = parse_syscall_names(o, ctx, &sc->names, err);
        if (r < 0)
                return r;

        r = parse_action(o, ctx, "action", "errnoRet", NULL, &sc->action, &sc->has_errno_ret,
                         &sc->errno_ret, err);
        if (r < 0)
                return r;

        r = json_get_array(o, "args", ctx, &args, err);
        if (r < 0)
                return r;
        size_t n = json_array_size(args);
        if (n == 0)
                return 0;

        sc->args = calloc(n, sizeof(*sc->args));
        if (!sc->args)
                return cu_error_set(err, ENOMEM, "%s.args", ctx);
        for (size_t k = 0; k < n; k++) {
                _cleanup_free_ char *actx = NULL;
                if (asprintf(&actx, "%s.args[%zu]", ctx, k) < 0)
                        return cu_error_set(err, ENOMEM, "%s.args", ctx);
                r = parse_arg(json_array_get(args, k), actx, &sc->args[k], err);
                if (r < 0)
                        return r;
                sc->n_args = k + 1;
        }
        return 0;
}

static int parse_syscalls(json_t *o, const char *ctx, struct oci_seccomp *s, struct cu_error **err)
{
        json_t *list = NULL;
        int r;

        r = json_get_array(o, "syscalls", ctx, &list, err);
        if (r < 0)
                return r;
        size_t n = json_array_size(list);
        if (n == 0)
                return 0;

        s->syscalls = calloc(n, sizeof(*s->syscalls));
        if (!s->syscalls)
                return cu_error_set(err, ENOMEM, "%s.syscalls", ctx);
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *sctx = NULL;
                if (asprintf(&sctx, "%s.syscalls[%zu]", ctx, i) < 0)
                        return cu_error_set(err, ENOMEM, "%s.syscalls", ctx);
                /* Count it first so that oci_seccomp_free() sees a half-parsed entry. */
                s->n_syscalls = i + 1;
                r = parse_syscall(json_array_get(list, i), sctx, &s->syscalls[i], err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_names(json_t *o, const char *ctx, const char *key, const char *what,
                       bool (*known)(const char *), char ***ret, struct cu_error **err)
{
        _cleanup_strv_ char **l = NULL;
        int r;

        r = json_get_strv(o, key, ctx, &l, err);
        if (r < 0)
                return r;
        for (size_t i = 0; l && l[i]; i++)
                if (!known(l[i]))
                        return cu_error_setx(err, EINVAL, "%s.%s[%zu]: unknown %s \"%s\"", ctx, key,
                                             i, what, l[i]);
        *ret = TAKE_PTR(l);
        return 0;
}

static bool arch_known(const char *name)
{
        return LOOKUP(oci_seccomp_archs, name) != NULL;
}

static bool flag_known(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(seccomp_flags); i++)
                if (strcmp(seccomp_flags[i], name) == 0)
                        return true;
        return false;
}

static int parse_listener(json_t *o, const char *ctx, struct oci_seccomp *s, struct cu_error **err)
{
        int r;

        r = json_get_string(o, "listenerPath", ctx, &s->listener_path, err);
        if (r < 0)
                return r;
        r = json_get_string(o, "listenerMetadata", ctx, &s->listener_metadata, err);
        if (r < 0)
                return r;
        if (s->listener_metadata && !s->listener_path)
                return cu_error_setx(err, EINVAL, "%s.listenerMetadata: requires listenerPath",
                                     ctx);
        return 0;
}

int oci_seccomp_parse(json_t *o, const char *ctx, struct oci_seccomp **ret, struct cu_error **err)
{
        _cleanup_(seccomp_spec_freep) struct oci_seccomp *s = NULL;
        int r;

        if (!ctx)
                ctx = "linux.seccomp";
        if (!json_is_object(o))
                return cu_error_setx(err, EINVAL, "%s: expected an object", ctx);

        s = calloc(1, sizeof(*s));
        if (!s)
                return cu_error_set(err, ENOMEM, "%s", ctx);

        r = parse_action(o, ctx, "defaultAction", "defaultErrnoRet", &s->default_action_name,
                         &s->default_action, &s->has_default_errno_ret, &s->default_errno_ret, err);
        if (r < 0)
                return r;
        /* As runc: the init process could not even exec under a notifying default. */
        if (s->default_action == SCMP_ACT_NOTIFY)
                return cu_error_setx(err, EINVAL,
                                     "%s.defaultAction: \"SCMP_ACT_NOTIFY\" cannot be the default "
                                     "action",
                                     ctx);

        r = parse_names(o, ctx, "architectures", "architecture", arch_known, &s->architectures,
                        err);
        if (r < 0)
                return r;
        r = parse_names(o, ctx, "flags", "flag", flag_known, &s->flags, err);
        if (r < 0)
                return r;
        r = parse_listener(o, ctx, s, err);
        if (r < 0)
                return r;
        r = parse_syscalls(o, ctx, s, err);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(s);
        return 0;
}
