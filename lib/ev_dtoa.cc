/*
 * ev_dtoa.cc - ev_dtoa_shortest over the C++ standard library's
 * std::to_chars (C++17; libstdc++ implements it with Ryu).  This file uses
 * no exceptions, RTTI or allocation (ev_jidx.cc, the other C++ file, no
 * exceptions or RTTI), so the programs link as C.
 *
 * to_chars in scientific form with no precision gives the shortest digits
 * that read back, the nearest to v when several are as short, as
 * double-conversion's SHORTEST mode did before it at twice the cost; the
 * digits are taken back out of "d.ddde+XX".
 */
#include <charconv>

#include "ev_dtoa.h"

extern "C" int
ev_dtoa_shortest(double v, char *digits, int *point)
{
	char buf[32];
	const char *p = buf, *end;
	int len = 0, x = 0, neg = 0;

	end = std::to_chars(buf, buf + sizeof(buf), v < 0 ? -v : v,
	    std::chars_format::scientific).ptr;
	digits[len++] = *p++;
	if (*p == '.')
		for (p++; *p != 'e'; p++)
			digits[len++] = *p;
	digits[len] = '\0';
	p++;				/* the 'e' */
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	while (p < end)
		x = 10 * x + (*p++ - '0');
	*point = (neg ? -x : x) + 1;
	return len;
}
