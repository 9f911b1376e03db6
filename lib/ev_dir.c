/* ev_dir.c - a folder tree walk that reports what it cannot open. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ev_buf.h"
#include "ev_dir.h"

struct walk {
	const char	*what;
	int		(*visit)(const char *, const char *, void *, char *,
			    size_t);
	void		*arg;
	char		*err;
	size_t		 errlen;
};

static int
walk(struct walk *w, const char *dir, const char *rel)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (d == NULL) {
		snprintf(w->err, w->errlen, "cannot open %s '%s': %s",
		    w->what, dir, strerror(errno));
		return -1;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		struct ev_buf p = EV_BUF_INIT, r = EV_BUF_INIT;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		ev_buf_printf(&p, "%s/%s", dir, de->d_name);
		ev_buf_printf(&r, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		if (stat(p.data, &st) != 0) {
			snprintf(w->err, w->errlen, "cannot open '%s': %s",
			    p.data, strerror(errno));
			rc = -1;
		} else if (S_ISDIR(st.st_mode))
			rc = walk(w, p.data, r.data);
		else
			rc = w->visit(p.data, r.data, w->arg, w->err,
			    w->errlen);
		ev_buf_free(&p);
		ev_buf_free(&r);
	}
	closedir(d);
	return rc;
}

int
ev_dir_walk(const char *dir, const char *what,
    int (*visit)(const char *path, const char *rel, void *arg, char *err,
    size_t errlen),
    void *arg, char *err, size_t errlen)
{
	struct walk w = { what, visit, arg, err, errlen };

	return walk(&w, dir, "");
}
