#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>

#include <fcgiapp.h>

#include "fcgi_loop.h"
#include "log.h"
#include "signals.h"
#include "strbuf.h"

static volatile sig_atomic_t	 stopping;
static volatile sig_atomic_t	 hangups;	/* SIGHUPs received */

static void	log_to_file(const char *);

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();
}

static void
on_hangup(int sig)
{
	(void)sig;
	hangups++;
}

static void
usage(const char *progname)
{
	fprintf(stderr, "usage: %s [-k | -t] [-c config-file]\n"
	    "  The configuration file defaults to $%s, then %s.\n"
	    "  -k prints the configuration keys the program reads, with "
	    "their defaults, and exits.\n"
	    "  -t checks the configuration, prints the SQL or the upstream "
	    "URLs the program would call, and exits.\n"
	    "  Run under spawn-fcgi or a systemd socket: requests arrive on "
	    "fd 0.\n", progname, CONFIG_ENV, CONFIG_DEFAULT_PATH);
	exit(2);
}

int
fcgi_startup(int argc, char *argv[], const char *progname, unsigned prog,
    struct config *cfg)
{
	const char	*arg = NULL;
	char		 err[1024];
	int		 ch, check = 0;

	log_init(progname, LOGL_INFO);
	while ((ch = getopt(argc, argv, "c:hkt")) != -1) {
		switch (ch) {
		case 'c':
			arg = optarg;
			break;
		case 'k':
			config_print_keys(stdout, prog);
			exit(fflush(stdout) == 0 ? 0 : 1);
		case 't':
			check = 1;
			break;
		default:
			usage(progname);
		}
	}
	if (optind != argc)
		usage(progname);
	if (config_load(config_path(arg), cfg, prog, err, sizeof(err)) == -1) {
		log_error("configuration: %s", err);
		exit(1);
	}
	log_set_level((enum log_level)cfg->log.level);
	if (*cfg->log.file != '\0' && !check)
		log_to_file(cfg->log.file);
	return check;
}

/*
 * Send stderr to PATH, appended: spawn-fcgi points a forked worker's
 * stderr at /dev/null.  Lines are single writes, so workers sharing the
 * file do not interleave.
 */
static void
log_to_file(const char *path)
{
	int	 fd;

	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640)) == -1) {
		log_error("cannot open log file %s: %s", path, strerror(errno));
		exit(1);
	}
	if (fd != STDERR_FILENO) {
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
}

/*
 * Large pieces of body (a relayed cutout) go out as FastCGI records of up
 * to 64 KiB, written to the socket here: libfcgi's stream would cut them
 * into 8 KiB records, a system call and a wake-up of nginx each, which
 * costs more than the copying.  The stream is flushed first, so records
 * stay in order.
 */
#define FCGI_VERSION_1		1
#define FCGI_STDOUT_TYPE	6
#define RECORD_MAX		65528	/* a multiple of 8 under 65535 */
#define DIRECT_MIN		16384

static int
write_all(int fd, struct iovec *iov, int n)
{
	ssize_t	 w;

	while (n > 0) {
		if ((w = writev(fd, iov, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (; n > 0 && (size_t)w >= iov->iov_len; iov++, n--)
			w -= (ssize_t)iov->iov_len;
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

static int
write_records(FCGX_Request *fr, const char *p, size_t len)
{
	unsigned char	 h[8];
	struct iovec	 iov[2];
	size_t		 n;

	if (FCGX_FFlush(fr->out) == -1)
		return -1;
	for (; len > 0; p += n, len -= n) {
		n = len > RECORD_MAX ? RECORD_MAX : len;
		h[0] = FCGI_VERSION_1;
		h[1] = FCGI_STDOUT_TYPE;
		h[2] = (unsigned char)(fr->requestId >> 8);
		h[3] = (unsigned char)fr->requestId;
		h[4] = (unsigned char)(n >> 8);
		h[5] = (unsigned char)n;
		h[6] = h[7] = 0;	/* no padding */
		iov[0].iov_base = h;
		iov[0].iov_len = sizeof(h);
		iov[1].iov_base = (void *)(uintptr_t)p;
		iov[1].iov_len = n;
		if (write_all(fr->ipcFd, iov, 2) == -1)
			return -1;
	}
	return 0;
}

static int
fcgx_sink(void *ctx, const void *buf, size_t len)
{
	FCGX_Request	*fr = ctx;
	const char	*p = buf;
	int		 n;

	if (len >= DIRECT_MIN)
		return write_records(fr, p, len);
	n = (int)len;
	return FCGX_PutStr(p, n, fr->out) == n ? 0 : -1;
}

static const char *
fcgx_getenv(void *ctx, const char *name)
{
	return FCGX_GetParam(name, ((FCGX_Request *)ctx)->envp);
}

static const char *
cgi_var(FCGX_Request *fr, const char *name)
{
	const char	*v = FCGX_GetParam(name, fr->envp);

	return v != NULL ? v : "";
}

/*
 * Read the body into BODY, stopping after MAX bytes: more than that is
 * refused rather than read, so a huge upload costs nothing.
 */
static void
read_body(FCGX_Request *fr, struct request *req, struct strbuf *body, long max)
{
	char	 buf[8192];
	long	 want = atol(cgi_var(fr, "CONTENT_LENGTH"));
	int	 n;

	if (want <= 0)
		return;
	if (want > max) {
		req->body_too_large = 1;
		return;
	}
	while (want > 0 && (n = FCGX_GetStr(buf, (int)(want < (long)sizeof(buf) ?
	    want : (long)sizeof(buf)), fr->in)) > 0) {
		if (strbuf_add(body, buf, (size_t)n) == -1) {
			req->body_too_large = 1;
			return;
		}
		want -= n;
	}
	req->body = strbuf_str(body);
	req->body_len = body->len;
}

static void
fill_request(FCGX_Request *fr, struct request *req)
{
	const char	*https = cgi_var(fr, "HTTPS");

	memset(req, 0, sizeof(*req));
	req->method = cgi_var(fr, "REQUEST_METHOD");
	req->path = cgi_var(fr, "DOCUMENT_URI");
	if (*req->path == '\0')
		req->path = cgi_var(fr, "SCRIPT_NAME");
	req->query = cgi_var(fr, "QUERY_STRING");
	req->content_type = cgi_var(fr, "CONTENT_TYPE");
	req->remote_addr = cgi_var(fr, "REMOTE_ADDR");
	req->host = cgi_var(fr, "HTTP_HOST");
	req->scheme = strcasecmp(https, "on") == 0 ? "https" : "http";
	req->body = "";
	req->getenv = fcgx_getenv;
	req->env_ctx = fr;
}

/*
 * A client that stops reading must not hold the worker: a write to the web
 * server that blocks for MS fails (EAGAIN), which ends the answer as a
 * client gone away would.
 */
static void
set_send_timeout(int fd, long ms)
{
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };

	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1)
		log_warn("send timeout not set: %s", strerror(errno));
}

static double
elapsed_ms(const struct timespec *t0)
{
	struct timespec	 t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/*
 * A SIGHUP is acted on between requests, never inside one: what the
 * program reloads may be in use until its request ends.
 */
static void
take_hangup(sig_atomic_t *seen, fcgi_reloader reload, void *state)
{
	if (*seen == hangups)
		return;
	*seen = hangups;
	log_info("SIGHUP: %s", reload != NULL ? "reloading" :
	    "nothing to reload");
	if (reload != NULL)
		reload(state);
}

int
fcgi_run(const struct config_request *cfg, fcgi_handler handle,
    fcgi_reloader reload, void *state)
{
	FCGX_Request		 fr;
	struct request		 req;
	struct response		 resp;
	struct strbuf		 body = STRBUF_INIT;
	struct timespec		 t0;
	sig_atomic_t		 seen = 0;

	signals_install(on_signal, on_hangup);
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0) {
		log_error("cannot initialise FastCGI");
		return 1;
	}
	log_info("ready");
	while (!stopping && FCGX_Accept_r(&fr) >= 0) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		take_hangup(&seen, reload, state);
		set_send_timeout(fr.ipcFd, cfg->send_timeout);
		fill_request(&fr, &req);
		strbuf_reset(&body);
		read_body(&fr, &req, &body, cfg->max_body);
		resp_init(&resp, fcgx_sink, &fr);
		handle(state, &req, &resp);
		resp_finish(&resp);
		log_info("%s %s %d %zu %.3fms%s%s%s", req.method, req.path,
		    resp.status, resp.bytes, elapsed_ms(&t0),
		    *resp.note != '\0' ? " " : "", resp.note,
		    resp_failed(&resp) ? " (client gone)" : resp.aborted ?
		    " (cut short)" : "");
		/* Without FCGI_END_REQUEST nginx drops the client connection. */
		if (resp.aborted)
			shutdown(fr.ipcFd, SHUT_RDWR);
		FCGX_Finish_r(&fr);
	}
	strbuf_free(&body);
	log_info("stopping");
	return 0;
}
