/*
 * backoff: how long to leave an upstream alone after it failed, so that a
 * service that is down costs each request nothing rather than a full
 * timeout.  The wait starts at BACKOFF_FIRST_MS, doubles at every failure
 * that follows, stays at BACKOFF_MAX_MS, and is forgotten at the first
 * success.  While it runs, callers fail at once with the error the
 * upstream last gave.
 *
 * A struct backoff lives in the object that owns the upstream's cache or
 * token (one per process, as they are).  Times are milliseconds of the
 * monotonic clock: setting the wall clock neither ends nor stretches a
 * wait.  Header only, so that every program and fuzz target has it.
 */
#ifndef RIF_BACKOFF_H
#define RIF_BACKOFF_H

#include <time.h>

#define BACKOFF_FIRST_MS	1000L
#define BACKOFF_MAX_MS		60000L

struct backoff {
	long long	until;	/* ms: the upstream is not asked before this */
	long		wait;	/* ms: the last wait; 0 while all is well */
};

/* Now, in milliseconds of the monotonic clock. */
static inline long long
backoff_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left before the upstream may be asked again; 0: ask. */
static inline long
backoff_left(const struct backoff *b, long long now)
{
	return b->until > now ? (long)(b->until - now) : 0;
}

/* The upstream failed at NOW: leave it alone twice as long as last time. */
static inline void
backoff_failed(struct backoff *b, long long now)
{
	if (b->wait == 0)
		b->wait = BACKOFF_FIRST_MS;
	else
		b->wait = b->wait > BACKOFF_MAX_MS / 2 ? BACKOFF_MAX_MS :
		    b->wait * 2;
	b->until = now + b->wait;
}

/* The upstream answered: the next failure starts again from the first wait. */
static inline void
backoff_reset(struct backoff *b)
{
	b->wait = 0;
	b->until = 0;
}

#endif
