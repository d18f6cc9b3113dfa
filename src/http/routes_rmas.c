/*
 * routes_rmas: RMAs: authorize (with the screening decision), the staff view and the receipt
 * advice (labels: routes_labels.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/intake.h"
#include "core/rmanum.h"
#include "json_in.h"
#include "request.h"
#include "xml/xml.h"

#define RMA_LINES_MAX 100
#define RMA_QUANTITY_MAX 100000

/* Adds label links to the inbound parcels of a view. */
static void add_links(json_t *view)
{
    const char *rma = json_string_value(json_object_get(view, "rma_number"));
    json_t *parcels = json_object_get(view, "parcels");
    size_t i;
    json_t *p;

    json_array_foreach(parcels, i, p)
    {
        if (strcmp(json_string_value(json_object_get(p, "direction")), "inbound") != 0)
            continue;
        json_int_t n = json_integer_value(json_object_get(p, "parcel_no"));
        json_t *links = json_object();
        static const char *const exts[] = {"png", "pdf", "zpl"};
        for (size_t k = 0; k < 3; k++) {
            char url[128];
            snprintf(url, sizeof url, "/api/v1/rmas/%s/parcels/%lld/label.%s", rma, (long long)n,
                     exts[k]);
            json_object_set_new(links, exts[k], json_string(url));
        }
        json_object_set_new(p, "labels", links);
    }
}

static int reply_view(struct request *req, int status, const char *rma_number)
{
    struct err err = {0};
    json_t *view = NULL;
    enum db_result r = db_rma_view(req->db, rma_number, &view, &err);

    switch (r) {
    case DB_ONE:
        break;
    case DB_NONE:
    case DB_RETRY:
    case DB_FAIL:
        return reply_db_error(req, r, &err);
    }
    add_links(view);
    if (status == 201) {
        req->extra_header = "Location";
        req->extra_value = arena_printf(&req->arena, "/api/v1/rmas/%s", rma_number);
    }
    return reply_json(req, status, view);
}

static int read_lines(struct request *req, json_t *body, struct rma_request *rr, struct err *err)
{
    json_t *lines = json_object_get(body, "lines");
    size_t n;

    if (lines == NULL || json_is_null(lines))
        return err_set(err, ERR_INVALID, "lines", "is required");
    if (!json_is_array(lines))
        return err_set(err, ERR_INVALID, "lines", "must be a list");
    n = json_array_size(lines);
    if (n == 0 || n > RMA_LINES_MAX)
        return err_set(err, ERR_INVALID, "lines", "must have 1 to %d lines", RMA_LINES_MAX);
    struct rma_request_line *out = arena_alloc(&req->arena, n * sizeof *out);
    for (size_t i = 0; i < n; i++) {
        json_t *l = json_array_get(lines, i);
        char f[64];
        if (!json_is_object(l)) {
            snprintf(f, sizeof f, "lines[%zu]", i);
            return err_set(err, ERR_INVALID, f, "must be an object");
        }
        snprintf(f, sizeof f, "lines[%zu].serial_number", i);
        out[i].serial_number =
            json_in_upper((char *)json_in_string(&req->arena, l, "serial_number", f, false, err));
        if (out[i].serial_number != NULL)
            intake_check_serial(out[i].serial_number, f, err);
        for (size_t j = 0; j < i && out[i].serial_number != NULL; j++)
            if (out[j].serial_number != NULL &&
                strcmp(out[j].serial_number, out[i].serial_number) == 0)
                err_set(err, ERR_INVALID, f, "the same serial number is on line %zu", j);
        snprintf(f, sizeof f, "lines[%zu].product_model", i);
        out[i].product_model = json_in_string(&req->arena, l, "product_model", f, true, err);
        if (out[i].product_model != NULL)
            intake_check_model(out[i].product_model, f, err);
        snprintf(f, sizeof f, "lines[%zu].quantity", i);
        json_t *q = json_object_get(l, "quantity");
        out[i].quantity = 1;
        if (q != NULL && !json_is_null(q)) {
            if (!json_is_integer(q) || json_integer_value(q) < 1 ||
                json_integer_value(q) > RMA_QUANTITY_MAX)
                err_set(err, ERR_INVALID, f, "must be a whole number from 1 to %d",
                        RMA_QUANTITY_MAX);
            else
                out[i].quantity = json_integer_value(q);
        }
        if (out[i].serial_number != NULL && out[i].quantity != 1)
            err_set(err, ERR_INVALID, f, "a serialised unit has quantity 1");
        if (err_is_set(err))
            return -1;
    }
    rr->lines = out;
    rr->n_lines = n;
    return 0;
}

/* POST /api/v1/rmas  body: {"case_number", "type", "lines": [...], "screening": {...},
 * "return_carrier"} */
int route_rmas_create(struct request *req)
{
    struct err err = {0};
    json_t *body = request_json(req, &err);

    if (body == NULL)
        return reply_error(req, &err);
    int rc = route_rmas_create_for(req, body, NULL);
    json_decref(body);
    return rc;
}

/* The RMA of body for case_number (NULL: the body's case_number), as POST /api/v1/rmas and the
 * escalation of a case to the depot (POST /api/v1/cases/{case}/escalations) make it: the same
 * parse, the same guard (db_case_rma_guard in db_rma_create), the same answer.  body stays the
 * caller's. */
int route_rmas_create_for(struct request *req, json_t *body, const char *case_number)
{
    struct err err = {0};
    struct rma_request rr = {0};

    rr.case_number =
        case_number ? case_number :
                      json_in_string(&req->arena, body, "case_number", "case_number", true, &err);
    const char *type = json_in_string(&req->arena, body, "type", "type", true, &err);
    if (type != NULL)
        rma_type_parse(type, &rr.type, &err);
    read_lines(req, body, &rr, &err);
    json_t *rc = json_object_get(body, "return_carrier");
    if (rc != NULL && !json_is_null(rc)) {
        const char *code = json_is_string(rc) ? json_string_value(rc) : NULL;
        if (code == NULL || code[0] == '\0' || strlen(code) > 31)
            err_set(&err, ERR_INVALID, "return_carrier",
                    "must be a carrier code (1 to 31 characters)");
        else
            rr.return_carrier = json_in_upper(arena_strdup(&req->arena, code));
    }
    json_t *scr = json_in_object(body, "screening", "screening", true, &err);
    if (scr != NULL) {
        const char *outcome =
            json_in_string(&req->arena, scr, "outcome", "screening.outcome", true, &err);
        if (outcome != NULL)
            screening_outcome_parse(outcome, &rr.outcome, &err);
        rr.reason = json_in_string(&req->arena, scr, "reason", "screening.reason", true, &err);
        if (rr.reason != NULL)
            intake_check_text(rr.reason, 2000, true, "screening.reason", &err);
        json_t *ev = json_object_get(scr, "evidence");
        if (ev != NULL && !json_is_null(ev)) {
            if (!json_is_object(ev) && !json_is_array(ev) && !json_is_string(ev)) {
                err_set(&err, ERR_INVALID, "screening.evidence",
                        "must be an object, a list or a string");
            } else {
                json_t *wrapped =
                    json_is_object(ev) ? json_incref(ev) : json_pack("{s:O}", "notes", ev);
                char *text = json_dumps(wrapped, JSON_COMPACT);
                json_decref(wrapped);
                if (text != NULL && strlen(text) > 32768)
                    err_set(&err, ERR_INVALID, "screening.evidence", "is too large");
                else if (text != NULL)
                    rr.evidence_json = arena_strdup(&req->arena, text);
                free(text);
            }
        }
    }
    if (err_is_set(&err))
        return reply_error(req, &err);

    char *rma_number = NULL;
    enum db_result r = db_rma_create(req->db, &rr, &req->who, &req->arena, &rma_number, &err);
    switch (r) {
    case DB_ONE:
        break;
    case DB_NONE:
    case DB_RETRY:
    case DB_FAIL:
        /* the case of the path does not exist: not found, not an invalid field */
        if (case_number != NULL && err.kind == ERR_INVALID &&
            strcmp(err.field, "case_number") == 0) {
            err_clear(&err);
            err_set(&err, ERR_NOT_FOUND, "case_number", "no such case");
        }
        return reply_db_error(req, r, &err);
    }
    return reply_view(req, 201, rma_number);
}

/* GET /api/v1/rmas/{rma} */
int route_rmas_get(struct request *req)
{
    struct err err = {0};
    const char *rma = request_rma_param(req, 0, &err);

    if (rma == NULL)
        return reply_error(req, &err);
    if (request_db(req, &err) == NULL)
        return reply_error(req, &err);
    return reply_view(req, 200, rma);
}

/* GET /api/v1/rmas/{rma}/receipt-advice.xml: UBL ReceiptAdvice of what the depot received. */
int route_rmas_receipt_advice(struct request *req)
{
    struct err err = {0};
    const char *rma = request_rma_param(req, 0, &err);
    /* ?stage=dock (the default) or ?stage=inspection (issue 5, routes_manifests.c) */
    const char *stage = request_query(req, "stage");
    bool inspection = stage != NULL && strcmp(stage, "inspection") == 0;

    if (rma != NULL && stage != NULL && !inspection && strcmp(stage, "dock") != 0)
        err_set(&err, ERR_INVALID, "stage", "must be dock or inspection");
    if (err_is_set(&err) || request_db(req, &err) == NULL)
        return reply_error(req, &err);
    return route_manifests_receipt_advice(req, rma, inspection);
}
