/*
 * upstream: how a call to an upstream service (Rucio, the data-management
 * API) ended, as the DataLink faults need it.
 */
#ifndef RIF_UPSTREAM_H
#define RIF_UPSTREAM_H

enum upstream_status {
	UP_OK,
	UP_TRANSIENT,	/* timeout, refused, 5xx: try again later */
	UP_FATAL	/* the service refuses us: credentials, bad answer */
};

#endif
