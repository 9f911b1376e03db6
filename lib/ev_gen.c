/*
 * ev_gen.c - the synthetic traffic model (see ev_gen.h).
 *
 * Simulation: sessions arrive as a Poisson process whose rate follows the
 * seasonality; each session is an item in a min-heap keyed by the time of
 * its next event, and so are delayed lines (late events, retries) and the
 * extra events of a spike.  Popping the heap in key order emits every line
 * in emission order; only late lines (and retries, a few seconds behind)
 * break event-time order.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_gen.h"
#include "ev_rand.h"
#include "ev_rec.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define ADDL(b, s)	ev_buf_add((b), (s), sizeof(s) - 1)

/* Random streams: one per concern, so they do not disturb each other. */
enum { STREAM_TRAFFIC = 1, STREAM_NOISE, STREAM_ANOMALY };

#define SITE		"https://shop.example.com"
#define LONG_MIN	(1024 * 1024 + 1)	/* an over-long line's least size */

/* ---- Names and shares ------------------------------------------------ */

static const char *const event_names[] = {
	"page_view", "signup", "activation", "purchase", NULL
};
static const char *const bad_names[] = {
	"truncated", "type", "missing", "utf8", "long", NULL
};
/* Over-long lines are a megabyte each, so they are rare by default. */
static const double bad_weight[] = { 30, 30, 25, 14.9, 0.1 };
static const char *const field_names[] = {
	"platform", "country", "app_version", "plan", NULL
};
static const char *const akind_names[] = {
	"drop", "spike", "shift", "outage", NULL
};

enum { P_WEB, P_IOS, P_ANDROID, NPLATFORM };
static const char *const platform_names[] = { "web", "ios", "android", NULL };
static const double platform_w[] = { 50, 28, 22 };

static const char *const country_names[] = {
	"US", "DE", "GB", "IN", "FR", "BR", "JP", "CA", "AU", "NL", "ES", "IT",
	"PL", "SE", NULL
};
#define NCOUNTRY 14
static const double country_w[NCOUNTRY] = {
	28, 11, 9, 8, 7, 6, 5, 5, 4, 4, 4, 3, 3, 3
};

struct currency {
	const char	*code;
	double		 per_usd;
	int		 decimals;
};
static const struct currency currencies[] = {
	{ "USD", 1.0, 2 }, { "EUR", 0.92, 2 }, { "GBP", 0.79, 2 },
	{ "INR", 83.0, 2 }, { "BRL", 4.95, 2 }, { "JPY", 150.0, 0 },
	{ "CAD", 1.35, 2 }, { "AUD", 1.52, 2 }, { "PLN", 3.95, 2 },
	{ "SEK", 10.4, 2 }
};
/* Currency index per country, in country_names order. */
static const int country_currency[NCOUNTRY] = {
	0, 1, 2, 3, 1, 4, 5, 6, 7, 1, 1, 1, 8, 9
};

static const char *const appver_names[] = {
	"3.2.1", "3.2.0", "3.1.4", "3.0.9", NULL
};
#define NAPPVER 4
static const double appver_w[NAPPVER] = { 45, 25, 18, 12 };

static const char *const plan_names[] = { "free", "pro", "team", NULL };
static const double plan_w[] = { 72, 21, 7 };

struct page {
	const char	*path;
	const char	*title;
	double		 w;
};
static const struct page pages[] = {
	{ "/", "Home", 20 },
	{ "/pricing", "Pricing", 12 },
	{ "/features", "Features", 8 },
	{ "/features/analytics", "Analytics", 4 },
	{ "/features/integrations", "Integrations", 3 },
	{ "/shop/running-shoes", "Running shoes", 7 },
	{ "/shop/trail-jacket", "Trail jacket", 5 },
	{ "/shop/water-bottle", "Water bottle", 3 },
	{ "/shop/sale", "Spring sale", 4 },
	{ "/docs/getting-started", "Getting started", 5 },
	{ "/docs/api", "API reference", 3 },
	{ "/blog/event-tracking-101", "Event tracking 101", 4 },
	{ "/blog/funnels-that-convert", "Funnels that convert", 3 },
	{ "/blog/spring-release", "Spring release notes", 2 },
	{ "/customers", "Customers", 2 },
	{ "/about", "About us", 2 },
	{ "/contact", "Contact", 1 }
};
#define NPAGE NELEM(pages)

static const char *const signup_methods[] = {
	"email", "google", "apple", "github"
};
static const double signup_w[] = { 55, 30, 10, 5 };
static const char *const activation_steps[] = {
	"profile_completed", "first_project", "invited_teammate"
};
static const double step_w[] = { 40, 35, 25 };

#define NSKU 40
static const int price_usd_cents[] = {
	499, 999, 1499, 1999, 2499, 2999, 3999, 4999, 5999, 7999, 9999,
	12999, 14999, 19999, 24999
};

/* Landing referrer kinds. */
enum { R_DIRECT, R_SEARCH, R_PAID, R_SOCIAL, R_EMAIL, NREF };
static const double ref_w[NREF] = { 35, 35, 10, 12, 8 };

static const char *const search_refs[] = {
	"https://www.google.com/",
	"https://www.google.com/search?q=running+shoes",
	"https://www.google.de/",
	"https://www.google.co.uk/search?q=trail+jacket",
	"https://www.bing.com/search?q=event+analytics",
	"https://duckduckgo.com/",
	"https://search.yahoo.com/search?p=shop+example",
	"https://www.ecosia.org/search?q=running+shoes"
};
struct social {
	const char	*ref;
	const char	*source;
};
static const struct social socials[] = {
	{ "https://www.facebook.com/", "facebook" },
	{ "https://l.facebook.com/", "facebook" },
	{ "https://t.co/", "twitter" },
	{ "https://www.linkedin.com/", "linkedin" },
	{ "https://www.reddit.com/r/running/", "reddit" },
	{ "https://l.instagram.com/", "instagram" },
	{ "https://www.youtube.com/", "youtube" }
};
static const char *const email_refs[] = {
	"https://mail.google.com/", "https://outlook.live.com/"
};
static const char *const campaigns[] = {
	"spring_sale", "march_launch", "brand", "retargeting", "running_2026"
};

/* Web browsers, weights; then crawlers (for bot users). */
static const char *const web_uas[] = {
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:123.0) Gecko/20100101 Firefox/123.0",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.2365.66",
	"Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0",
	"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Mobile Safari/537.36"
};
static const double web_ua_w[] = { 33, 14, 14, 9, 12, 3, 4, 6, 5 };
static const char *const bot_uas[] = {
	"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
	"Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.6261.94 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
	"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
	"Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
	"Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)"
};
#define NBOTUA NELEM(bot_uas)
static const char *const ios_devices[] = {
	"iPhone15,2", "iPhone14,5", "iPhone16,1", "iPhone13,2", "iPad13,4"
};
static const char *const ios_versions[] = { "17.3.1", "17.2", "16.7.5" };
static const char *const android_devices[] = {
	"Pixel 8", "SM-S918B", "SM-A546B", "2201116SG", "CPH2449"
};
static const char *const android_versions[] = { "14", "13" };
#define N_IOS_UA	(NELEM(ios_devices) * NELEM(ios_versions) + 1)
#define N_ANDROID_UA	(NELEM(android_devices) * NELEM(android_versions) * 2)

/* Seasonality: relative traffic at the middle of each local hour. */
static const double daily_profile[24] = {
	0.35, 0.25, 0.18, 0.14, 0.13, 0.16, 0.28, 0.50, 0.75, 0.95, 1.10, 1.20,
	1.25, 1.25, 1.20, 1.20, 1.25, 1.35, 1.50, 1.65, 1.70, 1.55, 1.10, 0.65
};
/* By weekday, Sunday first. */
static const double weekly_profile[7] = {
	0.80, 1.00, 1.03, 1.04, 1.02, 0.95, 0.76
};

/* ---- The generator ---------------------------------------------------- */

struct uattr {
	uint8_t		 platform, country, appver, plan, bot;
	uint64_t	 hash;
};

enum { IT_SESSION, IT_CLONE, IT_LINE };

/* A session, or (as a clone) one extra event of a spike. */
struct sess {
	uint64_t	 sid;
	uint32_t	 user;
	struct uattr	 a;
	const char	*ua;
	int		 n_events;
	int		 pv_left;
	int		 purchases_left;
	uint8_t		 want_signup, want_activate;
	uint8_t		 ref_kind;
	uint8_t		 clone_type;
	const char	*cur_path;	/* path of the current page view */
	const char	*cur_title;
	const char	*prev_path;	/* path of the previous event */
	char		 ip[48];
	char		 ref[80];	/* landing referrer ("" = none) */
	char		 query[176];	/* landing query string ("" = none) */
	struct sess	*next_free;
};

struct line_item {
	size_t		 len;
	char		 data[];
};

struct item {
	ev_us_t		 key;
	uint64_t	 seq;
	void		*p;
	int		 kind;
};

struct ev_gen {
	struct ev_gen_opts o;
	struct ev_rand	 rt, rn, ra;	/* traffic, noise, anomaly */
	struct ev_zipf	 zipf;
	uint8_t		*stage;		/* per user: 0 anonymous, 1 signed up, 2 active */
	uint64_t	 user_salt, ev_salt, sess_salt, bad_salt;
	uint64_t	 ev_counter, sess_counter, bad_counter, seq;

	double		 plat_cum[NPLATFORM], country_cum[NCOUNTRY];
	double		 appver_cum[NAPPVER], plan_cum[3], page_cum[NPAGE];
	double		 signup_cum[4], step_cum[3], sku_cum[NSKU];
	double		 ref_cum[NREF], web_ua_cum[NELEM(web_uas)];
	double		 bad_cum[EV_GEN_NBAD];
	double		 daily[24], weekly[7];
	char		*ios_ua[NAPPVER][N_IOS_UA];
	char		*android_ua[NAPPVER][N_ANDROID_UA];

	struct item	*heap;
	size_t		 nheap, capheap;
	struct sess	*free_sess;

	ev_us_t		 next_arrival, end;
	int		 gen_done, stopped;
	uint64_t	 attempts;	/* events tried, before anomalies */
	uint64_t	 done_sessions, done_events;	/* of ended sessions */
	uint64_t	 max_attempts;

	/* Seasonality cache: the local hour [sz_lo, sz_hi). */
	ev_us_t		 sz_lo, sz_hi;
	int		 sz_hour, sz_wday;

	/* Timestamp cache: the date prefix of day ts_day. */
	int64_t		 ts_day;
	char		 ts_prefix[40];

	struct ev_buf	 line, tmp, bad;
	struct ev_gen_counts c;
	ev_gen_emit_fn	 emit;
	void		*arg;
};

/* ---- Names ------------------------------------------------------------ */

static int
lookup(const char *const *names, const char *s, size_t n)
{
	int i;

	for (i = 0; names[i] != NULL; i++)
		if (strlen(names[i]) == n && memcmp(names[i], s, n) == 0)
			return i;
	return -1;
}

const char *
ev_gen_event_name(int e)
{
	return e >= 0 && e < EV_GEN_NEVENT ? event_names[e] : NULL;
}

int
ev_gen_event_lookup(const char *s, size_t n)
{
	return lookup(event_names, s, n);
}

const char *
ev_gen_bad_name(int k)
{
	return k >= 0 && k < EV_GEN_NBAD ? bad_names[k] : NULL;
}

int
ev_gen_bad_lookup(const char *s, size_t n)
{
	return lookup(bad_names, s, n);
}

const char *
ev_gen_field_name(int f)
{
	return f >= 0 && f < EV_GEN_NFIELD ? field_names[f] : NULL;
}

const char *const *
ev_gen_field_values(int f)
{
	switch (f) {
	case EV_GEN_F_PLATFORM:
		return platform_names;
	case EV_GEN_F_COUNTRY:
		return country_names;
	case EV_GEN_F_APP_VERSION:
		return appver_names;
	case EV_GEN_F_PLAN:
		return plan_names;
	}
	return NULL;
}

const char *
ev_gen_akind_name(enum ev_gen_akind k)
{
	return akind_names[k];
}

/* ---- Anomaly specs ---------------------------------------------------- */

static void
join_names(const char *const *names, char *buf, size_t n)
{
	size_t off = 0;
	int i, w;

	buf[0] = '\0';
	for (i = 0; names[i] != NULL && off < n; i++) {
		w = snprintf(buf + off, n - off, "%s%s", i ? ", " : "",
		    names[i]);
		if (w < 0)
			break;
		off += (size_t)w;
	}
}

int
ev_gen_anomaly_parse(const char *spec, ev_us_t base, struct ev_gen_anomaly *a,
    char *err, size_t errlen)
{
	const char *p, *colon, *end, *eq;
	char val[128], list[160];
	int have_at = 0, have_for = 0, have_factor = 0, have_filter = 0;
	int f, k, seen_event = 0, seen[EV_GEN_NFIELD] = { 0 };
	size_t klen, vlen;
	ev_us_t dur = 0;

	memset(a, 0, sizeof(*a));
	a->event = -1;
	for (f = 0; f < EV_GEN_NFIELD; f++)
		a->filter[f] = -1;
	a->end = INT64_MAX;

	colon = strchr(spec, ':');
	k = lookup(akind_names, spec, colon ? (size_t)(colon - spec) :
	    strlen(spec));
	if (k < 0) {
		join_names(akind_names, list, sizeof(list));
		snprintf(err, errlen, "unknown kind '%.*s' (expected %s)",
		    colon ? (int)(colon - spec) : (int)strlen(spec), spec,
		    list);
		return -1;
	}
	a->kind = (enum ev_gen_akind)k;
	if (colon == NULL) {
		snprintf(err, errlen, "missing ':' and settings after '%s'",
		    spec);
		return -1;
	}
	for (p = colon + 1; *p != '\0'; p = *end ? end + 1 : end) {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq == NULL || eq == p) {
			snprintf(err, errlen, "expected key=value, got '%.*s'",
			    (int)(end - p), p);
			return -1;
		}
		klen = (size_t)(eq - p);
		vlen = (size_t)(end - eq - 1);
		if (vlen == 0 || vlen >= sizeof(val)) {
			snprintf(err, errlen, "bad value for '%.*s'",
			    (int)klen, p);
			return -1;
		}
		memcpy(val, eq + 1, vlen);
		val[vlen] = '\0';
#define KEY(s)	(klen == sizeof(s) - 1 && memcmp(p, s, klen) == 0)
#define ONCE(flag) do { \
		if (flag) { \
			snprintf(err, errlen, "'%.*s' given twice", \
			    (int)klen, p); \
			return -1; \
		} \
		flag = 1; \
	} while (0)
		if (KEY("event")) {
			ONCE(seen_event);
			a->event = ev_gen_event_lookup(val, vlen);
			if (a->event < 0) {
				join_names(event_names, list, sizeof(list));
				snprintf(err, errlen, "unknown event '%s' "
				    "(expected %s)", val, list);
				return -1;
			}
			have_filter = 1;
		} else if ((f = lookup(field_names, p, klen)) >= 0) {
			ONCE(seen[f]);
			a->filter[f] = lookup(ev_gen_field_values(f), val,
			    vlen);
			if (a->filter[f] < 0) {
				join_names(ev_gen_field_values(f), list,
				    sizeof(list));
				snprintf(err, errlen, "unknown %s '%s' "
				    "(expected %s)", field_names[f], val,
				    list);
				return -1;
			}
			have_filter = 1;
		} else if (KEY("at")) {
			ONCE(have_at);
			if (val[0] == '+') {
				if (ev_duration_parse(val + 1, &dur) != 0) {
					snprintf(err, errlen, "bad duration "
					    "'%s' in at=", val + 1);
					return -1;
				}
				a->start = base + dur;
			} else if (ev_time_parse(val, vlen, &a->start) != 0) {
				snprintf(err, errlen, "bad time '%s' in at= "
				    "(expected RFC 3339 or +DURATION)", val);
				return -1;
			}
		} else if (KEY("for")) {
			ONCE(have_for);
			if (ev_duration_parse(val, &dur) != 0 || dur <= 0) {
				snprintf(err, errlen, "bad duration '%s' in "
				    "for=", val);
				return -1;
			}
		} else if (KEY("factor")) {
			ONCE(have_factor);
			if (ev_strtod(val, &a->factor) != 0 ||
			    a->factor < 0 || a->factor > 1000) {
				snprintf(err, errlen, "bad factor '%s' "
				    "(expected a number from 0 to 1000)", val);
				return -1;
			}
		} else {
			snprintf(err, errlen, "unknown key '%.*s' (expected "
			    "event, platform, country, app_version, plan, at, "
			    "for, factor)", (int)klen, p);
			return -1;
		}
#undef KEY
#undef ONCE
	}
	if (!have_at) {
		snprintf(err, errlen, "missing at=TIME");
		return -1;
	}
	if (!have_for && a->kind != EV_GEN_SHIFT) {
		snprintf(err, errlen, "missing for=DURATION (only a shift "
		    "may last to the end)");
		return -1;
	}
	if (have_for)
		a->end = a->start + dur;
	switch (a->kind) {
	case EV_GEN_DROP:
		if (!have_factor)
			a->factor = 0.2;
		if (a->factor >= 1) {
			snprintf(err, errlen, "a drop needs factor < 1");
			return -1;
		}
		break;
	case EV_GEN_SPIKE:
		if (!have_factor)
			a->factor = 3;
		if (a->factor <= 1) {
			snprintf(err, errlen, "a spike needs factor > 1");
			return -1;
		}
		break;
	case EV_GEN_SHIFT:
		if (!have_factor)
			a->factor = 0.5;
		if (a->factor == 1) {
			snprintf(err, errlen, "a shift needs factor != 1");
			return -1;
		}
		break;
	case EV_GEN_OUTAGE:
		if (have_factor && a->factor != 0) {
			snprintf(err, errlen, "an outage has factor 0");
			return -1;
		}
		a->factor = 0;
		if (!have_filter) {
			snprintf(err, errlen, "an outage needs a segment "
			    "(event=, platform=, country=, app_version= or "
			    "plan=)");
			return -1;
		}
		break;
	}
	return 0;
}

/* ---- Options ---------------------------------------------------------- */

void
ev_gen_opts_init(struct ev_gen_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->seed = 1;
	/* 2026-03-02T00:00:00Z, a Monday. */
	o->start = INT64_C(1772409600) * EV_US_PER_SEC;
	o->rate = 1;
	o->users = 100000;
	o->zipf_s = 1.1;
	o->funnel[0] = 0.08;
	o->funnel[1] = 0.5;
	o->funnel[2] = 0.06;
	o->late_max = 5 * EV_US_PER_MIN;
	o->bad_kinds = (1u << EV_GEN_NBAD) - 1;
}

/* ---- Heap ------------------------------------------------------------- */

static int
item_less(const struct item *x, const struct item *y)
{
	return x->key < y->key || (x->key == y->key && x->seq < y->seq);
}

static void
heap_push(struct ev_gen *g, ev_us_t key, int kind, void *p)
{
	size_t i, parent;
	struct item it;

	if (g->nheap == g->capheap) {
		g->capheap = g->capheap ? 2 * g->capheap : 256;
		g->heap = ev_xreallocarray(g->heap, g->capheap,
		    sizeof(*g->heap));
	}
	it.key = key;
	it.seq = g->seq++;
	it.p = p;
	it.kind = kind;
	i = g->nheap++;
	while (i > 0) {
		parent = (i - 1) / 2;
		if (!item_less(&it, &g->heap[parent]))
			break;
		g->heap[i] = g->heap[parent];
		i = parent;
	}
	g->heap[i] = it;
}

static struct item
heap_pop(struct ev_gen *g)
{
	struct item top = g->heap[0], last = g->heap[--g->nheap];
	size_t i = 0, child, n = g->nheap;

	for (;;) {
		child = 2 * i + 1;
		if (child >= n)
			break;
		if (child + 1 < n && item_less(&g->heap[child + 1],
		    &g->heap[child]))
			child++;
		if (!item_less(&g->heap[child], &last))
			break;
		g->heap[i] = g->heap[child];
		i = child;
	}
	if (n > 0)
		g->heap[i] = last;
	return top;
}

/* ---- Small formatters ------------------------------------------------- */

static void
add_hex16(struct ev_buf *b, uint64_t v)
{
	static const char hex[] = "0123456789abcdef";
	char s[16];
	int i;

	for (i = 15; i >= 0; i--) {
		s[i] = hex[v & 15];
		v >>= 4;
	}
	ev_buf_add(b, s, 16);
}

static void
put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

/* "2026-03-02T10:15:04.120Z" (milliseconds), with the date cached. */
static void
add_ts(struct ev_gen *g, struct ev_buf *b, ev_us_t t)
{
	int64_t day = t >= 0 ? t / EV_US_PER_DAY :
	    -((-t + EV_US_PER_DAY - 1) / EV_US_PER_DAY);
	int64_t ms = (t - day * EV_US_PER_DAY) / 1000;
	char s[13];
	int y, m, d;

	if (day != g->ts_day) {
		ev_time_civil(day, &y, &m, &d);
		snprintf(g->ts_prefix, sizeof(g->ts_prefix),
		    "%04d-%02d-%02dT", y % 10000, m, d);
		g->ts_day = day;
	}
	ev_buf_add(b, g->ts_prefix, 11);
	put2(s, (int)(ms / 3600000));
	s[2] = ':';
	put2(s + 3, (int)(ms / 60000 % 60));
	s[5] = ':';
	put2(s + 6, (int)(ms / 1000 % 60));
	s[8] = '.';
	s[9] = (char)('0' + ms % 1000 / 100);
	put2(s + 10, (int)(ms % 100));
	s[12] = 'Z';
	ev_buf_add(b, s, 13);
}

/* ---- Users and sessions ----------------------------------------------- */

static size_t
pick(struct ev_rand *r, const double *cum, size_t n)
{
	return ev_rand_pick(r, cum, n);
}

static void
user_attrs(const struct ev_gen *g, uint32_t user, struct uattr *a)
{
	uint64_t h = ev_rand_mix64(g->user_salt ^
	    ((uint64_t)user * UINT64_C(0x9e3779b97f4a7c15)));

	a->hash = h;
	a->platform = (uint8_t)ev_rand_pick_u64(ev_rand_mix64(h + 1),
	    g->plat_cum, NPLATFORM);
	a->country = (uint8_t)ev_rand_pick_u64(ev_rand_mix64(h + 2),
	    g->country_cum, NCOUNTRY);
	a->appver = (uint8_t)ev_rand_pick_u64(ev_rand_mix64(h + 3),
	    g->appver_cum, NAPPVER);
	a->plan = (uint8_t)ev_rand_pick_u64(ev_rand_mix64(h + 4),
	    g->plan_cum, 3);
	/* About 3% of web users are crawlers. */
	a->bot = a->platform == P_WEB &&
	    ev_rand_mix64(h + 5) % 1000 < 30;
}

static const char *
user_agent(const struct ev_gen *g, const struct uattr *a)
{
	uint64_t u = ev_rand_mix64(a->hash + 6);

	if (a->bot)
		return bot_uas[u % NBOTUA];
	switch (a->platform) {
	case P_IOS:
		return g->ios_ua[a->appver][u % N_IOS_UA];
	case P_ANDROID:
		return g->android_ua[a->appver][u % N_ANDROID_UA];
	}
	return web_uas[ev_rand_pick_u64(u, g->web_ua_cum, NELEM(web_uas))];
}

/*
 * An address for the session: usually the user's own, sometimes another
 * (mobile networks, travel).  IPv4 and IPv6 from the documentation ranges,
 * and for some countries from public ranges that the MaxMind test databases
 * place in that country, so GeoIP enrichment has something to find.
 */
static void
session_ip(const struct uattr *a, uint64_t roam, char *ip, size_t n)
{
	static const char *const v6_doc = "2001:db8";
	uint64_t h = ev_rand_mix64(a->hash + 7);
	const char *cc = country_names[a->country];
	const char *v6 = NULL;
	int v6_bump = 0;
	unsigned r;

	if (roam % 5 == 0)
		h = ev_rand_mix64(h ^ roam);
	r = (unsigned)(h >> 32);
	if (a->bot) {
		if (h % 2 == 0)
			snprintf(ip, n, "66.249.66.%u", 1 + r % 254);
		else
			snprintf(ip, n, "157.55.39.%u", 1 + r % 254);
		return;
	}
	if (h % 100 < 30) {
		/* IPv6. */
		if (h % 1000 < 180) {
			if (strcmp(cc, "JP") == 0)
				v6 = r & 1 ? "2001:218" : "2001:240";
			else if (strcmp(cc, "DE") == 0)
				v6 = "2a02:d180", v6_bump = 1;
			else if (strcmp(cc, "FR") == 0)
				v6 = "2a02:cfc0", v6_bump = 1;
			else if (strcmp(cc, "GB") == 0)
				v6 = "2a02:d3c0", v6_bump = 1;
			else if (strcmp(cc, "ES") == 0)
				v6 = "2a02:d5c0", v6_bump = 1;
			else if (strcmp(cc, "IT") == 0)
				v6 = "2a02:d1c0", v6_bump = 1;
			else if (strcmp(cc, "PL") == 0)
				v6 = "2a02:d100", v6_bump = 1;
			else if (strcmp(cc, "SE") == 0)
				v6 = "2a02:d440", v6_bump = 1;
		}
		if (v6 != NULL && v6_bump) {
			/* A /29: the second group varies in its low 3 bits. */
			unsigned g2 = (unsigned)strtoul(v6 + 5, NULL, 16) +
			    (r & 7);
			snprintf(ip, n, "2a02:%x:%x:%x::%x", g2,
			    1 + (r >> 3) % 0xfffe, 1 + (r >> 7) % 0xfffe,
			    1 + (unsigned)(h >> 16) % 0xfffe);
		} else if (strcmp(cc, "US") == 0 && h % 1000 < 150) {
			snprintf(ip, n, "2001:480:10:%x::%x",
			    1 + r % 0xfffe, 1 + (unsigned)(h >> 16) % 0xfffe);
		} else {
			snprintf(ip, n, "%s:%x:%x::%x", v6 ? v6 : v6_doc,
			    1 + r % 0xfffe, 1 + (r >> 9) % 0xfffe,
			    1 + (unsigned)(h >> 16) % 0xfffe);
		}
		return;
	}
	if (h % 1000 < 600) {
		if (strcmp(cc, "GB") == 0) {
			snprintf(ip, n, "81.2.69.%u", 160 + r % 32);
			return;
		}
		if (strcmp(cc, "US") == 0) {
			if (r & 1)
				snprintf(ip, n, "216.160.83.%u", 56 + r % 16);
			else
				snprintf(ip, n, "149.101.100.%u", r % 16);
			return;
		}
		if (strcmp(cc, "SE") == 0) {
			snprintf(ip, n, "89.160.20.%u", 128 + r % 128);
			return;
		}
	}
	switch (r % 3) {
	case 0:
		snprintf(ip, n, "192.0.2.%u", 1 + (r >> 8) % 254);
		break;
	case 1:
		snprintf(ip, n, "198.51.100.%u", 1 + (r >> 8) % 254);
		break;
	default:
		snprintf(ip, n, "203.0.113.%u", 1 + (r >> 8) % 254);
		break;
	}
}

static void
gclid(struct ev_rand *r, char *s, size_t n)
{
	static const char set[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
	size_t i;

	memcpy(s, "Cj0KCQiA", 8);
	for (i = 8; i < n - 1; i++)
		s[i] = set[ev_rand_next(r) >> 58];
	s[n - 1] = '\0';
}

/* Where the session came from: referrer and landing query string. */
static void
session_source(struct ev_rand *r, const double *ref_cum, struct sess *s)
{
	const char *camp = campaigns[ev_rand_below(r, NELEM(campaigns))];
	const struct social *so;
	char gc[33];

	s->ref[0] = '\0';
	s->query[0] = '\0';
	s->ref_kind = (uint8_t)ev_rand_pick(r, ref_cum, NREF);
	switch (s->ref_kind) {
	case R_SEARCH:
		snprintf(s->ref, sizeof(s->ref), "%s",
		    search_refs[ev_rand_below(r, NELEM(search_refs))]);
		break;
	case R_PAID:
		snprintf(s->ref, sizeof(s->ref), "%s", search_refs[0]);
		gclid(r, gc, sizeof(gc));
		snprintf(s->query, sizeof(s->query), "?utm_source=google&"
		    "utm_medium=cpc&utm_campaign=%s&gclid=%s", camp, gc);
		break;
	case R_SOCIAL:
		so = &socials[ev_rand_below(r, NELEM(socials))];
		snprintf(s->ref, sizeof(s->ref), "%s", so->ref);
		if (ev_rand_chance(r, 0.6))
			snprintf(s->query, sizeof(s->query), "?utm_source=%s&"
			    "utm_medium=social&utm_campaign=%s", so->source,
			    camp);
		break;
	case R_EMAIL:
		if (ev_rand_chance(r, 0.5))
			snprintf(s->ref, sizeof(s->ref), "%s",
			    email_refs[ev_rand_below(r, NELEM(email_refs))]);
		snprintf(s->query, sizeof(s->query), "?utm_source=newsletter&"
		    "utm_medium=email&utm_campaign=%s&utm_content=%s", camp,
		    ev_rand_chance(r, 0.5) ? "hero" : "footer");
		break;
	default:
		break;
	}
}

static struct sess *
sess_alloc(struct ev_gen *g)
{
	struct sess *s = g->free_sess;

	if (s != NULL) {
		g->free_sess = s->next_free;
		return s;
	}
	return ev_xmalloc(sizeof(*s));
}

static void
sess_release(struct ev_gen *g, struct sess *s)
{
	s->next_free = g->free_sess;
	g->free_sess = s;
}

/* A session is over: its events calibrate the session rate. */
static void
sess_end(struct ev_gen *g, struct sess *s)
{
	g->done_sessions++;
	g->done_events += (uint64_t)s->n_events;
	sess_release(g, s);
}

static void
sess_start(struct ev_gen *g, ev_us_t t)
{
	struct ev_rand *r = &g->rt;
	struct sess *s = sess_alloc(g);
	const double *f = g->o.funnel;
	int stage;

	s->sid = ev_rand_mix64(g->sess_salt + g->sess_counter++);
	s->user = (uint32_t)ev_zipf_draw(&g->zipf, r);
	user_attrs(g, s->user, &s->a);
	s->ua = user_agent(g, &s->a);
	session_ip(&s->a, ev_rand_next(r), s->ip, sizeof(s->ip));
	session_source(r, g->ref_cum, s);
	s->n_events = 0;
	s->cur_path = NULL;
	s->prev_path = NULL;
	s->clone_type = 0;
	if (s->a.bot) {
		s->pv_left = (int)ev_rand_exp(r, 8);
		s->want_signup = s->want_activate = 0;
		s->purchases_left = 0;
	} else {
		stage = g->stage[s->user - 1];
		s->pv_left = (int)ev_rand_exp(r, 2.5);
		s->want_signup = stage == 0 && ev_rand_chance(r, f[0]);
		s->want_activate = (uint8_t)ev_rand_chance(r, f[1]);
		s->purchases_left = ev_rand_chance(r, f[2]) ?
		    1 + ev_rand_chance(r, 0.2) : 0;
	}
	g->c.sessions++;
	heap_push(g, t, IT_SESSION, s);
}

/* ---- Seasonality ------------------------------------------------------ */

static double
season(struct ev_gen *g, ev_us_t t)
{
	struct ev_tm tm;
	double x, fr;
	int i;

	if (g->o.flat)
		return 1;
	if (t < g->sz_lo || t >= g->sz_hi) {
		ev_tz_local(g->o.tz, t, &tm);
		g->sz_lo = t - ((ev_us_t)tm.min * 60 + tm.sec) * EV_US_PER_SEC -
		    tm.usec;
		g->sz_hi = g->sz_lo + EV_US_PER_HOUR;
		g->sz_hour = tm.hour;
		g->sz_wday = tm.wday;
	}
	/* Linear between the profile's values at the middle of each hour. */
	x = g->sz_hour + (double)(t - g->sz_lo) / EV_US_PER_HOUR - 0.5;
	if (x < 0)
		x += 24;
	i = (int)x;
	fr = x - i;
	return (g->daily[i % 24] * (1 - fr) + g->daily[(i + 1) % 24] * fr) *
	    g->weekly[g->sz_wday];
}

/* ---- Lines ------------------------------------------------------------ */

static void
out(struct ev_gen *g, const char *p, size_t n, ev_us_t when)
{
	int r;

	if (g->stopped)
		return;
	r = g->emit(g->arg, p, n, when);
	if (r >= 0)
		g->c.lines++;
	if (r != 0)
		g->stopped = 1;
}

static void
push_line(struct ev_gen *g, ev_us_t key, const struct ev_buf *b)
{
	struct line_item *li = ev_xmalloc(sizeof(*li) + b->len);

	li->len = b->len;
	memcpy(li->data, b->data, b->len);
	heap_push(g, key, IT_LINE, li);
}

static void
add_amount(struct ev_buf *b, struct ev_rand *r, const double *sku_cum,
    int cur, int *sku)
{
	const struct currency *c = &currencies[cur];
	double usd;
	int64_t v;

	*sku = (int)ev_rand_pick(r, sku_cum, NSKU) + 1;
	usd = price_usd_cents[(*sku * 7) % NELEM(price_usd_cents)] / 100.0;
	if (c->decimals == 0) {
		v = (int64_t)llround(usd * c->per_usd / 10) * 10;
		ev_buf_add_dec(b, (uint64_t)(v > 0 ? v : 10), 1);
		return;
	}
	/* Local prices end in .99. */
	v = (int64_t)llround(usd * c->per_usd) * 100 - 1;
	if (v < 99)
		v = 99;
	ev_buf_add_dec(b, (uint64_t)(v / 100), 1);
	ev_buf_addc(b, '.');
	ev_buf_addc(b, (char)('0' + v % 100 / 10));
	ev_buf_addc(b, (char)('0' + v % 10));
}

/* The event record, keys in the documented order. */
static void
build_line(struct ev_gen *g, struct ev_rand *r, const struct sess *s,
    int type, ev_us_t t, const char **path)
{
	struct ev_buf *b = &g->line;
	int sku, cur;

	ev_buf_reset(b);
	ADDL(b, "{\"event_id\":\"e-");
	add_hex16(b, ev_rand_mix64(g->ev_salt + g->ev_counter++));
	ADDL(b, "\",\"event\":\"");
	ev_buf_adds(b, event_names[type]);
	ADDL(b, "\",\"ts\":\"");
	add_ts(g, b, t);
	ADDL(b, "\",\"user_id\":\"u");
	ev_buf_add_dec(b, s->user, 1);
	ADDL(b, "\",\"session_id\":\"s-");
	add_hex16(b, s->sid);
	ADDL(b, "\",\"version\":\"1-0-0\",\"properties\":{");
	switch (type) {
	case EV_GEN_PAGE_VIEW:
		*path = s->cur_path;
		ADDL(b, "\"path\":\"");
		ev_buf_adds(b, s->cur_path);
		ev_buf_addc(b, '"');
		if (ev_rand_chance(r, 0.85)) {
			ADDL(b, ",\"title\":\"");
			ev_buf_adds(b, s->cur_title);
			ev_buf_addc(b, '"');
		}
		break;
	case EV_GEN_SIGNUP:
		*path = "/signup";
		ADDL(b, "\"method\":\"");
		ev_buf_adds(b, signup_methods[pick(r, g->signup_cum,
		    NELEM(signup_methods))]);
		ev_buf_addc(b, '"');
		break;
	case EV_GEN_ACTIVATION:
		*path = "/onboarding";
		ADDL(b, "\"step\":\"");
		ev_buf_adds(b, activation_steps[pick(r, g->step_cum,
		    NELEM(activation_steps))]);
		ev_buf_addc(b, '"');
		break;
	default:
		*path = "/checkout";
		cur = country_currency[s->a.country];
		ADDL(b, "\"amount\":");
		add_amount(b, r, g->sku_cum, cur, &sku);
		ADDL(b, ",\"currency\":\"");
		ev_buf_adds(b, currencies[cur].code);
		ADDL(b, "\",\"sku\":\"sku-");
		ev_buf_add_dec(b, (uint64_t)sku, 1);
		ev_buf_addc(b, '"');
		break;
	}
	ADDL(b, "},\"context\":{\"platform\":\"");
	ev_buf_adds(b, platform_names[s->a.platform]);
	ADDL(b, "\",\"country\":\"");
	ev_buf_adds(b, country_names[s->a.country]);
	ADDL(b, "\",\"app_version\":\"");
	ev_buf_adds(b, appver_names[s->a.appver]);
	ADDL(b, "\",\"plan\":\"");
	ev_buf_adds(b, plan_names[s->a.plan]);
	ADDL(b, "\",\"ip\":\"");
	ev_buf_adds(b, s->ip);
	ADDL(b, "\",\"user_agent\":\"");
	ev_buf_adds(b, s->ua);
	ADDL(b, "\",\"page_url\":\"" SITE);
	ev_buf_adds(b, *path);
	if (s->n_events == 0) {
		ev_buf_adds(b, s->query);
		if (s->ref[0] != '\0') {
			ADDL(b, "\",\"referrer\":\"");
			ev_buf_adds(b, s->ref);
		}
	} else if (s->prev_path != NULL) {
		ADDL(b, "\",\"referrer\":\"" SITE);
		ev_buf_adds(b, s->prev_path);
	}
	ADDL(b, "\"}}");
}

/* Replace the 16 hex digits of the event id (bad lines get their own). */
#define EVENT_ID_OFF	15

static const char *
find_member(const char *p, size_t n, const char *key, size_t *vlen)
{
	const char *m = memmem(p, n, key, strlen(key)), *v, *e;

	if (m == NULL)
		return NULL;
	v = m + strlen(key);
	if (*v == '"') {
		e = memchr(v + 1, '"', n - (size_t)(v + 1 - p));
		if (e == NULL)
			return NULL;
		*vlen = (size_t)(e + 1 - v);
	} else {
		e = v;
		while (e < p + n && *e != ',' && *e != '}')
			e++;
		*vlen = (size_t)(e - v);
	}
	return v;
}

/* b = src with [off, off + len) replaced by rep. */
static void
splice(struct ev_buf *b, const struct ev_buf *src, size_t off, size_t len,
    const char *rep, size_t replen)
{
	ev_buf_reset(b);
	ev_buf_add(b, src->data, off);
	ev_buf_add(b, rep, replen);
	ev_buf_add(b, src->data + off + len, src->len - off - len);
}

static void
make_bad(struct ev_gen *g, int type, ev_us_t t, ev_us_t when)
{
	struct ev_rand *r = &g->rn;
	struct ev_buf *src = &g->tmp, *b = &g->bad;
	const char *v;
	char rep[64];
	size_t vlen = 0, off, n;
	int kind, choice;
	static const char *const utf8_bad[] = {
		"\xc3\x28", "\xff", "\xe2\x82", "\xed\xa0\x80", "\xc0\xaf"
	};
	static const char *const required[] = {
		"\"event_id\":", "\"event\":", "\"ts\":", "\"user_id\":"
	};
	static const char filler[] = "lorem ipsum dolor sit amet ";

	ev_buf_reset(src);
	ev_buf_add(src, g->line.data, g->line.len);
	{
		struct ev_buf idb = EV_BUF_INIT;
		add_hex16(&idb, ev_rand_mix64(g->bad_salt + g->bad_counter++));
		memcpy(src->data + EVENT_ID_OFF, idb.data, 16);
		ev_buf_free(&idb);
	}
	kind = (int)ev_rand_pick(r, g->bad_cum, EV_GEN_NBAD);
	switch (kind) {
	case EV_GEN_BAD_TRUNCATED:
		n = src->len / 4 + ev_rand_below(r, src->len / 2);
		splice(b, src, n, src->len - n, "", 0);
		break;
	case EV_GEN_BAD_TYPE:
		choice = (int)ev_rand_below(r, type == EV_GEN_PURCHASE ? 3 : 2);
		if (choice == 0) {
			/* ts as epoch milliseconds in a string. */
			v = find_member(src->data, src->len, "\"ts\":", &vlen);
			snprintf(rep, sizeof(rep), "\"%lld\"",
			    (long long)(t / 1000));
		} else if (choice == 1) {
			/* user_id as a number. */
			v = find_member(src->data, src->len, "\"user_id\":",
			    &vlen);
			snprintf(rep, sizeof(rep), "%.*s", (int)vlen - 3,
			    v + 2);
		} else {
			/* amount as a string. */
			v = find_member(src->data, src->len, "\"amount\":",
			    &vlen);
			snprintf(rep, sizeof(rep), "\"%.*s\"", (int)vlen, v);
		}
		splice(b, src, (size_t)(v - src->data), vlen, rep,
		    strlen(rep));
		break;
	case EV_GEN_BAD_MISSING:
		choice = (int)ev_rand_below(r, NELEM(required));
		v = find_member(src->data, src->len, required[choice], &vlen);
		off = (size_t)(v - src->data) - strlen(required[choice]);
		/* The member and its following comma. */
		splice(b, src, off, strlen(required[choice]) + vlen + 1, "",
		    0);
		break;
	case EV_GEN_BAD_UTF8:
		v = memmem(src->data, src->len, SITE, sizeof(SITE) - 1);
		off = (size_t)(v - src->data) + sizeof(SITE) - 1;
		choice = (int)ev_rand_below(r, NELEM(utf8_bad));
		splice(b, src, off, 0, utf8_bad[choice],
		    strlen(utf8_bad[choice]));
		break;
	default:
		/* Valid JSON, but longer than any default --max-line. */
		ev_buf_reset(b);
		ev_buf_add(b, src->data, src->len - 1);
		ADDL(b, ",\"padding\":\"");
		n = LONG_MIN + ev_rand_below(r, 64 * 1024);
		ev_buf_reserve(b, n + 2);
		for (off = 0; off < n; off += sizeof(filler) - 1) {
			size_t k = n - off < sizeof(filler) - 1 ? n - off :
			    sizeof(filler) - 1;
			ev_buf_add(b, filler, k);
		}
		ADDL(b, "\"}");
		break;
	}
	g->c.bad++;
	g->c.bad_kind[kind]++;
	out(g, b->data, b->len, when);
}

/* ---- Events ----------------------------------------------------------- */

/* The product of the factors of the anomalies that apply, and for spikes
 * the earliest end among them (extra events stay inside the window). */
static double
anomaly_factor(const struct ev_gen *g, const struct sess *s, int type,
    ev_us_t t, ev_us_t *end)
{
	const struct ev_gen_anomaly *a;
	double f = 1;
	size_t i;

	*end = INT64_MAX;
	for (i = 0; i < g->o.nanomalies; i++) {
		a = &g->o.anomalies[i];
		if (t < a->start || t >= a->end)
			continue;
		if (a->event >= 0 && a->event != type)
			continue;
		if ((a->filter[EV_GEN_F_PLATFORM] >= 0 &&
		    a->filter[EV_GEN_F_PLATFORM] != s->a.platform) ||
		    (a->filter[EV_GEN_F_COUNTRY] >= 0 &&
		    a->filter[EV_GEN_F_COUNTRY] != s->a.country) ||
		    (a->filter[EV_GEN_F_APP_VERSION] >= 0 &&
		    a->filter[EV_GEN_F_APP_VERSION] != s->a.appver) ||
		    (a->filter[EV_GEN_F_PLAN] >= 0 &&
		    a->filter[EV_GEN_F_PLAN] != s->a.plan))
			continue;
		f *= a->factor;
		if (a->end < *end)
			*end = a->end;
	}
	return f;
}

/*
 * One event of session s at time t.  Returns 1 when it happened, 0 when an
 * anomaly suppressed it.  Clones (extra events of a spike) are drawn from
 * the anomaly stream and are not themselves subject to anomalies.
 */
static int
emit_event(struct ev_gen *g, struct sess *s, int type, ev_us_t t, int clone)
{
	struct ev_rand *r = clone ? &g->ra : &g->rt;
	const char *path = NULL;
	ev_us_t aend = INT64_MAX, key, span;
	double f = 1, extra;
	uint64_t n;

	if (!clone) {
		g->attempts++;
		f = anomaly_factor(g, s, type, t, &aend);
	}
	/*
	 * The line is built even when suppressed, so a drop takes exactly its
	 * events out of the stream and leaves the rest byte for byte as it was
	 * (the user still saw the page: it stays the next referrer).
	 */
	build_line(g, r, s, type, t, &path);
	s->prev_path = path;
	if (f < 1 && !ev_rand_chance(&g->ra, f)) {
		g->c.anomaly_dropped++;
		return 0;
	}
	g->c.events++;
	g->c.by_event[type]++;
	if (clone)
		g->c.anomaly_added++;
	if (g->c.first_ts == 0 || t < g->c.first_ts)
		g->c.first_ts = t;
	if (t > g->c.last_ts)
		g->c.last_ts = t;

	key = t;
	if (ev_rand_chance(&g->rn, g->o.late_frac) && g->o.late_max > 0) {
		key = t + 1 + (ev_us_t)ev_rand_below(&g->rn,
		    (uint64_t)g->o.late_max);
		g->c.late++;
		push_line(g, key, &g->line);
	} else {
		out(g, g->line.data, g->line.len, t);
	}
	if (ev_rand_chance(&g->rn, g->o.dup_frac)) {
		/* A client retry, between 50 ms and 5 s after the send. */
		g->c.dup++;
		push_line(g, key + 50000 + (ev_us_t)ev_rand_below(&g->rn,
		    4950000), &g->line);
	}
	if (ev_rand_chance(&g->rn, g->o.bad_frac))
		make_bad(g, type, t, t);

	if (f > 1) {
		/* A spike: extra events of the same kind, soon after. */
		extra = f - 1;
		n = (uint64_t)extra;
		if (ev_rand_chance(&g->ra, extra - (double)n))
			n++;
		span = aend - t;
		if (span > 30 * EV_US_PER_SEC)
			span = 30 * EV_US_PER_SEC;
		while (n-- > 0) {
			struct sess *c = sess_alloc(g);
			*c = *s;
			c->clone_type = (uint8_t)type;
			heap_push(g, t + (ev_us_t)ev_rand_below(&g->ra,
			    (uint64_t)span), IT_CLONE, c);
		}
	}
	if (g->o.count > 0 && g->c.events >= g->o.count)
		g->gen_done = 1;
	return 1;
}

static void
fire_session(struct ev_gen *g, struct sess *s, ev_us_t t)
{
	struct ev_rand *r = &g->rt;
	uint8_t *stage;
	int type, conv = -1;
	size_t pg;

	if (g->gen_done || (g->o.duration > 0 && t >= g->end)) {
		sess_end(g, s);
		return;
	}
	stage = &g->stage[s->user - 1];
	if (s->want_signup && *stage == 0)
		conv = EV_GEN_SIGNUP;
	else if (s->want_activate && *stage == 1)
		conv = EV_GEN_ACTIVATION;
	else if (s->purchases_left > 0 && *stage == 2)
		conv = EV_GEN_PURCHASE;
	if (s->n_events == 0) {
		type = EV_GEN_PAGE_VIEW;
	} else if (conv >= 0 && (s->pv_left == 0 ||
	    ev_rand_chance(r, 0.4))) {
		type = conv;
	} else if (s->pv_left > 0) {
		type = EV_GEN_PAGE_VIEW;
		s->pv_left--;
	} else {
		sess_end(g, s);
		return;
	}
	if (type == EV_GEN_PAGE_VIEW) {
		pg = pick(r, g->page_cum, NPAGE);
		s->cur_path = pages[pg].path;
		s->cur_title = pages[pg].title;
	}
	if (emit_event(g, s, type, t, 0)) {
		if (type == EV_GEN_SIGNUP)
			*stage = 1;
		else if (type == EV_GEN_ACTIVATION)
			*stage = 2;
	}
	switch (type) {
	case EV_GEN_SIGNUP:
		s->want_signup = 0;
		break;
	case EV_GEN_ACTIVATION:
		s->want_activate = 0;
		break;
	case EV_GEN_PURCHASE:
		s->purchases_left--;
		break;
	}
	s->n_events++;
	heap_push(g, t + 500000 + (ev_us_t)ev_rand_exp(r, 25e6), IT_SESSION,
	    s);
}

/* ---- Life cycle ------------------------------------------------------- */

static void
normalise(const double *in, double *outv, size_t n)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += in[i];
	for (i = 0; i < n; i++)
		outv[i] = in[i] * (double)n / sum;
}

struct ev_gen *
ev_gen_new(const struct ev_gen_opts *o)
{
	struct ev_gen *g = ev_xcalloc(1, sizeof(*g));
	struct ev_buf b = EV_BUF_INIT;
	double w[NSKU];
	size_t i, j, k, v;

	g->o = *o;
	ev_rand_seed(&g->rt, o->seed, STREAM_TRAFFIC);
	ev_rand_seed(&g->rn, o->seed, STREAM_NOISE);
	ev_rand_seed(&g->ra, o->seed, STREAM_ANOMALY);
	g->user_salt = ev_rand_mix64(o->seed ^ UINT64_C(0x7573657273));
	g->ev_salt = ev_rand_mix64(o->seed ^ UINT64_C(0x6576656e7473));
	g->sess_salt = ev_rand_mix64(o->seed ^ UINT64_C(0x73657373696f6e));
	g->bad_salt = ev_rand_mix64(o->seed ^ UINT64_C(0x626164));
	/* Zipf-Mandelbrot: weight 1/(k+20)^s keeps the head from dominating. */
	g->zipf.n = o->users;
	g->zipf.cdf = ev_xreallocarray(NULL, o->users, sizeof(double));
	{
		double sum = 0;
		for (i = 0; i < o->users; i++) {
			sum += pow((double)(i + 21), -o->zipf_s);
			g->zipf.cdf[i] = sum;
		}
	}
	g->stage = ev_xcalloc(o->users, 1);

	ev_rand_cumulate(platform_w, g->plat_cum, NPLATFORM);
	ev_rand_cumulate(country_w, g->country_cum, NCOUNTRY);
	ev_rand_cumulate(appver_w, g->appver_cum, NAPPVER);
	ev_rand_cumulate(plan_w, g->plan_cum, 3);
	for (i = 0; i < NPAGE; i++)
		w[i] = pages[i].w;
	ev_rand_cumulate(w, g->page_cum, NPAGE);
	ev_rand_cumulate(signup_w, g->signup_cum, 4);
	ev_rand_cumulate(step_w, g->step_cum, 3);
	for (i = 0; i < NSKU; i++)
		w[i] = pow((double)(i + 1), -0.8);
	ev_rand_cumulate(w, g->sku_cum, NSKU);
	ev_rand_cumulate(ref_w, g->ref_cum, NREF);
	ev_rand_cumulate(web_ua_w, g->web_ua_cum, NELEM(web_uas));
	for (i = 0; i < EV_GEN_NBAD; i++)
		w[i] = o->bad_kinds & (1u << i) ? bad_weight[i] : 0;
	ev_rand_cumulate(w, g->bad_cum, EV_GEN_NBAD);
	normalise(daily_profile, g->daily, 24);
	normalise(weekly_profile, g->weekly, 7);

	/* App user agents carry the app's version. */
	for (v = 0; v < NAPPVER; v++) {
		k = 0;
		for (i = 0; i < NELEM(ios_devices); i++)
			for (j = 0; j < NELEM(ios_versions); j++) {
				ev_buf_reset(&b);
				ev_buf_printf(&b, "ShopApp/%s (%s; iOS %s; "
				    "Scale/3.00) CFNetwork/1494.0.7 "
				    "Darwin/23.4.0", appver_names[v],
				    ios_devices[i], ios_versions[j]);
				g->ios_ua[v][k++] = ev_xstrdup(b.data);
			}
		g->ios_ua[v][k] = ev_xstrdup(web_uas[7]);
		k = 0;
		for (i = 0; i < NELEM(android_devices); i++)
			for (j = 0; j < NELEM(android_versions); j++) {
				ev_buf_reset(&b);
				ev_buf_printf(&b, "Dalvik/2.1.0 (Linux; U; "
				    "Android %s; %s Build/UP1A.231005.007) "
				    "ShopApp/%s", android_versions[j],
				    android_devices[i], appver_names[v]);
				g->android_ua[v][k++] = ev_xstrdup(b.data);
				ev_buf_reset(&b);
				ev_buf_printf(&b, "Mozilla/5.0 (Linux; "
				    "Android %s; %s) AppleWebKit/537.36 "
				    "(KHTML, like Gecko) "
				    "Chrome/122.0.6261.105 Mobile "
				    "Safari/537.36 ShopApp/%s",
				    android_versions[j], android_devices[i],
				    appver_names[v]);
				g->android_ua[v][k++] = ev_xstrdup(b.data);
			}
	}
	ev_buf_free(&b);

	g->ts_day = INT64_MIN;
	g->sz_lo = g->sz_hi = 0;
	g->end = o->duration > 0 ? o->start + o->duration : INT64_MAX;
	g->next_arrival = o->start;
	g->max_attempts = o->count > 0 ? o->count * 1000 + 1000000 :
	    UINT64_MAX;
	return g;
}

void
ev_gen_free(struct ev_gen *g)
{
	struct sess *s;
	size_t i, v;

	if (g == NULL)
		return;
	for (i = 0; i < g->nheap; i++) {
		if (g->heap[i].kind == IT_LINE)
			free(g->heap[i].p);
		else
			sess_release(g, g->heap[i].p);
	}
	free(g->heap);
	while ((s = g->free_sess) != NULL) {
		g->free_sess = s->next_free;
		free(s);
	}
	for (v = 0; v < NAPPVER; v++) {
		for (i = 0; i < N_IOS_UA; i++)
			free(g->ios_ua[v][i]);
		for (i = 0; i < N_ANDROID_UA; i++)
			free(g->android_ua[v][i]);
	}
	ev_zipf_free(&g->zipf);
	free(g->stage);
	ev_buf_free(&g->line);
	ev_buf_free(&g->tmp);
	ev_buf_free(&g->bad);
	free(g);
}

int
ev_gen_run(struct ev_gen *g, ev_gen_emit_fn emit, void *arg)
{
	struct item it;
	struct line_item *li;
	struct sess *s;
	double eps, rate, mean;

	g->emit = emit;
	g->arg = arg;
	while (!g->stopped) {
		if (!g->gen_done && (g->next_arrival >= g->end ||
		    g->attempts >= g->max_attempts))
			g->gen_done = 1;
		if (g->nheap > 0 && (g->gen_done ||
		    g->heap[0].key <= g->next_arrival)) {
			it = heap_pop(g);
			switch (it.kind) {
			case IT_SESSION:
				fire_session(g, it.p, it.key);
				break;
			case IT_CLONE:
				s = it.p;
				if (!g->gen_done && it.key < g->end)
					emit_event(g, s, s->clone_type,
					    it.key, 1);
				sess_release(g, s);
				break;
			default:
				li = it.p;
				out(g, li->data, li->len, it.key);
				free(li);
				break;
			}
			continue;
		}
		if (g->gen_done)
			break;
		sess_start(g, g->next_arrival);
		/*
		 * Sessions arrive at rate / (events per session), the latter
		 * measured on ended sessions as we go (with a prior), times
		 * the seasonality.
		 */
		eps = ((double)g->done_events + 3.2 * 1000) /
		    ((double)g->done_sessions + 1000);
		rate = g->o.rate / eps * season(g, g->next_arrival);
		mean = 1e6 / (rate > 1e-9 ? rate : 1e-9);
		g->next_arrival += 1 + (ev_us_t)ev_rand_exp(&g->rt, mean);
	}
	return g->stopped;
}

const struct ev_gen_counts *
ev_gen_counts(const struct ev_gen *g)
{
	return &g->c;
}

json_t *
ev_gen_summary(const struct ev_gen *g)
{
	json_t *o = json_object(), *k = json_object(), *e = json_object();
	char buf[EV_TIME_BUFSZ];
	int i;

	json_object_set_new(o, "lines", json_integer((json_int_t)g->c.lines));
	json_object_set_new(o, "events",
	    json_integer((json_int_t)g->c.events));
	for (i = 0; i < EV_GEN_NEVENT; i++)
		json_object_set_new(e, event_names[i],
		    json_integer((json_int_t)g->c.by_event[i]));
	json_object_set_new(o, "by_event", e);
	json_object_set_new(o, "late", json_integer((json_int_t)g->c.late));
	json_object_set_new(o, "dup", json_integer((json_int_t)g->c.dup));
	json_object_set_new(o, "bad", json_integer((json_int_t)g->c.bad));
	for (i = 0; i < EV_GEN_NBAD; i++)
		json_object_set_new(k, bad_names[i],
		    json_integer((json_int_t)g->c.bad_kind[i]));
	json_object_set_new(o, "bad_kinds", k);
	json_object_set_new(o, "sessions",
	    json_integer((json_int_t)g->c.sessions));
	json_object_set_new(o, "anomaly_dropped",
	    json_integer((json_int_t)g->c.anomaly_dropped));
	json_object_set_new(o, "anomaly_added",
	    json_integer((json_int_t)g->c.anomaly_added));
	json_object_set_new(o, "first_ts", g->c.events ?
	    json_string(ev_time_format(g->c.first_ts, 3, buf)) : json_null());
	json_object_set_new(o, "last_ts", g->c.events ?
	    json_string(ev_time_format(g->c.last_ts, 3, buf)) : json_null());
	return o;
}

void
ev_gen_labels(const struct ev_gen *g, struct ev_buf *b)
{
	const struct ev_gen_anomaly *a;
	ev_us_t end, gen_end;
	char buf[EV_TIME_BUFSZ];
	size_t i;
	int f, first;

	if (g->o.duration > 0)
		gen_end = g->o.start + g->o.duration;
	else
		gen_end = ev_time_floor(g->c.last_ts, EV_US_PER_SEC) +
		    EV_US_PER_SEC;
	for (i = 0; i < g->o.nanomalies; i++) {
		a = &g->o.anomalies[i];
		end = a->end;
		if (end == INT64_MAX)
			end = gen_end > a->start ? gen_end : a->start;
		ev_buf_printf(b, "{\"id\":%zu,\"kind\":\"%s\",\"event\":", i + 1,
		    akind_names[a->kind]);
		if (a->event >= 0)
			ev_buf_printf(b, "\"%s\"", event_names[a->event]);
		else
			ADDL(b, "null");
		ADDL(b, ",\"filters\":{");
		first = 1;
		for (f = 0; f < EV_GEN_NFIELD; f++) {
			if (a->filter[f] < 0)
				continue;
			ev_buf_printf(b, "%s\"%s\":\"%s\"", first ? "" : ",",
			    field_names[f], ev_gen_field_values(f)[a->filter[f]]);
			first = 0;
		}
		ev_buf_printf(b, "},\"start\":\"%s\"",
		    ev_time_format(a->start, -1, buf));
		ev_buf_printf(b, ",\"end\":\"%s\",\"factor\":",
		    ev_time_format(end, -1, buf));
		ev_buf_add_num(b, a->factor);
		ADDL(b, "}\n");
	}
}
