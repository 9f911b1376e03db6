/*
 * ev_report_build.c - the report's model from the store: the range,
 * the change basis, the header's counts and one model per metric
 * (ev_report_metric.c); and the check of a model read back.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_report_fmt.h"
#include "ev_report_store.h"
#include "ev_report_store_int.h"

/*
 * The spacing of the records themselves: the step before --step (the
 * shortest window, else the smallest gap in a series).
 */
static ev_us_t
rep_nat_step(struct ev_report_store *s, const size_t *ord)
{
	ev_us_t tmin, tmax, nat, want = s->o.step;

	s->o.step = 0;
	ev_report_store_span(s, ord, &tmin, &tmax, &nat);
	s->o.step = want;
	return nat;
}

/*
 * Flag the records that a record of the same series as long as the step
 * holds (their time within its window and their window shorter): with
 * hourly and daily records and --step 1d, a day is its daily record.
 */
static void
rep_mark_shadow(struct ev_report_builder *B)
{
	const struct ev_report_store *s = B->s;
	size_t i, j;

	B->shadow = ev_xcalloc(s->nent ? s->nent : 1, 1);
	for (i = 0; i < s->nent; i++) {
		const struct ev_report_entry *e = &s->ent[B->ord[i]], *f;

		if (e->end - e->t != B->step || B->step == B->nat)
			continue;
		for (j = i; j > 0; j--) {
			f = &s->ent[B->ord[j - 1]];
			if (f->series != e->series || f->t != e->t)
				break;
			if (ev_report_entry_end(f) - f->t < B->step)
				B->shadow[B->ord[j - 1]] = 1;
		}
		for (j = i + 1; j < s->nent; j++) {
			f = &s->ent[B->ord[j]];
			if (f->series != e->series || f->t >= e->end)
				break;
			if (ev_report_entry_end(f) - f->t < B->step)
				B->shadow[B->ord[j]] = 1;
		}
	}
}

/*
 * Flag the points whose earlier point (off before) is partial, and find
 * the last complete point with data.
 */
static void
rep_mark_prev(struct ev_report_builder *B)
{
	const struct ev_report_store *s = B->s;
	char *have = ev_xcalloc(B->n ? B->n : 1, 1);
	size_t i;

	B->ppart = ev_xcalloc(B->n ? B->n : 1, 1);
	B->lastpt = -1;
	for (i = 0; i < s->nent; i++) {
		const struct ev_report_entry *e = &s->ent[B->ord[i]];

		if (i + 1 < s->nent && s->ent[B->ord[i + 1]].series ==
		    e->series && s->ent[B->ord[i + 1]].t == e->t)
			continue;	/* replaced by a later record */
		if (e->t >= B->since && e->t < B->until)
			have[(e->t - B->since) / B->step] = 1;
		if (B->off > 0 && e->partial && e->t >= B->since - B->off &&
		    e->t < B->until - B->off &&
		    (size_t)((e->t + B->off - B->since) / B->step) < B->n)
			B->ppart[(e->t + B->off - B->since) / B->step] = 1;
	}
	for (i = B->n; i > 0; i--)
		if (have[i - 1] && !B->part[i - 1]) {
			B->lastpt = (int64_t)i - 1;
			break;
		}
	if (B->off <= 0)
		B->lastpt = -1;
	free(have);
}

/*
 * What the change figures compare: {"kind":"range"|"point", "current":
 * {start,end}, "previous":{start,end}, "offset":D}, or null when nothing
 * can be compared.
 */
static json_t *
rep_basis_json(const struct ev_report_builder *B)
{
	char buf[EV_TIME_BUFSZ];
	ev_us_t a, z;

	if (B->has_prev) {
		a = B->since;
		z = B->until;
	} else if (B->lastpt >= 0) {
		a = B->since + (ev_us_t)B->lastpt * B->step;
		z = a + B->step;
	} else {
		return json_null();
	}
	return json_pack("{s:s,s:{s:o,s:o},s:{s:o,s:o},s:s}", "kind",
	    B->has_prev ? "range" : "point", "current", "start",
	    ev_report_json_time(a), "end", ev_report_json_time(z), "previous",
	    "start", ev_report_json_time(a - B->off), "end",
	    ev_report_json_time(z - B->off), "offset",
	    ev_duration_format(B->off, buf));
}

json_t *
ev_report_build(struct ev_report_store *s, const struct ev_report_counts *c,
    char *err, size_t errlen)
{
	struct ev_report_builder B;
	json_t *model, *metrics, *by, *rec;
	ev_us_t tmin, tmax, step;
	size_t i, used = 0, nanom = 0, nser = 0;
	char buf[EV_TIME_BUFSZ];

	memset(&B, 0, sizeof(B));
	B.s = s;
	/* Metrics: as given, or every numeric member seen, in order. */
	if (s->o.nmetrics > 0) {
		B.nmetric = s->o.nmetrics;
		B.metric = ev_xcalloc(B.nmetric, sizeof(*B.metric));
		B.mname = ev_xcalloc(B.nmetric, sizeof(*B.mname));
		for (i = 0; i < B.nmetric; i++) {
			/* Interned first, so name index i is metric i. */
			B.metric[i] = (int32_t)i;
			B.mname[i] = s->o.metrics[i];
		}
	} else {
		B.metric = ev_xcalloc(s->nname + 1, sizeof(*B.metric));
		B.mname = ev_xcalloc(s->nname + 1, sizeof(*B.mname));
		for (i = 0; i < s->nname; i++)
			if (s->name[i].is_metric) {
				B.metric[B.nmetric] = (int32_t)i;
				B.mname[B.nmetric++] = s->name[i].s;
			}
	}
	/* Order the records by series, time and arrival. */
	B.ord = ev_xreallocarray(NULL, s->nent ? s->nent : 1,
	    sizeof(*B.ord));
	for (i = 0; i < s->nent; i++)
		B.ord[i] = i;
	ev_report_entry_sort(s->ent, B.ord, s->nent, 0);
	B.soff = ev_xcalloc(s->nser + 1, sizeof(*B.soff));
	for (i = 0; i < s->nent; i++)
		B.soff[s->ent[i].series + 1]++;
	for (i = 0; i < s->nser; i++)
		B.soff[i + 1] += B.soff[i];
	for (i = 0; i < s->nser; i++)
		if (s->ser[i].nlabels > B.maxlabels)
			B.maxlabels = s->ser[i].nlabels;

	ev_report_store_span(s, B.ord, &tmin, &tmax, &step);
	B.step = step;
	B.nat = rep_nat_step(s, B.ord);
	ev_report_store_range(s, tmin, tmax, &B.since, &B.until);
	/*
	 * The change: a range of its own (--since, --last) against the
	 * range before it, or --compare D earlier; else the last complete
	 * point against the one before, or D earlier.  A previous period
	 * reaching before year 0 cannot be written.
	 */
	B.off = s->o.compare > 0 ? s->o.compare : (s->o.has_since ||
	    s->o.last > 0) ? B.until - B.since : step;
	if (B.off <= 0 || B.since - EV_TIME_MIN < B.off)
		B.off = 0;
	B.has_prev = (s->o.has_since || s->o.last > 0) && B.off > 0;
	B.psince = B.has_prev ? B.since - B.off : B.since;
	if ((uint64_t)(B.until - B.since) / (uint64_t)step >=
	    EV_REPORT_MAX_POINTS) {
		snprintf(err, errlen, "the range holds more than %d points of "
		    "%lld s; use a shorter range or a larger --step",
		    EV_REPORT_MAX_POINTS, (long long)(step / EV_US_PER_SEC));
		free(B.ord);
		free(B.soff);
		free(B.metric);
		free(B.mname);
		return NULL;
	}
	B.n = (size_t)((B.until - B.since + step - 1) / step);
	/* Series left without records by ev_report_store_trim not counted. */
	for (i = 0; i < s->nser; i++)
		if (B.soff[i + 1] > B.soff[i])
			nser++;
	for (i = 0; i < s->nent; i++)
		if (s->ent[i].t >= B.since && s->ent[i].t < B.until)
			used++;
	B.add = ev_xcalloc(B.nmetric ? B.nmetric : 1, sizeof(*B.add));
	for (i = 0; i < B.nmetric; i++)
		B.add[i] = s->name[B.metric[i]].additive >= 0 ?
		    s->name[B.metric[i]].additive :
		    ev_report_additive(B.mname[i]);
	/* A period is partial when the last record of a series in it is. */
	B.part = ev_xcalloc(B.n ? B.n : 1, 1);
	for (i = 0; i < s->nent; i++) {
		const struct ev_report_entry *e = &s->ent[B.ord[i]];

		if (i + 1 < s->nent && s->ent[B.ord[i + 1]].series ==
		    e->series && s->ent[B.ord[i + 1]].t == e->t)
			continue;	/* replaced by a later record */
		if (e->partial && e->t >= B.since && e->t < B.until)
			B.part[(size_t)((e->t - B.since) / step)] = 1;
	}
	rep_mark_prev(&B);
	rep_mark_shadow(&B);

	model = json_object();
	json_object_set_new(model, "report", json_string("ev-report"));
	json_object_set_new(model, "version",
	    json_integer(EV_REPORT_MODEL_VERSION));
	json_object_set_new(model, "generated",
	    json_string(ev_time_format(s->o.generated, 0, buf)));
	json_object_set_new(model, "tz", json_string(s->o.tz));
	json_object_set_new(model, "time_field",
	    json_string(s->o.time_field));
	json_object_set_new(model, "range", json_pack("{s:o,s:o,s:s,s:I}",
	    "start", ev_report_json_time(B.since), "end",
	    ev_report_json_time(B.until), "step",
	    ev_duration_format(step, buf), "points", (json_int_t)B.n));
	json_object_set_new(model, "previous", B.has_prev ?
	    json_pack("{s:o,s:o}", "start", ev_report_json_time(B.psince),
	    "end", ev_report_json_time(B.until - B.off)) : json_null());
	json_object_set_new(model, "change_basis", rep_basis_json(&B));
	by = json_array();
	for (i = 0; i < B.n; i++)
		if (B.part[i])
			json_array_append_new(by, ev_report_json_time(B.since +
			    (ev_us_t)i * step));
	json_object_set_new(model, "partial", by);
	by = json_array();
	if (s->o.nby > 0)
		for (i = 0; i < s->o.nby; i++)
			json_array_append_new(by, json_string(s->o.by[i]));
	else
		for (i = 0; i < s->nbyname; i++)
			json_array_append_new(by, json_string(s->byname[i]));
	json_object_set_new(model, "by", by);
	B.numc = ev_xcalloc(1, sizeof(*B.numc));
	metrics = json_array();
	for (i = 0; i < B.nmetric; i++)
		json_array_append_new(metrics, s->name[B.metric[i]].top ?
		    ev_report_build_top(&B, i) :
		    ev_report_build_metric(&B, i, &nanom));
	rec = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}",
	    "in", (json_int_t)c->in, "rejected", (json_int_t)c->rejected,
	    "used", (json_int_t)used, "outside", (json_int_t)(s->nent - used),
	    "series", (json_int_t)nser, "anomalies", (json_int_t)nanom);
	json_object_set_new(model, "records", rec);
	json_object_set_new(model, "stages", json_deep_copy(s->stages));
	json_object_set_new(model, "metrics", metrics);
	for (i = 0; i < EV_REPORT_NUMC; i++)
		json_decref(B.numc->v[i]);
	free(B.numc);
	free(B.ord);
	free(B.soff);
	free(B.metric);
	free(B.mname);
	free(B.add);
	free(B.part);
	free(B.ppart);
	free(B.shadow);
	return model;
}

int
ev_report_check(const json_t *m, char *err, size_t errlen)
{
	ev_us_t t, step;

	if (!json_is_object(m) || strcmp(ev_report_get_str(m, "report", ""),
	    "ev-report") != 0) {
		snprintf(err, errlen, "not an ev-report model (no "
		    "\"report\":\"ev-report\")");
		return -1;
	}
	if (ev_report_get_num(m, "version", 0) != EV_REPORT_MODEL_VERSION) {
		snprintf(err, errlen, "model version %g is not %d",
		    ev_report_get_num(m, "version", 0),
		    EV_REPORT_MODEL_VERSION);
		return -1;
	}
	if (ev_time_parse(ev_report_get_str(json_object_get(m, "range"),
	    "start", ""), strlen(ev_report_get_str(json_object_get(m,
	    "range"), "start", "")), &t) != 0 || ev_duration_parse(
	    ev_report_get_str(json_object_get(m, "range"), "step", ""),
	    &step) != 0 || step <= 0 || ev_report_get_arr(m, "metrics") ==
	    NULL) {
		snprintf(err, errlen, "model has no valid range or metrics");
		return -1;
	}
	return 0;
}
