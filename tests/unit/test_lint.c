/*
 * test_lint.c - unit tests of schema lint: each rule, where it points
 * (JSON Pointers with ~0 and ~1), errors against warnings, and the
 * duplicate-key scan of the file's text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ev_common.h"
#include "ev_evolve.h"
#include "ev_lint.h"

#include "check.h"

static char dir[] = "/tmp/test_lint.XXXXXX";
static char path[64];
static struct ev_lint_report rep;

/* Lint the schema text (structural checks: no meta-schemas). */
static int
lint(const char *text)
{
	struct ev_evolve_store *st = ev_evolve_store_new(NULL);
	struct ev_evolve_doc *d;
	char err[512];
	FILE *f;

	ev_lint_report_free(&rep);
	snprintf(path, sizeof(path), "%s/s.json", dir);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fputs(text, f);
	fclose(f);
	d = ev_evolve_load(st, path, err, sizeof(err));
	if (d != NULL)
		ev_lint_schema(d, "s.json", NULL, &rep);
	else
		fprintf(stderr, "lint: %s\n", err);
	ev_evolve_store_free(st);
	unlink(path);
	return d != NULL ? 0 : -1;
}

/* How many findings of rule at ptr, errors (error 1) or warnings (0). */
static int
found(const char *rule, const char *ptr, int error)
{
	size_t i;
	int n = 0;

	for (i = 0; i < rep.n; i++)
		if (strcmp(rep.v[i].rule, rule) == 0 &&
		    strcmp(rep.v[i].ptr, ptr) == 0 &&
		    rep.v[i].error == error &&
		    strcmp(rep.v[i].file, "s.json") == 0)
			n++;
	return n;
}

static void
test_clean(void)
{
	CHECK(lint("{\"description\":\"d\",\"type\":\"object\","
	    "\"additionalProperties\":false,\"properties\":{\"a\":{"
	    "\"description\":\"a\",\"type\":\"string\",\"minLength\":1,"
	    "\"maxLength\":1,\"pattern\":\"^x$\"}},\"required\":[\"a\"]}") == 0);
	CHECK(rep.n == 0 && rep.errors == 0 && rep.warnings == 0);
}

static void
test_unsatisfiable(void)
{
	CHECK(lint("{\"description\":\"d\",\"minimum\":5,\"maximum\":4}") == 0);
	CHECK(found("unsatisfiable", "", 1) == 1);
	CHECK(lint("{\"description\":\"d\",\"exclusiveMinimum\":4,"
	    "\"maximum\":4}") == 0);
	CHECK(found("unsatisfiable", "", 1) == 1);
	CHECK(lint("{\"description\":\"d\",\"exclusiveMinimum\":3,"
	    "\"maximum\":4}") == 0);
	CHECK(found("unsatisfiable", "", 1) == 0);
	CHECK(lint("{\"description\":\"d\",\"enum\":[]}") == 0);
	CHECK(found("unsatisfiable", "", 1) == 1);
	CHECK(lint("{\"description\":\"d\",\"type\":\"string\","
	    "\"enum\":[\"a\",1,2]}") == 0);
	CHECK(found("enum-type", "", 0) == 1 && rep.errors == 0);
	CHECK(strstr(rep.v[0].message, "2 'enum' values") != NULL);
	CHECK(lint("{\"description\":\"d\",\"type\":\"string\","
	    "\"allOf\":[{\"type\":\"integer\"}]}") == 0);
	CHECK(found("unsatisfiable", "", 1) == 1);
	CHECK(lint("{\"description\":\"d\",\"type\":\"object\","
	    "\"additionalProperties\":false,\"properties\":{\"a\":false},"
	    "\"required\":[\"a\",\"b\",\"c\"],\"patternProperties\":"
	    "{\"^c\":true}}") == 0);
	CHECK(found("unsatisfiable", "/required/0", 1) == 1);
	CHECK(found("unsatisfiable", "/required/1", 1) == 1);
	CHECK(found("unsatisfiable", "/required/2", 1) == 0);
}

static void
test_keywords(void)
{
	CHECK(lint("{\"description\":\"d\",\"foo\":1,\"x-foo\":1,"
	    "\"minLength\":-1,\"pattern\":\"(\",\"patternProperties\":"
	    "{\"[\":true},\"a/b~\":1}") == 0);
	CHECK(found("unknown-keyword", "/foo", 1) == 1);
	CHECK(found("unknown-keyword", "/x-foo", 1) == 0);
	CHECK(found("unknown-keyword", "/a~1b~0", 1) == 1);
	CHECK(found("keyword-type", "/minLength", 1) == 1);
	CHECK(found("bad-pattern", "/pattern", 1) == 1);
	CHECK(found("bad-pattern", "/patternProperties/%5B", 1) == 0);
	CHECK(found("bad-pattern", "/patternProperties/[", 1) == 1);
	CHECK(rep.errors == 5 && rep.warnings == 0);
	CHECK(lint("{\"description\":\"d\",\"$ref\":\"#/$defs/none\"}") == 0);
	CHECK(found("unresolvable-ref", "/$ref", 1) == 1);
	CHECK(lint("{\"description\":\"d\",\"$ref\":\"#/$defs/t\","
	    "\"$defs\":{\"t\":{\"type\":\"string\"}}}") == 0);
	CHECK(found("unresolvable-ref", "/$ref", 1) == 0);
}

static void
test_warnings(void)
{
	CHECK(lint("{\"type\":\"object\",\"properties\":{\"a\":{"
	    "\"type\":\"object\",\"additionalProperties\":true},"
	    "\"b\":{\"description\":\"b\"}},\"additionalProperties\":true}")
	    == 0);
	CHECK(found("missing-description", "", 0) == 1);
	CHECK(found("missing-description", "/properties/a", 0) == 1);
	CHECK(found("missing-description", "/properties/b", 0) == 0);
	CHECK(found("open-object", "", 0) == 0);
	CHECK(rep.errors == 0 && rep.warnings == 2);
	CHECK(lint("{\"description\":\"d\",\"properties\":{}}") == 0);
	CHECK(found("open-object", "", 0) == 1);
}

static void
test_duplicates(void)
{
	CHECK(lint("{\"description\":\"d\",\"x-a\":1,\"x-a\" : 2,\n"
	    "\"x-l\":[{\"k\":1,\"k\":[],\"k\":{}} , {\"k\":1}],"
	    "\"x-o\":{\"a/b\":1,\"a\\/b\":2,\"c\\u007e\":1,\"c~\":2,"
	    "\"e\":\"\\\"}\",\"e\":\"{\"}}") == 0);
	CHECK(found("duplicate-key", "/x-a", 0) == 1);
	CHECK(found("duplicate-key", "/x-l/0/k", 0) == 1);
	CHECK(found("duplicate-key", "/x-l/1/k", 0) == 0);
	CHECK(found("duplicate-key", "/x-o/a~1b", 0) == 1);
	CHECK(found("duplicate-key", "/x-o/c~0", 0) == 1);
	CHECK(found("duplicate-key", "/x-o/e", 0) == 1);
	CHECK(rep.warnings == 5 && rep.errors == 0);
	/* Inner objects first, then each object's keys in first-seen order. */
	CHECK(rep.n == 5 && strcmp(rep.v[0].ptr, "/x-l/0/k") == 0 &&
	    strcmp(rep.v[1].ptr, "/x-o/a~1b") == 0 &&
	    strcmp(rep.v[2].ptr, "/x-o/c~0") == 0 &&
	    strcmp(rep.v[3].ptr, "/x-o/e") == 0 &&
	    strcmp(rep.v[4].ptr, "/x-a") == 0);
	CHECK(strstr(rep.v[0].message, "'k' appears 3 times") != NULL);
}

int
main(void)
{
	ev_set_progname("test_lint");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_clean();
	test_unsatisfiable();
	test_keywords();
	test_warnings();
	test_duplicates();
	ev_lint_report_free(&rep);
	rmdir(dir);
	printf("test_lint: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
