#include <stdio.h>
#include <string.h>

#include "uws.h"

static const char *const names[UWS__PHASES] = {
	[UWS_PENDING] = "PENDING", [UWS_QUEUED] = "QUEUED",
	[UWS_EXECUTING] = "EXECUTING", [UWS_COMPLETED] = "COMPLETED",
	[UWS_ERROR] = "ERROR", [UWS_ABORTED] = "ABORTED",
	[UWS_UNKNOWN] = "UNKNOWN", [UWS_HELD] = "HELD",
	[UWS_SUSPENDED] = "SUSPENDED", [UWS_ARCHIVED] = "ARCHIVED",
};

#define P(x)	(1u << (x))

/*
 * UWS 1.1 §2.1.3: RUN queues a job that has not started; ABORT ends one
 * that has not ended; a runner claims a queued job and finishes the one it
 * runs; parameters change only before the job runs.
 */
static const struct {
	unsigned	 from;		/* P(phase) bits */
	enum uws_phase	 to;
} steps[UWS__ACTIONS] = {
	[UWS_RUN] = { P(UWS_PENDING) | P(UWS_HELD), UWS_QUEUED },
	[UWS_ABORT] = { P(UWS_PENDING) | P(UWS_QUEUED) | P(UWS_EXECUTING) |
	    P(UWS_HELD) | P(UWS_SUSPENDED), UWS_ABORTED },
	[UWS_CLAIM] = { P(UWS_QUEUED), UWS_EXECUTING },
	[UWS_FINISH] = { P(UWS_EXECUTING), UWS_COMPLETED },
	[UWS_EDIT] = { P(UWS_PENDING), UWS_PENDING },
};

const char *
uws_phase_name(enum uws_phase p)
{
	return (unsigned)p < UWS__PHASES ? names[p] : NULL;
}

int
uws_phase_parse(const char *name)
{
	for (int i = 0; i < UWS__PHASES; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

int
uws_phase_active(enum uws_phase p)
{
	return p == UWS_PENDING || p == UWS_QUEUED || p == UWS_EXECUTING ||
	    p == UWS_HELD || p == UWS_SUSPENDED;
}

int
uws_next(enum uws_phase from, enum uws_action action)
{
	if ((unsigned)action >= UWS__ACTIONS || (unsigned)from >= UWS__PHASES ||
	    (steps[action].from & P(from)) == 0)
		return -1;
	return (int)steps[action].to;
}

const char *
uws_from(enum uws_action action, char *buf, size_t size)
{
	size_t	 n = 0;

	snprintf(buf, size, "{");
	for (int i = 0; i < UWS__PHASES; i++) {
		if ((steps[action].from & P(i)) == 0)
			continue;
		n = strlen(buf);
		snprintf(buf + n, size - n, "%s%s", n > 1 ? "," : "",
		    names[i]);
	}
	n = strlen(buf);
	snprintf(buf + n, size - n, "}");
	return buf;
}
