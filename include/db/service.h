/*
 * db/service: remote support sessions, on-site visits, the service log and the customer's
 * authorizations of a service case (issue 3; tables of migrations/0010_service_work.sql, rules
 * of include/core/service.h).
 *
 * Every function that changes something runs one transaction: it locks the case row first (so
 * racing requests on one case run one after the other), checks the case's state, the actor
 * (admin, or the engineer assigned to the case; agents where a function says so), the rules,
 * writes its row(s) and exactly one event row per move (kind "authorization_recorded",
 * "remote_session_started", "remote_session_ended", "visit_<proposed|confirmed|rescheduled|
 * cancelled|completed>", "service_log_added"), and commits; any failure rolls back and writes
 * nothing.  "Now" is the database transaction's now().  Times are seconds since the epoch.
 *
 * Results are JSON (a new reference the caller owns).  Return values as in db/db.h; a refused
 * step is DB_FAIL with err: ERR_NOT_FOUND ("case_number", "session", "visit"), ERR_FORBIDDEN
 * ("engineer": not the engineer assigned), ERR_CONFLICT ("status": the case or visit is in
 * another state; "authorization": no authorization covers it; "starts_at" / "proposed_start":
 * outside the window, with *win filled), ERR_INVALID (a field).  These functions may block on
 * the database.
 */
#ifndef DB_SERVICE_H
#define DB_SERVICE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/service.h"
#include "db/db.h"

/* The next window, set when a start time is refused for lying outside the hours. */
struct svc_window {
    bool set;
    int64_t opens;
    int64_t closes;
    char local[96]; /* "Mon 2026-12-07 09:00 Europe/Berlin" */
};

/*
 * The gate of every write on a case, before its body is read: for an engineer, DB_ONE when the
 * case is assigned to them now (or, session_no > 0, when they ran that remote session: its end
 * and cancel), else DB_FAIL with ERR_FORBIDDEN "engineer"; DB_NONE with ERR_NOT_FOUND
 * "case_number" for no such case.  Other roles: DB_ONE without a query (the route's roles and
 * the locked write decide).  The write checks again under its lock.
 */
enum db_result db_case_engineer_gate(struct db *db, const char *case_number, int session_no,
                                     const struct principal *actor, struct err *err);

struct svc_auth_in {
    const char *case_number;
    enum service_scope scope;
    const char *given_by;
    enum service_method method;
    int64_t given_at;
    int32_t given_offset;
    int64_t valid_until; /* 0: none */
    int32_t valid_until_offset;
    const char *note; /* NULL: none */
};
/* Records an authorization (admin, agent, manager, or the assigned engineer; the case must not
 * be closed, archived or cancelled; given_at not before the case was opened).  *out: the
 * authorization. */
enum db_result db_service_auth_add(struct db *db, const struct svc_auth_in *in,
                                   const struct principal *actor, json_t **out, struct err *err);
/* The case's authorizations, oldest first: {"case_number", "authorizations": [...]}. */
enum db_result db_service_auth_list(struct db *db, const char *case_number, json_t **out,
                                    struct err *err);

struct svc_session_in {
    const char *case_number;
    bool starts_given; /* false: now */
    int64_t starts_at;
    int32_t starts_offset;
    const char *tool;    /* NULL: none */
    const char *purpose; /* required */
};
/* Starts a remote session (admin or the assigned engineer; the case in troubleshooting).
 * *out: the session. */
enum db_result db_service_session_start(struct db *db, const struct svc_session_in *in,
                                        const struct principal *actor, struct arena *a,
                                        json_t **out, struct svc_window *win, struct err *err);

struct svc_session_end_in {
    const char *case_number;
    int session_no;
    bool fixed;
    const char *notes;
    bool ended_given; /* false: now */
    int64_t ended_at;
    int32_t ended_offset;
};
/* Ends a session once (admin, the session's engineer or the assigned engineer); it may overrun
 * the window (recorded as overran). */
enum db_result db_service_session_end(struct db *db, const struct svc_session_end_in *in,
                                      const struct principal *actor, struct arena *a, json_t **out,
                                      struct err *err);
/* Cancels a session that was neither ended nor cancelled (same roles as the end), with a
 * reason; it is no longer open. */
enum db_result db_service_session_cancel(struct db *db, const char *case_number, int session_no,
                                         const char *reason, const struct principal *actor,
                                         json_t **out, struct err *err);
enum db_result db_service_session_list(struct db *db, const char *case_number, json_t **out,
                                       struct err *err);

/* The next n windows from *from (NULL: now) for remote support (onsite false) or visits; from
 * lies between 2000 (SERVICE_FROM_MIN) and a year ahead of now (SERVICE_AHEAD_MAX_S), else
 * ERR_INVALID "from". */
enum db_result db_service_windows(struct db *db, const char *case_number, bool onsite,
                                  const int64_t *from, int n, struct arena *a, json_t **out,
                                  struct err *err);

struct svc_visit_in {
    const char *case_number;
    int64_t starts_at;
    int32_t starts_offset;
    int duration_min;
    const char *const *prep;
    size_t n_prep;
    const char *engineer; /* NULL: the engineer assigned to the case */
};
/* Proposes a visit (admin, agent, or the assigned engineer; the case in troubleshooting, which
 * moves to onsite_planned, or already onsite_planned).  The engineer who goes on site has no
 * other open visit (proposed or confirmed) overlapping it: else ERR_CONFLICT "starts_at" naming
 * that visit.  *out: the visit. */
enum db_result db_service_visit_propose(struct db *db, const struct svc_visit_in *in,
                                        const struct principal *actor, struct arena *a,
                                        json_t **out, struct svc_window *win, struct err *err);

struct svc_visit_move_in {
    const char *case_number;
    int visit_no;
    enum visit_event ev;
    const char *expected; /* the visit state the caller believes, or NULL */
    /* confirm */
    const char *confirmed_by;
    enum service_method method;
    /* reschedule: a new start (required), duration (0: keep), preparation (NULL: keep) */
    int64_t starts_at;
    int32_t starts_offset;
    int duration_min;
    const char *const *prep;
    size_t n_prep;
    /* reschedule, cancel: the reason; complete: notes */
    const char *reason;
};
/* Moves a visit (admin, agent, or the assigned engineer; the case onsite_planned).  A confirm or
 * reschedule is refused like a proposal when the visit's engineer has another open visit
 * overlapping it (ERR_CONFLICT "starts_at"). */
enum db_result db_service_visit_move(struct db *db, const struct svc_visit_move_in *in,
                                     const struct principal *actor, struct arena *a, json_t **out,
                                     struct svc_window *win, struct err *err);
enum db_result db_service_visit_list(struct db *db, const char *case_number, json_t **out,
                                     struct err *err);

struct svc_log_in {
    const char *case_number;
    enum service_log_kind kind;
    const char *text;
    const char *action; /* a step only */
    int64_t performed_at;
    int32_t performed_offset;
};
/* Adds a service log entry (admin or the assigned engineer; the case in troubleshooting or
 * onsite_planned).  A high-risk step needs a high_risk_steps authorization given before
 * performed_at and recorded before now (service_auth_covers). */
enum db_result db_service_log_add(struct db *db, const struct svc_log_in *in,
                                  const struct principal *actor, json_t **out, struct err *err);
enum db_result db_service_log_list(struct db *db, const char *case_number, json_t **out,
                                   struct err *err);

#endif
