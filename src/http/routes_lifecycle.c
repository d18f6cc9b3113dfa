/*
 * routes_lifecycle: the life of a service case (issue 3): the case view and list, registration
 * by a service manager, engineers and their assignment (with a suggestion of the best fitting
 * one, reassignment keeping the history), the engineer's contacts and fault isolation, remote
 * resolution, hold and resume, cancel, and the escalations to the depot (an RMA, through the
 * same code as POST /api/v1/rmas) and to the factory.  Parse, decide, record, reply; the
 * database functions are db_lifecycle.c, the moves core's table (src/core/case.c).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/case.h"
#include "json_in.h"
#include "request.h"

#define TEXT_MAX 2000
#define LIST_DEFAULT 50
#define LIST_MAX 200

/* A free text field (printable, at most TEXT_MAX; not blank even when optional). */
static const char *text_field(struct request *req, json_t *body, const char *name, bool required,
                              struct err *err)
{
    return json_in_text(&req->arena, body, name, name, TEXT_MAX, required, true, err);
}

/* A string field that must be one of the NULL-terminated names (message lists them). */
static const char *enum_field(struct request *req, json_t *body, const char *name, bool required,
                              const char *const *names, const char *message, struct err *err)
{
    const char *s = json_in_string(&req->arena, body, name, name, required, err);
    if (s == NULL)
        return NULL;
    for (size_t i = 0; names[i] != NULL; i++)
        if (strcmp(s, names[i]) == 0)
            return s;
    err_set(err, ERR_INVALID, name, "%s", message);
    return NULL;
}

static bool bool_field(json_t *body, const char *name, bool required, bool *out, struct err *err)
{
    json_t *v = json_object_get(body, name);
    if (v == NULL || json_is_null(v)) {
        if (required)
            err_set(err, ERR_INVALID, name, "is required");
        return false;
    }
    if (!json_is_boolean(v)) {
        err_set(err, ERR_INVALID, name, "must be true or false");
        return false;
    }
    *out = json_is_true(v);
    return true;
}

/* Replies the case view (after the change committed). */
static int reply_case(struct request *req, const char *case_number)
{
    struct err err = {0};
    json_t *view = NULL;
    enum db_result r = db_case_view(req->db, case_number, &view, &err);
    return reply_db_result(req, r, 200, view, &err);
}

/* After a change: its error, or the case as it is now. */
static int reply_change(struct request *req, enum db_result r, const char *case_number,
                        struct err *err)
{
    if (r != DB_ONE)
        return reply_db_error(req, r, err);
    return reply_case(req, case_number);
}

/* A move whose body is one free text field: move(db, case, text, actor, err), then the case. */
static int text_move(struct request *req, const char *field, bool required,
                     enum db_result (*move)(struct db *, const char *, const char *,
                                            const struct principal *, struct err *))
{
    struct err err = {0};
    const char *cn;
    json_t *body = request_case_body(req, &cn, true, &err);

    if (body == NULL)
        return reply_error(req, &err);
    const char *text = text_field(req, body, field, required, &err);
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    return reply_change(req, move(req->db, cn, text, &req->who, &err), cn, &err);
}

/* GET /api/v1/cases/{case} */
int route_lifecycle_get(struct request *req)
{
    struct err err = {0};
    const char *cn = request_case_param(req, 0, &err);

    if (cn == NULL || request_db(req, &err) == NULL)
        return reply_error(req, &err);
    return reply_case(req, cn);
}

/* GET /api/v1/cases?status=&engineer=&after=&limit= */
int route_lifecycle_list(struct request *req)
{
    struct err err = {0};
    enum case_state st;
    const char *status = request_query(req, "status");
    const char *engineer = request_query(req, "engineer");
    const char *after = request_query(req, "after");
    const char *lim = request_query(req, "limit");
    int limit = LIST_DEFAULT;

    if (status != NULL && status[0] == '\0')
        status = NULL;
    if (engineer != NULL && engineer[0] == '\0')
        engineer = NULL;
    if (after != NULL && after[0] == '\0')
        after = NULL;
    if (status != NULL)
        case_state_parse(status, "status", &st, &err);
    if (engineer != NULL && strlen(engineer) > 64)
        err_set(&err, ERR_INVALID, "engineer", "is at most 64 characters");
    if (after != NULL &&
        (strlen(after) != 9 || after[0] != 'C' || strspn(after + 1, "0123456789") != 8))
        err_set(&err, ERR_INVALID, "after", "is a case number such as C00000042");
    if (lim != NULL) {
        char *end = NULL;
        long v = strtol(lim, &end, 10);
        if (end == lim || *end != '\0' || v < 1 || v > LIST_MAX)
            err_set(&err, ERR_INVALID, "limit", "must be a whole number from 1 to %d", LIST_MAX);
        else
            limit = (int)v;
    }
    if (err_is_set(&err) || request_db(req, &err) == NULL)
        return reply_error(req, &err);
    json_t *out = NULL;
    enum db_result r = db_cases_list(req->db, status, engineer, after, limit, &out, &err);
    return reply_db_result(req, r, 200, out, &err);
}

/* POST /api/v1/cases/{case}/register  body: {"priority"?} */
int route_lifecycle_register(struct request *req)
{
    static const char *const prio[] = {"low", "normal", "high", "urgent", NULL};
    struct err err = {0};
    const char *cn;
    json_t *body = request_case_body(req, &cn, true, &err);

    if (body == NULL)
        return reply_error(req, &err);
    const char *priority = enum_field(req, body, "priority", false, prio,
                                      "must be one of low, normal, high, urgent", &err);
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    return reply_change(req, db_case_register(req->db, cn, priority, &req->who, &err), cn, &err);
}

/* GET /api/v1/cases/{case}/engineer-suggestions */
int route_lifecycle_suggestions(struct request *req)
{
    struct err err = {0};
    json_t *out = NULL;
    const char *cn = request_case_param(req, 0, &err);

    if (cn == NULL || request_db(req, &err) == NULL)
        return reply_error(req, &err);
    enum db_result r = db_engineer_suggestions(req->db, cn, &out, &err);
    return reply_db_result(req, r, 200, out, &err);
}

/* POST /api/v1/cases/{case}/assign  body: {"engineer"?, "reason"?} */
int route_lifecycle_assign(struct request *req)
{
    struct err err = {0};
    const char *cn;
    json_t *body = request_case_body(req, &cn, true, &err);

    if (body == NULL)
        return reply_error(req, &err);
    const char *engineer = json_in_string(&req->arena, body, "engineer", "engineer", false, &err);
    if (engineer != NULL && strlen(engineer) > 64)
        err_set(&err, ERR_INVALID, "engineer", "unknown engineer");
    const char *reason = text_field(req, body, "reason", false, &err);
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    return reply_change(req, db_case_assign(req->db, cn, engineer, reason, &req->who, &err), cn,
                        &err);
}

/* POST /api/v1/cases/{case}/contacts  body: {"method", "summary", "reached"} */
int route_lifecycle_contact(struct request *req)
{
    static const char *const methods[] = {"phone", "email", NULL};
    struct err err = {0};
    const char *cn;
    bool reached = false;
    json_t *body = request_case_body(req, &cn, true, &err);

    if (body == NULL)
        return reply_error(req, &err);
    const char *method =
        enum_field(req, body, "method", true, methods, "must be phone or email", &err);
    const char *summary = text_field(req, body, "summary", true, &err);
    bool_field(body, "reached", true, &reached, &err);
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    return reply_change(
        req, db_case_contact(req->db, cn, method, summary, reached, &req->who, &err), cn, &err);
}

/* POST /api/v1/cases/{case}/fault-isolation
 * body: {"method", "findings", "suspected_part"?, "conclusion"} */
int route_lifecycle_fault_isolation(struct request *req)
{
    static const char *const methods[] = {"phone", "remote", "onsite", NULL};
    static const char *const conclusions[] = {"fixed", "needs_onsite", "needs_depot",
                                              "needs_factory", NULL};
    struct err err = {0};
    struct fault_isolation_input in = {0};
    const char *cn;
    json_t *body = request_case_body(req, &cn, true, &err);

    if (body == NULL)
        return reply_error(req, &err);
    in.method =
        enum_field(req, body, "method", true, methods, "must be phone, remote or onsite", &err);
    in.findings = text_field(req, body, "findings", true, &err);
    in.suspected_part = text_field(req, body, "suspected_part", false, &err);
    in.conclusion =
        enum_field(req, body, "conclusion", true, conclusions,
                   "must be one of fixed, needs_onsite, needs_depot, needs_factory", &err);
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    return reply_change(req, db_case_fault_isolation(req->db, cn, &in, &req->who, &err), cn, &err);
}

/* POST /api/v1/cases/{case}/resolve  body: {"resolution"} */
int route_lifecycle_resolve(struct request *req)
{
    return text_move(req, "resolution", true, db_case_resolve);
}

/* POST /api/v1/cases/{case}/hold  body: {"reason", "waiting_for"?} */
int route_lifecycle_hold(struct request *req)
{
    struct err err = {0};
    const char *cn;
    json_t *body = request_case_body(req, &cn, true, &err);

    if (body == NULL)
        return reply_error(req, &err);
    const char *reason = text_field(req, body, "reason", true, &err);
    const char *waiting_for = text_field(req, body, "waiting_for", false, &err);
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    return reply_change(req, db_case_hold(req->db, cn, reason, waiting_for, &req->who, &err), cn,
                        &err);
}

/* POST /api/v1/cases/{case}/resume  body: {"reason"?} */
int route_lifecycle_resume(struct request *req)
{
    return text_move(req, "reason", false, db_case_resume);
}

/* POST /api/v1/cases/{case}/cancel  body: {"reason"} */
int route_lifecycle_cancel(struct request *req)
{
    return text_move(req, "reason", true, db_case_cancel);
}

/*
 * POST /api/v1/cases/{case}/escalations
 *   {"to": "depot", "type", "lines", "screening"}: the RMA body of POST /api/v1/rmas without
 *       case_number; the same code creates it (guard: db_case_rma_guard); 201 with the RMA
 *   {"to": "factory", "reason"}: -> factory_escalated; 200 with the case
 */
int route_lifecycle_escalate(struct request *req)
{
    static const char *const targets[] = {"depot", "factory", NULL};
    struct err err = {0};
    const char *cn;
    json_t *body = request_case_body(req, &cn, true, &err);

    if (body == NULL)
        return reply_error(req, &err);
    const char *to = enum_field(req, body, "to", true, targets, "must be depot or factory", &err);
    if (err_is_set(&err)) {
        json_decref(body);
        return reply_error(req, &err);
    }
    if (strcmp(to, "depot") == 0) {
        int rc = route_rmas_create_for(req, body, cn);
        json_decref(body);
        return rc;
    }
    const char *reason = text_field(req, body, "reason", true, &err);
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    return reply_change(req, db_case_escalate_factory(req->db, cn, reason, &req->who, &err), cn,
                        &err);
}

/* GET /api/v1/engineers */
int route_lifecycle_engineers_list(struct request *req)
{
    struct err err = {0};
    json_t *out = NULL;

    if (request_db(req, &err) == NULL)
        return reply_error(req, &err);
    enum db_result r = db_engineers_list(req->db, NULL, &out, &err);
    if (r == DB_ONE)
        out = json_pack("{s:o}", "engineers", out);
    return reply_db_result(req, r, 200, out, &err);
}

static bool engineer_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 64 || !(islower((unsigned char)s[0]) || isdigit((unsigned char)s[0])))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(islower(c) || isdigit(c) || c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* POST /api/v1/engineers  body: {"name", "email"?, "token"?, "product_lines"?,
 * "max_open_cases"?, "active"?}: creates (201) or updates (200) the engineer of that name. */
int route_lifecycle_engineer_save(struct request *req)
{
    struct err err = {0};
    struct engineer_input in = {.active = -1};
    json_t *body = request_json(req, &err);
    bool active = true;

    if (body == NULL)
        return reply_error(req, &err);
    in.name = json_in_string(&req->arena, body, "name", "name", true, &err);
    if (in.name != NULL && !engineer_name_ok(in.name))
        err_set(&err, ERR_INVALID, "name",
                "must be 1 to 64 of a-z 0-9 . _ -, starting with a letter or digit");
    in.email = json_in_string(&req->arena, body, "email", "email", false, &err);
    if (in.email != NULL && (strlen(in.email) > 254 || strchr(in.email, '@') == NULL))
        err_set(&err, ERR_INVALID, "email", "must be an e-mail address");
    in.token = json_in_string(&req->arena, body, "token", "token", false, &err);
    if (in.token != NULL && strlen(in.token) > 200)
        err_set(&err, ERR_INVALID, "token", "is not a live token of role engineer");
    json_t *lines = json_object_get(body, "product_lines");
    if (lines != NULL && !json_is_null(lines)) {
        size_t i;
        json_t *v;
        if (!json_is_array(lines) || json_array_size(lines) > 50)
            err_set(&err, ERR_INVALID, "product_lines", "must be a list of at most 50 names");
        else
            json_array_foreach(lines, i, v)
            {
                if (!json_is_string(v) || json_string_length(v) < 1 || json_string_length(v) > 64) {
                    char f[48];
                    snprintf(f, sizeof f, "product_lines[%zu]", i);
                    err_set(&err, ERR_INVALID, f, "must be a product line name");
                }
            }
        if (!err_is_set(&err)) {
            char *text = json_dumps(lines, JSON_COMPACT);
            in.product_lines_json = arena_strdup(&req->arena, text ? text : "[]");
            free(text);
        }
    }
    json_t *m = json_object_get(body, "max_open_cases");
    if (m != NULL && !json_is_null(m)) {
        if (!json_is_integer(m) || json_integer_value(m) < 1 || json_integer_value(m) > 100000)
            err_set(&err, ERR_INVALID, "max_open_cases", "must be a whole number from 1 to 100000");
        else
            in.max_open_cases = json_integer_value(m);
    }
    if (bool_field(body, "active", false, &active, &err))
        in.active = active ? 1 : 0;
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    bool created = false;
    json_t *out = NULL;
    enum db_result r = db_engineer_save(req->db, &in, &created, &out, &err);
    return reply_db_result(req, r, created ? 201 : 200, out, &err);
}
