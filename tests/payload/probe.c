/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * probe: a small static program run inside test containers to report facts about its own
 * process (ids, capabilities, mounts, limits, namespaces…) in a form a bats test can compare.
 *
 *   probe VERB [ARGS…]
 *
 * Exit status: 0 on success, 1 on an error (with "probe: …" on stderr), 2 on a usage error.
 * A verb that *reports* a failure (syscall, isatty) still exits 0: the report is the result.
 * Run `probe help` for the list of verbs.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

struct verb {
        const char *name;
        int min_args;
        int max_args;
        int (*fn)(char **args, int n);
        const char *usage;
};

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int fail(const char *fmt, ...)
{
        va_list ap;

        fputs("probe: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        return 1;
}

static int fail_errno(const char *what, const char *arg)
{
        int e = errno;

        if (arg)
                return fail("%s %s: %s", what, arg, strerror(e));
        return fail("%s: %s", what, strerror(e));
}

static bool parse_long(const char *s, long *ret)
{
        char *end = NULL;
        long v;

        errno = 0;
        v = strtol(s, &end, 0);
        if (errno != 0 || end == s || *end != '\0')
                return false;
        *ret = v;
        return true;
}

static const char *errno_name(int e)
{
        const char *n = strerrorname_np(e);

        return n ? n : "UNKNOWN";
}

/* "USR1", "SIGUSR1", "usr1" or "10" → signal number; -1 if unknown. */
static int parse_signal(const char *s)
{
        long v;

        if (parse_long(s, &v))
                return v > 0 && v < NSIG ? (int) v : -1;
        if (strncasecmp(s, "SIG", 3) == 0)
                s += 3;
        for (int sig = 1; sig < NSIG; sig++) {
                const char *abbrev = sigabbrev_np(sig);

                if (abbrev && strcasecmp(abbrev, s) == 0)
                        return sig;
        }
        return -1;
}

/* Copy a whole file to stdout. */
static int dump_file(const char *path)
{
        char buf[8192];
        ssize_t n;
        int fd = open(path, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return fail_errno("open", path);
        fflush(stdout);
        while ((n = read(fd, buf, sizeof(buf))) != 0) {
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        close(fd);
                        return fail_errno("read", path);
                }
                for (ssize_t off = 0; off < n;) {
                        ssize_t w = write(STDOUT_FILENO, buf + off, (size_t) (n - off));

                        if (w < 0) {
                                if (errno == EINTR)
                                        continue;
                                close(fd);
                                return fail_errno("write", "stdout");
                        }
                        off += w;
                }
        }
        close(fd);
        return 0;
}

/* Read a small text file into buf, trailing newlines stripped. */
static int read_line_file(const char *path, char *buf, size_t size)
{
        FILE *f = fopen(path, "re");
        size_t n;

        if (!f)
                return fail_errno("open", path);
        n = fread(buf, 1, size - 1, f);
        if (ferror(f)) {
                fclose(f);
                return fail_errno("read", path);
        }
        fclose(f);
        buf[n] = '\0';
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
                buf[--n] = '\0';
        return 0;
}

/* The value of "KEY:\tVALUE" in /proc/self/status, written to value; false if absent. */
static bool status_value(const char *key, char *value, size_t size)
{
        char line[4096];
        size_t klen = strlen(key);
        bool found = false;
        FILE *f = fopen("/proc/self/status", "re");

        if (!f)
                return false;
        while (fgets(line, sizeof(line), f)) {
                char *v;

                if (strncmp(line, key, klen) != 0 || line[klen] != ':')
                        continue;
                v = line + klen + 1;
                while (*v == ' ' || *v == '\t')
                        v++;
                v[strcspn(v, "\n")] = '\0';
                snprintf(value, size, "%s", v);
                found = true;
                break;
        }
        fclose(f);
        return found;
}

static int verb_id(char **args, int n)
{
        gid_t groups[NGROUPS_MAX];
        int ng = getgroups((int) ELEMENTSOF(groups), groups);

        if (ng < 0)
                return fail_errno("getgroups", NULL);
        printf("uid=%u gid=%u groups=", (unsigned) getuid(), (unsigned) getgid());
        for (int i = 0; i < ng; i++)
                printf("%s%u", i ? "," : "", (unsigned) groups[i]);
        putchar('\n');
        if (geteuid() != getuid() || getegid() != getgid())
                printf("euid=%u egid=%u\n", (unsigned) geteuid(), (unsigned) getegid());
        return 0;
}

static int verb_caps(char **args, int n)
{
        static const char *const keys[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" };
        char value[256];

        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                if (!status_value(keys[i], value, sizeof(value)))
                        return fail("no %s in /proc/self/status", keys[i]);
                printf("%s: %s\n", keys[i], value);
        }
        return 0;
}

static int verb_status(char **args, int n)
{
        char value[4096];

        if (!status_value(args[0], value, sizeof(value)))
                return fail("no %s in /proc/self/status", args[0]);
        puts(value);
        return 0;
}

static int verb_cwd(char **args, int n)
{
        char buf[PATH_MAX];

        if (!getcwd(buf, sizeof(buf)))
                return fail_errno("getcwd", NULL);
        puts(buf);
        return 0;
}

static int verb_isatty(char **args, int n)
{
        long fd;

        if (!parse_long(args[0], &fd) || fd < 0 || fd > INT_MAX)
                return fail("isatty: bad file descriptor \"%s\"", args[0]);
        puts(isatty((int) fd) ? "true" : "false");
        return 0;
}

static int verb_hostname(char **args, int n)
{
        struct utsname u;

        if (uname(&u) < 0)
                return fail_errno("uname", NULL);
        puts(u.nodename);
        return 0;
}

static int verb_domainname(char **args, int n)
{
        struct utsname u;

        if (uname(&u) < 0)
                return fail_errno("uname", NULL);
        puts(u.domainname);
        return 0;
}

static int verb_env(char **args, int n)
{
        extern char **environ;

        if (n == 0) {
                for (char **e = environ; e && *e; e++)
                        puts(*e);
                return 0;
        }
        const char *v = getenv(args[0]);
        if (!v)
                return fail("%s is not set", args[0]);
        puts(v);
        return 0;
}

static int verb_cat(char **args, int n)
{
        return dump_file(args[0]);
}

static int verb_write(char **args, int n)
{
        size_t len = strlen(args[1]);
        int fd = open(args[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

        if (fd < 0)
                return fail_errno("open", args[0]);
        if (write(fd, args[1], len) != (ssize_t) len) {
                close(fd);
                return fail_errno("write", args[0]);
        }
        if (close(fd) < 0)
                return fail_errno("close", args[0]);
        return 0;
}

static int compare_names(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static void free_names(char **names, size_t count)
{
        for (size_t i = 0; i < count; i++)
                free(names[i]);
        free(names);
}

static int verb_ls(char **args, int n)
{
        char **names = NULL;
        size_t count = 0, alloc = 0;
        struct dirent *de;
        DIR *d = opendir(args[0]);
        int r = 0;

        if (!d)
                return fail_errno("opendir", args[0]);
        while ((errno = 0, de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (count == alloc) {
                        char **p = realloc(names, (alloc ? alloc * 2 : 64) * sizeof(*names));
                        if (!p) {
                                r = fail("out of memory");
                                goto out;
                        }
                        names = p;
                        alloc = alloc ? alloc * 2 : 64;
                }
                names[count] = strdup(de->d_name);
                if (!names[count]) {
                        r = fail("out of memory");
                        goto out;
                }
                count++;
        }
        if (errno != 0) {
                r = fail_errno("readdir", args[0]);
                goto out;
        }
        if (count > 0)
                qsort(names, count, sizeof(*names), compare_names);
        for (size_t i = 0; i < count; i++)
                puts(names[i]);
out:
        closedir(d);
        free_names(names, count);
        return r;
}

static int verb_mountinfo(char **args, int n)
{
        return dump_file("/proc/self/mountinfo");
}

/* Undo mountinfo's octal escapes (\040 for a space…) in place. */
static void unescape_octal(char *s)
{
        char *w = s;

        for (char *r = s; *r; r++) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] >= '0' && r[2] <= '7' &&
                    r[3] >= '0' && r[3] <= '7') {
                        *w++ = (char) (((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
                        r += 3;
                } else {
                        *w++ = *r;
                }
        }
        *w = '\0';
}

/* Does mount point mp cover path (both absolute and canonical)? */
static bool path_covers(const char *mp, const char *path)
{
        size_t len = strlen(mp);

        if (strcmp(mp, "/") == 0)
                return true;
        return strncmp(mp, path, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

/* Append the comma-separated items of list to out, skipping items already present. */
static void merge_options(char *out, size_t size, const char *list)
{
        char copy[4096], *save = NULL;

        snprintf(copy, sizeof(copy), "%s", list);
        for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
                char needle[4096 + 2], haystack[8192 + 2];

                snprintf(needle, sizeof(needle), ",%s,", o);
                snprintf(haystack, sizeof(haystack), ",%s,", out);
                if (strstr(haystack, needle))
                        continue;
                if (*out)
                        strncat(out, ",", size - strlen(out) - 1);
                strncat(out, o, size - strlen(out) - 1);
        }
}

/*
 * Find the topmost mount covering path in /proc/self/mountinfo; fill its fstype and its
 * options (per-mount options then the super block's, duplicates dropped).
 */
static int find_mount(const char *path, char *fstype, size_t fsize, char *opts, size_t osize)
{
        char real[PATH_MAX], line[8192];
        size_t best = 0;
        bool found = false;
        FILE *f;

        if (!realpath(path, real))
                return fail_errno("realpath", path);
        f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return fail_errno("open", "/proc/self/mountinfo");
        while (fgets(line, sizeof(line), f)) {
                /* id parent maj:min root mountpoint opts [optional…] - fstype source superopts */
                char *field[6], *save = NULL, *p = line, *sep;
                int i;

                line[strcspn(line, "\n")] = '\0';
                sep = strstr(line, " - ");
                if (!sep)
                        continue;
                *sep = '\0';
                for (i = 0; i < 6 && (field[i] = strtok_r(p, " ", &save)); i++)
                        p = NULL;
                if (i < 6)
                        continue;
                unescape_octal(field[4]);
                if (!path_covers(field[4], real) || strlen(field[4]) < best)
                        continue;

                char *tail = sep + 3, *tsave = NULL;
                char *type = strtok_r(tail, " ", &tsave);
                char *source = type ? strtok_r(NULL, " ", &tsave) : NULL;
                char *super = source ? strtok_r(NULL, " ", &tsave) : NULL;

                best = strlen(field[4]);
                found = true;
                snprintf(fstype, fsize, "%s", type ? type : "");
                opts[0] = '\0';
                merge_options(opts, osize, field[5]);
                if (super)
                        merge_options(opts, osize, super);
        }
        fclose(f);
        if (!found)
                return fail("no mount covers %s", real);
        return 0;
}

static int verb_mount_opts(char **args, int n)
{
        char fstype[256], opts[8192];
        int r = find_mount(args[0], fstype, sizeof(fstype), opts, sizeof(opts));

        if (r != 0)
                return r;
        puts(opts);
        return 0;
}

static int verb_mount_type(char **args, int n)
{
        char fstype[256], opts[8192];
        int r = find_mount(args[0], fstype, sizeof(fstype), opts, sizeof(opts));

        if (r != 0)
                return r;
        puts(fstype);
        return 0;
}

static const struct {
        const char *name;
        int resource;
} rlimits[] = {
        { "AS", RLIMIT_AS },           { "CORE", RLIMIT_CORE },
        { "CPU", RLIMIT_CPU },         { "DATA", RLIMIT_DATA },
        { "FSIZE", RLIMIT_FSIZE },     { "LOCKS", RLIMIT_LOCKS },
        { "MEMLOCK", RLIMIT_MEMLOCK }, { "MSGQUEUE", RLIMIT_MSGQUEUE },
        { "NICE", RLIMIT_NICE },       { "NOFILE", RLIMIT_NOFILE },
        { "NPROC", RLIMIT_NPROC },     { "RSS", RLIMIT_RSS },
        { "RTPRIO", RLIMIT_RTPRIO },   { "RTTIME", RLIMIT_RTTIME },
        { "SIGPENDING", RLIMIT_SIGPENDING }, { "STACK", RLIMIT_STACK },
};

static void print_rlim(rlim_t v)
{
        if (v == RLIM_INFINITY)
                fputs("unlimited", stdout);
        else
                printf("%llu", (unsigned long long) v);
}

static int verb_rlimit(char **args, int n)
{
        const char *name = args[0];
        struct rlimit rl;

        if (strncasecmp(name, "RLIMIT_", 7) == 0)
                name += 7;
        for (size_t i = 0; i < ELEMENTSOF(rlimits); i++) {
                if (strcasecmp(rlimits[i].name, name) != 0)
                        continue;
                if (getrlimit(rlimits[i].resource, &rl) < 0)
                        return fail_errno("getrlimit", args[0]);
                print_rlim(rl.rlim_cur);
                putchar(' ');
                print_rlim(rl.rlim_max);
                putchar('\n');
                return 0;
        }
        return fail("unknown rlimit \"%s\"", args[0]);
}

static int verb_umask(char **args, int n)
{
        mode_t m = umask(0);

        umask(m);
        printf("%04o\n", (unsigned) m);
        return 0;
}

static int verb_pid(char **args, int n)
{
        printf("pid=%d ppid=%d\n", (int) getpid(), (int) getppid());
        return 0;
}

static int verb_uidmap(char **args, int n)
{
        return dump_file("/proc/self/uid_map");
}

static int verb_gidmap(char **args, int n)
{
        return dump_file("/proc/self/gid_map");
}

static int verb_nnp(char **args, int n)
{
        int v = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);

        if (v < 0)
                return fail_errno("prctl PR_GET_NO_NEW_PRIVS", NULL);
        printf("%d\n", v);
        return 0;
}

static int verb_oom_score_adj(char **args, int n)
{
        char buf[64];

        if (read_line_file("/proc/self/oom_score_adj", buf, sizeof(buf)) != 0)
                return 1;
        puts(buf);
        return 0;
}

static int verb_cgroup(char **args, int n)
{
        return dump_file("/proc/self/cgroup");
}

/* Each returns 0 or -errno; arg may be NULL (a default is used). */
static int try_mkdir(const char *arg)
{
        const char *p = arg ? arg : "/tmp/.probe-mkdir";

        if (mkdir(p, 0700) < 0)
                return -errno;
        (void) rmdir(p);
        return 0;
}

static int try_getcwd(const char *arg)
{
        char buf[PATH_MAX];

        return syscall(SYS_getcwd, buf, sizeof(buf)) < 0 ? -errno : 0;
}

/*
 * chown to the owner the file already has: changes nothing, but unlike chown(-1, -1) the
 * kernel checks it, so a caller that does not own the file needs CAP_CHOWN.
 */
static int try_chown(const char *arg)
{
        const char *p = arg ? arg : "/";
        struct stat st;

        if (stat(p, &st) < 0)
                return -errno;
        return chown(p, st.st_uid, st.st_gid) < 0 ? -errno : 0;
}

static int try_unshare(const char *arg)
{
        return unshare(CLONE_NEWUTS) < 0 ? -errno : 0;
}

static int try_ptrace(const char *arg)
{
        return ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0 ? -errno : 0;
}

static int try_mount(const char *arg)
{
        const char *p = arg ? arg : "/tmp";

        if (mount("probe", p, "tmpfs", 0, "size=64k") < 0)
                return -errno;
        (void) umount2(p, MNT_DETACH);
        return 0;
}

static int try_chroot(const char *arg)
{
        return chroot("/") < 0 ? -errno : 0;
}

static int try_sethostname(const char *arg)
{
        struct utsname u;

        if (uname(&u) < 0)
                return -errno;
        return sethostname(u.nodename, strlen(u.nodename)) < 0 ? -errno : 0;
}

static int try_mknod(const char *arg)
{
        const char *p = arg ? arg : "/tmp/.probe-mknod";

        if (mknod(p, S_IFCHR | 0600, makedev(1, 3)) < 0)
                return -errno;
        (void) unlink(p);
        return 0;
}

static int try_raw_socket(const char *arg)
{
        int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);

        if (fd < 0)
                return -errno;
        close(fd);
        return 0;
}

static int try_socket(const char *arg)
{
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return -errno;
        close(fd);
        return 0;
}

static int try_keyctl(const char *arg)
{
        /* KEYCTL_GET_KEYRING_ID (0) of KEY_SPEC_SESSION_KEYRING (-3), don't create */
        return syscall(SYS_keyctl, 0, -3, 0) < 0 ? -errno : 0;
}

static int try_personality(const char *arg)
{
        return syscall(SYS_personality, 0xffffffffUL) < 0 ? -errno : 0;
}

static int try_setuid(const char *arg)
{
        return syscall(SYS_setuid, getuid()) < 0 ? -errno : 0;
}

static int try_clock_settime(const char *arg)
{
        struct timespec ts;

        if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
                return -errno;
        return syscall(SYS_clock_settime, CLOCK_REALTIME, &ts) < 0 ? -errno : 0;
}

static const struct {
        const char *name;
        int (*fn)(const char *arg);
        const char *what;
} syscalls[] = {
        { "mkdir", try_mkdir, "mkdir(ARG or /tmp/.probe-mkdir) then rmdir" },
        { "getcwd", try_getcwd, "getcwd()" },
        { "chown", try_chown, "chown(ARG or /) to its own owner (CAP_CHOWN unless ours)" },
        { "unshare", try_unshare, "unshare(CLONE_NEWUTS)" },
        { "ptrace", try_ptrace, "ptrace(PTRACE_TRACEME)" },
        { "mount", try_mount, "mount tmpfs on ARG or /tmp, then detach it" },
        { "chroot", try_chroot, "chroot(\"/\")" },
        { "sethostname", try_sethostname, "sethostname(current name)" },
        { "mknod", try_mknod, "mknod(ARG or /tmp/.probe-mknod, char 1:3) then unlink" },
        { "socket", try_socket, "socket(AF_INET, SOCK_STREAM)" },
        { "raw-socket", try_raw_socket, "socket(AF_INET, SOCK_RAW, ICMP) (CAP_NET_RAW)" },
        { "keyctl", try_keyctl, "keyctl(KEYCTL_GET_KEYRING_ID, session)" },
        { "personality", try_personality, "personality(0xffffffff) (query)" },
        { "setuid", try_setuid, "setuid(getuid())" },
        { "clock_settime", try_clock_settime, "clock_settime(REALTIME, now) (CAP_SYS_TIME)" },
};

static int verb_syscall(char **args, int n)
{
        for (size_t i = 0; i < ELEMENTSOF(syscalls); i++) {
                if (strcmp(syscalls[i].name, args[0]) != 0)
                        continue;
                int r = syscalls[i].fn(n > 1 ? args[1] : NULL);
                if (r == 0)
                        puts("ok");
                else
                        printf("errno %d %s\n", -r, errno_name(-r));
                return 0;
        }
        fprintf(stderr, "probe: unknown syscall \"%s\"; known:\n", args[0]);
        for (size_t i = 0; i < ELEMENTSOF(syscalls); i++)
                fprintf(stderr, "  %-14s %s\n", syscalls[i].name, syscalls[i].what);
        return 2;
}

/* Seconds as a decimal ("1", "0.25"); false on garbage. */
static bool parse_seconds(const char *s, struct timespec *ts)
{
        char *end = NULL;
        double v;

        errno = 0;
        v = strtod(s, &end);
        if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 1e9)
                return false;
        ts->tv_sec = (time_t) v;
        ts->tv_nsec = (long) ((v - (double) ts->tv_sec) * 1e9);
        return true;
}

static int verb_sleep(char **args, int n)
{
        struct timespec ts;

        if (!parse_seconds(args[0], &ts))
                return fail("sleep: bad duration \"%s\"", args[0]);
        while (nanosleep(&ts, &ts) < 0) {
                if (errno != EINTR)
                        return fail_errno("nanosleep", NULL);
        }
        return 0;
}

static int verb_exit(char **args, int n)
{
        long code;

        if (!parse_long(args[0], &code) || code < 0 || code > 255)
                return fail("exit: bad code \"%s\"", args[0]);
        fflush(stdout);
        exit((int) code);
}

/*
 * The init of a pid namespace ignores signals it sends itself, so for the fault signals
 * cause a real fault (which the kernel delivers even to an init).
 */
static void fault(int sig)
{
        switch (sig) {
        case SIGSEGV:
                *(volatile int *) (uintptr_t) 0 = 1;
                break;
        case SIGILL:
                __builtin_trap();
        case SIGFPE: {
                volatile int zero = 0, one = 1;
                volatile int x = one / zero;
                (void) x;
                break;
        }
        case SIGBUS: {
                char path[] = "/tmp/.probe-sigbusXXXXXX";
                int fd = mkstemp(path);
                if (fd < 0)
                        break;
                unlink(path);
                volatile char *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
                if (p != MAP_FAILED)
                        (void) p[0];
                break;
        }
        default:
                break;
        }
}

static int verb_kill_self(char **args, int n)
{
        int sig = parse_signal(args[0]);
        struct rlimit nocore = { 0, 0 };

        if (sig < 0)
                return fail("kill-self: unknown signal \"%s\"", args[0]);
        fflush(stdout);
        (void) setrlimit(RLIMIT_CORE, &nocore);
        signal(sig, SIG_DFL);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, sig);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        if (kill(getpid(), sig) < 0)
                return fail_errno("kill", args[0]);
        fault(sig);
        /* Stopping signals return here after SIGCONT; others were ignored (pid 1). */
        return fail("kill-self: still alive after SIG%s (pid %d%s)", sigabbrev_np(sig),
                    (int) getpid(),
                    getpid() == 1 ? ": the init of a pid namespace ignores its own signals" : "");
}

static int verb_wait_signal(char **args, int n)
{
        static const int waited[] = { SIGHUP,  SIGINT,  SIGQUIT, SIGUSR1, SIGUSR2, SIGTERM,
                                      SIGALRM, SIGCONT, SIGWINCH, SIGPIPE, SIGURG };
        sigset_t set;
        int sig;

        sigemptyset(&set);
        for (size_t i = 0; i < ELEMENTSOF(waited); i++)
                sigaddset(&set, waited[i]);
        if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
                return fail_errno("sigprocmask", NULL);
        if (n > 0) {
                /* Tell the test we are ready: signals sent from now on are not lost. */
                int fd = open(args[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                if (fd < 0)
                        return fail_errno("open", args[0]);
                close(fd);
        }
        do
                sig = sigwaitinfo(&set, NULL);
        while (sig < 0 && errno == EINTR);
        if (sig < 0)
                return fail_errno("sigwaitinfo", NULL);
        printf("SIG%s\n", sigabbrev_np(sig));
        return 0;
}

static int verb_fork(char **args, int n)
{
        long want;
        long ok = 0;
        pid_t *pids;

        if (!parse_long(args[0], &want) || want < 0 || want > 100000)
                return fail("fork: bad count \"%s\"", args[0]);
        pids = calloc((size_t) want + 1, sizeof(*pids));
        if (!pids)
                return fail("out of memory");
        fflush(stdout);
        for (long i = 0; i < want; i++) {
                pid_t pid = fork();

                if (pid == 0) {
                        for (;;)
                                pause();
                }
                if (pid < 0)
                        break;
                pids[ok++] = pid;
        }
        for (long i = 0; i < ok; i++)
                kill(pids[i], SIGKILL);
        for (long i = 0; i < ok; i++)
                while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
                        ;
        free(pids);
        printf("%ld\n", ok);
        return 0;
}

static int verb_memhog(char **args, int n)
{
        long mb;
        long page = sysconf(_SC_PAGESIZE);

        if (!parse_long(args[0], &mb) || mb < 0 || mb > 1024L * 1024)
                return fail("memhog: bad size \"%s\"", args[0]);
        size_t size = (size_t) mb << 20;
        char *p = mmap(NULL, size ? size : 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                       -1, 0);
        if (p == MAP_FAILED)
                return fail_errno("mmap", args[0]);
        for (size_t off = 0; off < size; off += (size_t) page)
                ((volatile char *) p)[off] = 1;
        puts("ok");
        return 0;
}

static int verb_sysctl(char **args, int n)
{
        char path[PATH_MAX], buf[4096];

        snprintf(path, sizeof(path), "/proc/sys/%s", args[0]);
        for (char *p = path + strlen("/proc/sys/"); *p; p++)
                if (*p == '.')
                        *p = '/';
        if (read_line_file(path, buf, sizeof(buf)) != 0)
                return 1;
        puts(buf);
        return 0;
}

static const char *file_type(mode_t m)
{
        switch (m & S_IFMT) {
        case S_IFREG: return "file";
        case S_IFDIR: return "dir";
        case S_IFLNK: return "symlink";
        case S_IFCHR: return "char";
        case S_IFBLK: return "block";
        case S_IFIFO: return "fifo";
        case S_IFSOCK: return "socket";
        default: return "unknown";
        }
}

/* lstat: a symlink is reported as one, not followed. */
static int verb_stat(char **args, int n)
{
        struct stat st;

        if (lstat(args[0], &st) < 0)
                return fail_errno("stat", args[0]);
        printf("%s %04o %u %u %u %u\n", file_type(st.st_mode), (unsigned) (st.st_mode & 07777),
               (unsigned) st.st_uid, (unsigned) st.st_gid, major(st.st_rdev), minor(st.st_rdev));
        return 0;
}

static int verb_ttyname(char **args, int n)
{
        char buf[PATH_MAX];
        int r = ttyname_r(STDIN_FILENO, buf, sizeof(buf));

        if (r != 0) {
                errno = r;
                return fail_errno("ttyname", "stdin");
        }
        puts(buf);
        return 0;
}

static int verb_personality(char **args, int n)
{
        int p = personality(0xffffffff);

        if (p < 0)
                return fail_errno("personality", NULL);
        switch (p & PER_MASK) {
        case PER_LINUX: fputs("LINUX", stdout); break;
        case PER_LINUX32: fputs("LINUX32", stdout); break;
        default: printf("0x%x", (unsigned) (p & PER_MASK)); break;
        }
        if (p & ~PER_MASK)
                printf(" flags=0x%x", (unsigned) (p & ~PER_MASK));
        putchar('\n');
        return 0;
}

static int verb_help(char **args, int n);

static const struct verb verbs[] = {
        { "id", 0, 0, verb_id, "uid=N gid=N groups=A,B (and euid/egid if different)" },
        { "caps", 0, 0, verb_caps, "CapInh/CapPrm/CapEff/CapBnd/CapAmb: HEX" },
        { "status", 1, 1, verb_status, "KEY: the value of KEY in /proc/self/status" },
        { "cwd", 0, 0, verb_cwd, "the working directory" },
        { "isatty", 1, 1, verb_isatty, "FD: true or false" },
        { "hostname", 0, 0, verb_hostname, "uname nodename" },
        { "domainname", 0, 0, verb_domainname, "uname domainname" },
        { "env", 0, 1, verb_env, "[NAME]: the environment, or NAME's value (1 if unset)" },
        { "cat", 1, 1, verb_cat, "FILE: its contents" },
        { "write", 2, 2, verb_write, "FILE TEXT: write TEXT (no newline added)" },
        { "ls", 1, 1, verb_ls, "DIR: entry names, sorted, one a line" },
        { "mountinfo", 0, 0, verb_mountinfo, "/proc/self/mountinfo as is" },
        { "mount-opts", 1, 1, verb_mount_opts,
          "PATH: options of the mount covering PATH (per-mount, then super block's)" },
        { "mount-type", 1, 1, verb_mount_type, "PATH: fstype of the mount covering PATH" },
        { "rlimit", 1, 1, verb_rlimit, "NAME: SOFT HARD (NOFILE, RLIMIT_NOFILE, nofile…)" },
        { "umask", 0, 0, verb_umask, "the umask in octal (0022)" },
        { "pid", 0, 0, verb_pid, "pid=N ppid=N" },
        { "uidmap", 0, 0, verb_uidmap, "/proc/self/uid_map" },
        { "gidmap", 0, 0, verb_gidmap, "/proc/self/gid_map" },
        { "nnp", 0, 0, verb_nnp, "no_new_privs: 0 or 1" },
        { "oom-score-adj", 0, 0, verb_oom_score_adj, "/proc/self/oom_score_adj" },
        { "cgroup", 0, 0, verb_cgroup, "/proc/self/cgroup" },
        { "syscall", 1, 2, verb_syscall, "NAME [ARG]: try it; ok or errno N ENAME (exit 0)" },
        { "sleep", 1, 1, verb_sleep, "SECONDS (fractions allowed)" },
        { "exit", 1, 1, verb_exit, "CODE" },
        { "kill-self", 1, 1, verb_kill_self, "SIG: die by SIG (a real fault for SEGV/ILL/FPE/BUS)" },
        { "wait-signal", 0, 1, verb_wait_signal,
          "[READY-FILE]: print the first of HUP INT QUIT USR1 USR2 TERM ALRM CONT WINCH PIPE URG "
          "received; READY-FILE is created once they are blocked" },
        { "fork", 1, 1, verb_fork, "N: fork N sleeping children at once, print how many worked" },
        { "memhog", 1, 1, verb_memhog, "MB: allocate and touch MB MiB, then print ok" },
        { "sysctl", 1, 1, verb_sysctl, "KEY: /proc/sys/KEY (dots or slashes)" },
        { "stat", 1, 1, verb_stat, "PATH: TYPE MODE UID GID MAJOR MINOR (lstat)" },
        { "ttyname", 0, 0, verb_ttyname, "the terminal on stdin (1 if none)" },
        { "personality", 0, 0, verb_personality, "LINUX or LINUX32 [flags=0xN]" },
        { "help", 0, 0, verb_help, "this list" },
};

static void print_verbs(FILE *f)
{
        fputs("Usage: probe VERB [ARGS…]\n\nVerbs:\n", f);
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                fprintf(f, "  %-14s %s\n", verbs[i].name, verbs[i].usage);
}

static int verb_help(char **args, int n)
{
        print_verbs(stdout);
        return 0;
}

int main(int argc, char **argv)
{
        int r;

        if (argc < 2) {
                print_verbs(stderr);
                return 2;
        }
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
                const struct verb *v = &verbs[i];
                int n = argc - 2;

                if (strcmp(v->name, argv[1]) != 0)
                        continue;
                if (n < v->min_args || n > v->max_args) {
                        fprintf(stderr, "probe: %s: wrong number of arguments\nUsage: probe %s %s\n",
                                v->name, v->name, v->usage);
                        return 2;
                }
                r = v->fn(argv + 2, n);
                if (fflush(stdout) != 0 && r == 0)
                        return fail_errno("write", "stdout");
                return r;
        }
        fprintf(stderr, "probe: unknown verb \"%s\"\n", argv[1]);
        print_verbs(stderr);
        return 2;
}
