/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgroup v2 device controller: generate, load and attach the eBPF program. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup-bpf.h"
#include "util/cleanup.h"
#include "util/log.h"

/*
 * Register use:
 *   r1  context (struct bpf_cgroup_dev_ctx *)
 *   r2  device type (BPF_DEVCG_DEV_*)
 *   r3  requested access bits (BPF_DEVCG_ACC_*) that no rule has decided yet
 *   r4  major, r5 minor
 * Rules are emitted last first.  A matching allow rule clears its bits from r3 and
 * allows once r3 is empty; a matching deny rule denies when it covers any bit left.
 */

static struct bpf_insn mk(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
        return (struct bpf_insn){
                .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm
        };
}

#define LDX_W(dst, src, off) mk(BPF_LDX | BPF_W | BPF_MEM, dst, src, off, 0)
#define MOV64_REG(dst, src) mk(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV64_IMM(dst, imm) mk(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define AND64_IMM(dst, imm) mk(BPF_ALU64 | BPF_AND | BPF_K, dst, 0, 0, imm)
#define RSH64_IMM(dst, imm) mk(BPF_ALU64 | BPF_RSH | BPF_K, dst, 0, 0, imm)
#define JNE_IMM(dst, imm, off) mk(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm)
#define JSET_IMM(dst, imm, off) mk(BPF_JMP | BPF_JSET | BPF_K, dst, 0, off, imm)
#define JA(off) mk(BPF_JMP | BPF_JA, 0, 0, off, 0)
#define EXIT() mk(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* Marks a jump whose target is the start of the next rule block. */
#define TO_NEXT INT16_MIN

static int access_bits(const char *access)
{
        int bits = 0;
        for (const char *p = access && *access ? access : "rwm"; *p; p++)
                switch (*p) {
                case 'r':
                        bits |= BPF_DEVCG_ACC_READ;
                        break;
                case 'w':
                        bits |= BPF_DEVCG_ACC_WRITE;
                        break;
                case 'm':
                        bits |= BPF_DEVCG_ACC_MKNOD;
                        break;
                default:
                        return -EINVAL;
                }
        return bits;
}

/* One rule → up to 7 instructions in blk; returns the count, or -EINVAL. */
static int rule_block(const struct oci_device_cgroup *d, struct bpf_insn blk[static 8],
                      bool *ret_final)
{
        int acc = access_bits(d->access);
        size_t n = 0;
        if (acc < 0)
                return -EINVAL;
        if (d->major < -1 || d->major > INT32_MAX || d->minor < -1 || d->minor > INT32_MAX)
                return -EINVAL;

        switch (d->type) {
        case 'c':
                blk[n++] = JNE_IMM(2, BPF_DEVCG_DEV_CHAR, TO_NEXT);
                break;
        case 'b':
                blk[n++] = JNE_IMM(2, BPF_DEVCG_DEV_BLOCK, TO_NEXT);
                break;
        case 'a':
        case 0:
                break;
        default:
                return -EINVAL;
        }
        if (d->major >= 0)
                blk[n++] = JNE_IMM(4, (int32_t) d->major, TO_NEXT);
        if (d->minor >= 0)
                blk[n++] = JNE_IMM(5, (int32_t) d->minor, TO_NEXT);
        /* A rule for every device and every access decides everything: earlier rules
         * are dead. */
        *ret_final = n == 0 && acc == (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE |
                                       BPF_DEVCG_ACC_MKNOD);

        if (d->allow) {
                blk[n++] = AND64_IMM(3, ~acc & 7);
                blk[n++] = JNE_IMM(3, 0, TO_NEXT);
                blk[n++] = MOV64_IMM(0, 1);
        } else {
                blk[n++] = JSET_IMM(3, acc, 1);
                blk[n++] = JA(TO_NEXT);
                blk[n++] = MOV64_IMM(0, 0);
        }
        blk[n++] = EXIT();

        for (size_t i = 0; i < n; i++)
                if (blk[i].off == TO_NEXT)
                        blk[i].off = (int16_t) (n - i - 1);
        return (int) n;
}

int cg_bpf_device_program(const struct oci_device_cgroup *rules, size_t n,
                          struct bpf_insn **ret, size_t *ret_n, struct cu_error **err)
{
        static const size_t prologue = 6, epilogue = 2;
        _cleanup_free_ struct bpf_insn *prog = calloc(prologue + n * 8 + epilogue,
                                                      sizeof(struct bpf_insn));
        size_t len = 0;
        if (!prog)
                return cu_error_set(err, ENOMEM, "calloc");

        prog[len++] = LDX_W(2, 1, offsetof(struct bpf_cgroup_dev_ctx, access_type));
        prog[len++] = MOV64_REG(3, 2);
        prog[len++] = AND64_IMM(2, 0xffff);
        prog[len++] = RSH64_IMM(3, 16);
        prog[len++] = LDX_W(4, 1, offsetof(struct bpf_cgroup_dev_ctx, major));
        prog[len++] = LDX_W(5, 1, offsetof(struct bpf_cgroup_dev_ctx, minor));

        for (size_t i = n; i-- > 0;) {
                bool final = false;
                int k = rule_block(&rules[i], prog + len, &final);
                if (k < 0)
                        return cu_error_setx(err, EINVAL,
                                             "invalid device rule %zu (type '%c', %lld:%lld, "
                                             "access \"%s\")",
                                             i, rules[i].type ? rules[i].type : 'a',
                                             (long long) rules[i].major,
                                             (long long) rules[i].minor,
                                             strempty(rules[i].access));
                len += (size_t) k;
                if (final)
                        break;
        }
        prog[len++] = MOV64_IMM(0, 0);
        prog[len++] = EXIT();

        *ret = TAKE_PTR(prog);
        *ret_n = len;
        return 0;
}

/* ---- kernel side ---- */

static int sys_bpf(int cmd, union bpf_attr *attr)
{
        long r = syscall(SYS_bpf, cmd, attr, sizeof(*attr));
        return r < 0 ? -errno : (int) r;
}

static int prog_load(const struct bpf_insn *prog, size_t n, char *log, size_t log_size)
{
        union bpf_attr attr;
        memset(&attr, 0, sizeof attr);
        attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
        attr.insns = (uint64_t) (uintptr_t) prog;
        attr.insn_cnt = (uint32_t) n;
        attr.license = (uint64_t) (uintptr_t) "GPL";
        if (log) {
                attr.log_buf = (uint64_t) (uintptr_t) log;
                attr.log_size = (uint32_t) log_size;
                attr.log_level = 1;
        }
        return sys_bpf(BPF_PROG_LOAD, &attr);
}

static int load_program(const struct bpf_insn *prog, size_t n, struct cu_error **err)
{
        int fd = prog_load(prog, n, NULL, 0);
        if (fd == -EPERM) {
                /* Kernels before 5.11 charge BPF memory to RLIMIT_MEMLOCK. */
                struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
                if (setrlimit(RLIMIT_MEMLOCK, &rl) == 0)
                        fd = prog_load(prog, n, NULL, 0);
        }
        if (fd >= 0)
                return fd;

        /* Again with the verifier log, for the message. */
        _cleanup_free_ char *log = calloc(1, 1 << 16);
        if (log && prog_load(prog, n, log, 1 << 16) < 0 && *log) {
                size_t l = strlen(log);
                while (l > 0 && log[l - 1] == '\n')
                        log[--l] = '\0';
                log_debug("cgroup: BPF verifier log:\n%s", log);
        }
        return cu_error_set(err, -fd, "loading the device cgroup BPF program (%zu insns)", n);
}

/* Ids of the device programs attached to the cgroup itself (not inherited). */
static int query_programs(int cgroup_fd, uint32_t *ids, uint32_t *n, uint32_t *flags)
{
        union bpf_attr attr;
        memset(&attr, 0, sizeof attr);
        attr.query.target_fd = (uint32_t) cgroup_fd;
        attr.query.attach_type = BPF_CGROUP_DEVICE;
        attr.query.prog_ids = (uint64_t) (uintptr_t) ids;
        attr.query.prog_cnt = *n;
        int r = sys_bpf(BPF_PROG_QUERY, &attr);
        if (r < 0)
                return r;
        *n = attr.query.prog_cnt;
        *flags = attr.query.attach_flags;
        return 0;
}

static int attach(int cgroup_fd, int prog_fd, uint32_t flags)
{
        union bpf_attr attr;
        memset(&attr, 0, sizeof attr);
        attr.target_fd = (uint32_t) cgroup_fd;
        attr.attach_bpf_fd = (uint32_t) prog_fd;
        attr.attach_type = BPF_CGROUP_DEVICE;
        attr.attach_flags = flags;
        return sys_bpf(BPF_PROG_ATTACH, &attr);
}

static void detach_id(int cgroup_fd, uint32_t id)
{
        union bpf_attr attr;
        memset(&attr, 0, sizeof attr);
        attr.prog_id = id;
        _cleanup_close_ int fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
        if (fd < 0) {
                log_debug("cgroup: BPF program %u is gone: %s", id, strerror(-fd));
                return;
        }
        memset(&attr, 0, sizeof attr);
        attr.target_fd = (uint32_t) cgroup_fd;
        attr.attach_bpf_fd = (uint32_t) fd;
        attr.attach_type = BPF_CGROUP_DEVICE;
        int r = sys_bpf(BPF_PROG_DETACH, &attr);
        if (r < 0)
                log_debug("cgroup: detaching BPF program %u: %s, ignoring", id, strerror(-r));
}

int cg_bpf_attach_devices(int cgroup_fd, const struct bpf_insn *prog, size_t n,
                          struct cu_error **err)
{
        uint32_t old[64], n_old = ELEMENTSOF(old), old_flags = 0;
        int r = query_programs(cgroup_fd, old, &n_old, &old_flags);
        if (r < 0) {
                log_debug("cgroup: querying device BPF programs: %s", strerror(-r));
                n_old = 0;
        }

        _cleanup_close_ int fd = load_program(prog, n, err);
        if (fd < 0)
                return fd;

        if (n_old > 0 && !(old_flags & BPF_F_ALLOW_MULTI)) {
                /* One exclusive program there: attaching without flags replaces it. */
                r = attach(cgroup_fd, fd, 0);
                if (r < 0)
                        return cu_error_set(err, -r, "attaching the device cgroup program");
                return 0;
        }
        r = attach(cgroup_fd, fd, BPF_F_ALLOW_MULTI);
        if (r < 0)
                return cu_error_set(err, -r, "attaching the device cgroup program");
        for (uint32_t i = 0; i < n_old; i++)
                detach_id(cgroup_fd, old[i]);
        return 0;
}
