/*
 * ev_url.h - URLs for ev-enrich: split a page URL or referrer into its
 * parts, read query parameters, derive campaign fields (utm_* and click
 * ids) and classify a referrer (medium, source, search term) with a
 * referer-parser database (Snowplow's referers.json or referers.yml, read
 * at run time, never bundled).
 *
 * Ownership: ev_url_parse fills a struct of pointers borrowed from the
 * string given.  ev_url_parts, ev_url_campaign and ev_referer_classify
 * return new references.  ev_referer_db_load returns a new database
 * (ev_referer_db_free).
 */
#ifndef EV_URL_H
#define EV_URL_H

#include <stddef.h>
#include <jansson.h>

#include "ev_buf.h"

struct ev_url_span {
	const char	*p;
	size_t		 n;
};

struct ev_url {
	struct ev_url_span scheme, host, path, query, fragment;
	int		 port;		/* explicit port, or the scheme's default, or -1 */
	int		 has_query, has_fragment;
};

/*
 * Split an absolute http(s)-like URL "scheme://[user@]host[:port][/path]
 * [?query][#fragment]".  Returns 0, or -1 when it is not such a URL.
 */
int	ev_url_parse(const char *s, size_t n, struct ev_url *u);
/*
 * The first value of query parameter name, percent- and '+'-decoded, into
 * out (reset first).  Returns 1 if present, 0 if not.
 */
int	ev_url_param(const struct ev_url *u, const char *name,
	    struct ev_buf *out);
/* {"scheme","host","port","path","query","fragment"}; host lowercased. */
json_t	*ev_url_parts(const struct ev_url *u);
/*
 * Campaign fields from utm_source/medium/campaign/term/content/id and the
 * click ids gclid (Google), msclkid (Microsoft), dclid (DoubleClick):
 * {"source","medium","name","term","content","id","click_id","network"},
 * only the members present.  NULL when the URL has none of them.
 */
json_t	*ev_url_campaign(const struct ev_url *u);

struct ev_referer_db;

/* Load referers.json or referers.yml (by extension); NULL with err. */
struct ev_referer_db *ev_referer_db_load(const char *path, char *err,
	    size_t errlen);
void	ev_referer_db_free(struct ev_referer_db *db);
/*
 * Number of sources, and whether a source of that name is known (under
 * that medium, unless medium is NULL).
 */
size_t	ev_referer_db_size(const struct ev_referer_db *db);
int	ev_referer_db_has(const struct ev_referer_db *db, const char *source,
	    const char *medium);

/*
 * Classify a referrer: internal when its host is page_host or one of the
 * internal domains (or a subdomain of one); else the database's
 * medium/source (and "term" for a known parameter); else "unknown".
 * Returns {"medium":…,"source":…,"term":…} (source/term when known).
 * db may be NULL (then only internal/unknown).
 */
json_t	*ev_referer_classify(const struct ev_referer_db *db,
	    const struct ev_url *ref, const char *page_host, size_t page_hostlen,
	    char *const *internal, size_t ninternal);

#endif /* EV_URL_H */
