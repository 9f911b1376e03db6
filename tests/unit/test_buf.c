/*
 * test_buf.c - lib/ev_buf (and ev_io's UTF-8 check): number spelling against
 * the printf-and-strtod oracle, string escaping.
 */
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_buf.h"
#include "ev_io.h"

#include "check.h"

/* The printf-and-strtod loop ev_buf_add_num used to be: the oracle. */
static void
num_oracle(double v, char *out, size_t n)
{
	int prec;

	for (prec = 15; prec <= 17; prec++) {
		snprintf(out, n, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return;
	}
}

/* ev_buf_add_num through ev_dtoa spells every double as printf would. */
static void
test_num_shortest(void)
{
	static const double edge[] = {
		0.1, 1.0 / 3, 2.0 / 3, 1e-4, 1.5e-4, 9.99e-5, 1e-5, 123.456,
		1e15 + 0.5, 9007199254740993.0, 1e16, 1.5e16, 1e17, 1e21,
		1e22, 1e23, 5e-324, 1.7976931348623157e308, 2.2250738585072014e-308,
		0.30000000000000004, 100.0 / 7, 4.35, 0.000123456789012345678,
		12345678901234567890.0, -0.5, -1e-7, 987654321.125,
	};
	struct ev_buf b = EV_BUF_INIT;
	char want[64];
	uint64_t x = 88172645463325252ULL, bits;
	double v;
	size_t i, bad = 0;

	for (i = 0; i < sizeof(edge) / sizeof(edge[0]) + 400000; i++) {
		if (i < sizeof(edge) / sizeof(edge[0]))
			v = edge[i];
		else {
			/* xorshift64: every bit pattern, and decimal-ish values */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			if (i % 2) {
				bits = x;
				memcpy(&v, &bits, sizeof v);
			} else
				v = (double)(int64_t)(x % 2000000001) /
				    pow(10, (double)(x >> 59));
			if (!isfinite(v) || v == 0 || (fabs(v) <
			    9007199254740992.0 && v == trunc(v)))
				continue;
		}
		ev_buf_reset(&b);
		ev_buf_add_num(&b, v);
		num_oracle(v, want, sizeof want);
		/*
		 * Below DBL_MIN a double has fewer digits than 15, and %.15g
		 * pads them: there the new spelling must read back and be no
		 * longer.  Everywhere else, the same bytes.
		 */
		if (fabs(v) < DBL_MIN ? strtod(b.data, NULL) != v ||
		    b.len > strlen(want) : strcmp(b.data, want) != 0)
			if (bad++ < 5)
				fprintf(stderr, "num %.17g: got %s, want %s\n",
				    v, b.data, want);
	}
	CHECK(bad == 0);
	ev_buf_free(&b);
}

static void
test_utf8_and_numbers(void)
{
	struct ev_buf b = EV_BUF_INIT;

	CHECK(ev_utf8_check("plain", 5) == 5);
	CHECK(ev_utf8_check("caf\xc3\xa9", 5) == 5);
	CHECK(ev_utf8_check("\xf0\x9f\x98\x80", 4) == 4);
	CHECK(ev_utf8_check("ab\xc3", 3) == 2);		/* truncated */
	CHECK(ev_utf8_check("\xc0\xaf", 2) == 0);	/* overlong */
	CHECK(ev_utf8_check("\xed\xa0\x80", 3) == 0);	/* surrogate */
	CHECK(ev_utf8_check("\xf4\x90\x80\x80", 4) == 0);	/* > U+10FFFF */
	CHECK(ev_utf8_check("abcdefgh\xff", 9) == 8);
	ev_buf_add_num(&b, 0.1);
	ev_buf_addc(&b, ' ');
	ev_buf_add_num(&b, 42);
	ev_buf_addc(&b, ' ');
	ev_buf_add_num(&b, 0.998999999999);
	ev_buf_addc(&b, ' ');
	ev_buf_add_num(&b, 1.0 / 0.0);
	CHECK(strcmp(b.data, "0.1 42 0.998999999999 null") == 0);
	ev_buf_reset(&b);
	ev_buf_add_jstr(&b, "a\"b\\\n\x01", 6);
	CHECK(strcmp(b.data, "\"a\\\"b\\\\\\n\\u0001\"") == 0);
	ev_buf_free(&b);
}

/*
 * ev_buf_add_sig writes what printf's %.*g writes, for every precision,
 * on values of every magnitude, near the roundings that carry (9.99…) and
 * on halves, where its own scaling could round the wrong way.
 */
static void
test_num_sig(void)
{
	static const double edge[] = {
		0.5, 1.5, 2.5, 0.125, 9.5, 99.5, 0.00015, 1e-5, 9.99999e-6,
		1e15, 999999999999999.9, 9.9999999995, 9.99999999949, 0.1,
		1.0 / 3, 2.0 / 3, 123456789.5, 1e-4, 0.0001234565, 5e-324, -0.5,
		-1234.5678, 1e300, 410, 0.30000000000000004, 99.99999999999,
	};
	struct ev_buf b = EV_BUF_INIT;
	char want[64];
	uint64_t x = 0x9e3779b97f4a7c15ULL, bits;
	double v;
	size_t i, bad = 0;
	int d, whole;

	for (i = 0; i < sizeof(edge) / sizeof(edge[0]) + 300000; i++) {
		if (i < sizeof(edge) / sizeof(edge[0]))
			v = edge[i];
		else {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			if (i % 3 == 0) {
				bits = x;
				memcpy(&v, &bits, sizeof v);
				if (!isfinite(v))
					continue;
			} else if (i % 3 == 1)
				/* short decimals: halves at some precision */
				v = (double)(int64_t)(x % 2000000001 - 1000000000) /
				    pow(10, (double)(x >> 60));
			else
				v = ldexp((double)(x >> 11), -53) *
				    pow(10, (double)(int)(x % 24) - 6);
		}
		for (d = 1; d <= 17; d++) {
			ev_buf_reset(&b);
			whole = ev_buf_add_sig(&b, v, d);
			if (v == 0)
				snprintf(want, sizeof want, "0");
			else
				snprintf(want, sizeof want, "%.*g", d, v);
			if ((strcmp(b.data, want) != 0 || whole !=
			    (strpbrk(want, ".e") == NULL)) && bad++ < 5)
				fprintf(stderr, "sig %.17g %d: got %s, want %s\n",
				    v, d, b.data, want);
		}
	}
	CHECK(bad == 0);
	ev_buf_free(&b);
}

/* Integers as printf's "%" PRId64 and "%0*" PRIu64 write them. */
static void
test_int(void)
{
	static const int64_t v[] = { 0, 1, -1, 9, 10, -10, 99, 100, 12345,
	    INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, INT64_MAX - 1,
	    INT64_MIN + 1 };
	struct ev_buf b = EV_BUF_INIT;
	char want[64];
	size_t i;
	int w;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		ev_buf_reset(&b);
		ev_buf_add_int(&b, v[i]);
		snprintf(want, sizeof want, "%" PRId64, v[i]);
		CHECKF(b.len == strlen(want) && memcmp(b.data, want, b.len) == 0,
		    "%s", want);
		for (w = 0; w <= 22 && v[i] >= 0; w += 3) {
			ev_buf_reset(&b);
			ev_buf_add_dec(&b, (uint64_t)v[i], w);
			snprintf(want, sizeof want, "%0*" PRIu64, w,
			    (uint64_t)v[i]);
			CHECKF(b.len == strlen(want) &&
			    memcmp(b.data, want, b.len) == 0, "%s", want);
		}
	}
	ev_buf_reset(&b);
	ev_buf_add_dec(&b, UINT64_MAX, 1);
	CHECK(b.len == 20 && memcmp(b.data, "18446744073709551615", 20) == 0);
	ev_buf_free(&b);
}

int
main(void)
{
	test_int();
	test_num_shortest();
	test_num_sig();
	test_utf8_and_numbers();
	printf("test_buf: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
