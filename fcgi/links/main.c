/*
 * links.fcgi: IVOA DataLink 1.1 {links} for Rucio DIDs: the nearest
 * replica, with SODA cutout descriptors.
 * Run under spawn-fcgi; see README.md and conf/rucio-ivoa.ini.
 */
#include "links.h"

int
main(int argc, char *argv[])
{
	return service_main(&links_service, argc, argv);
}
