/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

/* Sends fd (with an optional small payload) over a unix socket. -errno. */
int send_fd(int sock, int fd, const void *data, size_t len);
/* Receives one fd (O_CLOEXEC set); *ret_fd = -EBADF if none came. Returns bytes or -errno. */
int recv_fd(int sock, int *ret_fd, void *data, size_t len);
/* Connects to a unix stream socket path. Returns fd or -errno. */
int unix_connect(const char *path);
/* Closes every fd >= from except those listed. */
void close_all_fds(int from, const int *keep, size_t n_keep);
