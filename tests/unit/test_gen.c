/*
 * test_gen.c - unit tests of lib/ev_gen: the --anomaly spec parser (kinds,
 * filters, absolute and relative times, defaults and refusals).
 */
#include <stdio.h>
#include <string.h>

#include "ev_gen.h"

#include "check.h"

static void
test_anomaly_parse(void)
{
	struct ev_gen_anomaly a;
	char err[200];
	ev_us_t base = INT64_C(1772409600) * 1000000;

	CHECK(ev_gen_anomaly_parse("drop:event=signup,platform=android,"
	    "at=2026-03-04T10:00Z,for=30m,factor=0.1", base, &a, err,
	    sizeof(err)) == 0);
	CHECK(a.kind == EV_GEN_DROP && a.event == EV_GEN_SIGNUP);
	CHECK(a.filter[EV_GEN_F_PLATFORM] == 2);
	CHECK(a.filter[EV_GEN_F_COUNTRY] == -1);
	CHECK(a.start == base + 2 * 86400 * INT64_C(1000000) +
	    10 * 3600 * INT64_C(1000000));
	CHECK(a.end - a.start == 30 * 60 * INT64_C(1000000));
	CHECK(a.factor == 0.1);
	CHECK(ev_gen_anomaly_parse("shift:at=+1h", base, &a, err,
	    sizeof(err)) == 0);
	CHECK(a.start == base + 3600 * INT64_C(1000000));
	CHECK(a.end == INT64_MAX && a.factor == 0.5);
	CHECK(ev_gen_anomaly_parse("outage:country=DE,at=+1h,for=1h", base,
	    &a, err, sizeof(err)) == 0);
	CHECK(a.factor == 0 && a.filter[EV_GEN_F_COUNTRY] == 1);
	CHECK(ev_gen_anomaly_parse("spike:at=+1h,for=1h", base, &a, err,
	    sizeof(err)) == 0 && a.factor == 3);
	CHECK(ev_gen_anomaly_parse("spike:at=+1h,for=1h,factor=1", base, &a,
	    err, sizeof(err)) != 0);
	CHECK(strstr(err, "factor > 1") != NULL);
	CHECK(ev_gen_anomaly_parse("drop:at=+1h,for=-5m", base, &a, err,
	    sizeof(err)) != 0);
	CHECK(ev_gen_anomaly_parse("drop:at=+1h,for=1h,", base, &a, err,
	    sizeof(err)) == 0);
	CHECK(ev_gen_anomaly_parse(":at=+1h", base, &a, err,
	    sizeof(err)) != 0);
	CHECK(ev_gen_anomaly_parse("drop:=x,at=+1h,for=1h", base, &a, err,
	    sizeof(err)) != 0);
}

int
main(void)
{
	test_anomaly_parse();
	printf("test_gen: %d checks, %d failures\n", checks, failures);
	return failures != 0;
}
