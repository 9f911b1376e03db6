/* ev_common.c - allocation, number parsing and diagnostics. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ev_common.h"

/*
 * The program name is set once at start-up and only read afterwards; it is
 * the one piece of process-wide configuration the diagnostics need.
 */
static const char *progname = "evkit";

const char *
ev_progname(void)
{
	return progname;
}

void
ev_set_progname(const char *name)
{
	progname = name;
}

void
ev_set_argv0_base(char *argv[])
{
	char *slash;

	if (argv == NULL || argv[0] == NULL)
		return;
	slash = strrchr(argv[0], '/');
	if (slash != NULL && slash[1] != '\0')
		argv[0] = slash + 1;
}

int
ev_word_index(const char *s, const char *const *words)
{
	int i;

	for (i = 0; words[i] != NULL; i++)
		if (strcmp(s, words[i]) == 0)
			return i;
	return -1;
}

static void
oom(void)
{
	fprintf(stderr, "%s: out of memory\n", progname);
	exit(EV_EXIT_RUNTIME);
}

void *
ev_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
ev_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
ev_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		oom();
	return p;
}

void *
ev_xreallocarray(void *p, size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		oom();
	return ev_xrealloc(p, nmemb * size);
}

char *
ev_xstrdup(const char *s)
{
	return ev_xstrndup(s, strlen(s));
}

char *
ev_xstrndup(const char *s, size_t n)
{
	char *p = ev_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

long long
ev_strtonum(const char *s, long long min, long long max, const char **errstr)
{
	char *end;
	long long v;

	*errstr = "invalid";
	if (s == NULL || *s == '\0' || min > max)
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0')
		return 0;
	if ((errno == ERANGE && v == LLONG_MIN) || v < min) {
		*errstr = "too small";
		return 0;
	}
	if ((errno == ERANGE && v == LLONG_MAX) || v > max) {
		*errstr = "too large";
		return 0;
	}
	*errstr = NULL;
	return v;
}

int
ev_strtod(const char *s, double *out)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (*end != '\0' || errno == ERANGE || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

uint64_t
ev_hash_more(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

uint64_t
ev_hash_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return h;
}

uint64_t
ev_hash_bytes(const void *p, size_t n)
{
	return ev_hash_more(EV_HASH_INIT, p, n);
}

static void
vwarn_(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", progname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
ev_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_(fmt, ap);
	va_end(ap);
}

void
ev_die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_(fmt, ap);
	va_end(ap);
	exit(status);
}

void
ev_usage_try(void)
{
	fprintf(stderr, "Try '%s --help' for more information.\n", progname);
	exit(EV_EXIT_USAGE);
}

void
ev_vusage_error(const char *fmt, va_list ap)
{
	vwarn_(fmt, ap);
	ev_usage_try();
}

void
ev_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ev_vusage_error(fmt, ap);
	va_end(ap);
}

void
ev_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int
ev_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}
