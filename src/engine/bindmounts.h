/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The files the engine makes and bind-mounts (users, hostname, hosts' peers, shm, tz, secrets) — their create/run options. */
#pragma once

struct engine_bind_opts {
        const char *reserved_;        /* replace with the area's options */
};
