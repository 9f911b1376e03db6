/*
 * test_path.c - lib/ev_path: dotted paths and JSON Pointers.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ev_buf.h"
#include "ev_path.h"

#include "check.h"

static void
test_path(void)
{
	json_error_t e;
	json_t *doc = json_loads("{\"a\":{\"b\":[10,{\"c\":\"x\"}]},"
	    "\"d/e\":1,\"f~g\":2,\"\":3}", 0, &e);
	const char *err;
	struct ev_path *p;
	struct ev_buf b = EV_BUF_INIT;

	p = ev_path_compile("a.b.1.c", &err);
	CHECK(p && strcmp(json_string_value(ev_path_get(p, doc)), "x") == 0);
	ev_path_pointer(p, &b);
	CHECK(strcmp(b.data, "/a/b/1/c") == 0);
	ev_path_free(p);
	p = ev_path_compile("/a/b/0", &err);
	CHECK(p && json_integer_value(ev_path_get(p, doc)) == 10);
	ev_path_free(p);
	p = ev_path_compile("/d~1e", &err);
	CHECK(p && json_integer_value(ev_path_get(p, doc)) == 1);
	ev_path_free(p);
	p = ev_path_compile("/f~0g", &err);
	CHECK(p && json_integer_value(ev_path_get(p, doc)) == 2);
	ev_path_free(p);
	p = ev_path_compile("/", &err);
	CHECK(p && json_integer_value(ev_path_get(p, doc)) == 3);
	ev_path_free(p);
	CHECK(ev_path_compile("a..b", &err) == NULL && err != NULL);
	CHECK(ev_path_compile("/a~2", &err) == NULL);
	CHECK(ev_path_compile("", &err) == NULL);
	p = ev_path_compile("x.y", &err);
	CHECK(ev_path_get(p, doc) == NULL);
	CHECK(ev_path_set(p, doc, json_integer(5)) == 0);
	CHECK(json_integer_value(ev_path_get(p, doc)) == 5);
	CHECK(strcmp(ev_path_leaf(p), "y") == 0);
	CHECK(ev_path_del(p, doc) == 1 && ev_path_get(p, doc) == NULL);
	ev_path_free(p);
	ev_buf_free(&b);
	json_decref(doc);
}

int
main(void)
{
	test_path();
	printf("test_path: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
