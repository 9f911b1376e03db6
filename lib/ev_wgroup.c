/* ev_wgroup.c - ev-window's group columns, grouping sets and group keys. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_wgroup.h"

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/*
 * Parse a --by list into columns (a column of the same name and path as
 * one already known is that one); their indices into a new array *idx, *n.
 */
static int
add_keys(struct ev_wgroup *g, const char *arg, size_t **idxp, size_t *n,
    char *err, size_t errlen)
{
	char *buf = ev_xstrdup(arg), *item, *next, *as, *path;
	const char *errstr;
	struct ev_wgroup_col k;
	size_t i, j, *idx = NULL;

	*n = 0;
	for (item = buf; item; item = next) {
		if ((next = strchr(item, ',')) != NULL)
			*next++ = '\0';
		item = trim(item);
		as = strstr(item, " as ");
		if (as) {
			*as = '\0';
			k.name = ev_xstrdup(trim(as + 4));
		} else
			k.name = NULL;
		path = trim(item);
		k.path = NULL;
		if (*path == '\0' || (k.name && *k.name == '\0')) {
			snprintf(err, errlen, "--by '%s' has an empty key", arg);
			goto bad;
		}
		if ((k.path = ev_path_compile(path, &errstr)) == NULL) {
			snprintf(err, errlen, "--by: bad path '%s': %s", path,
			    errstr);
			goto bad;
		}
		if (k.name == NULL)
			k.name = ev_xstrdup(ev_path_leaf(k.path));
		for (i = 0; i < g->nkeys; i++)
			if (strcmp(g->keys[i].name, k.name) == 0)
				break;
		if (i < g->nkeys && strcmp(g->keys[i].path->spec,
		    k.path->spec) != 0) {
			snprintf(err, errlen, "--by: column '%s' names two "
			    "paths (use 'as')", k.name);
			goto bad;
		}
		for (j = 0; j < *n; j++)
			if (idx[j] == i) {
				snprintf(err, errlen, "--by: column '%s' twice "
				    "(use 'as')", k.name);
				goto bad;
			}
		if (i == g->nkeys) {
			g->keys = ev_xreallocarray(g->keys, g->nkeys + 1,
			    sizeof(*g->keys));
			g->keys[g->nkeys++] = k;
		} else {
			ev_path_free(k.path);
			free(k.name);
		}
		idx = ev_xreallocarray(idx, *n + 1, sizeof(*idx));
		idx[(*n)++] = i;
	}
	free(buf);
	*idxp = idx;
	return 0;
bad:
	ev_path_free(k.path);
	free(k.name);
	free(buf);
	free(idx);
	return -1;
}

/* Append the grouping set of columns col[0 .. n) (taken over). */
static int
add_set(struct ev_wgroup *g, size_t *col, size_t n, char *err,
    size_t errlen)
{
	size_t i, j, k;

	for (i = 0; i < g->nsets; i++) {
		if (g->sets[i].n != n)
			continue;
		for (j = 0; j < n; j++) {
			for (k = 0; k < n && g->sets[i].col[k] != col[j]; k++)
				;
			if (k == n)
				break;
		}
		if (j == n) {
			snprintf(err, errlen, "a grouping set is given twice");
			free(col);
			return -1;
		}
	}
	if (g->nsets == EV_WIN_MAX_SETS) {
		snprintf(err, errlen, "more than %d grouping sets",
		    EV_WIN_MAX_SETS);
		free(col);
		return -1;
	}
	g->sets = ev_xreallocarray(g->sets, g->nsets + 1, sizeof(*g->sets));
	g->sets[g->nsets].n = n;
	g->sets[g->nsets].col = col;
	g->nsets++;
	return 0;
}

/* A copy of the first n of col. */
static size_t *
cols_dup(const size_t *col, size_t n)
{
	size_t *c = ev_xcalloc(n + 1, sizeof(*c));

	memcpy(c, col, n * sizeof(*c));
	return c;
}

static int
popcount(unsigned m)
{
	int n = 0;

	for (; m; m &= m - 1)
		n++;
	return n;
}

/* The bits of m reversed over nbits: the first column is the high bit. */
static unsigned
bitrev(unsigned m, size_t nbits)
{
	unsigned r = 0;
	size_t i;

	for (i = 0; i < nbits; i++)
		if (m & (1u << i))
			r |= 1u << (nbits - 1 - i);
	return r;
}

/* --cube: every subset, larger sets first, then earlier columns first. */
static int
add_cube(struct ev_wgroup *g, const size_t *col, size_t n, char *err,
    size_t errlen)
{
	size_t i, j, k, *c;
	unsigned m, best;
	unsigned char *used;
	int rc = 0;

	if (n > 8) {
		snprintf(err, errlen, "--cube takes at most 8 columns");
		return -1;
	}
	used = ev_xcalloc((size_t)1 << n, 1);
	for (i = 0; rc == 0 && i < ((size_t)1 << n); i++) {
		best = 0;
		for (m = 0, j = 0; m < (1u << n); m++)
			if (!used[m] && (!j || popcount(m) > popcount(best) ||
			    (popcount(m) == popcount(best) &&
			    bitrev(m, n) > bitrev(best, n)))) {
				best = m;
				j = 1;
			}
		used[best] = 1;
		c = ev_xcalloc(n + 1, sizeof(*c));
		for (j = 0, k = 0; j < n; j++)
			if (best & (1u << j))
				c[k++] = col[j];
		rc = add_set(g, c, k, err, errlen);
	}
	free(used);
	return rc;
}

int
ev_wgroup_add(struct ev_wgroup *g, const char *arg, int rollup, char *err,
    size_t errlen)
{
	size_t n, i, *col;
	int rc = 0;

	if (add_keys(g, arg, &col, &n, err, errlen) != 0)
		return -1;
	if (rollup < 0)
		return add_set(g, col, n, err, errlen);
	g->grouping = 1;
	if (rollup == 0) {
		/* --rollup: the prefixes of the list, longest first. */
		for (i = n + 1; rc == 0 && i > 0; i--)
			rc = add_set(g, cols_dup(col, i - 1), i - 1, err,
			    errlen);
	} else
		rc = add_cube(g, col, n, err, errlen);
	free(col);
	return rc;
}

void
ev_wgroup_ready(struct ev_wgroup *g)
{
	if (g->nsets > 1)
		g->grouping = 1;
	if (!g->grouping || g->col != NULL)
		return;
	g->col = ev_xcalloc(g->nkeys + 1, sizeof(*g->col));
	g->collen = ev_xcalloc(g->nkeys + 1, sizeof(*g->collen));
	g->koff = ev_xcalloc(g->nsets, sizeof(*g->koff));
	g->klen = ev_xcalloc(g->nsets, sizeof(*g->klen));
	g->kptr = ev_xcalloc(g->nsets, sizeof(*g->kptr));
	ev_buf_init(&g->setkey);
}

int
ev_wgroup_key(const struct ev_wgroup *g, const struct ev_rec *rec,
    struct ev_buf *b, char *msg, size_t len)
{
	size_t i;

	ev_buf_reset(b);
	for (i = 0; i < g->nkeys; i++) {
		const json_t *v;
		const char *s;
		size_t n;
		int r = ev_rec_str(rec, g->keys[i].path, &s, &n);

		if (i)
			ev_buf_addc(b, '\x1f');
		if (r == 0) {		/* a string, without decoding a tree */
			ev_buf_add_jstr(b, s, n);
			continue;
		}
		v = r == -1 ? NULL : ev_rec_get(rec, g->keys[i].path);
		if (v == NULL) {
			ev_buf_adds(b, "null");
			continue;
		}
		if (json_is_object(v) || json_is_array(v)) {
			snprintf(msg, len, "group key '%s' is not a scalar",
			    g->keys[i].path->spec);
			return -1;
		}
		ev_json_write(v, b);
	}
	return 0;
}

void
ev_wgroup_set_keys(struct ev_wgroup *g, const struct ev_buf *full)
{
	const char *p = full->data, *end = full->data + full->len, *sep;
	struct ev_buf *sk = &g->setkey;
	size_t i, j;

	for (i = 0; i < g->nkeys; i++) {
		sep = memchr(p, '\x1f', (size_t)(end - p));
		if (sep == NULL)
			sep = end;
		g->col[i] = p;
		g->collen[i] = (size_t)(sep - p);
		p = sep < end ? sep + 1 : end;
	}
	ev_buf_reset(sk);
	for (i = 0; i < g->nsets; i++) {
		size_t at = sk->len;

		ev_buf_printf(sk, "%03zu", i);
		for (j = 0; j < g->sets[i].n; j++) {
			if (j)
				ev_buf_addc(sk, '\x1f');
			ev_buf_add(sk, g->col[g->sets[i].col[j]],
			    g->collen[g->sets[i].col[j]]);
		}
		g->koff[i] = at;
		g->klen[i] = sk->len - at;
	}
	for (i = 0; i < g->nsets; i++)
		g->kptr[i] = sk->data + g->koff[i];
}

void
ev_wgroup_settings(const struct ev_wgroup *g, struct ev_buf *b)
{
	size_t i, j;

	for (i = 0; i < g->nkeys; i++)
		ev_buf_printf(b, " by=%s:%s", g->keys[i].path->spec,
		    g->keys[i].name);
	for (i = 0; g->grouping && i < g->nsets; i++) {
		ev_buf_adds(b, " set=");
		for (j = 0; j < g->sets[i].n; j++)
			ev_buf_printf(b, "%s%zu", j ? "," : "",
			    g->sets[i].col[j]);
	}
}

void
ev_wgroup_free(struct ev_wgroup *g)
{
	size_t i;

	for (i = 0; i < g->nkeys; i++) {
		ev_path_free(g->keys[i].path);
		free(g->keys[i].name);
	}
	free(g->keys);
	for (i = 0; i < g->nsets; i++)
		free((size_t *)(uintptr_t)g->sets[i].col);
	free(g->sets);
	free(g->col);
	free(g->collen);
	free(g->koff);
	free(g->klen);
	free(g->kptr);
	ev_buf_free(&g->setkey);
	memset(g, 0, sizeof(*g));
}
