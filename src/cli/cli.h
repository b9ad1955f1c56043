/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Entry point: dispatches on argv[0] ("cuttle-runtime") or the subcommand. */
int cli_main(int argc, char **argv);

/* The OCI runtime command line (runc-compatible); argv[0] is the program name. */
int cli_oci_main(int argc, char **argv);

/* cuttle-registry's entry point: the same global options, then the commands
 * that need libcurl (pull, push, login, logout). */
int cli_registry_main(int argc, char **argv);
