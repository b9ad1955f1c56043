/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The files the engine makes for a container and bind-mounts into it (the seed's
 * makeBindMounts() and generatePasswdAndGroup()): /etc/passwd and /etc/group entries for
 * users missing from the image, /etc/hostname, /etc/localtime (--tz), /run/.containerenv,
 * /dev/shm's size (--shm-size), secrets; the workdir check.  A file the user mounts
 * (spec.mounts already holds the user's mounts here) is never made.
 *
 * passwd/group: with a writable root the entries are appended to the container's own files
 * (its upper layer, never the image; useradd keeps working); with --read-only the files are
 * copied into the bundle with the entries and bind-mounted read-only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "engine/bind-internal.h"
#include "engine/passwd.h"
#include "engine/secrets.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/log.h"
#include "util/path.h"
#include "util/strv.h"

#define SHM_SIZE_DEFAULT 65536000 /* containers.conf's "65536k", read as podman does */

/* ------------------------------------------------------------------ helpers */

static bool same_path(const char *a, const char *b)
{
        size_t al = strlen(a), bl = strlen(b);
        while (al > 1 && a[al - 1] == '/')
                al--;
        while (bl > 1 && b[bl - 1] == '/')
                bl--;
        return al == bl && strncmp(a, b, al) == 0;
}

const char *bind_spec_mount_source(json_t *spec, const char *dst)
{
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(spec, "mounts"), i, m) {
                const char *d = json_string_value(json_object_get(m, "destination"));
                if (d && same_path(d, dst)) {
                        const char *s = json_string_value(json_object_get(m, "source"));
                        return s ? s : "";
                }
        }
        return NULL;
}

bool bind_spec_has_mount(json_t *spec, const char *dst)
{
        return bind_spec_mount_source(spec, dst) != NULL;
}

json_t *bind_mount_entry(const char *dst, const char *src, bool readonly_root)
{
        json_t *m = json_pack("{s:s, s:s, s:s, s:[s, s]}", "destination", dst, "type", "bind",
                              "source", src, "options", "bind", "rprivate");
        json_t *opts = json_object_get(m, "options");
        if (m && readonly_root)
                for (const char *const *o = (const char *const[]){ "ro", "nosuid", "noexec", "nodev", NULL };
                     *o; o++)
                        json_array_append_new(opts, json_string(*o));
        return m;
}

int engine_spec_bind_chroot(json_t *spec, struct engine_spec_ctx *x, const char *dst,
                            const char *src)
{
        bool ro = json_is_true(json_object_get(x->c, "ReadOnly"));
        json_t *mounts = json_object_get(spec, "mounts");
        if (!bind_spec_has_mount(spec, dst))
                json_array_append_new(mounts, bind_mount_entry(dst, src, ro));
        size_t i;
        json_t *d;
        json_array_foreach(json_object_get(x->c, "ChrootDirs"), i, d) {
                _cleanup_free_ char *p = NULL;
                const char *dir = json_string_value(d);
                if (!dir || asprintf(&p, "%s%s", strcmp(dir, "/") == 0 ? "" : dir, dst) < 0)
                        return -ENOMEM;
                if (!bind_spec_has_mount(spec, p))
                        json_array_append_new(mounts, bind_mount_entry(p, src, ro));
        }
        return 0;
}

/* ------------------------------------------------------------------ create */

static int umask_check(const char *s, char out[static 8], struct cu_error **err)
{
        size_t n = strlen(s);
        bool ok = n >= 1 && n <= 4;
        for (size_t i = 0; ok && i < n; i++)
                ok = s[i] >= '0' && s[i] <= '7';
        if (!ok)
                return cu_error_setx(err, EINVAL,
                                     "running container create option: invalid umask string %s: invalid argument",
                                     s);
        snprintf(out, 8, "%04lo", strtoul(s, NULL, 8));
        return 0;
}

int engine_config_bindmounts(struct engine *e, json_t *c, const struct engine_create_opts *o,
                             json_t *ic, struct cu_error **err)
{
        (void) ic;
        const struct engine_bind_opts *b = &o->bind;
        char um[8];
        int r = umask_check(b->umask ? b->umask : "0022", um, err);
        if (r < 0)
                return r;
        if (b->tz && *b->tz && (r = tz_validate(b->tz, NULL, err)) < 0)
                return r;
        bool keep = strv_contains(b->group_add, "keep-groups");
        if (keep && strv_length(b->group_add) > 1)
                return cu_error_setx(err, EINVAL,
                                     "the '--group-add keep-groups' option is not allowed with any other --group-add options");
        json_object_set_new(c, "Umask", json_string(um));
        json_object_set_new(c, "Passwd", json_boolean(!b->no_passwd));
        if (b->passwd_entry)
                json_object_set_new(c, "PasswdEntry", json_string(b->passwd_entry));
        if (b->group_entry)
                json_object_set_new(c, "GroupEntry", json_string(b->group_entry));
        json_object_set_new(c, "GroupAdd", json_from_strv(b->group_add));
        json_object_set_new(c, "HostUsers", json_from_strv(b->hostusers));
        json_object_set_new(c, "ChrootDirs", json_from_strv(b->chrootdirs));
        if (b->tz && *b->tz)
                json_object_set_new(c, "Timezone", json_string(b->tz));
        json_object_set_new(c, "ShmSize", json_integer(b->has_shm_size ? b->shm_size : SHM_SIZE_DEFAULT));
        json_object_set_new(c, "CreateWorkingDir", json_boolean(!o->workdir));
        if (keep) {
                json_t *ann = json_object_get(c, "Annotations");
                if (json_is_object(ann))
                        json_object_set_new(ann, "run.oci.keep_original_groups", json_string("1"));
        }
        for (char **p = b->chrootdirs; p && *p; p++)
                if (**p != '/')
                        return cu_error_setx(err, EINVAL, "chroot directory %s must be an absolute path",
                                             *p);
        return e ? secrets_config(e, c, b->secrets, err) : 0;
}

/* ------------------------------------------------------------------ passwd and group */

struct etc_files {
        char *passwd, *group;           /* the texts the container will see */
        bool passwd_ours, group_ours;   /* we generate them (no user mount) */
};

/* The container's file: a user mount of the file or of /etc (read on the host), else the
 * root's own. */
static int etc_read(json_t *spec, struct engine_spec_ctx *x, const char *name, char **ret,
                    bool *ret_ours, struct cu_error **err)
{
        char dst[64];
        snprintf(dst, sizeof dst, "/etc/%s", name);
        const char *src = bind_spec_mount_source(spec, dst);
        _cleanup_free_ char *p = NULL;
        *ret_ours = !src;
        *ret = NULL;
        if (!src && (src = bind_spec_mount_source(spec, "/etc"))) {
                if (asprintf(&p, "%s/%s", src, name) < 0)
                        return -ENOMEM;
                src = p;
        }
        int r;
        if (src) {
                r = read_full_file(src, ret, NULL, NULL);
                if (r == -ENOENT)
                        return 0;
                return r < 0 ? cu_error_set(err, -r, "reading %s", src) : 0;
        }
        r = bind_read_in_root(x->rootfd, dst, ret);
        if (r == -ENOENT || r == -ENOTDIR)
                return 0;
        return r < 0 ? cu_error_set(err, -r, "reading the container's %s", dst) : 0;
}

/* The seed's userPasswdEntry() for each --hostuser; sets HOME as it does. */
static int host_entries(json_t *spec, struct engine_spec_ctx *x, const struct passwd_gen *g,
                        const char *passwd, char **out, struct cu_error **err)
{
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(x->c, "HostUsers"), i, v) {
                const char *name = json_string_value(v);
                _cleanup_(pw_entry_done) struct pw_entry host = { 0 };
                int k = bind_host_user(strempty(name), &host);
                if (k == -ENOMEM)
                        return k;
                if (k < 0)
                        return cu_error_setx(err, ENOENT, "user: unknown user %s", strempty(name));
                bool mounted = false;
                _cleanup_free_ char *h = strdup(host.home);
                while (h && strcmp(h, "/") != 0 && *h && !mounted) {
                        mounted = bind_spec_has_mount(spec, h);
                        char *s = strrchr(h, '/');
                        if (s == h)
                                h[1] = '\0';
                        else if (s)
                                *s = '\0';
                        else
                                break;
                }
                _cleanup_free_ char *entry = NULL, *home = NULL;
                k = passwd_host_entry(g, passwd, &host, mounted, &entry, &home);
                if (k < 0)
                        return k;
                if (!entry)
                        continue;
                k = engine_spec_env_set(spec, "HOME", home, true);
                char *n = NULL;
                if (k < 0 || asprintf(&n, "%s%s", strempty(*out), entry) < 0)
                        return -ENOMEM;
                free(*out);
                *out = n;
        }
        return 0;
}

/* Appends entries to the root's file, or writes a copy into the bundle and mounts it. */
static int etc_write(json_t *spec, struct engine_spec_ctx *x, const char *name, char **text,
                     const char *entries, struct cu_error **err)
{
        bool ro = json_is_true(json_object_get(x->c, "ReadOnly"));
        bool nl = *text && **text && (*text)[strlen(*text) - 1] != '\n';
        char *n = NULL;
        if (asprintf(&n, "%s%s%s", strempty(*text), nl ? "\n" : "", entries) < 0)
                return -ENOMEM;
        free(*text);
        *text = n;
        char dst[64], src[4096];
        snprintf(dst, sizeof dst, "/etc/%s", name);
        snprintf(src, sizeof src, "%s/%s", x->bundle, name);
        if (ro) {
                if (x->write_files) {
                        int r = engine_bundle_file(x->bundle, name, *text, err);
                        if (r < 0)
                                return r;
                }
                json_array_append_new(json_object_get(spec, "mounts"), bind_mount_entry(dst, src, true));
                return 0;
        }
        if (!x->write_files || x->rootfd < 0)
                return 0;
        log_debug("modifying container %s %s", x->id, dst);
        _cleanup_close_ int etc = mkdir_p_in_root(x->rootfd, "/etc", 0755);
        _cleanup_close_ int fd = etc < 0 ? etc
                                         : open_in_root(x->rootfd, dst,
                                                        O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK | O_CLOEXEC,
                                                        0600);
        struct stat st;
        if (fd < 0)
                return cu_error_set(err, -fd, "container %s: opening %s", x->id, dst);
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                return cu_error_setx(err, EINVAL, "container %s: %s is not a regular file", x->id, dst);
        int r = write_all(fd, nl ? "\n" : "", nl);
        if (r >= 0)
                r = write_all(fd, entries, strlen(entries));
        return r < 0 ? cu_error_set(err, -r, "unable to append to container %s %s", x->id, dst) : 0;
}

/* The seed's generatePasswdAndGroup(), then the user resolved against the result. */
static int passwd_and_group(json_t *spec, struct engine_spec_ctx *x, struct etc_files *f,
                            struct cu_error **err)
{
        json_t *c = x->c;
        const char *user = strempty(json_string_value(json_object_get(c, "User")));
        if (!json_is_false(json_object_get(c, "Passwd")) &&
            (*user || json_array_size(json_object_get(c, "HostUsers")))) {
                struct passwd_gen g = {
                        .user = user, .workdir = json_string_value(json_object_get(c, "WorkingDir")),
                        .passwd_entry = json_string_value(json_object_get(c, "PasswdEntry")),
                        .group_entry = json_string_value(json_object_get(c, "GroupEntry")),
                };
                _cleanup_free_ char *pw = NULL, *gr = NULL;
                int r = 0;
                if (f->passwd_ours) {
                        r = host_entries(spec, x, &g, f->passwd, &pw, err);
                        _cleanup_free_ char *ue = NULL;
                        if (r >= 0)
                                r = passwd_user_entry(&g, f->passwd, f->group, 0, &ue, err);
                        char *n = NULL;
                        if (r >= 0 && ue && asprintf(&n, "%s%s", strempty(pw), ue) < 0)
                                r = -ENOMEM;
                        if (n) {
                                free(pw);
                                pw = n;
                        }
                        if (r >= 0 && pw)
                                r = etc_write(spec, x, "passwd", &f->passwd, pw, err);
                }
                if (r >= 0 && f->group_ours) {
                        r = group_user_entry(&g, f->group, 0, &gr, err);
                        if (r >= 0 && gr)
                                r = etc_write(spec, x, "group", &f->group, gr, err);
                }
                if (r < 0)
                        return cu_error_prefix(err, r, "error creating temporary passwd file for container %s",
                                               x->id);
        }
        return user_set_home(spec, x, f->passwd);
}

/* ------------------------------------------------------------------ the other files */

static int shm_options(json_t *spec, struct engine_spec_ctx *x)
{
        const char *ipc = strempty(json_string_value(json_object_get(x->c, "IpcMode")));
        if (*ipc && strcmp(ipc, "private") != 0 && strcmp(ipc, "shareable") != 0)
                return 0; /* not ours: the IPC namespace's owner decides /dev/shm */
        json_t *sz = json_object_get(x->c, "ShmSize");
        int64_t size = json_is_integer(sz) ? json_integer_value(sz) : SHM_SIZE_DEFAULT;
        char so[64];
        snprintf(so, sizeof so, "size=%lld", (long long) size);
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(spec, "mounts"), i, m) {
                const char *dst = json_string_value(json_object_get(m, "destination"));
                if (!streq_ptr(dst, "/dev/shm") || !streq_ptr(json_string_value(json_object_get(m, "type")), "tmpfs") ||
                    !streq_ptr(json_string_value(json_object_get(m, "source")), "shm"))
                        continue;
                json_t *o = json_pack("[s, s, s, s, s]", "nosuid", "noexec", "nodev", "mode=1777", so);
                if (!o)
                        return -ENOMEM;
                json_object_set_new(m, "options", o);
        }
        return 0;
}

static int file_mount(json_t *spec, struct engine_spec_ctx *x, const char *dst, const char *name)
{
        char src[4096];
        snprintf(src, sizeof src, "%s/%s", x->bundle, name);
        json_array_append_new(json_object_get(spec, "mounts"),
                              bind_mount_entry(dst, src, json_is_true(json_object_get(x->c, "ReadOnly"))));
        return 0;
}

static int hostname_file(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err)
{
        if (bind_spec_has_mount(spec, "/etc/hostname"))
                return 0;
        const char *hn = json_string_value(json_object_get(spec, "hostname"));
        if (x->write_files) {
                /* without a newline, as podman writes it */
                int r = engine_bundle_file(x->bundle, "hostname", hn ? hn : x->id, err);
                if (r < 0)
                        return r;
        }
        return file_mount(spec, x, "/etc/hostname", "hostname");
}

static int localtime_file(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err)
{
        const char *tz = json_string_value(json_object_get(x->c, "Timezone"));
        if (!tz || !*tz || bind_spec_has_mount(spec, "/etc/localtime"))
                return 0;
        if (x->write_files) {
                int r = tz_validate(tz, NULL, err);
                if (r >= 0)
                        r = tz_copy(tz, NULL, x->bundle, err);
                if (r < 0)
                        return cu_error_prefix(err, r, "error setting timezone for container %s", x->id);
        }
        return file_mount(spec, x, "/etc/localtime", "localtime");
}

static int containerenv_file(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err)
{
        if (bind_spec_has_mount(spec, "/run/.containerenv") || bind_spec_has_mount(spec, "/run"))
                return 0;
        if (x->write_files) {
                _cleanup_free_ char *text = containerenv_text(x->c, x->id, geteuid() != 0, CUTTLE_VERSION);
                if (!text)
                        return -ENOMEM;
                int r = engine_bundle_file(x->bundle, ".containerenv", text, err);
                if (r < 0)
                        return cu_error_prefix(err, r, "error creating containerenv file for container %s",
                                               x->id);
        }
        return file_mount(spec, x, "/run/.containerenv", ".containerenv");
}

int engine_spec_bindmounts(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err)
{
        struct etc_files f = { 0 };
        int r = etc_read(spec, x, "passwd", &f.passwd, &f.passwd_ours, err);
        if (r >= 0)
                r = etc_read(spec, x, "group", &f.group, &f.group_ours, err);
        /* the user, with the seed's getUserOverrides(): the user's own passwd / group
         * decide */
        if (r >= 0)
                r = user_apply(spec, x, f.passwd, f.group, err);
        if (r >= 0)
                r = workdir_resolve(spec, x, err);
        if (r >= 0)
                r = shm_options(spec, x);
        if (r >= 0)
                r = passwd_and_group(spec, x, &f, err);
        free(f.passwd);
        free(f.group);
        if (r >= 0)
                r = hostname_file(spec, x, err);
        if (r >= 0)
                r = localtime_file(spec, x, err);
        if (r >= 0)
                r = containerenv_file(spec, x, err);
        if (r >= 0)
                r = secrets_spec(spec, x, err);
        return r;
}

/* ------------------------------------------------------------------ inspect */

void engine_inspect_bindmounts(struct engine *e, const struct ctr_record *r, json_t *c,
                               json_t *out)
{
        (void) e, (void) r;
        json_t *config = json_object_get(out, "Config"), *host = json_object_get(out, "HostConfig");
        const char *um = json_string_value(json_object_get(c, "Umask"));
        json_object_set_new(config, "Umask", json_string(um ? um : "0022"));
        json_object_set_new(config, "Passwd", json_boolean(!json_is_false(json_object_get(c, "Passwd"))));
        const char *tz = json_string_value(json_object_get(c, "Timezone"));
        if (tz && *tz)
                json_object_set_new(config, "Timezone", json_string(tz));
        json_t *cd = json_object_get(c, "ChrootDirs");
        if (json_array_size(cd))
                json_object_set(config, "ChrootDirs", cd);
        json_t *secrets = json_array();
        size_t i;
        json_t *s;
        json_array_foreach(json_object_get(c, "Secrets"), i, s)
                json_array_append_new(secrets, json_pack("{s:O, s:O, s:O, s:O, s:O}", "Name",
                                                         json_object_get(s, "Name"), "ID",
                                                         json_object_get(s, "ID"), "UID",
                                                         json_object_get(s, "UID"), "GID",
                                                         json_object_get(s, "GID"), "Mode",
                                                         json_object_get(s, "Mode")));
        if (json_array_size(secrets))
                json_object_set_new(config, "Secrets", secrets);
        else
                json_decref(secrets);
        json_t *ga = json_object_get(c, "GroupAdd");
        json_object_set_new(host, "GroupAdd", ga ? json_deep_copy(ga) : json_array());
        json_t *shm = json_object_get(c, "ShmSize");
        json_object_set_new(host, "ShmSize",
                            json_integer(json_is_integer(shm) ? json_integer_value(shm) : SHM_SIZE_DEFAULT));
}
