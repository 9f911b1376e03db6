/* ev_registry.c - versioned schemas in a folder, looked up per event. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_buf.h"
#include "ev_common.h"
#include "ev_dir.h"
#include "ev_registry.h"
#include "ev_schemaver.h"

struct reg_entry {
	char			*key;
	char			*path;
	struct ev_schemaver	 ver;
	const struct ev_schema	*schema;
	int			 fragment;	/* never selected by an event */
};

struct ev_registry {
	struct ev_schema_set	*set;
	struct reg_entry	*e;
	size_t			 n;
};

json_t *
ev_registry_read_json(const char *path, char *err, size_t errlen)
{
	json_error_t je;
	json_t *j = json_load_file(path, JSON_ALLOW_NUL, &je);

	if (j == NULL && strstr(je.text, "too big"))
		j = json_load_file(path, JSON_ALLOW_NUL |
		    JSON_DECODE_INT_AS_REAL, &je);
	if (j == NULL) {
		if (je.line > 0)
			snprintf(err, errlen, "%s:%d: %s", path, je.line,
			    je.text);
		else
			snprintf(err, errlen, "%s: %s", path, je.text);
	}
	return j;
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct reg_entry *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : ev_schemaver_cmp(&x->ver, &y->ver);
}

char *
ev_registry_file_uri(const char *path)
{
	char real[PATH_MAX];
	struct ev_buf b = EV_BUF_INIT;

	if (realpath(path, real) == NULL)
		snprintf(real, sizeof(real), "%s", path);
	ev_buf_adds(&b, "file://");
	ev_buf_adds(&b, real);
	return ev_buf_detach(&b, NULL);
}

/* Whether a folder of key (the path below DIR) begins with '_'. */
static int
is_fragment(const char *key)
{
	const char *p = key;

	while (*p) {
		if (*p == '_')
			return 1;
		p = strchr(p, '/');
		if (p == NULL)
			break;
		p++;
	}
	return 0;
}

static int
add_file(struct ev_registry *r, const char *path, const char *key,
    const struct ev_schemaver *ver, char *err, size_t errlen)
{
	json_t *doc = ev_registry_read_json(path, err, errlen);
	const struct ev_schema *s;
	char *uri, e2[512];

	if (doc == NULL)
		return -1;
	uri = ev_registry_file_uri(path);
	s = ev_schema_set_add(r->set, doc, uri, e2, sizeof(e2));
	free(uri);
	json_decref(doc);
	if (s == NULL) {
		snprintf(err, errlen, "%s: %s", path, e2);
		return -1;
	}
	r->e = ev_xreallocarray(r->e, r->n + 1, sizeof(*r->e));
	r->e[r->n].key = ev_xstrdup(key);
	r->e[r->n].path = ev_xstrdup(path);
	r->e[r->n].ver = *ver;
	r->e[r->n].schema = s;
	r->e[r->n].fragment = is_fragment(key);
	r->n++;
	return 0;
}

struct scan {
	int	(*visit)(const struct ev_registry_file *, void *, char *,
		    size_t);
	void	*arg;
};

/* An ev_dir_walk visitor: split rel into key and name, read the version. */
static int
scan_file(const char *path, const char *rel, void *arg, char *err,
    size_t errlen)
{
	struct scan *sc = arg;
	struct ev_registry_file f;
	const char *name = strrchr(rel, '/');
	char *key = ev_xstrndup(rel, name != NULL ? (size_t)(name - rel) : 0);
	size_t n;
	int rc;

	name = name != NULL ? name + 1 : rel;
	n = strlen(name);
	f.path = path;
	f.key = key;
	f.versioned = *key && n > 5 && strcmp(name + n - 5, ".json") == 0 &&
	    ev_schemaver_read(name, n - 5, &f.ver) == 0;
	rc = sc->visit(&f, sc->arg, err, errlen);
	free(key);
	return rc;
}

int
ev_registry_scan(const char *dir,
    int (*visit)(const struct ev_registry_file *f, void *arg, char *err,
    size_t errlen),
    void *arg, char *err, size_t errlen)
{
	struct scan sc = { visit, arg };

	return ev_dir_walk(dir, "registry folder", scan_file, &sc, err,
	    errlen);
}

static int
load_file(const struct ev_registry_file *f, void *arg, char *err,
    size_t errlen)
{
	if (!f->versioned)
		return 0;
	return add_file(arg, f->path, f->key, &f->ver, err, errlen);
}

/*
 * Check each schema against its meta-schema (when the meta-schemas are
 * loaded), so a misspelt keyword value ("type": "strnig") is a broken
 * schema at start instead of one that silently rejects everything.
 */
static int
meta_check(struct ev_registry *r, char *err, size_t errlen)
{
	struct ev_schema_ctx *ctx = ev_schema_ctx_new();
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < r->n; i++) {
		const struct ev_schema *m = ev_schema_set_find(r->set,
		    ev_schema_meta_uri(r->e[i].schema));
		json_t *errs, *e;
		if (m == NULL)
			continue;
		errs = ev_schema_errors(ctx, m, ev_schema_source(
		    r->e[i].schema), 1);
		if (errs == NULL)
			continue;
		e = json_array_get(errs, 0);
		snprintf(err, errlen, "%s: not a valid schema: %s: %s",
		    r->e[i].path,
		    json_string_value(json_object_get(e, "instance")),
		    json_string_value(json_object_get(e, "message")));
		json_decref(errs);
		rc = -1;
	}
	ev_schema_ctx_free(ctx);
	return rc;
}

static int
finish(struct ev_registry *r, char *err, size_t errlen)
{
	size_t i;

	if (ev_schema_set_link(r->set, err, errlen) != 0)
		return -1;
	if (meta_check(r, err, errlen) != 0)
		return -1;
	/* qsort(NULL, 0, ...) is undefined: an empty folder has no array. */
	if (r->n > 1)
		qsort(r->e, r->n, sizeof(*r->e), entry_cmp);
	for (i = 1; i < r->n; i++)
		if (entry_cmp(&r->e[i - 1], &r->e[i]) == 0) {
			char v[64];

			ev_schemaver_format(&r->e[i].ver, v, sizeof v);
			snprintf(err, errlen, "two schemas for %s %s",
			    r->e[i].key, v);
			return -1;
		}
	return 0;
}

struct ev_registry *
ev_registry_load(const char *dir, struct ev_schema_set *meta,
    enum ev_schema_draft draft, char *err, size_t errlen)
{
	struct ev_registry *r = ev_xcalloc(1, sizeof(*r));
	size_t i;

	r->set = ev_schema_set_new(meta, draft);
	if (ev_registry_scan(dir, load_file, r, err, errlen) != 0 ||
	    finish(r, err, errlen) != 0) {
		ev_registry_free(r);
		return NULL;
	}
	for (i = 0; i < r->n && r->e[i].fragment; i++)
		;
	if (i == r->n) {
		snprintf(err, errlen, "no %sschemas in registry folder '%s' "
		    "(expected DIR/<event>/<M-R-A>.json)", r->n ? "event " : "",
		    dir);
		ev_registry_free(r);
		return NULL;
	}
	return r;
}

struct ev_registry *
ev_registry_load_file(const char *path, struct ev_schema_set *meta,
    enum ev_schema_draft draft, char *err, size_t errlen)
{
	struct ev_registry *r = ev_xcalloc(1, sizeof(*r));
	static const struct ev_schemaver zero = { 0, 0, 0 };

	r->set = ev_schema_set_new(meta, draft);
	if (add_file(r, path, "", &zero, err, errlen) != 0 ||
	    finish(r, err, errlen) != 0) {
		ev_registry_free(r);
		return NULL;
	}
	return r;
}

void
ev_registry_free(struct ev_registry *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->e[i].key);
		free(r->e[i].path);
	}
	free(r->e);
	ev_schema_set_free(r->set);
	free(r);
}

size_t
ev_registry_count(const struct ev_registry *r)
{
	return r->n;
}

const struct ev_schema *
ev_registry_find(const struct ev_registry *r, const char *key, size_t n,
    const char *version, size_t vn, enum ev_registry_res *res,
    const char **key_out)
{
	size_t i, last = SIZE_MAX;
	struct ev_schemaver ver;
	int badver;

	*res = EV_REG_NO_EVENT;
	badver = version != NULL && ev_schemaver_read(version, vn, &ver) != 0;
	for (i = 0; i < r->n; i++) {
		if (r->e[i].fragment || strlen(r->e[i].key) != n ||
		    memcmp(r->e[i].key, key, n))
			continue;
		*res = EV_REG_NO_VERSION;
		if (key_out)
			*key_out = r->e[i].key;
		last = i;
		if (version == NULL)
			continue;
		if (badver)
			return NULL;
		if (ev_schemaver_cmp(&ver, &r->e[i].ver) == 0) {
			*res = EV_REG_OK;
			return r->e[i].schema;
		}
	}
	if (version == NULL && last != SIZE_MAX) {
		/* Sorted by version: the last one is the latest. */
		*res = EV_REG_OK;
		return r->e[last].schema;
	}
	return NULL;
}

const struct ev_schema *
ev_registry_find_iglu(const struct ev_registry *r, const char *uri,
    size_t n, enum ev_registry_res *res, const char **key_out)
{
	const char *slash1, *lastslash, *p;
	const struct ev_schema *s;

	*res = EV_REG_NO_EVENT;
	if (n < 5 || memcmp(uri, "iglu:", 5) != 0)
		return NULL;
	uri += 5;
	n -= 5;
	lastslash = NULL;
	for (p = uri; p < uri + n; p++)
		if (*p == '/')
			lastslash = p;
	slash1 = memchr(uri, '/', n);
	if (lastslash == NULL || slash1 == lastslash)
		return NULL;
	s = ev_registry_find(r, uri, (size_t)(lastslash - uri), lastslash + 1,
	    (size_t)(uri + n - lastslash - 1), res, key_out);
	if (s == NULL && *res == EV_REG_NO_EVENT) {
		/* Fall back to DIR/<name>/: vendor/NAME/format. */
		const char *name = slash1 + 1;
		const char *end = memchr(name, '/',
		    (size_t)(lastslash - name));
		if (end == NULL)
			end = lastslash;
		s = ev_registry_find(r, name, (size_t)(end - name),
		    lastslash + 1, (size_t)(uri + n - lastslash - 1), res,
		    key_out);
	}
	return s;
}
