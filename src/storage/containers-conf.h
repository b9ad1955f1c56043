/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * containers.conf(5) and containers-storage.conf(5), as podman reads them, over the TOML
 * reader (toml.h).  Only the keys cuttle gives a meaning to are kept; other keys and tables
 * are ignored (logged at debug).  A known key with the wrong type is an error
 * "FILE:LINE: KEY: expected a string" (… a boolean / an integer / an array of strings).
 *
 * containers.conf: each file read overrides the keys it sets (an array replaces the earlier
 * array; [engine.runtimes] entries replace the entry of the same name).  The chain, lowest
 * precedence first:
 *   /usr/share/containers/containers.conf, /etc/containers/containers.conf,
 *   /etc/containers/containers.conf.d/ *.conf,
 *   $XDG_CONFIG_HOME/containers/containers.conf (else $HOME/.config/…) and its .d/ *.conf;
 * or, when $CONTAINERS_CONF is set, that file alone; then $CONTAINERS_CONF_OVERRIDE.
 *
 * storage.conf: one file — $CONTAINERS_STORAGE_CONF, else the user's
 * ($XDG_CONFIG_HOME or $HOME/.config)/containers/storage.conf, else
 * /etc/containers/storage.conf, else /usr/share/containers/storage.conf; a missing file
 * leaves every value unset (the caller's defaults apply).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

struct conf_runtime {
        char *name;   /* "runc" */
        char **paths; /* candidates, first executable wins */
};

struct containers_conf {
        /* [containers] */
        char **default_ulimits;      /* "nofile=1024:2048" */
        char **default_capabilities; /* "CHOWN" (as written: with or without "CAP_") */
        char **dns_servers;
        char **dns_searches;
        char **dns_options;
        char **env;                  /* "PATH=…", "TERM=xterm" */
        char **default_sysctls;      /* "net.ipv4.ping_group_range=0 0" */
        char *tz;                    /* "" (the image's), "local", or a zone name */
        unsigned umask;              /* 0022 */
        char *shm_size;              /* "65536k" (go-units, parsed by the engine) */
        int64_t pids_limit;          /* 2048; 0 or -1: unlimited */
        char *log_driver;            /* "k8s-file" */
        int64_t log_size_max;        /* -1: unlimited */
        char *init_path;             /* "" : the engine's default */
        bool no_hosts;
        char *base_hosts_file;       /* "" : /etc/hosts; "none"; "image"; a path */
        char *cgroupns, *ipcns, *netns, *pidns, *utsns, *userns;
        /* [engine] */
        char *runtime;               /* "" : the built-in runtime */
        struct conf_runtime *runtimes;
        size_t n_runtimes;
        char *cgroup_manager;        /* "cgroupfs" | "systemd" */
        char *events_logger;         /* "file" | "journald" | "none" */
        char *tmp_dir;               /* "" : the engine's default (under the run root) */
        char *volume_path;           /* "" : <graph root>/volumes */
        char *image_default_transport; /* "docker://" */
        /* [network] */
        char *default_network;       /* "podman" */
        char *default_subnet;        /* "10.88.0.0/16" */
        char *network_config_dir;    /* "" : the network layer's default */
        /* the files read, in order */
        char **files;
};

/* podman's defaults (cgroupns "private" on cgroup v2, "host" on v1).  NULL on ENOMEM. */
struct containers_conf *containers_conf_new(void);
struct containers_conf *containers_conf_free(struct containers_conf *c);
DEFINE_CLEANUP_FUNC(struct containers_conf *, containers_conf_free)
#define _cleanup_containers_conf_ _cleanup_(containers_conf_freep)

/* Parses one file's text over c (origin names it in errors).  On error c may be partly
 * updated (the caller drops it). */
int containers_conf_parse(struct containers_conf *c, const char *text, size_t len,
                          const char *origin, struct cu_error **err);

/* The files of the chain above that exist, in the order they are read (drop-ins expanded,
 * in name order).  *ret is NULL-terminated, never NULL on success. */
int containers_conf_paths(char ***ret, struct cu_error **err);

/* Defaults, then every file of containers_conf_paths(). */
int containers_conf_load(struct containers_conf **ret, struct cu_error **err);

/* The executable for a runtime name: an absolute path is itself; a name is looked up in
 * [engine.runtimes] (first existing executable candidate), then in $PATH.  malloc'd;
 * -ENOENT with "could not find a working binary for runtime NAME (…)" */
int containers_conf_runtime_path(const struct containers_conf *c, const char *name,
                                 char **ret, struct cu_error **err);

struct storage_conf {
        char *driver;                /* [storage] driver; NULL: unset */
        char *graphroot;
        char *runroot;
        char *rootless_storage_path;
        char **options;              /* [storage.options] "key=value"; subtables as
                                      * "overlay.mountopt=…"; never NULL */
        char *file;                  /* the file read, or NULL */
};

struct storage_conf *storage_conf_new(void);
struct storage_conf *storage_conf_free(struct storage_conf *s);
DEFINE_CLEANUP_FUNC(struct storage_conf *, storage_conf_free)
#define _cleanup_storage_conf_ _cleanup_(storage_conf_freep)

int storage_conf_parse(struct storage_conf *s, const char *text, size_t len, const char *origin,
                       struct cu_error **err);

/* The file of the chain above that would be read, or NULL (malloc'd). */
char *storage_conf_path(void);
/* Reads that file (if any) into a new storage_conf. */
int storage_conf_load(struct storage_conf **ret, struct cu_error **err);
