/*
 * ev_jidx.cc - ev_jidx over simdjson: the DOM parser checks the line, and
 * the structural positions its first stage found become jsmn tokens.
 *
 * simdjson keeps those positions in dom::parser::implementation, a public
 * member its headers mark as meant for benchmarks and tools; evkit builds
 * against one packaged version (Debian 12's 3.0.1), and the fuzz harness
 * tests/fuzz/fuzz_rec.c holds the index to jansson's reading of the line.
 * Built without exceptions or RTTI, like ev_dtoa.cc, so programs link as C.
 */
#include <stdlib.h>
#include <string.h>

#include <new>

#include <simdjson.h>

#define JSMN_HEADER
#include <jsmn.h>

extern "C" {
#include "ev_common.h"
}
#include "ev_jidx.h"

struct ev_jidx {
	simdjson::dom::parser	 parser;
	char			*buf;	/* the line, padded for simdjson */
	size_t			 cap;	/* bytes of buf before the padding */
	size_t			 len;	/* the line's length */
	int			*stack;	/* open containers' tokens */
	size_t			 capstack;
};

extern "C" struct ev_jidx *
ev_jidx_new(void)
{
	struct ev_jidx *j = new (std::nothrow) ev_jidx();

	if (j == NULL)
		ev_die(EV_EXIT_RUNTIME, "out of memory");
	return j;
}

extern "C" void
ev_jidx_free(struct ev_jidx *j)
{
	if (j == NULL)
		return;
	free(j->buf);
	free(j->stack);
	delete j;
}

extern "C" int
ev_jidx_scan(struct ev_jidx *j, const char *s, size_t n, int check)
{
	simdjson::dom::parser &p = j->parser;

	if (n > 0xffffffffu - simdjson::SIMDJSON_PADDING)
		return -1;
	if (n > j->cap || j->buf == NULL) {
		free(j->buf);
		j->cap = n < 4096 ? 4096 : n;
		j->buf = (char *)ev_xmalloc(j->cap + simdjson::SIMDJSON_PADDING);
	}
	memcpy(j->buf, s, n);
	memset(j->buf + n, 0, simdjson::SIMDJSON_PADDING);
	j->len = n;
	if (check) {
		if (p.parse(j->buf, n, false).error() != simdjson::SUCCESS)
			return -1;
	} else {
		/*
		 * Stage 1 alone locates; it refuses only unreadable text.  A
		 * NUL byte may end a number for jansson, which no index of
		 * the bytes can follow: such text is refused.
		 */
		if (memchr(s, '\0', n) != NULL)
			return -1;
		if ((!p.implementation || p.capacity() < n) &&
		    p.allocate(n < 64 ? 64 : n) != simdjson::SUCCESS)
			return -1;
		if (p.implementation->stage1((const uint8_t *)j->buf, n,
		    simdjson::stage1_mode::regular) != simdjson::SUCCESS)
			return -1;
	}
	if (p.implementation->n_structural_indexes == 0 ||
	    p.implementation->n_structural_indexes > 0x7fffffffu)
		return -1;
	return (int)p.implementation->n_structural_indexes;
}

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

extern "C" int
ev_jidx_tokens(struct ev_jidx *j, void *out)
{
	jsmntok_t *tok = (jsmntok_t *)out;
	const uint32_t *ix = j->parser.implementation->structural_indexes.get();
	uint32_t m = j->parser.implementation->n_structural_indexes, k;
	const char *b = j->buf;	/* b[j->len] is padding, readable */
	size_t sp = 0;
	int nt = 0, t, top = -1, in_array = 0;

	if (j->capstack < m) {
		free(j->stack);
		j->capstack = m < 64 ? 64 : m;
		j->stack = (int *)ev_xcalloc(j->capstack, sizeof(int));
	}
	for (k = 0; k < m; k++) {
		uint32_t at = ix[k], next = k + 1 < m ? ix[k + 1] :
		    (uint32_t)j->len, e;
		char c = b[at];

		switch (c) {
		case ':':
		case ',':
			continue;
		case '}':
		case ']':
			if (sp == 0)
				return -1;	/* unchecked text gone wrong */
			tok[top].end = (int)at + 1;
			top = --sp > 0 ? j->stack[sp - 1] : -1;
			in_array = top >= 0 && tok[top].type == JSMN_ARRAY;
			continue;
		default:
			break;
		}
		if (top < 0 && nt > 0)
			return -1;	/* a second value */
		t = nt++;
		tok[t].size = 0;
		tok[t].start = (int)at;
		if (c == '"') {
			/* The closing quote: the last byte before the next
			 * structural character that is not white space. */
			for (e = next; e > at + 1 && is_ws(b[e - 1]); e--)
				;
			tok[t].type = JSMN_STRING;
			tok[t].start = (int)at + 1;
			tok[t].end = (int)e - 1;
			if (!in_array && top >= 0 && b[next] == ':') {
				tok[top].size++;	/* a key */
				k++;			/* and its colon */
				continue;
			}
		} else if (c == '{' || c == '[') {
			tok[t].type = c == '{' ? JSMN_OBJECT : JSMN_ARRAY;
			tok[t].end = -1;
		} else {
			for (e = next; e > at && is_ws(b[e - 1]); e--)
				;
			tok[t].type = JSMN_PRIMITIVE;
			tok[t].end = (int)e;
		}
		/* A value: an element of an array, or the value of a key. */
		if (in_array)
			tok[top].size++;
		else if (top >= 0 && t > 0)
			tok[t - 1].size++;
		if (c == '{' || c == '[') {
			j->stack[sp++] = top = t;
			in_array = c == '[';
		} else if (b[next] == ',')
			k++;			/* the comma after a scalar */
	}
	return sp == 0 ? nt : -1;
}
