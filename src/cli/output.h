/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Values as podman prints them (go-units and Go's time formats). */
#pragma once

#include <stdint.h>

/* "1.99 MB" (SI units, 3 significant digits). Writes into buf. */
const char *human_size(uint64_t bytes, char buf[static 32]);
/* "1.99MB": the same without the space (ps --size, system df). */
const char *human_size_compact(uint64_t bytes, char buf[static 32]);
/* "Less than a second", "About a minute", "3 hours" … (go-units HumanDuration). */
const char *human_duration(int64_t ns, char buf[static 32]);
/* "About a minute ago" for a time ns since the epoch. */
const char *human_since(int64_t ns, char buf[static 48]);
/* "2006-01-02 15:04:05 +0000 UTC" (Go's time.Time String(), in UTC). */
const char *go_time_string(int64_t ns, char buf[static 64]);
/* ns since the epoch, now. */
int64_t now_realtime_ns(void);
