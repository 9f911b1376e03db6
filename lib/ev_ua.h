/*
 * ev_ua.h - user agents for ev-enrich: uap-core's regexes.yaml (read with
 * libyaml, compiled with PCRE2 and its JIT) gives browser, OS and device
 * family and versions; an LRU cache keeps the answers for the user agents
 * seen most recently; an optional crawler pattern list (crawler-user-agents
 * JSON) sets the bot flag, which is otherwise set for uap-core's "Spider"
 * device family.
 *
 * Also the YAML reader the referrer database uses (ev_ua_yaml_load).
 *
 * Ownership: ev_ua_load returns a new parser (ev_ua_free).  ev_ua_parse
 * returns a borrowed object owned by the cache, valid until the next
 * ev_ua_parse; take a reference (json_incref) to keep it.
 * ev_ua_yaml_load returns a new reference.
 */
#ifndef EV_UA_H
#define EV_UA_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct ev_ua;

/*
 * A YAML document as JSON: mappings become objects, sequences arrays,
 * scalars strings (an empty plain scalar or "~" becomes null).  NULL with
 * err on a syntax error.
 */
json_t	*ev_ua_yaml_load(const char *path, char *err, size_t errlen);

/*
 * Load regexes.yaml; bots is a crawler-user-agents.json file or NULL.
 * cache_size 0 disables the cache.  NULL with err on failure.
 */
struct ev_ua *ev_ua_load(const char *regexes, const char *bots,
	    size_t cache_size, char *err, size_t errlen);
void	ev_ua_free(struct ev_ua *ua);

/*
 * Parse one user agent:
 *   {"browser":{"family","major","minor","patch"},
 *    "os":{"family","major","minor","patch","patch_minor"},
 *    "device":{"family","brand","model"},"bot":false}
 * with null for the parts not found (family "Other" when nothing matched).
 */
json_t	*ev_ua_parse(struct ev_ua *ua, const char *s, size_t n);
/*
 * The same answer as its JSON text (ev_json_write's form), kept in the
 * cache beside it: borrowed, valid as ev_ua_parse's object is.
 */
const char *ev_ua_parse_text(struct ev_ua *ua, const char *s, size_t n,
	    size_t *len);

/* The three uap-core results on their own (for the conformance test). */
json_t	*ev_ua_browser(const struct ev_ua *ua, const char *s, size_t n);
json_t	*ev_ua_os(const struct ev_ua *ua, const char *s, size_t n);
json_t	*ev_ua_device(const struct ev_ua *ua, const char *s, size_t n);
/* 1 when a crawler pattern matches. */
int	ev_ua_is_bot(const struct ev_ua *ua, const char *s, size_t n);

/* Cache counters. */
uint64_t ev_ua_cache_hits(const struct ev_ua *ua);
uint64_t ev_ua_cache_misses(const struct ev_ua *ua);
size_t	ev_ua_patterns(const struct ev_ua *ua);

#endif /* EV_UA_H */
