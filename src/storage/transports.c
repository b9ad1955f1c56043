/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Image transports for pull and push: names parsed, archives and layout
 * directories read through archive_load_from() and written through
 * archive_save()/archive_save_dir(). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image-archive.h"
#include "images.h"
#include "manifest.h"
#include "reference.h"
#include "transports.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/strv.h"

static const char *const transport_names[_TRANSPORT_MAX] = {
        [TRANSPORT_DOCKER] = "docker",
        [TRANSPORT_DOCKER_ARCHIVE] = "docker-archive",
        [TRANSPORT_OCI_ARCHIVE] = "oci-archive",
        [TRANSPORT_OCI] = "oci",
        [TRANSPORT_DIR] = "dir",
        [TRANSPORT_CONTAINERS_STORAGE] = "containers-storage",
        [TRANSPORT_DOCKER_DAEMON] = "docker-daemon",
};

const char *transport_to_string(enum transport t)
{
        return t >= 0 && t < _TRANSPORT_MAX ? transport_names[t] : NULL;
}

enum transport transport_from_string(const char *s)
{
        for (int i = 0; s && i < _TRANSPORT_MAX; i++)
                if (strcmp(transport_names[i], s) == 0)
                        return (enum transport) i;
        return _TRANSPORT_INVALID;
}

void transport_ref_done(struct transport_ref *r)
{
        free(r->path);
        free(r->ref);
        *r = (struct transport_ref) { .index = -1 };
}

/* Go's error strings: strerror in lower case ("no such file or directory"). */
static const char *go_strerror(int errnum, char buf[static 128])
{
        snprintf(buf, 128, "%s", strerror(errnum));
        buf[0] = (char) tolower((unsigned char) buf[0]);
        return buf;
}

/* The transport named before the first ':' of name, or _TRANSPORT_INVALID;
 * *rest: what follows.  "docker" counts only as "docker://". */
static enum transport prefix_of(const char *name, const char **rest)
{
        const char *colon = strchr(name, ':');
        if (!colon || colon == name || (size_t) (colon - name) > 32)
                return _TRANSPORT_INVALID;
        char t[40];
        snprintf(t, sizeof(t), "%.*s", (int) (colon - name), name);
        enum transport k = transport_from_string(t);
        if (k == TRANSPORT_DOCKER) {
                if (strncmp(colon + 1, "//", 2) != 0)
                        return _TRANSPORT_INVALID;
                *rest = colon + 3;
                return k;
        }
        *rest = colon + 1;
        return k;
}

static int split_path_ref(const char *name, enum transport k, const char *rest, struct transport_ref *r,
                          struct cu_error **err)
{
        const char *colon = (k == TRANSPORT_DIR || k == TRANSPORT_DOCKER || k == TRANSPORT_CONTAINERS_STORAGE ||
                             k == TRANSPORT_DOCKER_DAEMON) ? NULL : strchr(rest, ':');
        size_t plen = colon ? (size_t) (colon - rest) : strlen(rest);
        if (plen == 0)
                return cu_error_setx(err, EINVAL, "Invalid image name \"%s\": the %s transport needs a %s", name,
                                     transport_to_string(k),
                                     k == TRANSPORT_DOCKER || k == TRANSPORT_CONTAINERS_STORAGE ||
                                     k == TRANSPORT_DOCKER_DAEMON ? "reference" : "path");
        r->path = strndup(rest, plen);
        if (!r->path)
                return -ENOMEM;
        if (!colon || !colon[1])
                return 0;
        const char *ref = colon + 1;
        if (k == TRANSPORT_DOCKER_ARCHIVE && ref[0] == '@') {
                char *end = NULL;
                errno = 0;
                long v = strtol(ref + 1, &end, 10);
                if (errno || !end || *end || end == ref + 1 || v < 0 || v > INT_MAX)
                        return cu_error_setx(err, EINVAL, "Invalid source index %s", ref);
                r->index = (int) v;
                return 0;
        }
        if (k == TRANSPORT_DOCKER_ARCHIVE) {
                struct image_ref probe = { 0 };
                int q = image_ref_parse(ref, &probe, err);
                bool digested = q >= 0 && probe.digest;
                image_ref_done(&probe);
                if (q < 0)
                        return cu_error_prefix(err, q, "docker-archive reference \"%s\"", ref);
                if (digested)
                        return cu_error_setx(err, EINVAL, "docker-archive doesn't support digest references");
        }
        r->ref = strdup(ref);
        return r->ref ? 0 : -ENOMEM;
}

int transport_ref_parse(const char *name, const char *default_transport, struct transport_ref *ret,
                        struct cu_error **err)
{
        const char *rest = NULL;
        enum transport k = prefix_of(name, &rest);
        _cleanup_free_ char *full = NULL;
        if (k < 0) {
                const char *def = default_transport && *default_transport ? default_transport : "docker://";
                size_t n = strlen(def);
                if (n > 3 && strcmp(def + n - 3, "://") == 0)
                        n -= 3;
                else if (n > 1 && def[n - 1] == ':')
                        n -= 1;
                else
                        n = 0;
                char t[40];
                snprintf(t, sizeof(t), "%.*s", (int) (n < 39 ? n : 39), def);
                k = n ? transport_from_string(t) : _TRANSPORT_INVALID;
                if (k < 0)
                        return cu_error_setx(err, EINVAL, "invalid image_default_transport \"%s\" in containers.conf",
                                             def);
                rest = name;
                if (asprintf(&full, "%s%s%s", transport_to_string(k), k == TRANSPORT_DOCKER ? "://" : ":",
                             name) < 0)
                        return -ENOMEM;
                name = full;
        }
        struct transport_ref r = { .transport = k, .index = -1 };
        int q = split_path_ref(name, k, rest, &r, err);
        if (q < 0) {
                transport_ref_done(&r);
                return q;
        }
        *ret = r;
        return 0;
}

char *transport_ref_string(const struct transport_ref *r)
{
        char *s = NULL;
        const char *t = transport_to_string(r->transport);
        int q;
        if (r->transport == TRANSPORT_DOCKER)
                q = asprintf(&s, "docker://%s", r->path);
        else if (r->index >= 0)
                q = asprintf(&s, "%s:%s:@%d", t, r->path, r->index);
        else
                q = asprintf(&s, "%s:%s%s%s", t, r->path, r->ref ? ":" : "", r->ref ? r->ref : "");
        return q < 0 ? NULL : s;
}

/* Opens the source of a pull with podman's errors for a missing one. */
static int open_source(const struct transport_ref *r, struct cu_error **err)
{
        char eb[128];
        bool is_dir = r->transport == TRANSPORT_OCI || r->transport == TRANSPORT_DIR;
        int fd = open(r->path, (is_dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
        int e = errno;
        if (r->transport == TRANSPORT_OCI || r->transport == TRANSPORT_DIR) {
                const char *want = r->transport == TRANSPORT_OCI ? "index.json" : "manifest.json";
                if (fd >= 0 && faccessat(fd, want, F_OK, 0) < 0) {
                        e = errno;
                        close(fd);
                        fd = -1;
                }
                if (fd >= 0)
                        return fd;
                if (r->transport == TRANSPORT_DIR)
                        return cu_error_setx(err, e, "open %s/%s: %s", r->path, want, go_strerror(e, eb));
                return cu_error_setx(err, e, "initializing source oci:%s:%s: open %s/%s: %s", r->path,
                                     r->ref ? r->ref : "", r->path, want, go_strerror(e, eb));
        }
        if (fd >= 0)
                return fd;
        if (r->transport == TRANSPORT_OCI_ARCHIVE)
                return cu_error_setx(err, e, "creating temp directory: open %s: %s", r->path, go_strerror(e, eb));
        return cu_error_setx(err, e, "opening file \"%s\": open %s: %s", r->path, r->path, go_strerror(e, eb));
}

static int pull_local(struct store *s, const struct transport_ref *r, char ***ret_ids, struct cu_error **err)
{
        _cleanup_image_rec_ struct image_rec *im = NULL;
        int q = image_lookup(s->db, r->path, &im, err);
        if (q < 0)
                return cu_error_prefix(err, q, "initializing source containers-storage:%s", r->path);
        return strv_extend(ret_ids, im->id);
}

int transport_pull(struct store *s, const struct transport_ref *r, FILE *progress, char ***ret_ids,
                   struct cu_error **err)
{
        static const enum image_source kinds[_TRANSPORT_MAX] = {
                [TRANSPORT_DOCKER_ARCHIVE] = IMAGE_SOURCE_DOCKER_ARCHIVE,
                [TRANSPORT_OCI_ARCHIVE] = IMAGE_SOURCE_OCI_ARCHIVE,
                [TRANSPORT_OCI] = IMAGE_SOURCE_OCI_DIR,
                [TRANSPORT_DIR] = IMAGE_SOURCE_DIR,
        };
        _cleanup_strv_ char **ids = NULL;
        switch (r->transport) {
        case TRANSPORT_CONTAINERS_STORAGE: {
                int q = pull_local(s, r, &ids, err);
                if (q < 0)
                        return q;
                *ret_ids = TAKE_PTR(ids);
                return 0;
        }
        case TRANSPORT_DOCKER_ARCHIVE:
        case TRANSPORT_OCI_ARCHIVE:
        case TRANSPORT_OCI:
        case TRANSPORT_DIR:
                break;
        default:
                return cu_error_setx(err, ENOTSUP, "initializing source %s:%s: the %s transport is not supported",
                                     transport_to_string(r->transport), r->path, transport_to_string(r->transport));
        }
        _cleanup_free_ char *name = NULL;
        /* podman 4.3 names an image from an OCI layout directory after its path. */
        if (r->transport == TRANSPORT_OCI) {
                const char *p = r->path;
                while (*p == '/')
                        p++;
                if (asprintf(&name, "localhost/%s", p) < 0)
                        return -ENOMEM;
                _cleanup_free_ char *norm = image_ref_normalize_string(name, "localhost", NULL);
                if (!norm) {
                        log_debug("\"%s\" is no valid image name: the image is stored without one", name);
                        free(name);
                        name = NULL;
                }
        }
        struct load_opts lo = {
                .ref = r->transport == TRANSPORT_DIR ? NULL : r->ref,
                .index = r->index,
                .one = true,
                .name = name,
                .no_names = r->transport == TRANSPORT_DIR || (r->transport == TRANSPORT_OCI && !name),
                .progress = progress,
        };
        _cleanup_close_ int fd = open_source(r, err);
        if (fd < 0)
                return fd;
        int q = archive_load_from(s, kinds[r->transport], fd, &lo, NULL, &ids, err);
        if (q < 0)
                return q;
        *ret_ids = TAKE_PTR(ids);
        return 0;
}

static void push_progress(FILE *f, struct store *s, const char *id, bool done)
{
        if (!f)
                return;
        if (done) {
                fputs("Writing manifest to image destination\nStoring signatures\n", f);
                return;
        }
        fputs("Getting image source signatures\n", f);
        _cleanup_image_rec_ struct image_rec *im = NULL;
        struct manifest m = { 0 };
        if (image_get(s->db, id, &im, NULL) < 0 || manifest_parse(im->manifest, strlen(im->manifest), &m, NULL) < 0)
                return;
        for (size_t i = 0; i < m.n_layers; i++)
                fprintf(f, "Copying blob %s\n", m.layers[i].digest);
        fprintf(f, "Copying config %s\n", m.config.digest);
        manifest_done(&m);
}

/* The directory part of path ("." for none), malloc'd. */
static char *parent_of(const char *path)
{
        const char *slash = strrchr(path, '/');
        if (!slash)
                return strdup(".");
        if (slash == path)
                return strdup("/");
        return strndup(path, (size_t) (slash - path));
}

/* docker-archive, oci-archive: a temporary file beside path, renamed over it. */
static int push_archive(struct store *s, const struct transport_ref *d, const struct save_item *items, size_t n,
                        FILE *progress, struct cu_error **err)
{
        char eb[128];
        const char *t = transport_to_string(d->transport);
        struct stat st;
        if (d->transport == TRANSPORT_DOCKER_ARCHIVE && stat(d->path, &st) == 0 && S_ISREG(st.st_mode) &&
            st.st_size != 0)
                return cu_error_setx(err, EEXIST, "initializing destination %s:%s: docker-archive doesn't "
                                     "support modifying existing images", t, d->path);
        _cleanup_free_ char *dir = parent_of(d->path), *tmp = NULL;
        if (!dir || asprintf(&tmp, "%s/.cuttle-push-XXXXXX", dir) < 0)
                return -ENOMEM;
        _cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0) {
                int e = errno;
                return cu_error_setx(err, e, "initializing destination %s:%s: opening file \"%s\": open %s: %s", t,
                                     d->path, d->path, d->path, go_strerror(e, eb));
        }
        push_progress(progress, s, items[0].id, false);
        int q = archive_save(s, fd, d->transport == TRANSPORT_OCI_ARCHIVE ? ARCHIVE_OCI : ARCHIVE_DOCKER, items, n,
                             err);
        if (q >= 0 && (fsync(fd) < 0 || fchmod(fd, 0644) < 0 || rename(tmp, d->path) < 0))
                q = cu_error_set(err, errno, "writing %s", d->path);
        if (q < 0)
                unlink(tmp);
        return q;
}

/* oci:, dir:.  An existing OCI layout gets the image added in place (blobs
 * first, index.json replaced last); anything else is built in a temporary
 * directory beside path and renamed into place. */
static int push_dir(struct store *s, const struct transport_ref *d, const struct save_item *items, size_t n,
                    FILE *progress, struct cu_error **err)
{
        char eb[128];
        enum archive_format fmt = d->transport == TRANSPORT_OCI ? ARCHIVE_OCI_DIR : ARCHIVE_DOCKER_DIR;
        struct stat st;
        bool exists = stat(d->path, &st) == 0;
        if (exists && !S_ISDIR(st.st_mode))
                return cu_error_setx(err, ENOTDIR, "initializing destination %s:%s: %s is not a directory",
                                     transport_to_string(d->transport), d->path, d->path);
        if (exists && fmt == ARCHIVE_OCI_DIR) {
                _cleanup_close_ int dfd = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (dfd < 0)
                        return cu_error_set(err, errno, "opening %s", d->path);
                push_progress(progress, s, items[0].id, false);
                return archive_save_dir(s, dfd, fmt, items, n, err);
        }
        _cleanup_free_ char *dir = parent_of(d->path), *tmp = NULL;
        if (!dir || asprintf(&tmp, "%s/.cuttle-push-XXXXXX", dir) < 0)
                return -ENOMEM;
        if (!mkdtemp(tmp)) {
                int e = errno;
                return cu_error_setx(err, e, "lstat %s: %s", dir, go_strerror(e, eb));
        }
        _cleanup_close_ int dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int q = dfd < 0 ? cu_error_set(err, errno, "opening %s", tmp) : 0;
        push_progress(progress, s, items[0].id, false);
        if (q >= 0)
                q = archive_save_dir(s, dfd, fmt, items, n, err);
        if (q >= 0 && chmod(tmp, 0755) < 0)
                q = cu_error_set(err, errno, "writing %s", d->path);
        if (q >= 0 && exists) {
                /* dir: replaces a previous dir: image, never anything else */
                _cleanup_close_ int old = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                int dup_fd = old >= 0 ? fcntl(old, F_DUPFD_CLOEXEC, 3) : -1;
                _cleanup_closedir_ DIR *dp = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
                if (!dp && dup_fd >= 0)
                        close(dup_fd);
                size_t entries = 0;
                for (struct dirent *de; dp && (de = readdir(dp));)
                        entries += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
                if (!dp)
                        q = cu_error_set(err, errno, "reading %s", d->path);
                else if (entries > 0 && faccessat(old, "version", F_OK, 0) < 0)
                        q = cu_error_setx(err, EEXIST, "initializing destination dir:%s: refusing to overwrite %s: "
                                          "it is not a dir: image directory", d->path, d->path);
                if (q >= 0 && renameat2(AT_FDCWD, tmp, AT_FDCWD, d->path, RENAME_EXCHANGE) < 0)
                        q = cu_error_set(err, errno, "replacing %s", d->path);
        } else if (q >= 0 && rename(tmp, d->path) < 0) {
                q = cu_error_set(err, errno, "writing %s", d->path);
        }
        rm_rf(tmp); /* the half-made directory, or the replaced one */
        return q;
}

int transport_push(struct store *s, const char *id, const char *src_name, const struct transport_ref *dest,
                   FILE *progress, struct cu_error **err)
{
        if (dest->index >= 0)
                return cu_error_setx(err, EINVAL, "Invalid image name \"docker-archive:%s:@%d\": a source index "
                                     "(@N) cannot name a destination", dest->path, dest->index);
        struct save_item items[2] = { { .id = id } };
        size_t n = 1;
        _cleanup_free_ char *norm = NULL;
        switch (dest->transport) {
        case TRANSPORT_CONTAINERS_STORAGE:
                if (!(norm = image_ref_normalize_string(dest->path, "localhost", err)))
                        return -EINVAL;
                return image_tag(s->db, id, norm, err);
        case TRANSPORT_DOCKER_ARCHIVE:
                /* the destination's tag, then the source's name (podman's RepoTags) */
                if (dest->ref && !(norm = image_ref_normalize_string(dest->ref, "docker.io", err)))
                        return -EINVAL;
                items[0].name = norm ? norm : src_name;
                if (norm && src_name && strcmp(norm, src_name) != 0)
                        items[n++] = (struct save_item) { .id = id, .name = src_name };
                break;
        case TRANSPORT_OCI_ARCHIVE:
        case TRANSPORT_OCI:
                items[0].name = dest->ref;
                break;
        case TRANSPORT_DIR:
                break;
        default:
                return cu_error_setx(err, ENOTSUP, "initializing destination %s:%s: the %s transport is not supported",
                                     transport_to_string(dest->transport), dest->path,
                                     transport_to_string(dest->transport));
        }
        int q = dest->transport == TRANSPORT_OCI || dest->transport == TRANSPORT_DIR ?
                push_dir(s, dest, items, n, progress, err) : push_archive(s, dest, items, n, progress, err);
        if (q < 0)
                return q;
        push_progress(progress, s, id, true);
        return 0;
}
