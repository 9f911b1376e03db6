/*
 * ev_registry.h - a folder of versioned JSON Schemas, one per event name
 * and SchemaVer version (MODEL-REVISION-ADDITION):
 *
 *     DIR/<event>/<MODEL-REVISION-ADDITION>.json     e.g. DIR/purchase/1-0-0.json
 *
 * <event> may hold slashes, so Iglu's layout DIR/<vendor>/<name>/jsonschema/
 * 1-0-0.json works too; a self-describing event's
 * "iglu:com.acme/signup/jsonschema/1-0-0" looks up the key
 * "com.acme/signup/jsonschema", then "signup".  Every schema is compiled
 * into one schema set (a child of the meta-schema set), so schemas may
 * $ref each other by relative file paths.
 *
 * Fragments: a schema under a folder whose name begins with '_' (for
 * example DIR/_common/context/1-0-0.json) is loaded, checked and can be
 * referenced, but no event name selects it, so a record cannot name a
 * shared part and be checked against that part alone.
 *
 * Ownership: ev_registry_load returns a new registry (ev_registry_free);
 * schemas returned by lookups are borrowed from it.  The meta-schema set is
 * borrowed and must outlive the registry.
 */
#ifndef EV_REGISTRY_H
#define EV_REGISTRY_H

#include <stddef.h>

#include "ev_schema.h"
#include "ev_schemaver.h"

enum ev_registry_res {
	EV_REG_OK,
	EV_REG_NO_EVENT,	/* no schema for this event */
	EV_REG_NO_VERSION	/* the event is known, this version is not */
};

struct ev_registry;

/* Load and link every schema under dir; NULL with err filled on failure. */
struct ev_registry *ev_registry_load(const char *dir,
	    struct ev_schema_set *meta, enum ev_schema_draft draft,
	    char *err, size_t errlen);
/* One schema file as a registry of one (for --schema); key "". */
struct ev_registry *ev_registry_load_file(const char *path,
	    struct ev_schema_set *meta, enum ev_schema_draft draft,
	    char *err, size_t errlen);
void	ev_registry_free(struct ev_registry *r);
/* The number of schemas loaded, fragments included. */
size_t	ev_registry_count(const struct ev_registry *r);
/*
 * The event schema for key (n bytes) at version (vn bytes; NULL for the
 * latest); fragments are never found.
 * *res says why when NULL is returned.  *key_out (may be NULL) receives
 * the registry's spelling of the key (borrowed).
 */
const struct ev_schema *ev_registry_find(const struct ev_registry *r,
	    const char *key, size_t n, const char *version, size_t vn,
	    enum ev_registry_res *res, const char **key_out);
/*
 * Same for an Iglu URI "iglu:vendor/name/format/M-R-A" (n bytes).  Returns
 * NULL with *res = EV_REG_NO_EVENT also when the URI is malformed.
 */
const struct ev_schema *ev_registry_find_iglu(const struct ev_registry *r,
	    const char *uri, size_t n, enum ev_registry_res *res,
	    const char **key_out);
/*
 * The retrieval URI a schema file is registered under ("file://" and its
 * real path), which relative references resolve against.  New string.
 */
char	*ev_registry_file_uri(const char *path);
/* One file of a registry folder, as ev_registry_scan meets it. */
struct ev_registry_file {
	const char		*path;	/* DIR/<key>/<name> */
	const char		*key;	/* the folders below DIR; "" at the top */
	int			 versioned;	/* <key>/<M-R-A>.json: ver */
	struct ev_schemaver	 ver;
};
/*
 * The one walk over a registry folder, shared by ev-validate (through
 * ev_registry_load) and ev-schema: visit is called for every file below
 * dir (ev_dir_walk's order, names beginning with '.' skipped), versioned
 * or not, so a caller may list the strays.  A sub-folder or entry that
 * cannot be opened ends the scan with an error in err, as does visit's
 * non-zero return.  Returns 0, or non-zero with err filled.
 */
int	ev_registry_scan(const char *dir,
	    int (*visit)(const struct ev_registry_file *f, void *arg,
	    char *err, size_t errlen),
	    void *arg, char *err, size_t errlen);
/* Read a JSON file, keeping integers beyond 64 bits as reals.  New ref. */
json_t	*ev_registry_read_json(const char *path, char *err, size_t errlen);

#endif /* EV_REGISTRY_H */
