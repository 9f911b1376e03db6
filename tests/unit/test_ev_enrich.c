/*
 * test_ev_enrich.c - unit tests of ev-enrich's modules where the command
 * line would be indirect: URL splitting and parameter decoding, campaign
 * fields, IP anonymisation, the HMAC against RFC 4231, and the lookup
 * table's typing, ranges and atomic reload.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ev_buf.h"
#include "ev_common.h"
#include "ev_lookup.h"
#include "ev_privacy.h"
#include "ev_rec.h"
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

static void
test_privacy(void)
{
	char out[EV_PRIVACY_HASHLEN + 1], ip[64];
	unsigned char *key;
	size_t keylen;
	char err[256];

	/* RFC 4231 test case 2. */
	ev_privacy_hmac((const unsigned char *)"Jefe", 4,
	    "what do ya want for nothing?", 28, out);
	CHECK(strcmp(out, "hmac:5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843") == 0);
	CHECK(ev_privacy_is_hashed(out, strlen(out)));
	CHECK(!ev_privacy_is_hashed("hmac:xyz", 8));
	CHECK(ev_privacy_key_from("short", &key, &keylen, err, sizeof(err)) == -1);
	CHECK(ev_privacy_key_from("0123456789abcdef\n", &key, &keylen, err,
	    sizeof(err)) == 0 && keylen == 16);
	ev_privacy_key_free(key, keylen);
	/* One final LF only: a CR, or a second LF, is key material. */
	CHECK(ev_privacy_key_from("0123456789abcdef\r\n", &key, &keylen, err,
	    sizeof(err)) == 0 && keylen == 17 && key[16] == '\r');
	ev_privacy_key_free(key, keylen);
	CHECK(ev_privacy_key_from("0123456789abcdef\n\n", &key, &keylen, err,
	    sizeof(err)) == 0 && keylen == 17 && key[16] == '\n');
	ev_privacy_key_free(key, keylen);

	CHECK(ev_privacy_anon_ip("203.0.113.77", 1, 5, ip, sizeof(ip)) == 0 &&
	    strcmp(ip, "203.0.113.0") == 0);
	CHECK(ev_privacy_anon_ip("203.0.113.77", 4, 5, ip, sizeof(ip)) == 0 &&
	    strcmp(ip, "0.0.0.0") == 0);
	/* IPv4-mapped: the IPv4 mask, the mapped form; a zone id: none. */
	CHECK(ev_privacy_anon_ip("::ffff:203.0.113.77", 2, 5, ip,
	    sizeof(ip)) == 0 && strcmp(ip, "::ffff:203.0.0.0") == 0);
	CHECK(ev_privacy_anon_ip("::1:203.0.113.77", 2, 1, ip,
	    sizeof(ip)) == 0 && strcmp(ip, "::1:cb00:0") == 0);
	CHECK(ev_privacy_anon_ip("fe80::1%eth0", 1, 5, ip, sizeof(ip)) == -1);
	CHECK(ev_privacy_anon_ip("2001:db8:1:2:3:4:5:6", 1, 5, ip,
	    sizeof(ip)) == 0 && strcmp(ip, "2001:db8:1::") == 0);
	CHECK(ev_privacy_anon_ip("2001:db8:1:2:3:4:5:6", 1, 1, ip,
	    sizeof(ip)) == 0 && strcmp(ip, "2001:db8:1:2:3:4:5:0") == 0);
	CHECK(ev_privacy_anon_ip("999.1.1.1", 1, 1, ip, sizeof(ip)) == -1);
	CHECK(ev_privacy_anon_ip("", 1, 1, ip, sizeof(ip)) == -1);
}

static int
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static void
test_lookup(void)
{
	char dir[] = "/tmp/test_ev_enrich.XXXXXX", path[256], err[512];
	struct ev_lookup *l;
	struct ev_rec rec;
	struct ev_buf kt = EV_BUF_INIT;
	json_t *row;
	size_t bad;
	const char *ev = "{\"id\":7,\"ts\":\"2026-01-01T00:00:00Z\"}";

	if (mkdtemp(dir) == NULL) {
		CHECK(0);
		return;
	}
	snprintf(path, sizeof(path), "%s/t.csv", dir);
	CHECK(write_file(path, "id,n,s,b:bool,z:string\n7,1.5,x,true,007\n"
	    "8,,\"a,b\",0,\n") == 0);
	l = ev_lookup_new("t", path);
	CHECK(ev_lookup_add_key(l, "id", err, sizeof(err)) == 0);
	CHECK(ev_lookup_load(l, err, sizeof(err)) == 0);
	CHECK(ev_lookup_rows(l) == 2);
	ev_rec_init(&rec);
	CHECK(ev_rec_parse(&rec, ev, strlen(ev)) == 0);
	/* A number in the event matches the cell's text. */
	CHECK(ev_lookup_find(l, &rec, 0, 0, &row, &kt, &bad) == EV_LOOKUP_HIT);
	CHECK(json_is_real(json_object_get(row, "n")) &&
	    json_real_value(json_object_get(row, "n")) == 1.5);
	CHECK(json_is_true(json_object_get(row, "b")));
	CHECK(strcmp(json_string_value(json_object_get(row, "z")), "007") == 0);
	CHECK(json_object_get(row, "id") == NULL);

	/* A byte order mark is not part of the first column's name. */
	CHECK(write_file(path, "\xEF\xBB\xBFid,n\n7,x\n") == 0);
	CHECK(ev_lookup_refresh(l, 0, 1, err, sizeof(err)) == 1);
	CHECK(ev_lookup_find(l, &rec, 0, 0, &row, &kt, &bad) == EV_LOOKUP_HIT);

	/* A broken file does not replace the table. */
	CHECK(write_file(path, "id,n\n7,\"unterminated\n") == 0);
	CHECK(ev_lookup_refresh(l, 0, 1, err, sizeof(err)) == -1);
	CHECK(ev_lookup_rows(l) == 1);
	CHECK(write_file(path, "id,n\n7,x\n") == 0);
	CHECK(ev_lookup_refresh(l, 0, 1, err, sizeof(err)) == 1);
	CHECK(ev_lookup_rows(l) == 1);
	ev_lookup_free(l);

	/* Validity ranges: from inclusive, to exclusive. */
	CHECK(write_file(path, "id,v,valid_from,valid_to\n"
	    "7,old,,2026-01-01T00:00:00Z\n7,new,2026-01-01T00:00:00Z,\n") == 0);
	l = ev_lookup_new("t", path);
	CHECK(ev_lookup_add_key(l, "id", err, sizeof(err)) == 0);
	CHECK(ev_lookup_load(l, err, sizeof(err)) == 0);
	CHECK(ev_lookup_find(l, &rec, 1, 1767225600 * EV_US_PER_SEC, &row, &kt,
	    &bad) == EV_LOOKUP_HIT &&
	    strcmp(json_string_value(json_object_get(row, "v")), "new") == 0);
	CHECK(ev_lookup_find(l, &rec, 1, 1767225599 * EV_US_PER_SEC, &row, &kt,
	    &bad) == EV_LOOKUP_HIT &&
	    strcmp(json_string_value(json_object_get(row, "v")), "old") == 0);
	CHECK(ev_lookup_find(l, &rec, 0, 0, &row, &kt, &bad) == EV_LOOKUP_MISS);
	ev_lookup_free(l);

	ev_rec_clear(&rec);
	ev_buf_free(&kt);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	ev_set_progname("test_ev_enrich");
	test_url();
	test_privacy();
	test_lookup();
	printf("test_ev_enrich: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
