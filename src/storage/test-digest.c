/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "storage/digest.h"

static void test_known(void **state)
{
        char out[DIGEST_STR_LEN + 1];
        digest_buffer("", 0, out);
        assert_string_equal(out, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        _cleanup_digester_ struct digester *d = digester_new();
        digester_update(d, "ab", 2);
        digester_update(d, "c", 1);
        assert_int_equal(digester_bytes(d), 3);
        digester_final(d, out);
        assert_string_equal(out, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_fd(void **state)
{
        char path[] = "/tmp/cuttle-digest-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        unlink(path);
        assert_int_equal(write(fd, "abc", 3), 3);
        lseek(fd, 0, SEEK_SET);
        char out[DIGEST_STR_LEN + 1];
        uint64_t size = 0;
        assert_int_equal(digest_fd(fd, out, &size), 0);
        assert_int_equal(size, 3);
        assert_string_equal(out, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        close(fd);
}

static void test_valid(void **state)
{
        assert_true(digest_valid("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        assert_false(digest_valid("sha256:E3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        assert_false(digest_valid("sha256:e3b0"));
        assert_false(digest_valid("sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        assert_false(digest_valid("sha256:../../c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8"));
        assert_false(digest_valid(NULL));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_known),
                cmocka_unit_test(test_fd),
                cmocka_unit_test(test_valid),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
