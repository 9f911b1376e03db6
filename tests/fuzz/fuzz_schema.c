/*
 * libFuzzer harness: the schema compiler and evaluator.  The input is a
 * schema and an instance, both JSON text, split at the first newline or
 * NUL byte (without one, the schema is checked against itself).  Nothing
 * may crash, leak or run into undefined behaviour, and the three ways of
 * asking for a verdict must agree: the flag check, the error list (NULL
 * exactly when valid) and the basic and detailed output units.  Run from
 * the top of the tree (as scripts/fuzz does), the official meta-schemas
 * are loaded once, so $schema may name them and each schema is also
 * checked against its meta-schema, as the registry does.  The instance's
 * text is also read by the record layer and judged on its index
 * (ev_schema_check_rec): any verdict that walker gives must be the
 * tree's.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ev_buf.h"
#include "ev_rec.h"
#include "ev_schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_t *
parse(const uint8_t *p, size_t n)
{
	json_error_t je;

	return json_loadb((const char *)p, n, JSON_DECODE_ANY |
	    JSON_ALLOW_NUL, &je);
}

static void
check(struct ev_schema_ctx *c, const struct ev_schema *s, const json_t *inst)
{
	int valid = ev_schema_valid(c, s, inst);
	json_t *errs, *out;
	int limited = ev_schema_ctx_limit(c) != NULL;
	static const enum ev_schema_outfmt fmts[] = { EV_SCHEMA_OUT_FLAG,
	    EV_SCHEMA_OUT_BASIC, EV_SCHEMA_OUT_DETAILED };
	size_t i;

	if (valid && limited)
		abort();
	errs = ev_schema_errors(c, s, inst, 0);
	if ((errs == NULL) != valid || (errs && json_array_size(errs) == 0))
		abort();
	/* A check that gave up says so again, with that one error. */
	if (limited && (ev_schema_ctx_limit(c) == NULL ||
	    json_array_size(errs) != 1))
		abort();
	json_decref(errs);
	errs = ev_schema_errors(c, s, inst, 1);
	if ((errs == NULL) != valid || (errs && json_array_size(errs) != 1))
		abort();
	json_decref(errs);
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		out = ev_schema_output(c, s, inst, fmts[i]);
		if (!json_is_boolean(json_object_get(out, "valid")) ||
		    json_is_true(json_object_get(out, "valid")) != valid)
			abort();
		json_decref(out);
	}
}

/* The index walker on text (n bytes) agrees with the tree's verdict. */
static void
check_index(struct ev_schema_ctx *c, const struct ev_schema *s,
    const json_t *inst, const uint8_t *text, size_t n)
{
	struct ev_buf wrap = EV_BUF_INIT;
	struct ev_rec r;
	int valid = ev_schema_valid(c, s, inst), v;

	ev_rec_init(&r);
	/* The record layer indexes no lone scalar: read [text], handle 1. */
	ev_buf_addc(&wrap, '[');
	ev_buf_add(&wrap, (const char *)text, n);
	ev_buf_addc(&wrap, ']');
	if (ev_rec_parse(&r, wrap.data, wrap.len) == 0 &&
	    (v = ev_schema_check_rec(c, s, &r, 1)) >= 0 && v != valid)
		abort();
	if (ev_rec_parse(&r, (const char *)text, n) == 0 &&
	    (v = ev_schema_check_rec(c, s, &r, 0)) >= 0 && v != valid)
		abort();
	ev_rec_clear(&r);
	ev_buf_free(&wrap);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	const uint8_t *nul = memchr(data, '\0', size);
	const uint8_t *cut = nl && (!nul || nl < nul) ? nl : nul;
	json_t *doc, *inst;
	struct ev_schema_set *set;
	struct ev_schema *s;
	struct ev_schema_ctx *c;
	static struct ev_schema_set *meta;
	char err[512];

	doc = parse(data, cut ? (size_t)(cut - data) : size);
	if (doc == NULL)
		return 0;
	inst = cut ? parse(cut + 1, size - (size_t)(cut - data) - 1) :
	    json_incref(doc);
	if (inst == NULL) {
		json_decref(doc);
		return 0;
	}
	if (meta == NULL) {
		/* Kept for the whole run: leak checks see it as reachable. */
		meta = ev_schema_set_new(NULL, EV_SCHEMA_2020_12);
		if (ev_schema_set_add_metaschemas(meta, "schemas/metaschemas",
		    err, sizeof(err)) != 0 ||
		    ev_schema_set_link(meta, err, sizeof(err)) != 0) {
			ev_schema_set_free(meta);
			meta = ev_schema_set_new(NULL, EV_SCHEMA_2020_12);
		}
	}
	set = ev_schema_set_new(meta, EV_SCHEMA_2020_12);
	s = ev_schema_set_add(set, doc, "file:///fuzz/schema.json", err,
	    sizeof(err));
	if (s != NULL && ev_schema_set_link(set, err, sizeof(err)) == 0) {
		const struct ev_schema *m = ev_schema_set_find(set,
		    ev_schema_meta_uri(s));
		c = ev_schema_ctx_new();
		if (m != NULL)
			check(c, m, ev_schema_source(s));
		check(c, s, inst);
		if (cut)
			check_index(c, s, inst, cut + 1,
			    size - (size_t)(cut - data) - 1);
		ev_schema_ctx_assert_format(c, 1);
		check(c, s, inst);
		if (cut)
			check_index(c, s, inst, cut + 1,
			    size - (size_t)(cut - data) - 1);
		ev_schema_ctx_free(c);
	}
	ev_schema_set_free(set);
	json_decref(doc);
	json_decref(inst);
	return 0;
}
