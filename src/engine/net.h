/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Network options of create/run (--network, --ip, -p, --dns, ...) and the network API. */
#pragma once

struct engine_net_opts {
        const char *network;          /* NULL: none */
};
