/*
 * db_money: authorization and money of the depot (issue 4).
 *
 *   authorize   every line gets its legs (core: rma_type_has_leg, leg_initial_state), the
 *               spare it sends (serialised: a spare_unit reserved for the line, SKIP LOCKED;
 *               otherwise spare_bin.reserved), the core's due date (advance replacement) and
 *               its inbound parcel, all in the caller's transaction
 *   quote       offered -> accepted (the RMA is authorized, chargeable, one open charge)
 *                       -> declined (the RMA is closed with the reason)
 *                       -> expired  (after expires_on; the job closes the RMA)
 *               a quote offered at inspection (misuse, the RMA already authorized): accepted
 *               -> one open charge and the outbound legs of its lines unblock when they may;
 *               declined -> the RMA stays open (the unit goes back: "return_unrepaired")
 *   close       gives back the spares whose outbound leg is still blocked or ready; a packed
 *               spare stays reserved to its line (the box is there); cancel after pack: 409
 *   charge      open -> settled (reference) | waived (reason); an open charge keeps the RMA
 *               from completing ("awaiting_settlement")
 *   core        once the spare has shipped: due_soon reminder, then overdue (leg move,
 *               reminder, charge of the spare's price); a late core earns back
 *               depot_late_credit_percent() of that charge
 *
 * Every change writes exactly one event row (rule 8); every request is one transaction here,
 * rolled back on every failure, except the functions documented as running inside the
 * caller's transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/depot.h"
#include "db_int.h"

static void i64s(char *buf, size_t n, int64_t v)
{
    snprintf(buf, n, "%lld", (long long)v);
}

/* One event of the RMA (line_id 0: the RMA as a whole). */
static enum db_result money_event(struct db *db, int64_t rma_id, int64_t line_id, const char *kind,
                                  const char *from, const char *to, const struct principal *actor,
                                  const char *reason, const char *evidence, struct err *err)
{
    enum db_result res;
    char rid[24];
    char lid[24];
    char tid[24];

    i64s(rid, sizeof rid, rma_id);
    i64s(lid, sizeof lid, line_id);
    i64s(tid, sizeof tid, actor->token_id);
    const char *p[9] = {rid,     line_id ? lid : NULL, kind, from, to, actor->name, tid, reason,
                        evidence};
    PGresult *r = db_run(db, Q_MONEY_EVENT, p, &res, err);
    if (r == NULL)
        return res;
    PQclear(r);
    return DB_ONE;
}

/* Rolls back and returns kind (err already set). */
static enum db_result undo(struct db *db, enum db_result kind)
{
    db_rollback(db);
    return kind;
}

static enum db_result undo_err(struct db *db, struct err *err, enum err_kind k, const char *field,
                               const char *msg)
{
    db_rollback(db);
    err_set(err, k, field, "%s", msg);
    return DB_FAIL;
}

enum db_result db_today(struct db *db, int64_t *day, struct err *err)
{
    enum db_result res;
    PGresult *r = db_run(db, Q_MONEY_TODAY, NULL, &res, err);

    if (r == NULL)
        return res;
    *day = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return DB_ONE;
}

enum db_result db_charge_add(struct db *db, int64_t rma_id, int64_t line_id, const char *kind,
                             int64_t amount_cents, const char *currency, const char *reason,
                             const struct principal *actor, struct err *err)
{
    enum db_result res;
    char rid[24];
    char lid[24];
    char amt[24];

    i64s(rid, sizeof rid, rma_id);
    i64s(lid, sizeof lid, line_id);
    i64s(amt, sizeof amt, amount_cents);
    const char *p[7] = {rid, line_id ? lid : NULL, kind, amt, currency, reason, actor->name};
    PGresult *r = db_run(db, Q_CHARGE_INSERT, p, &res, err);
    if (r == NULL) {
        if (err->kind == ERR_CONFLICT) {
            err_clear(err);
            err_set(err, ERR_CONFLICT, "charge", "this line already has a %s charge", kind);
        }
        return res;
    }
    json_t *ev = json_pack("{s:I, s:s, s:I, s:s}", "charge_id",
                           (json_int_t)strtoll(PQgetvalue(r, 0, 0), NULL, 10), "kind", kind,
                           "amount_cents", (json_int_t)amount_cents, "currency", currency);
    PQclear(r);
    char *text = json_dumps(ev, JSON_COMPACT);
    json_decref(ev);
    res = money_event(db, rma_id, line_id, "charge_raised", NULL, "open", actor, reason, text, err);
    free(text);
    return res;
}

/* Reserves the spare of one line. */
static enum db_result reserve_spare(struct db *db, int64_t line_id, size_t index,
                                    const char *product_model, bool serialised, int64_t quantity,
                                    struct err *err)
{
    enum db_result res;
    char lid[24];
    char qty[24];
    char field[64];
    PGresult *r;

    i64s(lid, sizeof lid, line_id);
    i64s(qty, sizeof qty, quantity);
    if (serialised) {
        const char *p[2] = {product_model, lid};
        r = db_run(db, Q_SPARE_RESERVE_UNIT, p, &res, err);
    } else {
        const char *p[3] = {product_model, qty, lid};
        r = db_run(db, Q_SPARE_RESERVE_BIN, p, &res, err);
    }
    if (r == NULL)
        return res;
    int n = PQntuples(r);
    PQclear(r);
    if (n != 1) {
        snprintf(field, sizeof field, "lines[%zu].product_model", index);
        err_set(err, ERR_CONFLICT, field, "no spare of %s is in stock", product_model);
        return DB_FAIL;
    }
    return DB_ONE;
}

enum db_result db_line_authorize(struct db *db, int64_t rma_id, enum rma_type type, int64_t line_id,
                                 size_t index, const char *product_model, int64_t quantity,
                                 int parcel_no, int parcel_count, int64_t today,
                                 const struct principal *actor, struct err *err)
{
    static const enum leg_kind kinds[] = {LEG_INBOUND, LEG_REPAIR, LEG_OUTBOUND};
    enum db_result res;
    char lid[24];
    char rid[24];
    PGresult *r;

    i64s(lid, sizeof lid, line_id);
    i64s(rid, sizeof rid, rma_id);
    for (size_t k = 0; k < 3; k++) {
        if (!rma_type_has_leg(type, kinds[k]))
            continue;
        const char *state = leg_initial_state(type, kinds[k]);
        const char *gp[3] = {lid, leg_kind_name(kinds[k]), state};
        if ((r = db_run(db, Q_LEG_INSERT, gp, &res, err)) == NULL)
            return res;
        PQclear(r);
        /* leg_opened names its leg: the event row's leg column through the shared insert */
        const char *le[13] = {NULL,         rid,  lid,   NULL,        leg_kind_name(kinds[k]),
                              "leg_opened", NULL, state, actor->name, NULL,
                              "api",        NULL, NULL};
        char tid[24];
        i64s(tid, sizeof tid, actor->token_id);
        le[9] = tid;
        if ((r = db_run(db, Q_EVENT_INSERT, le, &res, err)) == NULL)
            return res;
        PQclear(r);
    }
    if (type == RMA_TYPE_ADVANCE_REPLACEMENT || type == RMA_TYPE_EXCHANGE ||
        type == RMA_TYPE_REPLACEMENT_NO_RETURN) {
        const char *mp[1] = {product_model};
        if ((r = db_run(db, Q_MONEY_MODEL, mp, &res, err)) == NULL)
            return res;
        bool serialised = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
        PQclear(r);
        if ((res = reserve_spare(db, line_id, index, product_model, serialised, quantity, err)) !=
            DB_ONE)
            return res;
    }
    if (type == RMA_TYPE_ADVANCE_REPLACEMENT) {
        char due[11];
        depot_format_day(depot_core_due_day(&depot_core_policy, today), due);
        const char *dp[2] = {lid, due};
        if ((r = db_run(db, Q_LINE_CORE_DUE, dp, &res, err)) == NULL)
            return res;
        PQclear(r);
    }
    if (parcel_count > 0 && rma_type_has_leg(type, LEG_INBOUND)) {
        char pno[16];
        char pcount[16];
        snprintf(pno, sizeof pno, "%d", parcel_no);
        snprintf(pcount, sizeof pcount, "%d", parcel_count);
        const char *pp[6] = {rid, lid, "inbound", pno, pcount, "label_issued"};
        if ((r = db_run(db, Q_PARCEL_INSERT, pp, &res, err)) == NULL)
            return res;
        PQclear(r);
    }
    return DB_ONE;
}

/* ---- quotes ---------------------------------------------------------------------------- */

enum db_result db_quote_get(struct db *db, const char *rma_number, json_t **out, struct err *err)
{
    enum db_result res;
    const char *p[1] = {rma_number};
    PGresult *r = db_run(db, Q_QUOTE_VIEW, p, &res, err);

    if (r == NULL)
        return res;
    if (PQntuples(r) != 1) {
        PQclear(r);
        err_set(err, ERR_NOT_FOUND, "rma_number", "no such rma");
        return DB_NONE;
    }
    if (PQgetisnull(r, 0, 0)) {
        PQclear(r);
        err_set(err, ERR_NOT_FOUND, "quote", "this rma has no quote");
        return DB_NONE;
    }
    *out = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
    PQclear(r);
    if (*out == NULL) {
        err_set(err, ERR_INTERNAL, NULL, "cannot read the quote");
        return DB_FAIL;
    }
    return DB_ONE;
}

struct quote_head {
    int64_t rma_id;
    enum rma_type type;
    bool authorized;
    bool closed;
    int64_t quote_id; /* 0: none */
    char status[16];
    bool expired;
    int64_t total_cents;
    char currency[8];
};

/* Locks the RMA (FOR UPDATE) and reads its latest quote. Inside a transaction. */
static enum db_result quote_lock(struct db *db, const char *rma_number, struct quote_head *q,
                                 struct err *err)
{
    enum db_result res;
    struct err ignored = {0};
    const char *p[1] = {rma_number};
    PGresult *r = db_run(db, Q_QUOTE_LOCK, p, &res, err);

    if (r == NULL)
        return res;
    if (PQntuples(r) != 1) {
        PQclear(r);
        err_set(err, ERR_NOT_FOUND, "rma_number", "no such rma");
        return DB_NONE;
    }
    memset(q, 0, sizeof *q);
    q->rma_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    if (rma_type_parse(PQgetvalue(r, 0, 2), &q->type, &ignored) != 0)
        q->type = RMA_TYPE_REPAIR;
    q->authorized = strcmp(PQgetvalue(r, 0, 3), "t") == 0;
    q->closed = strcmp(PQgetvalue(r, 0, 4), "t") == 0;
    if (!PQgetisnull(r, 0, 5)) {
        q->quote_id = strtoll(PQgetvalue(r, 0, 5), NULL, 10);
        snprintf(q->status, sizeof q->status, "%s", PQgetvalue(r, 0, 6));
        q->expired = strcmp(PQgetvalue(r, 0, 7), "t") == 0;
        q->total_cents = strtoll(PQgetvalue(r, 0, 8), NULL, 10);
        snprintf(q->currency, sizeof q->currency, "%s", PQgetvalue(r, 0, 9));
    }
    PQclear(r);
    return DB_ONE;
}

/* The offered quote of a locked RMA, or a conflict naming why there is none. */
static int quote_offered(const struct quote_head *q, struct err *err)
{
    if (q->quote_id == 0)
        return err_set(err, ERR_NOT_FOUND, "quote", "this rma has no quote");
    if (q->closed)
        return err_set(err, ERR_CONFLICT, "quote", "the rma is closed");
    if (strcmp(q->status, "offered") != 0)
        return err_set(err, ERR_CONFLICT, "quote", "the quote is %s", q->status);
    if (q->expired)
        return err_set(err, ERR_CONFLICT, "quote", "the quote has expired");
    return 0;
}

static enum db_result quote_decide(struct db *db, int64_t quote_id, const char *status,
                                   const char *note, const struct principal *actor, struct err *err)
{
    enum db_result res;
    char qid[24];
    char tid[24];

    i64s(qid, sizeof qid, quote_id);
    i64s(tid, sizeof tid, actor->token_id);
    const char *p[4] = {qid, status, tid, note};
    PGresult *r = db_run(db, Q_QUOTE_DECIDE, p, &res, err);
    if (r == NULL)
        return res;
    int n = PQntuples(r);
    PQclear(r);
    if (n != 1) {
        err_set(err, ERR_CONFLICT, "quote", "the quote was decided meanwhile");
        return DB_FAIL;
    }
    return DB_ONE;
}

/*
 * The accepted quote of an RMA that is already authorized: offered at inspection because misuse
 * was found and no spare had gone out.  The legs exist: no re-authorization; one event, the
 * charge of the total, and the outbound leg of each line on the quote unblocks when it may
 * (line_ref.quote_accepted clears the misuse).  Inside the caller's transaction.
 */
static enum db_result accept_after_inspection(struct db *db, const char *rma_number,
                                              const struct quote_head *q, const char *note,
                                              const struct principal *actor, struct err *err)
{
    enum db_result res;
    char qid[24];
    PGresult *r;

    if ((res = money_event(db, q->rma_id, 0, "quote_accepted", "offered", "accepted", actor, note,
                           NULL, err)) != DB_ONE)
        return res;
    if (q->total_cents > 0 &&
        (res = db_charge_add(db, q->rma_id, 0, "quote", q->total_cents, q->currency,
                             "quote accepted by the customer", actor, err)) != DB_ONE)
        return res;
    i64s(qid, sizeof qid, q->quote_id);
    const char *p[1] = {qid};
    if ((r = db_run(db, Q_QUOTE_LINE_NOS, p, &res, err)) == NULL)
        return res;
    int n = PQntuples(r);
    int *line_nos = calloc((size_t)(n > 0 ? n : 1), sizeof *line_nos);
    for (int i = 0; i < n; i++)
        line_nos[i] = atoi(PQgetvalue(r, i, 0));
    PQclear(r);
    res = DB_ONE;
    for (int i = 0; i < n && res == DB_ONE; i++) {
        struct line_ref l;
        bool unblocked;
        if ((res = db_line_ref(db, rma_number, line_nos[i], &l, err)) == DB_ONE)
            res = db_outbound_unblock(db, &l, actor, &unblocked, err);
    }
    free(line_nos);
    return res;
}

enum db_result db_quote_accept(struct db *db, const char *rma_number, const char *note,
                               const struct principal *actor, struct err *err)
{
    enum db_result res;
    struct quote_head q;
    char rid[24];
    int64_t today;
    PGresult *r;

    if ((res = db_begin(db, err)) != DB_ONE)
        return res;
    if ((res = quote_lock(db, rma_number, &q, err)) != DB_ONE)
        return undo(db, res);
    if (quote_offered(&q, err) != 0)
        return undo(db, q.quote_id == 0 ? DB_NONE : DB_FAIL);
    if ((res = quote_decide(db, q.quote_id, "accepted", note, actor, err)) != DB_ONE ||
        (res = db_today(db, &today, err)) != DB_ONE)
        return undo(db, res);
    if (q.authorized) {
        if ((res = accept_after_inspection(db, rma_number, &q, note, actor, err)) != DB_ONE)
            return undo(db, res);
        return db_commit(db, err);
    }
    i64s(rid, sizeof rid, q.rma_id);
    const char *ap[1] = {rid};
    if ((r = db_run(db, Q_RMA_AUTHORIZE, ap, &res, err)) == NULL)
        return undo(db, res);
    int n = PQntuples(r);
    PQclear(r);
    if (n != 1)
        return undo_err(db, err, ERR_CONFLICT, "quote", "the rma is already authorized");
    if ((res = money_event(db, q.rma_id, 0, "quote_accepted", "not_authorized", "authorized", actor,
                           note, NULL, err)) != DB_ONE)
        return undo(db, res);

    if ((r = db_run(db, Q_RMA_LINES, ap, &res, err)) == NULL)
        return undo(db, res);
    int nl = PQntuples(r);
    struct {
        int64_t id;
        char model[72];
        int64_t qty;
    } *lines = calloc((size_t)(nl > 0 ? nl : 1), sizeof *lines);
    for (int i = 0; i < nl; i++) {
        lines[i].id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
        snprintf(lines[i].model, sizeof lines[i].model, "%s", PQgetvalue(r, i, 2));
        lines[i].qty = strtoll(PQgetvalue(r, i, 4), NULL, 10);
    }
    PQclear(r);
    int parcel_count = rma_type_has_leg(q.type, LEG_INBOUND) ? nl : 0;
    for (int i = 0; i < nl; i++) {
        char lid[24];
        i64s(lid, sizeof lid, lines[i].id);
        const char *lp[1] = {lid};
        if ((r = db_run(db, Q_LINE_OPEN, lp, &res, err)) == NULL) {
            if (err->kind == ERR_CONFLICT) {
                char field[64];
                snprintf(field, sizeof field, "lines[%d].serial_number", i);
                err_clear(err);
                err_set(err, ERR_CONFLICT, field, "this serial number already has an open rma");
            }
            free(lines);
            return undo(db, res);
        }
        PQclear(r);
        if ((res = db_line_authorize(db, q.rma_id, q.type, lines[i].id, (size_t)i, lines[i].model,
                                     lines[i].qty, i + 1, parcel_count, today, actor, err)) !=
            DB_ONE) {
            free(lines);
            return undo(db, res);
        }
    }
    free(lines);
    if (q.total_cents > 0 &&
        (res = db_charge_add(db, q.rma_id, 0, "quote", q.total_cents, q.currency,
                             "quote accepted by the customer", actor, err)) != DB_ONE)
        return undo(db, res);
    return db_commit(db, err);
}

/* Closes a locked RMA: the row, its lines, its unshipped spares, one event. */
static enum db_result close_locked(struct db *db, int64_t rma_id, const char *kind,
                                   const char *reason, const struct principal *actor,
                                   struct err *err)
{
    enum db_result res;
    char rid[24];
    PGresult *r;

    i64s(rid, sizeof rid, rma_id);
    /* a parcel waiting on an open pickup manifest leaves with the carrier: the rma stays open
     * until it ships or the manifest is voided (a closed rma's case may be archived, and the
     * carrier's events about the parcel could then move nothing) */
    const char *mp[1] = {rid};
    if ((r = db_run(db, Q_RMA_MANIFESTED, mp, &res, err)) == NULL)
        return res;
    if (!PQgetisnull(r, 0, 0)) {
        err_set(err, ERR_CONFLICT, "parcels",
                "a parcel of the rma is on the open pickup manifest %s: void the manifest or let "
                "the parcel ship first",
                PQgetvalue(r, 0, 0));
        PQclear(r);
        return DB_FAIL;
    }
    PQclear(r);
    const char *cp[2] = {rid, reason};
    if ((r = db_run(db, Q_RMA_CLOSE, cp, &res, err)) == NULL)
        return res;
    int n = PQntuples(r);
    PQclear(r);
    if (n != 1) {
        err_set(err, ERR_CONFLICT, "rma_number", "the rma is already closed");
        return DB_FAIL;
    }
    const char *p[1] = {rid};
    if ((r = db_run(db, Q_RMA_LINES_CLOSE, p, &res, err)) == NULL)
        return res;
    PQclear(r);
    if ((r = db_run(db, Q_SPARE_RELEASE, p, &res, err)) == NULL)
        return res;
    json_t *ev = json_pack("{s:I, s:I}", "spares_released",
                           (json_int_t)strtoll(PQgetvalue(r, 0, 0), NULL, 10), "parts_released",
                           (json_int_t)strtoll(PQgetvalue(r, 0, 1), NULL, 10));
    PQclear(r);
    char *text = json_dumps(ev, JSON_COMPACT);
    json_decref(ev);
    res = money_event(db, rma_id, 0, kind, NULL, "closed", actor, reason, text, err);
    free(text);
    return res;
}

enum db_result db_quote_decline(struct db *db, const char *rma_number, const char *reason,
                                const struct principal *actor, struct err *err)
{
    enum db_result res;
    struct quote_head q;

    if ((res = db_begin(db, err)) != DB_ONE)
        return res;
    if ((res = quote_lock(db, rma_number, &q, err)) != DB_ONE)
        return undo(db, res);
    if (quote_offered(&q, err) != 0)
        return undo(db, q.quote_id == 0 ? DB_NONE : DB_FAIL);
    if ((res = quote_decide(db, q.quote_id, "declined", reason, actor, err)) != DB_ONE)
        return undo(db, res);
    /* A quote offered at inspection (the RMA is authorized): the unit is in the depot and has
     * to go back unrepaired, so the RMA stays open (disposition "return_unrepaired"). */
    if (q.authorized)
        res = money_event(db, q.rma_id, 0, "quote_declined", "offered", "declined", actor, reason,
                          NULL, err);
    else
        res = close_locked(db, q.rma_id, "quote_declined", reason, actor, err);
    if (res != DB_ONE)
        return undo(db, res);
    return db_commit(db, err);
}

enum db_result db_quotes_expire(struct db *db, const char *today, const struct principal *actor,
                                json_t **out, struct err *err)
{
    enum db_result res;
    char day[11];
    int64_t t;
    PGresult *r;

    if ((res = db_begin(db, err)) != DB_ONE)
        return res;
    if (today == NULL) {
        if ((res = db_today(db, &t, err)) != DB_ONE)
            return undo(db, res);
        depot_format_day(t, day);
    } else {
        snprintf(day, sizeof day, "%s", today);
    }
    const char *p[1] = {day};
    if ((r = db_run(db, Q_QUOTE_EXPIRED, p, &res, err)) == NULL)
        return undo(db, res);
    int n = PQntuples(r);
    char(*rmas)[16] = calloc((size_t)(n > 0 ? n : 1), sizeof *rmas);
    for (int i = 0; i < n; i++)
        snprintf(rmas[i], sizeof rmas[i], "%s", PQgetvalue(r, i, 0));
    PQclear(r);
    json_t *list = json_array();
    for (int i = 0; i < n; i++) {
        struct quote_head q;
        if ((res = quote_lock(db, rmas[i], &q, err)) != DB_ONE)
            break;
        /* another request may have decided it meanwhile */
        if (q.quote_id == 0 || strcmp(q.status, "offered") != 0)
            continue;
        if ((res = quote_decide(db, q.quote_id, "expired", "not accepted in time", actor, err)) !=
            DB_ONE)
            break;
        if (q.closed) {
            res = money_event(db, q.rma_id, 0, "quote_expired", "offered", "expired", actor,
                              "not accepted in time", NULL, err);
        } else {
            res = close_locked(db, q.rma_id, "quote_expired", "quote expired", actor, err);
        }
        if (res != DB_ONE)
            break;
        json_array_append_new(list, json_string(rmas[i]));
    }
    free(rmas);
    if (res != DB_ONE) {
        json_decref(list);
        return undo(db, res);
    }
    if ((res = db_commit(db, err)) != DB_ONE) {
        json_decref(list);
        return res;
    }
    *out = json_pack("{s:s, s:o}", "today", day, "expired", list);
    return DB_ONE;
}

/* ---- charges --------------------------------------------------------------------------- */

enum db_result db_charges_list(struct db *db, const char *rma_number, json_t **out, struct err *err)
{
    enum db_result res;
    const char *p[1] = {rma_number};
    PGresult *r = db_run(db, Q_CHARGE_LIST, p, &res, err);

    if (r == NULL)
        return res;
    if (PQntuples(r) != 1) {
        PQclear(r);
        err_set(err, ERR_NOT_FOUND, "rma_number", "no such rma");
        return DB_NONE;
    }
    *out = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
    PQclear(r);
    return *out ? DB_ONE : DB_FAIL;
}

static enum db_result charge_json(struct db *db, const char *id, json_t **out, struct err *err)
{
    enum db_result res;
    const char *p[1] = {id};
    PGresult *r = db_run(db, Q_CHARGE_GET, p, &res, err);

    if (r == NULL)
        return res;
    *out = PQntuples(r) == 1 ? json_loads(PQgetvalue(r, 0, 0), 0, NULL) : NULL;
    PQclear(r);
    if (*out == NULL) {
        err_set(err, ERR_NOT_FOUND, "charge", "no such charge");
        return DB_NONE;
    }
    return DB_ONE;
}

enum db_result db_charge_close(struct db *db, int64_t charge_id, bool settle, const char *reference,
                               const char *note, const struct principal *actor, json_t **out,
                               struct err *err)
{
    enum db_result res;
    char cid[24];
    PGresult *r;

    i64s(cid, sizeof cid, charge_id);
    if ((res = db_begin(db, err)) != DB_ONE)
        return res;
    const char *lp[1] = {cid};
    if ((r = db_run(db, Q_CHARGE_LOCK, lp, &res, err)) == NULL)
        return undo(db, res);
    if (PQntuples(r) != 1) {
        PQclear(r);
        db_rollback(db);
        err_set(err, ERR_NOT_FOUND, "charge", "no such charge");
        return DB_NONE;
    }
    char status[16];
    snprintf(status, sizeof status, "%s", PQgetvalue(r, 0, 1));
    int64_t rma_id = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
    int64_t line_id = PQgetisnull(r, 0, 3) ? 0 : strtoll(PQgetvalue(r, 0, 3), NULL, 10);
    PQclear(r);
    if (strcmp(status, "open") != 0) {
        db_rollback(db);
        err_set(err, ERR_CONFLICT, "charge", "the charge is already %s", status);
        return DB_FAIL;
    }
    const char *to = settle ? "settled" : "waived";
    const char *cp[5] = {cid, to, actor->name, note, settle ? reference : NULL};
    if ((r = db_run(db, Q_CHARGE_CLOSE, cp, &res, err)) == NULL)
        return undo(db, res);
    PQclear(r);
    json_t *ev = json_pack("{s:I, s:s?}", "charge_id", (json_int_t)charge_id, "reference",
                           settle ? reference : NULL);
    char *text = json_dumps(ev, JSON_COMPACT);
    json_decref(ev);
    res = money_event(db, rma_id, line_id, settle ? "charge_settled" : "charge_waived", "open", to,
                      actor, note, text, err);
    free(text);
    if (res != DB_ONE)
        return undo(db, res);
    if ((res = db_commit(db, err)) != DB_ONE)
        return res;
    return charge_json(db, cid, out, err);
}

/* ---- close, cancel, destruction certificate -------------------------------------------- */

enum db_result db_rma_close(struct db *db, const char *rma_number, const char *reason, bool cancel,
                            const struct principal *actor, struct err *err)
{
    enum db_result res;
    const char *p[1] = {rma_number};
    PGresult *r;

    if ((res = db_begin(db, err)) != DB_ONE)
        return res;
    /* the lock first, then what moved: a receive holds the rma row (FOR SHARE) until it commits */
    if ((r = db_run(db, Q_MONEY_RMA_LOCK, p, &res, err)) == NULL)
        return undo(db, res);
    PQclear(r);
    if ((r = db_run(db, Q_RMA_HEAD, p, &res, err)) == NULL)
        return undo(db, res);
    if (PQntuples(r) != 1) {
        PQclear(r);
        db_rollback(db);
        err_set(err, ERR_NOT_FOUND, "rma_number", "no such rma");
        return DB_NONE;
    }
    int64_t rma_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    bool closed = strcmp(PQgetvalue(r, 0, 2), "t") == 0;
    char moved[80] = "";
    if (!PQgetisnull(r, 0, 3))
        snprintf(moved, sizeof moved, "%s", PQgetvalue(r, 0, 3));
    PQclear(r);
    if (closed)
        return undo_err(db, err, ERR_CONFLICT, "rma_number", "the rma is already closed");
    if (cancel && moved[0] != '\0') {
        db_rollback(db);
        err_set(err, ERR_CONFLICT, "rma_number", "cannot cancel: %s; close it with a reason",
                moved);
        return DB_FAIL;
    }
    char full[2100];
    if (cancel)
        snprintf(full, sizeof full, "cancelled%s%s", reason ? ": " : "", reason ? reason : "");
    if ((res = close_locked(db, rma_id, cancel ? "rma_cancelled" : "rma_closed",
                            cancel ? full : reason, actor, err)) != DB_ONE)
        return undo(db, res);
    return db_commit(db, err);
}

/* cases: lifecycle (issue 3): the cancel of a case cancels its RMAs that have not moved. */
enum db_result db_rma_cancel_in_tx(struct db *db, const char *rma_number, const char *reason,
                                   const struct principal *actor, struct err *err)
{
    enum db_result res;
    const char *p[1] = {rma_number};
    PGresult *r;

    if ((r = db_run(db, Q_MONEY_RMA_LOCK, p, &res, err)) == NULL)
        return res;
    PQclear(r);
    if ((r = db_run(db, Q_RMA_HEAD, p, &res, err)) == NULL)
        return res;
    if (PQntuples(r) != 1) {
        PQclear(r);
        err_set(err, ERR_NOT_FOUND, "rma_number", "no such rma");
        return DB_NONE;
    }
    int64_t rma_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    bool closed = strcmp(PQgetvalue(r, 0, 2), "t") == 0;
    char moved[80] = "";
    if (!PQgetisnull(r, 0, 3))
        snprintf(moved, sizeof moved, "%s", PQgetvalue(r, 0, 3));
    PQclear(r);
    if (moved[0] != '\0') {
        err_set(err, ERR_CONFLICT, "status", "cannot cancel: rma %s: %s", rma_number, moved);
        return DB_FAIL;
    }
    if (closed)
        return DB_NONE;
    char full[2100];
    snprintf(full, sizeof full, "cancelled with the case%s%s", reason ? ": " : "",
             reason ? reason : "");
    return close_locked(db, rma_id, "rma_cancelled", full, actor, err);
}

enum db_result db_destruction_certificate(struct db *db, const char *rma_number, int line_no,
                                          const char *certificate_json,
                                          const struct principal *actor, struct err *err)
{
    enum db_result res;
    struct line_ref l;
    char lid[24];
    PGresult *r;

    if ((res = db_begin(db, err)) != DB_ONE)
        return res;
    if ((res = db_line_ref(db, rma_number, line_no, &l, err)) != DB_ONE)
        return undo(db, res);
    if (l.type != RMA_TYPE_REPLACEMENT_NO_RETURN)
        return undo_err(db, err, ERR_CONFLICT, "line",
                        "only a unit kept by the customer (replacement_no_return) is destroyed");
    if (!l.authorized || l.closed)
        return undo_err(db, err, ERR_CONFLICT, "line", "the rma is not authorized or is closed");
    const char *mp[1] = {l.product_model};
    if ((r = db_run(db, Q_MONEY_MODEL, mp, &res, err)) == NULL)
        return undo(db, res);
    bool data_bearing = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 3), "t") == 0;
    PQclear(r);
    if (!data_bearing)
        return undo_err(db, err, ERR_CONFLICT, "line",
                        "this product model bears no data: no certificate is needed");
    i64s(lid, sizeof lid, l.line_id);
    const char *cp[2] = {lid, certificate_json};
    if ((r = db_run(db, Q_LINE_CERT, cp, &res, err)) == NULL)
        return undo(db, res);
    int n = PQntuples(r);
    PQclear(r);
    if (n != 1)
        return undo_err(db, err, ERR_CONFLICT, "line",
                        "a destruction certificate is already recorded");
    if ((res = money_event(db, l.rma_id, l.line_id, "destruction_certified", NULL, "destroyed",
                           actor, NULL, certificate_json, err)) != DB_ONE)
        return undo(db, res);
    return db_commit(db, err);
}

/* ---- the core policy --------------------------------------------------------------------- */

enum db_result db_core_received(struct db *db, struct line_ref *l, const struct principal *actor,
                                struct err *err)
{
    enum db_result res;
    char lid[24];
    PGresult *r;

    if (l->type != RMA_TYPE_ADVANCE_REPLACEMENT)
        return DB_ONE;
    i64s(lid, sizeof lid, l->line_id);
    const char *p[1] = {lid};
    if ((r = db_run(db, Q_CORE_RETURNED, p, &res, err)) == NULL)
        return res;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return DB_ONE;
    }
    int64_t days_late = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    const char *cp[2] = {lid, "overdue_core"};
    if ((r = db_run(db, Q_CHARGE_OF_LINE, cp, &res, err)) == NULL)
        return res;
    if (PQntuples(r) != 1 || strcmp(PQgetvalue(r, 0, 3), "waived") == 0) {
        PQclear(r);
        return DB_ONE;
    }
    int64_t amount = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
    char currency[8];
    snprintf(currency, sizeof currency, "%s", PQgetvalue(r, 0, 2));
    PQclear(r);
    int pct = depot_late_credit_percent(&depot_core_policy, days_late);
    if (pct <= 0)
        return DB_ONE;
    char reason[120];
    snprintf(reason, sizeof reason, "core returned %lld days late: %d%% of the overdue charge",
             (long long)(days_late > 0 ? days_late : 0), pct);
    return db_charge_add(db, l->rma_id, l->line_id, "late_core_credit", -(amount * pct / 100),
                         currency, reason, actor, err);
}

struct due_line {
    char rma[16];
    int line_no;
    int64_t due;
};

/* One line of the sweep; appends what it did to done. */
static enum db_result sweep_line(struct db *db, const struct due_line *d, int64_t today,
                                 const struct principal *actor, json_t *done, struct err *err)
{
    enum db_result res;
    struct line_ref l;
    char lid[24];
    char due[11];
    PGresult *r;
    const char *what = depot_core_reminder(&depot_core_policy, d->due, today);

    if (what == NULL)
        return DB_ONE;
    if ((res = db_line_ref(db, d->rma, d->line_no, &l, err)) != DB_ONE)
        return res;
    /* the core may have come in since the list was read */
    if (strcmp(l.inbound, "label_issued") != 0 && strcmp(l.inbound, "in_transit") != 0 &&
        strcmp(l.inbound, "partially_received") != 0 && strcmp(l.inbound, "overdue") != 0)
        return DB_ONE;
    /* no core is owed (no reminder, no charge) before the spare has shipped */
    if (strcmp(l.outbound, "shipped") != 0 && strcmp(l.outbound, "delivered") != 0 &&
        strcmp(l.outbound, "delivery_exception") != 0)
        return DB_ONE;
    i64s(lid, sizeof lid, l.line_id);
    depot_format_day(d->due, due);
    json_t *item = json_pack("{s:s, s:i, s:s, s:[]}", "rma_number", d->rma, "line_no", d->line_no,
                             "core_due_date", due, "actions");
    json_t *actions = json_object_get(item, "actions");
    const char *kind = strcmp(what, "overdue") == 0 ? "core_overdue" : "core_due_soon";
    const char *rp[3] = {lid, kind, due};
    if ((r = db_run(db, Q_REMINDER_INSERT, rp, &res, err)) == NULL)
        goto out;
    int sent = PQntuples(r);
    PQclear(r);
    if (sent == 1) {
        if ((res = money_event(db, l.rma_id, l.line_id, "reminder_sent", NULL, kind, actor, NULL,
                               NULL, err)) != DB_ONE)
            goto out;
        json_array_append_new(actions, json_string(kind));
    }
    if (strcmp(what, "overdue") == 0) {
        if (strcmp(l.inbound, "overdue") != 0) {
            const char *to = NULL;
            if ((res = db_leg_move(db, &l, LEG_INBOUND, LEG_EV_OVERDUE, l.inbound, actor, "job",
                                   "core not back by its due date", NULL, &to, err)) != DB_ONE)
                goto out;
            json_array_append_new(actions, json_string("inbound_overdue"));
        }
        const char *cp[2] = {lid, "overdue_core"};
        if ((r = db_run(db, Q_CHARGE_OF_LINE, cp, &res, err)) == NULL)
            goto out;
        int has = PQntuples(r);
        PQclear(r);
        if (has == 0) {
            const char *mp[1] = {l.product_model};
            if ((r = db_run(db, Q_MONEY_MODEL, mp, &res, err)) == NULL)
                goto out;
            int64_t price = strtoll(PQgetvalue(r, 0, 5), NULL, 10) * l.quantity;
            char currency[8];
            snprintf(currency, sizeof currency, "%s", PQgetvalue(r, 0, 6));
            PQclear(r);
            if ((res = db_charge_add(db, l.rma_id, l.line_id, "overdue_core", price, currency,
                                     "core not returned by its due date", actor, err)) != DB_ONE)
                goto out;
            json_array_append_new(actions, json_string("charge_raised"));
        }
    }
    res = DB_ONE;
out:
    if (res == DB_ONE && json_array_size(actions) > 0)
        json_array_append_new(done, item);
    else
        json_decref(item);
    return res;
}

enum db_result db_core_sweep(struct db *db, const char *today, const struct principal *actor,
                             json_t **out, struct err *err)
{
    enum db_result res;
    int64_t t;
    PGresult *r;
    char day[11];

    if (today != NULL && depot_parse_day(today, "today", &t, err) != 0)
        return DB_FAIL;
    if ((res = db_begin(db, err)) != DB_ONE)
        return res;
    if (today == NULL && (res = db_today(db, &t, err)) != DB_ONE)
        return undo(db, res);
    if ((r = db_run(db, Q_CORE_DUE_LINES, NULL, &res, err)) == NULL)
        return undo(db, res);
    int n = PQntuples(r);
    struct due_line *lines = calloc((size_t)(n > 0 ? n : 1), sizeof *lines);
    for (int i = 0; i < n; i++) {
        snprintf(lines[i].rma, sizeof lines[i].rma, "%s", PQgetvalue(r, i, 0));
        lines[i].line_no = atoi(PQgetvalue(r, i, 1));
        lines[i].due = strtoll(PQgetvalue(r, i, 2), NULL, 10);
    }
    PQclear(r);
    json_t *done = json_array();
    res = DB_ONE;
    for (int i = 0; i < n && res == DB_ONE; i++)
        res = sweep_line(db, &lines[i], t, actor, done, err);
    free(lines);
    if (res != DB_ONE) {
        json_decref(done);
        return undo(db, res);
    }
    if ((res = db_commit(db, err)) != DB_ONE) {
        json_decref(done);
        return res;
    }
    depot_format_day(t, day);
    *out = json_pack("{s:s, s:o}", "today", day, "lines", done);
    return DB_ONE;
}

enum db_result db_cores_outstanding(struct db *db, json_t **out, struct err *err)
{
    enum db_result res;
    PGresult *r = db_run(db, Q_CORE_OUTSTANDING, NULL, &res, err);

    if (r == NULL)
        return res;
    *out = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
    PQclear(r);
    if (*out == NULL) {
        err_set(err, ERR_INTERNAL, NULL, "cannot read the report");
        return DB_FAIL;
    }
    return DB_ONE;
}
