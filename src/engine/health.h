/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Healthchecks — their create/run options and API. */
#pragma once

struct engine_health_opts {
        const char *reserved_;        /* replace with the area's options */
};
