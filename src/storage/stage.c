/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "copy.h"
#include "stage.h"
#include "state/db.h"
#include "unpack.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/strv.h"

struct staged_layer {
        char chain[DIGEST_STR_LEN + 1];
        char diff[DIGEST_STR_LEN + 1];
        uint64_t size;
        bool published; /* an earlier stage_commit_image() of this stage moved it */
};

struct stage {
        struct store *store;
        char *path; /* absolute */
        int fd;     /* the stage dir; flock'ed while alive */
        int blobs_fd, layers_fd;
        pthread_mutex_t mutex; /* layers[] (stage_layer may run in several threads) */
        struct staged_layer *layers;
        size_t n_layers;
        unsigned long next_tmp;
};

int stage_new(struct store *s, struct stage **ret, struct cu_error **err)
{
        _cleanup_stage_ struct stage *st = calloc(1, sizeof(*st));
        if (!st)
                return -ENOMEM;
        st->store = s;
        st->fd = st->blobs_fd = st->layers_fd = -1;
        pthread_mutex_init(&st->mutex, NULL);
        unsigned char rnd[8];
        if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
                return cu_error_set(err, errno, "getrandom");
        /* Made under a dot name, locked, then renamed: store_open() removes
         * unlocked staging dirs (crash leftovers) but skips dot names, so it
         * never sees one between its mkdir and its flock. */
        char name[32], hidden[40];
        snprintf(name, sizeof(name), "%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3],
                 rnd[4], rnd[5], rnd[6], rnd[7]);
        snprintf(hidden, sizeof(hidden), ".new-%s", name);
        _cleanup_close_ int tmpfd = openat(s->root_fd, "tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (tmpfd < 0)
                return cu_error_set(err, errno, "opening %s/tmp", s->root);
        if (mkdirat(tmpfd, hidden, 0700) < 0)
                return cu_error_set(err, errno, "creating a staging directory");
        st->fd = openat(tmpfd, hidden, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (st->fd < 0 || flock(st->fd, LOCK_EX) < 0 || renameat(tmpfd, hidden, tmpfd, name) < 0) {
                int e = errno;
                unlinkat(tmpfd, hidden, AT_REMOVEDIR);
                return cu_error_set(err, e, "creating a staging directory");
        }
        if (asprintf(&st->path, "%s/tmp/%s", s->root, name) < 0) {
                st->path = NULL;
                return -ENOMEM;
        }
        if (mkdirat(st->fd, "blobs", 0700) < 0 || mkdirat(st->fd, "layers", 0700) < 0)
                return cu_error_set(err, errno, "creating %s/blobs", st->path);
        st->blobs_fd = openat(st->fd, "blobs", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        st->layers_fd = openat(st->fd, "layers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (st->blobs_fd < 0 || st->layers_fd < 0)
                return cu_error_set(err, errno, "opening %s", st->path);
        *ret = TAKE_PTR(st);
        return 0;
}

struct stage *stage_free(struct stage *st)
{
        if (!st)
                return NULL;
        if (st->path)
                rm_rf(st->path);
        if (st->blobs_fd >= 0)
                close(st->blobs_fd);
        if (st->layers_fd >= 0)
                close(st->layers_fd);
        if (st->fd >= 0)
                close(st->fd);
        free(st->path);
        free(st->layers);
        pthread_mutex_destroy(&st->mutex);
        free(st);
        return NULL;
}

int stage_dirfd(struct stage *st)
{
        return st->fd;
}

const char *stage_path(struct stage *st)
{
        return st->path;
}

static int verify(const char *got, uint64_t size, const char *expected, int64_t expected_size,
                  struct cu_error **err)
{
        if (expected && strcmp(got, expected) != 0)
                return cu_error_setx(err, EINVAL, "digest mismatch: expected %s, got %s", expected, got);
        if (expected_size >= 0 && (uint64_t) expected_size != size)
                return cu_error_setx(err, EINVAL, "size mismatch for %s: expected %lld bytes, got %llu",
                                     expected ? expected : got, (long long) expected_size,
                                     (unsigned long long) size);
        return 0;
}

int stage_blob_fd(struct stage *st, int fd, const char *expected, int64_t expected_size,
                  char out[static DIGEST_STR_LEN + 1], uint64_t *ret_size, struct cu_error **err)
{
        int tfd = openat(st->blobs_fd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
        if (tfd < 0)
                return cu_error_set(err, errno, "creating a blob");
        _cleanup_close_ int t = tfd;
        _cleanup_digester_ struct digester *d = digester_new();
        if (!d)
                return -ENOMEM;
        /* On the heap: a __thread array is zeroed in every process and thread the
         * static binary starts, whether it copies anything or not. */
        const size_t buf_size = 1 << 20;
        _cleanup_free_ char *buf = malloc(buf_size);
        if (!buf)
                return cu_error_set(err, ENOMEM, "blob buffer");
        for (;;) {
                ssize_t n = read(fd, buf, buf_size);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return cu_error_set(err, errno, "reading blob");
                }
                if (n == 0)
                        break;
                digester_update(d, buf, (size_t) n);
                if (expected_size >= 0 && digester_bytes(d) > (uint64_t) expected_size)
                        return cu_error_setx(err, EINVAL, "blob %s is larger than its %lld bytes",
                                             expected ? expected : "", (long long) expected_size);
                int r = write_all(t, buf, (size_t) n);
                if (r < 0)
                        return cu_error_set(err, -r, "writing blob");
        }
        uint64_t size = digester_bytes(d);
        digester_final(d, out);
        int r = verify(out, size, expected, expected_size, err);
        if (r < 0)
                return r;
        char proc[64];
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", t);
        if (linkat(AT_FDCWD, proc, st->blobs_fd, digest_hex(out), AT_SYMLINK_FOLLOW) < 0 && errno != EEXIST)
                return cu_error_set(err, errno, "storing blob %s", out);
        if (ret_size)
                *ret_size = size;
        return 0;
}

int stage_blob_buffer(struct stage *st, const void *buf, size_t len,
                      char out[static DIGEST_STR_LEN + 1], struct cu_error **err)
{
        digest_buffer(buf, len, out);
        _cleanup_close_ int fd = openat(st->blobs_fd, digest_hex(out),
                                        O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return cu_error_set(err, errno, "creating blob %s", out);
        int r = write_all(fd, buf, len);
        if (r < 0)
                return cu_error_set(err, -r, "writing blob %s", out);
        return 0;
}

int stage_blob_adopt(struct stage *st, const char *relpath, const char *expected, int64_t expected_size,
                     char out[static DIGEST_STR_LEN + 1], uint64_t *ret_size, struct cu_error **err)
{
        _cleanup_close_ int fd = openat(st->fd, relpath, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return cu_error_set(err, errno, "opening %s", relpath);
        uint64_t size = 0;
        int r = digest_fd(fd, out, &size);
        if (r < 0)
                return cu_error_set(err, -r, "reading %s", relpath);
        r = verify(out, size, expected, expected_size, err);
        if (r < 0)
                return r;
        if (linkat(st->fd, relpath, st->blobs_fd, digest_hex(out), 0) < 0 && errno != EEXIST)
                return cu_error_set(err, errno, "storing blob %s", out);
        if (ret_size)
                *ret_size = size;
        return 0;
}

bool stage_has_blob(struct stage *st, const char *digest)
{
        return digest_valid(digest) && faccessat(st->blobs_fd, digest_hex(digest), F_OK, 0) == 0;
}

int stage_blob_open(struct stage *st, const char *digest, struct cu_error **err)
{
        if (!digest_valid(digest))
                return cu_error_setx(err, EINVAL, "invalid digest \"%s\"", digest);
        int fd = openat(st->blobs_fd, digest_hex(digest), O_RDONLY | O_CLOEXEC);
        if (fd >= 0)
                return fd;
        return store_blob_open(st->store, digest, err);
}

/* Copies the staged layer's record into *out (under the mutex). */
static bool find_staged(struct stage *st, const char *chain, struct staged_layer *out)
{
        bool found = false;
        pthread_mutex_lock(&st->mutex);
        for (size_t i = 0; i < st->n_layers && !found; i++)
                if (strcmp(st->layers[i].chain, chain) == 0) {
                        if (out)
                                *out = st->layers[i];
                        found = true;
                }
        pthread_mutex_unlock(&st->mutex);
        return found;
}

/* The directory of a layer staged here or already stored (O_RDONLY). */
static int open_layer_dir(struct stage *st, const char *chain)
{
        if (find_staged(st, chain, NULL))
                return openat(st->layers_fd, digest_hex(chain), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_free_ char *p = store_layer_relpath(st->store, chain);
        if (!p)
                return -EINVAL;
        return openat(st->store->root_fd, p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int stage_layer(struct stage *st, const char *digest, const char *parent_chain,
                const char *expected_diff_id, char chain_out[static DIGEST_STR_LEN + 1],
                char diff_out[static DIGEST_STR_LEN + 1], uint64_t *ret_size, struct cu_error **err)
{
        struct db *db = st->store->db;
        if (expected_diff_id) {
                char chain[DIGEST_STR_LEN + 1];
                layer_chain_id(parent_chain, expected_diff_id, chain);
                struct staged_layer sl;
                bool staged = find_staged(st, chain, &sl);
                if (staged || (store_layer_exists(st->store, chain) && images_layer_known(db, chain))) {
                        uint64_t size = staged ? sl.size : 0;
                        if (!staged)
                                images_layer_size(db, chain, &size);
                        memcpy(chain_out, chain, sizeof(chain));
                        memcpy(diff_out, expected_diff_id, DIGEST_STR_LEN + 1);
                        *ret_size = size;
                        log_debug("layer %s already present", chain);
                        return 0;
                }
        }
        _cleanup_close_ int blob = stage_blob_open(st, digest, err);
        if (blob < 0)
                return blob;
        char tmpname[32];
        snprintf(tmpname, sizeof(tmpname), "new-%lu", __atomic_fetch_add(&st->next_tmp, 1, __ATOMIC_RELAXED));
        if (mkdirat(st->layers_fd, tmpname, 0755) < 0)
                return cu_error_set(err, errno, "creating layer directory");
        _cleanup_close_ int dfd = openat(st->layers_fd, tmpname, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return cu_error_set(err, errno, "opening layer directory");
        bool vfs = st->store->driver == STORE_DRIVER_VFS;
        if (vfs && parent_chain) {
                _cleanup_close_ int pfd = open_layer_dir(st, parent_chain);
                if (pfd < 0)
                        return cu_error_set(err, -pfd, "opening parent layer %s", parent_chain);
                int r = copy_tree(pfd, dfd, err);
                if (r < 0)
                        return cu_error_prefix(err, r, "copying parent layer");
        }
        struct unpack_opts uo = { .overlay_whiteouts = !vfs, .no_chown = geteuid() != 0 };
        struct unpack_result res;
        int r = layer_unpack(blob, dfd, &uo, &res, err);
        if (r < 0)
                return cu_error_prefix(err, r, "extracting layer %s", digest);
        if (expected_diff_id && strcmp(res.diff_id, expected_diff_id) != 0)
                return cu_error_setx(err, EINVAL, "layer %s: diff ID mismatch: the image config says %s, "
                                     "the layer is %s", digest, expected_diff_id, res.diff_id);
        char chain[DIGEST_STR_LEN + 1];
        layer_chain_id(parent_chain, res.diff_id, chain);
        memcpy(chain_out, chain, sizeof(chain));
        memcpy(diff_out, res.diff_id, sizeof(res.diff_id));
        *ret_size = res.size;
        pthread_mutex_lock(&st->mutex);
        bool dup = false;
        for (size_t i = 0; i < st->n_layers; i++)
                dup = dup || strcmp(st->layers[i].chain, chain) == 0;
        if (dup) {
                /* Same layer twice: keep the first. */
                pthread_mutex_unlock(&st->mutex);
                return 0;
        }
        if (renameat(st->layers_fd, tmpname, st->layers_fd, digest_hex(chain)) < 0) {
                pthread_mutex_unlock(&st->mutex);
                return cu_error_set(err, errno, "naming layer %s", chain);
        }
        struct staged_layer *nl = realloc(st->layers, (st->n_layers + 1) * sizeof(*nl));
        if (!nl) {
                pthread_mutex_unlock(&st->mutex);
                return -ENOMEM;
        }
        st->layers = nl;
        struct staged_layer *l = &st->layers[st->n_layers++];
        memcpy(l->chain, chain, sizeof(chain));
        memcpy(l->diff, res.diff_id, sizeof(res.diff_id));
        l->size = res.size;
        l->published = false;
        pthread_mutex_unlock(&st->mutex);
        return 0;
}

static int publish(struct stage *st, struct cu_error **err)
{
        struct store *s = st->store;
        _cleanup_closedir_ DIR *d = NULL;
        int bfd = dup(st->blobs_fd);
        if (bfd < 0 || !(d = fdopendir(bfd))) {
                if (bfd >= 0)
                        close(bfd);
                return cu_error_set(err, errno, "listing staged blobs");
        }
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                char dst[32 + sizeof(de->d_name)];
                snprintf(dst, sizeof(dst), "blobs/sha256/%s", de->d_name);
                if (renameat(st->blobs_fd, de->d_name, s->root_fd, dst) < 0)
                        return cu_error_set(err, errno, "publishing blob %s", de->d_name);
        }
        for (size_t i = 0; i < st->n_layers; i++) {
                if (st->layers[i].published)
                        continue;
                _cleanup_free_ char *dst = store_layer_relpath(s, st->layers[i].chain);
                if (!dst)
                        return -ENOMEM;
                if (renameat2(st->layers_fd, digest_hex(st->layers[i].chain), s->root_fd, dst,
                              RENAME_NOREPLACE) < 0 && errno != EEXIST && errno != ENOTEMPTY)
                        return cu_error_set(err, errno, "publishing layer %s", st->layers[i].chain);
                st->layers[i].published = true;
        }
        return 0;
}

int stage_commit_images(struct stage *st, const struct image_new *ims, size_t n,
                        char (*ids)[DIGEST_HEX_LEN + 1], struct cu_error **err)
{
        struct store *s = st->store;
        struct store_lock *lk = NULL;
        int r = store_lock(s, &lk, err);
        if (r < 0)
                return r;
        r = publish(st, err);
        /* Whatever was skipped as present must still be there (a concurrent
         * removal could have collected it between our check and our lock). */
        for (size_t k = 0; r >= 0 && k < n; k++) {
                for (size_t i = 0; r >= 0 && i < ims[k].n_layers; i++)
                        if (!store_layer_exists(s, ims[k].layers[i]))
                                r = cu_error_setx(err, EAGAIN, "layer %s was removed concurrently",
                                                  ims[k].layers[i]);
                for (size_t i = 0; r >= 0 && i < ims[k].n_blobs; i++)
                        if (!store_blob_exists(s, ims[k].blobs[i]))
                                r = cu_error_setx(err, EAGAIN, "blob %s was removed concurrently",
                                                  ims[k].blobs[i]);
        }
        /* One transaction: every image is recorded, or none. */
        if (r >= 0)
                r = db_begin(s->db, err);
        if (r >= 0) {
                for (size_t k = 0; r >= 0 && k < n; k++)
                        r = images_insert(s->db, &ims[k], ids[k], err);
                r = db_end(s->db, r, err);
        }
        store_unlock(lk);
        return r;
}

int stage_commit_image(struct stage *st, const struct image_new *im,
                       char id[static DIGEST_HEX_LEN + 1], struct cu_error **err)
{
        char ids[1][DIGEST_HEX_LEN + 1];
        int r = stage_commit_images(st, im, 1, ids, err);
        if (r >= 0)
                memcpy(id, ids[0], sizeof(ids[0]));
        return r;
}
