/*
 * ev_schemaver.c - SchemaVer versions (see ev_schemaver.h).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "ev_schemaver.h"

/* One decimal field without leading zeros; advances *p past it. */
static int
field(const char **p, const char *end, long *out)
{
	const char *s = *p;
	long v = 0;

	if (s >= end || *s < '0' || *s > '9')
		return -1;
	if (*s == '0' && s + 1 < end && s[1] >= '0' && s[1] <= '9')
		return -1;
	while (s < end && *s >= '0' && *s <= '9') {
		if (v > (LONG_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*s - '0');
		s++;
	}
	*p = s;
	*out = v;
	return 0;
}

int
ev_schemaver_read(const char *s, size_t n, struct ev_schemaver *v)
{
	const char *p = s, *end = s + n;

	if (field(&p, end, &v->model) == -1 || p >= end || *p++ != '-' ||
	    field(&p, end, &v->revision) == -1 || p >= end || *p++ != '-' ||
	    field(&p, end, &v->addition) == -1 || p != end)
		return -1;
	return v->model >= 1 ? 0 : -1;
}

int
ev_schemaver_cmp(const struct ev_schemaver *a, const struct ev_schemaver *b)
{
	if (a->model != b->model)
		return a->model < b->model ? -1 : 1;
	if (a->revision != b->revision)
		return a->revision < b->revision ? -1 : 1;
	if (a->addition != b->addition)
		return a->addition < b->addition ? -1 : 1;
	return 0;
}

enum ev_schemaver_part
ev_schemaver_diff(const struct ev_schemaver *a, const struct ev_schemaver *b)
{
	if (a->model != b->model)
		return EV_SCHEMAVER_MODEL;
	if (a->revision != b->revision)
		return EV_SCHEMAVER_REVISION;
	if (a->addition != b->addition)
		return EV_SCHEMAVER_ADDITION;
	return EV_SCHEMAVER_NONE;
}

struct ev_schemaver
ev_schemaver_bump(const struct ev_schemaver *v, enum ev_schemaver_part p)
{
	struct ev_schemaver r = *v;

	switch (p) {
	case EV_SCHEMAVER_MODEL:
		r.model++;
		r.revision = r.addition = 0;
		break;
	case EV_SCHEMAVER_REVISION:
		r.revision++;
		r.addition = 0;
		break;
	case EV_SCHEMAVER_ADDITION:
		r.addition++;
		break;
	case EV_SCHEMAVER_NONE:
		break;
	}
	return r;
}

void
ev_schemaver_format(const struct ev_schemaver *v, char *buf, size_t size)
{
	snprintf(buf, size, "%ld-%ld-%ld", v->model, v->revision, v->addition);
}

const char *
ev_schemaver_part_name(enum ev_schemaver_part p)
{
	static const char *names[] = { "none", "addition", "revision",
	    "model" };

	return names[p];
}
