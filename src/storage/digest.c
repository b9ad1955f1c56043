/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "digest.h"

struct digester {
        EVP_MD_CTX *ctx;
        uint64_t bytes;
};

struct digester *digester_new(void)
{
        struct digester *d = calloc(1, sizeof(*d));
        if (!d)
                return NULL;
        d->ctx = EVP_MD_CTX_new();
        if (!d->ctx || EVP_DigestInit_ex(d->ctx, EVP_sha256(), NULL) != 1)
                return digester_free(d);
        return d;
}

void digester_update(struct digester *d, const void *buf, size_t len)
{
        EVP_DigestUpdate(d->ctx, buf, len);
        d->bytes += len;
}

static void to_hex(const unsigned char *md, unsigned n, char out[static DIGEST_STR_LEN + 1])
{
        static const char hex[] = "0123456789abcdef";
        memcpy(out, "sha256:", 7);
        for (unsigned i = 0; i < n && i < 32; i++) {
                out[7 + 2 * i] = hex[md[i] >> 4];
                out[7 + 2 * i + 1] = hex[md[i] & 15];
        }
        out[DIGEST_STR_LEN] = '\0';
}

void digester_final(struct digester *d, char out[static DIGEST_STR_LEN + 1])
{
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned n = 0;
        EVP_DigestFinal_ex(d->ctx, md, &n);
        to_hex(md, n, out);
        EVP_DigestInit_ex(d->ctx, EVP_sha256(), NULL);
        d->bytes = 0;
}

uint64_t digester_bytes(const struct digester *d)
{
        return d->bytes;
}

struct digester *digester_free(struct digester *d)
{
        if (d) {
                EVP_MD_CTX_free(d->ctx);
                free(d);
        }
        return NULL;
}

void digest_buffer(const void *buf, size_t len, char out[static DIGEST_STR_LEN + 1])
{
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned n = 0;
        EVP_Digest(buf, len, md, &n, EVP_sha256(), NULL);
        to_hex(md, n, out);
}

int digest_fd(int fd, char out[static DIGEST_STR_LEN + 1], uint64_t *ret_size)
{
        _cleanup_digester_ struct digester *d = digester_new();
        if (!d)
                return -ENOMEM;
        /* On the heap: a __thread array is zeroed in every process and thread the
         * static binary starts, whether it copies anything or not. */
        const size_t buf_size = 1 << 16;
        _cleanup_free_ char *buf = malloc(buf_size);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t n = read(fd, buf, buf_size);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                digester_update(d, buf, (size_t) n);
        }
        if (ret_size)
                *ret_size = d->bytes;
        digester_final(d, out);
        return 0;
}

bool digest_valid(const char *s)
{
        if (!s || strncmp(s, "sha256:", 7) != 0 || strlen(s) != DIGEST_STR_LEN)
                return false;
        for (const char *p = s + 7; *p; p++)
                if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
                        return false;
        return true;
}
