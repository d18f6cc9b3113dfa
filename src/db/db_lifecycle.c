/*
 * db_lifecycle: the life of a service case in the database (issue 3).
 *
 *   db_case_move   the one primitive every module moves a case with: locks the case row,
 *                  asks core's table (case_next), stores the status (held_from on hold) and
 *                  writes exactly one event "case_<event>" with its actor, inside the caller's
 *                  transaction
 *   register, assign (and reassign: history kept in case_assignment), contacts, fault
 *   isolation, resolve, hold/resume, cancel (with the RMAs that have not moved), escalation to
 *   the factory; the escalation to the depot is db_rma_create, guarded by db_case_rma_guard
 *
 * Every request is one transaction here: on any failure it rolls back and nothing changed.  The
 * case row is locked first (FOR UPDATE in a statement of its own), so what is read after it
 * (assignments, fault isolations, an engineer's workload) is what the previous holder of the
 * lock left.  An engineer (role engineer) acts only on a case assigned to them.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/log.h"
#include "db_int.h"

static void i64s(char *buf, size_t n, int64_t v)
{
    snprintf(buf, n, "%lld", (long long)v);
}

static enum db_result json_result(PGresult *r, int col, json_t **out, struct err *err)
{
    json_error_t jerr;

    *out = json_loads(PQgetvalue(r, 0, col), 0, &jerr);
    PQclear(r);
    if (*out == NULL) {
        log_warnx("case view is not json: %s", jerr.text);
        err_set(err, ERR_INTERNAL, NULL, "cannot read the case");
        return DB_FAIL;
    }
    return DB_ONE;
}

/* Evidence of an event as JSON text (malloc'd; NULL for none).  Steals j. */
static char *dump(json_t *j)
{
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    return text;
}

/* ---- the move ---------------------------------------------------------------------------- */

enum db_result db_case_move(struct db *db, int64_t case_id, enum case_event ev,
                            const char *expected, const struct principal *actor,
                            const char *channel, const char *reason, const char *evidence_json,
                            enum case_state *to, struct err *err)
{
    enum db_result kind;
    char cid[24];
    char token[24];
    enum case_state from;
    enum case_state held = CASE_NEW;
    enum case_state next;
    struct err ignored = {0};
    PGresult *r;

    i64s(cid, sizeof cid, case_id);
    i64s(token, sizeof token, actor->token_id);
    const char *lp[1] = {cid};
    if ((r = db_run_case(db, Q_LC_CASE_LOCK, lp, &kind, err)) == NULL)
        return kind;
    if (case_state_parse(PQgetvalue(r, 0, 0), "status", &from, &ignored) != 0 ||
        (!PQgetisnull(r, 0, 1) &&
         case_state_parse(PQgetvalue(r, 0, 1), "held_from", &held, &ignored) != 0)) {
        log_warnx("case %s has an unknown status %s", cid, PQgetvalue(r, 0, 0));
        PQclear(r);
        err_set(err, ERR_INTERNAL, NULL, "the case has an unknown status");
        return DB_FAIL;
    }
    PQclear(r);
    if (expected != NULL && strcmp(expected, case_state_name(from)) != 0) {
        err_set(err, ERR_CONFLICT, "status", "the case is %s, not %s", case_state_name(from),
                expected);
        return DB_FAIL;
    }
    if (case_next(from, ev, held, &next, err) != 0)
        return DB_FAIL;
    const char *sp[4] = {cid, case_state_name(from), case_state_name(next),
                         next == CASE_ON_HOLD ? case_state_name(from) : NULL};
    if ((r = db_run(db, Q_LC_CASE_SET, sp, &kind, err)) == NULL)
        return kind;
    int n = PQntuples(r);
    PQclear(r);
    if (n != 1) {
        err_set(err, ERR_CONFLICT, "status", "the case moved meanwhile");
        return DB_FAIL;
    }
    char evkind[48];
    snprintf(evkind, sizeof evkind, "case_%s", case_event_name(ev));
    const char *ep[13] = {cid,
                          NULL,
                          NULL,
                          NULL,
                          NULL,
                          evkind,
                          case_state_name(from),
                          case_state_name(next),
                          actor->name,
                          token,
                          channel ? channel : "api",
                          reason,
                          evidence_json};
    if ((r = db_run(db, Q_EVENT_INSERT, ep, &kind, err)) == NULL)
        return kind;
    PQclear(r);
    *to = next;
    return DB_ONE;
}

/* An event of a case that is no move (reassignment, fault isolation, refused screening). */
static enum db_result case_event(struct db *db, const char *cid, const char *kind_name,
                                 const struct principal *actor, const char *reason,
                                 const char *evidence, struct err *err)
{
    enum db_result kind;
    char token[24];

    i64s(token, sizeof token, actor->token_id);
    const char *p[7] = {cid, kind_name, actor->name, token, "api", reason, evidence};
    PGresult *r = db_run(db, Q_LC_CASE_EVENT, p, &kind, err);
    if (r == NULL)
        return kind;
    PQclear(r);
    return DB_ONE;
}

/* ---- the case and its engineer ------------------------------------------------------------ */

struct case_ref {
    int64_t id;
    char id_s[24];
    enum case_state status;
    enum case_state held_from; /* on_hold only */
    char product_line[72];
};

/* Locks the case (inside a transaction).  DB_NONE with ERR_NOT_FOUND when there is none. */
static enum db_result case_lock(struct db *db, const char *case_number, struct case_ref *c,
                                struct err *err)
{
    enum db_result kind;
    struct err ignored = {0};
    const char *p[1] = {case_number};
    PGresult *r = db_run_case(db, Q_LC_CASE_REF, p, &kind, err);

    if (r == NULL)
        return kind;
    c->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    i64s(c->id_s, sizeof c->id_s, c->id);
    snprintf(c->product_line, sizeof c->product_line, "%s", PQgetvalue(r, 0, 3));
    int bad = case_state_parse(PQgetvalue(r, 0, 1), "status", &c->status, &ignored);
    c->held_from = CASE_NEW;
    if (!bad && !PQgetisnull(r, 0, 2))
        bad = case_state_parse(PQgetvalue(r, 0, 2), "held_from", &c->held_from, &ignored);
    PQclear(r);
    if (bad) {
        err_set(err, ERR_INTERNAL, NULL, "the case has an unknown status");
        return DB_FAIL;
    }
    return DB_ONE;
}

struct assignment {
    bool any;
    char id[24];
    char engineer_id[24];
    char engineer[72];
    int64_t token_id; /* 0 when the engineer has no token */
};

static enum db_result current_assignment(struct db *db, const struct case_ref *c,
                                         struct assignment *a, struct err *err)
{
    enum db_result kind;
    const char *p[1] = {c->id_s};
    PGresult *r = db_run(db, Q_LC_ASSIGN_CURRENT, p, &kind, err);

    if (r == NULL)
        return kind;
    memset(a, 0, sizeof *a);
    if (PQntuples(r) == 1) {
        a->any = true;
        snprintf(a->id, sizeof a->id, "%s", PQgetvalue(r, 0, 0));
        snprintf(a->engineer_id, sizeof a->engineer_id, "%s", PQgetvalue(r, 0, 1));
        snprintf(a->engineer, sizeof a->engineer, "%s", PQgetvalue(r, 0, 2));
        a->token_id = PQgetisnull(r, 0, 3) ? 0 : strtoll(PQgetvalue(r, 0, 3), NULL, 10);
    }
    PQclear(r);
    return DB_ONE;
}

static bool is_assigned_engineer(const struct principal *actor, const struct assignment *a)
{
    return a->any && a->token_id != 0 && a->token_id == actor->token_id;
}

/* Locks the case, reads its engineer and checks that the actor may act on it. */
static enum db_result case_for_actor(struct db *db, const char *case_number,
                                     const struct principal *actor, struct case_ref *c,
                                     struct assignment *a, struct err *err)
{
    enum db_result kind;

    if ((kind = case_lock(db, case_number, c, err)) != DB_ONE ||
        (kind = current_assignment(db, c, a, err)) != DB_ONE)
        return kind;
    if (actor->role == ROLE_ENGINEER && !is_assigned_engineer(actor, a)) {
        err_set(err, ERR_FORBIDDEN, "engineer",
                "only the engineer assigned to the case may do this");
        return DB_FAIL;
    }
    return DB_ONE;
}

/* Begins, locks the case for actor, moves it on ev with one event, commits. */
static enum db_result move_case(struct db *db, const char *case_number, enum case_event ev,
                                const struct principal *actor, const char *reason, json_t *evidence,
                                struct err *err)
{
    enum db_result kind;
    struct case_ref c;
    struct assignment a;
    enum case_state to;
    char *text = dump(evidence);

    if ((kind = db_begin(db, err)) != DB_ONE) {
        free(text);
        return kind;
    }
    kind = case_for_actor(db, case_number, actor, &c, &a, err);
    if (kind == DB_ONE)
        kind = db_case_move(db, c.id, ev, NULL, actor, "api", reason, text, &to, err);
    free(text);
    if (kind != DB_ONE)
        return db_tx_abort(db, kind);
    return db_commit(db, err);
}

/* ---- views ------------------------------------------------------------------------------- */

enum db_result db_case_view(struct db *db, const char *case_number, json_t **out, struct err *err)
{
    enum db_result kind;
    const char *p[1] = {case_number};
    PGresult *r = db_run_case(db, Q_LC_VIEW, p, &kind, err);

    if (r == NULL)
        return kind;
    return json_result(r, 0, out, err);
}

enum db_result db_cases_list(struct db *db, const char *status, const char *engineer,
                             const char *after, int limit, json_t **out, struct err *err)
{
    enum db_result kind;
    char lim[16];
    json_t *cases;

    snprintf(lim, sizeof lim, "%d", limit);
    const char *p[4] = {status, engineer, after, lim};
    PGresult *r = db_run(db, Q_LC_LIST, p, &kind, err);
    if (r == NULL)
        return kind;
    int n = atoi(PQgetvalue(r, 0, 1));
    char *last = n == limit ? strdup(PQgetvalue(r, 0, 2)) : NULL;
    if ((kind = json_result(r, 0, &cases, err)) != DB_ONE) {
        free(last);
        return kind;
    }
    *out = json_pack("{s:o, s:s?}", "cases", cases, "next", last);
    free(last);
    return DB_ONE;
}

enum db_result db_engineers_list(struct db *db, const char *name, json_t **out, struct err *err)
{
    enum db_result kind;
    const char *p[1] = {name};
    PGresult *r = db_run(db, Q_LC_ENGINEER_LIST, p, &kind, err);

    if (r == NULL)
        return kind;
    return json_result(r, 0, out, err);
}

/* ---- engineers --------------------------------------------------------------------------- */

enum db_result db_engineer_save(struct db *db, const struct engineer_input *in, bool *created,
                                json_t **out, struct err *err)
{
    enum db_result kind;
    char token_id[24] = "";
    char maxo[24] = "";
    PGresult *r;

    if (in->token != NULL) {
        unsigned char hash[crypto_hash_sha256_BYTES];
        crypto_hash_sha256(hash, (const unsigned char *)in->token, strlen(in->token));
        const char *tp[1] = {(const char *)hash};
        int lengths[1] = {(int)sizeof hash};
        int formats[1] = {1};
        if ((r = db_run_bin(db, Q_LC_TOKEN_BY_HASH, tp, lengths, formats, &kind, err)) == NULL)
            return kind;
        bool ok = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 1), "engineer") == 0;
        if (ok)
            snprintf(token_id, sizeof token_id, "%s", PQgetvalue(r, 0, 0));
        PQclear(r);
        if (!ok) {
            err_set(err, ERR_INVALID, "token", "is not a live token of role engineer");
            return DB_FAIL;
        }
    }
    if (in->product_lines_json != NULL) {
        const char *lp[1] = {in->product_lines_json};
        if ((r = db_run(db, Q_LC_LINES_UNKNOWN, lp, &kind, err)) == NULL)
            return kind;
        if (PQntuples(r) == 1) {
            char f[48];
            snprintf(f, sizeof f, "product_lines[%s]", PQgetvalue(r, 0, 0));
            err_set(err, ERR_INVALID, f, "is the product line of no product model");
            PQclear(r);
            return DB_FAIL;
        }
        PQclear(r);
    }
    if (in->max_open_cases > 0)
        i64s(maxo, sizeof maxo, in->max_open_cases);
    const char *p[6] = {in->name,
                        in->email,
                        token_id[0] ? token_id : NULL,
                        in->product_lines_json,
                        maxo[0] ? maxo : NULL,
                        in->active < 0 ? NULL : (in->active ? "t" : "f")};
    if ((r = db_run(db, Q_LC_ENGINEER_SAVE, p, &kind, err)) == NULL) {
        if (err->kind == ERR_CONFLICT) {
            err_clear(err);
            err_set(err, ERR_CONFLICT, "token", "the token belongs to another engineer");
        }
        return kind;
    }
    *created = strcmp(PQgetvalue(r, 0, 1), "t") == 0;
    PQclear(r);
    if ((kind = db_engineers_list(db, in->name, out, err)) != DB_ONE)
        return kind;
    json_t *one = json_incref(json_array_get(*out, 0));
    json_decref(*out);
    *out = one;
    return one ? DB_ONE : DB_FAIL;
}

enum db_result db_engineer_suggestions(struct db *db, const char *case_number, json_t **out,
                                       struct err *err)
{
    enum db_result kind;
    struct case_ref c;
    PGresult *r;

    if ((kind = db_begin(db, err)) != DB_ONE)
        return kind;
    if ((kind = case_lock(db, case_number, &c, err)) != DB_ONE)
        return db_tx_abort(db, kind);
    const char *p[1] = {c.product_line};
    if ((r = db_run(db, Q_LC_ENGINEER_SUGGEST, p, &kind, err)) == NULL)
        return db_tx_abort(db, kind);
    json_t *list = json_array();
    for (int i = 0; i < PQntuples(r); i++) {
        long long maxo = strtoll(PQgetvalue(r, i, 1), NULL, 10);
        long long open = strtoll(PQgetvalue(r, i, 2), NULL, 10);
        long long free_slots = strtoll(PQgetvalue(r, i, 3), NULL, 10);
        char why[200];
        snprintf(why, sizeof why, "has the skill %s; %lld of %lld open cases%s", c.product_line,
                 open, maxo, free_slots > 0 ? "" : " (at capacity)");
        json_array_append_new(list, json_pack("{s:s, s:I, s:I, s:f, s:b, s:s}", "engineer",
                                              PQgetvalue(r, i, 0), "open_cases", (json_int_t)open,
                                              "max_open_cases", (json_int_t)maxo, "load",
                                              maxo > 0 ? (double)open / (double)maxo : 1.0,
                                              "has_capacity", free_slots > 0, "why", why));
    }
    PQclear(r);
    db_rollback(db);
    *out = json_pack("{s:s, s:s, s:o}", "case_number", case_number, "product_line", c.product_line,
                     "suggestions", list);
    return DB_ONE;
}

/* Whether product line `line` is in the JSON list text `lines`. */
static bool has_line(const char *lines, const char *line)
{
    json_t *j = json_loads(lines, 0, NULL);
    size_t i;
    json_t *v;
    bool found = false;

    json_array_foreach(j, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), line) == 0)
            found = true;
    }
    json_decref(j);
    return found;
}

enum db_result db_case_assign(struct db *db, const char *case_number, const char *engineer,
                              const char *reason, const struct principal *actor, struct err *err)
{
    enum db_result kind;
    struct case_ref c;
    struct assignment a;
    enum case_state to;
    char name[72];
    char token[24];
    PGresult *r;

    i64s(token, sizeof token, actor->token_id);
    if ((kind = db_begin(db, err)) != DB_ONE)
        return kind;
    if ((kind = case_lock(db, case_number, &c, err)) != DB_ONE ||
        (kind = current_assignment(db, &c, &a, err)) != DB_ONE)
        return db_tx_abort(db, kind);
    /* on hold from registered: the first engineer; the case stays on hold and resumes to
     * assigned (held_from becomes assigned), so contacts and reassignment work after resume */
    bool held_first = c.status == CASE_ON_HOLD && c.held_from == CASE_REGISTERED;
    bool reassign = case_is_assignable(c.status) && !held_first;
    if (!reassign && !held_first && case_next(c.status, CASE_EV_ASSIGN, CASE_NEW, &to, err) != 0)
        return db_tx_abort(db, DB_FAIL);

    if (engineer == NULL) {
        /* the best suggestion that has room (and is not the one assigned now) */
        const char *sp[1] = {c.product_line};
        if ((r = db_run(db, Q_LC_ENGINEER_SUGGEST, sp, &kind, err)) == NULL)
            return db_tx_abort(db, kind);
        name[0] = '\0';
        for (int i = 0; i < PQntuples(r) && name[0] == '\0'; i++)
            if (strtoll(PQgetvalue(r, i, 3), NULL, 10) > 0 &&
                !(a.any && strcmp(a.engineer, PQgetvalue(r, i, 0)) == 0))
                snprintf(name, sizeof name, "%s", PQgetvalue(r, i, 0));
        PQclear(r);
        if (name[0] == '\0') {
            err_set(err, ERR_CONFLICT, "engineer",
                    "no active engineer with the skill %s has room for another case",
                    c.product_line);
            return db_tx_abort(db, DB_FAIL);
        }
    } else {
        snprintf(name, sizeof name, "%s", engineer);
    }

    /* the engineer's row first (its own statement), then the workload as it is now */
    const char *np[1] = {name};
    if ((r = db_run(db, Q_LC_ENGINEER_LOCK, np, &kind, err)) == NULL)
        return db_tx_abort(db, kind);
    int found = PQntuples(r);
    PQclear(r);
    if (found != 1) {
        err_set(err, ERR_INVALID, "engineer", "unknown engineer");
        return db_tx_abort(db, DB_FAIL);
    }
    if ((r = db_run(db, Q_LC_ENGINEER_GET, np, &kind, err)) == NULL)
        return db_tx_abort(db, kind);
    char eid[24];
    snprintf(eid, sizeof eid, "%s", PQgetvalue(r, 0, 0));
    bool active = strcmp(PQgetvalue(r, 0, 1), "t") == 0;
    bool skilled = has_line(PQgetvalue(r, 0, 2), c.product_line);
    long long maxo = strtoll(PQgetvalue(r, 0, 3), NULL, 10);
    long long open = strtoll(PQgetvalue(r, 0, 4), NULL, 10);
    PQclear(r);
    if (!skilled) {
        err_set(err, ERR_INVALID, "engineer", "%s has no skill for the product line %s", name,
                c.product_line);
        return db_tx_abort(db, DB_FAIL);
    }
    if (!active) {
        err_set(err, ERR_CONFLICT, "engineer", "%s is not active", name);
        return db_tx_abort(db, DB_FAIL);
    }
    if (a.any && strcmp(a.engineer, name) == 0) {
        err_set(err, ERR_CONFLICT, "engineer", "the case is already assigned to %s", name);
        return db_tx_abort(db, DB_FAIL);
    }
    if (open >= maxo) {
        err_set(err, ERR_CONFLICT, "engineer", "%s is at capacity (%lld of %lld open cases)", name,
                open, maxo);
        return db_tx_abort(db, DB_FAIL);
    }

    if (a.any) {
        const char *cp[1] = {a.id};
        if ((r = db_run(db, Q_LC_ASSIGN_CLOSE, cp, &kind, err)) == NULL)
            return db_tx_abort(db, kind);
        PQclear(r);
    }
    const char *ip[4] = {c.id_s, eid, token, reason};
    if ((r = db_run(db, Q_LC_ASSIGN_INSERT, ip, &kind, err)) == NULL)
        return db_tx_abort(db, kind);
    PQclear(r);
    if (held_first) {
        const char *hp[1] = {c.id_s};
        if ((r = db_run(db, Q_LC_CASE_HELD_ASSIGNED, hp, &kind, err)) == NULL)
            return db_tx_abort(db, kind);
        int n = PQntuples(r);
        PQclear(r);
        if (n != 1) {
            err_set(err, ERR_CONFLICT, "status", "the case moved meanwhile");
            return db_tx_abort(db, DB_FAIL);
        }
        char *text = dump(json_pack("{s:s, s:s, s:s}", "engineer", name, "status", "on_hold",
                                    "resumes_to", "assigned"));
        kind = case_event(db, c.id_s, "case_assign_on_hold", actor, reason, text, err);
        free(text);
    } else if (reassign) {
        char *text = dump(json_pack("{s:s?, s:s, s:s}", "from", a.any ? a.engineer : NULL, "to",
                                    name, "status", case_state_name(c.status)));
        kind = case_event(db, c.id_s, "case_reassigned", actor, reason, text, err);
        free(text);
    } else {
        char *text = dump(json_pack("{s:s}", "engineer", name));
        kind = db_case_move(db, c.id, CASE_EV_ASSIGN, NULL, actor, "api", reason, text, &to, err);
        free(text);
    }
    if (kind != DB_ONE)
        return db_tx_abort(db, kind);
    return db_commit(db, err);
}

/* ---- the work ---------------------------------------------------------------------------- */

enum db_result db_case_register(struct db *db, const char *case_number, const char *priority,
                                const struct principal *actor, struct err *err)
{
    enum db_result kind;
    struct case_ref c;
    enum case_state to;
    PGresult *r;

    if ((kind = db_begin(db, err)) != DB_ONE)
        return kind;
    if ((kind = case_lock(db, case_number, &c, err)) != DB_ONE)
        return db_tx_abort(db, kind);
    char *text = dump(json_pack("{s:s}", "priority", priority ? priority : "normal"));
    kind = db_case_move(db, c.id, CASE_EV_REGISTER, NULL, actor, "api", NULL, text, &to, err);
    free(text);
    if (kind != DB_ONE)
        return db_tx_abort(db, kind);
    if (priority != NULL) {
        const char *p[2] = {c.id_s, priority};
        if ((r = db_run(db, Q_LC_CASE_PRIORITY, p, &kind, err)) == NULL)
            return db_tx_abort(db, kind);
        PQclear(r);
    }
    return db_commit(db, err);
}

enum db_result db_case_contact(struct db *db, const char *case_number, const char *method,
                               const char *summary, bool reached, const struct principal *actor,
                               struct err *err)
{
    enum db_result kind;
    struct case_ref c;
    struct assignment a;
    enum case_state to;
    char token[24];
    PGresult *r;

    i64s(token, sizeof token, actor->token_id);
    if ((kind = db_begin(db, err)) != DB_ONE)
        return kind;
    if ((kind = case_for_actor(db, case_number, actor, &c, &a, err)) != DB_ONE)
        return db_tx_abort(db, kind);
    if (!case_is_assignable(c.status)) {
        err_set(err, ERR_CONFLICT, "status", "the case is %s: no engineer works on it",
                case_state_name(c.status));
        return db_tx_abort(db, DB_FAIL);
    }
    /* on hold, only a case held from troubleshooting takes contacts: held before, a reached
     * contact would start troubleshooting the hold keeps from starting */
    if (c.status == CASE_ON_HOLD && c.held_from != CASE_TROUBLESHOOTING) {
        err_set(err, ERR_CONFLICT, "status",
                "the case is on_hold from %s: resume the case first, then record the contact",
                case_state_name(c.held_from));
        return db_tx_abort(db, DB_FAIL);
    }
    if (!a.any) {
        err_set(err, ERR_CONFLICT, "engineer",
                "no engineer is assigned to the case: a contact is the engineer's");
        return db_tx_abort(db, DB_FAIL);
    }
    /* the engineer's contact, recorded by them or for them by a manager or an admin */
    const char *p[6] = {c.id_s, a.engineer_id, method, summary, reached ? "t" : "f", token};
    if ((r = db_run(db, Q_LC_CONTACT_INSERT, p, &kind, err)) == NULL)
        return db_tx_abort(db, kind);
    PQclear(r);
    /* only a contact that reached the customer starts troubleshooting (and stops the
     * first-contact clock); an unanswered call is an attempt: the case stays assigned */
    if (c.status == CASE_ASSIGNED) {
        char *text = dump(json_pack("{s:s, s:b}", "method", method, "reached", reached));
        if (reached)
            kind = db_case_move(db, c.id, CASE_EV_START, "assigned", actor, "api", summary, text,
                                &to, err);
        else
            kind = case_event(db, c.id_s, "case_contact_attempt", actor, summary, text, err);
        free(text);
        if (kind != DB_ONE)
            return db_tx_abort(db, kind);
    }
    return db_commit(db, err);
}

enum db_result db_case_fault_isolation(struct db *db, const char *case_number,
                                       const struct fault_isolation_input *in,
                                       const struct principal *actor, struct err *err)
{
    enum db_result kind;
    struct case_ref c;
    struct assignment a;
    char token[24];
    PGresult *r;

    i64s(token, sizeof token, actor->token_id);
    if ((kind = db_begin(db, err)) != DB_ONE)
        return kind;
    if ((kind = case_for_actor(db, case_number, actor, &c, &a, err)) != DB_ONE)
        return db_tx_abort(db, kind);
    if (c.status != CASE_TROUBLESHOOTING && c.status != CASE_ONSITE_PLANNED) {
        err_set(err, ERR_CONFLICT, "status",
                "the case is %s: fault isolation needs troubleshooting or onsite_planned",
                case_state_name(c.status));
        return db_tx_abort(db, DB_FAIL);
    }
    const char *p[7] = {c.id_s,
                        is_assigned_engineer(actor, &a) ? a.engineer_id : NULL,
                        in->method,
                        in->findings,
                        in->suspected_part,
                        in->conclusion,
                        token};
    if ((r = db_run(db, Q_LC_FI_INSERT, p, &kind, err)) == NULL)
        return db_tx_abort(db, kind);
    json_t *ev =
        json_pack("{s:s, s:s, s:s, s:s?}", "fault_isolation_id", PQgetvalue(r, 0, 0), "method",
                  in->method, "conclusion", in->conclusion, "suspected_part", in->suspected_part);
    PQclear(r);
    char *text = dump(ev);
    kind = case_event(db, c.id_s, "case_fault_isolated", actor, in->findings, text, err);
    free(text);
    if (kind != DB_ONE)
        return db_tx_abort(db, kind);
    return db_commit(db, err);
}

/* The latest fault isolation of the case: DB_ONE with its id, DB_FAIL with ERR_CONFLICT
 * "fault_isolation" when there is none. */
static enum db_result fault_isolated(struct db *db, const struct case_ref *c, char *id, size_t n,
                                     struct err *err)
{
    enum db_result kind;
    const char *p[1] = {c->id_s};
    PGresult *r = db_run(db, Q_LC_FI_LAST, p, &kind, err);

    if (r == NULL)
        return kind;
    int found = PQntuples(r);
    if (found == 1)
        snprintf(id, n, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    if (found != 1) {
        err_set(err, ERR_CONFLICT, "fault_isolation",
                "no fault isolation is recorded for the case yet");
        return DB_FAIL;
    }
    return DB_ONE;
}

/* A move that needs a recorded fault isolation (remote resolution, factory escalation): the
 * event names it. */
static enum db_result move_isolated(struct db *db, const char *case_number, enum case_event ev,
                                    const char *text_in, const struct principal *actor,
                                    struct err *err)
{
    enum db_result kind;
    struct case_ref c;
    struct assignment a;
    enum case_state to;
    char fi[24];

    if ((kind = db_begin(db, err)) != DB_ONE)
        return kind;
    if ((kind = case_for_actor(db, case_number, actor, &c, &a, err)) != DB_ONE)
        return db_tx_abort(db, kind);
    if (case_next(c.status, ev, c.held_from, &to, err) != 0)
        return db_tx_abort(db, DB_FAIL);
    if ((kind = fault_isolated(db, &c, fi, sizeof fi, err)) != DB_ONE)
        return db_tx_abort(db, kind);
    char *text = dump(json_pack("{s:s}", "fault_isolation_id", fi));
    kind = db_case_move(db, c.id, ev, NULL, actor, "api", text_in, text, &to, err);
    free(text);
    if (kind != DB_ONE)
        return db_tx_abort(db, kind);
    return db_commit(db, err);
}

enum db_result db_case_resolve(struct db *db, const char *case_number, const char *resolution,
                               const struct principal *actor, struct err *err)
{
    return move_isolated(db, case_number, CASE_EV_RESOLVE_REMOTE, resolution, actor, err);
}

enum db_result db_case_hold(struct db *db, const char *case_number, const char *reason,
                            const char *waiting_for, const struct principal *actor, struct err *err)
{
    return move_case(db, case_number, CASE_EV_HOLD, actor, reason,
                     json_pack("{s:s?}", "waiting_for", waiting_for), err);
}

enum db_result db_case_resume(struct db *db, const char *case_number, const char *reason,
                              const struct principal *actor, struct err *err)
{
    return move_case(db, case_number, CASE_EV_RESUME, actor, reason, NULL, err);
}

/* The factory, like the depot, needs a recorded fault isolation (409 "fault_isolation"). */
enum db_result db_case_escalate_factory(struct db *db, const char *case_number, const char *reason,
                                        const struct principal *actor, struct err *err)
{
    return move_isolated(db, case_number, CASE_EV_ESCALATE_FACTORY, reason, actor, err);
}

enum db_result db_case_cancel(struct db *db, const char *case_number, const char *reason,
                              const struct principal *actor, struct err *err)
{
    enum db_result kind;
    struct case_ref c;
    struct assignment a;
    enum case_state to;
    PGresult *r;

    if ((kind = db_begin(db, err)) != DB_ONE)
        return kind;
    if ((kind = case_for_actor(db, case_number, actor, &c, &a, err)) != DB_ONE)
        return db_tx_abort(db, kind);
    /* on hold: judged on the state it was held from (a case held at the factory is not
     * cancelled either) */
    if (case_next(c.status, CASE_EV_CANCEL, c.held_from, &to, err) != 0)
        return db_tx_abort(db, DB_FAIL);
    const char *p[1] = {c.id_s};
    if ((r = db_run(db, Q_LC_CASE_RMAS, p, &kind, err)) == NULL)
        return db_tx_abort(db, kind);
    int n = PQntuples(r);
    char(*rmas)[24] = calloc((size_t)n + 1, sizeof *rmas);
    for (int i = 0; i < n; i++)
        snprintf(rmas[i], sizeof rmas[i], "%s", PQgetvalue(r, i, 0));
    PQclear(r);
    json_t *cancelled = json_array();
    for (int i = 0; i < n && kind == DB_ONE; i++) {
        enum db_result k = db_rma_cancel_in_tx(db, rmas[i], reason, actor, err);
        if (k == DB_ONE)
            json_array_append_new(cancelled, json_string(rmas[i]));
        else if (k != DB_NONE || err->kind != ERR_NONE)
            kind = k;
    }
    free(rmas);
    if (kind != DB_ONE) {
        json_decref(cancelled);
        return db_tx_abort(db, kind);
    }
    /* the open remote sessions and on-site visits are cancelled with the case */
    char token[24];
    i64s(token, sizeof token, actor->token_id);
    const char *sp[4] = {c.id_s, reason, actor->name, token};
    if ((r = db_run(db, Q_LC_CANCEL_SERVICE, sp, &kind, err)) == NULL) {
        json_decref(cancelled);
        return db_tx_abort(db, kind);
    }
    json_t *sessions = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
    json_t *visits = json_loads(PQgetvalue(r, 0, 1), 0, NULL);
    PQclear(r);
    /* the record names the state the case really was in: held_from when on hold */
    char *text = dump(json_pack("{s:o, s:o*, s:o*, s:s?}", "rmas_cancelled", cancelled,
                                "remote_sessions_cancelled", sessions, "visits_cancelled", visits,
                                "held_from",
                                c.status == CASE_ON_HOLD ? case_state_name(c.held_from) : NULL));
    kind = db_case_move(db, c.id, CASE_EV_CANCEL, NULL, actor, "api", reason, text, &to, err);
    free(text);
    if (kind != DB_ONE)
        return db_tx_abort(db, kind);
    return db_commit(db, err);
}

/* ---- the escalation to the depot (db_rma_create) ------------------------------------------ */

enum db_result db_case_rma_guard(struct db *db, const char *case_number,
                                 enum screening_outcome outcome, const char *reason,
                                 const char *evidence_json, const struct principal *actor,
                                 int64_t *case_id, bool *keep, struct err *err)
{
    enum db_result kind;
    struct case_ref c;
    struct assignment a;
    char fi[24];

    *keep = false;
    kind = case_for_actor(db, case_number, actor, &c, &a, err);
    if (kind == DB_NONE) {
        err_clear(err);
        err_set(err, ERR_INVALID, "case_number", "unknown case");
        return DB_FAIL;
    }
    if (kind != DB_ONE)
        return kind;
    if (c.status != CASE_TROUBLESHOOTING && c.status != CASE_ONSITE_PLANNED &&
        c.status != CASE_RMA_REQUESTED) {
        err_set(err, ERR_CONFLICT, "status",
                "the case is %s: an rma needs troubleshooting, onsite_planned or rma_requested",
                case_state_name(c.status));
        return DB_FAIL;
    }
    if ((kind = fault_isolated(db, &c, fi, sizeof fi, err)) != DB_ONE)
        return kind;
    if (outcome == SCREEN_MISUSE_SUSPECTED) {
        json_t *ev = json_pack("{s:s, s:s}", "outcome", screening_outcome_name(outcome),
                               "fault_isolation_id", fi);
        json_t *given = evidence_json ? json_loads(evidence_json, 0, NULL) : NULL;
        if (given != NULL)
            json_object_set_new(ev, "evidence", given);
        char *text = dump(ev);
        kind = case_event(db, c.id_s, "case_screening_refused", actor, reason, text, err);
        free(text);
        if (kind != DB_ONE)
            return kind;
        *keep = true;
        err_set(err, ERR_INVALID, "screening.outcome", "misuse: no return to depot");
        return DB_FAIL;
    }
    *case_id = c.id;
    return DB_ONE;
}

enum db_result db_case_rma_requested(struct db *db, int64_t case_id, const char *rma_number,
                                     const struct principal *actor, struct err *err)
{
    enum db_result kind;
    enum case_state to;
    char cid[24];
    PGresult *r;

    i64s(cid, sizeof cid, case_id);
    const char *p[1] = {cid};
    if ((r = db_run(db, Q_LC_CASE_LOCK, p, &kind, err)) == NULL)
        return kind;
    bool there = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "rma_requested") == 0;
    PQclear(r);
    if (there)
        return DB_ONE;
    char *text = dump(json_pack("{s:s}", "rma_number", rma_number));
    kind = db_case_move(db, case_id, CASE_EV_REQUEST_RMA, NULL, actor, "api", NULL, text, &to, err);
    free(text);
    return kind;
}
