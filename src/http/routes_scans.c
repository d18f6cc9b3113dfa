/*
 * routes_scans: the depot's dock scan (POST /api/v1/scans).
 *
 * Whatever the scanner typed is classified by core (scancode), a QR URL or token has its tag
 * checked against the server key, and the code is resolved to one inbound parcel.  The answer is
 * always 200 with an outcome the station shows at a glance:
 *   received   the first scan of the parcel: inbound leg -> received, one event
 *   serial_mismatch  the serial read off the unit ("serial") is not the one expected: the
 *              parcel is received, the inbound leg goes on hold (two events) and a task waits
 *              for a decision; no credit
 *   arrived    a box of non-serialised parts: count them (POST .../lines/{line}/receipts)
 *   duplicate  scanned before: nothing changes
 *   forged     the tag does not match the RMA and parcel: quarantine
 *   unknown    no parcel has this code: unexpected-arrivals desk
 *   ambiguous  a bare RMA number with several parcels on their way: scan the label
 *   not_expected  the RMA is closed or not authorized: quarantine
 *   unexpected the tag of an unexpected arrival (its QR .../U/<id> or the bare id U00000001):
 *              back to quarantine with its internal id; nothing is received
 * Only input errors (no code, no station, a malformed serial) are 422.
 */
#include <stdio.h>
#include <string.h>

#include "core/intake.h"
#include "core/scancode.h"
#include "json_in.h"
#include "label/qrtag.h"
#include "request.h"

static json_t *answer_json(const char *outcome, const char *next, const char *message,
                           const struct scancode *sc, const struct parcel_ref *p)
{
    json_t *j = json_pack("{s:s, s:s, s:s}", "outcome", outcome, "next", next, "message", message);
    if (sc != NULL)
        json_object_set_new(j, "code_kind", json_string(scancode_kind_name(sc->kind)));
    if (p != NULL) {
        json_object_set_new(j, "rma_number", json_string(p->rma_number));
        json_object_set_new(j, "parcel_no", json_integer(p->parcel_no));
        json_object_set_new(j, "parcel_count", json_integer(p->parcel_count));
    } else if (sc != NULL && sc->rma[0]) {
        json_object_set_new(j, "rma_number", json_string(sc->rma));
    }
    return j;
}

static int answer(struct request *req, const char *outcome, const char *next, const char *message,
                  const struct scancode *sc, const struct parcel_ref *p)
{
    return reply_json(req, 200, answer_json(outcome, next, message, sc, p));
}

static int log_and_answer(struct request *req, const char *station, const char *code,
                          const char *outcome, const char *next, const char *message,
                          const struct scancode *sc)
{
    struct err err = {0};
    enum db_result r = db_scan_log(req->db, station, code, outcome, &req->who, &err);
    switch (r) {
    case DB_ONE:
        break;
    case DB_NONE:
    case DB_RETRY:
    case DB_FAIL:
        return reply_db_error(req, r, &err);
    }
    return answer(req, outcome, next, message, sc, NULL);
}

/* The dock scanned the depot's own tag of an unexpected arrival: nothing to receive, the box
 * goes back to quarantine; the arrival (its status) is named, or the code is unknown. */
static int unexpected_tag(struct request *req, const char *station, const char *code,
                          const struct scancode *sc)
{
    struct err err = {0};
    json_t *ua = NULL;
    enum db_result r = db_unexpected_get(req->db, sc->internal_id, &ua, &err);
    switch (r) {
    case DB_ONE:
        break;
    case DB_NONE:
        return log_and_answer(req, station, code, "unknown", "unexpected_arrival",
                              "no unexpected arrival has this id: take the box to the "
                              "unexpected-arrivals desk",
                              sc);
    case DB_RETRY:
    case DB_FAIL:
        return reply_db_error(req, r, &err);
    }
    const char *status =
        arena_strdup(&req->arena, json_string_value(json_object_get(ua, "status")));
    json_decref(ua);
    r = db_scan_log(req->db, station, code, "unexpected", &req->who, &err);
    switch (r) {
    case DB_ONE:
        break;
    case DB_NONE:
    case DB_RETRY:
    case DB_FAIL:
        return reply_db_error(req, r, &err);
    }
    json_t *j = answer_json("unexpected", "quarantine",
                            arena_printf(&req->arena,
                                         "unexpected arrival %s (%s), not an rma parcel: put it "
                                         "back in quarantine",
                                         sc->internal_id, status ? status : "unknown"),
                            sc, NULL);
    json_object_set_new(j, "internal_id", json_string(sc->internal_id));
    json_object_set_new(j, "status", status ? json_string(status) : json_null());
    return reply_json(req, 200, j);
}

/* POST /api/v1/scans  body: {"code": "<what the scanner typed>", "station": "dock-1",
 *                            "serial": "<read off the unit>"?} */
int route_scans_create(struct request *req)
{
    struct err err = {0};
    struct scancode sc;
    struct parcel_ref p;
    json_t *body = request_json(req, &err);

    if (body == NULL)
        return reply_error(req, &err);
    json_t *jc = json_object_get(body, "code");
    const char *station = json_in_string(&req->arena, body, "station", "station", true, &err);
    char *serial =
        json_in_upper((char *)json_in_string(&req->arena, body, "serial", "serial", false, &err));
    if (serial != NULL)
        intake_check_serial(serial, "serial", &err);
    if (jc == NULL || json_is_null(jc))
        err_set(&err, ERR_INVALID, "code", "is required");
    else if (!json_is_string(jc))
        err_set(&err, ERR_INVALID, "code", "must be a string");
    size_t code_len = err_is_set(&err) ? 0 : json_string_length(jc);
    const char *code =
        err_is_set(&err) ? NULL : arena_strndup(&req->arena, json_string_value(jc), code_len);
    json_decref(body);
    if (station != NULL)
        intake_check_text(station, 64, true, "station", &err);
    if (err_is_set(&err))
        return reply_error(req, &err);
    if (strlen(code) != code_len)
        return err_set(&err, ERR_INVALID, "code", "must not contain nul characters"),
               reply_error(req, &err);
    if (strlen(code) > SCANCODE_MAX_INPUT)
        return err_set(&err, ERR_INVALID, "code", "must be at most %d characters",
                       SCANCODE_MAX_INPUT),
               reply_error(req, &err);

    if (scancode_parse(code, strlen(code), &sc, &err) != 0) {
        const char *why = err.message;
        /* an empty code is an input error; anything else scanned is an unknown code */
        if (strcmp(why, "must not be empty") == 0)
            return reply_error(req, &err);
        char printable[SCANCODE_MAX_INPUT + 1];
        size_t n = 0;
        for (const char *c = code; *c && n < SCANCODE_MAX_INPUT; c++)
            printable[n++] = (*c >= 0x20 && *c < 0x7f) ? *c : '?';
        printable[n] = '\0';
        return log_and_answer(req, station, printable, "unknown", "unexpected_arrival",
                              arena_printf(&req->arena,
                                           "unknown code (%s): take the parcel to the "
                                           "unexpected-arrivals desk",
                                           why),
                              NULL);
    }
    if ((sc.kind == SCANCODE_QR_URL || sc.kind == SCANCODE_TOKEN) &&
        !qrtag_verify(req->cfg->label_key, sizeof req->cfg->label_key, sc.rma, sc.parcel, sc.tag))
        return log_and_answer(req, station, code, "forged", "quarantine",
                              "the label's tag does not match: set the parcel aside for a "
                              "supervisor",
                              &sc);

    if (sc.kind == SCANCODE_UNEXPECTED)
        return unexpected_tag(req, station, code, &sc);

    enum db_result r = db_parcel_resolve(req->db, &sc, &p, &err);
    switch (r) {
    case DB_ONE:
        break;
    case DB_NONE:
        return log_and_answer(req, station, code, "unknown", "unexpected_arrival",
                              "no parcel has this code: take it to the unexpected-arrivals desk",
                              &sc);
    case DB_FAIL:
        if (err.kind == ERR_CONFLICT)
            return log_and_answer(req, station, code, "ambiguous", "scan_label",
                                  arena_strdup(&req->arena, err.message), &sc);
        return reply_db_error(req, r, &err);
    case DB_RETRY:
        return reply_db_error(req, r, &err);
    }
    if (!p.authorized || p.closed)
        return log_and_answer(req, station, code, "not_expected", "quarantine",
                              p.closed ? "the rma is closed: set the parcel aside" :
                                         "the rma is not authorized: set the parcel aside",
                              &sc);

    struct dock_receipt dr;
    r = db_scan_receive(req->db, &p, station, code, serial, &req->who, &dr, &err);
    switch (r) {
    case DB_ONE:
        break;
    case DB_NONE:
    case DB_RETRY:
    case DB_FAIL:
        return reply_db_error(req, r, &err);
    }
    if (strcmp(dr.outcome, "received") == 0)
        return answer(req, "received", "inspect",
                      arena_printf(&req->arena,
                                   "received %s parcel %d of %d: take it to inspection",
                                   p.rma_number, p.parcel_no, p.parcel_count),
                      &sc, &p);
    if (strcmp(dr.outcome, "serial_mismatch") == 0) {
        json_t *j = answer_json("serial_mismatch", "hold",
                                arena_printf(&req->arena,
                                             "%s parcel %d holds serial %s, not the one "
                                             "expected: put it on the hold shelf",
                                             p.rma_number, p.parcel_no, serial),
                                &sc, &p);
        json_object_set_new(j, "task_id", json_integer(dr.task_id));
        json_object_set_new(j, "line_no", json_integer(dr.line_no));
        return reply_json(req, 200, j);
    }
    if (strcmp(dr.outcome, "not_expected") == 0) /* closed meanwhile, under the rma's lock */
        return answer(req, "not_expected", "quarantine", "the rma is closed: set the parcel aside",
                      &sc, &p);
    if (strcmp(dr.outcome, "arrived") == 0)
        return answer(req, "arrived", "count",
                      arena_printf(&req->arena, "%s parcel %d arrived: count the parts of line %d",
                                   p.rma_number, p.parcel_no, dr.line_no),
                      &sc, &p);
    return answer(req, "duplicate", "none",
                  arena_printf(&req->arena, "%s parcel %d was already received: nothing changed",
                               p.rma_number, p.parcel_no),
                  &sc, &p);
}
