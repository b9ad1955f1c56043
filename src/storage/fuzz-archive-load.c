/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer: `load` of an arbitrary archive into a throwaway store.  Whatever
 * the input, the store must end with no staging directory left, and an
 * archive that loads must leave a readable image. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "state/db.h"
#include "storage/image-archive.h"
#include "storage/images.h"
#include "storage/store.h"
#include "util/fileio.h"
#include "util/strv.h"

static struct db *db;
static struct store *store;
static char dir[] = "/tmp/cuttle-fuzz-load-XXXXXX";

static void cleanup(void)
{
        store_free(store);
        db_close(db);
        rm_rf(dir);
}

static void init(void)
{
        if (store)
                return;
        if (!mkdtemp(dir))
                abort();
        char path[128], root[128], run[128];
        snprintf(path, sizeof(path), "%s/root/cuttle.db", dir);
        snprintf(root, sizeof(root), "%s/root", dir);
        snprintf(run, sizeof(run), "%s/run", dir);
        struct store_opts o = { .root = root, .runroot = run, .driver = "vfs" };
        if (db_open(path, &db, NULL) < 0 || store_open(&o, db, &store, NULL) < 0)
                abort();
        atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        init();
        int fd = memfd_create("archive", MFD_CLOEXEC);
        if (fd < 0 || write_all(fd, data, size) < 0)
                abort();
        lseek(fd, 0, SEEK_SET);
        char **loaded = NULL;
        struct cu_error *err = NULL;
        if (archive_load(store, fd, &loaded, &err) == 0) {
                struct image_rec **v = NULL;
                size_t n = 0;
                if (images_list(db, &v, &n, NULL) < 0 || n == 0)
                        abort();
                image_recs_free(v, n);
        }
        strv_free(loaded);
        cu_error_free(err);
        close(fd);
        /* nothing staged survives the call */
        char tmp[160];
        snprintf(tmp, sizeof(tmp), "%s/root/tmp", dir);
        DIR *d = opendir(tmp);
        struct dirent *de;
        while (d && (de = readdir(d)))
                if (de->d_name[0] != '.')
                        abort();
        if (d)
                closedir(d);
        return 0;
}
