/*
 * ev_lint.h - lint a JSON Schema before it is published: validity against
 * its meta-schema (through ev_schema.h when the meta-schemas are at hand,
 * else a structural check of keyword value types), unknown keywords,
 * unresolvable "$ref", patterns that do not compile, constraints no
 * instance can meet (minimum above maximum, a required property that is
 * forbidden, contradictory types, an empty enum) as errors; objects left
 * open without saying so and missing descriptions as warnings.
 *
 * Ownership: the report owns its findings (ev_lint_report_free); the
 * document and the meta-schema set are borrowed.
 */
#ifndef EV_LINT_H
#define EV_LINT_H

#include <stddef.h>
#include <jansson.h>

#include "ev_evolve.h"
#include "ev_schema.h"

struct ev_lint_finding {
	int	 error;		/* 1 error, 0 warning */
	char	*file;
	char	*rule;		/* "unsatisfiable", "open-object", ... */
	char	*ptr;		/* JSON Pointer in the file */
	char	*message;
};

struct ev_lint_report {
	struct ev_lint_finding	*v;
	size_t			 n, cap;
	size_t			 errors, warnings;
};

/*
 * Lint the document doc (file name label for the findings).  meta is a
 * schema set holding the official meta-schemas, or NULL for the structural
 * check alone.
 */
void	ev_lint_schema(struct ev_evolve_doc *doc, const char *label,
	    struct ev_schema_set *meta, struct ev_lint_report *rep);
/* Add one finding (printf-style message). */
void	ev_lint_add(struct ev_lint_report *rep, int error, const char *file,
	    const char *rule, const char *ptr, const char *fmt, ...)
	    __attribute__((format(printf, 6, 7)));
void	ev_lint_report_free(struct ev_lint_report *rep);

#endif /* EV_LINT_H */
