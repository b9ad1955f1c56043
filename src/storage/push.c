/* SPDX-License-Identifier: GPL-2.0-or-later */
/* push: every blob the image needs (skipped when the registry has it,
 * mounted from another repository of the same registry when the image came
 * from there), then the manifest under the tag. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth-file.h"
#include "images.h"
#include "manifest.h"
#include "pull.h"
#include "reference.h"
#include "registries-conf.h"
#include "registry.h"
#include "util/strv.h"

static int creds_for(const char *key, const struct remote_opts *o, char **user, char **pass,
                     struct cu_error **err)
{
        if (o->creds) {
                const char *colon = strchr(o->creds, ':');
                *user = colon ? strndup(o->creds, (size_t) (colon - o->creds)) : strdup(o->creds);
                *pass = strdup(colon ? colon + 1 : "");
                return *user && *pass ? 0 : -ENOMEM;
        }
        int r = auth_file_get(o->authfile, key, user, pass, err);
        return r < 0 ? r : 0;
}

static int push_blob(struct store *s, struct registry *reg, const char *repo, const char *digest,
                     char *const *mount_from, FILE *progress, const char *what, struct cu_error **err)
{
        int r = registry_blob_exists(reg, repo, digest, NULL, err);
        if (r < 0)
                return r;
        if (r == 1) {
                if (progress)
                        fprintf(progress, "Copying %s %s skipped: already exists\n", what, digest);
                return 0;
        }
        for (size_t i = 0; mount_from && mount_from[i]; i++) {
                if (strcmp(mount_from[i], repo) == 0)
                        continue;
                r = registry_mount_blob(reg, repo, digest, mount_from[i], err);
                if (r < 0)
                        return r;
                if (r == 1) {
                        if (progress)
                                fprintf(progress, "Copying %s %s skipped: already exists\n", what, digest);
                        return 0;
                }
        }
        _cleanup_close_ int fd = store_blob_open(s, digest, err);
        if (fd < 0)
                return fd;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return cu_error_set(err, errno, "stat blob %s", digest);
        r = registry_put_blob(reg, repo, digest, fd, (uint64_t) st.st_size, err);
        if (r < 0)
                return r;
        if (progress)
                fprintf(progress, "Copying %s %s done\n", what, digest);
        return 0;
}

int image_push(struct store *s, const char *src, const char *dest, const struct remote_opts *o,
               char **ret_digest, struct cu_error **err)
{
        _cleanup_image_rec_ struct image_rec *im = NULL;
        int r = image_lookup(s->db, src, &im, err);
        if (r < 0)
                return r;
        const char *target = dest;
        if (!target) {
                struct image_ref probe = { 0 };
                if (image_ref_parse(src, &probe, NULL) == 0 && probe.domain && im->names && im->names[0])
                        target = src;
                image_ref_done(&probe);
                if (!target && im->names) {
                        for (size_t i = 0; im->names[i] && !target; i++)
                                if (strstr(im->names[i], src))
                                        target = im->names[i];
                }
                if (!target)
                        return cu_error_setx(err, EINVAL, "no destination given and %s has no name to push to", src);
        }
        if (strncmp(target, "docker://", 9) == 0)
                target += 9;
        struct image_ref ref = { 0 };
        r = image_ref_parse(target, &ref, err);
        if (r >= 0)
                r = image_ref_normalize(&ref, "docker.io", err);
        if (r < 0) {
                image_ref_done(&ref);
                return r;
        }
        _cleanup_registries_conf_ struct registries_conf *conf = registries_conf_load(o->registries_conf, err);
        _cleanup_free_ char *full = image_ref_string(&ref);
        const struct registry_entry *e = conf ? registries_conf_lookup(conf, full) : NULL;
        _cleanup_free_ char *user = NULL, *pass = NULL, *key = NULL;
        if (!conf || !full)
                r = -EINVAL;
        if (r >= 0 && asprintf(&key, "%s/%s", ref.domain, ref.path) < 0)
                r = -ENOMEM;
        if (r >= 0)
                r = creds_for(key, o, &user, &pass, err);
        struct registry_opts ro = { .tls_verify = o->tls_verify != 0,
                                    .insecure = (e && e->insecure) || o->tls_verify == 0,
                                    .username = user, .password = pass };
        _cleanup_registry_ struct registry *reg = r >= 0 ? registry_new(ref.domain, &ro, err) : NULL;
        if (r >= 0 && !reg)
                r = -EIO;
        /* Repositories of the same registry the image also lives in: mount sources. */
        _cleanup_strv_ char **from = NULL;
        for (size_t i = 0; r >= 0 && im->names && im->names[i]; i++) {
                struct image_ref n = { 0 };
                if (image_ref_parse(im->names[i], &n, NULL) == 0 && n.domain && strcmp(n.domain, ref.domain) == 0)
                        r = strv_extend(&from, n.path);
                image_ref_done(&n);
        }
        struct manifest m = { 0 };
        if (r >= 0)
                r = manifest_parse(im->manifest, strlen(im->manifest), &m, err);
        if (r >= 0 && o->progress)
                fputs("Getting image source signatures\n", o->progress);
        for (size_t i = 0; r >= 0 && i < m.n_layers; i++)
                r = push_blob(s, reg, ref.path, m.layers[i].digest, from, o->progress, "blob", err);
        if (r >= 0)
                r = push_blob(s, reg, ref.path, m.config.digest, from, o->progress, "config", err);
        if (r >= 0 && o->progress)
                fputs("Writing manifest to image destination\n", o->progress);
        if (r >= 0)
                r = registry_put_manifest(reg, ref.path, ref.tag ? ref.tag : im->digest, im->manifest,
                                          strlen(im->manifest), im->manifest_type, err);
        if (r >= 0 && o->progress)
                fputs("Storing signatures\n", o->progress);
        if (r >= 0 && ret_digest)
                *ret_digest = strdup(im->digest);
        manifest_done(&m);
        if (r < 0)
                cu_error_prefix(err, r, "trying to reuse blob or pushing to docker://%s", full ? full : target);
        image_ref_done(&ref);
        return r;
}

int registry_login(const char *host, const char *user, const char *pass, const struct remote_opts *o,
                   struct cu_error **err)
{
        _cleanup_registries_conf_ struct registries_conf *conf = registries_conf_load(o->registries_conf, err);
        if (!conf)
                return -EINVAL;
        const struct registry_entry *e = registries_conf_lookup(conf, host);
        struct registry_opts ro = { .tls_verify = o->tls_verify != 0,
                                    .insecure = (e && e->insecure) || o->tls_verify == 0,
                                    .username = user, .password = pass };
        _cleanup_registry_ struct registry *reg = registry_new(host, &ro, err);
        if (!reg)
                return -EIO;
        int r = registry_ping(reg, err);
        if (r < 0)
                return r;
        return auth_file_set(o->authfile, host, user, pass, err);
}
