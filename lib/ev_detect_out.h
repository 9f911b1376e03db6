/*
 * ev_detect_out.h - what ev-detect writes: the "anomaly" object added to a
 * record, alert records (--alerts), Alertmanager webhook messages
 * (--format alertmanager), no_data alerts, and the text that explains an
 * alert ("signup −38% vs expected 410±35; by platform: android 97%").
 *
 * A flush of the hold queue (lib/ev_detect_hold.h) scores its entries,
 * then gives each alerting one its summary (ev_detect_out_summary), its
 * explanation by the segments of the same window and, for a segment, its
 * total's figures (ev_detect_out_explain), then writes every entry in
 * order (ev_detect_out_entry) and ends with ev_detect_out_flush.
 *
 * Ownership: the writer borrows the run, the series table, the backtest
 * and the strings it is given for its whole life; it owns the
 * Alertmanager alerts of the current flush and its scratch buffers.
 * Entries and series are borrowed; what is stored in an entry (summary,
 * explain, explanation, total) becomes the entry's.
 */
#ifndef EV_DETECT_OUT_H
#define EV_DETECT_OUT_H

#include <stddef.h>
#include <jansson.h>

#include "ev_buf.h"
#include "ev_detect_backtest.h"
#include "ev_detect_hold.h"
#include "ev_detect_series.h"
#include "ev_run.h"

/*
 * Significant digits of the derived figures of the anomaly object
 * (surprise, expected, lower, upper, magnitude): whole numbers below 10^10
 * print exactly and any other within 5e-11 of its value, far finer than
 * the baseline's own error (the band); the score keeps every digit, so
 * thresholds like 0.999999 separate points and no score reads as 1.
 */
#define EV_DETECT_OUT_DIGITS	10

enum ev_detect_out_mode {
	EV_DETECT_OUT_ANNOTATE,		/* every record, "anomaly" added */
	EV_DETECT_OUT_ALERTS,		/* records that fire, repeat, resolve */
	EV_DETECT_OUT_ALERTMANAGER,	/* one webhook message per flush */
	EV_DETECT_OUT_BACKTEST		/* nothing: episodes to the backtest */
};

struct ev_detect_out {
	enum ev_detect_out_mode mode;
	struct ev_run	*run;
	const struct ev_detect_series_table *series;
	struct ev_backtest *bt;		/* with EV_DETECT_OUT_BACKTEST */
	const char	*value_spec;	/* --value: the Alertmanager metric */
	const char	*time_spec;	/* --time: the time of no_data records */
	double		 critical_pct;	/* --critical-pct */
	json_t		*am;		/* Alertmanager alerts of one flush */
	struct ev_buf	 tmp, anomaly, line;	/* scratch */
	/*
	 * The last warm-up reason written and what it was made of (the
	 * series of one window share it): kind is the score's warming, 0
	 * before the first.
	 */
	int		 why_kind;
	double		 why_seen, why_need;
	char		 why[3 * EV_TIME_BUFSZ];
};

void	ev_detect_out_init(struct ev_detect_out *o);
void	ev_detect_out_release(struct ev_detect_out *o);
/* "signup −38% vs expected 410±35" for a scored entry (new string). */
char	*ev_detect_out_summary(struct ev_detect_out *o,
	    const struct ev_detect_hold_entry *e);
/*
 * When e alerts (fires, repeats, or continues an episode; every anomalous
 * point in annotate mode): explain it by the other scored entries of its
 * window among q[0..n-1] (lib/ev_explain.h), which sets its explain and
 * explanation and extends its summary; and when e is a segment that
 * alerts while its total (the same columns but one) does not, say so in
 * its summary, with the total's figures in e->total.
 */
void	ev_detect_out_explain(struct ev_detect_out *o,
	    struct ev_detect_hold_entry *e, struct ev_detect_hold_entry *q,
	    size_t n);
/*
 * Write a scored (or unscored) entry as the mode says, or count it
 * aggregated; a no_data alert of its series that is firing resolves first.
 */
void	ev_detect_out_entry(struct ev_detect_out *o,
	    struct ev_detect_hold_entry *e);
/* A no_data alert of series s, firing or resolved at stream time at. */
void	ev_detect_out_no_data(struct ev_detect_out *o,
	    const struct ev_detect_series *s, int firing, ev_us_t at);
/*
 * A no_data alert for each series that holds no record, sent nothing for
 * absent_after up to stream time now, and has none firing already.
 */
void	ev_detect_out_absent(struct ev_detect_out *o, ev_us_t now,
	    ev_us_t absent_after);
/*
 * The backtest's report: with labelled, one line per series then the
 * overall one (--label-field); else the report against --labels.
 */
void	ev_detect_out_backtest(struct ev_detect_out *o, int labelled);
/* End of a flush: the Alertmanager message of its alerts, if any. */
void	ev_detect_out_flush(struct ev_detect_out *o);
/* Write one JSON value as a line (steals v). */
void	ev_detect_out_json(struct ev_detect_out *o, json_t *v);

#endif /* EV_DETECT_OUT_H */
