/*
 * test_explain.c - lib/ev_explain.c on figures worked out by hand.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ev_explain.h"

#define NEAR(a, b)	(fabs((a) - (b)) < 1e-12)

static double
num(const json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

/*
 * Total of event a: 900 against 1000 (-100).  By platform: android 380/500
 * (-120), ios 270/300 (-30), web 250/200 (+50).  The drops add up to 150,
 * more than the total's 100, so shares are over 150: android 0.8, ios 0.2
 * (below its expected part 0.3: not named), web -1/3.  android's surprise:
 * p = 500/1000, q = 380/900; 0.5 p log2(2p/(p+q)) + 0.5 q log2(2q/(p+q))
 * = 0.002368678021649164.  Series not nested in the total (another event,
 * no event at all) and a deeper level (platform x country) are not used.
 */
static void
test_offsetting(void)
{
	struct ev_explain_params p;
	struct ev_explain_series a, s[8];
	json_t *cols[8], *acols, *x, *d, *e, *flat;
	struct ev_buf b = EV_BUF_INIT;
	size_t i;

	acols = json_pack("{s:s}", "event", "a");
	cols[0] = json_pack("{s:s,s:s}", "event", "a", "platform", "android");
	cols[1] = json_pack("{s:s,s:s}", "event", "a", "platform", "ios");
	cols[2] = json_pack("{s:s,s:s}", "event", "a", "platform", "web");
	cols[3] = json_pack("{s:s,s:s}", "event", "b", "platform", "android");
	cols[4] = json_pack("{s:s}", "platform", "android");
	cols[5] = json_pack("{s:s,s:s,s:s}", "event", "a", "platform", "ios",
	    "country", "US");
	cols[6] = json_pack("{s:s}", "event", "a");
	cols[7] = json_pack("{s:s,s:s,s:s}", "event", "a", "platform", "web",
	    "country", "DE");
	{
		double obs[8] = { 380, 270, 250, 0, 0, 0, 900, 600 };
		double exp[8] = { 500, 300, 200, 900, 900, 300, 1000, 600 };

		for (i = 0; i < 8; i++) {
			s[i].cols = cols[i];
			s[i].observed = obs[i];
			s[i].expected = exp[i];
		}
	}
	a.cols = acols;
	a.observed = 900;
	a.expected = 1000;
	ev_explain_params_init(&p);
	x = ev_explain_build(&p, &a, s, 7);
	CHECK(json_array_size(x) == 1);
	d = json_array_get(x, 0);
	CHECK(strcmp(json_string_value(json_object_get(d, "dimension")),
	    "platform") == 0);
	CHECK(json_array_size(json_object_get(d, "elements")) == 1);
	e = json_array_get(json_object_get(d, "elements"), 0);
	CHECK(json_object_size(json_object_get(e, "element")) == 1);
	CHECK(NEAR(num(e, "share"), 0.8));
	CHECK(NEAR(num(d, "share"), 0.8));
	CHECK(NEAR(num(e, "expected"), 500) && NEAR(num(e, "observed"), 380));
	CHECK(NEAR(num(e, "surprise"), 0.002368678021649164));
	flat = ev_explain_headline(x);
	CHECK(json_array_size(flat) == 1);
	e = json_array_get(flat, 0);
	CHECK(strcmp(json_string_value(json_object_get(e, "platform")),
	    "android") == 0 && NEAR(num(e, "delta"), -120) &&
	    NEAR(num(e, "share"), 0.8));
	ev_explain_text(&b, x);
	CHECK(strcmp(b.data, "by platform: android 80%") == 0);

	/* Everyone moved alike: nothing explains. */
	s[0].observed = 450;
	s[1].observed = 270;
	s[2].observed = 180;
	json_decref(x);
	x = ev_explain_build(&p, &a, s, 3);
	CHECK(x == NULL);
	/* No deviation, nothing nested. */
	a.observed = 1000;
	CHECK(ev_explain_build(&p, &a, s, 3) == NULL);
	a.observed = 900;
	CHECK(ev_explain_build(&p, &a, s + 3, 2) == NULL);
	/*
	 * Only the deeper level there: it is the nearest, a composite.  The
	 * alerted series itself is skipped.
	 */
	s[5].observed = 100;
	x = ev_explain_build(&p, &a, s + 5, 3);
	d = json_array_get(x, 0);
	CHECK(strcmp(json_string_value(json_object_get(d, "dimension")),
	    "country,platform") == 0);
	ev_buf_reset(&b);
	ev_explain_text(&b, x);
	CHECK(strcmp(b.data, "by platform\xc3\x97" "country: ios\xc3\x97US "
	    "100%") == 0);
	json_decref(x);
	json_decref(flat);
	ev_buf_free(&b);
	for (i = 0; i < 8; i++)
		json_decref(cols[i]);
	json_decref(acols);
}

int
main(void)
{
	test_offsetting();
	printf("test_explain: %d checks, %d failures\n", checks, failures);
	return failures > 0;
}
