/*
 * db: PostgreSQL access.  One struct db per server thread, never shared.  Every statement is a
 * named row in src/db/statements.c, prepared when a connection opens (again after a reconnect)
 * and always run with parameters.
 *
 * Functions that talk to the database may block; they return DB_ONE (done, one result),
 * DB_NONE (nothing matched), DB_RETRY (database unreachable: the caller answers 503 with
 * Retry-After) or DB_FAIL, and fill err whenever the answer is not DB_ONE.  A state change names
 * the state it expects; losing a race is DB_FAIL with ERR_CONFLICT and no side effect.
 */
#ifndef DB_DB_H
#define DB_DB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/docs.h"
#include "core/err.h"
#include "core/intake.h"
#include "core/label.h"
#include "core/rma.h"
#include "core/scancode.h"

enum db_result { DB_ONE, DB_NONE, DB_RETRY, DB_FAIL };

struct db;

/* A connection for conninfo (libpq keywords or a URL; "" uses the PG* variables).  Connects
 * lazily; never NULL.  Free with db_free(). */
struct db *db_new(const char *conninfo);
void db_free(struct db *db);
/* Connects (with back-off between failed attempts) and prepares the statements. */
enum db_result db_ready(struct db *db, struct err *err);

/* Applies migrations/NNNN_*.sql of dir not yet applied, in order, each in its own transaction,
 * under an advisory lock so that two processes do not race.  Returns 0 or -1. */
int db_migrate(struct db *db, const char *dir, int *applied, struct err *err);
/* DB_ONE when every migration file in dir is applied, DB_NONE when some are not. */
enum db_result db_migrations_current(struct db *db, const char *dir, struct err *err);

/* Secret bytes stored under name; created from libsodium random bytes on first use. */
enum db_result db_secret(struct db *db, const char *name, unsigned char *out, size_t len,
                         struct err *err);

/* ROLE_MANAGER: the service manager (issue 3): registers cases and assigns engineers. */
enum role { ROLE_ADMIN, ROLE_AGENT, ROLE_ENGINEER, ROLE_DEPOT, ROLE_CARRIER, ROLE_MANAGER };
#define ROLE_BIT(r) (1u << (r))
const char *role_name(enum role r);
int role_parse(const char *s, enum role *out, struct err *err);

struct principal {
    int64_t token_id;
    enum role role;
    char name[128];
    int64_t carrier_id; /* 0 unless role is carrier */
};

/* Creates a token; writes the secret (shown once, stored hashed) to out[DB_TOKEN_LEN + 1]. */
#define DB_TOKEN_LEN 48
enum db_result db_token_create(struct db *db, enum role role, const char *name,
                               const char *carrier_code, char out[DB_TOKEN_LEN + 1],
                               struct err *err);
/* DB_ONE with *p for a live token, DB_NONE (ERR_UNAUTHORIZED) for an unknown or revoked one. */
enum db_result db_token_lookup(struct db *db, const char *token, struct principal *p,
                               struct err *err);
/* The principal rmad's own scheduled work acts as (events name it): an admin identity that
 * can never authenticate, made on first use.  DB_ONE with *p. */
enum db_result db_system_principal(struct db *db, const char *name, struct principal *p,
                                   struct err *err);

/* Loads the demo data of deploy/demo-data.sql (idempotent). */
enum db_result db_exec_file(struct db *db, const char *path, struct err *err);

/* Intake of a service case.  configuration and error_messages are JSON texts (may be NULL). */
enum db_result db_case_create(struct db *db, const struct intake *in, const char *configuration,
                              const char *error_messages, const struct principal *actor,
                              struct arena *a, char **case_number, struct err *err);

struct rma_request_line {
    const char *serial_number; /* NULL for a non-serialised part */
    const char *product_model;
    int64_t quantity;
};

struct rma_request {
    const char *case_number;
    enum rma_type type;
    enum screening_outcome outcome;
    const char *reason;
    const char *evidence_json;
    const char *return_carrier; /* carrier code of the inbound parcels, or NULL */
    const struct rma_request_line *lines;
    size_t n_lines;
};

/* Creates the RMA with screening, lines, legs, parcels and events in one transaction.
 * *rma_number comes from the arena. */
enum db_result db_rma_create(struct db *db, const struct rma_request *req,
                             const struct principal *actor, struct arena *a, char **rma_number,
                             struct err *err);
/* The staff view of an RMA as JSON (new reference), status derived from its legs. */
enum db_result db_rma_view(struct db *db, const char *rma_number, json_t **out, struct err *err);
/* The public tracking view: no personal data.  DB_NONE for an unknown RMA or a postcode that
 * does not match (the caller cannot tell which). */
enum db_result db_track_view(struct db *db, const char *rma_number, const char *postcode_norm,
                             json_t **out, struct err *err);

struct parcel_ref {
    int64_t parcel_id;
    int64_t rma_id;
    char rma_number[RMANUM_LEN + 1];
    int parcel_no;
    int parcel_count;
    bool received;
    bool authorized;
    bool closed;
};
/* The inbound parcel a scan code names.  For a bare RMA number: its one inbound parcel not yet
 * received (DB_FAIL with ERR_CONFLICT when several are, so the station asks for the label). */
enum db_result db_parcel_resolve(struct db *db, const struct scancode *sc, struct parcel_ref *out,
                                 struct err *err);
/* Dock scan of a resolved parcel (db_receiving.c): see struct dock_receipt below. */
struct dock_receipt;
enum db_result db_scan_receive(struct db *db, const struct parcel_ref *p, const char *station,
                               const char *code, const char *serial, const struct principal *actor,
                               struct dock_receipt *out, struct err *err);
/* Records a scan that resolved to no parcel (unknown, forged). */
enum db_result db_scan_log(struct db *db, const char *station, const char *code,
                           const char *outcome, const struct principal *actor, struct err *err);

/* The ReceiptAdvice model for an RMA's received units; DB_NONE if nothing was received yet. */
enum db_result db_receipt_advice(struct db *db, const char *rma_number, struct arena *a,
                                 struct receipt_advice *ra, struct err *err);

/* Imports an advance notice of returns, all or nothing and idempotent on (sender, type, ID):
 * the same body again returns the first answer (*status, *response), another body under the
 * same key is a conflict. */
enum db_result db_despatch_import(struct db *db, const char *sender, const unsigned char sha256[32],
                                  const struct despatch_advice *da, const struct principal *actor,
                                  int *status, json_t **response, struct err *err);

/* Idempotency-Key of a POST.  begin: DB_ONE = new key (go on, then db_idem_finish),
 * DB_NONE = stored answer in status, ctype and body (replay), DB_FAIL with ERR_INVALID (same key,
 * other request: 422) or ERR_CONFLICT (the first is still running: 409). */
enum db_result db_idem_begin(struct db *db, int64_t token_id, const char *key, const char *method,
                             const char *path, const unsigned char sha256[32], struct arena *a,
                             int *status, char **ctype, char **body, size_t *body_len,
                             struct err *err);
enum db_result db_idem_finish(struct db *db, int64_t token_id, const char *key, int status,
                              const char *ctype, const char *body, size_t body_len,
                              struct err *err);
/* Forgets a key whose request failed before it could answer (so a retry can run). */
void db_idem_abandon(struct db *db, int64_t token_id, const char *key);

/* depot: authorization and money (issue 4, db_money.c) ---------------------------------- */

/*
 * Raises a charge on an RMA (line_id 0: the RMA as a whole) and writes one event
 * "charge_raised".  kind: misuse, overdue_core, late_core_credit (negative amount) or quote.
 * Runs inside the caller's transaction (no BEGIN/COMMIT here; on failure the caller rolls
 * back).  DB_ONE, or DB_FAIL with ERR_CONFLICT when the line already has a charge of a kind
 * that exists once per line (overdue_core, late_core_credit).
 */
enum db_result db_charge_add(struct db *db, int64_t rma_id, int64_t line_id, const char *kind,
                             int64_t amount_cents, const char *currency, const char *reason,
                             const struct principal *actor, struct err *err);

struct line_ref;
/*
 * The core of an advance replacement has arrived (call from the receive, inside its
 * transaction): sets rma_line.core_returned_at, and when the core was late and an overdue
 * charge was raised for it, adds a late-core credit of the policy's percentage of that charge
 * (one event per charge).  A line that is not an advance-replacement core, or whose core was
 * already recorded, is left alone (DB_ONE).
 */
enum db_result db_core_received(struct db *db, struct line_ref *l, const struct principal *actor,
                                struct err *err);

/* The current quote of an RMA as JSON (new reference); DB_NONE when the RMA has none. */
enum db_result db_quote_get(struct db *db, const char *rma_number, json_t **out, struct err *err);
/* Accepts the offered quote: the RMA is authorized and chargeable, its lines open (rule 2),
 * legs and parcels as an eligible authorization, and an open charge for the total.  A quote
 * offered at inspection (the RMA is already authorized): the open charge, and the outbound leg
 * of each line on the quote unblocks when it may (the misuse is cleared). */
enum db_result db_quote_accept(struct db *db, const char *rma_number, const char *note,
                               const struct principal *actor, struct err *err);
/* Declines the offered quote and closes the RMA with the reason; a quote offered at inspection
 * (the RMA is already authorized) leaves the RMA open: the unit goes back unrepaired. */
enum db_result db_quote_decline(struct db *db, const char *rma_number, const char *reason,
                                const struct principal *actor, struct err *err);
/* Expires every offered quote whose expires_on is before today ("YYYY-MM-DD", NULL: the
 * database's current_date) and closes its RMA; *out lists the RMAs. */
enum db_result db_quotes_expire(struct db *db, const char *today, const struct principal *actor,
                                json_t **out, struct err *err);
/* The charges of an RMA as a JSON list (new reference). */
enum db_result db_charges_list(struct db *db, const char *rma_number, json_t **out,
                               struct err *err);
/* Settles (settle true: reference and optional note) or waives (reason) an open charge; *out
 * is the charge as JSON. */
enum db_result db_charge_close(struct db *db, int64_t charge_id, bool settle, const char *reference,
                               const char *note, const struct principal *actor, json_t **out,
                               struct err *err);
/* Closes an RMA with a reason (rule 6); cancel refuses (ERR_CONFLICT) once something physically
 * moved or a spare is packed.  Both close the lines and give back reserved spares whose
 * outbound leg is still blocked or ready; a packed spare stays reserved (the box exists). */
enum db_result db_rma_close(struct db *db, const char *rma_number, const char *reason, bool cancel,
                            const struct principal *actor, struct err *err);
/* Records the destruction certificate (JSON object text) of a kept data-bearing unit. */
enum db_result db_destruction_certificate(struct db *db, const char *rma_number, int line_no,
                                          const char *certificate_json,
                                          const struct principal *actor, struct err *err);
/* The core policy sweep for today ("YYYY-MM-DD" or NULL): reminders, overdue legs, charges;
 * *out lists what it did. */
enum db_result db_core_sweep(struct db *db, const char *today, const struct principal *actor,
                             json_t **out, struct err *err);
/* Every advance-replacement core not yet received, as a JSON list. */
enum db_result db_cores_outstanding(struct db *db, json_t **out, struct err *err);

/* depot: receiving and inspection (issue 4, db_receiving.c) */

/*
 * What a dock scan did.  outcome: "received" (inbound -> received, one event), "serial_mismatch"
 * (received then hold: two events and an open task), "arrived" (a box of non-serialised parts:
 * counted next as receipts), "duplicate" (nothing changed), "not_expected" (the RMA was closed
 * meanwhile: nothing changed but the scan log).  serial is what the station read off
 * the unit (NULL: not read; the serial is checked at inspection).  One transaction; racing scans
 * of one parcel give one receive and duplicates.
 */
struct dock_receipt {
    const char *outcome;
    char rma_number[16];
    int line_no;
    int64_t task_id; /* the serial_mismatch task, 0 when none */
};

/* Tasks (decisions to make) as a JSON list; kind and status NULL for any. */
enum db_result db_task_list(struct db *db, const char *kind, const char *status, json_t **out,
                            struct err *err);
/*
 * Decides a serial_mismatch task: "accept" takes the scanned serial as the unit that came in
 * (inbound hold -> received, one event), "reject" returns it to the sender (the leg stays on
 * hold, one 'mismatch_rejected' event).  DB_NONE (404) for no such task; a decided task or an
 * unexpected_arrival task is a conflict.  *out: the task as JSON.
 */
enum db_result db_task_decide(struct db *db, int64_t task_id, const char *decision,
                              const char *reason, const struct principal *actor, json_t **out,
                              struct err *err);

/* Unexpected arrivals: a parcel with no RMA.  create: an internal id (U + 8 digits), a task, the
 * queue; *out the arrival as JSON. */
enum db_result db_unexpected_create(struct db *db, const char *station, const char *description,
                                    const char *code, const char *serial,
                                    const struct principal *actor, json_t **out, struct err *err);
enum db_result db_unexpected_list(struct db *db, const char *status, json_t **out, struct err *err);
enum db_result db_unexpected_get(struct db *db, const char *internal_id, json_t **out,
                                 struct err *err);
/* Matches a queued arrival to an RMA line and receives the line's parcel through the dock
 * receive; *out the arrival with "receive": the dock receipt's outcome. */
enum db_result db_unexpected_match(struct db *db, const char *internal_id, const char *rma_number,
                                   int line_no, const struct principal *actor, json_t **out,
                                   struct err *err);
/* Closes a queued arrival as "returned" or "scrapped" with a reason. */
enum db_result db_unexpected_close(struct db *db, const char *internal_id, const char *status,
                                   const char *reason, const struct principal *actor, json_t **out,
                                   struct err *err);
/* What an arrival's tag shows beyond its id: the station that found it and the serial read off
 * the unit (NULL: none), strings from a. */
enum db_result db_unexpected_label(struct db *db, const char *internal_id, struct arena *a,
                                   const char **station, const char **serial, struct err *err);

/* A count of whole-number parts received on a non-serialised line (core depot_receive()):
 * inbound -> partially_received or received, one receipt row and one event.  reason: the
 * over-receipt exception (required beyond the authorized quantity: ERR_CONFLICT naming
 * "reason").  *out: quantities and the leg state. */
enum db_result db_line_receipt(struct db *db, const char *rma_number, int line_no, int64_t quantity,
                               const char *station, const char *reason, const char *expected_state,
                               const struct principal *actor, json_t **out, struct err *err);

struct inspection_in {
    const char *grade;           /* "A".."D" */
    const char *const *findings; /* core finding codes */
    size_t n_findings;
    bool misuse;               /* any finding is misuse (core depot_finding_is_misuse) */
    const char *evidence_json; /* NULL: none */
    const char *notes;
    const char *serial; /* read at inspection; NULL: not read */
    const char *expected_state;
};
/*
 * Inspection of a received unit: inbound received -> inspected (one event), an inspection row,
 * the line's grade and misuse.  Misuse makes the RMA chargeable: a 'misuse' charge when the
 * spare already went out (advance replacement, replacement without return, or an outbound leg
 * past ready), else an offered quote with a line.  A serial read that is not the expected one
 * puts the leg on hold with a task instead (*out "outcome": "serial_mismatch").
 */
enum db_result db_line_inspect(struct db *db, const char *rma_number, int line_no,
                               const struct inspection_in *in, const struct principal *actor,
                               json_t **out, struct err *err);
/* Disposition of an inspected unit: inbound inspected -> dispositioned (one event); "repair"
 * queues the repair leg of repair and factory lines (refused while a misuse quote is not
 * accepted); then the outbound leg is unblocked when its type's rule holds. */
enum db_result db_line_disposition(struct db *db, const char *rma_number, int line_no,
                                   const char *disposition, const char *expected_state,
                                   const struct principal *actor, json_t **out, struct err *err);

/* labels (issue 6), src/db/db_labels.c.  All block on the database; strings from the arena. */

/*
 * Everything the label of parcel parcel_no in direction ("inbound" or "outbound") of rma_number
 * says except the code (the caller adds the QR): the kind is LABEL_RETURN_TO_DEPOT inbound,
 * LABEL_OUTBOUND outbound, LABEL_SPARE for the outbound parcel of an advance replacement;
 * line_no, serial and model are those of the parcel's line (or the RMA's first line).  Sets
 * *parcel_id.  DB_NONE (404) for an unknown RMA or parcel; DB_FAIL with ERR_CONFLICT (409) when
 * the RMA is not authorized or closed.
 */
enum db_result db_label_parcel(struct db *db, const char *rma_number, const char *direction,
                               int parcel_no, struct arena *a, struct label_content *lc,
                               int64_t *parcel_id, struct err *err);
/* Takes the next serial reference (at least first) of an SSCC range, never handed out again. */
enum db_result db_label_sscc_next(struct db *db, const char *range_key, uint64_t first,
                                  uint64_t *ref, struct err *err);
/* Gives the parcel its SSCC; DB_NONE when it already has one (another request was first). */
enum db_result db_label_set_sscc(struct db *db, int64_t parcel_id, const char *sscc,
                                 struct err *err);
/* Flags the parcel (label_flag = reason) with a 'label_flagged' event, once per reason. */
enum db_result db_label_flag(struct db *db, int64_t parcel_id, const char *reason,
                             const struct principal *actor, struct err *err);
/*
 * The pickup batch: outbound parcels of carrier (code) created on date (YYYY-MM-DD, in the
 * carrier's time zone) and not shipped yet, at most 501 (the caller refuses more than 500).
 * *rma_numbers and *parcel_nos are arena arrays of *n entries.
 */
enum db_result db_label_batch_day(struct db *db, const char *carrier, const char *date,
                                  struct arena *a, const char ***rma_numbers, int **parcel_nos,
                                  size_t *n, struct err *err);
/* The parcels of an RMA with their label state (SSCC, tracking, flag) as a JSON list. */
enum db_result db_label_list(struct db *db, const char *rma_number, json_t **out, struct err *err);

/* ---- depot: repair and outbound (issue 4, area C: db_repair.c) ---- */

struct repair_part_in {
    const char *product_model;
    const char *serial_number; /* NULL when the part has none */
    int64_t quantity;
};

struct repair_request {
    const char *rma_number;
    int line_no;
    enum leg_event ev;          /* a repair-leg event (diagnose, repaired, escalate, ...) */
    const char *expected_state; /* NULL: whatever the leg is in */
    const char *notes;          /* NULL or the event's reason */
    const struct repair_part_in *parts;
    size_t n_parts;
    const char *swap_new_serial; /* NULL: no swap */
    const char *swap_reason;
};

struct repair_result {
    char from[32];
    char to[32];
    char outbound[32]; /* the outbound leg after the move */
    bool outbound_unblocked;
};

/*
 * Moves the line's repair leg on rq->ev with one event, records the parts consumed and a swap
 * (rule 7: old -> new serial, the old warranty end carried over to the new serial's install
 * base record), sets the serial that goes back when the repair finishes, and unblocks the
 * outbound leg when the type's rule says so.  Only once the unit was dispositioned for repair;
 * the new serial of a swap is an available depot spare of the line's model (consumed) or a
 * serial unknown to the depot, never one held by an open line or a customer's.  One
 * transaction; blocks on the database.  DB_NONE (404) for an unknown line; DB_FAIL with
 * ERR_CONFLICT (409: wrong state, expected state, not dispositioned for repair naming "repair",
 * swap.new_serial not ours to give) or ERR_INVALID (422: unknown part model, bad swap).
 */
enum db_result db_repair_move(struct db *db, const struct repair_request *rq,
                              const struct principal *actor, struct repair_result *out,
                              struct err *err);
/* The line's work order as JSON (new reference): repair leg, its events, parts, swap. */
enum db_result db_work_order(struct db *db, const char *rma_number, int line_no, json_t **out,
                             struct err *err);

struct pack_request {
    const char *rma_number;
    int line_no;
    const char *serial; /* the serial scanned; NULL for a part without serials */
    int64_t quantity;   /* parts without serials: the count packed; 0 when not given */
    const char *station;
    const char *carrier; /* carrier code; NULL: the first carrier */
    const char *expected_state;
};

/*
 * The pack scan: outbound ready -> packed with one event when the serial (or quantity) is the
 * one that must go out (rule 7), and an outbound parcel n of m for the carrier's manifest.
 * *out is the parcel as JSON (new reference).  The same scan again: *duplicate, no event.
 * DB_FAIL with ERR_CONFLICT naming "serial", "quantity", "outbound" or "expected_state", or
 * ERR_INVALID naming "serial" or "quantity" (a serial for a part without serials, and so on).
 */
enum db_result db_pack(struct db *db, const struct pack_request *pq, const struct principal *actor,
                       json_t **out, bool *duplicate, struct err *err);

struct shipment_event_request {
    const char *rma_number;
    int parcel_no;               /* outbound parcel number */
    enum leg_event ev;           /* ship, deliver, delivery_exception, return_to_sender */
    const char *tracking_number; /* ship only; NULL when not given */
    const char *expected_state;
};

/*
 * A carrier event on an outbound parcel: moves the outbound leg with one event and the parcel's
 * state; on ship the spare leaves the stock; delivered with the inbound leg absent or
 * dispositioned, the line is done (not open: rule 2).  A carrier token only for its own parcels
 * (ERR_FORBIDDEN).  The same event again: *duplicate, no event (rule 5).  A tracking number
 * other than the parcel's: ERR_CONFLICT naming "tracking_number".  *out as db_pack.
 */
enum db_result db_shipment_event(struct db *db, const struct shipment_event_request *sq,
                                 const struct principal *actor, json_t **out, bool *duplicate,
                                 struct err *err);

/* ---- tracking import (issue 5, db_tracking.c) ---- */
/*
 * A carrier tracking document is imported in one transaction, streaming: db_tracking_begin
 * claims the document's key (sender, type, ID) with the body's SHA-256, db_tracking_add sends
 * each event to the database in COPY batches (the events are never all in memory), and
 * db_tracking_finish applies them set-based (per parcel in time order, core's
 * tracking_parcel_next deciding, one event row per leg move) and commits.  Any failure rolls
 * back everything: a document is stored whole or not at all.  All block on the database.
 */
struct db_tracking; /* an import in progress; owned by the caller until finish or abort */

/* What the importer needs of the carrier a document comes from. */
struct db_carrier {
    int64_t id;
    char code[32];
    char zone[72]; /* "" when the carrier has no zone (local times are refused) */
};
/* A carrier to add or update (rmad carrier add); NULL fields keep what an existing carrier
 * has (a new one needs name and account; time_zone defaults to UTC, zone to none). */
struct db_carrier_set {
    const char *code, *name, *account, *time_zone, *zone;
};
/* Adds the carrier, or updates the one with its code; *created tells which. */
enum db_result db_carrier_upsert(struct db *db, const struct db_carrier_set *c, bool *created,
                                 struct err *err);
/* The carrier by code (code non-NULL) or id; DB_NONE (ERR_NOT_FOUND, field "carrier"). */
enum db_result db_carrier_get(struct db *db, const char *code, int64_t id, struct db_carrier *out,
                              struct err *err);

/* One canonical event as the reader gives it (the strings are copied before return). */
struct db_track_row {
    const char *tracking_number;
    const char *code;
    const char *text;
    const char *location;
    const char *canon; /* track_canon_name() */
    int64_t at;        /* seconds since the epoch */
    bool offset_known;
    bool ambiguous;
    int line;
};

/*
 * db_tracking_begin: BEGIN and claim (sender, doc_type, doc_id).  DB_ONE with *out: go on.
 * DB_NONE: the key was seen before (a concurrent first import is waited for): the same body
 * replays the stored answer in *status and *replay (new reference, "replayed": true), another
 * body is DB_FAIL with ERR_CONFLICT naming "ID".  Nothing is left open unless DB_ONE.
 */
enum db_result db_tracking_begin(struct db *db, const char *sender, const char *doc_type,
                                 const char *doc_id, const unsigned char sha256[32],
                                 const struct db_carrier *carrier, const struct principal *actor,
                                 struct db_tracking **out, int *status, json_t **replay,
                                 struct err *err);
/* Adds one event (buffered; sent in COPY batches).  0, or -1 with err (the caller aborts). */
int db_tracking_add(struct db_tracking *t, const struct db_track_row *row, struct err *err);
/*
 * Applies what was added and commits; frees t.  DB_ONE with *status 201 and *response (new
 * reference): counts of events, new, duplicates, unmatched, unknown codes, legs moved.  Other
 * results rolled back: ERR_FORBIDDEN (an event names a parcel of another carrier; err->line),
 * ERR_CONFLICT (a leg or parcel changed meanwhile), DB_RETRY.
 */
enum db_result db_tracking_finish(struct db_tracking *t, int *status, json_t **response,
                                  struct err *err);
/* Rolls back and frees t (NULL is fine). */
void db_tracking_abort(struct db_tracking *t);

/* A stored document as JSON (new reference), only when visible to who (a carrier sees its own
 * only): DB_NONE (ERR_NOT_FOUND, field "document") otherwise. */
enum db_result db_document_get(struct db *db, int64_t id, const struct principal *who, json_t **out,
                               struct err *err);
/* The documents visible to who, newest first, of doc_type (NULL: all), at most limit. */
enum db_result db_document_list(struct db *db, const char *doc_type, const struct principal *who,
                                int limit, json_t **out, struct err *err);

/* One parcel's carrier events, for the outbound TransportationStatus. */
struct db_status_event {
    const char *canon, *code, *text, *location;
    int64_t at;
};
struct db_parcel_status {
    const char *tracking_number;    /* NULL when the parcel has none */
    const char *sscc;               /* NULL when none */
    int64_t issued_at;              /* when the latest event was stored (stable between fetches) */
    struct db_status_event *events; /* in time order, in the arena */
    size_t n_events;
};
/* The events of parcel parcel_no of rma_number in direction ("inbound" | "outbound"), visible
 * to who (a carrier: its own parcels only).  DB_NONE (ERR_NOT_FOUND, "parcel") otherwise. */
enum db_result db_tracking_status(struct db *db, const char *rma_number, const char *direction,
                                  int parcel_no, const struct principal *who, struct arena *a,
                                  struct db_parcel_status *out, struct err *err);

/* pages (issue 7), src/db/db_pages.c.  All block on the database. */

/* The length of a session's cookie secret and of its CSRF token (hex). */
#define DB_SESSION_LEN 64
/*
 * Creates a staff user (name: 1 to 64 of a-z 0-9 . _ -, starting with a letter or digit; role:
 * not carrier) with the argon2id hash of password (8 to 200 bytes), and the user's own actor
 * token (never shown, never presentable).  DB_FAIL with ERR_CONFLICT when the name is taken.
 */
enum db_result db_user_create(struct db *db, const char *name, enum role role, const char *password,
                              struct err *err);
/*
 * Checks name and password and opens a session of 12 hours: DB_ONE with the cookie secret in
 * session (stored hashed) and its CSRF token in csrf; DB_NONE with ERR_UNAUTHORIZED for an
 * unknown name or a wrong password (the same work either way).
 */
enum db_result db_session_login(struct db *db, const char *name, const char *password,
                                char session[DB_SESSION_LEN + 1], char csrf[DB_SESSION_LEN + 1],
                                struct err *err);
/* DB_ONE with the user as *p (token_id: the user's actor token) and the session's CSRF token,
 * DB_NONE (ERR_UNAUTHORIZED) for an unknown, ended or expired session or a disabled user. */
enum db_result db_session_lookup(struct db *db, const char *session, struct principal *p,
                                 char csrf[DB_SESSION_LEN + 1], struct err *err);
/* Ends the session (logout); DB_ONE also when it had ended already. */
enum db_result db_session_end(struct db *db, const char *session, struct err *err);
/* The last `limit` scans at station, newest first, as a JSON list (new reference). */
enum db_result db_scans_recent(struct db *db, const char *station, int limit, json_t **out,
                               struct err *err);
/* The public status of parcel parcel_no of rma_number in direction ("inbound" or "outbound"), no
 * personal data, as JSON (new reference); DB_NONE when there is no such parcel. */
enum db_result db_parcel_public(struct db *db, const char *rma_number, const char *direction,
                                int parcel_no, json_t **out, struct err *err);

/* ---- cases: lifecycle (issue 3, db_lifecycle.c) ---- */
/*
 * The service case from registration to the escalation (include/core/case.h).  Each function
 * that changes something is one transaction: it locks the case, checks the move with core's
 * table, writes exactly one event per move (db_case_move) and commits; any failure rolls back
 * and changes nothing.  case_number unknown: DB_NONE with ERR_NOT_FOUND ("case_number").  An
 * engineer (role engineer) acts only on a case assigned to them (ERR_FORBIDDEN, "engineer").
 * JSON results are new references.
 */
struct engineer_input {
    const char *name;               /* a-z 0-9 . _ -, 1 to 64 */
    const char *email;              /* NULL: keep (new: none) */
    const char *token;              /* the engineer's bearer token (role engineer), NULL: keep */
    const char *product_lines_json; /* JSON list of product lines, NULL: keep (new: none) */
    int64_t max_open_cases;         /* 0: keep (new: 10) */
    int active;                     /* -1: keep (new: true) */
};
/* Creates or updates the engineer named in->name; *created tells which; *out is the engineer. */
enum db_result db_engineer_save(struct db *db, const struct engineer_input *in, bool *created,
                                json_t **out, struct err *err);
/* Every engineer (name NULL) or one, with the open cases assigned to them. */
enum db_result db_engineers_list(struct db *db, const char *name, json_t **out, struct err *err);
/* The case view: status, held_from, intake, engineer, assignments, contacts, fault isolations,
 * RMAs, events. */
enum db_result db_case_view(struct db *db, const char *case_number, json_t **out, struct err *err);
/* Cases by case number after `after` (NULL: from the first), at most limit, filtered by status
 * and current engineer (NULL: any): {"cases": [...], "next": case number or null}. */
enum db_result db_cases_list(struct db *db, const char *status, const char *engineer,
                             const char *after, int limit, json_t **out, struct err *err);
/* new -> registered; priority NULL keeps "normal". */
enum db_result db_case_register(struct db *db, const char *case_number, const char *priority,
                                const struct principal *actor, struct err *err);
/* Active engineers with the skill for the case's product line, least loaded first, then by
 * name, each with why: {"product_line", "suggestions": [{"engineer", "open_cases",
 * "max_open_cases", "load", "why"}]}. */
enum db_result db_engineer_suggestions(struct db *db, const char *case_number, json_t **out,
                                       struct err *err);
/* registered -> assigned to engineer (NULL: the best suggestion); on a case already assigned
 * (case_is_assignable) a reassignment: the current assignment closes, one "case_reassigned"
 * event, status unchanged.  Refuses an unknown engineer (ERR_INVALID "engineer"), one without
 * the product line (ERR_INVALID "engineer"), inactive or at capacity (ERR_CONFLICT
 * "engineer"). */
enum db_result db_case_assign(struct db *db, const char *case_number, const char *engineer,
                              const char *reason, const struct principal *actor, struct err *err);
/* An engineer's contact ("phone" or "email"), recorded by the assigned engineer (or a manager
 * or an admin for them); the first one on an assigned case moves it to troubleshooting
 * ("case_start"). */
enum db_result db_case_contact(struct db *db, const char *case_number, const char *method,
                               const char *summary, bool reached, const struct principal *actor,
                               struct err *err);
struct fault_isolation_input {
    const char *method; /* phone, remote, onsite */
    const char *findings;
    const char *suspected_part; /* may be NULL */
    const char *conclusion;     /* fixed, needs_onsite, needs_depot, needs_factory */
};
/* Records a fault isolation on a case in troubleshooting or onsite_planned (no move). */
enum db_result db_case_fault_isolation(struct db *db, const char *case_number,
                                       const struct fault_isolation_input *in,
                                       const struct principal *actor, struct err *err);
/* troubleshooting -> resolved_remotely; needs a fault isolation record (ERR_CONFLICT
 * "fault_isolation"). */
enum db_result db_case_resolve(struct db *db, const char *case_number, const char *resolution,
                               const struct principal *actor, struct err *err);
/* -> on_hold (held_from kept), and back to it; events case_hold / case_resume. */
enum db_result db_case_hold(struct db *db, const char *case_number, const char *reason,
                            const char *waiting_for, const struct principal *actor,
                            struct err *err);
enum db_result db_case_resume(struct db *db, const char *case_number, const char *reason,
                              const struct principal *actor, struct err *err);
/* -> cancelled, with the case's RMAs that have not moved (rule 6); refused (ERR_CONFLICT
 * "status") once anything of the case has physically moved. */
enum db_result db_case_cancel(struct db *db, const char *case_number, const char *reason,
                              const struct principal *actor, struct err *err);
/* troubleshooting | onsite_planned | rma_requested -> factory_escalated. */
enum db_result db_case_escalate_factory(struct db *db, const char *case_number, const char *reason,
                                        const struct principal *actor, struct err *err);

#endif
