/*
 * links.fcgi: IVOA DataLink 1.1 {links} for Rucio DIDs: the nearest
 * replica, with SODA cutout descriptors.
 * Run under spawn-fcgi; see README.md and conf/rucio-ivoa.ini.
 */
#include <stdio.h>
#include <stdlib.h>

#include <curl/curl.h>

#include "config.h"
#include "fcgi_loop.h"
#include "links.h"
#include "log.h"

int
main(int argc, char *argv[])
{
	struct config	 cfg;
	struct links	*links;
	char		 err[512];
	int		 rc, check;

	check = fcgi_startup(argc, argv, "links.fcgi", &cfg);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		log_error("cannot initialise libcurl");
		return 1;
	}
	if ((links = links_new(&cfg, err, sizeof(err))) == NULL) {
		log_error("%s", err);
		rc = 1;
	} else {
		rc = check ? 0 : fcgi_run(&cfg, links_handle, links);
		links_free(links);
	}
	config_free(&cfg);
	curl_global_cleanup();
	return rc;
}
