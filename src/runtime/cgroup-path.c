/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgroup path rules: runc's cgroupsPath forms (absolute, relative to the caller's own
 * cgroup, systemd's "slice:prefix:name"), slices expanded as systemd does. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-internal.h"
#include "util/log.h"
#include "util/strv.h"

/* ---- small string helpers ---- */

char *cg_path_join(const char *a, const char *b)
{
        size_t la = strlen(a);
        while (la > 1 && a[la - 1] == '/')
                la--;
        while (*b == '/')
                b++;
        char *s = NULL;
        if (*b == '\0')
                return strndup(a, la);
        if (la == 1 && a[0] == '/')
                la = 0;
        if (asprintf(&s, "%.*s/%s", (int) la, a, b) < 0)
                return NULL;
        return s;
}

/* "/a//b/./c/" → "/a/b/c"; ".." is refused; "" when nothing is left. */
static int clean_path(const char *p, char **ret)
{
        size_t len = strlen(p);
        _cleanup_free_ char *out = malloc(len + 2);
        if (!out)
                return -ENOMEM;
        size_t o = 0;
        const char *s = p;
        while (*s) {
                while (*s == '/')
                        s++;
                if (!*s)
                        break;
                size_t n = strcspn(s, "/");
                if (n == 1 && s[0] == '.') {
                        s += n;
                        continue;
                }
                if (n == 2 && s[0] == '.' && s[1] == '.')
                        return -EINVAL;
                out[o++] = '/';
                memcpy(out + o, s, n);
                o += n;
                s += n;
        }
        out[o] = '\0';
        *ret = TAKE_PTR(out);
        return 0;
}

static bool has_suffix(const char *s, const char *suffix)
{
        size_t a = strlen(s), b = strlen(suffix);
        return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* "a-b.slice" → "/a.slice/a-b.slice"; "-.slice" → "". */
static int expand_slice(const char *slice, char **ret, struct cu_error **err)
{
        if (strcmp(slice, "-.slice") == 0) {
                *ret = strdup("");
                return *ret ? 0 : cu_error_set(err, ENOMEM, "strdup");
        }
        size_t len = strlen(slice);
        if (!has_suffix(slice, ".slice") || len == strlen(".slice") || strchr(slice, '/'))
                return cu_error_setx(err, EINVAL, "invalid slice name \"%s\"", slice);
        size_t base = len - strlen(".slice");
        if (slice[0] == '-' || slice[base - 1] == '-' || strstr(slice, "--"))
                return cu_error_setx(err, EINVAL, "invalid slice name \"%s\"", slice);

        /* Every '-' in the base name starts a nested slice: at most len levels of at most
         * len + 1 bytes each. */
        _cleanup_free_ char *out = malloc((len + 1) * (len + 2));
        if (!out)
                return cu_error_set(err, ENOMEM, "malloc");
        size_t o = 0;
        for (size_t i = 0; i <= base; i++) {
                if (i < base && slice[i] != '-')
                        continue;
                o += (size_t) sprintf(out + o, "/%.*s.slice", (int) i, slice);
        }
        *ret = TAKE_PTR(out);
        return 0;
}

int cg_systemd_path(const char *spec, const char *id, char **ret, struct cu_error **err)
{
        const char *c1 = strchr(spec, ':');
        const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c1 || !c2 || strchr(c2 + 1, ':'))
                return cu_error_setx(err, EINVAL,
                                     "expected cgroupsPath of the form \"slice:prefix:name\", "
                                     "got \"%s\"",
                                     spec);
        _cleanup_free_ char *slice = strndup(spec, (size_t) (c1 - spec));
        _cleanup_free_ char *prefix = strndup(c1 + 1, (size_t) (c2 - c1 - 1));
        const char *name = c2[1] ? c2 + 1 : id;
        if (!slice || !prefix)
                return cu_error_set(err, ENOMEM, "strndup");
        if (!name || !*name || strchr(name, '/') || strchr(prefix, '/'))
                return cu_error_setx(err, EINVAL, "invalid cgroupsPath \"%s\"", spec);

        _cleanup_free_ char *parent = NULL;
        int r = expand_slice(*slice ? slice : "system.slice", &parent, err);
        if (r < 0)
                return cu_error_prefix(err, r, "cgroupsPath \"%s\"", spec);

        char *s = NULL;
        if (has_suffix(name, ".slice"))
                r = asprintf(&s, "%s/%s", parent, name);
        else if (*prefix)
                r = asprintf(&s, "%s/%s-%s.scope", parent, prefix, name);
        else
                r = asprintf(&s, "%s/%s.scope", parent, name);
        if (r < 0)
                return cu_error_set(err, ENOMEM, "asprintf");
        *ret = s;
        return 0;
}

int cg_self_path(const char *self_cgroup, const char *controller, char **ret)
{
        const char *line = self_cgroup, *first = NULL;
        size_t first_len = 0;
        while (line && *line) {
                size_t len = strcspn(line, "\n");
                const char *c1 = memchr(line, ':', len);
                const char *c2 = c1 ? memchr(c1 + 1, ':', len - (size_t) (c1 + 1 - line)) : NULL;
                if (c2) {
                        const char *ctrls = c1 + 1;
                        size_t clen = (size_t) (c2 - ctrls);
                        const char *path = c2 + 1;
                        size_t plen = len - (size_t) (path - line);
                        bool match = false;
                        const char *want = controller ? controller : "name=systemd";
                        if (controller && !*controller) {
                                match = clen == 0;
                        } else {
                                for (const char *p = ctrls; p < ctrls + clen;) {
                                        size_t n = strcspn(p, ",:");
                                        if (n == strlen(want) && strncmp(p, want, n) == 0)
                                                match = true;
                                        p += n + 1;
                                }
                        }
                        if (match) {
                                *ret = strndup(path, plen);
                                return *ret ? 0 : -ENOMEM;
                        }
                        if (!first && clen > 0) {
                                first = path;
                                first_len = plen;
                        }
                }
                line += len;
                if (*line == '\n')
                        line++;
        }
        if (!controller && first) {
                *ret = strndup(first, first_len);
                return *ret ? 0 : -ENOMEM;
        }
        return -ENOENT;
}

bool cg_looks_like_systemd_path(const char *p)
{
        if (strchr(p, '/'))
                return false;
        const char *c1 = strchr(p, ':');
        const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        return c2 && !strchr(c2 + 1, ':');
}

int cg_resolve_path(const char *cgroups_path, const char *id, bool systemd_cgroup, int version,
                    const char *self_cgroup, char **ret, struct cu_error **err)
{
        _cleanup_free_ char *raw = NULL;
        int r;

        if (!cgroups_path || !*cgroups_path) {
                if (!id || !*id || strchr(id, '/') || strcmp(id, ".") == 0 ||
                    strcmp(id, "..") == 0)
                        return cu_error_setx(err, EINVAL, "invalid container id \"%s\"",
                                             strempty(id));
                if (systemd_cgroup) {
                        _cleanup_free_ char *spec = NULL;
                        if (asprintf(&spec, "system.slice:cuttle:%s", id) < 0)
                                return cu_error_set(err, ENOMEM, "asprintf");
                        r = cg_systemd_path(spec, id, &raw, err);
                } else {
                        r = asprintf(&raw, "/cuttle/%s", id) < 0 ? -ENOMEM : 0;
                        if (r < 0)
                                return cu_error_set(err, ENOMEM, "asprintf");
                }
                if (r < 0)
                        return r;
        } else if (cg_looks_like_systemd_path(cgroups_path) ||
                   (systemd_cgroup && cgroups_path[0] != '/')) {
                r = cg_systemd_path(cgroups_path, id, &raw, err);
                if (r < 0)
                        return r;
        } else if (cgroups_path[0] == '/') {
                raw = strdup(cgroups_path);
        } else {
                _cleanup_free_ char *self = NULL;
                r = cg_self_path(self_cgroup ? self_cgroup : "", version == 2 ? "" : NULL,
                                 &self);
                if (r == -ENOMEM)
                        return cu_error_set(err, ENOMEM, "strndup");
                raw = cg_path_join(self ? self : "/", cgroups_path);
                if (raw && raw[0] != '/') {
                        char *abs = cg_path_join("/", raw);
                        free(raw);
                        raw = abs;
                }
        }
        if (!raw)
                return cu_error_set(err, ENOMEM, "strdup");

        _cleanup_free_ char *clean = NULL;
        r = clean_path(raw, &clean);
        if (r == -ENOMEM)
                return cu_error_set(err, ENOMEM, "malloc");
        if (r < 0)
                return cu_error_setx(err, EINVAL, "invalid cgroupsPath \"%s\": contains \"..\"",
                                     strempty(cgroups_path));
        if (!*clean)
                return cu_error_setx(err, EINVAL,
                                     "invalid cgroupsPath \"%s\": refers to the root cgroup",
                                     strempty(cgroups_path));
        *ret = TAKE_PTR(clean);
        return 0;
}

