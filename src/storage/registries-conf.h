/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * containers-registries.conf(5), as podman reads it: the search list for short
 * names, the short-name mode, and [[registry]] tables (prefix → location
 * rewrite, insecure, blocked) chosen by the longest matching prefix.
 *
 * The file is TOML; a small parser for the subset these files use is built in
 * (basic and literal strings, arrays of strings, booleans, integers,
 * comments, [table] and [[array-of-tables]]).  Version 1 files
 * ([registries.search] / [registries.insecure] / [registries.block]) are
 * converted as containers/image does.  [[registry.mirror]] tables are checked
 * and then ignored (mirrors are not used), and so are [aliases] and the
 * credential-helpers keys; unknown keys are ignored (logged at debug).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

enum short_name_mode {
        SHORT_NAME_MODE_ENFORCING,
        SHORT_NAME_MODE_PERMISSIVE,
        SHORT_NAME_MODE_DISABLED,
        _SHORT_NAME_MODE_MAX,
        _SHORT_NAME_MODE_INVALID = -22,
};

const char *short_name_mode_to_string(enum short_name_mode m);
enum short_name_mode short_name_mode_from_string(const char *s);

struct registry_entry {
        char *prefix;   /* "host[:port][/ns…]" or "*.example.com"; defaults to location */
        char *location; /* rewrite target; NULL for a wildcard prefix (the host itself) */
        bool insecure;  /* plain http / unverified TLS allowed */
        bool blocked;   /* pulling from it is refused */
        bool mirror_by_digest_only;
        size_t n_mirrors; /* [[registry.mirror]] tables seen (not used) */
};

struct registries_conf {
        char **search;          /* unqualified-search-registries, in order (never NULL) */
        enum short_name_mode short_name_mode; /* permissive when no file sets it */
        struct registry_entry *registries;    /* sorted by prefix */
        size_t n_registries;
};

struct registries_conf *registries_conf_new(void);
struct registries_conf *registries_conf_free(struct registries_conf *c);
DEFINE_CLEANUP_FUNC(struct registries_conf *, registries_conf_free)
#define _cleanup_registries_conf_ _cleanup_(registries_conf_freep)

/* Parses one file's text and merges it into c as a drop-in would: a
 * [[registry]] replaces the one with the same prefix, unqualified-search-
 * registries and short-name-mode replace the earlier values when present.
 * origin names the file in errors ("<origin>:<line>: …").  On error c is
 * unchanged. */
int registries_conf_parse(struct registries_conf *c, const char *text, size_t len,
                          const char *origin, struct cu_error **err);

/* Loads path and nothing else; NULL: the default chain — the file named by
 * $CONTAINERS_REGISTRIES_CONF, else $HOME/.config/containers/registries.conf
 * if it exists, else /etc/containers/registries.conf — followed by the
 * *.conf drop-ins of /etc/containers/registries.conf.d and then of
 * $HOME/.config/containers/registries.conf.d (each in name order; only the
 * user's directory when the user's registries.conf is used).  Missing files
 * and directories are not errors. */
struct registries_conf *registries_conf_load(const char *path, struct cu_error **err);

/* The entry whose prefix is the longest match for ref ("host[:port]",
 * "host/repo", "host/repo:tag", "host/repo@digest"), or NULL. */
const struct registry_entry *registries_conf_lookup(const struct registries_conf *c,
                                                    const char *ref);

/* ref with the matched prefix replaced by the entry's location (a copy of ref
 * for a wildcard entry or e == NULL).  NULL on ENOMEM. */
char *registries_conf_rewrite(const struct registry_entry *e, const char *ref);
