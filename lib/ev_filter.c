/*
 * ev_filter.c - --where, --set and --unset over the expression language.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_filter.h"
#include "ev_run.h"

void
ev_filter_init(struct ev_filter *f)
{
	memset(f, 0, sizeof(*f));
	ev_buf_init(&f->text);
}

int
ev_filter_add(struct ev_filter *f, const char *opt, const char *arg,
    char *err, size_t errlen)
{
	const char *es;

	if (strcmp(opt, "--where") == 0) {
		if (f->where_text != NULL) {
			ev_errf(err, errlen, "--where given twice: join the "
			    "conditions with 'and'");
			return -1;
		}
		f->where_text = ev_xstrdup(arg);
		return 0;
	}
	if (strcmp(opt, "--set") == 0 || strcmp(opt, "--derive") == 0) {
		if (f->nset == EV_FILTER_MAX)
			goto many;
		f->set_opt = strcmp(opt, "--set") == 0 ? "--set" : "--derive";
		f->set_text[f->nset++] = ev_xstrdup(arg);
		return 0;
	}
	if (f->nunset == EV_FILTER_MAX)
		goto many;
	if ((f->unset[f->nunset] = ev_path_compile(arg, &es)) == NULL) {
		ev_errf(err, errlen, "--unset '%s': %s", arg, es);
		return -1;
	}
	f->nunset++;
	return 0;
many:
	ev_errf(err, errlen, "more than %d %s options", EV_FILTER_MAX, opt);
	return -1;
}

int
ev_filter_compile(struct ev_filter *f, const struct ev_path *time_path,
    char *err, size_t errlen)
{
	char msg[512];
	size_t i;

	if (f->where_text != NULL && (f->where = ev_expr_compile(f->where_text,
	    0, time_path, msg, sizeof(msg))) == NULL) {
		ev_errf(err, errlen, "--where '%s': %s", f->where_text, msg);
		return -1;
	}
	for (i = 0; i < f->nset; i++)
		if ((f->set[i] = ev_expr_compile_set(f->set_text[i],
		    time_path, &f->target[i], msg, sizeof(msg))) == NULL) {
			ev_errf(err, errlen, "%s '%s': %s", f->set_opt,
			    f->set_text[i], msg);
			return -1;
		}
	return 0;
}

int
ev_filter_changes(const struct ev_filter *f)
{
	return f->nset > 0 || f->nunset > 0;
}

int
ev_filter_where(struct ev_filter *f, const struct ev_rec *rec,
    json_t **errors)
{
	int r;

	*errors = NULL;
	if (f->where == NULL)
		return 1;
	if ((r = ev_expr_test(f->where, rec)) < 0) {
		*errors = ev_expr_reject(f->where, "--where");
		return -1;
	}
	if (r == 0)
		f->n_filtered++;
	return r;
}

int
ev_filter_skip(struct ev_filter *f, struct ev_run *run,
    const struct ev_line *line, const struct ev_rec *rec)
{
	json_t *errs;
	int r = ev_filter_where(f, rec, &errs);

	if (r > 0)
		return 0;
	if (r < 0)
		ev_run_reject(run, line, "where", errs);
	else
		run->n_filtered++;
	return 1;
}

/* Set the value of expression i at its target. */
static json_t *
set_one(struct ev_filter *f, struct ev_rec *rec, size_t i)
{
	const struct ev_path *p = f->target[i];
	struct ev_expr_val v;
	json_error_t je;
	json_t *j;

	if (ev_expr_eval(f->set[i], rec, &v) != 0)
		return ev_expr_reject(f->set[i], f->set_opt);
	ev_buf_reset(&f->text);
	ev_expr_write(f->set[i], rec, &v, &f->text);
	if (p->nseg == 1) {
		ev_rec_add_raw(rec, p->seg[0].key, f->text.data, f->text.len);
		return NULL;
	}
	j = json_loadb(f->text.data, f->text.len, JSON_DECODE_ANY, &je);
	if (ev_rec_set(rec, p, j) != 0)
		return json_pack("[o]", ev_run_error(NULL, "%s '%s': %s "
		    "cannot be set: a value in the way is no object",
		    f->set_opt, ev_expr_text(f->set[i]), p->spec));
	return NULL;
}

size_t
ev_filter_derive(struct ev_filter *f, struct ev_rec *rec)
{
	json_t *errs;
	size_t i, bad = 0;

	for (i = 0; i < f->nset; i++) {
		if ((errs = set_one(f, rec, i)) == NULL)
			continue;
		if (!f->warned++)
			ev_warn("%s (written as null; counted as derive_errors "
			    "in --stats)", json_string_value(json_object_get(
			    json_array_get(errs, 0), "message")));
		json_decref(errs);
		(void)ev_rec_set(rec, f->target[i], json_null());
		bad++;
	}
	return bad;
}

json_t *
ev_filter_apply(struct ev_filter *f, struct ev_rec *rec)
{
	json_t *errs;
	size_t i;

	if (!ev_filter_changes(f))
		return NULL;
	for (i = 0; i < f->nset; i++)
		if ((errs = set_one(f, rec, i)) != NULL)
			return errs;
	for (i = 0; i < f->nunset; i++)
		(void)ev_rec_del(rec, f->unset[i]);
	f->n_set++;
	return NULL;
}

json_t *
ev_filter_stats(const struct ev_filter *f)
{
	json_t *o = json_pack("{sI}", "filtered", (json_int_t)f->n_filtered);

	if (ev_filter_changes(f))
		json_object_set_new(o, "changed", json_integer(
		    (json_int_t)f->n_set));
	return o;
}

void
ev_filter_free(struct ev_filter *f)
{
	size_t i;

	free(f->where_text);
	ev_expr_free(f->where);
	for (i = 0; i < f->nset; i++) {
		free(f->set_text[i]);
		ev_expr_free(f->set[i]);
		ev_path_free(f->target[i]);
	}
	for (i = 0; i < f->nunset; i++)
		ev_path_free(f->unset[i]);
	ev_buf_free(&f->text);
	memset(f, 0, sizeof(*f));
}
