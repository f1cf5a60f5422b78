/*
 * replica_params: the request parameters DataLink and SODA share, declared
 * once and used by both tables: the dataset (ID), how its replica is
 * chosen (sort, ranking, client_ip_address) and RESPONSEFORMAT.
 *
 * Each is a param_rule initializer: RULE_SORT leaves the choose_sort in
 * v->i, RULE_CLIENT_IP accepts an IPv4 or IPv6 address only (it is placed
 * by GeoIP and passed to the data-management API), and RULE_RESPONSEFORMAT
 * a media type or a short format name in printable ASCII; what each
 * protocol then makes of the format is its own.  An ID is read by
 * did_parse_id() in both, with the same messages.
 */
#ifndef RIF_REPLICA_PARAMS_H
#define RIF_REPLICA_PARAMS_H

#include "params.h"

int	valid_sort(const struct param_rule *, struct param_value *, char *,
	    size_t);
int	valid_ip(const struct param_rule *, struct param_value *, char *,
	    size_t);
int	valid_format(const struct param_rule *, struct param_value *, char *,
	    size_t);

#define RULE_ID(most, req)	{ .name = "ID", .type = PARAM_STRING,	\
	.maxlen = 1200, .max_count = (most), .required = (req) }
#define RULE_SORT		{ .name = "sort", .type = PARAM_STRING,	\
	.maxlen = 32, .max_count = 1, .valid = valid_sort }
#define RULE_RANKING		{ .name = "ranking", .type = PARAM_INT,	\
	.min = 0, .max = 1000000, .max_count = 1 }
#define RULE_CLIENT_IP		{ .name = "client_ip_address",		\
	.type = PARAM_STRING, .maxlen = 64, .max_count = 1, .valid = valid_ip }
#define RULE_RESPONSEFORMAT	{ .name = "RESPONSEFORMAT",		\
	.type = PARAM_STRING, .maxlen = 256, .max_count = 1,		\
	.valid = valid_format }

#endif
