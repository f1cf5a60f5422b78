/*
 * tap.fcgi: IVOA TAP 1.1 (synchronous queries in ADQL 2.1) over the tables
 * TAP_SCHEMA publishes, ObsCore first among them.
 * Run under spawn-fcgi; see README.md and conf/rucio-ivoa.ini.
 */
#include "tap.h"

int
main(int argc, char *argv[])
{
	return service_main(&tap_service, argc, argv);
}
