/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Security and resources of a container (caps, seccomp, ulimits, devices, cgroup limits, sysctls, namespaces) — their create/run options. */
#pragma once

struct engine_sec_opts {
        const char *reserved_;        /* replace with the area's options */
};
