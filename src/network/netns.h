/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Network namespaces, pinned by a bind mount of the namespace file at
 * <runroot>/netns/<id> (what `ip netns add` does under /run/netns).  The
 * namespace is made by a short-lived thread that unshares: the caller's own
 * threads never change namespace.  Work inside a namespace goes through a
 * netlink socket created there (sockets keep the namespace they were made in)
 * or a forked child that joins it.
 */
#pragma once
#include <sys/types.h>
#include "netlink.h"
#include "util/error.h"

/* "<runroot>/netns/<id>" (malloc'd). */
char *netns_path(const char *runroot, const char *id);
/* Creates a new namespace pinned at path (the directory is made).  With
 * ret_rtnl, also gets a netlink socket inside it.  -EEXIST when path is
 * already a namespace. */
int netns_create(const char *path, struct rtnl *ret_rtnl, struct cu_error **err);
/* Unmounts and unlinks path; missing is fine. */
int netns_remove(const char *path, struct cu_error **err);
/* Opens a namespace file (O_RDONLY|O_CLOEXEC). */
int netns_open(const char *path, struct cu_error **err);
/* A netlink socket inside the namespace nsfd. */
int netns_rtnl(int nsfd, struct rtnl *ret, struct cu_error **err);
/* Runs fn(data) in a forked child that joined the namespace nsfd; returns
 * the child's exit status (fn's return value, 0..255) or -errno. */
int netns_run(int nsfd, int (*fn)(void *data), void *data, struct cu_error **err);
/* Runs argv (execvp) in the namespace; returns its exit status.  Output is
 * discarded unless keep_output. */
int netns_exec(int nsfd, char *const *argv, int keep_output, struct cu_error **err);
