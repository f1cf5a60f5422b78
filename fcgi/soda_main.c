/*
 * soda-proxy.fcgi: one public IVOA SODA 1.0 sync endpoint for the data
 * lake; cutouts come from the nearest site's own SODA service.
 * Run under spawn-fcgi; see README.md and conf/rucio-ivoa.ini.
 */
#include <stdio.h>
#include <stdlib.h>

#include <curl/curl.h>

#include "config.h"
#include "fcgi_loop.h"
#include "log.h"
#include "soda.h"

int
main(int argc, char *argv[])
{
	struct config	 cfg;
	struct soda	*soda;
	char		 err[512];
	int		 rc, check;

	check = fcgi_startup(argc, argv, "soda-proxy.fcgi", &cfg);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		log_error("cannot initialise libcurl");
		return 1;
	}
	if ((soda = soda_new(&cfg, err, sizeof(err))) == NULL) {
		log_error("%s", err);
		rc = 1;
	} else {
		rc = check ? 0 : fcgi_run(&cfg, soda_handle, soda);
		soda_free(soda);
	}
	config_free(&cfg);
	curl_global_cleanup();
	return rc;
}
