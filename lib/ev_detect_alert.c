/* ev_detect_alert.c - alert episodes (see ev_detect_alert.h). */
#include <stdint.h>

#include "ev_detect_alert.h"

void
ev_alert_init(struct ev_alert *a)
{
	a->state = EV_ALERT_INACTIVE;
	a->pending = a->calm = 0;
	a->pending_since = a->started = a->last_sent = 0;
	a->resolved_at = INT64_MIN;
	a->episodes = 0;
}

enum ev_alert_event
ev_alert_step(struct ev_alert *a, const struct ev_alert_params *p,
    int64_t t, int anomalous, int calm)
{
	if (a->state == EV_ALERT_FIRING) {
		if (!calm)
			a->calm = 0;
		else if (++a->calm >= (p->resolve_n < 1 ? 1 : p->resolve_n)) {
			a->state = EV_ALERT_INACTIVE;
			a->pending = a->calm = 0;
			a->resolved_at = t;
			return EV_ALERT_RESOLVED;
		}
		/* Like Alertmanager's repeat_interval: while it fires. */
		if (p->repeat > 0 && t - a->last_sent >= p->repeat) {
			a->last_sent = t;
			return EV_ALERT_REPEATED;
		}
		return EV_ALERT_ONGOING;
	}
	if (!anomalous) {
		a->state = EV_ALERT_INACTIVE;
		a->pending = 0;
		return EV_ALERT_NONE;
	}
	if (a->pending++ == 0)
		a->pending_since = t;
	a->state = EV_ALERT_PENDING;
	if (a->pending < (p->for_n < 1 ? 1 : p->for_n))
		return EV_ALERT_NONE;
	if (a->resolved_at != INT64_MIN && t - a->resolved_at < p->cooldown)
		return EV_ALERT_NONE;
	a->state = EV_ALERT_FIRING;
	a->calm = 0;
	a->started = a->last_sent = t;
	a->episodes++;
	return EV_ALERT_FIRED;
}
