/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.seccomp → libseccomp filter → seccomp(2).
 *
 * The filter is built with libseccomp, exported as BPF and loaded with the seccomp(2) syscall
 * (as crun does) rather than with seccomp_load(): that way every flag the kernel knows can be
 * passed, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV included, which libseccomp 2.5 cannot set, and
 * no_new_privs stays the caller's decision.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "oci/spec-seccomp.h"
#include "seccomp-filter.h"
#include "util/fileio.h"
#include "util/log.h"

#define ARG_INDEX_MAX 5u
#define ACTION_DATA_MASK 0x0000ffffu

#define name_value oci_seccomp_name

/* Tables for the features document; names must stay in step with oci/spec-seccomp.c (a unit test
 * parses every name listed here). */
static const char *const action_names[] = {
        "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
        "SCMP_ACT_TRAP",  "SCMP_ACT_ERRNO",        "SCMP_ACT_TRACE",
        "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",          "SCMP_ACT_NOTIFY",
};

static const char *const operator_names[] = {
        "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",        "SCMP_CMP_EQ",
        "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
};

static const struct name_value flag_table[] = {
        { "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
        { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
        { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
        { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
};

static const struct name_value *lookup(const struct name_value *t, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (streq_ptr(t[i].name, name))
                        return &t[i];
        return NULL;
}

/* Applies an explicit errno to an ERRNO/TRACE action. */
static uint32_t action_fold(uint32_t action, bool has_errno, uint32_t errno_ret)
{
        uint32_t base = action & ~ACTION_DATA_MASK;

        if (has_errno && (base == SCMP_ACT_ERRNO(0) || base == SCMP_ACT_TRACE(0)))
                return base | (errno_ret & ACTION_DATA_MASK);
        return action;
}

static uint32_t syscall_action(const struct oci_seccomp_syscall *sc)
{
        return action_fold(sc->action, sc->has_errno_ret, sc->errno_ret);
}

static uint32_t default_action(const struct oci_seccomp *s)
{
        return action_fold(s->default_action, s->has_default_errno_ret, s->default_errno_ret);
}

bool seccomp_uses_notify(const struct oci_seccomp *s)
{
        uint32_t def = default_action(s);

        if (def == SCMP_ACT_NOTIFY)
                return true;
        for (size_t i = 0; i < s->n_syscalls; i++)
                if (syscall_action(&s->syscalls[i]) == SCMP_ACT_NOTIFY)
                        return true;
        return false;
}

static int add_architectures(scmp_filter_ctx ctx, char *const *archs, struct cu_error **err)
{
        for (size_t i = 0; archs && archs[i]; i++) {
                const struct name_value *a = lookup(oci_seccomp_archs, oci_seccomp_n_archs, archs[i]);
                if (!a)
                        return cu_error_setx(err, EINVAL,
                                             "linux.seccomp.architectures[%zu]: unknown "
                                             "architecture \"%s\"",
                                             i, archs[i]);
                int r = seccomp_arch_add(ctx, a->value);
                if (r == -EDOM) {
                        /* libseccomp cannot mix byte orders in one filter; this kernel never
                         * runs syscalls of the other one anyway (they hit the bad-arch action). */
                        log_debug("seccomp: architecture \"%s\" has a foreign byte order, ignoring",
                                  archs[i]);
                        continue;
                }
                if (r < 0 && r != -EEXIST)
                        return cu_error_set(err, -r,
                                            "linux.seccomp.architectures[%zu]: adding \"%s\"", i,
                                            archs[i]);
        }
        return 0;
}

/* Does a syscall that is not native exist on one of the extra architectures of the filter? */
static bool syscall_on_filter_archs(const struct oci_seccomp *s, const char *name)
{
        for (size_t i = 0; s->architectures && s->architectures[i]; i++) {
                const struct name_value *a =
                        lookup(oci_seccomp_archs, oci_seccomp_n_archs, s->architectures[i]);
                if (a && seccomp_syscall_resolve_name_arch(a->value, name) >= 0)
                        return true;
        }
        return false;
}

/* One syscall number, the args as runc does: all on one rule, or one rule per arg when an index
 * repeats (libseccomp refuses two conditions on the same index). */
static int add_rule(scmp_filter_ctx ctx, uint32_t action, int nr,
                    const struct oci_seccomp_syscall *sc)
{
        struct scmp_arg_cmp cmp[ARG_INDEX_MAX + 1];
        unsigned seen[ARG_INDEX_MAX + 1] = { 0 };
        bool repeated = false;
        int r;

        if (sc->n_args == 0)
                return seccomp_rule_add_array(ctx, action, nr, 0, NULL);

        for (size_t k = 0; k < sc->n_args; k++) {
                if (sc->args[k].index > ARG_INDEX_MAX)
                        return -EINVAL;
                if (seen[sc->args[k].index]++ > 0)
                        repeated = true;
        }

        for (size_t k = 0; k < sc->n_args; k++) {
                struct scmp_arg_cmp c = {
                        .arg = sc->args[k].index,
                        .op = (enum scmp_compare) sc->args[k].op,
                        .datum_a = sc->args[k].value,
                        .datum_b = sc->args[k].value_two,
                };
                if (repeated) {
                        r = seccomp_rule_add_array(ctx, action, nr, 1, &c);
                        if (r < 0)
                                return r;
                } else {
                        cmp[k] = c;
                }
        }
        if (repeated)
                return 0;
        return seccomp_rule_add_array(ctx, action, nr, (unsigned) sc->n_args, cmp);
}

static int add_syscall(scmp_filter_ctx ctx, const struct oci_seccomp *s, size_t i,
                       struct cu_error **err)
{
        const struct oci_seccomp_syscall *sc = &s->syscalls[i];
        uint32_t action = syscall_action(sc);
        int r;

        if (action == default_action(s)) {
                log_debug("seccomp: syscalls[%zu] has the default action, ignoring", i);
                return 0;
        }

        for (size_t j = 0; sc->names && sc->names[j]; j++) {
                const char *name = sc->names[j];
                int nr = seccomp_syscall_resolve_name(name);

                if (nr == __NR_SCMP_ERROR) {
                        bool known = false;
                        for (size_t a = 0; a < oci_seccomp_n_archs && !known; a++)
                                known = seccomp_syscall_resolve_name_arch(oci_seccomp_archs[a].value,
                                                                          name) != __NR_SCMP_ERROR;
                        if (!known)
                                return cu_error_setx(err, EINVAL,
                                                     "linux.seccomp.syscalls[%zu].names[%zu]: "
                                                     "unknown syscall \"%s\"",
                                                     i, j, name);
                        continue;
                }
                /* Negative: a pseudo number, the syscall is not native.  Rules are only useful
                 * for the extra architectures that have it. */
                if (nr < 0 && !syscall_on_filter_archs(s, name)) {
                        log_debug("seccomp: syscall \"%s\" is not available here, ignoring", name);
                        continue;
                }

                r = add_rule(ctx, action, nr, sc);
                if (r < 0)
                        return cu_error_set(err, -r,
                                            "linux.seccomp.syscalls[%zu].names[%zu]: adding rule "
                                            "for \"%s\"",
                                            i, j, name);
        }
        return 0;
}

int seccomp_filter_build(const struct oci_seccomp *s, scmp_filter_ctx *ret, struct cu_error **err)
{
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        uint32_t def = default_action(s);
        int r;

        ctx = seccomp_init(def);
        if (!ctx)
                return cu_error_setx(err, EINVAL,
                                     "linux.seccomp.defaultAction: action \"%s\" (0x%08x) is not "
                                     "supported by libseccomp or the kernel",
                                     strempty(s->default_action_name), def);

        /* Whether no_new_privs is set is the caller's business. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (r < 0)
                return cu_error_set(err, -r, "clearing SCMP_FLTATR_CTL_NNP");

        r = add_architectures(ctx, s->architectures, err);
        if (r < 0)
                return r;

        for (size_t i = 0; i < s->n_syscalls; i++) {
                r = add_syscall(ctx, s, i, err);
                if (r < 0)
                        return r;
        }

        *ret = TAKE_PTR(ctx);
        return 0;
}

static int filter_flags(const struct oci_seccomp *s, unsigned *ret, struct cu_error **err)
{
        unsigned flags = 0;

        for (size_t i = 0; s->flags && s->flags[i]; i++) {
                const struct name_value *f =
                        lookup(flag_table, ELEMENTSOF(flag_table), s->flags[i]);
                if (!f)
                        return cu_error_setx(err, EINVAL,
                                             "linux.seccomp.flags[%zu]: unknown flag \"%s\"", i,
                                             s->flags[i]);
                flags |= f->value;
        }
        *ret = flags;
        return 0;
}

/* The kernel checks flags before it reads the program: EFAULT on a NULL program means "known". */
static bool filter_flag_supported(unsigned flag)
{
        if (flag & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
                flag |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
        if ((flag & SECCOMP_FILTER_FLAG_TSYNC) && (flag & SECCOMP_FILTER_FLAG_NEW_LISTENER))
                flag |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;

        int saved = errno;
        long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, NULL);
        bool ok = r < 0 && errno == EFAULT;
        errno = saved;
        return ok;
}

/* The BPF program of ctx, through a memfd (libseccomp 2.5 exports to an fd only). */
static int filter_export_bpf(scmp_filter_ctx ctx, struct sock_filter **ret, size_t *ret_n,
                             struct cu_error **err)
{
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ struct sock_filter *prog = NULL;
        int r;

        fd = memfd_create("cuttle-seccomp", MFD_CLOEXEC);
        if (fd < 0)
                return cu_error_set(err, errno, "memfd_create");

        r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                return cu_error_set(err, -r, "exporting the seccomp filter");

        off_t size = lseek(fd, 0, SEEK_END);
        if (size < 0)
                return cu_error_set(err, errno, "exporting the seccomp filter");
        size_t n = (size_t) size / sizeof(struct sock_filter);
        if (n == 0 || (size_t) size % sizeof(struct sock_filter) != 0)
                return cu_error_setx(err, EIO, "exporting the seccomp filter: bad size %jd",
                                     (intmax_t) size);
        if (n > BPF_MAXINSNS)
                return cu_error_setx(err, E2BIG,
                                     "seccomp filter has %zu instructions, the kernel allows %d", n,
                                     BPF_MAXINSNS);

        prog = malloc((size_t) size);
        if (!prog)
                return cu_error_set(err, ENOMEM, "exporting the seccomp filter");
        for (size_t done = 0; done < (size_t) size;) {
                ssize_t k = pread(fd, (char *) prog + done, (size_t) size - done, (off_t) done);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return cu_error_set(err, k < 0 ? errno : EIO,
                                            "reading the exported seccomp filter");
                done += (size_t) k;
        }

        *ret = TAKE_PTR(prog);
        *ret_n = n;
        return 0;
}

static int load_error(const struct oci_seccomp *s, unsigned flags, int e, struct cu_error **err)
{
        if (e == EINVAL)
                for (size_t i = 0; s->flags && s->flags[i]; i++) {
                        const struct name_value *f =
                                lookup(flag_table, ELEMENTSOF(flag_table), s->flags[i]);
                        if (f && (flags & f->value) && !filter_flag_supported(f->value))
                                return cu_error_setx(err, EINVAL,
                                                     "linux.seccomp.flags[%zu]: \"%s\" is not "
                                                     "supported by the kernel",
                                                     i, s->flags[i]);
                }
        if (e == EACCES)
                return cu_error_set(err, e,
                                    "seccomp(SECCOMP_SET_MODE_FILTER) without no_new_privs needs "
                                    "CAP_SYS_ADMIN");
        return cu_error_set(err, e, "seccomp(SECCOMP_SET_MODE_FILTER, 0x%x)", flags);
}

/*
 * The compiled program of a profile, kept from one start to the next.
 *
 * Building the default profile with libseccomp costs more than everything else the runtime does
 * for a start (hundreds of names resolved per architecture, then the BPF generation), and the
 * result depends only on the profile, libseccomp and the kernel's seccomp API level.  So the
 * runtime compiles each distinct profile once and keeps the program under its state root
 * (.seccomp/<hash>.bpf, 0600 in a 0700 directory of root's): the file starts with the whole
 * canonical text of the profile, which must match byte for byte, so a hash collision or a stale
 * file can only cost a rebuild, never load another profile's program.
 */
#define CACHE_MAGIC "cuttle-seccomp-bpf 1\n"

struct prepared {
        const struct oci_seccomp *profile; /* what it was built for, in this process's memory */
        struct sock_filter *insns;
        size_t n;
};
static struct prepared prepared;

static void key_add_strv(FILE *f, const char *what, char *const *v)
{
        fprintf(f, "%s", what);
        for (size_t i = 0; v && v[i]; i++)
                fprintf(f, " %zu:%s", strlen(v[i]), v[i]);
        fputc('\n', f);
}

/* Everything the program depends on, as text: libseccomp's version and API level, the native
 * architecture, then every field of the profile that reaches seccomp_filter_build(). */
static char *profile_key(const struct oci_seccomp *s, size_t *ret_len)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (!f)
                return NULL;
        const struct scmp_version *v = seccomp_version();
        fprintf(f, "%slibseccomp %u.%u.%u api %u arch %u\n", CACHE_MAGIC, v->major, v->minor,
                v->micro, seccomp_api_get(), seccomp_arch_native());
        fprintf(f, "default %u %d %u\n", s->default_action, s->has_default_errno_ret,
                s->default_errno_ret);
        key_add_strv(f, "archs", s->architectures);
        for (size_t i = 0; i < s->n_syscalls; i++) {
                const struct oci_seccomp_syscall *sc = &s->syscalls[i];
                fprintf(f, "syscall %u %d %u", sc->action, sc->has_errno_ret, sc->errno_ret);
                for (size_t j = 0; j < sc->n_args; j++)
                        fprintf(f, " arg %u %" PRIu64 " %" PRIu64 " %d", sc->args[j].index,
                                sc->args[j].value, sc->args[j].value_two, sc->args[j].op);
                key_add_strv(f, " names", sc->names);
        }
        fputs("end\n", f);
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        *ret_len = len;
        return buf;
}

/* FNV-1a: only names the file; the key inside decides. */
static uint64_t key_hash(const char *key, size_t len)
{
        uint64_t h = 0xcbf29ce484222325ULL;
        for (size_t i = 0; i < len; i++)
                h = (h ^ (unsigned char) key[i]) * 0x100000001b3ULL;
        return h;
}

static bool cache_read(const char *path, const char *key, size_t key_len,
                       struct sock_filter **ret, size_t *ret_n)
{
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        if (read_full_file(path, &data, &len, NULL) < 0)
                return false;
        if (len <= key_len || memcmp(data, key, key_len) != 0)
                return false;
        size_t bytes = len - key_len;
        size_t n = bytes / sizeof(struct sock_filter);
        if (n == 0 || n > BPF_MAXINSNS || bytes % sizeof(struct sock_filter) != 0)
                return false;
        struct sock_filter *insns = malloc(bytes);
        if (!insns)
                return false;
        memcpy(insns, data + key_len, bytes);
        *ret = insns;
        *ret_n = n;
        return true;
}

static void cache_write(const char *dir, const char *path, const char *key, size_t key_len,
                        const struct sock_filter *insns, size_t n)
{
        size_t bytes = n * sizeof(struct sock_filter);
        _cleanup_free_ char *data = malloc(key_len + bytes);
        _cleanup_error_ struct cu_error *e = NULL;
        if (!data)
                return;
        memcpy(data, key, key_len);
        memcpy(data + key_len, insns, bytes);
        if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
                log_debug("seccomp: cannot make the cache %s: %m", dir);
                return;
        }
        if (write_file_atomic(path, data, key_len + bytes, 0600, &e) < 0)
                log_debug("seccomp: not cached: %s", cu_error_msg(e));
}

static int build_program(const struct oci_seccomp *s, struct sock_filter **ret, size_t *ret_n,
                         struct cu_error **err)
{
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        int r = seccomp_filter_build(s, &ctx, err);
        if (r < 0)
                return r;
        return filter_export_bpf(ctx, ret, ret_n, err);
}

int seccomp_prepare(const struct oci_seccomp *s, const char *cache_dir, struct cu_error **err)
{
        _cleanup_free_ struct sock_filter *insns = NULL;
        _cleanup_free_ char *key = NULL, *dir = NULL, *path = NULL;
        size_t n = 0, key_len = 0;
        unsigned flags;
        int r;

        /* Bad flags are reported now, before anything is forked. */
        r = filter_flags(s, &flags, err);
        if (r < 0)
                return r;
        if (cache_dir) {
                key = profile_key(s, &key_len);
                if (!key)
                        return cu_error_set(err, ENOMEM, "seccomp profile key");
                if (asprintf(&dir, "%s/.seccomp", cache_dir) < 0 ||
                    asprintf(&path, "%s/%016" PRIx64 ".bpf", dir, key_hash(key, key_len)) < 0)
                        return cu_error_set(err, ENOMEM, "asprintf");
                if (cache_read(path, key, key_len, &insns, &n))
                        log_debug("seccomp: %zu instructions from %s", n, path);
        }
        if (!insns) {
                r = build_program(s, &insns, &n, err);
                if (r < 0)
                        return r;
                if (path)
                        cache_write(dir, path, key, key_len, insns, n);
        }
        seccomp_prepared_free();
        prepared = (struct prepared){ .profile = s, .insns = TAKE_PTR(insns), .n = n };
        return 0;
}

void seccomp_prepared_free(void)
{
        free(prepared.insns);
        prepared = (struct prepared){ 0 };
}

int seccomp_install(const struct oci_seccomp *s, int *ret_listener_fd, struct cu_error **err)
{
        _cleanup_free_ struct sock_filter *built = NULL;
        const struct sock_filter *insns;
        _cleanup_close_ int listener = -EBADF;
        unsigned flags = 0;
        size_t n = 0;
        int r;

        r = filter_flags(s, &flags, err);
        if (r < 0)
                return r;
        if (prepared.profile == s && prepared.insns) {
                insns = prepared.insns;
                n = prepared.n;
        } else {
                r = build_program(s, &built, &n, err);
                if (r < 0)
                        return r;
                insns = built;
        }

        if (seccomp_uses_notify(s))
                flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
        else if (flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) {
                log_debug("seccomp: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV without "
                          "SCMP_ACT_NOTIFY, ignoring");
                flags &= ~(unsigned) SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
        }
        /* TSYNC reports a failing thread by its tid, which collides with the listener fd. */
        if ((flags & SECCOMP_FILTER_FLAG_TSYNC) && (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER))
                flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;

        struct sock_fprog prog = { .len = (unsigned short) n, .filter = (struct sock_filter *) insns };
        long k = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
        /* No seccomp(2) (before 3.17, or under valgrind): prctl() does without flags. */
        if (k < 0 && errno == ENOSYS && flags == 0)
                k = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
        if (k < 0)
                return load_error(s, flags, errno, err);
        if (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
                listener = (int) k;

        log_debug("seccomp: loaded %zu instructions, flags 0x%x", n, flags);
        if (ret_listener_fd)
                *ret_listener_fd = TAKE_FD(listener);
        return 0;
}

static json_t *names_json(const char *const *names, size_t n)
{
        json_t *a = json_array();

        for (size_t i = 0; a && i < n; i++)
                if (json_array_append_new(a, json_string(names[i])) < 0) {
                        json_decref(a);
                        return NULL;
                }
        return a;
}

static json_t *table_json(const struct name_value *t, size_t n, bool supported_only)
{
        json_t *a = json_array();

        for (size_t i = 0; a && i < n; i++) {
                if (supported_only && !filter_flag_supported(t[i].value))
                        continue;
                if (json_array_append_new(a, json_string(t[i].name)) < 0) {
                        json_decref(a);
                        return NULL;
                }
        }
        return a;
}

json_t *seccomp_features_json(void)
{
        /* json_pack() steals "o" references even when it fails on a NULL one. */
        return json_pack("{s:b, s:o, s:o, s:o, s:o, s:o}", "enabled", 1, "actions",
                         names_json(action_names, ELEMENTSOF(action_names)), "operators",
                         names_json(operator_names, ELEMENTSOF(operator_names)), "archs",
                         table_json(oci_seccomp_archs, oci_seccomp_n_archs, false), "knownFlags",
                         table_json(flag_table, ELEMENTSOF(flag_table), false), "supportedFlags",
                         table_json(flag_table, ELEMENTSOF(flag_table), true));
}
