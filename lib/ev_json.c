/* ev_json.c - compact JSON writing; see ev_json.h. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "ev_json.h"

void
ev_json_write_real(double d, struct ev_buf *b)
{
	ev_buf_add_num(b, d);
	/* Keep a real a real when it has no fraction. */
	if (isfinite(d) && d == trunc(d) && fabs(d) < 9007199254740992.0)
		ev_buf_add(b, ".0", 2);
}

void
ev_json_write_real_sig(double d, int digits, struct ev_buf *b)
{
	if (ev_buf_add_sig(b, d, digits))
		ev_buf_add(b, ".0", 2);
}

void
ev_json_write_members(const json_t *obj, struct ev_buf *b, int *first)
{
	const char *k;
	json_t *m;

	json_object_foreach((json_t *)(uintptr_t)obj, k, m) {
		if (!*first)
			ev_buf_addc(b, ',');
		*first = 0;
		ev_buf_add_jstr(b, k, strlen(k));
		ev_buf_addc(b, ':');
		ev_json_write(m, b);
	}
}

void
ev_json_write(const json_t *v, struct ev_buf *b)
{
	size_t i;
	int first = 1;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		ev_buf_addc(b, '{');
		ev_json_write_members(v, b, &first);
		ev_buf_addc(b, '}');
		break;
	case JSON_ARRAY:
		ev_buf_addc(b, '[');
		for (i = 0; i < json_array_size(v); i++) {
			if (i)
				ev_buf_addc(b, ',');
			ev_json_write(json_array_get(v, i), b);
		}
		ev_buf_addc(b, ']');
		break;
	case JSON_STRING:
		ev_buf_add_jstr(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		ev_buf_add_int(b, json_integer_value(v));
		break;
	case JSON_REAL:
		ev_json_write_real(json_real_value(v), b);
		break;
	case JSON_TRUE:
		ev_buf_add(b, "true", 4);
		break;
	case JSON_FALSE:
		ev_buf_add(b, "false", 5);
		break;
	case JSON_NULL:
		ev_buf_add(b, "null", 4);
		break;
	}
}
