/*
 * test_lookup.c - lib/ev_lookup: the lookup table's typing, ranges and
 * atomic reload.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ev_buf.h"
#include "ev_common.h"
#include "ev_lookup.h"
#include "ev_rec.h"

#include "check.h"

static int
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static void
test_lookup(void)
{
	char dir[] = "/tmp/test_lookup.XXXXXX", path[256], err[512];
	struct ev_lookup *l;
	struct ev_rec rec;
	struct ev_buf kt = EV_BUF_INIT;
	json_t *row;
	size_t bad;
	const char *ev = "{\"id\":7,\"ts\":\"2026-01-01T00:00:00Z\"}";

	if (mkdtemp(dir) == NULL) {
		CHECK(0);
		return;
	}
	snprintf(path, sizeof(path), "%s/t.csv", dir);
	CHECK(write_file(path, "id,n,s,b:bool,z:string\n7,1.5,x,true,007\n"
	    "8,,\"a,b\",0,\n") == 0);
	l = ev_lookup_new("t", path);
	CHECK(ev_lookup_add_key(l, "id", err, sizeof(err)) == 0);
	CHECK(ev_lookup_load(l, err, sizeof(err)) == 0);
	CHECK(ev_lookup_rows(l) == 2);
	ev_rec_init(&rec);
	CHECK(ev_rec_parse(&rec, ev, strlen(ev)) == 0);
	/* A number in the event matches the cell's text. */
	CHECK(ev_lookup_find(l, &rec, 0, 0, &row, &kt, &bad) == EV_LOOKUP_HIT);
	CHECK(json_is_real(json_object_get(row, "n")) &&
	    json_real_value(json_object_get(row, "n")) == 1.5);
	CHECK(json_is_true(json_object_get(row, "b")));
	CHECK(strcmp(json_string_value(json_object_get(row, "z")), "007") == 0);
	CHECK(json_object_get(row, "id") == NULL);

	/* A byte order mark is not part of the first column's name. */
	CHECK(write_file(path, "\xEF\xBB\xBFid,n\n7,x\n") == 0);
	CHECK(ev_lookup_refresh(l, 0, 1, err, sizeof(err)) == 1);
	CHECK(ev_lookup_find(l, &rec, 0, 0, &row, &kt, &bad) == EV_LOOKUP_HIT);

	/* A broken file does not replace the table. */
	CHECK(write_file(path, "id,n\n7,\"unterminated\n") == 0);
	CHECK(ev_lookup_refresh(l, 0, 1, err, sizeof(err)) == -1);
	CHECK(ev_lookup_rows(l) == 1);
	CHECK(write_file(path, "id,n\n7,x\n") == 0);
	CHECK(ev_lookup_refresh(l, 0, 1, err, sizeof(err)) == 1);
	CHECK(ev_lookup_rows(l) == 1);
	ev_lookup_free(l);

	/* Validity ranges: from inclusive, to exclusive. */
	CHECK(write_file(path, "id,v,valid_from,valid_to\n"
	    "7,old,,2026-01-01T00:00:00Z\n7,new,2026-01-01T00:00:00Z,\n") == 0);
	l = ev_lookup_new("t", path);
	CHECK(ev_lookup_add_key(l, "id", err, sizeof(err)) == 0);
	CHECK(ev_lookup_load(l, err, sizeof(err)) == 0);
	CHECK(ev_lookup_find(l, &rec, 1, 1767225600 * EV_US_PER_SEC, &row, &kt,
	    &bad) == EV_LOOKUP_HIT &&
	    strcmp(json_string_value(json_object_get(row, "v")), "new") == 0);
	CHECK(ev_lookup_find(l, &rec, 1, 1767225599 * EV_US_PER_SEC, &row, &kt,
	    &bad) == EV_LOOKUP_HIT &&
	    strcmp(json_string_value(json_object_get(row, "v")), "old") == 0);
	CHECK(ev_lookup_find(l, &rec, 0, 0, &row, &kt, &bad) == EV_LOOKUP_MISS);
	ev_lookup_free(l);

	ev_rec_clear(&rec);
	ev_buf_free(&kt);
	unlink(path);
	rmdir(dir);
}


int
main(void)
{
	ev_set_progname("test_lookup");
	test_lookup();
	printf("test_lookup: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
