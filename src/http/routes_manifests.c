/*
 * routes_manifests: carrier pickup manifests and the outbound UBL documents (issue 5).
 *
 *   POST /api/v1/pickups                       close a pickup: one manifest of every packed,
 *                                              labelled parcel of the carrier on no open one
 *   GET  /api/v1/manifests                     list (?carrier=CODE&date=YYYY-MM-DD)
 *   GET  /api/v1/manifests/{id}.xml            the stored bytes, identical on every fetch (ETag)
 *   POST /api/v1/manifests/{id}/void           while none of its parcels has left
 *   GET  /api/v1/rmas/{rma}/shipments/{parcel}/despatch-advice.xml   UBL DespatchAdvice
 *   GET  /api/v1/rmas/{rma}/receipt-advice.xml?stage=inspection      (routes_rmas.c calls
 *                                              route_manifests_receipt_inspection)
 *
 * Every document rmad writes here is validated against our XSD (src/xml/schemas/) before it is
 * stored or sent: a document that fails is our bug, a 500 with a log line, never sent.
 * Carrier tokens read only their own carrier's manifests and shipments (another's is a 404) and
 * cannot close or void (router roles).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/log.h"
#include "core/manifest.h"
#include "db/manifest.h"
#include "json_in.h"
#include "request.h"
#include "xml/manifest.h"
#include "xml/schemas.h"
#include "xml/xml.h"

#define VOID_REASON_MAX 500

/* Validates what we wrote; a failure is logged (the element and line, never the document). */
static int check_emitted(enum xml_schema which, const char *xml, size_t len, struct err *err)
{
    struct err verr = {0};

    if (xml_schema_validate_memory(which, xml, len, &verr) == 0)
        return 0;
    log_warnx("bug: an emitted document does not match %s: %s at line %d: %s",
              xml_schema_file(which), verr.field[0] ? verr.field : "document", verr.line,
              verr.message);
    return err_set(err, ERR_INTERNAL, NULL, "the document could not be written");
}

/* Replies a document just written (rc: its xml_write_*() answer, xml malloc'd, freed here) once it
 * validates against which; a document that cannot be written or does not validate is our bug:
 * logged, a 500, never sent. */
static int reply_emitted(struct request *req, int rc, const char *what, enum xml_schema which,
                         char *xml, size_t len, struct err *err)
{
    if (rc != 0) {
        log_warnx("bug: the %s could not be written: %s %s", what, err->field, err->message);
        return reply_error(req, err);
    }
    if (check_emitted(which, xml, len, err) != 0) {
        free(xml);
        return reply_error(req, err);
    }
    reply_bytes(req, 200, "application/xml", xml, len);
    free(xml);
    return 0;
}

/* manifest_render_fn: writes the manifest and validates it against rmad-manifest-1.xsd. */
static int render_manifest(void *ctx, const struct manifest *m, char **xml, size_t *len,
                           struct err *err)
{
    (void)ctx;
    if (xml_write_manifest(m, xml, len, err) != 0) {
        log_warnx("bug: the manifest could not be written: %s %s", err->field, err->message);
        return -1;
    }
    if (check_emitted(XML_SCHEMA_MANIFEST, *xml, *len, err) != 0) {
        free(*xml);
        *xml = NULL;
        return -1;
    }
    return 0;
}

static bool is_code(const char *s, size_t max)
{
    size_t n = strlen(s);

    if (n == 0 || n > max)
        return false;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_'))
            return false;
    return true;
}

/* POST /api/v1/pickups   {"carrier": "UPS", "account": "A1B2C3", "date": "2026-12-03"} */
int route_manifests_pickup_close(struct request *req)
{
    struct err err = {0};
    struct pickup_request rq = {0};
    json_t *body;

    if (request_db(req, &err) == NULL || (body = request_json(req, &err)) == NULL)
        return reply_error(req, &err);
    rq.carrier =
        json_in_upper((char *)json_in_string(&req->arena, body, "carrier", "carrier", true, &err));
    if (rq.carrier != NULL && !is_code(rq.carrier, 16))
        err_set(&err, ERR_INVALID, "carrier", "must be a carrier code");
    rq.account = json_in_string(&req->arena, body, "account", "account", false, &err);
    if (rq.account != NULL && !is_code(rq.account, 64))
        err_set(&err, ERR_INVALID, "account", "must be 1 to 64 letters, digits, - or _");
    rq.date = json_in_string(&req->arena, body, "date", "date", true, &err);
    if (rq.date != NULL)
        manifest_pickup_date_check(rq.date, (int64_t)time(NULL), "date", &err);
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);

    json_t *out = NULL;
    enum db_result r = db_pickup_close(req->db, &rq, &req->who, render_manifest, NULL, &out, &err);
    if (r != DB_ONE)
        return reply_db_error(req, r, &err);
    req->extra_header = "Location";
    req->extra_value = arena_printf(&req->arena, "/api/v1/manifests/%lld",
                                    (long long)json_integer_value(json_object_get(out, "id")));
    return reply_json(req, 201, out);
}

/* GET /api/v1/manifests?carrier=UPS&date=2026-12-03 */
int route_manifests_list(struct request *req)
{
    struct err err = {0};
    const char *carrier = request_query(req, "carrier");
    const char *date = request_query(req, "date");
    char *code = NULL;

    if (carrier != NULL && carrier[0] != '\0') {
        code = json_in_upper(arena_strdup(&req->arena, carrier));
        if (!is_code(code, 16))
            err_set(&err, ERR_INVALID, "carrier", "must be a carrier code");
    }
    if (date != NULL && date[0] == '\0')
        date = NULL;
    if (date != NULL)
        manifest_date_parse(date, "date", &err);
    if (err_is_set(&err) || request_db(req, &err) == NULL)
        return reply_error(req, &err);

    json_t *out = NULL;
    enum db_result r = db_manifest_list(req->db, code, date, &req->who, &out, &err);
    return reply_db_result(req, r, 200, out, &err);
}

/* GET /api/v1/manifests/{id}.xml: the bytes stored at the close, never written again. */
int route_manifests_xml(struct request *req)
{
    struct err err = {0};
    char *xml = NULL, *sha = NULL;
    size_t len = 0;
    long long id = request_number_param(req, 0, "manifest", INT64_MAX / 2, &err);

    if (id == 0 || request_db(req, &err) == NULL)
        return reply_error(req, &err);
    enum db_result r = db_manifest_xml(req->db, id, &req->who, &req->arena, &xml, &len, &sha, &err);
    if (r != DB_ONE)
        return reply_db_error(req, r, &err);
    if (reply_etag(req, sha))
        return reply_bytes(req, 304, "application/xml", "", 0);
    return reply_bytes(req, 200, "application/xml", xml, len);
}

/* POST /api/v1/manifests/{id}/void   {"reason": "..."} */
int route_manifests_void(struct request *req)
{
    struct err err = {0};
    long long id = request_number_param(req, 0, "manifest", INT64_MAX / 2, &err);
    json_t *body;

    if (id == 0 || request_db(req, &err) == NULL || (body = request_json(req, &err)) == NULL)
        return reply_error(req, &err);
    /* free text: valid UTF-8 without control characters, at most VOID_REASON_MAX bytes */
    const char *reason =
        json_in_text(&req->arena, body, "reason", "reason", VOID_REASON_MAX, true, true, &err);
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);

    json_t *out = NULL;
    enum db_result r = db_manifest_void(req->db, id, reason, &req->who, &out, &err);
    return reply_db_result(req, r, 200, out, &err);
}

/* GET /api/v1/rmas/{rma}/shipments/{parcel}/despatch-advice.xml */
int route_manifests_despatch_advice(struct request *req)
{
    struct err err = {0};
    struct despatch_out d;
    char *xml = NULL;
    size_t len = 0;
    const char *rma = request_rma_param(req, 0, &err);
    int parcel = rma != NULL ? (int)request_number_param(req, 1, "parcel", 9999, &err) : 0;

    if (err_is_set(&err) || request_db(req, &err) == NULL)
        return reply_error(req, &err);
    enum db_result r = db_despatch_out(req->db, rma, parcel, &req->who, &req->arena, &d, &err);
    if (r != DB_ONE)
        return reply_db_error(req, r, &err);
    int rc = xml_write_despatch_advice(&d, &xml, &len, &err);
    return reply_emitted(req, rc, "despatch advice", XML_SCHEMA_DESPATCH_ADVICE, xml, len, &err);
}

/* The ReceiptAdvice, validated against rmad-ubl-ReceiptAdvice-2.1.xsd before it is sent:
 * stage "dock" (what came in) or "inspection" (what inspection found). */
int route_manifests_receipt_advice(struct request *req, const char *rma, bool inspection)
{
    struct err err = {0};
    struct receipt_advice ra;
    char *xml = NULL;
    size_t len = 0;

    enum db_result r = inspection ?
                           db_receipt_advice_inspection(req->db, rma, &req->arena, &ra, &err) :
                           db_receipt_advice(req->db, rma, &req->arena, &ra, &err);
    if (r != DB_ONE)
        return reply_db_error(req, r, &err);
    int rc = xml_write_receipt_advice(&ra, &xml, &len, &err);
    return reply_emitted(req, rc, "receipt advice", XML_SCHEMA_RECEIPT_ADVICE, xml, len, &err);
}
