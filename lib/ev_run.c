/* ev_run.c - the shared run of a program: options, I/O, rejects, stats. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ev_common.h"
#include "ev_json.h"
#include "ev_run.h"
#include "ev_state.h"

/*
 * Signal flags: the only mutable globals in lib/, because a signal handler
 * can reach nothing else.
 */
static volatile sig_atomic_t stop_flag;
static volatile sig_atomic_t hup_flag;
static volatile sig_atomic_t loop_flag;	/* a run's loop looks at stop_flag */

static void
on_stop(int sig)
{
	struct sigaction sa;

	stop_flag = 1;
	if (loop_flag)
		return;
	/*
	 * No run loop will ever look at the flag (ev-schema): stop as the
	 * default action would, once this handler returns.
	 */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigaction(sig, &sa, NULL);
	raise(sig);
}

static void
on_hup(int sig)
{
	(void)sig;
	hup_flag = 1;
}

void
ev_run_init(struct ev_run *run, const char *prog, const char *usage)
{
	memset(run, 0, sizeof *run);
	run->prog = prog;
	run->usage = usage;
	run->input_name = "<stdin>";
	run->max_line = EV_IO_MAX_LINE;
	run->flush_interval = EV_US_PER_SEC;
	run->max_reject_rate = 0;
	run->extra = json_object();
	ev_buf_init(&run->line);
	ev_set_progname(prog);
	ev_run_signals();
	loop_flag = 1;
}

void
ev_run_signals(void)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;	/* no SA_RESTART: a blocked read returns */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	/*
	 * A parent may hand them down blocked; one sent before the handlers
	 * were in is then pending, and is taken now.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/*
 * Install the handlers before main, as early as a program's own code can
 * run: the loading of the shared libraries takes milliseconds, and until
 * now a SIGHUP (reload) or SIGTERM (stop and save) killed the process.
 * Every program links this file, so none can forget.
 */
__attribute__((constructor)) static void
early_signals(void)
{
	ev_run_signals();
}

/* Whether the reader of a pipe on fd has gone (POLLERR on its write end). */
static int
reader_gone(int fd)
{
	struct pollfd p = { fd, POLLOUT, 0 };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLERR) != 0;
}

/*
 * Flush stdout and say what failed; prior is the errno of an earlier
 * write that failed (the buffer filled and was flushed then), or 0.
 */
static int
close_stdout(int prior)
{
	int bad, err;

	errno = 0;
	bad = fflush(stdout) != 0;
	err = errno != 0 ? errno : prior;
	if (ferror(stdout))
		bad = 1;
	if (!bad || err == EPIPE || reader_gone(STDOUT_FILENO))
		return 0;
	if (err != 0)
		ev_warn("write error on standard output: %s", strerror(err));
	else
		ev_warn("write error on standard output");
	return -1;
}

int
ev_run_close_stdout(void)
{
	return close_stdout(0);
}

/* usage, then more when not NULL, to stdout; exit 0, or 3 when it failed. */
static void __attribute__((noreturn))
help(const char *usage, const char *more)
{
	int err = 0;

	errno = 0;
	if (fputs(usage, stdout) == EOF || (more != NULL &&
	    fputs(more, stdout) == EOF))
		err = errno;
	exit(close_stdout(err) == 0 ? EV_EXIT_OK : EV_EXIT_RUNTIME);
}

void
ev_run_usage_error(struct ev_run *run, const char *fmt, ...)
{
	va_list ap;

	(void)run;	/* ev_run_init made run->prog the program name */
	va_start(ap, fmt);
	ev_vusage_error(fmt, ap);
	va_end(ap);
}

ev_us_t
ev_run_duration(struct ev_run *run, const char *opt, const char *arg,
    int positive)
{
	ev_us_t d;

	if (ev_duration_parse(arg, &d) != 0 || d < 0 || (positive && d == 0))
		ev_run_usage_error(run, "%s '%s' is not a %sduration", opt, arg,
		    positive ? "positive " : "");
	return d;
}

void
ev_run_help(const char *usage)
{
	help(usage, NULL);
}

void
ev_run_version(void)
{
	printf("%s (evkit) %s\n", ev_progname(), EV_VERSION);
	exit(ev_run_close_stdout() == 0 ? EV_EXIT_OK : EV_EXIT_RUNTIME);
}

int
ev_run_getopt(struct ev_run *run, int argc, char **argv,
    const char *optstring, const struct option *longopts)
{
	int c;

	for (;;) {
		c = getopt_long(argc, argv, optstring, longopts, NULL);
		if (c == -1)
			return -1;
		/* With opterr off the program says what is wrong itself. */
		if ((c == '?' || c == ':') && opterr == 0)
			return c;
		if (!ev_run_option(run, c, optarg))
			return c;
	}
}

void
ev_run_no_operands(struct ev_run *run, int argc, char **argv)
{
	if (optind < argc)
		ev_run_usage_error(run, "unexpected argument '%s'",
		    argv[optind]);
}

int
ev_run_option(struct ev_run *run, int code, const char *arg)
{
	const char *errstr;
	long long n;
	double d;

	switch (code) {
	case '?':
	case ':':
		/* getopt_long has said what is wrong. */
		ev_usage_try();
	case 'h':
	case EV_OPT_HELP:
		help(run->usage, run->usage_more);
	case 'V':
	case EV_OPT_VERSION:
		ev_run_version();
	case EV_OPT_REJECTS:
		free(run->rejects_path);
		run->rejects_path = ev_xstrdup(arg);
		return 1;
	case EV_OPT_STATS:
		free(run->stats_path);
		run->stats_path = ev_xstrdup(arg);
		return 1;
	case EV_OPT_MAX_LINE:
		n = ev_strtonum(arg, 16, (long long)1 << 31, &errstr);
		if (errstr)
			ev_run_usage_error(run, "--max-line '%s' is %s", arg,
			    errstr);
		run->max_line = (size_t)n;
		return 1;
	case EV_OPT_FLUSH_INTERVAL:
		if (ev_duration_parse(arg, &run->flush_interval) != 0)
			ev_run_usage_error(run,
			    "--flush-interval '%s' is not a duration", arg);
		return 1;
	case EV_OPT_MAX_REJECT_RATE:
		if (ev_strtod(arg, &d) != 0 || d < 0 || d > 1)
			ev_run_usage_error(run,
			    "--max-reject-rate '%s' is not a number in [0,1]",
			    arg);
		run->max_reject_rate = d;
		return 1;
	}
	return 0;
}

/* The first failure on a file of records: say it once, exit 3 at the end. */
static void
file_failed(struct ev_run_file *f, int err)
{
	if (f->err != 0)
		return;
	f->err = err ? err : EIO;
	ev_warn("write error on %s file '%s': %s", f->what, f->path,
	    strerror(f->err));
}

static struct ev_run_file *
file_of(struct ev_run *run, FILE *fp)
{
	size_t i;

	for (i = 0; i < run->nfiles; i++)
		if (run->files[i].fp == fp)
			return &run->files[i];
	return NULL;
}

FILE *
ev_run_open_file(struct ev_run *run, const char *what, const char *path)
{
	struct ev_run_file *f;
	FILE *fp;

	if (run->nfiles == EV_RUN_MAX_FILES)
		ev_die(EV_EXIT_USAGE, "too many output files");
	if ((fp = ev_file_open_private(path)) == NULL)
		ev_die(EV_EXIT_USAGE, "cannot open %s file '%s': %s", what,
		    path, strerror(errno));
	f = &run->files[run->nfiles++];
	f->fp = fp;
	f->what = what;
	f->path = path;
	f->err = 0;
	return fp;
}

static void
flush_on_idle(void *arg)
{
	struct ev_run *run = arg;

	size_t i;

	ev_out_flush(&run->out);
	for (i = 0; i < run->nfiles; i++)
		if (fflush(run->files[i].fp) != 0)
			file_failed(&run->files[i], errno);
}

static void
tick_on_read(void *arg)
{
	struct ev_run *run = arg;

	ev_out_tick(&run->out);
}

void
ev_run_check_writable(struct ev_run *run, const char *what, const char *path)
{
	char err[1024];

	(void)run;
	if (ev_file_check_writable(path, what, err, sizeof(err)) != 0)
		ev_die(EV_EXIT_USAGE, "%s", err);
}

void
ev_run_open(struct ev_run *run)
{
	if (run->stats_path != NULL)
		ev_run_check_writable(run, "stats", run->stats_path);
	if (run->rejects_path != NULL)
		run->rejects = ev_run_open_file(run, "rejects",
		    run->rejects_path);
	ev_out_init(&run->out, STDOUT_FILENO, run->flush_interval);
	run->in = ev_reader_new(STDIN_FILENO, run->max_line);
	/* The record layer checks the UTF-8 (ev_run_reject_parse). */
	ev_reader_check_utf8(run->in, 0);
	ev_reader_on_idle(run->in, flush_on_idle, run);
	ev_reader_on_read(run->in, tick_on_read, run);
}

int
ev_run_stopping(const struct ev_run *run)
{
	return stop_flag || run->out.status != EV_OUT_OK;
}

int
ev_run_take_reload(void)
{
	if (hup_flag) {
		hup_flag = 0;
		return 1;
	}
	return 0;
}

json_t *
ev_run_error(const char *instance, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	json_t *e;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	e = json_object();
	if (instance)
		json_object_set_new(e, "instance", json_string(instance));
	json_object_set_new(e, "message", json_string(msg));
	return e;
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
add_base64(struct ev_buf *b, const unsigned char *p, size_t n)
{
	size_t i;

	ev_buf_addc(b, '"');
	for (i = 0; i + 2 < n; i += 3) {
		ev_buf_addc(b, b64[p[i] >> 2]);
		ev_buf_addc(b, b64[((p[i] & 3) << 4) | (p[i + 1] >> 4)]);
		ev_buf_addc(b, b64[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)]);
		ev_buf_addc(b, b64[p[i + 2] & 63]);
	}
	if (n - i == 1) {
		ev_buf_addc(b, b64[p[i] >> 2]);
		ev_buf_addc(b, b64[(p[i] & 3) << 4]);
		ev_buf_adds(b, "==");
	} else if (n - i == 2) {
		ev_buf_addc(b, b64[p[i] >> 2]);
		ev_buf_addc(b, b64[((p[i] & 3) << 4) | (p[i + 1] >> 4)]);
		ev_buf_addc(b, b64[(p[i + 1] & 15) << 2]);
		ev_buf_addc(b, '=');
	}
	ev_buf_addc(b, '"');
}

static void
count_reject(struct ev_run *run, const char *reason)
{
	if (strcmp(reason, "late") == 0)
		run->n_late++;
	else if (strcmp(reason, "duplicate") == 0)
		run->n_duplicate++;
	else
		run->n_rejected++;
}

/*
 * Write one reject record.  kind: 0 the line is valid UTF-8 and whole; 1 it
 * is a prefix of an over-long line; 2 it holds invalid UTF-8 (base64).
 */
static void
write_reject(struct ev_run *run, FILE *fp, const struct ev_line *line,
    const char *reason, json_t *errors, int kind)
{
	struct ev_buf b = EV_BUF_INIT;
	json_t *first;

	count_reject(run, reason);
	if (fp == NULL)
		fp = run->rejects;
	if (fp == NULL) {
		first = json_array_get(errors, 0);
		fprintf(stderr, "%s: %s:%llu: %s%s%s\n", run->prog,
		    run->input_name, (unsigned long long)line->lineno, reason,
		    first ? ": " : "",
		    first ? json_string_value(json_object_get(first,
		    "message")) : "");
		json_decref(errors);
		return;
	}
	ev_buf_adds(&b, "{\"tool\":");
	ev_buf_add_jstr(&b, run->prog, strlen(run->prog));
	ev_buf_adds(&b, ",\"line\":");
	ev_buf_add_int(&b, (int64_t)line->lineno);
	ev_buf_adds(&b, ",\"reason\":");
	ev_buf_add_jstr(&b, reason, strlen(reason));
	ev_buf_adds(&b, ",\"errors\":");
	if (errors)
		ev_json_write(errors, &b);
	else
		ev_buf_adds(&b, "[]");
	if (kind == 0) {
		ev_buf_adds(&b, ",\"raw\":");
		ev_buf_add_jstr(&b, line->data, line->len);
	} else if (kind == 1) {
		size_t n = line->len;

		/* Cut the prefix at a character boundary. */
		n = ev_utf8_check(line->data, n);
		ev_buf_adds(&b, ",\"raw_prefix\":");
		ev_buf_add_jstr(&b, line->data, n);
		ev_buf_adds(&b, ",\"bytes\":");
		ev_buf_add_int(&b, (int64_t)line->full_len);
		ev_buf_adds(&b, ",\"truncated\":true");
	} else {
		ev_buf_adds(&b, ",\"raw_base64\":");
		add_base64(&b, (const unsigned char *)line->data, line->len);
	}
	ev_buf_adds(&b, "}\n");
	if (fwrite(b.data, 1, b.len, fp) != b.len) {
		struct ev_run_file *f = file_of(run, fp);

		run->failed = 1;
		if (f != NULL)
			file_failed(f, errno);
		else
			ev_warn("write error on a file of records: %s",
			    strerror(errno));
	}
	ev_buf_free(&b);
	json_decref(errors);
}

static json_t *
one_error(json_t *e)
{
	json_t *a = json_array();

	json_array_append_new(a, e);
	return a;
}

static json_t *
as_errors(json_t *errors)
{
	if (errors == NULL)
		return json_array();
	if (json_is_object(errors))
		return one_error(errors);
	return errors;
}

void
ev_run_reject_to(struct ev_run *run, FILE *fp, const struct ev_line *line,
    const char *reason, json_t *errors)
{
	write_reject(run, fp, line, reason, as_errors(errors), 0);
}

void
ev_run_reject(struct ev_run *run, const struct ev_line *line,
    const char *reason, json_t *errors)
{
	write_reject(run, NULL, line, reason, as_errors(errors), 0);
}

/* A line of invalid UTF-8, the first bad byte at off. */
static void
reject_utf8(struct ev_run *run, const struct ev_line *line, size_t off)
{
	write_reject(run, NULL, line, "utf8", one_error(ev_run_error(NULL,
	    "invalid UTF-8 at byte %zu", off)), 2);
}

void
ev_run_reject_parse(struct ev_run *run, const struct ev_line *line,
    const char *err)
{
	size_t bad = ev_utf8_check(line->data, line->len);

	if (bad < line->len)
		reject_utf8(run, line, bad);
	else
		write_reject(run, NULL, line, "parse", one_error(
		    ev_run_error(NULL, "%s", err)), 0);
}

enum ev_line_kind
ev_run_next(struct ev_run *run, struct ev_line *line, ev_us_t timeout)
{
	for (;;) {
		enum ev_line_kind k;

		if (ev_run_stopping(run))
			return EV_LINE_INTR;
		k = ev_reader_next_wait(run->in, line, timeout);
		switch (k) {
		case EV_LINE_OK:
			run->n_in++;
			return k;
		case EV_LINE_TOO_LONG:
			run->n_in++;
			write_reject(run, NULL, line, "too_long",
			    one_error(ev_run_error(NULL,
			    "line of %zu bytes is longer than --max-line %zu",
			    line->full_len, run->max_line)), 1);
			continue;
		case EV_LINE_BAD_UTF8:
			run->n_in++;
			reject_utf8(run, line, line->utf8_off);
			continue;
		case EV_LINE_INTR:
			if (stop_flag)
				return k;
			continue;
		case EV_LINE_ERROR:
			ev_warn("read error on %s: %s", run->input_name,
			    strerror(errno));
			run->failed = 1;
			return EV_LINE_EOF;
		default:
			return k;
		}
	}
}

void
ev_run_emit(struct ev_run *run, const char *p, size_t n)
{
	ev_out_line(&run->out, p, n);
	run->n_out++;
}

void
ev_run_pass(struct ev_run *run, struct ev_rec *rec)
{
	if (!ev_rec_changed(rec)) {
		ev_run_emit(run, rec->raw, rec->rawlen);
	} else {
		ev_buf_reset(&run->line);
		ev_rec_write(rec, &run->line);
		ev_run_emit(run, run->line.data, run->line.len);
	}
	run->n_passed++;
}

void
ev_run_stat(struct ev_run *run, const char *key, json_t *val)
{
	json_object_set_new(run->extra, key, val);
}

static void
write_stats(struct ev_run *run)
{
	struct ev_buf b = EV_BUF_INIT;
	char err[1024];
	const char *k;
	json_t *v;

	ev_buf_adds(&b, "{\"tool\":");
	ev_buf_add_jstr(&b, run->prog, strlen(run->prog));
#define STAT(name, field) do { \
	ev_buf_adds(&b, ",\"" name "\":"); \
	ev_buf_add_int(&b, (int64_t)run->field); \
} while (0)
	STAT("in", n_in);
	STAT("passed", n_passed);
	STAT("rejected", n_rejected);
	STAT("late", n_late);
	STAT("duplicate", n_duplicate);
	STAT("aggregated", n_aggregated);
	if (run->filtering)
		STAT("filtered", n_filtered);
	STAT("out", n_out);
#undef STAT
	ev_buf_adds(&b, ",\"blank\":");
	ev_buf_add_int(&b, run->in ? (int64_t)ev_reader_blank(run->in) : 0);
	json_object_foreach(run->extra, k, v) {
		ev_buf_addc(&b, ',');
		ev_buf_add_jstr(&b, k, strlen(k));
		ev_buf_addc(&b, ':');
		ev_json_write(v, &b);
	}
	ev_buf_adds(&b, "}\n");
	if (ev_file_save(run->stats_path, "stats", run->prog, b.data, b.len,
	    0666, err, sizeof(err)) != 0) {
		ev_warn("%s", err);
		run->failed = 1;
	}
	ev_buf_free(&b);
}

int
ev_run_finish(struct ev_run *run)
{
	int status = EV_EXIT_OK;
	size_t i;

	if (run->out.buf != NULL) {
		ev_out_flush(&run->out);
		if (run->out.status == EV_OUT_ERROR) {
			ev_warn("write error on standard output: %s",
			    strerror(run->out.err));
			run->failed = 1;
		}
		ev_out_free(&run->out);
	}
	if (close(STDOUT_FILENO) != 0 && errno != EBADF && errno != EPIPE &&
	    run->out.status == EV_OUT_OK) {
		ev_warn("write error on standard output: %s", strerror(errno));
		run->failed = 1;
	}
	for (i = 0; i < run->nfiles; i++) {
		struct ev_run_file *f = &run->files[i];
		int bad = ferror(f->fp);

		/* fclose may succeed after a failed fwrite emptied the buffer. */
		if (fclose(f->fp) != 0 || bad)
			file_failed(f, bad ? f->err : errno);
		if (f->err != 0)
			run->failed = 1;
	}
	run->nfiles = 0;
	run->rejects = NULL;
	if (run->stats_path != NULL)
		write_stats(run);
	if (run->failed)
		status = EV_EXIT_RUNTIME;
	else if (run->gate_failed)
		status = EV_EXIT_DATA;
	else if (run->n_rejected > 0 && (run->n_in == 0 ||
	    (double)run->n_rejected / (double)run->n_in >
	    run->max_reject_rate))
		status = EV_EXIT_DATA;
	ev_run_release(run);
	return status;
}

void
ev_run_release(struct ev_run *run)
{
	size_t i;

	ev_out_free(&run->out);
	for (i = 0; i < run->nfiles; i++)
		fclose(run->files[i].fp);
	run->nfiles = 0;
	run->rejects = NULL;
	ev_reader_free(run->in);
	run->in = NULL;
	json_decref(run->extra);
	run->extra = NULL;
	ev_buf_free(&run->line);
	free(run->rejects_path);
	run->rejects_path = NULL;
	free(run->stats_path);
	run->stats_path = NULL;
}

int
ev_run_event_time(struct ev_run *run, const struct ev_line *line,
    const struct ev_rec *rec, const struct ev_path *tpath, const char *field,
    ev_us_t *t)
{
	int tr;

	/* Read from the line's bytes; null is "not a valid time" too. */
	if ((tr = ev_rec_time(rec, tpath, t)) == -1 &&
	    ev_rec_get(rec, tpath) == NULL) {
		ev_run_reject(run, line, "time", ev_run_error(field,
		    "'%s' is missing", field));
		return -1;
	}
	if (tr != 0) {
		ev_run_reject(run, line, "time", ev_run_error(field,
		    "'%s' is not a valid time", field));
		return -1;
	}
	return 0;
}

int
ev_run_event_user(struct ev_run *run, const struct ev_line *line,
    const struct ev_rec *rec, const struct ev_path *upath, const char *field,
    const char **user, size_t *ulen)
{
	if (ev_rec_text(rec, upath, user, ulen) != 0 ||
	    (*ulen == 4 && memcmp(*user, "null", 4) == 0)) {
		ev_run_reject(run, line, "user", ev_run_error(field,
		    "'%s' is missing", field));
		return -1;
	}
	return 0;
}

void
ev_run_reject_late(struct ev_run *run, FILE *fp, const struct ev_line *line,
    const char *field, ev_us_t t, ev_us_t wm)
{
	char tb[EV_TIME_BUFSZ], wb[EV_TIME_BUFSZ];

	ev_run_reject_to(run, fp, line, "late", ev_run_error(field,
	    "event time %s is behind the watermark %s",
	    ev_time_format(t, -1, tb), ev_time_format(wm, -1, wb)));
}
