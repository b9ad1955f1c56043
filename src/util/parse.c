/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "parse.h"

static int parse_u64_base(const char *s, int base, uint64_t *ret)
{
        if (!s || !*s || isspace((unsigned char) *s) || *s == '-' || *s == '+')
                return -EINVAL;
        errno = 0;
        char *end = NULL;
        unsigned long long v = strtoull(s, &end, base);
        if (errno)
                return -errno;
        if (!end || *end)
                return -EINVAL;
        *ret = v;
        return 0;
}

int safe_atou64(const char *s, uint64_t *ret)
{
        return parse_u64_base(s, 10, ret);
}

int safe_atoi64(const char *s, int64_t *ret)
{
        if (!s || !*s || isspace((unsigned char) *s))
                return -EINVAL;
        errno = 0;
        char *end = NULL;
        long long v = strtoll(s, &end, 10);
        if (errno)
                return -errno;
        if (!end || *end)
                return -EINVAL;
        *ret = v;
        return 0;
}

int safe_atou(const char *s, unsigned *ret)
{
        uint64_t v;
        int r = safe_atou64(s, &v);
        if (r < 0)
                return r;
        if (v > UINT_MAX)
                return -ERANGE;
        *ret = (unsigned) v;
        return 0;
}

int safe_atoi(const char *s, int *ret)
{
        int64_t v;
        int r = safe_atoi64(s, &v);
        if (r < 0)
                return r;
        if (v > INT_MAX || v < INT_MIN)
                return -ERANGE;
        *ret = (int) v;
        return 0;
}

int safe_atou_octal(const char *s, unsigned *ret)
{
        uint64_t v;
        int r = parse_u64_base(s, 8, &v);
        if (r < 0)
                return r;
        if (v > UINT_MAX)
                return -ERANGE;
        *ret = (unsigned) v;
        return 0;
}

static const struct {
        const char *name;
        int sig;
} signal_table[] = {
        { "HUP", SIGHUP },       { "INT", SIGINT },       { "QUIT", SIGQUIT },
        { "ILL", SIGILL },       { "TRAP", SIGTRAP },     { "ABRT", SIGABRT },
        { "IOT", SIGIOT },       { "BUS", SIGBUS },       { "FPE", SIGFPE },
        { "KILL", SIGKILL },     { "USR1", SIGUSR1 },     { "SEGV", SIGSEGV },
        { "USR2", SIGUSR2 },     { "PIPE", SIGPIPE },     { "ALRM", SIGALRM },
        { "TERM", SIGTERM },     { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },
        { "CONT", SIGCONT },     { "STOP", SIGSTOP },     { "TSTP", SIGTSTP },
        { "TTIN", SIGTTIN },     { "TTOU", SIGTTOU },     { "URG", SIGURG },
        { "XCPU", SIGXCPU },     { "XFSZ", SIGXFSZ },     { "VTALRM", SIGVTALRM },
        { "PROF", SIGPROF },     { "WINCH", SIGWINCH },   { "IO", SIGIO },
        { "POLL", SIGPOLL },     { "PWR", SIGPWR },       { "SYS", SIGSYS },
};

const char *signal_name(int sig)
{
        for (size_t i = 0; i < ELEMENTSOF(signal_table); i++)
                if (signal_table[i].sig == sig)
                        return signal_table[i].name;
        return NULL;
}

int parse_signal(const char *s, int *ret)
{
        if (!s || !*s)
                return -EINVAL;
        unsigned n;
        if (safe_atou(s, &n) >= 0) {
                if (n == 0 || n > (unsigned) SIGRTMAX)
                        return -EINVAL;
                *ret = (int) n;
                return 0;
        }
        const char *name = s;
        if (strncasecmp(name, "SIG", 3) == 0)
                name += 3;
        for (size_t i = 0; i < ELEMENTSOF(signal_table); i++)
                if (strcasecmp(name, signal_table[i].name) == 0) {
                        *ret = signal_table[i].sig;
                        return 0;
                }
        if (strncasecmp(name, "RTMIN", 5) == 0 || strncasecmp(name, "RTMAX", 5) == 0) {
                bool min = strncasecmp(name, "RTMIN", 5) == 0;
                const char *rest = name + 5;
                int off = 0;
                if (*rest) {
                        /* Bound off before adding: RTMIN+2147483647 must not overflow. */
                        if (*rest != (min ? '+' : '-') || safe_atoi(rest + 1, &off) < 0 ||
                            off < 0 || off > SIGRTMAX - SIGRTMIN)
                                return -EINVAL;
                }
                int sig = min ? SIGRTMIN + off : SIGRTMAX - off;
                if (sig < SIGRTMIN || sig > SIGRTMAX)
                        return -EINVAL;
                *ret = sig;
                return 0;
        }
        return -EINVAL;
}
