/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The container's user: --user resolved inside the image's own /etc/passwd and /etc/group
 * (paths resolved in the root, runc's rules: passwd.h), --group-add, the user's
 * supplementary groups (kept when inside the gid mappings), --umask, process.user and HOME
 * in the spec.  A user that is not in the image but listed in --hostuser is looked up on
 * the host (the seed's lookupHostUser).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/bind-internal.h"
#include "engine/passwd.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/parse.h"
#include "util/path.h"
#include "util/strv.h"

const char *bind_strerror(int e, char buf[static 128])
{
        snprintf(buf, 128, "%s", strerror(e));
        buf[0] = (char) tolower((unsigned char) buf[0]);
        return buf;
}

int bind_read_in_root(int rootfd, const char *path, char **ret)
{
        if (rootfd < 0)
                return -ENOENT;
        _cleanup_close_ int fd = open_in_root(rootfd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0);
        if (fd < 0)
                return fd;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        if ((uint64_t) st.st_size > BIND_FILE_MAX)
                return -EFBIG;
        return read_full_fd(fd, ret, NULL);
}

/* The in-root file, or NULL when missing; other errors are errors. */
static int read_etc(int rootfd, const char *path, char **ret, struct cu_error **err)
{
        *ret = NULL;
        int r = bind_read_in_root(rootfd, path, ret);
        if (r == -ENOENT || r == -ENOTDIR)
                return 0;
        if (r < 0)
                return cu_error_set(err, -r, "reading the container's %s", path);
        return 0;
}

int engine_resolve_user(int rootfd, const char *user, uint32_t *ret_uid, uint32_t *ret_gid,
                        uint32_t **ret_groups, size_t *ret_n_groups, char **ret_home,
                        struct cu_error **err)
{
        _cleanup_free_ char *passwd = NULL, *group = NULL;
        int r = read_etc(rootfd, "/etc/passwd", &passwd, err);
        if (r >= 0)
                r = read_etc(rootfd, "/etc/group", &group, err);
        if (r < 0)
                return r;
        struct exec_user u = { 0 };
        r = exec_user_resolve(passwd, group, user, &u, err);
        if (r < 0)
                return r;
        *ret_uid = u.uid;
        *ret_gid = u.gid;
        if (ret_groups) {
                *ret_groups = TAKE_PTR(u.sgids);
                *ret_n_groups = u.n_sgids;
        }
        if (ret_home)
                *ret_home = TAKE_PTR(u.home);
        exec_user_done(&u);
        return 0;
}

int bind_host_user(const char *name, struct pw_entry *ret)
{
        _cleanup_free_ char *text = NULL;
        int r = read_full_file("/etc/passwd", &text, NULL, NULL);
        if (r < 0)
                return r;
        r = passwd_find(text, name, ret);
        return r < 0 ? r : r ? 0 : -ENOENT;
}

/* The seed's lookupHostUser(): a --hostuser the image does not know. */
static int host_user(const char *name, struct exec_user *ret)
{
        struct pw_entry pw = { 0 };
        int r = bind_host_user(name, &pw);
        if (r < 0)
                return r;
        *ret = (struct exec_user){ .uid = pw.uid, .gid = pw.gid, .home = TAKE_PTR(pw.home) };
        pw_entry_done(&pw);
        return 0;
}

static bool in_mappings(json_t *maps, uint32_t gid)
{
        if (!json_array_size(maps))
                return true;
        size_t i;
        json_t *m;
        json_array_foreach(maps, i, m) {
                json_int_t c = json_integer_value(json_object_get(m, "containerID"));
                json_int_t n = json_integer_value(json_object_get(m, "size"));
                if ((json_int_t) gid >= c && (json_int_t) gid < c + n)
                        return true;
        }
        return false;
}

static void gid_add(json_t *gids, uint32_t gid)
{
        size_t i;
        json_t *v;
        json_array_foreach(gids, i, v)
                if (json_integer_value(v) == (json_int_t) gid)
                        return;
        json_array_append_new(gids, json_integer(gid));
}

int user_apply(json_t *spec, struct engine_spec_ctx *x, const char *passwd, const char *group,
               struct cu_error **err)
{
        const char *user = strempty(json_string_value(json_object_get(x->c, "User")));
        struct exec_user u = { 0 };
        int r = exec_user_resolve(passwd, group, user, &u, err);
        if (r < 0) {
                json_t *hu = json_object_get(x->c, "HostUsers");
                size_t i;
                json_t *v;
                bool listed = false;
                json_array_foreach(hu, i, v)
                        listed |= streq_ptr(json_string_value(v), user);
                if (listed && host_user(user, &u) == 0) {
                        cu_error_clear(err);
                } else if (x->rootfd < 0 && r != -ENOMEM) {
                        /* no root (inspect, unit tests): numbers only */
                        cu_error_clear(err);
                        u = (struct exec_user){ 0 };
                } else {
                        return r;
                }
        }
        json_t *pu = json_object();
        json_t *gids = json_array();
        if (!pu || !gids) {
                json_decref(pu);
                json_decref(gids);
                exec_user_done(&u);
                return -ENOMEM;
        }
        json_object_set_new(json_object_get(spec, "process"), "user", pu);
        if (!*user)
                u.uid = u.gid = 0; /* the spec's default: the seed sets ids only for a user */
        json_object_set_new(pu, "uid", json_integer(u.uid));
        json_object_set_new(pu, "gid", json_integer(u.gid));
        const char *um = json_string_value(json_object_get(x->c, "Umask"));
        unsigned mask;
        if (um && *um && safe_atou_octal(um, &mask) == 0)
                json_object_set_new(pu, "umask", json_integer(mask & 0777));
        /* podman 4.3 lists the primary group first when --user is given */
        if (*user)
                gid_add(gids, u.gid);
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(x->c, "GroupAdd"), i, v) {
                const char *g = json_string_value(v);
                uint32_t gid;
                if (!g || strcmp(g, "keep-groups") == 0)
                        continue;
                r = group_add_resolve(group, g, &gid, err);
                if (r < 0 && x->rootfd < 0 && r != -ENOMEM) {
                        cu_error_clear(err);
                        continue;
                }
                if (r < 0) {
                        exec_user_done(&u);
                        json_decref(gids);
                        return cu_error_prefix(err, r, "looking up supplemental groups for container %s",
                                               x->id);
                }
                gid_add(gids, gid);
        }
        json_t *maps = json_object_get(json_object_get(spec, "linux"), "gidMappings");
        if (!strchr(user, ':'))
                for (size_t k = 0; k < u.n_sgids; k++)
                        if (in_mappings(maps, u.sgids[k]))
                                gid_add(gids, u.sgids[k]);
        if (json_array_size(gids))
                json_object_set_new(pu, "additionalGids", gids);
        else
                json_decref(gids);
        x->uid = u.uid;
        x->gid = u.gid;
        free(x->home);
        x->home = TAKE_PTR(u.home);
        exec_user_done(&u);
        return 0;
}

int user_set_home(json_t *spec, struct engine_spec_ctx *x, const char *passwd)
{
        if (x->home && *x->home)
                return engine_spec_env_set(spec, "HOME", x->home, true);
        /* what runc does when HOME is unset: the uid's entry in the container's final
         * passwd, else "/" */
        char us[16];
        snprintf(us, sizeof us, "%u", x->uid);
        struct pw_entry pw = { 0 };
        int r = passwd_find(passwd, us, &pw);
        if (r < 0)
                return r;
        r = engine_spec_env_set(spec, "HOME", r > 0 && *pw.home ? pw.home : "/", true);
        pw_entry_done(&pw);
        return r;
}

int engine_spec_user(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err)
{
        _cleanup_free_ char *passwd = NULL, *group = NULL;
        int r = read_etc(x->rootfd, "/etc/passwd", &passwd, err);
        if (r >= 0)
                r = read_etc(x->rootfd, "/etc/group", &group, err);
        if (r < 0)
                return r;
        /* A first answer for the areas that follow (volumes' U option).  bindmounts redoes
         * it once the user's mounts are known (a mounted /etc/passwd decides: the seed's
         * getUserOverrides()), so a user or group not found here is its error to report. */
        r = user_apply(spec, x, passwd, group, err);
        if (r == -ENOENT) {
                cu_error_clear(err);
                return 0;
        }
        return r;
}
