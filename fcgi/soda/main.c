/*
 * soda-proxy.fcgi: one SODA 1.0 sync endpoint for the whole data lake,
 * relaying each cutout from the site nearest the client.
 * Run under spawn-fcgi; see README.md and conf/rucio-ivoa.ini.
 */
#include "soda.h"

int
main(int argc, char *argv[])
{
	return service_main(&soda_service, argc, argv);
}
