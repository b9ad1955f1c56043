/* SPDX-License-Identifier: GPL-2.0-or-later */
/* unpack-layer DIR LAYER…: extracts the layers in order into DIR with cuttle's
 * layer_unpack (vfs whiteouts), printing each diff ID — the bench's side of
 * "layer unpack vs GNU tar". */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "storage/unpack.h"

int main(int argc, char **argv)
{
        if (argc < 3) {
                fprintf(stderr, "usage: unpack-layer DIR LAYER...\n");
                return 2;
        }
        int dir = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0) {
                perror(argv[1]);
                return 1;
        }
        for (int i = 2; i < argc; i++) {
                int fd = open(argv[i], O_RDONLY | O_CLOEXEC);
                if (fd < 0) {
                        perror(argv[i]);
                        return 1;
                }
                struct cu_error *err = NULL;
                struct unpack_result res;
                if (layer_unpack(fd, dir, NULL, &res, &err) < 0) {
                        fprintf(stderr, "%s: %s\n", argv[i], cu_error_msg(err));
                        return 1;
                }
                printf("%s\n", res.diff_id);
                close(fd);
        }
        return 0;
}
