/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pull: manifest (index → platform), config, then the layers — downloaded
 * and unpacked by a few threads at once — staged and published together. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth-file.h"
#include "images.h"
#include "manifest.h"
#include "pull.h"
#include "reference.h"
#include "registries-conf.h"
#include "registry.h"
#include "stage.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/strv.h"

#define PULL_THREADS 3

/* A connection to the registry of ref, with registries.conf and auth applied. */
struct remote {
        struct image_ref ref; /* after registries.conf rewriting */
        char *repo;           /* path */
        char *host;
        struct registry_opts ropts;
        char *user, *pass;
};

static void remote_done(struct remote *r)
{
        image_ref_done(&r->ref);
        free(r->host);
        free(r->user);
        free(r->pass);
        *r = (struct remote) { 0 };
}

static int remote_init(struct remote *rm, const char *full, const struct registries_conf *conf,
                       const struct remote_opts *o, struct cu_error **err)
{
        const struct registry_entry *e = registries_conf_lookup(conf, full);
        if (e && e->blocked)
                return cu_error_setx(err, EACCES, "registry %s is blocked in registries.conf", e->prefix);
        _cleanup_free_ char *rewritten = registries_conf_rewrite(e, full);
        if (!rewritten)
                return -ENOMEM;
        int r = image_ref_parse(rewritten, &rm->ref, err);
        if (r < 0)
                return r;
        rm->host = strdup(rm->ref.domain ? rm->ref.domain : "docker.io");
        rm->repo = rm->ref.path;
        if (!rm->host)
                return -ENOMEM;
        rm->ropts.tls_verify = o->tls_verify != 0;
        rm->ropts.insecure = (e && e->insecure) || o->tls_verify == 0;
        if (o->creds) {
                const char *colon = strchr(o->creds, ':');
                rm->user = colon ? strndup(o->creds, (size_t) (colon - o->creds)) : strdup(o->creds);
                rm->pass = strdup(colon ? colon + 1 : "");
                if (!rm->user || !rm->pass)
                        return -ENOMEM;
        } else {
                _cleanup_free_ char *key = NULL;
                if (asprintf(&key, "%s/%s", rm->host, rm->repo) < 0)
                        return -ENOMEM;
                r = auth_file_get(o->authfile, key, &rm->user, &rm->pass, err);
                if (r < 0)
                        return r;
        }
        rm->ropts.username = rm->user;
        rm->ropts.password = rm->pass;
        return 0;
}

struct job {
        struct descriptor *blob;
        const char *diff_id;
        char parent[DIGEST_STR_LEN + 1]; /* "" for the first layer */
        bool present;                    /* layer already stored */
        char chain[DIGEST_STR_LEN + 1];
        uint64_t size;
        int r;
        struct cu_error *err;
};

struct pull_ctx {
        struct stage *st;
        struct remote *rm;
        struct job *jobs;
        size_t n;
        size_t next;
        bool unpack; /* overlay: unpack in the workers too */
        FILE *progress;
        pthread_mutex_t mutex;
        int failed;
};

static int fetch_blob(struct stage *st, struct registry *reg, const char *repo, const struct descriptor *d,
                      struct cu_error **err)
{
        if (stage_has_blob(st, d->digest))
                return 0;
        int fd = openat(stage_dirfd(st), ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        if (fd < 0)
                return cu_error_set(err, errno, "creating a temporary file");
        _cleanup_close_ int t = fd;
        int r = registry_get_blob(reg, repo, d->digest, t, d->size, NULL, NULL, err);
        if (r < 0)
                return r;
        if (lseek(t, 0, SEEK_SET) < 0)
                return cu_error_set(err, errno, "rewinding blob");
        char got[DIGEST_STR_LEN + 1];
        return stage_blob_fd(st, t, d->digest, (int64_t) d->size, got, NULL, err);
}

static void *worker(void *arg)
{
        struct pull_ctx *c = arg;
        struct cu_error *err = NULL;
        _cleanup_registry_ struct registry *reg = registry_new(c->rm->host, &c->rm->ropts, &err);
        for (;;) {
                pthread_mutex_lock(&c->mutex);
                size_t i = c->failed ? c->n : c->next++;
                pthread_mutex_unlock(&c->mutex);
                if (i >= c->n)
                        break;
                struct job *j = &c->jobs[i];
                if (!reg) {
                        j->r = -EIO;
                        j->err = err;
                        err = NULL;
                } else if (!j->present) {
                        j->r = fetch_blob(c->st, reg, c->rm->repo, j->blob, &j->err);
                        if (j->r >= 0 && c->unpack) {
                                char diff[DIGEST_STR_LEN + 1];
                                j->r = stage_layer(c->st, j->blob->digest, j->parent[0] ? j->parent : NULL,
                                                   j->diff_id, j->chain, diff, &j->size, &j->err);
                        }
                }
                pthread_mutex_lock(&c->mutex);
                if (j->r < 0)
                        c->failed = 1;
                else if (c->progress)
                        fprintf(c->progress, "Copying blob %s %s\n", j->blob->digest,
                                j->present ? "skipped: already exists" : "done");
                pthread_mutex_unlock(&c->mutex);
        }
        cu_error_free(err);
        return NULL;
}

static int pull_manifest(struct registry *reg, struct remote *rm, const struct remote_opts *o,
                         char **body, size_t *len, char **mt, char digest[static DIGEST_STR_LEN + 1],
                         struct cu_error **err)
{
        const char *ref = rm->ref.digest ? rm->ref.digest : (rm->ref.tag ? rm->ref.tag : "latest");
        int r = registry_get_manifest(reg, rm->repo, ref, body, len, mt, digest, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *kind = NULL;
        r = manifest_kind(*body, *len, *mt, &kind, err);
        if (r < 0)
                return r;
        if (!media_type_is_index(kind))
                return 0;
        struct image_index x = { 0 };
        r = image_index_parse(*body, *len, &x, err);
        if (r < 0)
                return r;
        const struct descriptor *pick = NULL;
        r = image_index_select(&x, o->os ? o->os : "linux", o->arch ? o->arch : host_oci_arch(),
                               o->variant, &pick, err);
        _cleanup_free_ char *want = r >= 0 ? strdup(pick->digest) : NULL;
        image_index_done(&x);
        if (r < 0)
                return r;
        free(*body);
        free(*mt);
        *body = *mt = NULL;
        return registry_get_manifest(reg, rm->repo, want, body, len, mt, digest, err);
}

static int pull_one(struct store *s, struct remote *rm, const char *name, const struct remote_opts *o,
                    char id[static DIGEST_HEX_LEN + 1], struct cu_error **err)
{
        _cleanup_registry_ struct registry *reg = registry_new(rm->host, &rm->ropts, err);
        if (!reg)
                return -EIO;
        _cleanup_free_ char *body = NULL, *mt = NULL;
        size_t len = 0;
        char mdig[DIGEST_STR_LEN + 1];
        int r = pull_manifest(reg, rm, o, &body, &len, &mt, mdig, err);
        if (r < 0)
                return r;
        struct manifest m = { 0 };
        r = manifest_parse(body, len, &m, err);
        if (r < 0)
                return r;
        _cleanup_stage_ struct stage *st = NULL;
        struct image_config_info ci = { 0 };
        struct job *jobs = NULL;
        _cleanup_free_ char *cfg = NULL;
        size_t clen = 0;
        if (o->progress)
                fputs("Getting image source signatures\n", o->progress);
        r = stage_new(s, &st, err);
        if (r >= 0)
                r = fetch_blob(st, reg, rm->repo, &m.config, err);
        if (r >= 0) {
                _cleanup_close_ int cfd = stage_blob_open(st, m.config.digest, err);
                r = cfd < 0 ? cfd : read_full_fd(cfd, &cfg, &clen);
        }
        if (r >= 0)
                r = image_config_parse(cfg, clen, &ci, err);
        if (r >= 0 && ci.n_diff_ids != m.n_layers)
                r = cu_error_setx(err, EINVAL, "the manifest has %zu layers but the config lists %zu diff IDs",
                                  m.n_layers, ci.n_diff_ids);
        if (r >= 0 && !(jobs = calloc(m.n_layers + 1, sizeof(*jobs))))
                r = -ENOMEM;
        for (size_t i = 0; r >= 0 && i < m.n_layers; i++) {
                struct job *j = &jobs[i];
                j->blob = &m.layers[i];
                j->diff_id = ci.diff_ids[i];
                if (i)
                        memcpy(j->parent, jobs[i - 1].chain, sizeof(j->parent));
                layer_chain_id(i ? j->parent : NULL, j->diff_id, j->chain);
                j->present = store_layer_exists(s, j->chain) && images_layer_known(s->db, j->chain) &&
                             store_blob_exists(s, j->blob->digest);
                if (j->present)
                        images_layer_size(s->db, j->chain, &j->size);
        }
        if (r >= 0) {
                struct pull_ctx c = { .st = st, .rm = rm, .jobs = jobs, .n = m.n_layers,
                                      .unpack = s->driver == STORE_DRIVER_OVERLAY, .progress = o->progress };
                pthread_mutex_init(&c.mutex, NULL);
                pthread_t th[PULL_THREADS];
                size_t nth = m.n_layers < PULL_THREADS ? m.n_layers : PULL_THREADS;
                size_t started = 0;
                for (; started < nth; started++)
                        if (pthread_create(&th[started], NULL, worker, &c) != 0)
                                break;
                if (started == 0 && nth > 0)
                        worker(&c);
                for (size_t i = 0; i < started; i++)
                        pthread_join(th[i], NULL);
                pthread_mutex_destroy(&c.mutex);
                for (size_t i = 0; r >= 0 && i < m.n_layers; i++)
                        if (jobs[i].r < 0) {
                                r = jobs[i].r;
                                *err = TAKE_PTR(jobs[i].err);
                        }
        }
        /* vfs layers build on their parents: unpack in order. */
        for (size_t i = 0; r >= 0 && !(s->driver == STORE_DRIVER_OVERLAY) && i < m.n_layers; i++) {
                char diff[DIGEST_STR_LEN + 1];
                if (!jobs[i].present)
                        r = stage_layer(st, jobs[i].blob->digest, i ? jobs[i - 1].chain : NULL,
                                        jobs[i].diff_id, jobs[i].chain, diff, &jobs[i].size, err);
        }
        if (r >= 0 && o->progress)
                fprintf(o->progress, "Copying config %s done\nWriting manifest to image destination\n"
                                     "Storing signatures\n", m.config.digest);
        char got[DIGEST_STR_LEN + 1];
        if (r >= 0)
                r = stage_blob_buffer(st, body, len, got, err);
        if (r >= 0) {
                _cleanup_strv_ char **layers = NULL, **diffs = NULL, **blobs = NULL;
                uint64_t *sizes = calloc(m.n_layers + 1, sizeof(uint64_t));
                if (!sizes)
                        r = -ENOMEM;
                for (size_t i = 0; r >= 0 && i < m.n_layers; i++) {
                        sizes[i] = jobs[i].size;
                        if ((r = strv_extend(&layers, jobs[i].chain)) < 0 ||
                            (r = strv_extend(&diffs, jobs[i].diff_id)) < 0 ||
                            (r = strv_extend(&blobs, jobs[i].blob->digest)) < 0)
                                break;
                }
                if (r >= 0 && (r = strv_extend(&blobs, m.config.digest)) >= 0)
                        r = strv_extend(&blobs, mdig);
                const char *names[] = { name, NULL };
                _cleanup_free_ char *mtype = NULL;
                if (r >= 0)
                        r = manifest_kind(body, len, mt, &mtype, err);
                if (r >= 0) {
                        struct image_new im = {
                                .config = cfg, .manifest = body, .manifest_type = mtype,
                                .names = names, .layers = (const char *const *) layers,
                                .diff_ids = (const char *const *) diffs, .layer_sizes = sizes,
                                .n_layers = m.n_layers, .blobs = (const char *const *) blobs,
                                .n_blobs = strv_length(blobs), .created = ci.created,
                        };
                        r = stage_commit_image(st, &im, id, err);
                }
                free(sizes);
        }
        for (size_t i = 0; jobs && i < m.n_layers; i++)
                cu_error_free(jobs[i].err);
        free(jobs);
        image_config_info_done(&ci);
        manifest_done(&m);
        return r;
}

int image_pull(struct store *s, const char *ref_in, const struct remote_opts *o,
               char id[static DIGEST_HEX_LEN + 1], char **ret_name, struct cu_error **err)
{
        struct image_ref ref = { 0 };
        int r = image_ref_parse(ref_in, &ref, err);
        if (r < 0)
                return r;
        _cleanup_registries_conf_ struct registries_conf *conf = registries_conf_load(o->registries_conf, err);
        if (!conf) {
                image_ref_done(&ref);
                return -EINVAL;
        }
        _cleanup_strv_ char **candidates = NULL;
        if (ref.domain) {
                r = image_ref_normalize(&ref, "docker.io", err);
                _cleanup_free_ char *full = r >= 0 ? image_ref_string(&ref) : NULL;
                if (full)
                        r = strv_extend(&candidates, full);
        } else {
                if (strv_length(conf->search) == 0) {
                        image_ref_done(&ref);
                        return cu_error_setx(err, EINVAL, "short-name \"%s\" did not resolve to an alias and no "
                                             "unqualified-search registries are defined in "
                                             "\"/etc/containers/registries.conf\"", ref_in);
                }
                for (size_t i = 0; r >= 0 && conf->search[i]; i++) {
                        struct image_ref c = { 0 };
                        r = image_ref_parse(ref_in, &c, err);
                        if (r >= 0) {
                                free(c.domain);
                                c.domain = strdup(conf->search[i]);
                                r = c.domain ? image_ref_normalize(&c, "docker.io", err) : -ENOMEM;
                        }
                        _cleanup_free_ char *full = r >= 0 ? image_ref_string(&c) : NULL;
                        if (full)
                                r = strv_extend(&candidates, full);
                        image_ref_done(&c);
                }
        }
        image_ref_done(&ref);
        if (r < 0)
                return r;
        _cleanup_free_ char *errors = NULL;
        for (size_t i = 0; candidates[i]; i++) {
                if (o->progress)
                        fprintf(o->progress, "Trying to pull %s...\n", candidates[i]);
                struct remote rm = { 0 };
                struct cu_error *e = NULL;
                r = remote_init(&rm, candidates[i], conf, o, &e);
                if (r >= 0)
                        r = pull_one(s, &rm, candidates[i], o, id, &e);
                remote_done(&rm);
                if (r >= 0) {
                        cu_error_free(e);
                        if (ret_name)
                                *ret_name = strdup(candidates[i]);
                        return 0;
                }
                char *acc = NULL;
                if (asprintf(&acc, "%s%sinitializing source docker://%s: %s", errors ? errors : "",
                             errors ? "\n" : "", candidates[i], cu_error_msg(e)) < 0)
                        acc = NULL;
                int errnum = e ? e->errnum : 0;
                cu_error_free(e);
                free(errors);
                errors = acc;
                if (!candidates[i + 1])
                        return cu_error_setx(err, errnum ? errnum : EIO, "%s", errors ? errors : "pull failed");
        }
        return -EIO;
}
