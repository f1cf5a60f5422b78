/*
 * scs.fcgi: IVOA Simple Cone Search 1.03 over the ObsCore table.
 * Run under spawn-fcgi; see README.md and conf/rucio-ivoa.ini.
 */
#include "scs.h"

int
main(int argc, char *argv[])
{
	return service_main(&scs_service, argc, argv);
}
