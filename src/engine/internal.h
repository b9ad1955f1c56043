/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared inside the engine only. */
#pragma once

#include "engine/container.h"
#include "runtime/runtime.h"

/* The built-in runtime's context (state root <runroot>/runtime); root is caller storage. */
void engine_runtime_ctx(const struct engine *e, struct runtime_ctx *ctx, char root[static 4096]);
/* Whether the runtime still has state for id. */
bool engine_runtime_has(const struct engine *e, const char *id);
/* The cuttle binary (e->self_exe or /proc/self/exe resolved), malloc'd. */
char *engine_self_exe(const struct engine *e);

/* With the container's lock held (r re-read under it). */
int engine_stop_locked(struct engine *e, struct ctr_record *r, int timeout, struct cu_error **err);
int engine_remove_locked(struct engine *e, struct ctr_record *r, struct cu_error **err);
/* Re-reads id under its lock: *ret gets the refreshed record.  -ENOENT as ctr_get. */
int engine_get_locked(struct engine *e, const char *id_or_name, struct lock **ret_lock,
                      struct ctr_record **ret, struct cu_error **err);
/* Saves r's state fields. */
int engine_save_state(struct engine *e, const struct ctr_record *r, struct cu_error **err);
