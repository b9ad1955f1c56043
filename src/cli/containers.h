/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The container commands (containers.c, container-*.c). */
#pragma once

#include "commands.h"
#include "engine/container.h"
#include "opts.h"

int cmd_create(struct cli_ctx *c, int argc, char **argv);
int cmd_run(struct cli_ctx *c, int argc, char **argv);
int cmd_start(struct cli_ctx *c, int argc, char **argv);
int cmd_ps(struct cli_ctx *c, int argc, char **argv);
int cmd_inspect(struct cli_ctx *c, int argc, char **argv);
int cmd_container_inspect(struct cli_ctx *c, int argc, char **argv);
int cmd_logs(struct cli_ctx *c, int argc, char **argv);
int cmd_exec(struct cli_ctx *c, int argc, char **argv);
int cmd_stop(struct cli_ctx *c, int argc, char **argv);
int cmd_kill(struct cli_ctx *c, int argc, char **argv);
int cmd_rm(struct cli_ctx *c, int argc, char **argv);
int cmd_wait(struct cli_ctx *c, int argc, char **argv);
int cmd_pause(struct cli_ctx *c, int argc, char **argv);
int cmd_unpause(struct cli_ctx *c, int argc, char **argv);
int cmd_container_exists(struct cli_ctx *c, int argc, char **argv);
int cmd_container_cleanup(struct cli_ctx *c, int argc, char **argv);
int cmd_events(struct cli_ctx *c, int argc, char **argv);
int cmd_top(struct cli_ctx *c, int argc, char **argv);
int cmd_stats(struct cli_ctx *c, int argc, char **argv);
int cmd_healthcheck_run(struct cli_ctx *c, int argc, char **argv);
extern const struct cli_command healthcheck_commands[]; /* healthcheck.c */
/* the container filesystem commands (container-cp.c, container-commit.c, container-fs.c) */
int cmd_cp(struct cli_ctx *c, int argc, char **argv);
int cmd_commit(struct cli_ctx *c, int argc, char **argv);
int cmd_diff(struct cli_ctx *c, int argc, char **argv);
int cmd_container_diff(struct cli_ctx *c, int argc, char **argv);
int cmd_image_diff(struct cli_ctx *c, int argc, char **argv);
int cmd_export(struct cli_ctx *c, int argc, char **argv);
int cmd_mount(struct cli_ctx *c, int argc, char **argv);
int cmd_unmount(struct cli_ctx *c, int argc, char **argv);
int cmd_port(struct cli_ctx *c, int argc, char **argv);

int cmd_attach(struct cli_ctx *c, int argc, char **argv);
int cmd_init(struct cli_ctx *c, int argc, char **argv);
int cmd_rename(struct cli_ctx *c, int argc, char **argv);
int cmd_restart(struct cli_ctx *c, int argc, char **argv);
int cmd_container_prune(struct cli_ctx *c, int argc, char **argv);
/* container-checkpoint.c */
int cmd_container_checkpoint(struct cli_ctx *c, int argc, char **argv);
int cmd_container_restore(struct cli_ctx *c, int argc, char **argv);

/* containers.c: the engine over the command's context (db schema ready). */
int cli_engine(struct cli_ctx *c, struct engine *e, struct cu_error **err);
/* Prints the error; 127 / 126 for a command not found / not executable, else 125. */
int cli_engine_fail(const struct cu_error *err);
/* Parses the command's options (argv[0] is the command name); prints errors and help.
 * Returns 0 to go on, or the exit code (+1: 0 after --help is returned as 1000). */
#define CLI_DONE_OK 1000
int cli_parse(struct opts_cmd *cmd, int argc, char **argv, struct opts_args *args);
/* Follows a container's output from its log until it exits (foreground run, start -a);
 * gives the exit code.  held: the log as engine_log_hold() opened it before the start, or
 * NULL. */
int cli_follow_output(struct engine *e, const char *id, bool interactive, bool tty,
                      const char *detach_keys, bool sig_proxy, int64_t since,
                      struct log_tail *held, int *ret_code);
/* Relays between the user and a connected attach socket until the container exits (its exit
 * code in *ret_code) or the user detaches (*ret_code -1).  Returns 0 or the exit code of a
 * failure (printed). */
int cli_attach_relay(struct engine *e, const char *id, int sock, bool interactive, bool tty,
                     const char *detach_keys, bool sig_proxy, int *ret_code);
/* Starts a container and follows it (run without -d, start -a): with -i or -t the container
 * is initialized and attached to before it starts, so that no early output is lost. */
int cli_start_attached(struct engine *e, const char *id, bool interactive, bool tty,
                       const char *detach_keys, bool sig_proxy, int64_t since, int *ret_code);
/* ps filters (container-ps.c): checks the keys ("KEY is an invalid filter"), and matches a
 * container (same keys ORed, different keys ANDed). */
int cli_ps_filters_check(char **filters);
/* podman's since / until values (ParseInputTime): RFC3339, a date, unix seconds, or a
 * duration before now (after now with future: events --until).  -EINVAL (container-logs.c). */
int cli_parse_time(const char *s, bool future, int64_t *ret);
bool cli_ps_filters_match(struct engine *e, const struct ctr_record *r, char **filters);
