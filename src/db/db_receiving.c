/*
 * db_receiving: the depot's receiving and inspection (issue 4, area B).
 *
 *   dock scan          parcel -> rmad_receive_parcel (one round trip, parcel row lock):
 *                      received | serial_mismatch (received -> hold, a task) | arrived
 *                      (non-serialised: counted next) | duplicate | not_expected (rma closed)
 *   task decision      serial_mismatch: accept (hold -> received; the scanned serial becomes
 *                      the line's received_serial) | reject (stays on hold)
 *   unexpected arrival queued -> matched (the line's parcel received) | returned | scrapped
 *   receipts           whole-number parts: inbound -> partially_received ... -> received; the
 *                      count that completes the line marks its parcels received (a later scan
 *                      of one is a duplicate)
 *   inspection         received -> inspected; misuse makes the RMA chargeable (charge or quote)
 *   disposition        inspected -> dispositioned; "repair" queues the repair leg; a line whose
 *                      outbound leg is already delivered is done (open = false)
 *
 * Every function is one transaction: it commits on success and rolls back on every failure, so
 * nothing is half-written.  Every leg move goes through db_leg_move() (rule 4: the expected
 * state; rule 8: one event with its actor).  What receives (dock scan, counted receipt, match of
 * an unexpected arrival) locks the RMA row FOR SHARE before the line, so that it and a cancel or
 * close (which lock the RMA FOR UPDATE) serialize and a closed RMA receives nothing (rule 6).
 *
 * rma_line.received_serial is the serial of the unit that came in (read at the dock, accepted on
 * a mismatch task or read at inspection); coalesce(received_serial, serial_number) is what a
 * serial read later is compared with (rule 7).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/log.h"
#include "core/depot.h"
#include "db_int.h"

/* Counted receipts: the total received may not exceed this many times the quantity authorized,
 * nor RECEIPT_TOTAL_MAX. */
#define RECEIPT_OVER_FACTOR 100
#define RECEIPT_TOTAL_MAX 1000000

/* Rolls back and returns kind (err already set by the failing call). */
static enum db_result undo(struct db *db, enum db_result kind)
{
    db_rollback(db);
    return kind;
}

/* Sets err, rolls back and returns DB_FAIL (DB_NONE for ERR_NOT_FOUND). */
static enum db_result refuse(struct db *db, struct err *err, enum err_kind k, const char *field,
                             const char *msg)
{
    err_set(err, k, field, "%s", msg);
    db_rollback(db);
    return k == ERR_NOT_FOUND ? DB_NONE : DB_FAIL;
}

/* The JSON text in column 0 of row 0 of r as a new reference (r is cleared). */
static enum db_result json_col(PGresult *r, int col, json_t **out, struct err *err)
{
    json_error_t jerr;

    *out = json_loads(PQgetvalue(r, 0, col), 0, &jerr);
    PQclear(r);
    if (*out == NULL) {
        log_warnx("receiving: not json: %s", jerr.text);
        err_set(err, ERR_INTERNAL, NULL, "cannot read the answer");
        return DB_FAIL;
    }
    return DB_ONE;
}

/* Compact JSON text of j (decref'd); malloc'd, caller frees. */
static char *dump(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
}

/* Runs q and discards the result; DB_ONE or the failure (err set). */
static enum db_result exec(struct db *db, enum stmt q, const char *const *p, struct err *err)
{
    enum db_result kind;
    PGresult *r = db_run(db, q, p, &kind, err);
    if (r == NULL)
        return kind;
    PQclear(r);
    return DB_ONE;
}

/* Locks the RMA row FOR SHARE (a cancel or close waits, or we wait for it); rolls back on
 * failure.  An unknown RMA is left to open_line(). */
static enum db_result rma_share(struct db *db, const char *rma_number, struct err *err)
{
    const char *p[1] = {rma_number};
    enum db_result k = exec(db, Q_RCV_RMA_SHARE, p, err);

    return k == DB_ONE ? DB_ONE : undo(db, k);
}

/* Reads the line; a line of an RMA that is not authorized or closed receives nothing. */
static enum db_result open_line(struct db *db, const char *rma_number, int line_no,
                                struct line_ref *l, struct err *err)
{
    enum db_result k = db_line_ref(db, rma_number, line_no, l, err);
    if (k != DB_ONE)
        return undo(db, k);
    if (!l->authorized)
        return refuse(db, err, ERR_CONFLICT, "rma_number", "the rma is not authorized");
    if (l->closed)
        return refuse(db, err, ERR_CONFLICT, "rma_number", "the rma is closed");
    return DB_ONE;
}

/* An advance-replacement core is back (received, not on hold): area A's core policy marks it
 * returned and credits a late core (db_core_received leaves other lines alone). */
static enum db_result core_back(struct db *db, const char *rma_number, int line_no,
                                const struct principal *actor, struct err *err)
{
    struct line_ref l;
    enum db_result k = db_line_ref(db, rma_number, line_no, &l, err);

    if (k != DB_ONE)
        return k;
    return db_core_received(db, &l, actor, err);
}

/* The dock receive of one parcel inside the caller's transaction. */
static enum db_result receive_parcel(struct db *db, int64_t parcel_id, const char *station,
                                     const char *code, const char *serial,
                                     const struct principal *actor, struct dock_receipt *out,
                                     struct err *err)
{
    enum db_result kind;
    const char *sources[8];
    char from[160] = "{";
    char pid[24];
    char tid[24];
    const char *to = NULL;
    const char *hold = NULL;

    /* the states a receive may start from, and the hold state, come from core's table */
    size_t n = leg_sources(LEG_INBOUND, LEG_EV_RECEIVE, sources, 8);
    for (size_t i = 0; i < n; i++) {
        strncat(from, sources[i], sizeof from - strlen(from) - 2);
        if (i + 1 < n)
            strncat(from, ",", sizeof from - strlen(from) - 2);
    }
    strcat(from, "}");
    if (leg_next(LEG_INBOUND, sources[0], LEG_EV_RECEIVE, &to, err) != 0 ||
        leg_next(LEG_INBOUND, to, LEG_EV_HOLD, &hold, err) != 0)
        return DB_FAIL;
    snprintf(pid, sizeof pid, "%lld", (long long)parcel_id);
    snprintf(tid, sizeof tid, "%lld", (long long)actor->token_id);
    const char *params[9] = {pid, from, to, station, actor->name, tid, code, serial, hold};
    PGresult *r = db_run(db, Q_RECEIVE_PARCEL, params, &kind, err);
    if (r == NULL)
        return kind;
    static const char *const outcomes[] = {"received", "serial_mismatch", "arrived",
                                           "not_expected"};
    out->outcome = "duplicate";
    for (size_t i = 0; i < sizeof outcomes / sizeof outcomes[0]; i++)
        if (strcmp(PQgetvalue(r, 0, 0), outcomes[i]) == 0)
            out->outcome = outcomes[i];
    snprintf(out->rma_number, sizeof out->rma_number, "%s", PQgetvalue(r, 0, 3));
    out->line_no = PQgetisnull(r, 0, 4) ? 0 : atoi(PQgetvalue(r, 0, 4));
    out->task_id = PQgetisnull(r, 0, 5) ? 0 : strtoll(PQgetvalue(r, 0, 5), NULL, 10);
    PQclear(r);
    if (strcmp(out->outcome, "received") == 0)
        return core_back(db, out->rma_number, out->line_no, actor, err);
    return DB_ONE;
}

enum db_result db_scan_receive(struct db *db, const struct parcel_ref *p, const char *station,
                               const char *code, const char *serial, const struct principal *actor,
                               struct dock_receipt *out, struct err *err)
{
    enum db_result k = db_begin(db, err);

    memset(out, 0, sizeof *out);
    if (k != DB_ONE)
        return k;
    k = receive_parcel(db, p->parcel_id, station, code, serial, actor, out, err);
    if (k != DB_ONE)
        return undo(db, k);
    return db_commit(db, err);
}

/* ---- tasks ---------------------------------------------------------------------------------- */

enum db_result db_task_list(struct db *db, const char *kind, const char *status, json_t **out,
                            struct err *err)
{
    enum db_result k;
    const char *p[2] = {kind, status};
    PGresult *r = db_run(db, Q_RCV_TASK_LIST, p, &k, err);

    if (r == NULL)
        return k;
    return json_col(r, 0, out, err);
}

/* The task row locked: fills the fields; DB_NONE when there is none. */
struct task_row {
    char kind[32];
    char status[16];
    char rma_number[16];
    int line_no;
    char scanned[72];
};

static enum db_result task_lock(struct db *db, const char *id, struct task_row *t, json_t **view,
                                struct err *err)
{
    enum db_result k;
    const char *p[1] = {id};
    PGresult *r = db_run(db, Q_RCV_TASK_LOCK, p, &k, err);

    if (r == NULL)
        return k;
    if (PQntuples(r) != 1) {
        PQclear(r);
        err_set(err, ERR_NOT_FOUND, "task", "no such task");
        return DB_NONE;
    }
    snprintf(t->kind, sizeof t->kind, "%s", PQgetvalue(r, 0, 1));
    snprintf(t->status, sizeof t->status, "%s", PQgetvalue(r, 0, 2));
    snprintf(t->rma_number, sizeof t->rma_number, "%s", PQgetvalue(r, 0, 3));
    t->line_no = PQgetisnull(r, 0, 4) ? 0 : atoi(PQgetvalue(r, 0, 4));
    snprintf(t->scanned, sizeof t->scanned, "%s", PQgetvalue(r, 0, 5));
    if (view == NULL) {
        PQclear(r);
        return DB_ONE;
    }
    return json_col(r, 6, view, err);
}

/* Writes one event of the line that is not a leg move (a decision that leaves the leg). */
static enum db_result line_event(struct db *db, const struct line_ref *l, const char *leg,
                                 const char *kind, const char *from, const char *to,
                                 const struct principal *actor, const char *reason,
                                 const char *evidence, struct err *err)
{
    char ids[3][24];
    char tid[24];

    snprintf(ids[0], sizeof ids[0], "%lld", (long long)l->case_id);
    snprintf(ids[1], sizeof ids[1], "%lld", (long long)l->rma_id);
    snprintf(ids[2], sizeof ids[2], "%lld", (long long)l->line_id);
    snprintf(tid, sizeof tid, "%lld", (long long)actor->token_id);
    const char *ep[13] = {ids[0], ids[1],      ids[2], NULL,  leg,    kind,    from,
                          to,     actor->name, tid,    "api", reason, evidence};
    return exec(db, Q_EVENT_INSERT, ep, err);
}

enum db_result db_task_decide(struct db *db, int64_t task_id, const char *decision,
                              const char *reason, const struct principal *actor, json_t **out,
                              struct err *err)
{
    struct task_row t;
    struct line_ref l;
    char id[24];
    const char *to = NULL;
    enum db_result k = db_begin(db, err);

    if (k != DB_ONE)
        return k;
    snprintf(id, sizeof id, "%lld", (long long)task_id);
    if ((k = task_lock(db, id, &t, NULL, err)) != DB_ONE)
        return undo(db, k);
    if (strcmp(t.kind, "serial_mismatch") != 0)
        return refuse(db, err, ERR_CONFLICT, "task",
                      "an unexpected arrival is decided by matching or closing it");
    if (strcmp(t.status, "open") != 0)
        return refuse(db, err, ERR_CONFLICT, "decision", "the task was already decided");
    if ((k = open_line(db, t.rma_number, t.line_no, &l, err)) != DB_ONE)
        return k;
    bool accept = strcmp(decision, "accept") == 0;
    char *ev = dump(json_pack("{s:I, s:s, s:s, s:s}", "task_id", (json_int_t)task_id, "decision",
                              decision, "expected", l.serial_number, "scanned", t.scanned));
    char *patch =
        accept ? dump(json_pack("{s:s}", "accepted_serial", t.scanned)) : dump(json_object());
    if (accept)
        k = db_leg_move(db, &l, LEG_INBOUND, LEG_EV_RELEASE, "hold", actor, "api", reason, ev, &to,
                        err);
    else if (strcmp(l.inbound, "hold") != 0)
        k = (err_set(err, ERR_CONFLICT, "inbound", "the inbound leg is %s, not hold", l.inbound),
             DB_FAIL);
    else
        k = line_event(db, &l, "inbound", "mismatch_rejected", "hold", "hold", actor, reason, ev,
                       err);
    free(ev);
    if (k == DB_ONE) {
        const char *dp[5] = {id, decision, reason, actor->name, patch};
        PGresult *r = db_run(db, Q_RCV_TASK_DECIDE, dp, &k, err);
        if (r != NULL) {
            if (PQntuples(r) != 1)
                k = (err_set(err, ERR_CONFLICT, "decision", "the task was already decided"),
                     DB_FAIL);
            PQclear(r);
        }
    }
    free(patch);
    if (k == DB_ONE && accept) {
        /* the accepted serial is the unit that came in (rule 7: it goes back as this one) */
        char lid[24];
        snprintf(lid, sizeof lid, "%lld", (long long)l.line_id);
        const char *sp[2] = {lid, t.scanned};
        k = exec(db, Q_RCV_SET_SERIAL, sp, err);
    }
    if (k == DB_ONE && accept)
        k = core_back(db, l.rma_number, l.line_no, actor, err);
    if (k == DB_ONE)
        k = task_lock(db, id, &t, out, err);
    if (k != DB_ONE)
        return undo(db, k);
    if ((k = db_commit(db, err)) != DB_ONE) {
        json_decref(*out);
        *out = NULL;
    }
    return k;
}

/* ---- unexpected arrivals -------------------------------------------------------------------- */

enum db_result db_unexpected_get(struct db *db, const char *internal_id, json_t **out,
                                 struct err *err)
{
    enum db_result k;
    const char *p[1] = {internal_id};
    PGresult *r = db_run(db, Q_RCV_UA_VIEW, p, &k, err);

    if (r == NULL)
        return k;
    if (PQntuples(r) != 1) {
        PQclear(r);
        err_set(err, ERR_NOT_FOUND, "internal_id", "no such unexpected arrival");
        return DB_NONE;
    }
    return json_col(r, 0, out, err);
}

enum db_result db_unexpected_create(struct db *db, const char *station, const char *description,
                                    const char *code, const char *serial,
                                    const struct principal *actor, json_t **out, struct err *err)
{
    enum db_result k;
    const char *p[5] = {code, serial, description, station, actor->name};
    PGresult *r = db_run(db, Q_RCV_UA_INSERT, p, &k, err);

    if (r == NULL)
        return k;
    char iid[24];
    snprintf(iid, sizeof iid, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return db_unexpected_get(db, iid, out, err);
}

enum db_result db_unexpected_list(struct db *db, const char *status, json_t **out, struct err *err)
{
    enum db_result k;
    const char *p[1] = {status};
    PGresult *r = db_run(db, Q_RCV_UA_LIST, p, &k, err);

    if (r == NULL)
        return k;
    return json_col(r, 0, out, err);
}

struct ua_row {
    char id[24];
    char serial[72];
    bool has_serial;
    char task_id[24];
    char station[72];
};

static enum db_result ua_lock(struct db *db, const char *internal_id, struct ua_row *u,
                              struct err *err)
{
    enum db_result k;
    const char *p[1] = {internal_id};
    PGresult *r = db_run(db, Q_RCV_UA_LOCK, p, &k, err);

    if (r == NULL)
        return undo(db, k);
    if (PQntuples(r) != 1) {
        PQclear(r);
        return refuse(db, err, ERR_NOT_FOUND, "internal_id", "no such unexpected arrival");
    }
    bool queued = strcmp(PQgetvalue(r, 0, 1), "queued") == 0;
    snprintf(u->id, sizeof u->id, "%s", PQgetvalue(r, 0, 0));
    u->has_serial = !PQgetisnull(r, 0, 2);
    snprintf(u->serial, sizeof u->serial, "%s", PQgetvalue(r, 0, 2));
    snprintf(u->task_id, sizeof u->task_id, "%s", PQgetvalue(r, 0, 3));
    snprintf(u->station, sizeof u->station, "%s", PQgetvalue(r, 0, 4));
    PQclear(r);
    if (!queued)
        return refuse(db, err, ERR_CONFLICT, "status", "the arrival is no longer in the queue");
    return DB_ONE;
}

/* Sets the arrival's status and decides its task, then commits and reads it back. */
static enum db_result ua_finish(struct db *db, const char *internal_id, const struct ua_row *u,
                                const char *status, const char *rma_id, const char *line_id,
                                const char *reason, const char *task_patch,
                                const struct principal *actor, json_t **out, struct err *err)
{
    enum db_result k;
    const char *sp[5] = {u->id, status, rma_id, line_id, reason};
    PGresult *r = db_run(db, Q_RCV_UA_SET, sp, &k, err);

    if (r == NULL)
        return undo(db, k);
    int n = PQntuples(r);
    PQclear(r);
    if (n != 1)
        return refuse(db, err, ERR_CONFLICT, "status", "the arrival is no longer in the queue");
    const char *dp[5] = {u->task_id, status, reason, actor->name, task_patch};
    if ((k = exec(db, Q_RCV_TASK_DECIDE, dp, err)) != DB_ONE)
        return undo(db, k);
    if ((k = db_commit(db, err)) != DB_ONE)
        return k;
    return db_unexpected_get(db, internal_id, out, err);
}

enum db_result db_unexpected_match(struct db *db, const char *internal_id, const char *rma_number,
                                   int line_no, const struct principal *actor, json_t **out,
                                   struct err *err)
{
    struct ua_row u;
    struct line_ref l;
    struct dock_receipt dr = {0};
    enum db_result k = db_begin(db, err);

    if (k != DB_ONE)
        return k;
    if ((k = ua_lock(db, internal_id, &u, err)) != DB_ONE ||
        (k = rma_share(db, rma_number, err)) != DB_ONE ||
        (k = open_line(db, rma_number, line_no, &l, err)) != DB_ONE)
        return k;
    char lid[24];
    snprintf(lid, sizeof lid, "%lld", (long long)l.line_id);
    const char *pp[1] = {lid};
    PGresult *r = db_run(db, Q_RCV_PARCEL_OF_LINE, pp, &k, err);
    if (r == NULL)
        return undo(db, k);
    if (PQntuples(r) == 0 || strcmp(PQgetvalue(r, 0, 5), "t") == 0) {
        bool none = PQntuples(r) == 0;
        PQclear(r);
        return refuse(db, err, ERR_CONFLICT, "line",
                      none ? "this line has no parcel to receive" :
                             "the parcel of this line was already received");
    }
    int64_t parcel_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    k = receive_parcel(db, parcel_id, u.station, internal_id, u.has_serial ? u.serial : NULL, actor,
                       &dr, err);
    if (k != DB_ONE)
        return undo(db, k);
    if (strcmp(dr.outcome, "duplicate") == 0)
        return refuse(db, err, ERR_CONFLICT, "line",
                      "the parcel of this line was already received");
    if (strcmp(dr.outcome, "not_expected") == 0)
        return refuse(db, err, ERR_CONFLICT, "rma_number", "the rma is closed");
    char rid[24];
    snprintf(rid, sizeof rid, "%lld", (long long)l.rma_id);
    char *patch = dump(json_pack("{s:s, s:i, s:s}", "rma_number", l.rma_number, "line_no",
                                 l.line_no, "receive", dr.outcome));
    k = ua_finish(db, internal_id, &u, "matched", rid, lid, NULL, patch, actor, out, err);
    free(patch);
    if (k == DB_ONE) {
        json_object_set_new(*out, "receive", json_string(dr.outcome));
        if (dr.task_id > 0)
            json_object_set_new(*out, "mismatch_task_id", json_integer(dr.task_id));
    }
    return k;
}

enum db_result db_unexpected_close(struct db *db, const char *internal_id, const char *status,
                                   const char *reason, const struct principal *actor, json_t **out,
                                   struct err *err)
{
    struct ua_row u;
    enum db_result k = db_begin(db, err);

    if (k != DB_ONE)
        return k;
    if ((k = ua_lock(db, internal_id, &u, err)) != DB_ONE)
        return k;
    return ua_finish(db, internal_id, &u, status, NULL, NULL, reason, NULL, actor, out, err);
}

enum db_result db_unexpected_label(struct db *db, const char *internal_id, struct arena *a,
                                   const char **station, const char **serial, struct err *err)
{
    enum db_result k;
    const char *p[1] = {internal_id};
    PGresult *r = db_run(db, Q_RCV_UA_LABEL, p, &k, err);

    if (r == NULL)
        return k;
    if (PQntuples(r) != 1) {
        PQclear(r);
        err_set(err, ERR_NOT_FOUND, "internal_id", "no such unexpected arrival");
        return DB_NONE;
    }
    *station = db_field(a, r, 0, 0);
    *serial = db_field(a, r, 0, 1);
    PQclear(r);
    return DB_ONE;
}

/* ---- receipts of whole-number parts --------------------------------------------------------- */

enum db_result db_line_receipt(struct db *db, const char *rma_number, int line_no, int64_t quantity,
                               const char *station, const char *reason, const char *expected_state,
                               const struct principal *actor, json_t **out, struct err *err)
{
    struct line_ref l;
    struct receive_result rr;
    const char *to = NULL;
    enum db_result k = db_begin(db, err);

    if (k != DB_ONE)
        return k;
    if ((k = rma_share(db, rma_number, err)) != DB_ONE ||
        (k = open_line(db, rma_number, line_no, &l, err)) != DB_ONE)
        return k;
    if (l.serialised)
        return refuse(db, err, ERR_INVALID, "line",
                      "a serialised unit is received by its dock scan, not counted");
    /* over-receipts are capped: at most RECEIPT_OVER_FACTOR times the quantity authorized and
     * RECEIPT_TOTAL_MAX in all, so the total always fits */
    int64_t cap = l.quantity < RECEIPT_TOTAL_MAX / RECEIPT_OVER_FACTOR ?
                      l.quantity * RECEIPT_OVER_FACTOR :
                      RECEIPT_TOTAL_MAX;
    if (quantity > cap - l.received_quantity) {
        err_set(err, ERR_INVALID, "quantity",
                "would make %lld received; at most %lld may be received on this line",
                (long long)(l.received_quantity + quantity), (long long)cap);
        db_rollback(db);
        return DB_FAIL;
    }
    if (l.inbound[0] == '\0')
        return refuse(db, err, ERR_CONFLICT, "line", "this line has nothing to send back");
    if (depot_receive(l.quantity, l.received_quantity, quantity, reason != NULL, &rr, err) != 0) {
        db_rollback(db);
        return DB_FAIL;
    }
    char *ev =
        dump(json_pack("{s:I, s:I, s:I, s:I, s:s}", "quantity", (json_int_t)quantity, "received",
                       (json_int_t)rr.total, "still_expected", (json_int_t)rr.still_expected,
                       "over", (json_int_t)rr.over, "station", station));
    bool complete_before =
        strcmp(l.inbound, "label_issued") != 0 && strcmp(l.inbound, "in_transit") != 0 &&
        strcmp(l.inbound, "overdue") != 0 && strcmp(l.inbound, "partially_received") != 0 &&
        strcmp(l.inbound, "lost") != 0;
    if (complete_before) {
        /* more than authorized after the line was complete: an exception, not a leg move */
        if (expected_state != NULL && strcmp(expected_state, l.inbound) != 0)
            k = (err_set(err, ERR_CONFLICT, "expected_state", "the inbound leg is %s, not %s",
                         l.inbound, expected_state),
                 DB_FAIL);
        else
            k = line_event(db, &l, "inbound", "over_receipt", l.inbound, l.inbound, actor, reason,
                           ev, err);
    } else {
        enum leg_event e =
            strcmp(rr.state, "received") == 0 ? LEG_EV_RECEIVE : LEG_EV_PARTIAL_RECEIVE;
        k = db_leg_move(db, &l, LEG_INBOUND, e, expected_state, actor, "receipt", reason, ev, &to,
                        err);
    }
    free(ev);
    char lid[24];
    char rid[24];
    char total[24];
    char qty[24];
    snprintf(lid, sizeof lid, "%lld", (long long)l.line_id);
    snprintf(rid, sizeof rid, "%lld", (long long)l.rma_id);
    snprintf(total, sizeof total, "%lld", (long long)rr.total);
    snprintf(qty, sizeof qty, "%lld", (long long)quantity);
    const char *qp[2] = {lid, total};
    const char *rp[7] = {rid, lid, qty, reason, station, actor->name, NULL};
    if (k == DB_ONE)
        k = exec(db, Q_RCV_LINE_QTY, qp, err);
    if (k == DB_ONE)
        k = exec(db, Q_RCV_RECEIPT_INSERT, rp, err);
    const char *pp[2] = {lid, station};
    if (k == DB_ONE && !complete_before && strcmp(rr.state, "received") == 0 &&
        (k = exec(db, Q_RCV_PARCELS_COUNTED, pp, err)) == DB_ONE)
        k = core_back(db, l.rma_number, l.line_no, actor, err);
    if (k != DB_ONE)
        return undo(db, k);
    if ((k = db_commit(db, err)) != DB_ONE)
        return k;
    *out =
        json_pack("{s:s, s:i, s:I, s:I, s:I, s:I, s:I, s:s}", "rma_number", l.rma_number, "line_no",
                  l.line_no, "quantity", (json_int_t)quantity, "expected", (json_int_t)l.quantity,
                  "received_quantity", (json_int_t)rr.total, "still_expected",
                  (json_int_t)rr.still_expected, "over", (json_int_t)rr.over, "inbound", l.inbound);
    if (reason != NULL)
        json_object_set_new(*out, "over_receipt_reason", json_string(reason));
    return DB_ONE;
}

/* ---- inspection and disposition ------------------------------------------------------------- */

/* Whether the line's spare (or the unit itself) already went to the customer. */
static bool spare_gone(const struct line_ref *l, const char *spare_status)
{
    static const char *const out_states[] = {
        "packed", "manifested", "shipped", "delivered", "delivery_exception", "returned_to_sender"};

    if (l->type == RMA_TYPE_ADVANCE_REPLACEMENT || l->type == RMA_TYPE_REPLACEMENT_NO_RETURN ||
        strcmp(spare_status, "shipped") == 0)
        return true;
    for (size_t i = 0; i < sizeof out_states / sizeof out_states[0]; i++)
        if (strcmp(l->outbound, out_states[i]) == 0)
            return true;
    return false;
}

/* Misuse found: the RMA is chargeable; a charge if the spare went out, else a quote.  Adds
 * "charge" or "quote_id" to res. */
static enum db_result misuse_found(struct db *db, const struct line_ref *l, const char *findings,
                                   const struct principal *actor, json_t *res, struct err *err)
{
    enum db_result k;
    char rid[24];
    char lid[24];
    char tid[24];
    char amount[24];

    snprintf(rid, sizeof rid, "%lld", (long long)l->rma_id);
    snprintf(lid, sizeof lid, "%lld", (long long)l->line_id);
    snprintf(tid, sizeof tid, "%lld", (long long)actor->token_id);
    const char *p1[1] = {rid};
    if ((k = exec(db, Q_RCV_RMA_CHARGEABLE, p1, err)) != DB_ONE)
        return k;
    const char *p2[1] = {lid};
    PGresult *r = db_run(db, Q_RCV_PRICE, p2, &k, err);
    if (r == NULL)
        return k;
    long long repair = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    long long part = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
    char currency[8];
    char model[128];
    char spare[16];
    snprintf(currency, sizeof currency, "%s", PQgetvalue(r, 0, 2));
    snprintf(model, sizeof model, "%s", PQgetvalue(r, 0, 3));
    snprintf(spare, sizeof spare, "%s", PQgetvalue(r, 0, 4));
    PQclear(r);
    bool spare_type = l->type == RMA_TYPE_ADVANCE_REPLACEMENT || l->type == RMA_TYPE_EXCHANGE ||
                      l->type == RMA_TYPE_REPLACEMENT_NO_RETURN;
    long long price = spare_type ? (part > 0 ? part : repair) : (repair > 0 ? repair : part);
    snprintf(amount, sizeof amount, "%lld", price);
    char reason[600];
    snprintf(reason, sizeof reason, "misuse found at inspection (%s)", findings);

    if (spare_gone(l, spare)) {
        /* area A's charge: one 'charge_raised' event of its own */
        if ((k = db_charge_add(db, l->rma_id, l->line_id, "misuse", price, currency, reason, actor,
                               err)) != DB_ONE)
            return k;
        json_object_set_new(res, "charge",
                            json_pack("{s:s, s:I, s:s}", "kind", "misuse", "amount_cents",
                                      (json_int_t)price, "currency", currency));
        return DB_ONE;
    }
    const char *qp[5] = {rid, reason, currency, amount, tid};
    if ((r = db_run(db, Q_RCV_QUOTE_INSERT, qp, &k, err)) == NULL)
        return k;
    char qid[24];
    bool added = PQntuples(r) == 0;
    snprintf(qid, sizeof qid, "%s", added ? "" : PQgetvalue(r, 0, 0));
    PQclear(r);
    if (added) {
        /* an offer is already out for this RMA: the line joins it */
        if ((r = db_run(db, Q_RCV_QUOTE_OFFERED, p1, &k, err)) == NULL)
            return k;
        if (PQntuples(r) != 1) {
            PQclear(r);
            err_set(err, ERR_CONFLICT, "quote", "the quote of this rma changed meanwhile");
            return DB_FAIL;
        }
        snprintf(qid, sizeof qid, "%s", PQgetvalue(r, 0, 0));
        PQclear(r);
        const char *ap[2] = {qid, amount};
        if ((k = exec(db, Q_RCV_QUOTE_ADD, ap, err)) != DB_ONE)
            return k;
    }
    char desc[800];
    snprintf(desc, sizeof desc, "%s %s: %s", spare_type ? "replacement of" : "repair of", model,
             reason);
    const char *lp[4] = {qid, lid, desc, amount};
    if ((k = exec(db, Q_RCV_QUOTE_LINE_INSERT, lp, err)) != DB_ONE)
        return k;
    json_object_set_new(res, "quote_id", json_integer(strtoll(qid, NULL, 10)));
    return DB_ONE;
}

/* The serial read at inspection is not the one expected: hold and a task (one event). */
static enum db_result inspect_mismatch(struct db *db, struct line_ref *l,
                                       const struct inspection_in *in, const char *expected,
                                       const struct principal *actor, json_t **out, struct err *err)
{
    enum db_result k;
    const char *to = NULL;
    char rid[24];
    char lid[24];
    char *ev = dump(json_pack("{s:s, s:s, s:s}", "expected", expected, "scanned", in->serial, "at",
                              "inspection"));

    k = db_leg_move(db, l, LEG_INBOUND, LEG_EV_HOLD, in->expected_state, actor, "api",
                    "serial mismatch", ev, &to, err);
    snprintf(rid, sizeof rid, "%lld", (long long)l->rma_id);
    snprintf(lid, sizeof lid, "%lld", (long long)l->line_id);
    const char *tp[4] = {"serial_mismatch", rid, lid, ev};
    PGresult *r = k == DB_ONE ? db_run(db, Q_RCV_TASK_INSERT, tp, &k, err) : NULL;
    free(ev);
    if (r == NULL)
        return undo(db, k);
    int64_t task = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    if ((k = db_commit(db, err)) != DB_ONE)
        return k;
    *out = json_pack("{s:s, s:s, s:i, s:s, s:I, s:s, s:s}", "outcome", "serial_mismatch",
                     "rma_number", l->rma_number, "line_no", l->line_no, "inbound", l->inbound,
                     "task_id", (json_int_t)task, "expected", expected, "scanned", in->serial);
    return DB_ONE;
}

enum db_result db_line_inspect(struct db *db, const char *rma_number, int line_no,
                               const struct inspection_in *in, const struct principal *actor,
                               json_t **out, struct err *err)
{
    struct line_ref l;
    const char *to = NULL;
    bool unblocked = false;
    enum db_result k = db_begin(db, err);

    if (k != DB_ONE)
        return k;
    if ((k = open_line(db, rma_number, line_no, &l, err)) != DB_ONE)
        return k;
    char lid[24];
    snprintf(lid, sizeof lid, "%lld", (long long)l.line_id);
    if (in->serial != NULL && l.serialised) {
        /* compared with the unit that came in: an accepted mismatch is no mismatch any more */
        char came_in[72];
        const char *sp[2] = {lid, in->serial};
        PGresult *r = db_run(db, Q_RCV_LINE_SERIAL, sp, &k, err);
        if (r == NULL)
            return undo(db, k);
        snprintf(came_in, sizeof came_in, "%s", PQgetvalue(r, 0, 0));
        PQclear(r);
        if (strcasecmp(in->serial, came_in) != 0)
            return inspect_mismatch(db, &l, in, came_in, actor, out, err);
        if ((k = exec(db, Q_RCV_SET_SERIAL, sp, err)) != DB_ONE)
            return undo(db, k);
    }

    /* findings as a text[] literal: core's codes are lower-case letters and '_' only */
    char arr[512] = "{";
    json_t *list = json_array();
    for (size_t i = 0; i < in->n_findings; i++) {
        strncat(arr, in->findings[i], sizeof arr - strlen(arr) - 2);
        if (i + 1 < in->n_findings)
            strncat(arr, ",", sizeof arr - strlen(arr) - 2);
        json_array_append_new(list, json_string(in->findings[i]));
    }
    strcat(arr, "}");
    char *ev = dump(
        json_pack("{s:s, s:O, s:b}", "grade", in->grade, "findings", list, "misuse", in->misuse));
    k = db_leg_move(db, &l, LEG_INBOUND, LEG_EV_INSPECT, in->expected_state, actor, "api", NULL, ev,
                    &to, err);
    free(ev);
    const char *ip[7] = {lid,       in->grade,  arr, in->misuse ? "t" : "f", in->evidence_json,
                         in->notes, actor->name};
    const char *gp[3] = {lid, in->grade, in->misuse ? "t" : "f"};
    if (k == DB_ONE)
        k = exec(db, Q_RCV_INSPECTION_INSERT, ip, err);
    if (k == DB_ONE)
        k = exec(db, Q_RCV_LINE_GRADE, gp, err);
    json_t *res =
        json_pack("{s:s, s:s, s:i, s:s, s:o, s:b, s:b}", "outcome", "inspected", "rma_number",
                  l.rma_number, "line_no", l.line_no, "grade", in->grade, "findings", list,
                  "misuse", in->misuse, "chargeable", in->misuse || l.chargeable);
    l.misuse = in->misuse;
    if (k == DB_ONE && in->misuse) {
        /* the quote or charge names only the findings that are misuse */
        char joined[512] = "";
        for (size_t i = 0; i < in->n_findings; i++) {
            enum finding f;
            struct err ferr = {0};
            if (depot_finding_parse(in->findings[i], "findings", &f, &ferr) != 0 ||
                !depot_finding_is_misuse(f))
                continue;
            if (joined[0] != '\0')
                strncat(joined, ",", sizeof joined - strlen(joined) - 1);
            strncat(joined, in->findings[i], sizeof joined - strlen(joined) - 1);
        }
        k = misuse_found(db, &l, joined, actor, res, err);
    }
    if (k == DB_ONE)
        k = db_outbound_unblock(db, &l, actor, &unblocked, err);
    if (k != DB_ONE) {
        json_decref(res);
        return undo(db, k);
    }
    if ((k = db_commit(db, err)) != DB_ONE) {
        json_decref(res);
        return k;
    }
    json_object_set_new(res, "inbound", json_string(l.inbound));
    json_object_set_new(res, "outbound", l.outbound[0] ? json_string(l.outbound) : json_null());
    json_object_set_new(res, "outbound_unblocked", json_boolean(unblocked));
    *out = res;
    return DB_ONE;
}

enum db_result db_line_disposition(struct db *db, const char *rma_number, int line_no,
                                   const char *disposition, const char *expected_state,
                                   const struct principal *actor, json_t **out, struct err *err)
{
    struct line_ref l;
    const char *to = NULL;
    bool unblocked = false;
    bool queued = false;
    char lid[24];
    enum db_result k = db_begin(db, err);

    if (k != DB_ONE)
        return k;
    if ((k = open_line(db, rma_number, line_no, &l, err)) != DB_ONE)
        return k;
    snprintf(lid, sizeof lid, "%lld", (long long)l.line_id);
    bool repair = strcmp(disposition, "repair") == 0 && strcmp(l.repair, "pending") == 0;
    /* misuse: the RMA's latest quote, offered after the line's last inspection, is accepted */
    if (repair && l.misuse && !l.quote_accepted)
        return refuse(db, err, ERR_CONFLICT, "disposition",
                      "misuse was found: the customer must accept the quote before repair");
    char *ev = dump(json_pack("{s:s}", "disposition", disposition));
    k = db_leg_move(db, &l, LEG_INBOUND, LEG_EV_DISPOSITION, expected_state, actor, "api", NULL, ev,
                    &to, err);
    free(ev);
    const char *dp[2] = {lid, disposition};
    if (k == DB_ONE)
        k = exec(db, Q_RCV_DISPOSITION, dp, err);
    if (k == DB_ONE && repair) {
        k = db_leg_move(db, &l, LEG_REPAIR, LEG_EV_QUEUE, "pending", actor, "api", NULL, NULL, &to,
                        err);
        queued = k == DB_ONE;
    }
    if (k == DB_ONE)
        k = db_outbound_unblock(db, &l, actor, &unblocked, err);
    /* rule 2: the spare was delivered before the core came back (advance replacement,
     * exchange): dispositioning the core finishes the line, as a delivery does in db_repair.c */
    if (k == DB_ONE && (l.outbound[0] == '\0' || strcmp(l.outbound, "delivered") == 0))
        k = exec(db, Q_RPR_LINE_DONE, dp, err);
    if (k != DB_ONE)
        return undo(db, k);
    if ((k = db_commit(db, err)) != DB_ONE)
        return k;
    *out = json_pack("{s:s, s:i, s:s, s:s, s:b, s:b}", "rma_number", l.rma_number, "line_no",
                     l.line_no, "disposition", disposition, "inbound", l.inbound, "repair_queued",
                     queued, "outbound_unblocked", unblocked);
    json_object_set_new(*out, "repair", l.repair[0] ? json_string(l.repair) : json_null());
    json_object_set_new(*out, "outbound", l.outbound[0] ? json_string(l.outbound) : json_null());
    return DB_ONE;
}
