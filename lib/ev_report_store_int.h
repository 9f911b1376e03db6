/*
 * ev_report_store_int.h - the inside of ev-report's store, shared by the
 * files that fill it (ev_report_store.c, ev_report_trim.c) and the ones
 * that build the model from it (ev_report_metric.c, ev_report_build.c).
 * Nothing outside those four includes it, but for their unit tests.
 *
 * The store keeps, per record, its time, its series and its metric values
 * (and the expected band when ev-detect annotated it); records carrying an
 * anomaly are listed apart.  The builder sorts the records by series and
 * time once; a later record for the same series and time replaces the
 * earlier one (ev-window's updates, or the same window seen twice), and
 * records at different times falling into one point are summed (--step).
 *
 * Ownership: the store owns every pointer in it (names, keys, labels and
 * the anomaly objects, one reference each).  A builder borrows its store.
 */
#ifndef EV_REPORT_STORE_INT_H
#define EV_REPORT_STORE_INT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "ev_buf.h"
#include "ev_map.h"
#include "ev_path.h"
#include "ev_report_opts.h"

struct ev_report_pair {
	uint32_t	name;
	double		v;
};

struct ev_report_entry {
	ev_us_t		t, end;		/* end == t when the record has none */
	uint64_t	id;		/* arrival number among stored records */
	uint32_t	series;
	uint32_t	npairs;
	size_t		poff;
	int32_t		band;		/* index in the store's bands, -1 none */
	int		partial;	/* "final": false: a window cut short */
};

/*
 * The expected band of an annotated record (its anomaly object's), kept
 * apart: most records have none.
 */
struct ev_report_band {
	int32_t		name;		/* name the band is for, -1 none */
	double		exp, lo, hi;
};

/*
 * A member of a record kept whole, tied to the record's entry: an
 * anomaly object, a "resolved" alert's object, a top(field, N) list.
 */
struct ev_report_obj {
	size_t		 entry;
	int32_t		 name;		/* the metric it is of, -1 none */
	json_t		*a;		/* the value (own reference) */
};

struct ev_report_series {
	char		*key;		/* internal identity */
	size_t		 keylen;
	json_t		*labels;	/* {"event":"signup",...} */
	size_t		 nlabels;
};

struct ev_report_name {
	char		*s;
	int		 is_metric;
	int		 additive;	/* -1: from the name; 0 or 1: a record said */
	int		 top;		/* values are top(field, N) lists */
};


/* The last time text parsed, and what it gave (ev_report_store.c). */
struct rep_tcache {
	char		text[40];
	size_t		len;		/* 0: none */
	ev_us_t		t;
	int		rc;
};

/*
 * The top-level keys of the last record walked and what they say, for
 * the next record with the same keys in the same order (ev_report_store.c).
 */
#define REP_MAXMEM	64		/* members walked; more: the document */
struct rep_shape {
	int		valid;
	size_t		nm;
	char		keys[512];	/* the keys, one after the other */
	size_t		klen[REP_MAXMEM];
	char		reserved[REP_MAXMEM];
	int32_t		name[REP_MAXMEM];	/* interned name, -1 not yet */
	unsigned char	order[REP_MAXMEM];	/* members by key */
	int		tpos, endpos, finalpos, anompos;	/* -1 none */
};

struct ev_report_store {
	struct ev_report_opts	 o;
	size_t			 tflen;		/* strlen(o.time_field) */
	const char		*tkey;		/* top-level time member, or NULL */
	size_t			 tkeylen;
	struct rep_tcache	 tcache[2];	/* start, end */
	struct rep_shape	 shape;
	struct ev_path		*time_path;
	struct ev_path	       **by_path;
	struct ev_report_entry	*ent;
	size_t			 nent, capent;
	struct ev_report_pair	*pair;
	size_t			 npair, cappair;
	struct ev_report_band	*band;
	size_t			 nband, capband;
	struct ev_report_obj	*anom;
	size_t			 nanom, capanom;
	struct ev_report_obj	*res;		/* "resolved" alert records */
	size_t			 nres, capres;
	struct ev_report_obj	*tops;
	size_t			 ntop, captop;
	struct ev_report_series	*ser;
	size_t			 nser, capser;
	struct ev_map		 sermap;	/* key -> index in ser */
	struct ev_report_name	*name;
	size_t			 nname, capname;
	char		       **byname;	/* discovered group columns */
	size_t			 nbyname, capbyname;
	json_t			*stages;
	struct ev_buf		 scratch;
	uint64_t		 nadded;	/* records ever stored */
};

/*
 * The numbers of a build's point arrays, shared: a point's value is
 * looked up by its bits, and a value met again is one more reference to
 * the same json_real (counts repeat a lot), not a new one.  Direct-mapped,
 * EV_REPORT_NUMC slots; each slot holds one reference.
 */
#define EV_REPORT_NUMC	4096
struct ev_report_numc {
	uint64_t	 bits[EV_REPORT_NUMC];
	json_t		*v[EV_REPORT_NUMC];
};

/* One build of the model from a store. */

struct ev_report_builder {
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
	struct ev_report_numc	*numc;		/* the point arrays' numbers */
};

/* The end of an entry's window (its time when it has none). */
ev_us_t	ev_report_entry_end(const struct ev_report_entry *e);
/*
 * Sort the entry numbers v (n of them) by series (unless by_time), time
 * and arrival; stable.
 */
void	ev_report_entry_sort(const struct ev_report_entry *ent, size_t *v,
	    size_t n, int by_time);
/*
 * The records' first time, last end and the grid's step: the shortest
 * window, else the smallest gap between two records of a series, else a
 * minute; at least --step.  ord lists the entries by series and time; NULL
 * sorts them here when the gaps are needed.
 */
void	ev_report_store_span(const struct ev_report_store *s,
	    const size_t *ord, ev_us_t *tmin, ev_us_t *tmax, ev_us_t *step);
/* The report's range from the records' span and the options. */
void	ev_report_store_range(const struct ev_report_store *s, ev_us_t tmin,
	    ev_us_t tmax, ev_us_t *since, ev_us_t *until);
/*
 * The model of metric m of a build (new reference), adding its anomalies
 * to *nanom; ev_report_build_top for a metric of top(field, N) lists.
 */
json_t	*ev_report_build_metric(struct ev_report_builder *B, size_t m,
	    size_t *nanom);
json_t	*ev_report_build_top(const struct ev_report_builder *B, size_t m);

#endif /* EV_REPORT_STORE_INT_H */
