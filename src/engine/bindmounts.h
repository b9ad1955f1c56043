/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The files the engine makes and bind-mounts (users, hostname, shm, tz, .containerenv,
 * secrets) — their create/run options.  A zeroed struct gives podman's defaults. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct engine_bind_opts {
        char **group_add;          /* --group-add NAME|GID|keep-groups */
        const char *umask;         /* --umask: 1-4 octal digits; NULL: "0022" */
        const char *passwd_entry;  /* --passwd-entry template ($USERNAME $UID $GID $NAME $HOME) */
        const char *group_entry;   /* --group-entry template ($GROUPNAME $GID $USERLIST) */
        bool no_passwd;            /* --passwd=false: never touch /etc/passwd, /etc/group */
        char **hostusers;          /* --hostuser: host users added to the container's passwd */
        const char *tz;            /* --tz: a zone name or "local"; NULL/"": the image's */
        int64_t shm_size;          /* --shm-size in bytes (with has_shm_size) */
        bool has_shm_size;         /* else 65536000 (containers.conf's "65536k") */
        char **secrets;            /* --secret NAME[,type=mount|env,target=,uid=,gid=,mode=] */
        char **chrootdirs;         /* --chrootdirs */
        /* the CLI's own storage */
        bool passwd_flag_;
        char umask_buf_[8];
};
