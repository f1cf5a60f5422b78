/*
 * tap-runner: runs the asynchronous TAP jobs tap.fcgi queues (UWS 1.1 at
 * /tap/async), writing each result into [tap] results_dir for nginx to
 * send.  A daemon of its own, not a FastCGI program; see runner.h,
 * README.md and tap-runner(8).
 */
#include "config.h"
#include "fcgi_loop.h"
#include "runner.h"

int
main(int argc, char *argv[])
{
	struct config	 cfg;
	int		 check, rc;

	check = fcgi_startup(argc, argv, "tap-runner", PROG_RUNNER, &cfg);
	rc = runner_main(&cfg, check);
	config_free(&cfg);
	return rc;
}
