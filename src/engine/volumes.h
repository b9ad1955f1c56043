/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Volumes and mounts (-v, --mount, --tmpfs, --volumes-from) — their create/run options and the volume API. */
#pragma once

struct engine_vol_opts {
        const char *reserved_;        /* replace with the area's options */
};
