/*
 * ev_dir.h - one walk over a folder tree, for the schema registry and the
 * meta-schema folder alike, so every program sees the same files and none
 * passes over a folder it cannot open.
 *
 * Ownership: the strings handed to the visitor are borrowed for the call.
 */
#ifndef EV_DIR_H
#define EV_DIR_H

#include <stddef.h>

/*
 * Walk the tree under dir depth first, in the order the folders list their
 * entries, skipping names that begin with '.' and following symbolic
 * links.  visit is called for every entry that is not a folder, with its
 * path ("dir/a/b.json"), the part below dir ("a/b.json") and arg; a
 * non-zero return stops the walk and is returned (visit fills err).
 *
 * A folder that cannot be opened is an error, the top one included:
 * "cannot open <what> 'PATH': <reason>"; so is an entry that cannot be
 * examined (a dangling link, a loop of links): "cannot open 'PATH':
 * <reason>".  Returns 0, -1 with err filled, or visit's value.
 */
int	ev_dir_walk(const char *dir, const char *what,
	    int (*visit)(const char *path, const char *rel, void *arg,
	    char *err, size_t errlen),
	    void *arg, char *err, size_t errlen);

#endif /* EV_DIR_H */
