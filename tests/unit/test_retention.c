/*
 * test_retention.c - the retention engine (lib/ev_retention.c) driven
 * directly: the per-user bytes ev-retention(1) states, and a bounded and
 * an unbounded cohort written as the watermark closes each period.
 */
#include <stdio.h>
#include <string.h>

#include "ev_retention.h"
#include "check.h"

#define H	(3600 * INT64_C(1000000))

/* The cohort of hour 0. */
#define HOUR0	"{\"start\":\"1970-01-01T00:00:00Z\"," \
		"\"end\":\"1970-01-01T01:00:00Z\","

static char out[4096];

static void
emit(void *arg, const char *p, size_t n)
{
	(void)arg;
	if (strlen(out) + n + 2 < sizeof(out)) {
		strncat(out, p, n);
		strcat(out, "\n");
	}
}

static void
run(int unbounded, const char *want_mid, const char *want_end)
{
	struct ev_retention_cfg cfg;
	struct ev_retention *r;

	memset(&cfg, 0, sizeof(cfg));
	cfg.period = H;
	cfg.periods = 3;
	cfg.unbounded = unbounded;
	r = ev_retention_new(&cfg, emit, NULL);
	out[0] = '\0';
	/* u1 and u2 start in hour 0; u1 returns in hour 2 only. */
	ev_retention_add(r, 10, 1, "\"u1\"", 4, 1, 1);
	ev_retention_add(r, 20, 2, "\"u2\"", 4, 1, 1);
	ev_retention_add(r, 2 * H + 5, 3, "\"u1\"", 4, 0, 1);
	ev_retention_watermark(r, 2 * H);
	CHECKF(strcmp(out, want_mid) == 0, "at 2h:\n%s", out);
	out[0] = '\0';
	ev_retention_watermark(r, 3 * H);
	CHECKF(strcmp(out, want_end) == 0, "at 3h:\n%s", out);
	CHECK(ev_retention_cohort_users(r) == 2);
	ev_retention_finish(r);
	ev_retention_free(r);
}

int
main(void)
{
	/* The figure ev-retention(1) gives under Memory. */
	CHECKF(ev_retention_user_bytes() == 130, "%zu",
	    ev_retention_user_bytes());
	run(0,
	    HOUR0
	    "\"period\":\"0\",\"cohort_users\":2,\"retained_users\":0,"
	    "\"retention_rate\":0,\"final\":true}\n"
	    HOUR0
	    "\"period\":\"1\",\"cohort_users\":2,\"retained_users\":0,"
	    "\"retention_rate\":0,\"final\":true}\n",
	    HOUR0
	    "\"period\":\"2\",\"cohort_users\":2,\"retained_users\":1,"
	    "\"retention_rate\":0.5,\"final\":true}\n");
	/* Unbounded: nothing before the horizon's end; then u1 in 0, 1, 2. */
	run(1, "",
	    HOUR0
	    "\"period\":\"0\",\"cohort_users\":2,\"retained_users\":1,"
	    "\"retention_rate\":0.5,\"final\":true}\n"
	    HOUR0
	    "\"period\":\"1\",\"cohort_users\":2,\"retained_users\":1,"
	    "\"retention_rate\":0.5,\"final\":true}\n"
	    HOUR0
	    "\"period\":\"2\",\"cohort_users\":2,\"retained_users\":1,"
	    "\"retention_rate\":0.5,\"final\":true}\n");
	printf("test_retention: %d checks, %d failures\n", checks, failures);
	return failures > 0;
}
