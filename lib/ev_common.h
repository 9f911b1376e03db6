/*
 * ev_common.h - what every evkit module and program shares: exit statuses,
 * allocation helpers that exit on failure, checked number parsing and the
 * version string.
 *
 * Ownership: the x* allocators return new memory owned by the caller, to be
 * released with free(3).
 */
#ifndef EV_COMMON_H
#define EV_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define EV_VERSION "0.1.0"

/* Exit statuses, the same in every program (DESIGN.md, contract 9). */
#define EV_EXIT_OK	0	/* ran to the end, nothing rejected beyond what is allowed */
#define EV_EXIT_DATA	1	/* ran to the end, records rejected or a quality gate failed */
#define EV_EXIT_USAGE	2	/* usage or configuration error, before any input */
#define EV_EXIT_RUNTIME	3	/* runtime failure part-way */

/* Allocation that exits with EV_EXIT_RUNTIME and a diagnostic on failure. */
void	*ev_xmalloc(size_t n);
void	*ev_xcalloc(size_t nmemb, size_t size);
void	*ev_xrealloc(void *p, size_t n);
void	*ev_xreallocarray(void *p, size_t nmemb, size_t size);
char	*ev_xstrdup(const char *s);
char	*ev_xstrndup(const char *s, size_t n);

/*
 * Parse a whole string as a base-10 integer in [min, max], in the spirit of
 * OpenBSD strtonum(3).  On error returns 0 and sets *errstr to a static
 * message ("invalid", "too small", "too large"); on success *errstr = NULL.
 */
long long	ev_strtonum(const char *s, long long min, long long max,
		    const char **errstr);

/*
 * Parse a whole string as a finite double.  Returns 0 on success, -1 if the
 * string is empty, has trailing garbage, or is not finite.
 */
int	ev_strtod(const char *s, double *out);

/*
 * FNV-1a, 64 bits: the one non-cryptographic hash evkit uses for hash
 * tables, fingerprints and sharding.  ev_hash_more continues a hash.
 */
#define EV_HASH_INIT	UINT64_C(14695981039346656037)
uint64_t	ev_hash_bytes(const void *p, size_t n);
uint64_t	ev_hash_more(uint64_t h, const void *p, size_t n);
/*
 * murmur3's 64-bit finaliser: spreads every input bit over the output, for
 * uses that take bits from one end (HyperLogLog, power-of-two tables).
 */
uint64_t	ev_hash_mix(uint64_t h);

/* The program name used in diagnostics (set once by ev_run_init). */
const char	*ev_progname(void);
void		 ev_set_progname(const char *name);
/*
 * Point argv[0] at its base name ("build/ev-window" becomes "ev-window"),
 * so that getopt_long's own messages name the program as every other
 * diagnostic does.  Every main calls it first.  argv[0] stays a pointer
 * into the same string; nothing is allocated.
 */
void		 ev_set_argv0_base(char *argv[]);

/*
 * The index of s in a NULL-terminated list of words, or -1: for options
 * that take one of a few keywords.
 */
int	ev_word_index(const char *s, const char *const *words);

/*
 * Diagnostics to stderr as "prog: message".  ev_die exits with the given
 * status after printing.  Messages are lowercase with no final full stop.
 */
void	ev_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	ev_die(int status, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3), noreturn));
/*
 * A usage error, the one way every program reports it: "prog: message"
 * and "Try 'prog --help' for more information." on stderr, exit
 * EV_EXIT_USAGE.  ev_usage_try prints the second line only (after
 * getopt_long has said what is wrong); ev_vusage_error takes a va_list.
 */
void	ev_usage_error(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	ev_vusage_error(const char *fmt, va_list ap)
	    __attribute__((format(printf, 1, 0), noreturn));
void	ev_usage_try(void) __attribute__((noreturn));

/*
 * Format an error message into the caller's buffer err of errlen bytes (the
 * err/errlen pair of every lib function that can fail), truncating.
 */
void	ev_errf(char *err, size_t errlen, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* Whether path names a directory (following symbolic links). */
int	ev_is_dir(const char *path);

#endif /* EV_COMMON_H */
