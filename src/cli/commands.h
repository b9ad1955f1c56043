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

/* system */
int cmd_version(struct cli_ctx *c, int argc, char **argv);
int cmd_info(struct cli_ctx *c, int argc, char **argv);
/* system.c */
int cmd_system_df(struct cli_ctx *c, int argc, char **argv);
int cmd_system_prune(struct cli_ctx *c, int argc, char **argv);
int cmd_system_reset(struct cli_ctx *c, int argc, char **argv);
int cmd_system_migrate(struct cli_ctx *c, int argc, char **argv);
/* image-rm.c: removes an image record and the layers and blobs only it used (store lock). */
struct store;
int cli_image_delete(struct store *s, const char *id, struct cu_error **err);
int cmd_help(struct cli_ctx *c, int argc, char **argv);
int cmd_completion(struct cli_ctx *c, int argc, char **argv);

/* The command tables (cli.c): a command is a function or a group of subcommands. */
struct cli_command {
        const char *name;
        cli_command_fn fn;
        const struct cli_command *sub; /* a group ("image"): its table, NULL-name terminated */
};
extern const struct cli_command *const cli_commands;
/* Podman's one-line description of a command ("image rm", "images"), or NULL (help.c). */
const char *cli_command_desc(const char *group, const char *name);
/* Runs "GROUP SUB args…" (argv[0] is the group's name); a missing or unknown subcommand is
 * an error (125) with the group's help (help.c). */
int cli_group_dispatch(struct cli_ctx *c, const struct cli_command *g, int argc, char **argv);
/* The top-level help text (generated from the tables), malloc'd (help.c). */
char *cli_usage_text(void);
/* podman's version object: {APIVersion, Version, GoVersion, GitCommit, BuiltTime, Built,
 * OsArch, Os} (version.c). */
json_t *cli_version_json(void);
/* Prints one object as podman's info/version do: format "json" (indent: "  ", or compact
 * when NULL), a Go template run on the object with its JSON tags turned into Go field names
 * ("graphRoot" → "GraphRoot", "cpus" → "CPUs"; keys of map-typed members such as
 * registries and graphStatus stay), or, with no format, YAML when yaml is set.  Returns the
 * exit code; type_name: podman's Go type, so that a missing field is an error (info.c). */
int cli_output_object(const char *format, json_t *obj, const char *type_name,
                      const char *json_indent, bool yaml);

/* cuttle-registry only */
int cmd_pull(struct cli_ctx *c, int argc, char **argv);
int cmd_push(struct cli_ctx *c, int argc, char **argv);
int cmd_login(struct cli_ctx *c, int argc, char **argv);
int cmd_logout(struct cli_ctx *c, int argc, char **argv);

int cmd_network(struct cli_ctx *c, int argc, char **argv);
/* network-connect.c: network connect / disconnect, and reload of one container (prints its
 * ID; returns the exit code). */
int cmd_network_connect(struct cli_ctx *c, int argc, char **argv);
int cmd_network_disconnect(struct cli_ctx *c, int argc, char **argv);
int cli_network_reload_container(struct cli_ctx *c, const char *name);

/* Logs an image event (tag, untag, remove, import, load, save) as the engine does (events.c). */
void cli_event_image(struct cli_ctx *c, const char *status, const char *id, const char *name);
int cmd_secret(struct cli_ctx *c, int argc, char **argv);
int cmd_volume(struct cli_ctx *c, int argc, char **argv);

/* Output through --format (Go template, "json", "table …") or a default
 * table.  rows: a JSON array of objects with podman's field names. */
struct column {
        const char *field;  /* "ID" */
        const char *header; /* "IMAGE ID" */
};
int cli_output(const char *format, json_t *rows, const struct column *default_cols,
               const struct column *headers, bool json_array_for_json);
