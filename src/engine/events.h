/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Events (podman's events_logger "file"): one JSON object a line, appended with O_APPEND to
 * <runroot>/events/events.log, so that concurrent writers never interleave a line.  Readers
 * read the file from the start and, when following, wait for it to grow with inotify.
 *
 * A line (the stored form is also what `events --format json` prints):
 *   {"ID":…,"Image":…,"Name":…,"Status":"start","Time":"2006-01-02T15:04:05.999999999Z",
 *    "timeNano":1136214245999999999,"Type":"container","Attributes":{labels…}}
 * plus "ContainerExitCode" on "died".  Image events carry ID and Name only.
 *
 * Emission is best effort: a failure to log an event is logged at debug and never fails the
 * operation.  The engine's backend (struct engine .events_backend): NULL or "file" logs,
 * "none" (and "journald", which cuttle cannot write) logs nothing.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

struct engine;
struct ctr_record;

/* Container statuses podman logs: create, init, start, attach, stop, kill, died, pause,
 * unpause, remove, cleanup, exec, exec_died, restart, rename, checkpoint, restore,
 * mount, unmount, sync, health_status … (any string is accepted). */
void engine_event_container(struct engine *e, const struct ctr_record *r, const char *status);
/* "died" or "exec_died" with the exit code (ContainerExitCode). */
void engine_event_exit(struct engine *e, const struct ctr_record *r, const char *status,
                       int exit_code);
/* Image events: pull, push, remove, tag, untag, load, save, import; name may be NULL. */
void engine_event_image(struct engine *e, const char *status, const char *id, const char *name);

/* The events file of a run root (malloc'd). */
char *events_path(const char *runroot);
/* Builds an event object (the stored form; time_ns 0: now).  attributes (may be NULL) is
 * copied.  NULL on ENOMEM. */
json_t *event_new(const char *type, const char *status, const char *id, const char *name,
                  const char *image, json_t *attributes, int64_t time_ns);
/* Appends ev as one line to path (creating the directory and file).  -errno. */
int event_append(const char *path, json_t *ev, struct cu_error **err);
/* Parses one line; NULL when it is not an event object. */
json_t *event_parse(const char *line, size_t len);
/* The event's time in ns ("timeNano", else "Time"), 0 if none. */
int64_t event_time_ns(json_t *ev);

/* --filter: KEY=VALUE with keys container, event (also status), image, label, type, pod,
 * volume, network.  Different keys must all match; values of one key are alternatives. */
struct event_filters {
        char **container, **event, **image, **label, **type, **pod, **volume, **network;
};
/* Parses the filters; -EINVAL with "KEY is an invalid filter" (no '=') or
 * "KEY is an invalid filter" for an unknown key. */
int event_filters_parse(char *const *specs, struct event_filters *ret, struct cu_error **err);
void event_filters_done(struct event_filters *f);
bool event_filters_match(const struct event_filters *f, json_t *ev);

/* Podman's human line: "TIME TYPE STATUS ID (image=…, name=…, k=v…)" for containers,
 * "TIME image STATUS ID NAME" for images (TIME as Go's time.Time String, UTC).  malloc'd. */
char *event_human(json_t *ev);
/* The object templates see: Go field names, Time as Go's time String, ContainerExitCode.
 * New reference. */
json_t *event_template_data(json_t *ev);

struct events_read_opts {
        int64_t since, until; /* ns since the epoch; 0: none */
        bool follow;          /* stream: wait for new events (until `until`, if set) */
        const struct event_filters *filters;
        int stop_fd;          /* follow: returns when readable (e.g. a signalfd); -1: none */
};
typedef int (*event_fn)(void *userdata, json_t *ev);
/* Hands each matching event to fn, in file order; a non-zero return of fn stops.  A missing
 * file is an empty history.  Errors: the backend "none" / "journald" (EOPNOTSUPP,
 * podman's "cannot read events with the \"none\" backend"). */
int engine_events_read(struct engine *e, const struct events_read_opts *o, event_fn fn,
                       void *userdata, struct cu_error **err);
