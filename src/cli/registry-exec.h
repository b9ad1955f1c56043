/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Path of the cuttle-registry helper ($CUTTLE_REGISTRY_HELPER overrides). */
char *registry_helper_path(void);

/* Replaces this process with cuttle-registry ARGV…; returns 125 on failure. */
int registry_exec(int argc, char **argv);
