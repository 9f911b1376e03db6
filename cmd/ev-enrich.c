/*
 * ev-enrich - add context to events: CSV lookups, calendar parts, page URL
 * and campaign, referrer, user agent, IP geolocation, then privacy
 * transforms (keyed hashing, IP anonymisation, dropping) and a
 * fingerprint, in that order (man/ev-enrich.1, ORDER OF ENRICHMENTS).
 *
 * New members are added at the top level with ev_rec_add, so an event
 * whose only change is new members is written as its original bytes with
 * the members spliced in.  An enrichment whose output member is already
 * present is left alone, and a value already hashed is not hashed again,
 * so enriching an enriched event gives the same event.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ev_common.h"
#include "ev_geo.h"
#include "ev_lookup.h"
#include "ev_privacy.h"
#include "ev_rec.h"
#include "ev_run.h"
#include "ev_time.h"
#include "ev_ua.h"
#include "ev_url.h"

#define PROG		"ev-enrich"
#define UAP_REGEXES	"/usr/share/uap-core/regexes.yaml"
#define REFERER_DB	"/usr/share/rubygems-integration/all/gems/" \
			"referer-parser-0.3.0/data/referers.json"
#define MAX_LOOKUPS	16
#define MAX_FIELDS	32

static const char usage[] =
"usage: ev-enrich [--anon-ip] [--anon-octets N] [--anon-segments N]\n"
"                 [--asn-db FILE] [--bot-patterns FILE] [--calendar]\n"
"                 [--campaign] [--drop FIELDS] [--fingerprint]\n"
"                 [--fingerprint-exclude FIELDS] [--geoip FILE]\n"
"                 [--hash FIELDS] [--internal-domains LIST]\n"
"                 [--ip-country FILE] [--ip-field FIELD] [--key-file FILE]\n"
"                 [--lookup [NAME=]FILE --on FIELD[=COLUMN] [--as NAME]]\n"
"                 [--lookup-allow-empty] [--lookup-missing keep|null|reject]\n"
"                 [--page-field FIELD]\n"
"                 [--referer-db FILE] [--referrer] [--referrer-field FIELD]\n"
"                 [--strict] [--time-field FIELD] [--tz ZONE] [--ua]\n"
"                 [--ua-cache N] [--ua-field FIELD] [--ua-regexes FILE]\n"
"                 [common options]\n"
"Add context to NDJSON events read on stdin; write them to stdout.\n"
"\n"
"  --anon-ip              zero the end of the address in --ip-field\n"
"  --anon-octets N        IPv4 octets --anon-ip zeroes (1)\n"
"  --anon-segments N      IPv6 16-bit segments --anon-ip zeroes (5)\n"
"  --as NAME              member name for the last --lookup's columns\n"
"  --asn-db FILE          MaxMind ASN database: geo.asn, geo.as_org\n"
"  --bot-patterns FILE    crawler-user-agents JSON for the ua.bot flag\n"
"  --calendar             add calendar parts of the event time in --tz\n"
"  --campaign             add page URL parts and utm_*/click-id campaign\n"
"  --drop FIELDS          remove these fields (comma-separated paths)\n"
"  --fingerprint          add a SHA-256 fingerprint of the event\n"
"  --fingerprint-exclude FIELDS  fields left out of the fingerprint\n"
"  --geoip FILE           MaxMind city or country database (.mmdb)\n"
"  --hash FIELDS          replace these fields by keyed HMAC-SHA256\n"
"  --internal-domains LIST  referrer domains that count as internal\n"
"  --ip-country FILE      CSV IP ranges low,high,CC (tor-geoipdb format)\n"
"  --ip-field FIELD       the IP address field (context.ip)\n"
"  --key-file FILE        the --hash key (else $EVKIT_HASH_KEY)\n"
"  --lookup [NAME=]FILE   join a CSV table; columns go under NAME\n"
"  --lookup-allow-empty   a reloaded table may have no rows\n"
"  --lookup-missing HOW   no row: keep (default), null, or reject\n"
"  --on FIELD[=COLUMN]    key of the last --lookup (repeat: composite)\n"
"  --page-field FIELD     the page URL field (context.page_url)\n"
"  --referer-db FILE      referer-parser referers.json or .yml\n"
"  --referrer             add referrer parts, medium, source and term\n"
"  --referrer-field FIELD the referrer field (context.referrer)\n"
"  --strict               reject events an enrichment cannot apply to\n"
"  --time-field FIELD     the event time field (ts)\n"
"  --tz ZONE              IANA time zone for --calendar (UTC)\n"
"  --ua                   add browser, OS, device and bot flag\n"
"  --ua-cache N           user agents kept in the LRU cache (10000)\n"
"  --ua-field FIELD       the user agent field (context.user_agent)\n"
"  --ua-regexes FILE      uap-core regexes.yaml (" UAP_REGEXES ")\n"
EV_RUN_HELP;

enum {
	OPT_ANON_IP = EV_OPT_FIRST_TOOL,
	OPT_ANON_OCTETS, OPT_ANON_SEGMENTS, OPT_AS, OPT_ASN_DB,
	OPT_BOT_PATTERNS, OPT_CALENDAR, OPT_CAMPAIGN, OPT_DROP,
	OPT_FINGERPRINT, OPT_FP_EXCLUDE, OPT_GEOIP, OPT_HASH, OPT_INTERNAL,
	OPT_IP_COUNTRY, OPT_IP_FIELD, OPT_KEY_FILE, OPT_LOOKUP,
	OPT_LOOKUP_ALLOW_EMPTY, OPT_LOOKUP_MISSING, OPT_ON, OPT_PAGE_FIELD,
	OPT_REFERER_DB, OPT_REFERRER, OPT_REFERRER_FIELD, OPT_STRICT,
	OPT_TIME_FIELD, OPT_TZ,
	OPT_UA, OPT_UA_CACHE, OPT_UA_FIELD, OPT_UA_REGEXES
};

static const struct option longopts[] = {
	{ "anon-ip", no_argument, NULL, OPT_ANON_IP },
	{ "anon-octets", required_argument, NULL, OPT_ANON_OCTETS },
	{ "anon-segments", required_argument, NULL, OPT_ANON_SEGMENTS },
	{ "as", required_argument, NULL, OPT_AS },
	{ "asn-db", required_argument, NULL, OPT_ASN_DB },
	{ "bot-patterns", required_argument, NULL, OPT_BOT_PATTERNS },
	{ "calendar", no_argument, NULL, OPT_CALENDAR },
	{ "campaign", no_argument, NULL, OPT_CAMPAIGN },
	{ "drop", required_argument, NULL, OPT_DROP },
	{ "fingerprint", no_argument, NULL, OPT_FINGERPRINT },
	{ "fingerprint-exclude", required_argument, NULL, OPT_FP_EXCLUDE },
	{ "geoip", required_argument, NULL, OPT_GEOIP },
	{ "hash", required_argument, NULL, OPT_HASH },
	{ "internal-domains", required_argument, NULL, OPT_INTERNAL },
	{ "ip-country", required_argument, NULL, OPT_IP_COUNTRY },
	{ "ip-field", required_argument, NULL, OPT_IP_FIELD },
	{ "key-file", required_argument, NULL, OPT_KEY_FILE },
	{ "lookup", required_argument, NULL, OPT_LOOKUP },
	{ "lookup-allow-empty", no_argument, NULL, OPT_LOOKUP_ALLOW_EMPTY },
	{ "lookup-missing", required_argument, NULL, OPT_LOOKUP_MISSING },
	{ "on", required_argument, NULL, OPT_ON },
	{ "page-field", required_argument, NULL, OPT_PAGE_FIELD },
	{ "referer-db", required_argument, NULL, OPT_REFERER_DB },
	{ "referrer", no_argument, NULL, OPT_REFERRER },
	{ "referrer-field", required_argument, NULL, OPT_REFERRER_FIELD },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "time-field", required_argument, NULL, OPT_TIME_FIELD },
	{ "tz", required_argument, NULL, OPT_TZ },
	{ "ua", no_argument, NULL, OPT_UA },
	{ "ua-cache", required_argument, NULL, OPT_UA_CACHE },
	{ "ua-field", required_argument, NULL, OPT_UA_FIELD },
	{ "ua-regexes", required_argument, NULL, OPT_UA_REGEXES },
	EV_RUN_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

/* What happened to one enrichment over the run (for --stats). */
struct count {
	const char	*name;
	uint64_t	 applied;	/* fields added or changed */
	uint64_t	 present;	/* output already there: left alone */
	uint64_t	 absent;	/* source field absent */
	uint64_t	 failed;	/* could not apply (counted or rejected) */
};

enum missing { MISSING_KEEP, MISSING_NULL, MISSING_REJECT };

struct fields {
	struct ev_path	*p[MAX_FIELDS];
	size_t		 n;
};

struct enrich {
	struct ev_run	 run;
	int		 strict;
	struct ev_path	*time_path;
	/* lookups */
	struct ev_lookup *lk[MAX_LOOKUPS];
	struct count	 lk_count[MAX_LOOKUPS];
	size_t		 nlk;
	enum missing	 missing;
	/* calendar */
	int		 calendar;
	struct ev_tz	*tz;
	struct count	 cal_count;
	/* page and campaign */
	int		 campaign;
	struct ev_path	*page_path;
	struct count	 page_count;
	/* referrer */
	int		 referrer;
	struct ev_path	*ref_path;
	struct ev_referer_db *refdb;
	char		**internal;
	size_t		 ninternal;
	struct count	 ref_count;
	/* user agent */
	int		 ua_on;
	struct ev_ua	*ua;
	struct ev_path	*ua_path;
	struct count	 ua_count;
	/* geo */
	struct ev_geo	*geo;
	struct ev_path	*ip_path;
	struct count	 geo_count;
	/* privacy */
	struct fields	 hash;
	unsigned char	*key;
	size_t		 keylen;
	struct count	 hash_count;
	int		 anon_ip, anon_octets, anon_segments;
	struct count	 anon_count;
	struct fields	 drop;
	struct count	 drop_count;
	int		 fingerprint;
	struct fields	 fp_exclude;
	struct count	 fp_count;
	/* per record */
	json_t		*errors;
	struct ev_buf	 scratch;
};

static struct ev_path *
xpath(struct ev_run *run, const char *spec)
{
	const char *es;
	struct ev_path *p = ev_path_compile(spec, &es);

	if (p == NULL)
		ev_run_usage_error(run, "bad field '%s': %s", spec, es);
	return p;
}

static void
set_path(struct ev_run *run, struct ev_path **p, const char *spec)
{
	ev_path_free(*p);
	*p = xpath(run, spec);
}

/* A comma-separated list of paths, added to f. */
static void
add_fields(struct ev_run *run, struct fields *f, const char *list)
{
	char *copy = ev_xstrdup(list), *s = copy, *c;

	for (;;) {
		c = strchr(s, ',');
		if (c != NULL)
			*c = '\0';
		if (*s != '\0') {
			if (f->n == MAX_FIELDS)
				ev_run_usage_error(run, "more than %d fields in "
				    "one list", MAX_FIELDS);
			f->p[f->n++] = xpath(run, s);
		}
		if (c == NULL)
			break;
		s = c + 1;
	}
	free(copy);
}

static void
free_fields(struct fields *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		ev_path_free(f->p[i]);
	f->n = 0;
}

static void
add_internal(struct enrich *e, const char *list)
{
	char *copy = ev_xstrdup(list), *s = copy, *c;
	size_t i;

	for (;;) {
		c = strchr(s, ',');
		if (c != NULL)
			*c = '\0';
		if (*s != '\0') {
			e->internal = ev_xreallocarray(e->internal,
			    e->ninternal + 1, sizeof(*e->internal));
			for (i = 0; s[i] != '\0'; i++)
				if (s[i] >= 'A' && s[i] <= 'Z')
					s[i] = (char)(s[i] - 'A' + 'a');
			e->internal[e->ninternal++] = ev_xstrdup(s);
		}
		if (c == NULL)
			break;
		s = c + 1;
	}
	free(copy);
}

/* The default table name: the file's base name without its extension. */
static char *
table_name(const char *file)
{
	const char *b = strrchr(file, '/'), *dot;

	b = b ? b + 1 : file;
	dot = strrchr(b, '.');
	return dot && dot > b ? ev_xstrndup(b, (size_t)(dot - b)) :
	    ev_xstrdup(b);
}

static void
add_lookup(struct enrich *e, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *name, *file;

	if (e->nlk == MAX_LOOKUPS)
		ev_run_usage_error(&e->run, "more than %d --lookup tables",
		    MAX_LOOKUPS);
	if (eq != NULL && memchr(arg, '/', (size_t)(eq - arg)) == NULL) {
		name = ev_xstrndup(arg, (size_t)(eq - arg));
		file = ev_xstrdup(eq + 1);
	} else {
		file = ev_xstrdup(arg);
		name = table_name(file);
	}
	if (*name == '\0' || *file == '\0')
		ev_run_usage_error(&e->run, "--lookup '%s': expected "
		    "[NAME=]FILE", arg);
	e->lk[e->nlk] = ev_lookup_new(name, file);
	e->lk_count[e->nlk].name = e->lk[e->nlk]->name;
	e->nlk++;
	free(name);
	free(file);
}

static long long
number(struct ev_run *run, const char *opt, const char *arg, long long min,
    long long max)
{
	const char *es;
	long long v = ev_strtonum(arg, min, max, &es);

	if (es != NULL)
		ev_run_usage_error(run, "%s '%s': %s (%lld-%lld)", opt, arg, es,
		    min, max);
	return v;
}

/*
 * Count a failure in c (unless NULL: counted elsewhere); with --strict (or
 * force) it also becomes an error of the record's reject: enrichment,
 * field, value and expectation.
 */
static void
fail(struct enrich *e, struct count *c, int force, const char *enrichment,
    const struct ev_path *field, const json_t *value, const char *expected)
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

static void
do_lookups(struct enrich *e, struct ev_rec *rec)
{
	ev_us_t t = 0;
	int have_time = ev_rec_time(rec, e->time_path, &t) == 0;
	size_t i, bad;
	char expect[512];

	for (i = 0; i < e->nlk; i++) {
		struct ev_lookup *l = e->lk[i];
		struct count *c = &e->lk_count[i];
		json_t *row, *key;
		int absent;

		if (has_member(rec, l->name)) {
			c->present++;
			continue;
		}
		switch (ev_lookup_find(l, rec, have_time, t, &row, &e->scratch,
		    &bad)) {
		case EV_LOOKUP_HIT:
			ev_rec_add(rec, l->name, json_incref(row));
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
				if (e->missing != MISSING_REJECT)
					break;
			}
			snprintf(expect, sizeof(expect), "a string or number "
			    "key for column '%s' of %s", l->key_col[bad],
			    l->file);
			fail(e, absent ? NULL : c, e->missing == MISSING_REJECT,
			    "lookup", l->key_path[bad], key, expect);
			break;
		case EV_LOOKUP_MISS:
			if (e->missing == MISSING_NULL)
				ev_rec_add(rec, l->name, json_null());
			snprintf(expect, sizeof(expect), "a key with a row in "
			    "%s%s", l->file, have_time ? "" :
			    " (and an event time)");
			if (l->nkeys == 1) {
				fail(e, c, e->missing == MISSING_REJECT, "lookup",
				    l->key_path[0], ev_rec_get(rec, l->key_path[0]),
				    expect);
			} else {
				/* A composite key: every part as the value. */
				json_t *v = json_array();
				size_t k;

				for (k = 0; k < l->nkeys; k++)
					json_array_append(v,
					    ev_rec_get(rec, l->key_path[k]));
				fail(e, c, e->missing == MISSING_REJECT, "lookup",
				    l->key_path[0], v, expect);
				json_decref(v);
			}
			break;
		}
	}
}

static void
do_calendar(struct enrich *e, struct ev_rec *rec)
{
	static const char *const days[] = { "Sunday", "Monday", "Tuesday",
	    "Wednesday", "Thursday", "Friday", "Saturday" };
	struct ev_tm tm;
	ev_us_t t;
	json_t *o;
	char buf[32];
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
	o = json_object();
	snprintf(buf, sizeof(buf), "%04d-%02d-%02d", tm.year, tm.month, tm.day);
	json_object_set_new(o, "date", json_string(buf));
	json_object_set_new(o, "hour", json_integer(tm.hour));
	json_object_set_new(o, "weekday", json_string(days[tm.wday]));
	json_object_set_new(o, "iso_weekday",
	    json_integer(tm.wday == 0 ? 7 : tm.wday));
	json_object_set_new(o, "iso_week", json_integer(tm.iso_week));
	json_object_set_new(o, "iso_year", json_integer(tm.iso_year));
	json_object_set_new(o, "month", json_integer(tm.month));
	json_object_set_new(o, "tz", json_string(ev_tz_name(e->tz)));
	off = tm.utc_offset;
	snprintf(buf, sizeof(buf), "%c%02d:%02d", off < 0 ? '-' : '+',
	    abs(off) / 3600, abs(off) % 3600 / 60);
	json_object_set_new(o, "utc_offset", json_string(buf));
	json_object_set_new(o, "dst", json_boolean(tm.dst));
	ev_rec_add(rec, "calendar", o);
	e->cal_count.applied++;
}

/*
 * A URL field: 1 with u filled, 0 when absent (counted), -1 when present
 * but not a URL (failure recorded).
 */
static int
url_of(struct enrich *e, struct ev_rec *rec, const struct ev_path *p,
    struct count *c, const char *name, struct ev_url *u)
{
	const char *s;
	size_t n;
	int r = ev_rec_str(rec, p, &s, &n);

	if (r == -1 || (r == 0 && n == 0)) {
		c->absent++;
		return 0;
	}
	if (r != 0 || ev_url_parse(s, n, u) != 0) {
		fail(e, c, 0, name, p, ev_rec_get(rec, p),
		    "an absolute URL scheme://host/path?query");
		return -1;
	}
	return 1;
}

static void
do_campaign(struct enrich *e, struct ev_rec *rec)
{
	struct ev_url u;
	json_t *parts, *camp;

	if (has_member(rec, "page")) {
		e->page_count.present++;
		return;
	}
	if (url_of(e, rec, e->page_path, &e->page_count, "campaign", &u) <= 0)
		return;
	if ((parts = ev_url_parts(&u)) == NULL) {
		fail(e, &e->page_count, 0, "campaign", e->page_path,
		    ev_rec_get(rec, e->page_path), "a URL in valid UTF-8");
		return;
	}
	ev_rec_add(rec, "page", parts);
	if ((camp = ev_url_campaign(&u)) != NULL)
		ev_rec_add(rec, "campaign", camp);
	e->page_count.applied++;
}

static void
do_referrer(struct enrich *e, struct ev_rec *rec)
{
	struct ev_url u, page;
	json_t *parts, *cls;
	const char *ph = NULL;
	size_t phn = 0;
	const char *s;
	size_t n;
	const char *k;
	json_t *v;

	if (has_member(rec, "referrer")) {
		e->ref_count.present++;
		return;
	}
	if (url_of(e, rec, e->ref_path, &e->ref_count, "referrer", &u) <= 0)
		return;
	if ((parts = ev_url_parts(&u)) == NULL) {
		fail(e, &e->ref_count, 0, "referrer", e->ref_path,
		    ev_rec_get(rec, e->ref_path), "a URL in valid UTF-8");
		return;
	}
	if (ev_rec_str(rec, e->page_path, &s, &n) == 0 &&
	    ev_url_parse(s, n, &page) == 0) {
		ph = page.host.p;
		phn = page.host.n;
	}
	cls = ev_referer_classify(e->refdb, &u, ph, phn, e->internal,
	    e->ninternal);
	json_object_foreach(cls, k, v)
		json_object_set(parts, k, v);
	json_decref(cls);
	ev_rec_add(rec, "referrer", parts);
	e->ref_count.applied++;
}

static void
do_ua(struct enrich *e, struct ev_rec *rec)
{
	const char *s;
	size_t n;
	int r;

	if (has_member(rec, "ua")) {
		e->ua_count.present++;
		return;
	}
	r = ev_rec_str(rec, e->ua_path, &s, &n);
	if (r == -1 || (r == 0 && n == 0)) {
		e->ua_count.absent++;
		return;
	}
	if (r != 0) {
		fail(e, &e->ua_count, 0, "ua", e->ua_path,
		    ev_rec_get(rec, e->ua_path), "a user agent string");
		return;
	}
	ev_rec_add(rec, "ua",
	    json_incref(ev_ua_parse(e->ua, s, n)));
	e->ua_count.applied++;
}

static void
do_geo(struct enrich *e, struct ev_rec *rec)
{
	const char *s;
	size_t n;
	json_t *g;
	int r;

	if (has_member(rec, "geo")) {
		e->geo_count.present++;
		return;
	}
	r = ev_rec_str(rec, e->ip_path, &s, &n);
	if (r == -1 || (r == 0 && n == 0)) {
		e->geo_count.absent++;
		return;
	}
	if (r != 0 || n > 64) {
		fail(e, &e->geo_count, 0, "geo", e->ip_path,
		    ev_rec_get(rec, e->ip_path), "an IPv4 or IPv6 address");
		return;
	}
	switch (ev_geo_lookup(e->geo, s, &g)) {
	case EV_GEO_FOUND:
		ev_rec_add(rec, "geo", g);
		e->geo_count.applied++;
		break;
	case EV_GEO_NOT_FOUND:
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

/*
 * Members added from a lookup row or the user-agent cache are shared with
 * the table or cache; before a privacy transform changes anything inside
 * one, the record gets its own copy.
 */
static void
unshare(struct ev_rec *rec, const struct ev_path *p)
{
	json_t *v;

	if (p->nseg < 2 || rec->added == NULL ||
	    (v = json_object_get(rec->added, p->seg[0].key)) == NULL ||
	    !(json_is_object(v) || json_is_array(v)))
		return;
	ev_rec_add(rec, p->seg[0].key, json_deep_copy(v));
}

static void
unshare_all(struct enrich *e, struct ev_rec *rec)
{
	size_t i;

	for (i = 0; i < e->hash.n; i++)
		unshare(rec, e->hash.p[i]);
	for (i = 0; i < e->drop.n; i++)
		unshare(rec, e->drop.p[i]);
	if (e->anon_ip)
		unshare(rec, e->ip_path);
}

static void
do_hash(struct enrich *e, struct ev_rec *rec)
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
do_anon(struct enrich *e, struct ev_rec *rec)
{
	const char *s;
	size_t n;
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
	if (r != 0 || n > 64 || ev_privacy_anon_ip(s, e->anon_octets,
	    e->anon_segments, out, sizeof(out)) != 0) {
		/* Not an address: remove it rather than pass it on. */
		fail(e, &e->anon_count, 0, "anon-ip", e->ip_path,
		    ev_rec_get(rec, e->ip_path),
		    "an IPv4 or IPv6 address (removed)");
		ev_rec_del(rec, e->ip_path);
		return;
	}
	if (strlen(out) == n && memcmp(out, s, n) == 0) {
		e->anon_count.present++;
		return;
	}
	ev_rec_set(rec, e->ip_path, json_string(out));
	e->anon_count.applied++;
}

static void
do_drop(struct enrich *e, struct ev_rec *rec)
{
	size_t i;

	for (i = 0; i < e->drop.n; i++) {
		if (ev_rec_del(rec, e->drop.p[i]))
			e->drop_count.applied++;
		else
			e->drop_count.absent++;
	}
}

static void
do_fingerprint(struct enrich *e, struct ev_rec *rec)
{
	static const char *const outputs[] = { "calendar", "page", "campaign",
	    "referrer", "ua", "geo", "fingerprint" };
	json_t *copy;
	char *text, hex[65];
	size_t i;

	if (has_member(rec, "fingerprint")) {
		e->fp_count.present++;
		return;
	}
	copy = json_deep_copy(ev_rec_root(rec));
	for (i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++)
		json_object_del(copy, outputs[i]);
	for (i = 0; i < e->nlk; i++)
		json_object_del(copy, e->lk[i]->name);
	for (i = 0; i < e->fp_exclude.n; i++)
		ev_path_del(e->fp_exclude.p[i], copy);
	text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS |
	    JSON_ENSURE_ASCII);
	json_decref(copy);
	if (text == NULL)
		ev_die(EV_EXIT_RUNTIME, "out of memory");
	ev_privacy_sha256(text, strlen(text), hex);
	free(text);
	ev_rec_add(rec, "fingerprint", json_string(hex));
	e->fp_count.applied++;
}

static void
reload(struct enrich *e, int force)
{
	ev_us_t now = ev_time_mono();
	char err[1024];
	size_t i;

	for (i = 0; i < e->nlk; i++) {
		switch (ev_lookup_refresh(e->lk[i], now, force, err,
		    sizeof(err))) {
		case 1:
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
count_json(const struct count *c)
{
	return json_pack("{sIsIsIsI}", "applied", (json_int_t)c->applied,
	    "present", (json_int_t)c->present, "absent", (json_int_t)c->absent,
	    "failed", (json_int_t)c->failed);
}

static void
put_stats(struct enrich *e)
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
	ev_run_stat(&e->run, "enrich", o);
}

/*
 * The argument the option getopt_long just returned was spelled with:
 * "--key-file=X" is one argument, "--key-file X" two.
 */
static const char *
option_text(char **argv)
{
	if (optind >= 2 && optarg == argv[optind - 1])
		return argv[optind - 2];
	return argv[optind - 1];
}

/*
 * Options that carry a secret are taken only when spelled in full.
 * getopt_long takes any unique prefix, so "--key SECRET", meant as the
 * key itself, would be read as --key-file and the secret quoted in the
 * error.  The refusal names the option as typed, never its argument.
 */
static void
secret_option(struct ev_run *run, char **argv, const char *name)
{
	const char *t = option_text(argv);
	size_t n;

	if (strncmp(t, "--", 2) == 0)
		t += 2;
	n = strcspn(t, "=");
	if (n == strlen(name) && strncmp(t, name, n) == 0)
		return;
	ev_run_usage_error(run, "'--%.*s' stands for --%s, which carries a "
	    "secret: give it in full", (int)n, t, name);
}

/*
 * getopt_long's own messages quote "--opt=value" whole, which would show
 * a secret given to a misspelt option; say what is wrong with the name
 * alone.
 */
static void
bad_option(struct ev_run *run, char **argv, int c)
{
	const char *t = argv[optind - 1 > 0 ? optind - 1 : 0];
	int n = (int)strcspn(t, "=");

	if (c == ':')
		ev_run_usage_error(run, "option '%.*s' needs an argument", n,
		    t);
	if (optopt > 0 && optopt < 0x80 && strncmp(t, "--", 2) != 0)
		ev_run_usage_error(run, "unknown option '-%c'", optopt);
	if (optopt > 0)
		ev_run_usage_error(run, "option '%.*s' takes no argument", n,
		    t);
	ev_run_usage_error(run, "unknown or ambiguous option '%.*s'", n, t);
}

/*
 * Read the --hash key from a file.  Messages name the option, not the
 * path: whatever was given to --key-file may be the secret itself.
 */
static void
read_key_file(struct enrich *e, const char *path)
{
	char err[1024];
	struct stat st;
	size_t n = strlen(path);

	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & (S_IRGRP | S_IROTH)) != 0)
		ev_warn("--key-file is readable by group or others (mode "
		    "%04o); make it private with chmod 600",
		    (unsigned)(st.st_mode & 07777));
	if (ev_privacy_read_key(path, &e->key, &e->keylen, err,
	    sizeof(err)) == 0)
		return;
	if (strncmp(err, path, n) == 0 && strncmp(err + n, ": ", 2) == 0)
		ev_die(EV_EXIT_USAGE, "--key-file: %s", err + n + 2);
	ev_die(EV_EXIT_USAGE, "--key-file: the key file cannot be used");
}

int
main(int argc, char **argv)
{
	struct enrich e;
	struct ev_line line;
	struct ev_rec rec;
	const char *tzname = "UTC", *ua_regexes = NULL, *bots = NULL;
	const char *refdb = NULL, *geoip = NULL, *asndb = NULL;
	const char *keyfile = NULL, *envkey;
	const char *ipcountry[8];
	size_t nipcountry = 0, uacache = 10000, i;
	char err[1024];
	int c, geo_wanted, allow_empty = 0;

	memset(&e, 0, sizeof(e));
	ev_run_init(&e.run, PROG, usage);
	e.anon_octets = 1;
	e.anon_segments = 5;
	e.time_path = xpath(&e.run, "ts");
	e.page_path = xpath(&e.run, "context.page_url");
	e.ref_path = xpath(&e.run, "context.referrer");
	e.ua_path = xpath(&e.run, "context.user_agent");
	e.ip_path = xpath(&e.run, "context.ip");
	ev_buf_init(&e.scratch);

	opterr = 0;	/* bad_option says what is wrong */
	while ((c = getopt_long(argc, argv, ":hV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_ANON_IP:
			e.anon_ip = 1;
			break;
		case OPT_ANON_OCTETS:
			e.anon_octets = (int)number(&e.run, "--anon-octets",
			    optarg, 1, 4);
			break;
		case OPT_ANON_SEGMENTS:
			e.anon_segments = (int)number(&e.run, "--anon-segments",
			    optarg, 1, 8);
			break;
		case OPT_AS:
			if (e.nlk == 0)
				ev_run_usage_error(&e.run, "--as comes after "
				    "the --lookup it names");
			if (*optarg == '\0')
				ev_run_usage_error(&e.run, "--as: empty name");
			free(e.lk[e.nlk - 1]->name);
			e.lk[e.nlk - 1]->name = ev_xstrdup(optarg);
			e.lk_count[e.nlk - 1].name = e.lk[e.nlk - 1]->name;
			break;
		case OPT_ASN_DB:
			asndb = optarg;
			break;
		case OPT_BOT_PATTERNS:
			bots = optarg;
			e.ua_on = 1;
			break;
		case OPT_CALENDAR:
			e.calendar = 1;
			break;
		case OPT_CAMPAIGN:
			e.campaign = 1;
			break;
		case OPT_DROP:
			add_fields(&e.run, &e.drop, optarg);
			break;
		case OPT_FINGERPRINT:
			e.fingerprint = 1;
			break;
		case OPT_FP_EXCLUDE:
			add_fields(&e.run, &e.fp_exclude, optarg);
			e.fingerprint = 1;
			break;
		case OPT_GEOIP:
			geoip = optarg;
			break;
		case OPT_HASH:
			add_fields(&e.run, &e.hash, optarg);
			break;
		case OPT_INTERNAL:
			add_internal(&e, optarg);
			break;
		case OPT_IP_COUNTRY:
			if (nipcountry == sizeof(ipcountry) / sizeof(*ipcountry))
				ev_run_usage_error(&e.run, "too many "
				    "--ip-country files");
			ipcountry[nipcountry++] = optarg;
			break;
		case OPT_IP_FIELD:
			set_path(&e.run, &e.ip_path, optarg);
			break;
		case OPT_KEY_FILE:
			secret_option(&e.run, argv, "key-file");
			keyfile = optarg;
			break;
		case OPT_LOOKUP:
			add_lookup(&e, optarg);
			break;
		case OPT_LOOKUP_ALLOW_EMPTY:
			allow_empty = 1;
			break;
		case OPT_LOOKUP_MISSING:
			if (strcmp(optarg, "keep") == 0)
				e.missing = MISSING_KEEP;
			else if (strcmp(optarg, "null") == 0)
				e.missing = MISSING_NULL;
			else if (strcmp(optarg, "reject") == 0)
				e.missing = MISSING_REJECT;
			else
				ev_run_usage_error(&e.run, "--lookup-missing "
				    "'%s': expected keep, null or reject",
				    optarg);
			break;
		case OPT_ON:
			if (e.nlk == 0)
				ev_run_usage_error(&e.run, "--on comes after "
				    "the --lookup it keys");
			if (ev_lookup_add_key(e.lk[e.nlk - 1], optarg, err,
			    sizeof(err)) != 0)
				ev_run_usage_error(&e.run, "--on %s", err);
			break;
		case OPT_PAGE_FIELD:
			set_path(&e.run, &e.page_path, optarg);
			break;
		case OPT_REFERER_DB:
			refdb = optarg;
			e.referrer = 1;
			break;
		case OPT_REFERRER:
			e.referrer = 1;
			break;
		case OPT_REFERRER_FIELD:
			set_path(&e.run, &e.ref_path, optarg);
			break;
		case OPT_STRICT:
			e.strict = 1;
			break;
		case OPT_TIME_FIELD:
			set_path(&e.run, &e.time_path, optarg);
			break;
		case OPT_TZ:
			tzname = optarg;
			e.calendar = 1;
			break;
		case OPT_UA:
			e.ua_on = 1;
			break;
		case OPT_UA_CACHE:
			uacache = (size_t)number(&e.run, "--ua-cache", optarg,
			    0, 100000000);
			break;
		case OPT_UA_FIELD:
			set_path(&e.run, &e.ua_path, optarg);
			break;
		case OPT_UA_REGEXES:
			ua_regexes = optarg;
			e.ua_on = 1;
			break;
		case '?':
		case ':':
			bad_option(&e.run, argv, c);
			break;
		default:
			if (!ev_run_option(&e.run, c, optarg))
				ev_run_usage_error(&e.run, "unknown option");
		}
	}
	if (optind < argc)
		ev_run_usage_error(&e.run, "unexpected argument '%s'",
		    argv[optind]);

	/* Configuration: everything is checked before any input is read. */
	for (i = 0; i < e.nlk; i++) {
		if (e.lk[i]->nkeys == 0)
			ev_run_usage_error(&e.run, "--lookup %s needs --on "
			    "FIELD[=COLUMN]", e.lk[i]->file);
		if (ev_lookup_load(e.lk[i], err, sizeof(err)) != 0)
			ev_die(EV_EXIT_USAGE, "%s", err);
		e.lk[i]->allow_empty = allow_empty;
	}
	if (e.calendar && (e.tz = ev_tz_open(tzname)) == NULL)
		ev_run_usage_error(&e.run, "--tz '%s': unknown time zone",
		    tzname);
	if (e.referrer) {
		if (refdb == NULL)
			refdb = REFERER_DB;
		if ((e.refdb = ev_referer_db_load(refdb, err,
		    sizeof(err))) == NULL)
			ev_die(EV_EXIT_USAGE, "%s (install ruby-referer-parser "
			    "or give --referer-db FILE)", err);
	}
	if (e.ua_on && (e.ua = ev_ua_load(ua_regexes ? ua_regexes :
	    UAP_REGEXES, bots, uacache, err, sizeof(err))) == NULL)
		ev_die(EV_EXIT_USAGE, "%s", err);
	geo_wanted = geoip != NULL || asndb != NULL || nipcountry > 0;
	if (geo_wanted) {
		e.geo = ev_geo_new();
		if (geoip != NULL &&
		    ev_geo_open_city(e.geo, geoip, err, sizeof(err)) != 0)
			ev_die(EV_EXIT_USAGE, "%s", err);
		if (asndb != NULL &&
		    ev_geo_open_asn(e.geo, asndb, err, sizeof(err)) != 0)
			ev_die(EV_EXIT_USAGE, "%s", err);
		for (i = 0; i < nipcountry; i++)
			if (ev_geo_load_ranges(e.geo, ipcountry[i], err,
			    sizeof(err)) != 0)
				ev_die(EV_EXIT_USAGE, "%s", err);
	}
	if (e.hash.n > 0) {
		envkey = getenv("EVKIT_HASH_KEY");
		if (keyfile != NULL) {
			read_key_file(&e, keyfile);
		} else if (envkey != NULL && *envkey != '\0') {
			if (ev_privacy_key_from(envkey, &e.key, &e.keylen, err,
			    sizeof(err)) != 0)
				ev_die(EV_EXIT_USAGE, "%s", err);
		} else {
			ev_run_usage_error(&e.run, "--hash needs a key: "
			    "--key-file FILE or the EVKIT_HASH_KEY variable");
		}
	} else if (keyfile != NULL) {
		ev_run_usage_error(&e.run, "--key-file without --hash");
	}

	ev_run_open(&e.run);
	ev_rec_init(&rec);
	while (ev_run_next(&e.run, &line, -1) == EV_LINE_OK) {
		if (e.nlk > 0)
			reload(&e, ev_run_take_reload());
		if (ev_rec_parse(&rec, line.data, line.len) != 0) {
			ev_run_reject(&e.run, &line, "parse",
			    ev_run_error(NULL, "%s", rec.err));
			continue;
		}
		if (!ev_rec_is_object(&rec)) {
			ev_run_reject(&e.run, &line, "parse",
			    ev_run_error(NULL, "an event is a JSON object"));
			continue;
		}
		if (e.nlk > 0)
			do_lookups(&e, &rec);
		if (e.calendar)
			do_calendar(&e, &rec);
		if (e.campaign)
			do_campaign(&e, &rec);
		if (e.referrer)
			do_referrer(&e, &rec);
		if (e.ua != NULL)
			do_ua(&e, &rec);
		if (e.geo != NULL)
			do_geo(&e, &rec);
		if (e.errors != NULL) {
			ev_run_reject(&e.run, &line, "enrich", e.errors);
			e.errors = NULL;
			continue;
		}
		/* Privacy last, so nothing above sees less than the event. */
		unshare_all(&e, &rec);
		if (e.anon_ip)
			do_anon(&e, &rec);
		if (e.hash.n > 0)
			do_hash(&e, &rec);
		if (e.drop.n > 0)
			do_drop(&e, &rec);
		if (e.fingerprint)
			do_fingerprint(&e, &rec);
		if (e.errors != NULL) {
			ev_run_reject(&e.run, &line, "enrich", e.errors);
			e.errors = NULL;
			continue;
		}
		ev_run_pass(&e.run, &rec);
	}
	ev_rec_clear(&rec);
	put_stats(&e);
	c = ev_run_finish(&e.run);

	for (i = 0; i < e.nlk; i++)
		ev_lookup_free(e.lk[i]);
	for (i = 0; i < e.ninternal; i++)
		free(e.internal[i]);
	free(e.internal);
	ev_tz_free(e.tz);
	ev_referer_db_free(e.refdb);
	ev_ua_free(e.ua);
	ev_geo_free(e.geo);
	ev_privacy_key_free(e.key, e.keylen);
	free_fields(&e.hash);
	free_fields(&e.drop);
	free_fields(&e.fp_exclude);
	ev_path_free(e.time_path);
	ev_path_free(e.page_path);
	ev_path_free(e.ref_path);
	ev_path_free(e.ua_path);
	ev_path_free(e.ip_path);
	ev_buf_free(&e.scratch);
	return c;
}
