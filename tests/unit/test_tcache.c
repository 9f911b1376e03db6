/*
 * test_tcache.c - the direct-mapped text cache: what is put is got back
 * by its exact key (bytes, NULs included), a slot's new key puts out the
 * old one, and memory is the slots' however many keys come.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "ev_tcache.h"

static void
test_tcache(void)
{
	struct ev_tcache *c = ev_tcache_new(5);	/* 8 slots */
	const char *t;
	char key[16], text[32];
	size_t len, i, found;

	CHECK(ev_tcache_get(c, "a", 1, &len) == NULL);
	ev_tcache_put(c, "a", 1, "{\"x\":1}", 7);
	t = ev_tcache_get(c, "a", 1, &len);
	CHECK(t != NULL && len == 7 && strcmp(t, "{\"x\":1}") == 0);
	/* Keys differ by a NUL and by length; an empty text is a value. */
	ev_tcache_put(c, "a\0b", 3, "", 0);
	t = ev_tcache_get(c, "a\0b", 3, &len);
	CHECK(t != NULL && len == 0 && t[0] == '\0');
	CHECK(ev_tcache_get(c, "a\0c", 3, &len) == NULL);
	CHECK(ev_tcache_get(c, "a\0", 2, &len) == NULL);
	/* A text replaced by a longer one for the same key. */
	ev_tcache_put(c, "a", 1, "a much longer text than before", 30);
	t = ev_tcache_get(c, "a", 1, &len);
	CHECK(t != NULL && len == 30 && strcmp(t, "a much longer text than "
	    "before") == 0);
	/* 100 keys in 8 slots: at most 8 are found, each with its own text. */
	for (i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		snprintf(text, sizeof(text), "\"v%zu\"", i);
		ev_tcache_put(c, key, strlen(key), text, strlen(text));
	}
	for (found = 0, i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		snprintf(text, sizeof(text), "\"v%zu\"", i);
		if ((t = ev_tcache_get(c, key, strlen(key), &len)) != NULL) {
			found++;
			CHECK(len == strlen(text) && strcmp(t, text) == 0);
		}
	}
	CHECKF(found >= 1 && found <= 8, "%zu found", found);
	/* The last key put is always there. */
	CHECK(ev_tcache_get(c, "k99", 3, &len) != NULL);
	ev_tcache_free(c);
	ev_tcache_free(NULL);
}

int
main(void)
{
	test_tcache();
	printf("test_tcache: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
