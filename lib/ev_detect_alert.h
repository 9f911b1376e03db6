/*
 * ev_detect_alert.h - alert episodes for one series: a point that scores at
 * or above the threshold is pending; after `for_n` pending points in a row
 * the episode fires; while it fires nothing more is said except a repeat
 * every `repeat` (0: never); it resolves after `resolve_n` points in a row
 * score below the (lower) resolve threshold, which is the hysteresis that
 * keeps a borderline series from flapping; after a resolution no episode
 * fires for `cooldown`.  Times are int64 microseconds; the module keeps no
 * clock of its own.
 *
 * Ownership: plain structs, nothing allocated.
 */
#ifndef EV_DETECT_ALERT_H
#define EV_DETECT_ALERT_H

#include <stdint.h>

struct ev_alert_params {
	int	for_n;		/* pending points before firing (>= 1) */
	int	resolve_n;	/* calm points before resolving (>= 1) */
	int64_t	cooldown;	/* quiet time after a resolution */
	int64_t	repeat;		/* re-announce a firing episode this often */
};

enum ev_alert_state { EV_ALERT_INACTIVE, EV_ALERT_PENDING, EV_ALERT_FIRING };

/* What one point did to the episode. */
enum ev_alert_event {
	EV_ALERT_NONE,		/* nothing to say */
	EV_ALERT_FIRED,		/* a new episode starts firing */
	EV_ALERT_REPEATED,	/* a firing episode re-announced */
	EV_ALERT_ONGOING,	/* a firing episode continues (not announced) */
	EV_ALERT_RESOLVED	/* the episode ended with this point */
};

struct ev_alert {
	enum ev_alert_state state;
	int	pending, calm;
	int64_t	pending_since;	/* time of the first pending point */
	int64_t	started;	/* time the episode fired */
	int64_t	last_sent;
	int64_t	resolved_at;	/* INT64_MIN: never */
	int64_t	episodes;	/* episodes fired so far */
};

void	ev_alert_init(struct ev_alert *a);
/*
 * One point at time t: anomalous when its score reached the threshold (and
 * any volume floor), calm when it stayed below the resolve threshold (an
 * unscored point is calm).  Returns what happened.
 */
enum ev_alert_event ev_alert_step(struct ev_alert *a,
	    const struct ev_alert_params *p, int64_t t, int anomalous,
	    int calm);

#endif /* EV_DETECT_ALERT_H */
