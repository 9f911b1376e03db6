/*
 * ev_time.h - event time.  Inside evkit a time is int64 microseconds since
 * the Unix epoch, UTC (ev_us_t).  Parses RFC 3339 with any fraction and
 * offset, epoch seconds or milliseconds as numbers, durations written
 * "250ms 10s 5m 1h 1d 1w" (and combinations such as "1h30m"), and does
 * calendar arithmetic in an IANA time zone, correct across DST changes.
 *
 * Ownership: ev_tz_open returns a new zone, released with ev_tz_free.
 */
#ifndef EV_TIME_H
#define EV_TIME_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

typedef int64_t ev_us_t;

#define EV_US_PER_SEC	INT64_C(1000000)
#define EV_US_PER_MIN	(60 * EV_US_PER_SEC)
#define EV_US_PER_HOUR	(60 * EV_US_PER_MIN)
#define EV_US_PER_DAY	(24 * EV_US_PER_HOUR)
#define EV_TIME_BUFSZ	40
/*
 * The instants evkit accepts: those whose UTC rendering has a four-digit
 * year, 0000-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z.  Anything
 * outside could be read but not written back in RFC 3339.
 */
#define EV_TIME_MIN	(INT64_C(-62167219200) * EV_US_PER_SEC)
#define EV_TIME_MAX	(INT64_C(253402300800) * EV_US_PER_SEC - 1)

/*
 * RFC 3339 date-time: "2026-03-02T10:15:04.120Z", "…+05:30", 't'/'z'/' '
 * accepted as separators, any number of fraction digits (beyond 6 truncated),
 * leap second 60 accepted and folded into the next second.
 * Returns 0 on success, -1 on a malformed time or one outside
 * EV_TIME_MIN..EV_TIME_MAX once the offset is applied.
 */
int	ev_time_parse(const char *s, size_t n, ev_us_t *out);
/*
 * Time from a JSON value: a string in RFC 3339, or a number of epoch seconds
 * (|v| < 1e11) or milliseconds (otherwise).  Returns 0, or -1 when the
 * value is no time or lies outside EV_TIME_MIN..EV_TIME_MAX.
 */
int	ev_time_from_json(const json_t *v, ev_us_t *out);
/*
 * Format as RFC 3339 UTC with "Z".  frac: -1 prints the fraction only when
 * non-zero (3 or 6 digits as needed), 0 never, 3 or 6 always that many.
 * buf must hold EV_TIME_BUFSZ bytes; returns buf.
 */
char	*ev_time_format(ev_us_t t, int frac, char *buf);
/* Current wall-clock time and a monotonic clock, in microseconds. */
ev_us_t	ev_time_now(void);
ev_us_t	ev_time_mono(void);
/*
 * The monotonic clock as the kernel last ticked it (a few milliseconds
 * coarse), a fifth of the cost: for checks made once a record.
 */
ev_us_t	ev_time_mono_coarse(void);

/*
 * Durations: "250ms", "10s", "5m", "1h", "1d", "1w", "1h30m", "0";
 * also "us".  A bare number is seconds.  Returns 0 or -1.
 */
int	ev_duration_parse(const char *s, ev_us_t *out);
/* Shortest spelling, e.g. "1h30m"; buf of EV_TIME_BUFSZ; returns buf. */
char	*ev_duration_format(ev_us_t d, char *buf);

/* The proleptic Gregorian date of a day number (days since 1970-01-01). */
void	ev_time_civil(int64_t days, int *year, int *month, int *day);

/* Floor t to a multiple of step (step > 0), correct for negative t. */
ev_us_t	ev_time_floor(ev_us_t t, ev_us_t step);

/* Calendar in an IANA time zone. */
struct ev_tz;

struct ev_tm {
	int	year, month, day;	/* month 1-12, day 1-31 */
	int	hour, min, sec;
	int	usec;
	int	wday;			/* 0 = Sunday … 6 = Saturday */
	int	yday;			/* 0-365 */
	int	iso_year, iso_week;	/* ISO 8601 week date */
	int	utc_offset;		/* seconds east of UTC */
	int	dst;			/* 1 when daylight saving time */
};

/* Open a zone by IANA name ("UTC", "Europe/Berlin"); NULL if unknown. */
struct ev_tz	*ev_tz_open(const char *name);
void		 ev_tz_free(struct ev_tz *tz);
const char	*ev_tz_name(const struct ev_tz *tz);
/* Broken-down local time of t. */
void	ev_tz_local(const struct ev_tz *tz, ev_us_t t, struct ev_tm *tm);
/*
 * The instant of a local wall-clock time.  For a time skipped by a DST gap
 * the instant after the gap; for a repeated time the earlier instant.
 */
ev_us_t	ev_tz_mktime(const struct ev_tz *tz, int year, int month, int day,
	    int hour, int min, int sec);
/* Local midnight at or before t, and the local midnight n days later. */
ev_us_t	ev_tz_day_start(const struct ev_tz *tz, ev_us_t t);
ev_us_t	ev_tz_add_days(const struct ev_tz *tz, ev_us_t day_start, int n);
/* Start of the local week containing t; week_start 0 = Sunday, 1 = Monday. */
ev_us_t	ev_tz_week_start(const struct ev_tz *tz, ev_us_t t, int week_start);
/* Local date "YYYY-MM-DD" into buf (at least 11 bytes). */
char	*ev_tz_date(const struct ev_tz *tz, ev_us_t t, char *buf);

#endif /* EV_TIME_H */
