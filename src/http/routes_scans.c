/*
 * routes_scans: the depot's dock scan (POST /api/v1/scans).
 *
 * Whatever the scanner typed is classified by core (scancode), a QR URL or token has its tag
 * checked against the server key, and the code is resolved to one inbound parcel.  The answer is
 * always 200 with an outcome the station shows at a glance:
 *   received   the first scan of the parcel: inbound leg -> received, one event
 *   duplicate  scanned before: nothing changes
 *   forged     the tag does not match the RMA and parcel: quarantine
 *   unknown    no parcel has this code: unexpected-arrivals desk
 *   ambiguous  a bare RMA number with several parcels on their way: scan the label
 *   not_expected  the RMA is closed or not authorized: quarantine
 * Only input errors (no code, no station) are 422.
 */
#include <stdio.h>
#include <string.h>

#include "core/intake.h"
#include "core/scancode.h"
#include "json_in.h"
#include "label/qrtag.h"
#include "request.h"

static int answer(struct request *req, const char *outcome, const char *next, const char *message,
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
    return reply_json(req, 200, j);
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

/* POST /api/v1/scans  body: {"code": "<what the scanner typed>", "station": "dock-1"} */
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

    const char *outcome = NULL;
    r = db_scan_receive(req->db, &p, station, code, &req->who, &outcome, &err);
    switch (r) {
    case DB_ONE:
        break;
    case DB_NONE:
    case DB_RETRY:
    case DB_FAIL:
        return reply_db_error(req, r, &err);
    }
    if (strcmp(outcome, "received") == 0)
        return answer(req, "received", "inspect",
                      arena_printf(&req->arena,
                                   "received %s parcel %d of %d: take it to inspection",
                                   p.rma_number, p.parcel_no, p.parcel_count),
                      &sc, &p);
    return answer(req, "duplicate", "none",
                  arena_printf(&req->arena, "%s parcel %d was already received: nothing changed",
                               p.rma_number, p.parcel_no),
                  &sc, &p);
}
