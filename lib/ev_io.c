/* ev_io.c - the NDJSON line reader and the buffered writer. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ev_common.h"
#include "ev_io.h"

/*
 * Reads and writes move 256 KiB at a time and a pipe holds 1 MiB: with
 * Linux's default 64 KiB pipe each stage of a five-stage pipeline woke the
 * next about every 64 KiB (40,000 voluntary context switches for 1M
 * events, a third of the pipeline's system time); with these, 4,000.
 */
#define READ_CHUNK	(256 * 1024)
#define PIPE_SIZE	(1024 * 1024)

struct ev_reader {
	int		 fd;
	size_t		 max_line;
	char		*buf;
	size_t		 cap, start, end, scan;
	int		 eof;
	uint64_t	 lineno, blank;
	int		 discarding;	/* inside an over-long line */
	size_t		 discard_len;
	char		 keep[EV_IO_KEEP];
	size_t		 keep_len;
	void		(*idle)(void *);
	void		*idle_arg;
	void		(*before_read)(void *);
	void		*read_arg;
	int		 no_utf8;	/* the caller checks UTF-8 itself */
};

int
ev_io_pipe_grow(int fd)
{
	int now = fcntl(fd, F_GETPIPE_SZ);

	if (now < 0)
		return -1;	/* not a pipe */
	if (now >= PIPE_SIZE)
		return now;
	now = fcntl(fd, F_SETPIPE_SZ, PIPE_SIZE);
	return now < 0 ? fcntl(fd, F_GETPIPE_SZ) : now;
}

struct ev_reader *
ev_reader_new(int fd, size_t max_line)
{
	struct ev_reader *r = ev_xcalloc(1, sizeof *r);

	(void)ev_io_pipe_grow(fd);

	r->fd = fd;
	r->max_line = max_line ? max_line : EV_IO_MAX_LINE;
	r->cap = READ_CHUNK * 2;
	r->buf = ev_xmalloc(r->cap);
	return r;
}

void
ev_reader_free(struct ev_reader *r)
{
	if (r == NULL)
		return;
	free(r->buf);
	free(r);
}

void
ev_reader_on_idle(struct ev_reader *r, void (*fn)(void *), void *arg)
{
	r->idle = fn;
	r->idle_arg = arg;
}

void
ev_reader_on_read(struct ev_reader *r, void (*fn)(void *), void *arg)
{
	r->before_read = fn;
	r->read_arg = arg;
}

void
ev_reader_check_utf8(struct ev_reader *r, int on)
{
	r->no_utf8 = !on;
}

uint64_t
ev_reader_blank(const struct ev_reader *r)
{
	return r->blank;
}

uint64_t
ev_reader_lines(const struct ev_reader *r)
{
	return r->lineno;
}

size_t
ev_utf8_check(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		unsigned char c = p[i];
		size_t need;
		uint32_t cp;

		/* ASCII fast path, eight bytes at a time. */
		if (c < 0x80) {
			while (i + 8 <= n) {
				uint64_t w;

				memcpy(&w, p + i, 8);
				if (w & UINT64_C(0x8080808080808080))
					break;
				i += 8;
			}
			while (i < n && p[i] < 0x80)
				i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			cp = c & 0x07;
		} else {
			return i;
		}
		if (i + need >= n)
			return i;	/* truncated sequence */
		{
			size_t k;

			for (k = 1; k <= need; k++) {
				if ((p[i + k] & 0xc0) != 0x80)
					return i;
				cp = (cp << 6) | (p[i + k] & 0x3f);
			}
		}
		if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += need + 1;
	}
	return n;
}

/* Make room for at least one more chunk at the end of the buffer. */
static void
make_room(struct ev_reader *r)
{
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->scan -= r->start;
		r->start = 0;
	}
	if (r->cap - r->end < READ_CHUNK) {
		r->cap *= 2;
		r->buf = ev_xrealloc(r->buf, r->cap);
	}
}

static enum ev_line_kind
finish_line(struct ev_reader *r, const char *p, size_t len,
    struct ev_line *line)
{
	size_t bad;

	line->lineno = r->lineno;
	if (r->discarding) {
		r->discarding = 0;
		line->data = r->keep;
		line->len = r->keep_len;
		line->full_len = r->discard_len + len;
		return EV_LINE_TOO_LONG;
	}
	if (len > 0 && p[len - 1] == '\r')
		len--;
	line->data = p;
	line->len = len;
	line->full_len = len;
	if (len > r->max_line) {
		line->len = len < EV_IO_KEEP ? len : EV_IO_KEEP;
		return EV_LINE_TOO_LONG;
	}
	if (r->no_utf8)
		return EV_LINE_OK;
	bad = ev_utf8_check(p, len);
	if (bad < len) {
		line->utf8_off = bad;
		return EV_LINE_BAD_UTF8;
	}
	return EV_LINE_OK;
}

/* A line of nothing but spaces, tabs and a carriage return is blank. */
static int
is_blank(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return 1;
}

static int
readable_now(int fd)
{
	struct pollfd pfd = { fd, POLLIN, 0 };

	return poll(&pfd, 1, 0) != 0;
}

enum ev_line_kind
ev_reader_next_wait(struct ev_reader *r, struct ev_line *line,
    ev_us_t timeout)
{
	for (;;) {
		char *nl = NULL;
		ssize_t n;

		if (r->scan < r->end)
			nl = memchr(r->buf + r->scan, '\n', r->end - r->scan);
		if (nl != NULL) {
			char *p = r->buf + r->start;
			size_t len = (size_t)(nl - p);

			r->start = r->scan = (size_t)(nl - r->buf) + 1;
			r->lineno++;
			if (!r->discarding && is_blank(p, len)) {
				r->blank++;
				continue;
			}
			return finish_line(r, p, len, line);
		}
		r->scan = r->end;
		if (r->end - r->start > r->max_line + 1) {
			/* Over-long: keep the first bytes, drop the rest. */
			if (!r->discarding) {
				r->discarding = 1;
				r->keep_len = EV_IO_KEEP;
				memcpy(r->keep, r->buf + r->start, EV_IO_KEEP);
				r->discard_len = 0;
			}
			r->discard_len += r->end - r->start;
			r->start = r->end = r->scan = 0;
		}
		if (r->eof) {
			if (r->start < r->end || r->discarding) {
				char *p = r->buf + r->start;
				size_t len = r->end - r->start;

				r->start = r->scan = r->end;
				r->lineno++;
				if (!r->discarding && is_blank(p, len)) {
					r->blank++;
					continue;
				}
				return finish_line(r, p, len, line);
			}
			return EV_LINE_EOF;
		}
		make_room(r);
		if (r->before_read)
			r->before_read(r->read_arg);
		if (!readable_now(r->fd)) {
			if (r->idle)
				r->idle(r->idle_arg);
			if (timeout >= 0) {
				struct pollfd pfd = { r->fd, POLLIN, 0 };
				int ms = (int)((timeout + 999) / 1000);
				int rc = poll(&pfd, 1, ms);

				if (rc == 0)
					return EV_LINE_TIMEOUT;
				if (rc < 0 && errno == EINTR)
					return EV_LINE_INTR;
			}
		}
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
		if (n < 0) {
			if (errno == EINTR)
				return EV_LINE_INTR;
			return EV_LINE_ERROR;
		}
		if (n == 0)
			r->eof = 1;
		r->end += (size_t)n;
	}
}

enum ev_line_kind
ev_reader_next(struct ev_reader *r, struct ev_line *line)
{
	return ev_reader_next_wait(r, line, -1);
}

#define OUT_CAP	READ_CHUNK

void
ev_out_init(struct ev_out *o, int fd, ev_us_t flush_interval)
{
	memset(o, 0, sizeof *o);
	o->fd = fd;
	o->cap = OUT_CAP;
	o->buf = ev_xmalloc(o->cap);
	o->interval = flush_interval;
	(void)ev_io_pipe_grow(fd);
}

void
ev_out_free(struct ev_out *o)
{
	free(o->buf);
	o->buf = NULL;
}

static enum ev_out_status
write_all(struct ev_out *o, const char *p, size_t n)
{
	while (n > 0 && o->status == EV_OUT_OK) {
		ssize_t w = write(o->fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			o->err = errno;
			o->status = errno == EPIPE ? EV_OUT_EPIPE : EV_OUT_ERROR;
			break;
		}
		p += w;
		n -= (size_t)w;
	}
	return o->status;
}

enum ev_out_status
ev_out_flush(struct ev_out *o)
{
	if (o->len > 0 && o->status == EV_OUT_OK)
		write_all(o, o->buf, o->len);
	o->len = 0;
	o->first_unflushed = 0;
	return o->status;
}

/*
 * The clock is read here, once a read of input (ev_run calls this before
 * each), not once a line written: a line costs no clock call, and the
 * interval holds however few lines are written (a filter that rejects
 * nearly everything).  The oldest unflushed byte is dated at the first
 * tick that sees it, at most one read late; the coarse clock (a few
 * milliseconds) costs a fifth of the precise one.
 */
void
ev_out_tick(struct ev_out *o)
{
	ev_us_t now;

	if (o->interval <= 0 || o->len == 0)
		return;
	now = ev_time_mono_coarse();
	if (o->first_unflushed == 0)
		o->first_unflushed = now;
	else if (now - o->first_unflushed >= o->interval)
		ev_out_flush(o);
}

static void
append(struct ev_out *o, const void *p, size_t n)
{
	if (o->len + n > o->cap) {
		ev_out_flush(o);
		if (n > o->cap) {
			write_all(o, p, n);
			return;
		}
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

enum ev_out_status
ev_out_write(struct ev_out *o, const void *p, size_t n)
{
	if (o->status != EV_OUT_OK)
		return o->status;
	append(o, p, n);
	return o->status;
}

enum ev_out_status
ev_out_line(struct ev_out *o, const void *p, size_t n)
{
	if (o->status != EV_OUT_OK)
		return o->status;
	append(o, p, n);
	append(o, "\n", 1);
	return o->status;
}
