/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the security area only: security.c's hooks (engine_config_security,
 * engine_spec_security, engine_inspect_security) call the parts below, one file each.
 *   config   folds the options into the container config c at create (validating them)
 *   spec     adds the part to the spec at start
 *   inspect  adds HostConfig fields (host is the HostConfig object)
 */
#pragma once

#include "engine/internal.h"

int sec_config_resources(struct engine *e, json_t *c, const struct engine_create_opts *o,
                         struct cu_error **err);
int sec_spec_resources(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err);
void sec_inspect_resources(json_t *c, json_t *host);

int sec_config_devices(json_t *c, const struct engine_create_opts *o, struct cu_error **err);
int sec_spec_devices(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err);
void sec_inspect_devices(json_t *c, json_t *host);

int sec_config_namespaces(struct engine *e, json_t *c, const struct engine_create_opts *o,
                          struct cu_error **err);
int sec_spec_namespaces(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err);
void sec_inspect_namespaces(json_t *c, json_t *host, json_t *out);

int sec_config_systemd(json_t *c, const struct engine_create_opts *o, struct cu_error **err);
int sec_spec_systemd(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err);

/* The string array c[key] as a strv (NULL when absent or empty). */
char **sec_json_strv(json_t *a);
/* strerror(e) as Go's syscall errors read ("no such file or directory"), in buf. */
const char *sec_strerror(int e, char buf[static 128]);
/* Whether the spec's linux.namespaces has type (and, if path is not NULL, its path). */
bool sec_spec_has_ns(json_t *spec, const char *type, const char **ret_path);
