/*
 * fcgi_loop: the FastCGI side of every program, so that each main() is a
 * few lines: load the configuration, build the handler's state, call
 * fcgi_run().
 *
 * fcgi_run() accepts requests on the socket spawn-fcgi (or systemd) passed
 * as file descriptor 0, turns each into a struct request, reads its body
 * (up to the configured limit), calls the handler with a response that
 * writes to the FastCGI output stream, and logs one line per request.
 * SIGTERM and SIGINT finish the request in progress and end the loop.
 * SIGHUP calls the reloader (when there is one) before the next request.
 */
#ifndef RIF_FCGI_LOOP_H
#define RIF_FCGI_LOOP_H

#include "config.h"
#include "request.h"
#include "response.h"

typedef void	(*fcgi_handler)(void *state, const struct request *,
		    struct response *);
/* Drop what the program read once and should read again (SIGHUP). */
typedef void	(*fcgi_reloader)(void *state);

/*
 * Parse "-c FILE" and "-t" from ARGV, load the configuration of program
 * PROG (PROG_SCS...) into CFG and set up logging under PROGNAME.  Exits
 * with a message on any error.  Returns 1 when -t was given: the program
 * should then check what it can without serving (and print what it would
 * call), and exit.
 */
int	fcgi_startup(int argc, char *argv[], const char *progname,
	    unsigned prog, struct config *cfg);

/* Serve requests until told to stop; returns the exit status for main. */
int	fcgi_run(const struct config_request *, fcgi_handler, fcgi_reloader,
	    void *state);

#endif
