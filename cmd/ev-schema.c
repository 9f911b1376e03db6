/*
 * ev-schema - schema changes in CI: compatibility verdicts between two
 * versions of a schema (or two states of a registry folder), the SchemaVer
 * bump a change requires, and lint.
 *
 * A program of its own rather than ev-validate options: ev-validate is a
 * stream filter over NDJSON, these are one-shot checks over schema files
 * whose exit status is the verdict.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "ev_common.h"
#include "ev_evolve.h"
#include "ev_lint.h"
#include "ev_registry.h"
#include "ev_run.h"
#include "ev_schema.h"
#include "ev_schemaver.h"

#define USAGE_LINES \
"usage: ev-schema compat [-j] [-m mode] [-r dir] old new\n" \
"       ev-schema compat [-j] [-m mode] dir\n" \
"       ev-schema bump [-js] [-r dir] old new\n" \
"       ev-schema lint [-j] schema|dir ...\n"

static const char usage[] = USAGE_LINES
"Check schema changes: compatibility of NEW with OLD under MODE, the\n"
"SchemaVer part a change must bump, and lint.  OLD and NEW are schema\n"
"files or registry folders (DIR/<event>/<MODEL-REVISION-ADDITION>.json).\n"
"\n"
"  -h, --help         print this help and exit\n"
"  -j, --json         write one JSON object instead of text\n"
"  -m, --mode MODE    none, backward, forward, full, backward-transitive,\n"
"                     forward-transitive, full-transitive (backward)\n"
"  -r, --registry DIR resolve $id references of OLD and NEW files in DIR\n"
"  -s, --suggest      bump: print the version NEW should have\n"
"  -V, --version      print the version and exit\n"
"\n"
"Exit status: 0 compatible / bump enough / no lint errors, 1 not,\n"
"2 usage error or unreadable schema, 3 output failure.\n";

enum cmd { CMD_COMPAT, CMD_BUMP, CMD_LINT };

struct opts {
	enum cmd		 cmd;
	enum ev_evolve_mode	 mode;
	int			 json;
	int			 suggest;
	const char		*registry;
};

/* One comparison between two schema files. */
struct pairjob {
	char			*event;		/* NULL for two files */
	const char		*old_path, *new_path;
	struct ev_evolve_store	*ost, *nst;	/* borrowed */
	int			 removed;	/* old version gone from NEW */
};

static struct ev_schema_set *load_meta(void);
static struct ev_schema_set *load_extra_meta(struct ev_schema_set *official);

static int
is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void
die_unreadable(const char *err)
{
	ev_die(EV_EXIT_USAGE, "%s", err);
}

static void
show_ptr(FILE *f, const char *p)
{
	fputs(p[0] != '\0' ? p : "(root)", f);
}

static json_t *
change_json(const struct ev_evolve_change *c, enum ev_evolve_mode mode)
{
	return json_pack("{ss ss ss ss sb ss}", "kind", c->kind, "direction",
	    ev_evolve_dir_name(c->dir), "old", c->old_ptr, "new", c->new_ptr,
	    "allowed", ev_evolve_allowed(mode, c->dir), "message", c->message);
}

static void
print_change(const struct ev_evolve_change *c, enum ev_evolve_mode mode)
{
	int ok = ev_evolve_allowed(mode, c->dir);

	printf("  %-11s %s (%s): old ", ok ? "allowed" : "NOT ALLOWED",
	    c->kind, ev_evolve_dir_name(c->dir));
	show_ptr(stdout, c->old_ptr);
	printf(" new ");
	show_ptr(stdout, c->new_ptr);
	printf(": %s\n", c->message);
}

static void
version_text(const char *path, struct ev_evolve_doc *d, char *buf,
    size_t size)
{
	struct ev_schemaver v;

	if (ev_evolve_version_of(path, ev_evolve_doc_root(d), &v) == 0)
		ev_schemaver_format(&v, buf, size);
	else
		snprintf(buf, size, "?");
}

/*
 * Run one comparison.  Returns the changes (caller frees) or exits 2 when a
 * schema cannot be read or a $ref not resolved.
 */
static void
compare_job(struct pairjob *j, struct ev_evolve_changes *ch,
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
add_job(struct pairjob **jobs, size_t *n, const char *event,
    const char *o, const char *nw, struct ev_evolve_store *ost,
    struct ev_evolve_store *nst, int removed)
{
	*jobs = ev_xreallocarray(*jobs, *n + 1, sizeof(**jobs));
	(*jobs)[*n] = (struct pairjob){ event ? ev_xstrdup(event) : NULL, o,
	    nw, ost, nst, removed };
	(*n)++;
}

/*
 * Load every file of a registry, so "$id" references resolve.  An
 * unreadable file ends the run unless tolerant (lint reports it itself).
 */
static void
preload(struct ev_evolve_store *st, const struct ev_evolve_registry *r,
    int tolerant)
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
    struct ev_evolve_store *nst, int transitive, struct pairjob **jobs,
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

struct world {
	struct ev_schema_set		*official, *meta;
	struct ev_evolve_store		*ost, *nst;
	struct ev_evolve_registry	 oreg, nreg;
	int				 have_oreg, have_nreg;
	struct pairjob			*jobs;
	size_t				 njobs;
};

static void
world_free(struct world *w)
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

static void
build_world(struct world *w, int argc, char **argv, int transitive,
    const char *refdir)
{
	char err[1024];

	memset(w, 0, sizeof(*w));
	w->official = load_meta();
	w->meta = load_extra_meta(w->official);
	w->ost = ev_evolve_store_new(w->meta);
	if (argc == 1) {
		if (!is_dir(argv[0]))
			ev_usage_error("'%s': one argument must be a registry "
			    "folder", argv[0]);
		w->nst = w->ost;
		if (ev_evolve_registry_scan(argv[0], &w->nreg, NULL, err,
		    sizeof(err)) != 0)
			die_unreadable(err);
		w->have_nreg = 1;
		check_registry(argv[0], &w->nreg, w->official);
		preload(w->nst, &w->nreg, 0);
		link_store(w->nst);
		registry_jobs(NULL, &w->nreg, w->ost, w->nst, transitive,
		    &w->jobs, &w->njobs);
		return;
	}
	w->nst = ev_evolve_store_new(w->meta);
	if (is_dir(argv[0]) != is_dir(argv[1])) {
		if (access(argv[0], R_OK) != 0 || access(argv[1], R_OK) != 0)
			ev_die(EV_EXIT_USAGE, "cannot open '%s'",
			    access(argv[0], R_OK) != 0 ? argv[0] : argv[1]);
		ev_usage_error("'%s': OLD and NEW must both be files or both "
		    "registry folders", argv[1]);
	}
	if (!is_dir(argv[0])) {
		if (refdir != NULL) {
			struct ev_evolve_registry rr;
			if (ev_evolve_registry_scan(refdir, &rr, NULL, err,
			    sizeof(err)) != 0)
				die_unreadable(err);
			check_registry(refdir, &rr, w->official);
			preload(w->ost, &rr, 0);
			preload(w->nst, &rr, 0);
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
	preload(w->ost, &w->oreg, 0);
	preload(w->nst, &w->nreg, 0);
	link_store(w->ost);
	link_store(w->nst);
	registry_jobs(&w->oreg, &w->nreg, w->ost, w->nst, transitive,
	    &w->jobs, &w->njobs);
}

static int
run_compat(const struct opts *o, int argc, char **argv)
{
	struct world w;
	json_t *out = NULL, *comps = NULL;
	size_t i, k, bad = 0;

	build_world(&w, argc, argv, ev_evolve_mode_transitive(o->mode),
	    o->registry);
	if (o->json) {
		out = json_object();
		comps = json_array();
	}
	for (i = 0; i < w.njobs; i++) {
		struct pairjob *j = &w.jobs[i];
		struct ev_evolve_changes ch = { NULL, 0, 0 };
		struct ev_evolve_doc *od, *nd;
		char ov[64], nv[64];
		int ok = 1;

		compare_job(j, &ch, &od, &nd);
		version_text(j->old_path, od, ov, sizeof(ov));
		if (j->removed) {
			snprintf(nv, sizeof(nv), "-");
			ok = o->mode == EV_EVOLVE_MODE_NONE;
		} else
			version_text(j->new_path, nd, nv, sizeof(nv));
		for (k = 0; k < ch.n; k++)
			if (!ev_evolve_allowed(o->mode, ch.v[k].dir))
				ok = 0;
		bad += !ok;
		if (o->json) {
			json_t *cs = json_array(), *c;
			for (k = 0; k < ch.n; k++)
				json_array_append_new(cs, change_json(&ch.v[k],
				    o->mode));
			if (j->removed)
				json_array_append_new(cs, json_pack(
				    "{ss ss ss ss sb ss}", "kind",
				    "version_removed", "direction", "both",
				    "old", "", "new", "", "allowed", ok,
				    "message", "the version was removed from "
				    "the registry"));
			c = json_pack("{ss ss ss ss sb so}", "old",
			    j->old_path, "new", j->removed ? "" : j->new_path,
			    "old_version", ov, "new_version", nv,
			    "compatible", ok, "changes", cs);
			if (j->event != NULL)
				json_object_set_new(c, "event",
				    json_string(j->event));
			json_array_append_new(comps, c);
		} else {
			if (j->event != NULL)
				printf("%s %s -> %s", j->event, ov, nv);
			else
				printf("%s -> %s", j->old_path, j->new_path);
			printf(" (%s): %s, %zu change%s\n",
			    ev_evolve_mode_name(o->mode), ok ? "compatible" :
			    "incompatible", ch.n + (size_t)j->removed,
			    ch.n + (size_t)j->removed == 1 ? "" : "s");
			if (j->removed)
				printf("  %-11s version_removed (both): old "
				    "(root) new (root): the version was "
				    "removed from the registry\n", ok ?
				    "allowed" : "NOT ALLOWED");
			for (k = 0; k < ch.n; k++)
				print_change(&ch.v[k], o->mode);
		}
		ev_evolve_changes_free(&ch);
	}
	if (o->json) {
		json_object_set_new(out, "mode",
		    json_string(ev_evolve_mode_name(o->mode)));
		json_object_set_new(out, "compatible", json_boolean(bad == 0));
		json_object_set_new(out, "comparisons", comps);
		json_dumpf(out, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(out);
	} else if (w.njobs != 1)
		printf("%zu comparison%s, %zu incompatible (%s)\n", w.njobs,
		    w.njobs == 1 ? "" : "s", bad,
		    ev_evolve_mode_name(o->mode));
	world_free(&w);
	return bad ? EV_EXIT_DATA : EV_EXIT_OK;
}

static int
run_bump(const struct opts *o, int argc, char **argv)
{
	struct world w;
	json_t *out = NULL, *checks = NULL;
	size_t i, k, bad = 0;
	char err[1024];

	build_world(&w, argc, argv, 0, o->registry);
	if (o->json) {
		out = json_object();
		checks = json_array();
	}
	for (i = 0; i < w.njobs; i++) {
		struct pairjob *j = &w.jobs[i];
		struct ev_evolve_changes ch = { NULL, 0, 0 };
		struct ev_evolve_doc *od, *nd;
		struct ev_schemaver ov, nv, sv;
		enum ev_schemaver_part req, got;
		char os[64], ns[64], ss[64];
		int ok;

		if (j->removed)
			continue;
		compare_job(j, &ch, &od, &nd);
		if (ev_evolve_version_of(j->old_path, ev_evolve_doc_root(od),
		    &ov) != 0 || ev_evolve_version_of(j->new_path,
		    ev_evolve_doc_root(nd), &nv) != 0) {
			snprintf(err, sizeof(err), "cannot tell the SchemaVer "
			    "version of '%s' (self.version, $id or a file "
			    "named M-R-A.json)", ev_evolve_version_of(
			    j->old_path, ev_evolve_doc_root(od), &ov) != 0 ?
			    j->old_path : j->new_path);
			ev_evolve_changes_free(&ch);
			die_unreadable(err);
		}
		req = ev_evolve_required_part(&ch);
		got = ev_schemaver_cmp(&ov, &nv) < 0 ?
		    ev_schemaver_diff(&ov, &nv) : EV_SCHEMAVER_NONE;
		ok = ev_schemaver_cmp(&ov, &nv) <= 0 && got >= req;
		sv = ev_schemaver_bump(&ov, req);
		ev_schemaver_format(&ov, os, sizeof(os));
		ev_schemaver_format(&nv, ns, sizeof(ns));
		ev_schemaver_format(&sv, ss, sizeof(ss));
		bad += !ok;
		if (o->suggest && !o->json) {
			if (j->event != NULL)
				printf("%s %s: %s\n", j->event, ns, ss);
			else
				printf("%s\n", ss);
		} else if (o->json) {
			json_t *cs = json_array(), *c;
			for (k = 0; k < ch.n; k++)
				json_array_append_new(cs, change_json(&ch.v[k],
				    EV_EVOLVE_MODE_BACKWARD));
			c = json_pack("{ss ss ss ss ss ss sb ss so}", "old",
			    j->old_path, "new", j->new_path, "old_version", os,
			    "new_version", ns, "required",
			    ev_schemaver_part_name(req), "bumped",
			    ev_schemaver_part_name(got), "ok", ok, "suggest",
			    ss, "changes", cs);
			if (j->event != NULL)
				json_object_set_new(c, "event",
				    json_string(j->event));
			json_array_append_new(checks, c);
		} else {
			if (j->event != NULL)
				printf("%s ", j->event);
			printf("%s -> %s: needs %s, bumps %s: %s", os, ns,
			    ev_schemaver_part_name(req),
			    ev_schemaver_part_name(got), ok ? "ok" :
			    "too small");
			if (!ok)
				printf(" (use %s)", ss);
			putchar('\n');
			for (k = 0; k < ch.n && !ok; k++)
				printf("  %s (%s): %s\n", ch.v[k].kind,
				    ev_evolve_dir_name(ch.v[k].dir),
				    ch.v[k].message);
		}
		ev_evolve_changes_free(&ch);
	}
	if (!o->json && !o->suggest && w.njobs != 1)
		printf("%zu check%s, %zu too small\n", w.njobs,
		    w.njobs == 1 ? "" : "s", bad);
	if (o->json) {
		json_object_set_new(out, "ok", json_boolean(bad == 0));
		json_object_set_new(out, "checks", checks);
		json_dumpf(out, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(out);
	}
	world_free(&w);
	if (o->suggest)
		return EV_EXIT_OK;
	return bad ? EV_EXIT_DATA : EV_EXIT_OK;
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

/* The worse of two exit statuses (0 < 1 < 2). */
static int
worse(int a, int b)
{
	return a > b ? a : b;
}

/*
 * Lint one file into rep.  Returns the exit status it asks for on its own:
 * EV_EXIT_USAGE when it cannot be read (reported as an "unreadable"
 * finding, so the other files are still linted), else EV_EXIT_OK.
 */
static int
lint_file(struct ev_evolve_store *st, const char *path,
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

static int
run_lint(const struct opts *o, int argc, char **argv)
{
	struct ev_lint_report rep = { NULL, 0, 0, 0, 0 };
	struct ev_schema_set *official = load_meta();
	struct ev_schema_set *meta = load_extra_meta(official);
	int a, worst = EV_EXIT_OK;
	size_t i, k;

	for (a = 0; a < argc; a++) {
		struct ev_evolve_store *st = ev_evolve_store_new(meta);
		if (is_dir(argv[a])) {
			struct ev_evolve_registry r;
			json_t *stray, *v;
			char err[1024];

			if (ev_evolve_registry_scan(argv[a], &r, &stray, err,
			    sizeof(err)) != 0)
				die_unreadable(err);
			preload(st, &r, 1);
			for (i = 0; i < r.n; i++)
				for (k = 0; k < r.ev[i].n; k++)
					worst = worse(worst, lint_file(st,
					    r.ev[i].v[k].path, meta, &rep,
					    &r.ev[i].v[k].ver));
			json_array_foreach(stray, i, v) {
				ev_lint_add(&rep, 0, json_string_value(v),
				    "layout", "", "not in the registry layout "
				    "DIR/<event>/<MODEL-REVISION-ADDITION>.json");
			}
			json_decref(stray);
			ev_evolve_registry_free(&r);
		} else
			worst = worse(worst, lint_file(st, argv[a], meta, &rep,
			    NULL));
		ev_evolve_store_free(st);
	}
	if (o->json) {
		json_t *out = json_object(), *fs = json_array();
		for (i = 0; i < rep.n; i++)
			json_array_append_new(fs, json_pack(
			    "{ss ss ss ss ss}", "file", rep.v[i].file,
			    "severity", rep.v[i].error ? "error" : "warning",
			    "rule", rep.v[i].rule, "location", rep.v[i].ptr,
			    "message", rep.v[i].message));
		json_object_set_new(out, "errors",
		    json_integer((json_int_t)rep.errors));
		json_object_set_new(out, "warnings",
		    json_integer((json_int_t)rep.warnings));
		json_object_set_new(out, "metaschema", json_boolean(meta !=
		    NULL));
		json_object_set_new(out, "findings", fs);
		json_dumpf(out, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(out);
	} else {
		for (i = 0; i < rep.n; i++) {
			printf("%s: %s: %s: ", rep.v[i].file, rep.v[i].error ?
			    "error" : "warning", rep.v[i].rule);
			show_ptr(stdout, rep.v[i].ptr);
			printf(": %s\n", rep.v[i].message);
		}
		printf("%zu error%s, %zu warning%s%s\n", rep.errors,
		    rep.errors == 1 ? "" : "s", rep.warnings,
		    rep.warnings == 1 ? "" : "s", meta == NULL ?
		    " (no meta-schemas found: keyword types checked "
		    "structurally)" : "");
	}
	a = worse(worst, rep.errors ? EV_EXIT_DATA : EV_EXIT_OK);
	ev_lint_report_free(&rep);
	if (meta != official)
		ev_schema_set_free(meta);
	ev_schema_set_free(official);
	return a;
}

/*
 * The command and options into o; argv and argc are left at the operands.
 * A bad one ends the run (exit 2).
 */
static void
parse_options(struct opts *o, int *argcp, char ***argvp)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "mode", required_argument, NULL, 'm' },
		{ "registry", required_argument, NULL, 'r' },
		{ "suggest", no_argument, NULL, 's' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const cmds[] = { "compat", "bump", "lint", NULL };
	static const enum cmd cmd_of[] = { CMD_COMPAT, CMD_BUMP, CMD_LINT };
	int argc = *argcp, c, i, have_cmd = 0;
	char **argv = *argvp;
	const char *mode = NULL;

	*o = (struct opts){ CMD_COMPAT, EV_EVOLVE_MODE_BACKWARD, 0, 0, NULL };
	if (argc >= 2 && argv[1][0] != '-') {
		/* The command comes first; its options follow. */
		if ((i = ev_word_index(argv[1], cmds)) < 0)
			ev_usage_error("unknown command '%s'", argv[1]);
		o->cmd = cmd_of[i];
		argc--;
		argv++;
		have_cmd = 1;
	}
	while ((c = getopt_long(argc, argv, "hjm:r:sV", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			ev_run_help(usage);
		case 'V':
			ev_run_version();
		case 'j':
			o->json = 1;
			break;
		case 'm':
			mode = optarg;
			if (ev_evolve_mode_parse(optarg, &o->mode) != 0)
				ev_usage_error("unknown mode '%s'", optarg);
			break;
		case 'r':
			o->registry = optarg;
			break;
		case 's':
			o->suggest = 1;
			break;
		default:
			/* getopt_long has said what is wrong. */
			ev_usage_try();
		}
	}
	if (!have_cmd)
		ev_usage_error("missing command (compat, bump or lint)");
	argc -= optind;
	argv += optind;
	if (mode != NULL && o->cmd != CMD_COMPAT)
		ev_usage_error("--mode applies to compat only");
	if (o->registry != NULL && o->cmd == CMD_LINT)
		ev_usage_error("--registry applies to compat and bump only");
	if (o->suggest && o->cmd != CMD_BUMP)
		ev_usage_error("--suggest applies to bump only");
	if (o->cmd == CMD_LINT && argc < 1)
		ev_usage_error("lint needs a schema or a folder");
	if (o->cmd != CMD_LINT && (argc < 1 || argc > 2 ||
	    (o->cmd == CMD_BUMP && argc != 2 && !is_dir(argv[0]))))
		ev_usage_error(o->cmd == CMD_BUMP ? "bump needs OLD and NEW" :
		    "compat needs OLD and NEW, or one folder");
	*argcp = argc;
	*argvp = argv;
}

int
main(int argc, char **argv)
{
	struct opts o;
	int rc;

	ev_set_argv0_base(argv);
	ev_set_progname("ev-schema");
	ev_run_signals();	/* a closed pipe ends it quietly, as the others */
	parse_options(&o, &argc, &argv);

	switch (o.cmd) {
	case CMD_LINT:
		rc = run_lint(&o, argc, argv);
		break;
	case CMD_COMPAT:
		rc = run_compat(&o, argc, argv);
		break;
	case CMD_BUMP:
	default:
		rc = run_bump(&o, argc, argv);
		break;
	}
	return ev_run_close_stdout() == 0 ? rc : EV_EXIT_RUNTIME;
}
