/* ev_buf.c - growable byte buffer and JSON text helpers. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_buf.h"
#include "ev_dtoa.h"
#include "ev_common.h"

void
ev_buf_init(struct ev_buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
}

void
ev_buf_free(struct ev_buf *b)
{
	free(b->data);
	ev_buf_init(b);
}

void
ev_buf_reset(struct ev_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void
ev_buf_reserve(struct ev_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 256;
	while (b->cap < need)
		b->cap *= 2;
	b->data = ev_xrealloc(b->data, b->cap);
}

void
ev_buf_add(struct ev_buf *b, const void *p, size_t n)
{
	ev_buf_reserve(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
ev_buf_adds(struct ev_buf *b, const char *s)
{
	ev_buf_add(b, s, strlen(s));
}

void
ev_buf_addc(struct ev_buf *b, char c)
{
	ev_buf_reserve(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void
ev_buf_printf(struct ev_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	ev_buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
ev_buf_add_jstr(struct ev_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	ev_buf_reserve(b, n + 2);
	ev_buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		ev_buf_add(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': ev_buf_add(b, "\\\"", 2); break;
		case '\\': ev_buf_add(b, "\\\\", 2); break;
		case '\n': ev_buf_add(b, "\\n", 2); break;
		case '\r': ev_buf_add(b, "\\r", 2); break;
		case '\t': ev_buf_add(b, "\\t", 2); break;
		case '\b': ev_buf_add(b, "\\b", 2); break;
		case '\f': ev_buf_add(b, "\\f", 2); break;
		default:
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			ev_buf_add(b, esc, 6);
		}
	}
	ev_buf_add(b, s + run, n - run);
	ev_buf_addc(b, '"');
}

void
ev_buf_add_dec(struct ev_buf *b, uint64_t v, int width)
{
	char s[24];
	int i = (int)sizeof s;

	do {
		s[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (i > 0 && (int)sizeof s - i < width)
		s[--i] = '0';
	ev_buf_add(b, s + i, sizeof s - (size_t)i);
}

void
ev_buf_add_int(struct ev_buf *b, int64_t v)
{
	if (v < 0) {
		ev_buf_addc(b, '-');
		ev_buf_add_dec(b, 0 - (uint64_t)v, 1);	/* INT64_MIN too */
	} else
		ev_buf_add_dec(b, (uint64_t)v, 1);
}

static void	ev_buf_add_shortest(struct ev_buf *b, double v);

void
ev_buf_add_num(struct ev_buf *b, double v)
{
	if (!isfinite(v)) {
		ev_buf_add(b, "null", 4);
		return;
	}
	if (v == 0) {
		ev_buf_addc(b, '0');
		return;
	}
	if (fabs(v) < 9007199254740992.0 && v == trunc(v)) {
		ev_buf_add_int(b, (int64_t)v);
		return;
	}
	ev_buf_add_shortest(b, v);
}

/*
 * The shortest decimal that reads back to v, laid out as printf's %.Pg
 * would with P the first of 15, 16, 17 whose result reads back: P is the
 * number of shortest digits, or 15 when there are fewer (any decimal of up
 * to DBL_DIG digits survives the round trip, and %g drops the trailing
 * zeros).  So the bytes are those of the printf-and-strtod loop this
 * replaces, at a tenth of the cost, except below DBL_MIN, where a double
 * has fewer significant digits and the loop padded them ("5e-324", not
 * "4.94065645841247e-324"); tests/unit/test_core.c checks both.
 */
static void
ev_buf_add_shortest(struct ev_buf *b, double v)
{
	char dig[EV_DTOA_DIGITS], tmp[48], *p = tmp;
	int len, point, prec, x;

	len = ev_dtoa_shortest(v, dig, &point);
	prec = len > 15 ? len : 15;
	x = point - 1;			/* exponent of the first digit */
	if (v < 0)
		*p++ = '-';
	if (x < -4 || x >= prec) {
		*p++ = dig[0];
		if (len > 1) {
			*p++ = '.';
			memcpy(p, dig + 1, (size_t)len - 1);
			p += len - 1;
		}
		p += snprintf(p, sizeof tmp - (size_t)(p - tmp), "e%c%02d",
		    x < 0 ? '-' : '+', x < 0 ? -x : x);
	} else if (point <= 0) {
		*p++ = '0';
		*p++ = '.';
		memset(p, '0', (size_t)-point);
		p += -point;
		memcpy(p, dig, (size_t)len);
		p += len;
	} else if (point >= len) {
		memcpy(p, dig, (size_t)len);
		p += len;
		memset(p, '0', (size_t)(point - len));
		p += point - len;
	} else {
		memcpy(p, dig, (size_t)point);
		p += point;
		*p++ = '.';
		memcpy(p, dig + point, (size_t)(len - point));
		p += len - point;
	}
	ev_buf_add(b, tmp, (size_t)(p - tmp));
}

char *
ev_buf_detach(struct ev_buf *b, size_t *len)
{
	char *p = b->data;

	if (len)
		*len = b->len;
	if (p == NULL)
		p = ev_xstrdup("");
	ev_buf_init(b);
	return p;
}

/*
 * "%.*g" without printf: |v| scaled by one exact power of ten to an
 * integer of `digits` digits, rounded, laid out.  One multiplication or
 * division by 10^k (exact for k <= 22) rounds once; the result is printf's
 * unless the scaled value lies within a few units of its last place of a
 * half, where that rounding could decide the digit, and then printf is
 * asked.  Magnitudes outside [1e-5, 1e15) go to printf too.
 */
int
ev_buf_add_sig(struct ev_buf *b, double v, int digits)
{
	static const double p10[] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21,
		1e22
	};
	static const char pairs[] =
	    "00010203040506070809101112131415161718192021222324252627282930"
	    "31323334353637383940414243444546474849505152535455565758596061"
	    "62636465666768697071727374757677787980818283848586878889909192"
	    "93949596979899";
	char tmp[48], dbuf[24], *dig = dbuf, *p;
	double a = fabs(v), s, r, f;
	uint32_t h[2], w;
	uint64_t u;
	int x, k, i, n, tries;

	if (v == 0) {
		ev_buf_addc(b, '0');
		return 1;
	}
	if (!(a >= 1e-5 && a < 1e15) || digits < 1 || digits > 17)
		goto slow;
	/* x: the exponent of the first digit, a guess first. */
	for (x = 0; x < 15 && a >= p10[x + 1]; x++)
		continue;
	for (; x <= 0 && x > -5 && a < 1 / p10[-x]; x--)
		continue;
	for (tries = 0; ; tries++) {
		k = digits - 1 - x;
		if (k > 22 || k < -22)
			goto slow;
		s = k >= 0 ? a * p10[k] : a / p10[-k];
		if (s >= 0x1p62)
			goto slow;
		/*
		 * The scaling erred by half a unit of s's last place at
		 * most (s * 2^-53): within 8 such units of a half, printf
		 * decides.  Else s + 0.5 truncated rounds as printf does.
		 */
		u = (uint64_t)s;
		f = fabs(s - (double)u - 0.5);
		if (f <= s * 0x1p-50)
			goto slow;
		r = (double)(uint64_t)(s + 0.5);
		if (r >= p10[digits] && tries == 0)
			x++;
		else if (r < p10[digits - 1] && tries == 0)
			x--;
		else
			break;
	}
	if (r >= p10[digits]) {		/* 9.99…5 rounded up to 10.0… */
		r /= 10;
		x++;
	}
	u = (uint64_t)r;
	if (digits <= 10) {
		/* Two halves of five digits, in 32 bits: the usual case. */
		h[0] = (uint32_t)(u / 100000);
		h[1] = (uint32_t)(u % 100000);
		for (i = 0; i < 2; i++) {
			w = h[i];
			dbuf[5 * i] = (char)('0' + w / 10000);
			w %= 10000;
			memcpy(dbuf + 5 * i + 1, pairs + 2 * (w / 100), 2);
			memcpy(dbuf + 5 * i + 3, pairs + 2 * (w % 100), 2);
		}
		dig = dbuf + 10 - digits;
	} else {
		for (n = digits; n > 1; n -= 2, u /= 100)
			memcpy(dig + n - 2, pairs + 2 * (u % 100), 2);
		if (n == 1)
			dig[0] = (char)('0' + u);
	}
	for (n = digits; n > 1 && dig[n - 1] == '0'; n--)
		continue;		/* %g drops trailing zeros */
	/* Written in place: sign, 17 digits, point, "e-308": 25 bytes. */
	p = ev_buf_room(b, 32);
	if (v < 0)
		*p++ = '-';
	if (x < -4 || x >= digits) {
		*p++ = dig[0];
		if (n > 1) {
			*p++ = '.';
			memcpy(p, dig + 1, (size_t)n - 1);
			p += n - 1;
		}
		*p++ = 'e';
		*p++ = x < 0 ? '-' : '+';
		i = x < 0 ? -x : x;
		if (i >= 100)
			*p++ = (char)('0' + i / 100);
		*p++ = (char)('0' + i / 10 % 10);
		*p++ = (char)('0' + i % 10);
	} else if (x < 0) {
		*p++ = '0';
		*p++ = '.';
		memset(p, '0', (size_t)(-x - 1));
		p += -x - 1;
		memcpy(p, dig, (size_t)n);
		p += n;
	} else {
		memcpy(p, dig, (size_t)(x + 1 < n ? x + 1 : n));
		p += x + 1 < n ? x + 1 : n;
		for (i = n; i < x + 1; i++)
			*p++ = '0';
		if (n > x + 1) {
			*p++ = '.';
			memcpy(p, dig + x + 1, (size_t)(n - x - 1));
			p += n - x - 1;
		}
	}
	ev_buf_put_end(b, p);
	return x >= 0 && x < digits && n <= x + 1;
slow:
	n = snprintf(tmp, sizeof tmp, "%.*g", digits, v);
	ev_buf_add(b, tmp, (size_t)n);
	return strpbrk(tmp, ".e") == NULL;
}
