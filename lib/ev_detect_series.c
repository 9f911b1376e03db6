/*
 * ev_detect_series.c - ev-detect's series table (see ev_detect_series.h).
 */
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_detect_series.h"
#include "ev_map.h"
#include "ev_state.h"

#define NO_TIME	EV_DETECT_SERIES_NO_TIME

void
ev_detect_series_init(struct ev_detect_series_table *t,
    const struct ev_detect_params *mp, const struct ev_detect_series_keys *keys,
    const struct ev_tz *tz)
{
	memset(t, 0, sizeof(*t));
	t->mp = mp;
	t->keys = keys;
	t->tz = tz;
	t->tz_bucket = NO_TIME;
	ev_map_init(&t->map, sizeof(struct ev_detect_series *), 64,
	    EV_MAP_BORROW);
}

static void
series_free(struct ev_detect_series *s)
{
	json_decref(s->cols);
	ev_detect_model_free(s->model);
	free(s);
}

void
ev_detect_series_release(struct ev_detect_series_table *t)
{
	size_t i;

	for (i = 0; i < t->nser; i++)
		series_free(t->ser[i]);
	free(t->ser);
	ev_map_release(&t->map);
	memset(t, 0, sizeof(*t));
}

void
ev_detect_series_col_text(const json_t *v, struct ev_buf *b)
{
	if (json_is_string(v))
		ev_buf_add(b, json_string_value(v), json_string_length(v));
	else
		ev_json_write(v, b);
}

/* Whether member k of a record is a group column without --by. */
static int
auto_col(const struct ev_detect_series_keys *ks, const char *k,
    const json_t *v)
{
	return json_is_string(v) && strcmp(k, "end") != 0 &&
	    strcmp(k, ks->time_spec) != 0;
}

void
ev_detect_series_key(const struct ev_detect_series_keys *ks,
    const struct ev_rec *rec, struct ev_buf *b)
{
	const char *k;
	json_t *v;
	size_t i;

	ev_buf_reset(b);
	ev_buf_adds(b, ks->value_spec);
	if (ks->by) {
		for (i = 0; i < ks->nby; i++) {
			const char *s, *spec = ks->by[i]->spec;
			size_t n, sn;
			int r, plain;
			char *p;

			/* A string without escapes is the line's own bytes. */
			plain = ev_rec_text(rec, ks->by[i], &s, &n) == 0 &&
			    n >= 2 && s[0] == '"' && memchr(s, '\\', n) == NULL;
			if (plain) {
				s++;
				n -= 2;
				r = 0;
			} else if ((r = ev_rec_str(rec, ks->by[i], &s, &n)) == -1)
				continue;
			sn = strlen(spec);
			p = ev_buf_room(b, sn + 2 + (r == 0 ? n : 0));
			*p++ = '\x1e';
			memcpy(p, spec, sn);
			p += sn;
			*p++ = '\x1f';
			if (r == 0) {	/* a string: no decoding into jansson */
				memcpy(p, s, n);
				p += n;
			}
			ev_buf_put_end(b, p);
			if (r != 0)
				ev_detect_series_col_text(ev_rec_get(rec,
				    ks->by[i]), b);
		}
		return;
	}
	json_object_foreach(ev_rec_root(rec), k, v) {
		if (!auto_col(ks, k, v))
			continue;
		ev_buf_addc(b, '\x1e');
		ev_buf_adds(b, k);
		ev_buf_addc(b, '\x1f');
		ev_detect_series_col_text(v, b);
	}
}

/* The group columns of a record as a new object that owns nothing of it. */
static json_t *
rec_cols(const struct ev_detect_series_keys *ks, const struct ev_rec *rec)
{
	json_t *cols = json_object(), *v, *c;
	const char *k;
	size_t i;

	if (ks->by) {
		for (i = 0; i < ks->nby; i++) {
			v = ev_rec_get(rec, ks->by[i]);
			if (v != NULL && !json_is_null(v))
				json_object_set(cols, ks->by[i]->spec, v);
		}
	} else {
		json_object_foreach(ev_rec_root(rec), k, v)
			if (auto_col(ks, k, v))
				json_object_set(cols, k, v);
	}
	c = json_deep_copy(cols);
	json_decref(cols);
	return c;
}

/*
 * The key's hash for the table, eight bytes a step: a key is some 30
 * bytes hashed once a record, and FNV's byte a step was 2% of a run.
 * Only this table uses it (nothing stored depends on it).
 */
static uint64_t
key_hash(const char *key, size_t n)
{
	uint64_t h = n, w;

	for (; n >= 8; key += 8, n -= 8) {
		memcpy(&w, key, 8);
		h = (h ^ w) * UINT64_C(0x9e3779b97f4a7c15);
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, key, n);
	h = (h ^ w) * UINT64_C(0x9e3779b97f4a7c15);
	return ev_hash_mix(h);
}

struct ev_detect_series *
ev_detect_series_get(struct ev_detect_series_table *t, const char *key,
    size_t n, const json_t *cols, const struct ev_rec *rec)
{
	struct ev_detect_series *s;
	uint64_t h = key_hash(key, n);
	struct ev_map_ent *e;

	if ((e = ev_map_find(&t->map, key, n, h)) != NULL)
		return *(struct ev_detect_series **)ev_map_val(e);
	/*
	 * The key lives right after the series: the lookup's compare
	 * brings in the lines the record's handling reads next.
	 */
	s = ev_xcalloc(1, sizeof(*s) + n + 1);
	s->key = (char *)(s + 1);
	memcpy(s->key, key, n);
	s->keylen = n;
	s->cols = cols ? json_deep_copy(cols) : rec_cols(t->keys, rec);
	ev_state_fingerprint(s->key, s->fp);
	s->model = ev_detect_model_new(t->mp);
	ev_alert_init(&s->alert);
	s->last_seen = s->last_end = s->max_start = NO_TIME;
	s->prev_start = NO_TIME;
	s->queued = -1;
	s->btidx = -1;
	if (t->nser == t->capser) {
		t->capser = t->capser ? 2 * t->capser : 64;
		t->ser = ev_xreallocarray(t->ser, t->capser, sizeof(*t->ser));
	}
	t->ser[t->nser++] = s;
	/* The map borrows the series' own copy of the key. */
	e = ev_map_put(&t->map, s->key, n, h, NULL);
	*(struct ev_detect_series **)ev_map_val(e) = s;
	return s;
}

void
ev_detect_series_forget(struct ev_detect_series_table *t, ev_us_t now,
    ev_us_t ttl)
{
	struct ev_map_ent *e;
	size_t i, j;

	for (i = j = 0; i < t->nser; i++) {
		struct ev_detect_series *s = t->ser[i];

		if (s->queued < 0 && s->last_seen != NO_TIME &&
		    now - s->last_seen >= ttl) {
			e = ev_map_find(&t->map, s->key, s->keylen,
			    key_hash(s->key, s->keylen));
			ev_map_del(&t->map, e);
			series_free(s);
			continue;
		}
		t->ser[j++] = s;
	}
	t->nser = j;
}

/* Local wall-clock hours since the epoch, with a cached zone offset. */
static double
local_hours(struct ev_detect_series_table *t, ev_us_t at)
{
	ev_us_t bucket = ev_time_floor(at, 15 * EV_US_PER_MIN);
	struct ev_tm tm;

	if (bucket != t->tz_bucket) {
		ev_tz_local(t->tz, bucket, &tm);
		t->tz_offset = tm.utc_offset;
		t->tz_bucket = bucket;
	}
	return ((double)at / EV_US_PER_SEC + t->tz_offset) / 3600.0;
}

ev_us_t
ev_detect_series_point(struct ev_detect_series_table *t,
    struct ev_detect_series *s, ev_us_t start, ev_us_t end,
    struct ev_detect_point *pt)
{
	ev_us_t step;

	if (end > start)
		step = end - start;
	else {
		step = s->step;
		if (s->prev_start != NO_TIME && start > s->prev_start &&
		    (step <= 0 || start - s->prev_start < step))
			step = start - s->prev_start;
	}
	if (step <= 0)
		step = EV_US_PER_HOUR;
	s->step = step;
	s->prev_start = start;
	/* The middle of the window is the time its value stands for. */
	pt->local_hours = local_hours(t, start + step / 2);
	pt->step_hours = (double)step / EV_US_PER_HOUR;
	return step;
}

void
ev_detect_series_name(const struct ev_detect_series_table *t,
    const struct ev_detect_series *s, struct ev_buf *b)
{
	const char *k;
	json_t *v;
	int first = 1;

	json_object_foreach(s->cols, k, v) {
		if (!first)
			ev_buf_addc(b, ' ');
		ev_detect_series_col_text(v, b);
		first = 0;
	}
	if (first)
		ev_buf_adds(b, t->keys->value_spec);
}

/* State across runs. */

static json_t *
tjson(ev_us_t t)
{
	return t == NO_TIME ? json_null() : json_integer(t);
}

static int
tload(const json_t *v, ev_us_t *t)
{
	if (json_is_null(v)) {
		*t = NO_TIME;
		return 0;
	}
	if (!json_is_integer(v))
		return -1;
	*t = json_integer_value(v);
	return 0;
}

static json_t *
table_json(const struct ev_detect_series_table *t, ev_us_t watermark)
{
	json_t *arr;
	size_t i;

	arr = json_array();
	for (i = 0; i < t->nser; i++) {
		const struct ev_detect_series *s = t->ser[i];
		const struct ev_alert *a = &s->alert;

		json_array_append_new(arr, json_pack(
		    "{s:s,s:O,s:o,s:[i,i,i,I,I,I,I,I],s:o,s:o,s:o,s:I,s:b}",
		    "key", s->key, "cols", s->cols,
		    "model", ev_detect_model_save(s->model),
		    "alert", (int)a->state, a->pending, a->calm,
		    (json_int_t)a->pending_since, (json_int_t)a->started,
		    (json_int_t)a->last_sent, (json_int_t)a->resolved_at,
		    (json_int_t)a->episodes,
		    "last_seen", tjson(s->last_seen),
		    "last_end", tjson(s->last_end),
		    "max_start", tjson(s->max_start),
		    "step", (json_int_t)s->step, "absent", s->absent));
	}
	return json_pack("{s:o,s:o}", "watermark", tjson(watermark),
	    "series", arr);
}

static int
table_load(struct ev_detect_series_table *t, json_t *data, ev_us_t *watermark)
{
	json_t *arr, *v;
	size_t i;

	arr = json_object_get(data, "series");
	if (tload(json_object_get(data, "watermark"), watermark) != 0 ||
	    !json_is_array(arr))
		return -1;
	json_array_foreach(arr, i, v) {
		const char *key;
		json_t *cols, *model, *ls, *le, *ms;
		json_int_t ps, st, lsent, ra, ep, step;
		int state, pend, calm, absent;
		struct ev_detect_series *s;

		if (json_unpack(v, "{s:s,s:o,s:o,s:[i,i,i,I,I,I,I,I],s:o,s:o,"
		    "s:o,s:I,s:b}", "key", &key, "cols", &cols,
		    "model", &model, "alert", &state, &pend, &calm, &ps, &st,
		    &lsent, &ra, &ep, "last_seen", &ls, "last_end", &le,
		    "max_start", &ms, "step", &step, "absent", &absent) != 0 ||
		    !json_is_object(cols) || state < 0 ||
		    state > EV_ALERT_FIRING)
			return -1;
		s = ev_detect_series_get(t, key, strlen(key), cols, NULL);
		if (ev_detect_model_load(s->model, model) != 0 ||
		    tload(ls, &s->last_seen) || tload(le, &s->last_end) ||
		    tload(ms, &s->max_start))
			return -1;
		s->alert.state = (enum ev_alert_state)state;
		s->alert.pending = pend;
		s->alert.calm = calm;
		s->alert.pending_since = ps;
		s->alert.started = st;
		s->alert.last_sent = lsent;
		s->alert.resolved_at = ra;
		s->alert.episodes = ep;
		s->step = step;
		s->absent = absent;
	}
	return 0;
}

int
ev_detect_series_save(const struct ev_detect_series_table *t,
    const char *path, const char *prog, const char *settings,
    ev_us_t watermark)
{
	json_t *data = table_json(t, watermark);
	char err[256];
	int rc;

	rc = ev_state_save(path, prog, settings, data, err, sizeof(err));
	if (rc != 0)
		ev_warn("%s", err);
	json_decref(data);
	return rc;
}

int
ev_detect_series_load(struct ev_detect_series_table *t, const char *path,
    const char *prog, const char *settings, ev_us_t *watermark)
{
	json_t *data = NULL;
	char err[256];
	enum ev_state_result r;
	int rc;

	r = ev_state_load(path, prog, settings, &data, err, sizeof(err));
	if (r == EV_STATE_MISSING)
		return 0;
	if (r == EV_STATE_BAD) {
		ev_warn("state '%s': %s", path, err);
		return -1;
	}
	if ((rc = table_load(t, data, watermark)) != 0)
		ev_warn("state '%s': malformed data", path);
	json_decref(data);
	return rc;
}
