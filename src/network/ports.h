/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Published ports: podman's -p/--publish specs
 *   [ip:][hostPort[-hostEnd]:]ctrPort[-ctrEnd][/tcp|udp|sctp[,…]]
 * (an IPv6 host ip goes in brackets: [::1]:8080:80), -P over the exposed
 * ports, and the check that a host port is free (we try to bind it).
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "util/error.h"

enum port_proto { PORT_TCP = 1 << 0, PORT_UDP = 1 << 1, PORT_SCTP = 1 << 2 };

struct port_mapping {
        char host_ip[64];      /* "" for all addresses */
        uint16_t host_port;    /* 0: pick a free one (cleared by ports_assign()) */
        uint16_t container_port;
        uint16_t range;        /* number of ports, >= 1 */
        unsigned protocols;    /* enum port_proto bits */
};

/* Appends the mappings of one -p spec to *v (n updated).  Errors as podman
 * ("invalid port number: …", "invalid protocol \"x\"", "host and container
 * port ranges have different lengths: 3 vs 2"). */
int ports_parse(const char *spec, struct port_mapping **v, size_t *n, struct cu_error **err);
/* -P: one mapping to a random host port for each exposed "80/tcp" spec
 * (an image's ExposedPorts keys, --expose values; ranges allowed). */
int ports_publish_all(char *const *exposed, struct port_mapping **v, size_t *n,
                      struct cu_error **err);
/* Overlapping host ports between the mappings (same protocol and host ip
 * or one of them on all addresses): -EADDRINUSE, naming the port. */
int ports_check_overlap(const struct port_mapping *v, size_t n, struct cu_error **err);
/* For each mapping: when host_port is 0, picks a free port (bound briefly);
 * else tries to bind every host port of it (protocol tcp/udp) and fails
 * with podman's wording "…: address already in use" when one is taken. */
int ports_assign(struct port_mapping *v, size_t n, struct cu_error **err);
/* "tcp", "udp", "sctp". */
const char *ports_proto_name(unsigned single_proto);
/* podman's inspect form: {"80/tcp":[{"HostIp":"","HostPort":"8080"}], …}. */
json_t *ports_to_json(const struct port_mapping *v, size_t n);
/* podman's `port` form "0.0.0.0:8080->80/tcp, …" (malloc'd). */
char *ports_to_string(const struct port_mapping *v, size_t n);
/* JSON round trip for storage (array of objects; ports_from_json fails on
 * wrong types). */
json_t *ports_save_json(const struct port_mapping *v, size_t n);
int ports_load_json(json_t *a, struct port_mapping **v, size_t *n, struct cu_error **err);
