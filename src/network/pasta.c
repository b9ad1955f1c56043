/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pasta for a container's namespace (pasta.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pasta.h"
#include "slirp.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/proc.h"
#include "util/strv.h"

static bool has_opt(char *const *v, const char *short_name, const char *long_name)
{
        for (char *const *p = v; p && *p; p++)
                if ((short_name && strcmp(*p, short_name) == 0) || strcmp(*p, long_name) == 0 ||
                    (strncmp(*p, long_name, strlen(long_name)) == 0 && (*p)[strlen(long_name)] == '='))
                        return true;
        return false;
}

char **pasta_argv(const struct port_mapping *ports, size_t n_ports, char *const *user_opts,
                  const char *netns_path, const char *pid_file, bool as_root, int *ret_err)
{
        _cleanup_strv_ char **a = NULL;
        int r = strv_extend(&a, "pasta");
        if (r >= 0)
                r = strv_extend(&a, "--config-net");
        for (size_t i = 0; i < n_ports && r >= 0; i++) {
                const struct port_mapping *m = &ports[i];
                if (m->protocols & PORT_SCTP) {
                        if (ret_err)
                                *ret_err = -EINVAL;
                        return NULL;
                }
                for (unsigned p = PORT_TCP; p <= PORT_UDP && r >= 0; p <<= 1) {
                        if (!(m->protocols & p))
                                continue;
                        char spec[160];
                        snprintf(spec, sizeof spec, "%s%s%u-%u:%u-%u", m->host_ip, *m->host_ip ? "/" : "",
                                 (unsigned) m->host_port, (unsigned) m->host_port + m->range - 1,
                                 (unsigned) m->container_port, (unsigned) m->container_port + m->range - 1);
                        r = strv_extend(&a, p == PORT_TCP ? "-t" : "-u");
                        if (r >= 0)
                                r = strv_extend(&a, spec);
                }
        }
        bool map_gw = false;
        for (char *const *p = user_opts; p && *p && r >= 0; p++) {
                if (strcmp(*p, "--map-gw") == 0) { /* podman's, not pasta's */
                        map_gw = true;
                        continue;
                }
                r = strv_extend(&a, *p);
        }
        /* what is not forwarded explicitly is not forwarded at all (podman's choice: pasta's
         * default "auto" would follow every bound port) */
        const char *none[][3] = { { "-t", "--tcp-ports" }, { "-u", "--udp-ports" },
                                  { "-T", "--tcp-ns" }, { "-U", "--udp-ns" } };
        for (size_t k = 0; k < ELEMENTSOF(none) && r >= 0; k++)
                if (!has_opt(a, none[k][0], none[k][1])) {
                        r = strv_extend(&a, none[k][0]);
                        if (r >= 0)
                                r = strv_extend(&a, "none");
                }
        if (r >= 0 && !map_gw && !has_opt(a, NULL, "--no-map-gw"))
                r = strv_extend(&a, "--no-map-gw");
        if (r >= 0 && as_root && !has_opt(a, NULL, "--runas")) {
                r = strv_extend(&a, "--runas");
                if (r >= 0)
                        r = strv_extend(&a, "0:0");
        }
        if (r >= 0 && pid_file) {
                r = strv_extend(&a, "-P");
                if (r >= 0)
                        r = strv_extend(&a, pid_file);
        }
        if (r >= 0)
                r = strv_extend(&a, "--netns");
        if (r >= 0)
                r = strv_extend(&a, netns_path);
        if (r < 0) {
                if (ret_err)
                        *ret_err = -ENOMEM;
                return NULL;
        }
        return TAKE_PTR(a);
}

/* pasta's output without the lines about a missing syslog (a container host often has
 * none), trimmed. */
static void clean_output(char *text)
{
        char *w = text;
        for (char *line = text; line && *line;) {
                char *nl = strchr(line, '\n');
                size_t len = nl ? (size_t) (nl - line) + 1 : strlen(line);
                if (strncmp(line, "Failed to send ", 15) != 0 || !strstr(line, "to syslog")) {
                        memmove(w, line, len);
                        w += len;
                }
                line += len;
        }
        *w = '\0';
        char *usage = strstr(text, "\nUsage:"); /* after a bad option: its whole help */
        if (usage)
                *(w = usage) = '\0';
        while (w > text && (w[-1] == '\n' || w[-1] == ' '))
                *--w = '\0';
}

int pasta_start(const struct pasta_start_opts *o, struct cu_error **err)
{
        _cleanup_free_ char *dir = net_helper_dir(o->runroot);
        _cleanup_free_ char *pidf = NULL, *outf = NULL;
        if (!dir || asprintf(&pidf, "%s/%s.pasta", dir, o->container_id) < 0 ||
            asprintf(&outf, "%s/%s.log", dir, o->container_id) < 0)
                return cu_error_set(err, ENOMEM, "pasta");
        int r = mkdir_p(dir, 0700);
        if (r < 0)
                return cu_error_set(err, -r, "creating %s", dir);
        (void) unlink(pidf);
        int e = 0;
        _cleanup_strv_ char **argv = pasta_argv(o->ports, o->n_ports, o->user_opts, o->netns_path, pidf,
                                                geteuid() == 0, &e);
        if (!argv)
                return e == -EINVAL ? cu_error_setx(err, EINVAL, "can't forward protocol: sctp")
                                    : cu_error_set(err, ENOMEM, "pasta command line");
        _cleanup_free_ char *line = strv_join(argv, " ");
        log_debug("pasta arguments: %s", strempty(line));
        _cleanup_close_ int out = open(outf, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (out < 0)
                return cu_error_set(err, errno, "creating %s", outf);
        pid_t pid = fork();
        if (pid < 0)
                return cu_error_set(err, errno, "fork");
        if (pid == 0) {
                int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
                        _exit(126);
                sigset_t none;
                sigemptyset(&none);
                (void) sigprocmask(SIG_SETMASK, &none, NULL);
                (void) setsid(); /* its background part must not get the terminal's signals */
                execvp(argv[0], argv);
                _exit(127);
        }
        int code = wait_for_pid(pid);
        _cleanup_free_ char *text = NULL;
        (void) read_full_file(outf, &text, NULL, NULL);
        if (text)
                clean_output(text);
        (void) unlink(outf);
        if (code == 127)
                return cu_error_setx(err, ENOENT, "could not find pasta, the network namespace can't be configured: "
                                                  "executable file not found in $PATH");
        if (code != 0) {
                (void) unlink(pidf);
                return cu_error_setx(err, EIO, "pasta failed with exit code %d:\n%s", code, strempty(text));
        }
        /* its pid file → ours (with the start time: the pid is checked before a kill) */
        _cleanup_free_ char *pt = NULL;
        int hp = 0;
        if (read_full_file(pidf, &pt, NULL, NULL) < 0 || sscanf(pt, "%d", &hp) != 1 || hp <= 0) {
                (void) unlink(pidf);
                return cu_error_setx(err, EIO, "pasta did not write its pid file %s", pidf);
        }
        (void) unlink(pidf);
        r = net_helper_write_pid(o->runroot, o->container_id, hp, err);
        if (r >= 0)
                r = net_helper_save_ports(o->runroot, o->container_id, o->ports, o->n_ports, err);
        if (r < 0) {
                if (net_helper_pid(o->runroot, o->container_id) != hp)
                        (void) kill(hp, SIGTERM);
                (void) net_helper_stop(o->runroot, o->container_id, NULL);
        }
        return r;
}
