/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cuttle-netfw: applies one nftables script read from stdin as ONE
 * transaction (libnftables' nft_run_cmd_from_buffer), printing nft's
 * errors.  cuttle is linked statically and Debian ships libnftables as a
 * shared library only, so the network layer computes its rules and hands
 * them to this small dynamic helper.  Exit 0 on success, 1 when nft
 * refused the script (nothing of it is applied), 2 on other errors.
 */
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fileio.h"

int main(int argc, char **argv)
{
        (void) argv;
        if (argc != 1) {
                fputs("usage: cuttle-netfw < SCRIPT\n", stderr);
                return 2;
        }
        char *script = NULL;
        size_t len = 0;
        if (read_full_fd(0, &script, &len) < 0) {
                fputs("cuttle-netfw: reading the script failed\n", stderr);
                return 2;
        }
        struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
        if (!ctx) {
                free(script);
                fputs("cuttle-netfw: cannot create an nftables context\n", stderr);
                return 2;
        }
        nft_ctx_buffer_error(ctx);
        int r = nft_run_cmd_from_buffer(ctx, script);
        if (r != 0) {
                const char *e = nft_ctx_get_error_buffer(ctx);
                fputs(e && *e ? e : "nft refused the script\n", stderr);
        }
        nft_ctx_free(ctx);
        free(script);
        return r == 0 ? 0 : 1;
}
