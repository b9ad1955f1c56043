/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/tar-write.h"

#define BLOCK 512
#define COPY_BUF (1U << 20)

static const char zeros[2 * BLOCK];

/* ---- header encoding ---- */

/* ustar field offsets and sizes */
enum {
        F_NAME = 0, S_NAME = 100,
        F_MODE = 100, S_MODE = 8,
        F_UID = 108, S_UID = 8,
        F_GID = 116, S_GID = 8,
        F_SIZE = 124, S_SIZE = 12,
        F_MTIME = 136, S_MTIME = 12,
        F_CHKSUM = 148, S_CHKSUM = 8,
        F_TYPE = 156,
        F_LINK = 157, S_LINK = 100,
        F_MAGIC = 257,
        F_UNAME = 265, S_UNAME = 32,
        F_GNAME = 297, S_GNAME = 32,
        F_DEVMAJOR = 329, S_DEVMAJOR = 8,
        F_DEVMINOR = 337, S_DEVMINOR = 8,
        F_PREFIX = 345, S_PREFIX = 155,
};

static const char type_flags[_TAR_TYPE_MAX] = {
        [TAR_REG] = '0', [TAR_HARDLINK] = '1', [TAR_SYMLINK] = '2', [TAR_CHAR] = '3',
        [TAR_BLOCK] = '4', [TAR_DIR] = '5', [TAR_FIFO] = '6',
};

static bool is_ascii(const char *s)
{
        for (; *s; s++)
                if ((unsigned char) *s >= 0x80)
                        return false;
        return true;
}

static bool is_utf8(const char *s)
{
        const unsigned char *p = (const unsigned char *) s;
        while (*p) {
                unsigned n = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2
                                           : (*p & 0xf8) == 0xf0 ? 3 : 4;
                if (n == 4 || (n == 1 && *p < 0xc2))
                        return false;
                for (unsigned i = 1; i <= n; i++)
                        if ((p[i] & 0xc0) != 0x80)
                                return false;
                p += n + 1;
        }
        return true;
}

/* Copies the ASCII characters of s (as Go's toASCII) into a field, truncated to its size. */
static void put_str(char *field, size_t size, const char *s, size_t len)
{
        size_t j = 0;
        for (size_t i = 0; i < len && j < size; i++)
                if ((unsigned char) s[i] < 0x80)
                        field[j++] = s[i];
}

static bool fits_octal(size_t size, uint64_t v)
{
        /* size - 1 digits and a NUL */
        return (size - 1) * 3 >= 64 || v < ((uint64_t) 1 << ((size - 1) * 3));
}

/* Zero-padded octal in size - 1 digits and a NUL; 0 when v does not fit (it is in the pax
 * header then). */
static void put_octal(char *field, size_t size, uint64_t v)
{
        if (!fits_octal(size, v))
                v = 0;
        for (size_t i = size - 1; i-- > 0; v >>= 3)
                field[i] = (char) ('0' + (v & 7));
        field[size - 1] = '\0';
}

static void put_checksum(char *block)
{
        unsigned sum = 0;
        memset(block + F_CHKSUM, ' ', S_CHKSUM);
        for (size_t i = 0; i < BLOCK; i++)
                sum += (unsigned char) block[i];
        put_octal(block + F_CHKSUM, 7, sum);
        block[F_CHKSUM + 7] = ' ';
}

/* Go's splitUSTARPath: a name longer than 100 bytes split at a '/' into prefix (≤ 155) and
 * name (1..100).  Returns the prefix length, or 0 when it cannot be split. */
static size_t ustar_split(const char *name, size_t len)
{
        if (len <= S_NAME || !is_ascii(name))
                return 0;
        size_t limit = len;
        if (limit > S_PREFIX + 1)
                limit = S_PREFIX + 1;
        else if (name[limit - 1] == '/')
                limit--;
        const char *slash = memrchr(name, '/', limit);
        if (!slash || slash == name)
                return 0;
        size_t plen = (size_t) (slash - name), nlen = len - plen - 1;
        if (nlen > S_NAME || nlen == 0 || plen > S_PREFIX)
                return 0;
        return plen;
}

struct pax_rec {
        char *key;
        char *val;
        size_t vlen;
};

struct pax {
        struct pax_rec *v;
        size_t n;
};

static void pax_done(struct pax *p)
{
        for (size_t i = 0; i < p->n; i++) {
                free(p->v[i].key);
                free(p->v[i].val);
        }
        free(p->v);
}

static int pax_add(struct pax *p, const char *prefix, const char *key, const void *val,
                   size_t vlen)
{
        struct pax_rec *nv = realloc(p->v, (p->n + 1) * sizeof(*nv));
        if (!nv)
                return -ENOMEM;
        p->v = nv;
        struct pax_rec *r = &p->v[p->n];
        r->val = malloc(vlen + 1);
        if (!r->val || asprintf(&r->key, "%s%s", prefix, key) < 0) {
                free(r->val);
                return -ENOMEM;
        }
        memcpy(r->val, val, vlen);
        r->val[vlen] = '\0';
        r->vlen = vlen;
        p->n++;
        return 0;
}

static int pax_add_str(struct pax *p, const char *key, const char *val)
{
        return pax_add(p, "", key, val, strlen(val));
}

static int pax_add_num(struct pax *p, const char *key, uint64_t v)
{
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%llu", (unsigned long long) v);
        return pax_add(p, "", key, buf, (size_t) n);
}

/* "sec[.frac]" with trailing zeros trimmed, negative times as Go's formatPAXTime. */
static int pax_add_time(struct pax *p, const char *key, struct timespec ts, bool subsecond)
{
        long long sec = ts.tv_sec;
        long nsec = subsecond ? ts.tv_nsec : 0;
        const char *sign = "";
        if (sec < 0) {
                sign = "-";
                if (nsec > 0) {
                        sec = -(sec + 1);
                        nsec = 1000000000L - nsec;
                } else
                        sec = -sec;
        }
        char buf[64];
        int n = snprintf(buf, sizeof(buf), "%s%lld", sign, sec);
        if (nsec > 0) {
                n += snprintf(buf + n, sizeof(buf) - (size_t) n, ".%09ld", nsec);
                while (buf[n - 1] == '0')
                        n--;
        }
        return pax_add(p, "", key, buf, (size_t) n);
}

static int pax_cmp(const void *a, const void *b)
{
        return strcmp(((const struct pax_rec *) a)->key, ((const struct pax_rec *) b)->key);
}

static size_t ndigits(size_t n)
{
        size_t d = 1;
        while (n >= 10) {
                n /= 10;
                d++;
        }
        return d;
}

/* Length of "LEN KEY=VALUE\n", LEN counting the whole record. */
static size_t pax_rec_len(const struct pax_rec *r)
{
        size_t base = strlen(r->key) + r->vlen + 3, len = base + ndigits(base);
        return ndigits(len) > ndigits(base) ? len + 1 : len;
}

static int pax_build(struct pax *p, char **ret, size_t *ret_len)
{
        qsort(p->v, p->n, sizeof(*p->v), pax_cmp);
        size_t total = 0;
        for (size_t i = 0; i < p->n; i++)
                total += pax_rec_len(&p->v[i]);
        char *buf = malloc(total + 1), *q = buf;
        if (!buf)
                return -ENOMEM;
        for (size_t i = 0; i < p->n; i++) {
                q += sprintf(q, "%zu %s=", pax_rec_len(&p->v[i]), p->v[i].key);
                memcpy(q, p->v[i].val, p->v[i].vlen);
                q += p->v[i].vlen;
                *q++ = '\n';
        }
        *ret = buf;
        *ret_len = total;
        return 0;
}

/* Go's name for the pax header of NAME: path.Join(dir, "PaxHeaders.0", base), ASCII only,
 * truncated to 100 bytes, without trailing '/'. */
static int put_pax_name(char *block, const char *name)
{
        const char *slash = strrchr(name, '/');
        size_t dlen = slash ? (size_t) (slash - name) : 0;
        while (dlen > 0 && name[dlen - 1] == '/')
                dlen--;
        const char *file = slash ? slash + 1 : name;
        _cleanup_free_ char *buf = NULL;
        int n = asprintf(&buf, "%.*s%sPaxHeaders.0%s%s", (int) dlen, name, dlen ? "/" : "",
                         *file ? "/" : "", file);
        if (n < 0)
                return -ENOMEM;
        put_str(block + F_NAME, S_NAME, buf, (size_t) n);
        for (size_t i = strnlen(block + F_NAME, S_NAME); i > 0 && block[F_NAME + i - 1] == '/'; i--)
                block[F_NAME + i - 1] = '\0';
        return 0;
}

static void put_magic(char *block)
{
        memcpy(block + F_MAGIC, "ustar\0" "00", 8);
}

/* Fills the pax records an entry needs and its ustar block. */
static int encode_fields(const struct tar_entry *e, const char *name, bool subsecond,
                         struct pax *p, char *block, struct cu_error **err)
{
        int r = 0;
        bool binary = !is_utf8(name);

        const char *link = e->type == TAR_SYMLINK || e->type == TAR_HARDLINK ? e->linkname : "";
        put_str(block + F_LINK, S_LINK, link, strlen(link));
        if (r >= 0 && (strlen(link) > S_LINK || !is_ascii(link)))
                r = pax_add_str(p, "linkpath", link);
        binary = binary || !is_utf8(link);

        const char *ids[2] = { strempty(e->uname), strempty(e->gname) };
        for (int i = 0; i < 2 && r >= 0; i++) {
                put_str(block + (i ? F_GNAME : F_UNAME), S_UNAME, ids[i], strlen(ids[i]));
                if (strlen(ids[i]) > S_UNAME || !is_ascii(ids[i]))
                        r = pax_add_str(p, i ? "gname" : "uname", ids[i]);
                binary = binary || !is_utf8(ids[i]);
        }

        uint64_t size = e->type == TAR_REG ? e->size : 0;
        put_octal(block + F_MODE, S_MODE, e->mode & 07777);
        put_octal(block + F_UID, S_UID, e->uid);
        put_octal(block + F_GID, S_GID, e->gid);
        put_octal(block + F_SIZE, S_SIZE, size);
        if (r >= 0 && !fits_octal(S_UID, e->uid))
                r = pax_add_num(p, "uid", e->uid);
        if (r >= 0 && !fits_octal(S_GID, e->gid))
                r = pax_add_num(p, "gid", e->gid);
        if (r >= 0 && !fits_octal(S_SIZE, size))
                r = pax_add_num(p, "size", size);

        bool mtime_fits = e->mtime.tv_sec >= 0 && fits_octal(S_MTIME, (uint64_t) e->mtime.tv_sec);
        put_octal(block + F_MTIME, S_MTIME, mtime_fits ? (uint64_t) e->mtime.tv_sec : 0);
        if (r >= 0 && (!mtime_fits || (subsecond && e->mtime.tv_nsec != 0)))
                r = pax_add_time(p, "mtime", e->mtime, subsecond);

        bool dev = e->type == TAR_CHAR || e->type == TAR_BLOCK;
        if (dev && (!fits_octal(S_DEVMAJOR, e->devmajor) || !fits_octal(S_DEVMINOR, e->devminor)))
                return cu_error_setx(err, EINVAL, "device number %u:%u too large for tar",
                                     e->devmajor, e->devminor);
        put_octal(block + F_DEVMAJOR, S_DEVMAJOR, dev ? e->devmajor : 0);
        put_octal(block + F_DEVMINOR, S_DEVMINOR, dev ? e->devminor : 0);

        for (size_t i = 0; i < e->n_xattrs && r >= 0; i++) {
                const char *xn = e->xattrs[i].name;
                if (!xn || !*xn || strchr(xn, '='))
                        return cu_error_setx(err, EINVAL, "invalid xattr name \"%s\"",
                                             strempty(xn));
                r = pax_add(p, "SCHILY.xattr.", xn, e->xattrs[i].value, e->xattrs[i].size);
        }
        if (r >= 0 && binary)
                r = pax_add_str(p, "hdrcharset", "BINARY");

        /* As Go: a long name is split into prefix/name when nothing else needs a pax header,
         * otherwise it goes there too (and the ustar name is truncated). */
        size_t nlen = strlen(name);
        size_t plen = p->n == 0 ? ustar_split(name, nlen) : 0;
        if (plen > 0) {
                put_str(block + F_PREFIX, S_PREFIX, name, plen);
                put_str(block + F_NAME, S_NAME, name + plen + 1, nlen - plen - 1);
        } else {
                put_str(block + F_NAME, S_NAME, name, nlen);
                if (r >= 0 && (nlen > S_NAME || !is_ascii(name)))
                        r = pax_add_str(p, "path", name);
        }
        if (r < 0)
                return cu_error_set(err, -r, "encoding tar header");

        block[F_TYPE] = type_flags[e->type];
        put_magic(block);
        put_checksum(block);
        return 0;
}

int tar_header_encode(const struct tar_entry *e, bool subsecond_mtime, void **ret,
                      size_t *ret_len, struct cu_error **err)
{
        if (!e->name || !*e->name)
                return cu_error_setx(err, EINVAL, "tar entry without a name");
        if ((unsigned) e->type >= _TAR_TYPE_MAX)
                return cu_error_setx(err, EINVAL, "invalid tar entry type %d", (int) e->type);
        if ((e->type == TAR_SYMLINK || e->type == TAR_HARDLINK) && !e->linkname)
                return cu_error_setx(err, EINVAL, "link \"%s\" without a target", e->name);
        if (e->type == TAR_HARDLINK && !*e->linkname)
                return cu_error_setx(err, EINVAL, "hardlink \"%s\" without a target", e->name);

        _cleanup_free_ char *name = NULL;
        size_t nlen = strlen(e->name);
        bool slash = e->type == TAR_DIR && e->name[nlen - 1] != '/';
        if (asprintf(&name, "%s%s", e->name, slash ? "/" : "") < 0)
                return cu_error_set(err, ENOMEM, "encoding tar header");

        char block[BLOCK] = { 0 };
        struct pax p = { 0 };
        int r = encode_fields(e, name, subsecond_mtime, &p, block, err);
        _cleanup_free_ char *data = NULL;
        size_t dlen = 0;
        if (r >= 0 && p.n > 0 && pax_build(&p, &data, &dlen) < 0)
                r = cu_error_set(err, ENOMEM, "encoding tar header");
        pax_done(&p);
        if (r < 0)
                return cu_error_prefix(err, r, "\"%s\"", e->name);

        size_t pax_blocks = data ? 1 + (dlen + BLOCK - 1) / BLOCK : 0;
        size_t total = (pax_blocks + 1) * BLOCK;
        char *out = calloc(1, total);
        if (!out)
                return cu_error_set(err, ENOMEM, "encoding tar header");
        if (data && put_pax_name(out, name) < 0) {
                free(out);
                return cu_error_set(err, ENOMEM, "encoding tar header");
        }
        if (data) {
                put_octal(out + F_MODE, S_MODE, 0);
                put_octal(out + F_UID, S_UID, 0);
                put_octal(out + F_GID, S_GID, 0);
                put_octal(out + F_SIZE, S_SIZE, dlen);
                put_octal(out + F_MTIME, S_MTIME, 0);
                out[F_TYPE] = 'x';
                put_magic(out);
                put_checksum(out);
                memcpy(out + BLOCK, data, dlen);
        }
        memcpy(out + total - BLOCK, block, BLOCK);
        *ret = out;
        *ret_len = total;
        return 0;
}

/* ---- the writer ---- */

struct tar_writer {
        struct comp_writer *cw;
        enum compression c;
        struct digester *plain, *compressed;
        bool subsecond;
        uint64_t remaining; /* data bytes the current entry still expects */
        size_t pad;         /* zero bytes due after them */
        unsigned char *buf; /* file copy buffer */
        bool finished;
};

struct tar_writer *tar_writer_new_level(int out_fd, enum compression c, int level,
                                        struct cu_error **err)
{
        _cleanup_(tar_writer_freep) struct tar_writer *w = calloc(1, sizeof(*w));
        if (!w) {
                cu_error_set(err, ENOMEM, "allocating tar writer");
                return NULL;
        }
        w->c = c;
        w->cw = comp_writer_new(out_fd, c, level, err);
        if (!w->cw)
                return NULL;
        w->plain = digester_new();
        if (c != COMPRESSION_NONE)
                w->compressed = digester_new();
        if (!w->plain || (c != COMPRESSION_NONE && !w->compressed)) {
                cu_error_set(err, ENOMEM, "allocating tar writer");
                return NULL;
        }
        comp_writer_set_digests(w->cw, w->compressed, w->plain);
        return TAKE_PTR(w);
}

struct tar_writer *tar_writer_new(int out_fd, enum compression c, struct cu_error **err)
{
        return tar_writer_new_level(out_fd, c, COMP_LEVEL_DEFAULT, err);
}

struct tar_writer *tar_writer_free(struct tar_writer *w)
{
        if (!w)
                return NULL;
        comp_writer_free(w->cw);
        digester_free(w->plain);
        digester_free(w->compressed);
        free(w->buf);
        free(w);
        return NULL;
}

void tar_writer_set_subsecond_mtime(struct tar_writer *w, bool on)
{
        w->subsecond = on;
}

/* Checks that the previous entry is complete and writes its padding. */
static int end_entry(struct tar_writer *w, struct cu_error **err)
{
        if (w->finished)
                return cu_error_setx(err, EIO, "tar archive already finished");
        if (w->remaining > 0)
                return cu_error_setx(err, EIO, "tar entry is %llu bytes short of its size",
                                     (unsigned long long) w->remaining);
        int r = comp_write(w->cw, zeros, w->pad, err);
        if (r < 0)
                return r;
        w->pad = 0;
        return 0;
}

int tar_write_header(struct tar_writer *w, const struct tar_entry *e, struct cu_error **err)
{
        int r = end_entry(w, err);
        if (r < 0)
                return r;
        _cleanup_free_ void *hdr = NULL;
        size_t len = 0;
        r = tar_header_encode(e, w->subsecond, &hdr, &len, err);
        if (r < 0)
                return r;
        r = comp_write(w->cw, hdr, len, err);
        if (r < 0)
                return r;
        w->remaining = e->type == TAR_REG ? e->size : 0;
        w->pad = (size_t) ((BLOCK - w->remaining % BLOCK) % BLOCK);
        return 0;
}

int tar_write_data(struct tar_writer *w, const void *buf, size_t len, struct cu_error **err)
{
        if (len > w->remaining)
                return cu_error_setx(err, EIO, "tar entry data exceeds its size by %llu bytes",
                                     (unsigned long long) (len - w->remaining));
        int r = comp_write(w->cw, buf, len, err);
        if (r < 0)
                return r;
        w->remaining -= len;
        return 0;
}

int tar_write_file(struct tar_writer *w, const struct tar_entry *e, int fd,
                   struct cu_error **err)
{
        int r = tar_write_header(w, e, err);
        if (r < 0)
                return r;
        if (!w->buf && !(w->buf = malloc(COPY_BUF)))
                return cu_error_set(err, ENOMEM, "allocating buffer");
        while (w->remaining > 0) {
                size_t want = w->remaining < COPY_BUF ? (size_t) w->remaining : COPY_BUF;
                ssize_t n = read(fd, w->buf, want);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return cu_error_set(err, errno, "reading \"%s\"", e->name);
                if (n == 0)
                        return cu_error_setx(err, EIO, "\"%s\" shrank while being archived",
                                             e->name);
                r = tar_write_data(w, w->buf, (size_t) n, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int tar_write_buffer(struct tar_writer *w, const char *name, const void *data, size_t len,
                     mode_t mode, time_t mtime, struct cu_error **err)
{
        struct tar_entry e = {
                .name = name,
                .type = TAR_REG,
                .mode = mode,
                .mtime = { .tv_sec = mtime },
                .size = len,
        };
        int r = tar_write_header(w, &e, err);
        if (r < 0)
                return r;
        return tar_write_data(w, data, len, err);
}

int tar_writer_finish(struct tar_writer *w, uint64_t *ret_size_uncompressed,
                      char diff_id[DIGEST_STR_LEN + 1],
                      char compressed_digest[DIGEST_STR_LEN + 1], struct cu_error **err)
{
        int r = end_entry(w, err);
        if (r < 0)
                return r;
        r = comp_write(w->cw, zeros, sizeof(zeros), err);
        if (r < 0)
                return r;
        r = comp_writer_finish(w->cw, err);
        if (r < 0)
                return r;
        w->finished = true;

        char plain[DIGEST_STR_LEN + 1], comp[DIGEST_STR_LEN + 1];
        digester_final(w->plain, plain);
        if (w->compressed)
                digester_final(w->compressed, comp);
        else
                memcpy(comp, plain, sizeof(comp));
        if (ret_size_uncompressed)
                *ret_size_uncompressed = comp_writer_plain_bytes(w->cw);
        if (diff_id)
                memcpy(diff_id, plain, sizeof(plain));
        if (compressed_digest)
                memcpy(compressed_digest, comp, sizeof(comp));
        return 0;
}

uint64_t tar_writer_compressed_size(const struct tar_writer *w)
{
        return comp_writer_compressed_bytes(w->cw);
}
