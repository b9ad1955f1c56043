/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cp: copies between the host and a container (or two containers), and tar streams in and
 * out.  Container paths are resolved in the container's root; below that, every entry is
 * opened or made relative to its parent's fd with O_NOFOLLOW (never through a path). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "engine/fs.h"
#include "engine/idmap.h"
#include "engine/internal.h"
#include "storage/stage.h"
#include "storage/tar-write.h"
#include "storage/unpack.h"
#include "util/log.h"
#include "util/path.h"
#include "util/strv.h"

/* ------------------------------------------------------------------ the plan */

void cp_plan_done(struct cp_plan *p)
{
        free(p->name);
        p->name = NULL;
}

/* The last component of a path as given, without trailing slashes and "/."; NULL when it
 * names no entry ("/", ".", ""). */
static char *last_component(const char *path)
{
        size_t n = strlen(path);
        for (;;) {
                while (n > 0 && path[n - 1] == '/')
                        n--;
                if (n >= 2 && path[n - 1] == '.' && path[n - 2] == '/')
                        n -= 2;
                else if (n == 1 && path[0] == '.')
                        n = 0;
                else
                        break;
        }
        if (n == 0)
                return NULL;
        size_t b = n;
        while (b > 0 && path[b - 1] != '/')
                b--;
        if (n - b == 2 && path[b] == '.' && path[b + 1] == '.')
                return NULL;
        return strndup(path + b, n - b);
}

static bool ends_with_dot(const char *p)
{
        size_t n = strlen(p);
        return (n == 1 && p[0] == '.') || (n >= 2 && p[n - 1] == '.' && p[n - 2] == '/');
}

int cp_plan_make(const char *src, enum cp_kind src_kind, const char *dst, enum cp_kind dst_kind,
                 struct cp_plan *ret, struct cu_error **err)
{
        *ret = (struct cp_plan){ 0 };
        size_t dl = strlen(dst);
        bool dst_slash = dl > 0 && dst[dl - 1] == '/';
        if (dst_kind == CP_MISSING) {
                if (dst_slash && src_kind != CP_DIR)
                        return cu_error_setx(err, ENOENT, "no such file or directory");
                ret->into_parent = true;
                ret->name = last_component(dst);
                if (!ret->name)
                        return cu_error_setx(err, EINVAL, "invalid destination \"%s\"", dst);
                return 0;
        }
        if (dst_kind == CP_FILE) {
                if (src_kind == CP_DIR)
                        return cu_error_setx(err, ENOTDIR, "destination must be a directory when copying a directory");
                if (dst_slash)
                        return cu_error_setx(err, ENOTDIR, "not a directory");
                ret->into_parent = true;
                ret->name = last_component(dst);
                return ret->name ? 0 : cu_error_setx(err, EINVAL, "invalid destination \"%s\"", dst);
        }
        /* into an existing directory */
        if (src_kind == CP_DIR && ends_with_dot(src)) {
                ret->contents_only = true;
                return 0;
        }
        ret->name = last_component(src);
        if (!ret->name) /* "/" or ".": its entries */
                ret->contents_only = src_kind == CP_DIR;
        return ret->name || ret->contents_only ? 0 : cu_error_setx(err, EINVAL, "invalid source \"%s\"", src);
}

/* ------------------------------------------------------------------ the copier */

struct link_seen {
        dev_t dev;
        ino_t ino;
        int fd; /* O_PATH of the first copy */
};

struct copier {
        const struct cp_opts *o;
        bool skip_devices;
        struct link_seen *links;
        size_t n_links;
};

static void copier_done(struct copier *c)
{
        for (size_t i = 0; i < c->n_links; i++)
                close(c->links[i].fd);
        free(c->links);
}

static bool xattr_skipped(const char *k)
{
        return strcmp(k, "security.selinux") == 0 || strncmp(k, "trusted.overlay.", 16) == 0 ||
               strncmp(k, "user.overlay.", 13) == 0;
}

static void copy_xattrs(int src, int dst)
{
        char names[8192];
        ssize_t n = flistxattr(src, names, sizeof(names));
        for (char *k = names; n > 0 && k < names + n; k += strlen(k) + 1) {
                if (xattr_skipped(k))
                        continue;
                char val[4096];
                ssize_t vl = fgetxattr(src, k, val, sizeof(val));
                if (vl >= 0 && fsetxattr(dst, k, val, (size_t) vl, 0) < 0)
                        log_debug("cp: xattr %s: %m", k);
        }
}

static int copy_data(int in, int out)
{
        if (ioctl(out, FICLONE, in) == 0)
                return 0;
        for (;;) {
                ssize_t n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
                if (n == 0)
                        return 0;
                if (n > 0)
                        continue;
                if (errno == EINTR)
                        continue;
                if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
                        return -errno;
                break;
        }
        static char buf[1 << 17];
        for (;;) {
                ssize_t n = read(in, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return 0;
                for (ssize_t off = 0; off < n;) {
                        ssize_t w = write(out, buf + off, (size_t) (n - off));
                        if (w < 0 && errno == EINTR)
                                continue;
                        if (w < 0)
                                return -errno;
                        off += w;
                }
        }
}

/* Removes name in dirfd (a whole tree for a directory), never following symlinks. */
static int remove_at(int pfd, const char *name)
{
        if (unlinkat(pfd, name, 0) == 0 || errno == ENOENT)
                return 0;
        if (errno != EISDIR && errno != EPERM)
                return -errno;
        int fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return -errno;
        }
        struct dirent *de;
        int r = 0;
        while (r == 0 && (de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                        r = remove_at(dirfd(d), de->d_name);
        closedir(d);
        if (r < 0)
                return r;
        return unlinkat(pfd, name, AT_REMOVEDIR) < 0 ? -errno : 0;
}

static int copy_node(struct copier *c, int src, const struct stat *st, int ddir, const char *dname,
                     struct cu_error **err);

static int copy_dir_entries(struct copier *c, int sdir, int ddir, struct cu_error **err)
{
        int fd = openat(sdir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return cu_error_set(err, errno, "opening a directory");
        DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return -ENOMEM;
        }
        struct dirent *de;
        int r = 0;
        _cleanup_strv_ char **made = NULL; /* the entries that were not there: undone on failure */
        while (r >= 0 && (errno = 0, de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                _cleanup_close_ int cfd = openat(dirfd(d), de->d_name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                struct stat cst, dst;
                if (cfd < 0 || fstat(cfd, &cst) < 0) {
                        r = cu_error_set(err, errno, "opening %s", de->d_name);
                        break;
                }
                if (fstatat(ddir, de->d_name, &dst, AT_SYMLINK_NOFOLLOW) < 0 && strv_extend(&made, de->d_name) < 0) {
                        r = -ENOMEM;
                        break;
                }
                r = copy_node(c, cfd, &cst, ddir, de->d_name, err);
        }
        if (r >= 0 && errno != 0 && !de)
                r = cu_error_set(err, errno, "reading a directory");
        closedir(d);
        for (char **m = made; r < 0 && m && *m; m++)
                (void) remove_at(ddir, *m);
        return r;
}

/* Owner, mode, xattrs and times of the new entry dname in ddir; fd: the new entry (readable
 * for files and directories, O_PATH otherwise), xsrc: the source, readable (files and
 * directories, for xattrs) or -1. */
static int apply_meta(struct copier *c, int xsrc, const struct stat *st, int ddir, int fd,
                      bool is_link, const char *dname, struct cu_error **err)
{
        uid_t uid = c->o->chown ? c->o->uid : st->st_uid;
        gid_t gid = c->o->chown ? c->o->gid : st->st_gid;
        if (fchownat(ddir, dname, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != EPERM)
                return cu_error_set(err, errno, "setting the owner of %s", dname);
        if (!is_link) {
                char p[32];
                int r = xsrc >= 0 ? fchmod(fd, st->st_mode & 07777) : chmod(fd_path(fd, p), st->st_mode & 07777);
                if (r < 0)
                        return cu_error_set(err, errno, "setting the mode of %s", dname);
                if (xsrc >= 0)
                        copy_xattrs(xsrc, fd);
        }
        struct timespec ts[2] = { st->st_atim, st->st_mtim };
        if (utimensat(ddir, dname, ts, AT_SYMLINK_NOFOLLOW) < 0)
                log_debug("cp: times of %s: %m", dname);
        return 0;
}

/* A regular file: written under a temporary name in ddir, given its metadata, then renamed
 * over dname — a full disk or any other error leaves dname as it was, and no partial file. */
static int copy_file(struct copier *c, int xsrc, const struct stat *st, int ddir, const char *dname,
                     struct cu_error **err)
{
        static unsigned seq;
        char tmp[64];
        _cleanup_close_ int fd = -1;
        for (int i = 0; fd < 0 && i < 100; i++) {
                snprintf(tmp, sizeof tmp, ".cuttle-cp-%d-%u", (int) getpid(), seq++);
                fd = openat(ddir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (fd < 0 && errno != EEXIST)
                        return cu_error_set(err, errno, "creating %s", dname);
        }
        if (fd < 0)
                return cu_error_set(err, EEXIST, "creating %s", dname);
        int r = copy_data(xsrc, fd);
        if (r < 0)
                r = cu_error_set(err, -r, "copying %s", dname);
        if (r >= 0)
                r = apply_meta(c, xsrc, st, ddir, fd, false, tmp, err);
        if (r >= 0 && renameat(ddir, tmp, ddir, dname) < 0)
                r = cu_error_set(err, errno, "creating %s", dname);
        if (r < 0)
                (void) unlinkat(ddir, tmp, 0);
        return r;
}

static int copy_node_(struct copier *c, int src, const struct stat *st, int ddir, const char *dname,
                      struct cu_error **err);

/* Copies src to dname in ddir; on failure what it made is removed (a file or directory that
 * was there stays, with what it had, unless it had to go for --overwrite). */
static int copy_node(struct copier *c, int src, const struct stat *st, int ddir, const char *dname,
                     struct cu_error **err)
{
        struct stat dst;
        bool existed = fstatat(ddir, dname, &dst, AT_SYMLINK_NOFOLLOW) == 0;
        int r = copy_node_(c, src, st, ddir, dname, err);
        if (r < 0 && !existed)
                (void) remove_at(ddir, dname);
        return r;
}

static int copy_node_(struct copier *c, int src, const struct stat *st, int ddir, const char *dname,
                      struct cu_error **err)
{
        struct stat dst;
        bool exists = fstatat(ddir, dname, &dst, AT_SYMLINK_NOFOLLOW) == 0;
        bool sdir = S_ISDIR(st->st_mode);
        /* a file over a non-directory is renamed into place (copy_file) */
        bool by_rename = S_ISREG(st->st_mode) && st->st_nlink == 1 && exists && !S_ISDIR(dst.st_mode);
        if (exists && !(sdir && S_ISDIR(dst.st_mode)) && !by_rename) {
                if (sdir != (bool) S_ISDIR(dst.st_mode) && !c->o->overwrite)
                        return cu_error_setx(err, EEXIST, sdir ? "cannot overwrite non-directory \"%s\" with directory"
                                                               : "cannot overwrite directory \"%s\" with non-directory",
                                             dname);
                int r = remove_at(ddir, dname);
                if (r < 0)
                        return cu_error_set(err, -r, "replacing %s", dname);
                exists = false;
        }
        _cleanup_close_ int fd = -1, xsrc = -1;
        bool is_link = false;
        switch (st->st_mode & S_IFMT) {
        case S_IFDIR: {
                if (!exists && mkdirat(ddir, dname, 0700) < 0)
                        return cu_error_set(err, errno, "creating %s", dname);
                fd = openat(ddir, dname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return cu_error_set(err, errno, "opening %s", dname);
                xsrc = openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (xsrc < 0)
                        return cu_error_set(err, errno, "opening %s", dname);
                int r = copy_dir_entries(c, xsrc, fd, err);
                if (r < 0)
                        return cu_error_prefix(err, r, "%s", dname);
                break;
        }
        case S_IFREG: {
                if (st->st_nlink > 1) {
                        for (size_t i = 0; i < c->n_links; i++)
                                if (c->links[i].dev == st->st_dev && c->links[i].ino == st->st_ino) {
                                        if (linkat(c->links[i].fd, "", ddir, dname, AT_EMPTY_PATH) < 0)
                                                return cu_error_set(err, errno, "linking %s", dname);
                                        return 0;
                                }
                }
                char p[32];
                xsrc = open(fd_path(src, p), O_RDONLY | O_CLOEXEC);
                if (xsrc < 0)
                        return cu_error_set(err, errno, "opening %s", dname);
                int r = copy_file(c, xsrc, st, ddir, dname, err);
                if (r < 0)
                        return r;
                if (st->st_nlink > 1) {
                        struct link_seen *nl = realloc(c->links, (c->n_links + 1) * sizeof(*nl));
                        if (!nl)
                                return -ENOMEM;
                        c->links = nl;
                        int lfd = openat(ddir, dname, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                        if (lfd >= 0)
                                c->links[c->n_links++] = (struct link_seen){ st->st_dev, st->st_ino, lfd };
                }
                return 0; /* copy_file() gave it its metadata */
        }
        case S_IFLNK: {
                char target[4096];
                ssize_t n = readlinkat(src, "", target, sizeof(target) - 1);
                if (n < 0)
                        return cu_error_set(err, errno, "reading link %s", dname);
                target[n] = '\0';
                if (symlinkat(target, ddir, dname) < 0)
                        return cu_error_set(err, errno, "creating %s", dname);
                is_link = true;
                fd = openat(ddir, dname, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return cu_error_set(err, errno, "opening %s", dname);
                break;
        }
        case S_IFCHR:
        case S_IFBLK:
        case S_IFIFO:
                if (c->skip_devices && !S_ISFIFO(st->st_mode))
                        return 0;
                if (mknodat(ddir, dname, st->st_mode & (S_IFMT | 07777), st->st_rdev) < 0)
                        return cu_error_set(err, errno, "creating %s", dname);
                fd = openat(ddir, dname, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return cu_error_set(err, errno, "opening %s", dname);
                break;
        default: /* sockets */
                return 0;
        }
        return apply_meta(c, xsrc, st, ddir, fd, is_link, dname, err);
}

int cp_copy_entry(int src_dirfd, const char *name, int dst_dirfd, const char *dst_name,
                  const struct cp_opts *o, struct cu_error **err)
{
        struct copier c = { .o = o };
        _cleanup_close_ int fd = openat(src_dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0)
                return cu_error_set(err, errno, "opening %s", name);
        int r = copy_node(&c, fd, &st, dst_dirfd, dst_name, err);
        copier_done(&c);
        return r;
}

static int copy_contents(struct copier *c, int src_dirfd, int dst_dirfd, struct cu_error **err)
{
        int r = copy_dir_entries(c, src_dirfd, dst_dirfd, err);
        copier_done(c);
        return r;
}

int cp_copy_contents(int src_dirfd, int dst_dirfd, const struct cp_opts *o, struct cu_error **err)
{
        struct copier c = { .o = o };
        return copy_contents(&c, src_dirfd, dst_dirfd, err);
}

/* ------------------------------------------------------------------ engine_cp */

struct loc {
        const char *ctr;  /* as given, or NULL: the host */
        const char *path; /* as given */
        struct engine_root root;
        bool open;
};

/* Opens path at the location (in the container's root, or on the host). */
static int loc_open(struct loc *l, const char *path, int flags)
{
        if (!l->ctr) {
                int fd = open(path, flags | O_CLOEXEC);
                return fd < 0 ? -errno : fd;
        }
        return open_in_root(l->root.fd, path, flags, 0);
}

/* Go's text of an errno: strerror's, lower case ("no such file or directory"). */
static const char *go_strerror(int e, char buf[static 128])
{
        snprintf(buf, 128, "%s", strerror(e));
        if (buf[0] >= 'A' && buf[0] <= 'Z')
                buf[0] = (char) (buf[0] - 'A' + 'a');
        return buf;
}

static int not_found(struct loc *l, const char *path, int e, struct cu_error **err)
{
        char eb[128];
        if (l->ctr)
                return cu_error_setx(err, e, "\"%s%s\" could not be found on container %s: %s",
                                     path[0] == '/' ? "" : "/", path, l->ctr, go_strerror(e, eb));
        return cu_error_setx(err, e, "\"%s\" could not be found on the host: %s", path, go_strerror(e, eb));
}

static char *parent_of(const char *path)
{
        _cleanup_free_ char *t = strdup(path);
        if (!t)
                return NULL;
        size_t n = strlen(t);
        while (n > 1 && t[n - 1] == '/')
                t[--n] = '\0';
        return strdup(dirname(t));
}

static void fill_entry(struct tar_entry *te, const char *name, const struct stat *st)
{
        *te = (struct tar_entry){
                .name = name, .mode = st->st_mode & 07777, .uid = st->st_uid, .gid = st->st_gid,
                .mtime = st->st_mtim, .size = (uint64_t) st->st_size,
        };
        switch (st->st_mode & S_IFMT) {
        case S_IFDIR: te->type = TAR_DIR; break;
        case S_IFLNK: te->type = TAR_SYMLINK; break;
        case S_IFCHR: te->type = TAR_CHAR; break;
        case S_IFBLK: te->type = TAR_BLOCK; break;
        case S_IFIFO: te->type = TAR_FIFO; break;
        default: te->type = TAR_REG; break;
        }
        te->devmajor = major(st->st_rdev);
        te->devminor = minor(st->st_rdev);
}

/* The source as a tar stream on out_fd. */
static int write_tar(int src, const struct stat *st, const char *src_path, int out_fd,
                     struct cu_error **err)
{
        _cleanup_tar_writer_ struct tar_writer *w = tar_writer_new(out_fd, COMPRESSION_NONE, err);
        if (!w)
                return -EIO;
        _cleanup_free_ char *name = last_component(src_path);
        int r;
        if (S_ISDIR(st->st_mode)) {
                bool contents = !name || ends_with_dot(src_path);
                _cleanup_close_ int dfd = openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (dfd < 0)
                        return cu_error_set(err, errno, "opening %s", src_path);
                struct tar_tree_opts to = { .include_root = !contents };
                r = tar_add_tree(w, dfd, contents ? NULL : name, &to, err);
        } else {
                struct tar_entry te;
                fill_entry(&te, name ? name : "file", st);
                if (S_ISREG(st->st_mode)) {
                        char p[32];
                        _cleanup_close_ int in = open(fd_path(src, p), O_RDONLY | O_CLOEXEC);
                        if (in < 0)
                                return cu_error_set(err, errno, "opening %s", src_path);
                        r = tar_write_file(w, &te, in, err);
                } else {
                        te.size = 0;
                        char target[4096];
                        if (S_ISLNK(st->st_mode)) {
                                ssize_t n = readlinkat(src, "", target, sizeof(target) - 1);
                                if (n < 0)
                                        return cu_error_set(err, errno, "reading link %s", src_path);
                                target[n] = '\0';
                                te.linkname = target;
                        }
                        r = tar_write_header(w, &te, err);
                }
        }
        if (r < 0)
                return r;
        return tar_writer_finish(w, NULL, NULL, NULL, err);
}

/* The destination user of a container (-a): its configured user, resolved in its root. */
static int ctr_user(struct loc *l, uid_t *uid, gid_t *gid, struct cu_error **err)
{
        const char *user = json_string_value(json_object_get(l->root.config, "User"));
        uint32_t u = 0, g = 0;
        int r = engine_resolve_user(l->root.fd, user && *user ? user : "0", &u, &g, NULL, NULL, NULL, err);
        if (r < 0)
                return r;
        *uid = u;
        *gid = g;
        return 0;
}

/* A tar stream from in_fd into the directory dfd: unpacked chrooted in a private staging
 * directory first (hostile names stay there), then copied in with the usual rules. */
static int put_tar(struct engine *e, int in_fd, int dfd, const struct cp_opts *co,
                   struct cu_error **err)
{
        _cleanup_stage_ struct stage *st = NULL;
        int r = stage_new(e->store, &st, err);
        if (r < 0)
                return r;
        if (mkdirat(stage_dirfd(st), "cp", 0700) < 0)
                return cu_error_set(err, errno, "creating a staging directory");
        _cleanup_close_ int sfd = openat(stage_dirfd(st), "cp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (sfd < 0)
                return cu_error_set(err, errno, "opening a staging directory");
        struct unpack_opts uo = { .overlay_whiteouts = false };
        r = layer_unpack(in_fd, sfd, &uo, NULL, err);
        if (r < 0)
                return cu_error_prefix(err, r, "extracting the archive");
        return cp_copy_contents(sfd, dfd, co, err);
}

int engine_cp(struct engine *e, const struct engine_cp_opts *o, struct cu_error **err)
{
        struct loc src = { .ctr = o->src_ctr, .path = o->src_path, .root = { .fd = -1 } };
        struct loc dst = { .ctr = o->dst_ctr, .path = o->dst_path, .root = { .fd = -1 } };
        bool src_stream = !src.ctr && strcmp(src.path, "-") == 0;
        bool dst_stream = !dst.ctr && strcmp(dst.path, "-") == 0;
        if (!src.ctr && !dst.ctr)
                return cu_error_setx(err, EINVAL, "copying between two host paths is not supported: "
                                     "one of SRC_PATH and DEST_PATH must name a container");
        int r = 0;
        _cleanup_close_ int sfd = -1, dparent = -1, dfd = -1;
        struct stat sst = { 0 };
        struct cp_plan plan = { 0 };
        for (struct loc *l = &src; r >= 0 && l; l = l == &src ? &dst : NULL) {
                if (!l->ctr)
                        continue;
                if (l == &dst && src.ctr && strcmp(src.ctr, dst.ctr) == 0) {
                        /* one container on both sides: one open (one lock) */
                        dst.root = src.root;
                        dst.root.lock = NULL;
                        dst.root.config = json_incref(src.root.config);
                        dst.root.fd = dup(src.root.fd);
                        dst.root.unmount = false;
                        dst.open = true;
                        continue;
                }
                r = engine_root_open(e, l->ctr, false, &l->root, err);
                if (r == -ENOENT)
                        r = cu_error_setx(err, ENOENT, "container \"%s\" does not exist", l->ctr);
                l->open = r >= 0;
        }
        if (r < 0)
                goto out;
        /* the source */
        if (!src_stream) {
                sfd = loc_open(&src, src.path, O_PATH);
                if (sfd < 0 || fstat(sfd, &sst) < 0) {
                        r = not_found(&src, src.path, sfd < 0 ? -sfd : errno, err);
                        goto out;
                }
        }
        if (dst_stream) {
                r = write_tar(sfd, &sst, src.path, o->out_fd, err);
                goto out;
        }
        /* the destination */
        enum cp_kind dk = CP_MISSING;
        dfd = loc_open(&dst, dst.path, O_PATH);
        struct stat dst_st;
        if (dfd >= 0 && fstat(dfd, &dst_st) == 0)
                dk = S_ISDIR(dst_st.st_mode) ? CP_DIR : CP_FILE;
        else if (dfd != -ENOENT) {
                r = not_found(&dst, dst.path, dfd < 0 ? -dfd : errno, err);
                goto out;
        }
        struct cp_opts co = { .overwrite = o->overwrite };
        if (dst.ctr && o->archive) {
                co.chown = true;
                r = ctr_user(&dst, &co.uid, &co.gid, err);
                if (r < 0)
                        goto out;
        } else if (!dst.ctr) {
                co.chown = true;
                co.uid = geteuid();
                co.gid = getegid();
        }
        if (dst.ctr) { /* a user namespace: the owner as the host sees it */
                uint32_t hu = co.chown ? co.uid : 0, hg = co.chown ? co.gid : 0;
                if (engine_idmap_owner_to_host(dst.root.config, &hu, &hg)) {
                        co.chown = true;
                        co.uid = hu;
                        co.gid = hg;
                }
        }
        if (src_stream) {
                if (dk != CP_DIR) {
                        r = cu_error_setx(err, ENOTDIR, "destination must be a directory when copying from stdin");
                        goto out;
                }
                _cleanup_close_ int dd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                r = dd < 0 ? cu_error_set(err, errno, "opening %s", dst.path) : put_tar(e, o->in_fd, dd, &co, err);
                goto out;
        }
        r = cp_plan_make(src.path, S_ISDIR(sst.st_mode) ? CP_DIR : CP_FILE, dst.path, dk, &plan, err);
        if (r < 0) {
                if (r == -ENOENT) {
                        cu_error_clear(err);
                        r = not_found(&dst, dst.path, ENOENT, err);
                }
                goto out;
        }
        int target = dfd;
        if (plan.into_parent) {
                _cleanup_free_ char *parent = parent_of(dst.path);
                if (!parent) {
                        r = -ENOMEM;
                        goto out;
                }
                dparent = loc_open(&dst, parent, O_PATH | O_DIRECTORY);
                if (dparent < 0) {
                        r = not_found(&dst, dst.path, -dparent, err);
                        goto out;
                }
                target = dparent;
        }
        struct copier c = { .o = &co, .skip_devices = !dst.ctr };
        if (plan.contents_only)
                r = copy_contents(&c, sfd, target, err);
        else {
                r = copy_node(&c, sfd, &sst, target, plan.name, err);
                copier_done(&c);
        }
        if (r < 0)
                r = cu_error_prefix(err, r, "copying \"%s\"", src.path);
out:
        cp_plan_done(&plan);
        if (dst.open)
                engine_root_close(e, &dst.root);
        if (src.open)
                engine_root_close(e, &src.root);
        return r;
}
