/*
 * ev_schemajob.c - ev-schema's setup: meta-schemas, registry checks and
 * the comparisons to run (see ev_schemajob.h).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "ev_common.h"
#include "ev_evolve.h"
#include "ev_lint.h"
#include "ev_registry.h"
#include "ev_schema.h"
#include "ev_schemajob.h"
#include "ev_schemaver.h"

static struct ev_schema_set *load_meta(void);
static struct ev_schema_set *load_extra_meta(struct ev_schema_set *official);

static void
die_unreadable(const char *err)
{
	ev_die(EV_EXIT_USAGE, "%s", err);
}

/*
 * Run one comparison.  Returns the changes (caller frees) or exits 2 when a
 * schema cannot be read or a $ref not resolved.
 */
void
ev_schemajob_compare(struct ev_schemajob *j, struct ev_evolve_changes *ch,
    struct ev_evolve_doc **od, struct ev_evolve_doc **nd)
{
	char err[1024];

	*od = ev_evolve_load(j->ost, j->old_path, err, sizeof(err));
	if (*od == NULL)
		die_unreadable(err);
	if (j->removed) {
		*nd = NULL;
		return;
	}
	*nd = ev_evolve_load(j->nst, j->new_path, err, sizeof(err));
	if (*nd == NULL)
		die_unreadable(err);
	if (ev_evolve_compare(j->ost, *od, j->nst, *nd, ch, err,
	    sizeof(err)) != 0)
		ev_die(EV_EXIT_USAGE, "%s: %s", j->new_path, err);
}

static void
add_job(struct ev_schemajob **jobs, size_t *n, const char *event,
    const char *o, const char *nw, struct ev_evolve_store *ost,
    struct ev_evolve_store *nst, int removed)
{
	*jobs = ev_xreallocarray(*jobs, *n + 1, sizeof(**jobs));
	(*jobs)[*n] = (struct ev_schemajob){ event ? ev_xstrdup(event) :
	    NULL, o, nw, ost, nst, removed };
	(*n)++;
}

/*
 * Load every file of a registry, so "$id" references resolve.  An
 * unreadable file ends the run unless tolerant (lint reports it itself).
 */
void
ev_schemajob_preload(struct ev_evolve_store *st,
    const struct ev_evolve_registry *r, int tolerant)
{
	char err[1024];
	size_t i, k;

	for (i = 0; i < r->n; i++)
		for (k = 0; k < r->ev[i].n; k++) {
			struct ev_evolve_doc *d = ev_evolve_load(st,
			    r->ev[i].v[k].path, err, sizeof(err));
			if (tolerant)
				continue;
			if (d == NULL)
				die_unreadable(err);
			if (ev_evolve_doc_error(d) != NULL)
				die_unreadable(ev_evolve_doc_error(d));
		}
}

static int
same_file_content(struct ev_evolve_store *ost, const char *a,
    struct ev_evolve_store *nst, const char *b)
{
	char err[1024];
	struct ev_evolve_doc *x = ev_evolve_load(ost, a, err, sizeof(err));
	struct ev_evolve_doc *y;

	if (x == NULL)
		die_unreadable(err);
	y = ev_evolve_load(nst, b, err, sizeof(err));
	if (y == NULL)
		die_unreadable(err);
	return json_equal(ev_evolve_doc_root(x), ev_evolve_doc_root(y));
}

/*
 * The comparisons a registry change asks for.  With old == NULL every
 * version of every event is checked against its history; else only the
 * versions NEW adds or edits, and versions NEW dropped are reported.
 * transitive: against every earlier version, else the one before.
 */
static void
registry_jobs(const struct ev_evolve_registry *old,
    const struct ev_evolve_registry *new, struct ev_evolve_store *ost,
    struct ev_evolve_store *nst, int transitive, struct ev_schemajob **jobs,
    size_t *njobs)
{
	size_t e, i, k;

	for (e = 0; e < new->n; e++) {
		const struct ev_evolve_event *ne = &new->ev[e];
		const struct ev_evolve_event *oe = old ?
		    ev_evolve_registry_event(old, ne->name) : NULL;

		for (i = 0; i < ne->n; i++) {
			const struct ev_evolve_version *ov = NULL;
			size_t from;

			for (k = 0; oe != NULL && k < oe->n; k++)
				if (ev_schemaver_cmp(&oe->v[k].ver,
				    &ne->v[i].ver) == 0)
					ov = &oe->v[k];
			if (old != NULL && ov != NULL &&
			    same_file_content(ost, ov->path, nst,
			    ne->v[i].path))
				continue;
			if (ov != NULL)
				add_job(jobs, njobs, ne->name, ov->path,
				    ne->v[i].path, ost, nst, 0);
			if (i == 0)
				continue;
			from = transitive ? 0 : i - 1;
			for (k = from; k < i; k++)
				add_job(jobs, njobs, ne->name, ne->v[k].path,
				    ne->v[i].path, nst, nst, 0);
		}
	}
	for (e = 0; old != NULL && e < old->n; e++) {
		const struct ev_evolve_event *oe = &old->ev[e];
		const struct ev_evolve_event *ne =
		    ev_evolve_registry_event(new, oe->name);

		for (i = 0; i < oe->n; i++) {
			int found = 0;
			for (k = 0; ne != NULL && k < ne->n; k++)
				if (ev_schemaver_cmp(&oe->v[i].ver,
				    &ne->v[k].ver) == 0)
					found = 1;
			if (!found)
				add_job(jobs, njobs, oe->name, oe->v[i].path,
				    new->root, ost, nst, 1);
		}
	}
}

void
ev_schemajob_world_free(struct ev_schemajob_world *w)
{
	size_t i;

	for (i = 0; i < w->njobs; i++)
		free(w->jobs[i].event);
	free(w->jobs);
	if (w->have_oreg)
		ev_evolve_registry_free(&w->oreg);
	if (w->have_nreg)
		ev_evolve_registry_free(&w->nreg);
	if (w->nst != w->ost)
		ev_evolve_store_free(w->nst);
	ev_evolve_store_free(w->ost);
	if (w->meta != w->official)
		ev_schema_set_free(w->meta);
	ev_schema_set_free(w->official);
}

/*
 * A registry folder ev-validate would refuse to start with (a reference
 * that does not resolve inside it, a schema its compiler or meta-schema
 * rejects, two files for one version) is never approved: exit 2 with
 * ev-validate's own reason.  An empty folder is left to the caller.
 */
static void
check_registry(const char *dir, const struct ev_evolve_registry *r,
    struct ev_schema_set *meta)
{
	struct ev_registry *reg;
	char err[1024];

	if (r->n == 0)
		return;
	reg = ev_registry_load(dir, meta, EV_SCHEMA_2020_12, err, sizeof(err));
	if (reg == NULL)
		ev_die(EV_EXIT_USAGE, "registry '%s' is refused by ev-validate: "
		    "%s", dir, err);
	ev_registry_free(reg);
}

/* Resolve every reference now, as ev-validate does at start. */
static void
link_store(struct ev_evolve_store *st)
{
	char err[1024];

	if (ev_evolve_store_link(st, err, sizeof(err)) != 0)
		ev_die(EV_EXIT_USAGE, "%s", err);
}

/* Load a file named on the command line (a job's OLD or NEW). */
static void
load_named(struct ev_evolve_store *st, const char *path)
{
	char err[1024];

	struct ev_evolve_doc *d = ev_evolve_load(st, path, err, sizeof(err));

	if (d == NULL)
		die_unreadable(err);
	if (ev_evolve_doc_error(d) != NULL)
		die_unreadable(ev_evolve_doc_error(d));
}

void
ev_schemajob_build(struct ev_schemajob_world *w, int argc, char **argv,
    int transitive, const char *refdir)
{
	char err[1024];

	w->ost = ev_evolve_store_new(w->meta);
	if (argc == 1) {
		if (!ev_is_dir(argv[0]))
			ev_usage_error("'%s': one argument must be a registry "
			    "folder", argv[0]);
		w->nst = w->ost;
		if (ev_evolve_registry_scan(argv[0], &w->nreg, NULL, err,
		    sizeof(err)) != 0)
			die_unreadable(err);
		w->have_nreg = 1;
		check_registry(argv[0], &w->nreg, w->official);
		ev_schemajob_preload(w->nst, &w->nreg, 0);
		link_store(w->nst);
		registry_jobs(NULL, &w->nreg, w->ost, w->nst, transitive,
		    &w->jobs, &w->njobs);
		return;
	}
	w->nst = ev_evolve_store_new(w->meta);
	if (ev_is_dir(argv[0]) != ev_is_dir(argv[1])) {
		if (access(argv[0], R_OK) != 0 || access(argv[1], R_OK) != 0)
			ev_die(EV_EXIT_USAGE, "cannot open '%s'",
			    access(argv[0], R_OK) != 0 ? argv[0] : argv[1]);
		ev_usage_error("'%s': OLD and NEW must both be files or both "
		    "registry folders", argv[1]);
	}
	if (!ev_is_dir(argv[0])) {
		if (refdir != NULL) {
			struct ev_evolve_registry rr;
			if (ev_evolve_registry_scan(refdir, &rr, NULL, err,
			    sizeof(err)) != 0)
				die_unreadable(err);
			check_registry(refdir, &rr, w->official);
			ev_schemajob_preload(w->ost, &rr, 0);
			ev_schemajob_preload(w->nst, &rr, 0);
			ev_evolve_registry_free(&rr);
		}
		load_named(w->ost, argv[0]);
		load_named(w->nst, argv[1]);
		link_store(w->ost);
		link_store(w->nst);
		add_job(&w->jobs, &w->njobs, NULL, argv[0], argv[1], w->ost,
		    w->nst, 0);
		return;
	}
	if (ev_evolve_registry_scan(argv[0], &w->oreg, NULL, err,
	    sizeof(err)) != 0)
		die_unreadable(err);
	w->have_oreg = 1;
	if (ev_evolve_registry_scan(argv[1], &w->nreg, NULL, err,
	    sizeof(err)) != 0)
		die_unreadable(err);
	w->have_nreg = 1;
	check_registry(argv[0], &w->oreg, w->official);
	check_registry(argv[1], &w->nreg, w->official);
	ev_schemajob_preload(w->ost, &w->oreg, 0);
	ev_schemajob_preload(w->nst, &w->nreg, 0);
	link_store(w->ost);
	link_store(w->nst);
	registry_jobs(&w->oreg, &w->nreg, w->ost, w->nst, transitive,
	    &w->jobs, &w->njobs);
}

/*
 * The i-th folder that may hold meta-schemas: $EVKIT_METASCHEMAS, the
 * installed copy, the tree beside the program.  Returns 0, or -1 past the
 * last one.
 */
static int
meta_dir(int i, char *dir, size_t size)
{
	const char *env = getenv("EVKIT_METASCHEMAS");
	char exe[PATH_MAX], *slash;
	ssize_t n;

	dir[0] = '\0';
	switch (i) {
	case 0:
		if (env != NULL && *env != '\0')
			snprintf(dir, size, "%s", env);
		return 0;
	case 1:
		snprintf(dir, size, "%s", EV_DATADIR "/schemas/metaschemas");
		return 0;
	case 2:
		if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
			exe[n] = '\0';
			if ((slash = strrchr(exe, '/')) != NULL)
				*slash = '\0';
			snprintf(dir, size, "%s/../schemas/metaschemas", exe);
		}
		return 0;
	}
	return -1;
}

/* The official meta-schemas (as ev-validate loads them), or NULL. */
static struct ev_schema_set *
load_meta(void)
{
	char dir[PATH_MAX + 64], err[512];
	struct ev_schema_set *set;
	int i;

	/* $EVKIT_METASCHEMAS, when set, is the only place looked at. */
	for (i = 0; meta_dir(i, dir, sizeof(dir)) == 0; i++)
		if (dir[0] != '\0' && (i == 0 || access(dir, R_OK) == 0))
			break;
	if (dir[0] == '\0' || access(dir, R_OK) != 0)
		return NULL;
	set = ev_schema_set_new(NULL, EV_SCHEMA_2020_12);
	if (ev_schema_set_add_metaschemas(set, dir, err, sizeof(err)) != 0) {
		ev_warn("meta-schemas: %s", err);
		ev_schema_set_free(set);
		return NULL;
	}
	return set;
}

/*
 * Meta-schemas ev-schema knows beyond the official ones, for lint and for
 * reading schemas written against them: draft-04 (most published Iglu
 * schemas) and Iglu's self-describing meta-schema (draft-04 plus a
 * required "self").  Data files under schemas/metaschemas; a child set of
 * official (borrowed), or official itself when none is found.
 */
static struct ev_schema_set *
load_extra_meta(struct ev_schema_set *official)
{
	static const struct { const char *file, *uri; } extra[] = {
		{ "draft-04/schema.json",
		    "http://json-schema.org/draft-04/schema" },
		{ "iglu/com.snowplowanalytics.self-desc/schema/jsonschema/"
		    "1-0-0.json", "http://iglucentral.com/schemas/"
		    "com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0" }
	};
	struct ev_schema_set *set;
	char dir[PATH_MAX + 64], path[2 * PATH_MAX], err[512];
	size_t e;
	int i, added = 0;

	if (official == NULL)
		return NULL;
	set = ev_schema_set_new(official, EV_SCHEMA_2020_12);
	for (e = 0; e < sizeof(extra) / sizeof(extra[0]); e++)
		for (i = 0; meta_dir(i, dir, sizeof(dir)) == 0; i++) {
			json_t *doc;
			if (dir[0] == '\0')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir,
			    extra[e].file);
			if (access(path, R_OK) != 0)
				continue;
			doc = ev_registry_read_json(path, err, sizeof(err));
			if (doc == NULL || ev_schema_set_add(set, doc,
			    extra[e].uri, err, sizeof(err)) == NULL)
				ev_warn("meta-schema '%s': %s", path, err);
			else
				added++;
			json_decref(doc);
			break;
		}
	if (added == 0 || ev_schema_set_link(set, err, sizeof(err)) != 0) {
		if (added > 0)
			ev_warn("meta-schemas: %s", err);
		ev_schema_set_free(set);
		return official;
	}
	return set;
}

void
ev_schemajob_world_init(struct ev_schemajob_world *w)
{
	memset(w, 0, sizeof(*w));
	w->official = load_meta();
	w->meta = load_extra_meta(w->official);
}

/*
 * Lint one file into rep.  Returns the exit status it asks for on its own:
 * EV_EXIT_USAGE when it cannot be read (reported as an "unreadable"
 * finding, so the other files are still linted), else EV_EXIT_OK.
 */
int
ev_schemajob_lint_file(struct ev_evolve_store *st, const char *path,
    struct ev_schema_set *meta, struct ev_lint_report *rep,
    const struct ev_schemaver *filever)
{
	struct ev_evolve_doc *d;
	struct ev_schemaver v;
	char err[1024];

	d = ev_evolve_load(st, path, err, sizeof(err));
	if (d == NULL) {
		ev_lint_add(rep, 1, path, "unreadable", "", "%s", err);
		return EV_EXIT_USAGE;
	}
	ev_lint_schema(d, path, meta, rep);
	if (filever != NULL && ev_evolve_version_of(NULL, ev_evolve_doc_root(d),
	    &v) == 0 && ev_schemaver_cmp(&v, filever) != 0) {
		char a[64], b[64];
		ev_schemaver_format(&v, a, sizeof(a));
		ev_schemaver_format(filever, b, sizeof(b));
		ev_lint_add(rep, 1, path, "version-mismatch", "",
		    "the schema says version %s but the file is named %s.json",
		    a, b);
	}
	return EV_EXIT_OK;
}
