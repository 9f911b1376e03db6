/*
 * ev_lookup.c - CSV lookup tables (see ev_lookup.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <csv.h>

#include "ev_common.h"
#include "ev_lookup.h"
#include "ev_map.h"

#define KEYSEP	'\x1f'

enum coltype { COL_AUTO, COL_STRING, COL_NUMBER, COL_BOOL };

struct row {
	char	*key;		/* composite key text */
	size_t	 keylen;
	json_t	*obj;		/* the columns added to events */
	int	 has_from, has_to;
	ev_us_t	 from, to;
	size_t	 next;		/* next row with the same key, or SIZE_MAX */
};

struct ev_lookup_table {
	struct row	*rows;
	size_t		 nrows;
	struct ev_map	 index;		/* key (borrowed from rows) -> first row */
	int		 ranged;
};

/* The parse in progress: cells of the current record, all records. */
struct parse {
	char	**cell;
	size_t	  ncell, capcell;
	char	***recs;
	size_t	 *reclen;
	size_t	  nrec, caprec;
};

static void
cb_field(void *s, size_t len, void *data)
{
	struct parse *p = data;

	if (p->ncell == p->capcell) {
		p->capcell = p->capcell ? 2 * p->capcell : 8;
		p->cell = ev_xreallocarray(p->cell, p->capcell, sizeof(*p->cell));
	}
	p->cell[p->ncell++] = ev_xstrndup(s ? s : "", s ? len : 0);
}

static void
cb_row(int c, void *data)
{
	struct parse *p = data;

	(void)c;
	if (p->nrec == p->caprec) {
		p->caprec = p->caprec ? 2 * p->caprec : 64;
		p->recs = ev_xreallocarray(p->recs, p->caprec, sizeof(*p->recs));
		p->reclen = ev_xreallocarray(p->reclen, p->caprec,
		    sizeof(*p->reclen));
	}
	p->recs[p->nrec] = p->cell;
	p->reclen[p->nrec++] = p->ncell;
	p->cell = NULL;
	p->ncell = p->capcell = 0;
}

static void
parse_free(struct parse *p)
{
	size_t i, j;

	for (i = 0; i < p->ncell; i++)
		free(p->cell[i]);
	free(p->cell);
	for (i = 0; i < p->nrec; i++) {
		for (j = 0; j < p->reclen[i]; j++)
			free(p->recs[i][j]);
		free(p->recs[i]);
	}
	free(p->recs);
	free(p->reclen);
}

static void
table_free(struct ev_lookup_table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nrows; i++) {
		free(t->rows[i].key);
		json_decref(t->rows[i].obj);
	}
	free(t->rows);
	ev_map_release(&t->index);
	free(t);
}

/* A whole JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int
is_json_number(const char *s, int *is_int)
{
	const char *p = s;

	*is_int = 1;
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return 0;
	if (*p == '.') {
		*is_int = 0;
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		*is_int = 0;
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

static json_t *
cell_value(const char *s, enum coltype type)
{
	int is_int;
	double d;
	const char *es;
	long long v;

	if (*s == '\0')
		return json_null();
	switch (type) {
	case COL_NUMBER:
		if (is_json_number(s, &is_int)) {
			if (is_int) {
				v = ev_strtonum(s, INT64_MIN, INT64_MAX, &es);
				if (es == NULL)
					return json_integer(v);
			}
			if (ev_strtod(s, &d) == 0)
				return json_real(d);
		}
		return NULL;
	case COL_BOOL:
		if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
			return json_true();
		if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
			return json_false();
		return NULL;
	default:
		return json_string(s);
	}
}

static int
read_file(const char *path, char **data, size_t *len, struct stat *st,
    char *err, size_t errlen)
{
	FILE *f;
	struct ev_buf b = EV_BUF_INIT;
	char chunk[65536];
	size_t n;

	if ((f = fopen(path, "rb")) == NULL) {
		ev_errf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), st) != 0) {
		ev_errf(err, errlen, "%s: %s", path, strerror(errno));
		fclose(f);
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		ev_buf_add(&b, chunk, n);
	if (ferror(f)) {
		ev_errf(err, errlen, "%s: %s", path, strerror(errno));
		fclose(f);
		ev_buf_free(&b);
		return -1;
	}
	fclose(f);
	ev_buf_addc(&b, '\0');
	*data = ev_buf_detach(&b, len);
	(*len)--;
	return 0;
}

static int
table_insert(struct ev_lookup_table *t, size_t ri, char *err, size_t errlen,
    const char *file)
{
	struct row *r = &t->rows[ri];
	struct ev_map_ent *e;
	size_t j;
	int isnew;

	e = ev_map_put(&t->index, r->key, r->keylen,
	    ev_hash_bytes(r->key, r->keylen), &isnew);
	if (isnew) {
		*(size_t *)ev_map_val(e) = ri;
		return 0;
	}
	if (!t->ranged) {
		ev_errf(err, errlen, "%s: row %zu: duplicate key '%s'", file,
		    ri + 2, r->key);
		return -1;
	}
	/* Keep file order: append to the chain. */
	for (j = *(size_t *)ev_map_val(e); t->rows[j].next != SIZE_MAX;
	    j = t->rows[j].next)
		;
	t->rows[j].next = ri;
	return 0;
}

/*
 * A row's valid_from or valid_to cell (column idx, SIZE_MAX when the table
 * has none): an empty cell leaves the bound open; else it must be a time.
 */
static int
row_bound(char **rec, size_t idx, const char *name, ev_us_t *t, int *has,
    const char *file, size_t rowno, char *err, size_t errlen)
{
	if (idx == SIZE_MAX || rec[idx][0] == '\0')
		return 0;
	if (ev_time_parse(rec[idx], strlen(rec[idx]), t) != 0) {
		ev_errf(err, errlen, "%s: row %zu: %s '%s' is not an RFC 3339 "
		    "time", file, rowno, name, rec[idx]);
		return -1;
	}
	*has = 1;
	return 0;
}

static struct ev_lookup_table *
table_build(const struct ev_lookup *l, struct parse *p, char *err,
    size_t errlen)
{
	struct ev_lookup_table *t;
	char **hdr;
	size_t ncol, i, j, k, keyidx[EV_LOOKUP_MAXKEYS];
	size_t from_idx = SIZE_MAX, to_idx = SIZE_MAX;
	enum coltype *type = NULL;
	char **colname = NULL;
	int *skip = NULL, is_int;
	struct ev_buf key = EV_BUF_INIT;

	if (p->nrec == 0) {
		ev_errf(err, errlen, "%s: empty file (no header)", l->file);
		return NULL;
	}
	hdr = p->recs[0];
	ncol = p->reclen[0];
	type = ev_xcalloc(ncol, sizeof(*type));
	colname = ev_xcalloc(ncol, sizeof(*colname));
	skip = ev_xcalloc(ncol, sizeof(*skip));
	for (i = 0; i < ncol; i++) {
		char *c = strrchr(hdr[i], ':');

		colname[i] = ev_xstrdup(hdr[i]);
		if (c != NULL) {
			const char *ty = c + 1;

			if (strcmp(ty, "number") == 0)
				type[i] = COL_NUMBER;
			else if (strcmp(ty, "string") == 0)
				type[i] = COL_STRING;
			else if (strcmp(ty, "bool") == 0)
				type[i] = COL_BOOL;
			if (type[i] != COL_AUTO)
				colname[i][c - hdr[i]] = '\0';
		}
		if (colname[i][0] == '\0') {
			ev_errf(err, errlen, "%s: column %zu has no name",
			    l->file, i + 1);
			goto fail;
		}
		for (j = 0; j < i; j++)
			if (strcmp(colname[i], colname[j]) == 0) {
				ev_errf(err, errlen, "%s: column '%s' appears "
				    "twice", l->file, colname[i]);
				goto fail;
			}
		if (strcmp(colname[i], "valid_from") == 0)
			from_idx = i, skip[i] = 1;
		if (strcmp(colname[i], "valid_to") == 0)
			to_idx = i, skip[i] = 1;
	}
	for (k = 0; k < l->nkeys; k++) {
		for (i = 0; i < ncol; i++)
			if (strcmp(colname[i], l->key_col[k]) == 0)
				break;
		if (i == ncol) {
			ev_errf(err, errlen, "%s: no key column '%s' in the "
			    "header", l->file, l->key_col[k]);
			goto fail;
		}
		keyidx[k] = i;
		skip[i] = 1;
	}
	/* Every record has the header's width. */
	for (j = 1; j < p->nrec; j++)
		if (p->reclen[j] != ncol) {
			ev_errf(err, errlen, "%s: row %zu has %zu columns, the "
			    "header %zu", l->file, j + 1, p->reclen[j], ncol);
			goto fail;
		}
	/* Infer the types left open. */
	for (i = 0; i < ncol; i++) {
		if (type[i] != COL_AUTO)
			continue;
		type[i] = COL_NUMBER;
		for (j = 1; j < p->nrec; j++) {
			const char *s = p->recs[j][i];

			if (*s != '\0' && !is_json_number(s, &is_int)) {
				type[i] = COL_STRING;
				break;
			}
		}
		if (p->nrec == 1)
			type[i] = COL_STRING;
	}
	t = ev_xcalloc(1, sizeof(*t));
	t->ranged = from_idx != SIZE_MAX || to_idx != SIZE_MAX;
	t->nrows = p->nrec - 1;
	t->rows = ev_xcalloc(t->nrows ? t->nrows : 1, sizeof(*t->rows));
	/* Sized so it never grows: at most three quarters full. */
	ev_map_init(&t->index, sizeof(size_t), t->nrows + t->nrows / 3 + 1,
	    EV_MAP_BORROW);
	for (j = 0; j < t->nrows; j++) {
		char **rec = p->recs[j + 1];
		struct row *r = &t->rows[j];

		r->next = SIZE_MAX;
		r->obj = json_object();
		ev_buf_reset(&key);
		for (k = 0; k < l->nkeys; k++) {
			if (k > 0)
				ev_buf_addc(&key, KEYSEP);
			ev_buf_adds(&key, rec[keyidx[k]]);
		}
		r->key = ev_xstrndup(key.data ? key.data : "", key.len);
		r->keylen = key.len;
		for (i = 0; i < ncol; i++) {
			json_t *v;

			if (skip[i])
				continue;
			if ((v = cell_value(rec[i], type[i])) == NULL) {
				ev_errf(err, errlen, "%s: row %zu: column '%s': "
				    "'%s' is not a %s", l->file, j + 2,
				    colname[i], rec[i],
				    type[i] == COL_BOOL ? "bool" : "number");
				t->nrows = j + 1;
				goto fail_t;
			}
			json_object_set_new(r->obj, colname[i], v);
		}
		if (row_bound(rec, from_idx, "valid_from", &r->from,
		    &r->has_from, l->file, j + 2, err, errlen) != 0 ||
		    row_bound(rec, to_idx, "valid_to", &r->to, &r->has_to,
		    l->file, j + 2, err, errlen) != 0) {
			t->nrows = j + 1;
			goto fail_t;
		}
		if (table_insert(t, j, err, errlen, l->file) != 0) {
			t->nrows = j + 1;
			goto fail_t;
		}
	}
	goto out;
fail_t:
	table_free(t);
fail:
	t = NULL;
out:
	ev_buf_free(&key);
	for (i = 0; i < ncol; i++)
		free(colname[i]);
	free(colname);
	free(type);
	free(skip);
	return t;
}

/* Parse the file into a new table; NULL with err on any problem. */
static struct ev_lookup_table *
table_load(struct ev_lookup *l, char *err, size_t errlen)
{
	struct csv_parser cp;
	struct parse p;
	struct stat st;
	struct ev_lookup_table *t = NULL;
	char *data;
	size_t len, bom;

	if (read_file(l->file, &data, &len, &st, err, errlen) != 0)
		return NULL;
	l->st_mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 +
	    st.st_mtim.tv_nsec;
	l->st_size = (int64_t)st.st_size;
	l->st_ino = (int64_t)st.st_ino;
	memset(&p, 0, sizeof(p));
	/* Spreadsheets often start a UTF-8 CSV with a byte order mark. */
	bom = len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	if (csv_init(&cp, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		ev_die(EV_EXIT_RUNTIME, "out of memory");
	if (len == 0) {
		ev_errf(err, errlen, "%s: empty file", l->file);
	} else if (memchr(data, '\0', len) != NULL) {
		ev_errf(err, errlen, "%s: NUL byte in a CSV file", l->file);
	} else if (csv_parse(&cp, data + bom, len - bom, cb_field, cb_row,
	    &p) != len - bom ||
	    csv_fini(&cp, cb_field, cb_row, &p) != 0) {
		ev_errf(err, errlen, "%s: row %zu: %s", l->file, p.nrec + 1,
		    csv_strerror(csv_error(&cp)));
	} else {
		t = table_build(l, &p, err, errlen);
	}
	csv_free(&cp);
	parse_free(&p);
	free(data);
	return t;
}

struct ev_lookup *
ev_lookup_new(const char *name, const char *file)
{
	struct ev_lookup *l = ev_xcalloc(1, sizeof(*l));

	l->name = ev_xstrdup(name);
	l->file = ev_xstrdup(file);
	l->check_every = EV_US_PER_SEC;
	return l;
}

void
ev_lookup_free(struct ev_lookup *l)
{
	size_t k;

	if (l == NULL)
		return;
	for (k = 0; k < l->nkeys; k++) {
		ev_path_free(l->key_path[k]);
		free(l->key_col[k]);
	}
	table_free(l->tab);
	free(l->name);
	free(l->file);
	free(l);
}

int
ev_lookup_add_key(struct ev_lookup *l, const char *spec, char *err,
    size_t errlen)
{
	const char *eq = strchr(spec, '='), *es;
	char *field;
	struct ev_path *p;

	if (l->nkeys == EV_LOOKUP_MAXKEYS) {
		ev_errf(err, errlen, "more than %d key fields for one table",
		    EV_LOOKUP_MAXKEYS);
		return -1;
	}
	field = eq ? ev_xstrndup(spec, (size_t)(eq - spec)) : ev_xstrdup(spec);
	if ((p = ev_path_compile(field, &es)) == NULL) {
		ev_errf(err, errlen, "'%s': %s", field, es);
		free(field);
		return -1;
	}
	free(field);
	if (eq != NULL && eq[1] == '\0') {
		ev_errf(err, errlen, "'%s': empty column name", spec);
		ev_path_free(p);
		return -1;
	}
	l->key_path[l->nkeys] = p;
	l->key_col[l->nkeys] = ev_xstrdup(eq ? eq + 1 : ev_path_leaf(p));
	l->nkeys++;
	return 0;
}

int
ev_lookup_load(struct ev_lookup *l, char *err, size_t errlen)
{
	struct ev_lookup_table *t = table_load(l, err, errlen);

	if (t == NULL)
		return -1;
	table_free(l->tab);
	l->tab = t;
	return 0;
}

int
ev_lookup_refresh(struct ev_lookup *l, ev_us_t now, int force, char *err,
    size_t errlen)
{
	struct stat st;
	struct ev_lookup_table *t;

	if (!force) {
		if (now < l->next_check)
			return 0;
		l->next_check = now + l->check_every;
		if (stat(l->file, &st) != 0)
			return 0;	/* gone for now: keep the table */
		if ((int64_t)st.st_mtim.tv_sec * 1000000000 +
		    st.st_mtim.tv_nsec == l->st_mtime_ns &&
		    (int64_t)st.st_size == l->st_size &&
		    (int64_t)st.st_ino == l->st_ino)
			return 0;
	}
	if ((t = table_load(l, err, errlen)) == NULL) {
		l->reload_failures++;
		return -1;
	}
	/*
	 * A header alone is what a writer that truncates and rewrites in
	 * place leaves for a moment, or an export that failed: dropping
	 * every row on it would turn each lookup into a miss.
	 */
	if (t->nrows == 0 && l->tab != NULL && !l->allow_empty) {
		ev_errf(err, errlen, "%s: no rows under the header "
		    "(--lookup-allow-empty takes such a table)", l->file);
		table_free(t);
		l->reload_failures++;
		return -1;
	}
	table_free(l->tab);
	l->tab = t;
	l->reloads++;
	return 1;
}

/* The text of a scalar key value; -1 when absent or not a scalar. */
static int
key_text(const json_t *v, struct ev_buf *b)
{
	double d;

	switch (json_typeof(v)) {
	case JSON_STRING:
		ev_buf_add(b, json_string_value(v), json_string_length(v));
		return 0;
	case JSON_INTEGER:
		ev_buf_add_int(b, (int64_t)json_integer_value(v));
		return 0;
	case JSON_REAL:
		d = json_real_value(v);
		ev_buf_add_num(b, d);
		return 0;
	case JSON_TRUE:
		ev_buf_adds(b, "true");
		return 0;
	case JSON_FALSE:
		ev_buf_adds(b, "false");
		return 0;
	default:
		return -1;
	}
}

enum ev_lookup_result
ev_lookup_find(const struct ev_lookup *l, const struct ev_rec *rec,
    int have_time, ev_us_t t, json_t **row, struct ev_buf *keytext,
    size_t *bad)
{
	const struct ev_lookup_table *tab = l->tab;
	struct ev_map_ent *e;
	size_t k, ri;

	ev_buf_reset(keytext);
	for (k = 0; k < l->nkeys; k++) {
		json_t *v = ev_rec_get(rec, l->key_path[k]);

		if (k > 0)
			ev_buf_addc(keytext, KEYSEP);
		if (v == NULL || key_text(v, keytext) != 0) {
			*bad = k;
			return EV_LOOKUP_NOKEY;
		}
	}
	if (keytext->data == NULL)
		ev_buf_adds(keytext, "");
	if (tab == NULL)
		return EV_LOOKUP_MISS;
	e = ev_map_find(&tab->index, keytext->data, keytext->len,
	    ev_hash_bytes(keytext->data, keytext->len));
	if (e == NULL)
		return EV_LOOKUP_MISS;
	for (ri = *(size_t *)ev_map_val(e); ri != SIZE_MAX;
	    ri = tab->rows[ri].next) {
		const struct row *r = &tab->rows[ri];

		if (tab->ranged) {
			if (!have_time && (r->has_from || r->has_to))
				continue;
			if (r->has_from && t < r->from)
				continue;
			if (r->has_to && t >= r->to)
				continue;
		}
		*row = r->obj;
		return EV_LOOKUP_HIT;
	}
	return EV_LOOKUP_MISS;
}

size_t
ev_lookup_rows(const struct ev_lookup *l)
{
	return l->tab ? l->tab->nrows : 0;
}
