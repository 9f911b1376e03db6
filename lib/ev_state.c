/* ev_state.c - atomic, versioned state files. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ev_common.h"
#include "ev_json.h"
#include "ev_state.h"
#include "ev_time.h"

/* The process's umask, which umask(2) only tells by setting it. */
static mode_t
current_umask(void)
{
	mode_t m = umask(077);

	umask(m);
	return m;
}

/* The folder of path into dir ("." for a bare name). */
static void
folder_of(const char *path, struct ev_buf *dir)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		ev_buf_adds(dir, ".");
	else if (slash == path)
		ev_buf_adds(dir, "/");
	else
		ev_buf_add(dir, path, (size_t)(slash - path));
}

FILE *
ev_file_open_private(const char *path)
{
	FILE *f;
	int fd, saved;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return NULL;
	if ((f = fdopen(fd, "w")) == NULL) {
		saved = errno;
		close(fd);
		errno = saved;
	}
	return f;
}

int
ev_file_write_atomic(const char *path, const void *p, size_t n)
{
	return ev_file_write_atomic_mode(path, p, n, 0666);
}

int
ev_file_write_atomic_mode(const char *path, const void *p, size_t n,
    mode_t mode)
{
	struct ev_buf tmp = EV_BUF_INIT, dir = EV_BUF_INIT;
	const char *q = p;
	int fd, dfd, saved;

	struct stat st;

	/*
	 * A device, a fifo or a symbolic link (--stats /dev/null,
	 * /dev/stdout) is written in place: renaming over it would replace
	 * /dev/null or the link itself with a regular file.
	 */
	if (lstat(path, &st) != 0)
		mode &= ~current_umask();
	else if (S_ISREG(st.st_mode))
		mode = st.st_mode & 07777;	/* keep the file's mode */
	else {
		fd = open(path, O_WRONLY | O_TRUNC);
		if (fd < 0)
			return -1;
		while (n > 0) {
			ssize_t w = write(fd, q, n);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				saved = errno;
				close(fd);
				errno = saved;
				return -1;
			}
			q += w;
			n -= (size_t)w;
		}
		return close(fd);
	}
	/*
	 * mkstemp creates the file with O_CREAT|O_EXCL under a name nobody
	 * can guess, so a symbolic link or a file planted at the name is
	 * never followed, truncated or renamed over the target.
	 */
	ev_buf_printf(&tmp, "%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp.data);
	if (fd < 0)
		goto fail;
	if (fchmod(fd, mode) != 0)
		goto fail_fd;
	while (n > 0) {
		ssize_t w = write(fd, q, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto fail_fd;
		}
		q += w;
		n -= (size_t)w;
	}
	if (fsync(fd) != 0 && errno != EINVAL)
		goto fail_fd;
	if (close(fd) != 0) {
		fd = -1;
		goto fail_fd;
	}
	if (rename(tmp.data, path) != 0)
		goto fail_unlink;
	folder_of(path, &dir);
	dfd = open(dir.data, O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	ev_buf_free(&tmp);
	ev_buf_free(&dir);
	return 0;
fail_fd:
	saved = errno;
	if (fd >= 0)
		close(fd);
	errno = saved;
fail_unlink:
	saved = errno;
	unlink(tmp.data);
	errno = saved;
fail:
	saved = errno;
	ev_buf_free(&tmp);
	ev_buf_free(&dir);
	errno = saved;
	return -1;
}

int
ev_file_check_writable(const char *path, const char *what, char *errbuf,
    size_t errlen)
{
	struct ev_buf dir = EV_BUF_INIT;
	struct stat st;
	int rc = -1;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		errno = EISDIR;
	} else if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* Written in place (ev_file_write_atomic_mode). */
		rc = access(path, W_OK);
	} else {
		/* A new file in the folder, renamed over path. */
		folder_of(path, &dir);
		rc = access(dir.data, W_OK | X_OK);
	}
	if (rc != 0)
		snprintf(errbuf, errlen, "cannot write %s file '%s': %s", what,
		    path, strerror(errno));
	ev_buf_free(&dir);
	return rc;
}

int
ev_file_save(const char *path, const char *what, const char *tool,
    const void *p, size_t n, mode_t mode, char *errbuf, size_t errlen)
{
	struct ev_buf tmp = EV_BUF_INIT;
	const char *dir = getenv("TMPDIR"), *base = strrchr(path, '/');
	const char *q = p;
	int fd, saved, rc = -1;

	if (ev_file_write_atomic_mode(path, p, n, mode) == 0)
		return 0;
	saved = errno;
	if (dir == NULL || dir[0] != '/')
		dir = "/tmp";
	base = base ? base + 1 : path;
	ev_buf_printf(&tmp, "%s/%s.%s.XXXXXX", dir, tool, base);
	if ((fd = mkstemp(tmp.data)) >= 0) {
		while (n > 0) {
			ssize_t w = write(fd, q, n);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				break;
			q += w;
			n -= (size_t)w;
		}
		if (n > 0 || fsync(fd) != 0) {
			int e = errno;

			close(fd);
			unlink(tmp.data);
			errno = e;
		} else if (close(fd) == 0) {
			rc = 0;
		}
	}
	if (rc == 0)
		snprintf(errbuf, errlen, "cannot write %s file '%s': %s; saved "
		    "to '%s' instead", what, path, strerror(saved), tmp.data);
	else
		snprintf(errbuf, errlen, "cannot write %s file '%s': %s; no "
		    "copy in '%s' either: %s", what, path, strerror(saved), dir,
		    strerror(errno));
	ev_buf_free(&tmp);
	return rc == 0 ? -1 : -2;
}

char *
ev_state_fingerprint(const char *settings, char *buf)
{
	snprintf(buf, 17, "%016llx",
	    (unsigned long long)ev_hash_bytes(settings, strlen(settings)));
	return buf;
}

int
ev_state_save(const char *path, const char *tool, const char *settings,
    const json_t *data, char *errbuf, size_t errlen)
{
	struct ev_buf b = EV_BUF_INIT;
	char fp[17], ts[EV_TIME_BUFSZ];
	int rc;

	ev_buf_printf(&b, "{\"evkit_state\":%d,\"tool\":", EV_STATE_VERSION);
	ev_buf_add_jstr(&b, tool, strlen(tool));
	ev_buf_adds(&b, ",\"settings\":\"");
	ev_buf_adds(&b, ev_state_fingerprint(settings, fp));
	ev_buf_adds(&b, "\",\"saved\":\"");
	ev_buf_adds(&b, ev_time_format(ev_time_now(), 0, ts));
	ev_buf_adds(&b, "\",\"data\":");
	ev_json_write(data, &b);
	ev_buf_adds(&b, "}\n");
	rc = ev_file_save(path, "state", tool, b.data, b.len, 0600, errbuf,
	    errlen);
	ev_buf_free(&b);
	return rc;
}

enum ev_state_result
ev_state_load(const char *path, const char *tool, const char *settings,
    json_t **data, char *errbuf, size_t errlen)
{
	json_error_t e;
	json_t *doc, *v;
	char fp[17];

	*data = NULL;
	if (access(path, F_OK) != 0 && errno == ENOENT)
		return EV_STATE_MISSING;
	doc = json_load_file(path, 0, &e);
	if (doc == NULL) {
		snprintf(errbuf, errlen, "state file '%s' is corrupt: %s", path,
		    e.text);
		return EV_STATE_BAD;
	}
	v = json_object_get(doc, "evkit_state");
	if (!json_is_integer(v) || json_integer_value(v) != EV_STATE_VERSION) {
		snprintf(errbuf, errlen,
		    "state file '%s' has an unknown format version", path);
		goto bad;
	}
	v = json_object_get(doc, "tool");
	if (!json_is_string(v) || strcmp(json_string_value(v), tool) != 0) {
		snprintf(errbuf, errlen, "state file '%s' belongs to %s, not %s",
		    path, json_is_string(v) ? json_string_value(v) : "?", tool);
		goto bad;
	}
	v = json_object_get(doc, "settings");
	if (!json_is_string(v) || strcmp(json_string_value(v),
	    ev_state_fingerprint(settings, fp)) != 0) {
		snprintf(errbuf, errlen,
		    "state file '%s' was written with other settings", path);
		goto bad;
	}
	v = json_object_get(doc, "data");
	if (v == NULL) {
		snprintf(errbuf, errlen, "state file '%s' has no data", path);
		goto bad;
	}
	*data = json_incref(v);
	json_decref(doc);
	return EV_STATE_OK;
bad:
	json_decref(doc);
	return EV_STATE_BAD;
}
