#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char	*log_prog = "rucio-ivoa";
static enum log_level	 log_level = LOGL_INFO;

static const char *const level_names[] = { "error", "warn", "info", "debug" };

void
log_init(const char *progname, enum log_level level)
{
	log_prog = progname;
	log_level = level;
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

int
log_enabled(enum log_level level)
{
	return level <= log_level;
}

int
log_level_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcasecmp(name, level_names[i]) == 0)
			return (int)i;
	return -1;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char		 line[2048], stamp[32];
	struct tm	 tm;
	time_t		 now;
	va_list		 ap;
	int		 n;

	if (!log_enabled(level))
		return;
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(line, sizeof(line), "%s %s[%ld] %s: ", stamp, log_prog,
	    (long)getpid(), level_names[level]);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	/*
	 * One event, one line: a message that quotes an upstream (PostgreSQL's
	 * multi-line errors, a client's bytes) cannot split or forge lines.
	 */
	for (char *p = line + n; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	n = (int)strlen(line);
	while (n > 0 && line[n - 1] == ' ')
		n--;
	/* One write per line, so lines from several workers do not interleave. */
	line[n++] = '\n';
	fwrite(line, 1, (size_t)n, stderr);
	fflush(stderr);
}
