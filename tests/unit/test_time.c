/*
 * test_time.c - lib/ev_time: RFC 3339 and epoch times, times in JSON, durations and
 * time zones.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ev_time.h"

#include "check.h"

static ev_us_t
parse(const char *s)
{
	ev_us_t t = -1;

	if (ev_time_parse(s, strlen(s), &t) != 0)
		return INT64_MIN;
	return t;
}

static void
test_time_parse(void)
{
	char buf[EV_TIME_BUFSZ];

	CHECK(parse("1970-01-01T00:00:00Z") == 0);
	CHECK(parse("2026-03-02T10:15:04.120Z") == INT64_C(1772446504120000));
	CHECK(parse("2026-03-02T10:15:04.12Z") == INT64_C(1772446504120000));
	CHECK(parse("2026-03-02T11:15:04.120+01:00") == INT64_C(1772446504120000));
	CHECK(parse("2026-03-02t05:45:04.120-04:30") == INT64_C(1772446504120000));
	CHECK(parse("2026-03-02T10:15:04.1234567891Z") == INT64_C(1772446504123456));
	CHECK(parse("1969-12-31T23:59:59.5Z") == -500000);
	CHECK(parse("2016-12-31T23:59:60Z") == parse("2017-01-01T00:00:00Z"));
	CHECK(parse("2026-03-04T10:00Z") == parse("2026-03-04T10:00:00Z"));
	CHECK(parse("2026-03-04") == parse("2026-03-04T00:00:00Z"));
	CHECK(parse("2026-02-29T00:00:00Z") == INT64_MIN);
	CHECK(parse("2024-02-29T00:00:00Z") != INT64_MIN);
	CHECK(parse("2026-03-02T10:15:04") == INT64_MIN);
	CHECK(parse("2026-03-02T24:00:00Z") == INT64_MIN);
	CHECK(parse("2026-13-02T10:00:00Z") == INT64_MIN);
	CHECK(parse("2026-03-02T10:15:04.Z") == INT64_MIN);
	CHECK(parse("2026-03-02T10:15:04Zjunk") == INT64_MIN);
	CHECK(parse("") == INT64_MIN);

	/*
	 * Only instants whose UTC rendering has a four-digit year parse: what
	 * is accepted must format and parse back (issue 12, item 10).
	 */
	CHECK(parse("9999-12-31T23:59:60.5Z") == INT64_MIN);
	CHECK(parse("9999-12-31T23:59-2159") == INT64_MIN);
	CHECK(parse("9999-12-31T23:00:00-01:00") == INT64_MIN);
	CHECK(parse("0000-01-01T00:00:00+00:01") == INT64_MIN);
	CHECK(parse("0000-01-01T00:00:00Z") == EV_TIME_MIN);
	CHECK(parse("9999-12-31T23:59:59.999999Z") == EV_TIME_MAX);
	CHECK(parse("9999-12-31T23:59:59.9999999Z") == EV_TIME_MAX);
	CHECK(parse("0000-01-01T00:00:00-01:00") == EV_TIME_MIN +
	    EV_US_PER_HOUR);
	CHECK(strcmp(ev_time_format(EV_TIME_MIN, -1, buf),
	    "0000-01-01T00:00:00Z") == 0);
	CHECK(strcmp(ev_time_format(EV_TIME_MAX, -1, buf),
	    "9999-12-31T23:59:59.999999Z") == 0);

	CHECK(strcmp(ev_time_format(INT64_C(1772446504120000), -1, buf),
	    "2026-03-02T10:15:04.120Z") == 0);
	CHECK(strcmp(ev_time_format(INT64_C(1772446504000000), -1, buf),
	    "2026-03-02T10:15:04Z") == 0);
	CHECK(strcmp(ev_time_format(-1, 6, buf),
	    "1969-12-31T23:59:59.999999Z") == 0);
	CHECK(strcmp(ev_time_format(INT64_C(1772446504000001), -1, buf),
	    "2026-03-02T10:15:04.000001Z") == 0);
}

static void
test_time_json(void)
{
	json_t *v;
	ev_us_t t;

	v = json_integer(1772446504);
	CHECK(ev_time_from_json(v, &t) == 0 && t == INT64_C(1772446504000000));
	json_decref(v);
	v = json_integer(INT64_C(1772446504120));
	CHECK(ev_time_from_json(v, &t) == 0 && t == INT64_C(1772446504120000));
	json_decref(v);
	v = json_real(1772446504.25);
	CHECK(ev_time_from_json(v, &t) == 0 && t == INT64_C(1772446504250000));
	json_decref(v);
	v = json_true();
	CHECK(ev_time_from_json(v, &t) == -1);
	json_decref(v);

	/* Epoch numbers outside years 0000..9999 do not parse either. */
	v = json_integer(INT64_C(253402300799999));	/* ms, 9999-12-31 */
	CHECK(ev_time_from_json(v, &t) == 0 &&
	    t == INT64_C(253402300799999000));
	json_decref(v);
	v = json_integer(INT64_C(253402300800000));	/* ms, year 10000 */
	CHECK(ev_time_from_json(v, &t) == -1);
	json_decref(v);
	v = json_integer(INT64_C(99999999999999999));	/* ms, year 3e6 */
	CHECK(ev_time_from_json(v, &t) == -1);
	json_decref(v);
	v = json_integer(INT64_C(-62167219200));	/* s, 0000-01-01 */
	CHECK(ev_time_from_json(v, &t) == 0 && t == EV_TIME_MIN);
	json_decref(v);
	v = json_integer(INT64_C(-62167219201));	/* s, year -1 */
	CHECK(ev_time_from_json(v, &t) == -1);
	json_decref(v);
	v = json_real(-99999999999999.0);		/* ms, year -1199 */
	CHECK(ev_time_from_json(v, &t) == -1);
	json_decref(v);
	v = json_real(9.9e16);				/* ms, year 3e6 */
	CHECK(ev_time_from_json(v, &t) == -1);
	json_decref(v);
}

static void
test_duration(void)
{
	ev_us_t d;
	char buf[EV_TIME_BUFSZ];

	CHECK(ev_duration_parse("250ms", &d) == 0 && d == 250000);
	CHECK(ev_duration_parse("10s", &d) == 0 && d == 10 * EV_US_PER_SEC);
	CHECK(ev_duration_parse("5m", &d) == 0 && d == 5 * EV_US_PER_MIN);
	CHECK(ev_duration_parse("1h", &d) == 0 && d == EV_US_PER_HOUR);
	CHECK(ev_duration_parse("1d", &d) == 0 && d == EV_US_PER_DAY);
	CHECK(ev_duration_parse("1w", &d) == 0 && d == 7 * EV_US_PER_DAY);
	CHECK(ev_duration_parse("1h30m", &d) == 0 && d == 90 * EV_US_PER_MIN);
	CHECK(ev_duration_parse("1.5s", &d) == 0 && d == 1500000);
	CHECK(ev_duration_parse("30", &d) == 0 && d == 30 * EV_US_PER_SEC);
	CHECK(ev_duration_parse("0", &d) == 0 && d == 0);
	CHECK(ev_duration_parse("", &d) == -1);
	CHECK(ev_duration_parse("5x", &d) == -1);
	CHECK(ev_duration_parse("-5s", &d) == -1);
	CHECK(ev_duration_parse("1h30", &d) == -1);
	CHECK(strcmp(ev_duration_format(90 * EV_US_PER_MIN, buf), "1h30m") == 0);
	CHECK(strcmp(ev_duration_format(250000, buf), "250ms") == 0);
	CHECK(ev_time_floor(-1, 60) == -60);
	CHECK(ev_time_floor(61, 60) == 60);
}

static void
test_tz(void)
{
	struct ev_tz *ny = ev_tz_open("America/New_York");
	struct ev_tz *be = ev_tz_open("Europe/Berlin");
	struct ev_tz *utc = ev_tz_open("UTC");
	struct ev_tm tm;
	ev_us_t d0, d1;
	char buf[16];

	CHECK(ev_tz_open("Mars/Olympus") == NULL);
	CHECK(ev_tz_open("../etc/passwd") == NULL);
	CHECK(ny && be && utc);
	if (!ny || !be || !utc)
		return;
	/* 2026-03-08 is 23 hours long in New York, 2026-11-01 is 25. */
	d0 = ev_tz_day_start(ny, parse("2026-03-08T12:00:00Z"));
	d1 = ev_tz_add_days(ny, d0, 1);
	CHECK(d0 == parse("2026-03-08T05:00:00Z"));
	CHECK(d1 - d0 == 23 * EV_US_PER_HOUR);
	d0 = ev_tz_day_start(ny, parse("2026-11-01T12:00:00Z"));
	CHECK(ev_tz_add_days(ny, d0, 1) - d0 == 25 * EV_US_PER_HOUR);
	/* Berlin changes on 2026-03-29. */
	d0 = ev_tz_day_start(be, parse("2026-03-29T10:00:00Z"));
	CHECK(ev_tz_add_days(be, d0, 1) - d0 == 23 * EV_US_PER_HOUR);
	ev_tz_local(be, parse("2026-03-29T01:30:00Z"), &tm);
	CHECK(tm.hour == 3 && tm.min == 30 && tm.dst == 1 &&
	    tm.utc_offset == 7200);
	/* A skipped local time maps to the end of the gap. */
	CHECK(ev_tz_mktime(be, 2026, 3, 29, 2, 30, 0) ==
	    parse("2026-03-29T01:00:00Z"));
	/* A repeated local time maps to the earlier instant. */
	CHECK(ev_tz_mktime(be, 2026, 10, 25, 2, 30, 0) ==
	    parse("2026-10-25T00:30:00Z"));
	/* ISO weeks. */
	ev_tz_local(utc, parse("2021-01-03T12:00:00Z"), &tm);
	CHECK(tm.iso_year == 2020 && tm.iso_week == 53);
	ev_tz_local(utc, parse("2024-12-30T12:00:00Z"), &tm);
	CHECK(tm.iso_year == 2025 && tm.iso_week == 1);
	ev_tz_local(utc, parse("2026-03-02T12:00:00Z"), &tm);
	CHECK(tm.iso_year == 2026 && tm.iso_week == 10 && tm.wday == 1);
	/* Weeks starting Monday. */
	CHECK(ev_tz_week_start(utc, parse("2026-03-04T12:00:00Z"), 1) ==
	    parse("2026-03-02T00:00:00Z"));
	CHECK(strcmp(ev_tz_date(ny, parse("2026-03-02T03:00:00Z"), buf),
	    "2026-03-01") == 0);
	ev_tz_free(ny);
	ev_tz_free(be);
	ev_tz_free(utc);
}

int
main(void)
{
	test_time_parse();
	test_time_json();
	test_duration();
	test_tz();
	printf("test_time: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
