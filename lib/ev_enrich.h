/*
 * ev_enrich.h - the enrichment steps of ev-enrich and what they counted.
 *
 * A struct ev_enrich holds every step's configuration, filled in by the
 * program from its options (lookups, calendar, page and campaign,
 * referrer, user agent, geolocation; then the privacy transforms: IP
 * anonymisation, keyed hashing, dropping, the fingerprint).  A record goes
 * through ev_enrich_context, then, if that found nothing to reject,
 * ev_enrich_privacy, so that no context step sees less than the event.
 * A step that cannot apply is counted as failed; with strict, or for a
 * lookup with EV_ENRICH_MISSING_REJECT, it also becomes an error of the
 * record's reject.
 *
 * Ownership: the struct owns everything it points to once the program has
 * put it there (lookup tables, the time zone, the referer, user-agent and
 * geo databases, the key, the paths and the internal domains, all freed by
 * ev_enrich_free).  Members are added to a record as JSON text
 * (ev_rec_add_raw), cached by what they depend on: a change to one later
 * works on a parse of its own, never on a lookup row.
 */
#ifndef EV_ENRICH_H
#define EV_ENRICH_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "ev_buf.h"
#include "ev_geo.h"
#include "ev_lookup.h"
#include "ev_path.h"
#include "ev_privacy.h"
#include "ev_rec.h"
#include "ev_tcache.h"
#include "ev_time.h"
#include "ev_ua.h"
#include "ev_url.h"

#define EV_ENRICH_MAX_LOOKUPS	16
#define EV_ENRICH_MAX_FIELDS	32
/* Slots of each cache of member text (under 1 MB between them). */
#define EV_ENRICH_CACHE_SLOTS	1024

/* What happened to one enrichment over the run (for --stats). */
struct ev_enrich_count {
	const char	*name;
	uint64_t	 applied;	/* fields added or changed */
	uint64_t	 present;	/* output already there: left alone */
	uint64_t	 absent;	/* source field absent */
	uint64_t	 failed;	/* could not apply (counted or rejected) */
};

/* What a lookup does when no row matches (--lookup-missing). */
enum ev_enrich_missing {
	EV_ENRICH_MISSING_KEEP,
	EV_ENRICH_MISSING_NULL,
	EV_ENRICH_MISSING_REJECT
};

/* A list of fields (--hash, --drop, --fingerprint-exclude). */
struct ev_enrich_fields {
	struct ev_path	*p[EV_ENRICH_MAX_FIELDS];
	size_t		 n;
};

struct ev_enrich {
	int		 strict;
	struct ev_path	*time_path;
	/* lookups */
	struct ev_lookup *lk[EV_ENRICH_MAX_LOOKUPS];
	struct ev_enrich_count lk_count[EV_ENRICH_MAX_LOOKUPS];
	size_t		 nlk;
	enum ev_enrich_missing missing;
	/* calendar */
	int		 calendar;
	struct ev_tz	*tz;
	struct ev_enrich_count cal_count;
	/* page and campaign */
	int		 campaign;
	struct ev_path	*page_path;
	struct ev_enrich_count page_count;
	/* referrer */
	int		 referrer;
	struct ev_path	*ref_path;
	struct ev_referer_db *refdb;
	char		**internal;
	size_t		 ninternal;
	struct ev_enrich_count ref_count;
	/* user agent */
	int		 ua_on;
	struct ev_ua	*ua;
	struct ev_path	*ua_path;
	struct ev_enrich_count ua_count;
	/* geo */
	struct ev_geo	*geo;
	struct ev_path	*ip_path;
	struct ev_enrich_count geo_count;
	/* privacy */
	struct ev_enrich_fields hash;
	unsigned char	*key;
	size_t		 keylen;
	struct ev_enrich_count hash_count;
	int		 anon_ip, anon_octets, anon_segments;
	struct ev_enrich_count anon_count;
	struct ev_enrich_fields drop;
	struct ev_enrich_count drop_count;
	int		 fingerprint;
	struct ev_enrich_fields fp_exclude;
	struct ev_enrich_count fp_count;
	/* The JSON text of members added before, by their source. */
	struct ev_tcache *lk_cache[EV_ENRICH_MAX_LOOKUPS];	/* by row */
	struct ev_tcache *page_cache;	/* page and campaign, by URL */
	struct ev_tcache *ref_cache;	/* referrer, by URL and page host */
	struct ev_tcache *geo_cache;	/* geo, by address */
	struct ev_tcache *anon_cache;	/* --anon-ip's IPv6 result, by address */
	/* per record */
	json_t		*errors;
	struct ev_buf	 scratch;
	struct ev_buf	 text;		/* a member's text being written */
	struct ev_buf	 ckey;		/* a cache key being built */
};

/*
 * Zero e and set the defaults: the fields ts, context.page_url,
 * context.referrer, context.user_agent and context.ip; --anon-octets 1,
 * --anon-segments 5.
 */
void	ev_enrich_init(struct ev_enrich *e);
/*
 * The context steps that are on, in order, on rec.  Returns the errors of
 * the record's reject (a new reference), or NULL when it goes on.
 */
json_t	*ev_enrich_context(struct ev_enrich *e, struct ev_rec *rec);
/* The privacy steps and the fingerprint; returns as ev_enrich_context. */
json_t	*ev_enrich_privacy(struct ev_enrich *e, struct ev_rec *rec);
/*
 * Reload the lookup tables that changed on disk (every one when force),
 * saying on stderr what was reloaded or kept.
 */
void	ev_enrich_reload(struct ev_enrich *e, int force);
/* The counts of the steps that are on, for --stats.  New reference. */
json_t	*ev_enrich_stats(const struct ev_enrich *e);
void	ev_enrich_free(struct ev_enrich *e);

#endif /* EV_ENRICH_H */
