/*
 * ev_dtoa.cc - ev_dtoa_shortest over double-conversion's DoubleToAscii.
 * The library is C++; this file uses no exceptions, RTTI or allocation
 * (ev_jidx.cc, the other C++ file, no exceptions or RTTI), so the
 * programs link as C.
 */
#include <double-conversion/double-to-string.h>

#include "ev_dtoa.h"

extern "C" int
ev_dtoa_shortest(double v, char *digits, int *point)
{
	using double_conversion::DoubleToStringConverter;
	bool sign;
	int len;

	DoubleToStringConverter::DoubleToAscii(v,
	    DoubleToStringConverter::SHORTEST, 0, digits, EV_DTOA_DIGITS,
	    &sign, &len, point);
	return len;
}
