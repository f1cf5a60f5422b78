/*
 * log: one line per event on stderr, which spawn-fcgi or systemd collects.
 *
 * Lines look like
 *   2026-11-23T19:40:00Z scs.fcgi[1234] info: GET /scs 200 5321 1.204ms
 * The level comes from the configuration ([log] level); messages below it
 * are dropped before they are formatted.  Nothing here allocates.
 */
#ifndef RIF_LOG_H
#define RIF_LOG_H

/* LOGL_, not LOG_: <syslog.h> defines LOG_INFO and the like. */
enum log_level {
	LOGL_ERROR,
	LOGL_WARN,
	LOGL_INFO,
	LOGL_DEBUG
};

/* Set the program name used as prefix and the lowest level written. */
void	log_init(const char *progname, enum log_level level);
void	log_set_level(enum log_level level);
int	log_enabled(enum log_level level);

/* Parse "error", "warn", "info" or "debug"; -1 for anything else. */
int	log_level_parse(const char *name);

void	log_msg(enum log_level level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#define log_error(...)	log_msg(LOGL_ERROR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOGL_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOGL_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOGL_DEBUG, __VA_ARGS__)

#endif
