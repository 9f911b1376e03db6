/*
 * ev_schemajob.h - what ev-schema checks before it compares or lints: the
 * meta-schemas it reads schemas against, the registry folders it refuses
 * as ev-validate would, and the list of comparisons (jobs) a pair of
 * schema files or registry states asks for.
 *
 * ev-schema is a one-shot check whose exit status is the verdict, so the
 * setup functions here end the run with EV_EXIT_USAGE (and ev-schema's
 * diagnostic) when a schema cannot be read, a reference does not resolve
 * or a registry is refused, as the x* allocators of ev_common.h do on
 * failure.  ev_schemajob_lint_file is the exception: it records an
 * unreadable file as a finding, so the other files are still linted.
 *
 * Ownership: a world owns its meta-schema sets, stores, registries and
 * jobs (ev_schemajob_world_free).  A job's paths are borrowed from the
 * world's registries or from argv; its stores are borrowed from the world.
 * Documents returned by ev_schemajob_compare belong to the job's stores.
 */
#ifndef EV_SCHEMAJOB_H
#define EV_SCHEMAJOB_H

#include <stddef.h>

#include "ev_evolve.h"
#include "ev_lint.h"
#include "ev_schema.h"
#include "ev_schemaver.h"

/* One comparison between two schema files. */
struct ev_schemajob {
	char			*event;		/* NULL for two files */
	const char		*old_path, *new_path;
	struct ev_evolve_store	*ost, *nst;	/* borrowed */
	int			 removed;	/* old version gone from NEW */
};

struct ev_schemajob_world {
	struct ev_schema_set		*official;	/* NULL: none found */
	struct ev_schema_set		*meta;	/* official or a child */
	struct ev_evolve_store		*ost, *nst;
	struct ev_evolve_registry	 oreg, nreg;
	int				 have_oreg, have_nreg;
	struct ev_schemajob		*jobs;
	size_t				 njobs;
};

/*
 * Load the meta-schemas into a new world: the official ones (as
 * ev-validate loads them, from $EVKIT_METASCHEMAS, the installed copy or
 * the tree beside the program) and, in w->meta, the extra ones ev-schema
 * knows (draft-04, Iglu's self-describing schema).  Missing meta-schemas
 * are not an error: both are NULL.
 */
void	ev_schemajob_world_init(struct ev_schemajob_world *w);

/*
 * The jobs for compat and bump operands: one registry folder (every
 * version against its history), two folders (what NEW adds, edits or
 * drops) or two files (with refdir, a registry their "$id" references
 * resolve in; NULL for none).  transitive: against every earlier version,
 * else the one before.  Ends the run (exit 2) on a bad operand.
 */
void	ev_schemajob_build(struct ev_schemajob_world *w, int argc,
	    char **argv, int transitive, const char *refdir);
void	ev_schemajob_world_free(struct ev_schemajob_world *w);

/*
 * Run one comparison: the changes into ch (ev_evolve_changes_free), the
 * two documents into od and nd (nd NULL for a removed version).  Ends the
 * run (exit 2) when a schema cannot be read or a $ref not resolved.
 */
void	ev_schemajob_compare(struct ev_schemajob *j,
	    struct ev_evolve_changes *ch, struct ev_evolve_doc **od,
	    struct ev_evolve_doc **nd);

/*
 * Load every file of a registry into st, so "$id" references resolve.
 * An unreadable file ends the run unless tolerant (lint reports it).
 */
void	ev_schemajob_preload(struct ev_evolve_store *st,
	    const struct ev_evolve_registry *r, int tolerant);

/*
 * Lint one file into rep; filever, when not NULL, is the version its file
 * name gives.  Returns EV_EXIT_USAGE when it cannot be read (reported as
 * an "unreadable" finding), else EV_EXIT_OK.
 */
int	ev_schemajob_lint_file(struct ev_evolve_store *st, const char *path,
	    struct ev_schema_set *meta, struct ev_lint_report *rep,
	    const struct ev_schemaver *filever);

#endif
