/*
 * ev_detect_backtest.h - score alert episodes against ground truth: ev-gen's
 * label file (one NDJSON object per injected anomaly: id, kind, event,
 * filters, start, end, factor).
 *
 * An episode matches a label when the series it fired on is affected by the
 * label (same event; every group column the label filters on has the
 * label's value; a column the label does not filter on is a wider total and
 * matches) and it fired between the label's start minus one step and its
 * end plus `grace`.  Precision counts matching episodes, recall detected
 * labels; the delay of a label is from its start to the end of the first
 * matching window (when the alert could be known).  For outages the report
 * says how many were alerted on at all, how many were named right by the
 * first alert(s) about them (every episode of the earliest alerting window
 * is on the outage segment itself, or on a total whose first explanation
 * is that segment), and, of the alerts on totals, how many fired and how
 * many named the segment first.
 *
 * Ownership: ev_backtest_new returns a new object (ev_backtest_free);
 * ev_backtest_episode borrows its arguments; ev_backtest_report returns a
 * new reference.
 */
#ifndef EV_DETECT_BACKTEST_H
#define EV_DETECT_BACKTEST_H

#include <stddef.h>
#include <jansson.h>

#include "ev_time.h"

struct ev_backtest;

struct ev_backtest *ev_backtest_new(void);
void	ev_backtest_free(struct ev_backtest *bt);
/* Read the label file; 0, or -1 with errbuf ("file:line: problem"). */
int	ev_backtest_load(struct ev_backtest *bt, const char *path,
	    char *errbuf, size_t errlen);
/*
 * One episode fired on the series with group columns `cols` (an object of
 * strings) at window start `fired`, known at `known` (window end); `top` is
 * the first explain entry ({"platform":"android","share":…}) or NULL.
 */
void	ev_backtest_episode(struct ev_backtest *bt, const json_t *cols,
	    ev_us_t fired, ev_us_t known, const json_t *top);
/* Widen the span of scored time (for alerts per day). */
void	ev_backtest_span(struct ev_backtest *bt, ev_us_t start, ev_us_t end);
/*
 * The metrics: labels with |factor - 1| >= min_magnitude count (others are
 * neither needed for recall nor false when alerted on).
 */
json_t	*ev_backtest_report(struct ev_backtest *bt, double min_magnitude,
	    ev_us_t grace);

#endif /* EV_DETECT_BACKTEST_H */
