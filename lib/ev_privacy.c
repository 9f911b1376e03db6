/*
 * ev_privacy.c - keyed pseudonyms, IP anonymisation, digests (see
 * ev_privacy.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "ev_buf.h"
#include "ev_common.h"
#include "ev_privacy.h"

static void	hm_forget(void);

#define MIN_KEY		16
#define MAX_KEY_FILE	4096

static int
take_key(const char *p, size_t n, const char *what, unsigned char **key,
    size_t *keylen, char *err, size_t errlen)
{
	/*
	 * Exactly one final LF goes, as $(cat FILE) would take a file
	 * written by echo: the rest, a CR before it included, is the key, so
	 * other tools given the same bytes compute the same HMAC.
	 */
	if (n > 0 && p[n - 1] == '\n')
		n--;
	if (n < MIN_KEY) {
		ev_errf(err, errlen, "%s: key too short (%zu bytes, at least "
		    "%d)", what, n, MIN_KEY);
		return -1;
	}
	*key = ev_xmalloc(n);
	memcpy(*key, p, n);
	*keylen = n;
	return 0;
}

int
ev_privacy_read_key(const char *path, unsigned char **key, size_t *keylen,
    char *err, size_t errlen)
{
	FILE *f;
	char buf[MAX_KEY_FILE + 1];
	size_t n;
	int rc;

	if ((f = fopen(path, "rb")) == NULL) {
		ev_errf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* One byte more than allowed tells a file of exactly the limit. */
	n = fread(buf, 1, sizeof(buf), f);
	if (ferror(f) || n > MAX_KEY_FILE) {
		ev_errf(err, errlen, "%s: %s", path, ferror(f) ?
		    strerror(errno) : "key file longer than 4096 bytes");
		fclose(f);
		OPENSSL_cleanse(buf, sizeof(buf));
		return -1;
	}
	fclose(f);
	rc = take_key(buf, n, path, key, keylen, err, errlen);
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

int
ev_privacy_key_from(const char *text, unsigned char **key, size_t *keylen,
    char *err, size_t errlen)
{
	return take_key(text, strlen(text), "EVKIT_HASH_KEY", key, keylen,
	    err, errlen);
}

void
ev_privacy_key_free(unsigned char *key, size_t keylen)
{
	if (key != NULL)
		OPENSSL_cleanse(key, keylen);
	free(key);
	hm_forget();	/* the state ev_privacy_hmac kept for a key */
}

static void
hex(const unsigned char *d, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * n] = '\0';
}

/*
 * HMAC-SHA256 as RFC 2104 defines it, with the SHA-256 states after the
 * key's inner and outer pads kept for the last key used (a copy of it says
 * which): a pseudonym then costs two short hashes, where HMAC() fetched
 * and keyed a new MAC for every value.  ev_privacy_key_free wipes them.
 */
#define HM_BLOCK	64	/* SHA-256's block */

static struct {
	unsigned char	*key;
	size_t		 keylen;
	EVP_MD_CTX	*in, *out, *tmp;
} hm;

static void
hm_forget(void)
{
	if (hm.key != NULL)
		OPENSSL_cleanse(hm.key, hm.keylen);
	free(hm.key);
	hm.key = NULL;
	hm.keylen = 0;
	/* EVP_MD_CTX_free cleanses the states. */
	EVP_MD_CTX_free(hm.in);
	EVP_MD_CTX_free(hm.out);
	EVP_MD_CTX_free(hm.tmp);
	hm.in = hm.out = hm.tmp = NULL;
}

static void
hm_pad(EVP_MD_CTX *c, const unsigned char *block, unsigned char x)
{
	unsigned char pad[HM_BLOCK];
	size_t i;
	int ok;

	for (i = 0; i < HM_BLOCK; i++)
		pad[i] = block[i] ^ x;
	ok = EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(c, pad, HM_BLOCK) == 1;
	OPENSSL_cleanse(pad, sizeof(pad));
	if (!ok)
		ev_die(EV_EXIT_RUNTIME, "hmac-sha256 failed");
}

static void
hm_key(const unsigned char *key, size_t keylen)
{
	unsigned char block[HM_BLOCK];
	unsigned int n;

	if (hm.key != NULL && hm.keylen == keylen &&
	    memcmp(hm.key, key, keylen) == 0)
		return;
	hm_forget();
	memset(block, 0, sizeof(block));
	if (keylen > HM_BLOCK) {
		if (EVP_Digest(key, keylen, block, &n, EVP_sha256(), NULL) != 1)
			ev_die(EV_EXIT_RUNTIME, "hmac-sha256 failed");
	} else if (keylen > 0)
		memcpy(block, key, keylen);
	if ((hm.in = EVP_MD_CTX_new()) == NULL ||
	    (hm.out = EVP_MD_CTX_new()) == NULL ||
	    (hm.tmp = EVP_MD_CTX_new()) == NULL)
		ev_die(EV_EXIT_RUNTIME, "out of memory");
	hm_pad(hm.in, block, 0x36);
	hm_pad(hm.out, block, 0x5c);
	OPENSSL_cleanse(block, sizeof(block));
	hm.key = ev_xmalloc(keylen + 1);
	if (keylen > 0)
		memcpy(hm.key, key, keylen);
	hm.keylen = keylen;
}

void
ev_privacy_hmac(const unsigned char *key, size_t keylen, const char *s,
    size_t n, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	hm_key(key, keylen);
	if (EVP_MD_CTX_copy_ex(hm.tmp, hm.in) != 1 ||
	    EVP_DigestUpdate(hm.tmp, s, n) != 1 ||
	    EVP_DigestFinal_ex(hm.tmp, md, &mdlen) != 1 ||
	    EVP_MD_CTX_copy_ex(hm.tmp, hm.out) != 1 ||
	    EVP_DigestUpdate(hm.tmp, md, mdlen) != 1 ||
	    EVP_DigestFinal_ex(hm.tmp, md, &mdlen) != 1)
		ev_die(EV_EXIT_RUNTIME, "hmac-sha256 failed");
	memcpy(out, EV_PRIVACY_PREFIX, 5);
	hex(md, mdlen, out + 5);
}

int
ev_privacy_is_hashed(const char *s, size_t n)
{
	size_t i;

	if (n != EV_PRIVACY_HASHLEN || memcmp(s, EV_PRIVACY_PREFIX, 5) != 0)
		return 0;
	for (i = 5; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

void
ev_privacy_sha256(const void *p, size_t n, char *out)
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256(p, n, md);
	hex(md, sizeof(md), out);
}

/*
 * The common case without inet_pton and inet_ntop: an IPv4 address spelt
 * as inet_ntop spells one (four decimal parts of 0-255 without leading
 * zeros) keeps the spelling of the parts it keeps, so the result is its
 * first 4 - octets parts and ".0" for each zeroed one.  1 when ip was
 * such an address (out written), 0 to take the general way.
 */
static int
anon_v4_plain(const char *ip, int octets, char *out, size_t outlen)
{
	size_t dot[4], n = 0, i, keep;
	int digits = 0, part = 0;

	for (i = 0; ip[i] != '\0'; i++) {
		if (ip[i] >= '0' && ip[i] <= '9') {
			if (digits == 1 && part == 0)
				return 0;	/* a leading zero */
			part = part * 10 + (ip[i] - '0');
			if (++digits > 3 || part > 255)
				return 0;
		} else if (ip[i] == '.' && digits > 0 && n < 3) {
			dot[n++] = i;
			digits = part = 0;
		} else
			return 0;
	}
	/* The result is never longer than the address: "255.255.255.255". */
	if (n != 3 || digits == 0 || outlen < 16)
		return 0;
	if (octets > 4)
		octets = 4;
	keep = octets == 4 ? 0 : dot[3 - octets];
	memcpy(out, ip, keep);
	for (i = 0; i < (size_t)octets; i++) {
		if (i > 0 || keep > 0)
			out[keep++] = '.';
		out[keep++] = '0';
	}
	out[keep] = '\0';
	return 1;
}

int
ev_privacy_anon_ip(const char *ip, int octets, int segments, char *out,
    size_t outlen)
{
	static const unsigned char v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0xff, 0xff };
	unsigned char a[16];
	int i;

	if (octets >= 1 && anon_v4_plain(ip, octets, out, outlen))
		return 0;
	if (inet_pton(AF_INET, ip, a) == 1) {
		for (i = 0; i < octets && i < 4; i++)
			a[3 - i] = 0;
		return inet_ntop(AF_INET, a, out, (socklen_t)outlen) ? 0 : -1;
	}
	if (inet_pton(AF_INET6, ip, a) == 1) {
		/*
		 * An IPv4-mapped address (::ffff:a.b.c.d) is an IPv4 host:
		 * the IPv6 mask would zero all of it, so it gets the IPv4 one.
		 */
		if (memcmp(a, v4mapped, sizeof(v4mapped)) == 0)
			for (i = 0; i < octets && i < 4; i++)
				a[15 - i] = 0;
		else
			for (i = 0; i < segments && i < 8; i++)
				a[15 - 2 * i] = a[14 - 2 * i] = 0;
		return inet_ntop(AF_INET6, a, out, (socklen_t)outlen) ? 0 : -1;
	}
	return -1;
}
