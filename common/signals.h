/*
 * signals: how every daemon of the suite takes its signals, set up once.
 *
 * SIGTERM and SIGINT call STOP, without SA_RESTART, so that a blocking
 * accept() or poll() wakes to see the program is stopping; SIGHUP calls
 * HANGUP with SA_RESTART, so that a read or write in progress goes on
 * (what a SIGHUP asks for is acted on between requests or jobs); SIGPIPE
 * is ignored, as a peer gone shows as a failed write instead.
 */
#ifndef RIF_SIGNALS_H
#define RIF_SIGNALS_H

void	signals_install(void (*stop)(int), void (*hangup)(int));

#endif
