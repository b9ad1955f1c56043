/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The attach socket: how clients (`cuttle attach`, `run` without -d) see a container's output
 * and feed its stdin while the monitor owns them.
 *
 * Socket: AF_UNIX, SOCK_SEQPACKET (as conmon's), at the monitor's --attach-socket path, mode
 * 0600.  Every message is one frame; its first byte says what it is.  The stream numbers are
 * conmon's (STDIN_PIPE 1, STDOUT_PIPE 2, STDERR_PIPE 3); unlike conmon, client frames are
 * typed too, so that stdin EOF and terminal resizes travel on the same socket.
 *
 *   monitor → client
 *     2  STDOUT  + bytes     container stdout (with a terminal: everything the pty printed)
 *     3  STDERR  + bytes     container stderr
 *     6  EXIT    + "N"       the container exited with code N (decimal text); the monitor
 *                            then closes the connection.  A restarted container needs a
 *                            new attach.
 *   client → monitor
 *     1  STDIN   + bytes     written to the container's stdin (dropped unless the monitor
 *                            runs with --stdin)
 *     4  STDIN_CLOSE         closes the container's stdin (the container reads EOF); ignored
 *                            with a terminal
 *     5  RESIZE  + u16 rows, u16 cols (host byte order)   the pty's window size
 *     7  START               starts a container the monitor only created (--no-start); the
 *                            monitor answers this client with
 *   monitor → client
 *     8  STARTED + "pid N"   the container runs (also when it already ran), or
 *                + "error MSG"   starting failed: the monitor deletes the container and
 *                            exits without an exit file (the container is "created" again)
 *
 * Payloads are at most ATTACH_BUF_SIZE bytes.  A client that just disconnects (detaches)
 * leaves the container's stdin open for the next one.  A client too slow to take output for
 * a second is disconnected rather than stall logging.
 *
 * Detach keys (podman's --detach-keys) are the client's business: detach_keys_parse() reads
 * the syntax ("ctrl-p,ctrl-q" by default; "ctrl-a", "a,b"; "" disables) and
 * detach_keys_filter() holds back a partial match and reports a complete one.
 */
#pragma once

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include "logs.h"
#include "util/error.h"

#define ATTACH_BUF_SIZE 8192 /* conmon's STDIO_BUF_SIZE */

enum attach_frame {
        ATTACH_FRAME_STDIN = 1,
        ATTACH_FRAME_STDOUT = 2,
        ATTACH_FRAME_STDERR = 3,
        ATTACH_FRAME_STDIN_CLOSE = 4,
        ATTACH_FRAME_RESIZE = 5,
        ATTACH_FRAME_EXIT = 6,
        ATTACH_FRAME_START = 7,
        ATTACH_FRAME_STARTED = 8,
};

/* ------------------------------------------------------------------ monitor side */

struct attach_server;

struct attach_ops {
        void (*stdin_data)(void *userdata, const char *buf, size_t len);
        void (*stdin_close)(void *userdata);
        void (*resize)(void *userdata, unsigned rows, unsigned cols);
        /* START: writes the STARTED reply text ("pid N" / "error MSG") into reply. */
        void (*start)(void *userdata, char *reply, size_t size);
};

/* Binds and listens at path (replacing a stale socket; paths longer than sun_path work). */
int attach_server_new(const char *path, struct attach_server **ret, struct cu_error **err);
/* Closes every client and the socket, and removes the socket file. */
struct attach_server *attach_server_free(struct attach_server *s);
DEFINE_CLEANUP_FUNC(struct attach_server *, attach_server_free)

/* Most pollfds attach_server_fill() may add. */
size_t attach_server_max_pollfds(const struct attach_server *s);
/* Adds the listening socket and the clients to fds; clients' input is polled only when
 * want_input (the monitor stops reading while the container's stdin is full). */
size_t attach_server_fill(struct attach_server *s, struct pollfd *fds, bool want_input);
/* Handles what poll() reported for the n entries attach_server_fill() gave. */
void attach_server_dispatch(struct attach_server *s, const struct pollfd *fds, size_t n,
                            const struct attach_ops *ops, void *userdata);
/* Sends output to every client. */
void attach_server_broadcast(struct attach_server *s, enum ctr_stream stream, const char *buf,
                             size_t len);
/* Sends EXIT to every client and closes them; the socket keeps listening. */
void attach_server_end(struct attach_server *s, int exit_code);
size_t attach_server_n_clients(const struct attach_server *s);

/* ------------------------------------------------------------------ client side */

#define DETACH_KEYS_MAX 16
#define DETACH_KEYS_DEFAULT "ctrl-p,ctrl-q"

struct detach_keys {
        unsigned char keys[DETACH_KEYS_MAX];
        size_t len;     /* 0: detaching disabled */
        size_t matched; /* matcher state: keys[0..matched) were seen and held back */
};

/* Parses podman's --detach-keys: comma-separated keys, each one character or "ctrl-X" with X
 * in a-z, @, [, \, ], ^, _ ; NULL means the default, "" disables. */
int detach_keys_parse(const char *s, struct detach_keys *ret, struct cu_error **err);

/* Filters the user's input: copies to out (capacity len + DETACH_KEYS_MAX) what goes to the
 * container and returns its length.  Bytes matching the start of the sequence are held back
 * (and released if the match breaks); when the sequence completes, *detached is set and the
 * rest of the input is dropped. */
size_t detach_keys_filter(struct detach_keys *k, const unsigned char *in, size_t len,
                          unsigned char *out, bool *detached);

/* Connects to an attach socket.  Returns the fd or -errno. */
int attach_client_connect(const char *path, struct cu_error **err);
/* Sends stdin bytes (split into frames as needed), stdin EOF, a window size.  -errno. */
int attach_client_send_stdin(int sock, const void *buf, size_t len);
int attach_client_close_stdin(int sock);
int attach_client_resize(int sock, unsigned rows, unsigned cols);
/* Sends START and waits for STARTED (output frames meanwhile are dropped): 0 with the
 * container's pid, or -EIO with the monitor's error text as the message (-errno when the
 * monitor went away). */
int attach_client_start(int sock, int *ret_pid, struct cu_error **err);

struct attach_client_opts {
        int in_fd;   /* the user's input, or -1 to send none */
        int out_fd;  /* where STDOUT frames go */
        int err_fd;  /* where STDERR frames go (-1: out_fd) */
        int winch_fd; /* optional (-1): a signalfd for SIGWINCH; each one sends in_fd's size */
        const char *detach_keys; /* NULL: the default; "": no detaching */
        bool send_size;          /* send in_fd's window size first (terminal sessions) */
};

enum attach_result {
        ATTACH_EXITED = 0,   /* the monitor sent EXIT (*ret_exit_code is set) */
        ATTACH_DETACHED = 1, /* the user typed the detach keys */
        ATTACH_HANGUP = 2,   /* the monitor went away without EXIT */
};

/* Relays between the user and the socket until one of enum attach_result happens.  When
 * in_fd reaches EOF the container's stdin is closed (STDIN_CLOSE) and output keeps flowing.
 * Returns an enum attach_result or -errno. */
int attach_client_relay(int sock, const struct attach_client_opts *o, int *ret_exit_code,
                        struct cu_error **err);
