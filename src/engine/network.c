/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A container's network as the engine sees it: --network (none, host), the network
 * namespace in the spec, /etc/hosts and /etc/resolv.conf.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/internal.h"
#include "util/fileio.h"
#include "util/json.h"

int engine_config_network(struct engine *e, json_t *c, const struct engine_create_opts *o,
                          json_t *ic, struct cu_error **err)
{
        (void) e, (void) ic;
        const char *net = o->net.network ? o->net.network : "none";
        if (strcmp(net, "none") != 0 && strcmp(net, "host") != 0)
                return cu_error_setx(err, EINVAL,
                                     "network \"%s\" is not supported yet: use none or host", net);
        json_object_set_new(c, "NetworkMode", json_string(net));
        return 0;
}

static char *resolv_conf_text(void)
{
        _cleanup_free_ char *host = NULL;
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        if (!f)
                return NULL;
        if (read_full_file("/etc/resolv.conf", &host, NULL, NULL) >= 0) {
                for (char *save = NULL, *l = strtok_r(host, "\n", &save); l;
                     l = strtok_r(NULL, "\n", &save)) {
                        /* a loopback resolver of the host is unreachable from the container */
                        if (strncmp(l, "nameserver", 10) == 0 &&
                            (strstr(l, " 127.") || strstr(l, " ::1")))
                                continue;
                        fprintf(f, "%s\n", l);
                }
        }
        fclose(f);
        return out;
}

static int write_files(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err)
{
        const char *hn = json_string_value(json_object_get(spec, "hostname"));
        const char *name = json_string_value(json_object_get(x->c, "Name"));
        _cleanup_free_ char *hosts = NULL;
        if (asprintf(&hosts,
                     "127.0.0.1   localhost localhost.localdomain localhost4 localhost4.localdomain4\n"
                     "::1         localhost localhost.localdomain localhost6 localhost6.localdomain6\n"
                     "127.0.1.1   %s %s\n",
                     hn ? hn : x->id, name ? name : "") < 0)
                return -ENOMEM;
        _cleanup_free_ char *resolv = resolv_conf_text();
        int r = engine_bundle_file(x->bundle, "hosts", hosts, err);
        if (r >= 0)
                r = engine_bundle_file(x->bundle, "resolv.conf", resolv ? resolv : "", err);
        return r;
}

int engine_spec_network(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err)
{
        json_t *mounts = json_object_get(spec, "mounts");
        bool privileged = json_is_true(json_object_get(x->c, "Privileged"));
        if (streq_ptr(json_string_value(json_object_get(x->c, "NetworkMode")), "host")) {
                json_t *ns = json_object_get(json_object_get(spec, "linux"), "namespaces");
                for (size_t k = json_array_size(ns); k-- > 0;)
                        if (streq_ptr(json_string_value(json_object_get(json_array_get(ns, k), "type")),
                                      "network"))
                                json_array_remove(ns, k);
                /* sysfs cannot be mounted outside a network namespace of our own */
                size_t i;
                json_t *m;
                json_array_foreach(mounts, i, m)
                        if (streq_ptr(json_string_value(json_object_get(m, "destination")), "/sys")) {
                                json_array_set_new(mounts, i,
                                                   json_pack("{s:s, s:s, s:s, s:[s, s, s, s, s]}",
                                                             "destination", "/sys", "type", "bind",
                                                             "source", "/sys", "options", "rbind",
                                                             "nosuid", "noexec", "nodev",
                                                             privileged ? "rw" : "ro"));
                                break;
                        }
        }
        if (x->write_files) {
                int r = write_files(spec, x, err);
                if (r < 0)
                        return r;
        }
        const char *files[] = { "hosts", "resolv.conf" };
        for (size_t k = 0; k < ELEMENTSOF(files); k++) {
                char src[4096], dst[64];
                snprintf(src, sizeof src, "%s/%s", x->bundle, files[k]);
                snprintf(dst, sizeof dst, "/etc/%s", files[k]);
                json_array_append_new(mounts, engine_spec_bind(dst, src, false));
        }
        return 0;
}

int engine_network_cleanup(struct engine *e, struct ctr_record *r, struct cu_error **err)
{
        (void) e, (void) r, (void) err;
        return 0;
}

void engine_inspect_network(struct engine *e, const struct ctr_record *r, json_t *c, json_t *out)
{
        (void) e, (void) r, (void) c;
        json_object_set_new(out, "NetworkSettings",
                            json_pack("{s:s, s:s, s:s, s:{}, s:s}", "EndpointID", "", "Gateway", "",
                                      "IPAddress", "", "Ports", "SandboxKey", ""));
}

void engine_ps_network(struct engine *e, const struct ctr_record *r, json_t *c, json_t *out)
{
        (void) e, (void) r, (void) c;
        json_object_set_new(out, "Networks", json_array());
        json_object_set_new(out, "Ports", json_null());
}
