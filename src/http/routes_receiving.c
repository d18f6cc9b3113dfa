/*
 * routes_receiving: the depot's receiving and inspection (issue 4, area B).
 *
 *   GET  /api/v1/tasks?kind=&status=                      decisions to make
 *   POST /api/v1/tasks/{id}/decide                        serial mismatch: accept | reject
 *   POST /api/v1/unexpected-arrivals                      a parcel with no RMA: internal id, queue
 *   GET  /api/v1/unexpected-arrivals?status=queued        the unmatched queue
 *   GET  /api/v1/unexpected-arrivals/{id}                 one arrival
 *   GET  /api/v1/unexpected-arrivals/{id}/label.{png,pdf,zpl}   its tag (QR: <URL>/U/<id>)
 *   POST /api/v1/unexpected-arrivals/{id}/match           to an RMA line: received as a scan
 *   POST /api/v1/unexpected-arrivals/{id}/close           returned | scrapped, with a reason
 *   POST /api/v1/rmas/{rma}/lines/{line}/receipts         a count of non-serialised parts
 *   POST /api/v1/rmas/{rma}/lines/{line}/inspection       grade, findings, evidence
 *   POST /api/v1/rmas/{rma}/lines/{line}/disposition      repair | replace | return_unrepaired |
 *                                                         scrap
 *
 * Each handler parses and checks the whole body first (422 naming the field), then makes one
 * database call that is one transaction.  Roles are checked by the route table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/depot.h"
#include "core/intake.h"
#include "core/rmanum.h"
#include "json_in.h"
#include "label/render.h"
#include "request.h"

#define TEXT_MAX 2000
#define FINDINGS_MAX 10
#define RECEIPT_QUANTITY_MAX 100000

/* The {id} of an unexpected arrival: U and 8 digits. */
static const char *ua_param(struct request *req, struct err *err)
{
    const char *s = req->params[0];

    if (strlen(s) != 9 || (s[0] != 'U' && s[0] != 'u') || strspn(s + 1, "0123456789") != 8) {
        err_set(err, ERR_NOT_FOUND, "internal_id", "no such unexpected arrival");
        return NULL;
    }
    char *id = arena_strdup(&req->arena, s);
    id[0] = 'U';
    return id;
}

/* Optional "expected_state" of a move body: a state the inbound leg knows. */
static const char *expected_state(struct request *req, json_t *body, struct err *err)
{
    const char *s =
        json_in_string(&req->arena, body, "expected_state", "expected_state", false, err);
    if (s != NULL && (strlen(s) > 32 || !leg_state_is_known(LEG_INBOUND, s))) {
        err_set(err, ERR_INVALID, "expected_state", "is not a state of the inbound leg");
        return NULL;
    }
    return s;
}

/* Optional text field of at most max bytes. */
static const char *text(struct request *req, json_t *body, const char *name, size_t max,
                        bool required, struct err *err)
{
    const char *s = json_in_string(&req->arena, body, name, name, required, err);
    if (s != NULL)
        intake_check_text(s, max, required, name, err);
    return s;
}

/* Optional JSON object "evidence" as compact text (at most 32 KiB). */
static const char *evidence(struct request *req, json_t *body, struct err *err)
{
    json_t *ev = json_in_object(body, "evidence", "evidence", false, err);
    if (ev == NULL)
        return NULL;
    char *s = json_dumps(ev, JSON_COMPACT);
    const char *out = NULL;
    if (s != NULL && strlen(s) > 32768)
        err_set(err, ERR_INVALID, "evidence", "is too large");
    else if (s != NULL)
        out = arena_strdup(&req->arena, s);
    free(s);
    return out;
}

/* A whole number in [min, max] at body[name]; required. */
static long long number(json_t *body, const char *name, long long min, long long max,
                        struct err *err)
{
    json_t *v = json_object_get(body, name);

    if (v == NULL || json_is_null(v)) {
        err_set(err, ERR_INVALID, name, "is required");
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        err_set(err, ERR_INVALID, name, "must be a whole number from %lld to %lld", min, max);
        return 0;
    }
    return json_integer_value(v);
}

/* ---- tasks ---------------------------------------------------------------------------------- */

/* GET /api/v1/tasks?kind=serial_mismatch|unexpected_arrival&status=open|decided */
int route_receiving_tasks(struct request *req)
{
    struct err err = {0};
    json_t *out = NULL;
    const char *kind = request_query(req, "kind");
    const char *status = request_query(req, "status");

    if (kind != NULL && kind[0] == '\0')
        kind = NULL;
    if (status != NULL && status[0] == '\0')
        status = NULL;
    if (kind != NULL && strcmp(kind, "serial_mismatch") != 0 &&
        strcmp(kind, "unexpected_arrival") != 0)
        err_set(&err, ERR_INVALID, "kind", "must be serial_mismatch or unexpected_arrival");
    if (status != NULL && strcmp(status, "open") != 0 && strcmp(status, "decided") != 0)
        err_set(&err, ERR_INVALID, "status", "must be open or decided");
    if (err_is_set(&err) || request_db(req, &err) == NULL)
        return reply_error(req, &err);
    enum db_result r = db_task_list(req->db, kind, status, &out, &err);
    if (r == DB_ONE)
        out = json_pack("{s:o}", "tasks", out);
    return reply_db_result(req, r, 200, out, &err);
}

/* POST /api/v1/tasks/{id}/decide  body: {"decision": "accept" | "reject", "reason"} */
int route_receiving_task_decide(struct request *req)
{
    struct err err = {0};
    json_t *out = NULL;
    long long id = request_number_param(req, 0, "task", INT64_MAX, &err);

    if (id == 0)
        return reply_error(req, &err);
    json_t *body = request_json(req, &err);
    if (body == NULL)
        return reply_error(req, &err);
    const char *decision = json_in_string(&req->arena, body, "decision", "decision", true, &err);
    if (decision != NULL && strcmp(decision, "accept") != 0 && strcmp(decision, "reject") != 0)
        err_set(&err, ERR_INVALID, "decision", "must be accept or reject");
    bool reject = decision != NULL && strcmp(decision, "reject") == 0;
    const char *reason = text(req, body, "reason", TEXT_MAX, reject, &err);
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    enum db_result r = db_task_decide(req->db, id, decision, reason, &req->who, &out, &err);
    return reply_db_result(req, r, 200, out, &err);
}

/* ---- unexpected arrivals -------------------------------------------------------------------- */

static json_t *with_links(json_t *ua)
{
    const char *id = json_string_value(json_object_get(ua, "internal_id"));
    json_t *links = json_object();
    static const char *const exts[] = {"png", "pdf", "zpl"};

    for (size_t k = 0; id != NULL && k < 3; k++) {
        char url[96];
        snprintf(url, sizeof url, "/api/v1/unexpected-arrivals/%s/label.%s", id, exts[k]);
        json_object_set_new(links, exts[k], json_string(url));
    }
    json_object_set_new(ua, "labels", links);
    return ua;
}

/* POST /api/v1/unexpected-arrivals  body: {"station", "description", "code"?, "serial"?} */
int route_receiving_ua_create(struct request *req)
{
    struct err err = {0};
    json_t *out = NULL;
    json_t *body = request_json(req, &err);

    if (body == NULL)
        return reply_error(req, &err);
    const char *station = text(req, body, "station", 64, true, &err);
    const char *description = text(req, body, "description", TEXT_MAX, true, &err);
    const char *code = text(req, body, "code", 512, false, &err);
    char *serial =
        json_in_upper((char *)json_in_string(&req->arena, body, "serial", "serial", false, &err));
    if (serial != NULL)
        intake_check_serial(serial, "serial", &err);
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    enum db_result r =
        db_unexpected_create(req->db, station, description, code, serial, &req->who, &out, &err);
    if (r == DB_ONE) {
        with_links(out);
        req->extra_header = "Location";
        req->extra_value = arena_printf(&req->arena, "/api/v1/unexpected-arrivals/%s",
                                        json_string_value(json_object_get(out, "internal_id")));
    }
    return reply_db_result(req, r, 201, out, &err);
}

/* GET /api/v1/unexpected-arrivals?status=queued|matched|returned|scrapped (default queued) */
int route_receiving_ua_list(struct request *req)
{
    struct err err = {0};
    json_t *out = NULL;
    const char *status = request_query(req, "status");
    static const char *const known[] = {"queued", "matched", "returned", "scrapped"};
    bool ok = false;

    if (status == NULL || status[0] == '\0')
        status = "queued";
    for (size_t i = 0; i < 4; i++)
        ok = ok || strcmp(status, known[i]) == 0;
    if (!ok)
        err_set(&err, ERR_INVALID, "status", "must be queued, matched, returned or scrapped");
    if (err_is_set(&err) || request_db(req, &err) == NULL)
        return reply_error(req, &err);
    enum db_result r = db_unexpected_list(req->db, status, &out, &err);
    if (r == DB_ONE) {
        size_t i;
        json_t *ua;
        json_array_foreach(out, i, ua) with_links(ua);
        out = json_pack("{s:s, s:o}", "status", status, "arrivals", out);
    }
    return reply_db_result(req, r, 200, out, &err);
}

/* GET /api/v1/unexpected-arrivals/{id} */
int route_receiving_ua_get(struct request *req)
{
    struct err err = {0};
    json_t *out = NULL;
    const char *id = ua_param(req, &err);

    if (id == NULL || request_db(req, &err) == NULL)
        return reply_error(req, &err);
    enum db_result r = db_unexpected_get(req->db, id, &out, &err);
    if (r == DB_ONE)
        with_links(out);
    return reply_db_result(req, r, 200, out, &err);
}

/* POST /api/v1/unexpected-arrivals/{id}/match  body: {"rma_number", "line"} */
int route_receiving_ua_match(struct request *req)
{
    struct err err = {0};
    json_t *out = NULL;
    char num[RMANUM_LEN + 1];
    const char *id = ua_param(req, &err);

    if (id == NULL)
        return reply_error(req, &err);
    json_t *body = request_json(req, &err);
    if (body == NULL)
        return reply_error(req, &err);
    const char *rma = json_in_string(&req->arena, body, "rma_number", "rma_number", true, &err);
    if (rma != NULL)
        rmanum_parse(rma, "rma_number", num, &err);
    long long line = number(body, "line", 1, 9999, &err);
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    enum db_result r = db_unexpected_match(req->db, id, num, (int)line, &req->who, &out, &err);
    if (r == DB_NONE && err.kind == ERR_NOT_FOUND && strcmp(err.field, "internal_id") != 0) {
        /* the rma or line named in the body does not exist: a bad field, not a missing page */
        struct err e2 = {0};
        err_set(&e2, ERR_INVALID, strcmp(err.field, "line") == 0 ? "line" : "rma_number", "%s",
                err.message);
        return reply_error(req, &e2);
    }
    if (r == DB_ONE)
        with_links(out);
    return reply_db_result(req, r, 200, out, &err);
}

/* POST /api/v1/unexpected-arrivals/{id}/close  body: {"status": "returned" | "scrapped",
 * "reason"} */
int route_receiving_ua_close(struct request *req)
{
    struct err err = {0};
    json_t *out = NULL;
    const char *id = ua_param(req, &err);

    if (id == NULL)
        return reply_error(req, &err);
    json_t *body = request_json(req, &err);
    if (body == NULL)
        return reply_error(req, &err);
    const char *status = json_in_string(&req->arena, body, "status", "status", true, &err);
    if (status != NULL && strcmp(status, "returned") != 0 && strcmp(status, "scrapped") != 0)
        err_set(&err, ERR_INVALID, "status", "must be returned or scrapped");
    const char *reason = text(req, body, "reason", TEXT_MAX, true, &err);
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    enum db_result r = db_unexpected_close(req->db, id, status, reason, &req->who, &out, &err);
    if (r == DB_ONE)
        with_links(out);
    return reply_db_result(req, r, 200, out, &err);
}

enum ua_format { UA_PNG, UA_PDF, UA_ZPL };

static int ua_label(struct request *req, enum ua_format fmt)
{
    static const char *const types[] = {"image/png", "application/pdf",
                                        "text/plain; charset=utf-8"};
    static const char *const exts[] = {"png", "pdf", "zpl"};
    struct err err = {0};
    struct label_content lc;
    unsigned char *out = NULL;
    size_t len = 0;
    const char *id = ua_param(req, &err);

    if (id == NULL || request_db(req, &err) == NULL)
        return reply_error(req, &err);
    const char *station = NULL;
    const char *serial = NULL;
    enum db_result r = db_unexpected_label(req->db, id, &req->arena, &station, &serial, &err);
    switch (r) {
    case DB_ONE:
        break;
    case DB_NONE:
    case DB_RETRY:
    case DB_FAIL:
        return reply_db_error(req, r, &err);
    }
    /* the 2x1 in tag: QR <PUBLIC URL>/U/<internal id>, which the dock scan knows */
    if (label_unexpected_tag(&lc, req->cfg->public_url, id, station, serial, &err) != 0) {
        err_clear(&err);
        err_set(&err, ERR_INTERNAL, "public_url", "the public url cannot be written in a qr code");
        return reply_error(req, &err);
    }
    int rc = fmt == UA_PNG ? label_render_png(&lc, &out, &len, &err) :
             fmt == UA_PDF ? label_render_pdf(&lc, &out, &len, &err) :
                             label_render_zpl(&lc, &out, &len, &err);
    if (rc != 0)
        return reply_error(req, &err);
    reply_bytes(req, 200, types[fmt], out, len);
    free(out);
    req->extra_header = "Content-Disposition";
    req->extra_value = arena_printf(&req->arena, "inline; filename=\"%s.%s\"", id, exts[fmt]);
    return 0;
}

int route_receiving_ua_label_png(struct request *req)
{
    return ua_label(req, UA_PNG);
}

int route_receiving_ua_label_pdf(struct request *req)
{
    return ua_label(req, UA_PDF);
}

int route_receiving_ua_label_zpl(struct request *req)
{
    return ua_label(req, UA_ZPL);
}

/* ---- receipts, inspection, disposition ------------------------------------------------------ */

/* {rma} and {line} of /rmas/{rma}/lines/{line}/...: 404 when malformed. */
static const char *line_params(struct request *req, int *line, struct err *err)
{
    const char *rma = request_rma_param(req, 0, err);
    if (rma == NULL)
        return NULL;
    *line = (int)request_number_param(req, 1, "line", 9999, err);
    return *line > 0 ? rma : NULL;
}

/* POST /api/v1/rmas/{rma}/lines/{line}/receipts
 * body: {"quantity", "station", "reason"? (over-receipt), "expected_state"?} */
int route_receiving_receipt(struct request *req)
{
    struct err err = {0};
    json_t *out = NULL;
    int line = 0;
    const char *rma = line_params(req, &line, &err);

    if (rma == NULL)
        return reply_error(req, &err);
    json_t *body = request_json(req, &err);
    if (body == NULL)
        return reply_error(req, &err);
    long long qty = number(body, "quantity", 1, RECEIPT_QUANTITY_MAX, &err);
    const char *station = text(req, body, "station", 64, true, &err);
    const char *reason = text(req, body, "reason", TEXT_MAX, false, &err);
    const char *expected = expected_state(req, body, &err);
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    enum db_result r =
        db_line_receipt(req->db, rma, line, qty, station, reason, expected, &req->who, &out, &err);
    return reply_db_result(req, r, 201, out, &err);
}

/* POST /api/v1/rmas/{rma}/lines/{line}/inspection
 * body: {"grade", "findings": [...], "evidence"?, "notes"?, "serial"?, "expected_state"?} */
int route_receiving_inspection(struct request *req)
{
    struct err err = {0};
    json_t *out = NULL;
    struct inspection_in in = {0};
    int line = 0;
    const char *rma = line_params(req, &line, &err);

    if (rma == NULL)
        return reply_error(req, &err);
    json_t *body = request_json(req, &err);
    if (body == NULL)
        return reply_error(req, &err);
    in.grade = json_in_string(&req->arena, body, "grade", "grade", true, &err);
    if (in.grade != NULL)
        depot_grade_check(in.grade, "grade", &err);
    json_t *fs = json_object_get(body, "findings");
    const char **findings = arena_alloc(&req->arena, FINDINGS_MAX * sizeof *findings);
    if (fs == NULL || json_is_null(fs))
        err_set(&err, ERR_INVALID, "findings", "is required (\"none\" when nothing was found)");
    else if (!json_is_array(fs) || json_array_size(fs) < 1 || json_array_size(fs) > FINDINGS_MAX)
        err_set(&err, ERR_INVALID, "findings", "must be a list of 1 to %d finding codes",
                FINDINGS_MAX);
    for (size_t i = 0; !err_is_set(&err) && i < json_array_size(fs); i++) {
        char field[32];
        enum finding f;
        snprintf(field, sizeof field, "findings[%zu]", i);
        if (depot_finding_parse(json_string_value(json_array_get(fs, i)), field, &f, &err) != 0)
            break;
        bool dup = false;
        for (size_t j = 0; j < in.n_findings; j++)
            dup = dup || strcmp(findings[j], depot_finding_name(f)) == 0;
        if (dup)
            continue;
        findings[in.n_findings++] = depot_finding_name(f);
        in.misuse = in.misuse || depot_finding_is_misuse(f);
    }
    in.findings = findings;
    in.evidence_json = evidence(req, body, &err);
    in.notes = text(req, body, "notes", TEXT_MAX, false, &err);
    char *serial =
        json_in_upper((char *)json_in_string(&req->arena, body, "serial", "serial", false, &err));
    if (serial != NULL)
        intake_check_serial(serial, "serial", &err);
    in.serial = serial;
    in.expected_state = expected_state(req, body, &err);
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    enum db_result r = db_line_inspect(req->db, rma, line, &in, &req->who, &out, &err);
    return reply_db_result(req, r, 200, out, &err);
}

/* POST /api/v1/rmas/{rma}/lines/{line}/disposition
 * body: {"disposition": "repair" | "replace" | "return_unrepaired" | "scrap", "expected_state"?} */
int route_receiving_disposition(struct request *req)
{
    struct err err = {0};
    json_t *out = NULL;
    int line = 0;
    const char *rma = line_params(req, &line, &err);
    static const char *const known[] = {"repair", "replace", "return_unrepaired", "scrap"};

    if (rma == NULL)
        return reply_error(req, &err);
    json_t *body = request_json(req, &err);
    if (body == NULL)
        return reply_error(req, &err);
    const char *d = json_in_string(&req->arena, body, "disposition", "disposition", true, &err);
    bool ok = false;
    for (size_t i = 0; d != NULL && i < 4; i++)
        ok = ok || strcmp(d, known[i]) == 0;
    if (d != NULL && !ok)
        err_set(&err, ERR_INVALID, "disposition",
                "must be repair, replace, return_unrepaired or scrap");
    const char *expected = expected_state(req, body, &err);
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    enum db_result r = db_line_disposition(req->db, rma, line, d, expected, &req->who, &out, &err);
    return reply_db_result(req, r, 200, out, &err);
}
