/*
 * ev_privacy.h - privacy transforms for ev-enrich: keyed pseudonyms
 * (HMAC-SHA256 with OpenSSL libcrypto), IP address anonymisation and
 * SHA-256 digests for event fingerprints.
 *
 * A pseudonym is written "hmac:" followed by 64 lowercase hex digits, so a
 * value that already has that form is recognised and left alone (hashing
 * twice would make enrichment not idempotent).
 *
 * Ownership: ev_privacy_read_key returns new memory in *key (free(3); it is
 * wiped by ev_privacy_key_free).
 */
#ifndef EV_PRIVACY_H
#define EV_PRIVACY_H

#include <stddef.h>

#define EV_PRIVACY_PREFIX	"hmac:"
#define EV_PRIVACY_HASHLEN	(5 + 64)	/* prefix and hex digits */

/*
 * Read a key: the whole file of at most 4096 bytes, exactly one final LF
 * removed (a CR stays key material), at least 16 bytes.  Returns 0, or -1
 * with err.
 */
int	ev_privacy_read_key(const char *path, unsigned char **key,
	    size_t *keylen, char *err, size_t errlen);
/* The same for a key given in an environment variable's value. */
int	ev_privacy_key_from(const char *text, unsigned char **key,
	    size_t *keylen, char *err, size_t errlen);
void	ev_privacy_key_free(unsigned char *key, size_t keylen);
/* "hmac:<hex>" of s into out (EV_PRIVACY_HASHLEN + 1 bytes). */
void	ev_privacy_hmac(const unsigned char *key, size_t keylen,
	    const char *s, size_t n, char *out);
/* 1 when s already is a pseudonym of that form. */
int	ev_privacy_is_hashed(const char *s, size_t n);
/* Lowercase hex SHA-256 of p into out (65 bytes). */
void	ev_privacy_sha256(const void *p, size_t n, char *out);
/*
 * Anonymise an address: zero the last octets (1-4) of IPv4 and of an
 * IPv4-mapped IPv6 address (::ffff:a.b.c.d, written so), the last segments
 * (1-8) of any other IPv6.  Returns 0 with the text in out (at least 46
 * bytes), -1 when ip is not an address (a zone id, "%eth0", makes it none).
 */
int	ev_privacy_anon_ip(const char *ip, int octets, int segments,
	    char *out, size_t outlen);

#endif /* EV_PRIVACY_H */
