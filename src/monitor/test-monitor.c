/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The monitor end to end: real busybox containers from a bundle in a temp dir, run through
 * monitor_main() in a forked child with --no-daemonize (needs root, like the runtime).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <regex.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "monitor/attach.h"
#include "monitor/monitor.h"
#include "runtime/runtime.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/proc.h"

static char base[200];   /* <tmp>/cuttle-test-monitor-XXXXXX */
static char rootfs[256]; /* busybox, shared by every bundle */
static char state[256];  /* the runtime's state root */
static unsigned counter;

struct ctr {
        char id[64];
        char dir[300];    /* per test: bundle (config.json), logs, sockets */
        char log[1024];
        char exitf[1024];
        char sock[1024];
        pid_t monitor;
        int sync; /* read end of the sync pipe */
        char sync_line[512];
        bool daemonize;
};

static void path_in(char *out, size_t n, const struct ctr *c, const char *name)
{
        snprintf(out, n, "%s/%s", c->dir, name);
}

static int group_setup(void **s)
{
        (void) s;
        if (geteuid() != 0 || access("/bin/busybox", X_OK) != 0) {
                fprintf(stderr, "# needs root and /bin/busybox (busybox-static)\n");
                return -1;
        }
        const char *t = getenv("TMPDIR");
        snprintf(base, sizeof base, "%s/cuttle-test-monitor-XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(base))
                return -1;
        snprintf(rootfs, sizeof rootfs, "%s/rootfs", base);
        snprintf(state, sizeof state, "%s/state", base);
        char cmd[4096];
        snprintf(cmd, sizeof cmd,
                 "set -e; mkdir -p %s/bin %s/proc %s/dev %s/tmp; cp /bin/busybox %s/bin/; "
                 "for a in sh cat echo sleep printf true seq touch; do ln -s busybox %s/bin/$a; done",
                 rootfs, rootfs, rootfs, rootfs, rootfs, rootfs);
        return system(cmd) == 0 ? 0 : -1;
}

static int group_teardown(void **s)
{
        (void) s;
        return rm_rf(base) < 0 ? -1 : 0;
}

/* A bundle whose process runs `sh -c script`. */
static void make_ctr(struct ctr *c, const char *script, bool terminal)
{
        memset(c, 0, sizeof(*c));
        c->sync = -1;
        snprintf(c->id, sizeof c->id, "mon-%d-%u", (int) getpid(), ++counter);
        snprintf(c->dir, sizeof c->dir, "%s/%s", base, c->id);
        assert_int_equal(mkdir(c->dir, 0700), 0);
        path_in(c->log, sizeof c->log, c, "ctr.log");
        path_in(c->exitf, sizeof c->exitf, c, "exit.json");
        path_in(c->sock, sizeof c->sock, c, "attach.sock");
        json_t *cfg = json_pack(
                "{s:s, s:{s:b, s:{s:i, s:i}, s:[s, s, s], s:[s, s], s:s}, s:{s:s},"
                " s:[{s:s, s:s, s:s}], s:{s:[{s:s}, {s:s}, {s:s}, {s:s}]}}",
                "ociVersion", "1.0.2", "process", "terminal", terminal, "user", "uid", 0, "gid", 0,
                "args", "sh", "-c", script, "env", "PATH=/bin", "TERM=xterm", "cwd", "/", "root",
                "path", rootfs, "mounts", "destination", "/proc", "type", "proc", "source", "proc",
                "linux", "namespaces", "type", "pid", "type", "mount", "type", "ipc", "type",
                "uts");
        assert_non_null(cfg);
        if (terminal) { /* a pty needs /dev/pts (and the runtime's /dev/ptmx) */
                json_t *mounts = json_object_get(cfg, "mounts");
                json_array_append_new(mounts, json_pack("{s:s, s:s, s:s}", "destination", "/dev",
                                                        "type", "tmpfs", "source", "tmpfs"));
                json_array_append_new(mounts, json_pack("{s:s, s:s, s:s, s:[s, s]}", "destination",
                                                        "/dev/pts", "type", "devpts", "source",
                                                        "devpts", "options", "newinstance",
                                                        "ptmxmode=0666"));
        }
        char path[1024];
        path_in(path, sizeof path, c, "config.json");
        assert_int_equal(json_dump_file(cfg, path, 0), 0);
        json_decref(cfg);
}

/* Starts the monitor in a child with the common options plus the given ones (NULL-ended). */
static void start_monitor(struct ctr *c, ...)
{
        int p[2];
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        char syncfd[16];
        snprintf(syncfd, sizeof syncfd, "%d", p[1]);
        char *argv[64] = { "cuttle-monitor", "--cid", c->id, "--bundle", c->dir,
                           "--runtime-root", state, "--sync-fd", syncfd, "--no-daemonize" };
        int n = c->daemonize ? 9 : 10;
        va_list ap;
        va_start(ap, c);
        for (char *a; (a = va_arg(ap, char *)) && n < 63;)
                argv[n++] = a;
        va_end(ap);
        argv[n] = NULL;
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(p[0]);
                _exit(monitor_main(n, argv));
        }
        close(p[1]);
        c->monitor = pid;
        c->sync = p[0];
        /* The sync line: "pid N" or "error …", then EOF. */
        size_t len = 0;
        for (;;) {
                struct pollfd pf = { .fd = c->sync, .events = POLLIN };
                assert_true(poll(&pf, 1, 20000) == 1);
                ssize_t k = read(c->sync, c->sync_line + len, sizeof c->sync_line - 1 - len);
                if (k <= 0)
                        break;
                len += (size_t) k;
        }
        c->sync_line[len] = '\0';
        close(c->sync);
}

static pid_t sync_pid(const struct ctr *c)
{
        int pid = 0;
        assert_int_equal(sscanf(c->sync_line, "pid %d\n", &pid), 1);
        assert_true(pid > 0);
        return pid;
}

/* Waits (at most 20 s) for the monitor; returns its exit status. */
static int wait_monitor(struct ctr *c)
{
        for (int i = 0; i < 2000; i++) {
                int status;
                pid_t w = waitpid(c->monitor, &status, WNOHANG);
                if (w == c->monitor)
                        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                usleep(10000);
        }
        kill(c->monitor, SIGKILL);
        (void) wait_for_pid(c->monitor);
        fail_msg("monitor %s did not exit", c->id);
        return -1;
}

static void cleanup_ctr(struct ctr *c)
{
        struct runtime_ctx ctx = { .state_root = state };
        (void) runtime_delete(&ctx, c->id, true, NULL);
        (void) rm_rf(c->dir);
}

static char *slurp(const char *path)
{
        char *s = NULL;
        if (read_full_file(path, &s, NULL, NULL) < 0)
                return NULL;
        return s;
}

static json_t *exit_json(const struct ctr *c)
{
        json_t *j = json_load_file(c->exitf, 0, NULL);
        assert_non_null(j);
        return j;
}

static int exit_code_of(const struct ctr *c)
{
        json_t *j = exit_json(c);
        int code = (int) json_integer_value(json_object_get(j, "exitCode"));
        assert_true(json_is_false(json_object_get(j, "oomKilled")));
        const char *at = json_string_value(json_object_get(j, "exitedAt"));
        assert_non_null(at);
        assert_true(strlen(at) > 20 && at[strlen(at) - 1] == 'Z');
        json_decref(j);
        return code;
}

static int restart_count_of(const struct ctr *c)
{
        json_t *j = exit_json(c);
        int k = (int) json_integer_value(json_object_get(j, "restartCount"));
        json_decref(j);
        return k;
}

static bool matches(const char *text, const char *re)
{
        regex_t r;
        assert_int_equal(regcomp(&r, re, REG_EXTENDED | REG_NEWLINE | REG_NOSUB), 0);
        bool ok = regexec(&r, text, 0, NULL, 0) == 0;
        regfree(&r);
        return ok;
}

static unsigned count_lines(const char *text, const char *needle)
{
        unsigned n = 0;
        for (const char *p = text; (p = strstr(p, needle)); p++)
                n++;
        return n;
}

static void no_runtime_state(const struct ctr *c)
{
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", state, c->id);
        assert_int_equal(access(p, F_OK), -1);
}

#define TS "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{9}[+-][0-9]{2}:[0-9]{2}"

static void test_k8s_file(void **s)
{
        struct ctr c;
        make_ctr(&c, "echo hello; echo oops >&2; printf partial; sleep 0.1; echo; exit 0", false);
        start_monitor(&c, "--log-path", c.log, "--exit-file", c.exitf, NULL);
        sync_pid(&c);
        assert_int_equal(wait_monitor(&c), 0);
        assert_int_equal(exit_code_of(&c), 0);
        _cleanup_free_ char *log = slurp(c.log);
        assert_non_null(log);
        assert_true(matches(log, "^" TS " stdout F hello$"));
        assert_true(matches(log, "^" TS " stderr F oops$"));
        assert_true(matches(log, "^" TS " stdout P partial$"));
        assert_true(matches(log, "^" TS " stdout F $"));
        no_runtime_state(&c);
        cleanup_ctr(&c);
}

static void test_json_file(void **s)
{
        struct ctr c;
        make_ctr(&c, "echo 'a\"b<c'; exit 3", false);
        start_monitor(&c, "--log-driver", "json-file", "--log-path", c.log, "--log-tag", "web",
                      "--exit-file", c.exitf, NULL);
        assert_int_equal(wait_monitor(&c), 0);
        assert_int_equal(exit_code_of(&c), 3);
        _cleanup_free_ char *log = slurp(c.log);
        assert_non_null(log);
        assert_true(matches(log, "^\\{\"log\":\"a\\\\\"b\\\\u003cc\\\\n\",\"stream\":\"stdout\","
                                 "\"attrs\":\\{\"tag\":\"web\"\\},\"time\":\"[0-9T:.-]+Z\"\\}$"));
        cleanup_ctr(&c);
}

static void test_sigkill_137_and_pid_file(void **s)
{
        struct ctr c;
        make_ctr(&c, "exec sleep 100", false);
        char pidf[1024];
        path_in(pidf, sizeof pidf, &c, "pidfile");
        start_monitor(&c, "--log-driver", "none", "--exit-file", c.exitf, "--pid-file", pidf, NULL);
        pid_t pid = sync_pid(&c);
        _cleanup_free_ char *text = slurp(pidf);
        assert_non_null(text);
        assert_int_equal(atoi(text), pid);
        assert_int_equal(access(c.exitf, F_OK), -1);
        assert_int_equal(kill(pid, SIGKILL), 0);
        assert_int_equal(wait_monitor(&c), 0);
        assert_int_equal(exit_code_of(&c), 137);
        no_runtime_state(&c);
        cleanup_ctr(&c);
}

static void test_signal_forwarding(void **s)
{
        struct ctr c;
        make_ctr(&c, "trap 'exit 7' TERM; echo ready; while :; do sleep 0.05; done", false);
        start_monitor(&c, "--log-path", c.log, "--exit-file", c.exitf, NULL);
        sync_pid(&c);
        /* Once the trap is set (it printed "ready"), SIGTERM to the monitor reaches it. */
        for (int i = 0; i < 500; i++) {
                _cleanup_free_ char *log = slurp(c.log);
                if (log && strstr(log, "ready"))
                        break;
                usleep(10000);
        }
        assert_int_equal(kill(c.monitor, SIGTERM), 0);
        assert_int_equal(wait_monitor(&c), 0);
        assert_int_equal(exit_code_of(&c), 7);
        cleanup_ctr(&c);
}

static void test_exit_command(void **s)
{
        struct ctr c;
        make_ctr(&c, "exit 0", false);
        char marker[1024], touch[4096];
        path_in(marker, sizeof marker, &c, "cleaned-up");
        snprintf(touch, sizeof touch, "test -f %s && touch %s", c.exitf, marker);
        start_monitor(&c, "--log-driver", "none", "--exit-file", c.exitf, "--exit-command",
                      "/bin/sh", "--exit-command", "-c", "--exit-command", touch, NULL);
        assert_int_equal(wait_monitor(&c), 0);
        assert_int_equal(access(marker, F_OK), 0);
        cleanup_ctr(&c);
}

static void test_restart_on_failure(void **s)
{
        struct ctr c;
        make_ctr(&c, "echo run; exit 1", false);
        start_monitor(&c, "--log-path", c.log, "--exit-file", c.exitf, "--restart",
                      "on-failure:2", NULL);
        assert_int_equal(wait_monitor(&c), 0);
        _cleanup_free_ char *log = slurp(c.log);
        assert_non_null(log);
        assert_int_equal(count_lines(log, "stdout F run"), 3);
        assert_int_equal(exit_code_of(&c), 1);
        assert_int_equal(restart_count_of(&c), 2);
        no_runtime_state(&c);
        cleanup_ctr(&c);
}

static void test_restart_always_stop_file(void **s)
{
        struct ctr c;
        make_ctr(&c, "echo run; exit 0", false);
        char stopf[1024];
        path_in(stopf, sizeof stopf, &c, "stopped");
        /* Already stopped: no restart at all. */
        assert_int_equal(write_file_atomic(stopf, "", 0, 0644, NULL), 0);
        start_monitor(&c, "--log-path", c.log, "--exit-file", c.exitf, "--restart", "always",
                      "--stop-file", stopf, NULL);
        assert_int_equal(wait_monitor(&c), 0);
        _cleanup_free_ char *log = slurp(c.log);
        assert_int_equal(count_lines(log, "stdout F run"), 1);
        assert_int_equal(restart_count_of(&c), 0);

        /* Not stopped: it restarts until the stop file appears. */
        assert_int_equal(unlink(stopf), 0);
        assert_int_equal(unlink(c.log), 0);
        start_monitor(&c, "--log-path", c.log, "--exit-file", c.exitf, "--restart", "always",
                      "--stop-file", stopf, NULL);
        unsigned runs = 0;
        for (int i = 0; i < 1000 && runs < 3; i++) {
                _cleanup_free_ char *l = slurp(c.log);
                runs = l ? count_lines(l, "stdout F run") : 0;
                usleep(10000);
        }
        assert_true(runs >= 3);
        assert_int_equal(write_file_atomic(stopf, "", 0, 0644, NULL), 0);
        assert_int_equal(wait_monitor(&c), 0);
        assert_true(restart_count_of(&c) >= 2);
        no_runtime_state(&c);
        cleanup_ctr(&c);
}

/* Reads frames until an EXIT frame; appends stdout to out.  Returns the exit code. */
static int read_until_exit(int sock, char *out, size_t cap)
{
        char buf[ATTACH_BUF_SIZE + 2];
        size_t len = strlen(out);
        for (;;) {
                struct pollfd p = { .fd = sock, .events = POLLIN };
                assert_int_equal(poll(&p, 1, 20000), 1);
                ssize_t k = recv(sock, buf, sizeof buf - 1, 0);
                assert_true(k > 0);
                buf[k] = '\0';
                if (buf[0] == ATTACH_FRAME_EXIT)
                        return atoi(buf + 1);
                assert_int_equal(buf[0], ATTACH_FRAME_STDOUT);
                if (len + (size_t) k < cap) {
                        memcpy(out + len, buf + 1, (size_t) k - 1);
                        len += (size_t) k - 1;
                        out[len] = '\0';
                }
        }
}

static void test_attach_stdin_cat(void **s)
{
        struct ctr c;
        make_ctr(&c, "exec cat", false);
        start_monitor(&c, "--log-path", c.log, "--exit-file", c.exitf, "--stdin",
                      "--attach-socket", c.sock, NULL);
        sync_pid(&c);
        int sock = attach_client_connect(c.sock, NULL);
        assert_true(sock >= 0);
        assert_int_equal(attach_client_send_stdin(sock, "hello\n", 6), 0);
        assert_int_equal(attach_client_close_stdin(sock), 0);
        char out[256] = "";
        assert_int_equal(read_until_exit(sock, out, sizeof out), 0);
        assert_string_equal(out, "hello\n");
        close(sock);
        assert_int_equal(wait_monitor(&c), 0);
        assert_int_equal(exit_code_of(&c), 0);
        _cleanup_free_ char *log = slurp(c.log);
        assert_true(matches(log, "^" TS " stdout F hello$"));
        assert_int_equal(access(c.sock, F_OK), -1); /* removed at exit */
        cleanup_ctr(&c);
}

static void test_stdin_survives_detach(void **s)
{
        struct ctr c;
        make_ctr(&c, "exec cat", false);
        start_monitor(&c, "--log-path", c.log, "--exit-file", c.exitf, "--stdin",
                      "--attach-socket", c.sock, NULL);
        sync_pid(&c);
        /* A client that sends and goes away (detaches): the container keeps its stdin. */
        int sock = attach_client_connect(c.sock, NULL);
        assert_true(sock >= 0);
        assert_int_equal(attach_client_send_stdin(sock, "one\n", 4), 0);
        close(sock);
        usleep(200000);
        assert_int_equal(access(c.exitf, F_OK), -1);
        assert_int_equal(waitpid(c.monitor, NULL, WNOHANG), 0);

        /* The next one, through the relay: its input's EOF closes the container's stdin. */
        sock = attach_client_connect(c.sock, NULL);
        assert_true(sock >= 0);
        int in[2], out[2];
        assert_int_equal(pipe2(in, O_CLOEXEC), 0);
        assert_int_equal(pipe2(out, O_CLOEXEC), 0);
        assert_int_equal(write(in[1], "two\n", 4), 4);
        close(in[1]);
        struct attach_client_opts o = { .in_fd = in[0], .out_fd = out[1], .err_fd = -1,
                                        .winch_fd = -1, .detach_keys = "" };
        int code = -1;
        assert_int_equal(attach_client_relay(sock, &o, &code, NULL), ATTACH_EXITED);
        assert_int_equal(code, 0);
        close(out[1]);
        char buf[64] = "";
        assert_true(read(out[0], buf, sizeof buf - 1) > 0);
        assert_string_equal(buf, "two\n");
        close(in[0]);
        close(out[0]);
        close(sock);
        assert_int_equal(wait_monitor(&c), 0);
        _cleanup_free_ char *log = slurp(c.log);
        assert_true(matches(log, "^" TS " stdout F one$"));
        assert_true(matches(log, "^" TS " stdout F two$"));
        cleanup_ctr(&c);
}

static void test_detach_keys_relay(void **s)
{
        struct ctr c;
        make_ctr(&c, "exec cat", false);
        start_monitor(&c, "--log-path", c.log, "--stdin", "--attach-socket", c.sock, NULL);
        pid_t pid = sync_pid(&c);
        int sock = attach_client_connect(c.sock, NULL);
        assert_true(sock >= 0);
        int in[2];
        assert_int_equal(pipe2(in, O_CLOEXEC), 0);
        assert_int_equal(write(in[1], "x\x10y\x10\x11", 5), 5); /* x ^P y ^P ^Q */
        struct attach_client_opts o = { .in_fd = in[0], .out_fd = -1, .err_fd = -1,
                                        .winch_fd = -1, .detach_keys = NULL };
        assert_int_equal(attach_client_relay(sock, &o, NULL, NULL), ATTACH_DETACHED);
        close(sock);
        close(in[0]);
        close(in[1]);
        /* cat got "x^Py" and still runs. */
        for (int i = 0; i < 500; i++) {
                _cleanup_free_ char *log = slurp(c.log);
                if (log && strstr(log, "x\x10y"))
                        break;
                usleep(10000);
        }
        _cleanup_free_ char *log = slurp(c.log);
        assert_non_null(strstr(log, "stdout P x\x10y\n"));
        assert_int_equal(waitpid(c.monitor, NULL, WNOHANG), 0);
        assert_int_equal(kill(pid, SIGKILL), 0);
        assert_int_equal(wait_monitor(&c), 0);
        cleanup_ctr(&c);
}

static void test_terminal(void **s)
{
        struct ctr c;
        make_ctr(&c, "test -t 0 && test -t 1 && echo tty; exit 4", true);
        start_monitor(&c, "--log-path", c.log, "--exit-file", c.exitf, "--terminal", NULL);
        sync_pid(&c);
        assert_int_equal(wait_monitor(&c), 0);
        assert_int_equal(exit_code_of(&c), 4);
        _cleanup_free_ char *log = slurp(c.log);
        assert_non_null(log);
        assert_true(matches(log, "^" TS " stdout F tty\r$"));
        cleanup_ctr(&c);
}

static void test_log_rotation(void **s)
{
        struct ctr c;
        make_ctr(&c, "seq 1 40", false);
        start_monitor(&c, "--log-path", c.log, "--log-max-size", "300", NULL);
        assert_int_equal(wait_monitor(&c), 0);
        struct stat st;
        assert_int_equal(stat(c.log, &st), 0);
        assert_true(st.st_size > 0 && st.st_size <= 300);
        _cleanup_free_ char *log = slurp(c.log);
        assert_true(matches(log, "^" TS " stdout F 40$"));
        assert_false(matches(log, "^" TS " stdout F 1$"));
        char old[2048];
        snprintf(old, sizeof old, "%s.1", c.log);
        assert_int_equal(access(old, F_OK), -1);
        cleanup_ctr(&c);
}

static void test_bad_bundle(void **s)
{
        struct ctr c;
        make_ctr(&c, "exit 0", false);
        char cfg[1024];
        path_in(cfg, sizeof cfg, &c, "config.json");
        assert_int_equal(write_file_atomic(cfg, "{\"ociVersion\":\"1.0.2\"}", 22, 0644, NULL), 0);
        start_monitor(&c, "--log-path", c.log, "--exit-file", c.exitf, NULL);
        assert_int_equal(strncmp(c.sync_line, "error ", 6), 0);
        assert_non_null(strchr(c.sync_line, '\n'));
        assert_int_equal(wait_monitor(&c), 1);
        assert_int_equal(access(c.exitf, F_OK), -1);
        no_runtime_state(&c);
        cleanup_ctr(&c);
}

static void test_failing_start(void **s)
{
        struct ctr c;
        make_ctr(&c, "exit 0", false);
        /* create succeeds, exec of a missing binary fails at start */
        char cfg[1024];
        path_in(cfg, sizeof cfg, &c, "config.json");
        json_t *j = json_load_file(cfg, 0, NULL);
        json_object_set_new(json_object_get(j, "process"), "args", json_pack("[s]", "/nope"));
        assert_int_equal(json_dump_file(j, cfg, 0), 0);
        json_decref(j);
        start_monitor(&c, "--log-path", c.log, NULL);
        assert_int_equal(strncmp(c.sync_line, "error ", 6), 0);
        assert_int_equal(wait_monitor(&c), 1);
        no_runtime_state(&c);
        cleanup_ctr(&c);
}

static void test_daemonize(void **s)
{
        struct ctr c;
        make_ctr(&c, "sleep 0.2; echo detached; exit 6", false);
        c.daemonize = true;
        start_monitor(&c, "--log-path", c.log, "--exit-file", c.exitf, NULL);
        /* The caller's monitor_main() returned at once; the container runs on. */
        assert_int_equal(wait_monitor(&c), 0);
        pid_t pid = sync_pid(&c);
        assert_int_equal(kill(pid, 0), 0);
        for (int i = 0; i < 1000 && access(c.exitf, F_OK) != 0; i++)
                usleep(10000);
        assert_int_equal(exit_code_of(&c), 6);
        _cleanup_free_ char *log = slurp(c.log);
        assert_true(matches(log, "^" TS " stdout F detached$"));
        for (int i = 0; i < 500; i++) { /* the monitor deletes it right after the exit file */
                char p[2048];
                snprintf(p, sizeof p, "%s/%s", state, c.id);
                if (access(p, F_OK) != 0)
                        break;
                usleep(10000);
        }
        no_runtime_state(&c);
        cleanup_ctr(&c);
}

static void test_external_runc(void **s)
{
        if (access("/usr/sbin/runc", X_OK) != 0) {
                fprintf(stderr, "# /usr/sbin/runc is not installed: external runtime not tested\n");
                return;
        }
        struct ctr c;
        make_ctr(&c, "echo via-runc; echo e >&2; exit 5", false);
        char root[1024];
        path_in(root, sizeof root, &c, "runc-root");
        /* --runtime-root is the runc root here: pass it last so it wins. */
        start_monitor(&c, "--runtime", "/usr/sbin/runc", "--log-path", c.log, "--exit-file",
                      c.exitf, "--runtime-root", root, NULL);
        sync_pid(&c);
        assert_int_equal(wait_monitor(&c), 0);
        assert_int_equal(exit_code_of(&c), 5);
        _cleanup_free_ char *log = slurp(c.log);
        assert_true(matches(log, "^" TS " stdout F via-runc$"));
        assert_true(matches(log, "^" TS " stderr F e$"));
        char st[2048];
        snprintf(st, sizeof st, "%s/%s", root, c.id);
        assert_int_equal(access(st, F_OK), -1);
        cleanup_ctr(&c);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_k8s_file),
                cmocka_unit_test(test_json_file),
                cmocka_unit_test(test_sigkill_137_and_pid_file),
                cmocka_unit_test(test_signal_forwarding),
                cmocka_unit_test(test_exit_command),
                cmocka_unit_test(test_restart_on_failure),
                cmocka_unit_test(test_restart_always_stop_file),
                cmocka_unit_test(test_attach_stdin_cat),
                cmocka_unit_test(test_stdin_survives_detach),
                cmocka_unit_test(test_detach_keys_relay),
                cmocka_unit_test(test_terminal),
                cmocka_unit_test(test_log_rotation),
                cmocka_unit_test(test_bad_bundle),
                cmocka_unit_test(test_failing_start),
                cmocka_unit_test(test_daemonize),
                cmocka_unit_test(test_external_runc),
        };
        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
