/* db_int: what the db modules share: the connection, the statement table, result helpers. */
#ifndef DB_INT_H
#define DB_INT_H

#include <libpq-fe.h>
#include <time.h>

#include "core/case.h"
#include "db/db.h"

enum stmt {
    Q_SECRET_INSERT,
    Q_SECRET_GET,
    Q_TOKEN_INSERT,
    Q_TOKEN_LOOKUP,
    Q_CARRIER_BY_CODE,
    Q_CARRIER_FIND,
    Q_CARRIER_EXISTS,
    Q_CARRIER_UPSERT,
    Q_RMA_RETURN_CARRIER,
    Q_NOTICE_PARCEL_CARRIER,
    Q_NOTICE_PARCEL_CARRIER_SET,
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
    Q_NOTICE_RMA,
    Q_NOTICE_INSERT,
    Q_PARCEL_ANNOUNCE,
    Q_IDEM_INSERT,
    Q_IDEM_GET,
    Q_IDEM_TAKEOVER,
    Q_IDEM_FINISH,
    Q_IDEM_DELETE,
    /* ---- zones and holidays (issue 3, tzcache.c) ---- */
    Q_CAL_CASE,
    Q_CAL_HOLIDAYS,
    Q_CAL_HOLIDAY_NAME,
    /* leg moves shared by the depot modules (db_leg.c) */
    Q_SYSTEM_PRINCIPAL,
    Q_LINE_LOCK,
    Q_LINE_REF,
    Q_LEG_SET,
    Q_OUTBOUND_SERIAL,
    /* depot: authorization and money (issue 4, db_money.c) */
    Q_MONEY_EVENT,
    Q_MONEY_MODEL,
    Q_MONEY_TODAY,
    Q_SPARE_RESERVE_UNIT,
    Q_SPARE_RESERVE_BIN,
    Q_SPARE_RELEASE,
    Q_LINE_CORE_DUE,
    Q_QUOTE_INSERT,
    Q_QUOTE_LINE_INSERT,
    Q_QUOTE_VIEW,
    Q_QUOTE_LOCK,
    Q_QUOTE_DECIDE,
    Q_QUOTE_EXPIRED,
    Q_QUOTE_LINE_NOS,
    Q_RMA_AUTHORIZE,
    Q_RMA_LINES,
    Q_LINE_OPEN,
    Q_MONEY_RMA_LOCK,
    Q_RMA_HEAD,
    Q_RMA_CLOSE,
    Q_RMA_MANIFESTED,
    Q_RMA_LINES_CLOSE,
    Q_CHARGE_INSERT,
    Q_CHARGE_LIST,
    Q_CHARGE_LOCK,
    Q_CHARGE_CLOSE,
    Q_CHARGE_GET,
    Q_CHARGE_OF_LINE,
    Q_CORE_DUE_LINES,
    Q_REMINDER_INSERT,
    Q_CORE_RETURNED,
    Q_CORE_OUTSTANDING,
    Q_LINE_CERT,
    /* depot: receiving and inspection (issue 4, db_receiving.c) */
    Q_RCV_PARCEL_OF_LINE,
    Q_RCV_LINE_QTY,
    Q_RCV_RECEIPT_INSERT,
    Q_RCV_PARCELS_COUNTED,
    Q_RCV_TASK_INSERT,
    Q_RCV_TASK_LIST,
    Q_RCV_TASK_LOCK,
    Q_RCV_TASK_DECIDE,
    Q_RCV_UA_INSERT,
    Q_RCV_UA_LIST,
    Q_RCV_UA_LOCK,
    Q_RCV_UA_SET,
    Q_RCV_UA_VIEW,
    Q_RCV_UA_LABEL,
    Q_RCV_INSPECTION_INSERT,
    Q_RCV_LINE_GRADE,
    Q_RCV_RMA_CHARGEABLE,
    Q_RCV_PRICE,
    Q_RCV_QUOTE_INSERT,
    Q_RCV_QUOTE_OFFERED,
    Q_RCV_QUOTE_ADD,
    Q_RCV_QUOTE_LINE_INSERT,
    Q_RCV_DISPOSITION,
    Q_RCV_RMA_SHARE,
    Q_RCV_LINE_SERIAL,
    Q_RCV_SET_SERIAL,
    /* depot: repair and outbound (issue 4, db_repair.c) */
    Q_RPR_PART_INSERT,
    Q_RPR_SWAP_INSERT,
    Q_RPR_WARRANTY_CARRY,
    Q_RPR_SWAP_GET,
    Q_RPR_SPARE_GET,
    Q_RPR_CARRIER,
    Q_RPR_PACKED_PARCEL,
    Q_RPR_RMA_OUTBOUND_LOCK,
    Q_RPR_PARCEL_INSERT,
    Q_RPR_SHIPMENT_VIEW,
    Q_RPR_SHIPMENT_GET,
    Q_RPR_PARCEL_SET,
    Q_RPR_SPARE_SHIP,
    Q_RPR_BIN_SHIP,
    Q_RPR_WORK_ORDER,
    Q_RPR_LINE_LOCK,
    Q_RPR_LINE_MORE,
    Q_RPR_SERIAL_LOCK,
    Q_RPR_SERIAL_USE,
    Q_RPR_SPARE_CONSUME,
    Q_RPR_LINE_DONE,
    Q_RPR_PARCEL_TRACKING,
    Q_RPR_PARCEL_TRACKING_SET,
    /* pages (issue 7) */
    Q_PAGES_USER_INSERT,
    Q_PAGES_USER_GET,
    Q_PAGES_SESSION_INSERT,
    Q_PAGES_SESSION_LOOKUP,
    Q_PAGES_SESSION_END,
    Q_PAGES_SCANS_RECENT,
    Q_PAGES_PARCEL_PUBLIC,
    /* labels (issue 6) */
    Q_LABEL_PARCEL,
    Q_LABEL_SSCC_NEXT,
    Q_LABEL_SET_SSCC,
    Q_LABEL_FLAG,
    Q_LABEL_BATCH_DAY,
    Q_LABEL_LIST,
    /* ---- cases: e-mail intake, follow-up, outbox (issue 3, db_followup.c) ---- */
    Q_FU_INTAKE_GET,
    Q_FU_INTAKE_CLAIM,
    Q_FU_INTAKE_SET,
    Q_FU_OUTBOX_ADD,
    Q_FU_CASE_LOCK,
    Q_FU_CASE_ID,
    Q_FU_RMAS_OPEN,
    Q_FU_SERVICE_OPEN,
    Q_FU_INSERT,
    Q_FU_SET_OUTBOX,
    Q_FU_GET,
    Q_FU_ATTEMPT_INSERT,
    Q_FU_ATTEMPTS,
    Q_FU_FEEDBACK_INSERT,
    Q_FU_FEEDBACK_GET,
    Q_FU_CLOSE,
    Q_FU_OUTBOX_CLAIM,
    Q_FU_OUTBOX_SENT,
    Q_FU_OUTBOX_RETRY,
    Q_FU_OUTBOX_HOLD,
    Q_FU_OUTBOX_CANCEL,
    Q_FU_INTAKE_THREAD,

    /* ---- xml: pickup manifests and outbound documents (issue 5, db_manifest.c) ---- */
    Q_MFST_CARRIER,
    Q_MFST_TURN,
    Q_MFST_CANDIDATES,
    Q_MFST_PARCEL,
    Q_MFST_PARCEL_STATE,
    Q_MFST_NEXT,
    Q_MFST_INSERT,
    Q_MFST_LINK,
    Q_MFST_VIEW,
    Q_MFST_XML,
    Q_MFST_LIST,
    Q_MFST_LOCK,
    Q_MFST_PARCELS,
    Q_MFST_VOID,
    Q_MFST_DESPATCH,
    Q_MFST_INSPECTED,
    /* ---- tracking import (issue 5, db_tracking.c) ---- */
    Q_TRK_CARRIER,
    Q_TRK_COPY_STAGE,
    Q_TRK_ANALYZE_STAGE,
    Q_TRK_ANALYZE_DECISION,
    Q_TRK_CURSOR_ALL,
    Q_TRK_LARGE,
    Q_TRK_UNMATCHED,
    Q_TRK_CURSOR,
    Q_TRK_FETCH,
    Q_TRK_CLOSE,
    Q_TRK_COPY_DECISION,
    Q_TRK_LEGS,
    Q_TRK_LEG_EVENTS,
    Q_TRK_PARCELS,
    Q_TRK_EVENTS_STORE,
    Q_TRK_SPARES,
    Q_TRK_BINS,
    Q_TRK_LINES_DONE,
    Q_TRK_STAGE_CLEAR,
    Q_TRK_DOC_GET,
    Q_TRK_DOC_LIST,
    Q_TRK_STATUS_PARCEL,
    Q_TRK_STATUS_EVENTS,
    /* ---- cases: lifecycle (issue 3, db_lifecycle.c) ---- */
    Q_LC_CASE_LOCK,
    Q_LC_CASE_SET,
    Q_LC_CASE_REF,
    Q_LC_CASE_PRIORITY,
    Q_LC_VIEW,
    Q_LC_LIST,
    Q_LC_TOKEN_BY_HASH,
    Q_LC_ENGINEER_SAVE,
    Q_LC_LINES_UNKNOWN,
    Q_LC_ENGINEER_LIST,
    Q_LC_ENGINEER_SUGGEST,
    Q_LC_ENGINEER_LOCK,
    Q_LC_ENGINEER_GET,
    Q_LC_ASSIGN_CURRENT,
    Q_LC_ASSIGN_CLOSE,
    Q_LC_ASSIGN_INSERT,
    Q_LC_CONTACT_INSERT,
    Q_LC_FI_INSERT,
    Q_LC_FI_LAST,
    Q_LC_CASE_RMAS,
    Q_LC_CASE_EVENT,
    Q_LC_CASE_HELD_ASSIGNED,
    Q_LC_CANCEL_SERVICE,
    /* ---- cases: archive and SLA (issue 3, db_archive.c, db_sla.c) ---- */
    Q_ARCH_CASE_LOCK,
    Q_ARCH_HEAD,
    Q_ARCH_INTAKE,
    Q_ARCH_RMAS,
    Q_ARCH_EVENTS,
    Q_ARCH_ASSIGNMENTS,
    Q_ARCH_CONTACTS,
    Q_ARCH_FAULT_ISOLATION,
    Q_ARCH_AUTHORIZATIONS,
    Q_ARCH_REMOTE_SESSIONS,
    Q_ARCH_ONSITE_VISITS,
    Q_ARCH_SERVICE_LOG,
    Q_ARCH_FOLLOW_UP,
    Q_ARCH_FEEDBACK,
    Q_ARCH_EMAILS,
    Q_ARCH_RECORD_INSERT,
    Q_ARCH_RECORD_GET,
    Q_SLA_CASE,
    Q_SLA_CASES,
    /* ---- cases: remote support, on-site visits, service log (issue 3, db_service.c) ---- */
    Q_SVC_CASE_LOCK,
    Q_SVC_CASE_INFO,
    Q_SVC_CASE_ID,
    Q_SVC_EVENT,
    Q_SVC_AUTH_INSERT,
    Q_SVC_AUTH_LIST,
    Q_SVC_AUTH_FIND,
    Q_SVC_SESSION_INSERT,
    Q_SVC_SESSION_LOCK,
    Q_SVC_SESSION_END,
    Q_SVC_SESSION_CANCEL,
    Q_SVC_SESSION_LIST,
    Q_SVC_ENGINEER,
    Q_SVC_VISIT_INSERT,
    Q_SVC_VISIT_LOCK,
    Q_SVC_VISIT_UPDATE,
    Q_SVC_VISIT_LIST,
    Q_SVC_LOG_INSERT,
    Q_SVC_LOG_LIST,
    Q_SVC_ENGINEER_GATE,
    Q_SVC_ENGINEER_LOCK,
    Q_SVC_VISIT_CLASH,
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
/* db_run inside an open transaction: NULL after rolling it back when the statement failed. */
PGresult *db_tx_run(struct db *db, enum stmt q, const char *const *params, enum db_result *res_kind,
                    struct err *err);
/* Rolls the open transaction back and returns kind, DB_FAIL for DB_ONE (err is set). */
enum db_result db_tx_abort(struct db *db, enum db_result kind);
/* Rolls the open transaction back, sets err (k, field, msg) and returns DB_FAIL. */
enum db_result db_tx_fail(struct db *db, struct err *err, enum err_kind k, const char *field,
                          const char *msg);
/* db_run of a statement that reads one service case's row: NULL with *res_kind DB_NONE and err
 * (ERR_NOT_FOUND, case_number) when it gives not exactly one row. */
PGresult *db_run_case(struct db *db, enum stmt q, const char *const *params,
                      enum db_result *res_kind, struct err *err);

/* Inside an open transaction (db_case.c): checks in's product model, inserts the case and its
 * creation event; *case_id and *case_number from a.  On failure the transaction is rolled back. */
enum db_result db_case_insert(struct db *db, const struct intake *in, const char *configuration,
                              const char *error_messages, const struct principal *actor,
                              struct arena *a, char **case_id, char **case_number, struct err *err);

/* One RMA line with its RMA and legs, as the depot modules need it. */
struct line_ref {
    int64_t rma_id;
    int64_t line_id;
    int64_t case_id;
    char rma_number[16];
    int line_no;
    enum rma_type type;
    bool authorized;
    bool closed;
    bool chargeable;
    bool misuse;
    bool quote_accepted; /* the RMA's latest quote was accepted after the line's last inspection */
    bool scrapped;       /* dispositioned "scrap": nothing goes back for it */
    bool serialised;     /* the line has a serial number */
    char serial_number[72]; /* "" for a part without serials */
    char product_model[72];
    int64_t quantity;
    int64_t received_quantity;
    char core_due_date[12]; /* "" when none */
    char inbound[32];       /* leg states; "" when the line has no such leg */
    char repair[32];
    char outbound[32];
};

/*
 * Reads line line_no of rma_number, locking the line's legs (FOR UPDATE) so that a move
 * decided on what was read cannot race.  Call inside a transaction.  DB_NONE with
 * ERR_NOT_FOUND naming "rma_number" or "line" when there is no such line.
 */
enum db_result db_line_ref(struct db *db, const char *rma_number, int line_no, struct line_ref *out,
                           struct err *err);

/*
 * Moves one leg of the line on ev along core's transition table and writes exactly one event
 * row (rule 8).  expected, when not NULL, is the state the caller believes the leg is in
 * (rule 4: another state is a 409 with no side effect).  Updates l's copy of the leg and sets
 * *to.  Inside the caller's transaction; on failure the caller rolls back.
 */
enum db_result db_leg_move(struct db *db, struct line_ref *l, enum leg_kind kind, enum leg_event ev,
                           const char *expected, const struct principal *actor, const char *channel,
                           const char *reason, const char *evidence_json, const char **to,
                           struct err *err);

/*
 * When core's rule for the line's type says the outbound leg may leave "blocked", moves it to
 * "ready" (one event) and sets *unblocked.  Call after any move that may unblock it.
 */
enum db_result db_outbound_unblock(struct db *db, struct line_ref *l, const struct principal *actor,
                                   bool *unblocked, struct err *err);

/* A copy of a field in the arena; NULL for SQL NULL. */
char *db_field(struct arena *a, const PGresult *r, int row, int col);

/* depot: authorization and money (issue 4, db_money.c) */
/*
 * Opens one line of an authorized RMA as an eligible authorization does: its legs (each with a
 * "leg_opened" event), the spare reserved for the types that send one (advance replacement,
 * exchange, replacement without return; none in stock: ERR_CONFLICT naming
 * lines[index].product_model), the core's due date (advance replacement, from `today`, days
 * since the epoch) and the inbound parcel parcel_no of parcel_count (0: none).  Inside the
 * caller's transaction; on failure the caller rolls back.
 */
enum db_result db_line_authorize(struct db *db, int64_t rma_id, enum rma_type type, int64_t line_id,
                                 size_t index, const char *product_model, int64_t quantity,
                                 int parcel_no, int parcel_count, int64_t today,
                                 const struct principal *actor, struct err *err);
/* Days since 1970-01-01 of the database's current_date. */
enum db_result db_today(struct db *db, int64_t *day, struct err *err);

/* ---- cases: lifecycle (issue 3, db_lifecycle.c) ---- */
/*
 * Moves service case case_id on ev along core's case table (include/core/case.h): locks the
 * case row (FOR UPDATE), checks case_next() from its current state (and held_from for resume),
 * stores the new status (and held_from on hold), and writes exactly one event row
 * (kind "case_<event name>", from, to, actor, channel, reason, evidence).  expected, when not
 * NULL, is the state the caller believes the case is in (another one: ERR_CONFLICT).  Inside
 * the caller's transaction; on failure the caller rolls back.  DB_ONE with *to; DB_NONE with
 * ERR_NOT_FOUND ("case_number"); DB_FAIL with ERR_CONFLICT (field "status", the message names
 * the current state); DB_RETRY.
 */
enum db_result db_case_move(struct db *db, int64_t case_id, enum case_event ev,
                            const char *expected, const struct principal *actor,
                            const char *channel, const char *reason, const char *evidence_json,
                            enum case_state *to, struct err *err);
/*
 * The one guard of an escalation to the depot, shared by POST /api/v1/rmas and POST
 * /api/v1/cases/{case}/escalations (db_rma_create calls it first): inside the caller's
 * transaction, locks the case of case_number and checks that it may get an RMA: the actor (an
 * engineer: only the one assigned), the status (troubleshooting, onsite_planned or
 * rma_requested: ERR_CONFLICT "status"), a fault isolation record (ERR_CONFLICT
 * "fault_isolation") and a screening outcome that is not misuse (ERR_INVALID
 * "screening.outcome").  The refused misuse decision is written as a case event
 * ("case_screening_refused", its reason and evidence) and *keep is set: the caller commits that
 * event, and nothing else, before answering.  DB_ONE with *case_id; unknown case: DB_FAIL with
 * ERR_INVALID "case_number".
 */
enum db_result db_case_rma_guard(struct db *db, const char *case_number,
                                 enum screening_outcome outcome, const char *reason,
                                 const char *evidence_json, const struct principal *actor,
                                 int64_t *case_id, bool *keep, struct err *err);
/* Once the RMA exists (same transaction): the case moves to rma_requested with one event
 * naming the RMA, unless it is there already (a second RMA: no move, no event). */
enum db_result db_case_rma_requested(struct db *db, int64_t case_id, const char *rma_number,
                                     const struct principal *actor, struct err *err);
/* db_money.c: cancels rma_number inside the caller's transaction as db_rma_close(cancel) does
 * (locks it, refuses with ERR_CONFLICT "status" once anything of it physically moved, closes
 * it, gives back its spares, one event).  An RMA closed already: DB_NONE, unless something of
 * it moved (refused too). */
enum db_result db_rma_cancel_in_tx(struct db *db, const char *rma_number, const char *reason,
                                   const struct principal *actor, struct err *err);

#endif
