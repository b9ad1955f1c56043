/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "mount-opts.h"
#include "util/cleanup.h"

#ifndef ST_NOSYMFOLLOW
#define ST_NOSYMFOLLOW 0x2000
#endif

struct flag_opt {
        const char *name;
        bool clear;
        unsigned long flag;
};

/* mount(2) flags, as runc's mountFlags table. */
static const struct flag_opt flag_opts[] = {
        { "acl", false, MS_POSIXACL },
        { "async", true, MS_SYNCHRONOUS },
        { "atime", true, MS_NOATIME },
        { "bind", false, MS_BIND },
        { "defaults", false, 0 },
        { "dev", true, MS_NODEV },
        { "diratime", true, MS_NODIRATIME },
        { "dirsync", false, MS_DIRSYNC },
        { "exec", true, MS_NOEXEC },
        { "iversion", false, MS_I_VERSION },
        { "lazytime", false, MS_LAZYTIME },
        { "loud", true, MS_SILENT },
        { "mand", false, MS_MANDLOCK },
        { "noacl", true, MS_POSIXACL },
        { "noatime", false, MS_NOATIME },
        { "nodev", false, MS_NODEV },
        { "nodiratime", false, MS_NODIRATIME },
        { "noexec", false, MS_NOEXEC },
        { "noiversion", true, MS_I_VERSION },
        { "nolazytime", true, MS_LAZYTIME },
        { "nomand", true, MS_MANDLOCK },
        { "norelatime", true, MS_RELATIME },
        { "nostrictatime", true, MS_STRICTATIME },
        { "nosuid", false, MS_NOSUID },
        { "nosymfollow", false, MS_NOSYMFOLLOW },
        { "rbind", false, MS_BIND | MS_REC },
        { "relatime", false, MS_RELATIME },
        { "remount", false, MS_REMOUNT },
        { "ro", false, MS_RDONLY },
        { "rw", true, MS_RDONLY },
        { "silent", false, MS_SILENT },
        { "strictatime", false, MS_STRICTATIME },
        { "suid", true, MS_NOSUID },
        { "symfollow", true, MS_NOSYMFOLLOW },
        { "sync", false, MS_SYNCHRONOUS },
};

static const struct {
        const char *name;
        unsigned long flags;
} propagation_opts[] = {
        { "private", MS_PRIVATE },
        { "rprivate", MS_PRIVATE | MS_REC },
        { "shared", MS_SHARED },
        { "rshared", MS_SHARED | MS_REC },
        { "slave", MS_SLAVE },
        { "rslave", MS_SLAVE | MS_REC },
        { "unbindable", MS_UNBINDABLE },
        { "runbindable", MS_UNBINDABLE | MS_REC },
};

struct attr_opt {
        const char *name;
        bool clear;
        uint64_t attr;
};

/* Recursive attributes (mount_setattr with AT_RECURSIVE), as runc's recAttrFlags. */
static const struct attr_opt attr_opts[] = {
        { "rro", false, MOUNT_ATTR_RDONLY },
        { "rrw", true, MOUNT_ATTR_RDONLY },
        { "rnosuid", false, MOUNT_ATTR_NOSUID },
        { "rsuid", true, MOUNT_ATTR_NOSUID },
        { "rnodev", false, MOUNT_ATTR_NODEV },
        { "rdev", true, MOUNT_ATTR_NODEV },
        { "rnoexec", false, MOUNT_ATTR_NOEXEC },
        { "rexec", true, MOUNT_ATTR_NOEXEC },
        { "rnodiratime", false, MOUNT_ATTR_NODIRATIME },
        { "rdiratime", true, MOUNT_ATTR_NODIRATIME },
        { "rrelatime", false, MOUNT_ATTR_RELATIME },
        { "rnorelatime", true, MOUNT_ATTR_RELATIME },
        { "rnoatime", false, MOUNT_ATTR_NOATIME },
        { "ratime", true, MOUNT_ATTR_NOATIME },
        { "rstrictatime", false, MOUNT_ATTR_STRICTATIME },
        { "rnostrictatime", true, MOUNT_ATTR_STRICTATIME },
        { "rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW },
        { "rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW },
};

static const struct {
        const char *name;
        unsigned ext;
} ext_opts[] = {
        { "tmpcopyup", MOUNT_EXT_TMPCOPYUP },
        { "idmap", MOUNT_EXT_IDMAP },
        { "ridmap", MOUNT_EXT_IDMAP | MOUNT_EXT_RIDMAP },
        { "copy-symlink", MOUNT_EXT_COPY_SYMLINK },
        { "src-nofollow", MOUNT_EXT_SRC_NOFOLLOW },
};

static const struct flag_opt *find_flag(const char *s)
{
        for (size_t i = 0; i < ELEMENTSOF(flag_opts); i++)
                if (strcmp(flag_opts[i].name, s) == 0)
                        return &flag_opts[i];
        return NULL;
}

static const struct attr_opt *find_attr(const char *s)
{
        for (size_t i = 0; i < ELEMENTSOF(attr_opts); i++)
                if (strcmp(attr_opts[i].name, s) == 0)
                        return &attr_opts[i];
        return NULL;
}

static int find_ext(const char *s, unsigned *ret)
{
        for (size_t i = 0; i < ELEMENTSOF(ext_opts); i++)
                if (strcmp(ext_opts[i].name, s) == 0) {
                        *ret = ext_opts[i].ext;
                        return 0;
                }
        return -ENOENT;
}

int mount_propagation_from_string(const char *s, unsigned long *ret)
{
        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(propagation_opts); i++)
                if (strcmp(propagation_opts[i].name, s) == 0) {
                        *ret = propagation_opts[i].flags;
                        return 0;
                }
        return -EINVAL;
}

static void apply_attr(struct mount_opts *o, const struct attr_opt *a)
{
        if (a->clear) {
                o->attr_clr |= a->attr;
                o->attr_set &= ~a->attr;
                /* Nor can part of the atime field be cleared (EINVAL): "ratime" and
                 * "rnostrictatime" clear all of it, which leaves relatime (0). */
                if (a->attr & MOUNT_ATTR__ATIME) {
                        o->attr_clr |= MOUNT_ATTR__ATIME;
                        o->attr_set &= ~(uint64_t) MOUNT_ATTR__ATIME;
                }
                return;
        }
        o->attr_set |= a->attr;
        o->attr_clr &= ~a->attr;
        /* The atime mode is a field, not a bit: mount_setattr(2) wants it
         * cleared as a whole before one value is set. */
        if ((a->attr & MOUNT_ATTR__ATIME) == a->attr)
                o->attr_clr |= MOUNT_ATTR__ATIME;
}

static int append_data(char **data, size_t *len, const char *s)
{
        size_t n = strlen(s);
        char *p = realloc(*data, *len + n + 2);
        if (!p)
                return -ENOMEM;
        if (*len > 0)
                p[(*len)++] = ',';
        memcpy(p + *len, s, n + 1);
        *len += n;
        *data = p;
        return 0;
}

int mount_opts_parse(char *const *options, struct mount_opts *ret)
{
        struct mount_opts o = { 0 };
        _cleanup_free_ unsigned long *prop = NULL;
        _cleanup_free_ char *data = NULL;
        size_t data_len = 0;

        for (char *const *i = options; i && *i; i++) {
                const char *s = *i;
                const struct flag_opt *f;
                const struct attr_opt *a;
                unsigned long pflags;
                unsigned ext;

                if (!*s)
                        continue;
                if ((f = find_flag(s))) {
                        if (f->clear) {
                                o.flags &= ~f->flag;
                                o.cleared |= f->flag;
                        } else {
                                o.flags |= f->flag;
                                o.cleared &= ~f->flag;
                        }
                } else if (mount_propagation_from_string(s, &pflags) == 0) {
                        unsigned long *p = reallocarray(prop, o.n_propagation + 1, sizeof(*p));
                        if (!p)
                                return -ENOMEM;
                        prop = p;
                        prop[o.n_propagation++] = pflags;
                } else if ((a = find_attr(s))) {
                        apply_attr(&o, a);
                } else if (find_ext(s, &ext) == 0) {
                        o.ext |= ext;
                } else if (append_data(&data, &data_len, s) < 0) {
                        return -ENOMEM;
                }
        }

        o.propagation = TAKE_PTR(prop);
        o.data = TAKE_PTR(data);
        *ret = o;
        return 0;
}

void mount_opts_done(struct mount_opts *o)
{
        if (!o)
                return;
        free(o->propagation);
        free(o->data);
        *o = (struct mount_opts){ 0 };
}

const char *const *mount_opts_names(void)
{
        static const char *names[ELEMENTSOF(flag_opts) + ELEMENTSOF(propagation_opts) +
                                 ELEMENTSOF(attr_opts) + ELEMENTSOF(ext_opts) + 1];
        if (names[0])
                return names;
        size_t n = 0;
        for (size_t i = 0; i < ELEMENTSOF(flag_opts); i++)
                names[n++] = flag_opts[i].name;
        for (size_t i = 0; i < ELEMENTSOF(propagation_opts); i++)
                names[n++] = propagation_opts[i].name;
        for (size_t i = 0; i < ELEMENTSOF(attr_opts); i++)
                names[n++] = attr_opts[i].name;
        for (size_t i = 0; i < ELEMENTSOF(ext_opts); i++)
                names[n++] = ext_opts[i].name;
        names[n] = NULL;
        return names;
}

bool mount_opts_is_bind(const struct mount_opts *o)
{
        return o->flags & MS_BIND;
}

bool mount_opts_has_attr(const struct mount_opts *o)
{
        return o->attr_set || o->attr_clr;
}

unsigned long mount_flags_from_statfs(unsigned long f)
{
        static const struct {
                unsigned long st, ms;
        } map[] = {
                { ST_RDONLY, MS_RDONLY },       { ST_NOSUID, MS_NOSUID },
                { ST_NODEV, MS_NODEV },         { ST_NOEXEC, MS_NOEXEC },
                { ST_SYNCHRONOUS, MS_SYNCHRONOUS }, { ST_MANDLOCK, MS_MANDLOCK },
                { ST_NOATIME, MS_NOATIME },     { ST_NODIRATIME, MS_NODIRATIME },
                { ST_RELATIME, MS_RELATIME },
        };
        unsigned long ms = 0;
        for (size_t i = 0; i < ELEMENTSOF(map); i++)
                if (f & map[i].st)
                        ms |= map[i].ms;
        if (f & ST_NOSYMFOLLOW)
                ms |= MS_NOSYMFOLLOW;
        /* Neither noatime nor relatime: the mount is strictatime. */
        if (!(ms & (MS_NOATIME | MS_RELATIME)))
                ms |= MS_STRICTATIME;
        return ms;
}

int mount_remount_retry_flags(unsigned long requested, unsigned long cleared,
                              unsigned long current, unsigned long *ret)
{
        unsigned long locked = current & MOUNT_LOCKABLE_FLAGS;

        if (locked & cleared)
                return -EPERM;
        if ((requested & MOUNT_ATIME_FLAGS) &&
            (requested & MOUNT_ATIME_FLAGS) != (current & MOUNT_ATIME_FLAGS))
                return -EPERM;
        /* An atime mode asked for replaces the current one; otherwise keep it. */
        if (requested & MOUNT_ATIME_FLAGS)
                locked &= ~MOUNT_ATIME_FLAGS;
        *ret = requested | locked;
        return 0;
}
