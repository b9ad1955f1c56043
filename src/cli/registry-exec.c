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

#include "config.h"
#include "registry-exec.h"

char *registry_helper_path(void)
{
        const char *env = getenv("CUTTLE_REGISTRY_HELPER");
        if (env && *env)
                return strdup(env);
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n > 0) {
                self[n] = '\0';
                char *p = NULL;
                if (asprintf(&p, "%s/cuttle-registry", dirname(self)) < 0)
                        return NULL;
                if (access(p, X_OK) == 0)
                        return p;
                free(p);
        }
        return strdup(CUTTLE_LIBEXECDIR "/cuttle-registry");
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
