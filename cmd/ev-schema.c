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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ev_common.h"
#include "ev_evolve.h"
#include "ev_lint.h"
#include "ev_run.h"
#include "ev_schemajob.h"
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

static int
run_compat(const struct opts *o, struct ev_schemajob_world *w)
{
	json_t *out = NULL, *comps = NULL;
	size_t i, k, bad = 0;

	if (o->json) {
		out = json_object();
		comps = json_array();
	}
	for (i = 0; i < w->njobs; i++) {
		struct ev_schemajob *j = &w->jobs[i];
		struct ev_evolve_changes ch = { NULL, 0, 0 };
		struct ev_evolve_doc *od, *nd;
		char ov[64], nv[64];
		int ok = 1;

		ev_schemajob_compare(j, &ch, &od, &nd);
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
	} else if (w->njobs != 1)
		printf("%zu comparison%s, %zu incompatible (%s)\n", w->njobs,
		    w->njobs == 1 ? "" : "s", bad,
		    ev_evolve_mode_name(o->mode));
	return bad ? EV_EXIT_DATA : EV_EXIT_OK;
}

static int
run_bump(const struct opts *o, struct ev_schemajob_world *w)
{
	json_t *out = NULL, *checks = NULL;
	size_t i, k, bad = 0;
	char err[1024];

	if (o->json) {
		out = json_object();
		checks = json_array();
	}
	for (i = 0; i < w->njobs; i++) {
		struct ev_schemajob *j = &w->jobs[i];
		struct ev_evolve_changes ch = { NULL, 0, 0 };
		struct ev_evolve_doc *od, *nd;
		struct ev_schemaver ov, nv, sv;
		enum ev_schemaver_part req, got;
		char os[64], ns[64], ss[64];
		int ok;

		if (j->removed)
			continue;
		ev_schemajob_compare(j, &ch, &od, &nd);
		if (ev_evolve_version_of(j->old_path, ev_evolve_doc_root(od),
		    &ov) != 0 || ev_evolve_version_of(j->new_path,
		    ev_evolve_doc_root(nd), &nv) != 0) {
			snprintf(err, sizeof(err), "cannot tell the SchemaVer "
			    "version of '%s' (self.version, $id or a file "
			    "named M-R-A.json)", ev_evolve_version_of(
			    j->old_path, ev_evolve_doc_root(od), &ov) != 0 ?
			    j->old_path : j->new_path);
			ev_evolve_changes_free(&ch);
			ev_die(EV_EXIT_USAGE, "%s", err);
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
	if (!o->json && !o->suggest && w->njobs != 1)
		printf("%zu check%s, %zu too small\n", w->njobs,
		    w->njobs == 1 ? "" : "s", bad);
	if (o->json) {
		json_object_set_new(out, "ok", json_boolean(bad == 0));
		json_object_set_new(out, "checks", checks);
		json_dumpf(out, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(out);
	}
	if (o->suggest)
		return EV_EXIT_OK;
	return bad ? EV_EXIT_DATA : EV_EXIT_OK;
}

/* The worse of two exit statuses (0 < 1 < 2). */
static int
worse(int a, int b)
{
	return a > b ? a : b;
}

static int
run_lint(const struct opts *o, struct ev_schema_set *meta, int argc,
    char **argv)
{
	struct ev_lint_report rep = { NULL, 0, 0, 0, 0 };
	int a, worst = EV_EXIT_OK;
	size_t i, k;

	for (a = 0; a < argc; a++) {
		struct ev_evolve_store *st = ev_evolve_store_new(meta);
		if (ev_is_dir(argv[a])) {
			struct ev_evolve_registry r;
			json_t *stray, *v;
			char err[1024];

			if (ev_evolve_registry_scan(argv[a], &r, &stray, err,
			    sizeof(err)) != 0)
				ev_die(EV_EXIT_USAGE, "%s", err);
			ev_schemajob_preload(st, &r, 1);
			for (i = 0; i < r.n; i++)
				for (k = 0; k < r.ev[i].n; k++)
					worst = worse(worst,
					    ev_schemajob_lint_file(st,
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
			worst = worse(worst, ev_schemajob_lint_file(st,
			    argv[a], meta, &rep, NULL));
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
	    (o->cmd == CMD_BUMP && argc != 2 && !ev_is_dir(argv[0]))))
		ev_usage_error(o->cmd == CMD_BUMP ? "bump needs OLD and NEW" :
		    "compat needs OLD and NEW, or one folder");
	*argcp = argc;
	*argvp = argv;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct ev_schemajob_world w;
	int rc;

	ev_set_argv0_base(argv);
	ev_set_progname("ev-schema");
	ev_run_signals();	/* a closed pipe ends it quietly, as the others */
	parse_options(&o, &argc, &argv);

	ev_schemajob_world_init(&w);
	if (o.cmd == CMD_LINT) {
		rc = run_lint(&o, w.meta, argc, argv);
		goto out;
	}
	ev_schemajob_build(&w, argc, argv, o.cmd == CMD_COMPAT &&
	    ev_evolve_mode_transitive(o.mode), o.registry);
	rc = o.cmd == CMD_COMPAT ? run_compat(&o, &w) : run_bump(&o, &w);
out:
	ev_schemajob_world_free(&w);
	return ev_run_close_stdout() == 0 ? rc : EV_EXIT_RUNTIME;
}
