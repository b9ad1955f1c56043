/* SPDX-License-Identifier: GPL-2.0-or-later */
/* OCI distribution client: manifests, blobs, uploads (the HTTP plumbing is registry-http.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "storage/registry-internal.h"
#include "util/json.h"
#include "util/log.h"

static unsigned curl_users;

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
        int k = registry_detect(r, err);
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
        int k = registry_detect(r, err);
        if (k < 0)
                return k;
        struct xfer x = { .method = "GET", .body_fd = -1, .out_fd = -1, .resp_max = ERROR_BODY_MAX };
        if (asprintf(&x.url, "%s/v2/", r->base) < 0)
                return cu_error_set(err, ENOMEM, "pinging");
        k = registry_request(r, &x, err);
        if (k >= 0 && x.status != 200) {
                _cleanup_free_ char *m = registry_error_text(&x);
                k = x.status == 401 ? cu_error_setx(err, EACCES, "unable to retrieve auth token: invalid username/password: %s", m)
                                    : cu_error_setx(err, EIO, "%s", m);
        }
        registry_xfer_done(&x);
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
                k = registry_request(r, &x, err);
        char got[DIGEST_STR_LEN + 1];
        if (k >= 0 && x.status != 200) {
                _cleanup_free_ char *m = registry_error_text(&x);
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
        registry_xfer_done(&x);
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
                k = registry_request(r, &x, err);
        if (k >= 0 && x.status != 200) {
                _cleanup_free_ char *m = registry_error_text(&x);
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
        registry_xfer_done(&x);
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
                k = registry_request(r, &x, err);
        if (k >= 0 && x.status == 200) {
                if (size)
                        *size = x.have_length ? x.length : REGISTRY_SIZE_UNKNOWN;
                k = 1;
        } else if (k >= 0 && x.status == 404)
                k = 0;
        else if (k >= 0) {
                _cleanup_free_ char *m = registry_error_text(&x);
                k = cu_error_setx(err, x.status == 401 ? EACCES : EIO,
                                  "checking whether a blob %s exists in %s/%s: %s", digest, r->host, repo, m);
        }
        free(scopes[0]);
        registry_xfer_done(&x);
        return k;
}

/* Best effort: DELETE an upload session that a mount attempt opened. */
static void cancel_upload(struct registry *r, struct xfer *from, char *const *scopes)
{
        struct xfer x = { .method = "DELETE", .body_fd = -1, .out_fd = -1, .resp_max = ERROR_BODY_MAX,
                          .scopes = scopes };
        x.url = registry_resolve_url(from->url, from->location, NULL);
        if (x.url && registry_request(r, &x, NULL) >= 0)
                log_debug("cancelled upload session: %ld", x.status);
        registry_xfer_done(&x);
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
                k = registry_request(r, &x, err);
        }
        if (k >= 0 && x.status == 201)
                k = 1;
        else if (k >= 0 && x.status == 202) {
                if (x.location)
                        cancel_upload(r, &x, scopes);
                k = 0;
        } else if (k >= 0) {
                _cleanup_free_ char *m = registry_error_text(&x);
                k = cu_error_setx(err, x.status == 401 ? EACCES : EIO, "mounting blob %s from %s to %s/%s: %s",
                                  digest, from_repo, r->host, repo, m);
        }
        free(scopes[0]);
        free(scopes[1]);
        registry_xfer_done(&x);
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
                k = registry_request(r, &x, err);
        if (k >= 0 && (x.status != 202 || !x.location)) {
                _cleanup_free_ char *m = x.status == 202 ? strdup("no Location in the response") : registry_error_text(&x);
                k = cu_error_setx(err, x.status == 401 ? EACCES : EIO,
                                  "initiating layer upload to /v2/%s/blobs/uploads/ in %s: %s", repo, r->host,
                                  strempty(m));
        }
        _cleanup_free_ char *q = NULL, *put_url = NULL;
        if (k >= 0 && (asprintf(&q, "digest=%s", digest) < 0 ||
                       !(put_url = registry_resolve_url(x.url, x.location, q))))
                k = cu_error_setx(err, EINVAL, "uploading layer: invalid upload location \"%.200s\"", x.location);
        if (k >= 0) {
                free(x.url);
                x.url = TAKE_PTR(put_url);
                x.method = "PUT";
                x.body_fd = fd;
                x.body_size = size;
                x.content_type = "application/octet-stream";
                k = registry_request(r, &x, err);
                if (k >= 0 && x.status != 201) {
                        _cleanup_free_ char *m = registry_error_text(&x);
                        k = cu_error_setx(err, x.status == 401 ? EACCES : EIO, "uploading layer to %s: %s",
                                          x.url, m);
                } else if (k >= 0 && x.docker_digest && strcmp(x.docker_digest, digest) != 0)
                        k = cu_error_setx(err, EBADMSG, "uploading layer: registry stored %s, not %s",
                                          x.docker_digest, digest);
        }
        free(scopes[0]);
        registry_xfer_done(&x);
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
                k = registry_request(r, &x, err);
        if (k >= 0 && x.status != 201 && x.status != 200) {
                _cleanup_free_ char *m = registry_error_text(&x);
                k = cu_error_setx(err, x.status == 401 ? EACCES : EIO, "uploading manifest %s to %s/%s: %s",
                                  tag_or_digest, r->host, repo, m);
        }
        free(scopes[0]);
        registry_xfer_done(&x);
        return k;
}
