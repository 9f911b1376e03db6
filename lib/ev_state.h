/*
 * ev_state.h - state files kept across runs (DESIGN.md, contract 10).
 *
 * A state file is one JSON document:
 *   {"evkit_state":1,"tool":"ev-window","settings":"<fingerprint>",
 *    "saved":"<RFC 3339>","data":{…}}
 * written atomically: a temporary file in the same folder, fsync, rename,
 * fsync of the folder, mode 0600 (or the mode of the file it replaces).
 * Loading checks the format version, the tool and the
 * settings fingerprint (a hash of the options that shape the state), so a
 * state written with other settings is refused, never silently reset.
 *
 * Ownership: ev_state_load returns a new reference in *data.
 */
#ifndef EV_STATE_H
#define EV_STATE_H

#include <sys/types.h>
#include <stdio.h>
#include <jansson.h>

#include "ev_buf.h"

#define EV_STATE_VERSION 1

enum ev_state_result {
	EV_STATE_OK,		/* loaded */
	EV_STATE_MISSING,	/* no such file: start fresh */
	EV_STATE_BAD		/* corrupt, other version/tool/settings: exit 3 */
};

/*
 * 0 on success.  When the file cannot be written, the state is saved to a
 * new file in $TMPDIR (ev_file_save) and -1 returned, or -2 when that
 * failed too; errbuf says what failed and where the state went.
 */
int	ev_state_save(const char *path, const char *tool, const char *settings,
	    const json_t *data, char *errbuf, size_t errlen);
enum ev_state_result ev_state_load(const char *path, const char *tool,
	    const char *settings, json_t **data, char *errbuf, size_t errlen);
/* A fingerprint of a settings string (hex of a 64-bit FNV-1a), into buf[17]. */
char	*ev_state_fingerprint(const char *settings, char *buf);

/*
 * Write a whole file atomically (used for reports too).  0 or -1/errno.
 * A new file is created with mode (less the umask); an existing one keeps
 * its mode.  ev_file_write_atomic is the same with mode 0666.
 */
int	ev_file_write_atomic(const char *path, const void *p, size_t n);
int	ev_file_write_atomic_mode(const char *path, const void *p, size_t n,
	    mode_t mode);
/*
 * Write a whole file with ev_file_write_atomic_mode; when that fails, save
 * the bytes to a new file (0600) in $TMPDIR, or /tmp, so nothing is lost.
 * Returns 0 when path was written; -1 when it was not but the copy was,
 * -2 when neither was; errbuf then says "cannot write <what> file '<path>':
 * <reason>" and where the copy is (or why there is none).
 */
int	ev_file_save(const char *path, const char *what, const char *tool,
	    const void *p, size_t n, mode_t mode, char *errbuf, size_t errlen);
/*
 * Whether path can be written when the run ends: its folder must let a file
 * be created and renamed there, or, for a device, fifo or symbolic link,
 * the file itself must be writable.  0, or -1 with errbuf filled ("cannot
 * write <what> file '<path>': <reason>").
 */
int	ev_file_check_writable(const char *path, const char *what,
	    char *errbuf, size_t errlen);
/*
 * Open a file of records that may hold raw input (rejects, late events,
 * duplicates) for writing, truncated: created 0600, an existing file keeps
 * its mode.  NULL with errno on failure; the caller closes it.
 */
FILE	*ev_file_open_private(const char *path);

#endif /* EV_STATE_H */
