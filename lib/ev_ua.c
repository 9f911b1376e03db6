/*
 * ev_ua.c - uap-core user-agent parsing with PCRE2 JIT and an LRU cache
 * (see ev_ua.h).  The replacement rules follow uap-core's specification:
 * a replacement string may name groups as $1..$9; without one the family
 * is group 1 and the versions groups 2..5 (device model: group 1);
 * results are trimmed and an empty result is null.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <yaml.h>

#include "ev_buf.h"
#include "ev_common.h"
#include "ev_json.h"
#include "ev_ua.h"

#define NREP	5

struct rule {
	pcre2_code	*re;
	char		*rep[NREP];	/* replacements, NULL when absent */
};

struct rules {
	struct rule	*r;
	size_t		 n;
};

struct centry {
	char		*key;
	size_t		 n;
	uint64_t	 h;
	json_t		*val;
	char		*text;		/* val as JSON text, once asked for */
	size_t		 textlen;
	struct centry	*hnext, *prev, *next;
};

struct ev_ua {
	struct rules	 ua, os, dev;
	pcre2_code	*bots;		/* all crawler patterns as one */
	struct rules	 botlist;	/* fallback: one by one */
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack	*jstack;
	/* LRU cache: hash chains and a list, most recent first. */
	struct centry	**bucket;
	size_t		 nbucket, size, cap;
	struct centry	*head, *tail;
	uint64_t	 hits, misses;
	size_t		 npatterns;
};

/* YAML. */

static json_t *
yaml_node_json(yaml_document_t *doc, yaml_node_t *node, int depth)
{
	json_t *o;
	yaml_node_item_t *it;
	yaml_node_pair_t *pr;

	if (node == NULL || depth > 64)
		return NULL;
	switch (node->type) {
	case YAML_SCALAR_NODE: {
		const char *v = (const char *)node->data.scalar.value;
		size_t n = node->data.scalar.length;

		if (node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		    (n == 0 || (n == 1 && v[0] == '~') ||
		    (n == 4 && memcmp(v, "null", 4) == 0)))
			return json_null();
		return json_stringn(v, n);
	}
	case YAML_SEQUENCE_NODE:
		o = json_array();
		for (it = node->data.sequence.items.start;
		    it < node->data.sequence.items.top; it++) {
			json_t *c = yaml_node_json(doc,
			    yaml_document_get_node(doc, *it), depth + 1);

			if (c == NULL) {
				json_decref(o);
				return NULL;
			}
			json_array_append_new(o, c);
		}
		return o;
	case YAML_MAPPING_NODE:
		o = json_object();
		for (pr = node->data.mapping.pairs.start;
		    pr < node->data.mapping.pairs.top; pr++) {
			yaml_node_t *k = yaml_document_get_node(doc, pr->key);
			json_t *c;
			char *key;

			if (k == NULL || k->type != YAML_SCALAR_NODE) {
				json_decref(o);
				return NULL;
			}
			c = yaml_node_json(doc,
			    yaml_document_get_node(doc, pr->value), depth + 1);
			if (c == NULL) {
				json_decref(o);
				return NULL;
			}
			key = ev_xstrndup((const char *)k->data.scalar.value,
			    k->data.scalar.length);
			json_object_set_new(o, key, c);
			free(key);
		}
		return o;
	default:
		return NULL;
	}
}

json_t *
ev_ua_yaml_load(const char *path, char *err, size_t errlen)
{
	FILE *f;
	yaml_parser_t parser;
	yaml_document_t doc;
	json_t *root;

	if ((f = fopen(path, "rb")) == NULL) {
		ev_errf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (!yaml_parser_initialize(&parser))
		ev_die(EV_EXIT_RUNTIME, "out of memory");
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		ev_errf(err, errlen, "%s:%zu: %s", path,
		    parser.problem_mark.line + 1,
		    parser.problem ? parser.problem : "YAML syntax error");
		yaml_parser_delete(&parser);
		fclose(f);
		return NULL;
	}
	root = yaml_node_json(&doc, yaml_document_get_root_node(&doc), 0);
	if (root == NULL)
		ev_errf(err, errlen, "%s: empty or unusable YAML document", path);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	return root;
}

/* Rules. */

static pcre2_code *
compile(const char *pat, size_t n, int icase, char *err, size_t errlen,
    const char *what)
{
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *re;
	PCRE2_UCHAR msg[160];

	re = pcre2_compile((PCRE2_SPTR)pat, n, icase ? PCRE2_CASELESS : 0,
	    &ec, &eo, NULL);
	if (re == NULL) {
		pcre2_get_error_message(ec, msg, sizeof(msg));
		ev_errf(err, errlen, "%s: regex '%.60s' at offset %zu: %s",
		    what, pat, (size_t)eo, (const char *)msg);
		return NULL;
	}
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	return re;
}

static int
load_rules(struct rules *rs, const json_t *list, const char *const *keys,
    const char *path, char *err, size_t errlen)
{
	size_t i, k;
	json_t *e;

	if (!json_is_array(list)) {
		ev_errf(err, errlen, "%s: not a uap-core regexes file", path);
		return -1;
	}
	rs->r = ev_xcalloc(json_array_size(list) + 1, sizeof(*rs->r));
	json_array_foreach(list, i, e) {
		json_t *re = json_object_get(e, "regex");
		json_t *fl = json_object_get(e, "regex_flag");
		struct rule *r = &rs->r[rs->n];

		if (!json_is_string(re)) {
			ev_errf(err, errlen, "%s: rule %zu has no regex", path,
			    i + 1);
			return -1;
		}
		r->re = compile(json_string_value(re), json_string_length(re),
		    json_is_string(fl) &&
		    strchr(json_string_value(fl), 'i') != NULL, err, errlen,
		    path);
		if (r->re == NULL)
			return -1;
		rs->n++;
		for (k = 0; k < NREP && keys[k] != NULL; k++) {
			json_t *v = json_object_get(e, keys[k]);

			if (json_is_string(v))
				r->rep[k] = ev_xstrdup(json_string_value(v));
		}
	}
	return 0;
}

static void
free_rules(struct rules *rs)
{
	size_t i, k;

	for (i = 0; i < rs->n; i++) {
		pcre2_code_free(rs->r[i].re);
		for (k = 0; k < NREP; k++)
			free(rs->r[i].rep[k]);
	}
	free(rs->r);
	rs->r = NULL;
	rs->n = 0;
}

static int
load_bots(struct ev_ua *ua, const char *path, char *err, size_t errlen)
{
	json_t *root, *e, *p;
	json_error_t je;
	struct ev_buf alt = EV_BUF_INIT;
	size_t i;
	int ec;
	PCRE2_SIZE eo;

	if ((root = json_load_file(path, 0, &je)) == NULL) {
		ev_errf(err, errlen, "%s:%d: %s", path, je.line, je.text);
		return -1;
	}
	if (!json_is_array(root)) {
		ev_errf(err, errlen, "%s: expected an array of "
		    "{\"pattern\": ...}", path);
		json_decref(root);
		return -1;
	}
	json_array_foreach(root, i, e) {
		p = json_object_get(e, "pattern");
		if (!json_is_string(p)) {
			ev_errf(err, errlen, "%s: entry %zu has no pattern",
			    path, i + 1);
			json_decref(root);
			ev_buf_free(&alt);
			return -1;
		}
		if (alt.len > 0)
			ev_buf_addc(&alt, '|');
		ev_buf_adds(&alt, "(?:");
		ev_buf_add(&alt, json_string_value(p), json_string_length(p));
		ev_buf_addc(&alt, ')');
		ua->npatterns++;
	}
	if (alt.len > 0) {
		ua->bots = pcre2_compile((PCRE2_SPTR)alt.data, alt.len, 0, &ec,
		    &eo, NULL);
		if (ua->bots != NULL) {
			(void)pcre2_jit_compile(ua->bots, PCRE2_JIT_COMPLETE);
		} else {
			/* One pattern breaks the alternation: go one by one. */
			ua->botlist.r = ev_xcalloc(json_array_size(root),
			    sizeof(*ua->botlist.r));
			json_array_foreach(root, i, e) {
				p = json_object_get(e, "pattern");
				ua->botlist.r[ua->botlist.n].re = compile(
				    json_string_value(p), json_string_length(p),
				    0, err, errlen, path);
				if (ua->botlist.r[ua->botlist.n].re == NULL) {
					json_decref(root);
					ev_buf_free(&alt);
					return -1;
				}
				ua->botlist.n++;
			}
		}
	}
	ev_buf_free(&alt);
	json_decref(root);
	return 0;
}

struct ev_ua *
ev_ua_load(const char *regexes, const char *bots, size_t cache_size,
    char *err, size_t errlen)
{
	static const char *const ua_keys[] = { "family_replacement",
	    "v1_replacement", "v2_replacement", "v3_replacement",
	    "v4_replacement" };
	static const char *const os_keys[] = { "os_replacement",
	    "os_v1_replacement", "os_v2_replacement", "os_v3_replacement",
	    "os_v4_replacement" };
	static const char *const dev_keys[] = { "device_replacement",
	    "brand_replacement", "model_replacement", NULL, NULL };
	struct ev_ua *ua;
	json_t *root;

	if ((root = ev_ua_yaml_load(regexes, err, errlen)) == NULL)
		return NULL;
	ua = ev_xcalloc(1, sizeof(*ua));
	if (!json_is_object(root) ||
	    load_rules(&ua->ua, json_object_get(root, "user_agent_parsers"),
	    ua_keys, regexes, err, errlen) != 0 ||
	    load_rules(&ua->os, json_object_get(root, "os_parsers"), os_keys,
	    regexes, err, errlen) != 0 ||
	    load_rules(&ua->dev, json_object_get(root, "device_parsers"),
	    dev_keys, regexes, err, errlen) != 0) {
		if (!json_is_object(root))
			ev_errf(err, errlen, "%s: not a uap-core regexes file",
			    regexes);
		json_decref(root);
		ev_ua_free(ua);
		return NULL;
	}
	json_decref(root);
	if (bots != NULL && load_bots(ua, bots, err, errlen) != 0) {
		ev_ua_free(ua);
		return NULL;
	}
	ua->md = pcre2_match_data_create(32, NULL);
	ua->mctx = pcre2_match_context_create(NULL);
	ua->jstack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
	if (ua->md == NULL || ua->mctx == NULL || ua->jstack == NULL)
		ev_die(EV_EXIT_RUNTIME, "out of memory");
	pcre2_jit_stack_assign(ua->mctx, NULL, ua->jstack);
	ua->cap = cache_size;
	for (ua->nbucket = 16; ua->nbucket < 2 * cache_size; ua->nbucket *= 2)
		;
	ua->bucket = ev_xcalloc(ua->nbucket, sizeof(*ua->bucket));
	return ua;
}

void
ev_ua_free(struct ev_ua *ua)
{
	struct centry *e, *n;

	if (ua == NULL)
		return;
	free_rules(&ua->ua);
	free_rules(&ua->os);
	free_rules(&ua->dev);
	free_rules(&ua->botlist);
	pcre2_code_free(ua->bots);
	pcre2_match_data_free(ua->md);
	pcre2_match_context_free(ua->mctx);
	pcre2_jit_stack_free(ua->jstack);
	for (e = ua->head; e != NULL; e = n) {
		n = e->next;
		free(e->key);
		json_decref(e->val);
		free(e->text);
		free(e);
	}
	free(ua->bucket);
	free(ua);
}

/* Index of the first rule matching, or -1; groups in ua->md. */
static int
match_rules(const struct ev_ua *ua, const struct rules *rs, const char *s,
    size_t n, int *rc)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if ((*rc = pcre2_match(rs->r[i].re, (PCRE2_SPTR)s, n, 0, 0,
		    ua->md, ua->mctx)) > 0)
			return (int)i;
	return -1;
}

/* Group g of the last match appended to b; 0 when unset. */
static int
group(const struct ev_ua *ua, const char *s, unsigned g, int rc,
    struct ev_buf *b)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(ua->md);

	/* Only the first rc pairs are set by the match. */
	if (g >= (unsigned)rc || ov[2 * g] == PCRE2_UNSET)
		return 0;
	ev_buf_add(b, s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
	return 1;
}

/* A replacement (with $N) or group g; trimmed; null when empty. */
static json_t *
field(const struct ev_ua *ua, const char *s, const char *rep, unsigned g,
    int rc)
{
	struct ev_buf b = EV_BUF_INIT;
	const char *p;
	size_t a, e;
	json_t *v;

	if (rep != NULL) {
		for (p = rep; *p != '\0'; p++) {
			if (p[0] == '$' && p[1] >= '1' && p[1] <= '9') {
				group(ua, s, (unsigned)(p[1] - '0'), rc, &b);
				p++;
			} else {
				ev_buf_addc(&b, *p);
			}
		}
	} else if (g > 0) {
		group(ua, s, g, rc, &b);
	}
	for (a = 0; a < b.len && (b.data[a] == ' ' || b.data[a] == '\t'); a++)
		;
	for (e = b.len; e > a && (b.data[e - 1] == ' ' || b.data[e - 1] == '\t');
	    e--)
		;
	v = e > a ? json_stringn(b.data + a, e - a) : NULL;
	ev_buf_free(&b);
	return v ? v : json_null();
}

static json_t *
versioned(const struct ev_ua *ua, const struct rules *rs, const char *s,
    size_t n, int nver)
{
	static const char *const names[] = { "family", "major", "minor",
	    "patch", "patch_minor" };
	json_t *o = json_object();
	int rc = 0, i = match_rules(ua, rs, s, n, &rc), k;

	if (i < 0) {
		json_object_set_new(o, "family", json_string("Other"));
		for (k = 1; k <= nver; k++)
			json_object_set_new(o, names[k], json_null());
		return o;
	}
	for (k = 0; k <= nver; k++)
		json_object_set_new(o, names[k],
		    field(ua, s, rs->r[i].rep[k], (unsigned)k + 1, rc));
	if (json_is_null(json_object_get(o, "family")))
		json_object_set_new(o, "family", json_string("Other"));
	return o;
}

json_t *
ev_ua_browser(const struct ev_ua *ua, const char *s, size_t n)
{
	return versioned(ua, &ua->ua, s, n, 4);
}

json_t *
ev_ua_os(const struct ev_ua *ua, const char *s, size_t n)
{
	return versioned(ua, &ua->os, s, n, 4);
}

json_t *
ev_ua_device(const struct ev_ua *ua, const char *s, size_t n)
{
	json_t *o = json_object();
	int rc = 0, i = match_rules(ua, &ua->dev, s, n, &rc);
	const struct rule *r;

	if (i < 0) {
		json_object_set_new(o, "family", json_string("Other"));
		json_object_set_new(o, "brand", json_null());
		json_object_set_new(o, "model", json_null());
		return o;
	}
	r = &ua->dev.r[i];
	json_object_set_new(o, "family", field(ua, s, r->rep[0], 1, rc));
	json_object_set_new(o, "brand", field(ua, s, r->rep[1], 0, rc));
	json_object_set_new(o, "model", field(ua, s, r->rep[2], 1, rc));
	if (json_is_null(json_object_get(o, "family")))
		json_object_set_new(o, "family", json_string("Other"));
	return o;
}

int
ev_ua_is_bot(const struct ev_ua *ua, const char *s, size_t n)
{
	if (ua->bots != NULL)
		return pcre2_match(ua->bots, (PCRE2_SPTR)s, n, 0, 0, ua->md,
		    ua->mctx) > 0;
	int rc;

	return match_rules(ua, &ua->botlist, s, n, &rc) >= 0;
}

static json_t *
parse_uncached(struct ev_ua *ua, const char *s, size_t n)
{
	json_t *o = json_object(), *dev;
	int bot;

	json_object_set_new(o, "browser", ev_ua_browser(ua, s, n));
	json_object_set_new(o, "os", ev_ua_os(ua, s, n));
	dev = ev_ua_device(ua, s, n);
	bot = strcmp(json_string_value(json_object_get(dev, "family")),
	    "Spider") == 0 || ev_ua_is_bot(ua, s, n);
	json_object_set_new(o, "device", dev);
	json_object_set_new(o, "bot", json_boolean(bot));
	return o;
}

static void
list_unlink(struct ev_ua *ua, struct centry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		ua->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		ua->tail = e->prev;
	e->prev = e->next = NULL;
}

static void
list_push(struct ev_ua *ua, struct centry *e)
{
	e->prev = NULL;
	e->next = ua->head;
	if (ua->head)
		ua->head->prev = e;
	ua->head = e;
	if (ua->tail == NULL)
		ua->tail = e;
}

/* The cache entry of s, parsed now if it was not there. */
static struct centry *
entry_of(struct ev_ua *ua, const char *s, size_t n)
{
	uint64_t h;
	struct centry *e, **pp;
	size_t b;

	if (ua->cap == 0) {
		/* No cache: keep the last answer alive in a one-slot list. */
		ua->misses++;
		if (ua->head != NULL) {
			e = ua->head;
			json_decref(e->val);
			free(e->text);
			e->text = NULL;
			e->val = parse_uncached(ua, s, n);
			return e;
		}
		e = ev_xcalloc(1, sizeof(*e));
		e->val = parse_uncached(ua, s, n);
		list_push(ua, e);
		return e;
	}
	h = ev_hash_bytes(s, n);
	b = (size_t)h & (ua->nbucket - 1);
	for (e = ua->bucket[b]; e != NULL; e = e->hnext)
		if (e->h == h && e->n == n && memcmp(e->key, s, n) == 0) {
			ua->hits++;
			if (ua->head != e) {
				list_unlink(ua, e);
				list_push(ua, e);
			}
			return e;
		}
	ua->misses++;
	if (ua->size == ua->cap) {
		/* Evict the least recently used. */
		e = ua->tail;
		list_unlink(ua, e);
		for (pp = &ua->bucket[(size_t)e->h & (ua->nbucket - 1)];
		    *pp != e; pp = &(*pp)->hnext)
			;
		*pp = e->hnext;
		free(e->key);
		json_decref(e->val);
		free(e->text);
		free(e);
		ua->size--;
	}
	e = ev_xcalloc(1, sizeof(*e));
	e->key = ev_xstrndup(s, n);
	e->n = n;
	e->h = h;
	e->val = parse_uncached(ua, s, n);
	e->hnext = ua->bucket[b];
	ua->bucket[b] = e;
	list_push(ua, e);
	ua->size++;
	return e;
}

json_t *
ev_ua_parse(struct ev_ua *ua, const char *s, size_t n)
{
	return entry_of(ua, s, n)->val;
}

const char *
ev_ua_parse_text(struct ev_ua *ua, const char *s, size_t n, size_t *len)
{
	struct centry *e = entry_of(ua, s, n);
	struct ev_buf b = EV_BUF_INIT;

	if (e->text == NULL) {
		ev_json_write(e->val, &b);
		e->text = b.data;	/* taken over from b */
		e->textlen = b.len;
	}
	*len = e->textlen;
	return e->text;
}

uint64_t
ev_ua_cache_hits(const struct ev_ua *ua)
{
	return ua->hits;
}

uint64_t
ev_ua_cache_misses(const struct ev_ua *ua)
{
	return ua->misses;
}

size_t
ev_ua_patterns(const struct ev_ua *ua)
{
	return ua->npatterns;
}
