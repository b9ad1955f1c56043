/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /run/.containerenv (empty, or with --privileged podman's fields: engine, name, id, image,
 * imageid, rootless) and /etc/localtime for --tz (a zone of /usr/share/zoneinfo, or
 * "local": the host's /etc/localtime), as the seed's makeBindMounts() makes them.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/bind-internal.h"
#include "util/fileio.h"
#include "util/json.h"

/* Go's %q for the strings we write (printable ASCII kept, the rest escaped). */
static int quote(FILE *f, const char *s)
{
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                if (*p == '"' || *p == '\\')
                        fprintf(f, "\\%c", *p);
                else if (*p == '\n')
                        fputs("\\n", f);
                else if (*p == '\t')
                        fputs("\\t", f);
                else if (*p < 0x20 || *p == 0x7f)
                        fprintf(f, "\\x%02x", *p);
                else
                        fputc(*p, f);
        }
        return fputc('"', f) == EOF ? -EIO : 0;
}

char *containerenv_text(json_t *c, const char *id, bool rootless, const char *version)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (!f)
                return NULL;
        if (json_is_true(json_object_get(c, "Privileged"))) {
                fprintf(f, "engine=\"cuttle-%s\"\nname=", version);
                quote(f, strempty(json_string_value(json_object_get(c, "Name"))));
                fputs("\nid=", f);
                quote(f, id);
                fputs("\nimage=", f);
                quote(f, strempty(json_string_value(json_object_get(c, "ImageName"))));
                fputs("\nimageid=", f);
                quote(f, strempty(json_string_value(json_object_get(c, "Image"))));
                fprintf(f, "\nrootless=%d\n", rootless ? 1 : 0);
        }
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

/* ------------------------------------------------------------------ --tz */

#define ZONEINFO "/usr/share/zoneinfo"

/* Whether name is a relative path without "." / ".." components (Go's LoadLocation
 * refuses the others: "time: invalid location name"). */
static bool zone_name_ok(const char *name)
{
        if (!*name || *name == '/' || strlen(name) > 255)
                return false;
        for (const char *p = name; *p;) {
                size_t n = strcspn(p, "/");
                if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
                        return false;
                p += n;
                if (*p == '/')
                        p++;
        }
        return name[strlen(name) - 1] != '/';
}

int tz_validate(const char *tz, const char *zoneroot, struct cu_error **err)
{
        if (!tz || !*tz || strcmp(tz, "local") == 0)
                return 0;
        const char *root = zoneroot ? zoneroot : ZONEINFO;
        if (!zone_name_ok(tz))
                return cu_error_setx(err, EINVAL,
                                     "running container create option: finding timezone %s: time: invalid location name",
                                     tz);
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", root, tz);
        struct stat st;
        if (stat(path, &st) < 0) {
                int e = errno;
                char msg[128];
                return cu_error_setx(err, e, "running container create option: stat %s: %s", path,
                                     bind_strerror(e, msg));
        }
        if (S_ISDIR(st.st_mode))
                return cu_error_setx(err, EISDIR,
                                     "running container create option: invalid timezone: is a directory");
        char magic[4] = { 0 };
        _cleanup_close_ int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (!S_ISREG(st.st_mode) || fd < 0 || read(fd, magic, sizeof magic) != 4 ||
            memcmp(magic, "TZif", 4) != 0)
                return cu_error_setx(err, EINVAL, "running container create option: unknown time zone %s",
                                     tz);
        return 0;
}

int tz_copy(const char *tz, const char *zoneroot, const char *bundle, struct cu_error **err)
{
        char path[PATH_MAX], real[PATH_MAX], dst[PATH_MAX];
        if (strcmp(tz, "local") == 0)
                snprintf(path, sizeof path, "/etc/localtime");
        else
                snprintf(path, sizeof path, "%s/%s", zoneroot ? zoneroot : ZONEINFO, tz);
        if (!realpath(path, real))
                return cu_error_set(err, errno, "finding %s timezone %s", tz, path);
        _cleanup_close_ int fd = open(real, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0)
                return cu_error_set(err, errno, "setting timezone: %s", real);
        if (S_ISDIR(st.st_mode))
                return cu_error_setx(err, EISDIR, "setting timezone: invalid timezone: is a directory");
        if (!S_ISREG(st.st_mode) || (uint64_t) st.st_size > BIND_FILE_MAX)
                return cu_error_setx(err, EINVAL, "setting timezone: %s is not a zone file", real);
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r = read_full_fd(fd, &data, &len);
        if (r < 0)
                return cu_error_set(err, -r, "reading %s", real);
        snprintf(dst, sizeof dst, "%s/localtime", bundle);
        return write_file_atomic(dst, data, len, 0644, err);
}
