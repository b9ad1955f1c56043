/* SPDX-License-Identifier: GPL-2.0-or-later */
/* create/run: volumes and mounts (-v, --mount, --tmpfs, --volumes-from, --read-only-tmpfs). */
#include <string.h>

#include "run-flags.h"
#include "util/strv.h"

static size_t add(struct engine_create_opts *o, struct opt *out)
{
        o->vol.read_only_tmpfs = true;
        const struct opt t[] = {
                RUN_A("volume", 'v', &o->vol.volumes, "Bind mount a volume into the container"),
                RUN_A("mount", 0, &o->vol.mounts, "Attach a filesystem mount to the container"),
                RUN_A("tmpfs", 0, &o->vol.tmpfs, "Mount a temporary filesystem (`tmpfs`) into a container"),
                RUN_A("volumes-from", 0, &o->vol.volumes_from, "Mount volumes from the specified container(s)"),
                { .name = "read-only-tmpfs", .type = OPT_BOOL, .value = &o->vol.read_only_tmpfs,
                  .help = "When running containers in read-only mode mount a read-write tmpfs on /run, /tmp and /var/tmp",
                  .def = "true" },
                { 0 },
        };
        return run_flags_copy(t, out);
}

static int check(struct cli_ctx *c, struct engine_create_opts *o, struct opt *opts)
{
        (void) c, (void) o, (void) opts;
        return 0;
}

static void done(struct engine_create_opts *o)
{
        o->vol.volumes = strv_free(o->vol.volumes);
        o->vol.mounts = strv_free(o->vol.mounts);
        o->vol.tmpfs = strv_free(o->vol.tmpfs);
        o->vol.volumes_from = strv_free(o->vol.volumes_from);
}

const struct run_flags_area run_flags_volumes = { add, check, done };
