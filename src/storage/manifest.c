/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "manifest.h"
#include "util/json.h"
#include "util/strv.h"

void descriptor_done(struct descriptor *d)
{
        free(d->media_type);
        free(d->os);
        free(d->arch);
        free(d->variant);
        free(d->ref_name);
        *d = (struct descriptor) { 0 };
}

void manifest_done(struct manifest *m)
{
        free(m->media_type);
        descriptor_done(&m->config);
        for (size_t i = 0; i < m->n_layers; i++)
                descriptor_done(&m->layers[i]);
        free(m->layers);
        *m = (struct manifest) { 0 };
}

void image_index_done(struct image_index *x)
{
        free(x->media_type);
        for (size_t i = 0; i < x->n; i++)
                descriptor_done(&x->manifests[i]);
        free(x->manifests);
        *x = (struct image_index) { 0 };
}

bool media_type_is_index(const char *t)
{
        return t && (strcmp(t, MT_OCI_INDEX) == 0 || strcmp(t, MT_DOCKER_LIST) == 0);
}

bool media_type_is_manifest(const char *t)
{
        return t && (strcmp(t, MT_OCI_MANIFEST) == 0 || strcmp(t, MT_DOCKER_MANIFEST) == 0);
}

bool media_type_is_layer(const char *t)
{
        static const char *const known[] = {
                MT_OCI_LAYER, MT_OCI_LAYER_GZIP, MT_OCI_LAYER_ZSTD, MT_DOCKER_LAYER, MT_DOCKER_LAYER_GZIP,
                "application/vnd.oci.image.layer.nondistributable.v1.tar",
                "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
                "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
        };
        for (size_t i = 0; t && i < sizeof(known) / sizeof(known[0]); i++)
                if (strcmp(t, known[i]) == 0)
                        return true;
        return false;
}

int manifest_kind(const char *data, size_t len, const char *hint, char **ret_type,
                  struct cu_error **err)
{
        _cleanup_json_ json_t *j = json_load_data(data, len, "manifest", err);
        if (!j)
                return -EINVAL;
        if (!json_is_object(j))
                return cu_error_setx(err, EINVAL, "manifest: expected a JSON object");
        json_int_t schema = json_integer_value(json_object_get(j, "schemaVersion"));
        if (schema == 1)
                return cu_error_setx(err, ENOTSUP, "unsupported manifest schema version 1 "
                                     "(application/vnd.docker.distribution.manifest.v1+json)");
        const char *t = json_string_value(json_object_get(j, "mediaType"));
        if (!t || !*t)
                t = hint;
        if (!t || !*t || strcmp(t, "application/json") == 0 || strcmp(t, "text/plain") == 0) {
                if (json_object_get(j, "manifests"))
                        t = MT_OCI_INDEX;
                else if (json_object_get(j, "config") && json_object_get(j, "layers"))
                        t = MT_OCI_MANIFEST;
                else
                        return cu_error_setx(err, EINVAL, "manifest: unrecognized document");
        }
        if (!media_type_is_index(t) && !media_type_is_manifest(t))
                return cu_error_setx(err, ENOTSUP, "unsupported manifest media type \"%s\"", t);
        *ret_type = strdup(t);
        return *ret_type ? 0 : -ENOMEM;
}

static int parse_descriptor(json_t *o, const char *ctx, struct descriptor *d, struct cu_error **err)
{
        if (!json_is_object(o))
                return cu_error_setx(err, EINVAL, "%s: expected an object", ctx);
        _cleanup_free_ char *digest = NULL;
        int r = json_get_string(o, "mediaType", ctx, &d->media_type, err);
        if (r < 0)
                return r;
        r = json_get_string(o, "digest", ctx, &digest, err);
        if (r < 0)
                return r;
        if (!digest_valid(digest))
                return cu_error_setx(err, EINVAL, "%s.digest: invalid digest \"%s\"", ctx, strempty(digest));
        memcpy(d->digest, digest, DIGEST_STR_LEN + 1);
        bool present = false;
        int64_t size = 0;
        r = json_get_int64(o, "size", ctx, &size, &present, err);
        if (r < 0)
                return r;
        if (!present || size < 0)
                return cu_error_setx(err, EINVAL, "%s.size: missing or negative", ctx);
        d->size = (uint64_t) size;
        json_t *p = json_object_get(o, "platform");
        if (json_is_object(p)) {
                if ((r = json_get_string(p, "os", ctx, &d->os, err)) < 0 ||
                    (r = json_get_string(p, "architecture", ctx, &d->arch, err)) < 0 ||
                    (r = json_get_string(p, "variant", ctx, &d->variant, err)) < 0)
                        return r;
        }
        json_t *ann = json_object_get(o, "annotations");
        const char *ref = json_string_value(json_object_get(ann, "org.opencontainers.image.ref.name"));
        if (ref && !(d->ref_name = strdup(ref)))
                return -ENOMEM;
        return 0;
}

int manifest_parse(const char *data, size_t len, struct manifest *ret, struct cu_error **err)
{
        struct manifest m = { 0 };
        int r = manifest_kind(data, len, NULL, &m.media_type, err);
        if (r < 0)
                return r;
        if (!media_type_is_manifest(m.media_type)) {
                manifest_done(&m);
                return cu_error_setx(err, EINVAL, "expected an image manifest, got an index");
        }
        _cleanup_json_ json_t *j = json_load_data(data, len, "manifest", err);
        if (!j) {
                manifest_done(&m);
                return -EINVAL;
        }
        r = parse_descriptor(json_object_get(j, "config"), "manifest.config", &m.config, err);
        json_t *layers = json_object_get(j, "layers");
        if (r >= 0 && !json_is_array(layers))
                r = cu_error_setx(err, EINVAL, "manifest.layers: expected an array");
        if (r >= 0 && json_array_size(layers) > 4096)
                r = cu_error_setx(err, EINVAL, "manifest.layers: too many layers (%zu)", json_array_size(layers));
        if (r >= 0) {
                m.layers = calloc(json_array_size(layers) + 1, sizeof(*m.layers));
                if (!m.layers)
                        r = -ENOMEM;
        }
        for (size_t i = 0; r >= 0 && i < json_array_size(layers); i++) {
                char ctx[48];
                snprintf(ctx, sizeof(ctx), "manifest.layers[%zu]", i);
                r = parse_descriptor(json_array_get(layers, i), ctx, &m.layers[i], err);
                m.n_layers = i + 1;
                if (r >= 0 && !media_type_is_layer(m.layers[i].media_type))
                        r = cu_error_setx(err, ENOTSUP, "%s: unsupported layer media type \"%s\"", ctx,
                                          strempty(m.layers[i].media_type));
        }
        if (r < 0) {
                manifest_done(&m);
                return r;
        }
        *ret = m;
        return 0;
}

int image_index_parse(const char *data, size_t len, struct image_index *ret, struct cu_error **err)
{
        struct image_index x = { 0 };
        int r = manifest_kind(data, len, NULL, &x.media_type, err);
        if (r < 0)
                return r;
        _cleanup_json_ json_t *j = json_load_data(data, len, "index", err);
        if (!j) {
                image_index_done(&x);
                return -EINVAL;
        }
        json_t *ms = json_object_get(j, "manifests");
        if (!json_is_array(ms) || json_array_size(ms) > 4096) {
                image_index_done(&x);
                return cu_error_setx(err, EINVAL, "index.manifests: expected an array");
        }
        x.manifests = calloc(json_array_size(ms) + 1, sizeof(*x.manifests));
        if (!x.manifests) {
                image_index_done(&x);
                return -ENOMEM;
        }
        for (size_t i = 0; i < json_array_size(ms); i++) {
                char ctx[48];
                snprintf(ctx, sizeof(ctx), "index.manifests[%zu]", i);
                r = parse_descriptor(json_array_get(ms, i), ctx, &x.manifests[i], err);
                x.n = i + 1;
                if (r < 0) {
                        image_index_done(&x);
                        return r;
                }
        }
        *ret = x;
        return 0;
}

int image_index_select(const struct image_index *x, const char *os, const char *arch,
                       const char *variant, const struct descriptor **ret, struct cu_error **err)
{
        for (size_t i = 0; i < x->n; i++) {
                const struct descriptor *d = &x->manifests[i];
                if (!media_type_is_manifest(d->media_type) && d->media_type)
                        continue;
                if (!streq_ptr(d->os, os) || !streq_ptr(d->arch, arch))
                        continue;
                if (variant && *variant && !streq_ptr(d->variant, variant))
                        continue;
                *ret = d;
                return 0;
        }
        return cu_error_setx(err, ENOENT, "choosing image instance: no image found in image index "
                             "for architecture %s, variant \"%s\", OS %s", arch, strempty(variant), os);
}

static json_t *descriptor_json(const struct descriptor *d)
{
        return json_pack("{s:s, s:s, s:I}", "mediaType", d->media_type, "digest", d->digest,
                         "size", (json_int_t) d->size);
}

char *manifest_build(const char *media_type, const struct descriptor *config,
                     const struct descriptor *layers, size_t n)
{
        _cleanup_json_ json_t *ls = json_array();
        for (size_t i = 0; ls && i < n; i++)
                json_array_append_new(ls, descriptor_json(&layers[i]));
        _cleanup_json_ json_t *m = json_pack("{s:i, s:s, s:o, s:O}", "schemaVersion", 2,
                                             "mediaType", media_type, "config", descriptor_json(config),
                                             "layers", ls);
        if (!m)
                return NULL;
        return json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

void image_config_info_done(struct image_config_info *c)
{
        strv_free(c->diff_ids);
        free(c->os);
        free(c->arch);
        free(c->variant);
        *c = (struct image_config_info) { 0 };
}

int image_config_parse(const char *data, size_t len, struct image_config_info *ret,
                       struct cu_error **err)
{
        struct image_config_info c = { 0 };
        _cleanup_json_ json_t *j = json_load_data(data, len, "image config", err);
        if (!j)
                return -EINVAL;
        if (!json_is_object(j))
                return cu_error_setx(err, EINVAL, "image config: expected a JSON object");
        json_t *rootfs = NULL;
        int r = json_get_object(j, "rootfs", "config", &rootfs, err);
        if (r < 0)
                return r;
        const char *type = json_string_value(json_object_get(rootfs, "type"));
        if (!rootfs || !type || strcmp(type, "layers") != 0)
                return cu_error_setx(err, EINVAL, "image config: rootfs.type must be \"layers\"");
        r = json_get_strv(rootfs, "diff_ids", "config.rootfs", &c.diff_ids, err);
        if (r < 0)
                return r;
        c.n_diff_ids = strv_length(c.diff_ids);
        for (size_t i = 0; i < c.n_diff_ids; i++)
                if (!digest_valid(c.diff_ids[i])) {
                        r = cu_error_setx(err, EINVAL, "image config: invalid diff ID \"%s\"", c.diff_ids[i]);
                        image_config_info_done(&c);
                        return r;
                }
        const char *created = json_string_value(json_object_get(j, "created"));
        if (created && parse_rfc3339(created, &c.created) < 0)
                c.created = 0;
        if ((r = json_get_string(j, "os", "config", &c.os, err)) < 0 ||
            (r = json_get_string(j, "architecture", "config", &c.arch, err)) < 0 ||
            (r = json_get_string(j, "variant", "config", &c.variant, err)) < 0) {
                image_config_info_done(&c);
                return r;
        }
        *ret = c;
        return 0;
}

static int digits(const char **p, int n, int *ret)
{
        int v = 0;
        for (int i = 0; i < n; i++) {
                if (!isdigit((unsigned char) (*p)[i]))
                        return -EINVAL;
                v = v * 10 + ((*p)[i] - '0');
        }
        *p += n;
        *ret = v;
        return 0;
}

int parse_rfc3339(const char *s, int64_t *ret)
{
        struct tm tm = { 0 };
        int y, mo, d, h, mi, se;
        const char *p = s;
        if (digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 || *p++ != '-' ||
            digits(&p, 2, &d) < 0 || (*p != 'T' && *p != 't' && *p != ' '))
                return -EINVAL;
        p++;
        if (digits(&p, 2, &h) < 0 || *p++ != ':' || digits(&p, 2, &mi) < 0 || *p++ != ':' ||
            digits(&p, 2, &se) < 0)
                return -EINVAL;
        int64_t frac = 0;
        if (*p == '.') {
                p++;
                int n = 0;
                while (isdigit((unsigned char) *p)) {
                        if (n < 9) {
                                frac = frac * 10 + (*p - '0');
                                n++;
                        }
                        p++;
                }
                for (; n < 9; n++)
                        frac *= 10;
        }
        int64_t off = 0;
        if (*p == 'Z' || *p == 'z') {
                p++;
        } else if (*p == '+' || *p == '-') {
                int sign = *p++ == '-' ? -1 : 1, oh, om;
                if (digits(&p, 2, &oh) < 0 || *p++ != ':' || digits(&p, 2, &om) < 0)
                        return -EINVAL;
                off = sign * (oh * 3600 + om * 60);
        } else {
                return -EINVAL;
        }
        if (*p)
                return -EINVAL;
        tm.tm_year = y - 1900;
        tm.tm_mon = mo - 1;
        tm.tm_mday = d;
        tm.tm_hour = h;
        tm.tm_min = mi;
        tm.tm_sec = se;
        time_t t = timegm(&tm);
        *ret = ((int64_t) t - off) * 1000000000LL + frac;
        return 0;
}

char *format_rfc3339(int64_t ns)
{
        time_t t = (time_t) (ns / 1000000000LL);
        long frac = (long) (ns % 1000000000LL);
        if (frac < 0) {
                frac += 1000000000L;
                t--;
        }
        struct tm tm;
        gmtime_r(&t, &tm);
        char base[64], fr[16] = "";
        strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
        if (frac) {
                snprintf(fr, sizeof(fr), ".%09ld", frac);
                size_t l = strlen(fr);
                while (l > 1 && fr[l - 1] == '0')
                        fr[--l] = '\0';
        }
        char *out = NULL;
        if (asprintf(&out, "%s%sZ", base, fr) < 0)
                return NULL;
        return out;
}

const char *host_oci_arch(void)
{
#if defined(__x86_64__)
        return "amd64";
#elif defined(__aarch64__)
        return "arm64";
#elif defined(__i386__)
        return "386";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        return "ppc64le";
#elif defined(__s390x__)
        return "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
        return "riscv64";
#elif defined(__arm__)
        return "arm";
#else
        return "unknown";
#endif
}
