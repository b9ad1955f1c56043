/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by setup.c and dns.c only. */
#pragma once
#include <jansson.h>
#include "state/db.h"
#include "util/error.h"

/* Rewrites the peers sections of the hosts files of every container on these networks
 * (skip_id: one to leave out, being torn down).  Failures are logged, not returned. */
int net_sync_hosts(struct db *db, char *const *networks, const char *skip_id, struct cu_error **err);
/* The network names of an attachment record (NULL-terminated, malloc'd). */
char **net_attachment_networks(json_t *att);
