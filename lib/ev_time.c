/*
 * ev_time.c - RFC 3339 and epoch times, durations, and calendar arithmetic in
 * IANA time zones.
 *
 * Time zones go through the C library (TZ, tzset, localtime_r, mktime) so the
 * system's tzdata is the single source of DST rules.  The process has one TZ
 * at a time: each zone call sets TZ only when it differs from the current
 * value, so a program using one zone pays for tzset once.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ev_common.h"
#include "ev_time.h"

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
ev_time_civil(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

/* Read exactly n digits at *p. */
static int
digits(const char **p, const char *end, int n, int *out)
{
	int v = 0;

	if (end - *p < n)
		return -1;
	while (n-- > 0) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	*out = v;
	return 0;
}

/*
 * Store t when ev_time_format can write it back (a four-digit year); an
 * offset or a leap second can carry 9999-12-31 into year 10000 and
 * 0000-01-01 into year -1, and epoch numbers reach far beyond both.
 */
static int
in_range(ev_us_t t, ev_us_t *out)
{
	if (t < EV_TIME_MIN || t > EV_TIME_MAX)
		return -1;
	*out = t;
	return 0;
}

int
ev_time_parse(const char *s, size_t n, ev_us_t *out)
{
	const char *p = s, *end = s + n;
	int y, mo, d, h = 0, mi = 0, sec = 0, oh, om, sign;
	int64_t us = 0, off = 0, days;

	if (digits(&p, end, 4, &y) || p == end || *p++ != '-' ||
	    digits(&p, end, 2, &mo) || p == end || *p++ != '-' ||
	    digits(&p, end, 2, &d))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return -1;
	if (p == end)
		goto done;	/* a bare date: midnight UTC */
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	if (digits(&p, end, 2, &h) || p == end || *p++ != ':' ||
	    digits(&p, end, 2, &mi))
		return -1;
	if (p < end && *p == ':') {
		p++;
		if (digits(&p, end, 2, &sec))
			return -1;
		if (p < end && (*p == '.' || *p == ',')) {
			int nd = 0;

			p++;
			if (p == end || !isdigit((unsigned char)*p))
				return -1;
			while (p < end && isdigit((unsigned char)*p)) {
				if (nd < 6) {
					us = us * 10 + (*p - '0');
					nd++;
				}
				p++;
			}
			while (nd++ < 6)
				us *= 10;
		}
	}
	if (h > 23 || mi > 59 || sec > 60)
		return -1;
	if (p == end)
		return -1;	/* a time needs its offset */
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (digits(&p, end, 2, &oh))
			return -1;
		if (p < end && *p == ':')
			p++;
		if (digits(&p, end, 2, &om) || oh > 23 || om > 59)
			return -1;
		off = sign * ((int64_t)oh * 3600 + om * 60);
	} else {
		return -1;
	}
	if (p != end)
		return -1;
done:
	days = days_from_civil(y, mo, d);
	return in_range(((days * 86400 + h * 3600 + mi * 60 + sec) - off) *
	    EV_US_PER_SEC + us, out);
}

int
ev_time_from_json(const json_t *v, ev_us_t *out)
{
	double x;

	if (json_is_string(v))
		return ev_time_parse(json_string_value(v),
		    json_string_length(v), out);
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);

		if (i > -100000000000LL && i < 100000000000LL)
			return in_range((ev_us_t)i * EV_US_PER_SEC, out);
		/* Milliseconds: out of range before the product overflows. */
		if (i > -100000000000000LL && i < 100000000000000000LL &&
		    i >= EV_TIME_MIN / 1000 && i <= EV_TIME_MAX / 1000)
			return in_range((ev_us_t)i * 1000, out);
		return -1;
	}
	if (json_is_real(v)) {
		x = json_real_value(v);
		if (!isfinite(x))
			return -1;
		if (fabs(x) < 1e11)
			x *= 1e6;
		else if (fabs(x) < 1e17)
			x *= 1e3;
		else
			return -1;
		/* llround of a value beyond int64 is unspecified. */
		if (x < (double)EV_TIME_MIN || x > (double)EV_TIME_MAX)
			return -1;
		return in_range((ev_us_t)llround(x), out);
	}
	return -1;
}

char *
ev_time_format(ev_us_t t, int frac, char *buf)
{
	int64_t secs = t / EV_US_PER_SEC, us = t % EV_US_PER_SEC, days, rem;
	int y, m, d, n;

	if (us < 0) {
		us += EV_US_PER_SEC;
		secs--;
	}
	days = secs / 86400;
	rem = secs % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	ev_time_civil(days, &y, &m, &d);
	n = snprintf(buf, EV_TIME_BUFSZ, "%04d-%02d-%02dT%02d:%02d:%02d", y, m,
	    d, (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
	if (frac == -1 && us != 0)
		frac = us % 1000 == 0 ? 3 : 6;
	if (frac == 3)
		n += snprintf(buf + n, (size_t)(EV_TIME_BUFSZ - n), ".%03d",
		    (int)(us / 1000));
	else if (frac == 6)
		n += snprintf(buf + n, (size_t)(EV_TIME_BUFSZ - n), ".%06d",
		    (int)us);
	snprintf(buf + n, (size_t)(EV_TIME_BUFSZ - n), "Z");
	return buf;
}

ev_us_t
ev_time_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (ev_us_t)ts.tv_sec * EV_US_PER_SEC + ts.tv_nsec / 1000;
}

ev_us_t
ev_time_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ev_us_t)ts.tv_sec * EV_US_PER_SEC + ts.tv_nsec / 1000;
}

ev_us_t
ev_time_mono_coarse(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) != 0)
		return ev_time_mono();
	return (ev_us_t)ts.tv_sec * EV_US_PER_SEC + ts.tv_nsec / 1000;
}

int
ev_duration_parse(const char *s, ev_us_t *out)
{
	const char *p = s;
	double total = 0;
	int any = 0;

	if (s == NULL || *s == '\0')
		return -1;
	while (*p) {
		char *end;
		double v;
		ev_us_t unit;

		if (!isdigit((unsigned char)*p) && *p != '.')
			return -1;
		errno = 0;
		v = strtod(p, &end);
		if (end == p || errno || v < 0)
			return -1;
		p = end;
		if (strncmp(p, "us", 2) == 0) {
			unit = 1;
			p += 2;
		} else if (strncmp(p, "ms", 2) == 0) {
			unit = 1000;
			p += 2;
		} else if (*p == 's') {
			unit = EV_US_PER_SEC;
			p++;
		} else if (*p == 'm') {
			unit = EV_US_PER_MIN;
			p++;
		} else if (*p == 'h') {
			unit = EV_US_PER_HOUR;
			p++;
		} else if (*p == 'd') {
			unit = EV_US_PER_DAY;
			p++;
		} else if (*p == 'w') {
			unit = 7 * EV_US_PER_DAY;
			p++;
		} else if (*p == '\0' && !any) {
			unit = EV_US_PER_SEC;	/* a bare number: seconds */
		} else {
			return -1;
		}
		total += v * (double)unit;
		any = 1;
	}
	if (total > 9.2e18)
		return -1;
	*out = (ev_us_t)llround(total);
	return 0;
}

char *
ev_duration_format(ev_us_t d, char *buf)
{
	static const struct { ev_us_t us; const char *name; } units[] = {
		{ 7 * EV_US_PER_DAY, "w" }, { EV_US_PER_DAY, "d" },
		{ EV_US_PER_HOUR, "h" }, { EV_US_PER_MIN, "m" },
		{ EV_US_PER_SEC, "s" }, { 1000, "ms" }, { 1, "us" }
	};
	size_t i, n = 0;

	buf[0] = '\0';
	if (d <= 0) {
		snprintf(buf, EV_TIME_BUFSZ, "%s", d == 0 ? "0s" : "-");
		return buf;
	}
	for (i = 0; i < sizeof units / sizeof units[0] && d > 0; i++) {
		if (d >= units[i].us) {
			n += (size_t)snprintf(buf + n, EV_TIME_BUFSZ - n,
			    "%lld%s", (long long)(d / units[i].us),
			    units[i].name);
			d %= units[i].us;
		}
	}
	return buf;
}

ev_us_t
ev_time_floor(ev_us_t t, ev_us_t step)
{
	ev_us_t r = t % step;

	return r < 0 ? t - r - step : t - r;
}

struct ev_tz {
	char	*name;
};

static int
tz_name_ok(const char *name)
{
	char path[512];
	struct stat st;
	const char *dir = getenv("TZDIR");

	if (strcmp(name, "UTC") == 0 || strcmp(name, "Z") == 0)
		return 1;
	if (*name == '\0' || *name == '/' || strstr(name, "..") != NULL)
		return 0;
	snprintf(path, sizeof path, "%s/%s",
	    dir && *dir ? dir : "/usr/share/zoneinfo", name);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

struct ev_tz *
ev_tz_open(const char *name)
{
	struct ev_tz *tz;

	if (name == NULL || !tz_name_ok(name))
		return NULL;
	tz = ev_xmalloc(sizeof *tz);
	tz->name = ev_xstrdup(strcmp(name, "Z") == 0 ? "UTC" : name);
	return tz;
}

void
ev_tz_free(struct ev_tz *tz)
{
	if (tz == NULL)
		return;
	free(tz->name);
	free(tz);
}

const char *
ev_tz_name(const struct ev_tz *tz)
{
	return tz->name;
}

static void
tz_apply(const struct ev_tz *tz)
{
	const char *cur = getenv("TZ");
	char want[520];

	snprintf(want, sizeof want, ":%s", tz->name);
	if (cur == NULL || strcmp(cur, want) != 0) {
		setenv("TZ", want, 1);
		tzset();
	}
}

/* Number of ISO weeks in year y: 53 when it starts or ends on a Thursday. */
static int
iso_weeks(int y)
{
	int p = (y + y / 4 - y / 100 + y / 400) % 7;
	int q = ((y - 1) + (y - 1) / 4 - (y - 1) / 100 + (y - 1) / 400) % 7;

	return p == 4 || q == 3 ? 53 : 52;
}

void
ev_tz_local(const struct ev_tz *tz, ev_us_t t, struct ev_tm *out)
{
	struct tm tm;
	time_t secs = (time_t)(t / EV_US_PER_SEC);
	int us = (int)(t % EV_US_PER_SEC), wk, isowd;

	if (us < 0) {
		us += (int)EV_US_PER_SEC;
		secs--;
	}
	tz_apply(tz);
	localtime_r(&secs, &tm);
	out->year = tm.tm_year + 1900;
	out->month = tm.tm_mon + 1;
	out->day = tm.tm_mday;
	out->hour = tm.tm_hour;
	out->min = tm.tm_min;
	out->sec = tm.tm_sec;
	out->usec = us;
	out->wday = tm.tm_wday;
	out->yday = tm.tm_yday;
	out->utc_offset = (int)tm.tm_gmtoff;
	out->dst = tm.tm_isdst > 0;

	/* ISO 8601 week: the week with the year's first Thursday is week 1. */
	isowd = tm.tm_wday == 0 ? 7 : tm.tm_wday;
	wk = (tm.tm_yday + 1 - isowd + 10) / 7;
	out->iso_year = out->year;
	if (wk < 1) {
		out->iso_year = out->year - 1;
		wk = iso_weeks(out->iso_year);
	} else if (wk > iso_weeks(out->year)) {
		out->iso_year = out->year + 1;
		wk = 1;
	}
	out->iso_week = wk;
}

static time_t
try_mktime(int year, int month, int day, int hour, int min, int sec, int dst,
    int *exact)
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = year - 1900;
	tm.tm_mon = month - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	tm.tm_isdst = dst;
	t = mktime(&tm);
	*exact = tm.tm_year == year - 1900 && tm.tm_mon == month - 1 &&
	    tm.tm_mday == day && tm.tm_hour == hour && tm.tm_min == min &&
	    tm.tm_sec == sec;
	return t;
}

ev_us_t
ev_tz_mktime(const struct ev_tz *tz, int year, int month, int day, int hour,
    int min, int sec)
{
	time_t t0, t1, best;
	int e0, e1;

	tz_apply(tz);
	t0 = try_mktime(year, month, day, hour, min, sec, 0, &e0);
	t1 = try_mktime(year, month, day, hour, min, sec, 1, &e1);
	if (e0 && e1)
		best = t0 < t1 ? t0 : t1;	/* repeated: the earlier */
	else if (e0)
		best = t0;
	else if (e1)
		best = t1;
	else {
		/*
		 * Skipped by a gap: the instant the gap ends is the smaller
		 * of the two normalised guesses' successors; both guesses
		 * land past the gap, and the gap end is the larger guess
		 * minus the distance past it.  Search forward by minutes.
		 */
		time_t lo = t0 < t1 ? t0 : t1;
		struct tm tm;
		time_t x;

		best = t0 > t1 ? t0 : t1;
		for (x = lo - 3 * 3600; x <= best; x += 60) {
			localtime_r(&x, &tm);
			if (tm.tm_year + 1900 > year ||
			    (tm.tm_year + 1900 == year && (tm.tm_mon + 1 > month ||
			    (tm.tm_mon + 1 == month && (tm.tm_mday > day ||
			    (tm.tm_mday == day && tm.tm_hour * 3600 +
			    tm.tm_min * 60 + tm.tm_sec > hour * 3600 +
			    min * 60 + sec)))))) {
				best = x - tm.tm_sec;
				break;
			}
		}
	}
	return (ev_us_t)best * EV_US_PER_SEC;
}

ev_us_t
ev_tz_day_start(const struct ev_tz *tz, ev_us_t t)
{
	struct ev_tm tm;

	ev_tz_local(tz, t, &tm);
	return ev_tz_mktime(tz, tm.year, tm.month, tm.day, 0, 0, 0);
}

ev_us_t
ev_tz_add_days(const struct ev_tz *tz, ev_us_t day_start, int n)
{
	struct ev_tm tm;
	int64_t days;
	int y, m, d;

	ev_tz_local(tz, day_start, &tm);
	days = days_from_civil(tm.year, tm.month, tm.day) + n;
	ev_time_civil(days, &y, &m, &d);
	return ev_tz_mktime(tz, y, m, d, 0, 0, 0);
}

ev_us_t
ev_tz_week_start(const struct ev_tz *tz, ev_us_t t, int week_start)
{
	struct ev_tm tm;
	ev_us_t day = ev_tz_day_start(tz, t);
	int back;

	ev_tz_local(tz, day, &tm);
	back = (tm.wday - week_start + 7) % 7;
	return ev_tz_add_days(tz, day, -back);
}

char *
ev_tz_date(const struct ev_tz *tz, ev_us_t t, char *buf)
{
	struct ev_tm tm;
	char tmp[48];

	ev_tz_local(tz, t, &tm);

	snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", tm.year, tm.month, tm.day);
	memcpy(buf, tmp, 10);
	buf[10] = '\0';
	return buf;
}
