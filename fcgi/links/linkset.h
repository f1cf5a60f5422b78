/*
 * linkset: the rows and service descriptors of one DataLink answer,
 * collected before anything is written (so that a request nothing could
 * answer gets its error document instead of a table of failures), then
 * written as one VOTable 1.4 document.
 *
 * A linkset owns copies of every string added to it; linkset_free()
 * releases them.
 */
#ifndef RIF_LINKSET_H
#define RIF_LINKSET_H

#include "response.h"

struct link_row {
	char		*id;		/* the ID exactly as the caller sent it */
	char		*access_url;
	char		*service_def;	/* XML ID of a descriptor */
	char		*error_message;	/* "NotFoundFault: ..." etc. */
	char		*description;
	char		*semantics;
	char		*content_type;
	long long	 content_length;	/* -1: unknown */
	const char	*link_auth;		/* false, optional, true, NULL */
	int		 link_authorized;	/* -1 unknown, 0, 1 */
};

struct link_service {
	char	*xml_id;	/* soda0, soda1, ... */
	int	 async;		/* SODA async rather than sync */
	char	*access_url;
	char	*ivoid;		/* resourceIdentifier, or NULL */
	char	*dataset_id;	/* the ID value the service expects */
};

struct linkset {
	struct link_row		*rows;
	int			 nrows;
	struct link_service	*services;
	int			 nservices;
	int			 overflow;
	int			 failed;	/* out of memory at some point */
};

/* Append a row; the strings are copied (NULL stays NULL). */
struct link_row	*linkset_row(struct linkset *, const char *id,
		    const char *semantics);
int		 linkset_set(struct linkset *, char **field, const char *value);
/* A fault row: "LABEL: text". */
void		 linkset_fault(struct linkset *, const char *id,
		    const char *label, const char *text);
/* A descriptor; returns its XML ID (owned by the set) or NULL. */
const char	*linkset_service(struct linkset *, int async, const char *url,
		    const char *ivoid, const char *dataset_id);
void		 linkset_free(struct linkset *);
/* Drop the rows and descriptors added after the first NROWS, NSERVICES. */
void		 linkset_truncate(struct linkset *, int nrows, int nservices);

/* Did every row fail with TransientFault (and is there any row)? */
int		 linkset_all_transient(const struct linkset *);

/* The whole document, with CONTENT_TYPE. */
void		 linkset_write(const struct linkset *, struct response *,
		    const char *content_type);

#endif
