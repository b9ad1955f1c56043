/* SPDX-License-Identifier: GPL-2.0-or-later */
/* OCI distribution client: ping/scheme/auth detection, manifests, blobs, uploads. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "config.h"
#include "storage/registry-auth.h"
#include "storage/registry.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strv.h"

#define MANIFEST_MAX (4u << 20)
#define ERROR_BODY_MAX (64u << 10)
#define TOKEN_BODY_MAX (1u << 20)
#define MAX_REDIRECTS 10

enum auth_kind { AUTH_NONE, AUTH_BASIC, AUTH_BEARER };

struct registry {
        CURL *curl;
        char *host;     /* as named by the user, for messages */
        char *api_host; /* in URLs */
        char *base;     /* "https://host" once pinged */
        bool tls_verify, may_http;
        char *user, *pass, *user_agent;
        enum auth_kind auth;
        char *realm, *service, *ping_scope;
        struct token_cache *tokens;
        char errbuf[CURL_ERROR_SIZE];
};

/* One HTTP exchange (plus its redirects and auth retries). */
struct xfer {
        const char *method;
        char *url;
        char *const *scopes; /* NULL: the ping challenge's scope */
        const char *accept, *content_type;
        bool follow, no_auth;
        /* request body: a buffer, or body_fd >= 0 (pread from 0) */
        const char *body;
        size_t body_len;
        int body_fd;
        uint64_t body_size, body_off;
        /* response */
        long status;
        char *ctype, *docker_digest, *location, *www_auth;
        uint64_t length;
        bool have_length;
        char *resp;
        size_t resp_len, resp_max;
        /* 2xx bodies go to out_fd (digested) when out_fd >= 0 */
        int out_fd;
        struct digester *dg;
        uint64_t written, expect;
        void (*progress)(void *ud, uint64_t done, uint64_t total);
        void *ud;
        int sink_errno;
        char *sink_msg;
};

static unsigned curl_users;

static void xfer_reset_response(struct xfer *x)
{
        x->status = 0;
        x->ctype = (free(x->ctype), NULL);
        x->docker_digest = (free(x->docker_digest), NULL);
        x->location = (free(x->location), NULL);
        x->www_auth = (free(x->www_auth), NULL);
        x->have_length = false;
        x->length = 0;
        x->resp_len = 0;
        x->written = 0;
        x->body_off = 0;
}

static void xfer_done(struct xfer *x)
{
        xfer_reset_response(x);
        free(x->url);
        free(x->resp);
        free(x->sink_msg);
        digester_free(x->dg);
}

static size_t on_header(char *buf, size_t size, size_t n, void *ud)
{
        struct xfer *x = ud;
        size_t len = size * n;
        if (len >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
                /* a new response (after 100 Continue or a redirect) */
                x->ctype = (free(x->ctype), NULL);
                x->docker_digest = (free(x->docker_digest), NULL);
                x->location = (free(x->location), NULL);
                x->www_auth = (free(x->www_auth), NULL);
                x->have_length = false;
                return len;
        }
        const char *colon = memchr(buf, ':', len);
        if (!colon)
                return len;
        size_t kn = (size_t) (colon - buf);
        const char *v = colon + 1, *end = buf + len;
        while (v < end && (*v == ' ' || *v == '\t'))
                v++;
        while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
                end--;
        char **dst = kn == 12 && strncasecmp(buf, "Content-Type", kn) == 0            ? &x->ctype
                     : kn == 21 && strncasecmp(buf, "Docker-Content-Digest", kn) == 0 ? &x->docker_digest
                     : kn == 8 && strncasecmp(buf, "Location", kn) == 0               ? &x->location
                     : kn == 16 && strncasecmp(buf, "WWW-Authenticate", kn) == 0      ? &x->www_auth
                                                                                      : NULL;
        if (dst) {
                free(*dst);
                *dst = strndup(v, (size_t) (end - v));
        } else if (kn == 14 && strncasecmp(buf, "Content-Length", kn) == 0) {
                char tmp[32];
                size_t vl = (size_t) (end - v) < sizeof(tmp) - 1 ? (size_t) (end - v) : sizeof(tmp) - 1;
                memcpy(tmp, v, vl);
                tmp[vl] = 0;
                char *e = NULL;
                errno = 0;
                unsigned long long l = strtoull(tmp, &e, 10);
                x->have_length = errno == 0 && e != tmp && *e == 0;
                x->length = l;
        }
        return len;
}

static size_t sink_fail(struct xfer *x, int errnum, const char *msg)
{
        x->sink_errno = errnum;
        free(x->sink_msg);
        x->sink_msg = strdup(msg);
        return 0; /* makes curl stop with CURLE_WRITE_ERROR */
}

static size_t on_body(char *buf, size_t size, size_t n, void *ud)
{
        struct xfer **px = ud, *x = px[0];
        CURL *curl = (CURL *) px[1];
        size_t len = size * n;
        long status = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        if (status >= 200 && status < 300 && x->out_fd >= 0) {
                if (x->expect != REGISTRY_SIZE_UNKNOWN && x->written + len > x->expect)
                        return sink_fail(x, EBADMSG, "blob is larger than expected");
                int r = write_all(x->out_fd, buf, len);
                if (r < 0)
                        return sink_fail(x, -r, "writing blob");
                digester_update(x->dg, buf, len);
                x->written += len;
                if (x->progress)
                        x->progress(x->ud, x->written,
                                    x->expect != REGISTRY_SIZE_UNKNOWN ? x->expect : x->length);
                return len;
        }
        size_t max = status >= 200 && status < 300 ? x->resp_max : ERROR_BODY_MAX;
        if (x->resp_len + len > max) {
                if (status >= 200 && status < 300)
                        return sink_fail(x, EFBIG, "response body too large");
                len = max - x->resp_len; /* keep the start of an error body */
                if (len == 0)
                        return size * n;
        }
        char *nb = realloc(x->resp, x->resp_len + len + 1);
        if (!nb)
                return sink_fail(x, ENOMEM, "reading response");
        x->resp = nb;
        memcpy(x->resp + x->resp_len, buf, len);
        x->resp_len += len;
        x->resp[x->resp_len] = 0;
        return size * n;
}

static size_t on_read(char *buf, size_t size, size_t n, void *ud)
{
        struct xfer *x = ud;
        size_t want = size * n;
        if (x->body_fd < 0) {
                size_t left = x->body_len - (size_t) x->body_off;
                size_t k = left < want ? left : want;
                memcpy(buf, x->body + x->body_off, k);
                x->body_off += k;
                return k;
        }
        uint64_t left = x->body_size - x->body_off;
        if (want > left)
                want = (size_t) left;
        if (want == 0)
                return 0;
        ssize_t k;
        do
                k = pread(x->body_fd, buf, want, (off_t) x->body_off);
        while (k < 0 && errno == EINTR);
        if (k <= 0) {
                x->sink_errno = k < 0 ? errno : EIO;
                return CURL_READFUNC_ABORT;
        }
        x->body_off += (uint64_t) k;
        return (size_t) k;
}

static int on_seek(void *ud, curl_off_t off, int origin)
{
        struct xfer *x = ud;
        if (origin != SEEK_SET || off < 0)
                return CURL_SEEKFUNC_CANTSEEK;
        x->body_off = (uint64_t) off;
        return CURL_SEEKFUNC_OK;
}

/* "GET" → "Get", as Go's net/http words its errors. */
static const char *method_name(const char *m)
{
        static const char *const names[] = { "Get", "Head", "Post", "Put", "Delete" };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strcasecmp(m, names[i]) == 0)
                        return names[i];
        return m;
}

/* One request on the wire.  0 with x->status set, or -errno (network, sink). */
static int perform(struct registry *r, struct xfer *x, const char *authz, struct cu_error **err)
{
        CURL *c = r->curl;
        curl_easy_reset(c);
        xfer_reset_response(x);
        struct curl_slist *h = NULL, *nh;
        const char *hdrs[] = { x->accept ? "Accept: " : NULL, x->accept,
                               x->content_type ? "Content-Type: " : NULL, x->content_type,
                               authz ? "Authorization: " : NULL, authz, "Expect:", "" };
        for (size_t i = 0; i < ELEMENTSOF(hdrs); i += 2) {
                _cleanup_free_ char *line = NULL;
                if (!hdrs[i])
                        continue;
                if (asprintf(&line, "%s%s", hdrs[i], hdrs[i + 1]) < 0)
                        line = NULL;
                if (!line || !(nh = curl_slist_append(h, line))) {
                        curl_slist_free_all(h);
                        return cu_error_set(err, ENOMEM, "building request");
                }
                h = nh;
        }
        void *body_ud[2] = { x, c };
        r->errbuf[0] = 0;
        curl_easy_setopt(c, CURLOPT_URL, x->url);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long) CURL_HTTP_VERSION_1_1);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
        curl_easy_setopt(c, CURLOPT_USERAGENT, r->user_agent);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, r->errbuf);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, r->tls_verify ? 1L : 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, r->tls_verify ? 2L : 0L);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, body_ud);
        if (strcmp(x->method, "HEAD") == 0)
                curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
        else if (strcmp(x->method, "POST") == 0) {
                curl_easy_setopt(c, CURLOPT_POST, 1L);
                curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) 0);
                curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
        } else if (strcmp(x->method, "PUT") == 0) {
                curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
                curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
                curl_easy_setopt(c, CURLOPT_READDATA, x);
                curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, on_seek);
                curl_easy_setopt(c, CURLOPT_SEEKDATA, x);
                curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE,
                                 (curl_off_t) (x->body_fd >= 0 ? x->body_size : x->body_len));
        } else if (strcmp(x->method, "GET") != 0)
                curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, x->method);
        log_debug("%s %s", x->method, x->url);
        CURLcode cc = curl_easy_perform(c);
        curl_slist_free_all(h);
        if (x->sink_errno)
                return cu_error_set(err, x->sink_errno, "%s", x->sink_msg ? x->sink_msg : "transfer");
        if (cc != CURLE_OK)
                return cu_error_setx(err, cc == CURLE_OPERATION_TIMEDOUT ? ETIMEDOUT : EIO,
                                     "%s \"%s\": %s", method_name(x->method), x->url,
                                     r->errbuf[0] ? r->errbuf : curl_easy_strerror(cc));
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &x->status);
        log_debug("%s %s → %ld", x->method, x->url, x->status);
        return 0;
}

static char *error_text(const struct xfer *x)
{
        char *s = registry_error_message(x->status, x->resp, x->resp_len, x->www_auth);
        return s ? s : strdup("out of memory");
}

/* Fetches (or takes from the cache) the bearer token for scopes. */
static int bearer_token(struct registry *r, char *const *scopes, bool force, const char **ret,
                        struct cu_error **err)
{
        char *const ping_scopes[] = { r->ping_scope, NULL };
        if (!scopes)
                scopes = r->ping_scope ? ping_scopes : NULL;
        _cleanup_free_ char *key = NULL;
        size_t kl = 1;
        for (char *const *s = scopes; s && *s; s++)
                kl += strlen(*s) + 1;
        if (!(key = calloc(1, kl)))
                return cu_error_set(err, ENOMEM, "requesting bearer token");
        for (char *const *s = scopes; s && *s; s++)
                strcat(strcat(key, s == scopes ? "" : " "), *s);
        time_t now = time(NULL);
        const char *cached = force ? NULL : token_cache_get(r->tokens, key, now);
        if (cached) {
                *ret = cached;
                return 0;
        }
        struct xfer x = { .method = "GET", .body_fd = -1, .out_fd = -1, .resp_max = TOKEN_BODY_MAX };
        x.url = auth_token_url(r->realm, r->service, scopes);
        _cleanup_free_ char *basic = r->user ? auth_basic_value(r->user, r->pass) : NULL;
        int k = x.url && (!r->user || basic) ? perform(r, &x, basic, err)
                                             : cu_error_set(err, ENOMEM, "requesting bearer token");
        if (k >= 0 && x.status != 200) {
                _cleanup_free_ char *m = error_text(&x);
                if (x.status == 401)
                        k = cu_error_setx(err, EACCES, "unable to retrieve auth token: invalid username/password: %s", m);
                else
                        k = cu_error_setx(err, EIO, "requesting bearer token: invalid status code from registry %ld", x.status);
        }
        _cleanup_free_ char *token = NULL;
        int64_t expires = 0;
        if (k >= 0)
                k = auth_token_parse(x.resp ? x.resp : "", x.resp_len, &token, &expires, err);
        xfer_done(&x);
        if (k < 0)
                return k;
        if (token_cache_put(r->tokens, key, token, now + expires - 5) < 0)
                return cu_error_set(err, ENOMEM, "caching token");
        *ret = token_cache_get(r->tokens, key, now);
        return 0;
}

/* Takes what a 401 (or the ping) tells about the auth scheme.  true if it changed anything
 * worth a retry. */
static bool learn_challenge(struct registry *r, const char *www)
{
        struct auth_challenge *ch = NULL;
        size_t n = 0;
        bool changed = false;
        if (!www || auth_challenges_parse(www, &ch, &n, NULL) < 0) {
                /* no usable challenge: try Basic once if we have credentials */
                if (r->auth != AUTH_NONE || !r->user)
                        return false;
                r->auth = AUTH_BASIC;
                return true;
        }
        for (size_t i = 0; i < n; i++) {
                const char *realm = auth_challenge_param(&ch[i], "realm");
                if (strcmp(ch[i].scheme, "bearer") == 0 && realm) {
                        free(r->realm);
                        free(r->service);
                        r->realm = strdup(realm);
                        r->service = strdup(strempty(auth_challenge_param(&ch[i], "service")));
                        r->auth = AUTH_BEARER;
                        changed = r->realm && r->service;
                        break;
                }
                if (strcmp(ch[i].scheme, "basic") == 0 && r->user) {
                        changed = r->auth != AUTH_BASIC;
                        r->auth = AUTH_BASIC;
                }
        }
        auth_challenges_free(ch, n);
        return changed;
}

/* Chooses the scheme with GET /v2/ (https, then http when allowed) and learns the auth. */
static int detect(struct registry *r, struct cu_error **err)
{
        if (r->base)
                return 0;
        static const char *const schemes[] = { "https", "http" };
        int k = 0;
        for (size_t i = 0; i < (r->may_http ? 2u : 1u); i++) {
                cu_error_clear(err);
                struct xfer x = { .method = "GET", .body_fd = -1, .out_fd = -1, .resp_max = ERROR_BODY_MAX };
                if (asprintf(&x.url, "%s://%s/v2/", schemes[i], r->api_host) < 0) {
                        x.url = NULL;
                        return cu_error_set(err, ENOMEM, "pinging");
                }
                k = perform(r, &x, NULL, err);
                if (k >= 0 && x.status != 200 && x.status != 401) {
                        _cleanup_free_ char *m = error_text(&x);
                        k = cu_error_setx(err, EIO, "%s", m);
                }
                if (k >= 0) {
                        if (x.status == 401) {
                                learn_challenge(r, x.www_auth);
                                struct auth_challenge *ch = NULL;
                                size_t n = 0;
                                if (r->auth == AUTH_BEARER &&
                                    auth_challenges_parse(x.www_auth, &ch, &n, NULL) >= 0 && n > 0)
                                        r->ping_scope = auth_challenge_param(&ch[0], "scope")
                                                                ? strdup(auth_challenge_param(&ch[0], "scope"))
                                                                : NULL;
                                auth_challenges_free(ch, n);
                        }
                        if (asprintf(&r->base, "%s://%s", schemes[i], r->api_host) < 0)
                                r->base = NULL;
                        xfer_done(&x);
                        return r->base ? 0 : cu_error_set(err, ENOMEM, "pinging");
                }
                xfer_done(&x);
        }
        return cu_error_prefix(err, k, "pinging container registry %s", r->host);
}

static bool same_origin(const char *a, const char *b)
{
        CURLU *ua = curl_url(), *ub = curl_url();
        bool same = false;
        if (ua && ub && curl_url_set(ua, CURLUPART_URL, a, 0) == CURLUE_OK &&
            curl_url_set(ub, CURLUPART_URL, b, 0) == CURLUE_OK) {
                same = true;
                const CURLUPart parts[] = { CURLUPART_SCHEME, CURLUPART_HOST, CURLUPART_PORT };
                for (size_t i = 0; i < ELEMENTSOF(parts) && same; i++) {
                        char *pa = NULL, *pb = NULL;
                        curl_url_get(ua, parts[i], &pa, CURLU_DEFAULT_PORT);
                        curl_url_get(ub, parts[i], &pb, CURLU_DEFAULT_PORT);
                        same = pa && pb && strcasecmp(pa, pb) == 0;
                        curl_free(pa);
                        curl_free(pb);
                }
        }
        curl_url_cleanup(ua);
        curl_url_cleanup(ub);
        return same;
}

/* base + relative or absolute location (+ "&digest=…" query when add_query). */
static char *resolve_url(const char *base, const char *loc, const char *add_query)
{
        CURLU *u = curl_url();
        char *out = NULL, *s = NULL;
        if (u && curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
            curl_url_set(u, CURLUPART_URL, loc, 0) == CURLUE_OK &&
            (!add_query || curl_url_set(u, CURLUPART_QUERY, add_query,
                                        CURLU_APPENDQUERY | CURLU_URLENCODE) == CURLUE_OK) &&
            curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK)
                out = strdup(s);
        curl_free(s);
        curl_url_cleanup(u);
        return out;
}

/* A registry request: pings first, authenticates, retries once on 401 with a
 * new challenge, follows redirects when x->follow.  0 with x->status, or -errno. */
static int request(struct registry *r, struct xfer *x, struct cu_error **err)
{
        int k = detect(r, err);
        if (k < 0)
                return k;
        bool retried = false;
        for (int hops = 0;; hops++) {
                const char *token = NULL;
                _cleanup_free_ char *authz = NULL;
                if (!x->no_auth && r->auth == AUTH_BASIC && r->user)
                        authz = auth_basic_value(r->user, r->pass);
                else if (!x->no_auth && r->auth == AUTH_BEARER) {
                        k = bearer_token(r, x->scopes, retried, &token, err);
                        if (k < 0)
                                return k;
                        if (asprintf(&authz, "Bearer %s", token) < 0)
                                authz = NULL;
                }
                if (r->auth != AUTH_NONE && !x->no_auth && !authz)
                        return cu_error_set(err, ENOMEM, "building request");
                k = perform(r, x, authz, err);
                if (k < 0)
                        return k;
                if (x->status == 401 && !retried && !x->no_auth) {
                        enum auth_kind before = r->auth;
                        bool changed = learn_challenge(r, x->www_auth);
                        retried = true;
                        if (changed || before == AUTH_BEARER)
                                continue;
                }
                bool redirect = x->status == 301 || x->status == 302 || x->status == 303 ||
                                x->status == 307 || x->status == 308;
                if (!x->follow || !redirect || !x->location)
                        return 0;
                if (hops >= MAX_REDIRECTS)
                        return cu_error_setx(err, ELOOP, "%s \"%s\": too many redirects", x->method, x->url);
                char *next = resolve_url(x->url, x->location, NULL);
                if (!next)
                        return cu_error_setx(err, EINVAL, "invalid redirect to \"%.200s\"", x->location);
                if (!same_origin(r->base, next))
                        x->no_auth = true;
                free(x->url);
                x->url = next;
        }
}

static bool valid_repo(const char *s)
{
        if (!s || !*s || *s == '/' || strlen(s) > 255)
                return false;
        for (const char *c = s; *c; c++)
                if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || strchr("._-/", *c)))
                        return false;
        return !strstr(s, "..") && !strstr(s, "//") && s[strlen(s) - 1] != '/';
}

static bool valid_ref(const char *s)
{
        if (digest_valid(s))
                return true;
        if (!s || !*s || strlen(s) > 128 || *s == '.' || *s == '-')
                return false;
        for (const char *c = s; *c; c++)
                if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                      strchr("._-", *c)))
                        return false;
        return true;
}

static int new_xfer(struct registry *r, struct xfer *x, const char *method, const char *repo,
                    const char *what, const char *ref, struct cu_error **err)
{
        *x = (struct xfer){ .method = method, .body_fd = -1, .out_fd = -1, .resp_max = ERROR_BODY_MAX };
        if (!valid_repo(repo))
                return cu_error_setx(err, EINVAL, "invalid repository name \"%s\"", strempty(repo));
        if (ref && !valid_ref(ref))
                return cu_error_setx(err, EINVAL, "invalid tag or digest \"%s\"", ref);
        int k = detect(r, err);
        if (k < 0)
                return k;
        if (asprintf(&x->url, "%s/v2/%s/%s/%s", r->base, repo, what, strempty(ref)) < 0) {
                x->url = NULL;
                return cu_error_set(err, ENOMEM, "building request");
        }
        return 0;
}

struct registry *registry_new(const char *host, const struct registry_opts *o,
                              struct cu_error **err)
{
        if (!host || !host[0] || strpbrk(host, "/ \t\r\n@?#")) {
                cu_error_setx(err, EINVAL, "invalid registry \"%s\"", strempty(host));
                return NULL;
        }
        if (curl_users == 0 && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
                cu_error_setx(err, EIO, "initializing libcurl");
                return NULL;
        }
        curl_users++;
        _cleanup_registry_ struct registry *r = calloc(1, sizeof(*r));
        if (!r) {
                if (--curl_users == 0)
                        curl_global_cleanup();
                cu_error_set(err, ENOMEM, "creating registry client");
                return NULL;
        }
        r->curl = curl_easy_init();
        r->host = strdup(host);
        r->api_host = strdup(strcmp(host, "docker.io") == 0 ? "registry-1.docker.io" : host);
        r->tls_verify = o ? o->tls_verify && !o->insecure : true;
        r->may_http = o ? !o->tls_verify || o->insecure : false;
        r->tokens = token_cache_new();
        r->user_agent = strdup(o && o->user_agent ? o->user_agent : "cuttle/" CUTTLE_VERSION);
        if (o && o->username) {
                r->user = strdup(o->username);
                r->pass = strdup(strempty(o->password));
        }
        if (!r->curl || !r->host || !r->api_host || !r->tokens || !r->user_agent ||
            (o && o->username && (!r->user || !r->pass))) {
                cu_error_set(err, ENOMEM, "creating registry client");
                return NULL;
        }
        return TAKE_PTR(r);
}

struct registry *registry_free(struct registry *r)
{
        if (!r)
                return NULL;
        if (r->curl)
                curl_easy_cleanup(r->curl);
        free(r->host);
        free(r->api_host);
        free(r->base);
        free(r->user);
        free(r->pass);
        free(r->user_agent);
        free(r->realm);
        free(r->service);
        free(r->ping_scope);
        token_cache_free(r->tokens);
        free(r);
        if (curl_users > 0 && --curl_users == 0)
                curl_global_cleanup();
        return NULL;
}

int registry_ping(struct registry *r, struct cu_error **err)
{
        int k = detect(r, err);
        if (k < 0)
                return k;
        struct xfer x = { .method = "GET", .body_fd = -1, .out_fd = -1, .resp_max = ERROR_BODY_MAX };
        if (asprintf(&x.url, "%s/v2/", r->base) < 0)
                return cu_error_set(err, ENOMEM, "pinging");
        k = request(r, &x, err);
        if (k >= 0 && x.status != 200) {
                _cleanup_free_ char *m = error_text(&x);
                k = x.status == 401 ? cu_error_setx(err, EACCES, "unable to retrieve auth token: invalid username/password: %s", m)
                                    : cu_error_setx(err, EIO, "%s", m);
        }
        xfer_done(&x);
        return k;
}

/* The media type in a manifest's own "mediaType", else guessed from its shape. */
static char *guess_media_type(const char *body, size_t len)
{
        _cleanup_json_ json_t *j = json_loadb(body, len, 0, NULL);
        json_t *mt = json_object_get(j, "mediaType");
        if (json_is_string(mt))
                return strdup(json_string_value(mt));
        if (json_object_get(j, "manifests"))
                return strdup(MEDIA_TYPE_OCI_INDEX);
        json_t *sv = json_object_get(j, "schemaVersion");
        if (json_is_integer(sv) && json_integer_value(sv) == 1)
                return strdup("application/vnd.docker.distribution.manifest.v1+json");
        return strdup(MEDIA_TYPE_OCI_MANIFEST);
}

int registry_get_manifest(struct registry *r, const char *repo, const char *tag_or_digest,
                          char **body, size_t *len, char **media_type,
                          char digest[static DIGEST_STR_LEN + 1], struct cu_error **err)
{
        struct xfer x;
        int k = new_xfer(r, &x, "GET", repo, "manifests", tag_or_digest, err);
        char *scopes[] = { auth_scope(repo, false), NULL };
        x.scopes = scopes;
        x.accept = MEDIA_TYPE_OCI_MANIFEST ", " MEDIA_TYPE_OCI_INDEX ", " MEDIA_TYPE_DOCKER_MANIFEST
                                           ", " MEDIA_TYPE_DOCKER_LIST;
        x.resp_max = MANIFEST_MAX;
        x.follow = true;
        if (k >= 0 && !scopes[0])
                k = cu_error_set(err, ENOMEM, "reading manifest");
        if (k >= 0)
                k = request(r, &x, err);
        char got[DIGEST_STR_LEN + 1];
        if (k >= 0 && x.status != 200) {
                _cleanup_free_ char *m = error_text(&x);
                k = cu_error_setx(err, x.status == 404 ? ENOENT : x.status == 401 ? EACCES : EIO,
                                  "reading manifest %s in %s/%s: %s", tag_or_digest, r->host, repo, m);
        } else if (k >= 0) {
                digest_buffer(x.resp ? x.resp : "", x.resp_len, got);
                if (digest_valid(tag_or_digest) && strcmp(got, tag_or_digest) != 0)
                        k = cu_error_setx(err, EBADMSG, "manifest %s in %s/%s has digest %s", tag_or_digest,
                                          r->host, repo, got);
                else if (!digest_valid(tag_or_digest) && x.docker_digest &&
                         strncmp(x.docker_digest, "sha256:", 7) == 0 && strcmp(x.docker_digest, got) != 0)
                        k = cu_error_setx(err, EBADMSG, "manifest %s in %s/%s: Docker-Content-Digest %s does not match its content (%s)",
                                          tag_or_digest, r->host, repo, x.docker_digest, got);
        }
        if (k >= 0) {
                char *mt = NULL;
                if (x.ctype) {
                        x.ctype[strcspn(x.ctype, "; ")] = 0;
                        if (strcmp(x.ctype, "application/json") != 0 && strcmp(x.ctype, "text/plain") != 0 &&
                            x.ctype[0])
                                mt = strdup(x.ctype);
                }
                if (!mt)
                        mt = guess_media_type(x.resp ? x.resp : "", x.resp_len);
                if (!x.resp)
                        x.resp = calloc(1, 1);
                if (!mt || !x.resp) {
                        free(mt);
                        k = cu_error_set(err, ENOMEM, "reading manifest");
                } else {
                        *body = TAKE_PTR(x.resp);
                        *len = x.resp_len;
                        *media_type = mt;
                        memcpy(digest, got, sizeof(got));
                }
        }
        free(scopes[0]);
        xfer_done(&x);
        return k;
}

int registry_get_blob(struct registry *r, const char *repo, const char *digest, int out_fd,
                      uint64_t expected_size,
                      void (*progress)(void *ud, uint64_t done, uint64_t total), void *ud,
                      struct cu_error **err)
{
        if (!digest_valid(digest))
                return cu_error_setx(err, EINVAL, "invalid digest \"%s\"", strempty(digest));
        struct xfer x;
        int k = new_xfer(r, &x, "GET", repo, "blobs", digest, err);
        char *scopes[] = { auth_scope(repo, false), NULL };
        x.scopes = scopes;
        x.follow = true;
        x.out_fd = out_fd;
        x.expect = expected_size;
        x.progress = progress;
        x.ud = ud;
        x.dg = digester_new();
        if (k >= 0 && (!scopes[0] || !x.dg))
                k = cu_error_set(err, ENOMEM, "reading blob");
        if (k >= 0)
                k = request(r, &x, err);
        if (k >= 0 && x.status != 200) {
                _cleanup_free_ char *m = error_text(&x);
                k = cu_error_setx(err, x.status == 404 ? ENOENT : x.status == 401 ? EACCES : EIO,
                                  "reading blob %s in %s/%s: %s", digest, r->host, repo, m);
        } else if (k >= 0) {
                char got[DIGEST_STR_LEN + 1];
                digester_final(x.dg, got);
                if (expected_size != REGISTRY_SIZE_UNKNOWN && x.written != expected_size)
                        k = cu_error_setx(err, EBADMSG, "reading blob %s in %s/%s: size %llu, expected %llu",
                                          digest, r->host, repo, (unsigned long long) x.written,
                                          (unsigned long long) expected_size);
                else if (strcmp(got, digest) != 0)
                        k = cu_error_setx(err, EBADMSG, "reading blob %s in %s/%s: digest did not match, expected %s, got %s",
                                          digest, r->host, repo, digest, got);
        } else
                cu_error_prefix(err, k, "reading blob %s in %s/%s", digest, r->host, repo);
        free(scopes[0]);
        xfer_done(&x);
        return k;
}

int registry_blob_exists(struct registry *r, const char *repo, const char *digest,
                         uint64_t *size, struct cu_error **err)
{
        if (!digest_valid(digest))
                return cu_error_setx(err, EINVAL, "invalid digest \"%s\"", strempty(digest));
        struct xfer x;
        int k = new_xfer(r, &x, "HEAD", repo, "blobs", digest, err);
        char *scopes[] = { auth_scope(repo, false), NULL };
        x.scopes = scopes;
        x.follow = true;
        if (k >= 0 && !scopes[0])
                k = cu_error_set(err, ENOMEM, "checking blob");
        if (k >= 0)
                k = request(r, &x, err);
        if (k >= 0 && x.status == 200) {
                if (size)
                        *size = x.have_length ? x.length : REGISTRY_SIZE_UNKNOWN;
                k = 1;
        } else if (k >= 0 && x.status == 404)
                k = 0;
        else if (k >= 0) {
                _cleanup_free_ char *m = error_text(&x);
                k = cu_error_setx(err, x.status == 401 ? EACCES : EIO,
                                  "checking whether a blob %s exists in %s/%s: %s", digest, r->host, repo, m);
        }
        free(scopes[0]);
        xfer_done(&x);
        return k;
}

/* Best effort: DELETE an upload session that a mount attempt opened. */
static void cancel_upload(struct registry *r, struct xfer *from, char *const *scopes)
{
        struct xfer x = { .method = "DELETE", .body_fd = -1, .out_fd = -1, .resp_max = ERROR_BODY_MAX,
                          .scopes = scopes };
        x.url = resolve_url(from->url, from->location, NULL);
        if (x.url && request(r, &x, NULL) >= 0)
                log_debug("cancelled upload session: %ld", x.status);
        xfer_done(&x);
}

int registry_mount_blob(struct registry *r, const char *repo, const char *digest,
                        const char *from_repo, struct cu_error **err)
{
        if (!digest_valid(digest) || !valid_repo(from_repo))
                return cu_error_setx(err, EINVAL, "invalid mount source \"%s@%s\"", strempty(from_repo),
                                     strempty(digest));
        struct xfer x;
        int k = new_xfer(r, &x, "POST", repo, "blobs/uploads", NULL, err);
        char *scopes[] = { auth_scope(repo, true), auth_scope(from_repo, false), NULL };
        x.scopes = scopes;
        _cleanup_free_ char *url = NULL;
        if (k >= 0 && (!scopes[0] || !scopes[1] ||
                       asprintf(&url, "%s?mount=%s&from=%s", x.url, digest, from_repo) < 0))
                k = cu_error_set(err, ENOMEM, "mounting blob");
        if (k >= 0) {
                free(x.url);
                x.url = TAKE_PTR(url);
                k = request(r, &x, err);
        }
        if (k >= 0 && x.status == 201)
                k = 1;
        else if (k >= 0 && x.status == 202) {
                if (x.location)
                        cancel_upload(r, &x, scopes);
                k = 0;
        } else if (k >= 0) {
                _cleanup_free_ char *m = error_text(&x);
                k = cu_error_setx(err, x.status == 401 ? EACCES : EIO, "mounting blob %s from %s to %s/%s: %s",
                                  digest, from_repo, r->host, repo, m);
        }
        free(scopes[0]);
        free(scopes[1]);
        xfer_done(&x);
        return k;
}

int registry_put_blob(struct registry *r, const char *repo, const char *digest, int fd,
                      uint64_t size, struct cu_error **err)
{
        if (!digest_valid(digest))
                return cu_error_setx(err, EINVAL, "invalid digest \"%s\"", strempty(digest));
        struct xfer x;
        int k = new_xfer(r, &x, "POST", repo, "blobs/uploads", NULL, err);
        char *scopes[] = { auth_scope(repo, true), NULL };
        x.scopes = scopes;
        if (k >= 0 && !scopes[0])
                k = cu_error_set(err, ENOMEM, "uploading blob");
        if (k >= 0)
                k = request(r, &x, err);
        if (k >= 0 && (x.status != 202 || !x.location)) {
                _cleanup_free_ char *m = x.status == 202 ? strdup("no Location in the response") : error_text(&x);
                k = cu_error_setx(err, x.status == 401 ? EACCES : EIO,
                                  "initiating layer upload to /v2/%s/blobs/uploads/ in %s: %s", repo, r->host,
                                  strempty(m));
        }
        _cleanup_free_ char *q = NULL, *put_url = NULL;
        if (k >= 0 && (asprintf(&q, "digest=%s", digest) < 0 ||
                       !(put_url = resolve_url(x.url, x.location, q))))
                k = cu_error_setx(err, EINVAL, "uploading layer: invalid upload location \"%.200s\"", x.location);
        if (k >= 0) {
                free(x.url);
                x.url = TAKE_PTR(put_url);
                x.method = "PUT";
                x.body_fd = fd;
                x.body_size = size;
                x.content_type = "application/octet-stream";
                k = request(r, &x, err);
                if (k >= 0 && x.status != 201) {
                        _cleanup_free_ char *m = error_text(&x);
                        k = cu_error_setx(err, x.status == 401 ? EACCES : EIO, "uploading layer to %s: %s",
                                          x.url, m);
                } else if (k >= 0 && x.docker_digest && strcmp(x.docker_digest, digest) != 0)
                        k = cu_error_setx(err, EBADMSG, "uploading layer: registry stored %s, not %s",
                                          x.docker_digest, digest);
        }
        free(scopes[0]);
        xfer_done(&x);
        return k;
}

int registry_put_manifest(struct registry *r, const char *repo, const char *tag_or_digest,
                          const char *body, size_t len, const char *media_type,
                          struct cu_error **err)
{
        struct xfer x;
        int k = new_xfer(r, &x, "PUT", repo, "manifests", tag_or_digest, err);
        char *scopes[] = { auth_scope(repo, true), NULL };
        x.scopes = scopes;
        x.body = body;
        x.body_len = len;
        x.content_type = media_type;
        if (k >= 0 && !scopes[0])
                k = cu_error_set(err, ENOMEM, "uploading manifest");
        if (k >= 0)
                k = request(r, &x, err);
        if (k >= 0 && x.status != 201 && x.status != 200) {
                _cleanup_free_ char *m = error_text(&x);
                k = cu_error_setx(err, x.status == 401 ? EACCES : EIO, "uploading manifest %s to %s/%s: %s",
                                  tag_or_digest, r->host, repo, m);
        }
        free(scopes[0]);
        xfer_done(&x);
        return k;
}
