/*
 * ev_geo.c - MaxMind DB and CSV IP-range lookups (see ev_geo.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <maxminddb.h>

#include "ev_common.h"
#include "ev_geo.h"

struct range {
	unsigned char	lo[16], hi[16];	/* IPv4 as ::ffff:a.b.c.d */
	char		cc[3];
};

struct ev_geo {
	MMDB_s		city, asn;
	int		has_city, has_asn;
	struct range	*r;
	size_t		 nr;
};

struct ev_geo *
ev_geo_new(void)
{
	return ev_xcalloc(1, sizeof(struct ev_geo));
}

void
ev_geo_free(struct ev_geo *g)
{
	if (g == NULL)
		return;
	if (g->has_city)
		MMDB_close(&g->city);
	if (g->has_asn)
		MMDB_close(&g->asn);
	free(g->r);
	free(g);
}

/* A set of data offsets already decoded, so each is checked once. */
struct offset_set {
	uint64_t	*v;
	size_t		 n, cap;	/* cap a power of two; 0 marks empty */
};

static int
set_add(struct offset_set *s, uint64_t x)
{
	size_t i;

	x++;	/* never 0 */
	if (2 * (s->n + 1) > s->cap) {
		struct offset_set t = { NULL, 0, s->cap ? 2 * s->cap : 1024 };

		t.v = ev_xcalloc(t.cap, sizeof(*t.v));
		for (i = 0; i < s->cap; i++)
			if (s->v[i] != 0) {
				size_t j = (size_t)(s->v[i] * 0x9e3779b97f4a7c15u
				    >> 7) & (t.cap - 1);

				while (t.v[j] != 0)
					j = (j + 1) & (t.cap - 1);
				t.v[j] = s->v[i];
				t.n++;
			}
		free(s->v);
		*s = t;
	}
	i = (size_t)(x * 0x9e3779b97f4a7c15u >> 7) & (s->cap - 1);
	while (s->v[i] != 0) {
		if (s->v[i] == x)
			return 0;
		i = (i + 1) & (s->cap - 1);
	}
	s->v[i] = x;
	s->n++;
	return 1;
}

/* Does a record hold one of the members this kind of database needs? */
static int
has_member(MMDB_entry_s *e, const char *const *keys)
{
	MMDB_entry_data_s d;

	for (; *keys != NULL; keys++)
		if (MMDB_get_value(e, &d, *keys, NULL) == MMDB_SUCCESS &&
		    d.has_data)
			return 1;
	return 0;
}

static int
verify_record(MMDB_s *db, uint64_t rec, int type, struct offset_set *seen,
    const char *const *keys, int *found, const char *path, char *err,
    size_t errlen)
{
	MMDB_entry_s e;
	MMDB_entry_data_list_s *list = NULL;
	int st;

	if (type == MMDB_RECORD_TYPE_INVALID) {
		ev_errf(err, errlen, "%s: corrupt database: search tree "
		    "record points outside the file", path);
		return -1;
	}
	if (type != MMDB_RECORD_TYPE_DATA)
		return 0;
	if (!set_add(seen, rec))
		return 0;
	e.mmdb = db;
	e.offset = (uint32_t)(rec - db->metadata.node_count - 16);
	st = MMDB_get_entry_data_list(&e, &list);
	MMDB_free_entry_data_list(list);
	if (st != MMDB_SUCCESS) {
		ev_errf(err, errlen, "%s: corrupt database: %s", path,
		    MMDB_strerror(st));
		return -1;
	}
	if (!*found)
		*found = has_member(&e, keys);
	return 0;
}

static int
open_db(MMDB_s *db, const char *path, const char *const *keys,
    const char *what, char *err, size_t errlen)
{
	MMDB_entry_data_list_s *md = NULL;
	struct offset_set seen = { NULL, 0, 0 };
	MMDB_search_node_s node;
	uint32_t i, n;
	int st, found = 0;

	st = MMDB_open(path, MMDB_MODE_MMAP, db);
	if (st != MMDB_SUCCESS) {
		if (st == MMDB_IO_ERROR)
			ev_errf(err, errlen, "%s: %s", path, strerror(errno));
		else
			ev_errf(err, errlen, "%s: not a usable MaxMind "
			    "database: %s", path, MMDB_strerror(st));
		return -1;
	}
	st = MMDB_get_metadata_as_entry_data_list(db, &md);
	MMDB_free_entry_data_list(md);
	if (st != MMDB_SUCCESS) {
		ev_errf(err, errlen, "%s: corrupt metadata: %s", path,
		    MMDB_strerror(st));
		goto fail;
	}
	if (db->metadata.build_epoch > UINT64_C(253402300799)) {
		ev_errf(err, errlen, "%s: corrupt metadata: build_epoch %llu "
		    "is past the year 9999", path,
		    (unsigned long long)db->metadata.build_epoch);
		goto fail;
	}
	n = db->metadata.node_count;
	if (n > EV_GEO_VERIFY_NODES)
		n = EV_GEO_VERIFY_NODES;
	for (i = 0; i < n; i++) {
		st = MMDB_read_node(db, i, &node);
		if (st != MMDB_SUCCESS) {
			ev_errf(err, errlen, "%s: corrupt search tree: %s",
			    path, MMDB_strerror(st));
			goto fail;
		}
		if (verify_record(db, node.left_record, node.left_record_type,
		    &seen, keys, &found, path, err, errlen) != 0 ||
		    verify_record(db, node.right_record,
		    node.right_record_type, &seen, keys, &found, path, err,
		    errlen) != 0)
			goto fail;
	}
	if (!found) {
		ev_errf(err, errlen, "%s: not %s: no record has %s data "
		    "(database type '%s')", path, what, keys[0],
		    db->metadata.database_type ? db->metadata.database_type :
		    "?");
		goto fail;
	}
	free(seen.v);
	return 0;
fail:
	free(seen.v);
	MMDB_close(db);
	return -1;
}

int
ev_geo_open_city(struct ev_geo *g, const char *path, char *err,
    size_t errlen)
{
	static const char *const keys[] = { "country", "city", "location",
	    "registered_country", NULL };

	if (open_db(&g->city, path, keys, "a city or country database", err,
	    errlen) != 0)
		return -1;
	g->has_city = 1;
	return 0;
}

int
ev_geo_open_asn(struct ev_geo *g, const char *path, char *err, size_t errlen)
{
	static const char *const keys[] = { "autonomous_system_number",
	    "autonomous_system_organization", NULL };

	if (open_db(&g->asn, path, keys, "an ASN database", err, errlen) != 0)
		return -1;
	g->has_asn = 1;
	return 0;
}

/* Parse an IPv4 or IPv6 address into 16 bytes (IPv4 mapped). */
static int
parse_ip(const char *s, unsigned char out[16])
{
	struct in_addr a4;

	if (inet_pton(AF_INET, s, &a4) == 1) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &a4, 4);
		return 4;
	}
	if (inet_pton(AF_INET6, s, out) == 1)
		return 6;
	return 0;
}

static int
parse_bound(const char *s, unsigned char out[16])
{
	const char *es;
	long long v;

	if (strchr(s, '.') == NULL && strchr(s, ':') == NULL) {
		uint32_t u;

		v = ev_strtonum(s, 0, UINT32_MAX, &es);
		if (es != NULL)
			return -1;
		u = htonl((uint32_t)v);
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &u, 4);
		return 0;
	}
	return parse_ip(s, out) ? 0 : -1;
}

static int
cmp_range(const void *a, const void *b)
{
	return memcmp(((const struct range *)a)->lo,
	    ((const struct range *)b)->lo, 16);
}

int
ev_geo_load_ranges(struct ev_geo *g, const char *path, char *err,
    size_t errlen)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0, lineno = 0, cap_r = g->nr;
	ssize_t len;

	if ((f = fopen(path, "r")) == NULL) {
		ev_errf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		char *c1, *c2, *cc;
		struct range r;

		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		c1 = strchr(line, ',');
		c2 = c1 ? strchr(c1 + 1, ',') : NULL;
		if (c2 == NULL) {
			ev_errf(err, errlen, "%s:%zu: expected low,high,CC",
			    path, lineno);
			goto fail;
		}
		*c1 = *c2 = '\0';
		cc = c2 + 1;
		if (parse_bound(line, r.lo) != 0 ||
		    parse_bound(c1 + 1, r.hi) != 0 ||
		    memcmp(r.lo, r.hi, 16) > 0 || strlen(cc) != 2) {
			ev_errf(err, errlen, "%s:%zu: expected low,high,CC with "
			    "low <= high", path, lineno);
			goto fail;
		}
		memcpy(r.cc, cc, 3);
		if (strcmp(r.cc, "??") == 0)
			continue;
		if (g->nr == cap_r) {
			cap_r = cap_r ? 2 * cap_r : 1024;
			g->r = ev_xreallocarray(g->r, cap_r, sizeof(*g->r));
		}
		g->r[g->nr++] = r;
	}
	free(line);
	fclose(f);
	qsort(g->r, g->nr, sizeof(*g->r), cmp_range);
	return 0;
fail:
	free(line);
	fclose(f);
	return -1;
}

/*
 * Set o[key] to the value at the path given as the variadic arguments (NULL
 * terminated, as MMDB_get_value) when it is of the kind wanted: a UTF-8
 * string, or with num a number.
 */
static void
put_value(json_t *o, const char *key, int num, MMDB_entry_s *e, ...)
{
	MMDB_entry_data_s d;
	json_t *v = NULL;
	va_list ap;
	int st;

	va_start(ap, e);
	st = MMDB_vget_value(e, &d, ap);
	va_end(ap);
	if (st != MMDB_SUCCESS || !d.has_data)
		return;
	if (!num) {
		if (d.type == MMDB_DATA_TYPE_UTF8_STRING)
			v = json_stringn(d.utf8_string, d.data_size);
	} else if (d.type == MMDB_DATA_TYPE_DOUBLE)
		v = json_real(d.double_value);
	else if (d.type == MMDB_DATA_TYPE_FLOAT)
		v = json_real(d.float_value);
	else if (d.type == MMDB_DATA_TYPE_UINT16)
		v = json_integer(d.uint16);
	else if (d.type == MMDB_DATA_TYPE_UINT32)
		v = json_integer(d.uint32);
	else if (d.type == MMDB_DATA_TYPE_INT32)
		v = json_integer(d.int32);
	if (v != NULL)
		json_object_set_new(o, key, v);
}

enum ev_geo_result
ev_geo_lookup(struct ev_geo *g, const char *ip, json_t **out)
{
	unsigned char a[16];
	json_t *o;
	MMDB_lookup_result_s r;
	int gai, st;

	*out = NULL;
	if (!parse_ip(ip, a))
		return EV_GEO_BAD_IP;
	o = json_object();
	if (g->has_city) {
		r = MMDB_lookup_string(&g->city, ip, &gai, &st);
		if (gai == 0 && st == MMDB_SUCCESS && r.found_entry) {
			put_value(o, "country", 0, &r.entry, "country", "iso_code",
			    NULL);
			put_value(o, "region", 0, &r.entry, "subdivisions", "0",
			    "iso_code", NULL);
			put_value(o, "city", 0, &r.entry, "city", "names", "en",
			    NULL);
			put_value(o, "latitude", 1, &r.entry, "location",
			    "latitude", NULL);
			put_value(o, "longitude", 1, &r.entry, "location",
			    "longitude", NULL);
			put_value(o, "time_zone", 0, &r.entry, "location",
			    "time_zone", NULL);
		}
	}
	if (json_object_get(o, "country") == NULL && g->nr > 0) {
		size_t lo = 0, hi = g->nr;

		/* The last range with lo <= a. */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (memcmp(g->r[mid].lo, a, 16) <= 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo > 0 && memcmp(a, g->r[lo - 1].hi, 16) <= 0)
			json_object_set_new(o, "country",
			    json_string(g->r[lo - 1].cc));
	}
	if (g->has_asn) {
		r = MMDB_lookup_string(&g->asn, ip, &gai, &st);
		if (gai == 0 && st == MMDB_SUCCESS && r.found_entry) {
			put_value(o, "asn", 1, &r.entry,
			    "autonomous_system_number", NULL);
			put_value(o, "as_org", 0, &r.entry,
			    "autonomous_system_organization", NULL);
		}
	}
	if (json_object_size(o) == 0) {
		json_decref(o);
		return EV_GEO_NOT_FOUND;
	}
	*out = o;
	return EV_GEO_FOUND;
}
