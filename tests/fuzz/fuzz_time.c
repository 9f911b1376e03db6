/*
 * libFuzzer harness: the time and duration parsers must never crash, and
 * every time they accept, as text or as an epoch number, must format as
 * RFC 3339 with a four-digit year and parse back to the same instant.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ev_time.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What parsed writes back as "YYYY-MM-DDTHH:MM:SS.ffffffZ" and reads back. */
static void
round_trip(ev_us_t t)
{
	char buf[EV_TIME_BUFSZ];
	ev_us_t u;

	if (t < EV_TIME_MIN || t > EV_TIME_MAX)
		abort();
	ev_time_format(t, 6, buf);
	if (strlen(buf) != 27 || ev_time_parse(buf, strlen(buf), &u) != 0 ||
	    u != t)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), buf[EV_TIME_BUFSZ];
	ev_us_t t;
	json_t *v;

	memcpy(s, data, size);
	s[size] = '\0';
	if (ev_time_parse(s, size, &t) == 0)
		round_trip(t);
	/* The same bytes as a JSON value: epoch seconds or milliseconds. */
	v = json_loadb(s, size, JSON_DECODE_ANY, NULL);
	if (v != NULL && ev_time_from_json(v, &t) == 0)
		round_trip(t);
	json_decref(v);
	if (ev_duration_parse(s, &t) == 0)
		ev_duration_format(t, buf);
	free(s);
	return 0;
}
