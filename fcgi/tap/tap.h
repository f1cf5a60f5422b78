/*
 * tap: the TAP 1.1 service over what TAP_SCHEMA publishes.
 *
 * tap_service declares the program: synchronous ADQL queries at sync (GET
 * and form-encoded POST), VOSI tables at tables and tables/{name}, a short
 * landing answer at the endpoint itself, and VOSI availability (the
 * database answers) and capabilities (TAPRegExt) beside them.  There is no
 * async: its URL answers 404.
 *
 * The state (struct tap) holds the configuration it was made with, the
 * process's database connection, and the catalogue read from TAP_SCHEMA,
 * which is read again whenever the connection is new and after a SIGHUP.
 */
#ifndef RIF_TAP_H
#define RIF_TAP_H

#include <stddef.h>

#include "config.h"
#include "service.h"

struct tap;

extern const struct service tap_service;

/* CFG must outlive the returned state.  NULL with a reason in ERR. */
struct tap	*tap_new(const struct config *cfg, char *err, size_t errsize);
void		 tap_free(struct tap *);

#endif
