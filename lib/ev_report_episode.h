/*
 * ev_report_episode.h - alert episodes (incidents) of one metric, from the
 * anomalous points and "resolved" records ev-report keeps.
 *
 * ev-detect writes an episode as points: in annotated output every point
 * of it carries "status":"firing" and the same "since" (when it started
 * pending), the first calm point "status":"resolved"; with --alerts only
 * the first point, repeats and the resolution are written.  A report
 * lists each episode once: its start, its end or that it is still going
 * on, its length, its peak deviation, its severity and the explanation of
 * its peak.  Anomalies without a status (a score only) make an episode of
 * each run of adjacent anomalous windows of a series.
 *
 * Ownership: the alerts are the caller's and are borrowed; the array
 * returned is a new reference.
 */
#ifndef EV_REPORT_EPISODE_H
#define EV_REPORT_EPISODE_H

#include <stdint.h>
#include <jansson.h>

#include "ev_time.h"

struct ev_report_alert {
	ev_us_t		 t, end;	/* the window (end > t) */
	uint32_t	 series;	/* series index */
	const char	*name;		/* "event=signup,..." */
	const json_t	*labels;	/* {"event":"signup",...} */
	double		 value;		/* metric value or NaN */
	const json_t	*a;		/* the anomaly object */
	int		 resolved;	/* a "resolved" record */
	ev_us_t		 last;		/* series' last end */
};

/*
 * Group the alerts (reordered in place) into episodes and return them as
 * a JSON array ordered by start and series.  Each has "series",
 * "labels", "start", "end" (null while "ongoing"), "ongoing", "duration"
 * ("3h"), "seconds", "points" (anomalous points seen), "peak_at" and,
 * from that point, "value", "expected", "lower", "upper", "deviation"
 * (fraction of expected, null when expected is 0) and "direction"; the
 * highest "score" and "severity" of its points, "fingerprint", "summary"
 * and "explain" (of the peak, else of the first point that has one).
 */
json_t	*ev_report_episodes(struct ev_report_alert *al, size_t n);

#endif /* EV_REPORT_EPISODE_H */
