/*
 * ev_url.c - URL parts, campaign fields and referrer classification (see
 * ev_url.h).  The referrer lookup follows referer-parser's own algorithm:
 * the host without "www.", then each parent domain down to two labels; for
 * each, the longest database path contained in the URL's path wins.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_ua.h"
#include "ev_url.h"

struct source {
	char	*name;
	char	*medium;
	char	**params;
	size_t	 nparams;
};

struct dom_entry {
	char	*path;		/* "/" or "/images" */
	size_t	 src;
};

struct ev_referer_db {
	struct source	*src;
	size_t		 nsrc;
	/* domain -> JSON integer index into doms */
	json_t		*index;
	struct dom_entry **doms;	/* per index: entries, longest path first */
	size_t		*ndoms;
	size_t		 ndomlist;
};

static int
is_scheme_char(int c)
{
	return isalnum(c) || c == '+' || c == '-' || c == '.';
}

int
ev_url_parse(const char *s, size_t n, struct ev_url *u)
{
	size_t i = 0, a, e, hs, he;
	const char *at;

	memset(u, 0, sizeof(*u));
	u->port = -1;
	if (n == 0 || !isalpha((unsigned char)s[0]))
		return -1;
	while (i < n && is_scheme_char((unsigned char)s[i]))
		i++;
	if (i + 3 > n || s[i] != ':' || s[i + 1] != '/' || s[i + 2] != '/')
		return -1;
	u->scheme.p = s;
	u->scheme.n = i;
	a = i + 3;
	for (e = a; e < n && s[e] != '/' && s[e] != '?' && s[e] != '#'; e++)
		if ((unsigned char)s[e] <= ' ')
			return -1;
	/* userinfo */
	at = memchr(s + a, '@', e - a);
	hs = at ? (size_t)(at - s) + 1 : a;
	if (hs < e && s[hs] == '[') {
		const char *rb = memchr(s + hs, ']', e - hs);

		if (rb == NULL)
			return -1;
		he = (size_t)(rb - s) + 1;
	} else {
		for (he = hs; he < e && s[he] != ':'; he++)
			;
	}
	if (he == hs)
		return -1;
	u->host.p = s + hs;
	u->host.n = he - hs;
	if (he < e) {
		long port = 0;
		size_t k;

		if (s[he] != ':')
			return -1;
		if (he + 1 == e)
			port = -1;
		for (k = he + 1; k < e; k++) {
			if (!isdigit((unsigned char)s[k]) || port > 65535)
				return -1;
			port = port * 10 + (s[k] - '0');
		}
		if (port > 65535)
			return -1;
		u->port = (int)port;
	}
	if (u->port < 0) {
		if (u->scheme.n == 4 && strncasecmp(s, "http", 4) == 0)
			u->port = 80;
		else if (u->scheme.n == 5 && strncasecmp(s, "https", 5) == 0)
			u->port = 443;
	}
	i = e;
	u->path.p = s + i;
	while (i < n && s[i] != '?' && s[i] != '#')
		i++;
	u->path.n = (size_t)(s + i - u->path.p);
	if (i < n && s[i] == '?') {
		u->has_query = 1;
		u->query.p = s + ++i;
		while (i < n && s[i] != '#')
			i++;
		u->query.n = (size_t)(s + i - u->query.p);
	}
	if (i < n && s[i] == '#') {
		u->has_fragment = 1;
		u->fragment.p = s + i + 1;
		u->fragment.n = n - i - 1;
	}
	return 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent- and '+'-decode p[0..n) onto out. */
static void
decode(const char *p, size_t n, struct ev_buf *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '+') {
			ev_buf_addc(out, ' ');
		} else if (p[i] == '%' && i + 2 < n &&
		    hexval(p[i + 1]) >= 0 && hexval(p[i + 2]) >= 0) {
			ev_buf_addc(out, (char)(hexval(p[i + 1]) * 16 +
			    hexval(p[i + 2])));
			i += 2;
		} else {
			ev_buf_addc(out, p[i]);
		}
	}
}

/* The value of the first parameter name (non-blank if skip_blank). */
static int
param_find(const struct ev_url *u, const char *name, int skip_blank,
    struct ev_buf *out)
{
	const char *q = u->query.p, *end = q + u->query.n, *amp, *eq;
	struct ev_buf nm = EV_BUF_INIT;
	int found = 0;
	size_t k;

	ev_buf_reset(out);
	if (!u->has_query)
		return 0;
	while (q < end) {
		amp = memchr(q, '&', (size_t)(end - q));
		if (amp == NULL)
			amp = end;
		eq = memchr(q, '=', (size_t)(amp - q));
		if (eq == NULL)
			eq = amp;
		ev_buf_reset(&nm);
		decode(q, (size_t)(eq - q), &nm);
		if (nm.len == strlen(name) && memcmp(nm.data, name, nm.len) == 0) {
			ev_buf_reset(out);
			if (eq < amp)
				decode(eq + 1, (size_t)(amp - eq - 1), out);
			for (k = 0; k < out->len; k++)
				if (!isspace((unsigned char)out->data[k]))
					break;
			if (!skip_blank || k < out->len) {
				found = 1;
				break;
			}
		}
		q = amp + 1;
	}
	ev_buf_free(&nm);
	if (!found)
		ev_buf_reset(out);
	return found;
}

int
ev_url_param(const struct ev_url *u, const char *name, struct ev_buf *out)
{
	return param_find(u, name, 0, out);
}

static json_t *
span_str(struct ev_url_span sp)
{
	return json_stringn(sp.p, sp.n);
}

json_t *
ev_url_parts(const struct ev_url *u)
{
	json_t *o = json_object();
	char *host = ev_xstrndup(u->host.p, u->host.n);
	char *scheme = ev_xstrndup(u->scheme.p, u->scheme.n);
	size_t i;

	for (i = 0; host[i] != '\0'; i++)
		host[i] = (char)tolower((unsigned char)host[i]);
	for (i = 0; scheme[i] != '\0'; i++)
		scheme[i] = (char)tolower((unsigned char)scheme[i]);
	json_object_set_new(o, "scheme", json_string(scheme));
	json_object_set_new(o, "host", json_string(host));
	if (u->port >= 0)
		json_object_set_new(o, "port", json_integer(u->port));
	if (u->path.n > 0)
		json_object_set_new(o, "path", span_str(u->path));
	else
		json_object_set_new(o, "path", json_string("/"));
	if (u->has_query)
		json_object_set_new(o, "query", span_str(u->query));
	if (u->has_fragment)
		json_object_set_new(o, "fragment", span_str(u->fragment));
	free(host);
	free(scheme);
	/* Invalid UTF-8 in a URL makes json_stringn fail: then no parts. */
	if (json_object_get(o, "path") == NULL ||
	    json_object_get(o, "host") == NULL ||
	    (u->has_query && json_object_get(o, "query") == NULL) ||
	    (u->has_fragment && json_object_get(o, "fragment") == NULL)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *
ev_url_campaign(const struct ev_url *u)
{
	static const char *const utm[][2] = {
		{ "utm_source", "source" }, { "utm_medium", "medium" },
		{ "utm_campaign", "name" }, { "utm_term", "term" },
		{ "utm_content", "content" }, { "utm_id", "id" },
	};
	static const char *const clk[][2] = {
		{ "gclid", "Google" }, { "msclkid", "Microsoft" },
		{ "dclid", "DoubleClick" },
	};
	struct ev_buf v = EV_BUF_INIT;
	json_t *o;
	size_t i;

	if (!u->has_query)
		return NULL;
	o = json_object();
	for (i = 0; i < sizeof(utm) / sizeof(utm[0]); i++)
		if (param_find(u, utm[i][0], 1, &v))
			json_object_set_new(o, utm[i][1],
			    json_stringn(v.data, v.len));
	for (i = 0; i < sizeof(clk) / sizeof(clk[0]); i++)
		if (param_find(u, clk[i][0], 1, &v)) {
			json_object_set_new(o, "click_id",
			    json_stringn(v.data, v.len));
			json_object_set_new(o, "network", json_string(clk[i][1]));
			break;
		}
	ev_buf_free(&v);
	if (json_object_size(o) == 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Referrer database. */

static int
cmp_dom(const void *a, const void *b)
{
	size_t la = strlen(((const struct dom_entry *)a)->path);
	size_t lb = strlen(((const struct dom_entry *)b)->path);

	return la < lb ? 1 : la > lb ? -1 : 0;
}

static void
db_add_domain(struct ev_referer_db *db, const char *spec, size_t src)
{
	const char *slash = strchr(spec, '/');
	char *dom = slash ? ev_xstrndup(spec, (size_t)(slash - spec)) :
	    ev_xstrdup(spec);
	char *d = dom;
	json_t *ix;
	size_t i, k;

	if (strncasecmp(d, "www.", 4) == 0 && d[4] != '\0')
		d += 4;
	for (i = 0; d[i] != '\0'; i++)
		d[i] = (char)tolower((unsigned char)d[i]);
	if ((ix = json_object_get(db->index, d)) == NULL) {
		db->doms = ev_xreallocarray(db->doms, db->ndomlist + 1,
		    sizeof(*db->doms));
		db->ndoms = ev_xreallocarray(db->ndoms, db->ndomlist + 1,
		    sizeof(*db->ndoms));
		db->doms[db->ndomlist] = NULL;
		db->ndoms[db->ndomlist] = 0;
		json_object_set_new(db->index, d,
		    json_integer((json_int_t)db->ndomlist));
		k = db->ndomlist++;
	} else {
		k = (size_t)json_integer_value(ix);
	}
	db->doms[k] = ev_xreallocarray(db->doms[k], db->ndoms[k] + 1,
	    sizeof(**db->doms));
	db->doms[k][db->ndoms[k]].path = ev_xstrdup(slash ? slash : "/");
	db->doms[k][db->ndoms[k]].src = src;
	db->ndoms[k]++;
	free(dom);
}

struct ev_referer_db *
ev_referer_db_load(const char *path, char *err, size_t errlen)
{
	struct ev_referer_db *db;
	json_t *root, *names, *data, *doms, *params, *v;
	json_error_t je;
	const char *medium, *name, *ext = strrchr(path, '.');
	size_t i, k;

	if (ext != NULL && (strcmp(ext, ".yml") == 0 ||
	    strcmp(ext, ".yaml") == 0)) {
		if ((root = ev_ua_yaml_load(path, err, errlen)) == NULL)
			return NULL;
	} else if ((root = json_load_file(path, 0, &je)) == NULL) {
		ev_errf(err, errlen, "%s:%d: %s", path, je.line, je.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		ev_errf(err, errlen, "%s: not a referer-parser database "
		    "(expected medium: {source: {domains: [...]}})", path);
		json_decref(root);
		return NULL;
	}
	db = ev_xcalloc(1, sizeof(*db));
	db->index = json_object();
	json_object_foreach(root, medium, names) {
		if (!json_is_object(names))
			goto bad;
		json_object_foreach(names, name, data) {
			struct source *s;

			doms = json_object_get(data, "domains");
			if (!json_is_array(doms))
				goto bad;
			db->src = ev_xreallocarray(db->src, db->nsrc + 1,
			    sizeof(*db->src));
			s = &db->src[db->nsrc];
			memset(s, 0, sizeof(*s));
			s->name = ev_xstrdup(name);
			s->medium = ev_xstrdup(medium);
			params = json_object_get(data, "parameters");
			if (json_is_string(params)) {
				s->params = ev_xcalloc(1, sizeof(*s->params));
				s->params[s->nparams++] =
				    ev_xstrdup(json_string_value(params));
			} else if (json_is_array(params)) {
				s->params = ev_xcalloc(json_array_size(params) + 1,
				    sizeof(*s->params));
				json_array_foreach(params, i, v)
					if (json_is_string(v))
						s->params[s->nparams++] =
						    ev_xstrdup(json_string_value(v));
			}
			db->nsrc++;
			json_array_foreach(doms, i, v)
				if (json_is_string(v))
					db_add_domain(db, json_string_value(v),
					    db->nsrc - 1);
		}
	}
	for (k = 0; k < db->ndomlist; k++)
		qsort(db->doms[k], db->ndoms[k], sizeof(**db->doms), cmp_dom);
	json_decref(root);
	return db;
bad:
	ev_errf(err, errlen, "%s: not a referer-parser database "
	    "(expected medium: {source: {domains: [...]}})", path);
	json_decref(root);
	ev_referer_db_free(db);
	return NULL;
}

void
ev_referer_db_free(struct ev_referer_db *db)
{
	size_t i, k;

	if (db == NULL)
		return;
	for (i = 0; i < db->nsrc; i++) {
		free(db->src[i].name);
		free(db->src[i].medium);
		for (k = 0; k < db->src[i].nparams; k++)
			free(db->src[i].params[k]);
		free(db->src[i].params);
	}
	free(db->src);
	for (i = 0; i < db->ndomlist; i++) {
		for (k = 0; k < db->ndoms[i]; k++)
			free(db->doms[i][k].path);
		free(db->doms[i]);
	}
	free(db->doms);
	free(db->ndoms);
	json_decref(db->index);
	free(db);
}

size_t
ev_referer_db_size(const struct ev_referer_db *db)
{
	return db ? db->nsrc : 0;
}

int
ev_referer_db_has(const struct ev_referer_db *db, const char *source,
    const char *medium)
{
	size_t i;

	for (i = 0; db != NULL && i < db->nsrc; i++)
		if (strcmp(db->src[i].name, source) == 0 &&
		    (medium == NULL || strcmp(db->src[i].medium, medium) == 0))
			return 1;
	return 0;
}

/* The source for domain d (lowercase) whose path the URL path contains. */
static const struct source *
db_check(const struct ev_referer_db *db, const char *d, const char *path)
{
	json_t *ix = json_object_get(db->index, d);
	size_t k, i;

	if (ix == NULL)
		return NULL;
	k = (size_t)json_integer_value(ix);
	for (i = 0; i < db->ndoms[k]; i++)
		if (strstr(path, db->doms[k][i].path) != NULL)
			return &db->src[db->doms[k][i].src];
	return NULL;
}

static int
host_in(const char *host, size_t hn, const char *dom)
{
	size_t dn = strlen(dom);

	if (hn == dn)
		return strncasecmp(host, dom, dn) == 0;
	return hn > dn && host[hn - dn - 1] == '.' &&
	    strncasecmp(host + hn - dn, dom, dn) == 0;
}

json_t *
ev_referer_classify(const struct ev_referer_db *db, const struct ev_url *ref,
    const char *page_host, size_t page_hostlen, char *const *internal,
    size_t ninternal)
{
	json_t *o = json_object();
	const struct source *s = NULL;
	char *host, *path, *h;
	size_t i;

	host = ev_xstrndup(ref->host.p, ref->host.n);
	for (i = 0; host[i] != '\0'; i++)
		host[i] = (char)tolower((unsigned char)host[i]);
	if (page_host != NULL && page_hostlen == ref->host.n &&
	    strncasecmp(page_host, host, page_hostlen) == 0)
		goto internal;
	for (i = 0; i < ninternal; i++)
		if (host_in(host, ref->host.n, internal[i]))
			goto internal;
	if (db != NULL) {
		path = ev_xstrndup(ref->path.p, ref->path.n);
		if (ref->path.n == 0) {
			free(path);
			path = ev_xstrdup("/");
		}
		h = host;
		if (strncmp(h, "www.", 4) == 0 && h[4] != '\0')
			h += 4;
		s = db_check(db, h, path);
		/* Then parent domains while more than two labels remain. */
		h = host;
		while (s == NULL) {
			char *dot = strchr(h, '.');
			size_t dots = 0;
			const char *c;

			for (c = h; *c != '\0'; c++)
				dots += *c == '.';
			if (dot == NULL || dots < 2)
				break;
			h = dot + 1;
			s = db_check(db, h, path);
		}
		free(path);
	}
	if (s == NULL) {
		json_object_set_new(o, "medium", json_string("unknown"));
	} else {
		struct ev_buf v = EV_BUF_INIT;

		json_object_set_new(o, "medium", json_string(s->medium));
		json_object_set_new(o, "source", json_string(s->name));
		for (i = 0; i < s->nparams; i++)
			if (param_find(ref, s->params[i], 1, &v)) {
				json_t *t = json_stringn(v.data, v.len);

				if (t != NULL)
					json_object_set_new(o, "term", t);
				break;
			}
		ev_buf_free(&v);
	}
	free(host);
	return o;
internal:
	json_object_set_new(o, "medium", json_string("internal"));
	free(host);
	return o;
}
