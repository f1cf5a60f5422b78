#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>

#include "choose.h"
#include "replica_params.h"

int
valid_sort(const struct param_rule *r, struct param_value *v, char *why,
    size_t whysize)
{
	enum choose_sort	 sort;

	if (choose_sort_parse(v->raw, &sort) == -1) {
		snprintf(why, whysize, "%s: '%.40s' is not nearest_by_client, "
		    "nearest_by_ip or random", r->name, v->raw);
		return -1;
	}
	v->i = sort;
	return 0;
}

int
valid_ip(const struct param_rule *r, struct param_value *v, char *why,
    size_t whysize)
{
	unsigned char	 addr[16];

	if (inet_pton(AF_INET, v->raw, addr) == 1 ||
	    inet_pton(AF_INET6, v->raw, addr) == 1)
		return 0;
	snprintf(why, whysize, "%s: '%.40s' is not an IPv4 or IPv6 address",
	    r->name, v->raw);
	return -1;
}

int
valid_format(const struct param_rule *r, struct param_value *v, char *why,
    size_t whysize)
{
	for (const char *p = v->raw; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e) {
			snprintf(why, whysize, "%s: a format is a media type "
			    "or a short name in printable ASCII", r->name);
			return -1;
		}
	return 0;
}
