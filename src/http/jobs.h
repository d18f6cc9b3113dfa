/* jobs: scheduled depot work in a thread of its own (see jobs.c). */
#ifndef HTTP_JOBS_H
#define HTTP_JOBS_H

#include "core/err.h"
#include "db/db.h"
#include "http/server.h"

/* Starts the thread unless cfg->jobs_interval_s is 0.  0, or -1 with err. */
int jobs_start(const struct server_config *cfg, struct err *err);
/* Stops and joins it (no-op when not started). */
void jobs_stop(void);

#endif
