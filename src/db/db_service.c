/*
 * db_service: remote support sessions, on-site visits, the service log and the customer's
 * authorizations (issue 3; include/db/service.h says what each function does).
 *
 *   lock      the case row FOR UPDATE in a statement of its own, then read its status and the
 *             engineer assigned now (case_assignment, engineer): racing requests on one case run
 *             one after the other and see what the previous one left
 *   decide    the rules of core/service.c with "now" = the transaction's now(), the customer's
 *             calendar from db_case_calendar (the case's zone and its region's holidays)
 *   record    the row, one event row with the actor; the first visit of a troubleshooting case
 *             moves the case to onsite_planned (db_case_move, event plan_onsite)
 *
 * Every writing function is one transaction; any refusal rolls back, so it writes nothing.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/log.h"
#include "db/service.h"
#include "db/tzcache.h"
#include "db_int.h"

/* The case as the rules need it, read under the lock. */
struct svc_case {
    char id[24];
    enum case_state status;
    bool assigned;
    int64_t engineer_token; /* 0 when the engineer has no token */
    char engineer[72];
    int64_t now;       /* the transaction's now(), rounded up to the second */
    int64_t now_floor; /* ... and down */
    int64_t opened;    /* created_at: nothing of the case happens before it */
};

static char *i64(char *buf, size_t n, int64_t v)
{
    snprintf(buf, n, "%" PRId64, v);
    return buf;
}

/* Rolls back when kind is not DB_ONE (err is already set) and returns kind. */
static enum db_result rb(struct db *db, enum db_result kind)
{
    if (kind != DB_ONE)
        db_rollback(db);
    return kind;
}

static json_t *parse_json(const char *text, struct err *err)
{
    json_error_t jerr;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (j == NULL) {
        log_warnx("service view is not json: %s", jerr.text);
        err_set(err, ERR_INTERNAL, NULL, "cannot read the service record");
    }
    return j;
}

/* Runs a statement whose one row, one column is JSON text; *out the parsed value. */
static enum db_result run_json(struct db *db, enum stmt q, const char *const *p, json_t **out,
                               struct err *err)
{
    enum db_result kind;
    PGresult *r = db_run(db, q, p, &kind, err);
    if (r == NULL)
        return kind;
    if (PQntuples(r) != 1) {
        PQclear(r);
        err_set(err, ERR_INTERNAL, NULL, "cannot read the service record");
        return DB_FAIL;
    }
    *out = parse_json(PQgetvalue(r, 0, PQnfields(r) - 1), err);
    PQclear(r);
    return *out ? DB_ONE : DB_FAIL;
}

/* Locks the case and reads it (inside the transaction; rolls back on failure). */
static enum db_result case_lock(struct db *db, const char *case_number, struct svc_case *c,
                                struct err *err)
{
    enum db_result kind;
    const char *p[1] = {case_number};
    PGresult *r = db_run(db, Q_SVC_CASE_LOCK, p, &kind, err);

    if (r == NULL)
        return rb(db, kind);
    if (PQntuples(r) != 1) {
        PQclear(r);
        return db_tx_fail(db, err, ERR_NOT_FOUND, "case_number", "no such case");
    }
    snprintf(c->id, sizeof c->id, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    const char *ip[1] = {c->id};
    if ((r = db_run(db, Q_SVC_CASE_INFO, ip, &kind, err)) == NULL)
        return rb(db, kind);
    struct err perr = {0};
    if (case_state_parse(PQgetvalue(r, 0, 0), "status", &c->status, &perr) != 0) {
        PQclear(r);
        return db_tx_fail(db, err, ERR_INTERNAL, NULL, "the case has an unknown status");
    }
    c->assigned = !PQgetisnull(r, 0, 2);
    c->engineer_token = PQgetisnull(r, 0, 1) ? 0 : strtoll(PQgetvalue(r, 0, 1), NULL, 10);
    snprintf(c->engineer, sizeof c->engineer, "%s", PQgetvalue(r, 0, 2));
    c->now = strtoll(PQgetvalue(r, 0, 3), NULL, 10);
    c->now_floor = strtoll(PQgetvalue(r, 0, 4), NULL, 10);
    c->opened = strtoll(PQgetvalue(r, 0, 5), NULL, 10);
    PQclear(r);
    return DB_ONE;
}

/* The case id of case_number without a lock (read-only lists). */
static enum db_result case_id(struct db *db, const char *case_number, char *id, size_t n,
                              struct err *err)
{
    enum db_result kind;
    const char *p[1] = {case_number};
    PGresult *r = db_run_case(db, Q_SVC_CASE_ID, p, &kind, err);

    if (r == NULL)
        return kind;
    snprintf(id, n, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return DB_ONE;
}

/* Whether actor may do engineer's work on the case: admin always, the desk (agents, managers)
 * when desk_ok, an engineer only when assigned to the case now.  The route's roles come first. */
static int may_work(const struct svc_case *c, const struct principal *actor, bool desk_ok,
                    const char *what, struct err *err)
{
    if (actor->role == ROLE_ADMIN)
        return 0;
    if (actor->role == ROLE_ENGINEER) {
        if (!c->assigned)
            return err_set(err, ERR_FORBIDDEN, "engineer",
                           "no engineer is assigned to the case: only an assigned engineer may %s",
                           what);
        if (c->engineer_token == 0 || c->engineer_token != actor->token_id)
            return err_set(err, ERR_FORBIDDEN, "engineer",
                           "only the engineer assigned to the case (%s) may %s", c->engineer, what);
        return 0;
    }
    if (desk_ok && actor->role != ROLE_DEPOT && actor->role != ROLE_CARRIER)
        return 0;
    return err_set(err, ERR_FORBIDDEN, "role", "the %s role may not %s", role_name(actor->role),
                   what);
}

enum db_result db_case_engineer_gate(struct db *db, const char *case_number, int session_no,
                                     const struct principal *actor, struct err *err)
{
    enum db_result kind;
    char no[16];

    if (actor->role != ROLE_ENGINEER)
        return DB_ONE;
    const char *p[2] = {case_number, session_no > 0 ? i64(no, sizeof no, session_no) : NULL};
    PGresult *r = db_run_case(db, Q_SVC_ENGINEER_GATE, p, &kind, err);
    if (r == NULL)
        return kind;
    struct svc_case c = {.assigned = !PQgetisnull(r, 0, 1)};
    c.engineer_token = PQgetisnull(r, 0, 0) ? 0 : strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    snprintf(c.engineer, sizeof c.engineer, "%s", PQgetvalue(r, 0, 1));
    bool runner =
        !PQgetisnull(r, 0, 2) && strtoll(PQgetvalue(r, 0, 2), NULL, 10) == actor->token_id;
    PQclear(r);
    if (runner || may_work(&c, actor, false, "write on it", err) == 0)
        return DB_ONE;
    return DB_FAIL;
}

static int case_in(const struct svc_case *c, enum case_state a, enum case_state b, const char *what,
                   struct err *err)
{
    if (c->status == a || c->status == b)
        return 0;
    if (a == b)
        return err_set(err, ERR_CONFLICT, "status", "the case is %s: %s needs it %s",
                       case_state_name(c->status), what, case_state_name(a));
    return err_set(err, ERR_CONFLICT, "status", "the case is %s: %s needs it %s or %s",
                   case_state_name(c->status), what, case_state_name(a), case_state_name(b));
}

/* One event row of the case (rule 8). */
static enum db_result event(struct db *db, const struct svc_case *c, const char *kind,
                            const char *from, const char *to, const struct principal *actor,
                            json_t *evidence, struct err *err)
{
    enum db_result rk;
    char tid[24];
    char *ev = json_dumps(evidence, JSON_COMPACT);
    json_decref(evidence);
    const char *p[7] = {c->id, kind, from, to, actor->name, i64(tid, sizeof tid, actor->token_id),
                        ev};
    PGresult *r = db_run(db, Q_SVC_EVENT, p, &rk, err);
    free(ev);
    if (r == NULL)
        return rb(db, rk);
    PQclear(r);
    return DB_ONE;
}

/* The end of a change that made *out: after kind (the last step) is DB_ONE, the commit; when
 * either fails, *out is dropped (NULL). */
static enum db_result commit_out(struct db *db, enum db_result kind, json_t **out, struct err *err)
{
    if (kind == DB_ONE)
        kind = db_commit(db, err);
    if (kind != DB_ONE) {
        json_decref(*out);
        *out = NULL;
    }
    return kind;
}

/* The case's calendar for the remote window or the on-site hours. */
static enum db_result calendar(struct db *db, const struct svc_case *c, bool onsite,
                               struct arena *a, struct tz_cal *cal, struct err *err)
{
    return db_case_calendar(
        db, strtoll(c->id, NULL, 10), onsite ? SERVICE_ONSITE_OPEN_MIN : SERVICE_REMOTE_OPEN_MIN,
        onsite ? SERVICE_ONSITE_CLOSE_MIN : SERVICE_REMOTE_CLOSE_MIN, a, cal, err);
}

/* The name of the holiday of the case's region on the local day of t, in name (n bytes);
 * "" when that day is no holiday. */
static void holiday_name(struct db *db, const struct svc_case *c, const struct tz_cal *cal,
                         int64_t t, char *name, size_t n)
{
    struct tz_local l;
    char day[16];
    struct err ignored = {0};
    bool holiday = false;

    name[0] = '\0';
    tz_to_local(cal->tz, t, &l);
    int64_t d = tz_days_from_civil(l.year, l.month, l.day);
    for (size_t i = 0; i < cal->n_holidays && !holiday; i++)
        holiday = cal->holidays[i] == d;
    if (!holiday)
        return;
    snprintf(day, sizeof day, "%04d-%02d-%02d", l.year, l.month, l.day);
    const char *p[2] = {c->id, day};
    PGresult *r = db_run(db, Q_CAL_HOLIDAY_NAME, p, NULL, &ignored);
    snprintf(name, n, "%s", r != NULL && PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "a holiday");
    if (r != NULL)
        PQclear(r);
}

/* The window check: 0, or -1 with err and *win naming the next window (and the holiday, when
 * start falls on one of the case's region). */
static int window_check(struct db *db, const struct svc_case *c, const struct tz_cal *cal,
                        int64_t start, int64_t duration_s, const char *field,
                        struct svc_window *win, struct err *err)
{
    int64_t open, close;
    struct err werr = {0};

    if (service_window_fit(cal, start, duration_s, field, &open, &close, &werr) == 0)
        return 0;
    if (werr.kind == ERR_CONFLICT && win != NULL) {
        win->set = true;
        win->opens = open;
        win->closes = close;
        service_local_describe(cal->tz, open, win->local, sizeof win->local);
        char local[96], holiday[160];
        service_local_describe(cal->tz, start, local, sizeof local);
        holiday_name(db, c, cal, start, holiday, sizeof holiday);
        if (holiday[0] != '\0')
            return err_set(err, ERR_CONFLICT, field,
                           "%s (%s is a holiday: %s); the next window opens %s", werr.message,
                           local, holiday, win->local);
        return err_set(err, ERR_CONFLICT, field, "%s (%s); the next window opens %s", werr.message,
                       local, win->local);
    }
    *err = werr;
    return -1;
}

/* ---- authorizations ------------------------------------------------------------------------ */

enum db_result db_service_auth_add(struct db *db, const struct svc_auth_in *in,
                                   const struct principal *actor, json_t **out, struct err *err)
{
    enum db_result kind;
    struct svc_case c;
    char given[24], off[16], until[24], uoff[16], tid[24];

    if ((kind = db_begin(db, err)) != DB_ONE)
        return kind;
    if ((kind = case_lock(db, in->case_number, &c, err)) != DB_ONE)
        return kind;
    if (may_work(&c, actor, true, "record an authorization", err) != 0)
        return rb(db, DB_FAIL);
    if (case_is_final(c.status)) {
        err_set(err, ERR_CONFLICT, "status", "the case is %s: nothing more can be recorded",
                case_state_name(c.status));
        return rb(db, DB_FAIL);
    }
    if (service_auth_given_check(in->given_at, in->valid_until, c.now_floor, err) != 0 ||
        service_not_before_case(in->given_at, c.opened, "given_at", err) != 0)
        return rb(db, DB_FAIL);
    if (in->valid_until != 0 && in->valid_until <= c.now_floor)
        return db_tx_fail(db, err, ERR_INVALID, "valid_until", "is in the past");
    const char *p[11] = {c.id,
                         service_scope_name(in->scope),
                         in->given_by,
                         service_method_name(in->method),
                         i64(given, sizeof given, in->given_at),
                         i64(off, sizeof off, in->given_offset),
                         in->valid_until ? i64(until, sizeof until, in->valid_until) : NULL,
                         in->note,
                         actor->name,
                         i64(tid, sizeof tid, actor->token_id),
                         in->valid_until ? i64(uoff, sizeof uoff, in->valid_until_offset) : NULL};
    PGresult *r = db_run(db, Q_SVC_AUTH_INSERT, p, &kind, err);
    if (r == NULL)
        return rb(db, kind);
    int64_t auth_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    *out = parse_json(PQgetvalue(r, 0, 1), err);
    PQclear(r);
    if (*out == NULL)
        return rb(db, DB_FAIL);
    kind = event(db, &c, "authorization_recorded", NULL, NULL, actor,
                 json_pack("{s:I, s:s, s:s, s:s}", "authorization_id", (json_int_t)auth_id, "scope",
                           service_scope_name(in->scope), "given_by", in->given_by, "method",
                           service_method_name(in->method)),
                 err);
    return commit_out(db, kind, out, err);
}

static enum db_result list(struct db *db, enum stmt q, const char *case_number, const char *key,
                           json_t **out, struct err *err)
{
    char id[24];
    json_t *items = NULL;
    enum db_result kind = case_id(db, case_number, id, sizeof id, err);

    if (kind != DB_ONE)
        return kind;
    const char *p[1] = {id};
    if ((kind = run_json(db, q, p, &items, err)) != DB_ONE)
        return kind;
    *out = json_pack("{s:s, s:o}", "case_number", case_number, key, items);
    return DB_ONE;
}

enum db_result db_service_auth_list(struct db *db, const char *case_number, json_t **out,
                                    struct err *err)
{
    return list(db, Q_SVC_AUTH_LIST, case_number, "authorizations", out, err);
}

/*
 * The newest authorization of scope that covers work at `at` (recorded by `recorded_by`):
 * DB_ONE with its id, or DB_FAIL with ERR_CONFLICT naming "authorization" (rolled back).
 */
static enum db_result find_auth(struct db *db, const struct svc_case *c, enum service_scope scope,
                                int64_t at, int64_t recorded_by, const char *what, int64_t *auth_id,
                                struct err *err)
{
    enum db_result kind;
    const char *p[2] = {c->id, service_scope_name(scope)};
    PGresult *r = db_run(db, Q_SVC_AUTH_FIND, p, &kind, err);

    if (r == NULL)
        return rb(db, kind);
    int n = PQntuples(r);
    for (int i = 0; i < n; i++) {
        struct service_auth a = {
            .scope = scope,
            .given_at = strtoll(PQgetvalue(r, i, 1), NULL, 10),
            .recorded_at = strtoll(PQgetvalue(r, i, 2), NULL, 10),
            .valid_until = strtoll(PQgetvalue(r, i, 3), NULL, 10),
        };
        if (service_auth_covers(&a, scope, at, recorded_by)) {
            *auth_id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
            PQclear(r);
            return DB_ONE;
        }
    }
    PQclear(r);
    db_rollback(db);
    if (n == 0)
        err_set(err, ERR_CONFLICT, "authorization",
                "no %s authorization of the customer is recorded: record who gave it, how and "
                "when before %s",
                service_scope_name(scope), what);
    else
        err_set(err, ERR_CONFLICT, "authorization",
                "no %s authorization of the customer was given and recorded before %s (or it "
                "has expired)",
                service_scope_name(scope), what);
    return DB_FAIL;
}

/* ---- remote sessions ----------------------------------------------------------------------- */

enum db_result db_service_session_start(struct db *db, const struct svc_session_in *in,
                                        const struct principal *actor, struct arena *a,
                                        json_t **out, struct svc_window *win, struct err *err)
{
    enum db_result kind;
    struct svc_case c;
    struct tz_cal cal;
    int64_t auth_id = 0;
    char aid[24], start[24], off[16], tid[24];

    if ((kind = db_begin(db, err)) != DB_ONE)
        return kind;
    if ((kind = case_lock(db, in->case_number, &c, err)) != DB_ONE)
        return kind;
    if (may_work(&c, actor, false, "run a remote session", err) != 0 ||
        case_in(&c, CASE_TROUBLESHOOTING, CASE_TROUBLESHOOTING, "a remote session", err) != 0)
        return rb(db, DB_FAIL);
    int64_t starts = in->starts_given ? in->starts_at : c.now_floor;
    if (service_start_check(starts, c.now_floor, "starts_at", err) != 0 ||
        service_not_before_case(starts, c.opened, "starts_at", err) != 0)
        return rb(db, DB_FAIL);
    /* the customer's consent first: without it the time does not matter.  A session that
     * starts now counts an authorization recorded before now: both are taken up to the whole
     * second (recorded_at rounds up, as c.now does), so one recorded a moment ago, in the same
     * second, is not refused for the rounding of starts_at down */
    if ((kind = find_auth(db, &c, SERVICE_SCOPE_REMOTE, starts, in->starts_given ? starts : c.now,
                          "the session starts", &auth_id, err)) != DB_ONE)
        return kind;
    if ((kind = calendar(db, &c, false, a, &cal, err)) != DB_ONE)
        return rb(db, kind);
    if (window_check(db, &c, &cal, starts, 0, "starts_at", win, err) != 0)
        return rb(db, DB_FAIL);
    const char *p[10] = {c.id,
                         i64(aid, sizeof aid, auth_id),
                         i64(start, sizeof start, starts),
                         i64(off, sizeof off, in->starts_given ? in->starts_offset : 0),
                         tz_name(cal.tz),
                         in->tool,
                         in->purpose,
                         actor->name,
                         i64(tid, sizeof tid, actor->token_id),
                         c.assigned ? c.engineer : NULL};
    PGresult *r = db_run(db, Q_SVC_SESSION_INSERT, p, &kind, err);
    if (r == NULL)
        return rb(db, kind);
    int no = atoi(PQgetvalue(r, 0, 0));
    *out = parse_json(PQgetvalue(r, 0, 1), err);
    PQclear(r);
    if (*out == NULL)
        return rb(db, DB_FAIL);
    kind = event(db, &c, "remote_session_started", NULL, NULL, actor,
                 json_pack("{s:i, s:I, s:s}", "session_no", no, "authorization_id",
                           (json_int_t)auth_id, "zone", tz_name(cal.tz)),
                 err);
    return commit_out(db, kind, out, err);
}

/* A remote session of a case, locked with its case (the transaction begun): its row id, start,
 * and whether it ended or was cancelled.  The engineer who ran it may act on it even after a
 * reassignment; anyone else as may_work allows ("what" names the act). */
struct svc_session {
    char sid[24];
    int64_t starts;
    bool ended, cancelled;
};

static enum db_result session_for_actor(struct db *db, const char *case_number, int session_no,
                                        const struct principal *actor, const char *what,
                                        struct svc_case *c, struct svc_session *s, struct err *err)
{
    enum db_result kind;
    char no[16];

    if ((kind = db_begin(db, err)) != DB_ONE)
        return kind;
    if ((kind = case_lock(db, case_number, c, err)) != DB_ONE)
        return kind;
    const char *sp[2] = {c->id, i64(no, sizeof no, session_no)};
    PGresult *r = db_run(db, Q_SVC_SESSION_LOCK, sp, &kind, err);
    if (r == NULL)
        return rb(db, kind);
    if (PQntuples(r) != 1) {
        PQclear(r);
        return db_tx_fail(db, err, ERR_NOT_FOUND, "session", "no such remote session");
    }
    snprintf(s->sid, sizeof s->sid, "%s", PQgetvalue(r, 0, 0));
    s->starts = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
    int64_t runner = strtoll(PQgetvalue(r, 0, 3), NULL, 10);
    s->ended = strcmp(PQgetvalue(r, 0, 4), "t") == 0;
    s->cancelled = strcmp(PQgetvalue(r, 0, 5), "t") == 0;
    PQclear(r);
    if (!(actor->role == ROLE_ENGINEER && actor->token_id == runner) &&
        may_work(c, actor, false, what, err) != 0)
        return rb(db, DB_FAIL);
    return DB_ONE;
}

enum db_result db_service_session_end(struct db *db, const struct svc_session_end_in *in,
                                      const struct principal *actor, struct arena *a, json_t **out,
                                      struct err *err)
{
    enum db_result kind;
    struct svc_case c;
    struct tz_cal cal;
    struct svc_session ss;
    char end[24], eoff[16], tid[24];

    if ((kind = session_for_actor(db, in->case_number, in->session_no, actor,
                                  "end a remote session", &c, &ss, err)) != DB_ONE)
        return kind;
    const char *sid = ss.sid;
    int64_t starts = ss.starts;
    PGresult *r;
    if (ss.ended)
        return db_tx_fail(db, err, ERR_CONFLICT, "status", "the remote session has already ended");
    if (ss.cancelled)
        return db_tx_fail(db, err, ERR_CONFLICT, "status", "the remote session was cancelled");
    if (case_is_final(c.status)) {
        err_set(err, ERR_CONFLICT, "status", "the case is %s: nothing more can be recorded",
                case_state_name(c.status));
        return rb(db, DB_FAIL);
    }
    if (starts > c.now_floor + SERVICE_CLOCK_SKEW_S) {
        char ts[32];
        service_instant_format(starts, ts, sizeof ts);
        err_set(err, ERR_CONFLICT, "starts_at",
                "the session is planned for %s: it cannot end before it started (cancel it if it "
                "will not take place)",
                ts);
        return rb(db, DB_FAIL);
    }
    int64_t ended_at = in->ended_given ? in->ended_at : c.now_floor;
    if (service_not_before_case(ended_at, c.opened, "ended_at", err) != 0)
        return rb(db, DB_FAIL);
    if (ended_at < starts)
        return db_tx_fail(db, err, ERR_INVALID, "ended_at",
                          in->ended_given ? "is before the session started" :
                                            "the session has not started yet: give ended_at");
    if (ended_at > c.now_floor + SERVICE_CLOCK_SKEW_S)
        return db_tx_fail(db, err, ERR_INVALID, "ended_at", "is in the future");
    if (ended_at > starts + 86400)
        return db_tx_fail(db, err, ERR_INVALID, "ended_at",
                          "is more than 24 hours after the start");
    if ((kind = calendar(db, &c, false, a, &cal, err)) != DB_ONE)
        return rb(db, kind);
    int64_t open, close;
    struct err cerr = {0};
    bool overran = tz_cal_next_open(&cal, starts, &open, &close, &cerr) == 0 && open == starts &&
                   ended_at > close;
    const char *p[8] = {sid,
                        i64(end, sizeof end, ended_at),
                        in->fixed ? "fixed" : "not_fixed",
                        in->notes,
                        overran ? "true" : "false",
                        actor->name,
                        i64(tid, sizeof tid, actor->token_id),
                        i64(eoff, sizeof eoff, in->ended_given ? in->ended_offset : 0)};
    if ((r = db_run(db, Q_SVC_SESSION_END, p, &kind, err)) == NULL)
        return rb(db, kind);
    if (PQntuples(r) != 1) {
        PQclear(r);
        return db_tx_fail(db, err, ERR_CONFLICT, "status", "the remote session has already ended");
    }
    *out = parse_json(PQgetvalue(r, 0, 0), err);
    PQclear(r);
    if (*out == NULL)
        return rb(db, DB_FAIL);
    kind = event(db, &c, "remote_session_ended", NULL, NULL, actor,
                 json_pack("{s:i, s:s, s:b}", "session_no", in->session_no, "outcome",
                           in->fixed ? "fixed" : "not_fixed", "overran", overran),
                 err);
    return commit_out(db, kind, out, err);
}

enum db_result db_service_session_cancel(struct db *db, const char *case_number, int session_no,
                                         const char *reason, const struct principal *actor,
                                         json_t **out, struct err *err)
{
    enum db_result kind;
    struct svc_case c;
    struct svc_session ss;
    char tid[24];
    PGresult *r;

    if ((kind = session_for_actor(db, case_number, session_no, actor, "cancel a remote session", &c,
                                  &ss, err)) != DB_ONE)
        return kind;
    if (ss.ended)
        return db_tx_fail(db, err, ERR_CONFLICT, "status",
                          "the remote session has ended: only a session that never took place is "
                          "cancelled");
    if (ss.cancelled)
        return db_tx_fail(db, err, ERR_CONFLICT, "status",
                          "the remote session is already cancelled");
    if (case_is_final(c.status)) {
        err_set(err, ERR_CONFLICT, "status", "the case is %s: nothing more can be recorded",
                case_state_name(c.status));
        return rb(db, DB_FAIL);
    }
    const char *p[4] = {ss.sid, reason, actor->name, i64(tid, sizeof tid, actor->token_id)};
    if ((r = db_run(db, Q_SVC_SESSION_CANCEL, p, &kind, err)) == NULL)
        return rb(db, kind);
    if (PQntuples(r) != 1) {
        PQclear(r);
        return db_tx_fail(db, err, ERR_CONFLICT, "status", "the remote session changed meanwhile");
    }
    *out = parse_json(PQgetvalue(r, 0, 0), err);
    PQclear(r);
    if (*out == NULL)
        return rb(db, DB_FAIL);
    kind = event(db, &c, "remote_session_cancelled", NULL, NULL, actor,
                 json_pack("{s:i, s:s}", "session_no", session_no, "reason", reason), err);
    if (kind == DB_ONE)
        kind = db_commit(db, err);
    if (kind != DB_ONE) {
        json_decref(*out);
        *out = NULL;
    }
    return kind;
}

enum db_result db_service_session_list(struct db *db, const char *case_number, json_t **out,
                                       struct err *err)
{
    return list(db, Q_SVC_SESSION_LIST, case_number, "remote_sessions", out, err);
}

enum db_result db_service_windows(struct db *db, const char *case_number, bool onsite,
                                  const int64_t *from, int n, struct arena *a, json_t **out,
                                  struct err *err)
{
    enum db_result kind;
    struct svc_case c = {0};
    struct tz_cal cal;
    char ts[32], local[96];

    /* read-only: no transaction, no lock */
    if ((kind = case_id(db, case_number, c.id, sizeof c.id, err)) != DB_ONE)
        return kind;
    const char *p[1] = {c.id};
    PGresult *r = db_run(db, Q_SVC_CASE_INFO, p, &kind, err);
    if (r == NULL)
        return kind;
    c.now_floor = strtoll(PQgetvalue(r, 0, 4), NULL, 10);
    PQclear(r);
    /* from: a read-only question, so the past is fine back to 2000 (like given_at); ahead, as
     * far as sessions and visits are planned */
    if (from != NULL && *from < SERVICE_FROM_MIN) {
        err_set(err, ERR_INVALID, "from", "is before the year 2000");
        return DB_FAIL;
    }
    if (from != NULL && *from > c.now_floor + SERVICE_AHEAD_MAX_S) {
        err_set(err, ERR_INVALID, "from",
                "is more than a year ahead: sessions and visits are planned at most a year ahead");
        return DB_FAIL;
    }
    if ((kind = calendar(db, &c, onsite, a, &cal, err)) != DB_ONE)
        return kind;
    int64_t t = from != NULL ? *from : c.now_floor;
    char from_ts[32];
    service_instant_format(t, from_ts, sizeof from_ts);
    json_t *list = json_array();
    for (int i = 0; i < n; i++) {
        int64_t open, close;
        if (tz_cal_next_open(&cal, t, &open, &close, err) != 0) {
            json_decref(list);
            return DB_FAIL;
        }
        json_t *w = json_object();
        service_instant_format(open, ts, sizeof ts);
        json_object_set_new(w, "opens", json_string(ts));
        service_instant_format(close, ts, sizeof ts);
        json_object_set_new(w, "closes", json_string(ts));
        service_local_describe(cal.tz, open, local, sizeof local);
        json_object_set_new(w, "local", json_string(local));
        json_array_append_new(list, w);
        t = close;
    }
    *out = json_pack("{s:s, s:s, s:s, s:s, s:o}", "case_number", case_number, "kind",
                     onsite ? "onsite" : "remote", "zone", tz_name(cal.tz), "from", from_ts,
                     "windows", list);
    return DB_ONE;
}

/* ---- on-site visits ------------------------------------------------------------------------ */

static char *prep_json(const char *const *items, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(items[i]));
    char *s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return s;
}

/*
 * One engineer is on one site at a time: locks the engineer's row (racing plans of their visits
 * run one after the other) and refuses [start, end) when it overlaps another open visit of theirs
 * (proposed or confirmed, of a case still open; not visit id `self`): DB_ONE, or DB_FAIL with
 * ERR_CONFLICT "starts_at" naming the clashing visit (rolled back).
 */
static enum db_result visit_clash(struct db *db, const char *engineer, int64_t start, int64_t end,
                                  const char *self, struct err *err)
{
    enum db_result kind;
    char s[24], e[24], ts[32], te[32];
    const char *lp[1] = {engineer};
    PGresult *r = db_run(db, Q_SVC_ENGINEER_LOCK, lp, &kind, err);

    if (r == NULL)
        return rb(db, kind);
    PQclear(r);
    const char *p[4] = {engineer, i64(s, sizeof s, start), i64(e, sizeof e, end), self};
    if ((r = db_run(db, Q_SVC_VISIT_CLASH, p, &kind, err)) == NULL)
        return rb(db, kind);
    if (PQntuples(r) == 0) {
        PQclear(r);
        return DB_ONE;
    }
    service_instant_format(strtoll(PQgetvalue(r, 0, 2), NULL, 10), ts, sizeof ts);
    service_instant_format(strtoll(PQgetvalue(r, 0, 3), NULL, 10), te, sizeof te);
    err_set(err, ERR_CONFLICT, "starts_at",
            "the engineer %s is on another visit then: visit %s of case %s, %s to %s", engineer,
            PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 0), ts, te);
    PQclear(r);
    return rb(db, DB_FAIL);
}

enum db_result db_service_visit_propose(struct db *db, const struct svc_visit_in *in,
                                        const struct principal *actor, struct arena *a,
                                        json_t **out, struct svc_window *win, struct err *err)
{
    enum db_result kind;
    struct svc_case c;
    struct tz_cal cal;
    char start[24], off[16], end[24], dur[16], tid[24];
    const char *engineer;

    if ((kind = db_begin(db, err)) != DB_ONE)
        return kind;
    if ((kind = case_lock(db, in->case_number, &c, err)) != DB_ONE)
        return kind;
    if (may_work(&c, actor, true, "plan an on-site visit", err) != 0 ||
        case_in(&c, CASE_TROUBLESHOOTING, CASE_ONSITE_PLANNED, "an on-site visit", err) != 0)
        return rb(db, DB_FAIL);
    if (in->engineer != NULL) {
        const char *ep[2] = {in->engineer, in->case_number};
        PGresult *r = db_run(db, Q_SVC_ENGINEER, ep, &kind, err);
        if (r == NULL)
            return rb(db, kind);
        bool known = PQntuples(r) == 1;
        bool skilled = known && strcmp(PQgetvalue(r, 0, 1), "t") == 0;
        PQclear(r);
        if (!known)
            return db_tx_fail(db, err, ERR_INVALID, "engineer", "is not an active engineer");
        /* who goes on site has the skill for the product line, as assign requires */
        if (!skilled)
            return db_tx_fail(db, err, ERR_INVALID, "engineer",
                              "has no skill for the product line of this case");
        engineer = in->engineer;
    } else if (c.assigned) {
        engineer = c.engineer;
    } else {
        return db_tx_fail(db, err, ERR_CONFLICT, "engineer",
                          "the case has no engineer assigned: name the engineer who goes on site");
    }
    if (service_start_check(in->starts_at, c.now_floor, "proposed_start", err) != 0 ||
        service_not_before_case(in->starts_at, c.opened, "proposed_start", err) != 0)
        return rb(db, DB_FAIL);
    if ((kind = calendar(db, &c, true, a, &cal, err)) != DB_ONE)
        return rb(db, kind);
    int64_t ends = in->starts_at + (int64_t)in->duration_min * 60;
    if (window_check(db, &c, &cal, in->starts_at, (int64_t)in->duration_min * 60, "proposed_start",
                     win, err) != 0)
        return rb(db, DB_FAIL);
    if ((kind = visit_clash(db, engineer, in->starts_at, ends, NULL, err)) != DB_ONE)
        return kind;

    char *prep = prep_json(in->prep, in->n_prep);
    const char *p[10] = {c.id,
                         i64(start, sizeof start, in->starts_at),
                         i64(off, sizeof off, in->starts_offset),
                         i64(end, sizeof end, ends),
                         i64(dur, sizeof dur, in->duration_min),
                         tz_name(cal.tz),
                         prep,
                         engineer,
                         actor->name,
                         i64(tid, sizeof tid, actor->token_id)};
    PGresult *r = db_run(db, Q_SVC_VISIT_INSERT, p, &kind, err);
    free(prep);
    if (r == NULL)
        return rb(db, kind);
    int no = atoi(PQgetvalue(r, 0, 0));
    *out = parse_json(PQgetvalue(r, 0, 1), err);
    PQclear(r);
    if (*out == NULL)
        return rb(db, DB_FAIL);
    kind = event(db, &c, "visit_proposed", NULL, "proposed", actor,
                 json_pack("{s:i, s:s, s:i, s:s}", "visit_no", no, "starts_at",
                           json_string_value(json_object_get(*out, "starts_at")),
                           "duration_minutes", in->duration_min, "engineer", engineer),
                 err);
    enum case_state to;
    if (kind == DB_ONE && c.status == CASE_TROUBLESHOOTING) {
        char reason[64];
        snprintf(reason, sizeof reason, "on-site visit %d proposed", no);
        kind = db_case_move(db, strtoll(c.id, NULL, 10), CASE_EV_PLAN_ONSITE, "troubleshooting",
                            actor, "api", reason, NULL, &to, err);
        if (kind != DB_ONE)
            db_rollback(db);
        else
            json_object_set_new(*out, "case_status", json_string(case_state_name(to)));
    } else if (kind == DB_ONE) {
        json_object_set_new(*out, "case_status", json_string(case_state_name(c.status)));
    }
    return commit_out(db, kind, out, err);
}

enum db_result db_service_visit_move(struct db *db, const struct svc_visit_move_in *in,
                                     const struct principal *actor, struct arena *a, json_t **out,
                                     struct svc_window *win, struct err *err)
{
    enum db_result kind;
    struct svc_case c;
    char no[16], start[24], off[16], end[24], dur[16], tid[24];
    enum visit_state from, to;

    if ((kind = db_begin(db, err)) != DB_ONE)
        return kind;
    if ((kind = case_lock(db, in->case_number, &c, err)) != DB_ONE)
        return kind;
    if (may_work(&c, actor, true, "change an on-site visit", err) != 0)
        return rb(db, DB_FAIL);
    const char *vp[2] = {c.id, i64(no, sizeof no, in->visit_no)};
    PGresult *r = db_run(db, Q_SVC_VISIT_LOCK, vp, &kind, err);
    if (r == NULL)
        return rb(db, kind);
    if (PQntuples(r) != 1) {
        PQclear(r);
        return db_tx_fail(db, err, ERR_NOT_FOUND, "visit", "no such visit");
    }
    char vid[24], from_name[16];
    snprintf(vid, sizeof vid, "%s", PQgetvalue(r, 0, 0));
    snprintf(from_name, sizeof from_name, "%s", PQgetvalue(r, 0, 1));
    int64_t visit_starts = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
    int duration = atoi(PQgetvalue(r, 0, 3));
    char engineer[72];
    snprintf(engineer, sizeof engineer, "%s", PQgetvalue(r, 0, 4));
    PQclear(r);
    if (visit_state_parse(from_name, &from) != 0)
        return db_tx_fail(db, err, ERR_INTERNAL, NULL, "the visit has an unknown status");
    if (in->expected != NULL && strcmp(in->expected, from_name) != 0) {
        err_set(err, ERR_CONFLICT, "status", "the visit is %s, not %s", from_name, in->expected);
        return rb(db, DB_FAIL);
    }
    if (case_in(&c, CASE_ONSITE_PLANNED, CASE_ONSITE_PLANNED, "changing a visit", err) != 0 ||
        visit_next(from, in->ev, &to, err) != 0)
        return rb(db, DB_FAIL);
    if (in->ev == VISIT_EV_COMPLETE && visit_starts > c.now_floor + SERVICE_CLOCK_SKEW_S) {
        char ts[32];
        service_instant_format(visit_starts, ts, sizeof ts);
        err_set(err, ERR_CONFLICT, "starts_at",
                "the visit starts at %s: it cannot be completed before it took place", ts);
        return rb(db, DB_FAIL);
    }

    bool resched = in->ev == VISIT_EV_RESCHEDULE;
    char *prep = NULL;
    const char *pstart = NULL, *poff = NULL, *pend = NULL, *pdur = NULL;
    json_t *evidence = json_pack("{s:i}", "visit_no", in->visit_no);
    if (resched) {
        struct tz_cal cal;
        if (in->duration_min > 0)
            duration = in->duration_min;
        if (service_start_check(in->starts_at, c.now_floor, "proposed_start", err) != 0 ||
            service_not_before_case(in->starts_at, c.opened, "proposed_start", err) != 0) {
            json_decref(evidence);
            return rb(db, DB_FAIL);
        }
        if ((kind = calendar(db, &c, true, a, &cal, err)) != DB_ONE) {
            json_decref(evidence);
            return rb(db, kind);
        }
        if (window_check(db, &c, &cal, in->starts_at, (int64_t)duration * 60, "proposed_start", win,
                         err) != 0) {
            json_decref(evidence);
            return rb(db, DB_FAIL);
        }
        if ((kind = visit_clash(db, engineer, in->starts_at, in->starts_at + (int64_t)duration * 60,
                                vid, err)) != DB_ONE) {
            json_decref(evidence);
            return kind;
        }
        pstart = i64(start, sizeof start, in->starts_at);
        poff = i64(off, sizeof off, in->starts_offset);
        pend = i64(end, sizeof end, in->starts_at + (int64_t)duration * 60);
        pdur = i64(dur, sizeof dur, duration);
        if (in->prep != NULL)
            prep = prep_json(in->prep, in->n_prep);
        char ts[32];
        service_instant_format(in->starts_at, ts, sizeof ts);
        json_object_set_new(evidence, "starts_at", json_string(ts));
        json_object_set_new(evidence, "duration_minutes", json_integer(duration));
    }
    if (in->ev == VISIT_EV_CONFIRM) {
        /* a clash made before clashes were refused is found at the latest here */
        if ((kind = visit_clash(db, engineer, visit_starts, visit_starts + (int64_t)duration * 60,
                                vid, err)) != DB_ONE) {
            json_decref(evidence);
            return kind;
        }
        json_object_set_new(evidence, "confirmed_by", json_string(in->confirmed_by));
        json_object_set_new(evidence, "method", json_string(service_method_name(in->method)));
    }
    if (in->reason != NULL)
        json_object_set_new(evidence, "reason", json_string(in->reason));

    const char *p[14] = {vid,
                         from_name,
                         visit_state_name(to),
                         pstart,
                         poff,
                         pend,
                         pdur,
                         prep,
                         in->ev == VISIT_EV_CONFIRM ? in->confirmed_by : NULL,
                         in->ev == VISIT_EV_CONFIRM ? service_method_name(in->method) : NULL,
                         in->reason,
                         resched ? "true" : "false",
                         actor->name,
                         i64(tid, sizeof tid, actor->token_id)};
    r = db_run(db, Q_SVC_VISIT_UPDATE, p, &kind, err);
    free(prep);
    if (r == NULL) {
        json_decref(evidence);
        return rb(db, kind);
    }
    if (PQntuples(r) != 1) {
        PQclear(r);
        json_decref(evidence);
        return db_tx_fail(db, err, ERR_CONFLICT, "status", "the visit was changed meanwhile");
    }
    *out = parse_json(PQgetvalue(r, 0, 0), err);
    PQclear(r);
    if (*out == NULL) {
        json_decref(evidence);
        return rb(db, DB_FAIL);
    }
    static const char *const kinds[] = {
        [VISIT_EV_CONFIRM] = "visit_confirmed",
        [VISIT_EV_RESCHEDULE] = "visit_rescheduled",
        [VISIT_EV_CANCEL] = "visit_cancelled",
        [VISIT_EV_COMPLETE] = "visit_completed",
    };
    kind = event(db, &c, kinds[in->ev], from_name, visit_state_name(to), actor, evidence, err);
    return commit_out(db, kind, out, err);
}

enum db_result db_service_visit_list(struct db *db, const char *case_number, json_t **out,
                                     struct err *err)
{
    return list(db, Q_SVC_VISIT_LIST, case_number, "visits", out, err);
}

/* ---- service log --------------------------------------------------------------------------- */

enum db_result db_service_log_add(struct db *db, const struct svc_log_in *in,
                                  const struct principal *actor, json_t **out, struct err *err)
{
    enum db_result kind;
    struct svc_case c;
    int64_t auth_id = 0;
    char perf[24], off[16], aid[24], tid[24];
    bool high_risk = in->action != NULL && service_action_is_high_risk(in->action);

    if ((kind = db_begin(db, err)) != DB_ONE)
        return kind;
    if ((kind = case_lock(db, in->case_number, &c, err)) != DB_ONE)
        return kind;
    if (may_work(&c, actor, false, "write the service log", err) != 0 ||
        case_in(&c, CASE_TROUBLESHOOTING, CASE_ONSITE_PLANNED, "the service log", err) != 0)
        return rb(db, DB_FAIL);
    if (in->action != NULL && in->performed_at > c.now_floor + SERVICE_CLOCK_SKEW_S)
        return db_tx_fail(db, err, ERR_INVALID, "step.performed_at", "is in the future");
    if (in->action != NULL &&
        service_not_before_case(in->performed_at, c.opened, "step.performed_at", err) != 0)
        return rb(db, DB_FAIL);
    /* a high-risk step: an authorization given before the step was performed and recorded
     * before this entry is written (any committed one is: recorded_by is now) */
    if (high_risk && (kind = find_auth(db, &c, SERVICE_SCOPE_HIGH_RISK, in->performed_at, c.now,
                                       "the step was performed", &auth_id, err)) != DB_ONE)
        return kind;
    const char *p[10] = {c.id,
                         service_log_kind_name(in->kind),
                         in->text,
                         in->action,
                         in->action ? i64(perf, sizeof perf, in->performed_at) : NULL,
                         in->action ? i64(off, sizeof off, in->performed_offset) : NULL,
                         high_risk ? "true" : "false",
                         high_risk ? i64(aid, sizeof aid, auth_id) : NULL,
                         actor->name,
                         i64(tid, sizeof tid, actor->token_id)};
    PGresult *r = db_run(db, Q_SVC_LOG_INSERT, p, &kind, err);
    if (r == NULL)
        return rb(db, kind);
    int no = atoi(PQgetvalue(r, 0, 0));
    *out = parse_json(PQgetvalue(r, 0, 1), err);
    PQclear(r);
    if (*out == NULL)
        return rb(db, DB_FAIL);
    json_t *ev = json_pack("{s:i, s:s}", "entry_no", no, "kind", service_log_kind_name(in->kind));
    if (in->action != NULL) {
        json_object_set_new(ev, "action", json_string(in->action));
        json_object_set_new(ev, "high_risk", json_boolean(high_risk));
    }
    if (high_risk)
        json_object_set_new(ev, "authorization_id", json_integer(auth_id));
    kind = event(db, &c, "service_log_added", NULL, NULL, actor, ev, err);
    return commit_out(db, kind, out, err);
}

enum db_result db_service_log_list(struct db *db, const char *case_number, json_t **out,
                                   struct err *err)
{
    return list(db, Q_SVC_LOG_LIST, case_number, "service_log", out, err);
}
