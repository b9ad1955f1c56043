/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Image transports (containers-transports(5)) for pull and push:
 *   docker://REF                 a registry (pull.h does the work)
 *   docker-archive:PATH[:NAME:TAG|:@N]
 *   oci-archive:PATH[:REF]       an OCI layout in a tar
 *   oci:DIR[:REF]                an OCI layout directory (index.json, ref.name annotations)
 *   dir:DIR                      manifest.json, version and blobs named by digest
 *   containers-storage:IMAGE     the local store
 * A name without a known transport prefix is read with containers.conf's
 * image_default_transport ("docker://" by default).
 */
#pragma once

#include <errno.h>
#include <stdio.h>

#include "store.h"

enum transport {
        TRANSPORT_DOCKER,
        TRANSPORT_DOCKER_ARCHIVE,
        TRANSPORT_OCI_ARCHIVE,
        TRANSPORT_OCI,
        TRANSPORT_DIR,
        TRANSPORT_CONTAINERS_STORAGE,
        TRANSPORT_DOCKER_DAEMON,
        _TRANSPORT_MAX,
        _TRANSPORT_INVALID = -EINVAL,
};

const char *transport_to_string(enum transport t); /* "docker-archive", … */
enum transport transport_from_string(const char *s);

struct transport_ref {
        enum transport transport;
        char *path; /* file or directory; the image reference for docker and containers-storage */
        char *ref;  /* docker-archive "NAME:TAG", oci/oci-archive ref name; NULL when none */
        int index;  /* docker-archive "@N"; -1 when none */
};

void transport_ref_done(struct transport_ref *r);

/* Parses "TRANSPORT:REST".  A name whose prefix is no transport ("busybox",
 * "bb:1", "/tmp/x.tar", "docker:latest") is read as default_transport + name;
 * default_transport is "docker://" when NULL or empty, else a transport name
 * followed by ":" (or "://").  Errors: an unknown default transport, an empty
 * path, a bad "@N". */
int transport_ref_parse(const char *name, const char *default_transport, struct transport_ref *ret,
                        struct cu_error **err);

/* "transport:path[:ref]" ("docker://ref" for the registry). */
char *transport_ref_string(const struct transport_ref *r);

/* Pulls from a local transport (not docker://) into the store: *ret_ids gets
 * the image ID once per name stored (once when it has none), as podman prints
 * them.  progress: podman's "Copying blob …" lines, or NULL. */
int transport_pull(struct store *s, const struct transport_ref *r, FILE *progress, char ***ret_ids,
                   struct cu_error **err);

/* Writes the local image id to a local transport (not docker://).  src_name:
 * the image's name the user gave (NULL for an ID), which docker-archive
 * records beside dest->ref, as podman does.  Nothing half-written is left on
 * failure (archives and new directories are written under a temporary name
 * and renamed). */
int transport_push(struct store *s, const char *id, const char *src_name, const struct transport_ref *dest,
                   FILE *progress, struct cu_error **err);
