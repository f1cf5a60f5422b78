/*
 * Helpers shared by the unit tests: requests built by hand and responses
 * captured in memory, the same objects the FastCGI loop hands to handlers.
 */
#ifndef TEST_HELPERS_H
#define TEST_HELPERS_H

#include <CUnit/CUnit.h>

#include "config.h"
#include "request.h"
#include "response.h"
#include "strbuf.h"

struct captured {
	struct response	 resp;
	struct strbuf	 out;	/* header block and body, as sent */
};

/* A GET request for PATH with query string QUERY. */
void	req_get(struct request *, const char *path, const char *query);
/* A POST with a form body. */
void	req_post(struct request *, const char *path, const char *body);

void	cap_init(struct captured *);
/* R writes its body only (no header block) into OUT. */
void	body_init(struct response *r, struct strbuf *out);
void	cap_free(struct captured *);
/* The body: what follows the blank line after the headers. */
const char *cap_body(const struct captured *);

/* Write TEXT to a new temporary file and return its path (static). */
const char *write_temp(const char *text);
/*
 * config_load() of TEXT for PROG, through a temporary file it removes;
 * -2 when that file cannot be written.
 */
int	config_from_text(const char *text, unsigned prog, struct config *cfg,
	    char *err, size_t errsize);

/* Suites, one per file. */
void	suite_params(void);
void	suite_xml(void);
void	suite_base64(void);
void	suite_votable(void);
void	suite_config(void);
void	suite_scs(void);
void	suite_links(void);
void	suite_soda(void);
void	suite_did(void);
void	suite_db(void);
void	suite_service(void);
void	suite_upstream(void);
void	suite_adql(void);
void	suite_tap(void);
void	suite_b2(void);
void	suite_uws(void);
void	suite_multipart(void);
void	suite_upload(void);
void	suite_upload_vot(void);

#endif
