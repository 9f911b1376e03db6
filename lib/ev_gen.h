/*
 * ev_gen.h - the synthetic product-traffic model behind ev-gen.
 *
 * Users (activity drawn Zipf-like by rank), sessions of several events, a
 * funnel page_view -> signup -> activation -> purchase kept in order per
 * user, daily and weekly seasonality in a time zone, fixed segment shares
 * (platform, country, app_version, plan), realistic properties and context,
 * plus the noise a real feed carries (late events, duplicate retries,
 * malformed lines) and injected anomalies with their ground truth.
 *
 * Everything is deterministic for a given struct ev_gen_opts: the same
 * options give the same bytes.  Separate random streams drive traffic,
 * noise and anomalies, so turning noise on leaves the traffic unchanged.
 *
 * Simulated time runs as fast as the caller consumes lines; each line comes
 * with its emission time so a caller can pace output to the wall clock.
 *
 * Ownership: ev_gen_new copies what it needs from the options except the
 * time zone and the anomaly array, which are borrowed and must outlive the
 * generator.  Lines passed to the emit callback are borrowed for the call.
 * ev_gen_anomaly_parse fills a struct whose strings are owned by it
 * (ev_gen_anomaly_release).
 */
#ifndef EV_GEN_H
#define EV_GEN_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "ev_buf.h"
#include "ev_time.h"

enum ev_gen_event {
	EV_GEN_PAGE_VIEW,
	EV_GEN_SIGNUP,
	EV_GEN_ACTIVATION,
	EV_GEN_PURCHASE,
	EV_GEN_NEVENT
};

/* Kinds of malformed line (--bad-kinds). */
enum ev_gen_bad {
	EV_GEN_BAD_TRUNCATED,	/* JSON cut off part-way */
	EV_GEN_BAD_TYPE,	/* ts a digit string, amount a string, user_id a number */
	EV_GEN_BAD_MISSING,	/* a required member removed */
	EV_GEN_BAD_UTF8,	/* invalid UTF-8 bytes inside a string */
	EV_GEN_BAD_LONG,	/* a line over 1 MiB */
	EV_GEN_NBAD
};

/* Context fields an anomaly can filter on. */
enum ev_gen_field {
	EV_GEN_F_PLATFORM,
	EV_GEN_F_COUNTRY,
	EV_GEN_F_APP_VERSION,
	EV_GEN_F_PLAN,
	EV_GEN_NFIELD
};

enum ev_gen_akind {
	EV_GEN_DROP,		/* factor in [0, 1) for a while */
	EV_GEN_SPIKE,		/* factor > 1 for a while */
	EV_GEN_SHIFT,		/* factor != 1 from start on (to end if given) */
	EV_GEN_OUTAGE		/* factor 0 for one segment */
};

struct ev_gen_anomaly {
	enum ev_gen_akind kind;
	int		 event;			/* enum ev_gen_event, or -1: any */
	int		 filter[EV_GEN_NFIELD];	/* value index, or -1: any */
	ev_us_t		 start;
	ev_us_t		 end;			/* INT64_MAX: to the end */
	double		 factor;
};

/*
 * Parse "KIND:key=value,..." (keys event, platform, country, app_version,
 * plan, at, for, factor).  at is RFC 3339 or "+DUR" after base.  Returns 0,
 * or -1 with a message in err.
 */
int	ev_gen_anomaly_parse(const char *spec, ev_us_t base,
	    struct ev_gen_anomaly *a, char *err, size_t errlen);
const char *ev_gen_akind_name(enum ev_gen_akind k);

/* Names: "page_view" ..., "truncated" ...; lookups return -1 if unknown. */
const char *ev_gen_event_name(int e);
int	    ev_gen_event_lookup(const char *s, size_t n);
const char *ev_gen_bad_name(int k);
int	    ev_gen_bad_lookup(const char *s, size_t n);
const char *ev_gen_field_name(int f);
/* The value names of a field (NULL-terminated list, borrowed). */
const char *const *ev_gen_field_values(int f);

struct ev_gen_opts {
	uint64_t	 seed;
	ev_us_t		 start;
	ev_us_t		 duration;	/* 0: unlimited */
	uint64_t	 count;		/* events; 0: unlimited */
	double		 rate;		/* mean events per second over a week */
	size_t		 users;
	double		 zipf_s;
	const struct ev_tz *tz;		/* seasonality's local time (borrowed) */
	int		 flat;		/* no seasonality */
	double		 funnel[3];	/* per-session signup, activation, purchase */
	double		 late_frac;
	ev_us_t		 late_max;
	double		 dup_frac;
	double		 bad_frac;
	unsigned	 bad_kinds;	/* bit mask of 1 << enum ev_gen_bad */
	const struct ev_gen_anomaly *anomalies;	/* borrowed */
	size_t		 nanomalies;
};

/* Defaults: seed 1, start 2026-03-02T00:00:00Z, 1 event/s, 10000 users... */
void	ev_gen_opts_init(struct ev_gen_opts *o);

struct ev_gen_counts {
	uint64_t	 lines;		/* every line emitted */
	uint64_t	 events;	/* distinct well-formed events */
	uint64_t	 by_event[EV_GEN_NEVENT];
	uint64_t	 late;		/* events emitted after later ones */
	uint64_t	 dup;		/* extra copies with the same event_id */
	uint64_t	 bad;		/* malformed lines */
	uint64_t	 bad_kind[EV_GEN_NBAD];
	uint64_t	 sessions;
	uint64_t	 anomaly_dropped;	/* events an anomaly suppressed */
	uint64_t	 anomaly_added;		/* events a spike or shift added */
	ev_us_t		 first_ts, last_ts;	/* event time range (0: none) */
};

/*
 * Returns 0 when the line was written, 1 when it was written and the run
 * should stop, -1 when it was not written and the run should stop.
 */
typedef int (*ev_gen_emit_fn)(void *arg, const char *line, size_t len,
	    ev_us_t when);

struct ev_gen;

struct ev_gen	*ev_gen_new(const struct ev_gen_opts *o);
void		 ev_gen_free(struct ev_gen *g);
/*
 * Generate, calling emit for every line in emission order, until the
 * duration or count is reached and everything pending is out, or emit
 * returns nonzero.  Returns 0 when done, 1 when stopped.
 */
int		 ev_gen_run(struct ev_gen *g, ev_gen_emit_fn emit, void *arg);
const struct ev_gen_counts *ev_gen_counts(const struct ev_gen *g);
/* The counts as a JSON object (new reference). */
json_t		*ev_gen_summary(const struct ev_gen *g);
/*
 * The ground-truth labels, one NDJSON line per anomaly, appended to b.  An
 * open-ended shift ends where generation ended.
 */
void		 ev_gen_labels(const struct ev_gen *g, struct ev_buf *b);

#endif /* EV_GEN_H */
