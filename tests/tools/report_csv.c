/*
 * report_csv - read CSV on stdin with libcsv in strict mode and write it
 * back the way ev-report writes it (fields quoted by csv_write only when
 * they hold a comma, quote or line break; CRLF line ends), so a round trip
 * can be compared byte for byte.  Also checks that every row has as many
 * fields as the first; prints "rows N fields M" to stderr.
 * Exit 0, 1 on a parse error or a ragged row.
 */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_buf.h"

struct rt {
	struct ev_buf	out;
	size_t		nf, first_nf, rows;
	int		ragged;
};

static void
on_field(void *s, size_t n, void *arg)
{
	struct rt *r = arg;
	const char *p = s ? s : "";

	if (r->nf++ > 0)
		ev_buf_addc(&r->out, ',');
	if (memchr(p, ',', n) || memchr(p, '"', n) || memchr(p, '\r', n) ||
	    memchr(p, '\n', n)) {
		ev_buf_reserve(&r->out, 2 * n + 3);
		r->out.len += csv_write(r->out.data + r->out.len,
		    r->out.cap - r->out.len, p, n);
		r->out.data[r->out.len] = '\0';
	} else {
		ev_buf_add(&r->out, p, n);
	}
}

static void
on_row(int c, void *arg)
{
	struct rt *r = arg;

	(void)c;
	if (r->rows++ == 0)
		r->first_nf = r->nf;
	else if (r->nf != r->first_nf)
		r->ragged = 1;
	r->nf = 0;
	ev_buf_adds(&r->out, "\r\n");
}

int
main(void)
{
	struct csv_parser p;
	struct rt r;
	char buf[65536];
	size_t n;

	memset(&r, 0, sizeof(r));
	ev_buf_init(&r.out);
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL) != 0)
		return 1;
	/* CSV_EMPTY_IS_NULL only tells "" from nothing; both print empty. */
	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
		if (csv_parse(&p, buf, n, on_field, on_row, &r) != n) {
			fprintf(stderr, "report_csv: %s\n",
			    csv_strerror(csv_error(&p)));
			return 1;
		}
	if (csv_fini(&p, on_field, on_row, &r) != 0) {
		fprintf(stderr, "report_csv: %s\n", csv_strerror(csv_error(&p)));
		return 1;
	}
	csv_free(&p);
	fwrite(r.out.data ? r.out.data : "", 1, r.out.len, stdout);
	fprintf(stderr, "rows %zu fields %zu\n", r.rows, r.first_nf);
	ev_buf_free(&r.out);
	return r.ragged ? 1 : 0;
}
