/*
 * ev_geo.h - IP address lookups for ev-enrich: a MaxMind DB (GeoIP2 /
 * GeoLite2 City or Country) through libmaxminddb, an ASN database, and,
 * without MaxMind, a CSV table of IP ranges "low,high,CC" in the format of
 * Debian's tor-geoipdb (/usr/share/tor/geoip with IPv4 integers,
 * /usr/share/tor/geoip6 with IPv6 addresses; '#' lines are comments).
 *
 * Databases are checked when opened: the metadata and every data record
 * the search tree reaches are decoded once (up to EV_GEO_VERIFY_NODES
 * nodes), so a corrupt file is an error at start, not a crash mid-stream.
 *
 * Ownership: ev_geo_new returns a new handle (ev_geo_free); ev_geo_lookup
 * returns a new reference.
 */
#ifndef EV_GEO_H
#define EV_GEO_H

#include <stddef.h>
#include <jansson.h>

#define EV_GEO_VERIFY_NODES	(8u * 1024 * 1024)

struct ev_geo;

struct ev_geo *ev_geo_new(void);
void	ev_geo_free(struct ev_geo *g);
/* Open the city/country database.  0, or -1 with err. */
int	ev_geo_open_city(struct ev_geo *g, const char *path, char *err,
	    size_t errlen);
/* Open the ASN database.  0, or -1 with err. */
int	ev_geo_open_asn(struct ev_geo *g, const char *path, char *err,
	    size_t errlen);
/* Add a CSV range table (may be given more than once).  0, or -1. */
int	ev_geo_load_ranges(struct ev_geo *g, const char *path, char *err,
	    size_t errlen);

enum ev_geo_result {
	EV_GEO_FOUND,		/* *out is an object with at least one member */
	EV_GEO_NOT_FOUND,	/* a valid address no database knows */
	EV_GEO_BAD_IP		/* not an IPv4 or IPv6 address */
};

/*
 * Look up one address: {"country","region","city","latitude","longitude",
 * "time_zone","asn","as_org"}, only the members known.  The city database
 * answers first; the range table gives the country when it did not.
 */
enum ev_geo_result ev_geo_lookup(struct ev_geo *g, const char *ip,
	    json_t **out);

#endif /* EV_GEO_H */
