/* SPDX-License-Identifier: GPL-2.0-or-later */
/* prepare: root filesystem and network namespace made concurrently, each rolled back when
 * the other fails, as the seed's prepare() (needs root: it mounts and makes namespaces). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/internal.h"
#include "network/ipam.h"
#include "network/setup.h"
#include "state/db.h"
#include "storage/rootfs.h"
#include "storage/store.h"
#include "util/fileio.h"
#include "util/json.h"

#define ID "feedface0000111122223333444455556666777788889999aaaabbbbccccdddd"

static char dir[64];
static struct engine e;
static struct db *db;
static struct store *st;
static char root[128], runroot[128];

static int setup(void **state)
{
        (void) state;
        strcpy(dir, "/tmp/cuttle-test-prepare-XXXXXX");
        assert_non_null(mkdtemp(dir));
        snprintf(root, sizeof root, "%s/root", dir);
        snprintf(runroot, sizeof runroot, "%s/run", dir);
        char dbp[160];
        snprintf(dbp, sizeof dbp, "%s/state.db", dir);
        assert_int_equal(mkdir_p(root, 0700), 0);
        struct cu_error *err = NULL;
        assert_int_equal(db_open(dbp, &db, &err), 0);
        struct store_opts o = { .root = root, .runroot = runroot, .driver = "overlay" };
        if (store_open(&o, db, &st, &err) < 0)
                fail_msg("store_open: %s", cu_error_msg(err));
        e = (struct engine){ .db = db, .store = st, .root = root, .runroot = runroot };
        assert_int_equal(ctr_db_init(db, &err), 0);
        return 0;
}

static int teardown(void **state)
{
        (void) state;
        (void) rootfs_delete(st, ID, NULL);
        st = store_free(st);
        db = db_close(db);
        (void) rm_rf(dir);
        return 0;
}

static struct ctr_record *record(void)
{
        static struct ctr_record r;
        memset(&r, 0, sizeof r);
        strcpy(r.id, ID);
        r.name = (char *) "prep";
        r.state = CTR_STATE_CREATED;
        return &r;
}

static bool netns_there(void)
{
        _cleanup_free_ char *p = net_netns_path(runroot, ID);
        return access(p, F_OK) == 0;
}

static void test_both_succeed_then_undo(void **state)
{
        (void) state;
        struct cu_error *err = NULL;
        assert_int_equal(rootfs_create(st, ID, NULL, &err), 0);
        _cleanup_json_ json_t *c = json_pack("{s:s}", "NetworkMode", "none");
        struct ctr_record *r = record();
        r->config = json_dumps(c, 0);
        char *rootfs = NULL;
        if (engine_prepare(&e, r, c, &rootfs, &err) < 0)
                fail_msg("prepare: %s", cu_error_msg(err));
        assert_non_null(rootfs);
        assert_true(rootfs_is_mounted(st, ID));
        assert_true(netns_there());
        engine_prepare_undo(&e, r, c);
        assert_false(rootfs_is_mounted(st, ID));
        assert_false(netns_there());
        free(rootfs);
        free(r->config);
        (void) rootfs_delete(st, ID, NULL);
}

/* The network fails (an unknown network): the mount that worked is undone. */
static void test_network_fails_mount_undone(void **state)
{
        (void) state;
        struct cu_error *err = NULL;
        assert_int_equal(rootfs_create(st, ID, NULL, &err), 0);
        _cleanup_json_ json_t *c = json_loads("{\"NetworkMode\":\"bridge\",\"Networks\":[{\"Name\":\"nosuch\","
                                              "\"StaticIPs\":[],\"MAC\":\"\",\"Aliases\":[]}]}", 0, NULL);
        struct ctr_record *r = record();
        r->config = json_dumps(c, 0);
        char *rootfs = NULL;
        assert_int_equal(engine_prepare(&e, r, c, &rootfs, &err), -ENOENT);
        assert_non_null(strstr(cu_error_msg(err), "nosuch"));
        assert_null(rootfs);
        assert_false(rootfs_is_mounted(st, ID));
        assert_false(netns_there());
        _cleanup_json_ json_t *att = NULL;
        assert_int_equal(ipam_attachment_get(db, ID, &att, NULL), 0);
        assert_null(att);
        cu_error_free(err);
        free(r->config);
        (void) rootfs_delete(st, ID, NULL);
}

/* The mount fails (no storage): its error is returned and the network is cleaned up; no
 * storage cleanup is attempted. */
static void test_mount_fails_network_cleaned(void **state)
{
        (void) state;
        struct cu_error *err = NULL;
        _cleanup_json_ json_t *c = json_pack("{s:s}", "NetworkMode", "none");
        struct ctr_record *r = record();
        r->config = json_dumps(c, 0);
        char *rootfs = NULL;
        assert_true(engine_prepare(&e, r, c, &rootfs, &err) < 0);
        assert_non_null(strstr(cu_error_msg(err), "mounting storage for container"));
        assert_null(rootfs);
        assert_false(netns_there());
        cu_error_free(err);
        free(r->config);
}

/* Modes without a namespace of ours: only the mount. */
static void test_host_mode_no_netns(void **state)
{
        (void) state;
        struct cu_error *err = NULL;
        assert_int_equal(rootfs_create(st, ID, NULL, &err), 0);
        _cleanup_json_ json_t *c = json_pack("{s:s}", "NetworkMode", "host");
        struct ctr_record *r = record();
        r->config = json_dumps(c, 0);
        char *rootfs = NULL;
        assert_int_equal(engine_prepare(&e, r, c, &rootfs, &err), 0);
        assert_false(netns_there());
        assert_int_equal(engine_network_cleanup(&e, r, &err), 0);
        engine_prepare_undo(&e, r, c);
        assert_false(rootfs_is_mounted(st, ID));
        free(rootfs);
        free(r->config);
        (void) rootfs_delete(st, ID, NULL);
}

int main(void)
{
        if (geteuid() != 0) {
                printf("1..0 # SKIP needs root (mounts and network namespaces)\n");
                return 77;
        }
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_both_succeed_then_undo),
                cmocka_unit_test(test_network_fails_mount_undone),
                cmocka_unit_test(test_mount_fails_network_cleaned),
                cmocka_unit_test(test_host_mode_no_netns),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
