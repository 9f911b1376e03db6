/*
 * ev_detect_out.c - what ev-detect writes (see ev_detect_out.h).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_detect_out.h"
#include "ev_explain.h"
#include "ev_io.h"
#include "ev_state.h"

#define NO_TIME	EV_DETECT_SERIES_NO_TIME

void
ev_detect_out_init(struct ev_detect_out *o)
{
	memset(o, 0, sizeof(*o));
	o->am = json_array();
	ev_buf_init(&o->tmp);
	ev_buf_init(&o->anomaly);
	ev_buf_init(&o->line);
}

void
ev_detect_out_release(struct ev_detect_out *o)
{
	json_decref(o->am);
	ev_buf_free(&o->tmp);
	ev_buf_free(&o->anomaly);
	ev_buf_free(&o->line);
	memset(o, 0, sizeof(*o));
}

/* Formatting helpers. */

static void
add_time(struct ev_buf *b, ev_us_t t)
{
	char buf[EV_TIME_BUFSZ];

	ev_buf_addc(b, '"');
	ev_buf_adds(b, ev_time_format(t, -1, buf));
	ev_buf_addc(b, '"');
}

static json_t *
time_json(ev_us_t t)
{
	char buf[EV_TIME_BUFSZ];

	return json_string(ev_time_format(t, -1, buf));
}

/* A number for people: whole above 10, else two significant digits. */
static void
add_human(struct ev_buf *b, double v)
{
	if (fabs(v) >= 10)
		ev_buf_printf(b, "%.0f", v);
	else
		ev_buf_printf(b, "%.2g", v);
}

static const char *
severity(const struct ev_detect_out *o, const struct ev_detect_hold_entry *e)
{
	double pct;

	if (e->sc.expected == 0)
		return "critical";
	pct = 100 * fabs(e->value - e->sc.expected) / fabs(e->sc.expected);
	return pct >= o->critical_pct ? "critical" : "warning";
}

/* Explanation of a total by the segments in the same flush. */

/*
 * Whether child's columns are all of parent's (same values) plus exactly
 * one more; returns that one's name.
 */
static const char *
extra_col(const json_t *parent, const json_t *child)
{
	const char *k, *extra = NULL;
	json_t *v, *pv;

	if (json_object_size(child) != json_object_size(parent) + 1)
		return NULL;
	json_object_foreach((json_t *)(uintptr_t)child, k, v) {
		pv = json_object_get(parent, k);
		if (pv == NULL) {
			if (extra != NULL)
				return NULL;	/* a parent column is missing */
			extra = k;
			continue;
		}
		if (!json_equal(pv, v))
			return NULL;
	}
	return extra;
}

/*
 * Explain an alert by the series of the same window nested in it
 * (lib/ev_explain.h): "…; by platform: android 97%; by country: US 95%".
 */
static void
explain(struct ev_detect_out *o, struct ev_detect_hold_entry *e,
    struct ev_detect_hold_entry *q, size_t n)
{
	struct ev_explain_series alerted, *ser;
	struct ev_explain_params ep;
	struct ev_buf *b = &o->tmp;
	size_t i, m = 0;

	ser = ev_xreallocarray(NULL, n, sizeof(*ser));
	for (i = 0; i < n; i++) {
		struct ev_detect_hold_entry *c = &q[i];

		if (c == e || !c->sc.scored || c->start != e->start)
			continue;
		ser[m].cols = c->s->cols;
		ser[m].observed = c->value;
		ser[m].expected = c->sc.expected;
		m++;
	}
	alerted.cols = e->s->cols;
	alerted.observed = e->value;
	alerted.expected = e->sc.expected;
	ev_explain_params_init(&ep);
	json_decref(e->explanation);
	e->explanation = ev_explain_build(&ep, &alerted, ser, m);
	free(ser);
	if (e->explanation == NULL)
		return;
	json_decref(e->explain);
	e->explain = ev_explain_headline(e->explanation);
	ev_buf_reset(b);
	ev_buf_adds(b, e->summary);
	ev_buf_adds(b, "; ");
	ev_explain_text(b, e->explanation);
	free(e->summary);
	e->summary = ev_xstrdup(b->data);
}

/* An entry against its baseline: "−38% vs expected 410±35". */
static void
add_deviation(struct ev_buf *b, const struct ev_detect_hold_entry *e)
{
	double pct;

	if (e->sc.expected != 0) {
		pct = 100 * (e->value - e->sc.expected) / e->sc.expected;
		ev_buf_adds(b, pct < 0 ? "\xe2\x88\x92" : "+");
		ev_buf_printf(b, "%.0f%%", fabs(pct));
	} else {
		ev_buf_adds(b, "= ");
		add_human(b, e->value);
	}
	ev_buf_adds(b, " vs expected ");
	add_human(b, e->sc.expected);
	ev_buf_adds(b, "\xc2\xb1");
	add_human(b, (e->sc.upper - e->sc.lower) / 2);
}

/*
 * A segment that alerts while its total (the same columns but one, in the
 * same window) does not: say so, with the total's deviation, so the alert
 * is read in context ("signup ios −100% vs expected 9±7; the signup total
 * −26% vs expected 31±14 is inside its band").  A total that alerts too
 * names its segments itself (explain).
 */
static void
context(struct ev_detect_out *o, struct ev_detect_hold_entry *e,
    struct ev_detect_hold_entry *q, size_t n)
{
	struct ev_buf *b = &o->tmp;
	struct ev_detect_hold_entry *p = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		struct ev_detect_hold_entry *c = &q[i];

		if (c != e && c->sc.scored && c->start == e->start &&
		    extra_col(c->s->cols, e->s->cols) != NULL) {
			p = c;
			break;
		}
	}
	if (p == NULL || p->anomalous)
		return;
	ev_buf_reset(b);
	ev_buf_adds(b, e->summary);
	ev_buf_adds(b, "; the ");
	ev_detect_series_name(o->series, p->s, b);
	ev_buf_adds(b, " total ");
	add_deviation(b, p);
	/* The band is at --confidence; the alert at --threshold. */
	ev_buf_adds(b, p->value >= p->sc.lower && p->value <= p->sc.upper ?
	    " is inside its band" : " is outside its band but does not alert");
	free(e->summary);
	e->summary = ev_xstrdup(b->data);
	/* The same figures for machines (chat bots, routing). */
	json_decref(e->total);
	e->total = json_pack("{s:O,s:f,s:f,s:f,s:f}", "series", p->s->cols,
	    "value", p->value, "expected", p->sc.expected, "lower",
	    p->sc.lower, "upper", p->sc.upper);
}

void
ev_detect_out_explain(struct ev_detect_out *o, struct ev_detect_hold_entry *e,
    struct ev_detect_hold_entry *q, size_t n)
{
	if (!e->anomalous || e->summary == NULL || !(e->ev == EV_ALERT_FIRED ||
	    e->ev == EV_ALERT_REPEATED || e->ev == EV_ALERT_ONGOING ||
	    o->mode == EV_DETECT_OUT_ANNOTATE))
		return;
	explain(o, e, q, n);
	context(o, e, q, n);
}

char *
ev_detect_out_summary(struct ev_detect_out *o,
    const struct ev_detect_hold_entry *e)
{
	struct ev_buf *b = &o->tmp;

	ev_buf_reset(b);
	ev_detect_series_name(o->series, e->s, b);
	ev_buf_addc(b, ' ');
	add_deviation(b, e);
	return ev_xstrdup(b->data);
}

/* Output. */

/*
 * The anomaly object, written member by member as ev_json_write would
 * write the jansson tree of it: reals in evkit's number style (".0" kept
 * on a whole one), and a non-finite real or a string that is not UTF-8 left
 * out, as jansson refuses to hold either.  Keys are plain ASCII.
 */
struct jw {
	struct ev_buf	*b;
	int		 n;		/* members written */
};

/*
 * A member's name as written, quotes and colon included, and its length:
 * K("score") is two arguments.
 */
#define K(name)	"\"" name "\":", sizeof("\"" name "\":") - 1

/*
 * The separator and the member's name, at p; returns where its value goes.
 * Inline, with jw_key and jw_fig, so that the names' lengths are constants
 * at each member and the copies a few moves (a figure's member was 50
 * instructions before its digits).
 */
static inline char *
put_key(struct jw *w, char *p, const char *key, size_t klen)
{
	if (w->n++ > 0)
		*p++ = ',';
	memcpy(p, key, klen);
	return p + klen;
}

static inline void
jw_key(struct jw *w, const char *key, size_t klen)
{
	ev_buf_put_end(w->b, put_key(w, ev_buf_room(w->b, klen + 1), key,
	    klen));
}

static void
jw_real(struct jw *w, const char *key, size_t klen, double v)
{
	if (!isfinite(v))
		return;
	jw_key(w, key, klen);
	ev_json_write_real(v, w->b);
}

/*
 * A derived figure (expected, bounds, deviations, surprise): ten
 * significant digits, which is its precision by choice (see
 * EV_DETECT_OUT_DIGITS); the score keeps every digit (jw_real).
 */
static inline void
jw_fig(struct jw *w, const char *key, size_t klen, double v)
{
	if (!isfinite(v))
		return;
	jw_key(w, key, klen);
	ev_json_write_real_sig(v, EV_DETECT_OUT_DIGITS, w->b);
}

/* A string the code spells (plain ASCII, nothing to escape). */
static void
jw_lit(struct jw *w, const char *key, size_t klen, const char *s)
{
	size_t n = strlen(s);
	char *p = put_key(w, ev_buf_room(w->b, klen + n + 3), key, klen);

	*p++ = '"';
	memcpy(p, s, n);
	p += n;
	*p++ = '"';
	ev_buf_put_end(w->b, p);
}

static void
jw_str(struct jw *w, const char *key, size_t klen, const char *s)
{
	size_t n;

	if (s == NULL)
		return;
	n = strlen(s);
	if (ev_utf8_check(s, n) != n)
		return;
	jw_key(w, key, klen);
	ev_buf_add_jstr(w->b, s, n);
}

static void
jw_json(struct jw *w, const char *key, size_t klen, const json_t *v)
{
	if (v == NULL)
		return;
	jw_key(w, key, klen);
	ev_json_write(v, w->b);
}

/*
 * Why a point has no score yet: "warming up: 3h of 1d seen" (the series'
 * own time), "warming up: 4 of 20 points seen", or "warmup" while the
 * baseline has too few points to give any.  The text is made again only
 * when its figures change: every series of a window usually has the same.
 */
static const char *
warmup_reason(struct ev_detect_out *o, const struct ev_detect_score *sc)
{
	char s[EV_TIME_BUFSZ], n[EV_TIME_BUFSZ];
	double seen = sc->warm_seen, need = sc->warm_need;

	if (sc->warming == 1) {
		/* To the second: hours as a double are not exact. */
		seen = (double)llround(seen * 3600);
		need = (double)llround(need * 3600);
	} else if (sc->warming != 2)
		return "warmup";
	if (o->why_kind == sc->warming && o->why_seen == seen &&
	    o->why_need == need)
		return o->why;
	o->why_kind = sc->warming;
	o->why_seen = seen;
	o->why_need = need;
	if (sc->warming == 1) {
		(void)ev_duration_format((ev_us_t)seen * 1000000, s);
		(void)ev_duration_format((ev_us_t)need * 1000000, n);
		(void)snprintf(o->why, sizeof(o->why),
		    "warming up: %s of %s seen", s, n);
	} else
		(void)snprintf(o->why, sizeof(o->why),
		    "warming up: %.0f of %.0f points seen", seen, need);
	return o->why;
}

static void
write_anomaly(struct ev_detect_out *o, const struct ev_detect_hold_entry *e,
    struct ev_buf *b)
{
	struct jw w = { b, 0 }, m = { b, 0 };
	const char *status = NULL;
	char tb[EV_TIME_BUFSZ];

	ev_buf_addc(b, '{');
	if (!e->sc.scored) {
		jw_key(&w, K("score"));
		ev_buf_add(b, "null", 4);
		jw_lit(&w, K("reason"), e->superseded ? "superseded" :
		    !e->final ? "not_final" : e->gap ? "gap" :
		    warmup_reason(o, &e->sc));
		if (e->ev != EV_ALERT_RESOLVED)
			goto end;
		goto status;
	}
	jw_real(&w, K("score"), e->sc.score);
	/* -log10 of the tail probability: the order far in the tail. */
	jw_fig(&w, K("surprise"), e->sc.p > 0 ? -log10(e->sc.p) : 300);
	jw_fig(&w, K("expected"), e->sc.expected);
	jw_fig(&w, K("lower"), e->sc.lower);
	jw_fig(&w, K("upper"), e->sc.upper);
	jw_lit(&w, K("direction"), e->sc.direction > 0 ? "up" :
	    e->sc.direction < 0 ? "down" : "none");
	if (e->sc.method != NULL)	/* a name the code spells */
		jw_lit(&w, K("method"), e->sc.method);
	jw_key(&w, K("magnitude"));
	ev_buf_addc(b, '{');
	jw_fig(&m, K("abs"), e->value - e->sc.expected);
	if (e->sc.expected != 0)
		jw_fig(&m, K("pct"), 100 * (e->value - e->sc.expected) /
		    e->sc.expected);
	else {
		jw_key(&m, K("pct"));
		ev_buf_add(b, "null", 4);
	}
	jw_fig(&m, K("sigma"), e->sc.z);
	ev_buf_addc(b, '}');
status:
	if (e->ev == EV_ALERT_RESOLVED)
		status = "resolved";
	else if (e->st == EV_ALERT_FIRING)
		status = "firing";
	else if (e->st == EV_ALERT_PENDING && e->anomalous)
		status = "pending";
	if (status == NULL)
		goto end;
	jw_lit(&w, K("status"), status);
	jw_lit(&w, K("alertname"), "anomaly");
	jw_lit(&w, K("fingerprint"), e->s->fp);
	jw_lit(&w, K("severity"), e->sc.scored ? severity(o, e) : "warning");
	jw_lit(&w, K("since"), ev_time_format(e->since, -1, tb));
	jw_json(&w, K("explain"), e->explain);
	jw_json(&w, K("explanation"), e->explanation);
	jw_str(&w, K("summary"), e->summary);
	jw_json(&w, K("total"), e->total);
end:
	ev_buf_addc(b, '}');
}

/*
 * Where the record's closing brace is, to splice the anomaly object in
 * before it as ev_rec_write would: 0 when the record is not a plain
 * indexed object without an "anomaly" member (or is empty), and ev_rec
 * must do it.
 */
static size_t
splice_at(const struct ev_rec *r)
{
	size_t end = r->rawlen, i;

	if (!ev_rec_lazy(r) || ev_rec_has(r, "anomaly"))
		return 0;
	while (end > 0 && r->raw[end - 1] != '}')
		end--;
	if (end == 0)
		return 0;
	end--;
	for (i = end; i > 0 && strchr(" \t\r\n", r->raw[i - 1]) != NULL; i--)
		continue;
	return i > 0 && r->raw[i - 1] != '{' ? end : 0;
}

/*
 * Write the record with its anomaly object added.  The usual record is
 * its own bytes with the object spliced in; any other goes through ev_rec
 * (the object read back into jansson, which writes it the same way).
 */
static void
write_record(struct ev_detect_out *o, struct ev_detect_hold_entry *e)
{
	struct ev_buf *a = &o->anomaly, *l = &o->line;
	const struct ev_rec *r = &e->rec;
	size_t end;

	if ((end = splice_at(r)) == 0) {
		ev_buf_reset(a);
		write_anomaly(o, e, a);
		ev_rec_add(&e->rec, "anomaly", json_loadb(a->data, a->len, 0,
		    NULL));
		ev_run_pass(o->run, &e->rec);
		return;
	}
	/* The object is written in place, between the record's bytes. */
	ev_buf_reset(l);
	ev_buf_reserve(l, r->rawlen + 512);
	ev_buf_add(l, r->raw, end);
	ev_buf_add(l, ",\"anomaly\":", 11);
	write_anomaly(o, e, l);
	ev_buf_add(l, r->raw + end, r->rawlen - end);
	ev_run_emit(o->run, l->data, l->len);
	o->run->n_passed++;
}

/* One Alertmanager alert (v4 webhook "alerts" member). */
static json_t *
am_alert(struct ev_detect_out *o, const struct ev_detect_series *s,
    const char *name, const char *status, const char *sev, ev_us_t since,
    ev_us_t ends, const char *fp, const char *summ,
    const struct ev_detect_hold_entry *e)
{
	json_t *labels = json_object(), *ann = json_object(), *v;
	const char *k;
	struct ev_buf *b = &o->tmp;

	json_object_set_new(labels, "alertname", json_string(name));
	json_object_set_new(labels, "metric", json_string(o->value_spec));
	json_object_set_new(labels, "severity", json_string(sev));
	json_object_foreach(s->cols, k, v) {
		ev_buf_reset(b);
		ev_detect_series_col_text(v, b);
		json_object_set_new(labels, k, json_string(b->data));
	}
	if (summ)
		json_object_set_new(ann, "summary", json_string(summ));
	if (e && e->sc.scored) {
		ev_buf_reset(b);
		ev_buf_add_num(b, e->sc.score);
		json_object_set_new(ann, "score", json_string(b->data));
		ev_buf_reset(b);
		ev_buf_add_num(b, e->value);
		json_object_set_new(ann, "value", json_string(b->data));
		ev_buf_reset(b);
		ev_buf_add_num(b, e->sc.expected);
		json_object_set_new(ann, "expected", json_string(b->data));
	}
	return json_pack("{s:s,s:o,s:o,s:o,s:o,s:s,s:s}",
	    "status", status, "labels", labels, "annotations", ann,
	    "startsAt", time_json(since),
	    "endsAt", ends == NO_TIME ? json_string("0001-01-01T00:00:00Z") :
	    time_json(ends),
	    "generatorURL", "", "fingerprint", fp);
}

void
ev_detect_out_json(struct ev_detect_out *o, json_t *v)
{
	ev_buf_reset(&o->tmp);
	ev_json_write(v, &o->tmp);
	ev_run_emit(o->run, o->tmp.data, o->tmp.len);
	json_decref(v);
}

void
ev_detect_out_flush(struct ev_detect_out *o)
{
	json_t *msg;
	size_t i;
	json_t *a;
	const char *status = "resolved";

	if (o->mode != EV_DETECT_OUT_ALERTMANAGER ||
	    json_array_size(o->am) == 0)
		return;
	json_array_foreach(o->am, i, a)
		if (strcmp(json_string_value(json_object_get(a, "status")),
		    "firing") == 0)
			status = "firing";
	msg = json_pack("{s:s,s:s,s:i,s:s,s:s,s:{},s:{s:s},s:{},s:s,s:O}",
	    "version", "4", "groupKey", "{}:{job=\"ev-detect\"}",
	    "truncatedAlerts", 0, "status", status, "receiver", "ev-detect",
	    "groupLabels", "commonLabels", "job", "ev-detect",
	    "commonAnnotations", "externalURL", "", "alerts", o->am);
	ev_detect_out_json(o, msg);
	json_array_clear(o->am);
}

void
ev_detect_out_no_data(struct ev_detect_out *o,
    const struct ev_detect_series *s, int firing, ev_us_t at)
{
	char fp[17], tb[EV_TIME_BUFSZ];
	struct ev_buf b = EV_BUF_INIT;
	const char *k;
	json_t *v, *a;

	if (o->mode == EV_DETECT_OUT_BACKTEST)
		return;
	ev_buf_adds(&b, s->key);
	ev_buf_adds(&b, "\x1fno_data");
	ev_state_fingerprint(b.data, fp);
	ev_buf_reset(&b);
	ev_detect_series_name(o->series, s, &b);
	ev_buf_adds(&b, firing ? ": no data since " : ": data again since ");
	ev_buf_adds(&b, ev_time_format(firing ? s->last_end : at, -1, tb));
	if (o->mode == EV_DETECT_OUT_ALERTMANAGER) {
		json_array_append_new(o->am, am_alert(o, s, "no_data",
		    firing ? "firing" : "resolved", "warning", s->last_end,
		    firing ? NO_TIME : at, fp, b.data, NULL));
		ev_buf_free(&b);
		return;
	}
	a = json_pack("{s:n,s:s,s:s,s:s,s:s,s:o,s:s}", "score",
	    "status", firing ? "firing" : "resolved", "alertname", "no_data",
	    "fingerprint", fp, "severity", "warning",
	    "since", time_json(s->last_end), "summary", b.data);
	ev_buf_reset(&b);
	ev_buf_addc(&b, '{');
	ev_buf_add_jstr(&b, o->time_spec, strlen(o->time_spec));
	ev_buf_addc(&b, ':');
	add_time(&b, firing ? s->last_end : at);
	json_object_foreach(s->cols, k, v) {
		ev_buf_addc(&b, ',');
		ev_buf_add_jstr(&b, k, strlen(k));
		ev_buf_addc(&b, ':');
		ev_json_write(v, &b);
	}
	ev_buf_adds(&b, ",\"anomaly\":");
	ev_json_write(a, &b);
	ev_buf_addc(&b, '}');
	ev_run_emit(o->run, b.data, b.len);
	json_decref(a);
	ev_buf_free(&b);
}

void
ev_detect_out_absent(struct ev_detect_out *o, ev_us_t now,
    ev_us_t absent_after)
{
	size_t i;

	for (i = 0; i < o->series->nser; i++) {
		struct ev_detect_series *s = o->series->ser[i];

		if (!s->absent && s->last_seen != NO_TIME && s->queued < 0 &&
		    now - s->last_seen >= absent_after) {
			s->absent = 1;
			ev_detect_out_no_data(o, s, 1, now);
		}
	}
}

void
ev_detect_out_backtest(struct ev_detect_out *o, int labelled)
{
	size_t i;

	if (!labelled) {
		ev_detect_out_json(o, ev_backtest_report(o->bt, 0.3, 0));
		return;
	}
	for (i = 0; i < ev_backtest_nseries(o->bt); i++)
		ev_detect_out_json(o, ev_backtest_series_report(o->bt, i));
	ev_detect_out_json(o, ev_backtest_labelled_report(o->bt));
}

void
ev_detect_out_entry(struct ev_detect_out *o, struct ev_detect_hold_entry *e)
{
	struct ev_detect_series *s = e->s;
	int announce = e->ev == EV_ALERT_FIRED || e->ev == EV_ALERT_REPEATED ||
	    e->ev == EV_ALERT_RESOLVED;

	if (s->absent && e->final) {
		s->absent = 0;
		ev_detect_out_no_data(o, s, 0, e->start);
	}
	switch (o->mode) {
	case EV_DETECT_OUT_ANNOTATE:
		write_record(o, e);
		return;
	case EV_DETECT_OUT_ALERTS:
		if (announce) {
			write_record(o, e);
			return;
		}
		break;
	case EV_DETECT_OUT_ALERTMANAGER:
		if (announce)
			json_array_append_new(o->am, am_alert(o, s, "anomaly",
			    e->ev == EV_ALERT_RESOLVED ? "resolved" : "firing",
			    severity(o, e), e->since,
			    e->ev == EV_ALERT_RESOLVED ? e->start : NO_TIME,
			    s->fp, e->summary, e));
		break;
	case EV_DETECT_OUT_BACKTEST:
		if (e->ev == EV_ALERT_FIRED)
			ev_backtest_episode(o->bt, s->cols, e->start,
			    e->end > e->start ? e->end : e->start,
			    json_array_get(e->explain, 0));
		break;
	}
	o->run->n_aggregated++;
}
