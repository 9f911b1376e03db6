/*
 * ev_report.c - ev-report's store of records, the builder of the report's
 * data model, and the helpers every renderer shares.
 *
 * The store keeps, per record, its time, its series and its metric values
 * (and the expected band when ev-detect annotated it); records carrying an
 * anomaly are listed apart.  The builder sorts the records by series and
 * time once; a later record for the same series and time replaces the
 * earlier one (ev-window's updates, or the same window seen twice), and
 * records at different times falling into one point are summed (--step).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_rec.h"
#include "ev_report.h"
#include "ev_report_episode.h"

struct rep_pair {
	uint32_t	name;
	double		v;
};

struct rep_entry {
	ev_us_t		t, end;		/* end == t when the record has none */
	uint64_t	id;		/* arrival number among stored records */
	uint32_t	series;
	uint32_t	npairs;
	size_t		poff;
	int32_t		band_name;	/* name the band is for, -1 none */
	int		partial;	/* "final": false: a window cut short */
	double		exp, lo, hi;
};

struct rep_anom {
	size_t		 entry;
	int32_t		 name;		/* metric named by the anomaly, -1 none */
	json_t		*a;		/* the anomaly object (own reference) */
};

struct rep_series {
	char		*key;		/* internal identity */
	size_t		 keylen;
	json_t		*labels;	/* {"event":"signup",...} */
	size_t		 nlabels;
};

struct rep_name {
	char		*s;
	int		 is_metric;
	int		 additive;	/* -1: from the name; 0 or 1: a record said */
	int		 top;		/* values are top(field, N) lists */
};

/* A top(field, N) value of one record. */
struct rep_top {
	size_t		 entry;
	int32_t		 name;
	json_t		*a;		/* the array (own reference) */
};

struct ev_report_store {
	struct ev_report_opts	 o;
	struct ev_path		*time_path;
	struct ev_path	       **by_path;
	struct rep_entry	*ent;
	size_t			 nent, capent;
	struct rep_pair		*pair;
	size_t			 npair, cappair;
	struct rep_anom		*anom;
	size_t			 nanom, capanom;
	struct rep_anom		*res;		/* "resolved" alert records */
	size_t			 nres, capres;
	struct rep_top		*tops;
	size_t			 ntop, captop;
	struct rep_series	*ser;
	size_t			 nser, capser;
	size_t			*htab;		/* series index + 1, 0 empty */
	size_t			 hcap;
	struct rep_name		*name;
	size_t			 nname, capname;
	char		       **byname;	/* discovered group columns */
	size_t			 nbyname, capbyname;
	json_t			*stages;
	struct ev_buf		 scratch;
	uint64_t		 nadded;	/* records ever stored */
};

static int32_t
rep_name_find(const struct ev_report_store *s, const char *n)
{
	size_t i;

	for (i = 0; i < s->nname; i++)
		if (strcmp(s->name[i].s, n) == 0)
			return (int32_t)i;
	return -1;
}

static int32_t
rep_name_intern(struct ev_report_store *s, const char *n)
{
	int32_t i = rep_name_find(s, n);

	if (i >= 0)
		return i;
	if (s->nname == s->capname) {
		s->capname = s->capname ? 2 * s->capname : 16;
		s->name = ev_xreallocarray(s->name, s->capname,
		    sizeof(*s->name));
	}
	s->name[s->nname].s = ev_xstrdup(n);
	s->name[s->nname].is_metric = 0;
	s->name[s->nname].additive = -1;
	s->name[s->nname].top = 0;
	return (int32_t)s->nname++;
}

struct ev_report_store *
ev_report_store_new(const struct ev_report_opts *o)
{
	struct ev_report_store *s = ev_xcalloc(1, sizeof(*s));
	const char *errstr;
	size_t i;

	s->o = *o;
	s->time_path = ev_path_compile(o->time_field, &errstr);
	if (s->time_path == NULL)
		ev_die(EV_EXIT_USAGE, "bad time field '%s': %s",
		    o->time_field, errstr);
	if (o->nby > 0) {
		s->by_path = ev_xcalloc(o->nby, sizeof(*s->by_path));
		for (i = 0; i < o->nby; i++) {
			s->by_path[i] = ev_path_compile(o->by[i], &errstr);
			if (s->by_path[i] == NULL)
				ev_die(EV_EXIT_USAGE, "bad --by field '%s': %s",
				    o->by[i], errstr);
		}
	}
	for (i = 0; i < o->nmetrics; i++) {
		int32_t n = rep_name_intern(s, o->metrics[i]);

		s->name[n].is_metric = 1;
	}
	s->hcap = 1024;
	s->htab = ev_xcalloc(s->hcap, sizeof(*s->htab));
	s->stages = json_array();
	ev_buf_init(&s->scratch);
	return s;
}

void
ev_report_store_free(struct ev_report_store *s)
{
	size_t i;

	if (s == NULL)
		return;
	ev_path_free(s->time_path);
	for (i = 0; i < s->o.nby; i++)
		ev_path_free(s->by_path[i]);
	free(s->by_path);
	for (i = 0; i < s->nanom; i++)
		json_decref(s->anom[i].a);
	for (i = 0; i < s->nres; i++)
		json_decref(s->res[i].a);
	free(s->res);
	for (i = 0; i < s->ntop; i++)
		json_decref(s->tops[i].a);
	free(s->tops);
	for (i = 0; i < s->nser; i++) {
		free(s->ser[i].key);
		json_decref(s->ser[i].labels);
	}
	for (i = 0; i < s->nname; i++)
		free(s->name[i].s);
	for (i = 0; i < s->nbyname; i++)
		free(s->byname[i]);
	free(s->byname);
	free(s->name);
	free(s->ser);
	free(s->htab);
	free(s->ent);
	free(s->pair);
	free(s->anom);
	json_decref(s->stages);
	ev_buf_free(&s->scratch);
	free(s);
}

size_t
ev_report_store_size(const struct ev_report_store *s)
{
	return s->nent;
}

void
ev_report_store_add_stage(struct ev_report_store *s, const json_t *st)
{
	static const char *const keys[] = { "in", "passed", "rejected",
	    "late", "duplicate", "aggregated", "out" };
	json_t *o;
	size_t i;

	if (!json_is_object(st))
		return;
	o = json_object();
	json_object_set_new(o, "tool",
	    json_string(ev_report_get_str(st, "tool", "?")));
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		double v = ev_report_get_num(st, keys[i], 0);

		json_object_set_new(o, keys[i], json_real(isnan(v) ? 0 : v));
	}
	json_array_append_new(s->stages, o);
}

/* Top-level members that are never a group column or a metric. */
static int
rep_reserved(const struct ev_report_store *s, const char *k)
{
	static const char *const res[] = { "start", "end", "final", "anomaly",
	    "status", "severity", "fingerprint", "additive", "grouping" };
	size_t i;

	if (strcmp(k, s->o.time_field) == 0)
		return 1;
	/* Most members start with another letter: skip the list for them. */
	if (strchr("aefgs", k[0]) == NULL || k[0] == '\0')
		return 0;
	for (i = 0; i < sizeof(res) / sizeof(res[0]); i++)
		if (strcmp(k, res[i]) == 0)
			return 1;
	return 0;
}

/* A label value as text: strings as they are, numbers and booleans JSON. */
static int
rep_label_text(struct ev_buf *b, const json_t *v)
{
	if (json_is_string(v)) {
		ev_buf_add(b, json_string_value(v), json_string_length(v));
		return 1;
	}
	if (json_is_number(v) || json_is_boolean(v)) {
		ev_json_write(v, b);
		return 1;
	}
	return 0;
}

static int
rep_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
rep_byname_note(struct ev_report_store *s, const char *k)
{
	size_t i;

	for (i = 0; i < s->nbyname; i++)
		if (strcmp(s->byname[i], k) == 0)
			return;
	if (s->nbyname == s->capbyname) {
		s->capbyname = s->capbyname ? 2 * s->capbyname : 8;
		s->byname = ev_xreallocarray(s->byname, s->capbyname,
		    sizeof(*s->byname));
	}
	s->byname[s->nbyname++] = ev_xstrdup(k);
}

/* The labels of a new series (a new object). */
static json_t *
rep_labels_new(struct ev_report_store *s, const json_t *rec)
{
	json_t *labels = json_object(), *v;
	struct ev_buf t = EV_BUF_INIT;
	const char *k;
	size_t i;

	if (s->o.nby > 0) {
		for (i = 0; i < s->o.nby; i++) {
			ev_buf_reset(&t);
			if (rep_label_text(&t, ev_path_get(s->by_path[i], rec)))
				json_object_set_new(labels, s->o.by[i],
				    json_stringn(t.data, t.len));
		}
	} else {
		/* In the record's own order, the names noted in order. */
		json_object_foreach((json_t *)(uintptr_t)rec, k, v) {
			if (!rep_reserved(s, k) && json_is_string(v)) {
				json_object_set(labels, k, v);
				rep_byname_note(s, k);
			}
		}
	}
	ev_buf_free(&t);
	return labels;
}

/*
 * Find or create the series of a record.  The identity is a key of the
 * group columns' names and values; labels are built only for a new series.
 */
static uint32_t	rep_series_find(struct ev_report_store *s, const json_t *rec,
		    const struct ev_rec *lazy);

static uint32_t
rep_series_of(struct ev_report_store *s, const json_t *rec)
{
	struct ev_buf *b = &s->scratch;
	size_t i;

	ev_buf_reset(b);
	ev_buf_addc(b, '\x1d');	/* never empty: data is never NULL */
	if (s->o.nby > 0) {
		for (i = 0; i < s->o.nby; i++) {
			json_t *v = ev_path_get(s->by_path[i], rec);
			size_t at = b->len;

			ev_buf_addc(b, '\x1e');
			ev_buf_adds(b, s->o.by[i]);
			ev_buf_addc(b, '\x1f');
			if (!rep_label_text(b, v)) {
				b->len = at;
				b->data[at] = '\0';
			}
		}
	} else {
		const char *keys[64];
		size_t nk = 0;
		const char *k;
		json_t *v;

		json_object_foreach((json_t *)(uintptr_t)rec, k, v) {
			if (nk < 64 && json_is_string(v) && !rep_reserved(s, k))
				keys[nk++] = k;
		}
		qsort(keys, nk, sizeof(keys[0]), rep_cmp_str);
		for (i = 0; i < nk; i++) {
			v = json_object_get(rec, keys[i]);
			ev_buf_addc(b, '\x1e');
			ev_buf_adds(b, keys[i]);
			ev_buf_addc(b, '\x1f');
			ev_buf_add(b, json_string_value(v),
			    json_string_length(v));
		}
	}
	return rep_series_find(s, rec, NULL);
}

/*
 * The series whose key is in s->scratch; a new one takes its labels from
 * rec, or from the lazy record's document when rec is NULL.
 */
static uint32_t
rep_series_find(struct ev_report_store *s, const json_t *rec,
    const struct ev_rec *lazy)
{
	struct ev_buf *b = &s->scratch;
	uint64_t h;
	size_t slot;

	h = ev_hash_bytes(b->data, b->len);
	slot = h & (s->hcap - 1);
	while (s->htab[slot] != 0) {
		struct rep_series *se = &s->ser[s->htab[slot] - 1];

		if (se->keylen == b->len && memcmp(se->key, b->data,
		    b->len) == 0)
			return (uint32_t)(s->htab[slot] - 1);
		slot = (slot + 1) & (s->hcap - 1);
	}
	if (s->nser == s->capser) {
		s->capser = s->capser ? 2 * s->capser : 64;
		s->ser = ev_xreallocarray(s->ser, s->capser, sizeof(*s->ser));
	}
	s->ser[s->nser].key = ev_xstrndup(b->data, b->len);
	s->ser[s->nser].keylen = b->len;
	s->ser[s->nser].labels = rep_labels_new(s, rec != NULL ? rec :
	    ev_rec_root(lazy));
	s->ser[s->nser].nlabels = json_object_size(s->ser[s->nser].labels);
	s->htab[slot] = ++s->nser;
	if (2 * s->nser > s->hcap) {
		size_t ncap = 2 * s->hcap, j;
		size_t *nt = ev_xcalloc(ncap, sizeof(*nt));

		for (j = 0; j < s->nser; j++) {
			slot = ev_hash_bytes(s->ser[j].key, s->ser[j].keylen) &
			    (ncap - 1);
			while (nt[slot] != 0)
				slot = (slot + 1) & (ncap - 1);
			nt[slot] = j + 1;
		}
		free(s->htab);
		s->htab = nt;
		s->hcap = ncap;
	}
	return (uint32_t)(s->nser - 1);
}

static void
rep_add_pair(struct ev_report_store *s, int32_t name, double v)
{
	if (s->npair == s->cappair) {
		s->cappair = s->cappair ? 2 * s->cappair : 1024;
		s->pair = ev_xreallocarray(s->pair, s->cappair,
		    sizeof(*s->pair));
	}
	s->pair[s->npair].name = (uint32_t)name;
	s->pair[s->npair].v = v;
	s->npair++;
}

/* The metric an anomaly object names, if any. */
static int32_t
rep_anom_name(struct ev_report_store *s, const json_t *a)
{
	static const char *const keys[] = { "metric", "value", "field" };
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(a, keys[i]);

		if (json_is_string(v))
			return rep_name_intern(s, json_string_value(v));
	}
	return -1;
}

/*
 * Whether an anomaly object marks an anomaly: an explicit boolean
 * ("alert", "is_anomaly", "anomalous") decides; else a status, ev-detect's
 * verdict ("firing" is one, any other is not); else the score against
 * --min-score.
 */
static int
rep_is_anomaly(const struct ev_report_store *s, const json_t *rec,
    const json_t *a)
{
	static const char *const flags[] = { "alert", "is_anomaly",
	    "anomalous" };
	const char *st;
	size_t i;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		json_t *v = json_object_get(a, flags[i]);

		if (json_is_boolean(v))
			return json_is_true(v);
	}
	st = ev_report_get_str(a, "status", NULL);
	if (st == NULL)
		st = ev_report_get_str(rec, "status", NULL);
	if (st != NULL)
		return strcmp(st, "firing") == 0;
	return ev_report_get_num(a, "score", 0) >= s->o.min_score;
}

/* A new entry at the end of the store (its series is the caller's). */
static struct rep_entry *
rep_entry_new(struct ev_report_store *s, ev_us_t t, ev_us_t end)
{
	struct rep_entry *e;

	if (s->nent == s->capent) {
		s->capent = s->capent ? 2 * s->capent : 1024;
		s->ent = ev_xreallocarray(s->ent, s->capent, sizeof(*s->ent));
	}
	e = &s->ent[s->nent];
	e->t = t;
	e->end = end;
	e->id = s->nadded++;
	e->poff = s->npair;
	e->band_name = -1;
	e->partial = 0;
	e->exp = e->lo = e->hi = NAN;
	return e;
}

/*
 * A record's "additive" member, {"NAME": true|false, ...}, says which of
 * its aggregates may be summed; it overrides what the name suggests.
 */
static void
rep_note_additive(struct ev_report_store *s, const json_t *ad)
{
	const char *k;
	json_t *v;

	if (!json_is_object(ad))
		return;
	json_object_foreach((json_t *)(uintptr_t)ad, k, v)
		if (json_is_boolean(v))
			s->name[rep_name_intern(s, k)].additive =
			    json_is_true(v);
}

/* Whether name is word, or word followed by '_' and more. */
static int
rep_word(const char *name, const char *word)
{
	size_t n = strlen(word);

	return strncmp(name, word, n) == 0 && (name[n] == '\0' ||
	    (name[n] == '_' && name[n + 1] != '\0'));
}

int
ev_report_additive(const char *name)
{
	static const char *const word[] = { "distinct", "approx_distinct",
	    "avg", "mean", "median", "min", "max", "stddev", "first", "last",
	    "ratio", "rate", "dau", "wau", "mau", "users", "uniques" };
	size_t i, n;

	if (rep_word(name, "count") || rep_word(name, "sum"))
		return 1;
	/* pNN, pNN.N, pNN_field: a percentile. */
	if (name[0] == 'p' && name[1] >= '0' && name[1] <= '9')
		return 0;
	for (i = 0; i < sizeof(word) / sizeof(word[0]); i++)
		if (rep_word(name, word[i]))
			return 0;
	/* Distinct users under another name: "users", "active_users". */
	n = strlen(name);
	if (strstr(name, "users") != NULL || strstr(name, "ratio") != NULL ||
	    strstr(name, "distinct") != NULL || (n > 5 &&
	    strcmp(name + n - 5, "_rate") == 0))
		return 0;
	return 1;
}

/* Whether v is what top(field, N) writes: [{"value":...,"count":N},...]. */
static int
rep_is_top(const json_t *v)
{
	json_t *it;
	size_t i;

	if (!json_is_array(v))
		return 0;
	json_array_foreach(v, i, it)
		if (!json_is_object(it) || json_object_get(it, "value") ==
		    NULL || !json_is_number(json_object_get(it, "count")))
			return 0;
	return 1;
}

/* Keep the top list v of metric name for the entry being added. */
static void
rep_add_top(struct ev_report_store *s, int32_t name, json_t *v)
{
	if (s->ntop == s->captop) {
		s->captop = s->captop ? 2 * s->captop : 64;
		s->tops = ev_xreallocarray(s->tops, s->captop,
		    sizeof(*s->tops));
	}
	s->name[name].top = 1;
	s->tops[s->ntop].entry = s->nent;
	s->tops[s->ntop].name = name;
	s->tops[s->ntop].a = json_incref(v);
	s->ntop++;
}

int
ev_report_store_add(struct ev_report_store *s, const json_t *rec,
    const char **reason, char *err, size_t errlen)
{
	struct rep_entry *e;
	json_t *tv, *ev, *a;
	ev_us_t t, end;
	size_t i;

	if (!json_is_object(rec)) {
		*reason = "type";
		snprintf(err, errlen, "record is not an object");
		return -1;
	}
	tv = ev_path_get(s->time_path, rec);
	if (tv == NULL || ev_time_from_json(tv, &t) != 0) {
		*reason = "time";
		snprintf(err, errlen, "'%s' is %s", s->o.time_field,
		    tv == NULL ? "missing" : "not a valid time");
		return -1;
	}
	end = t;
	ev = json_object_get(rec, "end");
	if (ev != NULL && (ev_time_from_json(ev, &end) != 0 || end < t))
		end = t;
	e = rep_entry_new(s, t, end);
	e->series = rep_series_of(s, rec);
	e->partial = json_is_false(json_object_get(rec, "final"));
	rep_note_additive(s, json_object_get(rec, "additive"));
	if (s->o.nmetrics > 0) {
		for (i = 0; i < s->o.nmetrics; i++) {
			json_t *v = json_object_get(rec, s->o.metrics[i]);

			if (json_is_number(v))
				rep_add_pair(s, (int32_t)i,
				    json_number_value(v));
			else if (rep_is_top(v))
				rep_add_top(s, (int32_t)i, v);
		}
	} else {
		const char *k;
		json_t *v;

		json_object_foreach((json_t *)(uintptr_t)rec, k, v) {
			int32_t n;

			if (rep_reserved(s, k) || (!json_is_number(v) &&
			    !rep_is_top(v)))
				continue;
			n = rep_name_intern(s, k);	/* may move s->name */
			s->name[n].is_metric = 1;
			if (json_is_number(v))
				rep_add_pair(s, n, json_number_value(v));
			else
				rep_add_top(s, n, v);
		}
	}
	e->npairs = (uint32_t)(s->npair - e->poff);
	a = json_object_get(rec, "anomaly");
	if (json_is_object(a)) {
		int32_t n = rep_anom_name(s, a);

		e->band_name = n;
		e->exp = ev_report_get_num(a, "expected", NAN);
		e->lo = ev_report_get_num(a, "lower", NAN);
		e->hi = ev_report_get_num(a, "upper", NAN);
		if (rep_is_anomaly(s, rec, a)) {
			if (s->nanom == s->capanom) {
				s->capanom = s->capanom ? 2 * s->capanom : 64;
				s->anom = ev_xreallocarray(s->anom,
				    s->capanom, sizeof(*s->anom));
			}
			s->anom[s->nanom].entry = s->nent;
			s->anom[s->nanom].name = n;
			s->anom[s->nanom].a = json_incref(a);
			s->nanom++;
		} else if (strcmp(ev_report_get_str(a, "status", ""),
		    "resolved") == 0) {
			/* Not an anomaly, but the end of an episode. */
			if (s->nres == s->capres) {
				s->capres = s->capres ? 2 * s->capres : 16;
				s->res = ev_xreallocarray(s->res, s->capres,
				    sizeof(*s->res));
			}
			s->res[s->nres].entry = s->nent;
			s->res[s->nres].name = n;
			s->res[s->nres].a = json_incref(a);
			s->nres++;
		}
	}
	s->nent++;
	return 0;
}

/* rep_series_of for a lazily indexed record. */
static uint32_t
rep_series_of_rec(struct ev_report_store *s, const struct ev_rec *rec)
{
	struct ev_buf *b = &s->scratch;
	const char *keys[64], *k, *str;
	int vals[64], it = 0, v;
	size_t i, j, nk = 0, n;

	ev_buf_reset(b);
	ev_buf_addc(b, '\x1d');
	if (s->o.nby > 0) {
		for (i = 0; i < s->o.nby; i++) {
			size_t at = b->len;

			ev_buf_addc(b, '\x1e');
			ev_buf_adds(b, s->o.by[i]);
			ev_buf_addc(b, '\x1f');
			if (ev_rec_str(rec, s->by_path[i], &str, &n) == 0)
				ev_buf_add(b, str, n);
			else if (!rep_label_text(b, ev_rec_get(rec,
			    s->by_path[i]))) {
				b->len = at;
				b->data[at] = '\0';
			}
		}
		return rep_series_find(s, NULL, rec);
	}
	while (ev_rec_next(rec, &it, &k, &v))
		if (nk < 64 && ev_rec_kind(rec, v) == 's' &&
		    !rep_reserved(s, k)) {
			/* Insertion sort: a handful of columns. */
			for (j = nk; j > 0 && strcmp(keys[j - 1], k) > 0; j--) {
				keys[j] = keys[j - 1];
				vals[j] = vals[j - 1];
			}
			keys[j] = k;
			vals[j] = v;
			nk++;
		}
	for (i = 0; i < nk; i++) {
		ev_buf_addc(b, '\x1e');
		ev_buf_adds(b, keys[i]);
		ev_buf_addc(b, '\x1f');
		str = ev_rec_val_str(rec, vals[i], &n);
		ev_buf_add(b, str, n);
	}
	return rep_series_find(s, NULL, rec);
}

int
ev_report_store_add_rec(struct ev_report_store *s, const struct ev_rec *rec,
    const char **reason, char *err, size_t errlen)
{
	struct rep_entry *e;
	const char *k;
	ev_us_t t, end;
	size_t i;
	int v, it = 0;

	/* Anomaly objects and anything unusual take the document path. */
	if (!ev_rec_lazy(rec) || ((v = ev_rec_member(rec, "anomaly")) >= 0 &&
	    ev_rec_kind(rec, v) == 'o') || ev_rec_member(rec, "additive") >= 0)
		return ev_report_store_add(s, ev_rec_root(rec), reason, err,
		    errlen);
	/* So do top(field, N) lists, the only arrays a report reads. */
	while (ev_rec_next(rec, &it, &k, &v))
		if (ev_rec_kind(rec, v) == 'a')
			return ev_report_store_add(s, ev_rec_root(rec), reason,
			    err, errlen);
	it = 0;
	if (ev_rec_time(rec, s->time_path, &t) != 0) {
		json_t *tv = ev_rec_get(rec, s->time_path);

		*reason = "time";
		snprintf(err, errlen, "'%s' is %s", s->o.time_field,
		    tv == NULL ? "missing" : "not a valid time");
		return -1;
	}
	end = t;
	if ((v = ev_rec_member(rec, "end")) >= 0) {
		if (ev_rec_kind(rec, v) == 's') {
			size_t n;
			const char *str = ev_rec_val_str(rec, v, &n);

			if (ev_time_parse(str, n, &end) != 0 || end < t)
				end = t;
		} else if (ev_time_from_json(ev_rec_val_json(rec, v),
		    &end) != 0 || end < t)
			end = t;
	}
	e = rep_entry_new(s, t, end);
	e->series = rep_series_of_rec(s, rec);
	e->partial = (v = ev_rec_member(rec, "final")) >= 0 &&
	    ev_rec_kind(rec, v) == 'f';
	if (s->o.nmetrics > 0) {
		for (i = 0; i < s->o.nmetrics; i++)
			if ((v = ev_rec_member(rec, s->o.metrics[i])) >= 0 &&
			    ev_rec_kind(rec, v) == 'n')
				rep_add_pair(s, (int32_t)i,
				    ev_rec_val_num(rec, v));
	} else {
		while (ev_rec_next(rec, &it, &k, &v)) {
			int32_t n;

			if (ev_rec_kind(rec, v) != 'n' || rep_reserved(s, k))
				continue;
			n = rep_name_intern(s, k);
			s->name[n].is_metric = 1;
			rep_add_pair(s, n, ev_rec_val_num(rec, v));
		}
	}
	e->npairs = (uint32_t)(s->npair - e->poff);
	s->nent++;
	return 0;
}


/* ---- building the model ---- */

struct rep_build {
	struct ev_report_store	*s;
	size_t			*ord;		/* entries by series, time, arrival */
	size_t			*soff;		/* first ord index per series (+1) */
	int32_t			*metric;	/* name index per metric, -1 none */
	size_t			 nmetric;
	const char	       **mname;
	int			*add;		/* per metric: additive */
	char			*part;		/* per point: a partial period */
	size_t			 npart;
	ev_us_t			 since, until, step, psince;
	int			 has_prev;
	/*
	 * Change figures compare each point k with the point off earlier
	 * (the range's length, --compare, or one step); ppart[k] flags
	 * that earlier point as partial.  lastpt is the last complete
	 * point with data, -1 none: without a range of its own the
	 * change is that point's against the earlier one.
	 */
	ev_us_t			 off, nat;	/* nat: step of the records */
	char			*ppart;
	int64_t			 lastpt;
	char			*shadow;	/* per entry: a record of the
						   step's length holds it */
	int			 cur_add;	/* metric walked is additive */
	size_t			*nskip;		/* records left out: not additive */
	size_t			 n;
	size_t			 maxlabels;
};

/*
 * qsort has no context argument in C11; sort ourselves (merge sort, stable
 * and without a global) by series (unless by_time), time and arrival.
 */
static int
rep_before(const struct rep_entry *ent, size_t ia, size_t ib, int by_time)
{
	const struct rep_entry *a = &ent[ia], *b = &ent[ib];

	if (!by_time && a->series != b->series)
		return a->series < b->series;
	if (a->t != b->t)
		return a->t < b->t;
	return ia < ib;
}

static void
rep_sort(const struct rep_entry *ent, size_t *v, size_t n, int by_time)
{
	size_t *tmp, w, i;

	if (n < 2)
		return;
	tmp = ev_xreallocarray(NULL, n, sizeof(*tmp));
	for (w = 1; w < n; w *= 2) {
		for (i = 0; i < n; i += 2 * w) {
			size_t lo = i, mid = i + w < n ? i + w : n;
			size_t hi = i + 2 * w < n ? i + 2 * w : n;
			size_t a = lo, b = mid, k = lo;

			while (a < mid && b < hi)
				tmp[k++] = rep_before(ent, v[b], v[a],
				    by_time) ?
				    v[b++] : v[a++];
			while (a < mid)
				tmp[k++] = v[a++];
			while (b < hi)
				tmp[k++] = v[b++];
		}
		memcpy(v, tmp, n * sizeof(*v));
	}
	free(tmp);
}

/* ---- the range and its step ---- */

/* The end of an entry's window (its time when it has none). */
static ev_us_t
rep_end(const struct rep_entry *e)
{
	return e->end > e->t ? e->end : e->t;
}

/*
 * The records' first time, last end and the grid's step: the shortest
 * window, else the smallest gap between two records of a series, else a
 * minute; at least --step.  ord lists the entries by series and time; NULL
 * sorts them here when the gaps are needed.
 */
static void
rep_span(const struct ev_report_store *s, const size_t *ord, ev_us_t *tminp,
    ev_us_t *tmaxp, ev_us_t *stepp)
{
	ev_us_t tmin = INT64_MAX, tmax = INT64_MIN, step = 0;
	size_t i, *own = NULL;

	for (i = 0; i < s->nent; i++) {
		const struct rep_entry *e = &s->ent[i];

		if (e->t < tmin)
			tmin = e->t;
		if (rep_end(e) > tmax)
			tmax = rep_end(e);
		if (e->end > e->t && (step == 0 || e->end - e->t < step))
			step = e->end - e->t;
	}
	if (step == 0 && s->nent > 1) {
		if (ord == NULL) {
			own = ev_xreallocarray(NULL, s->nent, sizeof(*own));
			for (i = 0; i < s->nent; i++)
				own[i] = i;
			rep_sort(s->ent, own, s->nent, 0);
			ord = own;
		}
		for (i = 1; i < s->nent; i++) {
			const struct rep_entry *a = &s->ent[ord[i - 1]];
			const struct rep_entry *b = &s->ent[ord[i]];

			if (a->series == b->series && b->t > a->t &&
			    (step == 0 || b->t - a->t < step))
				step = b->t - a->t;
		}
		free(own);
	}
	if (step == 0)
		step = EV_US_PER_MIN;
	if (s->o.step > step)
		step = s->o.step;
	if (s->nent > 0 && tmax < tmin + step)
		tmax = tmin + step;
	*tminp = tmin;
	*tmaxp = tmax;
	*stepp = step;
}

/* The report's range from the records' span and the options. */
static void
rep_range(const struct ev_report_store *s, ev_us_t tmin, ev_us_t tmax,
    ev_us_t *since, ev_us_t *until)
{
	*until = s->o.has_until ? s->o.until : tmax;
	if (s->o.has_since)
		*since = s->o.since;
	else if (s->o.last > 0)
		*since = *until - s->o.last;
	else
		*since = s->nent > 0 ? tmin : 0;
	if (s->nent == 0 && !s->o.has_until)
		*until = *since;
	if (*until < *since)
		*until = *since;
}

static int
rep_fits(ev_us_t since, ev_us_t until, ev_us_t step)
{
	return (uint64_t)(until - since) / (uint64_t)step <
	    EV_REPORT_MAX_POINTS;
}

/*
 * Mark (keep[i] = 0) the entries outside the densest stretch of w/2 by
 * time: the stretch holding the most records (the latest of equals).
 * Entries whose own window is longer than w/2 fit in no stretch.  So
 * every kept record starts within w/2 of the first and ends within w of
 * it.  Returns the number marked.
 */
static size_t
rep_densest(const struct ev_report_store *s, ev_us_t w, char *keep)
{
	size_t *v = ev_xreallocarray(NULL, s->nent, sizeof(*v));
	size_t i, n = 0, lo = 0, best = 0, bestlo = 0, besthi = 0, dropped = 0;
	ev_us_t half = w / 2;

	for (i = 0; i < s->nent; i++) {
		if (!keep[i])
			continue;
		if (rep_end(&s->ent[i]) - s->ent[i].t > half) {
			keep[i] = 0;
			dropped++;
			continue;
		}
		v[n++] = i;
	}
	rep_sort(s->ent, v, n, 1);
	for (i = 0; i < n; i++) {
		while (s->ent[v[i]].t - s->ent[v[lo]].t > half)
			lo++;
		if (i + 1 - lo >= best) {
			best = i + 1 - lo;
			bestlo = lo;
			besthi = i + 1;
		}
	}
	for (i = 0; i < n; i++)
		if (i < bestlo || i >= besthi) {
			keep[v[i]] = 0;
			dropped++;
		}
	free(v);
	return dropped;
}

/* Remove the entries not kept, renumbering the anomalies' entries. */
static void
rep_compact(struct ev_report_store *s, const char *keep)
{
	size_t *map = ev_xreallocarray(NULL, s->nent ? s->nent : 1,
	    sizeof(*map));
	size_t i, n = 0, na = 0;

	for (i = 0; i < s->nent; i++) {
		map[i] = n;
		if (keep[i])
			s->ent[n++] = s->ent[i];
	}
	for (i = 0; i < s->nanom; i++) {
		if (!keep[s->anom[i].entry]) {
			json_decref(s->anom[i].a);
			continue;
		}
		s->anom[na] = s->anom[i];
		s->anom[na++].entry = map[s->anom[i].entry];
	}
	s->nanom = na;
	for (i = 0, na = 0; i < s->nres; i++) {
		if (!keep[s->res[i].entry]) {
			json_decref(s->res[i].a);
			continue;
		}
		s->res[na] = s->res[i];
		s->res[na++].entry = map[s->res[i].entry];
	}
	s->nres = na;
	s->nent = n;
	free(map);
}

size_t
ev_report_store_trim(struct ev_report_store *s,
    void (*drop)(void *arg, uint64_t id, const char *msg), void *arg,
    char *note, size_t notelen)
{
	ev_us_t tmin, tmax, step, since, until, w;
	char *keep, tbuf[EV_TIME_BUFSZ], sbuf[EV_TIME_BUFSZ], msg[400];
	size_t i, nlate = 0, nfar = 0, nkept;

	if (notelen > 0)
		note[0] = '\0';
	if (s->nent == 0)
		return 0;
	keep = ev_xmalloc(s->nent);
	memset(keep, 1, s->nent);
	rep_span(s, NULL, &tmin, &tmax, &step);

	/* A point must end by 9999-12-31T23:59:59.999999Z to be written. */
	for (i = 0; i < s->nent; i++)
		if (s->ent[i].t > EV_TIME_MAX - step) {
			keep[i] = 0;
			nlate++;
		}

	/*
	 * Too many points: drop the records far from the rest, when the
	 * range has a free end and most records lie close together.
	 */
	rep_range(s, tmin, tmax, &since, &until);
	if (!rep_fits(since, until, step) && s->o.last == 0 &&
	    !(s->o.has_since && s->o.has_until)) {
		/* No overflow: the range, under 2^59, is over 2e6 steps. */
		w = (ev_us_t)(EV_REPORT_MAX_POINTS - 2) * step;
		for (i = 0; i < s->nent; i++) {
			const struct rep_entry *e = &s->ent[i];
			int out;

			if (!keep[i])
				continue;
			if (s->o.has_since)
				out = rep_end(e) > s->o.since + w;
			else if (s->o.has_until)
				out = e->t < s->o.until - w;
			else
				continue;
			if (out) {
				keep[i] = 0;
				nfar++;
			}
		}
		if (!s->o.has_since && !s->o.has_until)
			nfar = rep_densest(s, w, keep);
		nkept = s->nent - nlate - nfar;
		if (nfar > nkept) {
			/* No stretch holds most records: keep them all. */
			for (i = 0; i < s->nent; i++)
				keep[i] = s->ent[i].t <= EV_TIME_MAX - step;
			nfar = 0;
		}
	}
	ev_duration_format(step, sbuf);
	for (i = 0; i < s->nent; i++) {
		if (keep[i])
			continue;
		ev_time_format(s->ent[i].t, -1, tbuf);
		if (s->ent[i].t > EV_TIME_MAX - step)
			snprintf(msg, sizeof(msg), "'%s' %s leaves no room for "
			    "a point of %s before the year 10000",
			    s->o.time_field, tbuf, sbuf);
		else
			snprintf(msg, sizeof(msg), "'%s' %s lies too far "
			    "from the other records: a report holds at most "
			    "%d points of %s", s->o.time_field, tbuf,
			    EV_REPORT_MAX_POINTS, sbuf);
		drop(arg, s->ent[i].id, msg);
	}
	rep_compact(s, keep);
	free(keep);

	/* Still too many points: the points grow apart. */
	if (s->nent > 0) {
		rep_span(s, NULL, &tmin, &tmax, &step);
		rep_range(s, tmin, tmax, &since, &until);
		if (!rep_fits(since, until, step)) {
			uint64_t k = (uint64_t)(until - since) /
			    ((uint64_t)(EV_REPORT_MAX_POINTS - 1) *
			    (uint64_t)step) + 1;

			s->o.step = (ev_us_t)k * step;
			ev_duration_format(s->o.step, tbuf);
			snprintf(note, notelen, "the range holds more than %d "
			    "points of %s; points are %s apart instead",
			    EV_REPORT_MAX_POINTS, sbuf, tbuf);
		}
	}
	return nlate + nfar;
}


/* The value of metric name in an entry; 0 found, -1 not. */
static int
rep_entry_value(const struct ev_report_store *s, const struct rep_entry *e,
    int32_t name, double *v)
{
	uint32_t i;

	if (name < 0)
		return -1;
	for (i = 0; i < e->npairs; i++)
		if (s->pair[e->poff + i].name == (uint32_t)name) {
			*v = s->pair[e->poff + i].v;
			return 0;
		}
	return -1;
}

static json_t *
rep_time_json(ev_us_t t)
{
	char buf[EV_TIME_BUFSZ];

	return json_string(ev_time_format(t, -1, buf));
}

static json_t *
rep_num(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

/*
 * Points per sparkline glyph.  A glyph whose span neither divides a day
 * nor is whole days samples the daily cycle at a drifting phase and draws
 * a beat that is not in the data (24 glyphs over a week of 10-minute
 * points are 7 hours each); so a glyph spans the fewest steps that divide
 * a day, or make whole days, with at most EV_REPORT_SPARK_WIDTH glyphs.
 * 0 when no such span exists (a step that is not a divisor or a multiple
 * of a day's divisors): the points are then split evenly.
 */
static size_t
rep_spark_per(ev_us_t step, size_t n)
{
	size_t k = (n + EV_REPORT_SPARK_WIDTH - 1) / EV_REPORT_SPARK_WIDTH;

	if (k == 0)
		k = 1;
	for (; k <= n && (ev_us_t)k <= EV_TIME_MAX / step; k++) {
		ev_us_t d = (ev_us_t)k * step;

		if (EV_US_PER_DAY % d == 0 || d % EV_US_PER_DAY == 0)
			return k;
	}
	return 0;
}

/*
 * Sparkline of n points (UTF-8 blocks), per points a glyph (the means),
 * or split evenly into at most EV_REPORT_SPARK_WIDTH glyphs when per is 0.
 */
static json_t *
rep_spark(const double *p, size_t n, size_t per)
{
	static const char *const bars[] = { "\u2581", "\u2582", "\u2583",
	    "\u2584", "\u2585", "\u2586", "\u2587", "\u2588" };
	double val[EV_REPORT_SPARK_WIDTH], lo = INFINITY, hi = -INFINITY;
	size_t w = n < EV_REPORT_SPARK_WIDTH ? n : EV_REPORT_SPARK_WIDTH;
	struct ev_buf b = EV_BUF_INIT;
	json_t *r;
	size_t i, j;

	if (per > 0)
		w = (n + per - 1) / per;
	for (i = 0; i < w; i++) {
		size_t a = per ? i * per : i * n / w;
		size_t z = per ? (a + per < n ? a + per : n) : (i + 1) * n / w;
		size_t c = 0;
		double sum = 0;

		for (j = a; j < z; j++)
			if (!isnan(p[j])) {
				sum += p[j];
				c++;
			}
		val[i] = c ? sum / (double)c : NAN;
		if (c) {
			if (val[i] < lo)
				lo = val[i];
			if (val[i] > hi)
				hi = val[i];
		}
	}
	for (i = 0; i < w; i++) {
		int lv;

		if (isnan(val[i])) {
			ev_buf_addc(&b, ' ');
			continue;
		}
		if (hi > lo)
			lv = (int)lround((val[i] - lo) / (hi - lo) * 7);
		else
			lv = val[i] == 0 ? 0 : 3;
		ev_buf_adds(&b, bars[lv < 0 ? 0 : lv > 7 ? 7 : lv]);
	}
	r = json_stringn(b.data ? b.data : "", b.len);
	ev_buf_free(&b);
	return r;
}

static json_t *
rep_points(const double *p, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, rep_num(p[i]));
	return a;
}

static void
rep_grid_add(double *g, double v)
{
	*g = isnan(*g) ? v : *g + v;
}

static double
rep_change(double total, double prev)
{
	if (isnan(prev) || prev == 0)
		return NAN;
	return (total - prev) / fabs(prev);
}

struct rep_rank {
	uint32_t	series;
	double		total, prev;
	double		ctot;		/* total of the complete periods */
	int		has, has_prev, has_c;
	size_t		nper, nprev;	/* periods in the range, previous */
	size_t		nanom;
};

static int
rep_rank_before(const struct ev_report_store *s, const struct rep_rank *a,
    const struct rep_rank *b)
{
	/* A non-additive total may be unknown (NaN): it ranks last. */
	if (isnan(a->total) != isnan(b->total))
		return isnan(b->total);
	if (!isnan(a->total) && a->total != b->total)
		return a->total > b->total;
	return strcmp(s->ser[a->series].key, s->ser[b->series].key) < 0;
}

static void
rep_rank_sort(const struct ev_report_store *s, struct rep_rank *r, size_t n)
{
	size_t i, j;
	struct rep_rank x;

	/* Insertion sort: a report has tens of series, rarely thousands. */
	for (i = 1; i < n; i++) {
		x = r[i];
		for (j = i; j > 0 && rep_rank_before(s, &x, &r[j - 1]); j--)
			r[j] = r[j - 1];
		r[j] = x;
	}
}

/*
 * Whether a record's value may stand for the point it falls in.  An
 * additive value always may (points sum their records); a non-additive
 * one (a distinct count, a percentile) only when the record's window is
 * as long as a point: a day's distinct users are not the sum of its
 * hours', so with --step coarser than the windows only a record of the
 * step's own length gives the point.  A record without an end is as
 * long as the records' own spacing.  A shorter record of a series that
 * also has the step's record for that time is left out whatever the
 * metric: the longer record already holds it.
 */
static int
rep_point_ok(const struct rep_build *B, const struct rep_entry *e)
{
	ev_us_t len = e->end > e->t ? e->end - e->t : B->nat;

	if (B->shadow != NULL && B->shadow[e - B->s->ent])
		return 0;
	if (B->cur_add || len == B->step)
		return 1;
	if (B->nskip != NULL)
		(*B->nskip)++;
	return 0;
}

/*
 * Walk the records of series se in time order, one value per time (the
 * last record's), and call fn for each.
 */
static void
rep_walk(const struct rep_build *B, uint32_t se, int32_t name,
    void (*fn)(void *, const struct rep_entry *, double), void *arg)
{
	const struct ev_report_store *s = B->s;
	size_t i = B->soff[se], z = B->soff[se + 1];

	while (i < z) {
		const struct rep_entry *e = &s->ent[B->ord[i]];
		const struct rep_entry *last = NULL;
		double v = NAN, x;
		size_t j = i;

		while (j < z && s->ent[B->ord[j]].t == e->t) {
			if (rep_entry_value(s, &s->ent[B->ord[j]], name,
			    &x) == 0 && rep_point_ok(B, &s->ent[B->ord[j]])) {
				v = x;
				last = &s->ent[B->ord[j]];
			}
			j++;
		}
		if (last != NULL)
			fn(arg, last, v);
		i = j;
	}
}

/*
 * A record of the earlier period (off before the range): into the
 * earlier grid at the point it is compared with, and into the series'
 * previous total when the range has one (--since, --last), only against
 * a complete point of the range and when complete itself.
 */
static void
rep_prev_fn(const struct rep_build *B, const struct rep_entry *e, double v,
    double *pgrid, struct rep_rank *r)
{
	size_t k;

	if (B->off <= 0 || e->t < B->since - B->off ||
	    e->t >= B->until - B->off)
		return;
	k = (size_t)((e->t + B->off - B->since) / B->step);
	if (k >= B->n)
		return;
	if (pgrid != NULL)
		rep_grid_add(&pgrid[k], v);
	if (r == NULL || !B->has_prev)
		return;
	r->nprev++;
	if (!e->partial && !B->part[k] && !B->ppart[k]) {
		r->prev += v;
		r->has_prev = 1;
	}
}

struct rep_tot {
	const struct rep_build	*B;
	struct rep_rank		*r;
	double			*grid;	/* total grid, or NULL */
	double			*pgrid;	/* the same, off earlier, or NULL */
};

static void
rep_tot_fn(void *arg, const struct rep_entry *e, double v)
{
	struct rep_tot *T = arg;
	const struct rep_build *B = T->B;

	if (e->t >= B->since && e->t < B->until) {
		size_t k = (size_t)((e->t - B->since) / B->step);

		T->r->total += v;
		T->r->has = 1;
		T->r->nper++;
		if (!B->part[k] && !B->ppart[k]) {
			T->r->ctot += v;
			T->r->has_c = 1;
		}
		if (T->grid != NULL)
			rep_grid_add(&T->grid[k], v);
	}
	rep_prev_fn(B, e, v, T->pgrid, T->r);
}

struct rep_pts {
	const struct rep_build	*B;
	double			*p, *ex, *lo, *hi;
	double			*pp;	/* points off earlier */
	int32_t			 name;
	int			 band;
};

static void
rep_pts_fn(void *arg, const struct rep_entry *e, double v)
{
	struct rep_pts *P = arg;
	const struct rep_build *B = P->B;
	size_t k;

	rep_prev_fn(B, e, v, P->pp, NULL);
	if (e->t < B->since || e->t >= B->until)
		return;
	k = (size_t)((e->t - B->since) / B->step);
	rep_grid_add(&P->p[k], v);
	if (e->band_name == P->name || (e->band_name < 0 && P->name ==
	    B->metric[0])) {
		if (!isnan(e->exp)) {
			rep_grid_add(&P->ex[k], e->exp);
			P->band = 1;
		}
		if (!isnan(e->lo))
			rep_grid_add(&P->lo[k], e->lo);
		if (!isnan(e->hi))
			rep_grid_add(&P->hi[k], e->hi);
	}
}

static void
rep_labels_str(struct ev_buf *b, const json_t *labels)
{
	ev_buf_reset(b);
	ev_report_fmt_labels(b, labels);
}

/* The metric an anomaly belongs to: the one it names, else the first. */
static int
rep_anom_for(const struct rep_build *B, const struct rep_anom *an,
    size_t m)
{
	size_t i;

	if (an->name >= 0)
		for (i = 0; i < B->nmetric; i++)
			if (B->metric[i] == an->name)
				return i == m;
	return m == 0;
}

/* Entry a before entry b: by time, then series, then arrival. */
static int
rep_ent_before(const struct rep_build *B, size_t a, size_t b)
{
	const struct rep_entry *ea = &B->s->ent[a];
	const struct rep_entry *eb = &B->s->ent[b];
	int c;

	if (ea->t != eb->t)
		return ea->t < eb->t;
	c = strcmp(B->s->ser[ea->series].key, B->s->ser[eb->series].key);
	if (c != 0)
		return c < 0;
	return a < b;
}

static int
rep_anom_before(const struct rep_build *B, const struct rep_anom *a,
    const struct rep_anom *b)
{
	return rep_ent_before(B, a->entry, b->entry);
}

static json_t *
rep_anom_json(const struct rep_build *B, const struct rep_anom *an,
    size_t m)
{
	const struct ev_report_store *s = B->s;
	const struct rep_entry *e = &s->ent[an->entry];
	const json_t *a = an->a;
	struct ev_buf lb = EV_BUF_INIT;
	json_t *o = json_object(), *x;
	double v = NAN, exp;
	const char *dir;

	(void)rep_entry_value(s, e, B->metric[m], &v);
	exp = ev_report_get_num(a, "expected", NAN);
	rep_labels_str(&lb, s->ser[e->series].labels);
	json_object_set_new(o, "start", rep_time_json(e->t));
	json_object_set_new(o, "series", json_string(lb.data));
	json_object_set_new(o, "labels", json_deep_copy(
	    s->ser[e->series].labels));
	json_object_set_new(o, "value", rep_num(v));
	json_object_set_new(o, "score", rep_num(ev_report_get_num(a, "score",
	    NAN)));
	json_object_set_new(o, "expected", rep_num(exp));
	json_object_set_new(o, "lower", rep_num(ev_report_get_num(a, "lower",
	    NAN)));
	json_object_set_new(o, "upper", rep_num(ev_report_get_num(a, "upper",
	    NAN)));
	dir = ev_report_get_str(a, "direction", NULL);
	if (dir == NULL)
		dir = isnan(v) || isnan(exp) ? "" : v < exp ? "down" : "up";
	json_object_set_new(o, "direction", json_string(dir));
	json_object_set_new(o, "method", json_string(ev_report_get_str(a,
	    "method", "")));
	json_object_set_new(o, "summary", json_string(ev_report_get_str(a,
	    "summary", "")));
	x = json_object_get(a, "explain");
	json_object_set_new(o, "explain", json_is_array(x) ?
	    json_deep_copy(x) : json_array());
	ev_buf_free(&lb);
	return o;
}

/* The end of a window for an episode: a record without one lasts a step. */
static ev_us_t
rep_ep_end(const struct rep_build *B, const struct rep_entry *e)
{
	return e->end > e->t ? e->end : e->t + B->step;
}

/*
 * The episodes of metric m: its anomalies in the range (al, the later of
 * two records of one series and time replacing the earlier) and the
 * "resolved" records that close them, wherever they fall.
 */
static json_t *
rep_incidents(const struct rep_build *B, size_t m, struct rep_anom **al,
    size_t nal)
{
	const struct ev_report_store *s = B->s;
	struct ev_report_alert *v = ev_xreallocarray(NULL, nal + s->nres + 1,
	    sizeof(*v));
	char **names = ev_xcalloc(s->nser + 1, sizeof(*names));
	struct ev_buf lb = EV_BUF_INIT;
	size_t i, n = 0;
	json_t *r;

	for (i = 0; i < nal + s->nres; i++) {
		const struct rep_anom *an = i < nal ? al[i] : &s->res[i - nal];
		const struct rep_entry *e = &s->ent[an->entry];
		const struct rep_entry *last;
		double val = NAN;

		if (i < nal && i + 1 < nal &&
		    s->ent[al[i + 1]->entry].t == e->t &&
		    s->ent[al[i + 1]->entry].series == e->series)
			continue;	/* a later record replaces it */
		if (i >= nal && !rep_anom_for(B, an, m))
			continue;
		if (names[e->series] == NULL) {
			rep_labels_str(&lb, s->ser[e->series].labels);
			names[e->series] = ev_xstrdup(lb.data);
		}
		last = &s->ent[B->ord[B->soff[e->series + 1] - 1]];
		(void)rep_entry_value(s, e, B->metric[m], &val);
		v[n].t = e->t;
		v[n].end = rep_ep_end(B, e);
		v[n].series = e->series;
		v[n].name = names[e->series];
		v[n].labels = s->ser[e->series].labels;
		v[n].value = val;
		v[n].a = an->a;
		v[n].resolved = i >= nal;
		v[n].last = rep_ep_end(B, last);
		n++;
	}
	r = ev_report_episodes(v, n);
	for (i = 0; i < s->nser; i++)
		free(names[i]);
	free(names);
	free(v);
	ev_buf_free(&lb);
	return r;
}

/*
 * A series' sparkline.  ev-window writes no record for a group without
 * events, so for an additive metric a point the series lacks while the
 * metric has one is 0; only a point without any record is a gap.
 */
static json_t *
rep_series_spark(const struct rep_build *B, int add, const double *p,
    const double *grid, size_t per)
{
	double *f;
	json_t *r;
	size_t i;

	if (!add)
		return rep_spark(p, B->n, per);
	f = ev_xreallocarray(NULL, B->n ? B->n : 1, sizeof(*f));
	for (i = 0; i < B->n; i++)
		f[i] = isnan(p[i]) && !isnan(grid[i]) ? 0 : p[i];
	r = rep_spark(f, B->n, per);
	free(f);
	return r;
}

/* ---- change figures: a point against the point off earlier ---- */

/* The earlier value of the last complete point; NaN when not complete. */
static double
rep_point_prev(const struct rep_build *B, const double *pp)
{
	size_t k = (size_t)B->lastpt;

	return B->lastpt < 0 || B->ppart[k] ? NAN : pp[k];
}

/* The change of the last complete point against the earlier one. */
static double
rep_point_change(const struct rep_build *B, const double *p,
    const double *pp)
{
	if (B->lastpt < 0 || isnan(p[B->lastpt]))
		return NAN;
	return rep_change(p[B->lastpt], rep_point_prev(B, pp));
}

/*
 * --compare: per point the value off earlier and the change, null where
 * either point is partial or has no value.
 */
static json_t *
rep_compare_json(const struct rep_build *B, const double *p,
    const double *pp)
{
	json_t *o = json_object(), *ch = json_array();
	size_t k;

	for (k = 0; k < B->n; k++)
		json_array_append_new(ch, rep_num(B->part[k] || B->ppart[k] ?
		    NAN : rep_change(p[k], pp[k])));
	json_object_set_new(o, "previous", rep_points(pp, B->n));
	json_object_set_new(o, "change", ch);
	return o;
}

/* Why a non-additive metric has points without a value. */
static const char rep_step_text[] = "not additive: a point takes only a "
    "record as long as the step, never a sum of shorter windows; points "
    "without one are n/a";

/*
 * A non-additive metric whose records are shorter than the step: its
 * points are those of records of the step's length only, and its total
 * is unknown when no such record is left.
 */
static void
rep_step_note(const struct rep_build *B, const char **note, double *total,
    const double *grid)
{
	size_t k, n = 0;

	for (k = 0; k < B->n; k++)
		if (!isnan(grid[k]))
			n++;
	if (n == 0) {
		*total = NAN;
		if (*note == NULL)
			*note = rep_step_text;
	}
}

static json_t *
rep_metric(struct rep_build *B, size_t m, size_t *nanom_total)
{
	struct ev_report_store *s = B->s;
	int32_t name = B->metric[m];
	struct rep_rank *r = ev_xcalloc(s->nser ? s->nser : 1, sizeof(*r));
	double *grid = ev_xreallocarray(NULL, B->n ? 2 * B->n : 1,
	    sizeof(double));
	double *pgrid = grid + B->n;
	double total = 0, prev = 0, ctot = 0, other = 0, change;
	size_t nskip = 0;
	int has_prev = 0, has_c = 0, add = B->add[m];
	size_t sper = rep_spark_per(B->step, B->n);
	size_t i, nr = 0, nother = 0, ntop, minl = SIZE_MAX, nmin = 0;
	int64_t trow = -1;
	const char *note = NULL;
	struct rep_anom **al;
	size_t nal = 0;
	json_t *o = json_object(), *sa, *aa;
	struct ev_buf lb = EV_BUF_INIT;

	for (i = 0; i < 2 * B->n; i++)
		grid[i] = NAN;
	B->cur_add = add;
	B->nskip = &nskip;
	/*
	 * A non-additive metric is never summed: its total is the total
	 * row's, the one series with the fewest group columns.
	 */
	if (!add) {
		for (i = 0; i < s->nser; i++) {
			if (s->ser[i].nlabels < minl) {
				minl = s->ser[i].nlabels;
				nmin = 0;
			}
			if (s->ser[i].nlabels == minl) {
				nmin++;
				trow = (int64_t)i;
			}
		}
		if (nmin != 1)
			trow = -1;
	}
	for (i = 0; i < s->nser; i++) {
		struct rep_tot T;
		int top = add ? s->ser[i].nlabels == B->maxlabels :
		    (int64_t)i == trow;

		memset(&r[nr], 0, sizeof(r[nr]));
		r[nr].series = (uint32_t)i;
		T.B = B;
		T.r = &r[nr];
		T.grid = top ? grid : NULL;
		T.pgrid = top ? pgrid : NULL;
		rep_walk(B, (uint32_t)i, name, rep_tot_fn, &T);
		if (top && r[nr].has_prev) {
			prev += r[nr].prev;
			has_prev = 1;
		}
		if (top && r[nr].has_c) {
			ctot += r[nr].ctot;
			has_c = 1;
		}
		if (!add && top) {
			/* One value per period: only a single one is a total. */
			has_prev = has_prev && r[nr].nprev == 1;
			has_c = has_c && r[nr].nper == 1;
			if (r[nr].nper > 1)
				note = "not additive: one value per period, "
				    "not summed across periods";
		}
		if (!add && r[nr].nper > 1)
			r[nr].total = NAN;
		if (r[nr].has)
			nr++;
	}
	for (i = 0; i < B->n; i++)
		if (!isnan(grid[i]))
			total += grid[i];
	if (!add && trow < 0) {
		total = NAN;
		note = "not additive: no total row (a record without the "
		    "segment columns), and segments are never summed";
	} else if (note != NULL)
		total = NAN;
	if (!add && nskip > 0)
		rep_step_note(B, &note, &total, grid);
	change = has_prev && has_c ? rep_change(ctot, prev) : NAN;
	if (!B->has_prev && B->lastpt >= 0) {
		prev = rep_point_prev(B, pgrid);
		has_prev = !isnan(prev);
		change = rep_point_change(B, grid, pgrid);
	}

	/* Anomalies of this metric in the range, one per series and time. */
	al = ev_xreallocarray(NULL, s->nanom ? s->nanom : 1, sizeof(*al));
	for (i = 0; i < s->nanom; i++) {
		const struct rep_entry *e = &s->ent[s->anom[i].entry];
		size_t j;

		if (e->t < B->since || e->t >= B->until ||
		    !rep_anom_for(B, &s->anom[i], m))
			continue;
		j = nal++;
		while (j > 0 && rep_anom_before(B, &s->anom[i], al[j - 1])) {
			al[j] = al[j - 1];
			j--;
		}
		al[j] = &s->anom[i];
	}
	aa = json_array();
	for (i = 0; i < nal; i++) {
		const struct rep_entry *e = &s->ent[al[i]->entry];
		size_t k;

		if (i + 1 < nal) {
			const struct rep_entry *f = &s->ent[al[i + 1]->entry];

			if (f->t == e->t && f->series == e->series)
				continue;	/* a later record replaces it */
		}
		json_array_append_new(aa, rep_anom_json(B, al[i], m));
		for (k = 0; k < nr; k++)
			if (r[k].series == e->series)
				r[k].nanom++;
	}
	*nanom_total += json_array_size(aa);

	rep_rank_sort(s, r, nr);
	ntop = nr < s->o.top ? nr : s->o.top;

	json_object_set_new(o, "name", json_string(B->mname[m]));
	json_object_set_new(o, "additive", json_boolean(add));
	json_object_set_new(o, "total", rep_num(total));
	if (note != NULL)
		json_object_set_new(o, "total_note", json_string(note));
	json_object_set_new(o, "previous", has_prev ? json_real(prev) :
	    json_null());
	json_object_set_new(o, "change", rep_num(change));
	json_object_set_new(o, "sparkline", rep_spark(grid, B->n, sper));
	json_object_set_new(o, "points", rep_points(grid, B->n));
	if (s->o.compare > 0)
		json_object_set_new(o, "compare", rep_compare_json(B, grid,
		    pgrid));
	if (nskip > 0)
		json_object_set_new(o, "points_note",
		    json_string(rep_step_text));

	sa = json_array();
	for (i = 0; i < nr; i++) {
		const struct rep_series *se = &s->ser[r[i].series];
		struct rep_pts P;
		json_t *so;
		size_t k;

		if (i >= ntop && r[i].nanom == 0) {
			nother++;
			if (se->nlabels == B->maxlabels)
				other += add ? r[i].total : NAN;
			continue;
		}
		P.B = B;
		P.name = name;
		P.band = 0;
		P.p = ev_xreallocarray(NULL, 5 * (B->n ? B->n : 1),
		    sizeof(double));
		P.ex = P.p + B->n;
		P.lo = P.ex + B->n;
		P.hi = P.lo + B->n;
		P.pp = P.hi + B->n;
		for (k = 0; k < 5 * B->n; k++)
			P.p[k] = NAN;
		rep_walk(B, r[i].series, name, rep_pts_fn, &P);
		so = json_object();
		rep_labels_str(&lb, se->labels);
		json_object_set_new(so, "series", json_string(lb.data));
		json_object_set_new(so, "labels", json_deep_copy(se->labels));
		json_object_set_new(so, "rank", json_integer((json_int_t)i + 1));
		json_object_set_new(so, "total", rep_num(r[i].total));
		if (B->has_prev || B->lastpt < 0) {
			json_object_set_new(so, "previous", r[i].has_prev ?
			    json_real(r[i].prev) : json_null());
			json_object_set_new(so, "change", rep_num(
			    r[i].has_prev && r[i].has_c && (add ||
			    (r[i].nper == 1 && r[i].nprev == 1)) ?
			    rep_change(r[i].ctot, r[i].prev) : NAN));
		} else {
			json_object_set_new(so, "previous", rep_num(
			    rep_point_prev(B, P.pp)));
			json_object_set_new(so, "change", rep_num(
			    rep_point_change(B, P.p, P.pp)));
		}
		if (add)
			json_object_set_new(so, "share", rep_num(total != 0 ?
			    r[i].total / total : NAN));
		json_object_set_new(so, "anomalies",
		    json_integer((json_int_t)r[i].nanom));
		json_object_set_new(so, "sparkline", rep_series_spark(B, add,
		    P.p, grid, sper));
		json_object_set_new(so, "points", rep_points(P.p, B->n));
		if (s->o.compare > 0)
			json_object_set_new(so, "compare",
			    rep_compare_json(B, P.p, P.pp));
		if (P.band) {
			json_object_set_new(so, "expected",
			    rep_points(P.ex, B->n));
			json_object_set_new(so, "lower", rep_points(P.lo, B->n));
			json_object_set_new(so, "upper", rep_points(P.hi, B->n));
		}
		json_array_append_new(sa, so);
		free(P.p);
	}
	json_object_set_new(o, "series", sa);
	json_object_set_new(o, "other", json_pack("{s:I,s:o}", "series",
	    (json_int_t)nother, "total", rep_num(other)));
	json_object_set_new(o, "anomalies", aa);
	json_object_set_new(o, "incidents", rep_incidents(B, m, al, nal));
	ev_buf_free(&lb);
	free(al);
	free(r);
	free(grid);
	B->nskip = NULL;
	return o;
}

/*
 * A top(field, N) metric: a ranked list per period and series, in time and
 * then series order (the last record of a series and period replaces the
 * earlier ones).  Lists are never summed, so the metric has no total.
 */
static json_t *
rep_top_metric(const struct rep_build *B, size_t m)
{
	const struct ev_report_store *s = B->s;
	const struct rep_top **tl;
	struct ev_buf lb = EV_BUF_INIT;
	json_t *o = json_object(), *pa = json_array(), *it;
	size_t i, j, k, n = 0;

	tl = ev_xreallocarray(NULL, s->ntop ? s->ntop : 1, sizeof(*tl));
	for (i = 0; i < s->ntop; i++) {
		const struct rep_entry *e = &s->ent[s->tops[i].entry];

		if (s->tops[i].name != B->metric[m] || e->t < B->since ||
		    e->t >= B->until)
			continue;
		/* Insertion: records mostly arrive in time order. */
		for (j = n++; j > 0 && rep_ent_before(B, s->tops[i].entry,
		    tl[j - 1]->entry); j--)
			tl[j] = tl[j - 1];
		tl[j] = &s->tops[i];
	}
	for (i = 0; i < n; i++) {
		const struct rep_entry *e = &s->ent[tl[i]->entry];
		json_t *po, *items;

		if (i + 1 < n && s->ent[tl[i + 1]->entry].t == e->t &&
		    s->ent[tl[i + 1]->entry].series == e->series)
			continue;	/* a later record replaces it */
		items = json_array();
		json_array_foreach(tl[i]->a, k, it)
			json_array_append_new(items, json_pack("{s:I,s:O,s:o}",
			    "rank", (json_int_t)k + 1, "value",
			    json_object_get(it, "value"), "count",
			    json_real(ev_report_get_num(it, "count", 0))));
		rep_labels_str(&lb, s->ser[e->series].labels);
		po = json_object();
		json_object_set_new(po, "start", rep_time_json(e->t));
		json_object_set_new(po, "partial", json_boolean(e->partial));
		json_object_set_new(po, "series", json_string(lb.data));
		json_object_set_new(po, "labels", json_deep_copy(
		    s->ser[e->series].labels));
		json_object_set_new(po, "items", items);
		json_array_append_new(pa, po);
	}
	json_object_set_new(o, "name", json_string(B->mname[m]));
	json_object_set_new(o, "kind", json_string("top"));
	json_object_set_new(o, "additive", json_false());
	json_object_set_new(o, "total", json_null());
	json_object_set_new(o, "previous", json_null());
	json_object_set_new(o, "change", json_null());
	json_object_set_new(o, "sparkline", json_string(""));
	json_object_set_new(o, "points", json_array());
	json_object_set_new(o, "series", json_array());
	json_object_set_new(o, "other", json_pack("{s:I,s:n}", "series",
	    (json_int_t)0, "total"));
	json_object_set_new(o, "anomalies", json_array());
	json_object_set_new(o, "periods", pa);
	ev_buf_free(&lb);
	free(tl);
	return o;
}

/*
 * The spacing of the records themselves: the step before --step (the
 * shortest window, else the smallest gap in a series).
 */
static ev_us_t
rep_nat_step(struct ev_report_store *s, const size_t *ord)
{
	ev_us_t tmin, tmax, nat, want = s->o.step;

	s->o.step = 0;
	rep_span(s, ord, &tmin, &tmax, &nat);
	s->o.step = want;
	return nat;
}

/*
 * Flag the records that a record of the same series as long as the step
 * holds (their time within its window and their window shorter): with
 * hourly and daily records and --step 1d, a day is its daily record.
 */
static void
rep_mark_shadow(struct rep_build *B)
{
	const struct ev_report_store *s = B->s;
	size_t i, j;

	B->shadow = ev_xcalloc(s->nent ? s->nent : 1, 1);
	for (i = 0; i < s->nent; i++) {
		const struct rep_entry *e = &s->ent[B->ord[i]], *f;

		if (e->end - e->t != B->step || B->step == B->nat)
			continue;
		for (j = i; j > 0; j--) {
			f = &s->ent[B->ord[j - 1]];
			if (f->series != e->series || f->t != e->t)
				break;
			if (rep_end(f) - f->t < B->step)
				B->shadow[B->ord[j - 1]] = 1;
		}
		for (j = i + 1; j < s->nent; j++) {
			f = &s->ent[B->ord[j]];
			if (f->series != e->series || f->t >= e->end)
				break;
			if (rep_end(f) - f->t < B->step)
				B->shadow[B->ord[j]] = 1;
		}
	}
}

/*
 * Flag the points whose earlier point (off before) is partial, and find
 * the last complete point with data.
 */
static void
rep_mark_prev(struct rep_build *B)
{
	const struct ev_report_store *s = B->s;
	char *have = ev_xcalloc(B->n ? B->n : 1, 1);
	size_t i;

	B->ppart = ev_xcalloc(B->n ? B->n : 1, 1);
	B->lastpt = -1;
	for (i = 0; i < s->nent; i++) {
		const struct rep_entry *e = &s->ent[B->ord[i]];

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
rep_basis_json(const struct rep_build *B)
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
	    rep_time_json(a), "end", rep_time_json(z), "previous", "start",
	    rep_time_json(a - B->off), "end", rep_time_json(z - B->off),
	    "offset", ev_duration_format(B->off, buf));
}

json_t *
ev_report_build(struct ev_report_store *s, const struct ev_report_counts *c,
    char *err, size_t errlen)
{
	struct rep_build B;
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
	rep_sort(s->ent, B.ord, s->nent, 0);
	B.soff = ev_xcalloc(s->nser + 1, sizeof(*B.soff));
	for (i = 0; i < s->nent; i++)
		B.soff[s->ent[i].series + 1]++;
	for (i = 0; i < s->nser; i++)
		B.soff[i + 1] += B.soff[i];
	for (i = 0; i < s->nser; i++)
		if (s->ser[i].nlabels > B.maxlabels)
			B.maxlabels = s->ser[i].nlabels;

	rep_span(s, B.ord, &tmin, &tmax, &step);
	B.step = step;
	B.nat = rep_nat_step(s, B.ord);
	rep_range(s, tmin, tmax, &B.since, &B.until);
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
		const struct rep_entry *e = &s->ent[B.ord[i]];

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
	    "start", rep_time_json(B.since), "end", rep_time_json(B.until),
	    "step", ev_duration_format(step, buf), "points",
	    (json_int_t)B.n));
	json_object_set_new(model, "previous", B.has_prev ?
	    json_pack("{s:o,s:o}", "start", rep_time_json(B.psince), "end",
	    rep_time_json(B.until - B.off)) : json_null());
	json_object_set_new(model, "change_basis", rep_basis_json(&B));
	by = json_array();
	for (i = 0; i < B.n; i++)
		if (B.part[i])
			json_array_append_new(by, rep_time_json(B.since +
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
	metrics = json_array();
	for (i = 0; i < B.nmetric; i++)
		json_array_append_new(metrics, s->name[B.metric[i]].top ?
		    rep_top_metric(&B, i) : rep_metric(&B, i, &nanom));
	rec = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}",
	    "in", (json_int_t)c->in, "rejected", (json_int_t)c->rejected,
	    "used", (json_int_t)used, "outside", (json_int_t)(s->nent - used),
	    "series", (json_int_t)nser, "anomalies", (json_int_t)nanom);
	json_object_set_new(model, "records", rec);
	json_object_set_new(model, "stages", json_deep_copy(s->stages));
	json_object_set_new(model, "metrics", metrics);
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

/* ---- shared helpers ---- */

const char *
ev_report_get_str(const json_t *o, const char *key, const char *dflt)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : dflt;
}

double
ev_report_get_num(const json_t *o, const char *key, double dflt)
{
	json_t *v = json_object_get(o, key);

	if (json_is_number(v))
		return json_number_value(v);
	return json_is_null(v) ? NAN : dflt;
}

json_t *
ev_report_get_arr(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_array(v) ? v : NULL;
}

double
ev_report_arr_num(const json_t *a, size_t i)
{
	json_t *v = json_array_get(a, i);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

struct ev_tz *
ev_report_tz(const json_t *model)
{
	struct ev_tz *tz = ev_tz_open(ev_report_get_str(model, "tz", "UTC"));

	return tz != NULL ? tz : ev_tz_open("UTC");
}

void
ev_report_grid(const json_t *model, ev_us_t *start, ev_us_t *step, size_t *n)
{
	const json_t *r = json_object_get(model, "range");
	const char *s = ev_report_get_str(r, "start", "");
	double np = ev_report_get_num(r, "points", 0);

	if (ev_time_parse(s, strlen(s), start) != 0)
		*start = 0;
	if (ev_duration_parse(ev_report_get_str(r, "step", ""), step) != 0 ||
	    *step <= 0)
		*step = EV_US_PER_MIN;
	*n = np > 0 && np < EV_REPORT_MAX_POINTS ? (size_t)np : 0;
}

void
ev_report_fmt_time(struct ev_buf *b, const struct ev_tz *tz, ev_us_t t,
    int with_sec)
{
	struct ev_tm tm;

	ev_tz_local(tz, t, &tm);
	ev_buf_printf(b, "%04d-%02d-%02d %02d:%02d", tm.year, tm.month,
	    tm.day, tm.hour, tm.min);
	if (with_sec)
		ev_buf_printf(b, ":%02d", tm.sec);
}

void
ev_report_fmt_timestr(struct ev_buf *b, const struct ev_tz *tz,
    const char *s, int with_sec)
{
	ev_us_t t;

	if (ev_time_parse(s, strlen(s), &t) == 0)
		ev_report_fmt_time(b, tz, t, with_sec);
	else
		ev_buf_adds(b, s);
}

static double
rep_severity(const json_t *a)
{
	double v = ev_report_get_num(a, "value", NAN);
	double e = ev_report_get_num(a, "expected", NAN);
	double lo = ev_report_get_num(a, "lower", NAN);
	double hi = ev_report_get_num(a, "upper", NAN);
	double half = v < e ? e - lo : hi - e;

	if (!isnan(v) && !isnan(e) && !isnan(half) && half > 0)
		return 1 + fabs(v - e) / half;	/* above any score */
	v = ev_report_get_num(a, "score", NAN);
	return isnan(v) ? 0 : v;
}

char *
ev_report_anomaly_shown(const json_t *aa, size_t max, size_t *hidden)
{
	size_t n = json_array_size(aa), i, j, *ord;
	double *sev;
	char *shown = ev_xcalloc(n ? n : 1, 1);

	*hidden = 0;
	if (max == 0 || n <= max) {
		memset(shown, 1, n);
		return shown;
	}
	sev = ev_xreallocarray(NULL, n, sizeof(*sev));
	ord = ev_xreallocarray(NULL, n, sizeof(*ord));
	for (i = 0; i < n; i++) {
		size_t k = i;

		sev[i] = rep_severity(json_array_get(aa, i));
		/* Insertion by severity, descending; stable for ties. */
		for (j = i; j > 0 && sev[ord[j - 1]] < sev[k]; j--)
			ord[j] = ord[j - 1];
		ord[j] = k;
	}
	for (i = 0; i < max; i++)
		shown[ord[i]] = 1;
	*hidden = n - max;
	free(sev);
	free(ord);
	return shown;
}

/* Digits of a non-negative decimal string with commas every three. */
static void
rep_group(struct ev_buf *b, const char *digits)
{
	size_t n = strspn(digits, "0123456789"), i;

	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			ev_buf_addc(b, ',');
		ev_buf_addc(b, digits[i]);
	}
	ev_buf_adds(b, digits + n);
}

void
ev_report_fmt_value(struct ev_buf *b, double v, const char *dash)
{
	char tmp[64];

	if (isnan(v) || isinf(v)) {
		ev_buf_adds(b, dash);
		return;
	}
	if (v < 0 && (v == floor(v) ? v <= -1 : v <= -0.005))
		ev_buf_addc(b, '-');
	v = fabs(v);
	if (v == floor(v) && v < 1e15)
		snprintf(tmp, sizeof(tmp), "%.0f", v);
	else if (v < 1e15)
		snprintf(tmp, sizeof(tmp), "%.2f", v);
	else {
		snprintf(tmp, sizeof(tmp), "%.3e", v);
		ev_buf_adds(b, tmp);
		return;
	}
	rep_group(b, tmp);
}

void
ev_report_fmt_change(struct ev_buf *b, double v, const char *dash)
{
	if (isnan(v) || isinf(v)) {
		ev_buf_adds(b, dash);
		return;
	}
	v *= 100;
	if (fabs(v) < 0.05)
		ev_buf_adds(b, "0.0%");
	else
		ev_buf_printf(b, "%+.1f%%", v);
}

void
ev_report_fmt_score(struct ev_buf *b, double v)
{
	char tmp[64];
	size_t n;

	if (isnan(v) || isinf(v)) {
		ev_buf_adds(b, "-");
		return;
	}
	/* The 1e-6 keeps 0.99991 (stored as 0.9999099...) from losing a digit. */
	n = (size_t)snprintf(tmp, sizeof(tmp), "%.6f",
	    floor(v * 1e6 + 1e-6) / 1e6);
	while (n > 1 && tmp[n - 1] == '0' && tmp[n - 2] != '.')
		tmp[--n] = '\0';
	ev_buf_adds(b, tmp);
}

void
ev_report_fmt_share(struct ev_buf *b, double v)
{
	if (isnan(v) || isinf(v))
		ev_buf_adds(b, "-");
	else if (fabs(v) < 0.1)
		ev_buf_printf(b, "%.1f%%", v * 100);
	else
		ev_buf_printf(b, "%.0f%%", v * 100);
}

void
ev_report_fmt_explain(struct ev_buf *b, const json_t *a)
{
	json_t *ex = ev_report_get_arr(a, "explain"), *it;
	size_t i, n = 0;

	json_array_foreach(ex, i, it) {
		const char *k;
		json_t *v;
		size_t fields = 0;

		if (!json_is_object(it))
			continue;
		if (n++ > 0)
			ev_buf_adds(b, ", ");
		json_object_foreach(it, k, v) {
			/* Segment columns; figures other than share stay out. */
			if (!json_is_string(v))
				continue;
			if (fields++ > 0)
				ev_buf_addc(b, ',');
			ev_buf_adds(b, k);
			ev_buf_addc(b, '=');
			(void)rep_label_text(b, v);
		}
		if (json_is_number(json_object_get(it, "share"))) {
			ev_buf_addc(b, ' ');
			ev_report_fmt_share(b, ev_report_get_num(it, "share",
			    0));
		}
	}
}

void
ev_report_fmt_labels(struct ev_buf *b, const json_t *labels)
{
	const char *k;
	json_t *v;
	size_t n = 0;

	json_object_foreach((json_t *)(uintptr_t)labels, k, v) {
		if (n++ > 0)
			ev_buf_addc(b, ',');
		ev_buf_adds(b, k);
		ev_buf_addc(b, '=');
		(void)rep_label_text(b, v);
	}
	if (n == 0)
		ev_buf_adds(b, "(all)");
}

int
ev_report_fmt_basis(struct ev_buf *b, const json_t *m, const struct ev_tz *tz)
{
	const json_t *cb = json_object_get(m, "change_basis");
	const json_t *cur = json_object_get(cb, "current");
	const json_t *pv = json_object_get(cb, "previous");
	const char *kind = ev_report_get_str(cb, "kind", "");
	int point = strcmp(kind, "point") == 0;

	if (!json_is_object(cur) || !json_is_object(pv) || (!point &&
	    strcmp(kind, "range") != 0))
		return 0;
	if (point) {
		ev_report_fmt_timestr(b, tz, ev_report_get_str(cur, "start",
		    ""), 0);
		ev_buf_adds(b, " against ");
		ev_report_fmt_timestr(b, tz, ev_report_get_str(pv, "start",
		    ""), 0);
		ev_buf_printf(b, " (the last complete %s point against the "
		    "one %s earlier)", ev_report_get_str(json_object_get(m,
		    "range"), "step", "?"), ev_report_get_str(cb, "offset",
		    "?"));
		return 1;
	}
	ev_buf_adds(b, "the range against ");
	ev_report_fmt_timestr(b, tz, ev_report_get_str(pv, "start", ""), 0);
	ev_buf_adds(b, " to ");
	ev_report_fmt_timestr(b, tz, ev_report_get_str(pv, "end", ""), 0);
	ev_buf_printf(b, " (%s earlier)", ev_report_get_str(cb, "offset",
	    "?"));
	return 1;
}

size_t
ev_report_compare_rows(const json_t *m, const json_t *me,
    void (*fn)(void *, ev_us_t, double, double, double, int), void *arg)
{
	const json_t *cmp = json_object_get(me, "compare");
	json_t *pts = ev_report_get_arr(me, "points");
	json_t *pv = ev_report_get_arr(cmp, "previous");
	json_t *ch = ev_report_get_arr(cmp, "change");
	json_t *pa = ev_report_get_arr(m, "partial"), *it;
	ev_us_t t0, step, t;
	size_t n, k, i, rows = 0;

	if (pv == NULL)
		return 0;
	ev_report_grid(m, &t0, &step, &n);
	for (k = 0; k < n; k++) {
		double v = ev_report_arr_num(pts, k);
		double p = ev_report_arr_num(pv, k);
		int part = 0;

		if (isnan(p))
			continue;	/* nothing to compare with */
		t = t0 + (ev_us_t)k * step;
		json_array_foreach(pa, i, it) {
			ev_us_t pt;

			if (json_is_string(it) && ev_time_parse(
			    json_string_value(it), json_string_length(it),
			    &pt) == 0 && pt == t)
				part = 1;
		}
		fn(arg, t, v, p, ev_report_arr_num(ch, k), part);
		rows++;
	}
	return rows;
}

const char *
ev_report_offset(const json_t *m)
{
	return ev_report_get_str(json_object_get(m, "change_basis"), "offset",
	    "?");
}

void
ev_report_fmt_item(struct ev_buf *b, const json_t *v)
{
	if (json_is_string(v))
		ev_buf_adds(b, json_string_value(v));
	else if (v != NULL)
		ev_json_write(v, b);
}

size_t
ev_report_width(const char *s, size_t n)
{
	size_t w = 0, i;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			w++;
	return w;
}

int
ev_report_format_parse(const char *name, enum ev_report_format *f)
{
	static const struct {
		const char *n;
		enum ev_report_format f;
	} t[] = {
		{ "csv", EV_REPORT_CSV }, { "html", EV_REPORT_HTML },
		{ "html-mail", EV_REPORT_HTML_MAIL },
		{ "json", EV_REPORT_JSON }, { "markdown", EV_REPORT_MARKDOWN },
		{ "md", EV_REPORT_MARKDOWN }, { "slack", EV_REPORT_SLACK },
		{ "text", EV_REPORT_TEXT },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(name, t[i].n) == 0) {
			*f = t[i].f;
			return 0;
		}
	return -1;
}

void
ev_report_render(const json_t *model, enum ev_report_format f,
    const struct ev_report_render_opts *ro, struct ev_buf *out)
{
	switch (f) {
	case EV_REPORT_TEXT:
		ev_report_text_render(model, ro, out);
		break;
	case EV_REPORT_MARKDOWN:
		ev_report_md_render(model, ro, out);
		break;
	case EV_REPORT_CSV:
		ev_report_csv_render(model, out);
		break;
	case EV_REPORT_JSON:
		ev_json_write(model, out);
		ev_buf_addc(out, '\n');
		break;
	case EV_REPORT_HTML:
		ev_report_html_render(model, ro, out);
		break;
	case EV_REPORT_HTML_MAIL:
		ev_report_mail_render(model, ro, out);
		break;
	case EV_REPORT_SLACK:
		ev_report_slack_render(model, ro, out);
		break;
	}
}
