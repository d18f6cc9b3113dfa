/* db_int: what the db modules share: the connection, the statement table, result helpers. */
#ifndef DB_INT_H
#define DB_INT_H

#include <libpq-fe.h>
#include <time.h>

#include "db/db.h"

enum stmt {
    Q_SECRET_INSERT,
    Q_SECRET_GET,
    Q_TOKEN_INSERT,
    Q_TOKEN_LOOKUP,
    Q_CARRIER_BY_CODE,
    Q_MIGRATION_VERSIONS,
    Q_MODEL_GET,
    Q_CASE_INSERT,
    Q_EVENT_CASE,
    Q_CASE_FOR_RMA,
    Q_RMA_SEQ,
    Q_DEPOT_DEFAULT,
    Q_INSTALL_BASE_GET,
    Q_RMA_INSERT,
    Q_SCREENING_INSERT,
    Q_LINE_INSERT,
    Q_LEG_INSERT,
    Q_PARCEL_INSERT,
    Q_EVENT_INSERT,
    Q_RMA_VIEW,
    Q_TRACK_VIEW,
    Q_LABEL_CONTENT,
    Q_PARCEL_BY_NO,
    Q_PARCEL_BY_RMA_OPEN,
    Q_PARCEL_BY_SSCC,
    Q_PARCEL_BY_TRACKING,
    Q_RECEIVE_PARCEL,
    Q_SCAN_LOG,
    Q_RECEIPT_HEAD,
    Q_RECEIPT_LINES,
    Q_DOC_INSERT,
    Q_DOC_GET,
    Q_DOC_FINISH,
    Q_NOTICE_LINE,
    Q_NOTICE_INSERT,
    Q_PARCEL_ANNOUNCE,
    Q_IDEM_INSERT,
    Q_IDEM_GET,
    Q_IDEM_TAKEOVER,
    Q_IDEM_FINISH,
    Q_IDEM_DELETE,
    Q__COUNT
};

struct statement {
    const char *name;
    int nparams;
    const char *sql;
};

extern const struct statement db_statements[Q__COUNT];

struct db {
    char *conninfo;
    PGconn *conn;
    bool prepared;
    time_t next_attempt; /* back-off after a failed connect */
    int backoff;         /* seconds */
};

/*
 * Runs a prepared statement.  Returns the result (caller PQclear()s it) when it succeeded, or
 * NULL after filling err: ERR_UNAVAILABLE when the connection is gone (*res_kind DB_RETRY),
 * ERR_CONFLICT for a unique violation or a lost race, ERR_INTERNAL otherwise.
 */
PGresult *db_run(struct db *db, enum stmt q, const char *const *params, enum db_result *res_kind,
                 struct err *err);
/* Same with explicit lengths/formats (binary parameters such as hashes). */
PGresult *db_run_bin(struct db *db, enum stmt q, const char *const *params, const int *lengths,
                     const int *formats, enum db_result *res_kind, struct err *err);
/* BEGIN / COMMIT / ROLLBACK on the connection. */
enum db_result db_begin(struct db *db, struct err *err);
enum db_result db_commit(struct db *db, struct err *err);
void db_rollback(struct db *db);

/* A copy of a field in the arena; NULL for SQL NULL. */
char *db_field(struct arena *a, const PGresult *r, int row, int col);

#endif
