/*
 * db: a connection to a database host over TCP asks the kernel to notice
 * when that host vanishes (keepalives, a limit on unacknowledged data),
 * rather than leaving a worker blocked until the kernel gives up.  The
 * test listens on loopback itself, lets a thread connect through db_ping(),
 * and reads the options off the client's socket.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "db.h"
#include "helpers.h"

static void *
ping(void *db)
{
	(void)db_ping(db);
	return NULL;
}

/* The descriptor of this process's socket connected to loopback PORT. */
static int
client_socket(int port)
{
	struct sockaddr_in	 peer;
	socklen_t		 len;

	for (int fd = 3; fd < 1024; fd++) {
		len = sizeof(peer);
		if (getpeername(fd, (struct sockaddr *)&peer, &len) == 0 &&
		    peer.sin_family == AF_INET && ntohs(peer.sin_port) == port)
			return fd;
	}
	return -1;
}

static void
test_keepalives(void)
{
	struct sockaddr_in	 a = { .sin_family = AF_INET };
	struct timespec		 nap = { 0, 10 * 1000 * 1000 };
	socklen_t		 len = sizeof(a);
	pthread_t		 t;
	struct db		*db;
	char			 conninfo[128];
	int			 lfd, fd = -1, on = 0, idle = 0, uto = 0;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	CU_ASSERT_FATAL(lfd != -1 && bind(lfd, (struct sockaddr *)&a,
	    sizeof(a)) == 0 && listen(lfd, 1) == 0 &&
	    getsockname(lfd, (struct sockaddr *)&a, &len) == 0);
	snprintf(conninfo, sizeof(conninfo), "host=127.0.0.1 port=%d "
	    "dbname=x user=x", ntohs(a.sin_port));
	db = db_new(&(struct config_database){ .conninfo = conninfo,
	    .connect_timeout = 2, .statement_timeout = 1000 }, "unit-tests");
	CU_ASSERT_PTR_NOT_NULL_FATAL(db);
	CU_ASSERT_FATAL(pthread_create(&t, NULL, ping, db) == 0);
	/* The kernel completes the handshake; nobody ever answers libpq. */
	for (int i = 0; i < 200 && (fd = client_socket(ntohs(a.sin_port))) ==
	    -1; i++)
		nanosleep(&nap, NULL);
	CU_ASSERT(fd != -1);
	if (fd != -1) {
		len = sizeof(int);
		getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, &len);
		getsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, &len);
		getsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &uto, &len);
	}
	CU_ASSERT_EQUAL(on, 1);
	CU_ASSERT_EQUAL(idle, 30);
	CU_ASSERT_EQUAL(uto, 30000);
	close(lfd);	/* the pending connection is reset: libpq gives up */
	pthread_join(t, NULL);
	db_free(db);
}

void
suite_db(void)
{
	CU_pSuite	 s = CU_add_suite("db", NULL, NULL);

	CU_add_test(s, "TCP connections notice a vanished host",
	    test_keepalives);
}
