/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The static cuttle hands the commands that need libcurl to cuttle-registry
 * (found beside the cuttle binary, else in libexecdir), with the same argv. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/proc.h"
#include "registry-exec.h"

char *registry_helper_path(void)
{
        return helper_program_path("cuttle-registry", "CUTTLE_REGISTRY_HELPER");
}

int registry_exec(int argc, char **argv)
{
        (void) argc;
        char *helper = registry_helper_path();
        if (!helper) {
                fputs("Error: out of memory\n", stderr);
                return 125;
        }
        execv(helper, argv);
        fprintf(stderr, "Error: running %s: %s\n", helper, strerror(errno));
        free(helper);
        return 125;
}
