/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parsing of linux.seccomp (OCI runtime-spec config-linux.md#seccomp). */
#pragma once

#include <jansson.h>

#include "oci/spec.h"

/* Parses the "seccomp" object `o`; ctx is the JSON path for errors
 * ("linux.seccomp").  Action and operator names are resolved to libseccomp
 * values; unknown names are errors naming the field. */
struct oci_seccomp_name {
        const char *name;
        uint32_t value;
};

/* "SCMP_ARCH_*" names of runtime-spec 1.1 and their libseccomp values. */
extern const struct oci_seccomp_name oci_seccomp_archs[];
extern const size_t oci_seccomp_n_archs;

int oci_seccomp_parse(json_t *o, const char *ctx, struct oci_seccomp **ret, struct cu_error **err);
struct oci_seccomp *oci_seccomp_free(struct oci_seccomp *s);
