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
 * Labelled series (a label on every point, e.g. the TimeStamp,Value,Label
 * corpora): each series' points are recorded with their label and whether
 * an episode fired there, and scored at the end by the rules of the
 * Numenta Anomaly Benchmark (lib/ev_nab.h): per series and overall, the
 * NAB-style score for the three profiles, windows detected, episodes
 * inside and outside the windows (precision, recall, F1 of events), the
 * mean delay from a labelled run's first point to the first episode in its
 * window (0 when it fired earlier, inside the window), and false episodes
 * per series-week.
 *
 * Ownership: ev_backtest_new returns a new object (ev_backtest_free);
 * ev_backtest_episode, ev_backtest_series borrow their arguments;
 * ev_backtest_report and ev_backtest_series_report return new references.
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

/* A new labelled series with group columns cols; returns its index. */
size_t	ev_backtest_series(struct ev_backtest *bt, const json_t *cols);
/* The next point of labelled series idx: its time, label and detection. */
void	ev_backtest_point(struct ev_backtest *bt, size_t idx, ev_us_t t,
	    int label, int detected);
/* Labelled series recorded so far. */
size_t	ev_backtest_nseries(const struct ev_backtest *bt);
/* One series' figures ({"backtest_series":{…}}), and all of them. */
json_t	*ev_backtest_series_report(struct ev_backtest *bt, size_t idx);
json_t	*ev_backtest_labelled_report(struct ev_backtest *bt);

#endif /* EV_DETECT_BACKTEST_H */
