/*
 * db_followup: e-mail intake records, the outbox, follow-ups, attempts and feedback (issue 3).
 * Each writing function is one transaction: any failure rolls back and nothing is left behind.
 * Case moves go through db_case_move() (one event each, with the actor).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mailform.h"
#include "db/followup.h"
#include "db/service.h"
#include "db_int.h"

static void token_str(const struct principal *actor, char out[24])
{
    snprintf(out, 24, "%lld", (long long)actor->token_id);
}

/* ---- e-mail intake ---- */

enum db_result db_mail_intake_get(struct db *db, const char *key, struct arena *a, int *status,
                                  char **response, struct err *err)
{
    enum db_result kind;
    const char *p[1] = {key};
    PGresult *r = db_run(db, Q_FU_INTAKE_GET, p, &kind, err);

    if (r == NULL)
        return kind;
    if (PQntuples(r) != 1) {
        PQclear(r);
        err_set(err, ERR_NOT_FOUND, "Message-ID", "not seen before");
        return DB_NONE;
    }
    *status = atoi(PQgetvalue(r, 0, 0));
    *response = db_field(a, r, 0, 1);
    PQclear(r);
    return DB_ONE;
}

/* Records key with status; DB_NONE (rolled back) when another delivery recorded it first. */
static enum db_result intake_claim(struct db *db, const char *key, const char *status,
                                   const char *response, const char *fields,
                                   const struct principal *actor, struct arena *a, char **id,
                                   struct err *err)
{
    enum db_result kind;
    char tok[24];
    PGresult *r;

    token_str(actor, tok);
    const char *p[6] = {key, status, response, actor->name, tok, fields};
    if ((r = db_tx_run(db, Q_FU_INTAKE_CLAIM, p, &kind, err)) == NULL)
        return kind;
    if (PQntuples(r) != 1) {
        PQclear(r);
        db_rollback(db);
        err_set(err, ERR_CONFLICT, "Message-ID", "this message was delivered before");
        return DB_NONE;
    }
    *id = db_field(a, r, 0, 0);
    PQclear(r);
    return DB_ONE;
}

/* Puts one message into the outbox inside the open transaction (intake_id: the intake record a
 * missing-fields reply answers, or NULL); *id (arena) when id is not NULL. */
static enum db_result outbox_add(struct db *db, const char *case_id, const char *kind_name,
                                 const struct mail_reply *m, const char *body,
                                 const char *intake_id, const struct principal *actor,
                                 struct arena *a, char **id, struct err *err)
{
    enum db_result kind;
    char tok[24];
    PGresult *r;

    token_str(actor, tok);
    const char *p[9] = {case_id,        kind_name,   m->to, m->subject, body,
                        m->in_reply_to, actor->name, tok,   intake_id};
    if ((r = db_tx_run(db, Q_FU_OUTBOX_ADD, p, &kind, err)) == NULL)
        return kind;
    if (id != NULL)
        *id = db_field(a, r, 0, 0);
    PQclear(r);
    return DB_ONE;
}

enum db_result db_mail_intake_case(struct db *db, const char *key, const struct intake *in,
                                   const char *configuration, const char *error_messages,
                                   const struct mail_reply *reply, const char *subject,
                                   const struct principal *actor, struct arena *a,
                                   char **case_number, struct err *err)
{
    enum db_result kind;
    char *intake_id;
    PGresult *r;

    if ((kind = db_begin(db, err)) != DB_ONE)
        return kind;
    if ((kind = intake_claim(db, key, "201", "{}", NULL, actor, a, &intake_id, err)) != DB_ONE)
        return kind;
    char *case_id;
    if ((kind = db_case_insert(db, in, configuration, error_messages, actor, a, &case_id,
                               case_number, err)) != DB_ONE)
        return kind;

    json_t *resp = json_pack("{s:s, s:s, s:s}", "case_number", *case_number, "status", "new",
                             "channel", in->channel);
    char *text = json_dumps(resp, JSON_COMPACT);
    json_decref(resp);
    const char *sp[3] = {intake_id, case_id, text};
    r = db_tx_run(db, Q_FU_INTAKE_SET, sp, &kind, err);
    free(text);
    if (r == NULL)
        return kind;
    PQclear(r);
    if (reply != NULL) {
        struct mail_reply ack = *reply;
        ack.subject = arena_printf(a, "[%s] %s", *case_number,
                                   subject != NULL && *mailform_bare_subject(subject) != '\0' ?
                                       mailform_bare_subject(subject) :
                                       "Your service request");
        if ((kind = outbox_add(db, case_id, "intake_ack", &ack,
                               mailform_reply_ack(a, *case_number, subject), NULL, actor, a, NULL,
                               err)) != DB_ONE)
            return kind;
    }
    return db_commit(db, err);
}

enum db_result db_mail_intake_refuse(struct db *db, const char *key, const char *response,
                                     const char *fields, const struct mail_reply *reply,
                                     const char *body, const struct principal *actor,
                                     struct err *err)
{
    enum db_result kind;
    struct arena a;
    char *id;

    arena_init(&a);
    if ((kind = db_begin(db, err)) == DB_ONE &&
        (kind = intake_claim(db, key, "422", response, fields, actor, &a, &id, err)) == DB_ONE &&
        (reply == NULL || (kind = outbox_add(db, NULL, "intake_missing", reply, body, id, actor, &a,
                                             NULL, err)) == DB_ONE))
        kind = db_commit(db, err);
    arena_release(&a);
    return kind;
}

enum db_result db_mail_intake_thread(struct db *db, const char *message_ids, const char *from_addr,
                                     struct arena *a, char **fields, struct err *err)
{
    enum db_result kind;
    const char *p[2] = {message_ids, from_addr};
    PGresult *r = db_run(db, Q_FU_INTAKE_THREAD, p, &kind, err);

    if (r == NULL)
        return kind;
    if (PQntuples(r) != 1) {
        PQclear(r);
        err_set(err, ERR_NOT_FOUND, "In-Reply-To", "no earlier incomplete intake in the thread");
        return DB_NONE;
    }
    *fields = db_field(a, r, 0, 0);
    PQclear(r);
    return DB_ONE;
}

/* ---- follow-up ---- */

struct case_row {
    char *id;
    char *status;
    char *contact_email;
    char *contact_name;
    char *case_number;
};

/* Locks the case (FOR UPDATE) inside the open transaction; an engineer acts only on a case
 * assigned to them (403 "engineer", like every write on a case: db_case_engineer_gate). */
static enum db_result case_lock(struct db *db, const char *case_number,
                                const struct principal *actor, struct arena *a, struct case_row *c,
                                struct err *err)
{
    enum db_result kind;
    const char *p[1] = {case_number};
    PGresult *r = db_tx_run(db, Q_FU_CASE_LOCK, p, &kind, err);

    if (r == NULL)
        return kind;
    if (PQntuples(r) != 1) {
        PQclear(r);
        db_rollback(db);
        err_set(err, ERR_NOT_FOUND, "case_number", "no such case");
        return DB_NONE;
    }
    c->id = db_field(a, r, 0, 0);
    c->status = db_field(a, r, 0, 1);
    c->contact_email = db_field(a, r, 0, 2);
    c->contact_name = db_field(a, r, 0, 3);
    c->case_number = db_field(a, r, 0, 4);
    PQclear(r);
    if ((kind = db_case_engineer_gate(db, case_number, 0, actor, err)) != DB_ONE)
        return db_tx_abort(db, kind);
    return DB_ONE;
}

/* The open follow-up of a locked case: its id, or ERR_CONFLICT "status" (rolled back). */
static enum db_result open_follow_up(struct db *db, const struct case_row *c, struct arena *a,
                                     char **fu_id, bool *due, long *attempts, struct err *err)
{
    enum db_result kind;
    const char *p[1] = {c->id};
    PGresult *r = db_tx_run(db, Q_FU_GET, p, &kind, err);

    if (r == NULL)
        return kind;
    if (PQntuples(r) != 1 || strcmp(PQgetvalue(r, 0, 2), "open") != 0 ||
        strcmp(c->status, "follow_up") != 0) {
        PQclear(r);
        db_rollback(db);
        err_set(err, ERR_CONFLICT, "status", "the case is %s, not in an open follow-up", c->status);
        return DB_FAIL;
    }
    *fu_id = db_field(a, r, 0, 0);
    if (due != NULL)
        *due = PQgetvalue(r, 0, 5)[0] == 't';
    if (attempts != NULL)
        *attempts = strtol(PQgetvalue(r, 0, 10), NULL, 10);
    PQclear(r);
    return DB_ONE;
}

/* The follow-up of case_id as JSON; NULL with err when there is none. */
static json_t *follow_up_json(struct db *db, const char *case_id, const char *case_number,
                              enum db_result *kind, struct err *err)
{
    const char *p[1] = {case_id};
    PGresult *r = db_run(db, Q_FU_GET, p, kind, err);
    json_t *out;

    if (r == NULL)
        return NULL;
    if (PQntuples(r) != 1) {
        PQclear(r);
        *kind = DB_NONE;
        err_set(err, ERR_NOT_FOUND, "follow_up", "the case has no follow-up");
        return NULL;
    }
    out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:I}", "case_number", case_number,
                    "channel", PQgetvalue(r, 0, 1), "status", PQgetvalue(r, 0, 2), "summary",
                    PQgetvalue(r, 0, 3), "due_at", PQgetvalue(r, 0, 4), "due",
                    PQgetvalue(r, 0, 5)[0] == 't', "created_at", PQgetvalue(r, 0, 6), "actor",
                    PQgetvalue(r, 0, 7), "attempt_count",
                    (json_int_t)strtoll(PQgetvalue(r, 0, 10), NULL, 10));
    json_object_set_new(out, "closed_at",
                        PQgetisnull(r, 0, 8) ? json_null() : json_string(PQgetvalue(r, 0, 8)));
    json_object_set_new(out, "close_reason",
                        PQgetisnull(r, 0, 9) ? json_null() : json_string(PQgetvalue(r, 0, 9)));
    if (!PQgetisnull(r, 0, 11))
        json_object_set_new(
            out, "email",
            json_pack("{s:s, s:o, s:s, s:I, s:o}", "status", PQgetvalue(r, 0, 11), "sent_at",
                      PQgetisnull(r, 0, 12) ? json_null() : json_string(PQgetvalue(r, 0, 12)),
                      "message_id", PQgetvalue(r, 0, 13), "delivery_attempts",
                      (json_int_t)strtoll(PQgetvalue(r, 0, 14), NULL, 10), "cancel_reason",
                      PQgetisnull(r, 0, 15) ? json_null() : json_string(PQgetvalue(r, 0, 15))));
    char *fu_id = strdup(PQgetvalue(r, 0, 0));
    PQclear(r);

    const char *ap[1] = {fu_id};
    json_t *attempts = json_array();
    if ((r = db_run(db, Q_FU_ATTEMPTS, ap, kind, err)) == NULL) {
        free(fu_id);
        json_decref(attempts);
        json_decref(out);
        return NULL;
    }
    for (int i = 0; i < PQntuples(r); i++)
        json_array_append_new(
            attempts,
            json_pack("{s:s, s:s, s:o, s:s, s:s}", "channel", PQgetvalue(r, i, 0), "outcome",
                      PQgetvalue(r, i, 1), "note",
                      PQgetisnull(r, i, 2) ? json_null() : json_string(PQgetvalue(r, i, 2)),
                      "actor", PQgetvalue(r, i, 3), "at", PQgetvalue(r, i, 4)));
    PQclear(r);
    free(fu_id);
    json_object_set_new(out, "attempts", attempts);

    if ((r = db_run(db, Q_FU_FEEDBACK_GET, p, kind, err)) == NULL) {
        json_decref(out);
        return NULL;
    }
    if (PQntuples(r) == 1)
        json_object_set_new(
            out, "feedback",
            json_pack("{s:I, s:o, s:s, s:s}", "rating",
                      (json_int_t)strtoll(PQgetvalue(r, 0, 0), NULL, 10), "comment",
                      PQgetisnull(r, 0, 1) ? json_null() : json_string(PQgetvalue(r, 0, 1)),
                      "actor", PQgetvalue(r, 0, 2), "at", PQgetvalue(r, 0, 3)));
    else
        json_object_set_new(out, "feedback", json_null());
    PQclear(r);
    *kind = DB_ONE;
    return out;
}

/* After COMMIT: the follow-up as JSON for the answer. */
static enum db_result answer(struct db *db, const struct case_row *c, json_t **out, struct err *err)
{
    enum db_result kind;
    *out = follow_up_json(db, c->id, c->case_number, &kind, err);
    return kind;
}

enum db_result db_case_complete(struct db *db, const char *case_number,
                                const struct follow_up_request *req, const struct principal *actor,
                                json_t **out, struct err *err)
{
    enum db_result kind;
    struct arena a;
    struct case_row c;
    enum case_state to;
    char tok[24];
    char days[16];
    PGresult *r;

    arena_init(&a);
    token_str(actor, tok);
    snprintf(days, sizeof days, "%d", req->due_in_days);
    if ((kind = db_begin(db, err)) != DB_ONE ||
        (kind = case_lock(db, case_number, actor, &a, &c, err)) != DB_ONE)
        goto done;
    if (strcmp(c.status, "rma_requested") == 0) {
        const char *p[1] = {c.id};
        if ((r = db_tx_run(db, Q_FU_RMAS_OPEN, p, &kind, err)) == NULL)
            goto done;
        if (!PQgetisnull(r, 0, 0)) {
            err_set(err, ERR_CONFLICT, "rma", "rma %s is not complete or closed yet",
                    PQgetvalue(r, 0, 0));
            PQclear(r);
            db_rollback(db);
            kind = DB_FAIL;
            goto done;
        }
        PQclear(r);
    }
    /* the service work must be over: no remote session still open (end or cancel it), and on
     * site at least one visit completed and none still proposed or confirmed */
    {
        const char *p[1] = {c.id};
        if ((r = db_tx_run(db, Q_FU_SERVICE_OPEN, p, &kind, err)) == NULL)
            goto done;
        bool session_open = !PQgetisnull(r, 0, 0), visit_open = !PQgetisnull(r, 0, 1);
        long long completed = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
        char session[16], visit[16];
        snprintf(session, sizeof session, "%s", PQgetvalue(r, 0, 0));
        snprintf(visit, sizeof visit, "%s", PQgetvalue(r, 0, 1));
        PQclear(r);
        if (session_open) {
            kind = db_tx_fail(db, err, ERR_CONFLICT, "remote_sessions",
                              arena_printf(&a,
                                           "remote session %s is still open: end it, or cancel it "
                                           "if it never took place",
                                           session));
            goto done;
        }
        if (strcmp(c.status, "onsite_planned") == 0 && (visit_open || completed == 0)) {
            kind =
                db_tx_fail(db, err, ERR_CONFLICT, "visits",
                           visit_open ? arena_printf(&a,
                                                     "visit %s is still open: complete or cancel "
                                                     "it first",
                                                     visit) :
                                        "no on-site visit was completed: the work is not "
                                        "complete on site");
            goto done;
        }
    }
    if (strcmp(req->channel, "email") == 0 && c.contact_email == NULL) {
        kind = db_tx_fail(db, err, ERR_INVALID, "follow_up.channel",
                          "the case has no contact e-mail address: follow up by phone");
        goto done;
    }
    if ((kind = db_case_move(db, strtoll(c.id, NULL, 10), CASE_EV_COMPLETE, c.status, actor, "api",
                             req->summary, NULL, &to, err)) != DB_ONE ||
        (kind = db_case_move(db, strtoll(c.id, NULL, 10), CASE_EV_FOLLOW_UP, "work_complete", actor,
                             "api", NULL, NULL, &to, err)) != DB_ONE) {
        db_rollback(db);
        goto done;
    }
    const char *fp[6] = {c.id, req->channel, req->summary, days, actor->name, tok};
    if ((r = db_tx_run(db, Q_FU_INSERT, fp, &kind, err)) == NULL)
        goto done;
    char *fu_id = db_field(&a, r, 0, 0);
    PQclear(r);
    if (strcmp(req->channel, "email") == 0) {
        struct mail_reply m = {
            c.contact_email, arena_printf(&a, "[%s] Your service case is complete", c.case_number),
            NULL};
        char *outbox_id;
        if ((kind = outbox_add(db, c.id, "follow_up", &m,
                               mailform_follow_up(&a, c.case_number, c.contact_name, req->summary),
                               NULL, actor, &a, &outbox_id, err)) != DB_ONE)
            goto done;
        const char *op[2] = {fu_id, outbox_id};
        if ((r = db_tx_run(db, Q_FU_SET_OUTBOX, op, &kind, err)) == NULL)
            goto done;
        PQclear(r);
    }
    if ((kind = db_commit(db, err)) == DB_ONE)
        kind = answer(db, &c, out, err);
done:
    arena_release(&a);
    return kind;
}

enum db_result db_follow_up_attempt(struct db *db, const char *case_number, const char *channel,
                                    const char *outcome, const char *note,
                                    const struct principal *actor, json_t **out, struct err *err)
{
    enum db_result kind;
    struct arena a;
    struct case_row c;
    char *fu_id;
    char tok[24];
    PGresult *r;

    arena_init(&a);
    token_str(actor, tok);
    if ((kind = db_begin(db, err)) != DB_ONE ||
        (kind = case_lock(db, case_number, actor, &a, &c, err)) != DB_ONE ||
        (kind = open_follow_up(db, &c, &a, &fu_id, NULL, NULL, err)) != DB_ONE)
        goto done;
    const char *p[7] = {fu_id, c.id, channel, outcome, note, actor->name, tok};
    if ((r = db_tx_run(db, Q_FU_ATTEMPT_INSERT, p, &kind, err)) == NULL)
        goto done;
    PQclear(r);
    if ((kind = db_commit(db, err)) == DB_ONE)
        kind = answer(db, &c, out, err);
done:
    arena_release(&a);
    return kind;
}

/* Closes the open follow-up fu_id (status) and the case (one event). */
static enum db_result close_case(struct db *db, const struct case_row *c, const char *fu_id,
                                 const char *status, const char *reason,
                                 const struct principal *actor, struct err *err)
{
    enum db_result kind;
    enum case_state to;
    char tok[24];
    PGresult *r;

    token_str(actor, tok);
    const char *p[5] = {fu_id, status, reason, actor->name, tok};
    if ((r = db_tx_run(db, Q_FU_CLOSE, p, &kind, err)) == NULL)
        return kind;
    bool changed = strcmp(PQcmdTuples(r), "1") == 0;
    PQclear(r);
    if (!changed)
        return db_tx_fail(db, err, ERR_CONFLICT, "status", "the follow-up was closed meanwhile");
    /* its e-mail, if still queued, must not go out after the close (a message already being
     * sent is checked once more by the sender right before the send) */
    const char *cp[2] = {fu_id,
                         strcmp(status, "done") == 0 ?
                             "the follow-up was closed (done: feedback recorded) before the "
                             "e-mail was sent" :
                             "the follow-up was closed (closed_no_feedback) before the e-mail "
                             "was sent"};
    if ((r = db_tx_run(db, Q_FU_OUTBOX_CANCEL, cp, &kind, err)) == NULL)
        return kind;
    PQclear(r);
    if ((kind = db_case_move(db, strtoll(c->id, NULL, 10), CASE_EV_CLOSE, "follow_up", actor, "api",
                             reason, NULL, &to, err)) != DB_ONE) {
        db_rollback(db);
        return kind;
    }
    return DB_ONE;
}

enum db_result db_follow_up_feedback(struct db *db, const char *case_number, int rating,
                                     const char *comment, const struct principal *actor,
                                     json_t **out, struct err *err)
{
    enum db_result kind;
    struct arena a;
    struct case_row c;
    char *fu_id;
    char tok[24];
    char rate[8];
    PGresult *r;

    arena_init(&a);
    token_str(actor, tok);
    snprintf(rate, sizeof rate, "%d", rating);
    if ((kind = db_begin(db, err)) != DB_ONE ||
        (kind = case_lock(db, case_number, actor, &a, &c, err)) != DB_ONE ||
        (kind = open_follow_up(db, &c, &a, &fu_id, NULL, NULL, err)) != DB_ONE)
        goto done;
    const char *p[6] = {c.id, fu_id, rate, comment, actor->name, tok};
    if ((r = db_tx_run(db, Q_FU_FEEDBACK_INSERT, p, &kind, err)) == NULL)
        goto done;
    PQclear(r);
    if ((kind = close_case(db, &c, fu_id, "done", "feedback recorded", actor, err)) != DB_ONE)
        goto done;
    if ((kind = db_commit(db, err)) == DB_ONE)
        kind = answer(db, &c, out, err);
done:
    arena_release(&a);
    return kind;
}

enum db_result db_follow_up_close(struct db *db, const char *case_number, const char *reason,
                                  const struct principal *actor, json_t **out, struct err *err)
{
    enum db_result kind;
    struct arena a;
    struct case_row c;
    char *fu_id;
    bool due = false;
    long attempts = 0;

    arena_init(&a);
    if ((kind = db_begin(db, err)) != DB_ONE ||
        (kind = case_lock(db, case_number, actor, &a, &c, err)) != DB_ONE ||
        (kind = open_follow_up(db, &c, &a, &fu_id, &due, &attempts, err)) != DB_ONE)
        goto done;
    if (!due) {
        kind = db_tx_fail(db, err, ERR_CONFLICT, "due_at",
                          "the follow-up is not due yet: record the feedback or wait");
        goto done;
    }
    if (attempts == 0) {
        kind = db_tx_fail(db, err, ERR_CONFLICT, "attempts",
                          "no contact attempt was made yet (a call, or the follow-up e-mail sent)");
        goto done;
    }
    if ((kind = close_case(db, &c, fu_id, "closed_no_feedback", reason, actor, err)) != DB_ONE)
        goto done;
    if ((kind = db_commit(db, err)) == DB_ONE)
        kind = answer(db, &c, out, err);
done:
    arena_release(&a);
    return kind;
}

enum db_result db_follow_up_get(struct db *db, const char *case_number, json_t **out,
                                struct err *err)
{
    enum db_result kind;
    const char *p[1] = {case_number};
    PGresult *r = db_run_case(db, Q_FU_CASE_ID, p, &kind, err);

    if (r == NULL)
        return kind;
    char *id = strdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    *out = follow_up_json(db, id, case_number, &kind, err);
    free(id);
    return kind;
}

/* ---- outbox ---- */

enum db_result db_outbox_claim(struct db *db, const char *claimer, int lease_s, struct arena *a,
                               struct outbox_msg *m, struct err *err)
{
    enum db_result kind;
    char lease[16];

    snprintf(lease, sizeof lease, "%d", lease_s);
    const char *p[2] = {claimer, lease};
    /* autocommit: the claim is committed when this returns */
    PGresult *r = db_run(db, Q_FU_OUTBOX_CLAIM, p, &kind, err);
    if (r == NULL)
        return kind;
    if (PQntuples(r) != 1) {
        PQclear(r);
        err_set(err, ERR_NOT_FOUND, "outbox", "nothing due");
        return DB_NONE;
    }
    m->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    m->to = db_field(a, r, 0, 1);
    m->subject = db_field(a, r, 0, 2);
    m->body = db_field(a, r, 0, 3);
    m->message_id = db_field(a, r, 0, 4);
    m->in_reply_to = db_field(a, r, 0, 5);
    m->attempts = atoi(PQgetvalue(r, 0, 6));
    PQclear(r);
    return DB_ONE;
}

enum db_result db_outbox_hold(struct db *db, int64_t id, const char *claimer, int lease_s,
                              bool *cancelled, struct err *err)
{
    enum db_result kind;
    char ids[24];
    char lease[16];

    snprintf(ids, sizeof ids, "%lld", (long long)id);
    snprintf(lease, sizeof lease, "%d", lease_s);
    const char *p[3] = {ids, claimer, lease};
    PGresult *r = db_run(db, Q_FU_OUTBOX_HOLD, p, &kind, err);
    if (r == NULL)
        return kind;
    bool held = PQntuples(r) == 1;
    *cancelled = held && strcmp(PQgetvalue(r, 0, 0), "cancelled") == 0;
    PQclear(r);
    if (!held) {
        err_set(err, ERR_CONFLICT, "outbox", "the claim ran out");
        return DB_NONE;
    }
    return DB_ONE;
}

enum db_result db_outbox_sent(struct db *db, int64_t id, struct err *err)
{
    enum db_result kind;
    char ids[24];

    snprintf(ids, sizeof ids, "%lld", (long long)id);
    const char *p[1] = {ids};
    PGresult *r = db_run(db, Q_FU_OUTBOX_SENT, p, &kind, err);
    if (r == NULL)
        return kind;
    bool changed = strcmp(PQcmdTuples(r), "1") == 0;
    PQclear(r);
    if (!changed) {
        err_set(err, ERR_CONFLICT, "outbox", "already marked sent");
        return DB_NONE;
    }
    return DB_ONE;
}

enum db_result db_outbox_retry(struct db *db, int64_t id, const char *claimer, int backoff_s,
                               bool permanent, const char *last_error, struct err *err)
{
    enum db_result kind;
    char ids[24];
    char backoff[16];

    snprintf(ids, sizeof ids, "%lld", (long long)id);
    snprintf(backoff, sizeof backoff, "%d", backoff_s);
    const char *p[5] = {ids, claimer, backoff, permanent ? "t" : "f", last_error};
    PGresult *r = db_run(db, Q_FU_OUTBOX_RETRY, p, &kind, err);
    if (r == NULL)
        return kind;
    bool changed = strcmp(PQcmdTuples(r), "1") == 0;
    PQclear(r);
    if (!changed) {
        err_set(err, ERR_CONFLICT, "outbox", "the claim was taken over");
        return DB_NONE;
    }
    return DB_ONE;
}
