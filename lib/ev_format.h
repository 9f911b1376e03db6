/*
 * ev_format.h - JSON Schema "format" assertions: date-time, date, time,
 * duration, email, hostname, ipv4, ipv6, uri, uri-reference, uuid, regex,
 * json-pointer (and relative-json-pointer, idn-hostname and idn-email in
 * their ASCII forms).  Formats it does not know are accepted, as the
 * specification requires.
 *
 * Ownership: nothing crosses this interface but borrowed strings.
 */
#ifndef EV_FORMAT_H
#define EV_FORMAT_H

#include <stddef.h>

/* 1 when s (n bytes) is valid for format fmt or fmt is unknown, else 0. */
int	ev_format_check(const char *fmt, const char *s, size_t n);
/* 1 when fmt is a format ev_format_check asserts. */
int	ev_format_known(const char *fmt);

#endif /* EV_FORMAT_H */
