/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The registry client against real servers on 127.0.0.1: Debian's docker-registry
 * (anonymous, then with htpasswd Basic auth), and a small forked fake server for the
 * Bearer-token flow and cross-host redirects.  Every server is killed and its
 * directory removed by the group teardown (and by atexit / PDEATHSIG otherwise).
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "storage/registry.h"
#include "util/fileio.h"

#define DOCKER_REGISTRY "/usr/bin/docker-registry"
#define SKOPEO "/usr/bin/skopeo"
#define USER "cuttle"
#define PASS "s3cret"
/* htpasswd -Bbn cuttle s3cret */
#define HTPASSWD "cuttle:$2y$05$pW69KoQRyVlD.j.Ox3zGpOyYkVpLHl2DY/R4KozZxAbPwNnWSTUt6\n"

struct server {
        pid_t pid;
        int port;
        char dir[64];
        char host[32];
};

static struct server servers[3]; /* anonymous, htpasswd, fake */

static void server_stop(struct server *s)
{
        if (s->pid > 0) {
                kill(s->pid, SIGTERM);
                for (int i = 0; i < 100 && waitpid(s->pid, NULL, WNOHANG) == 0; i++)
                        usleep(20000);
                kill(s->pid, SIGKILL);
                waitpid(s->pid, NULL, 0);
                s->pid = 0;
        }
        if (s->dir[0]) {
                rm_rf(s->dir);
                s->dir[0] = 0;
        }
}

static void stop_all(void)
{
        for (size_t i = 0; i < ELEMENTSOF(servers); i++)
                server_stop(&servers[i]);
}

static int listen_socket(int *port)
{
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t l = sizeof(a);
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (fd < 0 || bind(fd, (struct sockaddr *) &a, sizeof(a)) < 0 || listen(fd, 16) < 0 ||
            getsockname(fd, (struct sockaddr *) &a, &l) < 0)
                return -1;
        *port = ntohs(a.sin_port);
        return fd;
}

static bool port_answers(int port)
{
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        bool ok = fd >= 0 && connect(fd, (struct sockaddr *) &a, sizeof(a)) == 0;
        if (fd >= 0)
                close(fd);
        return ok;
}

static int registry_start(struct server *s, bool with_auth)
{
        if (access(DOCKER_REGISTRY, X_OK) < 0) {
                fprintf(stderr, "# %s is missing (Debian package docker-registry)\n", DOCKER_REGISTRY);
                return -1;
        }
        snprintf(s->dir, sizeof(s->dir), "/tmp/cuttle-test-registry-XXXXXX");
        if (!mkdtemp(s->dir))
                return -1;
        int lfd = listen_socket(&s->port); /* a free port, released just before the start */
        if (lfd < 0)
                return -1;
        close(lfd);
        snprintf(s->host, sizeof(s->host), "127.0.0.1:%d", s->port);
        char path[128], conf[1024];
        int n = snprintf(conf, sizeof(conf),
                         "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n"
                         "storage:\n  filesystem:\n    rootdirectory: %s/data\n  delete:\n    enabled: true\n"
                         "http:\n  addr: %s\n%s%s%s",
                         s->dir, s->host, with_auth ? "auth:\n  htpasswd:\n    realm: cuttle-test\n    path: " : "",
                         with_auth ? s->dir : "", with_auth ? "/htpasswd\n" : "");
        snprintf(path, sizeof(path), "%s/config.yml", s->dir);
        if (write_file_atomic(path, conf, (size_t) n, 0600, NULL) < 0)
                return -1;
        snprintf(path, sizeof(path), "%s/htpasswd", s->dir);
        if (with_auth && write_file_atomic(path, HTPASSWD, strlen(HTPASSWD), 0600, NULL) < 0)
                return -1;
        s->pid = fork();
        if (s->pid < 0)
                return -1;
        if (s->pid == 0) {
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                snprintf(path, sizeof(path), "%s/log", s->dir);
                int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
                dup2(fd, 1);
                dup2(fd, 2);
                snprintf(path, sizeof(path), "%s/config.yml", s->dir);
                execl(DOCKER_REGISTRY, DOCKER_REGISTRY, "serve", path, (char *) NULL);
                _exit(127);
        }
        for (int i = 0; i < 300; i++) {
                if (port_answers(s->port))
                        return 0;
                if (waitpid(s->pid, NULL, WNOHANG) == s->pid) {
                        s->pid = 0;
                        fprintf(stderr, "# docker-registry exited; see its log\n");
                        return -1;
                }
                usleep(50000);
        }
        return -1;
}

/* ---------------------------------------------------------------- test image */

struct blob {
        char *data;
        size_t len;
        char digest[DIGEST_STR_LEN + 1];
};

static struct blob layer, config, manifest;

static void blob_set(struct blob *b, char *data, size_t len)
{
        b->data = data;
        b->len = len;
        digest_buffer(data, len, b->digest);
}

static void make_image(void)
{
        if (layer.data)
                return;
        size_t n = 300 * 1024 + 17;
        char *d = malloc(n);
        uint32_t x = 12345;
        for (size_t i = 0; i < n; i++) {
                x = x * 1103515245 + 12345;
                d[i] = (char) (x >> 16);
        }
        blob_set(&layer, d, n);
        char *c = NULL;
        int k = asprintf(&c, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
                             "\"diff_ids\":[\"%s\"]},\"config\":{\"Cmd\":[\"/bin/sh\"]}}", layer.digest);
        blob_set(&config, c, (size_t) k);
        char *m = NULL;
        k = asprintf(&m, "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":{\"mediaType\":"
                         "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"%s\",\"size\":%zu},"
                         "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
                         "\"digest\":\"%s\",\"size\":%zu}]}",
                     MEDIA_TYPE_OCI_MANIFEST, config.digest, config.len, layer.digest, layer.len);
        blob_set(&manifest, m, (size_t) k);
}

static int blob_fd(const struct blob *b)
{
        int fd = memfd_create("blob", MFD_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(write_all(fd, b->data, b->len), 0);
        return fd;
}

static struct registry *client(const struct server *s, const char *user, const char *pass)
{
        struct registry_opts o = { .tls_verify = false, .username = user, .password = pass };
        struct registry *r = registry_new(s->host, &o, NULL);
        assert_non_null(r);
        return r;
}

static void must(int r, struct cu_error *e)
{
        if (r < 0)
                fail_msg("%s", cu_error_msg(e));
}

static void push_image(struct registry *r, const char *repo, const char *tag)
{
        struct cu_error *e = NULL;
        int fd = blob_fd(&layer);
        must(registry_put_blob(r, repo, layer.digest, fd, layer.len, &e), e);
        close(fd);
        fd = blob_fd(&config);
        must(registry_put_blob(r, repo, config.digest, fd, config.len, &e), e);
        close(fd);
        must(registry_put_manifest(r, repo, tag, manifest.data, manifest.len, MEDIA_TYPE_OCI_MANIFEST, &e), e);
}

static void check_manifest(struct registry *r, const char *repo, const char *ref, const struct blob *want)
{
        char *body = NULL, *mt = NULL, dg[DIGEST_STR_LEN + 1];
        size_t len = 0;
        struct cu_error *e = NULL;
        must(registry_get_manifest(r, repo, ref, &body, &len, &mt, dg, &e), e);
        assert_int_equal(len, want->len);
        assert_memory_equal(body, want->data, len);
        assert_string_equal(mt, MEDIA_TYPE_OCI_MANIFEST);
        assert_string_equal(dg, want->digest);
        free(body);
        free(mt);
}

static uint64_t progress_done;
static void on_progress(void *ud, uint64_t done, uint64_t total)
{
        assert_int_equal(total, *(size_t *) ud);
        progress_done = done;
}

static void test_push_pull(void **state)
{
        const struct server *s = &servers[0];
        struct registry *r = client(s, NULL, NULL);
        struct cu_error *e = NULL;
        must(registry_ping(r, &e), e);
        uint64_t size = 0;
        assert_int_equal(registry_blob_exists(r, "test/foo", layer.digest, &size, NULL), 0);

        /* the registry checks what we send against the digest */
        int fd = blob_fd(&layer);
        assert_true(registry_put_blob(r, "test/foo", config.digest, fd, layer.len, &e) < 0);
        assert_non_null(strstr(cu_error_msg(e), "provided digest did not match uploaded content"));
        cu_error_free(e);
        e = NULL;
        close(fd);

        push_image(r, "test/foo", "v1");
        assert_int_equal(registry_blob_exists(r, "test/foo", layer.digest, &size, NULL), 1);
        assert_int_equal(size, layer.len);

        /* cross-repository mounts */
        assert_int_equal(registry_blob_exists(r, "other/repo", layer.digest, NULL, NULL), 0);
        assert_int_equal(registry_mount_blob(r, "other/repo", layer.digest, "test/foo", NULL), 1);
        assert_int_equal(registry_blob_exists(r, "other/repo", layer.digest, NULL, NULL), 1);
        char missing[DIGEST_STR_LEN + 1];
        digest_buffer("nope", 4, missing);
        assert_int_equal(registry_mount_blob(r, "other/repo", missing, "test/foo", NULL), 0);

        check_manifest(r, "test/foo", "v1", &manifest);
        check_manifest(r, "test/foo", manifest.digest, &manifest);

        /* blobs: content, digest and size verified */
        int out = memfd_create("out", MFD_CLOEXEC);
        must(registry_get_blob(r, "test/foo", layer.digest, out, layer.len, on_progress, &layer.len, &e), e);
        assert_int_equal(progress_done, layer.len);
        char *back = malloc(layer.len);
        assert_int_equal(pread(out, back, layer.len, 0), (ssize_t) layer.len);
        assert_memory_equal(back, layer.data, layer.len);
        free(back);
        assert_int_equal(ftruncate(out, 0), 0);
        assert_int_equal(registry_get_blob(r, "test/foo", layer.digest, out, layer.len - 1, NULL, NULL, &e),
                         -EBADMSG);
        cu_error_free(e);
        e = NULL;
        assert_int_equal(registry_get_blob(r, "test/foo", config.digest, out, config.len + 1, NULL, NULL, &e),
                         -EBADMSG);
        assert_non_null(strstr(cu_error_msg(e), "expected"));
        cu_error_free(e);
        e = NULL;
        assert_int_equal(registry_get_blob(r, "test/foo", missing, out, 4, NULL, NULL, &e), -ENOENT);
        assert_non_null(strstr(cu_error_msg(e), "blob unknown to registry"));
        cu_error_free(e);
        e = NULL;
        close(out);

        /* podman's words for a missing tag */
        char *body = NULL, *mt = NULL, dg[DIGEST_STR_LEN + 1], want[256];
        size_t len = 0;
        assert_int_equal(registry_get_manifest(r, "test/foo", "nope", &body, &len, &mt, dg, &e), -ENOENT);
        snprintf(want, sizeof(want), "reading manifest nope in %s/test/foo: manifest unknown", s->host);
        assert_string_equal(cu_error_msg(e), want);
        cu_error_free(e);
        e = NULL;
        assert_int_equal(registry_get_manifest(r, "Bad/Name", "v1", &body, &len, &mt, dg, &e), -EINVAL);
        cu_error_free(e);
        registry_free(r);

        /* with TLS verification on, plain http is not tried */
        struct registry_opts strict = { .tls_verify = true };
        r = registry_new(s->host, &strict, NULL);
        e = NULL;
        assert_true(registry_ping(r, &e) < 0);
        snprintf(want, sizeof(want), "pinging container registry %s: Get \"https://%s/v2/\"", s->host, s->host);
        if (strncmp(cu_error_msg(e), want, strlen(want)) != 0)
                fail_msg("%s", cu_error_msg(e));
        cu_error_free(e);
        registry_free(r);
}

static int run(const char *cmd)
{
        char full[2048];
        snprintf(full, sizeof(full), "%s >/dev/null 2>&1", cmd);
        int st = system(full);
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* skopeo reads what we pushed, and we read what skopeo pushed. */
static void test_skopeo(void **state)
{
        if (access(SKOPEO, X_OK) < 0) {
                fprintf(stderr, "# %s is missing: skipping the interop check (Debian package skopeo)\n", SKOPEO);
                skip();
        }
        const struct server *s = &servers[0];
        struct registry *r = client(s, NULL, NULL);
        push_image(r, "interop/src", "v1");
        char cmd[1024];
        snprintf(cmd, sizeof(cmd),
                 SKOPEO " --insecure-policy copy --src-tls-verify=false docker://%s/interop/src:v1 oci:%s/layout:v1",
                 s->host, s->dir);
        assert_int_equal(run(cmd), 0);
        snprintf(cmd, sizeof(cmd),
                 SKOPEO " --insecure-policy copy --dest-tls-verify=false oci:%s/layout:v1 docker://%s/interop/dst:v2",
                 s->dir, s->host);
        assert_int_equal(run(cmd), 0);
        /* skopeo may re-serialise the manifest: compare with what it reads back itself */
        char *body = NULL, *mt = NULL, dg[DIGEST_STR_LEN + 1], *raw = NULL;
        size_t len = 0, raw_len = 0;
        struct cu_error *e = NULL;
        must(registry_get_manifest(r, "interop/dst", "v2", &body, &len, &mt, dg, &e), e);
        snprintf(cmd, sizeof(cmd),
                 SKOPEO " inspect --raw --tls-verify=false docker://%s/interop/dst:v2 > %s/raw", s->host, s->dir);
        assert_int_equal(system(cmd), 0);
        snprintf(cmd, sizeof(cmd), "%s/raw", s->dir);
        assert_int_equal(read_full_file(cmd, &raw, &raw_len, NULL), 0);
        assert_int_equal(raw_len, len);
        assert_memory_equal(raw, body, len);
        assert_string_equal(mt, MEDIA_TYPE_OCI_MANIFEST);
        assert_non_null(strstr(body, layer.digest));
        assert_non_null(strstr(body, config.digest));
        int out = memfd_create("out", MFD_CLOEXEC);
        must(registry_get_blob(r, "interop/dst", layer.digest, out, layer.len, NULL, NULL, &e), e);
        close(out);
        free(body);
        free(mt);
        free(raw);
        registry_free(r);
}

static void test_basic_auth(void **state)
{
        const struct server *s = &servers[1];
        char want[256];
        struct cu_error *e = NULL;

        struct registry *anon = client(s, NULL, NULL);
        char *body = NULL, *mt = NULL, dg[DIGEST_STR_LEN + 1];
        size_t len = 0;
        assert_int_equal(registry_get_manifest(anon, "test/foo", "v1", &body, &len, &mt, dg, &e), -EACCES);
        snprintf(want, sizeof(want), "reading manifest v1 in %s/test/foo: authentication required", s->host);
        assert_string_equal(cu_error_msg(e), want);
        cu_error_free(e);
        e = NULL;
        registry_free(anon);

        struct registry *bad = client(s, USER, "wrong");
        assert_int_equal(registry_ping(bad, &e), -EACCES);
        assert_string_equal(cu_error_msg(e),
                            "unable to retrieve auth token: invalid username/password: authentication required");
        cu_error_free(e);
        e = NULL;
        int fd = blob_fd(&config);
        assert_int_equal(registry_put_blob(bad, "test/foo", config.digest, fd, config.len, &e), -EACCES);
        assert_non_null(strstr(cu_error_msg(e), "authentication required"));
        cu_error_free(e);
        e = NULL;
        close(fd);
        registry_free(bad);

        struct registry *good = client(s, USER, PASS);
        must(registry_ping(good, &e), e);
        push_image(good, "test/foo", "v1");
        check_manifest(good, "test/foo", "v1", &manifest);
        assert_int_equal(registry_mount_blob(good, "test/bar", layer.digest, "test/foo", NULL), 1);
        registry_free(good);
}

/* ---------------------------------------------------------------- fake bearer server */

static const char bad_blob[] = "not what the digest says";
static char bad_digest[DIGEST_STR_LEN + 1];

static void respond(int c, int status, const char *extra, const char *ctype, const char *body, size_t len)
{
        char head[1024];
        int n = snprintf(head, sizeof(head),
                         "HTTP/1.1 %d X\r\nConnection: close\r\nContent-Length: %zu\r\nContent-Type: %s\r\n%s\r\n",
                         status, len, ctype, extra);
        (void) !write(c, head, (size_t) n);
        (void) !write(c, body, len);
}

static void fake_handle(int c, int port, FILE *log)
{
        char buf[16384];
        size_t n = 0;
        unsigned char first;
        if (recv(c, &first, 1, MSG_PEEK) != 1 || first == 0x16) /* TLS ClientHello: not here */
                return;
        while (n < sizeof(buf) - 1) {
                ssize_t k = read(c, buf + n, sizeof(buf) - 1 - n);
                if (k <= 0)
                        return;
                n += (size_t) k;
                buf[n] = 0;
                if (strstr(buf, "\r\n\r\n"))
                        break;
        }
        char method[16], path[2048];
        if (sscanf(buf, "%15s %2047s", method, path) != 2)
                return;
        char authz[1024] = "-";
        char *a = strcasestr(buf, "\r\nAuthorization: ");
        if (a)
                sscanf(a + 17, "%1023[^\r]", authz);
        fprintf(log, "%s %s | %s\n", method, path, authz);
        fflush(log);
        bool bearer = strncmp(authz, "Bearer tok-", 11) == 0;
        char chal[512];
        static int tokens;
        if (strncmp(path, "/token?", 7) == 0) {
                if (strcmp(authz, "-") != 0 && strcmp(authz, "Basic Y3V0dGxlOnMzY3JldA==") != 0) {
                        const char *b = "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}";
                        respond(c, 401, "", "application/json", b, strlen(b));
                        return;
                }
                char b[64];
                int k = snprintf(b, sizeof(b), "{\"token\":\"tok-%d\",\"expires_in\":300}", ++tokens);
                respond(c, 200, "", "application/json", b, (size_t) k);
                return;
        }
        if (strncmp(path, "/cdn/", 5) == 0) {
                if (strcmp(authz, "-") != 0)
                        respond(c, 403, "", "text/plain", "credentials leaked", 18);
                else
                        respond(c, 200, "", "application/octet-stream", layer.data, layer.len);
                return;
        }
        if (strncmp(path, "/v2/", 4) == 0 && !bearer) {
                snprintf(chal, sizeof(chal),
                         "WWW-Authenticate: Bearer realm=\"http://127.0.0.1:%d/token\",service=\"fake\"%s\r\n", port,
                         strcmp(path, "/v2/") == 0 ? "" : ",scope=\"repository:img:pull\"");
                const char *b = "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}";
                respond(c, 401, chal, "application/json", b, strlen(b));
                return;
        }
        char p[256];
        if (strcmp(path, "/v2/") == 0) {
                respond(c, 200, "", "application/json", "{}", 2);
        } else if (strcmp(path, "/v2/img/manifests/v1") == 0) {
                snprintf(p, sizeof(p), "Docker-Content-Digest: %s\r\n", manifest.digest);
                respond(c, 200, p, MEDIA_TYPE_OCI_MANIFEST, manifest.data, manifest.len);
        } else if (strcmp(path, "/v2/img/manifests/lying") == 0) {
                snprintf(p, sizeof(p), "Docker-Content-Digest: %s\r\n", config.digest);
                respond(c, 200, p, "application/json", manifest.data, manifest.len);
        } else if (strncmp(path, "/v2/img/blobs/", 14) == 0 && strcmp(path + 14, layer.digest) == 0) {
                snprintf(p, sizeof(p), "Location: http://localhost:%d/cdn/%s\r\n", port, layer.digest);
                respond(c, 307, p, "text/plain", "", 0);
        } else if (strncmp(path, "/v2/img/blobs/", 14) == 0 && strcmp(path + 14, bad_digest) == 0) {
                respond(c, 200, "", "application/octet-stream", bad_blob, strlen(bad_blob));
        } else
                respond(c, 404, "", "text/plain", "nothing here", 12);
}

static int fake_start(struct server *s)
{
        snprintf(s->dir, sizeof(s->dir), "/tmp/cuttle-test-fakereg-XXXXXX");
        if (!mkdtemp(s->dir))
                return -1;
        int lfd = listen_socket(&s->port);
        if (lfd < 0)
                return -1;
        snprintf(s->host, sizeof(s->host), "127.0.0.1:%d", s->port);
        s->pid = fork();
        if (s->pid < 0)
                return -1;
        if (s->pid == 0) {
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                char path[128];
                snprintf(path, sizeof(path), "%s/log", s->dir);
                FILE *log = fopen(path, "we");
                time_t deadline = time(NULL) + 120; /* stops by itself */
                while (log && time(NULL) < deadline) {
                        struct pollfd pfd = { .fd = lfd, .events = POLLIN };
                        if (poll(&pfd, 1, 1000) <= 0)
                                continue;
                        int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
                        if (c < 0)
                                continue;
                        struct timeval tv = { .tv_sec = 5 };
                        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
                        fake_handle(c, s->port, log);
                        shutdown(c, SHUT_WR);
                        close(c);
                }
                _exit(0);
        }
        close(lfd);
        return 0;
}

static void fake_log(char **text)
{
        char path[128];
        size_t len;
        snprintf(path, sizeof(path), "%s/log", servers[2].dir);
        assert_int_equal(read_full_file(path, text, &len, NULL), 0);
}

static size_t count(const char *hay, const char *needle)
{
        size_t n = 0;
        for (const char *p = hay; (p = strstr(p, needle)); p++)
                n++;
        return n;
}

static void test_bearer(void **state)
{
        const struct server *s = &servers[2];
        struct cu_error *e = NULL;
        struct registry *r = client(s, USER, PASS);
        must(registry_ping(r, &e), e);
        check_manifest(r, "img", "v1", &manifest);
        check_manifest(r, "img", "v1", &manifest); /* the token is cached */

        int out = memfd_create("out", MFD_CLOEXEC);
        must(registry_get_blob(r, "img", layer.digest, out, layer.len, NULL, NULL, &e), e);
        struct stat st;
        assert_int_equal(fstat(out, &st), 0);
        assert_int_equal(st.st_size, layer.len);
        assert_int_equal(ftruncate(out, 0), 0);
        assert_int_equal(registry_get_blob(r, "img", bad_digest, out, REGISTRY_SIZE_UNKNOWN, NULL, NULL, &e),
                         -EBADMSG);
        assert_non_null(strstr(cu_error_msg(e), "digest did not match"));
        cu_error_free(e);
        e = NULL;
        close(out);

        char *body = NULL, *mt = NULL, dg[DIGEST_STR_LEN + 1];
        size_t len;
        assert_int_equal(registry_get_manifest(r, "img", "lying", &body, &len, &mt, dg, &e), -EBADMSG);
        assert_non_null(strstr(cu_error_msg(e), "does not match its content"));
        cu_error_free(e);
        e = NULL;
        registry_free(r);

        char *log = NULL;
        fake_log(&log);
        /* ping: anonymous, token with Basic credentials, then the token */
        assert_non_null(strstr(log, "GET /v2/ | -\nGET /token?service=fake | Basic Y3V0dGxlOnMzY3JldA==\n"
                                    "GET /v2/ | Bearer tok-1\n"));
        assert_non_null(strstr(log, "GET /token?service=fake&scope=repository%3Aimg%3Apull | Basic"));
        assert_int_equal(count(log, "GET /v2/img/manifests/v1 | Bearer tok-2"), 2);
        assert_int_equal(count(log, "GET /token?"), 2);
        /* the redirect to another host went without credentials */
        assert_non_null(strstr(log, "/cdn/sha256:"));
        for (const char *p = strstr(log, "GET /cdn/"); p; p = strstr(p + 1, "GET /cdn/"))
                assert_int_equal(strncmp(strchr(p, '|'), "| -\n", 4), 0);
        free(log);

        struct registry *bad = client(s, USER, "wrong");
        assert_int_equal(registry_ping(bad, &e), -EACCES);
        assert_string_equal(cu_error_msg(e),
                            "unable to retrieve auth token: invalid username/password: authentication required");
        cu_error_free(e);
        registry_free(bad);
}

/* ---------------------------------------------------------------- groups */

static int setup_anon(void **state)
{
        make_image();
        return registry_start(&servers[0], false);
}

static int setup_auth(void **state)
{
        make_image();
        return registry_start(&servers[1], true);
}

static int setup_fake(void **state)
{
        make_image();
        digest_buffer(bad_blob, strlen(bad_blob), bad_digest);
        bad_digest[DIGEST_STR_LEN - 1] = bad_digest[DIGEST_STR_LEN - 1] == '0' ? '1' : '0';
        return fake_start(&servers[2]);
}

static int teardown_all(void **state)
{
        stop_all();
        return 0;
}

int main(void)
{
        atexit(stop_all);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_push_pull, setup_anon, teardown_all),
                cmocka_unit_test_setup_teardown(test_skopeo, setup_anon, teardown_all),
                cmocka_unit_test_setup_teardown(test_basic_auth, setup_auth, teardown_all),
                cmocka_unit_test_setup_teardown(test_bearer, setup_fake, teardown_all),
        };
        int failed = cmocka_run_group_tests(tests, NULL, NULL);
        free(layer.data);
        free(config.data);
        free(manifest.data);
        return failed;
}
