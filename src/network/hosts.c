/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "cidr.h"
#include "hosts.h"
#include "util/fileio.h"
#include "util/strv.h"

void hosts_entries_free(struct hosts_entry *v, size_t n)
{
        for (size_t i = 0; v && i < n; i++) {
                free(v[i].ip);
                strv_free(v[i].names);
        }
        free(v);
}

static int push_entry(struct hosts_entry **v, size_t *n, char *ip, char **names)
{
        struct hosts_entry *nv = realloc(*v, (*n + 1) * sizeof(**v));
        if (!nv) {
                free(ip);
                strv_free(names);
                return -ENOMEM;
        }
        nv[(*n)++] = (struct hosts_entry) { ip, names };
        *v = nv;
        return 0;
}

int hosts_parse(const char *text, struct hosts_entry **ret, size_t *n, struct cu_error **err)
{
        struct hosts_entry *v = NULL;
        size_t k = 0;
        const char *p = text ? text : "";
        while (*p) {
                const char *eol = strchrnul(p, '\n');
                _cleanup_free_ char *line = strndup(p, (size_t) (eol - p));
                p = *eol ? eol + 1 : eol;
                if (!line) {
                        hosts_entries_free(v, k);
                        return -ENOMEM;
                }
                char *hash = strchr(line, '#');
                if (hash)
                        *hash = '\0';
                char **f = strv_split(line, " \t\r");
                if (!f) {
                        hosts_entries_free(v, k);
                        return -ENOMEM;
                }
                if (strv_length(f) < 2) {
                        strv_free(f);
                        continue;
                }
                char *ip = f[0];
                memmove(f, f + 1, strv_length(f) * sizeof(char *));
                if (push_entry(&v, &k, ip, f) < 0) {
                        hosts_entries_free(v, k);
                        return cu_error_set(err, ENOMEM, "parsing hosts");
                }
        }
        *ret = v;
        *n = k;
        return 0;
}

static bool has_name(const struct hosts_entry *v, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (strv_contains(v[i].names, name))
                        return true;
        return false;
}

static void put_entry(FILE *f, const char *ip, char *const *names)
{
        if (!names || !names[0])
                return;
        fprintf(f, "%s\t", ip);
        for (size_t i = 0; names[i]; i++)
                fprintf(f, "%s%s", i ? " " : "", names[i]);
        fputc('\n', f);
}

static void put_peers(FILE *f, const struct hosts_entry *peers, size_t n)
{
        fprintf(f, "%s\n", HOSTS_PEERS_MARKER);
        for (size_t i = 0; i < n; i++)
                put_entry(f, peers[i].ip, peers[i].names);
}

int hosts_build(const struct hosts_params *p, char **ret, struct cu_error **err)
{
        struct hosts_entry *base = NULL;
        size_t nbase = 0;
        int r = hosts_parse(p->base, &base, &nbase, err);
        if (r < 0)
                return r;
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        if (!f) {
                hosts_entries_free(base, nbase);
                return -ENOMEM;
        }
        for (size_t i = 0; p->extra_hosts && p->extra_hosts[i]; i++) {
                const char *e = p->extra_hosts[i];
                const char *sep = strchr(e, '=');
                if (!sep)
                        sep = strchr(e, ':');
                struct cu_ip ip;
                if (!sep || sep == e || cu_ip_parse(sep + 1, &ip, NULL) < 0) {
                        fclose(f);
                        free(out);
                        hosts_entries_free(base, nbase);
                        return cu_error_setx(err, EINVAL, "invalid IP address in add-host: \"%s\"",
                                             sep ? sep + 1 : e);
                }
                fprintf(f, "%s\t%.*s\n", sep + 1, (int) (sep - e), e);
        }
        for (size_t i = 0; i < nbase; i++)
                put_entry(f, base[i].ip, base[i].names);
        if (!has_name(base, nbase, "localhost")) {
                fputs("127.0.0.1\tlocalhost\n", f);
                fputs("::1\tlocalhost\n", f);
        }
        if (p->host_internal_ip && !has_name(base, nbase, "host.containers.internal"))
                fprintf(f, "%s\thost.containers.internal\n", p->host_internal_ip);
        for (size_t i = 0; i < p->n_self; i++)
                put_entry(f, p->self[i].ip, p->self[i].names);
        hosts_entries_free(base, nbase);
        put_peers(f, p->peers, p->n_peers);
        if (fclose(f) != 0) {
                free(out);
                return -ENOMEM;
        }
        *ret = out;
        return 0;
}

int hosts_write_peers(const char *path, const struct hosts_entry *peers, size_t n,
                      struct cu_error **err)
{
        _cleanup_close_ int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return cu_error_set(err, errno, "opening %s", path);
        if (flock(fd, LOCK_EX) < 0)
                return cu_error_set(err, errno, "locking %s", path);
        _cleanup_free_ char *old = NULL;
        size_t oldlen = 0;
        int r = read_full_fd(fd, &old, &oldlen);
        if (r < 0)
                return cu_error_set(err, -r, "reading %s", path);
        /* keep everything before the marker line */
        size_t keep = oldlen;
        for (const char *m = old; (m = strstr(m, HOSTS_PEERS_MARKER)); m++)
                if (m == old || m[-1] == '\n') {
                        keep = (size_t) (m - old);
                        break;
                }
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        if (!f)
                return -ENOMEM;
        fwrite(old, 1, keep, f);
        if (keep && old[keep - 1] != '\n')
                fputc('\n', f);
        put_peers(f, peers, n);
        if (fclose(f) != 0) {
                free(out);
                return -ENOMEM;
        }
        /* In place: the file is bind-mounted into the container by inode.  New bytes first,
         * then the length, so that a reader never sees an empty file. */
        ssize_t w = pwrite(fd, out, len, 0);
        int e = errno;
        free(out);
        if (w < 0 || (size_t) w != len)
                return cu_error_set(err, w < 0 ? e : EIO, "writing %s", path);
        if (ftruncate(fd, (off_t) len) < 0)
                return cu_error_set(err, errno, "truncating %s", path);
        return 0;
}

int hosts_sync_peers(const struct hosts_peer *peers, size_t n, struct cu_error **err)
{
        struct hosts_entry *v = calloc(n ? n : 1, sizeof(*v));
        if (!v)
                return -ENOMEM;
        int ret = 0;
        for (size_t i = 0; i < n; i++) {
                if (!peers[i].path)
                        continue;
                size_t k = 0;
                for (size_t j = 0; j < n; j++)
                        if (j != i && peers[j].ip)
                                v[k++] = (struct hosts_entry) { (char *) peers[j].ip, peers[j].names };
                _cleanup_error_ struct cu_error *e = NULL;
                int r = hosts_write_peers(peers[i].path, v, k, &e);
                /* a container whose files are gone (being removed) is not an error for the others */
                if (r < 0 && r != -ENOENT && ret == 0) {
                        ret = r;
                        if (err && !*err)
                                *err = TAKE_PTR(e);
                }
        }
        free(v);
        return ret;
}
