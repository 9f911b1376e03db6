/*
 * ev_schema.h - JSON Schema (draft-07, 2019-09, 2020-12) compiled once and
 * applied to many instances.
 *
 * A schema set holds documents (schemas, the official meta-schemas, remote
 * documents registered under a URI) and resolves every reference inside the
 * set and its parent sets; nothing is fetched over the network.  Each
 * document is compiled into an internal form when added; ev_schema_set_link
 * resolves $ref, $dynamicRef and $recursiveRef once all documents are in.
 *
 * The dialect of a document is chosen by its $schema (a known meta-schema
 * URI, or a meta-schema in the set whose $vocabulary is honoured); without
 * $schema the set's default draft applies.
 *
 * Validation takes a context (scratch space, the regex match data, the
 * options); a context is used by one thread at a time.  The flag check
 * (ev_schema_valid) allocates nothing unless the schema uses
 * unevaluatedProperties or unevaluatedItems; error collection runs only on
 * an invalid instance.
 *
 * Ownership: ev_schema_set_add takes a new reference to doc (the caller keeps
 * its own).  A struct ev_schema is borrowed from its set and lives until
 * ev_schema_set_free.  ev_schema_errors and ev_schema_output return new
 * references.
 */
#ifndef EV_SCHEMA_H
#define EV_SCHEMA_H

#include <stddef.h>
#include <jansson.h>

enum ev_schema_draft {
	EV_SCHEMA_DRAFT7 = 7,
	EV_SCHEMA_2019_09 = 2019,
	EV_SCHEMA_2020_12 = 2020
};

enum ev_schema_outfmt {
	EV_SCHEMA_OUT_FLAG,
	EV_SCHEMA_OUT_BASIC,
	EV_SCHEMA_OUT_DETAILED
};

struct ev_schema_set;
struct ev_schema;
struct ev_schema_ctx;
struct ev_rec;

/* A new set whose lookups fall back to parent (borrowed; may be NULL). */
struct ev_schema_set *ev_schema_set_new(struct ev_schema_set *parent,
	    enum ev_schema_draft default_draft);
void	ev_schema_set_free(struct ev_schema_set *set);
/*
 * Add every official meta-schema found under dir (the layout of
 * schemas/metaschemas: draft-07/schema.json, draft/2019-09/..., ...).
 * Returns 0, or -1 with err filled.
 */
int	ev_schema_set_add_metaschemas(struct ev_schema_set *set,
	    const char *dir, char *err, size_t errlen);
/*
 * Compile doc and register it under uri (its retrieval URI; NULL gives a
 * made-up URN).  Returns the compiled root, or NULL with err filled.
 */
struct ev_schema *ev_schema_set_add(struct ev_schema_set *set, json_t *doc,
	    const char *uri, char *err, size_t errlen);
/*
 * Resolve the references of everything added so far.  Returns 0, or -1
 * with err naming the first reference that cannot be resolved.
 */
int	ev_schema_set_link(struct ev_schema_set *set, char *err, size_t errlen);
/*
 * The compiled schema at uri (absolute, fragment allowed) in set or its
 * parents; NULL when unknown.  Call after ev_schema_set_link.
 */
const struct ev_schema *ev_schema_set_find(struct ev_schema_set *set,
	    const char *uri);
/*
 * The compiled schema of the location j of a document added to set (j
 * borrowed from that document), or NULL when no keyword compiled it.
 */
const struct ev_schema *ev_schema_set_find_source(struct ev_schema_set *set,
	    const json_t *j);
/*
 * Where the "$ref" of s points, as ev_schema_set_link resolved it; NULL
 * when s has no "$ref" or it did not resolve.  This is the one resolver:
 * ev-schema asks it instead of resolving references its own way.
 */
const struct ev_schema *ev_schema_ref_target(const struct ev_schema *s);
/* The document a compiled schema came from (borrowed). */
const json_t *ev_schema_source(const struct ev_schema *s);
/* The URI of the meta-schema of a compiled schema's dialect. */
const char *ev_schema_meta_uri(const struct ev_schema *s);
/* The dialect a compiled schema was read as. */
enum ev_schema_draft ev_schema_draft_of(const struct ev_schema *s);

/* Instance types as bits, as the "type" keyword sees them. */
enum {
	EV_ST_NULL = 1, EV_ST_BOOL = 2, EV_ST_OBJ = 4, EV_ST_ARR = 8,
	EV_ST_NUM = 16, EV_ST_STR = 32, EV_ST_INT = 64
};
/*
 * The type bits of one value: a number is EV_ST_NUM, plus EV_ST_INT when
 * its value is whole (1.0 is an integer, as JSON Schema says).
 */
unsigned	ev_schema_type_of(const json_t *v);

struct ev_schema_ctx *ev_schema_ctx_new(void);
void	ev_schema_ctx_free(struct ev_schema_ctx *c);
/* Enforce "format" as an assertion (default: annotation only). */
void	ev_schema_ctx_assert_format(struct ev_schema_ctx *c, int on);

/*
 * 1 when inst is valid against s, else 0.  An instance whose check cannot
 * be finished because a pattern hit a resource limit (see
 * ev_schema_ctx_limit) is not valid.
 */
int	ev_schema_valid(struct ev_schema_ctx *c, const struct ev_schema *s,
	    const json_t *inst);
/*
 * The check without a tree, against a record's index (ev_rec_h_ok) from
 * value handle h (0: the whole record).  1 valid, 0 invalid, as
 * ev_schema_valid would say of the record's tree; -1 when this path
 * cannot judge: the schema is not ev_schema_indexable, a pattern hit a
 * resource limit, the schema recursed too deep, or the line holds an
 * integer beyond 64 bits where the verdict may hang on it.  On 0 or -1
 * the caller asks ev_schema_valid (and ev_schema_errors) with the tree,
 * which gives the error list and any limit; so the two paths cannot
 * differ in what they report.  r is only read (its string cache may grow).
 */
int	ev_schema_check_rec(struct ev_schema_ctx *c, const struct ev_schema *s,
	    const struct ev_rec *r, int h);
/*
 * Whether s, and every schema it applies or references, uses only what
 * ev_schema_check_rec evaluates: everything but unevaluatedProperties,
 * unevaluatedItems, $dynamicRef and $recursiveRef.
 */
int	ev_schema_indexable(const struct ev_schema *s);

/*
 * After ev_schema_valid, ev_schema_errors or ev_schema_output with c: NULL
 * when the check ran to its end, else the error saying which pattern gave
 * up on which limit ({"instance","keyword","absolute","message"}; the
 * locations are empty strings after the flag check).  The verdict is then
 * "not valid" and the errors of the check hold this one error only.
 * Borrowed from c until its next check.
 */
const json_t *ev_schema_ctx_limit(const struct ev_schema_ctx *c);
/*
 * NULL when valid; otherwise an array of at most max_errors (0: no limit)
 * error objects {"instance","keyword","absolute","message"}.
 */
json_t	*ev_schema_errors(struct ev_schema_ctx *c, const struct ev_schema *s,
	    const json_t *inst, size_t max_errors);
/*
 * The specification's standard output: flag {"valid":b}; basic
 * {"valid":b,"errors":[{"keywordLocation","absoluteKeywordLocation",
 * "instanceLocation","error"}]}; detailed nests the errors by the keyword
 * location of the applicator that produced them.
 */
json_t	*ev_schema_output(struct ev_schema_ctx *c, const struct ev_schema *s,
	    const json_t *inst, enum ev_schema_outfmt fmt);

/* ECMA-262 pattern check shared with ev_format: 1 when it compiles. */
int	ev_schema_regex_ok(const char *pattern, size_t len);

/*
 * Resolve reference ref against base (RFC 3986, section 5.2).  Returns a new
 * string (free(3)).
 */
char	*ev_uri_resolve(const char *base, const char *ref);

#endif /* EV_SCHEMA_H */
