/*
 * test_privacy.c - lib/ev_privacy: IP anonymisation and the HMAC against
 * RFC 4231.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "ev_privacy.h"

#include "check.h"

static void
test_privacy(void)
{
	char out[EV_PRIVACY_HASHLEN + 1], ip[64];
	unsigned char *key;
	size_t keylen;
	char err[256];

	/* RFC 4231 test case 2. */
	ev_privacy_hmac((const unsigned char *)"Jefe", 4,
	    "what do ya want for nothing?", 28, out);
	CHECK(strcmp(out, "hmac:5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843") == 0);
	CHECK(ev_privacy_is_hashed(out, strlen(out)));
	CHECK(!ev_privacy_is_hashed("hmac:xyz", 8));
	/*
	 * RFC 4231 cases 1 and 6 (a key longer than a block), taking turns
	 * with case 2, and a key changed in place: no key's state outlives it.
	 */
	{
		unsigned char k1[20], k6[131], kx[4];
		int round;

		memset(k1, 0x0b, sizeof(k1));
		memset(k6, 0xaa, sizeof(k6));
		for (round = 0; round < 2; round++) {
			ev_privacy_hmac(k1, sizeof(k1), "Hi There", 8, out);
			CHECK(strcmp(out, "hmac:b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7") == 0);
			ev_privacy_hmac(k6, sizeof(k6), "Test Using Larger Than "
			    "Block-Size Key - Hash Key First", 54, out);
			CHECK(strcmp(out, "hmac:60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54") == 0);
		}
		memcpy(kx, "Jefe", 4);
		ev_privacy_hmac(kx, 4, "what do ya want for nothing?", 28, out);
		CHECK(strcmp(out, "hmac:5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843") == 0);
		kx[0] = 'j';
		ev_privacy_hmac(kx, 4, "what do ya want for nothing?", 28, out);
		/* Python's hmac for these two. */
		CHECK(strcmp(out, "hmac:f5886a2776d40a671830efd161726e21b7dbd9f0d3a5515428de35324eacaadb") == 0);
		ev_privacy_hmac(kx, 4, "", 0, out);
		CHECK(strcmp(out, "hmac:1c1654d59136f7da2400e9756cebc005147f0045489e2cadccda7df1c67dd2ca") == 0);
	}
	CHECK(ev_privacy_key_from("short", &key, &keylen, err, sizeof(err)) == -1);
	CHECK(ev_privacy_key_from("0123456789abcdef\n", &key, &keylen, err,
	    sizeof(err)) == 0 && keylen == 16);
	ev_privacy_key_free(key, keylen);
	/* One final LF only: a CR, or a second LF, is key material. */
	CHECK(ev_privacy_key_from("0123456789abcdef\r\n", &key, &keylen, err,
	    sizeof(err)) == 0 && keylen == 17 && key[16] == '\r');
	ev_privacy_key_free(key, keylen);
	CHECK(ev_privacy_key_from("0123456789abcdef\n\n", &key, &keylen, err,
	    sizeof(err)) == 0 && keylen == 17 && key[16] == '\n');
	ev_privacy_key_free(key, keylen);

	CHECK(ev_privacy_anon_ip("203.0.113.77", 1, 5, ip, sizeof(ip)) == 0 &&
	    strcmp(ip, "203.0.113.0") == 0);
	CHECK(ev_privacy_anon_ip("203.0.113.77", 4, 5, ip, sizeof(ip)) == 0 &&
	    strcmp(ip, "0.0.0.0") == 0);
	/* IPv4-mapped: the IPv4 mask, the mapped form; a zone id: none. */
	CHECK(ev_privacy_anon_ip("::ffff:203.0.113.77", 2, 5, ip,
	    sizeof(ip)) == 0 && strcmp(ip, "::ffff:203.0.0.0") == 0);
	CHECK(ev_privacy_anon_ip("::1:203.0.113.77", 2, 1, ip,
	    sizeof(ip)) == 0 && strcmp(ip, "::1:cb00:0") == 0);
	CHECK(ev_privacy_anon_ip("fe80::1%eth0", 1, 5, ip, sizeof(ip)) == -1);
	CHECK(ev_privacy_anon_ip("2001:db8:1:2:3:4:5:6", 1, 5, ip,
	    sizeof(ip)) == 0 && strcmp(ip, "2001:db8:1::") == 0);
	CHECK(ev_privacy_anon_ip("2001:db8:1:2:3:4:5:6", 1, 1, ip,
	    sizeof(ip)) == 0 && strcmp(ip, "2001:db8:1:2:3:4:5:0") == 0);
	CHECK(ev_privacy_anon_ip("999.1.1.1", 1, 1, ip, sizeof(ip)) == -1);
	CHECK(ev_privacy_anon_ip("", 1, 1, ip, sizeof(ip)) == -1);
}


/*
 * --anon-ip's own IPv4 reading against inet_pton and inet_ntop, over
 * strings of digits and dots of every length up to 16 (and a few others),
 * for every octet count: the same address out, or the same refusal.
 */
static void
test_anon_v4(void)
{
	static const char alpha[] = "0123456789.";
	static const char *const fixed[] = { "0.0.0.0", "255.255.255.255",
	    "256.1.1.1", "1.2.3.04", "01.2.3.4", "1.2.3", "1.2.3.4.",
	    ".1.2.3.4", "1..2.3", "1.2.3.4.5", "1.2.3.0", "10.0.0.1",
	    "1.2.3.4 ", "+1.2.3.4", "1.2.3.255", "001.2.3.4" };
	unsigned long seed = 12345;
	unsigned char a[16];
	char s[24], got[64], want[64];
	int i, k, o, n, ok;

	for (i = 0; i < 40000 + (int)(sizeof(fixed) / sizeof(fixed[0]));
	    i++) {
		if (i < (int)(sizeof(fixed) / sizeof(fixed[0])))
			snprintf(s, sizeof(s), "%s", fixed[i]);
		else {
			seed = seed * 6364136223846793005UL + 1442695040888963407UL;
			n = 1 + (int)(seed >> 60);
			for (k = 0; k < n; k++) {
				seed = seed * 6364136223846793005UL +
				    1442695040888963407UL;
				/* Dots one time in four, so most have three. */
				s[k] = (seed >> 33) % 4 == 0 ? '.' :
				    alpha[(seed >> 40) % 10];
			}
			s[n] = '\0';
		}
		for (o = 1; o <= 4; o++) {
			ok = inet_pton(AF_INET, s, a) == 1;
			if (ok) {
				for (k = 0; k < o; k++)
					a[3 - k] = 0;
				inet_ntop(AF_INET, a, want, sizeof(want));
			}
			if (ev_privacy_anon_ip(s, o, 5, got, sizeof(got)) == 0)
				CHECK(ok && strcmp(got, want) == 0);
			else
				CHECK(!ok);
		}
	}
}

int
main(void)
{
	test_privacy();
	test_anon_v4();
	printf("test_privacy: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
