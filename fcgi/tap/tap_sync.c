#include "tap_int.h"

void
tap_sync(void *state, const struct request *req, struct response *r)
{
	(void)state;
	(void)req;
	tap_error(r, 501, "synchronous queries are not served yet");
}
