/*
 * ev_lint.c - schema lint (see ev_lint.h).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>

#include "ev_buf.h"
#include "ev_common.h"
#include "ev_path.h"
#include "ev_lint.h"

struct walk {
	struct ev_lint_report	*rep;
	struct ev_evolve_doc	*doc;
	const char		*file;
	int			 structural;	/* no meta-schemas: check types */
	int			 draft4;	/* draft-04 or Iglu self-describing */
	int			 depth;
};

/* Keywords of draft-07, 2019-09 and 2020-12 whose value is one schema. */
static const char *one_schema[] = {
	"additionalItems", "additionalProperties", "contains", "contentSchema",
	"else", "if", "not", "propertyNames", "then", "unevaluatedItems",
	"unevaluatedProperties", NULL
};
/* ... an object of schemas. */
static const char *map_schema[] = {
	"$defs", "definitions", "dependentSchemas", "patternProperties",
	"properties", NULL
};
/* ... an array of schemas. */
static const char *list_schema[] = { "allOf", "anyOf", "oneOf",
	"prefixItems", NULL };
static const char *nonneg_int[] = { "maxContains", "maxItems", "maxLength",
	"maxProperties", "minContains", "minItems", "minLength",
	"minProperties", NULL };
static const char *numbers[] = { "exclusiveMaximum", "exclusiveMinimum",
	"maximum", "minimum", "multipleOf", NULL };
static const char *strings[] = { "$anchor", "$comment", "$dynamicAnchor",
	"$dynamicRef", "$id", "$recursiveRef", "$ref", "$schema",
	"contentEncoding", "contentMediaType", "description", "format",
	"pattern", "title", NULL };
static const char *booleans[] = { "$recursiveAnchor", "deprecated",
	"readOnly", "uniqueItems", "writeOnly", NULL };
static const char *others[] = { "$vocabulary", "const", "default",
	"dependencies", "dependentRequired", "enum", "examples", "items",
	"required", "type", "self", NULL };

/* Whether k is a keyword of one of the lists above. */
static int
known_keyword(const char *k)
{
	static const char **lists[] = { one_schema, map_schema, list_schema,
		nonneg_int, numbers, strings, booleans, others };
	size_t i;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if (ev_evolve_keyword_in(k, lists[i]))
			return 1;
	return 0;
}

void
ev_lint_add(struct ev_lint_report *rep, int error, const char *file,
    const char *rule, const char *ptr, const char *fmt, ...)
{
	struct ev_lint_finding *f;
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (rep->n == rep->cap) {
		rep->cap = rep->cap ? 2 * rep->cap : 16;
		rep->v = ev_xreallocarray(rep->v, rep->cap, sizeof(*rep->v));
	}
	f = &rep->v[rep->n++];
	f->error = error;
	f->file = ev_xstrdup(file);
	f->rule = ev_xstrdup(rule);
	f->ptr = ev_xstrdup(ptr);
	f->message = ev_xstrdup(msg);
	if (error)
		rep->errors++;
	else
		rep->warnings++;
}

void
ev_lint_report_free(struct ev_lint_report *rep)
{
	size_t i;

	for (i = 0; i < rep->n; i++) {
		free(rep->v[i].file);
		free(rep->v[i].rule);
		free(rep->v[i].ptr);
		free(rep->v[i].message);
	}
	free(rep->v);
	memset(rep, 0, sizeof(*rep));
}

static int
regex_ok(const char *pat)
{
	pcre2_code *re;
	int ec;
	PCRE2_SIZE eo;

	re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, PCRE2_UTF,
	    &ec, &eo, NULL);
	if (re == NULL)
		return 0;
	pcre2_code_free(re);
	return 1;
}

static void walk_schema(struct walk *w, json_t *s, const char *ptr,
    int is_property);

/* Keyword value types, for when no meta-schema is at hand. */
static void
check_types(struct walk *w, const char *k, json_t *v, const char *p)
{
	const char *want = NULL;

	if (ev_evolve_keyword_in(k, one_schema) && !json_is_object(v) &&
	    !json_is_boolean(v))
		want = "a schema";
	else if (ev_evolve_keyword_in(k, map_schema) && !json_is_object(v))
		want = "an object of schemas";
	else if (ev_evolve_keyword_in(k, list_schema) && (!json_is_array(v) ||
	    json_array_size(v) == 0))
		want = "a non-empty array of schemas";
	else if (ev_evolve_keyword_in(k, nonneg_int) && (!json_is_integer(v) ||
	    json_integer_value(v) < 0))
		want = "a non-negative integer";
	else if (w->draft4 && (strcmp(k, "exclusiveMaximum") == 0 ||
	    strcmp(k, "exclusiveMinimum") == 0)) {
		if (!json_is_boolean(v))
			want = "a boolean (draft-04)";
	} else if (w->draft4 && strcmp(k, "id") == 0) {
		if (!json_is_string(v))
			want = "a string";
	} else if (ev_evolve_keyword_in(k, numbers) && !json_is_number(v))
		want = "a number";
	else if (ev_evolve_keyword_in(k, strings) && !json_is_string(v))
		want = "a string";
	else if (ev_evolve_keyword_in(k, booleans) && !json_is_boolean(v))
		want = "a boolean";
	else if (strcmp(k, "required") == 0 && !json_is_array(v))
		want = "an array of strings";
	else if (strcmp(k, "enum") == 0 && !json_is_array(v))
		want = "an array";
	else if (strcmp(k, "type") == 0 && !json_is_string(v) &&
	    !json_is_array(v))
		want = "a type name or an array of them";
	else if (strcmp(k, "multipleOf") == 0 && json_number_value(v) <= 0)
		want = "a number above 0";
	if (want != NULL)
		ev_lint_add(w->rep, 1, w->file, "keyword-type", p,
		    "'%s' must be %s", k, want);
}

static void
check_bounds(struct walk *w, json_t *s, const char *ptr)
{
	static const char *pairs[][2] = {
		{ "minimum", "maximum" }, { "minLength", "maxLength" },
		{ "minItems", "maxItems" }, { "minProperties", "maxProperties" },
		{ "minContains", "maxContains" }
	};
	json_t *lo, *hi;
	size_t i;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		lo = json_object_get(s, pairs[i][0]);
		hi = json_object_get(s, pairs[i][1]);
		if (json_is_number(lo) && json_is_number(hi) &&
		    json_number_value(lo) > json_number_value(hi))
			ev_lint_add(w->rep, 1, w->file, "unsatisfiable", ptr,
			    "%s %g is above %s %g", pairs[i][0],
			    json_number_value(lo), pairs[i][1],
			    json_number_value(hi));
	}
	lo = json_object_get(s, "exclusiveMinimum");
	hi = json_object_get(s, "maximum");
	if (!json_is_number(lo) || !json_is_number(hi) ||
	    json_number_value(lo) < json_number_value(hi)) {
		lo = json_object_get(s, "minimum");
		hi = json_object_get(s, "exclusiveMaximum");
	}
	if (!json_is_number(lo) || !json_is_number(hi) ||
	    json_number_value(lo) < json_number_value(hi)) {
		lo = json_object_get(s, "exclusiveMinimum");
		hi = json_object_get(s, "exclusiveMaximum");
	}
	if (json_is_number(lo) && json_is_number(hi) &&
	    json_number_value(lo) >= json_number_value(hi))
		ev_lint_add(w->rep, 1, w->file, "unsatisfiable", ptr,
		    "the lower bound %g leaves nothing below the upper bound %g",
		    json_number_value(lo), json_number_value(hi));
}

static void
check_values(struct walk *w, json_t *s, const char *ptr)
{
	json_t *t = json_object_get(s, "type"), *e = json_object_get(s, "enum");
	json_t *c = json_object_get(s, "const"), *v;
	int m = ev_evolve_type_mask(t), bad = 0;
	size_t i;

	if (t != NULL && m == 0)
		ev_lint_add(w->rep, 1, w->file, "unsatisfiable", ptr,
		    "'type' names no known type");
	if (c != NULL && (ev_evolve_value_type(c) & m) == 0)
		ev_lint_add(w->rep, 1, w->file, "unsatisfiable", ptr,
		    "'const' is not of the allowed 'type'");
	if (json_is_array(e)) {
		if (json_array_size(e) == 0)
			ev_lint_add(w->rep, 1, w->file, "unsatisfiable", ptr,
			    "'enum' is empty");
		json_array_foreach(e, i, v) {
			if ((ev_evolve_value_type(v) & m) == 0)
				bad++;
		}
		if (bad > 0 && (size_t)bad == json_array_size(e))
			ev_lint_add(w->rep, 1, w->file, "unsatisfiable", ptr,
			    "no 'enum' value is of the allowed 'type'");
		else if (bad > 0)
			ev_lint_add(w->rep, 0, w->file, "enum-type", ptr,
			    "%d 'enum' values are not of the allowed 'type'",
			    bad);
	}
	/* allOf members whose types exclude each other. */
	v = json_object_get(s, "allOf");
	if (json_is_array(v)) {
		int all = m;
		json_t *mem;
		json_array_foreach(v, i, mem) {
			if (json_is_object(mem))
				all &= ev_evolve_type_mask(json_object_get(mem, "type"));
		}
		if (all == 0 && m != 0)
			ev_lint_add(w->rep, 1, w->file, "unsatisfiable", ptr,
			    "'type' and the types of 'allOf' contradict "
			    "each other");
	}
}

static void
check_required(struct walk *w, json_t *s, const char *ptr)
{
	json_t *req = json_object_get(s, "required"), *v;
	json_t *props = json_object_get(s, "properties");
	json_t *pp = json_object_get(s, "patternProperties");
	json_t *ap = json_object_get(s, "additionalProperties");
	json_t *maxp = json_object_get(s, "maxProperties");
	size_t i;

	json_array_foreach(req, i, v) {
		const char *name = json_string_value(v), *k;
		json_t *pv, *x;
		char *p;
		int covered = 0;

		if (name == NULL)
			continue;
		p = ev_path_join_index(ptr, i);
		pv = json_object_get(props, name);
		if (json_is_false(pv))
			ev_lint_add(w->rep, 1, w->file, "unsatisfiable", p,
			    "required property '%s' is forbidden by "
			    "'properties'", name);
		else if (pv == NULL) {
			json_object_foreach(pp, k, x) {
				if (ev_evolve_regex_match(k, name))
					covered = 1;
			}
			if (!covered && json_is_false(ap))
				ev_lint_add(w->rep, 1, w->file,
				    "unsatisfiable", p, "required property "
				    "'%s' is not allowed by "
				    "'additionalProperties': false", name);
		}
		free(p);
	}
	if (json_is_integer(maxp) && json_is_array(req) &&
	    (json_int_t)json_array_size(req) > json_integer_value(maxp))
		ev_lint_add(w->rep, 1, w->file, "unsatisfiable", ptr,
		    "%zu properties are required but 'maxProperties' is "
		    "%lld", json_array_size(req),
		    (long long)json_integer_value(maxp));
}

static void
walk_schema(struct walk *w, json_t *s, const char *ptr, int is_property)
{
	const char *k;
	json_t *v;
	size_t i;

	if (!json_is_object(s)) {
		if (!json_is_boolean(s))
			ev_lint_add(w->rep, 1, w->file, "keyword-type", ptr,
			    "a schema must be an object or a boolean");
		return;
	}
	if (++w->depth > 200) {
		w->depth--;
		return;
	}
	json_object_foreach(s, k, v) {
		char *p = ev_path_join(ptr, k);
		int known = known_keyword(k) ||
		    (w->draft4 && strcmp(k, "id") == 0);

		if (!known && strncmp(k, "x-", 2) != 0)
			ev_lint_add(w->rep, 1, w->file, "unknown-keyword", p,
			    "unknown keyword '%s' (validators ignore it; "
			    "name extensions x-...)", k);
		if (known && w->structural)
			check_types(w, k, v, p);
		if (strcmp(k, "$ref") == 0 && json_is_string(v)) {
			struct ev_evolve_doc *td;
			char *tp, err[512];
			if (ev_evolve_resolve(ev_evolve_doc_store(w->doc),
			    w->doc, s, &td, &tp, err, sizeof(err)) == NULL)
				ev_lint_add(w->rep, 1, w->file,
				    "unresolvable-ref", p, "%s", err);
			free(tp);
		}
		if (strcmp(k, "pattern") == 0 && json_is_string(v) &&
		    !regex_ok(json_string_value(v)))
			ev_lint_add(w->rep, 1, w->file, "bad-pattern", p,
			    "'pattern' does not compile");
		if (ev_evolve_keyword_in(k, one_schema))
			walk_schema(w, v, p, 0);
		else if (ev_evolve_keyword_in(k, map_schema) &&
		    json_is_object(v)) {
			const char *k2;
			json_t *v2;
			json_object_foreach(v, k2, v2) {
				char *q = ev_path_join(p, k2);
				if (strcmp(k, "patternProperties") == 0 &&
				    !regex_ok(k2))
					ev_lint_add(w->rep, 1, w->file,
					    "bad-pattern", q, "pattern '%s' "
					    "does not compile", k2);
				walk_schema(w, v2, q,
				    strcmp(k, "properties") == 0);
				free(q);
			}
		} else if ((ev_evolve_keyword_in(k, list_schema) ||
		    strcmp(k, "items") == 0) && json_is_array(v)) {
			json_t *v2;
			json_array_foreach(v, i, v2) {
				char *q = ev_path_join_index(p, i);
				walk_schema(w, v2, q, 0);
				free(q);
			}
		} else if (strcmp(k, "items") == 0)
			walk_schema(w, v, p, 0);
		else if (strcmp(k, "dependencies") == 0 && json_is_object(v)) {
			const char *k2;
			json_t *v2;
			json_object_foreach(v, k2, v2) {
				if (!json_is_array(v2)) {
					char *q = ev_path_join(p, k2);
					walk_schema(w, v2, q, 0);
					free(q);
				}
			}
		}
		free(p);
	}
	check_bounds(w, s, ptr);
	check_values(w, s, ptr);
	{
		char *rp = ev_path_join(ptr, "required");
		check_required(w, s, rp);
		free(rp);
	}
	if ((ev_evolve_type_mask(json_object_get(s, "type")) == EV_EVOLVE_T_OBJECT ||
	    json_object_get(s, "properties") != NULL) &&
	    json_object_get(s, "additionalProperties") == NULL &&
	    json_object_get(s, "unevaluatedProperties") == NULL &&
	    json_object_get(s, "$ref") == NULL)
		ev_lint_add(w->rep, 0, w->file, "open-object", ptr,
		    "object is open without saying so: set "
		    "'additionalProperties' (true keeps it open)");
	if ((is_property || ptr[0] == '\0') &&
	    json_object_get(s, "description") == NULL &&
	    json_object_get(s, "$ref") == NULL)
		ev_lint_add(w->rep, 0, w->file, "missing-description",
		    ptr, "no 'description'");
	w->depth--;
}

/* ---- duplicate object keys ---- */

/*
 * ev-validate's reader keeps the last of duplicate keys; lint says where
 * they are, which the parsed tree no longer can.  jansson has accepted the
 * text already, so jsmn's index of it (as the record layer uses) is all
 * the scanning needed; a file that changed under lint is passed over.
 */
struct dscan {
	const char	*text;
	jsmntok_t	*t;
	struct walk	*w;
};

/* The key string token i spells, decoded (new string), or NULL. */
static char *
dscan_key(const struct dscan *d, int i)
{
	json_t *j = json_loadb(d->text + d->t[i].start - 1,
	    (size_t)(d->t[i].end - d->t[i].start) + 2, JSON_DECODE_ANY |
	    JSON_ALLOW_NUL, NULL);
	char *r = json_is_string(j) ? ev_xstrdup(json_string_value(j)) : NULL;

	json_decref(j);
	return r;
}

/*
 * Report the repeated keys of the value at token i and below it, inner
 * objects first; returns the token after the value.
 */
static int
dscan_value(struct dscan *d, int i, const char *ptr)
{
	const jsmntok_t *t = &d->t[i];
	int j = i + 1, k;

	if (t->type == JSMN_ARRAY)
		for (k = 0; k < t->size; k++) {
			char *sub = ev_path_join_index(ptr, (size_t)k);
			j = dscan_value(d, j, sub);
			free(sub);
		}
	else if (t->type == JSMN_OBJECT) {
		json_t *seen = json_object(), *v;
		const char *key;

		for (k = 0; k < t->size; k++) {
			char *name = dscan_key(d, j), *sub;
			json_int_t n;

			if (name == NULL)
				name = ev_xstrdup("");
			n = json_integer_value(json_object_get(seen, name));
			json_object_set_new(seen, name, json_integer(n + 1));
			sub = ev_path_join(ptr, name);
			free(name);
			j = dscan_value(d, j + 1, sub);
			free(sub);
		}
		json_object_foreach(seen, key, v) {
			if (json_integer_value(v) > 1) {
				char *sub = ev_path_join(ptr, key);
				ev_lint_add(d->w->rep, 0, d->w->file,
				    "duplicate-key", sub, "key '%s' appears "
				    "%lld times in one object; the last value "
				    "is used", key,
				    (long long)json_integer_value(v));
				free(sub);
			}
		}
		json_decref(seen);
	}
	return j;
}

static void
check_duplicates(struct walk *w)
{
	FILE *f = fopen(ev_evolve_doc_path(w->doc), "r");
	struct ev_buf b = EV_BUF_INIT;
	char chunk[8192];
	jsmn_parser p;
	size_t n;
	int ntok;

	if (f == NULL)
		return;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		ev_buf_add(&b, chunk, n);
	fclose(f);
	jsmn_init(&p);
	ntok = b.data != NULL ? jsmn_parse(&p, b.data, b.len, NULL, 0) : 0;
	if (ntok > 0) {
		struct dscan d = { b.data, ev_xreallocarray(NULL,
		    (size_t)ntok, sizeof(jsmntok_t)), w };
		jsmn_init(&p);
		if (jsmn_parse(&p, b.data, b.len, d.t, (unsigned)ntok) ==
		    ntok)
			(void)dscan_value(&d, 0, "");
		free(d.t);
	}
	ev_buf_free(&b);
}

/* Validate the document against the meta-schema its $schema names. */
static void
check_meta(struct walk *w, struct ev_schema_set *meta)
{
	json_t *root = ev_evolve_doc_root(w->doc), *ref, *errs, *e;
	const char *uri = json_string_value(json_object_get(root, "$schema"));
	struct ev_schema_set *set;
	struct ev_schema *s;
	struct ev_schema_ctx *ctx;
	char err[512];
	size_t i;

	if (uri == NULL)
		uri = "https://json-schema.org/draft/2020-12/schema";
	set = ev_schema_set_new(meta, EV_SCHEMA_2020_12);
	ref = json_pack("{ss}", "$ref", uri);
	s = ev_schema_set_add(set, ref, NULL, err, sizeof(err));
	json_decref(ref);
	if (s == NULL || ev_schema_set_link(set, err, sizeof(err)) != 0) {
		ev_lint_add(w->rep, 1, w->file, "metaschema", "",
		    "unknown meta-schema '%s'", uri);
		ev_schema_set_free(set);
		return;
	}
	ctx = ev_schema_ctx_new();
	errs = ev_schema_errors(ctx, s, root, 0);
	json_array_foreach(errs, i, e) {
		ev_lint_add(w->rep, 1, w->file, "metaschema",
		    json_string_value(json_object_get(e, "instance")) ?
		    json_string_value(json_object_get(e, "instance")) : "",
		    "%s", json_string_value(json_object_get(e, "message")) ?
		    json_string_value(json_object_get(e, "message")) :
		    "not valid against its meta-schema");
	}
	json_decref(errs);
	ev_schema_ctx_free(ctx);
	ev_schema_set_free(set);
}

void
ev_lint_schema(struct ev_evolve_doc *doc, const char *label,
    struct ev_schema_set *meta, struct ev_lint_report *rep)
{
	struct walk w = { rep, doc, label, meta == NULL,
	    ev_evolve_doc_draft4(doc), 0 };

	check_duplicates(&w);
	if (meta != NULL)
		check_meta(&w, meta);
	walk_schema(&w, ev_evolve_doc_root(doc), "", 0);
}
