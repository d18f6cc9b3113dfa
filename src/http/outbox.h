/* outbox: the thread that sends the outbox's e-mails over SMTP (see outbox.c). */
#ifndef HTTP_OUTBOX_H
#define HTTP_OUTBOX_H

#include "core/err.h"
#include "http/server.h"

/*
 * Reads RMAD_SMTP_URL, RMAD_SMTP_FROM, RMAD_SMTP_USER, RMAD_SMTP_PASSWORD, RMAD_OUTBOX_INTERVAL,
 * RMAD_OUTBOX_LEASE (and the test hook RMAD_TEST_OUTBOX_PAUSE_AFTER_CLAIM) and starts the
 * sender thread on a database connection of its own.  Without RMAD_SMTP_URL nothing starts and
 * the messages stay queued.  0, or -1 with err naming a bad variable.
 */
int outbox_start(const struct server_config *cfg, struct err *err);
/* Stops and joins the thread (no-op when not started).  A message claimed but not yet sent is
 * given back to the queue. */
void outbox_stop(void);

#endif
