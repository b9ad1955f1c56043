/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `top`: the container's processes as podman (psgo) lists them.  The processes are those in
 * the container's pid namespace (the /proc entries whose ns/pid is the init's); pids are
 * shown as the namespace sees them (NSpid), hpid as the host does.
 *
 * Descriptors (psgo's, with their AIX codes): args %a, capamb, capbnd, capeff, capinh,
 * capprm, comm %c, etime %t, group %G, hgroup, hpid, huser, label, nice %n, pcpu %C, pgid %r,
 * pid %p, ppid %P, rgroup %g, ruser %u, seccomp, state, stime, time %x, tty %y, user %U,
 * vsz %z.  Default: user pid ppid pcpu etime tty time args.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

struct engine;

enum top_desc {
        TOP_ARGS, TOP_CAPAMB, TOP_CAPBND, TOP_CAPEFF, TOP_CAPINH, TOP_CAPPRM, TOP_COMM,
        TOP_ETIME, TOP_GROUP, TOP_HGROUP, TOP_HPID, TOP_HUSER, TOP_LABEL, TOP_NICE, TOP_PCPU,
        TOP_PGID, TOP_PID, TOP_PPID, TOP_RGROUP, TOP_RUSER, TOP_SECCOMP, TOP_STATE, TOP_STIME,
        TOP_TIME, TOP_TTY, TOP_USER, TOP_VSZ,
        _TOP_MAX,
        _TOP_INVALID = -EINVAL,
};

/* A descriptor name or AIX code → enum; _TOP_INVALID when unknown. */
enum top_desc top_desc_from_string(const char *s);
/* Its column header ("USER", "%CPU", "ELAPSED", …). */
const char *top_desc_header(enum top_desc d);

/* One process, from /proc/PID/{stat,status,cmdline}. */
struct top_proc {
        pid_t hpid, pid, ppid, pgid; /* pid/ppid in the container's namespace (0: outside) */
        char state;
        uid_t ruid, euid;
        gid_t rgid, egid;
        uint64_t utime, stime, start; /* clock ticks; start since boot */
        uint64_t vsize;               /* bytes */
        long nice;
        int tty_nr;
        char comm[64];
        char *args;                   /* cmdline, NUL → ' ' (psgo keeps the trailing one) */
        uint64_t cap_eff, cap_bnd, cap_inh, cap_prm, cap_amb;
        int seccomp;                  /* 0 disabled, 1 strict, 2 filter, -1 unknown */
        char *label;                  /* attr/current, NULL: none */
        pid_t host_ppid;
};
void top_proc_done(struct top_proc *p);

/* Parses the texts of /proc/PID/stat, status and cmdline (cmdline may be NULL).  -EINVAL. */
int top_proc_parse(const char *stat, const char *status, const char *cmdline, size_t cmdline_len,
                   struct top_proc *ret);

/* What a field needs besides the process. */
struct top_env {
        int64_t now_ns;         /* wall clock */
        int64_t boot_ns;        /* wall-clock time of boot */
        long hz;                /* sysconf(_SC_CLK_TCK) */
        const char *passwd, *group;           /* the container's /etc files (may be NULL) */
        const char *host_passwd, *host_group; /* the host's (may be NULL) */
};
/* The field's text (malloc'd). */
char *top_field(const struct top_proc *p, enum top_desc d, const struct top_env *env);

/* "a,b" names for a capability mask (psgo: "full" for all, "none" for none). malloc'd. */
char *top_caps_text(uint64_t mask);

/* The table: rows[0] is the headers; each row is NULL-terminated, rows too.  Descriptors:
 * names (a comma-separated list each) or NULL for the default.  Errors: "top can only be used
 * on running containers" (EINVAL), "unknown descriptor: X" (ENOTSUP: the caller may fall back
 * to ps(1) in the container). */
int engine_top(struct engine *e, const char *id, char *const *descriptors, char ****ret_rows,
               struct cu_error **err);
void top_rows_free(char ***rows);

/* Go's time.Duration String: "1.5s", "153.433349ms", "1h2m3s", "0s". */
void go_duration_text(int64_t ns, char buf[static 40]);
