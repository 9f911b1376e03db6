/*
 * test_run.c - the run's signal handlers are in place before main runs
 * (issue 12 #17: a SIGHUP in the first milliseconds killed the process),
 * and a signal that arrived before them is taken, not lost.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "ev_run.h"

#include "check.h"

static int
handled(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	if (sigaction(sig, NULL, &sa) != 0)
		return 0;
	return sa.sa_handler != SIG_DFL;
}

int
main(void)
{
	sigset_t set;

	/* Nothing of evkit has run yet: no ev_run_init, no ev_run_signals. */
	CHECK(handled(SIGHUP));
	CHECK(handled(SIGINT));
	CHECK(handled(SIGTERM));
	CHECK(handled(SIGPIPE));
	CHECK(sigprocmask(SIG_BLOCK, NULL, &set) == 0 &&
	    !sigismember(&set, SIGHUP) && !sigismember(&set, SIGTERM));
	/* A SIGHUP now is a reload, not the end of the process. */
	raise(SIGHUP);
	CHECK(ev_run_take_reload() == 1);
	CHECK(ev_run_take_reload() == 0);
	printf("test_run: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
