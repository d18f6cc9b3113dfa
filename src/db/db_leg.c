/*
 * db_leg: reading an RMA line with its legs, and moving a leg with its one event.  Shared by
 * the depot modules so that every move goes through core's transition table (rule 4: the
 * expected state; rule 8: one event with its actor).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_int.h"

static void copy(char *dst, size_t n, const PGresult *r, int col)
{
    snprintf(dst, n, "%s", PQgetisnull(r, 0, col) ? "" : PQgetvalue(r, 0, col));
}

enum db_result db_line_ref(struct db *db, const char *rma_number, int line_no, struct line_ref *out,
                           struct err *err)
{
    enum db_result kind;
    char no[16];
    struct err ignored = {0};

    snprintf(no, sizeof no, "%d", line_no);
    const char *p[2] = {rma_number, no};
    PGresult *r = db_run(db, Q_LINE_LOCK, p, &kind, err);
    if (r == NULL)
        return kind;
    PQclear(r);
    r = db_run(db, Q_LINE_REF, p, &kind, err);
    if (r == NULL)
        return kind;
    if (PQntuples(r) != 1) {
        PQclear(r);
        err_set(err, ERR_NOT_FOUND, "line", "no such rma line");
        return DB_NONE;
    }
    memset(out, 0, sizeof *out);
    out->rma_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    out->line_id = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
    out->case_id = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
    copy(out->rma_number, sizeof out->rma_number, r, 3);
    out->line_no = atoi(PQgetvalue(r, 0, 4));
    if (rma_type_parse(PQgetvalue(r, 0, 5), &out->type, &ignored) != 0)
        out->type = RMA_TYPE_REPAIR;
    out->authorized = strcmp(PQgetvalue(r, 0, 6), "t") == 0;
    out->closed = strcmp(PQgetvalue(r, 0, 7), "t") == 0;
    out->chargeable = strcmp(PQgetvalue(r, 0, 8), "t") == 0;
    out->misuse = strcmp(PQgetvalue(r, 0, 9), "t") == 0;
    out->serialised = !PQgetisnull(r, 0, 10);
    copy(out->serial_number, sizeof out->serial_number, r, 10);
    copy(out->product_model, sizeof out->product_model, r, 11);
    out->quantity = strtoll(PQgetvalue(r, 0, 12), NULL, 10);
    out->received_quantity = strtoll(PQgetvalue(r, 0, 13), NULL, 10);
    copy(out->core_due_date, sizeof out->core_due_date, r, 14);
    copy(out->inbound, sizeof out->inbound, r, 15);
    copy(out->repair, sizeof out->repair, r, 16);
    copy(out->outbound, sizeof out->outbound, r, 17);
    out->quote_accepted = strcmp(PQgetvalue(r, 0, 18), "t") == 0;
    out->scrapped = strcmp(PQgetvalue(r, 0, 19), "t") == 0;
    PQclear(r);
    return DB_ONE;
}

static char *leg_slot(struct line_ref *l, enum leg_kind k)
{
    switch (k) {
    case LEG_INBOUND:
        return l->inbound;
    case LEG_REPAIR:
        return l->repair;
    case LEG_OUTBOUND:
        return l->outbound;
    }
    return l->inbound;
}

enum db_result db_leg_move(struct db *db, struct line_ref *l, enum leg_kind k, enum leg_event ev,
                           const char *expected, const struct principal *actor, const char *channel,
                           const char *reason, const char *evidence_json, const char **to,
                           struct err *err)
{
    enum db_result kind;
    char *state = leg_slot(l, k);
    char ids[3][24];
    char tid[24];

    if (state[0] == '\0') {
        err_set(err, ERR_CONFLICT, leg_kind_name(k), "this line has no %s leg", leg_kind_name(k));
        return DB_FAIL;
    }
    if (expected != NULL && strcmp(expected, state) != 0) {
        err_set(err, ERR_CONFLICT, "expected_state", "the %s leg is %s, not %s", leg_kind_name(k),
                state, expected);
        return DB_FAIL;
    }
    if (leg_next(k, state, ev, to, err) != 0)
        return DB_FAIL;
    snprintf(ids[0], sizeof ids[0], "%lld", (long long)l->line_id);
    const char *sp[4] = {ids[0], leg_kind_name(k), state, *to};
    PGresult *r = db_run(db, Q_LEG_SET, sp, &kind, err);
    if (r == NULL)
        return kind;
    int n = PQntuples(r);
    PQclear(r);
    if (n != 1) {
        err_set(err, ERR_CONFLICT, leg_kind_name(k), "the %s leg changed meanwhile",
                leg_kind_name(k));
        return DB_FAIL;
    }
    snprintf(ids[1], sizeof ids[1], "%lld", (long long)l->rma_id);
    snprintf(ids[2], sizeof ids[2], "%lld", (long long)l->case_id);
    snprintf(tid, sizeof tid, "%lld", (long long)actor->token_id);
    const char *ep[13] = {
        ids[2], ids[1],      ids[0], NULL,    leg_kind_name(k), leg_event_name(ev), state,
        *to,    actor->name, tid,    channel, reason,           evidence_json};
    r = db_run(db, Q_EVENT_INSERT, ep, &kind, err);
    if (r == NULL)
        return kind;
    PQclear(r);
    snprintf(state, sizeof l->inbound, "%s", *to);
    return DB_ONE;
}

enum db_result db_outbound_unblock(struct db *db, struct line_ref *l, const struct principal *actor,
                                   bool *unblocked, struct err *err)
{
    const char *to = NULL;

    *unblocked = false;
    /* a scrapped unit does not go back: its RMA ends with a close and a reason */
    if (strcmp(l->outbound, "blocked") != 0 || l->scrapped ||
        !rma_outbound_unblocked(l->type, l->inbound[0] ? l->inbound : NULL,
                                l->repair[0] ? l->repair : NULL, l->misuse && !l->quote_accepted))
        return DB_ONE;
    enum db_result kind = db_leg_move(db, l, LEG_OUTBOUND, LEG_EV_UNBLOCK, "blocked", actor, "api",
                                      NULL, NULL, &to, err);
    if (kind == DB_ONE)
        *unblocked = true;
    return kind;
}
