/* SPDX-License-Identifier: GPL-2.0-or-later */
/* create/run: the user, workdir, hostname and the files the engine bind-mounts (passwd,
 * group, tz, shm, secrets, chroot dirs, the --init binary); and the containers.conf defaults
 * no other area takes: env, init_path, base_hosts_file, tz, umask, shm_size, and the
 * cgroup_manager check (only "cgroupfs" runs containers). */
#include <stdio.h>
#include <string.h>

#include "run-flags.h"
#include "storage/containers-conf.h"
#include "util/strv.h"

struct user_cli {
        const char *shm_size;
};

/* The CLI-only values: one run per process, so one static suffices. */
static struct user_cli cli;

static size_t add(struct engine_create_opts *o, struct opt *out)
{
        struct engine_bind_opts *b = &o->bind;
        b->passwd_flag_ = true;
        cli = (struct user_cli){ 0 };
        const struct opt t[] = {
                RUN_S("user", 'u', &o->user, "Username or UID (format: <name|uid>[:<group|gid>])"),
                RUN_S("workdir", 'w', &o->workdir, "Working directory inside the container"),
                RUN_S("hostname", 'h', &o->hostname, "Set container hostname"),
                RUN_L("group-add", 0, &b->group_add, "Add additional groups to the primary container process. 'keep-groups' allows container processes to use supplementary groups."),
                RUN_S("umask", 0, &b->umask, "Set umask in container"),
                RUN_S("passwd-entry", 0, &b->passwd_entry, "Entry to write to /etc/passwd"),
                RUN_S("group-entry", 0, &b->group_entry, "Entry to write to /etc/group"),
                { .name = "passwd", .type = OPT_BOOL, .value = &b->passwd_flag_,
                  .help = "add entries to /etc/passwd and /etc/group", .def = "true" },
                RUN_L("hostuser", 0, &b->hostusers, "Host user account to add to /etc/passwd within container"),
                RUN_S("tz", 0, &b->tz, "Set timezone in container"),
                RUN_S("shm-size", 0, &cli.shm_size, "Size of /dev/shm (format: <number>[<unit>], where unit = b (bytes), k (kibibytes), m (mebibytes), or g (gibibytes))"),
                RUN_A("secret", 0, &b->secrets, "Add secret to container"),
                RUN_A("chrootdirs", 0, &b->chrootdirs, "Chroot directories inside the container"),
                RUN_S("init-path", 0, &o->init_path, "Path to the container-init binary"),
                { 0 },
        };
        return run_flags_copy(t, out);
}

static int check(struct cli_ctx *c, struct engine_create_opts *o, struct opt *opts)
{
        struct engine_bind_opts *b = &o->bind;
        _cleanup_error_ struct cu_error *err = NULL;
        b->no_passwd = !b->passwd_flag_;
        if (cli.shm_size) {
                if (opts_parse_size(cli.shm_size, true, &b->shm_size, &err) < 0) {
                        cu_error_prefix(&err, -EINVAL, "unable to translate --shm-size");
                        return cli_fail(125, err);
                }
                b->has_shm_size = true;
        }
        if (strv_contains(b->group_add, "keep-groups") && strv_length(b->group_add) > 1)
                return cli_failf(125, "the '--group-add keep-groups' option is not allowed with any other --group-add options");
        /* containers.conf's defaults for what the flags leave unset */
        const struct containers_conf *conf = NULL;
        if (cli_ctx_config(c, &conf, &err) < 0)
                return cli_fail(125, err);
        if (strcmp(conf->cgroup_manager, "cgroupfs") != 0)
                return cli_failf(125, "cgroup manager \"%s\" is not supported: cuttle manages cgroups "
                                 "itself (use --cgroup-manager cgroupfs, or cgroup_manager = \"cgroupfs\" "
                                 "in containers.conf)", conf->cgroup_manager);
        o->default_env = conf->env; /* below the image's and -e (create.c) */
        o->net.base_hosts_file = conf->base_hosts_file;
        if (!o->init_path && conf->init_path[0])
                o->init_path = conf->init_path;
        if (o->init_path && !o->init)
                o->init_path = NULL; /* podman: only with --init */
        if (!opts_changed(opts, "tz") && conf->tz && *conf->tz)
                b->tz = conf->tz;
        if (!opts_changed(opts, "umask") && conf->umask != 0022) {
                snprintf(b->umask_buf_, sizeof b->umask_buf_, "%04o", conf->umask & 07777);
                b->umask = b->umask_buf_;
        }
        if (!cli.shm_size && conf->shm_size && strcmp(conf->shm_size, "65536k") != 0) {
                if (opts_parse_size(conf->shm_size, false, &b->shm_size, &err) < 0) {
                        cu_error_prefix(&err, -EINVAL, "containers.conf shm_size");
                        return cli_fail(125, err);
                }
                b->has_shm_size = true;
        }
        return 0;
}

static void done(struct engine_create_opts *o)
{
        struct engine_bind_opts *b = &o->bind;
        strv_free(b->group_add);
        strv_free(b->hostusers);
        strv_free(b->secrets);
        strv_free(b->chrootdirs);
        b->group_add = b->hostusers = b->secrets = b->chrootdirs = NULL;
}

const struct run_flags_area run_flags_user = { add, check, done };
