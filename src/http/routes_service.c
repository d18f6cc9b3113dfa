/*
 * routes_service: remote support, on-site visits, the service log and the customer's
 * authorizations of a service case (issue 3).
 *
 *   POST /api/v1/cases/{case}/authorizations                 record who allowed what, how, when
 *   GET  /api/v1/cases/{case}/authorizations
 *   POST /api/v1/cases/{case}/remote-sessions                start a session (assigned engineer)
 *   GET  /api/v1/cases/{case}/remote-sessions
 *   POST /api/v1/cases/{case}/remote-sessions/{n}/end        outcome fixed | not_fixed
 *   POST /api/v1/cases/{case}/remote-sessions/{n}/cancel     a session that never took place
 *   GET  /api/v1/cases/{case}/remote-windows?from=&kind=     the next 5 windows (remote|onsite)
 *   POST /api/v1/cases/{case}/visits                         propose an on-site visit
 *   GET  /api/v1/cases/{case}/visits
 *   POST /api/v1/cases/{case}/visits/{n}/confirm|reschedule|cancel|complete
 *   POST /api/v1/cases/{case}/service-log                    symptom, root cause, step, resolution
 *   GET  /api/v1/cases/{case}/service-log
 *
 * Times in bodies are ISO 8601 instants with an offset ("2026-12-04T20:59:00+01:00"); without one
 * they are a 422 (DESIGN.md rule 9).  A start time outside the customer's hours is a 409 naming
 * the field, with the next window beside the error:
 *   {"error": {"code": "conflict", "message": ..., "field": "starts_at"},
 *    "next_window": {"opens": "2026-12-07T08:00:00Z", "closes": ..., "local":
 *                    "Mon 2026-12-07 09:00 Europe/Berlin"}}
 * A remote session's starts_at defaults to now; a given one may lie at most 5 minutes in the past
 * (and up to a year ahead): that makes the window testable with a chosen time.
 *
 * Each handler first lets an engineer through only on a case assigned to them (403 "engineer"
 * before the body is read: request_case_gate), then parses the whole body (every bad field a 422
 * naming it), then makes one database call that runs one transaction (which checks again under
 * the case's lock).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/intake.h"
#include "core/service.h"
#include "db/service.h"
#include "json_in.h"
#include "request.h"

#define NOTE_MAX 2000
#define NAME_MAX_LEN 200

/* An instant with an offset; *given false when absent (and not required). */
static void instant_field(struct request *req, json_t *obj, const char *name, const char *path,
                          bool required, int64_t *t, int32_t *off, bool *given, struct err *err)
{
    const char *s = json_in_string(&req->arena, obj, name, path, required, err);
    if (given != NULL)
        *given = false;
    if (s == NULL)
        return;
    if (service_instant_parse(s, path, t, off, err) == 0 && given != NULL)
        *given = true;
}

static void int_field(json_t *obj, const char *name, int min, int max, bool required, int *out,
                      struct err *err)
{
    json_t *v = json_object_get(obj, name);

    if (v == NULL || json_is_null(v)) {
        if (required)
            err_set(err, ERR_INVALID, name, "is required");
        return;
    }
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        err_set(err, ERR_INVALID, name, "must be a whole number from %d to %d", min, max);
        return;
    }
    *out = (int)json_integer_value(v);
}

/* The preparation list: strings, at least one; *items from the arena. */
static void prep_field(struct request *req, json_t *body, bool required, const char ***items,
                       size_t *n, struct err *err)
{
    json_t *v = json_object_get(body, "preparation");

    *items = NULL;
    *n = 0;
    if (v == NULL || json_is_null(v)) {
        if (required)
            err_set(err, ERR_INVALID, "preparation",
                    "is required: at least one item (parts, tools, access badge, ...)");
        return;
    }
    if (!json_is_array(v)) {
        err_set(err, ERR_INVALID, "preparation", "must be a list of texts");
        return;
    }
    size_t count = json_array_size(v);
    if (count > SERVICE_PREP_MAX) {
        err_set(err, ERR_INVALID, "preparation", "must have at most %d items", SERVICE_PREP_MAX);
        return;
    }
    const char **out = arena_alloc(&req->arena, (count ? count : 1) * sizeof *out);
    for (size_t i = 0; i < count; i++) {
        char path[32];
        snprintf(path, sizeof path, "preparation[%zu]", i);
        json_t *item = json_array_get(v, i);
        if (!json_is_string(item)) {
            err_set(err, ERR_INVALID, path, "must be a text");
            return;
        }
        json_t *wrap = json_pack("{s:O}", "x", item);
        out[i] = json_in_text(&req->arena, wrap, "x", path, NAME_MAX_LEN, true, false, err);
        json_decref(wrap);
        if (out[i] == NULL)
            return;
    }
    if (service_prep_check(out, count, err) != 0)
        return;
    *items = out;
    *n = count;
}

/* A refusal; with the next window beside the error when the start time was outside it. */
static int reply_refusal(struct request *req, enum db_result r, const struct err *err,
                         const struct svc_window *win)
{
    char opens[32], closes[32];

    if (r != DB_FAIL || err->kind != ERR_CONFLICT || !win->set)
        return reply_db_error(req, r, err);
    json_t *e = json_pack("{s:s, s:s}", "code", err_kind_name(err->kind), "message", err->message);
    if (err->field[0])
        json_object_set_new(e, "field", json_string(err->field));
    service_instant_format(win->opens, opens, sizeof opens);
    service_instant_format(win->closes, closes, sizeof closes);
    return reply_json(req, status_of(err->kind),
                      json_pack("{s:o, s:{s:s, s:s, s:s}}", "error", e, "next_window", "opens",
                                opens, "closes", closes, "local", win->local));
}

static int answer(struct request *req, enum db_result r, int status, json_t *out,
                  const struct err *err, const struct svc_window *win)
{
    if (r != DB_ONE && win != NULL)
        return reply_refusal(req, r, err, win);
    return reply_db_result(req, r, status, out, err);
}

/* GET of one of a case's lists: list(db, case, &out, err) as the answer. */
static int case_list(struct request *req,
                     enum db_result (*list)(struct db *, const char *, json_t **, struct err *))
{
    struct err err = {0};
    json_t *out = NULL;
    const char *c = request_case_param(req, 0, &err);

    if (c == NULL || request_db(req, &err) == NULL)
        return reply_error(req, &err);
    enum db_result r = list(req->db, c, &out, &err);
    return answer(req, r, 200, out, &err, NULL);
}

/* ---- authorizations ------------------------------------------------------------------------ */

/* POST /api/v1/cases/{case}/authorizations
 * body: {"scope", "given_by", "method", "given_at", "valid_until"?, "note"?} */
int route_service_auth_create(struct request *req)
{
    struct err err = {0};
    struct svc_auth_in in = {0};
    json_t *out = NULL;

    json_t *body = request_case_body(req, &in.case_number, false, &err);
    if (body == NULL)
        return reply_error(req, &err);
    const char *scope = json_in_string(&req->arena, body, "scope", "scope", true, &err);
    if (scope != NULL)
        service_scope_parse(scope, "scope", &in.scope, &err);
    in.given_by =
        json_in_text(&req->arena, body, "given_by", "given_by", NAME_MAX_LEN, true, false, &err);
    const char *method = json_in_string(&req->arena, body, "method", "method", true, &err);
    if (method != NULL)
        service_method_parse(method, "method", &in.method, &err);
    instant_field(req, body, "given_at", "given_at", true, &in.given_at, &in.given_offset, NULL,
                  &err);
    bool until = false;
    instant_field(req, body, "valid_until", "valid_until", false, &in.valid_until,
                  &in.valid_until_offset, &until, &err);
    if (!until)
        in.valid_until = 0;
    in.note = json_in_text(&req->arena, body, "note", "note", NOTE_MAX, false, false, &err);
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    enum db_result r = db_service_auth_add(req->db, &in, &req->who, &out, &err);
    return answer(req, r, 201, out, &err, NULL);
}

/* GET /api/v1/cases/{case}/authorizations */
int route_service_auth_list(struct request *req)
{
    return case_list(req, db_service_auth_list);
}

/* ---- remote sessions ----------------------------------------------------------------------- */

/* POST /api/v1/cases/{case}/remote-sessions  body: {"starts_at"?, "tool"?, "purpose"} */
int route_service_session_create(struct request *req)
{
    struct err err = {0};
    struct svc_session_in in = {0};
    struct svc_window win = {0};
    json_t *out = NULL;

    json_t *body = request_case_body(req, &in.case_number, false, &err);
    if (body == NULL)
        return reply_error(req, &err);
    instant_field(req, body, "starts_at", "starts_at", false, &in.starts_at, &in.starts_offset,
                  &in.starts_given, &err);
    in.tool = json_in_text(&req->arena, body, "tool", "tool", NAME_MAX_LEN, false, false, &err);
    in.purpose = json_in_text(&req->arena, body, "purpose", "purpose", NOTE_MAX, true, false, &err);
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    enum db_result r =
        db_service_session_start(req->db, &in, &req->who, &req->arena, &out, &win, &err);
    return answer(req, r, 201, out, &err, &win);
}

/* POST /api/v1/cases/{case}/remote-sessions/{n}/end  body: {"outcome", "notes", "ended_at"?} */
int route_service_session_end(struct request *req)
{
    struct err err = {0};
    struct svc_session_end_in in = {0};
    json_t *out = NULL;

    in.case_number = request_case_param(req, 0, &err);
    if (in.case_number != NULL)
        in.session_no = (int)request_number_param(req, 1, "session", 100000, &err);
    if (err_is_set(&err) || request_case_gate(req, in.case_number, in.session_no, &err) != 0)
        return reply_error(req, &err);
    json_t *body = request_json(req, &err);
    if (body == NULL)
        return reply_error(req, &err);
    const char *outcome = json_in_string(&req->arena, body, "outcome", "outcome", true, &err);
    if (outcome != NULL && strcmp(outcome, "fixed") != 0 && strcmp(outcome, "not_fixed") != 0)
        err_set(&err, ERR_INVALID, "outcome", "must be one of fixed, not_fixed");
    in.fixed = outcome != NULL && strcmp(outcome, "fixed") == 0;
    in.notes = json_in_text(&req->arena, body, "notes", "notes", NOTE_MAX, true, false, &err);
    instant_field(req, body, "ended_at", "ended_at", false, &in.ended_at, &in.ended_offset,
                  &in.ended_given, &err);
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    enum db_result r = db_service_session_end(req->db, &in, &req->who, &req->arena, &out, &err);
    return answer(req, r, 200, out, &err, NULL);
}

/* POST /api/v1/cases/{case}/remote-sessions/{n}/cancel  body: {"reason"} */
int route_service_session_cancel(struct request *req)
{
    struct err err = {0};
    json_t *out = NULL;
    int no = 0;
    const char *c = request_case_param(req, 0, &err);

    if (c != NULL)
        no = (int)request_number_param(req, 1, "session", 100000, &err);
    if (err_is_set(&err) || request_case_gate(req, c, no, &err) != 0)
        return reply_error(req, &err);
    json_t *body = request_json(req, &err);
    if (body == NULL)
        return reply_error(req, &err);
    const char *reason =
        json_in_text(&req->arena, body, "reason", "reason", NOTE_MAX, true, false, &err);
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    enum db_result r = db_service_session_cancel(req->db, c, no, reason, &req->who, &out, &err);
    return answer(req, r, 200, out, &err, NULL);
}

/* GET /api/v1/cases/{case}/remote-sessions */
int route_service_session_list(struct request *req)
{
    return case_list(req, db_service_session_list);
}

/* GET /api/v1/cases/{case}/remote-windows?from=<instant>&kind=remote|onsite: the next 5 */
int route_service_windows(struct request *req)
{
    struct err err = {0};
    json_t *out = NULL;
    int64_t from = 0;
    const char *c = request_case_param(req, 0, &err);
    const char *f = request_query(req, "from");
    const char *kind = request_query(req, "kind");

    if (c == NULL)
        return reply_error(req, &err);
    bool from_given = f != NULL && f[0] != '\0';
    if (from_given)
        service_instant_parse(f, "from", &from, NULL, &err);
    if (kind != NULL && strcmp(kind, "remote") != 0 && strcmp(kind, "onsite") != 0)
        err_set(&err, ERR_INVALID, "kind", "must be one of remote, onsite");
    if (err_is_set(&err) || request_db(req, &err) == NULL)
        return reply_error(req, &err);
    bool onsite = kind != NULL && strcmp(kind, "onsite") == 0;
    enum db_result r = db_service_windows(req->db, c, onsite, from_given ? &from : NULL, 5,
                                          &req->arena, &out, &err);
    return answer(req, r, 200, out, &err, NULL);
}

/* ---- on-site visits ------------------------------------------------------------------------ */

#define VISIT_MAX_MINUTES (SERVICE_ONSITE_CLOSE_MIN - SERVICE_ONSITE_OPEN_MIN)

/* POST /api/v1/cases/{case}/visits
 * body: {"proposed_start", "duration_minutes", "preparation": [...], "engineer"?} */
int route_service_visit_create(struct request *req)
{
    struct err err = {0};
    struct svc_visit_in in = {0};
    struct svc_window win = {0};
    json_t *out = NULL;
    const char **prep;

    json_t *body = request_case_body(req, &in.case_number, false, &err);
    if (body == NULL)
        return reply_error(req, &err);
    instant_field(req, body, "proposed_start", "proposed_start", true, &in.starts_at,
                  &in.starts_offset, NULL, &err);
    int_field(body, "duration_minutes", SERVICE_VISIT_MIN_MINUTES, VISIT_MAX_MINUTES, true,
              &in.duration_min, &err);
    prep_field(req, body, true, &prep, &in.n_prep, &err);
    in.prep = prep;
    in.engineer = json_in_string(&req->arena, body, "engineer", "engineer", false, &err);
    if (in.engineer != NULL && intake_check_text(in.engineer, 64, true, "engineer", &err) != 0)
        in.engineer = NULL;
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    enum db_result r =
        db_service_visit_propose(req->db, &in, &req->who, &req->arena, &out, &win, &err);
    return answer(req, r, 201, out, &err, &win);
}

static int visit_move(struct request *req, enum visit_event ev)
{
    struct err err = {0};
    struct svc_visit_move_in in = {0};
    struct svc_window win = {0};
    json_t *out = NULL;

    in.ev = ev;
    in.case_number = request_case_param(req, 0, &err);
    if (in.case_number != NULL)
        in.visit_no = (int)request_number_param(req, 1, "visit", 100000, &err);
    if (err_is_set(&err) || request_case_gate(req, in.case_number, 0, &err) != 0)
        return reply_error(req, &err);
    json_t *body = request_json_or_empty(req, &err);
    if (body == NULL)
        return reply_error(req, &err);
    in.expected =
        json_in_string(&req->arena, body, "expected_state", "expected_state", false, &err);
    enum visit_state vs;
    if (in.expected != NULL && visit_state_parse(in.expected, &vs) != 0)
        err_set(&err, ERR_INVALID, "expected_state",
                "must be one of proposed, confirmed, cancelled, completed");
    switch (ev) {
    case VISIT_EV_CONFIRM: {
        in.confirmed_by = json_in_text(&req->arena, body, "confirmed_by", "confirmed_by",
                                       NAME_MAX_LEN, true, false, &err);
        const char *m = json_in_string(&req->arena, body, "method", "method", true, &err);
        if (m != NULL)
            service_method_parse(m, "method", &in.method, &err);
        break;
    }
    case VISIT_EV_RESCHEDULE: {
        const char **prep;
        instant_field(req, body, "proposed_start", "proposed_start", true, &in.starts_at,
                      &in.starts_offset, NULL, &err);
        int_field(body, "duration_minutes", SERVICE_VISIT_MIN_MINUTES, VISIT_MAX_MINUTES, false,
                  &in.duration_min, &err);
        prep_field(req, body, false, &prep, &in.n_prep, &err);
        in.prep = prep;
        in.reason =
            json_in_text(&req->arena, body, "reason", "reason", NOTE_MAX, true, false, &err);
        break;
    }
    case VISIT_EV_CANCEL:
        in.reason =
            json_in_text(&req->arena, body, "reason", "reason", NOTE_MAX, true, false, &err);
        break;
    case VISIT_EV_COMPLETE:
        in.reason = json_in_text(&req->arena, body, "notes", "notes", NOTE_MAX, false, false, &err);
        break;
    }
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    enum db_result r =
        db_service_visit_move(req->db, &in, &req->who, &req->arena, &out, &win, &err);
    return answer(req, r, 200, out, &err, &win);
}

/* POST /api/v1/cases/{case}/visits/{n}/confirm  body: {"confirmed_by", "method"} */
int route_service_visit_confirm(struct request *req)
{
    return visit_move(req, VISIT_EV_CONFIRM);
}

/* POST .../visits/{n}/reschedule  body: {"proposed_start", "duration_minutes"?,
 * "preparation"?, "reason"}: back to proposed, the customer confirms the new time */
int route_service_visit_reschedule(struct request *req)
{
    return visit_move(req, VISIT_EV_RESCHEDULE);
}

/* POST .../visits/{n}/cancel  body: {"reason"} */
int route_service_visit_cancel(struct request *req)
{
    return visit_move(req, VISIT_EV_CANCEL);
}

/* POST .../visits/{n}/complete  body: {"notes"?} (a confirmed visit only) */
int route_service_visit_complete(struct request *req)
{
    return visit_move(req, VISIT_EV_COMPLETE);
}

/* GET /api/v1/cases/{case}/visits */
int route_service_visit_list(struct request *req)
{
    return case_list(req, db_service_visit_list);
}

/* ---- service log --------------------------------------------------------------------------- */

/* POST /api/v1/cases/{case}/service-log
 * body: {"kind", "text", "step"?: {"action", "performed_at"}} (step for kind "step" only) */
int route_service_log_create(struct request *req)
{
    struct err err = {0};
    struct svc_log_in in = {0};
    json_t *out = NULL;

    json_t *body = request_case_body(req, &in.case_number, false, &err);
    if (body == NULL)
        return reply_error(req, &err);
    const char *kind = json_in_string(&req->arena, body, "kind", "kind", true, &err);
    bool kind_ok = kind != NULL && service_log_kind_parse(kind, "kind", &in.kind, &err) == 0;
    in.text = json_in_text(&req->arena, body, "text", "text", INTAKE_TEXT_MAX, true, false, &err);
    json_t *step =
        json_in_object(body, "step", "step", kind_ok && in.kind == SERVICE_LOG_STEP, &err);
    if (step != NULL && kind_ok && in.kind != SERVICE_LOG_STEP)
        err_set(&err, ERR_INVALID, "step", "is only for entries of kind step");
    if (step != NULL) {
        in.action = json_in_string(&req->arena, step, "action", "step.action", true, &err);
        if (in.action != NULL && service_action_valid(in.action, "step.action", &err) != 0)
            in.action = NULL;
        instant_field(req, step, "performed_at", "step.performed_at", true, &in.performed_at,
                      &in.performed_offset, NULL, &err);
    }
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    enum db_result r = db_service_log_add(req->db, &in, &req->who, &out, &err);
    return answer(req, r, 201, out, &err, NULL);
}

/* GET /api/v1/cases/{case}/service-log */
int route_service_log_list(struct request *req)
{
    return case_list(req, db_service_log_list);
}
