/* test_state.c - state files: round trip, refusal of foreign state. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ev_state.h"

#include "check.h"

int
main(void)
{
	char dir[] = "/tmp/evkit-state-XXXXXX", path[128], err[512], fp[17];
	char copy[256];
	const char *where;
	json_t *data, *got = NULL;
	FILE *f;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof path, "%s/s.json", dir);
	CHECK(ev_state_load(path, "ev-x", "a", &got, err, sizeof err) ==
	    EV_STATE_MISSING);
	data = json_pack("{s:i,s:[i,i]}", "n", 7, "v", 1, 2);
	CHECK(ev_state_save(path, "ev-x", "a", data, err, sizeof err) == 0);
	CHECK(ev_state_load(path, "ev-x", "a", &got, err, sizeof err) ==
	    EV_STATE_OK);
	CHECK(got != NULL && json_equal(got, data));
	json_decref(got);
	CHECK(ev_state_load(path, "ev-x", "b", &got, err, sizeof err) ==
	    EV_STATE_BAD && strstr(err, "other settings") != NULL);
	CHECK(ev_state_load(path, "ev-y", "a", &got, err, sizeof err) ==
	    EV_STATE_BAD && strstr(err, "belongs to ev-x") != NULL);
	f = fopen(path, "w");
	fputs("{\"evkit_state\":1,\"tool\":", f);	/* torn write */
	fclose(f);
	CHECK(ev_state_load(path, "ev-x", "a", &got, err, sizeof err) ==
	    EV_STATE_BAD && strstr(err, "corrupt") != NULL);
	CHECK(strcmp(ev_state_fingerprint("a", fp), "af63dc4c8601ec8c") == 0);
	/* A state that cannot be written goes to $TMPDIR, and err says where. */
	setenv("TMPDIR", dir, 1);
	CHECK(ev_state_save("/nonexistent/dir/s.json", "ev-x", "a", data, err,
	    sizeof err) == -1 && strstr(err, "cannot write") != NULL);
	snprintf(copy, sizeof copy, "%s/ev-x.s.json.", dir);
	where = strstr(err, "; saved to '");
	CHECK(where != NULL && strncmp(where + 12, copy, strlen(copy)) == 0);
	if (where != NULL && strchr(where + 12, '\'') != NULL) {
		snprintf(copy, sizeof copy, "%.*s",
		    (int)(strchr(where + 12, '\'') - where - 12), where + 12);
		CHECK(ev_state_load(copy, "ev-x", "a", &got, err, sizeof err) ==
		    EV_STATE_OK && json_equal(got, data));
		json_decref(got);
		unlink(copy);
	}
	setenv("TMPDIR", "/nonexistent", 1);
	CHECK(ev_state_save("/nonexistent/dir/s.json", "ev-x", "a", data, err,
	    sizeof err) == -2 && strstr(err, "no copy in '/nonexistent'"));
	CHECK(ev_file_check_writable("/nonexistent/dir/s.json", "state", err,
	    sizeof err) == -1 && strcmp(err, "cannot write state file "
	    "'/nonexistent/dir/s.json': No such file or directory") == 0);
	CHECK(ev_file_check_writable(dir, "state", err, sizeof err) == -1 &&
	    strstr(err, "Is a directory") != NULL);
	CHECK(ev_file_check_writable(path, "state", err, sizeof err) == 0);
	CHECK(ev_file_check_writable("/dev/null", "stats", err, sizeof err) ==
	    0);
	json_decref(data);
	unlink(path);
	rmdir(dir);
	printf("test_state: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
