/*
 * embedded_pg: the default database when none is configured.
 *
 * With no PG* variable and no RMAD_DATABASE_URL, rmad runs on a PostgreSQL 15 cluster of its own
 * under <var_dir>: data in pgdata/, the Unix socket in pgrun/ (mode 0700, no TCP at all), the
 * server log in pg.log.  Authentication is "trust" for the superuser "rmad", which is safe only
 * because nobody but the cluster's owner (and root) can reach the socket directory.
 *
 * PostgreSQL refuses to run as root: when rmad runs as root, the cluster belongs to the system
 * user "postgres" (created by Debian's postgresql package) or else to a system user "rmad" made
 * with useradd, and every server program runs through "runuser -u <user> --".  Programs are
 * started with fork/execvp, never through a shell, so paths may contain spaces.  Their output
 * goes to pg.log, never to rmad's stdout or stderr.
 */
#ifndef APP_EMBEDDED_PG_H
#define APP_EMBEDDED_PG_H

#include <stddef.h>

#include "core/err.h"

/*
 * Makes sure the cluster under var_dir exists (initdb on first use), is running (pg_ctl start
 * when pg_ctl status says it is not; a stale postmaster.pid is pg_ctl's business) and has a
 * database "rmad".  var_dir is created when missing and may be relative.  Idempotent: a second
 * call reuses the running cluster.  Concurrent callers are serialised by a lock on
 * <var_dir>/pg.lock.  Blocks while the server starts (up to a minute).
 * On success returns 0 and writes a libpq connection string such as
 * "host=/abs/var/pgrun dbname=rmad user=rmad" into conninfo (caller's buffer).
 * On failure returns -1 with ERR_INTERNAL in err, naming pg.log when the log has the details.
 */
int embedded_pg_ensure(const char *var_dir, char *conninfo, size_t conninfo_len, struct err *err);

/*
 * Stops the cluster under var_dir (pg_ctl stop -m fast) if it is running.  Returns 0 when it is
 * stopped or there is no cluster, -1 with ERR_INTERNAL in err otherwise.
 */
int embedded_pg_stop(const char *var_dir, struct err *err);

#endif
