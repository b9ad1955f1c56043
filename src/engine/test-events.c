/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Events: encoding, the file round trip (concurrent appends stay whole), filters, human and
 * template forms, reading with since/until. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/container.h"
#include "engine/events.h"
#include "util/fileio.h"
#include "util/json.h"

/* 2026-01-02T03:04:05.5Z */
#define T0 1767323045500000000LL

static json_t *ctr_event(const char *status, const char *id, const char *name,
                         const char *image, const char *labels_json, int64_t t)
{
        _cleanup_json_ json_t *labels = labels_json ? json_loads(labels_json, 0, NULL) : NULL;
        return event_new("container", status, id, name, image, labels, t);
}

static void test_encode(void **state)
{
        (void) state;
        _cleanup_json_ json_t *ev = ctr_event("start", "abc123", "web", "localhost/bb:latest",
                                              "{\"a\":\"b\"}", T0);
        assert_non_null(ev);
        _cleanup_free_ char *s = json_dumps(ev, JSON_COMPACT);
        assert_string_equal(s, "{\"ID\":\"abc123\",\"Image\":\"localhost/bb:latest\",\"Name\":\"web\","
                               "\"Status\":\"start\",\"Time\":\"2026-01-02T03:04:05.5Z\","
                               "\"timeNano\":1767323045500000000,\"Type\":\"container\","
                               "\"Attributes\":{\"a\":\"b\"}}");
        assert_int_equal(event_time_ns(ev), T0);
        /* without timeNano, Time is parsed */
        json_object_del(ev, "timeNano");
        assert_int_equal(event_time_ns(ev), T0);
        /* image events: no Image, no Attributes */
        _cleanup_json_ json_t *im = event_new("image", "tag", "sha", "bb", NULL, NULL, T0 + 500000000);
        _cleanup_free_ char *s2 = json_dumps(im, JSON_COMPACT);
        assert_string_equal(s2, "{\"ID\":\"sha\",\"Name\":\"bb\",\"Status\":\"tag\","
                                "\"Time\":\"2026-01-02T03:04:06Z\",\"timeNano\":1767323046000000000,"
                                "\"Type\":\"image\"}");
}

static void test_parse(void **state)
{
        (void) state;
        const char *good = "{\"Status\":\"died\",\"Type\":\"container\",\"timeNano\":5}";
        _cleanup_json_ json_t *ev = event_parse(good, strlen(good));
        assert_non_null(ev);
        assert_int_equal(event_time_ns(ev), 5);
        assert_null(event_parse("{\"Type\":\"container\"}", 20));
        assert_null(event_parse("garbage", 7));
        assert_null(event_parse("[1,2]", 5));
        assert_null(event_parse("", 0));
}

static void test_human(void **state)
{
        (void) state;
        _cleanup_json_ json_t *ev = ctr_event("create", "0f67", "t1", "localhost/bb:latest",
                                              "{\"z\":\"1\",\"a\":\"b\"}", T0 + 123456789 - 500000000);
        _cleanup_free_ char *h = event_human(ev);
        assert_string_equal(h, "2026-01-02 03:04:05.123456789 +0000 UTC container create 0f67 "
                               "(image=localhost/bb:latest, name=t1, a=b, z=1)");
        _cleanup_json_ json_t *ev2 = ctr_event("start", "0f67", "t1", "bb", NULL, T0 - 500000000);
        _cleanup_free_ char *h2 = event_human(ev2);
        assert_string_equal(h2, "2026-01-02 03:04:05 +0000 UTC container start 0f67 (image=bb, name=t1)");
        _cleanup_json_ json_t *im = event_new("image", "tag", "sha", "bb", NULL, NULL, T0 + 1);
        _cleanup_free_ char *h3 = event_human(im);
        assert_string_equal(h3, "2026-01-02 03:04:05.500000001 +0000 UTC image tag sha bb");
}

static void test_template_data(void **state)
{
        (void) state;
        _cleanup_json_ json_t *ev = ctr_event("died", "id1", "n", "img", NULL, T0);
        json_object_set_new(ev, "ContainerExitCode", json_integer(137));
        _cleanup_json_ json_t *d = event_template_data(ev);
        assert_string_equal(json_string_value(json_object_get(d, "Time")),
                            "2026-01-02 03:04:05.5 +0000 UTC");
        assert_int_equal(json_integer_value(json_object_get(d, "ContainerExitCode")), 137);
        assert_string_equal(json_string_value(json_object_get(d, "Status")), "died");
        assert_true(json_is_object(json_object_get(d, "Attributes")));
}

static void test_filters(void **state)
{
        (void) state;
        _cleanup_json_ json_t *a = ctr_event("start", "aaaa1111", "web", "localhost/bb:latest",
                                             "{\"env\":\"prod\",\"x\":\"\"}", T0);
        _cleanup_json_ json_t *b = ctr_event("died", "bbbb2222", "db", "localhost/other:1", NULL, T0);
        _cleanup_json_ json_t *im = event_new("image", "pull", "cccc", "localhost/bb:latest", NULL,
                                              NULL, T0);
        struct {
                const char *specs[4];
                bool a, b, im;
        } cases[] = {
                { { NULL }, true, true, true },
                { { "container=web" }, true, false, false },
                { { "container=bbbb" }, false, true, false },
                { { "container=web", "container=db" }, true, true, false },
                { { "event=died" }, false, true, false },
                { { "status=start" }, true, false, false },
                { { "type=image" }, false, false, true },
                { { "type=container", "event=start" }, true, false, false },
                { { "image=bb" }, true, false, true },
                { { "image=localhost/other:1" }, false, true, false },
                { { "label=env=prod" }, true, false, false },
                { { "label=env" }, true, false, false },
                { { "label=env=dev" }, false, false, false },
                { { "container=web", "event=died" }, false, false, false },
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                struct event_filters f;
                assert_int_equal(event_filters_parse((char **) cases[i].specs, &f, NULL), 0);
                assert_int_equal(event_filters_match(&f, a), cases[i].a);
                assert_int_equal(event_filters_match(&f, b), cases[i].b);
                assert_int_equal(event_filters_match(&f, im), cases[i].im);
                event_filters_done(&f);
        }
        struct event_filters f;
        struct cu_error *err = NULL;
        char *bad1[] = { (char *) "foo", NULL }, *bad2[] = { (char *) "bogus=1", NULL };
        assert_int_equal(event_filters_parse(bad1, &f, &err), -EINVAL);
        assert_string_equal(cu_error_msg(err), "foo is an invalid filter");
        cu_error_clear(&err);
        assert_int_equal(event_filters_parse(bad2, &f, &err), -EINVAL);
        assert_string_equal(cu_error_msg(err), "bogus=1 is an invalid filter");
        cu_error_free(err);
}

struct collected {
        char **status;
        size_t n;
};

static int collect(void *ud, json_t *ev)
{
        struct collected *c = ud;
        c->status = realloc(c->status, (c->n + 1) * sizeof(char *));
        c->status[c->n++] = strdup(json_string_value(json_object_get(ev, "Status")));
        return 0;
}

static void collected_done(struct collected *c)
{
        for (size_t i = 0; i < c->n; i++)
                free(c->status[i]);
        free(c->status);
        *c = (struct collected){ 0 };
}

static void test_file_roundtrip(void **state)
{
        (void) state;
        char dir[] = "/tmp/test-events-XXXXXX";
        assert_non_null(mkdtemp(dir));
        struct engine e = { .runroot = dir };
        _cleanup_free_ char *path = events_path(dir);
        const char *st[] = { "create", "init", "start", "died", "remove" };
        for (size_t i = 0; i < 5; i++) {
                _cleanup_json_ json_t *ev = ctr_event(st[i], "id", "n", "img", NULL,
                                                      T0 + (int64_t) i * 1000000000);
                assert_int_equal(event_append(path, ev, NULL), 0);
        }
        /* a torn or foreign line is skipped */
        FILE *f = fopen(path, "ae");
        fputs("not json\n", f);
        fclose(f);
        struct collected c = { 0 };
        struct events_read_opts o = { .stop_fd = -1 };
        assert_int_equal(engine_events_read(&e, &o, collect, &c, NULL), 0);
        assert_int_equal(c.n, 5);
        assert_string_equal(c.status[0], "create");
        assert_string_equal(c.status[4], "remove");
        collected_done(&c);
        o.since = T0 + 1000000000;
        o.until = T0 + 3000000000LL;
        assert_int_equal(engine_events_read(&e, &o, collect, &c, NULL), 0);
        assert_int_equal(c.n, 3);
        assert_string_equal(c.status[0], "init");
        assert_string_equal(c.status[2], "died");
        collected_done(&c);
        /* the "none" backend cannot be read */
        e.events_backend = "none";
        struct cu_error *err = NULL;
        assert_int_equal(engine_events_read(&e, &o, collect, &c, &err), -EOPNOTSUPP);
        assert_string_equal(cu_error_msg(err), "cannot read events with the \"none\" backend");
        cu_error_free(err);
        (void) rm_rf(dir);
}

/* Concurrent writers: every line stays whole (O_APPEND, one write each). */
static void test_concurrent_append(void **state)
{
        (void) state;
        char dir[] = "/tmp/test-events-XXXXXX";
        assert_non_null(mkdtemp(dir));
        _cleanup_free_ char *path = events_path(dir);
        pid_t kids[4];
        for (int k = 0; k < 4; k++) {
                kids[k] = fork();
                if (kids[k] == 0) {
                        char big[2048];
                        memset(big, 'x', sizeof big - 1);
                        big[sizeof big - 1] = '\0';
                        for (int i = 0; i < 200; i++) {
                                json_t *ev = ctr_event("exec", big, "n", "img", NULL, T0 + i);
                                if (event_append(path, ev, NULL) < 0)
                                        _exit(1);
                                json_decref(ev);
                        }
                        _exit(0);
                }
        }
        for (int k = 0; k < 4; k++) {
                int st;
                assert_int_equal(waitpid(kids[k], &st, 0), kids[k]);
                assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        }
        struct engine e = { .runroot = dir };
        struct collected c = { 0 };
        struct events_read_opts o = { .stop_fd = -1 };
        assert_int_equal(engine_events_read(&e, &o, collect, &c, NULL), 0);
        assert_int_equal(c.n, 800);
        collected_done(&c);
        (void) rm_rf(dir);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_encode),        cmocka_unit_test(test_parse),
                cmocka_unit_test(test_human),         cmocka_unit_test(test_template_data),
                cmocka_unit_test(test_filters),       cmocka_unit_test(test_file_roundtrip),
                cmocka_unit_test(test_concurrent_append),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
