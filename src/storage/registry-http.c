/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The registry client's libcurl plumbing: one exchange on the wire (headers, bodies to
 * memory or to a digested fd, uploads from a buffer or fd), auth challenges and bearer
 * tokens, the scheme ping, redirects. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "storage/registry-internal.h"
#include "util/fileio.h"
#include "util/log.h"

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

void registry_xfer_done(struct xfer *x)
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

char *registry_error_text(const struct xfer *x)
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
                _cleanup_free_ char *m = registry_error_text(&x);
                if (x.status == 401)
                        k = cu_error_setx(err, EACCES, "unable to retrieve auth token: invalid username/password: %s", m);
                else
                        k = cu_error_setx(err, EIO, "requesting bearer token: invalid status code from registry %ld", x.status);
        }
        _cleanup_free_ char *token = NULL;
        int64_t expires = 0;
        if (k >= 0)
                k = auth_token_parse(x.resp ? x.resp : "", x.resp_len, &token, &expires, err);
        registry_xfer_done(&x);
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
int registry_detect(struct registry *r, struct cu_error **err)
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
                        _cleanup_free_ char *m = registry_error_text(&x);
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
                        registry_xfer_done(&x);
                        return r->base ? 0 : cu_error_set(err, ENOMEM, "pinging");
                }
                registry_xfer_done(&x);
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
char *registry_resolve_url(const char *base, const char *loc, const char *add_query)
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
int registry_request(struct registry *r, struct xfer *x, struct cu_error **err)
{
        int k = registry_detect(r, err);
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
                char *next = registry_resolve_url(x->url, x->location, NULL);
                if (!next)
                        return cu_error_setx(err, EINVAL, "invalid redirect to \"%.200s\"", x->location);
                if (!same_origin(r->base, next))
                        x->no_auth = true;
                free(x->url);
                x->url = next;
        }
}
