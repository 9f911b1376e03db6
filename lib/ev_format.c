/*
 * ev_format.c - "format" assertions for JSON Schema (RFC 3339 dates and
 * times, ISO 8601 durations, RFC 5321 addresses, RFC 1123 host names,
 * RFC 2673/4291 addresses, RFC 3986 URIs, RFC 4122 UUIDs, ECMA-262
 * patterns, RFC 6901 pointers).
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "ev_format.h"
#include "ev_schema.h"

static int
isdig(char c)
{
	return c >= '0' && c <= '9';
}

static int
isalpha_(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
ishex(char c)
{
	return isdig(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* n digits at s as a number, or -1. */
static int
digits(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!isdig(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
check_date(const char *s, size_t n)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, m, d;

	if (n != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	y = digits(s, 4);
	m = digits(s + 5, 2);
	d = digits(s + 8, 2);
	if (y < 0 || m < 1 || m > 12 || d < 1)
		return 0;
	return d <= mdays[m - 1] + (m == 2 && leap(y));
}

static int
check_time(const char *s, size_t n)
{
	int h, m, sec, oh = 0, om = 0, sign = 0;
	size_t i;

	if (n < 9 || s[2] != ':' || s[5] != ':')
		return 0;
	h = digits(s, 2);
	m = digits(s + 3, 2);
	sec = digits(s + 6, 2);
	if (h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 60)
		return 0;
	i = 8;
	if (i < n && s[i] == '.') {
		size_t st = ++i;
		while (i < n && isdig(s[i]))
			i++;
		if (i == st)
			return 0;
	}
	if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
		if (i + 1 != n)
			return 0;
	} else if (i < n && (s[i] == '+' || s[i] == '-')) {
		sign = s[i] == '+' ? 1 : -1;
		if (n - i != 6 || s[i + 3] != ':')
			return 0;
		oh = digits(s + i + 1, 2);
		om = digits(s + i + 4, 2);
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return 0;
	} else
		return 0;
	if (sec == 60) {
		/* A leap second is 23:59:60 in UTC. */
		int mins = h * 60 + m - sign * (oh * 60 + om);
		mins = ((mins % 1440) + 1440) % 1440;
		if (mins != 23 * 60 + 59)
			return 0;
	}
	return 1;
}

static int
check_datetime(const char *s, size_t n)
{
	if (n < 11 || (s[10] != 'T' && s[10] != 't'))
		return 0;
	return check_date(s, 10) && check_time(s + 11, n - 11);
}

static int
check_duration(const char *s, size_t n)
{
	static const char date_units[] = "YMD", time_units[] = "HMS";
	size_t i = 1;
	int any = 0, in_time = 0, last = -1;

	if (n < 2 || s[0] != 'P')
		return 0;
	if (s[n - 1] == 'W') {
		for (i = 1; i < n - 1; i++)
			if (!isdig(s[i]))
				return 0;
		return n > 2;
	}
	while (i < n) {
		size_t st = i;
		const char *u;
		int idx;
		if (s[i] == 'T') {
			if (in_time)
				return 0;
			in_time = 1;
			last = -1;
			i++;
			if (i == n)
				return 0;
			continue;
		}
		while (i < n && isdig(s[i]))
			i++;
		if (i == st || i == n)
			return 0;
		u = strchr(in_time ? time_units : date_units, s[i]);
		if (u == NULL || s[i] == '\0')
			return 0;
		idx = (int)(u - (in_time ? time_units : date_units));
		/* Units run contiguously: P1Y2D and PT1H2S are not durations. */
		if (idx <= last || (last >= 0 && idx != last + 1))
			return 0;
		last = idx;
		any = 1;
		i++;
	}
	return any;
}

static int
check_ipv4(const char *s, size_t n)
{
	size_t i = 0;
	int part;

	for (part = 0; part < 4; part++) {
		size_t st = i;
		int v = 0;
		while (i < n && isdig(s[i]) && i - st < 4)
			v = v * 10 + (s[i++] - '0');
		if (i == st || i - st > 3 || v > 255 ||
		    (i - st > 1 && s[st] == '0'))
			return 0;
		if (part < 3) {
			if (i >= n || s[i] != '.')
				return 0;
			i++;
		}
	}
	return i == n;
}

static int
check_ipv6(const char *s, size_t n)
{
	char buf[64];
	unsigned char out[16];
	const char *lastc;

	if (n == 0 || n >= sizeof(buf))
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (strchr(buf, '%'))
		return 0;
	/* An embedded IPv4 part must be a valid dotted quad. */
	lastc = strrchr(buf, ':');
	if (lastc && strchr(lastc, '.') &&
	    !check_ipv4(lastc + 1, strlen(lastc + 1)))
		return 0;
	return inet_pton(AF_INET6, buf, out) == 1;
}

static int
check_hostname(const char *s, size_t n)
{
	size_t i = 0, st;

	if (n == 0 || n > 253)
		return 0;
	while (i < n) {
		st = i;
		while (i < n && s[i] != '.') {
			if (!isalpha_(s[i]) && !isdig(s[i]) && s[i] != '-')
				return 0;
			i++;
		}
		if (i == st || i - st > 63 || s[st] == '-' || s[i - 1] == '-')
			return 0;
		/* Punycode labels: "xn--" only, "--" not in positions 3-4. */
		if (i - st >= 4 && s[st + 2] == '-' && s[st + 3] == '-' &&
		    !((s[st] == 'x' || s[st] == 'X') &&
		    (s[st + 1] == 'n' || s[st + 1] == 'N')))
			return 0;
		if (i < n)
			i++;
		if (i == n && s[n - 1] == '.')
			return 0;
	}
	return 1;
}

static int
check_email(const char *s, size_t n, int idn)
{
	const char *at = NULL;
	size_t i, ln;

	for (i = n; i > 0; i--)
		if (s[i - 1] == '@') {
			at = s + i - 1;
			break;
		}
	if (at == NULL)
		return 0;
	ln = (size_t)(at - s);
	if (ln == 0 || ln > 64)
		return 0;
	if (s[0] == '"') {
		if (ln < 2 || s[ln - 1] != '"')
			return 0;
	} else {
		if (s[0] == '.' || s[ln - 1] == '.')
			return 0;
		for (i = 0; i < ln; i++) {
			if (s[i] == '.' && s[i + 1] == '.')
				return 0;
			if (!isalpha_(s[i]) && !isdig(s[i]) &&
			    !(idn && (unsigned char)s[i] >= 0x80) &&
			    !strchr("!#$%&'*+-/=?^_`{|}~.", s[i]))
				return 0;
		}
	}
	s = at + 1;
	n -= ln + 1;
	if (n > 2 && s[0] == '[' && s[n - 1] == ']') {
		if (n > 7 && strncmp(s + 1, "IPv6:", 5) == 0)
			return check_ipv6(s + 6, n - 7);
		return check_ipv4(s + 1, n - 2);
	}
	if (idn) {
		size_t k;
		for (k = 0; k < n; k++)
			if ((unsigned char)s[k] >= 0x80)
				return n > 0 && s[0] != '.' && s[n - 1] != '.';
	}
	return check_hostname(s, n);
}

static int
check_uuid(const char *s, size_t n)
{
	size_t i;

	if (n != 36)
		return 0;
	for (i = 0; i < n; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!ishex(s[i]))
			return 0;
	}
	return 1;
}

static int
check_pointer(const char *s, size_t n)
{
	size_t i;

	if (n > 0 && s[0] != '/')
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] == '~' && (i + 1 >= n || (s[i + 1] != '0' &&
		    s[i + 1] != '1')))
			return 0;
	return 1;
}

static int
check_rel_pointer(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && isdig(s[i]))
		i++;
	if (i == 0 || (i > 1 && s[0] == '0'))
		return 0;
	if (i == n)
		return 1;
	if (s[i] == '#')
		return i + 1 == n;
	return check_pointer(s + i, n - i);
}

static int
unreserved(unsigned char c, int iri)
{
	return isalpha_((char)c) || isdig((char)c) || c == '-' || c == '.' ||
	    c == '_' || c == '~' || (iri && c >= 0x80);
}

static int
sub_delim(unsigned char c)
{
	return c != '\0' && strchr("!$&'()*+,;=", c) != NULL;
}

/* Characters of s[from, to) are pchars plus those in extra; %XX checked. */
static int
span_ok(const char *s, size_t from, size_t to, const char *extra, int iri)
{
	size_t i;

	for (i = from; i < to; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 >= to + 0 || !ishex(s[i + 1]) ||
			    !ishex(s[i + 2]))
				return 0;
			i += 2;
		} else if (!unreserved(c, iri) && !sub_delim(c) &&
		    !strchr(extra, c))
			return 0;
	}
	return 1;
}

static int
check_authority(const char *s, size_t st, size_t e, int iri)
{
	size_t at = SIZE_MAX, i, hs, he, ps;

	for (i = st; i < e; i++)
		if (s[i] == '@') {
			if (at != SIZE_MAX)
				return 0;
			at = i;
		}
	if (at != SIZE_MAX && !span_ok(s, st, at, ":", iri))
		return 0;
	hs = at == SIZE_MAX ? st : at + 1;
	if (hs < e && s[hs] == '[') {
		const char *rb = memchr(s + hs, ']', e - hs);
		if (rb == NULL)
			return 0;
		he = (size_t)(rb - s) + 1;
		if (hs + 1 < he - 1 && (s[hs + 1] == 'v' || s[hs + 1] == 'V')) {
			if (!span_ok(s, hs + 2, he - 1, ":", 0))
				return 0;
		} else if (!check_ipv6(s + hs + 1, he - hs - 2))
			return 0;
	} else {
		he = hs;
		while (he < e && s[he] != ':')
			he++;
		if (!span_ok(s, hs, he, "", iri))
			return 0;
	}
	if (he < e) {
		if (s[he] != ':')
			return 0;
		for (ps = he + 1; ps < e; ps++)
			if (!isdig(s[ps]))
				return 0;
	}
	return 1;
}

/* RFC 3986 (RFC 3987 with iri): URI, or with ref a relative reference. */
static int
check_uri(const char *s, size_t n, int ref, int iri)
{
	size_t i = 0, p, q;
	int has_scheme = 0;

	if (memchr(s, '\0', n))
		return 0;
	while (i < n && (isalpha_(s[i]) || (i > 0 && (isdig(s[i]) ||
	    s[i] == '+' || s[i] == '-' || s[i] == '.'))))
		i++;
	if (i > 0 && i < n && s[i] == ':') {
		has_scheme = 1;
		i++;
	} else {
		if (!ref)
			return 0;
		i = 0;
	}
	if (i + 1 < n && s[i] == '/' && s[i + 1] == '/') {
		size_t st = i + 2, e = st;
		while (e < n && s[e] != '/' && s[e] != '?' && s[e] != '#')
			e++;
		if (!check_authority(s, st, e, iri))
			return 0;
		i = e;
	} else if (!has_scheme) {
		/* A relative path's first segment holds no colon. */
		for (p = i; p < n && s[p] != '/' && s[p] != '?' &&
		    s[p] != '#'; p++)
			if (s[p] == ':')
				return 0;
	}
	for (p = i; p < n && s[p] != '?' && s[p] != '#'; p++)
		;
	if (!span_ok(s, i, p, ":@/", iri))
		return 0;
	if (p < n && s[p] == '?') {
		for (q = p + 1; q < n && s[q] != '#'; q++)
			;
		if (!span_ok(s, p + 1, q, ":@/?", iri))
			return 0;
		p = q;
	}
	if (p < n && s[p] == '#' && !span_ok(s, p + 1, n, ":@/?", iri))
		return 0;
	return 1;
}

/* RFC 6570 level 4 syntax. */
static int
check_uri_template(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c == '{') {
			int first = 1;
			i++;
			if (i < n && strchr("+#./;?&=,!@|", s[i]))
				i++;
			for (;;) {
				size_t st = i;
				int prev_dot = 1;
				(void)first;
				while (i < n) {
					if (s[i] == '%' && i + 2 < n &&
					    ishex(s[i + 1]) && ishex(s[i + 2]))
						i += 3, prev_dot = 0;
					else if (isalpha_(s[i]) || isdig(s[i]) ||
					    s[i] == '_')
						i++, prev_dot = 0;
					else if (s[i] == '.' && !prev_dot)
						i++, prev_dot = 1;
					else
						break;
				}
				if (i == st || prev_dot)
					return 0;
				if (i < n && s[i] == ':') {
					size_t ds = ++i;
					while (i < n && isdig(s[i]))
						i++;
					if (i == ds || i - ds > 4 ||
					    s[ds] == '0')
						return 0;
				} else if (i < n && s[i] == '*')
					i++;
				if (i < n && s[i] == ',') {
					i++;
					first = 0;
					continue;
				}
				break;
			}
			if (i >= n || s[i] != '}')
				return 0;
			i++;
		} else if (c <= 0x20 || c == 0x7f || strchr("\"<>\\^`|}", c)) {
			return 0;
		} else if (c == '%') {
			if (i + 2 >= n || !ishex(s[i + 1]) || !ishex(s[i + 2]))
				return 0;
			i += 3;
		} else
			i++;
	}
	return 1;
}

int
ev_format_known(const char *fmt)
{
	static const char *const known[] = { "date-time", "date", "time",
	    "duration", "email", "idn-email", "hostname", "idn-hostname",
	    "ipv4", "ipv6", "uri", "uri-reference", "iri", "iri-reference",
	    "uuid", "regex", "json-pointer", "relative-json-pointer",
	    "uri-template", NULL };
	size_t i;

	for (i = 0; known[i]; i++)
		if (strcmp(known[i], fmt) == 0)
			return 1;
	return 0;
}

int
ev_format_check(const char *fmt, const char *s, size_t n)
{
	if (strcmp(fmt, "date-time") == 0)
		return check_datetime(s, n);
	if (strcmp(fmt, "date") == 0)
		return check_date(s, n);
	if (strcmp(fmt, "time") == 0)
		return check_time(s, n);
	if (strcmp(fmt, "duration") == 0)
		return check_duration(s, n);
	if (strcmp(fmt, "email") == 0)
		return check_email(s, n, 0);
	if (strcmp(fmt, "idn-email") == 0)
		return check_email(s, n, 1);
	if (strcmp(fmt, "hostname") == 0)
		return check_hostname(s, n);
	if (strcmp(fmt, "ipv4") == 0)
		return check_ipv4(s, n);
	if (strcmp(fmt, "ipv6") == 0)
		return check_ipv6(s, n);
	if (strcmp(fmt, "uri") == 0)
		return check_uri(s, n, 0, 0);
	if (strcmp(fmt, "uri-reference") == 0)
		return check_uri(s, n, 1, 0);
	if (strcmp(fmt, "iri") == 0)
		return check_uri(s, n, 0, 1);
	if (strcmp(fmt, "iri-reference") == 0)
		return check_uri(s, n, 1, 1);
	if (strcmp(fmt, "uri-template") == 0)
		return check_uri_template(s, n);
	if (strcmp(fmt, "uuid") == 0)
		return check_uuid(s, n);
	if (strcmp(fmt, "regex") == 0)
		return ev_schema_regex_ok(s, n);
	if (strcmp(fmt, "json-pointer") == 0)
		return check_pointer(s, n);
	if (strcmp(fmt, "relative-json-pointer") == 0)
		return check_rel_pointer(s, n);
	return 1;
}
