/*
 * ev_evopt.c - the shared options of the event-time journey tools (see
 * ev_evopt.h).
 */
#include <string.h>

#include "ev_evopt.h"

void
ev_evopt_init(struct ev_evopt *o, ev_us_t period)
{
	memset(o, 0, sizeof(*o));
	ev_filter_init(&o->where);
	o->time_field = "ts";
	o->event_field = "event";
	o->user_field = "user_id";
	o->period = period;
}

int
ev_evopt_option(struct ev_evopt *o, struct ev_run *run, int opt,
    const char *arg)
{
	char err[256];

	switch (opt) {
	case 'e':
		o->event_field = arg;
		return 1;
	case 't':
		o->time_field = arg;
		return 1;
	case 'u':
		o->user_field = arg;
		return 1;
	case EV_EVOPT_FINAL_AT_EOF:
		o->final_at_eof = 1;
		return 1;
	case EV_EVOPT_LATE:
		o->late_path = arg;
		return 1;
	case EV_EVOPT_LATENESS:
		o->lateness = ev_run_duration(run, "--lateness", arg, 0);
		return 1;
	case EV_EVOPT_PERIOD:
		o->period = ev_run_duration(run, "--period", arg, 1);
		return 1;
	case EV_EVOPT_WHERE:
		if (ev_filter_add(&o->where, "--where", arg, err,
		    sizeof(err)) != 0)
			ev_run_usage_error(run, "%s", err);
		return 1;
	}
	return 0;
}

void
ev_evopt_compile(struct ev_evopt *o, struct ev_run *run)
{
	const char *errstr;
	char err[256];

	if ((o->tpath = ev_path_compile(o->time_field, &errstr)) == NULL)
		ev_run_usage_error(run, "--time-field: %s", errstr);
	if ((o->epath = ev_path_compile(o->event_field, &errstr)) == NULL)
		ev_run_usage_error(run, "--event-field: %s", errstr);
	if ((o->upath = ev_path_compile(o->user_field, &errstr)) == NULL)
		ev_run_usage_error(run, "--user: %s", errstr);
	if (ev_filter_compile(&o->where, o->tpath, err, sizeof(err)) != 0)
		ev_run_usage_error(run, "%s", err);
}

void
ev_evopt_release(struct ev_evopt *o)
{
	ev_path_free(o->tpath);
	ev_path_free(o->epath);
	ev_path_free(o->upath);
	o->tpath = o->epath = o->upath = NULL;
	ev_filter_free(&o->where);
}

int
ev_evopt_skip(struct ev_evopt *o, struct ev_run *run,
    const struct ev_line *line, const struct ev_rec *rec)
{
	return ev_filter_skip(&o->where, run, line, rec);
}

int
ev_evopt_seen(struct ev_evopt *o, ev_us_t t, ev_us_t *wm)
{
	if (o->has_max && t <= o->max_ts)
		return 0;
	o->has_max = 1;
	o->max_ts = t;
	*wm = t - o->lateness;
	return 1;
}

ev_us_t
ev_evopt_watermark(const struct ev_evopt *o)
{
	return o->max_ts - o->lateness;
}
