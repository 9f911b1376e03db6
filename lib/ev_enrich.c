/*
 * ev_enrich.c - the enrichment steps of ev-enrich, in the order of
 * man/ev-enrich.1 (ORDER OF ENRICHMENTS), and their counts.
 *
 * New members are added at the top level as JSON text (ev_rec_add_raw),
 * kept in caches by what they depend on, so an event whose only change is
 * new members is written as its original bytes with that text spliced in:
 * no member is built or serialised again for an event that repeats its
 * source.  An enrichment whose output member is already
 * present is left alone, and a value already hashed is not hashed again,
 * so enriching an enriched event gives the same event.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_enrich.h"
#include "ev_run.h"
#include "ev_time.h"

void
ev_enrich_init(struct ev_enrich *e)
{
	const char *es;

	memset(e, 0, sizeof(*e));
	e->anon_octets = 1;
	e->anon_segments = 5;
	e->time_path = ev_path_compile("ts", &es);
	e->page_path = ev_path_compile("context.page_url", &es);
	e->ref_path = ev_path_compile("context.referrer", &es);
	e->ua_path = ev_path_compile("context.user_agent", &es);
	e->ip_path = ev_path_compile("context.ip", &es);
	ev_buf_init(&e->scratch);
	ev_buf_init(&e->text);
	ev_buf_init(&e->ckey);
	e->page_cache = ev_tcache_new(EV_ENRICH_CACHE_SLOTS);
	e->ref_cache = ev_tcache_new(EV_ENRICH_CACHE_SLOTS);
	e->geo_cache = ev_tcache_new(EV_ENRICH_CACHE_SLOTS);
	e->anon_cache = ev_tcache_new(EV_ENRICH_CACHE_SLOTS);
}

/*
 * Count a failure in c (unless NULL: counted elsewhere); with --strict (or
 * force) it also becomes an error of the record's reject: enrichment,
 * field, value and expectation.
 */
static void
fail(struct ev_enrich *e, struct ev_enrich_count *c, int force,
    const char *enrichment, const struct ev_path *field, const json_t *value, const char *expected)
{
	json_t *err;
	char *vtext;

	if (c != NULL)
		c->failed++;
	if (!e->strict && !force)
		return;
	vtext = value ? json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY) :
	    NULL;
	ev_buf_reset(&e->scratch);
	if (field != NULL)
		ev_path_pointer(field, &e->scratch);
	err = ev_run_error(field ? e->scratch.data : NULL,
	    "%s: '%s' is %.80s%s, expected %s", enrichment,
	    field ? field->spec : "event", vtext ? vtext : "absent",
	    vtext && strlen(vtext) > 80 ? "..." : "", expected);
	free(vtext);
	json_object_set_new(err, "enrichment", json_string(enrichment));
	if (field != NULL)
		json_object_set_new(err, "field", json_string(field->spec));
	json_object_set_new(err, "value", value ? json_deep_copy(value) :
	    json_null());
	json_object_set_new(err, "expected", json_string(expected));
	if (e->errors == NULL)
		e->errors = json_array();
	json_array_append_new(e->errors, err);
}

static int
has_member(struct ev_rec *rec, const char *name)
{
	return ev_rec_has(rec, name);
}

/*
 * Add the row of lookup i as its JSON text, cached by the row's address
 * (the rows stay put until the table is reloaded, which drops the cache).
 */
static void
add_row(struct ev_enrich *e, struct ev_rec *rec, size_t i, json_t *row)
{
	const char *t;
	size_t len;

	if (e->lk_cache[i] == NULL)
		e->lk_cache[i] = ev_tcache_new(EV_ENRICH_CACHE_SLOTS);
	if ((t = ev_tcache_get(e->lk_cache[i], (const char *)&row,
	    sizeof(row), &len)) == NULL) {
		ev_buf_reset(&e->text);
		ev_json_write(row, &e->text);
		ev_tcache_put(e->lk_cache[i], (const char *)&row, sizeof(row),
		    e->text.data, e->text.len);
		t = e->text.data;
		len = e->text.len;
	}
	ev_rec_add_raw(rec, e->lk[i]->name, t, len);
}

static void
do_lookups(struct ev_enrich *e, struct ev_rec *rec)
{
	ev_us_t t = 0;
	int have_time = ev_rec_time(rec, e->time_path, &t) == 0;
	size_t i, bad;
	char expect[512];

	for (i = 0; i < e->nlk; i++) {
		struct ev_lookup *l = e->lk[i];
		struct ev_enrich_count *c = &e->lk_count[i];
		json_t *row, *key;
		int absent;

		if (has_member(rec, l->name)) {
			c->present++;
			continue;
		}
		switch (ev_lookup_find(l, rec, have_time, t, &row, &e->scratch,
		    &bad)) {
		case EV_LOOKUP_HIT:
			add_row(e, rec, i, row);
			c->applied++;
			break;
		case EV_LOOKUP_NOKEY:
			key = ev_rec_get(rec, l->key_path[bad]);
			/*
			 * An absent (or null) key is counted as absent only,
			 * also when it rejects the event, so the counts stay a
			 * partition of the events.
			 */
			absent = key == NULL || json_is_null(key);
			if (absent) {
				c->absent++;
				if (e->missing != EV_ENRICH_MISSING_REJECT)
					break;
			}
			snprintf(expect, sizeof(expect), "a string or number "
			    "key for column '%s' of %s", l->key_col[bad],
			    l->file);
			fail(e, absent ? NULL : c, e->missing == EV_ENRICH_MISSING_REJECT,
			    "lookup", l->key_path[bad], key, expect);
			break;
		case EV_LOOKUP_MISS:
			if (e->missing == EV_ENRICH_MISSING_NULL)
				ev_rec_add_raw(rec, l->name, "null", 4);
			snprintf(expect, sizeof(expect), "a key with a row in "
			    "%s%s", l->file, have_time ? "" :
			    " (and an event time)");
			if (l->nkeys == 1) {
				fail(e, c, e->missing == EV_ENRICH_MISSING_REJECT, "lookup",
				    l->key_path[0], ev_rec_get(rec, l->key_path[0]),
				    expect);
			} else {
				/* A composite key: every part as the value. */
				json_t *v = json_array();
				size_t k;

				for (k = 0; k < l->nkeys; k++)
					json_array_append(v,
					    ev_rec_get(rec, l->key_path[k]));
				fail(e, c, e->missing == EV_ENRICH_MISSING_REJECT, "lookup",
				    l->key_path[0], v, expect);
				json_decref(v);
			}
			break;
		}
	}
}

/*
 * v in decimal, zero-padded to width digits: printf's "%0*d" without
 * printf (a negative v, which no calendar part is but a year before 0001
 * in a zone west of UTC, goes to printf).
 */
static void
add_dec(struct ev_buf *b, int v, int width)
{
	if (v < 0)
		ev_buf_printf(b, "%0*d", width, v);
	else
		ev_buf_add_dec(b, (uint64_t)v, width);
}

static void
do_calendar(struct ev_enrich *e, struct ev_rec *rec)
{
	static const char *const days[] = { "Sunday", "Monday", "Tuesday",
	    "Wednesday", "Thursday", "Friday", "Saturday" };
	struct ev_tm tm;
	struct ev_buf *b;
	ev_us_t t;
	int off, r;

	if (has_member(rec, "calendar")) {
		e->cal_count.present++;
		return;
	}
	r = ev_rec_time(rec, e->time_path, &t);
	if (r == -1) {
		e->cal_count.absent++;
		return;
	}
	if (r != 0) {
		fail(e, &e->cal_count, 0, "calendar", e->time_path,
		    ev_rec_get(rec, e->time_path),
		    "an RFC 3339 time or epoch seconds/milliseconds");
		return;
	}
	ev_tz_local(e->tz, t, &tm);
	/* The text ev_json_write gives the object, written directly. */
	b = &e->text;
	ev_buf_reset(b);
	ev_buf_adds(b, "{\"date\":\"");
	add_dec(b, tm.year, 4);
	ev_buf_addc(b, '-');
	add_dec(b, tm.month, 2);
	ev_buf_addc(b, '-');
	add_dec(b, tm.day, 2);
	ev_buf_adds(b, "\",\"hour\":");
	add_dec(b, tm.hour, 1);
	ev_buf_adds(b, ",\"weekday\":\"");
	ev_buf_adds(b, days[tm.wday]);
	ev_buf_adds(b, "\",\"iso_weekday\":");
	add_dec(b, tm.wday == 0 ? 7 : tm.wday, 1);
	ev_buf_adds(b, ",\"iso_week\":");
	add_dec(b, tm.iso_week, 1);
	ev_buf_adds(b, ",\"iso_year\":");
	add_dec(b, tm.iso_year, 1);
	ev_buf_adds(b, ",\"month\":");
	add_dec(b, tm.month, 1);
	ev_buf_adds(b, ",\"tz\":");
	ev_buf_add_jstr(b, ev_tz_name(e->tz), strlen(ev_tz_name(e->tz)));
	ev_buf_adds(b, ",\"utc_offset\":\"");
	off = tm.utc_offset;
	ev_buf_addc(b, off < 0 ? '-' : '+');
	add_dec(b, abs(off) / 3600, 2);
	ev_buf_addc(b, ':');
	add_dec(b, abs(off) % 3600 / 60, 2);
	ev_buf_adds(b, tm.dst ? "\",\"dst\":true}" : "\",\"dst\":false}");
	ev_rec_add_raw(rec, "calendar", b->data, b->len);
	e->cal_count.applied++;
}

/*
 * The source string in field p of a step whose output is the member out:
 * 1 with s and n set; 0 when out is there already (counted present) or
 * the field is absent or empty (counted absent); -1 when it is no string.
 */
static int
source_of(struct ev_rec *rec, const char *out, const struct ev_path *p,
    struct ev_enrich_count *c, const char **s, size_t *n)
{
	int r;

	if (has_member(rec, out)) {
		c->present++;
		return 0;
	}
	r = ev_rec_str(rec, p, s, n);
	if (r == -1 || (r == 0 && *n == 0)) {
		c->absent++;
		return 0;
	}
	return r == 0 ? 1 : -1;
}

/*
 * The parts of the URL in the source s of field p (r as source_of gave,
 * not 0): NULL when the field is no URL (failure recorded), else a new
 * object with u filled.
 */
static json_t *
url_parts_of(struct ev_enrich *e, struct ev_rec *rec, int r, const char *s,
    size_t n, const struct ev_path *p, struct ev_enrich_count *c,
    const char *name, struct ev_url *u)
{
	json_t *parts;

	if (r < 0 || ev_url_parse(s, n, u) != 0) {
		fail(e, c, 0, name, p, ev_rec_get(rec, p),
		    "an absolute URL scheme://host/path?query");
		return NULL;
	}
	if ((parts = ev_url_parts(u)) == NULL)
		fail(e, c, 0, name, p, ev_rec_get(rec, p),
		    "a URL in valid UTF-8");
	return parts;
}

/* Add the cached "page\0campaign" text (campaign empty when none). */
static void
add_page(struct ev_rec *rec, const char *t, size_t len)
{
	size_t n = strlen(t);

	ev_rec_add_raw(rec, "page", t, n);
	if (n + 1 < len)
		ev_rec_add_raw(rec, "campaign", t + n + 1, len - n - 1);
}

static void
do_campaign(struct ev_enrich *e, struct ev_rec *rec)
{
	struct ev_url u;
	json_t *parts, *camp;
	const char *s, *t;
	size_t n, len;
	int r = source_of(rec, "page", e->page_path, &e->page_count, &s, &n);

	if (r == 0)
		return;
	if (r > 0 && (t = ev_tcache_get(e->page_cache, s, n, &len)) != NULL) {
		add_page(rec, t, len);
		e->page_count.applied++;
		return;
	}
	parts = url_parts_of(e, rec, r, s, n, e->page_path, &e->page_count,
	    "campaign", &u);
	if (parts == NULL)
		return;
	camp = ev_url_campaign(&u);
	ev_buf_reset(&e->text);
	ev_json_write(parts, &e->text);
	ev_buf_addc(&e->text, '\0');
	if (camp != NULL)
		ev_json_write(camp, &e->text);
	json_decref(parts);
	json_decref(camp);
	ev_tcache_put(e->page_cache, s, n, e->text.data, e->text.len);
	add_page(rec, e->text.data, e->text.len);
	e->page_count.applied++;
}

static void
do_referrer(struct ev_enrich *e, struct ev_rec *rec)
{
	struct ev_url u, page;
	json_t *parts, *cls, *v;
	const char *ph = NULL, *s, *ps, *k, *t;
	size_t phn = 0, n, pn, len;
	int r = source_of(rec, "referrer", e->ref_path, &e->ref_count, &s,
	    &n);

	if (r == 0)
		return;
	if (ev_rec_str(rec, e->page_path, &ps, &pn) == 0 &&
	    ev_url_parse(ps, pn, &page) == 0) {
		ph = page.host.p;
		phn = page.host.n;
	}
	/*
	 * The member depends on the referrer and the page's host only: the
	 * key is the referrer's length and bytes, then the host (if any).
	 */
	ev_buf_reset(&e->ckey);
	if (r > 0) {
		ev_buf_add(&e->ckey, &n, sizeof(n));
		ev_buf_add(&e->ckey, s, n);
		ev_buf_addc(&e->ckey, ph != NULL);
		if (ph != NULL)
			ev_buf_add(&e->ckey, ph, phn);
		if ((t = ev_tcache_get(e->ref_cache, e->ckey.data, e->ckey.len,
		    &len)) != NULL) {
			ev_rec_add_raw(rec, "referrer", t, len);
			e->ref_count.applied++;
			return;
		}
	}
	parts = url_parts_of(e, rec, r, s, n, e->ref_path, &e->ref_count,
	    "referrer", &u);
	if (parts == NULL)
		return;
	cls = ev_referer_classify(e->refdb, &u, ph, phn, e->internal,
	    e->ninternal);
	json_object_foreach(cls, k, v)
		json_object_set(parts, k, v);
	json_decref(cls);
	ev_buf_reset(&e->text);
	ev_json_write(parts, &e->text);
	json_decref(parts);
	ev_tcache_put(e->ref_cache, e->ckey.data, e->ckey.len, e->text.data,
	    e->text.len);
	ev_rec_add_raw(rec, "referrer", e->text.data, e->text.len);
	e->ref_count.applied++;
}

static void
do_ua(struct ev_enrich *e, struct ev_rec *rec)
{
	const char *s;
	size_t n;
	int r = source_of(rec, "ua", e->ua_path, &e->ua_count, &s, &n);

	if (r == 0)
		return;
	if (r < 0) {
		fail(e, &e->ua_count, 0, "ua", e->ua_path,
		    ev_rec_get(rec, e->ua_path), "a user agent string");
		return;
	}
	s = ev_ua_parse_text(e->ua, s, n, &n);
	ev_rec_add_raw(rec, "ua", s, n);
	e->ua_count.applied++;
}

static void
do_geo(struct ev_enrich *e, struct ev_rec *rec)
{
	const char *s, *t;
	size_t n, len;
	json_t *g;
	int r = source_of(rec, "geo", e->ip_path, &e->geo_count, &s, &n);

	if (r == 0)
		return;
	if (r < 0 || n > 64) {
		fail(e, &e->geo_count, 0, "geo", e->ip_path,
		    ev_rec_get(rec, e->ip_path), "an IPv4 or IPv6 address");
		return;
	}
	/* Cached: the member's text, or "" for an address no database knows. */
	if ((t = ev_tcache_get(e->geo_cache, s, n, &len)) != NULL) {
		if (len == 0) {
			fail(e, &e->geo_count, 0, "geo", e->ip_path,
			    ev_rec_get(rec, e->ip_path),
			    "an address the IP databases know");
			return;
		}
		ev_rec_add_raw(rec, "geo", t, len);
		e->geo_count.applied++;
		return;
	}
	switch (ev_geo_lookup(e->geo, s, &g)) {
	case EV_GEO_FOUND:
		ev_buf_reset(&e->text);
		ev_json_write(g, &e->text);
		json_decref(g);
		ev_tcache_put(e->geo_cache, s, n, e->text.data, e->text.len);
		ev_rec_add_raw(rec, "geo", e->text.data, e->text.len);
		e->geo_count.applied++;
		break;
	case EV_GEO_NOT_FOUND:
		ev_tcache_put(e->geo_cache, s, n, "", 0);
		fail(e, &e->geo_count, 0, "geo", e->ip_path,
		    ev_rec_get(rec, e->ip_path),
		    "an address the IP databases know");
		break;
	case EV_GEO_BAD_IP:
		fail(e, &e->geo_count, 0, "geo", e->ip_path,
		    ev_rec_get(rec, e->ip_path), "an IPv4 or IPv6 address");
		break;
	}
}

static void
do_hash(struct ev_enrich *e, struct ev_rec *rec)
{
	char out[EV_PRIVACY_HASHLEN + 1];
	size_t i;

	for (i = 0; i < e->hash.n; i++) {
		json_t *v = ev_rec_get(rec, e->hash.p[i]);

		if (v == NULL) {
			e->hash_count.absent++;
			continue;
		}
		ev_buf_reset(&e->scratch);
		if (json_is_string(v)) {
			if (ev_privacy_is_hashed(json_string_value(v),
			    json_string_length(v))) {
				e->hash_count.present++;
				continue;
			}
			ev_buf_add(&e->scratch, json_string_value(v),
			    json_string_length(v));
		} else if (json_is_integer(v) || json_is_real(v)) {
			const char *t;
			size_t n;

			/*
			 * A number is hashed as the event spells it, so its
			 * pseudonym never depends on the rest of the record; a
			 * number the event does not spell (a lookup column)
			 * in evkit's number form.
			 */
			if (ev_rec_text(rec, e->hash.p[i], &t, &n) == 0)
				ev_buf_add(&e->scratch, t, n);
			else
				ev_json_write(v, &e->scratch);
		} else if (json_is_null(v)) {
			e->hash_count.absent++;
			continue;
		} else {
			/* Leave no clear text behind: drop what cannot hash. */
			fail(e, &e->hash_count, 0, "hash", e->hash.p[i], v,
			    "a string or number to hash (removed)");
			ev_rec_del(rec, e->hash.p[i]);
			continue;
		}
		ev_privacy_hmac(e->key, e->keylen,
		    e->scratch.data ? e->scratch.data : "", e->scratch.len,
		    out);
		ev_rec_set(rec, e->hash.p[i], json_string(out));
		e->hash_count.applied++;
	}
}

static void
do_anon(struct ev_enrich *e, struct ev_rec *rec)
{
	const char *s, *t;
	size_t n, len;
	char out[64];
	int r = ev_rec_str(rec, e->ip_path, &s, &n);

	if (r == -1) {
		e->anon_count.absent++;
		return;
	}
	if (r == 0 && ev_privacy_is_hashed(s, n)) {
		e->anon_count.present++;	/* hashed already: nothing to see */
		return;
	}
	/*
	 * An IPv6 address goes through inet_pton and inet_ntop: its result
	 * is cached by the address (IPv4 has a quick way of its own).
	 */
	if (r == 0 && n < sizeof(out) && memchr(s, ':', n) != NULL &&
	    (t = ev_tcache_get(e->anon_cache, s, n, &len)) != NULL) {
		memcpy(out, t, len + 1);
		goto set;
	}
	if (r != 0 || n > 64 || ev_privacy_anon_ip(s, e->anon_octets,
	    e->anon_segments, out, sizeof(out)) != 0) {
		/* Not an address: remove it rather than pass it on. */
		fail(e, &e->anon_count, 0, "anon-ip", e->ip_path,
		    ev_rec_get(rec, e->ip_path),
		    "an IPv4 or IPv6 address (removed)");
		ev_rec_del(rec, e->ip_path);
		return;
	}
	if (memchr(s, ':', n) != NULL)
		ev_tcache_put(e->anon_cache, s, n, out, strlen(out));
set:
	if (strlen(out) == n && memcmp(out, s, n) == 0) {
		e->anon_count.present++;
		return;
	}
	ev_rec_set(rec, e->ip_path, json_string(out));
	e->anon_count.applied++;
}

static void
do_drop(struct ev_enrich *e, struct ev_rec *rec)
{
	size_t i;

	for (i = 0; i < e->drop.n; i++) {
		if (ev_rec_del(rec, e->drop.p[i]))
			e->drop_count.applied++;
		else
			e->drop_count.absent++;
	}
}

/*
 * The fingerprint: SHA-256 of the event's canonical text (man/ev-enrich.1,
 * --fingerprint), written from the record's index when it can be, else
 * from a copy of its tree; both give jansson's json_dumps text.
 */
static void
do_fingerprint(struct ev_enrich *e, struct ev_rec *rec)
{
	static const char *const outputs[] = { "calendar", "page", "campaign",
	    "referrer", "ua", "geo", "fingerprint" };
	const char *skip[sizeof(outputs) / sizeof(outputs[0]) +
	    EV_ENRICH_MAX_LOOKUPS];
	size_t nskip = 0, i;
	json_t *copy;
	char *text, hex[67];

	if (has_member(rec, "fingerprint")) {
		e->fp_count.present++;
		return;
	}
	for (i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++)
		skip[nskip++] = outputs[i];
	for (i = 0; i < e->nlk; i++)
		skip[nskip++] = e->lk[i]->name;
	ev_buf_reset(&e->text);
	if (ev_rec_canon(rec, skip, nskip, e->fp_exclude.p, e->fp_exclude.n,
	    &e->text) == 0) {
		ev_privacy_sha256(e->text.data, e->text.len, hex + 1);
	} else {
		copy = json_deep_copy(ev_rec_root(rec));
		for (i = 0; i < nskip; i++)
			json_object_del(copy, skip[i]);
		for (i = 0; i < e->fp_exclude.n; i++)
			ev_path_del(e->fp_exclude.p[i], copy);
		text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS |
		    JSON_ENSURE_ASCII);
		json_decref(copy);
		if (text == NULL)
			ev_die(EV_EXIT_RUNTIME, "out of memory");
		ev_privacy_sha256(text, strlen(text), hex + 1);
		free(text);
	}
	/* Added as its text, quotes included: no JSON value is built. */
	hex[0] = '"';
	hex[65] = '"';
	hex[66] = '\0';
	ev_rec_add_raw(rec, "fingerprint", hex, 66);
	e->fp_count.applied++;
}

void
ev_enrich_reload(struct ev_enrich *e, int force)
{
	ev_us_t now = ev_time_mono();
	char err[1024];
	size_t i;

	for (i = 0; i < e->nlk; i++) {
		switch (ev_lookup_refresh(e->lk[i], now, force, err,
		    sizeof(err))) {
		case 1:
			ev_tcache_free(e->lk_cache[i]);	/* rows freed */
			e->lk_cache[i] = NULL;
			ev_warn("reloaded %s (%zu rows)", e->lk[i]->file,
			    ev_lookup_rows(e->lk[i]));
			break;
		case -1:
			ev_warn("%s; keeping the previous table of %s "
			    "(%zu rows)", err, e->lk[i]->file,
			    ev_lookup_rows(e->lk[i]));
			break;
		default:
			break;
		}
	}
}

static json_t *
count_json(const struct ev_enrich_count *c)
{
	return json_pack("{sIsIsIsI}", "applied", (json_int_t)c->applied,
	    "present", (json_int_t)c->present, "absent", (json_int_t)c->absent,
	    "failed", (json_int_t)c->failed);
}

/* The errors of this record so far, taken over by the caller. */
static json_t *
take_errors(struct ev_enrich *e)
{
	json_t *errs = e->errors;

	e->errors = NULL;
	return errs;
}

json_t *
ev_enrich_context(struct ev_enrich *e, struct ev_rec *rec)
{
	if (e->nlk > 0)
		do_lookups(e, rec);
	if (e->calendar)
		do_calendar(e, rec);
	if (e->campaign)
		do_campaign(e, rec);
	if (e->referrer)
		do_referrer(e, rec);
	if (e->ua != NULL)
		do_ua(e, rec);
	if (e->geo != NULL)
		do_geo(e, rec);
	return take_errors(e);
}

json_t *
ev_enrich_privacy(struct ev_enrich *e, struct ev_rec *rec)
{
	if (e->anon_ip)
		do_anon(e, rec);
	if (e->hash.n > 0)
		do_hash(e, rec);
	if (e->drop.n > 0)
		do_drop(e, rec);
	if (e->fingerprint)
		do_fingerprint(e, rec);
	return take_errors(e);
}

json_t *
ev_enrich_stats(const struct ev_enrich *e)
{
	json_t *o = json_object(), *lk, *c;
	size_t i;

	if (e->nlk > 0) {
		lk = json_object();
		for (i = 0; i < e->nlk; i++) {
			c = count_json(&e->lk_count[i]);
			json_object_set_new(c, "rows",
			    json_integer((json_int_t)ev_lookup_rows(e->lk[i])));
			json_object_set_new(c, "reloads", json_integer(
			    (json_int_t)e->lk[i]->reloads));
			json_object_set_new(c, "reload_failures", json_integer(
			    (json_int_t)e->lk[i]->reload_failures));
			json_object_set_new(lk, e->lk[i]->name, c);
		}
		json_object_set_new(o, "lookup", lk);
	}
	if (e->calendar)
		json_object_set_new(o, "calendar", count_json(&e->cal_count));
	if (e->campaign)
		json_object_set_new(o, "campaign", count_json(&e->page_count));
	if (e->referrer)
		json_object_set_new(o, "referrer", count_json(&e->ref_count));
	if (e->ua != NULL) {
		c = count_json(&e->ua_count);
		json_object_set_new(c, "cache_hits",
		    json_integer((json_int_t)ev_ua_cache_hits(e->ua)));
		json_object_set_new(c, "cache_misses",
		    json_integer((json_int_t)ev_ua_cache_misses(e->ua)));
		json_object_set_new(o, "ua", c);
	}
	if (e->geo != NULL)
		json_object_set_new(o, "geo", count_json(&e->geo_count));
	if (e->hash.n > 0)
		json_object_set_new(o, "hash", count_json(&e->hash_count));
	if (e->anon_ip)
		json_object_set_new(o, "anon_ip", count_json(&e->anon_count));
	if (e->drop.n > 0)
		json_object_set_new(o, "drop", count_json(&e->drop_count));
	if (e->fingerprint)
		json_object_set_new(o, "fingerprint", count_json(&e->fp_count));
	return o;
}


static void
free_fields(struct ev_enrich_fields *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		ev_path_free(f->p[i]);
	f->n = 0;
}

void
ev_enrich_free(struct ev_enrich *e)
{
	size_t i;

	for (i = 0; i < e->nlk; i++) {
		ev_lookup_free(e->lk[i]);
		ev_tcache_free(e->lk_cache[i]);
	}
	for (i = 0; i < e->ninternal; i++)
		free(e->internal[i]);
	free(e->internal);
	ev_tz_free(e->tz);
	ev_referer_db_free(e->refdb);
	ev_ua_free(e->ua);
	ev_geo_free(e->geo);
	ev_privacy_key_free(e->key, e->keylen);
	free_fields(&e->hash);
	free_fields(&e->drop);
	free_fields(&e->fp_exclude);
	ev_path_free(e->time_path);
	ev_path_free(e->page_path);
	ev_path_free(e->ref_path);
	ev_path_free(e->ua_path);
	ev_path_free(e->ip_path);
	json_decref(e->errors);
	ev_buf_free(&e->scratch);
	ev_buf_free(&e->text);
	ev_buf_free(&e->ckey);
	ev_tcache_free(e->page_cache);
	ev_tcache_free(e->ref_cache);
	ev_tcache_free(e->geo_cache);
	ev_tcache_free(e->anon_cache);
}
