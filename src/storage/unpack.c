/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Layer extraction.  One pass over the fd: our read callback takes the tar stream from the
 * shared decompressor (decompress.h: gzip, zstd or plain, with digesters of the raw and the
 * decompressed bytes) 1 MiB at a time and hands it to libarchive, which only parses headers.
 * Files are created with *at() calls relative to parent directory fds obtained with openat2
 * RESOLVE_IN_ROOT (the last one is cached), with single-component names and O_NOFOLLOW /
 * O_EXCL, so that nothing is ever followed out of the destination.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "storage/decompress.h"
#include "storage/unpack.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/path.h"

#define BUF_SIZE ((size_t) 1 << 20)
#define MAX_NAME_LEN (PATH_MAX - 1) /* a cleaned entry name, in bytes */
#define MAX_DEPTH (PATH_MAX / 2)    /* directory levels that fit in such a name */
#define WH_PREFIX ".wh."
#define WH_META ".wh..wh."
#define WH_OPAQUE ".wh..wh..opq"

static bool startswith(const char *s, const char *prefix)
{
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- the input: raw fd → decompressor (decompress.h) → libarchive, both sides digested ---- */

struct source {
        struct decomp *d;
        struct digester *raw;   /* the bytes read from the fd */
        struct digester *plain; /* the tar stream; NULL when uncompressed (the same bytes) */
        void *buf;              /* what the read callback hands libarchive */
        struct cu_error *err;   /* why the read callback failed */
};

static la_ssize_t source_read_cb(struct archive *a, void *data, const void **buf)
{
        struct source *s = data;
        ssize_t n = decomp_read(s->d, s->buf, BUF_SIZE, &s->err);
        if (n < 0) {
                archive_set_error(a, (int) -n, "%s", cu_error_msg(s->err));
                return -1;
        }
        *buf = s->buf;
        return n;
}

static int source_init(struct source *s, int fd, struct cu_error **err)
{
        _cleanup_error_ struct cu_error *e = NULL;
        s->d = decomp_new(fd, &e);
        if (!s->d)
                return cu_error_setx(err, e ? e->errnum : EIO, "reading layer: %s", cu_error_msg(e));
        s->buf = malloc(BUF_SIZE);
        s->raw = digester_new();
        bool compressed = decomp_compression(s->d) != COMPRESSION_NONE;
        if (compressed)
                s->plain = digester_new();
        if (!s->buf || !s->raw || (compressed && !s->plain))
                return cu_error_set(err, ENOMEM, "setting up layer reader");
        decomp_set_digests(s->d, s->raw, s->plain);
        return 0;
}

static void source_done(struct source *s)
{
        decomp_free(s->d);
        digester_free(s->raw);
        digester_free(s->plain);
        free(s->buf);
        cu_error_free(s->err);
}

/* ---- the output ---- */

struct dir_fixup {
        char *path;
        struct timespec ts[2];
        mode_t mode;
        bool fix_mode;
};

struct unpacker {
        int root;
        bool overlay, chown;
        mode_t umask;
        int cache_fd; /* the parent directory last resolved, kept open until the next one */
        bool cache_ok; /* false once something was removed: it may not resolve the same */
        char cache_path[PATH_MAX];
        struct dir_fixup *dirs; /* times (and modes) to set at the end */
        size_t n_dirs, cap_dirs;
        void *seen; /* vfs: tsearch() tree of the names this layer unpacked (for opaque dirs) */
};

struct meta {
        uid_t uid;
        gid_t gid;
        mode_t perm;
        struct timespec ts[2];
};

static void unpacker_done(struct unpacker *u)
{
        safe_close(u->cache_fd);
        for (size_t i = 0; i < u->n_dirs; i++)
                free(u->dirs[i].path);
        free(u->dirs);
        tdestroy(u->seen, free);
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(a, b);
}

static bool seen_has(const struct unpacker *u, const char *path)
{
        return tfind(path, &u->seen, cmp_str) != NULL;
}

static int seen_add(struct unpacker *u, const char *path)
{
        if (seen_has(u, path))
                return 0;
        char *p = strdup(path);
        if (!p || !tsearch(p, &u->seen, cmp_str)) {
                free(p);
                return -ENOMEM;
        }
        return 0;
}

/* Cleans an archive name into out: relative, without "", "." or ".." components or a trailing
 * slash ("" is the root).  A relative name that climbs above the root gives -EXDEV; an absolute
 * one is clamped at the root (as Go's filepath.Clean, which podman uses). */
static int clean_name(const char *in, char out[static PATH_MAX])
{
        bool abs = *in == '/';
        size_t len = 0;
        for (const char *p = in; *p;) {
                size_t n = strcspn(p, "/");
                if (n == 0 || (n == 1 && p[0] == '.')) {
                        /* nothing */
                } else if (n == 2 && p[0] == '.' && p[1] == '.') {
                        if (len == 0 && !abs)
                                return -EXDEV;
                        while (len > 0 && out[len - 1] != '/')
                                len--;
                        if (len > 0)
                                len--;
                } else {
                        if (len + (len > 0) + n > MAX_NAME_LEN)
                                return -ENAMETOOLONG;
                        if (len > 0)
                                out[len++] = '/';
                        memcpy(out + len, p, n);
                        len += n;
                }
                p += n;
                while (*p == '/')
                        p++;
        }
        out[len] = '\0';
        return 0;
}

/* The fd stays open: the entry being unpacked may still use it. */
static void cache_drop(struct unpacker *u)
{
        u->cache_ok = false;
}

/* Takes fd. */
static int cache_set(struct unpacker *u, const char *path, int fd)
{
        safe_close(u->cache_fd);
        snprintf(u->cache_path, sizeof u->cache_path, "%s", path);
        u->cache_fd = fd;
        u->cache_ok = true;
        return fd;
}

/* An fd (borrowed: valid until the next call) for the directory dir, resolved inside the root
 * and created (0755, with its parents) when missing. */
static int get_parent(struct unpacker *u, const char *dir)
{
        if (!*dir)
                return u->root;
        if (u->cache_ok && strcmp(u->cache_path, dir) == 0)
                return u->cache_fd;
        int fd = open_in_root(u->root, dir, O_PATH | O_DIRECTORY, 0);
        if (fd == -ENOENT)
                fd = mkdir_p_in_root(u->root, dir, 0755);
        return fd < 0 ? fd : cache_set(u, dir, fd);
}

static int rm_rf_at(int dfd, const char *name, unsigned depth)
{
        if (unlinkat(dfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
                return 0;
        if (errno == ENOTDIR)
                return unlinkat(dfd, name, 0) < 0 && errno != ENOENT ? -errno : 0;
        if (errno != ENOTEMPTY && errno != EEXIST)
                return -errno;
        if (depth > MAX_DEPTH)
                return -ELOOP;
        int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        _cleanup_closedir_ DIR *d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return -errno;
        }
        struct dirent *de;
        while ((errno = 0, de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                int r = rm_rf_at(dirfd(d), de->d_name, depth + 1);
                if (r < 0)
                        return r;
        }
        if (errno != 0)
                return -errno;
        return unlinkat(dfd, name, AT_REMOVEDIR) < 0 ? -errno : 0;
}

/* Removes what is at base (rm -rf) unless it is a directory and keep_dir.
 * Returns 1 when a directory was kept, 0 when nothing is there any more, -errno. */
static int remove_existing(struct unpacker *u, int pfd, const char *base, bool keep_dir)
{
        struct stat st;
        if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (S_ISDIR(st.st_mode) && keep_dir)
                return 1;
        /* Whatever was cached may have been (below) what goes away. */
        cache_drop(u);
        if (S_ISDIR(st.st_mode))
                return rm_rf_at(pfd, base, 0);
        return unlinkat(pfd, base, 0) < 0 && errno != ENOENT ? -errno : 0;
}

static int link_fd(int tfd, int pfd, const char *base)
{
        if (linkat(tfd, "", pfd, base, AT_EMPTY_PATH) == 0)
                return 0;
        if (errno != ENOENT) /* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH: else ENOENT */
                return -1;
        char buf[32];
        return linkat(AT_FDCWD, fd_path(tfd, buf), pfd, base, AT_SYMLINK_FOLLOW);
}

/* Creates a symlink (target), a hard link (tfd ≥ 0) or a node (mode, dev) at base, replacing
 * what is there.  -errno. */
static int make_node(struct unpacker *u, int pfd, const char *base, const char *target, int tfd,
                     mode_t mode, dev_t dev)
{
        for (int i = 0;; i++) {
                int r = target ? symlinkat(target, pfd, base)
                        : tfd >= 0 ? link_fd(tfd, pfd, base)
                                   : mknodat(pfd, base, mode, dev);
                if (r == 0)
                        return 0;
                if (errno != EEXIST || i > 0)
                        return -errno;
                r = remove_existing(u, pfd, base, false);
                if (r < 0)
                        return r;
        }
}

static int entry_meta(struct archive_entry *e, struct meta *m)
{
        la_int64_t uid = archive_entry_uid(e), gid = archive_entry_gid(e);
        if (uid < 0 || uid >= UINT32_MAX || gid < 0 || gid >= UINT32_MAX)
                return -ERANGE;
        m->uid = (uid_t) uid;
        m->gid = (gid_t) gid;
        m->perm = archive_entry_perm(e) & 07777;
        long mns = archive_entry_mtime_nsec(e);
        m->ts[1] = (struct timespec){ archive_entry_mtime(e), mns >= 0 && mns < 1000000000 ? mns : 0 };
        m->ts[0] = m->ts[1];
        if (archive_entry_atime_is_set(e)) {
                long ans = archive_entry_atime_nsec(e);
                struct timespec a = { archive_entry_atime(e), ans >= 0 && ans < 1000000000 ? ans : 0 };
                /* podman: the access time is never before the modification time */
                if (a.tv_sec > m->ts[1].tv_sec ||
                    (a.tv_sec == m->ts[1].tv_sec && a.tv_nsec > m->ts[1].tv_nsec))
                        m->ts[0] = a;
        }
        return 0;
}

/* The archive's xattrs, less overlayfs' own, on fd (or path, not followed, when fd < 0). */
static int set_xattrs(struct archive_entry *e, int fd, const char *path, struct cu_error **err)
{
        if (archive_entry_xattr_reset(e) == 0)
                return 0;
        const char *name;
        const void *val;
        size_t size;
        while (archive_entry_xattr_next(e, &name, &val, &size) == ARCHIVE_OK) {
                if (!name || startswith(name, "trusted.overlay.") || startswith(name, "user.overlay."))
                        continue;
                int r = fd >= 0 ? fsetxattr(fd, name, val, size, 0)
                                : lsetxattr(path, name, val, size, 0);
                if (r < 0 && !(strcmp(name, "security.selinux") == 0 &&
                               (errno == EOPNOTSUPP || errno == EPERM)))
                        return cu_error_set(err, errno, "setting xattr %s", name);
        }
        return 0;
}

/* Owner, then mode (chown clears setuid/setgid), then xattrs (chown clears file capabilities). */
static int apply_meta_fd(struct unpacker *u, int fd, struct archive_entry *e, const struct meta *m,
                         mode_t perm, bool chmod, struct cu_error **err)
{
        if (u->chown && fchown(fd, m->uid, m->gid) < 0)
                return cu_error_set(err, errno, "changing owner to %u:%u", m->uid, m->gid);
        if ((chmod || (perm & 07000) || (perm & u->umask)) && fchmod(fd, perm) < 0)
                return cu_error_set(err, errno, "changing mode");
        return set_xattrs(e, fd, NULL, err);
}

/* For nodes that cannot be opened (symlinks, devices, fifos): through the parent's fd. */
static int apply_meta_at(struct unpacker *u, int pfd, const char *base, struct archive_entry *e,
                         const struct meta *m, bool chmod, struct cu_error **err)
{
        if (u->chown && fchownat(pfd, base, m->uid, m->gid, AT_SYMLINK_NOFOLLOW) < 0)
                return cu_error_set(err, errno, "changing owner to %u:%u", m->uid, m->gid);
        /* base was just created by us as a node, not a symlink: fchmodat cannot follow one */
        if (chmod && ((m->perm & 07000) || (m->perm & u->umask)) && fchmodat(pfd, base, m->perm, 0) < 0)
                return cu_error_set(err, errno, "changing mode");
        if (archive_entry_xattr_count(e) > 0) {
                char path[PATH_MAX + 32];
                snprintf(path, sizeof path, "/proc/self/fd/%d/%s", pfd, base);
                int r = set_xattrs(e, -1, path, err);
                if (r < 0)
                        return r;
        }
        if (utimensat(pfd, base, m->ts, AT_SYMLINK_NOFOLLOW) < 0)
                return cu_error_set(err, errno, "setting times");
        return 0;
}

static int archive_fail(struct archive *a, struct cu_error **err, const char *what)
{
        int e = archive_errno(a);
        const char *msg = archive_error_string(a);
        return cu_error_setx(err, e > 0 ? e : EIO, "%s: %s", what, msg ? msg : "unknown error");
}

static int write_data(struct archive *a, int fd, la_int64_t size, struct cu_error **err)
{
        la_int64_t pos = 0;
        for (;;) {
                const void *buf;
                size_t len;
                la_int64_t off;
                int r = archive_read_data_block(a, &buf, &len, &off);
                if (r == ARCHIVE_EOF)
                        break;
                if (r != ARCHIVE_OK && r != ARCHIVE_WARN) /* ARCHIVE_RETRY is an error too */
                        return archive_fail(a, err, "reading data");
                if (off != pos) { /* a hole in a sparse file */
                        if (off < 0 || lseek(fd, off, SEEK_SET) < 0)
                                return cu_error_set(err, off < 0 ? EINVAL : errno, "seeking");
                        pos = off;
                }
                r = write_all(fd, buf, len);
                if (r < 0)
                        return cu_error_set(err, -r, "writing");
                pos += (la_int64_t) len;
        }
        if (pos < size && ftruncate(fd, size) < 0)
                return cu_error_set(err, errno, "truncating");
        return 0;
}

static int make_file(struct unpacker *u, struct archive *a, struct archive_entry *e, int pfd,
                     const char *base, const struct meta *m, struct cu_error **err)
{
        _cleanup_close_ int fd = -EBADF;
        for (int i = 0;; i++) {
                fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                            m->perm & 0777);
                if (fd >= 0 || errno != EEXIST || i > 0)
                        break;
                int r = remove_existing(u, pfd, base, false);
                if (r < 0)
                        return cu_error_set(err, -r, "replacing");
        }
        if (fd < 0)
                return cu_error_set(err, errno, "creating file");
        int r = write_data(a, fd, archive_entry_size(e), err);
        if (r < 0)
                return r;
        r = apply_meta_fd(u, fd, e, m, m->perm, false, err);
        if (r < 0)
                return r;
        if (futimens(fd, m->ts) < 0)
                return cu_error_set(err, errno, "setting times");
        return 0;
}

/* Directory times (and, unprivileged, modes that would lock us out) are set at the end:
 * creating children changes them. */
static int dir_defer(struct unpacker *u, const char *name, const struct meta *m, bool fix_mode)
{
        if (u->n_dirs == u->cap_dirs) {
                size_t cap = u->cap_dirs ? u->cap_dirs * 2 : 256;
                struct dir_fixup *t = realloc(u->dirs, cap * sizeof(*t));
                if (!t)
                        return -ENOMEM;
                u->dirs = t;
                u->cap_dirs = cap;
        }
        char *p = strdup(*name ? name : ".");
        if (!p)
                return -ENOMEM;
        u->dirs[u->n_dirs++] = (struct dir_fixup){ p, { m->ts[0], m->ts[1] }, m->perm, fix_mode };
        return 0;
}

static int make_dir(struct unpacker *u, struct archive_entry *e, const char *name, int pfd,
                    const char *base, const struct meta *m, struct cu_error **err)
{
        _cleanup_close_ int fd = -EBADF;
        if (!*name) {
                fd = openat(u->root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        } else {
                if (mkdirat(pfd, base, 0700) < 0) {
                        int r = errno == EEXIST ? remove_existing(u, pfd, base, true) : -errno;
                        if (r == 0 && mkdirat(pfd, base, 0700) < 0)
                                r = -errno;
                        if (r < 0)
                                return cu_error_set(err, -r, "creating directory");
                }
                fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        if (fd < 0)
                return cu_error_set(err, errno, "opening directory");
        /* Unprivileged, a directory we could not write to would keep its children out. */
        bool fix_mode = !u->chown && (m->perm & 0700) != 0700;
        int r = apply_meta_fd(u, fd, e, m, fix_mode ? m->perm | 0700 : m->perm, true, err);
        if (r < 0)
                return r;
        r = dir_defer(u, name, m, fix_mode);
        if (r < 0)
                return cu_error_set(err, -r, "recording directory");
        if (*name)
                cache_set(u, name, TAKE_FD(fd)); /* its children most likely come next */
        return 0;
}

static int make_hardlink(struct unpacker *u, struct archive_entry *e, int pfd, const char *base,
                         struct cu_error **err)
{
        const char *raw = archive_entry_hardlink(e);
        char target[PATH_MAX];
        int r = clean_name(raw, target);
        if (r == -EXDEV)
                return cu_error_setx(err, EXDEV, "hardlink target \"%.256s\" escapes the layer", raw);
        if (r < 0 || !*target)
                return cu_error_setx(err, EINVAL, "invalid hardlink target \"%.256s\"", raw);
        _cleanup_close_ int tfd = open_in_root(u->root, target, O_PATH | O_NOFOLLOW, 0);
        struct stat st, cur;
        if (tfd < 0 || fstat(tfd, &st) < 0)
                return cu_error_set(err, tfd < 0 ? -tfd : errno, "hardlink target \"%s\"", target);
        if (S_ISDIR(st.st_mode))
                return cu_error_setx(err, EPERM, "hardlink target \"%s\" is a directory", target);
        if (fstatat(pfd, base, &cur, AT_SYMLINK_NOFOLLOW) == 0 && cur.st_dev == st.st_dev &&
            cur.st_ino == st.st_ino)
                return 0; /* already that file */
        r = make_node(u, pfd, base, NULL, tfd, 0, 0);
        if (r < 0)
                return cu_error_set(err, -r, "linking to \"%s\"", target);
        return 0;
}

static int make_special(struct unpacker *u, struct archive_entry *e, int pfd, const char *base,
                        const struct meta *m, struct cu_error **err)
{
        const char *target = archive_entry_symlink(e);
        mode_t type = archive_entry_filetype(e);
        if (type == AE_IFLNK && (!target || !*target))
                return cu_error_setx(err, EINVAL, "empty symlink target");
        int r = make_node(u, pfd, base, type == AE_IFLNK ? target : NULL, -EBADF,
                          type | (m->perm & 0777), archive_entry_rdev(e));
        if (r == -EPERM && !u->chown && type != AE_IFLNK) {
                log_debug("cannot create device node \"%s\" unprivileged, skipping", base);
                return 0;
        }
        if (r < 0)
                return cu_error_set(err, -r, "creating %s",
                                    type == AE_IFLNK ? "symlink" : "node");
        return apply_meta_at(u, pfd, base, e, m, type != AE_IFLNK, err);
}

static bool is_dir_entry(int dfd, const struct dirent *de)
{
        struct stat st;
        if (de->d_type != DT_UNKNOWN)
                return de->d_type == DT_DIR;
        return fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

/* vfs: below dir (whose fd is dfd), removes what this layer did not unpack.  path holds the
 * directory's name (len bytes) and is extended in place. */
static int opaque_clear(struct unpacker *u, int dfd, char *path, size_t len, unsigned depth)
{
        _cleanup_closedir_ DIR *d = fdopendir(dfd);
        if (!d) {
                safe_close(dfd);
                return -errno;
        }
        struct dirent *de;
        int r = 0;
        while (r >= 0 && (errno = 0, de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                size_t n = strlen(de->d_name);
                if (len + 1 + n > MAX_NAME_LEN) {
                        r = rm_rf_at(dirfd(d), de->d_name, 0); /* never one of ours */
                        continue;
                }
                snprintf(path + len, PATH_MAX - len, "%s%s", len ? "/" : "", de->d_name);
                if (!seen_has(u, path)) {
                        r = rm_rf_at(dirfd(d), de->d_name, 0);
                } else if (is_dir_entry(dirfd(d), de) && depth < MAX_DEPTH) {
                        int cfd = openat(dirfd(d), de->d_name,
                                         O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        r = cfd < 0 ? -errno : opaque_clear(u, cfd, path, strlen(path), depth + 1);
                }
                path[len] = '\0';
        }
        return r < 0 ? r : -errno;
}

static int do_whiteout(struct unpacker *u, const char *dir, int pfd,
                       const char *base, const struct meta *m, struct cu_error **err)
{
        if (strcmp(base, WH_OPAQUE) == 0) {
                int fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        return cu_error_set(err, errno, "opening opaque directory");
                if (u->overlay) {
                        int r = fsetxattr(fd, "trusted.overlay.opaque", "y", 1, 0) < 0 ? -errno : 0;
                        safe_close(fd);
                        return r < 0 ? cu_error_set(err, -r, "marking directory opaque") : 0;
                }
                /* this layer's names below it: by where dir resolves to (symlinks inside) */
                _cleanup_free_ char *resolved = NULL;
                int r = resolve_in_root(u->root, *dir ? dir : ".", &resolved);
                if (r < 0) {
                        safe_close(fd);
                        return cu_error_set(err, -r, "resolving opaque directory");
                }
                char path[PATH_MAX];
                snprintf(path, sizeof path, "%s", resolved + 1);
                cache_drop(u);
                r = opaque_clear(u, fd, path, strlen(path), 0);
                return r < 0 ? cu_error_set(err, -r, "clearing opaque directory") : 0;
        }
        const char *victim = base + strlen(WH_PREFIX);
        if (!*victim || strcmp(victim, ".") == 0 || strcmp(victim, "..") == 0)
                return cu_error_setx(err, EINVAL, "invalid whiteout");
        int r = remove_existing(u, pfd, victim, false);
        if (r < 0)
                return cu_error_set(err, -r, "removing \"%s\"", victim);
        if (!u->overlay)
                return 0;
        if (mknodat(pfd, victim, S_IFCHR, makedev(0, 0)) < 0)
                return cu_error_set(err, errno, "creating whiteout for \"%s\"", victim);
        if (u->chown && fchownat(pfd, victim, m->uid, m->gid, AT_SYMLINK_NOFOLLOW) < 0)
                return cu_error_set(err, errno, "changing owner of whiteout");
        return 0;
}

static int do_entry(struct unpacker *u, struct archive *a, struct archive_entry *e,
                    const char *name, struct cu_error **err)
{
        struct meta m;
        if (entry_meta(e, &m) < 0)
                return cu_error_setx(err, ERANGE, "invalid owner");
        mode_t type = archive_entry_filetype(e);
        const char *slash = strrchr(name, '/');
        const char *base = slash ? slash + 1 : name;
        char dir[PATH_MAX] = "";
        if (slash) {
                memcpy(dir, name, (size_t) (slash - name));
                dir[slash - name] = '\0';
        }

        if (!*name) {
                if (type != AE_IFDIR || archive_entry_hardlink(e))
                        return cu_error_setx(err, EINVAL, "the layer root is not a directory");
                return make_dir(u, e, name, u->root, "", &m, err);
        }
        if (startswith(name, WH_META) && strcmp(name, WH_OPAQUE) != 0) {
                log_debug("skipping AUFS metadata \"%s\"", name);
                return 0;
        }
        int pfd = get_parent(u, dir);
        if (pfd < 0)
                return cu_error_set(err, -pfd, "resolving parent directory");
        if (startswith(base, WH_PREFIX))
                return do_whiteout(u, dir, pfd, base, &m, err);
        if (!u->overlay && seen_add(u, name) < 0)
                return cu_error_set(err, ENOMEM, "recording entry");
        if (archive_entry_hardlink(e))
                return make_hardlink(u, e, pfd, base, err);
        switch (type) {
        case AE_IFREG:
                return make_file(u, a, e, pfd, base, &m, err);
        case AE_IFDIR:
                return make_dir(u, e, name, pfd, base, &m, err);
        case AE_IFLNK:
        case AE_IFIFO:
        case AE_IFCHR:
        case AE_IFBLK:
                return make_special(u, e, pfd, base, &m, err);
        case AE_IFSOCK:
                return 0;
        default:
                return cu_error_setx(err, EINVAL, "unsupported entry type %o", (unsigned) type);
        }
}

static int unpack_entry(struct unpacker *u, struct archive *a, struct archive_entry *e,
                        struct cu_error **err)
{
        const char *raw = archive_entry_pathname(e);
        if (!raw)
                raw = archive_entry_pathname_utf8(e);
        if (!raw)
                return cu_error_setx(err, EINVAL, "archive entry without a name");
        char name[PATH_MAX];
        int r = clean_name(raw, name);
        if (r == -EXDEV)
                return cu_error_setx(err, EXDEV, "archive entry \"%.256s\" escapes the layer", raw);
        if (r < 0)
                return cu_error_setx(err, ENAMETOOLONG, "archive entry name too long (%zu bytes)",
                                     strlen(raw));
        r = do_entry(u, a, e, name, err);
        return r < 0 ? cu_error_prefix(err, r, "archive entry \"%s\"", name) : 0;
}

static int dirs_finish(struct unpacker *u, struct cu_error **err)
{
        /* Deepest (last listed) first: an unprivileged parent's mode may lock out its children. */
        for (size_t i = u->n_dirs; i-- > 0;) {
                const struct dir_fixup *f = &u->dirs[i];
                _cleanup_close_ int fd =
                        open_in_root(u->root, f->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
                if (fd < 0)
                        continue; /* replaced or removed later in the layer */
                if (f->fix_mode && fchmod(fd, f->mode) < 0)
                        return cu_error_set(err, errno, "changing mode of \"%s\"", f->path);
                if (futimens(fd, f->ts) < 0)
                        return cu_error_set(err, errno, "setting times of \"%s\"", f->path);
        }
        return 0;
}

static void archive_freep(struct archive **a)
{
        if (*a)
                archive_read_free(*a);
}

int layer_unpack(int tar_fd, int dest_dirfd, const struct unpack_opts *opts,
                 struct unpack_result *res, struct cu_error **err)
{
        static const struct unpack_opts defaults;
        if (!opts)
                opts = &defaults;
        _cleanup_(source_done) struct source s = { 0 };
        int r = source_init(&s, tar_fd, err);
        if (r < 0)
                return r;

        _cleanup_(archive_freep) struct archive *a = archive_read_new();
        if (!a)
                return cu_error_set(err, ENOMEM, "setting up layer reader");
        archive_read_support_format_tar(a);
        archive_read_support_format_empty(a);
        if (archive_read_open(a, &s, NULL, source_read_cb, NULL) != ARCHIVE_OK)
                return archive_fail(a, err, "reading layer");

        mode_t um = umask(0);
        umask(um);
        _cleanup_(unpacker_done) struct unpacker u = {
                .root = dest_dirfd,
                .overlay = opts->overlay_whiteouts,
                .chown = !opts->no_chown,
                .umask = um,
                .cache_fd = -EBADF,
        };
        for (;;) {
                struct archive_entry *e;
                r = archive_read_next_header(a, &e);
                if (r == ARCHIVE_EOF)
                        break;
                if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
                        return archive_fail(a, err, "reading layer");
                r = unpack_entry(&u, a, e, err);
                if (r < 0)
                        return r;
        }
        r = dirs_finish(&u, err);
        if (r < 0)
                return r;
        r = decomp_drain(s.d, err);
        if (r < 0)
                return cu_error_prefix(err, r, "reading layer after the archive");

        if (res) {
                *res = (struct unpack_result){ .compressed_size = decomp_raw_bytes(s.d),
                                               .size = decomp_plain_bytes(s.d) };
                digester_final(s.raw, res->compressed_digest);
                if (s.plain)
                        digester_final(s.plain, res->diff_id);
                else
                        memcpy(res->diff_id, res->compressed_digest, sizeof res->diff_id);
        }
        return 0;
}
