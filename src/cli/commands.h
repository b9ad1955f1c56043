/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The engine commands (podman's names).  Each gets argv starting at its
 * own name and returns the process exit code. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "context.h"

typedef int (*cli_command_fn)(struct cli_ctx *c, int argc, char **argv);

int cmd_images(struct cli_ctx *c, int argc, char **argv);
int cmd_image_inspect(struct cli_ctx *c, int argc, char **argv);
int cmd_image_history(struct cli_ctx *c, int argc, char **argv);
int cmd_image_exists(struct cli_ctx *c, int argc, char **argv);
int cmd_tag(struct cli_ctx *c, int argc, char **argv);
int cmd_untag(struct cli_ctx *c, int argc, char **argv);
int cmd_rmi(struct cli_ctx *c, int argc, char **argv);
int cmd_image_prune(struct cli_ctx *c, int argc, char **argv);
int cmd_image_mount(struct cli_ctx *c, int argc, char **argv);
int cmd_image_unmount(struct cli_ctx *c, int argc, char **argv);
int cmd_import(struct cli_ctx *c, int argc, char **argv);
int cmd_save(struct cli_ctx *c, int argc, char **argv);
int cmd_load(struct cli_ctx *c, int argc, char **argv);

/* cuttle-registry only */
int cmd_pull(struct cli_ctx *c, int argc, char **argv);
int cmd_push(struct cli_ctx *c, int argc, char **argv);
int cmd_login(struct cli_ctx *c, int argc, char **argv);
int cmd_logout(struct cli_ctx *c, int argc, char **argv);

int cmd_network(struct cli_ctx *c, int argc, char **argv);

/* Output through --format (Go template, "json", "table …") or a default
 * table.  rows: a JSON array of objects with podman's field names. */
struct column {
        const char *field;  /* "ID" */
        const char *header; /* "IMAGE ID" */
};
int cli_output(const char *format, json_t *rows, const struct column *default_cols,
               const struct column *headers, bool json_array_for_json);
