/*
 * libFuzzer harness: the record layer's index (ev_jidx, over simdjson)
 * against jansson and jsmn on arbitrary bytes.  A line ev_jidx accepts
 * must be one jansson accepts; for every line jansson accepts the tokens
 * (checked or only located) must be jsmn's, token for token, unless it has
 * a NUL byte (jansson lets one end a number; ev_jidx refuses such text).  Any
 * difference aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>

#include "ev_jidx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* jsmn's tokens of s, or -1 (it needs a byte after a top-level scalar). */
static int
jsmn_tokens(const char *s, size_t n, jsmntok_t **out)
{
	jsmn_parser p;
	char *copy = malloc(n + 1);
	int cnt;

	memcpy(copy, s, n);
	copy[n] = ' ';
	jsmn_init(&p);
	cnt = jsmn_parse(&p, copy, n + 1, NULL, 0);
	*out = NULL;
	if (cnt > 0) {
		*out = calloc((size_t)cnt, sizeof **out);
		jsmn_init(&p);
		cnt = jsmn_parse(&p, copy, n + 1, *out, (unsigned)cnt);
	}
	free(copy);
	return cnt;
}

static void
compare(struct ev_jidx *j, int bound, const jsmntok_t *want, int nwant)
{
	jsmntok_t *got = calloc((size_t)bound, sizeof *got);
	int n = ev_jidx_tokens(j, got);

	if (n != nwant || n > bound ||
	    memcmp(got, want, (size_t)n * sizeof *got) != 0)
		abort();
	free(got);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	static struct ev_jidx *j;	/* reused, as by a record */
	json_error_t e;
	json_t *doc = json_loadb(s, size, JSON_DECODE_ANY | JSON_ALLOW_NUL |
	    JSON_DECODE_INT_AS_REAL, &e);
	jsmntok_t *want = NULL;
	int nwant = -1, bound;

	if (j == NULL)
		j = ev_jidx_new();
	if (doc != NULL)
		nwant = jsmn_tokens(s, size, &want);
	if ((bound = ev_jidx_scan(j, s, size, 1)) > 0) {
		if (doc == NULL)
			abort();
		compare(j, bound, want, nwant);
	}
	if (doc != NULL && memchr(s, '\0', size) == NULL) {
		if ((bound = ev_jidx_scan(j, s, size, 0)) <= 0)
			abort();
		compare(j, bound, want, nwant);
	}
	free(want);
	json_decref(doc);
	return 0;
}
