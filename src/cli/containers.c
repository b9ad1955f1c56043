/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the container commands: the engine, errors, option parsing, output relay. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "containers.h"
#include "monitor/attach.h"
#include "state/db.h"
#include "storage/containers-conf.h"
#include "storage/store.h"
#include "util/fileio.h"
#include "util/json.h"

int cli_engine(struct cli_ctx *c, struct engine *e, struct cu_error **err)
{
        struct store *s = NULL;
        int r = cli_ctx_store(c, &s, err);
        if (r < 0)
                return r;
        r = ctr_db_init(s->db, err);
        if (r < 0)
                return r;
        *e = (struct engine){ .db = s->db, .store = s, .root = c->root, .runroot = c->runroot,
                              .storage_driver = c->storage_driver, .events_backend = c->events_backend };
        const struct containers_conf *conf = NULL;
        if (cli_ctx_config(c, &conf, NULL) >= 0) {
                e->events_backend = conf->events_logger;
                e->tmp_dir = conf->tmp_dir;
                if (conf->volume_path && conf->volume_path[0])
                        e->volume_path = conf->volume_path;
        }
        return 0;
}

int cli_engine_fail(const struct cu_error *err)
{
        const char *m = cu_error_msg(err);
        int code = 125;
        if (strstr(m, "attempted to invoke a command that was not found"))
                code = 127;
        else if (strstr(m, "OCI permission denied"))
                code = 126;
        return cli_fail(code, err);
}

int cli_parse(struct opts_cmd *cmd, int argc, char **argv, struct opts_args *args)
{
        _cleanup_error_ struct cu_error *err = NULL;
        int r = opts_parse(cmd, argc - 1, argv + 1, args, &err);
        for (char **w = args->warnings; w && *w; w++)
                fprintf(stderr, "%s\n", *w);
        if (r < 0)
                return cli_fail(125, err);
        if (args->help) {
                _cleanup_free_ char *h = opts_help(cmd);
                if (h)
                        fputs(h, stdout);
                return CLI_DONE_OK;
        }
        return 0;
}

/* ------------------------------------------------------------------ output relay */

static int print_record(void *ud, const struct log_record *r)
{
        (void) ud;
        FILE *f = r->stream == CTR_STREAM_STDERR ? stderr : stdout;
        fwrite(r->text, 1, r->len, f);
        if (!r->partial)
                fputc('\n', f);
        fflush(f);
        return 0;
}

static volatile sig_atomic_t proxied_pid;

static void proxy_signal(int sig)
{
        if (proxied_pid > 0)
                (void) kill((pid_t) proxied_pid, sig);
}

static int exit_code_of(struct engine *e, const char *id)
{
        _cleanup_ctr_record_ struct ctr_record *r = NULL;
        int code = 0;
        if (ctr_get_by_id(e->db, id, &r, NULL) < 0)
                return engine_exit_code_saved(e, id, &code) == 0 ? code : 0;
        (void) engine_refresh(e, r, false);
        return r->has_exit_code ? r->exit_code : 0;
}

/* The terminal in raw mode while attached (restored by the caller). */
static bool make_raw(int fd, struct termios *saved)
{
        if (!isatty(fd) || tcgetattr(fd, saved) < 0)
                return false;
        struct termios raw = *saved;
        cfmakeraw(&raw);
        raw.c_oflag = saved->c_oflag;
        return tcsetattr(fd, TCSANOW, &raw) == 0;
}

static void sig_proxy_to(int pid)
{
        if (pid <= 0)
                return;
        proxied_pid = (sig_atomic_t) pid;
        struct sigaction sa = { .sa_handler = proxy_signal, .sa_flags = SA_RESTART };
        int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
        for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
                sigaction(sigs[i], &sa, NULL);
}

int cli_attach_relay(struct engine *e, const char *id, int sock, bool interactive, bool tty,
                     const char *detach_keys, bool sig_proxy, int *ret_code)
{
        _cleanup_error_ struct cu_error *err = NULL;
        if (sig_proxy && !tty) {
                _cleanup_ctr_record_ struct ctr_record *r = NULL;
                if (ctr_get_by_id(e->db, id, &r, NULL) >= 0)
                        sig_proxy_to((int) r->pid);
        }
        struct termios saved;
        bool raw = tty && interactive && make_raw(0, &saved);
        struct attach_client_opts ao = { .in_fd = interactive ? 0 : -1, .out_fd = 1, .err_fd = 2,
                                         .winch_fd = -1, .detach_keys = detach_keys,
                                         .send_size = tty && isatty(0) };
        int code = 0;
        int res = attach_client_relay(sock, &ao, &code, &err);
        if (raw)
                (void) tcsetattr(0, TCSANOW, &saved);
        proxied_pid = 0;
        if (res < 0)
                return cli_fail(125, err);
        if (res == ATTACH_DETACHED) {
                *ret_code = -1;
                return 0;
        }
        /* the exit is recorded once the monitor's exit file is there */
        int c2 = 0;
        (void) engine_wait(e, id, 0, &c2, NULL);
        *ret_code = res == ATTACH_HANGUP ? c2 : code;
        return 0;
}

int cli_follow_output(struct engine *e, const char *id, bool interactive, bool tty,
                      const char *detach_keys, bool sig_proxy, int64_t since,
                      struct log_tail *held, int *ret_code)
{
        _cleanup_ctr_record_ struct ctr_record *r = NULL;
        _cleanup_error_ struct cu_error *err = NULL;
        if (held) { /* a log-file driver, not interactive: read what the held log has */
                if (sig_proxy && !tty && ctr_get_by_id(e->db, id, &r, NULL) >= 0)
                        sig_proxy_to((int) r->pid);
                struct engine_logs_opts lo = { .follow = true, .tail = -1, .since = since };
                if (engine_logs_held(e, id, held, &lo, print_record, NULL, &err) < 0)
                        return cli_fail(125, err);
                *ret_code = exit_code_of(e, id);
                return 0;
        }
        if (ctr_get_by_id(e->db, id, &r, &err) < 0)
                return cli_fail(125, err);
        _cleanup_json_ json_t *c = engine_config(r);
        const char *drv = json_string_value(json_object_get(c, "LogDriver"));
        bool from_log = !interactive && !tty && !streq_ptr(drv, "none") &&
                        !streq_ptr(drv, "passthrough");
        if (from_log || streq_ptr(drv, "passthrough")) {
                if (sig_proxy && !tty)
                        sig_proxy_to((int) r->pid);
                if (from_log) {
                        struct engine_logs_opts lo = { .follow = true, .tail = -1, .since = since };
                        if (engine_logs(e, r, &lo, print_record, NULL, &err) < 0)
                                return cli_fail(125, err);
                        *ret_code = exit_code_of(e, id);
                        return 0;
                }
                int code = 0;
                if (engine_wait(e, id, 0, &code, &err) < 0)
                        return cli_fail(125, err);
                *ret_code = code;
                return 0;
        }
        _cleanup_free_ char *sock_path = engine_path(e, id, "attach");
        _cleanup_close_ int sock = sock_path ? attach_client_connect(sock_path, NULL) : -1;
        if (sock < 0) { /* already gone */
                int code = 0;
                (void) engine_wait(e, id, 0, &code, NULL);
                *ret_code = code < 0 ? 0 : code;
                return 0;
        }
        return cli_attach_relay(e, id, sock, interactive, tty, detach_keys, sig_proxy, ret_code);
}

int cli_start_attached(struct engine *e, const char *id, bool interactive, bool tty,
                       const char *detach_keys, bool sig_proxy, int64_t since, int *ret_code)
{
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_ctr_record_ struct ctr_record *r = NULL;
        if (!interactive && !tty) {
                /* The log is held open from before the start: `run --rm`'s cleanup may remove
                 * the container, log and all, before this process gets to read it. */
                _cleanup_(log_tail_freep) struct log_tail *held = NULL;
                if (!tty && ctr_get_by_id(e->db, id, &r, NULL) >= 0)
                        (void) engine_log_hold(e, r, &held, NULL);
                if (engine_start(e, id, &(struct engine_start_opts){ 0 }, &err) < 0)
                        return cli_engine_fail(err);
                return cli_follow_output(e, id, interactive, tty, detach_keys, sig_proxy, since,
                                         held, ret_code);
        }
        /* Attach before the container starts, so that nothing it prints first is lost:
         * create it in the runtime (init), connect, then start it. */
        if (engine_get(e, id, &r, &err) < 0)
                return cli_fail(125, err);
        bool fresh = r->state != CTR_STATE_RUNNING && r->state != CTR_STATE_PAUSED &&
                     r->state != CTR_STATE_INITIALIZED;
        if (fresh && engine_init(e, id, &err) < 0)
                return cli_engine_fail(err);
        _cleanup_free_ char *sock_path = engine_path(e, id, "attach");
        _cleanup_close_ int sock = sock_path ? attach_client_connect(sock_path, NULL) : -1;
        if (engine_start(e, id, &(struct engine_start_opts){ 0 }, &err) < 0)
                return cli_engine_fail(err);
        if (sock < 0)
                return cli_follow_output(e, id, interactive, tty, detach_keys, sig_proxy, since,
                                         NULL, ret_code);
        return cli_attach_relay(e, id, sock, interactive, tty, detach_keys, sig_proxy, ret_code);
}
