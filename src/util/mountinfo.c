/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/mountinfo.h"

/* Decodes the kernel's \ooo escapes in place. */
static void unescape_octal(char *s)
{
        char *w = s;
        for (char *r = s; *r;) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
                    r[3] >= '0' && r[3] <= '7') {
                        *w++ = (char) ((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
                        r += 4;
                } else {
                        *w++ = *r++;
                }
        }
        *w = '\0';
}

/* The next blank-separated field of *p (NULL at the end), NUL-terminated in place. */
static char *next_field(char **p)
{
        char *s = *p + strspn(*p, " ");
        if (!*s)
                return NULL;
        char *e = s + strcspn(s, " ");
        *p = *e ? e + 1 : e;
        *e = '\0';
        return s;
}

int mountinfo_parse_line(char *line, struct mountinfo *ret)
{
        char *sep = strstr(line, " - ");
        if (!sep)
                return -EINVAL;
        *sep = '\0';
        char *p = line, *f[6];
        for (size_t i = 0; i < 6; i++)
                if (!(f[i] = next_field(&p)))
                        return -EINVAL;
        char *q = sep + 3;
        struct mountinfo mi = {
                .root = f[3],
                .mountpoint = f[4],
                .opts = f[5],
                .optional = p + strspn(p, " "),
                .fstype = next_field(&q),
        };
        mi.source = mi.fstype ? next_field(&q) : NULL;
        mi.super = mi.source ? next_field(&q) : NULL;
        if (!mi.super)
                return -EINVAL;
        unescape_octal(mi.root);
        unescape_octal(mi.mountpoint);
        unescape_octal(mi.source);
        *ret = mi;
        return 0;
}

int mountinfo_foreach_text(char *text, int (*cb)(const struct mountinfo *mi, void *userdata),
                           void *userdata)
{
        for (char *line = text, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                struct mountinfo mi;
                if (mountinfo_parse_line(line, &mi) < 0)
                        continue;
                int r = cb(&mi, userdata);
                if (r != 0)
                        return r;
        }
        return 0;
}

int mountinfo_foreach(const char *path, int (*cb)(const struct mountinfo *mi, void *userdata),
                      void *userdata)
{
        _cleanup_free_ char *text = NULL;
        int r = read_full_file_at(AT_FDCWD, path ? path : "/proc/self/mountinfo", &text, NULL);
        if (r < 0)
                return r;
        return mountinfo_foreach_text(text, cb, userdata);
}
