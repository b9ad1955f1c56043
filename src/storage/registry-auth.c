/* SPDX-License-Identifier: GPL-2.0-or-later */
/* WWW-Authenticate, bearer tokens, Basic credentials, registry error bodies. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/auth-file.h"
#include "storage/registry-auth.h"
#include "util/json.h"
#include "util/strv.h"

#define TOKEN_MIN_LIFETIME 60

static bool is_tchar(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               (c && strchr("!#$%&'*+-.^_`|~", c));
}

static void skip_ows(const char **p)
{
        while (**p == ' ' || **p == '\t')
                (*p)++;
}

static char *lower_dup(const char *s, size_t n)
{
        char *r = strndup(s, n);
        for (char *i = r; i && *i; i++)
                if (*i >= 'A' && *i <= 'Z')
                        *i = (char) (*i - 'A' + 'a');
        return r;
}

static size_t token_len(const char *p)
{
        size_t n = 0;
        while (is_tchar(p[n]))
                n++;
        return n;
}

/* A quoted-string at *p (after the quote is checked): unescaped copy. */
static int quoted(const char **p, char **ret)
{
        const char *s = *p + 1;
        _cleanup_free_ char *out = malloc(strlen(s) + 1);
        if (!out)
                return -ENOMEM;
        size_t n = 0;
        for (;; s++) {
                if (!*s)
                        return -EINVAL;
                if (*s == '"')
                        break;
                if (*s == '\\') {
                        s++;
                        if (!*s)
                                return -EINVAL;
                }
                out[n++] = *s;
        }
        out[n] = 0;
        *p = s + 1;
        *ret = TAKE_PTR(out);
        return 0;
}

/* Parameters of one challenge; stops before the next scheme. */
static int parse_params(const char **pp, struct auth_challenge *c)
{
        const char *p = *pp;
        for (bool first = true;; first = false) {
                skip_ows(&p);
                while (*p == ',' || *p == ' ' || *p == '\t')
                        p++;
                if (!*p)
                        break;
                size_t kn = token_len(p);
                const char *q = p + kn;
                skip_ows(&q);
                if (kn == 0 || *q != '=') {
                        if (first && kn > 0 && (*q == ',' || !*q)) {
                                p = q; /* token68 without padding ends the challenge */
                                break;
                        }
                        if (kn == 0)
                                return -EINVAL;
                        break; /* the next challenge's scheme */
                }
                q++;
                skip_ows(&q);
                if (*q == '=' || *q == ',' || !*q) {
                        if (!first)
                                return -EINVAL;
                        p = q + strspn(q, "="); /* token68 with '=' padding */
                        break;
                }
                _cleanup_free_ char *key = lower_dup(p, kn), *val = NULL;
                if (!key)
                        return -ENOMEM;
                if (*q == '"') {
                        int r = quoted(&q, &val);
                        if (r < 0)
                                return r;
                } else {
                        size_t vn = token_len(q);
                        if (vn == 0)
                                return -EINVAL;
                        val = strndup(q, vn);
                        if (!val)
                                return -ENOMEM;
                        q += vn;
                }
                if (strv_push(&c->params, TAKE_PTR(key)) < 0 || strv_push(&c->params, TAKE_PTR(val)) < 0)
                        return -ENOMEM;
                p = q;
                skip_ows(&p);
                if (*p && *p != ',')
                        return -EINVAL;
        }
        *pp = p;
        return 0;
}

int auth_challenges_parse(const char *header, struct auth_challenge **ret, size_t *ret_n,
                          struct cu_error **err)
{
        struct auth_challenge *v = NULL;
        size_t n = 0;
        const char *p = header ? header : "";
        int r = 0;
        for (;;) {
                while (*p == ' ' || *p == '\t' || *p == ',')
                        p++;
                if (!*p)
                        break;
                size_t sn = token_len(p);
                if (sn == 0) {
                        r = -EINVAL;
                        break;
                }
                struct auth_challenge *nv = realloc(v, (n + 1) * sizeof(*v));
                if (!nv) {
                        r = -ENOMEM;
                        break;
                }
                v = nv;
                v[n] = (struct auth_challenge){ .scheme = lower_dup(p, sn),
                                                .params = calloc(1, sizeof(char *)) };
                n++;
                if (!v[n - 1].scheme || !v[n - 1].params) {
                        r = -ENOMEM;
                        break;
                }
                p += sn;
                if (*p && *p != ' ' && *p != '\t' && *p != ',') {
                        r = -EINVAL;
                        break;
                }
                r = parse_params(&p, &v[n - 1]);
                if (r < 0)
                        break;
        }
        if (r < 0) {
                auth_challenges_free(v, n);
                if (r == -ENOMEM)
                        return cu_error_set(err, ENOMEM, "parsing WWW-Authenticate");
                return cu_error_setx(err, EINVAL, "malformed WWW-Authenticate header \"%.100s\"",
                                     header);
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

void auth_challenges_free(struct auth_challenge *c, size_t n)
{
        for (size_t i = 0; c && i < n; i++) {
                free(c[i].scheme);
                strv_free(c[i].params);
        }
        free(c);
}

const char *auth_challenge_param(const struct auth_challenge *c, const char *key)
{
        return c ? strv_map_get(c->params, key) : NULL;
}

static int url_append(char **buf, size_t *len, const char *s, bool escape)
{
        size_t extra = escape ? 3 * strlen(s) : strlen(s);
        char *nb = realloc(*buf, *len + extra + 1);
        if (!nb)
                return -ENOMEM;
        *buf = nb;
        for (const unsigned char *i = (const unsigned char *) s; *i; i++) {
                bool plain = !escape || (*i >= 'a' && *i <= 'z') || (*i >= 'A' && *i <= 'Z') ||
                             (*i >= '0' && *i <= '9') || strchr("-._~", *i);
                if (plain)
                        nb[(*len)++] = (char) *i;
                else
                        *len += (size_t) sprintf(nb + *len, "%%%02X", *i);
        }
        nb[*len] = 0;
        return 0;
}

char *auth_token_url(const char *realm, const char *service, char *const *scopes)
{
        _cleanup_free_ char *u = NULL;
        size_t n = 0;
        char sep = strchr(realm, '?') ? '&' : '?';
        if (url_append(&u, &n, realm, false) < 0)
                return NULL;
        if (service && service[0]) {
                char pre[] = { sep, 0 };
                if (url_append(&u, &n, pre, false) < 0 || url_append(&u, &n, "service=", false) < 0 ||
                    url_append(&u, &n, service, true) < 0)
                        return NULL;
                sep = '&';
        }
        for (char *const *s = scopes; s && *s; s++) {
                if (!(*s)[0])
                        continue;
                char pre[] = { sep, 0 };
                if (url_append(&u, &n, pre, false) < 0 || url_append(&u, &n, "scope=", false) < 0 ||
                    url_append(&u, &n, *s, true) < 0)
                        return NULL;
                sep = '&';
        }
        return TAKE_PTR(u);
}

int auth_token_parse(const char *body, size_t len, char **ret_token, int64_t *ret_expires_in,
                     struct cu_error **err)
{
        _cleanup_json_ json_t *j = json_load_data(body, len, "token response", err);
        if (!j)
                return -EINVAL;
        if (!json_is_object(j))
                return cu_error_setx(err, EINVAL, "token response is not a JSON object");
        json_t *t = json_object_get(j, "token");
        if (!json_is_string(t) || json_string_length(t) == 0)
                t = json_object_get(j, "access_token");
        if (!json_is_string(t) || json_string_length(t) == 0)
                return cu_error_setx(err, EINVAL, "token response has no token");
        const char *tok = json_string_value(t);
        for (const char *c = tok; *c; c++)
                if ((unsigned char) *c < 0x21 || *c == 0x7f)
                        return cu_error_setx(err, EINVAL, "token response has an invalid token");
        int64_t exp = TOKEN_MIN_LIFETIME;
        json_t *e = json_object_get(j, "expires_in");
        if (json_is_integer(e) && json_integer_value(e) > TOKEN_MIN_LIFETIME)
                exp = json_integer_value(e);
        char *copy = strdup(tok);
        if (!copy)
                return cu_error_set(err, ENOMEM, "parsing token");
        *ret_token = copy;
        *ret_expires_in = exp;
        return 0;
}

char *auth_scope(const char *repo, bool push)
{
        char *s = NULL;
        if (asprintf(&s, "repository:%s:%s", repo, push ? "pull,push" : "pull") < 0)
                return NULL;
        return s;
}

char *auth_basic_value(const char *user, const char *pass)
{
        _cleanup_free_ char *b = auth_encode(user, pass);
        char *s = NULL;
        if (!b || asprintf(&s, "Basic %s", b) < 0)
                return NULL;
        return s;
}

struct token_entry {
        char *key, *token;
        time_t expires;
};

struct token_cache {
        struct token_entry *v;
        size_t n;
};

struct token_cache *token_cache_new(void)
{
        return calloc(1, sizeof(struct token_cache));
}

struct token_cache *token_cache_free(struct token_cache *c)
{
        for (size_t i = 0; c && i < c->n; i++) {
                free(c->v[i].key);
                free(c->v[i].token);
        }
        if (c)
                free(c->v);
        free(c);
        return NULL;
}

const char *token_cache_get(struct token_cache *c, const char *key, time_t now)
{
        for (size_t i = 0; c && i < c->n; i++)
                if (strcmp(c->v[i].key, key) == 0)
                        return now < c->v[i].expires ? c->v[i].token : NULL;
        return NULL;
}

int token_cache_put(struct token_cache *c, const char *key, const char *token, time_t expires)
{
        char *t = strdup(token);
        if (!t)
                return -ENOMEM;
        for (size_t i = 0; i < c->n; i++)
                if (strcmp(c->v[i].key, key) == 0) {
                        free(c->v[i].token);
                        c->v[i].token = t;
                        c->v[i].expires = expires;
                        return 0;
                }
        char *k = strdup(key);
        struct token_entry *nv = k ? realloc(c->v, (c->n + 1) * sizeof(*nv)) : NULL;
        if (!nv) {
                free(k);
                free(t);
                return -ENOMEM;
        }
        c->v = nv;
        c->v[c->n++] = (struct token_entry){ k, t, expires };
        return 0;
}

/* docker/distribution's registered codes and their standard messages. */
static const char *const known_codes[][2] = {
        { "UNKNOWN", "unknown error" },
        { "UNSUPPORTED", "The operation is unsupported." },
        { "UNAUTHORIZED", "authentication required" },
        { "DENIED", "requested access to the resource is denied" },
        { "UNAVAILABLE", "service unavailable" },
        { "TOOMANYREQUESTS", "too many requests" },
        { "DIGEST_INVALID", "provided digest did not match uploaded content" },
        { "SIZE_INVALID", "provided length did not match content length" },
        { "NAME_INVALID", "invalid repository name" },
        { "TAG_INVALID", "manifest tag did not match URI" },
        { "NAME_UNKNOWN", "repository name not known to registry" },
        { "MANIFEST_UNKNOWN", "manifest unknown" },
        { "MANIFEST_INVALID", "manifest invalid" },
        { "MANIFEST_UNVERIFIED", "manifest failed signature verification" },
        { "MANIFEST_BLOB_UNKNOWN", "blob unknown to registry" },
        { "BLOB_UNKNOWN", "blob unknown to registry" },
        { "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry" },
        { "BLOB_UPLOAD_INVALID", "blob upload invalid" },
        { "PAGINATION_NUMBER_INVALID", "invalid number of results requested" },
        { "RANGE_INVALID", "invalid content range" },
};

static const char *code_default(const char *code)
{
        for (size_t i = 0; i < ELEMENTSOF(known_codes); i++)
                if (strcmp(code, known_codes[i][0]) == 0)
                        return known_codes[i][1];
        return NULL;
}

/* "message" or "<code lowercased, '_' → ' '>: message". */
static char *format_code(const char *code, const char *message)
{
        const char *def = code_default(code);
        if (!message || !message[0])
                message = def ? def : "";
        if (def && strcmp(def, message) == 0)
                return strdup(message);
        _cleanup_free_ char *lc = lower_dup(code[0] ? code : "unknown", strlen(code[0] ? code : "unknown"));
        for (char *i = lc; i && *i; i++)
                if (*i == '_')
                        *i = ' ';
        char *s = NULL;
        if (!lc || asprintf(&s, "%s: %s", lc, message) < 0)
                return NULL;
        return s;
}

static char *from_header(const char *www)
{
        struct auth_challenge *c = NULL;
        size_t n = 0;
        char *s = NULL;
        if (!www || auth_challenges_parse(www, &c, &n, NULL) < 0)
                return NULL;
        for (size_t i = 0; i < n && !s; i++) {
                if (strcmp(c[i].scheme, "bearer") != 0)
                        continue;
                const char *e = auth_challenge_param(&c[i], "error");
                const char *code = streq_ptr(e, "invalid_token")        ? "UNAUTHORIZED"
                                   : streq_ptr(e, "insufficient_scope") ? "DENIED"
                                                                        : NULL;
                if (code)
                        s = format_code(code, auth_challenge_param(&c[i], "error_description"));
        }
        auth_challenges_free(c, n);
        return s;
}

static char *from_body(long status, const char *body, size_t len)
{
        json_t *j = len ? json_loadb(body, len, 0, NULL) : NULL;
        _cleanup_json_ json_t *jj = j;
        if (!json_is_object(j))
                return NULL;
        json_t *details = json_object_get(j, "details");
        if (json_is_string(details) && json_string_length(details) > 0)
                return format_code(status == 401 ? "UNAUTHORIZED" : status == 429 ? "TOOMANYREQUESTS" : "UNKNOWN",
                                   json_string_value(details));
        json_t *errs = json_object_get(j, "errors");
        json_t *e = json_is_array(errs) ? json_array_get(errs, 0) : NULL;
        if (!json_is_object(e))
                return NULL;
        json_t *code = json_object_get(e, "code"), *msg = json_object_get(e, "message");
        return format_code(json_is_string(code) ? json_string_value(code) : "UNKNOWN",
                           json_is_string(msg) ? json_string_value(msg) : NULL);
}

char *registry_error_message(long status, const char *body, size_t len,
                             const char *www_authenticate)
{
        if (status < 400 || status >= 500) {
                const char *reason = status == 500   ? " Internal Server Error"
                                     : status == 502 ? " Bad Gateway"
                                     : status == 503 ? " Service Unavailable"
                                     : status == 504 ? " Gateway Timeout"
                                                     : "";
                char *s = NULL;
                if (asprintf(&s, "received unexpected HTTP status: %ld%s", status, reason) < 0)
                        return NULL;
                return s;
        }
        char *s = from_header(www_authenticate);
        if (!s)
                s = from_body(status, body, len);
        if (s)
                return s;
        if (status == 401)
                return strdup("authentication required");
        /* StatusCode: N, "<body, quoted, cut at 50 bytes>" */
        size_t shown = len > 50 ? 50 : len;
        _cleanup_free_ char *q = malloc(shown * 4 + 8);
        if (!q)
                return NULL;
        size_t n = 0;
        for (size_t i = 0; i < shown; i++) {
                unsigned char c = (unsigned char) body[i];
                if (c == '"' || c == '\\')
                        n += (size_t) sprintf(q + n, "\\%c", c);
                else if (c == '\n')
                        n += (size_t) sprintf(q + n, "\\n");
                else if (c < 0x20 || c >= 0x7f)
                        n += (size_t) sprintf(q + n, "\\x%02x", c);
                else
                        q[n++] = (char) c;
        }
        q[n] = 0;
        if (asprintf(&s, "StatusCode: %ld, \"%s%s\"", status, q, len > 50 ? "..." : "") < 0)
                return NULL;
        return s;
}
