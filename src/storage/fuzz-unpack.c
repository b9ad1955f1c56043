/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for layer_unpack(): the input is the layer (any compression), extracted
 * into a fresh directory <tmp>/cuttle-fuzz-unpack-XXXXXX/dest, which is then removed.  Odd
 * sizes use overlay whiteouts, even sizes vfs ones.  Anything appearing beside dest, or at a
 * host canary path, is an escape and aborts.
 *
 *   CC=clang meson setup build-unpack-fuzz -Dfuzz=true -Dtests=false
 *   build-unpack-fuzz/src/storage/fuzz-storage-unpack -max_total_time=60 \
 *           src/storage/fuzz-corpus/unpack
 * (add CFLAGS=-fsanitize=fuzzer-no-link,address -Dstatic=false to instrument the library too)
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/unpack.h"
#include "util/fileio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char base[PATH_MAX / 2], dest[PATH_MAX];

static void remove_base(void)
{
        (void) rm_rf(base);
}

static void escaped(const char *what)
{
        fprintf(stderr, "layer_unpack wrote outside its destination: %s\n", what);
        abort();
}

static void check_base(void)
{
        DIR *d = opendir(base);
        if (!d)
                abort();
        struct dirent *de;
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
                    strcmp(de->d_name, "dest") != 0)
                        escaped(de->d_name);
        closedir(d);
        struct stat st;
        if (lstat("/cuttle-unpack-escape", &st) == 0)
                escaped("/cuttle-unpack-escape");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (!*base) {
                char tmpl[PATH_MAX / 2];
                snprintf(tmpl, sizeof tmpl, "%s/cuttle-fuzz-unpack-XXXXXX",
                         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
                if (!mkdtemp(tmpl) || !realpath(tmpl, base))
                        abort();
                snprintf(dest, sizeof dest, "%s/dest", base);
                atexit(remove_base);
        }
        if (mkdir(dest, 0755) < 0)
                abort();
        int destfd = open(dest, O_PATH | O_DIRECTORY | O_CLOEXEC);
        int fd = memfd_create("layer", MFD_CLOEXEC);
        if (destfd < 0 || fd < 0 || write_all(fd, data, size) < 0 || lseek(fd, 0, SEEK_SET) < 0)
                abort();

        struct unpack_opts opts = { .overlay_whiteouts = size & 1 };
        struct unpack_result res;
        struct cu_error *err = NULL;
        int r = layer_unpack(fd, destfd, &opts, &res, &err);
        if ((r < 0) != (err != NULL))
                abort();
        cu_error_free(err);
        close(fd);
        close(destfd);

        check_base();
        if (rm_rf(dest) < 0)
                abort();
        return 0;
}
