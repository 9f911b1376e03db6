/*
 * ev_passthru - the smallest program on the shared run: parse every line and
 * pass it on.  The core's contract tests drive it (reader, rejects, stats,
 * flushing, exit statuses) and the benchmarks use it as the cost of merely
 * parsing each line.  --add KEY=VALUE splices a string member into every
 * object record.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_run.h"

static const char usage[] =
"usage: ev_passthru [options] < in.ndjson > out.ndjson\n"
"  --add KEY=VALUE        add a string member to every object\n"
EV_RUN_HELP;

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "add", required_argument, NULL, EV_OPT_FIRST_TOOL },
		EV_RUN_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct ev_run run;
	struct ev_line line;
	struct ev_rec rec;
	char *add_key = NULL, *add_val = NULL;
	int c;

	ev_run_init(&run, "ev_passthru", usage);
	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		if (c == EV_OPT_FIRST_TOOL) {
			char *eq = strchr(optarg, '=');

			if (eq == NULL)
				ev_run_usage_error(&run, "--add needs KEY=VALUE");
			free(add_key);
			add_key = ev_xstrndup(optarg, (size_t)(eq - optarg));
			add_val = eq + 1;
		} else if (!ev_run_option(&run, c, optarg)) {
			ev_run_usage_error(&run, "unknown option");
		}
	}
	if (optind < argc)
		ev_run_usage_error(&run, "unexpected argument '%s'", argv[optind]);
	ev_run_open(&run);
	ev_rec_init(&rec);
	while (ev_run_next(&run, &line, -1) == EV_LINE_OK) {
		if (ev_rec_parse(&rec, line.data, line.len) != 0) {
			ev_run_reject_parse(&run, &line, rec.err);
			continue;
		}
		if (add_key)
			ev_rec_add(&rec, add_key, json_string(add_val));
		ev_run_pass(&run, &rec);
	}
	ev_rec_clear(&rec);
	free(add_key);
	return ev_run_finish(&run);
}
