/*
 * ev_schema_int.h - the compiled form shared by ev_schema.c (compiler,
 * resolver) and ev_schema_eval.c (validator).  Not for programs.
 *
 * Ownership: nodes belong to their set; json_t pointers in a node are
 * borrowed from the set's documents, which the set keeps alive.
 */
#ifndef EV_SCHEMA_INT_H
#define EV_SCHEMA_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <jansson.h>

#include "ev_jset.h"
#include "ev_schema.h"

/* Vocabularies that can be switched off by a custom meta-schema. */
#define EV_VOC_VALIDATION	1u
#define EV_VOC_FORMAT_ASSERT	2u

/*
 * An enum of at most this many values is scanned; a longer one is hashed
 * (ev_jset), and so is an array checked for uniqueItems.
 */
#define EV_SCHEMA_ENUM_SCAN	8

struct ev_sn;

struct ev_sn_named {
	const char	*name;		/* borrowed from the document */
	size_t		 len;		/* strlen(name); set for properties */
	struct ev_sn	*node;
	const json_t	*req;		/* dependentRequired: array of names */
	const char	*kw;		/* the keyword it came from */
	int		 required;	/* properties: also in "required" */
};

struct ev_sn_pat {
	pcre2_code	*re;
	const char	*src;
	struct ev_sn	*node;
};

struct ev_sn_list {
	struct ev_sn	**v;
	size_t		  n;
};

struct ev_sn {
	struct ev_schema_set *set;
	size_t		 idx;		/* index in set->nodes */
	const json_t	*src;
	int		 boolean;	/* -1 object schema, else 0/1 */
	int		 draft;
	unsigned	 vocab;
	char		*abs;		/* absolute URI of this node */
	char		*base;		/* base URI in effect (no fragment) */
	struct ev_sn	*resource;	/* root of the enclosing resource */
	int		 is_resource;

	unsigned	 types;		/* 0: no "type" keyword */
	const char	*ref;		/* $ref, borrowed */
	struct ev_sn	*ref_node;
	const char	*dynref;	/* $dynamicRef */
	struct ev_sn	*dynref_node;
	const char	*dynref_name;	/* anchor name when dynamic */
	int		 recref;	/* $recursiveRef present */
	struct ev_sn	*recref_node;
	const char	*dyn_anchor;	/* $dynamicAnchor of this node */
	int		 rec_anchor;	/* $recursiveAnchor: true */
	/* Dynamic anchors of a resource root: name -> node. */
	struct ev_sn_named *dyn_anchors;
	size_t		 n_dyn_anchors;

	struct ev_sn_list all_of, any_of, one_of;
	struct ev_sn	*not_, *if_, *then_, *else_;
	struct ev_sn_named *props;	/* properties */
	size_t		 n_props;
	struct ev_sn_pat *pprops;	/* patternProperties */
	size_t		 n_pprops;
	struct ev_sn	*addl_props, *prop_names, *uneval_props;
	struct ev_sn_named *dep_schemas;	/* dependentSchemas */
	size_t		 n_dep_schemas;
	struct ev_sn_named *dep_req;	/* dependentRequired */
	size_t		 n_dep_req;
	struct ev_sn_list tuple;	/* prefixItems, or items as an array */
	const char	*tuple_kw;
	struct ev_sn	*rest;		/* items after the tuple */
	const char	*rest_kw;
	struct ev_sn	*uneval_items;
	struct ev_sn	*contains;
	long long	 min_contains, max_contains;	/* -1 absent */

	const json_t	*enum_v;
	struct ev_jset	*enum_set;	/* enum_v hashed, when it is long */
	const json_t	*const_v;
	int		 has_const;
	const json_t	*minimum, *maximum, *ex_minimum, *ex_maximum;
	int		 ex_min_bool, ex_max_bool;	/* draft-04 style */
	const json_t	*multiple_of;
	long long	 min_len, max_len, min_items, max_items,
			 min_props, max_props;		/* -1 absent */
	int		 unique;
	const json_t	*required;
	/* "required" names that are not in "properties" (for lookups once). */
	const char	**req_rest;
	size_t		 n_req_rest;
	pcre2_code	*pattern;
	const char	*pattern_src;
	const char	*format;
	/*
	 * Reaches a keyword the index walker (ev_schema_index.c) leaves to
	 * the tree: unevaluated*, $dynamicRef, $recursiveRef, or a
	 * reference not yet resolved.  Set by ev_schema_set_link.
	 */
	int		 slow;
};

struct ev_schema_set {
	struct ev_schema_set *parent;
	int		 default_draft;
	json_t		*docs;		/* owned documents */
	struct ev_sn	**nodes;
	size_t		 n_nodes, cap_nodes;
	size_t		 linked;	/* nodes [0, linked) resolved */
	json_t		*uris;		/* URI -> node index */
	/* json_t* -> node index, open addressing. */
	const json_t	**pm_key;
	size_t		*pm_val;
	size_t		 pm_cap, pm_n;
	unsigned long	 anon;
};

/*
 * The bounds every pattern match runs under.  The JIT stack is reserved
 * (not touched) up to its maximum; ^(a|b)*$ needs about 24 bytes of it per
 * subject byte, so a string filling a default --max-line line (1 MiB)
 * fits.  The heap limit bounds the interpreter, used when a pattern could
 * not be JIT-compiled; the match limit (PCRE2's default) stops
 * catastrophic backtracking.
 */
#define EV_SCHEMA_JIT_STACK_MAX	(64u * 1024 * 1024)	/* bytes */
#define EV_SCHEMA_HEAP_LIMIT	(256u * 1024)		/* KiB */
#define EV_SCHEMA_MATCH_LIMIT	10000000u

struct ev_schema_ctx {
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack	*jstack;
	int		 assert_format;
	/* The resource-limit error of the last check (owned), or NULL. */
	json_t		*limit;
};

/* Compile a pattern with ECMA-262 semantics; NULL when it does not compile. */
pcre2_code	*ev_schema_regex(const char *pat, size_t len);
/*
 * 1 when re matches the n bytes at s, 0 when it does not, or PCRE2's
 * negative error code when the match gave up (a resource limit).
 */
int		 ev_schema_re_match(struct ev_schema_ctx *c, pcre2_code *re,
		    const char *s, size_t n);
/* A number as jansson holds it: an integer, or a real. */
struct ev_snum {
	int		 is_int;
	json_int_t	 i;
	double		 d;		/* the value as a double, either way */
};

void		 ev_schema_snum(const json_t *v, struct ev_snum *x);
/* The "type" bits of a number (EV_ST_NUM, and EV_ST_INT when whole). */
unsigned	 ev_schema_snum_type(const struct ev_snum *x);
/* <0, 0, >0 as a compares to the number b. */
int		 ev_schema_num_cmp(const struct ev_snum *a, const json_t *b);
/* 1 when x is a multiple of the number m ("multipleOf"). */
int		 ev_schema_multiple_ok(const struct ev_snum *x, const json_t *m);
/*
 * 1 when the items of array arr are unique; else 0 with *first < *second
 * the first pair found equal.
 */
int		 ev_schema_unique(const json_t *arr, size_t *first,
		    size_t *second);
/* The code points of n bytes of valid UTF-8 ("minLength", "maxLength"). */
size_t		 ev_schema_cp_len(const char *s, size_t n);
/* JSON Schema equality (ev_jset_equal). */
int		 ev_schema_equal(const json_t *a, const json_t *b);

#endif /* EV_SCHEMA_INT_H */
