/*
 * ev_report_store.c - ev-report's store: the one way records come in
 * (ev_report_store_add), the stats of other stages, and what a column's
 * name says of its additivity.  The layout is in ev_report_store_int.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_rec.h"
#include "ev_report_fmt.h"
#include "ev_report_store.h"
#include "ev_report_store_int.h"

/* The name k (klen bytes) interned: its index. */
static int32_t
rep_name_intern_n(struct ev_report_store *s, const char *k, size_t klen)
{
	size_t i;

	for (i = 0; i < s->nname; i++)
		if (strncmp(s->name[i].s, k, klen) == 0 &&
		    s->name[i].s[klen] == '\0')
			return (int32_t)i;
	if (s->nname == s->capname) {
		s->capname = s->capname ? 2 * s->capname : 16;
		s->name = ev_xreallocarray(s->name, s->capname,
		    sizeof(*s->name));
	}
	s->name[s->nname].s = ev_xstrndup(k, klen);
	s->name[s->nname].is_metric = 0;
	s->name[s->nname].additive = -1;
	s->name[s->nname].top = 0;
	return (int32_t)s->nname++;
}

static int32_t
rep_name_intern(struct ev_report_store *s, const char *n)
{
	return rep_name_intern_n(s, n, strlen(n));
}

struct ev_report_store *
ev_report_store_new(const struct ev_report_opts *o, char *err, size_t errlen)
{
	struct ev_report_store *s = ev_xcalloc(1, sizeof(*s));
	const char *errstr;
	size_t i;

	s->o = *o;
	s->tflen = strlen(o->time_field);
	ev_map_init(&s->sermap, sizeof(size_t), 1024, EV_MAP_BORROW);
	s->stages = json_array();
	ev_buf_init(&s->scratch);
	if (o->nby > 0)
		s->by_path = ev_xcalloc(o->nby, sizeof(*s->by_path));
	s->time_path = ev_path_compile(o->time_field, &errstr);
	if (s->time_path == NULL) {
		snprintf(err, errlen, "bad time field '%s': %s",
		    o->time_field, errstr);
		ev_report_store_free(s);
		return NULL;
	}
	/* A top-level time field is read from the walk over the members. */
	if (s->time_path->nseg == 1 && s->time_path->seg[0].index < 0) {
		s->tkey = s->time_path->seg[0].key;
		s->tkeylen = s->time_path->seg[0].keylen;
	}
	for (i = 0; i < o->nby; i++) {
		s->by_path[i] = ev_path_compile(o->by[i], &errstr);
		if (s->by_path[i] == NULL) {
			snprintf(err, errlen, "bad --by field '%s': %s",
			    o->by[i], errstr);
			ev_report_store_free(s);
			return NULL;
		}
	}
	for (i = 0; i < o->nmetrics; i++) {
		int32_t n = rep_name_intern(s, o->metrics[i]);

		s->name[n].is_metric = 1;
	}
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
	ev_map_release(&s->sermap);
	free(s->ent);
	free(s->pair);
	free(s->band);
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
	json_t *o;
	size_t i;

	if (!json_is_object(st))
		return;
	o = json_object();
	json_object_set_new(o, "tool",
	    json_string(ev_report_get_str(st, "tool", "?")));
	for (i = 0; i < EV_REPORT_NSTAGE_KEYS; i++) {
		const char *k = ev_report_stage_keys[i];
		double v = ev_report_get_num(st, k, 0);

		json_object_set_new(o, k, json_real(isnan(v) ? 0 : v));
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

	if (k[0] == s->o.time_field[0] && strcmp(k, s->o.time_field) == 0)
		return 1;
	/* Most members start with another letter: skip the list for them. */
	if (strchr("aefgs", k[0]) == NULL || k[0] == '\0')
		return 0;
	for (i = 0; i < sizeof(res) / sizeof(res[0]); i++)
		if (strcmp(k, res[i]) == 0)
			return 1;
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
			if (ev_report_fmt_label(&t, ev_path_get(s->by_path[i],
			    rec)))
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
			if (!ev_report_fmt_label(b, v)) {
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
	uint64_t h = ev_hash_bytes(b->data, b->len);
	struct ev_map_ent *e;

	if ((e = ev_map_find(&s->sermap, b->data, b->len, h)) != NULL)
		return (uint32_t)*(size_t *)ev_map_val(e);
	if (s->nser == s->capser) {
		s->capser = s->capser ? 2 * s->capser : 64;
		s->ser = ev_xreallocarray(s->ser, s->capser, sizeof(*s->ser));
	}
	s->ser[s->nser].key = ev_xstrndup(b->data, b->len);
	s->ser[s->nser].keylen = b->len;
	s->ser[s->nser].labels = rep_labels_new(s, rec != NULL ? rec :
	    ev_rec_root(lazy));
	s->ser[s->nser].nlabels = json_object_size(s->ser[s->nser].labels);
	/* The map borrows the series' own copy of the key. */
	e = ev_map_put(&s->sermap, s->ser[s->nser].key,
	    s->ser[s->nser].keylen, h, NULL);
	*(size_t *)ev_map_val(e) = s->nser++;
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
static struct ev_report_entry *
rep_entry_new(struct ev_report_store *s, ev_us_t t, ev_us_t end)
{
	struct ev_report_entry *e;

	if (s->nent == s->capent) {
		s->capent = s->capent ? 2 * s->capent : 1024;
		s->ent = ev_xreallocarray(s->ent, s->capent, sizeof(*s->ent));
	}
	e = &s->ent[s->nent];
	e->t = t;
	e->end = end;
	e->id = s->nadded++;
	e->poff = s->npair;
	e->band = -1;
	e->partial = 0;
	return e;
}

/* The band of entry e, for metric name (-1: none named). */
static void
rep_band_new(struct ev_report_store *s, struct ev_report_entry *e,
    int32_t name, double exp, double lo, double hi)
{
	struct ev_report_band *b;

	if (s->nband == s->capband) {
		s->capband = s->capband ? 2 * s->capband : 64;
		s->band = ev_xreallocarray(s->band, s->capband,
		    sizeof(*s->band));
	}
	b = &s->band[s->nband];
	b->name = name;
	b->exp = exp;
	b->lo = lo;
	b->hi = hi;
	e->band = (int32_t)s->nband++;
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

/*
 * Keep the anomaly object a (a new reference is taken) of the entry being
 * added, for metric n: an anomaly when kind is 1, a "resolved" alert (not
 * an anomaly, but the end of an episode) when 0; nothing when -1.
 */
static void
rep_keep_anom(struct ev_report_store *s, int32_t n, int kind, json_t *a)
{
	struct ev_report_obj **v;
	size_t *len, *cap;

	if (kind < 0)
		return;
	v = kind ? &s->anom : &s->res;
	len = kind ? &s->nanom : &s->nres;
	cap = kind ? &s->capanom : &s->capres;
	if (*len == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		*v = ev_xreallocarray(*v, *cap, sizeof(**v));
	}
	(*v)[*len].entry = s->nent;
	(*v)[*len].name = n;
	(*v)[*len].a = json_incref(a);
	(*len)++;
}

/*
 * Add a record from its document: the way for what the index does not
 * answer alone (see ev_report_store_add).
 */
static int
rep_add_doc(struct ev_report_store *s, const json_t *rec,
    const char **reason, char *err, size_t errlen)
{
	struct ev_report_entry *e;
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

		rep_band_new(s, e, n, ev_report_get_num(a, "expected", NAN),
		    ev_report_get_num(a, "lower", NAN),
		    ev_report_get_num(a, "upper", NAN));
		rep_keep_anom(s, n, rep_is_anomaly(s, rec, a) ? 1 :
		    strcmp(ev_report_get_str(a, "status", ""), "resolved") ==
		    0 ? 0 : -1, a);
	}
	s->nent++;
	return 0;
}

/*
 * The top-level members of a lazily indexed record, walked once: key (not
 * NUL-terminated: borrowed from the line), handle and kind ('s', 'n', ...;
 * ev_rec_kind).  What their keys say is in the store's shape.
 */
struct rep_mem {
	const char	*k;
	size_t		 klen;
	int		 v;
	int		 kind;
};

/* Whether key k (klen bytes) is the NUL-terminated name n. */
static int
rep_key_is(const char *k, size_t klen, const char *n)
{
	return strncmp(k, n, klen) == 0 && n[klen] == '\0';
}

/* rep_reserved of a key klen bytes long. */
static int
rep_reserved_n(const struct ev_report_store *s, const char *k, size_t klen)
{
	static const struct {
		const char	*s;
		size_t		 n;
	} res[] = { { "start", 5 }, { "end", 3 }, { "final", 5 },
	    { "anomaly", 7 }, { "status", 6 }, { "severity", 8 },
	    { "fingerprint", 11 }, { "additive", 8 }, { "grouping", 8 } };
	size_t i;

	if (klen == s->tflen && klen > 0 && k[0] == s->o.time_field[0] &&
	    memcmp(k, s->o.time_field, klen) == 0)
		return 1;
	/* Most members start with another letter: skip the list for them. */
	if (klen < 3 || (k[0] != 'a' && k[0] != 'e' && k[0] != 'f' &&
	    k[0] != 'g' && k[0] != 's'))
		return 0;
	for (i = 0; i < sizeof(res) / sizeof(res[0]); i++)
		if (klen == res[i].n && k[0] == res[i].s[0] &&
		    memcmp(k, res[i].s, klen) == 0)
			return 1;
	return 0;
}

/* Order of two keys as strcmp would give it. */
static int
rep_key_cmp(const struct rep_mem *a, const struct rep_mem *b)
{
	int c = memcmp(a->k, b->k, a->klen < b->klen ? a->klen : b->klen);

	return c != 0 ? c : a->klen < b->klen ? -1 : a->klen > b->klen;
}

/* Whether two of the members m[0..nm) have the same key. */
static int
rep_mem_dups(const struct rep_mem *m, size_t nm)
{
	size_t i, j;

	for (i = 0; i + 1 < nm; i++)
		for (j = i + 1; j < nm; j++)
			if (m[i].klen == m[j].klen && (m[i].klen == 0 ||
			    (m[i].k[0] == m[j].k[0] &&
			    memcmp(m[i].k, m[j].k, m[i].klen) == 0)))
				return 1;
	return 0;
}

/* Whether the members m[0..nm) have the keys of the shape, in order. */
static int
rep_shape_same(const struct rep_shape *sh, const struct rep_mem *m,
    size_t nm)
{
	const char *p = sh->keys;
	size_t i, j;

	if (!sh->valid || nm != sh->nm)
		return 0;
	for (i = 0; i < nm; i++) {
		if (m[i].klen != sh->klen[i])
			return 0;
		for (j = 0; j < m[i].klen; j++)
			if (m[i].k[j] != p[j])
				return 0;
		p += m[i].klen;
	}
	return 1;
}

/*
 * Work out the shape of the members m[0..nm) from their keys: which are
 * reserved, which hold the time, end, final and anomaly, the order of the
 * keys; kept for the next record when the keys fit.  -1 when the record
 * must take the document path: a repeated key, an "additive" member.
 */
static int
rep_shape_learn(struct ev_report_store *s, const struct rep_mem *m,
    size_t nm)
{
	struct rep_shape *sh = &s->shape;
	size_t i, j, len = 0;

	sh->valid = 0;
	if (rep_mem_dups(m, nm))
		return -1;
	sh->nm = nm;
	sh->tpos = sh->endpos = sh->finalpos = sh->anompos = -1;
	for (i = 0; i < nm; i++) {
		const char *k = m[i].k;
		size_t klen = m[i].klen;

		if (klen == 8 && memcmp(k, "additive", 8) == 0)
			return -1;
		sh->klen[i] = klen;
		sh->name[i] = -1;
		sh->reserved[i] = (char)rep_reserved_n(s, k, klen);
		if (s->tkey != NULL && klen == s->tkeylen &&
		    memcmp(k, s->tkey, klen) == 0)
			sh->tpos = (int)i;
		if (klen == 3 && memcmp(k, "end", 3) == 0)
			sh->endpos = (int)i;
		else if (klen == 5 && memcmp(k, "final", 5) == 0)
			sh->finalpos = (int)i;
		else if (klen == 7 && memcmp(k, "anomaly", 7) == 0)
			sh->anompos = (int)i;
		/* Insertion sort: a handful of members. */
		for (j = i; j > 0 && rep_key_cmp(&m[sh->order[j - 1]],
		    &m[i]) > 0; j--)
			sh->order[j] = sh->order[j - 1];
		sh->order[j] = (unsigned char)i;
		if (len + klen <= sizeof(sh->keys))
			memcpy(sh->keys + len, k, klen);
		len += klen;
	}
	sh->valid = len <= sizeof(sh->keys);
	return 0;
}

/* rep_series_of for a lazily indexed record, its members m[0..nm). */
static uint32_t
rep_series_of_rec(struct ev_report_store *s, const struct ev_rec *rec,
    const struct rep_mem *m, size_t nm)
{
	struct ev_buf *b = &s->scratch;
	const struct rep_mem *keys[REP_MAXMEM];
	const char *str[REP_MAXMEM];
	size_t slen[REP_MAXMEM];
	size_t i, j, nk = 0, n, need = 1;
	char *p;

	ev_buf_reset(b);
	if (s->o.nby > 0) {
		ev_buf_addc(b, '\x1d');
		for (i = 0; i < s->o.nby; i++) {
			const char *v;
			size_t at = b->len;

			ev_buf_addc(b, '\x1e');
			ev_buf_adds(b, s->o.by[i]);
			ev_buf_addc(b, '\x1f');
			if (ev_rec_str(rec, s->by_path[i], &v, &n) == 0)
				ev_buf_add(b, v, n);
			else if (!ev_report_fmt_label(b, ev_rec_get(rec,
			    s->by_path[i]))) {
				b->len = at;
				b->data[at] = '\0';
			}
		}
		return rep_series_find(s, NULL, rec);
	}
	/* The string columns, in the order of their keys. */
	for (i = 0; i < nm; i++) {
		j = s->shape.order[i];
		if (m[j].kind == 's' && !s->shape.reserved[j])
			keys[nk++] = &m[j];
	}
	/* One reservation, then the key written in place. */
	for (i = 0; i < nk; i++) {
		str[i] = ev_rec_h_str(rec, keys[i]->v, &slen[i]);
		need += 2 + keys[i]->klen + slen[i];
	}
	ev_buf_reserve(b, need);
	p = b->data;
	*p++ = '\x1d';	/* never empty: data is never NULL */
	for (i = 0; i < nk; i++) {
		*p++ = '\x1e';
		memcpy(p, keys[i]->k, keys[i]->klen);
		p += keys[i]->klen;
		*p++ = '\x1f';
		memcpy(p, str[i], slen[i]);
		p += slen[i];
	}
	*p = '\0';
	b->len = (size_t)(p - b->data);
	return rep_series_find(s, NULL, rec);
}

/*
 * The time of string handle v, parsed as ev_time_parse does; the last
 * text parsed in slot c is remembered, as consecutive records mostly
 * share their window's start and end.  0 or -1.
 */
static int
rep_time_cached(struct ev_report_store *s, int c, const char *str, size_t n,
    ev_us_t *t)
{
	struct rep_tcache *tc = &s->tcache[c];

	if (n == tc->len && n > 0 && memcmp(str, tc->text, n) == 0) {
		*t = tc->t;
		return tc->rc;
	}
	tc->rc = ev_time_parse(str, n, &tc->t) == 0 ? 0 : -1;
	if (n <= sizeof(tc->text)) {
		memcpy(tc->text, str, n);
		tc->len = n;
	} else
		tc->len = 0;
	*t = tc->t;
	return tc->rc;
}

/* ev_report_get_str on the object of handle o of a lazily indexed record. */
static const char *
rep_val_str(const struct ev_rec *rec, int o, const char *key)
{
	int v = ev_rec_val_member(rec, o, key);

	return v >= 0 && ev_rec_kind(rec, v) == 's' ? ev_rec_val_str(rec, v,
	    NULL) : NULL;
}

/* ev_report_get_num likewise: null is NAN, another type dflt. */
static double
rep_val_num(const struct ev_rec *rec, int o, const char *key, double dflt)
{
	int v = ev_rec_val_member(rec, o, key);

	if (v < 0)
		return dflt;
	switch (ev_rec_kind(rec, v)) {
	case 'n':
		return ev_rec_val_num(rec, v);
	case 'z':
		return NAN;
	default:
		return dflt;
	}
}

/*
 * The anomaly object of handle a of a lazily indexed record, read as
 * rep_add_doc reads it (rep_anom_name, rep_is_anomaly) without a tree: one
 * is decoded only for an object the store keeps.
 */
static void
rep_anom_rec(struct ev_report_store *s, struct ev_report_entry *e,
    const struct ev_rec *rec, int a)
{
	static const char *const names[] = { "metric", "value", "field" };
	static const char *const flags[] = { "alert", "is_anomaly",
	    "anomalous" };
	const char *str;
	int32_t n = -1;
	size_t i;
	int v, kind = -1;

	for (i = 0; i < sizeof(names) / sizeof(names[0]) && n < 0; i++)
		if ((str = rep_val_str(rec, a, names[i])) != NULL)
			n = rep_name_intern(s, str);
	rep_band_new(s, e, n, rep_val_num(rec, a, "expected", NAN),
	    rep_val_num(rec, a, "lower", NAN), rep_val_num(rec, a, "upper",
	    NAN));
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]) && kind < 0; i++)
		if ((v = ev_rec_val_member(rec, a, flags[i])) >= 0 &&
		    (ev_rec_kind(rec, v) == 't' || ev_rec_kind(rec, v) == 'f'))
			kind = ev_rec_kind(rec, v) == 't';
	if (kind < 0) {
		str = rep_val_str(rec, a, "status");
		if (str == NULL && (v = ev_rec_member(rec, "status")) >= 0 &&
		    ev_rec_kind(rec, v) == 's')
			str = ev_rec_val_str(rec, v, NULL);
		if (str != NULL)
			kind = strcmp(str, "firing") == 0;
		else
			kind = rep_val_num(rec, a, "score", 0) >=
			    s->o.min_score;
	}
	if (kind == 0 && ((str = rep_val_str(rec, a, "status")) == NULL ||
	    strcmp(str, "resolved") != 0))
		kind = -1;
	if (kind >= 0)
		rep_keep_anom(s, n, kind, ev_rec_val_json(rec, a));
}

/*
 * The record's time: from the member walked (handle tv, -1 none) when the
 * time field is a top-level member spelled without escapes, else through
 * its path.  0 or -1 with reason and err filled.
 */
static int
rep_time_of(struct ev_report_store *s, const struct ev_rec *rec, int tv,
    ev_us_t *t, const char **reason, char *err, size_t errlen)
{
	const char *str;
	size_t n;

	if (tv >= 0 && ev_rec_kind(rec, tv) == 's') {
		str = ev_rec_h_str(rec, tv, &n);
		/* Borrowed from the line: no escape in it. */
		if (str >= rec->raw && str < rec->raw + rec->rawlen &&
		    rep_time_cached(s, 0, str, n, t) == 0)
			return 0;
	}
	if (ev_rec_time(rec, s->time_path, t) != 0) {
		json_t *v = ev_rec_get(rec, s->time_path);

		*reason = "time";
		snprintf(err, errlen, "'%s' is %s", s->o.time_field,
		    v == NULL ? "missing" : "not a valid time");
		return -1;
	}
	return 0;
}

int
ev_report_store_add(struct ev_report_store *s, const struct ev_rec *rec,
    const char **reason, char *err, size_t errlen)
{
	struct rep_shape *sh = &s->shape;
	struct ev_report_entry *e;
	struct rep_mem m[REP_MAXMEM];
	const char *str;
	ev_us_t t, end;
	size_t i, j, nm = 0, klen;
	int v, kh, it = 0;

	/*
	 * One walk over the members, keys read from the line.  Anything
	 * unusual takes the document path: an "additive" member, top(field,
	 * N) lists (the only arrays a report reads), more members than the
	 * walk keeps, a repeated key.  (A key never holds a NUL: the
	 * record layer rejects one.)
	 */
	if (!ev_rec_lazy(rec) || !ev_rec_h_ok(rec))
		return rep_add_doc(s, ev_rec_root(rec), reason, err, errlen);
	while (ev_rec_h_next(rec, 0, &it, &kh, &v)) {
		if (nm == REP_MAXMEM || (m[nm].kind = ev_rec_kind(rec, v)) ==
		    'a')
			return rep_add_doc(s, ev_rec_root(rec), reason,
			    err, errlen);
		m[nm].k = ev_rec_h_str(rec, kh, &m[nm].klen);
		m[nm].v = v;
		nm++;
	}
	/* Records mostly have the members of the one before. */
	if (!rep_shape_same(sh, m, nm) && rep_shape_learn(s, m, nm) != 0)
		return rep_add_doc(s, ev_rec_root(rec), reason, err, errlen);
	if (rep_time_of(s, rec, sh->tpos >= 0 ? m[sh->tpos].v : -1, &t,
	    reason, err, errlen) != 0)
		return -1;
	end = t;
	if (sh->endpos >= 0) {
		v = m[sh->endpos].v;
		if (ev_rec_kind(rec, v) == 's') {
			str = ev_rec_h_str(rec, v, &klen);
			if (rep_time_cached(s, 1, str, klen, &end) != 0 ||
			    end < t)
				end = t;
		} else if (ev_time_from_json(ev_rec_val_json(rec, v),
		    &end) != 0 || end < t)
			end = t;
	}
	e = rep_entry_new(s, t, end);
	e->series = rep_series_of_rec(s, rec, m, nm);
	e->partial = sh->finalpos >= 0 &&
	    ev_rec_kind(rec, m[sh->finalpos].v) == 'f';
	if (s->o.nmetrics > 0) {
		for (i = 0; i < s->o.nmetrics; i++)
			for (j = 0; j < nm; j++)
				if (rep_key_is(m[j].k, m[j].klen,
				    s->o.metrics[i])) {
					if (m[j].kind == 'n')
						rep_add_pair(s, (int32_t)i,
						    ev_rec_val_num(rec,
						    m[j].v));
					break;
				}
	} else {
		for (i = 0; i < nm; i++) {
			if (m[i].kind != 'n' || sh->reserved[i])
				continue;
			/* Interned once per shape (may move s->name). */
			if (sh->name[i] < 0)
				sh->name[i] = rep_name_intern_n(s, m[i].k,
				    m[i].klen);
			s->name[sh->name[i]].is_metric = 1;
			rep_add_pair(s, sh->name[i], ev_rec_val_num(rec,
			    m[i].v));
		}
	}
	e->npairs = (uint32_t)(s->npair - e->poff);
	if (sh->anompos >= 0 && ev_rec_kind(rec, m[sh->anompos].v) == 'o')
		rep_anom_rec(s, e, rec, m[sh->anompos].v);
	s->nent++;
	return 0;
}
