/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cgroup v2 device policy: a BPF_PROG_TYPE_CGROUP_DEVICE program generated from
 * OCI device rules.  Semantics (the same as the v1 devices.allow/deny sequence):
 * the last rule that matches a device decides, separately for each requested
 * access bit (r, w, m); a bit no rule decides is denied.
 */
#pragma once

#include <linux/bpf.h>
#include <stddef.h>

#include "oci/spec.h"
#include "util/error.h"

/* Pure: generates the program (malloc'd array).  -EINVAL for a bad rule. */
int cg_bpf_device_program(const struct oci_device_cgroup *rules, size_t n,
                          struct bpf_insn **ret, size_t *ret_n, struct cu_error **err);

/* Loads prog and attaches it to the cgroup directory fd (BPF_F_ALLOW_MULTI), then
 * detaches the device programs that were attached before (new policy first, so there
 * is no window without one). */
int cg_bpf_attach_devices(int cgroup_fd, const struct bpf_insn *prog, size_t n,
                          struct cu_error **err);
