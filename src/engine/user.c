/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The container's user: --user resolved inside the image's own /etc/passwd and /etc/group
 * (paths resolved in the root), process.user and HOME in the spec.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/internal.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/parse.h"
#include "util/path.h"
#include "util/strv.h"


static char *read_in_root(int rootfd, const char *path)
{
        if (rootfd < 0)
                return NULL;
        _cleanup_close_ int fd = open_in_root(rootfd, path, O_RDONLY | O_CLOEXEC, 0);
        char *text = NULL;
        if (fd < 0 || read_full_fd(fd, &text, NULL) < 0)
                return NULL;
        return text;
}

/* Finds the line of /etc/passwd or /etc/group whose first field is name (or, when by_id,
 * whose third field is id).  Fields into f (up to 7). */
static bool find_entry(char *text, const char *name, bool by_id, uint32_t id, char **f)
{
        for (char *save = NULL, *line = text ? strtok_r(text, "\n", &save) : NULL; line;
             line = strtok_r(NULL, "\n", &save)) {
                if (*line == '#')
                        continue;
                size_t n = 0;
                char *p = line;
                for (; n < 7; n++) {
                        f[n] = p;
                        p = p ? strchr(p, ':') : NULL;
                        if (p)
                                *p++ = '\0';
                }
                if (!f[2])
                        continue;
                unsigned v;
                if (by_id ? (safe_atou(f[2], &v) == 0 && v == id) : strcmp(f[0], name) == 0)
                        return true;
        }
        return false;
}

int engine_resolve_user(int rootfd, const char *user, uint32_t *ret_uid, uint32_t *ret_gid,
                        uint32_t **ret_groups, size_t *ret_n_groups, char **ret_home,
                        struct cu_error **err)
{
        _cleanup_free_ char *u = strdup(user ? user : "");
        if (!u)
                return -ENOMEM;
        char *g = strchr(u, ':');
        if (g)
                *g++ = '\0';
        unsigned uid = 0, gid = 0;
        bool have_gid = false;
        _cleanup_free_ char *passwd = read_in_root(rootfd, "/etc/passwd");
        _cleanup_free_ char *username = NULL, *home = NULL;
        char *f[7] = { 0 };
        if (!*u || safe_atou(u, &uid) == 0) {
                if (passwd && find_entry(passwd, NULL, true, uid, f)) {
                        username = strdup(f[0]);
                        home = f[5] ? strdup(f[5]) : NULL;
                        have_gid = f[3] && safe_atou(f[3], &gid) == 0;
                }
        } else {
                if (!passwd || !find_entry(passwd, u, false, 0, f) || safe_atou(f[2], &uid) < 0)
                        return cu_error_setx(err, ENOENT,
                                             "unable to find user %s: no matching entries in passwd file",
                                             u);
                username = strdup(f[0]);
                home = f[5] ? strdup(f[5]) : NULL;
                have_gid = f[3] && safe_atou(f[3], &gid) == 0;
        }
        if (g && *g) {
                if (safe_atou(g, &gid) < 0) {
                        _cleanup_free_ char *group = read_in_root(rootfd, "/etc/group");
                        if (!group || !find_entry(group, g, false, 0, f) || safe_atou(f[2], &gid) < 0)
                                return cu_error_setx(err, ENOENT,
                                                     "unable to find group %s: no matching entries in group file",
                                                     g);
                }
                have_gid = true;
        }
        if (!have_gid)
                gid = 0;
        /* Supplementary groups: every group listing the user. */
        uint32_t *groups = NULL;
        size_t n = 0;
        _cleanup_free_ char *group = username && !(g && *g) ? read_in_root(rootfd, "/etc/group") : NULL;
        for (char *save = NULL, *line = group ? strtok_r(group, "\n", &save) : NULL; line;
             line = strtok_r(NULL, "\n", &save)) {
                char *fs[4] = { 0 };
                char *p = line;
                for (size_t k = 0; k < 4 && p; k++) {
                        fs[k] = p;
                        p = strchr(p, ':');
                        if (p)
                                *p++ = '\0';
                }
                unsigned gg;
                if (!fs[3] || !fs[2] || safe_atou(fs[2], &gg) < 0 || gg == gid)
                        continue;
                _cleanup_strv_ char **members = strv_split(fs[3], ",");
                if (!strv_contains(members, username))
                        continue;
                uint32_t *ng = realloc(groups, (n + 1) * sizeof *groups);
                if (!ng) {
                        free(groups);
                        return -ENOMEM;
                }
                groups = ng;
                groups[n++] = gg;
        }
        *ret_uid = uid;
        *ret_gid = gid;
        if (ret_groups) {
                *ret_groups = groups;
                *ret_n_groups = n;
        } else {
                free(groups);
        }
        if (ret_home)
                *ret_home = TAKE_PTR(home);
        return 0;
}

int engine_spec_user(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err)
{
        uint32_t uid = 0, gid = 0, *groups = NULL;
        size_t n_groups = 0;
        char *home = NULL;
        int r = engine_resolve_user(x->rootfd, json_string_value(json_object_get(x->c, "User")),
                                    &uid, &gid, &groups, &n_groups, &home, err);
        if (r < 0)
                return r;
        free(x->home);
        x->home = home;
        x->uid = uid;
        x->gid = gid;
        json_t *ag = json_array();
        for (size_t i = 0; i < n_groups; i++)
                json_array_append_new(ag, json_integer(groups[i]));
        free(groups);
        json_t *user = json_pack("{s:I, s:I}", "uid", (json_int_t) uid, "gid", (json_int_t) gid);
        if (json_array_size(ag))
                json_object_set_new(user, "additionalGids", ag);
        else
                json_decref(ag);
        json_object_set_new(json_object_get(spec, "process"), "user", user);
        return engine_spec_env_set(spec, "HOME", home && *home ? home : "/", true);
}
