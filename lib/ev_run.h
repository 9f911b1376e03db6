/*
 * ev_run.h - the run of one program: common options, the output stream,
 * rejects, stats, exit status and signals.  Every program in cmd/ drives its
 * main loop through it so the contract in DESIGN.md holds everywhere.
 *
 * Common options (every program): --rejects FILE, --stats FILE,
 * --max-line BYTES, --flush-interval DUR, --max-reject-rate R, --help,
 * --version.  A program merges EV_RUN_LONGOPTS into its own option table and
 * passes unknown option codes to ev_run_option.
 *
 * Counting (the balance every test checks):
 *   in = passed + rejected + late + duplicate + aggregated + filtered
 * where in counts non-blank input lines, passed counts input records written
 * on (changed or not), aggregated counts records absorbed into an
 * aggregate or model, and filtered the records a --where left out (written
 * to --stats only by a run that has a --where: filtering set).  out counts every record written to stdout, including
 * new ones (windows, alerts).  Blank lines are counted apart as "blank".
 *
 * Signals, installed before main (a constructor here) and again by
 * ev_run_init: SIGINT and SIGTERM set a flag (ev_run_stopping) so the loop ends
 * and the program emits what is open; SIGHUP sets a reload flag
 * (ev_run_take_reload); SIGPIPE is ignored and a closed stdout ends the run
 * quietly.  These flags are the only mutable globals in lib/ (a signal
 * handler can reach nothing else).
 *
 * Ownership: ev_run owns its files; ev_run_reject steals the errors array.
 */
#ifndef EV_RUN_H
#define EV_RUN_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#include "ev_buf.h"
#include "ev_io.h"
#include "ev_path.h"
#include "ev_rec.h"
#include "ev_time.h"

/* Option codes for the common long options (above any short option). */
enum {
	EV_OPT_REJECTS = 0x1000,
	EV_OPT_STATS,
	EV_OPT_MAX_LINE,
	EV_OPT_FLUSH_INTERVAL,
	EV_OPT_MAX_REJECT_RATE,
	EV_OPT_HELP,
	EV_OPT_VERSION,
	EV_OPT_FIRST_TOOL = 0x1100	/* programs number their own from here */
};

#define EV_RUN_LONGOPTS \
	{ "flush-interval", required_argument, NULL, EV_OPT_FLUSH_INTERVAL }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "max-line", required_argument, NULL, EV_OPT_MAX_LINE }, \
	{ "max-reject-rate", required_argument, NULL, EV_OPT_MAX_REJECT_RATE }, \
	{ "rejects", required_argument, NULL, EV_OPT_REJECTS }, \
	{ "stats", required_argument, NULL, EV_OPT_STATS }, \
	{ "version", no_argument, NULL, 'V' }

/* Text of the common options for --help, one per line, indented two. */
#define EV_RUN_HELP \
"  --flush-interval DUR   flush output at most this long after a write (1s)\n" \
"  -h, --help             print this help and exit\n" \
"  --max-line BYTES       reject lines longer than this (1048576)\n" \
"  --max-reject-rate R    exit 0 while rejected/in stays at or below R (0)\n" \
"  --rejects FILE         write reject records to FILE (default: stderr)\n" \
"  --stats FILE           write the run's counts to FILE as one JSON line\n" \
"  -V, --version          print the version and exit\n"

#define EV_RUN_MAX_FILES	4

/* A stream of records besides stdout: rejects, late events, duplicates. */
struct ev_run_file {
	FILE		*fp;
	const char	*what;		/* "rejects", "late", ... (static) */
	const char	*path;		/* borrowed: the option's argument */
	int		 err;		/* errno of the first failure, or 0 */
};

struct ev_run {
	const char	*prog;
	const char	*usage;		/* full --help text */
	const char	*usage_more;	/* printed after it (EV_EXPR_HELP), or NULL */
	struct ev_out	 out;
	struct ev_reader *in;
	const char	*input_name;	/* "<stdin>" */
	size_t		 max_line;
	ev_us_t		 flush_interval;
	double		 max_reject_rate;
	char		*rejects_path;
	FILE		*rejects;	/* NULL: one-line diagnostics on stderr */
	struct ev_run_file files[EV_RUN_MAX_FILES];	/* rejects first */
	size_t		 nfiles;
	char		*stats_path;
	uint64_t	 n_in, n_passed, n_rejected, n_late, n_duplicate,
			 n_aggregated, n_out, n_filtered;
	int		 filtering;	/* --where given: write "filtered" */
	json_t		*extra;		/* more stats members (tool-specific) */
	struct ev_buf	 line;		/* scratch for records being written */
	int		 gate_failed;	/* a data-quality gate failed: exit 1 */
	int		 failed;	/* a runtime failure: exit 3 */
};

/* Set the program name, install signal handlers, set defaults. */
void	ev_run_init(struct ev_run *run, const char *prog, const char *usage);
/*
 * Install the signal handlers (see above); ev_run_init does it, and a
 * program that writes with stdio and has no run (ev-schema) calls it.
 */
void	ev_run_signals(void);
/*
 * Flush what was written to stdout through stdio: 0 when all of it was
 * written or the reader has gone (a closed pipe ends a program quietly),
 * -1 after "write error on standard output: <reason>" on stderr.
 */
int	ev_run_close_stdout(void);
/*
 * Handle a common option code (from getopt_long).  Returns 1 if handled, 0
 * if the code is not a common one.  Exits for --help (0), --version (0),
 * bad values (2) and getopt's '?' for an unknown option or a missing
 * argument (2, after getopt's own message).
 */
int	ev_run_option(struct ev_run *run, int code, const char *arg);
/*
 * getopt_long over the program's options with the common ones handled by
 * ev_run_option: returns the next code that is the program's own, or -1
 * after the last option.  When the program has set opterr to 0 it reports
 * bad options itself, and gets '?' and ':' back.
 */
int	ev_run_getopt(struct ev_run *run, int argc, char **argv,
	    const char *optstring, const struct option *longopts);
/* After the options: a usage error (exit 2) if any argument is left. */
void	ev_run_no_operands(struct ev_run *run, int argc, char **argv);
/* Print "prog: msg" and "Try 'prog --help'" to stderr, exit 2. */
void	ev_run_usage_error(struct ev_run *run, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3), noreturn));
/*
 * The duration arg given to option opt (e.g. "--step"), or a usage error
 * "opt 'arg' is not a [positive ]duration": negative durations are never
 * taken, zero only when positive is 0.
 */
ev_us_t	ev_run_duration(struct ev_run *run, const char *opt, const char *arg,
	    int positive);
/*
 * --help and --version, for every program (ev_run_option calls them, and
 * a program without a run, ev-schema, too): usage to stdout, or "prog
 * (evkit) VERSION"; exit 0, or 3 when stdout cannot be written.
 */
void	ev_run_help(const char *usage) __attribute__((noreturn));
void	ev_run_version(void) __attribute__((noreturn));
/*
 * Open a file of records (created 0600, ev_file_open_private) that the run
 * owns: ev_run_reject_to writes to it, a write error on it is reported once
 * as "write error on <what> file '<path>': <reason>" (exit 3), and
 * ev_run_finish closes it.  Exits 2 when it cannot be opened.  path is
 * borrowed for the whole run; what is a static string.
 */
FILE	*ev_run_open_file(struct ev_run *run, const char *what,
	    const char *path);
/*
 * Open stdin/stdout and the rejects file, and check the --stats file can be
 * written; exits 2 when a file cannot open or cannot be written.
 */
void	ev_run_open(struct ev_run *run);
/*
 * Exit 2 with "cannot write <what> file '<path>': <reason>" unless path can
 * be written at the end of the run (ev_file_check_writable).  Programs
 * check their state files with it before reading input.
 */
void	ev_run_check_writable(struct ev_run *run, const char *what,
	    const char *path);
/*
 * Read the next non-blank line.  Over-long lines are rejected here
 * (counted in and rejected) and skipped, so the caller only sees
 * EV_LINE_OK, EV_LINE_EOF, EV_LINE_TIMEOUT (with a timeout >= 0) or
 * EV_LINE_INTR (stop requested).  Counts n_in for returned lines.  A read
 * error sets failed and returns EV_LINE_EOF.
 *
 * The UTF-8 of a line is checked once, by the record layer in the same
 * pass as its grammar (a line ev_rec_parse accepts is valid UTF-8; the
 * fuzz harness fuzz_rec holds it to that), not here: a program hands every
 * line to ev_rec_parse and a line it refuses to ev_run_reject_parse.
 */
enum ev_line_kind ev_run_next(struct ev_run *run, struct ev_line *line,
	    ev_us_t timeout);
/* Write one output record (newline added); counts n_out. */
void	ev_run_emit(struct ev_run *run, const char *p, size_t n);
/* Write a record as ev_rec_write gives it; counts n_out and n_passed. */
void	ev_run_pass(struct ev_run *run, struct ev_rec *rec);
/*
 * A reject record in the shared shape to --rejects (or a diagnostic to
 * stderr); counts n_rejected, or n_late when reason is "late" (and
 * n_duplicate when "duplicate").  errors may be NULL; it is stolen.
 */
void	ev_run_reject(struct ev_run *run, const struct ev_line *line,
	    const char *reason, json_t *errors);
/*
 * Reject a line ev_rec_parse refused, err its message: as "utf8" ("invalid
 * UTF-8 at byte N", the line in base64) when the line is not UTF-8, else
 * as "parse" with err.
 */
void	ev_run_reject_parse(struct ev_run *run, const struct ev_line *line,
	    const char *err);
/* The same, to another stream of reject records (fp NULL: --rejects). */
void	ev_run_reject_to(struct ev_run *run, FILE *fp,
	    const struct ev_line *line, const char *reason, json_t *errors);
/*
 * The event time of a parsed record at tpath (field: its name in
 * messages): 0, or -1 after rejecting the line with reason "time"
 * (missing, or not a valid time).
 */
int	ev_run_event_time(struct ev_run *run, const struct ev_line *line,
	    const struct ev_rec *rec, const struct ev_path *tpath,
	    const char *field, ev_us_t *t);
/*
 * The user key of a parsed record at upath, its JSON text borrowed from
 * rec: 0, or -1 after rejecting the line with reason "user" (missing or
 * null).
 */
int	ev_run_event_user(struct ev_run *run, const struct ev_line *line,
	    const struct ev_rec *rec, const struct ev_path *upath,
	    const char *field, const char **user, size_t *ulen);
/* Reject a line whose time t is behind the watermark wm, to fp, "late". */
void	ev_run_reject_late(struct ev_run *run, FILE *fp,
	    const struct ev_line *line, const char *field, ev_us_t t,
	    ev_us_t wm);
/* Convenience: one error object {"message": msg} (plus "instance" if ptr). */
json_t	*ev_run_error(const char *instance, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Add a tool-specific stats member (steals val). */
void	ev_run_stat(struct ev_run *run, const char *key, json_t *val);
/* Nonzero once SIGINT/SIGTERM arrived, or stdout was closed. */
int	ev_run_stopping(const struct ev_run *run);
/* Returns 1 once per SIGHUP received. */
int	ev_run_take_reload(void);
/*
 * Flush, write --stats (to a file in $TMPDIR, said on stderr, when it cannot
 * be written), close files; returns the exit status: 3 on a runtime
 * failure, 1 when the reject rate exceeds --max-reject-rate or a gate
 * failed, else 0.
 */
int	ev_run_finish(struct ev_run *run);
/*
 * Release what the run holds without flushing or writing --stats: the
 * cleanup of a program that stops in its set-up.  ev_run_finish ends with
 * it, and a second call does nothing, so a program's one cleanup path can
 * call it whether the run finished or not.
 */
void	ev_run_release(struct ev_run *run);

#endif /* EV_RUN_H */
