/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "network/hosts.h"
#include "util/fileio.h"

static void test_build(void **s)
{
        (void) s;
        char *names[] = { "web", "webhost", NULL };
        struct hosts_entry self = { "10.88.0.5", names };
        char *pn[] = { "db", "alias1", NULL };
        struct hosts_entry peer = { "10.88.0.6", pn };
        char *extra[] = { "foo:1.2.3.4", NULL };
        struct hosts_params p = { .base = "# comment\n10.0.0.9 imagehost\n", .extra_hosts = extra,
                                  .host_internal_ip = "10.88.0.1", .self = &self, .n_self = 1,
                                  .peers = &peer, .n_peers = 1 };
        _cleanup_free_ char *t = NULL;
        assert_int_equal(hosts_build(&p, &t, NULL), 0);
        assert_string_equal(t, "1.2.3.4\tfoo\n10.0.0.9\timagehost\n127.0.0.1\tlocalhost\n::1\tlocalhost\n"
                               "10.88.0.1\thost.containers.internal\n10.88.0.5\tweb webhost\n"
                               HOSTS_PEERS_MARKER "\n10.88.0.6\tdb alias1\n");
        char *bad[] = { "foo:notanip", NULL };
        p.extra_hosts = bad;
        _cleanup_error_ struct cu_error *err = NULL;
        assert_int_equal(hosts_build(&p, &t, &err), -EINVAL);
}

static void test_sync(void **s)
{
        (void) s;
        char d[] = "/tmp/cuttle-test-hosts-XXXXXX";
        assert_non_null(mkdtemp(d));
        char pa[64], pb[64];
        snprintf(pa, sizeof(pa), "%s/a", d);
        snprintf(pb, sizeof(pb), "%s/b", d);
        const char *old = "127.0.0.1\tlocalhost\n" HOSTS_PEERS_MARKER "\n1.1.1.1\told\n";
        write_file_atomic(pa, old, strlen(old), 0644, NULL);
        write_file_atomic(pb, "127.0.0.1\tlocalhost\n", 20, 0644, NULL);
        char *na[] = { "a", NULL }, *nb[] = { "b", "bee", NULL };
        struct hosts_peer peers[] = { { pa, "10.0.0.2", na }, { pb, "10.0.0.3", nb }, { NULL, "10.0.0.4", na } };
        assert_int_equal(hosts_sync_peers(peers, 3, NULL), 0);
        _cleanup_free_ char *ta = NULL, *tb = NULL;
        read_full_file(pa, &ta, NULL, NULL);
        read_full_file(pb, &tb, NULL, NULL);
        assert_string_equal(ta, "127.0.0.1\tlocalhost\n" HOSTS_PEERS_MARKER "\n10.0.0.3\tb bee\n10.0.0.4\ta\n");
        assert_string_equal(tb, "127.0.0.1\tlocalhost\n" HOSTS_PEERS_MARKER "\n10.0.0.2\ta\n10.0.0.4\ta\n");
        unlink(pa);
        unlink(pb);
        rmdir(d);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_build),
                cmocka_unit_test(test_sync),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
