/*
 * test_wgroup.c - lib/ev_wgroup: --by, --rollup and --cube grouping sets
 * and the keys built from them.
 */
#include <stdio.h>
#include <string.h>

#include "ev_buf.h"
#include "ev_rec.h"
#include "ev_wgroup.h"

#include "check.h"

/* The sets of a grouping as "a,b|a|" (column names, sets by '|'). */
static void
sets_text(const struct ev_wgroup *g, struct ev_buf *b)
{
	size_t i, j;

	ev_buf_reset(b);
	for (i = 0; i < g->nsets; i++) {
		if (i)
			ev_buf_addc(b, '|');
		for (j = 0; j < g->sets[i].n; j++)
			ev_buf_printf(b, "%s%s", j ? "," : "",
			    g->keys[g->sets[i].col[j]].name);
	}
	ev_buf_addc(b, '\0');
}

static void
test_wgroup(void)
{
	struct ev_wgroup g;
	struct ev_buf b = EV_BUF_INIT, key = EV_BUF_INIT;
	struct ev_rec r;
	const char *line = "{\"e\":\"x\",\"c\":{\"p\":\"ios\"},\"n\":3}";
	char err[256];

	/* --rollup: the prefixes, longest first; SQL's ROLLUP(e, p). */
	memset(&g, 0, sizeof(g));
	CHECK(ev_wgroup_add(&g, "e, c.p as p", 0, err, sizeof(err)) == 0);
	ev_wgroup_ready(&g);
	sets_text(&g, &b);
	CHECK(strcmp(b.data, "e,p|e|") == 0 && g.grouping);
	/* A set given again, by --by, is refused. */
	CHECK(ev_wgroup_add(&g, "e", -1, err, sizeof(err)) == -1);
	CHECK(strcmp(err, "a grouping set is given twice") == 0);
	ev_wgroup_free(&g);

	/* --cube: larger sets first, then those with earlier columns. */
	CHECK(ev_wgroup_add(&g, "e,c.p as p,n", 1, err, sizeof(err)) == 0);
	ev_wgroup_ready(&g);
	sets_text(&g, &b);
	CHECK(strcmp(b.data, "e,p,n|e,p|e,n|p,n|e|p|n|") == 0);
	ev_rec_init(&r);
	CHECK(ev_rec_parse(&r, line, strlen(line)) == 0);
	CHECK(ev_wgroup_key(&g, &r, &key, err, sizeof(err)) == 0);
	CHECK(key.len == 11 && memcmp(key.data, "\"x\"\x1f\"ios\"\x1f" "3",
	    11) == 0);
	ev_wgroup_set_keys(&g, &key);
	CHECK(g.klen[1] == 3 + 3 + 1 + 5 &&
	    memcmp(g.kptr[1], "001\"x\"\x1f\"ios\"", 12) == 0);
	CHECK(g.klen[7] == 3 && memcmp(g.kptr[7], "007", 3) == 0);
	ev_wgroup_free(&g);

	/* One --by: one set, no grouping; the same name for two paths fails. */
	CHECK(ev_wgroup_add(&g, "e", -1, err, sizeof(err)) == 0);
	ev_wgroup_ready(&g);
	CHECK(!g.grouping && g.nsets == 1 && g.col == NULL);
	CHECK(ev_wgroup_add(&g, "c.e", -1, err, sizeof(err)) == -1);
	CHECK(strcmp(err, "--by: column 'e' names two paths (use 'as')") == 0);
	CHECK(ev_wgroup_add(&g, "a,", -1, err, sizeof(err)) == -1);
	CHECK(strcmp(err, "--by 'a,' has an empty key") == 0);
	ev_wgroup_free(&g);
	ev_rec_clear(&r);
	ev_buf_free(&b);
	ev_buf_free(&key);
}

int
main(void)
{
	test_wgroup();
	printf("test_wgroup: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
