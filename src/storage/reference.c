/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "reference.h"

#define NAME_TOTAL_MAX 255
#define TAG_MAX 128

void image_ref_done(struct image_ref *r)
{
        free(r->domain);
        free(r->path);
        free(r->tag);
        free(r->digest);
        *r = (struct image_ref) { 0 };
}

static bool is_lower_alnum(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* path-component := [a-z0-9]+ (separator [a-z0-9]+)*
 * separator := [_.] | __ | [-]+ */
static bool valid_path_component(const char *s, size_t n)
{
        if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
                return false;
        for (size_t i = 0; i < n;) {
                if (is_lower_alnum(s[i])) {
                        i++;
                        continue;
                }
                size_t j = i;
                if (s[i] == '.' || s[i] == '_') {
                        j++;
                        if (s[i] == '_' && s[j] == '_')
                                j++;
                } else if (s[i] == '-') {
                        while (j < n && s[j] == '-')
                                j++;
                } else {
                        return false;
                }
                if (j >= n || !is_lower_alnum(s[j]))
                        return false;
                i = j;
        }
        return true;
}

/* domain := label ('.' label)* [':' port]; label := [a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?
 * IPv6 in brackets is accepted as docker does. */
static bool valid_domain(const char *s, size_t n)
{
        size_t host_end = n;
        const char *colon = NULL;
        if (n > 0 && s[0] == '[') {
                const char *close = memchr(s, ']', n);
                if (!close)
                        return false;
                for (const char *p = s + 1; p < close; p++)
                        if (!isxdigit((unsigned char) *p) && *p != ':')
                                return false;
                host_end = (size_t) (close - s) + 1;
                if (host_end < n && s[host_end] != ':')
                        return false;
                colon = host_end < n ? s + host_end : NULL;
        } else {
                colon = memchr(s, ':', n);
                if (colon)
                        host_end = (size_t) (colon - s);
                size_t lab = 0;
                if (host_end == 0)
                        return false;
                for (size_t i = 0; i <= host_end; i++) {
                        if (i == host_end || s[i] == '.') {
                                if (lab == 0 || s[i - 1] == '-' || s[i - lab] == '-')
                                        return false;
                                lab = 0;
                                continue;
                        }
                        if (!isalnum((unsigned char) s[i]) && s[i] != '-')
                                return false;
                        lab++;
                }
        }
        if (colon) {
                size_t plen = n - (size_t) (colon - s) - 1;
                if (plen == 0)
                        return false;
                for (size_t i = 0; i < plen; i++)
                        if (!isdigit((unsigned char) colon[1 + i]))
                                return false;
        }
        return true;
}

static bool valid_tag(const char *t)
{
        size_t n = strlen(t);
        if (n == 0 || n > TAG_MAX)
                return false;
        if (!isalnum((unsigned char) t[0]) && t[0] != '_')
                return false;
        for (size_t i = 1; i < n; i++)
                if (!isalnum((unsigned char) t[i]) && t[i] != '_' && t[i] != '.' && t[i] != '-')
                        return false;
        return true;
}

bool is_full_id(const char *s)
{
        return s && strlen(s) == 64 && is_id_prefix(s);
}

bool is_id_prefix(const char *s)
{
        size_t n = s ? strlen(s) : 0;
        if (n == 0 || n > 64)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return true;
}

static int invalid(struct cu_error **err)
{
        return cu_error_setx(err, EINVAL, "invalid reference format");
}

int image_ref_parse(const char *s, struct image_ref *ret, struct cu_error **err)
{
        struct image_ref r = { 0 };
        if (!s || !*s)
                return invalid(err);
        _cleanup_free_ char *buf = strdup(s);
        if (!buf)
                return -ENOMEM;
        char *at = strchr(buf, '@');
        if (at) {
                *at = '\0';
                if (!digest_valid(at + 1)) {
                        if (strncmp(at + 1, "sha256:", 7) != 0 && strchr(at + 1, ':'))
                                return cu_error_setx(err, EINVAL, "invalid reference format: "
                                                     "unsupported digest algorithm");
                        return invalid(err);
                }
        }
        /* The tag is after the last ':' that follows the last '/'. */
        char *slash = strrchr(buf, '/');
        char *colon = strrchr(slash ? slash : buf, ':');
        if (colon) {
                *colon = '\0';
                if (!valid_tag(colon + 1))
                        return invalid(err);
        }
        size_t len = strlen(buf);
        if (len == 0)
                return invalid(err);
        /* The first component is a domain when it has '.' or ':', is
         * "localhost", or has uppercase letters (docker's rule). */
        char *rest = buf;
        char *first_slash = strchr(buf, '/');
        if (first_slash) {
                size_t dn = (size_t) (first_slash - buf);
                bool dom = false;
                for (size_t i = 0; i < dn; i++)
                        if (buf[i] == '.' || buf[i] == ':' || isupper((unsigned char) buf[i]))
                                dom = true;
                if (dn == 9 && strncmp(buf, "localhost", 9) == 0)
                        dom = true;
                if (dom) {
                        if (!valid_domain(buf, dn))
                                return invalid(err);
                        r.domain = strndup(buf, dn);
                        rest = first_slash + 1;
                }
        }
        if (strlen(buf) > NAME_TOTAL_MAX) {
                image_ref_done(&r);
                return cu_error_setx(err, EINVAL, "invalid reference format: repository name "
                                     "must not be more than %d characters", NAME_TOTAL_MAX);
        }
        bool upper = false;
        for (char *p = rest; *p; p++)
                if (isupper((unsigned char) *p))
                        upper = true;
        for (char *c = rest;;) {
                char *e = strchrnul(c, '/');
                if (!valid_path_component(c, (size_t) (e - c))) {
                        image_ref_done(&r);
                        if (upper)
                                return cu_error_setx(err, EINVAL, "invalid reference format: "
                                                     "repository name must be lowercase");
                        return invalid(err);
                }
                if (!*e)
                        break;
                c = e + 1;
        }
        r.path = strdup(rest);
        r.tag = colon ? strdup(colon + 1) : NULL;
        r.digest = at ? strdup(at + 1) : NULL;
        if (!r.path || (colon && !r.tag) || (at && !r.digest)) {
                image_ref_done(&r);
                return -ENOMEM;
        }
        *ret = r;
        return 0;
}

int image_ref_normalize(struct image_ref *r, const char *default_domain, struct cu_error **err)
{
        if (!r->domain) {
                if (is_full_id(r->path) && !r->tag && !r->digest)
                        return cu_error_setx(err, EINVAL, "invalid repository name (%s), cannot "
                                             "specify 64-byte hexadecimal strings", r->path);
                r->domain = strdup(default_domain);
                if (!r->domain)
                        return -ENOMEM;
        }
        if (strcmp(r->domain, "docker.io") == 0 && !strchr(r->path, '/')) {
                char *p = NULL;
                if (asprintf(&p, "library/%s", r->path) < 0)
                        return -ENOMEM;
                free(r->path);
                r->path = p;
        }
        if (strlen(r->domain) + 1 + strlen(r->path) > NAME_TOTAL_MAX)
                return cu_error_setx(err, EINVAL, "invalid reference format: repository name "
                                     "must not be more than %d characters", NAME_TOTAL_MAX);
        if (!r->tag && !r->digest) {
                r->tag = strdup("latest");
                if (!r->tag)
                        return -ENOMEM;
        }
        return 0;
}

char *image_ref_repository(const struct image_ref *r)
{
        char *s = NULL;
        if (asprintf(&s, "%s%s%s", r->domain ? r->domain : "", r->domain ? "/" : "", r->path) < 0)
                return NULL;
        return s;
}

char *image_ref_string(const struct image_ref *r)
{
        char *s = NULL;
        if (asprintf(&s, "%s%s%s%s%s%s%s", r->domain ? r->domain : "", r->domain ? "/" : "",
                     r->path, r->tag ? ":" : "", r->tag ? r->tag : "", r->digest ? "@" : "",
                     r->digest ? r->digest : "") < 0)
                return NULL;
        return s;
}

char *image_ref_normalize_string(const char *s, const char *default_domain, struct cu_error **err)
{
        struct image_ref r = { 0 };
        int k = image_ref_parse(s, &r, err);
        if (k < 0)
                return NULL;
        k = image_ref_normalize(&r, default_domain, err);
        char *out = k < 0 ? NULL : image_ref_string(&r);
        image_ref_done(&r);
        return out;
}
