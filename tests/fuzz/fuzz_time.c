/* libFuzzer harness: time and duration parsers must never crash. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ev_time.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), buf[EV_TIME_BUFSZ];
	ev_us_t t, u;

	memcpy(s, data, size);
	s[size] = '\0';
	if (ev_time_parse(s, size, &t) == 0) {
		/* What parses formats, and the formatted text parses back. */
		ev_time_format(t, 6, buf);
		if (ev_time_parse(buf, strlen(buf), &u) != 0 || u != t)
			abort();
	}
	if (ev_duration_parse(s, &t) == 0)
		ev_duration_format(t, buf);
	free(s);
	return 0;
}
