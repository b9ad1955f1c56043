/* SPDX-License-Identifier: GPL-2.0-or-later */
/* slirp4netns for a container's namespace (slirp.h), and the helper-process files that
 * slirp4netns and pasta share. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "slirp.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/proc.h"
#include "util/strv.h"

#define SLIRP_DEFAULT_CIDR "10.0.2.0/24"
#define SLIRP_READY_TIMEOUT_MS 10000

/* ------------------------------------------------------------------ options */

void slirp_opts_default(struct slirp_opts *o)
{
        *o = (struct slirp_opts) { .enable_ipv6 = true, .mtu = 65520 };
}

static int parse_bool(const char *v, bool *ret)
{
        if (strcmp(v, "true") == 0)
                *ret = true;
        else if (strcmp(v, "false") == 0)
                *ret = false;
        else
                return -EINVAL;
        return 0;
}

/* An address of the family, or the name of an interface of the host. */
static bool addr_or_interface(const char *v, int family)
{
        struct cu_ip ip;
        if (cu_ip_parse(v, &ip, NULL) >= 0)
                return ip.family == family;
        return *v && strlen(v) < IF_NAMESIZE && if_nametoindex(v) > 0;
}

int slirp_opts_parse(char *const *opts, struct slirp_opts *o, struct cu_error **err)
{
        for (char *const *p = opts; p && *p; p++) {
                const char *eq = strchr(*p, '=');
                if (!eq)
                        return cu_error_setx(err, EINVAL, "unknown option for slirp4netns: \"%s\"", *p);
                size_t kl = (size_t) (eq - *p);
                const char *v = eq + 1;
#define KEY(k) (kl == strlen(k) && strncmp(*p, k, kl) == 0)
                if (KEY("cidr")) {
                        struct cu_cidr c;
                        if (cu_cidr_parse(v, &c, NULL, NULL) < 0 || c.ip.family != AF_INET ||
                            strlen(v) >= sizeof o->cidr)
                                return cu_error_setx(err, EINVAL, "invalid cidr \"%s\"", v);
                        snprintf(o->cidr, sizeof o->cidr, "%s", v);
                } else if (KEY("port_handler")) {
                        if (strcmp(v, "slirp4netns") == 0)
                                o->rootlesskit = false;
                        else if (strcmp(v, "rootlesskit") == 0)
                                o->rootlesskit = true;
                        else
                                return cu_error_setx(err, EINVAL, "unknown port_handler for slirp4netns: \"%s\"", v);
                } else if (KEY("allow_host_loopback")) {
                        if (parse_bool(v, &o->allow_host_loopback) < 0)
                                return cu_error_setx(err, EINVAL,
                                                     "invalid value of allow_host_loopback for slirp4netns: \"%s\"", v);
                } else if (KEY("enable_ipv6")) {
                        if (parse_bool(v, &o->enable_ipv6) < 0)
                                return cu_error_setx(err, EINVAL, "invalid value of enable_ipv6 for slirp4netns: \"%s\"",
                                                     v);
                } else if (KEY("outbound_addr")) {
                        if (!addr_or_interface(v, AF_INET) || strlen(v) >= sizeof o->outbound_addr)
                                return cu_error_setx(err, EINVAL, "invalid outbound_addr \"%s\"", v);
                        snprintf(o->outbound_addr, sizeof o->outbound_addr, "%s", v);
                } else if (KEY("outbound_addr6")) {
                        if (!addr_or_interface(v, AF_INET6) || strlen(v) >= sizeof o->outbound_addr6)
                                return cu_error_setx(err, EINVAL, "invalid outbound_addr6: \"%s\"", v);
                        snprintf(o->outbound_addr6, sizeof o->outbound_addr6, "%s", v);
                } else if (KEY("mtu")) {
                        int mtu = 0;
                        if (safe_atoi(v, &mtu) < 0 || mtu < 68)
                                return cu_error_setx(err, EINVAL, "invalid mtu \"%s\"", v);
                        o->mtu = mtu;
                } else {
                        return cu_error_setx(err, EINVAL, "unknown option for slirp4netns: \"%s\"", *p);
                }
#undef KEY
        }
        return 0;
}

int slirp_addresses(const struct slirp_opts *o, struct cu_ip *ret_ip, struct cu_ip *ret_gw,
                    struct cu_ip *ret_dns, unsigned *ret_prefix, struct cu_error **err)
{
        const char *s = *o->cidr ? o->cidr : SLIRP_DEFAULT_CIDR;
        struct cu_cidr c;
        struct cu_ip ip, gw, dns;
        int r = cu_cidr_parse(s, &c, NULL, err);
        if (r < 0)
                return r;
        if (cu_cidr_nth(&c, 100, &ip) < 0 || cu_cidr_nth(&c, 2, &gw) < 0 || cu_cidr_nth(&c, 3, &dns) < 0)
                return cu_error_setx(err, EINVAL, "invalid cidr \"%s\": too small for slirp4netns", s);
        if (ret_ip)
                *ret_ip = ip;
        if (ret_gw)
                *ret_gw = gw;
        if (ret_dns)
                *ret_dns = dns;
        if (ret_prefix)
                *ret_prefix = c.prefix;
        return 0;
}

bool slirp_host_ip(char buf[static CU_IP_STRLEN])
{
        struct ifaddrs *ifa = NULL;
        bool found = false;
        if (getifaddrs(&ifa) < 0)
                return false;
        for (struct ifaddrs *i = ifa; i && !found; i = i->ifa_next) {
                if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || (i->ifa_flags & IFF_LOOPBACK) ||
                    !(i->ifa_flags & IFF_UP))
                        continue;
                found = inet_ntop(AF_INET, &((struct sockaddr_in *) i->ifa_addr)->sin_addr, buf,
                                  CU_IP_STRLEN) != NULL;
        }
        freeifaddrs(ifa);
        return found;
}

char **slirp_argv(const struct slirp_opts *o, int exit_fd, int ready_fd, const char *api_socket,
                  const char *netns_path)
{
        _cleanup_strv_ char **a = NULL;
        char buf[256];
        int r = strv_extend(&a, "slirp4netns");
        if (r >= 0 && !o->allow_host_loopback)
                r = strv_extend(&a, "--disable-host-loopback");
        snprintf(buf, sizeof buf, "--mtu=%d", o->mtu > 0 ? o->mtu : 65520);
        if (r >= 0)
                r = strv_extend(&a, buf);
        if (r >= 0)
                r = strv_extend(&a, "--enable-sandbox");
        if (r >= 0)
                r = strv_extend(&a, "--enable-seccomp");
        if (r >= 0 && *o->cidr) {
                snprintf(buf, sizeof buf, "--cidr=%s", o->cidr);
                r = strv_extend(&a, buf);
        }
        if (r >= 0 && o->enable_ipv6)
                r = strv_extend(&a, "--enable-ipv6");
        if (r >= 0 && *o->outbound_addr) {
                snprintf(buf, sizeof buf, "--outbound-addr=%s", o->outbound_addr);
                r = strv_extend(&a, buf);
        }
        if (r >= 0 && *o->outbound_addr6) {
                snprintf(buf, sizeof buf, "--outbound-addr6=%s", o->outbound_addr6);
                r = strv_extend(&a, buf);
        }
        if (r >= 0 && api_socket) {
                r = strv_extend(&a, "--api-socket");
                if (r >= 0)
                        r = strv_extend(&a, api_socket);
        }
        char efd[16], rfd[16];
        snprintf(efd, sizeof efd, "%d", exit_fd);
        snprintf(rfd, sizeof rfd, "%d", ready_fd);
        const char *tail[] = { "-c", "-e", efd, "-r", rfd, "--netns-type=path", netns_path, "tap0" };
        for (size_t i = 0; i < ELEMENTSOF(tail) && r >= 0; i++)
                r = strv_extend(&a, tail[i]);
        return r < 0 ? NULL : TAKE_PTR(a);
}

char *slirp_hostfwd_request(const char *proto, const char *host_addr, unsigned host_port,
                            const char *guest_addr, unsigned guest_port)
{
        _cleanup_json_ json_t *j = json_pack("{s:s, s:{s:s, s:s, s:i, s:s, s:i}}", "execute", "add_hostfwd",
                                             "arguments", "proto", proto, "host_addr",
                                             host_addr && *host_addr ? host_addr : "0.0.0.0", "host_port",
                                             (int) host_port, "guest_addr", guest_addr, "guest_port",
                                             (int) guest_port);
        return j ? json_dumps(j, JSON_COMPACT) : NULL;
}

int slirp_hostfwd_reply(const char *text, struct cu_error **err)
{
        _cleanup_json_ json_t *j = json_loads(text ? text : "", 0, NULL);
        if (!j || !json_is_object(j))
                return cu_error_setx(err, EIO, "slirp4netns: unexpected reply to add_hostfwd: %s", strempty(text));
        json_t *e = json_object_get(j, "error");
        if (e) {
                const char *d = json_string_value(json_object_get(e, "desc"));
                return cu_error_setx(err, EIO, "%s", d ? d : "slirp4netns failed to add the port forward");
        }
        if (!json_object_get(j, "return"))
                return cu_error_setx(err, EIO, "slirp4netns: unexpected reply to add_hostfwd: %s", text);
        return 0;
}

/* ------------------------------------------------------------------ helper files */

char *net_helper_dir(const char *runroot)
{
        char *p = NULL;
        return asprintf(&p, "%s/nethelper", runroot) < 0 ? NULL : p;
}

static char *helper_file(const char *runroot, const char *id, const char *suffix)
{
        char *p = NULL;
        return asprintf(&p, "%s/nethelper/%s%s", runroot, id, suffix) < 0 ? NULL : p;
}

int net_helper_write_pid(const char *runroot, const char *id, int pid, struct cu_error **err)
{
        uint64_t start = 0;
        if (proc_start_time(pid, &start) < 0)
                return cu_error_setx(err, ESRCH, "the network helper of %.12s (pid %d) is gone", id, pid);
        _cleanup_free_ char *p = helper_file(runroot, id, ".pid");
        char text[64];
        int n = snprintf(text, sizeof text, "%d %llu\n", pid, (unsigned long long) start);
        if (!p)
                return -ENOMEM;
        return write_file_atomic(p, text, (size_t) n, 0600, err);
}

int net_helper_pid(const char *runroot, const char *id)
{
        _cleanup_free_ char *p = helper_file(runroot, id, ".pid");
        _cleanup_free_ char *text = NULL;
        if (!p || read_full_file(p, &text, NULL, NULL) < 0)
                return 0;
        int pid = 0;
        unsigned long long start = 0;
        uint64_t now = 0;
        if (sscanf(text, "%d %llu", &pid, &start) != 2 || pid <= 0)
                return 0;
        if (proc_start_time(pid, &now) < 0 || now != start)
                return 0;
        char st = 0;
        if (proc_state(pid, &st) >= 0 && (st == 'Z' || st == 'X'))
                return 0;
        return pid;
}

int net_helper_save_ports(const char *runroot, const char *id, const struct port_mapping *v,
                          size_t n, struct cu_error **err)
{
        _cleanup_free_ char *p = helper_file(runroot, id, ".ports");
        _cleanup_json_ json_t *j = ports_save_json(v, n);
        _cleanup_free_ char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
        if (!p || !text)
                return cu_error_set(err, ENOMEM, "saving the published ports");
        return write_file_atomic(p, text, strlen(text), 0600, err);
}

int net_helper_ports(const char *runroot, const char *id, struct port_mapping **ret, size_t *n,
                     struct cu_error **err)
{
        _cleanup_free_ char *p = helper_file(runroot, id, ".ports");
        _cleanup_free_ char *text = NULL;
        if (!p)
                return -ENOMEM;
        if (read_full_file(p, &text, NULL, NULL) < 0)
                return -ENOENT;
        _cleanup_json_ json_t *j = json_loads(text, 0, NULL);
        if (!j)
                return cu_error_setx(err, EBADMSG, "%s: not JSON", p);
        return ports_load_json(j, ret, n, err);
}

/* Waits (up to ms) for the process behind pidfd to end. */
static bool wait_gone(int pidfd, int ms)
{
        struct pollfd pf = { .fd = pidfd, .events = POLLIN };
        int r;
        while ((r = poll(&pf, 1, ms)) < 0 && errno == EINTR)
                ;
        return r > 0;
}

int net_helper_stop(const char *runroot, const char *id, struct cu_error **err)
{
        (void) err;
        int pid = net_helper_pid(runroot, id);
        if (pid > 0) {
                _cleanup_close_ int pidfd = sys_pidfd_open(pid, 0);
                if (pidfd >= 0 && net_helper_pid(runroot, id) == pid) { /* still the same process */
                        log_debug("stopping the network helper %d of %.12s", pid, id);
                        if (sys_pidfd_send_signal(pidfd, SIGTERM) == 0 && !wait_gone(pidfd, 2000) &&
                            sys_pidfd_send_signal(pidfd, SIGKILL) == 0)
                                (void) wait_gone(pidfd, 5000);
                } else if (pidfd < 0 && pidfd != -ESRCH) {
                        /* no pidfds (an old kernel, valgrind): checked by pid and start time */
                        for (int i = 0; i < 140 && net_helper_pid(runroot, id) == pid; i++) {
                                if (i == 0 || i == 40)
                                        (void) kill(pid, i == 0 ? SIGTERM : SIGKILL);
                                (void) usleep(50 * 1000);
                        }
                }
        }
        const char *suffixes[] = { ".pid", ".log", ".ports" };
        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
                _cleanup_free_ char *p = helper_file(runroot, id, suffixes[i]);
                if (p)
                        (void) unlink(p);
        }
        char *p = NULL;
        if (asprintf(&p, "%s/nethelper/s-%.12s.sock", runroot, id) >= 0) {
                (void) unlink(p);
                free(p);
        }
        _cleanup_free_ char *dir = net_helper_dir(runroot);
        if (dir)
                (void) rmdir(dir); /* when it is empty */
        return 0;
}

/* ------------------------------------------------------------------ start */

/* Tail of the helper's log, for an error message (malloc'd, may be ""). */
static char *log_tail(const char *runroot, const char *id)
{
        _cleanup_free_ char *p = helper_file(runroot, id, ".log");
        char *text = NULL;
        if (!p || read_full_file(p, &text, NULL, NULL) < 0)
                return strdup("");
        size_t n = strlen(text);
        while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
                text[--n] = '\0';
        /* the last lines are the reason */
        const char *t = text;
        if (n > 400)
                t = text + n - 400;
        char *dup = strdup(t);
        free(text);
        return dup;
}

/* The detached child: its own session, parent init (the intermediate exits), fds 0-4 set. */
static void _noreturn_ exec_detached(char **argv, int dirfd, int exit_r, int ready_w, int logfd)
{
        int fds[] = { exit_r, ready_w, logfd, dirfd };
        for (size_t i = 0; i < ELEMENTSOF(fds); i++) { /* out of the way of 0-4 */
                fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 10);
                if (fds[i] < 0)
                        _exit(126);
        }
        int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (null < 0 || dup2(null, 0) < 0 || dup2(fds[2], 1) < 0 || dup2(fds[2], 2) < 0 ||
            (exit_r >= 0 && dup2(fds[0], 3) < 0) || dup2(fds[1], 4) < 0 || fchdir(fds[3]) < 0)
                _exit(126);
        sigset_t none;
        sigemptyset(&none);
        (void) sigprocmask(SIG_SETMASK, &none, NULL);
        for (int s = 1; s < NSIG; s++)
                (void) signal(s, SIG_DFL);
        execvp(argv[0], argv);
        _exit(127);
}

/* Forks, in a child that forks again (the program's parent becomes init), and returns the
 * program's pid or -errno. */
static int spawn_detached(char **argv, int dirfd, int exit_r, int ready_w, int logfd,
                          struct cu_error **err)
{
        int pp[2];
        if (pipe2(pp, O_CLOEXEC) < 0)
                return cu_error_set(err, errno, "pipe");
        _cleanup_close_ int rd = pp[0];
        _cleanup_close_ int wr = pp[1];
        pid_t mid = fork();
        if (mid < 0)
                return cu_error_set(err, errno, "fork");
        if (mid == 0) {
                (void) setsid();
                pid_t pid = fork();
                if (pid < 0)
                        _exit(1);
                if (pid == 0)
                        exec_detached(argv, dirfd, exit_r, ready_w, logfd);
                int v = (int) pid;
                _exit(write(wr, &v, sizeof v) == sizeof v ? 0 : 1);
        }
        wr = safe_close(wr);
        int code = wait_for_pid(mid);
        int pid = 0;
        if (code != 0 || read_all(rd, &pid, sizeof pid) != (ssize_t) sizeof pid || pid <= 0)
                return cu_error_setx(err, ECHILD, "starting %s failed", argv[0]);
        return pid;
}

/* Sends one API request, returns the reply text (malloc'd). */
static int api_call(int dirfd, const char *sock_name, const char *req, char **ret, struct cu_error **err)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        snprintf(sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d/%s", dirfd, sock_name);
        _cleanup_close_ int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return cu_error_set(err, errno, "socket");
        if (connect(s, (struct sockaddr *) &sa, sizeof sa) < 0)
                return cu_error_set(err, errno, "connecting to the slirp4netns API socket");
        if (write_all(s, req, strlen(req)) < 0 || shutdown(s, SHUT_WR) < 0)
                return cu_error_set(err, errno, "writing to the slirp4netns API socket");
        struct pollfd pf = { .fd = s, .events = POLLIN };
        if (poll(&pf, 1, 5000) <= 0)
                return cu_error_setx(err, ETIMEDOUT, "slirp4netns did not answer on its API socket");
        if (read_full_fd(s, ret, NULL) < 0)
                return cu_error_set(err, errno ? errno : EIO, "reading from the slirp4netns API socket");
        return 0;
}

static int add_forwards(const struct slirp_start_opts *o, int dirfd, const char *sock_name,
                        struct cu_error **err)
{
        struct cu_ip ip;
        char guest[CU_IP_STRLEN];
        int r = slirp_addresses(o->opts, &ip, NULL, NULL, NULL, err);
        if (r < 0)
                return r;
        cu_ip_format(&ip, guest);
        for (size_t i = 0; i < o->n_ports; i++) {
                const struct port_mapping *m = &o->ports[i];
                if (m->protocols & PORT_SCTP)
                        return cu_error_setx(err, EINVAL, "slirp4netns cannot forward sctp ports");
                for (unsigned p = PORT_TCP; p <= PORT_UDP; p <<= 1) {
                        if (!(m->protocols & p))
                                continue;
                        for (unsigned k = 0; k < m->range; k++) {
                                _cleanup_free_ char *req = slirp_hostfwd_request(
                                        ports_proto_name(p), m->host_ip, m->host_port + k, guest,
                                        m->container_port + k);
                                _cleanup_free_ char *reply = NULL;
                                if (!req)
                                        return -ENOMEM;
                                if ((r = api_call(dirfd, sock_name, req, &reply, err)) < 0 ||
                                    (r = slirp_hostfwd_reply(reply, err)) < 0)
                                        return cu_error_prefix(err, r, "publishing port %u/%s",
                                                               m->host_port + k, ports_proto_name(p));
                        }
                }
        }
        return 0;
}

/* Waits for slirp4netns's "1" on the ready fd, or its end. */
static int wait_ready(int ready_r, int pid, const char *runroot, const char *id, struct cu_error **err)
{
        _cleanup_close_ int pidfd = sys_pidfd_open(pid, 0);
        struct pollfd pf[2] = { { .fd = ready_r, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
        int r;
        while ((r = poll(pf, pidfd >= 0 ? 2 : 1, SLIRP_READY_TIMEOUT_MS)) < 0 && errno == EINTR)
                ;
        char c = 0;
        if (r > 0 && (pf[0].revents & POLLIN) && read(ready_r, &c, 1) == 1 && c == '1')
                return 0;
        if (r > 0 && pidfd >= 0 && !(pf[1].revents & POLLIN))
                (void) wait_gone(pidfd, 500); /* ready fd closed: let it finish its error */
        _cleanup_free_ char *why = log_tail(runroot, id);
        if (r == 0)
                return cu_error_setx(err, ETIMEDOUT, "slirp4netns did not configure the network in time%s%s",
                                     why && *why ? ": " : "", why ? why : "");
        return cu_error_setx(err, EIO, "slirp4netns failed%s%s", why && *why ? ": " : "", why ? why : "");
}

int slirp_start(const struct slirp_start_opts *o, int *ret_exit_fd, struct cu_error **err)
{
        _cleanup_free_ char *dir = net_helper_dir(o->runroot);
        _cleanup_free_ char *logname = NULL;
        char sock_name[32];
        snprintf(sock_name, sizeof sock_name, "s-%.12s.sock", o->container_id);
        if (!dir || asprintf(&logname, "%s.log", o->container_id) < 0)
                return cu_error_set(err, ENOMEM, "slirp4netns");
        int r = mkdir_p(dir, 0700);
        if (r < 0)
                return cu_error_set(err, -r, "creating %s", dir);
        _cleanup_close_ int dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0)
                return cu_error_set(err, errno, "opening %s", dir);
        (void) unlinkat(dirfd, sock_name, 0);
        _cleanup_close_ int logfd = openat(dirfd, logname, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (logfd < 0)
                return cu_error_set(err, errno, "creating %s/%s", dir, logname);
        int ep[2], rp[2];
        if (pipe2(ep, O_CLOEXEC) < 0)
                return cu_error_set(err, errno, "pipe");
        _cleanup_close_ int exit_r = ep[0];
        _cleanup_close_ int exit_w = ep[1];
        if (pipe2(rp, O_CLOEXEC) < 0)
                return cu_error_set(err, errno, "pipe");
        _cleanup_close_ int ready_r = rp[0];
        _cleanup_close_ int ready_w = rp[1];
        _cleanup_strv_ char **argv = slirp_argv(o->opts, 3, 4, sock_name, o->netns_path);
        if (!argv)
                return cu_error_set(err, ENOMEM, "slirp4netns command line");
        if (log_get_level() <= LOG_LEVEL_DEBUG) {
                _cleanup_free_ char *line = strv_join(argv, " ");
                log_debug("running %s", strempty(line));
        }
        int pid = spawn_detached(argv, dirfd, exit_r, ready_w, logfd, err);
        if (pid < 0)
                return pid;
        exit_r = safe_close(exit_r);
        ready_w = safe_close(ready_w);
        r = net_helper_write_pid(o->runroot, o->container_id, pid, err);
        if (r >= 0)
                r = wait_ready(ready_r, pid, o->runroot, o->container_id, err);
        if (r >= 0 && o->n_ports > 0)
                r = add_forwards(o, dirfd, sock_name, err);
        if (r >= 0)
                r = net_helper_save_ports(o->runroot, o->container_id, o->ports, o->n_ports, err);
        if (r < 0) {
                if (net_helper_pid(o->runroot, o->container_id) != pid) /* no pid file: kill it */
                        (void) kill(pid, SIGKILL);
                (void) net_helper_stop(o->runroot, o->container_id, NULL);
                return r;
        }
        *ret_exit_fd = TAKE_FD(exit_w);
        return 0;
}
