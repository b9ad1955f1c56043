/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /etc/passwd and /etc/group as text: lookups with runc's rules (libcontainer/user, which
 * podman uses) and the entries the engine generates for users missing from the image (the
 * seed's generateUserPasswdEntry / generateUserGroupEntry / userPasswdEntry).  Pure
 * functions over the files' text: the caller reads the files (inside the root) and writes
 * the result.
 *
 * Parsing: a line is split on ':'; blank lines and lines starting with '#' are skipped; a
 * passwd line needs a numeric uid (field 3) and a group line a numeric gid (field 3), other
 * lines are skipped (runc reads a malformed number as 0, which could match uid 0 — we do
 * not); missing trailing fields are empty.  The last line needs no newline.  Numbers are
 * 0..2147483647.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define PASSWD_ID_MAX 2147483647u

struct pw_entry {
        char *name, *passwd;
        uint32_t uid, gid;
        char *gecos, *home, *shell;
};

struct gr_entry {
        char *name;
        uint32_t gid;
        char **members; /* never NULL after a match */
};

void pw_entry_done(struct pw_entry *e);
void gr_entry_done(struct gr_entry *e);

/* The first entry whose uid is spec (spec numeric) or whose name is spec.  text may be NULL
 * (no file).  1 found (ret filled), 0 none, -ENOMEM. */
int passwd_find(const char *text, const char *spec, struct pw_entry *ret);
/* The same for groups (by gid when numeric, else by name). */
int group_find(const char *text, const char *spec, struct gr_entry *ret);

/* A decimal id in 0..PASSWD_ID_MAX.  0 or -EINVAL / -ERANGE. */
int passwd_parse_id(const char *s, uint32_t *ret);

/* runc's GetExecUser: spec is "", "user", "uid", "user:group", "uid:gid" ...
 *   user: by uid when numeric, else by name; "" means uid 0.  A numeric user missing from
 *         passwd is taken as is (gid 0, no home); a name missing is an error.
 *   group: by gid when numeric, else by name; a numeric group missing is taken as is; a
 *         name missing is an error.  Given, it replaces the user's gid.
 *   sgids: without a group, the gids of every group that lists the user's name.
 * Errors (-ENOENT): "unable to find user NAME: no matching entries in passwd file",
 * "unable to find group NAME: no matching entries in group file"; -ERANGE for ids. */
struct exec_user {
        uint32_t uid, gid;
        uint32_t *sgids;
        size_t n_sgids;
        char *name; /* the passwd entry's name, or NULL */
        char *home; /* the passwd entry's home, or NULL */
};
void exec_user_done(struct exec_user *u);
int exec_user_resolve(const char *passwd, const char *group, const char *spec,
                      struct exec_user *ret, struct cu_error **err);

/* --group-add NAME|GID resolved against group text (podman's GetContainerGroups): a number
 * as is, a name looked up.  -ENOENT "Unable to find group NAME: no matching entries in group
 * file". */
int group_add_resolve(const char *group, const char *spec, uint32_t *ret, struct cu_error **err);

/* What the generated entries need. */
struct passwd_gen {
        const char *user;         /* the container's --user ("" or NULL: none) */
        const char *workdir;      /* the home of a generated user */
        const char *passwd_entry; /* --passwd-entry template, or NULL */
        const char *group_entry;  /* --group-entry template, or NULL */
};

/* --passwd-entry's template with $USERNAME, $UID, $GID, $NAME, $HOME replaced (in that
 * order, every occurrence), plus "\n".  NULL on ENOMEM. */
char *passwd_template(const char *tmpl, const char *username, const char *uid, const char *gid,
                      const char *name, const char *home);
/* --group-entry's template with $GROUPNAME, $GID, $USERLIST replaced, plus "\n". */
char *group_template(const char *tmpl, const char *groupname, const char *gid,
                     const char *userlist);

/* The passwd line for the container user when --user is a number missing from passwd
 * (*ret NULL when none is needed: no user, a name, a uid present, or uid == added_uid when
 * added_uid is not 0).  The group part, if any, gives the gid (a name looked up in group:
 * -ENOENT "unable to get gid NAME from group file: ..."); the home is g->workdir.
 *   UID:*:UID:GID:container user:WORKDIR:/bin/sh      */
int passwd_user_entry(const struct passwd_gen *g, const char *passwd, const char *group,
                      uint32_t added_uid, char **ret, struct cu_error **err);
/* The group line for --user's group (or, without one, the user part) when it is a number
 * missing from group (and not added_gid when that is not 0):  GID:x:GID:USER      */
int group_user_entry(const struct passwd_gen *g, const char *group, uint32_t added_gid,
                     char **ret, struct cu_error **err);
/* The passwd line for a host user (--hostuser) missing from the container's passwd (by name
 * and by uid; *ret NULL when present).  home: the user's home when it is mounted into the
 * container, else g->workdir (home_mounted says which).  *ret_home (may be NULL) gets the
 * home used.   NAME:*:UID:GID:GECOS:HOME:/bin/sh      */
int passwd_host_entry(const struct passwd_gen *g, const char *passwd,
                      const struct pw_entry *host, bool home_mounted, char **ret,
                      char **ret_home);
