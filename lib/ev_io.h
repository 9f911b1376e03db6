/*
 * ev_io.h - NDJSON input and buffered output.
 *
 * The reader returns one line at a time from a file descriptor: "\n" or
 * "\r\n" endings stripped, blank lines skipped, line numbers counted, a line
 * longer than max_line reported without being held in memory whole (its
 * first EV_IO_KEEP bytes are kept for the reject record), and invalid UTF-8
 * detected.  Before the reader would block on an empty pipe it calls the
 * idle callback, which is how every program flushes its output exactly when
 * it is about to wait (DESIGN.md, contract 5).
 *
 * The writer buffers output to a descriptor, flushes when asked, when the
 * buffer is full, and when ev_out_tick finds bytes older than the flush
 * interval (ev_run ticks before each read of input); a write error is sticky
 * and reported once: EPIPE as EV_OUT_EPIPE (the caller exits quietly), other
 * errors as EV_OUT_ERROR (exit 3).
 *
 * Both ends grow a pipe they are given to 1 MiB (ev_io_pipe_grow), so that
 * the stages of a pipeline wake each other once a megabyte, not once every
 * 64 KiB.
 *
 * Ownership: a line's bytes are borrowed and valid until the next call to
 * ev_reader_next.
 */
#ifndef EV_IO_H
#define EV_IO_H

#include <stddef.h>
#include <stdint.h>

#include "ev_time.h"

#define EV_IO_KEEP	4096	/* bytes of an over-long line kept */
#define EV_IO_MAX_LINE	(1024 * 1024)

enum ev_line_kind {
	EV_LINE_OK,		/* a complete line (valid UTF-8 if checked) */
	EV_LINE_TOO_LONG,	/* over max_line; data holds the first bytes */
	EV_LINE_BAD_UTF8,	/* complete line, invalid UTF-8 at utf8_off */
	EV_LINE_EOF,		/* end of input */
	EV_LINE_TIMEOUT,	/* ev_reader_next_wait: no input within the time */
	EV_LINE_INTR,		/* interrupted by a signal (check the stop flag) */
	EV_LINE_ERROR		/* read error; errno is set */
};

struct ev_line {
	const char	*data;
	size_t		 len;		/* bytes in data */
	size_t		 full_len;	/* the line's length (> len if too long) */
	uint64_t	 lineno;	/* 1-based physical line number */
	size_t		 utf8_off;	/* first bad byte for EV_LINE_BAD_UTF8 */
};

struct ev_reader;

struct ev_reader *ev_reader_new(int fd, size_t max_line);
void	ev_reader_free(struct ev_reader *r);
/* Called with arg just before the reader would block waiting for input. */
void	ev_reader_on_idle(struct ev_reader *r, void (*fn)(void *), void *arg);
/* Called with arg before every read of input, idle or not. */
void	ev_reader_on_read(struct ev_reader *r, void (*fn)(void *), void *arg);
/*
 * Whether the reader checks each line's UTF-8 (on by default).  Off, a line
 * of invalid UTF-8 is EV_LINE_OK like any other: for a caller whose JSON
 * parser checks the UTF-8 in the same pass (the record layer), so each
 * line is checked once, and which names a line it refuses by
 * ev_utf8_check.
 */
void	ev_reader_check_utf8(struct ev_reader *r, int on);
/* Next line; blocks as long as needed. */
enum ev_line_kind ev_reader_next(struct ev_reader *r, struct ev_line *line);
/*
 * Next line, waiting at most timeout (microseconds; < 0 forever) when no
 * input is buffered; returns EV_LINE_TIMEOUT when none arrived.
 */
enum ev_line_kind ev_reader_next_wait(struct ev_reader *r,
	    struct ev_line *line, ev_us_t timeout);
/* Blank lines skipped so far. */
uint64_t ev_reader_blank(const struct ev_reader *r);
/*
 * Physical lines consumed so far, blank ones included: where a feeder
 * resumes (tail -n +N+1) after a run that stopped.
 */
uint64_t ev_reader_lines(const struct ev_reader *r);

/*
 * When fd is a pipe, make its buffer 1 MiB if the system lets this user
 * (fs.pipe-max-size, fs.pipe-user-pages-soft); a smaller size is kept.
 * Returns the pipe's size after the attempt, or -1 when fd is no pipe.
 */
int	ev_io_pipe_grow(int fd);

/* Returns the offset of the first invalid UTF-8 byte, or n if all valid. */
size_t	ev_utf8_check(const char *s, size_t n);

enum ev_out_status { EV_OUT_OK, EV_OUT_EPIPE, EV_OUT_ERROR };

struct ev_out {
	int		 fd;
	char		*buf;
	size_t		 len, cap;
	ev_us_t		 interval;	/* flush at most this long after a write */
	ev_us_t		 first_unflushed; /* when a tick first saw unflushed bytes, 0 if none */
	enum ev_out_status status;
	int		 err;		/* errno of the first failure */
};

void	ev_out_init(struct ev_out *o, int fd, ev_us_t flush_interval);
void	ev_out_free(struct ev_out *o);	/* does not flush or close */
/* Append bytes; may flush.  Returns the sticky status. */
enum ev_out_status ev_out_write(struct ev_out *o, const void *p, size_t n);
/* Append p and a newline. */
enum ev_out_status ev_out_line(struct ev_out *o, const void *p, size_t n);
enum ev_out_status ev_out_flush(struct ev_out *o);
/*
 * Flush when the bytes buffered have waited the flush interval: the first
 * call that finds bytes dates them, a later one flushes.  Reads the clock;
 * called once per read of input, not per line.
 */
void	ev_out_tick(struct ev_out *o);

#endif /* EV_IO_H */
