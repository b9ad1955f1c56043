/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cidr.h"
#include "resolvconf.h"
#include "util/fileio.h"
#include "util/strv.h"

void resolvconf_done(struct resolv_conf *rc)
{
        rc->nameservers = strv_free(rc->nameservers);
        rc->search = strv_free(rc->search);
        rc->options = strv_free(rc->options);
}

int resolvconf_parse(const char *text, struct resolv_conf *ret, struct cu_error **err)
{
        struct resolv_conf rc = { 0 };
        const char *p = text ? text : "";
        int r = 0;
        while (*p && r >= 0) {
                const char *eol = strchrnul(p, '\n');
                _cleanup_free_ char *line = strndup(p, (size_t) (eol - p));
                p = *eol ? eol + 1 : eol;
                if (!line) {
                        r = -ENOMEM;
                        break;
                }
                line[strcspn(line, "#;")] = '\0';
                _cleanup_strv_ char **f = strv_split(line, " \t\r");
                if (!f) {
                        r = -ENOMEM;
                        break;
                }
                if (!f[0] || !f[1])
                        continue;
                if (strcmp(f[0], "nameserver") == 0) {
                        r = strv_extend(&rc.nameservers, f[1]);
                } else if (strcmp(f[0], "search") == 0 || strcmp(f[0], "domain") == 0) {
                        /* the last search/domain line wins (resolver(5)) */
                        rc.search = strv_free(rc.search);
                        for (size_t i = 1; f[i] && r >= 0; i++)
                                r = strv_extend(&rc.search, f[i]);
                } else if (strcmp(f[0], "options") == 0) {
                        for (size_t i = 1; f[i] && r >= 0; i++)
                                r = strv_extend(&rc.options, f[i]);
                }
        }
        if (r < 0) {
                resolvconf_done(&rc);
                return cu_error_set(err, -r, "parsing resolv.conf");
        }
        *ret = rc;
        return 0;
}

static bool is_loopback(const char *s)
{
        struct cu_ip ip;
        if (cu_ip_parse(s, &ip, NULL) < 0)
                return false;
        if (ip.family == AF_INET)
                return ip.a[0] == 127;
        static const uint8_t lo6[16] = { [15] = 1 };
        return memcmp(ip.a, lo6, 16) == 0;
}

static bool is_ipv6(const char *s)
{
        return strchr(s, ':') != NULL;
}

int resolvconf_build(const struct resolvconf_params *p, char **ret, struct cu_error **err)
{
        struct resolv_conf host = { 0 };
        int r = resolvconf_parse(p->host_text, &host, err);
        if (r < 0)
                return r;
        _cleanup_strv_ char **ns = NULL;
        for (size_t i = 0; p->nameservers && p->nameservers[i] && r >= 0; i++) {
                struct cu_ip ip;
                if (cu_ip_parse(p->nameservers[i], &ip, NULL) < 0) {
                        resolvconf_done(&host);
                        return cu_error_setx(err, EINVAL, "%s is not an ip address", p->nameservers[i]);
                }
                r = strv_extend(&ns, p->nameservers[i]);
        }
        if (!p->nameservers || !p->nameservers[0]) {
                for (size_t i = 0; p->network_servers && p->network_servers[i] && r >= 0; i++)
                        r = strv_extend(&ns, p->network_servers[i]);
                for (size_t i = 0; host.nameservers && host.nameservers[i] && r >= 0; i++) {
                        const char *s = host.nameservers[i];
                        if (is_loopback(s) || (is_ipv6(s) && !p->ipv6) || strv_contains(ns, s))
                                continue;
                        r = strv_extend(&ns, s);
                }
                if (r >= 0 && !ns) {
                        r = strv_extend(&ns, "8.8.8.8");
                        if (r >= 0)
                                r = strv_extend(&ns, "8.8.4.4");
                        if (r >= 0 && p->ipv6)
                                r = strv_extend(&ns, "2001:4860:4860::8888");
                        if (r >= 0 && p->ipv6)
                                r = strv_extend(&ns, "2001:4860:4860::8844");
                }
        }
        char *out = NULL;
        size_t len = 0;
        FILE *f = r >= 0 ? open_memstream(&out, &len) : NULL;
        if (!f) {
                resolvconf_done(&host);
                return cu_error_set(err, ENOMEM, "building resolv.conf");
        }
        char *const *search = p->search && p->search[0] ? p->search : host.search;
        if (search && search[0] && strcmp(search[0], ".") != 0) {
                fputs("search", f);
                for (size_t i = 0; search[i]; i++)
                        fprintf(f, " %s", search[i]);
                fputc('\n', f);
        }
        for (size_t i = 0; ns && ns[i]; i++)
                fprintf(f, "nameserver %s\n", ns[i]);
        size_t nopt = strv_length(host.options) + strv_length(p->options);
        if (nopt) {
                fputs("options", f);
                for (size_t i = 0; host.options && host.options[i]; i++)
                        fprintf(f, " %s", host.options[i]);
                for (size_t i = 0; p->options && p->options[i]; i++)
                        fprintf(f, " %s", p->options[i]);
                fputc('\n', f);
        }
        resolvconf_done(&host);
        if (fclose(f) != 0) {
                free(out);
                return -ENOMEM;
        }
        *ret = out;
        return 0;
}

int resolvconf_read_host(char **ret, struct cu_error **err)
{
        _cleanup_free_ char *text = NULL;
        int r = read_full_file("/etc/resolv.conf", &text, NULL, NULL);
        if (r < 0) {
                /* no resolv.conf on the host: the defaults apply */
                text = strdup("");
                if (!text)
                        return -ENOMEM;
        }
        struct resolv_conf rc = { 0 };
        r = resolvconf_parse(text, &rc, err);
        if (r < 0)
                return r;
        bool resolved = rc.nameservers && strv_length(rc.nameservers) == 1 &&
                        strcmp(rc.nameservers[0], "127.0.0.53") == 0;
        resolvconf_done(&rc);
        if (resolved) {
                char *up = NULL;
                if (read_full_file("/run/systemd/resolve/resolv.conf", &up, NULL, NULL) >= 0) {
                        *ret = up;
                        return 0;
                }
        }
        *ret = TAKE_PTR(text);
        return 0;
}
