/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /proc/PID/mountinfo, one parser for everybody (the runtime's cgroup and rootfs code, the
 * engine's idmapped overlay, checkpoint, system reset).  A line is
 *   ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL…] - FSTYPE SOURCE SUPER
 * with blanks, tabs, newlines and backslashes in paths escaped as \040-style octal.
 */
#pragma once

struct mountinfo {
        char *root;        /* the mount's root within its filesystem, unescaped */
        char *mountpoint;  /* unescaped */
        char *opts;        /* per-mount options: "rw,nosuid,relatime" */
        char *optional;    /* "shared:1 master:2" or "" */
        char *fstype;
        char *source;      /* unescaped */
        char *super;       /* per-superblock options */
};

/* Splits one line (without its newline) in place.  -EINVAL when it is not a mountinfo line. */
int mountinfo_parse_line(char *line, struct mountinfo *ret);

/* Calls cb for each well-formed line of text (which it changes in place); a non-zero return
 * from cb stops the walk and is returned. */
int mountinfo_foreach_text(char *text, int (*cb)(const struct mountinfo *mi, void *userdata),
                           void *userdata);

/* The same over the file at path (NULL: /proc/self/mountinfo).  -errno when it cannot be read. */
int mountinfo_foreach(const char *path, int (*cb)(const struct mountinfo *mi, void *userdata),
                      void *userdata);
