/* SPDX-License-Identifier: GPL-2.0-or-later */
/* passwd.c: lookups with runc's rules and the generated passwd/group entries. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/passwd.h"

static const char PASSWD[] = "root:x:0:0:root:/root:/bin/sh\n"
                             "# a comment: 1234:x:1234:1234::/c:/bin/sh\n"
                             "\n"
                             "tester:x:1000:1000:Tester T:/home/tester:/bin/sh\n"
                             "tester:x:1001:1001:duplicate:/dup:/bin/sh\n"
                             "broken:x:notanumber:0::/b:/bin/sh\n"
                             "short:x:77\n"
                             "nobody:x:65534:65534:nobody:/nonexistent:/bin/false"; /* no final newline */

static const char GROUP[] = "root:x:0:\n"
                            "wheel:x:10:tester,other\n"
                            "users:x:100:other,tester\n"
                            "tester:x:1000:\n"
                            "#comment:x:5:tester\n"
                            "bad:x:zz:tester\n"
                            "nogroup:x:65534:";

static void test_find(void **state)
{
        (void) state;
        struct pw_entry pw = { 0 };
        assert_int_equal(passwd_find(PASSWD, "tester", &pw), 1);
        assert_int_equal(pw.uid, 1000); /* the first of duplicates wins */
        assert_string_equal(pw.gecos, "Tester T");
        assert_string_equal(pw.home, "/home/tester");
        pw_entry_done(&pw);
        assert_int_equal(passwd_find(PASSWD, "65534", &pw), 1);
        assert_string_equal(pw.name, "nobody");
        assert_string_equal(pw.shell, "/bin/false");
        pw_entry_done(&pw);
        /* missing trailing fields are empty */
        assert_int_equal(passwd_find(PASSWD, "77", &pw), 1);
        assert_string_equal(pw.name, "short");
        assert_string_equal(pw.home, "");
        assert_int_equal(pw.gid, 0);
        pw_entry_done(&pw);
        /* comments are not entries; a malformed uid is skipped (runc would read 0) */
        assert_int_equal(passwd_find(PASSWD, "1234", &pw), 0);
        assert_int_equal(passwd_find(PASSWD, "broken", &pw), 0);
        assert_int_equal(passwd_find(NULL, "root", &pw), 0);
        assert_int_equal(passwd_find("", "root", &pw), 0);

        struct gr_entry gr = { 0 };
        assert_int_equal(group_find(GROUP, "wheel", &gr), 1);
        assert_int_equal(gr.gid, 10);
        assert_string_equal(gr.members[0], "tester");
        assert_string_equal(gr.members[1], "other");
        gr_entry_done(&gr);
        assert_int_equal(group_find(GROUP, "65534", &gr), 1);
        assert_string_equal(gr.name, "nogroup");
        assert_null(gr.members[0]);
        gr_entry_done(&gr);
        assert_int_equal(group_find(GROUP, "5", &gr), 0);
}

static void test_long_lines(void **state)
{
        (void) state;
        size_t n = 100000;
        char *text = malloc(n + 200);
        assert_non_null(text);
        memset(text, 'a', n);
        strcpy(text + n, ":x:42:42:long:/l:/bin/sh\r\nlast:x:43:43::/last:/bin/sh  \n");
        struct pw_entry pw = { 0 };
        assert_int_equal(passwd_find(text, "42", &pw), 1);
        assert_int_equal(strlen(pw.name), n);
        pw_entry_done(&pw);
        /* trailing blanks and CR are not part of the last field */
        assert_int_equal(passwd_find(text, "last", &pw), 1);
        assert_string_equal(pw.shell, "/bin/sh");
        pw_entry_done(&pw);
        free(text);
}

static void test_exec_user(void **state)
{
        (void) state;
        struct exec_user u = { 0 };
        struct cu_error *err = NULL;
        /* "" is root */
        assert_int_equal(exec_user_resolve(PASSWD, GROUP, "", &u, &err), 0);
        assert_int_equal(u.uid, 0);
        assert_string_equal(u.home, "/root");
        assert_int_equal(u.n_sgids, 0);
        exec_user_done(&u);
        /* a name: its groups are the groups listing it, in file order */
        assert_int_equal(exec_user_resolve(PASSWD, GROUP, "tester", &u, &err), 0);
        assert_int_equal(u.uid, 1000);
        assert_int_equal(u.gid, 1000);
        assert_int_equal(u.n_sgids, 2);
        assert_int_equal(u.sgids[0], 10);
        assert_int_equal(u.sgids[1], 100);
        exec_user_done(&u);
        /* an explicit group: no supplementary groups */
        assert_int_equal(exec_user_resolve(PASSWD, GROUP, "tester:wheel", &u, &err), 0);
        assert_int_equal(u.gid, 10);
        assert_int_equal(u.n_sgids, 0);
        exec_user_done(&u);
        /* numbers missing from the files are taken as they are */
        assert_int_equal(exec_user_resolve(PASSWD, GROUP, "1234:5678", &u, &err), 0);
        assert_int_equal(u.uid, 1234);
        assert_int_equal(u.gid, 5678);
        assert_null(u.home);
        exec_user_done(&u);
        assert_int_equal(exec_user_resolve(NULL, NULL, "1234", &u, &err), 0);
        assert_int_equal(u.gid, 0);
        exec_user_done(&u);
        /* a numeric user is looked up by uid, never by name */
        assert_int_equal(exec_user_resolve("1000:x:5:5::/n:/bin/sh\n", NULL, "1000", &u, &err), 0);
        assert_int_equal(u.uid, 1000);
        assert_int_equal(u.gid, 0);
        exec_user_done(&u);

        assert_int_equal(exec_user_resolve(PASSWD, GROUP, "nobodyhere", &u, &err), -ENOENT);
        assert_string_equal(cu_error_msg(err), "unable to find user nobodyhere: no matching entries in passwd file");
        cu_error_clear(&err);
        assert_int_equal(exec_user_resolve(NULL, NULL, "root", &u, &err), -ENOENT);
        cu_error_clear(&err);
        assert_int_equal(exec_user_resolve(PASSWD, GROUP, "tester:nosuch", &u, &err), -ENOENT);
        assert_string_equal(cu_error_msg(err), "unable to find group nosuch: no matching entries in group file");
        cu_error_clear(&err);
        assert_int_equal(exec_user_resolve(PASSWD, GROUP, "4294967296", &u, &err), -ERANGE);
        cu_error_clear(&err);
        assert_int_equal(exec_user_resolve(PASSWD, GROUP, "0:2147483648", &u, &err), -ERANGE);
        cu_error_clear(&err);

        uint32_t gid;
        assert_int_equal(group_add_resolve(GROUP, "users", &gid, &err), 0);
        assert_int_equal(gid, 100);
        assert_int_equal(group_add_resolve(NULL, "44", &gid, &err), 0);
        assert_int_equal(gid, 44);
        assert_int_equal(group_add_resolve(GROUP, "nosuch", &gid, &err), -ENOENT);
        assert_string_equal(cu_error_msg(err), "Unable to find group nosuch: no matching entries in group file");
        cu_error_free(err);
}

static void test_templates(void **state)
{
        (void) state;
        char *s = passwd_template("$USERNAME:x:$UID:$GID:$NAME:$HOME:/bin/false", "u", "1", "2", "N", "/h");
        assert_string_equal(s, "u:x:1:2:N:/h:/bin/false\n");
        free(s);
        /* every occurrence; $USERNAME is replaced before $NAME */
        s = passwd_template("$UID$UID-$USERNAME-$NAME", "u", "7", "0", "name", "/");
        assert_string_equal(s, "77-u-name\n");
        free(s);
        s = passwd_template("no variables", "u", "1", "2", "n", "/");
        assert_string_equal(s, "no variables\n");
        free(s);
        s = group_template("$GROUPNAME:x:$GID:$USERLIST", "g", "5", "a,b");
        assert_string_equal(s, "g:x:5:a,b\n");
        free(s);
}

static void test_user_entries(void **state)
{
        (void) state;
        struct cu_error *err = NULL;
        char *e = NULL;
        struct passwd_gen g = { .user = "1234", .workdir = "/work" };
        assert_int_equal(passwd_user_entry(&g, PASSWD, GROUP, 0, &e, &err), 0);
        assert_string_equal(e, "1234:*:1234:0:container user:/work:/bin/sh\n");
        free(e);
        assert_int_equal(group_user_entry(&g, GROUP, 0, &e, &err), 0);
        assert_string_equal(e, "1234:x:1234:1234\n");
        free(e);
        /* a group by name gives the gid; no group entry for an existing group */
        g.user = "1234:wheel";
        assert_int_equal(passwd_user_entry(&g, PASSWD, GROUP, 0, &e, &err), 0);
        assert_string_equal(e, "1234:*:1234:10:container user:/work:/bin/sh\n");
        free(e);
        assert_int_equal(group_user_entry(&g, GROUP, 0, &e, &err), 0);
        assert_null(e);
        g.user = "1234:nosuch";
        assert_int_equal(passwd_user_entry(&g, PASSWD, GROUP, 0, &e, &err), -ENOENT);
        assert_string_equal(cu_error_msg(err),
                            "unable to get gid nosuch from group file: no matching entries in group file");
        cu_error_clear(&err);
        /* nothing for names, present uids, the uid already added, no user */
        const char *none[] = { "tester", "1000", "0", "", NULL };
        for (size_t i = 0; i < 5; i++) {
                g.user = none[i];
                assert_int_equal(passwd_user_entry(&g, PASSWD, GROUP, 0, &e, &err), 0);
                assert_null(e);
        }
        g.user = "99";
        assert_int_equal(passwd_user_entry(&g, PASSWD, GROUP, 99, &e, &err), 0);
        assert_null(e);
        assert_int_equal(group_user_entry(&g, GROUP, 99, &e, &err), 0);
        assert_null(e);
        /* templates; an empty file; no workdir */
        g = (struct passwd_gen){ .user = "55:66", .passwd_entry = "$USERNAME:$UID:$GID:$NAME:$HOME",
                                 .group_entry = "grp$GROUPNAME:x:$GID:$USERLIST" };
        assert_int_equal(passwd_user_entry(&g, "", NULL, 0, &e, &err), 0);
        assert_string_equal(e, "55:55:66:container user:/\n");
        free(e);
        assert_int_equal(group_user_entry(&g, "", 0, &e, &err), 0);
        assert_string_equal(e, "grp66:x:66:55\n");
        free(e);
        cu_error_free(err);
}

static void test_host_entries(void **state)
{
        (void) state;
        struct passwd_gen g = { .workdir = "/w" };
        struct pw_entry host = { .name = (char *) "daemon", .uid = 1, .gid = 1, .gecos = (char *) "daemon",
                                 .home = (char *) "/usr/sbin" };
        char *e = NULL, *home = NULL;
        assert_int_equal(passwd_host_entry(&g, PASSWD, &host, false, &e, &home), 0);
        assert_string_equal(e, "daemon:*:1:1:daemon:/w:/bin/sh\n");
        assert_string_equal(home, "/w");
        free(e);
        free(home);
        assert_int_equal(passwd_host_entry(&g, PASSWD, &host, true, &e, &home), 0);
        assert_string_equal(e, "daemon:*:1:1:daemon:/usr/sbin:/bin/sh\n");
        free(e);
        free(home);
        /* present by name or by uid: nothing */
        host.name = (char *) "tester";
        assert_int_equal(passwd_host_entry(&g, PASSWD, &host, false, &e, NULL), 0);
        assert_null(e);
        host.name = (char *) "other";
        host.uid = 65534;
        assert_int_equal(passwd_host_entry(&g, PASSWD, &host, false, &e, NULL), 0);
        assert_null(e);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_find),      cmocka_unit_test(test_long_lines),
                cmocka_unit_test(test_exec_user), cmocka_unit_test(test_templates),
                cmocka_unit_test(test_user_entries), cmocka_unit_test(test_host_entries),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
