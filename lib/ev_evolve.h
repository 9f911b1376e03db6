/*
 * ev_evolve.h - how a JSON Schema changed between two versions, and what
 * that change means for data and for readers.
 *
 * Two schemas are compared structurally after resolving "$ref" (targets
 * are compared, not the reference text), keyword by keyword.  Each change
 * found has a kind ("required_added"), the JSON Pointer of the place in
 * the old and in the new schema (where a keyword is absent on one side,
 * the schema object that lacks it), and a direction: whether the set of
 * instances the schema accepts narrows, widens, both (or cannot be told),
 * or stays the same (annotations such as "format").
 *
 *   backward: readers on NEW read data written under OLD; a narrowing
 *             change breaks it.
 *   forward:  readers on OLD read data written under NEW; a widening
 *             change breaks it.
 *   full:     both.  none: everything is allowed.
 * A change in both directions breaks backward and forward.
 *
 * References resolve exactly as ev-validate resolves them, by the same
 * code (ev_schema.h): every document loaded into a store is compiled into
 * a schema set under its file URI, and a "$ref" points where that set
 * says -- within a document ("#/$defs/x", "#anchor"), to another loaded
 * file by a relative path ("common/1-0-0.json#/$defs/x"), or to a loaded
 * document by its "$id".  No file is opened to resolve a reference, and
 * nothing is fetched over the network: a reference to a file that was not
 * loaded (outside the registry) does not resolve.
 *
 * Ownership: a store owns its documents and every json_t in them; the
 * pointers in changes are owned by the change list (ev_evolve_changes_free).
 */
#ifndef EV_EVOLVE_H
#define EV_EVOLVE_H

#include <stddef.h>
#include <jansson.h>

#include "ev_schema.h"
#include "ev_schemaver.h"

enum ev_evolve_dir {
	EV_EVOLVE_NONE = 0,	/* no effect on which instances are valid */
	EV_EVOLVE_NARROW = 1,	/* fewer instances valid: breaks backward */
	EV_EVOLVE_WIDEN = 2,	/* more instances valid: breaks forward */
	EV_EVOLVE_BOTH = 3	/* some of each, or unknown: breaks both */
};

enum ev_evolve_mode {
	EV_EVOLVE_MODE_NONE,
	EV_EVOLVE_MODE_BACKWARD,
	EV_EVOLVE_MODE_FORWARD,
	EV_EVOLVE_MODE_FULL,
	EV_EVOLVE_MODE_BACKWARD_TRANSITIVE,
	EV_EVOLVE_MODE_FORWARD_TRANSITIVE,
	EV_EVOLVE_MODE_FULL_TRANSITIVE
};

struct ev_evolve_change {
	char			*kind;		/* "property_added_open" */
	enum ev_evolve_dir	 dir;
	char			*old_ptr;	/* JSON Pointer in OLD */
	char			*new_ptr;	/* JSON Pointer in NEW */
	char			*message;
	int			 undeclared;	/* narrows only members OLD left undeclared */
};

struct ev_evolve_changes {
	struct ev_evolve_change	*v;
	size_t			 n, cap;
};

struct ev_evolve_store;
struct ev_evolve_doc;

/*
 * A new, empty store of documents.  meta (borrowed, may be NULL) holds the
 * meta-schemas, the parent of the store's schema set as in ev-validate.
 */
struct ev_evolve_store	*ev_evolve_store_new(struct ev_schema_set *meta);
void			 ev_evolve_store_free(struct ev_evolve_store *st);
/*
 * Load the JSON file at path into the store (once; a second load returns
 * the same document) with ev-validate's reader and compiler.  Returns a
 * borrowed document, or NULL with a message in err.
 */
struct ev_evolve_doc	*ev_evolve_load(struct ev_evolve_store *st,
			    const char *path, char *err, size_t errsize);
/* The document's root value and file name (borrowed). */
json_t			*ev_evolve_doc_root(const struct ev_evolve_doc *d);
const char		*ev_evolve_doc_path(const struct ev_evolve_doc *d);
/*
 * Why ev-validate's compiler refuses d (a bad pattern, ...), or NULL when
 * it compiles.  Such a document is loaded for lint but never approved.
 */
const char		*ev_evolve_doc_error(const struct ev_evolve_doc *d);
/*
 * 1 when d is written in draft-04 terms: its "$schema" names draft-04 or
 * Iglu's self-describing meta-schema (draft-04 plus "self"), so "id" is
 * its base URI and a boolean exclusiveMaximum/Minimum qualifies the
 * maximum/minimum beside it.
 */
int			 ev_evolve_doc_draft4(const struct ev_evolve_doc *d);
/* The store that holds d (borrowed). */
struct ev_evolve_store	*ev_evolve_doc_store(const struct ev_evolve_doc *d);
/*
 * Resolve every reference of the documents loaded so far, as ev-validate
 * does at start.  Returns 0, or -1 with ev-validate's message in err.
 */
int	ev_evolve_store_link(struct ev_evolve_store *st, char *err,
	    size_t errsize);
/*
 * Resolve the "$ref" of the schema object from (borrowed, a node of doc).
 * Returns the borrowed target, *tdoc its document and *tptr a new string
 * (its JSON Pointer, prefixed with "FILE#" when in another document;
 * caller frees), or NULL with a message in err.
 */
json_t	*ev_evolve_resolve(struct ev_evolve_store *st,
	    struct ev_evolve_doc *doc, const json_t *from,
	    struct ev_evolve_doc **tdoc, char **tptr, char *err,
	    size_t errsize);

/*
 * Append every change from old to new to out.  Returns 0, or -1 with a
 * message in err (an unresolvable reference).
 */
int	ev_evolve_compare(struct ev_evolve_store *ost,
	    struct ev_evolve_doc *old, struct ev_evolve_store *nst,
	    struct ev_evolve_doc *new, struct ev_evolve_changes *out,
	    char *err, size_t errsize);
void	ev_evolve_changes_free(struct ev_evolve_changes *ch);

/* Parse "backward", "full-transitive", ...; returns -1 when unknown. */
int	ev_evolve_mode_parse(const char *s, enum ev_evolve_mode *mode);
const char *ev_evolve_mode_name(enum ev_evolve_mode mode);
int	ev_evolve_mode_transitive(enum ev_evolve_mode mode);
/* 1 when mode allows a change in direction dir. */
int	ev_evolve_allowed(enum ev_evolve_mode mode, enum ev_evolve_dir dir);
/* "none", "narrow", "widen", "both". */
const char *ev_evolve_dir_name(enum ev_evolve_dir dir);

/*
 * The SchemaVer part a set of changes requires:
 *   ADDITION  every change widens or leaves validity alone: all data
 *             written under OLD stays valid under NEW (backward compatible);
 *   REVISION  some change narrows, but only members OLD left undeclared (a
 *             property added to an open or partially open object), so only
 *             data that carried such a member with another shape breaks;
 *   MODEL     any other narrowing or two-way change (data valid under OLD
 *             may be invalid under NEW);
 *   NONE      no change at all.
 */
enum ev_schemaver_part ev_evolve_required_part(
	    const struct ev_evolve_changes *ch);

/*
 * The version a schema declares: "self".version (Snowplow), the last
 * M-R-A segment of "$id" (iglu: URIs or paths), else the file's base name
 * "M-R-A.json".  Returns 0, or -1 when none is found.
 */
int	ev_evolve_version_of(const char *path, const json_t *root,
	    struct ev_schemaver *v);

/* A registry folder: DIR/<event>/<MODEL-REVISION-ADDITION>.json. */
struct ev_evolve_version {
	struct ev_schemaver	 ver;
	char			*path;
};
struct ev_evolve_event {
	char			*name;
	struct ev_evolve_version *v;	/* sorted oldest first */
	size_t			 n;
};
struct ev_evolve_registry {
	char			*root;
	struct ev_evolve_event	*ev;	/* sorted by name */
	size_t			 n;
};

/*
 * Scan dir.  Files not named M-R-A.json are listed in *stray (a JSON array
 * of paths, new reference) when stray is not NULL.  Returns 0, or -1 with a
 * message in err.
 */
int	ev_evolve_registry_scan(const char *dir, struct ev_evolve_registry *r,
	    json_t **stray, char *err, size_t errsize);
void	ev_evolve_registry_free(struct ev_evolve_registry *r);
/* The event named name, or NULL. */
const struct ev_evolve_event *ev_evolve_registry_event(
	    const struct ev_evolve_registry *r, const char *name);

/*
 * Instance types as bits; "number" is FRACTION | INTEGER.  ev_schema's
 * bits, but a whole number is an integer only.
 */
enum {
	EV_EVOLVE_T_NULL = EV_ST_NULL, EV_EVOLVE_T_BOOL = EV_ST_BOOL,
	EV_EVOLVE_T_OBJECT = EV_ST_OBJ, EV_EVOLVE_T_ARRAY = EV_ST_ARR,
	EV_EVOLVE_T_FRACTION = EV_ST_NUM, EV_EVOLVE_T_STRING = EV_ST_STR,
	EV_EVOLVE_T_INTEGER = EV_ST_INT, EV_EVOLVE_T_ALL = 127
};

/* The type bit of one JSON value (1.0 is an integer, as in JSON Schema). */
int	ev_evolve_value_type(const json_t *v);
/* The types a "type" keyword allows (borrowed; NULL: every type). */
int	ev_evolve_type_mask(const json_t *type);
/* 1 when keyword k is one of list (NULL-terminated). */
int	ev_evolve_keyword_in(const char *k, const char **list);
/* 1 when the regex pat (PCRE2, UTF) matches name; 0 also if it cannot compile. */
int	ev_evolve_regex_match(const char *pat, const char *name);

#endif /* EV_EVOLVE_H */
