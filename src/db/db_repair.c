/*
 * db_repair: repair work orders and the outbound leg (issue 4, area C).
 *
 *   repair move   one event on the repair leg (db_leg_move), only once the unit was
 *                 dispositioned for repair (the disposition queues the leg); parts consumed
 *                 (repair_part), a swap old -> new serial with the warranty end carried over
 *                 (rule 7), the serial that goes back (rma_line.outbound_serial), then the
 *                 outbound unblock
 *   swap          the new serial must be one the depot may hand out: not held by an open line
 *                 (rule 2), not a customer's unit in the install base; an available depot spare
 *                 of the line's model is consumed, an unknown serial is a new unit from stock
 *   pack scan     outbound ready -> packed: the serial going out must be the one expected (the
 *                 serial that came in, coalesce(received_serial, serial_number), or its swap for
 *                 repairs; the reserved spare otherwise); an outbound parcel n of m, ready for
 *                 the carrier's manifest
 *   shipment      packed | manifested -> shipped -> delivered (and the exceptions); on ship the
 *                 spare leaves the stock; a tracking number never changes once stored; delivered
 *                 with the inbound leg absent or dispositioned, the line is done (open = false,
 *                 rule 2: its serial may get a new RMA)
 *
 * Every function here is one transaction: db_begin ... db_commit, rolled back on every failure,
 * so a refused request writes nothing.  The line row is locked first (db_line_ref), which makes
 * racing requests on one line run one after the other (rule 4).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/log.h"
#include "db_int.h"

static enum db_result refuse(struct db *db, struct err *err, enum err_kind k, const char *field,
                             const char *msg)
{
    db_rollback(db);
    err_set(err, k, field, "%s", msg);
    return DB_FAIL;
}

static json_t *load_json(const PGresult *r, struct err *err)
{
    json_error_t jerr;
    json_t *j = json_loads(PQgetvalue(r, 0, 0), 0, &jerr);
    if (j == NULL) {
        log_warnx("repair view is not json: %s", jerr.text);
        err_set(err, ERR_INTERNAL, NULL, "cannot read the work order");
    }
    return j;
}

/*
 * Locks the line, then reads it with its legs.  Under READ COMMITTED a statement sees what was
 * committed when it started: taking the lock in a statement of its own makes db_line_ref (the
 * next statement) see the legs as the previous holder of the lock left them, so that racing
 * requests find the move already made (a duplicate or a 409 naming the leg) and never act on a
 * stale state.
 */
static enum db_result lock_line(struct db *db, const char *rma_number, int line_no,
                                struct line_ref *l, struct err *err)
{
    enum db_result kind;
    char no[16];

    snprintf(no, sizeof no, "%d", line_no);
    const char *p[2] = {rma_number, no};
    PGresult *r = db_run(db, Q_RPR_LINE_LOCK, p, &kind, err);
    if (r == NULL)
        return kind;
    PQclear(r);
    return db_line_ref(db, rma_number, line_no, l, err);
}

static bool is_spare_type(enum rma_type t)
{
    switch (t) {
    case RMA_TYPE_ADVANCE_REPLACEMENT:
    case RMA_TYPE_EXCHANGE:
    case RMA_TYPE_REPLACEMENT_NO_RETURN:
        return true;
    case RMA_TYPE_REPAIR:
    case RMA_TYPE_FACTORY:
        return false;
    }
    return false;
}

/* The RMA must be authorized and open for any depot step. */
static int line_open(const struct line_ref *l, struct err *err)
{
    if (!l->authorized)
        return err_set(err, ERR_CONFLICT, "rma_number", "the rma is not authorized");
    if (l->closed)
        return err_set(err, ERR_CONFLICT, "rma_number", "the rma is closed");
    return 0;
}

/* True when the repair leg has finished and the unit (or its swap) goes back. */
static bool repair_finished(const char *state)
{
    return strcmp(state, "repaired") == 0 || strcmp(state, "unrepairable") == 0 ||
           strcmp(state, "no_fault_found") == 0 || strcmp(state, "factory_replaced") == 0;
}

/* The line's disposition ("" when none) and the serial that came in ("" for a part). */
static enum db_result line_more(struct db *db, const char *line_id, char *disposition, size_t dn,
                                char *came_in, size_t cn, struct err *err)
{
    enum db_result kind;
    const char *p[1] = {line_id};
    PGresult *r = db_run(db, Q_RPR_LINE_MORE, p, &kind, err);

    if (r == NULL)
        return kind;
    if (PQntuples(r) != 1) {
        PQclear(r);
        err_set(err, ERR_NOT_FOUND, "line", "no such rma line");
        return DB_NONE;
    }
    snprintf(disposition, dn, "%s", PQgetvalue(r, 0, 0));
    snprintf(came_in, cn, "%s", PQgetvalue(r, 0, 1));
    PQclear(r);
    return DB_ONE;
}

/*
 * May the depot hand out serial as the new unit of l's swap?  Locks the serial for the rest of
 * the transaction (racing swaps to one serial take turns), then: held by an open line (its
 * serial, the unit that came in, or what goes out: rule 2) or a customer's unit in the install
 * base: ERR_CONFLICT; a depot spare of another model: ERR_INVALID; a spare of the line's model
 * must be available (*from_spare: the caller consumes it); an unknown serial is a new unit from
 * stock.  All naming swap.new_serial.
 */
static enum db_result swap_source(struct db *db, const struct line_ref *l, const char *serial,
                                  bool *from_spare, struct err *err)
{
    enum db_result kind;
    const char *p[1] = {serial};
    PGresult *r = db_run(db, Q_RPR_SERIAL_LOCK, p, &kind, err);

    *from_spare = false;
    if (r == NULL)
        return kind;
    PQclear(r);
    if ((r = db_run(db, Q_RPR_SERIAL_USE, p, &kind, err)) == NULL)
        return kind;
    bool held = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    bool installed = strcmp(PQgetvalue(r, 0, 1), "t") == 0;
    bool spare = !PQgetisnull(r, 0, 2);
    bool same_model = spare && strcmp(PQgetvalue(r, 0, 2), l->product_model) == 0;
    bool available = spare && strcmp(PQgetvalue(r, 0, 3), "available") == 0;
    PQclear(r);
    if (held) {
        err_set(err, ERR_CONFLICT, "swap.new_serial", "%s is on an open rma", serial);
        return DB_FAIL;
    }
    if (spare && !same_model) {
        err_set(err, ERR_INVALID, "swap.new_serial", "%s is a spare of another product model",
                serial);
        return DB_FAIL;
    }
    if (spare && !available) {
        err_set(err, ERR_CONFLICT, "swap.new_serial", "the spare %s is not available", serial);
        return DB_FAIL;
    }
    if (!spare && installed) {
        err_set(err, ERR_CONFLICT, "swap.new_serial",
                "%s belongs to a customer (install base), not to the depot", serial);
        return DB_FAIL;
    }
    *from_spare = spare;
    return DB_ONE;
}

static char *evidence_text(const struct repair_request *rq, bool from_spare)
{
    json_t *ev = json_object();

    if (rq->n_parts > 0) {
        json_t *parts = json_array();
        for (size_t i = 0; i < rq->n_parts; i++)
            json_array_append_new(parts, json_pack("{s:s, s:s?, s:I}", "product_model",
                                                   rq->parts[i].product_model, "serial_number",
                                                   rq->parts[i].serial_number, "quantity",
                                                   (json_int_t)rq->parts[i].quantity));
        json_object_set_new(ev, "parts", parts);
    }
    if (rq->swap_new_serial != NULL)
        json_object_set_new(ev, "swap",
                            json_pack("{s:s, s:s, s:s}", "new_serial", rq->swap_new_serial,
                                      "reason", rq->swap_reason, "source",
                                      from_spare ? "spare" : "stock"));
    char *text = json_object_size(ev) > 0 ? json_dumps(ev, JSON_COMPACT) : NULL;
    json_decref(ev);
    return text;
}

enum db_result db_repair_move(struct db *db, const struct repair_request *rq,
                              const struct principal *actor, struct repair_result *out,
                              struct err *err)
{
    enum db_result kind;
    struct line_ref l;
    PGresult *r;
    char line_id[24];
    char disposition[32];
    char came_in[72];
    bool from_spare = false;

    memset(out, 0, sizeof *out);
    if ((kind = db_begin(db, err)) != DB_ONE)
        return kind;
    if ((kind = lock_line(db, rq->rma_number, rq->line_no, &l, err)) != DB_ONE)
        return db_tx_abort(db, kind);
    if (line_open(&l, err) != 0)
        return db_tx_abort(db, DB_FAIL);
    if (l.repair[0] == '\0')
        return refuse(db, err, ERR_CONFLICT, "repair",
                      "this line has no repair leg (its type is not repaired in the depot)");
    snprintf(line_id, sizeof line_id, "%lld", (long long)l.line_id);
    if ((kind = line_more(db, line_id, disposition, sizeof disposition, came_in, sizeof came_in,
                          err)) != DB_ONE)
        return db_tx_abort(db, kind);
    /* inspected (misuse settled by the disposition) and dispositioned for repair, which queued
     * the leg: no work order before that, none after scrap or return_unrepaired */
    if (strcmp(l.inbound, "dispositioned") != 0 || strcmp(disposition, "repair") != 0)
        return refuse(db, err, ERR_CONFLICT, "repair", "the unit is not dispositioned for repair");
    if (rq->swap_new_serial != NULL) {
        if (!l.serialised)
            return refuse(db, err, ERR_INVALID, "swap",
                          "a part without serial numbers cannot be swapped");
        if (strcmp(rq->swap_new_serial, came_in) == 0 ||
            strcmp(rq->swap_new_serial, l.serial_number) == 0)
            return refuse(db, err, ERR_INVALID, "swap.new_serial",
                          "must differ from the serial that came in");
        if ((kind = swap_source(db, &l, rq->swap_new_serial, &from_spare, err)) != DB_ONE)
            return db_tx_abort(db, kind);
    }

    /* parts: each model must be in the catalog (checked before anything is written) */
    for (size_t i = 0; i < rq->n_parts; i++) {
        const char *mp[1] = {rq->parts[i].product_model};
        if ((r = db_tx_run(db, Q_MODEL_GET, mp, &kind, err)) == NULL)
            return kind;
        int n = PQntuples(r);
        PQclear(r);
        if (n != 1) {
            char field[48];
            snprintf(field, sizeof field, "parts[%zu].product_model", i);
            return refuse(db, err, ERR_INVALID, field, "unknown product model");
        }
    }

    char *evidence = evidence_text(rq, from_spare);
    const char *to = NULL;
    snprintf(out->from, sizeof out->from, "%s", l.repair);
    kind = db_leg_move(db, &l, LEG_REPAIR, rq->ev, rq->expected_state, actor, "api", rq->notes,
                       evidence, &to, err);
    free(evidence);
    if (kind != DB_ONE)
        return db_tx_abort(db, kind);
    snprintf(out->to, sizeof out->to, "%s", to);

    for (size_t i = 0; i < rq->n_parts; i++) {
        char qty[24];
        snprintf(qty, sizeof qty, "%lld", (long long)rq->parts[i].quantity);
        const char *pp[5] = {line_id, rq->parts[i].product_model, rq->parts[i].serial_number, qty,
                             actor->name};
        if ((r = db_tx_run(db, Q_RPR_PART_INSERT, pp, &kind, err)) == NULL)
            return kind;
        PQclear(r);
    }

    const char *outbound_serial = l.serialised ? came_in : NULL;
    if (rq->swap_new_serial != NULL) {
        /* rule 7: the lineage old -> new, the warranty end carried over to the new serial */
        if (from_spare) {
            const char *cp[2] = {rq->swap_new_serial, line_id};
            if ((r = db_tx_run(db, Q_RPR_SPARE_CONSUME, cp, &kind, err)) == NULL)
                return kind;
            int n = PQntuples(r);
            PQclear(r);
            if (n != 1)
                return refuse(db, err, ERR_CONFLICT, "swap.new_serial",
                              "this spare is no longer available");
        }
        const char *sp[7] = {came_in,
                             l.serial_number,
                             line_id,
                             rq->swap_new_serial,
                             rq->swap_reason,
                             actor->name,
                             from_spare ? "spare" : "stock"};
        if ((r = db_tx_run(db, Q_RPR_SWAP_INSERT, sp, &kind, err)) == NULL)
            return kind;
        PQclear(r);
        const char *wp[4] = {came_in, l.serial_number, rq->swap_new_serial, l.product_model};
        if ((r = db_tx_run(db, Q_RPR_WARRANTY_CARRY, wp, &kind, err)) == NULL)
            return kind;
        PQclear(r);
        outbound_serial = rq->swap_new_serial;
    }
    if (repair_finished(to)) {
        const char *op[2] = {line_id, outbound_serial};
        if ((r = db_tx_run(db, Q_OUTBOUND_SERIAL, op, &kind, err)) == NULL)
            return kind;
        PQclear(r);
    }
    if ((kind = db_outbound_unblock(db, &l, actor, &out->outbound_unblocked, err)) != DB_ONE)
        return db_tx_abort(db, kind);
    snprintf(out->outbound, sizeof out->outbound, "%s", l.outbound);
    return db_commit(db, err);
}

enum db_result db_work_order(struct db *db, const char *rma_number, int line_no, json_t **out,
                             struct err *err)
{
    enum db_result kind;
    char no[16];

    snprintf(no, sizeof no, "%d", line_no);
    const char *p[2] = {rma_number, no};
    PGresult *r = db_run(db, Q_RPR_WORK_ORDER, p, &kind, err);
    if (r == NULL)
        return kind;
    if (PQntuples(r) != 1) {
        PQclear(r);
        err_set(err, ERR_NOT_FOUND, "line", "no such rma line");
        return DB_NONE;
    }
    *out = load_json(r, err);
    PQclear(r);
    return *out == NULL ? DB_FAIL : DB_ONE;
}

/* The answer for a shipment: the outbound parcel as JSON (new reference). */
static enum db_result shipment_view(struct db *db, const char *parcel_id, json_t **out,
                                    struct err *err)
{
    enum db_result kind;
    const char *p[1] = {parcel_id};
    PGresult *r = db_run(db, Q_RPR_SHIPMENT_VIEW, p, &kind, err);

    if (r == NULL)
        return kind;
    if (PQntuples(r) != 1) {
        PQclear(r);
        err_set(err, ERR_NOT_FOUND, "parcel", "no such shipment");
        return DB_NONE;
    }
    *out = load_json(r, err);
    PQclear(r);
    return *out == NULL ? DB_FAIL : DB_ONE;
}

/*
 * What must go out for this line: *serial (the serial, or "" for a part without serials, whose
 * quantity is checked instead).  A spare type with a serialised line needs its reserved spare;
 * a repair goes back as its swap, else as the serial that came in (rule 7): the one accepted
 * at the dock or inspection (received_serial) when it was read, else the line's own.
 */
static enum db_result expected_outbound(struct db *db, const struct line_ref *l,
                                        const char *line_id, char *serial, size_t n,
                                        struct err *err)
{
    enum db_result kind;
    PGresult *r;
    const char *p[1] = {line_id};

    serial[0] = '\0';
    if (is_spare_type(l->type)) {
        if ((r = db_run(db, Q_RPR_SPARE_GET, p, &kind, err)) == NULL)
            return kind;
        if (PQntuples(r) == 1) {
            snprintf(serial, n, "%s", PQgetvalue(r, 0, 0));
            PQclear(r);
            return DB_ONE;
        }
        PQclear(r);
        if (l->serialised) {
            err_set(err, ERR_CONFLICT, "serial", "no spare is reserved for this line");
            return DB_FAIL;
        }
        return DB_ONE;
    }
    if (!l->serialised)
        return DB_ONE;
    if ((r = db_run(db, Q_RPR_SWAP_GET, p, &kind, err)) == NULL)
        return kind;
    snprintf(serial, n, "%s",
             PQntuples(r) == 1 && !PQgetisnull(r, 0, 0) ? PQgetvalue(r, 0, 0) : l->serial_number);
    PQclear(r);
    return DB_ONE;
}

/* Copies column col of row 0 into dst[n] ("" for NULL). */
static void field(char *dst, size_t n, const PGresult *r, int col)
{
    snprintf(dst, n, "%s", PQgetisnull(r, 0, col) ? "" : PQgetvalue(r, 0, col));
}

enum db_result db_pack(struct db *db, const struct pack_request *pq, const struct principal *actor,
                       json_t **out, bool *duplicate, struct err *err)
{
    enum db_result kind;
    struct line_ref l;
    PGresult *r;
    char line_id[24];
    char rma_id[24];
    char carrier_id[24];
    char parcel_id[24];
    char expected[72];
    char qty[24];
    const char *to = NULL;

    *duplicate = false;
    *out = NULL;
    if ((kind = db_begin(db, err)) != DB_ONE)
        return kind;
    if ((kind = lock_line(db, pq->rma_number, pq->line_no, &l, err)) != DB_ONE)
        return db_tx_abort(db, kind);
    if (line_open(&l, err) != 0)
        return db_tx_abort(db, DB_FAIL);
    snprintf(line_id, sizeof line_id, "%lld", (long long)l.line_id);
    snprintf(rma_id, sizeof rma_id, "%lld", (long long)l.rma_id);

    const char *cp[1] = {pq->carrier};
    if ((r = db_tx_run(db, Q_RPR_CARRIER, cp, &kind, err)) == NULL)
        return kind;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return refuse(db, err, pq->carrier ? ERR_INVALID : ERR_CONFLICT, "carrier",
                      pq->carrier ? "unknown carrier" : "no carrier is configured");
    }
    field(carrier_id, sizeof carrier_id, r, 0);
    PQclear(r);

    /* the same unit scanned again at the pack station: one event (rule 5) */
    if (pq->expected_state == NULL && strcmp(l.outbound, "ready") != 0) {
        const char *pp[1] = {line_id};
        if ((r = db_tx_run(db, Q_RPR_PACKED_PARCEL, pp, &kind, err)) == NULL)
            return kind;
        bool same = false;
        if (PQntuples(r) == 1) {
            field(parcel_id, sizeof parcel_id, r, 0);
            if (!PQgetisnull(r, 0, 1))
                same = pq->serial != NULL && pq->quantity <= 1 &&
                       strcmp(PQgetvalue(r, 0, 1), pq->serial) == 0;
            else
                same = pq->serial == NULL && strtoll(PQgetvalue(r, 0, 2), NULL, 10) == pq->quantity;
        }
        PQclear(r);
        if (same) {
            if ((kind = shipment_view(db, parcel_id, out, err)) != DB_ONE)
                return db_tx_abort(db, kind);
            *duplicate = true;
            return db_commit(db, err);
        }
    }
    if (pq->expected_state != NULL && strcmp(pq->expected_state, l.outbound) != 0) {
        err_set(err, ERR_CONFLICT, "expected_state", "the outbound leg is %s, not %s",
                l.outbound[0] ? l.outbound : "missing", pq->expected_state);
        return db_tx_abort(db, DB_FAIL);
    }
    if (strcmp(l.outbound, "ready") != 0) {
        err_set(err, ERR_CONFLICT, "outbound", "the outbound leg is %s, not ready to pack",
                l.outbound[0] ? l.outbound : "missing");
        return db_tx_abort(db, DB_FAIL);
    }

    if ((kind = expected_outbound(db, &l, line_id, expected, sizeof expected, err)) != DB_ONE)
        return db_tx_abort(db, kind);
    bool by_serial = expected[0] != '\0';
    if (!by_serial && pq->serial != NULL)
        return refuse(db, err, ERR_INVALID, "serial",
                      "must not be given for a part without serial numbers: count its quantity");
    if (by_serial && pq->serial == NULL)
        return refuse(db, err, ERR_INVALID, "serial", "is required: scan the unit's serial");
    if (by_serial && pq->quantity > 1)
        return refuse(db, err, ERR_INVALID, "quantity", "a serialised unit has quantity 1");
    if (!by_serial && pq->quantity == 0)
        return refuse(db, err, ERR_INVALID, "quantity",
                      "is required for a part without serial numbers");
    /* rule 7: the serial going out is the one expected, nothing else */
    if (by_serial && strcmp(pq->serial, expected) != 0) {
        err_set(err, ERR_CONFLICT, "serial", "%s is not the unit that goes out on this line",
                pq->serial);
        return db_tx_abort(db, DB_FAIL);
    }
    if (!by_serial && pq->quantity != l.quantity) {
        err_set(err, ERR_CONFLICT, "quantity", "the line goes out with %lld, not %lld",
                (long long)l.quantity, (long long)pq->quantity);
        return db_tx_abort(db, DB_FAIL);
    }

    char *evidence = NULL;
    {
        json_t *ev = json_pack("{s:s, s:s?, s:I}", "station", pq->station, "serial",
                               by_serial ? pq->serial : NULL, "quantity",
                               (json_int_t)(by_serial ? 1 : pq->quantity));
        evidence = json_dumps(ev, JSON_COMPACT);
        json_decref(ev);
    }
    kind = db_leg_move(db, &l, LEG_OUTBOUND, LEG_EV_PACK, pq->expected_state, actor, "pack_scan",
                       NULL, evidence, &to, err);
    free(evidence);
    if (kind != DB_ONE)
        return db_tx_abort(db, kind);

    /* parcel numbers per RMA: racing packs of two lines of one RMA take turns */
    const char *lp[1] = {rma_id};
    if ((r = db_tx_run(db, Q_RPR_RMA_OUTBOUND_LOCK, lp, &kind, err)) == NULL)
        return kind;
    PQclear(r);
    snprintf(qty, sizeof qty, "%lld", (long long)(by_serial ? 1 : pq->quantity));
    const char *ip[6] = {rma_id, line_id,    carrier_id, by_serial ? pq->serial : NULL,
                         qty,    pq->station};
    if ((r = db_tx_run(db, Q_RPR_PARCEL_INSERT, ip, &kind, err)) == NULL)
        return kind;
    field(parcel_id, sizeof parcel_id, r, 0);
    PQclear(r);
    if (by_serial) {
        const char *op[2] = {line_id, pq->serial};
        if ((r = db_tx_run(db, Q_OUTBOUND_SERIAL, op, &kind, err)) == NULL)
            return kind;
        PQclear(r);
    }
    if ((kind = shipment_view(db, parcel_id, out, err)) != DB_ONE)
        return db_tx_abort(db, kind);
    kind = db_commit(db, err);
    if (kind != DB_ONE) {
        json_decref(*out);
        *out = NULL;
    }
    return kind;
}

enum db_result db_shipment_event(struct db *db, const struct shipment_event_request *sq,
                                 const struct principal *actor, json_t **out, bool *duplicate,
                                 struct err *err)
{
    enum db_result kind;
    struct line_ref l;
    PGresult *r;
    char no[16];

    *duplicate = false;
    if ((kind = db_begin(db, err)) != DB_ONE)
        return kind;
    snprintf(no, sizeof no, "%d", sq->parcel_no);
    const char *gp[2] = {sq->rma_number, no};
    if ((r = db_tx_run(db, Q_RPR_SHIPMENT_GET, gp, &kind, err)) == NULL)
        return kind;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return refuse(db, err, ERR_NOT_FOUND, "parcel", "no such shipment");
    }
    char parcel_id[24];
    snprintf(parcel_id, sizeof parcel_id, "%s", PQgetvalue(r, 0, 0));
    int line_no = atoi(PQgetvalue(r, 0, 1));
    int64_t carrier_id = PQgetisnull(r, 0, 2) ? 0 : strtoll(PQgetvalue(r, 0, 2), NULL, 10);
    PQclear(r);
    /* another carrier's shipment does not exist for a carrier, as on every read of it */
    if (actor->role == ROLE_CARRIER && actor->carrier_id != carrier_id)
        return refuse(db, err, ERR_NOT_FOUND, "parcel", "no such shipment");

    if ((kind = lock_line(db, sq->rma_number, line_no, &l, err)) != DB_ONE)
        return db_tx_abort(db, kind);
    if (l.closed)
        return refuse(db, err, ERR_CONFLICT, "rma_number", "the rma is closed");

    /* a parcel has one tracking number: another one is a conflict, never silently dropped (read
     * under the line lock, so racing ships see the number the first one stored) */
    bool tracked = false;
    if (sq->tracking_number != NULL) {
        const char *tp[1] = {parcel_id};
        if ((r = db_tx_run(db, Q_RPR_PARCEL_TRACKING, tp, &kind, err)) == NULL)
            return kind;
        tracked = PQntuples(r) == 1 && !PQgetisnull(r, 0, 0);
        bool other = tracked && strcmp(PQgetvalue(r, 0, 0), sq->tracking_number) != 0;
        PQclear(r);
        if (other)
            return refuse(db, err, ERR_CONFLICT, "tracking_number",
                          "the parcel already has another tracking number");
    }

    const char *to = NULL;
    /* the same carrier event again: one event (rule 5) */
    if (sq->expected_state == NULL) {
        const char *srcs[8];
        size_t n = leg_sources(LEG_OUTBOUND, sq->ev, srcs, 8);
        for (size_t i = 0; i < n; i++) {
            const char *t = NULL;
            struct err ignored = {0};
            if (leg_next(LEG_OUTBOUND, srcs[i], sq->ev, &t, &ignored) == 0 &&
                strcmp(t, l.outbound) == 0 && strcmp(srcs[i], l.outbound) != 0) {
                *duplicate = true;
                break;
            }
        }
        if (*duplicate) {
            /* shipped without a number, the number given now: recorded, not dropped */
            if (sq->tracking_number != NULL && !tracked) {
                const char *tp[2] = {parcel_id, sq->tracking_number};
                if ((r = db_tx_run(db, Q_RPR_PARCEL_TRACKING_SET, tp, &kind, err)) == NULL)
                    return kind;
                PQclear(r);
            }
            if ((kind = shipment_view(db, parcel_id, out, err)) != DB_ONE)
                return db_tx_abort(db, kind);
            return db_commit(db, err);
        }
    }

    char *evidence = NULL;
    if (sq->tracking_number != NULL) {
        json_t *ev = json_pack("{s:s}", "tracking_number", sq->tracking_number);
        evidence = json_dumps(ev, JSON_COMPACT);
        json_decref(ev);
    }
    kind = db_leg_move(db, &l, LEG_OUTBOUND, sq->ev, sq->expected_state, actor,
                       actor->role == ROLE_CARRIER ? "carrier" : "api", NULL, evidence, &to, err);
    free(evidence);
    if (kind != DB_ONE)
        return db_tx_abort(db, kind);

    const char *sp[3] = {parcel_id, to, sq->tracking_number};
    if ((r = db_tx_run(db, Q_RPR_PARCEL_SET, sp, &kind, err)) == NULL)
        return kind;
    PQclear(r);
    /* delivered, and the unit that came in (if any) has been dealt with: the line is done */
    if (strcmp(to, "delivered") == 0 &&
        (l.inbound[0] == '\0' || strcmp(l.inbound, "dispositioned") == 0)) {
        char line_id[24];
        snprintf(line_id, sizeof line_id, "%lld", (long long)l.line_id);
        const char *dp[1] = {line_id};
        if ((r = db_tx_run(db, Q_RPR_LINE_DONE, dp, &kind, err)) == NULL)
            return kind;
        PQclear(r);
    }

    if (sq->ev == LEG_EV_SHIP && is_spare_type(l.type)) {
        /* the spare leaves the stock */
        char line_id[24];
        snprintf(line_id, sizeof line_id, "%lld", (long long)l.line_id);
        const char *up[1] = {line_id};
        if ((r = db_tx_run(db, Q_RPR_SPARE_SHIP, up, &kind, err)) == NULL)
            return kind;
        int n = PQntuples(r);
        PQclear(r);
        if (n == 0 && l.serialised)
            return refuse(db, err, ERR_CONFLICT, "parcel", "the line's spare is not reserved");
        if (n == 0) {
            char qty[24];
            snprintf(qty, sizeof qty, "%lld", (long long)l.quantity);
            const char *bp[2] = {l.product_model, qty};
            if ((r = db_tx_run(db, Q_RPR_BIN_SHIP, bp, &kind, err)) == NULL)
                return kind;
            n = PQntuples(r);
            PQclear(r);
            if (n == 0)
                return refuse(db, err, ERR_CONFLICT, "parcel",
                              "not enough reserved stock of this part to ship");
        }
    }
    if ((kind = shipment_view(db, parcel_id, out, err)) != DB_ONE)
        return db_tx_abort(db, kind);
    kind = db_commit(db, err);
    if (kind != DB_ONE) {
        json_decref(*out);
        *out = NULL;
    }
    return kind;
}
