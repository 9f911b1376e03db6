/*
 * test_url.c - lib/ev_url where the command line would be indirect: URL
 * splitting, parameter decoding and campaign fields.
 */
#include <stdio.h>
#include <string.h>

#include "ev_buf.h"
#include "ev_url.h"

#include "check.h"

static int
span_is(struct ev_url_span sp, const char *s)
{
	return sp.n == strlen(s) && memcmp(sp.p, s, sp.n) == 0;
}

static void
test_url(void)
{
	struct ev_url u;
	struct ev_buf b = EV_BUF_INIT;
	const char *s;
	json_t *c;

	s = "HTTPS://user:pw@Shop.Example.com:8443/a/b?x=1&q=red+shoes%21&e=#frag";
	CHECK(ev_url_parse(s, strlen(s), &u) == 0);
	CHECK(span_is(u.scheme, "HTTPS"));
	CHECK(span_is(u.host, "Shop.Example.com"));
	CHECK(u.port == 8443);
	CHECK(span_is(u.path, "/a/b"));
	CHECK(span_is(u.query, "x=1&q=red+shoes%21&e="));
	CHECK(span_is(u.fragment, "frag"));
	CHECK(ev_url_param(&u, "q", &b) == 1 && strcmp(b.data, "red shoes!") == 0);
	CHECK(ev_url_param(&u, "e", &b) == 1 && b.len == 0);
	CHECK(ev_url_param(&u, "nope", &b) == 0);

	s = "http://[2001:db8::1]/";
	CHECK(ev_url_parse(s, strlen(s), &u) == 0);
	CHECK(span_is(u.host, "[2001:db8::1]") && u.port == 80);
	s = "https://example.com";
	CHECK(ev_url_parse(s, strlen(s), &u) == 0 && u.path.n == 0 &&
	    !u.has_query);
	/* Not URLs. */
	CHECK(ev_url_parse("not a url", 9, &u) == -1);
	CHECK(ev_url_parse("mailto:a@b.c", 12, &u) == -1);
	CHECK(ev_url_parse("http://", 7, &u) == -1);
	CHECK(ev_url_parse("http://a b/", 11, &u) == -1);
	CHECK(ev_url_parse("http://h:99999/", 15, &u) == -1);
	CHECK(ev_url_parse("", 0, &u) == -1);

	s = "https://x.example/?utm_source=news&utm_medium=email&utm_campaign=%20&dclid=d9";
	CHECK(ev_url_parse(s, strlen(s), &u) == 0);
	c = ev_url_campaign(&u);
	CHECK(c != NULL);
	CHECK(strcmp(json_string_value(json_object_get(c, "source")), "news") == 0);
	/* A blank value is no value. */
	CHECK(json_object_get(c, "name") == NULL);
	CHECK(strcmp(json_string_value(json_object_get(c, "network")),
	    "DoubleClick") == 0);
	json_decref(c);
	s = "https://x.example/?a=1";
	CHECK(ev_url_parse(s, strlen(s), &u) == 0 && ev_url_campaign(&u) == NULL);
	ev_buf_free(&b);
}


int
main(void)
{
	test_url();
	printf("test_url: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
