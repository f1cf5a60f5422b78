/*
 * scs.fcgi: IVOA Simple Cone Search 1.03 over the ObsCore table.
 * Run under spawn-fcgi; see README.md and conf/rucio-ivoa.ini.
 */
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "fcgi_loop.h"
#include "log.h"
#include "scs.h"

int
main(int argc, char *argv[])
{
	struct config	 cfg;
	struct scs	*scs;
	int		 rc;

	if (fcgi_startup(argc, argv, "scs.fcgi", &cfg)) {
		rc = scs_print_sql(&cfg);
		config_free(&cfg);
		return rc == 0 ? 0 : 1;
	}
	if ((scs = scs_new(&cfg)) == NULL) {
		log_error("out of memory");
		return 1;
	}
	rc = fcgi_run(&cfg, scs_handle, scs);
	scs_free(scs);
	config_free(&cfg);
	return rc;
}
