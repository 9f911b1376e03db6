/*
 * test_io.c - the reader and the writer grow the pipes they are given
 * (issue 16: a 64 KiB pipe woke the next stage of a pipeline every 64 KiB),
 * keep what they read whole across the larger reads, and leave anything
 * that is not a pipe alone.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ev_io.h"

#include "check.h"

/* What this process may grow a pipe to: fs.pipe-max-size, or 1 MiB. */
static int
allowed(void)
{
	FILE *fp = fopen("/proc/sys/fs/pipe-max-size", "r");
	long max = 0;

	if (fp != NULL) {
		if (fscanf(fp, "%ld", &max) != 1)
			max = 0;
		fclose(fp);
	}
	if (max <= 0 || geteuid() == 0 || max > 1024 * 1024)
		max = 1024 * 1024;
	return (int)max;
}

static void
test_grow(void)
{
	struct ev_reader *r;
	struct ev_out o;
	int p[2], q[2], nul, want = allowed();

	CHECK(pipe(p) == 0 && pipe(q) == 0);
	r = ev_reader_new(p[0], 0);
	CHECKF(fcntl(p[1], F_GETPIPE_SZ) == want, "%d, want %d",
	    fcntl(p[1], F_GETPIPE_SZ), want);
	ev_out_init(&o, q[1], 0);
	CHECKF(fcntl(q[0], F_GETPIPE_SZ) == want, "%d, want %d",
	    fcntl(q[0], F_GETPIPE_SZ), want);
	/* Not a pipe: -1, nothing done. */
	nul = open("/dev/null", O_WRONLY);
	CHECK(nul >= 0 && ev_io_pipe_grow(nul) == -1);
	close(nul);
	ev_out_free(&o);
	ev_reader_free(r);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

/* Lines across many read chunks come back whole and numbered. */
static void
test_lines(void)
{
	char path[] = "/tmp/test_io.XXXXXX", want[128];
	struct ev_reader *r;
	struct ev_line line;
	int fd = mkstemp(path), i, n = 200000, bad = 0;
	FILE *fp;

	CHECK(fd >= 0);
	fp = fdopen(fd, "w+");
	for (i = 0; i < n; i++)
		fprintf(fp, "{\"i\":%d,\"pad\":\"%*s\"}\n", i, i % 50, "");
	fflush(fp);
	lseek(fd, 0, SEEK_SET);
	r = ev_reader_new(fd, 0);
	for (i = 0; i < n; i++) {
		int len = snprintf(want, sizeof want, "{\"i\":%d,\"pad\":\"%*s\"}",
		    i, i % 50, "");

		if (ev_reader_next(r, &line) != EV_LINE_OK ||
		    line.len != (size_t)len || memcmp(line.data, want,
		    (size_t)len) != 0 || line.lineno != (uint64_t)i + 1)
			bad++;
	}
	CHECKF(bad == 0, "%d lines read wrong", bad);
	CHECK(ev_reader_next(r, &line) == EV_LINE_EOF);
	ev_reader_free(r);
	fclose(fp);
	unlink(path);
}

int
main(void)
{
	test_grow();
	test_lines();
	printf("test_io: %d checks, %d failures\n", checks, failures);
	return failures > 0;
}
